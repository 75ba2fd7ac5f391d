//! IPv6 socket facilities as pure data and pure functions.
//!
//! `ipv6-core` is the portable half of an IPv6 socket library with the scope
//! of Go's `golang.org/x/net/ipv6`: it parses and emits IPv6 headers, encodes
//! and decodes RFC 3542 control messages and ICMPv6 filters for any
//! operating system's layout (see [`Platform`]), and provides [`Conn`] and
//! [`PacketConn`] over any [`SocketBackend`]. It is `no_std`, allocates
//! nothing, and forbids `unsafe_code`; the backends
//! (`ipv6-backend-libc`, `ipv6-backend-rustix`) make the system calls.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod backend;
pub mod cmsg;
pub mod conn;
pub mod control;
pub mod error;
pub mod exthdr;
pub mod filter;
pub mod header;
pub mod icmp;
pub mod platform;
pub mod sockaddr;

pub use backend::{
    BpfInstruction, MsgFlags, ReceiveOption, RecvMessage, RecvMeta, SendMessage, SocketBackend,
};
pub use conn::{Conn, PacketConn, Received};
pub use control::{ControlFlags, ControlMessage};
pub use error::{Error, InvalidArgument, Operation, Result, WireError};
pub use filter::IcmpFilter;
pub use header::{HEADER_LEN, Header, HeaderView, VERSION};
pub use icmp::IcmpType;
pub use platform::{Os, Platform};
