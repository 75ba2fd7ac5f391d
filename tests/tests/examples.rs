//! Every example of `ipv6-backend-libc`, run for real, in private network
//! namespaces where it needs them, its output and its packets checked:
//!
//! - `tour` prints a real round trip, a parsed header chain, a filter and
//!   three kernels' bytes;
//! - `marking_tcp` marks an accepted connection, seen on the wire by a
//!   packet socket;
//! - `mdns_oneshot` answers a query this test sends, from the interface it
//!   arrived on;
//! - `ospf_hello` sends a hello that a second raw socket receives with its
//!   checksum verified, and decodes the hello this test sends back;
//! - `traceroute6` traces through two routers (each in its own namespace),
//!   hop by hop;
//! - `multicast_listen` prints what it was sent, any-source and
//!   source-specific, and not what it was not;
//! - `async_echo` answers from each address it was asked at.
//!
//! The binaries are the ones `cargo test --all-targets` builds (`.ci/test`
//! runs it with the `tokio` feature, which `async_echo` needs); a missing
//! or stale one is rebuilt here with the same command.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6, TcpStream, UdpSocket};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use ipv6_core::{ControlFlags, Header};
use ipv6_tests::netns::{self, Netns};
use ipv6_tests::suite::topology::{Pair, at, ip};
use ipv6_tests::suite::wire::checksum_verifies;
use rustix::net::{AddressFamily, Protocol, SocketType, eth};

const EXAMPLES: [&str; 7] = [
    "tour",
    "marking_tcp",
    "mdns_oneshot",
    "ospf_hello",
    "traceroute6",
    "multicast_listen",
    "async_echo",
];

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest source an example binary depends on.
fn newest_source() -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut dirs = vec![
        workspace().join("backend-libc/examples"),
        workspace().join("backend-libc/src"),
        workspace().join("core/src"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(t) = modified(&path) {
                newest = newest.max(t);
            }
        }
    }
    newest
}

/// The directory the example binaries are in, built and up to date.
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // target/<profile>/deps/examples-<hash> → target/<profile>/examples
        let exe = std::env::current_exe().expect("current_exe");
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .join("examples");
        let sources = newest_source();
        let stale = EXAMPLES
            .iter()
            .any(|e| modified(&dir.join(e)).is_none_or(|built| built < sources));
        if stale {
            // The same selection `.ci/test` builds, so nothing is rebuilt
            // with other features than the suite's.
            let mut cargo = Command::new(env!("CARGO"));
            cargo
                .current_dir(workspace())
                .args(["build", "--workspace", "--examples"])
                .args(["--features", "ipv6-tests/tokio"]);
            if !cfg!(debug_assertions) {
                cargo.arg("--release");
            }
            let status = cargo.status().expect("run cargo");
            assert!(status.success(), "cargo build --examples failed");
        }
        dir
    })
}

fn example<S: AsRef<std::ffi::OsStr>>(name: &str, args: &[S]) -> Command {
    let path = examples_dir().join(name);
    assert!(path.exists(), "{} was not built", path.display());
    let mut c = Command::new(path);
    c.args(args).stdin(Stdio::null()).env("LC_ALL", "C");
    c
}

/// Runs an example to completion; its exit status, stdout and stderr.
fn run(mut command: Command, within: Duration) -> (bool, String, String) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn example");
    let out = wait(child, within);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits for `child`, killing it after `within`.
fn wait(mut child: Child, within: Duration) -> std::process::Output {
    let deadline = Instant::now() + within;
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "example still running after {within:?}; stdout: {} stderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

/// A running example whose stdout is read line by line.
struct Running {
    child: Option<Child>,
    lines: BufReader<ChildStdout>,
    seen: String,
}

impl Running {
    fn start(mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn example");
        let lines = BufReader::new(child.stdout.take().expect("stdout"));
        Running {
            child: Some(child),
            lines,
            seen: String::new(),
        }
    }

    /// The next line of output, which must start with `prefix`.
    fn line(&mut self, prefix: &str) -> String {
        let mut line = String::new();
        let n = self.lines.read_line(&mut line).expect("read stdout");
        self.seen.push_str(&line);
        if n == 0 || !line.starts_with(prefix) {
            let err = self.finish_now();
            panic!(
                "expected a line starting {prefix:?}; output so far:\n{}\nstderr:\n{err}",
                self.seen
            );
        }
        line.trim_end().to_string()
    }

    fn finish_now(&mut self) -> String {
        let Some(mut child) = self.child.take() else {
            return String::new();
        };
        let _ = child.kill();
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let _ = child.wait();
        err
    }

    /// Waits for a successful exit; the rest of stdout.
    fn success(mut self, within: Duration) -> String {
        let child = self.child.take().expect("running");
        let out = wait(child, within);
        let mut rest = String::new();
        let _ = self.lines.read_to_string(&mut rest);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "exit {:?}; stdout:\n{}{rest}\nstderr:\n{err}",
            out.status,
            self.seen
        );
        rest
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.finish_now();
    }
}

/// Every program in `backend-libc/examples/` is in [`EXAMPLES`] (built
/// here) and has a scenario of its own, a test named `example_<name>_…`, so
/// a new one cannot go untested.
#[test]
fn every_example_program_is_run_here() {
    let dir = workspace().join("backend-libc/examples");
    let mut programs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| path.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect();
    programs.sort();
    let mut listed = EXAMPLES.map(str::to_owned).to_vec();
    listed.sort();
    assert_eq!(listed, programs, "EXAMPLES against backend-libc/examples/");
    let this_file = include_str!("examples.rs");
    for name in EXAMPLES {
        let scenario = format!("fn example_{name}_");
        assert!(this_file.contains(&scenario), "no `{scenario}…` test");
    }
}

#[test]
fn example_tour_runs_without_root() {
    let (ok, out, err) = run(example::<&str>("tour", &[]), Duration::from_secs(30));
    assert!(ok, "tour failed: {err}");
    for expected in [
        "sent     11 bytes to [::1]:",
        "  present only:  tclass=0x28 hoplim=7 dst=::1 ifindex=1",
        "  reply with:    src=::1 ifindex=1",
        "  HopByHop at 0, 8 bytes, next header 44",
        "  Fragment at 8, 8 bytes, next header 17, offset 0 more true id 0x12345678",
        "  chain ends: UpperLayer { protocol: 17, offset: 16 }",
        "  echo request             (128) blocked",
        "  Linux      f1 ff ff ff ff ff ff ff …",
        "  FreeBSD    0e 00 00 00 00 00 00 00 …",
        "  Darwin   (level 41, type 36, 4 bytes) (level 41, type 47, 4 bytes) (level 41, type 46, 20 bytes)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn examples_say_what_they_need_and_exit_non_zero() {
    for (name, args, says) in [
        ("mdns_oneshot", &[][..], "it needs an interface"),
        ("ospf_hello", &[][..], "it needs an interface"),
        ("multicast_listen", &[][..], "it needs an interface"),
        ("traceroute6", &[][..], "name a destination"),
        (
            "multicast_listen",
            &["nope0/ff02::114"][..],
            "no interface is named \"nope0\"",
        ),
    ] {
        let (ok, _, err) = run(example(name, args), Duration::from_secs(10));
        assert!(!ok, "{name} {args:?} succeeded");
        assert!(err.contains(says), "{name} {args:?}: {err}");
    }
}

/// Frames an AF_PACKET socket sees in the thread's namespace, as IPv6
/// packets (link headers stripped).
fn packet_socket() -> OwnedFd {
    let fd = rustix::net::socket(AddressFamily::PACKET, SocketType::DGRAM, Some(eth::IPV6))
        .expect("AF_PACKET socket");
    rustix::net::sockopt::set_socket_timeout(
        &fd,
        rustix::net::sockopt::Timeout::Recv,
        Some(Duration::from_millis(200)),
    )
    .unwrap();
    fd
}

#[test]
fn example_marking_tcp_marks_every_packet_it_sends() {
    netns::run("example_marking_tcp_marks_every_packet_it_sends", |_ns| {
        let sniffer = packet_socket();
        let mut server = Running::start(example(
            "marking_tcp",
            &[
                "--listen",
                "[::1]:0",
                "--tclass",
                "0x28",
                "--hops",
                "9",
                "--connections",
                "1",
            ],
        ));
        let listening = server.line("listening on [::1]:");
        let port: u16 = listening.rsplit(':').next().unwrap().parse().unwrap();
        let mut client = TcpStream::connect(("::1", port)).unwrap();
        let mut greeting = String::new();
        client.read_to_string(&mut greeting).unwrap();
        assert!(
            greeting.contains("carry traffic class 0x28 and hop limit 9"),
            "{greeting}"
        );
        let report = server.line("[::1]:");
        assert!(
            report.ends_with("traffic class 0x28, hop limit 9"),
            "{report}"
        );
        server.success(Duration::from_secs(10));

        // On the wire: every segment the server sent with data carries the marks.
        let mut buf = [0u8; 2048];
        let mut data_segments = 0;
        while let Ok((n, _)) =
            rustix::net::recv(&sniffer, &mut buf, rustix::net::RecvFlags::empty())
        {
            let Ok(h) = Header::parse(&buf[..n]) else {
                continue;
            };
            let tcp = &buf[40..n];
            if h.next_header != 6 || tcp.len() < 20 || u16::from_be_bytes([tcp[0], tcp[1]]) != port
            {
                continue;
            }
            let payload = tcp.len() - usize::from(tcp[12] >> 4) * 4;
            if payload > 0 {
                data_segments += 1;
                assert_eq!((h.traffic_class, h.hop_limit), (0x28, 9), "{h}");
            }
        }
        assert!(
            data_segments > 0,
            "no data segment from the server was seen"
        );
    });
}

/// A DNS query for `name` AAAA, ID `id`.
fn mdns_query(id: u16, name: &str) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 28, 0, 1]);
    q
}

/// The AAAA addresses of a response (answers after one echoed question).
fn mdns_answers(r: &[u8]) -> Vec<Ipv6Addr> {
    let mut at = 12;
    let skip_name = |at: &mut usize| {
        while r[*at] != 0 {
            *at += 1 + usize::from(r[*at]);
        }
        *at += 1;
    };
    for _ in 0..u16::from_be_bytes([r[4], r[5]]) {
        skip_name(&mut at);
        at += 4;
    }
    let mut out = Vec::new();
    for _ in 0..u16::from_be_bytes([r[6], r[7]]) {
        skip_name(&mut at);
        assert_eq!(&r[at..at + 2], &[0, 28], "an AAAA record");
        let rdlen = usize::from(u16::from_be_bytes([r[at + 8], r[at + 9]]));
        assert_eq!(rdlen, 16);
        let octets: [u8; 16] = r[at + 10..at + 26].try_into().unwrap();
        out.push(Ipv6Addr::from(octets));
        at += 10 + rdlen;
    }
    out
}

fn link_local(ns: &Netns, link: &str) -> Ipv6Addr {
    let out = ns.ip(&["-6", "-o", "addr", "show", "dev", link, "scope", "link"]);
    let word = out
        .split_whitespace()
        .skip_while(|w| *w != "inet6")
        .nth(1)
        .unwrap_or_else(|| panic!("no link-local address on {link}: {out}"));
    ip(word.split('/').next().unwrap())
}

#[test]
fn example_mdns_oneshot_answers_a_query_out_of_its_interface() {
    netns::run(
        "example_mdns_oneshot_answers_a_query_out_of_its_interface",
        |ns| {
            let link = Pair::new(ns, "va", "vb", 1);
            let (va_local, vb_local) = (link_local(ns, "va"), link_local(ns, "vb"));
            let mut responder = Running::start(example(
                "mdns_oneshot",
                &["vb", "printer.local", "--timeout", "20"],
            ));
            let ready = responder.line("answering printer.local on vb");
            assert!(ready.contains(&link.b_addr.to_string()), "{ready}");

            // A legacy unicast query out of va: it crosses the veth to vb.
            let querier = UdpSocket::bind("[::]:0").unwrap();
            let q = ipv6_backend_libc::packet_conn(&querier).unwrap();
            q.set_multicast_interface(Some(link.a_index)).unwrap();
            q.set_multicast_loopback(false).unwrap();
            q.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)
                .unwrap();
            q.set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let group = SocketAddrV6::new(ip("ff02::fb"), 5353, 0, link.a_index);
            let mut buf = [0u8; 1500];
            let mut answer = None;
            for _ in 0..30 {
                q.write_to(&mdns_query(0x4242, "printer.local"), None, Some(&group))
                    .unwrap();
                if let Ok(got) = q.read_from(&mut buf) {
                    answer = Some(got);
                    break;
                }
            }
            let (n, cm, from) = answer.expect("an answer from mdns_oneshot");
            let reply = &buf[..n];
            assert_eq!(&reply[..4], &[0x42, 0x42, 0x84, 0x00], "ID echoed, QR+AA");
            let mut addresses = mdns_answers(reply);
            addresses.sort();
            let mut expected = vec![link.b_addr, vb_local];
            expected.sort();
            assert_eq!(addresses, expected);
            // Sent out of vb (the arrival interface): from vb's link-local
            // address, received on va.
            assert_eq!(from.map(|f| *f.ip()), Some(vb_local));
            assert_eq!(cm.if_index, link.a_index);
            assert_eq!(cm.dst, Some(va_local));
            let done = responder.line("answered printer.local AAAA from [");
            assert!(done.contains("legacy unicast to [fe80::"), "{done}");
            responder.success(Duration::from_secs(5));
        },
    );
}

/// A raw `ip6:89` socket joined to AllSPFRouters on `ifindex`, checksummed
/// at offset 12 by the kernel.
fn ospf_socket(ifindex: u32) -> ipv6_core::PacketConn<ipv6_backend_libc::Socket<OwnedFd>> {
    let fd = rustix::net::socket(
        AddressFamily::INET6,
        SocketType::RAW,
        Some(Protocol::from_raw(89.try_into().unwrap())),
    )
    .expect("raw ip6:89");
    let conn = ipv6_backend_libc::packet_conn(fd).unwrap();
    conn.set_checksum(Some(12)).unwrap();
    conn.join_group(Some(ifindex), ip("ff02::5")).unwrap();
    conn.set_multicast_interface(Some(ifindex)).unwrap();
    conn.set_multicast_hop_limit(1).unwrap();
    conn.set_multicast_loopback(false).unwrap();
    conn.set_control_message(
        ControlFlags::DST | ControlFlags::HOP_LIMIT | ControlFlags::INTERFACE,
        true,
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn
}

#[test]
fn example_ospf_hello_sends_and_decodes_hellos() {
    netns::run("example_ospf_hello_sends_and_decodes_hellos", |ns| {
        let link = Pair::new(ns, "va", "vb", 1);
        let vb_local = link_local(ns, "vb");
        let conn = ospf_socket(link.a_index);
        let mut router = Running::start(example(
            "ospf_hello",
            &[
                "vb",
                "1.1.1.1",
                "--area",
                "0.0.0.1",
                "--receive",
                "1",
                "--listen",
                "20",
            ],
        ));
        router.line("sent hello on vb");

        // The hello, as the second socket receives it.
        let mut buf = [0u8; 1500];
        let (n, cm, from) = conn.read_from(&mut buf).expect("the example's hello");
        let hello = &buf[..n];
        let from = *from.unwrap().ip();
        assert_eq!(from, vb_local);
        assert_eq!(
            (cm.dst, cm.hop_limit, cm.if_index),
            (Some(ip("ff02::5")), Some(1), link.a_index)
        );
        assert!(
            checksum_verifies(from, ip("ff02::5"), 89, hello),
            "checksum at offset 12"
        );
        assert_ne!(&hello[12..14], &[0, 0], "the kernel filled the checksum");
        assert_eq!(n, 36);
        assert_eq!(&hello[..4], &[3, 1, 0, 36], "version 3, hello, length 36");
        assert_eq!(
            Ipv4Addr::new(hello[4], hello[5], hello[6], hello[7]),
            Ipv4Addr::new(1, 1, 1, 1)
        );
        assert_eq!(&hello[8..12], &[0, 0, 0, 1], "area 0.0.0.1");
        assert_eq!(
            u32::from_be_bytes(hello[16..20].try_into().unwrap()),
            link.b_index
        );
        assert_eq!(&hello[20..28], &[1, 0, 0, 0x13, 0, 10, 0, 40]);

        // A hello back, listing the example's router as a neighbor.
        let mut back = hello.to_vec();
        back[4..8].copy_from_slice(&[2, 2, 2, 2]);
        back[12..14].copy_from_slice(&[0, 0]);
        back[16..20].copy_from_slice(&link.a_index.to_be_bytes());
        back.extend_from_slice(&[1, 1, 1, 1]);
        let len = back.len() as u16;
        back[2..4].copy_from_slice(&len.to_be_bytes());
        let to = SocketAddrV6::new(ip("ff02::5"), 0, 0, link.a_index);
        conn.write_to(&back, None, Some(&to)).unwrap();
        let decoded = router.line("hello from fe80::");
        assert!(
            decoded.contains("router 2.2.2.2 area 0.0.0.1")
                && decoded.contains("neighbors [1.1.1.1], checksum ok"),
            "{decoded}"
        );
        router.success(Duration::from_secs(5));
    });
}

/// Named network namespaces (for routers), deleted on drop.
struct Namespaces(Vec<String>);

impl Namespaces {
    fn create(names: &[&str]) -> Namespaces {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let made = Namespaces(
            names
                .iter()
                .map(|name| format!("ipv6t-{}-{n}-{name}", std::process::id()))
                .collect(),
        );
        for name in &made.0 {
            let ok = Command::new("ip")
                .args(["netns", "add", name])
                .status()
                .unwrap();
            assert!(ok.success(), "ip netns add {name}");
        }
        made
    }

    /// Runs `ip` inside namespace `i`.
    fn ip(&self, i: usize, args: &[&str]) {
        let out = Command::new("ip")
            .arg("-n")
            .arg(&self.0[i])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ip -n {} {args:?}: {}",
            self.0[i],
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Writes a sysctl inside namespace `i`.
    fn sysctl(&self, i: usize, key: &str, value: &str) {
        let path = format!("/proc/sys/{}", key.replace('.', "/"));
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.0[i],
                "sh",
                "-c",
                &format!("echo {value} > {path}"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// Pings `target` until it answers (at most 10 s).
fn prime_path(target: Ipv6Addr) {
    let fd = rustix::net::socket(
        AddressFamily::INET6,
        SocketType::RAW,
        Some(rustix::net::ipproto::ICMPV6),
    )
    .expect("raw ICMPv6");
    let conn = ipv6_backend_libc::packet_conn(fd).unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let echo = ipv6_tests::suite::wire::icmp_message(
        ipv6_core::IcmpType::ECHO_REQUEST,
        7,
        7,
        b"prime",
        None,
    );
    let mut buf = [0u8; 1500];
    for _ in 0..50 {
        conn.write_to(&echo, None, Some(&at(target, 0))).unwrap();
        let deadline = Instant::now() + Duration::from_millis(200);
        while Instant::now() < deadline {
            match conn.read_from(&mut buf) {
                Ok((n, _, Some(from))) if *from.ip() == target && n >= 8 && buf[0] == 129 => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    panic!("{target} never answered");
}

#[test]
fn example_traceroute6_through_two_routers() {
    netns::run("example_traceroute6_through_two_routers", |ns| {
        // host [h0] —— [r1a] R1 [r1b] —— [r2a] R2 [r2b] —— [t0] target
        let routers = Namespaces::create(&["r1", "r2", "target"]);
        ns.add_veth_pair("h0", "r1a");
        ns.add_veth_pair("r1b", "r2a");
        ns.add_veth_pair("r2b", "t0");
        for (link, i) in [("r1a", 0), ("r1b", 0), ("r2a", 1), ("r2b", 1), ("t0", 2)] {
            ns.ip(&["link", "set", link, "netns", &routers.0[i]]);
        }
        for i in 0..3 {
            routers.sysctl(i, "net.ipv6.conf.all.forwarding", "1");
            routers.sysctl(i, "net.ipv6.conf.all.accept_dad", "0");
            routers.sysctl(i, "net.ipv6.conf.default.accept_dad", "0");
            // Every probe gets its answer.
            routers.sysctl(i, "net.ipv6.icmp.ratelimit", "0");
            routers.ip(i, &["link", "set", "lo", "up"]);
        }
        let addr = |i: usize, link: &str, cidr: &str| {
            routers.ip(i, &["-6", "addr", "add", cidr, "dev", link, "nodad"]);
            routers.ip(i, &["link", "set", link, "up"]);
        };
        ns.set_up("h0");
        ns.add_addr("h0", "2001:db8:1::2/64");
        addr(0, "r1a", "2001:db8:1::1/64");
        addr(0, "r1b", "2001:db8:2::1/64");
        addr(1, "r2a", "2001:db8:2::2/64");
        addr(1, "r2b", "2001:db8:3::1/64");
        addr(2, "t0", "2001:db8:3::2/64");
        ns.ip(&["-6", "route", "add", "default", "via", "2001:db8:1::1"]);
        routers.ip(
            0,
            &[
                "-6",
                "route",
                "add",
                "2001:db8:3::/64",
                "via",
                "2001:db8:2::2",
            ],
        );
        routers.ip(
            1,
            &[
                "-6",
                "route",
                "add",
                "2001:db8:1::/64",
                "via",
                "2001:db8:2::1",
            ],
        );
        routers.ip(
            2,
            &["-6", "route", "add", "default", "via", "2001:db8:3::1"],
        );

        // Until every link has come up, the kernel drops what is sent over
        // it, neighbor solicitations included: wait until the target answers.
        prime_path(ip("2001:db8:3::2"));
        let (ok, out, err) = run(
            example(
                "traceroute6",
                &[
                    "2001:db8:3::2",
                    "--max-hops",
                    "8",
                    "--probes",
                    "3",
                    "--wait-ms",
                    "2000",
                ],
            ),
            Duration::from_secs(60),
        );
        assert!(ok, "traceroute6 failed: {err}\n{out}");
        let hops: Vec<&str> = out.lines().skip(1).collect();
        let expected = ["2001:db8:1::1", "2001:db8:2::2", "2001:db8:3::2"];
        assert_eq!(hops.len(), expected.len(), "{out}");
        for ((n, line), addr) in hops.iter().enumerate().zip(expected) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // "N  ADDR  x.xxx ms  x.xxx ms  x.xxx ms": every probe answered.
            assert_eq!(fields[0], (n + 1).to_string(), "{line}");
            assert_eq!(fields[1], addr, "hop {}: {line}", n + 1);
            assert_eq!(fields.len(), 2 + 2 * 3, "three round-trip times: {line}");
            for rtt in fields[2..].chunks(2) {
                assert!(rtt[0].parse::<f64>().is_ok_and(|ms| ms >= 0.0), "{line}");
                assert_eq!(rtt[1], "ms");
            }
        }
    });
}

#[test]
fn example_multicast_listen_prints_what_its_groups_receive() {
    netns::run(
        "example_multicast_listen_prints_what_its_groups_receive",
        |ns| {
            let link = Pair::new(ns, "va", "vb", 1);
            let other = ip("2001:db8:1::a2");
            ns.add_addr("va", &format!("{other}/64"));
            let mut listener = Running::start(example(
                "multicast_listen",
                &[
                    "--port",
                    "4242",
                    "--count",
                    "2",
                    "--timeout",
                    "20",
                    "vb/ff0e::114",
                    &format!("vb/ff3e::8000:1/{}", link.a_addr),
                ],
            ));
            listener.line("joined ff0e::114 on vb");
            listener.line(&format!(
                "joined ff3e::8000:1 on vb (index {}), source {}",
                link.b_index, link.a_addr
            ));
            listener.line("listening on [::]:4242");

            let send = |from: Ipv6Addr, group: &str, payload: &[u8]| {
                let s = UdpSocket::bind(at(from, 0)).unwrap();
                let c = ipv6_backend_libc::packet_conn(&s).unwrap();
                c.set_multicast_interface(Some(link.a_index)).unwrap();
                let cm = ipv6_core::ControlMessage {
                    traffic_class: Some(0x20),
                    hop_limit: Some(5),
                    ..Default::default()
                };
                c.write_to(payload, Some(&cm), Some(&at(ip(group), 4242)))
                    .unwrap();
            };
            // Not from the one source allowed: never printed.
            send(other, "ff3e::8000:1", b"wrong source");
            send(link.a_addr, "ff0e::114", b"any source");
            send(link.a_addr, "ff3e::8000:1", b"right source");
            let first = listener.line(&format!("from [{}]:", link.a_addr));
            let second = listener.line(&format!("from [{}]:", link.a_addr));
            let ifindex = link.b_index;
            assert!(
                first.ends_with(&format!(
                    "10 bytes \"any source\": tclass=0x20 hoplim=5 dst=ff0e::114 ifindex={ifindex}"
                )),
                "{first}"
            );
            assert!(second.ends_with(&format!("12 bytes \"right source\": tclass=0x20 hoplim=5 dst=ff3e::8000:1 ifindex={ifindex}")), "{second}");
            listener.success(Duration::from_secs(5));
        },
    );
}

#[test]
fn example_async_echo_answers_from_the_address_asked() {
    netns::run("example_async_echo_answers_from_the_address_asked", |ns| {
        let link = Pair::new(ns, "va", "vb", 1);
        let second = ip("2001:db8:9::b");
        ns.add_addr("vb", &format!("{second}/64"));
        let targets = [link.b_addr, second, Ipv6Addr::LOCALHOST, link.a_addr];
        let mut server = Running::start(example(
            "async_echo",
            &["--listen", "[::]:0", "--count", &targets.len().to_string()],
        ));
        let listening = server.line("listening on [::]:");
        let port: u16 = listening.rsplit(':').next().unwrap().parse().unwrap();
        let client = UdpSocket::bind("[::]:0").unwrap();
        client
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 64];
        for target in targets {
            let mut reply = None;
            for _ in 0..20 {
                client
                    .send_to(target.to_string().as_bytes(), at(target, port))
                    .unwrap();
                if let Ok(got) = client.recv_from(&mut buf) {
                    reply = Some(got);
                    break;
                }
            }
            let (n, from) = reply.unwrap_or_else(|| panic!("no echo from {target}"));
            assert_eq!(&buf[..n], target.to_string().as_bytes());
            let std::net::SocketAddr::V6(from) = from else {
                panic!("{from}")
            };
            assert_eq!(*from.ip(), target, "the echo comes from the address asked");
            let line = server.line("echoed ");
            assert!(
                line.contains(&format!("(sent to {target} on interface ")),
                "{line}"
            );
        }
        server.success(Duration::from_secs(5));
    });
}
