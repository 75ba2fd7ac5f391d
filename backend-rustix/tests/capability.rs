//! The capability table is data the README and the conformance suite trust,
//! so every operation it lists ([`operations`]) is driven against the
//! running kernel, in whichever build this is (CI runs both): an operation
//! the table calls `Unsupported` must fail with exactly
//! `Error::Unsupported(op)` and leave the socket untouched, and every other
//! must succeed and have its effect, read back by another road (the libc
//! backend, procfs, sysfs). A table entry that disagrees with the backend
//! fails here in the build where they differ.
#![cfg(target_os = "linux")]

mod common;

use std::any::Any;
use std::net::{Ipv6Addr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use common::{
    EXPERIMENTAL_PROTOCOL, default_hop_limit, kernel_lists_membership, kernel_source_filters,
    lo_index, lo_mtu, local_v6, private_group, raw_socket, udp6,
};
use ipv6_backend_rustix::{
    Build, Capability, Socket, Target, capability, capability_in, capability_table,
    control_message_capability, interface_index, operations,
};
use ipv6_core::{
    BpfInstruction, ControlFlags, ControlMessage, Direction, Error, Group, IcmpFilter, IcmpType,
    Operation, OptionValue, Platform, RecvMessage, Result, SendMessage, SocketBackend,
    SocketOption as O,
};

/// `ret #0`: drop every packet.
const DROP_ALL: [BpfInstruction; 1] = [BpfInstruction {
    code: 0x06,
    jt: 0,
    jf: 0,
    k: 0,
}];
/// A unicast source for the source-specific options.
const SOURCE: Ipv6Addr = Ipv6Addr::LOCALHOST;
const IPPROTO_ICMPV6: u32 = 58;

/// The socket an option is driven on.
enum Sock {
    Udp(UdpSocket),
    Raw(OwnedFd),
    /// The raw socket the option needs was refused (not root, already
    /// reported by `skip_or_fail`): only "refused by name or not" can be
    /// checked, on a UDP socket.
    NoRaw(UdpSocket),
}

impl AsFd for Sock {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Sock::Udp(s) | Sock::NoRaw(s) => s.as_fd(),
            Sock::Raw(fd) => fd.as_fd(),
        }
    }
}

fn socket_for(op: Operation, option: O) -> Sock {
    let raw = |protocol| match raw_socket(&format!("capability of {op}"), protocol) {
        Some(fd) => Sock::Raw(fd),
        None => Sock::NoRaw(udp6()),
    };
    match option {
        O::Checksum => raw(EXPERIMENTAL_PROTOCOL),
        O::IcmpFilter => raw(IPPROTO_ICMPV6),
        O::PathMtu => {
            let (udp, peer) = (udp6(), udp6());
            udp.connect(peer.local_addr().unwrap()).unwrap();
            Sock::Udp(udp)
        }
        _ => Sock::Udp(udp6()),
    }
}

/// What `get` reads on a fresh socket from [`socket_for`].
fn fresh_value(option: O) -> OptionValue<'static> {
    match option {
        O::TrafficClass => OptionValue::Int(0),
        O::HopLimit => OptionValue::Int(default_hop_limit()),
        O::MulticastInterface => OptionValue::Interface(0),
        O::MulticastHopLimit => OptionValue::Int(1), // IPV6_DEFAULT_MCASTHOPS
        O::MulticastLoopback => OptionValue::Bool(true),
        O::ReceiveTrafficClass | O::ReceiveHopLimit | O::ReceivePacketInfo | O::ReceivePathMtu => {
            OptionValue::Bool(false)
        }
        O::PathMtu => OptionValue::Mtu(lo_mtu()),
        O::Checksum => OptionValue::Int(-1),
        O::IcmpFilter => OptionValue::Filter(IcmpFilter::PASS_ALL),
        O::DontFragment | O::ReceiveErrors | O::ReceiveSegmentSize => OptionValue::Bool(false),
        O::MtuDiscover => OptionValue::Int(1), // IPV6_PMTUDISC_WANT
        O::GsoSegmentSize => OptionValue::Int(0),
        other => panic!("{other} has no value to read: teach fresh_value() about it"),
    }
}

/// A group of this process and option alone, so parallel tests don't meet.
fn group_of(option: O) -> Group {
    Group {
        interface: lo_index(),
        group: private_group(0x5e00 + option as u16),
    }
}

fn drive_get(option: O) -> Result<()> {
    let op = Operation::Get(option);
    let sock = socket_for(op, option);
    let value = Socket::new(sock.as_fd()).get(option);
    match (&sock, value) {
        (Sock::NoRaw(_), Err(Error::Os { .. })) => Ok(()),
        (Sock::NoRaw(_), other) => other.map(drop),
        (_, Ok(value)) => {
            assert_eq!(value, fresh_value(option), "{op} on a fresh socket");
            Ok(())
        }
        (_, Err(e)) => Err(e),
    }
}

fn drive_set(option: O) -> Result<()> {
    let op = Operation::Set(option);
    let sock = socket_for(op, option);
    let fd = sock.as_fd();
    let s = Socket::new(fd);
    // Prerequisites and read-backs go through the libc backend, so each
    // operation is judged alone, whatever this build does with the others.
    let libc = ipv6_backend_libc::Socket::new(fd);
    let group = group_of(option);
    let membership = OptionValue::Membership(group);
    let source = OptionValue::SourceMembership {
        group,
        source: SOURCE,
    };
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REPLY);
    let value = match option {
        O::TrafficClass => OptionValue::Int(0x28),
        O::HopLimit => OptionValue::Int(9),
        O::MulticastHopLimit => OptionValue::Int(3),
        O::MulticastInterface => OptionValue::Interface(lo_index()),
        O::MulticastLoopback => OptionValue::Bool(false),
        O::ReceiveTrafficClass | O::ReceiveHopLimit | O::ReceivePacketInfo | O::ReceivePathMtu => {
            OptionValue::Bool(true)
        }
        O::Checksum => OptionValue::Int(4),
        O::IcmpFilter => OptionValue::Filter(filter),
        O::JoinGroup | O::LeaveGroup => membership,
        O::JoinSourceGroup | O::LeaveSourceGroup | O::BlockSource | O::UnblockSource => source,
        O::AttachFilter => OptionValue::Program(&DROP_ALL),
        O::DontFragment | O::ReceiveErrors | O::ReceiveSegmentSize => OptionValue::Bool(true),
        O::MtuDiscover => OptionValue::Int(2), // IPV6_PMTUDISC_DO
        O::GsoSegmentSize => OptionValue::Int(1200),
        other => panic!("{other} is new: teach drive_set() a value for it"),
    };
    match option {
        O::LeaveGroup | O::BlockSource | O::UnblockSource => {
            libc.set(O::JoinGroup, membership).unwrap();
        }
        O::LeaveSourceGroup => libc.set(O::JoinSourceGroup, source).unwrap(),
        _ => {}
    }
    if option == O::UnblockSource {
        libc.set(O::BlockSource, source).unwrap();
    }

    let result = s.set(option, value);
    if let Sock::NoRaw(_) = sock {
        return match result {
            Err(Error::Os { .. }) => Ok(()),
            other => other,
        };
    }
    let (lo, g) = (group.interface, group.group);
    if let Err(e) = result {
        // Refused: nothing may have reached the kernel.
        if matches!(e, Error::Unsupported(_)) && option.readable() {
            assert_eq!(
                libc.get(option),
                Ok(fresh_value(option)),
                "{op} was refused, yet it changed the kernel's value"
            );
        }
        if option == O::JoinGroup {
            assert!(
                !kernel_lists_membership(lo, g),
                "{op} was refused, yet it joined"
            );
        }
        return Err(e);
    }
    // Done: its effect must be visible.
    match option {
        O::JoinGroup => assert!(kernel_lists_membership(lo, g), "{op}: not joined"),
        O::LeaveGroup => assert!(!kernel_lists_membership(lo, g), "{op}: still joined"),
        O::JoinSourceGroup => assert_eq!(kernel_source_filters(lo, g), [(SOURCE, 1, 0)], "{op}"),
        O::LeaveSourceGroup => {
            assert!(
                kernel_source_filters(lo, g).is_empty(),
                "{op}: a filter is left"
            );
            assert!(!kernel_lists_membership(lo, g), "{op}: still joined");
        }
        O::BlockSource => assert_eq!(kernel_source_filters(lo, g), [(SOURCE, 0, 1)], "{op}"),
        O::UnblockSource => {
            assert!(
                kernel_source_filters(lo, g).is_empty(),
                "{op}: still blocked"
            );
            assert!(kernel_lists_membership(lo, g), "{op}: the group was left");
        }
        O::AttachFilter => {
            // The kernel applies it: a datagram to the socket is dropped.
            let Sock::Udp(udp) = &sock else {
                unreachable!()
            };
            udp.send_to(b"dropped", udp.local_addr().unwrap()).unwrap();
            udp.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let err = udp
                .recv(&mut [0; 16])
                .expect_err("the filter let a datagram through");
            assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "{op}: {err}");
        }
        _ => assert_eq!(libc.get(option), Ok(value), "{op}: read back through libc"),
    }
    Ok(())
}

/// Calls the method behind `op` with arguments that succeed on a working
/// backend, checking its effect. Panics (caught by the caller) when the
/// call succeeded but did the wrong thing.
fn drive(op: Operation) -> Result<()> {
    let udp = udp6();
    let me = local_v6(&udp);
    let s = Socket::new(&udp);
    match op {
        Operation::Get(option) => drive_get(option),
        Operation::Set(option) => drive_set(option),
        Operation::SocketFamily => {
            assert_eq!(s.socket_family()?, Platform::HOST.af_inet6);
            Ok(())
        }
        Operation::RecvMsg => {
            udp.send_to(b"ping", me).unwrap();
            let mut buf = [0; 8];
            let meta = s.recv_msg(&mut [&mut buf], &mut [])?;
            assert_eq!((&buf[..meta.len], meta.source), (&b"ping"[..], Some(me)));
            Ok(())
        }
        Operation::SendMsg => {
            assert_eq!(s.send_msg(&[b"pi", b"ng"], &[], Some(&me))?, 4);
            let mut buf = [0; 8];
            assert_eq!(udp.recv(&mut buf).unwrap(), 4);
            assert_eq!(&buf[..4], b"ping");
            Ok(())
        }
        Operation::RecvBatch => {
            udp.send_to(b"one", me).unwrap();
            udp.send_to(b"two", me).unwrap();
            let (mut a, mut b) = ([0; 8], [0; 8]);
            let (mut ca, mut cb) = ([0; 0], [0; 0]);
            let mut messages = [
                RecvMessage::new(&mut a, &mut ca),
                RecvMessage::new(&mut b, &mut cb),
            ];
            let mut got = s.recv_batch(&mut messages)?;
            if got == 1 {
                got += s.recv_batch(&mut messages[1..])?;
            }
            assert_eq!(got, 2);
            assert_eq!(&messages[0].buffer[..messages[0].meta.len], b"one");
            assert_eq!(&messages[1].buffer[..messages[1].meta.len], b"two");
            Ok(())
        }
        Operation::SendBatch => {
            let mut messages = [
                SendMessage::new(b"one", &[], Some(me)),
                SendMessage::new(b"two", &[], Some(me)),
            ];
            assert_eq!(s.send_batch(&mut messages)?, 2);
            let mut buf = [0; 8];
            for expected in [b"one", b"two"] {
                let n = udp.recv(&mut buf).unwrap();
                assert_eq!(&buf[..n], expected);
            }
            Ok(())
        }
        Operation::SetReadTimeout => {
            let t = Duration::from_millis(1500);
            s.set_timeout(Direction::Read, Some(t))?;
            assert_eq!(udp.read_timeout().unwrap(), Some(t));
            Ok(())
        }
        Operation::SetWriteTimeout => {
            let t = Duration::from_millis(2500);
            s.set_timeout(Direction::Write, Some(t))?;
            assert_eq!(udp.write_timeout().unwrap(), Some(t));
            Ok(())
        }
        Operation::SetNonblocking => {
            s.set_nonblocking(true)?;
            // SAFETY: F_GETFL only reads the descriptor's flags.
            let flags = unsafe { libc::fcntl(udp.as_raw_fd(), libc::F_GETFL) };
            assert_ne!(flags & libc::O_NONBLOCK, 0, "O_NONBLOCK not set");
            Ok(())
        }
        Operation::InterfaceExists => {
            assert!(s.interface_exists(lo_index())?);
            assert!(!s.interface_exists(u32::MAX)?);
            Ok(())
        }
        Operation::InterfaceIndex => {
            assert_eq!(interface_index("lo")?, lo_index());
            Ok(())
        }
        Operation::RecvError => {
            // A datagram to a closed port on [::1] queues the ICMPv6 Port
            // Unreachable that comes back (loopback is not rate limited).
            let libc = ipv6_backend_libc::Socket::new(&udp);
            libc.set(O::ReceiveErrors, OptionValue::Bool(true)).unwrap();
            let closed = udp6().local_addr().unwrap();
            udp.send_to(b"nobody", closed).unwrap();
            let mut buf = [0; 16];
            let mut space = ipv6_core::errqueue::ErrorBuffer::new();
            let control = &mut space.0[..];
            let meta = loop {
                match s.recv_error(&mut [&mut buf], control) {
                    Err(Error::Os { errno, .. }) if errno == libc::EAGAIN => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    other => break other?,
                }
            };
            assert_eq!(&buf[..meta.len], b"nobody");
            let found = ipv6_core::errqueue::find(&Platform::HOST, &control[..meta.control_len]);
            let error = found.error.expect("an IPV6_RECVERR record");
            assert_eq!(
                (error.icmp_type, error.code),
                (IcmpType::DESTINATION_UNREACHABLE, 4)
            );
            assert_eq!(error.errno, libc::ECONNREFUSED as u32);
            Ok(())
        }
        other => panic!("{other} is new: teach drive() to call it"),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// Every disagreement is collected, so one run names them all.
#[test]
fn every_operation_behaves_as_the_capability_table_says() {
    let mut disagreements = Vec::new();
    let mut driven = 0;
    for op in operations() {
        driven += 1;
        let expected = capability(op);
        let outcome = catch_unwind(AssertUnwindSafe(|| drive(op)));
        let wrong = match (expected, outcome) {
            (_, Err(panic)) => Some(format!("driving it failed: {}", panic_message(&*panic))),
            (Capability::Unsupported, Ok(Err(Error::Unsupported(named)))) if named == op => None,
            (Capability::Unsupported, Ok(got)) => Some(format!("the call gave {got:?}")),
            (_, Ok(Ok(()))) => None,
            (_, Ok(Err(e))) => Some(format!("the call gave Err({e:?})")),
        };
        if let Some(wrong) = wrong {
            disagreements.push(format!("  {op}: the table says {expected:?}; {wrong}"));
        }
    }
    assert!(driven > 30, "operations() lists only {driven}");
    assert!(
        disagreements.is_empty(),
        "the capability table disagrees with the {} build:\n{}",
        if Build::HOST.fallback {
            "libc-fallback"
        } else {
            "pure rustix"
        },
        disagreements.join("\n")
    );
}

/// The gaps of the pure build on Linux, listed by hand rather than derived
/// from the table: exactly these are refused, each by its own name.
#[cfg(not(feature = "libc-fallback"))]
#[test]
fn pure_build_refuses_exactly_the_hand_listed_gaps() {
    use Operation::{Get, RecvBatch, RecvError, Set};
    // Refused both ways: options rustix has no wrapper for (of those beyond
    // Go it wraps IPV6_MTU_DISCOVER only), and the receive options, which ask
    // for control data the pure build cannot receive.
    let both_ways = [
        O::Checksum,
        O::IcmpFilter,
        O::DontFragment,
        O::ReceiveErrors,
        O::GsoSegmentSize,
        O::ReceiveSegmentSize,
        O::ReceiveTrafficClass,
        O::ReceiveHopLimit,
        O::ReceivePacketInfo,
        O::ReceivePathMtu,
    ];
    let set_only = [
        O::JoinSourceGroup,
        O::LeaveSourceGroup,
        O::BlockSource,
        O::UnblockSource,
        O::AttachFilter,
    ];
    let mut gaps: Vec<Operation> = both_ways.iter().flat_map(|&o| [Get(o), Set(o)]).collect();
    gaps.extend(set_only.map(Set));
    // rustix has no recvmmsg; the error queue is control data.
    gaps.extend([RecvBatch, RecvError]);
    let refused: Vec<Operation> = operations()
        .filter(|&op| capability(op) == Capability::Unsupported)
        .collect();
    for op in &gaps {
        assert!(refused.contains(op), "{op} is a gap of the pure build");
        assert_eq!(drive(*op), Err(Error::Unsupported(*op)));
    }
    for op in &refused {
        assert!(gaps.contains(op), "{op} is refused, but not listed here");
    }
}

/// A control message the kernel accepts: hop limit 5.
fn hop_limit_record() -> Vec<u8> {
    let cm = ControlMessage {
        hop_limit: Some(5),
        ..ControlMessage::default()
    };
    cm.to_bytes(&Platform::HOST).unwrap().to_vec()
}

/// A receiver the kernel reports hop limits to, set up through libc so the
/// rustix side under test is the only variable.
fn hop_limit_receiver() -> UdpSocket {
    let rx = udp6();
    ipv6_backend_libc::Socket::new(&rx)
        .set(O::ReceiveHopLimit, OptionValue::Bool(true))
        .unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    rx
}

/// The hop limit the kernel reported with the next datagram on `rx`.
fn received_hop_limit(rx: &UdpSocket) -> Option<u8> {
    let mut buf = [0; 16];
    let mut control = [0; 64];
    let meta = ipv6_backend_libc::Socket::new(rx)
        .recv_msg(&mut [&mut buf], &mut control)
        .unwrap();
    ControlMessage::parse(&Platform::HOST, &control[..meta.control_len])
        .unwrap()
        .hop_limit
}

#[test]
fn control_data_behaves_as_the_capability_table_says() {
    let expected = control_message_capability();
    assert_ne!(
        expected,
        Capability::Native,
        "rustix cannot carry IPv6 records"
    );
    let works = expected == Capability::Fallback;
    let check = |op: Operation, result: Result<usize>, want: usize| {
        if works {
            assert_eq!(result, Ok(want), "{op} with control data");
        } else {
            assert_eq!(
                result,
                Err(Error::Unsupported(op)),
                "{op} with control data"
            );
        }
    };
    let record = hop_limit_record();

    // Sending: the record reaches the kernel, or nothing is sent.
    let (tx, rx) = (udp6(), hop_limit_receiver());
    let s = Socket::new(&tx);
    let to = local_v6(&rx);
    check(
        Operation::SendMsg,
        s.send_msg(&[b"x"], &record, Some(&to)),
        1,
    );
    let mut batch = [
        SendMessage::new(b"y", &record, Some(to)),
        SendMessage::new(b"z", &record, Some(to)),
    ];
    check(Operation::SendBatch, s.send_batch(&mut batch), 2);
    if works {
        for _ in 0..3 {
            assert_eq!(received_hop_limit(&rx), Some(5));
        }
    }
    tx.send_to(b"plain", to).unwrap();
    let mut buf = [0; 16];
    assert_eq!(rx.recv(&mut buf).unwrap(), 5, "a refused send still sent");

    // Receiving: the records come back, or the datagram stays queued.
    let (tx, rx) = (udp6(), hop_limit_receiver());
    let s = Socket::new(&rx);
    let to = local_v6(&rx);
    tx.send_to(b"first", to).unwrap();
    let mut control = [0; 64];
    let got = s.recv_msg(&mut [&mut buf], &mut control);
    check(Operation::RecvMsg, got.map(|m| m.len), 5);
    if let Ok(meta) = got {
        let cm = ControlMessage::parse(&Platform::HOST, &control[..meta.control_len]).unwrap();
        assert!(cm.hop_limit.is_some(), "no hop limit in {cm:?}");
    } else {
        assert_eq!(
            rx.recv(&mut buf).unwrap(),
            5,
            "the refused read consumed the datagram"
        );
    }
    tx.send_to(b"second", to).unwrap();
    let mut message = [RecvMessage::new(&mut buf, &mut control)];
    let got = s.recv_batch(&mut message);
    let meta = message[0].meta;
    check(Operation::RecvBatch, got, 1);
    if works {
        let cm = ControlMessage::parse(&Platform::HOST, &control[..meta.control_len]).unwrap();
        assert!(cm.hop_limit.is_some(), "no hop limit in {cm:?}");
    } else {
        assert_eq!(
            rx.recv(&mut buf).unwrap(),
            6,
            "the refused read consumed the datagram"
        );
    }
}

/// `PacketConn` on the rustix backend: receive options are refused in the
/// pure build, whole, and work with the fallback.
#[test]
fn set_control_message_follows_the_table() {
    let udp = udp6();
    let pc = ipv6_backend_rustix::packet_conn(&udp).unwrap();
    let result =
        pc.set_control_message(ControlFlags::TRAFFIC_CLASS | ControlFlags::HOP_LIMIT, true);
    let tclass = Operation::Set(O::ReceiveTrafficClass);
    match capability(tclass) {
        Capability::Unsupported => {
            assert_eq!(result, Err(Error::Unsupported(tclass)));
            assert_eq!(pc.control_flags(), ControlFlags::empty());
        }
        _ => {
            result.unwrap();
            let both = ControlFlags::TRAFFIC_CLASS | ControlFlags::HOP_LIMIT;
            assert_eq!(pc.control_flags(), both);
        }
    }
}

#[test]
fn the_table_is_this_build_and_every_cell_is_explained() {
    assert_eq!(Build::HOST.target.platform().os, Platform::HOST.os);
    assert_eq!(Build::HOST.fallback, cfg!(feature = "libc-fallback"));
    for op in operations() {
        assert_eq!(capability(op), capability_in(Build::HOST, op), "{op}");
        for target in Target::ALL {
            let in_build = |fallback| capability_in(Build { target, fallback }, op);
            let (with, pure) = (in_build(true), in_build(false));
            // The pure build does natively what the default build does
            // natively (except receive options, refused), and nothing else.
            match (with, pure) {
                (Capability::Native, Capability::Native)
                | (Capability::Fallback | Capability::Unsupported, Capability::Unsupported) => {}
                (Capability::Native, Capability::Unsupported) => assert!(
                    matches!(op, Operation::Set(o) if o.setter() == "set_control_message"),
                    "{op} on {target:?}: native, yet refused in the pure build"
                ),
                pair => panic!("{op} on {target:?}: {pair:?}"),
            }
            // What the OS lacks is refused in both builds.
            if let Some(option) = op.option() {
                if target.platform().sockopt(option).is_none() {
                    assert_eq!(with, Capability::Unsupported, "{op} on {target:?}");
                }
            }
        }
    }
    assert!(
        !capability_table().contains(" ? "),
        "{}",
        capability_table()
    );
}
