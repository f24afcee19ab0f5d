//! Fuzz target: arbitrary bytes laid over a managed segment, then operations on it
//! (the body is shared with the replay test: see `fuzz/targets.rs`).

#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    targets::segment(data);
});
