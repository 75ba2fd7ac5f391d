//! [`Socket`] and its [`SocketBackend`] implementation.

use core::net::{Ipv6Addr, SocketAddrV6};
use core::time::Duration;
use std::os::fd::{AsFd, BorrowedFd};

use ipv6_core::platform::SocketOption;
use ipv6_core::{
    BpfInstruction, Error, IcmpFilter, Operation, Platform, ReceiveOption, RecvMessage, RecvMeta,
    Result, SendMessage, SocketBackend,
};
use rustix::net::sockopt::{self, Timeout};

use crate::fallback::via_libc;
use crate::message;

/// The error for `op` from a rustix errno.
pub(crate) fn os_error(op: Operation) -> impl FnOnce(rustix::io::Errno) -> Error {
    move |errno| Error::Os {
        op,
        errno: errno.raw_os_error(),
    }
}

/// Refuses `op` when the host OS has no such socket option at all, so the
/// answer does not depend on which backend would have tried.
fn os_has(option: SocketOption, op: Operation) -> Result<()> {
    match Platform::HOST.sockopt(option) {
        Some(_) => Ok(()),
        None => Err(Error::Unsupported(op)),
    }
}

/// Whether the OS has `recvmmsg`/`sendmmsg` (Darwin has neither).
const OS_HAS_MMSG: bool = !cfg!(target_vendor = "apple");

/// An IPv6 socket driven through rustix.
///
/// `F` is anything that lends a descriptor: an owned socket
/// (`std::net::UdpSocket`, `OwnedFd`), a reference to one, or a
/// [`BorrowedFd`]. Every call borrows the descriptor for its duration only;
/// `Socket` never closes it. `Socket<F>` is `Send` and `Sync` when `F` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Socket<F: AsFd> {
    fd: F,
}

impl<F: AsFd> Socket<F> {
    /// Wraps `fd`; no system call is made.
    pub const fn new(fd: F) -> Self {
        Socket { fd }
    }

    /// The wrapped descriptor holder.
    pub const fn get_ref(&self) -> &F {
        &self.fd
    }

    /// Unwraps the descriptor holder.
    pub fn into_inner(self) -> F {
        self.fd
    }
}

impl<F: AsFd> AsFd for Socket<F> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Option values cross rustix as the C `int` the kernel stores, even where
/// rustix types them `u32`: `-1` ("kernel default") travels as `u32::MAX`
/// and comes back unchanged, so those conversions are bit casts.
impl<F: AsFd> SocketBackend for Socket<F> {
    const PLATFORM: Platform = Platform::HOST;

    fn socket_family(&self) -> Result<u16> {
        let addr = rustix::net::getsockname(self).map_err(os_error(Operation::SocketFamily))?;
        Ok(addr.address_family().as_raw())
    }

    fn traffic_class(&self) -> Result<i32> {
        sockopt::ipv6_tclass(self)
            .map(|v| v as i32)
            .map_err(os_error(Operation::TrafficClass))
    }

    fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        sockopt::set_ipv6_tclass(self, tclass as u32).map_err(os_error(Operation::SetTrafficClass))
    }

    fn hop_limit(&self) -> Result<i32> {
        // Linux resolves the default before answering; the BSDs return the
        // stored -1, which rustix's u8 result would turn into 255.
        #[cfg(target_os = "linux")]
        {
            sockopt::ipv6_unicast_hops(self)
                .map(i32::from)
                .map_err(os_error(Operation::HopLimit))
        }
        #[cfg(not(target_os = "linux"))]
        {
            via_libc!(self, HopLimit, hop_limit())
        }
    }

    fn set_hop_limit(&self, hops: i32) -> Result<()> {
        const OP: Operation = Operation::SetHopLimit;
        let hops = match hops {
            -1 => None,
            // rustix's `Option<u8>` cannot carry the value to the kernel, so
            // give the kernel's answer to it (every OS's), as the libc
            // backend and this crate's other setters do.
            _ => Some(u8::try_from(hops).map_err(|_| Error::Os {
                op: OP,
                errno: rustix::io::Errno::INVAL.raw_os_error(),
            })?),
        };
        sockopt::set_ipv6_unicast_hops(self, hops).map_err(os_error(OP))
    }

    fn multicast_hop_limit(&self) -> Result<i32> {
        sockopt::ipv6_multicast_hops(self)
            .map(|v| v as i32)
            .map_err(os_error(Operation::MulticastHopLimit))
    }

    fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        sockopt::set_ipv6_multicast_hops(self, hops as u32)
            .map_err(os_error(Operation::SetMulticastHopLimit))
    }

    fn multicast_interface(&self) -> Result<u32> {
        sockopt::ipv6_multicast_if(self).map_err(os_error(Operation::MulticastInterface))
    }

    fn set_multicast_interface(&self, ifindex: u32) -> Result<()> {
        sockopt::set_ipv6_multicast_if(self, ifindex)
            .map_err(os_error(Operation::SetMulticastInterface))
    }

    fn multicast_loopback(&self) -> Result<bool> {
        sockopt::ipv6_multicast_loop(self).map_err(os_error(Operation::MulticastLoopback))
    }

    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        sockopt::set_ipv6_multicast_loop(self, on)
            .map_err(os_error(Operation::SetMulticastLoopback))
    }

    // RFC 3493 IPV6_JOIN_GROUP/IPV6_ADD_MEMBERSHIP: the kernels serve it and
    // MCAST_JOIN_GROUP with the same membership code.
    fn join_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        sockopt::set_ipv6_add_membership(self, &group, ifindex)
            .map_err(os_error(Operation::JoinGroup))
    }

    fn leave_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        sockopt::set_ipv6_drop_membership(self, &group, ifindex)
            .map_err(os_error(Operation::LeaveGroup))
    }

    fn join_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        os_has(SocketOption::JoinSourceGroup, Operation::JoinSourceGroup)?;
        via_libc!(
            self,
            JoinSourceGroup,
            join_source_group(ifindex, group, source)
        )
    }

    fn leave_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        os_has(SocketOption::LeaveSourceGroup, Operation::LeaveSourceGroup)?;
        via_libc!(
            self,
            LeaveSourceGroup,
            leave_source_group(ifindex, group, source)
        )
    }

    fn block_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        os_has(SocketOption::BlockSource, Operation::BlockSource)?;
        via_libc!(self, BlockSource, block_source(ifindex, group, source))
    }

    fn unblock_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        os_has(SocketOption::UnblockSource, Operation::UnblockSource)?;
        via_libc!(self, UnblockSource, unblock_source(ifindex, group, source))
    }

    fn set_receive_option(&self, option: ReceiveOption, on: bool) -> Result<()> {
        match option {
            ReceiveOption::TrafficClass => sockopt::set_ipv6_recvtclass(self, on)
                .map_err(os_error(Operation::SetReceiveOption)),
            _ => via_libc!(self, SetReceiveOption, set_receive_option(option, on)),
        }
    }

    fn path_mtu(&self) -> Result<u32> {
        // Linux answers IPV6_MTU and IPV6_PATHMTU from the same
        // dst_mtu(__sk_dst_get(sk)), failing with ENOTCONN alike
        // (net/ipv6/ipv6_sockglue.c, do_ipv6_getsockopt).
        #[cfg(target_os = "linux")]
        {
            sockopt::ipv6_mtu(self).map_err(os_error(Operation::PathMtu))
        }
        #[cfg(not(target_os = "linux"))]
        {
            via_libc!(self, PathMtu, path_mtu())
        }
    }

    fn checksum(&self) -> Result<i32> {
        via_libc!(self, Checksum, checksum())
    }

    fn set_checksum(&self, offset: i32) -> Result<()> {
        via_libc!(self, SetChecksum, set_checksum(offset))
    }

    fn icmp_filter(&self) -> Result<IcmpFilter> {
        via_libc!(self, IcmpFilter, icmp_filter())
    }

    fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        via_libc!(self, SetIcmpFilter, set_icmp_filter(filter))
    }

    fn attach_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        os_has(SocketOption::AttachFilter, Operation::AttachBpf)?;
        via_libc!(self, AttachBpf, attach_bpf(program))
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        if control.is_empty() {
            message::recv(self.as_fd(), buffers)
        } else {
            via_libc!(self, RecvMsg, recv_msg(buffers, control))
        }
    }

    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        if control.is_empty() {
            message::send(self.as_fd(), buffers, destination)
        } else {
            via_libc!(self, SendMsg, send_msg(buffers, control, destination))
        }
    }

    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        if !OS_HAS_MMSG {
            return Err(Error::Unsupported(Operation::RecvBatch));
        }
        via_libc!(self, RecvBatch, recv_batch(messages))
    }

    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        if !OS_HAS_MMSG {
            return Err(Error::Unsupported(Operation::SendBatch));
        }
        #[cfg(target_os = "linux")]
        if messages.iter().all(|m| m.control.is_empty()) {
            return message::send_batch(self.as_fd(), messages);
        }
        via_libc!(self, SendBatch, send_batch(messages))
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        sockopt::set_socket_timeout(self, Timeout::Recv, timeout)
            .map_err(os_error(Operation::SetReadTimeout))
    }

    fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        sockopt::set_socket_timeout(self, Timeout::Send, timeout)
            .map_err(os_error(Operation::SetWriteTimeout))
    }

    fn set_nonblocking(&self, on: bool) -> Result<()> {
        rustix::io::ioctl_fionbio(self, on).map_err(os_error(Operation::SetNonblocking))
    }

    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        #[cfg(target_os = "linux")]
        {
            crate::interface::exists(self.as_fd(), ifindex)
        }
        #[cfg(not(target_os = "linux"))]
        {
            via_libc!(self, InterfaceExists, interface_exists(ifindex))
        }
    }
}
