//! The operations rustix carries out natively, against the running Linux
//! kernel on UDP sockets bound to [::1]. Where possible the effect is read
//! back through a second path (procfs, sysfs, another rustix getter, a raw
//! `getsockopt`). Every test here runs in both builds: these paths never
//! touch the libc fallback.
#![cfg(target_os = "linux")]

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::{
    default_hop_limit, kernel_lists_membership, lo_index, lo_mtu, local_v6, private_group, udp6,
};
use ipv6_backend_rustix::{Socket, interface_index};
use ipv6_core::backend::MAX_IOV;
use ipv6_core::option::ValueKind;
use ipv6_core::{
    Direction, Error, Group, InvalidArgument, MsgFlags, Operation, OptionValue, SendMessage,
    SocketBackend, SocketOption as O,
};

const EADDRINUSE: i32 = rustix::io::Errno::ADDRINUSE.raw_os_error();
const EADDRNOTAVAIL: i32 = rustix::io::Errno::ADDRNOTAVAIL.raw_os_error();
const EAGAIN: i32 = rustix::io::Errno::AGAIN.raw_os_error();
const EINVAL: i32 = rustix::io::Errno::INVAL.raw_os_error();
const ENOTCONN: i32 = rustix::io::Errno::NOTCONN.raw_os_error();

type Rustix<'a> = Socket<&'a UdpSocket>;

fn int(s: &Rustix<'_>, option: O) -> i32 {
    match s.get(option) {
        Ok(OptionValue::Int(v)) => v,
        other => panic!("get {option}: {other:?}"),
    }
}

fn set_int(s: &Rustix<'_>, option: O, v: i32) -> ipv6_core::Result<()> {
    s.set(option, OptionValue::Int(v))
}

fn os(op: Operation, errno: i32) -> Error {
    Error::Os { op, errno }
}

#[test]
fn unicast_options_round_trip() {
    let udp = udp6();
    let s = Socket::new(&udp);

    set_int(&s, O::TrafficClass, 0x2e << 2).unwrap();
    assert_eq!(int(&s, O::TrafficClass), 0x2e << 2);
    set_int(&s, O::TrafficClass, -1).unwrap();
    assert_eq!(
        int(&s, O::TrafficClass),
        0,
        "-1 restores Linux's default class"
    );

    set_int(&s, O::HopLimit, 7).unwrap();
    assert_eq!(int(&s, O::HopLimit), 7);
    set_int(&s, O::HopLimit, -1).unwrap();
    assert_eq!(int(&s, O::HopLimit), default_hop_limit());

    // What the kernel answers, though rustix cannot pass the value on.
    for out_of_range in [256, -2, i32::MIN, i32::MAX] {
        assert_eq!(
            set_int(&s, O::HopLimit, out_of_range),
            Err(os(Operation::Set(O::HopLimit), EINVAL)),
            "{out_of_range}"
        );
    }
    assert_eq!(int(&s, O::HopLimit), default_hop_limit());
}

#[test]
fn multicast_options_round_trip() {
    let udp = udp6();
    let s = Socket::new(&udp);

    set_int(&s, O::MulticastHopLimit, 9).unwrap();
    assert_eq!(int(&s, O::MulticastHopLimit), 9);
    set_int(&s, O::MulticastHopLimit, -1).unwrap();
    assert_eq!(int(&s, O::MulticastHopLimit), 1, "IPV6_DEFAULT_MCASTHOPS");
    assert_eq!(
        set_int(&s, O::MulticastHopLimit, 256),
        Err(os(Operation::Set(O::MulticastHopLimit), EINVAL))
    );
    assert_eq!(int(&s, O::MulticastHopLimit), 1);

    for index in [lo_index(), 0] {
        s.set(O::MulticastInterface, OptionValue::Interface(index))
            .unwrap();
        assert_eq!(
            s.get(O::MulticastInterface),
            Ok(OptionValue::Interface(index))
        );
    }

    for on in [false, true] {
        s.set(O::MulticastLoopback, OptionValue::Bool(on)).unwrap();
        assert_eq!(s.get(O::MulticastLoopback), Ok(OptionValue::Bool(on)));
    }
}

#[test]
fn values_of_the_wrong_kind_or_direction_are_refused_before_the_kernel() {
    let udp = udp6();
    let s = Socket::new(&udp);
    assert_eq!(
        s.set(O::HopLimit, OptionValue::Bool(true)),
        Err(Error::InvalidArgument(
            Operation::Set(O::HopLimit),
            InvalidArgument::ValueKind {
                expected: ValueKind::Int,
                given: ValueKind::Bool
            }
        ))
    );
    assert_eq!(
        s.set(O::PathMtu, OptionValue::Mtu(1280)),
        Err(Error::InvalidArgument(
            Operation::Set(O::PathMtu),
            InvalidArgument::NotWritable(O::PathMtu)
        ))
    );
    assert_eq!(
        s.get(O::JoinGroup),
        Err(Error::InvalidArgument(
            Operation::Get(O::JoinGroup),
            InvalidArgument::NotReadable(O::JoinGroup)
        ))
    );
}

#[cfg(feature = "libc-fallback")]
#[test]
fn receive_traffic_class_is_set_natively() {
    let udp = udp6();
    let s = Socket::new(&udp);
    for on in [true, false] {
        s.set(O::ReceiveTrafficClass, OptionValue::Bool(on))
            .unwrap();
        assert_eq!(rustix::net::sockopt::ipv6_recvtclass(&udp).unwrap(), on);
        assert_eq!(s.get(O::ReceiveTrafficClass), Ok(OptionValue::Bool(on)));
    }
}

/// Whether the kernel has IPv6 socket option `name` on, asked with
/// `getsockopt` directly so that neither backend is involved.
#[cfg(not(feature = "libc-fallback"))]
fn kernel_flag(udp: &UdpSocket, name: libc::c_int) -> bool {
    use std::os::fd::AsRawFd;
    let mut value: libc::c_int = -1;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are live, exclusively borrowed locals, and
    // `len` is `value`'s size.
    let ret = unsafe {
        libc::getsockopt(
            udp.as_raw_fd(),
            libc::IPPROTO_IPV6,
            name,
            (&raw mut value).cast(),
            &mut len,
        )
    };
    assert_eq!(
        ret,
        0,
        "getsockopt {name}: {}",
        std::io::Error::last_os_error()
    );
    value != 0
}

/// The pure build cannot receive control data, so it refuses every receive
/// option, on or off, before any system call: one flag must not make every
/// later read fail.
#[cfg(not(feature = "libc-fallback"))]
#[test]
fn pure_build_refuses_receive_options_before_the_kernel() {
    let udp = udp6();
    let s = Socket::new(&udp);
    let options = [
        (O::ReceiveTrafficClass, libc::IPV6_RECVTCLASS),
        (O::ReceiveHopLimit, libc::IPV6_RECVHOPLIMIT),
        (O::ReceivePacketInfo, libc::IPV6_RECVPKTINFO),
        (O::ReceivePathMtu, libc::IPV6_RECVPATHMTU),
    ];
    for (option, name) in options {
        for on in [true, false] {
            assert_eq!(
                s.set(option, OptionValue::Bool(on)),
                Err(Error::Unsupported(Operation::Set(option)))
            );
        }
        assert_eq!(
            s.get(option),
            Err(Error::Unsupported(Operation::Get(option)))
        );
        assert!(!kernel_flag(&udp, name), "{option} reached the kernel");
    }
}

#[cfg(not(feature = "libc-fallback"))]
#[test]
fn pure_build_set_control_message_is_refused_and_reads_still_work() {
    use ipv6_core::ControlFlags;

    let (rx, tx) = (udp6(), udp6());
    let pc = ipv6_backend_rustix::packet_conn(&rx).unwrap();
    let refused = Err(Error::Unsupported(Operation::Set(O::ReceiveTrafficClass)));
    assert_eq!(
        pc.set_control_message(ControlFlags::TRAFFIC_CLASS, true),
        refused
    );
    // Every flag: refused at the first option, so nothing else is tried.
    assert_eq!(pc.set_control_message(ControlFlags::all(), true), refused);
    assert!(!rustix::net::sockopt::ipv6_recvtclass(&rx).unwrap());
    assert!(!kernel_flag(&rx, libc::IPV6_RECVHOPLIMIT));
    assert!(!kernel_flag(&rx, libc::IPV6_RECVPKTINFO));
    assert_eq!(pc.control_flags(), ControlFlags::empty());

    // A read afterwards works, and reports no control data.
    tx.send_to(b"still readable", rx.local_addr().unwrap())
        .unwrap();
    let mut buf = [0u8; 32];
    let (len, control, source) = pc.read_from(&mut buf).unwrap();
    assert_eq!(&buf[..len], b"still readable");
    assert_eq!(control, ipv6_core::ControlMessage::default());
    assert_eq!(source, Some(local_v6(&tx)));
}

#[test]
fn join_and_leave_reach_the_kernel() {
    // A link-local group of this process alone, so parallel runs don't meet.
    let group = private_group(0x5eed);
    let udp = udp6();
    let s = Socket::new(&udp);
    let lo = lo_index();
    let membership = OptionValue::Membership(Group {
        interface: lo,
        group,
    });

    assert!(!kernel_lists_membership(lo, group));
    s.set(O::JoinGroup, membership).unwrap();
    assert!(kernel_lists_membership(lo, group));
    assert_eq!(
        s.set(O::JoinGroup, membership),
        Err(os(Operation::Set(O::JoinGroup), EADDRINUSE))
    );
    s.set(O::LeaveGroup, membership).unwrap();
    assert!(!kernel_lists_membership(lo, group));
    assert_eq!(
        s.set(O::LeaveGroup, membership),
        Err(os(Operation::Set(O::LeaveGroup), EADDRNOTAVAIL))
    );
}

#[test]
fn path_mtu_is_the_route_mtu_of_a_connected_socket() {
    let udp = udp6();
    let s = Socket::new(&udp);
    assert_eq!(
        s.get(O::PathMtu),
        Err(os(Operation::Get(O::PathMtu), ENOTCONN))
    );
    let peer = udp6();
    udp.connect(peer.local_addr().unwrap()).unwrap();
    assert_eq!(s.get(O::PathMtu), Ok(OptionValue::Mtu(lo_mtu())));
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
    let too_many = |op| {
        Error::InvalidArgument(
            op,
            InvalidArgument::TooManyBuffers {
                given: MAX_IOV + 1,
                max: MAX_IOV,
            },
        )
    };
    let chunks = [&b"x"[..]; MAX_IOV + 1];
    assert_eq!(
        s.send_msg(&chunks, &[], Some(&local_v6(&udp))),
        Err(too_many(Operation::SendMsg))
    );
    let mut storage = [[0u8; 1]; MAX_IOV + 1];
    let mut buffers: Vec<&mut [u8]> = storage.iter_mut().map(|b| &mut b[..]).collect();
    assert_eq!(
        s.recv_msg(&mut buffers, &mut []),
        Err(too_many(Operation::RecvMsg))
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
        Err(os(Operation::RecvMsg, EAGAIN))
    );
    s.set_nonblocking(false).unwrap();

    use rustix::net::sockopt::{Timeout, socket_timeout};
    let t = Duration::from_millis(1500);
    s.set_timeout(Direction::Read, Some(t)).unwrap();
    s.set_timeout(Direction::Write, Some(2 * t)).unwrap();
    assert_eq!(socket_timeout(&udp, Timeout::Recv).unwrap(), Some(t));
    assert_eq!(socket_timeout(&udp, Timeout::Send).unwrap(), Some(2 * t));
    s.set_timeout(Direction::Read, None).unwrap();
    assert_eq!(socket_timeout(&udp, Timeout::Recv).unwrap(), None);
    // As std::net does, a zero timeout is refused rather than meaning "forever".
    assert_eq!(
        s.set_timeout(Direction::Write, Some(Duration::ZERO)),
        Err(os(Operation::SetWriteTimeout, EINVAL))
    );
    assert_eq!(socket_timeout(&udp, Timeout::Send).unwrap(), Some(2 * t));
}

#[test]
fn socket_family_comes_from_getsockname() {
    let v6 = udp6();
    let v4 = UdpSocket::bind("127.0.0.1:0").unwrap();
    let af = |s| Socket::new(s).socket_family().unwrap();
    assert_eq!(af(&v6), rustix::net::AddressFamily::INET6.as_raw());
    assert_eq!(af(&v6), Socket::new(&v6).platform().af_inet6);
    assert_eq!(af(&v4), rustix::net::AddressFamily::INET.as_raw());
}

#[test]
fn interfaces_are_looked_up_by_index_and_name() {
    let udp = udp6();
    let s = Socket::new(&udp);
    assert_eq!(s.interface_exists(lo_index()), Ok(true));
    assert_eq!(s.interface_exists(0), Ok(false));
    assert_eq!(s.interface_exists(u32::MAX), Ok(false));

    assert_eq!(interface_index("lo"), Ok(lo_index()));
    for unknown in ["no-such-if0", "", "longer-than-IFNAMSIZ", "lo\0"] {
        assert_eq!(
            interface_index(unknown),
            Err(Error::InvalidArgument(
                Operation::InterfaceIndex,
                InvalidArgument::UnknownInterface(ipv6_core::InterfaceName::new(unknown))
            )),
            "{unknown:?}"
        );
    }
}
