//! The baseline: the same system calls written by hand against `libc`, with
//! cmsgs built and parsed by the C macros, as C code would.

use std::hint::black_box;
use std::mem;
use std::os::fd::RawFd;
use std::ptr;

use crate::{BATCH, HOPS, PAYLOAD, Seen, TCLASS};

/// Control buffer, aligned for `cmsghdr`.
#[repr(C, align(8))]
pub struct Cmsgs(pub [u8; 256]);

impl Cmsgs {
    pub const fn new() -> Self {
        Cmsgs([0; 256])
    }
}

pub fn sockaddr(addr: &std::net::SocketAddrV6) -> libc::sockaddr_in6 {
    // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
    let mut sa: libc::sockaddr_in6 = unsafe { mem::zeroed() };
    sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
    sa.sin6_port = addr.port().to_be();
    sa.sin6_addr.s6_addr = addr.ip().octets();
    sa
}

fn zeroed_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is pointers and integers; all-zero is valid.
    unsafe { mem::zeroed() }
}

/// Points `msg` at `buf` and writes IPV6_TCLASS and IPV6_HOPLIMIT records.
fn build(buf: &mut Cmsgs, msg: &mut libc::msghdr) {
    // SAFETY: CMSG_SPACE is arithmetic.
    let space = unsafe { 2 * libc::CMSG_SPACE(4) } as usize;
    msg.msg_control = buf.0.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    let mut values = [TCLASS, HOPS].into_iter();
    // SAFETY: the buffer holds `space` bytes, room for both records, so
    // every cmsghdr the macros return lies inside it.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        for ty in [libc::IPV6_TCLASS, libc::IPV6_HOPLIMIT] {
            (*c).cmsg_level = libc::IPPROTO_IPV6;
            (*c).cmsg_type = ty;
            (*c).cmsg_len = libc::CMSG_LEN(4) as _;
            ptr::write_unaligned(libc::CMSG_DATA(c).cast::<i32>(), values.next().unwrap());
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
}

/// What `recvmsg` reported in `msg`: length, sender port and the records.
fn parse(len: usize, from: &libc::sockaddr_in6, msg: &libc::msghdr) -> Seen {
    let mut seen = Seen::new(len, u16::from_be(from.sin6_port));
    if msg.msg_controllen == 0 {
        return seen;
    }
    // SAFETY: `msg` came back from recvmsg, so its control pointer and
    // length describe records the kernel wrote; the macros stay inside.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let data = libc::CMSG_DATA(c);
            match ((*c).cmsg_level, (*c).cmsg_type) {
                (libc::IPPROTO_IPV6, libc::IPV6_TCLASS) => {
                    seen.tclass = ptr::read_unaligned(data.cast::<i32>())
                }
                (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT) => {
                    seen.hops = ptr::read_unaligned(data.cast::<i32>())
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info = ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                    seen.dst = info.ipi6_addr.s6_addr;
                    seen.ifindex = info.ipi6_ifindex;
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    seen
}

fn payload_iov() -> libc::iovec {
    libc::iovec {
        iov_base: PAYLOAD.as_ptr().cast_mut().cast(),
        iov_len: PAYLOAD.len(),
    }
}

/// `sendmsg` of [`PAYLOAD`] to `to`, with the two records when `with_control`.
pub fn send(fd: RawFd, to: &libc::sockaddr_in6, with_control: bool) {
    let mut iov = payload_iov();
    // Built only when used, so the plain loop does no work it does not need.
    let mut cmsgs = with_control.then(Cmsgs::new);
    let mut msg = zeroed_msghdr();
    msg.msg_name = ptr::from_ref(to).cast_mut().cast();
    msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if let Some(cmsgs) = &mut cmsgs {
        build(cmsgs, &mut msg);
    }
    // SAFETY: every pointer in `msg` is live for the call.
    let n = unsafe { libc::sendmsg(fd, &msg, 0) };
    assert_eq!(n, PAYLOAD.len() as isize, "sendmsg");
}

/// `recvmsg` into `buf`, with a control buffer when `with_control`.
pub fn recv(fd: RawFd, buf: &mut [u8], with_control: bool) -> Seen {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
    let mut from: libc::sockaddr_in6 = unsafe { mem::zeroed() };
    let mut cmsgs = with_control.then(Cmsgs::new);
    let mut msg = zeroed_msghdr();
    msg.msg_name = ptr::from_mut(&mut from).cast();
    msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if let Some(cmsgs) = &mut cmsgs {
        msg.msg_control = cmsgs.0.as_mut_ptr().cast();
        msg.msg_controllen = cmsgs.0.len() as _;
    }
    // SAFETY: every pointer in `msg` is live and writable for the call.
    let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
    assert!(n >= 0, "recvmsg: {}", std::io::Error::last_os_error());
    assert_eq!(msg.msg_flags & libc::MSG_CTRUNC, 0, "control truncated");
    parse(n as usize, black_box(&from), &msg)
}

/// `sendmmsg` of [`BATCH`] copies of [`PAYLOAD`], looping until all left.
pub fn send_batch(fd: RawFd, to: &libc::sockaddr_in6, with_control: bool) {
    let mut iovs = [payload_iov(); BATCH];
    let mut cmsgs = with_control.then(|| std::array::from_fn::<_, BATCH, _>(|_| Cmsgs::new()));
    // SAFETY: mmsghdr is a msghdr and an integer; all-zero is valid.
    let mut headers: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
    for (i, (h, iov)) in headers.iter_mut().zip(&mut iovs).enumerate() {
        h.msg_hdr = zeroed_msghdr();
        h.msg_hdr.msg_name = ptr::from_ref(to).cast_mut().cast();
        h.msg_hdr.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
        h.msg_hdr.msg_iov = iov;
        h.msg_hdr.msg_iovlen = 1;
        if let Some(cmsgs) = &mut cmsgs {
            build(&mut cmsgs[i], &mut h.msg_hdr);
        }
    }
    let mut done = 0;
    while done < BATCH {
        // SAFETY: the headers point at live buffers for the call.
        let n = unsafe { libc::sendmmsg(fd, headers[done..].as_mut_ptr(), (BATCH - done) as _, 0) };
        assert!(n > 0, "sendmmsg: {}", std::io::Error::last_os_error());
        done += n as usize;
    }
}

/// `recvmmsg` of [`BATCH`] datagrams into `bufs`, looping until all came;
/// what they all carried, or [`Seen::MISMATCH`] if they differ.
pub fn recv_batch(fd: RawFd, bufs: &mut [[u8; 128]; BATCH], with_control: bool) -> Seen {
    let mut iovs: [libc::iovec; BATCH] = std::array::from_fn(|_| libc::iovec {
        iov_base: ptr::null_mut(),
        iov_len: 0,
    });
    // SAFETY: sockaddr_in6 is plain integers; all-zero is valid.
    let mut names: [libc::sockaddr_in6; BATCH] = unsafe { mem::zeroed() };
    let mut cmsgs = with_control.then(|| std::array::from_fn::<_, BATCH, _>(|_| Cmsgs::new()));
    // SAFETY: mmsghdr is a msghdr and an integer; all-zero is valid.
    let mut headers: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
    let mut common: Option<Seen> = None;
    let mut done = 0;
    while done < BATCH {
        for i in done..BATCH {
            iovs[i] = libc::iovec {
                iov_base: bufs[i].as_mut_ptr().cast(),
                iov_len: bufs[i].len(),
            };
            let h = &mut headers[i].msg_hdr;
            *h = zeroed_msghdr();
            h.msg_name = ptr::from_mut(&mut names[i]).cast();
            h.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as _;
            h.msg_iov = &mut iovs[i];
            h.msg_iovlen = 1;
            if let Some(cmsgs) = &mut cmsgs {
                h.msg_control = cmsgs[i].0.as_mut_ptr().cast();
                h.msg_controllen = cmsgs[i].0.len() as _;
            }
        }
        // SAFETY: the headers point at live, writable buffers for the call.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                headers[done..].as_mut_ptr(),
                (BATCH - done) as _,
                libc::MSG_WAITFORONE,
                ptr::null_mut(),
            )
        };
        assert!(n > 0, "recvmmsg: {}", std::io::Error::last_os_error());
        for (h, from) in headers[done..].iter().zip(&names[done..]).take(n as usize) {
            assert_eq!(
                h.msg_hdr.msg_flags & libc::MSG_CTRUNC,
                0,
                "control truncated"
            );
            let seen = parse(h.msg_len as usize, from, &h.msg_hdr);
            common = Some(common.map_or(seen, |c| c.agree(seen)));
        }
        done += n as usize;
    }
    common.unwrap_or(Seen::MISMATCH)
}

/// The baseline's send + receive of one datagram, from `tx` to `to` and
/// read on `rx`, as a repeatable step with its own receive buffer.
pub fn single(
    tx: RawFd,
    rx: RawFd,
    to: std::net::SocketAddrV6,
    with_control: bool,
) -> impl FnMut() -> Seen {
    let to = sockaddr(&to);
    let mut buf = [0u8; 2048];
    move || {
        send(tx, &to, with_control);
        recv(rx, &mut buf, with_control)
    }
}

/// The baseline's batch each way, as a repeatable step with its own
/// receive buffers.
pub fn batch(
    tx: RawFd,
    rx: RawFd,
    to: std::net::SocketAddrV6,
    with_control: bool,
) -> impl FnMut() -> Seen {
    let to = sockaddr(&to);
    let mut bufs = [[0u8; 128]; BATCH];
    move || {
        send_batch(tx, &to, with_control);
        recv_batch(rx, &mut bufs, with_control)
    }
}
