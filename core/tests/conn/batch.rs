use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::backend::{MsgFlags, RecvMessage, RecvMeta, SendMessage};
use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Error, InvalidArgument, Operation, Received,
    WireError,
};

use crate::fake::{Call, Datagram, EAGAIN, Fake, Script};
use crate::records::HOPLIMIT_64;
use crate::{invalid, packet_conn};

const PEER: SocketAddrV6 = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);

fn batch_fake() -> Fake {
    Fake::with(Script {
        batch: true,
        ..Script::default()
    })
}

fn datagram(payload: &[u8]) -> Datagram {
    Datagram {
        payload: payload.to_vec(),
        source: Some(PEER),
        ..Datagram::default()
    }
}

#[test]
fn read_batch_uses_the_batch_receive() {
    let c = packet_conn(batch_fake());
    c.backend().deliver(datagram(b"one"));
    c.backend().deliver(datagram(b"two"));
    let (mut a, mut b, mut d) = ([0u8; 8], [0u8; 8], [0u8; 8]);
    let mut messages = [
        RecvMessage::new(&mut a, &mut []),
        RecvMessage::new(&mut b, &mut []),
        RecvMessage::new(&mut d, &mut []),
    ];
    assert_eq!(c.read_batch(&mut messages), Ok(2));
    assert_eq!((messages[0].meta.len, messages[1].meta.len), (3, 3));
    assert_eq!(c.backend().calls(), [Call::RecvBatch(3)]);
}

#[test]
fn read_batch_without_batch_receive_reads_one_message() {
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"one"));
    c.backend().deliver(datagram(b"two"));
    let (mut a, mut b) = ([0u8; 8], [0u8; 2]);
    let mut messages = [
        RecvMessage::new(&mut a, &mut []),
        RecvMessage::new(&mut b, &mut []),
    ];
    assert_eq!(c.read_batch(&mut messages), Ok(1));
    assert_eq!(
        messages[0].meta,
        RecvMeta {
            len: 3,
            control_len: 0,
            source: Some(PEER),
            flags: MsgFlags::empty(),
        }
    );
    assert_eq!(messages[1].meta, RecvMeta::default());
    assert_eq!(&messages[0].buffer[..3], b"one");
    assert_eq!(
        c.backend().calls(),
        [
            Call::RecvBatch(2),
            Call::RecvMsg {
                buffer_lens: vec![8],
                control_len: 0
            }
        ]
    );
}

#[test]
fn read_batch_fallback_without_flags_passes_no_control_buffer() {
    // A caller may size control buffers generously; with no flags set the
    // fallback must not hand them on, or a backend that cannot receive
    // control data would refuse a plain read.
    let c = packet_conn(Fake::default());
    c.backend().deliver(datagram(b"one"));
    let (mut a, mut control) = ([0u8; 8], [0u8; 64]);
    let mut messages = [RecvMessage::new(&mut a, &mut control)];
    assert_eq!(c.read_batch(&mut messages), Ok(1));
    assert_eq!(
        c.backend().calls(),
        [
            Call::RecvBatch(1),
            Call::RecvMsg {
                buffer_lens: vec![8],
                control_len: 0
            }
        ]
    );
}

#[test]
fn read_batch_fallback_error_is_returned() {
    let c = packet_conn(Fake::default());
    let mut a = [0u8; 8];
    let mut messages = [RecvMessage::new(&mut a, &mut [])];
    assert_eq!(
        c.read_batch(&mut messages),
        Err(Error::Os {
            op: Operation::RecvMsg,
            errno: EAGAIN
        })
    );
}

#[test]
fn read_batch_other_errors_do_not_fall_back() {
    let c = packet_conn(batch_fake());
    let mut a = [0u8; 8];
    let mut messages = [RecvMessage::new(&mut a, &mut [])];
    let again = Error::Os {
        op: Operation::RecvMsg,
        errno: EAGAIN,
    };
    assert_eq!(c.read_batch(&mut messages), Err(again));
    assert_eq!(c.backend().calls(), [Call::RecvBatch(1)]);
}

#[test]
fn empty_batches_make_no_call() {
    let c = packet_conn(Fake::default());
    assert_eq!(c.read_batch(&mut []), Ok(0));
    assert_eq!(c.write_batch(&mut []), Ok(0));
    assert_eq!(c.backend().calls(), []);
}

#[test]
fn read_batch_leaves_control_bytes_and_flags_to_the_caller() {
    let c = packet_conn(batch_fake());
    c.set_control_message(ControlFlags::HOP_LIMIT, true)
        .unwrap();
    c.backend().clear_calls();
    let record = [9u8; 30]; // raw bytes: the batch path does not decode them
    c.backend().deliver(Datagram {
        control: record.to_vec(),
        ..datagram(b"x")
    });
    let (mut a, mut control) = ([0u8; 4], [0u8; 64]);
    let mut messages = [RecvMessage::new(&mut a, &mut control)];
    assert_eq!(c.read_batch(&mut messages), Ok(1));
    assert_eq!(messages[0].meta.control_len, 30);
    assert_eq!(&messages[0].control[..30], &record);
}

#[test]
fn read_batch_refuses_control_buffers_smaller_than_the_flags_need() {
    let c = packet_conn(batch_fake());
    c.set_control_message(ControlFlags::TRAFFIC_CLASS, true)
        .unwrap();
    c.backend().clear_calls();
    let needed = 24; // one IPV6_TCLASS record on 64-bit Linux
    let (mut a, mut b) = ([0u8; 4], [0u8; 4]);
    let (mut big, mut small) = ([0u8; 24], [0u8; 23]);
    let mut messages = [
        RecvMessage::new(&mut a, &mut big),
        RecvMessage::new(&mut b, &mut small),
    ];
    assert_eq!(
        c.read_batch(&mut messages),
        Err(invalid(
            Operation::RecvBatch,
            InvalidArgument::ControlBufferTooSmall {
                needed,
                available: 23
            }
        ))
    );
    assert_eq!(c.backend().calls(), []);
}

#[test]
fn write_batch_uses_the_batch_send() {
    let c = packet_conn(batch_fake());
    let mut messages = [
        SendMessage::new(b"a", &[], Some(PEER)),
        SendMessage::new(b"bc", &[], Some(PEER)),
    ];
    assert_eq!(c.write_batch(&mut messages), Ok(2));
    assert_eq!(
        c.backend().calls(),
        [Call::SendBatch(vec![b"a".to_vec(), b"bc".to_vec()])]
    );
}

#[test]
fn write_batch_without_batch_send_sends_one_by_one() {
    let c = packet_conn(Fake::default());
    let control = [1u8, 2, 3];
    let mut messages = [
        SendMessage::new(b"a", &control, Some(PEER)),
        SendMessage::new(b"bc", &[], None),
        SendMessage::new(b"def", &[], Some(PEER)),
    ];
    assert_eq!(c.write_batch(&mut messages), Ok(3));
    assert_eq!(
        messages.iter().map(|m| m.sent).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        c.backend().calls(),
        [
            Call::SendBatch(vec![b"a".to_vec(), b"bc".to_vec(), b"def".to_vec()]),
            Call::SendMsg {
                payload: b"a".to_vec(),
                control: control.to_vec(),
                destination: Some(PEER)
            },
            Call::SendMsg {
                payload: b"bc".to_vec(),
                control: vec![],
                destination: None
            },
            Call::SendMsg {
                payload: b"def".to_vec(),
                control: vec![],
                destination: Some(PEER)
            },
        ]
    );
}

#[test]
fn write_batch_fallback_stops_at_the_first_failure_after_a_success() {
    let error = Error::Os {
        op: Operation::SendMsg,
        errno: EAGAIN,
    };
    let c = packet_conn(Fake::default());
    c.backend().fail_from(Operation::SendMsg, 1, error);
    let mut messages = [
        SendMessage::new(b"a", &[], Some(PEER)),
        SendMessage::new(b"b", &[], Some(PEER)),
        SendMessage::new(b"c", &[], Some(PEER)),
    ];
    assert_eq!(c.write_batch(&mut messages), Ok(1));
    assert_eq!(
        messages.iter().map(|m| m.sent).collect::<Vec<_>>(),
        [1, 0, 0]
    );
    // SendBatch, then "a" sent, "b" failed, "c" never tried.
    assert_eq!(c.backend().calls().len(), 3);
}

#[test]
fn write_batch_fallback_returns_the_first_message_error() {
    let error = Error::Os {
        op: Operation::SendMsg,
        errno: 101,
    };
    let c = packet_conn(Fake::default());
    c.backend().fail(Operation::SendMsg, error);
    let mut messages = [
        SendMessage::new(b"a", &[], Some(PEER)),
        SendMessage::new(b"b", &[], Some(PEER)),
    ];
    assert_eq!(c.write_batch(&mut messages), Err(error));
    assert_eq!(c.backend().calls().len(), 2);
}

#[test]
fn write_batch_other_errors_do_not_fall_back() {
    let error = Error::Os {
        op: Operation::SendBatch,
        errno: 90,
    };
    let c = packet_conn(batch_fake());
    c.backend().fail(Operation::SendBatch, error);
    let mut messages = [SendMessage::new(b"a", &[], Some(PEER))];
    assert_eq!(c.write_batch(&mut messages), Err(error));
    assert_eq!(c.backend().calls().len(), 1);
}

#[test]
fn read_batch_clamps_a_count_beyond_the_messages() {
    // A faulty backend claiming more messages than it was given must not
    // make the caller index past the slice.
    let c = packet_conn(Fake::with(Script {
        batch: true,
        claimed_batch_count: Some(5),
        ..Script::default()
    }));
    c.backend().deliver(datagram(b"one"));
    c.backend().deliver(datagram(b"two"));
    let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
    let mut messages = [
        RecvMessage::new(&mut a, &mut []),
        RecvMessage::new(&mut b, &mut []),
    ];
    assert_eq!(c.read_batch(&mut messages), Ok(2));
    assert_eq!(
        c.read_batch(&mut messages[..1]),
        Err(Error::Os {
            op: Operation::RecvMsg,
            errno: EAGAIN
        })
    );
}

#[test]
fn write_batch_clamps_a_count_beyond_the_messages() {
    let c = packet_conn(Fake::with(Script {
        batch: true,
        claimed_batch_count: Some(9),
        ..Script::default()
    }));
    let mut messages = [
        SendMessage::new(b"a", &[], Some(PEER)),
        SendMessage::new(b"bc", &[], Some(PEER)),
    ];
    assert_eq!(c.write_batch(&mut messages), Ok(2));
    assert_eq!(c.write_batch(&mut messages[..1]), Ok(1));
}

#[test]
fn received_decodes_a_batch_message_as_read_msg_would() {
    let mut tclass_256 = HOPLIMIT_64;
    tclass_256[12] = 67; // IPV6_TCLASS
    tclass_256[16..20].copy_from_slice(&256u32.to_le_bytes());
    let mut cut = HOPLIMIT_64;
    cut[0] = 0xff; // cmsg_len past the end
    let deliveries = [
        datagram(b"plain"),
        Datagram {
            control: HOPLIMIT_64.to_vec(),
            ..datagram(b"hop limit")
        },
        Datagram {
            control: [&HOPLIMIT_64[..], &tclass_256, &cut].concat(),
            flags: MsgFlags::CONTROL_TRUNCATED,
            ..datagram(b"longer than the buffer")
        },
        Datagram {
            claimed_len: Some(1000),
            claimed_control_len: Some(1000),
            ..datagram(b"faulty")
        },
    ];
    for datagram in deliveries {
        let c = packet_conn(batch_fake());
        c.set_control_message(ControlFlags::HOP_LIMIT | ControlFlags::TRAFFIC_CLASS, true)
            .unwrap();
        c.backend().deliver(datagram.clone());
        c.backend().deliver(datagram);
        let mut buf = [0u8; 16];
        let mut control = ControlBuffer::new();
        // As much room as `read_msg` makes: every flag's record.
        let room = ControlFlags::all().space(&ipv6_core::Platform::LINUX_64);
        let mut messages = [RecvMessage::new(&mut buf, &mut control.0[..room])];
        assert_eq!(c.read_batch(&mut messages), Ok(1));
        let from_batch = c.received(&messages[0]);
        let mut buf = [0u8; 16];
        let from_read = c.read_msg(&mut [&mut buf]).unwrap();
        assert_eq!(from_batch, from_read);
        assert_eq!(from_batch.source, Some(PEER));
    }
    // What that decoding is, for the datagram with a bad and a cut record.
    let c = packet_conn(batch_fake());
    c.backend().deliver(Datagram {
        control: [&HOPLIMIT_64[..], &tclass_256, &cut].concat(),
        flags: MsgFlags::CONTROL_TRUNCATED,
        ..datagram(b"longer than the buffer")
    });
    let mut buf = [0u8; 16];
    let mut control = ControlBuffer::new();
    let mut messages = [RecvMessage::new(&mut buf, &mut control.0)];
    assert_eq!(c.read_batch(&mut messages), Ok(1));
    assert_eq!(
        c.received(&messages[0]),
        Received {
            len: 16,
            control: ControlMessage {
                hop_limit: Some(64),
                ..ControlMessage::default()
            },
            source: Some(PEER),
            truncated: true,
            control_truncated: true,
            control_undecoded: 2,
            control_error: Some(WireError::ValueOutOfRange),
        }
    );
}
