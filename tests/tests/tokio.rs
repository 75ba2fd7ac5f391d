//! `ipv6_backend_libc::tokio::AsyncPacketConn` on the real kernel, in a
//! private network namespace: thousands of datagrams through many tasks
//! with every control field checked and none lost, reads cancelled under
//! load without losing a datagram, a raw ICMPv6 socket in an `AsyncFd`, and
//! the runtime's ownership of the socket's mode.
//!
//! Sockets are made on the test thread, which is the one in the namespace;
//! the runtime's worker threads only drive them.
#![cfg(target_os = "linux")]

use std::collections::HashSet;
use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket as StdUdpSocket};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipv6_backend_libc::tokio::AsyncPacketConn;
use ipv6_core::batch::RecvBuffers;
use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Error, IcmpFilter, IcmpType, InvalidArgument,
    Operation,
};
use ipv6_tests::netns::{self, Netns};
use ipv6_tests::suite::topology::Pair;
use ipv6_tests::suite::wire::icmp_message;
use rustix::net::{AddressFamily, SocketType, ipproto};
use tokio::net::UdpSocket;
use tokio::runtime::Runtime;

type Conn = AsyncPacketConn<UdpSocket>;

const FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);
/// Far more than the datagrams in flight need, so the kernel drops none.
const RECEIVE_BUFFER: usize = 16 << 20;
/// Bound on every scenario: a lost datagram fails the test, never hangs it.
const DEADLINE: Duration = Duration::from_secs(60);

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A UDP socket bound in the test thread's namespace, registered with `rt`.
fn udp(rt: &Runtime, addr: SocketAddrV6) -> Conn {
    let std = StdUdpSocket::bind(addr).expect("bind");
    rustix::net::sockopt::set_socket_recv_buffer_size_force(&std, RECEIVE_BUFFER)
        .expect("SO_RCVBUFFORCE");
    std.set_nonblocking(true).unwrap();
    let _entered = rt.enter();
    AsyncPacketConn::new(UdpSocket::from_std(std).expect("register")).expect("AsyncPacketConn")
}

fn port(conn: &Conn) -> u16 {
    conn.get_ref().local_addr().unwrap().port()
}

/// What writer `w` puts in datagram `seq`: traffic class, hop limit, and the
/// destination (by index into the writer's targets).
fn plan(w: u16, seq: u32) -> (u8, u8) {
    let tclass = ((u32::from(w) * 7 + seq) % 64) as u8 * 4; // ECN bits clear
    let hops = 1 + ((u32::from(w) + seq * 3) % 255) as u8;
    (tclass, hops)
}

fn payload(w: u16, seq: u32) -> [u8; 8] {
    let mut p = [0u8; 8];
    p[..2].copy_from_slice(&w.to_be_bytes());
    p[2..6].copy_from_slice(&seq.to_be_bytes());
    let (tclass, hops) = plan(w, seq);
    p[6] = tclass;
    p[7] = hops;
    p
}

/// The control data writer `w` sends datagram `seq` with.
fn sent_control(w: u16, seq: u32) -> ControlMessage {
    let (tclass, hops) = plan(w, seq);
    ControlMessage {
        traffic_class: Some(tclass),
        hop_limit: Some(hops),
        ..ControlMessage::default()
    }
}

fn parse(p: &[u8]) -> (u16, u32) {
    assert_eq!(p.len(), 8, "payload {p:?}");
    let w = u16::from_be_bytes([p[0], p[1]]);
    let seq = u32::from_be_bytes([p[2], p[3], p[4], p[5]]);
    assert_eq!((p[6], p[7]), plan(w, seq), "payload corrupted: {p:?}");
    (w, seq)
}

/// Where the datagrams of one scenario may go: (destination, the interface
/// it arrives on).
struct Targets(Vec<(Ipv6Addr, u32)>);

impl Targets {
    fn new(ns: &Netns) -> Targets {
        let pair = Pair::new(ns, "va", "vb", 1);
        let targets = Targets(vec![
            (pair.a_addr, pair.a_index),
            (pair.b_addr, pair.b_index),
            (Ipv6Addr::LOCALHOST, ns.ifindex("lo")),
        ]);
        targets.wait_reachable();
        targets
    }

    /// Waits until a datagram to each target arrives: for a moment after
    /// a veth pair comes up, the kernel drops what is sent to its
    /// addresses, and the scenarios count every datagram.
    fn wait_reachable(&self) {
        let probe = StdUdpSocket::bind("[::]:0").unwrap();
        probe
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let port = probe.local_addr().unwrap().port();
        let mut buf = [0u8; 4];
        for &(addr, _) in &self.0 {
            let reached = (0..250).any(|_| {
                probe
                    .send_to(b"up?", SocketAddrV6::new(addr, port, 0, 0))
                    .unwrap();
                probe.recv_from(&mut buf).is_ok()
            });
            assert!(reached, "{addr} unreachable after 5 s");
            // Late copies of earlier probes are not the scenario's business.
            probe.set_nonblocking(true).unwrap();
            while probe.recv_from(&mut buf).is_ok() {}
            probe.set_nonblocking(false).unwrap();
        }
    }

    fn of(&self, w: u16, seq: u32) -> (Ipv6Addr, u32) {
        self.0[(usize::from(w) + seq as usize) % self.0.len()]
    }
}

/// Everything a received datagram must carry, checked field by field.
struct Ledger {
    targets: Targets,
    writer_ports: Vec<u16>,
    seen: Mutex<HashSet<(u16, u32)>>,
    count: AtomicUsize,
}

impl Ledger {
    fn record(&self, payload: &[u8], cm: &ControlMessage, source: Option<SocketAddrV6>) {
        let (w, seq) = parse(payload);
        let (dst, if_index) = self.targets.of(w, seq);
        let expected = ControlMessage {
            dst: Some(dst),
            if_index,
            ..sent_control(w, seq)
        };
        assert_eq!(cm, &expected, "datagram {w}/{seq}: {cm:#}");
        let source = source.unwrap_or_else(|| panic!("datagram {w}/{seq} without a sender"));
        assert_eq!(
            source.port(),
            self.writer_ports[usize::from(w)],
            "{w}/{seq}"
        );
        assert!(
            self.seen.lock().unwrap().insert((w, seq)),
            "datagram {w}/{seq} received twice"
        );
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// A load scenario's sockets: a receiver asking for [`FLAGS`], `writers`
/// senders, and the ledger their datagrams are checked against.
struct Load {
    rt: Runtime,
    rx: Arc<Conn>,
    rx_port: u16,
    writers: Vec<Arc<Conn>>,
    ledger: Arc<Ledger>,
}

impl Load {
    fn new(ns: &Netns, writers: u16) -> Load {
        let targets = Targets::new(ns);
        let rt = runtime();
        let any = SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 0, 0, 0);
        let rx = Arc::new(udp(&rt, any));
        rx.set_control_message(FLAGS, true).unwrap();
        let rx_port = port(&rx);
        let writers: Vec<Arc<Conn>> = (0..writers).map(|_| Arc::new(udp(&rt, any))).collect();
        let ledger = Arc::new(Ledger {
            targets,
            writer_ports: writers.iter().map(|w| port(w)).collect(),
            seen: Mutex::new(HashSet::new()),
            count: AtomicUsize::new(0),
        });
        Load {
            rt,
            rx,
            rx_port,
            writers,
            ledger,
        }
    }
}

/// Datagrams left in `conn`'s queue (drained without waiting).
fn queued(conn: &Conn) -> usize {
    let mut buf = [0u8; 64];
    let mut n = 0;
    while conn.packet_conn().read_from(&mut buf).is_ok() {
        n += 1;
    }
    n
}

/// The namespace's UDP receive-error counters, for a failure message.
fn udp_drops() -> String {
    let snmp = std::fs::read_to_string("/proc/thread-self/net/snmp6").unwrap_or_default();
    snmp.lines()
        .filter(|l| l.starts_with("Udp6"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn tokio_thousands_of_datagrams_through_many_tasks() {
    netns::run("tokio_thousands_of_datagrams_through_many_tasks", |ns| {
        const WRITERS: u16 = 16;
        const PER_WRITER: u32 = 256;
        const READERS: usize = 4;
        let total = usize::from(WRITERS) * PER_WRITER as usize;
        let Load {
            rt,
            rx,
            rx_port,
            writers,
            ledger,
        } = Load::new(ns, WRITERS);

        rt.block_on(async {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let mut readers = Vec::new();
            for r in 0..READERS {
                let (rx, ledger, mut stopped) = (rx.clone(), ledger.clone(), stopped.clone());
                readers.push(tokio::spawn(async move {
                    let mut reads = 0usize;
                    loop {
                        // Half the readers take one datagram a call, half a batch.
                        let done = if r % 2 == 0 {
                            let mut buf = [0u8; 64];
                            tokio::select! {
                                got = rx.read_from(&mut buf) => {
                                    let (n, cm, from) = got.expect("read_from");
                                    ledger.record(&buf[..n], &cm, from);
                                    false
                                }
                                _ = stopped.wait_for(|s| *s) => true,
                            }
                        } else {
                            let mut storage = RecvBuffers::<8, 64>::new();
                            let mut messages = storage.messages();
                            tokio::select! {
                                got = rx.read_batch(&mut messages) => {
                                    let n = got.expect("read_batch");
                                    for m in &messages[..n] {
                                        let r = rx.received(m);
                                        assert!(r.control_complete() && !r.truncated, "{r:?}");
                                        ledger.record(&m.buffer[..r.len], &r.control, r.source);
                                    }
                                    false
                                }
                                _ = stopped.wait_for(|s| *s) => true,
                            }
                        };
                        if done {
                            return reads;
                        }
                        reads += 1;
                    }
                }));
            }

            let mut tasks = Vec::new();
            for (w, tx) in writers.iter().enumerate() {
                let (tx, ledger) = (tx.clone(), ledger.clone());
                let w = w as u16;
                tasks.push(tokio::spawn(async move {
                    let to = |seq| SocketAddrV6::new(ledger.targets.of(w, seq).0, rx_port, 0, 0);
                    let control = |seq| sent_control(w, seq);
                    if w % 2 == 0 {
                        for seq in 0..PER_WRITER {
                            let (p, cm, dst) = (payload(w, seq), control(seq), to(seq));
                            assert_eq!(tx.write_to(&p, Some(&cm), Some(&dst)).await, Ok(8));
                        }
                    } else {
                        // Batches of 8, built with `send_message`.
                        for first in (0..PER_WRITER).step_by(8) {
                            let payloads: Vec<[u8; 8]> =
                                (first..first + 8).map(|s| payload(w, s)).collect();
                            let mut spaces = [ControlBuffer::new(); 8];
                            let mut messages: Vec<_> = spaces
                                .iter_mut()
                                .zip(&payloads)
                                .zip(first..)
                                .map(|((space, p), seq)| {
                                    tx.send_message(p, Some(&control(seq)), space, Some(to(seq)))
                                        .unwrap()
                                })
                                .collect();
                            let mut sent = 0;
                            while sent < messages.len() {
                                sent += tx
                                    .write_batch(&mut messages[sent..])
                                    .await
                                    .expect("write_batch");
                            }
                        }
                    }
                    // Spread the writers' turns.
                    tokio::task::yield_now().await;
                }));
            }
            for t in tasks {
                t.await.expect("writer");
            }
            let all_in = async {
                while ledger.count.load(Ordering::Relaxed) < total {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            let waited = tokio::time::timeout(DEADLINE, all_in).await;
            stop.send(true).unwrap();
            let mut reads = 0;
            for r in readers {
                reads += r.await.expect("reader");
            }
            assert!(
                waited.is_ok(),
                "{} of {total} datagrams received; {} still queued; {}; missing {:?}",
                ledger.count.load(Ordering::Relaxed),
                queued(&rx),
                udp_drops(),
                {
                    let seen = ledger.seen.lock().unwrap();
                    (0..WRITERS)
                        .map(|w| {
                            (
                                w,
                                (0..PER_WRITER)
                                    .filter(|s| !seen.contains(&(w, *s)))
                                    .collect::<Vec<_>>(),
                            )
                        })
                        .filter(|(_, m)| !m.is_empty())
                        .collect::<Vec<_>>()
                }
            );
            assert!(reads > 0);
        });
        let seen = ledger.seen.lock().unwrap();
        assert_eq!(seen.len(), total, "every datagram received exactly once");
        println!(
            "tokio: {total} datagrams from {WRITERS} tasks through {READERS} readers, every field checked"
        );
    });
}

#[test]
fn tokio_cancelled_reads_lose_nothing() {
    netns::run("tokio_cancelled_reads_lose_nothing", |ns| {
        const WRITERS: u16 = 4;
        const PER_WRITER: u32 = 1000;
        let total = usize::from(WRITERS) * PER_WRITER as usize;
        let Load {
            rt,
            rx,
            rx_port,
            writers,
            ledger,
        } = Load::new(ns, WRITERS);

        let cancelled = rt.block_on(async {
            let mut tasks = Vec::new();
            for (w, tx) in writers.iter().enumerate() {
                let (tx, ledger) = (tx.clone(), ledger.clone());
                let w = w as u16;
                tasks.push(tokio::spawn(async move {
                    for seq in 0..PER_WRITER {
                        let cm = sent_control(w, seq);
                        let to = SocketAddrV6::new(ledger.targets.of(w, seq).0, rx_port, 0, 0);
                        tx.write_to(&payload(w, seq), Some(&cm), Some(&to))
                            .await
                            .unwrap();
                        // Bursts with gaps, so readers often find nothing and
                        // their futures are dropped while registered.
                        if seq % 8 == 0 {
                            tokio::time::sleep(Duration::from_micros(200)).await;
                        }
                    }
                }));
            }

            // One reader whose futures are dropped mid-flight in three ways.
            let reader = {
                let (rx, ledger) = (rx.clone(), ledger.clone());
                tokio::spawn(async move {
                    let mut cancelled = 0usize;
                    let mut round = 0usize;
                    while ledger.count.load(Ordering::Relaxed) < total {
                        round += 1;
                        let mut buf = [0u8; 64];
                        match round % 3 {
                            // Lost to a yield: dropped whenever no datagram is queued.
                            0 => tokio::select! {
                                biased;
                                _ = tokio::task::yield_now() => cancelled += 1,
                                got = rx.read_from(&mut buf) => {
                                    let (n, cm, from) = got.unwrap();
                                    ledger.record(&buf[..n], &cm, from);
                                }
                            },
                            // Lost to a timer.
                            1 => match tokio::time::timeout(
                                Duration::from_micros(50),
                                rx.read_msg(&mut [&mut buf]),
                            )
                            .await
                            {
                                Ok(got) => {
                                    let r = got.unwrap();
                                    ledger.record(&buf[..r.len], &r.control, r.source);
                                }
                                Err(_) => cancelled += 1,
                            },
                            // A batch lost to a yield.
                            _ => {
                                let mut storage = RecvBuffers::<4, 64>::new();
                                let mut messages = storage.messages();
                                tokio::select! {
                                    biased;
                                    _ = tokio::task::yield_now() => cancelled += 1,
                                    got = rx.read_batch(&mut messages) => {
                                        for m in &messages[..got.unwrap()] {
                                            let r = rx.received(m);
                                            ledger.record(&m.buffer[..r.len], &r.control, r.source);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    cancelled
                })
            };
            for t in tasks {
                t.await.unwrap();
            }
            tokio::time::timeout(DEADLINE, reader)
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "{} of {total} datagrams received",
                        ledger.count.load(Ordering::Relaxed)
                    )
                })
                .unwrap()
        });
        assert_eq!(ledger.seen.lock().unwrap().len(), total);
        // The test means something only if futures were really dropped.
        assert!(cancelled >= 50, "only {cancelled} reads were cancelled");
        println!(
            "tokio: {total} datagrams, {cancelled} read futures dropped mid-flight, none lost"
        );
    });
}

#[test]
fn tokio_raw_icmpv6_in_an_async_fd() {
    netns::run("tokio_raw_icmpv6_in_an_async_fd", |_ns| {
        const TASKS: u16 = 4;
        const PER_TASK: u16 = 100;
        let rt = runtime();
        let raw = || -> OwnedFd {
            let fd =
                rustix::net::socket(AddressFamily::INET6, SocketType::RAW, Some(ipproto::ICMPV6))
                    .expect("raw ICMPv6 socket");
            // Every raw ICMPv6 socket gets every echo request: room for all.
            rustix::net::sockopt::set_socket_recv_buffer_size_force(&fd, RECEIVE_BUFFER)
                .expect("SO_RCVBUFFORCE");
            fd
        };
        let (rx, tx) = {
            let _entered = rt.enter();
            (
                Arc::new(AsyncPacketConn::register(raw()).expect("register")),
                Arc::new(AsyncPacketConn::register(raw()).expect("register")),
            )
        };
        // Only echo requests: the kernel's own echo replies stay out.
        let mut filter = IcmpFilter::BLOCK_ALL;
        filter.accept(IcmpType::ECHO_REQUEST);
        rx.set_icmp_filter(&filter).unwrap();
        rx.set_control_message(ControlFlags::HOP_LIMIT | ControlFlags::DST, true)
            .unwrap();
        let lo = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
        let seen = rt.block_on(async {
            let mut tasks = Vec::new();
            for id in 0..TASKS {
                let tx = tx.clone();
                tasks.push(tokio::spawn(async move {
                    for seq in 0..PER_TASK {
                        let echo = icmp_message(IcmpType::ECHO_REQUEST, id, seq, b"async", None);
                        let cm = ControlMessage {
                            hop_limit: Some((seq % 200 + 1) as u8),
                            ..ControlMessage::default()
                        };
                        tx.write_to(&echo, Some(&cm), Some(&lo)).await.unwrap();
                    }
                }));
            }
            let mut seen = HashSet::new();
            let read_all = async {
                let mut buf = [0u8; 256];
                while seen.len() < usize::from(TASKS * PER_TASK) {
                    let (n, cm, _) = rx.read_from(&mut buf).await.unwrap();
                    assert_eq!(
                        buf[0],
                        IcmpType::ECHO_REQUEST.0,
                        "the filter let {} in",
                        buf[0]
                    );
                    assert_eq!(&buf[8..n], b"async");
                    let id = u16::from_be_bytes([buf[4], buf[5]]);
                    let seq = u16::from_be_bytes([buf[6], buf[7]]);
                    assert_eq!(cm.hop_limit, Some((seq % 200 + 1) as u8), "{id}/{seq}");
                    assert_eq!(cm.dst, Some(Ipv6Addr::LOCALHOST));
                    assert!(seen.insert((id, seq)), "{id}/{seq} twice");
                }
            };
            tokio::time::timeout(DEADLINE, read_all)
                .await
                .expect("all echo requests");
            for t in tasks {
                t.await.unwrap();
            }
            seen.len()
        });
        assert_eq!(seen, usize::from(TASKS * PER_TASK));
    });
}

#[test]
fn tokio_runtime_owns_the_mode_and_errors_keep_their_operation() {
    netns::run(
        "tokio_runtime_owns_the_mode_and_errors_keep_their_operation",
        |_ns| {
            let rt = runtime();
            let conn = udp(&rt, SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0));
            let owned = |op| Err(Error::InvalidArgument(op, InvalidArgument::OwnedByRuntime));
            assert_eq!(
                conn.set_nonblocking(false),
                owned(Operation::SetNonblocking)
            );
            assert_eq!(
                conn.set_read_timeout(Some(Duration::from_secs(1))),
                owned(Operation::SetReadTimeout)
            );
            assert_eq!(
                conn.set_write_timeout(Some(Duration::from_secs(1))),
                owned(Operation::SetWriteTimeout)
            );
            assert_eq!(conn.set_nonblocking(true), Ok(()));
            assert_eq!(conn.set_read_timeout(None), Ok(()));
            let me = conn.get_ref().local_addr().unwrap();
            let me = match me {
                std::net::SocketAddr::V6(a) => a,
                std::net::SocketAddr::V4(_) => unreachable!(),
            };
            rt.block_on(async {
                // Still works, and still non-blocking: a read with nothing
                // queued waits instead of failing.
                let mut buf = [0u8; 8];
                let idle =
                    tokio::time::timeout(Duration::from_millis(50), conn.read_from(&mut buf)).await;
                assert!(idle.is_err(), "a read with nothing queued must wait");
                assert_eq!(conn.write_to(b"ping", None, Some(&me)).await, Ok(4));
                let (n, _, from) = conn.read_from(&mut buf).await.unwrap();
                assert_eq!((&buf[..n], from), (&b"ping"[..], Some(me)));

                // A kernel refusal keeps its operation and errno.
                let mapped =
                    SocketAddrV6::new(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1), 9, 0, 0);
                let refused = conn.write_to(b"x", None, Some(&mapped)).await.unwrap_err();
                assert_eq!(
                    refused,
                    Error::Os {
                        op: Operation::SendMsg,
                        errno: libc::ENETUNREACH
                    }
                );
                assert!(
                    refused
                        .to_string()
                        .starts_with("write_to: Network is unreachable (ENETUNREACH")
                );
                // An argument error, before any wait.
                let from_group = ControlMessage {
                    src: Some("ff02::1".parse().unwrap()),
                    ..ControlMessage::default()
                };
                assert!(matches!(
                    conn.write_to(b"x", Some(&from_group), Some(&me)).await,
                    Err(Error::InvalidArgument(
                        Operation::SendMsg,
                        InvalidArgument::BadSource(_)
                    ))
                ));
            });
            // Handing the socket back leaves it usable by tokio directly.
            let socket = conn.into_inner();
            rt.block_on(async {
                socket
                    .send_to(b"back", std::net::SocketAddr::V6(me))
                    .await
                    .unwrap();
                let mut buf = [0u8; 8];
                let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"back");
            });
        },
    );
}
