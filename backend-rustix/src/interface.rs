//! Interface lookups through rustix's `netdevice` ioctls (Linux and Android).
//!
//! As in `ipv6-backend-libc`, "no such interface" is
//! `Error::InvalidArgument(InterfaceIndex, UnknownInterface(name))`.

use ipv6_core::Result;

/// The index of the interface called `name` (`if_nametoindex`), in the
/// calling thread's network namespace.
///
/// An unknown name (also an empty, over-long or NUL-containing one) is
/// `Error::InvalidArgument(InterfaceIndex, UnknownInterface(name))`. Native on Linux
/// (`SIOCGIFINDEX`); elsewhere it is `ipv6_backend_libc::interface_index`, or
/// `Unsupported(InterfaceIndex)` without the `libc-fallback` feature.
pub fn interface_index(name: &str) -> Result<u32> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        linux::index(name)
    }
    #[cfg(all(
        not(any(target_os = "linux", target_os = "android")),
        feature = "libc-fallback"
    ))]
    {
        ipv6_backend_libc::interface_index(name)
    }
    #[cfg(all(
        not(any(target_os = "linux", target_os = "android")),
        not(feature = "libc-fallback")
    ))]
    {
        let _ = name;
        Err(ipv6_core::Error::Unsupported(
            ipv6_core::Operation::InterfaceIndex,
        ))
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use linux::exists;

#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux {
    use std::os::fd::BorrowedFd;

    use ipv6_core::{Error, InterfaceName, InvalidArgument, Operation, Result};
    use rustix::io::Errno;
    use rustix::net::{AddressFamily, SocketFlags, SocketType, netdevice, socket_with};

    use crate::socket::os_error;

    const OP: Operation = Operation::InterfaceIndex;

    fn unknown_name(name: &str) -> Error {
        Error::InvalidArgument(
            OP,
            InvalidArgument::UnknownInterface(InterfaceName::new(name)),
        )
    }

    pub(super) fn index(name: &str) -> Result<u32> {
        // The ioctl needs a socket of any family; this one lives for the call,
        // as the one glibc's if_nametoindex opens does.
        let probe = socket_with(
            AddressFamily::UNIX,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            None,
        )
        .map_err(os_error(OP))?;
        match netdevice::name_to_index(&probe, name) {
            Ok(index) => Ok(index),
            // rustix also answers NODEV for names no interface can have.
            Err(Errno::NODEV) => Err(unknown_name(name)),
            Err(errno) => Err(os_error(OP)(errno)),
        }
    }

    /// Whether interface `index` exists in `fd`'s network namespace
    /// (`SIOCGIFNAME` on the socket itself).
    pub(crate) fn exists(fd: BorrowedFd<'_>, index: u32) -> Result<bool> {
        match netdevice::index_to_name_inlined(fd, index) {
            // ILSEQ: the interface exists, its name is not UTF-8.
            Ok(_) | Err(Errno::ILSEQ) => Ok(true),
            Err(Errno::NODEV) => Ok(false),
            Err(errno) => Err(os_error(Operation::InterfaceExists)(errno)),
        }
    }
}
