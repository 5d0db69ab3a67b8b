//! Serves the twill protocol core with one OS thread per connection.
//!
//! This crate does **not** parse the protocol or run SQL: each thread owns
//! one [`Connection`](twill_protocol::Connection) and one backend from the
//! [`BackendFactory`], reads the socket with a timeout taken from the core's
//! `poll_timeout`, makes every engine call inline (blocking its own thread
//! and nobody else's) and writes each batch of replies with one `write`.
//! A watchdog thread fires `statement_timeout` while a call runs (see
//! `watchdog.rs`).
//!
//! The entry point is [`serve`], the same shape as the other adapters'
//! (`twill-adapter-mio`, `-tokio`, `-smol`):
//!
//! ```no_run
//! use std::net::TcpListener;
//! use std::sync::Arc;
//! # use twill_protocol::{Backend, BackendFactory, Call, Reply};
//! # struct Engine;
//! # impl BackendFactory for Engine {
//! #     type Backend = Session;
//! #     fn new_backend(&self) -> Session { Session }
//! # }
//! # struct Session;
//! # impl Backend for Session { fn call(&mut self, _: Call) -> Reply { Reply::Closed } }
//! use twill_protocol::{Config, ServeOptions, ShutdownSignal};
//!
//! let listener = TcpListener::bind("127.0.0.1:5433")?;
//! let shutdown = ShutdownSignal::new();
//! // Elsewhere (a signal handler): shutdown.trigger();
//! twill_adapter_std::serve(listener, Arc::new(Engine), Arc::new(Config::default()),
//!                          ServeOptions::default(), shutdown)?;
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(unreachable_pub, missing_docs)]

mod connection;
mod keys;
mod live;
mod reject;
mod watchdog;

use std::io::{self, ErrorKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use twill_protocol::{BackendFactory, CancelRegistry, Config, ServeOptions, ShutdownSignal};

use crate::connection::Server;
use crate::keys::KeyMint;
use crate::live::Live;
use crate::watchdog::Watchdog;

/// How long, after the drain time, a forced close waits for threads to notice.
const FORCE_GRACE: Duration = Duration::from_secs(1);

/// Serves clients from `listener` until `shutdown` triggers, then stops
/// accepting, lets live connections finish (idle ones get FATAL 57P01)
/// for up to [`ServeOptions::drain_timeout`], closes the rest and returns.
///
/// Each connection gets a thread and a backend from `factory`. Sockets over
/// [`ServeOptions::max_startups`] (still logging in) are turned away at
/// accept, and logins over [`ServeOptions::max_connections`] get FATAL 53300
/// from the core. Errors are only those
/// of setting up (the watchdog thread); a failing client never ends `serve`.
pub fn serve<F: BackendFactory>(
    listener: TcpListener,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    listener.set_nonblocking(false)?;
    let local = listener.local_addr()?;
    let server = Arc::new(Server {
        admission: options.admission(),
        registry: CancelRegistry::new(),
        live: Arc::new(Live::default()),
        watchdog: Watchdog::start()?,
        keys: KeyMint::new(),
        config,
        stopping: AtomicBool::new(false),
        forced: AtomicBool::new(false),
    });
    // `accept` blocks; a shutdown wakes it by connecting to ourselves.
    let _watch = shutdown.watch(move || {
        let _ = TcpStream::connect_timeout(&reachable(local), Duration::from_secs(1));
    });
    tracing::info!(%local, "serving (std: a thread per connection)");
    while !shutdown.is_triggered() {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                if !matches!(
                    e.kind(),
                    ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                ) {
                    // Out of file descriptors and the like: back off, retry.
                    tracing::warn!(error = %e, "accept failed");
                    std::thread::sleep(Duration::from_millis(10));
                }
                continue;
            }
        };
        if shutdown.is_triggered() {
            break;
        }
        accept(&server, &factory, &options, stream);
    }
    drop(listener);
    drain(&server, &options);
    Ok(())
}

/// Starts a thread for a new client, or turns it away.
fn accept<F: BackendFactory>(
    server: &Arc<Server>,
    factory: &Arc<F>,
    options: &ServeOptions,
    stream: TcpStream,
) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY failed");
    }
    let Some(ticket) = server.admission.admit() else {
        tracing::warn!(
            max_startups = options.max_startups,
            "too many unfinished logins; rejecting"
        );
        let registry = server.registry.clone();
        let spawned = std::thread::Builder::new()
            .name("twill-reject".into())
            .spawn(move || reject::reject(stream, &registry));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no thread to reject a client");
        }
        return;
    };
    let Ok(handle) = stream.try_clone() else {
        tracing::warn!("cannot clone a socket; closing it");
        return;
    };
    let guard = server.live.register(handle);
    let server = Arc::clone(server);
    let factory = Arc::clone(factory);
    let spawned = std::thread::Builder::new()
        .name("twill-conn".into())
        .spawn(move || {
            let backend = factory.new_backend();
            connection::run(&server, guard, ticket, stream, backend);
        });
    if let Err(e) = spawned {
        // The closure (with the stream and the guard) was dropped: the client
        // sees the socket close and the slot is free again.
        tracing::warn!(error = %e, "no thread for a new connection");
    }
}

/// Graceful shutdown: wake every connection, wait, then force.
fn drain(server: &Server, options: &ServeOptions) {
    let live = server.live.len();
    tracing::info!(live, "shutting down");
    server.stopping.store(true, Ordering::Release);
    server.live.wake_readers();
    if server
        .live
        .wait_empty(Instant::now() + options.drain_timeout)
    {
        return;
    }
    tracing::warn!(
        left = server.live.len(),
        "drain time over; closing connections"
    );
    server.forced.store(true, Ordering::Release);
    server.live.force_close();
    server.live.wait_empty(Instant::now() + FORCE_GRACE);
}

/// An address the listener can be reached at from this host (a wildcard
/// bind is reached through loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
