//! Where rustix reaches the kernel by another road than the libc backend
//! (IPV6_MTU for IPV6_PATHMTU, SIOCGIFNAME/SIOCGIFINDEX for
//! if_indextoname/if_nametoindex, IPV6_JOIN_GROUP for MCAST_JOIN_GROUP,
//! typed getters for raw ints), both must report the same on the same socket.
#![cfg(all(target_os = "linux", feature = "libc-fallback"))]

use std::net::{Ipv6Addr, UdpSocket};

use ipv6_core::{Error, Operation, SocketBackend};

type Native<'a> = ipv6_backend_rustix::Socket<&'a UdpSocket>;
type Libc<'a> = ipv6_backend_libc::Socket<&'a UdpSocket>;

fn udp6() -> UdpSocket {
    UdpSocket::bind("[::1]:0").unwrap()
}

fn both(udp: &UdpSocket) -> (Native<'_>, Libc<'_>) {
    (Native::new(udp), Libc::new(udp))
}

#[test]
fn path_mtu_matches_ipv6_pathmtu() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    let unconnected = native.path_mtu();
    assert!(matches!(
        unconnected,
        Err(Error::Os {
            op: Operation::PathMtu,
            ..
        })
    ));
    assert_eq!(unconnected, libc.path_mtu());

    let peer = udp6();
    udp.connect(peer.local_addr().unwrap()).unwrap();
    assert_eq!(native.path_mtu().unwrap(), libc.path_mtu().unwrap());
}

/// Sets `value` through one backend, then reads it through both.
macro_rules! agree {
    ($native:ident, $libc:ident, $set:ident, $get:ident, $values:expr) => {
        for value in $values {
            $native.$set(value).unwrap();
            assert_eq!(
                $native.$get(),
                $libc.$get(),
                "{} {value:?} via rustix",
                stringify!($set)
            );
            $libc.$set(value).unwrap();
            assert_eq!(
                $native.$get(),
                $libc.$get(),
                "{} {value:?} via libc",
                stringify!($set)
            );
        }
    };
}

#[test]
fn option_values_read_the_same_through_both() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    agree!(
        native,
        libc,
        set_traffic_class,
        traffic_class,
        [0x5c, 255, 0, -1]
    );
    agree!(native, libc, set_hop_limit, hop_limit, [1, 255, -1]);
    agree!(
        native,
        libc,
        set_multicast_hop_limit,
        multicast_hop_limit,
        [0, 255, -1]
    );
    agree!(
        native,
        libc,
        set_multicast_interface,
        multicast_interface,
        [1, 0]
    );
    agree!(
        native,
        libc,
        set_multicast_loopback,
        multicast_loopback,
        [false, true]
    );
    assert_eq!(native.socket_family(), libc.socket_family());
}

#[test]
fn out_of_range_values_fail_the_same_through_both() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    // rustix cannot pass these hop limits on at all (its setter takes an
    // `Option<u8>`); the others it hands to the kernel.
    for bad in [-2, 256, i32::MIN, i32::MAX] {
        let refused = |op| {
            Err(Error::Os {
                op,
                errno: rustix::io::Errno::INVAL.raw_os_error(),
            })
        };
        assert_eq!(native.set_hop_limit(bad), refused(Operation::SetHopLimit));
        assert_eq!(native.set_hop_limit(bad), libc.set_hop_limit(bad));
        assert_eq!(
            native.set_multicast_hop_limit(bad),
            libc.set_multicast_hop_limit(bad)
        );
        assert_eq!(native.set_traffic_class(bad), libc.set_traffic_class(bad));
    }
}

#[test]
fn a_membership_joined_one_way_is_left_the_other() {
    let pid = std::process::id();
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0x5eee, (pid >> 16) as u16, pid as u16);
    let udp = udp6();
    let (native, libc) = both(&udp);
    native.join_group(1, group).unwrap();
    libc.leave_group(1, group).unwrap();
    libc.join_group(1, group).unwrap();
    native.leave_group(1, group).unwrap();
    // Nothing is left to leave, whichever way one asks.
    assert!(native.leave_group(1, group).is_err());
    assert!(libc.leave_group(1, group).is_err());
}

#[test]
fn interface_lookups_match_the_c_library() {
    let udp = udp6();
    let (native, libc) = both(&udp);
    for index in [0, 1, 2, 3, 4, 1000, u32::MAX] {
        assert_eq!(
            native.interface_exists(index),
            libc.interface_exists(index),
            "index {index}"
        );
    }
    for name in ["lo", "", "no-such-if0", "longer-than-IFNAMSIZ"] {
        assert_eq!(
            ipv6_backend_rustix::interface_index(name),
            ipv6_backend_libc::interface_index(name),
            "{name:?}"
        );
    }
}
