//! UDP segmentation offload (Linux), beyond Go: a GSO send of several
//! segments is several datagrams to a plain receiver and one coalesced
//! buffer, with its segment size, to a GRO receiver; and the sends and reads
//! that would change what goes on the wire or lose data are refused.
//!
//! On loopback a GSO send stays one packet to the receiving socket, which
//! segments it unless `UDP_GRO` is on (`udp_unexpected_gso`,
//! net/ipv4/udp.c): that is what a GRO receiver behind a NIC sees.

use std::net::SocketAddrV6;

use ipv6_core::{
    ControlMessage, Error, InvalidArgument, MAX_COALESCED_LEN, Operation as Op, SocketOption as O,
};

use super::sockets::Sock;
use super::topology::{Routed, any};
use super::{Backend, Expect, Outcome, must, must_when, retry_interrupted};
use crate::netns::Netns;

/// Bytes per segment, as a QUIC stack sends them.
const SEGMENT: usize = 1200;

/// `count` segments of `SEGMENT` bytes, the `i`th filled with `i`, and a
/// short last one of `tail` bytes if `tail > 0`.
fn segments(count: usize, tail: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count {
        out.extend(std::iter::repeat_n(i as u8, SEGMENT));
    }
    out.extend(std::iter::repeat_n(0xee, tail));
    out
}

fn gso(size: usize) -> ControlMessage {
    ControlMessage {
        segment_size: Some(u16::try_from(size).unwrap()),
        ..ControlMessage::default()
    }
}

/// Sends `payload` with `control`; `None` where the backend cannot send
/// control data (after checking it says so).
#[track_caller]
fn send_gso<B: Backend>(tx: &Sock<B>, payload: &[u8], size: usize, to: SocketAddrV6) -> Outcome {
    let works = B::control_data() == Expect::Works;
    let sent = must_when::<B, _>(
        works,
        &[Op::SendMsg],
        tx.write_to(payload, Some(&gso(size)), Some(&to)),
    )?;
    assert_eq!(sent, payload.len(), "[{}] short GSO write", B::NAME);
    Some(())
}

/// A GSO send of 8 × 1200 bytes, then of 3 × 1200 + 500, arrives at a plain
/// receiver as 8 and 4 datagrams equal to the segments, in order.
pub fn gso_send_arrives_as_datagrams<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    for (count, tail) in [(8, 0), (3, 500)] {
        let payload = segments(count, tail);
        send_gso(&tx, &payload, SEGMENT, rx.local())?;
        for expected in payload.chunks(SEGMENT) {
            let got = rx.recv()?;
            assert_eq!(got.payload, expected, "[{}] segment", B::NAME);
            assert_eq!(got.source, Some(tx.local()), "[{}]", B::NAME);
            assert_eq!(
                got.control.segment_size,
                None,
                "[{}] not coalesced",
                B::NAME
            );
        }
    }
    Some(())
}

/// Turns GRO on, or checks the backend says it cannot.
fn gro_on<B: Backend>(rx: &Sock<B>) -> Outcome {
    must::<B, _>(&[Op::Set(O::ReceiveSegmentSize)], rx.set_gro(true))?;
    let on = must::<B, _>(&[Op::Get(O::ReceiveSegmentSize)], rx.gro())?;
    assert!(on, "[{}] UDP_GRO reads back off", B::NAME);
    Some(())
}

/// Reads one coalesced buffer into a buffer of `MAX_COALESCED_LEN`.
fn read_coalesced<B: Backend>(rx: &Sock<B>) -> (Vec<u8>, Option<u16>) {
    let mut buf = vec![0u8; MAX_COALESCED_LEN];
    let got = retry_interrupted(|| rx.read_msg(&mut [&mut buf]))
        .unwrap_or_else(|e| panic!("[{}] GRO read: {e}", B::NAME));
    assert!(
        !got.truncated && got.control_complete(),
        "[{}] {got:?}",
        B::NAME
    );
    (buf[..got.len].to_vec(), got.control.segment_size)
}

/// A GRO receiver gets a GSO send of 8 × 1200 (and of 3 × 1200 + 500) as
/// one buffer with segment size 1200; split, it equals what was sent.
pub fn gro_receiver_gets_them_coalesced<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    gro_on(&rx)?;
    for (count, tail) in [(8, 0), (3, 500)] {
        let payload = segments(count, tail);
        send_gso(&tx, &payload, SEGMENT, rx.local())?;
        let (buffer, size) = read_coalesced(&rx);
        assert_eq!(size, Some(SEGMENT as u16), "[{}] segment size", B::NAME);
        let split: Vec<&[u8]> = buffer.chunks(SEGMENT).collect();
        let sent: Vec<&[u8]> = payload.chunks(SEGMENT).collect();
        assert_eq!(split, sent, "[{}] split buffers", B::NAME);
    }
    // A datagram sent without GSO is one datagram, not coalesced.
    tx.send(b"single", None, rx.local())?;
    assert_eq!(read_coalesced(&rx), (b"single".to_vec(), None));
    Some(())
}

/// The same across a veth link into another namespace (the router's of a
/// [`Routed`] line, MTU 1500): the GSO packet crosses veth whole, so a GRO
/// receiver gets one coalesced buffer and a plain one gets 8 datagrams.
/// (Separate 1200-byte sends are not coalesced on veth by this kernel even
/// with `ethtool -K … gro on` and `rx-gro-list on`: each is polled alone.)
pub fn gso_and_gro_across_a_veth_link<B: Backend>(ns: &Netns) -> Outcome {
    let net = Routed::new(ns, 1500);
    let gro = Sock::<B>::new(net.udp_in_router());
    let plain = Sock::<B>::new(net.udp_in_router());
    let tx = Sock::<B>::udp(any(0));
    gro_on(&gro)?;
    let payload = segments(8, 0);
    send_gso(&tx, &payload, SEGMENT, gro.local())?;
    let (buffer, size) = read_coalesced(&gro);
    assert_eq!(size, Some(SEGMENT as u16), "[{}] segment size", B::NAME);
    assert_eq!(buffer, payload, "[{}] coalesced bytes", B::NAME);
    send_gso(&tx, &payload, SEGMENT, plain.local())?;
    for expected in payload.chunks(SEGMENT) {
        let got = plain.recv()?;
        assert_eq!(got.payload, expected, "[{}] segment", B::NAME);
        assert_eq!(
            got.source.map(|s| *s.ip()),
            Some(net.sender_addr),
            "[{}]",
            B::NAME
        );
    }
    Some(())
}

/// The largest number of segments this kernel sends in one GSO call,
/// found by sending 1-byte segments to a closed port (`UDP_MAX_SEGMENTS`:
/// 64 from Linux 4.18, 128 from 6.12; nothing exposes it, so it is
/// measured rather than assumed).
fn max_segments<B: Backend>(probe: &Sock<B>) -> usize {
    let closed = Sock::<B>::udp_loopback().local();
    let fits = |n: usize| {
        let payload = vec![0u8; n];
        match probe.write_to(&payload, Some(&gso(1)), Some(&closed)) {
            Ok(sent) => {
                assert_eq!(sent, n);
                true
            }
            Err(Error::Os { errno, .. }) if errno == libc::EINVAL => false,
            Err(e) => panic!("[{}] GSO probe of {n}: {e}", B::NAME),
        }
    };
    let (mut works, mut fails) = (1, 4096);
    assert!(fits(works) && !fits(fails), "[{}] probe bounds", B::NAME);
    while fails - works > 1 {
        let mid = (works + fails) / 2;
        if fits(mid) {
            works = mid;
        } else {
            fails = mid;
        }
    }
    works
}

/// Bad input, each with a typed error and nothing lost: a segment size of
/// 0 or beyond the payload, more segments than the kernel allows, a GRO
/// read into a buffer too small for a coalesced payload, and a read of an
/// empty error queue. After each, the next datagram arrives whole.
pub fn offload_bad_input_is_typed_and_loses_nothing<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let payload = segments(2, 0);
    for size in [0, payload.len() + 1] {
        assert_eq!(
            tx.write_to(&payload, Some(&gso(size)), Some(&rx.local())),
            Err(Error::InvalidArgument(
                Op::SendMsg,
                InvalidArgument::SegmentSize {
                    size: size as u16,
                    payload: payload.len()
                }
            )),
            "[{}] segment size {size}",
            B::NAME
        );
    }
    // Nothing was sent: the next datagram is the sentinel.
    tx.send(b"sentinel 1", None, rx.local())?;
    assert_eq!(rx.recv()?.payload, b"sentinel 1");

    if B::control_data() == Expect::Works {
        let max = max_segments(&tx);
        assert!(max >= 64, "[{}] UDP_MAX_SEGMENTS {max} < 64", B::NAME);
        let too_many = vec![7u8; max + 1];
        assert_eq!(
            tx.write_to(&too_many, Some(&gso(1)), Some(&rx.local())),
            Err(Error::Os {
                op: Op::SendMsg,
                errno: libc::EINVAL
            }),
            "[{}] {} segments",
            B::NAME,
            max + 1
        );
        // Exactly the kernel's limit goes through, as that many datagrams.
        send_gso(&tx, &too_many[..max], 1, rx.local())?;
        for _ in 0..max {
            assert_eq!(rx.recv()?.payload, [7]);
        }
        tx.send(b"sentinel 2", None, rx.local())?;
        assert_eq!(
            rx.recv()?.payload,
            b"sentinel 2",
            "[{}] a segment too many arrived",
            B::NAME
        );
    }

    // GRO on: a small buffer is refused before the datagrams are taken.
    if gro_on(&rx).is_some() {
        let sent = segments(4, 0);
        send_gso(&tx, &sent, SEGMENT, rx.local())?;
        let mut small = [0u8; 2048];
        assert_eq!(
            rx.read_from(&mut small).map(|r| r.0),
            Err(Error::InvalidArgument(
                Op::RecvMsg,
                InvalidArgument::ReceiveBufferTooSmall {
                    needed: MAX_COALESCED_LEN,
                    available: 2048
                }
            )),
            "[{}]",
            B::NAME
        );
        assert_eq!(
            read_coalesced(&rx),
            (sent, Some(SEGMENT as u16)),
            "[{}] nothing lost",
            B::NAME
        );
    }

    // An empty error queue answers EAGAIN at once, even on a blocking socket.
    must::<B, _>(&[Op::Set(O::ReceiveErrors)], tx.set_receive_errors(true))?;
    let mut buf = [0u8; 64];
    let empty = tx.read_error(&mut buf);
    if super::supports::<B>(&[Op::RecvError]) {
        assert_eq!(
            empty,
            Err(Error::Os {
                op: Op::RecvError,
                errno: libc::EAGAIN
            }),
            "[{}] empty error queue",
            B::NAME
        );
    } else {
        must::<B, _>(&[Op::RecvError], empty)?;
    }
    tx.send(b"sentinel 3", None, rx.local())?;
    let (got, _) = read_coalesced(&rx);
    assert_eq!(got, b"sentinel 3");
    Some(())
}
