//! Rows over the pure codecs: truncated, overlong and malformed bytes, and
//! output buffers too small, for every platform's layout.

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::cmsg::Writer;
use ipv6_core::control::Decoded;
use ipv6_core::exthdr::{ChainEnd, ExtHeaders, FragmentView};
use ipv6_core::option::{self, Encoded, MAX_OPTION_LEN, ValueKind};
use ipv6_core::platform::{ControlType, Endian, IPPROTO_IPV6};
use ipv6_core::{
    ControlMessage, Error, Group, Header, HeaderView, IcmpFilter, InvalidArgument, Operation,
    OptionValue, Platform, SocketOption, WireError, sockaddr,
};

use super::harness::Table;

/// Every platform, named for the rows; in `Platform::ALL`'s order, which
/// `rows` asserts, so a new platform cannot be left out.
const PLATFORMS: [(&str, Platform); 8] = [
    ("linux64", Platform::LINUX_64),
    ("linux32", Platform::LINUX_32),
    ("freebsd64", Platform::FREEBSD_64),
    ("netbsd64", Platform::NETBSD_64),
    ("openbsd64", Platform::OPENBSD_64),
    ("darwin", Platform::DARWIN),
    ("dragonfly64", Platform::DRAGONFLY_64),
    ("illumos64", Platform::ILLUMOS_64),
];

pub fn rows(t: &mut Table) {
    assert_eq!(
        PLATFORMS.map(|(_, p)| p),
        Platform::ALL,
        "PLATFORMS must name every platform, in Platform::ALL's order"
    );
    header(t);
    ext_headers(t);
    for (name, p) in PLATFORMS {
        control_parse(t, name, &p);
        control_marshal(t, name, &p);
        cmsg_writer(t, name, &p);
        sockaddrs(t, name, &p);
        icmp_filter(t, name, &p);
        options(t, name, &p);
    }
    platform_check(t);
}

fn truncated(needed: usize, available: usize) -> WireError {
    WireError::Truncated { needed, available }
}

fn too_small(needed: usize, available: usize) -> WireError {
    WireError::BufferTooSmall { needed, available }
}

/// Go's header test vector: `ver=6 tclass=0x98 flowlbl=0xbeef1
/// payloadlen=51966 nxthdr=44 hoplim=1 src=2001:db8:1::1 dst=2001:db8:2::1`.
const GOLDEN: [u8; 40] = [
    0x69, 0x8b, 0xee, 0xf1, 0xca, 0xfe, 0x2c, 0x01, //
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, //
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
];

fn golden_header() -> Header {
    Header {
        version: 6,
        traffic_class: 0x98,
        flow_label: 0xbeef1,
        payload_len: 51966,
        next_header: 44,
        hop_limit: 1,
        src: Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1),
        dst: Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1),
    }
}

/// `GOLDEN` followed by `tail` bytes of 0xff.
fn golden_with_tail(tail: usize) -> Vec<u8> {
    let mut bytes = GOLDEN.to_vec();
    bytes.resize(GOLDEN.len() + tail, 0xff);
    bytes
}

fn header(t: &mut Table) {
    for len in [0, 1, 39] {
        t.check(
            format!("Header::parse({len} bytes)"),
            Err(truncated(40, len)),
            || Header::parse(&GOLDEN[..len]),
        );
        t.check(
            format!("HeaderView::new_checked({len} bytes)"),
            Err(truncated(40, len)),
            || HeaderView::new_checked(&GOLDEN[..len]).map(drop),
        );
    }
    for tail in [1, 1460] {
        let bytes = golden_with_tail(tail);
        t.check(
            format!("Header::parse(40 + {tail} bytes) ignores the tail"),
            Ok(golden_header()),
            || Header::parse(&bytes),
        );
        t.row(
            format!(
                "HeaderView::new_checked(40 + {tail} bytes) reads the header, payload to the end"
            ),
            || {
                let view = HeaderView::new_checked(&bytes[..]).unwrap();
                assert_eq!(Header::from_view(&view), golden_header());
                // The payload length (51966) is past the end: the payload stops there.
                assert_eq!(view.payload(), &bytes[40..]);
            },
        );
    }
    t.row("HeaderView: bytes past payload_len are not payload", || {
        let mut bytes = golden_with_tail(100);
        bytes[4..6].copy_from_slice(&4u16.to_be_bytes());
        let view = HeaderView::new_checked(&bytes[..]).unwrap();
        assert_eq!(view.payload(), &[0xff; 4]);
    });
    for (len, expected) in [
        (0, Err(too_small(40, 0))),
        (39, Err(too_small(40, 39))),
        (41, Ok(40)),
    ] {
        t.row(format!("Header::emit into {len} bytes"), || {
            let mut backing = [0xa5u8; 64];
            let result = golden_header().emit(&mut backing[..len]);
            assert_eq!(result, expected);
            match result {
                Ok(_) => assert_eq!(backing[..40], GOLDEN),
                Err(_) => assert_eq!(backing[..40], [0xa5; 40], "wrote into the buffer"),
            }
            assert_eq!(backing[40..], [0xa5; 24], "wrote past the header");
        });
    }
    for (what, header) in [
        (
            "version 16",
            Header {
                version: 16,
                ..golden_header()
            },
        ),
        (
            "flow label 2^20",
            Header {
                flow_label: 1 << 20,
                ..golden_header()
            },
        ),
    ] {
        t.row(format!("Header::emit with {what}"), || {
            let mut backing = [0xa5u8; 40];
            assert_eq!(header.emit(&mut backing), Err(WireError::ValueOutOfRange));
            assert_eq!(backing, [0xa5; 40], "wrote a refused header");
        });
    }
}

fn overrun(offset: usize, needed: usize, available: usize) -> WireError {
    WireError::ExtHeaderOverrun {
        offset,
        needed,
        available,
    }
}

/// What is walked, the first header's protocol, the bytes, the outcome.
type WalkCase = (&'static str, u8, Vec<u8>, Result<ChainEnd, WireError>);

fn ext_headers(t: &mut Table) {
    const DST_OPTS: u8 = 60;
    const UDP: u8 = 17;
    let padded = |next: u8| [next, 0, 1, 4, 0, 0, 0, 0];
    let cases: [WalkCase; 12] = [
        ("no bytes", DST_OPTS, vec![], Err(overrun(0, 8, 0))),
        (
            "length byte missing",
            DST_OPTS,
            vec![UDP],
            Err(overrun(0, 8, 1)),
        ),
        (
            "7 of 8 bytes",
            DST_OPTS,
            vec![UDP, 0, 1, 4, 0, 0, 0],
            Err(overrun(0, 8, 7)),
        ),
        (
            "length 16, 8 bytes",
            DST_OPTS,
            vec![UDP, 1, 1, 4, 0, 0, 0, 0],
            Err(overrun(0, 16, 8)),
        ),
        (
            "length 2048, 8 bytes",
            DST_OPTS,
            vec![UDP, 255, 1, 4, 0, 0, 0, 0],
            Err(overrun(0, 2048, 8)),
        ),
        // Authentication counts 4-octet units, plus 2.
        (
            "AH length 12, 8 bytes",
            51,
            vec![UDP, 1, 0, 0, 0, 0, 0, 0],
            Err(overrun(0, 12, 8)),
        ),
        (
            "Fragment of 7 bytes",
            44,
            vec![UDP, 0, 0, 0, 0, 0, 0],
            Err(overrun(0, 8, 7)),
        ),
        (
            "second header overruns",
            DST_OPTS,
            [&padded(DST_OPTS)[..], &[UDP, 0, 1]].concat(),
            Err(overrun(8, 8, 3)),
        ),
        (
            "Hop-by-Hop after the first header",
            DST_OPTS,
            [padded(0), padded(UDP)].concat(),
            Err(WireError::MisplacedHopByHop { offset: 8 }),
        ),
        (
            "non-first fragment: garbage after it is not walked",
            44,
            [&[DST_OPTS, 0, 0, 8, 1, 2, 3, 4][..], &[0xff; 3]].concat(),
            Ok(ChainEnd::FragmentData {
                next_header: DST_OPTS,
                offset: 8,
            }),
        ),
        (
            "ESP: encrypted bytes are not walked",
            50,
            vec![0xff; 5],
            Ok(ChainEnd::UpperLayer {
                protocol: 50,
                offset: 0,
            }),
        ),
        (
            "No Next Header: trailing garbage ignored",
            59,
            vec![0xff; 3],
            Ok(ChainEnd::UpperLayer {
                protocol: 59,
                offset: 0,
            }),
        ),
    ];
    for (what, next, bytes, expected) in cases {
        t.check(format!("ExtHeaders: {what}"), expected, || {
            ExtHeaders::new(next, &bytes).finish()
        });
    }
    t.row("ExtHeaders: nothing after an error", || {
        let bytes = [UDP, 1];
        let mut walk = ExtHeaders::new(DST_OPTS, &bytes);
        assert_eq!(walk.next(), Some(Err(overrun(0, 16, 2))));
        assert_eq!(walk.next(), None);
        assert_eq!(walk.end(), None);
    });
    t.row(
        "HeaderView::ext_headers: overrun inside the payload",
        || {
            let mut bytes = GOLDEN.to_vec();
            bytes[4..6].copy_from_slice(&8u16.to_be_bytes());
            bytes[6] = DST_OPTS;
            bytes.extend([UDP, 1, 1, 4, 0, 0, 0, 0]);
            let view = HeaderView::new_checked(&bytes[..]).unwrap();
            assert_eq!(view.ext_headers().finish(), Err(overrun(0, 16, 8)));
        },
    );
    for len in [0, 7] {
        t.check(
            format!("FragmentView::new_checked({len} bytes)"),
            Err(truncated(8, len)),
            || FragmentView::new_checked(&[0u8; 8][..len]).map(drop),
        );
    }
}

/// Writes `v` as a `width`-byte integer in `p`'s byte order (independently
/// of the codecs under test).
fn put(p: &Platform, buf: &mut [u8], width: usize, v: u64) {
    match p.endian {
        Endian::Little => buf[..width].copy_from_slice(&v.to_le_bytes()[..width]),
        Endian::Big => buf[..width].copy_from_slice(&v.to_be_bytes()[8 - width..]),
    }
}

/// Reads a `width`-byte integer in `p`'s byte order.
fn get(p: &Platform, buf: &[u8], width: usize) -> u64 {
    let mut bytes = [0u8; 8];
    match p.endian {
        Endian::Little => {
            bytes[..width].copy_from_slice(&buf[..width]);
            u64::from_le_bytes(bytes)
        }
        Endian::Big => {
            bytes[8 - width..].copy_from_slice(&buf[..width]);
            u64::from_be_bytes(bytes)
        }
    }
}

/// One control record: a header claiming `cmsg_len`, then `data`, then
/// zero padding up to `CMSG_SPACE(data.len())`.
fn record(p: &Platform, level: i32, kind: i32, data: &[u8], cmsg_len: u64) -> Vec<u8> {
    let c = p.cmsg_layout;
    let mut r = vec![0u8; c.space(data.len())];
    put(p, &mut r, c.len_size, cmsg_len);
    put(p, &mut r[c.len_size..], 4, u64::from(level as u32));
    put(p, &mut r[c.len_size + 4..], 4, u64::from(kind as u32));
    r[c.data_offset()..][..data.len()].copy_from_slice(data);
    r
}

/// A well-formed IPv6-level record of `kind` carrying `data`.
fn ipv6_record(p: &Platform, kind: ControlType, data: &[u8]) -> Vec<u8> {
    let kind = p.cmsg_type(kind).unwrap();
    record(
        p,
        IPPROTO_IPV6,
        kind,
        data,
        p.cmsg_layout.len(data.len()) as u64,
    )
}

fn int(p: &Platform, v: i32) -> [u8; 4] {
    let mut b = [0u8; 4];
    put(p, &mut b, 4, u64::from(v as u32));
    b
}

fn hop_limit(p: &Platform, hops: i32) -> Vec<u8> {
    ipv6_record(p, ControlType::HopLimit, &int(p, hops))
}

fn hops(h: u8) -> ControlMessage {
    ControlMessage {
        hop_limit: Some(h),
        ..ControlMessage::default()
    }
}

/// The framing error the walk must report on reading a `cmsg_len` at
/// `offset` of `buf` (the construction guarantees a header's worth of
/// bytes there).
fn framing_error(p: &Platform, buf: &[u8], offset: usize) -> WireError {
    let available = buf.len() - offset;
    let raw = get(p, &buf[offset..], p.cmsg_layout.len_size);
    let cmsg_len = usize::try_from(raw).unwrap_or(usize::MAX);
    if cmsg_len < p.cmsg_layout.data_offset() {
        WireError::CmsgLenTooSmall { offset, cmsg_len }
    } else {
        assert!(cmsg_len > available, "the construction gave a valid record");
        WireError::CmsgLenOverrun {
            offset,
            cmsg_len,
            available,
        }
    }
}

fn control_parse(t: &mut Table, name: &str, p: &Platform) {
    let c = p.cmsg_layout;
    let h = c.data_offset();
    let hop = hop_limit(p, 64);
    let with_len = |len: u64| {
        let mut r = hop.clone();
        put(p, &mut r, c.len_size, len);
        r
    };
    let mut cases: Vec<(String, Vec<u8>, Result<ControlMessage, WireError>)> = vec![
        ("empty".into(), vec![], Ok(ControlMessage::default())),
        (
            "cmsg_len 0".into(),
            with_len(0),
            Err(WireError::CmsgLenTooSmall {
                offset: 0,
                cmsg_len: 0,
            }),
        ),
        (
            "cmsg_len one short of the header".into(),
            with_len(h as u64 - 1),
            Err(WireError::CmsgLenTooSmall {
                offset: 0,
                cmsg_len: h - 1,
            }),
        ),
        (
            "cmsg_len one past the end".into(),
            with_len(hop.len() as u64 + 1),
            Err(WireError::CmsgLenOverrun {
                offset: 0,
                cmsg_len: hop.len() + 1,
                available: hop.len(),
            }),
        ),
        (
            "cmsg_len all ones".into(),
            with_len(u64::MAX >> (64 - 8 * c.len_size)),
            Err(WireError::CmsgLenOverrun {
                offset: 0,
                cmsg_len: usize::try_from(u64::MAX >> (64 - 8 * c.len_size)).unwrap_or(usize::MAX),
                available: hop.len(),
            }),
        ),
        (
            "cmsg_len 0 in the second record".into(),
            [hop.clone(), with_len(0)].concat(),
            Err(WireError::CmsgLenTooSmall {
                offset: hop.len(),
                cmsg_len: 0,
            }),
        ),
        (
            "a header's worth minus one of trailing bytes".into(),
            [hop.clone(), vec![0xff; h - 1]].concat(),
            Ok(hops(64)),
        ),
        (
            "only a partial header".into(),
            vec![0xff; h - 1],
            Ok(ControlMessage::default()),
        ),
        (
            "last record without its padding".into(),
            hop[..c.len(4)].to_vec(),
            Ok(hops(64)),
        ),
        (
            "record after an odd-length one, aligned".into(),
            [
                ipv6_record(p, ControlType::TrafficClass, &[0xaa]),
                hop.clone(),
            ]
            .concat(),
            // Darwin may deliver a one-byte traffic class (quinn-udp's
            // Apple case): read there, skipped as too short elsewhere.
            Ok(ControlMessage {
                traffic_class: p.byte_traffic_class.then_some(0xaa),
                ..hops(64)
            }),
        ),
        (
            "duplicate records: the last wins".into(),
            [hop_limit(p, 1), hop.clone()].concat(),
            Ok(hops(64)),
        ),
        (
            "unknown level skipped".into(),
            [
                record(
                    p,
                    0,
                    p.cmsg_type(ControlType::HopLimit).unwrap(),
                    &int(p, 9),
                    c.len(4) as u64,
                ),
                hop.clone(),
            ]
            .concat(),
            Ok(hops(64)),
        ),
        (
            "unknown IPv6 type skipped".into(),
            [
                record(p, IPPROTO_IPV6, 9999, &[1; 7], c.len(7) as u64),
                hop.clone(),
            ]
            .concat(),
            Ok(hops(64)),
        ),
        (
            "send-only IPV6_NEXTHOP skipped".into(),
            ipv6_record(p, ControlType::NextHop, &vec![0; p.layouts.sockaddr_in6]),
            Ok(ControlMessage::default()),
        ),
        (
            "hop limit 256".into(),
            hop_limit(p, 256),
            Err(WireError::ValueOutOfRange),
        ),
        (
            "traffic class -1".into(),
            ipv6_record(p, ControlType::TrafficClass, &int(p, -1)),
            Err(WireError::ValueOutOfRange),
        ),
    ];
    for (kind, short) in [
        (ControlType::TrafficClass, 3),
        (ControlType::HopLimit, 0),
        (ControlType::PacketInfo, p.layouts.in6_pktinfo - 1),
        (ControlType::PathMtu, p.layouts.ip6_mtuinfo - 1),
    ] {
        cases.push((
            format!("{kind:?} with {short} data bytes skipped"),
            [ipv6_record(p, kind, &vec![0x11; short]), hop.clone()].concat(),
            Ok(hops(64)),
        ));
    }
    // An ip6_mtuinfo whose sockaddr_in6 says AF_INET (2 everywhere).
    let mut mtuinfo = vec![0u8; p.layouts.ip6_mtuinfo];
    match p.layouts.sockaddr_style {
        ipv6_core::platform::SockaddrStyle::FamilyU16 => put(p, &mut mtuinfo, 2, 2),
        ipv6_core::platform::SockaddrStyle::LenAndFamilyU8 => {
            mtuinfo[..2].copy_from_slice(&[28, 2])
        }
    }
    cases.push((
        "IPV6_PATHMTU with family AF_INET".into(),
        ipv6_record(p, ControlType::PathMtu, &mtuinfo),
        Err(WireError::BadFamily(2)),
    ));
    // A record of one data byte, and a full record straight after it
    // instead of at the aligned offset: the walk looks for the second one
    // where the alignment puts it and finds the middle of it.
    let misaligned = [
        ipv6_record(p, ControlType::TrafficClass, &[0xaa])[..h + 1].to_vec(),
        hop.clone(),
    ]
    .concat();
    let expected = Err(framing_error(p, &misaligned, c.align_up(h + 1)));
    cases.push(("second record misaligned".into(), misaligned, expected));

    for (what, bytes, expected) in cases {
        t.check(
            format!("ControlMessage::parse[{name}]: {what}"),
            expected,
            || {
                // What reads use: the same first error, or the same message
                // with nothing undecoded.
                let partial = ControlMessage::parse_partial(p, &bytes);
                let parsed = ControlMessage::parse(p, &bytes);
                match parsed {
                    Ok(message) => assert_eq!(
                        (partial.message, partial.undecoded, partial.error),
                        (message, 0, None),
                        "parse_partial disagrees"
                    ),
                    Err(e) => {
                        assert_eq!(partial.error, Some(e), "parse_partial's first error");
                        assert!(partial.undecoded >= 1, "{partial:?}");
                    }
                }
                parsed
            },
        );
    }
    control_parse_partial(t, name, p);
}

/// What `parse_partial` keeps of hostile bytes: every record that decodes,
/// the count of those that do not, and the first error.
fn control_parse_partial(t: &mut Table, name: &str, p: &Platform) {
    let c = p.cmsg_layout;
    let hop = hop_limit(p, 64);
    let tclass = |v| ipv6_record(p, ControlType::TrafficClass, &int(p, v));
    let mut zero_len = hop_limit(p, 7);
    put(p, &mut zero_len, c.len_size, 0);
    let partial = |message, undecoded, error| Decoded {
        message,
        undecoded,
        error: Some(error),
    };
    let both = ControlMessage {
        traffic_class: Some(5),
        ..hops(64)
    };
    let cases = [
        (
            "a bad value between two good records",
            [tclass(5), hop_limit(p, 300), hop.clone()].concat(),
            partial(both, 1, WireError::ValueOutOfRange),
        ),
        (
            "two bad values: both counted, the first kept",
            [tclass(-1), hop_limit(p, 256), hop.clone()].concat(),
            partial(
                ControlMessage {
                    hop_limit: Some(64),
                    ..ControlMessage::default()
                },
                2,
                WireError::ValueOutOfRange,
            ),
        ),
        (
            "a framing error ends the walk, the records before it kept",
            [hop.clone(), zero_len, tclass(5)].concat(),
            partial(
                hops(64),
                1,
                WireError::CmsgLenTooSmall {
                    offset: hop.len(),
                    cmsg_len: 0,
                },
            ),
        ),
    ];
    for (what, bytes, expected) in cases {
        t.check(
            format!("ControlMessage::parse_partial[{name}]: {what}"),
            expected,
            || ControlMessage::parse_partial(p, &bytes),
        );
    }
}

fn control_marshal(t: &mut Table, name: &str, p: &Platform) {
    let full = ControlMessage {
        traffic_class: Some(0xb8),
        hop_limit: Some(64),
        src: Some(Ipv6Addr::LOCALHOST),
        dst: None,
        if_index: 1,
        next_hop: Some(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1)),
        mtu: 0,
        dont_fragment: None,
        segment_size: None,
    };
    let c = p.cmsg_layout;
    let needed = 2 * c.space(4) + c.space(p.layouts.in6_pktinfo) + c.space(p.layouts.sockaddr_in6);
    for len in [0, needed - 1] {
        t.row(
            format!("ControlMessage::marshal[{name}] into {len} of {needed} bytes"),
            || {
                let mut backing = [0xa5u8; 512];
                assert_eq!(
                    full.marshal(p, &mut backing[..len]),
                    Err(too_small(needed, len))
                );
                assert!(
                    backing.iter().all(|&b| b == 0xa5),
                    "wrote into or past the slice"
                );
            },
        );
    }
    t.row(
        format!("ControlMessage::marshal[{name}] into exactly {needed} bytes"),
        || {
            let mut backing = [0xa5u8; 512];
            assert_eq!(full.marshal(p, &mut backing[..needed]), Ok(needed));
            assert!(
                backing[needed..].iter().all(|&b| b == 0xa5),
                "wrote past the slice"
            );
        },
    );
    // A hand-made layout whose records exceed what to_bytes can hold.
    let oversized = Platform {
        cmsg_layout: ipv6_core::platform::CmsgLayout {
            header_len: 64,
            ..c
        },
        ..*p
    };
    let o = oversized.cmsg_layout;
    let oversized_needed =
        2 * o.space(4) + o.space(p.layouts.in6_pktinfo) + o.space(p.layouts.sockaddr_in6);
    t.check(
        format!("ControlMessage::to_bytes[{name}] with 64-byte cmsghdrs"),
        Err(too_small(oversized_needed, ipv6_core::control::MAX_SPACE)),
        || full.to_bytes(&oversized).map(drop),
    );
    t.check(
        format!("ControlMessage::marshal[{name}]: nothing to send into 0 bytes"),
        Ok(0),
        || {
            // Receive-only fields are not sent.
            let received = ControlMessage {
                dst: Some(Ipv6Addr::LOCALHOST),
                mtu: 1280,
                ..ControlMessage::default()
            };
            received.marshal(p, &mut [])
        },
    );
}

fn cmsg_writer(t: &mut Table, name: &str, p: &Platform) {
    t.row(
        format!("cmsg::Writer[{name}]: append of usize::MAX bytes"),
        || {
            let mut backing = [0xa5u8; 64];
            let mut writer = Writer::new(p, &mut backing);
            assert_eq!(
                writer.append(IPPROTO_IPV6, 1, usize::MAX).map(drop),
                Err(too_small(usize::MAX, 64))
            );
            assert!(writer.is_empty());
            assert!(backing.iter().all(|&b| b == 0xa5));
        },
    );
    t.row(format!("cmsg::Writer[{name}]: push one byte short"), || {
        let space = p.cmsg_layout.space(4);
        let mut backing = [0xa5u8; 64];
        let mut writer = Writer::new(p, &mut backing[..space - 1]);
        assert_eq!(
            writer.push(IPPROTO_IPV6, 1, &[1; 4]),
            Err(too_small(space, space - 1))
        );
        assert_eq!(writer.len(), 0);
        assert!(backing.iter().all(|&b| b == 0xa5));
    });
}

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn sockaddrs(t: &mut Table, name: &str, p: &Platform) {
    let l = p.layouts;
    let addr = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 1);
    // 28 bytes, 32 on illumos.
    let n = l.sockaddr_in6;
    let mut good = vec![0u8; n];
    sockaddr::encode_sockaddr_in6(p, &addr, &mut good).unwrap();
    let mut inet = good.clone();
    match l.sockaddr_style {
        ipv6_core::platform::SockaddrStyle::FamilyU16 => put(p, &mut inet, 2, 2),
        ipv6_core::platform::SockaddrStyle::LenAndFamilyU8 => inet[1] = 2,
    }
    let mut unspec = good.clone();
    unspec[..2].fill(0);
    let decode = |what: &str, bytes: Vec<u8>, expected| {
        (
            format!("decode_sockaddr_in6[{name}]: {what}"),
            bytes,
            expected,
        )
    };
    for (row, bytes, expected) in [
        decode("0 bytes", vec![], Err(truncated(n, 0))),
        decode(
            &format!("{} bytes", n - 1),
            good[..n - 1].to_vec(),
            Err(truncated(n, n - 1)),
        ),
        decode(
            "family AF_INET",
            inet.to_vec(),
            Err(WireError::BadFamily(2)),
        ),
        decode("family 0", unspec.to_vec(), Err(WireError::BadFamily(0))),
        decode(
            &format!("{} bytes: the tail is ignored", n + 1),
            [&good[..], &[0xff]].concat(),
            Ok(addr),
        ),
    ] {
        t.check(row, expected, || sockaddr::decode_sockaddr_in6(p, &bytes));
    }
    let mut mtuinfo = vec![0u8; l.ip6_mtuinfo];
    mtuinfo[..n].copy_from_slice(&inet);
    t.check(
        format!("decode_ip6_mtuinfo[{name}]: one byte short"),
        Err(truncated(l.ip6_mtuinfo, l.ip6_mtuinfo - 1)),
        || sockaddr::decode_ip6_mtuinfo(p, &mtuinfo[..l.ip6_mtuinfo - 1]),
    );
    t.check(
        format!("decode_ip6_mtuinfo[{name}]: family AF_INET"),
        Err(WireError::BadFamily(2)),
        || sockaddr::decode_ip6_mtuinfo(p, &mtuinfo),
    );
    t.check(
        format!("decode_int[{name}]: 3 bytes"),
        Err(truncated(4, 3)),
        || sockaddr::decode_int(p, &[1, 2, 3]),
    );

    type Encode = fn(&Platform, &mut [u8]) -> Result<usize, WireError>;
    let encoders: [(&str, usize, Encode); 6] = [
        ("encode_sockaddr_in6", l.sockaddr_in6, |p, b| {
            let addr = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 1);
            sockaddr::encode_sockaddr_in6(p, &addr, b)
        }),
        ("encode_int", 4, |p, b| sockaddr::encode_int(p, -1, b)),
        ("encode_ipv6_mreq", l.ipv6_mreq, |p, b| {
            sockaddr::encode_ipv6_mreq(p, 1, ALL_NODES, b)
        }),
        ("encode_group_req", l.group_req, |p, b| {
            sockaddr::encode_group_req(p, 1, ALL_NODES, b)
        }),
        ("encode_group_source_req", l.group_source_req, |p, b| {
            let source = Ipv6Addr::LOCALHOST;
            sockaddr::encode_group_source_req(p, 1, ALL_NODES, source, b)
        }),
        ("encode_ip6_mtuinfo", l.ip6_mtuinfo, |p, b| {
            let addr = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 1);
            sockaddr::encode_ip6_mtuinfo(p, &addr, 1280, b)
        }),
    ];
    for (what, len, encode) in encoders {
        t.row(format!("{what}[{name}] into one byte short"), || {
            // OpenBSD's group_source_req is 520 bytes (two 256-byte
            // sockaddr_storage).
            let mut backing = vec![0xa5u8; len + 16];
            assert_eq!(
                encode(p, &mut backing[..len - 1]),
                Err(too_small(len, len - 1))
            );
            assert!(
                backing.iter().all(|&b| b == 0xa5),
                "wrote into a refused buffer"
            );
        });
    }
}

fn icmp_filter(t: &mut Table, name: &str, p: &Platform) {
    for len in [0, 1, 31] {
        t.check(
            format!("IcmpFilter::from_bytes[{name}]: {len} bytes"),
            Err(truncated(32, len)),
            || IcmpFilter::from_bytes(p, &[0u8; 32][..len]),
        );
    }
    // All-zero words block nothing where a set bit blocks, everything
    // where a set bit passes; the 33rd byte is not read.
    let zeros_then_ff = [&[0u8; 32][..], &[0xff]].concat();
    let expected = match p.filter_polarity {
        ipv6_core::platform::FilterPolarity::SetBlocks => IcmpFilter::PASS_ALL,
        ipv6_core::platform::FilterPolarity::SetPasses => IcmpFilter::BLOCK_ALL,
    };
    t.check(
        format!("IcmpFilter::from_bytes[{name}]: 33 bytes, the tail ignored"),
        Ok(expected),
        || IcmpFilter::from_bytes(p, &zeros_then_ff),
    );
}

/// The option codec backends share: values of the wrong kind, options in
/// the wrong direction or missing on the platform, buffers too small and
/// bytes too short, each refused with its typed error naming the operation.
fn options(t: &mut Table, name: &str, p: &Platform) {
    use SocketOption as O;
    let set = Operation::Set;
    let get = Operation::Get;
    let group = Group {
        interface: 1,
        group: ALL_NODES,
    };
    t.check(
        format!("option::encode[{name}]: HopLimit with a Bool"),
        Err(Error::InvalidArgument(
            set(O::HopLimit),
            InvalidArgument::ValueKind {
                expected: ValueKind::Int,
                given: ValueKind::Bool,
            },
        )),
        || option::encode(p, O::HopLimit, &OptionValue::Bool(true), &mut [0; 8]).map(drop),
    );
    t.check(
        format!("option::encode[{name}]: PathMtu is read only"),
        Err(Error::InvalidArgument(
            set(O::PathMtu),
            InvalidArgument::NotWritable(O::PathMtu),
        )),
        || option::encode(p, O::PathMtu, &OptionValue::Mtu(1280), &mut [0; 64]).map(drop),
    );
    t.check(
        format!("option::decode[{name}]: JoinGroup is write only"),
        Err(Error::InvalidArgument(
            get(O::JoinGroup),
            InvalidArgument::NotReadable(O::JoinGroup),
        )),
        || option::decode(p, O::JoinGroup, &[0; 136]),
    );
    let len = p.option_len(O::JoinGroup);
    t.row(
        format!("option::encode[{name}]: JoinGroup into one byte short"),
        || {
            let mut backing = [0xa5u8; MAX_OPTION_LEN];
            let value = OptionValue::Membership(group);
            assert_eq!(
                option::encode(p, O::JoinGroup, &value, &mut backing[..len - 1]),
                Err(Error::Wire(set(O::JoinGroup), too_small(len, len - 1)))
            );
            assert!(
                backing.iter().all(|&b| b == 0xa5),
                "wrote into a refused buffer"
            );
            let encoded = option::encode(p, O::JoinGroup, &value, &mut backing[..len]);
            assert!(matches!(encoded, Ok((_, Encoded::Bytes(b))) if b.len() == len));
        },
    );
    // Where the OS has no source-specific API the table refuses it.
    let source = OptionValue::SourceMembership {
        group,
        source: Ipv6Addr::LOCALHOST,
    };
    let has_ssm = p.sockopt(O::JoinSourceGroup).is_some();
    t.check(
        format!("option::encode[{name}]: JoinSourceGroup"),
        if has_ssm {
            Ok(p.option_len(O::JoinSourceGroup))
        } else {
            Err(Error::Unsupported(set(O::JoinSourceGroup)))
        },
        || {
            let mut backing = [0u8; MAX_OPTION_LEN];
            match option::encode(p, O::JoinSourceGroup, &source, &mut backing)? {
                (row, Encoded::Bytes(b)) => {
                    assert_eq!(Some(row), p.sockopt(O::JoinSourceGroup));
                    Ok(b.len())
                }
                (_, Encoded::Program(_)) => panic!("a membership encoded as a program"),
            }
        },
    );
    let mtuinfo = p.layouts.ip6_mtuinfo;
    for (option, bytes, needed) in [
        (O::TrafficClass, 3, 4),
        (O::MulticastLoopback, 0, 4),
        (O::IcmpFilter, 31, 32),
        (O::PathMtu, mtuinfo - 1, mtuinfo),
    ] {
        t.check(
            format!("option::decode[{name}]: {option:?} from {bytes} bytes"),
            Err(Error::Wire(get(option), truncated(needed, bytes))),
            || option::decode(p, option, &vec![0; bytes]),
        );
    }
    t.check(
        format!("sockaddr::decode_mtu[{name}]: one byte short"),
        Err(truncated(mtuinfo, mtuinfo - 1)),
        || sockaddr::decode_mtu(p, &vec![0; mtuinfo - 1]),
    );
    t.row(format!("IcmpFilter::encode[{name}] into 31 bytes"), || {
        let mut backing = [0xa5u8; 32];
        assert_eq!(
            IcmpFilter::BLOCK_ALL.encode(p, &mut backing[..31]),
            Err(too_small(32, 31))
        );
        assert!(
            backing.iter().all(|&b| b == 0xa5),
            "wrote into a refused buffer"
        );
    });
}

/// `Platform::check` on hand-made layouts that do not add up.
fn platform_check(t: &mut Table) {
    let mut align = Platform::LINUX_64;
    align.cmsg_layout.align = 6;
    let mut len = Platform::LINUX_32;
    len.cmsg_layout.len_size = 2;
    let mut short = Platform::DARWIN;
    short.cmsg_layout.header_len = 8;
    let mut group = Platform::OPENBSD_64;
    group.layouts.group_source_req = 264;
    for (what, platform, expected) in [
        (
            "cmsg align 6",
            align,
            "cmsg alignment is not a power of two",
        ),
        (
            "cmsg_len of 2 bytes",
            len,
            "cmsg_len is neither 4 nor 8 bytes",
        ),
        (
            "an 8-byte cmsghdr",
            short,
            "cmsghdr is shorter than its three fields",
        ),
        (
            "OpenBSD's group_source_req of Linux's size",
            group,
            "group_source_req is not its index, padding and two sockaddr_storage",
        ),
    ] {
        t.check(format!("Platform::check: {what}"), Err(expected), || {
            platform.check()
        });
    }
    t.row("Platform::check: every named platform", || {
        for p in Platform::ALL {
            assert_eq!(p.check(), Ok(()), "{p:?}");
        }
    });
}
