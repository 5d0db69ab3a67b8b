//! End-to-end tests for twill: real clients over real sockets, run against
//! every runtime adapter.
//!
//! The suites live in `tests/` (one binary, `adapters`, whose cases run once
//! per runtime). This library holds what they share: the **test backend**
//! ([`test_backend`]), a stand-in for the SQL engine until twill-engine can
//! serve the wire. It is not an engine: it understands a handful of
//! statements through a hand-written matcher, for testing the adapters only.

#![warn(unreachable_pub, missing_docs)]

pub mod test_backend;
