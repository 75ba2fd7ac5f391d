//! Classic BPF socket filters (Go's bpf_test.go): what a filter rejects
//! never arrives. On a UDP socket the program sees the datagram from the UDP
//! header on: offset 0 is the source port, the payload starts at 8.

use ipv6_core::{BpfInstruction, Operation as Op, SocketOption as O};

use super::sockets::Sock;
use super::{Backend, Outcome, must};
use crate::netns::Netns;

const LD_B_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
const LD_H_ABS: u16 = 0x28; // BPF_LD | BPF_H | BPF_ABS
const AND_K: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const RET_K: u16 = 0x06; // BPF_RET | BPF_K

const fn op(code: u16, jt: u8, jf: u8, k: u32) -> BpfInstruction {
    BpfInstruction { code, jt, jf, k }
}

/// Accepts datagrams whose first payload byte is even (Go's program).
const EVEN_FIRST_BYTE: [BpfInstruction; 5] = [
    op(LD_B_ABS, 0, 0, 8), // skip the UDP header
    op(AND_K, 0, 0, 1),
    op(JEQ_K, 0, 1, 0),
    op(RET_K, 0, 0, 4096),
    op(RET_K, 0, 0, 0),
];

/// Accepts datagrams from UDP source port `port` only.
fn from_port(port: u16) -> [BpfInstruction; 4] {
    [
        op(LD_H_ABS, 0, 0, 0),
        op(JEQ_K, 0, 1, u32::from(port)),
        op(RET_K, 0, 0, u32::MAX),
        op(RET_K, 0, 0, 0),
    ]
}

/// Go's TestBPF: with the filter attached, bytes 0..=9 are sent and only
/// the even ones arrive (10, sent last, is the sentinel).
pub fn bpf_filter_drops_rejected<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let tx = Sock::<B>::udp_loopback();
    tx.send(&[1], None, rx.local())?;
    assert_eq!(rx.recv()?.payload, [1], "[{}] no filter yet", B::NAME);
    must::<B, _>(&[Op::Set(O::AttachFilter)], rx.set_bpf(&EVEN_FIRST_BYTE))?;
    for b in 0..=10u8 {
        tx.send(&[b], None, rx.local())?;
    }
    for want in (0..=10u8).step_by(2) {
        assert_eq!(rx.recv()?.payload, [want], "[{}] filter", B::NAME);
    }
    rx.assert_silent("odd bytes were sent before 10");
    Some(())
}

/// Offset 0 of a UDP socket's filter is the UDP header: a filter on the
/// source port keeps one sender and drops the other.
pub fn bpf_filter_sees_udp_header<B: Backend>(_: &Netns) -> Outcome {
    let rx = Sock::<B>::udp_loopback();
    let (kept, dropped) = (Sock::<B>::udp_loopback(), Sock::<B>::udp_loopback());
    must::<B, _>(
        &[Op::Set(O::AttachFilter)],
        rx.set_bpf(&from_port(kept.local().port())),
    )?;
    dropped.send(b"dropped", None, rx.local())?;
    kept.send(b"kept", None, rx.local())?;
    let got = rx.recv()?;
    assert_eq!(got.payload, b"kept", "[{}]", B::NAME);
    assert_eq!(got.source, Some(kept.local()), "[{}]", B::NAME);
    rx.assert_silent("the other port was sent first");
    Some(())
}
