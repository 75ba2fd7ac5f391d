//! The measured `PacketConn` loops, generic over the backend.

use std::net::SocketAddrV6;

use ipv6_core::{
    ControlBuffer, ControlMessage, Error, PacketConn, RecvMessage, SendMessage, SocketBackend,
};

use crate::{BATCH, FLAGS, HOPS, PAYLOAD, Seen, TCLASS};

/// The per-packet fields every send with control data carries.
pub fn sent_control() -> ControlMessage {
    ControlMessage {
        traffic_class: Some(TCLASS as u8),
        hop_limit: Some(HOPS as u8),
        ..ControlMessage::default()
    }
}

/// A sending and a receiving `PacketConn` over one socket pair.
pub struct Link<B> {
    pub tx: PacketConn<B>,
    pub rx: PacketConn<B>,
    pub to: SocketAddrV6,
    /// Sent with every datagram; `Some` also means the receiver asked for
    /// [`FLAGS`].
    pub control: Option<ControlMessage>,
}

/// Payload and control buffers for one batch receive, and the control
/// buffer each send's records are encoded into.
struct Inbox {
    payloads: [[u8; 128]; BATCH],
    controls: [ControlBuffer; BATCH],
    outgoing: ControlBuffer,
}

impl Inbox {
    fn new() -> Self {
        Inbox {
            payloads: [[0; 128]; BATCH],
            controls: [ControlBuffer::new(); BATCH],
            outgoing: ControlBuffer::new(),
        }
    }
}

/// Sends all of `out` by `write_batch`, however many calls it takes.
pub fn write_all<B: SocketBackend>(tx: &PacketConn<B>, out: &mut [SendMessage<'_>]) {
    let mut sent = 0;
    while sent < out.len() {
        sent += tx.write_batch(&mut out[sent..]).expect("write_batch");
    }
}

/// Fills every message of `messages` by `read_batch`, however many calls
/// it takes.
pub fn read_all<B: SocketBackend>(rx: &PacketConn<B>, messages: &mut [RecvMessage<'_>]) {
    let mut got = 0;
    while got < messages.len() {
        got += rx.read_batch(&mut messages[got..]).expect("read_batch");
    }
}

impl<B: SocketBackend> Link<B> {
    /// `PacketConn`s over `tx` and `rx`, sending to `to`; with `control`,
    /// sent with every datagram and [`FLAGS`] asked of the receiver.
    pub fn new(
        tx: B,
        rx: B,
        to: SocketAddrV6,
        control: Option<ControlMessage>,
    ) -> Result<Self, Error> {
        let rx = PacketConn::new(rx)?;
        if control.is_some() {
            rx.set_control_message(FLAGS, true)?;
        }
        Ok(Link {
            tx: PacketConn::new(tx)?,
            rx,
            to,
            control,
        })
    }

    /// `write_to` then `read_from` of one datagram, as a repeatable step
    /// with its own receive buffer.
    pub fn single(&self) -> impl FnMut() -> Seen + '_ {
        let mut buf = [0u8; 2048];
        move || {
            let sent = self
                .tx
                .write_to(PAYLOAD, self.control.as_ref(), Some(&self.to));
            assert_eq!(sent, Ok(PAYLOAD.len()));
            let (n, got, from) = self.rx.read_from(&mut buf).expect("read_from");
            Seen::received(n, from, &got)
        }
    }

    /// `write_batch` then `read_batch` of [`BATCH`] datagrams, as a
    /// repeatable step with its own receive buffers.
    pub fn batch(&self) -> impl FnMut() -> Seen + '_ {
        let mut inbox = Inbox::new();
        move || self.batch_once(&mut inbox)
    }

    /// One batch each way, looping until all are through; what every
    /// datagram carried, or [`Seen::MISMATCH`] if they differ.
    fn batch_once(&self, inbox: &mut Inbox) -> Seen {
        let platform = self.tx.backend().platform();
        let control = &mut inbox.outgoing.0;
        let len = match &self.control {
            Some(cm) => cm.marshal(platform, control).expect("marshal"),
            None => 0,
        };
        let mut out: [SendMessage<'_>; BATCH] =
            std::array::from_fn(|_| SendMessage::new(PAYLOAD, &control[..len], Some(self.to)));
        write_all(&self.tx, &mut out);

        let space = match self.control {
            Some(_) => FLAGS.space(self.rx.backend().platform()),
            None => 0,
        };
        let mut slots = inbox.payloads.iter_mut().zip(&mut inbox.controls);
        let mut messages: [RecvMessage<'_>; BATCH] = std::array::from_fn(|_| {
            let (payload, control) = slots.next().expect("BATCH slots");
            RecvMessage::new(payload, &mut control.0[..space])
        });
        read_all(&self.rx, &mut messages);
        messages
            .iter()
            .map(|m| Seen::batch_message(&self.rx.received(m)))
            .reduce(Seen::agree)
            .unwrap_or(Seen::MISMATCH)
    }
}
