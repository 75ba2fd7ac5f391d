//! `recvmsg`/`sendmsg` with scatter/gather buffers, control data and the
//! peer address, all on the stack.

use core::mem::MaybeUninit;
use core::net::SocketAddrV6;
use core::ptr;
use std::mem;
use std::os::fd::{AsRawFd, BorrowedFd};

use ipv6_core::backend::{MAX_IOV, check_buffer_count};
use ipv6_core::sockaddr;
use ipv6_core::{Error, MsgFlags, Operation, Platform, RecvMeta, Result};
use libc::{c_void, iovec, msghdr, socklen_t};

use crate::sys;

/// Room for the peer address of one message: a `sockaddr_in6`, the only
/// address decoded. Another family's longer address is cut short by the
/// kernel and, not being IPv6, reported as no source, as it would be whole.
/// Zeroed for every message, so it is no bigger than that (a
/// `sockaddr_storage` would be four times the stores).
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub(crate) struct NameBuf([u8; mem::size_of::<libc::sockaddr_in6>()]);

impl NameBuf {
    pub(crate) const EMPTY: NameBuf = NameBuf([0; mem::size_of::<libc::sockaddr_in6>()]);

    /// Encodes `destination` (if any); returns the `msg_namelen` to use.
    pub(crate) fn encode(
        &mut self,
        op: Operation,
        destination: Option<&SocketAddrV6>,
    ) -> Result<socklen_t> {
        match destination {
            None => Ok(0),
            Some(addr) => sockaddr::encode_sockaddr_in6(&Platform::HOST, addr, &mut self.0)
                .map(|len| len as socklen_t)
                .map_err(|e| Error::Wire(op, e)),
        }
    }

    /// The sender, if the kernel reported an IPv6 address.
    pub(crate) fn source(&self, namelen: socklen_t) -> Option<SocketAddrV6> {
        let len = (namelen as usize).min(self.0.len());
        sockaddr::decode_sockaddr_in6(&Platform::HOST, &self.0[..len]).ok()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_void {
        self.0.as_mut_ptr().cast()
    }
}

pub(crate) const EMPTY_IOV: iovec = iovec {
    iov_base: ptr::null_mut(),
    iov_len: 0,
};

/// An `iovec` the kernel reads from (send) or writes to (receive).
pub(crate) fn iov(base: *mut u8, len: usize) -> iovec {
    iovec {
        iov_base: base.cast(),
        iov_len: len,
    }
}

/// Uninitialised room for `MAX_IOV` `iovec`s: zeroing them all would cost
/// more than the rest of a call's set-up, and only those written are passed.
type IovecSlots = [MaybeUninit<iovec>; MAX_IOV];

const IOVEC_SLOTS: IovecSlots = [const { MaybeUninit::uninit() }; MAX_IOV];

/// Writes one `iovec` per `(base, len)` (at most `MAX_IOV`, which the caller
/// has checked) and returns a pointer to the first and their count.
fn fill_iovecs(
    slots: &mut IovecSlots,
    buffers: impl Iterator<Item = (*mut u8, usize)>,
) -> (*mut iovec, usize) {
    let mut count = 0;
    for (slot, (base, len)) in slots.iter_mut().zip(buffers) {
        slot.write(iov(base, len));
        count += 1;
    }
    (slots.as_mut_ptr().cast(), count)
}

/// A control pointer: null for an empty buffer, as some kernels reject a
/// non-null pointer with length 0.
fn control_ptr(ptr: *mut u8, len: usize) -> *mut c_void {
    if len == 0 {
        ptr::null_mut()
    } else {
        ptr.cast()
    }
}

/// A `msghdr` over the given name, `iovlen` iovecs at `iov` and control
/// buffer.
pub(crate) fn msghdr(
    name: *mut c_void,
    namelen: socklen_t,
    iov: *mut iovec,
    iovlen: usize,
    control: *mut u8,
    control_len: usize,
) -> msghdr {
    // SAFETY: `msghdr` is pointers and integers (plus padding on some
    // targets); all-zero is a valid value.
    let mut msg: msghdr = unsafe { mem::zeroed() };
    msg.msg_name = name;
    msg.msg_namelen = namelen;
    msg.msg_iov = iov;
    // The field types differ per target (size_t, int, socklen_t); every
    // value here is bounded by MAX_IOV or a slice length the caller owns,
    // and a smaller length only makes the kernel touch less memory.
    msg.msg_iovlen = iovlen as _;
    msg.msg_control = control_ptr(control, control_len);
    msg.msg_controllen = control_len as _;
    msg
}

/// What the kernel reported about one received message.
#[allow(
    clippy::unnecessary_cast,
    reason = "msg_controllen is size_t on Linux, socklen_t elsewhere"
)]
pub(crate) fn recv_meta(len: usize, msg: &msghdr, name: &NameBuf) -> RecvMeta {
    let mut flags = MsgFlags::empty();
    flags.set(MsgFlags::TRUNCATED, msg.msg_flags & libc::MSG_TRUNC != 0);
    flags.set(
        MsgFlags::CONTROL_TRUNCATED,
        msg.msg_flags & libc::MSG_CTRUNC != 0,
    );
    RecvMeta {
        len,
        control_len: if msg.msg_control.is_null() {
            0
        } else {
            msg.msg_controllen as usize
        },
        source: name.source(msg.msg_namelen),
        flags,
    }
}

/// `recvmsg` into `buffers` and `control`.
pub(crate) fn recv_msg(
    fd: BorrowedFd<'_>,
    buffers: &mut [&mut [u8]],
    control: &mut [u8],
) -> Result<RecvMeta> {
    recv(fd, Operation::RecvMsg, 0, buffers, control)
}

/// `recvmsg(MSG_ERRQUEUE)`: one entry of the error queue (Linux).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn recv_error(
    fd: BorrowedFd<'_>,
    buffers: &mut [&mut [u8]],
    control: &mut [u8],
) -> Result<RecvMeta> {
    recv(
        fd,
        Operation::RecvError,
        libc::MSG_ERRQUEUE,
        buffers,
        control,
    )
}

/// No error queue: refused before any system call.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn recv_error(_: BorrowedFd<'_>, _: &mut [&mut [u8]], _: &mut [u8]) -> Result<RecvMeta> {
    Err(Error::Unsupported(Operation::RecvError))
}

/// `recvmsg` with `flags` for `op`.
fn recv(
    fd: BorrowedFd<'_>,
    op: Operation,
    flags: libc::c_int,
    buffers: &mut [&mut [u8]],
    control: &mut [u8],
) -> Result<RecvMeta> {
    check_buffer_count(op, buffers.len())?;
    let mut slots = IOVEC_SLOTS;
    let (iov, iovlen) = fill_iovecs(
        &mut slots,
        buffers.iter_mut().map(|b| (b.as_mut_ptr(), b.len())),
    );
    let mut name = NameBuf::EMPTY;
    let mut msg = msghdr(
        name.as_mut_ptr(),
        mem::size_of::<NameBuf>() as socklen_t,
        iov,
        iovlen,
        control.as_mut_ptr(),
        control.len(),
    );
    // SAFETY: every pointer in `msg` refers to a live, exclusively borrowed
    // buffer (`name`, `iovs` and the slices they point to, `control`) of the
    // length stated beside it; the kernel writes within those lengths.
    let ret = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut msg, flags) };
    let len = sys::check_count(op, ret)?;
    Ok(recv_meta(len, &msg, &name))
}

/// `sendmsg` of `buffers` with `control` to `destination`.
pub(crate) fn send_msg(
    fd: BorrowedFd<'_>,
    buffers: &[&[u8]],
    control: &[u8],
    destination: Option<&SocketAddrV6>,
) -> Result<usize> {
    let op = Operation::SendMsg;
    check_buffer_count(op, buffers.len())?;
    // The kernel only reads send buffers; `iovec` has no const pointer.
    let mut slots = IOVEC_SLOTS;
    let (iov, iovlen) = fill_iovecs(
        &mut slots,
        buffers.iter().map(|b| (b.as_ptr().cast_mut(), b.len())),
    );
    let mut name = NameBuf::EMPTY;
    let namelen = name.encode(op, destination)?;
    let msg = msghdr(
        name.as_mut_ptr(),
        namelen,
        iov,
        iovlen,
        control.as_ptr().cast_mut(),
        control.len(),
    );
    // SAFETY: every pointer in `msg` refers to a live buffer of the length
    // stated beside it; `sendmsg` only reads them.
    let ret = unsafe { libc::sendmsg(fd.as_raw_fd(), &msg, 0) };
    sys::check_count(op, ret)
}
