//! TLS inside the sans-IO core.
//!
//! The core encrypts by itself, so every host — the four runtime adapters, a
//! hand-written `poll(2)` loop, a test on virtual time — gets TLS without a
//! line of its own: it keeps pushing socket bytes into
//! [`Connection::handle_input`](crate::Connection::handle_input) and writing
//! [`Connection::transmit`](crate::Connection::transmit) out, and those bytes
//! simply become ciphertext once the handshake starts.
//!
//! rustls is driven through its buffered API (`read_tls`,
//! `process_new_packets`, `reader`, `writer`, `write_tls`) on in-memory
//! buffers; it never sees a socket. Two things in rustls itself are outside
//! the core's "no clock, no OS" rule and accepted on purpose: the crypto
//! provider (ring) draws random numbers from the operating system, and
//! session-ticket ages are measured on the wall clock.
//!
//! - [`TlsConfig`] (in `config.rs`): the server's certificate and policy,
//!   shared by all connections through [`Config::tls`](crate::Config::tls).
//! - `end_point.rs`: the `tls-server-end-point` channel binding (a hash of
//!   our certificate) for SCRAM-SHA-256-PLUS.
//! - `Transport` (in `../transport.rs`): one connection's plaintext or TLS
//!   layer between socket bytes and protocol bytes.

mod config;
mod end_point;

pub use config::{TlsConfig, TlsConfigError};

/// The ALPN protocol name PostgreSQL 17 registered for its wire protocol. A
/// direct TLS connection must negotiate it; with SSLRequest it is optional.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";
