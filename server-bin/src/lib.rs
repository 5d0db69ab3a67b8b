//! twill-server: the wiring behind the `engine-server` binary.
//!
//! This crate runs no protocol and no SQL of its own. It does three things:
//! it reads the command line ([`cli`]), it glues the protocol core's engine
//! calls to `twill-engine` sessions ([`EngineBackend`]), and it hands a
//! listener to whichever runtime adapter was asked for ([`run`]). Everything
//! is in this library rather than in `main.rs` so that it can be tested
//! without a process; `main.rs` only parses, logs and calls [`run::serve`].
//!
//! ```text
//!   client ──► adapter (std | mio | tokio | smol) ──► protocol Connection
//!                                                        │ Call
//!                                                        ▼
//!                                         EngineBackend::call ──► twill_engine::Session
//!                                                        │ Reply
//!                                   ◄── transmit() ◄─────┘
//! ```
//!
//! ```text
//! cli.rs        Args: --runtime, --listen, --db, limits, auth, TLS, logging (each with a TWILL_* env) → Config + ServeOptions
//! auth_file.rs  --auth-file: pg_hba.conf-style rules and users with stored verifiers
//! passwd.rs     `engine-server passwd USER`: a password → the verifier line for the auth file
//! databases.rs  --db URL | --db NAME=URL…: which engine Database a session's dbname reaches
//! backend.rs    EngineFactory / EngineBackend: one engine Session per connection
//! convert.rs    engine Output/Batch/TxStatus/SqlError → protocol Output/Batch/TxStatus/ErrorReport
//! interrupt.rs  EngineInterrupt: CancelRequest and statement_timeout reach the session
//! run.rs        picks the adapter; SIGINT/SIGTERM → ShutdownSignal
//! ```

#![warn(unreachable_pub, missing_docs)]

pub mod auth_file;
pub mod backend;
pub mod cli;
mod convert;
pub mod databases;
mod interrupt;
pub mod passwd;
pub mod run;

pub use backend::{EngineBackend, EngineFactory};
pub use cli::{Args, AuthKind, Runtime, TlsMode, Tool};
pub use databases::{DatabaseUrls, Databases};
