//! `PacketConn` over a backend chosen at run time: `Box<dyn SocketBackend +
//! Send + Sync>` and `Arc<…>` forward every call (ipv6-core's `std`
//! feature, which this crate enables in both builds), over real UDP
//! sockets, with control data both ways where the chosen backend can carry
//! it.
//!
//! `IPV6_BACKENDS=libc,rustix` (the default) picks the backends; every
//! sender/receiver pair of them is tried.
#![cfg(target_os = "linux")]

mod common;

use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use common::{default_hop_limit, lo_index, local_v6, udp6};
use ipv6_backend_rustix::{Capability, control_message_capability};
use ipv6_core::{
    ControlFlags, ControlMessage, Error, Operation, PacketConn, Platform, SocketBackend,
    SocketOption,
};

type DynBackend = Box<dyn SocketBackend + Send + Sync>;

/// A backend named at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Libc,
    Rustix,
}

impl Choice {
    fn parse(name: &str) -> Choice {
        match name.trim() {
            "libc" => Choice::Libc,
            "rustix" => Choice::Rustix,
            other => panic!("IPV6_BACKENDS: unknown backend {other:?} (libc, rustix)"),
        }
    }

    /// The backends to try, from `IPV6_BACKENDS`.
    fn from_env() -> Vec<Choice> {
        let names = std::env::var("IPV6_BACKENDS").unwrap_or_else(|_| "libc,rustix".into());
        names.split(',').map(Choice::parse).collect()
    }

    /// Whether this backend sends and receives control data in this build.
    fn carries_control_data(self) -> bool {
        match self {
            Choice::Libc => true,
            Choice::Rustix => control_message_capability() != Capability::Unsupported,
        }
    }

    fn backend(self, socket: UdpSocket) -> DynBackend {
        match self {
            Choice::Libc => Box::new(ipv6_backend_libc::Socket::new(socket)),
            Choice::Rustix => Box::new(ipv6_backend_rustix::Socket::new(socket)),
        }
    }
}

const FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);

/// Turns `FLAGS` on, or checks the refusal where the backend cannot
/// receive control data; returns whether records will arrive.
fn ask_for_control_data<B: SocketBackend>(pc: &PacketConn<B>, choice: Choice) -> bool {
    let result = pc.set_control_message(FLAGS, true);
    if choice.carries_control_data() {
        result.unwrap();
        assert_eq!(pc.control_flags(), FLAGS);
        true
    } else {
        let refused = Operation::Set(SocketOption::ReceiveTrafficClass);
        assert_eq!(result, Err(Error::Unsupported(refused)));
        assert_eq!(pc.control_flags(), ControlFlags::empty());
        false
    }
}

/// Sends `payload` with a traffic class and hop limit, or plainly after
/// checking the refusal where the backend cannot send control data.
fn send<B: SocketBackend>(
    pc: &PacketConn<B>,
    choice: Choice,
    payload: &[u8],
    to: &SocketAddrV6,
) -> bool {
    let control = ControlMessage {
        traffic_class: Some(0x28),
        hop_limit: Some(7),
        ..ControlMessage::default()
    };
    let result = pc.write_to(payload, Some(&control), Some(to));
    if choice.carries_control_data() {
        assert_eq!(result, Ok(payload.len()));
        true
    } else {
        assert_eq!(result, Err(Error::Unsupported(Operation::SendMsg)));
        assert_eq!(pc.write_to(payload, None, Some(to)), Ok(payload.len()));
        false
    }
}

#[test]
fn boxed_backends_chosen_at_run_time_round_trip_control_data() {
    let choices = Choice::from_env();
    for &sender in &choices {
        for &receiver in &choices {
            let context = format!("{sender:?} -> {receiver:?}");
            let (tx, rx) = (udp6(), udp6());
            let (from, to) = (local_v6(&tx), local_v6(&rx));
            rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let tx: PacketConn<DynBackend> = PacketConn::new(sender.backend(tx)).unwrap();
            let rx: PacketConn<DynBackend> = PacketConn::new(receiver.backend(rx)).unwrap();
            assert_eq!(rx.backend().platform(), &Platform::HOST);

            let reported = ask_for_control_data(&rx, receiver);
            let marked = send(&tx, sender, b"boxed", &to);

            let mut buf = [0u8; 16];
            let received = rx.read_msg(&mut [&mut buf]).unwrap();
            assert_eq!(&buf[..received.len], b"boxed", "{context}");
            assert_eq!(received.source, Some(from), "{context}");
            assert!(received.control_complete(), "{context}: {received:?}");
            let cm = received.control;
            if reported {
                assert_eq!(cm.dst, Some(Ipv6Addr::LOCALHOST), "{context}");
                assert_eq!(cm.if_index, lo_index(), "{context}");
                let (tclass, hops) = if marked {
                    (0x28, 7)
                } else {
                    (0, default_hop_limit() as u8)
                };
                assert_eq!(cm.traffic_class, Some(tclass), "{context}");
                assert_eq!(cm.hop_limit, Some(hops), "{context}");
            } else {
                assert_eq!(cm, ControlMessage::default(), "{context}");
            }
        }
    }
}

#[test]
fn arc_backends_are_shared_across_threads() {
    for choice in Choice::from_env() {
        let (tx, rx) = (udp6(), udp6());
        let to = local_v6(&rx);
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let shared: Arc<dyn SocketBackend + Send + Sync> = Arc::from(choice.backend(rx));
        let pc = PacketConn::new(Arc::clone(&shared)).unwrap();
        pc.set_hop_limit(12).unwrap();
        // The same socket, seen through the other handle.
        assert_eq!(
            shared.get(SocketOption::HopLimit),
            Ok(ipv6_core::OptionValue::Int(12)),
            "{choice:?}"
        );
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16];
            let (len, _, _) = pc.read_from(&mut buf).unwrap();
            buf[..len].to_vec()
        });
        tx.send_to(b"across threads", to).unwrap();
        assert_eq!(reader.join().unwrap(), b"across threads", "{choice:?}");
        assert_eq!(Arc::strong_count(&shared), 1, "the PacketConn was dropped");
    }
}
