//! Receive options `PacketConn` did not turn on, or turned on while a read
//! waited: every datagram the kernel delivered still reaches the caller with
//! its exact length, payload and sender, and `read_msg` reports
//! `control_truncated` exactly when the kernel had records the read made no
//! room for.
//!
//! Where this build refuses receive options (pure rustix, which cannot read
//! control data), they are turned on by a second library with plain
//! `setsockopt` instead: reads without control flags pass no control buffer,
//! so they work there too and must report the truncation all the same.

use std::net::Ipv6Addr;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use ipv6_core::cmsg::Writer;
use ipv6_core::platform::{ControlType, IPPROTO_IPV6};
use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Error, MsgFlags, OptionValue, Received,
    RecvMessage, RecvMeta, SocketBackend, SocketOption as O, WireError,
};

use super::sockets::{Sock, kernel_flags, set_kernel_flags};
use super::unicast::{RECEIVER_FLAGS, receive_ops, set_flags};
use super::wire::{numbered, read_numbered};
use super::{Backend, Expect, Outcome, retry_interrupted, supports};
use crate::netns::Netns;

/// Datagrams each exchange sends and must receive.
const N: u32 = 24;
/// The hop limit a namespace gives unicast datagrams by default.
const DEFAULT_HOPS: u8 = 64;
/// Far more than the datagrams in flight need, so the kernel drops none.
const RECEIVE_BUFFER: usize = 8 << 20;

/// The three ways to read one datagram: `read_from`, `read_msg`,
/// `read_batch` (then `received`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    From,
    Msg,
    Batch,
}

impl Path {
    /// The `i`th read's path: the three take turns.
    fn nth(i: u32) -> Path {
        [Path::From, Path::Msg, Path::Batch][i as usize % 3]
    }
}

/// One datagram as a read reported it.
struct Read {
    payload: Vec<u8>,
    control: ControlMessage,
    source: Option<std::net::SocketAddrV6>,
    /// All of it, for `read_msg` and `read_batch` (`read_from` has less to say).
    received: Option<Received>,
}

/// Reads one datagram by `path`. A batch read gets a control buffer with
/// room for every flag when `batch_room`, else none, as `read_msg` would.
#[track_caller]
fn read<B: Backend>(rx: &Sock<B>, path: Path, batch_room: bool) -> Read {
    let mut buf = [0u8; 256];
    let fail = |e: Error| -> ! { panic!("[{}] {path:?}: {e:?}", B::NAME) };
    match path {
        Path::From => {
            let (len, control, source) =
                retry_interrupted(|| rx.read_from(&mut buf)).unwrap_or_else(|e| fail(e));
            Read {
                payload: buf[..len].to_vec(),
                control,
                source,
                received: None,
            }
        }
        Path::Msg => {
            let r = retry_interrupted(|| rx.read_msg(&mut [&mut buf])).unwrap_or_else(|e| fail(e));
            Read {
                payload: buf[..r.len].to_vec(),
                control: r.control,
                source: r.source,
                received: Some(r),
            }
        }
        Path::Batch => {
            let mut control = ControlBuffer::new();
            let room = if batch_room { control.0.len() } else { 0 };
            let mut messages = [RecvMessage::new(&mut buf, &mut control.0[..room])];
            let n = retry_interrupted(|| rx.read_batch(&mut messages)).unwrap_or_else(|e| fail(e));
            assert_eq!(n, 1, "[{}] read_batch of one", B::NAME);
            let r = rx.received(&messages[0]);
            assert_eq!(
                r.control_truncated,
                messages[0].meta.flags.contains(MsgFlags::CONTROL_TRUNCATED),
                "[{}] received() and the batch's flags disagree",
                B::NAME
            );
            Read {
                payload: buf[..r.len].to_vec(),
                control: r.control,
                source: r.source,
                received: Some(r),
            }
        }
    }
}

/// The records the kernel writes for every datagram from `::1` with the
/// receive options `kernel` on (a path MTU report comes only with a change
/// of path MTU, never with a datagram).
fn records(kernel: ControlFlags, lo: u32) -> ControlMessage {
    let mut cm = ControlMessage::default();
    if kernel.contains(ControlFlags::TRAFFIC_CLASS) {
        cm.traffic_class = Some(0);
    }
    if kernel.contains(ControlFlags::HOP_LIMIT) {
        cm.hop_limit = Some(DEFAULT_HOPS);
    }
    if kernel.intersects(ControlFlags::DST | ControlFlags::INTERFACE) {
        cm.dst = Some(Ipv6Addr::LOCALHOST);
        cm.if_index = lo;
    }
    cm
}

/// The receive options behind `flags` that put a record on every datagram.
fn per_datagram(flags: ControlFlags) -> ControlFlags {
    flags - ControlFlags::PATH_MTU - ControlFlags::SRC
}

/// Sends [`N`] numbered datagrams (writer `tag`) from `tx` to `rx` and reads
/// them back, the three read paths taking turns. Each must arrive whole and
/// from `tx`; the control data must be what the kernel holds, reported
/// where the read made room (`PacketConn` makes room for every flag as soon
/// as one is set, none otherwise) and flagged truncated exactly where it did
/// not.
fn exchange<B: Backend>(case: &str, rx: &Sock<B>, tx: &Sock<B>, lo: u32, tag: u16) -> Outcome {
    let kernel = per_datagram(kernel_flags(&**rx.fd()));
    let room = !rx.control_flags().is_empty();
    let want_truncated = !room && !kernel.is_empty();
    let want_control = if room {
        records(kernel, lo)
    } else {
        ControlMessage::default()
    };
    for seq in 0..N {
        tx.send(&numbered(tag, seq), None, rx.local())?;
    }
    for seq in 0..N {
        let path = Path::nth(seq);
        let what = format!("[{}] {case}: datagram {seq} by {path:?}", B::NAME);
        let got = read(rx, path, room);
        assert_eq!(got.payload, numbered(tag, seq), "{what}: payload");
        assert_eq!(got.source, Some(tx.local()), "{what}: sender");
        assert_eq!(got.control, want_control, "{what}: control data");
        if let Some(r) = got.received {
            assert_eq!(r.len, got.payload.len(), "{what}");
            assert!(!r.truncated, "{what}: payload truncated: {r:?}");
            assert_eq!(
                r.control_truncated,
                want_truncated,
                "{what}: control_truncated with kernel options {kernel:?} and \
                 {}room for them: {r:?}",
                if room { "" } else { "no " }
            );
            assert_eq!((r.control_undecoded, r.control_error), (0, None), "{what}");
        }
    }
    Some(())
}

/// A second library turns receive options on (and off) on the socket
/// `PacketConn` reads from: hop limit and packet information with plain
/// `setsockopt`, the traffic class through `ipv6-backend-libc` over the same
/// descriptor. Without flags nothing is lost, every read says the control
/// data was cut; one flag of `PacketConn`'s own makes room for all.
pub fn receive_options_set_by_another_library<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let fd = &**rx.fd();
    exchange("no receive option", &rx, &tx, lo, 1)?;

    set_kernel_flags(fd, ControlFlags::HOP_LIMIT | ControlFlags::DST, true);
    let other = ipv6_backend_libc::Socket::new(fd.as_fd());
    let on = other.set(O::ReceiveTrafficClass, OptionValue::Bool(true));
    assert_eq!(on, Ok(()), "the libc backend as a second library");
    assert_eq!(kernel_flags(fd), RECEIVER_FLAGS, "[{}]", B::NAME);
    assert_eq!(rx.control_flags(), ControlFlags::empty(), "[{}]", B::NAME);
    exchange("three options on behind its back", &rx, &tx, lo, 2)?;

    if set_flags(&rx, ControlFlags::TRAFFIC_CLASS, true) {
        exchange("one flag, three options on", &rx, &tx, lo, 3)?;
        // Turning its one flag off turns the kernel's option off too; the
        // other library's two stay on.
        set_flags(&rx, ControlFlags::TRAFFIC_CLASS, false);
        let left = ControlFlags::HOP_LIMIT | ControlFlags::DST | ControlFlags::INTERFACE;
        assert_eq!(kernel_flags(fd), left, "[{}]", B::NAME);
        exchange("flag off again, two options on", &rx, &tx, lo, 4)?;
    }

    set_kernel_flags(fd, ControlFlags::all(), false);
    exchange("options off again", &rx, &tx, lo, 5)
}

/// Flags set, then `into_inner` and `PacketConn::new` over the same
/// backend: the new `PacketConn` has no flags but the kernel still has the
/// options on. Its reads lose nothing and report the truncation; a flag of
/// its own makes room again. (Pure rustix refuses the flags: a second
/// library sets the options instead.)
pub fn receive_options_outlive_into_inner<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let tx = Sock::<B>::udp_loopback();
    let first = Sock::<B>::udp_loopback();
    if !set_flags(&first, RECEIVER_FLAGS, true) {
        set_kernel_flags(&**first.fd(), RECEIVER_FLAGS, true);
    }
    exchange("before into_inner", &first, &tx, lo, 1)?;

    let (fd, backend) = first.into_parts();
    let second = Sock::<B>::from_parts(fd, backend);
    assert_eq!(
        second.control_flags(),
        ControlFlags::empty(),
        "[{}]",
        B::NAME
    );
    assert_eq!(
        kernel_flags(&**second.fd()),
        RECEIVER_FLAGS,
        "[{}]",
        B::NAME
    );
    exchange("new PacketConn, options still on", &second, &tx, lo, 2)?;

    if set_flags(&second, ControlFlags::HOP_LIMIT, true) {
        exchange("new PacketConn, one flag of three", &second, &tx, lo, 3)?;
        set_flags(&second, RECEIVER_FLAGS, false);
    } else {
        set_kernel_flags(&**second.fd(), RECEIVER_FLAGS, false);
    }
    assert_eq!(kernel_flags(&**second.fd()), ControlFlags::empty());
    exchange("options off", &second, &tx, lo, 4)
}

/// While one thread reads (the three paths taking turns) what another
/// sends, a third turns the receive options on and off as fast as it can:
/// with `set_control_message`, or (pure rustix) with plain `setsockopt`.
/// Every datagram arrives exactly once, whole, from its sender; the records
/// that arrive are right; a read is cut only where it made no room, and
/// then decodes nothing.
pub fn receive_options_toggled_while_reading<B: Backend>(ns: &Netns) -> Outcome {
    const DATAGRAMS: u32 = 600;
    let lo = ns.ifindex("lo");
    let rx = Arc::new(Sock::<B>::udp_loopback());
    let tx = Sock::<B>::udp_loopback();
    let from = tx.local();
    rustix::net::sockopt::set_socket_recv_buffer_size_force(&**rx.fd(), RECEIVE_BUFFER)
        .expect("SO_RCVBUFFORCE");
    // Probe (and check the refusal where the build has none) before the threads.
    let by_conn = set_flags(&rx, RECEIVER_FLAGS, true);
    if by_conn {
        set_flags(&rx, RECEIVER_FLAGS, false);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let toggles = Arc::new(AtomicU64::new(0));
    let toggler = {
        let (rx, stop, toggles) = (Arc::clone(&rx), Arc::clone(&stop), Arc::clone(&toggles));
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let on = toggles.load(Ordering::Relaxed) % 2 == 0;
                if by_conn {
                    rx.set_control_message(RECEIVER_FLAGS, on)
                        .unwrap_or_else(|e| panic!("[{}] set_control_message: {e:?}", B::NAME));
                } else {
                    set_kernel_flags(&**rx.fd(), RECEIVER_FLAGS, on);
                }
                toggles.fetch_add(1, Ordering::Relaxed);
                thread::yield_now();
            }
        })
    };
    let to = rx.local();
    let sender = {
        let toggles = Arc::clone(&toggles);
        thread::spawn(move || {
            for seq in 0..DATAGRAMS {
                // Paced by the toggler, so that on two cores as on many the
                // options change every few datagrams.
                while toggles.load(Ordering::Relaxed) < u64::from(seq / 2) {
                    thread::yield_now();
                }
                tx.send(&numbered(9, seq), None, to)?;
            }
            Some(tx)
        })
    };

    let want = records(RECEIVER_FLAGS, lo);
    let mut seen = Vec::new();
    let mut cut = 0;
    for i in 0..DATAGRAMS {
        let path = Path::nth(i);
        let what = format!("[{}] read {i} by {path:?}", B::NAME);
        // A batch gets room for every flag: flags may turn on between
        // sizing its buffer and the call.
        let got = read(&rx, path, true);
        let id = read_numbered(&got.payload)
            .unwrap_or_else(|| panic!("{what}: corrupted datagram {:?}", got.payload));
        assert_eq!(id.0, 9, "{what}");
        seen.push(id.1);
        assert_eq!(got.source, Some(from), "{what}: sender");
        let cm = got.control;
        // Any subset of the records may come, each with its true value.
        assert!(
            cm.traffic_class
                .is_none_or(|t| Some(t) == want.traffic_class),
            "{what}: {cm:?}"
        );
        assert!(
            cm.hop_limit.is_none_or(|h| Some(h) == want.hop_limit),
            "{what}: {cm:?}"
        );
        assert!(cm.dst.is_none_or(|d| Some(d) == want.dst), "{what}: {cm:?}");
        assert!(cm.dst.is_some() == (cm.if_index != 0), "{what}: {cm:?}");
        assert!(cm.if_index == 0 || cm.if_index == lo, "{what}: {cm:?}");
        if let Some(r) = got.received {
            assert!(!r.truncated, "{what}: {r:?}");
            assert_eq!((r.control_undecoded, r.control_error), (0, None), "{what}");
            if r.control_truncated {
                cut += 1;
                assert_eq!(
                    r.control,
                    ControlMessage::default(),
                    "{what}: cut, so it made no room, yet records decoded: {r:?}"
                );
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    toggler
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    let toggles = toggles.load(Ordering::Relaxed);
    assert!(toggles >= u64::from(DATAGRAMS / 2 - 1), "{toggles}");
    let tx = sender
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
    seen.sort_unstable();
    assert!(
        seen.iter().copied().eq(0..DATAGRAMS),
        "[{}] {DATAGRAMS} sent, received {} ({cut} cut, {toggles} toggles): a datagram \
         was lost or duplicated",
        B::NAME,
        seen.len()
    );

    // Quiet again: whatever the toggler left, the flags and the kernel agree
    // once set_control_message has the last word, and reads are whole.
    if by_conn {
        set_flags(&rx, RECEIVER_FLAGS, false);
    } else {
        set_kernel_flags(&**rx.fd(), RECEIVER_FLAGS, false);
    }
    assert_eq!(
        kernel_flags(&**rx.fd()),
        ControlFlags::empty(),
        "[{}]",
        B::NAME
    );
    exchange("after the toggling", &rx, &tx, lo, 10)
}

/// `set_control_message` either reaches the kernel or fails before it: in
/// pure rustix every flag is `Unsupported`, naming the option, with the
/// kernel's option still off (read back with plain `getsockopt`) and reads
/// working on; elsewhere the kernel holds exactly the options behind the
/// flags, and the records come.
pub fn receive_options_refused_before_the_kernel<B: Backend>(ns: &Netns) -> Outcome {
    let lo = ns.ifindex("lo");
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    let fd = &**rx.fd();
    let cases = [
        ControlFlags::TRAFFIC_CLASS,
        ControlFlags::HOP_LIMIT,
        ControlFlags::DST,
        ControlFlags::INTERFACE,
        ControlFlags::PATH_MTU,
        ControlFlags::all(),
    ];
    for (tag, flags) in (1..).zip(cases) {
        let ops = receive_ops(flags);
        let got = rx.set_control_message(flags, true);
        match ops
            .iter()
            .find(|&&op| B::expected(op) == Expect::Unsupported)
        {
            None => {
                assert_eq!(got, Ok(()), "[{}] {flags:?}", B::NAME);
                assert_eq!(
                    rx.control_flags(),
                    flags - ControlFlags::SRC,
                    "[{}]",
                    B::NAME
                );
                let behind = super::sockets::KERNEL_RECEIVE_OPTIONS
                    .into_iter()
                    .filter(|&(_, bits)| flags.intersects(bits))
                    .fold(ControlFlags::empty(), |all, (_, bits)| all | bits);
                assert_eq!(kernel_flags(fd), behind, "[{}] {flags:?}", B::NAME);
                exchange(&format!("{flags:?} on"), &rx, &tx, lo, tag)?;
                assert_eq!(rx.set_control_message(flags, false), Ok(()));
            }
            Some(&refused) => {
                assert_eq!(
                    got,
                    Err(Error::Unsupported(refused)),
                    "[{}] {flags:?}",
                    B::NAME
                );
                assert!(!supports::<B>(&ops));
            }
        }
        assert_eq!(
            kernel_flags(fd),
            ControlFlags::empty(),
            "[{}] {flags:?}: the kernel's options after set_control_message",
            B::NAME
        );
        assert_eq!(rx.control_flags(), ControlFlags::empty(), "[{}]", B::NAME);
        exchange(&format!("{flags:?} off"), &rx, &tx, lo, tag + 100)?;
    }
    Some(())
}

/// `PacketConn::received` on batch messages built by hand, as no kernel
/// writes them: records that do not decode are counted beside those that
/// do, lengths beyond the buffers are clamped (control bytes then not
/// trusted at all), and `MSG_CTRUNC` is passed on. No system call.
pub fn received_decodes_hand_built_messages<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let platform = *rx.backend().platform();
    let kind = |k| platform.cmsg_type(k).expect("Linux has every control type");
    let int = |v: u32| {
        let mut b = [0u8; 4];
        platform.endian.write_u32(&mut b, v);
        b
    };
    let source = Some(rx.local());
    let mut payload = *b"hand-built";

    // A hop limit, then a traffic class no kernel reports, then packet info.
    let mut control = ControlBuffer::new();
    let mut w = Writer::new(&platform, &mut control.0);
    w.push(IPPROTO_IPV6, kind(ControlType::HopLimit), &int(17))
        .unwrap();
    w.push(IPPROTO_IPV6, kind(ControlType::TrafficClass), &int(300))
        .unwrap();
    let mut pktinfo = [0u8; 20];
    pktinfo[..16].copy_from_slice(&Ipv6Addr::LOCALHOST.octets());
    platform.endian.write_u32(&mut pktinfo[16..], 1);
    w.push(IPPROTO_IPV6, kind(ControlType::PacketInfo), &pktinfo)
        .unwrap();
    let written = w.len();
    let meta = RecvMeta {
        len: 10,
        control_len: written,
        source,
        flags: MsgFlags::empty(),
    };
    let mut m = RecvMessage::new(&mut payload, &mut control.0);
    m.meta = meta;
    let r = rx.received(&m);
    let want = ControlMessage {
        hop_limit: Some(17),
        dst: Some(Ipv6Addr::LOCALHOST),
        if_index: 1,
        ..ControlMessage::default()
    };
    assert_eq!(
        (r.len, r.source, r.truncated, r.control_truncated),
        (10, source, false, false),
        "[{}]",
        B::NAME
    );
    assert_eq!(r.control, want, "[{}] the records that decode", B::NAME);
    assert_eq!(
        (r.control_undecoded, r.control_error),
        (1, Some(WireError::ValueOutOfRange)),
        "[{}]",
        B::NAME
    );
    assert!(!r.control_complete());

    // A backend claiming more than it was given: clamped and reported.
    m.meta = RecvMeta {
        len: 4096,
        control_len: m.control.len() + 8,
        flags: MsgFlags::TRUNCATED | MsgFlags::CONTROL_TRUNCATED,
        ..meta
    };
    let r = rx.received(&m);
    assert_eq!(
        (r.len, r.truncated, r.control_truncated),
        (10, true, true),
        "[{}] {r:?}",
        B::NAME
    );
    assert_eq!(
        r.control_error,
        Some(WireError::Truncated {
            needed: m.control.len() + 8,
            available: m.control.len(),
        }),
        "[{}] the first problem is kept",
        B::NAME
    );
    // Which bytes such a backend wrote is unknown: none are trusted.
    assert_eq!(r.control, ControlMessage::default(), "[{}] {r:?}", B::NAME);
    assert_eq!(r.control_undecoded, 1, "[{}] {r:?}", B::NAME);

    // Nothing written: nothing to decode, nothing wrong.
    m.meta = RecvMeta {
        control_len: 0,
        ..meta
    };
    let r = rx.received(&m);
    assert!(r.control_complete(), "[{}] {r:?}", B::NAME);
    assert_eq!(r.control, ControlMessage::default());
    Some(())
}
