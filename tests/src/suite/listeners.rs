//! Group membership bookkeeping (Go's multicastlistener_test.go): joins and
//! leaves on every multicast link, checked in the kernel's membership table.

use std::net::Ipv6Addr;

use ipv6_core::{Operation as Op, SocketOption as O};

use super::sockets::{ICMPV6, Sock};
use super::topology::{Pair, any, at, ip};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// Go's listener groups.
const GROUPS: [&str; 3] = ["ff02::114", "ff02::1:114", "ff02::2:114"];

/// Multicast links with a global address: (name, index, address).
fn links(ns: &Netns) -> Vec<(&'static str, u32, Ipv6Addr)> {
    let one = Pair::new(ns, "va", "vb", 1);
    let two = Pair::new(ns, "vc", "vd", 2);
    [one, two]
        .into_iter()
        .flat_map(|p| [(p.a, p.a_index, p.a_addr), (p.b, p.b_index, p.b_addr)])
        .collect()
}

/// Asserts `group` on `link` has `users` sockets joined (0: absent).
#[track_caller]
fn assert_users<B: Backend>(ns: &Netns, link: &str, group: Ipv6Addr, users: u32) {
    let found = ns
        .memberships(link)
        .into_iter()
        .find(|&(g, _)| g == group)
        .map_or(0, |(_, n)| n);
    assert_eq!(found, users, "[{}] users of {group} on {link}", B::NAME);
}

fn join_all<B: Backend>(
    ns: &Netns,
    socks: &[&Sock<B>],
    links: &[(&str, u32, Ipv6Addr)],
    group: Ipv6Addr,
) -> Outcome {
    for &(name, index, _) in links {
        for s in socks {
            must::<B, _>(&[Op::Set(O::JoinGroup)], s.join_group(Some(index), group))?;
        }
        assert_users::<B>(ns, name, group, socks.len() as u32);
    }
    for &(name, index, _) in links {
        for s in socks {
            must::<B, _>(&[Op::Set(O::LeaveGroup)], s.leave_group(Some(index), group))?;
        }
        assert_users::<B>(ns, name, group, 0);
    }
    Some(())
}

/// Go's TestUDPSinglePacketConnWithMultipleGroupListeners.
pub fn multicast_listener_udp_one_socket_every_link<B: Backend>(ns: &Netns) -> Outcome {
    let links = links(ns);
    for group in GROUPS.map(ip) {
        let s = Sock::<B>::udp(any(0));
        join_all(ns, &[&s], &links, group)?;
    }
    Some(())
}

/// Go's TestUDPMultiplePacketConnWithMultipleGroupListeners: two sockets on
/// one port join on every link.
pub fn multicast_listener_udp_two_sockets_one_port<B: Backend>(ns: &Netns) -> Outcome {
    let links = links(ns);
    for group in GROUPS.map(ip) {
        let first = Sock::<B>::udp_shared(any(0));
        let second = Sock::<B>::udp_shared(any(first.local().port()));
        join_all(ns, &[&first, &second], &links, group)?;
    }
    Some(())
}

/// Go's TestUDPPerInterfaceSinglePacketConnWithSingleGroupListener: one
/// socket per link, bound to the link's address, joins on its link.
pub fn multicast_listener_udp_per_interface<B: Backend>(ns: &Netns) -> Outcome {
    let links = links(ns);
    per_interface::<B>(ns, &links, |addr, port| Sock::udp(at(addr, port)))
}

/// Go's TestIPSinglePacketConnWithSingleGroupListener.
pub fn multicast_listener_raw_one_socket_every_link<B: Backend>(ns: &Netns) -> Outcome {
    let links = links(ns);
    let s = Sock::<B>::raw(ICMPV6, None);
    join_all(ns, &[&s], &links, ip("ff02::114"))
}

/// Go's TestIPPerInterfaceSinglePacketConnWithSingleGroupListener.
pub fn multicast_listener_raw_per_interface<B: Backend>(ns: &Netns) -> Outcome {
    let links = links(ns);
    per_interface::<B>(ns, &links, |addr, _| Sock::raw(ICMPV6, Some(addr)))
}

fn per_interface<B: Backend>(
    ns: &Netns,
    links: &[(&str, u32, Ipv6Addr)],
    open: impl Fn(Ipv6Addr, u16) -> Sock<B>,
) -> Outcome {
    let group = ip("ff02::114");
    let mut port = 0;
    let mut joined = Vec::new();
    for &(name, index, addr) in links {
        let s = open(addr, port);
        port = s.local().port();
        must::<B, _>(&[Op::Set(O::JoinGroup)], s.join_group(Some(index), group))?;
        assert_users::<B>(ns, name, group, 1);
        joined.push((s, name, index));
    }
    for (s, name, index) in &joined {
        must::<B, _>(
            &[Op::Set(O::LeaveGroup)],
            s.leave_group(Some(*index), group),
        )?;
        assert_users::<B>(ns, name, group, 0);
    }
    Some(())
}
