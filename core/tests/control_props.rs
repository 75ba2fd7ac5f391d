//! Properties of `ControlMessage::marshal`/`parse` on every platform.
//!
//! The send and receive fields differ, so the round trip is stated as what
//! the receive side reports for a marshalled message (`as_received`):
//! `traffic_class`, `hop_limit` and `if_index` come back unchanged, `src`
//! comes back as `dst` (`IPV6_PKTINFO` carries the address both ways; `::`
//! when only an interface was set), `next_hop` is not reported (`parse`
//! ignores `IPV6_NEXTHOP`, as Go does), and `src`, `mtu` stay empty, as do
//! `dont_fragment` and `segment_size` (sent as `IPV6_DONTFRAG` and
//! `UDP_SEGMENT`, which no receiver reports; `segment_size` is received
//! from `UDP_GRO`).

use core::net::Ipv6Addr;

use ipv6_core::cmsg::{Iter, Writer};
use ipv6_core::control::MAX_SPACE;
use ipv6_core::platform::{ControlType, Endian, IPPROTO_IPV6, Platform, SockaddrStyle};
use ipv6_core::{ControlMessage, WireError};
use proptest::prelude::*;

fn as_received(cm: &ControlMessage) -> ControlMessage {
    let has_pktinfo = cm.src.is_some() || cm.if_index > 0;
    ControlMessage {
        traffic_class: cm.traffic_class,
        hop_limit: cm.hop_limit,
        dst: has_pktinfo.then(|| cm.src.unwrap_or(Ipv6Addr::UNSPECIFIED)),
        if_index: cm.if_index,
        ..ControlMessage::default()
    }
}

/// A received message turned around for sending: what `parse` reported as
/// `dst` becomes `src`. Only `mtu` (receive only) is lost.
fn as_sent(cm: &ControlMessage) -> ControlMessage {
    ControlMessage {
        traffic_class: cm.traffic_class,
        hop_limit: cm.hop_limit,
        src: cm.dst,
        if_index: cm.if_index,
        ..ControlMessage::default()
    }
}

fn address() -> impl Strategy<Value = Option<Ipv6Addr>> {
    prop_oneof![
        Just(None),
        Just(Some(Ipv6Addr::UNSPECIFIED)),
        any::<[u16; 2]>().prop_map(|[a, b]| Some(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, a, b))),
        any::<u128>().prop_map(|v| Some(Ipv6Addr::from(v))),
    ]
}

fn message() -> impl Strategy<Value = ControlMessage> {
    (
        any::<Option<u8>>(),
        any::<Option<u8>>(),
        address(),
        address(),
        prop_oneof![Just(0u32), 1..4u32, any::<u32>()],
        address(),
        any::<u32>(),
        any::<Option<bool>>(),
        any::<Option<u16>>(),
    )
        .prop_map(
            |(
                traffic_class,
                hop_limit,
                src,
                dst,
                if_index,
                next_hop,
                mtu,
                dont_fragment,
                segment_size,
            )| ControlMessage {
                traffic_class,
                hop_limit,
                src,
                dst,
                if_index,
                next_hop,
                mtu,
                dont_fragment,
                segment_size,
            },
        )
}

fn platform() -> impl Strategy<Value = Platform> {
    (0..Platform::ALL.len(), any::<bool>()).prop_map(|(i, big)| {
        let p = Platform::ALL[i];
        if big { p.with_endian(Endian::Big) } else { p }
    })
}

/// A control buffer of plausible records: IPv6 or other levels, the
/// platform's types or others, data lengths around each struct's size.
fn plausible_buffer(p: Platform) -> impl Strategy<Value = Vec<u8>> {
    let kinds: Vec<(i32, i32)> = ControlType::ALL.iter().filter_map(|&t| p.cmsg(t)).collect();
    let record = (
        prop_oneof![
            4 => proptest::sample::select(kinds),
            1 => (Just(IPPROTO_IPV6), any::<i32>()),
            1 => (any::<i32>(), any::<i32>()),
        ],
        proptest::collection::vec(any::<u8>(), 0..40),
        any::<bool>(),
    );
    proptest::collection::vec(record, 0..6).prop_map(move |records| {
        let mut buf = [0u8; 6 * 64];
        let mut w = Writer::new(&p, &mut buf);
        for ((level, kind), mut data, plausible_values) in records {
            // Keep most integers and families in range so that decoding
            // gets past them, some out of range so that it does not.
            if plausible_values && data.len() >= 4 {
                data[1..4].fill(0);
                if matches!(p.endian, Endian::Big) {
                    data[..4].reverse();
                }
            }
            if plausible_values && data.len() >= 28 {
                match p.layouts.sockaddr_style {
                    SockaddrStyle::FamilyU16 => p.endian.write_u16(&mut data, p.af_inet6),
                    SockaddrStyle::LenAndFamilyU8 => data[1] = p.af_inet6 as u8,
                }
            }
            w.push(level, kind, &data).unwrap();
        }
        let n = w.len();
        buf[..n].to_vec()
    })
}

proptest! {
    #[test]
    fn parse_of_marshal_is_what_the_receiver_sees(p in platform(), cm in message()) {
        let bytes = cm.to_bytes(&p).unwrap();
        prop_assert_eq!(bytes.len(), cm.marshal_len(&p));
        prop_assert!(bytes.len() <= MAX_SPACE);
        prop_assert!(Iter::new(&p, &bytes).all(|r| r.is_ok()));
        prop_assert_eq!(ControlMessage::parse(&p, &bytes), Ok(as_received(&cm)));
    }

    #[test]
    fn marshal_writes_exactly_marshal_len_and_fails_one_byte_short(p in platform(), cm in message()) {
        let needed = cm.marshal_len(&p);
        let mut buf = [0x5au8; MAX_SPACE + 8];
        prop_assert_eq!(cm.marshal(&p, &mut buf), Ok(needed));
        prop_assert!(buf[needed..].iter().all(|&b| b == 0x5a));
        if needed > 0 {
            prop_assert_eq!(
                cm.marshal(&p, &mut buf[..needed - 1]),
                Err(WireError::BufferTooSmall { needed, available: needed - 1 })
            );
        }
    }

    /// Any bytes: no panic. What parse accepts it reports as a receiver
    /// would, so sending it back and parsing again gives the same message
    /// (less the receive-only MTU).
    #[test]
    fn parse_of_arbitrary_bytes_is_stable(p in platform(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(cm) = ControlMessage::parse(&p, &bytes) {
            check_reparse(&p, &cm)?;
        }
    }

    /// The same on buffers of well-formed records, which reach the decoders.
    #[test]
    fn parse_of_plausible_records_is_stable((p, bytes) in platform().prop_flat_map(|p| (Just(p), plausible_buffer(p)))) {
        if let Ok(cm) = ControlMessage::parse(&p, &bytes) {
            check_reparse(&p, &cm)?;
        }
    }
}

/// `parse` and `parse_partial` agree: `parse` succeeds exactly when
/// `parse_partial` met no error, with the same message, and fails with the
/// first error `parse_partial` met.
fn check_partial_agrees(p: &Platform, bytes: &[u8]) -> Result<(), TestCaseError> {
    let decoded = ControlMessage::parse_partial(p, bytes);
    match ControlMessage::parse(p, bytes) {
        Ok(cm) => {
            prop_assert_eq!(decoded.error, None);
            prop_assert_eq!(decoded.undecoded, 0);
            prop_assert_eq!(decoded.message, cm);
        }
        Err(e) => {
            prop_assert_eq!(decoded.error, Some(e));
            prop_assert!(decoded.undecoded >= 1);
        }
    }
    prop_assert!(
        decoded.message.src.is_none() && decoded.message.next_hop.is_none(),
        "parse_partial filled send-only fields"
    );
    // No more failures than records could start in the buffer.
    prop_assert!(decoded.undecoded <= bytes.len() / p.cmsg_layout.data_offset() + 1);
    Ok(())
}

/// A record header whose `cmsg_len` (1) is smaller than the header.
fn short_header(p: &Platform) -> Vec<u8> {
    let mut header = vec![0u8; p.cmsg_layout.data_offset()];
    p.endian.write_uint(&mut header, p.cmsg_layout.len_size, 1);
    header
}

proptest! {
    /// Any bytes: `parse_partial` does not panic and agrees with `parse`.
    #[test]
    fn parse_partial_of_arbitrary_bytes_agrees_with_parse(p in platform(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_partial_agrees(&p, &bytes)?;
    }

    /// The same on well-formed records, which reach the value decoders.
    #[test]
    fn parse_partial_of_plausible_records_agrees_with_parse((p, bytes) in platform().prop_flat_map(|p| (Just(p), plausible_buffer(p)))) {
        check_partial_agrees(&p, &bytes)?;
    }

    /// A framing error after good records ends the walk without losing them.
    #[test]
    fn parse_partial_keeps_the_records_before_a_framing_error(p in platform(), cm in message(), tail in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut bytes = cm.to_bytes(&p).unwrap().to_vec();
        let offset = bytes.len();
        bytes.extend(short_header(&p));
        bytes.extend(tail);
        let decoded = ControlMessage::parse_partial(&p, &bytes);
        prop_assert_eq!(decoded.message, as_received(&cm));
        prop_assert_eq!(decoded.undecoded, 1);
        prop_assert_eq!(decoded.error, Some(WireError::CmsgLenTooSmall { offset, cmsg_len: 1 }));
        check_partial_agrees(&p, &bytes)?;
    }
}

fn check_reparse(p: &Platform, cm: &ControlMessage) -> Result<(), TestCaseError> {
    prop_assert!(
        cm.src.is_none() && cm.next_hop.is_none(),
        "parse filled send-only fields"
    );
    prop_assert!(
        cm.dst.is_some() || cm.if_index == 0,
        "if_index without an address"
    );
    let again = ControlMessage::parse(p, &as_sent(cm).to_bytes(p).unwrap());
    let sendable = ControlMessage {
        mtu: 0,
        segment_size: None,
        ..*cm
    };
    prop_assert_eq!(again, Ok(sendable));
    Ok(())
}

/// The plausible-buffer strategy does reach every decoder (a guard against
/// the property above passing vacuously).
#[test]
#[cfg_attr(
    miri,
    ignore = "checks the test strategy, not the code; too slow under Miri"
)]
fn plausible_buffers_reach_every_field() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for p in Platform::ALL {
        let strategy = plausible_buffer(p);
        let mut seen = [false; 5];
        for _ in 0..400 {
            let bytes = strategy.new_tree(&mut runner).unwrap().current();
            if let Ok(cm) = ControlMessage::parse(&p, &bytes) {
                seen[0] |= cm.traffic_class.is_some();
                seen[1] |= cm.hop_limit.is_some();
                seen[2] |= cm.dst.is_some() && cm.mtu == 0;
                seen[3] |= cm.mtu != 0;
                // Only Linux has UDP_GRO.
                seen[4] |= cm.segment_size.is_some() || p.cmsg(ControlType::UdpGro).is_none();
            }
        }
        assert_eq!(seen, [true; 5], "{:?}", p.os);
    }
}

/// `Platform::HOST`, built at run time behind `black_box`, so that the
/// codecs cannot fold its layouts as they fold the constant's.
fn host_by_another_name() -> Platform {
    std::hint::black_box(Platform::HOST)
}

proptest! {
    /// The codecs agree on the constant host platform, whose layouts the
    /// compiler folds into the inlined codecs in an optimised build, and
    /// on the same platform as a run-time value, on any bytes and on
    /// plausible records.
    #[test]
    fn constant_and_run_time_platforms_agree(
        arbitrary in proptest::collection::vec(any::<u8>(), 0..200),
        plausible in plausible_buffer(Platform::HOST),
        cm in message(),
    ) {
        let general = host_by_another_name();
        for bytes in [&arbitrary, &plausible] {
            prop_assert_eq!(
                ControlMessage::parse_partial(&Platform::HOST, bytes),
                ControlMessage::parse_partial(&general, bytes)
            );
        }
        let (mut fast, mut slow) = ([0u8; MAX_SPACE], [0u8; MAX_SPACE]);
        prop_assert_eq!(
            cm.marshal(&Platform::HOST, &mut fast),
            cm.marshal(&general, &mut slow)
        );
        prop_assert_eq!(fast, slow);
    }
}
