//! Socket option round trips (Go's unicastsockopt_test.go,
//! multicastsockopt_test.go, sockopt_test.go's checksum, icmp_test.go's
//! filter) on UDP, raw and TCP sockets, starting from the kernel defaults.

use std::net::Ipv6Addr;
use std::os::fd::AsFd;

use ipv6_core::{
    Conn, Error, IcmpFilter, IcmpType, Operation as Op, Result, SocketBackend, SocketOption as O,
};

use super::sockets::{ICMPV6, OSPF, Sock, tcp_pair};
use super::topology::{Pair, ip};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// The unicast options shared by `Conn` and `PacketConn`.
trait Unicast {
    fn traffic_class(&self) -> Result<i32>;
    fn set_traffic_class(&self, v: i32) -> Result<()>;
    fn hop_limit(&self) -> Result<i32>;
    fn set_hop_limit(&self, v: i32) -> Result<()>;
}

macro_rules! unicast_for {
    ($t:ident) => {
        impl<S: SocketBackend> Unicast for ipv6_core::$t<S> {
            fn traffic_class(&self) -> Result<i32> {
                ipv6_core::$t::traffic_class(self)
            }
            fn set_traffic_class(&self, v: i32) -> Result<()> {
                ipv6_core::$t::set_traffic_class(self, v)
            }
            fn hop_limit(&self) -> Result<i32> {
                ipv6_core::$t::hop_limit(self)
            }
            fn set_hop_limit(&self, v: i32) -> Result<()> {
                ipv6_core::$t::set_hop_limit(self, v)
            }
        }
    };
}
unicast_for!(Conn);
unicast_for!(PacketConn);

/// Go's testUnicastSocketOptions, over several values and back to the
/// defaults with -1. On TCP the kernel keeps the ECN bits (the low two) to
/// itself (`ecn_owned`).
fn unicast_round_trip<B: Backend>(c: &impl Unicast, what: &str, ecn_owned: bool) -> Outcome {
    let get = |op, r| must::<B, i32>(&[op], r);
    if let Some(v) = get(Op::Get(O::TrafficClass), c.traffic_class()) {
        assert_eq!(v, 0, "[{}] {what}: default traffic class", B::NAME);
    }
    for tclass in [0x2b, 0, 0xff, -1] {
        must::<B, _>(&[Op::Set(O::TrafficClass)], c.set_traffic_class(tclass))?;
        let want = tclass.max(0) & if ecn_owned { !3 } else { !0 }; // -1: default, 0
        if let Some(v) = get(Op::Get(O::TrafficClass), c.traffic_class()) {
            assert_eq!(v, want, "[{}] {what}: traffic class {tclass}", B::NAME);
        }
    }
    if let Some(v) = get(Op::Get(O::HopLimit), c.hop_limit()) {
        assert_eq!(v, 64, "[{}] {what}: default hop limit", B::NAME);
    }
    for hops in [255, 1, 0, -1] {
        must::<B, _>(&[Op::Set(O::HopLimit)], c.set_hop_limit(hops))?;
        let want = if hops == -1 { 64 } else { hops };
        if let Some(v) = get(Op::Get(O::HopLimit), c.hop_limit()) {
            assert_eq!(v, want, "[{}] {what}: hop limit {hops}", B::NAME);
        }
    }
    Some(())
}

/// Go's TestPacketConnUnicastSocketOptions on UDP.
pub fn sockopt_unicast_udp<B: Backend>(_: &Netns) -> Outcome {
    unicast_round_trip::<B>(&*Sock::<B>::udp_loopback(), "udp", false)
}

/// Go's TestPacketConnUnicastSocketOptions on raw ICMPv6.
pub fn sockopt_unicast_raw<B: Backend>(_: &Netns) -> Outcome {
    unicast_round_trip::<B>(
        &*Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST)),
        "raw",
        false,
    )
}

/// Go's TestConnUnicastSocketOptions, on both ends of a TCP connection,
/// through a backend over a borrowed descriptor.
pub fn sockopt_unicast_tcp<B: Backend>(_: &Netns) -> Outcome {
    let (initiator, responder) = tcp_pair();
    for (stream, what) in [(&initiator, "tcp initiator"), (&responder, "tcp responder")] {
        let conn = must::<B, _>(&[Op::SocketFamily], Conn::new(B::wrap(stream.as_fd())))?;
        unicast_round_trip::<B>(&conn, what, true)?;
    }
    Some(())
}

/// Go's testMulticastSocketOptions and testSourceSpecificMulticastSocketOptions
/// on one socket.
fn multicast_round_trip<B: Backend>(ns: &Netns, s: &Sock<B>, what: &str) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    let vb = Some(link.b_index);
    if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastHopLimit)], s.multicast_hop_limit()) {
        assert_eq!(v, 1, "[{}] {what}: default multicast hops", B::NAME);
    }
    for hops in [255, 0, 7, -1] {
        must::<B, _>(
            &[Op::Set(O::MulticastHopLimit)],
            s.set_multicast_hop_limit(hops),
        )?;
        let want = if hops == -1 { 1 } else { hops };
        if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastHopLimit)], s.multicast_hop_limit()) {
            assert_eq!(v, want, "[{}] {what}: multicast hops {hops}", B::NAME);
        }
    }
    if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastInterface)], s.multicast_interface()) {
        assert_eq!(v, None, "[{}] {what}: default multicast interface", B::NAME);
    }
    for ifindex in [Some(link.a_index), Some(link.b_index), None] {
        must::<B, _>(
            &[Op::Set(O::MulticastInterface)],
            s.set_multicast_interface(ifindex),
        )?;
        if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastInterface)], s.multicast_interface()) {
            assert_eq!(v, ifindex, "[{}] {what}: multicast interface", B::NAME);
        }
    }
    if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastLoopback)], s.multicast_loopback()) {
        assert!(v, "[{}] {what}: loopback is on by default", B::NAME);
    }
    for on in [false, true] {
        must::<B, _>(
            &[Op::Set(O::MulticastLoopback)],
            s.set_multicast_loopback(on),
        )?;
        if let Some(v) = must::<B, _>(&[Op::Get(O::MulticastLoopback)], s.multicast_loopback()) {
            assert_eq!(v, on, "[{}] {what}: loopback", B::NAME);
        }
    }
    let member = |g: Ipv6Addr| ns.memberships(link.b).iter().any(|&(m, _)| m == g);
    // Any-source: join, leave.
    let group = ip("ff02::114");
    must::<B, _>(&[Op::Set(O::JoinGroup)], s.join_group(vb, group))?;
    assert!(member(group), "[{}] {what}: joined", B::NAME);
    must::<B, _>(&[Op::Set(O::LeaveGroup)], s.leave_group(vb, group))?;
    assert!(!member(group), "[{}] {what}: left", B::NAME);
    // Source-specific: join, block, unblock, leave; join, leave source; join, leave group.
    let (group, source) = (ip("ff3e::8000:1"), link.a_addr);
    let filters = || ns.source_filters(link.b);
    must::<B, _>(&[Op::Set(O::JoinGroup)], s.join_group(vb, group))?;
    must::<B, _>(
        &[Op::Set(O::BlockSource)],
        s.exclude_source_specific_group(vb, group, source),
    )?;
    assert_eq!(filters(), [(group, source, 0, 1)], "[{}] {what}", B::NAME);
    must::<B, _>(
        &[Op::Set(O::UnblockSource)],
        s.include_source_specific_group(vb, group, source),
    )?;
    assert_eq!(filters(), [], "[{}] {what}", B::NAME);
    must::<B, _>(&[Op::Set(O::LeaveGroup)], s.leave_group(vb, group))?;
    assert!(!member(group), "[{}] {what}", B::NAME);
    must::<B, _>(
        &[Op::Set(O::JoinSourceGroup)],
        s.join_source_specific_group(vb, group, source),
    )?;
    assert_eq!(filters(), [(group, source, 1, 0)], "[{}] {what}", B::NAME);
    must::<B, _>(
        &[Op::Set(O::LeaveSourceGroup)],
        s.leave_source_specific_group(vb, group, source),
    )?;
    assert!(!member(group), "[{}] {what}", B::NAME);
    must::<B, _>(
        &[Op::Set(O::JoinSourceGroup)],
        s.join_source_specific_group(vb, group, source),
    )?;
    must::<B, _>(&[Op::Set(O::LeaveGroup)], s.leave_group(vb, group))?;
    assert!(
        !member(group) && filters().is_empty(),
        "[{}] {what}",
        B::NAME
    );
    Some(())
}

/// Go's TestPacketConnMulticastSocketOptions on UDP.
pub fn sockopt_multicast_udp<B: Backend>(ns: &Netns) -> Outcome {
    multicast_round_trip(ns, &Sock::<B>::udp(super::topology::any(0)), "udp")
}

/// Go's TestPacketConnMulticastSocketOptions on raw ICMPv6.
pub fn sockopt_multicast_raw<B: Backend>(ns: &Netns) -> Outcome {
    multicast_round_trip(ns, &Sock::<B>::raw(ICMPV6, None), "raw")
}

/// Go's TestPacketConnChecksum: on an OSPF raw socket the kernel computes no
/// checksum until told an offset; ICMPv6 sockets start at offset 2.
pub fn sockopt_checksum<B: Backend>(_: &Netns) -> Outcome {
    let ospf = Sock::<B>::raw(OSPF, None);
    if let Some(v) = must::<B, _>(&[Op::Get(O::Checksum)], ospf.checksum()) {
        assert_eq!(v, None, "[{}] OSPF default", B::NAME);
    }
    for offset in [Some(12), None, Some(0), Some(12)] {
        must::<B, _>(&[Op::Set(O::Checksum)], ospf.set_checksum(offset))?;
        if let Some(v) = must::<B, _>(&[Op::Get(O::Checksum)], ospf.checksum()) {
            assert_eq!(v, offset, "[{}] OSPF checksum", B::NAME);
        }
    }
    let icmp = Sock::<B>::raw(ICMPV6, None);
    if let Some(v) = must::<B, _>(&[Op::Get(O::Checksum)], icmp.checksum()) {
        assert_eq!(v, Some(2), "[{}] ICMPv6 default", B::NAME);
    }
    // UDP sockets have no such option: the kernel's refusal is reported as is.
    let udp = Sock::<B>::udp_loopback();
    if super::supports::<B>(&[Op::Get(O::Checksum)]) {
        match udp.checksum() {
            Err(Error::Os {
                op: Op::Get(O::Checksum),
                errno,
            }) => {
                assert!(
                    errno == libc::ENOPROTOOPT || errno == libc::EOPNOTSUPP,
                    "{errno}"
                )
            }
            other => panic!("[{}] checksum on UDP: {other:?}", B::NAME),
        }
    }
    Some(())
}

/// Go's TestSetICMPFilter, plus the default and a few other patterns.
pub fn sockopt_icmp_filter<B: Backend>(_: &Netns) -> Outcome {
    let p = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    if let Some(f) = must::<B, _>(&[Op::Get(O::IcmpFilter)], p.icmp_filter()) {
        assert_eq!(f, IcmpFilter::PASS_ALL, "[{}] default filter", B::NAME);
    }
    let mut go = IcmpFilter::BLOCK_ALL;
    go.accept(IcmpType::ECHO_REQUEST);
    go.accept(IcmpType::ECHO_REPLY);
    let mut sparse = IcmpFilter::PASS_ALL;
    for t in [0, 1, 31, 32, 127, 128, 200, 255] {
        sparse.block(IcmpType(t));
    }
    for filter in [go, sparse, IcmpFilter::BLOCK_ALL, IcmpFilter::PASS_ALL] {
        must::<B, _>(&[Op::Set(O::IcmpFilter)], p.set_icmp_filter(&filter))?;
        if let Some(f) = must::<B, _>(&[Op::Get(O::IcmpFilter)], p.icmp_filter()) {
            assert_eq!(f, filter, "[{}] filter round trip", B::NAME);
        }
    }
    Some(())
}
