//! Execution: running a [`Plan`] as a tree of pull-based nodes.
//!
//! Each plan node becomes a [`Node`] whose `next` returns one row at a
//! time, so a scan streams from storage to the client without the result
//! ever being held whole — a portal can stop after `max_rows` and resume
//! later, because nodes own their state and borrow nothing between calls.
//! What a call needs (the transaction, the parameters, the outer rows of
//! correlated subqueries) comes in a [`Cx`] built per call.
//!
//! Sorting, grouping, hash joins and window functions must see all their
//! input first; those nodes gather it on their first `next`.
//!
//! ```text
//! mod.rs      Exec (PlannerValues), Cx, Node, open()
//! nodes.rs    scans, filters, projections, limits, set operations, CTEs
//! join.rs     hash and nested-loop joins, lateral
//! agg.rs      aggregation and the aggregate accumulators
//! window.rs   window functions
//! srf.rs      set-returning functions
//! ```

mod agg;
mod join;
mod nodes;
mod srf;
mod window;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use twill_types::{FormatSettings, Value};

use crate::mvcc::{Key, Transaction};
use crate::sql::error::SqlError;
use crate::sql::expr::{EvalContext, Expr, PlannerValues};
use crate::sql::plan::{Plan, SortKey, SubPlan};

/// A row in flight.
pub(crate) type Row = Vec<Value>;

/// What session state functions reach (`nextval`, `current_setting`, …).
pub(crate) trait SessionHooks {
    /// Calls a session-state function by name.
    fn call(&self, txn: &mut Transaction, name: &str, args: &[Value]) -> Result<Value, SqlError>;
}

/// Per-call execution state: the transaction and what expressions ask of
/// the planner.
pub(crate) struct Exec<'a> {
    pub txn: RefCell<&'a mut Transaction>,
    pub subplans: &'a [SubPlan],
    pub settings: &'a FormatSettings,
    pub params: &'a [Value],
    pub transaction_timestamp: i64,
    pub statement_timestamp: i64,
    pub hooks: &'a dyn SessionHooks,
    /// Rows of enclosing queries, innermost last (correlated subqueries,
    /// lateral joins).
    pub outer: RefCell<Vec<Row>>,
    /// Results of uncorrelated subqueries and WITH queries.
    pub cache: RefCell<HashMap<usize, Arc<Vec<Row>>>>,
    /// The current iteration of recursive WITH queries.
    pub work: RefCell<HashMap<usize, Arc<Vec<Row>>>>,
}

/// What a node's `next` gets.
pub(crate) struct Cx<'c, 'a> {
    pub exec: &'c Exec<'a>,
    pub eval: &'c EvalContext<'c>,
}

impl Cx<'_, '_> {
    /// Evaluates an expression over a row.
    pub(crate) fn eval(&self, x: &Expr, row: &[Value]) -> Result<Value, SqlError> {
        x.eval(self.eval, row)
    }

    /// Evaluates a condition: true only for TRUE (NULL and FALSE reject).
    pub(crate) fn test(&self, x: &Expr, row: &[Value]) -> Result<bool, SqlError> {
        Ok(matches!(x.eval(self.eval, row)?, Value::Bool(true)))
    }

    /// Checks for cancellation and timeouts.
    pub(crate) fn check_interrupts(&self) -> Result<(), SqlError> {
        self.exec
            .txn
            .borrow_mut()
            .check_interrupts()
            .map_err(SqlError::from)
    }
}

/// A running plan node.
pub(crate) trait Node: Send {
    /// The next row, or `None` when done.
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError>;
}

/// Drains a node.
pub(crate) fn collect(node: &mut dyn Node, cx: &Cx<'_, '_>) -> Result<Vec<Row>, SqlError> {
    let mut rows = Vec::new();
    let mut n = 0u32;
    while let Some(r) = node.next(cx)? {
        rows.push(r);
        n = n.wrapping_add(1);
        if n.is_multiple_of(4096) {
            cx.check_interrupts()?;
        }
    }
    Ok(rows)
}

impl Exec<'_> {
    /// An evaluation context whose planner hooks are this execution.
    pub(crate) fn eval_context(&self) -> EvalContext<'_> {
        EvalContext {
            settings: self.settings.clone(),
            params: self.params.to_vec(),
            transaction_timestamp: self.transaction_timestamp,
            statement_timestamp: self.statement_timestamp,
            planner: Some(self),
        }
    }

    /// Runs a plan to completion.
    pub(crate) fn run_all(&self, plan: &Plan) -> Result<Vec<Row>, SqlError> {
        let eval = self.eval_context();
        let cx = Cx {
            exec: self,
            eval: &eval,
        };
        let mut node = open(plan);
        collect(node.as_mut(), &cx)
    }

    /// The rows of subplan `id` (cached unless correlated).
    pub(crate) fn subplan_rows(&self, id: usize) -> Result<Arc<Vec<Row>>, SqlError> {
        let sub = self
            .subplans
            .get(id)
            .ok_or_else(|| SqlError::internal("no such subplan"))?;
        if !sub.correlated
            && let Some(rows) = self.cache.borrow().get(&id)
        {
            return Ok(rows.clone());
        }
        let rows = Arc::new(self.run_all(&sub.plan)?);
        if !sub.correlated {
            self.cache.borrow_mut().insert(id, rows.clone());
        }
        Ok(rows)
    }
}

impl PlannerValues for Exec<'_> {
    fn subquery_rows(&self, id: usize, row: &[Value]) -> Result<Vec<Vec<Value>>, SqlError> {
        let correlated = self.subplans.get(id).is_some_and(|s| s.correlated);
        if correlated {
            self.outer.borrow_mut().push(row.to_vec());
        }
        let result = run_subplan(self, id);
        if correlated {
            self.outer.borrow_mut().pop();
        }
        result
    }

    fn outer_column(&self, level: usize, index: usize) -> Result<Value, SqlError> {
        let outer = self.outer.borrow();
        let row = outer
            .len()
            .checked_sub(level)
            .and_then(|i| outer.get(i))
            .ok_or_else(|| SqlError::internal("outer row missing"))?;
        row.get(index)
            .cloned()
            .ok_or_else(|| SqlError::internal("outer column missing"))
    }

    fn session_call(&self, name: &str, args: &[Value]) -> Result<Value, SqlError> {
        let mut txn = self.txn.try_borrow_mut().map_err(|_| {
            SqlError::internal("session function called during a storage operation")
        })?;
        // Catalog functions (`pg_get_indexdef`…) and system names in
        // `'pg_class'::regclass` are answered from the catalog.
        if let Some(result) = crate::sql::system::call(&mut txn, self.hooks, name, args) {
            return result;
        }
        self.hooks.call(&mut txn, name, args)
    }
}

fn run_subplan(exec: &Exec<'_>, id: usize) -> Result<Vec<Vec<Value>>, SqlError> {
    let sub = exec
        .subplans
        .get(id)
        .ok_or_else(|| SqlError::internal("no such subplan"))?;
    if !sub.correlated
        && let Some(rows) = exec.cache.borrow().get(&id)
    {
        return Ok(rows.as_ref().clone());
    }
    let eval = EvalContext {
        settings: exec.settings.clone(),
        params: exec.params.to_vec(),
        transaction_timestamp: exec.transaction_timestamp,
        statement_timestamp: exec.statement_timestamp,
        planner: Some(exec),
    };
    let cx = Cx { exec, eval: &eval };
    let mut node = open(&sub.plan);
    let rows = collect(node.as_mut(), &cx)?;
    if !sub.correlated {
        exec.cache.borrow_mut().insert(id, Arc::new(rows.clone()));
    }
    Ok(rows)
}

/// Instantiates a plan as running nodes.
pub(crate) fn open(plan: &Plan) -> Box<dyn Node> {
    nodes::open(plan)
}

/// Compares two rows by sort keys evaluated over them.
pub(crate) fn compare_keys(
    settings: &FormatSettings,
    keys: &[SortKey],
    a: &[Value],
    b: &[Value],
) -> Ordering {
    for (i, k) in keys.iter().enumerate() {
        let (x, y) = (&a[i], &b[i]);
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = crate::sql::expr::ops::compare_values(settings, x, y)
                    .unwrap_or(Ordering::Equal);
                if k.descending { o.reverse() } else { o }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// A hashable key for grouping, DISTINCT and hash joins: equal values
/// (numerically equal numerics included) give equal keys.
pub(crate) fn group_key(values: &[Value]) -> Key {
    if values.iter().any(|v| matches!(v, Value::Numeric(_))) {
        let canon: Vec<Value> = values.iter().map(canonical).collect();
        return Key::encode(&canon);
    }
    Key::encode(values)
}

fn canonical(v: &Value) -> Value {
    match v {
        Value::Numeric(n) if !n.is_nan() && !n.is_infinite() => {
            let mut scale = 0;
            while scale < n.dscale() && n.round(scale) != *n {
                scale += 1;
            }
            Value::Numeric(n.round(scale))
        }
        other => other.clone(),
    }
}
