//! Fuzz target `scram`: see `twill_protocol::fuzz::scram` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_protocol::fuzz::scram(data));
