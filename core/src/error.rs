//! Error types: [`WireError`] for pure encoding and decoding, [`Error`] for
//! socket operations.

use core::fmt;
use core::net::Ipv6Addr;

use crate::option::{SocketOption, ValueKind};

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

/// The operation an [`Error`] is about, named after the public method that
/// asked for it.
///
/// Socket options are not listed one by one: [`Operation::Get`] and
/// [`Operation::Set`] carry the [`SocketOption`], whose table gives the
/// method's name and the C option's, so a new option brings its operations
/// with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// The `AF_INET6` check of `Conn::new` and `PacketConn::new` (`getsockname`).
    SocketFamily,
    /// Reading a socket option (`getsockopt`).
    Get(SocketOption),
    /// Writing a socket option (`setsockopt`).
    Set(SocketOption),
    /// Receiving one datagram (`recvmsg`).
    RecvMsg,
    /// Reading one entry of the error queue (`recvmsg(MSG_ERRQUEUE)`).
    RecvError,
    /// Sending one datagram (`sendmsg`).
    SendMsg,
    /// Receiving a batch (`recvmmsg`).
    RecvBatch,
    /// Sending a batch (`sendmmsg`).
    SendBatch,
    /// `SO_RCVTIMEO`.
    SetReadTimeout,
    /// `SO_SNDTIMEO`.
    SetWriteTimeout,
    /// `O_NONBLOCK`.
    SetNonblocking,
    /// Whether an interface index names an interface.
    InterfaceExists,
    /// An interface's index from its name.
    InterfaceIndex,
    /// An interface's name from its index.
    InterfaceName,
    /// Listing the interfaces.
    Interfaces,
}

impl Operation {
    /// The operations that are not socket options, in the trait's order.
    const FIXED: [Operation; 13] = [
        Operation::SocketFamily,
        Operation::RecvMsg,
        Operation::RecvError,
        Operation::SendMsg,
        Operation::RecvBatch,
        Operation::SendBatch,
        Operation::SetReadTimeout,
        Operation::SetWriteTimeout,
        Operation::SetNonblocking,
        Operation::InterfaceExists,
        Operation::InterfaceIndex,
        Operation::InterfaceName,
        Operation::Interfaces,
    ];

    /// Every operation: the fixed ones, then a get and a set for every
    /// [`SocketOption`] that can be read or written.
    pub fn all() -> impl Iterator<Item = Operation> {
        let options = SocketOption::ALL.into_iter();
        Operation::FIXED
            .into_iter()
            .chain(options.clone().filter(|o| o.readable()).map(Operation::Get))
            .chain(options.filter(|o| o.writable()).map(Operation::Set))
    }

    /// The public method's name (`set_bpf`, `join_group`, `read_from`, …);
    /// `getsockopt`/`setsockopt` for an option no public method reads or
    /// writes.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::SocketFamily => "new",
            Operation::Get(o) if o.getter().is_empty() => "getsockopt",
            Operation::Get(o) => o.getter(),
            Operation::Set(o) if o.setter().is_empty() => "setsockopt",
            Operation::Set(o) => o.setter(),
            Operation::RecvMsg => "read_from",
            Operation::RecvError => "read_error",
            Operation::SendMsg => "write_to",
            Operation::RecvBatch => "read_batch",
            Operation::SendBatch => "write_batch",
            Operation::SetReadTimeout => "set_read_timeout",
            Operation::SetWriteTimeout => "set_write_timeout",
            Operation::SetNonblocking => "set_nonblocking",
            Operation::InterfaceExists => "interface_exists",
            Operation::InterfaceIndex => "interface_index",
            Operation::InterfaceName => "interface_name",
            Operation::Interfaces => "interfaces",
        }
    }

    /// The socket option, for [`Operation::Get`] and [`Operation::Set`].
    pub const fn option(self) -> Option<SocketOption> {
        match self {
            Operation::Get(o) | Operation::Set(o) => Some(o),
            _ => None,
        }
    }
}

/// The method's name, and the C option's for options:
/// `set_bpf (SO_ATTACH_FILTER)`.
impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self.option() {
            Some(option) => write!(f, " ({})", option.c_name()),
            None => Ok(()),
        }
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
    /// A socket option value of the wrong kind for the option.
    ValueKind {
        /// The option's kind.
        expected: ValueKind,
        /// The value's kind.
        given: ValueKind,
    },
    /// A read of an option that can only be written.
    NotReadable(SocketOption),
    /// A write of an option that can only be read.
    NotWritable(SocketOption),
    /// A GSO segment size of 0 (the kernel would send one datagram) or
    /// larger than the payload (it would send one datagram of it all).
    SegmentSize {
        /// The segment size given.
        size: u16,
        /// The payload's length.
        payload: usize,
    },
    /// A receive with `UDP_GRO` on into buffers smaller than the largest
    /// coalesced payload: the kernel would drop the tail of the datagrams.
    ReceiveBufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
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
            InvalidArgument::ValueKind { expected, given } => {
                write!(f, "{given} given where the option takes {expected}")
            }
            InvalidArgument::NotReadable(o) => write!(f, "{o} can only be written"),
            InvalidArgument::NotWritable(o) => write!(f, "{o} can only be read"),
            InvalidArgument::SegmentSize { size, payload } => write!(
                f,
                "segment size {size} must be 1..={payload} (the payload's length)"
            ),
            InvalidArgument::ReceiveBufferTooSmall { needed, available } => write!(
                f,
                "receive buffers of {available} bytes are smaller than the {needed} a coalesced (GRO) read may fill"
            ),
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
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        use std::io::ErrorKind;
        match e {
            Error::Os { errno, .. } => std::io::Error::from_raw_os_error(errno),
            Error::Unsupported(_) => std::io::Error::new(ErrorKind::Unsupported, e),
            Error::InvalidArgument(..) => std::io::Error::new(ErrorKind::InvalidInput, e),
            Error::Wire(..) => std::io::Error::new(ErrorKind::InvalidData, e),
        }
    }
}

/// Result of a socket operation.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once_with_a_public_name() {
        let all: std::vec::Vec<Operation> = Operation::all().collect();
        for (i, op) in all.iter().enumerate() {
            assert!(
                op.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(!all[..i].contains(op));
        }
        let set_bpf = Operation::Set(SocketOption::AttachFilter);
        assert!(all.contains(&set_bpf));
        assert!(!all.contains(&Operation::Get(SocketOption::AttachFilter)));
        assert!(!all.contains(&Operation::Set(SocketOption::PathMtu)));
        let e = Error::Unsupported(set_bpf);
        assert_eq!(
            std::format!("{e}"),
            "set_bpf (SO_ATTACH_FILTER): not supported by this backend or OS"
        );
        let e = Operation::Set(SocketOption::BlockSource);
        assert_eq!(
            std::format!("{e}"),
            "exclude_source_specific_group (MCAST_BLOCK_SOURCE)"
        );
    }
}
