//! Fuzz target `connection`: a Connection under arbitrary operations; see
//! `twill_protocol::fuzz::connection` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let ops = twill_protocol::fuzz::connection::ops_from_bytes(data);
    twill_protocol::fuzz::connection::run(data.first().is_some_and(|b| b & 1 == 1), &ops);
});
