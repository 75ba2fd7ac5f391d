//! Walking and writing `cmsghdr` records for any [`Platform`].
//!
//! A control buffer is a run of records, each
//! `struct cmsghdr { cmsg_len; int cmsg_level; int cmsg_type; }` followed by
//! its data at `CMSG_LEN(0)` and padding up to `CMSG_SPACE(data_len)`. The
//! width of `cmsg_len`, the header size and the alignment come from
//! [`CmsgLayout`]; integers use the platform's byte order, so a buffer of any
//! supported OS can be read or written on any host. Bytes are read one by one:
//! the buffer needs no alignment.
//!
//! "Header" below means `CMSG_LEN(0)`, the header rounded up to the
//! alignment. It equals `sizeof(struct cmsghdr)` on Linux and Darwin; on the
//! 64-bit BSDs it is 16 for a 12-byte `cmsghdr`, which is what their
//! `CMSG_NXTHDR` and Go's `internal/socket` demand of every record.

use core::iter::FusedIterator;

use crate::error::WireError;
use crate::platform::{CmsgLayout, Endian, Platform};

/// One control message: its level, type and data (without padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cmsg<'a> {
    /// `cmsg_level`, e.g. `IPPROTO_IPV6`.
    pub level: i32,
    /// `cmsg_type`, e.g. `IPV6_PKTINFO`.
    pub kind: i32,
    /// The bytes from `CMSG_DATA` to `cmsg_len`.
    pub data: &'a [u8],
}

/// Iterator over the records of a received control buffer.
///
/// It follows the C macros and Go's `ControlMessage.Parse`:
/// - a record starts wherever at least a header's worth of bytes remains;
///   fewer trailing bytes are ignored, as `CMSG_NXTHDR` ignores them;
/// - `cmsg_len` below the header yields [`WireError::CmsgLenTooSmall`] and
///   `cmsg_len` past the end yields [`WireError::CmsgLenOverrun`]; the
///   iterator ends after either, so hostile lengths cannot make it loop;
/// - the next record is `CMSG_ALIGN(cmsg_len)` further on. The padding of
///   the last record may be missing (kernels stop at `cmsg_len`), and
///   padding bytes are never read (Linux leaves them uninitialised).
///
/// A `cmsg_len` that does not fit `usize` (a 64-bit length read on a 32-bit
/// host) is reported as `usize::MAX` in the overrun error.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    layout: CmsgLayout,
    endian: Endian,
    /// Where a record's data starts: `CMSG_LEN(0)`, and at least the three
    /// fields, even for a hand-made layout, so that reading them cannot
    /// fail and every record moves the walk forward. Resolved once per
    /// walk rather than per record.
    header: usize,
    buf: &'a [u8],
    /// Offset of the next record; `buf.len()` once finished.
    offset: usize,
}

impl<'a> Iter<'a> {
    /// Walks `buf` with `platform`'s framing.
    #[inline(always)]
    pub fn new(platform: &Platform, buf: &'a [u8]) -> Self {
        let layout = platform.cmsg_layout;
        Iter {
            layout,
            endian: platform.endian,
            header: layout.data_offset().max(layout.len_size + 8),
            buf,
            offset: 0,
        }
    }

    fn finish(&mut self) {
        self.offset = self.buf.len();
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Result<Cmsg<'a>, WireError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let len_size = self.layout.len_size;
        let header = self.header;
        let offset = self.offset;
        let rest = self.buf.get(offset..)?;
        if rest.len() < header {
            self.finish();
            return None;
        }
        let raw_len = self.endian.read_uint(rest, len_size);
        let cmsg_len = usize::try_from(raw_len).unwrap_or(usize::MAX);
        if cmsg_len < header {
            self.finish();
            return Some(Err(WireError::CmsgLenTooSmall { offset, cmsg_len }));
        }
        if cmsg_len > rest.len() {
            self.finish();
            return Some(Err(WireError::CmsgLenOverrun {
                offset,
                cmsg_len,
                available: rest.len(),
            }));
        }
        let level = self.endian.read_u32(&rest[len_size..]) as i32;
        let kind = self.endian.read_u32(&rest[len_size + 4..]) as i32;
        let data = &rest[header..cmsg_len];
        // Past the end means this was the last record (its padding omitted):
        // the next call then sees no bytes and stops.
        self.offset = offset
            .checked_add(self.layout.align_up(cmsg_len))
            .map_or(self.buf.len(), |next| next.min(self.buf.len()));
        Some(Ok(Cmsg { level, kind, data }))
    }
}

impl FusedIterator for Iter<'_> {}

/// Appends records to a control buffer for sending.
///
/// Each record occupies exactly `CMSG_SPACE(data_len)` bytes: header, data
/// and zeroed padding, as glibc's and Go's encoders lay them out.
#[derive(Debug)]
pub struct Writer<'a> {
    layout: CmsgLayout,
    endian: Endian,
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// Writes records to the start of `buf` with `platform`'s framing.
    #[inline(always)]
    pub fn new(platform: &Platform, buf: &'a mut [u8]) -> Self {
        Writer {
            layout: platform.cmsg_layout,
            endian: platform.endian,
            buf,
            len: 0,
        }
    }

    /// Appends a record with `data_len` zeroed data bytes and returns the data
    /// for the caller to fill. Nothing is written if it does not fit.
    #[inline(always)]
    pub fn append(
        &mut self,
        level: i32,
        kind: i32,
        data_len: usize,
    ) -> Result<&mut [u8], WireError> {
        // Saturating: `data_len` is the caller's and may be absurd.
        let space = self
            .layout
            .data_offset()
            .saturating_add(self.layout.align_up(data_len));
        if space > self.buf.len() - self.len {
            return Err(WireError::BufferTooSmall {
                needed: self.len.saturating_add(space),
                available: self.buf.len(),
            });
        }
        let record = &mut self.buf[self.len..self.len + space];
        record.fill(0);
        let len_size = self.layout.len_size;
        self.endian
            .write_uint(record, len_size, self.layout.len(data_len) as u64);
        self.endian.write_u32(&mut record[len_size..], level as u32);
        self.endian
            .write_u32(&mut record[len_size + 4..], kind as u32);
        self.len += space;
        let start = self.layout.data_offset();
        Ok(&mut record[start..start + data_len])
    }

    /// Appends a record carrying a copy of `data`.
    pub fn push(&mut self, level: i32, kind: i32, data: &[u8]) -> Result<(), WireError> {
        self.append(level, kind, data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Bytes written so far (the `msg_controllen` to send).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if no record has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    const V6: i32 = crate::platform::IPPROTO_IPV6;

    fn collect<'a>(p: &Platform, b: &'a [u8]) -> Vec<Result<Cmsg<'a>, WireError>> {
        Iter::new(p, b).collect()
    }

    /// A LINUX_64 header: 8-byte length, level, type.
    fn linux64_header(len: u64, level: i32, kind: i32) -> [u8; 16] {
        let mut h = [0u8; 16];
        h[..8].copy_from_slice(&len.to_le_bytes());
        h[8..12].copy_from_slice(&level.to_le_bytes());
        h[12..].copy_from_slice(&kind.to_le_bytes());
        h
    }

    #[test]
    fn writer_matches_glibc_cmsg_macros_on_linux_x86_64() {
        // Built here with glibc's CMSG_FIRSTHDR/CMSG_NXTHDR/CMSG_LEN for
        // (IPPROTO_IPV6, IPV6_HOPLIMIT = 52, int 7) then (41, 99, 1 byte 0xab).
        let expected: [u8; 48] = [
            0x14, 0, 0, 0, 0, 0, 0, 0, 0x29, 0, 0, 0, 0x34, 0, 0, 0, //
            7, 0, 0, 0, 0, 0, 0, 0, //
            0x11, 0, 0, 0, 0, 0, 0, 0, 0x29, 0, 0, 0, 0x63, 0, 0, 0, //
            0xab, 0, 0, 0, 0, 0, 0, 0,
        ];
        let mut buf = [0xffu8; 64];
        let mut w = Writer::new(&Platform::LINUX_64, &mut buf);
        w.push(V6, 52, &7u32.to_le_bytes()).unwrap();
        w.push(V6, 99, &[0xab]).unwrap();
        assert_eq!(w.len(), 48);
        assert_eq!(&buf[..48], &expected);
        assert_eq!(
            &buf[48..],
            &[0xff; 16],
            "bytes past the records are untouched"
        );
    }

    #[test]
    fn writer_pads_the_bsd_header_and_uses_big_endian_when_asked() {
        let p = Platform::FREEBSD_64.with_endian(Endian::Big);
        let mut buf = [0xffu8; 24];
        let mut w = Writer::new(&p, &mut buf);
        w.push(V6, 47, &[0, 0, 0, 9]).unwrap();
        assert_eq!(w.len(), 24);
        assert_eq!(
            buf,
            [
                0, 0, 0, 20, 0, 0, 0, 41, 0, 0, 0, 47, 0, 0, 0, 0, // header + _ALIGN pad
                0, 0, 0, 9, 0, 0, 0, 0,
            ]
        );
    }

    #[test]
    fn writer_refuses_what_does_not_fit_and_writes_nothing() {
        let mut buf = [0xffu8; 40];
        let mut w = Writer::new(&Platform::LINUX_64, &mut buf);
        w.push(V6, 67, &[1, 0, 0, 0]).unwrap();
        assert_eq!(
            w.append(V6, 50, 20),
            Err(WireError::BufferTooSmall {
                needed: 64,
                available: 40
            })
        );
        assert_eq!(w.len(), 24);
        assert_eq!(&buf[24..], &[0xff; 16]);
    }

    #[test]
    fn walker_reads_back_what_the_writer_wrote_on_every_platform() {
        for p in Platform::ALL {
            let mut buf = [0u8; 128];
            let mut w = Writer::new(&p, &mut buf);
            w.push(V6, 1, &[]).unwrap();
            w.push(7, -2, &[1, 2, 3]).unwrap();
            w.push(V6, 3, &[9; 20]).unwrap();
            let n = w.len();
            let got = collect(&p, &buf[..n]);
            assert_eq!(
                got,
                [
                    Ok(Cmsg {
                        level: V6,
                        kind: 1,
                        data: &[]
                    }),
                    Ok(Cmsg {
                        level: 7,
                        kind: -2,
                        data: &[1, 2, 3]
                    }),
                    Ok(Cmsg {
                        level: V6,
                        kind: 3,
                        data: &[9; 20]
                    }),
                ],
                "{:?}",
                p.os
            );
        }
    }

    #[test]
    fn last_record_may_lack_its_padding() {
        // cmsg_len 17 (1 data byte) and nothing after it: the kernel's way.
        let mut b = [0u8; 17];
        b[..16].copy_from_slice(&linux64_header(17, V6, 5));
        b[16] = 0x5a;
        let got = collect(&Platform::LINUX_64, &b);
        assert_eq!(
            got,
            [Ok(Cmsg {
                level: V6,
                kind: 5,
                data: &[0x5a]
            })]
        );
    }

    /// Hostile framing on LINUX_64 (header 16, align 8) unless noted.
    #[test]
    fn hostile_framing_yields_exact_errors() {
        type Case = (
            &'static str,
            Platform,
            Vec<u8>,
            Vec<Result<(i32, i32, usize), WireError>>,
        );
        let l64 = Platform::LINUX_64;
        let rec = |len: u64, kind: i32, data: &[u8]| {
            let mut v = linux64_header(len, V6, kind).to_vec();
            v.extend_from_slice(data);
            v
        };
        let cat = |parts: &[&[u8]]| parts.concat();
        let cases: [Case; 12] = [
            ("empty buffer", l64, vec![], vec![]),
            (
                "cmsg_len 0",
                l64,
                rec(0, 1, &[]),
                vec![Err(WireError::CmsgLenTooSmall {
                    offset: 0,
                    cmsg_len: 0,
                })],
            ),
            (
                "cmsg_len below the header",
                l64,
                rec(15, 1, &[0]),
                vec![Err(WireError::CmsgLenTooSmall {
                    offset: 0,
                    cmsg_len: 15,
                })],
            ),
            (
                "cmsg_len past the end",
                l64,
                rec(25, 1, &[0; 8]),
                vec![Err(WireError::CmsgLenOverrun {
                    offset: 0,
                    cmsg_len: 25,
                    available: 24,
                })],
            ),
            (
                "huge 64-bit cmsg_len",
                l64,
                rec(u64::MAX, 1, &[]),
                vec![Err(WireError::CmsgLenOverrun {
                    offset: 0,
                    cmsg_len: usize::MAX,
                    available: 16,
                })],
            ),
            (
                "cmsg_len that would wrap when aligned",
                l64,
                rec(u64::MAX - 3, 1, &[]),
                vec![Err(WireError::CmsgLenOverrun {
                    offset: 0,
                    cmsg_len: usize::MAX - 3,
                    available: 16,
                })],
            ),
            (
                "trailing partial header is ignored",
                l64,
                cat(&[&rec(16, 1, &[]), &[0x30; 15]]),
                vec![Ok((V6, 1, 0))],
            ),
            (
                "error after a good record names its offset",
                l64,
                cat(&[&rec(20, 1, &[1; 8]), &rec(3, 2, &[])]),
                vec![
                    Ok((V6, 1, 4)),
                    Err(WireError::CmsgLenTooSmall {
                        offset: 24,
                        cmsg_len: 3,
                    }),
                ],
            ),
            (
                "unknown levels and types are records like any other",
                l64,
                cat(&[&linux64_header(16, -1, i32::MIN), &linux64_header(16, 0, 0)]),
                vec![Ok((-1, i32::MIN, 0)), Ok((0, 0, 0))],
            ),
            // A 1-byte record is followed by the next at CMSG_ALIGN(17) = 24,
            // not at 17: a record packed at 17 is misread from offset 24, where
            // its length's last byte, level and type form cmsg_len 0x0200_0000_2900.
            (
                "misaligned second record",
                l64,
                cat(&[&rec(17, 1, &[0xaa]), &rec(16, 2, &[0; 7])]),
                vec![
                    Ok((V6, 1, 1)),
                    Err(WireError::CmsgLenOverrun {
                        offset: 24,
                        cmsg_len: 0x0200_0000_2900,
                        available: 16,
                    }),
                ],
            ),
            // FreeBSD: sizeof(cmsghdr) is 12 but CMSG_LEN(0) is 16.
            (
                "BSD cmsg_len 12 is below CMSG_LEN(0)",
                Platform::FREEBSD_64,
                [
                    12u32.to_le_bytes(),
                    41u32.to_le_bytes(),
                    46u32.to_le_bytes(),
                    [0; 4],
                ]
                .concat(),
                vec![Err(WireError::CmsgLenTooSmall {
                    offset: 0,
                    cmsg_len: 12,
                })],
            ),
            (
                "Darwin cmsg_len 12 is an empty record",
                Platform::DARWIN,
                [
                    12u32.to_le_bytes(),
                    41u32.to_le_bytes(),
                    46u32.to_le_bytes(),
                ]
                .concat(),
                vec![Ok((V6, 46, 0))],
            ),
        ];
        for (name, p, bytes, want) in cases {
            let got: Vec<_> = Iter::new(&p, &bytes)
                .map(|r| r.map(|c| (c.level, c.kind, c.data.len())))
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn iterator_is_fused_after_an_error() {
        let b = linux64_header(0, V6, 1);
        let mut it = Iter::new(&Platform::LINUX_64, &b);
        assert!(matches!(it.next(), Some(Err(_))));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
    }

    proptest! {
        /// Any bytes: no panic, every record lies inside the buffer on its
        /// platform's alignment, at most one error and it comes last, and the
        /// walk takes at most one step per header's worth of bytes.
        #[test]
        fn walker_stays_in_bounds(bytes in proptest::collection::vec(any::<u8>(), 0..160), big in any::<bool>()) {
            for p in Platform::ALL {
                let p = if big { p.with_endian(Endian::Big) } else { p };
                let base = bytes.as_ptr() as usize;
                let mut steps = 0;
                let mut saw_error = false;
                for item in Iter::new(&p, &bytes) {
                    prop_assert!(!saw_error, "an item followed an error");
                    steps += 1;
                    match item {
                        Ok(c) => {
                            let start = c.data.as_ptr() as usize - base;
                            prop_assert!(start + c.data.len() <= bytes.len());
                            prop_assert_eq!((start - p.cmsg_layout.data_offset()) % p.cmsg_layout.align, 0);
                        }
                        Err(_) => saw_error = true,
                    }
                }
                prop_assert!(steps <= bytes.len() / p.cmsg_layout.data_offset() + 1);
            }
        }

        /// What the writer emits, the walker returns unchanged.
        #[test]
        fn writer_round_trips(records in proptest::collection::vec((any::<i32>(), any::<i32>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..5)) {
            for p in Platform::ALL {
                let mut buf = [0u8; 5 * 64];
                let mut w = Writer::new(&p, &mut buf);
                for (level, kind, data) in &records {
                    w.push(*level, *kind, data).unwrap();
                }
                let expected_len: usize = records.iter().map(|r| p.cmsg_layout.space(r.2.len())).sum();
                prop_assert_eq!(w.len(), expected_len);
                let n = w.len();
                let got: Vec<_> = Iter::new(&p, &buf[..n])
                    .map(|r| r.map(|c| (c.level, c.kind, c.data.to_vec())))
                    .collect();
                let want: Vec<_> = records.iter().cloned().map(Ok).collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
