//! The streaming nodes: scans, filters, projections, sorts, limits,
//! DISTINCT, set operations and WITH queries.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use twill_types::{SqlState, Value};

use super::{Cx, Node, Row, collect, compare_keys, group_key};
use crate::mvcc::{self, Key, LockOutcome};
use crate::sql::error::SqlError;
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, Plan, ScanPlan, SetOpKind, SortKey};

/// Instantiates a plan.
pub(crate) fn open(plan: &Plan) -> Box<dyn Node> {
    match plan {
        Plan::OneRow => Box::new(Rows::new(vec![Vec::new()])),
        Plan::Empty => Box::new(Rows::new(Vec::new())),
        Plan::Values { rows } => Box::new(ValuesNode {
            rows: rows.clone(),
            next: 0,
        }),
        Plan::Scan(scan) => Box::new(ScanNode::new(scan)),
        Plan::Function {
            func,
            args,
            ordinality,
        } => Box::new(super::srf::FunctionNode::new(
            func.clone(),
            args.clone(),
            *ordinality,
        )),
        Plan::Filter { input, predicate } => Box::new(FilterNode {
            input: open(input),
            predicate: predicate.clone(),
        }),
        Plan::Project { input, exprs } => Box::new(ProjectNode {
            input: open(input),
            exprs: exprs.clone(),
        }),
        Plan::ProjectSet { input, items } => {
            Box::new(super::srf::ProjectSetNode::new(open(input), items.clone()))
        }
        Plan::Join { .. } => super::join::open(plan),
        Plan::Aggregate {
            input,
            group,
            aggs,
            sets,
        } => {
            let source = match input.as_ref() {
                Plan::Scan(scan) if ScanNode::new(scan).plain() => {
                    super::agg::AggInput::Scan(Box::new(ScanNode::new(scan)))
                }
                other => super::agg::AggInput::Node(open(other)),
            };
            Box::new(super::agg::AggregateNode::new(
                source,
                group.clone(),
                aggs.clone(),
                sets.clone(),
            ))
        }
        Plan::Window { input, calls } => {
            Box::new(super::window::WindowNode::new(open(input), calls.clone()))
        }
        Plan::Sort { input, keys } => Box::new(SortNode {
            input: open(input),
            keys: keys.clone(),
            sorted: None,
        }),
        Plan::Limit {
            input,
            limit,
            offset,
        } => Box::new(LimitNode {
            input: open(input),
            limit: limit.clone(),
            offset: offset.clone(),
            state: None,
        }),
        Plan::Distinct { input, on } => Box::new(DistinctNode {
            input: open(input),
            on: on.clone(),
            seen: HashSet::new(),
            last: None,
        }),
        Plan::SetOp {
            kind,
            all,
            left,
            right,
        } => Box::new(SetOpNode {
            kind: *kind,
            all: *all,
            left: open(left),
            right: Some(open(right)),
            counts: HashMap::new(),
            seen: HashSet::new(),
            right_done: false,
            pending: VecDeque::new(),
        }),
        Plan::CteScan { id } => Box::new(CteNode {
            id: *id,
            work: false,
            rows: None,
            next: 0,
        }),
        Plan::WorkTable { id } => Box::new(CteNode {
            id: *id,
            work: true,
            rows: None,
            next: 0,
        }),
        Plan::Recursive {
            id,
            base,
            step,
            all,
        } => Box::new(RecursiveNode {
            id: *id,
            base: (**base).clone(),
            step: (**step).clone(),
            all: *all,
            rows: None,
        }),
        Plan::System { table, relation } => Box::new(crate::sql::system::SystemNode::new(
            *table,
            relation.clone(),
        )),
    }
}

/// Rows known up front.
pub(crate) struct Rows {
    rows: std::vec::IntoIter<Row>,
}

impl Rows {
    pub(crate) fn new(rows: Vec<Row>) -> Rows {
        Rows {
            rows: rows.into_iter(),
        }
    }
}

impl Node for Rows {
    fn next(&mut self, _: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        Ok(self.rows.next())
    }
}

struct ValuesNode {
    rows: Vec<Vec<Expr>>,
    next: usize,
}

impl Node for ValuesNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        let Some(row) = self.rows.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        row.iter()
            .map(|x| cx.eval(x, &[]))
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

enum ScanState {
    Buffered(VecDeque<(Key, mvcc::Row)>),
    Streaming(mvcc::Scan),
}

pub(crate) struct ScanNode {
    plan: ScanPlan,
    state: Option<ScanState>,
}

fn key_of(cx: &Cx<'_, '_>, values: &[Expr]) -> Result<Option<Key>, SqlError> {
    let mut vals = Vec::with_capacity(values.len());
    for v in values {
        let x = cx.eval(v, &[])?;
        if x.is_null() {
            return Ok(None);
        }
        vals.push(x);
    }
    Ok(Some(Key::encode(&vals)))
}

fn bound(cx: &Cx<'_, '_>, b: &Option<(Expr, bool)>) -> Result<Option<Bound<Key>>, SqlError> {
    Ok(match b {
        None => Some(Bound::Unbounded),
        Some((x, inclusive)) => {
            let v = cx.eval(x, &[])?;
            if v.is_null() {
                return Ok(None);
            }
            let k = Key::encode(&[v]);
            Some(if *inclusive {
                Bound::Included(k)
            } else {
                Bound::Excluded(k)
            })
        }
    })
}

impl ScanNode {
    fn start(&mut self, cx: &Cx<'_, '_>) -> Result<ScanState, SqlError> {
        let table = self.plan.table;
        let mut txn = cx.exec.txn.borrow_mut();
        let state = match &self.plan.access {
            Access::Full if self.plan.lock.is_none() && !self.plan.with_key => {
                ScanState::Streaming(txn.scan(table, ..)?.without_keys())
            }
            Access::Full => ScanState::Streaming(txn.scan(table, ..)?),
            Access::KeyEq(values) => {
                let Some(key) = key_of(cx, values)? else {
                    return Ok(ScanState::Buffered(VecDeque::new()));
                };
                let pk_len = self.plan.def.primary_key.as_ref().map_or(0, Vec::len);
                if values.len() == pk_len {
                    let row = txn.get(table, &key)?;
                    ScanState::Buffered(row.map(|r| (key, r)).into_iter().collect())
                } else {
                    ScanState::Streaming(txn.scan(table, key.clone()..=key)?)
                }
            }
            Access::KeyRange { lower, upper } => {
                let (Some(lo), Some(hi)) = (bound(cx, lower)?, bound(cx, upper)?) else {
                    return Ok(ScanState::Buffered(VecDeque::new()));
                };
                ScanState::Streaming(txn.scan(table, (lo, hi))?)
            }
            Access::IndexEq { index, values } => {
                let Some(key) = key_of(cx, values)? else {
                    return Ok(ScanState::Buffered(VecDeque::new()));
                };
                ScanState::Streaming(txn.index_scan(table, *index, key.clone()..=key)?)
            }
            Access::IndexRange {
                index,
                lower,
                upper,
            } => {
                let (Some(lo), Some(hi)) = (bound(cx, lower)?, bound(cx, upper)?) else {
                    return Ok(ScanState::Buffered(VecDeque::new()));
                };
                ScanState::Streaming(txn.index_scan(table, *index, (lo, hi))?)
            }
        };
        drop(txn);
        if self.plan.reverse {
            let mut all: VecDeque<(Key, mvcc::Row)> = match state {
                ScanState::Buffered(b) => b,
                ScanState::Streaming(s) => s.collect::<Result<_, _>>()?,
            };
            all.make_contiguous().reverse();
            return Ok(ScanState::Buffered(all));
        }
        Ok(state)
    }
}

impl ScanNode {
    pub(crate) fn new(plan: &ScanPlan) -> ScanNode {
        ScanNode {
            plan: plan.clone(),
            state: None,
        }
    }

    /// Whether rows need nothing beyond the stored image (no lock, no key
    /// column), so a consumer may read them in place.
    pub(crate) fn plain(&self) -> bool {
        self.plan.lock.is_none() && !self.plan.with_key
    }

    /// The next visible row passing the filter, as stored: no copy. The
    /// filter reads the shared row, so rows it rejects are never copied.
    pub(crate) fn next_shared(
        &mut self,
        cx: &Cx<'_, '_>,
    ) -> Result<Option<(Key, mvcc::Row)>, SqlError> {
        if self.state.is_none() {
            self.state = Some(self.start(cx)?);
        }
        loop {
            let item = match self.state.as_mut().expect("started") {
                ScanState::Buffered(b) => b.pop_front(),
                ScanState::Streaming(s) => s.next().transpose()?,
            };
            let Some((key, row)) = item else {
                return Ok(None);
            };
            if let Some(f) = &self.plan.filter
                && !cx.test(f, &row)?
            {
                continue;
            }
            return Ok(Some((key, row)));
        }
    }
}

impl Node for ScanNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        loop {
            let Some((key, row)) = self.next_shared(cx)? else {
                return Ok(None);
            };
            let mut values: Row = row.to_vec();
            if let Some(lock) = self.plan.lock {
                let outcome = cx.exec.txn.borrow_mut().lock_row(
                    self.plan.table,
                    &key,
                    lock.mode,
                    lock.policy,
                )?;
                match outcome {
                    LockOutcome::Locked(_) => {}
                    LockOutcome::Updated(newer) => {
                        // EvalPlanQual: re-check the newest version.
                        values = newer.to_vec();
                        if let Some(f) = &self.plan.filter
                            && !cx.test(f, &values)?
                        {
                            continue;
                        }
                    }
                    LockOutcome::Gone | LockOutcome::Skipped => continue,
                }
            }
            if self.plan.with_key {
                values.push(Value::Bytea(key.as_bytes().to_vec()));
            }
            return Ok(Some(values));
        }
    }
}

struct FilterNode {
    input: Box<dyn Node>,
    predicate: Expr,
}

impl Node for FilterNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        while let Some(row) = self.input.next(cx)? {
            if cx.test(&self.predicate, &row)? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

struct ProjectNode {
    input: Box<dyn Node>,
    exprs: Vec<Expr>,
}

impl Node for ProjectNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        let Some(row) = self.input.next(cx)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.exprs.len());
        for x in &self.exprs {
            out.push(match x {
                Expr::Column { index, .. } => row[*index].clone(),
                x => cx.eval(x, &row)?,
            });
        }
        Ok(Some(out))
    }
}

struct SortNode {
    input: Box<dyn Node>,
    keys: Vec<SortKey>,
    sorted: Option<std::vec::IntoIter<Row>>,
}

/// Sorts rows by keys (stable, so equal keys keep input order).
pub(crate) fn sort_rows(
    cx: &Cx<'_, '_>,
    rows: Vec<Row>,
    keys: &[SortKey],
) -> Result<Vec<Row>, SqlError> {
    let mut keyed: Vec<(Row, Row)> = Vec::with_capacity(rows.len());
    for r in rows {
        let k = keys
            .iter()
            .map(|k| cx.eval(&k.expr, &r))
            .collect::<Result<Row, _>>()?;
        keyed.push((k, r));
    }
    let settings = cx.exec.settings;
    keyed.sort_by(|a, b| compare_keys(settings, keys, &a.0, &b.0));
    Ok(keyed.into_iter().map(|(_, r)| r).collect())
}

impl Node for SortNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.sorted.is_none() {
            let rows = collect(self.input.as_mut(), cx)?;
            self.sorted = Some(sort_rows(cx, rows, &self.keys)?.into_iter());
        }
        Ok(self.sorted.as_mut().and_then(Iterator::next))
    }
}

struct LimitNode {
    input: Box<dyn Node>,
    limit: Option<Expr>,
    offset: Option<Expr>,
    /// (rows still allowed, rows still to skip).
    state: Option<(Option<u64>, u64)>,
}

fn count(cx: &Cx<'_, '_>, x: &Option<Expr>, offset: bool) -> Result<Option<u64>, SqlError> {
    let Some(x) = x else { return Ok(None) };
    match cx.eval(x, &[])? {
        Value::Null => Ok(None),
        v => {
            let n = match v {
                Value::Int8(n) => n,
                Value::Int4(n) => n as i64,
                Value::Int2(n) => n as i64,
                _ => 0,
            };
            if n < 0 {
                return Err(if offset {
                    SqlError::new(
                        SqlState::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
                        "OFFSET must not be negative",
                    )
                } else {
                    SqlError::new(
                        SqlState::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
                        "LIMIT must not be negative",
                    )
                });
            }
            Ok(Some(n as u64))
        }
    }
}

impl Node for LimitNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.state.is_none() {
            let limit = count(cx, &self.limit, false)?;
            let offset = count(cx, &self.offset, true)?.unwrap_or(0);
            self.state = Some((limit, offset));
        }
        let (limit, skip) = self.state.as_mut().expect("set");
        if *limit == Some(0) {
            return Ok(None);
        }
        while *skip > 0 {
            if self.input.next(cx)?.is_none() {
                return Ok(None);
            }
            *skip -= 1;
        }
        let row = self.input.next(cx)?;
        if row.is_some()
            && let Some(l) = limit
        {
            *l -= 1;
        }
        Ok(row)
    }
}

struct DistinctNode {
    input: Box<dyn Node>,
    on: Option<Vec<Expr>>,
    seen: HashSet<Key>,
    last: Option<Key>,
}

impl Node for DistinctNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        while let Some(row) = self.input.next(cx)? {
            match &self.on {
                None => {
                    if self.seen.insert(group_key(&row)) {
                        return Ok(Some(row));
                    }
                }
                Some(on) => {
                    let vals = on
                        .iter()
                        .map(|x| cx.eval(x, &row))
                        .collect::<Result<Row, _>>()?;
                    let k = group_key(&vals);
                    if self.last.as_ref() != Some(&k) {
                        self.last = Some(k);
                        return Ok(Some(row));
                    }
                }
            }
        }
        Ok(None)
    }
}

struct SetOpNode {
    kind: SetOpKind,
    all: bool,
    left: Box<dyn Node>,
    right: Option<Box<dyn Node>>,
    /// Right-side row counts (INTERSECT/EXCEPT).
    counts: HashMap<Key, usize>,
    seen: HashSet<Key>,
    right_done: bool,
    pending: VecDeque<Row>,
}

impl Node for SetOpNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.kind == SetOpKind::Union {
            // Left rows, then right rows; without ALL each distinct row once.
            loop {
                let row = if !self.right_done {
                    match self.left.next(cx)? {
                        Some(r) => Some(r),
                        None => {
                            self.right_done = true;
                            continue;
                        }
                    }
                } else {
                    match &mut self.right {
                        Some(r) => r.next(cx)?,
                        None => None,
                    }
                };
                let Some(row) = row else { return Ok(None) };
                if self.all || self.seen.insert(group_key(&row)) {
                    return Ok(Some(row));
                }
            }
        }
        if let Some(mut right) = self.right.take() {
            for r in collect(right.as_mut(), cx)? {
                *self.counts.entry(group_key(&r)).or_default() += 1;
            }
        }
        while let Some(row) = self.left.next(cx)? {
            let k = group_key(&row);
            let in_right = self.counts.get(&k).copied().unwrap_or(0);
            let emit = match (self.kind, self.all) {
                (SetOpKind::Intersect, true) => {
                    if in_right > 0 {
                        *self.counts.get_mut(&k).expect("present") -= 1;
                        true
                    } else {
                        false
                    }
                }
                (SetOpKind::Intersect, false) => in_right > 0 && self.seen.insert(k),
                (SetOpKind::Except, true) => {
                    if in_right > 0 {
                        *self.counts.get_mut(&k).expect("present") -= 1;
                        false
                    } else {
                        true
                    }
                }
                (SetOpKind::Except, false) => in_right == 0 && self.seen.insert(k),
                (SetOpKind::Union, _) => unreachable!("handled above"),
            };
            if emit {
                return Ok(Some(row));
            }
        }
        Ok(self.pending.pop_front())
    }
}

struct CteNode {
    id: usize,
    work: bool,
    rows: Option<Arc<Vec<Row>>>,
    next: usize,
}

impl Node for CteNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.rows.is_none() {
            self.rows = Some(if self.work {
                cx.exec
                    .work
                    .borrow()
                    .get(&self.id)
                    .cloned()
                    .unwrap_or_default()
            } else {
                cx.exec.subplan_rows(self.id)?
            });
        }
        let rows = self.rows.as_ref().expect("set");
        let row = rows.get(self.next).cloned();
        self.next += 1;
        Ok(row)
    }
}

struct RecursiveNode {
    id: usize,
    base: Plan,
    step: Plan,
    all: bool,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl Node for RecursiveNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.rows.is_none() {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            let mut frontier = Vec::new();
            for r in collect(open(&self.base).as_mut(), cx)? {
                if self.all || seen.insert(group_key(&r)) {
                    frontier.push(r.clone());
                    out.push(r);
                }
            }
            while !frontier.is_empty() {
                cx.check_interrupts()?;
                cx.exec
                    .work
                    .borrow_mut()
                    .insert(self.id, Arc::new(std::mem::take(&mut frontier)));
                for r in collect(open(&self.step).as_mut(), cx)? {
                    if self.all || seen.insert(group_key(&r)) {
                        frontier.push(r.clone());
                        out.push(r);
                    }
                }
            }
            cx.exec.work.borrow_mut().remove(&self.id);
            self.rows = Some(out.into_iter());
        }
        Ok(self.rows.as_mut().and_then(Iterator::next))
    }
}
