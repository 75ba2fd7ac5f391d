//! The bad-input table: every public entry point fed hostile arguments.
//!
//! Each row checks the exact typed error (or the exact result, where the
//! input is hostile but the documented answer is not an error), that
//! nothing panics, and, for sockets, that the socket still works after the
//! bad call: a set/get round trip or a datagram each way on `[::1]`.
//!
//! Socket rows run on both backends against the same expected value and
//! are compared with each other. In the pure rustix build (rustix
//! `libc-fallback` off) argument checks still give the same
//! `InvalidArgument`, while good calls rustix cannot make are asserted to
//! be `Unsupported` (from `ipv6_backend_rustix::capability`).
//!
//! 729 rows: 525 over the pure codecs (each of the eight platforms' layouts
//! where layouts matter) and 204 socket rows, each run on the libc and the
//! rustix backend. Four socket rows need root (raw sockets); without it
//! they are skipped (saying so on stderr), or fail when `CI=true`.
//!
//! A datagram the kernel delivered is never an error: rows with receive
//! options on that a read made no room for (set behind `PacketConn`'s back,
//! or a batch's control buffer sized for fewer flags) expect the length and
//! sender with `control_truncated`, and the next datagram read whole.
#![cfg(target_os = "linux")]

#[path = "bad_input/codec.rs"]
mod codec;
#[path = "bad_input/descriptors.rs"]
mod descriptors;
#[path = "bad_input/fixtures.rs"]
mod fixtures;
#[path = "bad_input/harness.rs"]
mod harness;
#[path = "bad_input/io.rs"]
mod io;
#[path = "bad_input/options.rs"]
mod options;

use harness::{Backend, Libc, Rustix, Table};

/// Rows in the table: codec rows plus socket rows (each on both backends).
const ROWS: usize = 729;

fn socket_rows<B: Backend>(t: &mut Table) {
    options::rows::<B>(t);
    io::rows::<B>(t);
    descriptors::rows::<B>(t);
}

#[test]
fn bad_input_table() {
    fixtures::no_such_interface_is_free();
    let mut t = Table::default();
    codec::rows(&mut t);
    socket_rows::<Libc>(&mut t);
    socket_rows::<Rustix>(&mut t);
    let counts = t.finish(2);
    let rustix = if Rustix::supports_control_data() {
        "with its libc fallback"
    } else {
        "pure"
    };
    println!(
        "bad_input: {} rows: {} codec, {} socket rows x 2 backends (libc; rustix {rustix}), {} skipped",
        counts.codec + counts.socket,
        counts.codec,
        counts.socket,
        counts.skipped
    );
    assert_eq!(counts.codec + counts.socket, ROWS, "update the count above");
}
