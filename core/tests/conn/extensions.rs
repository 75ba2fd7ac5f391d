//! What `PacketConn` does beyond Go, over the fake: DSCP/ECN, GSO and GRO
//! arguments, and the error queue. The kernel's side is the conformance
//! suite's (`ipv6-tests`, `suite/offload.rs`, `suite/icmp_errors.rs`).

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::backend::MsgFlags;
use ipv6_core::errqueue::{ErrorOrigin, ExtendedError};
use ipv6_core::{
    ControlMessage, Dscp, Ecn, Error, IcmpType, InvalidArgument, MAX_COALESCED_LEN, Operation,
    OptionValue, Platform, PmtuDiscovery, SocketOption, WireError,
};

use crate::fake::{Call, Datagram, EAGAIN, Fake, Script, Value};
use crate::{invalid, packet_conn};

const PEER: SocketAddrV6 =
    SocketAddrV6::new(Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 9), 4433, 0, 0);

fn darwin() -> Fake {
    Fake::with(Script {
        platform: Platform::DARWIN,
        family: Ok(Platform::DARWIN.af_inet6),
        ..Script::default()
    })
}

#[test]
fn dscp_and_ecn_set_the_traffic_class_octet() {
    let c = packet_conn(Fake::default());
    c.set_dscp_ecn(Dscp::EF, Ecn::Ect0).unwrap();
    assert_eq!(
        c.backend().calls(),
        [Call::set(
            SocketOption::TrafficClass,
            OptionValue::Int(0xba)
        )]
    );
}

#[test]
fn segment_sizes_that_would_change_the_wire_are_refused_before_the_backend() {
    let c = packet_conn(Fake::default());
    let payload = [0u8; 2400];
    let send = |size| {
        let control = ControlMessage {
            segment_size: Some(size),
            ..ControlMessage::default()
        };
        c.write_to(&payload, Some(&control), Some(&PEER))
    };
    // 0 would send one datagram; 2401 would send one datagram of it all.
    for size in [0, 2401, u16::MAX] {
        assert_eq!(
            send(size),
            Err(invalid(
                Operation::SendMsg,
                InvalidArgument::SegmentSize {
                    size,
                    payload: 2400
                }
            ))
        );
    }
    assert_eq!(c.backend().calls(), []);
    // 1200 and the whole payload are fine and reach the backend encoded.
    assert_eq!(send(1200), Ok(2400));
    assert_eq!(send(2400), Ok(2400));
    let sent: Vec<_> = c
        .backend()
        .calls()
        .into_iter()
        .map(|call| match call {
            Call::SendMsg { control, .. } => control,
            other => panic!("{other:?}"),
        })
        .collect();
    // UDP_SEGMENT at SOL_UDP (17), type 103, 1200 = 0x04b0.
    assert_eq!(&sent[0][8..18], &[17, 0, 0, 0, 103, 0, 0, 0, 0xb0, 0x04]);
}

#[test]
fn gso_and_gro_where_the_os_has_none_are_unsupported_not_dropped() {
    let c = packet_conn(darwin());
    let control = ControlMessage {
        segment_size: Some(100),
        ..ControlMessage::default()
    };
    assert_eq!(
        c.write_to(&[0; 200], Some(&control), Some(&PEER)),
        Err(Error::Unsupported(Operation::Set(
            SocketOption::GsoSegmentSize
        )))
    );
    assert_eq!(c.backend().calls(), []);
    // The options are refused from the table, after the fake records them.
    assert_eq!(
        c.set_gro(true),
        Err(Error::Unsupported(Operation::Set(
            SocketOption::ReceiveSegmentSize
        )))
    );
    assert_eq!(
        c.set_mtu_discover(PmtuDiscovery::Do),
        Err(Error::Unsupported(Operation::Set(
            SocketOption::MtuDiscover
        )))
    );
    // A failed set_gro leaves reads as they were: a small buffer still works.
    c.backend().deliver(Datagram {
        payload: b"x".to_vec(),
        ..Datagram::default()
    });
    let mut buf = [0u8; 8];
    assert_eq!(c.read_from(&mut buf).map(|r| r.0), Ok(1));
    // Don't-fragment exists there, as an option and per packet.
    let df = ControlMessage {
        dont_fragment: Some(true),
        ..ControlMessage::default()
    };
    assert_eq!(c.write_to(&[1], Some(&df), Some(&PEER)), Ok(1));
}

#[test]
fn gro_reads_need_room_for_a_coalesced_payload_and_report_its_segment_size() {
    let c = packet_conn(Fake::default());
    c.set_gro(true).unwrap();
    c.backend().clear_calls();
    let mut small = vec![0u8; MAX_COALESCED_LEN - 1];
    assert_eq!(
        c.read_from(&mut small).map(|r| r.0),
        Err(invalid(
            Operation::RecvMsg,
            InvalidArgument::ReceiveBufferTooSmall {
                needed: MAX_COALESCED_LEN,
                available: MAX_COALESCED_LEN - 1
            }
        ))
    );
    assert_eq!(c.backend().calls(), [], "nothing was taken from the socket");
    // UDP_GRO 1200 (Linux x86_64 framing).
    let mut gro = vec![0x14, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 104, 0, 0, 0];
    gro.extend([0xb0, 0x04, 0, 0, 0, 0, 0, 0]);
    c.backend().deliver(Datagram {
        payload: vec![7; 3000],
        control: gro,
        source: Some(PEER),
        ..Datagram::default()
    });
    let mut buf = vec![0u8; MAX_COALESCED_LEN];
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(received.len, 3000);
    assert_eq!(received.control.segment_size, Some(1200));
    assert!(received.control_complete());
    assert_eq!(
        c.backend().calls(),
        [Call::RecvMsg {
            buffer_lens: vec![MAX_COALESCED_LEN],
            control_len: 24
        }]
    );
    c.set_gro(false).unwrap();
    assert!(
        c.read_from(&mut [0u8; 4])
            .is_err_and(|e| e.errno() == Some(EAGAIN))
    );
}

#[test]
fn read_error_decodes_the_entry_and_keeps_it_whatever_its_control_data() {
    let c = packet_conn(Fake::default());
    let ptb = ExtendedError {
        errno: 90,
        origin: ErrorOrigin::Icmp6,
        icmp_type: IcmpType::PACKET_TOO_BIG,
        code: 0,
        info: 1280,
        data: 0,
        offender: Some(SocketAddrV6::new(
            Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1),
            0,
            0,
            0,
        )),
    };
    let mut record = vec![0x3c, 0, 0, 0, 0, 0, 0, 0, 41, 0, 0, 0, 25, 0, 0, 0];
    let mut data = [0u8; 44];
    ptb.encode(&Platform::LINUX_64, &mut data).unwrap();
    record.extend(data);
    c.backend().deliver_error(Datagram {
        payload: vec![5; 1400],
        control: record,
        source: Some(PEER),
        ..Datagram::default()
    });
    // A cut record: the entry is still returned, with the problem beside it.
    c.backend().deliver_error(Datagram {
        payload: b"quoted".to_vec(),
        control: vec![0x3c, 0, 0, 0, 0, 0, 0, 0, 41, 0, 0, 0, 25, 0, 0, 0],
        source: Some(PEER),
        flags: MsgFlags::CONTROL_TRUNCATED,
        ..Datagram::default()
    });
    let mut buf = [0u8; 64];
    let got = c.read_error(&mut buf).unwrap();
    assert_eq!(got.error, Some(ptb));
    assert_eq!(got.error.and_then(|e| e.mtu()), Some(1280));
    assert_eq!(
        (got.len, got.truncated, got.destination),
        (64, true, Some(PEER))
    );
    let cut = c.read_error(&mut buf).unwrap();
    assert_eq!((cut.error, cut.len, cut.control_truncated), (None, 6, true));
    assert_eq!(
        cut.control_error,
        Some(WireError::CmsgLenOverrun {
            offset: 0,
            cmsg_len: 60,
            available: 16
        })
    );
    // An empty queue is EAGAIN, at once.
    assert_eq!(
        c.read_error(&mut buf),
        Err(Error::Os {
            op: Operation::RecvError,
            errno: EAGAIN
        })
    );
    // Where the OS has no error queue, no call is made.
    let d = packet_conn(darwin());
    assert_eq!(
        d.read_error(&mut buf),
        Err(Error::Unsupported(Operation::RecvError))
    );
    assert_eq!(d.backend().calls(), []);
}

#[test]
fn the_new_options_reach_the_backend_with_their_values() {
    let c = packet_conn(Fake::default());
    c.set_dont_fragment(true).unwrap();
    c.set_mtu_discover(PmtuDiscovery::Probe).unwrap();
    c.set_receive_errors(true).unwrap();
    c.set_gso_segment_size(Some(1200)).unwrap();
    c.set_gso_segment_size(None).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::Set(SocketOption::DontFragment, Value::Bool(true)),
            Call::Set(SocketOption::MtuDiscover, Value::Int(3)),
            Call::Set(SocketOption::ReceiveErrors, Value::Bool(true)),
            Call::Set(SocketOption::GsoSegmentSize, Value::Int(1200)),
            Call::Set(SocketOption::GsoSegmentSize, Value::Int(0)),
        ]
    );
    assert_eq!(PmtuDiscovery::from_raw(6), None);
    assert_eq!(PmtuDiscovery::from_raw(2), Some(PmtuDiscovery::Do));
}
