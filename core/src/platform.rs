//! Per-OS socket facts as data.
//!
//! A [`Platform`] is everything that differs between kernels for this library:
//! the `cmsghdr` framing, option levels and names, struct layouts, the ICMPv6
//! filter's bit polarity and which operations exist at all. Encoders and
//! decoders take a `Platform` argument, so a Linux build can produce and read
//! a FreeBSD or Darwin buffer byte for byte.
//!
//! Every number below is taken from the `libc` crate (0.2.191) for the named
//! target, with golang.org/x/sys/unix `zerrors_*.go` and x/net/ipv6
//! `zsys_*.go` as a second witness. Where `libc` lacks a constant the comment
//! says so and names the header it comes from. The backends assert at compile
//! time that [`Platform::HOST`] agrees with `libc` on the build target.

use crate::option::SocketOption;

/// `IPPROTO_IPV6`: the option and control-message level of IPv6 (41 on every OS).
pub const IPPROTO_IPV6: i32 = 41;
/// `IPPROTO_ICMPV6`: the level of `ICMP6_FILTER` (58 on every OS).
pub const IPPROTO_ICMPV6: i32 = 58;
/// `IPPROTO_RAW`: Linux's level for `IPV6_CHECKSUM` (255 on every OS).
pub const IPPROTO_RAW: i32 = 255;
/// `IPPROTO_UDP`, Linux's `SOL_UDP`: the level of `UDP_SEGMENT` and
/// `UDP_GRO` (17 on every OS; libc `linux_like/mod.rs` `SOL_UDP`).
pub const IPPROTO_UDP: i32 = 17;

/// The operating system a [`Platform`] describes.
///
/// New systems are added as the library grows, so matches need a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Os {
    /// Linux, Android included (bionic uses the kernel's layouts).
    Linux,
    /// FreeBSD.
    FreeBsd,
    /// NetBSD.
    NetBsd,
    /// OpenBSD.
    OpenBsd,
    /// macOS, iOS and the other Darwin systems.
    Darwin,
    /// DragonFly BSD, kernels 5.8 and later.
    DragonFly,
    /// illumos, and Solaris on x86_64.
    Illumos,
}

/// Byte order of integers inside control messages and option values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl Endian {
    /// The byte order of the build target.
    pub const NATIVE: Endian = if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    };

    /// The first `N` bytes of `b`; panics if `b` is shorter, as indexing does.
    #[inline]
    fn first<const N: usize>(b: &[u8]) -> [u8; N] {
        match b.first_chunk::<N>() {
            Some(bytes) => *bytes,
            None => panic!("integer read past the end of the buffer"),
        }
    }

    /// Reads a `u32` at the start of `b` (`b` must hold at least 4 bytes).
    #[inline]
    pub fn read_u32(self, b: &[u8]) -> u32 {
        let raw = Self::first::<4>(b);
        match self {
            Endian::Little => u32::from_le_bytes(raw),
            Endian::Big => u32::from_be_bytes(raw),
        }
    }

    /// Writes `v` to the start of `b` (`b` must hold at least 4 bytes).
    #[inline]
    pub fn write_u32(self, b: &mut [u8], v: u32) {
        let raw = match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        b[..4].copy_from_slice(&raw);
    }

    /// Reads a `u16` at the start of `b` (`b` must hold at least 2 bytes).
    #[inline]
    pub fn read_u16(self, b: &[u8]) -> u16 {
        let raw = Self::first::<2>(b);
        match self {
            Endian::Little => u16::from_le_bytes(raw),
            Endian::Big => u16::from_be_bytes(raw),
        }
    }

    /// Writes `v` to the start of `b` (`b` must hold at least 2 bytes).
    #[inline]
    pub fn write_u16(self, b: &mut [u8], v: u16) {
        let raw = match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        b[..2].copy_from_slice(&raw);
    }

    /// Reads an unsigned integer of `width` bytes (4 or 8) at the start of `b`.
    #[inline]
    pub fn read_uint(self, b: &[u8], width: usize) -> u64 {
        // The two widths every `cmsg_len` has, in one load each.
        match (width, self) {
            (8, Endian::Little) => return u64::from_le_bytes(Self::first(b)),
            (8, Endian::Big) => return u64::from_be_bytes(Self::first(b)),
            (4, _) => return u64::from(self.read_u32(b)),
            _ => {}
        }
        let mut v = 0u64;
        for i in 0..width {
            let byte = match self {
                Endian::Little => b[width - 1 - i],
                Endian::Big => b[i],
            };
            v = (v << 8) | u64::from(byte);
        }
        v
    }

    /// Writes `v` as an unsigned integer of `width` bytes (4 or 8) to the start of `b`.
    #[inline]
    pub fn write_uint(self, b: &mut [u8], width: usize, v: u64) {
        match (width, self) {
            (8, Endian::Little) => return b[..8].copy_from_slice(&v.to_le_bytes()),
            (8, Endian::Big) => return b[..8].copy_from_slice(&v.to_be_bytes()),
            // As the loop below: the low 32 bits.
            (4, _) => return self.write_u32(b, v as u32),
            _ => {}
        }
        for i in 0..width {
            let byte = (v >> (8 * i)) as u8;
            match self {
                Endian::Little => b[i] = byte,
                Endian::Big => b[width - 1 - i] = byte,
            }
        }
    }
}

/// The `cmsghdr` framing of a platform.
///
/// `struct cmsghdr { <len_size> cmsg_len; int cmsg_level; int cmsg_type; }`,
/// data at `align_up(header_len)`, records `CMSG_SPACE` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CmsgLayout {
    /// Width of `cmsg_len` in bytes: `size_t` on Linux, `socklen_t` elsewhere.
    pub len_size: usize,
    /// `sizeof(struct cmsghdr)`.
    pub header_len: usize,
    /// The alignment `CMSG_ALIGN` rounds to (a power of two).
    pub align: usize,
}

impl CmsgLayout {
    /// `CMSG_ALIGN(len)`. Saturates instead of overflowing.
    pub const fn align_up(&self, len: usize) -> usize {
        let mask = self.align - 1;
        match len.checked_add(mask) {
            Some(v) => v & !mask,
            None => usize::MAX & !mask,
        }
    }

    /// Offset of the data from the start of a record (`CMSG_DATA - cmsg`).
    pub const fn data_offset(&self) -> usize {
        self.align_up(self.header_len)
    }

    /// `CMSG_LEN(data_len)`: the value stored in `cmsg_len`.
    pub const fn len(&self, data_len: usize) -> usize {
        self.data_offset() + data_len
    }

    /// `CMSG_SPACE(data_len)`: the bytes one record occupies in a buffer.
    pub const fn space(&self, data_len: usize) -> usize {
        self.data_offset() + self.align_up(data_len)
    }
}

/// How `struct sockaddr_in6` begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockaddrStyle {
    /// `sa_family_t sin6_family` (16 bits), as on Linux.
    FamilyU16,
    /// `uint8_t sin6_len; sa_family_t sin6_family` (8 bits each), as on the BSDs.
    LenAndFamilyU8,
}

/// What a set bit means in the kernel's `struct icmp6_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterPolarity {
    /// A set bit blocks the type (Linux).
    SetBlocks,
    /// A set bit passes the type (BSD, Darwin: RFC 3542's `ICMP6_FILTER_SETPASS`).
    SetPasses,
}

/// The struct a platform's any-source membership options take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupStruct {
    /// RFC 3493 `struct ipv6_mreq` (`IPV6_JOIN_GROUP`, NetBSD and OpenBSD).
    Ipv6Mreq,
    /// RFC 3678 `struct group_req` (`MCAST_JOIN_GROUP`).
    GroupReq,
}

/// One row of a platform's socket option table: where `setsockopt` finds
/// the option. The value's layout follows from the option
/// ([`Platform::option_shape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SockOpt {
    /// `setsockopt` level.
    pub level: i32,
    /// `setsockopt` option name.
    pub name: i32,
}

/// A platform's option table, indexed by [`SocketOption`].
pub type OptionTable = [Option<SockOpt>; SocketOption::COUNT];

/// Declares [`ControlType`] with its list, count and level from one table.
macro_rules! control_types {
    ($($(#[$doc:meta])* $variant:ident: $level:expr,)*) => {
        /// The ancillary data this library encodes and decodes, as indexes
        /// into [`Platform::cmsg_types`]. Each lives at one level on every
        /// OS ([`ControlType::level`]); only its type number is per OS.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(usize)]
        pub enum ControlType {
            $($(#[$doc])* $variant,)*
        }

        impl ControlType {
            /// Every control type, in table order.
            pub const ALL: [ControlType; [$(ControlType::$variant),*].len()] =
                [$(ControlType::$variant),*];
            /// Number of control types in the table.
            pub const COUNT: usize = ControlType::ALL.len();

            /// The `cmsg_level` of records of this type: a protocol number,
            /// the same on every OS.
            pub const fn level(self) -> i32 {
                match self { $(ControlType::$variant => $level,)* }
            }
        }
    };
}

control_types! {
    /// `IPV6_TCLASS`, an `int` (see [`Platform::byte_traffic_class`]).
    TrafficClass: IPPROTO_IPV6,
    /// `IPV6_HOPLIMIT`, an `int`.
    HopLimit: IPPROTO_IPV6,
    /// `IPV6_PKTINFO`, a `struct in6_pktinfo`.
    PacketInfo: IPPROTO_IPV6,
    /// `IPV6_NEXTHOP`, a `struct sockaddr_in6`.
    NextHop: IPPROTO_IPV6,
    /// `IPV6_PATHMTU`, a `struct ip6_mtuinfo`.
    PathMtu: IPPROTO_IPV6,
    /// `IPV6_DONTFRAG` (RFC 3542 section 11.2), an `int` (send only).
    DontFragment: IPPROTO_IPV6,
    /// `UDP_SEGMENT` at level `SOL_UDP`, a `uint16_t` segment size (send only;
    /// Linux 4.18).
    UdpSegment: IPPROTO_UDP,
    /// `UDP_GRO` at level `SOL_UDP`, an `int` segment size of a coalesced
    /// receive (Linux 5.0).
    UdpGro: IPPROTO_UDP,
    /// `IPV6_RECVERR`, a `struct sock_extended_err` and the offender's
    /// `sockaddr_in6`, read from the error queue (Linux).
    RecvErr: IPPROTO_IPV6,
}

/// Byte sizes and offsets of the structs the library encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StructLayouts {
    /// How `sockaddr_in6` begins.
    pub sockaddr_style: SockaddrStyle,
    /// `sizeof(struct sockaddr_in6)`.
    pub sockaddr_in6: usize,
    /// `sizeof(struct in6_pktinfo)`.
    pub in6_pktinfo: usize,
    /// `sizeof(struct ip6_mtuinfo)`.
    pub ip6_mtuinfo: usize,
    /// `sizeof(struct ipv6_mreq)`.
    pub ipv6_mreq: usize,
    /// `sizeof(struct sockaddr_storage)`.
    pub sockaddr_storage: usize,
    /// `offsetof(struct group_req, gr_group)` (the same in `group_source_req`).
    pub group_req_group: usize,
    /// `sizeof(struct group_req)`.
    pub group_req: usize,
    /// `sizeof(struct group_source_req)`.
    pub group_source_req: usize,
    /// `sizeof(struct sock_extended_err)` (16 on Linux); 0 where the OS has
    /// no error queue.
    pub sock_extended_err: usize,
}

/// Everything per-OS this library needs, as data.
///
/// The named constants cover the supported targets; the fields are public so
/// an unlisted target can be described without a new release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platform {
    /// The operating system.
    pub os: Os,
    /// Byte order of integers in control messages and option values.
    pub endian: Endian,
    /// `AF_INET6`.
    pub af_inet6: u16,
    /// `cmsghdr` framing.
    pub cmsg_layout: CmsgLayout,
    /// Struct layouts.
    pub layouts: StructLayouts,
    /// Bit polarity of `struct icmp6_filter`.
    pub filter_polarity: FilterPolarity,
    /// The struct any-source memberships take.
    pub group_struct: GroupStruct,
    /// Socket options, indexed by [`SocketOption`]; `None` where the OS lacks one.
    pub sockopts: OptionTable,
    /// Control message types, indexed by [`ControlType`]; `None` where unsupported.
    pub cmsg_types: [Option<i32>; ControlType::COUNT],
    /// Whether the OS has `recvmmsg`/`sendmmsg`; without them `PacketConn`
    /// batches loop over single messages.
    pub batch_syscalls: bool,
    /// Whether a received `IPV6_TCLASS` record may hold one byte instead of
    /// an `int`. Darwin has been seen to deliver the traffic class of
    /// IPv4 packets on dual-stack sockets so (Apple bug 48761855; quinn-udp
    /// decodes a record of `CMSG_LEN(1)` as a byte on Apple targets only).
    /// Elsewhere an `int` (RFC 3542 section 6.5): Linux's
    /// `ip6_datagram_recv_specific_ctl` and OpenBSD's `ip6_savecontrol`
    /// (`sys/netinet6/ip6_input.c`: `int tclass; sbcreatecontrol(&tclass,
    /// sizeof(tclass), IPV6_TCLASS, IPPROTO_IPV6)`) were read; FreeBSD,
    /// NetBSD and DragonFly share that KAME code; illumos is taken at
    /// RFC 3542's word.
    pub byte_traffic_class: bool,
}

/// Builds an option table from `(option, level, name)` rows; an option
/// without a row is one the OS lacks. Listing an option twice fails to
/// compile.
const fn table(mut t: OptionTable, rows: &[(SocketOption, i32, i32)]) -> OptionTable {
    let mut i = 0;
    while i < rows.len() {
        let (option, level, name) = rows[i];
        assert!(t[option as usize].is_none(), "option listed twice");
        t[option as usize] = Some(SockOpt { level, name });
        i += 1;
    }
    t
}

const EMPTY: OptionTable = [None; SocketOption::COUNT];
const V6: i32 = IPPROTO_IPV6;
use SocketOption as O;

/// Linux's option table (libc `src/unix/linux_like/mod.rs`; `ICMPV6_FILTER = 1`
/// from `<linux/icmpv6.h>`, absent from libc; `SO_ATTACH_FILTER = 26` and
/// `SOL_SOCKET = 1` from `src/unix/linux_like/linux/arch/generic/mod.rs`).
const LINUX_SOCKOPTS: OptionTable = table(
    EMPTY,
    &[
        (O::TrafficClass, V6, 67),                 // IPV6_TCLASS
        (O::HopLimit, V6, 16),                     // IPV6_UNICAST_HOPS
        (O::MulticastInterface, V6, 17),           // IPV6_MULTICAST_IF
        (O::MulticastHopLimit, V6, 18),            // IPV6_MULTICAST_HOPS
        (O::MulticastLoopback, V6, 19),            // IPV6_MULTICAST_LOOP
        (O::ReceiveTrafficClass, V6, 66),          // IPV6_RECVTCLASS
        (O::ReceiveHopLimit, V6, 51),              // IPV6_RECVHOPLIMIT
        (O::ReceivePacketInfo, V6, 49),            // IPV6_RECVPKTINFO
        (O::ReceivePathMtu, V6, 60),               // IPV6_RECVPATHMTU
        (O::PathMtu, V6, 61),                      // IPV6_PATHMTU
        (O::Checksum, IPPROTO_RAW, 7),             // IPV6_CHECKSUM at level SOL_RAW
        (O::IcmpFilter, IPPROTO_ICMPV6, 1),        // ICMPV6_FILTER
        (O::JoinGroup, V6, 42),                    // MCAST_JOIN_GROUP
        (O::LeaveGroup, V6, 45),                   // MCAST_LEAVE_GROUP
        (O::JoinSourceGroup, V6, 46),              // MCAST_JOIN_SOURCE_GROUP
        (O::LeaveSourceGroup, V6, 47),             // MCAST_LEAVE_SOURCE_GROUP
        (O::BlockSource, V6, 43),                  // MCAST_BLOCK_SOURCE
        (O::UnblockSource, V6, 44),                // MCAST_UNBLOCK_SOURCE
        (O::AttachFilter, 1, 26),                  // SOL_SOCKET, SO_ATTACH_FILTER
        (O::DontFragment, V6, 62),                 // IPV6_DONTFRAG
        (O::MtuDiscover, V6, 23),                  // IPV6_MTU_DISCOVER
        (O::ReceiveErrors, V6, 25),                // IPV6_RECVERR
        (O::GsoSegmentSize, IPPROTO_UDP, 103),     // UDP_SEGMENT at level SOL_UDP
        (O::ReceiveSegmentSize, IPPROTO_UDP, 104), // UDP_GRO at level SOL_UDP
    ],
);

/// Linux control types: IPV6_TCLASS 67, IPV6_HOPLIMIT 52, IPV6_PKTINFO 50,
/// IPV6_NEXTHOP 9, IPV6_PATHMTU 61, IPV6_DONTFRAG 62, IPV6_RECVERR 25 (libc
/// `linux_like/mod.rs`; `<linux/in6.h>`), UDP_SEGMENT 103 and UDP_GRO 104
/// (libc `linux_like/linux_l4re_shared.rs`; `<linux/udp.h>`).
const LINUX_CMSGS: [Option<i32>; ControlType::COUNT] = [
    Some(67),
    Some(52),
    Some(50),
    Some(9),
    Some(61),
    Some(62),
    Some(103),
    Some(104),
    Some(25),
];

/// The KAME-derived option numbers the BSDs and Darwin share (libc
/// `src/unix/bsd/mod.rs` for the hop/multicast options, `freebsdlike/mod.rs`
/// for the rest; `IPV6_RECVPATHMTU 43`, `IPV6_PATHMTU 44`, `ICMP6_FILTER 18`
/// are absent from libc and come from `<netinet6/in6.h>`/`<netinet/icmp6.h>`,
/// confirmed by x/sys/unix `zerrors_*_amd64.go`). The traffic class and
/// packet-info numbers, and the group options, are per OS.
const fn kame_sockopts(tclass: i32, recv_tclass: i32, recv_pktinfo: i32) -> OptionTable {
    table(
        EMPTY,
        &[
            (O::TrafficClass, V6, tclass),
            (O::HopLimit, V6, 4),           // IPV6_UNICAST_HOPS
            (O::MulticastInterface, V6, 9), // IPV6_MULTICAST_IF
            (O::MulticastHopLimit, V6, 10), // IPV6_MULTICAST_HOPS
            (O::MulticastLoopback, V6, 11), // IPV6_MULTICAST_LOOP
            (O::ReceiveTrafficClass, V6, recv_tclass),
            (O::ReceiveHopLimit, V6, 37), // IPV6_RECVHOPLIMIT
            (O::ReceivePacketInfo, V6, recv_pktinfo),
            (O::ReceivePathMtu, V6, 43),         // IPV6_RECVPATHMTU
            (O::PathMtu, V6, 44),                // IPV6_PATHMTU
            (O::Checksum, V6, 26),               // IPV6_CHECKSUM at level IPPROTO_IPV6
            (O::IcmpFilter, IPPROTO_ICMPV6, 18), // ICMP6_FILTER
            // IPV6_DONTFRAG: libc `src/unix/bsd/mod.rs` (FreeBSD, NetBSD,
            // OpenBSD, DragonFly and Darwin alike), `<netinet6/in6.h>`.
            (O::DontFragment, V6, 62),
        ],
    )
}

/// illumos's option table (illumos-gate `netinet/in.h`, `netinet/icmp6.h`;
/// x/sys `zerrors_solaris_amd64.go`). Its `MCAST_*` numbers are not
/// Linux's. No `SO_ATTACH_FILTER`: Go wires BPF on Linux only.
const ILLUMOS_SOCKOPTS: OptionTable = table(
    EMPTY,
    &[
        (O::TrafficClass, V6, 0x26),        // IPV6_TCLASS
        (O::HopLimit, V6, 0x5),             // IPV6_UNICAST_HOPS
        (O::MulticastInterface, V6, 0x6),   // IPV6_MULTICAST_IF
        (O::MulticastHopLimit, V6, 0x7),    // IPV6_MULTICAST_HOPS
        (O::MulticastLoopback, V6, 0x8),    // IPV6_MULTICAST_LOOP
        (O::ReceiveTrafficClass, V6, 0x19), // IPV6_RECVTCLASS
        (O::ReceiveHopLimit, V6, 0x13),     // IPV6_RECVHOPLIMIT
        (O::ReceivePacketInfo, V6, 0x12),   // IPV6_RECVPKTINFO
        (O::ReceivePathMtu, V6, 0x24),      // IPV6_RECVPATHMTU
        (O::PathMtu, V6, 0x25),             // IPV6_PATHMTU
        (O::Checksum, V6, 0x18),            // IPV6_CHECKSUM at level IPPROTO_IPV6
        (O::IcmpFilter, IPPROTO_ICMPV6, 1), // ICMP6_FILTER
        (O::JoinGroup, V6, 0x29),           // MCAST_JOIN_GROUP
        (O::LeaveGroup, V6, 0x2a),          // MCAST_LEAVE_GROUP
        (O::BlockSource, V6, 0x2b),         // MCAST_BLOCK_SOURCE
        (O::UnblockSource, V6, 0x2c),       // MCAST_UNBLOCK_SOURCE
        (O::JoinSourceGroup, V6, 0x2d),     // MCAST_JOIN_SOURCE_GROUP
        (O::LeaveSourceGroup, V6, 0x2e),    // MCAST_LEAVE_SOURCE_GROUP
        (O::DontFragment, V6, 0x21),        // IPV6_DONTFRAG (libc solarish/mod.rs)
    ],
);

/// RFC 3678 group options: MCAST_JOIN_GROUP 80 … MCAST_UNBLOCK_SOURCE 85
/// (libc `freebsdlike/freebsd/mod.rs`, `apple/mod.rs`).
const RFC3678_GROUPS_80: &[(SocketOption, i32, i32)] = &[
    (O::JoinGroup, V6, 80),
    (O::LeaveGroup, V6, 81),
    (O::JoinSourceGroup, V6, 82),
    (O::LeaveSourceGroup, V6, 83),
    (O::BlockSource, V6, 84),
    (O::UnblockSource, V6, 85),
];

/// NetBSD and OpenBSD: only RFC 3493 IPV6_JOIN_GROUP 12 / IPV6_LEAVE_GROUP 13
/// with `struct ipv6_mreq`; no source-specific API (libc `netbsdlike/*/mod.rs`).
const RFC3493_GROUPS: &[(SocketOption, i32, i32)] =
    &[(O::JoinGroup, V6, 12), (O::LeaveGroup, V6, 13)];

/// BSD control types: IPV6_TCLASS 61, IPV6_HOPLIMIT 47, IPV6_PKTINFO 46,
/// IPV6_NEXTHOP 48, IPV6_PATHMTU 44, IPV6_DONTFRAG 62 (`ip6_setpktopt`
/// takes it as ancillary data, RFC 3542 section 11.2). No GSO, GRO or
/// error queue.
const BSD_CMSGS: [Option<i32>; ControlType::COUNT] = [
    Some(61),
    Some(47),
    Some(46),
    Some(48),
    Some(44),
    Some(62),
    None,
    None,
    None,
];

/// Layouts shared by the BSDs and Darwin: 28-byte `sockaddr_in6` led by
/// `sin6_len`, 20-byte `in6_pktinfo` and `ipv6_mreq`, 32-byte `ip6_mtuinfo`
/// and `icmp6_filter`, 128-byte `sockaddr_storage` (x/net `zsys_*.go`).
const BSD_LAYOUTS: StructLayouts = StructLayouts {
    sockaddr_style: SockaddrStyle::LenAndFamilyU8,
    sockaddr_in6: 28,
    in6_pktinfo: 20,
    ip6_mtuinfo: 32,
    ipv6_mreq: 20,
    sockaddr_storage: 128,
    group_req_group: 8,
    group_req: 136,
    group_source_req: 264,
    sock_extended_err: 0,
};

const LINUX_LAYOUTS_64: StructLayouts = StructLayouts {
    sockaddr_style: SockaddrStyle::FamilyU16,
    sockaddr_in6: 28,
    in6_pktinfo: 20,
    ip6_mtuinfo: 32,
    ipv6_mreq: 20,
    sockaddr_storage: 128,
    // sockaddr_storage is 8-aligned, so gr_group follows 4 bytes of padding.
    group_req_group: 8,
    group_req: 136,
    group_source_req: 264,
    // <linux/errqueue.h>: u32 ee_errno; u8 origin, type, code, pad; u32
    // ee_info, ee_data (libc `linux/mod.rs`).
    sock_extended_err: 16,
};

/// cmsghdr with a 32-bit `socklen_t cmsg_len`, data aligned to 8 (`_ALIGNBYTES
/// = sizeof(long) - 1` on FreeBSD, NetBSD and OpenBSD for x86_64).
const BSD_CMSG_64: CmsgLayout = CmsgLayout {
    len_size: 4,
    header_len: 12,
    align: 8,
};

impl Platform {
    /// Linux on 64-bit targets (x86_64, aarch64, riscv64, …): 16-byte `cmsghdr`
    /// with `size_t cmsg_len`, `CMSG_ALIGN` to `sizeof(long)` = 8.
    pub const LINUX_64: Platform = Platform {
        os: Os::Linux,
        endian: Endian::Little,
        af_inet6: 10,
        cmsg_layout: CmsgLayout {
            len_size: 8,
            header_len: 16,
            align: 8,
        },
        layouts: LINUX_LAYOUTS_64,
        filter_polarity: FilterPolarity::SetBlocks,
        group_struct: GroupStruct::GroupReq,
        sockopts: LINUX_SOCKOPTS,
        cmsg_types: LINUX_CMSGS,
        batch_syscalls: true,
        byte_traffic_class: false,
    };

    /// Linux on 32-bit targets (i686, armv7): 12-byte `cmsghdr`, align 4,
    /// `group_req` packs `gr_group` at offset 4 (x/net `zsys_linux_386.go`).
    pub const LINUX_32: Platform = Platform {
        cmsg_layout: CmsgLayout {
            len_size: 4,
            header_len: 12,
            align: 4,
        },
        layouts: StructLayouts {
            group_req_group: 4,
            group_req: 132,
            group_source_req: 260,
            ..LINUX_LAYOUTS_64
        },
        ..Platform::LINUX_64
    };

    /// FreeBSD on x86_64 and aarch64 (`AF_INET6 = 28`).
    pub const FREEBSD_64: Platform = Platform {
        os: Os::FreeBsd,
        endian: Endian::Little,
        af_inet6: 28,
        cmsg_layout: BSD_CMSG_64,
        layouts: BSD_LAYOUTS,
        filter_polarity: FilterPolarity::SetPasses,
        group_struct: GroupStruct::GroupReq,
        sockopts: table(kame_sockopts(61, 57, 36), RFC3678_GROUPS_80),
        cmsg_types: BSD_CMSGS,
        batch_syscalls: true,
        byte_traffic_class: false,
    };

    /// NetBSD on x86_64 (`AF_INET6 = 24`); any-source groups only.
    pub const NETBSD_64: Platform = Platform {
        os: Os::NetBsd,
        af_inet6: 24,
        group_struct: GroupStruct::Ipv6Mreq,
        sockopts: table(kame_sockopts(61, 57, 36), RFC3493_GROUPS),
        ..Platform::FREEBSD_64
    };

    /// OpenBSD on x86_64 and aarch64 (`AF_INET6 = 24`); any-source groups only.
    /// Its `sockaddr_storage` is 256 bytes (`ss_len`, `ss_family`, 6 + 8 + 240
    /// bytes of padding: libc `src/unix/bsd/netbsdlike/openbsd/mod.rs`,
    /// `<sys/socket.h>`). OpenBSD has no `group_req` and no option takes
    /// one; the sizes below are what the struct would be with that
    /// `sockaddr_storage`, so the layout stays self-consistent.
    pub const OPENBSD_64: Platform = Platform {
        os: Os::OpenBsd,
        layouts: StructLayouts {
            sockaddr_storage: 256,
            group_req: 8 + 256,
            group_source_req: 8 + 2 * 256,
            ..BSD_LAYOUTS
        },
        ..Platform::NETBSD_64
    };

    /// Darwin (macOS, iOS) on x86_64 and arm64 (`AF_INET6 = 30`): cmsg
    /// alignment is 4 (`__DARWIN_ALIGN32`), `group_req` is `#pragma pack(4)`
    /// so `gr_group` sits at offset 4, and the RFC 3542 numbers for
    /// IPV6_TCLASS (36), IPV6_RECVTCLASS (35), IPV6_RECVPKTINFO (61) differ
    /// from the other BSDs (libc `src/unix/bsd/apple/mod.rs`).
    pub const DARWIN: Platform = Platform {
        os: Os::Darwin,
        endian: Endian::Little,
        af_inet6: 30,
        cmsg_layout: CmsgLayout {
            len_size: 4,
            header_len: 12,
            align: 4,
        },
        layouts: StructLayouts {
            group_req_group: 4,
            group_req: 132,
            group_source_req: 260,
            ..BSD_LAYOUTS
        },
        filter_polarity: FilterPolarity::SetPasses,
        group_struct: GroupStruct::GroupReq,
        sockopts: table(kame_sockopts(36, 35, 61), RFC3678_GROUPS_80),
        // IPV6_TCLASS 36, IPV6_HOPLIMIT 47, IPV6_PKTINFO 46, IPV6_NEXTHOP
        // 48, IPV6_PATHMTU 44, IPV6_DONTFRAG 62 (libc `apple/mod.rs`,
        // `bsd/mod.rs`).
        cmsg_types: [
            Some(36),
            Some(47),
            Some(46),
            Some(48),
            Some(44),
            Some(62),
            None,
            None,
            None,
        ],
        batch_syscalls: false,
        byte_traffic_class: true,
    };

    /// DragonFly BSD on x86_64 (`AF_INET6 = 28`): the KAME table with
    /// NetBSD's RFC 3493 groups (no `MCAST_*`: x/sys
    /// `zerrors_dragonfly_amd64.go`, `sys/netinet6/in6.h`) and no
    /// `recvmmsg`/`sendmmsg`. `cmsghdr` data is aligned to 8 since the
    /// September 2019 ABI change (`__DragonFly_version` 500705, first
    /// released in 5.8; `sys/cpu/x86_64/include/alignbytes.h`, libc
    /// `dragonfly/mod.rs` `_CMSG_ALIGN`). Kernels before 5.8 aligned to 4
    /// and are not supported.
    pub const DRAGONFLY_64: Platform = Platform {
        os: Os::DragonFly,
        af_inet6: 28,
        batch_syscalls: false,
        ..Platform::NETBSD_64
    };

    /// illumos (and Solaris) on x86_64 (`AF_INET6 = 26`), from illumos-gate
    /// `usr/src/uts/common/netinet/in.h`, `sys/socket.h`,
    /// `sys/socket_impl.h` and `netinet/icmp6.h`, with x/sys
    /// `zerrors_solaris_amd64.go` and x/net `zsys_solaris.go` as second
    /// witnesses (most of these constants are absent from libc).
    ///
    /// `sockaddr_in6` is 32 bytes (it ends with `__sin6_src_id`) and begins
    /// with a 16-bit family as on Linux; `sockaddr_storage` is 256 bytes;
    /// `group_req` is `#pragma pack(4)` on amd64, so `gr_group` sits at 4
    /// (260 and 516 bytes). `cmsghdr` is 12 bytes with header and data
    /// aligned to 4 (`_CMSG_HDR_ALIGNMENT`, `_CMSG_DATA_ALIGNMENT`). A set
    /// `icmp6_filter` bit passes. There is no `recvmmsg`/`sendmmsg`. SPARC
    /// aligns headers to 8 but data to 4, which one alignment cannot
    /// describe: it is not supported.
    pub const ILLUMOS_64: Platform = Platform {
        os: Os::Illumos,
        endian: Endian::Little,
        af_inet6: 26,
        cmsg_layout: CmsgLayout {
            len_size: 4,
            header_len: 12,
            align: 4,
        },
        layouts: StructLayouts {
            sockaddr_style: SockaddrStyle::FamilyU16,
            sockaddr_in6: 32,
            in6_pktinfo: 20,
            ip6_mtuinfo: 36,
            ipv6_mreq: 20,
            sockaddr_storage: 256,
            group_req_group: 4,
            group_req: 260,
            group_source_req: 516,
            sock_extended_err: 0,
        },
        filter_polarity: FilterPolarity::SetPasses,
        group_struct: GroupStruct::GroupReq,
        sockopts: ILLUMOS_SOCKOPTS,
        // IPV6_TCLASS 0x26, IPV6_HOPLIMIT 0xc, IPV6_PKTINFO 0xb,
        // IPV6_NEXTHOP 0xd, IPV6_PATHMTU 0x25, IPV6_DONTFRAG 0x21 (a sticky
        // option that ip6(4P) also takes as ancillary data).
        cmsg_types: [
            Some(0x26),
            Some(0xc),
            Some(0xb),
            Some(0xd),
            Some(0x25),
            Some(0x21),
            None,
            None,
            None,
        ],
        batch_syscalls: false,
        byte_traffic_class: false,
    };

    /// Every named platform, for tests and tools that iterate over them.
    pub const ALL: [Platform; 8] = [
        Platform::LINUX_64,
        Platform::LINUX_32,
        Platform::FREEBSD_64,
        Platform::NETBSD_64,
        Platform::OPENBSD_64,
        Platform::DARWIN,
        Platform::DRAGONFLY_64,
        Platform::ILLUMOS_64,
    ];

    /// The platform of the build target.
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        target_pointer_width = "64"
    ))]
    pub const HOST: Platform = Platform::LINUX_64.with_endian(Endian::NATIVE);
    /// The platform of the build target.
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        target_pointer_width = "32"
    ))]
    pub const HOST: Platform = Platform::LINUX_32.with_endian(Endian::NATIVE);
    /// The platform of the build target.
    #[cfg(all(target_os = "freebsd", target_pointer_width = "64"))]
    pub const HOST: Platform = Platform::FREEBSD_64.with_endian(Endian::NATIVE);
    /// The platform of the build target.
    #[cfg(all(target_os = "netbsd", target_arch = "x86_64"))]
    pub const HOST: Platform = Platform::NETBSD_64;
    /// The platform of the build target.
    #[cfg(all(target_os = "openbsd", target_pointer_width = "64"))]
    pub const HOST: Platform = Platform::OPENBSD_64.with_endian(Endian::NATIVE);
    /// The platform of the build target.
    #[cfg(target_vendor = "apple")]
    pub const HOST: Platform = Platform::DARWIN;
    /// The platform of the build target.
    #[cfg(all(target_os = "dragonfly", target_arch = "x86_64"))]
    pub const HOST: Platform = Platform::DRAGONFLY_64;
    /// The platform of the build target.
    #[cfg(all(
        any(target_os = "illumos", target_os = "solaris"),
        target_arch = "x86_64"
    ))]
    pub const HOST: Platform = Platform::ILLUMOS_64;

    /// This platform with another byte order (e.g. Linux on big-endian s390x).
    pub const fn with_endian(self, endian: Endian) -> Platform {
        Platform { endian, ..self }
    }

    /// The option table row for `option`, or `None` if the OS lacks it.
    pub const fn sockopt(&self, option: SocketOption) -> Option<SockOpt> {
        self.sockopts[option as usize]
    }

    /// The `cmsg_type` for `kind` at [`kind.level()`](ControlType::level),
    /// or `None`.
    pub const fn cmsg_type(&self, kind: ControlType) -> Option<i32> {
        self.cmsg_types[kind as usize]
    }

    /// The `(cmsg_level, cmsg_type)` of `kind`, or `None` where the OS lacks it.
    pub const fn cmsg(&self, kind: ControlType) -> Option<(i32, i32)> {
        match self.cmsg_types[kind as usize] {
            Some(t) => Some((kind.level(), t)),
            None => None,
        }
    }

    /// Checks that the layout is self-consistent: the `cmsghdr` framing is
    /// well formed and every struct size agrees with its parts. Every named
    /// platform passes at compile time; call it on a hand-made one.
    pub const fn check(&self) -> Result<(), &'static str> {
        let c = &self.cmsg_layout;
        let l = &self.layouts;
        if !c.align.is_power_of_two() {
            return Err("cmsg alignment is not a power of two");
        }
        if c.len_size != 4 && c.len_size != 8 {
            return Err("cmsg_len is neither 4 nor 8 bytes");
        }
        if c.header_len < c.len_size + 8 {
            return Err("cmsghdr is shorter than its three fields");
        }
        if l.sockaddr_in6 < 28 || l.sockaddr_storage < l.sockaddr_in6 {
            return Err("sockaddr_in6 or sockaddr_storage too small");
        }
        if l.in6_pktinfo < 20 || l.ipv6_mreq < 20 {
            return Err("in6_pktinfo or ipv6_mreq shorter than an address and an index");
        }
        if l.ip6_mtuinfo < l.sockaddr_in6 + 4 {
            return Err("ip6_mtuinfo shorter than a sockaddr_in6 and an MTU");
        }
        if l.group_req_group < 4 || l.group_req != l.group_req_group + l.sockaddr_storage {
            return Err("group_req is not its index, padding and one sockaddr_storage");
        }
        if l.group_source_req != l.group_req_group + 2 * l.sockaddr_storage {
            return Err("group_source_req is not its index, padding and two sockaddr_storage");
        }
        let has_errqueue = self.cmsg_types[ControlType::RecvErr as usize].is_some();
        if has_errqueue != (l.sock_extended_err >= 16) {
            return Err("IPV6_RECVERR needs a sock_extended_err of at least 16 bytes");
        }
        Ok(())
    }

    /// The payload length of a control message of `kind`.
    pub const fn cmsg_data_len(&self, kind: ControlType) -> usize {
        match kind {
            ControlType::TrafficClass | ControlType::HopLimit => 4,
            ControlType::PacketInfo => self.layouts.in6_pktinfo,
            ControlType::NextHop => self.layouts.sockaddr_in6,
            ControlType::PathMtu => self.layouts.ip6_mtuinfo,
            ControlType::DontFragment | ControlType::UdpGro => 4,
            ControlType::UdpSegment => 2,
            ControlType::RecvErr => self.layouts.sock_extended_err + self.layouts.sockaddr_in6,
        }
    }
}

// Every named platform is self-consistent, checked when the crate compiles.
const _: () = {
    let mut i = 0;
    while i < Platform::ALL.len() {
        if let Err(why) = Platform::ALL[i].check() {
            panic!("{}", why);
        }
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmsg_arithmetic_matches_the_c_macros_of_the_new_systems() {
        // illumos amd64 (sys/socket.h, _CMSG_HDR_ALIGN and _CMSG_DATA_ALIGN
        // both 4): CMSG_LEN(4) = 16, CMSG_SPACE(4) = 16, CMSG_SPACE(20) = 32,
        // CMSG_SPACE(32) = 44, CMSG_SPACE(36) = 48.
        let l = Platform::ILLUMOS_64.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (16, 16, 32));
        assert_eq!((l.space(32), l.space(36)), (44, 48));
        // DragonFly 5.8+: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24, CMSG_SPACE(20) = 40.
        let l = Platform::DRAGONFLY_64.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (20, 24, 40));
    }

    #[test]
    fn cmsg_arithmetic_matches_the_c_macros() {
        // Linux x86_64: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24, CMSG_SPACE(20) = 40.
        let l = Platform::LINUX_64.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (20, 24, 40));
        // Linux i686: CMSG_LEN(4) = 16, CMSG_SPACE(20) = 32.
        let l = Platform::LINUX_32.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (16, 16, 32));
        // FreeBSD amd64: data at _ALIGN(12) = 16, CMSG_SPACE(4) = 24.
        let l = Platform::FREEBSD_64.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (20, 24, 40));
        // Darwin: data at 12, CMSG_SPACE(4) = 16, CMSG_SPACE(20) = 32.
        let l = Platform::DARWIN.cmsg_layout;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (16, 16, 32));
    }

    #[test]
    fn tables_name_what_each_os_lacks() {
        for p in [
            Platform::NETBSD_64,
            Platform::OPENBSD_64,
            Platform::DRAGONFLY_64,
        ] {
            assert_eq!(p.group_struct, GroupStruct::Ipv6Mreq);
            assert!(p.sockopt(SocketOption::JoinGroup).is_some());
            assert!(p.sockopt(SocketOption::JoinSourceGroup).is_none());
        }
        for p in Platform::ALL {
            let has_bpf = p.sockopt(SocketOption::AttachFilter).is_some();
            assert_eq!(has_bpf, p.os == Os::Linux);
        }
    }

    #[test]
    fn check_names_what_is_inconsistent() {
        let mut p = Platform::OPENBSD_64;
        p.layouts.group_source_req = 264;
        assert!(p.check().is_err());
        let mut p = Platform::LINUX_64;
        p.cmsg_layout.align = 6;
        assert_eq!(p.check(), Err("cmsg alignment is not a power of two"));
    }

    #[test]
    fn endian_helpers_round_trip() {
        let mut b = [0u8; 8];
        for e in [Endian::Little, Endian::Big] {
            e.write_uint(&mut b, 8, 0x0102_0304_0506_0708);
            assert_eq!(e.read_uint(&b, 8), 0x0102_0304_0506_0708);
            e.write_u32(&mut b, 0xdead_beef);
            assert_eq!(e.read_u32(&b), 0xdead_beef);
        }
        Endian::Big.write_u32(&mut b, 1);
        assert_eq!(&b[..4], &[0, 0, 0, 1]);
    }
}
