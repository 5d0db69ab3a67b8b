//! Serves the twill protocol core with one smol task per connection.
//!
//! This crate does **not** parse the protocol or run SQL. Each connection
//! is a task owning a [`Connection`](twill_protocol::Connection) and a
//! backend; it races the socket, the core's timer, the shutdown signal and
//! the engine call in flight (see `connection.rs`). Engine calls run on the
//! `blocking` crate's pool (`smol::unblock`), never on an executor thread.
//!
//! The entry point is [`serve`], the same blocking shape as the other
//! adapters': it runs a `smol::Executor` on [`ServeOptions::io_threads`]
//! threads (the caller's among them) and returns when the server has
//! stopped. [`ServeOptions::engine_threads`] does not apply: the blocking
//! pool sizes itself (up to 500 threads, or `BLOCKING_MAX_THREADS`).

#![warn(unreachable_pub, missing_docs)]

mod connection;
mod keys;
mod reject;

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use smol::channel;
use smol::{Async, Executor};
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
/// are only those of setting up the listener and threads; a failing client
/// never ends `serve`.
pub fn serve<F: BackendFactory>(
    listener: TcpListener,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    let listener = Async::new(listener)?;
    let threads = match options.io_threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let executor = Executor::new();
    // The helper threads run the executor until this channel closes.
    let (done_tx, done_rx) = channel::bounded::<()>(1);
    std::thread::scope(|scope| {
        for i in 1..threads {
            let (executor, done_rx) = (&executor, done_rx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("twill-smol-{i}"))
                .spawn_scoped(scope, move || {
                    smol::block_on(executor.run(async {
                        let _ = done_rx.recv().await;
                    }));
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "fewer executor threads than asked");
            }
        }
        let result = smol::block_on(
            executor.run(run(&executor, listener, factory, config, options, shutdown)),
        );
        drop(done_tx);
        result
    })
}

async fn run<F: BackendFactory>(
    executor: &Executor<'_>,
    listener: Async<TcpListener>,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
) -> io::Result<()> {
    tracing::info!(local = ?listener.get_ref().local_addr().ok(), "serving (smol: a task per connection)");
    // Nothing is sent on `stop`: closing it is the broadcast.
    let (stop_tx, stop_rx) = channel::bounded::<()>(1);
    let _watch = shutdown.watch(move || {
        stop_tx.close();
    });
    // Every connection holds a sender; the receiver sees "closed" once all are gone.
    let (alive_tx, alive_rx) = channel::bounded::<()>(1);
    let server = Arc::new(Server {
        registry: CancelRegistry::new(),
        keys: KeyMint::new(),
        config,
        admission: options.admission(),
        live: Arc::new(AtomicUsize::new(0)),
        drain: options.drain_timeout,
    });
    loop {
        let accepted = smol::future::or(async { Some(listener.accept().await) }, async {
            let _ = stop_rx.recv().await;
            None
        })
        .await;
        let Some(accepted) = accepted else { break };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors and the like: back off, retry.
                tracing::warn!(error = %e, "accept failed");
                smol::Timer::after(Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Err(e) = stream.get_ref().set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY failed");
        }
        let Some(ticket) = server.admission.admit() else {
            tracing::warn!(
                max_startups = options.max_startups,
                "too many unfinished logins; rejecting"
            );
            executor
                .spawn(reject::reject(stream, server.registry.clone()))
                .detach();
            continue;
        };
        server.live.fetch_add(1, Ordering::AcqRel);
        let guard = LiveGuard {
            live: Arc::clone(&server.live),
            _alive: alive_tx.clone(),
        };
        let backend = factory.new_backend();
        let task = connection::run(
            Arc::clone(&server),
            guard,
            ticket,
            stream,
            backend,
            stop_rx.clone(),
        );
        executor.spawn(task).detach();
    }
    drop(listener);
    drop(alive_tx);
    tracing::info!(live = server.live.load(Ordering::Acquire), "shutting down");
    // Each connection task enforces the drain deadline itself; this bound
    // only catches one that does not (the executor drops it on return).
    let all_gone = async {
        let _ = alive_rx.recv().await;
        true
    };
    let late = async {
        smol::Timer::after(options.drain_timeout + FORCE_GRACE).await;
        false
    };
    if !smol::future::or(all_gone, late).await {
        tracing::warn!("connections still open after the drain; dropping them");
    }
    Ok(())
}
