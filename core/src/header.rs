//! The IPv6 fixed header (RFC 8200 section 3).
//!
//! CONTRACT STUB: to be implemented.
//! - `pub const VERSION: u8 = 6; pub const HEADER_LEN: usize = 40;`
//! - `HeaderView<T: AsRef<[u8]>>`: zero-copy typed view (smoltcp `wire` style):
//!   `new_checked(buf) -> Result<Self, WireError>`, `new_unchecked`, `into_inner`,
//!   accessors `version() traffic_class() flow_label() payload_len() next_header()
//!   hop_limit() src() dst() payload()`, and setters when `T: AsMut<[u8]>`.
//! - `Header` (owned, Copy): fields `version: u8, traffic_class: u8, flow_label: u32,
//!   payload_len: u16, next_header: u8, hop_limit: u8, src: Ipv6Addr, dst: Ipv6Addr`;
//!   `parse(&[u8]) -> Result<Header, WireError>` (Go semantics: short input is an
//!   error; the version nibble is reported as found, not checked);
//!   `from_view`, `emit(&self, &mut [u8]) -> Result<usize, WireError>`,
//!   `to_bytes() -> [u8; 40]`; `Display` = Go's String.
use core::net::Ipv6Addr;

/// IPv6 version number.
pub const VERSION: u8 = 6;
/// Length of the fixed header.
pub const HEADER_LEN: usize = 40;

/// Owned IPv6 header (stub).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Version.
    pub version: u8,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
    /// Payload length.
    pub payload_len: u16,
    /// Next header.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Source.
    pub src: Ipv6Addr,
    /// Destination.
    pub dst: Ipv6Addr,
}

/// Zero-copy view (stub).
#[derive(Debug, Clone)]
pub struct HeaderView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> HeaderView<T> {
    /// Wraps without checking (stub).
    pub fn new_unchecked(buffer: T) -> Self {
        HeaderView { buffer }
    }
    /// The buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}
