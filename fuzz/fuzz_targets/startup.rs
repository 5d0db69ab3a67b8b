//! Fuzz target `startup`: see `twill_protocol::fuzz::startup` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_protocol::fuzz::startup(data));
