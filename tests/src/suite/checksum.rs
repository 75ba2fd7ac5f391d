//! `IPV6_CHECKSUM` on the wire: with an offset set, the kernel fills the
//! checksum of outgoing packets and drops incoming ones that do not verify.

use std::net::Ipv6Addr;

use ipv6_core::{Operation as Op, SocketOption as O};

use super::sockets::{OSPF, Sock};
use super::topology::at;
use super::wire::{checksum_verifies, internet_checksum, pseudo_header};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// Where OSPFv3 keeps its checksum (RFC 5340 A.3.1).
const OFFSET: usize = 12;

/// An OSPFv3 Hello-sized packet with a zero checksum field.
fn ospf_packet(tag: u8) -> Vec<u8> {
    let mut p: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) ^ tag).collect();
    p[OFFSET..OFFSET + 2].fill(0);
    p
}

/// `packet` with its checksum computed here.
fn checksummed(mut packet: Vec<u8>) -> Vec<u8> {
    let lo = Ipv6Addr::LOCALHOST;
    let sum = internet_checksum(&[&pseudo_header(lo, lo, packet.len(), OSPF), &packet]);
    packet[OFFSET..OFFSET + 2].copy_from_slice(&sum.to_be_bytes());
    packet
}

/// The received copy of `sent`, which must be `sent` itself apart from the
/// checksum field.
fn received_copy<B: Backend>(rx: &Sock<B>, sent: &[u8]) -> Option<Vec<u8>> {
    let got = rx.recv()?.payload;
    assert_eq!(got.len(), sent.len(), "[{}]", B::NAME);
    assert_eq!(got[..OFFSET], sent[..OFFSET], "[{}]", B::NAME);
    assert_eq!(got[OFFSET + 2..], sent[OFFSET + 2..], "[{}]", B::NAME);
    Some(got)
}

/// A raw OSPF socket sends with no checksum until given offset 12, then the
/// kernel's checksum verifies against the pseudo-header; a receiver with the
/// offset set drops a packet whose checksum is wrong.
pub fn checksum_offset_filled_by_kernel<B: Backend>(_: &Netns) -> Outcome {
    let lo = Ipv6Addr::LOCALHOST;
    let to = at(lo, 0);
    let tx = Sock::<B>::raw(OSPF, Some(lo));
    let rx = Sock::<B>::raw(OSPF, Some(lo));

    let plain = ospf_packet(1);
    tx.send(&plain, None, to)?;
    let got = received_copy(&rx, &plain)?;
    assert_eq!(
        got[OFFSET..OFFSET + 2],
        [0, 0],
        "[{}] no checksum by default",
        B::NAME
    );

    must::<B, _>(
        &[Op::Set(O::Checksum)],
        tx.set_checksum(Some(OFFSET as u32)),
    )?;
    let filled = ospf_packet(2);
    tx.send(&filled, None, to)?;
    let got = received_copy(&rx, &filled)?;
    assert!(
        checksum_verifies(lo, lo, OSPF, &got),
        "[{}] kernel checksum {:?} does not verify",
        B::NAME,
        &got[OFFSET..OFFSET + 2]
    );

    // Receiving side: with the offset set, bad checksums are dropped.
    must::<B, _>(
        &[Op::Set(O::Checksum)],
        rx.set_checksum(Some(OFFSET as u32)),
    )?;
    must::<B, _>(&[Op::Set(O::Checksum)], tx.set_checksum(None))?;
    let bad = ospf_packet(3);
    let good = checksummed(ospf_packet(4));
    tx.send(&bad, None, to)?;
    tx.send(&good, None, to)?;
    assert_eq!(
        rx.recv()?.payload,
        good,
        "[{}] bad checksum delivered",
        B::NAME
    );
    rx.assert_silent("a packet with a bad checksum");
    Some(())
}
