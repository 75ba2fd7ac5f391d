//! What [`PacketConn`] offers beyond Go's x/net/ipv6: the traffic class as
//! DSCP and ECN, don't-fragment, path MTU discovery modes, UDP segmentation
//! offload, and ICMPv6 errors from the error queue.
//!
//! Each option is a row of the option table; where the OS lacks it the call
//! fails with [`Error::Unsupported`] naming it, before any system call, and
//! nothing falls back to a different behaviour on the wire.

use core::slice;
use core::sync::atomic::Ordering;

use super::{Conn, PacketConn, get, get_int};
use crate::backend::SocketBackend;
use crate::error::{Error, Operation, Result, WireError};
use crate::errqueue::{self, QueuedError};
use crate::option::{OptionValue, SocketOption};
use crate::platform::ControlType;
use crate::tclass::{self, Dscp, Ecn};

#[cfg(doc)]
use crate::control::{ControlFlags, ControlMessage};

/// Linux's path MTU discovery modes for IPv6 sockets (`IPV6_MTU_DISCOVER`,
/// `IPV6_PMTUDISC_*` in `<linux/in6.h>`; libc `linux_like/mod.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum PmtuDiscovery {
    /// `IPV6_PMTUDISC_DONT` (0): fragment to the interface MTU, ignore
    /// Packet Too Big for sends.
    Dont = 0,
    /// `IPV6_PMTUDISC_WANT` (1, the default): use the discovered path MTU,
    /// fragmenting locally above it.
    Want = 1,
    /// `IPV6_PMTUDISC_DO` (2): never fragment; a send above the path MTU
    /// fails with `EMSGSIZE`.
    Do = 2,
    /// `IPV6_PMTUDISC_PROBE` (3): never fragment and ignore the path MTU,
    /// for probing it (RFC 8899).
    Probe = 3,
    /// `IPV6_PMTUDISC_INTERFACE` (4): use the interface MTU, ignore Packet
    /// Too Big.
    Interface = 4,
    /// `IPV6_PMTUDISC_OMIT` (5): as `Interface`, but fragment packets that
    /// exceed it.
    Omit = 5,
}

impl PmtuDiscovery {
    /// Every mode, by value.
    pub const ALL: [PmtuDiscovery; 6] = [
        PmtuDiscovery::Dont,
        PmtuDiscovery::Want,
        PmtuDiscovery::Do,
        PmtuDiscovery::Probe,
        PmtuDiscovery::Interface,
        PmtuDiscovery::Omit,
    ];

    /// The mode of an `IPV6_PMTUDISC_*` value.
    pub const fn from_raw(v: i32) -> Option<PmtuDiscovery> {
        if v >= 0 && (v as usize) < PmtuDiscovery::ALL.len() {
            Some(PmtuDiscovery::ALL[v as usize])
        } else {
            None
        }
    }
}

// `from_raw` indexes `ALL` by value: a mode listed out of order fails to
// compile.
const _: () = {
    let mut i = 0;
    while i < PmtuDiscovery::ALL.len() {
        assert!(PmtuDiscovery::ALL[i] as usize == i);
        i += 1;
    }
};

fn get_bool<B: SocketBackend>(backend: &B, option: SocketOption) -> Result<bool> {
    get(backend, option, |v| match v {
        OptionValue::Bool(on) => Some(on),
        _ => None,
    })
}

fn dscp_ecn<B: SocketBackend>(backend: &B) -> Result<(Dscp, Ecn)> {
    let tclass = get_int(backend, SocketOption::TrafficClass)?;
    // Linux reports the class in force, 0..=255; a stored -1 ("the kernel
    // default", as the BSDs may report it) is class 0.
    Ok(tclass::split(u8::try_from(tclass).unwrap_or(0)))
}

fn set_dscp_ecn<B: SocketBackend>(backend: &B, dscp: Dscp, ecn: Ecn) -> Result<()> {
    let tclass = tclass::traffic_class(dscp, ecn);
    backend.set(SocketOption::TrafficClass, OptionValue::Int(tclass.into()))
}

impl<B: SocketBackend> Conn<B> {
    /// The traffic class of outgoing packets as its two fields.
    #[doc(alias("IPV6_TCLASS", "DSCP", "ECN"))]
    pub fn dscp_ecn(&self) -> Result<(Dscp, Ecn)> {
        dscp_ecn(&self.backend)
    }

    /// Sets the traffic class of outgoing packets from its two fields:
    /// `set_dscp_ecn(Dscp::EF, Ecn::Ect0)` beside
    /// [`set_traffic_class`](Self::set_traffic_class)`(0xba)`.
    #[doc(alias("IPV6_TCLASS", "DSCP", "ECN"))]
    pub fn set_dscp_ecn(&self, dscp: Dscp, ecn: Ecn) -> Result<()> {
        set_dscp_ecn(&self.backend, dscp, ecn)
    }
}

impl<B: SocketBackend> PacketConn<B> {
    /// The traffic class of outgoing packets as its two fields.
    #[doc(alias("IPV6_TCLASS", "DSCP", "ECN"))]
    pub fn dscp_ecn(&self) -> Result<(Dscp, Ecn)> {
        dscp_ecn(&self.backend)
    }

    /// Sets the traffic class of outgoing packets from its two fields:
    /// `set_dscp_ecn(Dscp::EF, Ecn::Ect0)` beside
    /// [`set_traffic_class`](Self::set_traffic_class)`(0xba)`. Per packet,
    /// use [`ControlMessage::set_dscp_ecn`].
    #[doc(alias("IPV6_TCLASS", "DSCP", "ECN"))]
    pub fn set_dscp_ecn(&self, dscp: Dscp, ecn: Ecn) -> Result<()> {
        set_dscp_ecn(&self.backend, dscp, ecn)
    }

    /// Whether outgoing packets are never fragmented (`IPV6_DONTFRAG`).
    #[doc(alias = "IPV6_DONTFRAG")]
    pub fn dont_fragment(&self) -> Result<bool> {
        get_bool(&self.backend, SocketOption::DontFragment)
    }

    /// Forbids fragmenting outgoing packets: a send larger than the path
    /// MTU then fails with `EMSGSIZE` (RFC 3542 section 11.2). Per packet,
    /// set [`ControlMessage::dont_fragment`].
    #[doc(alias = "IPV6_DONTFRAG")]
    pub fn set_dont_fragment(&self, on: bool) -> Result<()> {
        self.backend
            .set(SocketOption::DontFragment, OptionValue::Bool(on))
    }

    /// The path MTU discovery mode (`IPV6_MTU_DISCOVER`, Linux). A value no
    /// mode has is [`Error::Wire`].
    #[doc(alias = "IPV6_MTU_DISCOVER")]
    pub fn mtu_discover(&self) -> Result<PmtuDiscovery> {
        let option = SocketOption::MtuDiscover;
        let raw = get_int(&self.backend, option)?;
        PmtuDiscovery::from_raw(raw).ok_or(Error::Wire(
            Operation::Get(option),
            WireError::ValueOutOfRange,
        ))
    }

    /// Sets the path MTU discovery mode (`IPV6_MTU_DISCOVER`, Linux).
    #[doc(alias = "IPV6_MTU_DISCOVER")]
    pub fn set_mtu_discover(&self, mode: PmtuDiscovery) -> Result<()> {
        self.backend
            .set(SocketOption::MtuDiscover, OptionValue::Int(mode as i32))
    }

    /// Whether ICMPv6 errors are queued for [`read_error`](Self::read_error)
    /// (`IPV6_RECVERR`, Linux).
    #[doc(alias = "IPV6_RECVERR")]
    pub fn receive_errors(&self) -> Result<bool> {
        get_bool(&self.backend, SocketOption::ReceiveErrors)
    }

    /// Queues ICMPv6 errors about this socket's datagrams (Packet Too Big,
    /// Time Exceeded, Destination Unreachable) and local send errors for
    /// [`read_error`](Self::read_error) (`IPV6_RECVERR`, Linux). With it on,
    /// such an error also fails the next send on a connected socket.
    #[doc(alias = "IPV6_RECVERR")]
    pub fn set_receive_errors(&self, on: bool) -> Result<()> {
        self.backend
            .set(SocketOption::ReceiveErrors, OptionValue::Bool(on))
    }

    /// The segment size of every send without its own (`UDP_SEGMENT`, GSO;
    /// `None`: off). Answering at all tells that the kernel segments UDP:
    /// [`Error::Unsupported`] where the OS has no GSO, `ENOPROTOOPT` from a
    /// Linux kernel before 4.18.
    #[doc(alias("UDP_SEGMENT", "GSO"))]
    pub fn gso_segment_size(&self) -> Result<Option<u16>> {
        let size = get_int(&self.backend, SocketOption::GsoSegmentSize)?;
        Ok(u16::try_from(size).ok().filter(|&s| s != 0))
    }

    /// Sets the segment size of every send without its own (`UDP_SEGMENT`):
    /// the kernel, or the NIC, cuts each payload into datagrams of this
    /// size, the last one possibly shorter. Per send, set
    /// [`ControlMessage::segment_size`].
    #[doc(alias("UDP_SEGMENT", "GSO"))]
    pub fn set_gso_segment_size(&self, size: Option<u16>) -> Result<()> {
        let size = size.map_or(0, i32::from);
        self.backend
            .set(SocketOption::GsoSegmentSize, OptionValue::Int(size))
    }

    /// Whether received datagrams may be coalesced (`UDP_GRO`, Linux).
    #[doc(alias("UDP_GRO", "GRO"))]
    pub fn gro(&self) -> Result<bool> {
        get_bool(&self.backend, SocketOption::ReceiveSegmentSize)
    }

    /// Lets the kernel coalesce received datagrams of one flow and size
    /// into one buffer (`UDP_GRO`, Linux 5.0): each read then returns up to
    /// [`MAX_COALESCED_LEN`](super::MAX_COALESCED_LEN) bytes, and
    /// [`Received`](super::Received)`.control.segment_size` tells the size
    /// of the datagrams in it (`None`: one datagram, not coalesced). Split
    /// the buffer with `chunks(segment_size)`.
    ///
    /// While it is on, reads into buffers smaller than `MAX_COALESCED_LEN`
    /// are [`InvalidArgument::ReceiveBufferTooSmall`](crate::InvalidArgument)
    /// before any system call: the kernel would discard the datagrams that
    /// did not fit. [`Error::Unsupported`] where the OS has no GRO.
    #[doc(alias("UDP_GRO", "GRO"))]
    pub fn set_gro(&self, on: bool) -> Result<()> {
        // Serialised with other changes of what reads make room for.
        let _guard = self.flag_lock.lock();
        self.backend
            .set(SocketOption::ReceiveSegmentSize, OptionValue::Bool(on))?;
        // After the kernel: a read racing this sees the old state and at
        // worst reports a truncated control record, never loses data.
        self.gro.store(on, Ordering::Relaxed);
        Ok(())
    }

    /// Reads one entry of the error queue into `buf` (Linux, with
    /// [`set_receive_errors`](Self::set_receive_errors) on): the ICMPv6
    /// error or local error, the destination of the datagram that caused
    /// it, and the start of that datagram.
    ///
    /// Never waits: an empty queue fails with the OS's `EAGAIN`
    /// ([`Error::Os`]). Where the OS has no error queue it is
    /// [`Error::Unsupported`]`(`[`Operation::RecvError`]`)`. Like a
    /// datagram, an entry the kernel handed over is always returned:
    /// control data that did not decode is reported in it.
    #[doc(alias("MSG_ERRQUEUE", "IPV6_RECVERR"))]
    pub fn read_error(&self, buf: &mut [u8]) -> Result<QueuedError> {
        const OP: Operation = Operation::RecvError;
        let platform = self.backend.platform();
        if platform.cmsg(ControlType::RecvErr).is_none() {
            return Err(Error::Unsupported(OP));
        }
        let mut control = errqueue::ErrorBuffer::new();
        let capacity = buf.len();
        let meta = self
            .backend
            .recv_error(slice::from_mut(&mut &mut *buf), &mut control.0)?;
        Ok(QueuedError::decode(platform, &meta, &control.0, capacity))
    }
}
