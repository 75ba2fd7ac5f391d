//! [`ipv6_core::SocketBackend`] over raw `libc` system calls, for Linux,
//! FreeBSD, NetBSD, OpenBSD and macOS.
//!
//! [`Socket`] wraps anything that lends a file descriptor ([`AsFd`]): a std
//! `UdpSocket` or `TcpStream`, an `OwnedFd`, a `BorrowedFd`, a socket2 or
//! tokio socket. It never closes or reconfigures the descriptor beyond the
//! option you set. [`packet_conn`] and [`conn`] give Go's `ipv6.PacketConn`
//! and `ipv6.Conn` in one call:
//!
//! ```no_run
//! use std::net::UdpSocket;
//! use ipv6_core::ControlFlags;
//!
//! let socket = UdpSocket::bind("[::1]:0")?;
//! let pc = ipv6_backend_libc::packet_conn(&socket)?;
//! pc.set_control_message(ControlFlags::HOP_LIMIT | ControlFlags::DST, true)?;
//! let mut buf = [0u8; 1500];
//! let (n, cm, from) = pc.read_from(&mut buf)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Socket options are driven by [`Platform::HOST`]'s option table: one
//! generic `setsockopt`/`getsockopt` path looks up level, name and value
//! shape, and `ipv6-core` encodes the value. An option the host lacks is
//! [`Error::Unsupported`](ipv6_core::Error::Unsupported); a refusal by the kernel is [`Error::Os`](ipv6_core::Error::Os) with the
//! real `errno`. The receive and send paths allocate nothing.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use core::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use ipv6_core::backend::BpfInstruction;
use ipv6_core::platform::SocketOption;
use ipv6_core::{
    Conn, IcmpFilter, Operation, PacketConn, Platform, ReceiveOption, RecvMessage, RecvMeta,
    Result, SendMessage, SocketBackend,
};

mod batch;
mod interface;
mod layout_check;
mod message;
mod option;
mod sys;

pub use interface::{Interface, InterfaceFlags, interface_index, interface_name, interfaces};

use option::Value;

/// A socket, seen through the raw `libc` system calls.
///
/// `F` is anything that lends a descriptor, owned or borrowed; `Socket`
/// neither closes it nor changes it except through the calls you make.
/// `Socket<F>` is `Send` and `Sync` when `F` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Socket<F: AsFd> {
    fd: F,
}

impl<F: AsFd> Socket<F> {
    /// Wraps `fd`.
    pub fn new(fd: F) -> Self {
        Socket { fd }
    }

    /// The wrapped descriptor holder.
    pub fn get_ref(&self) -> &F {
        &self.fd
    }

    /// Gives the descriptor holder back.
    pub fn into_inner(self) -> F {
        self.fd
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn set(&self, op: Operation, option: SocketOption, value: Value<'_>) -> Result<()> {
        option::set(self.fd(), op, option, value)
    }

    fn get_int(&self, op: Operation, option: SocketOption) -> Result<i32> {
        option::get_int(self.fd(), op, option)
    }

    fn membership(
        &self,
        op: Operation,
        option: SocketOption,
        ifindex: u32,
        group: Ipv6Addr,
        source: Option<Ipv6Addr>,
    ) -> Result<()> {
        let value = Value::Membership {
            ifindex,
            group,
            source,
        };
        self.set(op, option, value)
    }
}

impl<F: AsFd> AsFd for Socket<F> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Go's `ipv6.NewPacketConn` over `fd`: fails with
/// `InvalidArgument::NotIpv6Socket` unless `fd` is an `AF_INET6` socket.
pub fn packet_conn<F: AsFd>(fd: F) -> Result<PacketConn<Socket<F>>> {
    PacketConn::new(Socket::new(fd))
}

/// Go's `ipv6.NewConn` over `fd` (any IPv6 socket, TCP included).
pub fn conn<F: AsFd>(fd: F) -> Result<Conn<Socket<F>>> {
    Conn::new(Socket::new(fd))
}

impl<F: AsFd> SocketBackend for Socket<F> {
    const PLATFORM: Platform = Platform::HOST;

    fn socket_family(&self) -> Result<u16> {
        sys::socket_family(self.fd())
    }

    fn traffic_class(&self) -> Result<i32> {
        self.get_int(Operation::TrafficClass, SocketOption::TrafficClass)
    }
    fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        self.set(
            Operation::SetTrafficClass,
            SocketOption::TrafficClass,
            Value::Int(tclass),
        )
    }
    fn hop_limit(&self) -> Result<i32> {
        self.get_int(Operation::HopLimit, SocketOption::HopLimit)
    }
    fn set_hop_limit(&self, hops: i32) -> Result<()> {
        self.set(
            Operation::SetHopLimit,
            SocketOption::HopLimit,
            Value::Int(hops),
        )
    }
    fn multicast_hop_limit(&self) -> Result<i32> {
        self.get_int(
            Operation::MulticastHopLimit,
            SocketOption::MulticastHopLimit,
        )
    }
    fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        self.set(
            Operation::SetMulticastHopLimit,
            SocketOption::MulticastHopLimit,
            Value::Int(hops),
        )
    }
    fn multicast_interface(&self) -> Result<u32> {
        // The kernel keeps an unsigned index in an int-sized option.
        self.get_int(
            Operation::MulticastInterface,
            SocketOption::MulticastInterface,
        )
        .map(|i| i as u32)
    }
    fn set_multicast_interface(&self, ifindex: u32) -> Result<()> {
        self.set(
            Operation::SetMulticastInterface,
            SocketOption::MulticastInterface,
            Value::Int(ifindex as i32),
        )
    }
    fn multicast_loopback(&self) -> Result<bool> {
        self.get_int(
            Operation::MulticastLoopback,
            SocketOption::MulticastLoopback,
        )
        .map(|v| v != 0)
    }
    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        self.set(
            Operation::SetMulticastLoopback,
            SocketOption::MulticastLoopback,
            Value::Int(i32::from(on)),
        )
    }

    fn join_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::JoinGroup,
            SocketOption::JoinGroup,
            ifindex,
            group,
            None,
        )
    }
    fn leave_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::LeaveGroup,
            SocketOption::LeaveGroup,
            ifindex,
            group,
            None,
        )
    }
    fn join_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::JoinSourceGroup,
            SocketOption::JoinSourceGroup,
            ifindex,
            group,
            Some(source),
        )
    }
    fn leave_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::LeaveSourceGroup,
            SocketOption::LeaveSourceGroup,
            ifindex,
            group,
            Some(source),
        )
    }
    fn block_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::BlockSource,
            SocketOption::BlockSource,
            ifindex,
            group,
            Some(source),
        )
    }
    fn unblock_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        self.membership(
            Operation::UnblockSource,
            SocketOption::UnblockSource,
            ifindex,
            group,
            Some(source),
        )
    }

    fn set_receive_option(&self, receive: ReceiveOption, on: bool) -> Result<()> {
        let option = match receive {
            ReceiveOption::TrafficClass => SocketOption::ReceiveTrafficClass,
            ReceiveOption::HopLimit => SocketOption::ReceiveHopLimit,
            ReceiveOption::PacketInfo => SocketOption::ReceivePacketInfo,
            ReceiveOption::PathMtu => SocketOption::ReceivePathMtu,
        };
        let op = Operation::SetReceiveOption;
        self.set(op, option, Value::Int(i32::from(on)))
    }
    fn path_mtu(&self) -> Result<u32> {
        option::get_mtu(self.fd(), Operation::PathMtu, SocketOption::PathMtu)
    }
    fn checksum(&self) -> Result<i32> {
        self.get_int(Operation::Checksum, SocketOption::Checksum)
    }
    fn set_checksum(&self, offset: i32) -> Result<()> {
        self.set(
            Operation::SetChecksum,
            SocketOption::Checksum,
            Value::Int(offset),
        )
    }
    fn icmp_filter(&self) -> Result<IcmpFilter> {
        option::get_filter(self.fd(), Operation::IcmpFilter, SocketOption::IcmpFilter)
    }
    fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        self.set(
            Operation::SetIcmpFilter,
            SocketOption::IcmpFilter,
            Value::Filter(filter),
        )
    }
    fn attach_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        self.set(
            Operation::AttachBpf,
            SocketOption::AttachFilter,
            Value::Program(program),
        )
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        message::recv_msg(self.fd(), buffers, control)
    }
    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        message::send_msg(self.fd(), buffers, control, destination)
    }
    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        batch::recv(self.fd(), messages)
    }
    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        batch::send(self.fd(), messages)
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let op = Operation::SetReadTimeout;
        option::set_timeout(self.fd(), op, libc::SO_RCVTIMEO, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let op = Operation::SetWriteTimeout;
        option::set_timeout(self.fd(), op, libc::SO_SNDTIMEO, timeout)
    }
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        sys::set_nonblocking(self.fd(), on)
    }
    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        interface::exists(ifindex)
    }
}
