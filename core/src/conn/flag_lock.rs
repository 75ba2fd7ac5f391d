//! The lock that serialises `set_control_message`.
//!
//! Changing the control flags is a kernel call followed by a bookkeeping
//! update; two threads flipping the same flag in opposite directions could
//! interleave them and leave the kernel reporting what the flags say it
//! does not. Go holds a mutex across the whole call. With `std` this is
//! `std::sync::Mutex`, which sleeps while a holder waits on its system
//! calls; `no_std` has none, so it spins. Either way it guards a few
//! `setsockopt` calls on a configuration path, never a per-packet one.

#[cfg(feature = "std")]
mod imp {
    /// Whoever holds the guard may change the flags.
    #[derive(Debug, Default)]
    pub(in crate::conn) struct FlagLock(std::sync::Mutex<()>);

    impl FlagLock {
        pub(in crate::conn) const fn new() -> Self {
            FlagLock(std::sync::Mutex::new(()))
        }

        pub(in crate::conn) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
            // The lock guards no data: a holder that panicked left nothing
            // half-written, so a poisoned lock is as good as a free one.
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }
}

#[cfg(not(feature = "std"))]
mod imp {
    use core::sync::atomic::{AtomicBool, Ordering};

    /// A spin lock with no data: whoever holds the guard may change the flags.
    #[derive(Debug, Default)]
    pub(in crate::conn) struct FlagLock(AtomicBool);

    /// Releases the [`FlagLock`] when dropped, also on an early error return.
    pub(in crate::conn) struct FlagGuard<'a>(&'a FlagLock);

    impl FlagLock {
        pub(in crate::conn) const fn new() -> Self {
            FlagLock(AtomicBool::new(false))
        }

        pub(in crate::conn) fn lock(&self) -> FlagGuard<'_> {
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
}

pub(super) use imp::FlagLock;
