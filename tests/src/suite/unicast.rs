//! Unicast reads and writes with control messages (Go's unicast_test.go),
//! and what the sender's control message does on the wire.

use std::net::Ipv6Addr;

use ipv6_core::{
    ControlFlags, ControlMessage, IcmpFilter, IcmpType, Operation as Op, SocketOption as O,
};

use super::sockets::{ICMPV6, Sock};
use super::topology::{Pair, any, at, ip};
use super::wire::{icmp_fields, icmp_message};
use super::{Backend, Outcome, must, must_when};
use crate::netns::Netns;

/// DiffServ AF11 with ECN "congestion experienced", as in Go's tests.
pub const TCLASS: u8 = 0x28 | 0x03;
/// Every control flag Go's tests turn on.
pub const ALL_FLAGS: ControlFlags = ControlFlags::all();
/// The flags a receiver needs to see what a sender chose.
pub const RECEIVER_FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);
/// Go's test payload.
pub const HELLO: &[u8] = b"HELLO-R-U-THERE";

/// The receive option behind each control flag (Go's mapping), in the
/// order `set_control_message` sets them.
pub const RECEIVE_OPTIONS: [(ControlFlags, O); 5] = [
    (ControlFlags::TRAFFIC_CLASS, O::ReceiveTrafficClass),
    (ControlFlags::HOP_LIMIT, O::ReceiveHopLimit),
    (ControlFlags::DST, O::ReceivePacketInfo),
    (ControlFlags::INTERFACE, O::ReceivePacketInfo),
    (ControlFlags::PATH_MTU, O::ReceivePathMtu),
];

/// The receive options behind `flags`, as the operations that set them.
pub fn receive_ops(flags: ControlFlags) -> Vec<Op> {
    let mut ops: Vec<Op> = RECEIVE_OPTIONS
        .iter()
        .filter(|(flag, _)| flags.intersects(*flag))
        .map(|&(_, option)| Op::Set(option))
        .collect();
    ops.dedup();
    ops
}

/// Turns `flags` on or off; returns whether they are now on. Where the
/// backend lacks a receive option, checks it says so and leaves every flag
/// off, so that reads go on without control data.
#[track_caller]
pub fn set_flags<B: Backend>(s: &Sock<B>, flags: ControlFlags, on: bool) -> bool {
    let ops = receive_ops(flags);
    let works = super::supports::<B>(&ops);
    let result = s.set_control_message(flags, on);
    if must_when::<B, _>(works, &ops, result).is_none() {
        // Options before the unsupported one took effect: undo them.
        for (flag, _) in RECEIVE_OPTIONS {
            let _ = s.set_control_message(flag, false);
        }
        return false;
    }
    let now = s.control_flags();
    // SRC has no receive option: Go keeps it as a no-op flag.
    let checked = flags - ControlFlags::SRC;
    assert_eq!(
        now.contains(checked),
        on,
        "[{}] control flags {now:?}",
        B::NAME
    );
    assert!(
        on || !now.intersects(checked),
        "[{}] control flags {now:?}",
        B::NAME
    );
    on
}

/// What a receiver with [`RECEIVER_FLAGS`] (or all flags) reports.
pub fn received(tclass: u8, hops: u8, dst: Ipv6Addr, if_index: u32) -> ControlMessage {
    ControlMessage {
        traffic_class: Some(tclass),
        hop_limit: Some(hops),
        dst: Some(dst),
        if_index,
        ..ControlMessage::default()
    }
}

/// Go's TestPacketConnReadWriteUnicastUDP: one socket writes to itself with
/// control flags toggled on, off, on; every reported field is checked.
pub fn unicast_udp_read_write<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let p = Sock::<B>::udp_loopback();
    let dst = p.local();
    let mut cm = ControlMessage {
        traffic_class: Some(TCLASS),
        src: Some(Ipv6Addr::LOCALHOST),
        if_index: lo,
        ..ControlMessage::default()
    };
    for (i, toggle) in [true, false, true].into_iter().enumerate() {
        let on = set_flags(&p, ALL_FLAGS, toggle);
        let hops = i as u8 + 1;
        cm.hop_limit = Some(hops);
        p.send(HELLO, Some(&cm), dst)?;
        let got = p.recv()?;
        assert_eq!(got.payload, HELLO, "[{}]", B::NAME);
        assert_eq!(got.source, Some(dst), "[{}] sender", B::NAME);
        let want = if on {
            received(TCLASS, hops, Ipv6Addr::LOCALHOST, lo)
        } else {
            ControlMessage::default()
        };
        assert_eq!(
            got.control,
            want,
            "[{}] round {i} (flags {toggle})",
            B::NAME
        );
    }
    Some(())
}

/// The sender's control message, else its socket options, decide the
/// traffic class and hop limit the receiver sees.
pub fn unicast_udp_sender_control_reaches_receiver<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let on = set_flags(&rx, RECEIVER_FLAGS, true);
    let expect = |tclass, hops| {
        if on {
            received(tclass, hops, Ipv6Addr::LOCALHOST, lo)
        } else {
            ControlMessage::default()
        }
    };
    for (tclass, hops) in [(TCLASS, 1), (0, 7), (0xfc, 255)] {
        let cm = ControlMessage {
            traffic_class: Some(tclass),
            hop_limit: Some(hops),
            ..ControlMessage::default()
        };
        tx.send(HELLO, Some(&cm), rx.local())?;
        let got = rx.recv()?;
        assert_eq!(
            got.control,
            expect(tclass, hops),
            "[{}] control {cm:?}",
            B::NAME
        );
        assert_eq!(got.source, Some(tx.local()), "[{}]", B::NAME);
    }
    // No control message: the namespace defaults.
    tx.send(HELLO, None, rx.local())?;
    assert_eq!(rx.recv()?.control, expect(0, 64), "[{}] defaults", B::NAME);
    // Socket options apply when no control message overrides them.
    let options = must::<B, _>(&[Op::Set(O::HopLimit)], tx.set_hop_limit(9))
        .and_then(|()| must::<B, _>(&[Op::Set(O::TrafficClass)], tx.set_traffic_class(0x10)));
    if options.is_some() {
        tx.send(HELLO, None, rx.local())?;
        assert_eq!(
            rx.recv()?.control,
            expect(0x10, 9),
            "[{}] socket options",
            B::NAME
        );
        let cm = ControlMessage {
            hop_limit: Some(3),
            ..ControlMessage::default()
        };
        tx.send(HELLO, Some(&cm), rx.local())?;
        assert_eq!(
            rx.recv()?.control,
            expect(0x10, 3),
            "[{}] override",
            B::NAME
        );
    }
    Some(())
}

/// Go's TestPacketConnReadWriteUnicastICMP: echo requests to `::1` with the
/// kernel checksumming (offset 2) or not (the test checksums); the request
/// itself arrives with the sender's traffic class and hop limit, and the
/// kernel's echo reply follows.
pub fn unicast_icmp_read_write<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let p = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REQUEST);
    filter.accept(IcmpType::ECHO_REPLY);
    let filtered = must::<B, _>(&[Op::Set(O::IcmpFilter)], p.set_icmp_filter(&filter)).is_some();
    let dst = at(Ipv6Addr::LOCALHOST, 0);
    let id = std::process::id() as u16;
    let mut cm = ControlMessage {
        traffic_class: Some(TCLASS),
        src: Some(Ipv6Addr::LOCALHOST),
        if_index: lo,
        ..ControlMessage::default()
    };
    for (i, toggle) in [true, false, true].into_iter().enumerate() {
        let seq = i as u16 + 1;
        let kernel_sums = if toggle {
            must::<B, _>(&[Op::Set(O::Checksum)], p.set_checksum(Some(2))).is_some()
        } else {
            must::<B, _>(&[Op::Set(O::Checksum)], p.set_checksum(None));
            false
        };
        let addresses = (!kernel_sums).then_some((Ipv6Addr::LOCALHOST, Ipv6Addr::LOCALHOST));
        let request = icmp_message(IcmpType::ECHO_REQUEST, id, seq, HELLO, addresses);
        let on = set_flags(&p, ALL_FLAGS, toggle);
        let hops = i as u8 + 1;
        cm.hop_limit = Some(hops);
        p.send(&request, Some(&cm), dst)?;
        let (mut saw_request, mut saw_reply) = (false, false);
        while !saw_reply {
            let got = p.recv()?;
            let (typ, code, got_id, got_seq) = icmp_fields(&got.payload);
            assert_eq!((code, got_id, got_seq), (0, id, seq), "[{}]", B::NAME);
            assert_eq!(&got.payload[8..], HELLO, "[{}] echo data", B::NAME);
            assert_eq!(got.source.map(|s| *s.ip()), Some(Ipv6Addr::LOCALHOST));
            match typ {
                IcmpType::ECHO_REQUEST => {
                    assert!(!saw_request, "[{}] request delivered twice", B::NAME);
                    saw_request = true;
                    let want = if on {
                        received(TCLASS, hops, Ipv6Addr::LOCALHOST, lo)
                    } else {
                        ControlMessage::default()
                    };
                    assert_eq!(got.control, want, "[{}] round {i}", B::NAME);
                }
                IcmpType::ECHO_REPLY => {
                    assert!(saw_request, "[{}] reply before request", B::NAME);
                    saw_reply = true;
                    if on {
                        assert_eq!(got.control.dst, Some(Ipv6Addr::LOCALHOST));
                        assert_eq!(got.control.if_index, lo);
                    }
                }
                other => panic!(
                    "[{}] unexpected {other:?} (filter set: {filtered})",
                    B::NAME
                ),
            }
        }
    }
    Some(())
}

/// A source address in the sender's packet information is the source the
/// receiver sees.
pub fn pktinfo_source_address<B: Backend>(ns: &Netns) -> Outcome {
    let pair = Pair::new(ns, "va", "vb", 1);
    let second = ip("2001:db8:1::a2");
    ns.add_addr(pair.a, &format!("{second}/64"));
    let rx = Sock::<B>::udp(any(0));
    let tx = Sock::<B>::udp(any(0));
    let on = set_flags(&rx, RECEIVER_FLAGS, true);
    let to = at(pair.b_addr, rx.local().port());
    for src in [pair.a_addr, second, pair.a_addr] {
        let cm = ControlMessage {
            src: Some(src),
            ..ControlMessage::default()
        };
        tx.send(HELLO, Some(&cm), to)?;
        let got = rx.recv()?;
        assert_eq!(
            got.source,
            Some(at(src, tx.local().port())),
            "[{}]",
            B::NAME
        );
        if on {
            assert_eq!(got.control.dst, Some(pair.b_addr), "[{}]", B::NAME);
            assert_eq!(got.control.if_index, pair.b_index, "[{}]", B::NAME);
        }
    }
    Some(())
}

/// An interface index in the sender's packet information picks the link a
/// multicast datagram leaves by, and with it the source address.
pub fn pktinfo_interface_selects_link<B: Backend>(ns: &Netns) -> Outcome {
    let one = Pair::new(ns, "va", "vb", 1);
    let two = Pair::new(ns, "vc", "vd", 2);
    let group = ip("ff0e::114");
    let rx = Sock::<B>::udp(any(0));
    must::<B, _>(
        &[Op::Set(O::JoinGroup)],
        rx.join_group(Some(one.b_index), group),
    )?;
    must::<B, _>(
        &[Op::Set(O::JoinGroup)],
        rx.join_group(Some(two.b_index), group),
    )?;
    let on = set_flags(&rx, RECEIVER_FLAGS, true);
    let tx = Sock::<B>::udp(any(0));
    let to = at(group, rx.local().port());
    for (out, (arrives, source)) in [
        (one.a_index, (one.b_index, one.a_addr)),
        (two.a_index, (two.b_index, two.a_addr)),
        (one.a_index, (one.b_index, one.a_addr)),
    ] {
        let cm = ControlMessage {
            if_index: out,
            ..ControlMessage::default()
        };
        tx.send(HELLO, Some(&cm), to)?;
        let got = rx.recv()?;
        assert_eq!(
            got.source,
            Some(at(source, tx.local().port())),
            "[{}]",
            B::NAME
        );
        if on {
            assert_eq!(got.control.if_index, arrives, "[{}]", B::NAME);
            assert_eq!(got.control.dst, Some(group), "[{}]", B::NAME);
        }
    }
    Some(())
}
