//! ICMPv6 type filters (`ICMP6_FILTER`, RFC 3542 section 3.2).

use crate::error::{WireError, prefix_to_read, prefix_to_write};
use crate::icmp::IcmpType;
use crate::platform::{FilterPolarity, Platform};

/// A set of ICMPv6 types a raw socket blocks.
///
/// The value is canonical: bit `t` set means type `t` is *blocked*, whatever
/// the OS. [`to_bytes`](Self::to_bytes) and [`from_bytes`](Self::from_bytes)
/// translate to the kernel's `struct icmp6_filter`, whose polarity differs
/// (Linux: a set bit blocks; BSD and Darwin: a set bit passes).
///
/// The default filter passes every type, as a fresh raw socket does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct IcmpFilter {
    blocked: [u32; 8],
}

/// `sizeof(struct icmp6_filter)`: 256 bits, one per type, on every OS
/// (RFC 3542 section 3.2).
pub const ICMP6_FILTER_LEN: usize = 32;

impl IcmpFilter {
    /// A filter that passes every type.
    pub const PASS_ALL: IcmpFilter = IcmpFilter { blocked: [0; 8] };
    /// A filter that blocks every type.
    pub const BLOCK_ALL: IcmpFilter = IcmpFilter {
        blocked: [u32::MAX; 8],
    };

    const fn slot(typ: IcmpType) -> (usize, u32) {
        ((typ.0 >> 5) as usize, 1 << (typ.0 & 31))
    }

    /// Lets `typ` through (Go's `Accept`).
    pub fn accept(&mut self, typ: IcmpType) {
        let (word, bit) = Self::slot(typ);
        self.blocked[word] &= !bit;
    }

    /// Blocks `typ` (Go's `Block`).
    pub fn block(&mut self, typ: IcmpType) {
        let (word, bit) = Self::slot(typ);
        self.blocked[word] |= bit;
    }

    /// Blocks every type if `block`, else passes every type (Go's `SetAll`).
    pub fn set_all(&mut self, block: bool) {
        *self = if block {
            Self::BLOCK_ALL
        } else {
            Self::PASS_ALL
        };
    }

    /// Whether `typ` is blocked (Go's `WillBlock`).
    pub const fn will_block(&self, typ: IcmpType) -> bool {
        let (word, bit) = Self::slot(typ);
        self.blocked[word] & bit != 0
    }

    /// The kernel's `struct icmp6_filter` for `platform`.
    pub fn to_bytes(&self, platform: &Platform) -> [u8; ICMP6_FILTER_LEN] {
        let mut out = [0u8; ICMP6_FILTER_LEN];
        for (chunk, &blocked) in out.chunks_exact_mut(4).zip(&self.blocked) {
            let word = match platform.filter_polarity {
                FilterPolarity::SetBlocks => blocked,
                FilterPolarity::SetPasses => !blocked,
            };
            platform.endian.write_u32(chunk, word);
        }
        out
    }

    /// Writes the kernel's `struct icmp6_filter` for `platform` to the start
    /// of `buf`; returns its length.
    pub fn encode(&self, platform: &Platform, buf: &mut [u8]) -> Result<usize, WireError> {
        prefix_to_write(buf, ICMP6_FILTER_LEN)?.copy_from_slice(&self.to_bytes(platform));
        Ok(ICMP6_FILTER_LEN)
    }

    /// Decodes the kernel's `struct icmp6_filter` for `platform`.
    pub fn from_bytes(platform: &Platform, bytes: &[u8]) -> Result<IcmpFilter, WireError> {
        let bytes = prefix_to_read(bytes, ICMP6_FILTER_LEN)?;
        let mut blocked = [0u32; 8];
        for (word, chunk) in blocked.iter_mut().zip(bytes.chunks_exact(4)) {
            let raw = platform.endian.read_u32(chunk);
            *word = match platform.filter_polarity {
                FilterPolarity::SetBlocks => raw,
                FilterPolarity::SetPasses => !raw,
            };
        }
        Ok(IcmpFilter { blocked })
    }

    /// The blocked-type bitmap: bit `t % 32` of word `t / 32` is type `t`.
    pub const fn blocked_words(&self) -> [u32; 8] {
        self.blocked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn go_filter_vectors() {
        // Go's TestICMPFilter.
        let mut f = IcmpFilter::default();
        for toggle in [false, true] {
            f.set_all(toggle);
            for typ in [
                IcmpType::DESTINATION_UNREACHABLE,
                IcmpType::ECHO_REPLY,
                IcmpType::NEIGHBOR_SOLICITATION,
                IcmpType::DUPLICATE_ADDRESS_CONFIRMATION,
            ] {
                f.accept(typ);
                assert!(!f.will_block(typ));
                f.block(typ);
                assert!(f.will_block(typ));
            }
        }
    }

    #[test]
    fn golden_bytes_per_polarity() {
        let mut f = IcmpFilter::BLOCK_ALL;
        f.accept(IcmpType::ECHO_REPLY); // 129 = word 4, bit 1
        let linux = f.to_bytes(&Platform::LINUX_64);
        let mut want = [0xffu8; 32];
        want[16] = 0xfd;
        assert_eq!(linux, want);
        let bsd = f.to_bytes(&Platform::FREEBSD_64);
        let mut want = [0u8; 32];
        want[16] = 0x02;
        assert_eq!(bsd, want);
        let be = f.to_bytes(&Platform::LINUX_64.with_endian(crate::platform::Endian::Big));
        assert_eq!(be[19], 0xfd);
    }

    #[test]
    fn short_input_is_an_error() {
        assert_eq!(
            IcmpFilter::from_bytes(&Platform::DARWIN, &[0; 31]),
            Err(WireError::Truncated {
                needed: 32,
                available: 31
            })
        );
    }

    proptest! {
        #[test]
        fn bytes_round_trip_on_every_platform(words in any::<[u32; 8]>()) {
            let f = IcmpFilter { blocked: words };
            for p in Platform::ALL {
                prop_assert_eq!(IcmpFilter::from_bytes(&p, &f.to_bytes(&p)), Ok(f));
            }
        }

        #[test]
        fn operations_match_a_naive_model(ops in proptest::collection::vec((0u8..3, any::<u8>()), 0..64)) {
            let mut f = IcmpFilter::PASS_ALL;
            let mut model = [false; 256];
            for (op, t) in ops {
                match op {
                    0 => { f.accept(IcmpType(t)); model[t as usize] = false; }
                    1 => { f.block(IcmpType(t)); model[t as usize] = true; }
                    _ => { let b = t & 1 == 1; f.set_all(b); model = [b; 256]; }
                }
            }
            for t in 0..=255u8 {
                prop_assert_eq!(f.will_block(IcmpType(t)), model[t as usize]);
            }
        }
    }
}
