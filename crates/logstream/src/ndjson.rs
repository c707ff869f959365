//! Claude Code stream-json lines to events. The rules here are mirrored, field for field, by
//! `core/native/logstream-fallback/ndjson.ts`; the parity suite holds them together.

use crate::json::{array_elements, object_members, skip_ws, string_eq, Span, Tape};
use crate::out::{push_ascii, Out};
use crate::preview::{preview_plain, Preview};
use crate::state::State;

/// Scratch space reused across lines.
#[derive(Default)]
pub struct Scratch {
    tape: Tape,
    units: Vec<u16>,
    units2: Vec<u16>,
}

pub struct LineCtx<'a> {
    pub line: u64,
    pub offset: u64,
    pub preview_chars: usize,
    pub unknown_data_bytes: usize,
    pub state: State,
    /// Lines that became `unparsed` events.
    pub unparsed: u64,
    pub out: &'a mut Out,
}

/// The value of the last member named `keys[k]`, for each k.
fn pick<const N: usize>(s: &[u8], at: usize, keys: [&str; N], scratch: &mut Scratch) -> [Option<Span>; N] {
    let mut found = [None; N];
    let Scratch { tape, units, .. } = scratch;
    object_members(s, at, tape, |m| {
        let raw = &s[m.key.0..m.key.1];
        for (k, key) in keys.iter().enumerate() {
            if string_eq(raw, m.key_escaped, key, units) {
                found[k] = Some(m.value);
            }
        }
    });
    found
}

fn first(s: &[u8], span: Option<Span>) -> u8 {
    span.map_or(0, |(a, _)| s[a])
}

fn raw(line: &str, span: Option<Span>) -> Option<&str> {
    span.map(|(a, b)| &line[a..b])
}

/// The raw literal when the value is a string, else None (JSON null).
fn string(line: &str, span: Option<Span>) -> Option<&str> {
    if first(line.as_bytes(), span) == b'"' {
        raw(line, span)
    } else {
        None
    }
}

fn number(line: &str, span: Option<Span>) -> Option<&str> {
    if matches!(first(line.as_bytes(), span), b'-' | b'0'..=b'9') {
        raw(line, span)
    } else {
        None
    }
}

fn object(line: &str, span: Option<Span>) -> Option<&str> {
    if first(line.as_bytes(), span) == b'{' {
        raw(line, span)
    } else {
        None
    }
}

fn array(line: &str, span: Option<Span>) -> &str {
    if first(line.as_bytes(), span) == b'[' {
        raw(line, span).unwrap_or("[]")
    } else {
        "[]"
    }
}

fn is_true(line: &str, span: Option<Span>) -> bool {
    raw(line, span) == Some("true")
}

/// Is the value the string `want`?
fn str_is(s: &[u8], span: Option<Span>, want: &str, scratch: &mut Scratch) -> bool {
    match span {
        Some((a, b)) if s[a] == b'"' => {
            let content = &s[a + 1..b - 1];
            string_eq(content, memchr::memchr(b'\\', content).is_some(), want, &mut scratch.units)
        }
        _ => false,
    }
}

/// Handle one non-blank line; returns the state it signals, if any.
pub fn line_events(line: &str, cx: &mut LineCtx<'_>, scratch: &mut Scratch) -> Option<State> {
    let (mark, count) = (cx.out.buf.len(), cx.out.count);
    match parse_line(line, cx, scratch) {
        Ok(signal) => signal,
        Err(reason) => {
            // Nothing of a bad line's events may survive: roll back to before it.
            cx.out.buf.truncate(mark);
            cx.out.count = count;
            unparsed(line, reason, false, cx);
            None
        }
    }
}

pub fn unparsed(line: &str, reason: &str, truncated: bool, cx: &mut LineCtx<'_>) {
    cx.unparsed += 1;
    cx.out.begin("unparsed", cx.line, cx.offset);
    cx.out.str("reason", reason);
    cx.out.key_raw("text");
    preview_plain(&mut cx.out.buf, line, cx.preview_chars);
    cx.out.bool("truncated", truncated);
    cx.out.end();
}

const TOP_KEYS: [&str; 24] = [
    "type",
    "subtype",
    "session_id",
    "model",
    "cwd",
    "tools",
    "mcp_servers",
    "permissionMode",
    "claude_code_version",
    "message",
    "parent_tool_use_id",
    "error",
    "is_error",
    "result",
    "total_cost_usd",
    "usage",
    "modelUsage",
    "num_turns",
    "duration_ms",
    "duration_api_ms",
    "errors",
    "terminal_reason",
    "response",
    "state",
];

fn parse_line(line: &str, cx: &mut LineCtx<'_>, scratch: &mut Scratch) -> Result<Option<State>, &'static str> {
    let s = line.as_bytes();
    let start = skip_ws(s, 0);
    // Validate the whole line first, exactly as JSON.parse would.
    let end = crate::json::validate(s, start, &mut scratch.tape).map_err(|_| "invalid json")?;
    if skip_ws(s, end) != s.len() {
        return Err("invalid json");
    }
    if s[start] != b'{' {
        return Err("not an object");
    }
    let f = pick(s, start, TOP_KEYS, scratch);
    let [ty, subtype, session_id, model, cwd, tools, mcp_servers, permission_mode, version, message, parent, error, is_error, result, cost, usage, model_usage, num_turns, duration, duration_api, errors, terminal_reason, response, state] =
        f;
    let out = &mut *cx.out;
    let (line_no, offset) = (cx.line, cx.offset);

    if str_is(s, ty, "system", scratch) && str_is(s, subtype, "init", scratch) {
        out.begin("init", line_no, offset);
        out.raw_or_null("sessionId", string(line, session_id));
        out.raw_or_null("model", string(line, model));
        out.raw_or_null("cwd", string(line, cwd));
        out.raw("tools", array(line, tools));
        out.raw("mcpServers", array(line, mcp_servers));
        out.raw_or_null("permissionMode", string(line, permission_mode));
        out.raw_or_null("version", string(line, version));
        out.end();
        return Ok(match cx.state {
            State::Starting => Some(State::Ready),
            State::Idle | State::Error => Some(State::Working),
            _ => None,
        });
    }
    if str_is(s, ty, "assistant", scratch) || str_is(s, ty, "user", scratch) {
        let assistant = str_is(s, ty, "assistant", scratch);
        message_events(line, assistant, message, parent, error, cx, scratch);
        return Ok(Some(State::Working));
    }
    if str_is(s, ty, "result", scratch) {
        let failed = is_true(line, is_error);
        out.begin("result", line_no, offset);
        out.raw_or_null("subtype", string(line, subtype));
        out.bool("isError", failed);
        out.raw_or_null("result", string(line, result));
        out.raw_or_null("totalCostUsd", number(line, cost));
        out.raw_or_null("usage", object(line, usage));
        out.raw_or_null("modelUsage", object(line, model_usage));
        out.raw_or_null("numTurns", number(line, num_turns));
        out.raw_or_null("durationMs", number(line, duration));
        out.raw_or_null("durationApiMs", number(line, duration_api));
        out.raw_or_null("sessionId", string(line, session_id));
        out.raw("errors", array(line, errors));
        out.raw_or_null("terminalReason", string(line, terminal_reason));
        out.end();
        return Ok(Some(if failed { State::Error } else { State::Idle }));
    }
    if str_is(s, ty, "control_response", scratch) {
        let [r_subtype, request_id, r_error, inner] = match object(line, response) {
            Some(_) => pick(
                s,
                response.map_or(0, |r| r.0),
                ["subtype", "request_id", "error", "response"],
                scratch,
            ),
            None => [None; 4],
        };
        out.begin("control_response", line_no, offset);
        out.raw_or_null("requestId", string(line, request_id));
        out.raw_or_null("subtype", string(line, r_subtype));
        out.raw_or_null("error", string(line, r_error));
        out.raw_or_null("response", raw(line, inner));
        out.end();
        return Ok(None);
    }
    // Anything else: typed, small ones carried whole.
    out.begin("unknown", line_no, offset);
    out.raw_or_null("type", string(line, ty));
    out.raw_or_null("subtype", string(line, subtype));
    out.raw(
        "data",
        if s.len() <= cx.unknown_data_bytes {
            &line[start..end]
        } else {
            "null"
        },
    );
    out.end();
    if str_is(s, ty, "stream_event", scratch) {
        return Ok(Some(State::Working));
    }
    if str_is(s, ty, "system", scratch) && str_is(s, subtype, "session_state_changed", scratch) {
        if str_is(s, state, "running", scratch) {
            return Ok(Some(State::Working));
        }
        if str_is(s, state, "idle", scratch) {
            return Ok(Some(State::Idle));
        }
    }
    Ok(None)
}

/// One event per content block of an assistant or user message.
fn message_events(
    line: &str,
    assistant: bool,
    message: Option<Span>,
    parent: Option<Span>,
    error: Option<Span>,
    cx: &mut LineCtx<'_>,
    scratch: &mut Scratch,
) {
    let s = line.as_bytes();
    let kind = if assistant { "assistant" } else { "user" };
    let [content, id] = match object(line, message) {
        Some(_) => pick(s, message.map_or(0, |m| m.0), ["content", "id"], scratch),
        None => [None, None],
    };
    let parent = string(line, parent);
    let message_id = string(line, id);
    let (line_no, offset) = (cx.line, cx.offset);
    match first(s, content) {
        b'"' if assistant => {
            cx.out.begin("text", line_no, offset);
            cx.out.raw("text", raw(line, content).unwrap_or("\"\""));
            cx.out.raw_or_null("messageId", message_id);
            cx.out.raw_or_null("parentToolUseId", parent);
            cx.out.raw_or_null("error", string(line, error));
            cx.out.end();
        }
        b'[' => {
            let mut blocks = Vec::new();
            array_elements(s, content.map_or(0, |c| c.0), &scratch.tape, |span| blocks.push(span));
            for block in blocks {
                block_event(line, assistant, block, message_id, parent, error, cx, scratch);
            }
        }
        _ => {
            cx.out.begin("unknown", line_no, offset);
            cx.out.raw("type", if assistant { "\"assistant\"" } else { "\"user\"" });
            cx.out.raw("subtype", if first(s, content) == b'"' { "\"text\"" } else { "null" });
            cx.out.raw("data", "null");
            cx.out.end();
            let _ = kind;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn block_event(
    line: &str,
    assistant: bool,
    block: Span,
    message_id: Option<&str>,
    parent: Option<&str>,
    error: Option<Span>,
    cx: &mut LineCtx<'_>,
    scratch: &mut Scratch,
) {
    let s = line.as_bytes();
    let (line_no, offset) = (cx.line, cx.offset);
    let fields = if s[block.0] == b'{' {
        pick(
            s,
            block.0,
            ["type", "text", "id", "name", "input", "tool_use_id", "is_error", "content"],
            scratch,
        )
    } else {
        [None; 8]
    };
    let [ty, text, id, name, input, tool_use_id, is_error, content] = fields;
    let out = &mut *cx.out;
    if assistant && str_is(s, ty, "text", scratch) && string(line, text).is_some() {
        out.begin("text", line_no, offset);
        out.raw_or_null("text", string(line, text));
        out.raw_or_null("messageId", message_id);
        out.raw_or_null("parentToolUseId", parent);
        out.raw_or_null("error", string(line, error));
        out.end();
    } else if assistant && str_is(s, ty, "tool_use", scratch) {
        out.begin("tool_use", line_no, offset);
        out.raw_or_null("id", string(line, id));
        out.raw_or_null("name", string(line, name));
        out.raw_or_null("input", raw(line, input));
        out.key_raw("paths");
        paths_into(line, input, &mut out.buf, scratch);
        out.raw_or_null("messageId", message_id);
        out.raw_or_null("parentToolUseId", parent);
        out.end();
    } else if !assistant && str_is(s, ty, "tool_result", scratch) {
        out.begin("tool_result", line_no, offset);
        out.raw_or_null("toolUseId", string(line, tool_use_id));
        out.bool("isError", is_true(line, is_error));
        let mut preview = Preview::new(cx.preview_chars);
        out.key_raw("text");
        out.buf.push('"');
        match first(s, content) {
            b'"' => preview.push_raw(&mut out.buf, &line[content.map_or(0, |c| c.0 + 1)..content.map_or(0, |c| c.1 - 1)]),
            b'[' => {
                let mut parts = Vec::new();
                array_elements(s, content.map_or(0, |c| c.0), &scratch.tape, |span| parts.push(span));
                let mut joined = false;
                for part in parts {
                    if s[part.0] != b'{' {
                        continue;
                    }
                    let [p_type, p_text] = pick(s, part.0, ["type", "text"], scratch);
                    if str_is(s, p_type, "text", scratch) && string(line, p_text).is_some() {
                        if joined {
                            preview.push_raw(&mut out.buf, "\\n");
                        }
                        joined = true;
                        let (a, b) = p_text.unwrap_or((0, 0));
                        preview.push_raw(&mut out.buf, &line[a + 1..b - 1]);
                    }
                }
            }
            _ => {}
        }
        preview.finish(&mut out.buf);
        out.buf.push('"');
        out.bool("truncated", preview.truncated);
        out.raw_or_null("parentToolUseId", parent);
        out.end();
    } else {
        out.begin("unknown", line_no, offset);
        out.raw("type", if assistant { "\"assistant\"" } else { "\"user\"" });
        out.raw_or_null("subtype", string(line, ty));
        out.raw("data", "null");
        out.end();
    }
}

/// Paths a tool call touches: `file_path`, `notebook_path`, `path` of its input, in that order,
/// when they are strings, without repeats.
fn paths_into(line: &str, input: Option<Span>, buf: &mut String, scratch: &mut Scratch) {
    buf.push('[');
    if let Some((a, _)) = input.filter(|_| first(line.as_bytes(), input) == b'{') {
        let s = line.as_bytes();
        let found = pick(s, a, ["file_path", "notebook_path", "path"], scratch);
        let mut kept: Vec<(usize, usize)> = Vec::new();
        for span in found.into_iter().flatten() {
            if s[span.0] != b'"' {
                continue;
            }
            let content = (span.0 + 1, span.1 - 1);
            let mut repeat = false;
            crate::json::decode_utf16(&s[content.0..content.1], &mut scratch.units);
            for &(x, y) in &kept {
                crate::json::decode_utf16(&s[x..y], &mut scratch.units2);
                repeat |= scratch.units == scratch.units2;
            }
            if repeat {
                continue;
            }
            if !kept.is_empty() {
                buf.push(',');
            }
            kept.push(content);
            push_ascii(buf, &line[span.0..span.1]);
        }
    }
    buf.push(']');
}

impl Out {
    pub fn key_raw(&mut self, key: &str) {
        self.raw(key, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(line: &str) -> (String, Option<State>) {
        let mut out = Out::new();
        let mut cx = LineCtx {
            line: 1,
            offset: 10,
            preview_chars: 5,
            unknown_data_bytes: 4096,
            state: State::Starting,
            unparsed: 0,
            out: &mut out,
        };
        let signal = line_events(line, &mut cx, &mut Scratch::default());
        (out.finish().to_owned(), signal)
    }

    #[test]
    fn init() {
        let (json, signal) = events(
            r#"{"type":"system","subtype":"init","session_id":"s1","tools":["Bash"],"mcp_servers":[{"name":"fleet","status":"connected"}],"model":"m"}"#,
        );
        assert_eq!(
            json,
            r#"[{"kind":"init","line":1,"offset":10,"sessionId":"s1","model":"m","cwd":null,"tools":["Bash"],"mcpServers":[{"name":"fleet","status":"connected"}],"permissionMode":null,"version":null}]"#
        );
        assert_eq!(signal, Some(State::Ready));
    }

    #[test]
    fn tool_use_paths() {
        let (json, _) = events(
            r#"{"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use","id":"t1","name":"Edit","input":{"path":"a","file_path":"b","notebook_path":"\u0062"}}]}}"#,
        );
        assert!(json.contains(r#""paths":["b","a"]"#), "{json}");
    }

    #[test]
    fn tool_result_preview_counts_utf16_units() {
        let (json, _) = events(
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"ab"},{"type":"text","text":"c\ud83d\ude00d"}]}]}}"#,
        );
        // "ab\nc" is 4 units; the emoji would make 6 > 5, so its high half is dropped.
        assert!(json.contains(r#""text":"ab\nc","truncated":true"#), "{json}");
        let (json, _) = events(r#"{"type":"user","message":{"content":[{"type":"tool_result","content":"abc😀"}]}}"#);
        assert!(json.contains(r#""text":"abc\ud83d\ude00","truncated":false"#), "{json}");
    }

    #[test]
    fn bad_lines() {
        assert!(events("{nope").0.contains(r#""reason":"invalid json""#));
        assert!(events("[1]").0.contains(r#""reason":"not an object""#));
        let (json, signal) = events(r#"{"type":"result","subtype":"success","is_error":true,"result":"x","total_cost_usd":0.5}"#);
        assert!(json.contains(r#""isError":true"#));
        assert_eq!(signal, Some(State::Error));
    }
}
