//! Aggregation: hash grouping and the aggregate accumulators.
//!
//! Groups are found by a hash of their key values and reported in the order
//! they were first seen. Each aggregate call keeps one accumulator per
//! group; a call with DISTINCT or an ORDER BY of its own first gathers its
//! argument rows and feeds them, sorted and de-duplicated, at the end.
//! Sums follow PostgreSQL's result types: integer sums are exact (int8 for
//! int2/int4 input, numeric for int8), `avg` of integers is numeric.

use std::collections::{HashMap, HashSet};

use twill_types::{Array, Interval, Numeric, SqlState, Value, oid};

use super::{Cx, Node, Row, compare_keys, group_key};
use crate::mvcc::Key;
use crate::sql::error::SqlError;
use crate::sql::expr::Expr;
use crate::sql::plan::{AggCall, AggFunc};

/// One aggregate's running state.
#[derive(Debug, Clone)]
pub(crate) enum Acc {
    Count(i64),
    IntSum {
        sum: i128,
        any: bool,
    },
    NumSum {
        sum: Numeric,
        count: i64,
    },
    FloatSum {
        sum: f64,
        count: i64,
    },
    IntervalSum {
        sum: Interval,
        count: i64,
    },
    Extreme(Option<Value>),
    Bool(Option<bool>),
    Text(Option<Vec<u8>>),
    Array(Vec<Value>),
    Json(Option<String>),
    Bits(Option<i64>),
    Moments {
        n: i64,
        sum: Numeric,
        sum_sq: Numeric,
        fsum: f64,
        fsum_sq: f64,
    },
}

fn out_of_range(what: &str) -> SqlError {
    SqlError::new(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("{what} out of range"),
    )
}

fn as_numeric(v: &Value) -> Numeric {
    match v {
        Value::Int2(n) => Numeric::from(*n as i64),
        Value::Int4(n) => Numeric::from(*n as i64),
        Value::Int8(n) => Numeric::from(*n),
        Value::Numeric(n) => n.clone(),
        Value::Float4(f) => Numeric::from_f64(*f as f64),
        Value::Float8(f) => Numeric::from_f64(*f),
        _ => Numeric::zero(),
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int2(n) => *n as f64,
        Value::Int4(n) => *n as f64,
        Value::Int8(n) => *n as f64,
        Value::Float4(f) => *f as f64,
        Value::Float8(f) => *f,
        Value::Numeric(n) => n.to_f64(),
        _ => 0.0,
    }
}

impl Acc {
    pub(crate) fn new(call: &AggCall) -> Acc {
        let arg_ty = call.args.first().map_or(oid::UNKNOWN, Expr::ty);
        match call.func {
            AggFunc::CountStar | AggFunc::Count | AggFunc::Grouping => Acc::Count(0),
            AggFunc::Sum | AggFunc::Avg => match arg_ty {
                oid::INT2 | oid::INT4 | oid::INT8
                    if call.func == AggFunc::Sum && arg_ty != oid::INT8 =>
                {
                    Acc::IntSum { sum: 0, any: false }
                }
                oid::FLOAT4 | oid::FLOAT8 => Acc::FloatSum { sum: 0.0, count: 0 },
                oid::INTERVAL => Acc::IntervalSum {
                    sum: Interval {
                        months: 0,
                        days: 0,
                        micros: 0,
                    },
                    count: 0,
                },
                _ => Acc::NumSum {
                    sum: Numeric::zero(),
                    count: 0,
                },
            },
            AggFunc::Min | AggFunc::Max => Acc::Extreme(None),
            AggFunc::BoolAnd | AggFunc::BoolOr => Acc::Bool(None),
            AggFunc::StringAgg => Acc::Text(None),
            AggFunc::ArrayAgg => Acc::Array(Vec::new()),
            AggFunc::JsonAgg { .. } | AggFunc::JsonObjectAgg { .. } => Acc::Json(None),
            AggFunc::BitAnd | AggFunc::BitOr => Acc::Bits(None),
            AggFunc::Variance { .. } => Acc::Moments {
                n: 0,
                sum: Numeric::zero(),
                sum_sq: Numeric::zero(),
                fsum: 0.0,
                fsum_sq: 0.0,
            },
        }
    }

    /// Feeds one row's argument values.
    pub(crate) fn add(
        &mut self,
        cx: &Cx<'_, '_>,
        call: &AggCall,
        args: &[Value],
    ) -> Result<(), SqlError> {
        let first = args.first().unwrap_or(&Value::Null);
        // Every aggregate but count(*), array_agg and json_agg skips NULL input.
        let keeps_nulls = matches!(
            call.func,
            AggFunc::CountStar
                | AggFunc::ArrayAgg
                | AggFunc::JsonAgg { .. }
                | AggFunc::JsonObjectAgg { .. }
        );
        if !keeps_nulls && first.is_null() {
            return Ok(());
        }
        match self {
            Acc::Count(n) => *n += 1,
            Acc::IntSum { sum, any } => {
                *sum += match first {
                    Value::Int2(n) => *n as i128,
                    Value::Int4(n) => *n as i128,
                    Value::Int8(n) => *n as i128,
                    other => as_numeric(other).to_i64().unwrap_or(0) as i128,
                };
                *any = true;
            }
            Acc::NumSum { sum, count } => {
                *sum = sum.add(&as_numeric(first))?;
                *count += 1;
            }
            Acc::FloatSum { sum, count } => {
                *sum += as_f64(first);
                *count += 1;
            }
            Acc::IntervalSum { sum, count } => {
                if let Value::Interval(iv) = first {
                    sum.months = sum
                        .months
                        .checked_add(iv.months)
                        .ok_or_else(|| out_of_range("interval"))?;
                    sum.days = sum
                        .days
                        .checked_add(iv.days)
                        .ok_or_else(|| out_of_range("interval"))?;
                    sum.micros = sum
                        .micros
                        .checked_add(iv.micros)
                        .ok_or_else(|| out_of_range("interval"))?;
                }
                *count += 1;
            }
            Acc::Extreme(cur) => {
                let replace = match cur {
                    None => true,
                    Some(c) => {
                        let ord =
                            crate::sql::expr::ops::compare_values(cx.exec.settings, first, c)?;
                        if call.func == AggFunc::Min {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        }
                    }
                };
                if replace {
                    *cur = Some(first.clone());
                }
            }
            Acc::Bool(cur) => {
                let b = matches!(first, Value::Bool(true));
                *cur = Some(match (call.func, *cur) {
                    (AggFunc::BoolAnd, Some(c)) => c && b,
                    (AggFunc::BoolOr, Some(c)) => c || b,
                    _ => b,
                });
            }
            Acc::Text(cur) => {
                let bytes = |v: &Value| match v {
                    Value::Text(s) => s.as_bytes().to_vec(),
                    Value::Bytea(b) => b.clone(),
                    Value::Null => Vec::new(),
                    other => other.to_text(cx.exec.settings).into_bytes(),
                };
                match cur {
                    None => *cur = Some(bytes(first)),
                    Some(buf) => {
                        buf.extend(bytes(args.get(1).unwrap_or(&Value::Null)));
                        buf.extend(bytes(first));
                    }
                }
            }
            Acc::Array(items) => items.push(first.clone()),
            Acc::Json(cur) => {
                let fctx = crate::sql::expr::functions::FnCtx {
                    eval: cx.eval,
                    ret: call.ty,
                    arg_types: &[],
                };
                let mut piece = String::new();
                if let AggFunc::JsonObjectAgg { .. } = call.func {
                    if first.is_null() {
                        return Err(SqlError::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            "field name must not be null",
                        ));
                    }
                    twill_types::escape_json(&first.to_text(cx.exec.settings), &mut piece);
                    piece.push_str(" : ");
                    crate::sql::expr::functions::json::to_json_text(
                        &fctx,
                        args.get(1).unwrap_or(&Value::Null),
                        &mut piece,
                    );
                } else {
                    crate::sql::expr::functions::json::to_json_text(&fctx, first, &mut piece);
                }
                match cur {
                    None => *cur = Some(piece),
                    Some(buf) => {
                        buf.push_str(", ");
                        // json_agg starts rows and arrays on a new line,
                        // as PostgreSQL's json_agg_transfn does.
                        if matches!(call.func, AggFunc::JsonAgg { jsonb: false })
                            && matches!(first, Value::Record(_) | Value::Array(_))
                        {
                            buf.push_str("\n ");
                        }
                        buf.push_str(&piece);
                    }
                }
            }
            Acc::Bits(cur) => {
                let v = as_numeric(first).to_i64().unwrap_or(0);
                *cur = Some(match (call.func, *cur) {
                    (AggFunc::BitAnd, Some(c)) => c & v,
                    (AggFunc::BitOr, Some(c)) => c | v,
                    _ => v,
                });
            }
            Acc::Moments {
                n,
                sum,
                sum_sq,
                fsum,
                fsum_sq,
            } => {
                *n += 1;
                if call.ty == oid::FLOAT8 {
                    let x = as_f64(first);
                    *fsum += x;
                    *fsum_sq += x * x;
                } else {
                    let x = as_numeric(first);
                    *sum = sum.add(&x)?;
                    *sum_sq = sum_sq.add(&x.mul(&x)?)?;
                }
            }
        }
        Ok(())
    }

    /// The aggregate's result.
    pub(crate) fn finish(self, call: &AggCall) -> Result<Value, SqlError> {
        Ok(match self {
            Acc::Count(n) => Value::Int8(n),
            Acc::IntSum { sum, any } => {
                if !any {
                    Value::Null
                } else {
                    Value::Int8(i64::try_from(sum).map_err(|_| out_of_range("bigint"))?)
                }
            }
            Acc::NumSum { sum, count } => {
                if count == 0 {
                    Value::Null
                } else if call.func == AggFunc::Avg {
                    Value::Numeric(sum.div(&Numeric::from(count))?)
                } else {
                    Value::Numeric(sum)
                }
            }
            Acc::FloatSum { sum, count } => {
                if count == 0 {
                    Value::Null
                } else if call.func == AggFunc::Avg {
                    Value::Float8(sum / count as f64)
                } else if call.ty == oid::FLOAT4 {
                    Value::Float4(sum as f32)
                } else {
                    Value::Float8(sum)
                }
            }
            Acc::IntervalSum { sum, count } => {
                if count == 0 {
                    Value::Null
                } else if call.func == AggFunc::Avg {
                    Value::Interval(interval_div(sum, count as f64))
                } else {
                    Value::Interval(sum)
                }
            }
            Acc::Extreme(v) => v.unwrap_or(Value::Null),
            Acc::Bool(b) => b.map_or(Value::Null, Value::Bool),
            Acc::Text(t) => match t {
                None => Value::Null,
                Some(b) if call.ty == oid::BYTEA => Value::Bytea(b),
                Some(b) => Value::Text(String::from_utf8(b).unwrap_or_default()),
            },
            Acc::Array(items) => {
                if items.is_empty() {
                    Value::Null
                } else {
                    let elem = crate::sql::expr::coerce::elem(call.ty);
                    Value::Array(Array::new(elem, items))
                }
            }
            Acc::Json(j) => match j {
                None => Value::Null,
                Some(body) => {
                    let text = if matches!(call.func, AggFunc::JsonObjectAgg { .. }) {
                        format!("{{ {body} }}")
                    } else {
                        format!("[{body}]")
                    };
                    match call.func {
                        AggFunc::JsonAgg { jsonb: true }
                        | AggFunc::JsonObjectAgg { jsonb: true } => Value::Jsonb(
                            twill_types::normalize_jsonb(&text).map_err(SqlError::from)?,
                        ),
                        _ => Value::Json(text),
                    }
                }
            },
            Acc::Bits(b) => match (b, call.ty) {
                (None, _) => Value::Null,
                (Some(v), oid::INT2) => Value::Int2(v as i16),
                (Some(v), oid::INT4) => Value::Int4(v as i32),
                (Some(v), _) => Value::Int8(v),
            },
            Acc::Moments {
                n,
                sum,
                sum_sq,
                fsum,
                fsum_sq,
            } => {
                let AggFunc::Variance { sample, stddev } = call.func else {
                    return Err(SqlError::internal("moments for a non-variance aggregate"));
                };
                let d = if sample { n - 1 } else { n };
                if n == 0 || d <= 0 {
                    return Ok(Value::Null);
                }
                if call.ty == oid::FLOAT8 {
                    let nf = n as f64;
                    let var = ((nf * fsum_sq - fsum * fsum) / (nf * d as f64)).max(0.0);
                    Value::Float8(if stddev { var.sqrt() } else { var })
                } else {
                    let nn = Numeric::from(n);
                    let num = nn.mul(&sum_sq)?.sub(&sum.mul(&sum)?)?;
                    let var = num.div(&nn.mul(&Numeric::from(d))?)?;
                    if stddev {
                        let f = var.to_f64().max(0.0).sqrt();
                        Value::Numeric(Numeric::from_f64(f).round(var.dscale()))
                    } else {
                        Value::Numeric(var)
                    }
                }
            }
        })
    }
}

/// `interval / n`, cascading fractional months into days and days into time.
fn interval_div(iv: Interval, n: f64) -> Interval {
    let months = iv.months as f64 / n;
    let whole_months = months.trunc();
    let days = iv.days as f64 / n + (months - whole_months) * 30.0;
    let whole_days = days.trunc();
    let micros = iv.micros as f64 / n + (days - whole_days) * 86_400_000_000.0;
    Interval {
        months: whole_months as i32,
        days: whole_days as i32,
        micros: micros.round() as i64,
    }
}

/// A group's per-aggregate state: an accumulator, or gathered argument
/// rows (with their ORDER BY values) for DISTINCT/ORDER BY calls.
enum Slot {
    Acc(Acc),
    Gathered(Vec<(Row, Row)>),
}

/// Feeds a call's gathered rows in order, de-duplicated for DISTINCT.
fn drain(cx: &Cx<'_, '_>, call: &AggCall, mut rows: Vec<(Row, Row)>) -> Result<Value, SqlError> {
    if !call.order.is_empty() {
        let settings = cx.exec.settings;
        rows.sort_by(|a, b| compare_keys(settings, &call.order, &a.0, &b.0));
    }
    let mut acc = Acc::new(call);
    let mut seen: HashSet<Key> = HashSet::new();
    for (_, args) in rows {
        if call.distinct && !seen.insert(group_key(&args[..1.min(args.len())])) {
            continue;
        }
        acc.add(cx, call, &args)?;
    }
    acc.finish(call)
}

/// Where an aggregation reads its rows: any node, or a plain table scan
/// read in place (no copy per row: the common `SELECT count(*), sum(x)
/// FROM t WHERE …`).
pub(crate) enum AggInput {
    Node(Box<dyn Node>),
    Scan(Box<super::nodes::ScanNode>),
}

pub(crate) struct AggregateNode {
    input: AggInput,
    group: Vec<Expr>,
    aggs: Vec<AggCall>,
    /// GROUPING SETS: the group columns each set keeps.
    sets: Option<Vec<Vec<usize>>>,
    /// For each GROUPING() call, its arguments' positions in `group`.
    grouping_args: Vec<Vec<usize>>,
    out: Option<std::vec::IntoIter<Row>>,
}

impl AggregateNode {
    pub(crate) fn new(
        input: AggInput,
        group: Vec<Expr>,
        aggs: Vec<AggCall>,
        sets: Option<Vec<Vec<usize>>>,
    ) -> AggregateNode {
        let grouping_args = aggs
            .iter()
            .map(|a| {
                a.args
                    .iter()
                    .filter_map(|x| group.iter().position(|g| g == x))
                    .collect()
            })
            .collect();
        AggregateNode {
            input,
            group,
            aggs,
            sets,
            grouping_args,
            out: None,
        }
    }

    /// GROUPING(…) for a group of grouping set `set` (None: plain GROUP BY).
    fn grouping_mask(&self, agg: usize, set: Option<&[usize]>) -> Value {
        let args = &self.grouping_args[agg];
        let mut mask = 0i32;
        for (k, g) in args.iter().enumerate() {
            if set.is_some_and(|s| !s.contains(g)) {
                mask |= 1 << (args.len() - 1 - k);
            }
        }
        Value::Int4(mask)
    }

    fn new_slots(&self) -> Vec<Slot> {
        self.aggs
            .iter()
            .map(|a| {
                if a.distinct || !a.order.is_empty() {
                    Slot::Gathered(Vec::new())
                } else {
                    Slot::Acc(Acc::new(a))
                }
            })
            .collect()
    }

    fn run(&mut self, cx: &Cx<'_, '_>) -> Result<Vec<Row>, SqlError> {
        let mut index: HashMap<Key, usize> = HashMap::new();
        let mut groups: Vec<(Row, usize, Vec<Slot>)> = Vec::new();
        let mut n = 0u32;
        loop {
            let owned: Row;
            let shared: crate::mvcc::Row;
            let row: &[Value] = match &mut self.input {
                AggInput::Node(n) => match n.next(cx)? {
                    Some(r) => {
                        owned = r;
                        &owned
                    }
                    None => break,
                },
                AggInput::Scan(scan) => match scan.next_shared(cx)? {
                    Some((_, r)) => {
                        shared = r;
                        &shared
                    }
                    None => break,
                },
            };
            n = n.wrapping_add(1);
            if n.is_multiple_of(8192) {
                cx.check_interrupts()?;
            }
            let targets: Vec<usize> = match &self.sets {
                None if self.group.is_empty() => {
                    if groups.is_empty() {
                        groups.push((Vec::new(), 0, self.new_slots()));
                    }
                    vec![0]
                }
                None => {
                    let vals = self
                        .group
                        .iter()
                        .map(|x| cx.eval(x, row))
                        .collect::<Result<Row, _>>()?;
                    let key = group_key(&vals);
                    vec![match index.get(&key) {
                        Some(&g) => g,
                        None => {
                            groups.push((vals, 0, self.new_slots()));
                            index.insert(key, groups.len() - 1);
                            groups.len() - 1
                        }
                    }]
                }
                Some(sets) => {
                    let vals = self
                        .group
                        .iter()
                        .map(|x| cx.eval(x, row))
                        .collect::<Result<Row, _>>()?;
                    let mut targets = Vec::with_capacity(sets.len());
                    for (s, set) in sets.iter().enumerate() {
                        // Columns outside the set are NULL in its rows.
                        let masked: Row = vals
                            .iter()
                            .enumerate()
                            .map(|(i, v)| {
                                if set.contains(&i) {
                                    v.clone()
                                } else {
                                    Value::Null
                                }
                            })
                            .collect();
                        let mut key_vals = masked.clone();
                        key_vals.push(Value::Int4(s as i32));
                        let key = group_key(&key_vals);
                        targets.push(match index.get(&key) {
                            Some(&g) => g,
                            None => {
                                groups.push((masked, s, self.new_slots()));
                                index.insert(key, groups.len() - 1);
                                groups.len() - 1
                            }
                        });
                    }
                    targets
                }
            };
            for g in targets {
                for (a, slot) in self.aggs.iter().zip(groups[g].2.iter_mut()) {
                    if let Some(f) = &a.filter
                        && !cx.test(f, row)?
                    {
                        continue;
                    }
                    // No argument (count(*)) or one (the common case) needs no vector.
                    if let (Slot::Acc(acc), []) = (&mut *slot, a.args.as_slice()) {
                        acc.add(cx, a, &[])?;
                        continue;
                    }
                    if let (Slot::Acc(acc), [x]) = (&mut *slot, a.args.as_slice()) {
                        let v = match x {
                            Expr::Column { index, .. } => row[*index].clone(),
                            x => cx.eval(x, row)?,
                        };
                        acc.add(cx, a, std::slice::from_ref(&v))?;
                        continue;
                    }
                    let args = a
                        .args
                        .iter()
                        .map(|x| cx.eval(x, row))
                        .collect::<Result<Row, _>>()?;
                    match slot {
                        Slot::Acc(acc) => acc.add(cx, a, &args)?,
                        Slot::Gathered(rows) => {
                            let keys = a
                                .order
                                .iter()
                                .map(|k| cx.eval(&k.expr, row))
                                .collect::<Result<Row, _>>()?;
                            rows.push((keys, args));
                        }
                    }
                }
            }
        }
        if groups.is_empty() && self.group.is_empty() && self.sets.is_none() {
            groups.push((Vec::new(), 0, self.new_slots()));
        }
        // An empty grouping set `()` has its one row even with no input.
        if let Some(sets) = &self.sets {
            for (s, set) in sets.iter().enumerate() {
                if set.is_empty() && !groups.iter().any(|(_, gs, _)| *gs == s) {
                    groups.push((vec![Value::Null; self.group.len()], s, self.new_slots()));
                }
            }
        }
        let mut out = Vec::with_capacity(groups.len());
        for (mut vals, set, slots) in groups {
            for (i, (a, slot)) in self.aggs.iter().zip(slots).enumerate() {
                vals.push(if a.func == AggFunc::Grouping {
                    self.grouping_mask(i, self.sets.as_ref().map(|s| s[set].as_slice()))
                } else {
                    match slot {
                        Slot::Acc(acc) => acc.finish(a)?,
                        Slot::Gathered(rows) => drain(cx, a, rows)?,
                    }
                });
            }
            out.push(vals);
        }
        Ok(out)
    }
}

impl Node for AggregateNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.out.is_none() {
            let rows = self.run(cx)?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(Iterator::next))
    }
}
