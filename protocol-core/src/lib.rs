//! A sans-IO PostgreSQL v3 wire protocol core.
//!
//! This crate does **not** read or write sockets, spawn threads, sleep, read
//! the clock, touch files, or run SQL. It is a pure state machine: the host
//! hands it bytes, time and engine replies; it hands back bytes to send,
//! engine calls to make, and the time it next wants to be woken. The same
//! [`Connection`] is driven by a thread per connection, a mio loop, Tokio,
//! smol, a hand-written `poll(2)` loop, a test on virtual time or a fuzzer.
//!
//! The central types:
//! - [`Connection`]: one client's protocol state.
//! - [`Call`] / [`Reply`]: the typed boundary to the engine (see [`call`]).
//! - [`Backend`] and [`drive`]: a synchronous way to answer calls.
//! - [`CancelRegistry`]: routes CancelRequests between connections.
//! - [`TlsConfig`]: TLS, which the core runs itself on in-memory buffers
//!   (see [`tls`]), so hosts only ever move bytes.
//! - [`ServeOptions`], [`ShutdownSignal`], [`Admission`], [`Rejection`]:
//!   the runtime-free pieces every host (runtime adapter) shares: its
//!   settings, the stop signal, the connection limits (sessions and
//!   unfinished logins, counted apart), and turning away a client over them.
//!
//! # The drive loop
//!
//! Inputs are `handle_*` methods, outputs are `poll_*` methods plus
//! [`transmit`](Connection::transmit). After **any** input the host drains
//! everything, then waits:
//!
//! 1. Feed one input: [`handle_input`](Connection::handle_input) (bytes, in
//!    any chunking), [`handle_eof`](Connection::handle_eof),
//!    [`handle_reply`](Connection::handle_reply),
//!    [`handle_timeout`](Connection::handle_timeout) or
//!    [`shutdown`](Connection::shutdown).
//! 2. Drain [`poll_event`](Connection::poll_event) until `None`. Each
//!    [`Event::Call`] must be answered with exactly one `handle_reply` (now,
//!    or later from another thread's result); at most one call is ever
//!    outstanding, and the connection reads no further input until it is
//!    answered.
//! 3. Write [`transmit`](Connection::transmit) to the socket and report what
//!    was written with [`advance_transmit`](Connection::advance_transmit).
//! 4. Wait for whichever comes first: readable socket (only if
//!    [`wants_read`](Connection::wants_read) — this is the backpressure),
//!    writable socket (if output is pending), the reply, or
//!    [`poll_timeout`](Connection::poll_timeout).
//!
//! After [`Event::Closed`], send what `transmit` still holds and close.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use twill_protocol::message::{frontend::FrontendMessage, startup::{StartupPacket, PROTOCOL_3_0}};
//! use twill_protocol::{drive, Backend, BackendKey, Batch, Call, Column, Config, Connection,
//!                      Output, Reply, TxStatus};
//! use twill_types::Value;
//!
//! /// A tiny engine: every query returns one row, `hello`.
//! struct Hello;
//! impl Backend for Hello {
//!     fn call(&mut self, call: Call) -> Reply {
//!         match call {
//!             Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
//!             Call::Query(_) => Reply::Stream(Batch {
//!                 outputs: vec![
//!                     Output::Columns(vec![Column::new("greeting", 25, -1)]),
//!                     Output::Rows(vec![vec![Value::Text("hello".into())]]),
//!                     Output::Complete("SELECT 1".into()),
//!                 ],
//!                 more: false,
//!                 status: TxStatus::Idle,
//!             }),
//!             Call::Terminate => Reply::Closed,
//!             other => unreachable!("not used here: {other:?}"),
//!         }
//!     }
//! }
//!
//! let now = Instant::now();
//! let key = BackendKey { pid: 1, secret: 42 };
//! let mut conn = Connection::new(Arc::new(Config::default()), key, [7; 32], now);
//! let mut input = BytesMut::new();
//! StartupPacket::Startup { version: PROTOCOL_3_0, params: vec![("user".into(), "me".into())] }
//!     .encode(&mut input);
//! FrontendMessage::Query("select 'hello'".into()).encode(&mut input);
//!
//! conn.handle_input(&input, now);
//! let events = drive(&mut conn, &mut Hello, now);
//! assert!(events.is_empty());
//! let out = conn.transmit().to_vec();
//! conn.advance_transmit(out.len(), now);
//! // AuthenticationOk … ReadyForQuery, then T, D, C and Z for the query.
//! assert_eq!(out[0], b'R');
//! assert!(out.windows(5).any(|w| w == b"hello"));
//! assert_eq!(&out[out.len() - 6..], b"Z\0\0\0\x05I");
//! ```

#![warn(unreachable_pub, missing_docs)]

mod admission;
pub mod auth;
mod backend;
pub mod call;
mod cancel;
mod config;
mod connection;
mod error;
mod host;
pub mod message;
mod reject;
pub mod tls;
mod transport;

#[cfg(any(test, fuzzing))]
#[doc(hidden)]
#[allow(missing_docs, unreachable_pub)]
pub mod fuzz;

pub use admission::{Admission, Ticket};
pub use auth::{
    AccessDecision, AccessRule, AccessRules, AuthMethod, CredentialSource, ScramVerifier,
    StoredCredential, Users,
};
pub use backend::{Backend, BackendFactory, Interrupt, drive};
pub use call::{Batch, Call, Column, Output, Reply, SessionStart, Target, TxStatus};
pub use cancel::{BackendKey, CancelRegistry, KeyMint, Registration};
pub use config::Config;
pub use connection::{CallId, CloseReason, Connection, Event, InterruptReason};
pub use error::{ErrorReport, Severity};
pub use host::{ServeOptions, ShutdownSignal, ShutdownWatch};
pub use reject::Rejection;
pub use tls::{TlsConfig, TlsConfigError};
