//! Bytes → `Header::parse` and `HeaderView` agree; emit/parse round-trips.
#![no_main]

use ipv6_core::{HEADER_LEN, Header, HeaderView};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = Header::parse(data);
    let view = HeaderView::new_checked(data);
    assert_eq!(parsed.is_ok(), view.is_ok());
    let (Ok(header), Ok(view)) = (parsed, view) else {
        assert!(data.len() < HEADER_LEN);
        return;
    };
    assert_eq!(header, Header::from_view(&view));
    assert!(view.payload().len() <= data.len() - HEADER_LEN);

    // Every parsed header is representable, so emit succeeds and loses nothing.
    let mut out = [0u8; HEADER_LEN];
    assert_eq!(header.emit(&mut out), Ok(HEADER_LEN));
    assert_eq!(&out[..], &data[..HEADER_LEN]);
    assert_eq!(Header::parse(&out), Ok(header));

    // Walking the extension headers of any payload must end or fail cleanly.
    for record in view.ext_headers() {
        if record.is_err() {
            break;
        }
    }
});
