//! `capability()` is data the conformance suite trusts, so it is checked
//! against what each method really does on the running kernel; in the pure
//! rustix build every gap must be refused by name.
#![cfg(target_os = "linux")]

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::time::Duration;

use ipv6_backend_rustix::{
    Capability, Socket, capability, control_message_capability, receive_option_capability,
};
use ipv6_core::{
    BpfInstruction, Error, Operation, ReceiveOption, RecvMessage, Result, SendMessage,
    SocketBackend,
};

const RECEIVE_OPTIONS: [ReceiveOption; 4] = [
    ReceiveOption::TrafficClass,
    ReceiveOption::HopLimit,
    ReceiveOption::PacketInfo,
    ReceiveOption::PathMtu,
];

const GROUP: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0x5eed, 0, 1);
const SOURCE: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
/// `ret #-1`: accept whole packets.
const ACCEPT_ALL: [BpfInstruction; 1] = [BpfInstruction {
    code: 0x06,
    jt: 0,
    jf: 0,
    k: u32::MAX,
}];

/// A nonblocking UDP socket on [::1], so receives return instead of waiting.
fn udp6() -> (UdpSocket, SocketAddrV6) {
    let udp = UdpSocket::bind("[::1]:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let SocketAddr::V6(addr) = udp.local_addr().unwrap() else {
        unreachable!()
    };
    (udp, addr)
}

/// Calls the method behind `op` with plain arguments and no control data.
fn call(s: &Socket<&UdpSocket>, me: &SocketAddrV6, op: Operation) -> Result<()> {
    use Operation::*;
    match op {
        SocketFamily => s.socket_family().map(drop),
        TrafficClass => s.traffic_class().map(drop),
        SetTrafficClass => s.set_traffic_class(0),
        HopLimit => s.hop_limit().map(drop),
        SetHopLimit => s.set_hop_limit(64),
        MulticastHopLimit => s.multicast_hop_limit().map(drop),
        SetMulticastHopLimit => s.set_multicast_hop_limit(1),
        MulticastInterface => s.multicast_interface().map(drop),
        SetMulticastInterface => s.set_multicast_interface(0),
        MulticastLoopback => s.multicast_loopback().map(drop),
        SetMulticastLoopback => s.set_multicast_loopback(true),
        JoinGroup => s.join_group(1, GROUP),
        LeaveGroup => s.leave_group(1, GROUP),
        JoinSourceGroup => s.join_source_group(1, GROUP, SOURCE),
        LeaveSourceGroup => s.leave_source_group(1, GROUP, SOURCE),
        BlockSource => s.block_source(1, GROUP, SOURCE),
        UnblockSource => s.unblock_source(1, GROUP, SOURCE),
        SetReceiveOption => RECEIVE_OPTIONS
            .iter()
            .try_for_each(|&o| s.set_receive_option(o, false)),
        PathMtu => s.path_mtu().map(drop),
        Checksum => s.checksum().map(drop),
        SetChecksum => s.set_checksum(-1),
        IcmpFilter => s.icmp_filter().map(drop),
        SetIcmpFilter => s.set_icmp_filter(&ipv6_core::IcmpFilter::PASS_ALL),
        AttachBpf => s.attach_bpf(&ACCEPT_ALL),
        RecvMsg => s.recv_msg(&mut [&mut [0; 8]], &mut []).map(drop),
        SendMsg => s.send_msg(&[b"x"], &[], Some(me)).map(drop),
        RecvBatch => {
            let (mut buf, mut control) = ([0; 8], [0; 0]);
            s.recv_batch(&mut [RecvMessage::new(&mut buf, &mut control)])
                .map(drop)
        }
        SendBatch => s
            .send_batch(&mut [SendMessage::new(b"x", &[], Some(*me))])
            .map(drop),
        SetReadTimeout => s.set_read_timeout(Some(Duration::from_secs(1))),
        SetWriteTimeout => s.set_write_timeout(None),
        SetNonblocking => s.set_nonblocking(true),
        InterfaceExists => s.interface_exists(1).map(drop),
        _ => panic!("{op} is new: add it to Operation::ALL and to this match"),
    }
}

fn refused(result: Result<()>) -> bool {
    matches!(result, Err(Error::Unsupported(_)))
}

#[test]
fn capability_agrees_with_every_method() {
    let (udp, me) = udp6();
    let s = Socket::new(&udp);
    for op in Operation::ALL {
        let result = call(&s, &me, op);
        let expected = capability(op);
        assert_eq!(
            refused(result),
            expected == Capability::Unsupported,
            "{op}: capability {expected:?}, call gave {result:?}"
        );
        if let Err(Error::Unsupported(named)) = result {
            assert_eq!(named, op, "refusal names the wrong operation");
        }
    }
}

#[test]
fn receive_option_capability_agrees() {
    let (udp, _) = udp6();
    let s = Socket::new(&udp);
    for option in RECEIVE_OPTIONS {
        let result = s.set_receive_option(option, true);
        let expected = receive_option_capability(option);
        assert_eq!(
            refused(result),
            expected == Capability::Unsupported,
            "{option:?}: capability {expected:?}, call gave {result:?}"
        );
    }
}

#[test]
fn control_message_capability_agrees() {
    let (udp, me) = udp6();
    let s = Socket::new(&udp);
    // Bytes, not a valid record: only "refused or not" matters here.
    let control = [0u8; 32];
    let mut receive_control = [0u8; 64];
    let results = [
        (
            Operation::SendMsg,
            s.send_msg(&[b"x"], &control, Some(&me)).map(drop),
        ),
        (
            Operation::SendBatch,
            s.send_batch(&mut [SendMessage::new(b"x", &control, Some(me))])
                .map(drop),
        ),
        (
            Operation::RecvMsg,
            s.recv_msg(&mut [&mut [0; 8]], &mut receive_control)
                .map(drop),
        ),
    ];
    let expected = control_message_capability();
    for (op, result) in results {
        assert_eq!(
            refused(result),
            expected == Capability::Unsupported,
            "{op} with control data: capability {expected:?}, call gave {result:?}"
        );
    }
}

/// The gaps of the pure build, listed by hand rather than derived from
/// `capability()`, each refused with exactly its own operation.
#[cfg(not(feature = "libc-fallback"))]
#[test]
fn pure_build_refuses_each_gap_by_name() {
    use Operation::*;
    let (udp, me) = udp6();
    let s = Socket::new(&udp);
    for op in [
        JoinSourceGroup,
        LeaveSourceGroup,
        BlockSource,
        UnblockSource,
        Checksum,
        SetChecksum,
        IcmpFilter,
        SetIcmpFilter,
        AttachBpf,
        RecvBatch,
    ] {
        assert_eq!(call(&s, &me, op), Err(Error::Unsupported(op)));
        assert_eq!(capability(op), Capability::Unsupported);
    }
    for option in [
        ReceiveOption::HopLimit,
        ReceiveOption::PacketInfo,
        ReceiveOption::PathMtu,
    ] {
        assert_eq!(
            s.set_receive_option(option, true),
            Err(Error::Unsupported(SetReceiveOption))
        );
    }
    let control = [0u8; 32];
    assert_eq!(
        s.send_msg(&[b"x"], &control, Some(&me)),
        Err(Error::Unsupported(SendMsg))
    );
    assert_eq!(
        s.send_batch(&mut [SendMessage::new(b"x", &control, Some(me))]),
        Err(Error::Unsupported(SendBatch))
    );
    assert_eq!(
        s.recv_msg(&mut [&mut [0; 8]], &mut [0; 64]),
        Err(Error::Unsupported(RecvMsg))
    );
}
