//! Walking the IPv6 extension-header chain (RFC 8200 section 4).
//!
//! [`ExtHeaders`] iterates over the extension headers at the start of a
//! packet's payload, without allocating, and then reports where the chain
//! ends ([`ChainEnd`]): the upper-layer protocol number and its offset.
//! Framing is strict: a header whose length runs past the buffer is an
//! error, never a panic or an over-read.
//!
//! ```
//! use ipv6_core::exthdr::{ChainEnd, ExtHeaderKind, ExtHeaders};
//!
//! // Destination Options (8 bytes, padding only), then UDP.
//! let payload = [17, 0, 1, 4, 0, 0, 0, 0, /* UDP header */ 0, 53, 0, 53];
//! let mut walk = ExtHeaders::new(60, &payload);
//! let dst_opts = walk.next().unwrap().unwrap();
//! assert_eq!(dst_opts.kind(), ExtHeaderKind::DestinationOptions);
//! assert_eq!(walk.finish(), Ok(ChainEnd::UpperLayer { protocol: 17, offset: 8 }));
//! ```

use core::iter::FusedIterator;

use crate::error::WireError;

/// Protocol number of the Encapsulating Security Payload (RFC 4303). What
/// follows its first 8 bytes is encrypted, so a walk ends there.
pub const ESP: u8 = 50;
/// Protocol number meaning nothing follows (RFC 8200 section 4.7).
pub const NO_NEXT_HEADER: u8 = 59;
/// The smallest extension header: every kind is at least 8 bytes long.
pub const MIN_EXT_HEADER_LEN: usize = 8;
/// Length of the Fragment header.
pub const FRAGMENT_HEADER_LEN: usize = 8;

/// An extension header type that the walk steps over, by protocol number.
///
/// Every kind starts with a Next Header byte; all but Fragment follow it with
/// a length byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
#[repr(u8)]
pub enum ExtHeaderKind {
    /// Hop-by-Hop Options (RFC 8200 section 4.3); only valid first.
    HopByHop = 0,
    /// Routing (RFC 8200 section 4.4).
    Routing = 43,
    /// Fragment (RFC 8200 section 4.5); fixed 8 bytes.
    Fragment = 44,
    /// Authentication Header (RFC 4302); length in 4-octet units.
    Authentication = 51,
    /// Destination Options (RFC 8200 section 4.6).
    DestinationOptions = 60,
    /// Mobility (RFC 6275).
    Mobility = 135,
    /// Host Identity Protocol (RFC 7401).
    Hip = 139,
    /// Shim6 (RFC 5533).
    Shim6 = 140,
}

impl ExtHeaderKind {
    /// Every kind, in protocol-number order.
    pub const ALL: [ExtHeaderKind; 8] = [
        ExtHeaderKind::HopByHop,
        ExtHeaderKind::Routing,
        ExtHeaderKind::Fragment,
        ExtHeaderKind::Authentication,
        ExtHeaderKind::DestinationOptions,
        ExtHeaderKind::Mobility,
        ExtHeaderKind::Hip,
        ExtHeaderKind::Shim6,
    ];

    /// The kind whose protocol number is `protocol`, if the walk steps over it.
    /// ESP and No Next Header are not among them: they end the walk.
    pub const fn from_protocol(protocol: u8) -> Option<ExtHeaderKind> {
        Some(match protocol {
            0 => ExtHeaderKind::HopByHop,
            43 => ExtHeaderKind::Routing,
            44 => ExtHeaderKind::Fragment,
            51 => ExtHeaderKind::Authentication,
            60 => ExtHeaderKind::DestinationOptions,
            135 => ExtHeaderKind::Mobility,
            139 => ExtHeaderKind::Hip,
            140 => ExtHeaderKind::Shim6,
            _ => return None,
        })
    }

    /// The protocol number that names this kind in a Next Header field.
    pub const fn protocol(self) -> u8 {
        self as u8
    }

    /// Total length in bytes of a header of this kind whose second byte is
    /// `len_field`: fixed for Fragment, `(len_field + 2) * 4` for
    /// Authentication, and `(len_field + 1) * 8` for every other kind.
    pub const fn header_len(self, len_field: u8) -> usize {
        let n = len_field as usize;
        match self {
            ExtHeaderKind::Fragment => FRAGMENT_HEADER_LEN,
            ExtHeaderKind::Authentication => (n + 2) * 4,
            _ => (n + 1) * 8,
        }
    }
}

/// How a step frames the header of each protocol number, in one load.
/// Most kinds need only the bytes their length byte counts per unit beyond
/// the first 8: 8, or 4 for Authentication (`(n + 2) * 4 = 8 + 4n`). The
/// others are marked, every mark at least [`MARKED`], so that the common
/// step tells all of them from its own case with one comparison:
/// Hop-by-Hop (whose place is checked), Fragment (fixed length, and a
/// fragment offset that may end the walk) and the protocol numbers the
/// walk stops at.
const LEN_UNIT: [u8; 256] = {
    let mut table = [NOT_WALKED; 256];
    let mut protocol = 0;
    while protocol < table.len() {
        if let Some(kind) = ExtHeaderKind::from_protocol(protocol as u8) {
            table[protocol] = match kind {
                ExtHeaderKind::HopByHop => HOP_BY_HOP_MARK,
                ExtHeaderKind::Fragment => FRAGMENT_MARK,
                ExtHeaderKind::Authentication => 4,
                _ => 8,
            };
        }
        protocol += 1;
    }
    table
};

/// The smallest [`LEN_UNIT`] mark.
const MARKED: u8 = HOP_BY_HOP_MARK;
const HOP_BY_HOP_MARK: u8 = 0xfd;
const FRAGMENT_MARK: u8 = 0xfe;
const NOT_WALKED: u8 = 0xff;

/// The kind of each protocol number that [`LEN_UNIT`] gives a unit. The
/// other entries are never read; Hop-by-Hop and Fragment are nowhere in the
/// table, which lets the compiler fold a comparison of a kind read here
/// with either to false (`ExtHeader::fragment` then costs nothing on the
/// common step).
const UNMARKED_KIND: [ExtHeaderKind; 256] = {
    let mut table = [ExtHeaderKind::Routing; 256];
    let mut protocol = 0;
    while protocol < table.len() {
        if let Some(kind) = ExtHeaderKind::from_protocol(protocol as u8) {
            if LEN_UNIT[protocol] < MARKED {
                table[protocol] = kind;
            }
        }
        protocol += 1;
    }
    table
};

/// One extension header found by the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtHeader<'a> {
    kind: ExtHeaderKind,
    offset: usize,
    bytes: &'a [u8],
}

impl<'a> ExtHeader<'a> {
    /// What kind of header this is.
    pub const fn kind(&self) -> ExtHeaderKind {
        self.kind
    }

    /// Where the header starts, from the start of the walked bytes.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The whole header, Next Header byte included; at least
    /// [`MIN_EXT_HEADER_LEN`] bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Protocol number of the header that follows this one.
    pub const fn next_header(&self) -> u8 {
        // The walk only yields headers of at least MIN_EXT_HEADER_LEN bytes.
        self.bytes[0]
    }

    /// The header as a Fragment header, if it is one.
    pub fn fragment(&self) -> Option<FragmentView<&'a [u8]>> {
        match self.kind {
            ExtHeaderKind::Fragment => Some(FragmentView::new_unchecked(self.bytes)),
            _ => None,
        }
    }
}

/// Where an extension-header chain ends. Offsets count from the start of the
/// walked bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainEnd {
    /// The header of `protocol` starts at `offset`: an upper-layer protocol
    /// (TCP, UDP, ICMPv6, ...), any protocol number that is not an extension
    /// header, or one the walk cannot go past: [`ESP`] (encrypted beyond its
    /// first 8 bytes) and [`NO_NEXT_HEADER`] (whatever follows is ignored).
    /// `offset` may equal the buffer length: the header is then absent.
    UpperLayer {
        /// The protocol number.
        protocol: u8,
        /// Where its header starts.
        offset: usize,
    },
    /// The packet is a non-first fragment: the bytes from `offset` continue
    /// the original packet's fragmentable part (whose first header was
    /// `next_header`) partway through, so they cannot be walked.
    FragmentData {
        /// The Fragment header's Next Header field.
        next_header: u8,
        /// Where the fragment data starts.
        offset: usize,
    },
}

impl ChainEnd {
    /// Where the part after the last extension header starts.
    pub const fn offset(&self) -> usize {
        match *self {
            ChainEnd::UpperLayer { offset, .. } | ChainEnd::FragmentData { offset, .. } => offset,
        }
    }
}

/// An allocation-free iterator over the extension headers at the start of
/// `bytes`, which are the payload of an IPv6 packet (the bytes right after
/// the fixed header).
///
/// Yields each header in order, or one error, and then stops. After a
/// successful walk, [`end`](Self::end) says where the chain ends;
/// [`finish`](Self::finish) walks to the end and returns that.
///
/// Errors:
/// - [`WireError::ExtHeaderOverrun`] if a header is longer than the bytes left;
/// - [`WireError::MisplacedHopByHop`] if Hop-by-Hop Options appears anywhere
///   but first (RFC 8200 section 4.1 requires it to follow the fixed header).
///
/// A non-first fragment ends the walk at its Fragment header
/// ([`ChainEnd::FragmentData`]); a first fragment is walked through.
#[derive(Debug, Clone)]
pub struct ExtHeaders<'a> {
    /// The bytes not walked yet, which start with the header of
    /// `next_header`; after a failure, the header that failed.
    rest: &'a [u8],
    /// Length of the walked bytes: `rest` starts at `len - rest.len()`.
    len: usize,
    next_header: u8,
    state: WalkState,
}

/// How far a walk is. The end and the error are not stored: the fields
/// left as the walk stopped say where and why, so a step carries no more
/// than the bytes left and the next protocol number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WalkState {
    Walking,
    /// At `next_header`, which is not a header the walk steps over.
    UpperLayer,
    /// Past the Fragment header of a non-first fragment.
    FragmentData,
    /// At a header that is misplaced or runs past the end.
    Failed,
}

impl<'a> ExtHeaders<'a> {
    /// Walks `bytes`, whose first header has protocol number `next_header`
    /// (the fixed header's Next Header field).
    pub const fn new(next_header: u8, bytes: &'a [u8]) -> Self {
        ExtHeaders {
            rest: bytes,
            len: bytes.len(),
            next_header,
            state: WalkState::Walking,
        }
    }

    /// Where the chain ends, once the iterator has returned `None` after a
    /// successful walk; `None` before that or after an error.
    pub const fn end(&self) -> Option<ChainEnd> {
        match self.state {
            WalkState::UpperLayer => Some(ChainEnd::UpperLayer {
                protocol: self.next_header,
                offset: self.offset(),
            }),
            WalkState::FragmentData => Some(ChainEnd::FragmentData {
                next_header: self.next_header,
                offset: self.offset(),
            }),
            WalkState::Walking | WalkState::Failed => None,
        }
    }

    /// Walks the rest of the chain and says where it ends, or why it is
    /// malformed (also if the error was already yielded).
    pub fn finish(mut self) -> Result<ChainEnd, WireError> {
        while self.state == WalkState::Walking {
            self.next();
        }
        self.end().ok_or_else(|| self.error())
    }

    /// Where the bytes not walked yet start.
    const fn offset(&self) -> usize {
        self.len - self.rest.len()
    }

    /// Why the header at the start of `rest` cannot be stepped over.
    fn error(&self) -> WireError {
        walk_error(self.next_header, self.rest, self.offset())
    }
}

/// Why the header of `protocol` at the start of `rest`, `offset` bytes
/// into the walk, cannot be stepped over. Out of line and by value, so the
/// steps keep their state in registers.
#[cold]
#[inline(never)]
fn walk_error(protocol: u8, rest: &[u8], offset: usize) -> WireError {
    if protocol == ExtHeaderKind::HopByHop.protocol() && offset != 0 {
        return WireError::MisplacedHopByHop { offset };
    }
    let needed = match (ExtHeaderKind::from_protocol(protocol), rest.get(1)) {
        (Some(kind), Some(&len_field)) => kind.header_len(len_field),
        _ => MIN_EXT_HEADER_LEN,
    };
    WireError::ExtHeaderOverrun {
        offset,
        needed,
        available: rest.len(),
    }
}

impl<'a> Iterator for ExtHeaders<'a> {
    type Item = Result<ExtHeader<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.state != WalkState::Walking {
            return None;
        }
        // The fields are copied out here and written back at the end; a
        // failure reports from the copies, not from `self`, so that inlined
        // into a caller's loop the walk stays in registers.
        let rest = self.rest;
        let protocol = self.next_header;
        let offset = self.offset();
        let mut unit = LEN_UNIT[usize::from(protocol)];
        let mut kind = UNMARKED_KIND[usize::from(protocol)];
        let mut misplaced = false;
        if unit >= MARKED {
            match unit {
                HOP_BY_HOP_MARK => {
                    misplaced = offset != 0;
                    kind = ExtHeaderKind::HopByHop;
                    unit = 8;
                }
                FRAGMENT_MARK => {
                    kind = ExtHeaderKind::Fragment;
                    unit = 0;
                }
                _ => {
                    self.state = WalkState::UpperLayer;
                    return None;
                }
            }
        }
        // Every kind is at least MIN_EXT_HEADER_LEN bytes: once those are
        // there, the fields read below need no further bounds checks.
        let start = match rest.first_chunk::<MIN_EXT_HEADER_LEN>() {
            Some(start) if !misplaced => start,
            _ => {
                self.state = WalkState::Failed;
                return Some(Err(walk_error(protocol, rest, offset)));
            }
        };
        let next_header = start[0];
        // A non-first fragment's data follows: the walk ends there.
        let fragment_data =
            kind == ExtHeaderKind::Fragment && !FragmentView::new_unchecked(start).is_first();
        let needed = MIN_EXT_HEADER_LEN + usize::from(start[1]) * usize::from(unit);
        if needed > rest.len() {
            self.state = WalkState::Failed;
            return Some(Err(walk_error(protocol, rest, offset)));
        }
        let (bytes, after) = rest.split_at(needed);
        self.rest = after;
        self.next_header = next_header;
        if fragment_data {
            self.state = WalkState::FragmentData;
        }
        Some(Ok(ExtHeader {
            kind,
            offset,
            bytes,
        }))
    }
}

impl FusedIterator for ExtHeaders<'_> {}

/// A typed, zero-copy view of a Fragment header (RFC 8200 section 4.5).
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Identification                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Accessors panic only on a view built unchecked over fewer than
/// [`FRAGMENT_HEADER_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragmentView<T: AsRef<[u8]>> {
    buffer: T,
}

/// Largest fragment offset the 13-bit field holds, in 8-octet units.
pub const MAX_FRAGMENT_OFFSET: u16 = 0x1fff;
const MORE_FRAGMENTS: u16 = 1;
const OFFSET_SHIFT: u32 = 3;

impl<T: AsRef<[u8]>> FragmentView<T> {
    /// Wraps `buffer` without checking its length.
    pub const fn new_unchecked(buffer: T) -> Self {
        FragmentView { buffer }
    }

    /// Wraps `buffer`, which must hold at least [`FRAGMENT_HEADER_LEN`] bytes.
    pub fn new_checked(buffer: T) -> Result<Self, WireError> {
        let view = Self::new_unchecked(buffer);
        view.check_len()?;
        Ok(view)
    }

    /// Fails with [`WireError::Truncated`] if the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<(), WireError> {
        let available = self.buffer.as_ref().len();
        if available < FRAGMENT_HEADER_LEN {
            return Err(WireError::Truncated {
                needed: FRAGMENT_HEADER_LEN,
                available,
            });
        }
        Ok(())
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn offset_and_flags(&self) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([b[2], b[3]])
    }

    /// Protocol number of the first header of the fragmentable part.
    pub fn next_header(&self) -> u8 {
        self.buffer.as_ref()[0]
    }

    /// Offset of this fragment's data in the original packet's fragmentable
    /// part, in 8-octet units (13 bits).
    pub fn fragment_offset(&self) -> u16 {
        self.offset_and_flags() >> OFFSET_SHIFT
    }

    /// [`fragment_offset`](Self::fragment_offset) in bytes.
    pub fn byte_offset(&self) -> usize {
        usize::from(self.fragment_offset()) * 8
    }

    /// The M flag: more fragments follow this one.
    pub fn more_fragments(&self) -> bool {
        self.offset_and_flags() & MORE_FRAGMENTS != 0
    }

    /// The identification shared by every fragment of one packet.
    pub fn identification(&self) -> u32 {
        let b = self.buffer.as_ref();
        u32::from_be_bytes([b[4], b[5], b[6], b[7]])
    }

    /// Whether this is the first fragment (offset 0), whose data starts with
    /// the original packet's fragmentable headers.
    pub fn is_first(&self) -> bool {
        self.fragment_offset() == 0
    }

    /// Whether this is an atomic fragment (RFC 6946): offset 0 and no more
    /// fragments, so the packet is whole.
    pub fn is_atomic(&self) -> bool {
        self.is_first() && !self.more_fragments()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> FragmentView<T> {
    fn set_offset_and_flags(&mut self, value: u16) {
        self.buffer.as_mut()[2..4].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the Next Header field.
    pub fn set_next_header(&mut self, next_header: u8) {
        self.buffer.as_mut()[0] = next_header;
    }

    /// Sets the fragment offset (8-octet units) from the low 13 bits of
    /// `units`, keeping the reserved bits and the M flag.
    pub fn set_fragment_offset(&mut self, units: u16) {
        let flags = self.offset_and_flags() & !(MAX_FRAGMENT_OFFSET << OFFSET_SHIFT);
        self.set_offset_and_flags(flags | (units & MAX_FRAGMENT_OFFSET) << OFFSET_SHIFT);
    }

    /// Sets the M flag.
    pub fn set_more_fragments(&mut self, more: bool) {
        let rest = self.offset_and_flags() & !MORE_FRAGMENTS;
        self.set_offset_and_flags(rest | if more { MORE_FRAGMENTS } else { 0 });
    }

    /// Sets the identification.
    pub fn set_identification(&mut self, identification: u32) {
        self.buffer.as_mut()[4..8].copy_from_slice(&identification.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    const TCP: u8 = 6;
    const UDP: u8 = 17;
    const ICMPV6: u8 = 58;

    /// What a walk found: (kind, offset, length) of each header, then the end or the error.
    type Walk = (
        Vec<(ExtHeaderKind, usize, usize)>,
        Result<ChainEnd, WireError>,
    );

    fn walk(next_header: u8, bytes: &[u8]) -> Walk {
        let mut headers = Vec::new();
        let mut it = ExtHeaders::new(next_header, bytes);
        for h in it.by_ref() {
            match h {
                Ok(h) => headers.push((h.kind(), h.offset(), h.bytes().len())),
                Err(e) => {
                    assert_eq!(it.next(), None, "the walk continued after an error");
                    assert_eq!(it.clone().finish(), Err(e));
                    return (headers, Err(e));
                }
            }
        }
        (
            headers,
            Ok(it.end().expect("a walk that stopped cleanly has an end")),
        )
    }

    #[test]
    fn no_extension_headers() {
        assert_eq!(
            walk(TCP, &[1, 2, 3]),
            (
                Vec::new(),
                Ok(ChainEnd::UpperLayer {
                    protocol: TCP,
                    offset: 0
                })
            )
        );
        assert_eq!(
            walk(UDP, &[]),
            (
                Vec::new(),
                Ok(ChainEnd::UpperLayer {
                    protocol: UDP,
                    offset: 0
                })
            )
        );
    }

    /// Every kind, with each length encoding, then UDP.
    #[test]
    fn golden_chain_of_every_kind() {
        #[rustfmt::skip]
        let payload: &[u8] = &[
            // 0: Hop-by-Hop, len 0 => 8 bytes: PadN(4)
            43, 0, 1, 4, 0, 0, 0, 0,
            // 8: Routing, len 1 => 16 bytes: type 4 (SRH), segments left 0, ...
            44, 1, 4, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            // 24: Fragment (first, M set), id 0xdeadbeef; second byte reserved, not a length
            51, 0xff, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
            // 32: Authentication, len 4 => (4 + 2) * 4 = 24 bytes
            60, 4, 0, 0, 0, 0, 0, 1,
            0, 0, 0, 1, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            // 56: Destination Options, len 0
            135, 0, 1, 4, 0, 0, 0, 0,
            // 64: Mobility, len 0
            139, 0, 0, 0, 0, 0, 0, 0,
            // 72: HIP, len 2 => 24 bytes
            140, 2, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            // 96: Shim6, len 0
            UDP, 0, 0, 0, 0, 0, 0, 0,
            // 104: UDP header
            0x12, 0x34, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
        ];
        let (headers, end) = walk(0, payload);
        assert_eq!(
            headers,
            [
                (ExtHeaderKind::HopByHop, 0, 8),
                (ExtHeaderKind::Routing, 8, 16),
                (ExtHeaderKind::Fragment, 24, 8),
                (ExtHeaderKind::Authentication, 32, 24),
                (ExtHeaderKind::DestinationOptions, 56, 8),
                (ExtHeaderKind::Mobility, 64, 8),
                (ExtHeaderKind::Hip, 72, 24),
                (ExtHeaderKind::Shim6, 96, 8),
            ]
        );
        assert_eq!(
            end,
            Ok(ChainEnd::UpperLayer {
                protocol: UDP,
                offset: 104
            })
        );

        let fragment = ExtHeaders::new(0, payload).nth(2).unwrap().unwrap();
        let view = fragment.fragment().unwrap();
        assert_eq!(view.next_header(), 51);
        assert_eq!(view.identification(), 0xdead_beef);
        assert!(view.is_first() && view.more_fragments() && !view.is_atomic());
    }

    #[test]
    fn esp_and_no_next_header_end_the_walk() {
        // What follows would be an overrunning header if it were walked.
        let payload = [ESP, 0, 0, 0, 0, 0, 0, 0, 60, 200];
        assert_eq!(
            walk(60, &payload).1,
            Ok(ChainEnd::UpperLayer {
                protocol: ESP,
                offset: 8
            })
        );
        assert_eq!(
            walk(NO_NEXT_HEADER, &payload).1,
            Ok(ChainEnd::UpperLayer {
                protocol: NO_NEXT_HEADER,
                offset: 0
            })
        );
    }

    #[test]
    fn non_first_fragment_ends_at_its_data() {
        // Offset 185 units (1480 bytes), M clear; the data would misparse as Destination Options.
        let payload = [60, 0, 0x05, 0xc8, 0, 0, 0, 7, 60, 255, 0, 0];
        let (headers, end) = walk(44, &payload);
        assert_eq!(headers, [(ExtHeaderKind::Fragment, 0, 8)]);
        assert_eq!(
            end,
            Ok(ChainEnd::FragmentData {
                next_header: 60,
                offset: 8
            })
        );
        assert_eq!(end.unwrap().offset(), 8);
        let view = FragmentView::new_checked(&payload[..]).unwrap();
        assert_eq!(view.fragment_offset(), 185);
        assert_eq!(view.byte_offset(), 1480);
        assert!(!view.more_fragments());
    }

    #[test]
    fn atomic_fragment_is_walked_through() {
        let payload = [ICMPV6, 0, 0, 0, 0, 0, 0, 9, 128, 0];
        let (headers, end) = walk(44, &payload);
        assert_eq!(headers, [(ExtHeaderKind::Fragment, 0, 8)]);
        assert_eq!(
            end,
            Ok(ChainEnd::UpperLayer {
                protocol: ICMPV6,
                offset: 8
            })
        );
        assert!(FragmentView::new_checked(&payload[..]).unwrap().is_atomic());
    }

    #[test]
    fn overruns_are_errors() {
        let overrun = |offset, needed, available| {
            Err(WireError::ExtHeaderOverrun {
                offset,
                needed,
                available,
            })
        };
        // No bytes at all, and one byte: the length cannot be read.
        assert_eq!(walk(0, &[]).1, overrun(0, 8, 0));
        assert_eq!(walk(60, &[TCP]).1, overrun(0, 8, 1));
        // Destination Options claiming 16 bytes with 12 present.
        assert_eq!(
            walk(60, &[TCP, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).1,
            overrun(0, 16, 12)
        );
        // Authentication claiming (5 + 2) * 4 = 28 bytes after an 8-byte Routing header.
        let mut payload = [0u8; 8 + 24];
        payload[0] = 51;
        payload[8..10].copy_from_slice(&[TCP, 5]);
        let (headers, end) = walk(43, &payload);
        assert_eq!(headers, [(ExtHeaderKind::Routing, 0, 8)]);
        assert_eq!(end, overrun(8, 28, 24));
        // Fragment is always 8 bytes, whatever its second byte says.
        assert_eq!(walk(44, &[TCP, 0, 0, 0, 0, 0, 0]).1, overrun(0, 8, 7));
        // The largest length byte.
        assert_eq!(
            walk(60, &[TCP, 255, 0, 0, 0, 0, 0, 0]).1,
            overrun(0, 2048, 8)
        );
    }

    #[test]
    fn hop_by_hop_only_first() {
        let payload = [0, 0, 0, 0, 0, 0, 0, 0, TCP, 0, 0, 0, 0, 0, 0, 0];
        let (headers, end) = walk(60, &payload);
        assert_eq!(headers, [(ExtHeaderKind::DestinationOptions, 0, 8)]);
        assert_eq!(end, Err(WireError::MisplacedHopByHop { offset: 8 }));
        assert_eq!(
            walk(0, &payload).1,
            Err(WireError::MisplacedHopByHop { offset: 8 }),
            "a second Hop-by-Hop header is misplaced too"
        );
    }

    #[test]
    fn kinds_and_protocol_numbers() {
        let walked: Vec<u8> = (0..=255u8)
            .filter(|&p| ExtHeaderKind::from_protocol(p).is_some())
            .collect();
        assert_eq!(walked, [0, 43, 44, 51, 60, 135, 139, 140]);
        for kind in ExtHeaderKind::ALL {
            assert_eq!(ExtHeaderKind::from_protocol(kind.protocol()), Some(kind));
            let want = match kind {
                ExtHeaderKind::Fragment => 8,
                ExtHeaderKind::Authentication => 12,
                _ => 16,
            };
            assert_eq!(kind.header_len(1), want, "{kind:?}");
        }
    }

    /// The step's tables frame every kind as `header_len` does, and mark
    /// exactly the kinds the step treats apart.
    #[test]
    fn tables_agree_with_the_kinds() {
        for protocol in 0..=255u8 {
            let unit = LEN_UNIT[usize::from(protocol)];
            match ExtHeaderKind::from_protocol(protocol) {
                None => assert_eq!(unit, NOT_WALKED, "{protocol}"),
                Some(ExtHeaderKind::HopByHop) => assert_eq!(unit, HOP_BY_HOP_MARK),
                Some(ExtHeaderKind::Fragment) => assert_eq!(unit, FRAGMENT_MARK),
                Some(kind) => {
                    assert!(unit < MARKED, "{kind:?}");
                    assert_eq!(UNMARKED_KIND[usize::from(protocol)], kind);
                    for len_field in 0..=255u8 {
                        assert_eq!(
                            MIN_EXT_HEADER_LEN + usize::from(len_field) * usize::from(unit),
                            kind.header_len(len_field),
                            "{kind:?} {len_field}"
                        );
                    }
                }
            }
        }
    }

    /// RFC 8200 section 4's framing, step by step and without tables: what
    /// the walk must find, header for header and error for error.
    fn reference_walk(first: u8, bytes: &[u8]) -> Walk {
        let mut headers = Vec::new();
        let (mut protocol, mut offset) = (first, 0);
        let end = loop {
            let Some(kind) = ExtHeaderKind::from_protocol(protocol) else {
                break Ok(ChainEnd::UpperLayer { protocol, offset });
            };
            if kind == ExtHeaderKind::HopByHop && offset != 0 {
                break Err(WireError::MisplacedHopByHop { offset });
            }
            let rest = &bytes[offset..];
            let needed = rest
                .get(1)
                .map_or(MIN_EXT_HEADER_LEN, |&n| kind.header_len(n));
            if rest.len() < needed {
                break Err(WireError::ExtHeaderOverrun {
                    offset,
                    needed,
                    available: rest.len(),
                });
            }
            headers.push((kind, offset, needed));
            protocol = rest[0];
            offset += needed;
            let fragment_offset = u16::from_be_bytes([rest[2], rest[3]]) >> 3;
            if kind == ExtHeaderKind::Fragment && fragment_offset != 0 {
                break Ok(ChainEnd::FragmentData {
                    next_header: protocol,
                    offset,
                });
            }
        };
        (headers, end)
    }

    #[test]
    fn fragment_view_golden_and_short() {
        let bytes = [UDP, 0, 0x05, 0xc9, 0x12, 0x34, 0x56, 0x78];
        let view = FragmentView::new_checked(&bytes[..]).unwrap();
        assert_eq!(view.next_header(), UDP);
        assert_eq!(view.fragment_offset(), 185);
        assert!(view.more_fragments());
        assert_eq!(view.identification(), 0x1234_5678);

        let mut out = [0u8; 8];
        let mut built = FragmentView::new_checked(&mut out[..]).unwrap();
        built.set_next_header(UDP);
        built.set_fragment_offset(185);
        built.set_more_fragments(true);
        built.set_identification(0x1234_5678);
        assert_eq!(out, bytes);

        assert_eq!(
            FragmentView::new_checked(&bytes[..7]).map(|_| ()),
            Err(WireError::Truncated {
                needed: 8,
                available: 7
            })
        );
    }

    /// A header of `kind` that says `next` follows, `len_field` long, body filled with `fill`.
    fn build(out: &mut Vec<u8>, kind: ExtHeaderKind, next: u8, len_field: u8, fill: u8) -> usize {
        let len = kind.header_len(len_field);
        out.push(next);
        out.push(len_field);
        out.resize(out.len() + len - 2, fill);
        len
    }

    /// A well-formed chain: kinds (Hop-by-Hop only first, fragments first), lengths, upper protocol.
    fn valid_chain() -> impl Strategy<Value = (Vec<(ExtHeaderKind, u8)>, u8)> {
        let kind = prop::sample::select(&ExtHeaderKind::ALL[1..]);
        (
            any::<bool>(),
            prop::collection::vec((kind, 0u8..6), 0..8),
            any::<u8>().prop_filter("not an extension header", |&p| {
                ExtHeaderKind::from_protocol(p).is_none()
            }),
        )
            .prop_map(|(hop_by_hop, mut kinds, upper)| {
                if hop_by_hop {
                    kinds.insert(0, (ExtHeaderKind::HopByHop, 0));
                }
                (kinds, upper)
            })
    }

    proptest! {
        /// Any input: no panic; on success the headers tile the buffer from 0
        /// up to the end's offset, each named by the previous Next Header.
        #[test]
        fn arbitrary_bytes_never_panic_and_tile(
            first in prop_oneof![Just(0u8), Just(43u8), Just(44u8), Just(60u8), Just(51u8), any::<u8>()],
            // Biased toward small length bytes and extension-header numbers, so
            // that walks often get several headers deep.
            bytes in prop::collection::vec(
                prop_oneof![3 => 0u8..3, 1 => Just(44u8), 1 => Just(60u8), 2 => any::<u8>()],
                0..96,
            ),
        ) {
            let mut it = ExtHeaders::new(first, &bytes);
            let mut expect_offset = 0;
            let mut expect_protocol = first;
            for h in it.by_ref() {
                let Ok(h) = h else { return Ok(()) };
                prop_assert_eq!(h.offset(), expect_offset);
                prop_assert_eq!(h.kind().protocol(), expect_protocol);
                prop_assert_eq!(h.bytes(), &bytes[expect_offset..expect_offset + h.bytes().len()]);
                prop_assert!(h.bytes().len() >= MIN_EXT_HEADER_LEN);
                prop_assert!(h.kind() != ExtHeaderKind::HopByHop || h.offset() == 0);
                expect_offset += h.bytes().len();
                expect_protocol = h.next_header();
            }
            let end = it.end().unwrap();
            prop_assert_eq!(end.offset(), expect_offset);
            prop_assert!(end.offset() <= bytes.len());
            match end {
                ChainEnd::UpperLayer { protocol, .. } => {
                    prop_assert_eq!(protocol, expect_protocol);
                    prop_assert!(ExtHeaderKind::from_protocol(protocol).is_none());
                }
                ChainEnd::FragmentData { next_header, .. } => prop_assert_eq!(next_header, expect_protocol),
            }
        }

        /// A chain built from parts is walked back into those parts, and any
        /// cut inside it is an overrun, never a shorter success.
        #[test]
        fn built_chains_walk_back_and_cuts_fail(
            (kinds, upper) in valid_chain(),
            fill in any::<u8>(),
            tail in prop::collection::vec(any::<u8>(), 0..16),
        ) {
            let mut bytes = Vec::new();
            let mut want = Vec::new();
            for (i, &(kind, len_field)) in kinds.iter().enumerate() {
                let next = kinds.get(i + 1).map_or(upper, |k| k.0.protocol());
                let offset = bytes.len();
                let len = build(&mut bytes, kind, next, len_field, fill);
                if kind == ExtHeaderKind::Fragment {
                    // First fragment: clear the offset bits the fill may have set.
                    FragmentView::new_unchecked(&mut bytes[offset..]).set_fragment_offset(0);
                }
                want.push((kind, offset, len));
            }
            let chain_len = bytes.len();
            bytes.extend_from_slice(&tail);
            let first = kinds.first().map_or(upper, |k| k.0.protocol());
            let (headers, end) = walk(first, &bytes);
            prop_assert_eq!(headers, want);
            prop_assert_eq!(end, Ok(ChainEnd::UpperLayer { protocol: upper, offset: chain_len }));
            for cut in 0..chain_len {
                let short = walk(first, &bytes[..cut]).1;
                prop_assert!(matches!(short, Err(WireError::ExtHeaderOverrun { .. })), "cut at {}: {:?}", cut, short);
            }
        }

        /// Any input: the walk is the reference walk, and `finish` agrees.
        #[test]
        fn walks_as_the_reference_does(
            first in prop_oneof![Just(0u8), Just(43u8), Just(44u8), Just(51u8), Just(60u8), Just(135u8), any::<u8>()],
            bytes in prop::collection::vec(
                prop_oneof![3 => 0u8..3, 1 => Just(44u8), 1 => Just(51u8), 1 => Just(60u8), 1 => Just(139u8), 2 => any::<u8>()],
                0..96,
            ),
        ) {
            let want = reference_walk(first, &bytes);
            prop_assert_eq!(walk(first, &bytes), want.clone());
            prop_assert_eq!(ExtHeaders::new(first, &bytes).finish(), want.1);
        }

        #[test]
        fn fragment_setters_round_trip(
            mut bytes in any::<[u8; 8]>(),
            next in any::<u8>(),
            units in 0..=MAX_FRAGMENT_OFFSET,
            more in any::<bool>(),
            id in any::<u32>(),
        ) {
            let reserved = (bytes[1], bytes[3] & 0b110);
            let mut view = FragmentView::new_unchecked(&mut bytes[..]);
            view.set_next_header(next);
            view.set_fragment_offset(units);
            view.set_more_fragments(more);
            view.set_identification(id);
            prop_assert_eq!(view.next_header(), next);
            prop_assert_eq!(view.fragment_offset(), units);
            prop_assert_eq!(view.more_fragments(), more);
            prop_assert_eq!(view.identification(), id);
            prop_assert_eq!((bytes[1], bytes[3] & 0b110), reserved, "reserved bits changed");
        }
    }
}
