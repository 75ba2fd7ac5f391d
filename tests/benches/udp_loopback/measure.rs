//! Timing in alternating rounds, heap allocation counting, and the table.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use crate::Seen;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(p, layout, new_size) }
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Measured rounds per row; rows of a section take turns each round so all
/// see the same machine state.
pub const ROUNDS: usize = 20;

/// How a row runs its operations.
enum Step<'a> {
    /// One call per operation.
    Each(&'a mut dyn FnMut() -> Seen),
    /// One call for all of a round's operations, which checks each against
    /// the expectation itself: an async row, whose loop runs inside one
    /// `block_on` as a task's loop would.
    Loop(&'a mut dyn FnMut(usize, Seen)),
}

/// Runs `ops` iterations of `step`, checking each result against `expect`;
/// returns (nanoseconds, heap allocations).
fn measure(ops: usize, expect: Seen, step: &mut Step<'_>) -> (u128, u64) {
    let allocations = ALLOCATIONS.load(Relaxed);
    let start = Instant::now();
    match step {
        Step::Each(f) => {
            for _ in 0..ops {
                let seen = black_box(f());
                assert_eq!(seen, expect);
            }
        }
        Step::Loop(f) => f(ops, expect),
    }
    let elapsed = start.elapsed().as_nanos();
    (elapsed, ALLOCATIONS.load(Relaxed) - allocations)
}

/// One implementation of a section's operation: measured, or the reason it
/// cannot run in this build.
pub struct Row<'a> {
    name: &'static str,
    /// How this implementation reaches the kernel, or why it cannot.
    path: String,
    run: Option<Step<'a>>,
    ns_per_unit: [f64; ROUNDS],
    allocations: u64,
    ops: usize,
}

impl<'a> Row<'a> {
    pub fn new(
        name: &'static str,
        path: impl Into<String>,
        run: &'a mut impl FnMut() -> Seen,
    ) -> Self {
        Row::maybe(name, path, Some(run))
    }

    /// A row that runs only if `run` is given; `path` says why when not.
    pub fn maybe(
        name: &'static str,
        path: impl Into<String>,
        run: Option<&'a mut impl FnMut() -> Seen>,
    ) -> Self {
        Row {
            name,
            path: path.into(),
            run: run.map(|r| Step::Each(r as &mut dyn FnMut() -> Seen)),
            ns_per_unit: [0.0; ROUNDS],
            allocations: 0,
            ops: 0,
        }
    }

    /// A row whose step runs a whole round's operations in one call (see
    /// `Step::Loop`); `path` says why when there is none.
    pub fn looped(
        name: &'static str,
        path: impl Into<String>,
        run: Option<&'a mut impl FnMut(usize, Seen)>,
    ) -> Self {
        Row {
            run: run.map(|r| Step::Loop(r as &mut dyn FnMut(usize, Seen))),
            ..Row::maybe(name, path, None::<&mut fn() -> Seen>)
        }
    }

    fn median(&self) -> f64 {
        median(self.ns_per_unit)
    }

    /// The median ns per unit, if the row ran.
    pub fn median_ns(&self) -> Option<f64> {
        self.run.as_ref().map(|_| self.median())
    }

    /// The median of this row's time over `baseline`'s in the same round:
    /// load that changes between rounds cancels out.
    fn ratio_to(&self, baseline: &Row<'_>) -> f64 {
        median(std::array::from_fn(|round| {
            self.ns_per_unit[round] / baseline.ns_per_unit[round]
        }))
    }
}

fn median(mut v: [f64; ROUNDS]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[ROUNDS / 2]
}

/// One operation measured several ways; the first row is the baseline.
pub struct Section<'a> {
    pub title: &'a str,
    /// What one unit of the reported time is.
    pub unit: &'static str,
    /// Operations in all rounds together, per row.
    pub ops: usize,
    /// Units (datagrams) per operation.
    pub units_per_op: usize,
    pub expect: Seen,
}

const NAME: usize = 26;
const PATH: usize = 46;

/// Prints the column headings.
pub fn print_header() {
    println!(
        "  {:<NAME$} {:<PATH$} {:>12} {:>9} {:>9}",
        "implementation", "path", "median", "/baseline", "allocs/op"
    );
}

impl Section<'_> {
    /// Warms up every runnable row, measures them in alternating rounds,
    /// prints them; returns the heap allocations counted in all of them.
    pub fn run(&self, rows: &mut [Row<'_>]) -> u64 {
        let per_round = (self.ops / ROUNDS).max(1);
        for row in rows.iter_mut() {
            if let Some(run) = &mut row.run {
                // First-use allocations, page faults and caches stay out.
                measure((per_round / 10).max(1), self.expect, run);
            }
        }
        for round in 0..ROUNDS {
            for row in rows.iter_mut() {
                if let Some(run) = &mut row.run {
                    let (ns, allocations) = measure(per_round, self.expect, run);
                    row.ns_per_unit[round] = ns as f64 / (per_round * self.units_per_op) as f64;
                    row.allocations += allocations;
                    row.ops += per_round;
                }
            }
        }
        self.print(per_round * ROUNDS, rows);
        rows.iter().map(|r| r.allocations).sum()
    }

    fn print(&self, ops: usize, rows: &[Row<'_>]) {
        println!("{} (ns per {}, {ops} ops per row):", self.title, self.unit);
        let baseline = rows.first().filter(|r| r.run.is_some());
        for row in rows {
            if row.run.is_none() {
                println!("  {:<NAME$} {}", row.name, row.path);
                continue;
            }
            let ns = row.median();
            let ratio = baseline.map_or("-".to_string(), |b| format!("{:.3}", row.ratio_to(b)));
            let allocations = match row.allocations {
                0 => "0".to_string(),
                n => format!("{:.3}", n as f64 / row.ops as f64),
            };
            println!(
                "  {:<NAME$} {:<PATH$} {:>9.0} ns {:>9} {:>9}",
                row.name, row.path, ns, ratio, allocations
            );
        }
    }
}

/// Prints `row`'s time over `other`'s (median of the per-round ratios),
/// when both ran.
pub fn print_ratio(what: &str, row: &Row<'_>, other: &Row<'_>) {
    if row.run.is_some() && other.run.is_some() {
        println!("  {what}: {:.3}", row.ratio_to(other));
    }
}
