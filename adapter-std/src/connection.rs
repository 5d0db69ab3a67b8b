//! One connection's thread: the drive loop with blocking socket calls.
//!
//! ```text
//!   loop:  drain events ── Call ──► backend.call() inline (lock released,
//!            │                       watchdog armed with poll_timeout)
//!            ▼
//!          write transmit() once, advance_transmit
//!            ▼
//!          read with SO_RCVTIMEO = poll_timeout − now
//!            ├─ bytes    → handle_input
//!            ├─ 0        → handle_eof (or shutdown, see live.rs)
//!            └─ timeout  → handle_timeout
//! ```
//!
//! Backpressure is natural here: the thread does not read while it writes
//! or while it runs a call, so a client that does not read its results
//! blocks its own thread and nothing else.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twill_protocol::{
    Admission, Backend, CancelRegistry, Config, Connection, Event, Interrupt, InterruptReason,
    Ticket,
};

use crate::keys::KeyMint;
use crate::live::{Live, LiveGuard};
use crate::watchdog::{Cell, Shared, Watchdog};

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 16 << 10;
/// How often a connection that cannot read re-checks its state.
const IDLE_TICK: Duration = Duration::from_millis(20);

/// What every connection thread of a server shares.
pub(crate) struct Server {
    /// The connection limits: unfinished logins and sessions.
    pub(crate) admission: Admission,
    /// Routes CancelRequests to the connection they name.
    pub(crate) registry: CancelRegistry<Arc<dyn Interrupt>>,
    /// Live connections.
    pub(crate) live: Arc<Live>,
    /// Fires statement timeouts during inline calls.
    pub(crate) watchdog: Watchdog,
    /// Pids and secrets.
    pub(crate) keys: KeyMint,
    /// The core's configuration.
    pub(crate) config: Arc<Config>,
    /// A graceful shutdown is under way.
    pub(crate) stopping: AtomicBool,
    /// The drain time is over: give up on clients.
    pub(crate) forced: AtomicBool,
}

/// Serves one client until its connection closes.
pub(crate) fn run<B: Backend>(
    server: &Server,
    guard: LiveGuard,
    ticket: Ticket,
    stream: TcpStream,
    backend: B,
) {
    let (key, entropy) = match server.keys.mint() {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a backend key; closing");
            return;
        }
    };
    let interrupt = backend.interrupt_handle();
    guard.set_interrupt(interrupt.clone());
    let _registration = interrupt
        .clone()
        .and_then(|h| server.registry.register(key, h));
    let mut conn = Connection::new(Arc::clone(&server.config), key, entropy, Instant::now());
    conn.set_admission(ticket);
    if let Ok(peer) = stream.peer_addr() {
        conn.set_peer_addr(peer.ip());
    }
    let shared = Arc::new(Shared {
        cell: Mutex::new(Cell {
            conn,
            in_call: false,
            deferred: Default::default(),
        }),
        interrupt,
    });
    let span = tracing::debug_span!("conn", pid = key.pid);
    let _enter = span.enter();
    tracing::debug!("connection open");
    let mut driver = Driver {
        server,
        shared,
        backend,
        stream,
        told: false,
        write_ok: true,
    };
    driver.run();
    tracing::debug!("connection closed");
    drop(guard);
}

/// The state of one connection thread.
struct Driver<'a, B> {
    server: &'a Server,
    shared: Arc<Shared>,
    backend: B,
    stream: TcpStream,
    /// `Connection::shutdown` was called.
    told: bool,
    /// False once a write failed: output is discarded from then on.
    write_ok: bool,
}

impl<B: Backend> Driver<'_, B> {
    fn run(&mut self) {
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            if !self.told && self.server.stopping.load(Ordering::Acquire) {
                self.told = true;
                self.shared.lock().conn.shutdown(Instant::now());
            }
            if self.drain() {
                self.flush();
                return;
            }
            if self.flush() {
                // advance_transmit may have let the core move on: drain again.
                continue;
            }
            let (wants_read, deadline) = {
                let cell = self.shared.lock();
                (cell.conn.wants_read(), cell.conn.poll_timeout())
            };
            let now = Instant::now();
            if deadline.is_some_and(|d| d <= now) {
                self.shared.lock().conn.handle_timeout(now);
                continue;
            }
            if !wants_read {
                let nap = deadline.map_or(IDLE_TICK, |d| (d - now).min(IDLE_TICK));
                std::thread::sleep(nap);
                self.shared.lock().conn.handle_timeout(Instant::now());
                continue;
            }
            // `deadline > now` here, so the timeout is non-zero as std requires.
            if self
                .stream
                .set_read_timeout(deadline.map(|d| d - now))
                .is_err()
            {
                self.shared.lock().conn.handle_eof(now);
                continue;
            }
            match self.stream.read(&mut buf) {
                Ok(0) => self.on_zero_read(),
                Ok(n) => self
                    .shared
                    .lock()
                    .conn
                    .handle_input(&buf[..n], Instant::now()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.shared.lock().conn.handle_timeout(Instant::now());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::debug!(error = %e, "read failed");
                    self.shared.lock().conn.handle_eof(Instant::now());
                }
            }
        }
    }

    /// A read returned nothing: end of input, or the server's shutdown wake-up.
    fn on_zero_read(&mut self) {
        let now = Instant::now();
        if !self.server.stopping.load(Ordering::Acquire)
            || self.server.forced.load(Ordering::Acquire)
        {
            self.shared.lock().conn.handle_eof(now);
        } else if !self.told {
            self.told = true;
            self.shared.lock().conn.shutdown(now);
        } else {
            // Draining with the read half shut: reads return 0 at once when
            // nothing is queued, so poll gently until the drain ends.
            std::thread::sleep(IDLE_TICK);
        }
    }

    /// Acts on every pending event, making engine calls inline. True once
    /// the connection is closed.
    fn drain(&mut self) -> bool {
        loop {
            let event = {
                let mut cell = self.shared.lock();
                match cell.deferred.pop_front() {
                    Some(e) => Some(e),
                    None => cell.conn.poll_event(),
                }
            };
            match event {
                None => return false,
                Some(Event::Call(id, call)) => {
                    let deadline = {
                        let mut cell = self.shared.lock();
                        cell.in_call = true;
                        cell.conn.poll_timeout()
                    };
                    if let Some(at) = deadline {
                        self.server.watchdog.schedule(at, &self.shared);
                    }
                    let backend = &mut self.backend;
                    let Ok(reply) = catch_unwind(AssertUnwindSafe(|| backend.call(call))) else {
                        // A backend bug: end this connection, keep the server.
                        tracing::error!("the backend panicked; dropping the connection");
                        return true;
                    };
                    let mut cell = self.shared.lock();
                    cell.in_call = false;
                    cell.conn.handle_reply(id, reply, Instant::now());
                }
                Some(Event::Cancel(key)) => {
                    if let Some(handle) = self.server.registry.lookup(key) {
                        tracing::debug!(target_pid = key.pid, "cancel request");
                        handle.interrupt(InterruptReason::UserCancel);
                    }
                }
                Some(Event::Interrupt(_, reason)) => {
                    // Only possible while a call runs, which the watchdog
                    // handles; act anyway in case of a late timer.
                    if let Some(handle) = &self.shared.interrupt {
                        handle.interrupt(reason);
                    }
                }
                Some(Event::Closed(reason)) => {
                    tracing::debug!(?reason, "closed");
                    return true;
                }
            }
        }
    }

    /// Writes all pending output in one go. True if there was any.
    fn flush(&mut self) -> bool {
        let mut cell = self.shared.lock();
        let len = cell.conn.transmit().len();
        if len == 0 {
            return false;
        }
        if self.write_ok
            && let Err(e) = self.stream.write_all(cell.conn.transmit())
        {
            tracing::debug!(error = %e, "write failed; discarding output");
            self.write_ok = false;
        }
        let now = Instant::now();
        cell.conn.advance_transmit(len, now);
        if !self.write_ok {
            cell.conn.handle_eof(now);
        }
        true
    }
}
