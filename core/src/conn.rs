//! Go's `Conn` and `PacketConn` over any [`SocketBackend`].
//!
//! CONTRACT STUB: signatures are fixed; bodies to be implemented.
#![allow(missing_docs, unused_variables)]

use core::net::{Ipv6Addr, SocketAddrV6};
use core::sync::atomic::AtomicU32;
use core::time::Duration;

use crate::backend::{BpfInstruction, RecvMessage, RecvMeta, SendMessage, SocketBackend};
use crate::control::{ControlFlags, ControlMessage};
use crate::error::Result;
use crate::filter::IcmpFilter;

/// Unicast options of any IPv6 socket, TCP included (Go's `ipv6.Conn`).
#[derive(Debug)]
pub struct Conn<B> {
    backend: B,
}

impl<B: SocketBackend> Conn<B> {
    /// Wraps `backend`; fails with `InvalidArgument::NotIpv6Socket` on an IPv4 socket.
    pub fn new(backend: B) -> Result<Self> {
        todo!()
    }
    pub fn backend(&self) -> &B {
        &self.backend
    }
    pub fn into_inner(self) -> B {
        self.backend
    }
    pub fn traffic_class(&self) -> Result<i32> {
        todo!()
    }
    pub fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        todo!()
    }
    pub fn hop_limit(&self) -> Result<i32> {
        todo!()
    }
    pub fn set_hop_limit(&self, hops: i32) -> Result<()> {
        todo!()
    }
    pub fn path_mtu(&self) -> Result<u32> {
        todo!()
    }
}

/// A received datagram's facts (the richer form of Go's `ReadFrom` results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub len: usize,
    pub control: ControlMessage,
    pub source: Option<SocketAddrV6>,
    pub truncated: bool,
}

/// Datagram and raw sockets (Go's `ipv6.PacketConn`). `Send + Sync` when `B` is.
#[derive(Debug)]
pub struct PacketConn<B> {
    backend: B,
    flags: AtomicU32,
}

impl<B: SocketBackend> PacketConn<B> {
    pub fn new(backend: B) -> Result<Self> {
        todo!()
    }
    pub fn backend(&self) -> &B {
        &self.backend
    }
    pub fn into_inner(self) -> B {
        self.backend
    }
    pub fn traffic_class(&self) -> Result<i32> {
        todo!()
    }
    pub fn set_traffic_class(&self, tclass: i32) -> Result<()> {
        todo!()
    }
    pub fn hop_limit(&self) -> Result<i32> {
        todo!()
    }
    pub fn set_hop_limit(&self, hops: i32) -> Result<()> {
        todo!()
    }
    pub fn multicast_hop_limit(&self) -> Result<i32> {
        todo!()
    }
    pub fn set_multicast_hop_limit(&self, hops: i32) -> Result<()> {
        todo!()
    }
    /// `None` when no interface is set.
    pub fn multicast_interface(&self) -> Result<Option<u32>> {
        todo!()
    }
    /// `None` lets the kernel choose; `Some(0)` is `InterfaceIndexZero`.
    pub fn set_multicast_interface(&self, ifindex: Option<u32>) -> Result<()> {
        todo!()
    }
    pub fn multicast_loopback(&self) -> Result<bool> {
        todo!()
    }
    pub fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        todo!()
    }
    pub fn join_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        todo!()
    }
    pub fn leave_group(&self, ifindex: Option<u32>, group: Ipv6Addr) -> Result<()> {
        todo!()
    }
    pub fn join_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        todo!()
    }
    pub fn leave_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        todo!()
    }
    pub fn exclude_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        todo!()
    }
    pub fn include_source_specific_group(
        &self,
        ifindex: Option<u32>,
        group: Ipv6Addr,
        source: Ipv6Addr,
    ) -> Result<()> {
        todo!()
    }
    /// `None` when the kernel computes no checksum, else the offset.
    pub fn checksum(&self) -> Result<Option<u32>> {
        todo!()
    }
    /// `None` turns checksumming off.
    pub fn set_checksum(&self, offset: Option<u32>) -> Result<()> {
        todo!()
    }
    pub fn icmp_filter(&self) -> Result<IcmpFilter> {
        todo!()
    }
    pub fn set_icmp_filter(&self, filter: &IcmpFilter) -> Result<()> {
        todo!()
    }
    pub fn set_bpf(&self, program: &[BpfInstruction]) -> Result<()> {
        todo!()
    }
    pub fn control_flags(&self) -> ControlFlags {
        todo!()
    }
    pub fn set_control_message(&self, flags: ControlFlags, on: bool) -> Result<()> {
        todo!()
    }
    /// Go's `ReadFrom`: (payload length, control message, sender).
    pub fn read_from(
        &self,
        buf: &mut [u8],
    ) -> Result<(usize, ControlMessage, Option<SocketAddrV6>)> {
        todo!()
    }
    /// Scatter read with every fact reported.
    pub fn read_msg(&self, buffers: &mut [&mut [u8]]) -> Result<Received> {
        todo!()
    }
    /// Go's `WriteTo`.
    pub fn write_to(
        &self,
        buf: &[u8],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        todo!()
    }
    /// Gather write.
    pub fn write_msg(
        &self,
        buffers: &[&[u8]],
        control: Option<&ControlMessage>,
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        todo!()
    }
    /// Go's `ReadBatch`: `recvmmsg` where available, a loop elsewhere.
    pub fn read_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        todo!()
    }
    /// Go's `WriteBatch`: `sendmmsg` where available, a loop elsewhere.
    pub fn write_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        todo!()
    }
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        todo!()
    }
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        todo!()
    }
    pub fn set_nonblocking(&self, on: bool) -> Result<()> {
        todo!()
    }
}

#[allow(dead_code)]
fn _unused(_: RecvMeta) {}
