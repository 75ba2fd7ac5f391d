//! Sockets for the rows to abuse, and the good operations that prove they
//! still work afterwards.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, SocketAddrV6, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::OnceLock;
use std::time::Duration;

use ipv6_core::{Conn, PacketConn};

use super::harness::Backend;

/// A hang guard on every blocking test socket; no row measures time.
const GUARD: Duration = Duration::from_secs(10);

/// The loopback interface's index.
pub fn loopback() -> u32 {
    ipv6_backend_libc::interface_index("lo").expect("a loopback interface called lo")
}

/// An index no interface has (checked, not assumed).
pub const NO_SUCH_INTERFACE: u32 = 999_999;

pub fn no_such_interface_is_free() {
    assert!(
        ipv6_backend_libc::interface_name(NO_SUCH_INTERFACE).is_err(),
        "interface {NO_SUCH_INTERFACE} exists here; the rows need an unused index"
    );
}

fn v6(addr: SocketAddr) -> SocketAddrV6 {
    match addr {
        SocketAddr::V6(a) => a,
        SocketAddr::V4(a) => panic!("IPv4 address {a} on an IPv6 socket"),
    }
}

fn bind_loopback() -> UdpSocket {
    let socket = UdpSocket::bind("[::1]:0").expect("bind [::1]:0");
    socket.set_read_timeout(Some(GUARD)).unwrap();
    socket.set_write_timeout(Some(GUARD)).unwrap();
    socket
}

/// A `PacketConn` on `[::1]` and a plain peer socket.
pub struct Udp<B: Backend> {
    pub conn: PacketConn<B::Socket<UdpSocket>>,
    pub addr: SocketAddrV6,
    pub peer: UdpSocket,
    pub peer_addr: SocketAddrV6,
}

impl<B: Backend> Udp<B> {
    pub fn new() -> Self {
        let (socket, peer) = (bind_loopback(), bind_loopback());
        let addr = v6(socket.local_addr().unwrap());
        let peer_addr = v6(peer.local_addr().unwrap());
        let conn = PacketConn::new(B::wrap(socket)).expect("PacketConn over [::1]");
        Udp {
            conn,
            addr,
            peer,
            peer_addr,
        }
    }

    /// The same, with the conn connected to the peer.
    pub fn connected() -> Self {
        let udp = Self::new();
        udp.socket().connect(udp.peer_addr).unwrap();
        udp
    }

    /// The std socket under the conn, for setup the rows do not test.
    pub fn socket(&self) -> &UdpSocket {
        B::inner(self.conn.backend())
    }

    /// Queues `payload` for the conn.
    pub fn send_to_conn(&self, payload: &[u8]) {
        self.peer.send_to(payload, self.addr).unwrap();
    }

    /// The next datagram the peer received, and its sender.
    pub fn peer_receives(&self) -> (Vec<u8>, SocketAddr) {
        let mut buf = [0u8; 2048];
        let (len, from) = self.peer.recv_from(&mut buf).unwrap();
        (buf[..len].to_vec(), from)
    }

    /// The good operation after a bad one: a datagram out through the conn
    /// and one back in, with the right bytes and addresses.
    pub fn echo(&self) {
        let sent = self
            .conn
            .write_to(b"ping", None, Some(&self.peer_addr))
            .expect("write_to after the bad call");
        assert_eq!(sent, 4);
        let (payload, from) = self.peer_receives();
        assert_eq!((&payload[..], from), (&b"ping"[..], self.addr.into()));
        self.send_to_conn(b"pong");
        let mut buf = [0u8; 16];
        let (len, control, source) = self.conn.read_from(&mut buf).expect("read_from after");
        assert_eq!(&buf[..len], b"pong");
        assert_eq!(control, ipv6_core::ControlMessage::default());
        assert_eq!(source, Some(self.peer_addr));
    }

    /// The next queued datagram through `read_from`, which must be `payload`.
    pub fn reads(&self, payload: &[u8]) {
        let mut buf = [0u8; 2048];
        let (len, _, source) = self.conn.read_from(&mut buf).expect("read_from");
        assert_eq!((&buf[..len], source), (payload, Some(self.peer_addr)));
    }
}

/// A `Conn` over a connected TCP stream on `[::1]`, and the other end.
pub struct Tcp<B: Backend> {
    pub conn: Conn<B::Socket<TcpStream>>,
    pub peer: TcpStream,
}

impl<B: Backend> Tcp<B> {
    pub fn new() -> Self {
        let listener = TcpListener::bind("[::1]:0").unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (peer, _) = listener.accept().unwrap();
        for s in [&stream, &peer] {
            s.set_read_timeout(Some(GUARD)).unwrap();
        }
        Tcp {
            conn: Conn::new(B::wrap(stream)).expect("Conn over TCP on [::1]"),
            peer,
        }
    }

    /// The good operation: bytes both ways over the stream.
    pub fn echo(&self) {
        let (mut stream, mut peer) = (B::inner(self.conn.backend()), &self.peer);
        stream.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        peer.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        peer.write_all(b"pong").unwrap();
        stream.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"pong");
    }
}

/// A backend socket over `/dev/null`: a descriptor that is open but is not
/// a socket (a closed one cannot be lent safely).
pub struct NotSocket<B: Backend> {
    pub socket: B::Socket<File>,
}

impl<B: Backend> NotSocket<B> {
    pub fn new() -> Self {
        let file = File::options().write(true).open("/dev/null").unwrap();
        NotSocket {
            socket: B::wrap(file),
        }
    }

    /// The good operation: the file still takes writes.
    pub fn still_a_file(&self) {
        let mut file = B::inner(&self.socket);
        assert_eq!(file.write(b"x").unwrap(), 1);
    }
}

/// An IPv4 UDP socket on 127.0.0.1 and a peer, to prove it still works.
pub struct Ipv4 {
    pub socket: UdpSocket,
    pub peer: UdpSocket,
}

impl Ipv4 {
    pub fn new() -> Self {
        let bind = || {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(GUARD)).unwrap();
            s
        };
        Ipv4 {
            socket: bind(),
            peer: bind(),
        }
    }

    /// The good operation: an IPv4 datagram each way.
    pub fn echo(&self) {
        let mut buf = [0u8; 8];
        self.socket
            .send_to(b"ping", self.peer.local_addr().unwrap())
            .unwrap();
        let (len, _) = self.peer.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"ping");
        self.peer
            .send_to(b"pong", self.socket.local_addr().unwrap())
            .unwrap();
        let (len, _) = self.socket.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"pong");
    }
}

/// Whether rows needing root (raw sockets) can run: as root yes; otherwise
/// they fail under CI and are skipped, with one printed line, elsewhere.
pub fn root_or_skip() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        if rustix::process::geteuid().is_root() {
            return true;
        }
        ipv6_tests::netns::skip_or_fail(
            "bad_input's raw-socket rows",
            "root",
            &"not running as root",
        );
        false
    })
}

/// A raw IPv6 socket for `protocol` and a `PacketConn` over it.
pub struct Raw<B: Backend> {
    pub conn: PacketConn<B::Socket<OwnedFd>>,
}

impl<B: Backend> Raw<B> {
    pub fn new(protocol: libc::c_int) -> Self {
        // SAFETY: socket() has no memory preconditions.
        let fd = unsafe {
            libc::socket(
                libc::AF_INET6,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        };
        assert!(fd >= 0, "raw socket: {}", std::io::Error::last_os_error());
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Raw {
            conn: PacketConn::new(B::wrap(fd)).expect("PacketConn over a raw socket"),
        }
    }
}

/// `shutdown(fd, SHUT_RDWR)`; std's `UdpSocket` has no `shutdown`.
pub fn shutdown_both(socket: &UdpSocket) {
    // SAFETY: shutdown() on a descriptor the caller keeps open has no
    // memory preconditions.
    let ret = unsafe { libc::shutdown(socket.as_raw_fd(), libc::SHUT_RDWR) };
    assert_eq!(ret, 0, "shutdown: {}", std::io::Error::last_os_error());
}
