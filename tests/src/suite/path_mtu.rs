//! Path MTU (Go's TestConnInitiatorPathMTU and TestConnResponderPathMTU),
//! checked against link and route MTUs the scenario sets.

use std::net::Ipv6Addr;

use ipv6_core::{Conn, ControlFlags, ControlMessage, Error, Operation as Op, SocketOption as O};

use super::sockets::{Sock, set_dont_fragment, tcp_pair};
use super::topology::{Pair, any, at, ip};
use super::unicast::set_flags;
use super::{Backend, Outcome, must};
use crate::netns::Netns;

/// `lo`'s MTU in a fresh namespace.
const LOOPBACK_MTU: u32 = 65536;

/// A veth with MTU 1400 and a route through it with MTU 1280.
fn narrow_links(ns: &Netns) -> (Ipv6Addr, Ipv6Addr) {
    let link = Pair::new(ns, "va", "vb", 1);
    ns.set_mtu(link.a, 1400);
    ns.ip(&[
        "-6",
        "route",
        "add",
        "2001:db8:2::/64",
        "dev",
        link.a,
        "mtu",
        "1280",
    ]);
    (ip("2001:db8:1::99"), ip("2001:db8:2::99"))
}

/// A connected UDP socket reports the MTU of its route: the link's, a
/// route's own, or loopback's; an unconnected one has none.
pub fn path_mtu_connected_udp<B: Backend>(ns: &Netns) -> Outcome {
    let (via_link, via_route) = narrow_links(ns);
    for (peer, mtu) in [
        (via_link, 1400),
        (via_route, 1280),
        (Ipv6Addr::LOCALHOST, LOOPBACK_MTU),
    ] {
        let s = Sock::<B>::udp(any(0));
        s.connect(at(peer, 9));
        let got = must::<B, _>(&[Op::Get(O::PathMtu)], s.unicast().path_mtu())?;
        assert_eq!(got, mtu, "[{}] path MTU to {peer}", B::NAME);
    }
    let unconnected = Sock::<B>::udp(any(0));
    if super::supports::<B>(&[Op::Get(O::PathMtu)]) {
        assert_eq!(
            unconnected.unicast().path_mtu(),
            Err(Error::Os {
                op: Op::Get(O::PathMtu),
                errno: libc::ENOTCONN
            }),
            "[{}] unconnected",
            B::NAME
        );
    }
    Some(())
}

/// Both ends of a TCP connection over loopback report loopback's MTU.
pub fn path_mtu_tcp_initiator_and_responder<B: Backend>(_: &Netns) -> Outcome {
    let (initiator, responder) = tcp_pair();
    for stream in [&initiator, &responder] {
        use std::os::fd::AsFd;
        let conn = must::<B, _>(&[Op::SocketFamily], Conn::new(B::wrap(stream.as_fd())))?;
        let mtu = must::<B, _>(&[Op::Get(O::PathMtu)], conn.path_mtu())?;
        assert_eq!(mtu, LOOPBACK_MTU, "[{}]", B::NAME);
    }
    Some(())
}

/// With `PATH_MTU` on and fragmentation forbidden, a datagram too big for
/// the path fails with `EMSGSIZE` and the next read reports the path MTU.
pub fn path_mtu_control_message<B: Backend>(ns: &Netns) -> Outcome {
    let (_, peer) = narrow_links(ns);
    let s = Sock::<B>::udp(any(0));
    s.connect(at(peer, 9));
    set_dont_fragment(&**s.fd());
    if !set_flags(&s, ControlFlags::PATH_MTU, true) {
        return None;
    }
    let big = [0u8; 1500];
    if !super::supports::<B>(&[Op::SendMsg]) {
        return must::<B, _>(&[Op::SendMsg], s.write_to(&big, None, None)).map(drop);
    }
    match s.write_to(&big, None, None) {
        Err(Error::Os {
            op: Op::SendMsg,
            errno: libc::EMSGSIZE,
        }) => {}
        other => panic!("[{}] oversized write: {other:?}", B::NAME),
    }
    let got = s.recv()?;
    assert_eq!(
        got.payload,
        [],
        "[{}] a path MTU report has no payload",
        B::NAME
    );
    let want = ControlMessage {
        dst: Some(peer),
        mtu: 1280,
        ..ControlMessage::default()
    };
    assert_eq!(got.control, want, "[{}]", B::NAME);
    assert_eq!(got.source.map(|a| *a.ip()), Some(peer), "[{}]", B::NAME);
    Some(())
}
