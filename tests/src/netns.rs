//! Throwaway network namespaces, one per test thread.
//!
//! [`Netns::enter`] moves the *calling thread* (not the process) into a fresh
//! network namespace: `unshare(CLONE_NEWNET)` affects only the calling task,
//! and sockets, `/proc/thread-self/net` and the `ip` processes it spawns all
//! see that namespace. libtest runs every test on its own thread, so tests
//! configure their links and addresses in parallel without seeing each other.
//! Dropping the guard (also while unwinding from a panic) moves the thread
//! back to the namespace it came from; the private one disappears with its
//! last socket.

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::marker::PhantomData;
use std::net::Ipv6Addr;
use std::os::fd::{AsFd, OwnedFd};
use std::process::Command;
use std::thread;
use std::time::Duration;

use rustix::net::{AddressFamily, SocketType};
use rustix::thread::{LinkNameSpaceType, UnshareFlags};

/// Why a namespace could not be had.
#[derive(Debug)]
pub struct Unavailable(String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `scenario` inside a fresh network namespace, applying the suite's one
/// policy when no namespace can be had (see [`skip_or_fail`]).
pub fn run(test: &str, scenario: impl FnOnce(&Netns)) {
    match Netns::enter() {
        Ok(ns) => scenario(&ns),
        Err(why) => skip_or_fail(test, "root for network namespaces", &why),
    }
}

/// The crate's one policy for what the machine must provide (root, a raw
/// socket, tcpdump): under CI (`CI=true`) `what` fails; elsewhere it is
/// skipped with one line saying what it needs.
pub fn skip_or_fail(what: &str, needs: &str, why: &dyn fmt::Display) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what}: needs {needs}, and CI=true: {why}");
    }
    // Written to the real stderr: libtest captures only the print macros, and a
    // skip must be visible in a normal run.
    let _ = writeln!(
        io::stderr(),
        "skipped {what}: needs {needs} ({why}); set CI=true to fail instead"
    );
}

/// The calling thread's private network namespace; restores the previous one
/// on drop.
///
/// Not `Send`: it describes the thread that created it.
pub struct Netns {
    original: OwnedFd,
    _thread_bound: PhantomData<*const ()>,
}

impl Netns {
    /// Moves the calling thread into a new network namespace with `lo` up and
    /// duplicate address detection off (addresses are usable at once).
    pub fn enter() -> Result<Netns, Unavailable> {
        if !rustix::process::geteuid().is_root() {
            return Err(Unavailable("not running as root".into()));
        }
        let original: OwnedFd = File::open("/proc/thread-self/ns/net")
            .map_err(|e| Unavailable(format!("open /proc/thread-self/ns/net: {e}")))?
            .into();
        // SAFETY: only CLONE_NEWNET is unshared. The hazard `unshare_unsafe`
        // guards against is CLONE_FILES (descriptors created by other threads
        // becoming invisible), which is not requested; a network namespace
        // changes no memory or descriptor this process relies on.
        unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWNET) }
            .map_err(|e| Unavailable(format!("unshare(CLONE_NEWNET): {e}")))?;
        let ns = Netns {
            original,
            _thread_bound: PhantomData,
        };
        // Per-namespace sysctls, written by this thread so they land in its
        // namespace. Links created later inherit `default`.
        for scope in ["all", "default"] {
            let path = format!("/proc/sys/net/ipv6/conf/{scope}/accept_dad");
            std::fs::write(&path, "0").unwrap_or_else(|e| panic!("write {path}: {e}"));
        }
        ns.ip(&["link", "set", "lo", "up"]);
        Ok(ns)
    }

    /// Runs `ip ARGS` in this namespace; panics with its stderr on failure.
    pub fn ip(&self, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `ip` (iproute2 missing?): {e}"));
        assert!(
            out.status.success(),
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Creates a veth pair `a`–`b` (both ends in this namespace, down).
    pub fn add_veth_pair(&self, a: &str, b: &str) {
        self.ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
    }

    /// Creates a dummy link (needs a kernel with `CONFIG_DUMMY`; the suite
    /// itself uses veth pairs so that it runs without it).
    pub fn add_dummy(&self, name: &str) {
        self.ip(&["link", "add", name, "type", "dummy"]);
    }

    /// Brings `link` up.
    pub fn set_up(&self, link: &str) {
        self.ip(&["link", "set", link, "up"]);
    }

    /// Sets the MTU of `link`.
    pub fn set_mtu(&self, link: &str, mtu: u32) {
        self.ip(&["link", "set", link, "mtu", &mtu.to_string()]);
    }

    /// Sets the `MULTICAST` flag of `link`.
    pub fn enable_multicast(&self, link: &str) {
        self.ip(&["link", "set", link, "multicast", "on"]);
    }

    /// Adds `cidr` (e.g. `"2001:db8::1/64"`) to `link` without duplicate
    /// address detection, and waits until it is usable.
    pub fn add_addr(&self, link: &str, cidr: &str) {
        self.ip(&["-6", "addr", "add", cidr, "dev", link, "nodad"]);
        self.wait_addresses_usable();
    }

    /// Waits (boundedly) until no IPv6 address is tentative; panics if one
    /// failed duplicate address detection or never settles.
    pub fn wait_addresses_usable(&self) {
        for _ in 0..500 {
            let out = self.ip(&["-6", "-o", "addr", "show", "tentative"]);
            if out.trim().is_empty() {
                let failed = self.ip(&["-6", "-o", "addr", "show", "dadfailed"]);
                assert!(failed.trim().is_empty(), "DAD failed: {failed}");
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        panic!("addresses still tentative after 5 s");
    }

    /// The index of `link`.
    pub fn ifindex(&self, link: &str) -> u32 {
        // The socket is created by this thread, hence in this namespace.
        let probe = rustix::net::socket(AddressFamily::INET6, SocketType::DGRAM, None)
            .expect("probe socket");
        rustix::net::netdevice::name_to_index(&probe, link)
            .unwrap_or_else(|e| panic!("no link {link}: {e}"))
    }

    /// Multicast groups joined on `link`, from `/proc/thread-self/net/igmp6`
    /// (group, number of users).
    pub fn memberships(&self, link: &str) -> Vec<(Ipv6Addr, u32)> {
        let table = std::fs::read_to_string("/proc/thread-self/net/igmp6").expect("igmp6");
        table
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                (f.get(1) == Some(&link)).then(|| (parse_hex_addr(f[2]), f[3].parse().unwrap()))
            })
            .collect()
    }

    /// Source filters on `link`, from `/proc/thread-self/net/mcfilter6`
    /// (group, source, include count, exclude count).
    pub fn source_filters(&self, link: &str) -> Vec<(Ipv6Addr, Ipv6Addr, u32, u32)> {
        let table = std::fs::read_to_string("/proc/thread-self/net/mcfilter6").expect("mcfilter6");
        table
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                (f.get(1) == Some(&link)).then(|| {
                    (
                        parse_hex_addr(f[2]),
                        parse_hex_addr(f[3]),
                        f[4].parse().unwrap(),
                        f[5].parse().unwrap(),
                    )
                })
            })
            .collect()
    }
}

/// `/proc/net` prints addresses as 32 hex digits, optionally `0x`-prefixed.
fn parse_hex_addr(hex: &str) -> Ipv6Addr {
    let hex = hex.trim_start_matches("0x");
    Ipv6Addr::from(u128::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{hex}: {e}")))
}

impl Drop for Netns {
    fn drop(&mut self) {
        let back = rustix::thread::move_into_link_name_space(
            self.original.as_fd(),
            Some(LinkNameSpaceType::Network),
        );
        if let Err(e) = back {
            // A thread left in the wrong namespace would silently corrupt
            // whatever runs on it next: never continue.
            let _ = writeln!(io::stderr(), "cannot restore network namespace: {e}");
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn current() -> u64 {
        std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino()
    }

    #[test]
    fn thread_returns_to_its_namespace_even_after_a_panic() {
        let home = current();
        // Entered outside `catch_unwind`: under CI the policy's panic must
        // fail this test, not pass for the scenario's own panic.
        let ns = match Netns::enter() {
            Ok(ns) => ns,
            Err(why) => {
                return skip_or_fail("netns self-test", "root for network namespaces", &why);
            }
        };
        let unwound = std::panic::catch_unwind(move || {
            assert_ne!(current(), home, "not in a new namespace");
            ns.add_veth_pair("va", "vb");
            panic!("scenario failure");
        });
        assert!(unwound.is_err());
        assert_eq!(current(), home, "left in the private namespace");
        // The links lived in the private namespace only.
        let here = Command::new("ip")
            .args(["link", "show", "va"])
            .output()
            .unwrap();
        assert!(
            !here.status.success(),
            "veth leaked into the original namespace"
        );
    }

    #[test]
    fn membership_tables_parse() {
        assert_eq!(
            parse_hex_addr("ff020000000000000000000000000114"),
            "ff02::114".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            parse_hex_addr("0x20010db8000100000000000000000001"),
            "2001:db8:1::1".parse::<Ipv6Addr>().unwrap()
        );
    }
}
