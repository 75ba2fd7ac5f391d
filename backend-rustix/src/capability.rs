//! How each operation is carried out on this build: the crate's capability
//! table as data, for callers and conformance tests that must know what to
//! expect.

use ipv6_core::platform::SocketOption;
use ipv6_core::{Operation, Platform, ReceiveOption};

/// How this build carries out an operation.
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

/// What rustix lacks goes here: the libc backend when the feature is on.
const GAP: Capability = if cfg!(feature = "libc-fallback") {
    Capability::Fallback
} else {
    Capability::Unsupported
};

const LINUX: bool = cfg!(target_os = "linux");

/// A gap that rustix fills on Linux only.
const NATIVE_ON_LINUX: Capability = if LINUX { Capability::Native } else { GAP };

/// A gap the OS itself has when its option table lacks `option`.
const fn gap_if_os_has(option: SocketOption) -> Capability {
    if Platform::HOST.sockopt(option).is_some() {
        GAP
    } else {
        Capability::Unsupported
    }
}

/// How [`Socket`](crate::Socket) carries out `op` on this target with the
/// active features.
///
/// For [`recv_msg`](ipv6_core::SocketBackend::recv_msg),
/// [`send_msg`](ipv6_core::SocketBackend::send_msg) and
/// [`send_batch`](ipv6_core::SocketBackend::send_batch) this describes calls
/// without control data; calls with control data follow
/// [`control_message_capability`]. For
/// [`set_receive_option`](ipv6_core::SocketBackend::set_receive_option) it is
/// the least capable of the options; see [`receive_option_capability`].
pub const fn capability(op: Operation) -> Capability {
    use Operation::*;
    match op {
        SocketFamily
        | TrafficClass
        | SetTrafficClass
        | SetHopLimit
        | MulticastHopLimit
        | SetMulticastHopLimit
        | MulticastInterface
        | SetMulticastInterface
        | MulticastLoopback
        | SetMulticastLoopback
        | JoinGroup
        | LeaveGroup
        | RecvMsg
        | SendMsg
        | SetReadTimeout
        | SetWriteTimeout
        | SetNonblocking => Capability::Native,
        // rustix reads IPV6_UNICAST_HOPS as a u8; the BSD kernels report the
        // stored "use the default" -1, which that turns into 255.
        HopLimit => NATIVE_ON_LINUX,
        // Linux's IPV6_MTU getter reads the same dst_mtu as IPV6_PATHMTU.
        PathMtu => NATIVE_ON_LINUX,
        // rustix::net::netdevice is Linux only.
        InterfaceExists => NATIVE_ON_LINUX,
        // rustix::net::sendmmsg is Linux only; Darwin has no sendmmsg at all.
        SendBatch if LINUX => Capability::Native,
        SendBatch | RecvBatch if cfg!(target_vendor = "apple") => Capability::Unsupported,
        RecvBatch | SendBatch => GAP,
        JoinSourceGroup => gap_if_os_has(SocketOption::JoinSourceGroup),
        LeaveSourceGroup => gap_if_os_has(SocketOption::LeaveSourceGroup),
        BlockSource => gap_if_os_has(SocketOption::BlockSource),
        UnblockSource => gap_if_os_has(SocketOption::UnblockSource),
        AttachBpf => gap_if_os_has(SocketOption::AttachFilter),
        SetReceiveOption | Checksum | SetChecksum | IcmpFilter | SetIcmpFilter => GAP,
        // An operation newer than this crate: the trait's default refuses it.
        _ => Capability::Unsupported,
    }
}

/// How [`set_receive_option`](ipv6_core::SocketBackend::set_receive_option)
/// carries out `option`: rustix has a wrapper for `IPV6_RECVTCLASS` only.
pub const fn receive_option_capability(option: ReceiveOption) -> Capability {
    match option {
        ReceiveOption::TrafficClass => Capability::Native,
        ReceiveOption::HopLimit | ReceiveOption::PacketInfo | ReceiveOption::PathMtu => GAP,
    }
}

/// How messages carrying control data (a non-empty control buffer) are sent
/// and received: rustix's ancillary buffers cannot carry IPv6 records (see the
/// crate documentation), so never natively.
pub const fn control_message_capability() -> Capability {
    GAP
}
