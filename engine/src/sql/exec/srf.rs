//! Set-returning functions, in FROM and in the select list.
//!
//! A function's rows are computed whole from its argument values (they
//! are small: series, array elements, JSON members). In the select list,
//! PostgreSQL 10+ runs all functions of a row in lockstep: the row repeats
//! as many times as the longest result, shorter ones padded with NULL.

use std::collections::VecDeque;

use twill_types::{Numeric, SqlState, Value, oid};

use super::{Cx, Node, Row};
use crate::sql::error::SqlError;
use crate::sql::expr::Expr;
use crate::sql::expr::functions::json::{J, json_text, parse as parse_json, result as json_result};
use crate::sql::expr::functions::{FnCtx, ProcKind, registry};
use crate::sql::plan::{ProjectItem, RecordOutput, SetFunction};

/// Upper bound on the rows one function call may produce, so a typo like
/// `generate_series(1, 1e12)` fails instead of exhausting memory.
const MAX_ROWS: usize = 50_000_000;

fn too_many() -> SqlError {
    SqlError::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        "set-returning function result is too large",
    )
}

/// After a row was added to a materialised result of `len` rows: fails
/// past [`MAX_ROWS`], and checks for cancellation and statement timeout
/// every 4 096 rows, so a huge series stops when asked.
fn grew(cx: &Cx<'_, '_>, len: usize) -> Result<(), SqlError> {
    if len > MAX_ROWS {
        return Err(too_many());
    }
    if len.is_multiple_of(4096) {
        cx.check_interrupts()?;
    }
    Ok(())
}

fn step_zero() -> SqlError {
    SqlError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        "step size cannot equal zero",
    )
}

/// Calls a scalar registry function by name (for the array-returning
/// counterparts of the split functions).
fn call_named(
    cx: &Cx<'_, '_>,
    name: &str,
    args: &[Value],
    arg_types: &[u32],
) -> Result<Value, SqlError> {
    let r = registry();
    let id = r
        .candidates(name, ProcKind::Function)
        .iter()
        .copied()
        .find(|&id| r.get(id).args.len() == args.len())
        .ok_or_else(|| SqlError::internal(format!("{name} missing from the registry")))?;
    let p = r.get(id);
    if p.strict && args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let fctx = FnCtx {
        eval: cx.eval,
        ret: p.ret,
        arg_types,
    };
    (p.imp)(&fctx, args)
}

/// The rows of one call.
pub(crate) fn rows_of(
    cx: &Cx<'_, '_>,
    func: &SetFunction,
    args: &[Value],
    types: &[u32],
) -> Result<Vec<Row>, SqlError> {
    if args.iter().any(Value::is_null) && !matches!(func, SetFunction::Unnest) {
        return Ok(Vec::new());
    }
    let mut out: Vec<Row> = Vec::new();
    match func {
        SetFunction::GenerateSeries => match &args[0] {
            Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => {
                let int = |v: &Value| match v {
                    Value::Int2(n) => *n as i64,
                    Value::Int4(n) => *n as i64,
                    Value::Int8(n) => *n,
                    _ => 0,
                };
                let (start, stop) = (int(&args[0]), int(&args[1]));
                let step = args.get(2).map_or(1, int);
                if step == 0 {
                    return Err(step_zero());
                }
                let wide = matches!(args[0], Value::Int8(_));
                let mut i = start;
                while (step > 0 && i <= stop) || (step < 0 && i >= stop) {
                    out.push(vec![if wide {
                        Value::Int8(i)
                    } else {
                        Value::Int4(i as i32)
                    }]);
                    grew(cx, out.len())?;
                    match i.checked_add(step) {
                        Some(n) => i = n,
                        None => break,
                    }
                }
            }
            Value::Numeric(start) => {
                let num = |v: &Value| match v {
                    Value::Numeric(n) => n.clone(),
                    _ => Numeric::zero(),
                };
                let stop = num(&args[1]);
                let step = args.get(2).map_or_else(|| Numeric::from(1i64), num);
                if step.is_zero() {
                    return Err(step_zero());
                }
                if start.is_nan() || stop.is_nan() || step.is_nan() {
                    return Err(SqlError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        "start value cannot be NaN",
                    ));
                }
                let up = !step.is_negative();
                let mut i = start.clone();
                while (up && i <= stop) || (!up && i >= stop) {
                    out.push(vec![Value::Numeric(i.clone())]);
                    grew(cx, out.len())?;
                    i = i.add(&step)?;
                }
            }
            Value::Timestamp(_) | Value::TimestampTz(_) => {
                let Value::Interval(step) = &args[2] else {
                    return Err(SqlError::internal(
                        "timestamp series without an interval step",
                    ));
                };
                let tz = matches!(args[0], Value::TimestampTz(_));
                let ts = |v: &Value| match v {
                    Value::Timestamp(t) | Value::TimestampTz(t) => *t,
                    _ => 0,
                };
                let (mut t, stop) = (ts(&args[0]), ts(&args[1]));
                let zero = step.months == 0 && step.days == 0 && step.micros == 0;
                if zero {
                    return Err(step_zero());
                }
                let up = (step.months as i64 * 30 * 86_400_000_000
                    + step.days as i64 * 86_400_000_000
                    + step.micros)
                    > 0;
                let fctx = FnCtx {
                    eval: cx.eval,
                    ret: oid::TIMESTAMPTZ,
                    arg_types: &[],
                };
                while (up && t <= stop) || (!up && t >= stop) {
                    out.push(vec![if tz {
                        Value::TimestampTz(t)
                    } else {
                        Value::Timestamp(t)
                    }]);
                    grew(cx, out.len())?;
                    t = if tz {
                        crate::sql::expr::functions::datetime::add_interval_tz(&fctx, t, step)?
                    } else {
                        crate::sql::expr::functions::datetime::add_interval_local(t, step)?
                    };
                }
            }
            _ => return Err(SqlError::internal("generate_series of an unexpected type")),
        },
        SetFunction::Unnest => {
            let arrays: Vec<Vec<Value>> = args
                .iter()
                .map(|a| match a {
                    Value::Array(arr) => arr.scalars().into_iter().cloned().collect(),
                    _ => Vec::new(),
                })
                .collect();
            let n = arrays.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..n {
                out.push(
                    arrays
                        .iter()
                        .map(|a| a.get(i).cloned().unwrap_or(Value::Null))
                        .collect(),
                );
            }
        }
        SetFunction::ExpandArray { output } => {
            let Value::Array(arr) = &args[0] else {
                return Ok(out);
            };
            for (i, x) in arr.scalars().into_iter().enumerate() {
                let n = Value::Int4(i32::try_from(i + 1).map_err(|_| too_many())?);
                out.push(match output {
                    RecordOutput::Columns => vec![x.clone(), n],
                    RecordOutput::Record => {
                        vec![Value::Record(vec![
                            ("x".into(), x.clone()),
                            ("n".into(), n),
                        ])]
                    }
                    RecordOutput::Field(0) => vec![x.clone()],
                    RecordOutput::Field(_) => vec![n],
                });
            }
        }
        SetFunction::GenerateSubscripts => {
            let Value::Array(arr) = &args[0] else {
                return Ok(out);
            };
            let dim = match &args[1] {
                Value::Int4(d) => *d as i64,
                Value::Int8(d) => *d,
                Value::Int2(d) => *d as i64,
                _ => 1,
            };
            let reverse = matches!(args.get(2), Some(Value::Bool(true)));
            let dims = arr.dimensions();
            if dim >= 1 && (dim as usize) <= dims.len() {
                let (len, lower) = dims[dim as usize - 1];
                let mut subs: Vec<i32> = (lower..lower + len).collect();
                if reverse {
                    subs.reverse();
                }
                out.extend(subs.into_iter().map(|s| vec![Value::Int4(s)]));
            }
        }
        SetFunction::JsonArrayElements { text, jsonb } => {
            let src = json_text(&args[0])?;
            let root = parse_json(src)?;
            let J::Arr(items) = &root.j else {
                let what = if matches!(root.j, J::Obj(_)) {
                    "a non-array"
                } else {
                    "a scalar"
                };
                return Err(SqlError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("cannot extract elements from {what}"),
                ));
            };
            for item in items {
                out.push(vec![json_result(src, item, *text, *jsonb)?]);
            }
        }
        SetFunction::JsonEach { text, jsonb } => {
            let src = json_text(&args[0])?;
            let root = parse_json(src)?;
            let J::Obj(members) = &root.j else {
                return Err(SqlError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "cannot call json_each on a non-object",
                ));
            };
            for (k, v) in members {
                out.push(vec![
                    Value::Text(k.clone()),
                    json_result(src, v, *text, *jsonb)?,
                ]);
            }
        }
        SetFunction::JsonObjectKeys => {
            let src = json_text(&args[0])?;
            let root = parse_json(src)?;
            let J::Obj(members) = &root.j else {
                return Err(SqlError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "cannot call json_object_keys on a non-object",
                ));
            };
            out.extend(members.iter().map(|(k, _)| vec![Value::Text(k.clone())]));
        }
        SetFunction::SplitToTable { regex: true } => {
            let (Value::Text(text), Value::Text(pattern)) = (&args[0], &args[1]) else {
                return Ok(out);
            };
            let ci = matches!(args.get(2), Some(Value::Text(f)) if f.contains('i'));
            let re = crate::sql::expr::functions::string::regex(pattern, ci)?;
            let mut last = 0;
            for m in re.find_iter(text) {
                // PostgreSQL ignores empty matches at the ends of the string.
                if m.start() == m.end() && (m.start() == 0 || m.start() == text.len()) {
                    continue;
                }
                out.push(vec![Value::Text(text[last..m.start()].to_owned())]);
                last = m.end();
            }
            out.push(vec![Value::Text(text[last..].to_owned())]);
        }
        SetFunction::SplitToTable { regex: false } => {
            if let Value::Array(arr) = call_named(cx, "string_to_array", args, types)? {
                out.extend(arr.elements.into_iter().map(|v| vec![v]));
            }
        }
        SetFunction::RegexpMatches => {
            let global = matches!(args.get(2), Some(Value::Text(f)) if f.contains('g'));
            if global {
                let (Value::Text(text), Value::Text(pattern)) = (&args[0], &args[1]) else {
                    return Ok(out);
                };
                let ci = matches!(args.get(2), Some(Value::Text(f)) if f.contains('i'));
                let re = crate::sql::expr::functions::string::regex(pattern, ci)?;
                for caps in re.captures_iter(text) {
                    let groups: Vec<Value> = if caps.len() > 1 {
                        (1..caps.len())
                            .map(|i| {
                                caps.get(i)
                                    .map_or(Value::Null, |m| Value::Text(m.as_str().to_owned()))
                            })
                            .collect()
                    } else {
                        vec![Value::Text(caps[0].to_owned())]
                    };
                    out.push(vec![Value::Array(twill_types::Array::new(
                        oid::TEXT,
                        groups,
                    ))]);
                }
                return Ok(out);
            }
            let v = call_named(cx, "regexp_match", args, types)?;
            if !v.is_null() {
                out.push(vec![v]);
            }
        }
    }
    Ok(out)
}

/// A set-returning function in FROM.
pub(crate) struct FunctionNode {
    func: SetFunction,
    args: Vec<Expr>,
    ordinality: bool,
    source: Option<Source>,
    /// Rows returned so far (for WITH ORDINALITY).
    returned: i64,
}

/// Where a [`FunctionNode`]'s rows come from.
enum Source {
    /// Computed in full at the first row.
    Rows(VecDeque<Row>),
    /// An integer `generate_series`, one value at a time, as PostgreSQL
    /// does: `SELECT count(*) FROM generate_series(1, 1e9)` needs no memory.
    Ints(IntSeries),
}

/// An integer series in progress.
struct IntSeries {
    next: Option<i64>,
    stop: i64,
    step: i64,
    /// int8 values (else int4).
    wide: bool,
}

impl IntSeries {
    /// The series for integer `args`, if they are integers.
    fn of(args: &[Value]) -> Result<Option<IntSeries>, SqlError> {
        let int = |v: &Value| match v {
            Value::Int2(n) => Some(i64::from(*n)),
            Value::Int4(n) => Some(i64::from(*n)),
            Value::Int8(n) => Some(*n),
            _ => None,
        };
        let (Some(start), Some(stop)) = (int(&args[0]), args.get(1).and_then(int)) else {
            return Ok(None);
        };
        let step = match args.get(2) {
            Some(v) => match int(v) {
                Some(s) => s,
                None => return Ok(None),
            },
            None => 1,
        };
        if step == 0 {
            return Err(step_zero());
        }
        Ok(Some(IntSeries {
            next: Some(start),
            stop,
            step,
            wide: matches!(args[0], Value::Int8(_)),
        }))
    }

    fn next(&mut self) -> Option<Value> {
        let i = self.next?;
        let more = if self.step > 0 {
            i <= self.stop
        } else {
            i >= self.stop
        };
        if !more {
            self.next = None;
            return None;
        }
        self.next = i.checked_add(self.step);
        Some(if self.wide {
            Value::Int8(i)
        } else {
            Value::Int4(i as i32)
        })
    }
}

impl FunctionNode {
    pub(crate) fn new(func: SetFunction, args: Vec<Expr>, ordinality: bool) -> FunctionNode {
        FunctionNode {
            func,
            args,
            ordinality,
            source: None,
            returned: 0,
        }
    }
}

impl Node for FunctionNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.source.is_none() {
            let vals = self
                .args
                .iter()
                .map(|x| cx.eval(x, &[]))
                .collect::<Result<Row, _>>()?;
            let types: Vec<u32> = self.args.iter().map(Expr::ty).collect();
            let series = match self.func {
                SetFunction::GenerateSeries if !vals.iter().any(Value::is_null) => {
                    IntSeries::of(&vals)?
                }
                _ => None,
            };
            self.source = Some(match series {
                Some(series) => Source::Ints(series),
                None => Source::Rows(rows_of(cx, &self.func, &vals, &types)?.into()),
            });
        }
        let row = match self.source.as_mut() {
            Some(Source::Rows(rows)) => rows.pop_front(),
            Some(Source::Ints(series)) => {
                // A consumer that reads the whole series (DISTINCT, an
                // aggregate) may not look at the clock itself.
                if self.returned % 4096 == 4095 {
                    cx.check_interrupts()?;
                }
                series.next().map(|v| vec![v])
            }
            None => None,
        };
        Ok(row.map(|mut r| {
            self.returned += 1;
            if self.ordinality {
                r.push(Value::Int8(self.returned));
            }
            r
        }))
    }
}

/// Set-returning functions in the select list.
pub(crate) struct ProjectSetNode {
    input: Box<dyn Node>,
    items: Vec<ProjectItem>,
    pending: VecDeque<Row>,
}

impl ProjectSetNode {
    pub(crate) fn new(input: Box<dyn Node>, items: Vec<ProjectItem>) -> ProjectSetNode {
        ProjectSetNode {
            input,
            items,
            pending: VecDeque::new(),
        }
    }
}

impl Node for ProjectSetNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(Some(r));
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            let mut plain: Vec<Option<Value>> = Vec::with_capacity(self.items.len());
            let mut sets: Vec<Option<Vec<Row>>> = Vec::with_capacity(self.items.len());
            for item in &self.items {
                match item {
                    ProjectItem::Expr(x) => {
                        plain.push(Some(cx.eval(x, &row)?));
                        sets.push(None);
                    }
                    ProjectItem::Set { func, args } => {
                        let vals = args
                            .iter()
                            .map(|x| cx.eval(x, &row))
                            .collect::<Result<Row, _>>()?;
                        let types: Vec<u32> = args.iter().map(Expr::ty).collect();
                        plain.push(None);
                        sets.push(Some(rows_of(cx, func, &vals, &types)?));
                    }
                }
            }
            let n = sets.iter().flatten().map(Vec::len).max().unwrap_or(0);
            for i in 0..n {
                let out: Row = plain
                    .iter()
                    .zip(&sets)
                    .map(|(p, s)| match (p, s) {
                        (Some(v), _) => v.clone(),
                        (None, Some(rows)) => rows
                            .get(i)
                            .and_then(|r| r.first().cloned())
                            .unwrap_or(Value::Null),
                        (None, None) => Value::Null,
                    })
                    .collect();
                self.pending.push_back(out);
            }
        }
    }
}
