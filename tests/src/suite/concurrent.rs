//! Concurrent readers and writers on one `PacketConn` (Go's
//! TestPacketConnConcurrentReadWriteUnicast*): every datagram the kernel
//! delivered is received exactly once and intact, while writers also toggle
//! the control flags.

use std::net::Ipv6Addr;
use std::os::fd::AsFd;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use ipv6_core::control::MAX_SPACE;
use ipv6_core::{
    ControlFlags, ControlMessage, Error, MsgFlags, Operation as Op, Platform, RecvMessage,
    SendMessage,
};

use super::sockets::{EXPERIMENTAL, Sock, int_option};
use super::unicast::{ALL_FLAGS, TCLASS, set_flags};
use super::wire::{numbered, read_numbered};
use super::{Backend, Expect, Outcome, must, retry_interrupted};
use crate::netns::Netns;

const READERS: usize = 4;
const WRITERS: u16 = 4;
const PER_WRITER: u32 = 64;
const STOP: &[u8] = b"STOP";
/// Far more than the datagrams in flight need, so the kernel drops none.
const RECEIVE_BUFFER: usize = 8 << 20;

/// How readers and writers move datagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `read_from` / `write_to`.
    Single,
    /// `read_batch` / `write_batch`.
    Batch,
}

fn hops(writer: u16) -> u8 {
    writer as u8 + 1
}

/// Checks one datagram; returns its number, or `None` for [`STOP`].
fn check<B: Backend>(payload: &[u8], cm: &ControlMessage) -> Option<(u16, u32)> {
    if payload == STOP {
        return None;
    }
    let (writer, seq) = read_numbered(payload)
        .unwrap_or_else(|| panic!("[{}] corrupted datagram {payload:?}", B::NAME));
    // Writers toggle the flags while others read: any subset may be reported,
    // but what is reported must be what the writer sent.
    assert!(
        cm.hop_limit.is_none_or(|h| h == hops(writer)),
        "[{}] {cm:?} from writer {writer}",
        B::NAME
    );
    assert!(
        cm.traffic_class.is_none_or(|t| t == TCLASS),
        "[{}] {cm:?}",
        B::NAME
    );
    Some((writer, seq))
}

/// Reads until [`STOP`]; returns the datagrams' numbers and how many came
/// with their control data truncated.
fn reader<B: Backend>(p: &Sock<B>, mode: Mode, with_control: bool) -> (Vec<(u16, u32)>, usize) {
    // Sized for the flags, as Go's NewControlMessage: none without.
    let space = if with_control {
        ALL_FLAGS.space(&Platform::HOST)
    } else {
        0
    };
    let mut got = Vec::new();
    let mut truncated = 0;
    match mode {
        Mode::Single => loop {
            let mut buf = [0u8; 256];
            let (n, cm) = match retry_interrupted(|| p.read_from(&mut buf)) {
                Ok((n, cm, _)) => (n, cm),
                // The flags were read before another thread turned more on:
                // the datagram is here, its control data is not (see
                // `Error::ControlTruncated`).
                Err(Error::ControlTruncated { len }) => {
                    truncated += 1;
                    (len, ControlMessage::default())
                }
                Err(e) => panic!("[{}] read_from: {e:?}", B::NAME),
            };
            match check::<B>(&buf[..n], &cm) {
                Some(id) => got.push(id),
                None => return (got, truncated),
            }
        },
        Mode::Batch => loop {
            let mut bufs = [[0u8; 256]; 1];
            let mut ctrl = [[0u8; MAX_SPACE]; 1];
            let mut msgs: Vec<RecvMessage<'_>> = bufs
                .iter_mut()
                .zip(&mut ctrl)
                .map(|(b, c)| RecvMessage::new(b, &mut c[..space]))
                .collect();
            let n = retry_interrupted(|| p.read_batch(&mut msgs))
                .unwrap_or_else(|e| panic!("[{}] read_batch: {e:?}", B::NAME));
            assert_eq!(n, 1, "[{}]", B::NAME);
            let m = &msgs[0];
            let cm = ControlMessage::parse(&Platform::HOST, &m.control[..m.meta.control_len])
                .expect("control data parses");
            if m.meta.flags.contains(MsgFlags::CONTROL_TRUNCATED) {
                truncated += 1;
            }
            match check::<B>(&m.buffer[..m.meta.len], &cm) {
                Some(id) => got.push(id),
                None => return (got, truncated),
            }
        },
    }
}

fn writer<B: Backend>(p: &Sock<B>, mode: Mode, w: u16, with_control: bool) {
    let dst = p.local();
    if with_control {
        // As Go's writers do, concurrently with everything else.
        p.set_control_message(ALL_FLAGS, w % 2 == 1)
            .unwrap_or_else(|e| panic!("[{}] set_control_message: {e:?}", B::NAME));
    }
    let cm = ControlMessage {
        traffic_class: Some(TCLASS),
        hop_limit: Some(hops(w)),
        src: Some(Ipv6Addr::LOCALHOST),
        ..ControlMessage::default()
    };
    let mut control = [0u8; MAX_SPACE];
    let len = if with_control {
        cm.marshal(&Platform::HOST, &mut control).expect("marshal")
    } else {
        0
    };
    let cm = with_control.then_some(&cm);
    for seq in 0..PER_WRITER {
        let payload = numbered(w, seq);
        let sent = match mode {
            Mode::Single => p.write_to(&payload, cm, Some(&dst)),
            Mode::Batch => {
                let mut m = [SendMessage::new(&payload, &control[..len], Some(dst))];
                p.write_batch(&mut m).map(|n| {
                    assert_eq!(n, 1);
                    m[0].sent
                })
            }
        };
        let sent = sent.unwrap_or_else(|e| panic!("[{}] write: {e:?}", B::NAME));
        assert_eq!(sent, payload.len(), "[{}]", B::NAME);
    }
}

/// The receive options the kernel holds, as control flags.
fn kernel_flags(fd: impl AsFd + Copy) -> ControlFlags {
    [
        (libc::IPV6_RECVTCLASS, ControlFlags::TRAFFIC_CLASS),
        (libc::IPV6_RECVHOPLIMIT, ControlFlags::HOP_LIMIT),
        (
            libc::IPV6_RECVPKTINFO,
            ControlFlags::DST | ControlFlags::INTERFACE,
        ),
        (libc::IPV6_RECVPATHMTU, ControlFlags::PATH_MTU),
    ]
    .into_iter()
    .filter(|&(name, _)| int_option(fd, libc::IPPROTO_IPV6, name) != 0)
    .fold(ControlFlags::empty(), |all, (_, flags)| all | flags)
}

/// Datagrams the kernel dropped for want of receive buffer on `p`.
fn kernel_drops(p: &Sock<impl Backend>, udp: bool) -> u64 {
    if udp {
        let snmp = std::fs::read_to_string("/proc/thread-self/net/snmp6").expect("snmp6");
        snmp.lines()
            .find_map(|l| l.strip_prefix("Udp6RcvbufErrors"))
            .map(|v| v.trim().parse().unwrap())
            .expect("Udp6RcvbufErrors")
    } else {
        // /proc/net/raw6: the last column is the socket's drop count; match
        // it by inode.
        let inode = rustix::fs::fstat(&**p.fd())
            .expect("fstat")
            .st_ino
            .to_string();
        let table = std::fs::read_to_string("/proc/thread-self/net/raw6").expect("raw6");
        table
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.get(9) == Some(&inode.as_str()))
            .map(|f| f.last().unwrap().parse().unwrap())
            .expect("socket in raw6")
    }
}

fn run<B: Backend>(p: Sock<B>, mode: Mode, udp: bool) -> Outcome {
    // Probe before the threads, as Go does. Without control data (a build
    // lacking it) the readers and writers still run, flags off.
    let with_control = set_flags(&p, ALL_FLAGS, true) && B::control_data() == Expect::Works;
    // Batches fall back to single messages where the backend lacks them.
    let io = [Op::RecvMsg, Op::SendMsg];
    if !super::supports::<B>(&io) {
        let probe = p.write_to(&numbered(0, 0), None, Some(&p.local()));
        return must::<B, _>(&io, probe).map(drop);
    }
    rustix::net::sockopt::set_socket_recv_buffer_size_force(&**p.fd(), RECEIVE_BUFFER)
        .expect("SO_RCVBUFFORCE");
    let p = Arc::new(p);
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let p = Arc::clone(&p);
            thread::spawn(move || reader(&p, mode, with_control))
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let p = Arc::clone(&p);
            thread::spawn(move || writer(&p, mode, w, with_control))
        })
        .collect();
    for w in writers {
        w.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    // Everything written is queued before the STOPs: each reader takes one.
    for _ in 0..READERS {
        p.write_to(STOP, None, Some(&p.local())).expect("STOP");
    }
    let (mut got, mut truncated) = (Vec::new(), 0);
    for r in readers {
        let (ids, cut) = r.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        got.extend(ids);
        truncated += cut;
    }
    // Whatever the interleaving of the writers' set_control_message calls,
    // the flags PacketConn sizes its control buffers by must end up as the
    // options the kernel holds.
    assert_eq!(
        p.control_flags() - ControlFlags::SRC,
        kernel_flags(p.fd()),
        "[{}] control flags and kernel receive options diverged ({truncated} reads \
         had their control data truncated)",
        B::NAME
    );
    got.sort_unstable();
    let before = got.len();
    got.dedup();
    assert_eq!(
        got.len(),
        before,
        "[{}] a datagram was received twice",
        B::NAME
    );
    let drops = kernel_drops(&p, udp);
    let sent = u64::from(WRITERS) * u64::from(PER_WRITER);
    assert_eq!(
        got.len() as u64,
        sent - drops,
        "[{}] {sent} sent, {drops} dropped by the kernel, {} received",
        B::NAME,
        got.len()
    );
    Some(())
}

/// Threads turning the control flags on and off at once leave the flags
/// `PacketConn` sizes its control buffers by equal to the receive options the
/// kernel holds (Go serialises this with a lock); a mismatch makes every
/// later read fail with `ControlTruncated`, or drop control data.
pub fn concurrent_control_flags_match_kernel<B: Backend>(_: &Netns) -> Outcome {
    const THREADS: usize = 4;
    const ROUNDS: usize = 200;
    let p = Arc::new(Sock::<B>::udp_loopback());
    if !set_flags(&p, ALL_FLAGS, true) {
        return None;
    }
    // Each round, every thread turns the flags on or off at the same moment
    // (half each way); then, all quiet, one thread compares.
    let barrier = Arc::new(Barrier::new(THREADS));
    let diverged = Arc::new(Mutex::new(Vec::new()));
    let togglers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (p, barrier, diverged) = (p.clone(), barrier.clone(), diverged.clone());
            thread::spawn(move || {
                for round in 0..ROUNDS {
                    barrier.wait();
                    p.set_control_message(ALL_FLAGS, (t + round) % 2 == 0)
                        .unwrap_or_else(|e| panic!("[{}] set_control_message: {e:?}", B::NAME));
                    if barrier.wait().is_leader() {
                        let (flags, kernel) =
                            (p.control_flags() - ControlFlags::SRC, kernel_flags(p.fd()));
                        if flags != kernel {
                            diverged.lock().unwrap().push((round, flags, kernel));
                        }
                    }
                    barrier.wait();
                }
            })
        })
        .collect();
    for t in togglers {
        t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    let diverged = diverged.lock().unwrap();
    assert!(
        diverged.is_empty(),
        "[{}] control flags and kernel receive options diverged after {} of {ROUNDS} rounds \
         of concurrent set_control_message; first (round, flags, kernel): {:?}",
        B::NAME,
        diverged.len(),
        diverged[0]
    );
    Some(())
}

/// Concurrent `read_from`/`write_to` on a UDP socket.
pub fn concurrent_read_write_udp<B: Backend>(_: &Netns) -> Outcome {
    run(Sock::<B>::udp_loopback(), Mode::Single, true)
}

/// Concurrent `read_batch`/`write_batch` on a UDP socket.
pub fn concurrent_batch_read_write_udp<B: Backend>(_: &Netns) -> Outcome {
    run(Sock::<B>::udp_loopback(), Mode::Batch, true)
}

/// Concurrent `read_from`/`write_to` on a raw socket that receives what it
/// sends to `::1`.
pub fn concurrent_read_write_raw<B: Backend>(_: &Netns) -> Outcome {
    run(
        Sock::<B>::raw(EXPERIMENTAL, Some(Ipv6Addr::LOCALHOST)),
        Mode::Single,
        false,
    )
}
