//! The conformance scenarios, written once and generic over [`Backend`].
//!
//! Each scenario is a `fn(&Netns)` run in a private network namespace. Where
//! a backend declares an operation unsupported ([`Backend::expected`]), the
//! scenario asserts the call fails with exactly `Error::Unsupported` naming
//! that operation and carries on with what it can still check; everything
//! else must behave identically on every backend.

use std::cell::Cell;
use std::os::fd::AsFd;

use ipv6_core::{Error, Operation, Result, SocketBackend};

pub mod bad_args;
pub mod batch;
pub mod bpf;
pub mod checksum;
pub mod concurrent;
pub mod ecn;
pub mod icmp_errors;
pub mod icmp_filter;
pub mod io;
pub mod listeners;
pub mod multicast;
pub mod offload;
pub mod path_mtu;
pub mod property;
pub mod receive_options;
pub mod sockets;
pub mod sockopt;
pub mod source_filter;
pub mod topology;
pub mod unicast;
pub mod wire;

/// What a scenario returns: `None` when it stopped early because the backend
/// lacks an operation it needs (after checking the backend said so).
pub type Outcome = Option<()>;

thread_local! {
    static STOPPED_AT: Cell<Option<Operation>> = const { Cell::new(None) };
}

/// The unsupported operation that made the last scenario on this thread stop
/// early, if any.
pub fn stopped_at() -> Option<Operation> {
    STOPPED_AT.with(Cell::take)
}

/// What a backend promises for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The operation reaches the kernel.
    Works,
    /// The operation fails with `Error::Unsupported(op)` before any system call.
    Unsupported,
}

/// A backend under test.
pub trait Backend: 'static {
    /// Name shown in failure messages.
    const NAME: &'static str;
    /// The backend's socket over a descriptor `F` (owned or borrowed).
    type Socket<F: AsFd + Send + Sync>: SocketBackend + Send + Sync;
    /// Wraps a descriptor.
    fn wrap<F: AsFd + Send + Sync>(fd: F) -> Self::Socket<F>;
    /// Whether `op` is supported in the backend's current build (for
    /// `recv_msg`, `send_msg` and `send_batch`: without control data). Receive
    /// options are `Operation::Set(SocketOption::Receive…)`.
    fn expected(op: Operation) -> Expect;
    /// Whether messages carrying control data can be sent and received.
    fn control_data() -> Expect;
}

/// Whether every operation in `ops` is supported by `B`.
pub fn supports<B: Backend>(ops: &[Operation]) -> bool {
    ops.iter().all(|&op| B::expected(op) == Expect::Works)
}

/// Checks the result of a call built on the backend operations `ops`.
///
/// If `B` lacks any of them, the call must have failed with exactly
/// `Error::Unsupported` of one it lacks, and `None` is returned; otherwise the
/// call must have succeeded and its value is returned.
#[track_caller]
pub fn must<B: Backend, T>(ops: &[Operation], result: Result<T>) -> Option<T> {
    let lacking: Vec<Operation> = ops
        .iter()
        .copied()
        .filter(|&op| B::expected(op) == Expect::Unsupported)
        .collect();
    must_when::<B, T>(lacking.is_empty(), &lacking, result)
}

/// Checks the result of a call that `works` on `B`, or else must fail with
/// `Error::Unsupported` of one of `named` (then `None` is returned).
#[track_caller]
pub fn must_when<B: Backend, T>(works: bool, named: &[Operation], result: Result<T>) -> Option<T> {
    if works {
        match result {
            Ok(v) => Some(v),
            Err(e) => panic!("[{}] failed: {e} ({e:?})", B::NAME),
        }
    } else {
        match result {
            Err(Error::Unsupported(op)) if named.contains(&op) => {
                STOPPED_AT.with(|s| s.set(Some(op)));
                None
            }
            other => panic!(
                "[{}] this build declares the call unsupported, so it must fail with \
                 Error::Unsupported of one of {named:?}; got {:?}",
                B::NAME,
                other.map(|_| "Ok")
            ),
        }
    }
}

/// Checks that a call built on `ops` failed with `expected`, or with
/// `Error::Unsupported` if `B` lacks one of `ops` and `expected` depends on
/// reaching the kernel (`needs_kernel`).
#[track_caller]
pub fn must_fail<B: Backend, T>(
    ops: &[Operation],
    needs_kernel: bool,
    result: Result<T>,
    expected: Error,
) {
    if needs_kernel && !supports::<B>(ops) {
        must::<B, T>(ops, result);
        return;
    }
    match result {
        Err(e) if e == expected => {}
        other => panic!(
            "[{}] expected Err({expected:?}), got {:?}",
            B::NAME,
            other.map(|_| "Ok")
        ),
    }
}

/// Repeats `call` while it fails with `EINTR`.
///
/// A socket wait bounded by `SO_RCVTIMEO` is not restarted after a signal:
/// the kernel returns `EINTR` (`sock_intr_errno` in `net/core/datagram.c`),
/// and the `ip` processes that tests running in parallel spawn signal this
/// process when they exit. The backends report it, as std does; like any
/// caller, the suite tries again.
pub fn retry_interrupted<T>(mut call: impl FnMut() -> Result<T>) -> Result<T> {
    loop {
        match call() {
            Err(Error::Os { errno, .. }) if errno == libc::EINTR => continue,
            other => return other,
        }
    }
}

/// Runs `scenario` for `B` in a fresh namespace (see [`crate::netns::run`]),
/// and says so on stderr when it stopped early at an operation `B` lacks.
pub fn run<B: Backend>(test: &str, scenario: fn(&crate::netns::Netns) -> Outcome) {
    crate::netns::run(test, |ns| {
        if scenario(ns).is_none() {
            use std::io::Write;
            let op = stopped_at().map_or_else(|| "?".to_owned(), |op| op.to_string());
            // Not captured by libtest: part of the suite's report.
            let _ = writeln!(
                std::io::stderr(),
                "partial {test} [{}]: stopped at `{op}`, which this build declares unsupported (checked)",
                B::NAME
            );
        }
    });
}
