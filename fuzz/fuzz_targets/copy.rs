//! Fuzz target `copy`: see `twill_engine::fuzz::copy` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_engine::fuzz::copy(data));
