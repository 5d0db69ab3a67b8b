//! [`Connection`]: one client socket's protocol state.
//!
//! The machine is split by flow, one file each: [`startup`] (packets before
//! the session, authentication, opening the session), [`encryption`]
//! (SSLRequest, direct TLS and their rules), [`query`] (simple and
//! extended query messages), [`stream`] (turning the engine's result batches
//! into frames), [`copy`] (COPY FROM STDIN), [`timers`] and [`params`].
//!
//! ```text
//!            handle_input ─► inbuf ─► pump ─► handle_* ─► out ─► transmit()
//!                                      │  ▲
//!                        poll_event ◄──┘  └── handle_reply
//!                        (Call, Cancel,
//!                         Interrupt, Closed)
//! ```
//!
//! `pump` decodes and handles messages one at a time until a call is
//! outstanding, the output is above the high-water mark, or the input runs
//! out. Everything after that waits for the reply (or for `advance_transmit`).

mod access;
mod copy;
mod encryption;
mod params;
mod query;
mod startup;
mod stream;
mod timers;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use sha2::{Digest, Sha256};
use twill_types::{Format, FormatSettings, Oid, SqlState};

use crate::admission::Ticket;
use crate::call::{Call, Column, Reply, Target, TxStatus};
use crate::cancel::BackendKey;
use crate::config::Config;
use crate::error::ErrorReport;
use crate::message::backend;
use crate::transport::{TlsFailure, Transport};

use self::startup::Phase;
use self::stream::StreamKind;
use self::timers::{Timer, Timers};

/// Identifies one engine call; the reply must carry the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// Why the host should interrupt the outstanding call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptReason {
    /// `statement_timeout` expired: the engine should stop the statement and
    /// reply with 57014 "canceling statement due to statement timeout".
    StatementTimeout,
    /// A CancelRequest with this connection's key arrived (on another
    /// connection): reply with 57014 "canceling statement due to user request".
    UserCancel,
}

/// Why a connection closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The client sent Terminate.
    Terminated,
    /// The client closed its socket.
    ClientEof,
    /// The connection only carried a CancelRequest.
    CancelRequest,
    /// A FATAL error was sent (protocol violation, failed login, timeout…).
    Fatal(SqlState),
    /// The host asked the connection to shut down.
    Shutdown,
    /// TLS failed (a bad handshake or record, or direct TLS without ALPN
    /// `postgresql`); the text is for the host's log. The client got at
    /// most a TLS alert.
    Tls(String),
}

/// What the host must act on. Drain with [`Connection::poll_event`].
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Event {
    /// Make this engine call and answer it with [`Connection::handle_reply`].
    /// At most one is outstanding at a time.
    Call(CallId, Call),
    /// A CancelRequest arrived for another connection: look the key up in
    /// the [`CancelRegistry`](crate::CancelRegistry) and interrupt that
    /// connection's call. (A wrong key must do nothing.)
    Cancel(BackendKey),
    /// Interrupt this connection's own call `CallId` (through the backend's
    /// [`Interrupt`](crate::Interrupt) handle). Usually that call is
    /// outstanding; when `statement_timeout` expired while a result stream
    /// was paused for a slow client, this event comes *just before* the
    /// `Event::Call` of the `Fetch` that resumes it, so the engine finds the
    /// interrupt already requested and ends the stream with 57014.
    Interrupt(CallId, InterruptReason),
    /// The connection is over: send what [`Connection::transmit`] still
    /// holds, then close the socket. Nothing follows this event.
    Closed(CloseReason),
}

/// What the core knows about a prepared statement.
#[derive(Debug, Clone)]
struct StatementInfo {
    /// Parameter types, used to decode Bind values and for Describe.
    param_types: Vec<Oid>,
    /// Result columns, or None for a statement that returns no rows.
    columns: Option<Vec<Column>>,
}

/// What the core knows about a portal.
#[derive(Debug, Clone)]
struct PortalInfo {
    /// Result columns, or None for NoData.
    columns: Option<Vec<Column>>,
    /// One result format per column.
    formats: Arc<[Format]>,
}

/// What an outstanding call was for, so its reply lands in the right place.
#[derive(Debug)]
enum Pending {
    OpenSession,
    Stream,
    Parse {
        name: String,
    },
    Bind {
        portal: String,
        formats: Vec<Format>,
    },
    /// A Describe that fills the core's description cache for a name it
    /// never saw, then re-handles the client message `retry` that needed it.
    Describe {
        target: Target,
        retry: crate::message::frontend::FrontendMessage,
    },
    Close,
    Sync,
    /// The core refused a message; `ready` sends ReadyForQuery afterwards
    /// (simple protocol).
    Fail {
        ready: bool,
    },
    CopyData,
    Terminate,
}

/// One client connection's protocol state: bytes in, engine calls and
/// frames out. See the [crate docs](crate) for the drive loop.
pub struct Connection {
    /// Shared server configuration.
    config: Arc<Config>,
    /// Our BackendKeyData.
    key: BackendKey,
    /// Seed for nonces and salts (the core has no randomness of its own).
    entropy: [u8; 32],
    /// Counter mixed into `entropy` so every draw differs.
    entropy_counter: u64,
    /// Where the connection is in its life.
    phase: Phase,
    /// Encryption layer between the socket and the protocol: plaintext, or
    /// rustls once TLS has started.
    transport: Transport,
    /// The client's IP address, if the host told us (for messages that
    /// name the host, as PostgreSQL's `pg_hba.conf` refusals do).
    peer: Option<core::net::IpAddr>,
    /// This connection's place in the server's connection limits, if the
    /// host counts them: a startup slot until the client authenticates,
    /// then a session slot (see [`Admission`](crate::Admission)).
    ticket: Option<Ticket>,
    /// Decrypted input not yet decoded.
    inbuf: BytesMut,
    /// Encoded output not yet taken by the host.
    out: BytesMut,
    /// Reused buffer for encoding one value.
    scratch: Vec<u8>,
    /// Events for the host, oldest first.
    events: VecDeque<Event>,
    /// The outstanding call, if any (at most one).
    outstanding: Option<(CallId, Pending)>,
    /// The id the next call gets.
    next_call: u64,
    /// Deadlines.
    timers: Timers,
    /// The client closed its side; finish what is buffered, then close.
    eof: bool,
    /// A FATAL was sent: ignore all further input.
    fatal: bool,
    /// The host asked for a graceful shutdown once the current work is done.
    shutdown_requested: bool,
    /// The authenticated user.
    user: String,
    /// How values are printed and parsed (DateStyle, TimeZone…).
    format: FormatSettings,
    /// `statement_timeout` in force.
    statement_timeout: Duration,
    /// `idle_in_transaction_session_timeout` in force.
    idle_in_transaction_timeout: Duration,
    /// `idle_session_timeout` in force.
    idle_session_timeout: Duration,
    /// Prepared statements the core has descriptions of.
    statements: HashMap<String, StatementInfo>,
    /// Portals the core has descriptions of.
    portals: HashMap<String, PortalInfo>,
    /// After an error in an extended-query message: discard until Sync.
    skip_until_sync: bool,
    /// The message being handled is part of an extended-query batch.
    in_extended: bool,
    /// The last transaction status the engine reported.
    status: TxStatus,
    /// The result stream in progress, if any.
    stream: Option<StreamKind>,
    /// A stream batch said "more": fetch once output drains.
    fetch_pending: bool,
    /// statement_timeout expired while the stream was paused: interrupt the
    /// Fetch that resumes it.
    statement_expired: bool,
    /// COPY FROM STDIN in progress.
    copy_in: Option<copy::CopyIn>,
    /// Which encryption requests the client already made.
    negotiated: encryption::Negotiated,
    /// The session being opened, kept until the engine answers.
    session_start: Option<crate::call::SessionStart>,
    /// Reported settings: last sent, and changed since (ParameterStatus).
    reported: params::Reported,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("key", &self.key)
            .field("phase", &self.phase)
            .field("status", &self.status)
            .field("outstanding", &self.outstanding)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A new connection. `key` is its BackendKeyData (the host picks a
    /// unique pid and a random secret); `entropy` seeds SCRAM nonces and MD5
    /// salts and must be random; `now` starts the authentication timer.
    pub fn new(config: Arc<Config>, key: BackendKey, entropy: [u8; 32], now: Instant) -> Self {
        let mut timers = Timers::default();
        timers.arm(Timer::Authentication, now, config.authentication_timeout);
        Connection {
            statement_timeout: config.statement_timeout,
            idle_in_transaction_timeout: config.idle_in_transaction_session_timeout,
            idle_session_timeout: config.idle_session_timeout,
            config,
            key,
            entropy,
            entropy_counter: 0,
            phase: Phase::default(),
            transport: Transport::default(),
            peer: None,
            ticket: None,
            inbuf: BytesMut::new(),
            out: BytesMut::new(),
            scratch: Vec::new(),
            events: VecDeque::new(),
            outstanding: None,
            next_call: 1,
            timers,
            eof: false,
            fatal: false,
            shutdown_requested: false,
            user: String::new(),
            format: FormatSettings::default(),
            statements: HashMap::new(),
            portals: HashMap::new(),
            skip_until_sync: false,
            in_extended: false,
            status: TxStatus::Idle,
            stream: None,
            fetch_pending: false,
            statement_expired: false,
            copy_in: None,
            negotiated: encryption::Negotiated::default(),
            session_start: None,
            reported: params::Reported::default(),
        }
    }

    /// This connection's BackendKeyData.
    pub fn key(&self) -> BackendKey {
        self.key
    }

    /// The last transaction status reported to the client.
    pub fn tx_status(&self) -> TxStatus {
        self.status
    }

    /// Tells the connection the client's IP address (optional; call before
    /// the first input). [`AccessRules`](crate::AccessRules) match it
    /// against their ADDRESS column (without it only `all` matches), and
    /// it appears in PostgreSQL's `no pg_hba.conf entry for host "…"`.
    pub fn set_peer_addr(&mut self, addr: core::net::IpAddr) {
        self.peer = Some(addr);
    }

    /// Hands the connection its [`Ticket`] from
    /// [`Admission::admit`](crate::Admission::admit) (call it before the
    /// first input). Once the client has authenticated, the connection
    /// moves the ticket to the session count, or, with every session slot
    /// taken, answers FATAL 53300 "sorry, too many clients already" instead
    /// of AuthenticationOk. The slot is freed when the connection is
    /// dropped. Without a ticket, sessions are not limited.
    pub fn set_admission(&mut self, ticket: Ticket) {
        self.ticket = Some(ticket);
    }

    /// Bytes read from the socket, in any chunking (ciphertext once TLS
    /// has started: the core decrypts them itself).
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        if self.fatal || self.phase.is_closed() {
            return;
        }
        if !data.is_empty() {
            // Any client activity ends an idle wait.
            self.timers.stop(Timer::IdleSession);
            self.timers.stop(Timer::IdleInTransaction);
        }
        match self.transport.receive(data, &mut self.inbuf) {
            Ok(received) => self.eof |= received.peer_closed,
            Err(failure) => self.tls_failed(failure),
        }
        self.pump(now);
    }

    /// The client closed its sending side (or the socket).
    pub fn handle_eof(&mut self, now: Instant) {
        if self.eof {
            return;
        }
        self.eof = true;
        self.pump(now);
    }

    /// The answer to the outstanding call.
    ///
    /// # Panics
    /// If `id` is not the outstanding call: the host broke the contract.
    pub fn handle_reply(&mut self, id: CallId, reply: Reply, now: Instant) {
        let (expected, pending) = self
            .outstanding
            .take()
            .unwrap_or_else(|| panic!("handle_reply({id:?}) with no call outstanding"));
        assert_eq!(
            expected, id,
            "handle_reply for a call that is not the outstanding one"
        );
        self.on_reply(pending, reply, now);
        self.pump(now);
    }

    /// Fires the timers due at `now`. Calling it early or twice is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase.is_closed() {
            // Nothing follows Closed, not even a timer's COPY abort.
            return;
        }
        for timer in Timer::ALL {
            if self.timers.take_expired(timer, now) {
                self.on_timer(timer, now);
            }
        }
        self.pump(now);
    }

    /// Asks the connection to end: an idle session gets FATAL 57P01 at once;
    /// a busy one finishes the call in flight first.
    pub fn shutdown(&mut self, now: Instant) {
        self.shutdown_requested = true;
        self.pump(now);
    }

    /// The next event for the host.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The earliest time [`handle_timeout`](Self::handle_timeout) should be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.phase.is_closed() {
            None
        } else {
            self.timers.next()
        }
    }

    /// Bytes to write to the socket (TLS records once TLS has started).
    #[must_use]
    pub fn transmit(&self) -> &[u8] {
        self.transport.transmit(&self.out)
    }

    /// `n` bytes of [`transmit`](Self::transmit) were written.
    pub fn advance_transmit(&mut self, n: usize, now: Instant) {
        self.transport.advance(&mut self.out, n);
        self.pump(now);
    }

    /// True if the connection is encrypted (TLS has started, by SSLRequest
    /// or directly).
    pub fn is_tls(&self) -> bool {
        self.transport.is_tls()
    }

    /// Whether the host should read more from the socket. False while a
    /// call is outstanding, while output is above the high-water mark, and
    /// once the connection is closing: the backpressure signal.
    #[must_use]
    pub fn wants_read(&self) -> bool {
        !self.fatal
            && !self.phase.is_closed()
            && self.outstanding.is_none()
            && !self.fetch_pending
            && self.pending_output() < self.config.output_high_water
    }

    /// True once [`Event::Closed`] has been emitted.
    pub fn is_closed(&self) -> bool {
        self.phase.is_closed()
    }

    // ---- internals shared by the flow modules ----

    /// Emits a call and remembers what it was for.
    fn issue(&mut self, call: Call, pending: Pending, now: Instant) {
        debug_assert!(self.outstanding.is_none(), "one call at a time");
        if call.runs_statement() && !self.timers.is_armed(Timer::Statement) {
            self.timers
                .arm(Timer::Statement, now, self.statement_timeout);
        }
        let id = CallId(self.next_call);
        self.next_call += 1;
        self.outstanding = Some((id, pending));
        self.events.push_back(Event::Call(id, call));
    }

    /// Output not yet taken by the host, before and after encryption.
    fn pending_output(&self) -> usize {
        self.transport.pending(&self.out)
    }

    /// The main loop: handle buffered messages until blocked, then hand the
    /// output to the transport (which encrypts it once TLS is up). Every
    /// input method ends here, so `transmit()` is always up to date.
    fn pump(&mut self, now: Instant) {
        self.pump_messages(now);
        let closing = self.phase.is_closed();
        self.transport.seal(&mut self.out, closing);
    }

    /// TLS failed: close at once, with no FATAL (it could not be read).
    fn tls_failed(&mut self, failure: TlsFailure) {
        self.inbuf.clear();
        self.out.clear();
        self.fatal = true;
        self.phase.set_cause_tls(failure.0);
    }

    fn pump_messages(&mut self, now: Instant) {
        loop {
            if self.outstanding.is_some() || self.phase.is_closed() {
                return;
            }
            if self.fetch_pending {
                if self.pending_output() >= self.config.output_high_water {
                    return;
                }
                self.fetch_pending = false;
                if std::mem::take(&mut self.statement_expired) {
                    let next = CallId(self.next_call);
                    self.events
                        .push_back(Event::Interrupt(next, InterruptReason::StatementTimeout));
                }
                self.issue(Call::Fetch, Pending::Stream, now);
                continue;
            }
            if self.fatal {
                self.begin_close(now);
                continue;
            }
            if self.shutdown_requested && self.phase.before_session() {
                self.send_fatal(ErrorReport::fatal(
                    SqlState::CANNOT_CONNECT_NOW,
                    "the database system is shutting down",
                ));
                continue;
            }
            if self.shutdown_requested && self.is_between_commands() {
                self.send_fatal(ErrorReport::fatal(
                    SqlState::ADMIN_SHUTDOWN,
                    "terminating connection due to administrator command",
                ));
                continue;
            }
            if self.pending_output() >= self.config.output_high_water {
                return;
            }
            if !self.step(now) {
                if self.eof {
                    self.begin_close(now);
                    continue;
                }
                return;
            }
        }
    }

    /// Handles one buffered message; false if none is complete.
    fn step(&mut self, now: Instant) -> bool {
        if self.phase.before_session() {
            self.step_startup(now)
        } else {
            self.step_session(now)
        }
    }

    /// True when no statement is in progress (the point where ReadyForQuery
    /// has been sent and the session waits for the client).
    fn is_between_commands(&self) -> bool {
        self.outstanding.is_none()
            && self.stream.is_none()
            && self.copy_in.is_none()
            && !self.fetch_pending
            // Inside an extended-query batch (no Sync yet) ReadyForQuery
            // has not been sent: the statement is still in progress.
            && !self.in_extended
            && self.phase.is_ready()
    }

    /// Sends a FATAL report; the connection closes after it.
    fn send_fatal(&mut self, report: ErrorReport) {
        let code = report.code;
        backend::error_or_notice(&mut self.out, &report);
        self.fatal = true;
        self.phase.set_fatal(code);
    }

    /// Writes ReadyForQuery and starts the idle timers.
    fn ready_for_query(&mut self, now: Instant) {
        self.statement_expired = false;
        for (name, value) in self.reported.take_changes() {
            backend::parameter_status(&mut self.out, name, &value);
        }
        backend::ready_for_query(&mut self.out, self.status);
        self.timers.stop(Timer::Statement);
        if self.status == TxStatus::Idle {
            // Portals do not outlive their transaction.
            self.portals.clear();
            self.timers
                .arm(Timer::IdleSession, now, self.idle_session_timeout);
        } else {
            self.timers.arm(
                Timer::IdleInTransaction,
                now,
                self.idle_in_transaction_timeout,
            );
        }
    }

    /// Starts closing: tell the engine the session ends (if one is open),
    /// then emit Closed.
    fn begin_close(&mut self, now: Instant) {
        if self.outstanding.is_some() || self.phase.is_closed() {
            return;
        }
        if self.phase.has_session() && !self.phase.is_terminating() {
            self.phase.set_terminating();
            self.issue(Call::Terminate, Pending::Terminate, now);
        } else {
            self.finish_close();
        }
    }

    fn finish_close(&mut self) {
        let reason = self.phase.close_reason(self.eof);
        self.phase.set_closed();
        self.events.push_back(Event::Closed(reason));
    }

    fn on_reply(&mut self, pending: Pending, reply: Reply, now: Instant) {
        match pending {
            Pending::OpenSession => self.on_session_opened(reply, now),
            Pending::Terminate => self.finish_close(),
            Pending::Stream => self.on_stream_reply(reply, now),
            Pending::CopyData => self.on_copy_data_reply(reply, now),
            Pending::Parse { name } => self.on_parsed(name, reply),
            Pending::Bind { portal, formats } => self.on_bound(portal, formats, reply),
            Pending::Describe { target, retry } => self.on_described(target, retry, reply, now),
            Pending::Close => self.on_closed(reply),
            Pending::Sync => self.on_synced(reply, now),
            Pending::Fail { ready } => self.on_failed(ready, reply, now),
        }
    }

    fn on_timer(&mut self, timer: Timer, now: Instant) {
        match timer {
            Timer::Authentication => {
                if self.phase.before_session() && !self.fatal {
                    if self.phase.awaiting_first_packet() {
                        // PostgreSQL drops a silent socket without a word.
                        self.fatal = true;
                        self.phase.set_fatal(SqlState::QUERY_CANCELED);
                    } else {
                        self.send_fatal(ErrorReport::fatal(
                            SqlState::QUERY_CANCELED,
                            "canceling authentication due to timeout",
                        ));
                    }
                }
            }
            Timer::IdleSession => {
                if self.is_between_commands() && self.status == TxStatus::Idle {
                    self.send_fatal(ErrorReport::fatal(
                        SqlState::from_code("57P05"),
                        "terminating connection due to idle-session timeout",
                    ));
                }
            }
            Timer::IdleInTransaction => {
                if self.is_between_commands() && self.status != TxStatus::Idle {
                    self.send_fatal(ErrorReport::fatal(
                        SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                        "terminating connection due to idle-in-transaction timeout",
                    ));
                }
            }
            Timer::Statement => {
                if self.fatal || self.phase.is_terminating() {
                    // The connection is ending; there is no statement to stop.
                } else if let Some((id, _)) = &self.outstanding {
                    self.events
                        .push_back(Event::Interrupt(*id, InterruptReason::StatementTimeout));
                } else if self.fetch_pending {
                    // The stream is paused for a slow client: the Fetch that
                    // resumes it carries the interrupt.
                    self.statement_expired = true;
                } else if self.copy_in.is_some() {
                    // The COPY is waiting for client data: abort it here.
                    self.abort_copy(
                        ErrorReport::error(
                            SqlState::QUERY_CANCELED,
                            "canceling statement due to statement timeout",
                        ),
                        now,
                    );
                }
            }
        }
    }

    /// A fresh pseudo-random block derived from the host's entropy.
    fn draw_entropy(&mut self) -> [u8; 32] {
        self.entropy_counter += 1;
        let mut h = Sha256::new();
        h.update(self.entropy);
        h.update(self.entropy_counter.to_be_bytes());
        h.finalize().into()
    }

    /// Applies a setting the engine reports (or the client sent at startup)
    /// to what the core itself uses: value formatting and timeouts.
    fn apply_setting(&mut self, name: &str, value: &str) {
        let _ = self.format.set(name, value);
        let slot = match name.to_ascii_lowercase().as_str() {
            "statement_timeout" => &mut self.statement_timeout,
            "idle_in_transaction_session_timeout" => &mut self.idle_in_transaction_timeout,
            "idle_session_timeout" => &mut self.idle_session_timeout,
            _ => return,
        };
        if let Some(ms) = parse_duration_ms(value) {
            *slot = Duration::from_millis(ms);
        }
    }
}

/// Parses a PostgreSQL time setting as SHOW prints it (`0`, `5s`, `250ms`,
/// `2min`, `1h`, or bare milliseconds).
fn parse_duration_ms(value: &str) -> Option<u64> {
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::parse_duration_ms;

    #[test]
    fn durations_as_show_prints_them() {
        assert_eq!(parse_duration_ms("0"), Some(0));
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("5s"), Some(5000));
        assert_eq!(parse_duration_ms("2min"), Some(120_000));
        assert_eq!(parse_duration_ms("1500"), Some(1500));
        assert_eq!(parse_duration_ms("soon"), None);
    }
}

#[cfg(test)]
mod proptests;
