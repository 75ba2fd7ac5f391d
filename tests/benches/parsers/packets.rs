//! The bytes every parser of a section reads, and what each must find.

use std::net::Ipv6Addr;

/// What a fixed-header parser reports. `None` where the parser drops the
/// field (smoltcp's `Ipv6Repr` keeps no traffic class or flow label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    pub version: Option<u8>,
    pub traffic_class: Option<u8>,
    pub flow_label: Option<u32>,
    pub payload_len: u16,
    pub next_header: u8,
    pub hop_limit: u8,
    pub src: [u8; 16],
    pub dst: [u8; 16],
}

impl Fields {
    /// Whether `self` matches `expected` in every field `self` reports.
    pub fn agrees_with(&self, expected: &Fields) -> bool {
        let opt = |got: Option<u32>, want: Option<u32>| got.is_none() || got == want;
        opt(self.version.map(u32::from), expected.version.map(u32::from))
            && opt(
                self.traffic_class.map(u32::from),
                expected.traffic_class.map(u32::from),
            )
            && opt(self.flow_label, expected.flow_label)
            && (
                self.payload_len,
                self.next_header,
                self.hop_limit,
                self.src,
                self.dst,
            ) == (
                expected.payload_len,
                expected.next_header,
                expected.hop_limit,
                expected.src,
                expected.dst,
            )
    }
}

/// Where an extension-header walk ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    /// The upper-layer protocol number.
    pub protocol: u8,
    /// Where its header starts, from the start of the packet.
    pub offset: usize,
    /// Whether a Fragment header makes this a fragment (not atomic).
    pub fragmenting: bool,
}

/// What a control-message parser reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Control {
    pub traffic_class: Option<u8>,
    pub hop_limit: Option<u8>,
    pub dst: Option<[u8; 16]>,
    pub if_index: u32,
}

pub const TRAFFIC_CLASS: u8 = 0xb8;
pub const FLOW_LABEL: u32 = 0x1_2345;
pub const HOP_LIMIT: u8 = 61;
pub const SRC: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
pub const DST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
pub const UDP: u8 = 17;

/// A fixed header for `payload` after it, whose first header is `next_header`.
fn packet(next_header: u8, payload: &[u8]) -> Vec<u8> {
    let word = 6 << 28 | u32::from(TRAFFIC_CLASS) << 20 | FLOW_LABEL;
    let mut p = word.to_be_bytes().to_vec();
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next_header, HOP_LIMIT]);
    p.extend_from_slice(&SRC.octets());
    p.extend_from_slice(&DST.octets());
    p.extend_from_slice(payload);
    p
}

/// A UDP header and 8 bytes of data.
const UDP_DATAGRAM: [u8; 16] = [0, 53, 0, 53, 0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];

/// A UDP packet: the fixed header and a UDP datagram.
pub fn udp_packet() -> (Vec<u8>, Fields) {
    let bytes = packet(UDP, &UDP_DATAGRAM);
    let fields = Fields {
        version: Some(6),
        traffic_class: Some(TRAFFIC_CLASS),
        flow_label: Some(FLOW_LABEL),
        payload_len: UDP_DATAGRAM.len() as u16,
        next_header: UDP,
        hop_limit: HOP_LIMIT,
        src: SRC.octets(),
        dst: DST.octets(),
    };
    (bytes, fields)
}

/// Hop-by-Hop Options, Routing, Fragment (atomic: offset 0, M clear) and
/// Destination Options, 8 bytes each, then a UDP datagram.
pub fn chain_packet() -> (Vec<u8>, Chain) {
    const ROUTING: u8 = 43;
    const FRAGMENT: u8 = 44;
    const DEST_OPTS: u8 = 60;
    let mut payload = Vec::new();
    // Next header, length 0, PadN of 4 data bytes.
    payload.extend_from_slice(&[ROUTING, 0, 1, 4, 0, 0, 0, 0]);
    // Next header, length 0, routing type 253 (RFC 4727 experiment), segments left 0.
    payload.extend_from_slice(&[FRAGMENT, 0, 253, 0, 0, 0, 0, 0]);
    // Next header, reserved, offset 0 and M clear, identification.
    payload.extend_from_slice(&[DEST_OPTS, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
    payload.extend_from_slice(&[UDP, 0, 1, 4, 0, 0, 0, 0]);
    payload.extend_from_slice(&UDP_DATAGRAM);
    let bytes = packet(0, &payload);
    let chain = Chain {
        protocol: UDP,
        offset: 40 + 32,
        fragmenting: false,
    };
    (bytes, chain)
}
