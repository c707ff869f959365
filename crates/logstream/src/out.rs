//! Writing events as one JSON array per feed. JS turns it into objects with a single
//! `JSON.parse`, which is cheaper than building each object through N-API calls, and raw spans of
//! the input are copied as they are, so values come out exactly as `JSON.parse` of the line gives.
//!
//! The output is pure ASCII: characters past it are written as `\uXXXX` escapes. JS then gets it
//! as a one-byte string by a plain copy (no UTF-8 decoding), and JSON.parse takes its fast path.

pub struct Out {
    pub buf: String,
    pub count: usize,
}

impl Out {
    pub fn new() -> Self {
        Out {
            buf: String::from("["),
            count: 0,
        }
    }

    pub fn reset(&mut self) {
        self.buf.clear();
        self.buf.push('[');
        self.count = 0;
    }

    pub fn finish(&mut self) -> &str {
        self.buf.push(']');
        &self.buf
    }

    /// Open an event: `{"kind":"<kind>","line":n,"offset":n`; fields follow, then `end`.
    pub fn begin(&mut self, kind: &str, line: u64, offset: u64) {
        if self.count > 0 {
            self.buf.push(',');
        }
        self.count += 1;
        self.buf.push_str("{\"kind\":\"");
        self.buf.push_str(kind);
        self.buf.push_str("\",\"line\":");
        push_u64(&mut self.buf, line);
        self.buf.push_str(",\"offset\":");
        push_u64(&mut self.buf, offset);
    }

    pub fn end(&mut self) {
        self.buf.push('}');
    }

    fn key(&mut self, key: &str) {
        self.buf.push_str(",\"");
        self.buf.push_str(key);
        self.buf.push_str("\":");
    }

    /// A value copied from the line (already valid JSON), non-ASCII escaped.
    pub fn raw(&mut self, key: &str, raw: &str) {
        self.key(key);
        push_ascii(&mut self.buf, raw);
    }

    pub fn raw_or_null(&mut self, key: &str, raw: Option<&str>) {
        self.raw(key, raw.unwrap_or("null"));
    }

    pub fn str(&mut self, key: &str, text: &str) {
        self.key(key);
        escape_into(&mut self.buf, text);
    }

    pub fn num(&mut self, key: &str, n: u64) {
        self.key(key);
        push_u64(&mut self.buf, n);
    }

    pub fn bool(&mut self, key: &str, b: bool) {
        self.raw(key, if b { "true" } else { "false" });
    }
}

impl Default for Out {
    fn default() -> Self {
        Out::new()
    }
}

/// Decimal digits without the formatting machinery (this runs several times per event).
fn push_u64(buf: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_unit(buf: &mut String, unit: u16) {
    let digits = [
        HEX[usize::from(unit >> 12)],
        HEX[usize::from((unit >> 8) & 0xf)],
        HEX[usize::from((unit >> 4) & 0xf)],
        HEX[usize::from(unit & 0xf)],
    ];
    buf.push_str("\\u");
    buf.push_str(std::str::from_utf8(&digits).unwrap_or("fffd"));
}

/// Index of the first byte at or after `i` with its high bit set (eight bytes at a time).
fn next_non_ascii(b: &[u8], mut i: usize) -> usize {
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// Append JSON text (or string content) with every non-ASCII character as `\uXXXX` escapes.
/// Valid JSON has non-ASCII only inside strings, where the escape means the same character.
pub fn push_ascii(buf: &mut String, text: &str) {
    let b = text.as_bytes();
    let mut start = 0;
    loop {
        let i = next_non_ascii(b, start);
        buf.push_str(&text[start..i]);
        let Some(ch) = text[i..].chars().next() else { return };
        let mut units = [0u16; 2];
        for unit in ch.encode_utf16(&mut units) {
            push_unit(buf, *unit);
        }
        start = i + ch.len_utf8();
    }
}

/// Index of the first byte at or after `i` that a JSON literal cannot hold as is here: a control
/// byte, `"`, `\` or a non-ASCII byte (eight bytes at a time).
fn next_to_escape(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (LO * u64::from(b'"'));
        let slash = w ^ (LO * u64::from(b'\\'));
        // Per byte, the high bit: equals `"`, equals `\\`, below 0x20 (for ASCII bytes), or not ASCII.
        let m = ((quote.wrapping_sub(LO) & !quote) | (slash.wrapping_sub(LO) & !slash) | w.wrapping_sub(LO * 0x20) | w) & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !matches!(b[i], 0..=0x1f | b'"' | b'\\' | 0x80..=0xff) {
        i += 1;
    }
    i
}

/// Append `text` as a JSON string literal (ASCII only).
pub fn escape_into(buf: &mut String, text: &str) {
    buf.push('"');
    let b = text.as_bytes();
    let mut start = 0;
    loop {
        let i = next_to_escape(b, start);
        buf.push_str(&text[start..i]);
        let Some(ch) = text[i..].chars().next() else { break };
        match ch {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    push_unit(buf, *unit);
                }
            }
        }
        start = i + ch.len_utf8();
    }
    buf.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        let mut s = String::new();
        escape_into(&mut s, "a\"b\\c\nd\u{1}é😀");
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001\\u00e9\\ud83d\\ude00\"");
        let mut t = String::new();
        push_ascii(&mut t, "{\"k\":\"日本 ok\"}");
        assert_eq!(t, "{\"k\":\"\\u65e5\\u672c ok\"}");
    }

    #[test]
    fn escapes_at_every_position_of_a_word() {
        for at in 0..20 {
            for special in ["\"", "\\", "\u{1f}", "é", "\u{7f}"] {
                let text = format!("{}{}{}", "a".repeat(at), special, "b".repeat(20 - at));
                let mut fast = String::new();
                escape_into(&mut fast, &text);
                let slow: String = serde_like(&text);
                assert_eq!(fast, slow, "{text:?}");
            }
        }
    }

    /// The obvious character-by-character escaping, to check the word-at-a-time one against.
    fn serde_like(text: &str) -> String {
        let mut out = String::from("\"");
        for ch in text.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || !c.is_ascii() => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{:04x}", unit));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 99, 12345, u64::MAX] {
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn events_form_an_array() {
        let mut out = Out::new();
        out.begin("line", 1, 4);
        out.str("text", "abc");
        out.end();
        out.begin("line", 2, 8);
        out.bool("truncated", false);
        out.end();
        assert_eq!(
            out.finish(),
            r#"[{"kind":"line","line":1,"offset":4,"text":"abc"},{"kind":"line","line":2,"offset":8,"truncated":false}]"#
        );
    }
}
