//! ringbus: the fleet's event spine as a bounded ring per topic with one sequence across the bus.
//! `bus` is plain Rust (tested by `cargo test`); `binding` is the N-API surface, left out of
//! test builds so they link without Node.

pub mod bus;

#[cfg(not(test))]
mod binding;
