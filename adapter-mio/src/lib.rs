//! Serves the twill protocol core from a mio event loop, with engine calls
//! on a worker pool.
//!
//! This crate does **not** parse the protocol or run SQL. One thread runs a
//! `mio::Poll` loop over every socket; each connection is a
//! [`Connection`](twill_protocol::Connection) plus readiness flags (see
//! `conn.rs`). The loop never blocks on the engine: each `Event::Call` moves
//! the connection's backend to a worker thread (`pool.rs`), and the reply
//! comes back through a `mio::Waker`. The core's timers live in an ordered
//! set of `(deadline, token)` that bounds each `poll` wait.
//!
//! The entry point is [`serve`], the same shape as the other adapters'.
//!
//! ```text
//!   accept ─► Conn{Connection, backend} ─► pump: events → pool; write once; read
//!   Waker  ─► completions: handle_reply ─► pump
//!   timers ─► handle_timeout ─► pump          shutdown ─► Connection::shutdown ─► pump
//! ```

#![warn(unreachable_pub, missing_docs)]

mod conn;
mod event_loop;
mod keys;
mod pool;
mod reject;

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use twill_protocol::{BackendFactory, Config, ServeOptions, ShutdownSignal};

/// How long a closed connection may take to flush its last bytes.
const CLOSE_LINGER: Duration = Duration::from_secs(5);
/// How long a rejected client gets, from accept to close.
const REJECT_LINGER: Duration = Duration::from_secs(2);
/// Engine worker threads when [`ServeOptions::engine_threads`] is 0.
pub const DEFAULT_ENGINE_THREADS: usize = 16;

/// Serves clients from `listener` until `shutdown` triggers, then stops
/// accepting, lets live connections finish (idle ones get FATAL 57P01) for
/// up to [`ServeOptions::drain_timeout`], closes the rest and returns.
///
/// One event-loop thread (the caller's) serves every connection; engine
/// calls run on [`ServeOptions::engine_threads`] workers (default
/// [`DEFAULT_ENGINE_THREADS`]). Sockets over
/// [`ServeOptions::max_startups`] (still logging in) are turned away at
/// accept with a [`Rejection`](twill_protocol::Rejection); logins over
/// [`ServeOptions::max_connections`] get FATAL 53300 from the core. Errors are only those
/// of setting up the loop; a failing client never ends `serve`.
pub fn serve<F: BackendFactory>(
    listener: TcpListener,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = mio::net::TcpListener::from_std(listener);
    tracing::info!(local = ?listener.local_addr().ok(), "serving (mio event loop)");
    event_loop::EventLoop::new(listener, factory, config, options, shutdown)?.run()
}
