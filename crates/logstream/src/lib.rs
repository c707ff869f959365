//! logstream: an incremental parser for worker logs. NDJSON mode reads Claude Code's stream-json
//! (`ndjson`); text mode renders raw terminal output (`text`). `stream` splits chunks into lines
//! with bounded memory. All of it is plain Rust, tested by `cargo test`; `binding` is the N-API
//! surface, left out of test builds so they link without Node.

pub mod json;
pub mod ndjson;
pub mod out;
pub mod preview;
pub mod state;
pub mod stream;
pub mod text;

#[cfg(not(test))]
mod binding;
