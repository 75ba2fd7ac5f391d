//! [`ipv6_core::SocketBackend`] over raw `libc` system calls, for Linux and
//! Android, FreeBSD, NetBSD, OpenBSD, DragonFly BSD, macOS and illumos.
//!
//! [`Socket`] wraps anything that lends a file descriptor ([`AsFd`]): a std
//! `UdpSocket` or `TcpStream`, an `OwnedFd`, a `BorrowedFd`, a socket2 or
//! tokio socket. It never closes or reconfigures the descriptor beyond the
//! option you set. [`packet_conn`] and [`conn`] give Go's `ipv6.PacketConn`
//! and `ipv6.Conn` in one call:
//!
//! ```no_run
//! use std::net::UdpSocket;
//! use ipv6_core::ControlFlags;
//!
//! let socket = UdpSocket::bind("[::1]:0")?;
//! let pc = ipv6_backend_libc::packet_conn(&socket)?;
//! pc.set_control_message(ControlFlags::HOP_LIMIT | ControlFlags::DST, true)?;
//! let mut buf = [0u8; 1500];
//! let (n, cm, from) = pc.read_from(&mut buf)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Go's package overview, with this backend
//!
//! `ipv6_core`'s crate documentation ports Go's overview (unicasting,
//! multicasting, more multicasting, source-specific multicasting) generic
//! over the backend; here it is with real sockets. Go's `*net.Interface`
//! is an index from [`interface_index`].
//!
//! **Unicasting.** Mark every packet of an accepted TCP connection as AF11
//! (Go's `ipv6.NewConn(c).SetTrafficClass(0x28)`):
//!
//! ```no_run
//! use std::io::Write;
//! use std::net::TcpListener;
//!
//! let ln = TcpListener::bind("[::]:1024")?;
//! for c in ln.incoming() {
//!     let mut c = c?;
//!     ipv6_backend_libc::conn(&c)?.set_traffic_class(0x28)?;
//!     c.write_all(b"data")?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Multicasting.** Listen, join the group on two interfaces, learn each
//! packet's destination, answer unicast and multicast:
//!
//! ```no_run
//! use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
//! use ipv6_core::{ControlFlags, ControlMessage};
//!
//! let en0 = ipv6_backend_libc::interface_index("en0")?;
//! let en1 = ipv6_backend_libc::interface_index("en1")?;
//! let group: Ipv6Addr = "ff02::114".parse()?;
//! let c = UdpSocket::bind("[::]:1024")?;
//! let p = ipv6_backend_libc::packet_conn(&c)?;
//! p.join_group(Some(en0), group)?;
//! p.join_group(Some(en1), group)?;
//! p.set_control_message(ControlFlags::DST, true)?;
//! let mut b = [0u8; 1500];
//! loop {
//!     let (n, rcm, src) = p.read_from(&mut b)?;
//!     if rcm.dst.is_some_and(|d| d.is_multicast() && d != group) {
//!         continue; // unknown group, discard
//!     }
//!     p.set_hop_limit(16)?;
//!     p.write_to(&b[..n], None, src.as_ref())?;
//!     let dst = SocketAddrV6::new(group, 1024, 0, 0);
//!     for ifindex in [en0, en1] {
//!         let wcm = ControlMessage { traffic_class: Some(0xe0), hop_limit: Some(1), if_index: ifindex, ..Default::default() };
//!         p.write_to(&b[..n], Some(&wcm), Some(&dst))?;
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **More multicasting** (several groups, leave and rejoin) and
//! **source-specific multicasting** (include and exclude modes) are the
//! same calls on the same `PacketConn`:
//!
//! ```no_run
//! # use std::net::UdpSocket;
//! # let en0 = ipv6_backend_libc::interface_index("en0")?;
//! # let c = UdpSocket::bind("[::]:1024")?;
//! # let p = ipv6_backend_libc::packet_conn(&c)?;
//! p.join_group(Some(en0), "ff02::1:114".parse()?)?;
//! p.join_group(Some(en0), "ff02::2:114".parse()?)?;
//! p.leave_group(Some(en0), "ff02::1:114".parse()?)?;
//! let (ssm, source) = ("ff32::8000:9".parse()?, "fe80::cafe".parse()?);
//! p.join_source_specific_group(Some(en0), ssm, source)?;
//! p.leave_source_specific_group(Some(en0), ssm, source)?;
//! p.join_group(Some(en0), ssm)?;
//! p.exclude_source_specific_group(Some(en0), ssm, "fe80::dead".parse()?)?;
//! p.leave_group(Some(en0), ssm)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Runnable programs in the spirit of Go's examples are in `examples/`
//! (`tour`, `marking_tcp`, `mdns_oneshot`, `ospf_hello`, `traceroute6`,
//! `multicast_listen`, `async_echo`); with the `tokio` feature,
//! `tokio::AsyncPacketConn` does reads and writes with
//! control messages on a tokio runtime.
//!
//! # Socket options
//!
//! Socket options reach [`Socket`] as
//! [`SocketBackend::get`](ipv6_core::SocketBackend::get) and
//! [`SocketBackend::set`](ipv6_core::SocketBackend::set) keyed by
//! [`SocketOption`](ipv6_core::SocketOption), and are driven by
//! [`Platform::HOST`](ipv6_core::Platform::HOST)'s option table: one
//! generic `setsockopt`/`getsockopt` path looks up level, name and value
//! shape, and `ipv6-core` encodes and decodes the value. An option the host
//! lacks is [`Error::Unsupported`](ipv6_core::Error::Unsupported) naming
//! `Operation::Get(option)` or `Operation::Set(option)`, before any system
//! call; a refusal by the kernel is [`Error::Os`](ipv6_core::Error::Os) with
//! the real `errno`. A datagram the kernel delivered is never an error:
//! control data that did not fit is reported in `RecvMeta::flags`
//! (`MSG_CTRUNC`). The receive and send paths allocate nothing.
//!
//! [`interfaces`], [`interface_index`] and [`interface_name`] answer the
//! questions Go's `net.Interfaces` and `net.InterfaceByName` do, in the
//! calling thread's network namespace, and fail with the crate's
//! [`Error`](ipv6_core::Error). `SocketBackend::interface_exists` answers
//! for the socket's own namespace instead (on Linux `SIOCGIFNAME` on its
//! descriptor), which `PacketConn` relies on to check interface indexes
//! when the socket was made in another namespace than the caller's.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::os::fd::{AsFd, BorrowedFd};

use ipv6_core::{Conn, PacketConn, Result};

mod backend;
mod batch;
mod interface;
mod layout_check;
mod message;
mod option;
mod sys;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use interface::{Interface, InterfaceFlags, interface_index, interface_name, interfaces};

/// A socket, seen through the raw `libc` system calls.
///
/// `F` is anything that lends a descriptor, owned or borrowed; `Socket`
/// neither closes it nor changes it except through the calls you make.
/// `Socket<F>` is `Send` and `Sync` when `F` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Socket<F: AsFd> {
    fd: F,
}

impl<F: AsFd> Socket<F> {
    /// Wraps `fd`.
    pub fn new(fd: F) -> Self {
        Socket { fd }
    }

    /// The wrapped descriptor holder.
    pub fn get_ref(&self) -> &F {
        &self.fd
    }

    /// Gives the descriptor holder back.
    pub fn into_inner(self) -> F {
        self.fd
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl<F: AsFd> AsFd for Socket<F> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Go's `ipv6.NewPacketConn` over `fd`: fails with
/// `InvalidArgument::NotIpv6Socket` unless `fd` is an `AF_INET6` socket.
pub fn packet_conn<F: AsFd>(fd: F) -> Result<PacketConn<Socket<F>>> {
    PacketConn::new(Socket::new(fd))
}

/// Go's `ipv6.NewConn` over `fd` (any IPv6 socket, TCP included).
pub fn conn<F: AsFd>(fd: F) -> Result<Conn<Socket<F>>> {
    Conn::new(Socket::new(fd))
}

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
