//! Window functions: `f(…) OVER (PARTITION BY … ORDER BY … frame)`.
//!
//! Like aggregates, a window call is bound by the [`Collector`] into a hook
//! node (`Expr::Window { index }`); the Window plan node appends one value
//! per call to each row, and [`rewrite_hooks`] points the hooks at those
//! appended columns.

use sqlparser::ast;
use twill_types::{Oid, SqlState, oid};

use super::aggregate::{AggSyntax, Collector, agg_syntax, bind_agg_call};
use super::query::{ident, sort_key};
use super::{Frame, FrameBound, WindowCall, WindowFunc};
use crate::sql::error::SqlError;
use crate::sql::expr::{Binder, CastContext, Expr};

/// Binds a window call and records it; returns its hook.
pub(crate) fn bind_window(
    c: &Collector<'_, '_>,
    func: &ast::Function,
    binder: &mut Binder<'_>,
) -> Result<Expr, SqlError> {
    let spec = match &func.over {
        Some(ast::WindowType::WindowSpec(spec)) => c.resolve_window(spec)?,
        Some(ast::WindowType::NamedWindow(name)) => c.named_window(&ident(name))?,
        None => return Err(SqlError::internal("window call without OVER")),
    };
    let spec = &spec;
    let AggSyntax { name, args, .. } = agg_syntax(func)?;
    let (partition, order) = c.bind_with_aggregates(binder, |b| {
        let partition = spec
            .partition_by
            .iter()
            .map(|p| b.bind_value(p))
            .collect::<Result<Vec<_>, _>>()?;
        let order = spec
            .order_by
            .iter()
            .map(|o| Ok(sort_key(b.bind_value(&o.expr)?, &o.options)))
            .collect::<Result<Vec<_>, SqlError>>()?;
        Ok((partition, order))
    })?;
    let frame = frame(spec, !order.is_empty())?;
    let bound_args = |binder: &mut Binder<'_>| {
        c.bind_inner(binder, "window function calls", |b| {
            args.iter()
                .map(|a| b.bind_value(a))
                .collect::<Result<Vec<_>, _>>()
        })
    };
    let (wf, ty, args): (WindowFunc, Oid, Vec<Expr>) = match name.as_str() {
        "row_number" => (WindowFunc::RowNumber, oid::INT8, Vec::new()),
        "rank" => (WindowFunc::Rank, oid::INT8, Vec::new()),
        "dense_rank" => (WindowFunc::DenseRank, oid::INT8, Vec::new()),
        "percent_rank" => (WindowFunc::PercentRank, oid::FLOAT8, Vec::new()),
        "cume_dist" => (WindowFunc::CumeDist, oid::FLOAT8, Vec::new()),
        "ntile" => {
            let a = c.bind_inner(binder, "window function calls", |b| {
                args.iter()
                    .map(|a| {
                        let x = b.bind(a)?;
                        b.coerce(x, oid::INT4, -1, CastContext::Implicit)
                    })
                    .collect::<Result<Vec<_>, _>>()
            })?;
            (WindowFunc::Ntile, oid::INT4, a)
        }
        "lag" | "lead" => {
            let mut a = bound_args(binder)?;
            if a.is_empty() || a.len() > 3 {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("function {name}() does not exist"),
                ));
            }
            let ty = a[0].ty();
            if a.len() >= 2 {
                let off = a[1].clone();
                a[1] = c.bind_inner(binder, "window function calls", |b| {
                    b.coerce(off, oid::INT4, -1, CastContext::Implicit)
                })?;
            }
            if a.len() == 3 {
                let d = a[2].clone();
                a[2] = c.bind_inner(binder, "window function calls", |b| {
                    b.coerce(d, ty, -1, CastContext::Implicit)
                })?;
            }
            (
                if name == "lag" {
                    WindowFunc::Lag
                } else {
                    WindowFunc::Lead
                },
                ty,
                a,
            )
        }
        "first_value" | "last_value" => {
            let a = bound_args(binder)?;
            let ty = a.first().map_or(oid::UNKNOWN, Expr::ty);
            (
                if name == "first_value" {
                    WindowFunc::FirstValue
                } else {
                    WindowFunc::LastValue
                },
                ty,
                a,
            )
        }
        "nth_value" => {
            let a = bound_args(binder)?;
            let ty = a.first().map_or(oid::UNKNOWN, Expr::ty);
            (WindowFunc::NthValue, ty, a)
        }
        _ => {
            let mut call = bind_agg_call(c, func, binder, true)?;
            if call.distinct {
                return Err(SqlError::unsupported(
                    "DISTINCT is not implemented for window functions",
                ));
            }
            let ty = call.ty;
            let filter = call.filter.take();
            let index = c.push_window(WindowCall {
                func: WindowFunc::Aggregate(Box::new(call)),
                args: Vec::new(),
                partition,
                order,
                frame,
                filter,
                ty,
            });
            return Ok(Expr::Window { index, ty });
        }
    };
    let index = c.push_window(WindowCall {
        func: wf,
        args,
        partition,
        order,
        frame,
        filter: None,
        ty,
    });
    Ok(Expr::Window { index, ty })
}

fn frame(spec: &ast::WindowSpec, ordered: bool) -> Result<Frame, SqlError> {
    let Some(f) = &spec.window_frame else {
        return Ok(Frame {
            rows: false,
            start: FrameBound::UnboundedPreceding,
            end: if ordered {
                FrameBound::CurrentRow
            } else {
                FrameBound::UnboundedFollowing
            },
        });
    };
    let rows = match f.units {
        ast::WindowFrameUnits::Rows => true,
        ast::WindowFrameUnits::Range => false,
        ast::WindowFrameUnits::Groups => {
            return Err(SqlError::unsupported("GROUPS frames are not supported"));
        }
    };
    let bound = |b: &ast::WindowFrameBound| -> Result<FrameBound, SqlError> {
        let n = |e: &ast::Expr| -> Result<u64, SqlError> {
            match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => n.parse().map_err(|_| {
                        SqlError::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            "frame offset must not be negative",
                        )
                    }),
                    _ => Err(SqlError::unsupported(
                        "frame offsets must be integer constants",
                    )),
                },
                _ => Err(SqlError::unsupported(
                    "frame offsets must be integer constants",
                )),
            }
        };
        Ok(match b {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(n(e)?),
            ast::WindowFrameBound::Following(Some(e)) => FrameBound::Following(n(e)?),
        })
    };
    let start = bound(&f.start_bound)?;
    let end = match &f.end_bound {
        Some(b) => bound(b)?,
        None => FrameBound::CurrentRow,
    };
    let offset = |b: &FrameBound| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_));
    if !rows && (offset(&start) || offset(&end)) {
        return Err(SqlError::unsupported(
            "RANGE frames with offsets are not supported",
        ));
    }
    Ok(Frame { rows, start, end })
}

/// Points window hooks at the columns the Window node appends after `width`.
pub(crate) fn rewrite_hooks(mut x: Expr, width: usize) -> Expr {
    let _ = x.rewrite(&mut |e| {
        Ok(match e {
            Expr::Window { index, ty } => Some(Expr::Column {
                index: width + index,
                ty: *ty,
                typmod: -1,
            }),
            _ => None,
        })
    });
    x
}

/// Applies a rewrite to every expression of a window call.
pub(crate) fn rewrite_call(
    w: &mut WindowCall,
    f: &dyn Fn(Expr) -> Result<Expr, SqlError>,
) -> Result<(), SqlError> {
    let map = |xs: &mut Vec<Expr>| -> Result<(), SqlError> {
        for x in xs.iter_mut() {
            *x = f(x.clone())?;
        }
        Ok(())
    };
    map(&mut w.args)?;
    map(&mut w.partition)?;
    for k in &mut w.order {
        k.expr = f(k.expr.clone())?;
    }
    if let Some(x) = w.filter.take() {
        w.filter = Some(f(x)?);
    }
    if let WindowFunc::Aggregate(call) = &mut w.func {
        map(&mut call.args)?;
        for k in &mut call.order {
            k.expr = f(k.expr.clone())?;
        }
    }
    Ok(())
}
