//! Arbitrary bytes → `ControlMessage::parse` for a platform chosen by the
//! first byte: never panics or over-reads, and whatever it accepts
//! re-marshals and re-parses to the same value. What it decoded splits its
//! traffic class into DSCP and ECN, and answers with `reply_to`.
#![no_main]

use ipv6_core::cmsg::Iter;
use ipv6_core::{ControlFlags, ControlMessage, Dscp, Ecn, Platform};
use libfuzzer_sys::fuzz_target;

/// DSCP and ECN are the received traffic class's upper six and lower two
/// bits, and set back they give the same message.
fn check_traffic_class(received: &ControlMessage) {
    let class = received.traffic_class;
    assert_eq!(received.dscp().map(Dscp::value), class.map(|t| t >> 2));
    assert_eq!(received.ecn().map(Ecn::bits), class.map(|t| t & 0b11));
    if let (Some(dscp), Some(ecn)) = (received.dscp(), received.ecn()) {
        let mut again = ControlMessage {
            traffic_class: None,
            ..*received
        };
        again.set_dscp_ecn(dscp, ecn);
        assert_eq!(again, *received);
    }
}

/// The reply to a received message comes from the unicast address it
/// arrived for (the kernel's choice for a group or `::`), out of the
/// interface it arrived on, and carries nothing else.
fn check_reply(received: &ControlMessage) {
    let reply = ControlMessage::reply_to(received);
    let unicast = received
        .dst
        .filter(|dst| !dst.is_multicast() && !dst.is_unspecified());
    assert_eq!(reply.src, unicast);
    assert_eq!(reply.if_index, received.if_index);
    let rest = ControlMessage {
        src: None,
        if_index: 0,
        ..reply
    };
    assert_eq!(rest, ControlMessage::default());
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let platform = Platform::ALL[usize::from(selector) % Platform::ALL.len()];

    // The record walker stays inside the buffer and ends after an error.
    let mut end = 0;
    for record in Iter::new(&platform, bytes) {
        let Ok(record) = record else { break };
        let start = record.data.as_ptr() as usize - bytes.as_ptr() as usize;
        end = start + record.data.len();
        assert!(end <= bytes.len());
    }
    assert!(end <= bytes.len());

    // Go's text form, and the buffer sizes for any flags.
    let decoded = ControlMessage::parse_partial(&platform, bytes);
    assert!(decoded.message.to_string().starts_with("tclass="));
    let flags = ControlFlags::from_bits_retain(u32::from(selector));
    assert!(flags.space(&platform) <= ipv6_core::control::MAX_SPACE);
    check_traffic_class(&decoded.message);
    check_reply(&decoded.message);

    let Ok(parsed) = ControlMessage::parse(&platform, bytes) else {
        return;
    };
    // Received fields travel back out as the send-side fields that carry them:
    // pktinfo's address is `dst` on receive and `src` on send.
    let resend = ControlMessage {
        src: parsed.dst,
        dst: None,
        mtu: 0,
        next_hop: None,
        ..parsed
    };
    let wire = resend
        .to_bytes(&platform)
        .expect("MAX_SPACE bounds every message");
    let reparsed = ControlMessage::parse(&platform, &wire).expect("own output parses");
    assert_eq!(reparsed.traffic_class, parsed.traffic_class);
    assert_eq!(reparsed.hop_limit, parsed.hop_limit);
    if parsed.dst.is_some() || parsed.if_index != 0 {
        assert_eq!(reparsed.if_index, parsed.if_index);
        assert_eq!(
            reparsed.dst,
            Some(parsed.dst.unwrap_or(core::net::Ipv6Addr::UNSPECIFIED))
        );
    }
});
