//! Go's `ipv6.Conn` and `ipv6.PacketConn` over any [`SocketBackend`].
//!
//! [`Conn`] carries the unicast options every IPv6 socket has (TCP included);
//! [`PacketConn`] adds multicast, checksums, ICMPv6 and BPF filters, and
//! datagram I/O with per-packet [`ControlMessage`]s. Both own their backend:
//! when the backend owns its descriptor, the socket closes when they drop
//! (Go's `Close`); [`Conn::into_inner`] and [`PacketConn::into_inner`] hand
//! it back instead.
//!
//! Every argument is checked before the backend is called: a bad one fails
//! with [`Error::InvalidArgument`], naming the backend [`Operation`] it was
//! meant for, and the socket is left untouched. Nothing here allocates;
//! control data is encoded and decoded on the stack.
//!
//! A datagram the kernel delivered always reaches the caller with its
//! length and sender: control data that did not fit or could not be decoded
//! is reported beside it in [`Received`], never instead of it.
//!
//! Kernel refusals are [`Error::Os`] with the real `errno`, passed through
//! as `std` does: a receive interrupted by a signal (`EINTR`, which
//! `SO_RCVTIMEO` reads return even under `SA_RESTART`) or a non-blocking
//! socket with nothing to read (`EAGAIN`) is the caller's to retry, where
//! Go's runtime poller retries for it. With the `std` feature,
//! `std::io::Error::from(e).kind()` names them portably.
//!
//! # Example
//!
//! A multicast responder that answers from the address each query was sent
//! to, on the interface it arrived on (Go's `JoinGroup`, `SetControlMessage`,
//! `ReadFrom`, `WriteTo`):
//!
//! ```
//! use core::net::Ipv6Addr;
//! use ipv6_core::{ControlFlags, ControlMessage, PacketConn, Result, SocketBackend};
//!
//! fn respond<B: SocketBackend>(socket: B, ifindex: u32) -> Result<()> {
//!     let conn = PacketConn::new(socket)?;
//!     let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x114);
//!     conn.join_group(Some(ifindex), group)?;
//!     conn.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;
//!
//!     let mut buf = [0u8; 1500];
//!     loop {
//!         let (len, control, source) = conn.read_from(&mut buf)?;
//!         // From the address the query was sent to (the kernel picks one
//!         // when it was sent to the group), out of the interface it came in.
//!         let reply = ControlMessage::reply_to(&control);
//!         conn.write_to(&buf[..len], Some(&reply), source.as_ref())?;
//!     }
//! }
//! ```
//!
//! # Go → Rust
//!
//! | Go | Rust |
//! |----|------|
//! | `ipv6.NewConn(c)` | [`Conn::new`] (checks the socket is `AF_INET6`) |
//! | `ipv6.NewPacketConn(c)` | [`PacketConn::new`] |
//! | `*net.Interface` (`nil`: system's choice) | `Option<u32>` interface index (`None`: kernel's choice) |
//! | `net.Addr` group / source | [`Ipv6Addr`](core::net::Ipv6Addr) |
//! | `*ControlMessage` (`nil`: none) | `Option<&ControlMessage>` / [`ControlMessage::default`] |
//! | `SetDeadline`, `SetReadDeadline`, `SetWriteDeadline` | [`PacketConn::set_read_timeout`], [`PacketConn::set_write_timeout`], [`PacketConn::set_nonblocking`] |
//! | `Close` | drop, or `into_inner` to keep the socket |

mod extensions;
mod flag_lock;
mod io;
mod packet;
mod validate;

use core::net::SocketAddrV6;

use crate::backend::SocketBackend;
use crate::control::ControlMessage;
use crate::error::{Error, InvalidArgument, Operation, Result, WireError};
use crate::option::{OptionValue, SocketOption};

pub use extensions::PmtuDiscovery;
pub use packet::PacketConn;

/// Bytes a receive must have room for while
/// [`PacketConn::set_gro`] (`UDP_GRO`) is on: the largest UDP
/// payload, which a coalesced read can fill. Smaller buffers are
/// [`InvalidArgument::ReceiveBufferTooSmall`] before any system call, since
/// the kernel would discard what does not fit.
pub const MAX_COALESCED_LEN: usize = 65_535 - 8;

#[cfg(doc)]
use crate::control::ControlFlags;

/// Unicast options of any IPv6 socket, TCP included (Go's `ipv6.Conn`).
///
/// Each method is one backend call after its argument checks. `Conn` is
/// `Send` and `Sync` when `B` is.
#[derive(Debug)]
pub struct Conn<B> {
    backend: B,
}

impl<B: SocketBackend> Conn<B> {
    /// Wraps `backend`, checking it is an IPv6 socket.
    ///
    /// Fails with [`InvalidArgument::NotIpv6Socket`] when
    /// [`SocketBackend::socket_family`] reports a family other than the
    /// platform's `AF_INET6`. Dual-stack IPv6 sockets are IPv6 sockets and
    /// pass. A backend that cannot report the family
    /// ([`Error::Unsupported`]) is trusted; other errors are returned.
    ///
    /// Go: `ipv6.NewConn` (which checks nothing).
    #[doc(alias = "NewConn")]
    pub fn new(backend: B) -> Result<Self> {
        check_family(&backend)?;
        Ok(Conn { backend })
    }

    /// The backend, for operations this type does not wrap.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Unwraps the backend (the socket stays open).
    pub fn into_inner(self) -> B {
        self.backend
    }

    /// Traffic class of outgoing packets (`IPV6_TCLASS`).
    ///
    /// Go: `Conn.TrafficClass`.
    #[doc(alias("IPV6_TCLASS", "TrafficClass"))]
    pub fn traffic_class(&self) -> Result<i32> {
        get_int(&self.backend, SocketOption::TrafficClass)
    }

    /// Sets the traffic class of outgoing packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::TrafficClass`].
    ///
    /// Go: `Conn.SetTrafficClass`.
    #[doc(alias("IPV6_TCLASS", "SetTrafficClass"))]
    pub fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        set_traffic_class(&self.backend, tclass)
    }

    /// Hop limit of outgoing unicast packets (`IPV6_UNICAST_HOPS`): 0..=255,
    /// or -1 where the kernel reports its default that way (the BSDs).
    ///
    /// Go: `Conn.HopLimit`.
    #[doc(alias("IPV6_UNICAST_HOPS", "HopLimit"))]
    pub fn hop_limit(&self) -> Result<i32> {
        get_int(&self.backend, SocketOption::HopLimit)
    }

    /// Sets the hop limit of outgoing unicast packets: 0..=255, or -1 for the
    /// kernel default; anything else is [`InvalidArgument::HopLimit`].
    ///
    /// Go: `Conn.SetHopLimit`.
    #[doc(alias("IPV6_UNICAST_HOPS", "SetHopLimit"))]
    pub fn set_hop_limit(&self, hops: i32) -> Result<()> {
        set_hop_limit(&self.backend, hops)
    }

    /// Path MTU to the connected peer (`IPV6_PATHMTU`); the socket must be
    /// connected.
    ///
    /// Go: `Conn.PathMTU`.
    #[doc(alias("IPV6_PATHMTU", "PathMTU"))]
    pub fn path_mtu(&self) -> Result<u32> {
        path_mtu(&self.backend)
    }
}

/// A received datagram's facts (the richer form of Go's `ReadFrom` results).
///
/// The kernel consumed the datagram before anything here could fail, so
/// problems with its control data are reported in the fields beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Received {
    /// Payload bytes written to the buffers.
    pub len: usize,
    /// The IPv6 fields the [`ControlFlags`] asked for, from every record that
    /// decoded; all empty when none were asked for or the kernel reported none.
    pub control: ControlMessage,
    /// The sender, when the socket reports one (it may be IPv4-mapped on a
    /// dual-stack socket).
    pub source: Option<SocketAddrV6>,
    /// The datagram was longer than the buffers and its tail was discarded
    /// (`MSG_TRUNC`); `len` counts only the bytes kept.
    pub truncated: bool,
    /// Control data was discarded for lack of room (`MSG_CTRUNC`): a receive
    /// option is on that the control flags do not cover (set by another
    /// library, before [`PacketConn::new`], or by a concurrent
    /// [`set_control_message`](PacketConn::set_control_message)).
    pub control_truncated: bool,
    /// Control records that could not be decoded (see
    /// [`ControlMessage::parse_partial`]); the others are in `control`. A
    /// backend reporting more control bytes than it was given room for
    /// counts as one, and none of its bytes are decoded.
    pub control_undecoded: usize,
    /// The first decoding problem, when `control_undecoded` is not 0.
    pub control_error: Option<WireError>,
}

impl Received {
    /// Whether the control data arrived whole and decoded.
    pub const fn control_complete(&self) -> bool {
        !self.control_truncated && self.control_undecoded == 0
    }
}

/// `Conn::new` and `PacketConn::new`: refuse sockets known not to be IPv6.
fn check_family<B: SocketBackend>(backend: &B) -> Result<()> {
    match backend.socket_family() {
        Ok(family) if family == backend.platform().af_inet6 => Ok(()),
        Ok(family) => Err(Error::InvalidArgument(
            Operation::SocketFamily,
            InvalidArgument::NotIpv6Socket(family),
        )),
        // A backend that cannot ask the kernel gets the benefit of the doubt:
        // the first option call on a non-IPv6 socket will fail anyway.
        Err(Error::Unsupported(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reads `option`, whose value `extract` takes out of its variant. A
/// backend answering with another kind breaks the trait's contract; the
/// call then fails with [`InvalidArgument::ValueKind`].
fn get<B: SocketBackend, T>(
    backend: &B,
    option: SocketOption,
    extract: fn(OptionValue<'static>) -> Option<T>,
) -> Result<T> {
    let value = backend.get(option)?;
    extract(value).ok_or(Error::InvalidArgument(
        Operation::Get(option),
        InvalidArgument::ValueKind {
            expected: option.kind(),
            given: value.kind(),
        },
    ))
}

fn get_int<B: SocketBackend>(backend: &B, option: SocketOption) -> Result<i32> {
    get(backend, option, |v| match v {
        OptionValue::Int(v) => Some(v),
        _ => None,
    })
}

fn path_mtu<B: SocketBackend>(backend: &B) -> Result<u32> {
    get(backend, SocketOption::PathMtu, |v| match v {
        OptionValue::Mtu(v) => Some(v),
        _ => None,
    })
}

// The two unicast setters `Conn` and `PacketConn` share (Go's `genericOpt`).

fn set_traffic_class<B: SocketBackend>(backend: &B, tclass: i32) -> Result<()> {
    let option = SocketOption::TrafficClass;
    let tclass = validate::traffic_class(Operation::Set(option), tclass)?;
    backend.set(option, OptionValue::Int(tclass))
}

fn set_hop_limit<B: SocketBackend>(backend: &B, hops: i32) -> Result<()> {
    let option = SocketOption::HopLimit;
    let hops = validate::hop_limit(Operation::Set(option), hops)?;
    backend.set(option, OptionValue::Int(hops))
}
