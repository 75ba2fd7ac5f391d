//! `ipv6_core::SocketBackend` over rustix.
