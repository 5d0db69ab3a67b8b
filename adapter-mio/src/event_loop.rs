//! The event loop: accept, readiness, completions, timers and shutdown.
//!
//! Tokens: 0 is the listener, 1 the waker, and every accepted socket gets
//! the next number, never reused — so a completion that arrives for a
//! connection already gone cannot land on a newer one.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::time::Instant;

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};
use twill_protocol::{
    Admission, BackendFactory, CancelRegistry, Config, Connection, Interrupt, InterruptReason,
    Rejection, ServeOptions, ShutdownSignal,
};

use crate::conn::{After, Conn, PumpCtx};
use crate::keys::KeyMint;
use crate::pool::{Completions, Pool};
use crate::reject::Reject;

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// Bytes read per `read` call.
const READ_CHUNK: usize = 64 << 10;

/// A socket the loop owns.
enum Entry<B> {
    Conn(Box<Conn<B>>),
    Reject(Box<Reject>),
}

/// The whole server, on one thread.
pub(crate) struct EventLoop<F: BackendFactory> {
    poll: Poll,
    listener: Option<TcpListener>,
    factory: Arc<F>,
    config: Arc<Config>,
    options: ServeOptions,
    shutdown: ShutdownSignal,
    /// Wakes the loop from other threads (workers, the shutdown signal).
    waker: Arc<Waker>,
    pool: Pool,
    done: Arc<Completions<F::Backend>>,
    registry: CancelRegistry<Arc<dyn Interrupt>>,
    keys: KeyMint,
    entries: HashMap<usize, Entry<F::Backend>>,
    /// How many entries are served connections (for the shutdown).
    conns: usize,
    /// The connection limits: unfinished logins and sessions.
    admission: Admission,
    /// Calls on workers, all connections together.
    inflight: usize,
    next_token: usize,
    /// Deadlines, earliest first.
    timers: BTreeSet<(Instant, usize)>,
    /// Connections whose pump ran out of budget.
    again: Vec<usize>,
    buf: Vec<u8>,
    /// Set once the shutdown began: when to give up on the drain.
    drain_until: Option<Instant>,
}

impl<F: BackendFactory> EventLoop<F> {
    pub(crate) fn new(
        mut listener: TcpListener,
        factory: Arc<F>,
        config: Arc<Config>,
        options: ServeOptions,
        shutdown: ShutdownSignal,
    ) -> io::Result<Self> {
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let threads = match options.engine_threads {
            0 => crate::DEFAULT_ENGINE_THREADS,
            n => n,
        };
        let pool = Pool::start(threads)?;
        let admission = options.admission();
        Ok(EventLoop {
            poll,
            listener: Some(listener),
            factory,
            config,
            options,
            shutdown,
            done: Arc::new(Completions::new(Arc::clone(&waker))),
            waker,
            pool,
            registry: CancelRegistry::new(),
            keys: KeyMint::new(),
            entries: HashMap::new(),
            conns: 0,
            admission,
            inflight: 0,
            next_token: 2,
            timers: BTreeSet::new(),
            again: Vec::new(),
            buf: vec![0; READ_CHUNK],
            drain_until: None,
        })
    }

    pub(crate) fn run(mut self) -> io::Result<()> {
        let waker = Arc::clone(&self.waker);
        let _watch = self.shutdown.watch(move || {
            let _ = waker.wake();
        });
        let mut events = Events::with_capacity(1024);
        loop {
            let now = Instant::now();
            let timeout = if self.again.is_empty() {
                let next = self.timers.first().map(|(t, _)| *t);
                let next = match (next, self.drain_until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                next.map(|t| t.saturating_duration_since(now))
            } else {
                Some(std::time::Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept_all(),
                    WAKER => {}
                    Token(t) => {
                        match self.entries.get_mut(&t) {
                            Some(Entry::Conn(c)) => {
                                c.readable |= event.is_readable()
                                    || event.is_read_closed()
                                    || event.is_error();
                                c.writable |= event.is_writable()
                                    || event.is_write_closed()
                                    || event.is_error();
                            }
                            Some(Entry::Reject(_)) | None => {}
                        }
                        self.pump(t);
                    }
                }
            }
            self.complete();
            self.fire_timers();
            for t in std::mem::take(&mut self.again) {
                self.pump(t);
            }
            if self.shutdown.is_triggered() && self.drain_until.is_none() {
                self.begin_shutdown();
            }
            if let Some(until) = self.drain_until {
                if self.conns == 0 {
                    break;
                }
                if Instant::now() >= until {
                    self.force_close();
                    break;
                }
            }
        }
        let idle = self.inflight == 0;
        self.entries.clear();
        self.pool.stop(idle);
        Ok(())
    }

    /// Accepts until the listener would block.
    fn accept_all(&mut self) {
        loop {
            let Some(listener) = &self.listener else {
                return;
            };
            let (mut socket, _) = match listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                    ) =>
                {
                    continue;
                }
                Err(e) => {
                    // Out of descriptors and the like: try again on the next event.
                    tracing::warn!(error = %e, "accept failed");
                    return;
                }
            };
            if let Err(e) = socket.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY failed");
            }
            let token = self.next_token;
            self.next_token += 1;
            if let Err(e) = self.poll.registry().register(
                &mut socket,
                Token(token),
                Interest::READABLE | Interest::WRITABLE,
            ) {
                tracing::warn!(error = %e, "cannot register a socket");
                continue;
            }
            let now = Instant::now();
            let Some(ticket) = self.admission.admit() else {
                tracing::warn!(
                    max_startups = self.options.max_startups,
                    "too many unfinished logins; rejecting"
                );
                let close_by = now + crate::REJECT_LINGER;
                self.timers.insert((close_by, token));
                self.entries.insert(
                    token,
                    Entry::Reject(Box::new(Reject {
                        socket,
                        rejection: Rejection::too_many_clients(),
                        shut: false,
                        close_by,
                    })),
                );
                continue;
            };
            let (key, entropy) = match self.keys.mint() {
                Ok(k) => k,
                Err(e) => {
                    tracing::error!(error = %e, "no randomness for a backend key; closing");
                    continue;
                }
            };
            let backend = self.factory.new_backend();
            let interrupt = twill_protocol::Backend::interrupt_handle(&backend);
            let registration = interrupt
                .clone()
                .and_then(|h| self.registry.register(key, h));
            let mut conn = Connection::new(Arc::clone(&self.config), key, entropy, now);
            conn.set_admission(ticket);
            if let Ok(peer) = socket.peer_addr() {
                conn.set_peer_addr(peer.ip());
            }
            if self.drain_until.is_some() {
                conn.shutdown(now);
            }
            self.entries.insert(
                token,
                Entry::Conn(Box::new(Conn {
                    socket,
                    conn,
                    backend: Some(backend),
                    inflight: None,
                    interrupt,
                    _registration: registration,
                    readable: false,
                    writable: false,
                    read_done: false,
                    broken: false,
                    closed: false,
                    close_by: None,
                    told: self.drain_until.is_some(),
                    scheduled: None,
                })),
            );
            self.conns += 1;
            self.reschedule(token);
        }
    }

    /// Runs a connection's pump and files it by its next deadline.
    fn pump(&mut self, token: usize) {
        let now = Instant::now();
        let remove = match self.entries.get_mut(&token) {
            None => return,
            Some(Entry::Reject(r)) => r.pump(&self.registry, &mut self.buf, now),
            Some(Entry::Conn(c)) => {
                let before = c.inflight.is_some();
                let mut ctx = PumpCtx {
                    pool: &self.pool,
                    done: &self.done,
                    registry: &self.registry,
                    buf: &mut self.buf,
                    token,
                };
                let after = c.pump(&mut ctx, now);
                if c.inflight.is_some() && !before {
                    self.inflight += 1;
                }
                match after {
                    After::Wait => false,
                    After::Again => {
                        self.again.push(token);
                        false
                    }
                    After::Remove => true,
                }
            }
        };
        if remove {
            self.remove(token);
        } else {
            self.reschedule(token);
        }
    }

    fn remove(&mut self, token: usize) {
        match self.entries.remove(&token) {
            Some(Entry::Conn(c)) => {
                self.conns -= 1;
                if let Some(at) = c.scheduled {
                    self.timers.remove(&(at, token));
                }
            }
            Some(Entry::Reject(r)) => {
                self.timers.remove(&(r.close_by, token));
            }
            None => {}
        }
    }

    fn reschedule(&mut self, token: usize) {
        let Some(Entry::Conn(c)) = self.entries.get_mut(&token) else {
            return;
        };
        let next = c.deadline();
        if next != c.scheduled {
            if let Some(old) = c.scheduled {
                self.timers.remove(&(old, token));
            }
            if let Some(new) = next {
                self.timers.insert((new, token));
            }
            c.scheduled = next;
        }
    }

    /// Feeds finished calls back to their connections.
    fn complete(&mut self) {
        for done in self.done.take() {
            self.inflight -= 1;
            let Some(Entry::Conn(c)) = self.entries.get_mut(&done.token) else {
                continue;
            };
            c.inflight = None;
            match done.reply {
                Some(reply) => {
                    c.backend = Some(done.backend);
                    c.conn.handle_reply(done.id, reply, Instant::now());
                    self.pump(done.token);
                }
                None => self.remove(done.token),
            }
        }
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(&(at, token)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, token));
            match self.entries.get_mut(&token) {
                Some(Entry::Conn(c)) => {
                    c.scheduled = None;
                    c.conn.handle_timeout(now);
                }
                Some(Entry::Reject(_)) | None => {}
            }
            self.pump(token);
        }
    }

    /// Stops accepting and asks every connection to finish.
    fn begin_shutdown(&mut self) {
        tracing::info!(live = self.conns, "shutting down");
        if let Some(mut listener) = self.listener.take() {
            let _ = self.poll.registry().deregister(&mut listener);
        }
        let now = Instant::now();
        self.drain_until = Some(now + self.options.drain_timeout);
        let tokens: Vec<usize> = self.entries.keys().copied().collect();
        for token in tokens {
            if let Some(Entry::Conn(c)) = self.entries.get_mut(&token)
                && !c.told
            {
                c.told = true;
                c.conn.shutdown(now);
            }
            self.pump(token);
        }
    }

    /// The drain time is over: interrupt running calls, drop every socket.
    fn force_close(&mut self) {
        tracing::warn!(left = self.conns, "drain time over; closing connections");
        for entry in self.entries.values() {
            if let Entry::Conn(c) = entry
                && c.inflight.is_some()
                && let Some(handle) = &c.interrupt
            {
                handle.interrupt(InterruptReason::UserCancel);
            }
        }
    }
}
