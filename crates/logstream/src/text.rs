//! Raw terminal output to the text a person saw on the line: ANSI escape sequences removed and
//! cursor moves within the line (CR, backspace, CSI K/G/C/D) applied, one cell per character.
//! Mirrored by `core/native/logstream-fallback/text.ts`.

use std::borrow::Cow;

/// Cursor moves past this column are clamped, so `ESC[99999999G` cannot allocate a huge line.
pub const MAX_COLUMN: usize = 10_000;

/// Does the line need the terminal model at all? (Most lines do not.) Control bytes other than
/// tab, DEL, and C1 controls (U+0080–U+009F, lead byte 0xC2) do.
pub fn needs_render(line: &str) -> bool {
    line.as_bytes().windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
        || line
            .as_bytes()
            .iter()
            .fold(false, |any, &c| any | ((c < 0x20 && c != b'\t') || c == 0x7f))
}

fn param(params: &str, default: usize) -> usize {
    let first = params.split(';').next().unwrap_or("");
    let mut n: usize = 0;
    let mut any = false;
    for c in first.bytes() {
        if c.is_ascii_digit() {
            any = true;
            n = (n * 10 + (c - b'0') as usize).min(MAX_COLUMN * 10);
        } else {
            return default;
        }
    }
    if any {
        n
    } else {
        default
    }
}

struct Line {
    cells: Vec<char>,
    cursor: usize,
}

impl Line {
    fn put(&mut self, c: char) {
        if self.cursor < self.cells.len() {
            self.cells[self.cursor] = c;
        } else {
            self.cells.resize(self.cursor, ' ');
            self.cells.push(c);
        }
        self.cursor += 1;
    }

    fn csi(&mut self, params: &str, fin: char) {
        match fin {
            'K' => match param(params, 0) {
                0 => self.cells.truncate(self.cursor),
                1 => {
                    let end = (self.cursor + 1).min(self.cells.len());
                    self.cells[..end].iter_mut().for_each(|c| *c = ' ');
                }
                2 => self.cells.clear(),
                _ => {}
            },
            'G' => self.cursor = param(params, 1).clamp(1, MAX_COLUMN) - 1,
            'C' => self.cursor = (self.cursor + param(params, 1).max(1)).min(MAX_COLUMN),
            'D' => self.cursor = self.cursor.saturating_sub(param(params, 1).max(1)),
            _ => {}
        }
    }
}

pub fn render(line: &str) -> Cow<'_, str> {
    if !needs_render(line) {
        return Cow::Borrowed(line);
    }
    let mut l = Line {
        cells: Vec::with_capacity(line.len()),
        cursor: 0,
    };
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\u{1b}' => {
                let Some(&next) = chars.get(i) else { break };
                i += 1;
                match next {
                    '[' => {
                        let start = i;
                        while i < chars.len() && ('\u{30}'..='\u{3f}').contains(&chars[i]) {
                            i += 1;
                        }
                        let params: String = chars[start..i].iter().collect();
                        while i < chars.len() && ('\u{20}'..='\u{2f}').contains(&chars[i]) {
                            i += 1;
                        }
                        match chars.get(i) {
                            Some(&fin) if ('\u{40}'..='\u{7e}').contains(&fin) => {
                                i += 1;
                                l.csi(&params, fin);
                            }
                            // Not a well-formed sequence: drop what was read of it.
                            _ => {}
                        }
                    }
                    ']' | 'P' | 'X' | '^' | '_' => {
                        // OSC, DCS, SOS, PM, APC: a string up to BEL (OSC) or ST (ESC \).
                        while i < chars.len() {
                            if chars[i] == '\u{7}' && next == ']' {
                                i += 1;
                                break;
                            }
                            if chars[i] == '\u{1b}' && chars.get(i + 1) == Some(&'\\') {
                                i += 2;
                                break;
                            }
                            i += 1;
                        }
                    }
                    '\u{20}'..='\u{2f}' => {
                        while i < chars.len() && ('\u{20}'..='\u{2f}').contains(&chars[i]) {
                            i += 1;
                        }
                        if i < chars.len() {
                            i += 1;
                        }
                    }
                    _ => {}
                }
            }
            '\r' => l.cursor = 0,
            '\u{8}' => l.cursor = l.cursor.saturating_sub(1),
            '\t' => l.put('\t'),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => {}
            _ => l.put(c),
        }
    }
    Cow::Owned(l.cells.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn strips_and_overwrites() {
        assert_eq!(render("plain text"), "plain text");
        assert_eq!(render("\u{1b}[1;31mred\u{1b}[0m done"), "red done");
        assert_eq!(render("\u{1b}]0;title\u{7}after"), "after");
        assert_eq!(render("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"), "link");
        assert_eq!(render("abc\rxy"), "xyc");
        assert_eq!(render("progress 10%\rprogress 100%"), "progress 100%");
        assert_eq!(render("long old text\r\u{1b}[Knew"), "new");
        assert_eq!(render("long old text\r\u{1b}[2Knew"), "new");
        assert_eq!(render("ab\u{8}c"), "ac");
        assert_eq!(render("tab\there\r"), "tab\there");
        assert_eq!(render("\u{1b}(Bcharset"), "charset");
        assert_eq!(render("a\u{1b}[5Gb"), "a   b");
        assert_eq!(render("x\u{1b}[99999999Gy").chars().count(), 10_000);
        assert_eq!(render("bell\u{7}\u{1b}"), "bell");
        assert_eq!(render("é\u{1b}[31mü\u{1b}[0m"), "éü");
    }
}
