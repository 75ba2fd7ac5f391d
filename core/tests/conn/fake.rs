//! A backend that records every call and answers from a script.
//!
//! It models no kernel: it lets the tests see exactly which calls `Conn` and
//! `PacketConn` make, with which arguments, and feed back chosen results.
//! Like a real backend it refuses, after recording the call, what
//! [`option::encode`] refuses for its platform: a value of the wrong kind, a
//! read-only option, an option the platform lacks. So a `PacketConn` that
//! broke the trait's contract would fail the tests, not pass them silently.

use std::collections::VecDeque;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::vec::Vec;

use ipv6_core::backend::{BpfInstruction, Direction, MsgFlags, RecvMessage, RecvMeta, SendMessage};
use ipv6_core::option::{self, MAX_OPTION_LEN};
use ipv6_core::{
    Error, Group, IcmpFilter, Operation, OptionValue, Platform, Result, SocketBackend, SocketOption,
};

/// `AF_INET6` and `AF_INET` on Linux.
pub const AF_INET6: u16 = 10;
pub const AF_INET: u16 = 2;
/// Linux `EAGAIN`, what an empty inbox answers.
pub const EAGAIN: i32 = 11;

/// An [`OptionValue`] the log can keep: a BPF program is copied.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i32),
    Bool(bool),
    Interface(u32),
    Membership(Group),
    SourceMembership { group: Group, source: Ipv6Addr },
    Filter(IcmpFilter),
    Program(Vec<BpfInstruction>),
    Mtu(u32),
}

impl From<OptionValue<'_>> for Value {
    fn from(value: OptionValue<'_>) -> Self {
        match value {
            OptionValue::Int(v) => Value::Int(v),
            OptionValue::Bool(v) => Value::Bool(v),
            OptionValue::Interface(v) => Value::Interface(v),
            OptionValue::Membership(g) => Value::Membership(g),
            OptionValue::SourceMembership { group, source } => {
                Value::SourceMembership { group, source }
            }
            OptionValue::Filter(f) => Value::Filter(f),
            OptionValue::Program(p) => Value::Program(p.to_vec()),
            OptionValue::Mtu(v) => Value::Mtu(v),
        }
    }
}

/// An any-source membership value as the backend receives it.
pub fn membership(interface: u32, group: Ipv6Addr) -> Value {
    Value::Membership(Group { interface, group })
}

/// A source-specific membership value as the backend receives it.
pub fn source_membership(interface: u32, group: Ipv6Addr, source: Ipv6Addr) -> Value {
    Value::SourceMembership {
        group: Group { interface, group },
        source,
    }
}

/// One backend call with its arguments. `platform()` is counted apart
/// ([`Log::platform_calls`]): `PacketConn` asks for it on every send and
/// receive, which is no socket call.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    SocketFamily,
    Get(SocketOption),
    Set(SocketOption, Value),
    RecvMsg {
        buffer_lens: Vec<usize>,
        control_len: usize,
    },
    RecvError {
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
    SetTimeout(Direction, Option<Duration>),
    SetNonblocking(bool),
    InterfaceExists(u32),
}

impl Call {
    /// `Set(option, value)` with `value` converted.
    pub fn set(option: SocketOption, value: OptionValue<'_>) -> Call {
        Call::Set(option, value.into())
    }
}

/// A datagram waiting in the fake's inbox.
#[derive(Debug, Clone, Default)]
pub struct Datagram {
    pub payload: Vec<u8>,
    pub control: Vec<u8>,
    pub source: Option<SocketAddrV6>,
    /// Flags reported on top of the truncation the copy itself detects.
    pub flags: MsgFlags,
    /// A `len` to report instead of the bytes copied (a faulty backend).
    pub claimed_len: Option<usize>,
    /// A `control_len` to report instead of the bytes copied (a faulty backend).
    pub claimed_control_len: Option<usize>,
}

/// The fake's fixed answers.
#[derive(Debug)]
pub struct Script {
    /// What `platform` answers.
    pub platform: Platform,
    /// What `socket_family` answers.
    pub family: Result<u16>,
    /// What `interface_exists` knows: the indexes that exist, or its error.
    pub interfaces: Result<Vec<u32>>,
    /// Whether `recv_batch` and `send_batch` exist.
    pub batch: bool,
    /// A count `recv_batch` and `send_batch` report instead of the messages
    /// they handled (a faulty backend).
    pub claimed_batch_count: Option<usize>,
    /// What `get` answers for `Int` options.
    pub int_reply: i32,
    /// What `get` answers for `Interface` and `Mtu` options.
    pub u32_reply: u32,
    /// What `get` answers for `Bool` options.
    pub bool_reply: bool,
    /// What `get` answers for the `Filter` option.
    pub filter_reply: IcmpFilter,
    /// What `get` answers for every option, whatever its kind, when set (a
    /// faulty backend).
    pub get_reply: Option<OptionValue<'static>>,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            platform: Platform::LINUX_64,
            family: Ok(AF_INET6),
            interfaces: Ok(vec![1, 2]),
            batch: false,
            claimed_batch_count: None,
            int_reply: 0,
            u32_reply: 0,
            bool_reply: false,
            filter_reply: IcmpFilter::PASS_ALL,
            get_reply: None,
        }
    }
}

/// The fake's call log, shared with whoever keeps a handle: a fake moved
/// into a `Box<dyn SocketBackend>` can still be inspected.
#[derive(Debug, Clone, Default)]
pub struct Log {
    calls: Arc<Mutex<Vec<(Operation, Call)>>>,
    platform_calls: Arc<AtomicUsize>,
}

impl Log {
    /// Every call made so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// Forgets the calls made so far (e.g. `socket_family` from `new`).
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
        self.platform_calls.store(0, Ordering::Relaxed);
    }

    /// How often `platform()` was asked.
    pub fn platform_calls(&self) -> usize {
        self.platform_calls.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct Fake {
    pub script: Script,
    inbox: Mutex<VecDeque<Datagram>>,
    /// Entries of the error queue, for `recv_error`.
    errors: Mutex<VecDeque<Datagram>>,
    /// `(op, n, error)`: calls of `op` fail with `error` from the `n`th (0-based) on.
    failures: Mutex<Vec<(Operation, usize, Error)>>,
    log: Log,
}

impl Fake {
    /// A fake answering from `script`.
    pub fn with(script: Script) -> Self {
        Fake {
            script,
            ..Fake::default()
        }
    }

    /// A handle on the call log that outlives moving the fake.
    pub fn log(&self) -> Log {
        self.log.clone()
    }

    /// Every call made so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.log.calls()
    }

    /// Forgets the calls made so far (e.g. `socket_family` from `new`).
    pub fn clear_calls(&self) {
        self.log.clear();
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

    /// Queues an entry for the next error-queue read.
    pub fn deliver_error(&self, entry: Datagram) {
        self.errors.lock().unwrap().push_back(entry);
    }

    fn record(&self, op: Operation, call: Call) -> Result<()> {
        let mut log = self.log.calls.lock().unwrap();
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
        let next = self.inbox.lock().unwrap().pop_front();
        Self::copy_out(Operation::RecvMsg, next, buffers, control)
    }

    /// Copies `datagram` into `buffers` and `control`; none is `EAGAIN`.
    fn copy_out(
        op: Operation,
        datagram: Option<Datagram>,
        buffers: &mut [&mut [u8]],
        control: &mut [u8],
    ) -> Result<RecvMeta> {
        let Some(datagram) = datagram else {
            return Err(Error::Os { op, errno: EAGAIN });
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
            len: datagram.claimed_len.unwrap_or(len),
            control_len: datagram.claimed_control_len.unwrap_or(control_len),
            source: datagram.source,
            flags,
        })
    }

    /// The scripted answer to `get(option)`.
    fn answer(&self, option: SocketOption) -> OptionValue<'static> {
        use ipv6_core::option::ValueKind;
        if let Some(value) = self.script.get_reply {
            return value;
        }
        let s = &self.script;
        match option.kind() {
            ValueKind::Int => OptionValue::Int(s.int_reply),
            ValueKind::Bool => OptionValue::Bool(s.bool_reply),
            ValueKind::Interface => OptionValue::Interface(s.u32_reply),
            ValueKind::Mtu => OptionValue::Mtu(s.u32_reply),
            ValueKind::Filter => OptionValue::Filter(s.filter_reply),
            kind => panic!("{option} of kind {kind:?} is not readable"),
        }
    }
}

/// Every method is written out: the trait has no default bodies.
impl SocketBackend for Fake {
    fn platform(&self) -> &Platform {
        self.log.platform_calls.fetch_add(1, Ordering::Relaxed);
        &self.script.platform
    }

    fn socket_family(&self) -> Result<u16> {
        self.record(Operation::SocketFamily, Call::SocketFamily)?;
        self.script.family
    }

    fn get(&self, option: SocketOption) -> Result<OptionValue<'static>> {
        self.record(Operation::Get(option), Call::Get(option))?;
        option::check_get(option)?;
        option::row(&self.script.platform, Operation::Get(option), option)?;
        Ok(self.answer(option))
    }

    fn set(&self, option: SocketOption, value: OptionValue<'_>) -> Result<()> {
        self.record(Operation::Set(option), Call::set(option, value))?;
        let mut buf = [0u8; MAX_OPTION_LEN];
        option::encode(&self.script.platform, option, &value, &mut buf).map(|_| ())
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        let call = Call::RecvMsg {
            buffer_lens: buffers.iter().map(|b| b.len()).collect(),
            control_len: control.len(),
        };
        self.record(Operation::RecvMsg, call)?;
        self.receive_into(buffers, control)
    }

    fn recv_error(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        let call = Call::RecvError {
            buffer_lens: buffers.iter().map(|b| b.len()).collect(),
            control_len: control.len(),
        };
        self.record(Operation::RecvError, call)?;
        let platform = &self.script.platform;
        if platform
            .cmsg(ipv6_core::platform::ControlType::RecvErr)
            .is_none()
        {
            return Err(Error::Unsupported(Operation::RecvError));
        }
        let next = self.errors.lock().unwrap().pop_front();
        Self::copy_out(Operation::RecvError, next, buffers, control)
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
        self.record(Operation::SendMsg, call)?;
        Ok(len)
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
        Ok(self.script.claimed_batch_count.unwrap_or(filled))
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
        Ok(self.script.claimed_batch_count.unwrap_or(messages.len()))
    }

    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> Result<()> {
        let op = match direction {
            Direction::Read => Operation::SetReadTimeout,
            Direction::Write => Operation::SetWriteTimeout,
        };
        self.record(op, Call::SetTimeout(direction, timeout))
    }

    fn set_nonblocking(&self, on: bool) -> Result<()> {
        self.record(Operation::SetNonblocking, Call::SetNonblocking(on))
    }

    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        self.record(Operation::InterfaceExists, Call::InterfaceExists(ifindex))?;
        match &self.script.interfaces {
            Ok(indexes) => Ok(indexes.contains(&ifindex)),
            Err(e) => Err(*e),
        }
    }
}
