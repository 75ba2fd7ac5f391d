//! How each operation is carried out: the crate's capability table as data,
//! for every supported OS and both builds, and its rendering for the README.
//!
//! [`capability_in`] is the one place the table lives. [`capability`]
//! answers for this build; [`capability_table`] renders every OS and both
//! builds as the Markdown table the README carries (a test fails when the
//! README's copy differs), and the crate's own tests hold every answer to
//! the backend's behaviour.

use std::fmt::Write as _;

use ipv6_core::platform::ControlType;
use ipv6_core::{Operation, Platform, SocketOption};

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

/// A target this crate supports. Android shares Linux's [`Platform`] but
/// not all of rustix's Linux-only wrappers, so it has a column of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Linux.
    Linux,
    /// Android.
    Android,
    /// FreeBSD.
    FreeBsd,
    /// NetBSD.
    NetBsd,
    /// OpenBSD.
    OpenBsd,
    /// DragonFly BSD.
    DragonFly,
    /// macOS, iOS and the other Darwin systems.
    Darwin,
    /// illumos and Solaris.
    Illumos,
}

impl Target {
    /// Every target, in the README's column order.
    pub const ALL: [Target; 8] = [
        Target::Linux,
        Target::Android,
        Target::FreeBsd,
        Target::NetBsd,
        Target::OpenBsd,
        Target::DragonFly,
        Target::Darwin,
        Target::Illumos,
    ];

    /// This build's target.
    pub const HOST: Target = if cfg!(target_os = "android") {
        Target::Android
    } else if cfg!(target_os = "linux") {
        Target::Linux
    } else if cfg!(target_os = "freebsd") {
        Target::FreeBsd
    } else if cfg!(target_os = "netbsd") {
        Target::NetBsd
    } else if cfg!(target_os = "openbsd") {
        Target::OpenBsd
    } else if cfg!(target_os = "dragonfly") {
        Target::DragonFly
    } else if cfg!(target_vendor = "apple") {
        Target::Darwin
    } else {
        Target::Illumos
    };

    /// The target's name, as the README's columns say it.
    pub const fn name(self) -> &'static str {
        match self {
            Target::Linux => "Linux",
            Target::Android => "Android",
            Target::FreeBsd => "FreeBSD",
            Target::NetBsd => "NetBSD",
            Target::OpenBsd => "OpenBSD",
            Target::DragonFly => "DragonFly",
            Target::Darwin => "Darwin",
            Target::Illumos => "illumos",
        }
    }

    /// The target's option table (the 64-bit one: the rows do not depend
    /// on the word size).
    pub const fn platform(self) -> Platform {
        match self {
            Target::Linux | Target::Android => Platform::LINUX_64,
            Target::FreeBsd => Platform::FREEBSD_64,
            Target::NetBsd => Platform::NETBSD_64,
            Target::OpenBsd => Platform::OPENBSD_64,
            Target::DragonFly => Platform::DRAGONFLY_64,
            Target::Darwin => Platform::DARWIN,
            Target::Illumos => Platform::ILLUMOS_64,
        }
    }
}

// The target's table is the host's: the data `capability_in` reads is what
// the backend acts on.
const _: () = assert!(Target::HOST.platform().af_inet6 == Platform::HOST.af_inet6);

/// A build of this crate: the target and whether the `libc-fallback`
/// feature is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Build {
    /// The target.
    pub target: Target,
    /// Whether `libc-fallback` is on.
    pub fallback: bool,
}

impl Build {
    /// This build.
    pub const HOST: Build = Build {
        target: Target::HOST,
        fallback: cfg!(feature = "libc-fallback"),
    };
}

/// How `build` carries out `op`.
///
/// For [`Operation::RecvMsg`], [`Operation::SendMsg`] and
/// [`Operation::SendBatch`] this describes calls without control data;
/// calls with control data follow [`control_message_capability`].
pub const fn capability_in(build: Build, op: Operation) -> Capability {
    use SocketOption as O;
    let target = build.target;
    let platform = target.platform();
    // rustix's netdevice, IPV6_MTU getter and resolved hop limit.
    let linux_kernel = matches!(target, Target::Linux | Target::Android);
    // rustix has no IPV6_TCLASS or IPV6_RECVTCLASS for the Solaris family.
    let tclass = !matches!(target, Target::Illumos);
    // What rustix lacks goes to libc when the feature is on.
    let gap = if build.fallback {
        Capability::Fallback
    } else {
        Capability::Unsupported
    };
    if let Some(option) = op.option() {
        // An option the OS lacks is refused in every build, from its table.
        if platform.sockopt(option).is_none() {
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
        Operation::Get(O::TrafficClass) | Operation::Set(O::TrafficClass) => native_if(gap, tclass),
        Operation::Get(O::MulticastHopLimit | O::MulticastInterface | O::MulticastLoopback) => {
            Capability::Native
        }
        // rustix reads IPV6_UNICAST_HOPS as a u8; the BSD kernels report the
        // stored "use the default" -1, which that turns into 255.
        Operation::Get(O::HopLimit) => native_if(gap, linux_kernel),
        // Linux's IPV6_MTU getter reads the same dst_mtu as IPV6_PATHMTU.
        Operation::Get(O::PathMtu) => native_if(gap, linux_kernel),
        // rustix wraps IPV6_MTU_DISCOVER (a Linux option) both ways; it has
        // no IPV6_DONTFRAG, IPV6_RECVERR, UDP_SEGMENT or UDP_GRO.
        Operation::Get(O::MtuDiscover) | Operation::Set(O::MtuDiscover) => {
            native_if(gap, linux_kernel)
        }
        Operation::Set(
            O::HopLimit
            | O::MulticastHopLimit
            | O::MulticastInterface
            | O::MulticastLoopback
            | O::JoinGroup
            | O::LeaveGroup,
        ) => Capability::Native,
        // Native, but only where reads can carry control data: the pure
        // build refuses it so that one flag cannot make every read fail.
        Operation::Set(O::ReceiveTrafficClass) if build.fallback => native_if(gap, tclass),
        Operation::Get(_) | Operation::Set(_) => gap,
        Operation::InterfaceExists | Operation::InterfaceIndex => native_if(gap, linux_kernel),
        // Only Linux has an error queue; its entries are control data.
        Operation::RecvError if platform.cmsg(ControlType::RecvErr).is_none() => {
            Capability::Unsupported
        }
        Operation::RecvError => gap,
        // Without recvmmsg/sendmmsg `PacketConn` loops; rustix has sendmmsg
        // on Linux only.
        Operation::RecvBatch | Operation::SendBatch if !platform.batch_syscalls => {
            Capability::Unsupported
        }
        Operation::SendBatch => native_if(gap, matches!(target, Target::Linux)),
        Operation::RecvBatch => gap,
        // Not offered by this crate: ipv6_backend_libc has them.
        _ => Capability::Unsupported,
    }
}

/// `Native` where rustix has the wrapper, else the build's `gap`.
const fn native_if(gap: Capability, native: bool) -> Capability {
    if native { Capability::Native } else { gap }
}

/// How this build carries out `op` ([`capability_in`] for [`Build::HOST`]).
pub const fn capability(op: Operation) -> Capability {
    capability_in(Build::HOST, op)
}

/// How messages carrying control data (a non-empty control buffer) are
/// sent and received in `build`: rustix's ancillary buffers cannot carry
/// IPv6 records (see the crate documentation), so never natively. The same
/// on every target: where the batch calls are missing, `PacketConn` reads
/// and writes a batch one message at a time.
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
fn cell(target: Target, op: Operation) -> &'static str {
    let in_build = |fallback| capability_in(Build { target, fallback }, op);
    match (in_build(true), in_build(false)) {
        (Capability::Native, Capability::Native) => "N",
        (Capability::Fallback, Capability::Unsupported) => "F",
        (Capability::Unsupported, Capability::Unsupported) => "U",
        (Capability::Native, Capability::Unsupported) => "N*",
        // No other pair exists; show it rather than hide it.
        _ => "?",
    }
}

/// The capability table as Markdown: one row per operation, one column per
/// target, with a legend. The README carries this exact text.
pub fn capability_table() -> String {
    let mut out = String::from(
        "**N** native rustix. **F** libc fallback (`Unsupported` in the pure build). \
         **U** `Unsupported` in both builds: the OS has no such operation. \
         **N\\*** native, but refused in the pure build, which cannot receive control data.\n\n",
    );
    let names = Target::ALL.map(Target::name);
    let _ = writeln!(out, "| Operation | {} |", names.join(" | "));
    let _ = writeln!(out, "|---|{}", ":-:|".repeat(names.len()));
    let mut row = |name: &str, cells: [&str; Target::ALL.len()]| {
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
        row(&name, Target::ALL.map(|target| cell(target, op)));
    }
    let control = Target::ALL.map(|target| {
        match control_message_capability_in(Build {
            target,
            fallback: true,
        }) {
            Capability::Fallback => "F",
            _ => "?",
        }
    });
    row(
        "control data on `read_from`, `write_to`, `read_batch`, `write_batch`",
        control,
    );
    out
}
