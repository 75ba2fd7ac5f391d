//! The error queue: ICMPv6 errors and local send errors that a UDP or raw
//! socket with `IPV6_RECVERR` on reads back with `recvmsg(MSG_ERRQUEUE)`
//! (Linux; Android alike).
//!
//! Each queue entry carries one `IPV6_RECVERR` control record:
//!
//! ```text
//! struct sock_extended_err {     // <linux/errqueue.h>
//!     __u32 ee_errno;            // EMSGSIZE for Packet Too Big, …
//!     __u8  ee_origin;           // SO_EE_ORIGIN_ICMP6 = 3, LOCAL = 1, …
//!     __u8  ee_type, ee_code;    // the ICMPv6 type and code
//!     __u8  ee_pad;
//!     __u32 ee_info;             // the MTU for Packet Too Big
//!     __u32 ee_data;
//! };                             // followed by SO_EE_OFFENDER: a sockaddr_in6,
//!                                // family 0 when there is no offender
//! ```
//!
//! The payload of the entry is the start of the datagram that caused the
//! error, and its address (`msg_name`) the datagram's destination. Linux
//! writes the record from `ipv6_recv_error` (`net/ipv6/datagram.c`) as one
//! struct of both parts, so its length is always `16 + sizeof(sockaddr_in6)`.
//!
//! Decoding here is pure and works for any [`Platform`]'s byte order and
//! `sockaddr_in6`; only Linux's table has the `IPV6_RECVERR` control type.

use core::fmt;
use core::net::SocketAddrV6;

use crate::cmsg;
use crate::error::{WireError, prefix_to_read, prefix_to_write};
use crate::icmp::IcmpType;
use crate::platform::{ControlType, Platform};
use crate::sockaddr;

/// Where an error came from (`ee_origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ErrorOrigin {
    /// `SO_EE_ORIGIN_NONE` (0).
    None,
    /// `SO_EE_ORIGIN_LOCAL` (1): the local stack, e.g. a send larger than a
    /// known path MTU with fragmentation forbidden.
    Local,
    /// `SO_EE_ORIGIN_ICMP` (2): an ICMPv4 message (an IPv4-mapped peer).
    Icmp,
    /// `SO_EE_ORIGIN_ICMP6` (3): an ICMPv6 message.
    Icmp6,
    /// `SO_EE_ORIGIN_TXSTATUS` (4): a transmit timestamp.
    TxStatus,
    /// Any other value, kept as is (`SO_EE_ORIGIN_ZEROCOPY` 5,
    /// `SO_EE_ORIGIN_TXTIME` 6, …).
    Other(u8),
}

impl ErrorOrigin {
    /// The origin of an `ee_origin` byte (`<linux/errqueue.h>`).
    pub const fn from_byte(b: u8) -> ErrorOrigin {
        match b {
            0 => ErrorOrigin::None,
            1 => ErrorOrigin::Local,
            2 => ErrorOrigin::Icmp,
            3 => ErrorOrigin::Icmp6,
            4 => ErrorOrigin::TxStatus,
            other => ErrorOrigin::Other(other),
        }
    }

    /// The `ee_origin` byte.
    pub const fn to_byte(self) -> u8 {
        match self {
            ErrorOrigin::None => 0,
            ErrorOrigin::Local => 1,
            ErrorOrigin::Icmp => 2,
            ErrorOrigin::Icmp6 => 3,
            ErrorOrigin::TxStatus => 4,
            ErrorOrigin::Other(b) => b,
        }
    }
}

/// One `sock_extended_err` with its offender, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ExtendedError {
    /// `ee_errno`: what a send would have failed with (`EMSGSIZE` for Packet
    /// Too Big, `EHOSTUNREACH` for Time Exceeded, …).
    pub errno: u32,
    /// `ee_origin`.
    pub origin: ErrorOrigin,
    /// `ee_type`: the ICMPv6 type when `origin` is [`ErrorOrigin::Icmp6`].
    pub icmp_type: IcmpType,
    /// `ee_code`: the ICMPv6 code.
    pub code: u8,
    /// `ee_info`: the MTU for Packet Too Big and local `EMSGSIZE`.
    pub info: u32,
    /// `ee_data`.
    pub data: u32,
    /// `SO_EE_OFFENDER`: the node that sent the ICMPv6 message (a router on
    /// the path, or the destination); `None` for local errors.
    pub offender: Option<SocketAddrV6>,
}

impl ExtendedError {
    /// Bytes of the `IPV6_RECVERR` record on `platform`: the
    /// `sock_extended_err` and a `sockaddr_in6`.
    pub const fn record_len(platform: &Platform) -> usize {
        platform.cmsg_data_len(ControlType::RecvErr)
    }

    /// The struct's length on `platform` (16: Linux's, also for a table
    /// that lists none).
    const fn header_len(platform: &Platform) -> usize {
        if platform.layouts.sock_extended_err < 16 {
            16
        } else {
            platform.layouts.sock_extended_err
        }
    }

    /// Decodes the data of an `IPV6_RECVERR` record.
    ///
    /// Fails with [`WireError::Truncated`] when `data` is shorter than the
    /// struct and a `sockaddr_in6`, and with [`WireError::BadFamily`] when
    /// the offender is neither absent (family 0) nor `AF_INET6`. Bytes past
    /// the two structs are ignored.
    pub fn parse(platform: &Platform, data: &[u8]) -> Result<ExtendedError, WireError> {
        let header = Self::header_len(platform);
        let needed = header + platform.layouts.sockaddr_in6;
        let data = prefix_to_read(data, needed)?;
        let e = platform.endian;
        let offender_bytes = &data[header..];
        let offender = match sockaddr::family(platform, offender_bytes) {
            0 => None,
            _ => Some(sockaddr::decode_sockaddr_in6(platform, offender_bytes)?),
        };
        Ok(ExtendedError {
            errno: e.read_u32(data),
            origin: ErrorOrigin::from_byte(data[4]),
            icmp_type: IcmpType(data[5]),
            code: data[6],
            info: e.read_u32(&data[8..]),
            data: e.read_u32(&data[12..]),
            offender,
        })
    }

    /// Encodes the record's data into `buf` as the kernel writes it (for
    /// tests, fuzzing and fakes); returns its length.
    pub fn encode(&self, platform: &Platform, buf: &mut [u8]) -> Result<usize, WireError> {
        let header = Self::header_len(platform);
        let len = header + platform.layouts.sockaddr_in6;
        let out = prefix_to_write(buf, len)?;
        out.fill(0);
        let e = platform.endian;
        e.write_u32(out, self.errno);
        out[4] = self.origin.to_byte();
        out[5] = self.icmp_type.0;
        out[6] = self.code;
        e.write_u32(&mut out[8..], self.info);
        e.write_u32(&mut out[12..], self.data);
        if let Some(offender) = &self.offender {
            sockaddr::encode_sockaddr_in6(platform, offender, &mut out[header..])?;
        }
        Ok(len)
    }

    /// The path MTU this error reports: `info` of an ICMPv6 Packet Too Big,
    /// or of a local `EMSGSIZE` (a send larger than a known path MTU).
    pub fn mtu(&self) -> Option<u32> {
        let too_big = match self.origin {
            ErrorOrigin::Icmp6 => self.icmp_type == IcmpType::PACKET_TOO_BIG,
            ErrorOrigin::Local => self.info != 0,
            _ => false,
        };
        too_big.then_some(self.info)
    }
}

/// `Packet Too Big from [2001:db8::1]:0: mtu 1280 (errno 90)`.
impl fmt::Display for ExtendedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            ErrorOrigin::Icmp6 => write!(f, "{} code {}", self.icmp_type, self.code)?,
            ErrorOrigin::Local => f.write_str("local error")?,
            other => write!(f, "error of origin {}", other.to_byte())?,
        }
        if let Some(offender) = self.offender {
            write!(f, " from {}", offender.ip())?;
        }
        if let Some(mtu) = self.mtu() {
            write!(f, ": mtu {mtu}")?;
        }
        write!(f, " (errno {})", self.errno)
    }
}

/// What [`find`] made of an error-queue read's control data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Found {
    /// The decoded `IPV6_RECVERR` record, if one decoded.
    pub error: Option<ExtendedError>,
    /// The first problem met: a framing error, or an `IPV6_RECVERR` record
    /// that did not decode.
    pub problem: Option<WireError>,
}

/// Walks a control buffer read from the error queue and decodes its
/// `IPV6_RECVERR` record (the last one, should there be several). Other
/// records (an `IPV6_PKTINFO` with receive options on) are skipped.
pub fn find(platform: &Platform, control: &[u8]) -> Found {
    let mut found = Found::default();
    for record in cmsg::Iter::new(platform, control) {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                found.problem.get_or_insert(e);
                break;
            }
        };
        if platform.cmsg(ControlType::RecvErr) != Some((record.level, record.kind)) {
            continue;
        }
        match ExtendedError::parse(platform, record.data) {
            Ok(error) => found.error = Some(error),
            Err(e) => {
                found.problem.get_or_insert(e);
            }
        }
    }
    found
}

/// Control bytes an error-queue read makes room for: the `IPV6_RECVERR`
/// record on any platform and every record the receive options may add
/// (Linux adds `IPV6_PKTINFO` and the like when they are on).
pub const MAX_ERROR_SPACE: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < Platform::ALL.len() {
        let p = &Platform::ALL[i];
        let space = p.cmsg_layout.space(p.cmsg_data_len(ControlType::RecvErr));
        if space > max {
            max = space;
        }
        i += 1;
    }
    max + crate::control::MAX_SPACE
};

/// A control buffer for one error-queue read, aligned for `cmsghdr`.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(8))]
pub struct ErrorBuffer(pub [u8; MAX_ERROR_SPACE]);

impl ErrorBuffer {
    /// A zeroed buffer.
    pub const fn new() -> Self {
        ErrorBuffer([0; MAX_ERROR_SPACE])
    }
}

impl Default for ErrorBuffer {
    fn default() -> Self {
        ErrorBuffer::new()
    }
}

/// One entry of the error queue as `PacketConn::read_error` returns it.
///
/// The kernel has removed the entry from the queue, so nothing here fails:
/// a record that did not decode is reported beside the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueuedError {
    /// The error: its ICMPv6 type and code, errno, MTU and offender.
    /// `None` only if the entry carried no `IPV6_RECVERR` record that
    /// decoded (see `control_error`).
    pub error: Option<ExtendedError>,
    /// Bytes of the offending datagram copied to the buffer: the start of
    /// its payload, as much as the ICMPv6 message quoted.
    pub len: usize,
    /// Where the offending datagram was sent (the entry's address).
    pub destination: Option<SocketAddrV6>,
    /// The quoted datagram was longer than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
    /// Control data was discarded for lack of room (`MSG_CTRUNC`).
    pub control_truncated: bool,
    /// Why the control data did not decode, if it did not.
    pub control_error: Option<WireError>,
}

impl QueuedError {
    /// What a backend's error-queue read reported, decoded for `platform`.
    /// Lengths a faulty backend reports beyond the buffers are clamped to
    /// them; control bytes past the buffer are not trusted.
    pub fn decode(
        platform: &Platform,
        meta: &crate::backend::RecvMeta,
        control: &[u8],
        capacity: usize,
    ) -> QueuedError {
        use crate::backend::MsgFlags;
        let found = match control.get(..meta.control_len) {
            Some(bytes) => find(platform, bytes),
            None => Found {
                error: None,
                problem: Some(WireError::Truncated {
                    needed: meta.control_len,
                    available: control.len(),
                }),
            },
        };
        let control_error = match (found.error, found.problem) {
            (_, Some(e)) => Some(e),
            // No record at all: say so rather than report nothing.
            (None, None) => Some(WireError::Truncated {
                needed: ExtendedError::record_len(platform),
                available: 0,
            }),
            (Some(_), None) => None,
        };
        QueuedError {
            error: found.error,
            len: meta.len.min(capacity),
            destination: meta.source,
            truncated: meta.flags.contains(MsgFlags::TRUNCATED),
            control_truncated: meta.flags.contains(MsgFlags::CONTROL_TRUNCATED),
            control_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Endian;
    use core::net::Ipv6Addr;
    use proptest::prelude::*;

    /// A Packet Too Big from router 2001:db8:1::1 with MTU 1280, as Linux
    /// x86_64 writes it: ee_errno EMSGSIZE (90), origin ICMP6 (3), type 2,
    /// code 0, ee_info 1280, then sockaddr_in6 { AF_INET6 = 10, port 0,
    /// flowinfo 0, addr, scope 0 }.
    const PTB_LINUX: [u8; 44] = [
        90, 0, 0, 0, 3, 2, 0, 0, 0x00, 0x05, 0, 0, 0, 0, 0, 0, //
        10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, //
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    ];

    fn router() -> SocketAddrV6 {
        SocketAddrV6::new(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1), 0, 0, 0)
    }

    #[test]
    fn golden_packet_too_big_on_linux() {
        for p in [Platform::LINUX_64, Platform::LINUX_32] {
            let e = ExtendedError::parse(&p, &PTB_LINUX).unwrap();
            assert_eq!(
                e,
                ExtendedError {
                    errno: 90,
                    origin: ErrorOrigin::Icmp6,
                    icmp_type: IcmpType::PACKET_TOO_BIG,
                    code: 0,
                    info: 1280,
                    data: 0,
                    offender: Some(router()),
                }
            );
            assert_eq!(e.mtu(), Some(1280));
            let mut buf = [0xffu8; 64];
            assert_eq!(e.encode(&p, &mut buf), Ok(44));
            assert_eq!(buf[..44], PTB_LINUX);
        }
    }

    #[test]
    fn golden_time_exceeded_and_local_error() {
        // Time Exceeded (3/0), EHOSTUNREACH (113): no MTU.
        let mut te = PTB_LINUX;
        te[0] = 113;
        te[5] = 3;
        te[8..12].fill(0);
        let e = ExtendedError::parse(&Platform::LINUX_64, &te).unwrap();
        assert_eq!(
            (e.icmp_type, e.errno, e.mtu()),
            (IcmpType::TIME_EXCEEDED, 113, None)
        );
        // A local EMSGSIZE with the known MTU and no offender (family 0).
        let mut local = [0u8; 44];
        local[0] = 90;
        local[4] = 1;
        local[8..12].copy_from_slice(&1400u32.to_le_bytes());
        let e = ExtendedError::parse(&Platform::LINUX_64, &local).unwrap();
        assert_eq!(
            (e.origin, e.offender, e.mtu()),
            (ErrorOrigin::Local, None, Some(1400))
        );
        assert_eq!(std::format!("{e}"), "local error: mtu 1400 (errno 90)");
    }

    #[test]
    fn big_endian_linux_reads_fields_in_its_order() {
        let p = Platform::LINUX_64.with_endian(Endian::Big);
        let mut be = PTB_LINUX;
        be[..4].copy_from_slice(&90u32.to_be_bytes());
        be[8..12].copy_from_slice(&1280u32.to_be_bytes());
        be[16..18].copy_from_slice(&10u16.to_be_bytes());
        assert_eq!(ExtendedError::parse(&p, &be).unwrap().mtu(), Some(1280));
    }

    #[test]
    fn short_records_and_foreign_families_are_refused() {
        let p = Platform::LINUX_64;
        assert_eq!(
            ExtendedError::parse(&p, &PTB_LINUX[..43]),
            Err(WireError::Truncated {
                needed: 44,
                available: 43
            })
        );
        let mut v4 = PTB_LINUX;
        v4[16] = 2; // AF_INET
        assert_eq!(ExtendedError::parse(&p, &v4), Err(WireError::BadFamily(2)));
    }

    #[test]
    fn find_takes_the_recverr_record_among_others() {
        let p = Platform::LINUX_64;
        let mut buf = [0u8; 128];
        let mut w = cmsg::Writer::new(&p, &mut buf);
        w.push(41, 50, &[0; 20]).unwrap(); // an IPV6_PKTINFO
        w.push(41, 25, &PTB_LINUX).unwrap();
        let n = w.len();
        let found = find(&p, &buf[..n]);
        assert_eq!(found.problem, None);
        assert_eq!(found.error.and_then(|e| e.mtu()), Some(1280));
        // On a platform without an error queue nothing is an IPV6_RECVERR.
        assert_eq!(find(&Platform::FREEBSD_64, &buf[..n]), Found::default());
    }

    fn any_error() -> impl Strategy<Value = ExtendedError> {
        (
            any::<u32>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            any::<u32>(),
            proptest::option::of((any::<[u8; 16]>(), any::<u16>(), any::<u32>(), any::<u32>())),
        )
            .prop_map(
                |(errno, origin, ty, code, info, data, offender)| ExtendedError {
                    errno,
                    origin: ErrorOrigin::from_byte(origin),
                    icmp_type: IcmpType(ty),
                    code,
                    info,
                    data,
                    offender: offender.map(|(a, port, flow, scope)| {
                        SocketAddrV6::new(Ipv6Addr::from(a), port, flow, scope)
                    }),
                },
            )
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(e in any_error()) {
            for p in Platform::ALL {
                let mut buf = [0u8; 64];
                let n = e.encode(&p, &mut buf).unwrap();
                prop_assert_eq!(ExtendedError::parse(&p, &buf[..n]), Ok(e));
            }
        }

        #[test]
        fn parse_and_find_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            for p in Platform::ALL {
                let _ = ExtendedError::parse(&p, &bytes);
                let _ = find(&p, &bytes);
            }
        }
    }
}
