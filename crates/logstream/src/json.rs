//! A strict JSON scanner that validates exactly what `JSON.parse` accepts, without building a
//! tree. Values are located as byte spans of the line, so the event writer can copy them raw
//! (no decode, no re-encode) and only the few fields it must inspect get decoded.
//!
//! Everything here is iterative: nesting depth cannot overflow the stack.

pub type Span = (usize, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline]
fn has_zero(v: u64) -> u64 {
    v.wrapping_sub(LO) & !v & HI
}

/// Index of the first byte at or after `i` that is `"`, `\` or a control byte (< 0x20).
/// Eight bytes at a time: the lowest flagged byte of each word is exact.
#[inline]
pub fn find_special(s: &[u8], mut i: usize) -> usize {
    while i + 8 <= s.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let m = has_zero(w ^ (LO * b'"' as u64)) | has_zero(w ^ (LO * b'\\' as u64)) | (w.wrapping_sub(LO * 0x20) & !w & HI);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() {
        let b = s[i];
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

#[inline]
pub fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// `i` at an opening quote; returns the index after the closing quote and whether the string
/// holds escapes.
pub fn scan_string(s: &[u8], i: usize) -> Result<(usize, bool), Invalid> {
    let mut i = i + 1;
    let mut escaped = false;
    loop {
        i = find_special(s, i);
        match s.get(i) {
            Some(b'"') => return Ok((i + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                match s.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        if s.len() < i + 6 || !s[i + 2..i + 6].iter().all(|&b| is_hex(b)) {
                            return Err(Invalid);
                        }
                        i += 6;
                    }
                    _ => return Err(Invalid),
                }
            }
            _ => return Err(Invalid),
        }
    }
}

fn scan_digits(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    i
}

pub fn scan_number(s: &[u8], mut i: usize) -> Result<usize, Invalid> {
    if s.get(i) == Some(&b'-') {
        i += 1;
    }
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = scan_digits(s, i + 1),
        _ => return Err(Invalid),
    }
    if s.get(i) == Some(&b'.') {
        let j = scan_digits(s, i + 1);
        if j == i + 1 {
            return Err(Invalid);
        }
        i = j;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = scan_digits(s, i);
        if j == i {
            return Err(Invalid);
        }
        i = j;
    }
    Ok(i)
}

fn scan_literal(s: &[u8], i: usize, word: &[u8]) -> Result<usize, Invalid> {
    if s.len() >= i + word.len() && &s[i..i + word.len()] == word {
        Ok(i + word.len())
    } else {
        Err(Invalid)
    }
}

/// Where each string and container of a validated line ends: `(start, end)` pairs in order of
/// `start`. Validation fills it in one pass; navigation then skips any value with a lookup instead
/// of scanning it again (tool results are read once, not once per level of nesting).
#[derive(Default)]
pub struct Tape {
    spans: Vec<(usize, usize)>,
    /// Open containers while validating: (is an object, index of its span).
    stack: Vec<(bool, usize)>,
}

impl Tape {
    /// Index after the value starting at `i` of a line this tape validated.
    pub fn value_end(&self, s: &[u8], i: usize) -> usize {
        match s[i] {
            b'"' | b'{' | b'[' => {
                let at = self.spans.partition_point(|&(start, _)| start < i);
                self.spans[at].1
            }
            b't' | b'n' => i + 4,
            b'f' => i + 5,
            _ => scan_number(s, i).unwrap_or(i + 1),
        }
    }
}

/// Validate one value starting at `i` (no leading whitespace) exactly as JSON.parse would, and
/// record its strings and containers on the tape. Returns the index after the value.
pub fn validate(s: &[u8], mut i: usize, tape: &mut Tape) -> Result<usize, Invalid> {
    tape.spans.clear();
    tape.stack.clear();
    loop {
        i = skip_ws(s, i);
        // A value.
        match s.get(i) {
            Some(b'{') => {
                tape.spans.push((i, 0));
                let open = tape.spans.len() - 1;
                i = skip_ws(s, i + 1);
                if s.get(i) == Some(&b'}') {
                    i += 1;
                    tape.spans[open].1 = i;
                } else {
                    tape.stack.push((true, open));
                    i = key(s, i, tape)?;
                    continue;
                }
            }
            Some(b'[') => {
                tape.spans.push((i, 0));
                let open = tape.spans.len() - 1;
                i = skip_ws(s, i + 1);
                if s.get(i) == Some(&b']') {
                    i += 1;
                    tape.spans[open].1 = i;
                } else {
                    tape.stack.push((false, open));
                    continue;
                }
            }
            Some(b'"') => {
                let end = scan_string(s, i)?.0;
                tape.spans.push((i, end));
                i = end;
            }
            Some(b't') => i = scan_literal(s, i, b"true")?,
            Some(b'f') => i = scan_literal(s, i, b"false")?,
            Some(b'n') => i = scan_literal(s, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = scan_number(s, i)?,
            _ => return Err(Invalid),
        }
        // After a value: close containers or move to the next member.
        loop {
            let Some(&(object, open)) = tape.stack.last() else { return Ok(i) };
            i = skip_ws(s, i);
            match s.get(i) {
                Some(b',') => {
                    i = skip_ws(s, i + 1);
                    if object {
                        i = key(s, i, tape)?;
                    }
                    break;
                }
                Some(b'}') if object => {
                    tape.stack.pop();
                    i += 1;
                    tape.spans[open].1 = i;
                }
                Some(b']') if !object => {
                    tape.stack.pop();
                    i += 1;
                    tape.spans[open].1 = i;
                }
                _ => return Err(Invalid),
            }
        }
    }
}

/// `i` at an object key's quote: record the key, skip it, whitespace and the colon.
fn key(s: &[u8], i: usize, tape: &mut Tape) -> Result<usize, Invalid> {
    if s.get(i) != Some(&b'"') {
        return Err(Invalid);
    }
    let (end, _) = scan_string(s, i)?;
    tape.spans.push((i, end));
    let i = skip_ws(s, end);
    if s.get(i) != Some(&b':') {
        return Err(Invalid);
    }
    Ok(i + 1)
}

/// One member of an object: the key's content (between the quotes) and the value's span.
pub struct Member {
    pub key: Span,
    pub key_escaped: bool,
    pub value: Span,
}

/// Walk the members of a validated object at `i` (`{`).
pub fn object_members(s: &[u8], i: usize, tape: &Tape, mut visit: impl FnMut(&Member)) {
    let mut i = skip_ws(s, i + 1);
    if s[i] == b'}' {
        return;
    }
    loop {
        let key_end = tape.value_end(s, i);
        let key = (i + 1, key_end - 1);
        let key_escaped = memchr::memchr(b'\\', &s[key.0..key.1]).is_some();
        let j = skip_ws(s, skip_ws(s, key_end) + 1);
        let end = tape.value_end(s, j);
        visit(&Member {
            key,
            key_escaped,
            value: (j, end),
        });
        i = skip_ws(s, end);
        if s[i] == b'}' {
            return;
        }
        i = skip_ws(s, i + 1);
    }
}

/// Walk the elements of a validated array at `i` (`[`).
pub fn array_elements(s: &[u8], i: usize, tape: &Tape, mut visit: impl FnMut(Span)) {
    let mut i = skip_ws(s, i + 1);
    if s[i] == b']' {
        return;
    }
    loop {
        let end = tape.value_end(s, i);
        visit((i, end));
        i = skip_ws(s, end);
        if s[i] == b']' {
            return;
        }
        i = skip_ws(s, i + 1);
    }
}

/// Decode string content (between the quotes, already validated) to UTF-16 code units, as JS
/// would hold it: lone surrogates stay as they are.
pub fn decode_utf16(raw: &[u8], out: &mut Vec<u16>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' {
            let unit = match raw[i + 1] {
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => 0x0a,
                b'r' => 0x0d,
                b't' => 0x09,
                b'u' => {
                    let hex = std::str::from_utf8(&raw[i + 2..i + 6]).unwrap_or("0");
                    i += 4;
                    u16::from_str_radix(hex, 16).unwrap_or(0xfffd)
                }
                other => u16::from(other),
            };
            out.push(unit);
            i += 2;
        } else {
            let len = utf8_len(b);
            let text = std::str::from_utf8(&raw[i..(i + len).min(raw.len())]).unwrap_or("\u{fffd}");
            out.extend(text.encode_utf16());
            i += len;
        }
    }
}

/// Bytes in the UTF-8 sequence that starts with `lead`.
#[inline]
pub fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Does the string content `raw` decode to exactly `want`?
pub fn string_eq(raw: &[u8], escaped: bool, want: &str, scratch: &mut Vec<u16>) -> bool {
    if !escaped {
        return raw == want.as_bytes();
    }
    decode_utf16(raw, scratch);
    scratch.iter().copied().eq(want.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(text: &str) -> bool {
        let s = text.as_bytes();
        let i = skip_ws(s, 0);
        match validate(s, i, &mut Tape::default()) {
            Ok(end) => skip_ws(s, end) == s.len(),
            Err(_) => false,
        }
    }

    #[test]
    fn accepts_what_json_parse_accepts() {
        for ok in [
            "{}",
            "[]",
            " {\"a\" : [1, -2.5e+3, 0, true, false, null, \"x\\n\\u00e9\\\"\"] } ",
            "\"\\ud800\"",
            "-0",
            "0.5E-2",
            "[[[[[]]]]]",
            "{\"a\":{\"b\":{\"c\":[{}]}}}",
            "\"é😀\u{2028}\"",
        ] {
            assert!(valid(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
            "-",
            "tru",
            "nul",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12g4\"",
            "[1 2]",
            "{\"a\" 1}",
            "'a'",
            "NaN",
            "\u{feff}{}",
            "{}{}",
            "[\"a\"",
            "\"abc",
        ] {
            assert!(!valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = "[".repeat(1_000_000) + &"]".repeat(1_000_000);
        assert!(valid(&deep));
        let unbalanced = "[".repeat(1_000_000);
        assert!(!valid(&unbalanced));
    }

    #[test]
    fn find_special_is_exact_past_word_boundaries() {
        let s = b"abcdefghijklmnop\"q";
        assert_eq!(find_special(s, 0), 16);
        let s = b"abc\x01defghijkl\\";
        assert_eq!(find_special(s, 0), 3);
        let s = "ééééé\\x".as_bytes();
        assert_eq!(find_special(s, 0), 10);
        assert_eq!(find_special(b"abcdefgh", 0), 8);
    }

    #[test]
    fn members_and_decoding() {
        let s = br#"{"type":"a","t\u0079pe":"b","n":[1,2]}"#;
        let mut keys = Vec::new();
        let mut scratch = Vec::new();
        let mut tape = Tape::default();
        assert_eq!(validate(s, 0, &mut tape), Ok(s.len()));
        object_members(s, 0, &tape, |m| {
            keys.push((string_eq(&s[m.key.0..m.key.1], m.key_escaped, "type", &mut scratch), m.value));
        });
        assert_eq!(keys[2].1, (32, 37));
        let mut elements = Vec::new();
        array_elements(s, 32, &tape, |span| elements.push(span));
        assert_eq!(elements, vec![(33, 34), (35, 36)]);
        assert_eq!(keys.iter().filter(|k| k.0).count(), 2);
        let mut units = Vec::new();
        decode_utf16(br"a\ud83d\ude00\n\u00e9", &mut units);
        assert_eq!(String::from_utf16(&units).unwrap(), "a😀\né");
        decode_utf16("😀".as_bytes(), &mut units);
        assert_eq!(units.len(), 2);
    }
}
