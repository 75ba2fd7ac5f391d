//! Differential: the extension-header chain as `ipv6-core` and etherparse
//! walk it.
//!
//! Input: the first Next Header value, then the bytes after the fixed
//! header (as `exthdr_walk`). Our `ExtHeaders` walk is compared with three
//! etherparse readers:
//!
//! - `Ipv6ExtensionsSlice::from_slice` (and `from_slice_lax`): the sequence
//!   of headers, their offsets and lengths, the fragment fields, where the
//!   chain ends, or where and why it fails;
//! - `Ipv6Extensions::from_slice`: the same, decoded into one slot per kind;
//! - `Ipv6Header::skip_all_header_extensions_in_slice`: where the chain ends.
//!
//! Where etherparse reads differently for a documented reason, or for a
//! known etherparse bug, a named rule below turns our walk into what that
//! reader must report; `fuzz/README.md` lists the rules. Any other
//! difference is a crash.
#![no_main]

use etherparse::err::LenError;
use etherparse::err::ip_auth::HeaderError as AuthError;
use etherparse::err::ipv6_exts::{HeaderError, HeaderSliceError};
use etherparse::{
    IpNumber, Ipv6ExtensionSlice, Ipv6Extensions, Ipv6ExtensionsSlice, Ipv6Header, Ipv6RawExtHeader,
};
use ipv6_core::WireError;
use ipv6_core::exthdr::{
    ChainEnd, ExtHeaderKind, ExtHeaders, FRAGMENT_HEADER_LEN, FragmentView, NO_NEXT_HEADER,
};
use libfuzzer_sys::fuzz_target;

const HOP_BY_HOP: u8 = ExtHeaderKind::HopByHop.protocol();
const ROUTING: u8 = ExtHeaderKind::Routing.protocol();
const FRAGMENT: u8 = ExtHeaderKind::Fragment.protocol();
const AUTH: u8 = ExtHeaderKind::Authentication.protocol();
const DEST_OPTS: u8 = ExtHeaderKind::DestinationOptions.protocol();

/// One header a walk stepped over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    protocol: u8,
    offset: usize,
    len: usize,
}

/// How a walk ended. Offsets count from the start of the walked bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// No more headers to step over: `protocol`'s header starts at `offset`.
    Stop { protocol: u8, offset: usize },
    /// A non-first fragment: its data starts at `offset`.
    FragmentData { offset: usize },
    /// The header of `protocol` at `offset` runs past the end.
    Overrun {
        protocol: u8,
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// Hop-by-Hop Options at `offset`, not first.
    MisplacedHopByHop { offset: usize },
    /// Rule `auth-zero-length`: an Authentication header with Payload Len 0.
    ZeroAuthLen { offset: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Walk {
    records: Vec<Record>,
    end: End,
}

impl Walk {
    /// Whether a Fragment header says the packet is one piece of several.
    fn fragmented(&self, bytes: &[u8]) -> bool {
        self.records.iter().any(|r| {
            r.protocol == FRAGMENT && !FragmentView::new_unchecked(&bytes[r.offset..]).is_atomic()
        })
    }
}

/// Our walk, recorded.
fn ours(first: u8, bytes: &[u8]) -> Walk {
    let mut records = Vec::new();
    let mut protocol = first;
    let mut walk = ExtHeaders::new(first, bytes);
    for item in walk.by_ref() {
        let end = match item {
            Ok(header) => {
                assert_eq!(header.kind().protocol(), protocol);
                records.push(Record {
                    protocol,
                    offset: header.offset(),
                    len: header.bytes().len(),
                });
                protocol = header.next_header();
                continue;
            }
            Err(WireError::ExtHeaderOverrun {
                offset,
                needed,
                available,
            }) => End::Overrun {
                protocol,
                offset,
                needed,
                available,
            },
            Err(WireError::MisplacedHopByHop { offset }) => End::MisplacedHopByHop { offset },
            Err(other) => panic!("the walk failed with {other:?}, which it does not document"),
        };
        return Walk { records, end };
    }
    let end = match walk.end().expect("a walk without error has an end") {
        ChainEnd::UpperLayer { protocol, offset } => End::Stop { protocol, offset },
        ChainEnd::FragmentData {
            next_header,
            offset,
        } => {
            assert_eq!(next_header, protocol);
            End::FragmentData { offset }
        }
    };
    Walk { records, end }
}

/// The etherparse reader a walk is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// `Ipv6ExtensionsSlice`.
    Slice,
    /// `Ipv6Extensions`.
    Decoded,
    /// `Ipv6Header::skip_all_header_extensions_in_slice`.
    Skip,
}

/// Rule `unwalked-kinds`: `Ipv6ExtensionsSlice` and `Ipv6Extensions` step
/// over Hop-by-Hop, Routing, Fragment, Destination Options and
/// Authentication only (documented: "Currently not supported: ... HIP, IP
/// Mobility, SHIM6"); they end the chain before Mobility (135), HIP (139)
/// and Shim6 (140) as before an upper-layer header. Ours steps over them:
/// they are extension headers in IANA's registry (RFC 7045), each framed as
/// RFC 8200 section 4 frames the others.
fn etherparse_stops_before(reader: Reader, protocol: u8) -> bool {
    reader != Reader::Skip && matches!(protocol, 135 | 139 | 140)
}

/// Rule `auth-zero-length`: `Ipv6ExtensionsSlice` and `Ipv6Extensions`
/// refuse an Authentication header whose Payload Len is 0 (`ZeroPayloadLen`,
/// or a length error if fewer than 12 bytes are left). RFC 4302 section 2.2:
/// the fixed fields take 12 octets, so the smallest Payload Len is 1. Ours
/// frames any Payload Len as (n + 2) * 4 bytes, so it steps over an 8-byte
/// one, as the skip reader does.
fn etherparse_refuses_auth(reader: Reader, protocol: u8, bytes: &[u8], offset: usize) -> bool {
    reader != Reader::Skip && protocol == AUTH && bytes.get(offset + 1) == Some(&0)
}

/// Rule `one-of-each`: `Ipv6Extensions` has one slot each for Hop-by-Hop,
/// Routing, Fragment and Authentication, and two for Destination Options
/// (before and after Routing); a header whose slot is taken ends the decode
/// there, as before an upper-layer header (documented: "more then one
/// header of this type found -> abort parsing"). RFC 8200 section 4.1
/// recommends those counts, but requires nodes to accept extension headers
/// "occurring any number of times"; ours walks on.
#[derive(Debug, Default)]
struct Slots {
    hop_by_hop: bool,
    dest_opts: bool,
    routing: bool,
    final_dest_opts: bool,
    fragment: bool,
    auth: bool,
}

impl Slots {
    /// Takes the slot a header of `protocol` goes in; false if it was taken.
    fn take(&mut self, protocol: u8) -> bool {
        let slot = match protocol {
            HOP_BY_HOP => &mut self.hop_by_hop,
            ROUTING => &mut self.routing,
            FRAGMENT => &mut self.fragment,
            AUTH => &mut self.auth,
            DEST_OPTS if self.routing => &mut self.final_dest_opts,
            DEST_OPTS => &mut self.dest_opts,
            _ => return true,
        };
        !std::mem::replace(slot, true)
    }
}

/// Where `reader` ends the chain before the header of `protocol` at
/// `offset`, by the rules above, if it does. `accepted` says ours stepped
/// over that header.
fn cut(
    reader: Reader,
    slots: &mut Slots,
    protocol: u8,
    offset: usize,
    bytes: &[u8],
    accepted: bool,
) -> Option<End> {
    if etherparse_stops_before(reader, protocol) {
        return Some(End::Stop { protocol, offset });
    }
    // Hop-by-Hop is checked for its place before its slot.
    if reader == Reader::Decoded && (protocol != HOP_BY_HOP || offset == 0) && !slots.take(protocol)
    {
        return Some(End::Stop { protocol, offset });
    }
    if accepted && etherparse_refuses_auth(reader, protocol, bytes, offset) {
        return Some(End::ZeroAuthLen { offset });
    }
    None
}

/// Our walk as `reader` must report it.
fn normalise(first: u8, bytes: &[u8], ours: &Walk, reader: Reader) -> Walk {
    let mut slots = Slots::default();
    let mut records = Vec::new();
    let mut protocol = first;
    for &record in &ours.records {
        if let Some(end) = cut(reader, &mut slots, protocol, record.offset, bytes, true) {
            return Walk { records, end };
        }
        records.push(record);
        protocol = bytes[record.offset];
    }
    let end = match ours.end {
        End::Overrun { offset, .. } | End::MisplacedHopByHop { offset } => {
            cut(reader, &mut slots, protocol, offset, bytes, false).unwrap_or(ours.end)
        }
        end => end,
    };
    Walk { records, end }
}

/// Rule `non-first-fragment` (etherparse bug, README): every etherparse
/// reader walks on past the Fragment header of a non-first fragment, reading
/// the fragment data as the header its Next Header names. RFC 8200 section
/// 4.5: that data is the Fragmentable Part from Fragment Offset * 8 on, not
/// a header, and ours ends the chain there. The slice and decoded readers
/// are given the bytes up to the data with that Next Header set to No Next
/// Header, where they must stop as ours does; the unchanged bytes may
/// differ only from the data on (`assert_differs_only_after`).
fn peer_input(bytes: &[u8], walk: &Walk) -> (Vec<u8>, End) {
    match walk.end {
        End::FragmentData { offset } => {
            let mut input = bytes[..offset].to_vec();
            input[offset - FRAGMENT_HEADER_LEN] = NO_NEXT_HEADER;
            let end = End::Stop {
                protocol: NO_NEXT_HEADER,
                offset,
            };
            (input, end)
        }
        end => (bytes.to_vec(), end),
    }
}

/// The fewest bytes `reader` asks for before it reads a header's length:
/// its length errors name this, not the header's own length, when fewer
/// are left.
fn peer_min_len(reader: Reader, protocol: u8) -> usize {
    match (reader, protocol) {
        (Reader::Skip, _) => 2,
        (_, AUTH) => 12,
        _ => 8,
    }
}

/// Checks an etherparse length error against the end ours expects.
fn assert_len_error(reader: Reader, want: End, e: &LenError, bytes_len: usize) {
    match want {
        End::Overrun {
            protocol,
            offset,
            needed,
            available,
        } => {
            assert_eq!(e.layer_start_offset, offset, "overrun offset: {e:?}");
            assert_eq!(e.len, available, "overrun bytes left: {e:?}");
            let min = peer_min_len(reader, protocol);
            assert!(
                e.required_len == needed || (available < min && e.required_len == min),
                "overrun needs {needed} bytes, etherparse says {e:?}"
            );
        }
        End::ZeroAuthLen { offset } => {
            let available = bytes_len - offset;
            assert!(available < 12, "a 12-byte AH refused for its length: {e:?}");
            assert_eq!(
                (e.layer_start_offset, e.required_len, e.len),
                (offset, 12, available)
            );
        }
        other => panic!("{reader:?}: ours ends {other:?}, etherparse fails {e:?}"),
    }
}

/// Checks an etherparse error against the end ours expects.
fn assert_error(reader: Reader, want: End, err: &HeaderSliceError, bytes_len: usize) {
    match (want, err) {
        (_, HeaderSliceError::Len(e)) => assert_len_error(reader, want, e, bytes_len),
        (
            End::MisplacedHopByHop { .. },
            HeaderSliceError::Content(HeaderError::HopByHopNotAtStart),
        ) => {}
        (
            End::ZeroAuthLen { offset },
            HeaderSliceError::Content(HeaderError::IpAuth(AuthError::ZeroPayloadLen)),
        ) => assert!(bytes_len - offset >= 12),
        (want, err) => panic!("{reader:?}: ours ends {want:?}, etherparse fails {err:?}"),
    }
}

/// Checks a successful etherparse walk's end against ours.
fn assert_stop(reader: Reader, want: End, next: IpNumber, rest: &[u8], input: &[u8]) {
    let got = End::Stop {
        protocol: next.0,
        offset: input.len() - rest.len(),
    };
    assert_eq!(got, want, "{reader:?}: where the chain ends");
}

fn assert_fragment_fields(theirs: (u16, bool, u32), bytes: &[u8]) {
    let ours = FragmentView::new_checked(bytes).expect("a fragment record is 8 bytes");
    let ours = (
        ours.fragment_offset(),
        ours.more_fragments(),
        ours.identification(),
    );
    assert_eq!(ours, theirs, "fragment (offset, M, identification)");
}

/// `Ipv6ExtensionsSlice`: every header, in order, and where the chain ends.
fn check_slice(first: u8, bytes: &[u8], walk: &Walk) {
    let (input, want) = peer_input(bytes, walk);
    let strict = Ipv6ExtensionsSlice::from_slice(IpNumber(first), &input);
    let lax = Ipv6ExtensionsSlice::from_slice_lax(IpNumber(first), &input);
    let (exts, next, rest) = match strict {
        Err(err) => {
            assert_error(Reader::Slice, want, &err, input.len());
            // The lax reader keeps what came before the error, and the same error.
            let (exts, next, rest, lax_err) = lax;
            let (lax_err, _layer) = lax_err.expect("the lax reader found no error");
            assert_eq!(lax_err, err);
            let at = match want {
                End::Overrun { offset, .. }
                | End::MisplacedHopByHop { offset }
                | End::ZeroAuthLen { offset } => offset,
                _ => unreachable!("assert_error accepts only these"),
            };
            assert_eq!(exts.slice().len(), at, "lax: headers kept before the error");
            assert_eq!(input.len() - rest.len(), at);
            assert_eq!(next.0, protocol_at(first, &input, &walk.records));
            // Not iterated: see the `lax-iterator` note in README.
            return;
        }
        Ok(ok) => ok,
    };
    let (lax_exts, lax_next, lax_rest, lax_err) = lax;
    assert_eq!(lax_err, None, "only the lax reader failed");
    assert_eq!((lax_exts, lax_next, lax_rest), (exts.clone(), next, rest));
    assert_stop(Reader::Slice, want, next, rest, &input);
    assert_eq!(exts.slice(), &input[..input.len() - rest.len()]);
    assert_eq!(exts.is_empty(), walk.records.is_empty());
    let first_header = walk.records.first().map(|_| IpNumber(first));
    assert_eq!(exts.first_header(), first_header);
    assert_eq!(
        exts.is_fragmenting_payload(),
        walk.fragmented(&input),
        "fragmented"
    );

    let mut records = Vec::new();
    for header in exts {
        if let Ipv6ExtensionSlice::Fragment(s) = &header {
            let theirs = (
                s.fragment_offset().value(),
                s.more_fragments(),
                s.identification(),
            );
            assert_fragment_fields(theirs, s.slice());
        }
        records.push(record_of(&header, &input));
    }
    assert_eq!(records, walk.records, "the headers, in order");
}

/// A header etherparse stepped over, as a record of `input`.
fn record_of(header: &Ipv6ExtensionSlice<'_>, input: &[u8]) -> Record {
    let (protocol, slice) = match header {
        Ipv6ExtensionSlice::HopByHop(s) => (HOP_BY_HOP, s.slice()),
        Ipv6ExtensionSlice::Routing(s) => (ROUTING, s.slice()),
        Ipv6ExtensionSlice::DestinationOptions(s) => (DEST_OPTS, s.slice()),
        Ipv6ExtensionSlice::Authentication(s) => (AUTH, s.slice()),
        Ipv6ExtensionSlice::Fragment(s) => (FRAGMENT, s.slice()),
    };
    Record {
        protocol,
        offset: slice.as_ptr() as usize - input.as_ptr() as usize,
        len: slice.len(),
    }
}

/// The protocol number of whatever follows `records` (the first Next
/// Header if there are none).
fn protocol_at(first: u8, bytes: &[u8], records: &[Record]) -> u8 {
    records.last().map_or(first, |r| bytes[r.offset])
}

fn raw_bytes(header: &Option<Ipv6RawExtHeader>) -> Option<Vec<u8>> {
    header.as_ref().map(|h| h.to_bytes().to_vec())
}

/// `Ipv6Extensions`: each slot holds the header ours found for it.
fn check_decoded(first: u8, bytes: &[u8], walk: &Walk) {
    let (input, want) = peer_input(bytes, walk);
    let (exts, next, rest) = match Ipv6Extensions::from_slice(IpNumber(first), &input) {
        Err(err) => return assert_error(Reader::Decoded, want, &err, input.len()),
        Ok(ok) => ok,
    };
    assert_stop(Reader::Decoded, want, next, rest, &input);

    let mut want_slots: [Option<Vec<u8>>; 4] = Default::default();
    let (mut fragment, mut auth) = (None, None);
    let mut routing_seen = false;
    for record in &walk.records {
        let header = &input[record.offset..record.offset + record.len];
        let slot = match record.protocol {
            HOP_BY_HOP => 0,
            DEST_OPTS if routing_seen => 3,
            DEST_OPTS => 1,
            ROUTING => {
                routing_seen = true;
                2
            }
            FRAGMENT => {
                fragment = Some(header);
                continue;
            }
            AUTH => {
                auth = Some(header);
                continue;
            }
            other => unreachable!("rule unwalked-kinds cut the walk before {other}"),
        };
        assert!(
            want_slots[slot].is_none(),
            "rule one-of-each let a repeat through"
        );
        want_slots[slot] = Some(header.to_vec());
    }
    let got_slots = [
        raw_bytes(&exts.hop_by_hop_options),
        raw_bytes(&exts.destination_options),
        exts.routing.as_ref().map(|r| r.routing.to_bytes().to_vec()),
        exts.routing
            .as_ref()
            .and_then(|r| raw_bytes(&r.final_destination_options)),
    ];
    assert_eq!(
        got_slots, want_slots,
        "[hop-by-hop, destination options, routing, final destination options]"
    );

    match (&exts.fragment, fragment) {
        (None, None) => {}
        (Some(theirs), Some(ours)) => {
            assert_eq!(theirs.next_header.0, ours[0]);
            let fields = (
                theirs.fragment_offset.value(),
                theirs.more_fragments,
                theirs.identification,
            );
            assert_fragment_fields(fields, ours);
        }
        (theirs, ours) => panic!("fragment: etherparse {theirs:?}, ours {ours:?}"),
    }
    match (&exts.auth, auth) {
        (None, None) => {}
        (Some(theirs), Some(ours)) => {
            let be32 = |at: usize| u32::from_be_bytes(ours[at..at + 4].try_into().unwrap());
            assert_eq!(theirs.next_header.0, ours[0], "AH next header");
            assert_eq!(theirs.header_len(), ours.len(), "AH length");
            assert_eq!(theirs.spi, be32(4), "AH SPI");
            assert_eq!(theirs.sequence_number, be32(8), "AH sequence number");
            assert_eq!(theirs.raw_icv(), &ours[12..], "AH ICV");
        }
        (theirs, ours) => panic!("authentication: etherparse {theirs:?}, ours {ours:?}"),
    }
}

/// Rule `skip-walks-on`: `skip_all_header_extensions_in_slice` only skips:
/// it does not check where Hop-by-Hop stands (RFC 8200 section 4.1) and,
/// like the other readers (rule `non-first-fragment`), walks into a
/// non-first fragment's data. Where ours stops for either reason, it must
/// end or fail no earlier.
fn assert_differs_only_after(reader: Reader, at: usize, result: Result<usize, &LenError>) {
    match result {
        Ok(end) => assert!(end >= at, "{reader:?} ends at {end}, before {at}"),
        Err(e) => assert!(
            e.layer_start_offset >= at,
            "{reader:?} fails before {at}: {e:?}"
        ),
    }
}

/// `skip_all_header_extensions_in_slice`: where the chain ends.
fn check_skip(first: u8, bytes: &[u8], walk: &Walk) {
    let result = Ipv6Header::skip_all_header_extensions_in_slice(bytes, IpNumber(first));
    match walk.end {
        End::FragmentData { offset } | End::MisplacedHopByHop { offset } => {
            let end = result.as_ref().map(|(_, rest)| bytes.len() - rest.len());
            assert_differs_only_after(Reader::Skip, offset, end);
        }
        want => match result {
            Ok((next, rest)) => assert_stop(Reader::Skip, want, next, rest, bytes),
            Err(e) => assert_len_error(Reader::Skip, want, &e, bytes.len()),
        },
    }
}

/// Rule `non-first-fragment`, second half: on the unchanged bytes, the
/// slice reader agrees with ours up to the fragment data.
fn check_slice_unchanged(first: u8, bytes: &[u8], walk: &Walk) {
    let End::FragmentData { offset: at } = walk.end else {
        return;
    };
    match Ipv6ExtensionsSlice::from_slice(IpNumber(first), bytes) {
        Ok((exts, _, rest)) => {
            assert_differs_only_after(Reader::Slice, at, Ok(bytes.len() - rest.len()));
            let before: Vec<Record> = exts
                .into_iter()
                .map(|h| record_of(&h, bytes))
                .take_while(|r| r.offset < at)
                .collect();
            assert_eq!(before, walk.records, "the headers up to the fragment data");
        }
        Err(HeaderSliceError::Len(e)) => {
            assert_differs_only_after(Reader::Slice, at, Err(&e));
        }
        // Content errors carry no offset; the patched run checked the prefix.
        Err(HeaderSliceError::Content(_)) => {}
    }
}

fuzz_target!(|input: (u8, &[u8])| {
    let (first, bytes) = input;
    let walk = ours(first, bytes);
    for reader in [Reader::Slice, Reader::Decoded, Reader::Skip] {
        let want = normalise(first, bytes, &walk, reader);
        match reader {
            Reader::Slice => {
                check_slice(first, bytes, &want);
                check_slice_unchanged(first, bytes, &want);
            }
            Reader::Decoded => check_decoded(first, bytes, &want),
            Reader::Skip => check_skip(first, bytes, &want),
        }
    }
});
