use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::backend::{MAX_IOV, MsgFlags};
use ipv6_core::{
    ControlFlags, ControlMessage, Error, InvalidArgument, Operation, Received, WireError,
};

use crate::fake::{Call, Datagram, EAGAIN, Fake, Script};
use crate::records::{HOPLIMIT_64, PATHMTU_1280_IF5, PKTINFO_DB8_1_IF3, TCLASS_B8};
use crate::{invalid, packet_conn};

const PEER: SocketAddrV6 =
    SocketAddrV6::new(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 7), 5353, 0, 3);

fn datagram(payload: &[u8]) -> Datagram {
    Datagram {
        payload: payload.to_vec(),
        source: Some(PEER),
        ..Datagram::default()
    }
}

/// `Received` for a datagram of `len` bytes from `PEER` with nothing else to
/// report.
fn plain(len: usize) -> Received {
    Received {
        len,
        source: Some(PEER),
        ..Received::default()
    }
}

#[test]
fn read_from_without_flags_passes_no_control_buffer() {
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"hello"));
    let mut buf = [0u8; 32];
    let (len, control, source) = c.read_from(&mut buf).unwrap();
    assert_eq!(
        (len, control, source),
        (5, ControlMessage::default(), Some(PEER))
    );
    assert_eq!(&buf[..5], b"hello");
    assert_eq!(
        c.backend().calls(),
        [Call::RecvMsg {
            buffer_lens: vec![32],
            control_len: 0
        }]
    );
}

#[test]
fn control_truncation_without_flags_keeps_the_datagram() {
    // A receive option turned on behind this PacketConn's back: with no
    // flags set the read passes no control buffer and the kernel reports
    // MSG_CTRUNC. The datagram is delivered all the same.
    let c = packet_conn(Fake::default());
    for _ in 0..2 {
        c.backend().deliver(Datagram {
            control: HOPLIMIT_64.to_vec(),
            ..datagram(b"kept")
        });
    }
    let mut buf = [0u8; 8];
    assert_eq!(
        c.read_from(&mut buf),
        Ok((4, ControlMessage::default(), Some(PEER)))
    );
    assert_eq!(&buf[..4], b"kept");
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(
        received,
        Received {
            control_truncated: true,
            ..plain(4)
        }
    );
    assert!(!received.control_complete());
}

#[test]
fn control_truncation_flag_alone_is_reported() {
    // The backend's MSG_CTRUNC is passed on even with no bytes to show for it.
    let c = packet_conn(Fake::default());
    c.backend().deliver(Datagram {
        flags: MsgFlags::CONTROL_TRUNCATED,
        ..datagram(b"kept")
    });
    let mut buf = [0u8; 8];
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(
        received,
        Received {
            control_truncated: true,
            ..plain(4)
        }
    );
}

#[test]
fn read_from_hides_payload_truncation_read_msg_reports_it() {
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"0123456789"));
    c.backend().deliver(datagram(b"0123456789"));
    let mut buf = [0u8; 4];
    let (len, _, _) = c.read_from(&mut buf).unwrap();
    assert_eq!((len, &buf), (4, b"0123"));
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(
        received,
        Received {
            truncated: true,
            ..plain(4)
        }
    );
    // Payload truncation is no control problem.
    assert!(received.control_complete());
}

#[test]
fn read_msg_scatters_over_buffers() {
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"headerpayload"));
    let (mut head, mut body) = ([0u8; 6], [0u8; 16]);
    let received = c.read_msg(&mut [&mut head, &mut body]).unwrap();
    assert_eq!((received.len, received.truncated), (13, false));
    assert_eq!((&head, &body[..7]), (b"header", &b"payload"[..]));
    assert_eq!(
        c.backend().calls(),
        [Call::RecvMsg {
            buffer_lens: vec![6, 16],
            control_len: 0
        }]
    );
}

#[test]
fn read_msg_refuses_more_than_max_iov_buffers() {
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"x"));
    let mut storage = [[0u8; 1]; MAX_IOV + 1];
    let mut too_many: Vec<&mut [u8]> = storage.iter_mut().map(|b| &mut b[..]).collect();
    assert_eq!(
        c.read_msg(&mut too_many),
        Err(invalid(
            Operation::RecvMsg,
            InvalidArgument::TooManyBuffers {
                given: MAX_IOV + 1,
                max: MAX_IOV
            }
        ))
    );
    assert_eq!(c.backend().calls(), []);
    assert_eq!(c.read_msg(&mut too_many[..MAX_IOV]).unwrap().len, 1);
}

#[test]
fn receive_errors_are_returned() {
    let c = packet_conn(Fake::default());
    let mut buf = [0u8; 4];
    let again = Error::Os {
        op: Operation::RecvMsg,
        errno: EAGAIN,
    };
    assert_eq!(c.read_from(&mut buf), Err(again));
    assert_eq!(c.read_msg(&mut [&mut buf]), Err(again));
    let text = if cfg!(feature = "std") {
        "read_from: Resource temporarily unavailable (EAGAIN, os error 11)"
    } else {
        "read_from: EAGAIN (os error 11)"
    };
    assert_eq!(again.to_string(), text);
}

#[test]
fn control_length_beyond_the_buffer_is_reported_beside_the_datagram() {
    // A faulty backend claims 8 control bytes where it was given none.
    let c = packet_conn(Fake::default());
    for _ in 0..2 {
        c.backend().deliver(Datagram {
            claimed_control_len: Some(8),
            ..datagram(b"x")
        });
    }
    let mut buf = [0u8; 4];
    assert_eq!(
        c.read_from(&mut buf),
        Ok((1, ControlMessage::default(), Some(PEER)))
    );
    assert_eq!(
        c.read_msg(&mut [&mut buf]),
        Ok(Received {
            control_undecoded: 1,
            control_error: Some(WireError::Truncated {
                needed: 8,
                available: 0
            }),
            ..plain(1)
        })
    );
}

#[test]
fn control_length_beyond_the_buffer_is_reported_and_not_trusted() {
    // With flags set the read's buffer holds 136 bytes; a backend claiming
    // 200 is reported, and since which bytes it wrote is unknown, none are
    // decoded. The datagram still arrives.
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::HOP_LIMIT, true)
        .unwrap();
    c.backend().deliver(Datagram {
        control: HOPLIMIT_64.to_vec(),
        claimed_control_len: Some(200),
        ..datagram(b"abc")
    });
    let mut buf = [0u8; 8];
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!((received.len, received.source), (3, Some(PEER)));
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(received.control, ControlMessage::default());
    assert_eq!(
        received.control_error,
        Some(WireError::Truncated {
            needed: 200,
            available: 136
        })
    );
    assert_eq!(received.control_undecoded, 1);
    assert!(!received.control_complete());
}

#[test]
fn payload_length_beyond_the_buffers_is_clamped() {
    // A faulty backend claims 100 bytes where 4 + 2 were given.
    let c = packet_conn(Fake::default());
    for _ in 0..2 {
        c.backend().deliver(Datagram {
            claimed_len: Some(100),
            ..datagram(b"abcdef")
        });
    }
    let mut buf = [0u8; 4];
    let (len, _, source) = c.read_from(&mut buf).unwrap();
    assert_eq!((len, source), (4, Some(PEER)));
    let (mut a, mut b) = ([0u8; 4], [0u8; 2]);
    assert_eq!(c.read_msg(&mut [&mut a, &mut b]), Ok(plain(6)));
}

#[test]
fn read_from_sizes_the_control_buffer_and_parses_linux_records() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::all(), true).unwrap();
    c.backend().clear_calls();
    let control = [&TCLASS_B8[..], &HOPLIMIT_64, &PKTINFO_DB8_1_IF3].concat();
    c.backend().deliver(Datagram {
        control,
        ..datagram(b"data")
    });
    let mut buf = [0u8; 16];
    let (len, control, source) = c.read_from(&mut buf).unwrap();
    assert_eq!((len, source), (4, Some(PEER)));
    assert_eq!(
        control,
        ControlMessage {
            traffic_class: Some(0xb8),
            hop_limit: Some(64),
            dst: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            if_index: 3,
            ..ControlMessage::default()
        }
    );
    // 24 + 24 + 40 + 48: room for one record of each kind the flags ask for.
    assert_eq!(
        c.backend().calls(),
        [Call::RecvMsg {
            buffer_lens: vec![16],
            control_len: 136
        }]
    );
}

#[test]
fn read_from_parses_a_path_mtu_report() {
    // Like Go, the report's address and scope fill `dst` and `if_index`.
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::PATH_MTU, true).unwrap();
    c.backend().deliver(Datagram {
        control: PATHMTU_1280_IF5.to_vec(),
        ..datagram(b"")
    });
    let mut buf = [0u8; 16];
    let (len, control, _) = c.read_from(&mut buf).unwrap();
    assert_eq!(len, 0);
    assert_eq!(
        control,
        ControlMessage {
            dst: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9)),
            if_index: 5,
            mtu: 1280,
            ..ControlMessage::default()
        }
    );
}

#[test]
fn read_msg_reports_parsed_control_and_truncation_together() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::HOP_LIMIT, true)
        .unwrap();
    c.backend().deliver(Datagram {
        control: HOPLIMIT_64.to_vec(),
        ..datagram(b"too long")
    });
    let mut buf = [0u8; 3];
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(received.control.hop_limit, Some(64));
    assert_eq!((received.len, received.truncated), (3, true));
    assert!(received.control_complete());
}

#[test]
fn more_control_than_the_buffer_holds_is_reported_beside_the_records() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::HOP_LIMIT, true)
        .unwrap();
    // 40 + 24 + 3 * 24 fill the read's 136 bytes exactly; the fake drops
    // the path MTU record after them and flags MSG_CTRUNC.
    let control = [
        &PKTINFO_DB8_1_IF3[..],
        &TCLASS_B8,
        &HOPLIMIT_64,
        &HOPLIMIT_64,
        &HOPLIMIT_64,
        &PATHMTU_1280_IF5,
    ]
    .concat();
    for _ in 0..2 {
        c.backend().deliver(Datagram {
            control: control.clone(),
            ..datagram(b"abc")
        });
    }
    let mut buf = [0u8; 8];
    let expected = ControlMessage {
        traffic_class: Some(0xb8),
        hop_limit: Some(64),
        dst: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        if_index: 3,
        ..ControlMessage::default()
    };
    assert_eq!(c.read_from(&mut buf), Ok((3, expected, Some(PEER))));
    assert_eq!(
        c.read_msg(&mut [&mut buf]),
        Ok(Received {
            control: expected,
            control_truncated: true,
            ..plain(3)
        })
    );
}

#[test]
fn records_beyond_the_current_flags_still_fit() {
    // Another thread may enable more reports while a read waits: the read's
    // buffer has room for every flag, so nothing is truncated.
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::HOP_LIMIT, true)
        .unwrap();
    c.backend().deliver(Datagram {
        control: [&HOPLIMIT_64[..], &TCLASS_B8].concat(),
        ..datagram(b"abc")
    });
    let mut buf = [0u8; 8];
    let (n, control, _) = c.read_from(&mut buf).unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        (control.hop_limit, control.traffic_class),
        (Some(64), Some(0xb8))
    );
}

/// Reads one datagram carrying `control` with every flag set.
fn read_with_control(control: Vec<u8>) -> Received {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::all(), true).unwrap();
    c.backend().deliver(Datagram {
        control,
        ..datagram(b"abc")
    });
    let mut buf = [0u8; 8];
    let received = c.read_msg(&mut [&mut buf]).unwrap();
    assert_eq!(&buf[..3], b"abc");
    received
}

#[test]
fn a_record_no_kernel_reports_is_skipped_and_counted() {
    let mut tclass_256 = TCLASS_B8;
    tclass_256[16..20].copy_from_slice(&256u32.to_le_bytes());
    let mut mtuinfo_af_inet = PATHMTU_1280_IF5;
    mtuinfo_af_inet[16] = 2; // sin6_family AF_INET
    let cases = [
        (tclass_256.to_vec(), WireError::ValueOutOfRange),
        (mtuinfo_af_inet.to_vec(), WireError::BadFamily(2)),
    ];
    for (bad, error) in cases {
        for control in [
            [&HOPLIMIT_64[..], &bad].concat(),
            [&bad[..], &HOPLIMIT_64].concat(),
        ] {
            assert_eq!(
                read_with_control(control),
                Received {
                    control: ControlMessage {
                        hop_limit: Some(64),
                        ..ControlMessage::default()
                    },
                    control_undecoded: 1,
                    control_error: Some(error),
                    ..plain(3)
                },
                "{error:?}"
            );
        }
    }
    // Both bad records: both counted, the first error kept.
    let received = read_with_control([&tclass_256[..], &HOPLIMIT_64, &mtuinfo_af_inet].concat());
    assert_eq!(received.control.hop_limit, Some(64));
    assert_eq!(received.control_undecoded, 2);
    assert_eq!(received.control_error, Some(WireError::ValueOutOfRange));
}

#[test]
fn a_framing_error_ends_the_walk_and_keeps_the_records_before_it() {
    let mut bad = HOPLIMIT_64;
    bad[0] = 8; // cmsg_len smaller than the 16-byte header
    let received = read_with_control([&TCLASS_B8[..], &bad, &HOPLIMIT_64].concat());
    assert_eq!(
        received,
        Received {
            control: ControlMessage {
                traffic_class: Some(0xb8),
                ..ControlMessage::default()
            },
            control_undecoded: 1,
            control_error: Some(WireError::CmsgLenTooSmall {
                offset: 24,
                cmsg_len: 8
            }),
            ..plain(3)
        }
    );
    // read_from returns the datagram too, with the records that decoded.
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::TRAFFIC_CLASS, true)
        .unwrap();
    c.backend().deliver(Datagram {
        control: [&TCLASS_B8[..], &bad].concat(),
        ..datagram(b"abc")
    });
    let mut buf = [0u8; 8];
    let (len, control, source) = c.read_from(&mut buf).unwrap();
    assert_eq!(
        (len, control.traffic_class, source),
        (3, Some(0xb8), Some(PEER))
    );
}

#[test]
fn write_to_without_control_sends_no_control_bytes() {
    let c = packet_conn(Fake::default());
    assert_eq!(c.write_to(b"ping", None, Some(&PEER)), Ok(4));
    assert_eq!(c.write_to(b"pong", None, None), Ok(4));
    assert_eq!(
        c.backend().calls(),
        [
            Call::SendMsg {
                payload: b"ping".to_vec(),
                control: vec![],
                destination: Some(PEER)
            },
            Call::SendMsg {
                payload: b"pong".to_vec(),
                control: vec![],
                destination: None
            },
        ]
    );
}

#[test]
fn write_to_marshals_control_in_linux_layout() {
    let control = ControlMessage {
        traffic_class: Some(0xb8),
        hop_limit: Some(64),
        src: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        if_index: 3,
        ..ControlMessage::default()
    };
    let c = packet_conn(Fake::with(Script {
        interfaces: Ok(vec![3]),
        ..Script::default()
    }));
    c.write_to(b"data", Some(&control), Some(&PEER)).unwrap();
    c.write_to(b"data", Some(&control), Some(&PEER)).unwrap();
    let expected = [&TCLASS_B8[..], &HOPLIMIT_64, &PKTINFO_DB8_1_IF3].concat();
    let send = Call::SendMsg {
        payload: b"data".to_vec(),
        control: expected,
        destination: Some(PEER),
    };
    // The interface is asked about once, then remembered.
    assert_eq!(
        c.backend().calls(),
        [Call::InterfaceExists(3), send.clone(), send]
    );
}

#[test]
fn a_high_interface_index_is_remembered_too() {
    // Containers number their links high: the last such index found is
    // remembered, so replies on it cost no lookup after the first.
    let c = packet_conn(Fake::with(Script {
        interfaces: Ok(vec![40, 41]),
        ..Script::default()
    }));
    let on = |if_index| ControlMessage {
        if_index,
        ..ControlMessage::default()
    };
    for if_index in [40, 40, 41, 41, 40] {
        c.write_to(b"x", Some(&on(if_index)), Some(&PEER)).unwrap();
    }
    let asked: Vec<Call> = c
        .backend()
        .calls()
        .into_iter()
        .filter(|call| matches!(call, Call::InterfaceExists(_)))
        .collect();
    assert_eq!(
        asked,
        [
            Call::InterfaceExists(40),
            Call::InterfaceExists(41),
            Call::InterfaceExists(40)
        ]
    );
}

#[test]
fn write_to_refuses_what_the_kernel_would_refuse() {
    let op = Operation::SendMsg;
    let c = packet_conn(Fake::default());
    let gone = ControlMessage {
        if_index: 7,
        ..ControlMessage::default()
    };
    assert_eq!(
        c.write_to(b"x", Some(&gone), Some(&PEER)),
        Err(Error::InvalidArgument(
            op,
            InvalidArgument::NoSuchInterface(7)
        ))
    );
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let from_group = ControlMessage {
        src: Some(group),
        ..ControlMessage::default()
    };
    assert_eq!(
        c.write_to(b"x", Some(&from_group), Some(&PEER)),
        Err(Error::InvalidArgument(
            op,
            InvalidArgument::BadSource(group)
        ))
    );
    // An index no interface has is asked about every time; nothing is sent.
    let _ = c.write_to(b"x", Some(&gone), Some(&PEER));
    assert_eq!(
        c.backend().calls(),
        [Call::InterfaceExists(7), Call::InterfaceExists(7)]
    );
    // The batch helper checks the same, naming the batch.
    let mut space = ipv6_core::ControlBuffer::new();
    assert_eq!(
        c.send_message(b"x", Some(&from_group), &mut space, Some(PEER))
            .map(drop),
        Err(Error::InvalidArgument(
            Operation::SendBatch,
            InvalidArgument::BadSource(group)
        ))
    );
}

#[test]
fn write_to_refuses_ipv4_mapped_control_addresses() {
    let mapped = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201);
    let cases = [
        ControlMessage {
            src: Some(mapped),
            ..ControlMessage::default()
        },
        ControlMessage {
            next_hop: Some(mapped),
            ..ControlMessage::default()
        },
    ];
    for control in cases {
        let c = packet_conn(Fake::default());
        let expected = Err(invalid(
            Operation::SendMsg,
            InvalidArgument::Ipv4Mapped(mapped),
        ));
        assert_eq!(c.write_to(b"x", Some(&control), Some(&PEER)), expected);
        assert_eq!(c.write_msg(&[b"x"], Some(&control), Some(&PEER)), expected);
        assert_eq!(c.backend().calls(), []);
    }
}

#[test]
fn write_to_an_ipv4_mapped_destination_is_allowed() {
    // A dual-stack socket reaches IPv4 peers this way.
    let c = packet_conn(Fake::default());
    let v4_peer = SocketAddrV6::new(
        Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201),
        53,
        0,
        0,
    );
    assert_eq!(c.write_to(b"q", None, Some(&v4_peer)), Ok(1));
}

#[test]
fn write_msg_gathers_and_limits_buffers() {
    let c = packet_conn(Fake::default());
    assert_eq!(c.write_msg(&[b"head", b"er", b"body"], None, None), Ok(10));
    let pieces = [&b"x"[..]; MAX_IOV + 1];
    assert_eq!(
        c.write_msg(&pieces, None, None),
        Err(invalid(
            Operation::SendMsg,
            InvalidArgument::TooManyBuffers {
                given: MAX_IOV + 1,
                max: MAX_IOV
            }
        ))
    );
    assert_eq!(c.write_msg(&pieces[..MAX_IOV], None, None), Ok(MAX_IOV));
    let payloads: Vec<_> = c
        .backend()
        .calls()
        .into_iter()
        .map(|call| match call {
            Call::SendMsg { payload, .. } => payload,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(payloads, [b"headerbody".to_vec(), vec![b'x'; MAX_IOV]]);
}
