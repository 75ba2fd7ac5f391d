//! Extension-header walking: never panics, and what it accepts tiles the input.
#![no_main]

use ipv6_core::exthdr::ExtHeaders;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8])| {
    let (first, bytes) = input;
    let mut walk = ExtHeaders::new(first, bytes);
    let mut expected_offset = 0;
    for record in walk.by_ref() {
        let Ok(record) = record else { return };
        assert_eq!(record.offset(), expected_offset);
        assert!(record.bytes().len() >= 8);
        expected_offset += record.bytes().len();
        assert!(expected_offset <= bytes.len());
    }
    let end = walk.end().expect("a walk that yielded no error has an end");
    assert_eq!(end.offset(), expected_offset);
});
