//! The forwarding impls of `SocketBackend` (`&T`, `&mut T`, and with `std`
//! `Box<T>` and `Arc<T>`): every method reaches the inner backend with its
//! arguments, and its result comes back unchanged.

use std::net::{Ipv6Addr, SocketAddrV6};
use std::time::Duration;

use ipv6_core::backend::{Direction, MsgFlags, RecvMessage, RecvMeta, SendMessage};
use ipv6_core::{
    Error, Group, IcmpFilter, IcmpType, Operation, OptionValue, Platform, Result, SocketBackend,
    SocketOption,
};

use crate::fake::{Call, Datagram, Fake, Log, Script, Value};

const PEER: SocketAddrV6 =
    SocketAddrV6::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 5), 7, 0, 0);
const GROUP: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x114);

/// A fake with answers no default would give: Darwin's platform, a batch
/// receive, a filter, a failing `set_nonblocking`, and three datagrams.
fn scripted() -> Fake {
    let fake = Fake::with(Script {
        platform: Platform::DARWIN,
        family: Ok(Platform::DARWIN.af_inet6),
        batch: true,
        int_reply: 17,
        filter_reply: filter(),
        ..Script::default()
    });
    fake.fail(Operation::SetNonblocking, nonblocking_error());
    for payload in [&b"single"[..], b"first", b"second"] {
        fake.deliver(Datagram {
            payload: payload.to_vec(),
            control: vec![0xab; 4],
            source: Some(PEER),
            flags: MsgFlags::CONTROL_TRUNCATED,
            ..Datagram::default()
        });
    }
    fake
}

fn nonblocking_error() -> Error {
    Error::Os {
        op: Operation::SetNonblocking,
        errno: 77,
    }
}

fn filter() -> IcmpFilter {
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REPLY);
    filter
}

/// What every method returned.
#[derive(Debug, PartialEq)]
struct Outcome {
    platform: Platform,
    family: Result<u16>,
    get_int: Result<OptionValue<'static>>,
    get_filter: Result<OptionValue<'static>>,
    get_unreadable: Result<OptionValue<'static>>,
    set_membership: Result<()>,
    set_wrong_kind: Result<()>,
    recv_msg: Result<RecvMeta>,
    received: Vec<u8>,
    recv_error: Result<RecvMeta>,
    send_msg: Result<usize>,
    recv_batch: Result<usize>,
    batch_metas: Vec<RecvMeta>,
    send_batch: Result<usize>,
    batch_sent: Vec<usize>,
    read_timeout: Result<()>,
    write_timeout: Result<()>,
    nonblocking: Result<()>,
    exists: Result<bool>,
    missing: Result<bool>,
}

/// Calls every trait method once (two for `set_timeout` and
/// `interface_exists`) through `backend`, whatever wraps the fake.
fn exercise<B: SocketBackend>(backend: B) -> Outcome {
    let platform = *backend.platform();
    let family = backend.socket_family();
    let get_int = backend.get(SocketOption::HopLimit);
    let get_filter = backend.get(SocketOption::IcmpFilter);
    let get_unreadable = backend.get(SocketOption::JoinGroup);
    let group = Group {
        interface: 3,
        group: GROUP,
    };
    let set_membership = backend.set(SocketOption::JoinGroup, OptionValue::Membership(group));
    let set_wrong_kind = backend.set(SocketOption::HopLimit, OptionValue::Bool(true));
    let (mut head, mut tail) = ([0u8; 3], [0u8; 8]);
    let mut control = [0u8; 16];
    let recv_msg = backend.recv_msg(&mut [&mut head, &mut tail], &mut control);
    let received = [&head[..], &tail[..3], &control[..4]].concat();
    let recv_error = backend.recv_error(&mut [&mut head], &mut control);
    let send_msg = backend.send_msg(&[b"he", b"llo"], &[1, 2, 3], Some(&PEER));
    let (mut a, mut b, mut c) = ([0u8; 8], [0u8; 8], [0u8; 8]);
    let (mut ca, mut cb) = ([0u8; 8], [0u8; 8]);
    let mut messages = [
        RecvMessage::new(&mut a, &mut ca),
        RecvMessage::new(&mut b, &mut cb),
        RecvMessage::new(&mut c, &mut []),
    ];
    let recv_batch = backend.recv_batch(&mut messages);
    let batch_metas = messages.iter().map(|m| m.meta).collect();
    let mut outgoing = [
        SendMessage::new(b"x", &[], Some(PEER)),
        SendMessage::new(b"yz", &[9], None),
    ];
    let send_batch = backend.send_batch(&mut outgoing);
    let batch_sent = outgoing.iter().map(|m| m.sent).collect();
    Outcome {
        platform,
        family,
        get_int,
        get_filter,
        get_unreadable,
        set_membership,
        set_wrong_kind,
        recv_msg,
        received,
        recv_error,
        send_msg,
        recv_batch,
        batch_metas,
        send_batch,
        batch_sent,
        read_timeout: backend.set_timeout(Direction::Read, Some(Duration::from_micros(1500))),
        write_timeout: backend.set_timeout(Direction::Write, None),
        nonblocking: backend.set_nonblocking(true),
        exists: backend.interface_exists(2),
        missing: backend.interface_exists(9),
    }
}

/// What `exercise` must see from `scripted()`, whatever the wrapper.
fn expected_outcome() -> Outcome {
    let meta = |len| RecvMeta {
        len,
        control_len: 4,
        source: Some(PEER),
        flags: MsgFlags::empty(),
    };
    Outcome {
        platform: Platform::DARWIN,
        family: Ok(30),
        get_int: Ok(OptionValue::Int(17)),
        get_filter: Ok(OptionValue::Filter(filter())),
        get_unreadable: Err(Error::InvalidArgument(
            Operation::Get(SocketOption::JoinGroup),
            ipv6_core::InvalidArgument::NotReadable(SocketOption::JoinGroup),
        )),
        set_membership: Ok(()),
        set_wrong_kind: Err(Error::InvalidArgument(
            Operation::Set(SocketOption::HopLimit),
            ipv6_core::InvalidArgument::ValueKind {
                expected: ipv6_core::option::ValueKind::Int,
                given: ipv6_core::option::ValueKind::Bool,
            },
        )),
        recv_msg: Ok(RecvMeta {
            flags: MsgFlags::CONTROL_TRUNCATED,
            ..meta(6)
        }),
        received: b"single\xab\xab\xab\xab".to_vec(),
        // Darwin has no error queue.
        recv_error: Err(Error::Unsupported(Operation::RecvError)),
        send_msg: Ok(5),
        // Two datagrams were left: the third message stays untouched.
        recv_batch: Ok(2),
        batch_metas: vec![
            RecvMeta {
                flags: MsgFlags::CONTROL_TRUNCATED,
                ..meta(5)
            },
            RecvMeta {
                flags: MsgFlags::CONTROL_TRUNCATED,
                ..meta(6)
            },
            RecvMeta::default(),
        ],
        send_batch: Ok(2),
        batch_sent: vec![1, 2],
        read_timeout: Ok(()),
        write_timeout: Ok(()),
        nonblocking: Err(nonblocking_error()),
        exists: Ok(true),
        missing: Ok(false),
    }
}

/// The calls `exercise` must leave in the fake's log, with their arguments.
fn expected_calls() -> Vec<Call> {
    vec![
        Call::SocketFamily,
        Call::Get(SocketOption::HopLimit),
        Call::Get(SocketOption::IcmpFilter),
        Call::Get(SocketOption::JoinGroup),
        Call::Set(
            SocketOption::JoinGroup,
            Value::Membership(Group {
                interface: 3,
                group: GROUP,
            }),
        ),
        Call::Set(SocketOption::HopLimit, Value::Bool(true)),
        Call::RecvMsg {
            buffer_lens: vec![3, 8],
            control_len: 16,
        },
        Call::RecvError {
            buffer_lens: vec![3],
            control_len: 16,
        },
        Call::SendMsg {
            payload: b"hello".to_vec(),
            control: vec![1, 2, 3],
            destination: Some(PEER),
        },
        Call::RecvBatch(3),
        Call::SendBatch(vec![b"x".to_vec(), b"yz".to_vec()]),
        Call::SetTimeout(Direction::Read, Some(Duration::from_micros(1500))),
        Call::SetTimeout(Direction::Write, None),
        Call::SetNonblocking(true),
        Call::InterfaceExists(2),
        Call::InterfaceExists(9),
    ]
}

fn check(wrapper: &str, outcome: Outcome, log: &Log) {
    assert_eq!(outcome, expected_outcome(), "{wrapper}");
    assert_eq!(log.calls(), expected_calls(), "{wrapper}");
    assert_eq!(log.platform_calls(), 1, "{wrapper}");
}

#[test]
fn the_fake_itself_answers_as_expected() {
    let fake = scripted();
    let log = fake.log();
    check("Fake", exercise(fake), &log);
}

#[test]
fn shared_references_forward_every_method() {
    let fake = scripted();
    check("&Fake", exercise(&fake), &fake.log());
    let fake = scripted();
    check("&dyn", exercise::<&dyn SocketBackend>(&fake), &fake.log());
    let fake = scripted();
    check("&&Fake", exercise::<&&Fake>(&&fake), &fake.log());
}

#[test]
fn mutable_references_forward_every_method() {
    let mut fake = scripted();
    let outcome = exercise(&mut fake);
    check("&mut Fake", outcome, &fake.log());
    let mut fake = scripted();
    let outcome = exercise::<&mut dyn SocketBackend>(&mut fake);
    check("&mut dyn", outcome, &fake.log());
}

#[cfg(feature = "std")]
mod owning {
    use std::boxed::Box;
    use std::sync::Arc;

    use ipv6_core::{ControlMessage, PacketConn, SocketBackend, SocketOption};

    use super::{GROUP, PEER, check, exercise, scripted};
    use crate::fake::{Call, Datagram, Fake, Log, membership};

    #[test]
    fn boxes_forward_every_method() {
        let fake = scripted();
        let log = fake.log();
        check("Box<Fake>", exercise(Box::new(fake)), &log);
        let fake = scripted();
        let log = fake.log();
        let backend: Box<dyn SocketBackend> = Box::new(fake);
        check("Box<dyn>", exercise(backend), &log);
        let fake = scripted();
        let log = fake.log();
        check(
            "&Box<dyn>",
            exercise(&(Box::new(fake) as Box<dyn SocketBackend>)),
            &log,
        );
    }

    #[test]
    fn arcs_forward_every_method() {
        let fake = Arc::new(scripted());
        check("Arc<Fake>", exercise(Arc::clone(&fake)), &fake.log());
        let fake = Arc::new(scripted());
        let backend: Arc<dyn SocketBackend + Send + Sync> = fake.clone();
        check("Arc<dyn>", exercise(backend), &fake.log());
        // Wrappers nest: a box of an Arc still reaches the fake.
        let fake = Arc::new(scripted());
        let backend: Box<dyn SocketBackend> = Box::new(Arc::clone(&fake));
        check("Box<Arc<Fake>>", exercise(backend), &fake.log());
    }

    /// A backend chosen at run time, as a program picking libc or rustix
    /// would; `log` watches the fake inside.
    fn choose(log: &mut Option<Log>) -> Box<dyn SocketBackend + Send + Sync> {
        let fake = Fake::default();
        fake.deliver(Datagram {
            payload: b"pong".to_vec(),
            source: Some(PEER),
            ..Datagram::default()
        });
        *log = Some(fake.log());
        Box::new(fake)
    }

    #[test]
    fn packet_conn_over_a_boxed_dyn_backend() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        let mut log = None;
        let conn: PacketConn<Box<dyn SocketBackend + Send + Sync>> =
            PacketConn::new(choose(&mut log)).unwrap();
        send_sync(&conn);
        conn.join_group(Some(2), GROUP).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(
            conn.read_from(&mut buf),
            Ok((4, ControlMessage::default(), Some(PEER)))
        );
        assert_eq!(&buf[..4], b"pong");
        assert_eq!(
            log.unwrap().calls(),
            [
                Call::SocketFamily,
                Call::InterfaceExists(2),
                Call::Set(SocketOption::JoinGroup, membership(2, GROUP)),
                Call::RecvMsg {
                    buffer_lens: vec![8],
                    control_len: 0
                },
            ]
        );
    }
}
