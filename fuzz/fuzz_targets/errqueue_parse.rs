//! Arbitrary bytes → the error-queue decoders for a platform chosen by the
//! first byte: `ExtendedError::parse` of a record's data and
//! `errqueue::find` over a whole control buffer never panic, and what
//! `parse` accepts encodes back to bytes that parse to the same value.
#![no_main]

use ipv6_core::Platform;
use ipv6_core::errqueue::{self, ExtendedError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let platform = Platform::ALL[usize::from(selector) % Platform::ALL.len()];

    let found = errqueue::find(&platform, bytes);
    assert!(
        found.error.is_none()
            || platform
                .cmsg(ipv6_core::platform::ControlType::RecvErr)
                .is_some()
    );

    let Ok(error) = ExtendedError::parse(&platform, bytes) else {
        return;
    };
    let mut again = [0u8; 64];
    let len = error
        .encode(&platform, &mut again)
        .expect("room for one record");
    assert_eq!(ExtendedError::parse(&platform, &again[..len]), Ok(error));
    // The MTU is reported only for Packet Too Big and local EMSGSIZE.
    if let Some(mtu) = error.mtu() {
        assert_eq!(mtu, error.info);
    }
});
