//! Control buffers as the kernel writes them: two identical datagrams over
//! `[::1]`, one received through the libc backend (its control bytes are
//! what `ControlMessage::parse` reads) and one through nix's `recvmsg`,
//! whose `RecvMsg` nix's `cmsgs()` walks. nix cannot walk a bare buffer:
//! a `RecvMsg` comes only from `recvmsg`, and it keeps the `msghdr`
//! pointing at the control bytes the kernel wrote.

use std::net::UdpSocket;
use std::os::fd::{AsFd, AsRawFd};

use ipv6_core::{ControlBuffer, SocketBackend};
use ipv6_tests::suite::sockets::set_int_option;

use crate::packets::{Control, HOP_LIMIT, TRAFFIC_CLASS};

/// A receiver with `IPV6_RECVTCLASS`, `IPV6_RECVHOPLIMIT`,
/// `IPV6_RECVPKTINFO` and, if `orig_dst`, `IPV6_RECVORIGDSTADDR` on, with
/// two identical datagrams queued for it.
pub struct Queued {
    pub rx: UdpSocket,
    pub expected: Control,
}

impl Queued {
    pub fn new(orig_dst: bool) -> Self {
        let rx = UdpSocket::bind("[::1]:0").expect("bind [::1]");
        let tx = UdpSocket::bind("[::1]:0").expect("bind [::1]");
        let mut options = vec![
            libc::IPV6_RECVTCLASS,
            libc::IPV6_RECVHOPLIMIT,
            libc::IPV6_RECVPKTINFO,
        ];
        if orig_dst {
            options.push(libc::IPV6_RECVORIGDSTADDR);
        }
        for option in options {
            set_int_option(rx.as_fd(), libc::IPPROTO_IPV6, option, 1);
        }
        set_int_option(
            tx.as_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_TCLASS,
            TRAFFIC_CLASS.into(),
        );
        set_int_option(
            tx.as_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_UNICAST_HOPS,
            HOP_LIMIT.into(),
        );
        for _ in 0..2 {
            tx.send_to(b"cmsg", rx.local_addr().unwrap()).expect("send");
        }
        let lo = ipv6_backend_libc::interface_index("lo").expect("lo");
        let expected = Control {
            traffic_class: Some(TRAFFIC_CLASS),
            hop_limit: Some(HOP_LIMIT),
            dst: Some(std::net::Ipv6Addr::LOCALHOST.octets()),
            if_index: lo,
        };
        Queued { rx, expected }
    }

    /// The first datagram's control bytes, received by the libc backend.
    pub fn control_bytes(&self) -> Vec<u8> {
        let mut payload = [0u8; 64];
        let mut control = ControlBuffer::new();
        let meta = ipv6_backend_libc::Socket::new(&self.rx)
            .recv_msg(&mut [&mut payload], &mut control.0)
            .expect("recvmsg");
        assert!(meta.flags.is_empty(), "{meta:?}");
        control.0[..meta.control_len].to_vec()
    }

    /// The descriptor nix receives the second datagram on.
    pub fn raw_fd(&self) -> i32 {
        self.rx.as_raw_fd()
    }
}

/// What nix's `ControlMessageOwned` iteration reports of `msg`.
pub fn nix_walk<S>(msg: &nix::sys::socket::RecvMsg<'_, '_, S>) -> Control {
    use nix::sys::socket::ControlMessageOwned as C;
    let mut out = Control::default();
    for record in msg.cmsgs().expect("control data not truncated") {
        match record {
            C::Ipv6TClass(t) => out.traffic_class = Some(t as u8),
            C::Ipv6HopLimit(h) => out.hop_limit = Some(h as u8),
            C::Ipv6PacketInfo(info) => {
                out.dst = Some(info.ipi6_addr.s6_addr);
                out.if_index = info.ipi6_ifindex;
            }
            C::Ipv6OrigDstAddr(addr) => {
                std::hint::black_box(addr);
            }
            other => panic!("unexpected record {other:?}"),
        }
    }
    out
}
