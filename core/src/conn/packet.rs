//! [`PacketConn`] and its socket options.

use core::net::Ipv6Addr;
use core::sync::atomic::{AtomicU32, Ordering};

use super::flag_lock::FlagLock;
use super::{check_family, validate};
use crate::backend::{BpfInstruction, ReceiveOption, SocketBackend};
use crate::control::ControlFlags;
use crate::error::{Error, InvalidArgument, Operation, Result};
use crate::filter::IcmpFilter;

/// Datagram and raw sockets (Go's `ipv6.PacketConn`).
///
/// Besides the options, a `PacketConn` remembers which per-packet fields
/// [`set_control_message`](Self::set_control_message) asked the kernel for,
/// to size the control buffer of each receive. That state is one atomic word,
/// so a `PacketConn` is `Send + Sync` whenever `B` is and may be shared
/// between threads without a lock.
#[derive(Debug)]
pub struct PacketConn<B> {
    pub(super) backend: B,
    /// [`ControlFlags`] bits whose receive option is on.
    flags: AtomicU32,
    /// Held while the kernel's receive options and `flags` change together.
    flag_lock: FlagLock,
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
const RECEIVE_OPTIONS: [(ControlFlags, ReceiveOption); 4] = [
    (ControlFlags::TRAFFIC_CLASS, ReceiveOption::TrafficClass),
    (ControlFlags::HOP_LIMIT, ReceiveOption::HopLimit),
    (
        ControlFlags::DST.union(ControlFlags::INTERFACE),
        ReceiveOption::PacketInfo,
    ),
    (ControlFlags::PATH_MTU, ReceiveOption::PathMtu),
];

/// The four source-specific membership operations share one shape.
type SourceGroupCall<B> = fn(&B, u32, Ipv6Addr, Ipv6Addr) -> Result<()>;

impl<B: SocketBackend> PacketConn<B> {
    /// Wraps `backend`, checking it is an IPv6 socket; no control flags are set.
    ///
    /// Fails with [`InvalidArgument::NotIpv6Socket`] when
    /// [`SocketBackend::socket_family`] reports a family other than the
    /// platform's `AF_INET6`. Dual-stack IPv6 sockets pass. A backend that
    /// cannot report the family ([`Error::Unsupported`]) is trusted; other
    /// errors are returned.
    ///
    /// Go: `ipv6.NewPacketConn` (which checks nothing).
    pub fn new(backend: B) -> Result<Self> {
        check_family(&backend)?;
        Ok(PacketConn {
            backend,
            flags: AtomicU32::new(0),
            flag_lock: FlagLock::new(),
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
    pub fn traffic_class(&self) -> Result<i32> {
        self.backend.traffic_class()
    }

    /// Sets the traffic class of outgoing packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::TrafficClass`].
    ///
    /// Go: `PacketConn.SetTrafficClass`.
    pub fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        super::set_traffic_class(&self.backend, tclass)
    }

    /// Hop limit of outgoing unicast packets (`IPV6_UNICAST_HOPS`).
    ///
    /// Go: `PacketConn.HopLimit`.
    pub fn hop_limit(&self) -> Result<i32> {
        self.backend.hop_limit()
    }

    /// Sets the hop limit of outgoing unicast packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::HopLimit`].
    ///
    /// Go: `PacketConn.SetHopLimit`.
    pub fn set_hop_limit(&self, hops: i32) -> Result<()> {
        super::set_hop_limit(&self.backend, hops)
    }

    /// Hop limit of outgoing multicast packets (`IPV6_MULTICAST_HOPS`).
    ///
    /// Go: `PacketConn.MulticastHopLimit`.
    pub fn multicast_hop_limit(&self) -> Result<i32> {
        self.backend.multicast_hop_limit()
    }

    /// Sets the hop limit of outgoing multicast packets: 0..=255, or -1 for
    /// the kernel default; anything else is [`InvalidArgument::HopLimit`].
    ///
    /// Go: `PacketConn.SetMulticastHopLimit`.
    pub fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        let hops = validate::hop_limit(Operation::SetMulticastHopLimit, hops)?;
        self.backend.set_multicast_hop_limit(hops)
    }

    /// Interface index outgoing multicast leaves by (`IPV6_MULTICAST_IF`);
    /// `None` when no interface is set and the kernel chooses.
    ///
    /// Go: `PacketConn.MulticastInterface`, which fails instead of returning
    /// `nil` when none is set.
    pub fn multicast_interface(&self) -> Result<Option<u32>> {
        let index = self.backend.multicast_interface()?;
        Ok((index != 0).then_some(index))
    }

    /// Sets the interface outgoing multicast leaves by; `None` lets the
    /// kernel choose.
    ///
    /// `Some(0)` is [`InvalidArgument::InterfaceIndexZero`]; an index no
    /// interface has is [`InvalidArgument::NoSuchInterface`] (checked when
    /// the backend implements [`SocketBackend::interface_exists`], otherwise
    /// left to the kernel).
    ///
    /// Go: `PacketConn.SetMulticastInterface`.
    pub fn set_multicast_interface(&self, ifindex: Option<u32>) -> Result<()> {
        const OP: Operation = Operation::SetMulticastInterface;
        let index = validate::interface(OP, ifindex)?;
        self.check_interface_exists(OP, index)?;
        self.backend.set_multicast_interface(index)
    }

    /// Whether outgoing multicast is looped back to local listeners
    /// (`IPV6_MULTICAST_LOOP`).
    ///
    /// Go: `PacketConn.MulticastLoopback`.
    pub fn multicast_loopback(&self) -> Result<bool> {
        self.backend.multicast_loopback()
    }

    /// Sets whether outgoing multicast is looped back to local listeners.
    ///
    /// Go: `PacketConn.SetMulticastLoopback`.
    pub fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        self.backend.set_multicast_loopback(on)
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
    pub fn join_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        self.any_source(Operation::JoinGroup, ifindex, group, B::join_group)
    }

    /// Leaves `group` on interface `ifindex`, whether it was joined for any
    /// source or for specific ones. Arguments are checked as in
    /// [`join_group`](Self::join_group).
    ///
    /// Go: `PacketConn.LeaveGroup`.
    pub fn leave_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        self.any_source(Operation::LeaveGroup, ifindex, group, B::leave_group)
    }

    /// Joins `group` on interface `ifindex` for traffic from `source` only
    /// (`MCAST_JOIN_SOURCE_GROUP`, RFC 3678).
    ///
    /// `source` must be a unicast IPv6 address
    /// ([`InvalidArgument::BadSource`], [`InvalidArgument::Ipv4Mapped`]);
    /// the rest is checked as in [`join_group`](Self::join_group).
    ///
    /// Go: `PacketConn.JoinSourceSpecificGroup`.
    pub fn join_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(
            Operation::JoinSourceGroup,
            ifindex,
            group,
            source,
            B::join_source_group,
        )
    }

    /// Stops receiving `group` from `source` (`MCAST_LEAVE_SOURCE_GROUP`).
    /// Arguments are checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.LeaveSourceSpecificGroup`.
    pub fn leave_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(
            Operation::LeaveSourceGroup,
            ifindex,
            group,
            source,
            B::leave_source_group,
        )
    }

    /// Mutes `source` in an any-source `group` joined with
    /// [`join_group`](Self::join_group) (`MCAST_BLOCK_SOURCE`). Arguments are
    /// checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.ExcludeSourceSpecificGroup`.
    pub fn exclude_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(
            Operation::BlockSource,
            ifindex,
            group,
            source,
            B::block_source,
        )
    }

    /// Unmutes a `source` muted by
    /// [`exclude_source_specific_group`](Self::exclude_source_specific_group)
    /// (`MCAST_UNBLOCK_SOURCE`). Arguments are checked as in
    /// [`join_source_specific_group`](Self::join_source_specific_group).
    ///
    /// Go: `PacketConn.IncludeSourceSpecificGroup`.
    pub fn include_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        self.source_specific(
            Operation::UnblockSource,
            ifindex,
            group,
            source,
            B::unblock_source,
        )
    }

    /// Where in the payload the kernel computes, stores and verifies a
    /// checksum (`IPV6_CHECKSUM`, raw sockets); `None` when it does not.
    ///
    /// Go: `PacketConn.Checksum` (`on == false` is `None`).
    pub fn checksum(&self) -> Result<Option<u32>> {
        let offset = self.backend.checksum()?;
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
    pub fn set_checksum(&self, offset: Option<u32>) -> Result<()> {
        let offset = validate::checksum_offset(Operation::SetChecksum, offset)?;
        self.backend.set_checksum(offset)
    }

    /// The ICMPv6 types this raw ICMPv6 socket blocks (`ICMP6_FILTER`).
    ///
    /// Go: `PacketConn.ICMPFilter`.
    pub fn icmp_filter(&self) -> Result<IcmpFilter> {
        self.backend.icmp_filter()
    }

    /// Sets the ICMPv6 types this raw ICMPv6 socket blocks.
    ///
    /// Go: `PacketConn.SetICMPFilter`.
    pub fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        self.backend.set_icmp_filter(filter)
    }

    /// Attaches a classic BPF program (`SO_ATTACH_FILTER`, Linux). The
    /// program must hold 1..=[`BPF_MAX_INSTRUCTIONS`] instructions
    /// ([`InvalidArgument::BpfProgramLength`]).
    ///
    /// [`BPF_MAX_INSTRUCTIONS`]: crate::backend::BPF_MAX_INSTRUCTIONS
    ///
    /// Go: `PacketConn.SetBPF`.
    pub fn set_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        validate::bpf_program(Operation::AttachBpf, program)?;
        self.backend.attach_bpf(program)
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
    /// never disagree; reads and writes do not wait for it.
    ///
    /// Go: `PacketConn.SetControlMessage`.
    pub fn set_control_message(&self, flags: ControlFlags, on: bool) -> Result<()> {
        let _guard = self.flag_lock.lock();
        for (bits, option) in RECEIVE_OPTIONS {
            let requested = flags & bits;
            if requested.is_empty() {
                continue;
            }
            self.backend.set_receive_option(option, on)?;
            if on {
                self.flags.fetch_or(requested.bits(), Ordering::Relaxed);
            } else {
                self.flags.fetch_and(!requested.bits(), Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// Asks the backend whether interface `index` exists (0: kernel's
    /// choice, nothing to check). Backends that cannot tell leave the
    /// question to the kernel.
    fn check_interface_exists(&self, op: Operation, index: u32) -> Result<()> {
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
        op: Operation,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        call: fn(&B, u32, Ipv6Addr) -> Result<()>,
    ) -> Result<()> {
        let index = validate::interface(op, ifindex)?;
        validate::group(op, group)?;
        self.check_interface_exists(op, index)?;
        call(&self.backend, index, group)
    }

    fn source_specific(
        &self,
        op: Operation,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
        call: SourceGroupCall<B>,
    ) -> Result<()> {
        let index = validate::interface(op, ifindex)?;
        validate::group(op, group)?;
        validate::source(op, source)?;
        self.check_interface_exists(op, index)?;
        call(&self.backend, index, group, source)
    }
}
