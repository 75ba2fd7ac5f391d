//! A UDP echo server on tokio that answers each request from the address it
//! was sent to, out of the interface it came in on: what a multi-homed
//! server must do, and what `ControlMessage::reply_to` builds.
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --features tokio --example async_echo -- --listen '[::]:7007'
//! ```
//!
//! Options: `--listen ADDR` (default `[::]:7007`), `--count N` (exit after
//! N requests; default: serve forever), `--tasks N` (tasks reading the one
//! socket at once, default 4).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ipv6_backend_libc::tokio::AsyncPacketConn;
use ipv6_core::{ControlFlags, ControlMessage};
use tokio::net::UdpSocket;

struct Options {
    listen: String,
    count: Option<usize>,
    tasks: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        listen: "[::]:7007".into(),
        count: None,
        tasks: 4,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => o.listen = value()?,
            "--count" => o.count = Some(value()?.parse().map_err(|e| format!("--count: {e}"))?),
            "--tasks" => o.tasks = value()?.parse().map_err(|e| format!("--tasks: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("async_echo: {e}");
            eprintln!("usage: async_echo [--listen ADDR] [--count N] [--tasks N]");
            return ExitCode::from(2);
        }
    };
    match serve(&o).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async_echo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let socket = UdpSocket::bind(&o.listen).await?;
    let local = socket.local_addr()?;
    let conn = Arc::new(AsyncPacketConn::new(socket)?);
    // Socket options are synchronous, as on a blocking socket.
    conn.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)?;
    println!("listening on {local}");

    let served = Arc::new(AtomicUsize::new(0));
    let (done, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut tasks = Vec::new();
    for _ in 0..o.tasks.max(1) {
        let (conn, served, done) = (conn.clone(), served.clone(), done.clone());
        let mut stop = done.subscribe();
        let count = o.count;
        tasks.push(tokio::spawn(async move {
            let mut buf = [0u8; 9000];
            loop {
                // A dropped read loses no datagram, so racing it is safe.
                let got = tokio::select! {
                    got = conn.read_from(&mut buf) => got,
                    _ = stop.recv() => return Ok::<(), ipv6_core::Error>(()),
                };
                let (n, cm, from) = got?;
                let Some(from) = from else { continue };
                let reply = ControlMessage::reply_to(&cm);
                conn.write_to(&buf[..n], Some(&reply), Some(&from)).await?;
                let to = cm.dst.map_or("?".to_string(), |d| d.to_string());
                println!(
                    "echoed {n} bytes to {} (sent to {to} on interface {}) from {:#}",
                    SocketAddr::V6(from),
                    cm.if_index,
                    reply
                );
                let total = served.fetch_add(1, Ordering::SeqCst) + 1;
                if count.is_some_and(|max| total >= max) {
                    let _ = done.send(());
                    return Ok(());
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}
