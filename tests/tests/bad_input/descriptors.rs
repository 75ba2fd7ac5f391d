//! Descriptor rows: every backend operation on a descriptor that is not a
//! socket, and a socket that was shut down.

use std::fs::File;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::time::Duration;

use ipv6_core::{
    Conn, ControlMessage, Error, IcmpFilter, Operation as Op, PacketConn, ReceiveOption,
    RecvMessage, Result, SendMessage, SocketBackend,
};

use super::fixtures::{NotSocket, Udp, loopback, shutdown_both};
use super::harness::{Backend, Table, kernel, os, receive_option, with_control};
use super::options::{ACCEPT_ALL, GROUP, SSM_GROUP};

pub fn rows<B: Backend>(t: &mut Table) {
    not_a_socket::<B>(t);
    shut_down::<B>(t);
}

/// A backend operation on `S`, its name and what it must return.
type Row<S> = (&'static str, Result<()>, fn(&S) -> Result<()>);

fn not_a_socket<B: Backend>(t: &mut Table) {
    let notsock = |op| os::<()>(op, libc::ENOTSOCK);
    let plain = |op| kernel::<B, ()>(op, notsock(op));
    let control = |op| with_control::<B, ()>(op, notsock(op));
    let option = |o| receive_option::<B, ()>(o, notsock(Op::SetReceiveOption));
    let calls: Vec<Row<B::Socket<File>>> = vec![
        ("socket_family", plain(Op::SocketFamily), |s| {
            s.socket_family().map(drop)
        }),
        ("traffic_class", plain(Op::TrafficClass), |s| {
            s.traffic_class().map(drop)
        }),
        ("set_traffic_class", plain(Op::SetTrafficClass), |s| {
            s.set_traffic_class(0)
        }),
        ("hop_limit", plain(Op::HopLimit), |s| {
            s.hop_limit().map(drop)
        }),
        ("set_hop_limit", plain(Op::SetHopLimit), |s| {
            s.set_hop_limit(1)
        }),
        ("multicast_hop_limit", plain(Op::MulticastHopLimit), |s| {
            s.multicast_hop_limit().map(drop)
        }),
        (
            "set_multicast_hop_limit",
            plain(Op::SetMulticastHopLimit),
            |s| s.set_multicast_hop_limit(1),
        ),
        ("multicast_interface", plain(Op::MulticastInterface), |s| {
            s.multicast_interface().map(drop)
        }),
        (
            "set_multicast_interface",
            plain(Op::SetMulticastInterface),
            |s| s.set_multicast_interface(loopback()),
        ),
        ("multicast_loopback", plain(Op::MulticastLoopback), |s| {
            s.multicast_loopback().map(drop)
        }),
        (
            "set_multicast_loopback",
            plain(Op::SetMulticastLoopback),
            |s| s.set_multicast_loopback(false),
        ),
        ("join_group", plain(Op::JoinGroup), |s| {
            s.join_group(loopback(), GROUP)
        }),
        ("leave_group", plain(Op::LeaveGroup), |s| {
            s.leave_group(loopback(), GROUP)
        }),
        ("join_source_group", plain(Op::JoinSourceGroup), |s| {
            s.join_source_group(loopback(), SSM_GROUP, Ipv6Addr::LOCALHOST)
        }),
        ("leave_source_group", plain(Op::LeaveSourceGroup), |s| {
            s.leave_source_group(loopback(), SSM_GROUP, Ipv6Addr::LOCALHOST)
        }),
        ("block_source", plain(Op::BlockSource), |s| {
            s.block_source(loopback(), GROUP, Ipv6Addr::LOCALHOST)
        }),
        ("unblock_source", plain(Op::UnblockSource), |s| {
            s.unblock_source(loopback(), GROUP, Ipv6Addr::LOCALHOST)
        }),
        (
            "set_receive_option(TrafficClass)",
            option(ReceiveOption::TrafficClass),
            |s| s.set_receive_option(ReceiveOption::TrafficClass, true),
        ),
        (
            "set_receive_option(HopLimit)",
            option(ReceiveOption::HopLimit),
            |s| s.set_receive_option(ReceiveOption::HopLimit, true),
        ),
        (
            "set_receive_option(PacketInfo)",
            option(ReceiveOption::PacketInfo),
            |s| s.set_receive_option(ReceiveOption::PacketInfo, true),
        ),
        (
            "set_receive_option(PathMtu)",
            option(ReceiveOption::PathMtu),
            |s| s.set_receive_option(ReceiveOption::PathMtu, true),
        ),
        ("path_mtu", plain(Op::PathMtu), |s| s.path_mtu().map(drop)),
        ("checksum", plain(Op::Checksum), |s| s.checksum().map(drop)),
        ("set_checksum", plain(Op::SetChecksum), |s| {
            s.set_checksum(2)
        }),
        ("icmp_filter", plain(Op::IcmpFilter), |s| {
            s.icmp_filter().map(drop)
        }),
        ("set_icmp_filter", plain(Op::SetIcmpFilter), |s| {
            s.set_icmp_filter(&IcmpFilter::BLOCK_ALL)
        }),
        ("attach_bpf", plain(Op::AttachBpf), |s| {
            s.attach_bpf(&[ACCEPT_ALL])
        }),
        ("recv_msg", plain(Op::RecvMsg), |s| {
            s.recv_msg(&mut [&mut [0; 8]], &mut []).map(drop)
        }),
        (
            "recv_msg with a control buffer",
            control(Op::RecvMsg),
            |s| s.recv_msg(&mut [&mut [0; 8]], &mut [0; 64]).map(drop),
        ),
        ("send_msg", plain(Op::SendMsg), |s| {
            let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
            s.send_msg(&[b"x"], &[], Some(&to)).map(drop)
        }),
        ("send_msg with control data", control(Op::SendMsg), |s| {
            let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
            let control = ControlMessage {
                hop_limit: Some(1),
                ..ControlMessage::default()
            };
            let bytes = control.to_bytes(&<B::Socket<File>>::PLATFORM).unwrap();
            s.send_msg(&[b"x"], &bytes, Some(&to)).map(drop)
        }),
        ("recv_batch", plain(Op::RecvBatch), |s| {
            let (mut payload, mut control) = ([0u8; 8], [0u8; 0]);
            s.recv_batch(&mut [RecvMessage::new(&mut payload, &mut control)])
                .map(drop)
        }),
        ("send_batch", plain(Op::SendBatch), |s| {
            let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
            s.send_batch(&mut [SendMessage::new(b"x", &[], Some(to))])
                .map(drop)
        }),
        ("set_read_timeout", plain(Op::SetReadTimeout), |s| {
            s.set_read_timeout(Some(Duration::from_secs(1)))
        }),
        ("set_write_timeout", plain(Op::SetWriteTimeout), |s| {
            s.set_write_timeout(Some(Duration::from_secs(1)))
        }),
        // O_NONBLOCK is a file flag: any descriptor takes it.
        ("set_nonblocking", Ok(()), |s| {
            s.set_nonblocking(true)?;
            s.set_nonblocking(false)
        }),
    ];
    for (name, expected, call) in calls {
        t.socket::<B, _, _>(
            format!("not a socket: backend {name}"),
            NotSocket::<B>::new,
            expected,
            |n| call(&n.socket),
            NotSocket::still_a_file,
        );
    }
    // The one row where the backends differ by design: rustix asks the
    // descriptor's network namespace with an ioctl the file does not know.
    t.socket::<B, _, _>(
        "not a socket: backend interface_exists(lo)",
        NotSocket::<B>::new,
        if B::ASKS_THE_DESCRIPTOR_ABOUT_INTERFACES {
            os(Op::InterfaceExists, libc::ENOTTY)
        } else {
            Ok(true)
        },
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
