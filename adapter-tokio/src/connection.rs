//! One connection's task: the drive loop as a `select!` over the socket,
//! the engine call, the core's timer and the shutdown signal.
//!
//! ```text
//!   loop:  drain events ── Call ──► spawn_blocking(backend.call) (backend moves along)
//!          try_write(transmit()) once per round
//!          select! { call done     → handle_reply
//!                    readable      → try_read → handle_input / handle_eof   (only if wants_read)
//!                    writable      → (loop writes)                          (only if output)
//!                    poll_timeout  → handle_timeout
//!                    shutdown      → Connection::shutdown; arm the drain deadline
//!                    drain over    → interrupt the call, drop the socket }
//! ```
//!
//! Engine calls never run on a runtime worker thread: they go to Tokio's
//! blocking pool, so a statement waiting on a lock or an fsync does not
//! stall the other connections on that worker.

use std::io::ErrorKind;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};
use twill_protocol::{
    Admission, Backend, CallId, CancelRegistry, Config, Connection, Event, Interrupt,
    InterruptReason, Reply, Ticket,
};

use crate::keys::KeyMint;

/// Bytes read per `read` call.
const READ_CHUNK: usize = 64 << 10;
/// How long a closed connection may take to flush its last bytes.
const CLOSE_LINGER: Duration = Duration::from_secs(5);

/// What every connection task shares.
pub(crate) struct Server {
    pub(crate) registry: CancelRegistry<Arc<dyn Interrupt>>,
    pub(crate) keys: KeyMint,
    pub(crate) config: Arc<Config>,
    /// The connection limits: unfinished logins and sessions.
    pub(crate) admission: Admission,
    /// Live connections (for the shutdown log).
    pub(crate) live: Arc<AtomicUsize>,
    /// How long a shutdown lets a busy connection finish.
    pub(crate) drain: Duration,
}

/// Counts a connection as live until dropped.
pub(crate) struct LiveGuard(pub(crate) Arc<AtomicUsize>);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A call on the blocking pool: the backend comes back with the reply
/// (None if the backend panicked).
type InFlight<B> = (CallId, JoinHandle<(B, Option<Reply>)>);

/// Serves one client until its connection closes.
pub(crate) async fn run<B: Backend + Send + 'static>(
    server: Arc<Server>,
    _guard: LiveGuard,
    ticket: Ticket,
    stream: TcpStream,
    backend: B,
    mut stop: watch::Receiver<bool>,
) {
    let (key, entropy) = match server.keys.mint() {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a backend key; closing");
            return;
        }
    };
    let interrupt = backend.interrupt_handle();
    let _registration = interrupt
        .clone()
        .and_then(|h| server.registry.register(key, h));
    let mut conn = Connection::new(Arc::clone(&server.config), key, entropy, Instant::now());
    conn.set_admission(ticket);
    if let Ok(peer) = stream.peer_addr() {
        conn.set_peer_addr(peer.ip());
    }
    let mut backend = Some(backend);
    let mut inflight: Option<InFlight<B>> = None;
    let mut buf = vec![0u8; READ_CHUNK];
    let mut told = false;
    let mut read_done = false;
    let mut broken = false;
    let mut closed = false;
    let mut give_up: Option<Instant> = None;
    tracing::debug!(pid = key.pid, "connection open");
    loop {
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Call(id, call) => {
                    let Some(mut b) = backend.take() else {
                        // The core keeps one call outstanding and the backend
                        // comes back with each reply: a core bug.
                        tracing::error!("a second call while one is outstanding");
                        return;
                    };
                    let handle = tokio::task::spawn_blocking(move || {
                        let reply = catch_unwind(AssertUnwindSafe(|| b.call(call))).ok();
                        (b, reply)
                    });
                    inflight = Some((id, handle));
                }
                Event::Cancel(key) => {
                    if let Some(handle) = server.registry.lookup(key) {
                        tracing::debug!(target_pid = key.pid, "cancel request");
                        handle.interrupt(InterruptReason::UserCancel);
                    }
                }
                Event::Interrupt(id, reason) => {
                    if inflight.as_ref().is_some_and(|(i, _)| *i == id)
                        && let Some(handle) = &interrupt
                    {
                        handle.interrupt(reason);
                    }
                }
                Event::Closed(reason) => {
                    tracing::debug!(pid = key.pid, ?reason, "closed");
                    closed = true;
                    give_up.get_or_insert(Instant::now() + CLOSE_LINGER);
                }
            }
        }
        let len = conn.transmit().len();
        if len > 0 {
            let now = Instant::now();
            if broken {
                conn.advance_transmit(len, now);
                continue;
            }
            match stream.try_write(conn.transmit()) {
                Ok(n) => {
                    conn.advance_transmit(n, now);
                    continue;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::debug!(error = %e, "write failed");
                    broken = true;
                    conn.advance_transmit(len, now);
                    conn.handle_eof(now);
                    continue;
                }
            }
        }
        if closed && inflight.is_none() && conn.transmit().is_empty() {
            return;
        }
        let want_read = !read_done && !closed && conn.wants_read();
        let want_write = !conn.transmit().is_empty();
        let timer = conn.poll_timeout();
        tokio::select! {
            biased;
            (id, result) = call_done(&mut inflight), if inflight.is_some() => {
                inflight = None;
                match result {
                    Ok((b, Some(reply))) => {
                        backend = Some(b);
                        conn.handle_reply(id, reply, Instant::now());
                    }
                    Ok((_, None)) | Err(_) => {
                        tracing::error!("the backend panicked; dropping the connection");
                        return;
                    }
                }
            }
            _ = stop.wait_for(|s| *s), if !told => {
                told = true;
                let now = Instant::now();
                give_up = Some(give_up.map_or(now + server.drain, |t| t.min(now + server.drain)));
                conn.shutdown(now);
            }
            () = sleep_until(give_up), if give_up.is_some() => {
                if let Some((_, _)) = &inflight
                    && let Some(handle) = &interrupt
                {
                    handle.interrupt(InterruptReason::UserCancel);
                }
                tracing::debug!(pid = key.pid, "giving up on the connection");
                return;
            }
            ready = stream.readable(), if want_read => {
                let now = Instant::now();
                match ready.and_then(|()| stream.try_read(&mut buf)) {
                    Ok(0) => {
                        read_done = true;
                        conn.handle_eof(now);
                    }
                    Ok(n) => conn.handle_input(&buf[..n], now),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "read failed");
                        read_done = true;
                        conn.handle_eof(now);
                    }
                }
            }
            _ = stream.writable(), if want_write => {}
            () = sleep_until(timer), if timer.is_some() => conn.handle_timeout(Instant::now()),
        }
    }
}

/// Waits for the call in flight (pending forever if there is none).
async fn call_done<T>(
    inflight: &mut Option<(CallId, JoinHandle<T>)>,
) -> (CallId, Result<T, JoinError>) {
    match inflight {
        Some((id, handle)) => (*id, handle.await),
        None => std::future::pending().await,
    }
}

/// Sleeps until `at` (forever if None).
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
