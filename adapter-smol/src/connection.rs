//! One connection's task: the drive loop as a race between the socket, the
//! engine call, the core's timer and the shutdown signal.
//!
//! ```text
//!   loop:  drain events ── Call ──► smol::unblock(backend.call) (backend moves along)
//!          write transmit() once per round (non-blocking)
//!          race { call done     → handle_reply
//!                 shutdown      → Connection::shutdown; arm the drain deadline
//!                 drain over    → interrupt the call, drop the socket
//!                 readable      → read → handle_input / handle_eof   (only if wants_read)
//!                 writable      → (loop writes)                      (only if output)
//!                 poll_timeout  → handle_timeout }
//! ```
//!
//! Engine calls run on the `blocking` crate's thread pool (`smol::unblock`),
//! never on an executor thread, so a statement waiting on a lock cannot
//! stall the connections sharing that thread.

use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use smol::channel::{Receiver, Sender};
use smol::future::{or, pending};
use smol::{Async, Task};
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

/// Counts a connection as live until dropped; holds a sender of the
/// server's "all gone" channel, which closes when the last one drops.
pub(crate) struct LiveGuard {
    pub(crate) live: Arc<AtomicUsize>,
    pub(crate) _alive: Sender<()>,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A call on the blocking pool: the backend comes back with the reply
/// (None if the backend panicked).
type InFlight<B> = (CallId, Task<(B, Option<Reply>)>);

/// What woke the connection.
enum Wake<B> {
    Call(CallId, (B, Option<Reply>)),
    Stop,
    GiveUp,
    Readable,
    Writable,
    Timer,
}

/// Serves one client until its connection closes.
pub(crate) async fn run<B: Backend + Send + 'static>(
    server: Arc<Server>,
    _guard: LiveGuard,
    ticket: Ticket,
    stream: Async<TcpStream>,
    backend: B,
    stop: Receiver<()>,
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
    if let Ok(peer) = stream.get_ref().peer_addr() {
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
                    let task = smol::unblock(move || {
                        let reply = catch_unwind(AssertUnwindSafe(|| b.call(call))).ok();
                        (b, reply)
                    });
                    inflight = Some((id, task));
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
            match stream.get_ref().write(conn.transmit()) {
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
        let wake = {
            let call = async {
                match &mut inflight {
                    Some((id, task)) => Wake::Call(*id, task.await),
                    None => pending().await,
                }
            };
            let stopped = when(!told, async {
                // Nothing is ever sent: the channel closing is the signal.
                let _ = stop.recv().await;
                Wake::Stop
            });
            let gave_up = sleep_until(give_up, Wake::GiveUp);
            let readable = when(want_read, async {
                let _ = stream.readable().await;
                Wake::Readable
            });
            let writable = when(want_write, async {
                let _ = stream.writable().await;
                Wake::Writable
            });
            let timed_out = sleep_until(timer, Wake::Timer);
            or(
                call,
                or(stopped, or(gave_up, or(readable, or(writable, timed_out)))),
            )
            .await
        };
        let now = Instant::now();
        match wake {
            Wake::Call(id, (b, reply)) => {
                inflight = None;
                let Some(reply) = reply else {
                    tracing::error!("the backend panicked; dropping the connection");
                    return;
                };
                backend = Some(b);
                conn.handle_reply(id, reply, now);
            }
            Wake::Stop => {
                told = true;
                give_up = Some(give_up.map_or(now + server.drain, |t| t.min(now + server.drain)));
                conn.shutdown(now);
            }
            Wake::GiveUp => {
                if inflight.is_some()
                    && let Some(handle) = &interrupt
                {
                    handle.interrupt(InterruptReason::UserCancel);
                }
                tracing::debug!(pid = key.pid, "giving up on the connection");
                return;
            }
            Wake::Readable => match stream.get_ref().read(&mut buf) {
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
            },
            Wake::Writable => {}
            Wake::Timer => conn.handle_timeout(now),
        }
    }
}

/// `fut` if `cond`, else a future that never completes.
async fn when<T>(cond: bool, fut: impl Future<Output = T>) -> T {
    if cond { fut.await } else { pending().await }
}

/// Resolves to `value` at `at` (never if None).
async fn sleep_until<T>(at: Option<Instant>, value: T) -> T {
    match at {
        Some(at) => {
            smol::Timer::at(at).await;
            value
        }
        None => pending().await,
    }
}
