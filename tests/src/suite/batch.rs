//! Batch reads and writes (Go's ReadBatch/WriteBatch) with per-message
//! control data, on UDP and raw ICMPv6 sockets.

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, IcmpFilter, IcmpType, Operation as Op, Platform,
    RecvMessage, SendMessage, SocketOption as O,
};

use super::sockets::{ICMPV6, Sock};
use super::unicast::{HELLO, received, set_flags};
use super::wire::{icmp_fields, icmp_message};
use super::{Backend, Expect, Outcome, must, must_when, retry_interrupted};
use crate::netns::Netns;

const N: usize = 8;
const FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);

/// What message `i` carries: a payload and the hop limit and traffic class
/// its control data asks for.
fn message(i: usize) -> ([u8; 3], ControlMessage) {
    let cm = ControlMessage {
        hop_limit: Some(i as u8 + 1),
        traffic_class: Some((i as u8) << 2),
        ..ControlMessage::default()
    };
    ([b'#', b'0' + i as u8, 0xa5], cm)
}

/// Sends all of `out` by `write_batch`. Where control data is unsupported,
/// first checks that it is refused (by the batch call or its one-by-one
/// fallback), then sends the same datagrams without it.
fn write_all<B: Backend>(s: &Sock<B>, out: &mut [SendMessage<'_>]) -> Outcome {
    if B::control_data() == Expect::Unsupported {
        let refused = s.write_batch(out);
        must_when::<B, _>(false, &[Op::SendBatch, Op::SendMsg], refused);
        for m in out.iter_mut() {
            m.control = &[];
        }
    }
    let mut done = 0;
    while done < out.len() {
        let n = must::<B, _>(&[Op::SendBatch], s.write_batch(&mut out[done..]))?;
        assert!(n > 0, "[{}] write_batch sent nothing", B::NAME);
        done += n;
    }
    Some(())
}

/// Fills every message of `inbox` by `read_batch` (which, without a batch
/// receive, receives one message at a time).
fn read_all<B: Backend>(s: &Sock<B>, inbox: &mut [RecvMessage<'_>]) -> Outcome {
    let mut done = 0;
    while done < inbox.len() {
        let batch = retry_interrupted(|| s.read_batch(&mut inbox[done..]));
        let n = must::<B, _>(&[Op::RecvMsg], batch)?;
        assert!(n > 0, "[{}] read_batch returned nothing", B::NAME);
        done += n;
    }
    Some(())
}

/// `write_batch` of N datagrams with different hop limits and traffic
/// classes; `read_batch` receives them with per-message control data,
/// parsed with the host's layout.
pub fn batch_read_write_with_control<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let on = set_flags(&rx, FLAGS, true);

    let sent: Vec<_> = (0..N).map(message).collect();
    let mut control = [ControlBuffer::new(); N];
    let lens: Vec<usize> = sent
        .iter()
        .zip(&mut control)
        .map(|((_, cm), buf)| cm.marshal(&Platform::HOST, &mut buf.0).expect("marshal"))
        .collect();
    let mut out: Vec<SendMessage<'_>> = sent
        .iter()
        .zip(&control)
        .zip(&lens)
        .map(|(((payload, _), buf), &len)| {
            SendMessage::new(payload, &buf.0[..len], Some(rx.local()))
        })
        .collect();
    write_all(&tx, &mut out)?;
    for (m, (payload, _)) in out.iter().zip(&sent) {
        assert_eq!(m.sent, payload.len(), "[{}] bytes sent", B::NAME);
    }

    // Sized for the flags in force, as Go's NewControlMessage: none without.
    let space = if on { FLAGS.space(&Platform::HOST) } else { 0 };
    let mut payloads = [[0u8; 64]; N];
    let mut controls = [ControlBuffer::new(); N];
    let mut inbox: Vec<RecvMessage<'_>> = payloads
        .iter_mut()
        .zip(&mut controls)
        .map(|(p, c)| RecvMessage::new(p, &mut c.0[..space]))
        .collect();
    read_all(&rx, &mut inbox)?;
    for (i, m) in inbox.iter().enumerate() {
        let (payload, cm) = &sent[i];
        assert_eq!(
            &m.buffer[..m.meta.len],
            payload,
            "[{}] message {i}",
            B::NAME
        );
        assert_eq!(m.meta.source, Some(tx.local()), "[{}] message {i}", B::NAME);
        assert!(m.meta.flags.is_empty(), "[{}] {:?}", B::NAME, m.meta.flags);
        let got = ControlMessage::parse(&Platform::HOST, &m.control[..m.meta.control_len])
            .expect("control data parses");
        // `received` decodes a batch message as `read_msg` would have.
        let r = rx.received(m);
        assert_eq!(
            (r.len, r.source, r.truncated),
            (payload.len(), Some(tx.local()), false),
            "[{}] message {i}",
            B::NAME
        );
        assert!(r.control_complete(), "[{}] {r:?}", B::NAME);
        assert_eq!(r.control, got, "[{}] message {i}", B::NAME);
        let want = if on && B::control_data() == Expect::Works {
            received(
                cm.traffic_class.unwrap(),
                cm.hop_limit.unwrap(),
                Ipv6Addr::LOCALHOST,
                lo,
            )
        } else {
            ControlMessage::default()
        };
        assert_eq!(got, want, "[{}] message {i}", B::NAME);
    }
    Some(())
}

/// Go's `IP/Batch` rows on a raw ICMPv6 socket bound to `::1`: one
/// `write_batch` of echo requests, each with its own hop limit and traffic
/// class and every third with no control data at all; one socket reads, by
/// `read_batch`, its own requests (a raw ICMPv6 socket receives a copy)
/// with exactly the control data each was sent with, and the kernel's
/// replies (type, code 0, identifier, sequence number, data).
pub fn batch_read_write_raw_icmp<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let p = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REQUEST);
    filter.accept(IcmpType::ECHO_REPLY);
    // Without a filter (a build lacking it) nothing else is sent on this
    // namespace's loopback, which has no multicast: the checks still hold.
    must::<B, _>(&[Op::Set(O::IcmpFilter)], p.set_icmp_filter(&filter));
    let on = set_flags(&p, FLAGS, true);
    let id = std::process::id() as u16;
    let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
    let default_hops: u8 = std::fs::read_to_string("/proc/sys/net/ipv6/conf/lo/hop_limit")
        .expect("lo hop_limit")
        .trim()
        .parse()
        .expect("a hop limit");

    // Request `i`'s control message: `message(i)`'s, or none for every third.
    let control_of = |i: usize| (i % 3 != 2).then(|| message(i).1);
    let requests: Vec<Vec<u8>> = (0..N)
        .map(|i| icmp_message(IcmpType::ECHO_REQUEST, id, i as u16, HELLO, None))
        .collect();
    let mut control = [ControlBuffer::new(); N];
    let lens: Vec<usize> = (0..N)
        .zip(&mut control)
        .map(|(i, buf)| {
            control_of(i).map_or(0, |cm| {
                cm.marshal(&Platform::HOST, &mut buf.0).expect("marshal")
            })
        })
        .collect();
    let mut out: Vec<SendMessage<'_>> = requests
        .iter()
        .zip(&control)
        .zip(&lens)
        .map(|((request, buf), &len)| SendMessage::new(request, &buf.0[..len], Some(to)))
        .collect();
    write_all(&p, &mut out)?;

    let space = if on { FLAGS.space(&Platform::HOST) } else { 0 };
    let mut payloads = [[0u8; 128]; 2 * N];
    let mut controls = [ControlBuffer::new(); 2 * N];
    let mut inbox: Vec<RecvMessage<'_>> = payloads
        .iter_mut()
        .zip(&mut controls)
        .map(|(p, c)| RecvMessage::new(p, &mut c.0[..space]))
        .collect();
    read_all(&p, &mut inbox)?;
    let (mut requests_seen, mut replies_seen) = ([false; N], [false; N]);
    for m in &inbox {
        let r = p.received(m);
        assert_eq!(
            (r.source.map(|s| *s.ip()), r.truncated),
            (Some(Ipv6Addr::LOCALHOST), false),
            "[{}] {r:?}",
            B::NAME
        );
        assert!(r.control_complete(), "[{}] {r:?}", B::NAME);
        let icmp = &m.buffer[..r.len];
        let (typ, code, got_id, seq) = icmp_fields(icmp);
        let i = usize::from(seq);
        assert_eq!((code, got_id), (0, id), "[{}] {typ}", B::NAME);
        assert!(i < N, "[{}] sequence number {seq}", B::NAME);
        assert_eq!(&icmp[8..], HELLO, "[{}] {typ} {seq}", B::NAME);
        let seen = match typ {
            IcmpType::ECHO_REQUEST => &mut requests_seen[i],
            IcmpType::ECHO_REPLY => &mut replies_seen[i],
            other => panic!("[{}] the filter let {other} through", B::NAME),
        };
        assert!(!*seen, "[{}] {typ} {seq} twice", B::NAME);
        *seen = true;
        if !(on && B::control_data() == Expect::Works) {
            assert_eq!(r.control, ControlMessage::default(), "[{}]", B::NAME);
        } else if typ == IcmpType::ECHO_REQUEST {
            // Without control data, the socket's defaults: traffic class 0
            // and the loopback link's hop limit.
            let (tclass, hops) = control_of(i).map_or((0, default_hops), |cm| {
                (cm.traffic_class.unwrap(), cm.hop_limit.unwrap())
            });
            let want = received(tclass, hops, Ipv6Addr::LOCALHOST, lo);
            assert_eq!(r.control, want, "[{}] request {seq}", B::NAME);
        } else {
            // The reply's hop limit and traffic class are the kernel's.
            assert_eq!(
                (r.control.dst, r.control.if_index),
                (Some(Ipv6Addr::LOCALHOST), lo),
                "[{}] reply {seq}",
                B::NAME
            );
        }
    }
    assert_eq!(requests_seen, [true; N], "[{}] requests", B::NAME);
    assert_eq!(replies_seen, [true; N], "[{}] replies", B::NAME);
    Some(())
}
