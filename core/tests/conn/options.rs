use std::net::SocketAddrV6;
use std::time::Duration;

use ipv6_core::backend::{
    BPF_MAX_INSTRUCTIONS, BpfInstruction, Direction, RecvMessage, RecvMeta, SendMessage,
};
use ipv6_core::option::ValueKind;
use ipv6_core::{
    Conn, Error, IcmpFilter, IcmpType, InvalidArgument, Operation, OptionValue, PacketConn,
    Platform, SocketBackend, SocketOption,
};
use proptest::prelude::*;

use crate::fake::{Call, Fake, Script, Value};
use crate::{invalid, packet_conn};

fn conn(fake: Fake) -> Conn<Fake> {
    let conn = Conn::new(fake).unwrap();
    conn.backend().clear_calls();
    conn
}

fn set_int(option: SocketOption, value: i32) -> Call {
    Call::Set(option, Value::Int(value))
}

/// Asserts `set(value)` either reaches the backend as an `Int` set of
/// `option` (when `value` is in -1..=255) or fails with `why(value)` before
/// any call.
fn check_byte_setter(
    value: i32,
    calls_after: impl FnOnce(i32) -> (ipv6_core::Result<()>, Vec<Call>),
    option: SocketOption,
    why: fn(i32) -> InvalidArgument,
) {
    let (result, calls) = calls_after(value);
    if (-1..=255).contains(&value) {
        assert_eq!(result, Ok(()));
        assert_eq!(calls, [set_int(option, value)]);
    } else {
        assert_eq!(result, Err(invalid(Operation::Set(option), why(value))));
        assert_eq!(calls, []);
    }
}

const EDGES: [i32; 8] = [i32::MIN, -2, -1, 0, 1, 255, 256, i32::MAX];

fn check_all_byte_setters(value: i32) {
    check_byte_setter(
        value,
        |v| {
            let c = conn(Fake::default());
            (c.set_hop_limit(v), c.backend().calls())
        },
        SocketOption::HopLimit,
        InvalidArgument::HopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_hop_limit(v), c.backend().calls())
        },
        SocketOption::HopLimit,
        InvalidArgument::HopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_multicast_hop_limit(v), c.backend().calls())
        },
        SocketOption::MulticastHopLimit,
        InvalidArgument::HopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = conn(Fake::default());
            (c.set_traffic_class(v), c.backend().calls())
        },
        SocketOption::TrafficClass,
        InvalidArgument::TrafficClass,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_traffic_class(v), c.backend().calls())
        },
        SocketOption::TrafficClass,
        InvalidArgument::TrafficClass,
    );
}

#[test]
fn hop_limit_and_traffic_class_edges() {
    for value in EDGES {
        check_all_byte_setters(value);
    }
}

proptest! {
    #[test]
    fn hop_limit_and_traffic_class_any_value(value in any::<i32>()) {
        check_all_byte_setters(value);
    }

    #[test]
    fn checksum_offset_any_value(offset in proptest::option::of(any::<u32>())) {
        let c = packet_conn(Fake::default());
        let result = c.set_checksum(offset);
        match offset {
            None => prop_assert_eq!(c.backend().calls(), [set_int(SocketOption::Checksum, -1)]),
            Some(o) if o % 2 == 0 && o <= i32::MAX as u32 => {
                prop_assert_eq!(result, Ok(()));
                prop_assert_eq!(c.backend().calls(), [set_int(SocketOption::Checksum, o as i32)]);
            }
            Some(o) => {
                let why = InvalidArgument::ChecksumOffset(o as i32);
                let op = Operation::Set(SocketOption::Checksum);
                prop_assert_eq!(result, Err(invalid(op, why)));
                prop_assert_eq!(c.backend().calls(), []);
            }
        }
    }

    /// Any non-zero timeout reaches the backend rounded up to a whole
    /// microsecond, never below the one asked for and never zero.
    #[test]
    fn timeouts_reach_the_backend_in_whole_microseconds(nanos in 1..u64::MAX) {
        let c = packet_conn(Fake::default());
        let asked = Duration::from_nanos(nanos);
        c.set_read_timeout(Some(asked)).unwrap();
        c.set_write_timeout(Some(asked)).unwrap();
        let sent = match c.backend().calls()[..] {
            [
                Call::SetTimeout(Direction::Read, Some(read)),
                Call::SetTimeout(Direction::Write, Some(write)),
            ] if read == write => read,
            ref other => panic!("{other:?}"),
        };
        prop_assert_eq!(sent.subsec_nanos() % 1000, 0);
        prop_assert!(sent >= asked);
        prop_assert!(sent - asked < Duration::from_micros(1));
    }
}

#[test]
fn checksum_offsets_that_cannot_be_a_c_int_or_are_odd_are_refused() {
    let cases = [
        (3, 3),
        (1 << 31, i32::MIN), // even, but above i32::MAX: shown as the kernel's int would read it
        (u32::MAX, -1),
    ];
    for (offset, shown) in cases {
        let c = packet_conn(Fake::default());
        assert_eq!(
            c.set_checksum(Some(offset)),
            Err(invalid(
                Operation::Set(SocketOption::Checksum),
                InvalidArgument::ChecksumOffset(shown)
            ))
        );
        assert_eq!(c.backend().calls(), []);
    }
}

#[test]
fn checksum_none_is_minus_one_and_offsets_pass_unchanged() {
    let c = packet_conn(Fake::default());
    c.set_checksum(None).unwrap();
    c.set_checksum(Some(0)).unwrap();
    c.set_checksum(Some(2)).unwrap();
    c.set_checksum(Some(i32::MAX as u32 - 1)).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            set_int(SocketOption::Checksum, -1),
            set_int(SocketOption::Checksum, 0),
            set_int(SocketOption::Checksum, 2),
            set_int(SocketOption::Checksum, i32::MAX - 1),
        ]
    );
}

#[test]
fn checksum_getter_maps_negative_to_off() {
    for (kernel, expected) in [(-1, None), (i32::MIN, None), (0, Some(0)), (6, Some(6))] {
        let c = packet_conn(Fake::with(Script {
            int_reply: kernel,
            ..Script::default()
        }));
        assert_eq!(c.checksum(), Ok(expected), "kernel said {kernel}");
        assert_eq!(c.backend().calls(), [Call::Get(SocketOption::Checksum)]);
    }
}

#[test]
fn getters_return_the_backend_answer() {
    let fake = || {
        Fake::with(Script {
            int_reply: 17,
            u32_reply: 1280,
            bool_reply: true,
            ..Script::default()
        })
    };
    let c = conn(fake());
    assert_eq!(c.traffic_class(), Ok(17));
    assert_eq!(c.hop_limit(), Ok(17));
    assert_eq!(c.path_mtu(), Ok(1280));
    assert_eq!(
        c.backend().calls(),
        [
            Call::Get(SocketOption::TrafficClass),
            Call::Get(SocketOption::HopLimit),
            Call::Get(SocketOption::PathMtu)
        ]
    );
    let p = packet_conn(fake());
    assert_eq!(p.traffic_class(), Ok(17));
    assert_eq!(p.hop_limit(), Ok(17));
    assert_eq!(p.multicast_hop_limit(), Ok(17));
    assert_eq!(p.multicast_loopback(), Ok(true));
    assert_eq!(p.multicast_interface(), Ok(Some(1280)));
    assert_eq!(
        p.backend().calls(),
        [
            Call::Get(SocketOption::TrafficClass),
            Call::Get(SocketOption::HopLimit),
            Call::Get(SocketOption::MulticastHopLimit),
            Call::Get(SocketOption::MulticastLoopback),
            Call::Get(SocketOption::MulticastInterface),
        ]
    );
}

#[test]
fn a_getter_answered_with_the_wrong_kind_fails_with_value_kind() {
    let answering = |value| {
        packet_conn(Fake::with(Script {
            get_reply: Some(value),
            ..Script::default()
        }))
    };
    fn wrong<T>(option: SocketOption, given: ValueKind) -> ipv6_core::Result<T> {
        Err(invalid(
            Operation::Get(option),
            InvalidArgument::ValueKind {
                expected: option.kind(),
                given,
            },
        ))
    }
    let c = answering(OptionValue::Bool(true));
    assert_eq!(
        c.hop_limit(),
        wrong(SocketOption::HopLimit, ValueKind::Bool)
    );
    assert_eq!(
        c.traffic_class(),
        wrong(SocketOption::TrafficClass, ValueKind::Bool)
    );
    assert_eq!(
        c.multicast_hop_limit(),
        wrong(SocketOption::MulticastHopLimit, ValueKind::Bool)
    );
    assert_eq!(c.checksum(), wrong(SocketOption::Checksum, ValueKind::Bool));
    assert_eq!(
        c.multicast_interface(),
        wrong(SocketOption::MulticastInterface, ValueKind::Bool)
    );
    assert_eq!(
        c.icmp_filter(),
        wrong(SocketOption::IcmpFilter, ValueKind::Bool)
    );
    let c = answering(OptionValue::Int(1));
    assert_eq!(
        c.multicast_loopback(),
        wrong(SocketOption::MulticastLoopback, ValueKind::Int)
    );
    // An MTU is not an interface index, nor the reverse, though both are u32.
    assert_eq!(
        c.multicast_interface(),
        wrong(SocketOption::MulticastInterface, ValueKind::Int)
    );
    let c = answering(OptionValue::Mtu(1280));
    assert_eq!(
        c.multicast_interface(),
        wrong(SocketOption::MulticastInterface, ValueKind::Mtu)
    );
    let c = Conn::new(Fake::with(Script {
        get_reply: Some(OptionValue::Interface(1280)),
        ..Script::default()
    }))
    .unwrap();
    assert_eq!(
        c.path_mtu(),
        wrong(SocketOption::PathMtu, ValueKind::Interface)
    );
    assert_eq!(
        c.hop_limit().unwrap_err().to_string(),
        "hop_limit (IPV6_UNICAST_HOPS): an interface index given where the option takes an int"
    );
}

#[test]
fn backend_errors_are_returned_unchanged() {
    let op = Operation::Set(SocketOption::HopLimit);
    let error = Error::Os { op, errno: 22 };
    let c = packet_conn(Fake::default());
    c.backend().fail(op, error);
    assert_eq!(c.set_hop_limit(64), Err(error));
    let op = Operation::Get(SocketOption::PathMtu);
    let unsupported = Error::Unsupported(op);
    let c = conn(Fake::default());
    c.backend().fail(op, unsupported);
    assert_eq!(c.path_mtu(), Err(unsupported));
    assert_eq!(
        unsupported.to_string(),
        "path_mtu (IPV6_PATHMTU): not supported by this backend or OS"
    );
}

#[test]
fn multicast_interface_zero_means_none() {
    for (kernel, expected) in [(0, None), (1, Some(1)), (u32::MAX, Some(u32::MAX))] {
        let c = packet_conn(Fake::with(Script {
            u32_reply: kernel,
            ..Script::default()
        }));
        assert_eq!(c.multicast_interface(), Ok(expected));
    }
}

#[test]
fn set_multicast_interface_none_is_index_zero_without_lookup() {
    let c = packet_conn(Fake::default());
    c.set_multicast_interface(None).unwrap();
    assert_eq!(
        c.backend().calls(),
        [Call::Set(
            SocketOption::MulticastInterface,
            Value::Interface(0)
        )]
    );
}

#[test]
fn set_multicast_interface_checks_the_index_exists() {
    let c = packet_conn(Fake::default());
    c.set_multicast_interface(Some(2)).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::InterfaceExists(2),
            Call::Set(SocketOption::MulticastInterface, Value::Interface(2))
        ]
    );
}

#[test]
fn set_multicast_interface_refuses_zero_and_unknown_indexes() {
    const OP: Operation = Operation::Set(SocketOption::MulticastInterface);
    let c = packet_conn(Fake::default());
    assert_eq!(
        c.set_multicast_interface(Some(0)),
        Err(invalid(OP, InvalidArgument::InterfaceIndexZero))
    );
    assert_eq!(c.backend().calls(), []);
    assert_eq!(
        c.set_multicast_interface(Some(9)),
        Err(invalid(OP, InvalidArgument::NoSuchInterface(9)))
    );
    assert_eq!(c.backend().calls(), [Call::InterfaceExists(9)]);
}

#[test]
fn interface_lookup_unsupported_leaves_the_check_to_the_kernel() {
    let c = packet_conn(Fake::with(Script {
        interfaces: Err(Error::Unsupported(Operation::InterfaceExists)),
        ..Script::default()
    }));
    c.set_multicast_interface(Some(9)).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::InterfaceExists(9),
            Call::Set(SocketOption::MulticastInterface, Value::Interface(9))
        ]
    );
}

#[test]
fn interface_lookup_failure_is_returned() {
    let error = Error::Os {
        op: Operation::InterfaceExists,
        errno: 12,
    };
    let c = packet_conn(Fake::with(Script {
        interfaces: Err(error),
        ..Script::default()
    }));
    assert_eq!(c.set_multicast_interface(Some(1)), Err(error));
    assert_eq!(c.backend().calls(), [Call::InterfaceExists(1)]);
}

#[test]
fn loopback_and_icmp_filter_pass_through() {
    let mut filter = IcmpFilter::BLOCK_ALL;
    filter.accept(IcmpType::ECHO_REPLY);
    let c = packet_conn(Fake::with(Script {
        filter_reply: filter,
        ..Script::default()
    }));
    c.set_multicast_loopback(false).unwrap();
    c.set_icmp_filter(&filter).unwrap();
    assert_eq!(c.icmp_filter(), Ok(filter));
    assert_eq!(
        c.backend().calls(),
        [
            Call::Set(SocketOption::MulticastLoopback, Value::Bool(false)),
            Call::Set(SocketOption::IcmpFilter, Value::Filter(filter)),
            Call::Get(SocketOption::IcmpFilter)
        ]
    );
}

#[test]
fn bpf_program_length_is_checked() {
    const OP: Operation = Operation::Set(SocketOption::AttachFilter);
    let ret = BpfInstruction {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: 0xffff,
    };
    let too_long = vec![ret; BPF_MAX_INSTRUCTIONS + 1];
    let c = packet_conn(Fake::default());
    let empty = c.set_bpf(&[]);
    assert_eq!(
        empty,
        Err(invalid(OP, InvalidArgument::BpfProgramLength(0)))
    );
    assert_eq!(
        empty.unwrap_err().to_string(),
        "set_bpf (SO_ATTACH_FILTER): BPF program of 0 instructions (must be 1..=4096)"
    );
    assert_eq!(
        c.set_bpf(&too_long),
        Err(invalid(
            OP,
            InvalidArgument::BpfProgramLength(BPF_MAX_INSTRUCTIONS + 1)
        ))
    );
    assert_eq!(c.backend().calls(), []);

    let longest = &too_long[..BPF_MAX_INSTRUCTIONS];
    c.set_bpf(&[ret]).unwrap();
    c.set_bpf(longest).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::Set(SocketOption::AttachFilter, Value::Program(vec![ret])),
            Call::Set(SocketOption::AttachFilter, Value::Program(longest.to_vec()))
        ]
    );
}

#[test]
fn zero_timeouts_are_refused() {
    let c = packet_conn(Fake::default());
    let read = c.set_read_timeout(Some(Duration::ZERO));
    assert_eq!(
        read,
        Err(invalid(
            Operation::SetReadTimeout,
            InvalidArgument::ZeroTimeout
        ))
    );
    assert!(
        read.unwrap_err()
            .to_string()
            .starts_with("set_read_timeout: ")
    );
    assert_eq!(
        c.set_write_timeout(Some(Duration::ZERO)),
        Err(invalid(
            Operation::SetWriteTimeout,
            InvalidArgument::ZeroTimeout
        ))
    );
    assert_eq!(c.backend().calls(), []);
}

#[test]
fn timeouts_and_nonblocking_are_delegated() {
    let c = packet_conn(Fake::default());
    c.set_read_timeout(Some(Duration::from_nanos(1))).unwrap();
    c.set_read_timeout(None).unwrap();
    c.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    c.set_write_timeout(Some(Duration::from_nanos(1_500)))
        .unwrap();
    c.set_write_timeout(None).unwrap();
    c.set_nonblocking(true).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            // A nanosecond is not "no timeout": it rounds up to the
            // microsecond the kernel counts in.
            Call::SetTimeout(Direction::Read, Some(Duration::from_micros(1))),
            Call::SetTimeout(Direction::Read, None),
            Call::SetTimeout(Direction::Write, Some(Duration::from_secs(3))),
            Call::SetTimeout(Direction::Write, Some(Duration::from_micros(2))),
            Call::SetTimeout(Direction::Write, None),
            Call::SetNonblocking(true),
        ]
    );
}

#[test]
fn timeout_failures_name_their_direction() {
    let c = packet_conn(Fake::default());
    let error = Error::Os {
        op: Operation::SetWriteTimeout,
        errno: 22,
    };
    c.backend().fail(Operation::SetWriteTimeout, error);
    assert_eq!(c.set_read_timeout(Some(Duration::from_secs(1))), Ok(()));
    assert_eq!(
        c.set_write_timeout(Some(Duration::from_secs(1))),
        Err(error)
    );
}

/// A backend that can do nothing, saying so for every method, as a backend
/// must now that the trait has no default bodies.
struct Bare;

impl SocketBackend for Bare {
    fn platform(&self) -> &Platform {
        &Platform::LINUX_64
    }
    fn socket_family(&self) -> ipv6_core::Result<u16> {
        Err(Error::Unsupported(Operation::SocketFamily))
    }
    fn get(&self, option: SocketOption) -> ipv6_core::Result<OptionValue<'static>> {
        Err(Error::Unsupported(Operation::Get(option)))
    }
    fn set(&self, option: SocketOption, _: OptionValue<'_>) -> ipv6_core::Result<()> {
        Err(Error::Unsupported(Operation::Set(option)))
    }
    fn recv_msg(&self, _: &mut [&mut [u8]], _: &mut [u8]) -> ipv6_core::Result<RecvMeta> {
        Err(Error::Unsupported(Operation::RecvMsg))
    }
    fn recv_error(&self, _: &mut [&mut [u8]], _: &mut [u8]) -> ipv6_core::Result<RecvMeta> {
        Err(Error::Unsupported(Operation::RecvError))
    }
    fn send_msg(
        &self,
        _: &[&[u8]],
        _: &[u8],
        _: Option<&SocketAddrV6>,
    ) -> ipv6_core::Result<usize> {
        Err(Error::Unsupported(Operation::SendMsg))
    }
    fn recv_batch(&self, _: &mut [RecvMessage<'_>]) -> ipv6_core::Result<usize> {
        Err(Error::Unsupported(Operation::RecvBatch))
    }
    fn send_batch(&self, _: &mut [SendMessage<'_>]) -> ipv6_core::Result<usize> {
        Err(Error::Unsupported(Operation::SendBatch))
    }
    fn set_timeout(&self, direction: Direction, _: Option<Duration>) -> ipv6_core::Result<()> {
        Err(Error::Unsupported(match direction {
            Direction::Read => Operation::SetReadTimeout,
            Direction::Write => Operation::SetWriteTimeout,
        }))
    }
    fn set_nonblocking(&self, _: bool) -> ipv6_core::Result<()> {
        Err(Error::Unsupported(Operation::SetNonblocking))
    }
    fn interface_exists(&self, _: u32) -> ipv6_core::Result<bool> {
        Err(Error::Unsupported(Operation::InterfaceExists))
    }
}

#[test]
fn unsupported_backend_methods_report_their_operation() {
    let c = PacketConn::new(Bare).unwrap();
    assert_eq!(
        c.set_multicast_interface(Some(3)),
        Err(Error::Unsupported(Operation::Set(
            SocketOption::MulticastInterface
        )))
    );
    assert_eq!(
        c.hop_limit(),
        Err(Error::Unsupported(Operation::Get(SocketOption::HopLimit)))
    );
    assert_eq!(
        c.set_nonblocking(true),
        Err(Error::Unsupported(Operation::SetNonblocking))
    );
    assert_eq!(
        c.set_read_timeout(Some(Duration::from_secs(1))),
        Err(Error::Unsupported(Operation::SetReadTimeout))
    );
    // Without batch calls the batch methods fall back to single ones, and
    // report those.
    let mut buf = [0u8; 4];
    assert_eq!(
        c.read_batch(&mut [RecvMessage::new(&mut buf, &mut [])]),
        Err(Error::Unsupported(Operation::RecvMsg))
    );
    assert_eq!(
        c.write_batch(&mut [SendMessage::new(b"x", &[], None)]),
        Err(Error::Unsupported(Operation::SendMsg))
    );
    assert!(
        Conn::new(Bare)
            .unwrap()
            .path_mtu()
            .unwrap_err()
            .is_unsupported()
    );
}
