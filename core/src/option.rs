//! Socket options as one table: what each option is called in C and in the
//! public API, which kind of value it carries, and how that value is encoded
//! for a [`Platform`].
//!
//! A backend's [`get`](crate::SocketBackend::get) and
//! [`set`](crate::SocketBackend::set) take a [`SocketOption`] and an
//! [`OptionValue`]. The option fixes the value's [`ValueKind`]; the platform's
//! option table ([`Platform::sockopt`]) gives the level and name; the byte
//! layout ([`OptionShape`]) follows from the kind and the platform, so a table
//! row cannot disagree with the value it carries: there is nothing in a row to
//! disagree with.
//!
//! Adding an option is one line in [`socket_options!`](self) below, one
//! `(level, name)` per platform table in `platform.rs`, and, where a backend
//! has a native call for it, one match arm there.

use core::fmt;
use core::net::Ipv6Addr;

use crate::backend::BpfInstruction;
use crate::error::{Error, InvalidArgument, Operation, Result, WireError};
use crate::filter::IcmpFilter;
use crate::platform::{GroupStruct, Platform, SockOpt};
use crate::sockaddr;

/// The kind of value an option carries, independent of any platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A C `int`.
    Int,
    /// A C `int` used as a boolean (0 or 1).
    Bool,
    /// An interface index (`0`: none, the kernel's choice).
    Interface,
    /// An any-source multicast membership.
    Membership,
    /// A source-specific multicast membership.
    SourceMembership,
    /// An ICMPv6 type filter.
    Filter,
    /// A classic BPF program.
    Program,
    /// A path MTU, read from `struct ip6_mtuinfo`.
    Mtu,
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueKind::Int => "an int",
            ValueKind::Bool => "a boolean",
            ValueKind::Interface => "an interface index",
            ValueKind::Membership => "a group membership",
            ValueKind::SourceMembership => "a source-specific membership",
            ValueKind::Filter => "an ICMPv6 filter",
            ValueKind::Program => "a BPF program",
            ValueKind::Mtu => "an MTU",
        })
    }
}

/// Declares [`SocketOption`] and its per-option facts from one table.
macro_rules! socket_options {
    ($(
        $(#[$doc:meta])*
        $variant:ident: $kind:ident, $c_name:literal,
            get $getter:literal, set $setter:literal;
    )*) => {
        /// The socket options this library uses. Each indexes a row of
        /// [`Platform::sockopts`]; the option itself fixes its value kind,
        /// C name and the public methods that use it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(usize)]
        #[non_exhaustive]
        pub enum SocketOption {
            $($(#[$doc])* $variant,)*
        }

        impl SocketOption {
            /// Every option, in table order (`ALL[o as usize] == o`).
            pub const ALL: [SocketOption; [$(SocketOption::$variant),*].len()] =
                [$(SocketOption::$variant),*];
            /// Number of options: the length of every platform's table.
            pub const COUNT: usize = SocketOption::ALL.len();

            /// The kind of value the option carries.
            pub const fn kind(self) -> ValueKind {
                match self { $(SocketOption::$variant => ValueKind::$kind,)* }
            }

            /// The C name (the RFC 3542 / RFC 3678 / Linux spelling).
            pub const fn c_name(self) -> &'static str {
                match self { $(SocketOption::$variant => $c_name,)* }
            }

            /// The public method that reads the option, for error messages
            /// (`""` where no public method reads it).
            pub const fn getter(self) -> &'static str {
                match self { $(SocketOption::$variant => $getter,)* }
            }

            /// The public method that writes the option, for error messages
            /// (`""` where the option is read only).
            pub const fn setter(self) -> &'static str {
                match self { $(SocketOption::$variant => $setter,)* }
            }
        }
    };
}

socket_options! {
    /// Traffic class of outgoing packets.
    TrafficClass: Int, "IPV6_TCLASS",
        get "traffic_class", set "set_traffic_class";
    /// Hop limit of outgoing unicast packets.
    HopLimit: Int, "IPV6_UNICAST_HOPS",
        get "hop_limit", set "set_hop_limit";
    /// Interface of outgoing multicast packets.
    MulticastInterface: Interface, "IPV6_MULTICAST_IF",
        get "multicast_interface", set "set_multicast_interface";
    /// Hop limit of outgoing multicast packets.
    MulticastHopLimit: Int, "IPV6_MULTICAST_HOPS",
        get "multicast_hop_limit", set "set_multicast_hop_limit";
    /// Loopback of outgoing multicast packets.
    MulticastLoopback: Bool, "IPV6_MULTICAST_LOOP",
        get "multicast_loopback", set "set_multicast_loopback";
    /// Report each datagram's traffic class.
    ReceiveTrafficClass: Bool, "IPV6_RECVTCLASS",
        get "", set "set_control_message";
    /// Report each datagram's hop limit.
    ReceiveHopLimit: Bool, "IPV6_RECVHOPLIMIT",
        get "", set "set_control_message";
    /// Report each datagram's destination and interface.
    ReceivePacketInfo: Bool, "IPV6_RECVPKTINFO",
        get "", set "set_control_message";
    /// Report path MTU changes.
    ReceivePathMtu: Bool, "IPV6_RECVPATHMTU",
        get "", set "set_control_message";
    /// Path MTU of a connected socket.
    PathMtu: Mtu, "IPV6_PATHMTU",
        get "path_mtu", set "";
    /// Checksum offset on raw sockets (-1: off).
    Checksum: Int, "IPV6_CHECKSUM",
        get "checksum", set "set_checksum";
    /// ICMPv6 type filter on raw ICMPv6 sockets.
    IcmpFilter: Filter, "ICMP6_FILTER",
        get "icmp_filter", set "set_icmp_filter";
    /// Join an any-source group (`IPV6_JOIN_GROUP` where that is all there is).
    JoinGroup: Membership, "MCAST_JOIN_GROUP",
        get "", set "join_group";
    /// Leave a group (`IPV6_LEAVE_GROUP` where that is all there is).
    LeaveGroup: Membership, "MCAST_LEAVE_GROUP",
        get "", set "leave_group";
    /// Join a source-specific group.
    JoinSourceGroup: SourceMembership, "MCAST_JOIN_SOURCE_GROUP",
        get "", set "join_source_specific_group";
    /// Leave a source-specific group.
    LeaveSourceGroup: SourceMembership, "MCAST_LEAVE_SOURCE_GROUP",
        get "", set "leave_source_specific_group";
    /// Mute a source of an any-source group.
    BlockSource: SourceMembership, "MCAST_BLOCK_SOURCE",
        get "", set "exclude_source_specific_group";
    /// Unmute a source of an any-source group.
    UnblockSource: SourceMembership, "MCAST_UNBLOCK_SOURCE",
        get "", set "include_source_specific_group";
    /// Attach a classic BPF program.
    AttachFilter: Program, "SO_ATTACH_FILTER",
        get "", set "set_bpf";
    /// Never fragment outgoing packets: a send larger than the path MTU
    /// fails instead (RFC 3542 section 11.2).
    DontFragment: Bool, "IPV6_DONTFRAG",
        get "dont_fragment", set "set_dont_fragment";
    /// Path MTU discovery mode (Linux `IPV6_PMTUDISC_*`).
    MtuDiscover: Int, "IPV6_MTU_DISCOVER",
        get "mtu_discover", set "set_mtu_discover";
    /// Queue ICMPv6 and local errors for `read_error` (Linux).
    ReceiveErrors: Bool, "IPV6_RECVERR",
        get "receive_errors", set "set_receive_errors";
    /// Segment size of every send without its own (UDP GSO, Linux; 0: off).
    GsoSegmentSize: Int, "UDP_SEGMENT",
        get "gso_segment_size", set "set_gso_segment_size";
    /// Coalesce received datagrams and report their segment size (UDP GRO,
    /// Linux).
    ReceiveSegmentSize: Bool, "UDP_GRO",
        get "gro", set "set_gro";
}

impl SocketOption {
    /// Whether `getsockopt` applies: memberships and BPF programs are
    /// written only.
    pub const fn readable(self) -> bool {
        !matches!(
            self.kind(),
            ValueKind::Membership | ValueKind::SourceMembership | ValueKind::Program
        )
    }

    /// Whether `setsockopt` applies: `IPV6_PATHMTU` is read only.
    pub const fn writable(self) -> bool {
        !matches!(self.kind(), ValueKind::Mtu)
    }
}

impl fmt::Display for SocketOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.c_name())
    }
}

/// A multicast group on an interface (`interface` 0: the kernel's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Group {
    /// Interface index; 0 lets the kernel choose.
    pub interface: u32,
    /// The group address.
    pub group: Ipv6Addr,
}

/// A value read from or written to a socket option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionValue<'a> {
    /// [`ValueKind::Int`].
    Int(i32),
    /// [`ValueKind::Bool`].
    Bool(bool),
    /// [`ValueKind::Interface`].
    Interface(u32),
    /// [`ValueKind::Membership`].
    Membership(Group),
    /// [`ValueKind::SourceMembership`]: `group` from `source` only.
    SourceMembership {
        /// The group and interface.
        group: Group,
        /// The unicast source.
        source: Ipv6Addr,
    },
    /// [`ValueKind::Filter`].
    Filter(IcmpFilter),
    /// [`ValueKind::Program`].
    Program(&'a [BpfInstruction]),
    /// [`ValueKind::Mtu`].
    Mtu(u32),
}

impl OptionValue<'_> {
    /// The kind of this value.
    pub const fn kind(&self) -> ValueKind {
        match self {
            OptionValue::Int(_) => ValueKind::Int,
            OptionValue::Bool(_) => ValueKind::Bool,
            OptionValue::Interface(_) => ValueKind::Interface,
            OptionValue::Membership(_) => ValueKind::Membership,
            OptionValue::SourceMembership { .. } => ValueKind::SourceMembership,
            OptionValue::Filter(_) => ValueKind::Filter,
            OptionValue::Program(_) => ValueKind::Program,
            OptionValue::Mtu(_) => ValueKind::Mtu,
        }
    }
}

/// The C struct an option's value is laid out as on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionShape {
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
    /// `struct sock_fprog`: a length and a pointer, built by the backend.
    SockFprog,
}

impl Platform {
    /// How `option`'s value is laid out here: fixed by the option's kind,
    /// except that any-source memberships use the platform's
    /// [`GroupStruct`].
    pub const fn option_shape(&self, option: SocketOption) -> OptionShape {
        match option.kind() {
            ValueKind::Int | ValueKind::Bool | ValueKind::Interface => OptionShape::Int,
            ValueKind::Membership => match self.group_struct {
                GroupStruct::Ipv6Mreq => OptionShape::Mreq,
                GroupStruct::GroupReq => OptionShape::GroupReq,
            },
            ValueKind::SourceMembership => OptionShape::GroupSourceReq,
            ValueKind::Filter => OptionShape::IcmpFilter,
            ValueKind::Program => OptionShape::SockFprog,
            ValueKind::Mtu => OptionShape::MtuInfo,
        }
    }

    /// Bytes of `option`'s value here (`sock_fprog`: 0, the backend's own).
    pub const fn option_len(&self, option: SocketOption) -> usize {
        let l = &self.layouts;
        match self.option_shape(option) {
            OptionShape::Int => 4,
            OptionShape::MtuInfo => l.ip6_mtuinfo,
            OptionShape::Mreq => l.ipv6_mreq,
            OptionShape::GroupReq => l.group_req,
            OptionShape::GroupSourceReq => l.group_source_req,
            OptionShape::IcmpFilter => crate::filter::ICMP6_FILTER_LEN,
            OptionShape::SockFprog => 0,
        }
    }
}

/// The table row for `option` on `platform`, or [`Error::Unsupported`]
/// naming `op` where the OS lacks the option.
pub fn row(platform: &Platform, op: Operation, option: SocketOption) -> Result<SockOpt> {
    platform.sockopt(option).ok_or(Error::Unsupported(op))
}

/// Refuses a `set` whose value is not of the option's kind or whose option
/// cannot be written, before any system call.
pub fn check_set(option: SocketOption, value: &OptionValue<'_>) -> Result<()> {
    let op = Operation::Set(option);
    if !option.writable() {
        return Err(Error::InvalidArgument(
            op,
            InvalidArgument::NotWritable(option),
        ));
    }
    if value.kind() != option.kind() {
        return Err(Error::InvalidArgument(
            op,
            InvalidArgument::ValueKind {
                expected: option.kind(),
                given: value.kind(),
            },
        ));
    }
    Ok(())
}

/// Refuses a `get` of an option that cannot be read, before any system call.
pub fn check_get(option: SocketOption) -> Result<()> {
    if option.readable() {
        Ok(())
    } else {
        Err(Error::InvalidArgument(
            Operation::Get(option),
            InvalidArgument::NotReadable(option),
        ))
    }
}

/// An option value in the form a backend hands to `setsockopt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoded<'v, 'b> {
    /// The struct's bytes.
    Bytes(&'b [u8]),
    /// A BPF program: `struct sock_fprog` holds a pointer, which only the
    /// backend can build.
    Program(&'v [BpfInstruction]),
}

/// Largest option value any [`Platform::ALL`] member encodes.
pub const MAX_OPTION_LEN: usize = {
    let mut max = 0;
    let mut p = 0;
    while p < Platform::ALL.len() {
        let mut o = 0;
        while o < SocketOption::COUNT {
            let len = Platform::ALL[p].option_len(SocketOption::ALL[o]);
            if len > max {
                max = len;
            }
            o += 1;
        }
        p += 1;
    }
    max
};

/// An option buffer aligned for any option struct a kernel reads.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(8))]
pub struct OptionBuffer(pub [u8; MAX_OPTION_LEN]);

impl Default for OptionBuffer {
    fn default() -> Self {
        OptionBuffer([0; MAX_OPTION_LEN])
    }
}

/// Encodes `value` for `option` on `platform` into `buf`; returns the
/// table row with it, so the caller has everything `setsockopt` takes.
///
/// Fails with [`InvalidArgument`] for a value of the wrong kind or a read-only
/// option, with [`Error::Unsupported`] where the platform lacks the option,
/// and with [`Error::Wire`] when `buf` is too small.
pub fn encode<'v, 'b>(
    platform: &Platform,
    option: SocketOption,
    value: &OptionValue<'v>,
    buf: &'b mut [u8],
) -> Result<(SockOpt, Encoded<'v, 'b>)> {
    let op = Operation::Set(option);
    check_set(option, value)?;
    let row = row(platform, op, option)?;
    let len = match (platform.option_shape(option), *value) {
        (_, OptionValue::Program(program)) => return Ok((row, Encoded::Program(program))),
        (_, OptionValue::Int(v)) => sockaddr::encode_int(platform, v, buf),
        (_, OptionValue::Bool(on)) => sockaddr::encode_int(platform, i32::from(on), buf),
        // The kernel keeps an unsigned index in an int-sized option.
        (_, OptionValue::Interface(index)) => sockaddr::encode_int(platform, index as i32, buf),
        (OptionShape::Mreq, OptionValue::Membership(g)) => {
            sockaddr::encode_ipv6_mreq(platform, g.interface, g.group, buf)
        }
        (_, OptionValue::Membership(g)) => {
            sockaddr::encode_group_req(platform, g.interface, g.group, buf)
        }
        (_, OptionValue::SourceMembership { group, source }) => {
            sockaddr::encode_group_source_req(platform, group.interface, group.group, source, buf)
        }
        (_, OptionValue::Filter(filter)) => filter.encode(platform, buf),
        // Only `IPV6_PATHMTU` carries an MTU, and `check_set` refused it.
        (_, OptionValue::Mtu(_)) => Err(WireError::ValueOutOfRange),
    }
    .map_err(|e| Error::Wire(op, e))?;
    Ok((row, Encoded::Bytes(&buf[..len])))
}

/// Decodes the bytes `getsockopt` wrote for `option` on `platform`.
///
/// Fails with [`InvalidArgument::NotReadable`] for an option that cannot be
/// read and with [`Error::Wire`] for bytes that do not hold its value.
pub fn decode(
    platform: &Platform,
    option: SocketOption,
    bytes: &[u8],
) -> Result<OptionValue<'static>> {
    check_get(option)?;
    let int = || sockaddr::decode_int(platform, bytes);
    let value = match option.kind() {
        ValueKind::Int => int().map(OptionValue::Int),
        ValueKind::Bool => int().map(|v| OptionValue::Bool(v != 0)),
        ValueKind::Interface => int().map(|v| OptionValue::Interface(v as u32)),
        ValueKind::Filter => IcmpFilter::from_bytes(platform, bytes).map(OptionValue::Filter),
        ValueKind::Mtu => sockaddr::decode_mtu(platform, bytes).map(OptionValue::Mtu),
        // `check_get` refused these: they are written only.
        ValueKind::Membership | ValueKind::SourceMembership | ValueKind::Program => {
            Err(WireError::ValueOutOfRange)
        }
    };
    value.map_err(|e| Error::Wire(Operation::Get(option), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_indexes_its_own_row() {
        for (i, option) in SocketOption::ALL.into_iter().enumerate() {
            assert_eq!(option as usize, i);
            assert!(!option.c_name().is_empty());
            // Every option is reachable through some public method.
            assert!(!option.getter().is_empty() || !option.setter().is_empty());
            assert_eq!(
                option.readable(),
                !option.getter().is_empty() || {
                    // Receive options are read back by the backends' tests only.
                    option.kind() == ValueKind::Bool && option.setter() == "set_control_message"
                }
            );
        }
    }

    /// The table's method names are what error messages print: each must
    /// be a public method of `Conn` or `PacketConn`, which no compiler
    /// checks for a string.
    #[cfg(target_has_atomic = "32")]
    #[test]
    fn getters_and_setters_name_public_methods() {
        const CONN_SOURCES: [&str; 3] = [
            include_str!("conn/mod.rs"),
            include_str!("conn/packet.rs"),
            include_str!("conn/extensions.rs"),
        ];
        for option in SocketOption::ALL {
            for method in [option.getter(), option.setter()] {
                if method.is_empty() {
                    continue;
                }
                let declaration = std::format!("pub fn {method}(");
                assert!(
                    CONN_SOURCES.iter().any(|s| s.contains(&declaration)),
                    "{option}: no `{declaration}` in core/src/conn"
                );
            }
        }
    }

    #[test]
    fn encoding_follows_the_platform() {
        let join = OptionValue::Membership(Group {
            interface: 3,
            group: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x114),
        });
        let mut buf = [0u8; MAX_OPTION_LEN];
        for p in Platform::ALL {
            let len = match encode(&p, SocketOption::JoinGroup, &join, &mut buf) {
                Ok((_, Encoded::Bytes(b))) => b.len(),
                other => panic!("{other:?}"),
            };
            assert_eq!(len, p.option_len(SocketOption::JoinGroup));
        }
        assert_eq!(
            Platform::NETBSD_64.option_shape(SocketOption::JoinGroup),
            OptionShape::Mreq
        );
        assert_eq!(
            Platform::LINUX_64.option_shape(SocketOption::JoinGroup),
            OptionShape::GroupReq
        );
    }

    #[test]
    fn wrong_kinds_and_directions_are_refused_before_encoding() {
        let mut buf = [0u8; MAX_OPTION_LEN];
        let p = Platform::LINUX_64;
        assert_eq!(
            encode(
                &p,
                SocketOption::HopLimit,
                &OptionValue::Bool(true),
                &mut buf
            ),
            Err(Error::InvalidArgument(
                Operation::Set(SocketOption::HopLimit),
                InvalidArgument::ValueKind {
                    expected: ValueKind::Int,
                    given: ValueKind::Bool
                }
            ))
        );
        assert_eq!(
            encode(&p, SocketOption::PathMtu, &OptionValue::Mtu(1280), &mut buf),
            Err(Error::InvalidArgument(
                Operation::Set(SocketOption::PathMtu),
                InvalidArgument::NotWritable(SocketOption::PathMtu)
            ))
        );
        assert_eq!(
            decode(&p, SocketOption::JoinGroup, &[0; 4]),
            Err(Error::InvalidArgument(
                Operation::Get(SocketOption::JoinGroup),
                InvalidArgument::NotReadable(SocketOption::JoinGroup)
            ))
        );
        let source = OptionValue::SourceMembership {
            group: Group {
                interface: 1,
                group: Ipv6Addr::new(0xff3e, 0, 0, 0, 0, 0, 0, 1),
            },
            source: Ipv6Addr::LOCALHOST,
        };
        assert_eq!(
            encode(
                &Platform::NETBSD_64,
                SocketOption::JoinSourceGroup,
                &source,
                &mut buf
            ),
            Err(Error::Unsupported(Operation::Set(
                SocketOption::JoinSourceGroup
            )))
        );
    }

    #[test]
    fn ints_bools_and_interfaces_round_trip() {
        let p = Platform::LINUX_64.with_endian(crate::platform::Endian::Big);
        let mut buf = [0u8; MAX_OPTION_LEN];
        for (option, value) in [
            (SocketOption::HopLimit, OptionValue::Int(-1)),
            (SocketOption::MulticastLoopback, OptionValue::Bool(true)),
            (
                SocketOption::MulticastInterface,
                OptionValue::Interface(u32::MAX),
            ),
        ] {
            let Ok((_, Encoded::Bytes(bytes))) = encode(&p, option, &value, &mut buf) else {
                panic!("{option}");
            };
            let bytes: [u8; 4] = bytes.try_into().unwrap();
            assert_eq!(decode(&p, option, &bytes), Ok(value));
        }
    }
}
