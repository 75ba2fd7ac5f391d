//! [`ipv6_core::SocketBackend`] over raw `libc` system calls, for Linux,
//! FreeBSD, NetBSD, OpenBSD and macOS.
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
