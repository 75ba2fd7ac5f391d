//! One generic `setsockopt`/`getsockopt` path driven by [`Platform::HOST`]'s
//! option table.
//!
//! A caller names the option ([`SocketOption`]) and gives the value in
//! portable form ([`Value`]); the table row supplies level, name and the
//! value's shape ([`OptionValue`]), and `ipv6-core`'s encoders produce the
//! bytes. An option the table lacks, or a value the row's shape cannot carry
//! (a source address for an `ipv6_mreq` row), is `Error::Unsupported`.

use core::net::Ipv6Addr;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use ipv6_core::backend::BpfInstruction;
use ipv6_core::platform::{OptionValue, SockOpt, SocketOption};
use ipv6_core::sockaddr::{self, MAX_OPTION_LEN};
use ipv6_core::{Error, IcmpFilter, InvalidArgument, Operation, Platform, Result, WireError};
use libc::c_ushort;

use crate::sys;

const HOST: Platform = Platform::HOST;

/// An option value before the platform table says how it is encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    /// A C `int`.
    Int(i32),
    /// A multicast membership: `ipv6_mreq`, `group_req` or `group_source_req`
    /// depending on the row.
    Membership {
        ifindex: u32,
        group: Ipv6Addr,
        source: Option<Ipv6Addr>,
    },
    /// An ICMPv6 type filter.
    Filter(&'a IcmpFilter),
    /// A classic BPF program.
    Program(&'a [BpfInstruction]),
}

/// `struct sock_fprog`: a BPF program's length and address. Its layout is
/// asserted against libc's in `layout_check`.
#[repr(C)]
pub(crate) struct SockFprog {
    pub(crate) len: c_ushort,
    pub(crate) filter: *const BpfInstruction,
}

/// Option bytes, aligned for any option struct the kernel reads.
#[repr(C, align(8))]
struct OptionBuf([u8; MAX_OPTION_LEN]);

fn row(op: Operation, option: SocketOption) -> Result<SockOpt> {
    HOST.sockopt(option).ok_or(Error::Unsupported(op))
}

/// Sets `option` to `value`.
pub(crate) fn set(
    fd: BorrowedFd<'_>,
    op: Operation,
    option: SocketOption,
    value: Value<'_>,
) -> Result<()> {
    let row = row(op, option)?;
    let mut buf = OptionBuf([0; MAX_OPTION_LEN]);
    let out = &mut buf.0;
    let encoded = match (row.value, value) {
        (OptionValue::Int, Value::Int(v)) => sockaddr::encode_int(&HOST, v, out),
        (
            OptionValue::Mreq,
            Value::Membership {
                ifindex,
                group,
                source: None,
            },
        ) => sockaddr::encode_ipv6_mreq(&HOST, ifindex, group, out),
        (
            OptionValue::GroupReq,
            Value::Membership {
                ifindex,
                group,
                source: None,
            },
        ) => sockaddr::encode_group_req(&HOST, ifindex, group, out),
        (
            OptionValue::GroupSourceReq,
            Value::Membership {
                ifindex,
                group,
                source: Some(source),
            },
        ) => sockaddr::encode_group_source_req(&HOST, ifindex, group, source, out),
        (OptionValue::IcmpFilter, Value::Filter(filter)) => {
            let bytes = filter.to_bytes(&HOST);
            out[..bytes.len()].copy_from_slice(&bytes);
            Ok(bytes.len())
        }
        (OptionValue::SockFprog, Value::Program(program)) => {
            let len = c_ushort::try_from(program.len()).map_err(|_| {
                Error::InvalidArgument(op, InvalidArgument::BpfProgramLength(program.len()))
            })?;
            let fprog = SockFprog {
                len,
                filter: program.as_ptr(),
            };
            return sys::setsockopt(fd, op, row.level, row.name, &fprog);
        }
        _ => return Err(Error::Unsupported(op)),
    };
    let len = encoded.map_err(|e| Error::Wire(op, e))?;
    sys::setsockopt(fd, op, row.level, row.name, &buf.0[..len])
}

/// Reads `option`, which must have the shape `shape`, into `buf`; returns
/// the bytes the kernel wrote.
fn get<'b>(
    fd: BorrowedFd<'_>,
    op: Operation,
    option: SocketOption,
    shape: OptionValue,
    buf: &'b mut OptionBuf,
) -> Result<&'b [u8]> {
    let row = row(op, option)?;
    let len = match shape {
        OptionValue::Int => 4,
        OptionValue::MtuInfo => HOST.layouts.ip6_mtuinfo,
        OptionValue::IcmpFilter => HOST.layouts.icmp6_filter,
        _ => return Err(Error::Unsupported(op)),
    };
    if row.value != shape {
        return Err(Error::Unsupported(op));
    }
    let written = sys::getsockopt(fd, op, row.level, row.name, &mut buf.0[..len])?;
    Ok(&buf.0[..written])
}

/// Reads an `int` option.
pub(crate) fn get_int(fd: BorrowedFd<'_>, op: Operation, option: SocketOption) -> Result<i32> {
    let mut buf = OptionBuf([0; MAX_OPTION_LEN]);
    let bytes = get(fd, op, option, OptionValue::Int, &mut buf)?;
    sockaddr::decode_int(&HOST, bytes).map_err(|e| Error::Wire(op, e))
}

/// Reads `ip6m_mtu` from a `struct ip6_mtuinfo` option.
///
/// Only the MTU is meaningful here: Linux leaves `ip6m_addr` all zero (not
/// even `AF_INET6`), which `decode_ip6_mtuinfo` rightly rejects, so the
/// field is read on its own.
pub(crate) fn get_mtu(fd: BorrowedFd<'_>, op: Operation, option: SocketOption) -> Result<u32> {
    let mut buf = OptionBuf([0; MAX_OPTION_LEN]);
    let bytes = get(fd, op, option, OptionValue::MtuInfo, &mut buf)?;
    let l = HOST.layouts;
    if bytes.len() < l.ip6_mtuinfo {
        let (needed, available) = (l.ip6_mtuinfo, bytes.len());
        return Err(Error::Wire(op, WireError::Truncated { needed, available }));
    }
    let mtu = sockaddr::decode_int(&HOST, &bytes[l.sockaddr_in6..]);
    mtu.map(|m| m as u32).map_err(|e| Error::Wire(op, e))
}

/// Reads a `struct icmp6_filter` option.
pub(crate) fn get_filter(
    fd: BorrowedFd<'_>,
    op: Operation,
    option: SocketOption,
) -> Result<IcmpFilter> {
    let mut buf = OptionBuf([0; MAX_OPTION_LEN]);
    let bytes = get(fd, op, option, OptionValue::IcmpFilter, &mut buf)?;
    IcmpFilter::from_bytes(&HOST, bytes).map_err(|e| Error::Wire(op, e))
}

/// Sets `SO_RCVTIMEO` or `SO_SNDTIMEO` (socket-level options, outside the
/// IPv6 table). `None` blocks forever; `Some(ZERO)` is `EINVAL`, as a zero
/// `timeval` would mean "forever" to the kernel.
pub(crate) fn set_timeout(
    fd: BorrowedFd<'_>,
    op: Operation,
    name: libc::c_int,
    timeout: Option<Duration>,
) -> Result<()> {
    // SAFETY: `timeval` is plain integers; all-zero is a valid value.
    let mut tv: libc::timeval = unsafe { core::mem::zeroed() };
    if let Some(d) = timeout {
        if d.is_zero() {
            return Err(Error::Os {
                op,
                errno: libc::EINVAL,
            });
        }
        tv.tv_sec = libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX);
        // Sub-microsecond timeouts round up rather than to "forever".
        let micros = d.subsec_micros().max(u32::from(d.as_secs() == 0));
        tv.tv_usec = micros as libc::suseconds_t;
    }
    sys::setsockopt(fd, op, libc::SOL_SOCKET, name, &tv)
}
