//! Reads and writes with control messages on a tokio runtime (feature
//! `tokio`).
//!
//! [`AsyncPacketConn`] drives a socket the runtime's reactor watches — a
//! [`tokio::net::UdpSocket`], or any socket in an
//! [`AsyncFd`] (a raw ICMPv6 socket, a `socket2` socket) — by readiness:
//! each `read_*`/`write_*` waits until the reactor reports the socket
//! ready, then makes one non-blocking system call; `EAGAIN` clears the
//! readiness and waits again. Nothing runs on a blocking thread
//! (`spawn_blocking` is never used) and nothing is allocated per packet.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ipv6_backend_libc::tokio::AsyncPacketConn;
//! use ipv6_core::{ControlFlags, ControlMessage};
//!
//! let socket = tokio::net::UdpSocket::bind("[::]:5353").await?;
//! let conn = AsyncPacketConn::new(socket)?;
//! // Socket options stay synchronous: they are `ipv6_core::PacketConn`'s.
//! conn.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;
//! let mut buf = [0u8; 1500];
//! loop {
//!     let (n, cm, from) = conn.read_from(&mut buf).await?;
//!     let reply = ControlMessage::reply_to(&cm);
//!     conn.write_to(&buf[..n], Some(&reply), from.as_ref()).await?;
//! }
//! # }
//! ```
//!
//! # Cancellation
//!
//! Every future here is cancellation-safe: the system call runs only
//! inside the reactor's readiness check, and a future that received a
//! datagram completes in the same poll. Dropping a `read_from` future
//! (in `select!`, or under `tokio::time::timeout`) therefore loses no
//! datagram: it was either never received, or it was returned. A dropped
//! `write_to` either sent its datagram whole or not at all.
//!
//! # Errors
//!
//! Errors are the crate's [`Error`], with their operation and errno, as in
//! the blocking API; `EAGAIN` never reaches the caller (it means "wait"),
//! and `EINTR` is retried. A failure of the reactor itself (it is shutting
//! down) is `Error::Os` with the reactor's errno, or `EIO`, naming the
//! operation that waited.
//!
//! # The runtime owns the socket's mode
//!
//! The reactor needs the descriptor non-blocking, and a kernel timeout
//! (`SO_RCVTIMEO`) would only make a receive that the reactor said was
//! ready fail: [`AsyncPacketConn::new`] sets `O_NONBLOCK`, and the backend
//! it uses, [`RuntimeSocket`], refuses `set_nonblocking(false)` and any
//! `set_read_timeout`/`set_write_timeout` but `None` with
//! [`InvalidArgument::OwnedByRuntime`]. Bound a wait with
//! `tokio::time::timeout` instead. Changing the mode through another
//! handle to the same descriptor breaks the runtime's use of it; that the
//! adapter cannot prevent.

use core::future::Future;
use core::net::SocketAddrV6;
use core::ops::Deref;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use ::tokio::io::Interest;
use ::tokio::io::unix::AsyncFd;
use ::tokio::net::UdpSocket;
use ipv6_core::{
    ControlMessage, Direction, Error, InvalidArgument, Operation, OptionValue, PacketConn,
    Platform, Received, RecvMessage, RecvMeta, Result, SendMessage, SocketBackend, SocketOption,
};

use crate::Socket;

/// A socket the tokio reactor watches: [`UdpSocket`] or an [`AsyncFd`].
///
/// Sealed: the two implementations are all the reactor offers for
/// sockets.
pub trait Registered: AsFd + Sync + sealed::Sealed {
    /// Calls `f` once the reactor reports the socket ready for `interest`
    /// (readable or writable), again after each `WouldBlock` (which clears
    /// the readiness), and returns its first other result. Any number of
    /// tasks may wait at once (tokio's `async_io`).
    #[doc(hidden)]
    fn async_io<R: Send>(
        &self,
        interest: Interest,
        f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for ::tokio::net::UdpSocket {}
    impl<T: std::os::fd::AsRawFd> Sealed for ::tokio::io::unix::AsyncFd<T> {}
}

impl Registered for UdpSocket {
    fn async_io<R: Send>(
        &self,
        interest: Interest,
        f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send {
        UdpSocket::async_io(self, interest, f)
    }
}

impl<T: AsRawFd + Sync> Registered for AsyncFd<T> {
    fn async_io<R: Send>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send {
        AsyncFd::async_io(self, interest, move |_| f())
    }
}

/// The [`SocketBackend`] of an [`AsyncPacketConn`]: the libc [`Socket`],
/// except that it keeps the descriptor non-blocking and free of kernel
/// timeouts, which the runtime relies on.
#[derive(Debug)]
pub struct RuntimeSocket<S: AsFd> {
    socket: Socket<S>,
}

impl<S: AsFd> RuntimeSocket<S> {
    /// The registered socket.
    pub fn get_ref(&self) -> &S {
        self.socket.get_ref()
    }
}

impl<S: AsFd> AsFd for RuntimeSocket<S> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl<S: AsFd> SocketBackend for RuntimeSocket<S> {
    fn platform(&self) -> &Platform {
        self.socket.platform()
    }

    fn socket_family(&self) -> Result<u16> {
        self.socket.socket_family()
    }

    fn get(&self, option: SocketOption) -> Result<OptionValue<'static>> {
        self.socket.get(option)
    }

    fn set(&self, option: SocketOption, value: OptionValue<'_>) -> Result<()> {
        self.socket.set(option, value)
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        self.socket.recv_msg(buffers, control)
    }

    fn recv_error(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        self.socket.recv_error(buffers, control)
    }

    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        self.socket.send_msg(buffers, control, destination)
    }

    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        self.socket.recv_batch(messages)
    }

    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        self.socket.send_batch(messages)
    }

    /// Refuses a timeout ([`InvalidArgument::OwnedByRuntime`]); `None`
    /// (no timeout, as the runtime needs) goes through.
    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> Result<()> {
        match timeout {
            None => self.socket.set_timeout(direction, None),
            Some(_) => Err(Error::InvalidArgument(
                direction.set_timeout_operation(),
                InvalidArgument::OwnedByRuntime,
            )),
        }
    }

    /// Refuses blocking mode ([`InvalidArgument::OwnedByRuntime`]).
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        if on {
            self.socket.set_nonblocking(true)
        } else {
            Err(Error::InvalidArgument(
                Operation::SetNonblocking,
                InvalidArgument::OwnedByRuntime,
            ))
        }
    }

    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        self.socket.interface_exists(ifindex)
    }
}

/// Go's `ipv6.PacketConn` on a tokio runtime: `read_from`, `write_to`,
/// `read_msg`, `write_msg`, `read_batch` and `write_batch` are `async`,
/// with control messages, driven by readiness; everything else (socket
/// options, groups, filters, [`received`](PacketConn::received),
/// [`send_message`](PacketConn::send_message)) is the synchronous
/// [`PacketConn`] this dereferences to.
///
/// `S` is a [`tokio::net::UdpSocket`], or an
/// [`AsyncFd`] holding any other socket (see
/// [`AsyncPacketConn::register`] for raw sockets). Share it between tasks
/// with an `Arc`: every method takes `&self`, and several tasks may read
/// and write at once.
#[derive(Debug)]
pub struct AsyncPacketConn<S: Registered> {
    conn: PacketConn<RuntimeSocket<S>>,
}

impl<S: Registered> AsyncPacketConn<S> {
    /// Wraps a registered socket: checks it is `AF_INET6`
    /// ([`InvalidArgument::NotIpv6Socket`]) and makes it non-blocking.
    pub fn new(socket: S) -> Result<Self> {
        let backend = RuntimeSocket {
            socket: Socket::new(socket),
        };
        crate::sys::set_nonblocking(backend.as_fd(), true)?;
        Ok(AsyncPacketConn {
            conn: PacketConn::new(backend)?,
        })
    }

    /// The registered socket.
    pub fn get_ref(&self) -> &S {
        self.conn.backend().get_ref()
    }

    /// The synchronous [`PacketConn`] (also reached through `Deref`).
    pub fn packet_conn(&self) -> &PacketConn<RuntimeSocket<S>> {
        &self.conn
    }

    /// Gives the registered socket back; it stays non-blocking, with the
    /// options set on it.
    pub fn into_inner(self) -> S {
        self.conn.into_inner().socket.into_inner()
    }

    /// Waits for a datagram and receives it, as
    /// [`PacketConn::read_from`]. Cancellation-safe.
    #[doc(alias("recvmsg", "ReadFrom"))]
    pub async fn read_from(
        &self,
        buf: &mut [u8],
    ) -> Result<(usize, ControlMessage, Option<SocketAddrV6>)> {
        self.drive(Interest::READABLE, Operation::RecvMsg, |conn| {
            conn.read_from(buf)
        })
        .await
    }

    /// Waits for a datagram and receives it scattered over `buffers`,
    /// reporting truncation and undecodable control data, as
    /// [`PacketConn::read_msg`]. Cancellation-safe.
    #[doc(alias("recvmsg", "ReadFrom"))]
    pub async fn read_msg(&self, buffers: &mut [&mut [u8]]) -> Result<Received> {
        self.drive(Interest::READABLE, Operation::RecvMsg, |conn| {
            conn.read_msg(buffers)
        })
        .await
    }

    /// Waits until the socket can send, then sends `buf` with `control`, as
    /// [`PacketConn::write_to`]. Cancellation-safe.
    #[doc(alias("sendmsg", "WriteTo"))]
    pub async fn write_to(
        &self,
        buf: &[u8],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        self.drive(Interest::WRITABLE, Operation::SendMsg, |conn| {
            conn.write_to(buf, control, destination)
        })
        .await
    }

    /// Waits until the socket can send, then sends the concatenation of
    /// `buffers` as one datagram, as [`PacketConn::write_msg`].
    /// Cancellation-safe.
    #[doc(alias("sendmsg", "WriteTo"))]
    pub async fn write_msg(
        &self,
        buffers: &[&[u8]],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        self.drive(Interest::WRITABLE, Operation::SendMsg, |conn| {
            conn.write_msg(buffers, control, destination)
        })
        .await
    }

    /// Waits for at least one datagram, then receives as many as are
    /// queued, up to `messages.len()`, in one `recvmmsg`, as
    /// [`PacketConn::read_batch`]; decode each with
    /// [`received`](PacketConn::received) or
    /// [`control_of`](PacketConn::control_of). Cancellation-safe.
    #[doc(alias("recvmmsg", "ReadBatch"))]
    pub async fn read_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        self.drive(Interest::READABLE, Operation::RecvBatch, |conn| {
            conn.read_batch(messages)
        })
        .await
    }

    /// Waits until the socket can send, then sends as many of `messages`
    /// as the kernel takes in one `sendmmsg`, as
    /// [`PacketConn::write_batch`]; build them with
    /// [`send_message`](PacketConn::send_message). Returns how many were
    /// sent: call again with the rest. Cancellation-safe.
    #[doc(alias("sendmmsg", "WriteBatch"))]
    pub async fn write_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        self.drive(Interest::WRITABLE, Operation::SendBatch, |conn| {
            conn.write_batch(messages)
        })
        .await
    }

    /// Runs `call` each time the reactor reports `interest`, until it
    /// returns anything but `EAGAIN`; retries `EINTR` at once.
    async fn drive<T: Send>(
        &self,
        interest: Interest,
        op: Operation,
        mut call: impl FnMut(&PacketConn<RuntimeSocket<S>>) -> Result<T> + Send,
    ) -> Result<T> {
        let conn = &self.conn;
        // The library's error rides in `Ok` so that it keeps its type; only
        // "not ready" is the io::Error the reactor understands.
        let attempt = move || loop {
            match call(conn) {
                Err(e) if e.is_interrupted() => continue,
                Err(e) if e.is_would_block() => return Err(io::ErrorKind::WouldBlock.into()),
                done => return Ok(done),
            }
        };
        match self.get_ref().async_io(interest, attempt).await {
            Ok(done) => done,
            Err(reactor) => Err(Error::Os {
                op,
                errno: reactor.raw_os_error().unwrap_or(libc::EIO),
            }),
        }
    }
}

impl AsyncPacketConn<AsyncFd<OwnedFd>> {
    /// Registers `socket` (any IPv6 socket: raw ICMPv6, raw `ip6:89`, a
    /// `socket2` UDP socket) with the current tokio runtime and wraps it.
    ///
    /// Must be called inside a runtime with its I/O driver enabled.
    /// Registration failures (`EPERM` for a descriptor `epoll` cannot
    /// watch, no reactor) name [`Operation::SetNonblocking`], the step that
    /// hands the socket to the runtime.
    pub fn register(socket: impl Into<OwnedFd>) -> Result<Self> {
        let socket: OwnedFd = socket.into();
        let op = Operation::SetNonblocking;
        // `new` makes it non-blocking; registering does not need that first.
        // SAFETY: the `OwnedFd` is moved into the `AsyncFd`, so the
        // descriptor stays open and is the same one for the `AsyncFd`'s
        // whole life, and `OwnedFd::as_raw_fd` always returns it.
        let registered = unsafe { AsyncFd::register(socket) }.map_err(|e| Error::Os {
            op,
            errno: e.into_parts().1.raw_os_error().unwrap_or(libc::EIO),
        })?;
        AsyncPacketConn::new(registered)
    }
}

impl<S: Registered> Deref for AsyncPacketConn<S> {
    type Target = PacketConn<RuntimeSocket<S>>;

    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}
