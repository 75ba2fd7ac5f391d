use std::net::Ipv6Addr;

use ipv6_core::{Error, InvalidArgument, Operation, PacketConn, Platform, Result, SocketOption};

use crate::fake::{Call, Fake, Script, membership, source_membership};
use crate::{invalid, packet_conn};

const GROUP: Ipv6Addr = Ipv6Addr::new(0xff12, 0, 0, 0, 0, 0, 0, 0x114);
const SOURCE: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const UNICAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
const MAPPED_GROUP: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xe000, 0x0001); // ::ffff:224.0.0.1
const MAPPED_SOURCE: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201); // ::ffff:192.0.2.1

type AnySource = fn(&PacketConn<Fake>, Option<u32>, Ipv6Addr) -> Result<()>;
type SourceSpecific = fn(&PacketConn<Fake>, Option<u32>, Ipv6Addr, Ipv6Addr) -> Result<()>;

/// Each any-source method, its public name, and the option it sets.
const ANY_SOURCE: [(AnySource, &str, SocketOption); 2] = [
    (
        PacketConn::join_group,
        "join_group",
        SocketOption::JoinGroup,
    ),
    (
        PacketConn::leave_group,
        "leave_group",
        SocketOption::LeaveGroup,
    ),
];

/// Each source-specific method (Go's name in the comment), its public name
/// and the option it sets.
const SOURCE_SPECIFIC: [(SourceSpecific, &str, SocketOption); 4] = [
    // JoinSourceSpecificGroup
    (
        PacketConn::join_source_specific_group,
        "join_source_specific_group",
        SocketOption::JoinSourceGroup,
    ),
    // LeaveSourceSpecificGroup
    (
        PacketConn::leave_source_specific_group,
        "leave_source_specific_group",
        SocketOption::LeaveSourceGroup,
    ),
    // ExcludeSourceSpecificGroup
    (
        PacketConn::exclude_source_specific_group,
        "exclude_source_specific_group",
        SocketOption::BlockSource,
    ),
    // IncludeSourceSpecificGroup
    (
        PacketConn::include_source_specific_group,
        "include_source_specific_group",
        SocketOption::UnblockSource,
    ),
];

#[test]
fn operations_are_named_after_the_methods() {
    for (_, name, option) in ANY_SOURCE {
        assert_eq!(Operation::Set(option).name(), name);
    }
    for (_, name, option) in SOURCE_SPECIFIC {
        assert_eq!(Operation::Set(option).name(), name);
    }
}

#[test]
fn any_source_valid_arguments_reach_the_backend() {
    for (method, _, option) in ANY_SOURCE {
        let c = packet_conn(Fake::default());
        method(&c, None, GROUP).unwrap();
        method(&c, Some(2), GROUP).unwrap();
        assert_eq!(
            c.backend().calls(),
            [
                Call::Set(option, membership(0, GROUP)),
                Call::InterfaceExists(2),
                Call::Set(option, membership(2, GROUP))
            ]
        );
    }
}

#[test]
fn source_specific_valid_arguments_reach_the_backend() {
    for (method, _, option) in SOURCE_SPECIFIC {
        let c = packet_conn(Fake::default());
        method(&c, None, GROUP, SOURCE).unwrap();
        method(&c, Some(1), GROUP, SOURCE).unwrap();
        assert_eq!(
            c.backend().calls(),
            [
                Call::Set(option, source_membership(0, GROUP, SOURCE)),
                Call::InterfaceExists(1),
                Call::Set(option, source_membership(1, GROUP, SOURCE))
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
        for (method, _, option) in ANY_SOURCE {
            let op = Operation::Set(option);
            let c = packet_conn(Fake::default());
            assert_eq!(method(&c, ifindex, group), Err(invalid(op, why)));
            assert_eq!(c.backend().calls(), [], "{op} {group}");
        }
        for (method, _, option) in SOURCE_SPECIFIC {
            let op = Operation::Set(option);
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
        for (method, _, option) in SOURCE_SPECIFIC {
            let op = Operation::Set(option);
            let c = packet_conn(Fake::default());
            assert_eq!(method(&c, Some(1), GROUP, source), Err(invalid(op, why)));
            assert_eq!(c.backend().calls(), [], "{op} {source}");
        }
    }
}

#[test]
fn unknown_interface_is_refused_after_the_pure_checks() {
    for (method, _, option) in ANY_SOURCE {
        let op = Operation::Set(option);
        let c = packet_conn(Fake::default());
        let why = InvalidArgument::NoSuchInterface(7);
        assert_eq!(method(&c, Some(7), GROUP), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
        // A bad group is reported without asking about the interface.
        let why = InvalidArgument::NotMulticast(UNICAST);
        assert_eq!(method(&c, Some(7), UNICAST), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
    }
    for (method, _, option) in SOURCE_SPECIFIC {
        let op = Operation::Set(option);
        let c = packet_conn(Fake::default());
        let why = InvalidArgument::NoSuchInterface(7);
        assert_eq!(method(&c, Some(7), GROUP, SOURCE), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
        let why = InvalidArgument::BadSource(GROUP);
        assert_eq!(method(&c, Some(7), GROUP, GROUP), Err(invalid(op, why)));
        assert_eq!(c.backend().calls(), [Call::InterfaceExists(7)]);
    }
}

#[test]
fn exclude_source_specific_group_errors_name_the_method_and_block_source() {
    let op = Operation::Set(SocketOption::BlockSource);
    let c = packet_conn(Fake::default());
    let refused = c.exclude_source_specific_group(Some(1), GROUP, GROUP);
    assert_eq!(refused, Err(invalid(op, InvalidArgument::BadSource(GROUP))));
    assert_eq!(
        refused.unwrap_err().to_string(),
        "exclude_source_specific_group (MCAST_BLOCK_SOURCE): ff12::114 cannot be a source address"
    );
    // A kernel refusal comes back as the backend reported it.
    let error = Error::Os { op, errno: 99 };
    c.backend().fail(op, error);
    assert_eq!(
        c.exclude_source_specific_group(Some(1), GROUP, SOURCE),
        Err(error)
    );
    assert_eq!(error.operation(), Some(op));
}

#[test]
fn source_specific_groups_where_the_os_has_none_are_unsupported() {
    // NetBSD and OpenBSD have no source-specific API; the backend says so
    // (here the fake, from its platform's option table).
    for platform in [Platform::NETBSD_64, Platform::OPENBSD_64] {
        let c = packet_conn(Fake::with(Script {
            platform,
            family: Ok(platform.af_inet6),
            ..Script::default()
        }));
        c.join_group(None, GROUP).unwrap();
        for (method, name, option) in SOURCE_SPECIFIC {
            let error = method(&c, None, GROUP, SOURCE).unwrap_err();
            assert_eq!(error, Error::Unsupported(Operation::Set(option)));
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }
}
