//! `sockaddr_in6` and the option structs built from it, per [`Platform`].
//!
//! All encoders write into caller-provided buffers and return the length
//! written; decoders check lengths and the address family.

use core::net::{Ipv6Addr, SocketAddrV6};

use crate::error::{WireError, prefix_to_read, prefix_to_write};
use crate::platform::{Platform, SockaddrStyle};

/// Writes a `struct sockaddr_in6` for `addr` to the start of `buf`, zeroing
/// the rest of the struct; returns its length (28).
#[inline]
pub fn encode_sockaddr_in6(
    platform: &Platform,
    addr: &SocketAddrV6,
    buf: &mut [u8],
) -> Result<usize, WireError> {
    let len = platform.layouts.sockaddr_in6;
    let b = prefix_to_write(buf, len)?;
    b.fill(0);
    match platform.layouts.sockaddr_style {
        SockaddrStyle::FamilyU16 => platform.endian.write_u16(b, platform.af_inet6),
        SockaddrStyle::LenAndFamilyU8 => {
            b[0] = len as u8;
            b[1] = platform.af_inet6 as u8;
        }
    }
    b[2..4].copy_from_slice(&addr.port().to_be_bytes());
    // sin6_flowinfo is carried in network byte order, as the kernel stores it.
    b[4..8].copy_from_slice(&addr.flowinfo().to_be_bytes());
    b[8..24].copy_from_slice(&addr.ip().octets());
    platform.endian.write_u32(&mut b[24..28], addr.scope_id());
    Ok(len)
}

/// Reads a `struct sockaddr_in6` from the start of `buf`.
#[inline]
pub fn decode_sockaddr_in6(platform: &Platform, buf: &[u8]) -> Result<SocketAddrV6, WireError> {
    prefix_to_read(buf, platform.layouts.sockaddr_in6)?;
    let family = family(platform, buf);
    if family != platform.af_inet6 {
        return Err(WireError::BadFamily(family));
    }
    let port = u16::from_be_bytes([buf[2], buf[3]]);
    let flowinfo = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
    let mut octets = [0u8; 16];
    octets.copy_from_slice(&buf[8..24]);
    let scope_id = platform.endian.read_u32(&buf[24..28]);
    Ok(SocketAddrV6::new(
        Ipv6Addr::from(octets),
        port,
        flowinfo,
        scope_id,
    ))
}

/// The address family of the `sockaddr` at the start of `buf`, which holds
/// at least its first two bytes.
#[inline]
pub(crate) fn family(platform: &Platform, buf: &[u8]) -> u16 {
    match platform.layouts.sockaddr_style {
        SockaddrStyle::FamilyU16 => platform.endian.read_u16(buf),
        SockaddrStyle::LenAndFamilyU8 => u16::from(buf[1]),
    }
}

/// Writes an `int` option value; returns 4.
#[inline]
pub fn encode_int(platform: &Platform, value: i32, buf: &mut [u8]) -> Result<usize, WireError> {
    platform
        .endian
        .write_u32(prefix_to_write(buf, 4)?, value as u32);
    Ok(4)
}

/// Reads an `int` option value.
pub fn decode_int(platform: &Platform, buf: &[u8]) -> Result<i32, WireError> {
    Ok(platform.endian.read_u32(prefix_to_read(buf, 4)?) as i32)
}

/// Writes `struct ipv6_mreq { in6_addr ipv6mr_multiaddr; unsigned ipv6mr_interface; }`.
pub fn encode_ipv6_mreq(
    platform: &Platform,
    ifindex: u32,
    group: Ipv6Addr,
    buf: &mut [u8],
) -> Result<usize, WireError> {
    let len = platform.layouts.ipv6_mreq;
    prefix_to_write(buf, len)?.fill(0);
    buf[..16].copy_from_slice(&group.octets());
    platform.endian.write_u32(&mut buf[16..20], ifindex);
    Ok(len)
}

/// Writes `struct group_req { uint32_t gr_interface; sockaddr_storage gr_group; }`.
pub fn encode_group_req(
    platform: &Platform,
    ifindex: u32,
    group: Ipv6Addr,
    buf: &mut [u8],
) -> Result<usize, WireError> {
    let l = &platform.layouts;
    prefix_to_write(buf, l.group_req)?.fill(0);
    platform.endian.write_u32(buf, ifindex);
    let sa = SocketAddrV6::new(group, 0, 0, 0);
    encode_sockaddr_in6(platform, &sa, &mut buf[l.group_req_group..])?;
    Ok(l.group_req)
}

/// Writes `struct group_source_req { gsr_interface; gsr_group; gsr_source; }`.
pub fn encode_group_source_req(
    platform: &Platform,
    ifindex: u32,
    group: Ipv6Addr,
    source: Ipv6Addr,
    buf: &mut [u8],
) -> Result<usize, WireError> {
    let l = &platform.layouts;
    prefix_to_write(buf, l.group_source_req)?.fill(0);
    platform.endian.write_u32(buf, ifindex);
    let group_at = l.group_req_group;
    let source_at = group_at + l.sockaddr_storage;
    encode_sockaddr_in6(
        platform,
        &SocketAddrV6::new(group, 0, 0, 0),
        &mut buf[group_at..],
    )?;
    encode_sockaddr_in6(
        platform,
        &SocketAddrV6::new(source, 0, 0, 0),
        &mut buf[source_at..],
    )?;
    Ok(l.group_source_req)
}

/// Reads `struct ip6_mtuinfo { sockaddr_in6 ip6m_addr; uint32_t ip6m_mtu; }`.
pub fn decode_ip6_mtuinfo(
    platform: &Platform,
    buf: &[u8],
) -> Result<(SocketAddrV6, u32), WireError> {
    let mtu = decode_mtu(platform, buf)?;
    Ok((decode_sockaddr_in6(platform, buf)?, mtu))
}

/// Reads only `ip6m_mtu` from a `struct ip6_mtuinfo`, as the `IPV6_PATHMTU`
/// socket option returns it: Linux leaves `ip6m_addr` all zero there (not
/// even `AF_INET6`), which [`decode_ip6_mtuinfo`] rightly rejects.
#[inline]
pub fn decode_mtu(platform: &Platform, buf: &[u8]) -> Result<u32, WireError> {
    prefix_to_read(buf, platform.layouts.ip6_mtuinfo)?;
    Ok(platform
        .endian
        .read_u32(&buf[platform.layouts.sockaddr_in6..]))
}

/// Writes `struct ip6_mtuinfo` (for tests and tools that synthesise kernel output).
pub fn encode_ip6_mtuinfo(
    platform: &Platform,
    addr: &SocketAddrV6,
    mtu: u32,
    buf: &mut [u8],
) -> Result<usize, WireError> {
    let len = platform.layouts.ip6_mtuinfo;
    prefix_to_write(buf, len)?.fill(0);
    encode_sockaddr_in6(platform, addr, buf)?;
    platform
        .endian
        .write_u32(&mut buf[platform.layouts.sockaddr_in6..], mtu);
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DOC: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);

    #[test]
    fn sockaddr_golden_linux_and_bsd() {
        let sa = SocketAddrV6::new(DOC, 0x1234, 0, 7);
        let mut b = [0u8; 28];
        encode_sockaddr_in6(&Platform::LINUX_64, &sa, &mut b).unwrap();
        assert_eq!(&b[..8], &[10, 0, 0x12, 0x34, 0, 0, 0, 0]);
        assert_eq!(&b[8..12], &[0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(&b[24..], &[7, 0, 0, 0]);
        encode_sockaddr_in6(&Platform::DARWIN, &sa, &mut b).unwrap();
        assert_eq!(&b[..4], &[28, 30, 0x12, 0x34]);
        encode_sockaddr_in6(&Platform::FREEBSD_64, &sa, &mut b).unwrap();
        assert_eq!(&b[..2], &[28, 28]);
    }

    #[test]
    fn group_req_places_the_group_per_platform() {
        let mut b = [0xaau8; crate::option::MAX_OPTION_LEN];
        let n = encode_group_req(&Platform::LINUX_64, 3, DOC, &mut b).unwrap();
        assert_eq!(n, 136);
        assert_eq!(&b[..10], &[3, 0, 0, 0, 0, 0, 0, 0, 10, 0]);
        let n = encode_group_req(&Platform::DARWIN, 3, DOC, &mut b).unwrap();
        assert_eq!(n, 132);
        assert_eq!(&b[..6], &[3, 0, 0, 0, 28, 30]);
        let n = encode_group_source_req(&Platform::LINUX_32, 3, DOC, DOC, &mut b).unwrap();
        assert_eq!(n, 260);
        assert_eq!(&b[132..134], &[10, 0]);
        assert_eq!(&b[140..144], &[0x20, 0x01, 0x0d, 0xb8]);
    }

    #[test]
    fn errors_are_typed() {
        let mut small = [0u8; 10];
        assert_eq!(
            encode_group_req(&Platform::LINUX_64, 1, DOC, &mut small),
            Err(WireError::BufferTooSmall {
                needed: 136,
                available: 10
            })
        );
        let mut b = [0u8; 28];
        b[0] = 2; // AF_INET
        assert_eq!(
            decode_sockaddr_in6(&Platform::LINUX_64, &b),
            Err(WireError::BadFamily(2))
        );
        assert!(matches!(
            decode_ip6_mtuinfo(&Platform::LINUX_64, &b),
            Err(WireError::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn sockaddr_round_trips(ip in any::<u128>(), port in any::<u16>(), flow in any::<u32>(), scope in any::<u32>(), mtu in any::<u32>()) {
            let sa = SocketAddrV6::new(Ipv6Addr::from(ip), port, flow, scope);
            for p in Platform::ALL {
                let mut b = [0u8; 36];
                encode_sockaddr_in6(&p, &sa, &mut b).unwrap();
                prop_assert_eq!(decode_sockaddr_in6(&p, &b), Ok(sa));
                encode_ip6_mtuinfo(&p, &sa, mtu, &mut b).unwrap();
                prop_assert_eq!(decode_ip6_mtuinfo(&p, &b), Ok((sa, mtu)));
            }
        }
    }
}
