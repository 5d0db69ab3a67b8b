//! GROUP BY and aggregates: collecting aggregate calls while the select
//! list is bound, and rewriting the expressions above the aggregation.
//!
//! The binder meets `sum(x)` inside `sum(x) * 2 + y`: it hands the call to
//! [`Collector`], which binds the arguments over the input row, records an
//! [`AggCall`] and returns a hook node `Expr::Aggregate { index }`. Once the
//! whole select list, HAVING and ORDER BY are bound, the aggregation's
//! output row is `[group values…, aggregate values…]`, and
//! [`rewrite_grouped`] turns every expression above it into one over that
//! row: a subtree equal to a GROUP BY expression becomes that group column,
//! a hook becomes its aggregate column, and any other input column is
//! PostgreSQL's 42803 "must appear in the GROUP BY clause".

use std::cell::{Cell, RefCell};

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};
use twill_types::{Oid, SqlState, oid};

use super::query::{StatementPlanner, object_parts, sort_key};
use super::scope::{CallSink, FromScope, ScopeColumn};
use super::window::bind_window;
use super::{AggCall, AggFunc, Plan, WindowCall};
use crate::sql::error::SqlError;
use crate::sql::expr::coerce::{array_of, is_array};
use crate::sql::expr::{Binder, CastContext, Expr};

/// Collects the aggregate and window calls of one query level.
pub(crate) struct Collector<'p, 't> {
    pub planner: &'p StatementPlanner<'t>,
    pub columns: &'p [ScopeColumn],
    pub parent: Option<&'p FromScope<'p, 't>>,
    pub correlated: &'p Cell<bool>,
    aggs: RefCell<Vec<AggCall>>,
    windows: RefCell<Vec<WindowCall>>,
    /// `WINDOW w AS (…)` definitions of this query level.
    named: Vec<ast::NamedWindowDefinition>,
}

impl<'p, 't> Collector<'p, 't> {
    pub(crate) fn new(
        planner: &'p StatementPlanner<'t>,
        columns: &'p [ScopeColumn],
        parent: Option<&'p FromScope<'p, 't>>,
        correlated: &'p Cell<bool>,
    ) -> Collector<'p, 't> {
        Collector {
            planner,
            columns,
            parent,
            correlated,
            aggs: RefCell::new(Vec::new()),
            windows: RefCell::new(Vec::new()),
            named: Vec::new(),
        }
    }

    /// Uses the query's `WINDOW` clause.
    pub(crate) fn with_named_windows(mut self, named: &[ast::NamedWindowDefinition]) -> Self {
        self.named = named.to_vec();
        self
    }

    /// A named window's specification (42704 when there is none).
    pub(crate) fn named_window(&self, name: &str) -> Result<ast::WindowSpec, SqlError> {
        let def = self
            .named
            .iter()
            .find(|d| super::query::ident(&d.0) == name)
            .ok_or_else(|| {
                SqlError::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("window \"{name}\" does not exist"),
                )
            })?;
        match &def.1 {
            ast::NamedWindowExpr::WindowSpec(spec) => self.resolve_window(spec),
            ast::NamedWindowExpr::NamedWindow(other) => {
                self.named_window(&super::query::ident(other))
            }
        }
    }

    /// `OVER (w ORDER BY …)`: a window that copies a named one's partition
    /// (and ordering, when it has none of its own).
    pub(crate) fn resolve_window(
        &self,
        spec: &ast::WindowSpec,
    ) -> Result<ast::WindowSpec, SqlError> {
        let Some(base) = &spec.window_name else {
            return Ok(spec.clone());
        };
        let base = self.named_window(&super::query::ident(base))?;
        Ok(ast::WindowSpec {
            window_name: None,
            partition_by: base.partition_by,
            order_by: if spec.order_by.is_empty() {
                base.order_by
            } else {
                spec.order_by.clone()
            },
            window_frame: spec.window_frame.clone().or(base.window_frame),
        })
    }

    /// Binds over the input row where aggregates are allowed but window
    /// functions are not (window definitions of a grouped query).
    pub(crate) fn bind_with_aggregates<T>(
        &self,
        binder: &mut Binder<'_>,
        f: impl FnOnce(&mut Binder<'_>) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let sink = AggregatesOnly(self);
        let scope = FromScope {
            planner: self.planner,
            columns: self.columns,
            parent: self.parent,
            correlated: self.correlated,
            calls: Some(&sink),
            clause: "window definitions",
        };
        *self.planner.params.borrow_mut() = std::mem::take(&mut binder.params);
        let result = self.planner.bind(&scope, f);
        binder.params = std::mem::take(&mut *self.planner.params.borrow_mut());
        result
    }

    pub(crate) fn take_aggregates(&self) -> Vec<AggCall> {
        self.aggs.take()
    }

    pub(crate) fn take_windows(&self) -> Vec<WindowCall> {
        self.windows.take()
    }

    /// Binds with a scope over the input row where aggregates are not
    /// allowed (arguments of an aggregate), sharing `binder`'s parameters.
    pub(crate) fn bind_inner<T>(
        &self,
        binder: &mut Binder<'_>,
        clause: &'static str,
        f: impl FnOnce(&mut Binder<'_>) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let scope = FromScope {
            planner: self.planner,
            columns: self.columns,
            parent: self.parent,
            correlated: self.correlated,
            calls: None,
            clause,
        };
        *self.planner.params.borrow_mut() = std::mem::take(&mut binder.params);
        let result = self.planner.bind(&scope, f);
        binder.params = std::mem::take(&mut *self.planner.params.borrow_mut());
        result
    }

    pub(crate) fn push_window(&self, call: WindowCall) -> usize {
        let mut w = self.windows.borrow_mut();
        w.push(call);
        w.len() - 1
    }
}

/// The parts of an aggregate call's syntax.
pub(crate) struct AggSyntax<'a> {
    pub name: String,
    pub args: Vec<&'a ast::Expr>,
    pub star: bool,
    pub distinct: bool,
    pub order: Vec<ast::OrderByExpr>,
}

pub(crate) fn agg_syntax(func: &ast::Function) -> Result<AggSyntax<'_>, SqlError> {
    let name = object_parts(&func.name).last().cloned().unwrap_or_default();
    let mut out = AggSyntax {
        name,
        args: Vec::new(),
        star: false,
        distinct: false,
        order: func.within_group.clone(),
    };
    match &func.args {
        FunctionArguments::None => {}
        FunctionArguments::Subquery(_) => {
            return Err(SqlError::unsupported(
                "subquery arguments are not supported",
            ));
        }
        FunctionArguments::List(list) => {
            out.distinct = matches!(
                list.duplicate_treatment,
                Some(ast::DuplicateTreatment::Distinct)
            );
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.args.push(e),
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => out.star = true,
                    _ => {
                        return Err(SqlError::unsupported(
                            "this function argument form is not supported",
                        ));
                    }
                }
            }
            for c in &list.clauses {
                match c {
                    ast::FunctionArgumentClause::OrderBy(o) => out.order.extend(o.iter().cloned()),
                    _ => {
                        return Err(SqlError::unsupported(
                            "this aggregate clause is not supported",
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn no_function(name: &str, types: &[Oid]) -> SqlError {
    SqlError::new(
        SqlState::UNDEFINED_FUNCTION,
        format!(
            "function {name}({}) does not exist",
            types
                .iter()
                .map(|&t| crate::sql::types::type_name(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

/// Binds an aggregate call's arguments and resolves its result type.
pub(crate) fn bind_agg_call(
    c: &Collector<'_, '_>,
    func: &ast::Function,
    binder: &mut Binder<'_>,
    over_window: bool,
) -> Result<AggCall, SqlError> {
    let syn = agg_syntax(func)?;
    let name = syn.name.as_str();
    let bind_args = |b: &mut Binder<'_>| {
        let mut args = syn
            .args
            .iter()
            .map(|a| b.bind(a))
            .collect::<Result<Vec<_>, _>>()?;
        for a in &mut args {
            if a.ty() == oid::UNKNOWN {
                *a = super::query::to_type(a.clone(), oid::TEXT);
            }
        }
        let filter = match &func.filter {
            Some(f) => Some(b.bind_condition(f, "FILTER")?),
            None => None,
        };
        let order = syn
            .order
            .iter()
            .map(|o| Ok(sort_key(b.bind_value(&o.expr)?, &o.options)))
            .collect::<Result<Vec<_>, SqlError>>()?;
        Ok((args, filter, order))
    };
    // An aggregate used as a window function may take aggregates of the
    // grouped query as arguments (`sum(count(*)) OVER ()`).
    let (args, filter, order) = if over_window {
        c.bind_with_aggregates(binder, bind_args)?
    } else {
        c.bind_inner(binder, "aggregate function calls", bind_args)?
    };
    let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
    let int = |t: Oid| matches!(t, oid::INT2 | oid::INT4 | oid::INT8);
    let numericish =
        |t: Oid| int(t) || matches!(t, oid::NUMERIC | oid::FLOAT4 | oid::FLOAT8 | oid::INTERVAL);
    let (agg, ty, args) = match (name, args.len()) {
        ("count", 0) if syn.star => (AggFunc::CountStar, oid::INT8, args),
        ("count", 1) => (AggFunc::Count, oid::INT8, args),
        ("sum", 1) if numericish(types[0]) => {
            let ty = match types[0] {
                oid::INT2 | oid::INT4 => oid::INT8,
                oid::INT8 => oid::NUMERIC,
                t => t,
            };
            (AggFunc::Sum, ty, args)
        }
        ("avg", 1) if numericish(types[0]) => {
            let ty = match types[0] {
                oid::FLOAT4 | oid::FLOAT8 => oid::FLOAT8,
                oid::INTERVAL => oid::INTERVAL,
                _ => oid::NUMERIC,
            };
            (AggFunc::Avg, ty, args)
        }
        ("min" | "max", 1) => {
            let f = if name == "min" {
                AggFunc::Min
            } else {
                AggFunc::Max
            };
            let ty = if types[0] == oid::UNKNOWN {
                oid::TEXT
            } else {
                types[0]
            };
            if matches!(ty, oid::JSON | oid::VOID) {
                return Err(no_function(name, &types));
            }
            (f, ty, args)
        }
        ("bool_and" | "every" | "bool_or", 1) => {
            if types[0] != oid::BOOL {
                return Err(no_function(name, &types));
            }
            let f = if name == "bool_or" {
                AggFunc::BoolOr
            } else {
                AggFunc::BoolAnd
            };
            (f, oid::BOOL, args)
        }
        ("string_agg", 2) => {
            let ty = if types[0] == oid::BYTEA {
                oid::BYTEA
            } else {
                oid::TEXT
            };
            let args = c.bind_inner(binder, "aggregate function calls", |b| {
                args.into_iter()
                    .map(|a| b.coerce(a, ty, -1, CastContext::Implicit))
                    .collect::<Result<Vec<_>, _>>()
            })?;
            (AggFunc::StringAgg, ty, args)
        }
        ("array_agg", 1) => {
            let t = types[0];
            if is_array(t) {
                return Err(SqlError::unsupported(
                    "array_agg of arrays is not supported",
                ));
            }
            (AggFunc::ArrayAgg, array_of(t), args)
        }
        ("json_agg" | "jsonb_agg", 1) => {
            let jsonb = name == "jsonb_agg";
            (
                AggFunc::JsonAgg { jsonb },
                if jsonb { oid::JSONB } else { oid::JSON },
                args,
            )
        }
        ("json_object_agg" | "jsonb_object_agg", 2) => {
            let jsonb = name == "jsonb_object_agg";
            (
                AggFunc::JsonObjectAgg { jsonb },
                if jsonb { oid::JSONB } else { oid::JSON },
                args,
            )
        }
        ("grouping", n) if n >= 1 => (AggFunc::Grouping, oid::INT4, args),
        ("bit_and" | "bit_or", 1) if int(types[0]) => {
            let f = if name == "bit_and" {
                AggFunc::BitAnd
            } else {
                AggFunc::BitOr
            };
            (f, types[0], args)
        }
        ("stddev" | "stddev_samp" | "stddev_pop" | "variance" | "var_samp" | "var_pop", 1)
            if numericish(types[0]) && types[0] != oid::INTERVAL =>
        {
            let sample = !name.ends_with("_pop");
            let stddev = name.starts_with("stddev");
            let ty = if matches!(types[0], oid::FLOAT4 | oid::FLOAT8) {
                oid::FLOAT8
            } else {
                oid::NUMERIC
            };
            (AggFunc::Variance { sample, stddev }, ty, args)
        }
        _ => {
            if !crate::sql::expr::bind::AGGREGATES.contains(&name) && !syn.star {
                // A plain function written with DISTINCT/FILTER/ORDER BY.
                return Err(SqlError::new(
                    SqlState::WRONG_OBJECT_TYPE,
                    format!("DISTINCT specified, but {name} is not an aggregate function"),
                ));
            }
            return Err(no_function(name, &types));
        }
    };
    if syn.distinct && !syn.order.is_empty() {
        // PostgreSQL requires ORDER BY expressions to be arguments.
        for o in &order {
            if !args.contains(&o.expr) {
                return Err(SqlError::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                ));
            }
        }
    }
    Ok(AggCall {
        func: agg,
        args,
        distinct: syn.distinct,
        filter,
        order,
        ty,
        helper: None,
    })
}

/// Aggregates go to the collector; window calls are refused (nested).
struct AggregatesOnly<'c, 'p, 't>(&'c Collector<'p, 't>);

impl CallSink for AggregatesOnly<'_, '_, '_> {
    fn aggregate(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        self.0.aggregate(func, binder)
    }

    fn window(&self, _: &ast::Function, _: &mut Binder<'_>) -> Result<Expr, SqlError> {
        Err(SqlError::new(
            SqlState::WINDOWING_ERROR,
            "window function calls cannot be nested",
        ))
    }
}

impl CallSink for Collector<'_, '_> {
    fn aggregate(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        let call = bind_agg_call(self, func, binder, false)?;
        let ty = call.ty;
        let mut aggs = self.aggs.borrow_mut();
        let index = match aggs.iter().position(|a| *a == call) {
            Some(i) => i,
            None => {
                aggs.push(call);
                aggs.len() - 1
            }
        };
        Ok(Expr::Aggregate { index, ty })
    }

    fn window(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        bind_window(self, func, binder)
    }
}

/// The GROUP BY keys (reserved for functional dependencies on primary keys).
pub(crate) fn functional_keys(
    group: &[Expr],
    _columns: &[ScopeColumn],
    _planner: &StatementPlanner<'_>,
) -> Result<Vec<Expr>, SqlError> {
    Ok(group.to_vec())
}

/// The width of an aggregation's output (below HAVING filters).
pub(crate) fn grouped_width(plan: &Plan) -> usize {
    match plan {
        Plan::Aggregate { group, aggs, .. } => group.len() + aggs.len(),
        Plan::Filter { input, .. } => grouped_width(input),
        _ => 0,
    }
}

/// Rewrites an expression over the input row into one over the
/// aggregation's output `[group values…, aggregate values…]`.
pub(crate) fn rewrite_grouped(
    mut x: Expr,
    group: &[Expr],
    ngroups: usize,
    columns: &[ScopeColumn],
) -> Result<Expr, SqlError> {
    x.rewrite(&mut |e| {
        if let Some(i) = group.iter().position(|g| g == e) {
            return Ok(Some(Expr::Column {
                index: i,
                ty: e.ty(),
                typmod: e.typmod(),
            }));
        }
        match e {
            Expr::Aggregate { index, ty } => Ok(Some(Expr::Column {
                index: ngroups + index,
                ty: *ty,
                typmod: -1,
            })),
            Expr::Column { index, .. } => {
                let c = &columns[*index];
                let name = match &c.qualifier {
                    Some(q) => format!("{q}.{}", c.name),
                    None => c.name.clone(),
                };
                Err(SqlError::new(
                    SqlState::GROUPING_ERROR,
                    format!("column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function"),
                ))
            }
            _ => Ok(None),
        }
    })?;
    Ok(x)
}
