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
