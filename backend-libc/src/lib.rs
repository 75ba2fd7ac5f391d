//! `ipv6_core::SocketBackend` over raw `libc` system calls.
