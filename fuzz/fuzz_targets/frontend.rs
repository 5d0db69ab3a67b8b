//! Fuzz target `frontend`: see `twill_protocol::fuzz::frontend` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_protocol::fuzz::frontend(data));
