//! Extension-header walking: never panics, and what it accepts tiles the
//! input; each header's kind names its protocol number and length; a
//! Fragment header's fields survive being written back with the setters; a
//! walk that fails stops there, with no end, and `finish` gives its error.
#![no_main]

use ipv6_core::exthdr::{ExtHeaderKind, ExtHeaders, FragmentView};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8])| {
    let (first, bytes) = input;
    let mut walk = ExtHeaders::new(first, bytes);
    assert_eq!(walk.end(), None, "no end before the walk");
    let mut expected_offset = 0;
    // A protocol that names no extension header ends the walk at once.
    if ExtHeaderKind::from_protocol(first).is_none() {
        assert_eq!(walk.clone().next(), None);
    }
    while let Some(record) = walk.next() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                // The walk stops at its error: no end, nothing more, and
                // `finish` from the start reports the same error.
                assert_eq!(walk.next(), None, "a walk ends at its error");
                assert_eq!(walk.end(), None, "a failed walk has no end");
                assert_eq!(walk.finish(), Err(e));
                assert_eq!(ExtHeaders::new(first, bytes).finish(), Err(e));
                return;
            }
        };
        assert_eq!(record.offset(), expected_offset);
        assert!(record.bytes().len() >= 8);
        let kind = record.kind();
        assert_eq!(ExtHeaderKind::from_protocol(kind.protocol()), Some(kind));
        assert!(ExtHeaderKind::ALL.contains(&kind));
        assert_eq!(kind.header_len(record.bytes()[1]), record.bytes().len());
        if let Some(fragment) = record.fragment() {
            let mut copy = [0xffu8; 8];
            let mut view = FragmentView::new_checked(&mut copy[..]).unwrap();
            view.set_next_header(fragment.next_header());
            view.set_fragment_offset(fragment.fragment_offset());
            view.set_more_fragments(fragment.more_fragments());
            view.set_identification(fragment.identification());
            let view = FragmentView::new_unchecked(view.into_inner());
            assert_eq!(view.byte_offset(), fragment.byte_offset());
            assert_eq!(view.is_atomic(), fragment.is_atomic());
            assert_eq!(view.is_first(), fragment.fragment_offset() == 0);
            assert_eq!(view.identification(), fragment.identification());
            assert!(FragmentView::new_checked(&record.bytes()[..7]).is_err());
        }
        expected_offset += record.bytes().len();
        assert!(expected_offset <= bytes.len());
    }
    let end = walk.end().expect("a walk that yielded no error has an end");
    assert_eq!(end.offset(), expected_offset);
    assert_eq!(ExtHeaders::new(first, bytes).finish(), Ok(end));
});
