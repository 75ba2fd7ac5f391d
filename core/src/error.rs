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

/// The first `needed` bytes of `buf` to decode, or [`WireError::Truncated`].
#[inline]
pub(crate) fn prefix_to_read(buf: &[u8], needed: usize) -> Result<&[u8], WireError> {
    buf.get(..needed).ok_or(WireError::Truncated {
        needed,
        available: buf.len(),
    })
}

/// The first `needed` bytes of `buf` to encode into, or
/// [`WireError::BufferTooSmall`].
#[inline]
pub(crate) fn prefix_to_write(buf: &mut [u8], needed: usize) -> Result<&mut [u8], WireError> {
    let available = buf.len();
    buf.get_mut(..needed)
        .ok_or(WireError::BufferTooSmall { needed, available })
}

/// Declares [`Operation`], its public names and the list of the operations
/// that are not socket options from one table, so they cannot drift apart.
macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// The operation an [`Error`] is about, named after the public method
        /// that asked for it.
        ///
        /// Socket options are not listed one by one: [`Operation::Get`] and
        /// [`Operation::Set`] carry the [`SocketOption`], whose table gives the
        /// method's name and the C option's, so a new option brings its
        /// operations with it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Operation {
            /// Reading a socket option (`getsockopt`).
            Get(SocketOption),
            /// Writing a socket option (`setsockopt`).
            Set(SocketOption),
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// The operations that are not socket options, in the trait's order.
            const FIXED: [Operation; [$(Operation::$variant),*].len()] =
                [$(Operation::$variant),*];

            /// The public method's name (`set_bpf`, `join_group`, `read_from`, …);
            /// `getsockopt`/`setsockopt` for an option no public method reads or
            /// writes.
            pub const fn name(self) -> &'static str {
                match self {
                    Operation::Get(o) if o.getter().is_empty() => "getsockopt",
                    Operation::Get(o) => o.getter(),
                    Operation::Set(o) if o.setter().is_empty() => "setsockopt",
                    Operation::Set(o) => o.setter(),
                    $(Operation::$variant => $name,)*
                }
            }
        }
    };
}

operations! {
    /// The `AF_INET6` check of `Conn::new` and `PacketConn::new` (`getsockname`).
    SocketFamily => "new",
    /// Receiving one datagram (`recvmsg`).
    RecvMsg => "read_from",
    /// Reading one entry of the error queue (`recvmsg(MSG_ERRQUEUE)`).
    RecvError => "read_error",
    /// Sending one datagram (`sendmsg`).
    SendMsg => "write_to",
    /// Receiving a batch (`recvmmsg`).
    RecvBatch => "read_batch",
    /// Sending a batch (`sendmmsg`).
    SendBatch => "write_batch",
    /// `SO_RCVTIMEO`.
    SetReadTimeout => "set_read_timeout",
    /// `SO_SNDTIMEO`.
    SetWriteTimeout => "set_write_timeout",
    /// `O_NONBLOCK`.
    SetNonblocking => "set_nonblocking",
    /// Whether an interface index names an interface.
    InterfaceExists => "interface_exists",
    /// An interface's index from its name.
    InterfaceIndex => "interface_index",
    /// An interface's name from its index.
    InterfaceName => "interface_name",
    /// Listing the interfaces.
    Interfaces => "interfaces",
}

impl Operation {
    /// Every operation: the fixed ones, then a get and a set for every
    /// [`SocketOption`] that can be read or written.
    pub fn all() -> impl Iterator<Item = Operation> {
        let options = SocketOption::ALL.into_iter();
        Operation::FIXED
            .into_iter()
            .chain(options.clone().filter(|o| o.readable()).map(Operation::Get))
            .chain(options.filter(|o| o.writable()).map(Operation::Set))
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
    /// A source address that is multicast, or unspecified where a source
    /// must be named: a source-specific group's source, or the `src` of a
    /// control message to send.
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
    /// No interface has this name (also for names no interface can have:
    /// empty, too long, or containing NUL).
    UnknownInterface(InterfaceName),
    /// Blocking mode or a timeout on a socket an async runtime drives: the
    /// runtime needs it non-blocking and without timeouts (bound a wait
    /// with the runtime's timer instead).
    OwnedByRuntime,
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InvalidArgument::HopLimit(v) => write!(f, "hop limit {v} is outside -1..=255"),
            InvalidArgument::TrafficClass(v) => write!(f, "traffic class {v} is outside -1..=255"),
            InvalidArgument::NotMulticast(a) => write!(f, "{a} is not a multicast address"),
            InvalidArgument::BadSource(a) => write!(f, "{a} cannot be a source address"),
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
            InvalidArgument::UnknownInterface(name) => write!(f, "no interface is named {name}"),
            InvalidArgument::OwnedByRuntime => f.write_str(
                "an async runtime drives this socket: it must stay non-blocking and without timeouts",
            ),
        }
    }
}

/// An interface name as given to a lookup, kept (up to 16 bytes) for the
/// error that reports it; `Copy`, so [`Error`] stays allocation-free.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InterfaceName {
    bytes: [u8; InterfaceName::CAPACITY],
    len: u8,
    truncated: bool,
}

impl InterfaceName {
    /// Bytes kept: `IF_NAMESIZE`, one more than the longest name any
    /// supported system allows.
    pub const CAPACITY: usize = 16;

    /// Keeps `name`, cut at a character boundary if longer than
    /// [`CAPACITY`](Self::CAPACITY).
    pub fn new(name: &str) -> Self {
        let mut len = name.len().min(Self::CAPACITY);
        while !name.is_char_boundary(len) {
            len -= 1;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..len].copy_from_slice(&name.as_bytes()[..len]);
        InterfaceName {
            bytes,
            len: len as u8,
            truncated: len < name.len(),
        }
    }

    /// The name as kept.
    pub fn as_str(&self) -> &str {
        // `new` cut at a character boundary of a `str`.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// Whether the name given was longer than what is kept.
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }
}

/// The name quoted, with `…` when it was cut: `"nope0"`.
impl fmt::Display for InterfaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ellipsis = if self.truncated { "…" } else { "" };
        write!(f, "{:?}{ellipsis}", self.as_str())
    }
}

impl fmt::Debug for InterfaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
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

    /// The kernel said `EAGAIN`/`EWOULDBLOCK`: a non-blocking socket had
    /// nothing to receive or no room to send, or a wait bounded by
    /// [`set_read_timeout`](crate::PacketConn::set_read_timeout) ran out.
    /// Try again later (an async runtime waits for readiness).
    pub fn is_would_block(&self) -> bool {
        self.is_errno(|e| e.EAGAIN)
    }

    /// A wait ran out: `ETIMEDOUT`, or `EAGAIN` from a receive or send,
    /// which is how the kernel ends a wait bounded by
    /// [`set_read_timeout`](crate::PacketConn::set_read_timeout) or
    /// [`set_write_timeout`](crate::PacketConn::set_write_timeout). (A
    /// non-blocking socket with nothing ready says `EAGAIN` too; which of
    /// the two it was, only the caller's settings tell.)
    pub fn is_timeout(&self) -> bool {
        let io = matches!(
            self.operation(),
            Some(
                Operation::RecvMsg
                    | Operation::SendMsg
                    | Operation::RecvBatch
                    | Operation::SendBatch
            )
        );
        self.is_errno(|e| e.ETIMEDOUT) || (io && self.is_would_block())
    }

    /// A signal interrupted the call (`EINTR`): nothing happened; call
    /// again. (Receives with a timeout return it even under `SA_RESTART`.)
    pub fn is_interrupted(&self) -> bool {
        self.is_errno(|e| e.EINTR)
    }

    /// Whether this is [`Error::Os`] with the host's errno picked by `pick`.
    fn is_errno(&self, pick: fn(&crate::errno::Errnos) -> i32) -> bool {
        self.errno()
            .is_some_and(|errno| crate::errno::host_is(errno, pick))
    }

    /// Advice for errors whose cause is certain: an option the socket type
    /// cannot have, a group joined twice, a path MTU asked of an
    /// unconnected socket. `None` where the errno alone does not tell.
    pub fn hint(&self) -> Option<&'static str> {
        let Error::Os { op, errno } = *self else {
            return None;
        };
        let is = |pick: fn(&crate::errno::Errnos) -> i32| crate::errno::host_is(errno, pick);
        let option = op.option()?;
        use SocketOption as O;
        match option {
            O::Checksum if is(|e| e.ENOPROTOOPT) => {
                Some("IPV6_CHECKSUM needs a raw socket (SOCK_RAW), not a UDP or TCP one")
            }
            O::IcmpFilter if is(|e| e.ENOPROTOOPT) => {
                Some("ICMP6_FILTER needs a raw ICMPv6 socket (SOCK_RAW, IPPROTO_ICMPV6)")
            }
            O::JoinGroup | O::JoinSourceGroup if is(|e| e.EADDRINUSE) => {
                Some("the socket is already a member of this group on this interface")
            }
            O::LeaveGroup | O::LeaveSourceGroup if is(|e| e.EADDRNOTAVAIL) => {
                Some("the socket is not a member of this group on this interface")
            }
            O::PathMtu if is(|e| e.ENOTCONN) => {
                Some("the path MTU is known only on a connected socket")
            }
            _ => None,
        }
    }

    /// The portable [`std::io::ErrorKind`]: the kind `std` gives the errno
    /// (`WouldBlock` for `EAGAIN`, `Interrupted` for `EINTR`, …);
    /// `Unsupported`, `InvalidInput` and `InvalidData` for the other
    /// variants.
    #[cfg(feature = "std")]
    pub fn kind(&self) -> std::io::ErrorKind {
        use std::io::ErrorKind;
        match *self {
            Error::Os { errno, .. } => std::io::Error::from_raw_os_error(errno).kind(),
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::InvalidArgument(..) => ErrorKind::InvalidInput,
            Error::Wire(..) => ErrorKind::InvalidData,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(op) => write!(f, "{op}: not supported by this backend or OS"),
            Error::Os { op, errno } => {
                write!(f, "{op}: ")?;
                write_errno(f, *errno)?;
                match self.hint() {
                    Some(hint) => write!(f, "; {hint}"),
                    None => Ok(()),
                }
            }
            Error::InvalidArgument(op, why) => write!(f, "{op}: {why}"),
            Error::Wire(op, e) => write!(f, "{op}: {e}"),
        }
    }
}

/// `Address already in use (EADDRINUSE, os error 98)` with `std` (the
/// system's text), `EADDRINUSE (os error 98)` without, `os error 98` for a
/// number the table lacks.
fn write_errno(f: &mut fmt::Formatter<'_>, errno: i32) -> fmt::Result {
    #[cfg(feature = "std")]
    {
        let text = std::string::ToString::to_string(&std::io::Error::from_raw_os_error(errno));
        // std appends " (os error N)"; the name goes inside the parentheses.
        let text = text
            .strip_suffix(&std::format!(" (os error {errno})"))
            .unwrap_or(&text);
        match crate::errno::host_name(errno) {
            Some(name) => write!(f, "{text} ({name}, os error {errno})"),
            None => write!(f, "{text} (os error {errno})"),
        }
    }
    #[cfg(not(feature = "std"))]
    match crate::errno::host_name(errno) {
        Some(name) => write!(f, "{name} (os error {errno})"),
        None => write!(f, "os error {errno}"),
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

/// Keeps the whole [`Error`] (operation, errno, hint) as the `io::Error`'s
/// inner error, under [`Error::kind`]: `kind()` is `WouldBlock` for
/// `EAGAIN`, as async runtimes require, and `get_ref()` downcasts back to
/// the [`Error`]. (`raw_os_error()` is `None`; use [`Error::errno`] on the
/// downcast.)
#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::new(e.kind(), e)
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

    /// The host's errno table drives names, kinds and hints (Linux numbers).
    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_errors_print_name_text_and_hint() {
        use std::string::ToString;
        let join = Operation::Set(SocketOption::JoinGroup);
        let twice = Error::Os {
            op: join,
            errno: 98,
        };
        let text = twice.to_string();
        let expected = if cfg!(feature = "std") {
            "join_group (MCAST_JOIN_GROUP): Address already in use (EADDRINUSE, os error 98); \
             the socket is already a member of this group on this interface"
        } else {
            "join_group (MCAST_JOIN_GROUP): EADDRINUSE (os error 98); \
             the socket is already a member of this group on this interface"
        };
        assert_eq!(text, expected);

        let checksum = Error::Os {
            op: Operation::Set(SocketOption::Checksum),
            errno: 92,
        };
        assert!(checksum.hint().unwrap().contains("raw socket"));
        let filter = Error::Os {
            op: Operation::Get(SocketOption::IcmpFilter),
            errno: 92,
        };
        assert!(filter.hint().unwrap().contains("raw ICMPv6 socket"));
        // The same errno from another operation has no hint.
        let other = Error::Os {
            op: join,
            errno: 92,
        };
        assert_eq!(other.hint(), None);
        assert!(!other.to_string().contains(';'), "{other}");
        let mtu = Error::Os {
            op: Operation::Get(SocketOption::PathMtu),
            errno: 107,
        };
        assert!(mtu.hint().unwrap().contains("connected"));

        // A number outside the table prints as itself.
        let odd = Error::Os {
            op: Operation::RecvMsg,
            errno: 4000,
        };
        assert!(odd.to_string().starts_with("read_from: "));
        assert!(
            odd.to_string().ends_with("os error 4000)")
                || odd.to_string() == "read_from: os error 4000",
            "{odd}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kind_queries_follow_the_host_errno() {
        let os = |op, errno| Error::Os { op, errno };
        let again = os(Operation::RecvMsg, 11);
        assert!(again.is_would_block() && again.is_timeout() && !again.is_interrupted());
        // EAGAIN from an option is no timeout.
        let option = os(Operation::Set(SocketOption::HopLimit), 11);
        assert!(option.is_would_block() && !option.is_timeout());
        assert!(os(Operation::SetReadTimeout, 110).is_timeout());
        let eintr = os(Operation::RecvBatch, 4);
        assert!(eintr.is_interrupted() && !eintr.is_would_block() && !eintr.is_timeout());
        let invalid = Error::InvalidArgument(Operation::RecvMsg, InvalidArgument::ZeroTimeout);
        assert!(!invalid.is_would_block() && !invalid.is_timeout() && !invalid.is_interrupted());
    }

    #[cfg(all(target_os = "linux", feature = "std"))]
    #[test]
    fn io_error_keeps_the_operation_and_the_kind() {
        use std::io::{self, ErrorKind};
        use std::string::ToString;
        let again = Error::Os {
            op: Operation::RecvMsg,
            errno: 11,
        };
        let io = io::Error::from(again);
        assert_eq!(io.kind(), ErrorKind::WouldBlock);
        assert_eq!(io.to_string(), again.to_string());
        assert_eq!(
            io.get_ref().and_then(|e| e.downcast_ref::<Error>()),
            Some(&again)
        );
        let cases = [
            (
                Error::Os {
                    op: Operation::RecvMsg,
                    errno: 4,
                },
                ErrorKind::Interrupted,
            ),
            (
                Error::Os {
                    op: Operation::RecvMsg,
                    errno: 110,
                },
                ErrorKind::TimedOut,
            ),
            (
                Error::Unsupported(Operation::RecvBatch),
                ErrorKind::Unsupported,
            ),
            (
                Error::InvalidArgument(Operation::RecvMsg, InvalidArgument::ZeroTimeout),
                ErrorKind::InvalidInput,
            ),
            (
                Error::Wire(Operation::RecvMsg, WireError::ValueOutOfRange),
                ErrorKind::InvalidData,
            ),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e:?}");
            assert_eq!(io::Error::from(e).kind(), kind, "{e:?}");
        }
    }

    #[test]
    fn interface_names_are_kept_and_cut_at_a_character() {
        use std::string::ToString;
        let name = InterfaceName::new("nope0");
        assert_eq!((name.as_str(), name.is_truncated()), ("nope0", false));
        assert_eq!(name.to_string(), "\"nope0\"");
        assert_eq!(InterfaceName::new("").to_string(), "\"\"");
        assert_eq!(InterfaceName::new("lo\0").to_string(), "\"lo\\0\"");
        let long = InterfaceName::new("a-name-far-too-long");
        assert_eq!(long.to_string(), "\"a-name-far-too-l\"…");
        // 15 ASCII bytes then a 2-byte character: cut before it.
        let cut = InterfaceName::new("abcdefghijklmnoé");
        assert_eq!(
            (cut.as_str(), cut.is_truncated()),
            ("abcdefghijklmno", true)
        );
        let e = Error::InvalidArgument(
            Operation::InterfaceIndex,
            InvalidArgument::UnknownInterface(name),
        );
        assert_eq!(
            e.to_string(),
            "interface_index: no interface is named \"nope0\""
        );
    }
}
