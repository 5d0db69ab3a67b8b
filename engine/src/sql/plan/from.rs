//! FROM items: tables, views, WITH queries, derived tables, set-returning
//! functions, and the joins between them.
//!
//! Items combine left to right into one row (a comma is a cross join).
//! Each join's ON condition is bound over the combined row; equality
//! conjuncts between a left and a right column become hash-join keys.
//! LATERAL items (and functions, which are implicitly lateral) see the
//! columns to their left as an outer level, and are re-run per left row.

use std::cell::Cell;

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, TableFactor};
use twill_types::{Oid, SqlState, oid};

use super::query::{StatementPlanner, ident, object_parts, rename};
use super::scope::{FromScope, ScopeColumn};
use super::{Access, JoinKind, OutputColumn, Plan, RecordOutput, RowLock, ScanPlan, SetFunction};
use crate::mvcc::RelationKind;
use crate::sql::error::SqlError;
use crate::sql::expr::{CastContext, Expr, Scope};

/// Plans a FROM clause: the joined plan and the scope of its row.
pub(crate) fn plan_from<'t>(
    planner: &StatementPlanner<'t>,
    from: &[ast::TableWithJoins],
    parent: Option<&FromScope<'_, 't>>,
    correlated: &Cell<bool>,
    lock: Option<RowLock>,
) -> Result<(Plan, Vec<ScopeColumn>), SqlError> {
    let mut acc: Option<(Plan, Vec<ScopeColumn>)> = None;
    for twj in from {
        let first = factor_plan(
            planner,
            &twj.relation,
            acc.as_ref().map(|a| &a.1),
            parent,
            correlated,
            lock,
        )?;
        let lateral_first = first.lateral;
        let (mut plan, mut cols) = (first.plan, first.cols);
        for join in &twj.joins {
            let right = factor_plan(
                planner,
                &join.relation,
                Some(&cols),
                parent,
                correlated,
                lock,
            )?;
            (plan, cols) = join_with(
                planner,
                plan,
                cols,
                right,
                &join.join_operator,
                parent,
                correlated,
            )?;
        }
        acc = Some(match acc {
            None => (plan, cols),
            Some((lp, lc)) => {
                let op = ast::JoinOperator::CrossJoin(ast::JoinConstraint::None);
                let right = Planned {
                    plan,
                    cols,
                    lateral: lateral_first && twj.joins.is_empty(),
                };
                join_with(planner, lp, lc, right, &op, parent, correlated)?
            }
        });
    }
    Ok(acc.unwrap_or((Plan::OneRow, Vec::new())))
}

/// A planned FROM item.
struct Planned {
    plan: Plan,
    cols: Vec<ScopeColumn>,
    /// It reads columns of the items to its left: re-run per left row.
    lateral: bool,
}

fn alias_parts(alias: &Option<ast::TableAlias>) -> (Option<String>, Vec<String>) {
    match alias {
        Some(a) => (
            Some(ident(&a.name)),
            a.columns.iter().map(|c| ident(&c.name)).collect(),
        ),
        None => (None, Vec::new()),
    }
}

fn scope_cols(qualifier: &str, columns: &[OutputColumn]) -> Vec<ScopeColumn> {
    columns
        .iter()
        .map(|c| ScopeColumn {
            table_oid: c.table_oid,
            attnum: c.attnum,
            ..ScopeColumn::new(Some(qualifier), &c.name, c.ty, c.typmod)
        })
        .collect()
}

fn factor_plan<'t>(
    planner: &StatementPlanner<'t>,
    factor: &TableFactor,
    left: Option<&Vec<ScopeColumn>>,
    parent: Option<&FromScope<'_, 't>>,
    correlated: &Cell<bool>,
    lock: Option<RowLock>,
) -> Result<Planned, SqlError> {
    match factor {
        TableFactor::Table {
            name,
            alias,
            args: Some(args),
            with_ordinality,
            ..
        } => {
            let fname = object_parts(name).last().cloned().unwrap_or_default();
            let exprs: Vec<ast::Expr> = args.args.iter().map(arg_expr).collect::<Result<_, _>>()?;
            function_item(
                planner,
                &fname,
                &exprs,
                *with_ordinality,
                alias,
                left,
                parent,
                correlated,
            )
        }
        TableFactor::Function {
            name,
            args,
            alias,
            with_ordinality,
            ..
        } => {
            let fname = object_parts(name).last().cloned().unwrap_or_default();
            let exprs: Vec<ast::Expr> = args.iter().map(arg_expr).collect::<Result<_, _>>()?;
            function_item(
                planner,
                &fname,
                &exprs,
                *with_ordinality,
                alias,
                left,
                parent,
                correlated,
            )
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_ordinality,
            ..
        } => function_item(
            planner,
            "unnest",
            array_exprs,
            *with_ordinality,
            alias,
            left,
            parent,
            correlated,
        ),
        TableFactor::Table { name, alias, .. } => {
            let parts = object_parts(name);
            let (alias_name, col_aliases) = alias_parts(alias);
            // A WITH query in scope (innermost first).
            if parts.len() == 1 {
                let cte = planner
                    .ctes
                    .borrow()
                    .iter()
                    .rev()
                    .find(|c| c.name == parts[0])
                    .cloned();
                if let Some(cte) = cte {
                    let q = alias_name.unwrap_or(cte.name.clone());
                    let columns: Vec<OutputColumn> = cte
                        .columns
                        .iter()
                        .map(|(n, ty, typmod)| OutputColumn {
                            name: n.clone(),
                            ty: *ty,
                            typmod: *typmod,
                            table_oid: 0,
                            attnum: 0,
                        })
                        .collect();
                    let columns = rename(columns, &col_aliases, &q)?;
                    let plan = if cte.work_table {
                        Plan::WorkTable { id: cte.id }
                    } else {
                        Plan::CteScan { id: cte.id }
                    };
                    return Ok(Planned {
                        plan,
                        cols: scope_cols(&q, &columns),
                        lateral: false,
                    });
                }
            }
            // A system catalog (`pg_catalog.pg_class`, `information_schema.tables`,
            // or an unqualified `pg_…` name no user relation shadows).
            if let Some(table) = crate::sql::system::SystemTable::resolve(&parts, |p| {
                planner.relation_by_parts(p).map(|d| d.is_some())
            })? {
                let q = alias_name.unwrap_or_else(|| parts.last().cloned().unwrap_or_default());
                let columns = rename(table.output_columns(), &col_aliases, &q)?;
                return Ok(Planned {
                    plan: Plan::System {
                        table,
                        relation: None,
                    },
                    cols: scope_cols(&q, &columns),
                    lateral: false,
                });
            }
            let def = planner.relation(name)?;
            let q = alias_name.unwrap_or_else(|| parts.last().cloned().unwrap_or_default());
            match &def.kind {
                RelationKind::View { query } => {
                    let ast = crate::sql::front::parse_query(query)?;
                    let (plan, columns) = planner.plan_query(&ast, None, &Cell::new(false))?;
                    let columns = rename(columns, &col_aliases, &q)?;
                    Ok(Planned {
                        plan,
                        cols: scope_cols(&q, &columns),
                        lateral: false,
                    })
                }
                RelationKind::Sequence(_) => Err(SqlError::unsupported(
                    "reading a sequence as a table is not supported",
                )),
                RelationKind::Schema => Err(SqlError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{}\" does not exist", parts.join(".")),
                )),
                RelationKind::Table => {
                    let table_oid = crate::sql::catalog::table_oid(def.id);
                    let mut cols: Vec<ScopeColumn> = def
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| ScopeColumn {
                            table_oid,
                            attnum: i as i16 + 1,
                            ..ScopeColumn::new(Some(&q), &c.name, c.type_oid, c.typmod)
                        })
                        .collect();
                    if col_aliases.len() > cols.len() {
                        return Err(SqlError::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            format!(
                                "table \"{q}\" has {} columns available but {} columns specified",
                                cols.len(),
                                col_aliases.len()
                            ),
                        ));
                    }
                    for (c, a) in cols.iter_mut().zip(&col_aliases) {
                        c.name = a.clone();
                    }
                    let with_key = lock.is_some();
                    if with_key {
                        cols.push(ScopeColumn {
                            system: true,
                            no_star: true,
                            hidden: true,
                            ..ScopeColumn::new(Some(&q), "ctid", oid::BYTEA, -1)
                        });
                    }
                    Ok(Planned {
                        plan: Plan::Scan(Box::new(ScanPlan {
                            table: def.id,
                            def: def.clone(),
                            access: Access::Full,
                            filter: None,
                            with_key,
                            reverse: false,
                            lock,
                        })),
                        cols,
                        lateral: false,
                    })
                }
            }
        }
        TableFactor::Derived {
            lateral,
            subquery,
            alias,
            ..
        } => {
            let (alias_name, col_aliases) = alias_parts(alias);
            if alias_name.is_none() {
                return Err(SqlError::syntax("subquery in FROM must have an alias")
                    .with_hint("For example, FROM (SELECT ...) [AS] foo."));
            }
            let left_cols = left.cloned().unwrap_or_default();
            let inner_correlated = Cell::new(false);
            let lateral_scope = FromScope {
                planner,
                columns: &left_cols,
                parent,
                correlated,
                calls: None,
                clause: "FROM",
            };
            let (plan, columns) = if *lateral && left.is_some() {
                planner.plan_query(subquery, Some(&lateral_scope), &inner_correlated)?
            } else {
                planner.plan_query(subquery, parent, correlated)?
            };
            let q = alias_name.unwrap_or_else(|| "unnamed_subquery".into());
            let columns = rename(columns, &col_aliases, &q)?;
            Ok(Planned {
                plan,
                cols: scope_cols(&q, &columns),
                lateral: *lateral && inner_correlated.get(),
            })
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            let (plan, mut cols) = plan_from(
                planner,
                std::slice::from_ref(table_with_joins),
                parent,
                correlated,
                lock,
            )?;
            if let Some(a) = alias {
                // An aliased join exposes only its own columns (USING
                // sides are hidden, the merged ones remain) under the alias.
                let q = ident(&a.name);
                for c in &mut cols {
                    if c.hidden {
                        c.system = true;
                    }
                    c.qualifier = Some(q.clone());
                }
            }
            Ok(Planned {
                plan,
                cols,
                lateral: false,
            })
        }
        _ => Err(SqlError::unsupported(
            "this kind of FROM item is not supported",
        )),
    }
}

fn arg_expr(a: &FunctionArg) -> Result<ast::Expr, SqlError> {
    match a {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e.clone()),
        _ => Err(SqlError::unsupported(
            "named function arguments are not supported",
        )),
    }
}

/// A set-returning function in FROM.
#[allow(clippy::too_many_arguments)]
fn function_item<'t>(
    planner: &StatementPlanner<'t>,
    name: &str,
    args: &[ast::Expr],
    ordinality: bool,
    alias: &Option<ast::TableAlias>,
    left: Option<&Vec<ScopeColumn>>,
    parent: Option<&FromScope<'_, 't>>,
    correlated: &Cell<bool>,
) -> Result<Planned, SqlError> {
    let left_cols = left.cloned().unwrap_or_default();
    let inner_correlated = Cell::new(false);
    // Function arguments see the items to their left as an outer level (a
    // lateral reference: the join re-runs the function per left row), and
    // beyond them the enclosing queries (which makes this query correlated).
    let lateral_scope = FromScope {
        planner,
        columns: &left_cols,
        parent,
        correlated,
        calls: None,
        clause: "functions in FROM",
    };
    let empty: Vec<ScopeColumn> = Vec::new();
    let scope = FromScope {
        planner,
        columns: &empty,
        parent: if left.is_some() {
            Some(&lateral_scope)
        } else {
            parent
        },
        correlated: if left.is_some() {
            &inner_correlated
        } else {
            correlated
        },
        calls: None,
        clause: "functions in FROM",
    };
    let bound: Vec<Expr> = planner.bind(&scope, |b| args.iter().map(|a| b.bind(a)).collect())?;
    let Some((func, types, names, args)) = set_function(planner, &scope, name, bound)? else {
        // A scalar function in FROM: one row, one column.
        let call = planner.bind(&scope, |b| {
            let f = ast::Expr::Function(ast::Function {
                name: ast::ObjectName::from(vec![ast::Ident::new(name)]),
                uses_odbc_syntax: false,
                parameters: FunctionArguments::None,
                args: FunctionArguments::List(ast::FunctionArgumentList {
                    duplicate_treatment: None,
                    args: args
                        .iter()
                        .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a.clone())))
                        .collect(),
                    clauses: vec![],
                }),
                filter: None,
                null_treatment: None,
                over: None,
                within_group: vec![],
            });
            b.bind_value(&f)
        })?;
        let (alias_name, col_aliases) = alias_parts(alias);
        let q = alias_name.unwrap_or_else(|| name.to_owned());
        let col = col_aliases.first().cloned().unwrap_or_else(|| q.clone());
        let mut columns = vec![OutputColumn {
            name: col,
            ty: call.ty(),
            typmod: -1,
            table_oid: 0,
            attnum: 0,
        }];
        let mut exprs = vec![call];
        // WITH ORDINALITY on a one-row function: its row is number 1.
        if ordinality {
            columns.push(OutputColumn {
                name: col_aliases
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| "ordinality".into()),
                ty: oid::INT8,
                typmod: -1,
                table_oid: 0,
                attnum: 0,
            });
            exprs.push(Expr::constant(twill_types::Value::Int8(1), oid::INT8));
        }
        return Ok(Planned {
            plan: Plan::Project {
                input: Box::new(Plan::OneRow),
                exprs,
            },
            cols: scope_cols(&q, &columns),
            lateral: inner_correlated.get(),
        });
    };
    let (alias_name, col_aliases) = alias_parts(alias);
    let q = alias_name.unwrap_or_else(|| name.to_owned());
    let mut columns: Vec<OutputColumn> = types
        .iter()
        .zip(&names)
        .map(|(&ty, n)| OutputColumn {
            name: n.clone(),
            ty,
            typmod: -1,
            table_oid: 0,
            attnum: 0,
        })
        .collect();
    // A single-column function takes the table alias as its column name.
    if columns.len() == 1 && col_aliases.is_empty() && alias.is_some() {
        columns[0].name = q.clone();
    }
    if ordinality {
        columns.push(OutputColumn {
            name: "ordinality".into(),
            ty: oid::INT8,
            typmod: -1,
            table_oid: 0,
            attnum: 0,
        });
    }
    let columns = rename(columns, &col_aliases, &q)?;
    Ok(Planned {
        plan: Plan::Function {
            func,
            args,
            ordinality,
        },
        cols: scope_cols(&q, &columns),
        lateral: inner_correlated.get(),
    })
}

type SetFunctionSig = (SetFunction, Vec<Oid>, Vec<String>, Vec<Expr>);

/// Recognises a set-returning function call and types it.
pub(crate) fn set_function<'t>(
    planner: &StatementPlanner<'t>,
    scope: &dyn Scope,
    name: &str,
    args: Vec<Expr>,
) -> Result<Option<SetFunctionSig>, SqlError> {
    let n = args.len();
    let one = |f: SetFunction, ty: Oid, args: Vec<Expr>| {
        Ok(Some((f, vec![ty], vec![name.to_owned()], args)))
    };
    match name {
        "generate_series" if n == 2 || n == 3 => {
            let (mut args, ty) = planner.bind(scope, |b| {
                let (two, ty) = b.unify(args[..2].to_vec(), "generate_series")?;
                let mut out = two;
                if n == 3 {
                    let step_ty = match ty {
                        oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::DATE => oid::INTERVAL,
                        _ => ty,
                    };
                    out.push(b.coerce(args[2].clone(), step_ty, -1, CastContext::Implicit)?);
                }
                Ok((out, ty))
            })?;
            let ty = match ty {
                oid::INT2 | oid::INT4 | oid::UNKNOWN => oid::INT4,
                oid::INT8 => oid::INT8,
                oid::NUMERIC => oid::NUMERIC,
                oid::TIMESTAMP => oid::TIMESTAMP,
                oid::TIMESTAMPTZ | oid::DATE => oid::TIMESTAMPTZ,
                oid::FLOAT4 | oid::FLOAT8 => oid::NUMERIC,
                other => {
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_FUNCTION,
                        format!(
                            "function generate_series({}) does not exist",
                            std::iter::repeat_n(crate::sql::types::type_name(other), n).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."));
                }
            };
            if matches!(ty, oid::TIMESTAMP | oid::TIMESTAMPTZ) && n != 3 {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    "function generate_series(timestamp, timestamp) does not exist",
                ));
            }
            for a in args.iter_mut().take(2) {
                *a = super::query::to_type(
                    std::mem::replace(a, Expr::constant(twill_types::Value::Null, ty)),
                    ty,
                );
            }
            if n == 3 && !matches!(ty, oid::TIMESTAMP | oid::TIMESTAMPTZ) {
                args[2] = super::query::to_type(args[2].clone(), ty);
            }
            one(SetFunction::GenerateSeries, ty, args)
        }
        "unnest" if n >= 1 => {
            let mut types = Vec::new();
            for a in &args {
                let t = a.ty();
                if t == oid::UNKNOWN || !crate::sql::expr::coerce::is_array(t) {
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_FUNCTION,
                        format!(
                            "function unnest({}) does not exist",
                            crate::sql::types::type_name(t)
                        ),
                    ));
                }
                types.push(crate::sql::expr::coerce::elem(t));
            }
            let names = if n == 1 {
                vec!["unnest".to_owned()]
            } else {
                (0..n).map(|_| "unnest".to_owned()).collect()
            };
            Ok(Some((SetFunction::Unnest, types, names, args)))
        }
        "_pg_expandarray" if n == 1 => {
            let t = args[0].ty();
            if t == oid::UNKNOWN || !crate::sql::expr::coerce::is_array(t) {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!(
                        "function information_schema._pg_expandarray({}) does not exist",
                        crate::sql::types::type_name(t)
                    ),
                ));
            }
            Ok(Some((
                SetFunction::ExpandArray {
                    output: RecordOutput::Columns,
                },
                vec![crate::sql::expr::coerce::elem(t), oid::INT4],
                vec!["x".into(), "n".into()],
                args,
            )))
        }
        "generate_subscripts" if n == 2 || n == 3 => {
            one(SetFunction::GenerateSubscripts, oid::INT4, args)
        }
        "jsonb_array_elements"
        | "json_array_elements"
        | "jsonb_array_elements_text"
        | "json_array_elements_text"
            if n == 1 =>
        {
            let jsonb = name.starts_with("jsonb");
            let text = name.ends_with("_text");
            let ty = json_value_type(text, jsonb);
            let args = coerce_json(planner, scope, args, jsonb)?;
            Ok(Some((
                SetFunction::JsonArrayElements { text, jsonb },
                vec![ty],
                vec!["value".into()],
                args,
            )))
        }
        "jsonb_each" | "json_each" | "jsonb_each_text" | "json_each_text" if n == 1 => {
            let jsonb = name.starts_with("jsonb");
            let text = name.ends_with("_text");
            let ty = json_value_type(text, jsonb);
            let args = coerce_json(planner, scope, args, jsonb)?;
            Ok(Some((
                SetFunction::JsonEach { text, jsonb },
                vec![oid::TEXT, ty],
                vec!["key".into(), "value".into()],
                args,
            )))
        }
        "jsonb_object_keys" | "json_object_keys" if n == 1 => {
            let args = coerce_json(planner, scope, args, name.starts_with("jsonb"))?;
            one(SetFunction::JsonObjectKeys, oid::TEXT, args)
        }
        "regexp_split_to_table" | "string_to_table" if n == 2 || n == 3 => {
            let args = coerce_all(planner, scope, args, oid::TEXT)?;
            one(
                SetFunction::SplitToTable {
                    regex: name == "regexp_split_to_table",
                },
                oid::TEXT,
                args,
            )
        }
        "regexp_matches" if n == 2 || n == 3 => {
            let args = coerce_all(planner, scope, args, oid::TEXT)?;
            one(SetFunction::RegexpMatches, oid::TEXT_ARRAY, args)
        }
        _ => Ok(None),
    }
}

fn coerce_json<'t>(
    planner: &StatementPlanner<'t>,
    scope: &dyn Scope,
    args: Vec<Expr>,
    jsonb: bool,
) -> Result<Vec<Expr>, SqlError> {
    coerce_all(
        planner,
        scope,
        args,
        if jsonb { oid::JSONB } else { oid::JSON },
    )
}

/// Coerces every argument to `ty` (implicit casts, as a call would).
fn coerce_all<'t>(
    planner: &StatementPlanner<'t>,
    scope: &dyn Scope,
    args: Vec<Expr>,
    ty: Oid,
) -> Result<Vec<Expr>, SqlError> {
    planner.bind(scope, |b| {
        args.into_iter()
            .map(|a| b.coerce(a, ty, -1, CastContext::Implicit))
            .collect()
    })
}

/// The value column type of the json/jsonb element and member functions.
fn json_value_type(text: bool, jsonb: bool) -> Oid {
    if text {
        oid::TEXT
    } else if jsonb {
        oid::JSONB
    } else {
        oid::JSON
    }
}

/// A set-returning function at the top of a select-list item, planned as
/// one column of a `Plan::ProjectSet`.
pub(crate) struct SelectListSet {
    /// The function, its output shaped to one column.
    pub(crate) func: SetFunction,
    /// The column's type.
    pub(crate) ty: Oid,
    /// The column's typmod: for a `record`, which fields it has
    /// (`expr::record`).
    pub(crate) typmod: i32,
    /// The bound arguments.
    pub(crate) args: Vec<Expr>,
}

/// A set-returning function at the top of a select-list item: `f(…)`, or
/// `(f(…)).field` for one field of a function with several columns.
pub(crate) fn select_list_srf<'t>(
    planner: &StatementPlanner<'t>,
    scope: &dyn Scope,
    e: &ast::Expr,
) -> Result<Option<SelectListSet>, SqlError> {
    let (call, field) = match e {
        ast::Expr::CompoundFieldAccess { root, access_chain } => match access_chain.as_slice() {
            [ast::AccessExpr::Dot(ast::Expr::Identifier(f))] => (unnest_parens(root), Some(f)),
            _ => return Ok(None),
        },
        e => (e, None),
    };
    let ast::Expr::Function(f) = call else {
        return Ok(None);
    };
    if f.over.is_some() || f.filter.is_some() {
        return Ok(None);
    }
    let name = object_parts(&f.name).last().cloned().unwrap_or_default();
    if !matches!(
        name.as_str(),
        "generate_series"
            | "unnest"
            | "generate_subscripts"
            | "jsonb_array_elements"
            | "json_array_elements"
            | "jsonb_array_elements_text"
            | "json_array_elements_text"
            | "jsonb_object_keys"
            | "json_object_keys"
            | "regexp_split_to_table"
            | "string_to_table"
            | "regexp_matches"
            | "_pg_expandarray"
    ) {
        return Ok(None);
    }
    let FunctionArguments::List(list) = &f.args else {
        return Ok(None);
    };
    let asts: Vec<ast::Expr> = list.args.iter().map(arg_expr).collect::<Result<_, _>>()?;
    let bound: Vec<Expr> = planner.bind(scope, |b| asts.iter().map(|a| b.bind(a)).collect())?;
    let Some((func, types, names, args)) = set_function(planner, scope, &name, bound)? else {
        return Ok(None);
    };
    let shaped = |output| match func {
        SetFunction::ExpandArray { .. } => Ok(SetFunction::ExpandArray { output }),
        _ => Err(SqlError::unsupported(
            "set-returning functions with several columns are supported only in FROM",
        )),
    };
    Ok(Some(match field {
        Some(f) => {
            let want = super::query::ident(f);
            let Some(k) = names.iter().position(|n| *n == want) else {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("could not identify column \"{want}\" in record data type"),
                ));
            };
            SelectListSet {
                func: if types.len() == 1 {
                    func
                } else {
                    shaped(RecordOutput::Field(k))?
                },
                ty: types[k],
                typmod: -1,
                args,
            }
        }
        None if types.len() == 1 => SelectListSet {
            func,
            ty: types[0],
            typmod: -1,
            args,
        },
        None => {
            let fields: Vec<(&str, Oid)> = names
                .iter()
                .map(String::as_str)
                .zip(types.iter().copied())
                .collect();
            SelectListSet {
                func: shaped(RecordOutput::Record)?,
                ty: oid::RECORD,
                typmod: crate::sql::expr::record::register(&fields),
                args,
            }
        }
    }))
}

/// `((x))` → `x`.
fn unnest_parens(mut e: &ast::Expr) -> &ast::Expr {
    while let ast::Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// Joins `right` to `left` with a join operator.
#[allow(clippy::too_many_arguments)]
fn join_with<'t>(
    planner: &StatementPlanner<'t>,
    left: Plan,
    lcols: Vec<ScopeColumn>,
    right: Planned,
    op: &ast::JoinOperator,
    parent: Option<&FromScope<'_, 't>>,
    correlated: &Cell<bool>,
) -> Result<(Plan, Vec<ScopeColumn>), SqlError> {
    use ast::JoinOperator as J;
    let Planned {
        plan: right,
        cols: rcols,
        lateral,
    } = right;
    let (kind, constraint) = match op {
        J::Join(c) | J::Inner(c) => (JoinKind::Inner, Some(c)),
        J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, Some(c)),
        J::Right(c) | J::RightOuter(c) => (JoinKind::Right, Some(c)),
        J::FullOuter(c) => (JoinKind::Full, Some(c)),
        J::CrossJoin(_) => (JoinKind::Inner, None),
        _ => return Err(SqlError::unsupported("this kind of join is not supported")),
    };
    if lateral && matches!(kind, JoinKind::Right | JoinKind::Full) {
        return Err(SqlError::syntax(
            "invalid reference to FROM-clause entry for table",
        ));
    }
    for q in rcols.iter().filter_map(|c| c.qualifier.as_deref()) {
        if lcols.iter().any(|c| c.qualifier.as_deref() == Some(q)) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_ALIAS,
                format!("table name \"{q}\" specified more than once"),
            ));
        }
    }
    let (lw, rw) = (lcols.len(), rcols.len());
    let mut cols: Vec<ScopeColumn> = lcols.iter().cloned().chain(rcols.iter().cloned()).collect();
    // USING / NATURAL: the join columns, merged.
    let using: Option<Vec<String>> = match constraint {
        Some(ast::JoinConstraint::Using(names)) => Some(
            names
                .iter()
                .map(|n| object_parts(n).last().cloned().unwrap_or_default())
                .collect(),
        ),
        Some(ast::JoinConstraint::Natural) => Some(
            lcols
                .iter()
                .filter(|c| !c.hidden && !c.system)
                .filter(|c| {
                    rcols
                        .iter()
                        .any(|r| !r.hidden && !r.system && r.name == c.name)
                })
                .map(|c| c.name.clone())
                .collect(),
        ),
        _ => None,
    };
    let scope_cols_now = cols.clone();
    let scope = FromScope {
        planner,
        columns: &scope_cols_now,
        parent,
        correlated,
        calls: None,
        clause: "JOIN conditions",
    };
    let mut condition: Option<Expr> = None;
    let mut merged: Vec<(String, Expr, Oid, i32)> = Vec::new();
    if let Some(names) = &using {
        let mut conds = Vec::new();
        for name in names {
            let find = |cs: &[ScopeColumn], side: &str| -> Result<usize, SqlError> {
                let hits: Vec<usize> = cs
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.hidden && !c.system && &c.name == name)
                    .map(|(i, _)| i)
                    .collect();
                match hits.as_slice() {
                    [i] => Ok(*i),
                    [] => Err(SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!(
                            "column \"{name}\" specified in USING clause does not exist in {side} table"
                        ),
                    )),
                    _ => Err(SqlError::new(
                        SqlState::AMBIGUOUS_COLUMN,
                        format!(
                            "common column name \"{name}\" appears more than once in {side} table"
                        ),
                    )),
                }
            };
            let li = find(&lcols, "left")?;
            let ri = find(&rcols, "right")? + lw;
            let lx = Expr::Column {
                index: li,
                ty: cols[li].ty,
                typmod: cols[li].typmod,
            };
            let rx = Expr::Column {
                index: ri,
                ty: cols[ri].ty,
                typmod: cols[ri].typmod,
            };
            let eq = planner.bind(&scope, |b| b.operator(None, "=", lx.clone(), rx.clone()))?;
            conds.push(eq);
            let (xs, ty) = planner.bind(&scope, |b| b.unify(vec![lx, rx], "JOIN/USING"))?;
            let value = match kind {
                JoinKind::Inner | JoinKind::Left => xs[0].clone(),
                JoinKind::Right => xs[1].clone(),
                JoinKind::Full => Expr::Coalesce { args: xs, ty },
            };
            merged.push((name.clone(), value, ty, -1));
            for i in [li, ri] {
                cols[i].hidden = true;
                cols[i].no_star = true;
            }
        }
        condition = match conds.len() {
            0 => None,
            1 => conds.pop(),
            _ => Some(Expr::And(conds)),
        };
    } else if let Some(ast::JoinConstraint::On(on)) = constraint {
        condition = Some(planner.bind(&scope, |b| b.bind_condition(on, "JOIN/ON"))?);
    } else if constraint.is_some_and(|c| matches!(c, ast::JoinConstraint::None))
        && !matches!(op, J::CrossJoin(_))
    {
        return Err(SqlError::syntax("syntax error at end of input"));
    }
    let (hash_keys, condition) = if lateral {
        (Vec::new(), condition)
    } else {
        super::access::split_hash_keys(condition, lw)
    };
    let mut plan = Plan::Join {
        kind,
        left: Box::new(left),
        right: Box::new(right),
        left_width: lw,
        right_width: rw,
        hash_keys,
        condition,
        lateral,
    };
    if !merged.is_empty() {
        // Append the merged columns; they come first for `*`.
        let width = cols.len();
        let mut exprs: Vec<Expr> = (0..width)
            .map(|i| Expr::Column {
                index: i,
                ty: cols[i].ty,
                typmod: cols[i].typmod,
            })
            .collect();
        let mut front = Vec::new();
        for (name, value, ty, typmod) in merged {
            exprs.push(value);
            front.push(ScopeColumn::new(None, &name, ty, typmod));
        }
        plan = Plan::Project {
            input: Box::new(plan),
            exprs,
        };
        // The merged columns are appended (expressions refer to positions);
        // `*` lists unqualified columns first, as PostgreSQL lists them.
        cols.extend(front);
    }
    Ok((plan, cols))
}
