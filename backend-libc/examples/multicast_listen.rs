//! Joins multicast groups on named interfaces, any-source or
//! source-specific, and prints each datagram with its control message
//! (Go's "Multicasting" and "Source-specific multicasting" examples).
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --example multicast_listen -- --port 1024 eth0/ff02::114 eth0/ff3e::8000:1/2001:db8::1
//! ```
//!
//! Each `IFACE/GROUP` joins GROUP on IFACE for any source; each
//! `IFACE/GROUP/SOURCE` joins it for traffic from SOURCE only (RFC 4607).
//! Options: `--port P` (default 1024), `--count N` (exit after N
//! datagrams), `--timeout SECS` (exit non-zero if nothing arrives for that
//! long).

use std::net::{Ipv6Addr, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use ipv6_core::ControlFlags;

struct Join {
    interface: String,
    index: u32,
    group: Ipv6Addr,
    source: Option<Ipv6Addr>,
}

struct Options {
    port: u16,
    count: Option<usize>,
    timeout: Option<Duration>,
    joins: Vec<Join>,
}

fn join_spec(spec: &str) -> Result<Join, String> {
    let mut parts = spec.split('/');
    let (Some(interface), Some(group)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "{spec}: expected IFACE/GROUP or IFACE/GROUP/SOURCE"
        ));
    };
    let addr = |s: &str| s.parse::<Ipv6Addr>().map_err(|e| format!("{s}: {e}"));
    let source = parts.next().map(addr).transpose()?;
    // The library names the interface it could not find.
    let index = ipv6_backend_libc::interface_index(interface).map_err(|e| e.to_string())?;
    Ok(Join {
        interface: interface.to_string(),
        index,
        group: addr(group)?,
        source,
    })
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        port: 1024,
        count: None,
        timeout: None,
        joins: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => o.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--count" => o.count = Some(value()?.parse().map_err(|e| format!("--count: {e}"))?),
            "--timeout" => {
                let secs: u64 = value()?.parse().map_err(|e| format!("--timeout: {e}"))?;
                o.timeout = Some(Duration::from_secs(secs));
            }
            spec => o.joins.push(join_spec(spec)?),
        }
    }
    if o.joins.is_empty() {
        return Err("name at least one IFACE/GROUP to join (it needs an interface)".into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("multicast_listen: {e}");
            eprintln!(
                "usage: multicast_listen [--port P] [--count N] [--timeout SECS] IFACE/GROUP[/SOURCE]..."
            );
            return ExitCode::from(2);
        }
    };
    match listen(&o) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("multicast_listen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn listen(o: &Options) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let socket = UdpSocket::bind(("::", o.port))?;
    let conn = ipv6_backend_libc::packet_conn(&socket)?;
    for j in &o.joins {
        match j.source {
            None => conn.join_group(Some(j.index), j.group)?,
            Some(source) => conn.join_source_specific_group(Some(j.index), j.group, source)?,
        }
        let from = j
            .source
            .map_or("any source".to_string(), |s| format!("source {s}"));
        println!(
            "joined {} on {} (index {}), {from}",
            j.group, j.interface, j.index
        );
    }
    conn.set_control_message(
        ControlFlags::TRAFFIC_CLASS
            | ControlFlags::HOP_LIMIT
            | ControlFlags::DST
            | ControlFlags::INTERFACE,
        true,
    )?;
    conn.set_read_timeout(o.timeout)?;
    println!("listening on [::]:{}", o.port);

    let mut buf = [0u8; 9000];
    let mut seen = 0;
    while o.count.is_none_or(|n| seen < n) {
        let got = match conn.read_msg(&mut [&mut buf]) {
            Ok(got) => got,
            Err(e) if e.is_interrupted() => continue,
            Err(e) if e.is_timeout() => {
                eprintln!(
                    "multicast_listen: nothing for {:?} after {seen} datagrams",
                    o.timeout.unwrap_or_default()
                );
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };
        seen += 1;
        let from = got.source.map_or("?".to_string(), |s| s.to_string());
        let text = String::from_utf8_lossy(&buf[..got.len]);
        let cut = if got.truncated { " (truncated)" } else { "" };
        println!(
            "from {from}: {} bytes {text:?}{cut}: {:#}",
            got.len, got.control
        );
    }
    Ok(ExitCode::SUCCESS)
}
