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
    }
    for platform in Platform::ALL {
        let bytes = filter.to_bytes(&platform);
        assert_eq!(IcmpFilter::from_bytes(&platform, &bytes), Ok(filter));
        // Any 32 kernel bytes decode, and re-encode to themselves.
        let decoded = IcmpFilter::from_bytes(&platform, &raw).unwrap();
        assert_eq!(decoded.to_bytes(&platform), raw);
    }
});
