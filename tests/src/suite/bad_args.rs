//! Bad arguments fail with the same typed errors on every backend, and the
//! socket stays usable afterwards.

use std::net::Ipv6Addr;

use ipv6_core::backend::BPF_MAX_INSTRUCTIONS;
use ipv6_core::{
    BpfInstruction, Conn, ControlFlags, ControlMessage, Error, IcmpType, InvalidArgument as Bad,
    Operation as Op, PacketConn, Platform, RecvMessage, SocketOption as O,
};

use super::sockets::{ICMPV6, Sock, ipv4_udp};
use super::topology::{Pair, ip};
use super::unicast::{HELLO, set_flags};
use super::wire::icmp_message;
use super::{Backend, Outcome, must, must_fail};
use crate::netns::Netns;

/// No link has this index in a fresh namespace.
const NO_SUCH_LINK: u32 = 9999;

fn invalid(op: Op, why: Bad) -> Error {
    Error::InvalidArgument(op, why)
}

/// Every argument check `PacketConn` makes before a system call, on `s`.
fn reject_all<B: Backend>(s: &Sock<B>) {
    let group = ip("ff0e::114");
    let unicast = ip("2001:db8::1");
    let pure = |op, result: ipv6_core::Result<()>, why| {
        must_fail::<B, _>(&[op], false, result, invalid(op, why))
    };
    for bad in [-2, 256, i32::MIN, i32::MAX] {
        pure(
            Op::Set(O::HopLimit),
            s.set_hop_limit(bad),
            Bad::HopLimit(bad),
        );
        pure(
            Op::Set(O::MulticastHopLimit),
            s.set_multicast_hop_limit(bad),
            Bad::HopLimit(bad),
        );
        pure(
            Op::Set(O::TrafficClass),
            s.set_traffic_class(bad),
            Bad::TrafficClass(bad),
        );
    }
    pure(
        Op::Set(O::JoinGroup),
        s.join_group(None, unicast),
        Bad::NotMulticast(unicast),
    );
    pure(
        Op::Set(O::LeaveGroup),
        s.leave_group(None, unicast),
        Bad::NotMulticast(unicast),
    );
    pure(
        Op::Set(O::JoinSourceGroup),
        s.join_source_specific_group(None, unicast, unicast),
        Bad::NotMulticast(unicast),
    );
    for source in [Ipv6Addr::UNSPECIFIED, ip("ff02::1")] {
        pure(
            Op::Set(O::JoinSourceGroup),
            s.join_source_specific_group(None, group, source),
            Bad::BadSource(source),
        );
        pure(
            Op::Set(O::BlockSource),
            s.exclude_source_specific_group(None, group, source),
            Bad::BadSource(source),
        );
    }
    pure(
        Op::Set(O::JoinGroup),
        s.join_group(Some(0), group),
        Bad::InterfaceIndexZero,
    );
    pure(
        Op::Set(O::MulticastInterface),
        s.set_multicast_interface(Some(0)),
        Bad::InterfaceIndexZero,
    );
    // Whether an index exists is the kernel's to say.
    must_fail::<B, _>(
        &[Op::InterfaceExists],
        true,
        s.join_group(Some(NO_SUCH_LINK), group),
        invalid(Op::Set(O::JoinGroup), Bad::NoSuchInterface(NO_SUCH_LINK)),
    );
    must_fail::<B, _>(
        &[Op::InterfaceExists],
        true,
        s.set_multicast_interface(Some(NO_SUCH_LINK)),
        invalid(
            Op::Set(O::MulticastInterface),
            Bad::NoSuchInterface(NO_SUCH_LINK),
        ),
    );
    pure(
        Op::Set(O::Checksum),
        s.set_checksum(Some(3)),
        Bad::ChecksumOffset(3),
    );
    pure(
        Op::Set(O::AttachFilter),
        s.set_bpf(&[]),
        Bad::BpfProgramLength(0),
    );
    let too_long = vec![BpfInstruction::default(); BPF_MAX_INSTRUCTIONS + 1];
    pure(
        Op::Set(O::AttachFilter),
        s.set_bpf(&too_long),
        Bad::BpfProgramLength(BPF_MAX_INSTRUCTIONS + 1),
    );
    let mapped = ip("::ffff:224.0.0.1");
    pure(
        Op::Set(O::JoinGroup),
        s.join_group(None, mapped),
        Bad::Ipv4Mapped(mapped),
    );
    let from_mapped = ControlMessage {
        src: Some(ip("::ffff:127.0.0.1")),
        ..ControlMessage::default()
    };
    must_fail::<B, _>(
        &[Op::SendMsg],
        false,
        s.write_to(b"x", Some(&from_mapped), Some(&s.local())),
        invalid(Op::SendMsg, Bad::Ipv4Mapped(from_mapped.src.unwrap())),
    );
    if set_flags(s, ControlFlags::HOP_LIMIT, true) {
        let needed = ControlFlags::HOP_LIMIT.space(&Platform::HOST);
        let mut buf = [0u8; 16];
        let mut batch = [RecvMessage::new(&mut buf, &mut [])];
        must_fail::<B, _>(
            &[Op::RecvBatch],
            false,
            s.read_batch(&mut batch),
            invalid(
                Op::RecvBatch,
                Bad::ControlBufferTooSmall {
                    needed,
                    available: 0,
                },
            ),
        );
        set_flags(s, ControlFlags::HOP_LIMIT, false);
    }
    let many = [&b"x"[..]; 17];
    let given = Bad::TooManyBuffers { given: 17, max: 16 };
    must_fail::<B, _>(
        &[Op::SendMsg],
        false,
        s.write_msg(&many, None, Some(&s.local())),
        invalid(Op::SendMsg, given),
    );
    let mut bufs = [[0u8; 4]; 17];
    let mut many: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
    must_fail::<B, _>(
        &[Op::RecvMsg],
        false,
        s.read_msg(&mut many),
        invalid(Op::RecvMsg, given),
    );
}

/// Whether `result` is the kernel's `errno` for `op` (true), or the
/// `Unsupported(op)` this build declares (false); panics otherwise.
#[track_caller]
fn must_fail_or_unsupported<B: Backend>(
    op: Op,
    result: &ipv6_core::Result<()>,
    errno: i32,
) -> bool {
    if !super::supports::<B>(&[op]) {
        assert_eq!(result, &Err(Error::Unsupported(op)), "[{}]", B::NAME);
        return false;
    }
    assert_eq!(result, &Err(Error::Os { op, errno }), "[{}]", B::NAME);
    true
}

/// Still works: options set and read back, `payload` sent to itself.
fn still_usable<B: Backend>(s: &Sock<B>, payload: &[u8]) -> Outcome {
    must::<B, _>(&[Op::Set(O::HopLimit)], s.set_hop_limit(5))?;
    if let Some(v) = must::<B, _>(&[Op::Get(O::HopLimit)], s.hop_limit()) {
        assert_eq!(v, 5, "[{}]", B::NAME);
    }
    s.send(payload, None, s.local())?;
    assert_eq!(s.recv()?.payload, payload, "[{}]", B::NAME);
    Some(())
}

/// Out-of-range values, non-multicast groups, bad sources, interface 0 and
/// missing interfaces, odd checksum offsets, empty and oversized BPF
/// programs, too many buffers: each rejected with its typed error, on UDP and
/// raw sockets, which then still work.
pub fn bad_arguments_rejected<B: Backend>(ns: &Netns) -> Outcome {
    Pair::new(ns, "va", "vb", 1); // links exist, just not NO_SUCH_LINK
    let udp = Sock::<B>::udp_loopback();
    reject_all(&udp);
    still_usable(&udp, HELLO)?;
    let raw = Sock::<B>::raw(ICMPV6, Some(Ipv6Addr::LOCALHOST));
    reject_all(&raw);
    // Checksummed here; the kernel computes the same sum.
    let lo = Some((Ipv6Addr::LOCALHOST, Ipv6Addr::LOCALHOST));
    still_usable(&raw, &icmp_message(IcmpType::ECHO_REPLY, 1, 1, HELLO, lo))
}

/// An IPv4 socket is refused by both wrappers, naming its family.
pub fn bad_arguments_ipv4_socket<B: Backend>(_: &Netns) -> Outcome {
    let want = invalid(Op::SocketFamily, Bad::NotIpv6Socket(libc::AF_INET as u16));
    let fd = ipv4_udp();
    must_fail::<B, _>(
        &[Op::SocketFamily],
        true,
        PacketConn::new(B::wrap(&fd)).map(drop),
        want,
    );
    must_fail::<B, _>(
        &[Op::SocketFamily],
        true,
        Conn::new(B::wrap(&fd)).map(drop),
        want,
    );
    Some(())
}

/// Refusals by the kernel come back as `Error::Os` naming the operation:
/// joining a group twice, leaving one never joined, an option the socket
/// type lacks, a would-block read. Each prints the method, the C option,
/// the system's text with the errno's name, and a hint where the cause is
/// certain; `std::io::Error::from` keeps all of it under the right kind.
pub fn kernel_errors_are_typed<B: Backend>(ns: &Netns) -> Outcome {
    let link = Pair::new(ns, "va", "vb", 1);
    let s = Sock::<B>::udp_loopback();
    let group = ip("ff0e::114");
    must::<B, _>(
        &[Op::Set(O::JoinGroup)],
        s.join_group(Some(link.b_index), group),
    )?;
    let twice = s.join_group(Some(link.b_index), group);
    assert_eq!(
        twice,
        Err(Error::Os {
            op: Op::Set(O::JoinGroup),
            errno: libc::EADDRINUSE
        }),
        "[{}] joining twice",
        B::NAME
    );
    let twice = twice.unwrap_err();
    assert_eq!(
        twice.to_string(),
        "join_group (MCAST_JOIN_GROUP): Address already in use (EADDRINUSE, os error 98); \
         the socket is already a member of this group on this interface"
    );
    let io = std::io::Error::from(twice);
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
    assert_eq!(io.to_string(), twice.to_string());
    let inner = io.get_ref().and_then(|e| e.downcast_ref::<Error>());
    assert_eq!(inner, Some(&twice), "the io::Error keeps the operation");

    // IPV6_CHECKSUM and ICMP6_FILTER on a UDP socket.
    let checksum = s.set_checksum(Some(2));
    if must_fail_or_unsupported::<B>(Op::Set(O::Checksum), &checksum, libc::ENOPROTOOPT) {
        let e = checksum.unwrap_err();
        assert!(
            e.to_string().starts_with(
                "set_checksum (IPV6_CHECKSUM): Protocol not available (ENOPROTOOPT, os error 92); \
             IPV6_CHECKSUM needs a raw socket"
            ),
            "{e}"
        );
    }
    let filter = s.set_icmp_filter(&ipv6_core::IcmpFilter::PASS_ALL);
    if must_fail_or_unsupported::<B>(Op::Set(O::IcmpFilter), &filter, libc::ENOPROTOOPT) {
        let hint = filter.unwrap_err().hint();
        assert!(
            hint.is_some_and(|h| h.contains("raw ICMPv6 socket")),
            "{hint:?}"
        );
    }

    // Nothing to read on a non-blocking socket.
    must::<B, _>(&[Op::SetNonblocking], s.set_nonblocking(true))?;
    let mut buf = [0u8; 8];
    let empty = s.read_from(&mut buf).unwrap_err();
    assert!(
        empty.is_would_block() && empty.is_timeout(),
        "[{}] {empty:?}",
        B::NAME
    );
    assert!(!empty.is_interrupted());
    assert_eq!(empty.operation(), Some(Op::RecvMsg));
    let io = std::io::Error::from(empty);
    assert_eq!(
        io.kind(),
        std::io::ErrorKind::WouldBlock,
        "as async runtimes need"
    );
    assert!(io.to_string().starts_with("read_from: "), "{io}");
    must::<B, _>(&[Op::SetNonblocking], s.set_nonblocking(false))?;
    must::<B, _>(
        &[Op::Set(O::LeaveGroup)],
        s.leave_group(Some(link.b_index), group),
    )?;
    assert_eq!(
        s.leave_group(Some(link.b_index), group),
        Err(Error::Os {
            op: Op::Set(O::LeaveGroup),
            errno: libc::EADDRNOTAVAIL
        }),
        "[{}] leaving twice",
        B::NAME
    );
    let hint = s.leave_group(Some(link.b_index), group).unwrap_err().hint();
    assert_eq!(
        hint,
        Some("the socket is not a member of this group on this interface")
    );
    still_usable(&s, HELLO)
}
