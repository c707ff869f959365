//! Writing events as one JSON array per feed. JS turns it into objects with a single
//! `JSON.parse`, which is cheaper than building each object through N-API calls, and raw spans of
//! the input are copied as they are, so values come out exactly as `JSON.parse` of the line gives.

use std::fmt::Write;

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
        let _ = write!(self.buf, "{{\"kind\":\"{kind}\",\"line\":{line},\"offset\":{offset}");
    }

    pub fn end(&mut self) {
        self.buf.push('}');
    }

    fn key(&mut self, key: &str) {
        self.buf.push_str(",\"");
        self.buf.push_str(key);
        self.buf.push_str("\":");
    }

    /// A value copied from the line as is (already valid JSON).
    pub fn raw(&mut self, key: &str, raw: &str) {
        self.key(key);
        self.buf.push_str(raw);
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
        let _ = write!(self.buf, "{n}");
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

/// Append `text` as a JSON string literal.
pub fn escape_into(buf: &mut String, text: &str) {
    buf.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        buf.push_str(&text[start..i]);
        if escape.is_empty() {
            let _ = write!(buf, "\\u{:04x}", b);
        } else {
            buf.push_str(escape);
        }
        start = i + 1;
    }
    buf.push_str(&text[start..]);
    buf.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        let mut s = String::new();
        escape_into(&mut s, "a\"b\\c\nd\u{1}é");
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001é\"");
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
