//! Network interfaces: index ↔ name (`if_nametoindex`, `if_indextoname`)
//! and the list of interfaces with their IPv6 addresses (`getifaddrs`).
//!
//! "No such interface" is an argument error naming the function that failed
//! and what it was given, whatever errno the C library chose (glibc's
//! `if_nametoindex` says `ENODEV`): `InvalidArgument::UnknownInterface(name)`
//! from `interface_index` (also for names no interface can have: empty, too
//! long, containing NUL), `InvalidArgument::NoSuchInterface(index)` from
//! `interface_name`. Other errors (e.g. `EMFILE` when the C library cannot
//! open its helper socket) are `Error::Os` with the real errno.

use core::net::Ipv6Addr;
use std::ffi::CStr;
use std::mem;
use std::os::fd::BorrowedFd;
use std::ptr;

use ipv6_core::sockaddr::decode_sockaddr_in6;
use ipv6_core::{Error, InterfaceName, InvalidArgument, Operation, Platform, Result};
use libc::c_char;

use crate::sys;

fn unknown_name(name: &str) -> Error {
    Error::InvalidArgument(
        Operation::InterfaceIndex,
        InvalidArgument::UnknownInterface(InterfaceName::new(name)),
    )
}

/// `errno` after a failed lookup, with "not found" normalised to `ENXIO`.
fn lookup_errno() -> i32 {
    match sys::errno() {
        libc::ENODEV => libc::ENXIO,
        errno => errno,
    }
}

/// The index of the interface called `name` (`if_nametoindex`).
///
/// An unknown name is
/// `Error::InvalidArgument(InterfaceIndex, UnknownInterface(name))`.
pub fn interface_index(name: &str) -> Result<u32> {
    const OP: Operation = Operation::InterfaceIndex;
    let mut c_name = [0u8; libc::IF_NAMESIZE];
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() >= c_name.len() || bytes.contains(&0) {
        return Err(unknown_name(name));
    }
    c_name[..bytes.len()].copy_from_slice(bytes);
    // SAFETY: `c_name` is NUL-terminated (the name is shorter than the array).
    let index = unsafe { libc::if_nametoindex(c_name.as_ptr().cast()) };
    if index == 0 {
        return match lookup_errno() {
            libc::ENXIO => Err(unknown_name(name)),
            errno => Err(Error::Os { op: OP, errno }),
        };
    }
    Ok(index)
}

/// Writes the name of interface `index` into `buf`; `Ok(None)` if none has it.
fn name_of(op: Operation, index: u32, buf: &mut [u8; libc::IF_NAMESIZE]) -> Result<Option<&str>> {
    // SAFETY: `buf` holds IF_NAMESIZE bytes, the most `if_indextoname` writes.
    let ret = unsafe { libc::if_indextoname(index, buf.as_mut_ptr().cast::<c_char>()) };
    if ret.is_null() {
        return match lookup_errno() {
            libc::ENXIO => Ok(None),
            errno => Err(Error::Os { op, errno }),
        };
    }
    let name = CStr::from_bytes_until_nul(buf)
        .ok()
        .and_then(|c| c.to_str().ok());
    // A name the C library returned unterminated or not as UTF-8 still
    // proves the interface exists.
    Ok(Some(name.unwrap_or("")))
}

/// Whether an interface has index `index` in the network namespace of the
/// socket `fd` (`SIOCGIFNAME` on it), where the calling thread may be in
/// another namespace.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn exists(fd: BorrowedFd<'_>, index: u32) -> Result<bool> {
    use std::os::fd::AsRawFd;

    let Ok(index) = libc::c_int::try_from(index) else {
        return Ok(false); // the kernel's indexes are positive ints
    };
    // SAFETY: `ifreq` is plain integers and arrays; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { mem::zeroed() };
    req.ifr_ifru.ifru_ifindex = index;
    // SAFETY: SIOCGIFNAME reads `ifr_ifindex` and writes `ifr_name` within
    // the live, exclusively borrowed `req`.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFNAME as _, &mut req) };
    if ret == 0 {
        return Ok(true);
    }
    match lookup_errno() {
        libc::ENXIO => Ok(false),
        errno => Err(Error::Os {
            op: Operation::InterfaceExists,
            errno,
        }),
    }
}

/// Whether an interface has index `index`. The BSDs have one interface
/// namespace per jail or vnet, which the socket and the thread share.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn exists(_fd: BorrowedFd<'_>, index: u32) -> Result<bool> {
    let mut buf = [0u8; libc::IF_NAMESIZE];
    Ok(name_of(Operation::InterfaceExists, index, &mut buf)?.is_some())
}

/// The name of interface `index` (`if_indextoname`).
///
/// An unknown index is
/// `Error::InvalidArgument(InterfaceName, NoSuchInterface(index))`.
pub fn interface_name(index: u32) -> Result<String> {
    const OP: Operation = Operation::InterfaceName;
    let mut buf = [0u8; libc::IF_NAMESIZE];
    match name_of(OP, index, &mut buf)? {
        Some(name) => Ok(name.to_owned()),
        None => Err(Error::InvalidArgument(
            OP,
            InvalidArgument::NoSuchInterface(index),
        )),
    }
}

bitflags::bitflags! {
    /// Interface state, as Go's `net.Flags` names it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct InterfaceFlags: u8 {
        /// `IFF_UP`: administratively up.
        const UP = 1;
        /// `IFF_LOOPBACK`: a loopback interface.
        const LOOPBACK = 2;
        /// `IFF_MULTICAST`: supports multicast.
        const MULTICAST = 4;
    }
}

/// `IFF_*` bits of `ifa_flags`. NetBSD's are absent from libc; the values
/// are from NetBSD's `<net/if.h>` and equal the other BSDs'.
#[cfg(not(target_os = "netbsd"))]
const IFF: [(libc::c_int, InterfaceFlags); 3] = [
    (libc::IFF_UP, InterfaceFlags::UP),
    (libc::IFF_LOOPBACK, InterfaceFlags::LOOPBACK),
    (libc::IFF_MULTICAST, InterfaceFlags::MULTICAST),
];
#[cfg(target_os = "netbsd")]
const IFF: [(libc::c_int, InterfaceFlags); 3] = [
    (0x1, InterfaceFlags::UP),
    (0x8, InterfaceFlags::LOOPBACK),
    (0x8000, InterfaceFlags::MULTICAST),
];

/// A network interface and its IPv6 addresses (Go's `net.Interface` plus
/// the IPv6 half of `Addrs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Interface {
    /// Interface index, as used by multicast and `ControlMessage::if_index`.
    pub index: u32,
    /// Interface name, e.g. `lo` or `em0`.
    pub name: String,
    /// Up, loopback, multicast.
    pub flags: InterfaceFlags,
    /// IPv6 addresses assigned to the interface, in the kernel's order.
    pub addresses: Vec<Ipv6Addr>,
}

/// Owns a `getifaddrs` list and frees it on drop.
struct IfAddrs(*mut libc::ifaddrs);

impl Drop for IfAddrs {
    fn drop(&mut self) {
        // An empty list may be NULL, which no standard lets `freeifaddrs` take.
        if self.0.is_null() {
            return;
        }
        // SAFETY: the pointer came from a successful `getifaddrs` and is freed once.
        unsafe { libc::freeifaddrs(self.0) }
    }
}

impl IfAddrs {
    fn iter(&self) -> impl Iterator<Item = &libc::ifaddrs> {
        // SAFETY: each `ifa_next` is null or points to the next node of the
        // list, which lives until `self` is dropped.
        let mut next = unsafe { self.0.as_ref() };
        core::iter::from_fn(move || {
            let node = next?;
            // SAFETY: as above.
            next = unsafe { node.ifa_next.as_ref() };
            Some(node)
        })
    }
}

/// The IPv6 address of an `ifaddrs` entry, if it has one.
fn ipv6_address(ifa: &libc::ifaddrs) -> Option<Ipv6Addr> {
    if ifa.ifa_addr.is_null() {
        return None;
    }
    // SAFETY: a non-null `ifa_addr` points to a `sockaddr`, whose family
    // field every platform lays out within its first two bytes.
    let family = unsafe { (*ifa.ifa_addr).sa_family };
    if i32::from(family) != libc::AF_INET6 {
        return None;
    }
    // SAFETY: an AF_INET6 `sockaddr` is a whole `sockaddr_in6`.
    let bytes = unsafe {
        core::slice::from_raw_parts(
            ifa.ifa_addr.cast::<u8>(),
            mem::size_of::<libc::sockaddr_in6>(),
        )
    };
    decode_sockaddr_in6(&Platform::HOST, bytes)
        .ok()
        .map(|sa| *sa.ip())
}

/// Every interface with its flags and IPv6 addresses, ordered by index
/// (`getifaddrs`). Allocates; not for per-packet paths.
pub fn interfaces() -> Result<Vec<Interface>> {
    let mut head = ptr::null_mut();
    // SAFETY: `head` is a live out-parameter.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(sys::os_error(Operation::Interfaces));
    }
    let list = IfAddrs(head);
    let mut out: Vec<Interface> = Vec::new();
    for ifa in list.iter() {
        if ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: a non-null `ifa_name` is a NUL-terminated string that
        // lives as long as the list.
        let c_name = unsafe { CStr::from_ptr(ifa.ifa_name) };
        let Ok(name) = c_name.to_str() else { continue };
        let position = match out.iter().position(|i| i.name == name) {
            Some(p) => p,
            None => {
                // SAFETY: `c_name` is NUL-terminated.
                let index = unsafe { libc::if_nametoindex(c_name.as_ptr()) };
                if index == 0 {
                    continue; // Gone since the list was taken.
                }
                out.push(Interface {
                    index,
                    name: name.to_owned(),
                    flags: InterfaceFlags::empty(),
                    addresses: Vec::new(),
                });
                out.len() - 1
            }
        };
        let entry = &mut out[position];
        for (bit, flag) in IFF {
            // `ifa_flags` is 64 bits on illumos, 32 elsewhere.
            #[allow(clippy::useless_conversion, reason = "u64 on illumos")]
            let flags = u64::from(ifa.ifa_flags);
            if flags & bit as u64 != 0 {
                entry.flags |= flag;
            }
        }
        if let Some(addr) = ipv6_address(ifa) {
            if !entry.addresses.contains(&addr) {
                entry.addresses.push(addr);
            }
        }
    }
    out.sort_by_key(|i| i.index);
    Ok(out)
}
