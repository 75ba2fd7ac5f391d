//! A backend that records every call and answers from a script.
//!
//! It models no kernel: it lets the tests see exactly which calls `Conn` and
//! `PacketConn` make, with which arguments, and feed back chosen results.

use std::collections::VecDeque;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::sync::Mutex;
use std::time::Duration;
use std::vec::Vec;

use ipv6_core::backend::{BpfInstruction, MsgFlags, RecvMessage, RecvMeta, SendMessage};
use ipv6_core::{Error, IcmpFilter, Operation, Platform, ReceiveOption, Result, SocketBackend};

/// `AF_INET6` and `AF_INET` on Linux.
pub const AF_INET6: u16 = 10;
pub const AF_INET: u16 = 2;
/// Linux `EAGAIN`, what an empty inbox answers.
pub const EAGAIN: i32 = 11;

/// One backend call with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    SocketFamily,
    TrafficClass,
    SetTrafficClass(i32),
    HopLimit,
    SetHopLimit(i32),
    MulticastHopLimit,
    SetMulticastHopLimit(i32),
    MulticastInterface,
    SetMulticastInterface(u32),
    MulticastLoopback,
    SetMulticastLoopback(bool),
    JoinGroup(u32, Ipv6Addr),
    LeaveGroup(u32, Ipv6Addr),
    JoinSourceGroup(u32, Ipv6Addr, Ipv6Addr),
    LeaveSourceGroup(u32, Ipv6Addr, Ipv6Addr),
    BlockSource(u32, Ipv6Addr, Ipv6Addr),
    UnblockSource(u32, Ipv6Addr, Ipv6Addr),
    SetReceiveOption(ReceiveOption, bool),
    PathMtu,
    Checksum,
    SetChecksum(i32),
    IcmpFilter,
    SetIcmpFilter(IcmpFilter),
    AttachBpf(Vec<BpfInstruction>),
    RecvMsg {
        buffer_lens: Vec<usize>,
        control_len: usize,
    },
    SendMsg {
        payload: Vec<u8>,
        control: Vec<u8>,
        destination: Option<SocketAddrV6>,
    },
    RecvBatch(usize),
    SendBatch(Vec<Vec<u8>>),
    SetReadTimeout(Option<Duration>),
    SetWriteTimeout(Option<Duration>),
    SetNonblocking(bool),
    InterfaceExists(u32),
}

/// A datagram waiting in the fake's inbox.
#[derive(Debug, Clone, Default)]
pub struct Datagram {
    pub payload: Vec<u8>,
    pub control: Vec<u8>,
    pub source: Option<SocketAddrV6>,
    /// Flags reported on top of the truncation the copy itself detects.
    pub flags: MsgFlags,
    /// A `control_len` to report instead of the bytes copied (a faulty backend).
    pub claimed_control_len: Option<usize>,
}

/// The fake's fixed answers.
#[derive(Debug)]
pub struct Script {
    /// What `socket_family` answers.
    pub family: Result<u16>,
    /// What `interface_exists` knows: the indexes that exist, or its error.
    pub interfaces: Result<Vec<u32>>,
    /// Whether `recv_batch` and `send_batch` exist.
    pub batch: bool,
    /// What the `i32` getters answer.
    pub int_reply: i32,
    /// What the `u32` getters answer.
    pub u32_reply: u32,
    /// What `multicast_loopback` answers.
    pub bool_reply: bool,
    /// What `icmp_filter` answers.
    pub filter_reply: IcmpFilter,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            family: Ok(AF_INET6),
            interfaces: Ok(vec![1, 2]),
            batch: false,
            int_reply: 0,
            u32_reply: 0,
            bool_reply: false,
            filter_reply: IcmpFilter::PASS_ALL,
        }
    }
}

#[derive(Debug, Default)]
pub struct Fake {
    pub script: Script,
    inbox: Mutex<VecDeque<Datagram>>,
    /// `(op, n, error)`: calls of `op` fail with `error` from the `n`th (0-based) on.
    failures: Mutex<Vec<(Operation, usize, Error)>>,
    log: Mutex<Vec<(Operation, Call)>>,
}

impl Fake {
    /// A fake answering from `script`.
    pub fn with(script: Script) -> Self {
        Fake {
            script,
            ..Fake::default()
        }
    }

    /// Every call made so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// Forgets the calls made so far (e.g. `socket_family` from `new`).
    pub fn clear_calls(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Makes every call of `op` fail with `error`.
    pub fn fail(&self, op: Operation, error: Error) {
        self.fail_from(op, 0, error);
    }

    /// Makes calls of `op` fail with `error` from the `nth` (0-based) on.
    pub fn fail_from(&self, op: Operation, nth: usize, error: Error) {
        self.failures.lock().unwrap().push((op, nth, error));
    }

    /// Queues a datagram for the next receive.
    pub fn deliver(&self, datagram: Datagram) {
        self.inbox.lock().unwrap().push_back(datagram);
    }

    fn record(&self, op: Operation, call: Call) -> Result<()> {
        let mut log = self.log.lock().unwrap();
        let earlier = log.iter().filter(|(o, _)| *o == op).count();
        log.push((op, call));
        let failures = self.failures.lock().unwrap();
        match failures.iter().find(|(o, n, _)| *o == op && earlier >= *n) {
            Some((_, _, error)) => Err(*error),
            None => Ok(()),
        }
    }

    /// Copies the next datagram into `buffers` and `control`, as `recvmsg` would.
    fn receive_into(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        let Some(datagram) = self.inbox.lock().unwrap().pop_front() else {
            return Err(Error::Os {
                op: Operation::RecvMsg,
                errno: EAGAIN,
            });
        };
        let mut flags = datagram.flags;
        let mut rest = &datagram.payload[..];
        let mut len = 0;
        for buffer in buffers.iter_mut() {
            let n = rest.len().min(buffer.len());
            buffer[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            len += n;
        }
        if !rest.is_empty() {
            flags |= MsgFlags::TRUNCATED;
        }
        let control_len = datagram.control.len().min(control.len());
        control[..control_len].copy_from_slice(&datagram.control[..control_len]);
        if control_len < datagram.control.len() {
            flags |= MsgFlags::CONTROL_TRUNCATED;
        }
        Ok(RecvMeta {
            len,
            control_len: datagram.claimed_control_len.unwrap_or(control_len),
            source: datagram.source,
            flags,
        })
    }
}

macro_rules! answer {
    ($self:ident, $op:ident, $call:expr, $reply:expr) => {{
        $self.record(Operation::$op, $call)?;
        Ok($reply)
    }};
}

impl SocketBackend for Fake {
    const PLATFORM: Platform = Platform::LINUX_64;

    fn socket_family(&self) -> Result<u16> {
        self.record(Operation::SocketFamily, Call::SocketFamily)?;
        self.script.family
    }
    fn traffic_class(&self) -> Result<i32> {
        answer!(
            self,
            TrafficClass,
            Call::TrafficClass,
            self.script.int_reply
        )
    }
    fn set_traffic_class(&self, v: i32) -> Result<()> {
        answer!(self, SetTrafficClass, Call::SetTrafficClass(v), ())
    }
    fn hop_limit(&self) -> Result<i32> {
        answer!(self, HopLimit, Call::HopLimit, self.script.int_reply)
    }
    fn set_hop_limit(&self, v: i32) -> Result<()> {
        answer!(self, SetHopLimit, Call::SetHopLimit(v), ())
    }
    fn multicast_hop_limit(&self) -> Result<i32> {
        answer!(
            self,
            MulticastHopLimit,
            Call::MulticastHopLimit,
            self.script.int_reply
        )
    }
    fn set_multicast_hop_limit(&self, v: i32) -> Result<()> {
        answer!(
            self,
            SetMulticastHopLimit,
            Call::SetMulticastHopLimit(v),
            ()
        )
    }
    fn multicast_interface(&self) -> Result<u32> {
        answer!(
            self,
            MulticastInterface,
            Call::MulticastInterface,
            self.script.u32_reply
        )
    }
    fn set_multicast_interface(&self, i: u32) -> Result<()> {
        answer!(
            self,
            SetMulticastInterface,
            Call::SetMulticastInterface(i),
            ()
        )
    }
    fn multicast_loopback(&self) -> Result<bool> {
        answer!(
            self,
            MulticastLoopback,
            Call::MulticastLoopback,
            self.script.bool_reply
        )
    }
    fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        answer!(
            self,
            SetMulticastLoopback,
            Call::SetMulticastLoopback(on),
            ()
        )
    }
    fn join_group(&self, i: u32, g: Ipv6Addr) -> Result<()> {
        answer!(self, JoinGroup, Call::JoinGroup(i, g), ())
    }
    fn leave_group(&self, i: u32, g: Ipv6Addr) -> Result<()> {
        answer!(self, LeaveGroup, Call::LeaveGroup(i, g), ())
    }
    fn join_source_group(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        answer!(self, JoinSourceGroup, Call::JoinSourceGroup(i, g, s), ())
    }
    fn leave_source_group(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        answer!(self, LeaveSourceGroup, Call::LeaveSourceGroup(i, g, s), ())
    }
    fn block_source(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        answer!(self, BlockSource, Call::BlockSource(i, g, s), ())
    }
    fn unblock_source(&self, i: u32, g: Ipv6Addr, s: Ipv6Addr) -> Result<()> {
        answer!(self, UnblockSource, Call::UnblockSource(i, g, s), ())
    }
    fn set_receive_option(&self, o: ReceiveOption, on: bool) -> Result<()> {
        answer!(self, SetReceiveOption, Call::SetReceiveOption(o, on), ())
    }
    fn path_mtu(&self) -> Result<u32> {
        answer!(self, PathMtu, Call::PathMtu, self.script.u32_reply)
    }
    fn checksum(&self) -> Result<i32> {
        answer!(self, Checksum, Call::Checksum, self.script.int_reply)
    }
    fn set_checksum(&self, o: i32) -> Result<()> {
        answer!(self, SetChecksum, Call::SetChecksum(o), ())
    }
    fn icmp_filter(&self) -> Result<IcmpFilter> {
        answer!(self, IcmpFilter, Call::IcmpFilter, self.script.filter_reply)
    }
    fn set_icmp_filter(&self, f: &IcmpFilter) -> Result<()> {
        answer!(self, SetIcmpFilter, Call::SetIcmpFilter(*f), ())
    }
    fn attach_bpf(&self, p: &[BpfInstruction]) -> Result<()> {
        answer!(self, AttachBpf, Call::AttachBpf(p.to_vec()), ())
    }
    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        let call = Call::RecvMsg {
            buffer_lens: buffers.iter().map(|b| b.len()).collect(),
            control_len: control.len(),
        };
        self.record(Operation::RecvMsg, call)?;
        self.receive_into(buffers, control)
    }
    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        let payload = buffers.concat();
        let len = payload.len();
        let call = Call::SendMsg {
            payload,
            control: control.to_vec(),
            destination: destination.copied(),
        };
        answer!(self, SendMsg, call, len)
    }
    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        self.record(Operation::RecvBatch, Call::RecvBatch(messages.len()))?;
        if !self.script.batch {
            return Err(Error::Unsupported(Operation::RecvBatch));
        }
        let mut filled = 0;
        for message in messages.iter_mut() {
            match self.receive_into(std::slice::from_mut(&mut message.buffer), message.control) {
                Ok(meta) => message.meta = meta,
                Err(e) if filled == 0 => return Err(e),
                Err(_) => break,
            }
            filled += 1;
        }
        Ok(filled)
    }
    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        let payloads = messages.iter().map(|m| m.buffer.to_vec()).collect();
        self.record(Operation::SendBatch, Call::SendBatch(payloads))?;
        if !self.script.batch {
            return Err(Error::Unsupported(Operation::SendBatch));
        }
        for message in messages.iter_mut() {
            message.sent = message.buffer.len();
        }
        Ok(messages.len())
    }
    fn set_read_timeout(&self, t: Option<Duration>) -> Result<()> {
        answer!(self, SetReadTimeout, Call::SetReadTimeout(t), ())
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> Result<()> {
        answer!(self, SetWriteTimeout, Call::SetWriteTimeout(t), ())
    }
    fn set_nonblocking(&self, on: bool) -> Result<()> {
        answer!(self, SetNonblocking, Call::SetNonblocking(on), ())
    }
    fn interface_exists(&self, i: u32) -> Result<bool> {
        self.record(Operation::InterfaceExists, Call::InterfaceExists(i))?;
        match &self.script.interfaces {
            Ok(indexes) => Ok(indexes.contains(&i)),
            Err(e) => Err(*e),
        }
    }
}
