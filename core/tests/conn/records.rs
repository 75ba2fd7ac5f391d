//! Linux x86_64 control records the receive tests deliver, byte by byte.

/// `IPV6_TCLASS` record carrying 0xb8 (`cmsg_len` 20, padded to 24).
#[rustfmt::skip]
pub const TCLASS_B8: [u8; 24] = [
    20, 0, 0, 0, 0, 0, 0, 0,   41, 0, 0, 0,   67, 0, 0, 0,
    0xb8, 0, 0, 0,   0, 0, 0, 0,
];

/// `IPV6_HOPLIMIT` record carrying 64.
#[rustfmt::skip]
pub const HOPLIMIT_64: [u8; 24] = [
    20, 0, 0, 0, 0, 0, 0, 0,   41, 0, 0, 0,   52, 0, 0, 0,
    64, 0, 0, 0,   0, 0, 0, 0,
];

/// `IPV6_PKTINFO` record: 2001:db8::1 on interface 3 (`cmsg_len` 36, padded to 40).
#[rustfmt::skip]
pub const PKTINFO_DB8_1_IF3: [u8; 40] = [
    36, 0, 0, 0, 0, 0, 0, 0,   41, 0, 0, 0,   50, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    3, 0, 0, 0,   0, 0, 0, 0,
];

/// `IPV6_PATHMTU` record: `ip6_mtuinfo` for 2001:db8::9 on interface 5
/// (`sin6_scope_id`) with MTU 1280 (`cmsg_len` 48).
#[rustfmt::skip]
pub const PATHMTU_1280_IF5: [u8; 48] = [
    48, 0, 0, 0, 0, 0, 0, 0,   41, 0, 0, 0,   61, 0, 0, 0,
    10, 0,   0, 0,   0, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
    5, 0, 0, 0,
    0x00, 0x05, 0, 0,
];
