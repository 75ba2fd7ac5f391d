//! The core's parsers beside etherparse, smoltcp and nix, on the same bytes
//! in one run.
//!
//! Sections, each a row per parser, every row checked to find what the
//! bytes hold before it is timed:
//! - fixed header to an owned value: `Header::parse`, etherparse
//!   `Ipv6Header::from_slice`, smoltcp `Ipv6Repr::parse` (which keeps no
//!   traffic class or flow label);
//! - fixed header as a zero-copy view, every field read: `HeaderView`,
//!   etherparse `Ipv6HeaderSlice`, smoltcp `Ipv6Packet`;
//! - fixed header, then the extension chain (Hop-by-Hop, Routing, Fragment,
//!   Destination Options) to UDP: the upper-layer protocol, its offset and
//!   whether the Fragment header fragments: `HeaderView` + `ExtHeaders`,
//!   etherparse `Ipv6HeaderSlice` + `Ipv6ExtensionsSlice`, and etherparse
//!   `Ipv6Header` + `Ipv6Extensions` (owned);
//! - `ControlMessage::parse` of the kernel's control data for one datagram,
//!   4 records (`IPV6_TCLASS`, `IPV6_HOPLIMIT`, `IPV6_PKTINFO`,
//!   `IPV6_ORIGDSTADDR`) and 3 (without the last), against nix's
//!   `ControlMessageOwned` walk of the same kernel output (see `kernel.rs`).
//!   `parse` skips `IPV6_ORIGDSTADDR`, which is not one of Go's fields; nix
//!   decodes it.
//!
//! Run: `cargo bench -p ipv6-tests --bench parsers` (ns per parse, and the
//! ratio to the fastest peer of the section). The `harness` row is the
//! measuring loop with no parser in it (a boxed call, `black_box` of the
//! input and of the result): every other row pays it too. Instructions per parse:
//! `bash tests/benches/parsers/callgrind.sh`, which runs one row at a time
//! through this binary (`PARSERS_ROW=<section>/<row>`,
//! `PARSERS_ITERS=<n>`; `PARSERS_LIST=1` lists the rows). A debug build, as
//! `cargo test --all-targets` runs it, does a hundredth of the iterations.
//!
//! Where the counts stand and what bounds them (x86-64, net of the loop;
//! `PARSERS_ROW=<row> PARSERS_ITERS=<n> valgrind --tool=callgrind
//! --dump-instr=yes` on the bench binary counts each instruction, to read
//! beside `objdump -d`):
//! - `view`: 26 against etherparse's 34 (0.76). Writing `Fields` takes 12
//!   of ours and 11 of theirs (their version, checked to be 6, is stored as
//!   a constant). The other 14 are one length check, five loads, two byte
//!   swaps and five shifts and masks, two of them copies that x86's
//!   two-operand forms need to cut three fields out of one word: eight
//!   fields from a checked view cost no less. etherparse's 23 include its
//!   version check.
//! - `chain`: 110 against `Ipv6ExtensionsSlice`'s 140 (0.79). A header of a
//!   common kind costs one table load and comparison, the 8-byte check,
//!   the length byte, a multiply-add, the check that it fits, the next
//!   header and the advance (13, 16 with the compiler's register copies);
//!   Hop-by-Hop (its place checked) and Fragment (its offset read, and the
//!   row's `is_atomic`) about 5 and 6 more. About 12 of the 110 are copies
//!   and re-extensions the compiler adds (a `len` copy per step, the
//!   protocol byte widened again per step), so the sequence itself is near
//!   98.

mod kernel;
mod packets;

use std::hint::black_box;
use std::time::Instant;

use etherparse::{Ipv6Extensions, Ipv6ExtensionsSlice, Ipv6Header, Ipv6HeaderSlice};
use ipv6_core::{ControlMessage, Header, HeaderView, Platform};
use nix::sys::socket::{MsgFlags, SockaddrIn6, recvmsg};
use smoltcp::wire::{Ipv6Packet, Ipv6Repr};

use packets::{Chain, Control, Fields};

/// One parser of one section.
struct Row<'a> {
    section: &'static str,
    name: &'static str,
    /// A peer library (else this library).
    peer: bool,
    /// One parse of the section's bytes, its result black-boxed.
    parse: Box<dyn Fn() + 'a>,
}

impl Row<'_> {
    fn id(&self) -> String {
        format!("{}/{}", self.section, self.name)
    }
}

const ROUNDS: usize = 20;

fn iterations() -> usize {
    let full = 1_000_000;
    if cfg!(debug_assertions) {
        full / 100
    } else {
        full
    }
}

fn ours_header(b: &[u8]) -> Header {
    Header::parse(b).expect("Header::parse")
}

fn ours_header_fields(h: &Header) -> Fields {
    Fields {
        version: Some(h.version),
        traffic_class: Some(h.traffic_class),
        flow_label: Some(h.flow_label),
        payload_len: h.payload_len,
        next_header: h.next_header,
        hop_limit: h.hop_limit,
        src: h.src.octets(),
        dst: h.dst.octets(),
    }
}

fn ours_view(b: &[u8]) -> Fields {
    let v = HeaderView::new_checked(b).expect("HeaderView");
    Fields {
        version: Some(v.version()),
        traffic_class: Some(v.traffic_class()),
        flow_label: Some(v.flow_label()),
        payload_len: v.payload_len(),
        next_header: v.next_header(),
        hop_limit: v.hop_limit(),
        src: v.src_addr().octets(),
        dst: v.dst_addr().octets(),
    }
}

fn etherparse_header(b: &[u8]) -> Ipv6Header {
    Ipv6Header::from_slice(b).expect("Ipv6Header").0
}

fn etherparse_header_fields(h: &Ipv6Header) -> Fields {
    Fields {
        version: Some(6),
        traffic_class: Some(h.traffic_class),
        flow_label: Some(h.flow_label.value()),
        payload_len: h.payload_length,
        next_header: h.next_header.0,
        hop_limit: h.hop_limit,
        src: h.source,
        dst: h.destination,
    }
}

fn etherparse_slice(b: &[u8]) -> Fields {
    let v = Ipv6HeaderSlice::from_slice(b).expect("Ipv6HeaderSlice");
    Fields {
        version: Some(v.version()),
        traffic_class: Some(v.traffic_class()),
        flow_label: Some(v.flow_label().value()),
        payload_len: v.payload_length(),
        next_header: v.next_header().0,
        hop_limit: v.hop_limit(),
        src: v.source(),
        dst: v.destination(),
    }
}

fn smoltcp_repr(b: &[u8]) -> Ipv6Repr {
    Ipv6Repr::parse(&Ipv6Packet::new_checked(b).expect("Ipv6Packet")).expect("Ipv6Repr")
}

fn smoltcp_repr_fields(r: &Ipv6Repr) -> Fields {
    Fields {
        version: None,
        traffic_class: None,
        flow_label: None,
        payload_len: r.payload_len as u16,
        next_header: r.next_header.into(),
        hop_limit: r.hop_limit,
        src: r.src_addr.octets(),
        dst: r.dst_addr.octets(),
    }
}

fn smoltcp_packet(b: &[u8]) -> Fields {
    let p = Ipv6Packet::new_checked(b).expect("Ipv6Packet");
    Fields {
        version: Some(p.version()),
        traffic_class: Some(p.traffic_class()),
        flow_label: Some(p.flow_label()),
        payload_len: p.payload_len(),
        next_header: p.next_header().into(),
        hop_limit: p.hop_limit(),
        src: p.src_addr().octets(),
        dst: p.dst_addr().octets(),
    }
}

fn ours_chain(b: &[u8]) -> Chain {
    let view = HeaderView::new_checked(b).expect("HeaderView");
    let mut walk = view.ext_headers();
    let mut fragmenting = false;
    for header in &mut walk {
        if let Some(fragment) = header.expect("extension header").fragment() {
            fragmenting |= !fragment.is_atomic();
        }
    }
    let end = walk.end().expect("chain end");
    Chain {
        protocol: match end {
            ipv6_core::exthdr::ChainEnd::UpperLayer { protocol, .. } => protocol,
            ipv6_core::exthdr::ChainEnd::FragmentData { next_header, .. } => next_header,
        },
        offset: ipv6_core::header::HEADER_LEN + end.offset(),
        fragmenting,
    }
}

fn etherparse_chain_slice(b: &[u8]) -> Chain {
    let header = Ipv6HeaderSlice::from_slice(b).expect("Ipv6HeaderSlice");
    let payload = &b[Ipv6Header::LEN..Ipv6Header::LEN + usize::from(header.payload_length())];
    let (exts, protocol, rest) =
        Ipv6ExtensionsSlice::from_slice(header.next_header(), payload).expect("extensions");
    Chain {
        protocol: protocol.0,
        offset: b.len() - rest.len(),
        fragmenting: exts.is_fragmenting_payload(),
    }
}

fn etherparse_chain_owned(b: &[u8]) -> Chain {
    let (header, payload) = Ipv6Header::from_slice(b).expect("Ipv6Header");
    let (exts, protocol, rest) =
        Ipv6Extensions::from_slice(header.next_header, payload).expect("extensions");
    Chain {
        protocol: protocol.0,
        offset: b.len() - rest.len(),
        fragmenting: exts.is_fragmenting_payload(),
    }
}

fn ours_control(bytes: &[u8]) -> ControlMessage {
    ControlMessage::parse(&Platform::HOST, bytes).expect("ControlMessage::parse")
}

fn ours_control_fields(cm: &ControlMessage) -> Control {
    Control {
        traffic_class: cm.traffic_class,
        hop_limit: cm.hop_limit,
        dst: cm.dst.map(|a| a.octets()),
        if_index: cm.if_index,
    }
}

/// A row that parses `bytes` with `parse`, after checking that it finds
/// what the bytes hold (`agrees`). The timed loop keeps `parse`'s own
/// result (black-boxed), so no row pays for a conversion.
fn row<'a, T: std::fmt::Debug + 'a>(
    section: &'static str,
    name: &'static str,
    peer: bool,
    bytes: &'a [u8],
    parse: fn(&[u8]) -> T,
    agrees: impl Fn(&T) -> bool,
) -> Row<'a> {
    let got = parse(bytes);
    assert!(agrees(&got), "{section}/{name}: {got:?}");
    Row {
        section,
        name,
        peer,
        parse: Box::new(move || {
            black_box(parse(black_box(bytes)));
        }),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let (udp, fields) = packets::udp_packet();
    let (chained, chain) = packets::chain_packet();
    let same = |want: Fields| move |got: &Fields| got.agrees_with(&want);
    let is = |want: Chain| move |got: &Chain| *got == want;

    // The kernel's control data: our copy and nix's RecvMsg of the twin.
    let four = kernel::Queued::new(true);
    let three = kernel::Queued::new(false);
    let (four_bytes, three_bytes) = (four.control_bytes(), three.control_bytes());
    let mut nix_space = [nix::cmsg_space!([u8; 256]), nix::cmsg_space!([u8; 256])];
    let mut payloads = [[0u8; 64]; 2];
    let [space4, space3] = &mut nix_space;
    let [payload4, payload3] = &mut payloads;
    let mut iov4 = [std::io::IoSliceMut::new(payload4)];
    let mut iov3 = [std::io::IoSliceMut::new(payload3)];
    let nix4 = recvmsg::<SockaddrIn6>(four.raw_fd(), &mut iov4, Some(space4), MsgFlags::empty())
        .expect("nix recvmsg");
    let nix3 = recvmsg::<SockaddrIn6>(three.raw_fd(), &mut iov3, Some(space3), MsgFlags::empty())
        .expect("nix recvmsg");
    for (queued, bytes, nix) in [(&four, &four_bytes, &nix4), (&three, &three_bytes, &nix3)] {
        assert_eq!(
            ours_control_fields(&ours_control(bytes)),
            queued.expected,
            "ControlMessage::parse"
        );
        assert_eq!(kernel::nix_walk(nix), queued.expected, "nix");
    }
    assert_eq!(
        (four_bytes.len(), three_bytes.len()),
        (
            Platform::HOST.cmsg_layout.space(4) * 2
                + Platform::HOST.cmsg_layout.space(20)
                + Platform::HOST.cmsg_layout.space(28),
            Platform::HOST.cmsg_layout.space(4) * 2 + Platform::HOST.cmsg_layout.space(20)
        ),
        "the kernel's records"
    );
    let control_row = |section, bytes: &'static [u8], want: Control| {
        row(
            section,
            "ControlMessage::parse",
            false,
            bytes,
            ours_control,
            move |g| ours_control_fields(g) == want,
        )
    };
    // Leaked so the rows may borrow them for the whole run.
    let four_bytes: &'static [u8] = four_bytes.leak();
    let three_bytes: &'static [u8] = three_bytes.leak();

    let rows: Vec<Row<'_>> = vec![
        // The measuring loop alone: callgrind.sh subtracts it from every row.
        row("harness", "no parse", false, &udp, <[u8]>::len, |_| true),
        row(
            "header",
            "Header::parse",
            false,
            &udp,
            ours_header,
            move |got| ours_header_fields(got).agrees_with(&fields),
        ),
        row(
            "header",
            "etherparse::Ipv6Header",
            true,
            &udp,
            etherparse_header,
            move |got| etherparse_header_fields(got).agrees_with(&fields),
        ),
        row(
            "header",
            "smoltcp::Ipv6Repr",
            true,
            &udp,
            smoltcp_repr,
            move |got| smoltcp_repr_fields(got).agrees_with(&fields),
        ),
        row("view", "HeaderView", false, &udp, ours_view, same(fields)),
        row(
            "view",
            "etherparse::Ipv6HeaderSlice",
            true,
            &udp,
            etherparse_slice,
            same(fields),
        ),
        row(
            "view",
            "smoltcp::Ipv6Packet",
            true,
            &udp,
            smoltcp_packet,
            same(fields),
        ),
        row(
            "chain",
            "HeaderView+ExtHeaders",
            false,
            &chained,
            ours_chain,
            is(chain),
        ),
        row(
            "chain",
            "etherparse::Ipv6ExtensionsSlice",
            true,
            &chained,
            etherparse_chain_slice,
            is(chain),
        ),
        row(
            "chain",
            "etherparse::Ipv6Extensions",
            true,
            &chained,
            etherparse_chain_owned,
            is(chain),
        ),
        control_row("cmsg4", four_bytes, four.expected),
        Row {
            section: "cmsg4",
            name: "nix::ControlMessageOwned",
            peer: true,
            parse: Box::new(|| {
                black_box(kernel::nix_walk(black_box(&nix4)));
            }),
        },
        control_row("cmsg3", three_bytes, three.expected),
        Row {
            section: "cmsg3",
            name: "nix::ControlMessageOwned",
            peer: true,
            parse: Box::new(|| {
                black_box(kernel::nix_walk(black_box(&nix3)));
            }),
        },
    ];

    if std::env::var_os("PARSERS_LIST").is_some() {
        for r in &rows {
            println!("{}\t{}", r.id(), if r.peer { "peer" } else { "ours" });
        }
        return;
    }
    if let Ok(id) = std::env::var("PARSERS_ROW") {
        let iters: usize = std::env::var("PARSERS_ITERS")
            .expect("PARSERS_ITERS with PARSERS_ROW")
            .parse()
            .expect("PARSERS_ITERS: a count");
        let row = rows
            .iter()
            .find(|r| r.id() == id)
            .unwrap_or_else(|| panic!("no row {id}; PARSERS_LIST=1 lists them"));
        for _ in 0..iters {
            (row.parse)();
        }
        return;
    }
    measure(&rows);
}

/// Times every row in rounds, the rows of a section taking turns, and
/// prints each row's median ns per parse and its ratio to the section's
/// fastest peer (median of the per-round ratios).
fn measure(rows: &[Row<'_>]) {
    let per_round = iterations() / ROUNDS;
    println!(
        "parsers: {ROUNDS} rounds of {per_round} parses per row, rows of a section taking turns; \
         {} build",
        if cfg!(debug_assertions) {
            "debug (smoke test)"
        } else {
            "release"
        }
    );
    println!(
        "  {:<8} {:<34} {:>10} {:>16}",
        "section", "parser", "ns/parse", "/fastest peer"
    );
    let mut sections: Vec<&str> = rows.iter().map(|r| r.section).collect();
    sections.dedup();
    for section in sections {
        let members: Vec<&Row<'_>> = rows.iter().filter(|r| r.section == section).collect();
        for r in &members {
            for _ in 0..per_round / 10 {
                (r.parse)();
            }
        }
        let mut ns = vec![Vec::with_capacity(ROUNDS); members.len()];
        for _ in 0..ROUNDS {
            for (times, r) in ns.iter_mut().zip(&members) {
                let start = Instant::now();
                for _ in 0..per_round {
                    (r.parse)();
                }
                times.push(start.elapsed().as_nanos() as f64 / per_round as f64);
            }
        }
        let median = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let fastest_peer = members
            .iter()
            .enumerate()
            .filter(|(_, r)| r.peer)
            .min_by(|(a, _), (b, _)| median(&ns[*a]).total_cmp(&median(&ns[*b])))
            .map(|(i, _)| i);
        for (i, r) in members.iter().enumerate() {
            let ratio = fastest_peer.map_or("-".to_string(), |p| {
                let per_round: Vec<f64> = (0..ROUNDS).map(|k| ns[i][k] / ns[p][k]).collect();
                format!("{:.2}", median(&per_round))
            });
            println!(
                "  {:<8} {:<34} {:>10.1} {:>16}",
                section,
                r.name,
                median(&ns[i]),
                ratio
            );
        }
    }
}
