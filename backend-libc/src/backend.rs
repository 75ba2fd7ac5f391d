//! The [`SocketBackend`] implementation: each method names the operation
//! (for errors) and the option table row it uses; `option.rs` does the rest.

use core::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::AsFd;
use std::time::Duration;

use ipv6_core::backend::BpfInstruction;
use ipv6_core::platform::SocketOption as Opt;
use ipv6_core::{
    IcmpFilter, Operation as Op, Platform, ReceiveOption, RecvMessage, RecvMeta, Result,
    SendMessage, SocketBackend,
};

use crate::option::{self, Value};
use crate::{Socket, batch, interface, message, sys};

impl<F: AsFd> Socket<F> {
    fn set(&self, op: Op, option: Opt, value: Value<'_>) -> Result<()> {
        option::set(self.fd(), op, option, value)
    }

    fn get_int(&self, op: Op, option: Opt) -> Result<i32> {
        option::get_int(self.fd(), op, option)
    }

    /// Any-source (`source: None`) or source-specific membership: the
    /// row's value shape picks `ipv6_mreq`, `group_req` or `group_source_req`.
    fn membership(
        &self,
        (op, option): (Op, Opt),
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

impl<F: AsFd> SocketBackend for Socket<F> {
    const PLATFORM: Platform = Platform::HOST;

    fn socket_family(&self) -> Result<u16> {
        sys::socket_family(self.fd())
    }

    fn traffic_class(&self) -> Result<i32> {
        self.get_int(Op::TrafficClass, Opt::TrafficClass)
    }
    fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        self.set(Op::SetTrafficClass, Opt::TrafficClass, Value::Int(tclass))
    }
    fn hop_limit(&self) -> Result<i32> {
        self.get_int(Op::HopLimit, Opt::HopLimit)
    }
    fn set_hop_limit(&self, hops: i32) -> Result<()> {
        self.set(Op::SetHopLimit, Opt::HopLimit, Value::Int(hops))
    }
    fn multicast_hop_limit(&self) -> Result<i32> {
        self.get_int(Op::MulticastHopLimit, Opt::MulticastHopLimit)
    }
    fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        let value = Value::Int(hops);
        self.set(Op::SetMulticastHopLimit, Opt::MulticastHopLimit, value)
    }
    fn multicast_interface(&self) -> Result<u32> {
        // The kernel keeps an unsigned index in an int-sized option.
        let index = self.get_int(Op::MulticastInterface, Opt::MulticastInterface)?;
        Ok(index as u32)
    }
    fn set_multicast_interface(&self, ifindex: u32) -> Result<()> {
        let value = Value::Int(ifindex as i32);
        self.set(Op::SetMulticastInterface, Opt::MulticastInterface, value)
    }
    fn multicast_loopback(&self) -> Result<bool> {
        let on = self.get_int(Op::MulticastLoopback, Opt::MulticastLoopback)?;
        Ok(on != 0)
    }
    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        let value = Value::Int(i32::from(on));
        self.set(Op::SetMulticastLoopback, Opt::MulticastLoopback, value)
    }

    fn join_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        self.membership((Op::JoinGroup, Opt::JoinGroup), ifindex, group, None)
    }
    fn leave_group(&self, ifindex: u32, group: Ipv6Addr) -> Result<()> {
        self.membership((Op::LeaveGroup, Opt::LeaveGroup), ifindex, group, None)
    }
    fn join_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        let row = (Op::JoinSourceGroup, Opt::JoinSourceGroup);
        self.membership(row, ifindex, group, Some(source))
    }
    fn leave_source_group(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        let row = (Op::LeaveSourceGroup, Opt::LeaveSourceGroup);
        self.membership(row, ifindex, group, Some(source))
    }
    fn block_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        let row = (Op::BlockSource, Opt::BlockSource);
        self.membership(row, ifindex, group, Some(source))
    }
    fn unblock_source(&self, ifindex: u32, group: Ipv6Addr, source: Ipv6Addr) -> Result<()> {
        let row = (Op::UnblockSource, Opt::UnblockSource);
        self.membership(row, ifindex, group, Some(source))
    }

    fn set_receive_option(&self, receive: ReceiveOption, on: bool) -> Result<()> {
        let option = match receive {
            ReceiveOption::TrafficClass => Opt::ReceiveTrafficClass,
            ReceiveOption::HopLimit => Opt::ReceiveHopLimit,
            ReceiveOption::PacketInfo => Opt::ReceivePacketInfo,
            ReceiveOption::PathMtu => Opt::ReceivePathMtu,
        };
        self.set(Op::SetReceiveOption, option, Value::Int(i32::from(on)))
    }
    fn path_mtu(&self) -> Result<u32> {
        option::get_mtu(self.fd(), Op::PathMtu, Opt::PathMtu)
    }
    fn checksum(&self) -> Result<i32> {
        self.get_int(Op::Checksum, Opt::Checksum)
    }
    fn set_checksum(&self, offset: i32) -> Result<()> {
        self.set(Op::SetChecksum, Opt::Checksum, Value::Int(offset))
    }
    fn icmp_filter(&self) -> Result<IcmpFilter> {
        option::get_filter(self.fd(), Op::IcmpFilter, Opt::IcmpFilter)
    }
    fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        self.set(Op::SetIcmpFilter, Opt::IcmpFilter, Value::Filter(filter))
    }
    fn attach_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        self.set(Op::AttachBpf, Opt::AttachFilter, Value::Program(program))
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
        let (op, name) = (Op::SetReadTimeout, libc::SO_RCVTIMEO);
        option::set_timeout(self.fd(), op, name, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let (op, name) = (Op::SetWriteTimeout, libc::SO_SNDTIMEO);
        option::set_timeout(self.fd(), op, name, timeout)
    }
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        sys::set_nonblocking(self.fd(), on)
    }
    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        interface::exists(ifindex)
    }
}
