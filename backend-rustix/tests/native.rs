//! The operations rustix carries out natively, against the running Linux
//! kernel on UDP sockets bound to [::1]. Where possible the effect is read
//! back through a second path (procfs, sysfs, another rustix getter).
#![cfg(target_os = "linux")]

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::time::Duration;

use ipv6_backend_rustix::{Socket, interface_index};
use ipv6_core::{Error, InvalidArgument, MsgFlags, Operation, SendMessage, SocketBackend};

const EAGAIN: i32 = rustix::io::Errno::AGAIN.raw_os_error();
const EINVAL: i32 = rustix::io::Errno::INVAL.raw_os_error();
const ENOTCONN: i32 = rustix::io::Errno::NOTCONN.raw_os_error();
const ENXIO: i32 = rustix::io::Errno::NXIO.raw_os_error();

fn udp6() -> UdpSocket {
    UdpSocket::bind("[::1]:0").expect("bind [::1]:0")
}

fn local_v6(socket: &UdpSocket) -> SocketAddrV6 {
    match socket.local_addr().unwrap() {
        SocketAddr::V6(a) => a,
        SocketAddr::V4(a) => panic!("IPv6 socket bound to {a}"),
    }
}

fn sysfs_number(path: &str) -> u32 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .trim()
        .parse()
        .unwrap()
}

fn lo_index() -> u32 {
    sysfs_number("/sys/class/net/lo/ifindex")
}

#[test]
fn unicast_options_round_trip() {
    let udp = udp6();
    let s = Socket::new(&udp);

    s.set_traffic_class(0x2e << 2).unwrap();
    assert_eq!(s.traffic_class().unwrap(), 0x2e << 2);
    s.set_traffic_class(-1).unwrap();
    assert_eq!(
        s.traffic_class().unwrap(),
        0,
        "-1 restores Linux's default class"
    );

    s.set_hop_limit(7).unwrap();
    assert_eq!(s.hop_limit().unwrap(), 7);
    s.set_hop_limit(-1).unwrap();
    let default_hops = sysfs_number("/proc/sys/net/ipv6/conf/all/hop_limit");
    assert_eq!(s.hop_limit().unwrap(), default_hops as i32);

    // What the kernel answers, though rustix cannot pass the value on.
    for out_of_range in [256, -2] {
        assert_eq!(
            s.set_hop_limit(out_of_range),
            Err(Error::Os {
                op: Operation::SetHopLimit,
                errno: EINVAL
            })
        );
    }
    assert_eq!(s.hop_limit().unwrap(), default_hops as i32);
}

#[test]
fn multicast_options_round_trip() {
    let udp = udp6();
    let s = Socket::new(&udp);

    s.set_multicast_hop_limit(9).unwrap();
    assert_eq!(s.multicast_hop_limit().unwrap(), 9);
    s.set_multicast_hop_limit(-1).unwrap();
    assert_eq!(
        s.multicast_hop_limit().unwrap(),
        1,
        "IPV6_DEFAULT_MCASTHOPS"
    );
    assert_eq!(
        s.set_multicast_hop_limit(256),
        Err(Error::Os {
            op: Operation::SetMulticastHopLimit,
            errno: EINVAL
        })
    );

    s.set_multicast_interface(lo_index()).unwrap();
    assert_eq!(s.multicast_interface().unwrap(), lo_index());
    s.set_multicast_interface(0).unwrap();
    assert_eq!(s.multicast_interface().unwrap(), 0);

    for on in [false, true] {
        s.set_multicast_loopback(on).unwrap();
        assert_eq!(s.multicast_loopback().unwrap(), on);
    }
}

#[test]
fn receive_traffic_class_is_set_natively() {
    let udp = udp6();
    let s = Socket::new(&udp);
    for on in [true, false] {
        s.set_receive_option(ipv6_core::ReceiveOption::TrafficClass, on)
            .unwrap();
        assert_eq!(rustix::net::sockopt::ipv6_recvtclass(&udp).unwrap(), on);
    }
}

/// Whether `/proc/net/igmp6` lists `group` on interface `ifindex`.
fn kernel_lists_membership(ifindex: u32, group: Ipv6Addr) -> bool {
    let hex: String = group.octets().iter().map(|b| format!("{b:02x}")).collect();
    std::fs::read_to_string("/proc/net/igmp6")
        .unwrap()
        .lines()
        .any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() > 2 && fields[0] == ifindex.to_string() && fields[2] == hex
        })
}

#[test]
fn join_and_leave_reach_the_kernel() {
    // A link-local group of this process alone, so parallel runs don't meet.
    let pid = std::process::id();
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0x5eed, (pid >> 16) as u16, pid as u16);
    let udp = udp6();
    let s = Socket::new(&udp);
    let lo = lo_index();

    assert!(!kernel_lists_membership(lo, group));
    s.join_group(lo, group).unwrap();
    assert!(kernel_lists_membership(lo, group));
    s.leave_group(lo, group).unwrap();
    assert!(!kernel_lists_membership(lo, group));
    assert!(matches!(
        s.leave_group(lo, group),
        Err(Error::Os {
            op: Operation::LeaveGroup,
            ..
        })
    ));
}

#[test]
fn path_mtu_is_the_route_mtu_of_a_connected_socket() {
    let udp = udp6();
    let s = Socket::new(&udp);
    assert_eq!(
        s.path_mtu(),
        Err(Error::Os {
            op: Operation::PathMtu,
            errno: ENOTCONN
        })
    );
    let peer = udp6();
    udp.connect(peer.local_addr().unwrap()).unwrap();
    assert_eq!(s.path_mtu().unwrap(), sysfs_number("/sys/class/net/lo/mtu"));
}

#[test]
fn scatter_gather_datagram_round_trip() {
    let (tx, rx) = (udp6(), udp6());
    let (sender, receiver) = (Socket::new(&tx), Socket::new(&rx));
    let to = local_v6(&rx);

    let sent = sender
        .send_msg(&[b"head-", b"payload"], &[], Some(&to))
        .unwrap();
    assert_eq!(sent, 12);

    let (mut a, mut b) = ([0u8; 5], [0u8; 16]);
    let meta = receiver.recv_msg(&mut [&mut a, &mut b], &mut []).unwrap();
    assert_eq!(meta.len, 12);
    assert_eq!(meta.control_len, 0);
    assert_eq!(meta.source, Some(local_v6(&tx)));
    assert_eq!(meta.flags, MsgFlags::empty());
    assert_eq!((&a, &b[..7]), (b"head-", &b"payload"[..]));

    // A connected sender needs no destination; a short buffer truncates.
    tx.connect(to).unwrap();
    assert_eq!(sender.send_msg(&[b"0123456789"], &[], None).unwrap(), 10);
    let mut short = [0u8; 4];
    let meta = receiver.recv_msg(&mut [&mut short], &mut []).unwrap();
    assert_eq!((meta.len, meta.flags), (4, MsgFlags::TRUNCATED));
    assert_eq!(&short, b"0123");
}

#[test]
fn more_buffers_than_max_iov_are_refused() {
    let udp = udp6();
    let s = Socket::new(&udp);
    let chunks = [&b"x"[..]; ipv6_core::backend::MAX_IOV + 1];
    assert_eq!(
        s.send_msg(&chunks, &[], Some(&local_v6(&udp))),
        Err(Error::InvalidArgument(
            Operation::SendMsg,
            InvalidArgument::TooManyBuffers {
                given: ipv6_core::backend::MAX_IOV + 1,
                max: ipv6_core::backend::MAX_IOV
            }
        ))
    );
}

#[test]
fn send_batch_sends_every_message_in_order() {
    let (tx, rx) = (udp6(), udp6());
    let to = local_v6(&rx);
    // More than one sendmmsg chunk, so the chunking is exercised.
    let payloads: Vec<[u8; 2]> = (0..70u8).map(|i| [i, !i]).collect();
    let mut messages: Vec<SendMessage<'_>> = payloads
        .iter()
        .map(|p| SendMessage::new(p, &[], Some(to)))
        .collect();

    let sent = Socket::new(&tx).send_batch(&mut messages).unwrap();
    assert_eq!(sent, payloads.len());
    assert!(messages.iter().all(|m| m.sent == 2));

    let receiver = Socket::new(&rx);
    for p in &payloads {
        let mut buf = [0u8; 4];
        let meta = receiver.recv_msg(&mut [&mut buf], &mut []).unwrap();
        assert_eq!(&buf[..meta.len], p);
    }
    assert_eq!(Socket::new(&tx).send_batch(&mut []).unwrap(), 0);
}

#[test]
fn nonblocking_and_timeouts_are_socket_state() {
    let udp = udp6();
    let s = Socket::new(&udp);

    s.set_nonblocking(true).unwrap();
    assert_eq!(
        s.recv_msg(&mut [&mut [0u8; 8]], &mut []),
        Err(Error::Os {
            op: Operation::RecvMsg,
            errno: EAGAIN
        })
    );
    s.set_nonblocking(false).unwrap();

    use rustix::net::sockopt::{Timeout, socket_timeout};
    let t = Duration::from_millis(1500);
    s.set_read_timeout(Some(t)).unwrap();
    s.set_write_timeout(Some(2 * t)).unwrap();
    assert_eq!(socket_timeout(&udp, Timeout::Recv).unwrap(), Some(t));
    assert_eq!(socket_timeout(&udp, Timeout::Send).unwrap(), Some(2 * t));
    s.set_read_timeout(None).unwrap();
    assert_eq!(socket_timeout(&udp, Timeout::Recv).unwrap(), None);
    // As std::net does, a zero timeout is refused rather than meaning "forever".
    assert_eq!(
        s.set_write_timeout(Some(Duration::ZERO)),
        Err(Error::Os {
            op: Operation::SetWriteTimeout,
            errno: EINVAL
        })
    );
}

#[test]
fn socket_family_comes_from_getsockname() {
    let v6 = udp6();
    let v4 = UdpSocket::bind("127.0.0.1:0").unwrap();
    let af = |s| Socket::new(s).socket_family().unwrap();
    assert_eq!(af(&v6), rustix::net::AddressFamily::INET6.as_raw());
    assert_eq!(
        af(&v6),
        <Socket<&UdpSocket> as SocketBackend>::PLATFORM.af_inet6
    );
    assert_eq!(af(&v4), rustix::net::AddressFamily::INET.as_raw());
}

#[test]
fn interfaces_are_looked_up_by_index_and_name() {
    let udp = udp6();
    let s = Socket::new(&udp);
    assert!(s.interface_exists(lo_index()).unwrap());
    assert!(!s.interface_exists(0).unwrap());
    assert!(!s.interface_exists(u32::MAX).unwrap());

    assert_eq!(interface_index("lo").unwrap(), lo_index());
    for unknown in ["no-such-if0", "", "longer-than-IFNAMSIZ", "lo\0"] {
        assert_eq!(
            interface_index(unknown),
            Err(Error::Os {
                op: Operation::InterfaceExists,
                errno: ENXIO
            }),
            "{unknown:?}"
        );
    }
}
