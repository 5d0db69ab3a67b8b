//! Serves the twill protocol core with one Tokio task per connection.
//!
//! This crate does **not** parse the protocol or run SQL. Each connection
//! is a task owning a [`Connection`](twill_protocol::Connection) and a
//! backend; it selects over the socket, the core's timer, the shutdown
//! signal and the engine call in flight (see `connection.rs`). Engine calls
//! run on Tokio's blocking pool (`spawn_blocking`), never on the runtime's
//! worker threads, so a statement waiting on a lock cannot stall the
//! connections that share its worker.
//!
//! The entry point is [`serve`], the same blocking shape as the other
//! adapters': it builds its own multi-threaded runtime
//! ([`ServeOptions::io_threads`] workers, [`ServeOptions::engine_threads`]
//! blocking threads at most) and returns when the server has stopped. Call
//! it from a plain thread, not from inside another Tokio runtime.
//!
//! [`BackendFactory::new_backend`] runs on the accept loop, so it must be
//! cheap; anything slow belongs in the backend's `OpenSession` call.

#![warn(unreachable_pub, missing_docs)]

mod connection;
mod keys;
mod reject;

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use twill_protocol::{BackendFactory, CancelRegistry, Config, ServeOptions, ShutdownSignal};

use crate::connection::{LiveGuard, Server};
use crate::keys::KeyMint;

/// Extra time, past the drain, for connection tasks to notice and end.
const FORCE_GRACE: Duration = Duration::from_secs(1);

/// Serves clients from `listener` until `shutdown` triggers, then stops
/// accepting, lets live connections finish (idle ones get FATAL 57P01) for
/// up to [`ServeOptions::drain_timeout`], closes the rest and returns.
///
/// Sockets over
/// [`ServeOptions::max_startups`] (still logging in) are turned away at
/// accept with a [`Rejection`](twill_protocol::Rejection); logins over
/// [`ServeOptions::max_connections`] get FATAL 53300 from the core. Errors
/// are only those of building the runtime and the listener; a failing
/// client never ends `serve`.
pub fn serve<F: BackendFactory>(
    listener: TcpListener,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all().thread_name("twill-tokio");
    if options.io_threads > 0 {
        builder.worker_threads(options.io_threads);
    }
    if options.engine_threads > 0 {
        builder.max_blocking_threads(options.engine_threads);
    }
    let runtime = builder.build()?;
    let result = runtime.block_on(run(listener, factory, config, options, shutdown));
    // Engine calls abandoned by a forced close may still be running on the
    // blocking pool; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

async fn run<F: BackendFactory>(
    listener: TcpListener,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    tracing::info!(local = ?listener.local_addr().ok(), "serving (tokio: a task per connection)");
    let (stop_tx, stop_rx) = watch::channel(false);
    let _watch = shutdown.watch(move || {
        stop_tx.send_replace(true);
    });
    let server = Arc::new(Server {
        registry: CancelRegistry::new(),
        keys: KeyMint::new(),
        config,
        admission: options.admission(),
        live: Arc::new(AtomicUsize::new(0)),
        drain: options.drain_timeout,
    });
    let mut tasks = JoinSet::new();
    let mut stop = stop_rx.clone();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of descriptors and the like: back off, retry.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(error = %e, "TCP_NODELAY failed");
                }
                let Some(ticket) = server.admission.admit() else {
                    tracing::warn!(max_startups = options.max_startups, "too many unfinished logins; rejecting");
                    tasks.spawn(reject::reject(stream, server.registry.clone()));
                    continue;
                };
                server.live.fetch_add(1, Ordering::AcqRel);
                let guard = LiveGuard(Arc::clone(&server.live));
                let backend = factory.new_backend();
                tasks.spawn(connection::run(Arc::clone(&server), guard, ticket, stream, backend, stop_rx.clone()));
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    tracing::info!(live = server.live.load(Ordering::Acquire), "shutting down");
    // Each connection task enforces the drain deadline itself; this bound
    // only catches one that does not.
    let drained = tokio::time::timeout(options.drain_timeout + FORCE_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("connections still open after the drain; aborting them");
        tasks.shutdown().await;
    }
    Ok(())
}
