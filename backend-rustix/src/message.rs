//! Datagrams without control data through rustix's `recvmsg`, `sendmsg` and
//! (Linux) `sendmmsg`, with the scatter/gather arrays on the stack.

use core::net::SocketAddrV6;
use std::os::fd::BorrowedFd;

use ipv6_core::backend::{MAX_IOV, check_buffer_count};
use ipv6_core::{MsgFlags, Operation, RecvMeta, Result};
use rustix::io::{IoSlice, IoSliceMut};
use rustix::net::{
    RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags, recvmsg, sendmsg,
    sendmsg_addr,
};

use crate::socket::os_error;

fn msg_flags(flags: ReturnFlags) -> MsgFlags {
    let mut out = MsgFlags::empty();
    out.set(MsgFlags::TRUNCATED, flags.contains(ReturnFlags::TRUNC));
    out.set(
        MsgFlags::CONTROL_TRUNCATED,
        flags.contains(ReturnFlags::CTRUNC),
    );
    out
}

/// `recvmsg` into `buffers` with no control buffer.
pub(crate) fn recv(fd: BorrowedFd<'_>, buffers: &mut [&mut [u8]]) -> Result<RecvMeta> {
    const OP: Operation = Operation::RecvMsg;
    let count = buffers.len();
    check_buffer_count(OP, count)?;
    let mut given = buffers.iter_mut();
    let mut iov: [IoSliceMut<'_>; MAX_IOV] = core::array::from_fn(|_| {
        IoSliceMut::new(given.next().map(|b| &mut **b).unwrap_or_default())
    });
    let msg = recvmsg(
        fd,
        &mut iov[..count],
        &mut RecvAncillaryBuffer::default(),
        RecvFlags::empty(),
    )
    .map_err(os_error(OP))?;
    Ok(RecvMeta {
        len: msg.bytes,
        control_len: 0,
        // An IPv4 sender on an AF_INET socket has no IPv6 form to report.
        source: msg.address.and_then(|a| SocketAddrV6::try_from(a).ok()),
        flags: msg_flags(msg.flags),
    })
}

/// `sendmsg` of `buffers` with no control data.
pub(crate) fn send(
    fd: BorrowedFd<'_>,
    buffers: &[&[u8]],
    destination: Option<&SocketAddrV6>,
) -> Result<usize> {
    const OP: Operation = Operation::SendMsg;
    check_buffer_count(OP, buffers.len())?;
    let iov: [IoSlice<'_>; MAX_IOV] =
        core::array::from_fn(|i| IoSlice::new(buffers.get(i).copied().unwrap_or_default()));
    let iov = &iov[..buffers.len()];
    let mut no_control = SendAncillaryBuffer::default();
    match destination {
        Some(addr) => sendmsg_addr(fd, addr, iov, &mut no_control, SendFlags::empty()),
        None => sendmsg(fd, iov, &mut no_control, SendFlags::empty()),
    }
    .map_err(os_error(OP))
}

#[cfg(target_os = "linux")]
pub(crate) use batch::send_batch;

#[cfg(target_os = "linux")]
mod batch {
    use super::*;
    use ipv6_core::SendMessage;
    use rustix::net::{MMsgHdr, SocketAddrAny, sendmmsg};

    /// Messages per `sendmmsg` call: the `mmsghdr`s, addresses and iovecs of
    /// one chunk live on the stack (about 8 KiB).
    const CHUNK: usize = 32;

    /// `sendmmsg` of messages without control data, `CHUNK` at a time.
    ///
    /// Like one `sendmmsg` call, it reports how many messages went out and
    /// fails only if the first one did.
    pub(crate) fn send_batch(
        fd: BorrowedFd<'_>,
        messages: &mut [SendMessage<'_>],
    ) -> Result<usize> {
        let mut total = 0;
        for chunk in messages.chunks_mut(CHUNK) {
            match send_chunk(fd, chunk) {
                Ok(sent) => {
                    total += sent;
                    if sent < chunk.len() {
                        break;
                    }
                }
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(total)
    }

    fn send_chunk(fd: BorrowedFd<'_>, chunk: &mut [SendMessage<'_>]) -> Result<usize> {
        let addrs: [Option<SocketAddrAny>; CHUNK] = core::array::from_fn(|i| {
            chunk
                .get(i)
                .and_then(|m| m.destination)
                .map(SocketAddrAny::from)
        });
        let iovs: [IoSlice<'_>; CHUNK] = core::array::from_fn(|i| {
            IoSlice::new(chunk.get(i).map(|m| m.buffer).unwrap_or_default())
        });
        let mut controls: [SendAncillaryBuffer<'_, '_, '_>; CHUNK] =
            core::array::from_fn(|_| SendAncillaryBuffer::default());
        let mut index = 0;
        let mut headers = controls.each_mut().map(|control| {
            let iov = core::slice::from_ref(&iovs[index]);
            let header = match &addrs[index] {
                Some(addr) => MMsgHdr::new_with_addr(addr, iov, control),
                None => MMsgHdr::new(iov, control),
            };
            index += 1;
            header
        });
        let sent = sendmmsg(fd, &mut headers[..chunk.len()], SendFlags::empty())
            .map_err(os_error(Operation::SendBatch))?;
        for (message, header) in chunk.iter_mut().zip(&headers[..sent]) {
            message.sent = header.bytes_sent();
        }
        Ok(sent)
    }
}
