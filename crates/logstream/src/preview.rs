//! Previews: the first N UTF-16 units of a text, exactly as `text.slice(0, N)` in JS would give
//! (less a high surrogate cut from its pair), written into the events JSON.

use crate::json::utf8_len;
use crate::out::{escape_into, push_ascii};

/// The first `cap` UTF-16 units of a string assembled from raw (still escaped) JSON string
/// pieces, as `text.slice(0, cap)` would give in JS, minus a dangling high surrogate at the cut.
pub struct Preview {
    cap: usize,
    pub total: usize,
    pub truncated: bool,
    /// The last unit written is an escaped high surrogate (the last 6 bytes written).
    last_high: bool,
}

impl Preview {
    pub fn new(cap: usize) -> Self {
        Preview {
            cap,
            total: 0,
            truncated: false,
            last_high: false,
        }
    }

    pub fn push_raw(&mut self, buf: &mut String, raw: &str) {
        let b = raw.as_bytes();
        // Past the cap nothing more is needed: the rest is not even counted.
        if self.truncated {
            return;
        }
        let mut i = 0;
        while i < b.len() {
            // A run of plain ASCII is one unit a byte: take it whole.
            let run = plain_ascii_run(b, i) - i;
            if run > 0 {
                let room = self.cap - self.total;
                if run > room {
                    self.truncated = true;
                    push_ascii(buf, &raw[..i + room]);
                    return;
                }
                self.total += run;
                self.last_high = false;
                i += run;
                continue;
            }
            let (len, units, high) = if b[i] == b'\\' {
                if b[i + 1] == b'u' {
                    let code = u16::from_str_radix(&raw[i + 2..i + 6], 16).unwrap_or(0);
                    (6, 1, (0xd800..0xdc00).contains(&code))
                } else {
                    (2, 1, false)
                }
            } else {
                let len = utf8_len(b[i]);
                (len, if len == 4 { 2 } else { 1 }, false)
            };
            if self.total + units > self.cap {
                self.truncated = true;
                push_ascii(buf, &raw[..i]);
                return;
            }
            self.last_high = high;
            self.total += units;
            i += len;
        }
        push_ascii(buf, raw);
    }

    /// Past the cap, a high surrogate cut from its pair is dropped.
    pub fn finish(&mut self, buf: &mut String) {
        if self.truncated && self.last_high {
            buf.truncate(buf.len() - 6);
        }
    }
}

/// Index of the first byte at or after `i` that is a backslash or not ASCII.
fn plain_ascii_run(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let x = w ^ (LO * b'\\' as u64);
        let m = (x.wrapping_sub(LO) & !x & HI) | (w & HI);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] != b'\\' && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// A plain (decoded) string cut to `cap` UTF-16 units, written as a JSON literal.
pub fn preview_plain(buf: &mut String, text: &str, cap: usize) {
    let mut units = 0;
    let mut end = text.len();
    for (i, ch) in text.char_indices() {
        let n = ch.len_utf16();
        if units + n > cap {
            end = i;
            break;
        }
        units += n;
    }
    escape_into(buf, &text[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(pieces: &[&str], cap: usize) -> (String, bool) {
        let mut buf = String::new();
        let mut p = Preview::new(cap);
        for piece in pieces {
            p.push_raw(&mut buf, piece);
        }
        p.finish(&mut buf);
        (buf, p.truncated)
    }

    #[test]
    fn cuts_like_js_slice() {
        assert_eq!(cut(&["abcdef"], 3), ("abc".to_owned(), true));
        assert_eq!(cut(&["abc"], 3), ("abc".to_owned(), false));
        assert_eq!(cut(&["ab", "\\n", "cd"], 4), ("ab\\nc".to_owned(), true));
        // An escaped pair cut in half loses its high half; an unescaped one is never split.
        assert_eq!(cut(&["a\\ud83d\\ude00"], 2), ("a".to_owned(), true));
        assert_eq!(cut(&["a😀b"], 2), ("a".to_owned(), true));
        assert_eq!(cut(&["é"], 5), ("\\u00e9".to_owned(), false));
    }

    #[test]
    fn plain_previews() {
        let mut buf = String::new();
        preview_plain(&mut buf, "ab😀c", 3);
        assert_eq!(buf, "\"ab\"");
    }
}
