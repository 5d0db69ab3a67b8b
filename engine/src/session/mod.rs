//! Sessions: what a client connection talks to.
//!
//! A [`Database`] is the shared engine (one per process, cloned per
//! connection); a [`Session`] holds one client's state: its transaction
//! (implicit or an explicit block, possibly failed), its prepared
//! statements and portals, and its settings. The methods mirror the wire
//! protocol's engine calls one to one — simple query, Parse, Bind,
//! Describe, Execute, Close, Sync — so the server's glue is a plain
//! translation, but nothing here knows about the wire.
//!
//! PostgreSQL's implicit-transaction rules: a simple query string runs in
//! one implicit transaction unless it contains BEGIN; an extended-protocol
//! batch runs in one until Sync. An error rolls an implicit transaction
//! back and puts an explicit block into the failed state, where every
//! statement but ROLLBACK (and COMMIT, which then rolls back) answers 25P02.
//!
//! Results stream. A simple query's statements start one at a time as the
//! core asks for batches ([`Session::fetch`]): a SELECT keeps its running
//! plan and answers at most `BATCH_ROWS` (1000) rows per batch, so a large
//! result is never held whole. An Execute pulls at most `max_rows` from
//! its portal and answers `Suspended` while the portal stays open. COPY
//! FROM STDIN pauses the simple query's stream until `copy_done` (or
//! `copy_fail`), which continues with the rest of the string.
//!
//! ```text
//! query ──► start stmt 1 ──► rows … 1000 ──► Batch{more} ──► fetch ──► rows … ──► Complete
//!                                                                      start stmt 2 ──► CopyIn (pause)
//! copy_data* ──► copy_done ──► Complete("COPY n") ──► start stmt 3 … ──► Batch{!more}
//! ```
//!
//! Portals and cursors: a Bind makes a portal, a DECLARE makes a cursor —
//! the same thing under one name space, so the protocol may Describe and
//! Execute a DECLAREd cursor and FETCH may read a bound portal. Portals
//! die at the end of their transaction (the unnamed one at Sync), except
//! WITH HOLD cursors, which are read to the end at commit and then live
//! until closed.
//!
//! ```text
//! mod.rs        Database, Session: transactions, simple and extended query
//! outputs.rs    Output, Batch, TxStatus, ColumnInfo, Prepared   what sessions answer
//! statement.rs  planning and running one statement
//! stream.rs     starting statements, simple-query batches, Execute
//! portal.rs     Portal, Rows: running results and cursor positions
//! cursor.rs     DECLARE, FETCH, MOVE, CLOSE
//! copy.rs       COPY FROM STDIN / TO STDOUT
//! settings.rs   SET/SHOW/RESET and the reportable settings
//! ```

mod copy;
mod cursor;
mod hooks;
mod outputs;
mod portal;
mod settings;
mod statement;
mod stream;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use twill_types::{FormatSettings, Oid, SqlState, Value};

pub use outputs::{Batch, ColumnInfo, Output, Prepared, TxStatus};
use portal::Portal;
use settings::Settings;
use statement::{Prepared as PreparedStatement, StatementResult};

use crate::mvcc::{Engine, EngineConfig, IsolationLevel, TableId, Transaction};
use crate::sql::error::SqlError;
use crate::sql::front::{self, StatementKind};
use crate::sql::sequence::Sequences;
use crate::storage::Storage;

/// The rows per batch of a streamed result.
const BATCH_ROWS: usize = 1000;

/// An open database: the shared engine behind every session.
#[derive(Clone)]
pub struct Database {
    engine: Engine,
    sequences: Arc<Sequences>,
    /// The log and checkpoints of a durable database (`None`: `memory://`).
    storage: Option<Arc<Storage>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

impl Database {
    /// Opens a database by URL. `memory://` keeps everything in memory
    /// (nothing survives the process). `file://PATH` keeps a write-ahead
    /// log and checkpoints in the directory PATH (relative to the working
    /// directory; created if missing), recovers what is there, and locks
    /// it: a second process gets 55006.
    pub fn open(url: &str) -> Result<Database, SqlError> {
        match url {
            "memory://" | "memory:" | "memory" => Ok(Database {
                engine: Engine::new(EngineConfig::default()),
                sequences: Arc::new(Sequences::default()),
                storage: None,
            }),
            _ if url.starts_with("file://") && url.len() > "file://".len() => {
                let storage = Storage::open_dir(std::path::Path::new(&url["file://".len()..]))?;
                Ok(Database {
                    engine: storage.engine().clone(),
                    sequences: storage.sequences().clone(),
                    storage: Some(storage),
                })
            }
            _ if crate::storage::is_object_url(url) => {
                let storage = Storage::open_object(url)?;
                Ok(Database {
                    engine: storage.engine().clone(),
                    sequences: storage.sequences().clone(),
                    storage: Some(storage),
                })
            }
            other => Err(SqlError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "unknown storage URL \"{other}\" (memory://, file://PATH, \
                     s3://BUCKET/PREFIX, gs://BUCKET/PREFIX or r2://BUCKET/PREFIX)"
                ),
            )),
        }
    }

    /// How many durable appends the log has made since the database was
    /// opened — one per group-commit batch: an `fdatasync` on `file://`, an
    /// object put on an object store. `None` for `memory://`. Dividing by
    /// the commits made gives the cost group commit saves.
    pub fn log_flushes(&self) -> Option<u64> {
        self.storage.as_ref().map(|s| s.log_flushes())
    }

    /// A database over already-opened storage (storage tests with an
    /// injected backend).
    #[cfg(test)]
    pub(crate) fn from_storage_for_tests(storage: Arc<Storage>) -> Database {
        Database {
            engine: storage.engine().clone(),
            sequences: storage.sequences().clone(),
            storage: Some(storage),
        }
    }

    /// Opens a session for `user` with startup settings applied in order.
    pub fn connect(&self, user: &str, startup: &[(String, String)]) -> Result<Session, SqlError> {
        let mut settings = Settings::new(user);
        for (name, value) in startup {
            settings.set(name, value)?;
        }
        Ok(Session {
            engine: self.engine.clone(),
            sequences: self.sequences.clone(),
            storage: self.storage.clone(),
            seq_last: HashMap::new(),
            lastval: None,
            settings,
            txn: None,
            block: false,
            failed: false,
            statements: HashMap::new(),
            portals: HashMap::new(),
            plan_cache: HashMap::new(),
            simple: None,
            copy_in: None,
            cancel: CancelHandle::default(),
            transaction_timestamp: 0,
        })
    }
}

/// Cancels whatever statement the session is running.
#[derive(Clone, Default)]
pub struct CancelHandle {
    current: Arc<Mutex<Option<crate::mvcc::CancelHandle>>>,
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelHandle").finish_non_exhaustive()
    }
}

impl CancelHandle {
    /// Requests cancellation (57014) of the running statement, if any.
    pub fn cancel(&self) {
        if let Some(h) = self.current.lock().ok().and_then(|g| g.clone()) {
            h.cancel();
        }
    }
}

/// One client's session.
pub struct Session {
    engine: Engine,
    sequences: Arc<Sequences>,
    /// A durable database's log: COMMIT waits for it (see `storage`).
    storage: Option<Arc<Storage>>,
    /// `currval` of each sequence this session has used.
    seq_last: HashMap<TableId, i64>,
    /// The sequence `lastval` reads.
    lastval: Option<TableId>,
    settings: Settings,
    txn: Option<Transaction>,
    /// The transaction is an explicit block (BEGIN).
    block: bool,
    /// The block failed: only ROLLBACK is accepted.
    failed: bool,
    statements: HashMap<String, Arc<PreparedStatement>>,
    /// Bound portals and DECLAREd cursors, by name (`""` is unnamed).
    portals: HashMap<String, Portal>,
    /// The simple query in progress, between batches.
    /// Plans of lone simple-query statements, by text (see `stream.rs`).
    plan_cache: HashMap<String, Arc<PreparedStatement>>,
    simple: Option<stream::SimpleRun>,
    /// The COPY FROM STDIN in progress.
    copy_in: Option<copy::CopyIn>,
    cancel: CancelHandle,
    transaction_timestamp: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// The isolation level and access mode a BEGIN / SET TRANSACTION names.
fn transaction_modes(
    modes: &[sqlparser::ast::TransactionMode],
) -> (Option<IsolationLevel>, Option<bool>) {
    use sqlparser::ast::{
        TransactionAccessMode as A, TransactionIsolationLevel as L, TransactionMode as M,
    };
    let mut level = None;
    let mut read_only = None;
    for m in modes {
        match m {
            M::IsolationLevel(L::Serializable) => level = Some(IsolationLevel::Serializable),
            M::IsolationLevel(L::RepeatableRead) => level = Some(IsolationLevel::RepeatableRead),
            M::IsolationLevel(_) => level = Some(IsolationLevel::ReadCommitted),
            M::AccessMode(A::ReadOnly) => read_only = Some(true),
            M::AccessMode(A::ReadWrite) => read_only = Some(false),
        }
    }
    (level, read_only)
}

/// The name SHOW prints for an isolation level.
pub(crate) fn isolation_name(level: IsolationLevel) -> &'static str {
    match level {
        IsolationLevel::ReadCommitted => "read committed",
        IsolationLevel::RepeatableRead => "repeatable read",
        IsolationLevel::Serializable => "serializable",
    }
}

fn in_failed() -> SqlError {
    SqlError::new(
        SqlState::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

impl Session {
    /// The transaction status for ReadyForQuery.
    pub fn status(&self) -> TxStatus {
        match (self.block, self.failed) {
            (true, true) => TxStatus::Failed,
            (true, false) => TxStatus::InBlock,
            _ => TxStatus::Idle,
        }
    }

    /// The session's formatting settings (DateStyle, TimeZone, …).
    pub fn format_settings(&self) -> &FormatSettings {
        self.settings.format()
    }

    /// The current values of the settings PostgreSQL reports with
    /// ParameterStatus.
    pub fn reportable_settings(&self) -> Vec<(String, String)> {
        self.settings.reportable()
    }

    /// A handle that cancels the running statement from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Ends the session: rolls back whatever is open.
    pub fn terminate(&mut self) {
        self.simple = None;
        self.copy_in = None;
        self.portals.clear();
        let _ = self.end_txn(false);
        self.block = false;
        self.failed = false;
    }

    /// Begins a transaction; settings changed inside it revert if it
    /// rolls back (SET is transactional in PostgreSQL).
    fn begin_txn(&mut self, level: IsolationLevel, read_only: bool) {
        let t = self.engine.begin(level);
        *self.cancel.current.lock().expect("cancel lock") = Some(t.cancel_handle());
        self.transaction_timestamp = crate::sql::expr::functions::datetime::clock_now();
        self.settings.begin_transaction(level, read_only);
        self.txn = Some(t);
    }

    /// Ends the open transaction (if any), committing or rolling back.
    fn end_txn(&mut self, commit: bool) -> Result<(), SqlError> {
        // Portals end with their transaction; WITH HOLD cursors are read to
        // the end first and outlive it (cursor.rs).
        let held = if commit && self.txn.is_some() {
            self.hold_cursors()
        } else {
            Ok(())
        };
        self.portals.retain(|_, p| p.held);
        if let Err(e) = held {
            let _ = self.end_txn(false);
            return Err(e);
        }
        let Some(t) = self.txn.take() else {
            return Ok(());
        };
        *self.cancel.current.lock().expect("cancel lock") = None;
        let result = if commit {
            let committed = t.commit().map(|_| ()).map_err(SqlError::from);
            match (&self.storage, committed) {
                (Some(storage), Ok(())) => {
                    let wait = self.settings.get("synchronous_commit").as_deref() != Some("off");
                    storage.after_commit(wait)
                }
                (_, committed) => committed,
            }
        } else {
            t.rollback();
            Ok(())
        };
        self.settings.end_transaction(commit && result.is_ok());
        result
    }

    fn isolation(&self) -> IsolationLevel {
        match self
            .settings
            .get("default_transaction_isolation")
            .as_deref()
        {
            Some("serializable") => IsolationLevel::Serializable,
            Some("repeatable read") => IsolationLevel::RepeatableRead,
            _ => IsolationLevel::ReadCommitted,
        }
    }

    /// The open transaction, beginning an implicit one if there is none.
    fn ensure_txn(&mut self) -> &mut Transaction {
        if self.txn.is_none() {
            let read_only = self
                .settings
                .get("default_transaction_read_only")
                .as_deref()
                == Some("on");
            self.begin_txn(self.isolation(), read_only);
        }
        self.txn.as_mut().expect("just set")
    }

    /// Ends the transaction after an error: a block fails, an implicit one rolls back.
    fn abort(&mut self) {
        if self.block {
            self.failed = true;
            if let Some(t) = self.txn.as_mut() {
                t.fail();
            }
        } else {
            let _ = self.end_txn(false);
        }
    }

    /// Commits an implicit transaction (end of a simple query, Sync).
    fn finish_implicit(&mut self) -> Result<(), SqlError> {
        if self.block {
            return Ok(());
        }
        self.end_txn(true)
    }

    /// BEGIN/COMMIT/ROLLBACK/SAVEPOINT…; `None` for other statements.
    fn transaction_control(
        &mut self,
        parsed: &front::Parsed,
    ) -> Result<Option<StatementResult>, SqlError> {
        use sqlparser::ast::Statement as S;
        let StatementKind::Sql(stmt) = &parsed.kind else {
            return Ok(None);
        };
        let tag = |t: &str| Some(StatementResult::tag(t));
        Ok(match stmt.as_ref() {
            S::StartTransaction { modes, .. } => {
                if self.failed {
                    return Err(in_failed());
                }
                let mut result = StatementResult::tag("BEGIN");
                if self.block {
                    result.notices.push(SqlError::new(
                        SqlState::ACTIVE_SQL_TRANSACTION,
                        "there is already a transaction in progress",
                    ));
                    return Ok(Some(result));
                }
                let (level, read_only) = transaction_modes(modes);
                let level = level.unwrap_or_else(|| self.isolation());
                let read_only = read_only.unwrap_or_else(|| {
                    self.settings
                        .get("default_transaction_read_only")
                        .as_deref()
                        == Some("on")
                });
                if self.txn.is_none() {
                    self.begin_txn(level, read_only);
                } else {
                    // A transaction begun implicitly earlier in this query
                    // string becomes the block.
                    self.settings.set_transaction(Some(level), Some(read_only));
                }
                self.block = true;
                Some(result)
            }
            S::Commit { .. } => {
                if !self.block {
                    let mut r = StatementResult::tag("COMMIT");
                    r.notices.push(SqlError::new(
                        SqlState::NO_ACTIVE_SQL_TRANSACTION,
                        "there is no transaction in progress",
                    ));
                    return Ok(Some(r));
                }
                let failed = self.failed;
                self.block = false;
                self.failed = false;
                if failed {
                    self.end_txn(false)?;
                    tag("ROLLBACK")
                } else {
                    self.end_txn(true)?;
                    tag("COMMIT")
                }
            }
            S::Rollback {
                savepoint: None, ..
            } => {
                if !self.block {
                    let mut r = StatementResult::tag("ROLLBACK");
                    r.notices.push(SqlError::new(
                        SqlState::NO_ACTIVE_SQL_TRANSACTION,
                        "there is no transaction in progress",
                    ));
                    return Ok(Some(r));
                }
                self.block = false;
                self.failed = false;
                self.end_txn(false)?;
                tag("ROLLBACK")
            }
            S::Rollback {
                savepoint: Some(name),
                ..
            } => {
                let t = self.block_txn("ROLLBACK TO SAVEPOINT")?;
                t.rollback_to_savepoint(&crate::sql::plan::query::ident(name))?;
                self.failed = false;
                tag("ROLLBACK")
            }
            S::Set(sqlparser::ast::Set::SetTransaction { modes, session, .. }) => {
                if self.failed {
                    return Err(in_failed());
                }
                let (level, read_only) = transaction_modes(modes);
                if *session {
                    if let Some(l) = level {
                        self.settings
                            .set("default_transaction_isolation", isolation_name(l))?;
                    }
                    if let Some(r) = read_only {
                        self.settings.set(
                            "default_transaction_read_only",
                            if r { "on" } else { "off" },
                        )?;
                    }
                    return Ok(tag("SET"));
                }
                if !self.block {
                    let mut r = StatementResult::tag("SET");
                    r.notices.push(SqlError::new(
                        SqlState::NO_ACTIVE_SQL_TRANSACTION,
                        "SET TRANSACTION can only be used in transaction blocks",
                    ));
                    return Ok(Some(r));
                }
                if let Some(l) = level {
                    let started = self.txn.as_ref().is_some_and(|t| t.has_snapshot());
                    if started && Some(l) != self.txn.as_ref().map(|t| t.isolation()) {
                        return Err(SqlError::new(
                            SqlState::ACTIVE_SQL_TRANSACTION,
                            "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                        ));
                    }
                    if !started {
                        // Nothing ran yet: begin it again at the new level.
                        let ro = read_only.unwrap_or_else(|| self.settings.read_only());
                        if let Some(t) = self.txn.take() {
                            t.rollback();
                        }
                        let t = self.engine.begin(l);
                        *self.cancel.current.lock().expect("cancel lock") = Some(t.cancel_handle());
                        self.txn = Some(t);
                        self.settings.set_transaction(Some(l), Some(ro));
                    }
                }
                self.settings.set_transaction(None, read_only);
                tag("SET")
            }
            S::Savepoint { name } => {
                if self.failed {
                    return Err(in_failed());
                }
                let t = self.block_txn("SAVEPOINT")?;
                t.savepoint(&crate::sql::plan::query::ident(name))?;
                tag("SAVEPOINT")
            }
            S::ReleaseSavepoint { name } => {
                if self.failed {
                    return Err(in_failed());
                }
                let t = self.block_txn("RELEASE SAVEPOINT")?;
                t.release_savepoint(&crate::sql::plan::query::ident(name))?;
                tag("RELEASE")
            }
            _ => None,
        })
    }

    fn block_txn(&mut self, what: &str) -> Result<&mut Transaction, SqlError> {
        if !self.block {
            return Err(SqlError::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                format!("{what} can only be used in transaction blocks"),
            ));
        }
        Ok(self.ensure_txn())
    }

    /// Parse: plans a statement under a name.
    pub fn parse(
        &mut self,
        name: &str,
        sql: &str,
        param_types: &[Oid],
    ) -> Result<Prepared, SqlError> {
        if !name.is_empty() && self.statements.contains_key(name) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_PREPARED_STATEMENT,
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        let result = self.prepare(sql, param_types);
        match result {
            Ok(p) => {
                let answer = Prepared {
                    param_types: p.param_types.clone(),
                    columns: p.columns.clone(),
                };
                self.statements.insert(name.to_owned(), Arc::new(p));
                Ok(answer)
            }
            Err(e) => {
                self.abort();
                Err(e)
            }
        }
    }

    fn prepare(&mut self, sql: &str, param_types: &[Oid]) -> Result<PreparedStatement, SqlError> {
        let mut parsed = front::parse(sql)?;
        if parsed.len() > 1 {
            return Err(SqlError::syntax(
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let Some(parsed) = parsed.pop() else {
            return Ok(PreparedStatement::empty(param_types));
        };
        let is_control = self.transaction_control_kind(&parsed);
        if is_control {
            return Ok(PreparedStatement::utility(parsed, param_types));
        }
        if self.failed {
            return Err(in_failed());
        }
        let format = self.settings.format().clone();
        let search_path = self.settings.search_path();
        if let StatementKind::Sql(stmt) = &parsed.kind
            && settings::is_settings_statement(stmt)
        {
            let columns = settings::columns_of(stmt);
            let mut p = PreparedStatement::utility(parsed, param_types);
            p.columns = columns;
            return Ok(p);
        }
        let txn = self.ensure_txn();
        let (planned, types, mut columns) =
            statement::plan(txn, &parsed, &format, param_types, &search_path)?;
        if let StatementKind::Fetch {
            is_move: false,
            cursor,
            ..
        } = &parsed.kind
        {
            columns = self.cursor_columns(cursor);
        }
        Ok(PreparedStatement {
            parsed: Some(parsed),
            planned: Some(planned),
            param_types: types,
            columns,
        })
    }

    fn transaction_control_kind(&self, parsed: &front::Parsed) -> bool {
        use sqlparser::ast::Statement as S;
        matches!(
            &parsed.kind,
            StatementKind::Sql(s) if matches!(s.as_ref(), S::StartTransaction { .. } | S::Commit { .. } | S::Rollback { .. } | S::Savepoint { .. } | S::ReleaseSavepoint { .. })
        )
    }

    /// Bind: makes a portal from a statement and parameter values.
    pub fn bind(
        &mut self,
        portal: &str,
        statement: &str,
        params: Vec<Value>,
    ) -> Result<Option<Vec<ColumnInfo>>, SqlError> {
        let Some(stmt) = self.statements.get(statement).cloned() else {
            let e = SqlError::new(
                SqlState::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{statement}\" does not exist"),
            );
            self.abort();
            return Err(e);
        };
        if self.failed
            && stmt
                .parsed
                .as_ref()
                .is_some_and(|p| !self.transaction_control_kind(p))
        {
            return Err(in_failed());
        }
        if !portal.is_empty() && self.portals.contains_key(portal) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_CURSOR,
                format!("portal \"{portal}\" already exists"),
            ));
        }
        // A regclass parameter sent as a name is resolved now, as
        // PostgreSQL's regclassin would (42P01 if there is no such relation).
        let mut params = params;
        let names: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(i, v)| {
                stmt.param_types.get(*i) == Some(&twill_types::oid::REGCLASS)
                    && matches!(v, Value::Text(_))
            })
            .map(|(i, _)| i)
            .collect();
        if !names.is_empty() {
            let resolved = self.with_env(|env, txn| {
                names
                    .iter()
                    .map(|&i| {
                        let arg = std::slice::from_ref(&params[i]);
                        crate::sql::system::call(txn, env.hooks, "regclass", arg)
                            .unwrap_or_else(|| env.hooks.call(txn, "regclass", arg))
                    })
                    .collect::<Result<Vec<_>, _>>()
            });
            match resolved {
                Ok((values, _)) => {
                    for (&i, v) in names.iter().zip(values) {
                        params[i] = v;
                    }
                }
                Err(e) => {
                    self.abort();
                    return Err(e);
                }
            }
        }
        let columns = stmt.columns.clone();
        self.portals
            .insert(portal.to_owned(), Portal::bound(stmt, params));
        Ok(columns)
    }

    /// Describe of a statement.
    pub fn describe_statement(&mut self, name: &str) -> Result<Prepared, SqlError> {
        match self.statements.get(name) {
            Some(p) => Ok(Prepared {
                param_types: p.param_types.clone(),
                columns: p.columns.clone(),
            }),
            None => Err(SqlError::new(
                SqlState::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{name}\" does not exist"),
            )),
        }
    }

    /// Describe of a portal.
    pub fn describe_portal(&mut self, name: &str) -> Result<Option<Vec<ColumnInfo>>, SqlError> {
        match self.portals.get(name) {
            Some(p) => Ok(p.statement.columns.clone()),
            None => Err(SqlError::new(
                SqlState::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            )),
        }
    }

    /// Close of a statement (closing one that does not exist is fine).
    pub fn close_statement(&mut self, name: &str) {
        self.statements.remove(name);
    }

    /// Close of a portal.
    pub fn close_portal(&mut self, name: &str) {
        self.portals.remove(name);
    }

    /// Sync: commits an implicit transaction, drops the unnamed portal.
    /// A failed commit (the log could not take it, or a newer writer fenced
    /// this one) is the error, reported before ReadyForQuery as PostgreSQL
    /// does; the transaction has rolled back, so the status is then idle.
    pub fn sync(&mut self) -> Result<TxStatus, SqlError> {
        self.portals.remove("");
        self.finish_implicit()?;
        Ok(self.status())
    }

    /// The wire layer refused a message: fail the statement as if it had
    /// raised `error`.
    pub fn fail(&mut self, error: SqlError) -> TxStatus {
        let _ = error;
        self.simple = None;
        self.copy_in = None;
        self.abort();
        self.status()
    }
}
