//! RFC 3542 control messages (Go's `ControlMessage`).
//!
//! [`ControlMessage::parse`] decodes what `recvmsg` returns and
//! [`ControlMessage::marshal`] encodes what `sendmsg` takes, for any
//! [`Platform`]; both follow Go's `golang.org/x/net/ipv6` record for record,
//! with the differences listed on each method.
//!
//! The send and receive sides use different fields:
//!
//! | field           | `marshal` emits                 | `parse` fills from                 |
//! |-----------------|---------------------------------|------------------------------------|
//! | `traffic_class` | `IPV6_TCLASS`                   | `IPV6_TCLASS`                      |
//! | `hop_limit`     | `IPV6_HOPLIMIT`                 | `IPV6_HOPLIMIT`                    |
//! | `src`           | `IPV6_PKTINFO` address          | never                              |
//! | `dst`           | never                           | `IPV6_PKTINFO`, `IPV6_PATHMTU`     |
//! | `if_index`      | `IPV6_PKTINFO`, next-hop scope  | `IPV6_PKTINFO`, `IPV6_PATHMTU` scope |
//! | `next_hop`      | `IPV6_NEXTHOP`                  | never                              |
//! | `mtu`           | never                           | `IPV6_PATHMTU`                     |
//! | `dont_fragment` | `IPV6_DONTFRAG`                 | never                              |
//! | `segment_size`  | `UDP_SEGMENT` (GSO)             | `UDP_GRO` (a coalesced receive)    |
//!
//! So `parse(marshal(m))` gives back `traffic_class`, `hop_limit` and
//! `if_index`, with `src` returned as `dst` (`IPV6_PKTINFO` carries the
//! address both ways; `::` if `src` was `None` but an interface was set).
//!
//! `dont_fragment` and `segment_size` go beyond Go: `UDP_SEGMENT` and
//! `UDP_GRO` live at level `SOL_UDP`, every other record at `IPPROTO_IPV6`
//! ([`ControlType::level`]). The traffic class splits into [`Dscp`] and
//! [`Ecn`] with [`ControlMessage::dscp`] and [`ControlMessage::ecn`].

use core::fmt;
use core::net::{Ipv6Addr, SocketAddrV6};

use crate::cmsg::{self, Writer};
use crate::error::{WireError, prefix_to_write};
use crate::platform::{ControlType, Platform};
use crate::sockaddr;
use crate::tclass::{self, Dscp, Ecn};

bitflags::bitflags! {
    /// Which fields to receive (Go's `ControlFlags`, same bit values).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ControlFlags: u32 {
        /// Traffic class of received packets.
        const TRAFFIC_CLASS = 1;
        /// Hop limit of received packets.
        const HOP_LIMIT = 2;
        /// Source address (Go never fills it on receive; kept for parity).
        const SRC = 4;
        /// Destination address.
        const DST = 8;
        /// Interface index.
        const INTERFACE = 16;
        /// Path MTU.
        const PATH_MTU = 32;
    }
}

/// Per-packet IPv6 information (Go's `ControlMessage`).
///
/// See the [module documentation](self) for which fields are sent and which
/// are received. `Display` prints Go's `String` format; `{:#}` prints only
/// the fields present. [`ControlMessage::reply_to`] builds the answer to a
/// received message.
///
/// # Which numbers mean "none"
///
/// One rule, the kernel's, everywhere in the library: where 0 is a value a
/// packet can carry (traffic class 0, hop limit 0), a missing field is
/// `None`; where the kernel itself reads 0 as "none" (interface index 0 is
/// "any interface", a path MTU is never 0), the field is a plain integer
/// and 0 means none, as in C and Go. Socket options keep the C `int` the
/// kernel stores (`set_hop_limit(-1)` restores the default, as in Go and
/// RFC 3493); interface arguments of methods are `Option<u32>`, so that
/// `None` says "the kernel's choice" and a stray `Some(0)` is refused
/// instead of silently meaning the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ControlMessage {
    /// Traffic class (`IPV6_TCLASS`).
    pub traffic_class: Option<u8>,
    /// Hop limit (`IPV6_HOPLIMIT`).
    pub hop_limit: Option<u8>,
    /// Source address to send from (`IPV6_PKTINFO`, send only).
    pub src: Option<Ipv6Addr>,
    /// Destination address a packet arrived for (`IPV6_PKTINFO`, receive only).
    pub dst: Option<Ipv6Addr>,
    /// Interface index (0: none).
    pub if_index: u32,
    /// Next hop (`IPV6_NEXTHOP`, send only).
    pub next_hop: Option<Ipv6Addr>,
    /// Path MTU (`IPV6_PATHMTU`, receive only; 0: none).
    pub mtu: u32,
    /// Forbid (`Some(true)`) or allow (`Some(false)`) fragmenting this
    /// packet (`IPV6_DONTFRAG`, send only).
    pub dont_fragment: Option<bool>,
    /// Send: split the payload into datagrams of this many bytes in the
    /// kernel or the NIC (`UDP_SEGMENT`, GSO). Receive: the datagrams of a
    /// coalesced buffer are this long, the last one possibly shorter
    /// (`UDP_GRO`).
    pub segment_size: Option<u16>,
}

/// The records `parse` understands, in the order Go's `Parse` matches them
/// (then those beyond Go).
const RECEIVED: [ControlType; 5] = [
    ControlType::TrafficClass,
    ControlType::HopLimit,
    ControlType::PacketInfo,
    ControlType::PathMtu,
    ControlType::UdpGro,
];

/// Which of [`RECEIVED`] a record of `level` and `kind` is on `platform`.
///
/// A loop the compiler unrolls: for a constant platform (a backend's
/// `Platform::HOST`) each step is one comparison with an immediate, and the
/// type found is a constant at its branch, so no table is built per read.
#[inline(always)]
fn received_kind(platform: &Platform, level: i32, kind: i32) -> Option<ControlType> {
    let record = Some((level, kind));
    RECEIVED.into_iter().find(|&t| platform.cmsg(t) == record)
}

/// The records `marshal` can emit, in the order Go's `Marshal` emits them
/// (then those beyond Go).
const SENT: [ControlType; 6] = [
    ControlType::TrafficClass,
    ControlType::HopLimit,
    ControlType::PacketInfo,
    ControlType::NextHop,
    ControlType::DontFragment,
    ControlType::UdpSegment,
];

/// `struct in6_pktinfo { struct in6_addr ipi6_addr; unsigned ipi6_ifindex; }`
/// on every supported OS: the bytes `parse` and `marshal` touch.
const PKTINFO_LEN: usize = 20;

/// `CMSG_SPACE` of one record of `kind`, or 0 if `platform` lacks it.
const fn record_space(platform: &Platform, kind: ControlType) -> usize {
    match platform.cmsg_type(kind) {
        Some(_) => platform.cmsg_layout.space(platform.cmsg_data_len(kind)),
        None => 0,
    }
}

/// Largest encoding/receive space of all records on any platform.
///
/// The maximum, over [`Platform::ALL`], of the longest
/// [`ControlMessage::marshal`] output and of
/// [`ControlFlags::all().space()`](ControlFlags::space): 184 bytes, reached
/// by a 64-bit Linux send carrying all six records (Go's four, then
/// `IPV6_DONTFRAG` and `UDP_SEGMENT`). A hand-made [`Platform`] with larger
/// layouts can exceed it; [`ControlMessage::to_bytes`] then fails.
pub const MAX_SPACE: usize = {
    // Evaluated by the compiler only, so written here rather than as
    // functions that no running program would ever call.
    let mut max = 0;
    let mut p = 0;
    while p < Platform::ALL.len() {
        let mut sides: &[&[ControlType]] = &[&SENT, &RECEIVED];
        while let [kinds, rest @ ..] = sides {
            let mut total = 0;
            let mut k = 0;
            while k < kinds.len() {
                total += record_space(&Platform::ALL[p], kinds[k]);
                k += 1;
            }
            if total > max {
                max = total;
            }
            sides = rest;
        }
        p += 1;
    }
    max
};

/// A control buffer of [`MAX_SPACE`] bytes, aligned as `cmsghdr` requires on
/// every platform (8 bytes), for receiving and sending without allocating.
///
/// POSIX asks that control buffers be aligned for `struct cmsghdr`; a plain
/// byte array is not. Use one per message, e.g. for
/// [`RecvMessage`](crate::RecvMessage)s in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, align(8))]
pub struct ControlBuffer(pub [u8; MAX_SPACE]);

impl ControlBuffer {
    /// A zeroed buffer.
    pub const fn new() -> Self {
        ControlBuffer([0; MAX_SPACE])
    }
}

impl Default for ControlBuffer {
    fn default() -> Self {
        ControlBuffer::new()
    }
}

/// What [`ControlMessage::parse_partial`] made of a control buffer: every
/// record it could decode, and what it could not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Decoded {
    /// The fields of every record that decoded.
    pub message: ControlMessage,
    /// Records that could not be decoded: IPv6 records of a known type with
    /// a value no kernel reports, plus 1 if a framing error ended the walk.
    pub undecoded: usize,
    /// The first error met, with its offset where it has one.
    pub error: Option<WireError>,
}

impl ControlFlags {
    /// Bytes of control buffer the kernel needs to report these flags (Go's
    /// `NewControlMessage` length).
    ///
    /// `TRAFFIC_CLASS`, `HOP_LIMIT` and `PATH_MTU` need one record each;
    /// `DST` and `INTERFACE` share one `IPV6_PKTINFO`; `SRC` needs nothing,
    /// since no kernel reports it. Types the platform lacks count zero.
    pub fn space(self, platform: &Platform) -> usize {
        [
            (ControlFlags::TRAFFIC_CLASS, ControlType::TrafficClass),
            (ControlFlags::HOP_LIMIT, ControlType::HopLimit),
            (
                ControlFlags::DST.union(ControlFlags::INTERFACE),
                ControlType::PacketInfo,
            ),
            (ControlFlags::PATH_MTU, ControlType::PathMtu),
        ]
        .into_iter()
        .filter(|(flags, _)| self.intersects(*flags))
        .map(|(_, kind)| record_space(platform, kind))
        .sum()
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ControlFlags {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        // Unknown bits are kept: like Go, every consumer must ignore them.
        Ok(ControlFlags::from_bits_retain(u32::arbitrary(u)?))
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <u32 as arbitrary::Arbitrary>::size_hint(depth)
    }
}

/// One record `marshal` emits, with its value.
#[derive(Clone, Copy)]
enum Outgoing {
    TrafficClass(u8),
    HopLimit(u8),
    PacketInfo { src: Ipv6Addr, if_index: u32 },
    NextHop(SocketAddrV6),
    DontFragment(bool),
    SegmentSize(u16),
}

impl Outgoing {
    /// Hands the record to `sink` with its level and `cmsg_type`, if the
    /// platform has one.
    #[inline(always)]
    fn emit(self, platform: &Platform, sink: &mut impl RecordSink) -> Result<(), WireError> {
        match platform.cmsg(self.kind()) {
            Some(level_type) => sink.record(platform, self, level_type),
            None => Ok(()),
        }
    }

    #[inline(always)]
    fn kind(self) -> ControlType {
        match self {
            Outgoing::TrafficClass(_) => ControlType::TrafficClass,
            Outgoing::HopLimit(_) => ControlType::HopLimit,
            Outgoing::PacketInfo { .. } => ControlType::PacketInfo,
            Outgoing::NextHop(_) => ControlType::NextHop,
            Outgoing::DontFragment(_) => ControlType::DontFragment,
            Outgoing::SegmentSize(_) => ControlType::UdpSegment,
        }
    }

    #[inline(always)]
    fn encode(self, platform: &Platform, data: &mut [u8]) -> Result<(), WireError> {
        match self {
            Outgoing::TrafficClass(v) | Outgoing::HopLimit(v) => {
                sockaddr::encode_int(platform, i32::from(v), data)?;
            }
            Outgoing::PacketInfo { src, if_index } => {
                let pktinfo = prefix_to_write(data, PKTINFO_LEN)?;
                pktinfo[..16].copy_from_slice(&src.octets());
                platform.endian.write_u32(&mut pktinfo[16..], if_index);
            }
            Outgoing::NextHop(addr) => {
                sockaddr::encode_sockaddr_in6(platform, &addr, data)?;
            }
            Outgoing::DontFragment(on) => {
                sockaddr::encode_int(platform, i32::from(on), data)?;
            }
            // A `uint16_t` in host order (`udp_cmsg_send` in net/ipv4/udp.c).
            Outgoing::SegmentSize(size) => {
                platform.endian.write_u16(prefix_to_write(data, 2)?, size);
            }
        }
        Ok(())
    }
}

/// What [`ControlMessage::each_record`] hands the records to: a counter
/// for `marshal_len`, a [`Writer`] for `marshal`.
trait RecordSink {
    fn record(
        &mut self,
        platform: &Platform,
        record: Outgoing,
        level_type: (i32, i32),
    ) -> Result<(), WireError>;
}

/// Bytes the records take.
struct Space(usize);

impl RecordSink for Space {
    #[inline(always)]
    fn record(
        &mut self,
        platform: &Platform,
        record: Outgoing,
        _: (i32, i32),
    ) -> Result<(), WireError> {
        self.0 += record_space(platform, record.kind());
        Ok(())
    }
}

impl RecordSink for Writer<'_> {
    #[inline(always)]
    fn record(
        &mut self,
        platform: &Platform,
        record: Outgoing,
        (level, cmsg_type): (i32, i32),
    ) -> Result<(), WireError> {
        let data_len = platform.cmsg_data_len(record.kind());
        record.encode(platform, self.append(level, cmsg_type, data_len)?)
    }
}

impl ControlMessage {
    /// Decodes IPv6-level records.
    ///
    /// As Go's `Parse`: records of other levels, of types other than
    /// `IPV6_TCLASS`, `IPV6_HOPLIMIT`, `IPV6_PKTINFO` and `IPV6_PATHMTU`, and
    /// records whose data is shorter than their type's struct are skipped;
    /// later records overwrite earlier ones (a `PATHMTU` after a `PKTINFO`
    /// wins `dst` and `if_index`). Framing errors from [`cmsg::Iter`] are
    /// returned.
    ///
    /// Stricter than Go: a traffic class or hop limit outside `0..=255`,
    /// which no kernel reports, is [`WireError::ValueOutOfRange`] (Go
    /// returns the `int` as is), and an `ip6_mtuinfo` whose address family
    /// is not `AF_INET6` is [`WireError::BadFamily`] (Go ignores the family).
    ///
    /// For received data, where the datagram must survive a bad record,
    /// use [`parse_partial`](Self::parse_partial).
    #[inline]
    pub fn parse(platform: &Platform, bytes: &[u8]) -> Result<ControlMessage, WireError> {
        Self::parse_with(platform, bytes)
    }

    /// `parse_partial` stopped at its first error, which is the one it
    /// would have kept: the same answer without walking on.
    #[inline(always)]
    fn parse_with(platform: &Platform, bytes: &[u8]) -> Result<ControlMessage, WireError> {
        let mut decoded = Decoded::default();
        Self::decode_into::<true>(platform, bytes, &mut decoded);
        match decoded.error {
            Some(e) => Err(e),
            None => Ok(decoded.message),
        }
    }

    /// Decodes what it can: as [`parse`](Self::parse), but a record whose
    /// value no kernel reports is skipped rather than fatal, and a framing
    /// error ends the walk while keeping the records before it. Both are
    /// counted in [`Decoded::undecoded`] and the first is kept in
    /// [`Decoded::error`]. `PacketConn` reads use this, so a datagram is
    /// never lost to its control data.
    #[inline]
    pub fn parse_partial(platform: &Platform, bytes: &[u8]) -> Decoded {
        Self::parse_partial_with(platform, bytes)
    }

    /// [`parse_partial`](Self::parse_partial), inlined into each caller so
    /// that a constant `platform` folds.
    #[inline(always)]
    fn parse_partial_with(platform: &Platform, bytes: &[u8]) -> Decoded {
        let mut decoded = Decoded::default();
        Self::decode_into::<false>(platform, bytes, &mut decoded);
        decoded
    }

    /// Decodes the records of `bytes` into `decoded`; with `STOP_AT_ERROR`
    /// the walk ends at the first error, else only at a framing error.
    #[inline(always)]
    fn decode_into<const STOP_AT_ERROR: bool>(
        platform: &Platform,
        bytes: &[u8],
        decoded: &mut Decoded,
    ) {
        let fail = |decoded: &mut Decoded, e: WireError| {
            decoded.undecoded += 1;
            decoded.error.get_or_insert(e);
        };
        for record in cmsg::Iter::new(platform, bytes) {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    fail(decoded, e);
                    break;
                }
            };
            let Some(kind) = received_kind(platform, record.level, record.kind) else {
                continue;
            };
            // Darwin's one-byte traffic class (see `Platform::byte_traffic_class`).
            let byte_sized = kind == ControlType::TrafficClass
                && platform.byte_traffic_class
                && record.data.len() == 1;
            if record.data.len() < platform.cmsg_data_len(kind) && !byte_sized {
                continue;
            }
            if let Err(e) = decoded.message.apply(platform, kind, record.data) {
                fail(decoded, e);
                if STOP_AT_ERROR {
                    break;
                }
            }
        }
    }

    /// Stores one received record of `kind` (its data is long enough).
    #[inline(always)]
    fn apply(
        &mut self,
        platform: &Platform,
        kind: ControlType,
        data: &[u8],
    ) -> Result<(), WireError> {
        let octet = |data: &[u8]| {
            u8::try_from(platform.endian.read_u32(data)).map_err(|_| WireError::ValueOutOfRange)
        };
        match kind {
            // Darwin's one-byte record (see `Platform::byte_traffic_class`).
            ControlType::TrafficClass if data.len() == 1 => self.traffic_class = Some(data[0]),
            ControlType::TrafficClass => self.traffic_class = Some(octet(data)?),
            ControlType::HopLimit => self.hop_limit = Some(octet(data)?),
            ControlType::PacketInfo => {
                let pktinfo: &[u8; PKTINFO_LEN] = data
                    .get(..PKTINFO_LEN)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(WireError::Truncated {
                        needed: PKTINFO_LEN,
                        available: data.len(),
                    })?;
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&pktinfo[..16]);
                self.dst = Some(Ipv6Addr::from(octets));
                self.if_index = platform.endian.read_u32(&pktinfo[16..]);
            }
            ControlType::PathMtu => {
                let (addr, mtu) = sockaddr::decode_ip6_mtuinfo(platform, data)?;
                self.dst = Some(*addr.ip());
                self.if_index = addr.scope_id();
                self.mtu = mtu;
            }
            ControlType::UdpGro => {
                let size = platform.endian.read_u32(data);
                let size = u16::try_from(size).map_err(|_| WireError::ValueOutOfRange)?;
                self.segment_size = Some(size);
            }
            // Send only: Go's parseNextHop does nothing and Parse never calls it.
            ControlType::NextHop
            | ControlType::DontFragment
            | ControlType::UdpSegment
            | ControlType::RecvErr => {}
        }
        Ok(())
    }

    /// The ECN field of `traffic_class`, if set.
    pub const fn ecn(&self) -> Option<Ecn> {
        match self.traffic_class {
            Some(t) => Some(Ecn::from_traffic_class(t)),
            None => None,
        }
    }

    /// The DSCP of `traffic_class`, if set.
    pub const fn dscp(&self) -> Option<Dscp> {
        match self.traffic_class {
            Some(t) => Some(Dscp::from_traffic_class(t)),
            None => None,
        }
    }

    /// Sets `traffic_class` from its two fields, e.g. to send one packet
    /// with `Dscp::EF` and `Ecn::Ect0`.
    pub const fn set_dscp_ecn(&mut self, dscp: Dscp, ecn: Ecn) {
        self.traffic_class = Some(tclass::traffic_class(dscp, ecn));
    }

    /// Hands each record to send and its level and type to `sink`, in Go's
    /// order (then those beyond Go), skipping unset fields and types the platform lacks; stops at
    /// the first error.
    ///
    /// Written out rather than looped over an array, and `sink` a trait
    /// rather than a closure, so that everything inlines and each record's
    /// sizes are constants where the platform is.
    #[inline(always)]
    fn each_record<S: RecordSink>(
        &self,
        platform: &Platform,
        sink: &mut S,
    ) -> Result<(), WireError> {
        if let Some(v) = self.traffic_class {
            Outgoing::TrafficClass(v).emit(platform, sink)?;
        }
        if let Some(v) = self.hop_limit {
            Outgoing::HopLimit(v).emit(platform, sink)?;
        }
        if self.src.is_some() || self.if_index > 0 {
            let src = self.src.unwrap_or(Ipv6Addr::UNSPECIFIED);
            let if_index = self.if_index;
            Outgoing::PacketInfo { src, if_index }.emit(platform, sink)?;
        }
        if let Some(hop) = self.next_hop {
            Outgoing::NextHop(SocketAddrV6::new(hop, 0, 0, self.if_index)).emit(platform, sink)?;
        }
        if let Some(on) = self.dont_fragment {
            Outgoing::DontFragment(on).emit(platform, sink)?;
        }
        if let Some(size) = self.segment_size {
            Outgoing::SegmentSize(size).emit(platform, sink)?;
        }
        Ok(())
    }

    /// Encodes into `buf`; returns bytes written.
    ///
    /// Emits, in this order and only where the platform has the type:
    /// `IPV6_TCLASS` if `traffic_class` is set, `IPV6_HOPLIMIT` if
    /// `hop_limit` is set, `IPV6_PKTINFO` (`src`, or `::` if `None`, and
    /// `if_index`) if `src` is set or `if_index > 0`, and `IPV6_NEXTHOP` (a
    /// `sockaddr_in6` with `scope_id = if_index`) if `next_hop` is set;
    /// beyond Go, `IPV6_DONTFRAG` (an `int`) if `dont_fragment` is set and
    /// `UDP_SEGMENT` (a `uint16_t` at level `SOL_UDP`) if `segment_size` is
    /// set. Each record takes `CMSG_SPACE` bytes with zeroed padding. `dst`
    /// and `mtu` are receive-only and ignored. Writes nothing if `buf` is shorter than
    /// [`marshal_len`](Self::marshal_len).
    ///
    /// Byte for byte Go's `Marshal`, except:
    /// - `IPV6_NEXTHOP` is emitted on Linux too. Go's Linux table lacks it,
    ///   so Go drops `NextHop` there although the kernel supports it.
    /// - `Some(0)` traffic class or hop limit is emitted: Go's `int` fields
    ///   cannot tell 0 from unset and skip it.
    /// - IPv4-mapped `src` and `next_hop` are encoded as given, where Go
    ///   silently drops them. Rejecting them is the caller's policy
    ///   ([`PacketConn`](crate::PacketConn) does), not the codec's, and
    ///   encoding them keeps `parse(marshal(m))` faithful.
    #[inline]
    pub fn marshal(&self, platform: &Platform, buf: &mut [u8]) -> Result<usize, WireError> {
        self.marshal_with(platform, buf)
    }

    /// [`marshal`](Self::marshal), inlined into each caller so that a
    /// constant `platform` folds.
    #[inline(always)]
    fn marshal_with(&self, platform: &Platform, buf: &mut [u8]) -> Result<usize, WireError> {
        let needed = self.marshal_len(platform);
        if buf.len() < needed {
            return Err(WireError::BufferTooSmall {
                needed,
                available: buf.len(),
            });
        }
        let mut writer = Writer::new(platform, buf);
        self.each_record(platform, &mut writer)?;
        Ok(writer.len())
    }

    /// The control message that answers a datagram received with
    /// `received` the way a multi-homed server must: from the address the
    /// request was sent to, out of the interface it arrived on.
    ///
    /// `src` is the received `dst` unless that was a multicast group (a
    /// reply never comes from a group: the kernel then picks a unicast
    /// source on the interface); `if_index` is the received one. Every
    /// other field is empty. The receiving socket needs
    /// `ControlFlags::DST | ControlFlags::INTERFACE` (`IPV6_RECVPKTINFO`) on
    /// for `received` to carry them; without them the reply is left to the
    /// kernel's routing, as with no control message.
    ///
    /// ```
    /// use core::net::Ipv6Addr;
    /// use ipv6_core::ControlMessage;
    ///
    /// let unicast = ControlMessage {
    ///     dst: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    ///     if_index: 3,
    ///     hop_limit: Some(64),
    ///     ..ControlMessage::default()
    /// };
    /// let reply = ControlMessage::reply_to(&unicast);
    /// assert_eq!(reply.src, unicast.dst);
    /// assert_eq!((reply.if_index, reply.hop_limit), (3, None));
    ///
    /// let to_group = ControlMessage { dst: Some(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb)), ..unicast };
    /// assert_eq!(ControlMessage::reply_to(&to_group).src, None);
    /// assert_eq!(ControlMessage::reply_to(&to_group).if_index, 3);
    /// ```
    pub fn reply_to(received: &ControlMessage) -> ControlMessage {
        ControlMessage {
            src: received
                .dst
                .filter(|dst| !dst.is_multicast() && !dst.is_unspecified()),
            if_index: received.if_index,
            ..ControlMessage::default()
        }
    }

    /// Bytes `marshal` writes.
    #[inline]
    pub fn marshal_len(&self, platform: &Platform) -> usize {
        let mut len = Space(0);
        // Counting cannot fail.
        let _ = self.each_record(platform, &mut len);
        len.0
    }

    /// [`marshal`](Self::marshal) into a fixed-capacity vector.
    ///
    /// Fails only for a hand-made [`Platform`] whose records exceed
    /// [`MAX_SPACE`].
    pub fn to_bytes(&self, platform: &Platform) -> Result<heapless::Vec<u8, MAX_SPACE>, WireError> {
        let needed = self.marshal_len(platform);
        let mut out = heapless::Vec::new();
        out.resize_default(needed)
            .map_err(|_| WireError::BufferTooSmall {
                needed,
                available: MAX_SPACE,
            })?;
        self.marshal(platform, &mut out)?;
        Ok(out)
    }
}

/// An optional address as Go's `net.IP` prints it: `<nil>` for none and
/// dotted quad for IPv4-mapped addresses.
struct GoIp(Option<Ipv6Addr>);

impl fmt::Display for GoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("<nil>"),
            Some(addr) => match addr.to_ipv4_mapped() {
                Some(v4) => write!(f, "{v4}"),
                None => write!(f, "{addr}"),
            },
        }
    }
}

/// Go's `ControlMessage.String`, e.g.
/// `tclass=0x28 hoplim=7 src=::1 dst=<nil> ifindex=1 nexthop=<nil> mtu=0`.
/// An unset traffic class or hop limit prints as 0, as Go's `int` does.
///
/// The alternate form (`{:#}`) prints only the fields that are present, in
/// the same order and format: `tclass=0x28 hoplim=7 dst=::1 ifindex=1`
/// (`(none)` for an empty message), so a field that was not received never
/// reads as a value.
impl fmt::Display for ControlMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return self.fmt_present(f);
        }
        write!(
            f,
            "tclass={:#x} hoplim={} src={} dst={} ifindex={} nexthop={} mtu={}",
            self.traffic_class.unwrap_or(0),
            self.hop_limit.unwrap_or(0),
            GoIp(self.src),
            GoIp(self.dst),
            self.if_index,
            GoIp(self.next_hop),
            self.mtu
        )
    }
}

impl ControlMessage {
    /// `{:#}`: the present fields only.
    fn fmt_present(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut separator = "";
        let mut field = |f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>| {
            let result = write!(f, "{separator}{args}");
            separator = " ";
            result
        };
        if let Some(tclass) = self.traffic_class {
            field(f, format_args!("tclass={tclass:#x}"))?;
        }
        if let Some(hops) = self.hop_limit {
            field(f, format_args!("hoplim={hops}"))?;
        }
        if let Some(src) = self.src {
            field(f, format_args!("src={}", GoIp(Some(src))))?;
        }
        if let Some(dst) = self.dst {
            field(f, format_args!("dst={}", GoIp(Some(dst))))?;
        }
        if self.if_index != 0 {
            field(f, format_args!("ifindex={}", self.if_index))?;
        }
        if let Some(hop) = self.next_hop {
            field(f, format_args!("nexthop={}", GoIp(Some(hop))))?;
        }
        if self.mtu != 0 {
            field(f, format_args!("mtu={}", self.mtu))?;
        }
        if separator.is_empty() {
            f.write_str("(none)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Endian;
    use std::string::ToString;

    const V6: i32 = crate::platform::IPPROTO_IPV6;

    /// A control buffer of `records` written with the platform's framing.
    fn records(p: &Platform, records: &[(i32, i32, &[u8])]) -> ([u8; 512], usize) {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(p, &mut buf);
        for &(level, kind, data) in records {
            w.push(level, kind, data).unwrap();
        }
        let n = w.len();
        (buf, n)
    }

    fn parse_records(
        p: &Platform,
        recs: &[(i32, i32, &[u8])],
    ) -> Result<ControlMessage, WireError> {
        let (buf, n) = records(p, recs);
        ControlMessage::parse(p, &buf[..n])
    }

    fn ty(p: &Platform, kind: ControlType) -> i32 {
        p.cmsg_type(kind).unwrap()
    }

    /// Go's control_test.go fuzz inputs: 12-byte records at level 41 with
    /// cmsg_len 12 and type 46 or 44, which crashed Go on Darwin where those
    /// are IPV6_PKTINFO and IPV6_PATHMTU with no data.
    #[test]
    fn go_fuzz_vectors_parse_to_an_empty_message_everywhere() {
        let vectors: [&[u8]; 2] = [
            b"\x0c\x00\x00\x00)\x00\x00\x00.\x00\x00\x00",
            b"\x0c\x00\x00\x00)\x00\x00\x00,\x00\x00\x00",
        ];
        for bytes in vectors {
            for p in Platform::ALL {
                // Darwin, Linux 32: an empty record, too short for its type.
                // Linux 64, BSD 64: 12 bytes are less than CMSG_LEN(0) = 16
                // and are ignored as trailing bytes.
                assert_eq!(
                    ControlMessage::parse(&p, bytes),
                    Ok(ControlMessage::default())
                );
            }
        }
        let got: std::vec::Vec<_> = cmsg::Iter::new(&Platform::DARWIN, vectors[0]).collect();
        assert_eq!(
            got,
            [Ok(cmsg::Cmsg {
                level: V6,
                kind: 46,
                data: &[]
            })]
        );
    }

    #[test]
    fn max_space_is_the_largest_record_set_of_any_platform() {
        // 64-bit Linux, sending: CMSG_SPACE(4) * 2 + CMSG_SPACE(20) +
        // CMSG_SPACE(28) for Go's records, then CMSG_SPACE(4) for
        // IPV6_DONTFRAG and CMSG_SPACE(2) for UDP_SEGMENT
        // = 24 + 24 + 40 + 48 + 24 + 24.
        assert_eq!(MAX_SPACE, 184);
        let mut reached = false;
        for p in Platform::ALL {
            // Every flag's records and the UDP_GRO record fit too.
            let gro = p.cmsg_layout.space(4);
            for bits in 0..64 {
                assert!(ControlFlags::from_bits_retain(bits).space(&p) + gro <= MAX_SPACE);
                let space = ControlFlags::from_bits_retain(bits).space(&p);
                assert!(space <= MAX_SPACE);
                reached |= space == MAX_SPACE;
            }
            let full = ControlMessage {
                traffic_class: Some(255),
                hop_limit: Some(255),
                src: Some(Ipv6Addr::LOCALHOST),
                next_hop: Some(Ipv6Addr::LOCALHOST),
                dont_fragment: Some(true),
                segment_size: Some(1200),
                ..ControlMessage::default()
            };
            assert!(full.marshal_len(&p) <= MAX_SPACE);
            reached |= full.marshal_len(&p) == MAX_SPACE;
        }
        assert!(reached, "MAX_SPACE is larger than needed");
    }

    #[test]
    fn flag_space_counts_one_pktinfo_for_dst_and_interface_and_nothing_for_src() {
        let p = Platform::DARWIN;
        let space = |f: ControlFlags| f.space(&p);
        assert_eq!(space(ControlFlags::empty()), 0);
        assert_eq!(space(ControlFlags::SRC), 0);
        assert_eq!(space(ControlFlags::TRAFFIC_CLASS), 16);
        assert_eq!(space(ControlFlags::DST), 32);
        assert_eq!(space(ControlFlags::DST | ControlFlags::INTERFACE), 32);
        assert_eq!(space(ControlFlags::PATH_MTU), 44);
        assert_eq!(space(ControlFlags::all()), 16 + 16 + 32 + 44);
        assert_eq!(
            space(ControlFlags::from_bits_retain(!0)),
            space(ControlFlags::all())
        );
        // A platform without IPV6_PATHMTU needs no room for it.
        let mut no_pmtu = Platform::DARWIN;
        no_pmtu.cmsg_types[ControlType::PathMtu as usize] = None;
        assert_eq!(ControlFlags::PATH_MTU.space(&no_pmtu), 0);
    }

    #[test]
    fn parse_skips_other_levels_unknown_types_and_short_records() {
        let p = Platform::LINUX_64;
        let tclass = ty(&p, ControlType::TrafficClass);
        let got = parse_records(
            &p,
            &[
                (0, tclass, &[9, 0, 0, 0]),                      // SOL_IP: not IPv6
                (V6, 1234, &[9, 0, 0, 0]),                       // unknown type
                (V6, ty(&p, ControlType::HopLimit), &[9, 0, 0]), // 3 < 4 bytes
                (V6, ty(&p, ControlType::PacketInfo), &[1; 19]), // 19 < 20 bytes
                (V6, ty(&p, ControlType::PathMtu), &[10; 31]),   // 31 < 32 bytes
                (V6, ty(&p, ControlType::NextHop), &[0; 28]),    // send only
                (V6, tclass, &[0x2e, 0, 0, 0, 0xff]),            // longer is fine
            ],
        );
        assert_eq!(
            got,
            Ok(ControlMessage {
                traffic_class: Some(0x2e),
                ..ControlMessage::default()
            })
        );
    }

    #[test]
    fn parse_rejects_what_no_kernel_reports() {
        let p = Platform::FREEBSD_64;
        let hop = ty(&p, ControlType::HopLimit);
        let tclass = ty(&p, ControlType::TrafficClass);
        assert_eq!(
            parse_records(&p, &[(V6, hop, &256u32.to_le_bytes())]),
            Err(WireError::ValueOutOfRange)
        );
        assert_eq!(
            parse_records(&p, &[(V6, tclass, &(-1i32).to_le_bytes())]),
            Err(WireError::ValueOutOfRange)
        );
        let mut mtuinfo = [0u8; 32];
        mtuinfo[..2].copy_from_slice(&[28, 2]); // sin6_len 28, AF_INET
        assert_eq!(
            parse_records(&p, &[(V6, ty(&p, ControlType::PathMtu), &mtuinfo)]),
            Err(WireError::BadFamily(2))
        );
    }

    #[test]
    fn parse_reads_big_endian_integers_when_the_platform_is_big_endian() {
        let p = Platform::LINUX_64.with_endian(Endian::Big);
        let mut pktinfo = [0u8; 20];
        pktinfo[15] = 1;
        pktinfo[16..].copy_from_slice(&7u32.to_be_bytes());
        let got = parse_records(
            &p,
            &[
                (V6, ty(&p, ControlType::HopLimit), &64u32.to_be_bytes()),
                (V6, ty(&p, ControlType::PacketInfo), &pktinfo),
            ],
        );
        assert_eq!(
            got,
            Ok(ControlMessage {
                hop_limit: Some(64),
                dst: Some(Ipv6Addr::LOCALHOST),
                if_index: 7,
                ..ControlMessage::default()
            })
        );
    }

    #[test]
    fn parse_propagates_framing_errors() {
        let p = Platform::LINUX_64;
        let (mut buf, n) = records(&p, &[(V6, ty(&p, ControlType::HopLimit), &[1, 0, 0, 0])]);
        buf[0] = 0xff; // cmsg_len 255
        assert_eq!(
            ControlMessage::parse(&p, &buf[..n]),
            Err(WireError::CmsgLenOverrun {
                offset: 0,
                cmsg_len: 255,
                available: 24
            })
        );
    }

    #[test]
    fn marshal_emits_next_hop_on_linux_unlike_go() {
        let p = Platform::LINUX_64;
        let cm = ControlMessage {
            next_hop: Some(Ipv6Addr::LOCALHOST),
            if_index: 9,
            ..ControlMessage::default()
        };
        let bytes = cm.to_bytes(&p).unwrap();
        let kinds: std::vec::Vec<_> = cmsg::Iter::new(&p, &bytes)
            .map(|r| r.map(|c| (c.kind, c.data.len())))
            .collect();
        // IPV6_PKTINFO 50 (for if_index) then IPV6_NEXTHOP 9 with a sockaddr_in6.
        assert_eq!(kinds, [Ok((50, 20)), Ok((9, 28))]);
        let sa = sockaddr::decode_sockaddr_in6(&p, &bytes[40 + 16..]).unwrap();
        assert_eq!(sa, SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 9));
    }

    #[test]
    fn marshal_emits_zero_values_and_v4_mapped_addresses() {
        let mapped = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201);
        let cm = ControlMessage {
            traffic_class: Some(0),
            hop_limit: Some(0),
            src: Some(mapped),
            next_hop: Some(mapped),
            ..ControlMessage::default()
        };
        for p in Platform::ALL {
            let bytes = cm.to_bytes(&p).unwrap();
            assert_eq!(
                ControlMessage::parse(&p, &bytes),
                Ok(ControlMessage {
                    traffic_class: Some(0),
                    hop_limit: Some(0),
                    dst: Some(mapped),
                    ..ControlMessage::default()
                })
            );
            assert_eq!(cmsg::Iter::new(&p, &bytes).count(), 4);
        }
    }

    #[test]
    fn marshal_ignores_receive_only_fields() {
        let cm = ControlMessage {
            dst: Some(Ipv6Addr::LOCALHOST),
            mtu: 1500,
            ..ControlMessage::default()
        };
        for p in Platform::ALL {
            assert_eq!(cm.marshal_len(&p), 0);
            assert_eq!(cm.marshal(&p, &mut []), Ok(0));
        }
    }

    #[test]
    fn marshal_into_a_short_buffer_writes_nothing() {
        let cm = ControlMessage {
            hop_limit: Some(1),
            src: Some(Ipv6Addr::LOCALHOST),
            ..ControlMessage::default()
        };
        let mut buf = [0xaau8; 63];
        assert_eq!(
            cm.marshal(&Platform::LINUX_64, &mut buf),
            Err(WireError::BufferTooSmall {
                needed: 64,
                available: 63
            })
        );
        assert_eq!(buf, [0xaa; 63]);
    }

    #[test]
    fn to_bytes_reports_platforms_beyond_max_space() {
        let mut huge = Platform::LINUX_64;
        huge.layouts.sockaddr_in6 = 200;
        let cm = ControlMessage {
            next_hop: Some(Ipv6Addr::LOCALHOST),
            ..ControlMessage::default()
        };
        assert_eq!(
            cm.to_bytes(&huge),
            Err(WireError::BufferTooSmall {
                needed: 216,
                available: MAX_SPACE
            })
        );
    }

    /// Expected strings printed by Go's `ControlMessage.String` here.
    #[test]
    fn display_matches_go() {
        let addr = |s: &str| Some(s.parse::<Ipv6Addr>().unwrap());
        let base = ControlMessage {
            hop_limit: Some(255),
            if_index: u32::MAX,
            mtu: 65535,
            ..ControlMessage::default()
        };
        let cases = [
            ("::ffff:192.0.2.1", "192.0.2.1"),
            ("::192.0.2.1", "::c000:201"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("fe80::1:0:0:0", "fe80::1:0:0:0"),
            ("::", "::"),
            ("0:0:1::", "0:0:1::"),
            ("2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329"),
        ];
        for (input, go) in cases {
            let cm = ControlMessage {
                src: addr(input),
                ..base
            };
            assert_eq!(
                cm.to_string(),
                std::format!(
                    "tclass=0x0 hoplim=255 src={go} dst=<nil> ifindex=4294967295 nexthop=<nil> mtu=65535"
                )
            );
        }
        assert_eq!(
            ControlMessage::default().to_string(),
            "tclass=0x0 hoplim=0 src=<nil> dst=<nil> ifindex=0 nexthop=<nil> mtu=0"
        );
        let cm = ControlMessage {
            traffic_class: Some(0x28),
            hop_limit: Some(7),
            src: addr("2001:db8::1"),
            if_index: 3,
            next_hop: addr("fe80::1"),
            ..ControlMessage::default()
        };
        assert_eq!(
            cm.to_string(),
            "tclass=0x28 hoplim=7 src=2001:db8::1 dst=<nil> ifindex=3 nexthop=fe80::1 mtu=0"
        );
    }

    #[test]
    fn alternate_display_prints_only_present_fields() {
        let addr = |s: &str| Some(s.parse::<Ipv6Addr>().unwrap());
        assert_eq!(std::format!("{:#}", ControlMessage::default()), "(none)");
        let received = ControlMessage {
            traffic_class: Some(0),
            hop_limit: Some(7),
            dst: addr("::ffff:192.0.2.1"),
            if_index: 1,
            ..ControlMessage::default()
        };
        assert_eq!(
            std::format!("{received:#}"),
            "tclass=0x0 hoplim=7 dst=192.0.2.1 ifindex=1"
        );
        // Go's form keeps printing absent fields as values.
        assert_eq!(
            received.to_string(),
            "tclass=0x0 hoplim=7 src=<nil> dst=192.0.2.1 ifindex=1 nexthop=<nil> mtu=0"
        );
        let full = ControlMessage {
            src: addr("2001:db8::1"),
            next_hop: addr("fe80::1"),
            mtu: 1280,
            ..received
        };
        assert_eq!(
            std::format!("{full:#}"),
            "tclass=0x0 hoplim=7 src=2001:db8::1 dst=192.0.2.1 ifindex=1 nexthop=fe80::1 mtu=1280"
        );
        assert_eq!(
            std::format!(
                "{:#}",
                ControlMessage {
                    mtu: 9000,
                    ..ControlMessage::default()
                }
            ),
            "mtu=9000"
        );
    }

    #[test]
    fn reply_to_answers_from_the_unicast_destination_on_the_arrival_interface() {
        let addr = |s: &str| Some(s.parse::<Ipv6Addr>().unwrap());
        let received = ControlMessage {
            traffic_class: Some(0x28),
            hop_limit: Some(64),
            dst: addr("fe80::1"),
            if_index: 7,
            mtu: 1500,
            ..ControlMessage::default()
        };
        assert_eq!(
            ControlMessage::reply_to(&received),
            ControlMessage {
                src: addr("fe80::1"),
                if_index: 7,
                ..ControlMessage::default()
            }
        );
        for dst in [addr("ff02::fb"), addr("::"), None] {
            let reply = ControlMessage::reply_to(&ControlMessage { dst, ..received });
            assert_eq!(
                reply,
                ControlMessage {
                    if_index: 7,
                    ..ControlMessage::default()
                },
                "{dst:?}"
            );
        }
        assert_eq!(
            ControlMessage::reply_to(&ControlMessage::default()),
            ControlMessage::default()
        );
    }

    #[cfg(feature = "arbitrary")]
    #[test]
    fn arbitrary_keeps_unknown_flag_bits_and_fills_every_field() {
        use arbitrary::{Arbitrary, Unstructured};
        let data = [0xffu8; 64];
        let mut u = Unstructured::new(&data);
        assert_eq!(ControlFlags::arbitrary(&mut u).unwrap().bits(), u32::MAX);
        let cm = ControlMessage::arbitrary(&mut u).unwrap();
        assert_eq!(cm.traffic_class, Some(0xff));
        assert!(cm.src.is_some() && cm.dst.is_some() && cm.next_hop.is_some());
    }
}
