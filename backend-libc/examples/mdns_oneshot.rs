//! A one-shot mDNS responder (RFC 6762): joins `ff02::fb` on a named
//! interface, waits for a query for the name given on the command line,
//! answers it with the interface's IPv6 addresses (AAAA records) out of the
//! interface the query arrived on, and exits.
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --example mdns_oneshot -- eth0 printer.local
//! # elsewhere on the link: avahi-resolve -6 -n printer.local, or dig -p 5353 @ff02::fb%eth0 printer.local AAAA
//! ```
//!
//! A query from port 5353 gets a multicast answer (or a unicast one when it
//! sets the QU bit); a query from any other port is a "legacy unicast"
//! query and gets a unicast answer echoing its ID and question, as RFC 6762
//! section 6.7 asks. DNS messages are built and parsed here, minimally:
//! questions with name compression, AAAA answers. Options: `--timeout SECS`
//! (default 60; exit non-zero if no query comes). Needs an interface; no
//! root (5353 is not a privileged port), but no other responder may hold
//! the port.

use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ipv6_core::{ControlFlags, ControlMessage};

const MDNS_GROUP: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
const MDNS_PORT: u16 = 5353;
const TYPE_AAAA: u16 = 28;
const TYPE_ANY: u16 = 255;
const CLASS_IN: u16 = 1;
/// The QU bit of a question's class, and the cache-flush bit of an answer's.
const TOP_BIT: u16 = 0x8000;

/// One question of a query.
struct Question {
    name: String,
    qtype: u16,
    unicast_response: bool,
}

/// A DNS name at `at`, following compression pointers; the name and the
/// offset just past it in the message.
fn read_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels = Vec::new();
    let mut end = None;
    for _ in 0..64 {
        let len = *msg.get(at)? as usize;
        match len {
            0 => return Some((labels.join("."), end.unwrap_or(at + 1))),
            l if l & 0xc0 == 0xc0 => {
                let pointer = (l & 0x3f) << 8 | *msg.get(at + 1)? as usize;
                end.get_or_insert(at + 2);
                at = pointer;
            }
            l if l < 64 => {
                let label = msg.get(at + 1..at + 1 + l)?;
                labels.push(String::from_utf8_lossy(label).into_owned());
                at += 1 + l;
            }
            _ => return None,
        }
    }
    None // a pointer loop
}

/// The questions of a query, or `None` for a response or a malformed one.
fn questions(msg: &[u8]) -> Option<(u16, Vec<Question>)> {
    let header = msg.get(..12)?;
    let id = u16::from_be_bytes([header[0], header[1]]);
    let flags = u16::from_be_bytes([header[2], header[3]]);
    if flags & 0x8000 != 0 || flags & 0x7800 != 0 {
        return None; // a response, or not a standard query
    }
    let count = u16::from_be_bytes([header[4], header[5]]);
    let mut at = 12;
    let mut out = Vec::new();
    for _ in 0..count {
        let (name, next) = read_name(msg, at)?;
        let fixed = msg.get(next..next + 4)?;
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        out.push(Question {
            name,
            qtype: u16::from_be_bytes([fixed[0], fixed[1]]),
            unicast_response: class & TOP_BIT != 0,
        });
        if class & !TOP_BIT != CLASS_IN {
            out.pop();
        }
        at = next + 4;
    }
    Some((id, out))
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

/// An authoritative response with one AAAA record per address; with
/// `legacy`, the query's ID and the question echoed and a short TTL.
fn response(name: &str, addresses: &[Ipv6Addr], legacy: Option<u16>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&legacy.unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&0x8400u16.to_be_bytes()); // QR, AA
    let questions: u16 = legacy.map_or(0, |_| 1);
    out.extend_from_slice(&questions.to_be_bytes());
    out.extend_from_slice(&(addresses.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    if legacy.is_some() {
        write_name(&mut out, name);
        out.extend_from_slice(&TYPE_AAAA.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
    }
    // Legacy resolvers do not know the cache-flush bit, and must not cache
    // for long (RFC 6762 section 6.7).
    let (class, ttl) = match legacy {
        Some(_) => (CLASS_IN, 10u32),
        None => (CLASS_IN | TOP_BIT, 120),
    };
    for addr in addresses {
        write_name(&mut out, name);
        out.extend_from_slice(&TYPE_AAAA.to_be_bytes());
        out.extend_from_slice(&class.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&16u16.to_be_bytes());
        out.extend_from_slice(&addr.octets());
    }
    out
}

struct Options {
    interface: String,
    name: String,
    timeout: Duration,
}

fn options() -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut timeout = Duration::from_secs(60);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--timeout" {
            let secs: u64 = args
                .next()
                .ok_or("--timeout needs a value")?
                .parse()
                .map_err(|e| format!("--timeout: {e}"))?;
            timeout = Duration::from_secs(secs.max(1));
        } else {
            positional.push(arg);
        }
    }
    let [interface, name]: [String; 2] = positional
        .try_into()
        .map_err(|_| "name an interface and a host name (it needs an interface)".to_string())?;
    Ok(Options {
        interface,
        name: name.trim_end_matches('.').to_string(),
        timeout,
    })
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mdns_oneshot: {e}");
            eprintln!("usage: mdns_oneshot [--timeout SECS] IFACE NAME.local");
            return ExitCode::from(2);
        }
    };
    match respond(&o) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mdns_oneshot: {e}");
            ExitCode::FAILURE
        }
    }
}

fn respond(o: &Options) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let ifindex = ipv6_backend_libc::interface_index(&o.interface)?;
    let addresses: Vec<Ipv6Addr> = ipv6_backend_libc::interfaces()?
        .into_iter()
        .find(|i| i.index == ifindex)
        .map(|i| i.addresses)
        .unwrap_or_default();
    if addresses.is_empty() {
        return Err(format!("{} has no IPv6 address to answer with", o.interface).into());
    }
    let socket = UdpSocket::bind(("::", MDNS_PORT)).map_err(|e| {
        format!("cannot bind [::]:{MDNS_PORT} ({e}); is another mDNS responder running?")
    })?;
    let conn = ipv6_backend_libc::packet_conn(&socket)?;
    conn.join_group(Some(ifindex), MDNS_GROUP)?;
    conn.set_multicast_interface(Some(ifindex))?;
    conn.set_multicast_hop_limit(255)?; // RFC 6762 section 11
    conn.set_multicast_loopback(false)?;
    conn.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;
    let list: Vec<String> = addresses.iter().map(Ipv6Addr::to_string).collect();
    println!(
        "answering {} on {} (index {ifindex}) with {}",
        o.name,
        o.interface,
        list.join(", ")
    );

    let deadline = Instant::now() + o.timeout;
    let mut buf = [0u8; 9000];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            eprintln!(
                "mdns_oneshot: no query for {} within {:?}",
                o.name, o.timeout
            );
            return Ok(ExitCode::FAILURE);
        }
        conn.set_read_timeout(Some(left))?;
        let (n, cm, from) = match conn.read_from(&mut buf) {
            Ok(got) => got,
            Err(e) if e.is_timeout() || e.is_interrupted() => continue,
            Err(e) => return Err(e.into()),
        };
        let Some(from) = from else { continue };
        // Only this interface's link: a query that came in elsewhere is not
        // ours to answer here.
        if cm.if_index != ifindex {
            continue;
        }
        let Some((id, questions)) = questions(&buf[..n]) else {
            continue;
        };
        let Some(question) = questions.iter().find(|q| {
            q.name.eq_ignore_ascii_case(&o.name) && (q.qtype == TYPE_AAAA || q.qtype == TYPE_ANY)
        }) else {
            continue;
        };
        let legacy = from.port() != MDNS_PORT;
        let reply = response(&o.name, &addresses, legacy.then_some(id));
        let (to, how) = if legacy {
            (from, "legacy unicast")
        } else if question.unicast_response {
            (from, "unicast (QU)")
        } else {
            (
                SocketAddrV6::new(MDNS_GROUP, MDNS_PORT, 0, ifindex),
                "multicast",
            )
        };
        // Out of the interface the query came in on, from the address it
        // was sent to unless that was the group.
        let per_packet = ControlMessage {
            hop_limit: Some(255),
            ..ControlMessage::reply_to(&cm)
        };
        conn.write_to(&reply, Some(&per_packet), Some(&to))?;
        println!(
            "answered {} {} from {from} ({:#}) with {} AAAA records, {how} to {to}",
            o.name,
            if question.qtype == TYPE_ANY {
                "ANY"
            } else {
                "AAAA"
            },
            cm,
            addresses.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
}
