//! [`Socket`] and its [`SocketBackend`] implementation.

use core::net::SocketAddrV6;
use core::time::Duration;
use std::os::fd::{AsFd, BorrowedFd};

use ipv6_core::option::{check_get, check_set, row};
use ipv6_core::{
    Direction, Error, Operation, OptionValue, Platform, RecvMessage, RecvMeta, Result, SendMessage,
    SocketBackend, SocketOption,
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

/// Whether the OS has `recvmmsg`/`sendmmsg` (Darwin, DragonFly and illumos
/// have neither).
const OS_HAS_MMSG: bool = Platform::HOST.batch_syscalls;

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
///
/// `get` and `set` match `(option, value)` to rustix's wrappers; every other
/// pair goes to the fallback. An option the host OS lacks is refused first,
/// from the platform table, so the answer does not depend on the build.
impl<F: AsFd> SocketBackend for Socket<F> {
    fn platform(&self) -> &Platform {
        &Platform::HOST
    }

    fn socket_family(&self) -> Result<u16> {
        let addr = rustix::net::getsockname(self).map_err(os_error(Operation::SocketFamily))?;
        Ok(addr.address_family().as_raw())
    }

    fn get(&self, option: SocketOption) -> Result<OptionValue<'static>> {
        use SocketOption as O;
        let op = Operation::Get(option);
        check_get(option)?;
        row(&Platform::HOST, op, option)?;
        let value = match option {
            // rustix has no IPV6_TCLASS for the Solaris family.
            #[cfg(not(any(target_os = "illumos", target_os = "solaris")))]
            O::TrafficClass => sockopt::ipv6_tclass(self).map(|v| OptionValue::Int(v as i32)),
            // Linux resolves the default before answering; the BSDs return
            // the stored -1, which rustix's u8 result would turn into 255.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            O::HopLimit => sockopt::ipv6_unicast_hops(self).map(|v| OptionValue::Int(v.into())),
            O::MulticastHopLimit => {
                sockopt::ipv6_multicast_hops(self).map(|v| OptionValue::Int(v as i32))
            }
            O::MulticastInterface => sockopt::ipv6_multicast_if(self).map(OptionValue::Interface),
            O::MulticastLoopback => sockopt::ipv6_multicast_loop(self).map(OptionValue::Bool),
            // Linux answers IPV6_MTU and IPV6_PATHMTU from the same
            // dst_mtu(__sk_dst_get(sk)), failing with ENOTCONN alike
            // (net/ipv6/ipv6_sockglue.c, do_ipv6_getsockopt).
            #[cfg(any(target_os = "linux", target_os = "android"))]
            O::PathMtu => sockopt::ipv6_mtu(self).map(OptionValue::Mtu),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            O::MtuDiscover => {
                sockopt::ipv6_mtu_discover(self).map(|mode| OptionValue::Int(mode.as_raw()))
            }
            _ => return via_libc!(self, op, get(option)),
        };
        value.map_err(os_error(op))
    }

    fn set(&self, option: SocketOption, value: OptionValue<'_>) -> Result<()> {
        use OptionValue as V;
        use SocketOption as O;
        let op = Operation::Set(option);
        check_set(option, &value)?;
        row(&Platform::HOST, op, option)?;
        let done = match (option, value) {
            #[cfg(not(any(target_os = "illumos", target_os = "solaris")))]
            (O::TrafficClass, V::Int(v)) => sockopt::set_ipv6_tclass(self, v as u32),
            (O::HopLimit, V::Int(v)) => set_unicast_hops(self, v),
            (O::MulticastHopLimit, V::Int(v)) => sockopt::set_ipv6_multicast_hops(self, v as u32),
            (O::MulticastInterface, V::Interface(i)) => sockopt::set_ipv6_multicast_if(self, i),
            (O::MulticastLoopback, V::Bool(on)) => sockopt::set_ipv6_multicast_loop(self, on),
            // RFC 3493 IPV6_JOIN_GROUP/IPV6_ADD_MEMBERSHIP: the kernels serve
            // it and MCAST_JOIN_GROUP with the same membership code.
            (O::JoinGroup, V::Membership(g)) => {
                sockopt::set_ipv6_add_membership(self, &g.group, g.interface)
            }
            (O::LeaveGroup, V::Membership(g)) => {
                sockopt::set_ipv6_drop_membership(self, &g.group, g.interface)
            }
            #[cfg(any(target_os = "linux", target_os = "android"))]
            (O::MtuDiscover, V::Int(mode)) => {
                let mode = sockopt::Ipv6PathMtuDiscovery::from_raw(mode);
                sockopt::set_ipv6_mtu_discover(self, mode)
            }
            // A receive option is only of use where reads can carry control
            // data, which the pure build cannot: there it is refused below,
            // so a flag can never make every later read fail.
            #[cfg(all(
                feature = "libc-fallback",
                not(any(target_os = "illumos", target_os = "solaris"))
            ))]
            (O::ReceiveTrafficClass, V::Bool(on)) => sockopt::set_ipv6_recvtclass(self, on),
            _ => return via_libc!(self, op, set(option, value)),
        };
        done.map_err(os_error(op))
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        if control.is_empty() {
            message::recv(self.as_fd(), buffers)
        } else {
            via_libc!(self, Operation::RecvMsg, recv_msg(buffers, control))
        }
    }

    /// rustix's `recvmsg` takes `RecvFlags::ERRQUEUE`, but the entry's
    /// `IPV6_RECVERR` record is control data, which rustix cannot hand back
    /// (see the crate documentation): the libc backend reads it.
    fn recv_error(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        if Platform::HOST
            .cmsg(ipv6_core::platform::ControlType::RecvErr)
            .is_none()
        {
            return Err(Error::Unsupported(Operation::RecvError));
        }
        via_libc!(self, Operation::RecvError, recv_error(buffers, control))
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
            let op = Operation::SendMsg;
            via_libc!(self, op, send_msg(buffers, control, destination))
        }
    }

    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        if !OS_HAS_MMSG {
            return Err(Error::Unsupported(Operation::RecvBatch));
        }
        via_libc!(self, Operation::RecvBatch, recv_batch(messages))
    }

    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        if !OS_HAS_MMSG {
            return Err(Error::Unsupported(Operation::SendBatch));
        }
        #[cfg(target_os = "linux")]
        if messages.iter().all(|m| m.control.is_empty()) {
            return message::send_batch(self.as_fd(), messages);
        }
        via_libc!(self, Operation::SendBatch, send_batch(messages))
    }

    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> Result<()> {
        let which = match direction {
            Direction::Read => Timeout::Recv,
            Direction::Write => Timeout::Send,
        };
        sockopt::set_socket_timeout(self, which, timeout)
            .map_err(os_error(direction.set_timeout_operation()))
    }

    fn set_nonblocking(&self, on: bool) -> Result<()> {
        rustix::io::ioctl_fionbio(self, on).map_err(os_error(Operation::SetNonblocking))
    }

    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            crate::interface::exists(self.as_fd(), ifindex)
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            via_libc!(self, Operation::InterfaceExists, interface_exists(ifindex))
        }
    }
}

/// `IPV6_UNICAST_HOPS`: rustix takes `Option<u8>`, `None` for -1.
fn set_unicast_hops(fd: impl AsFd, hops: i32) -> rustix::io::Result<()> {
    let hops = match hops {
        -1 => None,
        // Out of range: give the kernel's answer to it (every OS's), as the
        // libc backend would get.
        _ => Some(u8::try_from(hops).map_err(|_| rustix::io::Errno::INVAL)?),
    };
    sockopt::set_ipv6_unicast_hops(fd, hops)
}
