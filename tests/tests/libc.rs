//! The conformance suite over `ipv6-backend-libc`.

ipv6_tests::conformance_suite!(ipv6_tests::backends::Libc);
