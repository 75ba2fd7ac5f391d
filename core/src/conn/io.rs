//! [`PacketConn`] datagram I/O, batches and blocking behaviour.

use core::net::SocketAddrV6;
use core::slice;
use core::sync::atomic::Ordering;
use core::time::Duration;

use super::{PacketConn, Received, validate};
use crate::backend::{
    Direction, MsgFlags, RecvMessage, RecvMeta, SendMessage, SocketBackend, check_buffer_count,
};
use crate::control::{ControlBuffer, ControlMessage};
use crate::error::{Error, Operation, Result, WireError};
use crate::platform::{ControlType, Platform};

#[cfg(doc)]
use crate::error::InvalidArgument;

impl<B: SocketBackend> PacketConn<B> {
    /// Receives one datagram into `buf`: its length, the per-packet fields
    /// [`set_control_message`](Self::set_control_message) asked for, and the
    /// sender.
    ///
    /// A datagram the kernel delivered is always returned. A datagram longer
    /// than `buf` is cut silently, as in Go; control data that did not fit,
    /// or records that could not be decoded, leave their fields empty. Use
    /// [`read_msg`](Self::read_msg) to learn of either.
    ///
    /// Go: `PacketConn.ReadFrom`. Go also copies the sender's address into
    /// the control message's `Src`; here the sender is returned once, and
    /// `src` stays `None` (it is a send-side field).
    #[doc(alias("recvmsg", "ReadFrom"))]
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
    /// about it: truncation of the payload or of the control data, and
    /// control records that could not be decoded, beside the records that
    /// could.
    ///
    /// Go: `PacketConn.ReadFrom` with `ipv6.Message`'s vectored buffers.
    #[doc(alias("recvmsg", "ReadFrom"))]
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
    #[doc(alias("sendmsg", "WriteTo"))]
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
    #[doc(alias("sendmsg", "WriteTo"))]
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
    /// `control` buffer: [`received`](Self::received) decodes a message as
    /// [`read_msg`](Self::read_msg) would have, [`control_of`](Self::control_of)
    /// its control fields. A [`ControlBuffer`] per message holds every
    /// flag's records; [`RecvBuffers`](crate::batch::RecvBuffers) holds a
    /// whole batch's buffers on the stack.
    ///
    /// With control flags set, every `control` buffer must hold
    /// [`ControlFlags::space`](crate::ControlFlags::space) bytes, else
    /// [`InvalidArgument::ControlBufferTooSmall`]. Where the backend has no
    /// batch receive ([`Error::Unsupported`]), one datagram is received into
    /// the first message and 1 returned. An empty `messages` returns 0
    /// without a system call.
    ///
    /// Go: `PacketConn.ReadBatch` (without `flags`; Go reads one message
    /// off Linux too).
    #[doc(alias("recvmmsg", "ReadBatch"))]
    pub fn read_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        let needed = self.control_space();
        let coalescing = self.coalescing();
        for message in messages.iter() {
            validate::control_space(Operation::RecvBatch, needed, message.control.len())?;
            if coalescing {
                validate::coalesced_capacity(Operation::RecvBatch, message.buffer.len())?;
            }
        }
        if messages.is_empty() {
            return Ok(0);
        }
        match self.backend.recv_batch(messages) {
            Err(Error::Unsupported(_)) => {}
            // A faulty backend claiming more than it was given must not make
            // the caller index past the slice.
            done => return done.map(|n| n.min(messages.len())),
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
    /// encoded already: [`send_message`](Self::send_message) builds a
    /// message from a [`ControlMessage`].
    ///
    /// Where the backend has no batch send ([`Error::Unsupported`]), the
    /// messages are sent one by one until one fails: the error is returned
    /// only if it is the first, as `sendmmsg` does. An empty `messages`
    /// returns 0 without a system call.
    ///
    /// Go: `PacketConn.WriteBatch` (without `flags`; off Linux Go sends only
    /// the first message).
    #[doc(alias("sendmmsg", "WriteBatch"))]
    pub fn write_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        if messages.is_empty() {
            return Ok(0);
        }
        match self.backend.send_batch(messages) {
            Err(Error::Unsupported(_)) => {}
            done => return done.map(|n| n.min(messages.len())),
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
    /// (the kernel would read it as "forever"). The kernel counts in
    /// microseconds: a fraction of one rounds up, on every backend. An
    /// expired wait fails with the OS's `EAGAIN`/`EWOULDBLOCK`.
    ///
    /// Go: `PacketConn.SetReadDeadline`. Go's deadlines are instants, met by
    /// its runtime poller; a timeout is per call, met by the kernel. For a
    /// deadline, set the time left before each receive, or use
    /// [`set_nonblocking`](Self::set_nonblocking) with an event loop.
    #[doc(alias("SO_RCVTIMEO", "SetReadDeadline"))]
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let timeout = validate::timeout(Operation::SetReadTimeout, timeout)?;
        self.backend.set_timeout(Direction::Read, timeout)
    }

    /// Bounds how long a send waits (`SO_SNDTIMEO`); `None` waits forever.
    /// `Some(Duration::ZERO)` is [`InvalidArgument::ZeroTimeout`]; a
    /// fraction of a microsecond rounds up.
    ///
    /// Go: `PacketConn.SetWriteDeadline` (see
    /// [`set_read_timeout`](Self::set_read_timeout); Go's `SetDeadline` is
    /// both).
    #[doc(alias("SO_SNDTIMEO", "SetWriteDeadline"))]
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let timeout = validate::timeout(Operation::SetWriteTimeout, timeout)?;
        self.backend.set_timeout(Direction::Write, timeout)
    }

    /// Makes receives and sends fail with `EAGAIN`/`EWOULDBLOCK` instead of
    /// waiting (`O_NONBLOCK`), for use with an event loop.
    ///
    /// Go: none; Go's runtime poller keeps every socket non-blocking and
    /// offers deadlines instead.
    #[doc(alias("O_NONBLOCK", "FIONBIO"))]
    pub fn set_nonblocking(&self, on: bool) -> Result<()> {
        self.backend.set_nonblocking(on)
    }

    /// What [`read_msg`](Self::read_msg) would have reported for a message
    /// [`read_batch`](Self::read_batch) filled: its length, sender,
    /// truncation and decoded control data. No system call.
    pub fn received(&self, message: &RecvMessage<'_>) -> Received {
        let capacity = message.buffer.len();
        decode_received(
            self.backend.platform(),
            &message.meta,
            message.control,
            capacity,
        )
    }

    /// The control fields of a message [`read_batch`](Self::read_batch)
    /// filled, decoded for this socket's platform (what
    /// [`received`](Self::received) reports in `control`). No system call.
    pub fn control_of(&self, message: &RecvMessage<'_>) -> ControlMessage {
        self.received(message).control
    }

    /// A [`SendMessage`] for [`write_batch`](Self::write_batch): `payload`
    /// to `destination` with `control` checked as
    /// [`write_to`](Self::write_to) checks it and encoded for this socket's
    /// platform into `space`.
    ///
    /// ```
    /// use core::net::SocketAddrV6;
    /// use ipv6_core::{ControlBuffer, ControlMessage, PacketConn, Result, SocketBackend};
    ///
    /// fn send_two<B: SocketBackend>(conn: &PacketConn<B>, to: SocketAddrV6) -> Result<usize> {
    ///     let marked = ControlMessage { traffic_class: Some(0x28), ..ControlMessage::default() };
    ///     let mut spaces = [ControlBuffer::new(); 2];
    ///     let [first, second] = &mut spaces;
    ///     let mut messages = [
    ///         conn.send_message(b"one", Some(&marked), first, Some(to))?,
    ///         conn.send_message(b"two", None, second, Some(to))?,
    ///     ];
    ///     conn.write_batch(&mut messages)
    /// }
    /// ```
    pub fn send_message<'a>(
        &self,
        payload: &'a [u8],
        control: Option<&ControlMessage>,
        space: &'a mut ControlBuffer,
        destination: Option<SocketAddrV6>,
    ) -> Result<SendMessage<'a>> {
        let encoded: &'a [u8] = match control {
            None => &[],
            Some(control) => self.encode(Operation::SendBatch, control, payload.len(), space)?,
        };
        Ok(SendMessage::new(payload, encoded, destination))
    }

    /// Whether `UDP_GRO` is on: a receive may then fill up to
    /// [`MAX_COALESCED_LEN`](super::MAX_COALESCED_LEN) bytes.
    pub(super) fn coalescing(&self) -> bool {
        // Relaxed, as the control flags: it publishes no other memory.
        self.gro.load(Ordering::Relaxed)
    }

    /// Control bytes of the `UDP_GRO` record while it is on (0 otherwise).
    fn gro_space(&self) -> usize {
        let platform = self.backend.platform();
        match platform.cmsg_type(ControlType::UdpGro) {
            Some(_) if self.coalescing() => platform
                .cmsg_layout
                .space(platform.cmsg_data_len(ControlType::UdpGro)),
            _ => 0,
        }
    }

    /// Control bytes a receive needs for the current flags (0 for none),
    /// and for the segment size of a coalesced receive.
    fn control_space(&self) -> usize {
        let flags = self.control_flags();
        let for_flags = if flags.is_empty() {
            0
        } else {
            flags.space(self.backend.platform())
        };
        for_flags + self.gro_space()
    }

    /// One `recv_msg` with a stack control buffer.
    ///
    /// With any flag set the buffer has room for every flag, not just the
    /// current ones, so another thread enabling more reports while this read
    /// waits cannot truncate its control data. With none set it is empty:
    /// a backend that cannot receive control data still serves the read,
    /// and records of options turned on behind this `PacketConn`'s back are
    /// reported as truncated rather than failing the read.
    fn receive(&self, buffers: &mut [&mut [u8]]) -> Result<Received> {
        let mut space = ControlBuffer::new();
        let for_flags = if self.control_flags().is_empty() {
            0
        } else {
            self.receive_space
        };
        // `MAX_SPACE` holds every flag's records and the UDP_GRO record
        // (a test in control.rs says so); `min` keeps a hand-made platform
        // from indexing past it.
        let wanted = (for_flags + self.gro_space()).min(space.0.len());
        let control = &mut space.0[..wanted];
        let capacity = buffers.iter().map(|b| b.len()).sum();
        if self.coalescing() {
            validate::coalesced_capacity(Operation::RecvMsg, capacity)?;
        }
        let meta = self.backend.recv_msg(buffers, control)?;
        Ok(decode_received(
            self.backend.platform(),
            &meta,
            control,
            capacity,
        ))
    }

    /// One `send_msg` with `control` encoded on the stack.
    fn send(
        &self,
        buffers: &[&[u8]],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        let mut space = ControlBuffer::new();
        let encoded: &[u8] = match control {
            None => &[],
            Some(control) => {
                let payload = buffers.iter().map(|b| b.len()).sum();
                self.encode(Operation::SendMsg, control, payload, &mut space)?
            }
        };
        self.backend.send_msg(buffers, encoded, destination)
    }

    /// Checks `control` for sending and encodes it into `space`.
    fn encode<'a>(
        &self,
        op: Operation,
        control: &ControlMessage,
        payload: usize,
        space: &'a mut ControlBuffer,
    ) -> Result<&'a [u8]> {
        validate::send_control(op, control)?;
        validate::send_extensions(op, self.backend.platform(), control, payload)?;
        self.check_send_interface(op, control.if_index)?;
        let len = control
            .marshal(self.backend.platform(), &mut space.0)
            .map_err(|e| Error::Wire(op, e))?;
        Ok(&space.0[..len])
    }

    /// Refuses a per-packet interface index that names no interface
    /// ([`InvalidArgument::NoSuchInterface`]) before the kernel's `ENODEV`.
    ///
    /// Indexes found to exist are remembered (below 32 one bit each, and
    /// the last one above), so a server replying on a few interfaces asks
    /// once per interface, not once per packet; should that interface go
    /// away later, the kernel's own `ENODEV` reports it.
    fn check_send_interface(&self, op: Operation, index: u32) -> Result<()> {
        // Index 0 (the kernel's choice, nearly every send) loads nothing.
        if index == 0 {
            return Ok(());
        }
        // Relaxed: a lost or late update only costs one more check.
        let bit = 1u32.checked_shl(index).unwrap_or(0);
        let known = match bit {
            0 => self.known_high_interface.load(Ordering::Relaxed) == index,
            _ => self.known_interfaces.load(Ordering::Relaxed) & bit != 0,
        };
        if known {
            return Ok(());
        }
        self.check_interface_exists(op, index)?;
        match bit {
            0 => self.known_high_interface.store(index, Ordering::Relaxed),
            _ => {
                self.known_interfaces.fetch_or(bit, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

/// A received message as the caller sees it. The kernel has consumed the
/// datagram, so nothing here fails: what is wrong with the control data is
/// reported beside the payload's length and sender.
///
/// Lengths a faulty backend reports beyond the buffers it was given are
/// clamped to them.
///
/// Inlined into the generic reads, so that a backend's constant platform
/// reaches `parse_partial` as a constant.
#[inline(always)]
fn decode_received(
    platform: &Platform,
    meta: &RecvMeta,
    control: &[u8],
    capacity: usize,
) -> Received {
    let mut received = Received {
        len: meta.len.min(capacity),
        control: ControlMessage::default(),
        source: meta.source,
        truncated: meta.flags.contains(MsgFlags::TRUNCATED),
        control_truncated: meta.flags.contains(MsgFlags::CONTROL_TRUNCATED),
        control_undecoded: 0,
        control_error: None,
    };
    match control.get(..meta.control_len) {
        Some([]) => {}
        Some(bytes) => {
            let decoded = ControlMessage::parse_partial(platform, bytes);
            received.control = decoded.message;
            received.control_undecoded = decoded.undecoded;
            received.control_error = decoded.error;
        }
        // A length beyond the buffer is a faulty backend's: which bytes it
        // wrote is unknown, so none are trusted.
        None => {
            received.control_undecoded = 1;
            received.control_error = Some(WireError::Truncated {
                needed: meta.control_len,
                available: control.len(),
            });
        }
    }
    received
}
