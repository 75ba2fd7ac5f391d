//! Argument checks made before any backend call.
//!
//! Each check is pure: it looks at the argument only and names, in the error,
//! the backend [`Operation`] the argument was meant for.

use core::net::Ipv6Addr;
use core::time::Duration;

use crate::backend::{BPF_MAX_INSTRUCTIONS, BpfInstruction};
use crate::control::ControlMessage;
use crate::error::{Error, InvalidArgument, Operation, Result};
use crate::option::SocketOption;
use crate::platform::{ControlType, Platform};

use super::MAX_COALESCED_LEN;

fn invalid<T>(op: Operation, why: InvalidArgument) -> Result<T> {
    Err(Error::InvalidArgument(op, why))
}

/// A hop limit: 0..=255, or -1 for the kernel default (RFC 3493 §5.1).
pub(crate) fn hop_limit(op: Operation, hops: i32) -> Result<i32> {
    match hops {
        -1..=255 => Ok(hops),
        _ => invalid(op, InvalidArgument::HopLimit(hops)),
    }
}

/// A traffic class: 0..=255, or -1 for the kernel default (RFC 3542 §6.5).
pub(crate) fn traffic_class(op: Operation, tclass: i32) -> Result<i32> {
    match tclass {
        -1..=255 => Ok(tclass),
        _ => invalid(op, InvalidArgument::TrafficClass(tclass)),
    }
}

/// An interface argument as the backend takes it: `None` is index 0, the
/// kernel's choice; `Some(0)` names no interface and is refused.
pub(crate) fn interface(op: Operation, ifindex: Option<u32>) -> Result<u32> {
    match ifindex {
        None => Ok(0),
        Some(0) => invalid(op, InvalidArgument::InterfaceIndexZero),
        Some(index) => Ok(index),
    }
}

/// An IPv6 multicast group (`ff00::/8`), not an IPv4-mapped address.
pub(crate) fn group(op: Operation, group: Ipv6Addr) -> Result<()> {
    not_ipv4_mapped(op, group)?;
    if !group.is_multicast() {
        return invalid(op, InvalidArgument::NotMulticast(group));
    }
    Ok(())
}

/// A source of a source-specific group: a unicast IPv6 address.
pub(crate) fn source(op: Operation, source: Ipv6Addr) -> Result<()> {
    not_ipv4_mapped(op, source)?;
    if source.is_multicast() || source.is_unspecified() {
        return invalid(op, InvalidArgument::BadSource(source));
    }
    Ok(())
}

fn not_ipv4_mapped(op: Operation, addr: Ipv6Addr) -> Result<()> {
    match addr.to_ipv4_mapped() {
        Some(_) => invalid(op, InvalidArgument::Ipv4Mapped(addr)),
        None => Ok(()),
    }
}

/// A checksum offset as the kernel's C `int`: `None` is -1 (off); an offset
/// must be even (the checksum is 16-bit aligned) and fit an `int`.
pub(crate) fn checksum_offset(op: Operation, offset: Option<u32>) -> Result<i32> {
    let Some(offset) = offset else {
        return Ok(-1);
    };
    match i32::try_from(offset) {
        Ok(as_int) if offset % 2 == 0 => Ok(as_int),
        // The error carries the offset as the kernel's `int` would read it, so
        // a value above `i32::MAX` shows as the negative number it becomes.
        _ => invalid(op, InvalidArgument::ChecksumOffset(offset as i32)),
    }
}

/// A classic BPF program of 1..=[`BPF_MAX_INSTRUCTIONS`] instructions.
pub(crate) fn bpf_program(op: Operation, program: &[BpfInstruction]) -> Result<()> {
    match program.len() {
        1..=BPF_MAX_INSTRUCTIONS => Ok(()),
        len => invalid(op, InvalidArgument::BpfProgramLength(len)),
    }
}

/// A control message to send: its source and next hop must be IPv6
/// addresses (an IPv4-mapped one cannot go in `IPV6_PKTINFO`/`IPV6_NEXTHOP`),
/// and a packet cannot come from a multicast address (the kernel's
/// `EINVAL`).
#[inline]
pub(crate) fn send_control(op: Operation, control: &ControlMessage) -> Result<()> {
    // Field by field: no array of addresses is built per send.
    if let Some(src) = control.src {
        not_ipv4_mapped(op, src)?;
    }
    if let Some(next_hop) = control.next_hop {
        not_ipv4_mapped(op, next_hop)?;
    }
    match control.src {
        Some(src) if src.is_multicast() => invalid(op, InvalidArgument::BadSource(src)),
        _ => Ok(()),
    }
}

/// The records beyond Go in a control message to send: the platform must
/// have them (a record left out would change what goes on the wire), and a
/// segment size must cut the payload into at least one whole segment.
pub(crate) fn send_extensions(
    op: Operation,
    platform: &Platform,
    control: &ControlMessage,
    payload: usize,
) -> Result<()> {
    if control.dont_fragment.is_some() && platform.cmsg(ControlType::DontFragment).is_none() {
        return Err(Error::Unsupported(Operation::Set(
            SocketOption::DontFragment,
        )));
    }
    if let Some(size) = control.segment_size {
        if platform.cmsg(ControlType::UdpSegment).is_none() {
            return Err(Error::Unsupported(Operation::Set(
                SocketOption::GsoSegmentSize,
            )));
        }
        if size == 0 || usize::from(size) > payload {
            return invalid(op, InvalidArgument::SegmentSize { size, payload });
        }
    }
    Ok(())
}

/// Receive buffers of `available` bytes for a socket with `UDP_GRO` on.
pub(crate) fn coalesced_capacity(op: Operation, available: usize) -> Result<()> {
    if available < MAX_COALESCED_LEN {
        return invalid(
            op,
            InvalidArgument::ReceiveBufferTooSmall {
                needed: MAX_COALESCED_LEN,
                available,
            },
        );
    }
    Ok(())
}

/// A control buffer of `available` bytes where `needed` are required.
pub(crate) fn control_space(op: Operation, needed: usize, available: usize) -> Result<()> {
    if available < needed {
        return invalid(
            op,
            InvalidArgument::ControlBufferTooSmall { needed, available },
        );
    }
    Ok(())
}

/// A socket timeout: `Some(Duration::ZERO)` is refused because `SO_RCVTIMEO`
/// and `SO_SNDTIMEO` read zero as "wait forever" (std's sockets refuse it
/// too). The kernel counts whole microseconds (`struct timeval`), so a
/// fraction of one rounds up here, once, and every backend passes the same
/// value on.
pub(crate) fn timeout(op: Operation, timeout: Option<Duration>) -> Result<Option<Duration>> {
    match timeout {
        Some(Duration::ZERO) => invalid(op, InvalidArgument::ZeroTimeout),
        Some(t) => Ok(Some(round_up_to_micros(t))),
        None => Ok(None),
    }
}

/// `t` rounded up to a whole number of microseconds (saturating).
fn round_up_to_micros(t: Duration) -> Duration {
    let nanos = t.subsec_nanos();
    let micros = nanos.div_ceil(1000);
    match micros {
        1_000_000 => t
            .as_secs()
            .checked_add(1)
            .map_or(Duration::new(u64::MAX, 999_999_000), Duration::from_secs),
        _ => Duration::new(t.as_secs(), micros * 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_whole_microseconds() {
        let op = Operation::SetReadTimeout;
        let cases = [
            (Duration::from_nanos(1), Duration::from_micros(1)),
            (Duration::from_nanos(1_500), Duration::from_micros(2)),
            (Duration::from_micros(7), Duration::from_micros(7)),
            (Duration::new(3, 999_999_001), Duration::from_secs(4)),
            (Duration::MAX, Duration::new(u64::MAX, 999_999_000)),
        ];
        for (given, sent) in cases {
            assert_eq!(timeout(op, Some(given)), Ok(Some(sent)), "{given:?}");
        }
        assert_eq!(timeout(op, None), Ok(None));
        assert_eq!(
            timeout(op, Some(Duration::ZERO)),
            Err(Error::InvalidArgument(op, InvalidArgument::ZeroTimeout))
        );
    }
}
