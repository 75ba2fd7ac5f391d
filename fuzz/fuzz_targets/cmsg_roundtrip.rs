//! Any `ControlMessage` on any platform: marshal → parse gives back every
//! field the receive side carries, and `marshal_len` is exact.
#![no_main]

use ipv6_core::control::MAX_SPACE;
use ipv6_core::{ControlMessage, Platform};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, ControlMessage)| {
    let (selector, cm) = input;
    let platform = Platform::ALL[usize::from(selector) % Platform::ALL.len()];
    let mut buf = [0u8; MAX_SPACE];
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
});
