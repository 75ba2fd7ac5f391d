//! Walking and writing `cmsghdr` records for any [`Platform`](crate::Platform).
//!
//! CONTRACT STUB: to be implemented (see control.rs).
