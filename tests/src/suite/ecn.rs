//! ECN and DSCP per packet, beyond Go: every ECN codepoint with several
//! DSCP values, sent in each packet's control message, received with their
//! exact values, and seen on the wire by a capture.

use ipv6_core::{ControlFlags, ControlMessage, Dscp, Ecn, Operation as Op, SocketOption as O};

use super::sockets::Sock;
use super::unicast::set_flags;
use super::{Backend, Outcome, must};
use crate::capture;
use crate::netns::Netns;

/// Default, lower effort, AF11, AF41, EF, CS6 and the largest codepoint.
const DSCPS: [Dscp; 7] = [
    Dscp::DEFAULT,
    Dscp::LE,
    Dscp::AF11,
    Dscp::AF41,
    Dscp::EF,
    Dscp::CS6,
    match Dscp::new(63) {
        Some(d) => d,
        None => panic!(),
    },
];

/// Each (DSCP, ECN) pair in its own datagram's `IPV6_TCLASS`: the receiver
/// reports exactly those bits, and so does the wire.
pub fn ecn_and_dscp_per_packet<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let pairs: Vec<(Dscp, Ecn)> = DSCPS
        .iter()
        .flat_map(|&d| Ecn::ALL.map(|e| (d, e)))
        .collect();
    let filter = format!("udp and dst port {}", rx.local().port());
    let wire = capture::start("ecn_and_dscp_per_packet", "lo", &filter, pairs.len());
    let reported = set_flags(&rx, ControlFlags::TRAFFIC_CLASS, true);
    for (i, &(dscp, ecn)) in pairs.iter().enumerate() {
        let mut cm = ControlMessage::default();
        cm.set_dscp_ecn(dscp, ecn);
        tx.send(&[i as u8], Some(&cm), rx.local())?;
        let got = rx.recv()?;
        assert_eq!(got.payload, [i as u8], "[{}]", B::NAME);
        if reported {
            assert_eq!(
                (got.control.dscp(), got.control.ecn()),
                (Some(dscp), Some(ecn)),
                "[{}] {dscp} {ecn}",
                B::NAME
            );
        }
    }
    if let Some(wire) = wire {
        let seen: Vec<(Dscp, Ecn)> = wire.finish().iter().map(|h| (h.dscp(), h.ecn())).collect();
        assert_eq!(seen, pairs, "[{}] traffic classes on the wire", B::NAME);
    }
    // The socket-wide setter takes the same two fields.
    must::<B, _>(
        &[Op::Set(O::TrafficClass)],
        tx.set_dscp_ecn(Dscp::AF41, Ecn::Ect1),
    )?;
    let (dscp, ecn) = must::<B, _>(&[Op::Get(O::TrafficClass)], tx.dscp_ecn())?;
    assert_eq!((dscp, ecn), (Dscp::AF41, Ecn::Ect1), "[{}]", B::NAME);
    tx.send(b"socket-wide", None, rx.local())?;
    let got = rx.recv()?;
    if reported {
        assert_eq!(got.control.traffic_class, Some(0x89), "[{}]", B::NAME);
    }
    Some(())
}
