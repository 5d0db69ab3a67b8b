//! Fuzz target `types`: see `twill_protocol::fuzz::types` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_protocol::fuzz::types(data));
