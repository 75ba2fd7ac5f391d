//! A minimal lock for `set_control_message`.
//!
//! Changing the control flags is a kernel call followed by a bookkeeping
//! update; two threads flipping the same flag in opposite directions could
//! interleave them and leave the kernel reporting what the flags say it
//! does not (every later read would then see truncated control data). Go
//! holds a mutex across the whole call; `no_std` has none, so this spins.
//! It guards a few `setsockopt` calls on a configuration path, never a
//! per-packet one, so contention is brief and rare.

use core::sync::atomic::{AtomicBool, Ordering};

/// A spin lock with no data: whoever holds the guard may change the flags.
#[derive(Debug, Default)]
pub(super) struct FlagLock(AtomicBool);

/// Releases the [`FlagLock`] when dropped, also on an early error return.
pub(super) struct FlagGuard<'a>(&'a FlagLock);

impl FlagLock {
    pub(super) const fn new() -> Self {
        FlagLock(AtomicBool::new(false))
    }

    pub(super) fn lock(&self) -> FlagGuard<'_> {
        while self
            .0
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        FlagGuard(self)
    }
}

impl Drop for FlagGuard<'_> {
    fn drop(&mut self) {
        self.0.0.store(false, Ordering::Release);
    }
}
