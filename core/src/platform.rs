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

/// `IPPROTO_IPV6`: the option and control-message level of IPv6 (41 on every OS).
pub const IPPROTO_IPV6: i32 = 41;
/// `IPPROTO_ICMPV6`: the level of `ICMP6_FILTER` (58 on every OS).
pub const IPPROTO_ICMPV6: i32 = 58;
/// `IPPROTO_RAW`: Linux's level for `IPV6_CHECKSUM` (255 on every OS).
pub const IPPROTO_RAW: i32 = 255;

/// The operating system a [`Platform`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Os {
    /// Linux.
    Linux,
    /// FreeBSD.
    FreeBsd,
    /// NetBSD.
    NetBsd,
    /// OpenBSD.
    OpenBsd,
    /// macOS, iOS and the other Darwin systems.
    Darwin,
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

    /// Reads a `u32` at the start of `b` (`b` must hold at least 4 bytes).
    pub fn read_u32(self, b: &[u8]) -> u32 {
        let raw = [b[0], b[1], b[2], b[3]];
        match self {
            Endian::Little => u32::from_le_bytes(raw),
            Endian::Big => u32::from_be_bytes(raw),
        }
    }

    /// Writes `v` to the start of `b` (`b` must hold at least 4 bytes).
    pub fn write_u32(self, b: &mut [u8], v: u32) {
        let raw = match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        b[..4].copy_from_slice(&raw);
    }

    /// Reads a `u16` at the start of `b` (`b` must hold at least 2 bytes).
    pub fn read_u16(self, b: &[u8]) -> u16 {
        let raw = [b[0], b[1]];
        match self {
            Endian::Little => u16::from_le_bytes(raw),
            Endian::Big => u16::from_be_bytes(raw),
        }
    }

    /// Writes `v` to the start of `b` (`b` must hold at least 2 bytes).
    pub fn write_u16(self, b: &mut [u8], v: u16) {
        let raw = match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        b[..2].copy_from_slice(&raw);
    }

    /// Reads an unsigned integer of `width` bytes (4 or 8) at the start of `b`.
    pub fn read_uint(self, b: &[u8], width: usize) -> u64 {
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
    pub fn write_uint(self, b: &mut [u8], width: usize, v: u64) {
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

/// The shape of an option's value, so one generic setter can encode any row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionValue {
    /// A C `int`.
    Int,
    /// `struct ip6_mtuinfo` (read only).
    MtuInfo,
    /// `struct ipv6_mreq` (RFC 3493 any-source membership).
    Mreq,
    /// `struct group_req` (RFC 3678 protocol-independent membership).
    GroupReq,
    /// `struct group_source_req` (RFC 3678 source-specific membership).
    GroupSourceReq,
    /// `struct icmp6_filter`.
    IcmpFilter,
    /// `struct sock_fprog` (classic BPF program).
    SockFprog,
}

/// One row of a platform's socket option table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SockOpt {
    /// `setsockopt` level.
    pub level: i32,
    /// `setsockopt` option name.
    pub name: i32,
    /// Shape of the value.
    pub value: OptionValue,
}

/// The socket options this library uses, as indexes into [`Platform::sockopts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum SocketOption {
    /// `IPV6_TCLASS`.
    TrafficClass,
    /// `IPV6_UNICAST_HOPS`.
    HopLimit,
    /// `IPV6_MULTICAST_IF`.
    MulticastInterface,
    /// `IPV6_MULTICAST_HOPS`.
    MulticastHopLimit,
    /// `IPV6_MULTICAST_LOOP`.
    MulticastLoopback,
    /// `IPV6_RECVTCLASS`.
    ReceiveTrafficClass,
    /// `IPV6_RECVHOPLIMIT`.
    ReceiveHopLimit,
    /// `IPV6_RECVPKTINFO`.
    ReceivePacketInfo,
    /// `IPV6_RECVPATHMTU`.
    ReceivePathMtu,
    /// `IPV6_PATHMTU` (getsockopt on a connected socket).
    PathMtu,
    /// `IPV6_CHECKSUM`.
    Checksum,
    /// `ICMP6_FILTER` (`ICMPV6_FILTER` on Linux).
    IcmpFilter,
    /// `MCAST_JOIN_GROUP`, or `IPV6_JOIN_GROUP` where that is all there is.
    JoinGroup,
    /// `MCAST_LEAVE_GROUP`, or `IPV6_LEAVE_GROUP`.
    LeaveGroup,
    /// `MCAST_JOIN_SOURCE_GROUP`.
    JoinSourceGroup,
    /// `MCAST_LEAVE_SOURCE_GROUP`.
    LeaveSourceGroup,
    /// `MCAST_BLOCK_SOURCE` (Go's ExcludeSourceSpecificGroup).
    BlockSource,
    /// `MCAST_UNBLOCK_SOURCE` (Go's IncludeSourceSpecificGroup).
    UnblockSource,
    /// `SO_ATTACH_FILTER`.
    AttachFilter,
    /// `IPV6_V6ONLY`.
    V6Only,
}

impl SocketOption {
    /// Number of options in the table.
    pub const COUNT: usize = 20;
}

/// The RFC 3542 ancillary data this library encodes and decodes, as indexes
/// into [`Platform::cmsgs`]. All live at level `IPPROTO_IPV6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum ControlType {
    /// `IPV6_TCLASS`, an `int`.
    TrafficClass,
    /// `IPV6_HOPLIMIT`, an `int`.
    HopLimit,
    /// `IPV6_PKTINFO`, a `struct in6_pktinfo`.
    PacketInfo,
    /// `IPV6_NEXTHOP`, a `struct sockaddr_in6`.
    NextHop,
    /// `IPV6_PATHMTU`, a `struct ip6_mtuinfo`.
    PathMtu,
}

impl ControlType {
    /// Number of control types in the table.
    pub const COUNT: usize = 5;
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
    /// `sizeof(struct icmp6_filter)`.
    pub icmp6_filter: usize,
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
    pub cmsg: CmsgLayout,
    /// Struct layouts.
    pub layouts: StructLayouts,
    /// Bit polarity of `struct icmp6_filter`.
    pub filter_polarity: FilterPolarity,
    /// Socket options, indexed by [`SocketOption`]; `None` where the OS lacks one.
    pub sockopts: [Option<SockOpt>; SocketOption::COUNT],
    /// Control message types, indexed by [`ControlType`]; `None` where unsupported.
    pub cmsgs: [Option<i32>; ControlType::COUNT],
}

const fn int(level: i32, name: i32) -> Option<SockOpt> {
    Some(SockOpt {
        level,
        name,
        value: OptionValue::Int,
    })
}

const fn opt(level: i32, name: i32, value: OptionValue) -> Option<SockOpt> {
    Some(SockOpt { level, name, value })
}

const V6: i32 = IPPROTO_IPV6;

/// Linux's option table (libc `src/unix/linux_like/mod.rs`; `ICMPV6_FILTER = 1`
/// from `<linux/icmpv6.h>`, absent from libc; `SO_ATTACH_FILTER = 26` and
/// `SOL_SOCKET = 1` from `src/unix/linux_like/linux/arch/generic/mod.rs`).
const LINUX_SOCKOPTS: [Option<SockOpt>; SocketOption::COUNT] = [
    int(V6, 67),                                     // IPV6_TCLASS
    int(V6, 16),                                     // IPV6_UNICAST_HOPS
    int(V6, 17),                                     // IPV6_MULTICAST_IF
    int(V6, 18),                                     // IPV6_MULTICAST_HOPS
    int(V6, 19),                                     // IPV6_MULTICAST_LOOP
    int(V6, 66),                                     // IPV6_RECVTCLASS
    int(V6, 51),                                     // IPV6_RECVHOPLIMIT
    int(V6, 49),                                     // IPV6_RECVPKTINFO
    int(V6, 60),                                     // IPV6_RECVPATHMTU
    opt(V6, 61, OptionValue::MtuInfo),               // IPV6_PATHMTU
    int(IPPROTO_RAW, 7),                             // IPV6_CHECKSUM at level IPPROTO_RAW
    opt(IPPROTO_ICMPV6, 1, OptionValue::IcmpFilter), // ICMPV6_FILTER
    opt(V6, 42, OptionValue::GroupReq),              // MCAST_JOIN_GROUP
    opt(V6, 45, OptionValue::GroupReq),              // MCAST_LEAVE_GROUP
    opt(V6, 46, OptionValue::GroupSourceReq),        // MCAST_JOIN_SOURCE_GROUP
    opt(V6, 47, OptionValue::GroupSourceReq),        // MCAST_LEAVE_SOURCE_GROUP
    opt(V6, 43, OptionValue::GroupSourceReq),        // MCAST_BLOCK_SOURCE
    opt(V6, 44, OptionValue::GroupSourceReq),        // MCAST_UNBLOCK_SOURCE
    opt(1, 26, OptionValue::SockFprog),              // SOL_SOCKET, SO_ATTACH_FILTER
    int(V6, 26),                                     // IPV6_V6ONLY
];

/// Linux control types: IPV6_TCLASS 67, IPV6_HOPLIMIT 52, IPV6_PKTINFO 50,
/// IPV6_NEXTHOP 9, IPV6_PATHMTU 61 (libc `linux_like/mod.rs`).
const LINUX_CMSGS: [Option<i32>; ControlType::COUNT] =
    [Some(67), Some(52), Some(50), Some(9), Some(61)];

/// The KAME-derived option numbers the BSDs and Darwin share (libc
/// `src/unix/bsd/mod.rs` for the hop/multicast options, `freebsdlike/mod.rs`
/// for the rest; `IPV6_RECVPATHMTU 43`, `IPV6_PATHMTU 44`, `ICMP6_FILTER 18`
/// are absent from libc and come from `<netinet6/in6.h>`/`<netinet/icmp6.h>`,
/// confirmed by x/sys/unix `zerrors_*_amd64.go`). Group options are per OS.
const fn kame_sockopts(
    tclass: i32,
    recv_tclass: i32,
    recv_pktinfo: i32,
    groups: [Option<SockOpt>; 6],
    attach_filter: Option<SockOpt>,
) -> [Option<SockOpt>; SocketOption::COUNT] {
    [
        int(V6, tclass),
        int(V6, 4),  // IPV6_UNICAST_HOPS
        int(V6, 9),  // IPV6_MULTICAST_IF
        int(V6, 10), // IPV6_MULTICAST_HOPS
        int(V6, 11), // IPV6_MULTICAST_LOOP
        int(V6, recv_tclass),
        int(V6, 37), // IPV6_RECVHOPLIMIT
        int(V6, recv_pktinfo),
        int(V6, 43),                                      // IPV6_RECVPATHMTU
        opt(V6, 44, OptionValue::MtuInfo),                // IPV6_PATHMTU
        int(V6, 26),                                      // IPV6_CHECKSUM at level IPPROTO_IPV6
        opt(IPPROTO_ICMPV6, 18, OptionValue::IcmpFilter), // ICMP6_FILTER
        groups[0],
        groups[1],
        groups[2],
        groups[3],
        groups[4],
        groups[5],
        attach_filter,
        int(V6, 27), // IPV6_V6ONLY
    ]
}

/// RFC 3678 group options: MCAST_JOIN_GROUP 80 … MCAST_UNBLOCK_SOURCE 85
/// (libc `freebsdlike/freebsd/mod.rs`, `apple/mod.rs`).
const RFC3678_GROUPS_80: [Option<SockOpt>; 6] = [
    opt(V6, 80, OptionValue::GroupReq),
    opt(V6, 81, OptionValue::GroupReq),
    opt(V6, 82, OptionValue::GroupSourceReq),
    opt(V6, 83, OptionValue::GroupSourceReq),
    opt(V6, 84, OptionValue::GroupSourceReq),
    opt(V6, 85, OptionValue::GroupSourceReq),
];

/// NetBSD and OpenBSD: only RFC 3493 IPV6_JOIN_GROUP 12 / IPV6_LEAVE_GROUP 13
/// with `struct ipv6_mreq`; no source-specific API (libc `netbsdlike/*/mod.rs`).
const RFC3493_GROUPS: [Option<SockOpt>; 6] = [
    opt(V6, 12, OptionValue::Mreq),
    opt(V6, 13, OptionValue::Mreq),
    None,
    None,
    None,
    None,
];

/// BSD control types: IPV6_TCLASS 61, IPV6_HOPLIMIT 47, IPV6_PKTINFO 46,
/// IPV6_NEXTHOP 48, IPV6_PATHMTU 44.
const BSD_CMSGS: [Option<i32>; ControlType::COUNT] =
    [Some(61), Some(47), Some(46), Some(48), Some(44)];

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
    icmp6_filter: 32,
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
    icmp6_filter: 32,
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
        cmsg: CmsgLayout {
            len_size: 8,
            header_len: 16,
            align: 8,
        },
        layouts: LINUX_LAYOUTS_64,
        filter_polarity: FilterPolarity::SetBlocks,
        sockopts: LINUX_SOCKOPTS,
        cmsgs: LINUX_CMSGS,
    };

    /// Linux on 32-bit targets (i686, armv7): 12-byte `cmsghdr`, align 4,
    /// `group_req` packs `gr_group` at offset 4 (x/net `zsys_linux_386.go`).
    pub const LINUX_32: Platform = Platform {
        cmsg: CmsgLayout {
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
        cmsg: BSD_CMSG_64,
        layouts: BSD_LAYOUTS,
        filter_polarity: FilterPolarity::SetPasses,
        sockopts: kame_sockopts(61, 57, 36, RFC3678_GROUPS_80, None),
        cmsgs: BSD_CMSGS,
    };

    /// NetBSD on x86_64 (`AF_INET6 = 24`); any-source groups only.
    pub const NETBSD_64: Platform = Platform {
        os: Os::NetBsd,
        af_inet6: 24,
        sockopts: kame_sockopts(61, 57, 36, RFC3493_GROUPS, None),
        ..Platform::FREEBSD_64
    };

    /// OpenBSD on x86_64 and aarch64 (`AF_INET6 = 24`); any-source groups only.
    /// Its `sockaddr_storage` is 256 bytes (`ss_len`, `ss_family`, 6 + 8 + 240
    /// bytes of padding: libc `src/unix/bsd/netbsdlike/openbsd/mod.rs`,
    /// `<sys/socket.h>`). OpenBSD has no `group_req`, so the `group_req` sizes
    /// below are never used there.
    pub const OPENBSD_64: Platform = Platform {
        os: Os::OpenBsd,
        layouts: StructLayouts {
            sockaddr_storage: 256,
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
        cmsg: CmsgLayout {
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
        sockopts: kame_sockopts(36, 35, 61, RFC3678_GROUPS_80, None),
        cmsgs: [Some(36), Some(47), Some(46), Some(48), Some(44)],
    };

    /// Every named platform, for tests and tools that iterate over them.
    pub const ALL: [Platform; 6] = [
        Platform::LINUX_64,
        Platform::LINUX_32,
        Platform::FREEBSD_64,
        Platform::NETBSD_64,
        Platform::OPENBSD_64,
        Platform::DARWIN,
    ];

    /// The platform of the build target.
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    pub const HOST: Platform = Platform::LINUX_64.with_endian(Endian::NATIVE);
    /// The platform of the build target.
    #[cfg(all(target_os = "linux", target_pointer_width = "32"))]
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

    /// This platform with another byte order (e.g. Linux on big-endian s390x).
    pub const fn with_endian(self, endian: Endian) -> Platform {
        Platform { endian, ..self }
    }

    /// The option table row for `option`, or `None` if the OS lacks it.
    pub const fn sockopt(&self, option: SocketOption) -> Option<SockOpt> {
        self.sockopts[option as usize]
    }

    /// The `cmsg_type` for `kind` at level `IPPROTO_IPV6`, or `None`.
    pub const fn cmsg_type(&self, kind: ControlType) -> Option<i32> {
        self.cmsgs[kind as usize]
    }

    /// The payload length of a control message of `kind`.
    pub const fn cmsg_data_len(&self, kind: ControlType) -> usize {
        match kind {
            ControlType::TrafficClass | ControlType::HopLimit => 4,
            ControlType::PacketInfo => self.layouts.in6_pktinfo,
            ControlType::NextHop => self.layouts.sockaddr_in6,
            ControlType::PathMtu => self.layouts.ip6_mtuinfo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmsg_arithmetic_matches_the_c_macros() {
        // Linux x86_64: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24, CMSG_SPACE(20) = 40.
        let l = Platform::LINUX_64.cmsg;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (20, 24, 40));
        // Linux i686: CMSG_LEN(4) = 16, CMSG_SPACE(20) = 32.
        let l = Platform::LINUX_32.cmsg;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (16, 16, 32));
        // FreeBSD amd64: data at _ALIGN(12) = 16, CMSG_SPACE(4) = 24.
        let l = Platform::FREEBSD_64.cmsg;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (20, 24, 40));
        // Darwin: data at 12, CMSG_SPACE(4) = 16, CMSG_SPACE(20) = 32.
        let l = Platform::DARWIN.cmsg;
        assert_eq!((l.len(4), l.space(4), l.space(20)), (16, 16, 32));
    }

    #[test]
    fn tables_name_what_each_os_lacks() {
        for p in [Platform::NETBSD_64, Platform::OPENBSD_64] {
            assert_eq!(
                p.sockopt(SocketOption::JoinGroup).map(|o| o.value),
                Some(OptionValue::Mreq)
            );
            assert!(p.sockopt(SocketOption::JoinSourceGroup).is_none());
        }
        for p in Platform::ALL {
            let has_bpf = p.sockopt(SocketOption::AttachFilter).is_some();
            assert_eq!(has_bpf, p.os == Os::Linux);
        }
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
