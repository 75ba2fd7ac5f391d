//! traceroute over ICMPv6: echo requests with a hop limit set per packet
//! (1, 2, 3, …), a raw ICMPv6 socket whose ICMP filter lets in only the
//! answers (time exceeded, destination unreachable, echo reply), and each
//! hop's address and round-trip times.
//!
//! ```sh
//! sudo target/debug/examples/traceroute6 2001:db8::1
//! ```
//!
//! Options: `--max-hops N` (default 30), `--probes N` per hop (default 3),
//! `--wait-ms N` per probe (default 1000). Needs root (`CAP_NET_RAW`).

use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::OwnedFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ipv6_core::{ControlMessage, HEADER_LEN, IcmpFilter, IcmpType};
use rustix::net::{AddressFamily, SocketType, ipproto};

struct Options {
    destination: Ipv6Addr,
    max_hops: u8,
    probes: u16,
    wait: Duration,
}

fn options() -> Result<Options, String> {
    let mut destination = None;
    let mut o = Options {
        destination: Ipv6Addr::UNSPECIFIED,
        max_hops: 30,
        probes: 3,
        wait: Duration::from_secs(1),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--max-hops" => {
                o.max_hops = value()?.parse().map_err(|e| format!("--max-hops: {e}"))?
            }
            "--probes" => o.probes = value()?.parse().map_err(|e| format!("--probes: {e}"))?,
            "--wait-ms" => {
                let ms: u64 = value()?.parse().map_err(|e| format!("--wait-ms: {e}"))?;
                o.wait = Duration::from_millis(ms.max(1));
            }
            addr => destination = Some(addr.parse().map_err(|e| format!("{addr}: {e}"))?),
        }
    }
    o.destination = destination.ok_or("name a destination address")?;
    if o.max_hops == 0 || o.probes == 0 || o.probes > 16 {
        return Err("--max-hops must be 1..=255 and --probes 1..=16".into());
    }
    Ok(o)
}

/// An answer to one of our probes.
enum Answer {
    /// A router on the way: time exceeded (or unreachable, which ends the trace).
    Hop { from: Ipv6Addr, last: bool },
    /// The destination's echo reply.
    Reached { from: Ipv6Addr },
}

/// Whether `message` (an ICMPv6 message as a raw socket delivers it)
/// answers our echo request `(id, seq)`.
fn answer(message: &[u8], from: Ipv6Addr, id: u16, seq: u16) -> Option<Answer> {
    let typ = IcmpType(*message.first()?);
    let ours = |echo: &[u8]| {
        echo.len() >= 8
            && echo[0] == IcmpType::ECHO_REQUEST.0
            && echo[4..6] == id.to_be_bytes()
            && echo[6..8] == seq.to_be_bytes()
    };
    match typ {
        IcmpType::ECHO_REPLY => {
            let reply = message.get(..8)?;
            (reply[4..6] == id.to_be_bytes() && reply[6..8] == seq.to_be_bytes())
                .then_some(Answer::Reached { from })
        }
        // The invoking packet follows the 8-byte error header: its IPv6
        // header, then our echo request.
        IcmpType::TIME_EXCEEDED | IcmpType::DESTINATION_UNREACHABLE => {
            let invoking = message.get(8 + HEADER_LEN..)?;
            ours(invoking).then_some(Answer::Hop {
                from,
                last: typ == IcmpType::DESTINATION_UNREACHABLE,
            })
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("traceroute6: {e}");
            eprintln!("usage: traceroute6 [--max-hops N] [--probes N] [--wait-ms N] DESTINATION");
            return ExitCode::from(2);
        }
    };
    let socket: OwnedFd =
        match rustix::net::socket(AddressFamily::INET6, SocketType::RAW, Some(ipproto::ICMPV6)) {
            Ok(s) => s,
            Err(rustix::io::Errno::PERM | rustix::io::Errno::ACCESS) => {
                eprintln!("traceroute6: needs root (CAP_NET_RAW) to open a raw ICMPv6 socket");
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("traceroute6: raw ICMPv6 socket: {e}");
                return ExitCode::FAILURE;
            }
        };
    match trace(&socket, &o) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "traceroute6: {} not reached in {} hops",
                o.destination, o.max_hops
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("traceroute6: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Probes hop by hop; whether the destination answered.
fn trace(socket: &OwnedFd, o: &Options) -> Result<bool, Box<dyn std::error::Error>> {
    let conn = ipv6_backend_libc::packet_conn(socket)?;
    let mut filter = IcmpFilter::BLOCK_ALL;
    for typ in [
        IcmpType::ECHO_REPLY,
        IcmpType::TIME_EXCEEDED,
        IcmpType::DESTINATION_UNREACHABLE,
    ] {
        filter.accept(typ);
    }
    conn.set_icmp_filter(&filter)?;
    let id = std::process::id() as u16;
    let to = SocketAddrV6::new(o.destination, 0, 0, 0);
    println!(
        "traceroute6 to {}, {} hops max, {} probes per hop",
        o.destination, o.max_hops, o.probes
    );
    let mut buf = [0u8; 1500];
    for hop in 1..=o.max_hops {
        let mut line = format!("{hop:2}");
        let mut shown: Option<Ipv6Addr> = None;
        let mut done = false;
        for probe in 0..o.probes {
            let seq = u16::from(hop) << 4 | probe;
            let mut echo = [0u8; 16];
            echo[0] = IcmpType::ECHO_REQUEST.0;
            echo[4..6].copy_from_slice(&id.to_be_bytes());
            echo[6..8].copy_from_slice(&seq.to_be_bytes());
            echo[8..].copy_from_slice(b"ipv6-rs!");
            // The kernel computes the ICMPv6 checksum; the hop limit is
            // this packet's only.
            let per_packet = ControlMessage {
                hop_limit: Some(hop),
                ..ControlMessage::default()
            };
            let sent_at = Instant::now();
            conn.write_to(&echo, Some(&per_packet), Some(&to))?;
            let got = loop {
                let left = o.wait.saturating_sub(sent_at.elapsed());
                if left.is_zero() {
                    break None;
                }
                conn.set_read_timeout(Some(left))?;
                match conn.read_from(&mut buf) {
                    Ok((n, _, Some(from))) => {
                        if let Some(a) = answer(&buf[..n], *from.ip(), id, seq) {
                            break Some(a);
                        }
                    }
                    Ok((_, _, None)) => {}
                    Err(e) if e.is_timeout() => break None,
                    Err(e) if e.is_interrupted() => {}
                    Err(e) => return Err(e.into()),
                }
            };
            let rtt = sent_at.elapsed().as_secs_f64() * 1000.0;
            let from = match got {
                None => {
                    line.push_str("  *");
                    continue;
                }
                Some(Answer::Hop { from, last }) => {
                    done |= last;
                    from
                }
                Some(Answer::Reached { from }) => {
                    done = true;
                    from
                }
            };
            if shown != Some(from) {
                line.push_str(&format!("  {from}"));
                shown = Some(from);
            }
            line.push_str(&format!("  {rtt:.3} ms"));
        }
        println!("{line}");
        if done {
            return Ok(shown == Some(o.destination));
        }
    }
    Ok(false)
}
