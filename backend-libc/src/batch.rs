//! `recvmmsg`/`sendmmsg`, where libc has them for the target.
//!
//! Batches of any size go through fixed stack arrays of [`CHUNK`] headers,
//! so nothing is allocated. Elsewhere (Darwin) both calls are
//! `Error::Unsupported`, and `PacketConn` falls back to one message a call.

use std::os::fd::BorrowedFd;

use ipv6_core::{RecvMessage, Result, SendMessage};

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
))]
mod imp {
    use std::mem;
    use std::os::fd::{AsRawFd, BorrowedFd};
    use std::ptr;

    use ipv6_core::{Operation, RecvMessage, Result, SendMessage};
    use libc::{mmsghdr, socklen_t};

    use crate::message::{EMPTY_IOV, NameBuf, iov, msghdr, recv_meta};
    use crate::sys;

    /// Messages per system call: 32 headers, iovecs and addresses take
    /// about 7 KiB of stack on 64-bit targets.
    pub(super) const CHUNK: usize = 32;

    fn zeroed_headers() -> [mmsghdr; CHUNK] {
        // SAFETY: `mmsghdr` is a `msghdr` and an integer; all-zero is valid.
        unsafe { mem::zeroed() }
    }

    pub(super) fn recv(fd: BorrowedFd<'_>, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        let op = Operation::RecvBatch;
        let mut done = 0;
        for chunk in messages.chunks_mut(CHUNK) {
            // Only the first call may block, and only until one message is
            // in; later chunks take what is already queued.
            let flags = if done == 0 {
                libc::MSG_WAITFORONE
            } else {
                libc::MSG_DONTWAIT
            };
            let mut iovs = [EMPTY_IOV; CHUNK];
            let mut names = [NameBuf::EMPTY; CHUNK];
            let mut headers = zeroed_headers();
            for (((m, slot), name), header) in chunk
                .iter_mut()
                .zip(iovs.iter_mut())
                .zip(names.iter_mut())
                .zip(headers.iter_mut())
            {
                *slot = iov(m.buffer.as_mut_ptr(), m.buffer.len());
                header.msg_hdr = msghdr(
                    name.as_mut_ptr(),
                    mem::size_of::<NameBuf>() as socklen_t,
                    ptr::from_mut(slot),
                    1,
                    m.control.as_mut_ptr(),
                    m.control.len(),
                );
            }
            // SAFETY: the first `chunk.len()` headers point at live,
            // exclusively borrowed buffers (names, iovecs, each message's
            // payload and control slices) of the lengths stated in them.
            let ret = unsafe {
                libc::recvmmsg(
                    fd.as_raw_fd(),
                    headers.as_mut_ptr(),
                    chunk.len() as _,
                    flags,
                    ptr::null_mut(),
                )
            };
            let got = match sys::check_count(op, ret) {
                // A count beyond the chunk would be a kernel bug; never let
                // it inflate what the caller may index.
                Ok(n) => n.min(chunk.len()),
                // Messages already received are the result; the error (most
                // often EAGAIN) is for the caller's next call to see.
                Err(_) if done > 0 => break,
                Err(e) => return Err(e),
            };
            for ((m, header), name) in chunk.iter_mut().zip(&headers).zip(&names).take(got) {
                m.meta = recv_meta(header.msg_len as usize, &header.msg_hdr, name);
            }
            done += got;
            if got < chunk.len() {
                break;
            }
        }
        Ok(done)
    }

    pub(super) fn send(fd: BorrowedFd<'_>, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        let op = Operation::SendBatch;
        let mut done = 0;
        for chunk in messages.chunks_mut(CHUNK) {
            let mut iovs = [EMPTY_IOV; CHUNK];
            let mut names = [NameBuf::EMPTY; CHUNK];
            let mut headers = zeroed_headers();
            for (((m, slot), name), header) in chunk
                .iter()
                .zip(iovs.iter_mut())
                .zip(names.iter_mut())
                .zip(headers.iter_mut())
            {
                let namelen = name.encode(op, m.destination.as_ref())?;
                // The kernel only reads send buffers; `iovec` has no const pointer.
                *slot = iov(m.buffer.as_ptr().cast_mut(), m.buffer.len());
                header.msg_hdr = msghdr(
                    name.as_mut_ptr(),
                    namelen,
                    ptr::from_mut(slot),
                    1,
                    m.control.as_ptr().cast_mut(),
                    m.control.len(),
                );
            }
            // SAFETY: the first `chunk.len()` headers point at live buffers
            // of the lengths stated in them; `sendmmsg` only reads them and
            // writes each header's `msg_len`.
            let ret = unsafe {
                libc::sendmmsg(fd.as_raw_fd(), headers.as_mut_ptr(), chunk.len() as _, 0)
            };
            let sent = match sys::check_count(op, ret) {
                Ok(n) => n.min(chunk.len()),
                Err(_) if done > 0 => break,
                Err(e) => return Err(e),
            };
            for (m, header) in chunk.iter_mut().zip(&headers).take(sent) {
                m.sent = header.msg_len as usize;
            }
            done += sent;
            if sent < chunk.len() {
                break;
            }
        }
        Ok(done)
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
)))]
mod imp {
    use std::os::fd::BorrowedFd;

    use ipv6_core::{Error, Operation, RecvMessage, Result, SendMessage};

    pub(super) fn recv(_: BorrowedFd<'_>, _: &mut [RecvMessage<'_>]) -> Result<usize> {
        Err(Error::Unsupported(Operation::RecvBatch))
    }

    pub(super) fn send(_: BorrowedFd<'_>, _: &mut [SendMessage<'_>]) -> Result<usize> {
        Err(Error::Unsupported(Operation::SendBatch))
    }
}

/// Receives up to `messages.len()` messages; on a blocking socket, waits
/// only until the first arrives.
pub(crate) fn recv(fd: BorrowedFd<'_>, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
    imp::recv(fd, messages)
}

/// Sends up to `messages.len()` messages; returns how many went out.
pub(crate) fn send(fd: BorrowedFd<'_>, messages: &mut [SendMessage<'_>]) -> Result<usize> {
    imp::send(fd, messages)
}
