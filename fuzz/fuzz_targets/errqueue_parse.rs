//! Arbitrary bytes → the error-queue decoders for a platform chosen by the
//! first byte: `ExtendedError::parse` of a record's data and
//! `errqueue::find` over a whole control buffer never panic, and what
//! `parse` accepts encodes back to bytes that parse to the same value, and
//! that `find` finds again in a control record of its own. The same bytes
//! as a backend's error-queue read (`QueuedError::decode`, with flags and a
//! control length chosen by the first byte's upper bits) report what
//! `find` found, or why nothing was.
#![no_main]

use ipv6_core::errqueue::{self, ErrorBuffer, ErrorOrigin, ExtendedError, QueuedError};
use ipv6_core::platform::ControlType;
use ipv6_core::{MsgFlags, Platform, RecvMeta, WireError};
use libfuzzer_sys::fuzz_target;

/// `error`'s text: what it is, its offender, its MTU and its errno.
fn check_display(error: &ExtendedError) {
    let text = error.to_string();
    let what = match error.origin {
        ErrorOrigin::Icmp6 => format!("{} code {}", error.icmp_type, error.code),
        ErrorOrigin::Local => "local error".to_string(),
        other => format!("error of origin {}", other.to_byte()),
    };
    assert!(text.starts_with(&what), "{text}");
    let from = error.offender.map(|o| format!(" from {}", o.ip()));
    let mtu = error.mtu().map(|mtu| format!(": mtu {mtu}"));
    let want = format!(
        "{what}{}{} (errno {})",
        from.unwrap_or_default(),
        mtu.unwrap_or_default(),
        error.errno
    );
    assert_eq!(text, want);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let platform = Platform::ALL[usize::from(selector) % Platform::ALL.len()];
    let recv_err = platform.cmsg(ControlType::RecvErr);

    let found = errqueue::find(&platform, bytes);
    assert!(found.error.is_none() || recv_err.is_some());

    // A backend's read of these control bytes: all of them, or (a faulty
    // backend) one more than the buffer holds; the flags it reported; a
    // payload of the same length into a buffer one byte shorter.
    let upper = usize::from(selector) / Platform::ALL.len();
    let meta = RecvMeta {
        len: bytes.len(),
        control_len: bytes.len() + (upper & 1),
        source: found.error.and_then(|e| e.offender),
        flags: MsgFlags::from_bits_truncate((upper >> 1) as u8),
    };
    let capacity = bytes.len().saturating_sub(1);
    let queued = QueuedError::decode(&platform, &meta, bytes, capacity);
    assert_eq!(queued.len, capacity);
    assert_eq!(queued.destination, meta.source);
    assert_eq!(queued.truncated, meta.flags.contains(MsgFlags::TRUNCATED));
    assert_eq!(
        queued.control_truncated,
        meta.flags.contains(MsgFlags::CONTROL_TRUNCATED)
    );
    if meta.control_len > bytes.len() {
        // Bytes past the buffer are not trusted.
        let beyond = WireError::Truncated {
            needed: meta.control_len,
            available: bytes.len(),
        };
        assert_eq!((queued.error, queued.control_error), (None, Some(beyond)));
    } else {
        assert_eq!(queued.error, found.error);
        // An entry always reports an error or why it has none.
        match (queued.error, found.problem) {
            (_, Some(problem)) => assert_eq!(queued.control_error, Some(problem)),
            (Some(_), None) => assert_eq!(queued.control_error, None),
            (None, None) => assert_eq!(
                queued.control_error,
                Some(WireError::Truncated {
                    needed: ExtendedError::record_len(&platform),
                    available: 0
                })
            ),
        }
    }

    let Ok(error) = ExtendedError::parse(&platform, bytes) else {
        return;
    };
    let mut again = [0u8; 64];
    let len = error
        .encode(&platform, &mut again)
        .expect("room for one record");
    assert_eq!(ExtendedError::parse(&platform, &again[..len]), Ok(error));
    assert_eq!(ErrorOrigin::from_byte(error.origin.to_byte()), error.origin);
    // The MTU is reported only for Packet Too Big and local EMSGSIZE.
    if let Some(mtu) = error.mtu() {
        assert_eq!(mtu, error.info);
    }
    check_display(&error);

    // As the kernel delivers it: one IPV6_RECVERR record of exactly the
    // record's length, which `find` decodes back.
    if let Some((level, kind)) = recv_err {
        assert_eq!(len, ExtendedError::record_len(&platform));
        let mut control = ErrorBuffer::default();
        let mut writer = ipv6_core::cmsg::Writer::new(&platform, &mut control.0);
        writer
            .push(level, kind, &again[..len])
            .expect("an error buffer holds one record");
        let written = writer.len();
        let found = errqueue::find(&platform, &control.0[..written]);
        assert_eq!((found.error, found.problem), (Some(error), None));
    }
});
