//! Any `ControlMessage` on any platform: marshal → parse gives back every
//! field the receive side carries, and `marshal_len` is exact. Also on a
//! hand-made platform derived from it (a record type missing, a wider
//! header), where `to_bytes` may not fit, and through `cmsg::Writer`
//! directly, which refuses a record that does not fit and writes nothing.
//! Its short text form (`{:#}`) is Go's form without the absent fields.
#![no_main]

use ipv6_core::cmsg::{Iter, Writer};
use ipv6_core::control::MAX_SPACE;
use ipv6_core::platform::{ControlType, IPPROTO_IPV6};
use ipv6_core::{ControlBuffer, ControlFlags, ControlMessage, Platform};
use libfuzzer_sys::fuzz_target;

/// `platform` without the `missing`-th control type (if any) and with its
/// `cmsghdr` header `wider` alignment units longer.
fn hand_made(platform: Platform, missing: u8, wider: u8) -> Platform {
    let mut p = platform;
    if let Some(kind) = p.cmsg_types.get_mut(usize::from(missing)) {
        *kind = None;
    }
    p.cmsg_layout.header_len += p.cmsg_layout.align * usize::from(wider % 8);
    p
}

/// `{:#}` prints the fields present, in order, each as Go's form prints
/// it, and `(none)` when none is.
fn check_present_fields(cm: &ControlMessage) {
    let present = [
        cm.traffic_class.is_some(),
        cm.hop_limit.is_some(),
        cm.src.is_some(),
        cm.dst.is_some(),
        cm.if_index != 0,
        cm.next_hop.is_some(),
        cm.mtu != 0,
    ];
    let go = cm.to_string();
    let go: Vec<&str> = go.split(' ').collect();
    let short = format!("{cm:#}");
    if !present.contains(&true) {
        assert_eq!(short, "(none)");
        return;
    }
    let kept: Vec<&str> = go
        .iter()
        .zip(present)
        .filter_map(|(field, present)| present.then_some(*field))
        .collect();
    assert_eq!(short, kept.join(" "));
}

fuzz_target!(
    |input: (u8, ControlMessage, ControlFlags, u8, u8, Vec<u8>)| {
        let (selector, cm, flags, missing, wider, data) = input;
        let platform = Platform::ALL[usize::from(selector) % Platform::ALL.len()];
        assert!(flags.space(&platform) <= MAX_SPACE);
        check_present_fields(&cm);

        // A derived platform: whatever marshal writes, parse reads back.
        let odd = hand_made(platform, missing, wider);
        assert!(flags.space(&odd) <= flags.space(&platform) + 8 * odd.cmsg_layout.align * 5);
        match cm.to_bytes(&odd) {
            Ok(wire) => {
                assert_eq!(wire.len(), cm.marshal_len(&odd));
                let parsed = ControlMessage::parse(&odd, &wire).expect("own output parses");
                assert_eq!(
                    parsed.traffic_class.is_some(),
                    cm.traffic_class.is_some()
                        && odd.cmsg_type(ControlType::TrafficClass).is_some()
                );
            }
            Err(_) => assert!(cm.marshal_len(&odd) > MAX_SPACE),
        }

        // The writer on its own: records until the buffer is full.
        let mut small = [0u8; 64];
        let mut writer = Writer::new(&platform, &mut small);
        assert!(writer.is_empty());
        let mut pushed = 0;
        while writer
            .push(IPPROTO_IPV6, 99, &data[..data.len().min(24)])
            .is_ok()
        {
            pushed += 1;
        }
        let written = writer.len();
        assert_eq!(Iter::new(&platform, &small[..written]).count(), pushed);

        let mut buf = ControlBuffer::default().0;
        let len = cm
            .marshal(&platform, &mut buf)
            .expect("MAX_SPACE bounds every message");
        assert_eq!(len, cm.marshal_len(&platform));
        // One byte short must be refused, never written past.
        if len > 0 {
            assert!(cm.marshal(&platform, &mut buf[..len - 1]).is_err());
        }
        let parsed = ControlMessage::parse(&platform, &buf[..len]).expect("own output parses");
        assert_eq!(parsed.traffic_class, cm.traffic_class);
        assert_eq!(parsed.hop_limit, cm.hop_limit);
        if cm.src.is_some() || cm.if_index != 0 {
            assert_eq!(
                parsed.dst,
                Some(cm.src.unwrap_or(core::net::Ipv6Addr::UNSPECIFIED))
            );
            assert_eq!(parsed.if_index, cm.if_index);
        } else {
            assert_eq!(parsed.dst, None);
            assert_eq!(parsed.if_index, 0);
        }
        // Send-only and receive-only fields do not come back.
        assert_eq!((parsed.src, parsed.next_hop, parsed.mtu), (None, None, 0));
    }
);
