//! Socket-option rows: out-of-range values, bad groups, sources and
//! interfaces, checksum offsets, BPF programs, timeouts and non-IPv6
//! sockets, through `PacketConn`, `Conn` and the backends directly.

use std::net::{Ipv6Addr, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use ipv6_core::backend::BPF_MAX_INSTRUCTIONS;
use ipv6_core::option::ValueKind;
use ipv6_core::{
    BpfInstruction, Conn, ControlFlags, Direction, Error, Group, IcmpFilter,
    InvalidArgument as Bad, Operation as Op, OptionValue, PacketConn, Result, SocketBackend,
    SocketOption as O,
};

use super::fixtures::{Ipv4, NO_SUCH_INTERFACE, Raw, Tcp, Udp, loopback, root_or_skip};
use super::harness::{Backend, Table, invalid, kernel, os};

pub const GROUP: Ipv6Addr = Ipv6Addr::new(0xff12, 0, 0, 0, 0, 0, 0x8000, 0x4242);
pub const SSM_GROUP: Ipv6Addr = Ipv6Addr::new(0xff32, 0, 0, 0, 0, 0, 0x8000, 0x4242);
const UNICAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const MAPPED_GROUP: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xe000, 0x00fb);
pub const MAPPED_HOST: Ipv6Addr = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1);
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// `BPF_RET | BPF_K` with `k = u32::MAX`: accept every packet whole.
pub const ACCEPT_ALL: BpfInstruction = BpfInstruction {
    code: 0x06,
    jt: 0,
    jf: 0,
    k: u32::MAX,
};

pub fn rows<B: Backend>(t: &mut Table) {
    int_limits::<B>(t);
    memberships::<B>(t);
    interfaces::<B>(t);
    checksums::<B>(t);
    bpf::<B>(t);
    timeouts::<B>(t);
    control_flags::<B>(t);
    path_mtu::<B>(t);
    option_values::<B>(t);
    families::<B>(t);
    raw::<B>(t);
}

/// An any-source membership of `group` on interface `interface`.
fn membership(interface: u32, group: Ipv6Addr) -> OptionValue<'static> {
    OptionValue::Membership(Group { interface, group })
}

/// An integer option of a socket wrapper `C`: its setter, getter, and the
/// error a value out of range gives.
struct IntOption<C> {
    name: &'static str,
    op: Op,
    set: fn(&C, i32) -> Result<()>,
    get: fn(&C) -> Result<i32>,
    why: fn(i32) -> Bad,
}

/// A good value for every integer option: a hop limit, and a traffic
/// class with the ECN bits clear (TCP keeps those to itself).
const GOOD: i32 = 0x20;

/// Sets a good value, checks a bad one leaves it, reads it back.
fn survives<C>(conn: &C, option: &IntOption<C>, bad: i32) {
    (option.set)(conn, GOOD).expect("a good value after the bad one");
    assert_eq!(
        (option.set)(conn, bad),
        invalid(option.op, (option.why)(bad))
    );
    assert_eq!(
        (option.get)(conn),
        Ok(GOOD),
        "the bad value changed the option"
    );
}

const OUT_OF_RANGE: [i32; 4] = [-2, 256, i32::MIN, i32::MAX];

fn int_limits<B: Backend>(t: &mut Table) {
    type Pc<B> = PacketConn<<B as Backend>::Socket<UdpSocket>>;
    let packet: [IntOption<Pc<B>>; 3] = [
        IntOption {
            name: "set_hop_limit",
            op: Op::Set(O::HopLimit),
            set: Pc::<B>::set_hop_limit,
            get: Pc::<B>::hop_limit,
            why: Bad::HopLimit,
        },
        IntOption {
            name: "set_multicast_hop_limit",
            op: Op::Set(O::MulticastHopLimit),
            set: Pc::<B>::set_multicast_hop_limit,
            get: Pc::<B>::multicast_hop_limit,
            why: Bad::HopLimit,
        },
        IntOption {
            name: "set_traffic_class",
            op: Op::Set(O::TrafficClass),
            set: Pc::<B>::set_traffic_class,
            get: Pc::<B>::traffic_class,
            why: Bad::TrafficClass,
        },
    ];
    for option in &packet {
        for bad in OUT_OF_RANGE {
            t.socket::<B, _, _>(
                format!("PacketConn::{}({bad})", option.name),
                Udp::<B>::new,
                invalid(option.op, (option.why)(bad)),
                |u| (option.set)(&u.conn, bad),
                |u| {
                    survives(&u.conn, option, bad);
                    u.echo();
                },
            );
        }
    }
    type C<B> = Conn<<B as Backend>::Socket<std::net::TcpStream>>;
    let stream: [IntOption<C<B>>; 2] = [
        IntOption {
            name: "set_hop_limit",
            op: Op::Set(O::HopLimit),
            set: C::<B>::set_hop_limit,
            get: C::<B>::hop_limit,
            why: Bad::HopLimit,
        },
        IntOption {
            name: "set_traffic_class",
            op: Op::Set(O::TrafficClass),
            set: C::<B>::set_traffic_class,
            get: C::<B>::traffic_class,
            why: Bad::TrafficClass,
        },
    ];
    for option in &stream {
        for bad in [-2, 256] {
            t.socket::<B, _, _>(
                format!("Conn(TCP)::{}({bad})", option.name),
                Tcp::<B>::new,
                invalid(option.op, (option.why)(bad)),
                |c| (option.set)(&c.conn, bad),
                |c| {
                    survives(&c.conn, option, bad);
                    c.echo();
                },
            );
        }
    }
    // Past the core's checks, each backend hands the value to its system
    // call layer: the kernel answers EINVAL.
    for bad in [-2, 256] {
        t.socket::<B, _, _>(
            format!("backend set(HopLimit, Int({bad}))"),
            Udp::<B>::new,
            os(Op::Set(O::HopLimit), libc::EINVAL),
            |u| u.conn.backend().set(O::HopLimit, OptionValue::Int(bad)),
            |u| u.echo(),
        );
        t.socket::<B, _, _>(
            format!("backend set(TrafficClass, Int({bad}))"),
            Udp::<B>::new,
            os(Op::Set(O::TrafficClass), libc::EINVAL),
            |u| u.conn.backend().set(O::TrafficClass, OptionValue::Int(bad)),
            |u| u.echo(),
        );
    }
}

/// The good membership operations after a bad one: an any-source join
/// and leave on the loopback, and a source-specific one where the build
/// can make it.
fn memberships_work<B: Backend>(u: &Udp<B>) {
    let lo = Some(loopback());
    assert_eq!(u.conn.join_group(lo, GROUP), Ok(()));
    assert_eq!(u.conn.leave_group(lo, GROUP), Ok(()));
    let (ssm, source) = (SSM_GROUP, Ipv6Addr::LOCALHOST);
    let works = kernel::<B, _>(Op::Set(O::JoinSourceGroup), Ok(()));
    assert_eq!(u.conn.join_source_specific_group(lo, ssm, source), works);
    let works = kernel::<B, _>(Op::Set(O::LeaveSourceGroup), Ok(()));
    assert_eq!(u.conn.leave_source_specific_group(lo, ssm, source), works);
    u.echo();
}

type AnySource<C> = fn(&C, Option<u32>, Ipv6Addr) -> Result<()>;
type SourceSpecific<C> = fn(&C, Option<u32>, Ipv6Addr, Ipv6Addr) -> Result<()>;

fn memberships<B: Backend>(t: &mut Table) {
    type Pc<B> = PacketConn<<B as Backend>::Socket<UdpSocket>>;
    let lo = Some(loopback());
    let none = Some(NO_SUCH_INTERFACE);
    let any_source: [(&str, Op, AnySource<Pc<B>>); 2] = [
        ("join_group", Op::Set(O::JoinGroup), Pc::<B>::join_group),
        ("leave_group", Op::Set(O::LeaveGroup), Pc::<B>::leave_group),
    ];
    let any_cases = [
        (lo, UNICAST, Bad::NotMulticast(UNICAST)),
        (
            lo,
            Ipv6Addr::UNSPECIFIED,
            Bad::NotMulticast(Ipv6Addr::UNSPECIFIED),
        ),
        (lo, MAPPED_GROUP, Bad::Ipv4Mapped(MAPPED_GROUP)),
        (Some(0), GROUP, Bad::InterfaceIndexZero),
        (none, GROUP, Bad::NoSuchInterface(NO_SUCH_INTERFACE)),
        // Precedence: the interface index, then the group, then whether
        // the interface exists.
        (Some(0), UNICAST, Bad::InterfaceIndexZero),
        (none, UNICAST, Bad::NotMulticast(UNICAST)),
    ];
    for (name, op, call) in any_source {
        for (ifindex, group, why) in any_cases {
            t.socket::<B, _, _>(
                format!("PacketConn::{name}({ifindex:?}, {group})"),
                Udp::<B>::new,
                invalid(op, why),
                |u| call(&u.conn, ifindex, group),
                memberships_work::<B>,
            );
        }
    }
    let source_specific: [(&str, Op, SourceSpecific<Pc<B>>); 4] = [
        (
            "join_source_specific_group",
            Op::Set(O::JoinSourceGroup),
            Pc::<B>::join_source_specific_group,
        ),
        (
            "leave_source_specific_group",
            Op::Set(O::LeaveSourceGroup),
            Pc::<B>::leave_source_specific_group,
        ),
        (
            "exclude_source_specific_group",
            Op::Set(O::BlockSource),
            Pc::<B>::exclude_source_specific_group,
        ),
        (
            "include_source_specific_group",
            Op::Set(O::UnblockSource),
            Pc::<B>::include_source_specific_group,
        ),
    ];
    let host = Ipv6Addr::LOCALHOST;
    let ssm_cases = [
        (lo, UNICAST, host, Bad::NotMulticast(UNICAST)),
        (lo, MAPPED_GROUP, host, Bad::Ipv4Mapped(MAPPED_GROUP)),
        (lo, SSM_GROUP, ALL_NODES, Bad::BadSource(ALL_NODES)),
        (
            lo,
            SSM_GROUP,
            Ipv6Addr::UNSPECIFIED,
            Bad::BadSource(Ipv6Addr::UNSPECIFIED),
        ),
        (lo, SSM_GROUP, MAPPED_HOST, Bad::Ipv4Mapped(MAPPED_HOST)),
        (Some(0), SSM_GROUP, host, Bad::InterfaceIndexZero),
        (
            none,
            SSM_GROUP,
            host,
            Bad::NoSuchInterface(NO_SUCH_INTERFACE),
        ),
        // Precedence: the group before the source.
        (lo, UNICAST, ALL_NODES, Bad::NotMulticast(UNICAST)),
    ];
    for (name, op, call) in source_specific {
        for (ifindex, group, source, why) in ssm_cases {
            t.socket::<B, _, _>(
                format!("PacketConn::{name}({ifindex:?}, {group}, {source})"),
                Udp::<B>::new,
                invalid(op, why),
                |u| call(&u.conn, ifindex, group, source),
                memberships_work::<B>,
            );
        }
    }

    // Good arguments the kernel refuses.
    t.socket::<B, _, _>(
        "PacketConn::join_group twice",
        Udp::<B>::new,
        os(Op::Set(O::JoinGroup), libc::EADDRINUSE),
        |u| {
            u.conn.join_group(lo, GROUP).unwrap();
            u.conn.join_group(lo, GROUP)
        },
        |u| {
            u.conn.leave_group(lo, GROUP).unwrap();
            memberships_work(u);
        },
    );
    t.socket::<B, _, _>(
        "PacketConn::leave_group never joined",
        Udp::<B>::new,
        os(Op::Set(O::LeaveGroup), libc::EADDRNOTAVAIL),
        |u| u.conn.leave_group(lo, GROUP),
        memberships_work::<B>,
    );
    t.socket::<B, _, _>(
        "PacketConn::leave_source_specific_group never joined",
        Udp::<B>::new,
        kernel::<B, ()>(
            Op::Set(O::LeaveSourceGroup),
            os(Op::Set(O::LeaveSourceGroup), libc::EINVAL),
        ),
        |u| u.conn.leave_source_specific_group(lo, SSM_GROUP, host),
        memberships_work::<B>,
    );
    t.socket::<B, _, _>(
        "PacketConn::exclude_source_specific_group never joined",
        Udp::<B>::new,
        kernel::<B, ()>(
            Op::Set(O::BlockSource),
            os(Op::Set(O::BlockSource), libc::EINVAL),
        ),
        |u| u.conn.exclude_source_specific_group(lo, GROUP, host),
        memberships_work::<B>,
    );
    // Past the core's checks, the kernel's own answers.
    t.socket::<B, _, _>(
        "backend set(JoinGroup, no such interface)",
        Udp::<B>::new,
        os(Op::Set(O::JoinGroup), libc::ENODEV),
        |u| {
            u.conn
                .backend()
                .set(O::JoinGroup, membership(NO_SUCH_INTERFACE, GROUP))
        },
        memberships_work::<B>,
    );
    t.socket::<B, _, _>(
        "backend set(JoinGroup, unicast group)",
        Udp::<B>::new,
        os(Op::Set(O::JoinGroup), libc::EINVAL),
        |u| {
            u.conn
                .backend()
                .set(O::JoinGroup, membership(loopback(), UNICAST))
        },
        memberships_work::<B>,
    );
}

fn interfaces<B: Backend>(t: &mut Table) {
    let after = |u: &Udp<B>| {
        assert_eq!(
            u.conn.multicast_interface(),
            Ok(None),
            "the bad call set it"
        );
        let lo = loopback();
        assert_eq!(u.conn.set_multicast_interface(Some(lo)), Ok(()));
        assert_eq!(u.conn.multicast_interface(), Ok(Some(lo)));
        assert_eq!(u.conn.set_multicast_interface(None), Ok(()));
        assert_eq!(u.conn.multicast_interface(), Ok(None));
        u.echo();
    };
    for (ifindex, why) in [
        (0, Bad::InterfaceIndexZero),
        (NO_SUCH_INTERFACE, Bad::NoSuchInterface(NO_SUCH_INTERFACE)),
    ] {
        t.socket::<B, _, _>(
            format!("PacketConn::set_multicast_interface(Some({ifindex}))"),
            Udp::<B>::new,
            invalid(Op::Set(O::MulticastInterface), why),
            |u| u.conn.set_multicast_interface(Some(ifindex)),
            after,
        );
    }
    t.socket::<B, _, _>(
        "backend set(MulticastInterface, no such interface)",
        Udp::<B>::new,
        os(Op::Set(O::MulticastInterface), libc::ENODEV),
        |u| {
            let index = OptionValue::Interface(NO_SUCH_INTERFACE);
            u.conn.backend().set(O::MulticastInterface, index)
        },
        after,
    );
    t.socket::<B, _, _>(
        "backend interface_exists(no such interface)",
        Udp::<B>::new,
        Ok(false),
        |u| u.conn.backend().interface_exists(NO_SUCH_INTERFACE),
        after,
    );
}

/// On a UDP socket the kernel has no `IPV6_CHECKSUM` or ICMPv6 filter.
fn raw_only_options_refused<B: Backend>(u: &Udp<B>) {
    let refused = |op| kernel::<B, ()>(op, os(op, libc::ENOPROTOOPT));
    assert_eq!(u.conn.set_checksum(Some(2)), refused(Op::Set(O::Checksum)));
    assert_eq!(u.conn.checksum().map(drop), refused(Op::Get(O::Checksum)));
    assert_eq!(
        u.conn.icmp_filter().map(drop),
        refused(Op::Get(O::IcmpFilter))
    );
    u.echo();
}

fn checksums<B: Backend>(t: &mut Table) {
    for (offset, as_int) in [(1, 1), (3, 3), (0x8000_0000, i32::MIN), (u32::MAX, -1)] {
        t.socket::<B, _, _>(
            format!("PacketConn::set_checksum(Some({offset:#x}))"),
            Udp::<B>::new,
            invalid(Op::Set(O::Checksum), Bad::ChecksumOffset(as_int)),
            |u| u.conn.set_checksum(Some(offset)),
            raw_only_options_refused::<B>,
        );
    }
    t.socket::<B, _, _>(
        "PacketConn::set_icmp_filter on UDP",
        Udp::<B>::new,
        kernel::<B, ()>(
            Op::Set(O::IcmpFilter),
            os(Op::Set(O::IcmpFilter), libc::ENOPROTOOPT),
        ),
        |u| u.conn.set_icmp_filter(&IcmpFilter::BLOCK_ALL),
        raw_only_options_refused::<B>,
    );
}

fn bpf_works<B: Backend>(u: &Udp<B>) {
    let attached = kernel::<B, ()>(Op::Set(O::AttachFilter), Ok(()));
    assert_eq!(u.conn.set_bpf(&[ACCEPT_ALL]), attached);
    u.echo();
}

fn bpf<B: Backend>(t: &mut Table) {
    let too_long = vec![ACCEPT_ALL; BPF_MAX_INSTRUCTIONS + 1];
    let u16_overflow = vec![ACCEPT_ALL; 65_536];
    for program in [&[][..], &too_long] {
        t.socket::<B, _, _>(
            format!("PacketConn::set_bpf({} instructions)", program.len()),
            Udp::<B>::new,
            invalid(
                Op::Set(O::AttachFilter),
                Bad::BpfProgramLength(program.len()),
            ),
            |u| u.conn.set_bpf(program),
            bpf_works::<B>,
        );
    }
    // Past the core's check: the kernel refuses, or the libc backend does
    // when the length does not fit `sock_fprog`'s `unsigned short`.
    let undefined_opcode = [BpfInstruction {
        code: 0xffff,
        ..ACCEPT_ALL
    }];
    let rows: [(&str, &[BpfInstruction], Result<()>); 4] = [
        (
            "0 instructions",
            &[],
            os(Op::Set(O::AttachFilter), libc::EINVAL),
        ),
        (
            "4097 instructions",
            &too_long,
            os(Op::Set(O::AttachFilter), libc::EINVAL),
        ),
        (
            "65536 instructions",
            &u16_overflow,
            invalid(Op::Set(O::AttachFilter), Bad::BpfProgramLength(65_536)),
        ),
        (
            "an undefined opcode",
            &undefined_opcode,
            os(Op::Set(O::AttachFilter), libc::EINVAL),
        ),
    ];
    for (what, program, expected) in rows {
        t.socket::<B, _, _>(
            format!("backend set(AttachFilter, {what})"),
            Udp::<B>::new,
            kernel::<B, ()>(Op::Set(O::AttachFilter), expected),
            |u| {
                let program = OptionValue::Program(program);
                u.conn.backend().set(O::AttachFilter, program)
            },
            bpf_works::<B>,
        );
    }
}

fn timeouts<B: Backend>(t: &mut Table) {
    let after = |u: &Udp<B>| {
        assert_eq!(
            u.conn.set_read_timeout(Some(Duration::from_secs(10))),
            Ok(())
        );
        assert_eq!(
            u.conn.set_write_timeout(Some(Duration::from_secs(10))),
            Ok(())
        );
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::set_read_timeout(Some(ZERO))",
        Udp::<B>::new,
        invalid(Op::SetReadTimeout, Bad::ZeroTimeout),
        |u| u.conn.set_read_timeout(Some(Duration::ZERO)),
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::set_write_timeout(Some(ZERO))",
        Udp::<B>::new,
        invalid(Op::SetWriteTimeout, Bad::ZeroTimeout),
        |u| u.conn.set_write_timeout(Some(Duration::ZERO)),
        after,
    );
    t.socket::<B, _, _>(
        "backend set_timeout(Read, Some(ZERO))",
        Udp::<B>::new,
        os(Op::SetReadTimeout, libc::EINVAL),
        |u| {
            let backend = u.conn.backend();
            backend.set_timeout(Direction::Read, Some(Duration::ZERO))
        },
        after,
    );
    t.socket::<B, _, _>(
        "backend set_timeout(Write, Some(ZERO))",
        Udp::<B>::new,
        os(Op::SetWriteTimeout, libc::EINVAL),
        |u| {
            let backend = u.conn.backend();
            backend.set_timeout(Direction::Write, Some(Duration::ZERO))
        },
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::set_read_timeout(Some(Duration::MAX))",
        Udp::<B>::new,
        Ok(()),
        |u| u.conn.set_read_timeout(Some(Duration::MAX)),
        after,
    );
    // A nanosecond is not rounded down to "no timeout": a receive with
    // nothing queued ends with EAGAIN instead of blocking.
    t.socket::<B, _, _>(
        "PacketConn::set_read_timeout(Some(1 ns)), then read",
        Udp::<B>::new,
        (Ok(()), os(Op::RecvMsg, libc::EAGAIN)),
        |u| {
            let set = u.conn.set_read_timeout(Some(Duration::from_nanos(1)));
            (set, u.conn.read_from(&mut [0; 8]).map(drop))
        },
        after,
    );
    // Straight to the backend too: rounded up, never truncated to the zero
    // that means "forever" (the kernel keeps it in jiffies, so what reads
    // back is one tick, not one microsecond).
    t.socket::<B, _, _>(
        "backend set_timeout(Read, Some(1 ns)), then read",
        Udp::<B>::new,
        (Ok(()), true, os(Op::RecvMsg, libc::EAGAIN)),
        |u| {
            let backend = u.conn.backend();
            let set = backend.set_timeout(Direction::Read, Some(Duration::from_nanos(1)));
            let stored = u.socket().read_timeout().unwrap();
            let bounded = stored.is_some_and(|d| d <= Duration::from_millis(100));
            (set, bounded, u.conn.read_from(&mut [0; 8]).map(drop))
        },
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::set_nonblocking(true), then read",
        Udp::<B>::new,
        (Ok(()), os(Op::RecvMsg, libc::EAGAIN)),
        |u| {
            let set = u.conn.set_nonblocking(true);
            (set, u.conn.read_from(&mut [0; 8]).map(drop))
        },
        |u| {
            assert_eq!(u.conn.set_nonblocking(false), Ok(()));
            after(u);
        },
    );
}

fn control_flags<B: Backend>(t: &mut Table) {
    // SRC has no receive option and unknown bits none either: nothing is
    // asked of the kernel and nothing is recorded.
    let ignored = ControlFlags::SRC | ControlFlags::from_bits_retain(1 << 31);
    t.socket::<B, _, _>(
        "PacketConn::set_control_message(SRC | unknown bit)",
        Udp::<B>::new,
        (Ok(()), ControlFlags::empty()),
        |u| {
            (
                u.conn.set_control_message(ignored, true),
                u.conn.control_flags(),
            )
        },
        Udp::echo,
    );
}

/// The backend's one `get`/`set` pair takes any option with any value:
/// a value of the wrong kind, a write of a read-only option and a read of a
/// write-only one are refused before any system call, the same on every
/// backend and build, and the option is left as it was.
fn option_values<B: Backend>(t: &mut Table) {
    let kind = |option: O, given| {
        let expected = option.kind();
        invalid::<()>(Op::Set(option), Bad::ValueKind { expected, given })
    };
    let hop_limit_kept = |u: &Udp<B>| {
        assert_eq!(u.conn.hop_limit(), Ok(64), "the refused value changed it");
        u.echo();
    };
    t.socket::<B, _, _>(
        "backend set(HopLimit, Bool(true))",
        Udp::<B>::new,
        kind(O::HopLimit, ValueKind::Bool),
        |u| u.conn.backend().set(O::HopLimit, OptionValue::Bool(true)),
        hop_limit_kept,
    );
    t.socket::<B, _, _>(
        "backend set(HopLimit, Interface(1))",
        Udp::<B>::new,
        kind(O::HopLimit, ValueKind::Interface),
        |u| u.conn.backend().set(O::HopLimit, OptionValue::Interface(1)),
        hop_limit_kept,
    );
    t.socket::<B, _, _>(
        "backend set(JoinGroup, Int(1))",
        Udp::<B>::new,
        kind(O::JoinGroup, ValueKind::Int),
        |u| u.conn.backend().set(O::JoinGroup, OptionValue::Int(1)),
        memberships_work::<B>,
    );
    t.socket::<B, _, _>(
        "backend set(AttachFilter, Filter(BLOCK_ALL))",
        Udp::<B>::new,
        kind(O::AttachFilter, ValueKind::Filter),
        |u| {
            let value = OptionValue::Filter(IcmpFilter::BLOCK_ALL);
            u.conn.backend().set(O::AttachFilter, value)
        },
        bpf_works::<B>,
    );
    t.socket::<B, _, _>(
        "backend set(PathMtu, Mtu(1280)): read only",
        Udp::<B>::new,
        invalid(Op::Set(O::PathMtu), Bad::NotWritable(O::PathMtu)),
        |u| u.conn.backend().set(O::PathMtu, OptionValue::Mtu(1280)),
        Udp::echo,
    );
    for option in [O::JoinGroup, O::BlockSource, O::AttachFilter] {
        t.socket::<B, _, _>(
            format!("backend get({option:?}): write only"),
            Udp::<B>::new,
            invalid(Op::Get(option), Bad::NotReadable(option)),
            |u| u.conn.backend().get(option),
            memberships_work::<B>,
        );
    }
}

fn path_mtu<B: Backend>(t: &mut Table) {
    // IPV6_PATHMTU through libc, IPV6_MTU through rustix: one answer.
    t.socket::<B, _, _>(
        "Conn::path_mtu on an unconnected UDP socket",
        Udp::<B>::new,
        os(Op::Get(O::PathMtu), libc::ENOTCONN),
        |u| Conn::new(B::wrap(u.socket())).unwrap().path_mtu(),
        Udp::echo,
    );
}

fn families<B: Backend>(t: &mut Table) {
    let inet = Bad::NotIpv6Socket(libc::AF_INET as u16);
    t.socket::<B, _, _>(
        "PacketConn::new(IPv4 UDP socket)",
        Ipv4::new,
        invalid(Op::SocketFamily, inet),
        |v4| PacketConn::new(B::wrap(&v4.socket)).map(drop),
        Ipv4::echo,
    );
    t.socket::<B, _, _>(
        "Conn::new(IPv4 UDP socket)",
        Ipv4::new,
        invalid(Op::SocketFamily, inet),
        |v4| Conn::new(B::wrap(&v4.socket)).map(drop),
        Ipv4::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::new(Unix datagram socket)",
        || UnixDatagram::pair().unwrap(),
        invalid(Op::SocketFamily, Bad::NotIpv6Socket(libc::AF_UNIX as u16)),
        |(a, _)| PacketConn::new(B::wrap(a)).map(drop),
        |(a, b)| {
            a.send(b"ping").unwrap();
            let mut buf = [0; 4];
            assert_eq!(b.recv(&mut buf).unwrap(), 4);
        },
    );
    // The backend alone does not check: IPv4's setsockopt knows no
    // IPPROTO_IPV6 options.
    t.socket::<B, _, _>(
        "backend set(HopLimit) on an IPv4 socket",
        Ipv4::new,
        os(Op::Set(O::HopLimit), libc::ENOPROTOOPT),
        |v4| B::wrap(&v4.socket).set(O::HopLimit, OptionValue::Int(1)),
        Ipv4::echo,
    );
    // An IPv4 sender has no IPv6 form: no source rather than a wrong one.
    t.socket::<B, _, _>(
        "backend recv_msg on an IPv4 socket",
        Ipv4::new,
        Ok::<_, Error>((4, None)),
        |v4| {
            v4.peer
                .send_to(b"ping", v4.socket.local_addr().unwrap())
                .unwrap();
            let meta = B::wrap(&v4.socket).recv_msg(&mut [&mut [0; 8]], &mut [])?;
            Ok((meta.len, meta.source))
        },
        Ipv4::echo,
    );
}

fn raw<B: Backend>(t: &mut Table) {
    const EXPERIMENTAL: libc::c_int = 253; // RFC 3692
    let names = [
        "raw PacketConn::set_checksum(Some(1))",
        "raw PacketConn::set_icmp_filter on a non-ICMPv6 socket",
        "raw ICMPv6 PacketConn::set_checksum(Some(3))",
        "raw ICMPv6 PacketConn::set_checksum(Some(4)) moves the checksum",
    ];
    if !root_or_skip() {
        names.into_iter().for_each(|name| t.skip(name));
        return;
    }
    let checksum_works = |r: &Raw<B>| {
        assert_eq!(
            r.conn.checksum(),
            kernel::<B, _>(Op::Get(O::Checksum), Ok(None))
        );
        assert_eq!(
            r.conn.set_checksum(Some(4)),
            kernel::<B, _>(Op::Set(O::Checksum), Ok(()))
        );
        assert_eq!(
            r.conn.checksum(),
            kernel::<B, _>(Op::Get(O::Checksum), Ok(Some(4)))
        );
    };
    t.socket::<B, _, _>(
        names[0],
        || Raw::<B>::new(EXPERIMENTAL),
        invalid(Op::Set(O::Checksum), Bad::ChecksumOffset(1)),
        |r| r.conn.set_checksum(Some(1)),
        checksum_works,
    );
    t.socket::<B, _, _>(
        names[1],
        || Raw::<B>::new(EXPERIMENTAL),
        kernel::<B, ()>(
            Op::Set(O::IcmpFilter),
            os(Op::Set(O::IcmpFilter), libc::EOPNOTSUPP),
        ),
        |r| r.conn.set_icmp_filter(&IcmpFilter::BLOCK_ALL),
        checksum_works,
    );
    let filter_works = |r: &Raw<B>| {
        let filter = IcmpFilter::BLOCK_ALL;
        assert_eq!(
            r.conn.set_icmp_filter(&filter),
            kernel::<B, _>(Op::Set(O::IcmpFilter), Ok(()))
        );
        assert_eq!(
            r.conn.icmp_filter(),
            kernel::<B, _>(Op::Get(O::IcmpFilter), Ok(filter))
        );
    };
    t.socket::<B, _, _>(
        names[2],
        || Raw::<B>::new(libc::IPPROTO_ICMPV6),
        invalid(Op::Set(O::Checksum), Bad::ChecksumOffset(3)),
        |r| r.conn.set_checksum(Some(3)),
        filter_works,
    );
    // RFC 3542 has the kernel refuse this on ICMPv6 sockets, and the BSDs
    // do; Linux, where the option lives at level IPPROTO_RAW, accepts it.
    t.socket::<B, _, _>(
        names[3],
        || Raw::<B>::new(libc::IPPROTO_ICMPV6),
        (
            kernel::<B, ()>(Op::Set(O::Checksum), Ok(())),
            kernel::<B, _>(Op::Get(O::Checksum), Ok(Some(4))),
        ),
        |r| (r.conn.set_checksum(Some(4)), r.conn.checksum()),
        filter_works,
    );
}
