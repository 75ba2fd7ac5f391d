//! The conformance suite over `ipv6-backend-rustix`, pure or with its libc
//! fallback depending on the `rustix-libc-fallback` feature.

ipv6_tests::conformance_suite!(ipv6_tests::backends::Rustix);
