//! 64 datagrams of 1200 bytes over [::1], three ways side by side: sent
//! with UDP GSO and received with UDP GRO (by `PacketConn` and by hand with
//! libc), and sent and received with `sendmmsg`/`recvmmsg` (by
//! `PacketConn` and by hand).
//!
//! A GSO send carries at most a UDP payload (65,507 bytes after the
//! headers), so the 64 segments go as two sends of 32; on loopback each
//! arrives at the GRO socket as one buffer of 32 segments. Every step checks
//! the bytes it received and the segment size reported.

use std::hint::black_box;
use std::mem;
use std::net::{SocketAddrV6, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::ptr;

use ipv6_core::{
    ControlMessage, MAX_COALESCED_LEN, PacketConn, RecvMessage, SendMessage, SocketBackend,
};

use crate::{Seen, conn, raw, v6};

/// Bytes per datagram.
pub const SEGMENT: usize = 1200;
/// Datagrams per step.
pub const DATAGRAMS: usize = 64;
/// Datagrams per GSO send.
const PER_SEND: usize = 32;

/// The 64 datagrams, back to back: datagram `i` is filled with `i`.
pub fn payload() -> Vec<u8> {
    (0..DATAGRAMS)
        .flat_map(|i| std::iter::repeat_n(i as u8, SEGMENT))
        .collect()
}

/// What every step reports: all bytes, from the sender.
pub fn expect(tx: &UdpSocket) -> Seen {
    Seen::new(DATAGRAMS * SEGMENT, v6(tx).port())
}

/// A receive socket big enough for two batches in flight.
fn big_receive_buffer(fd: RawFd) {
    let size: libc::c_int = 4 << 20;
    // SAFETY: a valid int option of its exact size on a live socket.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            ptr::from_ref(&size).cast(),
            mem::size_of::<libc::c_int>() as _,
        )
    };
    assert_eq!(rc, 0, "SO_RCVBUF");
}

/// Sockets for the GSO/GRO rows (the receiver with `UDP_GRO` on) or for the
/// batch rows.
pub struct Sockets {
    pub tx: UdpSocket,
    pub rx: UdpSocket,
}

impl Sockets {
    /// A receiver on [::1] for `tx` (the rows share one sender, so that
    /// all report the same source port).
    pub fn bind(tx: &UdpSocket, gro: bool) -> Self {
        let s = Sockets {
            tx: tx.try_clone().expect("dup the sender"),
            rx: UdpSocket::bind("[::1]:0").expect("bind [::1]"),
        };
        big_receive_buffer(s.rx.as_raw_fd());
        if gro {
            let on: libc::c_int = 1;
            // SAFETY: as above.
            let rc = unsafe {
                libc::setsockopt(
                    s.rx.as_raw_fd(),
                    libc::SOL_UDP,
                    libc::UDP_GRO,
                    ptr::from_ref(&on).cast(),
                    mem::size_of::<libc::c_int>() as _,
                )
            };
            assert_eq!(rc, 0, "UDP_GRO");
        }
        s
    }

    fn to(&self) -> SocketAddrV6 {
        v6(&self.rx)
    }

    /// The hand-written GSO/GRO step.
    pub fn raw_gso(&self, data: &[u8]) -> impl FnMut() -> Seen + '_ {
        let to = raw::sockaddr(&self.to());
        let data = data.to_vec();
        let mut buf = vec![0u8; MAX_COALESCED_LEN];
        move || {
            for chunk in data.chunks(PER_SEND * SEGMENT) {
                raw_send_gso(self.tx.as_raw_fd(), &to, chunk);
            }
            let mut got = 0;
            let mut port = 0;
            while got < data.len() {
                let (n, size, from) = raw_recv_gro(self.rx.as_raw_fd(), &mut buf);
                assert_eq!(size, SEGMENT as u16, "gso_size");
                assert_eq!(&buf[..n], &data[got..got + n]);
                got += n;
                port = from;
            }
            Seen::new(got, port)
        }
    }

    /// The hand-written `sendmmsg`/`recvmmsg` step.
    pub fn raw_mmsg(&self, data: &[u8]) -> impl FnMut() -> Seen + '_ {
        let to = raw::sockaddr(&self.to());
        let data = data.to_vec();
        let mut bufs = vec![[0u8; SEGMENT]; DATAGRAMS];
        move || {
            raw_mmsg_step(
                self.tx.as_raw_fd(),
                self.rx.as_raw_fd(),
                &to,
                &data,
                &mut bufs,
            )
        }
    }
}

/// `sendmsg` of `chunk` with a `UDP_SEGMENT` record of [`SEGMENT`].
fn raw_send_gso(fd: RawFd, to: &libc::sockaddr_in6, chunk: &[u8]) {
    let mut iov = libc::iovec {
        iov_base: chunk.as_ptr().cast_mut().cast(),
        iov_len: chunk.len(),
    };
    let mut cmsgs = raw::Cmsgs::new();
    // SAFETY: msghdr is pointers and integers; all-zero is valid.
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_name = ptr::from_ref(to).cast_mut().cast();
    msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsgs.0.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE is arithmetic.
    msg.msg_controllen = unsafe { libc::CMSG_SPACE(2) } as _;
    // SAFETY: the buffer holds CMSG_SPACE(2) bytes, so the first header and
    // its two data bytes lie inside it.
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_UDP;
        (*c).cmsg_type = libc::UDP_SEGMENT;
        (*c).cmsg_len = libc::CMSG_LEN(2) as _;
        ptr::write_unaligned(libc::CMSG_DATA(c).cast::<u16>(), SEGMENT as u16);
    }
    // SAFETY: every pointer in `msg` is live for the call.
    let n = unsafe { libc::sendmsg(fd, &msg, 0) };
    assert_eq!(n, chunk.len() as isize, "GSO sendmsg");
}

/// `recvmsg` of one coalesced buffer: its length, `UDP_GRO` size and sender port.
fn raw_recv_gro(fd: RawFd, buf: &mut [u8]) -> (usize, u16, u16) {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut cmsgs = raw::Cmsgs::new();
    // SAFETY: plain integers; all-zero is valid.
    let mut from: libc::sockaddr_in6 = unsafe { mem::zeroed() };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_name = ptr::from_mut(&mut from).cast();
    msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsgs.0.as_mut_ptr().cast();
    msg.msg_controllen = cmsgs.0.len() as _;
    // SAFETY: every pointer in `msg` is live and writable for its length.
    let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
    assert!(n > 0, "GRO recvmsg: {}", std::io::Error::last_os_error());
    let mut size = 0;
    // SAFETY: the kernel wrote the records; the macros stay inside them.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if ((*c).cmsg_level, (*c).cmsg_type) == (libc::SOL_UDP, libc::UDP_GRO) {
                size = ptr::read_unaligned(libc::CMSG_DATA(c).cast::<i32>()) as u16;
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    (n as usize, size, u16::from_be(from.sin6_port))
}

/// `sendmmsg` of the 64 datagrams and `recvmmsg` of them.
fn raw_mmsg_step(
    tx: RawFd,
    rx: RawFd,
    to: &libc::sockaddr_in6,
    data: &[u8],
    bufs: &mut [[u8; SEGMENT]],
) -> Seen {
    let mut out_iovs: [libc::iovec; DATAGRAMS] = std::array::from_fn(|i| libc::iovec {
        iov_base: data[i * SEGMENT..].as_ptr().cast_mut().cast(),
        iov_len: SEGMENT,
    });
    // SAFETY: mmsghdr is pointers and integers; all-zero is valid.
    let mut out: [libc::mmsghdr; DATAGRAMS] = unsafe { mem::zeroed() };
    for (m, iov) in out.iter_mut().zip(out_iovs.iter_mut()) {
        m.msg_hdr.msg_name = ptr::from_ref(to).cast_mut().cast();
        m.msg_hdr.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
        m.msg_hdr.msg_iov = iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    let mut sent = 0;
    while sent < DATAGRAMS {
        // SAFETY: every header points at live buffers of the stated lengths.
        let n = unsafe { libc::sendmmsg(tx, out[sent..].as_mut_ptr(), (DATAGRAMS - sent) as _, 0) };
        assert!(n > 0, "sendmmsg");
        sent += n as usize;
    }
    let mut slots = bufs.iter_mut();
    let mut in_iovs: [libc::iovec; DATAGRAMS] = std::array::from_fn(|_| {
        let b = slots.next().expect("64 buffers");
        libc::iovec {
            iov_base: b.as_mut_ptr().cast(),
            iov_len: SEGMENT,
        }
    });
    // SAFETY: plain integers; all-zero is valid.
    let mut froms: [libc::sockaddr_in6; DATAGRAMS] = unsafe { mem::zeroed() };
    // SAFETY: as above.
    let mut ins: [libc::mmsghdr; DATAGRAMS] = unsafe { mem::zeroed() };
    for ((m, iov), from) in ins.iter_mut().zip(in_iovs.iter_mut()).zip(froms.iter_mut()) {
        m.msg_hdr.msg_name = ptr::from_mut(from).cast();
        m.msg_hdr.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
        m.msg_hdr.msg_iov = iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    let mut got = 0;
    while got < DATAGRAMS {
        // SAFETY: every header points at live, writable buffers.
        let n = unsafe {
            libc::recvmmsg(
                rx,
                ins[got..].as_mut_ptr(),
                (DATAGRAMS - got) as _,
                0,
                ptr::null_mut(),
            )
        };
        assert!(n > 0, "recvmmsg");
        got += n as usize;
    }
    let mut total = 0;
    for (i, m) in ins.iter().enumerate() {
        assert_eq!(m.msg_len as usize, SEGMENT);
        assert_eq!(bufs[i], data[i * SEGMENT..(i + 1) * SEGMENT]);
        total += m.msg_len as usize;
    }
    black_box(&mut in_iovs);
    Seen::new(total, u16::from_be(froms[0].sin6_port))
}

/// `PacketConn`s over a [`Sockets`] pair.
pub struct Conns<B> {
    tx: PacketConn<B>,
    rx: PacketConn<B>,
    to: SocketAddrV6,
}

impl<B: SocketBackend> Conns<B> {
    /// Over `s`; with `gro`, the receiver's `set_gro` is on (its kernel
    /// option already is).
    pub fn new<'a>(
        s: &'a Sockets,
        wrap: fn(&'a UdpSocket) -> B,
        gro: bool,
    ) -> ipv6_core::Result<Self> {
        let rx = PacketConn::new(wrap(&s.rx))?;
        if gro {
            rx.set_gro(true)?;
        }
        Ok(Conns {
            tx: PacketConn::new(wrap(&s.tx))?,
            rx,
            to: s.to(),
        })
    }

    /// `write_msg` with a segment size, `read_msg` of coalesced buffers.
    pub fn gso<'a>(&'a self, data: &'a [u8]) -> impl FnMut() -> Seen + 'a {
        let mut buf = vec![0u8; MAX_COALESCED_LEN];
        let control = ControlMessage {
            segment_size: Some(SEGMENT as u16),
            ..ControlMessage::default()
        };
        move || {
            for chunk in data.chunks(PER_SEND * SEGMENT) {
                let sent = self.tx.write_msg(&[chunk], Some(&control), Some(&self.to));
                assert_eq!(sent, Ok(chunk.len()));
            }
            let mut got = 0;
            let mut port = 0;
            while got < data.len() {
                let r = self.rx.read_msg(&mut [&mut buf]).expect("read_msg");
                assert_eq!(r.control.segment_size, Some(SEGMENT as u16));
                assert_eq!(&buf[..r.len], &data[got..got + r.len]);
                got += r.len;
                port = r.source.map_or(0, |s| s.port());
            }
            Seen::new(got, port)
        }
    }

    /// `write_batch` and `read_batch` of the 64 datagrams.
    pub fn mmsg<'a>(&'a self, data: &'a [u8]) -> impl FnMut() -> Seen + 'a {
        let mut bufs = vec![[0u8; SEGMENT]; DATAGRAMS];
        move || {
            let mut out: [SendMessage<'_>; DATAGRAMS] = std::array::from_fn(|i| {
                SendMessage::new(&data[i * SEGMENT..(i + 1) * SEGMENT], &[], Some(self.to))
            });
            conn::write_all(&self.tx, &mut out);
            let mut slots = bufs.iter_mut();
            let mut messages: [RecvMessage<'_>; DATAGRAMS] = std::array::from_fn(|_| {
                RecvMessage::new(slots.next().expect("64 buffers"), &mut [])
            });
            conn::read_all(&self.rx, &mut messages);
            let mut total = 0;
            for (i, m) in messages.iter().enumerate() {
                assert_eq!(m.meta.len, SEGMENT);
                assert_eq!(&m.buffer[..], &data[i * SEGMENT..(i + 1) * SEGMENT]);
                total += m.meta.len;
            }
            Seen::new(total, messages[0].meta.source.map_or(0, |s| s.port()))
        }
    }
}
