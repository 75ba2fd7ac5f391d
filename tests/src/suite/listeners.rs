//! Group membership bookkeeping (Go's multicastlistener_test.go): joins and
//! leaves on every multicast link, checked in the kernel's membership table.

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::{Operation as Op, SocketOption as O};

use super::sockets::{ICMPV6, Sock};
use super::topology::{Pair, any, at, ip};
use super::unicast::{HELLO, RECEIVER_FLAGS, set_flags};
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

/// Go's per-interface listeners bind `ip%ifname`, a link-local address with
/// its zone where the link has no other. The same link-local address and
/// port on two links: one socket per link, bound with that link's zone
/// (`sin6_scope_id`), which alone tells the two binds apart. Each joins
/// Go's group on its own link. A datagram sent to the address by way of one
/// link (a zone on the destination) reaches that link's socket only, from
/// the sender's link-local address with the receiving link as its zone, and
/// with the address and link it came to in its control data.
pub fn multicast_listener_udp_link_local_with_zone<B: Backend>(ns: &Netns) -> Outcome {
    let one = Pair::new(ns, "va", "vb", 1);
    let two = Pair::new(ns, "vc", "vd", 2);
    let (near, far) = (ip("fe80::1"), ip("fe80::2"));
    for link in [one, two] {
        ns.add_addr(link.a, &format!("{near}/64"));
        ns.add_addr(link.b, &format!("{far}/64"));
    }
    let zoned = |addr, port, link| SocketAddrV6::new(addr, port, 0, link);
    let first = Sock::<B>::udp(zoned(far, 0, one.b_index));
    let port = first.local().port();
    let second = Sock::<B>::udp(zoned(far, port, two.b_index));
    let listeners = [(&first, one), (&second, two)];
    let group = ip("ff02::114");
    for (s, link) in listeners {
        assert_eq!(s.local(), zoned(far, port, link.b_index), "[{}]", B::NAME);
        must::<B, _>(
            &[Op::Set(O::JoinGroup)],
            s.join_group(Some(link.b_index), group),
        )?;
        assert_users::<B>(ns, link.b, group, 1);
    }
    for (i, (s, link)) in listeners.into_iter().enumerate() {
        let on = set_flags(s, RECEIVER_FLAGS, true);
        let tx = Sock::<B>::udp(zoned(near, 0, link.a_index));
        tx.send(HELLO, None, zoned(far, port, link.a_index))?;
        let got = s.recv()?;
        assert_eq!(got.payload, HELLO, "[{}]", B::NAME);
        let from = zoned(near, tx.local().port(), link.b_index);
        assert_eq!(got.source, Some(from), "[{}] sender's zone", B::NAME);
        if on {
            assert_eq!(
                (got.control.dst, got.control.if_index),
                (Some(far), link.b_index),
                "[{}]",
                B::NAME
            );
        }
        let (other, _) = listeners[1 - i];
        other.assert_silent("sent by way of the other link");
    }
    for (s, link) in listeners {
        must::<B, _>(
            &[Op::Set(O::LeaveGroup)],
            s.leave_group(Some(link.b_index), group),
        )?;
        assert_users::<B>(ns, link.b, group, 0);
    }
    Some(())
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
