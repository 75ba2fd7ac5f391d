use std::time::Duration;

use ipv6_core::backend::{BPF_MAX_INSTRUCTIONS, BpfInstruction};
use ipv6_core::{Conn, Error, IcmpFilter, IcmpType, InvalidArgument, Operation, PacketConn};
use proptest::prelude::*;

use crate::fake::{Call, Fake, Script};
use crate::{invalid, packet_conn};

fn conn(fake: Fake) -> Conn<Fake> {
    let conn = Conn::new(fake).unwrap();
    conn.backend().clear_calls();
    conn
}

/// Asserts `set(value)` either reaches the backend as `call(value)` (when
/// `value` is in -1..=255) or fails with `why(value)` before any call.
fn check_byte_setter(
    value: i32,
    calls_after: impl FnOnce(i32) -> (ipv6_core::Result<()>, Vec<Call>),
    op: Operation,
    why: fn(i32) -> InvalidArgument,
    call: fn(i32) -> Call,
) {
    let (result, calls) = calls_after(value);
    if (-1..=255).contains(&value) {
        assert_eq!(result, Ok(()));
        assert_eq!(calls, [call(value)]);
    } else {
        assert_eq!(result, Err(invalid(op, why(value))));
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
        Operation::SetHopLimit,
        InvalidArgument::HopLimit,
        Call::SetHopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_hop_limit(v), c.backend().calls())
        },
        Operation::SetHopLimit,
        InvalidArgument::HopLimit,
        Call::SetHopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_multicast_hop_limit(v), c.backend().calls())
        },
        Operation::SetMulticastHopLimit,
        InvalidArgument::HopLimit,
        Call::SetMulticastHopLimit,
    );
    check_byte_setter(
        value,
        |v| {
            let c = conn(Fake::default());
            (c.set_traffic_class(v), c.backend().calls())
        },
        Operation::SetTrafficClass,
        InvalidArgument::TrafficClass,
        Call::SetTrafficClass,
    );
    check_byte_setter(
        value,
        |v| {
            let c = packet_conn(Fake::default());
            (c.set_traffic_class(v), c.backend().calls())
        },
        Operation::SetTrafficClass,
        InvalidArgument::TrafficClass,
        Call::SetTrafficClass,
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
            None => prop_assert_eq!(c.backend().calls(), [Call::SetChecksum(-1)]),
            Some(o) if o % 2 == 0 && o <= i32::MAX as u32 => {
                prop_assert_eq!(result, Ok(()));
                prop_assert_eq!(c.backend().calls(), [Call::SetChecksum(o as i32)]);
            }
            Some(o) => {
                let why = InvalidArgument::ChecksumOffset(o as i32);
                prop_assert_eq!(result, Err(invalid(Operation::SetChecksum, why)));
                prop_assert_eq!(c.backend().calls(), []);
            }
        }
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
                Operation::SetChecksum,
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
            Call::SetChecksum(-1),
            Call::SetChecksum(0),
            Call::SetChecksum(2),
            Call::SetChecksum(i32::MAX - 1),
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
        assert_eq!(c.backend().calls(), [Call::Checksum]);
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
        [Call::TrafficClass, Call::HopLimit, Call::PathMtu]
    );
    let p = packet_conn(fake());
    assert_eq!(p.traffic_class(), Ok(17));
    assert_eq!(p.hop_limit(), Ok(17));
    assert_eq!(p.multicast_hop_limit(), Ok(17));
    assert_eq!(p.multicast_loopback(), Ok(true));
    assert_eq!(
        p.backend().calls(),
        [
            Call::TrafficClass,
            Call::HopLimit,
            Call::MulticastHopLimit,
            Call::MulticastLoopback
        ]
    );
}

#[test]
fn backend_errors_are_returned_unchanged() {
    let error = Error::Os {
        op: Operation::SetHopLimit,
        errno: 22,
    };
    let c = packet_conn(Fake::default());
    c.backend().fail(Operation::SetHopLimit, error);
    assert_eq!(c.set_hop_limit(64), Err(error));
    let unsupported = Error::Unsupported(Operation::PathMtu);
    let c = conn(Fake::default());
    c.backend().fail(Operation::PathMtu, unsupported);
    assert_eq!(c.path_mtu(), Err(unsupported));
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
    assert_eq!(c.backend().calls(), [Call::SetMulticastInterface(0)]);
}

#[test]
fn set_multicast_interface_checks_the_index_exists() {
    let c = packet_conn(Fake::default());
    c.set_multicast_interface(Some(2)).unwrap();
    assert_eq!(
        c.backend().calls(),
        [Call::InterfaceExists(2), Call::SetMulticastInterface(2)]
    );
}

#[test]
fn set_multicast_interface_refuses_zero_and_unknown_indexes() {
    const OP: Operation = Operation::SetMulticastInterface;
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
        [Call::InterfaceExists(9), Call::SetMulticastInterface(9)]
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
            Call::SetMulticastLoopback(false),
            Call::SetIcmpFilter(filter),
            Call::IcmpFilter
        ]
    );
}

#[test]
fn bpf_program_length_is_checked() {
    const OP: Operation = Operation::AttachBpf;
    let ret = BpfInstruction {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: 0xffff,
    };
    let too_long = vec![ret; BPF_MAX_INSTRUCTIONS + 1];
    let c = packet_conn(Fake::default());
    assert_eq!(
        c.set_bpf(&[]),
        Err(invalid(OP, InvalidArgument::BpfProgramLength(0)))
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
            Call::AttachBpf(vec![ret]),
            Call::AttachBpf(longest.to_vec())
        ]
    );
}

#[test]
fn zero_timeouts_are_refused() {
    let c = packet_conn(Fake::default());
    assert_eq!(
        c.set_read_timeout(Some(Duration::ZERO)),
        Err(invalid(
            Operation::SetReadTimeout,
            InvalidArgument::ZeroTimeout
        ))
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
    let tick = Duration::from_nanos(1);
    c.set_read_timeout(Some(tick)).unwrap();
    c.set_read_timeout(None).unwrap();
    c.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    c.set_write_timeout(None).unwrap();
    c.set_nonblocking(true).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::SetReadTimeout(Some(tick)),
            Call::SetReadTimeout(None),
            Call::SetWriteTimeout(Some(Duration::from_secs(3))),
            Call::SetWriteTimeout(None),
            Call::SetNonblocking(true),
        ]
    );
}

#[test]
fn unimplemented_backend_methods_report_their_operation() {
    struct Bare;
    impl ipv6_core::SocketBackend for Bare {
        const PLATFORM: ipv6_core::Platform = ipv6_core::Platform::LINUX_64;
    }
    let c = PacketConn::new(Bare).unwrap();
    assert_eq!(
        c.set_multicast_interface(Some(3)),
        Err(Error::Unsupported(Operation::SetMulticastInterface))
    );
    assert_eq!(
        c.set_nonblocking(true),
        Err(Error::Unsupported(Operation::SetNonblocking))
    );
}
