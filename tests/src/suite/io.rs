//! Blocking behaviour and buffers: read timeouts, non-blocking mode, write
//! timeouts, scatter/gather and truncation.

use std::time::Duration;

use ipv6_core::{Error, InvalidArgument, Operation as Op};
use rustix::fs::OFlags;
use rustix::net::sockopt::{Timeout, socket_timeout};

use super::sockets::{PATIENCE, Sock};
use super::{Backend, Outcome, must, must_fail, retry_interrupted};
use crate::netns::Netns;

/// A read on an empty socket fails with `EAGAIN` once its timeout expires,
/// and at once in non-blocking mode; the settings reach the descriptor; a
/// zero timeout is refused.
pub fn read_timeout_and_nonblocking<B: Backend>(_: &Netns) -> Outcome {
    let s = Sock::<B>::udp_loopback();
    let fd = &**s.fd();
    let again = Err(Error::Os {
        op: Op::RecvMsg,
        errno: libc::EAGAIN,
    });
    let mut buf = [0u8; 16];

    // Zero would mean "forever" to the kernel: refused before it.
    for (op, zero) in [
        (Op::SetReadTimeout, s.set_read_timeout(Some(Duration::ZERO))),
        (
            Op::SetWriteTimeout,
            s.set_write_timeout(Some(Duration::ZERO)),
        ),
    ] {
        let want = Error::InvalidArgument(op, InvalidArgument::ZeroTimeout);
        must_fail::<B, _>(&[op], false, zero, want);
    }
    assert_eq!(socket_timeout(fd, Timeout::Recv).unwrap(), Some(PATIENCE));
    let short = Duration::from_millis(20);
    if must::<B, _>(&[Op::SetReadTimeout], s.set_read_timeout(Some(short))).is_some() {
        assert_eq!(socket_timeout(fd, Timeout::Recv).unwrap(), Some(short));
        assert_eq!(
            retry_interrupted(|| s.read_from(&mut buf)).map(|r| r.0),
            again,
            "[{}]",
            B::NAME
        );
        must::<B, _>(&[Op::SetReadTimeout], s.set_read_timeout(None))?;
        assert_eq!(socket_timeout(fd, Timeout::Recv).unwrap(), None);
        must::<B, _>(&[Op::SetReadTimeout], s.set_read_timeout(Some(PATIENCE)))?;
    }
    let write = Duration::from_millis(500);
    if must::<B, _>(&[Op::SetWriteTimeout], s.set_write_timeout(Some(write))).is_some() {
        assert_eq!(socket_timeout(fd, Timeout::Send).unwrap(), Some(write));
        must::<B, _>(&[Op::SetWriteTimeout], s.set_write_timeout(None))?;
        assert_eq!(socket_timeout(fd, Timeout::Send).unwrap(), None);
    }
    let nonblocking = || {
        rustix::fs::fcntl_getfl(fd)
            .unwrap()
            .contains(OFlags::NONBLOCK)
    };
    assert!(!nonblocking());
    must::<B, _>(&[Op::SetNonblocking], s.set_nonblocking(true))?;
    assert!(nonblocking(), "[{}] O_NONBLOCK not set", B::NAME);
    assert_eq!(
        retry_interrupted(|| s.read_from(&mut buf)).map(|r| r.0),
        again,
        "[{}]",
        B::NAME
    );
    must::<B, _>(&[Op::SetNonblocking], s.set_nonblocking(false))?;
    assert!(!nonblocking(), "[{}] O_NONBLOCK still set", B::NAME);
    Some(())
}

/// Gathered writes arrive as one datagram; scattered reads fill the buffers
/// in order; a datagram longer than the buffers is reported truncated.
pub fn scatter_gather_and_truncation<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let parts: [&[u8]; 3] = [b"scat", b"ter-", b"gather"];
    let sent = must::<B, _>(
        &[Op::SendMsg],
        tx.write_msg(&parts, None, Some(&rx.local())),
    )?;
    assert_eq!(sent, 14, "[{}]", B::NAME);
    let (mut a, mut b) = ([0u8; 5], [0u8; 16]);
    let got = must::<B, _>(
        &[Op::RecvMsg],
        retry_interrupted(|| rx.read_msg(&mut [&mut a, &mut b])),
    )?;
    assert_eq!((got.len, got.truncated), (14, false), "[{}]", B::NAME);
    assert_eq!(got.source, Some(tx.local()), "[{}]", B::NAME);
    assert_eq!(&a, b"scatt", "[{}]", B::NAME);
    assert_eq!(&b[..9], b"er-gather", "[{}]", B::NAME);

    tx.send(b"0123456789", None, rx.local())?;
    let (mut a, mut b) = ([0u8; 3], [0u8; 3]);
    let got = must::<B, _>(
        &[Op::RecvMsg],
        retry_interrupted(|| rx.read_msg(&mut [&mut a, &mut b])),
    )?;
    assert!(
        got.truncated,
        "[{}] truncation not reported: {got:?}",
        B::NAME
    );
    assert_eq!(got.len, 6, "[{}] bytes written to the buffers", B::NAME);
    assert_eq!((&a, &b), (b"012", b"345"), "[{}]", B::NAME);
    Some(())
}
