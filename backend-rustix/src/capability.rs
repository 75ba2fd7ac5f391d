//! How each operation is carried out: the crate's capability table as data,
//! for every supported OS and both builds, and its rendering for the README.
//!
//! [`capability_in`] is the one place the table lives. [`capability`]
//! answers for this build; [`capability_table`] renders every OS and both
//! builds as the Markdown table the README carries (a test fails when the
//! README's copy differs), and the crate's own tests hold every answer to
//! the backend's behaviour.

use std::fmt::Write as _;

use ipv6_core::{Operation, Os, Platform, SocketOption};

/// How a build carries out an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Through a rustix wrapper: I/O-safe, no `libc` call of this crate's own.
    Native,
    /// Delegated to `ipv6-backend-libc` on the same descriptor (feature
    /// `libc-fallback`).
    Fallback,
    /// Returns [`Error::Unsupported`](ipv6_core::Error::Unsupported) naming the
    /// operation, before any system call.
    Unsupported,
}

/// A build of this crate: the target OS and whether the `libc-fallback`
/// feature is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Build {
    /// The target's OS.
    pub os: Os,
    /// Whether `libc-fallback` is on.
    pub fallback: bool,
}

impl Build {
    /// This build.
    pub const HOST: Build = Build {
        os: Platform::HOST.os,
        fallback: cfg!(feature = "libc-fallback"),
    };
}

/// The OSes this crate supports, in the README's column order.
pub const OSES: [Os; 5] = [Os::Linux, Os::FreeBsd, Os::NetBsd, Os::OpenBsd, Os::Darwin];

/// The option table of `os` (the 64-bit one: the rows do not depend on the
/// word size).
const fn platform_of(os: Os) -> Platform {
    match os {
        Os::Linux => Platform::LINUX_64,
        Os::FreeBsd => Platform::FREEBSD_64,
        Os::NetBsd => Platform::NETBSD_64,
        Os::OpenBsd => Platform::OPENBSD_64,
        Os::Darwin => Platform::DARWIN,
    }
}

/// How `build` carries out `op`.
///
/// For [`Operation::RecvMsg`], [`Operation::SendMsg`] and
/// [`Operation::SendBatch`] this describes calls without control data;
/// calls with control data follow [`control_message_capability`].
pub const fn capability_in(build: Build, op: Operation) -> Capability {
    use SocketOption as O;
    let linux = matches!(build.os, Os::Linux);
    let darwin = matches!(build.os, Os::Darwin);
    // What rustix lacks goes to libc when the feature is on.
    let gap = if build.fallback {
        Capability::Fallback
    } else {
        Capability::Unsupported
    };
    let native_on_linux = if linux { Capability::Native } else { gap };
    if let Some(option) = op.option() {
        // An option the OS lacks is refused in every build, from its table.
        if platform_of(build.os).sockopt(option).is_none() {
            return Capability::Unsupported;
        }
    }
    match op {
        Operation::SocketFamily
        | Operation::RecvMsg
        | Operation::SendMsg
        | Operation::SetReadTimeout
        | Operation::SetWriteTimeout
        | Operation::SetNonblocking => Capability::Native,
        Operation::Get(
            O::TrafficClass | O::MulticastHopLimit | O::MulticastInterface | O::MulticastLoopback,
        ) => Capability::Native,
        // rustix reads IPV6_UNICAST_HOPS as a u8; the BSD kernels report the
        // stored "use the default" -1, which that turns into 255.
        Operation::Get(O::HopLimit) => native_on_linux,
        // Linux's IPV6_MTU getter reads the same dst_mtu as IPV6_PATHMTU.
        Operation::Get(O::PathMtu) => native_on_linux,
        Operation::Set(
            O::TrafficClass
            | O::HopLimit
            | O::MulticastHopLimit
            | O::MulticastInterface
            | O::MulticastLoopback
            | O::JoinGroup
            | O::LeaveGroup,
        ) => Capability::Native,
        // Native, but only where reads can carry control data: the pure
        // build refuses it so that one flag cannot make every read fail.
        Operation::Set(O::ReceiveTrafficClass) if build.fallback => Capability::Native,
        Operation::Get(_) | Operation::Set(_) => gap,
        // rustix::net::netdevice is Linux only.
        Operation::InterfaceExists | Operation::InterfaceIndex => native_on_linux,
        // Darwin has no recvmmsg/sendmmsg; rustix has sendmmsg on Linux only.
        Operation::RecvBatch | Operation::SendBatch if darwin => Capability::Unsupported,
        Operation::SendBatch => native_on_linux,
        Operation::RecvBatch => gap,
        // Not offered by this crate: ipv6_backend_libc has them.
        _ => Capability::Unsupported,
    }
}

/// How this build carries out `op` ([`capability_in`] for [`Build::HOST`]).
pub const fn capability(op: Operation) -> Capability {
    capability_in(Build::HOST, op)
}

/// How messages carrying control data (a non-empty control buffer) are
/// sent and received in `build`: rustix's ancillary buffers cannot carry
/// IPv6 records (see the crate documentation), so never natively, and not
/// at all on Darwin's missing batch calls.
pub const fn control_message_capability_in(build: Build) -> Capability {
    if build.fallback {
        Capability::Fallback
    } else {
        Capability::Unsupported
    }
}

/// [`control_message_capability_in`] for this build.
pub const fn control_message_capability() -> Capability {
    control_message_capability_in(Build::HOST)
}

/// The operations the table lists: everything [`Socket`](crate::Socket)
/// and [`interface_index`](crate::interface_index) do.
pub fn operations() -> impl Iterator<Item = Operation> {
    Operation::all().filter(|op| !matches!(op, Operation::InterfaceName | Operation::Interfaces))
}

/// One cell: the default build's letter, or `N*` where the pure build does
/// not follow the rule N→N, F→U, U→U.
fn cell(os: Os, op: Operation) -> &'static str {
    let with = capability_in(Build { os, fallback: true }, op);
    let pure = capability_in(
        Build {
            os,
            fallback: false,
        },
        op,
    );
    match (with, pure) {
        (Capability::Native, Capability::Native) => "N",
        (Capability::Fallback, Capability::Unsupported) => "F",
        (Capability::Unsupported, Capability::Unsupported) => "U",
        (Capability::Native, Capability::Unsupported) => "N*",
        // No other pair exists; show it rather than hide it.
        _ => "?",
    }
}

/// The capability table as Markdown: one row per operation, one column per
/// OS, with a legend. The README carries this exact text.
pub fn capability_table() -> String {
    let mut out = String::from(
        "**N** native rustix. **F** libc fallback (`Unsupported` in the pure build). \
         **U** `Unsupported` in both builds: the OS has no such operation. \
         **N\\*** native, but refused in the pure build, which cannot receive control data.\n\n\
         | Operation | Linux | FreeBSD | NetBSD | OpenBSD | Darwin |\n\
         |---|:-:|:-:|:-:|:-:|:-:|\n",
    );
    let mut row = |name: &str, cells: [&str; 5]| {
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    for op in operations() {
        let name = match op {
            // `op.name()` is "new": say whose, and what it asks the kernel.
            Operation::SocketFamily => {
                "`Conn::new`, `PacketConn::new` (`getsockname` family check)".to_owned()
            }
            Operation::RecvMsg | Operation::SendMsg | Operation::SendBatch => {
                format!("`{}` without control data", op.name())
            }
            Operation::Get(o) | Operation::Set(o) => {
                let verb = if matches!(op, Operation::Get(_)) {
                    "get"
                } else {
                    "set"
                };
                format!("`{}` ({verb} `{}`)", op.name(), o.c_name())
            }
            _ => format!("`{}`", op.name()),
        };
        row(&name, OSES.map(|os| cell(os, op)));
    }
    let control =
        OSES.map(
            |os| match control_message_capability_in(Build { os, fallback: true }) {
                Capability::Fallback => "F",
                _ => "?",
            },
        );
    row(
        "control data on `read_from`, `write_to`, `read_batch`, `write_batch`",
        control,
    );
    out
}
