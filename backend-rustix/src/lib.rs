//! [`ipv6_core::SocketBackend`] over [rustix].
//!
//! [`Socket`] drives an IPv6 socket through rustix's I/O-safe wrappers: every
//! call borrows the descriptor (`AsFd`) for its duration, option values are
//! typed, and this crate contains no `unsafe` code and makes no `libc` call
//! of its own. [`packet_conn`] and [`conn`] wrap a descriptor in
//! `ipv6_core`'s [`PacketConn`] and [`Conn`]:
//!
//! ```no_run
//! use std::net::UdpSocket;
//!
//! let socket = UdpSocket::bind("[::1]:0")?;
//! let pc = ipv6_backend_rustix::packet_conn(&socket)?;
//! pc.set_multicast_hop_limit(4)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Go's package overview
//!
//! `ipv6_core`'s crate documentation ports Go's overview (unicasting,
//! multicasting, more multicasting, source-specific multicasting) for any
//! backend, and `ipv6_backend_libc`'s shows it with real sockets; with
//! this crate the same code reads `ipv6_backend_rustix::packet_conn` and
//! `ipv6_backend_rustix::interface_index`. Multicasting with per-packet
//! control messages (which go through the libc fallback):
//!
//! ```no_run
//! use std::net::{Ipv6Addr, UdpSocket};
//! use ipv6_core::{ControlFlags, ControlMessage};
//!
//! let en0 = ipv6_backend_rustix::interface_index("en0")?;
//! let group: Ipv6Addr = "ff02::114".parse()?;
//! let c = UdpSocket::bind("[::]:1024")?;
//! let p = ipv6_backend_rustix::packet_conn(&c)?;
//! p.join_group(Some(en0), group)?;
//! // Source-specific: only fe80::cafe's traffic to ff32::8000:9.
//! p.join_source_specific_group(Some(en0), "ff32::8000:9".parse()?, "fe80::cafe".parse()?)?;
//! p.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;
//! let mut b = [0u8; 1500];
//! let (n, cm, src) = p.read_from(&mut b)?;
//! p.write_to(&b[..n], Some(&ControlMessage::reply_to(&cm)), src.as_ref())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # One `get`/`set` pair, and what rustix lacks
//!
//! Socket options reach [`Socket`] as
//! [`SocketBackend::get`](ipv6_core::SocketBackend::get) and
//! [`SocketBackend::set`](ipv6_core::SocketBackend::set) keyed by
//! [`SocketOption`](ipv6_core::SocketOption): `ipv6_core` checks the
//! value's kind and the option's direction, and the host's option table
//! refuses an option the OS lacks, before the backend matches the option to
//! a rustix wrapper. Every other pair goes to the fallback.
//!
//! rustix 1.1 has one function per socket option, so an option it has not
//! wrapped cannot be reached at all: there is no generic
//! `getsockopt`/`setsockopt`. Checked against the rustix 1.1.6 sources, it has
//! no wrapper for `IPV6_RECVPKTINFO`, `IPV6_RECVHOPLIMIT`, `IPV6_RECVPATHMTU`,
//! the `IPV6_PATHMTU` getter (`struct ip6_mtuinfo`), `IPV6_CHECKSUM`,
//! `ICMP6_FILTER`, the RFC 3678 `MCAST_*SOURCE*` options or `SO_ATTACH_FILTER`,
//! and no `recvmmsg` (listed in `rustix::not_implemented::yet`). Its
//! `sendmmsg`, `IPV6_MTU` getter and `netdevice` ioctls are Linux only.
//!
//! The default feature `libc-fallback` fills each gap by handing the call to
//! `ipv6_backend_libc::Socket` over a [`BorrowedFd`](std::os::fd::BorrowedFd)
//! of the same descriptor, built for that call alone. The system call code
//! for those operations therefore exists once, in the libc backend, with its
//! `// SAFETY:` arguments; this crate stays `#![forbid(unsafe_code)]` in both
//! builds. With `default-features = false` the crate is pure rustix (no
//! `ipv6-backend-libc`, no `libc` crate unless rustix's own backend uses it
//! off Linux) and each gap returns
//! [`Error::Unsupported`](ipv6_core::Error::Unsupported) naming its operation,
//! before any system call.
//!
//! The pure build also refuses every receive option (`set` of
//! `IPV6_RECVTCLASS`, `IPV6_RECVHOPLIMIT`, `IPV6_RECVPKTINFO`,
//! `IPV6_RECVPATHMTU`, on or off), though rustix wraps `IPV6_RECVTCLASS`: it
//! cannot receive control data (see below), so a flag that made the kernel
//! attach records would only make every later read of a `PacketConn` carry
//! data it cannot deliver. `PacketConn::set_control_message` therefore fails
//! with `Unsupported(Set(ReceiveTrafficClass))` and leaves the kernel's
//! options off, and reads keep working.
//!
//! Operations the operating system itself lacks (source-specific multicast on
//! NetBSD and OpenBSD, `SO_ATTACH_FILTER` off Linux, `recvmmsg`/`sendmmsg` on
//! Darwin) are refused in both builds, whichever backend would have tried.
//!
//! # Capabilities
//!
//! How each operation is carried out, natively, through the fallback or not
//! at all, is data: [`capability_in`] answers for any [`Build`] (an OS and
//! the feature), [`capability`] for this one, and
//! [`control_message_capability_in`] for messages carrying control data.
//! [`capability_table`] renders it for every OS as the Markdown table in the
//! README ("Backends and what each can do"), which a test keeps identical;
//! the crate's tests drive every operation of [`operations`] against the
//! kernel in both builds, so the table cannot drift from the code.
//!
//! Notes on the table:
//!
//! - `hop_limit` off Linux: rustix returns `IPV6_UNICAST_HOPS` as a `u8`.
//!   Linux resolves "default" before answering, but the KAME-derived kernels
//!   return the stored `-1`, which the cast turns into 255, a valid and wrong
//!   hop limit. So only the Linux getter is native.
//! - `path_mtu` on Linux reads `IPV6_MTU`: the kernel answers it and
//!   `IPV6_PATHMTU` from the same `dst_mtu(__sk_dst_get(sk))` and fails both
//!   with `ENOTCONN` on an unconnected socket (`do_ipv6_getsockopt` in
//!   `net/ipv6/ipv6_sockglue.c`). The BSDs have no `IPV6_MTU` getter.
//! - `join_group`/`leave_group` (rows `MCAST_JOIN_GROUP`,
//!   `MCAST_LEAVE_GROUP`) use RFC 3493 `IPV6_JOIN_GROUP` (Linux
//!   `IPV6_ADD_MEMBERSHIP`) natively, which the kernels serve with the same
//!   membership code as `MCAST_JOIN_GROUP`.
//! - `set_traffic_class`, `set_multicast_hop_limit`: rustix types these `u32`;
//!   the C `int` crosses unchanged, so `-1` still restores the default.
//! - `set_hop_limit` takes rustix's `Option<u8>`: a value outside `-1..=255`
//!   cannot reach the kernel and fails with the kernel's answer to it,
//!   `EINVAL`, as through the libc backend.
//! - A zero timeout (`set_timeout(_, Some(Duration::ZERO))`) fails with
//!   `EINVAL`, as in `std::net`: rustix refuses the zero that the kernel
//!   reads as "forever". (`PacketConn` refuses it before calling a backend.)
//! - `interface_exists` asks the socket's own network namespace
//!   (`SIOCGIFNAME` on its descriptor), as the libc backend does on Linux;
//!   [`interface_index`] asks the calling thread's, like `if_nametoindex(3)`.
//!
//! # Why control data never goes through rustix
//!
//! Sending: rustix's `SendAncillaryBuffer::push` accepts only its
//! `SendAncillaryMessage` kinds (`SCM_RIGHTS`, `SCM_CREDENTIALS`,
//! `SCM_TXTIME`); there is no way to add an `IPPROTO_IPV6` record.
//!
//! Receiving: `recvmsg` does let the kernel write IPv6 records into the
//! `RecvAncillaryBuffer`, but they cannot be read back.
//!
//! - The buffer is a `&mut [MaybeUninit<u8>]` (re-sliced to `cmsghdr`
//!   alignment). Lending it the caller's `&mut [u8]`, and reading the
//!   kernel's bytes out afterwards, are both `unsafe` conversions.
//! - The control length the kernel reports (`msg_controllen`) is stored in a
//!   private field; `RecvMsg` does not carry it.
//! - `drain()` decodes only `SCM_RIGHTS` and `SCM_CREDENTIALS` and skips every
//!   other record.
//!
//! A pre-zeroed buffer could stand in for the missing length: every record
//! the kernel writes has `cmsg_len >= CMSG_LEN(0) > 0`, and padding and the
//! untouched tail stay zero, so the first header position with `cmsg_len == 0`
//! marks the end of the kernel's data unambiguously, where `ipv6_core`'s
//! parser would otherwise report `CmsgLenTooSmall`. (Linux writes a truncated
//! last record with a clamped `cmsg_len` and omits one that cannot fit a
//! header; Darwin leaves the untruncated `cmsg_len`, which the parser reports
//! as an overrun.) The scheme is sound, but it needs those `unsafe` reads, so
//! it would only move `unsafe` code here from the libc backend. The pure
//! build therefore refuses control data: `recv_msg` with a non-empty control
//! buffer returns `Unsupported(RecvMsg)` without receiving, so no datagram is
//! consumed and its control data silently lost; and it refuses the receive
//! options that would ask the kernel for control data in the first place.
//!
//! # What rustix would need for a complete pure build
//!
//! - A way to read what `recvmsg` wrote: `RecvMsg` reporting the control
//!   length plus a `RecvAncillaryBuffer` accessor for the initialized bytes
//!   (or a constructor over `&mut [u8]`).
//! - IPv6 ancillary messages: `RecvAncillaryMessage` and
//!   `SendAncillaryMessage` variants for `IPV6_PKTINFO`, `IPV6_HOPLIMIT`,
//!   `IPV6_TCLASS`, `IPV6_NEXTHOP` (send) and `IPV6_PATHMTU` (receive), or a
//!   raw `(level, type, &[u8])` push.
//! - `recvmmsg`, and `sendmmsg` beyond Linux (FreeBSD, NetBSD, OpenBSD have
//!   both).
//! - Option wrappers: `IPV6_RECVPKTINFO`, `IPV6_RECVHOPLIMIT`,
//!   `IPV6_RECVPATHMTU`, `IPV6_PATHMTU` (`ip6_mtuinfo`), `IPV6_CHECKSUM`,
//!   `ICMP6_FILTER`/`ICMPV6_FILTER`, `MCAST_JOIN_SOURCE_GROUP`,
//!   `MCAST_LEAVE_SOURCE_GROUP`, `MCAST_BLOCK_SOURCE`,
//!   `MCAST_UNBLOCK_SOURCE`, `SO_ATTACH_FILTER`, and an
//!   `IPV6_UNICAST_HOPS` getter that keeps the BSDs' `-1`.
//! - `if_nametoindex`/`if_indextoname` (or `netdevice`) beyond Linux.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod capability;
mod fallback;
mod interface;
mod message;
mod socket;

use std::os::fd::AsFd;

use ipv6_core::{Conn, PacketConn, Platform, Result};

pub use capability::{
    Build, Capability, Target, capability, capability_in, capability_table,
    control_message_capability, control_message_capability_in, operations,
};
pub use interface::interface_index;
pub use socket::Socket;

// The option tables in `ipv6_core` must describe the kernel rustix talks to.
const _: () = assert!(Platform::HOST.af_inet6 == rustix::net::AddressFamily::INET6.as_raw());

/// A datagram or raw socket as Go's `ipv6.PacketConn`; fails with
/// `InvalidArgument::NotIpv6Socket` if `fd` is not an `AF_INET6` socket.
pub fn packet_conn<F: AsFd>(fd: F) -> Result<PacketConn<Socket<F>>> {
    PacketConn::new(Socket::new(fd))
}

/// Any IPv6 socket, TCP included, as Go's `ipv6.Conn`; fails with
/// `InvalidArgument::NotIpv6Socket` if `fd` is not an `AF_INET6` socket.
pub fn conn<F: AsFd>(fd: F) -> Result<Conn<Socket<F>>> {
    Conn::new(Socket::new(fd))
}
