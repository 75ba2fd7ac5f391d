//! The [`SocketBackend`] trait: the kernel operations `Conn` and
//! `PacketConn` are built on.
//!
//! A backend is a thin shim over a system-call layer (raw `libc`, `rustix`).
//! It receives arguments already validated by [`Conn`](crate::Conn) and
//! [`PacketConn`](crate::PacketConn) and encodes nothing itself beyond what
//! its system-call layer demands: layouts come from its [`Platform`].
//!
//! The trait is small on purpose: socket options go through one
//! [`get`](SocketBackend::get)/[`set`](SocketBackend::set) pair keyed by
//! [`SocketOption`], so a new option is a table row, not a new method. No
//! method has a default body: a backend says what it cannot do, in its own
//! code, by returning [`Error::Unsupported`]. The trait is dyn-compatible,
//! so `PacketConn<Box<dyn SocketBackend>>` can pick its backend at run time.

use core::net::SocketAddrV6;
use core::time::Duration;

use crate::error::{Error, InvalidArgument, Operation, Result};
use crate::option::{OptionValue, SocketOption};
use crate::platform::Platform;

/// Most scatter/gather buffers one message may carry through a backend.
///
/// Backends build their `iovec` arrays on the stack; 16 covers any realistic
/// header/payload split without allocating.
pub const MAX_IOV: usize = 16;

/// Refuses more than [`MAX_IOV`] scatter/gather buffers for `op`
/// ([`InvalidArgument::TooManyBuffers`]): `PacketConn` checks this before
/// calling a backend, and backends before filling their stack `iovec` arrays.
pub fn check_buffer_count(op: Operation, given: usize) -> Result<()> {
    if given > MAX_IOV {
        return Err(Error::InvalidArgument(
            op,
            InvalidArgument::TooManyBuffers {
                given,
                max: MAX_IOV,
            },
        ));
    }
    Ok(())
}

bitflags::bitflags! {
    /// Flags the kernel returns with a received message (`msg_flags`), decoded
    /// to platform-independent bits.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MsgFlags: u8 {
        /// `MSG_TRUNC`: the datagram was longer than the buffers.
        const TRUNCATED = 1;
        /// `MSG_CTRUNC`: control data was discarded for lack of space.
        const CONTROL_TRUNCATED = 2;
    }
}

/// What a backend reports about one received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvMeta {
    /// Payload bytes written to the buffers.
    pub len: usize,
    /// Control bytes written to the control buffer.
    pub control_len: usize,
    /// The sender, if the socket reported an IPv6 (or IPv4-mapped) address.
    pub source: Option<SocketAddrV6>,
    /// Truncation flags.
    pub flags: MsgFlags,
}

/// One message of a batch receive (Go's `Message` on the read side).
#[derive(Debug)]
pub struct RecvMessage<'a> {
    /// Where the payload goes.
    pub buffer: &'a mut [u8],
    /// Where control data goes; may be empty.
    pub control: &'a mut [u8],
    /// Filled by the receive: lengths, sender and flags.
    pub meta: RecvMeta,
}

impl<'a> RecvMessage<'a> {
    /// A message receiving into `buffer` and `control`.
    pub fn new(buffer: &'a mut [u8], control: &'a mut [u8]) -> Self {
        RecvMessage {
            buffer,
            control,
            meta: RecvMeta::default(),
        }
    }
}

/// One message of a batch send (Go's `Message` on the write side).
#[derive(Debug, Clone)]
pub struct SendMessage<'a> {
    /// The payload.
    pub buffer: &'a [u8],
    /// Encoded control data (see [`ControlMessage::marshal`](crate::ControlMessage::marshal)); may be empty.
    pub control: &'a [u8],
    /// Destination; `None` on a connected socket.
    pub destination: Option<SocketAddrV6>,
    /// Filled by the send: bytes sent.
    pub sent: usize,
}

impl<'a> SendMessage<'a> {
    /// A message sending `buffer` with `control` to `destination`.
    pub fn new(buffer: &'a [u8], control: &'a [u8], destination: Option<SocketAddrV6>) -> Self {
        SendMessage {
            buffer,
            control,
            destination,
            sent: 0,
        }
    }
}

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct BpfInstruction {
    /// Opcode.
    pub code: u16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Generic field.
    pub k: u32,
}

/// Longest classic BPF program the kernel accepts (`BPF_MAXINSNS`).
pub const BPF_MAX_INSTRUCTIONS: usize = 4096;

/// Which way a socket timeout applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Receives (`SO_RCVTIMEO`).
    Read,
    /// Sends (`SO_SNDTIMEO`).
    Write,
}

impl Direction {
    /// The operation that sets this direction's timeout, which errors name.
    pub const fn set_timeout_operation(self) -> Operation {
        match self {
            Direction::Read => Operation::SetReadTimeout,
            Direction::Write => Operation::SetWriteTimeout,
        }
    }
}

/// Declares [`SocketBackend`] and its forwarding impls from one list of
/// methods, so a wrapper cannot miss one.
macro_rules! socket_backend {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {
        /// The kernel operations [`Conn`](crate::Conn) and
        /// [`PacketConn`](crate::PacketConn) are built on.
        ///
        /// Implementations must be safe to call from several threads at once
        /// when they are `Sync` (the kernel serialises socket calls). Every
        /// method is required; what a backend cannot do it refuses with
        /// [`Error::Unsupported`] naming the [`Operation`], before any system
        /// call. `&T`, `&mut T`, and with the `std` feature `Box<T>` and
        /// `Arc<T>`, forward every method to `T`.
        pub trait SocketBackend {
            $($(#[$doc])* fn $name(&self $(, $arg: $ty)*) -> $ret;)*
        }

        forward!([T: SocketBackend + ?Sized] &T, $($name($($arg: $ty),*) -> $ret;)*);
        forward!([T: SocketBackend + ?Sized] &mut T, $($name($($arg: $ty),*) -> $ret;)*);
        #[cfg(feature = "std")]
        forward!(
            [T: SocketBackend + ?Sized] std::boxed::Box<T>,
            $($name($($arg: $ty),*) -> $ret;)*
        );
        #[cfg(feature = "std")]
        forward!(
            [T: SocketBackend + ?Sized] std::sync::Arc<T>,
            $($name($($arg: $ty),*) -> $ret;)*
        );
    };
}

/// `impl SocketBackend for $wrapper` where every method calls `T`'s.
macro_rules! forward {
    ([$($generics:tt)*] $wrapper:ty, $($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        impl<$($generics)*> SocketBackend for $wrapper {
            $(
                #[inline]
                fn $name(&self $(, $arg: $ty)*) -> $ret {
                    T::$name(self $(, $arg)*)
                }
            )*
        }
    };
}

socket_backend! {
    /// The layouts and option table of the backend's kernel (normally
    /// [`Platform::HOST`]).
    fn platform(&self) -> &Platform;

    /// The socket's address family (`AF_INET6`, `AF_INET`, …) from
    /// `getsockname`.
    fn socket_family(&self) -> Result<u16>;

    /// Reads `option` (`getsockopt`). The value is of
    /// [`option.kind()`](SocketOption::kind).
    fn get(&self, option: SocketOption) -> Result<OptionValue<'static>>;

    /// Writes `option` (`setsockopt`). `value` must be of
    /// [`option.kind()`](SocketOption::kind), else
    /// [`InvalidArgument::ValueKind`].
    fn set(&self, option: SocketOption, value: OptionValue<'_>) -> Result<()>;

    /// `recvmsg` into `buffers` (at most [`MAX_IOV`]) and `control`.
    ///
    /// Once the kernel has delivered a datagram this returns `Ok`: control
    /// data that did not fit is [`MsgFlags::CONTROL_TRUNCATED`], not an error.
    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta>;

    /// `recvmsg(MSG_ERRQUEUE)`: one entry of the socket's error queue, as
    /// [`recv_msg`](SocketBackend::recv_msg) reports a datagram (the payload
    /// is the start of the datagram that failed, the source its
    /// destination, the control data an `IPV6_RECVERR` record). Never waits:
    /// an empty queue is the OS's `EAGAIN`. [`Error::Unsupported`] where the
    /// OS has no error queue (its table has no
    /// [`ControlType::RecvErr`](crate::platform::ControlType::RecvErr)).
    fn recv_error(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta>;

    /// `sendmsg` of `buffers` (at most [`MAX_IOV`]) with encoded `control` to
    /// `destination`.
    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>
    ) -> Result<usize>;

    /// Receives up to `messages.len()` messages in one call (`recvmmsg`);
    /// returns how many were filled (never more than `messages.len()`).
    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize>;

    /// Sends up to `messages.len()` messages in one call (`sendmmsg`);
    /// returns how many were sent (never more than `messages.len()`).
    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize>;

    /// `SO_RCVTIMEO` or `SO_SNDTIMEO` (`None`: block forever). `PacketConn`
    /// passes whole microseconds only, and never zero.
    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> Result<()>;

    /// `O_NONBLOCK`.
    fn set_nonblocking(&self, on: bool) -> Result<()>;

    /// Whether an interface with this index exists, in the socket's network
    /// namespace.
    fn interface_exists(&self, ifindex: u32) -> Result<bool>;
}
