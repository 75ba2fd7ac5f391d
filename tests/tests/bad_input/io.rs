//! Datagram rows: hostile control messages, destinations, buffer counts,
//! batches, and control buffers too small for what the kernel sends.

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::backend::MAX_IOV;
use ipv6_core::{
    ControlBuffer, ControlFlags, ControlMessage, Error, InvalidArgument as Bad, MsgFlags,
    Operation as Op, OptionValue, Platform, RecvMessage, RecvMeta, SendMessage, SocketBackend,
    SocketOption as O,
};

use super::fixtures::{NO_SUCH_INTERFACE, Udp};
use super::harness::{Backend, Table, invalid, kernel, os, with_control};
use super::options::MAPPED_HOST;

const TOO_MANY: Bad = Bad::TooManyBuffers {
    given: MAX_IOV + 1,
    max: MAX_IOV,
};

pub fn rows<B: Backend>(t: &mut Table) {
    sends::<B>(t);
    buffer_counts::<B>(t);
    batches::<B>(t);
    control_truncation::<B>(t);
}

fn sends<B: Backend>(t: &mut Table) {
    let mapped = [
        (
            "src",
            ControlMessage {
                src: Some(MAPPED_HOST),
                ..ControlMessage::default()
            },
        ),
        (
            "next_hop",
            ControlMessage {
                next_hop: Some(MAPPED_HOST),
                ..ControlMessage::default()
            },
        ),
    ];
    for (field, control) in mapped {
        t.socket::<B, _, _>(
            format!("PacketConn::write_to(control.{field} IPv4-mapped)"),
            Udp::<B>::new,
            invalid(Op::SendMsg, Bad::Ipv4Mapped(MAPPED_HOST)),
            |u| u.conn.write_to(b"x", Some(&control), Some(&u.peer_addr)),
            // The peer's first datagram is the echo's: nothing went out.
            Udp::echo,
        );
        t.socket::<B, _, _>(
            format!("PacketConn::write_msg(control.{field} IPv4-mapped)"),
            Udp::<B>::new,
            invalid(Op::SendMsg, Bad::Ipv4Mapped(MAPPED_HOST)),
            |u| {
                u.conn
                    .write_msg(&[b"x"], Some(&control), Some(&u.peer_addr))
            },
            Udp::echo,
        );
    }
    // Good shapes the kernel refuses.
    t.socket::<B, _, _>(
        "PacketConn::write_to(port 0)",
        Udp::<B>::new,
        os(Op::SendMsg, libc::EINVAL),
        |u| {
            let to = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
            u.conn.write_to(b"x", None, Some(&to))
        },
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::write_to(no destination, unconnected)",
        Udp::<B>::new,
        os(Op::SendMsg, libc::EDESTADDRREQ),
        |u| u.conn.write_to(b"x", None, None),
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::write_to(IPv4-mapped destination from [::1])",
        Udp::<B>::new,
        os(Op::SendMsg, libc::ENETUNREACH),
        |u| {
            let to = SocketAddrV6::new(MAPPED_HOST, u.peer_addr.port(), 0, 0);
            u.conn.write_to(b"x", None, Some(&to))
        },
        Udp::echo,
    );
    let not_local = ControlMessage {
        src: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        ..ControlMessage::default()
    };
    t.socket::<B, _, _>(
        "PacketConn::write_to(control.src not a local address)",
        Udp::<B>::new,
        with_control::<B, usize>(Op::SendMsg, os(Op::SendMsg, libc::EINVAL)),
        |u| u.conn.write_to(b"x", Some(&not_local), Some(&u.peer_addr)),
        Udp::echo,
    );
    let no_such_interface = ControlMessage {
        if_index: NO_SUCH_INTERFACE,
        ..ControlMessage::default()
    };
    // Refused before the kernel's ENODEV, in every build.
    t.socket::<B, _, _>(
        "PacketConn::write_to(control.if_index no such interface)",
        Udp::<B>::new,
        invalid(Op::SendMsg, Bad::NoSuchInterface(NO_SUCH_INTERFACE)),
        |u| {
            u.conn
                .write_to(b"x", Some(&no_such_interface), Some(&u.peer_addr))
        },
        Udp::echo,
    );
    // Refused before the kernel's EINVAL, in every build.
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let multicast_src = ControlMessage {
        src: Some(group),
        ..ControlMessage::default()
    };
    t.socket::<B, _, _>(
        "PacketConn::write_to(control.src multicast)",
        Udp::<B>::new,
        invalid(Op::SendMsg, Bad::BadSource(group)),
        |u| {
            u.conn
                .write_to(b"x", Some(&multicast_src), Some(&u.peer_addr))
        },
        Udp::echo,
    );
    // dst and mtu are receive-only: nothing is encoded, so the datagram
    // goes out without control data on every build.
    let received = ControlMessage {
        dst: Some(MAPPED_HOST),
        mtu: 9000,
        ..ControlMessage::default()
    };
    t.socket::<B, _, _>(
        "PacketConn::write_to(receive-only control fields)",
        Udp::<B>::new,
        (Ok(1), b"x".to_vec()),
        |u| {
            let sent = u.conn.write_to(b"x", Some(&received), Some(&u.peer_addr));
            (sent, u.peer_receives().0)
        },
        Udp::echo,
    );
    // Raw control bytes straight to the backend.
    let h = Platform::HOST.cmsg_layout.data_offset();
    let mut unknown_type = vec![0u8; Platform::HOST.cmsg_layout.space(4)];
    Platform::HOST.endian.write_uint(
        &mut unknown_type,
        Platform::HOST.cmsg_layout.len_size,
        (h + 4) as u64,
    );
    Platform::HOST
        .endian
        .write_u32(&mut unknown_type[Platform::HOST.cmsg_layout.len_size..], 41);
    Platform::HOST.endian.write_u32(
        &mut unknown_type[Platform::HOST.cmsg_layout.len_size + 4..],
        9999,
    );
    let garbage = vec![0xffu8; Platform::HOST.cmsg_layout.space(4)];
    for (what, control, expected) in [
        (
            "all-ones control bytes",
            garbage.clone(),
            os(Op::SendMsg, libc::EINVAL),
        ),
        (
            "an unknown IPv6 control type",
            unknown_type,
            os(Op::SendMsg, libc::EINVAL),
        ),
    ] {
        t.socket::<B, _, _>(
            format!("backend send_msg({what})"),
            Udp::<B>::new,
            with_control::<B, usize>(Op::SendMsg, expected),
            |u| {
                u.conn
                    .backend()
                    .send_msg(&[b"x"], &control, Some(&u.peer_addr))
            },
            Udp::echo,
        );
    }
    // Fewer bytes than a cmsghdr: the kernel finds no record and sends.
    t.socket::<B, _, _>(
        "backend send_msg(1 control byte)",
        Udp::<B>::new,
        with_control::<B, _>(Op::SendMsg, Ok((1, b"x".to_vec()))),
        |u| {
            let sent = u
                .conn
                .backend()
                .send_msg(&[b"x"], &[0xff], Some(&u.peer_addr))?;
            Ok((sent, u.peer_receives().0))
        },
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::write_batch(all-ones control bytes)",
        Udp::<B>::new,
        with_control::<B, usize>(Op::SendMsg, os(Op::SendBatch, libc::EINVAL)),
        |u| {
            let to = Some(u.peer_addr);
            let mut messages = [SendMessage::new(b"x", &garbage, to)];
            u.conn.write_batch(&mut messages)
        },
        Udp::echo,
    );
}

fn buffer_counts<B: Backend>(t: &mut Table) {
    t.socket::<B, _, _>(
        "PacketConn::read_msg(17 buffers)",
        Udp::<B>::new,
        invalid(Op::RecvMsg, TOO_MANY),
        |u| {
            u.send_to_conn(b"queued");
            let mut backing = [[0u8; 4]; MAX_IOV + 1];
            let mut buffers = backing.each_mut().map(|b| &mut b[..]);
            u.conn.read_msg(&mut buffers).map(drop)
        },
        |u| {
            u.reads(b"queued"); // not consumed by the refused call
            u.echo();
        },
    );
    t.socket::<B, _, _>(
        "backend recv_msg(17 buffers)",
        Udp::<B>::new,
        invalid(Op::RecvMsg, TOO_MANY),
        |u| {
            u.send_to_conn(b"queued");
            let mut backing = [[0u8; 4]; MAX_IOV + 1];
            let mut buffers = backing.each_mut().map(|b| &mut b[..]);
            u.conn.backend().recv_msg(&mut buffers, &mut []).map(drop)
        },
        |u| {
            u.reads(b"queued");
            u.echo();
        },
    );
    t.socket::<B, _, _>(
        "PacketConn::write_msg(17 buffers)",
        Udp::<B>::new,
        invalid(Op::SendMsg, TOO_MANY),
        |u| {
            u.conn
                .write_msg(&[&b"x"[..]; MAX_IOV + 1], None, Some(&u.peer_addr))
        },
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "backend send_msg(17 buffers)",
        Udp::<B>::new,
        invalid(Op::SendMsg, TOO_MANY),
        |u| {
            u.conn
                .backend()
                .send_msg(&[&b"x"[..]; MAX_IOV + 1], &[], Some(&u.peer_addr))
        },
        Udp::echo,
    );
    // No buffers at all: the kernel consumes the datagram and says so.
    t.socket::<B, _, _>(
        "PacketConn::read_msg(0 buffers)",
        Udp::<B>::new,
        (0, true),
        |u| {
            u.send_to_conn(b"dropped");
            let received = u.conn.read_msg(&mut []).unwrap();
            assert_eq!(received.source, Some(u.peer_addr));
            (received.len, received.truncated)
        },
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::write_msg(0 buffers)",
        Udp::<B>::new,
        (Ok(0), Vec::new()),
        |u| {
            let sent = u.conn.write_msg(&[], None, Some(&u.peer_addr));
            (sent, u.peer_receives().0)
        },
        Udp::echo,
    );
}

/// Control bytes receives need for `flags` on this host.
fn space(flags: ControlFlags) -> usize {
    flags.space(&Platform::HOST)
}

fn batches<B: Backend>(t: &mut Table) {
    let needed = space(ControlFlags::TRAFFIC_CLASS);
    let too_small = Bad::ControlBufferTooSmall {
        needed,
        available: needed - 1,
    };
    // Where the build refuses the flag (pure rustix), nothing is asked of
    // the buffers and the read takes the datagram.
    let set_tclass = kernel::<B, ()>(Op::Set(O::ReceiveTrafficClass), Ok(()));
    let expected = match set_tclass {
        Ok(()) => (Ok(()), invalid(Op::RecvBatch, too_small)),
        Err(e) => (Err(e), Ok(1)),
    };
    let after = |u: &Udp<B>| {
        if u.conn.control_flags().is_empty() {
            return u.echo(); // refused flag: "queued" was read
        }
        let (mut payload, mut control) = ([0u8; 16], ControlBuffer::new());
        let mut messages = [RecvMessage::new(&mut payload, &mut control.0[..needed])];
        assert_eq!(u.conn.read_batch(&mut messages), Ok(1));
        let got = u.conn.received(&messages[0]);
        assert_eq!((got.len, got.source), (6, Some(u.peer_addr)));
        assert!(got.control_complete(), "{got:?}");
        assert_eq!(got.control.traffic_class, Some(0));
        assert_eq!(
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, false),
            Ok(())
        );
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::read_batch(control buffer 1 byte short)",
        Udp::<B>::new,
        expected,
        |u| {
            let set = u
                .conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, true);
            u.send_to_conn(b"queued");
            let (mut payload, mut control) = ([0u8; 16], vec![0u8; needed - 1]);
            let mut messages = [RecvMessage::new(&mut payload, &mut control)];
            (set, u.conn.read_batch(&mut messages))
        },
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_batch(second message's control buffer short)",
        Udp::<B>::new,
        expected,
        |u| {
            let set = u
                .conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, true);
            u.send_to_conn(b"queued");
            let (mut p1, mut c1) = ([0u8; 16], vec![0u8; needed]);
            let (mut p2, mut c2) = ([0u8; 16], vec![0u8; needed - 1]);
            let mut messages = [
                RecvMessage::new(&mut p1, &mut c1),
                RecvMessage::new(&mut p2, &mut c2),
            ];
            (set, u.conn.read_batch(&mut messages))
        },
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_batch(no messages)",
        Udp::<B>::new,
        Ok(0),
        |u| u.conn.read_batch(&mut []),
        Udp::echo,
    );
    t.socket::<B, _, _>(
        "PacketConn::write_batch(no messages)",
        Udp::<B>::new,
        Ok(0),
        |u| u.conn.write_batch(&mut []),
        Udp::echo,
    );
}

/// The payload and metadata one `recv_msg` reports.
fn received(meta: RecvMeta, payload: &[u8]) -> (RecvMeta, Vec<u8>) {
    (meta, payload[..meta.len].to_vec())
}

/// Turns a receive option on or off the way another library sharing the
/// descriptor would: plain `setsockopt`, which every build's reads then
/// meet (pure rustix included: reads without flags pass no control buffer).
fn behind_its_back(u: &Udp<impl Backend>, name: libc::c_int, on: bool) {
    use std::os::fd::AsRawFd;
    let value = libc::c_int::from(on);
    // SAFETY: the socket is live for the call; the value is a `c_int` and
    // its exact size is passed.
    let ret = unsafe {
        libc::setsockopt(
            u.socket().as_raw_fd(),
            libc::IPPROTO_IPV6,
            name,
            (&raw const value).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(ret, 0, "setsockopt: {}", std::io::Error::last_os_error());
}

/// What a read reported, without the fixture's addresses: length,
/// `truncated`, `control_truncated`, undecoded records, the first decoding
/// error, the control message, and whether the sender was the peer.
type Facts = (
    usize,
    bool,
    bool,
    usize,
    Option<ipv6_core::WireError>,
    ControlMessage,
    bool,
);

fn facts<B: Backend>(u: &Udp<B>, r: &ipv6_core::Received) -> Facts {
    (
        r.len,
        r.truncated,
        r.control_truncated,
        r.control_undecoded,
        r.control_error,
        r.control,
        r.source == Some(u.peer_addr),
    )
}

/// The facts of a whole datagram from the peer whose control data the
/// kernel cut (`cut`) or not, with `control` decoded.
fn whole(len: usize, cut: bool, control: ControlMessage) -> Facts {
    (len, false, cut, 0, None, control, true)
}

fn control_truncation<B: Backend>(t: &mut Table) {
    let h = Platform::HOST.cmsg_layout.data_offset();
    // The backend's own receive option: refused (and checked) where the
    // build cannot receive control data.
    let tclass_on = |u: &Udp<B>, on| {
        let works = kernel::<B, ()>(Op::Set(O::ReceiveTrafficClass), Ok(()));
        let set = u
            .conn
            .backend()
            .set(O::ReceiveTrafficClass, OptionValue::Bool(on));
        assert_eq!(set, works);
    };
    // The backend reports MSG_CTRUNC and keeps the payload; what Linux
    // writes of a record that does not fit parses as nothing.
    for (control_len, written) in [(1, 0), (h, h), (h + 3, h + 3)] {
        t.socket::<B, _, _>(
            format!("backend recv_msg({control_len}-byte control buffer)"),
            Udp::<B>::new,
            with_control::<B, _>(
                Op::RecvMsg,
                Ok((
                    (
                        RecvMeta {
                            len: 5,
                            control_len: written,
                            source: None,
                            flags: MsgFlags::CONTROL_TRUNCATED,
                        },
                        b"hello".to_vec(),
                    ),
                    Ok(ControlMessage::default()),
                )),
            ),
            |u| {
                tclass_on(u, true);
                u.send_to_conn(b"hello");
                let (mut payload, mut control) = ([0u8; 16], vec![0u8; control_len]);
                let meta = u
                    .conn
                    .backend()
                    .recv_msg(&mut [&mut payload], &mut control)?;
                assert_eq!(meta.source, Some(u.peer_addr));
                let parsed = ControlMessage::parse(&Platform::HOST, &control[..meta.control_len]);
                let meta = RecvMeta {
                    source: None,
                    ..meta
                };
                Ok((received(meta, &payload), parsed))
            },
            move |u| {
                if B::supports_control_data() {
                    // The option still on, the next datagram reads whole
                    // through PacketConn, its control data reported cut.
                    u.send_to_conn(b"next");
                    let mut buf = [0u8; 16];
                    let r = u.conn.read_msg(&mut [&mut buf]).expect("the next read");
                    assert_eq!(facts(u, &r), whole(4, true, ControlMessage::default()));
                    assert_eq!(&buf[..4], b"next");
                } else {
                    u.reads(b"hello"); // the refused receive left it queued
                }
                tclass_on(u, false);
                u.echo();
            },
        );
    }

    // The backend alone, no control buffer: the datagram is delivered and
    // MSG_CTRUNC says what was lost, on every build (rustix's native
    // receive included).
    t.socket::<B, _, _>(
        "backend recv_msg(no control buffer), a receive option on",
        Udp::<B>::new,
        Ok::<_, Error>((5, 0, MsgFlags::CONTROL_TRUNCATED, true, *b"hello")),
        |u| {
            behind_its_back(u, libc::IPV6_RECVTCLASS, true);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            let meta = u.conn.backend().recv_msg(&mut [&mut buf], &mut [])?;
            let from_peer = meta.source == Some(u.peer_addr);
            Ok((meta.len, meta.control_len, meta.flags, from_peer, buf))
        },
        |u| {
            behind_its_back(u, libc::IPV6_RECVTCLASS, false);
            u.echo();
        },
    );

    // With no flags PacketConn passes no control buffer at all. A receive
    // option turned on behind its back (by another library, or before
    // PacketConn::new) costs no datagram: each read returns its length and
    // sender, and read_msg says the control data was cut.
    let next_reads_fine_without_flags = |u: &Udp<B>| {
        // Still on: the next datagram too.
        u.send_to_conn(b"next");
        let mut buf = [0u8; 16];
        let (len, control, source) = u.conn.read_from(&mut buf).expect("read_from");
        assert_eq!(
            (&buf[..len], control, source),
            (&b"next"[..], ControlMessage::default(), Some(u.peer_addr))
        );
        u.send_to_conn(b"after");
        let r = u.conn.read_msg(&mut [&mut buf]).expect("read_msg");
        assert_eq!(facts(u, &r), whole(5, true, ControlMessage::default()));
        behind_its_back(u, libc::IPV6_RECVHOPLIMIT, false);
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::read_from, no flags, a receive option on behind its back",
        Udp::<B>::new,
        (
            Ok::<_, Error>((5, ControlMessage::default(), true)),
            *b"hello",
        ),
        |u| {
            behind_its_back(u, libc::IPV6_RECVHOPLIMIT, true);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            let read = u.conn.read_from(&mut buf);
            let read = read.map(|(len, cm, source)| (len, cm, source == Some(u.peer_addr)));
            (read, buf)
        },
        next_reads_fine_without_flags,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_msg, no flags, a receive option on behind its back",
        Udp::<B>::new,
        (
            Ok::<_, Error>(whole(5, true, ControlMessage::default())),
            *b"hello",
        ),
        |u| {
            behind_its_back(u, libc::IPV6_RECVHOPLIMIT, true);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            let read = u.conn.read_msg(&mut [&mut buf]).map(|r| facts(u, &r));
            (read, buf)
        },
        next_reads_fine_without_flags,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_msg, no flags, a receive option on behind its back, payload cut",
        Udp::<B>::new,
        (
            Ok::<_, Error>((2, true, true, 0, None, ControlMessage::default(), true)),
            *b"he",
        ),
        |u| {
            behind_its_back(u, libc::IPV6_RECVHOPLIMIT, true);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 2];
            let read = u.conn.read_msg(&mut [&mut buf]).map(|r| facts(u, &r));
            (read, buf)
        },
        next_reads_fine_without_flags,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_batch, no flags, no control buffer, a receive option on behind its back",
        Udp::<B>::new,
        Ok::<_, Error>((
            1,
            MsgFlags::CONTROL_TRUNCATED,
            whole(5, true, ControlMessage::default()),
        )),
        |u| {
            behind_its_back(u, libc::IPV6_RECVHOPLIMIT, true);
            u.send_to_conn(b"hello");
            let mut payload = [0u8; 16];
            let mut messages = [RecvMessage::new(&mut payload, &mut [])];
            let got = u.conn.read_batch(&mut messages)?;
            let r = u.conn.received(&messages[0]);
            Ok((got, messages[0].meta.flags, facts(u, &r)))
        },
        next_reads_fine_without_flags,
    );

    // With any flag set PacketConn gives the kernel room for every flag, so a
    // receive option turned on behind its back (or by another thread while a
    // read waits) is reported, not cut. A batch's control buffers are the
    // caller's, sized for the flags: there it is cut, and said to be. Where
    // the build refuses the flag (pure rustix) the reads go on without one.
    let set_tclass = kernel::<B, ()>(Op::Set(O::ReceiveTrafficClass), Ok(()));
    let flagged = set_tclass.is_ok();
    let with_flag_and_extra = |u: &Udp<B>| {
        let set = u
            .conn
            .set_control_message(ControlFlags::TRAFFIC_CLASS, true);
        behind_its_back(u, libc::IPV6_RECVHOPLIMIT, true);
        set
    };
    let both = ControlMessage {
        traffic_class: Some(0),
        hop_limit: Some(64),
        ..ControlMessage::default()
    };
    let next_reads_fine = move |u: &Udp<B>| {
        // Still on: the next datagram too.
        u.send_to_conn(b"next");
        let mut buf = [0u8; 16];
        let r = u.conn.read_msg(&mut [&mut buf]).expect("read_msg");
        let want = if flagged {
            whole(4, false, both)
        } else {
            whole(4, true, ControlMessage::default())
        };
        assert_eq!(facts(u, &r), want);
        assert_eq!(&buf[..4], b"next");
        behind_its_back(u, libc::IPV6_RECVHOPLIMIT, false);
        assert_eq!(
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, false),
            set_tclass
        );
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::read_from with more control data than its flags",
        Udp::<B>::new,
        (set_tclass, Ok::<_, Error>((5, flagged, true)), *b"hello"),
        |u| {
            let set = with_flag_and_extra(u);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            let read = u.conn.read_from(&mut buf).map(|(len, control, source)| {
                (
                    len,
                    control.hop_limit.is_some(),
                    source == Some(u.peer_addr),
                )
            });
            (set, read, buf)
        },
        next_reads_fine,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_msg with more control data than its flags, payload cut",
        Udp::<B>::new,
        (
            set_tclass,
            Ok::<_, Error>(if flagged {
                (2, true, false, 0, None, both, true)
            } else {
                (2, true, true, 0, None, ControlMessage::default(), true)
            }),
            *b"he",
        ),
        |u| {
            let set = with_flag_and_extra(u);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 2];
            let read = u.conn.read_msg(&mut [&mut buf]).map(|r| facts(u, &r));
            (set, read, buf)
        },
        next_reads_fine,
    );
    // A batch sized for the one flag: MSG_CTRUNC in the message's flags,
    // and received() says so beside the length and sender.
    t.socket::<B, _, _>(
        "PacketConn::read_batch with more control data than its flags",
        Udp::<B>::new,
        (
            set_tclass,
            Ok::<_, Error>((1, 5, MsgFlags::CONTROL_TRUNCATED, true, true, 0)),
        ),
        |u| {
            let set = with_flag_and_extra(u);
            u.send_to_conn(b"hello");
            let needed = space(ControlFlags::TRAFFIC_CLASS);
            let (mut payload, mut control) = ([0u8; 16], vec![0u8; needed]);
            let mut messages = [RecvMessage::new(&mut payload, &mut control)];
            let read = u.conn.read_batch(&mut messages).map(|got| {
                let r = u.conn.received(&messages[0]);
                let meta = messages[0].meta;
                let from_peer = r.source == Some(u.peer_addr);
                (
                    got,
                    meta.len,
                    meta.flags,
                    r.control_truncated,
                    from_peer,
                    r.control_undecoded,
                )
            });
            (set, read)
        },
        next_reads_fine,
    );
}
