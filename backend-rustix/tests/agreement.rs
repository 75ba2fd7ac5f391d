//! Where rustix reaches the kernel by another road than the libc backend
//! (IPV6_MTU for IPV6_PATHMTU, SIOCGIFNAME/SIOCGIFINDEX for
//! if_indextoname/if_nametoindex, IPV6_ADD_MEMBERSHIP for MCAST_JOIN_GROUP,
//! typed getters for raw ints), both must report the same on the same
//! socket, and what they report must be what was set.
//!
//! Runs in both builds (the libc backend is a dev-dependency): where this
//! build's rustix backend refuses an operation, the refusal is checked
//! against the capability table instead.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeSet;
use std::net::UdpSocket;

use common::{default_hop_limit, kernel_lists_membership, lo_index, lo_mtu, private_group, udp6};
use ipv6_backend_rustix::{Capability, capability};
use ipv6_core::{Error, Group, Operation, OptionValue, SocketBackend, SocketOption as O};

type Native<'a> = ipv6_backend_rustix::Socket<&'a UdpSocket>;
type Libc<'a> = ipv6_backend_libc::Socket<&'a UdpSocket>;

const EADDRNOTAVAIL: i32 = libc::EADDRNOTAVAIL;
const EINVAL: i32 = libc::EINVAL;

fn both(udp: &UdpSocket) -> (Native<'_>, Libc<'_>) {
    (Native::new(udp), Libc::new(udp))
}

/// Whether this build's rustix backend refuses `op`; if so, checks that it
/// refuses it by name.
fn rustix_refuses(op: Operation, result: &ipv6_core::Result<impl std::fmt::Debug>) -> bool {
    if capability(op) != Capability::Unsupported {
        return false;
    }
    assert!(
        matches!(result, Err(Error::Unsupported(named)) if *named == op),
        "{op}: the capability table says Unsupported, rustix gave {result:?}"
    );
    true
}

/// For each `(value, expected)`, sets `value` through rustix and then
/// through libc; after each, reads the option through both and checks both
/// read `expected`, the kernel's form of `value` (`-1` resolved).
fn agree(option: O, cases: &[(OptionValue<'static>, OptionValue<'static>)]) {
    let udp = udp6();
    let (native, libc) = both(&udp);
    let setters: [(&str, &dyn SocketBackend); 2] = [("rustix", &native), ("libc", &libc)];
    for &(value, expected) in cases {
        for (via, setter) in setters {
            let set = setter.set(option, value);
            if via == "rustix" && rustix_refuses(Operation::Set(option), &set) {
                continue;
            }
            set.unwrap_or_else(|e| panic!("set {option} {value:?} via {via}: {e}"));
            let through_libc = libc.get(option);
            assert_eq!(
                through_libc,
                Ok(expected),
                "{option} set to {value:?} via {via}, read through libc"
            );
            let through_rustix = native.get(option);
            if rustix_refuses(Operation::Get(option), &through_rustix) {
                continue;
            }
            assert_eq!(
                through_rustix, through_libc,
                "{option} set to {value:?} via {via}, read through rustix"
            );
        }
    }
}

#[test]
fn int_options_read_what_was_set_through_both() {
    use OptionValue::Int;
    let cases = |values: &[i32], default: i32| -> Vec<_> {
        values
            .iter()
            .map(|&v| (Int(v), Int(if v == -1 { default } else { v })))
            .collect()
    };
    agree(O::TrafficClass, &cases(&[0x5c, 255, 0, -1], 0));
    agree(O::HopLimit, &cases(&[1, 255, 0, -1], default_hop_limit()));
    // IPV6_DEFAULT_MCASTHOPS
    agree(O::MulticastHopLimit, &cases(&[0, 255, 7, -1], 1));
}

#[test]
fn interface_and_bool_options_read_what_was_set_through_both() {
    use OptionValue::{Bool, Interface};
    let lo = lo_index();
    agree(
        O::MulticastInterface,
        &[(Interface(lo), Interface(lo)), (Interface(0), Interface(0))],
    );
    let flips = [(Bool(false), Bool(false)), (Bool(true), Bool(true))];
    agree(O::MulticastLoopback, &flips);
    for option in [
        O::ReceiveTrafficClass,
        O::ReceiveHopLimit,
        O::ReceivePacketInfo,
        O::ReceivePathMtu,
    ] {
        agree(option, &[flips[1], flips[0]]);
    }
}

#[test]
fn out_of_range_values_fail_the_same_through_both_and_change_nothing() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    // rustix cannot pass these hop limits on at all (its setter takes an
    // `Option<u8>`) and answers as the kernel would; the others it hands to
    // the kernel.
    for (option, kept) in [
        (O::HopLimit, 17),
        (O::MulticastHopLimit, 5),
        (O::TrafficClass, 0x20),
    ] {
        libc.set(option, OptionValue::Int(kept)).unwrap();
        for bad in [-2, 256, i32::MIN, i32::MAX] {
            let refused = Err(Error::Os {
                op: Operation::Set(option),
                errno: EINVAL,
            });
            let value = OptionValue::Int(bad);
            assert_eq!(
                native.set(option, value),
                refused,
                "{option} {bad} via rustix"
            );
            assert_eq!(libc.set(option, value), refused, "{option} {bad} via libc");
            assert_eq!(native.get(option), Ok(OptionValue::Int(kept)), "{option}");
            assert_eq!(libc.get(option), Ok(OptionValue::Int(kept)), "{option}");
        }
    }
}

#[test]
fn path_mtu_matches_ipv6_pathmtu() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    let unconnected = Err(Error::Os {
        op: Operation::Get(O::PathMtu),
        errno: libc::ENOTCONN,
    });
    assert_eq!(libc.get(O::PathMtu), unconnected);
    assert_eq!(native.get(O::PathMtu), unconnected);

    let peer = udp6();
    udp.connect(peer.local_addr().unwrap()).unwrap();
    let mtu = Ok(OptionValue::Mtu(lo_mtu()));
    assert_eq!(libc.get(O::PathMtu), mtu);
    assert_eq!(native.get(O::PathMtu), mtu);
}

#[test]
fn a_membership_joined_one_way_is_left_the_other() {
    let group = private_group(0x5eee);
    let lo = lo_index();
    let membership = OptionValue::Membership(Group {
        interface: lo,
        group,
    });
    let udp = udp6();
    let (native, libc) = both(&udp);
    native.set(O::JoinGroup, membership).unwrap();
    assert!(kernel_lists_membership(lo, group));
    libc.set(O::LeaveGroup, membership).unwrap();
    assert!(!kernel_lists_membership(lo, group));
    libc.set(O::JoinGroup, membership).unwrap();
    assert!(kernel_lists_membership(lo, group));
    native.set(O::LeaveGroup, membership).unwrap();
    assert!(!kernel_lists_membership(lo, group));
    // Nothing is left to leave, whichever way one asks.
    let not_joined = Err(Error::Os {
        op: Operation::Set(O::LeaveGroup),
        errno: EADDRNOTAVAIL,
    });
    assert_eq!(native.set(O::LeaveGroup, membership), not_joined);
    assert_eq!(libc.set(O::LeaveGroup, membership), not_joined);
}

/// The interface indexes of this namespace, from sysfs.
fn sysfs_indexes() -> BTreeSet<u32> {
    std::fs::read_dir("/sys/class/net")
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path().join("ifindex");
            std::fs::read_to_string(path).ok()?.trim().parse().ok()
        })
        .collect()
}

#[test]
fn interface_lookups_match_the_c_library_and_sysfs() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    let present = sysfs_indexes();
    let absent = present.last().unwrap() + 1000;
    let probes = present
        .iter()
        .copied()
        .chain([0, absent, i32::MAX as u32, u32::MAX]);
    for index in probes {
        let expected = Ok(present.contains(&index));
        assert_eq!(
            libc.interface_exists(index),
            expected,
            "index {index} via libc"
        );
        assert_eq!(
            native.interface_exists(index),
            expected,
            "index {index} via rustix"
        );
    }
    assert_eq!(ipv6_backend_rustix::interface_index("lo"), Ok(lo_index()));
    assert_eq!(ipv6_backend_libc::interface_index("lo"), Ok(lo_index()));
    for name in ["", "no-such-if0", "longer-than-IFNAMSIZ", "lo\0"] {
        let unknown = Err(Error::InvalidArgument(
            Operation::InterfaceIndex,
            ipv6_core::InvalidArgument::UnknownInterface(ipv6_core::InterfaceName::new(name)),
        ));
        assert_eq!(
            ipv6_backend_rustix::interface_index(name),
            unknown,
            "{name:?}"
        );
        assert_eq!(
            ipv6_backend_libc::interface_index(name),
            unknown,
            "{name:?}"
        );
    }
}

#[test]
fn socket_family_is_the_same_through_both() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    let af_inet6 = Ok(libc::AF_INET6 as u16);
    assert_eq!(native.socket_family(), af_inet6);
    assert_eq!(libc.socket_family(), af_inet6);
}
