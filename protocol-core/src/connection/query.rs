//! Query messages once the session is up: simple query and the extended
//! protocol (Parse, Bind, Describe, Execute, Close, Sync, Flush).
//!
//! The core keeps a description of each statement and portal it has seen
//! (parameter types, result columns, result formats) so Describe needs no
//! engine call and Bind can decode parameters. When a name is unknown to
//! the core — a statement made by SQL `PREPARE`, a cursor made by
//! `DECLARE` — it asks the engine to describe it first, then carries on.
//!
//! After an error in an extended-query message every message up to the
//! next Sync is discarded, and Sync then reports ReadyForQuery.

use std::sync::Arc;
use std::time::Instant;

use twill_types::{Format, SqlState, Value};

use super::stream::StreamKind;
use super::{Connection, Pending, PortalInfo, StatementInfo};
use crate::call::{Call, Reply, Target};
use crate::error::ErrorReport;
use crate::message::DecodeError;
use crate::message::backend::{self, BackendTag};
use crate::message::frontend::{FrontendMessage, ObjectKind};

impl Connection {
    /// Decodes and handles one message in a running session.
    pub(super) fn step_session(&mut self, now: Instant) -> bool {
        let tag = self.inbuf.first().copied();
        let msg = match FrontendMessage::decode(&mut self.inbuf, self.config.max_message_size) {
            Ok(None) => return false,
            Ok(Some(msg)) => msg,
            Err(DecodeError::Encoding(m)) => {
                let report = ErrorReport::error(SqlState::CHARACTER_NOT_IN_REPERTOIRE, m);
                // Only a simple Query is answered with ReadyForQuery at once;
                // a broken extended-query message starts skip-until-Sync.
                self.in_extended = tag != Some(b'Q');
                self.report_message_error(report, now);
                return true;
            }
            Err(DecodeError::Protocol(m)) => {
                self.send_fatal(ErrorReport::fatal(SqlState::PROTOCOL_VIOLATION, m));
                return true;
            }
        };
        if self.copy_in.is_some() {
            self.on_copy_message(msg, now);
        } else {
            self.on_message(msg, now);
        }
        true
    }

    /// An error while handling a message outside COPY. In the extended
    /// protocol it starts skip-until-Sync; in the simple one ReadyForQuery
    /// follows at once.
    fn report_message_error(&mut self, report: ErrorReport, now: Instant) {
        if self.skip_until_sync {
            return;
        }
        self.reject(report, now);
    }

    /// The core itself refuses a message (a malformed Bind, a duplicate
    /// name, bad UTF-8…): report it, and tell the engine, because a failed
    /// statement fails the transaction around it — a block goes to `E` and
    /// later statements get 25P02, as in PostgreSQL. In the extended
    /// protocol skip-until-Sync follows; in the simple one, ReadyForQuery.
    fn reject(&mut self, report: ErrorReport, now: Instant) {
        backend::error_or_notice(&mut self.out, &report);
        let ready = !self.in_extended;
        if self.in_extended {
            self.skip_until_sync = true;
        }
        self.issue(Call::Fail(report), Pending::Fail { ready }, now);
    }

    pub(super) fn on_failed(&mut self, ready: bool, reply: Reply, now: Instant) {
        match reply {
            Reply::Failed { status } => self.status = status,
            other => panic!("Fail answered with {other:?}"),
        }
        if ready {
            self.ready_for_query(now);
        }
    }

    /// An error the engine reported for an extended-query message (it knows
    /// already): report it and skip until Sync.
    fn extended_error(&mut self, report: ErrorReport) {
        backend::error_or_notice(&mut self.out, &report);
        self.skip_until_sync = true;
    }

    pub(super) fn on_message(&mut self, msg: FrontendMessage, now: Instant) {
        use FrontendMessage as M;
        // Track whether we are inside an extended batch (for where errors go).
        self.in_extended = !matches!(msg, M::Query(_) | M::FunctionCall(_) | M::Terminate);
        if self.skip_until_sync && !matches!(msg, M::Sync | M::Terminate) {
            return;
        }
        match msg {
            M::Query(sql) => {
                // PostgreSQL treats a simple Query as using the unnamed
                // statement and portal: it drops both (`drop_unnamed_stmt`
                // in exec_simple_query), so a later Describe/Bind of `""`
                // must not be answered from a stale description.
                self.statements.remove("");
                self.portals.remove("");
                self.stream = Some(StreamKind::Simple {
                    formats: Arc::from([]),
                });
                self.issue(Call::Query(sql), Pending::Stream, now);
            }
            M::Parse {
                name,
                sql,
                param_types,
            } => {
                if !name.is_empty() && self.statements.contains_key(&name) {
                    return self.reject(
                        ErrorReport::error(
                            SqlState::DUPLICATE_PREPARED_STATEMENT,
                            format!("prepared statement \"{name}\" already exists"),
                        ),
                        now,
                    );
                }
                let call = Call::Parse {
                    statement: name.clone(),
                    sql,
                    param_types,
                };
                self.issue(call, Pending::Parse { name }, now);
            }
            M::Bind { .. } => self.on_bind(msg, now),
            M::Describe { kind, ref name } => self.on_describe(kind, name.clone(), msg, now),
            M::Execute {
                ref portal,
                max_rows,
            } => {
                let Some(info) = self.portals.get(portal) else {
                    let target = Target::Portal(portal.clone());
                    return self.describe_then(target, msg, now);
                };
                self.stream = Some(StreamKind::Extended {
                    formats: Arc::clone(&info.formats),
                });
                let max_rows = u64::try_from(max_rows).unwrap_or(0);
                self.issue(
                    Call::Execute {
                        portal: portal.clone(),
                        max_rows,
                    },
                    Pending::Stream,
                    now,
                );
            }
            M::Close { kind, name } => {
                let target = match kind {
                    ObjectKind::Statement => {
                        self.statements.remove(&name);
                        Target::Statement(name)
                    }
                    ObjectKind::Portal => {
                        self.portals.remove(&name);
                        Target::Portal(name)
                    }
                };
                self.issue(Call::Close(target), Pending::Close, now);
            }
            M::Sync => {
                self.skip_until_sync = false;
                self.in_extended = false;
                self.issue(Call::Sync, Pending::Sync, now);
            }
            M::Flush => {
                // Output is always available to the host as soon as it is
                // written, so there is nothing to push.
            }
            M::Terminate => {
                self.phase.set_cause_terminated();
                self.begin_close(now);
            }
            M::CopyData(_) | M::CopyDone | M::CopyFail(_) => {
                // Stray COPY messages after a failed COPY are dropped, as
                // the protocol specifies.
            }
            M::Password(_) => self.send_fatal(ErrorReport::fatal(
                SqlState::PROTOCOL_VIOLATION,
                "invalid frontend message type 112",
            )),
            M::FunctionCall(_) => self.reject(
                ErrorReport::error(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "fast-path function calls are not supported",
                ),
                now,
            ),
        }
    }

    /// Asks the engine to describe `target`, then handles `retry` again.
    fn describe_then(&mut self, target: Target, retry: FrontendMessage, now: Instant) {
        let call = Call::Describe(target.clone());
        self.issue(call, Pending::Describe { target, retry }, now);
    }

    fn on_describe(&mut self, kind: ObjectKind, name: String, msg: FrontendMessage, now: Instant) {
        match kind {
            ObjectKind::Statement => match self.statements.get(&name) {
                Some(info) => {
                    backend::parameter_description(&mut self.out, &info.param_types);
                    match &info.columns {
                        Some(cols) => backend::row_description(&mut self.out, cols, &[]),
                        None => backend::empty(&mut self.out, BackendTag::NoData),
                    }
                }
                None => self.describe_then(Target::Statement(name), msg, now),
            },
            ObjectKind::Portal => match self.portals.get(&name) {
                Some(info) => match &info.columns {
                    Some(cols) => backend::row_description(&mut self.out, cols, &info.formats),
                    None => backend::empty(&mut self.out, BackendTag::NoData),
                },
                None => self.describe_then(Target::Portal(name), msg, now),
            },
        }
    }

    fn on_bind(&mut self, msg: FrontendMessage, now: Instant) {
        let FrontendMessage::Bind {
            portal,
            statement,
            param_formats,
            params,
            result_formats,
        } = &msg
        else {
            unreachable!("on_bind takes Bind");
        };
        let Some(info) = self.statements.get(statement) else {
            let target = Target::Statement(statement.clone());
            return self.describe_then(target, msg, now);
        };
        if !portal.is_empty() && self.portals.contains_key(portal) {
            return self.reject(
                ErrorReport::error(
                    SqlState::DUPLICATE_CURSOR,
                    // PostgreSQL's CreatePortal wording.
                    format!("cursor \"{portal}\" already exists"),
                ),
                now,
            );
        }
        let n = params.len();
        if !(param_formats.len() <= 1 || param_formats.len() == n) {
            return self.reject(
                ErrorReport::error(
                    SqlState::PROTOCOL_VIOLATION,
                    format!(
                        "bind message has {} parameter formats but {n} parameters",
                        param_formats.len()
                    ),
                ),
                now,
            );
        }
        if n != info.param_types.len() {
            let statement = statement.clone();
            return self.reject(ErrorReport::error(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {n} parameters, but prepared statement \"{statement}\" requires {}",
                    info.param_types.len()
                ),
            ), now);
        }
        let columns = info.columns.as_ref().map_or(0, Vec::len);
        let formats = match expand_formats(result_formats, columns) {
            // One code means "all columns": keep it even if the cached
            // description has no columns, so fit_formats can spread it.
            Ok(f) if f.is_empty() && result_formats.len() == 1 => {
                vec![Format::from_code(result_formats[0]).unwrap_or_default()]
            }
            Ok(f) => f,
            Err(report) => return self.reject(report, now),
        };
        let param_formats = match expand_formats(param_formats, n) {
            Ok(f) => f,
            Err(report) => return self.reject(report, now),
        };
        let mut values = Vec::with_capacity(n);
        for (i, raw) in params.iter().enumerate() {
            let value = match raw {
                None => Ok(Value::Null),
                Some(bytes) => {
                    let ty = info.param_types[i];
                    Value::decode(ty, param_formats[i], bytes, &self.format)
                }
            };
            match value {
                Ok(v) => values.push(v),
                Err(e) => {
                    return self.reject(
                        ErrorReport::error(e.code, e.message).with_detail(format!(
                            "while decoding parameter ${} of the bind message",
                            i + 1
                        )),
                        now,
                    );
                }
            }
        }
        let call = Call::Bind {
            portal: portal.clone(),
            statement: statement.clone(),
            params: values,
            result_formats: formats.clone(),
        };
        self.issue(
            call,
            Pending::Bind {
                portal: portal.clone(),
                formats,
            },
            now,
        );
    }

    // ---- replies ----

    pub(super) fn on_parsed(&mut self, name: String, reply: Reply) {
        match reply {
            Reply::Parsed {
                param_types,
                columns,
            } => {
                self.statements.insert(
                    name,
                    StatementInfo {
                        param_types,
                        columns,
                    },
                );
                backend::empty(&mut self.out, BackendTag::ParseComplete);
            }
            Reply::Error { report, status } => {
                self.status = status;
                if name.is_empty() {
                    // A failed Parse leaves no unnamed statement behind.
                    self.statements.remove("");
                }
                self.extended_error(report);
            }
            other => panic!("Parse answered with {other:?}"),
        }
    }

    pub(super) fn on_bound(&mut self, portal: String, formats: Vec<Format>, reply: Reply) {
        match reply {
            Reply::Bound { columns } => {
                let formats = fit_formats(formats, columns.as_deref().map_or(0, <[_]>::len));
                self.portals.insert(
                    portal,
                    PortalInfo {
                        columns,
                        formats: Arc::from(formats),
                    },
                );
                backend::empty(&mut self.out, BackendTag::BindComplete);
            }
            Reply::Error { report, status } => {
                self.status = status;
                self.extended_error(report);
            }
            other => panic!("Bind answered with {other:?}"),
        }
    }

    pub(super) fn on_described(
        &mut self,
        target: Target,
        retry: FrontendMessage,
        reply: Reply,
        now: Instant,
    ) {
        match reply {
            Reply::Described {
                param_types,
                columns,
            } => {
                match target {
                    Target::Statement(name) => {
                        let param_types = param_types.unwrap_or_default();
                        self.statements.insert(
                            name,
                            StatementInfo {
                                param_types,
                                columns,
                            },
                        );
                    }
                    Target::Portal(name) => {
                        let n = columns.as_ref().map_or(0, Vec::len);
                        let formats = Arc::from(vec![Format::Text; n]);
                        self.portals.insert(name, PortalInfo { columns, formats });
                    }
                }
                self.on_message(retry, now);
            }
            Reply::Error { report, status } => {
                self.status = status;
                self.extended_error(report);
            }
            other => panic!("Describe answered with {other:?}"),
        }
    }

    pub(super) fn on_closed(&mut self, reply: Reply) {
        match reply {
            Reply::Closed => backend::empty(&mut self.out, BackendTag::CloseComplete),
            Reply::Error { report, status } => {
                self.status = status;
                self.extended_error(report);
            }
            other => panic!("Close answered with {other:?}"),
        }
    }

    pub(super) fn on_synced(&mut self, reply: Reply, now: Instant) {
        match reply {
            Reply::Synced { status } => self.status = status,
            Reply::Error { report, status } => {
                self.status = status;
                backend::error_or_notice(&mut self.out, &report);
            }
            other => panic!("Sync answered with {other:?}"),
        }
        self.ready_for_query(now);
    }
}

/// Expands format codes per the protocol: none (all text), one (for all),
/// or one per item.
fn expand_formats(codes: &[i16], n: usize) -> Result<Vec<Format>, ErrorReport> {
    let one = |c: i16| {
        Format::from_code(c).ok_or_else(|| {
            ErrorReport::error(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("unsupported format code: {c}"),
            )
        })
    };
    match codes.len() {
        0 => Ok(vec![Format::Text; n]),
        1 => Ok(vec![one(codes[0])?; n]),
        m if m == n => codes.iter().map(|c| one(*c)).collect(),
        m => Err(ErrorReport::error(
            SqlState::PROTOCOL_VIOLATION,
            format!("bind message has {m} result formats but query has {n} columns"),
        )),
    }
}

/// Fits the formats the client asked for to the portal's real column count
/// (the cached statement description may have been empty).
fn fit_formats(mut formats: Vec<Format>, n: usize) -> Vec<Format> {
    let fill = if formats.len() == 1 {
        formats[0]
    } else {
        Format::Text
    };
    formats.resize(n, fill);
    formats
}
