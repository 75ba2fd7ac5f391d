//! Accept/block/set-all sequences match a naive 256-entry model, and the
//! kernel encoding round-trips on every platform.
#![no_main]

use arbitrary::Arbitrary;
use ipv6_core::{IcmpFilter, IcmpType, Platform};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Accept(u8),
    Block(u8),
    SetAll(bool),
}

fuzz_target!(|input: (IcmpFilter, Vec<Op>, [u8; 32])| {
    let (mut filter, ops, raw) = input;
    let mut model = [false; 256];
    for t in 0..=255u8 {
        model[t as usize] = filter.will_block(IcmpType(t));
    }
    for op in ops {
        match op {
            Op::Accept(t) => {
                filter.accept(IcmpType(t));
                model[t as usize] = false;
            }
            Op::Block(t) => {
                filter.block(IcmpType(t));
                model[t as usize] = true;
            }
            Op::SetAll(block) => {
                filter.set_all(block);
                model = [block; 256];
            }
        }
    }
    for t in 0..=255u8 {
        assert_eq!(filter.will_block(IcmpType(t)), model[t as usize]);
        let word = filter.blocked_words()[usize::from(t) / 32];
        assert_eq!(word >> (t % 32) & 1 == 1, model[t as usize]);
    }
    for platform in Platform::ALL {
        let bytes = filter.to_bytes(&platform);
        assert_eq!(IcmpFilter::from_bytes(&platform, &bytes), Ok(filter));
        let mut out = [0u8; 33];
        assert_eq!(filter.encode(&platform, &mut out), Ok(32));
        assert_eq!(out[..32], bytes);
        assert!(filter.encode(&platform, &mut out[..31]).is_err());
        assert!(IcmpFilter::from_bytes(&platform, &bytes[..31]).is_err());
        // Any 32 kernel bytes decode, and re-encode to themselves.
        let decoded = IcmpFilter::from_bytes(&platform, &raw).unwrap();
        assert_eq!(decoded.to_bytes(&platform), raw);
    }
});
