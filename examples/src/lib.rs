//! Embedding the twill protocol core by hand: a `poll(2)` loop over
//! non-blocking `std::net` sockets, serving a custom [`Backend`].
//!
//! This crate uses **no runtime crate** — no Tokio, smol or mio, and none
//! of the `twill-adapter-*` crates. It shows what every adapter does, in
//! the smallest form that still follows the core's drive-loop contract
//! exactly (see the [`twill_protocol`] crate docs), so you can embed the
//! core in an event loop of your own. The central types:
//!
//! - [`PollLoop`] (`server.rs`): one thread, one `poll(2)`, every socket.
//! - [`KvSession`] (`session.rs`): the custom [`Backend`] — an in-memory
//!   key-value store with transactions, speaking a five-word language
//!   ([`command`]) over the simple and the extended protocol.
//! - [`PollSet`] (`poll.rs`): the only `unsafe` in the workspace, a safe
//!   wrapper around `libc::poll`.
//!
//! The map, one concept per file:
//!
//! | file | what |
//! |---|---|
//! | `server.rs` | the loop: accept, build the poll set, wait, dispatch, stop |
//! | `client.rs` | one connection: feed one input, drain events, write, repeat |
//! | `poll.rs` | `poll(2)` |
//! | `keys.rs` | BackendKeyData and entropy for new connections |
//! | `session.rs` | the backend: statements, portals, transactions, streaming |
//! | `command.rs` | parsing `SET`/`GET`/`KEYS`/`DEL`/`BEGIN`… and binding `$n` |
//! | `store.rs` | the shared map and a transaction's private writes |
//!
//! # The contract, as this loop keeps it
//!
//! 1. **One input, then drain.** Every `handle_input`, `handle_eof`,
//!    `handle_timeout`, `shutdown` — and `advance_transmit`, which may let
//!    a stream continue — is followed at once by draining
//!    [`poll_event`](twill_protocol::Connection::poll_event) to empty.
//! 2. **Calls are answered inline**, each with exactly one `handle_reply`:
//!    the store is in memory, so a call never blocks. (An engine that waits
//!    on disk would run calls on threads and feed replies back, as
//!    `adapter-mio` does; the connection reads nothing while one is out.)
//! 3. **Write, then report** what the kernel took with
//!    [`advance_transmit`](twill_protocol::Connection::advance_transmit);
//!    what it refused waits for POLLOUT.
//! 4. **Wait honestly**: POLLIN only while
//!    [`wants_read`](twill_protocol::Connection::wants_read) is true (the
//!    backpressure: a client that does not read its `KEYS` result stops
//!    being read, and the store stops being asked for rows), POLLOUT only
//!    with output pending, and a timeout no later than
//!    [`poll_timeout`](twill_protocol::Connection::poll_timeout), after
//!    which `handle_timeout` runs.
//! 5. **Cancel and close**: `Event::Cancel` is looked up in a
//!    [`CancelRegistry`](twill_protocol::CancelRegistry) and interrupts the
//!    named session; `Event::Closed` means flush `transmit` and drop the
//!    socket.
//!
//! # Running it
//!
//! ```text
//! $ cargo run -p twill-examples --bin poll-kv -- 127.0.0.1:5544
//! $ psql -h 127.0.0.1 -p 5544 -c 'SET greeting hello' -c 'GET greeting'
//! ```
//!
//! # Embedding it
//!
//! ```no_run
//! use std::net::TcpListener;
//! use std::sync::Arc;
//! use std::sync::atomic::AtomicBool;
//! use twill_examples::{KvSession, LoopOptions, PollLoop, Store};
//! use twill_protocol::Config;
//!
//! let listener = TcpListener::bind("127.0.0.1:5544")?;
//! let store = Store::new();
//! let mut server = PollLoop::new(
//!     listener,
//!     Arc::new(Config::default()),
//!     || KvSession::new(store.clone()),
//!     LoopOptions::default(),
//! )?;
//! let stop = AtomicBool::new(false); // set it from another thread to stop
//! server.run(&stop)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! [`Backend`]: twill_protocol::Backend

#![warn(unreachable_pub, missing_docs)]

mod client;
pub mod command;
mod keys;
pub mod poll;
pub mod server;
pub mod session;
pub mod store;

pub use poll::PollSet;
pub use server::{LoopOptions, PollLoop};
pub use session::{BATCH_ROWS, KvSession};
pub use store::Store;
