//! Joins: hash joins on equality keys, nested loops otherwise, and lateral
//! joins that re-run their right side per left row.
//!
//! The right side is gathered first (it is the build side of a hash join);
//! left rows stream. Outer joins pad with NULLs: a left row with no match
//! (LEFT, FULL) as it passes, unmatched right rows (RIGHT, FULL) at the end.
//! An INNER or RIGHT join whose right side is empty yields nothing, so it
//! never reads its left side, as PostgreSQL's hash join skips its outer
//! side after an empty build. That is what keeps psql's `\d` cheap on a
//! large catalog: it joins pg_class with the always-empty pg_inherits.

use std::collections::HashMap;

use twill_types::Value;

use super::{Cx, Node, Row, collect, group_key, open as open_plan};
use crate::mvcc::Key;
use crate::sql::error::SqlError;
use crate::sql::expr::Expr;
use crate::sql::plan::{JoinKind, Plan};

pub(crate) fn open(plan: &Plan) -> Box<dyn Node> {
    let Plan::Join {
        kind,
        left,
        right,
        left_width,
        right_width,
        hash_keys,
        condition,
        lateral,
    } = plan
    else {
        unreachable!("join::open on a join plan");
    };
    Box::new(JoinNode {
        kind: *kind,
        left: open_plan(left),
        right_plan: (**right).clone(),
        left_width: *left_width,
        right_width: *right_width,
        left_keys: hash_keys.iter().map(|(l, _)| l.clone()).collect(),
        right_keys: hash_keys.iter().map(|(_, r)| r.clone()).collect(),
        condition: condition.clone(),
        lateral: *lateral,
        built: None,
        pending: Vec::new(),
        finishing: None,
    })
}

/// The gathered right side.
struct Built {
    rows: Vec<Row>,
    /// Hash table from key to row positions (hash joins only).
    table: Option<HashMap<Key, Vec<usize>>>,
    matched: Vec<bool>,
}

struct JoinNode {
    kind: JoinKind,
    left: Box<dyn Node>,
    right_plan: Plan,
    left_width: usize,
    right_width: usize,
    left_keys: Vec<Expr>,
    right_keys: Vec<Expr>,
    condition: Option<Expr>,
    lateral: bool,
    built: Option<Built>,
    /// Output rows for the current left row, in reverse.
    pending: Vec<Row>,
    /// Unmatched right rows still to emit (RIGHT/FULL), in reverse.
    finishing: Option<Vec<Row>>,
}

impl JoinNode {
    fn build(&self, cx: &Cx<'_, '_>) -> Result<Built, SqlError> {
        let rows = collect(open_plan(&self.right_plan).as_mut(), cx)?;
        let table = if self.right_keys.is_empty() {
            None
        } else {
            let mut table: HashMap<Key, Vec<usize>> = HashMap::new();
            for (i, r) in rows.iter().enumerate() {
                let vals = self
                    .right_keys
                    .iter()
                    .map(|k| cx.eval(k, r))
                    .collect::<Result<Row, _>>()?;
                if vals.iter().any(Value::is_null) {
                    continue;
                }
                table.entry(group_key(&vals)).or_default().push(i);
            }
            Some(table)
        };
        let matched = vec![false; rows.len()];
        Ok(Built {
            rows,
            table,
            matched,
        })
    }

    /// Joins one left row against the built right side.
    fn probe(&mut self, cx: &Cx<'_, '_>, left: &Row) -> Result<(), SqlError> {
        let built = self.built.as_mut().expect("built");
        let candidates: Box<dyn Iterator<Item = usize>> = match &built.table {
            Some(table) => {
                let vals = self
                    .left_keys
                    .iter()
                    .map(|k| cx.eval(k, left))
                    .collect::<Result<Row, _>>()?;
                if vals.iter().any(Value::is_null) {
                    Box::new(std::iter::empty())
                } else {
                    match table.get(&group_key(&vals)) {
                        Some(v) => Box::new(v.clone().into_iter()),
                        None => Box::new(std::iter::empty()),
                    }
                }
            }
            None => Box::new(0..built.rows.len()),
        };
        let mut any = false;
        let mut out = Vec::new();
        for i in candidates {
            let mut joined = Vec::with_capacity(self.left_width + self.right_width);
            joined.extend_from_slice(left);
            joined.extend_from_slice(&built.rows[i]);
            if let Some(c) = &self.condition
                && !matches!(c.eval(cx.eval, &joined)?, Value::Bool(true))
            {
                continue;
            }
            any = true;
            built.matched[i] = true;
            out.push(joined);
        }
        match self.kind {
            JoinKind::Left | JoinKind::Full if !any => {
                let mut padded = left.clone();
                padded.extend(std::iter::repeat_n(Value::Null, self.right_width));
                out.push(padded);
            }
            _ => {}
        }
        out.reverse();
        self.pending = out;
        Ok(())
    }
}

impl Node for JoinNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        loop {
            if let Some(r) = self.pending.pop() {
                return Ok(Some(r));
            }
            if let Some(rest) = &mut self.finishing {
                return Ok(rest.pop());
            }
            if !self.lateral && self.built.is_none() {
                let built = self.build(cx)?;
                let empty = built.rows.is_empty();
                self.built = Some(built);
                if empty && matches!(self.kind, JoinKind::Inner | JoinKind::Right) {
                    self.finishing = Some(Vec::new());
                    continue;
                }
            }
            match self.left.next(cx)? {
                Some(left) => {
                    if self.lateral {
                        cx.exec.outer.borrow_mut().push(left.clone());
                        let built = self.build(cx);
                        cx.exec.outer.borrow_mut().pop();
                        self.built = Some(built?);
                    }
                    self.probe(cx, &left)?;
                }
                None => {
                    let mut rest = Vec::new();
                    if matches!(self.kind, JoinKind::Right | JoinKind::Full)
                        && let Some(built) = &self.built
                    {
                        for (i, r) in built.rows.iter().enumerate() {
                            if !built.matched[i] {
                                let mut padded: Row =
                                    std::iter::repeat_n(Value::Null, self.left_width).collect();
                                padded.extend_from_slice(r);
                                rest.push(padded);
                            }
                        }
                    }
                    rest.reverse();
                    self.finishing = Some(rest);
                }
            }
        }
    }
}
