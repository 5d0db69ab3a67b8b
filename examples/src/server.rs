//! [`PollLoop`]: every connection of a server on one thread, one `poll(2)`.
//!
//! One turn of the loop:
//!
//! ```text
//!   ┌─► stop flag set? ── once: shutdown() every connection, stop accepting
//!   │   drop finished clients (closed and flushed, or lingered too long)
//!   │   build the poll set:  listener       POLLIN (unless stopping)
//!   │                        each client    POLLIN  iff wants_read()
//!   │                                       POLLOUT iff transmit() non-empty
//!   │   timeout = earliest poll_timeout() / linger, at most `max_wait`
//!   │   poll(2)
//!   │   accept every pending socket → Connection::new
//!   │   each client: readable → read/handle_input/service
//!   │                writable → service (write transmit, drain again)
//!   │                hang-up with nothing asked → handle_eof
//!   │                deadline passed → handle_timeout/service
//!   └── repeat
//! ```
//!
//! Every input is followed at once by `Client::service` (`client.rs`) — drain events,
//! answer calls inline, write — so between turns no connection has events
//! waiting: the only things left are bytes the kernel would not take
//! (POLLOUT next turn) and timers (the poll timeout).
//!
//! `max_wait` bounds each wait so the stop flag — a plain `AtomicBool` that
//! any thread may set — is seen within that time. (A real server would
//! rather wake the loop at once, with a self-pipe or eventfd in the set.)

use std::io::{self, ErrorKind};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use twill_protocol::{Backend, Config, Connection};

use crate::client::{self, Client, Registry};
use crate::keys::KeyMint;
use crate::poll::PollSet;

/// How much is read from a socket at a time.
const READ_CHUNK: usize = 16 << 10;

/// The loop's knobs.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// The longest single wait in `poll`: how quickly the stop flag is
    /// noticed.
    pub max_wait: Duration,
    /// After the stop flag is set, how long connections may take to finish
    /// the statement in flight and flush their goodbye before the loop
    /// returns (dropping — closing — whatever is left).
    pub drain_timeout: Duration,
    /// After `Event::Closed`, how long to keep trying to send the last
    /// bytes (a FATAL error, say) to a client that does not read.
    pub linger: Duration,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            max_wait: Duration::from_millis(100),
            drain_timeout: Duration::from_secs(5),
            linger: Duration::from_secs(2),
        }
    }
}

/// A single-threaded server: a listener and its clients, each with a
/// [`Connection`] and a backend made by `new_backend`.
///
/// The backend need not be `Send`: everything runs on the thread that
/// calls [`run`](Self::run) (the key-value example shares its store through
/// an `Rc`).
pub struct PollLoop<B, F> {
    /// Accepts new clients (non-blocking).
    listener: TcpListener,
    /// The core's settings, shared by every connection.
    config: Arc<Config>,
    /// Makes one backend per connection.
    new_backend: F,
    /// The loop's knobs.
    options: LoopOptions,
    /// Live clients, in accept order.
    clients: Vec<Client<B>>,
    /// Routes CancelRequests to the connection they name.
    registry: Registry,
    /// Pids, secrets and entropy.
    keys: KeyMint,
    /// The descriptors of the current turn.
    poll: PollSet,
    /// The read buffer every client shares (one read at a time).
    buf: Vec<u8>,
}

impl<B, F> PollLoop<B, F>
where
    B: Backend,
    F: FnMut() -> B,
{
    /// A loop serving `listener` (made non-blocking here).
    pub fn new(
        listener: TcpListener,
        config: Arc<Config>,
        new_backend: F,
        options: LoopOptions,
    ) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(PollLoop {
            listener,
            config,
            new_backend,
            options,
            clients: Vec::new(),
            registry: Registry::new(),
            keys: KeyMint::new(),
            poll: PollSet::new(),
            buf: vec![0; READ_CHUNK],
        })
    }

    /// How many clients are connected.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    /// Serves until `stop` is set, then stops accepting, asks every
    /// connection to end (idle sessions get FATAL 57P01; one mid-statement
    /// finishes it first), waits up to [`LoopOptions::drain_timeout`] for
    /// them to close, and returns. Errors are the loop's own (`poll`
    /// failing); a failing client only ends its own connection.
    pub fn run(&mut self, stop: &AtomicBool) -> io::Result<()> {
        let mut drain_until: Option<Instant> = None;
        loop {
            let now = Instant::now();
            if drain_until.is_none() && stop.load(Ordering::Acquire) {
                drain_until = Some(now + self.options.drain_timeout);
                for client in &mut self.clients {
                    client.stop(&self.registry, self.options.linger);
                }
            }
            self.clients.retain(|c| !c.is_finished(now));
            if let Some(until) = drain_until
                && (self.clients.is_empty() || now >= until)
            {
                // Dropping the clients closes their sockets.
                self.clients.clear();
                return Ok(());
            }
            self.turn(drain_until.is_none())?;
        }
    }

    /// One wait and everything it makes ready.
    fn turn(&mut self, accepting: bool) -> io::Result<()> {
        let linger = self.options.linger;
        self.poll.clear();
        let listener_at = accepting.then(|| self.poll.push(&self.listener, true, false));
        let mut wake = Instant::now() + self.options.max_wait;
        for client in &self.clients {
            let (read, write) = client.interest();
            self.poll.push(client.socket(), read, write);
            if let Some(at) = client.deadline() {
                wake = wake.min(at);
            }
        }
        let polled = self.clients.len();
        let first = usize::from(listener_at.is_some());
        self.poll
            .wait(wake.saturating_duration_since(Instant::now()))?;

        for (i, client) in self.clients.iter_mut().enumerate().take(polled) {
            let ready = self.poll.readiness(first + i);
            let (read, write) = client.interest();
            if read && (ready.readable || ready.hangup) {
                client.on_readable(&mut self.buf, &self.registry, linger);
            }
            if write && ready.writable {
                client.service(&self.registry, linger);
            }
            if ready.hangup {
                // POLLHUP/POLLERR on TCP: reset or fully shut down; nothing
                // more can be sent (what was readable was read just above).
                client.on_hangup(&self.registry, linger);
            }
            client.on_tick(Instant::now(), &self.registry, linger);
        }
        if let Some(at) = listener_at
            && self.poll.readiness(at).readable
        {
            self.accept_all();
        }
        Ok(())
    }

    /// Accepts every pending client.
    fn accept_all(&mut self) {
        loop {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                // Out of descriptors and the like: try again next turn.
                Err(_) => return,
            };
            if client::prepare(&stream).is_err() {
                continue;
            }
            let Ok((key, entropy)) = self.keys.mint() else {
                // No randomness for a secret: refuse rather than guessable keys.
                continue;
            };
            let backend = (self.new_backend)();
            let registration = backend
                .interrupt_handle()
                .and_then(|handle| self.registry.register(key, handle));
            let conn = Connection::new(Arc::clone(&self.config), key, entropy, Instant::now());
            self.clients
                .push(Client::new(stream, conn, backend, registration));
        }
    }
}

impl<B, F> std::fmt::Debug for PollLoop<B, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollLoop")
            .field("listener", &self.listener)
            .field("clients", &self.clients.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
