//! ICMPv6 message types (IANA "ICMPv6 Parameters" registry).

use core::fmt;

/// An ICMPv6 message type: any of the 256 values, named or not.
///
/// The named constants are Go's `ICMPType` table plus type 150, which IANA
/// assigns to experimental mobility protocols (RFC 4065, used by Seamoby)
/// and Go's table lacks. `Display` prints Go's lower-case names, and
/// `experimental mobility protocols` for 150, where Go prints `<nil>`. For a
/// value without a name, where Go also prints `<nil>`, it says what the value
/// is: private experimentation (100, 101, 200, 201; RFC 4443 section 2.1),
/// reserved (0, and 127 and 255 for expansion), or unassigned (any other).
///
/// ```
/// use ipv6_core::IcmpType;
///
/// assert_eq!(IcmpType(128).to_string(), "echo request");
/// assert_eq!(IcmpType(150).to_string(), "experimental mobility protocols");
/// assert_eq!(IcmpType(162).to_string(), "unassigned type 162");
/// assert_eq!(IcmpType(100).to_string(), "private experimentation type 100");
/// assert_eq!(IcmpType(200).to_string(), "private experimentation type 200");
/// assert_eq!(IcmpType(255).to_string(), "reserved type 255");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct IcmpType(pub u8);

impl IcmpType {
    /// Destination unreachable (1).
    pub const DESTINATION_UNREACHABLE: IcmpType = IcmpType(1);
    /// Packet too big (2).
    pub const PACKET_TOO_BIG: IcmpType = IcmpType(2);
    /// Time exceeded (3).
    pub const TIME_EXCEEDED: IcmpType = IcmpType(3);
    /// Parameter problem (4).
    pub const PARAMETER_PROBLEM: IcmpType = IcmpType(4);
    /// Echo request (128).
    pub const ECHO_REQUEST: IcmpType = IcmpType(128);
    /// Echo reply (129).
    pub const ECHO_REPLY: IcmpType = IcmpType(129);
    /// Multicast listener query (130).
    pub const MULTICAST_LISTENER_QUERY: IcmpType = IcmpType(130);
    /// Multicast listener report (131).
    pub const MULTICAST_LISTENER_REPORT: IcmpType = IcmpType(131);
    /// Multicast listener done (132).
    pub const MULTICAST_LISTENER_DONE: IcmpType = IcmpType(132);
    /// Router solicitation (133).
    pub const ROUTER_SOLICITATION: IcmpType = IcmpType(133);
    /// Router advertisement (134).
    pub const ROUTER_ADVERTISEMENT: IcmpType = IcmpType(134);
    /// Neighbor solicitation (135).
    pub const NEIGHBOR_SOLICITATION: IcmpType = IcmpType(135);
    /// Neighbor advertisement (136).
    pub const NEIGHBOR_ADVERTISEMENT: IcmpType = IcmpType(136);
    /// Redirect message (137).
    pub const REDIRECT: IcmpType = IcmpType(137);
    /// Router renumbering (138).
    pub const ROUTER_RENUMBERING: IcmpType = IcmpType(138);
    /// Icmp node information query (139).
    pub const NODE_INFORMATION_QUERY: IcmpType = IcmpType(139);
    /// Icmp node information response (140).
    pub const NODE_INFORMATION_RESPONSE: IcmpType = IcmpType(140);
    /// Inverse neighbor discovery solicitation message (141).
    pub const INVERSE_NEIGHBOR_DISCOVERY_SOLICITATION: IcmpType = IcmpType(141);
    /// Inverse neighbor discovery advertisement message (142).
    pub const INVERSE_NEIGHBOR_DISCOVERY_ADVERTISEMENT: IcmpType = IcmpType(142);
    /// Version 2 multicast listener report (143).
    pub const VERSION2_MULTICAST_LISTENER_REPORT: IcmpType = IcmpType(143);
    /// Home agent address discovery request message (144).
    pub const HOME_AGENT_ADDRESS_DISCOVERY_REQUEST: IcmpType = IcmpType(144);
    /// Home agent address discovery reply message (145).
    pub const HOME_AGENT_ADDRESS_DISCOVERY_REPLY: IcmpType = IcmpType(145);
    /// Mobile prefix solicitation (146).
    pub const MOBILE_PREFIX_SOLICITATION: IcmpType = IcmpType(146);
    /// Mobile prefix advertisement (147).
    pub const MOBILE_PREFIX_ADVERTISEMENT: IcmpType = IcmpType(147);
    /// Certification path solicitation message (148).
    pub const CERTIFICATION_PATH_SOLICITATION: IcmpType = IcmpType(148);
    /// Certification path advertisement message (149).
    pub const CERTIFICATION_PATH_ADVERTISEMENT: IcmpType = IcmpType(149);
    /// ICMP messages of experimental mobility protocols such as Seamoby
    /// (150, RFC 4065). Not in Go's table.
    pub const EXPERIMENTAL_MOBILITY_PROTOCOLS: IcmpType = IcmpType(150);
    /// Multicast router advertisement (151).
    pub const MULTICAST_ROUTER_ADVERTISEMENT: IcmpType = IcmpType(151);
    /// Multicast router solicitation (152).
    pub const MULTICAST_ROUTER_SOLICITATION: IcmpType = IcmpType(152);
    /// Multicast router termination (153).
    pub const MULTICAST_ROUTER_TERMINATION: IcmpType = IcmpType(153);
    /// Fmipv6 messages (154).
    pub const FMIPV6: IcmpType = IcmpType(154);
    /// Rpl control message (155).
    pub const RPL_CONTROL: IcmpType = IcmpType(155);
    /// Ilnpv6 locator update message (156).
    pub const ILNPV6_LOCATOR_UPDATE: IcmpType = IcmpType(156);
    /// Duplicate address request (157).
    pub const DUPLICATE_ADDRESS_REQUEST: IcmpType = IcmpType(157);
    /// Duplicate address confirmation (158).
    pub const DUPLICATE_ADDRESS_CONFIRMATION: IcmpType = IcmpType(158);
    /// Mpl control message (159).
    pub const MPL_CONTROL: IcmpType = IcmpType(159);
    /// Extended echo request (160).
    pub const EXTENDED_ECHO_REQUEST: IcmpType = IcmpType(160);
    /// Extended echo reply (161).
    pub const EXTENDED_ECHO_REPLY: IcmpType = IcmpType(161);

    /// Every named type, in numeric order: each value IANA assigns to a
    /// message type. (The registry also lists the reserved and
    /// private-experimentation values, which have no name here.)
    pub const ASSIGNED: [IcmpType; 38] = [
        IcmpType::DESTINATION_UNREACHABLE,
        IcmpType::PACKET_TOO_BIG,
        IcmpType::TIME_EXCEEDED,
        IcmpType::PARAMETER_PROBLEM,
        IcmpType::ECHO_REQUEST,
        IcmpType::ECHO_REPLY,
        IcmpType::MULTICAST_LISTENER_QUERY,
        IcmpType::MULTICAST_LISTENER_REPORT,
        IcmpType::MULTICAST_LISTENER_DONE,
        IcmpType::ROUTER_SOLICITATION,
        IcmpType::ROUTER_ADVERTISEMENT,
        IcmpType::NEIGHBOR_SOLICITATION,
        IcmpType::NEIGHBOR_ADVERTISEMENT,
        IcmpType::REDIRECT,
        IcmpType::ROUTER_RENUMBERING,
        IcmpType::NODE_INFORMATION_QUERY,
        IcmpType::NODE_INFORMATION_RESPONSE,
        IcmpType::INVERSE_NEIGHBOR_DISCOVERY_SOLICITATION,
        IcmpType::INVERSE_NEIGHBOR_DISCOVERY_ADVERTISEMENT,
        IcmpType::VERSION2_MULTICAST_LISTENER_REPORT,
        IcmpType::HOME_AGENT_ADDRESS_DISCOVERY_REQUEST,
        IcmpType::HOME_AGENT_ADDRESS_DISCOVERY_REPLY,
        IcmpType::MOBILE_PREFIX_SOLICITATION,
        IcmpType::MOBILE_PREFIX_ADVERTISEMENT,
        IcmpType::CERTIFICATION_PATH_SOLICITATION,
        IcmpType::CERTIFICATION_PATH_ADVERTISEMENT,
        IcmpType::EXPERIMENTAL_MOBILITY_PROTOCOLS,
        IcmpType::MULTICAST_ROUTER_ADVERTISEMENT,
        IcmpType::MULTICAST_ROUTER_SOLICITATION,
        IcmpType::MULTICAST_ROUTER_TERMINATION,
        IcmpType::FMIPV6,
        IcmpType::RPL_CONTROL,
        IcmpType::ILNPV6_LOCATOR_UPDATE,
        IcmpType::DUPLICATE_ADDRESS_REQUEST,
        IcmpType::DUPLICATE_ADDRESS_CONFIRMATION,
        IcmpType::MPL_CONTROL,
        IcmpType::EXTENDED_ECHO_REQUEST,
        IcmpType::EXTENDED_ECHO_REPLY,
    ];

    /// The IANA name (in Go's spelling; for 150, which Go lacks, in the same
    /// style), or `None` for a value without one.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "destination unreachable",
            2 => "packet too big",
            3 => "time exceeded",
            4 => "parameter problem",
            128 => "echo request",
            129 => "echo reply",
            130 => "multicast listener query",
            131 => "multicast listener report",
            132 => "multicast listener done",
            133 => "router solicitation",
            134 => "router advertisement",
            135 => "neighbor solicitation",
            136 => "neighbor advertisement",
            137 => "redirect message",
            138 => "router renumbering",
            139 => "icmp node information query",
            140 => "icmp node information response",
            141 => "inverse neighbor discovery solicitation message",
            142 => "inverse neighbor discovery advertisement message",
            143 => "version 2 multicast listener report",
            144 => "home agent address discovery request message",
            145 => "home agent address discovery reply message",
            146 => "mobile prefix solicitation",
            147 => "mobile prefix advertisement",
            148 => "certification path solicitation message",
            149 => "certification path advertisement message",
            150 => "experimental mobility protocols",
            151 => "multicast router advertisement",
            152 => "multicast router solicitation",
            153 => "multicast router termination",
            154 => "fmipv6 messages",
            155 => "rpl control message",
            156 => "ilnpv6 locator update message",
            157 => "duplicate address request",
            158 => "duplicate address confirmation",
            159 => "mpl control message",
            160 => "extended echo request",
            161 => "extended echo reply",
            _ => return None,
        })
    }

    /// True for error messages (types 0..=127, RFC 4443 section 2.1).
    pub const fn is_error(self) -> bool {
        self.0 < 128
    }

    /// The protocol number of ICMPv6 (58), as Go's `ICMPType.Protocol`.
    pub const fn protocol(self) -> i32 {
        58
    }
}

impl From<u8> for IcmpType {
    fn from(v: u8) -> Self {
        IcmpType(v)
    }
}

impl From<IcmpType> for u8 {
    fn from(t: IcmpType) -> u8 {
        t.0
    }
}

impl fmt::Display for IcmpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.name() {
            return f.write_str(name);
        }
        let class = match self.0 {
            // RFC 4443 section 2.1.
            100 | 101 | 200 | 201 => "private experimentation",
            0 | 127 | 255 => "reserved",
            _ => "unassigned",
        };
        write!(f, "{class} type {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn go_string_vectors() {
        // Go's icmpStringTests, with the <nil> case replaced by a real rendering.
        assert_eq!(
            IcmpType::DESTINATION_UNREACHABLE.to_string(),
            "destination unreachable"
        );
        assert_eq!(IcmpType::ECHO_REQUEST.to_string(), "echo request");
        assert_eq!(
            IcmpType::EXTENDED_ECHO_REPLY.to_string(),
            "extended echo reply"
        );
        assert_eq!(IcmpType(162).to_string(), "unassigned type 162");
        assert_eq!(
            IcmpType(200).to_string(),
            "private experimentation type 200"
        );
        assert_eq!(IcmpType(255).to_string(), "reserved type 255");
        assert_eq!(IcmpType(0).to_string(), "reserved type 0");
    }

    #[test]
    fn type_150_is_named_where_go_prints_nil() {
        assert_eq!(IcmpType::EXPERIMENTAL_MOBILITY_PROTOCOLS, IcmpType(150));
        assert_eq!(IcmpType(150).to_string(), "experimental mobility protocols");
        // Go's table: every other named type, and nothing else.
        let go: std::vec::Vec<u8> = (1..=4).chain(128..=149).chain(151..=161).collect();
        let ours: std::vec::Vec<u8> = IcmpType::ASSIGNED
            .iter()
            .map(|t| t.0)
            .filter(|&t| t != 150)
            .collect();
        assert_eq!(ours, go);
    }

    #[test]
    fn unnamed_types_print_their_class() {
        // RFC 4443 section 2.1: 100, 101, 200 and 201 for private
        // experimentation, 127 and 255 reserved for expansion; IANA reserves 0.
        // The edges of each unassigned range, error and informational.
        let cases = [
            (0, "reserved type 0"),
            (5, "unassigned type 5"),
            (99, "unassigned type 99"),
            (100, "private experimentation type 100"),
            (101, "private experimentation type 101"),
            (102, "unassigned type 102"),
            (126, "unassigned type 126"),
            (127, "reserved type 127"),
            (162, "unassigned type 162"),
            (199, "unassigned type 199"),
            (200, "private experimentation type 200"),
            (201, "private experimentation type 201"),
            (202, "unassigned type 202"),
            (254, "unassigned type 254"),
            (255, "reserved type 255"),
        ];
        for (t, shown) in cases {
            assert_eq!(IcmpType(t).to_string(), shown);
        }
    }

    #[test]
    fn table_is_complete_and_ordered() {
        let named = (0..=255u8)
            .filter(|&t| IcmpType(t).name().is_some())
            .count();
        assert_eq!(named, IcmpType::ASSIGNED.len());
        assert!(IcmpType::ASSIGNED.iter().all(|t| t.name().is_some()));
        assert!(IcmpType::ASSIGNED.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(IcmpType::ECHO_REQUEST.protocol(), 58);
        assert!(IcmpType::PACKET_TOO_BIG.is_error() && !IcmpType::ECHO_REPLY.is_error());
    }
}
