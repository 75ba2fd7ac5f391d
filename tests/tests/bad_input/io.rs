//! Datagram rows: hostile control messages, destinations, buffer counts,
//! batches, and control buffers too small for what the kernel sends.

use std::net::{Ipv6Addr, SocketAddrV6};

use ipv6_core::backend::MAX_IOV;
use ipv6_core::{
    ControlFlags, ControlMessage, Error, InvalidArgument as Bad, MsgFlags, Operation as Op,
    Platform, ReceiveOption, RecvMessage, RecvMeta, SendMessage, SocketBackend,
};

use super::fixtures::{NO_SUCH_INTERFACE, Udp};
use super::harness::{Backend, Table, invalid, os, receive_option, with_control};
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
    t.socket::<B, _, _>(
        "PacketConn::write_to(control.if_index no such interface)",
        Udp::<B>::new,
        with_control::<B, usize>(Op::SendMsg, os(Op::SendMsg, libc::ENODEV)),
        |u| {
            u.conn
                .write_to(b"x", Some(&no_such_interface), Some(&u.peer_addr))
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
    let h = Platform::HOST.cmsg.data_offset();
    let mut unknown_type = vec![0u8; Platform::HOST.cmsg.space(4)];
    Platform::HOST.endian.write_uint(
        &mut unknown_type,
        Platform::HOST.cmsg.len_size,
        (h + 4) as u64,
    );
    Platform::HOST
        .endian
        .write_u32(&mut unknown_type[Platform::HOST.cmsg.len_size..], 41);
    Platform::HOST
        .endian
        .write_u32(&mut unknown_type[Platform::HOST.cmsg.len_size + 4..], 9999);
    let garbage = vec![0xffu8; Platform::HOST.cmsg.space(4)];
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
    // Traffic class: the one receive option pure rustix sets too.
    let after = |u: &Udp<B>| {
        let (mut payload, mut control) = ([0u8; 16], vec![0u8; needed]);
        let mut messages = [RecvMessage::new(&mut payload, &mut control)];
        let got = u.conn.read_batch(&mut messages);
        assert_eq!(got, with_control::<B, _>(Op::RecvMsg, Ok(1)));
        if got.is_ok() {
            let meta = messages[0].meta;
            assert_eq!(meta.len, 6);
            let control = ControlMessage::parse(&Platform::HOST, &control[..meta.control_len]);
            assert_eq!(control.map(|c| c.traffic_class), Ok(Some(0)));
        }
        assert_eq!(
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, false),
            Ok(())
        );
        if got.is_err() {
            u.reads(b"queued"); // still there for a receive without control data
        }
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::read_batch(control buffer 1 byte short)",
        Udp::<B>::new,
        invalid(Op::RecvBatch, too_small),
        |u| {
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, true)
                .unwrap();
            u.send_to_conn(b"queued");
            let (mut payload, mut control) = ([0u8; 16], vec![0u8; needed - 1]);
            let mut messages = [RecvMessage::new(&mut payload, &mut control)];
            u.conn.read_batch(&mut messages)
        },
        after,
    );
    t.socket::<B, _, _>(
        "PacketConn::read_batch(second message's control buffer short)",
        Udp::<B>::new,
        invalid(Op::RecvBatch, too_small),
        |u| {
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, true)
                .unwrap();
            u.send_to_conn(b"queued");
            let (mut p1, mut c1) = ([0u8; 16], vec![0u8; needed]);
            let (mut p2, mut c2) = ([0u8; 16], vec![0u8; needed - 1]);
            let mut messages = [
                RecvMessage::new(&mut p1, &mut c1),
                RecvMessage::new(&mut p2, &mut c2),
            ];
            u.conn.read_batch(&mut messages)
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

fn control_truncation<B: Backend>(t: &mut Table) {
    let h = Platform::HOST.cmsg.data_offset();
    let tclass_on = |u: &Udp<B>, on| {
        let works = receive_option::<B, ()>(ReceiveOption::TrafficClass, Ok(()));
        let set = u
            .conn
            .backend()
            .set_receive_option(ReceiveOption::TrafficClass, on);
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
                // Off first: with it on, a receive without a control buffer
                // is truncated too.
                tclass_on(u, false);
                if !B::supports_control_data() {
                    u.reads(b"hello"); // the refused receive left it queued
                }
                u.echo();
            },
        );
    }

    // With no flags PacketConn passes no control buffer at all; a receive
    // option turned on behind its back then truncates every receive, on
    // every build (no control data is received, so rustix needs no
    // fallback to see MSG_CTRUNC).
    t.socket::<B, _, _>(
        "PacketConn::read_from, no flags, a receive option on behind its back",
        Udp::<B>::new,
        (Err(Error::ControlTruncated { len: 5 }), *b"hello"),
        |u| {
            tclass_on(u, true);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            (u.conn.read_from(&mut buf).map(drop), buf)
        },
        move |u| {
            tclass_on(u, false);
            u.echo();
        },
    );

    // With any flag set PacketConn gives the kernel room for every flag, so a
    // receive option turned on behind its back (or by another thread while a
    // read waits) is reported, not truncated. A batch's control buffers are
    // the caller's, sized for the flags: there MSG_CTRUNC is reported.
    let behind_its_back = |u: &Udp<B>| {
        u.conn
            .set_control_message(ControlFlags::TRAFFIC_CLASS, true)
            .unwrap();
        let extra = u
            .conn
            .backend()
            .set_receive_option(ReceiveOption::HopLimit, true);
        assert_eq!(
            extra,
            receive_option::<B, ()>(ReceiveOption::HopLimit, Ok(()))
        );
    };
    let next_reads_fine = |u: &Udp<B>, first: &[u8]| {
        let fixed = u
            .conn
            .backend()
            .set_receive_option(ReceiveOption::HopLimit, false);
        assert_eq!(
            fixed,
            receive_option::<B, ()>(ReceiveOption::HopLimit, Ok(()))
        );
        u.send_to_conn(b"next");
        let mut buf = [0u8; 16];
        let read = u
            .conn
            .read_from(&mut buf)
            .map(|(len, control, source)| (buf[..len].to_vec(), control.traffic_class, source));
        let expected = Ok((b"next".to_vec(), Some(0), Some(u.peer_addr)));
        assert_eq!(read, with_control::<B, _>(Op::RecvMsg, expected));
        assert_eq!(
            u.conn
                .set_control_message(ControlFlags::TRAFFIC_CLASS, false),
            Ok(())
        );
        if read.is_err() {
            u.reads(first);
            u.reads(b"next");
        }
        u.echo();
    };
    t.socket::<B, _, _>(
        "PacketConn::read_from with more control data than its flags",
        Udp::<B>::new,
        if B::supports_control_data() {
            (Ok(true), *b"hello")
        } else {
            (Err(Error::Unsupported(Op::RecvMsg)), [0; 5])
        },
        |u| {
            behind_its_back(u);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 5];
            let read = u.conn.read_from(&mut buf);
            (read.map(|(_, control, _)| control.hop_limit.is_some()), buf)
        },
        |u| next_reads_fine(u, b"hello"),
    );
    t.socket::<B, _, _>(
        "PacketConn::read_msg with more control data than its flags, payload cut",
        Udp::<B>::new,
        if B::supports_control_data() {
            (Ok((true, true)), *b"he")
        } else {
            (Err(Error::Unsupported(Op::RecvMsg)), [0; 2])
        },
        |u| {
            behind_its_back(u);
            u.send_to_conn(b"hello");
            let mut buf = [0u8; 2];
            let read = u.conn.read_msg(&mut [&mut buf]);
            (
                read.map(|r| (r.truncated, r.control.hop_limit.is_some())),
                buf,
            )
        },
        |u| next_reads_fine(u, b"hello"),
    );
    // A batch leaves MSG_CTRUNC in each message's flags.
    t.socket::<B, _, _>(
        "PacketConn::read_batch with more control data than its flags",
        Udp::<B>::new,
        with_control::<B, _>(Op::RecvMsg, Ok((1, 5, MsgFlags::CONTROL_TRUNCATED))),
        |u| {
            behind_its_back(u);
            u.send_to_conn(b"hello");
            let needed = space(ControlFlags::TRAFFIC_CLASS);
            let (mut payload, mut control) = ([0u8; 16], vec![0u8; needed]);
            let mut messages = [RecvMessage::new(&mut payload, &mut control)];
            let got = u.conn.read_batch(&mut messages)?;
            Ok((got, messages[0].meta.len, messages[0].meta.flags))
        },
        |u| next_reads_fine(u, b"hello"),
    );
}
