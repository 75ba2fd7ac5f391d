//! An ICMPv6 filter really filters: a raw socket receives exactly the types
//! it accepts.

use std::net::Ipv6Addr;

use ipv6_core::{IcmpFilter, IcmpType, Operation as Op, SocketOption as O};

use super::sockets::{ICMPV6, Sock};
use super::topology::at;
use super::wire::{icmp_fields, icmp_message};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// RFC 4443 private experimentation (informational): ignored by the kernel.
const PRIVATE_200: IcmpType = IcmpType(200);
const PRIVATE_201: IcmpType = IcmpType(201);
const PRIVATE_202: IcmpType = IcmpType(202);
const ID: u16 = 0x4242;

/// What is sent, in order; the last is the sentinel, accepted by the filter.
const SENT: [IcmpType; 6] = [
    IcmpType::ECHO_REQUEST, // blocked, but the kernel's echo reply is accepted
    PRIVATE_201,
    IcmpType::NODE_INFORMATION_QUERY,
    IcmpType::ECHO_REPLY,
    PRIVATE_202,
    PRIVATE_200,
];

/// Sends [`SENT`] (sequence numbers `base + index`) and receives until
/// `expected` (type, sequence) have arrived, then checks nothing else does.
fn exchange<B: Backend>(
    rx: &Sock<B>,
    tx: &Sock<B>,
    base: u16,
    mut expected: Vec<(IcmpType, u16)>,
) -> Outcome {
    for (i, typ) in SENT.into_iter().enumerate() {
        let m = icmp_message(typ, ID, base + i as u16, b"filter", None);
        tx.send(&m, None, at(Ipv6Addr::LOCALHOST, 0))?;
    }
    while !expected.is_empty() {
        let got = rx.recv()?;
        let (typ, _, id, seq) = icmp_fields(&got.payload);
        assert_eq!(id, ID, "[{}] stray message {:?}", B::NAME, got.payload);
        let at = expected.iter().position(|&e| e == (typ, seq));
        let at = at.unwrap_or_else(|| {
            panic!(
                "[{}] {typ:?} seq {seq} arrived; still expecting {expected:?}",
                B::NAME
            )
        });
        expected.swap_remove(at);
    }
    rx.assert_silent("every message sent before the sentinel has been dealt with");
    Some(())
}

/// A filter accepting echo replies and type 200 passes exactly those (the
/// kernel's reply to the blocked echo request among them); with the filter
/// cleared, everything arrives.
pub fn icmp_filter_delivers_only_accepted<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    let tx = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REPLY);
    filter.accept(PRIVATE_200);
    if must::<B, _>(&[Op::Set(O::IcmpFilter)], rx.set_icmp_filter(&filter)).is_some() {
        let accepted = vec![
            (IcmpType::ECHO_REPLY, 0), // the kernel answering SENT[0]
            (IcmpType::ECHO_REPLY, 3),
            (PRIVATE_200, 5),
        ];
        exchange(&rx, &tx, 0, accepted)?;
        must::<B, _>(
            &[Op::Set(O::IcmpFilter)],
            rx.set_icmp_filter(&IcmpFilter::PASS_ALL),
        )?;
    }
    let mut everything: Vec<_> = SENT
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, 100 + i as u16))
        .collect();
    everything.push((IcmpType::ECHO_REPLY, 100));
    exchange(&rx, &tx, 100, everything)
}
