//! A TCP server that marks each accepted connection: every packet it sends
//! carries the traffic class and hop limit set here (Go's "Unicasting"
//! example: `ipv6.NewConn(c).SetTrafficClass(0x28)`).
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --example marking_tcp -- --listen '[::1]:1024' --tclass 0x28 --hops 9
//! ```
//!
//! Options: `--listen ADDR` (default `[::]:1024`), `--tclass N` (default
//! `0x28`, DiffServ AF11), `--hops N` (default 64), `--connections N`
//! (stop after N; default: serve forever). Each connection gets a line of
//! text, then is closed.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;

struct Options {
    listen: String,
    tclass: i32,
    hops: i32,
    connections: Option<usize>,
}

fn parse_int(s: &str) -> Result<i32, String> {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => i32::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|e| format!("{s}: {e}"))
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        listen: "[::]:1024".into(),
        tclass: 0x28,
        hops: 64,
        connections: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => o.listen = value()?,
            "--tclass" => o.tclass = parse_int(&value()?)?,
            "--hops" => o.hops = parse_int(&value()?)?,
            "--connections" => o.connections = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// Marks `stream`, reads the marks back from the kernel, greets the peer.
fn serve(stream: TcpStream, tclass: i32, hops: i32) -> Result<String, Box<dyn std::error::Error>> {
    let peer = stream.peer_addr()?;
    let conn = ipv6_backend_libc::conn(&stream)?;
    conn.set_traffic_class(tclass)?;
    conn.set_hop_limit(hops)?;
    let (tclass, hops) = (conn.traffic_class()?, conn.hop_limit()?);
    let mut stream = &stream;
    writeln!(
        stream,
        "hello {peer}: this connection's packets carry traffic class {tclass:#x} and hop limit {hops}"
    )?;
    Ok(format!(
        "{peer}: traffic class {tclass:#x}, hop limit {hops}"
    ))
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("marking_tcp: {e}");
            eprintln!(
                "usage: marking_tcp [--listen ADDR] [--tclass N] [--hops N] [--connections N]"
            );
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&o.listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("marking_tcp: cannot listen on {}: {e}", o.listen);
            return ExitCode::FAILURE;
        }
    };
    // Refuse an IPv4 listener up front: the marks are IPv6 options.
    if let Err(e) = ipv6_backend_libc::conn(&listener) {
        eprintln!("marking_tcp: {}: {e}", o.listen);
        return ExitCode::FAILURE;
    }
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(e) => eprintln!("marking_tcp: {e}"),
    }
    let mut workers = Vec::new();
    for (n, stream) in listener.incoming().enumerate() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                eprintln!("marking_tcp: accept: {e}");
                continue;
            }
        };
        let (tclass, hops) = (o.tclass, o.hops);
        workers.push(thread::spawn(move || match serve(stream, tclass, hops) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("marking_tcp: {e}"),
        }));
        if o.connections.is_some_and(|max| n + 1 >= max) {
            break;
        }
    }
    for w in workers {
        let _ = w.join();
    }
    ExitCode::SUCCESS
}
