//! One connection's state in the loop, and its pump.
//!
//! mio readiness is edge-triggered: an event says "something changed", and
//! the loop must read (or write) until `WouldBlock` before it hears again.
//! So each connection remembers `readable`/`writable` and the pump re-tries
//! them whenever the core's state changes — after a reply arrives,
//! `wants_read()` may be true again with bytes already waiting.
//!
//! The pump, run after every input (readiness, reply, timer, shutdown):
//! drain the core's events (calls go to the pool), write `transmit()` once,
//! read if the core wants input, and repeat until nothing moves — at most
//! [`BUDGET`] rounds, so one busy client cannot starve the others.

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use mio::net::TcpStream;
use twill_protocol::{
    Backend, CallId, CancelRegistry, Connection, Event, Interrupt, InterruptReason, Registration,
};

use crate::pool::{Completions, Pool};

/// Rounds of the pump per turn before yielding to other connections.
pub(crate) const BUDGET: usize = 32;

/// A served connection.
pub(crate) struct Conn<B> {
    /// The socket.
    pub(crate) socket: TcpStream,
    /// The protocol state.
    pub(crate) conn: Connection,
    /// The backend, or None while it is on a worker making a call.
    pub(crate) backend: Option<B>,
    /// The call on a worker.
    pub(crate) inflight: Option<CallId>,
    /// The backend's interrupt handle.
    pub(crate) interrupt: Option<Arc<dyn Interrupt>>,
    /// Keeps the key in the cancel registry while the connection lives.
    pub(crate) _registration: Option<Registration<Arc<dyn Interrupt>>>,
    /// The socket may have bytes to read (until WouldBlock).
    pub(crate) readable: bool,
    /// The socket may take bytes (until WouldBlock).
    pub(crate) writable: bool,
    /// The read side is done (EOF or error).
    pub(crate) read_done: bool,
    /// A write failed: output is discarded.
    pub(crate) broken: bool,
    /// `Event::Closed` was seen.
    pub(crate) closed: bool,
    /// After `Closed`, the time by which unsent output is given up.
    pub(crate) close_by: Option<Instant>,
    /// `Connection::shutdown` was called.
    pub(crate) told: bool,
    /// The deadline this connection is filed under in the timer set.
    pub(crate) scheduled: Option<Instant>,
}

/// What the pump needs from the loop.
pub(crate) struct PumpCtx<'a, B> {
    pub(crate) pool: &'a Pool,
    pub(crate) done: &'a Arc<Completions<B>>,
    pub(crate) registry: &'a CancelRegistry<Arc<dyn Interrupt>>,
    pub(crate) buf: &'a mut [u8],
    pub(crate) token: usize,
}

/// What the loop should do with the connection after a pump.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// Wait for readiness, a reply or a timer.
    Wait,
    /// The budget ran out with work left: pump again soon.
    Again,
    /// Done: drop it.
    Remove,
}

impl<B: Backend + Send + 'static> Conn<B> {
    /// Runs the drive loop until it would block (see the module docs).
    pub(crate) fn pump(&mut self, ctx: &mut PumpCtx<'_, B>, now: Instant) -> After {
        for _ in 0..BUDGET {
            self.drain(ctx);
            let mut moved = self.write(now);
            if !moved && self.readable && !self.read_done && self.conn.wants_read() {
                moved = self.read(ctx.buf, now);
            }
            if !moved {
                return self.settle(now);
            }
        }
        After::Again
    }

    /// Acts on the core's events.
    fn drain(&mut self, ctx: &PumpCtx<'_, B>) {
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Call(id, call) => match self.backend.take() {
                    Some(backend) => {
                        self.inflight = Some(id);
                        ctx.pool.submit(ctx.done, ctx.token, id, backend, call);
                    }
                    // The core keeps at most one call outstanding and the
                    // backend comes back with its reply, so this is a core bug.
                    None => tracing::error!("a second call while one is outstanding"),
                },
                Event::Cancel(key) => {
                    if let Some(handle) = ctx.registry.lookup(key) {
                        tracing::debug!(target_pid = key.pid, "cancel request");
                        handle.interrupt(InterruptReason::UserCancel);
                    }
                }
                Event::Interrupt(id, reason) => {
                    if self.inflight == Some(id)
                        && let Some(handle) = &self.interrupt
                    {
                        handle.interrupt(reason);
                    }
                }
                Event::Closed(reason) => {
                    tracing::debug!(?reason, "closed");
                    self.closed = true;
                }
            }
        }
    }

    /// Writes pending output once; true if the core may have moved on.
    fn write(&mut self, now: Instant) -> bool {
        let len = self.conn.transmit().len();
        if len == 0 {
            return false;
        }
        if self.broken {
            self.conn.advance_transmit(len, now);
            return true;
        }
        if !self.writable {
            return false;
        }
        match self.socket.write(self.conn.transmit()) {
            Ok(n) => {
                self.conn.advance_transmit(n, now);
                true
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.writable = false;
                false
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => true,
            Err(e) => {
                tracing::debug!(error = %e, "write failed");
                self.broken = true;
                self.conn.advance_transmit(len, now);
                self.conn.handle_eof(now);
                true
            }
        }
    }

    /// Reads once; true if anything happened.
    fn read(&mut self, buf: &mut [u8], now: Instant) -> bool {
        match self.socket.read(buf) {
            Ok(0) => {
                self.read_done = true;
                self.conn.handle_eof(now);
            }
            Ok(n) => self.conn.handle_input(&buf[..n], now),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.readable = false;
                return false;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::debug!(error = %e, "read failed");
                self.read_done = true;
                self.conn.handle_eof(now);
            }
        }
        true
    }

    /// Nothing moves: decide whether the connection is finished.
    fn settle(&mut self, now: Instant) -> After {
        if !self.closed {
            return After::Wait;
        }
        let flushed = self.conn.transmit().is_empty() || self.broken;
        let expired = self.close_by.is_some_and(|t| t <= now);
        if self.inflight.is_none() && (flushed || expired) {
            After::Remove
        } else {
            self.close_by.get_or_insert(now + crate::CLOSE_LINGER);
            After::Wait
        }
    }

    /// When this connection next needs the loop's attention.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match (self.conn.poll_timeout(), self.close_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
