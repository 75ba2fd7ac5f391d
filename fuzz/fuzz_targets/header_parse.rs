//! Bytes → `Header::parse` and `HeaderView` agree; emit/parse round-trips;
//! the traffic class's DSCP and ECN are its wire bits and set only them.
#![no_main]

use ipv6_core::{HEADER_LEN, Header, HeaderView, tclass};
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

    // DSCP and ECN: the traffic class's upper six and lower two bits, which
    // are bits 4..10 and 10..12 of the header.
    let wire_dscp = (data[0] & 0x0f) << 2 | data[1] >> 6;
    let wire_ecn = (data[1] >> 4) & 0b11;
    assert_eq!(
        (header.dscp().value(), header.ecn().bits()),
        (wire_dscp, wire_ecn)
    );
    assert_eq!((view.dscp(), view.ecn()), (header.dscp(), header.ecn()));
    // Setting other ones (any octet splits into both; the hop limit's is
    // taken) changes those bits and nothing else.
    let (dscp, ecn) = tclass::split(header.hop_limit);
    let mut reclassed = header;
    reclassed.set_dscp_ecn(dscp, ecn);
    assert_eq!((reclassed.dscp(), reclassed.ecn()), (dscp, ecn));
    assert_eq!(
        Header {
            traffic_class: header.traffic_class,
            ..reclassed
        },
        header
    );

    // A mutable view over a copy: its payload is the same bytes, and
    // setting DSCP and ECN through it writes what the value above holds.
    let mut copy = data.to_vec();
    let mut view_mut = HeaderView::new_checked(&mut copy[..]).unwrap();
    assert_eq!(view_mut.payload_mut().len(), view.payload().len());
    view_mut.set_dscp_ecn(dscp, ecn);
    assert_eq!(Header::from_view(&view_mut), reclassed);
    assert_eq!(view_mut.into_inner().len(), data.len());

    // Walking the extension headers of any payload must end or fail cleanly.
    for record in view.ext_headers() {
        if record.is_err() {
            break;
        }
    }
});
