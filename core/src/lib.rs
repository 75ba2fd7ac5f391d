//! IPv6 socket facilities as pure data and pure functions.
//!
//! `ipv6-core` is the portable half of an IPv6 socket library with the scope
//! of Go's `golang.org/x/net/ipv6`: it parses and emits IPv6 headers, encodes
//! and decodes RFC 3542 control messages and ICMPv6 filters for any
//! operating system's layout (see [`Platform`]), and provides [`Conn`] and
//! [`PacketConn`] over any [`SocketBackend`]. It is `no_std`, allocates
//! nothing, and forbids `unsafe_code`; the backends
//! (`ipv6-backend-libc`, `ipv6-backend-rustix`) make the system calls.
//!
//! # Overview (Go's package documentation, ported)
//!
//! The library provides IP-level socket options that allow manipulation
//! of IPv6 facilities. The IPv6 protocol is defined in RFC 8200; socket
//! interface extensions in RFC 3493, RFC 3542 and RFC 3678; MLDv1 and
//! MLDv2 in RFC 2710 and RFC 3810; source-specific multicast in RFC 4607.
//!
//! The examples below are generic over the [`SocketBackend`] `B`, as code
//! in this crate is; with a backend they read the same:
//! `ipv6_backend_libc::packet_conn(&socket)?` gives a
//! `PacketConn<ipv6_backend_libc::Socket<&UdpSocket>>`. Interfaces are
//! indexes (`ipv6_backend_libc::interface_index("en0")?`): `Some(index)`
//! where Go passes a `*net.Interface`, `None` where it passes `nil`.
//!
//! ## Unicasting
//!
//! The options for unicasting are available for TCP, UDP and raw sockets
//! that use the IPv6 transport. When a single TCP connection carrying a
//! data flow of multiple packets needs to indicate the flow is important,
//! [`Conn`] is used to set the traffic class field on the IPv6 header for
//! each packet:
//!
//! ```
//! use ipv6_core::{Conn, Result, SocketBackend};
//!
//! // For each accepted connection (its backend socket):
//! fn mark<B: SocketBackend>(accepted: B) -> Result<Conn<B>> {
//!     let conn = Conn::new(accepted)?;
//!     // The outgoing packets will be labeled DiffServ assured forwarding
//!     // class 1 low drop precedence, known as AF11 packets.
//!     conn.set_traffic_class(0x28)?;
//!     Ok(conn)
//! }
//! ```
//!
//! ## Multicasting
//!
//! The options for multicasting are available for UDP and raw sockets that
//! use the IPv6 transport. A few network facilities must be prepared
//! before you begin multicasting, at a minimum joining network interfaces
//! and multicast groups.
//!
//! First, an application listens to an appropriate address with an
//! appropriate service port (`UdpSocket::bind("[::]:1024")`). Second, it
//! joins multicast groups, starting to listen to the groups on the given
//! interfaces. The service port does not matter for this: joining groups
//! affects only network and link layer protocols, such as IPv6 and
//! Ethernet.
//!
//! The application might set per-packet control message transmissions
//! between the protocol stack within the kernel. When it needs the
//! destination address of an incoming packet,
//! [`PacketConn::set_control_message`] enables the transmission, and the
//! control message that comes with each packet tells whether it is of
//! interest. The application can also send both unicast and multicast
//! packets, with per-packet fields:
//!
//! ```
//! use core::net::{Ipv6Addr, SocketAddrV6};
//! use ipv6_core::{ControlFlags, ControlMessage, PacketConn, Result, SocketBackend};
//!
//! fn serve<B: SocketBackend>(socket: B, en0: u32, en1: u32) -> Result<()> {
//!     let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x114);
//!     let p = PacketConn::new(socket)?;
//!     p.join_group(Some(en0), group)?;
//!     p.join_group(Some(en1), group)?;
//!     p.set_control_message(ControlFlags::DST, true)?;
//!
//!     let mut b = [0u8; 1500];
//!     loop {
//!         let (n, rcm, src) = p.read_from(&mut b)?;
//!         if rcm.dst.is_some_and(|dst| dst.is_multicast() && dst != group) {
//!             continue; // unknown group, discard
//!         }
//!         p.set_traffic_class(0x0)?;
//!         p.set_hop_limit(16)?;
//!         p.write_to(&b[..n], None, src.as_ref())?;
//!         let dst = SocketAddrV6::new(group, 1024, 0, 0);
//!         for interface in [en0, en1] {
//!             let wcm = ControlMessage {
//!                 traffic_class: Some(0xe0),
//!                 hop_limit: Some(1),
//!                 if_index: interface,
//!                 ..ControlMessage::default()
//!             };
//!             p.write_to(&b[..n], Some(&wcm), Some(&dst))?;
//!         }
//!     }
//! }
//! ```
//!
//! ## More multicasting
//!
//! A [`PacketConn`] may join multiple multicast groups. For example, a UDP
//! listener on port 1024 might join two different groups across two
//! different interfaces. Several listeners on the same UDP port (sockets
//! with `SO_REUSEADDR`, e.g. from `socket2`) may join the same group, each
//! receiving a copy. A group can be left and another joined at any time:
//!
//! ```
//! use core::net::Ipv6Addr;
//! use ipv6_core::{PacketConn, Result, SocketBackend};
//!
//! fn regroup<B: SocketBackend>(p: &PacketConn<B>, en0: u32, en1: u32) -> Result<()> {
//!     let g1: Ipv6Addr = "ff02::1:114".parse().unwrap();
//!     let g2: Ipv6Addr = "ff02::2:114".parse().unwrap();
//!     p.join_group(Some(en0), g1)?;
//!     p.join_group(Some(en0), g2)?;
//!     p.join_group(Some(en1), g2)?;
//!     p.leave_group(Some(en0), g1)?;
//!     p.join_group(Some(en0), "ff01::114".parse().unwrap())?;
//!     Ok(())
//! }
//! ```
//!
//! ## Source-specific multicasting
//!
//! A [`PacketConn`] on a platform with MLDv2 can join source-specific
//! groups: [`join_source_specific_group`](PacketConn::join_source_specific_group)
//! and [`leave_source_specific_group`](PacketConn::leave_source_specific_group)
//! for the "include" mode, or [`join_group`](PacketConn::join_group),
//! [`exclude_source_specific_group`](PacketConn::exclude_source_specific_group),
//! [`include_source_specific_group`](PacketConn::include_source_specific_group)
//! and [`leave_group`](PacketConn::leave_group) for the "exclude" mode:
//!
//! ```
//! use core::net::Ipv6Addr;
//! use ipv6_core::{PacketConn, Result, SocketBackend};
//!
//! fn ssm<B: SocketBackend>(p: &PacketConn<B>, en0: u32) -> Result<()> {
//!     let group: Ipv6Addr = "ff32::8000:9".parse().unwrap();
//!     let source: Ipv6Addr = "fe80::cafe".parse().unwrap();
//!     // Include mode: only `source`'s traffic.
//!     p.join_source_specific_group(Some(en0), group, source)?;
//!     p.leave_source_specific_group(Some(en0), group, source)?;
//!     // Exclude mode: everyone's but `excluded`'s.
//!     let excluded: Ipv6Addr = "fe80::dead".parse().unwrap();
//!     p.join_group(Some(en0), group)?;
//!     p.exclude_source_specific_group(Some(en0), group, excluded)?;
//!     p.leave_group(Some(en0), group)?;
//!     Ok(())
//! }
//! ```
//!
//! What happens on a platform without MLDv2 depends on it: in general it
//! falls back to MLDv1 and listens to all of the group's traffic, and
//! exclude/include may fail. NetBSD, OpenBSD and DragonFly have no
//! source-specific API at all: these calls fail with
//! [`Error::Unsupported`].
//!
//! ## Beyond Go
//!
//! Every argument is checked before the system call, with a typed
//! [`InvalidArgument`]; a received datagram always reaches the caller, with
//! problems in its control data reported beside it ([`Received`]); errors
//! name the method, the C option, the errno and, where certain, the cause
//! ([`Error::hint`]); [`ControlMessage::reply_to`] builds a multi-homed
//! server's reply; every per-OS layout is data ([`Platform`]), so any
//! build encodes any OS's bytes; nothing allocates. With
//! `ipv6-backend-libc`'s `tokio` feature, reads and writes with control
//! messages are `async`.
//!
//! # Targets
//!
//! The wire modules ([`header`], [`exthdr`], [`cmsg`], [`control`],
//! [`icmp`], [`filter`], [`sockaddr`], [`platform`], [`option`], [`tclass`],
//! [`errqueue`]) build for
//! every target, `thumbv6m-none-eabi` and `riscv32imc-unknown-none-elf`
//! included. [`Conn`] and [`PacketConn`] need 32-bit atomic
//! compare-and-swap (`cfg(target_has_atomic = "32")`) for the lock that
//! serialises `set_control_message`; on targets without it the [`conn`]
//! module is left out rather than emulated.
//!
//! # Features
//!
//! - `std`: `From<Error> for std::io::Error`, a sleeping lock in
//!   `PacketConn`, and [`SocketBackend`] for `Box<T>` and `Arc<T>` (so
//!   `PacketConn<Box<dyn SocketBackend>>` can choose its backend at run time).
//! - `arbitrary`: `arbitrary::Arbitrary` for the value types, for fuzzing.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod backend;
pub mod batch;
pub mod cmsg;
#[cfg(target_has_atomic = "32")]
pub mod conn;
pub mod control;
pub mod errno;
pub mod error;
pub mod errqueue;
pub mod exthdr;
pub mod filter;
pub mod header;
pub mod icmp;
pub mod option;
pub mod platform;
pub mod sockaddr;
pub mod tclass;

pub use backend::{
    BpfInstruction, Direction, MsgFlags, RecvMessage, RecvMeta, SendMessage, SocketBackend,
};
#[cfg(target_has_atomic = "32")]
pub use conn::{Conn, MAX_COALESCED_LEN, PacketConn, PmtuDiscovery, Received};
pub use control::{ControlBuffer, ControlFlags, ControlMessage};
pub use error::{Error, InterfaceName, InvalidArgument, Operation, Result, WireError};
pub use errqueue::{ErrorOrigin, ExtendedError, QueuedError};
pub use filter::IcmpFilter;
pub use header::{HEADER_LEN, Header, HeaderView, VERSION};
pub use icmp::IcmpType;
pub use option::{Group, OptionValue, SocketOption};
pub use platform::{Os, Platform};
pub use tclass::{Dscp, Ecn};
