//! Differential: the fixed header as `ipv6-core` and etherparse read it.
//!
//! Both readers see the same bytes; every field they both report must be
//! equal, and they must accept and reject the same inputs. Where etherparse
//! is stricter for a documented reason, a named rule below says what it
//! must do instead; `fuzz/README.md` lists the rules.
#![no_main]

use etherparse::err::ipv6::{HeaderError, HeaderSliceError};
use etherparse::{Ipv6Header, Ipv6HeaderSlice};
use ipv6_core::{HEADER_LEN, Header, VERSION};
use libfuzzer_sys::fuzz_target;

/// Rule `version-checked`: etherparse rejects a version nibble other than 6
/// (`UnexpectedVersion`); `Header::parse` reports the nibble as found, as
/// Go's `ParseHeader` does. RFC 8200 section 3 fixes the field at 6 but
/// leaves what a reader does with another value to the caller.
fn etherparse_rejects_version(version: u8) -> bool {
    version != VERSION
}

/// The error both etherparse readers give for input shorter than the header.
fn assert_too_short(err: &HeaderSliceError, len: usize) {
    match err {
        HeaderSliceError::Len(e) => {
            assert_eq!((e.required_len, e.len), (HEADER_LEN, len), "{e:?}");
            assert_eq!(e.layer_start_offset, 0);
        }
        other => panic!("{len} bytes: etherparse says {other:?}, not a length error"),
    }
}

fn assert_fields(ours: &Header, theirs: &Ipv6Header) {
    assert_eq!(ours.traffic_class, theirs.traffic_class, "traffic class");
    assert_eq!(ours.flow_label, theirs.flow_label.value(), "flow label");
    assert_eq!(ours.payload_len, theirs.payload_length, "payload length");
    assert_eq!(ours.next_header, theirs.next_header.0, "next header");
    assert_eq!(ours.hop_limit, theirs.hop_limit, "hop limit");
    assert_eq!(ours.src.octets(), theirs.source, "source");
    assert_eq!(ours.dst.octets(), theirs.destination, "destination");
}

fuzz_target!(|data: &[u8]| {
    let ours = Header::parse(data);
    let slice = Ipv6HeaderSlice::from_slice(data);
    let owned = Ipv6Header::from_slice(data);

    let header = match ours {
        Err(_) => {
            // Ours refuses only input shorter than the header; so must they.
            assert!(data.len() < HEADER_LEN);
            assert_too_short(
                &slice.expect_err("etherparse accepted a short header"),
                data.len(),
            );
            assert_too_short(
                &owned.expect_err("etherparse accepted a short header"),
                data.len(),
            );
            return;
        }
        Ok(header) => header,
    };

    if etherparse_rejects_version(header.version) {
        let want = HeaderSliceError::Content(HeaderError::UnexpectedVersion {
            version_number: header.version,
        });
        assert_eq!(slice, Err(want.clone()));
        assert_eq!(owned.map(|_| ()), Err(want));
        return;
    }

    let slice = slice.expect("etherparse refused a version-6 header of 40+ bytes");
    assert_eq!(slice.version(), header.version);
    assert_eq!(slice.slice(), &data[..HEADER_LEN]);
    assert_eq!(slice.dscp().value(), header.traffic_class >> 2, "DSCP");
    assert_eq!(slice.ecn().value(), header.traffic_class & 0b11, "ECN");
    assert_eq!(slice.source_addr(), header.src);
    assert_eq!(slice.destination_addr(), header.dst);
    let from_slice = slice.to_header();
    assert_fields(&header, &from_slice);

    let (owned, rest) = owned.expect("etherparse's two readers disagree");
    assert_eq!(owned, from_slice);
    assert_eq!(rest, &data[HEADER_LEN..], "the rest starts after 40 bytes");

    // Both writers give back the bytes both readers read.
    assert_eq!(owned.to_bytes(), header.to_bytes());
    assert_eq!(&owned.to_bytes()[..], &data[..HEADER_LEN]);
});
