//! Differential: the fixed header as `ipv6-core` and smoltcp read it.
//!
//! smoltcp has two readers: `Ipv6Packet`, a view like our `HeaderView`,
//! and `Ipv6Repr`, a parsed value. Every field both sides report must be
//! equal, and they must accept and reject the same inputs. Where smoltcp is
//! stricter or reports less for a documented reason, a named rule below
//! says what it must do instead; `fuzz/README.md` lists the rules.
#![no_main]

use ipv6_core::{HEADER_LEN, Header, HeaderView, VERSION};
use libfuzzer_sys::fuzz_target;
use smoltcp::wire::{Ipv6Packet, Ipv6Repr};

/// Rule `whole-payload`: smoltcp's `check_len` (and so `new_checked` and
/// `Ipv6Repr::parse`) refuses a buffer shorter than 40 bytes plus the
/// Payload Length; ours needs only the 40 header bytes and bounds
/// `payload()` by the buffer. RFC 8200 section 3 defines Payload Length as
/// the length of what follows; it does not say a header reader must refuse
/// a packet whose payload is cut short.
fn smoltcp_has_whole_payload(data: &[u8], payload_len: u16) -> bool {
    data.len() >= HEADER_LEN + usize::from(payload_len)
}

/// Rule `version-checked`: `Ipv6Repr::parse` refuses a version nibble
/// other than 6 (the `Ipv6Packet` view reports it, as ours does). RFC 8200
/// section 3 fixes the field at 6; ours reports it as found, as Go does.
fn smoltcp_repr_rejects_version(version: u8) -> bool {
    version != VERSION
}

/// Rule `repr-drops-class-and-label`: `Ipv6Repr` has no traffic class or
/// flow label, and `Ipv6Repr::emit` writes both as 0 (smoltcp's documented
/// representation). The `Ipv6Packet` view's accessors are compared instead;
/// for the emitted bytes, ours is given the same zeros.
fn as_smoltcp_repr_emits(header: Header) -> Header {
    Header {
        traffic_class: 0,
        flow_label: 0,
        ..header
    }
}

fn assert_view_fields(ours: &Header, packet: &Ipv6Packet<&[u8]>) {
    assert_eq!(ours.version, packet.version(), "version");
    assert_eq!(ours.traffic_class, packet.traffic_class(), "traffic class");
    assert_eq!(ours.flow_label, packet.flow_label(), "flow label");
    assert_eq!(ours.payload_len, packet.payload_len(), "payload length");
    assert_eq!(
        ours.next_header,
        u8::from(packet.next_header()),
        "next header"
    );
    assert_eq!(ours.hop_limit, packet.hop_limit(), "hop limit");
    assert_eq!(ours.src, packet.src_addr(), "source");
    assert_eq!(ours.dst, packet.dst_addr(), "destination");
}

fuzz_target!(|data: &[u8]| {
    let ours = Header::parse(data);
    let checked = Ipv6Packet::new_checked(data);
    let repr = Ipv6Repr::parse(&Ipv6Packet::new_unchecked(data));

    let header = match ours {
        Err(_) => {
            // Ours refuses only input shorter than the header; so must smoltcp.
            assert!(data.len() < HEADER_LEN);
            assert!(checked.is_err(), "smoltcp accepted {} bytes", data.len());
            assert!(repr.is_err(), "smoltcp parsed {} bytes", data.len());
            return;
        }
        Ok(header) => header,
    };
    let view = HeaderView::new_checked(data).expect("parse and view disagree");

    // The view's accessors need only the 40 header bytes, checked above, so
    // the fields are compared whether or not the payload is whole.
    assert_view_fields(&header, &Ipv6Packet::new_unchecked(data));

    let whole = smoltcp_has_whole_payload(data, header.payload_len);
    assert_eq!(checked.is_ok(), whole, "smoltcp check_len");
    if let Ok(packet) = checked {
        assert_eq!(packet.payload(), view.payload(), "payload bounds");
    } else {
        assert!(view.payload().len() < usize::from(header.payload_len));
    }

    if !whole || smoltcp_repr_rejects_version(header.version) {
        assert!(repr.is_err(), "smoltcp parsed {header:?}");
        return;
    }
    let repr = repr.expect("smoltcp refused a whole version-6 packet");
    assert_eq!(repr.src_addr, header.src, "source");
    assert_eq!(repr.dst_addr, header.dst, "destination");
    assert_eq!(
        u8::from(repr.next_header),
        header.next_header,
        "next header"
    );
    assert_eq!(
        repr.payload_len,
        usize::from(header.payload_len),
        "payload length"
    );
    assert_eq!(repr.hop_limit, header.hop_limit, "hop limit");

    let mut emitted = [0xa5u8; HEADER_LEN];
    repr.emit(&mut Ipv6Packet::new_unchecked(&mut emitted[..]));
    assert_eq!(
        emitted,
        as_smoltcp_repr_emits(header).to_bytes(),
        "emitted header"
    );
});
