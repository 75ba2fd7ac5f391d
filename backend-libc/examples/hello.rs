//! Sends one UDP datagram over [::1] with a per-packet traffic class and hop
//! limit, and prints what the receiver learns from its control messages.
//!
//! ```sh
//! cargo run -p ipv6-backend-libc --example hello
//! ```

use std::net::UdpSocket;
use std::time::Duration;

use ipv6_core::{ControlFlags, ControlMessage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let receiver = UdpSocket::bind("[::1]:0")?;
    let sender = UdpSocket::bind("[::1]:0")?;
    let to = match receiver.local_addr()? {
        std::net::SocketAddr::V6(addr) => addr,
        std::net::SocketAddr::V4(_) => unreachable!("bound to [::1]"),
    };

    let rx = ipv6_backend_libc::packet_conn(&receiver)?;
    rx.set_control_message(
        ControlFlags::TRAFFIC_CLASS
            | ControlFlags::HOP_LIMIT
            | ControlFlags::DST
            | ControlFlags::INTERFACE,
        true,
    )?;
    rx.set_read_timeout(Some(Duration::from_secs(5)))?;

    let tx = ipv6_backend_libc::packet_conn(&sender)?;
    let per_packet = ControlMessage {
        traffic_class: Some(0x28), // DiffServ AF11
        hop_limit: Some(7),
        ..ControlMessage::default()
    };
    tx.write_to(b"hello", Some(&per_packet), Some(&to))?;

    let mut buf = [0u8; 1500];
    let (n, cm, from) = rx.read_from(&mut buf)?;
    let from = from.map_or_else(|| "an unknown sender".to_owned(), |a| a.to_string());
    println!("received {n} bytes from {from}: {cm}");
    Ok(())
}
