//! The route for operations rustix has no wrapper for.
//!
//! With `libc-fallback` they run through `ipv6-backend-libc` on the same
//! descriptor, borrowed for the one call; without it they fail with
//! `Error::Unsupported(op)` before any system call.

/// Runs `$method($args)` on the libc backend, or refuses `$op` when the
/// `libc-fallback` feature is off.
macro_rules! via_libc {
    ($self:ident, $op:expr, $method:ident($($arg:expr),* $(,)?)) => {{
        #[cfg(feature = "libc-fallback")]
        {
            let _ = $op;
            ipv6_core::SocketBackend::$method(&$self.libc(), $($arg),*)
        }
        #[cfg(not(feature = "libc-fallback"))]
        {
            let _ = ($self, $($arg),*);
            Err(ipv6_core::Error::Unsupported($op))
        }
    }};
}

pub(crate) use via_libc;

#[cfg(feature = "libc-fallback")]
impl<F: std::os::fd::AsFd> crate::Socket<F> {
    /// The libc backend over this socket's descriptor.
    pub(crate) fn libc(&self) -> ipv6_backend_libc::Socket<std::os::fd::BorrowedFd<'_>> {
        ipv6_backend_libc::Socket::new(self.get_ref().as_fd())
    }
}
