//! ICMPv6 errors on a UDP socket from the error queue (`IPV6_RECVERR`,
//! Linux), beyond Go: Packet Too Big with the router's address and the
//! narrow link's MTU, and Time Exceeded, through a real router namespace.

use std::net::SocketAddrV6;

use ipv6_core::errqueue::{ErrorOrigin, QueuedError};
use ipv6_core::{ControlMessage, Error, IcmpType, Operation as Op, SocketOption as O};

use super::sockets::Sock;
use super::topology::{Routed, any, at};
use super::{Backend, Expect, Outcome, must, must_when, retry_interrupted};
use crate::netns::Netns;

/// The MTU behind the router.
const NARROW: u32 = 1280;

/// A UDP socket in the sender's namespace with `IPV6_RECVERR` on.
fn sender<B: Backend>() -> Option<Sock<B>> {
    let s = Sock::<B>::udp(any(0));
    must::<B, _>(&[Op::Set(O::ReceiveErrors)], s.set_receive_errors(true))?;
    let on = must::<B, _>(&[Op::Get(O::ReceiveErrors)], s.receive_errors())?;
    assert!(on, "[{}] IPV6_RECVERR reads back off", B::NAME);
    Some(s)
}

/// Sends `payload` with `control` (which must reach the kernel).
fn send<B: Backend>(
    s: &Sock<B>,
    payload: &[u8],
    control: &ControlMessage,
    to: SocketAddrV6,
) -> Outcome {
    let works = B::control_data() == Expect::Works;
    let sent = must_when::<B, _>(
        works,
        &[Op::SendMsg],
        s.write_to(payload, Some(control), Some(&to)),
    )?;
    assert_eq!(sent, payload.len(), "[{}]", B::NAME);
    Some(())
}

/// The next error-queue entry; the ICMPv6 message may still be on its way,
/// so an empty queue is asked again (boundedly).
fn next_error<B: Backend>(s: &Sock<B>, buf: &mut [u8]) -> Option<QueuedError> {
    for _ in 0..500 {
        match retry_interrupted(|| s.read_error(buf)) {
            Err(Error::Os { errno, .. }) if errno == libc::EAGAIN => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return must::<B, _>(&[Op::RecvError], other),
        }
    }
    panic!("[{}] no error queued in 5 s", B::NAME);
}

/// A 1400-byte datagram with don't-fragment set, through a router whose
/// next link has MTU 1280: the router answers Packet Too Big, and
/// `read_error` reports it with the router's address, the MTU and the
/// start of the datagram. The next such send then fails locally, queuing a
/// local `EMSGSIZE` with the same MTU.
pub fn packet_too_big_from_the_router<B: Backend>(ns: &Netns) -> Outcome {
    let net = Routed::new(ns, NARROW);
    let s = sender::<B>()?;
    let to = at(net.receiver_addr, 9);
    let payload: Vec<u8> = (0..1400u32).map(|i| i as u8).collect();
    let df = ControlMessage {
        dont_fragment: Some(true),
        ..ControlMessage::default()
    };
    send(&s, &payload, &df, to)?;
    let mut buf = [0u8; 64];
    let entry = next_error(&s, &mut buf)?;
    let error = entry
        .error
        .unwrap_or_else(|| panic!("[{}] {entry:?}", B::NAME));
    assert_eq!(error.origin, ErrorOrigin::Icmp6, "[{}]", B::NAME);
    assert_eq!(
        (error.icmp_type, error.code),
        (IcmpType::PACKET_TOO_BIG, 0),
        "[{}]",
        B::NAME
    );
    assert_eq!(error.mtu(), Some(NARROW), "[{}] MTU", B::NAME);
    assert_eq!(error.errno, libc::EMSGSIZE as u32, "[{}]", B::NAME);
    assert_eq!(
        error.offender.map(|a| *a.ip()),
        Some(net.router_addr),
        "[{}] offender",
        B::NAME
    );
    assert_eq!(
        entry.destination,
        Some(to),
        "[{}] original destination",
        B::NAME
    );
    assert_eq!(
        &buf[..entry.len],
        &payload[..entry.len],
        "[{}] quoted datagram",
        B::NAME
    );
    assert!(
        entry.len == buf.len() && entry.truncated,
        "[{}] {entry:?}",
        B::NAME
    );

    // The path MTU is known now: the socket option forbids fragmenting, and
    // the send fails here, queuing a local error with that MTU.
    must::<B, _>(&[Op::Set(O::DontFragment)], s.set_dont_fragment(true))?;
    assert!(must::<B, _>(
        &[Op::Get(O::DontFragment)],
        s.dont_fragment()
    )?);
    assert_eq!(
        s.write_to(&payload, None, Some(&to)),
        Err(Error::Os {
            op: Op::SendMsg,
            errno: libc::EMSGSIZE
        }),
        "[{}] a send beyond the known path MTU",
        B::NAME
    );
    let local = next_error(&s, &mut buf)?.error.expect("a local error");
    assert_eq!(
        (local.origin, local.offender, local.mtu()),
        (ErrorOrigin::Local, None, Some(NARROW))
    );
    Some(())
}

/// A hop limit of 1 through the router: it answers Time Exceeded (hop
/// limit exceeded in transit), which `read_error` reports with the router's
/// address and no MTU.
pub fn time_exceeded_from_the_router<B: Backend>(ns: &Netns) -> Outcome {
    let net = Routed::new(ns, NARROW);
    let s = sender::<B>()?;
    let to = at(net.receiver_addr, 9);
    let one_hop = ControlMessage {
        hop_limit: Some(1),
        ..ControlMessage::default()
    };
    send(&s, b"one hop only", &one_hop, to)?;
    let mut buf = [0u8; 64];
    let entry = next_error(&s, &mut buf)?;
    let error = entry
        .error
        .unwrap_or_else(|| panic!("[{}] {entry:?}", B::NAME));
    assert_eq!(
        (error.origin, error.icmp_type, error.code),
        (ErrorOrigin::Icmp6, IcmpType::TIME_EXCEEDED, 0)
    );
    assert_eq!(error.errno, libc::EHOSTUNREACH as u32, "[{}]", B::NAME);
    assert_eq!(error.mtu(), None, "[{}]", B::NAME);
    assert_eq!(
        error.offender.map(|a| *a.ip()),
        Some(net.router_addr),
        "[{}]",
        B::NAME
    );
    assert_eq!(entry.destination, Some(to), "[{}]", B::NAME);
    assert_eq!(&buf[..entry.len], b"one hop only", "[{}]", B::NAME);
    Some(())
}
