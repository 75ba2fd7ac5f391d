//! [`PacketConn`] datagram I/O, batches and blocking behaviour.

use core::net::SocketAddrV6;
use core::slice;
use core::time::Duration;

use super::{PacketConn, Received, validate};
use crate::backend::{MsgFlags, RecvMessage, SendMessage, SocketBackend, check_buffer_count};
use crate::control::{ControlFlags, ControlMessage, MAX_SPACE};
use crate::error::{Error, Operation, Result, WireError};

#[cfg(doc)]
use crate::error::InvalidArgument;

impl<B: SocketBackend> PacketConn<B> {
    /// Receives one datagram into `buf`: its length, the per-packet fields
    /// [`set_control_message`](Self::set_control_message) asked for, and the
    /// sender.
    ///
    /// A datagram longer than `buf` is cut silently, as in Go; use
    /// [`read_msg`](Self::read_msg) to learn of it. Control data that did not
    /// fit is [`Error::ControlTruncated`], whose `len` says how much of `buf`
    /// holds the datagram nonetheless.
    ///
    /// Go: `PacketConn.ReadFrom`. Go also copies the sender's address into
    /// the control message's `Src`; here the sender is returned once, and
    /// `src` stays `None` (it is a send-side field).
    pub fn read_from(
        &self,
        buf: &mut [u8],
    ) -> Result<(usize, ControlMessage, Option<SocketAddrV6>)> {
        let received = self.receive(&mut [buf])?;
        Ok((received.len, received.control, received.source))
    }

    /// Receives one datagram scattered over `buffers` (at most
    /// [`MAX_IOV`](crate::backend::MAX_IOV), else
    /// [`InvalidArgument::TooManyBuffers`]), reporting everything known
    /// about it, truncation included. Errors as in
    /// [`read_from`](Self::read_from).
    ///
    /// Go: `PacketConn.ReadFrom` with `ipv6.Message`'s vectored buffers.
    pub fn read_msg(&self, buffers: &mut [&mut [u8]]) -> Result<Received> {
        check_buffer_count(Operation::RecvMsg, buffers.len())?;
        self.receive(buffers)
    }

    /// Sends `buf` to `destination` (`None` on a connected socket), with the
    /// IPv6 fields of `control` when given; returns the bytes sent.
    ///
    /// `control`'s `src` and `next_hop` must be IPv6 addresses: an
    /// IPv4-mapped one is [`InvalidArgument::Ipv4Mapped`].
    ///
    /// Go: `PacketConn.WriteTo`, which drops IPv4-mapped `Src` and `NextHop`
    /// silently instead.
    pub fn write_to(
        &self,
        buf: &[u8],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        self.send(&[buf], control, destination)
    }

    /// Sends the concatenation of `buffers` (at most
    /// [`MAX_IOV`](crate::backend::MAX_IOV), else
    /// [`InvalidArgument::TooManyBuffers`]) as one datagram; otherwise as
    /// [`write_to`](Self::write_to).
    ///
    /// Go: `PacketConn.WriteTo` with `ipv6.Message`'s vectored buffers.
    pub fn write_msg(
        &self,
        buffers: &[&[u8]],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        check_buffer_count(Operation::SendMsg, buffers.len())?;
        self.send(buffers, control, destination)
    }

    /// Receives up to `messages.len()` datagrams in one call (`recvmmsg`)
    /// and returns how many arrived; each message's `meta` tells its length,
    /// sender and truncation. Control bytes are left raw in each message's
    /// `control` buffer (decode them with [`ControlMessage::parse`]).
    ///
    /// With control flags set, every `control` buffer must hold
    /// [`ControlFlags::space`] bytes, else
    /// [`InvalidArgument::ControlBufferTooSmall`]. Where the backend has no
    /// batch receive ([`Error::Unsupported`]), one datagram is received into
    /// the first message and 1 returned. An empty `messages` returns 0
    /// without a system call.
    ///
    /// Go: `PacketConn.ReadBatch` (without `flags`; Go reads one message
    /// off Linux too).
    pub fn read_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        let needed = self.control_space();
        for message in messages.iter() {
            validate::control_space(Operation::RecvBatch, needed, message.control.len())?;
        }
        if messages.is_empty() {
            return Ok(0);
        }
        match self.backend.recv_batch(messages) {
            Err(Error::Unsupported(_)) => {}
            done => return done,
        }
        let first = &mut messages[0]; // not empty: checked above
        // With no flags set, no control buffer: a backend that cannot
        // receive control data must still serve a plain read.
        let control = if needed == 0 {
            &mut [][..]
        } else {
            &mut *first.control
        };
        first.meta = self
            .backend
            .recv_msg(slice::from_mut(&mut first.buffer), control)?;
        Ok(1)
    }

    /// Sends `messages` in one call (`sendmmsg`) and returns how many were
    /// sent, each message's `sent` telling its bytes. Control data must be
    /// encoded already (see [`ControlMessage::marshal`]).
    ///
    /// Where the backend has no batch send ([`Error::Unsupported`]), the
    /// messages are sent one by one until one fails: the error is returned
    /// only if it is the first, as `sendmmsg` does. An empty `messages`
    /// returns 0 without a system call.
    ///
    /// Go: `PacketConn.WriteBatch` (without `flags`; off Linux Go sends only
    /// the first message).
    pub fn write_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        if messages.is_empty() {
            return Ok(0);
        }
        match self.backend.send_batch(messages) {
            Err(Error::Unsupported(_)) => {}
            done => return done,
        }
        for (sent_before, message) in messages.iter_mut().enumerate() {
            let buffers = [message.buffer];
            match self
                .backend
                .send_msg(&buffers, message.control, message.destination.as_ref())
            {
                Ok(sent) => message.sent = sent,
                Err(e) if sent_before == 0 => return Err(e),
                Err(_) => return Ok(sent_before),
            }
        }
        Ok(messages.len())
    }

    /// Bounds how long a receive waits (`SO_RCVTIMEO`); `None` waits
    /// forever. `Some(Duration::ZERO)` is [`InvalidArgument::ZeroTimeout`]
    /// (the kernel would read it as "forever"). An expired wait fails with
    /// the OS's `EAGAIN`/`EWOULDBLOCK`.
    ///
    /// Go: `PacketConn.SetReadDeadline`. Go's deadlines are instants, met by
    /// its runtime poller; a timeout is per call, met by the kernel. For a
    /// deadline, set the time left before each receive, or use
    /// [`set_nonblocking`](Self::set_nonblocking) with an event loop.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let timeout = validate::timeout(Operation::SetReadTimeout, timeout)?;
        self.backend.set_read_timeout(timeout)
    }

    /// Bounds how long a send waits (`SO_SNDTIMEO`); `None` waits forever.
    /// `Some(Duration::ZERO)` is [`InvalidArgument::ZeroTimeout`].
    ///
    /// Go: `PacketConn.SetWriteDeadline` (see
    /// [`set_read_timeout`](Self::set_read_timeout); Go's `SetDeadline` is
    /// both).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let timeout = validate::timeout(Operation::SetWriteTimeout, timeout)?;
        self.backend.set_write_timeout(timeout)
    }

    /// Makes receives and sends fail with `EAGAIN`/`EWOULDBLOCK` instead of
    /// waiting (`O_NONBLOCK`), for use with an event loop.
    ///
    /// Go: none; Go's runtime poller keeps every socket non-blocking and
    /// offers deadlines instead.
    pub fn set_nonblocking(&self, on: bool) -> Result<()> {
        self.backend.set_nonblocking(on)
    }

    /// Control bytes a receive needs for the current flags (0 for none).
    fn control_space(&self) -> usize {
        let flags = self.control_flags();
        if flags.is_empty() {
            0
        } else {
            flags.space(&B::PLATFORM)
        }
    }

    /// One `recv_msg` with a stack control buffer.
    ///
    /// With any flag set the buffer has room for every flag, not just the
    /// current ones, so another thread enabling more reports while this read
    /// waits cannot truncate its control data. With none set it is empty:
    /// a backend that cannot receive control data still serves the read.
    fn receive(&self, buffers: &mut [&mut [u8]]) -> Result<Received> {
        const OP: Operation = Operation::RecvMsg;
        let mut space = [0u8; MAX_SPACE];
        let wanted = if self.control_flags().is_empty() {
            0
        } else {
            ControlFlags::all().space(&B::PLATFORM).min(MAX_SPACE)
        };
        let control_buf = &mut space[..wanted];
        let meta = self.backend.recv_msg(buffers, control_buf)?;
        if meta.flags.contains(MsgFlags::CONTROL_TRUNCATED) {
            return Err(Error::ControlTruncated { len: meta.len });
        }
        let control = match meta.control_len {
            0 => ControlMessage::default(),
            len => {
                // A backend reporting more control bytes than it was given
                // room for is faulty; refuse its answer rather than panic.
                let available = control_buf.len();
                let bytes = control_buf.get(..len).ok_or(Error::Wire(
                    OP,
                    WireError::Truncated {
                        needed: len,
                        available,
                    },
                ))?;
                ControlMessage::parse(&B::PLATFORM, bytes).map_err(|e| Error::Wire(OP, e))?
            }
        };
        Ok(Received {
            len: meta.len,
            control,
            source: meta.source,
            truncated: meta.flags.contains(MsgFlags::TRUNCATED),
        })
    }

    /// One `send_msg` with `control` encoded on the stack.
    fn send(
        &self,
        buffers: &[&[u8]],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        const OP: Operation = Operation::SendMsg;
        let mut space = [0u8; MAX_SPACE];
        let encoded: &[u8] = match control {
            None => &[],
            Some(control) => {
                validate::send_control(OP, control)?;
                let len = control
                    .marshal(&B::PLATFORM, &mut space)
                    .map_err(|e| Error::Wire(OP, e))?;
                &space[..len]
            }
        };
        self.backend.send_msg(buffers, encoded, destination)
    }
}
