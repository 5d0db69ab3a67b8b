//! [`Expr::eval`]: evaluating a bound expression over one row.
//!
//! Everything was decided at bind time, so this is a tree walk. The rules
//! that remain are SQL's: three-valued logic (`NULL AND false` is false,
//! `NULL OR true` is true, `NOT NULL` is NULL), strict functions return
//! NULL on a NULL argument without being called, `CASE` and `COALESCE`
//! evaluate lazily (so `CASE WHEN x = 0 THEN 0 ELSE 1/x END` never
//! divides by zero), and `IN`/`ANY`/`ALL` are NULL rather than false when
//! no element matched but some comparison was NULL.

use std::cmp::Ordering;

use twill_types::{Array, SqlState, Value};

use super::cast::cast_value;
use super::coerce::elem;
use super::functions::{FnCtx, registry};
use super::ops::compare_values;
use super::{EvalContext, Expr, SubqueryKind};
use crate::sql::error::SqlError;

impl Expr {
    /// Evaluates this expression over `row` (the values of the columns
    /// that [`Expr::Column`] indexes).
    pub fn eval(&self, ctx: &EvalContext<'_>, row: &[Value]) -> Result<Value, SqlError> {
        match self {
            Expr::Const { value, .. } => Ok(value.clone()),
            Expr::Column { index, .. } => row
                .get(*index)
                .cloned()
                .ok_or_else(|| SqlError::internal(format!("column index {index} out of range"))),
            Expr::OuterColumn { level, index, .. } => ctx.planner()?.outer_column(*level, *index),
            Expr::Param { index, .. } => ctx.params.get(*index).cloned().ok_or_else(|| {
                SqlError::new(
                    SqlState::UNDEFINED_PARAMETER,
                    format!("there is no parameter ${}", index + 1),
                )
            }),
            Expr::Call { func, args, ty } => {
                let p = registry().get(*func);
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = a.eval(ctx, row)?;
                    if p.strict && v.is_null() {
                        return Ok(Value::Null);
                    }
                    vals.push(v);
                }
                let arg_types: Vec<_> = args.iter().map(Expr::ty).collect();
                let fctx = FnCtx {
                    eval: ctx,
                    ret: *ty,
                    arg_types: &arg_types,
                };
                (p.imp)(&fctx, &vals)
            }
            Expr::Cast {
                expr,
                ty,
                typmod,
                explicit,
            } => {
                let v = expr.eval(ctx, row)?;
                cast_value(ctx, v, expr.ty(), *ty, *typmod, *explicit)
            }
            Expr::Not(e) => Ok(match e.eval(ctx, row)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            }),
            Expr::And(es) => {
                let mut null = false;
                for e in es {
                    match e.eval(ctx, row)? {
                        Value::Bool(false) => return Ok(Value::Bool(false)),
                        Value::Bool(true) => {}
                        _ => null = true,
                    }
                }
                Ok(if null { Value::Null } else { Value::Bool(true) })
            }
            Expr::Or(es) => {
                let mut null = false;
                for e in es {
                    match e.eval(ctx, row)? {
                        Value::Bool(true) => return Ok(Value::Bool(true)),
                        Value::Bool(false) => {}
                        _ => null = true,
                    }
                }
                Ok(if null {
                    Value::Null
                } else {
                    Value::Bool(false)
                })
            }
            Expr::IsNull { expr, negated } => {
                Ok(Value::Bool(expr.eval(ctx, row)?.is_null() != *negated))
            }
            Expr::IsBool {
                expr,
                value,
                negated,
            } => {
                let v = match expr.eval(ctx, row)? {
                    Value::Bool(b) => Some(b),
                    _ => None,
                };
                Ok(Value::Bool((v == *value) != *negated))
            }
            Expr::Distinct { eq, negated } => {
                let Expr::Call { args, .. } = eq.as_ref() else {
                    return Err(SqlError::internal("IS DISTINCT FROM without a call"));
                };
                let (l, r) = (args[0].eval(ctx, row)?, args[1].eval(ctx, row)?);
                let distinct = match (l.is_null(), r.is_null()) {
                    (true, true) => false,
                    (true, false) | (false, true) => true,
                    _ => !matches!(call_with(eq, ctx, vec![l, r])?, Value::Bool(true)),
                };
                Ok(Value::Bool(distinct != *negated))
            }
            Expr::Case {
                whens, else_result, ..
            } => {
                for (cond, res) in whens {
                    if matches!(cond.eval(ctx, row)?, Value::Bool(true)) {
                        return res.eval(ctx, row);
                    }
                }
                else_result.eval(ctx, row)
            }
            Expr::Coalesce { args, .. } => {
                for a in args {
                    let v = a.eval(ctx, row)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                Ok(Value::Null)
            }
            Expr::NullIf { eq, value } => {
                let Expr::Call { args, .. } = eq.as_ref() else {
                    return Err(SqlError::internal("NULLIF without a call"));
                };
                let v = value.eval(ctx, row)?;
                let other = args[1].eval(ctx, row)?;
                if v.is_null() || other.is_null() {
                    return Ok(v);
                }
                let first = args[0].eval(ctx, row)?;
                match call_with(eq, ctx, vec![first, other])? {
                    Value::Bool(true) => Ok(Value::Null),
                    _ => Ok(v),
                }
            }
            Expr::MinMax { args, greatest, .. } => {
                let mut best = Value::Null;
                for a in args {
                    let v = a.eval(ctx, row)?;
                    if v.is_null() {
                        continue;
                    }
                    if best.is_null() {
                        best = v;
                        continue;
                    }
                    let o = compare_values(&ctx.settings, &v, &best)?;
                    if (*greatest && o == Ordering::Greater) || (!*greatest && o == Ordering::Less)
                    {
                        best = v;
                    }
                }
                Ok(best)
            }
            Expr::InList { eqs, negated } => {
                let mut null = false;
                for eq in eqs {
                    match eq.eval(ctx, row)? {
                        Value::Bool(true) => return Ok(Value::Bool(!*negated)),
                        Value::Bool(false) => {}
                        _ => null = true,
                    }
                }
                Ok(if null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                })
            }
            Expr::AnyAll {
                left,
                array,
                func,
                all,
            } => {
                let l = left.eval(ctx, row)?;
                let a = match array.eval(ctx, row)? {
                    Value::Array(a) => a,
                    Value::Null => return Ok(Value::Null),
                    other => return Err(SqlError::internal(format!("ANY over {other:?}"))),
                };
                let arg_types = [left.ty(), elem(array.ty())];
                any_all(ctx, *func, &arg_types, l, a.elements, *all)
            }
            Expr::Array { elems, ty } => {
                let mut out = Vec::with_capacity(elems.len());
                for e in elems {
                    out.push(e.eval(ctx, row)?);
                }
                if elems.first().is_some_and(|e| e.ty() == *ty) {
                    return super::array_nd::stack(elem(*ty), out);
                }
                Ok(Value::Array(Array::new(elem(*ty), out)))
            }
            Expr::Subscript {
                array,
                index,
                upper,
                slice,
                ..
            } => {
                let a = match array.eval(ctx, row)? {
                    Value::Array(a) => a,
                    _ => return Ok(Value::Null),
                };
                let idx = |e: &Option<Box<Expr>>| -> Result<Option<Option<i64>>, SqlError> {
                    match e {
                        None => Ok(Some(None)),
                        Some(e) => match e.eval(ctx, row)? {
                            Value::Null => Ok(None),
                            v => Ok(Some(Some(super::functions::int_arg(&[v], 0)?))),
                        },
                    }
                };
                let Some(lo) = idx(index)? else {
                    return Ok(Value::Null);
                };
                let lb = a.lower_bound as i64;
                let n = a.elements.len() as i64;
                if !*slice {
                    let i = lo.unwrap_or(lb);
                    let pos = i - lb;
                    return Ok(if (0..n).contains(&pos) {
                        a.elements[pos as usize].clone()
                    } else {
                        Value::Null
                    });
                }
                let Some(hi) = idx(upper)? else {
                    return Ok(Value::Null);
                };
                let from = lo.unwrap_or(lb).max(lb);
                let to = hi.unwrap_or(lb + n - 1).min(lb + n - 1);
                let elems = if from > to {
                    Vec::new()
                } else {
                    a.elements[(from - lb) as usize..=(to - lb) as usize].to_vec()
                };
                Ok(Value::Array(Array::new(a.element_type, elems)))
            }
            Expr::Subquery { id, kind, .. } => {
                let rows = ctx.planner()?.subquery_rows(*id, row)?;
                match kind {
                    SubqueryKind::Exists => Ok(Value::Bool(!rows.is_empty())),
                    SubqueryKind::Scalar => {
                        if rows.len() > 1 {
                            return Err(SqlError::new(
                                SqlState::CARDINALITY_VIOLATION,
                                "more than one row returned by a subquery used as an expression",
                            ));
                        }
                        Ok(rows
                            .into_iter()
                            .next()
                            .and_then(|r| r.into_iter().next())
                            .unwrap_or(Value::Null))
                    }
                    SubqueryKind::Array => {
                        let ty = self.ty();
                        let elems = rows
                            .into_iter()
                            .map(|r| r.into_iter().next().unwrap_or(Value::Null))
                            .collect();
                        Ok(Value::Array(Array::new(elem(ty), elems)))
                    }
                    SubqueryKind::AnyAll { left, func, all } => {
                        let l = left.eval(ctx, row)?;
                        let p = registry().get(*func);
                        let arg_types = [left.ty(), p.args.get(1).copied().unwrap_or(0)];
                        let values = rows
                            .into_iter()
                            .map(|r| r.into_iter().next().unwrap_or(Value::Null))
                            .collect();
                        any_all(ctx, *func, &arg_types, l, values, *all)
                    }
                }
            }
            Expr::Aggregate { index, .. } => ctx.planner()?.aggregate(*index),
            Expr::Window { index, .. } => ctx.planner()?.window(*index),
            Expr::FieldSelect { expr, index, .. } => Ok(match expr.eval(ctx, row)? {
                Value::Record(mut fields) if *index < fields.len() => fields.swap_remove(*index).1,
                _ => Value::Null,
            }),
            Expr::Row { fields } => Ok(Value::Record(
                fields
                    .iter()
                    .map(|(n, x)| Ok((n.clone(), x.eval(ctx, row)?)))
                    .collect::<Result<_, SqlError>>()?,
            )),
        }
    }
}

/// Calls the function of a bound `Call` node on given values.
fn call_with(call: &Expr, ctx: &EvalContext<'_>, vals: Vec<Value>) -> Result<Value, SqlError> {
    let Expr::Call { func, args, ty } = call else {
        return Err(SqlError::internal("expected a call"));
    };
    let p = registry().get(*func);
    if p.strict && vals.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let arg_types: Vec<_> = args.iter().map(Expr::ty).collect();
    (p.imp)(
        &FnCtx {
            eval: ctx,
            ret: *ty,
            arg_types: &arg_types,
        },
        &vals,
    )
}

/// `l op ANY/ALL (values)` with SQL's NULL rules.
fn any_all(
    ctx: &EvalContext<'_>,
    func: super::FuncId,
    arg_types: &[twill_types::Oid],
    l: Value,
    values: Vec<Value>,
    all: bool,
) -> Result<Value, SqlError> {
    let p = registry().get(func);
    let fctx = FnCtx {
        eval: ctx,
        ret: p.ret,
        arg_types,
    };
    let mut null = false;
    for v in values {
        let r = if p.strict && (l.is_null() || v.is_null()) {
            Value::Null
        } else {
            (p.imp)(&fctx, &[l.clone(), v])?
        };
        match (r, all) {
            (Value::Bool(true), false) => return Ok(Value::Bool(true)),
            (Value::Bool(false), true) => return Ok(Value::Bool(false)),
            (Value::Bool(_), _) => {}
            _ => null = true,
        }
    }
    Ok(if null { Value::Null } else { Value::Bool(all) })
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    use twill_types::{Oid, oid};

    use super::*;
    use crate::sql::expr::bind::{Binder, NoColumns, Scope};

    fn run(sql: &str) -> Result<Value, SqlError> {
        let ast = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| SqlError::syntax(e.to_string()))?;
        Binder::new(&NoColumns)
            .bind_value(&ast)?
            .eval(&EvalContext::new(), &[])
    }

    #[test]
    fn three_valued_logic() {
        assert_eq!(run("NULL AND false").unwrap(), Value::Bool(false));
        assert_eq!(run("NULL AND true").unwrap(), Value::Null);
        assert_eq!(run("NULL OR true").unwrap(), Value::Bool(true));
        assert_eq!(run("NOT NULL::bool").unwrap(), Value::Null);
        assert_eq!(run("1 IN (2, NULL)").unwrap(), Value::Null);
        assert_eq!(run("1 NOT IN (2, 3)").unwrap(), Value::Bool(true));
        assert_eq!(run("1 = ANY(ARRAY[2, NULL])").unwrap(), Value::Null);
        assert_eq!(
            run("NULL IS DISTINCT FROM NULL").unwrap(),
            Value::Bool(false)
        );
    }

    #[test]
    fn lazy_branches() {
        assert_eq!(
            run("CASE WHEN false THEN 1/0 ELSE 2 END").unwrap(),
            Value::Int4(2)
        );
        assert_eq!(run("COALESCE(1, 1/0)").unwrap(), Value::Int4(1));
        assert_eq!(run("false AND 1/0 = 1").unwrap(), Value::Bool(false));
        assert_eq!(run("1/0").unwrap_err().code, SqlState::DIVISION_BY_ZERO);
    }

    #[test]
    fn hooks_ask_the_planner() {
        struct Hooks;
        impl crate::sql::expr::PlannerValues for Hooks {
            fn subquery_rows(&self, _: usize, _: &[Value]) -> Result<Vec<Vec<Value>>, SqlError> {
                Ok(vec![vec![Value::Int4(1)], vec![Value::Int4(2)]])
            }
            fn aggregate(&self, index: usize) -> Result<Value, SqlError> {
                Ok(Value::Int8(index as i64 + 40))
            }
        }
        let ctx = EvalContext {
            planner: Some(&Hooks),
            ..EvalContext::new()
        };
        let scalar = Expr::Subquery {
            id: 0,
            kind: SubqueryKind::Scalar,
            ty: oid::INT4,
        };
        assert_eq!(
            scalar.eval(&ctx, &[]).unwrap_err().code,
            SqlState::CARDINALITY_VIOLATION
        );
        let exists = Expr::Subquery {
            id: 0,
            kind: SubqueryKind::Exists,
            ty: oid::BOOL,
        };
        assert_eq!(exists.eval(&ctx, &[]).unwrap(), Value::Bool(true));
        let agg = Expr::Aggregate {
            index: 2,
            ty: oid::INT8,
        };
        assert_eq!(agg.eval(&ctx, &[]).unwrap(), Value::Int8(42));
        // Without a planner the hooks are an error, not a panic.
        assert!(agg.eval(&EvalContext::new(), &[]).is_err());
    }

    #[test]
    fn assignment_coercion() {
        struct One;
        impl Scope for One {
            fn resolve_column(
                &self,
                q: Option<&str>,
                n: &str,
            ) -> Result<(usize, Oid, i32), SqlError> {
                NoColumns.resolve_column(q, n)
            }
        }
        let parse = |s: &str| {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(s)
                .and_then(|mut p| p.parse_expr())
                .unwrap()
        };
        let mut b = Binder::new(&One);
        let e = b
            .bind_assignment(&parse("'abcdef'"), "c", oid::VARCHAR, 9)
            .unwrap_err();
        assert_eq!(e.code, SqlState::STRING_DATA_RIGHT_TRUNCATION);
        assert_eq!(e.message, "value too long for type character varying(5)");
        let x = b
            .bind_assignment(&parse("12.345"), "c", oid::NUMERIC, ((5 << 16) | 2) + 4)
            .unwrap();
        assert_eq!(
            x.eval(&EvalContext::new(), &[])
                .unwrap()
                .to_text(&Default::default()),
            "12.35"
        );
        // Constants are folded while binding, so the overflow shows there.
        let e = b
            .bind_assignment(&parse("3000000000"), "c", oid::INT4, -1)
            .unwrap_err();
        assert_eq!(e.message, "integer out of range");
        let e = b
            .bind_assignment(&parse("true"), "c", oid::INT4, -1)
            .unwrap_err();
        assert_eq!(
            e.message,
            "column \"c\" is of type integer but expression is of type boolean"
        );
        let x = b.bind_assignment(&parse("42"), "c", oid::TEXT, -1).unwrap();
        assert_eq!(
            x.eval(&EvalContext::new(), &[]).unwrap(),
            Value::Text("42".into())
        );
    }
}
