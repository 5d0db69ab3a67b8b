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
//! ```text
//! mod.rs        Database, Session: transactions, simple and extended query
//! outputs.rs    Output, Batch, TxStatus, ColumnInfo, Prepared   what sessions answer
//! statement.rs  planning and running one statement
//! settings.rs   SET/SHOW/RESET and the reportable settings
//! ```

mod outputs;
mod settings;
mod statement;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use twill_types::{FormatSettings, Oid, SqlState, Value};

pub use outputs::{Batch, ColumnInfo, Output, Prepared, TxStatus};
use settings::Settings;
use statement::{Planned, Prepared as PreparedStatement, StatementResult};

use crate::mvcc::{Engine, EngineConfig, IsolationLevel, Transaction};
use crate::sql::error::SqlError;
use crate::sql::front::{self, StatementKind};

/// The rows per batch of a streamed result.
const BATCH_ROWS: usize = 1000;

/// An open database: the shared engine behind every session.
#[derive(Clone)]
pub struct Database {
    engine: Engine,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

impl Database {
    /// Opens a database by URL. `memory://` keeps everything in memory
    /// (nothing survives the process); durable storage arrives with the
    /// write-ahead log.
    pub fn open(url: &str) -> Result<Database, SqlError> {
        match url {
            "memory://" | "memory:" | "memory" => Ok(Database {
                engine: Engine::new(EngineConfig::default()),
            }),
            other => Err(SqlError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("storage URL \"{other}\" is not supported yet (only memory://)"),
            )),
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
            settings,
            txn: None,
            block: false,
            failed: false,
            statements: HashMap::new(),
            portals: HashMap::new(),
            stream: Vec::new(),
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

/// A bound portal.
struct Portal {
    statement: Arc<PreparedStatement>,
    params: Vec<Value>,
    /// Rows not yet returned and the tag, once executed.
    result: Option<(std::vec::IntoIter<Vec<Value>>, String)>,
}

/// One client's session.
pub struct Session {
    engine: Engine,
    settings: Settings,
    txn: Option<Transaction>,
    /// The transaction is an explicit block (BEGIN).
    block: bool,
    /// The block failed: only ROLLBACK is accepted.
    failed: bool,
    statements: HashMap<String, Arc<PreparedStatement>>,
    portals: HashMap<String, Portal>,
    /// Outputs of the simple query in progress not yet sent, in batches.
    stream: Vec<Batch>,
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
        if let Some(t) = self.txn.take() {
            t.rollback();
        }
        self.block = false;
        self.failed = false;
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
            let t = self.engine.begin(self.isolation());
            *self.cancel.current.lock().expect("cancel lock") = Some(t.cancel_handle());
            self.transaction_timestamp = crate::sql::expr::functions::datetime::clock_now();
            self.txn = Some(t);
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
        } else if let Some(t) = self.txn.take() {
            t.rollback();
        }
    }

    /// Commits an implicit transaction (end of a simple query, Sync).
    fn finish_implicit(&mut self) -> Result<(), SqlError> {
        if self.block {
            return Ok(());
        }
        match self.txn.take() {
            Some(t) => t.commit().map(|_| ()).map_err(SqlError::from),
            None => Ok(()),
        }
    }

    /// Runs a simple-protocol query string; returns the first batch.
    pub fn query(&mut self, sql: &str) -> Batch {
        self.portals.remove("");
        self.statements.remove("");
        let outputs = self.run_simple(sql);
        // Split large results into batches the core fetches one by one.
        let mut batches: Vec<Batch> = Vec::new();
        let mut current: Vec<Output> = Vec::new();
        for o in outputs {
            match o {
                Output::Rows(rows) if rows.len() > BATCH_ROWS => {
                    let mut rows = rows.into_iter().peekable();
                    while rows.peek().is_some() {
                        let chunk: Vec<_> = rows.by_ref().take(BATCH_ROWS).collect();
                        current.push(Output::Rows(chunk));
                        batches.push(Batch {
                            outputs: std::mem::take(&mut current),
                            more: true,
                            status: TxStatus::Idle,
                        });
                    }
                }
                o => current.push(o),
            }
        }
        batches.push(Batch {
            outputs: current,
            more: false,
            status: TxStatus::Idle,
        });
        let status = self.status();
        for b in &mut batches {
            b.status = status;
        }
        batches.reverse();
        self.stream = batches;
        self.fetch()
    }

    /// The next batch of the stream in progress.
    pub fn fetch(&mut self) -> Batch {
        self.stream.pop().unwrap_or(Batch {
            outputs: Vec::new(),
            more: false,
            status: self.status(),
        })
    }

    /// Runs a query string and collects every output (tests, embedding).
    pub fn simple_query(&mut self, sql: &str) -> Vec<Output> {
        let mut out = Vec::new();
        let mut batch = self.query(sql);
        loop {
            out.append(&mut batch.outputs);
            if !batch.more {
                return out;
            }
            batch = self.fetch();
        }
    }

    fn run_simple(&mut self, sql: &str) -> Vec<Output> {
        let parsed = match front::parse(sql) {
            Ok(p) => p,
            Err(e) => {
                self.abort();
                return vec![Output::Error(e)];
            }
        };
        if parsed.is_empty() {
            return vec![Output::EmptyQuery];
        }
        let mut out = Vec::new();
        for p in parsed {
            match self.run_one(&p, &[], None) {
                Ok(r) => r.into_outputs(&mut out, true),
                Err(e) => {
                    out.push(Output::Error(e));
                    self.abort();
                    return out;
                }
            }
        }
        if let Err(e) = self.finish_implicit() {
            out.push(Output::Error(e));
        }
        out
    }

    /// Plans (if needed) and runs one statement.
    fn run_one(
        &mut self,
        parsed: &front::Parsed,
        params: &[Value],
        prepared: Option<&PreparedStatement>,
    ) -> Result<StatementResult, SqlError> {
        if let Some(r) = self.transaction_control(parsed)? {
            return Ok(r);
        }
        if self.failed {
            return Err(in_failed());
        }
        if let StatementKind::Sql(stmt) = &parsed.kind
            && let Some(r) = self.settings.statement(stmt)?
        {
            return Ok(r);
        }
        let search_path = self.settings.search_path();
        let format = self.settings.format().clone();
        let ts = self.transaction_timestamp;
        self.ensure_txn();
        let ts = if ts == 0 {
            self.transaction_timestamp
        } else {
            ts
        };
        let txn = self.txn.as_mut().expect("ensured");
        txn.begin_statement()?;
        let planned_here;
        let planned: &Planned = match prepared.and_then(|p| p.planned.as_ref()) {
            Some(p) => p,
            None => {
                planned_here = statement::plan(txn, parsed, &format, &[], &search_path)?.0;
                &planned_here
            }
        };
        let _ = ts;
        statement::run(
            &self.engine,
            txn,
            planned,
            parsed,
            params,
            &format,
            self.transaction_timestamp,
            &search_path,
        )
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
                let iso = modes.iter().find_map(|m| match m {
                    sqlparser::ast::TransactionMode::IsolationLevel(l) => Some(*l),
                    _ => None,
                });
                if self.txn.is_none() {
                    let level = match iso {
                        Some(sqlparser::ast::TransactionIsolationLevel::Serializable) => {
                            IsolationLevel::Serializable
                        }
                        Some(sqlparser::ast::TransactionIsolationLevel::RepeatableRead) => {
                            IsolationLevel::RepeatableRead
                        }
                        Some(_) => IsolationLevel::ReadCommitted,
                        None => self.isolation(),
                    };
                    let t = self.engine.begin(level);
                    *self.cancel.current.lock().expect("cancel lock") = Some(t.cancel_handle());
                    self.transaction_timestamp = crate::sql::expr::functions::datetime::clock_now();
                    self.txn = Some(t);
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
                match self.txn.take() {
                    Some(t) if failed => {
                        t.rollback();
                        tag("ROLLBACK")
                    }
                    Some(t) => {
                        let _ = t.commit()?;
                        tag("COMMIT")
                    }
                    None => tag("COMMIT"),
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
                if let Some(t) = self.txn.take() {
                    t.rollback();
                }
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
        let (planned, types, columns) =
            statement::plan(txn, &parsed, &format, param_types, &search_path)?;
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
        let columns = stmt.columns.clone();
        self.portals.insert(
            portal.to_owned(),
            Portal {
                statement: stmt,
                params,
                result: None,
            },
        );
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

    /// Execute: runs a portal, returning at most `max_rows` rows (0 = all).
    pub fn execute(&mut self, portal: &str, max_rows: u64) -> Batch {
        let outputs = self.execute_outputs(portal, max_rows);
        Batch {
            outputs,
            more: false,
            status: self.status(),
        }
    }

    fn execute_outputs(&mut self, name: &str, max_rows: u64) -> Vec<Output> {
        let Some(mut portal) = self.portals.remove(name) else {
            return vec![Output::Error(SqlError::new(
                SqlState::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            ))];
        };
        if portal.result.is_none() {
            let stmt = portal.statement.clone();
            let Some(parsed) = stmt.parsed.as_ref() else {
                self.portals.insert(name.to_owned(), portal);
                return vec![Output::EmptyQuery];
            };
            match self.run_one(parsed, &portal.params, Some(&stmt)) {
                Ok(r) => {
                    let mut notices = Vec::new();
                    for n in r.notices {
                        notices.push(Output::Notice(n));
                    }
                    if r.columns.is_none() {
                        let mut out = notices;
                        out.extend(
                            r.settings_changed
                                .into_iter()
                                .map(|(name, value)| Output::SettingChanged { name, value }),
                        );
                        out.push(Output::Complete(r.tag));
                        self.portals.insert(name.to_owned(), portal);
                        return out;
                    }
                    portal.result = Some((r.rows.into_iter(), r.tag));
                }
                Err(e) => {
                    self.abort();
                    return vec![Output::Error(e)];
                }
            }
        }
        let (rows, tag) = portal.result.as_mut().expect("executed");
        let limit = if max_rows == 0 {
            usize::MAX
        } else {
            max_rows as usize
        };
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(limit).collect();
        let n = chunk.len();
        let mut out = Vec::new();
        if n > 0 {
            out.push(Output::Rows(chunk));
        }
        if rows.len() > 0 {
            out.push(Output::Suspended);
        } else {
            let t = if tag.starts_with("SELECT") {
                format!("SELECT {n}")
            } else {
                tag.clone()
            };
            out.push(Output::Complete(t));
        }
        self.portals.insert(name.to_owned(), portal);
        out
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
    pub fn sync(&mut self) -> TxStatus {
        self.portals.remove("");
        if let Err(_e) = self.finish_implicit() {
            // A failed implicit commit has rolled back; the next
            // statement starts afresh.
        }
        if !self.block {
            self.portals.clear();
        }
        self.status()
    }

    /// The wire layer refused a message: fail the statement as if it had
    /// raised `error`.
    pub fn fail(&mut self, error: SqlError) -> TxStatus {
        let _ = error;
        self.abort();
        self.status()
    }

    /// COPY data (COPY FROM STDIN is not wired yet: no COPY is ever started).
    pub fn copy_data(&mut self, data: &[u8]) -> Result<(), SqlError> {
        let _ = data;
        Err(SqlError::new(
            SqlState::PROTOCOL_VIOLATION,
            "no COPY in progress",
        ))
    }

    /// End of COPY data.
    pub fn copy_done(&mut self) -> Batch {
        Batch {
            outputs: vec![Output::Error(SqlError::new(
                SqlState::PROTOCOL_VIOLATION,
                "no COPY in progress",
            ))],
            more: false,
            status: self.status(),
        }
    }

    /// COPY aborted.
    pub fn copy_fail(&mut self, error: SqlError) -> Batch {
        self.abort();
        Batch {
            outputs: vec![Output::Error(error)],
            more: false,
            status: self.status(),
        }
    }
}
