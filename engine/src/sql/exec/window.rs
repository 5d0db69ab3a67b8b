//! Window functions: each call sorts the rows by its PARTITION BY and
//! ORDER BY, walks each partition, and appends its value to every row.
//!
//! Frames follow PostgreSQL: with an ORDER BY the default frame is RANGE
//! UNBOUNDED PRECEDING to CURRENT ROW, which includes the current row's
//! peers (rows with equal sort keys); without one it is the whole
//! partition. Aggregates over frames whose start is fixed accumulate as the
//! frame grows; sliding ROWS frames recompute.

use std::cmp::Ordering;

use twill_types::{SqlState, Value};

use super::agg::Acc;
use super::{Cx, Node, Row, collect, compare_keys};
use crate::sql::error::SqlError;
use crate::sql::plan::{FrameBound, SortKey, WindowCall, WindowFunc};

pub(crate) struct WindowNode {
    input: Box<dyn Node>,
    calls: Vec<WindowCall>,
    out: Option<std::vec::IntoIter<Row>>,
}

impl WindowNode {
    pub(crate) fn new(input: Box<dyn Node>, calls: Vec<WindowCall>) -> WindowNode {
        WindowNode {
            input,
            calls,
            out: None,
        }
    }
}

impl Node for WindowNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.out.is_none() {
            let mut rows = collect(self.input.as_mut(), cx)?;
            let mut order: Vec<usize> = (0..rows.len()).collect();
            for call in &self.calls {
                let values = compute(cx, call, &rows, &mut order)?;
                for (row, v) in rows.iter_mut().zip(values) {
                    row.push(v);
                }
            }
            let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
            let sorted: Vec<Row> = order.iter().filter_map(|&i| slots[i].take()).collect();
            self.out = Some(sorted.into_iter());
        }
        Ok(self.out.as_mut().and_then(Iterator::next))
    }
}

/// One call's value for every row (by input position); leaves `order` as
/// the call's sort order.
fn compute(
    cx: &Cx<'_, '_>,
    call: &WindowCall,
    rows: &[Row],
    order: &mut [usize],
) -> Result<Vec<Value>, SqlError> {
    let settings = cx.exec.settings;
    let pkeys: Vec<SortKey> = call
        .partition
        .iter()
        .map(|p| SortKey {
            expr: p.clone(),
            descending: false,
            nulls_first: false,
        })
        .collect();
    let mut keyed: Vec<(Row, Row)> = Vec::with_capacity(rows.len());
    for r in rows {
        let p = call
            .partition
            .iter()
            .map(|x| cx.eval(x, r))
            .collect::<Result<Row, _>>()?;
        let o = call
            .order
            .iter()
            .map(|k| cx.eval(&k.expr, r))
            .collect::<Result<Row, _>>()?;
        keyed.push((p, o));
    }
    order.sort_by(|&a, &b| {
        compare_keys(settings, &pkeys, &keyed[a].0, &keyed[b].0)
            .then_with(|| compare_keys(settings, &call.order, &keyed[a].1, &keyed[b].1))
    });
    let mut out = vec![Value::Null; rows.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len()
            && compare_keys(
                settings,
                &pkeys,
                &keyed[order[start]].0,
                &keyed[order[end]].0,
            ) == Ordering::Equal
        {
            end += 1;
        }
        let part = &order[start..end];
        let peer = |a: usize, b: usize| {
            compare_keys(settings, &call.order, &keyed[part[a]].1, &keyed[part[b]].1)
                == Ordering::Equal
        };
        partition(cx, call, rows, part, &peer, &mut out)?;
        start = end;
    }
    Ok(out)
}

fn int_arg(
    cx: &Cx<'_, '_>,
    call: &WindowCall,
    i: usize,
    row: &Row,
    default: i64,
) -> Result<Option<i64>, SqlError> {
    match call.args.get(i) {
        None => Ok(Some(default)),
        Some(x) => Ok(match cx.eval(x, row)? {
            Value::Null => None,
            Value::Int2(n) => Some(n as i64),
            Value::Int4(n) => Some(n as i64),
            Value::Int8(n) => Some(n),
            _ => None,
        }),
    }
}

fn partition(
    cx: &Cx<'_, '_>,
    call: &WindowCall,
    rows: &[Row],
    part: &[usize],
    peer: &dyn Fn(usize, usize) -> bool,
    out: &mut [Value],
) -> Result<(), SqlError> {
    let n = part.len();
    // Peer group bounds for each position.
    let mut group_start = vec![0; n];
    let mut group_end = vec![0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && peer(i, j) {
            j += 1;
        }
        for k in i..j {
            group_start[k] = i;
            group_end[k] = j - 1;
        }
        i = j;
    }
    let frame_of = |i: usize| -> (usize, Option<usize>) {
        let f = &call.frame;
        let s = match f.start {
            FrameBound::UnboundedPreceding => 0,
            FrameBound::Preceding(k) => i.saturating_sub(k as usize),
            FrameBound::CurrentRow => {
                if f.rows {
                    i
                } else {
                    group_start[i]
                }
            }
            FrameBound::Following(k) => i + k as usize,
            FrameBound::UnboundedFollowing => n,
        };
        let e = match f.end {
            FrameBound::UnboundedPreceding => None,
            FrameBound::Preceding(k) => i.checked_sub(k as usize),
            FrameBound::CurrentRow => Some(if f.rows { i } else { group_end[i] }),
            FrameBound::Following(k) => Some((i + k as usize).min(n - 1)),
            FrameBound::UnboundedFollowing => Some(n - 1),
        };
        (s, e.filter(|&e| e >= s && s < n))
    };
    let mut rank = 0i64;
    let mut dense = 0i64;
    // Incremental aggregate state for frames starting at the partition start.
    let mut running: Option<(Acc, usize)> = None;
    for i in 0..n {
        let row = &rows[part[i]];
        if i == 0 || !peer(i - 1, i) {
            rank = i as i64 + 1;
            dense += 1;
        }
        let value = match &call.func {
            WindowFunc::RowNumber => Value::Int8(i as i64 + 1),
            WindowFunc::Rank => Value::Int8(rank),
            WindowFunc::DenseRank => Value::Int8(dense),
            WindowFunc::PercentRank => Value::Float8(if n > 1 {
                (rank - 1) as f64 / (n - 1) as f64
            } else {
                0.0
            }),
            WindowFunc::CumeDist => Value::Float8((group_end[i] + 1) as f64 / n as f64),
            WindowFunc::Ntile => {
                let buckets = int_arg(cx, call, 0, row, 1)?.ok_or_else(|| {
                    SqlError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        "argument of ntile must be greater than zero",
                    )
                })?;
                if buckets <= 0 {
                    return Err(SqlError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        "argument of ntile must be greater than zero",
                    ));
                }
                let b = buckets as usize;
                let (per, extra) = (n / b, n % b);
                // The first `extra` buckets hold one more row.
                let big = (per + 1) * extra;
                let bucket = if i < big {
                    i / (per + 1)
                } else {
                    extra + (i - big) / per.max(1)
                };
                Value::Int4(bucket as i32 + 1)
            }
            WindowFunc::Lag | WindowFunc::Lead => {
                let Some(offset) = int_arg(cx, call, 1, row, 1)? else {
                    out[part[i]] = Value::Null;
                    continue;
                };
                let target = if matches!(call.func, WindowFunc::Lag) {
                    i as i64 - offset
                } else {
                    i as i64 + offset
                };
                if target >= 0 && (target as usize) < n {
                    cx.eval(&call.args[0], &rows[part[target as usize]])?
                } else {
                    match call.args.get(2) {
                        Some(d) => cx.eval(d, row)?,
                        None => Value::Null,
                    }
                }
            }
            WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue => {
                let (s, e) = frame_of(i);
                let pick = match (&call.func, e) {
                    (_, None) => None,
                    (WindowFunc::FirstValue, Some(_)) => Some(s),
                    (WindowFunc::LastValue, Some(e)) => Some(e),
                    (_, Some(e)) => {
                        let k = int_arg(cx, call, 1, row, 1)?.unwrap_or(0);
                        if k <= 0 {
                            return Err(SqlError::new(
                                SqlState::INVALID_PARAMETER_VALUE,
                                "argument of nth_value must be greater than zero",
                            ));
                        }
                        let at = s + k as usize - 1;
                        (at <= e).then_some(at)
                    }
                };
                match pick {
                    Some(p) => cx.eval(&call.args[0], &rows[part[p]])?,
                    None => Value::Null,
                }
            }
            WindowFunc::Aggregate(agg) => {
                let (s, e) = frame_of(i);
                let feed = |acc: &mut Acc, k: usize| -> Result<(), SqlError> {
                    let r = &rows[part[k]];
                    if let Some(f) = &call.filter
                        && !cx.test(f, r)?
                    {
                        return Ok(());
                    }
                    let args = agg
                        .args
                        .iter()
                        .map(|x| cx.eval(x, r))
                        .collect::<Result<Row, _>>()?;
                    acc.add(cx, agg, &args)
                };
                match e {
                    None => Acc::new(agg).finish(agg)?,
                    Some(e) if s == 0 => {
                        let (acc, done) = running.get_or_insert_with(|| (Acc::new(agg), 0));
                        while *done <= e {
                            feed(acc, *done)?;
                            *done += 1;
                        }
                        acc.clone().finish(agg)?
                    }
                    Some(e) => {
                        let mut acc = Acc::new(agg);
                        for k in s..=e {
                            feed(&mut acc, k)?;
                        }
                        acc.finish(agg)?
                    }
                }
            }
        };
        out[part[i]] = value;
    }
    Ok(())
}
