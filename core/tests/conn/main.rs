//! `Conn` and `PacketConn` logic over a recording fake backend: argument
//! checks, what reaches the backend, fallbacks and control-data handling.
//! Kernel behaviour is the conformance suite's job (`ipv6-tests`).

mod batch;
mod construction;
mod control_flags;
mod extensions;
mod fake;
mod forwarding;
mod io;
mod membership;
mod options;
mod records;

use ipv6_core::{Error, InvalidArgument, Operation, PacketConn};

use fake::Fake;

/// A `PacketConn` over `fake`, with the construction's calls forgotten.
fn packet_conn(fake: Fake) -> PacketConn<Fake> {
    let conn = PacketConn::new(fake).expect("fake is an IPv6 socket");
    conn.backend().clear_calls();
    conn
}

fn invalid(op: Operation, why: InvalidArgument) -> Error {
    Error::InvalidArgument(op, why)
}
