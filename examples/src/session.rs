//! [`KvSession`]: a custom [`Backend`] — one client's session on the
//! key-value [`Store`].
//!
//! This is the part a user of the core writes: it answers every [`Call`]
//! with exactly one [`Reply`]. The core has already done the protocol work
//! (framing, authentication, parameter decoding, Describe from cached
//! descriptions, skip-until-Sync); the session only runs statements, keeps
//! its prepared statements and portals, and tracks the transaction:
//!
//! ```text
//!              BEGIN                      error
//!   Idle ──────────────► Block ───────────────────► Failed
//!    │  ▲                  │ COMMIT/ROLLBACK           │ ROLLBACK/COMMIT
//!    │  └──────────────────┴───────────────────────────┘
//!    │ a statement outside a block
//!    ▼
//!   Implicit ── end of the query string / Sync: commit; error: discard ──► Idle
//! ```
//!
//! As in PostgreSQL, the statements of one simple-query string (or of one
//! extended-query batch up to Sync) run in one implicit transaction, and
//! ReadyForQuery reports `I`, `T` or `E`.
//!
//! Rows stream: `GET` and `KEYS` produce a [`RowCursor`], and each
//! [`Batch`] carries at most [`BATCH_ROWS`] rows with `more: true` until it
//! runs out. The core asks for the next batch ([`Call::Fetch`]) only once
//! the client has drained its output, so a slow reader never makes the
//! server buffer a whole `KEYS`. An `Execute` with a row limit stops with
//! `Suspended` and resumes from the same cursor.
//!
//! Cancellation: between two batches another client's CancelRequest (or
//! `statement_timeout`) can reach the session through its
//! [`interrupt_handle`](Backend::interrupt_handle); the next `Fetch` then
//! ends the statement with ERROR 57014.

use std::collections::{HashMap, VecDeque};
use std::mem;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use twill_protocol::{
    Backend, Batch, Call, ErrorReport, Interrupt, InterruptReason, Output, Reply, Severity, Target,
    TxStatus,
};
use twill_types::{FormatSettings, Oid, SqlState, Value, oid};

use crate::command::{Arg, Command, split_statements};
use crate::store::{Store, Writes};

/// The most rows one [`Batch`] carries.
pub const BATCH_ROWS: usize = 1000;

/// Where the session is with respect to transactions.
#[derive(Debug, Default)]
enum Tx {
    /// No transaction.
    #[default]
    Idle,
    /// The implicit transaction of one query string or extended batch.
    Implicit(Writes),
    /// Inside BEGIN … COMMIT.
    Block(Writes),
    /// A statement failed inside a block: only ROLLBACK (or COMMIT) is
    /// accepted until the block ends.
    Failed,
}

/// A prepared statement: its command (None for an empty query string) and
/// parameter types.
#[derive(Debug, Clone)]
struct Prepared {
    /// What it runs.
    command: Option<Command<Arg>>,
    /// One OID per parameter, as reported in ParameterDescription.
    param_types: Vec<Oid>,
}

/// A bound portal.
#[derive(Debug)]
struct Portal {
    /// What it runs, parameters filled in (None for an empty query).
    command: Option<Command<String>>,
    /// Rows still to send, once it has started.
    cursor: Option<RowCursor>,
    /// Executed to the end.
    done: bool,
}

/// Rows of one text column still to send, and how many were sent (for the
/// `SELECT n` tag).
#[derive(Debug, Default)]
pub struct RowCursor {
    /// Every value, in order.
    values: Vec<String>,
    /// The next one to send.
    next: usize,
}

impl RowCursor {
    /// Up to `limit` rows from where the cursor is.
    fn take(&mut self, limit: usize) -> Vec<Vec<Value>> {
        let end = self.values.len().min(self.next.saturating_add(limit));
        let rows = self.values[self.next..end]
            .iter_mut()
            .map(|v| vec![Value::Text(mem::take(v))])
            .collect();
        self.next = end;
        rows
    }

    /// True once every row was taken.
    fn is_done(&self) -> bool {
        self.next >= self.values.len()
    }

    /// The CommandComplete tag once done.
    fn tag(&self) -> String {
        format!("SELECT {}", self.next)
    }
}

/// A stream waiting for [`Call::Fetch`].
#[derive(Debug)]
enum Running {
    /// A simple query: the statement streaming rows, and those after it.
    Simple {
        cursor: RowCursor,
        rest: VecDeque<Command<String>>,
    },
    /// An Execute: the portal and the rows it may still send (None: no limit).
    Portal { name: String, left: Option<u64> },
}

/// What running one statement produced.
enum Effect {
    /// Done: CommandComplete with this tag, after an optional warning.
    Done(String, Option<ErrorReport>),
    /// Rows to stream.
    Rows(RowCursor),
}

/// The cross-thread half of a session: a CancelRequest handled on another
/// connection (or a statement timeout) sets `reason` while a statement
/// streams, and the next [`Call::Fetch`] ends it with 57014.
#[derive(Debug, Default)]
struct Interruptor {
    /// A statement is streaming: an interrupt applies to it.
    busy: AtomicBool,
    /// 0 none, 1 user cancel, 2 statement timeout.
    reason: AtomicU8,
}

impl Interruptor {
    fn start(&self) {
        self.reason.store(0, Ordering::SeqCst);
        self.busy.store(true, Ordering::SeqCst);
    }

    fn stop(&self) {
        self.busy.store(false, Ordering::SeqCst);
        self.reason.store(0, Ordering::SeqCst);
    }

    /// The pending interrupt, as the error that ends the statement.
    fn take(&self) -> Option<ErrorReport> {
        let message = match self.reason.swap(0, Ordering::SeqCst) {
            1 => "canceling statement due to user request",
            2 => "canceling statement due to statement timeout",
            _ => return None,
        };
        Some(ErrorReport::error(SqlState::QUERY_CANCELED, message))
    }
}

impl Interrupt for Interruptor {
    fn interrupt(&self, reason: InterruptReason) {
        // An idle session ignores interrupts (the contract of `Interrupt`).
        if self.busy.load(Ordering::SeqCst) {
            let code = match reason {
                InterruptReason::UserCancel => 1,
                InterruptReason::StatementTimeout => 2,
            };
            self.reason.store(code, Ordering::SeqCst);
        }
    }
}

/// One client's session on a [`Store`]: the example's [`Backend`].
#[derive(Debug)]
pub struct KvSession {
    /// The shared data.
    store: Store,
    /// The transaction state.
    tx: Tx,
    /// Prepared statements by name (`""` is the unnamed one).
    statements: HashMap<String, Prepared>,
    /// Portals by name.
    portals: HashMap<String, Portal>,
    /// The stream a Fetch continues.
    running: Option<Running>,
    /// How interrupts reach a streaming statement.
    interrupt: Arc<Interruptor>,
}

impl KvSession {
    /// A session on `store`.
    pub fn new(store: Store) -> Self {
        KvSession {
            store,
            tx: Tx::Idle,
            statements: HashMap::new(),
            portals: HashMap::new(),
            running: None,
            interrupt: Arc::default(),
        }
    }

    /// The status ReadyForQuery reports: an implicit transaction is `I`.
    fn status(&self) -> TxStatus {
        match self.tx {
            Tx::Idle | Tx::Implicit(_) => TxStatus::Idle,
            Tx::Block(_) => TxStatus::InBlock,
            Tx::Failed => TxStatus::Failed,
        }
    }

    /// The end of a query string or of an extended batch: commit the
    /// implicit transaction.
    fn end_implicit(&mut self) {
        if let Tx::Implicit(_) = self.tx
            && let Tx::Implicit(writes) = mem::take(&mut self.tx)
        {
            self.store.apply(writes);
        }
    }

    /// A statement failed: an implicit transaction is discarded, a block
    /// fails. The stream in progress ends.
    fn after_error(&mut self) {
        self.running = None;
        self.interrupt.stop();
        self.tx = match mem::take(&mut self.tx) {
            Tx::Idle | Tx::Implicit(_) => Tx::Idle,
            Tx::Block(_) | Tx::Failed => Tx::Failed,
        };
    }

    /// A batch that ends the stream with an error.
    fn fail_stream(&mut self, mut outputs: Vec<Output>, report: ErrorReport) -> Reply {
        self.after_error();
        outputs.push(Output::Error(report));
        Reply::Stream(Batch {
            outputs,
            more: false,
            status: self.status(),
        })
    }

    /// A non-stream call failed.
    fn fail(&mut self, report: ErrorReport) -> Reply {
        self.after_error();
        Reply::Error {
            report,
            status: self.status(),
        }
    }

    /// Runs one bound statement in the current transaction.
    fn execute(&mut self, command: &Command<String>) -> Result<Effect, ErrorReport> {
        if matches!(self.tx, Tx::Failed) {
            return match command {
                Command::Commit | Command::Rollback => {
                    self.tx = Tx::Idle;
                    Ok(Effect::Done("ROLLBACK".into(), None))
                }
                _ => Err(ErrorReport::error(
                    SqlState::IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block",
                )),
            };
        }
        if matches!(self.tx, Tx::Idle) {
            self.tx = Tx::Implicit(Writes::new());
        }
        let writes = match &mut self.tx {
            Tx::Implicit(w) | Tx::Block(w) => w,
            // Set just above; Failed returned earlier.
            Tx::Idle | Tx::Failed => unreachable!("a statement runs in a transaction"),
        };
        let done = |tag: &str| Ok(Effect::Done(tag.into(), None));
        match command {
            Command::Set { key, value } => {
                writes.insert(key.clone(), Some(value.clone()));
                done("SET")
            }
            Command::Get { key } => Ok(Effect::Rows(RowCursor {
                values: self.store.get(key, writes).into_iter().collect(),
                next: 0,
            })),
            Command::Keys { prefix } => Ok(Effect::Rows(RowCursor {
                values: self.store.keys(prefix.as_deref().unwrap_or(""), writes),
                next: 0,
            })),
            Command::Del { key } => {
                let existed = self.store.get(key, writes).is_some();
                if existed {
                    writes.insert(key.clone(), None);
                }
                done(if existed { "DELETE 1" } else { "DELETE 0" })
            }
            Command::Begin => match mem::take(&mut self.tx) {
                Tx::Implicit(w) => {
                    self.tx = Tx::Block(w);
                    done("BEGIN")
                }
                other => {
                    self.tx = other;
                    Ok(Effect::Done(
                        "BEGIN".into(),
                        Some(warning(
                            "25001",
                            "there is already a transaction in progress",
                        )),
                    ))
                }
            },
            Command::Commit | Command::Rollback => {
                let commit = matches!(command, Command::Commit);
                let tag = if commit { "COMMIT" } else { "ROLLBACK" };
                match mem::take(&mut self.tx) {
                    Tx::Block(w) => {
                        if commit {
                            self.store.apply(w);
                        }
                        done(tag)
                    }
                    Tx::Implicit(w) => {
                        // PostgreSQL: the implicit transaction ends here too.
                        if commit {
                            self.store.apply(w);
                        }
                        Ok(Effect::Done(
                            tag.into(),
                            Some(warning("25P01", "there is no transaction in progress")),
                        ))
                    }
                    Tx::Idle | Tx::Failed => done(tag),
                }
            }
        }
    }

    /// Runs simple-query statements until a batch is full, an error, or the
    /// end of the string. `cursor` is a `GET`/`KEYS` still streaming.
    fn run_simple(
        &mut self,
        mut cursor: Option<RowCursor>,
        mut rest: VecDeque<Command<String>>,
        mut outputs: Vec<Output>,
    ) -> Reply {
        let mut room = BATCH_ROWS;
        loop {
            if let Some(mut c) = cursor.take() {
                let rows = c.take(room);
                room -= rows.len();
                if !rows.is_empty() {
                    outputs.push(Output::Rows(rows));
                }
                if !c.is_done() {
                    self.running = Some(Running::Simple { cursor: c, rest });
                    return self.batch(outputs, true);
                }
                outputs.push(Output::Complete(c.tag()));
            }
            let Some(command) = rest.pop_front() else {
                self.end_implicit();
                self.interrupt.stop();
                return self.batch(outputs, false);
            };
            match self.execute(&command) {
                Ok(Effect::Done(tag, notice)) => {
                    outputs.extend(notice.map(Output::Notice));
                    outputs.push(Output::Complete(tag));
                }
                Ok(Effect::Rows(c)) => {
                    // The simple protocol describes each statement's rows.
                    outputs.extend(command.columns().map(Output::Columns));
                    cursor = Some(c);
                }
                Err(report) => return self.fail_stream(outputs, report),
            }
        }
    }

    /// Runs a portal for at most `left` more rows (None: no limit).
    fn run_portal(&mut self, name: String, mut left: Option<u64>) -> Reply {
        let mut outputs = Vec::new();
        let Some(portal) = self.portals.get_mut(&name) else {
            let report = ErrorReport::error(
                SqlState::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            );
            return self.fail_stream(outputs, report);
        };
        if portal.done {
            // As in PostgreSQL: a query portal run to its end returns no
            // more rows; a command portal cannot run twice.
            if portal.cursor.is_some() {
                outputs.push(Output::Complete("SELECT 0".into()));
                self.interrupt.stop();
                return self.batch(outputs, false);
            }
            let report = ErrorReport::error(
                SqlState::from_code("55000"),
                format!("portal \"{name}\" cannot be run"),
            );
            return self.fail_stream(outputs, report);
        }
        if portal.cursor.is_none() {
            let Some(command) = portal.command.clone() else {
                portal.done = true;
                outputs.push(Output::EmptyQuery);
                return self.batch(outputs, false);
            };
            match self.execute(&command) {
                Ok(Effect::Done(tag, notice)) => {
                    outputs.extend(notice.map(Output::Notice));
                    outputs.push(Output::Complete(tag));
                    if let Some(p) = self.portals.get_mut(&name) {
                        p.done = true;
                    }
                    self.interrupt.stop();
                    return self.batch(outputs, false);
                }
                Ok(Effect::Rows(cursor)) => {
                    if let Some(p) = self.portals.get_mut(&name) {
                        p.cursor = Some(cursor);
                    }
                }
                Err(report) => return self.fail_stream(outputs, report),
            }
        }
        // The portal exists (checked above) and has a cursor (set above).
        let Some(Portal {
            cursor: Some(cursor),
            done,
            ..
        }) = self.portals.get_mut(&name)
        else {
            unreachable!("the portal and its cursor were just set")
        };
        let limit = left.map_or(BATCH_ROWS, |l| {
            BATCH_ROWS.min(usize::try_from(l).unwrap_or(usize::MAX))
        });
        let rows = cursor.take(limit);
        if let Some(l) = &mut left {
            *l -= rows.len() as u64;
        }
        if !rows.is_empty() {
            outputs.push(Output::Rows(rows));
        }
        if cursor.is_done() {
            *done = true;
            outputs.push(Output::Complete(cursor.tag()));
        } else if left == Some(0) {
            outputs.push(Output::Suspended);
        } else {
            self.running = Some(Running::Portal { name, left });
            return self.batch(outputs, true);
        }
        self.interrupt.stop();
        self.batch(outputs, false)
    }

    fn batch(&self, outputs: Vec<Output>, more: bool) -> Reply {
        Reply::Stream(Batch {
            outputs,
            more,
            status: self.status(),
        })
    }

    fn on_query(&mut self, sql: &str) -> Reply {
        self.running = None;
        // A simple query drops the unnamed statement and portal.
        self.statements.remove("");
        self.portals.remove("");
        // Parse the whole string first: a syntax error anywhere runs nothing.
        let parsed: Result<VecDeque<Command<String>>, ErrorReport> = split_statements(sql)
            .map(|(at, text)| {
                Command::parse(text, sql[..at].chars().count()).and_then(|c| c.bind(&[]))
            })
            .collect();
        let commands = match parsed {
            Ok(commands) => commands,
            Err(report) => return self.fail_stream(Vec::new(), report),
        };
        if commands.is_empty() {
            return self.batch(vec![Output::EmptyQuery], false);
        }
        self.interrupt.start();
        self.run_simple(None, commands, Vec::new())
    }

    fn on_parse(&mut self, statement: String, sql: &str, given: Vec<Oid>) -> Reply {
        let command = if sql.trim().trim_end_matches(';').trim().is_empty() {
            None
        } else {
            match Command::parse(sql, 0) {
                Ok(command) => Some(command),
                Err(report) => return self.fail(report),
            }
        };
        let count = command
            .as_ref()
            .map_or(0, Command::param_count)
            .max(given.len());
        // Every parameter is text unless the client said otherwise.
        let param_types: Vec<Oid> = (0..count)
            .map(|i| match given.get(i) {
                Some(&t) if t != oid::UNSPECIFIED => t,
                _ => oid::TEXT,
            })
            .collect();
        let columns = command.as_ref().and_then(Command::columns);
        self.statements.insert(
            statement,
            Prepared {
                command,
                param_types: param_types.clone(),
            },
        );
        Reply::Parsed {
            param_types,
            columns,
        }
    }

    fn on_bind(&mut self, portal: String, statement: &str, params: Vec<Value>) -> Reply {
        let Some(prepared) = self.statements.get(statement) else {
            return self.fail(ErrorReport::error(
                SqlState::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{statement}\" does not exist"),
            ));
        };
        let settings = FormatSettings::default();
        let mut texts = Vec::with_capacity(params.len());
        for value in &params {
            if matches!(value, Value::Null) {
                let report = ErrorReport::error(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "null values cannot be stored",
                );
                return self.fail(report);
            }
            texts.push(value.to_text(&settings));
        }
        let command = match prepared
            .command
            .as_ref()
            .map(|c| c.bind(&texts))
            .transpose()
        {
            Ok(command) => command,
            Err(report) => return self.fail(report),
        };
        let columns = command.as_ref().and_then(Command::columns);
        self.portals.insert(
            portal,
            Portal {
                command,
                cursor: None,
                done: false,
            },
        );
        Reply::Bound { columns }
    }

    fn on_describe(&mut self, target: Target) -> Reply {
        match target {
            Target::Statement(name) => match self.statements.get(&name) {
                Some(p) => Reply::Described {
                    param_types: Some(p.param_types.clone()),
                    columns: p.command.as_ref().and_then(Command::columns),
                },
                None => self.fail(ErrorReport::error(
                    SqlState::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{name}\" does not exist"),
                )),
            },
            Target::Portal(name) => match self.portals.get(&name) {
                Some(p) => Reply::Described {
                    param_types: None,
                    columns: p.command.as_ref().and_then(Command::columns),
                },
                None => self.fail(ErrorReport::error(
                    SqlState::INVALID_CURSOR_NAME,
                    format!("portal \"{name}\" does not exist"),
                )),
            },
        }
    }

    fn on_fetch(&mut self) -> Reply {
        if let Some(report) = self.interrupt.take() {
            return self.fail_stream(Vec::new(), report);
        }
        match self.running.take() {
            Some(Running::Simple { cursor, rest }) => {
                self.run_simple(Some(cursor), rest, Vec::new())
            }
            Some(Running::Portal { name, left }) => self.run_portal(name, left),
            None => {
                let report = ErrorReport::error(SqlState::PROTOCOL_VIOLATION, "nothing to fetch");
                self.fail_stream(Vec::new(), report)
            }
        }
    }
}

impl Backend for KvSession {
    fn call(&mut self, call: Call) -> Reply {
        match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Query(sql) => self.on_query(&sql),
            Call::Parse {
                statement,
                sql,
                param_types,
            } => self.on_parse(statement, &sql, param_types),
            Call::Bind {
                portal,
                statement,
                params,
                ..
            } => self.on_bind(portal, &statement, params),
            Call::Describe(target) => self.on_describe(target),
            Call::Execute { portal, max_rows } => {
                self.running = None;
                self.interrupt.start();
                self.run_portal(portal, (max_rows > 0).then_some(max_rows))
            }
            Call::Fetch => self.on_fetch(),
            Call::Close(target) => {
                match target {
                    Target::Statement(name) => drop(self.statements.remove(&name)),
                    Target::Portal(name) => drop(self.portals.remove(&name)),
                }
                Reply::Closed
            }
            Call::Sync => {
                self.end_implicit();
                self.portals.remove("");
                if matches!(self.tx, Tx::Idle) {
                    // Portals do not outlive their transaction.
                    self.portals.clear();
                }
                Reply::Synced {
                    status: self.status(),
                }
            }
            // This store never starts a COPY, so these cannot be its own.
            Call::CopyData(_) => self.fail(ErrorReport::error(
                SqlState::PROTOCOL_VIOLATION,
                "no COPY in progress",
            )),
            Call::CopyDone => self.fail_stream(
                Vec::new(),
                ErrorReport::error(SqlState::PROTOCOL_VIOLATION, "no COPY in progress"),
            ),
            Call::CopyFail(report) => self.fail_stream(Vec::new(), report),
            Call::Fail(_) => {
                self.after_error();
                Reply::Failed {
                    status: self.status(),
                }
            }
            Call::Terminate => {
                // Roll back whatever is open and free the session.
                self.tx = Tx::Idle;
                self.running = None;
                self.statements.clear();
                self.portals.clear();
                Reply::Closed
            }
        }
    }

    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        Some(Arc::clone(&self.interrupt) as Arc<dyn Interrupt>)
    }
}

/// A WARNING notice with a SQLSTATE.
fn warning(code: &str, message: &str) -> ErrorReport {
    ErrorReport::new(Severity::Warning, SqlState::from_code(code), message)
}
