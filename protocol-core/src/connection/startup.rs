//! Before the session: the startup packet, SSL/GSS negotiation, CancelRequest,
//! authentication, and opening the engine session.
//!
//! ```text
//!  AwaitingStartup ──SSLRequest──► 'S' + TLS handshake (or 'N') ──► AwaitingStartup
//!        │ ──GSSENCRequest──► 'N' ──► AwaitingStartup
//!        │ ──first byte 0x16 (direct TLS, ALPN postgresql)──► handshake ──► AwaitingStartup
//!        │ ──CancelRequest──► Event::Cancel, Closed
//!        ▼ StartupMessage (FATAL 28000 here if TLS is required and absent)
//!  Authenticating ──'p' … ──► AuthenticationOk ──► Opening ──Call::OpenSession──►
//!  Ready (ParameterStatus ×13, BackendKeyData, ReadyForQuery)
//! ```
//!
//! Everything about encryption (the answers to SSLRequest and
//! GSSENCRequest, direct TLS, plaintext smuggled behind a request, TLS
//! required, channel binding) is in [`encryption`](super::encryption).

use std::time::Instant;

use bytes::{BufMut, Bytes};
use twill_types::{FormatSettings, SqlState};

use super::encryption::{Negotiated, Smuggled};
use super::params::{REPORTED, normalize_client_encoding, parse_options, reported_name};
use super::timers::Timer;
use super::{CloseReason, Connection, Event, Pending};
use crate::admission;
use crate::auth::{self, AuthMethod, ScramExchange, ScramStep, StoredCredential};
use crate::call::{Call, Reply, SessionStart, TxStatus};
use crate::cancel::BackendKey;
use crate::error::ErrorReport;
use crate::message::backend::{self, AuthCode};
use crate::message::frontend::FrontendMessage;
use crate::message::startup::{PROTOCOL_3_0, StartupPacket};
use crate::message::{DecodeError, Reader};

/// The largest authentication message accepted (PostgreSQL's
/// `PG_MAX_AUTH_TOKEN_LENGTH`).
const MAX_AUTH_MESSAGE: usize = 65_535;

/// Where a connection is in its life.
#[derive(Debug, Default)]
pub(super) struct Phase {
    /// The stage.
    stage: Stage,
    /// Why it is closing, once known.
    cause: Option<CloseReason>,
    /// The engine session was opened (so it must be terminated).
    session: bool,
}

#[derive(Debug, Default)]
enum Stage {
    /// Waiting for a startup packet.
    #[default]
    AwaitingStartup,
    /// Waiting for the client's password message.
    Authenticating(Box<AuthWait>),
    /// Authenticated; OpenSession is outstanding.
    Opening,
    /// The session is up.
    Ready,
    /// Terminate is outstanding.
    Terminating,
    /// Done; Closed was emitted.
    Closed,
}

/// The state of a login in progress.
#[derive(Debug)]
struct AuthWait {
    /// What to open once the client has proven itself.
    start: SessionStart,
    /// Which answer we wait for.
    step: AuthStep,
}

#[derive(Debug)]
enum AuthStep {
    Cleartext(Option<StoredCredential>),
    Md5 {
        salt: [u8; 4],
        stored: Option<String>,
    },
    ScramFirst(ScramExchange),
    ScramFinal(ScramExchange),
}

impl Phase {
    pub(super) fn is_closed(&self) -> bool {
        matches!(self.stage, Stage::Closed)
    }
    pub(super) fn is_ready(&self) -> bool {
        matches!(self.stage, Stage::Ready)
    }
    pub(super) fn before_session(&self) -> bool {
        matches!(
            self.stage,
            Stage::AwaitingStartup | Stage::Authenticating(_) | Stage::Opening
        )
    }
    pub(super) fn awaiting_first_packet(&self) -> bool {
        matches!(self.stage, Stage::AwaitingStartup)
    }
    pub(super) fn has_session(&self) -> bool {
        self.session
    }
    pub(super) fn is_terminating(&self) -> bool {
        matches!(self.stage, Stage::Terminating)
    }
    pub(super) fn set_closed(&mut self) {
        self.stage = Stage::Closed;
    }
    pub(super) fn set_terminating(&mut self) {
        self.stage = Stage::Terminating;
    }
    pub(super) fn set_fatal(&mut self, code: SqlState) {
        self.cause.get_or_insert(CloseReason::Fatal(code));
    }
    pub(super) fn set_cause_terminated(&mut self) {
        self.set_cause(CloseReason::Terminated);
    }
    pub(super) fn set_cause_tls(&mut self, why: String) {
        self.set_cause(CloseReason::Tls(why));
    }
    fn set_cause(&mut self, cause: CloseReason) {
        self.cause.get_or_insert(cause);
    }
    pub(super) fn close_reason(&self, eof: bool) -> CloseReason {
        self.cause.clone().unwrap_or(if eof {
            CloseReason::ClientEof
        } else {
            CloseReason::Shutdown
        })
    }
}

impl Connection {
    /// Handles one packet or message before the session is open.
    pub(super) fn step_startup(&mut self, now: Instant) -> bool {
        match &self.phase.stage {
            Stage::AwaitingStartup if self.transport.is_handshaking() => false,
            Stage::AwaitingStartup if self.negotiated.smuggled => {
                self.refuse_smuggled(Smuggled::AfterSsl);
                true
            }
            Stage::AwaitingStartup if self.is_direct_tls() => {
                self.start_direct_tls();
                true
            }
            Stage::AwaitingStartup => match StartupPacket::decode(&mut self.inbuf) {
                Ok(None) => false,
                Ok(Some(packet)) => {
                    self.on_startup_packet(packet, now);
                    true
                }
                Err(e) => {
                    self.send_fatal(protocol_violation(&e));
                    true
                }
            },
            Stage::Authenticating(_) => {
                match FrontendMessage::decode(&mut self.inbuf, MAX_AUTH_MESSAGE) {
                    Ok(None) => false,
                    Ok(Some(FrontendMessage::Password(body))) => {
                        self.on_password_message(body, now);
                        true
                    }
                    Ok(Some(FrontendMessage::Terminate)) => {
                        self.phase.set_cause(CloseReason::Terminated);
                        self.fatal = true;
                        true
                    }
                    Ok(Some(other)) => {
                        self.send_fatal(ErrorReport::fatal(
                            SqlState::PROTOCOL_VIOLATION,
                            format!(
                                "expected password response, got message type {}",
                                other.tag() as u8
                            ),
                        ));
                        true
                    }
                    Err(e) => {
                        self.send_fatal(protocol_violation(&e));
                        true
                    }
                }
            }
            _ => false,
        }
    }

    fn negotiated(&self) -> Negotiated {
        self.negotiated
    }

    fn on_startup_packet(&mut self, packet: StartupPacket, now: Instant) {
        let mut neg = self.negotiated();
        match packet {
            StartupPacket::SslRequest if !neg.ssl => {
                neg.ssl = true;
                self.negotiated = neg;
                self.on_ssl_request();
            }
            StartupPacket::GssEncRequest if !neg.gss => {
                neg.gss = true;
                self.negotiated = neg;
                self.out.put_u8(b'N');
                if !self.inbuf.is_empty() {
                    self.refuse_smuggled(Smuggled::AfterGss);
                }
            }
            StartupPacket::SslRequest | StartupPacket::GssEncRequest => {
                self.send_fatal(ErrorReport::fatal(
                    SqlState::PROTOCOL_VIOLATION,
                    "unsupported frontend protocol: repeated encryption request",
                ));
            }
            StartupPacket::Cancel { pid, secret } => {
                // Nothing is sent back, whatever the key: the client closes.
                self.events
                    .push_back(Event::Cancel(BackendKey { pid, secret }));
                self.phase.set_cause(CloseReason::CancelRequest);
                self.fatal = true;
            }
            StartupPacket::Startup { version, params } => self.on_startup(version, params, now),
        }
    }

    fn on_startup(&mut self, version: i32, params: Vec<(String, String)>, now: Instant) {
        let (major, minor) = (version >> 16, version & 0xffff);
        if major != PROTOCOL_3_0 >> 16 {
            self.send_fatal(ErrorReport::fatal(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!(
                    "unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"
                ),
            ));
            return;
        }
        let mut user = None;
        let mut database = None;
        let mut settings = Vec::new();
        let mut unrecognized = Vec::new();
        for (name, value) in params {
            match name.as_str() {
                "user" => user = Some(value),
                "database" => database = Some(value),
                "options" => match parse_options(&value) {
                    Ok(opts) => settings.extend(opts),
                    Err(report) => return self.send_fatal(report),
                },
                "replication" => {
                    if !matches!(value.as_str(), "false" | "off" | "no" | "0") {
                        return self.send_fatal(ErrorReport::fatal(
                            SqlState::FEATURE_NOT_SUPPORTED,
                            "replication connections are not supported",
                        ));
                    }
                }
                n if n.starts_with("_pq_.") => unrecognized.push(name),
                _ => settings.push((name, value)),
            }
        }
        if minor > 0 || !unrecognized.is_empty() {
            // PostgreSQL sends its newest version as a full version code
            // (PG_PROTOCOL_LATEST, 3.0 = 196608), not a bare minor number;
            // libpq 18 rejects anything below 3.0 as a "downgrade to pre-3.0".
            backend::negotiate_protocol_version(&mut self.out, PROTOCOL_3_0, &unrecognized);
        }
        let Some(user) = user.filter(|u| !u.is_empty()) else {
            return self.send_fatal(ErrorReport::fatal(
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                "no PostgreSQL user name specified in startup packet",
            ));
        };
        for (name, value) in &mut settings {
            if name.eq_ignore_ascii_case("client_encoding") {
                match normalize_client_encoding(value) {
                    Ok(v) => *value = v.to_string(),
                    Err(report) => return self.send_fatal(report),
                }
            }
            if let Err(e) = self.format.set(name, value) {
                return self.send_fatal(ErrorReport::fatal(e.code, e.message));
            }
            self.apply_setting(name, value);
        }
        let database = database
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| user.clone());
        self.user = user.clone();
        let start = SessionStart {
            user,
            database,
            settings,
        };
        self.start_auth(start, now);
    }

    fn start_auth(&mut self, start: SessionStart, now: Instant) {
        if self.refuse_plaintext(&start) {
            return;
        }
        let credential = self
            .config
            .credentials
            .as_ref()
            .and_then(|c| c.credential(&start.user));
        let Some(method) = self.auth_method_for(&start) else {
            return;
        };
        let step = match method {
            AuthMethod::Trust => return self.authenticated(start, now),
            AuthMethod::Reject => unreachable!("auth_method_for refuses reject"),
            AuthMethod::Password => {
                backend::authentication(&mut self.out, AuthCode::CleartextPassword, &[]);
                AuthStep::Cleartext(credential)
            }
            AuthMethod::Md5 if credential.as_ref().is_none_or(|c| c.md5.is_some()) => {
                let salt: [u8; 4] = self.draw_entropy()[..4].try_into().expect("4 of 32 bytes");
                backend::authentication(&mut self.out, AuthCode::Md5Password, &salt);
                AuthStep::Md5 {
                    salt,
                    stored: credential.and_then(|c| c.md5),
                }
            }
            AuthMethod::Md5 | AuthMethod::ScramSha256 => {
                let nonce: [u8; 18] = self.draw_entropy()[..18]
                    .try_into()
                    .expect("18 of 32 bytes");
                let mut mock_seed = self.entropy.to_vec();
                mock_seed.extend_from_slice(start.user.as_bytes());
                let verifier = credential.and_then(|c| c.scram);
                let binding = self.channel_binding();
                let exchange = ScramExchange::new(verifier, nonce, &mock_seed, binding);
                // PostgreSQL lists the channel-binding variant first.
                let mechanisms: &[u8] = if exchange.offers_plus() {
                    b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"
                } else {
                    b"SCRAM-SHA-256\0\0"
                };
                backend::authentication(&mut self.out, AuthCode::Sasl, mechanisms);
                AuthStep::ScramFirst(exchange)
            }
        };
        self.phase.stage = Stage::Authenticating(Box::new(AuthWait { start, step }));
    }

    fn on_password_message(&mut self, body: Bytes, now: Instant) {
        let Stage::Authenticating(wait) = std::mem::take(&mut self.phase.stage) else {
            unreachable!("on_password_message outside authentication");
        };
        let AuthWait { start, step } = *wait;
        let failed = auth::password_failed(&start.user);
        let fail = |c: &mut Connection| {
            c.send_fatal(ErrorReport::fatal(
                SqlState::INVALID_PASSWORD,
                failed.clone(),
            ));
        };
        let malformed = |c: &mut Connection, m: &str| {
            c.send_fatal(ErrorReport::fatal(
                SqlState::PROTOCOL_VIOLATION,
                m.to_string(),
            ));
        };
        match step {
            AuthStep::Cleartext(credential) => {
                let Some(password) = password_string(body) else {
                    return malformed(self, "invalid password packet size");
                };
                let ok = credential.is_some_and(|c| match (&c.scram, &c.md5) {
                    (Some(v), _) => v.matches_password(&password),
                    (None, Some(md5)) => {
                        auth::md5_hex_password(&start.user, &password).as_bytes() == md5.as_bytes()
                    }
                    (None, None) => false,
                });
                if ok {
                    self.authenticated(start, now)
                } else {
                    fail(self)
                }
            }
            AuthStep::Md5 { salt, stored } => {
                let Some(response) = password_string(body) else {
                    return malformed(self, "invalid password packet size");
                };
                let ok = stored
                    .is_some_and(|s| auth::verify_md5_response(&s, salt, response.as_bytes()));
                if ok {
                    self.authenticated(start, now)
                } else {
                    fail(self)
                }
            }
            AuthStep::ScramFirst(mut exchange) => {
                let (plus, data) = match sasl_initial_response(body, exchange.offers_plus()) {
                    Ok(d) => d,
                    Err(m) => return malformed(self, &m),
                };
                match exchange.client_first(&data, plus) {
                    ScramStep::Continue(server_first) => {
                        backend::authentication(
                            &mut self.out,
                            AuthCode::SaslContinue,
                            &server_first,
                        );
                        let step = AuthStep::ScramFinal(exchange);
                        self.phase.stage =
                            Stage::Authenticating(Box::new(AuthWait { start, step }));
                    }
                    ScramStep::Malformed(m) => malformed(self, m),
                    ScramStep::Done(_) | ScramStep::Failed => fail(self),
                }
            }
            AuthStep::ScramFinal(mut exchange) => match exchange.client_final(&body) {
                ScramStep::Done(server_final) => {
                    backend::authentication(&mut self.out, AuthCode::SaslFinal, &server_final);
                    self.authenticated(start, now);
                }
                ScramStep::Malformed(m) => malformed(self, m),
                ScramStep::Continue(_) | ScramStep::Failed => fail(self),
            },
        }
    }

    /// The client has proven itself: AuthenticationOk, then open the session.
    /// With every session slot taken, FATAL 53300 instead (the client
    /// still sees PostgreSQL's words, only after its password).
    fn authenticated(&mut self, start: SessionStart, now: Instant) {
        if self.ticket.as_mut().is_some_and(|t| !t.open_session()) {
            return self.send_fatal(admission::too_many_clients());
        }
        backend::authentication(&mut self.out, AuthCode::Ok, &[]);
        self.phase.stage = Stage::Opening;
        self.issue(Call::OpenSession(start.clone()), Pending::OpenSession, now);
        self.session_start = Some(start);
    }

    pub(super) fn on_session_opened(&mut self, reply: Reply, now: Instant) {
        let start = self.session_start.take();
        match reply {
            Reply::SessionOpened { settings } => {
                self.phase.session = true;
                self.phase.stage = Stage::Ready;
                if self.fatal {
                    // Timed out while the engine was opening: just close it again.
                    return;
                }
                self.timers.stop(Timer::Authentication);
                let mut values: Vec<(&'static str, String)> = REPORTED
                    .iter()
                    .map(|name| (*name, self.default_reported(name)))
                    .collect();
                // Formatting settings from the startup packet are already in
                // `self.format`, normalised (`ISO` reads back as `ISO, MDY`);
                // the rest are reported as the client sent them.
                let from_start = start
                    .iter()
                    .flat_map(|s| s.settings.iter())
                    .filter(|(name, _)| FormatSettings::canonical_name(name).is_none());
                for (name, value) in from_start.chain(settings.iter()) {
                    if let Some(slot) =
                        reported_name(name).and_then(|n| values.iter_mut().find(|(r, _)| *r == n))
                    {
                        slot.1 = value.clone();
                    }
                }
                for (name, value) in &settings {
                    self.apply_setting(name, value);
                }
                for (name, value) in &values {
                    backend::parameter_status(&mut self.out, name, value);
                    self.reported.sent(name, value);
                }
                backend::backend_key_data(&mut self.out, self.key.pid, self.key.secret);
                self.status = TxStatus::Idle;
                self.ready_for_query(now);
            }
            Reply::Error { report, .. } => self.send_fatal(ErrorReport {
                severity: crate::Severity::Fatal,
                ..report
            }),
            other => panic!("OpenSession answered with {other:?}"),
        }
    }

    fn default_reported(&self, name: &str) -> String {
        match name {
            "application_name" => String::new(),
            "client_encoding" | "server_encoding" => "UTF8".into(),
            "DateStyle" | "IntervalStyle" | "TimeZone" => self.format.get(name).unwrap_or_default(),
            "integer_datetimes" | "is_superuser" | "standard_conforming_strings" => "on".into(),
            "default_transaction_read_only" | "in_hot_standby" => "off".into(),
            "server_version" => self.config.server_version.clone(),
            "session_authorization" => self.user.clone(),
            _ => String::new(),
        }
    }
}

fn protocol_violation(e: &DecodeError) -> ErrorReport {
    ErrorReport::fatal(SqlState::PROTOCOL_VIOLATION, e.to_string())
}

/// A PasswordMessage body: one NUL-terminated string.
fn password_string(body: Bytes) -> Option<String> {
    let mut r = Reader::new(body);
    let s = r.cstr().ok()?;
    r.finish().ok()?;
    Some(s)
}

/// A SASLInitialResponse body: mechanism, then a length-prefixed payload.
/// Returns whether the client chose SCRAM-SHA-256-PLUS (allowed only when
/// `plus_offered`), and the payload.
fn sasl_initial_response(body: Bytes, plus_offered: bool) -> Result<(bool, Vec<u8>), String> {
    let mut r = Reader::new(body);
    let mechanism = r.cstr().map_err(|e| e.to_string())?;
    let plus = match mechanism.as_str() {
        "SCRAM-SHA-256" => false,
        "SCRAM-SHA-256-PLUS" if plus_offered => true,
        _ => return Err("client selected an invalid SASL authentication mechanism".into()),
    };
    let len = r.i32().map_err(|e| e.to_string())?;
    let data = if len < 0 {
        Bytes::new()
    } else {
        r.bytes(len as usize).map_err(|e| e.to_string())?
    };
    r.finish().map_err(|e| e.to_string())?;
    Ok((plus, data.to_vec()))
}
