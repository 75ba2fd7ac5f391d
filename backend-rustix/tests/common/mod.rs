//! Helpers the kernel tests of this crate share: loopback UDP sockets, raw
//! sockets, kernel state read through procfs/sysfs, and the skip policy.
// Each test binary uses its own subset.
#![allow(dead_code)]

use std::io::{self, Write as _};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::num::NonZeroU32;
use std::os::fd::OwnedFd;

use rustix::net::{AddressFamily, Protocol, SocketType};

/// A UDP socket bound to an ephemeral port on `[::1]`.
pub fn udp6() -> UdpSocket {
    UdpSocket::bind("[::1]:0").expect("bind [::1]:0")
}

/// The IPv6 address `socket` is bound to.
pub fn local_v6(socket: &UdpSocket) -> SocketAddrV6 {
    match socket.local_addr().unwrap() {
        SocketAddr::V6(a) => a,
        SocketAddr::V4(a) => panic!("IPv6 socket bound to {a}"),
    }
}

/// A number from a one-line procfs or sysfs file.
pub fn sysfs_number(path: &str) -> u32 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The loopback interface's index.
pub fn lo_index() -> u32 {
    sysfs_number("/sys/class/net/lo/ifindex")
}

/// The loopback interface's MTU.
pub fn lo_mtu() -> u32 {
    sysfs_number("/sys/class/net/lo/mtu")
}

/// Linux's default unicast hop limit, which it reports for `-1`.
pub fn default_hop_limit() -> i32 {
    sysfs_number("/proc/sys/net/ipv6/conf/all/hop_limit") as i32
}

/// A link-local group no other test process uses: `ff02::<tag>:<pid>`.
pub fn private_group(tag: u16) -> Ipv6Addr {
    let pid = std::process::id();
    Ipv6Addr::new(0xff02, 0, 0, 0, 0, tag, (pid >> 16) as u16, pid as u16)
}

/// Whether `/proc/thread-self/net/igmp6` lists `group` on `ifindex`.
///
/// The file is read in several system calls, and other tests join and
/// leave groups on `lo` at the same time: a line can then slip between two
/// reads. A group is listed if any of three whole reads shows it; one that
/// is not joined never shows, so "not listed" still means three reads
/// without it.
pub fn kernel_lists_membership(ifindex: u32, group: Ipv6Addr) -> bool {
    let hex: String = group.octets().iter().map(|b| format!("{b:02x}")).collect();
    (0..3).any(|_| {
        std::fs::read_to_string("/proc/thread-self/net/igmp6")
            .expect("/proc/thread-self/net/igmp6")
            .lines()
            .any(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.len() > 2 && fields[0] == ifindex.to_string() && fields[2] == hex
            })
    })
}

/// The policy for a test that cannot run here: under `CI=true` it fails;
/// elsewhere it says so on the real stderr (libtest captures only the print
/// macros, and a skip must be visible in a normal run).
pub fn skip_or_fail(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {why}, and CI=true");
    }
    let _ = writeln!(
        io::stderr(),
        "skipped {test}: {why} (run as root, or set CI=true to fail instead)"
    );
}

/// An RFC 3692 experimental protocol number, for raw sockets nobody else
/// sends on.
pub const EXPERIMENTAL_PROTOCOL: u32 = 253;

/// A raw IPv6 socket for `protocol` (`IPPROTO_ICMPV6` is 58), or `None`
/// after [`skip_or_fail`] when the kernel refuses it (raw sockets need
/// `CAP_NET_RAW`).
pub fn raw_socket(test: &str, protocol: u32) -> Option<OwnedFd> {
    let protocol = Protocol::from_raw(NonZeroU32::new(protocol).expect("protocol 0"));
    match rustix::net::socket(AddressFamily::INET6, SocketType::RAW, Some(protocol)) {
        Ok(fd) => Some(fd),
        Err(e) => {
            skip_or_fail(
                test,
                &format!("raw IPv6 socket refused ({e}): needs CAP_NET_RAW"),
            );
            None
        }
    }
}

/// `/proc/net` prints addresses as 32 hex digits, optionally `0x`-prefixed.
fn parse_hex_addr(hex: &str) -> Ipv6Addr {
    let hex = hex.trim_start_matches("0x");
    Ipv6Addr::from(u128::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{hex}: {e}")))
}

/// The kernel's source filters on `ifindex` for `group`, from
/// `/proc/thread-self/net/mcfilter6`: `(source, include count, exclude
/// count)` per listed source.
pub fn kernel_source_filters(ifindex: u32, group: Ipv6Addr) -> Vec<(Ipv6Addr, u32, u32)> {
    std::fs::read_to_string("/proc/thread-self/net/mcfilter6")
        .expect("/proc/thread-self/net/mcfilter6")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            (f.len() == 6 && f[0] == ifindex.to_string() && parse_hex_addr(f[2]) == group).then(
                || {
                    (
                        parse_hex_addr(f[3]),
                        f[4].parse().unwrap(),
                        f[5].parse().unwrap(),
                    )
                },
            )
        })
        .collect()
}
