//! Links the scenarios build inside their namespace.

use std::net::{Ipv6Addr, SocketAddrV6};

use crate::netns::Netns;

/// A veth pair with a global address on each end, both up.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    /// One end's name.
    pub a: &'static str,
    /// The other end's name.
    pub b: &'static str,
    /// Index of `a`.
    pub a_index: u32,
    /// Index of `b`.
    pub b_index: u32,
    /// `2001:db8:N::a`, on `a`.
    pub a_addr: Ipv6Addr,
    /// `2001:db8:N::b`, on `b`.
    pub b_addr: Ipv6Addr,
}

impl Pair {
    /// `a`–`b` with addresses in `2001:db8:<net>::/64`.
    pub fn new(ns: &Netns, a: &'static str, b: &'static str, net: u16) -> Pair {
        ns.add_veth_pair(a, b);
        ns.set_up(a);
        ns.set_up(b);
        let a_addr = Ipv6Addr::new(0x2001, 0xdb8, net, 0, 0, 0, 0, 0xa);
        let b_addr = Ipv6Addr::new(0x2001, 0xdb8, net, 0, 0, 0, 0, 0xb);
        ns.add_addr(a, &format!("{a_addr}/64"));
        ns.add_addr(b, &format!("{b_addr}/64"));
        wait_solicited_node(ns, a, a_addr);
        wait_solicited_node(ns, b, b_addr);
        Pair {
            a,
            b,
            a_index: ns.ifindex(a),
            b_index: ns.ifindex(b),
            a_addr,
            b_addr,
        }
    }
}

/// Waits (boundedly) until `link` has joined the solicited-node group of
/// `addr`.
///
/// The kernel joins it only once the veth has carrier, which the global
/// link-watch work reports up to a second later; a scenario's own group
/// joined before that ends up behind it in the device's group list, where
/// `/proc/net/mcfilter6` does not look (it shows a device's source filters
/// only when its most recent group has some). Waiting here keeps the
/// scenario's joins the most recent.
fn wait_solicited_node(ns: &Netns, link: &str, addr: Ipv6Addr) {
    let low = u128::from(addr) & 0xff_ffff;
    let solicited = Ipv6Addr::from(0xff02_0000_0000_0000_0000_0001_ff00_0000 | low);
    for _ in 0..500 {
        if ns.memberships(link).iter().any(|&(g, _)| g == solicited) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{link} did not join {solicited} for {addr} in 5 s");
}

/// `addr` with port `port`.
pub fn at(addr: Ipv6Addr, port: u16) -> SocketAddrV6 {
    SocketAddrV6::new(addr, port, 0, 0)
}

/// `[::]:port`.
pub fn any(port: u16) -> SocketAddrV6 {
    at(Ipv6Addr::UNSPECIFIED, port)
}

/// An address by its text.
pub fn ip(text: &str) -> Ipv6Addr {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Three namespaces in a line: this thread's (the sender), a router and a
/// receiver, the link behind the router narrower than the one before it.
///
/// ```text
///  sender s0 ── r0 router r1 ── x0 receiver
///  2001:db8:1::a    ::b  2001:db8:2::a    ::b
///  MTU 1500              MTU `narrow`
/// ```
///
/// The router and receiver are named namespaces (`ip netns add`), unique
/// to this process and thread, deleted on drop; the sender's is the
/// thread's own. The router forwards and does not rate-limit ICMPv6.
pub struct Routed {
    router: String,
    receiver: String,
    /// The sender's address.
    pub sender_addr: Ipv6Addr,
    /// The router's address on the sender's link: the source of its ICMPv6
    /// errors to the sender.
    pub router_addr: Ipv6Addr,
    /// The receiver's address.
    pub receiver_addr: Ipv6Addr,
    /// The MTU of the link behind the router.
    pub narrow: u32,
}

impl Routed {
    /// Builds the line with `narrow` as the MTU behind the router.
    pub fn new(ns: &Netns, narrow: u32) -> Routed {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let tag = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let routed = Routed {
            router: format!("ipv6t-r-{tag}"),
            receiver: format!("ipv6t-x-{tag}"),
            sender_addr: ip("2001:db8:1::a"),
            router_addr: ip("2001:db8:1::b"),
            receiver_addr: ip("2001:db8:2::b"),
            narrow,
        };
        let (r, x) = (routed.router.as_str(), routed.receiver.as_str());
        ns.ip(&["netns", "add", r]);
        ns.ip(&["netns", "add", x]);
        ns.add_veth_pair("s0", "r0");
        ns.add_veth_pair("r1", "x0");
        ns.ip(&["link", "set", "r0", "netns", r]);
        ns.ip(&["link", "set", "r1", "netns", r]);
        ns.ip(&["link", "set", "x0", "netns", x]);
        let mtu = narrow.to_string();
        for (space, link, cidr, mtu) in [
            (r, "r0", "2001:db8:1::b/64", "1500"),
            (r, "r1", "2001:db8:2::a/64", mtu.as_str()),
            (x, "x0", "2001:db8:2::b/64", mtu.as_str()),
        ] {
            ns.ip(&["-n", space, "link", "set", link, "mtu", mtu]);
            ns.ip(&["-n", space, "-6", "addr", "add", cidr, "dev", link, "nodad"]);
            ns.ip(&["-n", space, "link", "set", link, "up"]);
            ns.ip(&["-n", space, "link", "set", "lo", "up"]);
        }
        ns.set_up("s0");
        ns.add_addr("s0", "2001:db8:1::a/64");
        ns.ip(&[
            "-6",
            "route",
            "add",
            "2001:db8:2::/64",
            "via",
            "2001:db8:1::b",
        ]);
        ns.ip(&[
            "-n",
            x,
            "-6",
            "route",
            "add",
            "default",
            "via",
            "2001:db8:2::a",
        ]);
        for (key, value) in [
            ("net/ipv6/conf/all/forwarding", "1"),
            ("net/ipv6/icmp/ratelimit", "0"),
        ] {
            let script = format!("echo {value} > /proc/sys/{key}");
            ns.ip(&["netns", "exec", r, "sh", "-c", &script]);
        }
        routed
    }
}

impl Routed {
    /// A UDP socket in the router's namespace on `[router_addr]:0`, made by
    /// a short-lived thread that enters that namespace (a socket stays in
    /// the namespace it was made in).
    pub fn udp_in_router(&self) -> std::os::fd::OwnedFd {
        let path = format!("/run/netns/{}", self.router);
        let addr = SocketAddrV6::new(self.router_addr, 0, 0, 0);
        std::thread::spawn(move || {
            use std::os::fd::AsFd;
            let ns = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            rustix::thread::move_into_link_name_space(
                ns.as_fd(),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )
            .unwrap_or_else(|e| panic!("setns {path}: {e}"));
            super::sockets::udp_fd(addr, false)
        })
        .join()
        .expect("socket thread")
    }
}

impl Drop for Routed {
    fn drop(&mut self) {
        // The veth pairs go with their namespaces.
        for name in [&self.router, &self.receiver] {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", name])
                .status();
        }
    }
}
