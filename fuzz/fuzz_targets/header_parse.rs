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
    assert_eq!(header.to_bytes(), out);
    assert!(header.emit(&mut out[..HEADER_LEN - 1]).is_err());
    // Go's text form, whatever the addresses.
    assert!(header.to_string().starts_with("ver="));
    // Values beyond their fields are refused, and nothing is written.
    let mut wide = header;
    wide.version |= 0x10;
    let mut untouched = [0u8; HEADER_LEN];
    assert!(wide.emit(&mut untouched).is_err());
    assert_eq!(untouched, [0u8; HEADER_LEN]);

    // A mutable view over a copy: its payload is the same bytes.
    let mut copy = data.to_vec();
    let mut view_mut = HeaderView::new_checked(&mut copy[..]).unwrap();
    assert_eq!(view_mut.payload_mut().len(), view.payload().len());
    assert_eq!(view_mut.into_inner().len(), data.len());

    // Walking the extension headers of any payload must end or fail cleanly.
    for record in view.ext_headers() {
        if record.is_err() {
            break;
        }
    }
});
