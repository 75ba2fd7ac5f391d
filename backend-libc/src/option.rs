//! One generic `setsockopt`/`getsockopt` path driven by [`Platform::HOST`]'s
//! option table.
//!
//! The table row gives level and name; `ipv6-core` encodes and decodes the
//! value for the host's layout ([`ipv6_core::option`]). An option the host
//! lacks is `Error::Unsupported` from the table, before any system call. Only
//! `struct sock_fprog` is built here, because it holds a pointer.

use std::os::fd::BorrowedFd;
use std::time::Duration;

use ipv6_core::backend::BpfInstruction;
use ipv6_core::option::{self, Encoded, OptionBuffer};
use ipv6_core::{
    Direction, Error, InvalidArgument, Operation, OptionValue, Platform, Result, SocketOption,
};
use libc::c_ushort;

use crate::sys;

const HOST: Platform = Platform::HOST;

/// `struct sock_fprog`: a BPF program's length and address. Its layout is
/// asserted against libc's in `layout_check`.
#[repr(C)]
pub(crate) struct SockFprog {
    pub(crate) len: c_ushort,
    pub(crate) filter: *const BpfInstruction,
}

/// Sets `option` to `value`.
pub(crate) fn set(fd: BorrowedFd<'_>, option: SocketOption, value: &OptionValue<'_>) -> Result<()> {
    let op = Operation::Set(option);
    let mut buf = OptionBuffer::default();
    let (row, encoded) = option::encode(&HOST, option, value, &mut buf.0)?;
    match encoded {
        Encoded::Bytes(bytes) => sys::setsockopt(fd, op, row.level, row.name, bytes),
        Encoded::Program(program) => {
            let len = c_ushort::try_from(program.len()).map_err(|_| {
                Error::InvalidArgument(op, InvalidArgument::BpfProgramLength(program.len()))
            })?;
            let fprog = SockFprog {
                len,
                filter: program.as_ptr(),
            };
            sys::setsockopt(fd, op, row.level, row.name, &fprog)
        }
    }
}

/// Reads `option`.
pub(crate) fn get(fd: BorrowedFd<'_>, option: SocketOption) -> Result<OptionValue<'static>> {
    let op = Operation::Get(option);
    option::check_get(option)?;
    let row = option::row(&HOST, op, option)?;
    let mut buf = OptionBuffer::default();
    let len = HOST.option_len(option);
    let written = sys::getsockopt(fd, op, row.level, row.name, &mut buf.0[..len])?;
    option::decode(&HOST, option, &buf.0[..written])
}

/// Sets `SO_RCVTIMEO` or `SO_SNDTIMEO` (socket-level options, outside the
/// IPv6 table). `None` blocks forever. `PacketConn` passes whole
/// microseconds, never zero; a direct caller's fraction of a microsecond
/// rounds up here too, so a tiny timeout never becomes "forever".
pub(crate) fn set_timeout(
    fd: BorrowedFd<'_>,
    direction: Direction,
    timeout: Option<Duration>,
) -> Result<()> {
    let op = direction.set_timeout_operation();
    let name = match direction {
        Direction::Read => libc::SO_RCVTIMEO,
        Direction::Write => libc::SO_SNDTIMEO,
    };
    // SAFETY: `timeval` is plain integers; all-zero is a valid value.
    let mut tv: libc::timeval = unsafe { core::mem::zeroed() };
    if let Some(d) = timeout {
        if d.is_zero() {
            return Err(Error::Os {
                op,
                errno: libc::EINVAL,
            });
        }
        let mut secs = d.as_secs();
        let mut micros = d.subsec_nanos().div_ceil(1000);
        if micros == 1_000_000 {
            (secs, micros) = (secs.saturating_add(1), 0);
        }
        tv.tv_sec = libc::time_t::try_from(secs).unwrap_or(libc::time_t::MAX);
        tv.tv_usec = micros as libc::suseconds_t;
    }
    sys::setsockopt(fd, op, libc::SOL_SOCKET, name, &tv)
}
