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
//! # Targets
//!
//! The wire modules ([`header`], [`exthdr`], [`cmsg`], [`control`],
//! [`icmp`], [`filter`], [`sockaddr`], [`platform`], [`option`]) build for
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
pub mod exthdr;
pub mod filter;
pub mod header;
pub mod icmp;
pub mod option;
pub mod platform;
pub mod sockaddr;

pub use backend::{
    BpfInstruction, Direction, MsgFlags, RecvMessage, RecvMeta, SendMessage, SocketBackend,
};
#[cfg(target_has_atomic = "32")]
pub use conn::{Conn, PacketConn, Received};
pub use control::{ControlBuffer, ControlFlags, ControlMessage};
pub use error::{Error, InterfaceName, InvalidArgument, Operation, Result, WireError};
pub use filter::IcmpFilter;
pub use header::{HEADER_LEN, Header, HeaderView, VERSION};
pub use icmp::IcmpType;
pub use option::{Group, OptionValue, SocketOption};
pub use platform::{Os, Platform};
