use ipv6_core::{ControlFlags, Error, Operation, OptionValue, SocketOption};

use crate::fake::{Call, Fake};
use crate::packet_conn;

/// Go's `setControlMessage` mapping: flag → the one receive option it needs.
const MAPPING: [(ControlFlags, SocketOption); 5] = [
    (
        ControlFlags::TRAFFIC_CLASS,
        SocketOption::ReceiveTrafficClass,
    ),
    (ControlFlags::HOP_LIMIT, SocketOption::ReceiveHopLimit),
    (ControlFlags::DST, SocketOption::ReceivePacketInfo),
    (ControlFlags::INTERFACE, SocketOption::ReceivePacketInfo),
    (ControlFlags::PATH_MTU, SocketOption::ReceivePathMtu),
];

fn switch(option: SocketOption, on: bool) -> Call {
    Call::set(option, OptionValue::Bool(on))
}

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
            [switch(option, true), switch(option, false)]
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
            switch(SocketOption::ReceiveTrafficClass, true),
            switch(SocketOption::ReceiveHopLimit, true),
            switch(SocketOption::ReceivePacketInfo, true),
            switch(SocketOption::ReceivePathMtu, true),
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
            switch(SocketOption::ReceivePacketInfo, true),
            switch(SocketOption::ReceivePacketInfo, false),
        ]
    );
}

#[test]
fn flags_already_set_when_an_option_fails_stay_set() {
    let op = Operation::Set(SocketOption::ReceiveHopLimit);
    let error = Error::Os { op, errno: 92 };
    let c = packet_conn(Fake::default());
    c.backend().fail(op, error);
    let asked = ControlFlags::TRAFFIC_CLASS | ControlFlags::HOP_LIMIT | ControlFlags::PATH_MTU;
    assert_eq!(c.set_control_message(asked, true), Err(error));
    assert_eq!(c.control_flags(), ControlFlags::TRAFFIC_CLASS);
    // The failing option was tried, the ones after it were not.
    assert_eq!(
        c.backend().calls(),
        [
            switch(SocketOption::ReceiveTrafficClass, true),
            switch(SocketOption::ReceiveHopLimit, true),
        ]
    );
    // The error names the public method and the C option.
    let text = if cfg!(feature = "std") {
        "set_control_message (IPV6_RECVHOPLIMIT): Protocol not available (ENOPROTOOPT, os error 92)"
    } else {
        "set_control_message (IPV6_RECVHOPLIMIT): ENOPROTOOPT (os error 92)"
    };
    assert_eq!(error.to_string(), text);
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
