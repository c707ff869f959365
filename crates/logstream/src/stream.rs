//! The incremental parser: bytes in, in chunks of any size; complete lines out as events.
//! Lines are split on `\n` bytes before decoding, so a UTF-8 character split across chunks is
//! whole by the time its line is decoded. Memory is bounded: a partial line keeps at most
//! `max_line_bytes`, the ring keeps `ring_lines` lines of at most `ring_line_bytes` each.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::Instant;

use crate::ndjson::{self, LineCtx, Scratch};
use crate::out::Out;
use crate::state::State;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ndjson,
    Text,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub max_line_bytes: usize,
    pub ring_lines: usize,
    pub ring_line_bytes: usize,
    pub preview_chars: usize,
    pub unknown_data_bytes: usize,
    pub start_offset: u64,
    pub idle_marker: Option<String>,
    pub error_marker: Option<String>,
    /// The state to start from: a log resumed at an offset continues a worker already known.
    pub initial_state: State,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::Ndjson,
            max_line_bytes: 1 << 20,
            ring_lines: 1000,
            ring_line_bytes: 4096,
            preview_chars: 1000,
            unknown_data_bytes: 4096,
            start_offset: 0,
            idle_marker: None,
            error_marker: None,
            initial_state: State::Starting,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub bytes: u64,
    pub lines: u64,
    pub events: u64,
    pub unparsed: u64,
    pub truncated: u64,
    pub buffered_bytes: usize,
    pub offset: u64,
    pub state: State,
    pub ms_since_last_event: Option<f64>,
}

pub struct LogStream {
    opts: Options,
    /// The start of a line not yet ended, at most `max_line_bytes` of it.
    carry: Vec<u8>,
    /// The partial line's real length, which may exceed what `carry` keeps.
    carry_len: u64,
    offset: u64,
    bytes: u64,
    lines: u64,
    events: u64,
    unparsed: u64,
    truncated: u64,
    state: State,
    last_event: Option<Instant>,
    ring: VecDeque<String>,
    out: Out,
    scratch: Scratch,
}

/// Cut `bytes` to at most `cap`, backing off to the start of a UTF-8 character.
pub fn cap_at_char(bytes: &[u8], cap: usize) -> &[u8] {
    if bytes.len() <= cap {
        return bytes;
    }
    let mut cut = cap;
    while cut > 0 && cut + 3 > cap && (bytes[cut] & 0xc0) == 0x80 {
        cut -= 1;
    }
    &bytes[..cut]
}

/// Text mode's state signal: a non-blank line means working, unless it holds a marker.
fn text_signal(opts: &Options, line: &str) -> Option<State> {
    if line.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    if opts.error_marker.as_deref().is_some_and(|m| !m.is_empty() && line.contains(m)) {
        return Some(State::Error);
    }
    if opts.idle_marker.as_deref().is_some_and(|m| !m.is_empty() && line.contains(m)) {
        return Some(State::Idle);
    }
    Some(State::Working)
}

impl LogStream {
    pub fn new(opts: Options) -> Self {
        let state = opts.initial_state;
        LogStream {
            offset: opts.start_offset,
            opts,
            carry: Vec::new(),
            carry_len: 0,
            bytes: 0,
            lines: 0,
            events: 0,
            unparsed: 0,
            truncated: 0,
            state,
            last_event: None,
            ring: VecDeque::new(),
            out: Out::new(),
            scratch: Scratch::default(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Feed a chunk; returns the events of the lines it completed, as a JSON array.
    pub fn feed(&mut self, chunk: &[u8]) -> &str {
        self.out.reset();
        self.bytes += chunk.len() as u64;
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            let (head, tail) = (&rest[..nl], &rest[nl + 1..]);
            if self.carry_len == 0 {
                let len = head.len() as u64;
                self.line(head, len, 1);
            } else {
                self.append_carry(head);
                let carry = std::mem::take(&mut self.carry);
                let len = self.carry_len;
                self.line(&carry, len, 1);
                self.carry = carry;
                self.carry.clear();
                self.carry_len = 0;
            }
            rest = tail;
        }
        self.append_carry(rest);
        self.finish()
    }

    /// The stream ended: a last line without a newline becomes events too.
    pub fn end(&mut self) -> &str {
        self.out.reset();
        if self.carry_len > 0 {
            let carry = std::mem::take(&mut self.carry);
            let len = self.carry_len;
            self.line(&carry, len, 0);
            self.carry = carry;
            self.carry.clear();
            self.carry_len = 0;
        }
        self.finish()
    }

    fn finish(&mut self) -> &str {
        self.events += self.out.count as u64;
        if self.out.count > 0 {
            self.last_event = Some(Instant::now());
        }
        self.out.finish()
    }

    fn append_carry(&mut self, bytes: &[u8]) {
        let room = self.opts.max_line_bytes.saturating_sub(self.carry.len());
        self.carry.extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.carry_len += bytes.len() as u64;
    }

    /// One line: `kept` is what was kept of it (all of it unless it was too long), `len` its
    /// real length, `newline` 1 when a newline ended it.
    fn line(&mut self, kept: &[u8], len: u64, newline: u64) {
        self.lines += 1;
        self.offset += len + newline;
        let truncated = len > self.opts.max_line_bytes as u64;
        let mut kept = cap_at_char(kept, self.opts.max_line_bytes);
        if truncated {
            self.truncated += 1;
        } else if kept.last() == Some(&b'\r') && self.opts.mode == Mode::Ndjson {
            kept = &kept[..kept.len() - 1];
        }
        // The fast check first: from_utf8_lossy walks byte by byte even when all is well.
        let decoded: Cow<'_, str> = match std::str::from_utf8(kept) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(kept),
        };
        let mut cx = LineCtx {
            line: self.lines,
            offset: self.offset,
            preview_chars: self.opts.preview_chars,
            unknown_data_bytes: self.opts.unknown_data_bytes,
            state: self.state,
            unparsed: 0,
            out: &mut self.out,
        };
        let (signal, ring_text): (Option<State>, Option<Cow<'_, str>>) = match self.opts.mode {
            Mode::Ndjson => {
                if decoded.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                    (None, None)
                } else if truncated {
                    ndjson::unparsed(&decoded, "line too long", true, &mut cx);
                    (None, Some(decoded.clone()))
                } else {
                    let signal = ndjson::line_events(&decoded, &mut cx, &mut self.scratch);
                    (signal, Some(decoded.clone()))
                }
            }
            Mode::Text => {
                let rendered = text::render(&decoded);
                cx.out.begin("line", cx.line, cx.offset);
                cx.out.str("text", &rendered);
                cx.out.bool("truncated", truncated);
                cx.out.end();
                let signal = text_signal(&self.opts, &rendered);
                (signal, Some(rendered))
            }
        };
        self.unparsed += cx.unparsed;
        if let Some(text) = ring_text {
            self.remember(&text);
        }
        if let Some(next) = signal {
            if next != self.state {
                let previous = self.state;
                self.state = next;
                self.out.begin("state", self.lines, self.offset);
                self.out.raw("state", &format!("\"{}\"", next.as_str()));
                self.out.raw("previous", &format!("\"{}\"", previous.as_str()));
                self.out.end();
            }
        }
    }

    fn remember(&mut self, line: &str) {
        if self.opts.ring_lines == 0 {
            return;
        }
        // `line` is valid UTF-8, so a cut on a character boundary is too: no need to check it again.
        let kept = line
            .get(..cap_at_char(line.as_bytes(), self.opts.ring_line_bytes).len())
            .unwrap_or("");
        // Reuse the evicted line's allocation.
        let mut slot = if self.ring.len() >= self.opts.ring_lines {
            self.ring.pop_front().unwrap_or_default()
        } else {
            String::new()
        };
        slot.clear();
        slot.push_str(kept);
        self.ring.push_back(slot);
    }

    /// The last `max` remembered lines (oldest first) that contain `contains`.
    pub fn tail(&self, max: usize, contains: Option<&str>) -> Vec<&str> {
        let mut picked: Vec<&str> = self
            .ring
            .iter()
            .rev()
            .filter(|line| contains.is_none_or(|c| line.contains(c)))
            .take(max)
            .map(String::as_str)
            .collect();
        picked.reverse();
        picked
    }

    pub fn stats(&self) -> Stats {
        Stats {
            bytes: self.bytes,
            lines: self.lines,
            events: self.events,
            unparsed: self.unparsed,
            truncated: self.truncated,
            buffered_bytes: self.carry.len(),
            offset: self.offset,
            state: self.state,
            ms_since_last_event: self.last_event.map(|t| t.elapsed().as_secs_f64() * 1000.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(opts: Options, input: &[u8], chunk: usize) -> String {
        let mut s = LogStream::new(opts);
        let mut events: Vec<String> = Vec::new();
        let mut take = |batch: &str| {
            let inner = &batch[1..batch.len() - 1];
            if !inner.is_empty() {
                events.push(inner.to_owned());
            }
        };
        for piece in input.chunks(chunk.max(1)) {
            take(s.feed(piece));
        }
        take(s.end());
        events.join(",")
    }

    #[test]
    fn chunking_does_not_change_events() {
        let input =
            "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"é😀\"}]}}\nnot json\n\n{\"type\":\"x\"}"
                .as_bytes();
        let whole = feed_all(Options::default(), input, input.len());
        for chunk in 1..input.len() {
            assert_eq!(feed_all(Options::default(), input, chunk), whole, "chunk {chunk}");
        }
    }

    #[test]
    fn long_lines_are_capped_and_buffered_bytes_bounded() {
        let opts = Options {
            max_line_bytes: 16,
            ..Options::default()
        };
        let mut s = LogStream::new(opts);
        for _ in 0..100 {
            s.feed(b"0123456789");
            assert!(s.stats().buffered_bytes <= 16);
        }
        let out = s.feed(b"\n").to_owned();
        assert!(out.contains("\"reason\":\"line too long\""), "{out}");
        assert_eq!(s.stats().truncated, 1);
        assert_eq!(s.stats().offset, 1001);
    }

    #[test]
    fn cap_backs_off_to_a_character_start() {
        assert_eq!(cap_at_char("aé".as_bytes(), 2), b"a");
        assert_eq!(cap_at_char("a😀".as_bytes(), 4), b"a");
        assert_eq!(cap_at_char(b"abc", 2), b"ab");
    }

    /// A profiling aid: `LOGSTREAM_PROFILE_FILE=<log> [LOGSTREAM_PROFILE_MODE=text] cargo test --release -p logstream -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn profile_a_file() {
        let Some(path) = std::env::var_os("LOGSTREAM_PROFILE_FILE") else {
            return;
        };
        let bytes = std::fs::read(path).expect("read the file");
        let mode = if std::env::var("LOGSTREAM_PROFILE_MODE").as_deref() == Ok("text") {
            Mode::Text
        } else {
            Mode::Ndjson
        };
        for _ in 0..3 {
            let started = Instant::now();
            let out = feed_all(
                Options {
                    mode,
                    ..Options::default()
                },
                &bytes,
                64 * 1024,
            );
            let secs = started.elapsed().as_secs_f64();
            println!("{:.0} MB/s, {} output bytes", bytes.len() as f64 / 1048576.0 / secs, out.len());
        }
    }
}
