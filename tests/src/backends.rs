//! The backends under test, as [`Backend`]s.

use std::os::fd::AsFd;

use ipv6_backend_rustix::Capability;
use ipv6_core::Operation;

use crate::suite::{Backend, Expect};

/// `ipv6-backend-libc`: supports everything on Linux.
pub struct Libc;

impl Backend for Libc {
    const NAME: &'static str = "libc";
    type Socket<F: AsFd + Send + Sync> = ipv6_backend_libc::Socket<F>;
    fn wrap<F: AsFd + Send + Sync>(fd: F) -> Self::Socket<F> {
        ipv6_backend_libc::Socket::new(fd)
    }
    fn expected(_: Operation) -> Expect {
        Expect::Works
    }
    fn control_data() -> Expect {
        Expect::Works
    }
}

/// `ipv6-backend-rustix` as built: with the libc fallback when the
/// `rustix-libc-fallback` feature is on, pure rustix otherwise.
pub struct Rustix;

impl Backend for Rustix {
    const NAME: &'static str = if cfg!(feature = "rustix-libc-fallback") {
        "rustix+libc-fallback"
    } else {
        "rustix"
    };
    type Socket<F: AsFd + Send + Sync> = ipv6_backend_rustix::Socket<F>;
    fn wrap<F: AsFd + Send + Sync>(fd: F) -> Self::Socket<F> {
        ipv6_backend_rustix::Socket::new(fd)
    }
    fn expected(op: Operation) -> Expect {
        expect(ipv6_backend_rustix::capability(op))
    }
    fn control_data() -> Expect {
        expect(ipv6_backend_rustix::control_message_capability())
    }
}

fn expect(capability: Capability) -> Expect {
    match capability {
        Capability::Native | Capability::Fallback => Expect::Works,
        Capability::Unsupported => Expect::Unsupported,
    }
}
