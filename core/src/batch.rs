//! Storage for batches on the stack: [`RecvBuffers`] holds the payload and
//! control buffers a [`read_batch`](crate::PacketConn::read_batch) needs and
//! lends them out as a fixed array of [`RecvMessage`]s, without `Vec`.

use crate::backend::RecvMessage;
use crate::control::ControlBuffer;

/// `N` payload buffers of `LEN` bytes and `N` [`ControlBuffer`]s (room for
/// every control flag on every platform), for `read_batch`.
///
/// ```
/// use ipv6_core::{PacketConn, Result, SocketBackend};
/// use ipv6_core::batch::RecvBuffers;
///
/// fn drain<B: SocketBackend>(conn: &PacketConn<B>) -> Result<usize> {
///     let mut storage = RecvBuffers::<8, 1500>::new();
///     let mut messages = storage.messages();
///     let n = conn.read_batch(&mut messages)?;
///     for message in &messages[..n] {
///         let control = conn.control_of(message);
///         let payload = &message.buffer[..message.meta.len];
///         let _ = (control, payload);
///     }
///     Ok(n)
/// }
/// ```
///
/// `N * (LEN + MAX_SPACE)` bytes ([`MAX_SPACE`](crate::control::MAX_SPACE),
/// 184): large batches of large buffers belong in a `Box` or a `static`, not
/// on a small thread stack.
#[derive(Debug, Clone)]
pub struct RecvBuffers<const N: usize, const LEN: usize> {
    payloads: [[u8; LEN]; N],
    controls: [ControlBuffer; N],
}

impl<const N: usize, const LEN: usize> RecvBuffers<N, LEN> {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        RecvBuffers {
            payloads: [[0; LEN]; N],
            controls: [ControlBuffer::new(); N],
        }
    }

    /// One [`RecvMessage`] per payload buffer, each with its own control
    /// buffer, ready for `read_batch`.
    pub fn messages(&mut self) -> [RecvMessage<'_>; N] {
        let mut controls = self.controls.iter_mut();
        self.payloads.each_mut().map(|payload| {
            // Both arrays have N elements.
            let control = controls.next().map_or(&mut [][..], |c| &mut c.0[..]);
            RecvMessage::new(payload, control)
        })
    }
}

impl<const N: usize, const LEN: usize> Default for RecvBuffers<N, LEN> {
    fn default() -> Self {
        RecvBuffers::new()
    }
}
