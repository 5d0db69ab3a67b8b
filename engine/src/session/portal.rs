//! Portals: a bound statement and where its result stands.
//!
//! A portal's rows come from a [`Source`]: either the statement's plan,
//! running as a tree of [`Node`]s that pull one row at a time, or rows
//! computed up front (RETURNING, SHOW, a WITH HOLD cursor materialized at
//! commit). Nodes own their state and borrow nothing between calls, so a
//! portal keeps its node tree and each call — an Execute with a row limit,
//! a simple query's next batch, a FETCH — builds a fresh [`Exec`] from the
//! session's transaction, the statement's subplans and the portal's
//! parameters, pulls what it needs and returns.
//!
//! A [`Rows`] also keeps PostgreSQL's cursor position, so one type serves
//! protocol portals (always forward) and SQL cursors (FETCH/MOVE in any
//! direction when declared SCROLL):
//!
//! ```text
//!   position:   0        1     2     3   …   n        n+1
//!             before   row1  row2  row3     row n   after last
//! ```
//!
//! A SCROLL cursor keeps every row read so far, so moving backward is a
//! walk over what it kept; a NO SCROLL one keeps nothing and answers 55000
//! to anything that would move backward.

use std::collections::HashMap;
use std::sync::Arc;

use twill_types::{SqlState, Value};

use super::statement::{self, Env, Planned, Prepared};
use crate::mvcc::Transaction;
use crate::sql::error::SqlError;
use crate::sql::exec::{Cx, Node, Row, open};
use crate::sql::front::FetchDirection;

/// Rows pulled per step when moving without returning rows (MOVE, skips).
const STEP_ROWS: u64 = 1000;

/// A plan running in its nodes, between calls.
pub(crate) struct Running {
    /// The node tree: owns its state, borrows nothing.
    node: Box<dyn Node>,
    /// Results of uncorrelated subqueries, kept across calls so a subquery
    /// runs once per statement, not once per Execute.
    cache: HashMap<usize, Arc<Vec<Row>>>,
    /// `statement_timestamp()` of the statement, fixed at its start.
    statement_timestamp: i64,
}

/// Where a result's rows come from.
pub(crate) enum Source {
    /// A query running in its plan nodes; the statement holds the plan.
    Plan(Running),
    /// Rows computed up front.
    Rows(std::vec::IntoIter<Row>),
}

/// A result being read, and the cursor position over it.
pub(crate) struct Rows {
    /// The statement the rows come from (its plan and subplans).
    statement: Arc<Prepared>,
    /// The parameters the statement runs with.
    params: Vec<Value>,
    source: Source,
    /// The source has no more rows.
    exhausted: bool,
    /// Rows read so far, kept for backward moves (SCROLL cursors only).
    kept: Option<Vec<Row>>,
    /// PostgreSQL's position: 0 before the first row, k on row k,
    /// `read + 1` after the last.
    pos: u64,
    /// Rows read from the source so far.
    read: u64,
}

impl Rows {
    /// A running query: opens the plan's nodes. `statement` must hold a
    /// planned query.
    pub(crate) fn plan(statement: Arc<Prepared>, params: Vec<Value>) -> Result<Rows, SqlError> {
        let Some(Planned::Query(pq)) = &statement.planned else {
            return Err(SqlError::internal(
                "a portal over a statement that is no query",
            ));
        };
        let running = Running {
            node: open(&pq.plan),
            cache: HashMap::new(),
            statement_timestamp: crate::sql::expr::functions::datetime::clock_now(),
        };
        Ok(Rows {
            statement,
            params,
            source: Source::Plan(running),
            exhausted: false,
            kept: None,
            pos: 0,
            read: 0,
        })
    }

    /// Rows computed up front.
    pub(crate) fn computed(statement: Arc<Prepared>, rows: Vec<Row>) -> Rows {
        Rows {
            statement,
            params: Vec::new(),
            source: Source::Rows(rows.into_iter()),
            exhausted: false,
            kept: None,
            pos: 0,
            read: 0,
        }
    }

    /// Keep rows read from now on, for backward moves (SCROLL).
    pub(crate) fn scrollable(mut self) -> Rows {
        self.kept = Some(Vec::new());
        self
    }

    /// Whether the source has no more rows.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Pulls up to `n` rows from the source.
    fn pull(&mut self, env: &Env<'_>, txn: &mut Transaction, n: u64) -> Result<Vec<Row>, SqlError> {
        let mut out = Vec::new();
        if self.exhausted || n == 0 {
            return Ok(out);
        }
        match &mut self.source {
            Source::Rows(it) => {
                out.extend(it.by_ref().take(n.min(usize::MAX as u64) as usize));
                if (out.len() as u64) < n {
                    self.exhausted = true;
                }
            }
            Source::Plan(running) => {
                let Some(Planned::Query(pq)) = &self.statement.planned else {
                    return Err(SqlError::internal("a portal lost its plan"));
                };
                let mut exec = statement::exec(env, txn, &pq.subplans, &self.params);
                exec.statement_timestamp = running.statement_timestamp;
                *exec.cache.get_mut() = std::mem::take(&mut running.cache);
                let eval = exec.eval_context();
                let cx = Cx {
                    exec: &exec,
                    eval: &eval,
                };
                // A cancel or timeout between calls stops the next one.
                let mut result = cx.check_interrupts();
                while result.is_ok() && (out.len() as u64) < n {
                    match running.node.next(&cx) {
                        Ok(Some(r)) => {
                            out.push(r);
                            if out.len().is_multiple_of(4096)
                                && let Err(e) = cx.check_interrupts()
                            {
                                result = Err(e);
                                break;
                            }
                        }
                        Ok(None) => {
                            self.exhausted = true;
                            break;
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                drop(eval);
                running.cache = exec.cache.into_inner();
                result?;
                if self.exhausted {
                    // Free the node tree (sort buffers, hash tables) now.
                    self.source = Source::Rows(Vec::new().into_iter());
                }
            }
        }
        Ok(out)
    }

    /// Reads everything that is left, keeping it as computed rows (WITH
    /// HOLD cursors at commit: after that no transaction is needed).
    pub(crate) fn materialize(
        &mut self,
        env: &Env<'_>,
        txn: &mut Transaction,
    ) -> Result<(), SqlError> {
        if matches!(self.source, Source::Rows(_)) {
            return Ok(());
        }
        let rest = self.pull(env, txn, u64::MAX)?;
        self.exhausted = false;
        self.source = Source::Rows(rest.into_iter());
        Ok(())
    }

    /// Moves forward `n` rows (`u64::MAX`: all), returning them when
    /// `collect`; the count of rows passed over.
    pub(crate) fn forward(
        &mut self,
        env: &Env<'_>,
        txn: &mut Transaction,
        n: u64,
        collect: bool,
        out: &mut Vec<Row>,
    ) -> Result<u64, SqlError> {
        let mut left = n;
        let mut count = 0;
        if let Some(kept) = &self.kept {
            while left > 0 && self.pos < kept.len() as u64 {
                if collect {
                    out.push(kept[self.pos as usize].clone());
                }
                self.pos += 1;
                count += 1;
                left -= 1;
            }
        }
        while left > 0 && !self.exhausted {
            let step = if collect { left } else { left.min(STEP_ROWS) };
            let rows = self.pull(env, txn, step)?;
            let got = rows.len() as u64;
            self.read += got;
            self.pos = self.read;
            count += got;
            left -= got;
            match (&mut self.kept, collect) {
                (Some(kept), true) => {
                    kept.extend(rows.iter().cloned());
                    out.extend(rows);
                }
                (Some(kept), false) => kept.extend(rows),
                (None, true) => out.extend(rows),
                (None, false) => {}
            }
        }
        if left > 0 {
            // Ran off the end.
            self.pos = self.read + 1;
        }
        Ok(count)
    }

    /// Moves backward `n` rows (SCROLL only), returning them in the order
    /// visited when `collect`.
    fn backward(&mut self, n: u64, collect: bool, out: &mut Vec<Row>) -> Result<u64, SqlError> {
        let Some(kept) = &self.kept else {
            return Err(forward_only());
        };
        let mut count = 0;
        let mut left = n;
        while left > 0 && self.pos > 1 {
            self.pos -= 1;
            if collect {
                out.push(kept[self.pos as usize - 1].clone());
            }
            count += 1;
            left -= 1;
        }
        if left > 0 {
            self.pos = 0;
        }
        Ok(count)
    }

    /// Moves to row `k` (1-based) and returns it (nothing when it does not
    /// exist: the position is then before the first or after the last row).
    fn go_to_row(
        &mut self,
        env: &Env<'_>,
        txn: &mut Transaction,
        k: u64,
        collect: bool,
        out: &mut Vec<Row>,
    ) -> Result<u64, SqlError> {
        if k == 0 {
            if self.pos > 0 && self.kept.is_none() {
                return Err(forward_only());
            }
            self.pos = 0;
            return Ok(0);
        }
        if k <= self.pos {
            if self.kept.is_none() {
                return Err(forward_only());
            }
            self.pos = k - 1;
        } else {
            // Skip forward to just before row k.
            let skip = k - 1 - self.pos;
            self.forward(env, txn, skip, false, &mut Vec::new())?;
            if self.pos != k - 1 {
                return Ok(0);
            }
        }
        self.forward(env, txn, 1, collect, out)
    }

    /// Runs one FETCH (`collect`) or MOVE; the rows and the count for the tag.
    pub(crate) fn fetch(
        &mut self,
        env: &Env<'_>,
        txn: &mut Transaction,
        direction: FetchDirection,
        collect: bool,
    ) -> Result<(Vec<Row>, u64), SqlError> {
        let mut out = Vec::new();
        let count = match direction {
            FetchDirection::Step(n) if n > 0 => {
                let n = if n == i64::MAX { u64::MAX } else { n as u64 };
                self.forward(env, txn, n, collect, &mut out)?
            }
            FetchDirection::Step(n) if n < 0 => {
                let n = if n == -i64::MAX {
                    u64::MAX
                } else {
                    n.unsigned_abs()
                };
                self.backward(n, collect, &mut out)?
            }
            FetchDirection::Step(_) | FetchDirection::Relative(0) => {
                // The current row again.
                if self.pos == 0 || self.pos > self.read {
                    0
                } else {
                    let Some(kept) = &self.kept else {
                        return Err(forward_only());
                    };
                    if collect {
                        out.push(kept[self.pos as usize - 1].clone());
                    }
                    1
                }
            }
            FetchDirection::Absolute(k) if k >= 0 => {
                self.go_to_row(env, txn, k as u64, collect, &mut out)?
            }
            FetchDirection::Absolute(k) => {
                // From the end: read everything first.
                if self.kept.is_none() {
                    return Err(forward_only());
                }
                self.forward(env, txn, u64::MAX, false, &mut Vec::new())?;
                match (self.read as i64 + 1).checked_add(k).filter(|&t| t >= 1) {
                    Some(t) => self.go_to_row(env, txn, t as u64, collect, &mut out)?,
                    None => {
                        self.pos = 0;
                        0
                    }
                }
            }
            FetchDirection::Relative(n) => {
                let target = self.pos as i64 + n;
                if target < 1 {
                    if self.kept.is_none() {
                        return Err(forward_only());
                    }
                    self.pos = 0;
                    0
                } else {
                    self.go_to_row(env, txn, target as u64, collect, &mut out)?
                }
            }
        };
        Ok((out, count))
    }
}

/// 55000: a backward move on a cursor without SCROLL.
fn forward_only() -> SqlError {
    SqlError::new(
        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
        "cursor can only scan forward",
    )
    .with_hint("Declare it with SCROLL option to enable backward scan.")
}

/// What a portal has done so far.
pub(crate) enum PortalState {
    /// Bound, not yet executed.
    Unstarted,
    /// Returning rows; `tag` is the final tag of a statement that is no
    /// SELECT (INSERT … RETURNING), `None` for `SELECT n`.
    Rows { rows: Rows, tag: Option<String> },
    /// Completed with this tag; executing it again answers the same.
    Done(String),
}

/// How a SQL cursor was declared.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CursorOptions {
    /// SCROLL: backward moves are allowed.
    pub scroll: bool,
    /// WITH HOLD: survives the commit of its transaction.
    pub hold: bool,
}

/// A bound portal or a SQL cursor.
pub(crate) struct Portal {
    /// The statement it runs.
    pub statement: Arc<Prepared>,
    /// Its parameters.
    pub params: Vec<Value>,
    /// Where it stands.
    pub state: PortalState,
    /// Declared with DECLARE (a cursor), not bound with Bind.
    pub cursor: Option<CursorOptions>,
    /// Materialized by the commit of a WITH HOLD cursor's transaction: it
    /// outlives transactions until closed.
    pub held: bool,
}

impl Portal {
    /// A portal bound with Bind.
    pub(crate) fn bound(statement: Arc<Prepared>, params: Vec<Value>) -> Portal {
        Portal {
            statement,
            params,
            state: PortalState::Unstarted,
            cursor: None,
            held: false,
        }
    }
}
