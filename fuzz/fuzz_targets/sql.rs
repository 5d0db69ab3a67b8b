//! Fuzz target `sql`: see `twill_engine::fuzz::sql` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_engine::fuzz::sql(data));
