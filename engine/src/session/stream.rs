//! Running statements and streaming their results: the simple query's
//! batches, Execute with a row limit, and the shared `start` of a
//! statement. See the module docs of `session` for the flow.

use std::collections::VecDeque;
use std::sync::Arc;

use twill_types::{SqlState, Value};

use super::portal::{Portal, PortalState, Rows};
use super::statement::{self, Env, Planned, Prepared as PreparedStatement, StatementResult};
use super::{BATCH_ROWS, Batch, ColumnInfo, Output, Session, hooks, in_failed};
use crate::mvcc::Transaction;
use crate::sql::error::SqlError;
use crate::sql::exec::Row;
use crate::sql::front::{self, StatementKind};

/// How a statement started.
pub(super) enum Started {
    /// It ran to completion (its rows, if any, are in the result).
    Done(StatementResult),
    /// It completed with these outputs (CLOSE: `PortalsClosed`).
    Outputs(Vec<Output>),
    /// It returns rows, to be pulled.
    Rows {
        /// Result columns.
        columns: Vec<ColumnInfo>,
        /// The running result.
        rows: Rows,
    },
    /// COPY FROM STDIN began: the session waits for `copy_data`.
    CopyIn {
        /// Binary format.
        binary: bool,
        /// Number of columns.
        columns: usize,
    },
    /// COPY TO STDOUT: rows to encode.
    CopyOut(super::copy::CopyOut),
}

/// A result a simple query is streaming.
enum Streaming {
    /// Rows of a SELECT (or computed rows of another statement).
    Rows {
        rows: Rows,
        /// The final tag, or `None` for `SELECT n`.
        tag: Option<String>,
        /// Rows sent so far, for `SELECT n`.
        sent: u64,
    },
    /// COPY TO STDOUT.
    CopyOut(super::copy::CopyOut),
}

/// A simple query in progress, between batches.
pub(super) struct SimpleRun {
    /// Statements not yet started.
    statements: VecDeque<front::Parsed>,
    /// A single statement found in the plan cache, to start first.
    cached: Option<Arc<PreparedStatement>>,
    /// The statement whose result is being streamed.
    current: Option<Streaming>,
}

/// Whether a statement's plan may be cached by its text: a lone query or
/// DML statement (no transaction control, no utility).
fn cacheable(p: &front::Parsed) -> bool {
    use sqlparser::ast::Statement as S;
    matches!(&p.kind, StatementKind::Sql(s) if matches!(s.as_ref(), S::Query(_) | S::Insert(_) | S::Update(_) | S::Delete(_)))
}

/// The most plans kept by text per session.
const PLAN_CACHE_SIZE: usize = 256;

impl Session {
    /// The plan cache key: the text, under the current settings (they
    /// change how literals and names are bound).
    fn cache_key(&self, sql: &str) -> String {
        format!("{}\u{0}{sql}", self.settings.epoch())
    }

    /// Plans a lone statement and caches it by text; `None` if it does not
    /// plan (the statement then runs the normal way and reports the error).
    fn cache_plan(&mut self, sql: &str, parsed: &front::Parsed) -> Option<Arc<PreparedStatement>> {
        let planned = self
            .with_env(|env, txn| statement::plan(txn, parsed, env.settings, &[], env.search_path))
            .ok()?
            .0;
        let (planned, param_types, columns) = planned;
        if !param_types.is_empty() {
            return None;
        }
        let stmt = Arc::new(PreparedStatement {
            parsed: Some(parsed.clone()),
            planned: Some(planned),
            param_types,
            columns,
        });
        if self.plan_cache.len() >= PLAN_CACHE_SIZE {
            self.plan_cache.clear();
        }
        let key = self.cache_key(sql);
        self.plan_cache.insert(key, stmt.clone());
        Some(stmt)
    }
}

/// A statement with no plan of its own, for computed rows.
fn no_statement() -> Arc<PreparedStatement> {
    Arc::new(PreparedStatement::empty(&[]))
}

fn settings_outputs(changed: Vec<(String, String)>, out: &mut Vec<Output>) {
    out.extend(
        changed
            .into_iter()
            .map(|(name, value)| Output::SettingChanged { name, value }),
    );
}

impl Session {
    /// Runs `f` with the session's execution environment and its open
    /// transaction (beginning an implicit one); also returns the settings
    /// that session functions changed meanwhile.
    pub(super) fn with_env<R>(
        &mut self,
        f: impl FnOnce(&Env<'_>, &mut Transaction) -> Result<R, SqlError>,
    ) -> Result<(R, Vec<(String, String)>), SqlError> {
        let search_path = self.settings.search_path();
        let format = self.settings.format().clone();
        let read_only = self.settings.read_only();
        self.ensure_txn();
        let ts = self.transaction_timestamp;
        let txn = self.txn.as_mut().expect("ensured");
        let hooks = hooks::Hooks {
            sequences: &self.sequences,
            settings: std::cell::RefCell::new(&mut self.settings),
            last: std::cell::RefCell::new(&mut self.seq_last),
            lastval: std::cell::RefCell::new(&mut self.lastval),
            changed: std::cell::RefCell::new(Vec::new()),
        };
        let env = Env {
            engine: &self.engine,
            sequences: &self.sequences,
            hooks: &hooks,
            settings: &format,
            transaction_timestamp: ts,
            search_path: &search_path,
            read_only,
        };
        let r = f(&env, txn)?;
        Ok((r, hooks.changed.into_inner()))
    }

    /// Runs a simple-protocol query string; returns the first batch.
    pub fn query(&mut self, sql: &str) -> Batch {
        self.portals.remove("");
        self.statements.remove("");
        self.simple = None;
        self.copy_in = None;
        let mut out = Vec::new();
        if let Some(stmt) = self.plan_cache.get(&self.cache_key(sql)).cloned() {
            self.simple = Some(SimpleRun {
                statements: VecDeque::new(),
                cached: Some(stmt),
                current: None,
            });
            let more = self.advance(&mut out);
            return self.batch(out, more);
        }
        let more = match front::parse(sql) {
            Err(e) => {
                self.abort();
                out.push(Output::Error(e));
                false
            }
            Ok(parsed) if parsed.is_empty() => {
                out.push(Output::EmptyQuery);
                false
            }
            Ok(mut parsed) => {
                // A lone query or DML statement is planned once per text.
                let cached = match parsed.as_slice() {
                    [p] if cacheable(p) && !self.failed => self.cache_plan(sql, p),
                    _ => None,
                };
                if cached.is_some() {
                    parsed.clear();
                }
                self.simple = Some(SimpleRun {
                    statements: parsed.into(),
                    cached,
                    current: None,
                });
                self.advance(&mut out)
            }
        };
        self.batch(out, more)
    }

    pub(super) fn batch(&self, outputs: Vec<Output>, more: bool) -> Batch {
        Batch {
            outputs,
            more,
            status: self.status(),
        }
    }

    /// The next batch of the stream in progress.
    pub fn fetch(&mut self) -> Batch {
        let mut out = Vec::new();
        let more = self.advance(&mut out);
        self.batch(out, more)
    }

    /// Runs a query string and collects every output (tests, embedding).
    /// A COPY FROM STDIN stops it at `Output::CopyIn`.
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

    /// Fails the simple query in progress: `error` ends its stream.
    fn fail_simple(&mut self, error: SqlError, out: &mut Vec<Output>) -> bool {
        out.push(Output::Error(error));
        self.abort();
        self.simple = None;
        false
    }

    /// Continues the simple query in progress until a batch is full, a
    /// COPY FROM starts, or the string is done; whether more batches follow.
    pub(super) fn advance(&mut self, out: &mut Vec<Output>) -> bool {
        loop {
            let Some(run) = self.simple.as_mut() else {
                return false;
            };
            if let Some(current) = run.current.take() {
                match self.stream_step(current, out) {
                    Ok(Some(c)) => {
                        if let Some(run) = self.simple.as_mut() {
                            run.current = Some(c);
                        }
                        return true;
                    }
                    Ok(None) => continue,
                    Err(e) => return self.fail_simple(e, out),
                }
            }
            if let Some(stmt) = run.cached.take() {
                let Some(parsed) = stmt.parsed.as_ref() else {
                    continue;
                };
                let started = self.start(parsed, &[], Some(&stmt));
                let current = match self.started_output(started, out) {
                    Ok(c) => c,
                    Err(more) => return more,
                };
                if let Some(run) = self.simple.as_mut() {
                    run.current = current;
                }
                continue;
            }
            let Some(parsed) = run.statements.pop_front() else {
                self.simple = None;
                if let Err(e) = self.finish_implicit() {
                    out.push(Output::Error(e));
                }
                return false;
            };
            let started = self.start(&parsed, &[], None);
            let current = match self.started_output(started, out) {
                Ok(c) => c,
                Err(more) => return more,
            };
            if let Some(run) = self.simple.as_mut() {
                run.current = current;
            }
        }
    }

    /// The outputs of a started statement; what remains to stream, or
    /// `Err(more)` when the simple query stops here.
    fn started_output(
        &mut self,
        started: Result<Started, SqlError>,
        out: &mut Vec<Output>,
    ) -> Result<Option<Streaming>, bool> {
        Ok(match started {
            Ok(Started::Done(mut r)) => match r.columns.take() {
                Some(columns) => {
                    let rows = std::mem::take(&mut r.rows);
                    out.extend(r.notices.into_iter().map(Output::Notice));
                    settings_outputs(r.settings_changed, out);
                    out.push(Output::Columns(columns));
                    Some(Streaming::Rows {
                        rows: Rows::computed(no_statement(), rows),
                        tag: Some(r.tag),
                        sent: 0,
                    })
                }
                None => {
                    r.into_outputs(out, true);
                    None
                }
            },
            Ok(Started::Outputs(o)) => {
                out.extend(o);
                None
            }
            Ok(Started::Rows { columns, rows }) => {
                out.push(Output::Columns(columns));
                Some(Streaming::Rows {
                    rows,
                    tag: None,
                    sent: 0,
                })
            }
            Ok(Started::CopyIn { binary, columns }) => {
                out.push(Output::CopyIn { binary, columns });
                return Err(false);
            }
            Ok(Started::CopyOut(c)) => {
                c.begin(out);
                Some(Streaming::CopyOut(c))
            }
            Err(e) => return Err(self.fail_simple(e, out)),
        })
    }

    /// One batch of a streamed result; `None` when it completed.
    fn stream_step(
        &mut self,
        current: Streaming,
        out: &mut Vec<Output>,
    ) -> Result<Option<Streaming>, SqlError> {
        match current {
            Streaming::Rows {
                mut rows,
                tag,
                mut sent,
            } => {
                let mut buf = Vec::new();
                sent += self.pull_rows(&mut rows, BATCH_ROWS as u64, &mut buf, out)?;
                if !buf.is_empty() {
                    out.push(Output::Rows(buf));
                }
                if rows.exhausted() {
                    out.push(Output::Complete(
                        tag.unwrap_or_else(|| format!("SELECT {sent}")),
                    ));
                    return Ok(None);
                }
                Ok(Some(Streaming::Rows { rows, tag, sent }))
            }
            Streaming::CopyOut(mut c) => {
                let done = self.copy_out_step(&mut c, BATCH_ROWS as u64, out)?;
                Ok((!done).then_some(Streaming::CopyOut(c)))
            }
        }
    }

    /// Pulls up to `n` rows forward into `buf`.
    pub(super) fn pull_rows(
        &mut self,
        rows: &mut Rows,
        n: u64,
        buf: &mut Vec<Row>,
        out: &mut Vec<Output>,
    ) -> Result<u64, SqlError> {
        let (count, changed) = self.with_env(|env, txn| rows.forward(env, txn, n, true, buf))?;
        settings_outputs(changed, out);
        Ok(count)
    }

    /// Starts one statement: runs it, or opens its result to be pulled.
    pub(super) fn start(
        &mut self,
        parsed: &front::Parsed,
        params: &[Value],
        prepared: Option<&Arc<PreparedStatement>>,
    ) -> Result<Started, SqlError> {
        if let Some(r) = self.transaction_control(parsed)? {
            return Ok(Started::Done(r));
        }
        if self.failed {
            return Err(in_failed());
        }
        if let StatementKind::Sql(stmt) = &parsed.kind
            && let Some(r) = self.settings.statement(stmt)?
        {
            return Ok(Started::Done(r));
        }
        if let Some(s) = self.session_statement(parsed, params)? {
            return Ok(s);
        }
        enum Ran {
            Query(Arc<PreparedStatement>),
            Done(StatementResult),
        }
        let mut stale = false;
        // A plan cached by its text is the client's new query each time:
        // its result columns may change. A prepared statement's may not.
        let from_text_cache =
            prepared.is_some_and(|p| self.plan_cache.values().any(|c| Arc::ptr_eq(c, p)));
        let (ran, changed) = self.with_env(|env, txn| {
            txn.begin_statement()?;
            let planned_here;
            // A plan made before DDL changed a relation it reads is re-made
            // (with the statement's parameter types); its result columns
            // must not change, as in PostgreSQL.
            let current = match prepared.and_then(|p| p.planned.as_ref()) {
                Some(p) if p.still_valid(txn)? => Some(p),
                Some(_) => {
                    stale = true;
                    None
                }
                None => None,
            };
            let param_types: &[twill_types::Oid] = prepared.map_or(&[], |p| &p.param_types);
            let planned: &Planned = match current {
                Some(Planned::Query(_)) => {
                    return Ok(Ran::Query(prepared.expect("has a plan").clone()));
                }
                Some(p) => p,
                None => {
                    let (p, types, columns) =
                        statement::plan(txn, parsed, env.settings, param_types, env.search_path)?;
                    // Same names and types; the base table's OID may differ.
                    let shape = |c: &Option<Vec<ColumnInfo>>| {
                        c.as_ref().map(|cs| {
                            cs.iter()
                                .map(|c| (c.name.clone(), c.type_oid, c.type_modifier))
                                .collect::<Vec<_>>()
                        })
                    };
                    if stale
                        && !from_text_cache
                        && prepared.is_some_and(|old| shape(&old.columns) != shape(&columns))
                    {
                        return Err(SqlError::new(
                            SqlState::FEATURE_NOT_SUPPORTED,
                            "cached plan must not change result type",
                        ));
                    }
                    if let Planned::Query(_) = p {
                        return Ok(Ran::Query(Arc::new(PreparedStatement {
                            parsed: None,
                            planned: Some(p),
                            param_types: types,
                            columns,
                        })));
                    }
                    planned_here = p;
                    &planned_here
                }
            };
            statement::run(env, txn, planned, parsed, params).map(Ran::Done)
        })?;
        if stale && let Some(old) = prepared {
            self.plan_cache.retain(|_, p| !Arc::ptr_eq(p, old));
        }
        match ran {
            Ran::Done(mut r) => {
                r.settings_changed.extend(changed);
                Ok(Started::Done(r))
            }
            Ran::Query(stmt) => {
                let columns = stmt.columns.clone().unwrap_or_default();
                let rows = Rows::plan(stmt, params.to_vec())?;
                Ok(Started::Rows { columns, rows })
            }
        }
    }

    /// Execute: runs a portal, returning at most `max_rows` rows (0 = all).
    pub fn execute(&mut self, portal: &str, max_rows: u64) -> Batch {
        let outputs = self.execute_outputs(portal, max_rows);
        self.batch(outputs, false)
    }

    fn execute_outputs(&mut self, name: &str, max_rows: u64) -> Vec<Output> {
        let Some(mut portal) = self.portals.remove(name) else {
            return vec![Output::Error(SqlError::new(
                SqlState::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            ))];
        };
        let mut out = Vec::new();
        let mut keep = true;
        if let Err(e) = self.execute_portal(&mut portal, max_rows, &mut out) {
            out.push(Output::Error(e));
            self.abort();
            // Outside a block the error ended the transaction and its portals.
            keep = self.block || portal.held;
        }
        if keep {
            self.portals.insert(name.to_owned(), portal);
        }
        out
    }

    fn execute_portal(
        &mut self,
        portal: &mut Portal,
        max_rows: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), SqlError> {
        if let PortalState::Unstarted = portal.state {
            let stmt = portal.statement.clone();
            let Some(parsed) = stmt.parsed.as_ref() else {
                out.push(Output::EmptyQuery);
                return Ok(());
            };
            match self.start(parsed, &portal.params, Some(&stmt))? {
                Started::Done(mut r) => {
                    out.extend(
                        std::mem::take(&mut r.notices)
                            .into_iter()
                            .map(Output::Notice),
                    );
                    settings_outputs(std::mem::take(&mut r.settings_changed), out);
                    if r.columns.is_none() {
                        out.push(Output::Complete(r.tag.clone()));
                        portal.state = PortalState::Done(r.tag);
                        return Ok(());
                    }
                    portal.state = PortalState::Rows {
                        rows: Rows::computed(no_statement(), r.rows),
                        tag: Some(r.tag),
                    };
                }
                Started::Outputs(o) => {
                    out.extend(o);
                    portal.state = PortalState::Done(String::new());
                    return Ok(());
                }
                Started::Rows { rows, .. } => {
                    portal.state = PortalState::Rows { rows, tag: None };
                }
                Started::CopyIn { binary, columns } => {
                    out.push(Output::CopyIn { binary, columns });
                    portal.state = PortalState::Done(String::new());
                    return Ok(());
                }
                Started::CopyOut(mut c) => {
                    c.begin(out);
                    while !self.copy_out_step(&mut c, BATCH_ROWS as u64, out)? {}
                    portal.state = PortalState::Done(String::new());
                    return Ok(());
                }
            }
        }
        match &mut portal.state {
            PortalState::Unstarted => Ok(()),
            PortalState::Done(tag) => {
                out.push(Output::Complete(tag.clone()));
                Ok(())
            }
            PortalState::Rows { rows, tag } => {
                if self.failed {
                    return Err(in_failed());
                }
                let limit = if max_rows == 0 { u64::MAX } else { max_rows };
                let mut buf = Vec::new();
                let n = self.pull_rows(rows, limit, &mut buf, out)?;
                if !buf.is_empty() {
                    out.push(Output::Rows(buf));
                }
                if n == limit {
                    // As PostgreSQL: the limit was reached, whether or not
                    // rows remain; the next Execute may find none.
                    out.push(Output::Suspended);
                } else {
                    let t = tag.clone().unwrap_or_else(|| format!("SELECT {n}"));
                    out.push(Output::Complete(t.clone()));
                    if portal.cursor.is_none() {
                        let again = if tag.is_some() {
                            t
                        } else {
                            "SELECT 0".to_owned()
                        };
                        portal.state = PortalState::Done(again);
                    }
                }
                Ok(())
            }
        }
    }
}
