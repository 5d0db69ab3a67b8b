//! [`Client`]: one socket and the [`Connection`] it feeds — the drive-loop
//! contract for a single connection, with non-blocking I/O.
//!
//! ```text
//!   readable ─► read ─► handle_input ─┐
//!   EOF      ─────────► handle_eof  ──┤
//!   deadline ─────────► handle_timeout┤   one input, then `service`:
//!   stop     ─────────► shutdown   ───┤
//!   writable ─────────────────────────┤
//!                                     ▼
//!        ┌─► drain poll_event ── Call ─► backend.call ─► handle_reply
//!        │        │              Cancel ─► registry lookup ─► interrupt
//!        │        │              Interrupt ─► own interrupt handle
//!        │        │              Closed ─► linger, then drop the socket
//!        │        ▼
//!        └── write transmit() ─► advance_transmit(n)   (until WouldBlock
//!                                                        or nothing left)
//! ```
//!
//! `advance_transmit` is an input too: freeing room below the output
//! high-water mark may let the core ask for the next batch of a stream
//! (`Call::Fetch`), so `service` drains again after every write.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use twill_protocol::{
    Backend, CancelRegistry, Connection, Event, Interrupt, InterruptReason, Registration,
};

/// The registry every connection of one loop shares.
pub(crate) type Registry = CancelRegistry<Arc<dyn Interrupt>>;

/// At most this many reads per client per turn, so one busy client cannot
/// starve the others (poll is level-triggered: the rest is read next turn).
const READS_PER_TURN: usize = 8;

/// One accepted socket and its protocol state.
pub(crate) struct Client<B> {
    /// The non-blocking socket.
    stream: TcpStream,
    /// The protocol state machine.
    pub(crate) conn: Connection,
    /// Answers the connection's engine calls, inline.
    backend: B,
    /// Interrupts `backend`'s running statement (for `Event::Interrupt`).
    interrupt: Option<Arc<dyn Interrupt>>,
    /// Keeps this connection findable by CancelRequests until dropped.
    _registration: Option<Registration<Arc<dyn Interrupt>>>,
    /// `Event::Closed` arrived: flush `transmit`, then drop the socket,
    /// giving up at this time.
    closed_until: Option<Instant>,
    /// The socket failed: output is discarded from now on.
    broken: bool,
    /// `Connection::shutdown` was called.
    pub(crate) told_to_stop: bool,
}

impl<B: Backend> Client<B> {
    pub(crate) fn new(
        stream: TcpStream,
        conn: Connection,
        backend: B,
        registration: Option<Registration<Arc<dyn Interrupt>>>,
    ) -> Self {
        Client {
            stream,
            interrupt: backend.interrupt_handle(),
            conn,
            backend,
            _registration: registration,
            closed_until: None,
            broken: false,
            told_to_stop: false,
        }
    }

    /// The socket, for the poll set.
    pub(crate) fn socket(&self) -> &TcpStream {
        &self.stream
    }

    /// Whether to wait for readable (the core's backpressure signal) and
    /// for writable (output pending).
    pub(crate) fn interest(&self) -> (bool, bool) {
        if self.broken {
            return (false, false);
        }
        let read = self.closed_until.is_none() && self.conn.wants_read();
        let write = !self.conn.transmit().is_empty();
        (read, write)
    }

    /// When the loop must wake for this client: the core's next timer, or
    /// the end of the linger after `Closed`.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.closed_until.or_else(|| self.conn.poll_timeout())
    }

    /// True once the client can be dropped: closed and flushed (or the
    /// socket broke, or the linger ran out).
    pub(crate) fn is_finished(&self, now: Instant) -> bool {
        match self.closed_until {
            Some(until) => self.broken || self.conn.transmit().is_empty() || now >= until,
            None => false,
        }
    }

    /// The socket is readable: feed what it has, one read at a time, each
    /// followed by a full `service`.
    pub(crate) fn on_readable(&mut self, buf: &mut [u8], registry: &Registry, linger: Duration) {
        for _ in 0..READS_PER_TURN {
            if self.broken || self.closed_until.is_some() || !self.conn.wants_read() {
                return;
            }
            match self.stream.read(buf) {
                Ok(0) => {
                    self.conn.handle_eof(Instant::now());
                    self.service(registry, linger);
                    return;
                }
                Ok(n) => {
                    self.conn.handle_input(&buf[..n], Instant::now());
                    self.service(registry, linger);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.fail(registry, linger);
                    return;
                }
            }
        }
    }

    /// Fires the core's timers if one is due.
    pub(crate) fn on_tick(&mut self, now: Instant, registry: &Registry, linger: Duration) {
        if self.closed_until.is_none() && self.conn.poll_timeout().is_some_and(|t| t <= now) {
            self.conn.handle_timeout(now);
            self.service(registry, linger);
        }
    }

    /// Asks the connection to end (the loop is stopping).
    pub(crate) fn stop(&mut self, registry: &Registry, linger: Duration) {
        if !self.told_to_stop {
            self.told_to_stop = true;
            self.conn.shutdown(Instant::now());
            self.service(registry, linger);
        }
    }

    /// The socket hung up or errored while we asked for nothing: the client
    /// is gone.
    pub(crate) fn on_hangup(&mut self, registry: &Registry, linger: Duration) {
        self.fail(registry, linger);
    }

    /// The socket broke: discard output, tell the core the input ended, and
    /// let it close the session.
    fn fail(&mut self, registry: &Registry, linger: Duration) {
        self.broken = true;
        self.conn.handle_eof(Instant::now());
        self.service(registry, linger);
    }

    /// Steps 2 and 3 of the contract, repeated until nothing changes:
    /// drain every event (answering calls inline), then write `transmit`
    /// and report it with `advance_transmit`.
    pub(crate) fn service(&mut self, registry: &Registry, linger: Duration) {
        loop {
            while let Some(event) = self.conn.poll_event() {
                self.on_event(event, registry, linger);
            }
            let pending = self.conn.transmit().len();
            if pending == 0 {
                return;
            }
            if self.broken {
                // Nobody will read it; dropping it lets a stream finish.
                self.conn.advance_transmit(pending, Instant::now());
                continue;
            }
            match self.stream.write(self.conn.transmit()) {
                Ok(n) if n > 0 => self.conn.advance_transmit(n, Instant::now()),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // The peer is gone (or wrote nothing at all): stop sending,
                // and let the core end the session as at end of input.
                Ok(_) | Err(_) => {
                    self.broken = true;
                    self.conn.handle_eof(Instant::now());
                }
            }
        }
    }

    fn on_event(&mut self, event: Event, registry: &Registry, linger: Duration) {
        match event {
            Event::Call(id, call) => {
                // Inline: the loop is single-threaded, so the call blocks
                // every client. Fine for an in-memory store; an engine that
                // waits on disk or locks would hand the call to a thread
                // and feed the reply back later (see adapter-mio).
                let reply = self.backend.call(call);
                self.conn.handle_reply(id, reply, Instant::now());
            }
            Event::Cancel(key) => {
                // A wrong key finds nothing and does nothing.
                if let Some(target) = registry.lookup(key) {
                    target.interrupt(InterruptReason::UserCancel);
                }
            }
            Event::Interrupt(_, reason) => {
                if let Some(own) = &self.interrupt {
                    own.interrupt(reason);
                }
            }
            Event::Closed(_) => {
                self.closed_until = Some(Instant::now() + linger);
            }
        }
    }
}

impl<B> std::fmt::Debug for Client<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("conn", &self.conn)
            .field("closed", &self.closed_until.is_some())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

/// Makes an accepted socket ready for the loop.
pub(crate) fn prepare(stream: &TcpStream) -> io::Result<()> {
    stream.set_nonblocking(true)?;
    // Replies are written in one batch per turn; don't let Nagle delay them.
    stream.set_nodelay(true)
}
