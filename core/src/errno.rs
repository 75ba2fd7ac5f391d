//! The `errno` numbers the library names, classifies or explains, per OS
//! family, as data.
//!
//! [`Error::Os`](crate::Error::Os) carries the raw number the kernel
//! returned. To print its name (`EADDRINUSE`), to answer
//! [`Error::is_would_block`](crate::Error::is_would_block) and its siblings
//! without `std`, and to attach a hint, the core needs the host's numbers;
//! they differ between Linux, the BSDs (Darwin included) and illumos past
//! `ERANGE` (34). The rows below are the socket-related errors; any other
//! number prints as itself (with `std`, also with the system's text).
//!
//! Sources: Linux `include/uapi/asm-generic/errno-base.h` and `errno.h`;
//! FreeBSD, NetBSD, OpenBSD, DragonFly and Darwin `sys/errno.h` (4.4BSD
//! numbering, identical for every row here); illumos
//! `usr/src/uts/common/sys/errno.h`. `ipv6-backend-libc`'s `layout_check.rs`
//! asserts the host's column against the `libc` crate at compile time, so a
//! wrong number fails to build on that system. `EWOULDBLOCK` equals `EAGAIN`
//! on every system listed (also asserted there).

macro_rules! errnos {
    ($($(#[$doc:meta])* $name:ident $linux:literal $bsd:literal $illumos:literal;)*) => {
        /// One OS family's numbers for the errors the library names.
        #[allow(non_snake_case, reason = "fields are the C names")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Errnos {
            $($(#[$doc])* pub $name: i32,)*
        }

        /// Linux and Android.
        pub const LINUX: Errnos = Errnos { $($name: $linux,)* };
        /// FreeBSD, NetBSD, OpenBSD, DragonFly and Darwin.
        pub const BSD: Errnos = Errnos { $($name: $bsd,)* };
        /// illumos and Solaris.
        pub const ILLUMOS: Errnos = Errnos { $($name: $illumos,)* };

        impl Errnos {
            /// The C names of the rows, in order.
            pub const NAMES: [&'static str; [$(stringify!($name)),*].len()] =
                [$(stringify!($name)),*];

            /// The numbers of the rows, in the order of [`Errnos::NAMES`].
            pub const fn values(&self) -> [i32; Self::NAMES.len()] {
                [$(self.$name),*]
            }
        }
    };
}

errnos! {
    // name            Linux  BSD  illumos
    /// Operation not permitted.
    EPERM                  1    1    1;
    /// Interrupted system call.
    EINTR                  4    4    4;
    /// Input/output error.
    EIO                    5    5    5;
    /// No such device or address.
    ENXIO                  6    6    6;
    /// Bad file descriptor.
    EBADF                  9    9    9;
    /// Resource temporarily unavailable (`EWOULDBLOCK` is the same number).
    EAGAIN                11   35   11;
    /// Cannot allocate memory.
    ENOMEM                12   12   12;
    /// Permission denied.
    EACCES                13   13   13;
    /// Bad address.
    EFAULT                14   14   14;
    /// No such device.
    ENODEV                19   19   19;
    /// Invalid argument.
    EINVAL                22   22   22;
    /// Too many open files.
    EMFILE                24   24   24;
    /// Broken pipe.
    EPIPE                 32   32   32;
    /// Socket operation on a non-socket.
    ENOTSOCK              88   38   95;
    /// Destination address required.
    EDESTADDRREQ          89   39   96;
    /// Message too long.
    EMSGSIZE              90   40   97;
    /// Protocol wrong type for socket.
    EPROTOTYPE            91   41   98;
    /// Protocol not available (an option the socket's protocol lacks).
    ENOPROTOOPT           92   42   99;
    /// Protocol not supported.
    EPROTONOSUPPORT       93   43  120;
    /// Address family not supported by protocol.
    EAFNOSUPPORT          97   47  124;
    /// Address already in use.
    EADDRINUSE            98   48  125;
    /// Cannot assign requested address.
    EADDRNOTAVAIL         99   49  126;
    /// Network is down.
    ENETDOWN             100   50  127;
    /// Network is unreachable.
    ENETUNREACH          101   51  128;
    /// Connection reset by peer.
    ECONNRESET           104   54  131;
    /// No buffer space available.
    ENOBUFS              105   55  132;
    /// Transport endpoint is already connected.
    EISCONN              106   56  133;
    /// Transport endpoint is not connected.
    ENOTCONN             107   57  134;
    /// Connection timed out.
    ETIMEDOUT            110   60  145;
    /// Connection refused.
    ECONNREFUSED         111   61  146;
    /// No route to host.
    EHOSTUNREACH         113   65  148;
}

/// The build target's numbers; `None` on targets without an OS.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const HOST: Option<Errnos> = Some(LINUX);
/// The build target's numbers; `None` on targets without an OS.
#[cfg(any(
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_vendor = "apple"
))]
pub const HOST: Option<Errnos> = Some(BSD);
/// The build target's numbers; `None` on targets without an OS.
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
pub const HOST: Option<Errnos> = Some(ILLUMOS);
/// The build target's numbers; `None` on targets without an OS.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_vendor = "apple",
    target_os = "illumos",
    target_os = "solaris"
)))]
pub const HOST: Option<Errnos> = None;

impl Errnos {
    /// The C name of `errno` (`"EADDRINUSE"`), if it is one of the rows.
    pub fn name(&self, errno: i32) -> Option<&'static str> {
        let values = self.values();
        let row = values.iter().position(|&v| v == errno)?;
        Some(Errnos::NAMES[row])
    }
}

/// `errno`'s C name on the build target, if the table has it.
pub fn host_name(errno: i32) -> Option<&'static str> {
    HOST.and_then(|table| table.name(errno))
}

/// Whether `errno` is the build target's `errno` picked by `pick`.
pub(crate) fn host_is(errno: i32, pick: fn(&Errnos) -> i32) -> bool {
    HOST.is_some_and(|table| pick(&table) == errno)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_distinct_numbers_so_names_are_unambiguous() {
        for table in [LINUX, BSD, ILLUMOS] {
            let values = table.values();
            for (i, v) in values.iter().enumerate() {
                assert!(!values[..i].contains(v), "{} repeats {v}", Errnos::NAMES[i]);
                assert_eq!(table.name(*v), Some(Errnos::NAMES[i]));
            }
        }
        assert_eq!(LINUX.name(98), Some("EADDRINUSE"));
        assert_eq!(BSD.name(48), Some("EADDRINUSE"));
        assert_eq!(ILLUMOS.name(125), Some("EADDRINUSE"));
        assert_eq!(LINUX.name(4095), None);
    }
}
