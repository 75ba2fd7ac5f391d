//! The [`SocketBackend`] trait: one method per kernel operation.
//!
//! A backend is a thin shim over a system-call layer (raw `libc`, `rustix`).
//! It receives arguments already validated by [`Conn`](crate::Conn) and
//! [`PacketConn`](crate::PacketConn) and encodes nothing itself beyond what
//! its system-call layer demands: layouts come from [`Platform`]. Every
//! method defaults to [`Error::Unsupported`] naming the operation, so a
//! backend states what it lacks by not implementing it.

use core::net::{Ipv6Addr, SocketAddrV6};
use core::time::Duration;

use crate::error::{Error, InvalidArgument, Operation, Result};
use crate::filter::IcmpFilter;
use crate::platform::Platform;

/// Most scatter/gather buffers one message may carry through a backend.
///
/// Backends build their `iovec` arrays on the stack; 16 covers any realistic
/// header/payload split without allocating.
pub const MAX_IOV: usize = 16;

/// Refuses more than [`MAX_IOV`] scatter/gather buffers for `op`
/// ([`InvalidArgument::TooManyBuffers`]): `PacketConn` checks this before
/// calling a backend, and backends before filling their stack `iovec` arrays.
pub fn check_buffer_count(op: Operation, given: usize) -> Result<()> {
    if given > MAX_IOV {
        return Err(Error::InvalidArgument(
            op,
            InvalidArgument::TooManyBuffers {
                given,
                max: MAX_IOV,
            },
        ));
    }
    Ok(())
}

/// A receive option toggled by [`SocketBackend::set_receive_option`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiveOption {
    /// `IPV6_RECVTCLASS`: report the traffic class.
    TrafficClass,
    /// `IPV6_RECVHOPLIMIT`: report the hop limit.
    HopLimit,
    /// `IPV6_RECVPKTINFO`: report destination address and interface.
    PacketInfo,
    /// `IPV6_RECVPATHMTU`: report path MTU changes.
    PathMtu,
}

bitflags::bitflags! {
    /// Flags the kernel returns with a received message (`msg_flags`), decoded
    /// to platform-independent bits.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MsgFlags: u8 {
        /// `MSG_TRUNC`: the datagram was longer than the buffers.
        const TRUNCATED = 1;
        /// `MSG_CTRUNC`: control data was discarded for lack of space.
        const CONTROL_TRUNCATED = 2;
    }
}

/// What a backend reports about one received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvMeta {
    /// Payload bytes written to the buffers.
    pub len: usize,
    /// Control bytes written to the control buffer.
    pub control_len: usize,
    /// The sender, if the socket reported an IPv6 (or IPv4-mapped) address.
    pub source: Option<SocketAddrV6>,
    /// Truncation flags.
    pub flags: MsgFlags,
}

/// One message of a batch receive (Go's `Message` on the read side).
#[derive(Debug)]
pub struct RecvMessage<'a> {
    /// Where the payload goes.
    pub buffer: &'a mut [u8],
    /// Where control data goes; may be empty.
    pub control: &'a mut [u8],
    /// Filled by the receive: lengths, sender and flags.
    pub meta: RecvMeta,
}

impl<'a> RecvMessage<'a> {
    /// A message receiving into `buffer` and `control`.
    pub fn new(buffer: &'a mut [u8], control: &'a mut [u8]) -> Self {
        RecvMessage {
            buffer,
            control,
            meta: RecvMeta::default(),
        }
    }
}

/// One message of a batch send (Go's `Message` on the write side).
#[derive(Debug, Clone)]
pub struct SendMessage<'a> {
    /// The payload.
    pub buffer: &'a [u8],
    /// Encoded control data (see [`ControlMessage::marshal`](crate::ControlMessage::marshal)); may be empty.
    pub control: &'a [u8],
    /// Destination; `None` on a connected socket.
    pub destination: Option<SocketAddrV6>,
    /// Filled by the send: bytes sent.
    pub sent: usize,
}

impl<'a> SendMessage<'a> {
    /// A message sending `buffer` with `control` to `destination`.
    pub fn new(buffer: &'a [u8], control: &'a [u8], destination: Option<SocketAddrV6>) -> Self {
        SendMessage {
            buffer,
            control,
            destination,
            sent: 0,
        }
    }
}

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct BpfInstruction {
    /// Opcode.
    pub code: u16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Generic field.
    pub k: u32,
}

/// Longest classic BPF program the kernel accepts (`BPF_MAXINSNS`).
pub const BPF_MAX_INSTRUCTIONS: usize = 4096;

macro_rules! unsupported {
    ($op:ident) => {
        Err(Error::Unsupported(Operation::$op))
    };
}

/// The kernel operations `Conn` and `PacketConn` are built on.
///
/// Implementations must be safe to call from several threads at once when
/// they are `Sync` (the kernel serialises socket calls).
///
/// Integer options use the C `int` the kernel takes; booleans are `bool`;
/// interfaces are indexes where `0` means "kernel's choice", as in the C API.
#[allow(unused_variables)]
pub trait SocketBackend {
    /// The layouts the backend's kernel uses (normally [`Platform::HOST`]).
    const PLATFORM: Platform;

    /// The socket's address family (`AF_INET6`, `AF_INET`, …) from `getsockname`.
    fn socket_family(&self) -> Result<u16> {
        unsupported!(SocketFamily)
    }
    /// `IPV6_TCLASS`.
    fn traffic_class(&self) -> Result<i32> {
        unsupported!(TrafficClass)
    }
    /// Sets `IPV6_TCLASS`.
    fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        unsupported!(SetTrafficClass)
    }
    /// `IPV6_UNICAST_HOPS`.
    fn hop_limit(&self) -> Result<i32> {
        unsupported!(HopLimit)
    }
    /// Sets `IPV6_UNICAST_HOPS`.
    fn set_hop_limit(&self, hops: i32) -> Result<()> {
        unsupported!(SetHopLimit)
    }
    /// `IPV6_MULTICAST_HOPS`.
    fn multicast_hop_limit(&self) -> Result<i32> {
        unsupported!(MulticastHopLimit)
    }
    /// Sets `IPV6_MULTICAST_HOPS`.
    fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        unsupported!(SetMulticastHopLimit)
    }
    /// `IPV6_MULTICAST_IF` (0: none chosen).
    fn multicast_interface(&self) -> Result<u32> {
        unsupported!(MulticastInterface)
    }
    /// Sets `IPV6_MULTICAST_IF` (0: let the kernel choose).
    fn set_multicast_interface(&self, ifindex: u32) -> Result<()> {
        unsupported!(SetMulticastInterface)
    }
    /// `IPV6_MULTICAST_LOOP`.
    fn multicast_loopback(&self) -> Result<bool> {
        unsupported!(MulticastLoopback)
    }
    /// Sets `IPV6_MULTICAST_LOOP`.
    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        unsupported!(SetMulticastLoopback)
    }
    /// Joins `group` on interface `ifindex` (0: kernel's choice).
    fn join_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        unsupported!(JoinGroup)
    }
    /// Leaves `group` on interface `ifindex`.
    fn leave_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        unsupported!(LeaveGroup)
    }
    /// `MCAST_JOIN_SOURCE_GROUP`: receive `group` from `source` only.
    fn join_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        unsupported!(JoinSourceGroup)
    }
    /// `MCAST_LEAVE_SOURCE_GROUP`.
    fn leave_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        unsupported!(LeaveSourceGroup)
    }
    /// `MCAST_BLOCK_SOURCE`: stop receiving `group` from `source`.
    fn block_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        unsupported!(BlockSource)
    }
    /// `MCAST_UNBLOCK_SOURCE`: receive `group` from `source` again.
    fn unblock_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        unsupported!(UnblockSource)
    }
    /// Turns a receive option on or off.
    fn set_receive_option(&self, option: ReceiveOption, on: bool) -> Result<()> {
        unsupported!(SetReceiveOption)
    }
    /// `IPV6_PATHMTU` of a connected socket.
    fn path_mtu(&self) -> Result<u32> {
        unsupported!(PathMtu)
    }
    /// `IPV6_CHECKSUM`: -1 when off, else the offset.
    fn checksum(&self) -> Result<i32> {
        unsupported!(Checksum)
    }
    /// Sets `IPV6_CHECKSUM` (-1 turns it off).
    fn set_checksum(&self, offset: i32) -> Result<()> {
        unsupported!(SetChecksum)
    }
    /// `ICMP6_FILTER`.
    fn icmp_filter(&self) -> Result<IcmpFilter> {
        unsupported!(IcmpFilter)
    }
    /// Sets `ICMP6_FILTER`.
    fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        unsupported!(SetIcmpFilter)
    }
    /// `SO_ATTACH_FILTER` with a classic BPF program.
    fn attach_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        unsupported!(AttachBpf)
    }
    /// `recvmsg` into `buffers` (at most [`MAX_IOV`]) and `control`.
    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        unsupported!(RecvMsg)
    }
    /// `sendmsg` of `buffers` (at most [`MAX_IOV`]) with encoded `control` to `destination`.
    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        unsupported!(SendMsg)
    }
    /// Receives up to `messages.len()` messages in one call (`recvmmsg`);
    /// returns how many were filled.
    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        unsupported!(RecvBatch)
    }
    /// Sends up to `messages.len()` messages in one call (`sendmmsg`);
    /// returns how many were sent.
    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        unsupported!(SendBatch)
    }
    /// `SO_RCVTIMEO` (`None`: block forever).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        unsupported!(SetReadTimeout)
    }
    /// `SO_SNDTIMEO` (`None`: block forever).
    fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        unsupported!(SetWriteTimeout)
    }
    /// `O_NONBLOCK`.
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        unsupported!(SetNonblocking)
    }
    /// Whether an interface with this index exists (`if_indextoname`).
    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        unsupported!(InterfaceExists)
    }
}

impl<T: SocketBackend + ?Sized> SocketBackend for &T {
    const PLATFORM: Platform = T::PLATFORM;
    // Forwarding every method keeps `PacketConn<&B>` as capable as `PacketConn<B>`.
    fn socket_family(&self) -> Result<u16> {
        (**self).socket_family()
    }
    fn traffic_class(&self) -> Result<i32> {
        (**self).traffic_class()
    }
    fn set_traffic_class(&self, v: i32) -> Result<()> {
        (**self).set_traffic_class(v)
    }
    fn hop_limit(&self) -> Result<i32> {
        (**self).hop_limit()
    }
    fn set_hop_limit(&self, v: i32) -> Result<()> {
        (**self).set_hop_limit(v)
    }
    fn multicast_hop_limit(&self) -> Result<i32> {
        (**self).multicast_hop_limit()
    }
    fn set_multicast_hop_limit(&self, v: i32) -> Result<()> {
        (**self).set_multicast_hop_limit(v)
    }
    fn multicast_interface(&self) -> Result<u32> {
        (**self).multicast_interface()
    }
    fn set_multicast_interface(&self, i: u32) -> Result<()> {
        (**self).set_multicast_interface(i)
    }
    fn multicast_loopback(&self) -> Result<bool> {
        (**self).multicast_loopback()
    }
    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        (**self).set_multicast_loopback(on)
    }
    fn join_group(&self, i: u32, g: Ipv6Addr) -> Result<()> {
        (**self).join_group(i, g)
    }
    fn leave_group(&self, i: u32, g: Ipv6Addr) -> Result<()> {
        (**self).leave_group(i, g)
    }
    fn join_source_group(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        (**self).join_source_group(i, g, s)
    }
    fn leave_source_group(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        (**self).leave_source_group(i, g, s)
    }
    fn block_source(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        (**self).block_source(i, g, s)
    }
    fn unblock_source(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        (**self).unblock_source(i, g, s)
    }
    fn set_receive_option(&self, o: ReceiveOption, on: bool) -> Result<()> {
        (**self).set_receive_option(o, on)
    }
    fn path_mtu(&self) -> Result<u32> {
        (**self).path_mtu()
    }
    fn checksum(&self) -> Result<i32> {
        (**self).checksum()
    }
    fn set_checksum(&self, o: i32) -> Result<()> {
        (**self).set_checksum(o)
    }
    fn icmp_filter(&self) -> Result<IcmpFilter> {
        (**self).icmp_filter()
    }
    fn set_icmp_filter(&self, f: &IcmpFilter) -> Result<()> {
        (**self).set_icmp_filter(f)
    }
    fn attach_bpf(&self, p: &[BpfInstruction]) -> Result<()> {
        (**self).attach_bpf(p)
    }
    fn recv_msg(&self, b: &mut [&mut [u8]], c: &mut [u8]) -> Result<RecvMeta> {
        (**self).recv_msg(b, c)
    }
    fn send_msg(&self, b: &[&[u8]], c: &[u8], d: Option<&SocketAddrV6>) -> Result<usize> {
        (**self).send_msg(b, c, d)
    }
    fn recv_batch(&self, m: &mut [RecvMessage<'_>]) -> Result<usize> {
        (**self).recv_batch(m)
    }
    fn send_batch(&self, m: &mut [SendMessage<'_>]) -> Result<usize> {
        (**self).send_batch(m)
    }
    fn set_read_timeout(&self, t: Option<Duration>) -> Result<()> {
        (**self).set_read_timeout(t)
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> Result<()> {
        (**self).set_write_timeout(t)
    }
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        (**self).set_nonblocking(on)
    }
    fn interface_exists(&self, i: u32) -> Result<bool> {
        (**self).interface_exists(i)
    }
}
