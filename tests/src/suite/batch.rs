//! Batch reads and writes (Go's ReadBatch/WriteBatch) with per-message
//! control data.

use std::net::Ipv6Addr;

use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Operation as Op, Platform, RecvMessage,
    SendMessage,
};

use super::sockets::Sock;
use super::unicast::{received, set_flags};
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
    if B::control_data() == Expect::Unsupported {
        // Checked refusal (from the batch call or its one-by-one fallback),
        // then the same datagrams without control data.
        let refused = tx.write_batch(&mut out);
        must_when::<B, _>(false, &[Op::SendBatch, Op::SendMsg], refused);
        for m in &mut out {
            m.control = &[];
        }
    }
    let mut done = 0;
    while done < N {
        let n = must::<B, _>(&[Op::SendBatch], tx.write_batch(&mut out[done..]))?;
        assert!(n > 0, "[{}] write_batch sent nothing", B::NAME);
        done += n;
    }
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
    let mut done = 0;
    while done < N {
        // Without a batch receive, PacketConn receives one message at a time.
        let batch = retry_interrupted(|| rx.read_batch(&mut inbox[done..]));
        let n = must::<B, _>(&[Op::RecvMsg], batch)?;
        assert!(n > 0, "[{}] read_batch returned nothing", B::NAME);
        done += n;
    }
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
