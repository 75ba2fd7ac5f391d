//! RFC 3542 control messages (Go's `ControlMessage`).
//!
//! CONTRACT STUB. The implementation must provide exactly these items:
use core::net::Ipv6Addr;

use crate::error::WireError;
use crate::platform::Platform;

bitflags::bitflags! {
    /// Which fields to receive (Go's `ControlFlags`, same bit values).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ControlFlags: u32 {
        /// Traffic class of received packets.
        const TRAFFIC_CLASS = 1;
        /// Hop limit of received packets.
        const HOP_LIMIT = 2;
        /// Source address (Go never fills it on receive; kept for parity).
        const SRC = 4;
        /// Destination address.
        const DST = 8;
        /// Interface index.
        const INTERFACE = 16;
        /// Path MTU.
        const PATH_MTU = 32;
    }
}

/// Per-packet IPv6 information (Go's `ControlMessage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ControlMessage {
    /// Traffic class (`IPV6_TCLASS`).
    pub traffic_class: Option<u8>,
    /// Hop limit (`IPV6_HOPLIMIT`).
    pub hop_limit: Option<u8>,
    /// Source address to send from (`IPV6_PKTINFO`, send only).
    pub src: Option<Ipv6Addr>,
    /// Destination address a packet arrived for (`IPV6_PKTINFO`, receive only).
    pub dst: Option<Ipv6Addr>,
    /// Interface index (0: none).
    pub if_index: u32,
    /// Next hop (`IPV6_NEXTHOP`, send only).
    pub next_hop: Option<Ipv6Addr>,
    /// Path MTU (`IPV6_PATHMTU`, receive only; 0: none).
    pub mtu: u32,
}

/// Largest encoding/receive space of all records on any platform.
pub const MAX_SPACE: usize = 256;

impl ControlFlags {
    /// Bytes of control buffer the kernel needs to report these flags (Go's
    /// `NewControlMessage` length).
    pub fn space(self, platform: &Platform) -> usize {
        let _ = platform;
        todo!()
    }
}

impl ControlMessage {
    /// Decodes IPv6-level records.
    pub fn parse(platform: &Platform, bytes: &[u8]) -> Result<ControlMessage, WireError> {
        let _ = (platform, bytes);
        todo!()
    }
    /// Encodes into `buf`; returns bytes written.
    pub fn marshal(&self, platform: &Platform, buf: &mut [u8]) -> Result<usize, WireError> {
        let _ = (platform, buf);
        todo!()
    }
    /// Bytes `marshal` writes.
    pub fn marshal_len(&self, platform: &Platform) -> usize {
        let _ = platform;
        todo!()
    }
}
