//! Socket option values and the sockaddr structs, on any platform: every
//! option's `encode` is refused or round-trips through `decode` where the
//! option can be read; the sockaddr decoders never panic and what they
//! accept re-encodes to the same bytes; every encoder refuses a buffer one
//! byte short and writes nothing then.
#![no_main]

use std::net::{Ipv6Addr, SocketAddrV6};

use arbitrary::Unstructured;
use ipv6_core::option::{self, Encoded, Group, OptionBuffer, OptionValue, SocketOption};
use ipv6_core::platform::Endian;
use ipv6_core::{BpfInstruction, IcmpFilter, Platform, sockaddr};
use libfuzzer_sys::fuzz_target;

/// A value of any kind, the option's or not.
fn value<'a>(
    u: &mut Unstructured<'_>,
    program: &'a [BpfInstruction],
) -> arbitrary::Result<OptionValue<'a>> {
    let group = |u: &mut Unstructured<'_>| -> arbitrary::Result<Group> {
        Ok(Group {
            interface: u.arbitrary()?,
            group: Ipv6Addr::from(u.arbitrary::<[u8; 16]>()?),
        })
    };
    Ok(match u.int_in_range(0..=7)? {
        0 => OptionValue::Int(u.arbitrary()?),
        1 => OptionValue::Bool(u.arbitrary()?),
        2 => OptionValue::Interface(u.arbitrary()?),
        3 => OptionValue::Membership(group(u)?),
        4 => OptionValue::SourceMembership {
            group: group(u)?,
            source: Ipv6Addr::from(u.arbitrary::<[u8; 16]>()?),
        },
        5 => OptionValue::Filter(u.arbitrary::<IcmpFilter>()?),
        6 => OptionValue::Program(program),
        _ => OptionValue::Mtu(u.arbitrary()?),
    })
}

fn platform(u: &mut Unstructured<'_>) -> arbitrary::Result<Platform> {
    let p = *u.choose(&Platform::ALL)?;
    Ok(if u.arbitrary()? {
        p.with_endian(Endian::Big)
    } else {
        p
    })
}

fn run(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let p = platform(u)?;
    let program = [BpfInstruction {
        code: u.arbitrary()?,
        jt: u.arbitrary()?,
        jf: u.arbitrary()?,
        k: u.arbitrary()?,
    }];

    // Options: set, then read back what was set where it can be read.
    let opt = *u.choose(&SocketOption::ALL)?;
    assert!(!opt.to_string().is_empty() && !opt.kind().to_string().is_empty());
    // Every writable option has a public setter; a readable one a getter,
    // except the receive options, which only the backends read back.
    assert_eq!(opt.writable(), !opt.setter().is_empty());
    assert!(!opt.readable() || !opt.getter().is_empty() || opt.setter() == "set_control_message");
    assert!(p.option_len(opt) <= option::MAX_OPTION_LEN);
    let v = value(u, &program)?;
    let mut buf = OptionBuffer::default();
    match option::encode(&p, opt, &v, &mut buf.0) {
        Ok((row, Encoded::Bytes(bytes))) => {
            assert_eq!(Some(row), p.sockopt(opt));
            assert_eq!(bytes.len(), p.option_len(opt));
            // One byte short is refused.
            let short = bytes.len() - 1;
            let mut small = OptionBuffer::default();
            assert!(option::encode(&p, opt, &v, &mut small.0[..short]).is_err());
            if opt.readable() {
                let back = option::decode(&p, opt, bytes).expect("own encoding decodes");
                let want = match v {
                    OptionValue::Int(i) => OptionValue::Int(i),
                    OptionValue::Bool(b) => OptionValue::Bool(b),
                    OptionValue::Interface(i) => OptionValue::Interface(i),
                    OptionValue::Filter(f) => OptionValue::Filter(f),
                    other => panic!("{opt} is readable but encoded {other:?}"),
                };
                assert_eq!(back, want);
            }
        }
        Ok((_, Encoded::Program(got))) => assert_eq!(got, &program[..]),
        Err(_) => {}
    }
    // Any bytes: decode never panics.
    let raw: &[u8] = u.arbitrary()?;
    let _ = option::decode(&p, opt, raw);

    // sockaddr_in6: decode any bytes; what decodes re-encodes to the same
    // port, flow information, address and scope (bytes 2..28), whatever the
    // family bytes and any reserved tail (illumos' __sin6_src_id) held.
    let raw: &[u8] = u.arbitrary()?;
    if let Ok(addr) = sockaddr::decode_sockaddr_in6(&p, raw) {
        let mut out = [0u8; 128];
        let n = sockaddr::encode_sockaddr_in6(&p, &addr, &mut out).unwrap();
        assert_eq!(sockaddr::decode_sockaddr_in6(&p, &out[..n]), Ok(addr));
        assert_eq!(out[2..28], raw[2..28]);
    }
    let addr = SocketAddrV6::new(
        Ipv6Addr::from(u.arbitrary::<[u8; 16]>()?),
        u.arbitrary()?,
        u.arbitrary()?,
        u.arbitrary()?,
    );
    let len = p.layouts.sockaddr_in6;
    let mut out = [0xa5u8; 128];
    assert!(sockaddr::encode_sockaddr_in6(&p, &addr, &mut out[..len - 1]).is_err());
    assert_eq!(sockaddr::encode_sockaddr_in6(&p, &addr, &mut out), Ok(len));
    assert_eq!(sockaddr::decode_sockaddr_in6(&p, &out[..len]), Ok(addr));
    assert!(sockaddr::decode_sockaddr_in6(&p, &out[..len - 1]).is_err());

    // ip6_mtuinfo: encode, decode, the MTU alone; short buffers refused.
    let mtu: u32 = u.arbitrary()?;
    let len = p.layouts.ip6_mtuinfo;
    let mut info = [0u8; 128];
    assert!(sockaddr::encode_ip6_mtuinfo(&p, &addr, mtu, &mut info[..len - 1]).is_err());
    assert_eq!(
        sockaddr::encode_ip6_mtuinfo(&p, &addr, mtu, &mut info),
        Ok(len)
    );
    assert_eq!(
        sockaddr::decode_ip6_mtuinfo(&p, &info[..len]),
        Ok((addr, mtu))
    );
    assert_eq!(sockaddr::decode_mtu(&p, &info[..len]), Ok(mtu));
    assert!(sockaddr::decode_ip6_mtuinfo(&p, &info[..len - 1]).is_err());
    assert!(sockaddr::decode_mtu(&p, &info[..len - 1]).is_err());
    let raw: &[u8] = u.arbitrary()?;
    let _ = (
        sockaddr::decode_ip6_mtuinfo(&p, raw),
        sockaddr::decode_mtu(&p, raw),
    );

    // int: round trip and short buffers.
    let i: i32 = u.arbitrary()?;
    let mut four = [0u8; 4];
    assert_eq!(sockaddr::encode_int(&p, i, &mut four), Ok(4));
    assert_eq!(sockaddr::decode_int(&p, &four), Ok(i));
    assert!(sockaddr::encode_int(&p, i, &mut four[..3]).is_err());
    assert!(sockaddr::decode_int(&p, &four[..3]).is_err());

    // Membership structs: exact length, short buffers refused.
    let (ifindex, group, source) = (
        u.arbitrary::<u32>()?,
        Ipv6Addr::from(u.arbitrary::<[u8; 16]>()?),
        Ipv6Addr::from(u.arbitrary::<[u8; 16]>()?),
    );
    let mut req = [0u8; 1024];
    for (len, result, short) in [
        (
            p.layouts.ipv6_mreq,
            sockaddr::encode_ipv6_mreq(&p, ifindex, group, &mut req),
            sockaddr::encode_ipv6_mreq(
                &p,
                ifindex,
                group,
                &mut [0u8; 1024][..p.layouts.ipv6_mreq - 1],
            ),
        ),
        (
            p.layouts.group_req,
            sockaddr::encode_group_req(&p, ifindex, group, &mut req),
            sockaddr::encode_group_req(
                &p,
                ifindex,
                group,
                &mut [0u8; 1024][..p.layouts.group_req - 1],
            ),
        ),
        (
            p.layouts.group_source_req,
            sockaddr::encode_group_source_req(&p, ifindex, group, source, &mut req),
            sockaddr::encode_group_source_req(
                &p,
                ifindex,
                group,
                source,
                &mut [0u8; 1024][..p.layouts.group_source_req - 1],
            ),
        ),
    ] {
        assert_eq!(result, Ok(len));
        assert!(short.is_err());
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
