//! INSERT, UPDATE and DELETE: planned once (so a prepared statement knows
//! its parameter and RETURNING types), executed per call.
//!
//! Every written row passes the same checks, in PostgreSQL's order: NOT
//! NULL (23502), CHECK constraints (23514), then the storage layer's
//! unique keys (23505). UPDATE and DELETE first gather the rows they will
//! change (so a statement never sees its own writes — no Halloween
//! problem), then lock each one; under READ COMMITTED a row that a
//! concurrent transaction changed meanwhile is re-checked against WHERE
//! and re-computed from its newest version (PostgreSQL's EvalPlanQual).

use std::cell::Cell;
use std::sync::Arc;

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use twill_types::{SqlState, Value, oid};

use crate::mvcc::{Key, LockMode, LockOutcome, TableDef, WaitPolicy};
use crate::sql::error::SqlError;
use crate::sql::exec::{Exec, Row};
use crate::sql::expr::{CastContext, Expr, NoColumns};
use crate::sql::plan::query::{StatementPlanner, column_name, ident, object_parts};
use crate::sql::plan::scope::{FromScope, ScopeColumn};
use crate::sql::plan::{Access, OutputColumn, Plan, ScanPlan};

/// RETURNING: expressions over the written row and their columns.
#[derive(Debug, Clone)]
pub(crate) struct Returning {
    pub exprs: Vec<Expr>,
    pub columns: Vec<OutputColumn>,
}

/// ON CONFLICT.
#[derive(Debug, Clone)]
pub(crate) enum Conflict {
    Nothing,
    /// DO UPDATE SET …: (column, expression over `existing ++ excluded`), WHERE.
    Update {
        sets: Vec<(usize, Expr)>,
        filter: Option<Expr>,
    },
}

/// A planned INSERT.
#[derive(Debug, Clone)]
pub(crate) struct InsertPlan {
    pub def: Arc<TableDef>,
    /// Produces complete rows, already of the table's column types.
    pub source: Plan,
    pub checks: Vec<(String, Expr)>,
    pub returning: Option<Returning>,
    pub conflict: Option<Conflict>,
    /// The relations it was planned against.
    pub dependencies: Vec<(String, Arc<TableDef>)>,
}

/// A planned UPDATE or DELETE.
#[derive(Debug, Clone)]
pub(crate) struct ModifyPlan {
    pub def: Arc<TableDef>,
    /// Rows of `target columns…, key, other FROM/USING columns…`.
    pub source: Plan,
    /// The WHERE condition over that row (re-checked on newer versions).
    pub filter: Option<Expr>,
    /// UPDATE: (column, new value over the source row). Empty for DELETE.
    pub sets: Vec<(usize, Expr)>,
    pub checks: Vec<(String, Expr)>,
    pub returning: Option<Returning>,
    pub delete: bool,
    /// The relations it was planned against.
    pub dependencies: Vec<(String, Arc<TableDef>)>,
}

fn parse_expr(text: &str) -> Result<ast::Expr, SqlError> {
    let dialect = PostgreSqlDialect {};
    Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::internal(format!("stored expression does not parse: {e}")))
}

/// The scope of a table's own row (CHECK constraints, RETURNING).
fn table_scope(def: &TableDef, qualifier: &str) -> Vec<ScopeColumn> {
    let oid = crate::sql::catalog::table_oid(def.id);
    def.columns
        .iter()
        .enumerate()
        .map(|(i, c)| ScopeColumn {
            table_oid: oid,
            attnum: i as i16 + 1,
            ..ScopeColumn::new(Some(qualifier), &c.name, c.type_oid, c.typmod)
        })
        .collect()
}

/// The default of column `i`, bound and coerced to its type.
fn default_expr(
    planner: &StatementPlanner<'_>,
    def: &TableDef,
    i: usize,
) -> Result<Expr, SqlError> {
    let c = &def.columns[i];
    match &c.default {
        None => Ok(Expr::Const {
            value: Value::Null,
            ty: c.type_oid,
            typmod: c.typmod,
        }),
        Some(text) => {
            let e = parse_expr(text)?;
            planner.bind(&NoColumns, |b| {
                b.bind_assignment(&e, &c.name, c.type_oid, c.typmod)
            })
        }
    }
}

fn checks(planner: &StatementPlanner<'_>, def: &TableDef) -> Result<Vec<(String, Expr)>, SqlError> {
    let cols = table_scope(def, &def.name);
    let correlated = Cell::new(false);
    let scope = FromScope {
        planner,
        columns: &cols,
        parent: None,
        correlated: &correlated,
        calls: None,
        clause: "check constraints",
    };
    def.checks
        .iter()
        .map(|c| {
            let e = parse_expr(&c.expr)?;
            Ok((
                c.name.clone(),
                planner.bind(&scope, |b| b.bind_condition(&e, "CHECK"))?,
            ))
        })
        .collect()
}

fn returning(
    planner: &StatementPlanner<'_>,
    items: &Option<Vec<ast::SelectItem>>,
    cols: &[ScopeColumn],
) -> Result<Option<Returning>, SqlError> {
    let Some(items) = items else { return Ok(None) };
    let correlated = Cell::new(false);
    let scope = FromScope {
        planner,
        columns: cols,
        parent: None,
        correlated: &correlated,
        calls: None,
        clause: "RETURNING",
    };
    let mut exprs = Vec::new();
    let mut columns = Vec::new();
    for item in items {
        match item {
            ast::SelectItem::Wildcard(_) => {
                for (i, c) in cols.iter().enumerate() {
                    if c.no_star || c.system {
                        continue;
                    }
                    exprs.push(Expr::Column {
                        index: i,
                        ty: c.ty,
                        typmod: c.typmod,
                    });
                    columns.push(OutputColumn {
                        name: c.name.clone(),
                        ty: c.ty,
                        typmod: c.typmod,
                        table_oid: c.table_oid,
                        attnum: c.attnum,
                    });
                }
            }
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                let name = match item {
                    ast::SelectItem::ExprWithAlias { alias, .. } => ident(alias),
                    _ => column_name(e),
                };
                let x = planner.bind(&scope, |b| b.bind_value(e))?;
                let x = if x.ty() == oid::UNKNOWN {
                    crate::sql::plan::query::to_type(x, oid::TEXT)
                } else {
                    x
                };
                let (table_oid, attnum) = match &x {
                    Expr::Column { index, .. } => (cols[*index].table_oid, cols[*index].attnum),
                    _ => (0, 0),
                };
                columns.push(OutputColumn {
                    name,
                    ty: x.ty(),
                    typmod: x.typmod(),
                    table_oid,
                    attnum,
                });
                exprs.push(x);
            }
            _ => {
                return Err(SqlError::unsupported(
                    "this RETURNING item is not supported",
                ));
            }
        }
    }
    Ok(Some(Returning { exprs, columns }))
}

/// The default of column `c` evaluated now (SET DEFAULT actions, ALTER
/// TABLE ADD COLUMN).
pub(crate) fn column_default(exec: &Exec<'_>, def: &TableDef, c: usize) -> Result<Value, SqlError> {
    let col = &def.columns[c];
    let Some(text) = &col.default else {
        return Ok(Value::Null);
    };
    let e = parse_expr(text)?;
    let x = crate::sql::expr::Binder::new(&NoColumns)
        .with_settings(exec.settings.clone())
        .bind_assignment(&e, &col.name, col.type_oid, col.typmod)?;
    let eval = exec.eval_context();
    x.eval(&eval, &[])
}

/// 428C9: an explicit value for a GENERATED ALWAYS identity column.
fn identity_always(column: &str) -> SqlError {
    SqlError::new(
        SqlState::from_code("428C9"),
        format!("cannot insert a non-DEFAULT value into column \"{column}\""),
    )
    .with_detail(format!(
        "Column \"{column}\" is an identity column defined as GENERATED ALWAYS."
    ))
    .with_hint("Use OVERRIDING SYSTEM VALUE to override.")
}

fn target(
    planner: &StatementPlanner<'_>,
    name: &ast::ObjectName,
) -> Result<Arc<TableDef>, SqlError> {
    let def = planner.relation(name)?;
    match def.kind {
        crate::mvcc::RelationKind::Table => Ok(def),
        _ => Err(SqlError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "cannot change relation \"{}\"",
                object_parts(name).join(".")
            ),
        )),
    }
}

/// Plans an INSERT.
pub(crate) fn plan_insert(
    planner: &StatementPlanner<'_>,
    ins: &ast::Insert,
) -> Result<InsertPlan, SqlError> {
    let ast::TableObject::TableName(name) = &ins.table else {
        return Err(SqlError::unsupported(
            "INSERT into a table function is not supported",
        ));
    };
    let def = target(planner, name)?;
    let qualifier = ins
        .table_alias
        .as_ref()
        .map(|a| ident(&a.alias))
        .unwrap_or_else(|| def.name.clone());
    // Target columns.
    let positions: Vec<usize> = if ins.columns.is_empty() {
        (0..def.columns.len()).collect()
    } else {
        let mut v = Vec::new();
        for c in &ins.columns {
            let n = object_parts(c).last().cloned().unwrap_or_default();
            let i = def
                .columns
                .iter()
                .position(|d| d.name == n)
                .ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{n}\" of relation \"{}\" does not exist", def.name),
                    )
                })?;
            if v.contains(&i) {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{n}\" specified more than once"),
                ));
            }
            v.push(i);
        }
        v
    };
    let defaults = (0..def.columns.len())
        .map(|i| default_expr(planner, &def, i))
        .collect::<Result<Vec<_>, _>>()?;
    let source = match ins.source.as_deref() {
        None => Plan::Values {
            rows: vec![defaults.clone()],
        },
        Some(q) => match (
            &*q.body,
            q.order_by.is_none() && q.limit_clause.is_none() && q.with.is_none(),
        ) {
            (ast::SetExpr::Values(values), true) => {
                let mut rows = Vec::new();
                for row in &values.rows {
                    if row.content.len() > positions.len() {
                        return Err(SqlError::syntax(
                            "INSERT has more expressions than target columns",
                        ));
                    }
                    if row.content.len() < positions.len() {
                        return Err(SqlError::syntax(
                            "INSERT has more target columns than expressions",
                        ));
                    }
                    let mut full = defaults.clone();
                    for (e, &i) in row.content.iter().zip(&positions) {
                        let is_default = matches!(e, ast::Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"));
                        if is_default {
                            continue;
                        }
                        let c = &def.columns[i];
                        if c.identity_always {
                            return Err(identity_always(&c.name));
                        }
                        full[i] = planner.bind(&NoColumns, |b| {
                            b.bind_assignment(e, &c.name, c.type_oid, c.typmod)
                        })?;
                    }
                    rows.push(full);
                }
                Plan::Values { rows }
            }
            _ => {
                let (plan, cols) = planner.plan_insert_source(q)?;
                if cols.len() > positions.len() {
                    return Err(SqlError::syntax(
                        "INSERT has more expressions than target columns",
                    ));
                }
                let mut exprs = defaults.clone();
                for (k, (&i, c)) in positions.iter().zip(&cols).enumerate() {
                    let col = &def.columns[i];
                    let x = Expr::Column {
                        index: k,
                        ty: c.ty,
                        typmod: c.typmod,
                    };
                    // An unknown-typed column (`SELECT 2, NULL`) is typed by
                    // its target, as a literal would be.
                    if c.ty == oid::UNKNOWN {
                        exprs[i] = Expr::Cast {
                            expr: Box::new(Expr::Column {
                                index: k,
                                ty: oid::TEXT,
                                typmod: -1,
                            }),
                            ty: col.type_oid,
                            typmod: col.typmod,
                            explicit: false,
                        };
                        continue;
                    }
                    exprs[i] = planner.bind(&NoColumns, |b| {
                        if crate::sql::expr::coerce::cast_context(c.ty, col.type_oid)
                            .is_none_or(|ctx| ctx > CastContext::Assignment)
                        {
                            return Err(SqlError::new(
                                SqlState::DATATYPE_MISMATCH,
                                format!(
                                    "column \"{}\" is of type {} but expression is of type {}",
                                    col.name,
                                    crate::sql::types::format_type(col.type_oid, -1),
                                    crate::sql::types::type_name(c.ty)
                                ),
                            )
                            .with_hint("You will need to rewrite or cast the expression."));
                        }
                        b.coerce(x, col.type_oid, col.typmod, CastContext::Assignment)
                    })?;
                }
                Plan::Project {
                    input: Box::new(plan),
                    exprs,
                }
            }
        },
    };
    let cols = table_scope(&def, &qualifier);
    let conflict = match &ins.on {
        None => None,
        Some(ast::OnInsert::OnConflict(oc)) => Some({
            // The conflict target must name a unique key (42P10).
            if let Some(ast::ConflictTarget::Columns { columns: cols, .. }) = &oc.conflict_target {
                let mut positions = cols
                    .iter()
                    .map(|c| {
                        let n = ident(c);
                        def.columns.iter().position(|d| d.name == n).ok_or_else(|| {
                            SqlError::new(
                                SqlState::UNDEFINED_COLUMN,
                                format!("column \"{n}\" does not exist"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                positions.sort_unstable();
                let same = |k: &[usize]| {
                    let mut k = k.to_vec();
                    k.sort_unstable();
                    k == positions
                };
                let matches = def.primary_key.as_deref().is_some_and(same)
                    || def.indexes.iter().any(|i| i.unique && same(&i.columns));
                if !matches {
                    return Err(SqlError::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    ));
                }
            }
            match &oc.action {
                ast::OnConflictAction::DoNothing => Conflict::Nothing,
                ast::OnConflictAction::DoUpdate(du) => {
                    // Existing row, then the proposed one as `excluded`.
                    let mut both = cols.clone();
                    both.extend(table_scope(&def, "excluded"));
                    let correlated = Cell::new(false);
                    let scope = FromScope {
                        planner,
                        columns: &both,
                        parent: None,
                        correlated: &correlated,
                        calls: None,
                        clause: "ON CONFLICT",
                    };
                    let sets = assignments(planner, &scope, &def, &du.assignments)?;
                    let filter = match &du.selection {
                        Some(w) => Some(planner.bind(&scope, |b| b.bind_condition(w, "WHERE"))?),
                        None => None,
                    };
                    Conflict::Update { sets, filter }
                }
            }
        }),
        Some(_) => return Err(SqlError::syntax("syntax error at or near \"DUPLICATE\"")),
    };
    Ok(InsertPlan {
        checks: checks(planner, &def)?,
        returning: returning(planner, &ins.returning, &cols)?,
        def,
        source,
        conflict,
        dependencies: planner.dependencies.borrow().clone(),
    })
}

fn assignments(
    planner: &StatementPlanner<'_>,
    scope: &FromScope<'_, '_>,
    def: &TableDef,
    list: &[ast::Assignment],
) -> Result<Vec<(usize, Expr)>, SqlError> {
    let mut sets: Vec<(usize, Expr)> = Vec::new();
    for a in list {
        let names: Vec<String> = match &a.target {
            ast::AssignmentTarget::ColumnName(n) => {
                vec![object_parts(n).last().cloned().unwrap_or_default()]
            }
            ast::AssignmentTarget::Tuple(ns) => ns
                .iter()
                .map(|n| object_parts(n).last().cloned().unwrap_or_default())
                .collect(),
        };
        let values: Vec<&ast::Expr> = match (&a.value, names.len()) {
            (e, 1) => vec![e],
            (ast::Expr::Tuple(es), n) if es.len() == n => es.iter().collect(),
            _ => {
                return Err(SqlError::syntax(
                    "number of columns does not match number of values",
                ));
            }
        };
        for (n, e) in names.iter().zip(values) {
            let i = def
                .columns
                .iter()
                .position(|c| &c.name == n)
                .ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{n}\" of relation \"{}\" does not exist", def.name),
                    )
                })?;
            if sets.iter().any(|(j, _)| *j == i) {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("multiple assignments to same column \"{n}\""),
                ));
            }
            let c = &def.columns[i];
            let is_default = matches!(e, ast::Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"));
            let x = if is_default {
                default_expr(planner, def, i)?
            } else {
                planner.bind(scope, |b| {
                    b.bind_assignment(e, &c.name, c.type_oid, c.typmod)
                })?
            };
            sets.push((i, x));
        }
    }
    Ok(sets)
}

/// Plans UPDATE (`sets` non-empty) or DELETE.
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan_modify(
    planner: &StatementPlanner<'_>,
    table: &ast::TableFactor,
    from: &[ast::TableWithJoins],
    selection: &Option<ast::Expr>,
    set_list: Option<&[ast::Assignment]>,
    ret: &Option<Vec<ast::SelectItem>>,
) -> Result<ModifyPlan, SqlError> {
    let ast::TableFactor::Table { name, alias, .. } = table else {
        return Err(SqlError::unsupported(
            "UPDATE/DELETE of this kind of relation is not supported",
        ));
    };
    let def = target(planner, name)?;
    let qualifier = alias
        .as_ref()
        .map(|a| ident(&a.name))
        .unwrap_or_else(|| def.name.clone());
    let mut cols = table_scope(&def, &qualifier);
    cols.push(ScopeColumn {
        system: true,
        no_star: true,
        hidden: true,
        ..ScopeColumn::new(Some(&qualifier), "ctid", oid::BYTEA, -1)
    });
    let mut plan = Plan::Scan(Box::new(ScanPlan {
        table: def.id,
        def: def.clone(),
        access: Access::Full,
        filter: None,
        with_key: true,
        reverse: false,
        lock: None,
    }));
    let correlated = Cell::new(false);
    if !from.is_empty() {
        let (fplan, fcols) =
            crate::sql::plan::from::plan_from(planner, from, None, &correlated, None)?;
        let lw = cols.len();
        let rw = fcols.len();
        cols.extend(fcols);
        plan = Plan::Join {
            kind: crate::sql::plan::JoinKind::Inner,
            left: Box::new(plan),
            right: Box::new(fplan),
            left_width: lw,
            right_width: rw,
            hash_keys: Vec::new(),
            condition: None,
            lateral: false,
        };
    }
    let scope = FromScope {
        planner,
        columns: &cols,
        parent: None,
        correlated: &correlated,
        calls: None,
        clause: "WHERE",
    };
    let filter = match selection {
        Some(w) => Some(planner.bind(&scope, |b| b.bind_condition(w, "WHERE"))?),
        None => None,
    };
    if let Some(f) = &filter {
        plan = crate::sql::plan::access::push_filter(plan, f.clone());
    }
    let sets = match set_list {
        Some(list) => assignments(planner, &scope, &def, list)?,
        None => Vec::new(),
    };
    Ok(ModifyPlan {
        checks: checks(planner, &def)?,
        returning: returning(planner, ret, &cols)?,
        delete: set_list.is_none(),
        dependencies: planner.dependencies.borrow().clone(),
        def,
        source: plan,
        filter,
        sets,
    })
}

/// The result of a write: the RETURNING rows and the count for the tag.
pub(crate) struct Written {
    pub count: u64,
    pub rows: Vec<Row>,
}

fn row_text(exec: &Exec<'_>, row: &[Value]) -> String {
    let parts: Vec<String> = row
        .iter()
        .map(|v| {
            if v.is_null() {
                "null".to_owned()
            } else {
                v.to_text(exec.settings)
            }
        })
        .collect();
    format!("Failing row contains ({}).", parts.join(", "))
}

/// NOT NULL and CHECK, in PostgreSQL's order.
fn check_row(
    exec: &Exec<'_>,
    eval: &crate::sql::expr::EvalContext<'_>,
    def: &TableDef,
    checks: &[(String, Expr)],
    row: &[Value],
) -> Result<(), SqlError> {
    for (c, v) in def.columns.iter().zip(row) {
        if !c.nullable && v.is_null() {
            return Err(SqlError::new(
                SqlState::NOT_NULL_VIOLATION,
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    c.name,
                    crate::sql::catalog::split_key(&def.name).1
                ),
            )
            .with_detail(row_text(exec, row)));
        }
    }
    for (name, x) in checks {
        if matches!(x.eval(eval, row)?, Value::Bool(false)) {
            return Err(SqlError::new(
                SqlState::CHECK_VIOLATION,
                format!(
                    "new row for relation \"{}\" violates check constraint \"{name}\"",
                    crate::sql::catalog::split_key(&def.name).1
                ),
            )
            .with_detail(row_text(exec, row)));
        }
    }
    Ok(())
}

/// The existing row a proposed row conflicts with on a unique key, if any.
fn conflicting(
    exec: &Exec<'_>,
    def: &TableDef,
    row: &[Value],
) -> Result<Option<(Key, Row)>, SqlError> {
    let mut txn = exec.txn.borrow_mut();
    if let Some(pk) = &def.primary_key {
        let vals: Vec<Value> = pk.iter().map(|&c| row[c].clone()).collect();
        if !vals.iter().any(Value::is_null) {
            let key = Key::encode(&vals);
            if let Some(existing) = txn.get(def.id, &key)? {
                return Ok(Some((key, existing.to_vec())));
            }
        }
    }
    for (i, index) in def.indexes.iter().enumerate() {
        if !index.unique {
            continue;
        }
        let vals: Vec<Value> = index.columns.iter().map(|&c| row[c].clone()).collect();
        if vals.iter().any(Value::is_null) {
            continue;
        }
        let k = Key::encode(&vals);
        if let Some(hit) = txn.index_scan(def.id, i, k.clone()..=k)?.next() {
            let (key, r) = hit?;
            return Ok(Some((key, r.to_vec())));
        }
    }
    Ok(None)
}

/// Runs an INSERT.
pub(crate) fn run_insert(exec: &Exec<'_>, plan: &InsertPlan) -> Result<Written, SqlError> {
    let rows = exec.run_all(&plan.source)?;
    let eval = exec.eval_context();
    let mut out = Written {
        count: 0,
        rows: Vec::new(),
    };
    let mut updated_keys: std::collections::HashSet<Key> = std::collections::HashSet::new();
    for row in rows {
        check_row(exec, &eval, &plan.def, &plan.checks, &row)?;
        crate::sql::foreign_key::check_parents(exec, &plan.def, &row, None)?;
        let mut written = row.clone();
        if let Some(conflict) = &plan.conflict
            && let Some((key, existing)) = conflicting(exec, &plan.def, &row)?
        {
            match conflict {
                Conflict::Nothing => continue,
                Conflict::Update { sets, filter } => {
                    if !updated_keys.insert(key.clone()) {
                        return Err(SqlError::new(
                            SqlState::CARDINALITY_VIOLATION,
                            "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        )
                        .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
                    }
                    let outcome = exec.txn.borrow_mut().lock_row(
                        plan.def.id,
                        &key,
                        LockMode::Update,
                        WaitPolicy::Block,
                    )?;
                    let current = match outcome {
                        LockOutcome::Locked(r) | LockOutcome::Updated(r) => r.to_vec(),
                        LockOutcome::Gone | LockOutcome::Skipped => existing,
                    };
                    let mut both = current.clone();
                    both.extend(row.iter().cloned());
                    if let Some(f) = filter
                        && !matches!(f.eval(&eval, &both)?, Value::Bool(true))
                    {
                        continue;
                    }
                    let mut new = current.clone();
                    for (i, x) in sets {
                        new[*i] = x.eval(&eval, &both)?;
                    }
                    check_row(exec, &eval, &plan.def, &plan.checks, &new)?;
                    crate::sql::foreign_key::check_parents(exec, &plan.def, &new, Some(&current))?;
                    write_update(exec, &plan.def, &key, &current, new.clone())?;
                    written = new;
                }
            }
        } else {
            let result = exec.txn.borrow_mut().insert(plan.def.id, row.clone());
            result.map_err(|e| unique_detail(exec, &plan.def, &row, e))?;
        }
        out.count += 1;
        if let Some(r) = &plan.returning {
            out.rows.push(
                r.exprs
                    .iter()
                    .map(|x| x.eval(&eval, &written))
                    .collect::<Result<_, _>>()?,
            );
        }
    }
    Ok(out)
}

/// Writes a new version of a row, as delete + insert when its key changes.
fn write_update(
    exec: &Exec<'_>,
    def: &TableDef,
    key: &Key,
    old: &[Value],
    new: Row,
) -> Result<(), SqlError> {
    let mut txn = exec.txn.borrow_mut();
    let key_changed = def.primary_key.as_ref().is_some_and(|pk| {
        pk.iter().any(|&c| {
            crate::mvcc::Key::encode(&[old[c].clone()])
                != crate::mvcc::Key::encode(&[new[c].clone()])
        })
    });
    let result = if key_changed {
        txn.delete(def.id, key)
            .and_then(|_| txn.insert(def.id, new.clone()).map(|_| ()))
    } else {
        txn.update(def.id, key, new.clone()).map(|_| ())
    };
    drop(txn);
    result.map_err(|e| unique_detail(exec, def, &new, e))
}

/// A storage error as SQL, with PostgreSQL's DETAIL for a unique violation:
/// `Key (a, b)=(1, x) already exists.`
fn unique_detail(
    exec: &Exec<'_>,
    def: &TableDef,
    row: &[Value],
    e: crate::mvcc::Error,
) -> SqlError {
    let columns = match &e {
        crate::mvcc::Error::UniqueViolation { constraint } => {
            if def.primary_key.is_some() && def.primary_key_name() == *constraint {
                def.primary_key.clone()
            } else {
                def.indexes
                    .iter()
                    .find(|i| i.name == *constraint)
                    .map(|i| i.columns.clone())
            }
        }
        _ => None,
    };
    let err = SqlError::from(e);
    match columns {
        Some(cols) => {
            let names: Vec<&str> = cols.iter().map(|&c| def.columns[c].name.as_str()).collect();
            let values: Vec<String> = cols
                .iter()
                .map(|&c| match &row[c] {
                    Value::Null => "null".to_owned(),
                    v => v.to_text(exec.settings),
                })
                .collect();
            err.with_detail(format!(
                "Key ({})=({}) already exists.",
                names.join(", "),
                values.join(", ")
            ))
        }
        None => err,
    }
}

/// Runs an UPDATE or DELETE.
pub(crate) fn run_modify(exec: &Exec<'_>, plan: &ModifyPlan) -> Result<Written, SqlError> {
    let width = plan.def.columns.len();
    let rows = exec.run_all(&plan.source)?;
    let eval = exec.eval_context();
    let mut out = Written {
        count: 0,
        rows: Vec::new(),
    };
    let mut done: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    // Constraints referencing this table matter when rows go away or
    // their unique keys change.
    let key_columns: Vec<usize> = plan
        .def
        .primary_key
        .iter()
        .flatten()
        .chain(
            plan.def
                .indexes
                .iter()
                .filter(|i| i.unique)
                .flat_map(|i| i.columns.iter()),
        )
        .copied()
        .collect();
    let touches_keys = plan.delete || plan.sets.iter().any(|(c, _)| key_columns.contains(c));
    let refs = if touches_keys {
        crate::sql::foreign_key::referencing(&mut exec.txn.borrow_mut(), &plan.def)?
    } else {
        Vec::new()
    };
    for mut row in rows {
        let Value::Bytea(key_bytes) = &row[width] else {
            return Err(SqlError::internal("modify source row without a key"));
        };
        // A row joined to several FROM rows is changed once, as in PostgreSQL.
        if !done.insert(key_bytes.clone()) {
            continue;
        }
        let key = Key::from_bytes(key_bytes.clone());
        let mode = if plan.delete {
            LockMode::Update
        } else {
            LockMode::NoKeyUpdate
        };
        let outcome = exec
            .txn
            .borrow_mut()
            .lock_row(plan.def.id, &key, mode, WaitPolicy::Block)?;
        match outcome {
            LockOutcome::Locked(_) => {}
            LockOutcome::Updated(newer) => {
                row.splice(0..width, newer.iter().cloned());
                if let Some(f) = &plan.filter
                    && !matches!(f.eval(&eval, &row)?, Value::Bool(true))
                {
                    continue;
                }
            }
            LockOutcome::Gone | LockOutcome::Skipped => continue,
        }
        let written = if plan.delete {
            crate::sql::foreign_key::on_parent_change(exec, &plan.def, &refs, &row[..width], None)?;
            exec.txn.borrow_mut().delete(plan.def.id, &key)?;
            row.clone()
        } else {
            let mut new: Row = row[..width].to_vec();
            for (i, x) in &plan.sets {
                new[*i] = x.eval(&eval, &row)?;
            }
            check_row(exec, &eval, &plan.def, &plan.checks, &new)?;
            crate::sql::foreign_key::check_parents(exec, &plan.def, &new, Some(&row[..width]))?;
            if !refs.is_empty() {
                crate::sql::foreign_key::on_parent_change(
                    exec,
                    &plan.def,
                    &refs,
                    &row[..width],
                    Some(&new),
                )?;
            }
            write_update(exec, &plan.def, &key, &row[..width], new.clone())?;
            let mut r = new;
            r.extend(row[width..].iter().cloned());
            r
        };
        out.count += 1;
        if let Some(r) = &plan.returning {
            out.rows.push(
                r.exprs
                    .iter()
                    .map(|x| x.eval(&eval, &written))
                    .collect::<Result<_, _>>()?,
            );
        }
    }
    Ok(out)
}
