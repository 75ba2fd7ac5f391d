//! The IPv6 fixed header (RFC 8200 section 3).
//!
//! [`HeaderView`] reads and writes the 40 header bytes in place, in the
//! style of smoltcp's `wire` module; [`Header`] is the same header as an
//! owned value, with Go's `ParseHeader` semantics and `String` format.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Source Address (128 bits)                     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              Destination Address (128 bits)                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;
use core::net::Ipv6Addr;

use crate::error::{WireError, prefix_to_write};
use crate::exthdr::ExtHeaders;
use crate::tclass::{self, Dscp, Ecn};

/// IPv6 version number.
pub const VERSION: u8 = 6;
/// Length of the fixed header.
pub const HEADER_LEN: usize = 40;
/// Largest version number the 4-bit field holds.
pub const MAX_VERSION: u8 = 0xf;
/// Largest flow label the 20-bit field holds.
pub const MAX_FLOW_LABEL: u32 = 0xf_ffff;

mod field {
    use core::ops::Range;

    /// Version (4 bits), traffic class (8) and flow label (20): one big-endian word.
    pub const VERSION_CLASS_LABEL: Range<usize> = 0..4;
    pub const PAYLOAD_LEN: Range<usize> = 4..6;
    pub const NEXT_HEADER: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Range<usize> = 8..24;
    pub const DST_ADDR: Range<usize> = 24..40;

    pub const VERSION_SHIFT: u32 = 28;
    pub const CLASS_SHIFT: u32 = 20;
}

/// A typed, zero-copy view of an IPv6 fixed header at the start of a buffer.
///
/// Build it with [`new_checked`](Self::new_checked), after which no accessor
/// panics. A view from [`new_unchecked`](Self::new_unchecked) over fewer than
/// [`HEADER_LEN`] bytes panics on access, as smoltcp's views do.
///
/// The version nibble is reported as found, never checked: that is the
/// caller's decision, as in Go's `ParseHeader`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> HeaderView<T> {
    /// Wraps `buffer` without checking its length.
    pub const fn new_unchecked(buffer: T) -> Self {
        HeaderView { buffer }
    }

    /// Wraps `buffer`, which must hold at least [`HEADER_LEN`] bytes.
    pub fn new_checked(buffer: T) -> Result<Self, WireError> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Fails with [`WireError::Truncated`] if the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<(), WireError> {
        let available = self.buffer.as_ref().len();
        if available < HEADER_LEN {
            return Err(WireError::Truncated {
                needed: HEADER_LEN,
                available,
            });
        }
        Ok(())
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn version_class_label(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::VERSION_CLASS_LABEL];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    fn addr(&self, range: core::ops::Range<usize>) -> Ipv6Addr {
        let mut octets = [0u8; 16];
        octets.copy_from_slice(&self.buffer.as_ref()[range]);
        Ipv6Addr::from(octets)
    }

    /// The version nibble, as found (6 for a well-formed packet).
    pub fn version(&self) -> u8 {
        (self.version_class_label() >> field::VERSION_SHIFT) as u8
    }

    /// The traffic class (DSCP in the upper 6 bits, ECN in the lower 2).
    pub fn traffic_class(&self) -> u8 {
        (self.version_class_label() >> field::CLASS_SHIFT) as u8
    }

    /// The ECN field of the traffic class.
    pub fn ecn(&self) -> Ecn {
        Ecn::from_traffic_class(self.traffic_class())
    }

    /// The DSCP of the traffic class.
    pub fn dscp(&self) -> Dscp {
        Dscp::from_traffic_class(self.traffic_class())
    }

    /// The 20-bit flow label.
    pub fn flow_label(&self) -> u32 {
        self.version_class_label() & MAX_FLOW_LABEL
    }

    /// Bytes following the fixed header, extension headers included.
    pub fn payload_len(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::PAYLOAD_LEN];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Protocol number of the header that follows.
    pub fn next_header(&self) -> u8 {
        self.buffer.as_ref()[field::NEXT_HEADER]
    }

    /// The hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref()[field::HOP_LIMIT]
    }

    /// The source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        self.addr(field::SRC_ADDR)
    }

    /// The destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        self.addr(field::DST_ADDR)
    }

    /// The bytes after the fixed header: [`payload_len`](Self::payload_len)
    /// of them, or fewer if the buffer ends first. Trailing bytes beyond the
    /// payload length (link-layer padding) are excluded. A jumbogram
    /// (payload length 0, RFC 2675) has an empty payload here.
    pub fn payload(&self) -> &[u8] {
        let buf = self.buffer.as_ref();
        let end = payload_end(self.payload_len(), buf.len());
        &buf[HEADER_LEN..end]
    }

    /// Walks the extension headers at the start of [`payload`](Self::payload).
    ///
    /// A jumbogram's payload is empty here; walk its bytes after the fixed
    /// header with [`ExtHeaders::new`] instead.
    pub fn ext_headers(&self) -> ExtHeaders<'_> {
        ExtHeaders::new(self.next_header(), self.payload())
    }
}

/// End of the payload: the payload length, bounded by the buffer.
#[inline]
fn payload_end(payload_len: u16, buffer_len: usize) -> usize {
    HEADER_LEN
        .saturating_add(usize::from(payload_len))
        .min(buffer_len)
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> HeaderView<T> {
    fn set_version_class_label(&mut self, word: u32) {
        self.buffer.as_mut()[field::VERSION_CLASS_LABEL].copy_from_slice(&word.to_be_bytes());
    }

    /// Sets the version nibble from the low 4 bits of `version`.
    pub fn set_version(&mut self, version: u8) {
        let keep = self.version_class_label() & !(0xf << field::VERSION_SHIFT);
        self.set_version_class_label(
            keep | u32::from(version & MAX_VERSION) << field::VERSION_SHIFT,
        );
    }

    /// Sets the traffic class.
    pub fn set_traffic_class(&mut self, traffic_class: u8) {
        let keep = self.version_class_label() & !(0xff << field::CLASS_SHIFT);
        self.set_version_class_label(keep | u32::from(traffic_class) << field::CLASS_SHIFT);
    }

    /// Sets the traffic class from its two fields.
    pub fn set_dscp_ecn(&mut self, dscp: Dscp, ecn: Ecn) {
        self.set_traffic_class(tclass::traffic_class(dscp, ecn));
    }

    /// Sets the flow label from the low 20 bits of `flow_label`.
    pub fn set_flow_label(&mut self, flow_label: u32) {
        let keep = self.version_class_label() & !MAX_FLOW_LABEL;
        self.set_version_class_label(keep | flow_label & MAX_FLOW_LABEL);
    }

    /// Sets the payload length.
    pub fn set_payload_len(&mut self, payload_len: u16) {
        self.buffer.as_mut()[field::PAYLOAD_LEN].copy_from_slice(&payload_len.to_be_bytes());
    }

    /// Sets the next header protocol number.
    pub fn set_next_header(&mut self, next_header: u8) {
        self.buffer.as_mut()[field::NEXT_HEADER] = next_header;
    }

    /// Sets the hop limit.
    pub fn set_hop_limit(&mut self, hop_limit: u8) {
        self.buffer.as_mut()[field::HOP_LIMIT] = hop_limit;
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, addr: Ipv6Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&addr.octets());
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, addr: Ipv6Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&addr.octets());
    }

    /// The payload, mutably; bounded as [`payload`](Self::payload) is.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = payload_end(self.payload_len(), self.buffer.as_ref().len());
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }
}

/// An IPv6 fixed header as an owned value (Go's `ipv6.Header`).
///
/// Fields are public and unchecked; [`emit`](Self::emit) refuses values that
/// do not fit their wire fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Header {
    /// Protocol version: 6 on a well-formed packet; 4 bits on the wire.
    pub version: u8,
    /// Traffic class (DSCP and ECN).
    pub traffic_class: u8,
    /// Flow label; 20 bits on the wire.
    pub flow_label: u32,
    /// Length of everything after the fixed header.
    pub payload_len: u16,
    /// Protocol number of the header that follows.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
}

impl Header {
    /// The ECN field of the traffic class.
    pub const fn ecn(&self) -> Ecn {
        Ecn::from_traffic_class(self.traffic_class)
    }

    /// The DSCP of the traffic class.
    pub const fn dscp(&self) -> Dscp {
        Dscp::from_traffic_class(self.traffic_class)
    }

    /// Sets the traffic class from its two fields.
    pub const fn set_dscp_ecn(&mut self, dscp: Dscp, ecn: Ecn) {
        self.traffic_class = tclass::traffic_class(dscp, ecn);
    }

    /// Parses the first [`HEADER_LEN`] bytes of `bytes` (Go's `ParseHeader`).
    ///
    /// Shorter input is [`WireError::Truncated`]. As in Go, the version is
    /// reported as found, not checked, and the payload length is not checked
    /// against the input.
    pub fn parse(bytes: &[u8]) -> Result<Header, WireError> {
        match bytes.first_chunk::<HEADER_LEN>() {
            // One length check; the fixed-size array needs no other.
            Some(header) => Ok(Header::from_bytes(header)),
            None => Err(WireError::Truncated {
                needed: HEADER_LEN,
                available: bytes.len(),
            }),
        }
    }

    /// The fields of exactly one header's bytes.
    #[inline]
    fn from_bytes(b: &[u8; HEADER_LEN]) -> Header {
        let word = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let addr = |at: usize| {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&b[at..at + 16]);
            Ipv6Addr::from(octets)
        };
        Header {
            version: (word >> field::VERSION_SHIFT) as u8,
            traffic_class: (word >> field::CLASS_SHIFT) as u8,
            flow_label: word & MAX_FLOW_LABEL,
            payload_len: u16::from_be_bytes([b[4], b[5]]),
            next_header: b[field::NEXT_HEADER],
            hop_limit: b[field::HOP_LIMIT],
            src: addr(field::SRC_ADDR.start),
            dst: addr(field::DST_ADDR.start),
        }
    }

    /// Copies the fields out of `view`.
    ///
    /// # Panics
    ///
    /// If `view` was built unchecked over fewer than [`HEADER_LEN`] bytes.
    pub fn from_view<T: AsRef<[u8]>>(view: &HeaderView<T>) -> Header {
        Header {
            version: view.version(),
            traffic_class: view.traffic_class(),
            flow_label: view.flow_label(),
            payload_len: view.payload_len(),
            next_header: view.next_header(),
            hop_limit: view.hop_limit(),
            src: view.src_addr(),
            dst: view.dst_addr(),
        }
    }

    /// Writes the header to the start of `buf` and returns [`HEADER_LEN`].
    ///
    /// Fails, writing nothing, with [`WireError::ValueOutOfRange`] if the
    /// version exceeds [`MAX_VERSION`] or the flow label exceeds
    /// [`MAX_FLOW_LABEL`], and with [`WireError::BufferTooSmall`] if `buf` is
    /// shorter than the header.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        if self.version > MAX_VERSION || self.flow_label > MAX_FLOW_LABEL {
            return Err(WireError::ValueOutOfRange);
        }
        let out = prefix_to_write(buf, HEADER_LEN)?;
        self.write(&mut HeaderView::new_unchecked(out));
        Ok(HEADER_LEN)
    }

    /// The header's wire bytes.
    ///
    /// Infallible, so out-of-range values are truncated to their fields as
    /// the [`HeaderView`] setters do: only the low 4 bits of the version and
    /// the low 20 bits of the flow label are kept. Use [`emit`](Self::emit)
    /// to have them refused instead.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        self.write(&mut HeaderView::new_unchecked(&mut bytes[..]));
        bytes
    }

    fn write(&self, view: &mut HeaderView<&mut [u8]>) {
        view.set_version(self.version);
        view.set_traffic_class(self.traffic_class);
        view.set_flow_label(self.flow_label);
        view.set_payload_len(self.payload_len);
        view.set_next_header(self.next_header);
        view.set_hop_limit(self.hop_limit);
        view.set_src_addr(self.src);
        view.set_dst_addr(self.dst);
    }
}

/// Go's `Header.String` format, byte for byte:
///
/// `ver=6 tclass=0x98 flowlbl=0xbeef1 payloadlen=51966 nxthdr=44 hoplim=1 src=2001:db8:1::1 dst=2001:db8:2::1`
///
/// Addresses print as Go's `net.IP` does, which differs from Rust's
/// `Ipv6Addr` in one case that this mirrors: an IPv4-mapped address
/// (`::ffff:a.b.c.d`) prints as bare dotted IPv4, `a.b.c.d`. Both
/// otherwise follow RFC 5952, so every other address prints identically.
impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ver={} tclass={:#x} flowlbl={:#x} payloadlen={} nxthdr={} hoplim={} src={} dst={}",
            self.version,
            self.traffic_class,
            self.flow_label,
            self.payload_len,
            self.next_header,
            self.hop_limit,
            GoIp(self.src),
            GoIp(self.dst),
        )
    }
}

/// An address formatted as Go's `net.IP.String` formats a 16-byte IP.
struct GoIp(Ipv6Addr);

impl fmt::Display for GoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.to_ipv4_mapped() {
            Some(v4) => v4.fmt(f),
            None => self.0.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::string::ToString;
    use std::vec::Vec;

    /// Go's `wireHeaderFromKernel` (header_test.go).
    const GO_WIRE_HEADER: [u8; HEADER_LEN] = [
        0x69, 0x8b, 0xee, 0xf1, //
        0xca, 0xfe, 0x2c, 0x01, //
        0x20, 0x01, 0x0d, 0xb8, //
        0x00, 0x01, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x01, //
        0x20, 0x01, 0x0d, 0xb8, //
        0x00, 0x02, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x01, //
    ];

    /// Go's `testHeader`: iana.DiffServAF43 = 0x98, iana.ProtocolIPv6Frag = 44.
    const GO_HEADER: Header = Header {
        version: 6,
        traffic_class: 0x98,
        flow_label: 0xbeef1,
        payload_len: 0xcafe,
        next_header: 44,
        hop_limit: 1,
        src: Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1),
        dst: Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1),
    };

    #[test]
    fn go_parse_header_vector() {
        let h = Header::parse(&GO_WIRE_HEADER).unwrap();
        assert_eq!(h.version, VERSION);
        assert_eq!(h.traffic_class, 0x98);
        assert_eq!(h.flow_label, 0xbeef1);
        assert_eq!(h.payload_len, 0xcafe);
        assert_eq!(h.next_header, 44);
        assert_eq!(h.hop_limit, 1);
        assert_eq!(h.src, "2001:db8:1::1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(h.dst, "2001:db8:2::1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(h, GO_HEADER);
        assert_eq!(
            h.to_string(),
            "ver=6 tclass=0x98 flowlbl=0xbeef1 payloadlen=51966 nxthdr=44 hoplim=1 \
             src=2001:db8:1::1 dst=2001:db8:2::1"
        );
    }

    #[test]
    fn go_header_emits_go_wire_bytes() {
        assert_eq!(GO_HEADER.to_bytes(), GO_WIRE_HEADER);
        let mut buf = [0xaau8; 48];
        assert_eq!(GO_HEADER.emit(&mut buf), Ok(HEADER_LEN));
        assert_eq!(buf[..HEADER_LEN], GO_WIRE_HEADER);
        assert_eq!(buf[HEADER_LEN..], [0xaa; 8], "emit wrote past the header");
    }

    /// Strings printed by Go 1.19's `ipv6.ParseHeader(b).String()` for the
    /// same bytes: zero fields print `0x0`; IPv4-mapped addresses print as
    /// dotted IPv4 but IPv4-compatible ones do not.
    #[test]
    fn display_matches_go_strings() {
        assert_eq!(
            Header::parse(&[0; HEADER_LEN]).unwrap().to_string(),
            "ver=0 tclass=0x0 flowlbl=0x0 payloadlen=0 nxthdr=0 hoplim=0 src=:: dst=::"
        );
        let mut b = [0xffu8; HEADER_LEN];
        b[8..24].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
        b[24..40].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
        assert_eq!(
            Header::parse(&b).unwrap().to_string(),
            "ver=15 tclass=0xff flowlbl=0xfffff payloadlen=65535 nxthdr=255 hoplim=255 \
             src=1.2.3.4 dst=::102:304"
        );
        b[8..24].copy_from_slice(&[0x20, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
        b[24..40].copy_from_slice(&[
            0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
        ]);
        assert_eq!(
            Header::parse(&b).unwrap().to_string(),
            "ver=15 tclass=0xff flowlbl=0xfffff payloadlen=65535 nxthdr=255 hoplim=255 \
             src=2001::1:0:0:1 dst=fe80::ffff:ffff"
        );
    }

    #[test]
    fn version_is_reported_not_checked() {
        let mut b = GO_WIRE_HEADER;
        b[0] = 0x49; // version 4, traffic class high nibble 9
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.version, 4);
        assert_eq!(h.traffic_class, 0x98);
    }

    #[test]
    fn traffic_class_splits_into_dscp_and_ecn() {
        // 0x98: DSCP 38 (AF43), ECN 00.
        let mut bytes = [0u8; HEADER_LEN];
        let mut view = HeaderView::new_unchecked(&mut bytes[..]);
        view.set_traffic_class(0x98);
        assert_eq!(
            (view.dscp(), view.ecn()),
            (Dscp::new(38).unwrap(), Ecn::NotEct)
        );
        view.set_dscp_ecn(Dscp::EF, Ecn::Ce);
        assert_eq!(view.traffic_class(), 0xbb);
        // Version and flow label are untouched: 0x6bb00000 with no label.
        assert_eq!(&bytes[..2], &[0x0b, 0xb0]);
        let mut h = Header::parse(&[
            0x6b, 0xa0, 0, 0, 0, 0, 17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        .unwrap();
        assert_eq!((h.dscp(), h.ecn()), (Dscp::EF, Ecn::Ect0));
        h.set_dscp_ecn(Dscp::DEFAULT, Ecn::Ect1);
        assert_eq!(h.traffic_class, 1);
    }

    #[test]
    fn short_input_is_truncated() {
        for len in [0, 1, 39] {
            let want = WireError::Truncated {
                needed: HEADER_LEN,
                available: len,
            };
            assert_eq!(Header::parse(&GO_WIRE_HEADER[..len]), Err(want));
            assert_eq!(
                HeaderView::new_checked(&GO_WIRE_HEADER[..len]).map(|_| ()),
                Err(want)
            );
        }
    }

    #[test]
    fn emit_refuses_small_buffers_and_wide_values() {
        let mut buf = [0u8; 39];
        assert_eq!(
            GO_HEADER.emit(&mut buf),
            Err(WireError::BufferTooSmall {
                needed: HEADER_LEN,
                available: 39
            })
        );
        let mut buf = [0u8; HEADER_LEN];
        let wide_label = Header {
            flow_label: MAX_FLOW_LABEL + 1,
            ..GO_HEADER
        };
        let wide_version = Header {
            version: MAX_VERSION + 1,
            ..GO_HEADER
        };
        for h in [wide_label, wide_version] {
            assert_eq!(h.emit(&mut buf), Err(WireError::ValueOutOfRange));
            assert_eq!(buf, [0; HEADER_LEN], "a refused emit wrote bytes");
        }
        // to_bytes keeps only what fits: flow label 0x100000 becomes 0, version 16 becomes 0.
        assert_eq!(Header::parse(&wide_label.to_bytes()).unwrap().flow_label, 0);
        assert_eq!(Header::parse(&wide_version.to_bytes()).unwrap().version, 0);
    }

    #[test]
    fn payload_is_bounded_by_length_and_buffer() {
        let mut packet = [0u8; 60];
        packet[..HEADER_LEN].copy_from_slice(&GO_WIRE_HEADER);
        for (i, b) in packet[HEADER_LEN..].iter_mut().enumerate() {
            *b = i as u8;
        }
        let mut view = HeaderView::new_checked(&mut packet[..]).unwrap();
        assert_eq!(view.payload().len(), 20, "0xcafe bytes claimed, 20 present");
        view.set_payload_len(8);
        assert_eq!(view.payload(), &[0, 1, 2, 3, 4, 5, 6, 7]);
        view.payload_mut()[0] = 0xee;
        view.set_payload_len(0);
        assert!(view.payload().is_empty());
        assert_eq!(packet[HEADER_LEN], 0xee);
        let bare = HeaderView::new_checked(&GO_WIRE_HEADER[..]).unwrap();
        assert!(bare.payload().is_empty());
    }

    #[test]
    fn ext_headers_walk_the_bounded_payload() {
        use crate::exthdr::{ChainEnd, ExtHeaderKind};
        let mut packet = [0u8; HEADER_LEN + 16 + 4];
        let header = Header {
            payload_len: 16,
            next_header: 60,
            ..GO_HEADER
        };
        header.emit(&mut packet).unwrap();
        // Destination Options, 16 bytes, then UDP; 4 bytes of link padding follow.
        packet[HEADER_LEN..HEADER_LEN + 2].copy_from_slice(&[17, 1]);
        let view = HeaderView::new_checked(&packet[..]).unwrap();
        let mut walk = view.ext_headers();
        assert_eq!(
            walk.next().unwrap().unwrap().kind(),
            ExtHeaderKind::DestinationOptions
        );
        assert_eq!(
            walk.finish(),
            Ok(ChainEnd::UpperLayer {
                protocol: 17,
                offset: 16
            })
        );
    }

    fn valid_header() -> impl Strategy<Value = Header> {
        (
            0..=MAX_VERSION,
            any::<u8>(),
            0..=MAX_FLOW_LABEL,
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<u128>(),
            any::<u128>(),
        )
            .prop_map(|(version, tc, fl, pl, nh, hl, src, dst)| Header {
                version,
                traffic_class: tc,
                flow_label: fl,
                payload_len: pl,
                next_header: nh,
                hop_limit: hl,
                src: Ipv6Addr::from(src),
                dst: Ipv6Addr::from(dst),
            })
    }

    proptest! {
        #[test]
        fn emit_parse_round_trip(h in valid_header()) {
            let mut buf = [0u8; HEADER_LEN];
            prop_assert_eq!(h.emit(&mut buf), Ok(HEADER_LEN));
            prop_assert_eq!(buf, h.to_bytes());
            prop_assert_eq!(Header::parse(&buf), Ok(h));
        }

        #[test]
        fn parse_agrees_with_view_and_is_lossless(bytes in proptest::collection::vec(any::<u8>(), 0..72)) {
            let parsed = Header::parse(&bytes);
            match HeaderView::new_checked(&bytes[..]) {
                Err(e) => {
                    prop_assert_eq!(e, WireError::Truncated { needed: HEADER_LEN, available: bytes.len() });
                    prop_assert_eq!(parsed, Err(e));
                }
                Ok(view) => {
                    let h = parsed.unwrap();
                    prop_assert_eq!(h.version, view.version());
                    prop_assert_eq!(h.traffic_class, view.traffic_class());
                    prop_assert_eq!(h.flow_label, view.flow_label());
                    prop_assert_eq!(h.payload_len, view.payload_len());
                    prop_assert_eq!(h.next_header, view.next_header());
                    prop_assert_eq!(h.hop_limit, view.hop_limit());
                    prop_assert_eq!(h.src, view.src_addr());
                    prop_assert_eq!(h.dst, view.dst_addr());
                    prop_assert_eq!(&h.to_bytes()[..], &bytes[..HEADER_LEN]);
                    let end = bytes.len().min(HEADER_LEN + usize::from(h.payload_len));
                    prop_assert_eq!(view.payload(), &bytes[HEADER_LEN..end]);
                }
            }
        }

        /// Each setter changes exactly its own bits, whatever surrounds them.
        #[test]
        fn setters_touch_only_their_field(
            mut bytes in any::<[u8; HEADER_LEN]>(),
            field in 0u8..8,
            value in any::<u128>(),
        ) {
            let before = Header::parse(&bytes).unwrap();
            let mut want = before;
            let mut view = HeaderView::new_unchecked(&mut bytes[..]);
            match field {
                0 => { view.set_version(value as u8); want.version = value as u8 & 0xf; }
                1 => { view.set_traffic_class(value as u8); want.traffic_class = value as u8; }
                2 => { view.set_flow_label(value as u32); want.flow_label = value as u32 & MAX_FLOW_LABEL; }
                3 => { view.set_payload_len(value as u16); want.payload_len = value as u16; }
                4 => { view.set_next_header(value as u8); want.next_header = value as u8; }
                5 => { view.set_hop_limit(value as u8); want.hop_limit = value as u8; }
                6 => { view.set_src_addr(value.into()); want.src = value.into(); }
                _ => { view.set_dst_addr(value.into()); want.dst = value.into(); }
            }
            prop_assert_eq!(Header::from_view(&view), want);
        }

        #[test]
        fn display_fields_are_the_values(h in valid_header()) {
            let s = h.to_string();
            let fields: Vec<&str> = s.split(' ').collect();
            prop_assert_eq!(fields.len(), 8);
            prop_assert_eq!(fields[0], std::format!("ver={}", h.version));
            let hex = |f: &str, prefix: &str| u32::from_str_radix(f.strip_prefix(prefix).unwrap(), 16).unwrap();
            prop_assert_eq!(hex(fields[1], "tclass=0x"), u32::from(h.traffic_class));
            prop_assert_eq!(hex(fields[2], "flowlbl=0x"), h.flow_label);
            let addr = |f: &str, prefix: &str| -> Ipv6Addr {
                let text = f.strip_prefix(prefix).unwrap();
                text.parse().unwrap_or_else(|_| text.parse::<core::net::Ipv4Addr>().unwrap().to_ipv6_mapped())
            };
            prop_assert_eq!(addr(fields[6], "src="), h.src);
            prop_assert_eq!(addr(fields[7], "dst="), h.dst);
        }
    }
}
