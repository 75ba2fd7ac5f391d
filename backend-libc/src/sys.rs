//! The few raw system calls every other module is built on, each turned into
//! an [`ipv6_core::Result`] carrying the real `errno`.

use std::mem;
use std::os::fd::{AsRawFd, BorrowedFd};

use ipv6_core::{Error, Operation, Result};
use libc::{c_int, c_void, socklen_t};

/// The calling thread's `errno`.
pub(crate) fn errno() -> i32 {
    // Reads the thread-local errno; `last_os_error` does not allocate.
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// `Error::Os` for `op` with the current `errno`.
pub(crate) fn os_error(op: Operation) -> Error {
    Error::Os { op, errno: errno() }
}

/// Maps a `-1`-on-error return value to a result.
pub(crate) fn check(op: Operation, ret: c_int) -> Result<c_int> {
    if ret < 0 { Err(os_error(op)) } else { Ok(ret) }
}

/// Maps a byte or message count (`-1` on error) to a `usize`.
pub(crate) fn check_count<T: TryInto<usize>>(op: Operation, ret: T) -> Result<usize> {
    // A negative count is exactly the error return.
    ret.try_into().map_err(|_| os_error(op))
}

/// `setsockopt(fd, level, name, value, sizeof value)`.
pub(crate) fn setsockopt<T: ?Sized>(
    fd: BorrowedFd<'_>,
    op: Operation,
    level: c_int,
    name: c_int,
    value: &T,
) -> Result<()> {
    let len = mem::size_of_val(value) as socklen_t;
    // SAFETY: `value` is a live reference to `len` bytes; the kernel only
    // reads them. (`SockFprog` has padding bytes: reading them through a
    // pointer in C is not undefined behaviour, and the kernel ignores them.)
    let ret = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast::<c_void>(),
            len,
        )
    };
    check(op, ret).map(drop)
}

/// `getsockopt(fd, level, name, buf, &len)`; returns the length the kernel wrote.
pub(crate) fn getsockopt(
    fd: BorrowedFd<'_>,
    op: Operation,
    level: c_int,
    name: c_int,
    buf: &mut [u8],
) -> Result<usize> {
    let mut len = buf.len() as socklen_t;
    // SAFETY: `buf` is valid for writes of `len` bytes and `len` is a live
    // out-parameter; the kernel writes at most `len` bytes.
    let ret = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            buf.as_mut_ptr().cast::<c_void>(),
            &mut len,
        )
    };
    check(op, ret)?;
    Ok((len as usize).min(buf.len()))
}

/// The address family of the socket's local address.
#[allow(
    clippy::useless_conversion,
    reason = "sa_family_t is u16 on Linux, u8 on the BSDs"
)]
pub(crate) fn socket_family(fd: BorrowedFd<'_>) -> Result<u16> {
    // SAFETY: `sockaddr_storage` is plain integers; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let mut len = mem::size_of_val(&storage) as socklen_t;
    // SAFETY: `storage` is writable for `len` bytes, `len` is a live out-parameter.
    let ret = unsafe {
        libc::getsockname(
            fd.as_raw_fd(),
            (&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr>(),
            &mut len,
        )
    };
    check(Operation::SocketFamily, ret)?;
    Ok(u16::from(storage.ss_family))
}

/// Sets or clears `O_NONBLOCK`.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>, on: bool) -> Result<()> {
    let op = Operation::SetNonblocking;
    // SAFETY: F_GETFL takes no argument and only reads the descriptor's flags.
    let flags = check(op, unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    let wanted = if on {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    if wanted != flags {
        // SAFETY: F_SETFL takes an int of file status flags.
        check(op, unsafe {
            libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, wanted)
        })?;
    }
    Ok(())
}
