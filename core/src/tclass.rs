//! The two fields of the IPv6 traffic class: the Differentiated Services
//! codepoint (RFC 2474, the upper six bits) and the ECN field (RFC 3168, the
//! lower two).
//!
//! The kernel takes and reports the whole octet (`IPV6_TCLASS`); these types
//! split it and put it back together, so a caller never shifts or masks by
//! hand and cannot drop the ECN bits by accident, as a DSCP-only API does.

use core::fmt;

/// The ECN field of the traffic class (RFC 3168 section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[repr(u8)]
pub enum Ecn {
    /// `00`: the transport is not ECN-capable.
    #[default]
    NotEct = 0b00,
    /// `01`: ECN-capable transport, ECT(1) (L4S, RFC 9331).
    Ect1 = 0b01,
    /// `10`: ECN-capable transport, ECT(0).
    Ect0 = 0b10,
    /// `11`: congestion experienced.
    Ce = 0b11,
}

impl Ecn {
    /// Every codepoint, by value.
    pub const ALL: [Ecn; 4] = [Ecn::NotEct, Ecn::Ect1, Ecn::Ect0, Ecn::Ce];

    /// The ECN field of a traffic class octet.
    pub const fn from_traffic_class(tclass: u8) -> Ecn {
        Ecn::ALL[(tclass & 0b11) as usize]
    }

    /// The two bits.
    pub const fn bits(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Ecn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ecn::NotEct => "Not-ECT",
            Ecn::Ect1 => "ECT(1)",
            Ecn::Ect0 => "ECT(0)",
            Ecn::Ce => "CE",
        })
    }
}

/// A Differentiated Services codepoint: six bits (0..=63).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Dscp(u8);

impl Dscp {
    /// Default forwarding, CS0 (RFC 2474).
    pub const DEFAULT: Dscp = Dscp(0);
    /// Class selector 1 (RFC 2474), once used for lower effort.
    pub const CS1: Dscp = Dscp(8);
    /// Lower effort (RFC 8622).
    pub const LE: Dscp = Dscp(1);
    /// Assured forwarding class 1, low drop (RFC 2597).
    pub const AF11: Dscp = Dscp(10);
    /// Assured forwarding class 2, low drop.
    pub const AF21: Dscp = Dscp(18);
    /// Assured forwarding class 3, low drop.
    pub const AF31: Dscp = Dscp(26);
    /// Assured forwarding class 4, low drop.
    pub const AF41: Dscp = Dscp(34);
    /// Class selector 5, signalling.
    pub const CS5: Dscp = Dscp(40);
    /// Voice admit (RFC 5865).
    pub const VOICE_ADMIT: Dscp = Dscp(44);
    /// Expedited forwarding (RFC 3246).
    pub const EF: Dscp = Dscp(46);
    /// Class selector 6, network control.
    pub const CS6: Dscp = Dscp(48);
    /// Class selector 7.
    pub const CS7: Dscp = Dscp(56);

    /// The codepoint `value`, or `None` above 63.
    pub const fn new(value: u8) -> Option<Dscp> {
        if value < 64 { Some(Dscp(value)) } else { None }
    }

    /// The DSCP of a traffic class octet.
    pub const fn from_traffic_class(tclass: u8) -> Dscp {
        Dscp(tclass >> 2)
    }

    /// The six bits as a number.
    pub const fn value(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Dscp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DSCP {}", self.0)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Dscp {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Dscp(u8::arbitrary(u)? & 0x3f))
    }
}

/// The traffic class octet of `dscp` and `ecn`.
pub const fn traffic_class(dscp: Dscp, ecn: Ecn) -> u8 {
    (dscp.0 << 2) | ecn.bits()
}

/// The two fields of a traffic class octet.
pub const fn split(tclass: u8) -> (Dscp, Ecn) {
    (
        Dscp::from_traffic_class(tclass),
        Ecn::from_traffic_class(tclass),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn golden_octets() {
        // EF with ECT(0) is 0xba, as on a QUIC media flow; CS6 + CE is 0xc3.
        assert_eq!(traffic_class(Dscp::EF, Ecn::Ect0), 0xba);
        assert_eq!(traffic_class(Dscp::CS6, Ecn::Ce), 0xc3);
        assert_eq!(traffic_class(Dscp::DEFAULT, Ecn::Ect1), 0x01);
        assert_eq!(split(0x2a), (Dscp::AF11, Ecn::Ect0));
        assert_eq!(Dscp::new(64), None);
        assert_eq!(Dscp::new(63).map(Dscp::value), Some(63));
        assert_eq!(std::format!("{}", Ecn::Ect1), "ECT(1)");
    }

    proptest! {
        #[test]
        fn every_octet_splits_and_rejoins(tclass: u8) {
            let (dscp, ecn) = split(tclass);
            prop_assert_eq!(traffic_class(dscp, ecn), tclass);
            prop_assert!(dscp.value() < 64);
        }
    }
}
