//! Compile-time proof that [`Platform::HOST`] agrees with the `libc` crate
//! on the build target: every constant libc defines for the option table
//! and the control-message types, and the size and field offsets of every
//! struct the encoders write. A wrong table row fails the build here.
//!
//! libc lacks a few items on every target; they are checked elsewhere:
//! `ICMP6_FILTER`/`ICMPV6_FILTER`, `struct icmp6_filter` and
//! `struct ip6_mtuinfo` (the kernel tests read and write them), and on the
//! BSDs `IPV6_RECVPATHMTU`/`IPV6_PATHMTU`. Per-target gaps are listed in
//! each module.
#![allow(
    dead_code,
    reason = "the helpers are used only in `const _` assertions, which rustc before 1.89 does not count as uses"
)]

use core::mem::{offset_of, size_of};

use ipv6_core::option::OptionShape;
use ipv6_core::platform::{
    ControlType, Endian, IPPROTO_ICMPV6, IPPROTO_IPV6, IPPROTO_RAW, IPPROTO_UDP, SockaddrStyle,
};
use ipv6_core::{Platform, SocketOption};
use libc::c_int;

const HOST: Platform = Platform::HOST;

/// The row for `option` is (`level`, `name`) and its value is laid out as
/// `shape`.
const fn row(option: SocketOption, level: c_int, name: c_int, shape: OptionShape) -> bool {
    match HOST.sockopt(option) {
        Some(r) => {
            r.level == level && r.name == name && HOST.option_shape(option) as u8 == shape as u8
        }
        None => false,
    }
}

/// An `int` option at `IPPROTO_IPV6`.
const fn v6_int(option: SocketOption, name: c_int) -> bool {
    row(option, libc::IPPROTO_IPV6, name, OptionShape::Int)
}

/// The control-message type for `kind` is `ty`.
const fn cmsg(kind: ControlType, ty: c_int) -> bool {
    matches!(HOST.cmsg_type(kind), Some(t) if t == ty)
}

/// The control message of `kind` is (`level`, `ty`).
const fn cmsg_at(kind: ControlType, level: c_int, ty: c_int) -> bool {
    matches!(HOST.cmsg(kind), Some((l, t)) if l == level && t == ty)
}

/// `CMSG_LEN` and `CMSG_SPACE` of libc agree with the table's arithmetic
/// for every payload length the library uses.
const fn cmsg_macros_agree() -> bool {
    let lens = [0usize, 1, 4, 20, 28, 32];
    let mut i = 0;
    while i < lens.len() {
        let n = lens[i];
        // SAFETY: CMSG_LEN and CMSG_SPACE are pure arithmetic on `n`.
        let (len, space) = unsafe { (libc::CMSG_LEN(n as _), libc::CMSG_SPACE(n as _)) };
        if len as usize != HOST.cmsg_layout.len(n) || space as usize != HOST.cmsg_layout.space(n) {
            return false;
        }
        i += 1;
    }
    true
}

// Shared by every target.
const _: () = {
    assert!(libc::AF_INET6 as u16 == HOST.af_inet6);
    assert!(libc::IPPROTO_IPV6 == IPPROTO_IPV6);
    assert!(libc::IPPROTO_ICMPV6 == IPPROTO_ICMPV6);
    assert!(libc::IPPROTO_RAW == IPPROTO_RAW);
    assert!(matches!(
        (HOST.endian, Endian::NATIVE),
        (Endian::Little, Endian::Little) | (Endian::Big, Endian::Big)
    ));

    assert!(v6_int(SocketOption::TrafficClass, libc::IPV6_TCLASS));
    assert!(v6_int(SocketOption::HopLimit, libc::IPV6_UNICAST_HOPS));
    assert!(v6_int(
        SocketOption::MulticastInterface,
        libc::IPV6_MULTICAST_IF
    ));
    assert!(v6_int(
        SocketOption::MulticastHopLimit,
        libc::IPV6_MULTICAST_HOPS
    ));
    assert!(v6_int(
        SocketOption::MulticastLoopback,
        libc::IPV6_MULTICAST_LOOP
    ));
    assert!(v6_int(
        SocketOption::ReceiveTrafficClass,
        libc::IPV6_RECVTCLASS
    ));
    assert!(v6_int(
        SocketOption::ReceivePacketInfo,
        libc::IPV6_RECVPKTINFO
    ));
    assert!(cmsg(ControlType::TrafficClass, libc::IPV6_TCLASS));
    assert!(cmsg(ControlType::PacketInfo, libc::IPV6_PKTINFO));
    assert!(libc::IPPROTO_UDP == IPPROTO_UDP);

    // cmsghdr: `cmsg_len` is `len_size` wide, then two ints.
    assert!(size_of::<libc::cmsghdr>() == HOST.cmsg_layout.header_len);
    assert!(offset_of!(libc::cmsghdr, cmsg_level) == HOST.cmsg_layout.len_size);
    assert!(offset_of!(libc::cmsghdr, cmsg_type) == HOST.cmsg_layout.len_size + 4);
    assert!(cmsg_macros_agree());

    // sockaddr_in6, after the family: port, flowinfo, address, scope.
    let l = HOST.layouts;
    assert!(size_of::<libc::sockaddr_in6>() == l.sockaddr_in6);
    assert!(offset_of!(libc::sockaddr_in6, sin6_port) == 2);
    assert!(offset_of!(libc::sockaddr_in6, sin6_flowinfo) == 4);
    assert!(offset_of!(libc::sockaddr_in6, sin6_addr) == 8);
    assert!(offset_of!(libc::sockaddr_in6, sin6_scope_id) == 24);
    assert!(size_of::<libc::sockaddr_storage>() == l.sockaddr_storage);
    assert!(size_of::<libc::in6_pktinfo>() == l.in6_pktinfo);
    assert!(offset_of!(libc::in6_pktinfo, ipi6_ifindex) == 16);
    assert!(size_of::<libc::ipv6_mreq>() == l.ipv6_mreq);
    assert!(offset_of!(libc::ipv6_mreq, ipv6mr_interface) == 16);
};

/// `sin6_family` sits where the table's style says: a 16-bit field first
/// on Linux, Android and illumos, after `sin6_len` on the BSDs.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "illumos",
    target_os = "solaris"
))]
const _: () = {
    assert!(matches!(
        HOST.layouts.sockaddr_style,
        SockaddrStyle::FamilyU16
    ));
    assert!(offset_of!(libc::sockaddr_in6, sin6_family) == 0);
};
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "illumos",
    target_os = "solaris"
)))]
const _: () = {
    assert!(matches!(
        HOST.layouts.sockaddr_style,
        SockaddrStyle::LenAndFamilyU8
    ));
    assert!(offset_of!(libc::sockaddr_in6, sin6_len) == 0);
    assert!(offset_of!(libc::sockaddr_in6, sin6_family) == 1);
};

/// RFC 3678 `group_req`/`group_source_req`, where libc has them (Linux,
/// Android, FreeBSD, Darwin; NetBSD, OpenBSD and DragonFly have neither the
/// structs nor the `MCAST_*` options, and libc lacks illumos's).
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_vendor = "apple"
))]
const _: () = {
    let l = HOST.layouts;
    assert!(size_of::<libc::group_req>() == l.group_req);
    assert!(offset_of!(libc::group_req, gr_group) == l.group_req_group);
    assert!(size_of::<libc::group_source_req>() == l.group_source_req);
    assert!(offset_of!(libc::group_source_req, gsr_group) == l.group_req_group);
    assert!(
        offset_of!(libc::group_source_req, gsr_source) == l.group_req_group + l.sockaddr_storage
    );

    use OptionShape::{GroupReq, GroupSourceReq};
    let v6 = libc::IPPROTO_IPV6;
    assert!(row(
        SocketOption::JoinGroup,
        v6,
        libc::MCAST_JOIN_GROUP,
        GroupReq
    ));
    assert!(row(
        SocketOption::LeaveGroup,
        v6,
        libc::MCAST_LEAVE_GROUP,
        GroupReq
    ));
    assert!(row(
        SocketOption::JoinSourceGroup,
        v6,
        libc::MCAST_JOIN_SOURCE_GROUP,
        GroupSourceReq
    ));
    assert!(row(
        SocketOption::LeaveSourceGroup,
        v6,
        libc::MCAST_LEAVE_SOURCE_GROUP,
        GroupSourceReq
    ));
    assert!(row(
        SocketOption::BlockSource,
        v6,
        libc::MCAST_BLOCK_SOURCE,
        GroupSourceReq
    ));
    assert!(row(
        SocketOption::UnblockSource,
        v6,
        libc::MCAST_UNBLOCK_SOURCE,
        GroupSourceReq
    ));
};

/// Linux and Android: everything libc has. `ICMPV6_FILTER` (1,
/// `<linux/icmpv6.h>`) is absent from libc.
#[cfg(any(target_os = "linux", target_os = "android"))]
const _: () = {
    use crate::option::SockFprog;
    use ipv6_core::backend::BpfInstruction;

    assert!(v6_int(
        SocketOption::ReceiveHopLimit,
        libc::IPV6_RECVHOPLIMIT
    ));
    assert!(v6_int(SocketOption::ReceivePathMtu, libc::IPV6_RECVPATHMTU));
    assert!(row(
        SocketOption::PathMtu,
        libc::IPPROTO_IPV6,
        libc::IPV6_PATHMTU,
        OptionShape::MtuInfo
    ));
    // Linux takes IPV6_CHECKSUM at level SOL_RAW (= IPPROTO_RAW).
    assert!(row(
        SocketOption::Checksum,
        libc::SOL_RAW,
        libc::IPV6_CHECKSUM,
        OptionShape::Int
    ));
    assert!(libc::SOL_RAW == IPPROTO_RAW);
    assert!(row(
        SocketOption::AttachFilter,
        libc::SOL_SOCKET,
        libc::SO_ATTACH_FILTER,
        OptionShape::SockFprog
    ));
    assert!(cmsg(ControlType::HopLimit, libc::IPV6_HOPLIMIT));
    assert!(cmsg(ControlType::NextHop, libc::IPV6_NEXTHOP));
    assert!(cmsg(ControlType::PathMtu, libc::IPV6_PATHMTU));

    // Beyond Go: don't-fragment, path MTU discovery modes, the error queue,
    // UDP GSO and GRO (the last two at level SOL_UDP).
    assert!(v6_int(SocketOption::DontFragment, libc::IPV6_DONTFRAG));
    assert!(v6_int(SocketOption::MtuDiscover, libc::IPV6_MTU_DISCOVER));
    assert!(v6_int(SocketOption::ReceiveErrors, libc::IPV6_RECVERR));
    assert!(libc::SOL_UDP == IPPROTO_UDP);
    assert!(row(
        SocketOption::GsoSegmentSize,
        libc::SOL_UDP,
        libc::UDP_SEGMENT,
        OptionShape::Int
    ));
    assert!(row(
        SocketOption::ReceiveSegmentSize,
        libc::SOL_UDP,
        libc::UDP_GRO,
        OptionShape::Int
    ));
    assert!(cmsg_at(
        ControlType::DontFragment,
        libc::IPPROTO_IPV6,
        libc::IPV6_DONTFRAG
    ));
    assert!(cmsg_at(
        ControlType::UdpSegment,
        libc::SOL_UDP,
        libc::UDP_SEGMENT
    ));
    assert!(cmsg_at(ControlType::UdpGro, libc::SOL_UDP, libc::UDP_GRO));
    assert!(cmsg_at(
        ControlType::RecvErr,
        libc::IPPROTO_IPV6,
        libc::IPV6_RECVERR
    ));
    assert!(size_of::<libc::sock_extended_err>() == HOST.layouts.sock_extended_err);
    assert!(offset_of!(libc::sock_extended_err, ee_origin) == 4);
    assert!(offset_of!(libc::sock_extended_err, ee_type) == 5);
    assert!(offset_of!(libc::sock_extended_err, ee_code) == 6);
    assert!(offset_of!(libc::sock_extended_err, ee_info) == 8);
    assert!(offset_of!(libc::sock_extended_err, ee_data) == 12);
    assert!(libc::SO_EE_ORIGIN_ICMP6 == 3 && libc::SO_EE_ORIGIN_LOCAL == 1);

    // core's BpfInstruction is `struct sock_filter`, and SockFprog is `struct sock_fprog`.
    assert!(size_of::<BpfInstruction>() == size_of::<libc::sock_filter>());
    assert!(offset_of!(BpfInstruction, code) == offset_of!(libc::sock_filter, code));
    assert!(offset_of!(BpfInstruction, jt) == offset_of!(libc::sock_filter, jt));
    assert!(offset_of!(BpfInstruction, jf) == offset_of!(libc::sock_filter, jf));
    assert!(offset_of!(BpfInstruction, k) == offset_of!(libc::sock_filter, k));
    assert!(size_of::<SockFprog>() == size_of::<libc::sock_fprog>());
    assert!(offset_of!(SockFprog, len) == offset_of!(libc::sock_fprog, len));
    assert!(offset_of!(SockFprog, filter) == offset_of!(libc::sock_fprog, filter));
};

/// FreeBSD and Darwin: `IPV6_CHECKSUM` at `IPPROTO_IPV6`; `IPV6_RECVHOPLIMIT`
/// and `IPV6_HOPLIMIT` present. `IPV6_NEXTHOP` (48), `IPV6_RECVPATHMTU`
/// (43), `IPV6_PATHMTU` (44) and `ICMP6_FILTER` (18) are absent from libc
/// (`<netinet6/in6.h>`, `<netinet/icmp6.h>`).
#[cfg(any(target_os = "freebsd", target_vendor = "apple"))]
const _: () = {
    assert!(v6_int(
        SocketOption::ReceiveHopLimit,
        libc::IPV6_RECVHOPLIMIT
    ));
    assert!(v6_int(SocketOption::Checksum, libc::IPV6_CHECKSUM));
    assert!(cmsg(ControlType::HopLimit, libc::IPV6_HOPLIMIT));
};

/// No BSD has `SO_ATTACH_FILTER` (BPF is a device there), and Go wires it
/// on Linux only. Nor do they have UDP GSO/GRO, `IPV6_MTU_DISCOVER` or an
/// error queue; every one of them, Darwin and illumos have `IPV6_DONTFRAG`,
/// as an option and as ancillary data.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const _: () = {
    assert!(HOST.sockopt(SocketOption::AttachFilter).is_none());
    assert!(HOST.sockopt(SocketOption::GsoSegmentSize).is_none());
    assert!(HOST.sockopt(SocketOption::ReceiveSegmentSize).is_none());
    assert!(HOST.sockopt(SocketOption::MtuDiscover).is_none());
    assert!(HOST.sockopt(SocketOption::ReceiveErrors).is_none());
    assert!(HOST.cmsg(ControlType::RecvErr).is_none());
    assert!(v6_int(SocketOption::DontFragment, libc::IPV6_DONTFRAG));
    assert!(cmsg(ControlType::DontFragment, libc::IPV6_DONTFRAG));
};

/// NetBSD, OpenBSD and DragonFly: RFC 3493 membership only. libc lacks
/// `IPV6_RECVHOPLIMIT` (37), `IPV6_HOPLIMIT` (47), `IPV6_CHECKSUM` (26),
/// `IPV6_NEXTHOP` (48), `IPV6_RECVPATHMTU` (43), `IPV6_PATHMTU` (44) and
/// `ICMP6_FILTER` (18) for NetBSD and OpenBSD (`<netinet6/in6.h>`,
/// `<netinet/icmp6.h>`); DragonFly's are checked below.
#[cfg(any(target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly"))]
const _: () = {
    let v6 = libc::IPPROTO_IPV6;
    assert!(row(
        SocketOption::JoinGroup,
        v6,
        libc::IPV6_JOIN_GROUP,
        OptionShape::Mreq
    ));
    assert!(row(
        SocketOption::LeaveGroup,
        v6,
        libc::IPV6_LEAVE_GROUP,
        OptionShape::Mreq
    ));
    assert!(HOST.sockopt(SocketOption::JoinSourceGroup).is_none());
    assert!(HOST.sockopt(SocketOption::LeaveSourceGroup).is_none());
    assert!(HOST.sockopt(SocketOption::BlockSource).is_none());
    assert!(HOST.sockopt(SocketOption::UnblockSource).is_none());
};

/// DragonFly: libc has `IPV6_RECVHOPLIMIT`, `IPV6_HOPLIMIT` and
/// `IPV6_CHECKSUM`; it lacks `ICMP6_FILTER` (18), `IPV6_RECVPATHMTU` (43),
/// `IPV6_PATHMTU` (44) and `IPV6_NEXTHOP` (48) (`sys/netinet6/in6.h`, x/sys
/// `zerrors_dragonfly_amd64.go`). The group structs do not exist there.
#[cfg(target_os = "dragonfly")]
const _: () = {
    assert!(v6_int(
        SocketOption::ReceiveHopLimit,
        libc::IPV6_RECVHOPLIMIT
    ));
    assert!(v6_int(SocketOption::Checksum, libc::IPV6_CHECKSUM));
    assert!(cmsg(ControlType::HopLimit, libc::IPV6_HOPLIMIT));
};

/// illumos: libc has `IPV6_HOPLIMIT` and `sockaddr_storage`, but none of
/// `IPV6_RECVHOPLIMIT` (0x13), `IPV6_CHECKSUM` (0x18), `IPV6_RECVPATHMTU`
/// (0x24), `IPV6_PATHMTU` (0x25), `IPV6_NEXTHOP` (0xd), `ICMP6_FILTER` (1),
/// the `MCAST_*` options (0x29..=0x2e) or the group structs; those come from
/// illumos-gate `netinet/in.h` and x/sys `zerrors_solaris_amd64.go`.
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
const _: () = {
    assert!(cmsg(ControlType::HopLimit, libc::IPV6_HOPLIMIT));
    assert!(HOST.layouts.sockaddr_storage == size_of::<libc::sockaddr_storage>());
    assert!(offset_of!(libc::sockaddr_in6, __sin6_src_id) == 28);
};

/// The table's `batch_syscalls` is what `batch.rs` compiles for.
const _: () = assert!(
    HOST.batch_syscalls
        == cfg!(any(
            target_os = "linux",
            target_os = "android",
            target_os = "freebsd",
            target_os = "netbsd",
            target_os = "openbsd"
        ))
);

/// `ipv6_core::errno::HOST` has libc's numbers, row for row in
/// `Errnos::NAMES` order (an added row without its libc constant here is a
/// length mismatch, a type error), and `EWOULDBLOCK` is `EAGAIN`, which
/// `Error::is_would_block` relies on.
const _: () = {
    use ipv6_core::errno::{self, Errnos};
    let libc_values: [c_int; Errnos::NAMES.len()] = [
        libc::EPERM,
        libc::EINTR,
        libc::EIO,
        libc::ENXIO,
        libc::EBADF,
        libc::EAGAIN,
        libc::ENOMEM,
        libc::EACCES,
        libc::EFAULT,
        libc::ENODEV,
        libc::EINVAL,
        libc::EMFILE,
        libc::EPIPE,
        libc::ENOTSOCK,
        libc::EDESTADDRREQ,
        libc::EMSGSIZE,
        libc::EPROTOTYPE,
        libc::ENOPROTOOPT,
        libc::EPROTONOSUPPORT,
        libc::EAFNOSUPPORT,
        libc::EADDRINUSE,
        libc::EADDRNOTAVAIL,
        libc::ENETDOWN,
        libc::ENETUNREACH,
        libc::ECONNRESET,
        libc::ENOBUFS,
        libc::EISCONN,
        libc::ENOTCONN,
        libc::ETIMEDOUT,
        libc::ECONNREFUSED,
        libc::EHOSTUNREACH,
    ];
    let Some(host) = errno::HOST else {
        panic!("no errno table for this OS")
    };
    let ours = host.values();
    let mut i = 0;
    while i < ours.len() {
        assert!(ours[i] == libc_values[i]);
        i += 1;
    }
    assert!(libc::EWOULDBLOCK == libc::EAGAIN);
};
