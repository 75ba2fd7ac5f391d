//! Golden byte vectors for the control records beyond Go: `IPV6_DONTFRAG`,
//! `UDP_SEGMENT` and `UDP_GRO` (level `SOL_UDP`), and the traffic class as
//! each OS delivers it, split into DSCP and ECN.
//!
//! Derived from the same C macros as `golden_control.rs` (`CMSG_LEN`,
//! `CMSG_SPACE` of each platform), with the type numbers of the platform
//! tables: Linux `IPV6_DONTFRAG` 62, `UDP_SEGMENT` 103, `UDP_GRO` 104 at
//! `SOL_UDP` 17 (`<linux/in6.h>`, `<linux/udp.h>`; libc `linux_like`); the
//! BSDs and Darwin `IPV6_DONTFRAG` 62 (libc `bsd/mod.rs`); illumos 0x21
//! (libc `solarish/mod.rs`). `UDP_SEGMENT` is a `uint16_t`
//! (`udp_cmsg_send`), `UDP_GRO` an `int` (`udp_cmsg_recv`).

use ipv6_core::platform::{ControlType, Endian, Platform};
use ipv6_core::{ControlMessage, Dscp, Ecn};

fn gso_dontfrag() -> ControlMessage {
    ControlMessage {
        dont_fragment: Some(true),
        segment_size: Some(1200),
        ..ControlMessage::default()
    }
}

#[rustfmt::skip]
const LINUX_64_SEND: [u8; 48] = [
    // IPV6_DONTFRAG = 1: cmsg_len 20, level 41, type 62
    0x14, 0, 0, 0, 0, 0, 0, 0, 0x29, 0, 0, 0, 0x3e, 0, 0, 0,
    0x01, 0, 0, 0, 0, 0, 0, 0,
    // UDP_SEGMENT = 1200: cmsg_len 18, level 17 (SOL_UDP), type 103
    0x12, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0, 0x67, 0, 0, 0,
    0xb0, 0x04, 0, 0, 0, 0, 0, 0,
];

#[rustfmt::skip]
const LINUX_32_SEND: [u8; 32] = [
    0x10, 0, 0, 0, 0x29, 0, 0, 0, 0x3e, 0, 0, 0, 0x01, 0, 0, 0,
    // cmsg_len 14 = CMSG_LEN(2), then two bytes of padding.
    0x0e, 0, 0, 0, 0x11, 0, 0, 0, 0x67, 0, 0, 0, 0xb0, 0x04, 0, 0,
];

/// The 64-bit BSDs: no `UDP_SEGMENT`, so only `IPV6_DONTFRAG`.
#[rustfmt::skip]
const BSD_64_SEND: [u8; 24] = [
    0x14, 0, 0, 0, 0x29, 0, 0, 0, 0x3e, 0, 0, 0, 0, 0, 0, 0,
    0x01, 0, 0, 0, 0, 0, 0, 0,
];

#[rustfmt::skip]
const DARWIN_SEND: [u8; 16] = [0x10, 0, 0, 0, 0x29, 0, 0, 0, 0x3e, 0, 0, 0, 0x01, 0, 0, 0];

#[rustfmt::skip]
const ILLUMOS_SEND: [u8; 16] = [0x10, 0, 0, 0, 0x29, 0, 0, 0, 0x21, 0, 0, 0, 0x01, 0, 0, 0];

#[test]
fn dontfrag_and_gso_marshal_to_golden_bytes_per_platform() {
    let m = gso_dontfrag();
    let cases: [(Platform, &[u8]); 8] = [
        (Platform::LINUX_64, &LINUX_64_SEND),
        (Platform::LINUX_32, &LINUX_32_SEND),
        (Platform::FREEBSD_64, &BSD_64_SEND),
        (Platform::NETBSD_64, &BSD_64_SEND),
        (Platform::OPENBSD_64, &BSD_64_SEND),
        (Platform::DRAGONFLY_64, &BSD_64_SEND),
        (Platform::DARWIN, &DARWIN_SEND),
        (Platform::ILLUMOS_64, &ILLUMOS_SEND),
    ];
    for (p, golden) in cases {
        assert_eq!(&m.to_bytes(&p).unwrap()[..], golden, "{:?}", p.os);
        // Only Linux has GSO; everywhere else the record is left out and
        // `PacketConn` refuses the send (see the conn tests).
        assert_eq!(
            p.cmsg(ControlType::UdpSegment).is_some(),
            p == Platform::LINUX_64 || p == Platform::LINUX_32
        );
    }
}

#[test]
fn gso_segment_size_is_a_host_order_u16() {
    let p = Platform::LINUX_64.with_endian(Endian::Big);
    let bytes = ControlMessage {
        segment_size: Some(1200),
        ..ControlMessage::default()
    }
    .to_bytes(&p)
    .unwrap();
    assert_eq!(
        &bytes[..16],
        &[0, 0, 0, 0, 0, 0, 0, 0x12, 0, 0, 0, 0x11, 0, 0, 0, 0x67]
    );
    assert_eq!(&bytes[16..18], &[0x04, 0xb0]);
}

#[rustfmt::skip]
const LINUX_64_GRO_1200: [u8; 24] = [
    // UDP_GRO: cmsg_len 20, level 17, type 104, int 1200
    0x14, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0, 0x68, 0, 0, 0,
    0xb0, 0x04, 0, 0, 0, 0, 0, 0,
];

#[test]
fn gro_segment_size_is_parsed_at_level_sol_udp() {
    let got = ControlMessage::parse(&Platform::LINUX_64, &LINUX_64_GRO_1200).unwrap();
    assert_eq!(got.segment_size, Some(1200));
    // The same type number at IPPROTO_IPV6 is another record (IPV6_* 104
    // does not exist): it is skipped, not read as a segment size.
    let mut wrong_level = LINUX_64_GRO_1200;
    wrong_level[8] = 0x29;
    assert_eq!(
        ControlMessage::parse(&Platform::LINUX_64, &wrong_level),
        Ok(ControlMessage::default())
    );
    // A segment size no kernel reports is refused, not truncated.
    let mut huge = LINUX_64_GRO_1200;
    huge[18] = 1; // 0x104b0
    assert!(ControlMessage::parse(&Platform::LINUX_64, &huge).is_err());
}

/// `IPV6_TCLASS` as each OS delivers it: an `int` everywhere, and on Darwin
/// also one byte (`CMSG_LEN(1)` = 13) for the traffic class of an IPv4
/// packet on a dual-stack socket.
#[test]
fn traffic_class_of_every_width_splits_into_dscp_and_ecn() {
    #[rustfmt::skip]
    let cases: [(Platform, &[u8], Option<u8>); 7] = [
        // Linux x86_64: int 0xba (EF, ECT(0)).
        (Platform::LINUX_64,
         &[0x14, 0, 0, 0, 0, 0, 0, 0, 0x29, 0, 0, 0, 0x43, 0, 0, 0, 0xba, 0, 0, 0, 0, 0, 0, 0],
         Some(0xba)),
        // Linux s390x (big endian): int 0x03 (CS0, CE).
        (Platform::LINUX_64.with_endian(Endian::Big),
         &[0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x29, 0, 0, 0, 0x43, 0, 0, 0, 0x03, 0, 0, 0, 0],
         Some(0x03)),
        // FreeBSD: int 0x01 (CS0, ECT(1)).
        (Platform::FREEBSD_64,
         &[0x14, 0, 0, 0, 0x29, 0, 0, 0, 0x3d, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0],
         Some(0x01)),
        // Darwin: int 0xb8 (EF, Not-ECT).
        (Platform::DARWIN,
         &[0x10, 0, 0, 0, 0x29, 0, 0, 0, 0x24, 0, 0, 0, 0xb8, 0, 0, 0],
         Some(0xb8)),
        // Darwin: one byte 0xb9 (EF, ECT(1)), padded to 16.
        (Platform::DARWIN,
         &[0x0d, 0, 0, 0, 0x29, 0, 0, 0, 0x24, 0, 0, 0, 0xb9, 0, 0, 0],
         Some(0xb9)),
        // FreeBSD never writes one byte: such a record is too short and skipped.
        (Platform::FREEBSD_64,
         &[0x11, 0, 0, 0, 0x29, 0, 0, 0, 0x3d, 0, 0, 0, 0, 0, 0, 0, 0xb9, 0, 0, 0, 0, 0, 0, 0],
         None),
        // illumos: int 0x2a (AF11, ECT(0)).
        (Platform::ILLUMOS_64,
         &[0x10, 0, 0, 0, 0x29, 0, 0, 0, 0x26, 0, 0, 0, 0x2a, 0, 0, 0],
         Some(0x2a)),
    ];
    for (p, bytes, tclass) in cases {
        let got = ControlMessage::parse(&p, bytes).unwrap();
        assert_eq!(got.traffic_class, tclass, "{:?} {:?}", p.os, p.endian);
        if let Some(t) = tclass {
            assert_eq!(got.dscp(), Some(Dscp::from_traffic_class(t)));
            assert_eq!(got.ecn(), Some(Ecn::from_traffic_class(t)));
        }
    }
    let darwin_byte = ControlMessage::parse(&Platform::DARWIN, cases[4].1).unwrap();
    assert_eq!(
        (darwin_byte.dscp(), darwin_byte.ecn()),
        (Some(Dscp::EF), Some(Ecn::Ect1))
    );
}

#[test]
fn set_dscp_ecn_marshals_the_octet() {
    let mut m = ControlMessage::default();
    m.set_dscp_ecn(Dscp::AF41, Ecn::Ce);
    assert_eq!(m.traffic_class, Some(0x8b));
    let bytes = m.to_bytes(&Platform::LINUX_64).unwrap();
    assert_eq!(bytes[16], 0x8b);
}
