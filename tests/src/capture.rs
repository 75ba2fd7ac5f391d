//! A packet capture of the wire with tcpdump, in the calling thread's
//! network namespace, read back as IPv6 headers.
//!
//! tcpdump is a Debian package (`.ci/run` installs it). Without it a capture
//! is skipped with one line on stderr, or fails when `CI=true`, the suite's
//! policy for what the machine must provide.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ipv6_core::{Header, HeaderView};

/// A running capture of `count` packets on one link.
pub struct Capture {
    child: Child,
    file: std::path::PathBuf,
    count: usize,
}

/// Starts tcpdump on `link` for `count` packets matching `filter` and waits
/// until it listens. `None` (after saying so) when tcpdump is missing
/// outside CI.
pub fn start(test: &str, link: &str, filter: &str, count: usize) -> Option<Capture> {
    let file = std::env::temp_dir().join(format!(
        "ipv6-capture-{}-{:?}.pcap",
        std::process::id(),
        std::thread::current().id()
    ));
    let spawned = Command::new("tcpdump")
        .args(["-i", link, "-U", "-n", "-c", &count.to_string(), "-w"])
        .arg(&file)
        .arg(filter)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let what = format!("the wire capture of {test}");
            crate::netns::skip_or_fail(&what, "tcpdump (apt-get install tcpdump)", &e);
            return None;
        }
    };
    // tcpdump says "listening on <link>" once the socket is attached.
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("listening on") => break,
            Some(Ok(_)) => {}
            other => {
                let _ = child.kill();
                panic!("{test}: tcpdump stopped before listening: {other:?}");
            }
        }
    }
    // Keep draining its stderr so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Some(Capture { child, file, count })
}

impl Capture {
    /// Waits for tcpdump to have its packets and exit, and returns each
    /// packet's IPv6 header (the link is `lo` or Ethernet: 14 bytes of
    /// link header).
    pub fn finish(mut self) -> Vec<Header> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait().expect("tcpdump status") {
                Some(status) => {
                    assert!(status.success(), "tcpdump failed: {status}");
                    break;
                }
                None if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("tcpdump did not see {} packets in 10 s", self.count);
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let bytes = std::fs::read(&self.file).expect("read the capture");
        let _ = std::fs::remove_file(&self.file);
        ipv6_headers(&bytes)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // Only reached without `finish` (a failing scenario): end the
        // tcpdump this capture started, by its own pid.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The IPv6 headers of the packets of a classic pcap file with Ethernet
/// framing (`DLT_EN10MB`, which Linux's `lo` also uses).
fn ipv6_headers(pcap: &[u8]) -> Vec<Header> {
    assert!(pcap.len() >= 24, "short pcap file");
    let little = match pcap[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => panic!("not a pcap file"),
    };
    let u32_at = |b: &[u8]| {
        let raw = [b[0], b[1], b[2], b[3]];
        if little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        }
    };
    assert_eq!(u32_at(&pcap[20..]), 1, "link type is not Ethernet");
    let mut headers = Vec::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let captured = u32_at(&pcap[at + 8..]) as usize;
        let frame = &pcap[at + 16..(at + 16 + captured).min(pcap.len())];
        // Ethertype 0x86dd after two MAC addresses.
        assert_eq!(&frame[12..14], &[0x86, 0xdd], "not an IPv6 frame");
        let view = HeaderView::new_checked(&frame[14..]).expect("an IPv6 header");
        headers.push(Header::from_view(&view));
        at += 16 + captured;
    }
    headers
}
