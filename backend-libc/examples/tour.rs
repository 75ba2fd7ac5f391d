//! A tour of the library that runs anywhere, without root:
//!
//! 1. a UDP round trip over `[::1]` with every receive flag on and a
//!    per-packet traffic class and hop limit, and what arrived;
//! 2. an IPv6 header with an extension-header chain, built and parsed;
//! 3. an ICMPv6 filter, and its bytes in the Linux and the BSD polarity;
//! 4. one control message's bytes for Linux, FreeBSD and Darwin, side by
//!    side: the same fields, three layouts, from one build.
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --example tour
//! ```

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use ipv6_core::cmsg;
use ipv6_core::exthdr::{ExtHeaderKind, ExtHeaders};
use ipv6_core::{
    ControlFlags, ControlMessage, HEADER_LEN, Header, IcmpFilter, IcmpType, Platform, VERSION,
};

fn main() -> ExitCode {
    match tour() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tour: {e}");
            ExitCode::FAILURE
        }
    }
}

fn tour() -> Result<(), Box<dyn std::error::Error>> {
    round_trip()?;
    header_chain()?;
    icmp_filter();
    control_bytes()?;
    Ok(())
}

fn v6(socket: &UdpSocket) -> std::io::Result<SocketAddrV6> {
    match socket.local_addr()? {
        SocketAddr::V6(a) => Ok(a),
        SocketAddr::V4(a) => Err(std::io::Error::other(format!("{a} is not IPv6"))),
    }
}

/// 1. `write_to` with per-packet fields, `read_msg` with every flag.
fn round_trip() -> Result<(), Box<dyn std::error::Error>> {
    println!("== 1. UDP over [::1], every receive flag on");
    let receiver = UdpSocket::bind("[::1]:0")?;
    let sender = UdpSocket::bind("[::1]:0")?;
    let rx = ipv6_backend_libc::packet_conn(&receiver)?;
    rx.set_control_message(ControlFlags::all(), true)?;
    rx.set_read_timeout(Some(Duration::from_secs(5)))?;
    let tx = ipv6_backend_libc::packet_conn(&sender)?;

    let per_packet = ControlMessage {
        traffic_class: Some(0x28), // DiffServ AF11
        hop_limit: Some(7),
        ..ControlMessage::default()
    };
    let to = v6(&receiver)?;
    let sent = tx.write_to(b"hello, IPv6", Some(&per_packet), Some(&to))?;
    println!("sent     {sent} bytes to {to} with {per_packet:#}");

    let mut buf = [0u8; 1500];
    let got = rx.read_msg(&mut [&mut buf])?;
    let from = got.source.map_or("?".to_string(), |s| s.to_string());
    println!(
        "received {} bytes from {from}: {:?}",
        got.len,
        String::from_utf8_lossy(&buf[..got.len])
    );
    println!("  Go's form:     {}", got.control);
    println!("  present only:  {:#}", got.control);
    println!(
        "  whole: {}, payload truncated: {}",
        got.control_complete(),
        got.truncated
    );
    // The reply a multi-homed server sends: from the address the request
    // was sent to, out of the interface it came in on.
    println!(
        "  reply with:    {:#}",
        ControlMessage::reply_to(&got.control)
    );
    println!();
    Ok(())
}

/// 2. Header + Hop-by-Hop + Fragment + UDP, emitted and walked back.
fn header_chain() -> Result<(), Box<dyn std::error::Error>> {
    println!("== 2. an IPv6 header and its extension chain");
    const UDP: u8 = 17;
    // Hop-by-Hop: next = Fragment, length 0 (8 bytes), a Router Alert
    // option (type 5, length 2, value 0) and PadN to fill.
    let hop_by_hop = [44, 0, 5, 2, 0, 0, 1, 0];
    // Fragment: next = UDP, offset 0, more fragments, id 0x1234_5678.
    let fragment = [UDP, 0, 0, 1, 0x12, 0x34, 0x56, 0x78];
    let udp = [
        0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, b'd', b'n', b's', b'?',
    ];
    let header = Header {
        version: VERSION,
        traffic_class: 0xb8,
        flow_label: 0x1_2345,
        payload_len: (hop_by_hop.len() + fragment.len() + udp.len()) as u16,
        next_header: 0, // Hop-by-Hop
        hop_limit: 64,
        src: "2001:db8::1".parse()?,
        dst: "2001:db8::2".parse()?,
    };
    let mut packet = [0u8; HEADER_LEN + 28];
    header.emit(&mut packet)?;
    let mut at = HEADER_LEN;
    for part in [&hop_by_hop[..], &fragment, &udp] {
        packet[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }

    let parsed = Header::parse(&packet)?;
    println!("header:  {parsed}");
    let mut walk = ExtHeaders::new(parsed.next_header, &packet[HEADER_LEN..]);
    for ext in walk.by_ref() {
        let ext = ext?;
        let detail = match (ext.kind(), ext.fragment()) {
            (ExtHeaderKind::Fragment, Some(f)) => format!(
                ", offset {} more {} id {:#x}",
                f.byte_offset(),
                f.more_fragments(),
                f.identification()
            ),
            _ => String::new(),
        };
        println!(
            "  {:?} at {}, {} bytes, next header {}{detail}",
            ext.kind(),
            ext.offset(),
            ext.bytes().len(),
            ext.next_header()
        );
    }
    println!("  chain ends: {:?}", walk.finish()?);
    println!();
    Ok(())
}

/// 3. A filter for a ping client, and how each kernel stores it.
fn icmp_filter() {
    println!("== 3. an ICMPv6 filter");
    let mut filter = IcmpFilter::BLOCK_ALL;
    for typ in [
        IcmpType::ECHO_REPLY,
        IcmpType::DESTINATION_UNREACHABLE,
        IcmpType::PACKET_TOO_BIG,
        IcmpType::TIME_EXCEEDED,
    ] {
        filter.accept(typ);
    }
    for typ in [
        IcmpType::ECHO_REPLY,
        IcmpType::ECHO_REQUEST,
        IcmpType::TIME_EXCEEDED,
    ] {
        let verdict = if filter.will_block(typ) {
            "blocked"
        } else {
            "passes"
        };
        println!("  {:<24} ({:>3}) {verdict}", typ.to_string(), typ.0);
    }
    // Linux stores the blocked set, the BSDs the passed set.
    for platform in [Platform::LINUX_64, Platform::FREEBSD_64] {
        let bytes = filter.to_bytes(&platform);
        println!("  {:<10} {}", name(&platform), hex(&bytes[..8]) + " …");
    }
    println!();
}

/// 4. The same control message marshalled for three kernels.
fn control_bytes() -> Result<(), Box<dyn std::error::Error>> {
    println!("== 4. one control message, three kernels");
    let message = ControlMessage {
        traffic_class: Some(0x28),
        hop_limit: Some(7),
        src: Some("2001:db8::1".parse::<Ipv6Addr>()?),
        if_index: 2,
        ..ControlMessage::default()
    };
    println!("{message:#}");
    let platforms = [Platform::LINUX_64, Platform::FREEBSD_64, Platform::DARWIN];
    let encoded: Vec<Vec<u8>> = platforms
        .iter()
        .map(|p| message.to_bytes(p).map(|b| b.to_vec()))
        .collect::<Result<_, _>>()?;
    const WIDTH: usize = 23; // 8 bytes of hex
    print!("      ");
    for p in &platforms {
        print!(
            "  {:<WIDTH$}",
            format!(
                "{} ({} bytes)",
                name(p),
                encoded_len(&encoded, p, &platforms)
            )
        );
    }
    println!();
    let rows = encoded.iter().map(Vec::len).max().unwrap_or(0).div_ceil(8);
    for row in 0..rows {
        print!("  {:>3} ", row * 8);
        for bytes in &encoded {
            let line = bytes
                .get(row * 8..)
                .map_or(&[][..], |b| &b[..b.len().min(8)]);
            print!("  {:<WIDTH$}", hex(line));
        }
        println!();
    }
    // The records each layout holds, decoded with the core's walker.
    for (p, bytes) in platforms.iter().zip(&encoded) {
        let records: Vec<String> = cmsg::Iter::new(p, bytes)
            .map(|r| match r {
                Ok(r) => format!(
                    "(level {}, type {}, {} bytes)",
                    r.level,
                    r.kind,
                    r.data.len()
                ),
                Err(e) => format!("({e})"),
            })
            .collect();
        println!("  {:<8} {}", name(p), records.join(" "));
    }
    Ok(())
}

fn encoded_len(encoded: &[Vec<u8>], p: &Platform, all: &[Platform]) -> usize {
    let i = all.iter().position(|q| q.os == p.os).unwrap_or(0);
    encoded[i].len()
}

fn name(p: &Platform) -> &'static str {
    match p.os {
        ipv6_core::Os::Linux => "Linux",
        ipv6_core::Os::FreeBsd => "FreeBSD",
        ipv6_core::Os::Darwin => "Darwin",
        _ => "other",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
