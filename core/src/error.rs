//! Error types: [`WireError`] for pure encoding and decoding, [`Error`] for
//! socket operations.

use core::fmt;
use core::net::Ipv6Addr;

/// A buffer could not be decoded or encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WireError {
    /// The input is shorter than the structure it must hold.
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The output buffer cannot hold what must be written.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A `cmsg_len` is smaller than the `cmsghdr` it belongs to.
    CmsgLenTooSmall {
        /// Offset of the record in the buffer.
        offset: usize,
        /// The `cmsg_len` found.
        cmsg_len: usize,
    },
    /// A `cmsg_len` runs past the end of the buffer.
    CmsgLenOverrun {
        /// Offset of the record in the buffer.
        offset: usize,
        /// The `cmsg_len` found.
        cmsg_len: usize,
        /// Bytes left in the buffer from `offset`.
        available: usize,
    },
    /// The first nibble of an IPv6 header is not 6.
    BadVersion(u8),
    /// The address family field is not `AF_INET6` for the platform.
    BadFamily(u16),
    /// A value does not fit the field it must be written to.
    ValueOutOfRange,
    /// An IPv6 extension header runs past the end of the buffer.
    ExtHeaderOverrun {
        /// Offset of the header in the walked bytes.
        offset: usize,
        /// The header's length (the smallest header's, if its length byte is missing).
        needed: usize,
        /// Bytes left in the buffer from `offset`.
        available: usize,
    },
    /// A Hop-by-Hop Options header that does not immediately follow the
    /// fixed header (RFC 8200 section 4.1).
    MisplacedHopByHop {
        /// Offset of the header in the walked bytes.
        offset: usize,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WireError::Truncated { needed, available } => {
                write!(f, "truncated input: need {needed} bytes, have {available}")
            }
            WireError::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small: need {needed} bytes, have {available}")
            }
            WireError::CmsgLenTooSmall { offset, cmsg_len } => {
                write!(
                    f,
                    "control message at offset {offset}: cmsg_len {cmsg_len} is smaller than its header"
                )
            }
            WireError::CmsgLenOverrun {
                offset,
                cmsg_len,
                available,
            } => write!(
                f,
                "control message at offset {offset}: cmsg_len {cmsg_len} overruns the {available} bytes left"
            ),
            WireError::BadVersion(v) => write!(f, "not an IPv6 header: version {v}"),
            WireError::BadFamily(fam) => write!(f, "address family {fam} is not AF_INET6"),
            WireError::ValueOutOfRange => f.write_str("value does not fit its field"),
            WireError::ExtHeaderOverrun {
                offset,
                needed,
                available,
            } => write!(
                f,
                "extension header at offset {offset}: length {needed} overruns the {available} bytes left"
            ),
            WireError::MisplacedHopByHop { offset } => write!(
                f,
                "Hop-by-Hop Options header at offset {offset}: it must immediately follow the IPv6 header"
            ),
        }
    }
}

impl core::error::Error for WireError {}

/// Declares [`Operation`] with its names and the list of all of them from
/// one table, so the three cannot drift apart.
macro_rules! operations {
    ($($variant:ident => $name:ident,)*) => {
        /// The kernel operation an [`Error`] is about: one variant per
        /// [`SocketBackend`](crate::SocketBackend) method.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[allow(missing_docs)] // each variant is named after the method it stands for
        pub enum Operation {
            $($variant,)*
        }

        impl Operation {
            /// Every operation, in the trait's order.
            pub const ALL: [Operation; [$(Operation::$variant),*].len()] =
                [$(Operation::$variant),*];

            /// The operation's name, as the `SocketBackend` method is called.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Operation::$variant => stringify!($name),)*
                }
            }
        }
    };
}

operations! {
    SocketFamily => socket_family,
    TrafficClass => traffic_class,
    SetTrafficClass => set_traffic_class,
    HopLimit => hop_limit,
    SetHopLimit => set_hop_limit,
    MulticastHopLimit => multicast_hop_limit,
    SetMulticastHopLimit => set_multicast_hop_limit,
    MulticastInterface => multicast_interface,
    SetMulticastInterface => set_multicast_interface,
    MulticastLoopback => multicast_loopback,
    SetMulticastLoopback => set_multicast_loopback,
    JoinGroup => join_group,
    LeaveGroup => leave_group,
    JoinSourceGroup => join_source_group,
    LeaveSourceGroup => leave_source_group,
    BlockSource => block_source,
    UnblockSource => unblock_source,
    SetReceiveOption => set_receive_option,
    PathMtu => path_mtu,
    Checksum => checksum,
    SetChecksum => set_checksum,
    IcmpFilter => icmp_filter,
    SetIcmpFilter => set_icmp_filter,
    AttachBpf => attach_bpf,
    RecvMsg => recv_msg,
    SendMsg => send_msg,
    RecvBatch => recv_batch,
    SendBatch => send_batch,
    SetReadTimeout => set_read_timeout,
    SetWriteTimeout => set_write_timeout,
    SetNonblocking => set_nonblocking,
    InterfaceExists => interface_exists,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An argument rejected before any system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidArgument {
    /// A hop limit outside -1..=255 (-1 restores the kernel default).
    HopLimit(i32),
    /// A traffic class outside -1..=255 (-1 restores the kernel default).
    TrafficClass(i32),
    /// A group address that is not multicast.
    NotMulticast(Ipv6Addr),
    /// A source address for a source-specific group that is multicast or unspecified.
    BadSource(Ipv6Addr),
    /// An IPv4-mapped address where only IPv6 is meaningful.
    Ipv4Mapped(Ipv6Addr),
    /// Interface index 0 where an interface must be named (use `None` for "any").
    InterfaceIndexZero,
    /// No interface has this index.
    NoSuchInterface(u32),
    /// The socket is not an `AF_INET6` socket (holds the family found).
    NotIpv6Socket(u16),
    /// A checksum offset that is odd or negative.
    ChecksumOffset(i32),
    /// More scatter/gather buffers than one message may carry.
    TooManyBuffers {
        /// Buffers given.
        given: usize,
        /// Most supported.
        max: usize,
    },
    /// A control buffer too small for what the control flags ask the kernel to report.
    ControlBufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A BPF program that is empty or longer than the kernel accepts.
    BpfProgramLength(usize),
    /// `Some(Duration::ZERO)` as a timeout: the kernel would read it as "no
    /// timeout" and block forever (use `None` for that, or non-blocking mode).
    ZeroTimeout,
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InvalidArgument::HopLimit(v) => write!(f, "hop limit {v} is outside -1..=255"),
            InvalidArgument::TrafficClass(v) => write!(f, "traffic class {v} is outside -1..=255"),
            InvalidArgument::NotMulticast(a) => write!(f, "{a} is not a multicast address"),
            InvalidArgument::BadSource(a) => write!(f, "{a} cannot be a multicast source"),
            InvalidArgument::Ipv4Mapped(a) => write!(f, "{a} is an IPv4-mapped address"),
            InvalidArgument::InterfaceIndexZero => {
                f.write_str("interface index 0 names no interface (use None for the default)")
            }
            InvalidArgument::NoSuchInterface(i) => write!(f, "no interface has index {i}"),
            InvalidArgument::NotIpv6Socket(fam) => write!(f, "socket family {fam} is not AF_INET6"),
            InvalidArgument::ChecksumOffset(o) => {
                write!(f, "checksum offset {o} must be even and non-negative")
            }
            InvalidArgument::TooManyBuffers { given, max } => {
                write!(f, "{given} buffers given, at most {max} per message")
            }
            InvalidArgument::ControlBufferTooSmall { needed, available } => write!(
                f,
                "control buffer of {available} bytes is smaller than the {needed} the control flags need"
            ),
            InvalidArgument::BpfProgramLength(n) => {
                write!(f, "BPF program of {n} instructions (must be 1..=4096)")
            }
            InvalidArgument::ZeroTimeout => {
                f.write_str("a zero timeout would block forever (use None or non-blocking mode)")
            }
        }
    }
}

/// The error of every socket operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The backend or the OS cannot do this operation.
    Unsupported(Operation),
    /// The kernel refused the operation.
    Os {
        /// What was attempted.
        op: Operation,
        /// The OS error number (`errno`).
        errno: i32,
    },
    /// An argument was rejected before any system call.
    InvalidArgument(Operation, InvalidArgument),
    /// A datagram arrived but its control data did not fit (`MSG_CTRUNC`). The
    /// payload is in the caller's buffer; `len` says how much of it is valid.
    ControlTruncated {
        /// Payload bytes received.
        len: usize,
    },
    /// Bytes from the kernel could not be decoded.
    Wire(Operation, WireError),
}

impl Error {
    /// The OS error number, where there is one.
    pub const fn errno(&self) -> Option<i32> {
        match *self {
            Error::Os { errno, .. } => Some(errno),
            _ => None,
        }
    }

    /// The operation that failed, where one is known.
    pub const fn operation(&self) -> Option<Operation> {
        match *self {
            Error::Unsupported(op)
            | Error::Os { op, .. }
            | Error::InvalidArgument(op, _)
            | Error::Wire(op, _) => Some(op),
            Error::ControlTruncated { .. } => Some(Operation::RecvMsg),
        }
    }

    /// True for [`Error::Unsupported`].
    pub const fn is_unsupported(&self) -> bool {
        matches!(self, Error::Unsupported(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(op) => write!(f, "{op}: not supported by this backend or OS"),
            Error::Os { op, errno } => write!(f, "{op}: OS error {errno}"),
            Error::InvalidArgument(op, why) => write!(f, "{op}: {why}"),
            Error::ControlTruncated { len } => write!(
                f,
                "recv_msg: control data truncated (MSG_CTRUNC) on a {len}-byte datagram"
            ),
            Error::Wire(op, e) => write!(f, "{op}: {e}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Wire(_, e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        use std::io::ErrorKind;
        match e {
            Error::Os { errno, .. } => std::io::Error::from_raw_os_error(errno),
            Error::Unsupported(_) => std::io::Error::new(ErrorKind::Unsupported, e),
            Error::InvalidArgument(..) => std::io::Error::new(ErrorKind::InvalidInput, e),
            Error::ControlTruncated { .. } | Error::Wire(..) => {
                std::io::Error::new(ErrorKind::InvalidData, e)
            }
        }
    }
}

/// Result of a socket operation.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once_with_its_method_name() {
        for (i, op) in Operation::ALL.iter().enumerate() {
            assert!(
                op.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(Operation::ALL[..i].iter().all(|o| o.name() != op.name()));
        }
        assert_eq!(Operation::SetHopLimit.name(), "set_hop_limit");
        let e = Error::Unsupported(Operation::AttachBpf);
        assert_eq!(
            std::format!("{e}"),
            "attach_bpf: not supported by this backend or OS"
        );
    }
}
