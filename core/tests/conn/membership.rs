use std::net::Ipv6Addr;

use ipv6_core::{InvalidArgument, Operation, PacketConn, Result};

use crate::fake::{Call, Fake};
use crate::{invalid, packet_conn};

const GROUP: Ipv6Addr = Ipv6Addr::new(0xff12, 0, 0, 0, 0, 0, 0, 0x114);
const SOURCE: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const UNICAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
const MAPPED_GROUP: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xe000, 0x0001); // ::ffff:224.0.0.1
const MAPPED_SOURCE: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201); // ::ffff:192.0.2.1

type AnySource = fn(&PacketConn<Fake>, Option<u32>, Ipv6Addr) -> Result<()>;
type AnySourceCall = fn(u32, Ipv6Addr) -> Call;
type SourceSpecific = fn(&PacketConn<Fake>, Option<u32>, Ipv6Addr, Ipv6Addr) -> Result<()>;
type SourceSpecificCall = fn(u32, Ipv6Addr, Ipv6Addr) -> Call;

/// Each any-source method, the operation it stands for, and the call it makes.
const ANY_SOURCE: [(AnySource, Operation, AnySourceCall); 2] = [
    (
        PacketConn::join_group,
        Operation::JoinGroup,
        Call::JoinGroup,
    ),
    (
        PacketConn::leave_group,
        Operation::LeaveGroup,
        Call::LeaveGroup,
    ),
];

/// Each source-specific method (Go's name in the comment), its operation and call.
const SOURCE_SPECIFIC: [(SourceSpecific, Operation, SourceSpecificCall); 4] = [
    // JoinSourceSpecificGroup
    (
        PacketConn::join_source_specific_group,
        Operation::JoinSourceGroup,
        Call::JoinSourceGroup,
    ),
    // LeaveSourceSpecificGroup
    (
        PacketConn::leave_source_specific_group,
        Operation::LeaveSourceGroup,
        Call::LeaveSourceGroup,
    ),
    // ExcludeSourceSpecificGroup
    (
        PacketConn::exclude_source_specific_group,
        Operation::BlockSource,
        Call::BlockSource,
    ),
    // IncludeSourceSpecificGroup
    (
        PacketConn::include_source_specific_group,
        Operation::UnblockSource,
        Call::UnblockSource,
    ),
];

#[test]
fn any_source_valid_arguments_reach_the_backend() {
    for (method, _, call) in ANY_SOURCE {
        let c = packet_conn(Fake::default());
        method(&c, None, GROUP).unwrap();
        method(&c, Some(2), GROUP).unwrap();
        assert_eq!(
            c.backend().calls(),
            [call(0, GROUP), Call::InterfaceExists(2), call(2, GROUP)]
        );
    }
}

#[test]
fn source_specific_valid_arguments_reach_the_backend() {
    for (method, _, call) in SOURCE_SPECIFIC {
        let c = packet_conn(Fake::default());
        method(&c, None, GROUP, SOURCE).unwrap();
        method(&c, Some(1), GROUP, SOURCE).unwrap();
        assert_eq!(
            c.backend().calls(),
            [
                call(0, GROUP, SOURCE),
                Call::InterfaceExists(1),
                call(1, GROUP, SOURCE)
            ]
        );
    }
}

/// Group and interface arguments every membership method refuses without
/// calling the backend.
const BAD_GROUPS: [(Option<u32>, Ipv6Addr, InvalidArgument); 5] = [
    (None, UNICAST, InvalidArgument::NotMulticast(UNICAST)),
    (
        None,
        Ipv6Addr::UNSPECIFIED,
        InvalidArgument::NotMulticast(Ipv6Addr::UNSPECIFIED),
    ),
    (
        None,
        MAPPED_GROUP,
        InvalidArgument::Ipv4Mapped(MAPPED_GROUP),
    ),
    (Some(0), GROUP, InvalidArgument::InterfaceIndexZero),
    // Arguments are checked in order: the interface first.
    (Some(0), UNICAST, InvalidArgument::InterfaceIndexZero),
];

#[test]
fn bad_group_or_interface_is_refused_before_any_call() {
    for (ifindex, group, why) in BAD_GROUPS {
        for (method, op, _) in ANY_SOURCE {
            let c = packet_conn(Fake::default());
            assert_eq!(method(&c, ifindex, group), Err(invalid(op, why)));
            assert_eq!(c.backend().calls(), [], "{op} {group}");
        }
        for (method, op, _) in SOURCE_SPECIFIC {
            let c = packet_conn(Fake::default());
            assert_eq!(method(&c, ifindex, group, SOURCE), Err(invalid(op, why)));
            assert_eq!(c.backend().calls(), [], "{op} {group}");
        }
    }
}

#[test]
fn bad_source_is_refused_before_any_call() {
    let multicast = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let cases = [
        (multicast, InvalidArgument::BadSource(multicast)),
        (
            Ipv6Addr::UNSPECIFIED,
            InvalidArgument::BadSource(Ipv6Addr::UNSPECIFIED),
        ),
        (MAPPED_SOURCE, InvalidArgument::Ipv4Mapped(MAPPED_SOURCE)),
    ];
    for (source, why) in cases {
        for (method, op, _) in SOURCE_SPECIFIC {
            let c = packet_conn(Fake::default());
            assert_eq!(method(&c, Some(1), GROUP, source), Err(invalid(op, why)));
            assert_eq!(c.backend().calls(), [], "{op} {source}");
        }
    }
}

#[test]
fn unknown_interface_is_refused_after_the_pure_checks() {
    for (method, op, _) in ANY_SOURCE {
        let c = packet_conn(Fake::default());
        let why = InvalidArgument::NoSuchInterface(7);
        assert_eq!(method(&c, Some(7), GROUP), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
        // A bad group is reported without asking about the interface.
        let why = InvalidArgument::NotMulticast(UNICAST);
        assert_eq!(method(&c, Some(7), UNICAST), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
    }
    for (method, op, _) in SOURCE_SPECIFIC {
        let c = packet_conn(Fake::default());
        let why = InvalidArgument::NoSuchInterface(7);
        assert_eq!(method(&c, Some(7), GROUP, SOURCE), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
        let why = InvalidArgument::BadSource(GROUP);
        assert_eq!(method(&c, Some(7), GROUP, GROUP), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
    }
}
