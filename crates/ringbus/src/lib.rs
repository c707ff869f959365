//! ringbus: the fleet's event spine as a bounded ring per topic with one sequence across the bus.
//! `bus` and `packed` are plain Rust (tested by `cargo test`); `binding` (the class) and
//! `values` (moving values across) are the N-API surface, left out of test builds so they link
//! without Node.

pub mod bus;
pub mod packed;

#[cfg(not(test))]
mod binding;
#[cfg(not(test))]
mod values;
