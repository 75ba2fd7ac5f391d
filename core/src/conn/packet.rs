//! [`PacketConn`] and its socket options.

use core::net::Ipv6Addr;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::flag_lock::FlagLock;
use super::{check_family, get, get_int, validate};
use crate::backend::{BpfInstruction, SocketBackend};
use crate::control::{ControlFlags, MAX_SPACE};
use crate::error::{Error, InvalidArgument, Operation, Result};
use crate::filter::IcmpFilter;
use crate::option::{Group, OptionValue, SocketOption};

/// Datagram and raw sockets (Go's `ipv6.PacketConn`).
///
/// Besides the options, a `PacketConn` remembers which per-packet fields
/// [`set_control_message`](Self::set_control_message) asked the kernel for,
/// to size the control buffer of each receive. That state is one atomic word,
/// read by receives without waiting; changes to it are serialised by a small
/// lock (see [`set_control_message`](Self::set_control_message)). A
/// `PacketConn` is `Send + Sync` whenever `B` is.
#[derive(Debug)]
pub struct PacketConn<B> {
    pub(super) backend: B,
    /// [`ControlFlags`] bits whose receive option is on.
    flags: AtomicU32,
    /// Held while the kernel's receive options and `flags` change together.
    pub(super) flag_lock: FlagLock,
    /// Control bytes a receive asks for when any flag is set: room for every
    /// flag, computed once for the backend's platform.
    pub(super) receive_space: usize,
    /// Whether `UDP_GRO` is on ([`set_gro`](Self::set_gro)): receives then
    /// need room for a coalesced payload and its `UDP_GRO` record.
    pub(super) gro: AtomicBool,
    /// Interface indexes below 32 already found to exist, one bit each, so
    /// that checking a per-packet `if_index` costs a system call once per
    /// interface rather than once per send (see `io.rs`).
    pub(super) known_interfaces: AtomicU32,
    /// The last interface index of 32 or more found to exist: containers
    /// number their links high, and a server replies on few of them.
    pub(super) known_high_interface: AtomicU32,
}

// `PacketConn` is `Send + Sync` for every `Send + Sync` backend: the generic
// body proves it for all `B` at once, the call merely instantiates it.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn for_every_backend<B: Send + Sync>() {
        send_sync::<PacketConn<B>>()
    }
    for_every_backend::<()>()
};

/// Which receive option reports which [`ControlFlags`] (Go's
/// `setControlMessage` in `control_unix.go`). `SRC` has none: a datagram's
/// source comes with every receive.
const RECEIVE_OPTIONS: [(ControlFlags, SocketOption); 4] = [
    (
        ControlFlags::TRAFFIC_CLASS,
        SocketOption::ReceiveTrafficClass,
    ),
    (ControlFlags::HOP_LIMIT, SocketOption::ReceiveHopLimit),
    (
        ControlFlags::DST.union(ControlFlags::INTERFACE),
        SocketOption::ReceivePacketInfo,
    ),
    (ControlFlags::PATH_MTU, SocketOption::ReceivePathMtu),
];

impl<B: SocketBackend> PacketConn<B> {
    /// Wraps `backend`, checking it is an IPv6 socket; no control flags are set.
    ///
    /// Fails with [`InvalidArgument::NotIpv6Socket`] when
    /// [`SocketBackend::socket_family`] reports a family other than the
    /// platform's `AF_INET6`. Dual-stack IPv6 sockets pass. A backend that
    /// cannot report the family ([`Error::Unsupported`]) is trusted; other
    /// errors are returned.
    ///
    /// Receive options already on in the kernel stay on; their records are
    /// reported as [`Received::control_truncated`](super::Received) until
    /// the matching flags are set.
    ///
    /// Go: `ipv6.NewPacketConn` (which checks nothing).
    #[doc(alias = "NewPacketConn")]
    pub fn new(backend: B) -> Result<Self> {
        check_family(&backend)?;
        let receive_space = ControlFlags::all().space(backend.platform()).min(MAX_SPACE);
        Ok(PacketConn {
            backend,
            flags: AtomicU32::new(0),
            flag_lock: FlagLock::new(),
            receive_space,
            gro: AtomicBool::new(false),
            known_interfaces: AtomicU32::new(0),
            known_high_interface: AtomicU32::new(0),
        })
    }

    /// The backend, for operations this type does not wrap.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Unwraps the backend (the socket stays open; receive options stay as set).
    pub fn into_inner(self) -> B {
        self.backend
    }

    /// Traffic class of outgoing packets (`IPV6_TCLASS`).
    ///
    /// Go: `PacketConn.TrafficClass`.
    #[doc(alias("IPV6_TCLASS", "TrafficClass"))]
    pub fn traffic_class(&self) -> Result<i32> {
        get_int(&self.backend, SocketOption::TrafficClass)
    }

    /// Sets the traffic class of outgoing packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::TrafficClass`].
    ///
    /// Go: `PacketConn.SetTrafficClass`.
    #[doc(alias("IPV6_TCLASS", "SetTrafficClass"))]
    pub fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        super::set_traffic_class(&self.backend, tclass)
    }

    /// Hop limit of outgoing unicast packets (`IPV6_UNICAST_HOPS`): 0..=255,
    /// or -1 where the kernel reports its default that way (the BSDs).
    ///
    /// Go: `PacketConn.HopLimit`.
    #[doc(alias("IPV6_UNICAST_HOPS", "HopLimit"))]
    pub fn hop_limit(&self) -> Result<i32> {
        get_int(&self.backend, SocketOption::HopLimit)
    }

    /// Sets the hop limit of outgoing unicast packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::HopLimit`].
    ///
    /// Go: `PacketConn.SetHopLimit`.
    #[doc(alias("IPV6_UNICAST_HOPS", "SetHopLimit"))]
    pub fn set_hop_limit(&self, hops: i32) -> Result<()> {
        super::set_hop_limit(&self.backend, hops)
    }

    /// Hop limit of outgoing multicast packets (`IPV6_MULTICAST_HOPS`).
    ///
    /// Go: `PacketConn.MulticastHopLimit`.
    #[doc(alias("IPV6_MULTICAST_HOPS", "MulticastHopLimit"))]
    pub fn multicast_hop_limit(&self) -> Result<i32> {
        get_int(&self.backend, SocketOption::MulticastHopLimit)
    }

    /// Sets the hop limit of outgoing multicast packets: 0..=255, or -1 for
    /// the kernel default; anything else is [`InvalidArgument::HopLimit`].
    ///
    /// Go: `PacketConn.SetMulticastHopLimit`.
    #[doc(alias("IPV6_MULTICAST_HOPS", "SetMulticastHopLimit"))]
    pub fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        let option = SocketOption::MulticastHopLimit;
        let hops = validate::hop_limit(Operation::Set(option), hops)?;
        self.backend.set(option, OptionValue::Int(hops))
    }

    /// Interface index outgoing multicast leaves by (`IPV6_MULTICAST_IF`);
    /// `None` when no interface is set and the kernel chooses.
    ///
    /// Go: `PacketConn.MulticastInterface`, which fails instead of returning
    /// `nil` when none is set.
    #[doc(alias("IPV6_MULTICAST_IF", "MulticastInterface"))]
    pub fn multicast_interface(&self) -> Result<Option<u32>> {
        let index = get(
            &self.backend,
            SocketOption::MulticastInterface,
            |v| match v {
                OptionValue::Interface(index) => Some(index),
                _ => None,
            },
        )?;
        Ok((index != 0).then_some(index))
    }

    /// Sets the interface outgoing multicast leaves by; `None` lets the
    /// kernel choose.
    ///
    /// `Some(0)` is [`InvalidArgument::InterfaceIndexZero`]; an index no
    /// interface has is [`InvalidArgument::NoSuchInterface`] (checked when
    /// the backend can tell, otherwise left to the kernel).
    ///
    /// Go: `PacketConn.SetMulticastInterface`.
    #[doc(alias("IPV6_MULTICAST_IF", "SetMulticastInterface"))]
    pub fn set_multicast_interface(&self, ifindex: Option<u32>) -> Result<()> {
        let option = SocketOption::MulticastInterface;
        let op = Operation::Set(option);
        let index = validate::interface(op, ifindex)?;
        self.check_interface_exists(op, index)?;
        self.backend.set(option, OptionValue::Interface(index))
    }

    /// Whether outgoing multicast is looped back to local listeners
    /// (`IPV6_MULTICAST_LOOP`).
    ///
    /// Go: `PacketConn.MulticastLoopback`.
    #[doc(alias("IPV6_MULTICAST_LOOP", "MulticastLoopback"))]
    pub fn multicast_loopback(&self) -> Result<bool> {
        get(
            &self.backend,
            SocketOption::MulticastLoopback,
            |v| match v {
                OptionValue::Bool(on) => Some(on),
                _ => None,
            },
        )
    }

    /// Sets whether outgoing multicast is looped back to local listeners.
    ///
    /// Go: `PacketConn.SetMulticastLoopback`.
    #[doc(alias("IPV6_MULTICAST_LOOP", "SetMulticastLoopback"))]
    pub fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        let option = SocketOption::MulticastLoopback;
        self.backend.set(option, OptionValue::Bool(on))
    }

    /// Joins the any-source multicast `group` on interface `ifindex`
    /// (`None`: the kernel picks one from its routes, which is rarely what a
    /// multi-homed host wants).
    ///
    /// `group` must be an IPv6 multicast address
    /// ([`InvalidArgument::NotMulticast`], [`InvalidArgument::Ipv4Mapped`]);
    /// the interface is checked as in
    /// [`set_multicast_interface`](Self::set_multicast_interface).
    ///
    /// Go: `PacketConn.JoinGroup`.
    #[doc(alias("MCAST_JOIN_GROUP", "IPV6_JOIN_GROUP", "JoinGroup"))]
    pub fn join_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        self.any_source(SocketOption::JoinGroup, ifindex, group)
    }

    /// Leaves `group` on interface `ifindex`, whether it was joined for any
    /// source or for specific ones. Arguments are checked as in
    /// [`join_group`](Self::join_group).
    ///
    /// Go: `PacketConn.LeaveGroup`.
    #[doc(alias("MCAST_LEAVE_GROUP", "IPV6_LEAVE_GROUP", "LeaveGroup"))]
    pub fn leave_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        self.any_source(SocketOption::LeaveGroup, ifindex, group)
    }

    /// Joins `group` on interface `ifindex` for traffic from `source` only
    /// (`MCAST_JOIN_SOURCE_GROUP`, RFC 3678).
    ///
    /// `source` must be a unicast IPv6 address
    /// ([`InvalidArgument::BadSource`], [`InvalidArgument::Ipv4Mapped`]);
    /// `group` and the interface are checked as in
    /// [`join_group`](Self::join_group). NetBSD and OpenBSD have no
    /// source-specific API: [`Error::Unsupported`].
    ///
    /// Go: `PacketConn.JoinSourceSpecificGroup`.
    #[doc(alias("MCAST_JOIN_SOURCE_GROUP", "JoinSourceSpecificGroup"))]
    pub fn join_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(SocketOption::JoinSourceGroup, ifindex, group, source)
    }

    /// Stops receiving `group` from `source` (`MCAST_LEAVE_SOURCE_GROUP`).
    /// Arguments are checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.LeaveSourceSpecificGroup`.
    #[doc(alias("MCAST_LEAVE_SOURCE_GROUP", "LeaveSourceSpecificGroup"))]
    pub fn leave_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(SocketOption::LeaveSourceGroup, ifindex, group, source)
    }

    /// Mutes `source` in an any-source `group` joined with
    /// [`join_group`](Self::join_group) (`MCAST_BLOCK_SOURCE`). Arguments are
    /// checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.ExcludeSourceSpecificGroup`.
    #[doc(alias("MCAST_BLOCK_SOURCE", "ExcludeSourceSpecificGroup"))]
    pub fn exclude_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(SocketOption::BlockSource, ifindex, group, source)
    }

    /// Unmutes a `source` muted by
    /// [`exclude_source_specific_group`](Self::exclude_source_specific_group)
    /// (`MCAST_UNBLOCK_SOURCE`). Arguments are checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.IncludeSourceSpecificGroup`.
    #[doc(alias("MCAST_UNBLOCK_SOURCE", "IncludeSourceSpecificGroup"))]
    pub fn include_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(SocketOption::UnblockSource, ifindex, group, source)
    }

    /// Where in the payload the kernel computes, stores and verifies a
    /// checksum (`IPV6_CHECKSUM`, raw sockets); `None` when it does not.
    ///
    /// Go: `PacketConn.Checksum` (`on == false` is `None`).
    #[doc(alias("IPV6_CHECKSUM", "Checksum"))]
    pub fn checksum(&self) -> Result<Option<u32>> {
        let offset = get_int(&self.backend, SocketOption::Checksum)?;
        Ok(u32::try_from(offset).ok())
    }

    /// Makes the kernel compute and verify a checksum at byte `offset` of
    /// the payload; `None` turns that off. An offset that is odd or does not
    /// fit a C `int` is [`InvalidArgument::ChecksumOffset`].
    ///
    /// ICMPv6 sockets checksum at offset 2 by themselves. The BSDs and
    /// Darwin refuse any other offset there (`EINVAL`), as RFC 3542 asks;
    /// Linux, where the option lives at level `IPPROTO_RAW`, accepts one
    /// and moves the checksum, so leave ICMPv6 sockets alone.
    ///
    /// Go: `PacketConn.SetChecksum` (`on == false` is `None`).
    #[doc(alias("IPV6_CHECKSUM", "SetChecksum"))]
    pub fn set_checksum(&self, offset: Option<u32>) -> Result<()> {
        let option = SocketOption::Checksum;
        let offset = validate::checksum_offset(Operation::Set(option), offset)?;
        self.backend.set(option, OptionValue::Int(offset))
    }

    /// The ICMPv6 types this raw ICMPv6 socket blocks (`ICMP6_FILTER`).
    ///
    /// Go: `PacketConn.ICMPFilter`.
    #[doc(alias("ICMP6_FILTER", "ICMPFilter"))]
    pub fn icmp_filter(&self) -> Result<IcmpFilter> {
        get(&self.backend, SocketOption::IcmpFilter, |v| match v {
            OptionValue::Filter(filter) => Some(filter),
            _ => None,
        })
    }

    /// Sets the ICMPv6 types this raw ICMPv6 socket blocks.
    ///
    /// Go: `PacketConn.SetICMPFilter`.
    #[doc(alias("ICMP6_FILTER", "SetICMPFilter"))]
    pub fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        let option = SocketOption::IcmpFilter;
        self.backend.set(option, OptionValue::Filter(*filter))
    }

    /// Attaches a classic BPF program (`SO_ATTACH_FILTER`, Linux). The
    /// program must hold 1..=[`BPF_MAX_INSTRUCTIONS`] instructions
    /// ([`InvalidArgument::BpfProgramLength`]).
    ///
    /// [`BPF_MAX_INSTRUCTIONS`]: crate::backend::BPF_MAX_INSTRUCTIONS
    ///
    /// Go: `PacketConn.SetBPF`.
    #[doc(alias("SO_ATTACH_FILTER", "SetBPF"))]
    pub fn set_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        let option = SocketOption::AttachFilter;
        validate::bpf_program(Operation::Set(option), program)?;
        self.backend.set(option, OptionValue::Program(program))
    }

    /// The per-packet fields receives currently ask the kernel for.
    pub fn control_flags(&self) -> ControlFlags {
        // Relaxed: the word publishes no other memory; callers that need a
        // `set_control_message` on one thread to be seen by a read on another
        // already order the two by whatever hands the work over.
        ControlFlags::from_bits_retain(self.flags.load(Ordering::Relaxed))
    }

    /// Turns on or off the reporting of the per-packet fields in `flags`
    /// with each received datagram.
    ///
    /// As in Go, each receive option is set in turn — `TRAFFIC_CLASS`
    /// (`IPV6_RECVTCLASS`), `HOP_LIMIT` (`IPV6_RECVHOPLIMIT`), `DST` and
    /// `INTERFACE` (both `IPV6_RECVPKTINFO`), `PATH_MTU`
    /// (`IPV6_RECVPATHMTU`) — and a flag is recorded only once its option is
    /// set, so on error the earlier flags keep their new state. `SRC` has no
    /// receive option and is ignored: the source comes with every datagram.
    ///
    /// `DST` and `INTERFACE` share one kernel option: turning either off
    /// stops both being reported, while [`control_flags`](Self::control_flags)
    /// still lists the other (Go records them the same way).
    ///
    /// Calls from several threads are serialised (as Go's lock does), so
    /// the kernel's options and [`control_flags`](Self::control_flags)
    /// never disagree for long; reads and writes do not wait for it. A read
    /// that races a change still returns its datagram, with
    /// `control_truncated` set if the kernel had more to report than the
    /// read made room for.
    ///
    /// Go: `PacketConn.SetControlMessage`.
    #[doc(alias(
        "IPV6_RECVTCLASS",
        "IPV6_RECVHOPLIMIT",
        "IPV6_RECVPKTINFO",
        "IPV6_RECVPATHMTU",
        "SetControlMessage"
    ))]
    pub fn set_control_message(&self, flags: ControlFlags, on: bool) -> Result<()> {
        let _guard = self.flag_lock.lock();
        for (bits, option) in RECEIVE_OPTIONS {
            let requested = flags & bits;
            if requested.is_empty() {
                continue;
            }
            self.backend.set(option, OptionValue::Bool(on))?;
            // Only the lock holder writes the word, so load-then-store
            // cannot lose an update.
            let current = self.flags.load(Ordering::Relaxed);
            let next = if on {
                current | requested.bits()
            } else {
                current & !requested.bits()
            };
            self.flags.store(next, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Refuses, where the backend can tell, an interface index that names
    /// no interface in the socket's network namespace (0: the kernel's
    /// choice, nothing to check).
    pub(super) fn check_interface_exists(&self, op: Operation, index: u32) -> Result<()> {
        if index == 0 {
            return Ok(());
        }
        match self.backend.interface_exists(index) {
            Ok(true) | Err(Error::Unsupported(_)) => Ok(()),
            Ok(false) => Err(Error::InvalidArgument(
                op,
                InvalidArgument::NoSuchInterface(index),
            )),
            Err(e) => Err(e),
        }
    }

    fn any_source(
        &self,
        option: SocketOption,
        ifindex: Option<u32>,
        group: Ipv6Addr,
    ) -> Result<()> {
        let op = Operation::Set(option);
        let interface = validate::interface(op, ifindex)?;
        validate::group(op, group)?;
        self.check_interface_exists(op, interface)?;
        let value = OptionValue::Membership(Group { interface, group });
        self.backend.set(option, value)
    }

    fn source_specific(
        &self,
        option: SocketOption,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        let op = Operation::Set(option);
        let interface = validate::interface(op, ifindex)?;
        validate::group(op, group)?;
        validate::source(op, source)?;
        self.check_interface_exists(op, interface)?;
        let group = Group { interface, group };
        self.backend
            .set(option, OptionValue::SourceMembership { group, source })
    }
}
