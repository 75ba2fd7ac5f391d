//! An OSPFv3 hello (RFC 5340 A.3.2) on a raw `ip6:89` socket: the kernel
//! computes and verifies the checksum at offset 12 (`IPV6_CHECKSUM`), the
//! socket joins AllSPFRouters (`ff02::5`) on one interface, sends a
//! well-formed hello there with hop limit 1, and decodes the hellos it
//! receives.
//!
//! ```sh
//! sudo target/debug/examples/ospf_hello eth0 1.1.1.1 --receive 1 --listen 30
//! ```
//!
//! Options: `--area A.B.C.D` (default 0.0.0.0), `--neighbor A.B.C.D`
//! (repeatable: routers to list as seen), `--receive N` (exit after N
//! hellos, default 1), `--listen SECS` (give up after, default 40, the
//! router dead interval). Needs root (`CAP_NET_RAW`) and an interface.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};
use std::os::fd::OwnedFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ipv6_core::ControlFlags;
use rustix::net::{AddressFamily, Protocol, SocketType};

/// OSPF's IP protocol number.
const OSPF: u32 = 89;
/// AllSPFRouters.
const ALL_SPF_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 5);
/// Where the OSPFv3 header keeps its checksum.
const CHECKSUM_OFFSET: u32 = 12;
const HEADER: usize = 16;
const HELLO: usize = 20;
const HELLO_INTERVAL: u16 = 10;
const DEAD_INTERVAL: u16 = 40;

struct Options {
    interface: String,
    router_id: Ipv4Addr,
    area: Ipv4Addr,
    neighbors: Vec<Ipv4Addr>,
    receive: usize,
    listen: Duration,
}

fn options() -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut area = Ipv4Addr::UNSPECIFIED;
    let mut neighbors = Vec::new();
    let (mut receive, mut listen) = (1, Duration::from_secs(u64::from(DEAD_INTERVAL)));
    let id = |s: String| s.parse::<Ipv4Addr>().map_err(|e| format!("{s}: {e}"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--area" => area = id(value()?)?,
            "--neighbor" => neighbors.push(id(value()?)?),
            "--receive" => receive = value()?.parse().map_err(|e| format!("--receive: {e}"))?,
            "--listen" => {
                let secs: u64 = value()?.parse().map_err(|e| format!("--listen: {e}"))?;
                listen = Duration::from_secs(secs);
            }
            _ => positional.push(arg),
        }
    }
    let [interface, router_id]: [String; 2] = positional
        .try_into()
        .map_err(|_| "name an interface and a router ID (it needs an interface)".to_string())?;
    Ok(Options {
        interface,
        router_id: id(router_id)?,
        area,
        neighbors,
        receive,
        listen,
    })
}

/// An OSPFv3 hello with the checksum left zero for the kernel.
fn hello(o: &Options, interface_id: u32) -> Vec<u8> {
    let len = HEADER + HELLO + 4 * o.neighbors.len();
    let mut p = Vec::with_capacity(len);
    p.extend_from_slice(&[3, 1]); // version 3, type 1 (Hello)
    p.extend_from_slice(&(len as u16).to_be_bytes());
    p.extend_from_slice(&o.router_id.octets());
    p.extend_from_slice(&o.area.octets());
    p.extend_from_slice(&[0, 0, 0, 0]); // checksum (kernel), instance 0, reserved
    p.extend_from_slice(&interface_id.to_be_bytes());
    p.push(1); // router priority
    p.extend_from_slice(&[0, 0, 0x13]); // options: V6, E, R
    p.extend_from_slice(&HELLO_INTERVAL.to_be_bytes());
    p.extend_from_slice(&DEAD_INTERVAL.to_be_bytes());
    p.extend_from_slice(&[0; 8]); // designated and backup designated router
    for n in &o.neighbors {
        p.extend_from_slice(&n.octets());
    }
    p
}

/// The Internet checksum over the IPv6 pseudo-header and `message`.
fn checksum(src: Ipv6Addr, dst: Ipv6Addr, message: &[u8]) -> u16 {
    let mut pseudo = Vec::with_capacity(40 + message.len());
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&(message.len() as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, OSPF as u8]);
    pseudo.extend_from_slice(message);
    let mut sum: u32 = pseudo
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn id_at(p: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(p[at], p[at + 1], p[at + 2], p[at + 3])
}

/// One line describing a received hello, or why it is not one.
fn decode(p: &[u8], from: Ipv6Addr, to: Option<Ipv6Addr>) -> Result<String, String> {
    if p.len() < HEADER + HELLO || p[0] != 3 || p[1] != 1 {
        return Err(format!(
            "{} bytes from {from}: not an OSPFv3 hello",
            p.len()
        ));
    }
    let len = usize::from(u16::from_be_bytes([p[2], p[3]]));
    if len > p.len() || len < HEADER + HELLO || (len - HEADER - HELLO) % 4 != 0 {
        return Err(format!("hello from {from}: bad packet length {len}"));
    }
    let p = &p[..len];
    let verified = match to {
        Some(to) if checksum(from, to, p) == 0 => "checksum ok",
        Some(_) => return Err(format!("hello from {from}: bad checksum")),
        None => "checksum verified by the kernel",
    };
    let neighbors: Vec<String> = p[HEADER + HELLO..]
        .chunks(4)
        .map(|c| id_at(c, 0).to_string())
        .collect();
    Ok(format!(
        "hello from {from}: router {} area {} interface {} priority {} options {:#08x} \
         hello {} s dead {} s DR {} BDR {} neighbors [{}], {verified}",
        id_at(p, 4),
        id_at(p, 8),
        u32::from_be_bytes([p[16], p[17], p[18], p[19]]),
        p[20],
        u32::from_be_bytes([0, p[21], p[22], p[23]]),
        u16::from_be_bytes([p[24], p[25]]),
        u16::from_be_bytes([p[26], p[27]]),
        id_at(p, 28),
        id_at(p, 32),
        neighbors.join(", ")
    ))
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ospf_hello: {e}");
            eprintln!(
                "usage: ospf_hello [--area ID] [--neighbor ID]... [--receive N] [--listen SECS] IFACE ROUTER-ID"
            );
            return ExitCode::from(2);
        }
    };
    let socket: OwnedFd = match rustix::net::socket(
        AddressFamily::INET6,
        SocketType::RAW,
        Protocol::from_raw(OSPF.try_into().expect("non-zero")).into(),
    ) {
        Ok(s) => s,
        Err(rustix::io::Errno::PERM | rustix::io::Errno::ACCESS) => {
            eprintln!("ospf_hello: needs root (CAP_NET_RAW) to open a raw ip6:89 socket");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("ospf_hello: raw ip6:89 socket: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(&socket, &o) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ospf_hello: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(socket: &OwnedFd, o: &Options) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let ifindex = ipv6_backend_libc::interface_index(&o.interface)?;
    let conn = ipv6_backend_libc::packet_conn(socket)?;
    conn.set_checksum(Some(CHECKSUM_OFFSET))?;
    conn.join_group(Some(ifindex), ALL_SPF_ROUTERS)?;
    conn.set_multicast_interface(Some(ifindex))?;
    conn.set_multicast_hop_limit(1)?;
    conn.set_multicast_loopback(false)?;
    conn.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;

    let packet = hello(o, ifindex);
    let to = SocketAddrV6::new(ALL_SPF_ROUTERS, 0, 0, ifindex);
    conn.write_to(&packet, None, Some(&to))?;
    println!(
        "sent hello on {} (index {ifindex}) as router {} in area {}, {} bytes, checksum by the kernel at offset {CHECKSUM_OFFSET}",
        o.interface,
        o.router_id,
        o.area,
        packet.len()
    );

    let deadline = Instant::now() + o.listen;
    let mut buf = [0u8; 1500];
    let mut received = 0;
    while received < o.receive {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            eprintln!(
                "ospf_hello: {received} of {} hellos within {:?}",
                o.receive, o.listen
            );
            return Ok(ExitCode::FAILURE);
        }
        conn.set_read_timeout(Some(left))?;
        let (n, cm, from) = match conn.read_from(&mut buf) {
            Ok(got) => got,
            Err(e) if e.is_timeout() || e.is_interrupted() => continue,
            Err(e) => return Err(e.into()),
        };
        if cm.if_index != 0 && cm.if_index != ifindex {
            continue; // another link's hello
        }
        let Some(from) = from else { continue };
        match decode(&buf[..n], *from.ip(), cm.dst) {
            Ok(line) => {
                println!("{line}");
                received += 1;
            }
            Err(why) => eprintln!("ospf_hello: ignored {why}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
