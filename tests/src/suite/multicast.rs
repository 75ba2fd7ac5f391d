//! Multicast delivery over veth pairs (Go's multicast_test.go, and what Go
//! cannot check on a shared host: which interface, which group, which
//! socket, before and after leaving).

use std::net::Ipv6Addr;

use ipv6_core::{ControlMessage, IcmpFilter, IcmpType, Operation as Op, SocketOption as O};

use super::sockets::{Datagram, ICMPV6, Sock};
use super::topology::{Pair, any, at, ip};
use super::unicast::{ALL_FLAGS, HELLO, RECEIVER_FLAGS, TCLASS, received, set_flags};
use super::wire::{icmp_fields, icmp_message};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// A sender bound to `addr` that sends multicast out of `ifindex`, without
/// a loopback copy.
pub fn sender<B: Backend>(addr: Ipv6Addr, ifindex: u32) -> Option<Sock<B>> {
    let s = Sock::<B>::udp(at(addr, 0));
    must::<B, _>(
        &[Op::Set(O::MulticastInterface)],
        s.set_multicast_interface(Some(ifindex)),
    )?;
    must::<B, _>(
        &[Op::Set(O::MulticastLoopback)],
        s.set_multicast_loopback(false),
    )?;
    Some(s)
}

/// Receives `n` datagrams and returns them sorted by payload.
pub fn recv_n<B: Backend>(s: &Sock<B>, n: usize) -> Option<Vec<Datagram>> {
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        all.push(s.recv()?);
    }
    all.sort_by(|a, b| a.payload.cmp(&b.payload));
    Some(all)
}

/// Joins `group` from `source` on `ifindex`, or any source if `None`.
fn join<B: Backend>(
    s: &Sock<B>,
    ifindex: u32,
    group: Ipv6Addr,
    source: Option<Ipv6Addr>,
) -> Outcome {
    match source {
        None => must::<B, _>(&[Op::Set(O::JoinGroup)], s.join_group(Some(ifindex), group)),
        Some(src) => must::<B, _>(
            &[Op::Set(O::JoinSourceGroup)],
            s.join_source_specific_group(Some(ifindex), group, src),
        ),
    }
}

/// Sets the outgoing interface and loopback, and reads both back.
fn loop_out_of<B: Backend>(s: &Sock<B>, ifindex: u32) -> Outcome {
    must::<B, _>(
        &[Op::Set(O::MulticastInterface)],
        s.set_multicast_interface(Some(ifindex)),
    )?;
    if let Some(got) = must::<B, _>(&[Op::Get(O::MulticastInterface)], s.multicast_interface()) {
        assert_eq!(got, Some(ifindex), "[{}] multicast interface", B::NAME);
    }
    must::<B, _>(
        &[Op::Set(O::MulticastLoopback)],
        s.set_multicast_loopback(true),
    )?;
    if let Some(got) = must::<B, _>(&[Op::Get(O::MulticastLoopback)], s.multicast_loopback()) {
        assert!(got, "[{}] multicast loopback", B::NAME);
    }
    Some(())
}

/// Go's TestPacketConnReadWriteMulticastUDP: a socket joins (any-source,
/// then source-specific) on a veth, writes to the group with looping on and
/// reads its own datagram with every field checked.
pub fn multicast_udp_read_write<B: Backend>(ns: &Netns) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    for (group, source) in [
        (ip("ff02::114"), None),
        (ip("ff3e::8000:1"), Some(link.a_addr)),
    ] {
        let p = Sock::<B>::udp(any(0));
        let to = at(group, p.local().port());
        join(&p, link.a_index, group, source)?;
        loop_out_of(&p, link.a_index)?;
        let mut cm = ControlMessage {
            traffic_class: Some(TCLASS),
            src: Some(link.a_addr),
            if_index: link.a_index,
            ..ControlMessage::default()
        };
        for (i, toggle) in [true, false, true].into_iter().enumerate() {
            let on = set_flags(&p, ALL_FLAGS, toggle);
            let hops = i as u8 + 1;
            cm.hop_limit = Some(hops);
            p.send(HELLO, Some(&cm), to)?;
            let got = p.recv()?;
            assert_eq!(got.payload, HELLO, "[{}]", B::NAME);
            assert_eq!(
                got.source,
                Some(at(link.a_addr, to.port())),
                "[{}]",
                B::NAME
            );
            let want = if on {
                received(TCLASS, hops, group, link.a_index)
            } else {
                ControlMessage::default()
            };
            assert_eq!(got.control, want, "[{}] {group} round {i}", B::NAME);
        }
        match source {
            None => must::<B, _>(
                &[Op::Set(O::LeaveGroup)],
                p.leave_group(Some(link.a_index), group),
            )?,
            Some(src) => must::<B, _>(
                &[Op::Set(O::LeaveSourceGroup)],
                p.leave_source_specific_group(Some(link.a_index), group, src),
            )?,
        }
    }
    Some(())
}

/// Go's TestPacketConnReadWriteMulticastICMP: a raw ICMPv6 socket joins a
/// group, sends an echo request to it, and receives the kernel's reply
/// (only replies pass its filter).
pub fn multicast_icmp_read_write<B: Backend>(ns: &Netns) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    let id = std::process::id() as u16;
    for (group, source) in [
        (ip("ff02::114"), None),
        (ip("ff3e::8000:2"), Some(link.a_addr)),
    ] {
        let p = Sock::<B>::raw(ICMPV6, None);
        join(&p, link.a_index, group, source)?;
        loop_out_of(&p, link.a_index)?;
        let mut filter = IcmpFilter::BLOCK_ALL;
        filter.accept(IcmpType::ECHO_REPLY);
        let filtered =
            must::<B, _>(&[Op::Set(O::IcmpFilter)], p.set_icmp_filter(&filter)).is_some();
        let mut cm = ControlMessage {
            traffic_class: Some(TCLASS),
            src: Some(link.a_addr),
            if_index: link.a_index,
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
            let addresses = (!kernel_sums).then_some((link.a_addr, group));
            let request = icmp_message(IcmpType::ECHO_REQUEST, id, seq, HELLO, addresses);
            let on = set_flags(&p, ALL_FLAGS, toggle);
            cm.hop_limit = Some(i as u8 + 1);
            p.send(&request, Some(&cm), at(group, 0))?;
            loop {
                let got = p.recv()?;
                let (typ, code, got_id, got_seq) = icmp_fields(&got.payload);
                if !filtered && (typ != IcmpType::ECHO_REPLY || (got_id, got_seq) != (id, seq)) {
                    continue; // without a filter, MLD and our own request arrive too
                }
                assert_eq!(typ, IcmpType::ECHO_REPLY, "[{}] filter", B::NAME);
                // RFC 4443 section 4.2: an echo reply's code is 0 (Go checks it).
                assert_eq!(code, 0, "[{}] echo reply code", B::NAME);
                assert_eq!((got_id, got_seq), (id, seq), "[{}]", B::NAME);
                assert_eq!(&got.payload[8..], HELLO, "[{}]", B::NAME);
                if on {
                    assert_eq!(got.control.dst, Some(link.a_addr), "[{}]", B::NAME);
                    assert_eq!(got.control.if_index, link.a_index, "[{}]", B::NAME);
                }
                break;
            }
        }
    }
    Some(())
}

/// One socket, groups joined on two links: each datagram arrives with the
/// group and link it came by, and a group not joined on a link is not
/// delivered from it.
pub fn multicast_groups_on_several_interfaces<B: Backend>(ns: &Netns) -> Outcome {
    let one = Pair::new(ns, "va", "vb", 1);
    let two = Pair::new(ns, "vc", "vd", 2);
    let (g1, g2) = (ip("ff0e::1:1"), ip("ff0e::1:2"));
    let rx = Sock::<B>::udp(any(0));
    let port = rx.local().port();
    join(&rx, one.b_index, g1, None)?;
    join(&rx, two.b_index, g1, None)?;
    join(&rx, two.b_index, g2, None)?;
    let on = set_flags(&rx, RECEIVER_FLAGS, true);
    let s1 = sender::<B>(one.a_addr, one.a_index)?;
    let s2 = sender::<B>(two.a_addr, two.a_index)?;
    s1.send(b"1: g2 via vb", None, at(g2, port))?; // g2 not joined on vb
    s1.send(b"2: g1 via vb", None, at(g1, port))?;
    s2.send(b"3: g1 via vd", None, at(g1, port))?;
    s2.send(b"4: g2 via vd", None, at(g2, port))?;
    let got = recv_n(&rx, 3)?;
    let expected = [
        (&b"2: g1 via vb"[..], g1, one.b_index, one.a_addr, &s1),
        (b"3: g1 via vd", g1, two.b_index, two.a_addr, &s2),
        (b"4: g2 via vd", g2, two.b_index, two.a_addr, &s2),
    ];
    for (d, (payload, group, link, source, sender)) in got.iter().zip(expected) {
        assert_eq!(d.payload, payload, "[{}]", B::NAME);
        assert_eq!(
            d.source,
            Some(at(source, sender.local().port())),
            "[{}]",
            B::NAME
        );
        if on {
            assert_eq!(
                (d.control.dst, d.control.if_index),
                (Some(group), link),
                "[{}]",
                B::NAME
            );
        }
    }
    rx.assert_silent("g2 is not joined on vb");
    Some(())
}

/// Several sockets on one port and group each receive every datagram.
pub fn multicast_several_sockets_one_group<B: Backend>(ns: &Netns) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    let group = ip("ff0e::2:1");
    let first = Sock::<B>::udp_shared(any(0));
    let port = first.local().port();
    let socks = [
        first,
        Sock::udp_shared(any(port)),
        Sock::udp_shared(any(port)),
    ];
    for s in &socks {
        join(s, link.b_index, group, None)?;
    }
    assert!(
        ns.memberships(link.b).contains(&(group, 3)),
        "[{}] three users of {group} on vb: {:?}",
        B::NAME,
        ns.memberships(link.b)
    );
    let tx = sender::<B>(link.a_addr, link.a_index)?;
    let payloads: [&[u8]; 3] = [b"one", b"two", b"three"];
    for p in payloads {
        tx.send(p, None, at(group, port))?;
    }
    for s in &socks {
        for p in payloads {
            let got = s.recv()?;
            assert_eq!(got.payload, p, "[{}] fan-out in order", B::NAME);
            assert_eq!(got.source, Some(tx.local()), "[{}]", B::NAME);
        }
    }
    Some(())
}

/// Leaving a group stops its datagrams (a sentinel on another group shows
/// the one sent after leaving had its chance); joining again resumes them.
pub fn multicast_leave_and_rejoin<B: Backend>(ns: &Netns) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    let (group, sentinel) = (ip("ff0e::3:1"), ip("ff0e::3:2"));
    let rx = Sock::<B>::udp(any(0));
    let port = rx.local().port();
    join(&rx, link.b_index, group, None)?;
    join(&rx, link.b_index, sentinel, None)?;
    let tx = sender::<B>(link.a_addr, link.a_index)?;

    tx.send(b"joined", None, at(group, port))?;
    assert_eq!(rx.recv()?.payload, b"joined", "[{}]", B::NAME);

    must::<B, _>(
        &[Op::Set(O::LeaveGroup)],
        rx.leave_group(Some(link.b_index), group),
    )?;
    assert!(
        !ns.memberships(link.b).iter().any(|&(g, _)| g == group),
        "[{}] still a member of {group} after leaving",
        B::NAME
    );
    tx.send(b"after leaving", None, at(group, port))?;
    tx.send(b"sentinel", None, at(sentinel, port))?;
    assert_eq!(
        rx.recv()?.payload,
        b"sentinel",
        "[{}] left group still delivered",
        B::NAME
    );

    join(&rx, link.b_index, group, None)?;
    tx.send(b"rejoined", None, at(group, port))?;
    assert_eq!(rx.recv()?.payload, b"rejoined", "[{}]", B::NAME);
    rx.assert_silent("only the datagrams sent while joined");
    Some(())
}
