//! UDP over [::1]: `PacketConn` on the libc backend against a hand-written
//! libc loop making the same system calls, in one process, alternating
//! runs so both see the same machine state.
//!
//! - single: `write_to` with a traffic class and hop limit `ControlMessage`,
//!   then `read_from` with TRAFFIC_CLASS | HOP_LIMIT | DST | INTERFACE,
//!   against `sendmsg`/`recvmsg` with cmsgs built and parsed by the C macros.
//! - batch: `write_batch`/`read_batch` of 32 datagrams against
//!   `sendmmsg`/`recvmmsg` (Linux, FreeBSD, NetBSD, OpenBSD).
//!
//! A counting global allocator proves the measured loops allocate nothing;
//! the bench exits non-zero if they do. `BENCH_SCALE` (default 1) scales
//! the iteration counts. Run: `cargo bench -p ipv6-backend-libc`.

#![deny(clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::mem;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use ipv6_backend_libc::{Socket, packet_conn};
use ipv6_core::{ControlFlags, ControlMessage, PacketConn, Platform, RecvMessage, SendMessage};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(p, layout, new_size) }
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PAYLOAD: &[u8] = &[0x5a; 64];
const TCLASS: i32 = 0x20;
const HOPS: i32 = 61;
const BATCH: usize = 32;
const ROUNDS: usize = 10;
const FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);

/// What both receive paths extract from a datagram's control data.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Seen {
    tclass: i32,
    hops: i32,
    dst: [u8; 16],
    ifindex: u32,
}

impl From<&ControlMessage> for Seen {
    fn from(cm: &ControlMessage) -> Self {
        Seen {
            tclass: cm.traffic_class.map_or(-1, i32::from),
            hops: cm.hop_limit.map_or(-1, i32::from),
            dst: cm.dst.map_or([0; 16], |a| a.octets()),
            ifindex: cm.if_index,
        }
    }
}

fn v6(socket: &UdpSocket) -> SocketAddrV6 {
    match socket.local_addr().expect("local_addr") {
        SocketAddr::V6(a) => a,
        SocketAddr::V4(a) => panic!("{a} is not IPv6"),
    }
}

fn sockaddr(addr: &SocketAddrV6) -> libc::sockaddr_in6 {
    // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
    let mut sa: libc::sockaddr_in6 = unsafe { mem::zeroed() };
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        sa.sin6_len = mem::size_of::<libc::sockaddr_in6>() as u8;
    }
    sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
    sa.sin6_port = addr.port().to_be();
    sa.sin6_addr.s6_addr = addr.ip().octets();
    sa
}

/// The raw loop: cmsgs written and read with the C macros, as C code would.
mod raw {
    use super::*;

    #[cfg(not(any(target_os = "netbsd", target_os = "openbsd")))]
    const IPV6_HOPLIMIT: libc::c_int = libc::IPV6_HOPLIMIT;
    /// Absent from libc for NetBSD and OpenBSD; 47 in their `<netinet6/in6.h>`.
    #[cfg(any(target_os = "netbsd", target_os = "openbsd"))]
    const IPV6_HOPLIMIT: libc::c_int = 47;

    /// Control buffer, aligned for `cmsghdr`.
    #[repr(C, align(8))]
    pub struct Cmsgs(pub [u8; 256]);

    /// Writes IPV6_TCLASS and IPV6_HOPLIMIT records; returns their length.
    pub fn build(buf: &mut Cmsgs, msg: &mut libc::msghdr) {
        // SAFETY: CMSG_SPACE is arithmetic.
        let space = unsafe { 2 * libc::CMSG_SPACE(4) } as usize;
        msg.msg_control = buf.0.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        let mut values = [TCLASS, HOPS].into_iter();
        // SAFETY: the buffer holds `space` bytes, room for both records, so
        // every cmsghdr the macros return lies inside it.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(msg);
            for ty in [libc::IPV6_TCLASS, IPV6_HOPLIMIT] {
                (*c).cmsg_level = libc::IPPROTO_IPV6;
                (*c).cmsg_type = ty;
                (*c).cmsg_len = libc::CMSG_LEN(4) as _;
                ptr::write_unaligned(libc::CMSG_DATA(c).cast::<i32>(), values.next().unwrap());
                c = libc::CMSG_NXTHDR(msg, c);
            }
        }
    }

    /// Reads the records `recvmsg` left in `msg`.
    pub fn parse(msg: &libc::msghdr) -> Seen {
        let mut seen = Seen::default();
        // SAFETY: `msg` came back from recvmsg, so its control pointer and
        // length describe records the kernel wrote; the macros stay inside.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                match ((*c).cmsg_level, (*c).cmsg_type) {
                    (libc::IPPROTO_IPV6, libc::IPV6_TCLASS) => {
                        seen.tclass = ptr::read_unaligned(data.cast::<i32>())
                    }
                    (libc::IPPROTO_IPV6, IPV6_HOPLIMIT) => {
                        seen.hops = ptr::read_unaligned(data.cast::<i32>())
                    }
                    (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                        let info = ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                        seen.dst = info.ipi6_addr.s6_addr;
                        seen.ifindex = info.ipi6_ifindex;
                    }
                    _ => {}
                }
                c = libc::CMSG_NXTHDR(msg, c);
            }
        }
        seen
    }

    pub fn zeroed_msghdr() -> libc::msghdr {
        // SAFETY: msghdr is pointers and integers; all-zero is valid.
        unsafe { mem::zeroed() }
    }

    pub fn send(fd: RawFd, to: &libc::sockaddr_in6) {
        let mut iov = libc::iovec {
            iov_base: PAYLOAD.as_ptr().cast_mut().cast(),
            iov_len: PAYLOAD.len(),
        };
        let mut cmsgs = Cmsgs([0; 256]);
        let mut msg = zeroed_msghdr();
        msg.msg_name = ptr::from_ref(to).cast_mut().cast();
        msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        build(&mut cmsgs, &mut msg);
        // SAFETY: every pointer in `msg` is live for the call.
        let n = unsafe { libc::sendmsg(fd, &msg, 0) };
        assert_eq!(n, PAYLOAD.len() as isize, "sendmsg");
    }

    pub fn recv(fd: RawFd, buf: &mut [u8]) -> (usize, Seen) {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
        let mut from: libc::sockaddr_in6 = unsafe { mem::zeroed() };
        let mut cmsgs = Cmsgs([0; 256]);
        let mut msg = zeroed_msghdr();
        msg.msg_name = ptr::from_mut(&mut from).cast();
        msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsgs.0.as_mut_ptr().cast();
        msg.msg_controllen = cmsgs.0.len() as _;
        // SAFETY: every pointer in `msg` is live and writable for the call.
        let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
        assert!(n >= 0, "recvmsg: {}", std::io::Error::last_os_error());
        black_box(&from);
        (n as usize, parse(&msg))
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
))]
mod raw_batch {
    use super::raw::{Cmsgs, build, parse, zeroed_msghdr};
    use super::*;

    pub fn send(fd: RawFd, to: &libc::sockaddr_in6) {
        let mut iovs = [libc::iovec {
            iov_base: PAYLOAD.as_ptr().cast_mut().cast(),
            iov_len: PAYLOAD.len(),
        }; BATCH];
        let mut cmsgs: [Cmsgs; BATCH] = std::array::from_fn(|_| Cmsgs([0; 256]));
        // SAFETY: mmsghdr is a msghdr and an integer; all-zero is valid.
        let mut headers: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        for ((h, iov), c) in headers.iter_mut().zip(&mut iovs).zip(&mut cmsgs) {
            h.msg_hdr = zeroed_msghdr();
            h.msg_hdr.msg_name = ptr::from_ref(to).cast_mut().cast();
            h.msg_hdr.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            build(c, &mut h.msg_hdr);
        }
        let mut done = 0;
        while done < BATCH {
            // SAFETY: the headers point at live buffers for the call.
            let n =
                unsafe { libc::sendmmsg(fd, headers[done..].as_mut_ptr(), (BATCH - done) as _, 0) };
            assert!(n > 0, "sendmmsg: {}", std::io::Error::last_os_error());
            done += n as usize;
        }
    }

    pub fn recv(fd: RawFd, bufs: &mut [[u8; 128]; BATCH]) -> Seen {
        let mut iovs: [libc::iovec; BATCH] = std::array::from_fn(|_| libc::iovec {
            iov_base: ptr::null_mut(),
            iov_len: 0,
        });
        // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
        let mut names: [libc::sockaddr_in6; BATCH] = unsafe { mem::zeroed() };
        let mut cmsgs: [Cmsgs; BATCH] = std::array::from_fn(|_| Cmsgs([0; 256]));
        // SAFETY: mmsghdr is a msghdr and an integer; all-zero is valid.
        let mut headers: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        let mut last = Seen::default();
        let mut done = 0;
        while done < BATCH {
            for i in done..BATCH {
                iovs[i] = libc::iovec {
                    iov_base: bufs[i].as_mut_ptr().cast(),
                    iov_len: bufs[i].len(),
                };
                let h = &mut headers[i].msg_hdr;
                *h = zeroed_msghdr();
                h.msg_name = ptr::from_mut(&mut names[i]).cast();
                h.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
                h.msg_iov = &mut iovs[i];
                h.msg_iovlen = 1;
                h.msg_control = cmsgs[i].0.as_mut_ptr().cast();
                h.msg_controllen = cmsgs[i].0.len() as _;
            }
            // SAFETY: the headers point at live, writable buffers for the call.
            let n = unsafe {
                libc::recvmmsg(
                    fd,
                    headers[done..].as_mut_ptr(),
                    (BATCH - done) as _,
                    libc::MSG_WAITFORONE,
                    ptr::null_mut(),
                )
            };
            assert!(n > 0, "recvmmsg: {}", std::io::Error::last_os_error());
            for h in &headers[done..done + n as usize] {
                last = parse(&h.msg_hdr);
            }
            done += n as usize;
        }
        last
    }
}

type Conn<'a> = PacketConn<Socket<&'a UdpSocket>>;

struct Bench<'a> {
    tx: &'a UdpSocket,
    rx: &'a UdpSocket,
    pc_tx: Conn<'a>,
    pc_rx: Conn<'a>,
    to: SocketAddrV6,
    expect: Seen,
}

impl Bench<'_> {
    fn conn_single(&self, buf: &mut [u8]) -> Seen {
        let cm = ControlMessage {
            traffic_class: Some(TCLASS as u8),
            hop_limit: Some(HOPS as u8),
            ..ControlMessage::default()
        };
        let sent = self.pc_tx.write_to(PAYLOAD, Some(&cm), Some(&self.to));
        assert_eq!(sent, Ok(PAYLOAD.len()));
        let (n, got, _from) = self.pc_rx.read_from(buf).expect("read_from");
        assert_eq!(n, PAYLOAD.len());
        Seen::from(&got)
    }

    fn raw_single(&self, buf: &mut [u8]) -> Seen {
        raw::send(self.tx.as_raw_fd(), &sockaddr(&self.to));
        let (n, seen) = raw::recv(self.rx.as_raw_fd(), buf);
        assert_eq!(n, PAYLOAD.len());
        seen
    }

    fn conn_batch(&self, inbox: &mut [RecvMessage<'_>]) -> Seen {
        let cm = ControlMessage {
            traffic_class: Some(TCLASS as u8),
            hop_limit: Some(HOPS as u8),
            ..ControlMessage::default()
        };
        let mut control = [0u8; 128];
        let len = cm.marshal(&Platform::HOST, &mut control).expect("marshal");
        let mut out: [SendMessage<'_>; BATCH] =
            std::array::from_fn(|_| SendMessage::new(PAYLOAD, &control[..len], Some(self.to)));
        let mut sent = 0;
        while sent < BATCH {
            sent += self
                .pc_tx
                .write_batch(&mut out[sent..])
                .expect("write_batch");
        }
        let mut got = 0;
        while got < BATCH {
            got += self
                .pc_rx
                .read_batch(&mut inbox[got..])
                .expect("read_batch");
        }
        let mut last = Seen::default();
        for m in inbox.iter() {
            let cm = ControlMessage::parse(&Platform::HOST, &m.control[..m.meta.control_len]);
            last = Seen::from(&cm.expect("parse"));
        }
        last
    }
}

/// Median of per-round nanoseconds per operation.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `ops` iterations of `f`, checking each result; returns (elapsed, allocations).
fn measure(ops: usize, expect: Seen, mut f: impl FnMut() -> Seen) -> (Duration, u64) {
    let allocations = ALLOCATIONS.load(Relaxed);
    let start = Instant::now();
    for _ in 0..ops {
        let seen = black_box(f());
        assert_eq!(seen, expect);
    }
    (start.elapsed(), ALLOCATIONS.load(Relaxed) - allocations)
}

struct Variant {
    name: &'static str,
    per_round: Vec<f64>,
    allocations: u64,
    ops: u64,
}

impl Variant {
    fn new(name: &'static str) -> Self {
        Variant {
            name,
            per_round: Vec::with_capacity(ROUNDS),
            allocations: 0,
            ops: 0,
        }
    }

    fn record(&mut self, ops: usize, units_per_op: usize, (time, allocations): (Duration, u64)) {
        self.per_round
            .push(time.as_nanos() as f64 / (ops * units_per_op) as f64);
        self.allocations += allocations;
        self.ops += ops as u64;
    }

    fn report(&self, unit: &str) -> f64 {
        let ns = median(self.per_round.clone());
        println!(
            "  {:<44} {:>9.0} ns/{unit}   allocations: {} in {} ops",
            self.name, ns, self.allocations, self.ops
        );
        ns
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let scale: usize = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let single_ops = 200_000 * scale;
    let batch_ops = 10_000 * scale;

    let tx = UdpSocket::bind("[::1]:0").expect("bind [::1]");
    let rx = UdpSocket::bind("[::1]:0").expect("bind [::1]");
    let pc_rx = packet_conn(&rx).expect("packet_conn");
    pc_rx
        .set_control_message(FLAGS, true)
        .expect("set_control_message");
    let bench = Bench {
        tx: &tx,
        rx: &rx,
        pc_tx: packet_conn(&tx).expect("packet_conn"),
        pc_rx,
        to: v6(&rx),
        expect: Seen {
            tclass: TCLASS,
            hops: HOPS,
            dst: Ipv6Addr::LOCALHOST.octets(),
            ifindex: ipv6_backend_libc::interfaces()
                .expect("interfaces")
                .iter()
                .find(|i| i.addresses.contains(&Ipv6Addr::LOCALHOST))
                .expect("an interface with ::1")
                .index,
        },
    };
    let expect = bench.expect;

    println!(
        "udp_loopback over [::1], {}-byte payload, {ROUNDS} alternating rounds",
        PAYLOAD.len()
    );
    let mut buf = [0u8; 2048];
    let mut conn = Variant::new("PacketConn write_to + read_from");
    let mut raw = Variant::new("libc sendmsg + recvmsg (CMSG_* macros)");
    // Warm up both paths (first-use allocations, page faults, caches).
    measure(1_000, expect, || bench.conn_single(&mut buf));
    measure(1_000, expect, || bench.raw_single(&mut buf));
    for _ in 0..ROUNDS {
        let per_round = single_ops / ROUNDS;
        conn.record(
            per_round,
            1,
            measure(per_round, expect, || bench.conn_single(&mut buf)),
        );
        raw.record(
            per_round,
            1,
            measure(per_round, expect, || bench.raw_single(&mut buf)),
        );
    }
    println!("single datagram (send + receive, with control messages):");
    let ratio = conn.report("op") / raw.report("op");
    println!("  ratio PacketConn / libc: {ratio:.3}");
    let mut zero = conn.allocations == 0 && raw.allocations == 0;

    let space = FLAGS.space(&Platform::HOST);
    let mut bufs = [[0u8; 128]; BATCH];
    let mut controls = [[0u8; 256]; BATCH];
    let mut inbox: Vec<RecvMessage<'_>> = bufs
        .iter_mut()
        .zip(controls.iter_mut())
        .map(|(b, c)| RecvMessage::new(b, &mut c[..space]))
        .collect();
    let mut conn_batch = Variant::new("PacketConn write_batch + read_batch");
    measure(100, expect, || bench.conn_batch(&mut inbox));
    #[cfg(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    {
        let mut raw_bufs = [[0u8; 128]; BATCH];
        let to = sockaddr(&bench.to);
        let mut raw_batch = Variant::new("libc sendmmsg + recvmmsg (CMSG_* macros)");
        let mut raw_op = || {
            raw_batch::send(tx.as_raw_fd(), &to);
            raw_batch::recv(rx.as_raw_fd(), &mut raw_bufs)
        };
        measure(100, expect, &mut raw_op);
        for _ in 0..ROUNDS {
            let per_round = batch_ops / ROUNDS;
            let m = measure(per_round, expect, || bench.conn_batch(&mut inbox));
            conn_batch.record(per_round, BATCH, m);
            raw_batch.record(per_round, BATCH, measure(per_round, expect, &mut raw_op));
        }
        println!("batch of {BATCH} datagrams (per datagram):");
        let ratio = conn_batch.report("msg") / raw_batch.report("msg");
        println!("  ratio PacketConn / libc: {ratio:.3}");
        zero &= raw_batch.allocations == 0;
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    {
        for _ in 0..ROUNDS {
            let per_round = batch_ops / ROUNDS;
            let m = measure(per_round, expect, || bench.conn_batch(&mut inbox));
            conn_batch.record(per_round, BATCH, m);
        }
        println!("batch of {BATCH} datagrams (per datagram; no recvmmsg here, one call each):");
        conn_batch.report("msg");
    }
    zero &= conn_batch.allocations == 0;

    if zero {
        println!("assert: 0 heap allocations in every measured loop: ok");
    } else {
        println!("assert: 0 heap allocations in every measured loop: FAILED");
        std::process::exit(1);
    }
}
