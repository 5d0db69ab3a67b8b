//! Integration tests of the MVCC layer, in one test binary:
//!
//! - `scripts`: goldenscript scenarios (anomalies × isolation levels, and
//!   PostgreSQL isolation specs) run by sessions on real threads;
//! - `model`: a proptest of random interleavings against a `BTreeMap` oracle;
//! - `concurrency`: bank transfers, a contended counter, deadlock rings.

mod concurrency;
mod harness;
mod model;
mod scripts;
