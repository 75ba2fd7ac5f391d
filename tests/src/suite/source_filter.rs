//! Source-specific multicast (RFC 3678): including and excluding senders,
//! checked by delivery and by the kernel's filter table.

use std::net::Ipv6Addr;

use ipv6_core::{Operation as Op, SocketOption as O};

use super::multicast::{recv_n, sender};
use super::sockets::Sock;
use super::topology::{Pair, any, at, ip};
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// Two senders on one link (`2001:db8:1::a` and `::a2`) and a receiver on
/// its peer.
struct Setup<B: Backend> {
    link: Pair,
    rx: Sock<B>,
    port: u16,
    s1: Sock<B>,
    s2: Sock<B>,
}

fn setup<B: Backend>(ns: &Netns) -> Option<Setup<B>> {
    let link = Pair::new(ns, "va", "vb", 1);
    let second = ip("2001:db8:1::a2");
    ns.add_addr(link.a, &format!("{second}/64"));
    let rx = Sock::<B>::udp(any(0));
    let port = rx.local().port();
    let s1 = sender::<B>(link.a_addr, link.a_index)?;
    let s2 = sender::<B>(second, link.a_index)?;
    Some(Setup {
        link,
        rx,
        port,
        s1,
        s2,
    })
}

impl<B: Backend> Setup<B> {
    /// The second sender, then the first, send to `group`; returns what the
    /// receiver gets once the first sender's datagram (or `expect` of them)
    /// has arrived, by sender.
    fn both_send(&self, group: Ipv6Addr, expect: usize) -> Option<Vec<Ipv6Addr>> {
        self.s2.send(b"from s2", None, at(group, self.port))?;
        self.s1.send(b"from s1", None, at(group, self.port))?;
        let got = recv_n(&self.rx, expect)?;
        self.rx.assert_silent("a filtered source");
        Some(
            got.iter()
                .map(|d| *d.source.expect("source").ip())
                .collect(),
        )
    }

    fn filters(&self, ns: &Netns, group: Ipv6Addr) -> Vec<(Ipv6Addr, u32, u32)> {
        let mut f: Vec<_> = ns
            .source_filters(self.link.b)
            .into_iter()
            .filter(|&(g, ..)| g == group)
            .map(|(_, s, inc, exc)| (s, inc, exc))
            .collect();
        f.sort();
        f
    }

    fn is_member(&self, ns: &Netns, group: Ipv6Addr) -> bool {
        ns.memberships(self.link.b).iter().any(|&(g, _)| g == group)
    }
}

/// Joining a group for one source delivers that source only; adding a
/// second source delivers both; leaving each source in turn narrows and
/// finally ends delivery (Go's MCAST_JOIN_SOURCE_GROUP sequences).
pub fn multicast_source_specific_join<B: Backend>(ns: &Netns) -> Outcome {
    let t = setup::<B>(ns)?;
    let (a1, a2) = (t.link.a_addr, *t.s2.local().ip());
    let vb = Some(t.link.b_index);
    let group = ip("ff3e::8000:1");
    let join = |src| {
        must::<B, _>(
            &[Op::Set(O::JoinSourceGroup)],
            t.rx.join_source_specific_group(vb, group, src),
        )
    };
    let leave = |src| {
        must::<B, _>(
            &[Op::Set(O::LeaveSourceGroup)],
            t.rx.leave_source_specific_group(vb, group, src),
        )
    };

    join(a1)?;
    assert_eq!(
        t.filters(ns, group),
        [(a1, 1, 0)],
        "[{}] kernel filter",
        B::NAME
    );
    assert_eq!(
        t.both_send(group, 1)?,
        [a1],
        "[{}] only the joined source",
        B::NAME
    );

    join(a2)?;
    assert_eq!(
        t.filters(ns, group),
        [(a1, 1, 0), (a2, 1, 0)],
        "[{}]",
        B::NAME
    );
    assert_eq!(
        t.both_send(group, 2)?,
        [a1, a2],
        "[{}] both sources",
        B::NAME
    );

    leave(a1)?;
    assert_eq!(t.filters(ns, group), [(a2, 1, 0)], "[{}]", B::NAME);
    assert_eq!(
        t.both_send(group, 1)?,
        [a2],
        "[{}] the remaining source",
        B::NAME
    );

    leave(a2)?;
    assert!(
        !t.is_member(ns, group),
        "[{}] membership left behind",
        B::NAME
    );

    // MCAST_JOIN_SOURCE_GROUP, then MCAST_LEAVE_GROUP drops the whole group.
    join(a1)?;
    assert!(t.is_member(ns, group), "[{}]", B::NAME);
    must::<B, _>(&[Op::Set(O::LeaveGroup)], t.rx.leave_group(vb, group))?;
    assert!(
        !t.is_member(ns, group),
        "[{}] leave_group after SSM join",
        B::NAME
    );
    assert!(t.filters(ns, group).is_empty(), "[{}]", B::NAME);
    Some(())
}

/// Joining a group for any source, then excluding one: that sender's
/// datagrams stop while the other's still arrive; including it again
/// restores it (Go's JoinGroup, ExcludeSourceSpecificGroup,
/// IncludeSourceSpecificGroup, LeaveGroup).
pub fn multicast_source_specific_exclude<B: Backend>(ns: &Netns) -> Outcome {
    let t = setup::<B>(ns)?;
    let (a1, a2) = (t.link.a_addr, *t.s2.local().ip());
    let vb = Some(t.link.b_index);
    let group = ip("ff0e::4:1");

    must::<B, _>(&[Op::Set(O::JoinGroup)], t.rx.join_group(vb, group))?;
    assert_eq!(t.both_send(group, 2)?, [a1, a2], "[{}] any source", B::NAME);

    must::<B, _>(
        &[Op::Set(O::BlockSource)],
        t.rx.exclude_source_specific_group(vb, group, a2),
    )?;
    assert_eq!(
        t.filters(ns, group),
        [(a2, 0, 1)],
        "[{}] kernel filter",
        B::NAME
    );
    assert_eq!(
        t.both_send(group, 1)?,
        [a1],
        "[{}] excluded source",
        B::NAME
    );

    must::<B, _>(
        &[Op::Set(O::UnblockSource)],
        t.rx.include_source_specific_group(vb, group, a2),
    )?;
    assert!(
        t.filters(ns, group).is_empty(),
        "[{}] filter left behind",
        B::NAME
    );
    assert_eq!(
        t.both_send(group, 2)?,
        [a1, a2],
        "[{}] included again",
        B::NAME
    );

    must::<B, _>(&[Op::Set(O::LeaveGroup)], t.rx.leave_group(vb, group))?;
    assert!(!t.is_member(ns, group), "[{}]", B::NAME);
    Some(())
}
