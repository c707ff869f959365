//! The thin Node binding over `stream`. A chunk comes in as a borrowed Uint8Array (no copy);
//! the events of one feed go out as one JSON string, parsed once on the JS side.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use crate::state::State;
use crate::stream::{LogStream as Core, Mode, Options};

const STATE_ERROR: &str = "state: must be starting, ready, working, idle or error";

#[napi(object, object_to_js = false)]
pub struct LogStreamOptions {
    pub mode: Option<String>,
    pub max_line_bytes: Option<f64>,
    pub ring_lines: Option<f64>,
    pub ring_line_bytes: Option<f64>,
    pub preview_chars: Option<f64>,
    pub unknown_data_bytes: Option<f64>,
    pub start_offset: Option<f64>,
    pub idle_marker: Option<String>,
    pub error_marker: Option<String>,
    pub state: Option<String>,
}

#[napi(object)]
pub struct LogStreamStats {
    pub bytes: f64,
    pub lines: f64,
    pub events: f64,
    pub unparsed: f64,
    pub truncated: f64,
    pub buffered_bytes: f64,
    pub offset: f64,
    pub state: String,
    pub ms_since_last_event: Option<f64>,
}

/// The events JSON, which is pure ASCII: made into a one-byte JS string by a straight copy
/// (latin1), with no UTF-8 decoding and no owned Rust copy first.
pub struct Ascii<'a>(&'a str);

impl ToNapiValue for Ascii<'_> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        debug_assert!(val.0.is_ascii());
        let mut out = std::ptr::null_mut();
        let status = unsafe { sys::napi_create_string_latin1(env, val.0.as_ptr().cast(), val.0.len() as isize, &mut out) };
        if status != sys::Status::napi_ok {
            return Err(Error::new(Status::from(status), "creating the events string failed".to_owned()));
        }
        Ok(out)
    }
}

/// An integer option: `min` or more, at most 2^53 - 1.
fn count(value: Option<f64>, default: usize, min: f64, name: &str) -> Result<usize> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v.fract() == 0.0 && v >= min && v <= 9_007_199_254_740_991.0 => Ok(v as usize),
        Some(_) => Err(Error::new(
            Status::InvalidArg,
            format!("{name}: must be an integer of at least {min}"),
        )),
    }
}

fn options(o: Option<LogStreamOptions>) -> Result<Options> {
    let d = Options::default();
    let Some(o) = o else { return Ok(d) };
    let mode = match o.mode.as_deref() {
        None | Some("ndjson") => Mode::Ndjson,
        Some("text") => Mode::Text,
        Some(_) => return Err(Error::new(Status::InvalidArg, "mode: must be ndjson or text".to_owned())),
    };
    Ok(Options {
        mode,
        max_line_bytes: count(o.max_line_bytes, d.max_line_bytes, 1.0, "maxLineBytes")?,
        ring_lines: count(o.ring_lines, d.ring_lines, 0.0, "ringLines")?,
        ring_line_bytes: count(o.ring_line_bytes, d.ring_line_bytes, 1.0, "ringLineBytes")?,
        preview_chars: count(o.preview_chars, d.preview_chars, 0.0, "previewChars")?,
        unknown_data_bytes: count(o.unknown_data_bytes, d.unknown_data_bytes, 0.0, "unknownDataBytes")?,
        start_offset: count(o.start_offset, 0, 0.0, "startOffset")? as u64,
        idle_marker: o.idle_marker,
        error_marker: o.error_marker,
        initial_state: match o.state.as_deref() {
            None => State::Starting,
            Some(name) => State::parse(name).ok_or_else(|| Error::new(Status::InvalidArg, STATE_ERROR.to_owned()))?,
        },
    })
}

/// The raw parser; `core/native/logstream.ts` wraps it into the `LogStream` contract.
#[napi]
pub struct LogStreamCore {
    core: Core,
}

#[napi]
impl LogStreamCore {
    #[napi(constructor, catch_unwind)]
    pub fn new(options_in: Option<LogStreamOptions>) -> Result<Self> {
        Ok(LogStreamCore {
            core: Core::new(options(options_in)?),
        })
    }

    /// The events of the lines this chunk completes, as a JSON array.
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn feed(&mut self, chunk: BufferSlice) -> Ascii<'_> {
        Ascii(self.core.feed(&chunk))
    }

    /// The stream ended: the last line without a newline becomes events too (a JSON array).
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn end(&mut self) -> Ascii<'_> {
        Ascii(self.core.end())
    }

    #[napi(catch_unwind)]
    pub fn tail(&self, max: Option<f64>, contains: Option<String>) -> Result<Vec<&str>> {
        let max = count(max, usize::MAX, 0.0, "max")?;
        Ok(self.core.tail(max, contains.as_deref()))
    }

    #[napi(getter)]
    pub fn state(&self) -> &'static str {
        self.core.state().as_str()
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> LogStreamStats {
        let s = self.core.stats();
        LogStreamStats {
            bytes: s.bytes as f64,
            lines: s.lines as f64,
            events: s.events as f64,
            unparsed: s.unparsed as f64,
            truncated: s.truncated as f64,
            buffered_bytes: s.buffered_bytes as f64,
            offset: s.offset as f64,
            state: s.state.as_str().to_owned(),
            ms_since_last_event: s.ms_since_last_event,
        }
    }
}
