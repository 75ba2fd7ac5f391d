//! Sockets for the scenarios: created with rustix or std, wrapped by the
//! backend under test.
//!
//! Every socket gets a receive timeout before the backend sees it, so a
//! scenario whose datagram never comes fails instead of hanging, whatever the
//! backend does. The descriptor is shared (`Arc<OwnedFd>`) between the
//! scenario, which may tune it with plain system calls, and the backend.

use std::net::{Ipv6Addr, SocketAddrV6, TcpListener, TcpStream};
use std::ops::Deref;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use ipv6_core::{Conn, ControlFlags, ControlMessage, Error, Operation, PacketConn, Platform};
use rustix::net::sockopt::{self, Timeout};
use rustix::net::{AddressFamily, Protocol, SocketType};

use super::{Backend, Expect, must_when, retry_interrupted, supports};

/// How long a read that must succeed may wait: only reached on failure.
pub const PATIENCE: Duration = Duration::from_secs(5);
/// How long a socket must stay silent to show a datagram was not delivered.
///
/// Only ever used after a later datagram (a sentinel) has already arrived, so
/// it bounds a wait for something that should not exist; it is not a timing
/// assertion.
pub const SILENCE: Duration = Duration::from_millis(200);

/// `IPPROTO_ICMPV6`.
pub const ICMPV6: u8 = 58;
/// OSPF for IPv6 (RFC 5340): a raw protocol whose checksum is at offset 12.
pub const OSPF: u8 = 89;
/// A protocol number reserved for experimentation (RFC 3692).
pub const EXPERIMENTAL: u8 = 253;

/// The backend's socket over a shared descriptor.
pub type Socket<B> = <B as Backend>::Socket<Arc<OwnedFd>>;

/// A `PacketConn` under test and its descriptor.
pub struct Sock<B: Backend> {
    fd: Arc<OwnedFd>,
    conn: PacketConn<Socket<B>>,
}

impl<B: Backend> Deref for Sock<B> {
    type Target = PacketConn<Socket<B>>;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl<B: Backend> Sock<B> {
    /// Wraps an IPv6 socket.
    pub fn new(fd: OwnedFd) -> Self {
        sockopt::set_socket_timeout(&fd, Timeout::Recv, Some(PATIENCE)).expect("SO_RCVTIMEO");
        let fd = Arc::new(fd);
        let conn = PacketConn::new(B::wrap(fd.clone()))
            .unwrap_or_else(|e| panic!("[{}] PacketConn::new: {e:?}", B::NAME));
        Sock { fd, conn }
    }

    /// A UDP socket bound to `addr`.
    pub fn udp(addr: SocketAddrV6) -> Self {
        Self::new(udp_fd(addr, false))
    }

    /// A UDP socket bound to `addr` with `SO_REUSEADDR`, so several can share a port.
    pub fn udp_shared(addr: SocketAddrV6) -> Self {
        Self::new(udp_fd(addr, true))
    }

    /// A UDP socket on `[::1]:0`.
    pub fn udp_loopback() -> Self {
        Self::udp(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0))
    }

    /// A raw IPv6 socket for `protocol`, bound to `addr` if given.
    pub fn raw(protocol: u8, addr: Option<Ipv6Addr>) -> Self {
        let proto = Protocol::from_raw(u32::from(protocol).try_into().expect("nonzero protocol"));
        let fd = rustix::net::socket(AddressFamily::INET6, SocketType::RAW, Some(proto))
            .expect("raw socket (root needed)");
        if let Some(addr) = addr {
            rustix::net::bind(&fd, &SocketAddrV6::new(addr, 0, 0, 0)).expect("bind raw");
        }
        Self::new(fd)
    }

    /// A `PacketConn` over `backend`, which shares `fd`: whatever receive
    /// options the kernel holds stay on, and no control flags are set.
    pub fn from_parts(fd: Arc<OwnedFd>, backend: Socket<B>) -> Self {
        let conn = PacketConn::new(backend)
            .unwrap_or_else(|e| panic!("[{}] PacketConn::new: {e:?}", B::NAME));
        Sock { fd, conn }
    }

    /// The descriptor and the backend, `PacketConn` gone
    /// ([`PacketConn::into_inner`]).
    pub fn into_parts(self) -> (Arc<OwnedFd>, Socket<B>) {
        (self.fd, self.conn.into_inner())
    }

    /// The descriptor, for plain system calls.
    pub fn fd(&self) -> &Arc<OwnedFd> {
        &self.fd
    }

    /// The bound address.
    pub fn local(&self) -> SocketAddrV6 {
        local_addr(&*self.fd)
    }

    /// A `Conn` over the same descriptor (for `path_mtu`).
    pub fn unicast(&self) -> Conn<Socket<B>> {
        Conn::new(B::wrap(self.fd.clone()))
            .unwrap_or_else(|e| panic!("[{}] Conn::new: {e:?}", B::NAME))
    }

    /// Connects the socket (UDP: fixes the peer and the route).
    pub fn connect(&self, peer: SocketAddrV6) {
        rustix::net::connect(&*self.fd, &peer).expect("connect");
    }

    /// Sends `payload` to `to`, optionally with `control`. `None` if the
    /// backend lacks `sendmsg` (after checking it said so).
    #[track_caller]
    pub fn send(
        &self,
        payload: &[u8],
        control: Option<&ControlMessage>,
        to: SocketAddrV6,
    ) -> Option<()> {
        let with_control = control.is_some_and(|c| c.marshal_len(&Platform::HOST) > 0);
        let works = supports::<B>(&[Operation::SendMsg])
            && (!with_control || B::control_data() == Expect::Works);
        let sent = must_when::<B, _>(
            works,
            &[Operation::SendMsg],
            self.write_to(payload, control, Some(&to)),
        )?;
        assert_eq!(sent, payload.len(), "[{}] short write", B::NAME);
        Some(())
    }

    /// Receives one datagram, which must come.
    #[track_caller]
    pub fn recv(&self) -> Option<Datagram> {
        let mut buf = [0u8; 2048];
        let (len, control, source) = must_when::<B, _>(
            self.recv_works(),
            &[Operation::RecvMsg],
            retry_interrupted(|| self.read_from(&mut buf)),
        )?;
        Some(Datagram {
            payload: buf[..len].to_vec(),
            control,
            source,
        })
    }

    /// Whether a receive works with the socket's current control flags.
    fn recv_works(&self) -> bool {
        supports::<B>(&[Operation::RecvMsg])
            && (self.control_flags().is_empty() || B::control_data() == Expect::Works)
    }

    /// Asserts nothing arrives within [`SILENCE`]: a datagram sent before the
    /// last one received must have been dropped.
    #[track_caller]
    pub fn assert_silent(&self, why: &str) {
        sockopt::set_socket_timeout(&*self.fd, Timeout::Recv, Some(SILENCE)).expect("SO_RCVTIMEO");
        let mut buf = [0u8; 2048];
        let got = retry_interrupted(|| self.read_from(&mut buf));
        sockopt::set_socket_timeout(&*self.fd, Timeout::Recv, Some(PATIENCE)).expect("SO_RCVTIMEO");
        match got {
            Err(Error::Os { op, errno }) if op == Operation::RecvMsg && errno == libc::EAGAIN => {}
            Err(Error::Unsupported(Operation::RecvMsg)) if !self.recv_works() => {}
            Ok((len, control, source)) => panic!(
                "[{}] {why}: yet {:?} arrived from {source:?} with {control:?}",
                B::NAME,
                &buf[..len]
            ),
            Err(e) => panic!("[{}] {why}: read failed with {e:?}, not EAGAIN", B::NAME),
        }
    }
}

/// One received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// What arrived.
    pub payload: Vec<u8>,
    /// Its control message.
    pub control: ControlMessage,
    /// Its sender.
    pub source: Option<SocketAddrV6>,
}

/// A UDP socket bound to `addr`.
pub fn udp_fd(addr: SocketAddrV6, shared: bool) -> OwnedFd {
    let fd = rustix::net::socket(AddressFamily::INET6, SocketType::DGRAM, None).expect("socket");
    if shared {
        sockopt::set_socket_reuseaddr(&fd, true).expect("SO_REUSEADDR");
    }
    rustix::net::bind(&fd, &addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    fd
}

/// An IPv4 UDP socket, for the "not an IPv6 socket" checks.
pub fn ipv4_udp() -> OwnedFd {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .expect("IPv4 socket")
        .into()
}

/// A connected TCP pair over `[::1]`: (initiator, responder).
pub fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("[::1]:0").expect("listen");
    let initiator = TcpStream::connect(listener.local_addr().unwrap()).expect("connect");
    let (responder, _) = listener.accept().expect("accept");
    (initiator, responder)
}

/// The address a socket is bound to.
pub fn local_addr(fd: impl AsFd) -> SocketAddrV6 {
    rustix::net::getsockname(fd)
        .expect("getsockname")
        .try_into()
        .expect("IPv6 address")
}

/// `IPV6_DONTFRAG`: fail with `EMSGSIZE` rather than fragment (rustix has
/// no wrapper; the scenario needs it to provoke a path MTU report).
pub fn set_dont_fragment(fd: impl AsFd) {
    set_int_option(fd, libc::IPPROTO_IPV6, libc::IPV6_DONTFRAG, 1);
}

/// `setsockopt` of a C `int`, for options no wrapper covers.
pub fn set_int_option(fd: impl AsFd, level: libc::c_int, name: libc::c_int, value: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: `fd` is a live socket for the duration of the call; the option
    // value is a valid `c_int` and its exact size is passed.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_fd().as_raw_fd(),
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(
        rc,
        0,
        "setsockopt({level}, {name}): {}",
        std::io::Error::last_os_error()
    );
}

/// `getsockopt` of a C `int`, to see what the kernel holds independently of
/// the backend under test.
pub fn int_option(fd: impl AsFd, level: libc::c_int, name: libc::c_int) -> libc::c_int {
    use std::os::fd::AsRawFd;
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `fd` is a live socket for the duration of the call; `value` and
    // `len` are valid for writes and `len` holds `value`'s size.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    assert_eq!(
        rc,
        0,
        "getsockopt({level}, {name}): {}",
        std::io::Error::last_os_error()
    );
    value
}

/// The receive option (`IPV6_RECV*`) behind each control flag, as the kernel
/// names it.
pub const KERNEL_RECEIVE_OPTIONS: [(libc::c_int, ControlFlags); 4] = [
    (libc::IPV6_RECVTCLASS, ControlFlags::TRAFFIC_CLASS),
    (libc::IPV6_RECVHOPLIMIT, ControlFlags::HOP_LIMIT),
    (
        libc::IPV6_RECVPKTINFO,
        ControlFlags::DST.union(ControlFlags::INTERFACE),
    ),
    (libc::IPV6_RECVPATHMTU, ControlFlags::PATH_MTU),
];

/// The receive options the kernel holds, as control flags, read with plain
/// `getsockopt` (independently of the backend under test).
pub fn kernel_flags(fd: impl AsFd + Copy) -> ControlFlags {
    KERNEL_RECEIVE_OPTIONS
        .into_iter()
        .filter(|&(name, _)| int_option(fd, libc::IPPROTO_IPV6, name) != 0)
        .fold(ControlFlags::empty(), |all, (_, flags)| all | flags)
}

/// Turns the receive options behind `flags` on or off with plain
/// `setsockopt`, as another library sharing the descriptor would.
pub fn set_kernel_flags(fd: impl AsFd + Copy, flags: ControlFlags, on: bool) {
    for (name, bits) in KERNEL_RECEIVE_OPTIONS {
        if flags.intersects(bits) {
            set_int_option(fd, libc::IPPROTO_IPV6, name, i32::from(on));
        }
    }
}
