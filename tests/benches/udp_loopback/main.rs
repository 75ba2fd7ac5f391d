//! UDP over [::1]: `PacketConn` on the libc and on the rustix backend beside
//! a hand-written libc loop making the same system calls, in one process,
//! taking turns round by round so all see the same machine state.
//!
//! - single, with control data: `write_to` with a traffic class and hop
//!   limit `ControlMessage`, then `read_from` with TRAFFIC_CLASS | HOP_LIMIT
//!   | DST | INTERFACE, against `sendmsg`/`recvmsg` with cmsgs built and
//!   parsed by the C macros. rustix cannot carry IPv6 control data, so its
//!   row goes through the libc fallback, or is unsupported in pure rustix.
//! - single, no control data: `write_to`/`read_from` without flags (rustix's
//!   native path) against `sendmsg`/`recvmsg` without cmsgs.
//! - batch, with and without control data: `write_batch`/`read_batch` of 32
//!   datagrams against `sendmmsg`/`recvmmsg`.
//! - the single and batch sections with control data again over a raw IPv6
//!   socket (protocol 253, reading its own datagrams back), as Go's
//!   benchmark does for `ip6:gre`; these need `CAP_NET_RAW` (skipped with a
//!   line without it, failing when `CI=true`).
//!
//! Every operation's result (length, sender port, control fields) is checked,
//! so no row can skip work. A counting global allocator proves the measured
//! loops allocate nothing; the bench exits non-zero if they do.
//!
//! Run: `cargo bench -p ipv6-tests --bench udp_loopback` (add
//! `--no-default-features` for pure rustix). Instructions per round trip,
//! by function: `bash tests/benches/udp_loopback/callgrind.sh`. `BENCH_SCALE` (default 1)
//! scales the iteration counts; a debug build, as `cargo test --all-targets`
//! runs it, does a hundredth of them as a smoke test. Linux only, like the
//! rest of this crate.

#![deny(clippy::undocumented_unsafe_blocks)]

mod conn;
mod measure;
mod offload;
mod raw;
mod raw_ip;
#[cfg(feature = "tokio")]
mod tokio;

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::os::fd::AsRawFd;

use ipv6_backend_rustix::Capability;
use ipv6_core::{ControlFlags, ControlMessage, Error, Operation, Received, SocketBackend};

use conn::Link;
use measure::{ROUNDS, Row, Section};

const PAYLOAD: &[u8] = &[0x5a; 64];
const TCLASS: i32 = 0x20;
const HOPS: i32 = 61;
const BATCH: usize = 32;
const FLAGS: ControlFlags = ControlFlags::TRAFFIC_CLASS
    .union(ControlFlags::HOP_LIMIT)
    .union(ControlFlags::DST)
    .union(ControlFlags::INTERFACE);

/// Single send + receive operations per row at `BENCH_SCALE=1`.
const SINGLE_OPS: f64 = 250_000.0;
/// Batches each way per row at `BENCH_SCALE=1`.
const BATCH_OPS: f64 = 10_000.0;

/// What every receive path extracts from a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    len: usize,
    source_port: u16,
    /// -1: no such record.
    tclass: i32,
    /// -1: no such record.
    hops: i32,
    dst: [u8; 16],
    ifindex: u32,
}

impl Seen {
    /// What a batch whose datagrams differ reports; never expected.
    const MISMATCH: Seen = Seen {
        len: 0,
        source_port: 0,
        tclass: -2,
        hops: -2,
        dst: [0; 16],
        ifindex: 0,
    };

    /// A datagram of `len` bytes from `source_port`, without control data.
    fn new(len: usize, source_port: u16) -> Self {
        Seen {
            len,
            source_port,
            tclass: -1,
            hops: -1,
            dst: [0; 16],
            ifindex: 0,
        }
    }

    /// What `read_from` reported.
    fn received(len: usize, source: Option<SocketAddrV6>, cm: &ControlMessage) -> Self {
        Seen {
            tclass: cm.traffic_class.map_or(-1, i32::from),
            hops: cm.hop_limit.map_or(-1, i32::from),
            dst: cm.dst.map_or([0; 16], |a| a.octets()),
            ifindex: cm.if_index,
            ..Seen::new(len, source.map_or(0, |s| s.port()))
        }
    }

    /// What `PacketConn::received` decoded of a batch message; one whose
    /// payload or control data did not arrive whole is [`Seen::MISMATCH`].
    fn batch_message(r: &Received) -> Self {
        if r.truncated || !r.control_complete() {
            return Seen::MISMATCH;
        }
        Seen::received(r.len, r.source, &r.control)
    }

    /// `self` if both are the same, else [`Seen::MISMATCH`].
    fn agree(self, other: Seen) -> Seen {
        if self == other { self } else { Seen::MISMATCH }
    }
}

/// A sending and a receiving UDP socket on [::1].
struct Pair {
    tx: UdpSocket,
    rx: UdpSocket,
}

impl Pair {
    fn bind() -> Self {
        Pair {
            tx: UdpSocket::bind("[::1]:0").expect("bind [::1]"),
            rx: UdpSocket::bind("[::1]:0").expect("bind [::1]"),
        }
    }

    fn source(&self) -> SocketAddrV6 {
        v6(&self.tx)
    }

    fn destination(&self) -> SocketAddrV6 {
        v6(&self.rx)
    }

    /// `PacketConn`s over both sockets; with `control`, sent with every
    /// datagram and [`FLAGS`] asked of the receiver.
    fn link<'a, B: SocketBackend>(
        &'a self,
        wrap: fn(&'a UdpSocket) -> B,
        control: Option<ControlMessage>,
    ) -> Result<Link<B>, Error> {
        Link::new(wrap(&self.tx), wrap(&self.rx), self.destination(), control)
    }

    /// The baseline's send + receive of one datagram.
    fn raw_single(&self, with_control: bool) -> impl FnMut() -> Seen + '_ {
        raw::single(
            self.tx.as_raw_fd(),
            self.rx.as_raw_fd(),
            self.destination(),
            with_control,
        )
    }

    /// The baseline's batch each way.
    fn raw_batch(&self, with_control: bool) -> impl FnMut() -> Seen + '_ {
        raw::batch(
            self.tx.as_raw_fd(),
            self.rx.as_raw_fd(),
            self.destination(),
            with_control,
        )
    }
}

fn v6(socket: &UdpSocket) -> SocketAddrV6 {
    match socket.local_addr().expect("local_addr") {
        SocketAddr::V6(a) => a,
        SocketAddr::V4(a) => panic!("{a} is not IPv6"),
    }
}

/// `full` scaled by `BENCH_SCALE`; a hundredth in a debug build, where
/// `cargo test --all-targets` runs this as a smoke test.
fn scaled(full: f64) -> usize {
    let scale: f64 = match std::env::var("BENCH_SCALE") {
        Ok(s) => s
            .parse()
            .ok()
            .filter(|s: &f64| *s > 0.0)
            .unwrap_or_else(|| panic!("BENCH_SCALE={s}: expected a positive number")),
        Err(_) => 1.0,
    };
    let debug = if cfg!(debug_assertions) { 0.01 } else { 1.0 };
    ((full * scale * debug) as usize).max(ROUNDS)
}

const LIBC_ROW: &str = "PacketConn<libc::Socket>";
const TOKIO_ROW: &str = "AsyncPacketConn (tokio)";
const RUSTIX_ROW: &str = "PacketConn<rustix::Socket>";
const BASELINE_ROW: &str = "raw libc (baseline)";
const PURE_RUSTIX: &str = "unsupported (pure rustix)";

/// Who makes the system call on the rustix backend, per its capability table.
fn by(capability: Capability) -> &'static str {
    match capability {
        Capability::Native => "rustix",
        Capability::Fallback => "libc fallback",
        Capability::Unsupported => "unsupported",
    }
}

/// How the rustix row makes `calls`, per `capability`.
fn rustix_path(calls: &str, capability: Capability) -> String {
    match capability {
        Capability::Unsupported => PURE_RUSTIX.to_string(),
        by_whom => format!("{calls} by {}", by(by_whom)),
    }
}

/// The rustix row's `link` with control data: there exactly when the
/// capability table says rustix can carry control data in this build.
fn rustix_with_control<T>(what: &str, link: Result<T, Error>) -> Option<T> {
    let link = match link {
        Ok(link) => Some(link),
        Err(Error::Unsupported(_)) => None,
        Err(e) => panic!("{what}: {e}"),
    };
    assert_eq!(
        link.is_some(),
        ipv6_backend_rustix::control_message_capability() != Capability::Unsupported,
        "{what}: set_control_message disagrees with control_message_capability()"
    );
    link
}

/// A section of single datagrams, each sent and received.
fn single_section(title: &str, expect: Seen) -> Section<'_> {
    Section {
        title,
        unit: "send + receive",
        ops: scaled(SINGLE_OPS),
        units_per_op: 1,
        expect,
    }
}

/// A section of [`BATCH`]-datagram batches, each sent and received.
fn batch_section(title: &str, expect: Seen) -> Section<'_> {
    Section {
        title,
        unit: "datagram sent + received",
        ops: scaled(BATCH_OPS),
        units_per_op: BATCH,
        expect,
    }
}

/// The tokio row's link for a section, or why there is none.
#[cfg(feature = "tokio")]
fn tokio_link(control: Option<ControlMessage>, report_port: u16) -> Option<tokio::AsyncLink> {
    Some(tokio::AsyncLink::new(control, report_port).expect("tokio link"))
}

#[cfg(not(feature = "tokio"))]
fn tokio_link(_: Option<ControlMessage>, _: u16) -> Option<Never> {
    None
}

/// Stands in for the tokio link when the feature is off.
#[cfg(not(feature = "tokio"))]
enum Never {}

#[cfg(not(feature = "tokio"))]
impl Never {
    fn single(&self) -> fn(usize, Seen) {
        match *self {}
    }

    fn batch(&self) -> fn(usize, Seen) {
        match *self {}
    }
}

/// The tokio row's path, or why it does not run.
fn tokio_path(path: &str) -> String {
    if cfg!(feature = "tokio") {
        format!("{path} via tokio async_io")
    } else {
        "not built (ipv6-tests feature tokio off)".to_string()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let with_control = Pair::bind();
    let without_control = Pair::bind();
    let lo = ipv6_backend_libc::interfaces()
        .expect("interfaces")
        .iter()
        .find(|i| i.addresses.contains(&Ipv6Addr::LOCALHOST))
        .expect("an interface with ::1")
        .index;
    let expect_control = Seen {
        tclass: TCLASS,
        hops: HOPS,
        dst: Ipv6Addr::LOCALHOST.octets(),
        ifindex: lo,
        ..Seen::new(PAYLOAD.len(), with_control.source().port())
    };
    let expect_plain = Seen::new(PAYLOAD.len(), without_control.source().port());

    let sent = Some(conn::sent_control());
    let libc_control = with_control
        .link(ipv6_backend_libc::Socket::new, sent)
        .expect("libc backend with control data");
    let libc_plain = without_control
        .link(ipv6_backend_libc::Socket::new, None)
        .expect("libc backend");
    let tokio_control = tokio_link(sent, with_control.source().port());
    let tokio_plain = tokio_link(None, without_control.source().port());
    let rustix_plain = without_control
        .link(ipv6_backend_rustix::Socket::new, None)
        .expect("rustix backend");
    let rustix_control_by = ipv6_backend_rustix::control_message_capability();
    let rustix_control = rustix_with_control(
        "rustix backend with control data",
        with_control.link(ipv6_backend_rustix::Socket::new, sent),
    );

    // callgrind.sh: one row's single datagram with control data, alone,
    // a given number of times (UDP_LOOPBACK_ROW=c|libc|rustix,
    // UDP_LOOPBACK_OPS=n), so that two runs' difference is n round trips.
    if let Ok(row) = std::env::var("UDP_LOOPBACK_ROW") {
        let ops: usize = std::env::var("UDP_LOOPBACK_OPS")
            .expect("UDP_LOOPBACK_OPS with UDP_LOOPBACK_ROW")
            .parse()
            .expect("UDP_LOOPBACK_OPS: a count");
        let mut step: Box<dyn FnMut() -> Seen + '_> = match row.as_str() {
            "c" => Box::new(with_control.raw_single(true)),
            "libc" => Box::new(libc_control.single()),
            "rustix" => match &rustix_control {
                Some(link) => Box::new(link.single()),
                None => {
                    println!("rustix: {PURE_RUSTIX}");
                    return;
                }
            },
            other => panic!("UDP_LOOPBACK_ROW={other}: expected c, libc or rustix"),
        };
        for _ in 0..ops {
            assert_eq!(step(), expect_control);
        }
        return;
    }

    println!(
        "udp_loopback over [::1], {}-byte payload; {} build, rustix {}\n\
         {ROUNDS} rounds, rows taking turns; median: of the rounds' ns per unit; \
         /baseline: median of the rounds' ratios to the first row",
        PAYLOAD.len(),
        if cfg!(debug_assertions) {
            "debug (smoke test)"
        } else {
            "release"
        },
        if cfg!(feature = "rustix-libc-fallback") {
            "with libc fallback"
        } else {
            "pure (no libc fallback)"
        },
    );
    measure::print_header();
    let mut allocations = 0;

    {
        let mut raw = with_control.raw_single(true);
        let mut libc = libc_control.single();
        let mut tokio = tokio_control.as_ref().map(|l| l.single());
        let mut rustix = rustix_control.as_ref().map(Link::single);
        let mut rows = [
            Row::new(
                BASELINE_ROW,
                "sendmsg/recvmsg, cmsgs by CMSG_* macros",
                &mut raw,
            ),
            Row::new(LIBC_ROW, "sendmsg/recvmsg by libc", &mut libc),
            Row::looped(TOKIO_ROW, tokio_path("sendmsg/recvmsg"), tokio.as_mut()),
            Row::maybe(
                RUSTIX_ROW,
                rustix_path("sendmsg/recvmsg", rustix_control_by),
                rustix.as_mut(),
            ),
        ];
        allocations +=
            single_section("single datagram, with control data", expect_control).run(&mut rows);
        measure::print_ratio("tokio / blocking (target <= 1.15)", &rows[2], &rows[1]);
    }

    {
        let mut raw = without_control.raw_single(false);
        let mut libc = libc_plain.single();
        let mut rustix = rustix_plain.single();
        let rustix_path = match (
            ipv6_backend_rustix::capability(Operation::SendMsg),
            ipv6_backend_rustix::capability(Operation::RecvMsg),
        ) {
            (send, recv) if send == recv => format!("sendmsg/recvmsg by {}", by(send)),
            (send, recv) => format!("sendmsg by {}, recvmsg by {}", by(send), by(recv)),
        };
        let mut tokio = tokio_plain.as_ref().map(|l| l.single());
        let mut rows = [
            Row::new(BASELINE_ROW, "sendmsg/recvmsg, no cmsgs", &mut raw),
            Row::new(LIBC_ROW, "sendmsg/recvmsg by libc", &mut libc),
            Row::looped(TOKIO_ROW, tokio_path("sendmsg/recvmsg"), tokio.as_mut()),
            Row::new(RUSTIX_ROW, rustix_path, &mut rustix),
        ];
        allocations +=
            single_section("single datagram, no control data", expect_plain).run(&mut rows);
        measure::print_ratio("tokio / blocking (target <= 1.15)", &rows[2], &rows[1]);
    }

    {
        let mut raw = with_control.raw_batch(true);
        let mut libc = libc_control.batch();
        let mut rustix = rustix_control.as_ref().map(Link::batch);
        let mut tokio = tokio_control.as_ref().map(|l| l.batch());
        let mut rows = [
            Row::new(
                BASELINE_ROW,
                "sendmmsg/recvmmsg, cmsgs by CMSG_* macros",
                &mut raw,
            ),
            Row::new(LIBC_ROW, "sendmmsg/recvmmsg by libc", &mut libc),
            Row::looped(TOKIO_ROW, tokio_path("sendmmsg/recvmmsg"), tokio.as_mut()),
            Row::maybe(
                RUSTIX_ROW,
                rustix_path("sendmmsg/recvmmsg", rustix_control_by),
                rustix.as_mut(),
            ),
        ];
        allocations += batch_section("batch of 32 datagrams, with control data", expect_control)
            .run(&mut rows);
        measure::print_ratio("tokio / blocking (target <= 1.15)", &rows[2], &rows[1]);
    }

    {
        let mut raw = without_control.raw_batch(false);
        let mut libc = libc_plain.batch();
        let mut rustix = rustix_plain.batch();
        // Where the backend has no batch call, PacketConn sends one datagram
        // per sendmsg and receives one per read_batch.
        let rustix_path = format!(
            "{} + {}",
            match ipv6_backend_rustix::capability(Operation::SendBatch) {
                Capability::Unsupported => "sendmsg each by rustix".to_string(),
                by_whom => format!("sendmmsg by {}", by(by_whom)),
            },
            match ipv6_backend_rustix::capability(Operation::RecvBatch) {
                Capability::Unsupported => "recvmsg each by rustix".to_string(),
                by_whom => format!("recvmmsg by {}", by(by_whom)),
            },
        );
        let mut tokio = tokio_plain.as_ref().map(|l| l.batch());
        let mut rows = [
            Row::new(BASELINE_ROW, "sendmmsg/recvmmsg, no cmsgs", &mut raw),
            Row::new(LIBC_ROW, "sendmmsg/recvmmsg by libc", &mut libc),
            Row::looped(TOKIO_ROW, tokio_path("sendmmsg/recvmmsg"), tokio.as_mut()),
            Row::new(RUSTIX_ROW, rustix_path, &mut rustix),
        ];
        allocations +=
            batch_section("batch of 32 datagrams, no control data", expect_plain).run(&mut rows);
        measure::print_ratio("tokio / blocking (target <= 1.15)", &rows[2], &rows[1]);
    }

    allocations += raw_ip_sections(&expect_control);
    allocations += offload_section();

    if allocations == 0 {
        println!("assert: 0 heap allocations in every measured loop: ok");
    } else {
        println!("assert: 0 heap allocations in every measured loop: FAILED ({allocations})");
        std::process::exit(1);
    }
}

/// The single and batch sections with control data over a raw IPv6 socket
/// (Go benchmarks both UDP and raw sockets). Needs `CAP_NET_RAW`: without it
/// the sections are skipped with one line, or fail when `CI=true`.
fn raw_ip_sections(expect_control: &Seen) -> u64 {
    let socket = match raw_ip::RawIp::open() {
        Ok(socket) => socket,
        Err(e) => {
            ipv6_tests::netns::skip_or_fail("the raw IPv6 sections", "CAP_NET_RAW", &e);
            return 0;
        }
    };
    // A raw socket has no ports: every datagram comes from [::1], port 0.
    let expect = Seen {
        source_port: 0,
        ..*expect_control
    };
    let sent = Some(conn::sent_control());
    let libc = socket
        .link(ipv6_backend_libc::Socket::new, sent)
        .expect("libc backend on a raw socket");
    let rustix_by = ipv6_backend_rustix::control_message_capability();
    let rustix = rustix_with_control(
        "rustix backend on a raw socket",
        socket.link(ipv6_backend_rustix::Socket::new, sent),
    );
    let title = |what: &str| format!("raw IPv6 socket (protocol {}), {what}", raw_ip::PROTOCOL);
    let mut allocations = 0;
    {
        let mut raw = socket.raw_single(true);
        let mut conn = libc.single();
        let mut rustix = rustix.as_ref().map(Link::single);
        let mut rows = [
            Row::new(
                BASELINE_ROW,
                "sendmsg/recvmsg, cmsgs by CMSG_* macros",
                &mut raw,
            ),
            Row::new(LIBC_ROW, "sendmsg/recvmsg by libc", &mut conn),
            Row::maybe(
                RUSTIX_ROW,
                rustix_path("sendmsg/recvmsg", rustix_by),
                rustix.as_mut(),
            ),
        ];
        allocations +=
            single_section(&title("single datagram, with control data"), expect).run(&mut rows);
    }
    {
        let mut raw = socket.raw_batch(true);
        let mut conn = libc.batch();
        let mut rustix = rustix.as_ref().map(Link::batch);
        let mut rows = [
            Row::new(
                BASELINE_ROW,
                "sendmmsg/recvmmsg, cmsgs by CMSG_* macros",
                &mut raw,
            ),
            Row::new(LIBC_ROW, "sendmmsg/recvmmsg by libc", &mut conn),
            Row::maybe(
                RUSTIX_ROW,
                rustix_path("sendmmsg/recvmmsg", rustix_by),
                rustix.as_mut(),
            ),
        ];
        allocations += batch_section(&title("batch of 32 datagrams, with control data"), expect)
            .run(&mut rows);
    }
    allocations
}

/// 64 datagrams of 1200 bytes: GSO/GRO against `sendmmsg`/`recvmmsg`, by
/// `PacketConn` and by hand; prints datagrams per second and the targets.
fn offload_section() -> u64 {
    let data = offload::payload();
    let sender = UdpSocket::bind("[::1]:0").expect("bind [::1]");
    let gro = offload::Sockets::bind(&sender, true);
    let plain = offload::Sockets::bind(&sender, false);
    let libc_gso = offload::Conns::new(&gro, ipv6_backend_libc::Socket::new, true)
        .expect("libc backend with GRO");
    let libc_mmsg =
        offload::Conns::new(&plain, ipv6_backend_libc::Socket::new, false).expect("libc backend");
    // GSO and GRO are control data: rustix goes through its fallback, or
    // cannot (pure rustix), as its capability table says.
    let rustix_gso = rustix_with_control(
        "rustix backend with GRO",
        offload::Conns::new(&gro, ipv6_backend_rustix::Socket::new, true),
    );
    let rustix_path = rustix_path(
        "GSO sendmsg / GRO recvmsg",
        ipv6_backend_rustix::control_message_capability(),
    );

    let mut raw_gso = gro.raw_gso(&data);
    let mut conn_gso = libc_gso.gso(&data);
    let mut rustix = rustix_gso.as_ref().map(|c| c.gso(&data));
    let mut raw_mmsg = plain.raw_mmsg(&data);
    let mut conn_mmsg = libc_mmsg.mmsg(&data);
    let mut rows = [
        Row::new(
            BASELINE_ROW,
            "GSO sendmsg x2 / GRO recvmsg, CMSG_* macros",
            &mut raw_gso,
        ),
        Row::new(
            LIBC_ROW,
            "GSO write_msg x2 / GRO read_msg by libc",
            &mut conn_gso,
        ),
        Row::maybe(RUSTIX_ROW, rustix_path, rustix.as_mut()),
        Row::new(
            "raw libc sendmmsg/recvmmsg",
            "64 x 1200 by hand",
            &mut raw_mmsg,
        ),
        Row::new(
            LIBC_ROW,
            "write_batch/read_batch by libc (mmsg)",
            &mut conn_mmsg,
        ),
    ];
    let allocations = Section {
        title: "64 datagrams of 1200 bytes: GSO/GRO vs sendmmsg/recvmmsg",
        unit: "datagram sent + received",
        ops: scaled(OFFLOAD_OPS),
        units_per_op: offload::DATAGRAMS,
        expect: offload::expect(&sender),
    }
    .run(&mut rows);
    let per_second = |row: &Row<'_>| row.median_ns().map(|ns| 1e9 / ns);
    let rates: Vec<Option<f64>> = rows.iter().map(per_second).collect();
    println!("  datagrams per second (median):");
    for (row, rate) in [
        "raw GSO/GRO",
        "PacketConn<libc> GSO/GRO",
        "PacketConn<rustix> GSO/GRO",
        "raw sendmmsg/recvmmsg",
        "PacketConn<libc> mmsg",
    ]
    .iter()
    .zip(&rates)
    {
        match rate {
            Some(r) => println!("    {row:<28} {r:>12.0}"),
            None => println!("    {row:<28} {:>12}", "-"),
        }
    }
    if let (Some(raw), Some(gso), Some(mmsg)) = (rates[0], rates[1], rates[4]) {
        let vs_mmsg = gso / mmsg;
        let vs_raw = raw / gso;
        println!(
            "  target GSO/GRO >= 3x sendmmsg/recvmmsg (PacketConn): {vs_mmsg:.2}x {}",
            if vs_mmsg >= 3.0 { "met" } else { "MISSED" }
        );
        println!(
            "  target PacketConn GSO within 1.05x of raw libc GSO: {vs_raw:.3}x {}",
            if vs_raw <= 1.05 { "met" } else { "MISSED" }
        );
    }
    allocations
}

/// Batches each way per row of the offload section at `BENCH_SCALE=1`.
const OFFLOAD_OPS: f64 = 4_000.0;
