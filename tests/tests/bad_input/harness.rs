//! The table: rows run one by one, a panicking or failing row is recorded
//! under its name, and socket rows are compared across backends.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt::{Debug, Display};
use std::os::fd::AsFd;
use std::panic::{AssertUnwindSafe, catch_unwind};

use ipv6_backend_rustix::Capability;
use ipv6_core::{Error, InvalidArgument, Operation, SocketBackend};

/// A backend under test.
pub trait Backend {
    /// Printed before each of its rows.
    const NAME: &'static str;
    /// Its socket over a descriptor holder.
    type Socket<F: AsFd>: SocketBackend + AsFd;
    /// Wraps `fd`.
    fn wrap<F: AsFd>(fd: F) -> Self::Socket<F>;
    /// The descriptor holder `socket` wraps.
    fn inner<F: AsFd>(socket: &Self::Socket<F>) -> &F;
    /// Whether `op` reaches the kernel on this build (receive options:
    /// `Operation::Set(SocketOption::Receive…)`).
    fn supports(op: Operation) -> bool;
    /// Whether messages with control data reach the kernel on this build.
    fn supports_control_data() -> bool;
}

/// `ipv6-backend-libc`: every operation on Linux.
pub struct Libc;

impl Backend for Libc {
    const NAME: &'static str = "libc";
    type Socket<F: AsFd> = ipv6_backend_libc::Socket<F>;
    fn wrap<F: AsFd>(fd: F) -> Self::Socket<F> {
        ipv6_backend_libc::Socket::new(fd)
    }
    fn inner<F: AsFd>(socket: &Self::Socket<F>) -> &F {
        socket.get_ref()
    }
    fn supports(_: Operation) -> bool {
        true
    }
    fn supports_control_data() -> bool {
        true
    }
}

/// `ipv6-backend-rustix` as built (with or without its libc fallback).
pub struct Rustix;

impl Backend for Rustix {
    const NAME: &'static str = "rustix";
    type Socket<F: AsFd> = ipv6_backend_rustix::Socket<F>;
    fn wrap<F: AsFd>(fd: F) -> Self::Socket<F> {
        ipv6_backend_rustix::Socket::new(fd)
    }
    fn inner<F: AsFd>(socket: &Self::Socket<F>) -> &F {
        socket.get_ref()
    }
    fn supports(op: Operation) -> bool {
        ipv6_backend_rustix::capability(op) != Capability::Unsupported
    }
    fn supports_control_data() -> bool {
        ipv6_backend_rustix::control_message_capability() != Capability::Unsupported
    }
}

/// The error for an argument refused before any system call.
pub fn invalid<T>(op: Operation, why: InvalidArgument) -> Result<T, Error> {
    Err(Error::InvalidArgument(op, why))
}

/// The error for a refusal by the kernel.
pub fn os<T>(op: Operation, errno: i32) -> Result<T, Error> {
    Err(Error::Os { op, errno })
}

/// What a call that reaches the kernel through `op` returns on `B`:
/// `result`, or `Unsupported(op)` where this build of `B` cannot make it.
pub fn kernel<B: Backend, T>(op: Operation, result: Result<T, Error>) -> Result<T, Error> {
    if B::supports(op) {
        result
    } else {
        Err(Error::Unsupported(op))
    }
}

/// As [`kernel`], for a message that carries control data through `op`.
pub fn with_control<B: Backend, T>(op: Operation, result: Result<T, Error>) -> Result<T, Error> {
    if B::supports_control_data() {
        result
    } else {
        Err(Error::Unsupported(op))
    }
}

/// One socket row's result on one backend, for the agreement check.
struct Outcome {
    backend: &'static str,
    expected: String,
    actual: Option<String>,
}

/// Rows run so far and what went wrong in them.
#[derive(Default)]
pub struct Table {
    codec_rows: usize,
    socket_rows: usize,
    skipped: usize,
    failures: Vec<String>,
    outcomes: BTreeMap<String, Vec<Outcome>>,
}

/// The counts [`Table::finish`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Rows over pure codecs.
    pub codec: usize,
    /// Socket rows, each run on both backends.
    pub socket: usize,
    /// Socket rows skipped (they need root).
    pub skipped: usize,
}

impl Table {
    /// A codec row: `actual` must return `expected`, without panicking.
    pub fn check<T: Debug + PartialEq>(
        &mut self,
        name: impl Display,
        expected: T,
        actual: impl FnOnce() -> T,
    ) {
        self.codec_rows += 1;
        self.run(name.to_string(), || assert_eq!(actual(), expected));
    }

    /// A codec row whose assertions are in `body`.
    pub fn row(&mut self, name: impl Display, body: impl FnOnce()) {
        self.codec_rows += 1;
        self.run(name.to_string(), body);
    }

    /// A socket row on backend `B`: over a fresh `fixture`, the hostile
    /// call `bad` must return `expected`, and then `after` must find the
    /// socket working. Run it for every backend under the same `name`.
    pub fn socket<B: Backend, F, T: Debug + PartialEq>(
        &mut self,
        name: impl Display,
        fixture: impl FnOnce() -> F,
        expected: T,
        bad: impl FnOnce(&F) -> T,
        after: impl FnOnce(&F),
    ) {
        let name = name.to_string();
        let expected_text = format!("{expected:?}");
        let mut actual_text = None;
        self.run(format!("{}: {name}", B::NAME), || {
            let fixture = fixture();
            let actual = bad(&fixture);
            actual_text = Some(format!("{actual:?}"));
            assert_eq!(actual, expected, "the hostile call");
            after(&fixture);
        });
        let outcomes = self.outcomes.entry(name).or_default();
        if outcomes.is_empty() {
            self.socket_rows += 1;
        }
        outcomes.push(Outcome {
            backend: B::NAME,
            expected: expected_text,
            actual: actual_text,
        });
    }

    /// A socket row that cannot run here: it counts, as skipped.
    pub fn skip(&mut self, name: impl Display) {
        if let Entry::Vacant(row) = self.outcomes.entry(name.to_string()) {
            row.insert(Vec::new());
            self.socket_rows += 1;
            self.skipped += 1;
        }
    }

    fn run(&mut self, name: String, body: impl FnOnce()) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(body)) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            self.failures.push(format!("{name}: {why}"));
        }
    }

    /// Checks that every socket row ran on `backends` backends and that
    /// they agree wherever they were expected to; panics listing every
    /// failed row; returns the counts.
    pub fn finish(mut self, backends: usize) -> Counts {
        for (name, outcomes) in &self.outcomes {
            if outcomes.is_empty() {
                continue; // skipped
            }
            if outcomes.len() != backends {
                self.failures
                    .push(format!("{name}: ran on {} backends", outcomes.len()));
            }
            let first = &outcomes[0];
            for other in &outcomes[1..] {
                if other.expected == first.expected && other.actual != first.actual {
                    self.failures.push(format!(
                        "{name}: backends disagree: {} gave {:?}, {} gave {:?}",
                        first.backend, first.actual, other.backend, other.actual
                    ));
                }
            }
        }
        assert!(
            self.failures.is_empty(),
            "{} failed rows:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        Counts {
            codec: self.codec_rows,
            socket: self.socket_rows,
            skipped: self.skipped,
        }
    }
}
