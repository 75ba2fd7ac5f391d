use std::thread;

use ipv6_core::{Conn, ControlFlags, Error, InvalidArgument, Operation, PacketConn, Platform};

use crate::fake::{AF_INET, AF_INET6, Call, Datagram, Fake, Script};
use crate::{invalid, packet_conn};

#[test]
fn ipv6_socket_is_accepted_after_one_family_query() {
    let conn = Conn::new(Fake::default()).unwrap();
    assert_eq!(conn.backend().calls(), [Call::SocketFamily]);
    let conn = PacketConn::new(Fake::default()).unwrap();
    assert_eq!(conn.backend().calls(), [Call::SocketFamily]);
    assert_eq!(conn.control_flags(), ControlFlags::empty());
}

#[test]
fn ipv4_socket_is_refused_with_its_family() {
    let ipv4 = || {
        Fake::with(Script {
            family: Ok(AF_INET),
            ..Script::default()
        })
    };
    let expected = invalid(
        Operation::SocketFamily,
        InvalidArgument::NotIpv6Socket(AF_INET),
    );
    assert_eq!(Conn::new(ipv4()).unwrap_err(), expected);
    assert_eq!(PacketConn::new(ipv4()).unwrap_err(), expected);
}

#[test]
fn the_family_is_judged_by_the_backends_platform() {
    // Darwin's AF_INET6 is 30; Linux's 10 is some other family there.
    let darwin = |family| {
        Fake::with(Script {
            platform: Platform::DARWIN,
            family: Ok(family),
            ..Script::default()
        })
    };
    assert!(Conn::new(darwin(Platform::DARWIN.af_inet6)).is_ok());
    assert!(PacketConn::new(darwin(Platform::DARWIN.af_inet6)).is_ok());
    let expected = invalid(
        Operation::SocketFamily,
        InvalidArgument::NotIpv6Socket(AF_INET6),
    );
    assert_eq!(Conn::new(darwin(AF_INET6)).unwrap_err(), expected);
    assert_eq!(PacketConn::new(darwin(AF_INET6)).unwrap_err(), expected);
}

#[test]
fn backend_without_family_query_is_trusted() {
    let blind = || {
        Fake::with(Script {
            family: Err(Error::Unsupported(Operation::SocketFamily)),
            ..Script::default()
        })
    };
    assert!(Conn::new(blind()).is_ok());
    assert!(PacketConn::new(blind()).is_ok());
}

#[test]
fn family_query_failure_is_returned() {
    let error = Error::Os {
        op: Operation::SocketFamily,
        errno: 9,
    };
    let broken = || {
        Fake::with(Script {
            family: Err(error),
            ..Script::default()
        })
    };
    assert_eq!(Conn::new(broken()).unwrap_err(), error);
    assert_eq!(PacketConn::new(broken()).unwrap_err(), error);
}

#[test]
fn into_inner_returns_the_backend() {
    let fake = Fake::with(Script {
        int_reply: 42,
        ..Script::default()
    });
    let back = PacketConn::new(fake).unwrap().into_inner();
    assert_eq!(back.script.int_reply, 42);
    assert_eq!(back.script.family, Ok(AF_INET6));
    let back = Conn::new(back).unwrap().into_inner();
    assert_eq!(back.script.int_reply, 42);
}

#[test]
fn packet_conn_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PacketConn<Fake>>();
    send_sync::<PacketConn<&Fake>>();
    send_sync::<Conn<Fake>>();
}

#[test]
fn receive_control_space_comes_from_the_backends_platform() {
    // With any flag set a read makes room for every flag's record, sized
    // for the backend's platform: 24 + 24 + 40 + 48 on 64-bit Linux, 16 +
    // 16 + 32 + 44 on Darwin.
    for (platform, space) in [(Platform::LINUX_64, 136), (Platform::DARWIN, 108)] {
        let c = packet_conn(Fake::with(Script {
            platform,
            family: Ok(platform.af_inet6),
            ..Script::default()
        }));
        assert_eq!(ControlFlags::all().space(&platform), space);
        c.set_control_message(ControlFlags::HOP_LIMIT, true)
            .unwrap();
        c.backend().clear_calls();
        c.backend().deliver(Datagram::default());
        c.read_from(&mut [0u8; 4]).unwrap();
        assert_eq!(
            c.backend().calls(),
            [Call::RecvMsg {
                buffer_lens: vec![4],
                control_len: space
            }],
            "{:?}",
            platform.os
        );
    }
}

#[test]
fn control_flags_set_from_several_threads_all_stick() {
    let conn = packet_conn(Fake::default());
    let each = [
        ControlFlags::TRAFFIC_CLASS,
        ControlFlags::HOP_LIMIT,
        ControlFlags::DST,
        ControlFlags::INTERFACE,
        ControlFlags::PATH_MTU,
    ];
    thread::scope(|s| {
        for flag in each {
            let conn = &conn;
            s.spawn(move || conn.set_control_message(flag, true).unwrap());
        }
    });
    let all = each.into_iter().fold(ControlFlags::empty(), |a, f| a | f);
    assert_eq!(conn.control_flags(), all);
    assert_eq!(conn.backend().calls().len(), each.len());
}
