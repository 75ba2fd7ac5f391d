//! Descriptor rows: every backend operation on a descriptor that is not a
//! socket, and a socket that was shut down.

use std::fs::File;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::time::Duration;

use ipv6_core::{
    Conn, ControlMessage, Direction, Error, Group, IcmpFilter, Operation as Op, OptionValue,
    PacketConn, RecvMessage, Result, SendMessage, SocketBackend, SocketOption,
};

use super::fixtures::{NotSocket, Udp, loopback, shutdown_both};
use super::harness::{Backend, Table, kernel, os, with_control};
use super::options::{ACCEPT_ALL, GROUP, SSM_GROUP};
use ipv6_core::option::ValueKind;

pub fn rows<B: Backend>(t: &mut Table) {
    not_a_socket::<B>(t);
    shut_down::<B>(t);
}

/// A backend operation on `S`, its name and what it must return.
type Row<S> = (String, Result<()>, Box<dyn Fn(&S) -> Result<()>>);

/// A one-instruction program for `set(AttachFilter, _)`.
static PROGRAM: [ipv6_core::BpfInstruction; 1] = [ACCEPT_ALL];

/// A well-formed value for `option`, for calls that must fail for another
/// reason.
fn sample(option: SocketOption) -> OptionValue<'static> {
    let group = Group {
        interface: loopback(),
        group: SSM_GROUP,
    };
    match option.kind() {
        ValueKind::Int => OptionValue::Int(1),
        ValueKind::Bool => OptionValue::Bool(true),
        ValueKind::Interface => OptionValue::Interface(loopback()),
        ValueKind::Membership => OptionValue::Membership(Group {
            group: GROUP,
            ..group
        }),
        ValueKind::SourceMembership => OptionValue::SourceMembership {
            group,
            source: Ipv6Addr::LOCALHOST,
        },
        ValueKind::Filter => OptionValue::Filter(IcmpFilter::BLOCK_ALL),
        ValueKind::Program => OptionValue::Program(&PROGRAM),
        ValueKind::Mtu => OptionValue::Mtu(1280),
    }
}

fn not_a_socket<B: Backend>(t: &mut Table) {
    let notsock = |op| os::<()>(op, libc::ENOTSOCK);
    let plain = |op| kernel::<B, ()>(op, notsock(op));
    let control = |op| with_control::<B, ()>(op, notsock(op));
    let mut calls: Vec<Row<B::Socket<File>>> = vec![(
        "socket_family".into(),
        plain(Op::SocketFamily),
        Box::new(|s| s.socket_family().map(drop)),
    )];
    // Every option the trait reads or writes, so that a new one brings
    // its rows with it.
    for option in SocketOption::ALL {
        if option.readable() {
            calls.push((
                format!("get({option:?})"),
                plain(Op::Get(option)),
                Box::new(move |s| s.get(option).map(drop)),
            ));
        }
        if option.writable() {
            calls.push((
                format!("set({option:?})"),
                plain(Op::Set(option)),
                Box::new(move |s| s.set(option, sample(option))),
            ));
        }
    }
    let io: Vec<Row<B::Socket<File>>> = vec![
        (
            "recv_msg".into(),
            plain(Op::RecvMsg),
            Box::new(|s| s.recv_msg(&mut [&mut [0; 8]], &mut []).map(drop)),
        ),
        (
            "recv_msg with a control buffer".into(),
            control(Op::RecvMsg),
            Box::new(|s| s.recv_msg(&mut [&mut [0; 8]], &mut [0; 64]).map(drop)),
        ),
        (
            "send_msg".into(),
            plain(Op::SendMsg),
            Box::new(|s| {
                let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
                s.send_msg(&[b"x"], &[], Some(&to)).map(drop)
            }),
        ),
        (
            "send_msg with control data".into(),
            control(Op::SendMsg),
            Box::new(|s| {
                let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
                let control = ControlMessage {
                    hop_limit: Some(1),
                    ..ControlMessage::default()
                };
                let bytes = control.to_bytes(s.platform()).unwrap();
                s.send_msg(&[b"x"], &bytes, Some(&to)).map(drop)
            }),
        ),
        (
            "recv_batch".into(),
            plain(Op::RecvBatch),
            Box::new(|s| {
                let (mut payload, mut control) = ([0u8; 8], [0u8; 0]);
                s.recv_batch(&mut [RecvMessage::new(&mut payload, &mut control)])
                    .map(drop)
            }),
        ),
        (
            "send_batch".into(),
            plain(Op::SendBatch),
            Box::new(|s| {
                let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
                s.send_batch(&mut [SendMessage::new(b"x", &[], Some(to))])
                    .map(drop)
            }),
        ),
        (
            "set_timeout(Read)".into(),
            plain(Op::SetReadTimeout),
            Box::new(|s| s.set_timeout(Direction::Read, Some(Duration::from_secs(1)))),
        ),
        (
            "set_timeout(Write)".into(),
            plain(Op::SetWriteTimeout),
            Box::new(|s| s.set_timeout(Direction::Write, Some(Duration::from_secs(1)))),
        ),
        // O_NONBLOCK is a file flag: any descriptor takes it.
        (
            "set_nonblocking".into(),
            Ok(()),
            Box::new(|s| {
                s.set_nonblocking(true)?;
                s.set_nonblocking(false)
            }),
        ),
    ];
    calls.extend(io);
    for (name, expected, call) in calls {
        t.socket::<B, _, _>(
            format!("not a socket: backend {name}"),
            NotSocket::<B>::new,
            expected,
            |n| call(&n.socket),
            NotSocket::still_a_file,
        );
    }
    // Both backends ask the descriptor's network namespace (SIOCGIFNAME on
    // it), with an ioctl the file does not know.
    t.socket::<B, _, _>(
        "not a socket: backend interface_exists(lo)",
        NotSocket::<B>::new,
        os(Op::InterfaceExists, libc::ENOTTY),
        |n| n.socket.interface_exists(loopback()),
        NotSocket::still_a_file,
    );
    t.socket::<B, _, _>(
        "not a socket: PacketConn::new",
        || File::open("/dev/null").unwrap(),
        os(Op::SocketFamily, libc::ENOTSOCK),
        |file| PacketConn::new(B::wrap(file)).map(drop),
        |file| assert!(file.metadata().is_ok()),
    );
    t.socket::<B, _, _>(
        "not a socket: Conn::new",
        || File::open("/dev/null").unwrap(),
        os(Op::SocketFamily, libc::ENOTSOCK),
        |file| Conn::new(B::wrap(file)).map(drop),
        |file| assert!(file.metadata().is_ok()),
    );
}

fn shut_down<B: Backend>(t: &mut Table) {
    // A shut-down datagram socket reads as end-of-file: no bytes, no
    // sender, no wait, once the queue is drained.
    t.socket::<B, _, _>(
        "shut down: PacketConn::read_from",
        Udp::<B>::connected,
        (
            Ok::<_, Error>((b"queued".to_vec(), Some(true))),
            Ok((Vec::new(), None)),
        ),
        |u| {
            u.send_to_conn(b"queued");
            shutdown_both(u.socket());
            let read = || {
                let mut buf = [0u8; 16];
                let (len, _, source) = u.conn.read_from(&mut buf)?;
                let from_peer = source.map(|s| s == u.peer_addr);
                Ok((buf[..len].to_vec(), from_peer))
            };
            (read(), read())
        },
        |u| {
            // Options still work; sending is refused.
            assert_eq!(u.conn.set_hop_limit(7), Ok(()));
            assert_eq!(u.conn.hop_limit(), Ok(7));
            assert_eq!(
                u.conn.write_to(b"x", None, None),
                os(Op::SendMsg, libc::EPIPE)
            );
        },
    );
}
