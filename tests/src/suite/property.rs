//! Kernel-in-the-loop properties: an arbitrary `ControlMessage` and payload
//! size, sent through the backend under test to a socket with every receive
//! flag on, arrive with exactly the traffic class, hop limit, destination,
//! interface, source and length that were sent. One datagram at a time
//! (`write_to`/`read_msg`) and in batches of mixed messages
//! (`write_batch`/`read_batch`).
//!
//! The domain is every combination the kernel defines an answer for: a
//! destination among the namespace's addresses (`::1` on `lo`, one address
//! on each end of a veth pair), the interface it is on or none (0), a
//! source among those addresses or none, any traffic class and hop limit or
//! none (the sending socket's own, set to values no kernel default has),
//! and 0 to 65,527 payload bytes (the largest UDP datagram; above `lo`'s
//! MTU the kernel fragments and reassembles it). Naming a link that does not
//! lead to the destination is left out: what happens then is routing
//! policy, not this library's. `::1` as the source with a veth named is
//! refused by the kernel (`EINVAL`: the loopback address is not on that
//! link), which the single-datagram property checks is reported as such.
//!
//! Where the build cannot send or receive control data (pure rustix), each
//! case checks the exact `Error::Unsupported` instead, and that what could
//! be sent without control data still arrives with its length and sender.
//!
//! The number of cases is proptest's (`PROPTEST_CASES`, 256 by default and
//! in CI).

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::{
    ControlBuffer, ControlMessage, Error, Operation as Op, Platform, RecvMessage, SendMessage,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::sockets::Sock;
use super::topology::{Pair, any as unspecified};
use super::unicast::{ALL_FLAGS, set_flags};
use super::{Backend, Expect, Outcome, retry_interrupted};
use crate::netns::Netns;

/// The sending socket's traffic class and hop limit (`IPV6_TCLASS`,
/// `IPV6_UNICAST_HOPS`): what a datagram whose control message leaves them
/// out must carry.
const SOCKET_TCLASS: u8 = 0x10;
const SOCKET_HOPS: u8 = 77;
/// The largest UDP payload over IPv6 without jumbograms.
const MAX_PAYLOAD: usize = 65_535 - 8;
/// The most messages in one generated batch.
const MAX_BATCH: usize = 8;
/// Room for a full batch of the largest datagrams, fragments' overhead
/// included, so the kernel drops none for want of receive buffer.
const RECEIVE_BUFFER: usize = 8 << 20;

/// An address of the namespace and the link it is on.
#[derive(Debug, Clone, Copy)]
struct Local {
    addr: Ipv6Addr,
    link: u32,
}

/// One generated datagram: indexes into the namespace's [`Local`]s.
#[derive(Debug, Clone, Copy)]
struct Case {
    tclass: Option<u8>,
    hop_limit: Option<u8>,
    /// The source to ask for, if any.
    src: Option<usize>,
    dst: usize,
    /// Whether the control message names `dst`'s link (else `if_index` 0).
    name_link: bool,
    len: usize,
}

/// The namespace: `lo` and a veth pair, each end with an address.
fn locals(ns: &Netns) -> [Local; 3] {
    let pair = Pair::new(ns, "va", "vb", 1);
    [
        Local {
            addr: Ipv6Addr::LOCALHOST,
            link: ns.ifindex("lo"),
        },
        Local {
            addr: pair.a_addr,
            link: pair.a_index,
        },
        Local {
            addr: pair.b_addr,
            link: pair.b_index,
        },
    ]
}

/// Index 0 of [`locals`] is `::1`.
const LOOPBACK: usize = 0;

fn case_strategy(count: usize) -> impl Strategy<Value = Case> {
    (
        any::<Option<u8>>(),
        any::<Option<u8>>(),
        proptest::option::of(0..count),
        0..count,
        any::<bool>(),
        prop_oneof![0..=1500usize, 0..=MAX_PAYLOAD],
    )
        .prop_map(|(tclass, hop_limit, src, dst, name_link, len)| Case {
            tclass,
            hop_limit,
            src,
            dst,
            name_link,
            len,
        })
}

impl Case {
    fn control(&self, locals: &[Local]) -> ControlMessage {
        ControlMessage {
            traffic_class: self.tclass,
            hop_limit: self.hop_limit,
            src: self.src.map(|i| locals[i].addr),
            if_index: if self.name_link {
                locals[self.dst].link
            } else {
                0
            },
            ..ControlMessage::default()
        }
    }

    fn destination(&self, locals: &[Local], port: u16) -> SocketAddrV6 {
        SocketAddrV6::new(locals[self.dst].addr, port, 0, 0)
    }

    /// Whether the kernel refuses the source on the named link.
    fn refused_by_kernel(&self) -> bool {
        self.src == Some(LOOPBACK) && self.name_link && self.dst != LOOPBACK
    }

    fn has_control(&self) -> bool {
        self.tclass.is_some() || self.hop_limit.is_some() || self.src.is_some() || self.name_link
    }

    /// The payload: its bytes tell cases of the same length apart.
    fn payload(&self, tag: u8) -> Vec<u8> {
        (0..self.len)
            .map(|i| (i as u8).wrapping_mul(31) ^ tag)
            .collect()
    }

    /// What the receiver must see: the sender's address and the control
    /// message its flags report.
    fn expected(
        &self,
        locals: &[Local],
        sender_port: u16,
        with_control: bool,
    ) -> (SocketAddrV6, ControlMessage) {
        let dst = locals[self.dst];
        // Without a source the kernel picks the destination itself: every
        // address here is the namespace's own.
        let source = self.src.map_or(dst.addr, |i| locals[i].addr);
        let control = if with_control {
            ControlMessage {
                traffic_class: Some(self.tclass.unwrap_or(SOCKET_TCLASS)),
                hop_limit: Some(self.hop_limit.unwrap_or(SOCKET_HOPS)),
                dst: Some(dst.addr),
                if_index: dst.link,
                ..ControlMessage::default()
            }
        } else {
            ControlMessage::default()
        };
        (SocketAddrV6::new(source, sender_port, 0, 0), control)
    }
}

/// A receiver with every flag on (or none, where the build refuses them,
/// checked) and a sender with known socket defaults.
fn endpoints<B: Backend>() -> (Sock<B>, Sock<B>, bool) {
    let rx = Sock::<B>::udp(unspecified(0));
    rustix::net::sockopt::set_socket_recv_buffer_size_force(&**rx.fd(), RECEIVE_BUFFER)
        .expect("SO_RCVBUFFORCE");
    let flags_on = set_flags(&rx, ALL_FLAGS, true);
    let with_control = flags_on && B::control_data() == Expect::Works;
    let tx = Sock::<B>::udp(unspecified(0));
    tx.set_traffic_class(i32::from(SOCKET_TCLASS))
        .unwrap_or_else(|e| panic!("[{}] set_traffic_class: {e:?}", B::NAME));
    tx.set_hop_limit(i32::from(SOCKET_HOPS))
        .unwrap_or_else(|e| panic!("[{}] set_hop_limit: {e:?}", B::NAME));
    (rx, tx, with_control)
}

fn runner() -> TestRunner {
    // Config::default() reads PROPTEST_CASES. Nothing is written to disk:
    // a failure prints its minimal case.
    TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    })
}

/// `Err` of a proptest case with the backend's name.
macro_rules! ensure_eq {
    ($got:expr, $want:expr, $($what:tt)+) => {{
        let (got, want) = (&$got, &$want);
        if got != want {
            return Err(TestCaseError::fail(format!(
                "[{}] {}: got {got:?}, want {want:?}",
                B::NAME,
                format!($($what)+)
            )));
        }
    }};
}

/// `write_to` of one arbitrary datagram, `read_msg` on the receiver.
pub fn control_round_trip_property<B: Backend>(ns: &Netns) -> Outcome {
    let locals = locals(ns);
    let buf = std::cell::RefCell::new(vec![0u8; MAX_PAYLOAD + 1]);
    let result = runner().run(&case_strategy(locals.len()), |case| {
        let (rx, tx, with_control) = endpoints::<B>();
        let control = case.control(&locals);
        let to = case.destination(&locals, rx.local().port());
        let payload = case.payload(0x5a);
        let sent = tx.write_to(&payload, Some(&control), Some(&to));
        let refusal = if B::control_data() == Expect::Unsupported && case.has_control() {
            Some(Error::Unsupported(Op::SendMsg))
        } else if case.refused_by_kernel() {
            Some(Error::Os {
                op: Op::SendMsg,
                errno: libc::EINVAL,
            })
        } else {
            None
        };
        if let Some(refusal) = refusal {
            ensure_eq!(sent, Err(refusal), "{case:?}");
            return Ok(());
        }
        ensure_eq!(sent, Ok(payload.len()), "{case:?}: bytes sent");
        let mut buf = buf.borrow_mut();
        let got = retry_interrupted(|| rx.read_msg(&mut [&mut buf[..]]))
            .unwrap_or_else(|e| panic!("[{}] read_msg: {e:?}", B::NAME));
        let (source, control) = case.expected(&locals, tx.local().port(), with_control);
        ensure_eq!(got.len, payload.len(), "{case:?}: length");
        ensure_eq!(&buf[..got.len], &payload[..], "{case:?}: payload");
        ensure_eq!(got.source, Some(source), "{case:?}: sender");
        ensure_eq!(got.control, control, "{case:?}: control message");
        ensure_eq!(
            (got.truncated, got.control_complete()),
            (false, true),
            "{case:?}: {got:?}"
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("property failed: {e}");
    }
    Some(())
}

/// `write_batch` of 1 to `MAX_BATCH` (8) arbitrary datagrams, each with its
/// own control data (or none) and destination, and `read_batch` of them.
pub fn control_round_trip_batch_property<B: Backend>(ns: &Netns) -> Outcome {
    let locals = locals(ns);
    // A batch holds only messages the kernel accepts: one it refuses would
    // end the batch there, which the single-datagram property covers.
    let valid = case_strategy(locals.len())
        .prop_filter("refused by the kernel", |c| !c.refused_by_kernel());
    let strategy = proptest::collection::vec(valid, 1..=MAX_BATCH);
    let result = runner().run(&strategy, |cases| {
        let (rx, tx, with_control) = endpoints::<B>();
        let port = rx.local().port();
        let payloads: Vec<Vec<u8>> = (0..cases.len())
            .map(|i| cases[i].payload(i as u8))
            .collect();
        let mut encoded = vec![ControlBuffer::new(); cases.len()];
        let mut out: Vec<SendMessage<'_>> = cases
            .iter()
            .zip(&payloads)
            .zip(&mut encoded)
            .map(|((case, payload), buf)| {
                let len = case
                    .control(&locals)
                    .marshal(&Platform::HOST, &mut buf.0)
                    .expect("marshal");
                SendMessage::new(
                    payload,
                    &buf.0[..len],
                    Some(case.destination(&locals, port)),
                )
            })
            .collect();
        // Where control data cannot be sent, the batch goes out message by
        // message and stops at the first one with control data: the
        // refusal if that is the first, else the count before it.
        let stop = if B::control_data() == Expect::Unsupported {
            cases.iter().position(Case::has_control)
        } else {
            None
        };
        let expected_sent = stop.unwrap_or(cases.len());
        let mut sent = 0;
        while sent < expected_sent {
            match tx.write_batch(&mut out[sent..]) {
                Ok(n) if n > 0 => sent += n,
                other => {
                    ensure_eq!(
                        other,
                        Err(Error::Unsupported(Op::SendMsg)),
                        "{cases:?}: write_batch after {sent}"
                    );
                    break;
                }
            }
        }
        if stop == Some(0) {
            ensure_eq!(
                tx.write_batch(&mut out),
                Err(Error::Unsupported(Op::SendMsg)),
                "{cases:?}: a batch whose first message has control data"
            );
        }
        ensure_eq!(sent, expected_sent, "{cases:?}: messages sent");
        for (m, payload) in out.iter().zip(&payloads).take(sent) {
            ensure_eq!(m.sent, payload.len(), "{cases:?}: bytes sent");
        }

        let mut buffers = vec![vec![0u8; MAX_PAYLOAD + 1]; sent];
        let mut controls = vec![ControlBuffer::new(); sent];
        let mut inbox: Vec<RecvMessage<'_>> = buffers
            .iter_mut()
            .zip(&mut controls)
            .map(|(b, c)| RecvMessage::new(b, &mut c.0))
            .collect();
        let mut done = 0;
        while done < sent {
            let n = retry_interrupted(|| rx.read_batch(&mut inbox[done..]))
                .unwrap_or_else(|e| panic!("[{}] read_batch: {e:?}", B::NAME));
            assert!(n > 0, "[{}] read_batch returned nothing", B::NAME);
            done += n;
        }
        // Matched as a multiset: the kernel may reorder datagrams to
        // different destinations.
        let sender = tx.local().port();
        let mut expected: Vec<_> = cases
            .iter()
            .zip(&payloads)
            .take(sent)
            .map(|(case, payload)| {
                (
                    payload.clone(),
                    case.expected(&locals, sender, with_control),
                )
            })
            .collect();
        for m in &inbox {
            let got = rx.received(m);
            ensure_eq!(
                (got.truncated, got.control_complete()),
                (false, true),
                "{cases:?}: {got:?}"
            );
            let seen = (
                m.buffer[..got.len].to_vec(),
                (got.source.unwrap_or(unspecified(0)), got.control),
            );
            match expected.iter().position(|e| *e == seen) {
                Some(i) => drop(expected.swap_remove(i)),
                None => {
                    return Err(TestCaseError::fail(format!(
                        "[{}] {cases:?}: received {} bytes from {:?} with {:?}, \
                         which matches none of the datagrams still expected: {:?}",
                        B::NAME,
                        got.len,
                        got.source,
                        got.control,
                        expected
                            .iter()
                            .map(|(p, e)| (p.len(), e))
                            .collect::<Vec<_>>()
                    )));
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("property failed: {e}");
    }
    Some(())
}
