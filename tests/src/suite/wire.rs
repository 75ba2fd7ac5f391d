//! Bytes the scenarios send and check: Internet checksums, ICMPv6 messages,
//! self-verifying numbered payloads.

use std::net::Ipv6Addr;

use ipv6_core::IcmpType;

/// The Internet checksum (RFC 1071) over the concatenation of `parts`.
pub fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u32;
    let mut odd: Option<u8> = None;
    for &byte in parts.iter().flat_map(|p| p.iter()) {
        match odd.take() {
            Some(high) => sum += u32::from(u16::from_be_bytes([high, byte])),
            None => odd = Some(byte),
        }
    }
    if let Some(high) = odd {
        sum += u32::from(u16::from_be_bytes([high, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The IPv6 pseudo-header of RFC 8200 section 8.1.
pub fn pseudo_header(src: Ipv6Addr, dst: Ipv6Addr, len: usize, next_header: u8) -> [u8; 40] {
    let mut h = [0u8; 40];
    h[..16].copy_from_slice(&src.octets());
    h[16..32].copy_from_slice(&dst.octets());
    h[32..36].copy_from_slice(&u32::try_from(len).unwrap().to_be_bytes());
    h[39] = next_header;
    h
}

/// Whether `message`, checksummed with its pseudo-header, verifies.
pub fn checksum_verifies(src: Ipv6Addr, dst: Ipv6Addr, next_header: u8, message: &[u8]) -> bool {
    internet_checksum(&[
        &pseudo_header(src, dst, message.len(), next_header),
        message,
    ]) == 0
}

/// An ICMPv6 message: type, code 0, identifier, sequence number, data. With
/// `addresses`, the checksum is computed here; without, it is left zero for
/// the kernel to fill.
pub fn icmp_message(
    typ: IcmpType,
    id: u16,
    seq: u16,
    data: &[u8],
    addresses: Option<(Ipv6Addr, Ipv6Addr)>,
) -> Vec<u8> {
    let mut m = vec![typ.0, 0, 0, 0];
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(data);
    if let Some((src, dst)) = addresses {
        let sum = internet_checksum(&[&pseudo_header(src, dst, m.len(), 58), &m]);
        m[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    m
}

/// A received ICMPv6 message's type, identifier and sequence number.
pub fn icmp_fields(message: &[u8]) -> (IcmpType, u8, u16, u16) {
    assert!(message.len() >= 8, "ICMPv6 message too short: {message:?}");
    (
        IcmpType(message[0]),
        message[1],
        u16::from_be_bytes([message[4], message[5]]),
        u16::from_be_bytes([message[6], message[7]]),
    )
}

/// A payload naming its writer and sequence number, of a length that varies
/// with both, ending in a checksum of everything before it.
pub fn numbered(writer: u16, seq: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(64);
    p.extend_from_slice(&writer.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    let filler = (usize::from(writer) * 7 + seq as usize * 13) % 48;
    p.extend((0..filler).map(|i| (i as u8) ^ (seq as u8) ^ (writer as u8)));
    let sum = fnv1a(&p);
    p.extend_from_slice(&sum.to_be_bytes());
    p
}

/// The (writer, sequence number) of an intact [`numbered`] payload, `None`
/// if it is corrupted.
pub fn read_numbered(p: &[u8]) -> Option<(u16, u32)> {
    let (body, sum) = p.split_at_checked(p.len().checked_sub(4)?)?;
    if body.len() < 6 || fnv1a(body).to_be_bytes() != sum {
        return None;
    }
    let writer = u16::from_be_bytes([body[0], body[1]]);
    let seq = u32::from_be_bytes([body[2], body[3], body[4], body[5]]);
    (numbered(writer, seq) == p).then_some((writer, seq))
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_rfc1071_example() {
        // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&[&data]), !0xddf2);
        // Split anywhere, same sum.
        assert_eq!(internet_checksum(&[&data[..3], &data[3..]]), !0xddf2);
    }

    #[test]
    fn icmp_checksum_verifies() {
        let (s, d) = (Ipv6Addr::LOCALHOST, "2001:db8::1".parse().unwrap());
        let m = icmp_message(IcmpType::ECHO_REQUEST, 7, 9, b"odd", Some((s, d)));
        assert!(checksum_verifies(s, d, 58, &m));
        // The ones'-complement sum adds 16-bit words in any order, so it is
        // the same with source and destination swapped: the checksum cannot
        // tell them apart.
        assert!(checksum_verifies(d, s, 58, &m));
    }

    #[test]
    fn icmp_checksum_fails_when_one_covered_field_changes() {
        let (s, d): (Ipv6Addr, Ipv6Addr) = (Ipv6Addr::LOCALHOST, "2001:db8::1".parse().unwrap());
        let m = icmp_message(IcmpType::ECHO_REQUEST, 7, 9, b"odd", Some((s, d)));
        assert!(checksum_verifies(s, d, 58, &m));
        // One bit of one message byte: header, checksum field, and every
        // data byte, the last (odd, zero-padded) one included.
        for i in 0..m.len() {
            let mut bad = m.clone();
            bad[i] ^= 1;
            assert!(!checksum_verifies(s, d, 58, &bad), "byte {i} changed");
        }
        // One pseudo-header field, the others as sent.
        let other: Ipv6Addr = "::2".parse().unwrap();
        assert!(!checksum_verifies(other, d, 58, &m), "source changed");
        assert!(!checksum_verifies(s, other, 58, &m), "destination changed");
        assert!(!checksum_verifies(s, d, 17, &m), "next header changed");
    }

    #[test]
    fn numbered_payloads_detect_corruption() {
        for (w, s) in [(0, 0), (3, 77), (65535, u32::MAX)] {
            let mut p = numbered(w, s);
            assert_eq!(read_numbered(&p), Some((w, s)));
            let last = p.len() - 5;
            p[last] ^= 1;
            assert_eq!(read_numbered(&p), None);
        }
        assert_eq!(read_numbered(&[1, 2, 3]), None);
    }
}
