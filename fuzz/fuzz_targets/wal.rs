//! Fuzz target `wal`: see `twill_engine::fuzz::wal` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| twill_engine::fuzz::wal(data));
