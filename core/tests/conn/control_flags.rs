use ipv6_core::{ControlFlags, Error, Operation, ReceiveOption};

use crate::fake::{Call, Fake};
use crate::packet_conn;

/// Go's `setControlMessage` mapping: flag → the one receive option it needs.
const MAPPING: [(ControlFlags, ReceiveOption); 5] = [
    (ControlFlags::TRAFFIC_CLASS, ReceiveOption::TrafficClass),
    (ControlFlags::HOP_LIMIT, ReceiveOption::HopLimit),
    (ControlFlags::DST, ReceiveOption::PacketInfo),
    (ControlFlags::INTERFACE, ReceiveOption::PacketInfo),
    (ControlFlags::PATH_MTU, ReceiveOption::PathMtu),
];

#[test]
fn each_flag_switches_its_receive_option() {
    for (flag, option) in MAPPING {
        let c = packet_conn(Fake::default());
        c.set_control_message(flag, true).unwrap();
        assert_eq!(c.control_flags(), flag);
        c.set_control_message(flag, false).unwrap();
        assert_eq!(c.control_flags(), ControlFlags::empty());
        assert_eq!(
            c.backend().calls(),
            [
                Call::SetReceiveOption(option, true),
                Call::SetReceiveOption(option, false)
            ]
        );
    }
}

#[test]
fn all_flags_set_options_in_go_order_and_pktinfo_once() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::all(), true).unwrap();
    assert_eq!(
        c.backend().calls(),
        [
            Call::SetReceiveOption(ReceiveOption::TrafficClass, true),
            Call::SetReceiveOption(ReceiveOption::HopLimit, true),
            Call::SetReceiveOption(ReceiveOption::PacketInfo, true),
            Call::SetReceiveOption(ReceiveOption::PathMtu, true),
        ]
    );
    // SRC has no receive option, so it is never recorded.
    assert_eq!(c.control_flags(), ControlFlags::all() - ControlFlags::SRC);
}

#[test]
fn src_alone_changes_nothing() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::SRC, true).unwrap();
    assert_eq!(c.backend().calls(), []);
    assert_eq!(c.control_flags(), ControlFlags::empty());
}

#[test]
fn clearing_one_pktinfo_flag_keeps_the_other_recorded() {
    // Go records DST and INTERFACE separately although one option serves both.
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::DST | ControlFlags::INTERFACE, true)
        .unwrap();
    c.set_control_message(ControlFlags::INTERFACE, false)
        .unwrap();
    assert_eq!(c.control_flags(), ControlFlags::DST);
    assert_eq!(
        c.backend().calls(),
        [
            Call::SetReceiveOption(ReceiveOption::PacketInfo, true),
            Call::SetReceiveOption(ReceiveOption::PacketInfo, false),
        ]
    );
}

#[test]
fn flags_already_set_when_an_option_fails_stay_set() {
    let error = Error::Os {
        op: Operation::SetReceiveOption,
        errno: 92,
    };
    let c = packet_conn(Fake::default());
    c.backend().fail_from(Operation::SetReceiveOption, 1, error);
    let asked = ControlFlags::TRAFFIC_CLASS | ControlFlags::HOP_LIMIT | ControlFlags::PATH_MTU;
    assert_eq!(c.set_control_message(asked, true), Err(error));
    assert_eq!(c.control_flags(), ControlFlags::TRAFFIC_CLASS);
    // The failing option was tried, the ones after it were not.
    assert_eq!(
        c.backend().calls(),
        [
            Call::SetReceiveOption(ReceiveOption::TrafficClass, true),
            Call::SetReceiveOption(ReceiveOption::HopLimit, true),
        ]
    );
}

#[test]
fn switching_off_leaves_other_flags_alone() {
    let c = packet_conn(Fake::default());
    c.set_control_message(ControlFlags::all(), true).unwrap();
    c.set_control_message(ControlFlags::HOP_LIMIT | ControlFlags::SRC, false)
        .unwrap();
    assert_eq!(
        c.control_flags(),
        ControlFlags::TRAFFIC_CLASS
            | ControlFlags::DST
            | ControlFlags::INTERFACE
            | ControlFlags::PATH_MTU
    );
}
