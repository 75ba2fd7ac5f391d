//! Concurrent readers and writers on one `PacketConn` (Go's
//! TestPacketConnConcurrentReadWriteUnicast*): every datagram the kernel
//! delivered is received exactly once and intact, with every control field
//! the readers asked for, while writers also toggle a control flag.
//!
//! Go's writers toggle every flag, so which fields a datagram carries
//! depends on timing and Go checks none of them. Here the fields the readers
//! check ([`RECEIVER_FLAGS`]) stay on, and the writers race
//! `set_control_message` of `TOGGLED` (path MTU) against the reads: it changes the
//! flags `PacketConn` sizes receive buffers by and a kernel receive option,
//! yet must never cost a datagram one of the fields that stayed on.
//! Toggling every flag at once is [`concurrent_control_flags_match_kernel`].

use std::net::Ipv6Addr;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Operation as Op, Platform, Received, RecvMessage,
    SendMessage,
};

use super::sockets::{EXPERIMENTAL, Sock, kernel_flags};
use super::unicast::{ALL_FLAGS, RECEIVER_FLAGS, TCLASS, received, set_flags};
use super::wire::{numbered, read_numbered};
use super::{Backend, Expect, Outcome, must, retry_interrupted};
use crate::netns::Netns;

const READERS: usize = 4;
const WRITERS: u16 = 4;
const PER_WRITER: u32 = 64;
const STOP: &[u8] = b"STOP";
/// The flag writers turn on and off while readers read: its datagrams
/// carry no record (no path MTU event happens on loopback), so the fields
/// the readers check do not depend on it.
const TOGGLED: ControlFlags = ControlFlags::PATH_MTU;
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
///
/// With `fields` on, every datagram carries every field they ask for, as
/// its writer sent it (`lo` is the loopback interface's index); without,
/// none.
fn check<B: Backend>(
    payload: &[u8],
    cm: &ControlMessage,
    fields: bool,
    lo: u32,
) -> Option<(u16, u32)> {
    if payload == STOP {
        return None;
    }
    let (writer, seq) = read_numbered(payload)
        .unwrap_or_else(|| panic!("[{}] corrupted datagram {payload:?}", B::NAME));
    let want = if fields {
        received(TCLASS, hops(writer), Ipv6Addr::LOCALHOST, lo)
    } else {
        ControlMessage::default()
    };
    assert_eq!(*cm, want, "[{}] datagram {seq} of writer {writer}", B::NAME);
    // Go's check: its text is space-separated values.
    let text = cm.to_string();
    assert!(!text.contains(','), "[{}] {text}", B::NAME);
    Some((writer, seq))
}

/// Reads until [`STOP`]; returns the datagrams' numbers. Single reads
/// alternate `read_from` and `read_msg`; batch reads give the kernel room
/// for every flag. With `fields` on, each datagram must carry all of
/// [`RECEIVER_FLAGS`], whatever [`TOGGLED`] was when the read began.
fn reader<B: Backend>(p: &Sock<B>, mode: Mode, fields: bool, lo: u32) -> Vec<(u16, u32)> {
    let mut got = Vec::new();
    let mut reads = 0usize;
    loop {
        let mut buf = [0u8; 256];
        let (n, cm) = match mode {
            Mode::Single if reads % 2 == 0 => {
                let (n, cm, source) = retry_interrupted(|| p.read_from(&mut buf))
                    .unwrap_or_else(|e| panic!("[{}] read_from: {e:?}", B::NAME));
                assert_eq!(
                    source.map(|s| *s.ip()),
                    Some(Ipv6Addr::LOCALHOST),
                    "[{}]",
                    B::NAME
                );
                (n, cm)
            }
            Mode::Single => {
                let r = retry_interrupted(|| p.read_msg(&mut [&mut buf]))
                    .unwrap_or_else(|e| panic!("[{}] read_msg: {e:?}", B::NAME));
                check_received::<B>(&r);
                (r.len, r.control)
            }
            Mode::Batch => {
                // A buffer with room for every flag, whatever the flags are
                // when the batch begins.
                let mut control = ControlBuffer::new();
                let mut msgs = [RecvMessage::new(&mut buf, &mut control.0)];
                let n = retry_interrupted(|| p.read_batch(&mut msgs))
                    .unwrap_or_else(|e| panic!("[{}] read_batch: {e:?}", B::NAME));
                assert_eq!(n, 1, "[{}]", B::NAME);
                let r = p.received(&msgs[0]);
                check_received::<B>(&r);
                (r.len, r.control)
            }
        };
        reads += 1;
        match check::<B>(&buf[..n], &cm, fields, lo) {
            Some(id) => got.push(id),
            None => return got,
        }
    }
}

/// What every read reports beside the payload: the sender, nothing
/// undecodable (the kernel writes well-formed records), and no control data
/// cut (`PacketConn` gives every read room for every flag).
fn check_received<B: Backend>(r: &Received) {
    // The socket sends to itself; a raw socket's "port" is 0 in what it
    // receives, its protocol in its own address.
    let sender = r.source.map(|s| *s.ip());
    assert_eq!(sender, Some(Ipv6Addr::LOCALHOST), "[{}] {r:?}", B::NAME);
    assert!(!r.truncated, "[{}] payload truncated: {r:?}", B::NAME);
    assert_eq!(
        (r.control_truncated, r.control_undecoded, r.control_error),
        (false, 0, None),
        "[{}] {r:?}",
        B::NAME
    );
}

fn writer<B: Backend>(p: &Sock<B>, mode: Mode, w: u16, with_control: bool, lo: u32) {
    let dst = p.local();
    if with_control {
        // As Go's writers do, concurrently with everything else.
        p.set_control_message(TOGGLED, w % 2 == 1)
            .unwrap_or_else(|e| panic!("[{}] set_control_message: {e:?}", B::NAME));
    }
    // Go's writers name the interface too.
    let cm = ControlMessage {
        traffic_class: Some(TCLASS),
        hop_limit: Some(hops(w)),
        src: Some(Ipv6Addr::LOCALHOST),
        if_index: lo,
        ..ControlMessage::default()
    };
    let mut control = ControlBuffer::new();
    let len = if with_control {
        cm.marshal(&Platform::HOST, &mut control.0)
            .expect("marshal")
    } else {
        0
    };
    let cm = with_control.then_some(&cm);
    for seq in 0..PER_WRITER {
        let payload = numbered(w, seq);
        let sent = match mode {
            Mode::Single => p.write_to(&payload, cm, Some(&dst)),
            Mode::Batch => {
                let mut m = [SendMessage::new(&payload, &control.0[..len], Some(dst))];
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

fn run<B: Backend>(ns: &Netns, p: Sock<B>, mode: Mode, udp: bool) -> Outcome {
    let lo = ns.ifindex("lo");
    // Probe before the threads, as Go does. Without control data (a build
    // lacking it) the readers and writers still run, flags off.
    let with_control =
        set_flags(&p, RECEIVER_FLAGS | TOGGLED, true) && B::control_data() == Expect::Works;
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
            thread::spawn(move || reader(&p, mode, with_control, lo))
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let p = Arc::clone(&p);
            thread::spawn(move || writer(&p, mode, w, with_control, lo))
        })
        .collect();
    for w in writers {
        w.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    // Everything written is queued before the STOPs: each reader takes one.
    for _ in 0..READERS {
        p.write_to(STOP, None, Some(&p.local())).expect("STOP");
    }
    let mut got = Vec::new();
    for r in readers {
        got.extend(r.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
    }
    // Whatever the interleaving of the writers' set_control_message calls,
    // the flags PacketConn sizes its control buffers by must end up as the
    // options the kernel holds.
    assert_eq!(
        p.control_flags() - ControlFlags::SRC,
        kernel_flags(p.fd()),
        "[{}] control flags and kernel receive options diverged",
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
/// kernel holds (Go serialises this with a lock); a mismatch would leave
/// every later read without the control data its flags ask for.
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
pub fn concurrent_read_write_udp<B: Backend>(ns: &Netns) -> Outcome {
    run(ns, Sock::<B>::udp_loopback(), Mode::Single, true)
}

/// Concurrent `read_batch`/`write_batch` on a UDP socket.
pub fn concurrent_batch_read_write_udp<B: Backend>(ns: &Netns) -> Outcome {
    run(ns, Sock::<B>::udp_loopback(), Mode::Batch, true)
}

/// Concurrent `read_from`/`write_to` on a raw socket that receives what it
/// sends to `::1`.
pub fn concurrent_read_write_raw<B: Backend>(ns: &Netns) -> Outcome {
    run(
        ns,
        Sock::<B>::raw(EXPERIMENTAL, Some(Ipv6Addr::LOCALHOST)),
        Mode::Single,
        false,
    )
}

/// Concurrent `read_batch`/`write_batch` on a raw socket (Go's IP/Batch,
/// which uses GRE; here a protocol reserved for experiments).
pub fn concurrent_batch_read_write_raw<B: Backend>(ns: &Netns) -> Outcome {
    run(
        ns,
        Sock::<B>::raw(EXPERIMENTAL, Some(Ipv6Addr::LOCALHOST)),
        Mode::Batch,
        false,
    )
}
