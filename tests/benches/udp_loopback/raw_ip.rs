//! Go's `BenchmarkPacketConnReadWriteUnicast/IP`: the same loops over a raw
//! IPv6 socket instead of UDP. One socket of an unassigned protocol sends
//! to [::1] and reads its own datagrams back, as Go's benchmark does: a raw
//! socket receives every packet of its protocol, and with no handler in the
//! kernel for it nothing else answers or consumes them.

use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::{AsRawFd, OwnedFd};

use ipv6_core::{ControlMessage, Error, SocketBackend};
use rustix::net::{AddressFamily, Protocol, SocketType};

use crate::conn::Link;
use crate::{Seen, raw};

/// RFC 3692's protocol number for experiments: no kernel module claims it.
pub const PROTOCOL: u8 = 253;

/// A raw IPv6 socket of [`PROTOCOL`] bound to [::1].
pub struct RawIp {
    socket: OwnedFd,
}

impl RawIp {
    /// The socket, or the error that refused it (`EPERM` without
    /// `CAP_NET_RAW`).
    pub fn open() -> std::io::Result<RawIp> {
        let protocol = Protocol::from_raw(
            std::num::NonZeroU32::new(u32::from(PROTOCOL)).expect("non-zero protocol"),
        );
        let socket = rustix::net::socket(AddressFamily::INET6, SocketType::RAW, Some(protocol))?;
        rustix::net::bind(&socket, &Self::address())?;
        Ok(RawIp { socket })
    }

    /// Where every datagram goes (and comes from): [::1], port 0, as raw
    /// sockets have no ports.
    pub fn address() -> SocketAddrV6 {
        SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0)
    }

    /// Two `PacketConn`s over the one socket, one sending and one
    /// receiving; with `control`, sent with every datagram and [`FLAGS`]
    /// asked of the receiver.
    pub fn link<'a, B: SocketBackend>(
        &'a self,
        wrap: fn(&'a OwnedFd) -> B,
        control: Option<ControlMessage>,
    ) -> Result<Link<B>, Error> {
        Link::new(
            wrap(&self.socket),
            wrap(&self.socket),
            Self::address(),
            control,
        )
    }

    /// The baseline's send + receive of one datagram.
    pub fn raw_single(&self, with_control: bool) -> impl FnMut() -> Seen + '_ {
        let fd = self.socket.as_raw_fd();
        raw::single(fd, fd, Self::address(), with_control)
    }

    /// The baseline's batch each way.
    pub fn raw_batch(&self, with_control: bool) -> impl FnMut() -> Seen + '_ {
        let fd = self.socket.as_raw_fd();
        raw::batch(fd, fd, Self::address(), with_control)
    }
}
