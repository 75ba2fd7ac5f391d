//! The tokio rows: `AsyncPacketConn` over `tokio::net::UdpSocket`s on a
//! current-thread runtime, making the same sends and receives as the
//! blocking rows in a loop inside one `block_on` per round, as a task's
//! loop would. The datagram is queued before the read is polled, so the
//! row measures the adapter's own cost (readiness check, `async_io`, the
//! cooperative budget) on top of the system calls.

use std::hint::black_box;
use std::net::{SocketAddrV6, UdpSocket as StdUdpSocket};
use std::pin::pin;

use ipv6_backend_libc::tokio::AsyncPacketConn;
use ipv6_core::batch::RecvBuffers;
use ipv6_core::{ControlBuffer, ControlMessage, Error, SendMessage};
use tokio::net::UdpSocket;
use tokio::runtime::Runtime;
use tokio::task::unconstrained;

use crate::{BATCH, FLAGS, PAYLOAD, Seen, v6};

/// A sending and a receiving `AsyncPacketConn` on [::1], on their own
/// sockets (the blocking rows' sockets must stay blocking).
///
/// The measured loops run `unconstrained`: tokio's cooperative budget makes
/// a task yield after 128 I/O operations, and under `block_on` each yield
/// registers the waker in a list the runtime allocates afresh per
/// `block_on`: one allocation per round, the harness's and tokio's, not the
/// adapter's. A task on a running runtime pays the yield (a reschedule
/// every 64 sends and receives), which these rows leave out.
pub struct AsyncLink {
    rt: Runtime,
    tx: AsyncPacketConn<UdpSocket>,
    rx: AsyncPacketConn<UdpSocket>,
    to: SocketAddrV6,
    control: Option<ControlMessage>,
    /// The port the section's expectation names, reported in place of this
    /// link's own sender port once that has been checked.
    report_port: u16,
}

impl AsyncLink {
    /// Binds two sockets on [::1]; with `control`, sent with every
    /// datagram and [`FLAGS`] asked of the receiver.
    pub fn new(control: Option<ControlMessage>, report_port: u16) -> Result<Self, Error> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("tokio runtime");
        let register = |socket: StdUdpSocket| {
            let _entered = rt.enter();
            socket.set_nonblocking(true).expect("O_NONBLOCK");
            AsyncPacketConn::new(UdpSocket::from_std(socket).expect("register"))
        };
        let tx = StdUdpSocket::bind("[::1]:0").expect("bind [::1]");
        let rx = StdUdpSocket::bind("[::1]:0").expect("bind [::1]");
        let to = v6(&rx);
        let (tx, rx) = (register(tx)?, register(rx)?);
        if control.is_some() {
            rx.set_control_message(FLAGS, true)?;
        }
        Ok(AsyncLink {
            rt,
            tx,
            rx,
            to,
            control,
            report_port,
        })
    }

    fn tx_port(&self) -> u16 {
        self.tx.get_ref().local_addr().expect("local_addr").port()
    }

    /// `seen` with the section's sender port, if it came from this link's.
    fn report(&self, seen: Seen, tx_port: u16) -> Seen {
        if seen.source_port != tx_port {
            return Seen::MISMATCH;
        }
        Seen {
            source_port: self.report_port,
            ..seen
        }
    }

    /// `ops` times `write_to(..).await` then `read_from(..).await`, in
    /// one `block_on`, each checked against `expect`.
    pub fn single(&self) -> impl FnMut(usize, Seen) + '_ {
        let mut buf = [0u8; 2048];
        let tx_port = self.tx_port();
        move |ops, expect| {
            let buf = &mut buf;
            // Pinned here and lent: tokio boxes a future above its size
            // threshold (2 KiB in debug builds) in `block_on`. Unconstrained:
            // see `AsyncLink`.
            self.rt.block_on(pin!(unconstrained(async {
                for _ in 0..ops {
                    let sent = self
                        .tx
                        .write_to(PAYLOAD, self.control.as_ref(), Some(&self.to))
                        .await;
                    assert_eq!(sent, Ok(PAYLOAD.len()));
                    let (n, got, from) = self.rx.read_from(buf).await.expect("read_from");
                    let seen = black_box(Seen::received(n, from, &got));
                    assert_eq!(self.report(seen, tx_port), expect);
                }
            })))
        }
    }

    /// `ops` times `write_batch(..).await` then `read_batch(..).await` of
    /// [`BATCH`] datagrams, in one `block_on`, with the message arrays
    /// built once per round outside the future and reused.
    pub fn batch(&self) -> impl FnMut(usize, Seen) + '_ {
        let mut inbox = Box::new(RecvBuffers::<BATCH, 128>::new());
        let mut outgoing = ControlBuffer::new();
        let tx_port = self.tx_port();
        move |ops, expect| {
            let one = self
                .tx
                .send_message(PAYLOAD, self.control.as_ref(), &mut outgoing, Some(self.to))
                .expect("send_message");
            let mut out: [SendMessage<'_>; BATCH] = std::array::from_fn(|_| one.clone());
            let mut messages = inbox.messages();
            let (out, messages) = (&mut out, &mut messages);
            self.rt.block_on(pin!(unconstrained(async {
                for _ in 0..ops {
                    let mut sent = 0;
                    while sent < BATCH {
                        sent += self
                            .tx
                            .write_batch(&mut out[sent..])
                            .await
                            .expect("write_batch");
                    }
                    let mut got = 0;
                    while got < BATCH {
                        got += self
                            .rx
                            .read_batch(&mut messages[got..])
                            .await
                            .expect("read_batch");
                    }
                    let seen = messages
                        .iter()
                        .map(|m| Seen::batch_message(&self.rx.received(m)))
                        .reduce(Seen::agree)
                        .unwrap_or(Seen::MISMATCH);
                    assert_eq!(self.report(black_box(seen), tx_port), expect);
                }
            })))
        }
    }
}
