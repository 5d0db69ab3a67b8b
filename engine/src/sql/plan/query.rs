//! Planning queries: SELECT, VALUES, set operations, WITH, ORDER BY, LIMIT.
//!
//! [`StatementPlanner`] holds what one statement's planning shares across
//! query levels: the transaction (for catalog lookups), the parameter types
//! being inferred, the subplans expressions refer to, and the WITH queries
//! in scope. A SELECT is planned in PostgreSQL's logical order:
//!
//! ```text
//!   FROM → WHERE → GROUP BY/aggregates → HAVING → window → select list
//!        → DISTINCT → ORDER BY → LIMIT/OFFSET → (drop sort-only columns)
//! ```
//!
//! ORDER BY may name an output column (by alias or position) or any
//! expression over the FROM clause; the latter are computed as extra
//! "junk" columns after the select list and dropped at the end.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use sqlparser::ast::{self, SetExpr, SetOperator, SetQuantifier};
use twill_types::{FormatSettings, Oid, SqlState, oid};

use super::aggregate::{Collector, rewrite_grouped};
use super::from::plan_from;
use super::scope::{FromScope, ScopeColumn};
use super::{OutputColumn, Plan, PlannedQuery, SetOpKind, SortKey, SubPlan};
use crate::mvcc::{LockMode, TableDef, Transaction, WaitPolicy};
use crate::sql::error::SqlError;
use crate::sql::expr::{Binder, Expr, ParamTypes, Scope};
use crate::sql::plan::RowLock;

/// A WITH query in scope.
#[derive(Debug, Clone)]
pub(crate) struct CteEntry {
    pub name: String,
    /// The subplan id holding its rows (or the work table id while its own
    /// recursive term is planned).
    pub id: usize,
    pub columns: Vec<(String, Oid, i32)>,
    /// True inside the recursive term: references read the work table.
    pub work_table: bool,
}

/// What planning one statement shares across its query levels.
pub(crate) struct StatementPlanner<'t> {
    txn: RefCell<&'t mut Transaction>,
    pub settings: FormatSettings,
    pub source: &'t str,
    pub params: RefCell<ParamTypes>,
    pub subplans: RefCell<Vec<SubPlan>>,
    pub ctes: RefCell<Vec<CteEntry>>,
    /// The schemas searched for unqualified names.
    pub search_path: Vec<String>,
    /// Every relation the statement's plan depends on, as found: a plan is
    /// valid while each key still names this very definition.
    pub dependencies: RefCell<Vec<(String, Arc<TableDef>)>>,
}

/// A select list entry after binding.
struct Item {
    name: String,
    expr: Expr,
    table_oid: Oid,
    attnum: i16,
}

/// The function that names a value of `ty` for output (see
/// `StatementPlanner::plan_result`), if it needs one.
fn output_function(ty: Oid) -> Result<Option<crate::sql::expr::FuncId>, SqlError> {
    let name = match ty {
        oid::REGCLASS => "regclassout",
        oid::REGNAMESPACE => "regnamespaceout",
        oid::REGPROC => "regprocout",
        _ => return Ok(None),
    };
    crate::sql::expr::registry()
        .candidates(name, crate::sql::expr::functions::ProcKind::Function)
        .first()
        .copied()
        .map(Some)
        .ok_or_else(|| SqlError::internal(format!("{name} missing from the registry")))
}

/// The number of an ORDER BY/GROUP BY position (`ORDER BY 2`), if it is one.
fn position(e: &ast::Expr) -> Option<i64> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// An identifier as PostgreSQL folds it.
pub(crate) fn ident(i: &ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// The last part of an object name, folded.
pub(crate) fn object_parts(name: &ast::ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => ident(i),
            ast::ObjectNamePart::Function(f) => f.name.value.to_lowercase(),
        })
        .collect()
}

/// The column name PostgreSQL gives an unaliased select-list expression.
pub(crate) fn column_name(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Identifier(i) => ident(i),
        ast::Expr::CompoundIdentifier(parts) => parts.last().map(ident).unwrap_or_default(),
        ast::Expr::Function(f) => object_parts(&f.name)
            .last()
            .cloned()
            .unwrap_or_else(|| "?column?".into()),
        ast::Expr::Cast {
            expr, data_type, ..
        } => match column_name(expr).as_str() {
            "?column?" => crate::sql::types::resolve_data_type(data_type)
                .map(|(ty, _)| crate::sql::types::type_name(ty))
                .unwrap_or_else(|_| "?column?".into()),
            n => n.to_owned(),
        },
        ast::Expr::Nested(x) => column_name(x),
        ast::Expr::Case { .. } => "case".into(),
        ast::Expr::Exists { .. } => "exists".into(),
        ast::Expr::Array(_) => "array".into(),
        ast::Expr::Subquery(q) => match &*q.body {
            SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::UnnamedExpr(x)) => column_name(x),
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => ident(alias),
                _ => "?column?".into(),
            },
            _ => "?column?".into(),
        },
        ast::Expr::CompoundFieldAccess { root, .. } => column_name(root),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Boolean(_) => "bool".into(),
            _ => "?column?".into(),
        },
        ast::Expr::TypedString(ts) => crate::sql::types::resolve_data_type(&ts.data_type)
            .map(|(ty, _)| crate::sql::types::type_name(ty))
            .unwrap_or_else(|_| "?column?".into()),
        ast::Expr::Trim { .. } => "btrim".into(),
        ast::Expr::Substring { .. } => "substring".into(),
        ast::Expr::Position { .. } => "position".into(),
        ast::Expr::Extract { .. } => "extract".into(),
        ast::Expr::Ceil { .. } => "ceil".into(),
        ast::Expr::Floor { .. } => "floor".into(),
        ast::Expr::Overlay { .. } => "overlay".into(),
        _ => "?column?".into(),
    }
}

impl<'t> StatementPlanner<'t> {
    /// A planner over `txn` for a statement whose text is `source`.
    pub(crate) fn new(
        txn: &'t mut Transaction,
        settings: FormatSettings,
        source: &'t str,
        params: ParamTypes,
        search_path: Vec<String>,
    ) -> StatementPlanner<'t> {
        StatementPlanner {
            txn: RefCell::new(txn),
            settings,
            source,
            params: RefCell::new(params),
            subplans: RefCell::new(Vec::new()),
            ctes: RefCell::new(Vec::new()),
            search_path,
            dependencies: RefCell::new(Vec::new()),
        }
    }

    /// Gives the transaction back (to plan an inner statement afresh).
    pub(crate) fn into_txn(self) -> &'t mut Transaction {
        self.txn.into_inner()
    }

    /// Runs `f` with the statement's transaction (DDL that plans a query).
    pub(crate) fn with_txn<T>(&self, f: impl FnOnce(&mut Transaction) -> T) -> T {
        f(&mut self.txn.borrow_mut())
    }

    /// Looks up a relation by (possibly schema-qualified) name along the
    /// search path: 42P01 when missing.
    pub(crate) fn relation(&self, name: &ast::ObjectName) -> Result<Arc<TableDef>, SqlError> {
        let parts = object_parts(name);
        self.relation_by_parts(&parts)?.ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", parts.join(".")),
            )
        })
    }

    /// Looks up a relation by name parts; `None` when missing.
    pub(crate) fn relation_by_parts(
        &self,
        parts: &[String],
    ) -> Result<Option<Arc<TableDef>>, SqlError> {
        if parts.len() > 3 {
            return Err(SqlError::syntax(format!(
                "improper relation name (too many dotted names): {}",
                parts.join(".")
            )));
        }
        let candidates = crate::sql::catalog::candidate_keys(parts, &self.search_path);
        for key in candidates {
            if let Some(def) = crate::sql::catalog::lookup(&mut self.txn.borrow_mut(), &key)? {
                self.dependencies.borrow_mut().push((key, def.clone()));
                return Ok(Some(def));
            }
        }
        Ok(None)
    }

    /// Binds with a fresh binder over `scope`, sharing the statement's
    /// parameter types.
    pub(crate) fn bind<T>(
        &self,
        scope: &dyn Scope,
        f: impl FnOnce(&mut Binder<'_>) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let params = std::mem::take(&mut *self.params.borrow_mut());
        let mut binder = Binder::new(scope)
            .with_params(params)
            .with_settings(self.settings.clone())
            .with_source(self.source);
        let result = f(&mut binder);
        *self.params.borrow_mut() = std::mem::take(&mut binder.params);
        result
    }

    /// Adds a subplan; returns its id.
    pub(crate) fn add_subplan(&self, plan: Plan, correlated: bool) -> usize {
        let mut subplans = self.subplans.borrow_mut();
        subplans.push(SubPlan { plan, correlated });
        subplans.len() - 1
    }

    /// The Scope hook: plans a subquery inside an expression.
    pub(crate) fn plan_subquery(
        &self,
        query: &ast::Query,
        parent: &FromScope<'_, 't>,
        binder: &mut Binder<'_>,
    ) -> Result<(usize, Vec<Oid>), SqlError> {
        *self.params.borrow_mut() = std::mem::take(&mut binder.params);
        let correlated = Cell::new(false);
        let result = self.plan_query(query, Some(parent), &correlated);
        binder.params = std::mem::take(&mut *self.params.borrow_mut());
        let (plan, columns) = result?;
        let id = self.add_subplan(plan, correlated.get());
        Ok((id, columns.iter().map(|c| c.ty).collect()))
    }

    /// Plans an INSERT's source query: its unknown-typed columns (`NULL`,
    /// `'text'`) stay unknown, for the target columns to type.
    pub(crate) fn plan_insert_source(
        &self,
        query: &ast::Query,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let correlated = Cell::new(false);
        let pushed = match &query.with {
            Some(with) => self.plan_with(with, None, &correlated)?,
            None => 0,
        };
        let result = self.plan_query_body(query, None, &correlated, false);
        let mut ctes = self.ctes.borrow_mut();
        let keep = ctes.len() - pushed;
        ctes.truncate(keep);
        result
    }

    /// Plans a whole statement-level query.
    pub(crate) fn plan_top(
        &self,
        query: &ast::Query,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let correlated = Cell::new(false);
        self.plan_query(query, None, &correlated)
    }

    /// Plans a query whose rows go to the client (SELECT, DECLARE, COPY
    /// (query)): as [`plan_top`](Self::plan_top), with every `regclass`
    /// `regnamespace` and `regproc` output column passed through
    /// `regclassout` / `regnamespaceout` / `regprocout`, which name the
    /// object. PostgreSQL's output function reads the catalog as the row
    /// is sent; here the wire encoder has no catalog, so the name is
    /// resolved as the row leaves the executor (`Value::RegNamed`: text
    /// form the name, binary form the OID). Only the top gets it: inner
    /// queries compare and join plain OIDs.
    pub(crate) fn plan_result(
        &self,
        query: &ast::Query,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let (plan, columns) = self.plan_top(query)?;
        let mut outs = Vec::with_capacity(columns.len());
        for c in &columns {
            outs.push(output_function(c.ty)?);
        }
        if outs.iter().all(Option::is_none) {
            return Ok((plan, columns));
        }
        let exprs = columns
            .iter()
            .zip(outs)
            .enumerate()
            .map(|(index, (c, out))| {
                let col = Expr::Column {
                    index,
                    ty: c.ty,
                    typmod: c.typmod,
                };
                match out {
                    Some(func) => Expr::Call {
                        func,
                        args: vec![col],
                        ty: c.ty,
                    },
                    None => col,
                }
            })
            .collect();
        let plan = Plan::Project {
            input: Box::new(plan),
            exprs,
        };
        Ok((plan, columns))
    }

    /// Finishes planning: the planned query with its subplans.
    pub(crate) fn finish(self, plan: Plan, columns: Vec<OutputColumn>) -> PlannedQuery {
        PlannedQuery {
            plan,
            columns,
            subplans: self.subplans.into_inner(),
            dependencies: self.dependencies.into_inner(),
        }
    }

    /// Plans a query (`WITH … body ORDER BY … LIMIT …`).
    pub(crate) fn plan_query(
        &self,
        query: &ast::Query,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let pushed = match &query.with {
            Some(with) => self.plan_with(with, parent, correlated)?,
            None => 0,
        };
        let result = self.plan_query_body(query, parent, correlated, true);
        let mut ctes = self.ctes.borrow_mut();
        let keep = ctes.len() - pushed;
        ctes.truncate(keep);
        result
    }

    fn plan_query_body(
        &self,
        query: &ast::Query,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
        resolve_unknown: bool,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let order: &[ast::OrderByExpr] = match &query.order_by {
            Some(ob) => match &ob.kind {
                ast::OrderByKind::Expressions(e) => e,
                ast::OrderByKind::All(_) => {
                    return Err(SqlError::syntax("syntax error at or near \"ALL\""));
                }
            },
            None => &[],
        };
        let lock = self.row_lock(query)?;
        let (mut plan, columns, junk) = match &*query.body {
            SetExpr::Select(select) => {
                self.plan_select(select, order, parent, correlated, lock, resolve_unknown)?
            }
            body => {
                if lock.is_some() {
                    return Err(SqlError::unsupported(
                        "FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT",
                    ));
                }
                let (plan, columns) = self.plan_set_expr(body, parent, correlated)?;
                let keys = self.output_sort_keys(order, &columns)?;
                let plan = if keys.is_empty() {
                    plan
                } else {
                    Plan::Sort {
                        input: Box::new(plan),
                        keys,
                    }
                };
                (plan, columns, 0)
            }
        };
        plan = self.plan_limit(query, plan, parent, correlated)?;
        if junk > 0 {
            plan = Plan::Project {
                input: Box::new(plan),
                exprs: columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Expr::Column {
                        index: i,
                        ty: c.ty,
                        typmod: c.typmod,
                    })
                    .collect(),
            };
        }
        Ok((plan, columns))
    }

    fn row_lock(&self, query: &ast::Query) -> Result<Option<RowLock>, SqlError> {
        let Some(clause) = query.locks.first() else {
            return Ok(None);
        };
        if let Some(of) = &clause.of {
            let name = object_parts(of).last().cloned().unwrap_or_default();
            let in_from = match &*query.body {
                SetExpr::Select(s) => s.from.iter().any(|t| {
                    let mut names = Vec::new();
                    collect_names(&t.relation, &mut names);
                    for j in &t.joins {
                        collect_names(&j.relation, &mut names);
                    }
                    names.contains(&name)
                }),
                _ => false,
            };
            if !in_from {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{name}\" in FOR UPDATE clause not found in FROM clause"),
                ));
            }
        }
        let mode = match clause.lock_type {
            ast::LockType::Update => LockMode::Update,
            ast::LockType::Share => LockMode::Share,
        };
        let policy = match clause.nonblock {
            None => WaitPolicy::Block,
            Some(ast::NonBlock::Nowait) => WaitPolicy::NoWait,
            Some(ast::NonBlock::SkipLocked) => WaitPolicy::SkipLocked,
        };
        Ok(Some(RowLock { mode, policy }))
    }

    fn plan_limit(
        &self,
        query: &ast::Query,
        plan: Plan,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
    ) -> Result<Plan, SqlError> {
        let (mut limit, mut offset) = (None, None);
        match &query.limit_clause {
            Some(ast::LimitClause::LimitOffset {
                limit: l,
                offset: o,
                ..
            }) => {
                limit = l.as_ref();
                offset = o.as_ref().map(|o| &o.value);
            }
            Some(ast::LimitClause::OffsetCommaLimit { .. }) => {
                return Err(SqlError::syntax("LIMIT #,# syntax is not supported")
                    .with_hint("Use separate LIMIT and OFFSET clauses."));
            }
            None => {}
        }
        let fetch = query.fetch.as_ref().map(|f| match &f.quantity {
            Some(q) => q.clone(),
            None => ast::Expr::value(ast::Value::Number("1".into(), false)),
        });
        if fetch.is_some() && limit.is_some() {
            return Err(SqlError::syntax("multiple LIMIT clauses not allowed"));
        }
        let limit = limit.or(fetch.as_ref());
        if limit.is_none() && offset.is_none() {
            return Ok(plan);
        }
        let cols: Vec<ScopeColumn> = Vec::new();
        let scope = FromScope {
            planner: self,
            columns: &cols,
            parent,
            correlated,
            calls: None,
            clause: "LIMIT",
        };
        let bind_count = |e: Option<&ast::Expr>| -> Result<Option<Expr>, SqlError> {
            match e {
                // LIMIT ALL / LIMIT NULL mean no limit.
                None => Ok(None),
                Some(ast::Expr::Value(v)) if matches!(v.value, ast::Value::Null) => Ok(None),
                Some(e) => self
                    .bind(&scope, |b| {
                        let x = b.bind(e)?;
                        b.coerce(x, oid::INT8, -1, crate::sql::expr::CastContext::Assignment)
                    })
                    .map(Some),
            }
        };
        let limit = bind_count(limit)?;
        let offset = bind_count(offset)?;
        Ok(Plan::Limit {
            input: Box::new(plan),
            limit,
            offset,
        })
    }

    /// WITH: plans each query and pushes it in scope; returns how many.
    fn plan_with(
        &self,
        with: &ast::With,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
    ) -> Result<usize, SqlError> {
        let mut pushed = 0;
        let mut seen = std::collections::HashSet::new();
        for cte in &with.cte_tables {
            let name = ident(&cte.alias.name);
            if !seen.insert(name.clone()) {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_ALIAS,
                    format!("WITH query name \"{name}\" specified more than once"),
                ));
            }
            let aliases: Vec<String> = cte.alias.columns.iter().map(|c| ident(&c.name)).collect();
            let (plan, columns) = match (&*cte.query.body, with.recursive) {
                (
                    SetExpr::SetOperation {
                        op: SetOperator::Union,
                        left,
                        right,
                        set_quantifier,
                    },
                    true,
                ) if self.references(right, &name) => {
                    if self.references(left, &name) {
                        return Err(SqlError::new(
                            SqlState::INVALID_RECURSION,
                            format!(
                                "recursive reference to query \"{name}\" must not appear within its non-recursive term"
                            ),
                        ));
                    }
                    let (base, base_cols) = self.plan_set_expr(left, parent, correlated)?;
                    let columns = rename(base_cols, &aliases, &name)?;
                    let work_id = self.add_subplan(Plan::Empty, false);
                    self.ctes.borrow_mut().push(CteEntry {
                        name: name.clone(),
                        id: work_id,
                        columns: columns
                            .iter()
                            .map(|c| (c.name.clone(), c.ty, c.typmod))
                            .collect(),
                        work_table: true,
                    });
                    let step = self.plan_set_expr(right, parent, correlated);
                    self.ctes.borrow_mut().pop();
                    let (step, step_cols) = step?;
                    if step_cols.len() != columns.len() {
                        return Err(SqlError::syntax(
                            "each UNION query must have the same number of columns",
                        ));
                    }
                    let all = matches!(set_quantifier, SetQuantifier::All);
                    (
                        Plan::Recursive {
                            id: work_id,
                            base: Box::new(base),
                            step: Box::new(step),
                            all,
                        },
                        columns,
                    )
                }
                _ => {
                    let (plan, cols) = self.plan_query(&cte.query, parent, correlated)?;
                    (plan, rename(cols, &aliases, &name)?)
                }
            };
            let id = self.add_subplan(plan, correlated.get());
            self.ctes.borrow_mut().push(CteEntry {
                name,
                id,
                columns: columns
                    .iter()
                    .map(|c| (c.name.clone(), c.ty, c.typmod))
                    .collect(),
                work_table: false,
            });
            pushed += 1;
        }
        Ok(pushed)
    }

    /// Whether a set expression mentions relation `name` (a recursive CTE's
    /// self-reference), judged by its text.
    fn references(&self, body: &SetExpr, name: &str) -> bool {
        // A word-level scan of the text: a mention of the name anywhere
        // in the recursive term (quoted or not) counts.
        let text = body.to_string().to_lowercase();
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == name)
    }

    /// A set expression: SELECT, VALUES, (query), or a set operation.
    pub(crate) fn plan_set_expr(
        &self,
        body: &SetExpr,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        match body {
            SetExpr::Select(select) => {
                let (plan, columns, _) =
                    self.plan_select(select, &[], parent, correlated, None, false)?;
                Ok((plan, columns))
            }
            SetExpr::Query(q) => self.plan_query(q, parent, correlated),
            SetExpr::Values(values) => self.plan_values(values, parent, correlated),
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let (lp, lc) = self.plan_set_expr(left, parent, correlated)?;
                let (rp, rc) = self.plan_set_expr(right, parent, correlated)?;
                let what = match op {
                    SetOperator::Union => "UNION",
                    SetOperator::Intersect => "INTERSECT",
                    SetOperator::Except | SetOperator::Minus => "EXCEPT",
                };
                if lc.len() != rc.len() {
                    return Err(SqlError::syntax(format!(
                        "each {what} query must have the same number of columns"
                    )));
                }
                // Unify column types pairwise, casting either side.
                let mut lexprs = Vec::new();
                let mut rexprs = Vec::new();
                let mut columns = Vec::new();
                let none: Vec<ScopeColumn> = Vec::new();
                let scope = FromScope {
                    planner: self,
                    columns: &none,
                    parent: None,
                    correlated,
                    calls: None,
                    clause: what,
                };
                for (i, (l, r)) in lc.iter().zip(&rc).enumerate() {
                    let lx = Expr::Column {
                        index: i,
                        ty: l.ty,
                        typmod: l.typmod,
                    };
                    let rx = Expr::Column {
                        index: i,
                        ty: r.ty,
                        typmod: r.typmod,
                    };
                    let (xs, ty) = self.bind(&scope, |b| b.unify(vec![lx, rx], what))?;
                    let mut xs = xs.into_iter();
                    let (lx, rx) = (xs.next().expect("two"), xs.next().expect("two"));
                    let ty = if ty == oid::UNKNOWN { oid::TEXT } else { ty };
                    let typmod = if l.typmod == r.typmod { l.typmod } else { -1 };
                    lexprs.push(to_type(lx, ty));
                    rexprs.push(to_type(rx, ty));
                    columns.push(OutputColumn {
                        name: l.name.clone(),
                        ty,
                        typmod,
                        table_oid: 0,
                        attnum: 0,
                    });
                }
                let kind = match op {
                    SetOperator::Union => SetOpKind::Union,
                    SetOperator::Intersect => SetOpKind::Intersect,
                    SetOperator::Except | SetOperator::Minus => SetOpKind::Except,
                };
                let all = matches!(set_quantifier, SetQuantifier::All);
                Ok((
                    Plan::SetOp {
                        kind,
                        all,
                        left: Box::new(project_if_needed(lp, lexprs)),
                        right: Box::new(project_if_needed(rp, rexprs)),
                    },
                    columns,
                ))
            }
            SetExpr::Table(t) => {
                let name = t
                    .table_name
                    .clone()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                let sql = match &t.schema_name {
                    Some(s) => format!("SELECT * FROM {s}.{name}"),
                    None => format!("SELECT * FROM {name}"),
                };
                let q = crate::sql::front::parse_query(&sql)?;
                self.plan_query(&q, parent, correlated)
            }
            _ => Err(SqlError::unsupported("this kind of query is not supported")),
        }
    }

    /// A VALUES list: rows unified column by column.
    pub(crate) fn plan_values(
        &self,
        values: &ast::Values,
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
    ) -> Result<(Plan, Vec<OutputColumn>), SqlError> {
        let none: Vec<ScopeColumn> = Vec::new();
        let scope = FromScope {
            planner: self,
            columns: &none,
            parent,
            correlated,
            calls: None,
            clause: "VALUES",
        };
        let width = values.rows.first().map_or(0, |r| r.content.len());
        let mut rows: Vec<Vec<Expr>> = Vec::new();
        for row in &values.rows {
            if row.content.len() != width {
                return Err(SqlError::syntax("VALUES lists must all be the same length"));
            }
            rows.push(self.bind(&scope, |b| row.content.iter().map(|e| b.bind(e)).collect())?);
        }
        let mut columns = Vec::new();
        for c in 0..width {
            let col: Vec<Expr> = rows.iter().map(|r| r[c].clone()).collect();
            let (col, ty) = self.bind(&scope, |b| b.unify(col, "VALUES"))?;
            let ty = if ty == oid::UNKNOWN { oid::TEXT } else { ty };
            for (r, x) in rows.iter_mut().zip(col) {
                r[c] = to_type(x, ty);
            }
            columns.push(OutputColumn {
                name: format!("column{}", c + 1),
                ty,
                typmod: -1,
                table_oid: 0,
                attnum: 0,
            });
        }
        Ok((Plan::Values { rows }, columns))
    }

    /// ORDER BY over output columns only (set operations): names and positions.
    fn output_sort_keys(
        &self,
        order: &[ast::OrderByExpr],
        columns: &[OutputColumn],
    ) -> Result<Vec<SortKey>, SqlError> {
        let mut keys = Vec::new();
        for o in order {
            let index = if let Some(n) = position(&o.expr) {
                if n < 1 || n as usize > columns.len() {
                    return Err(SqlError::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("ORDER BY position {n} is not in select list"),
                    ));
                }
                n as usize - 1
            } else if let ast::Expr::Identifier(i) = &o.expr {
                let name = ident(i);
                columns.iter().position(|c| c.name == name).ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{name}\" does not exist"),
                    )
                })?
            } else {
                return Err(SqlError::unsupported(
                    "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                )
                .with_detail(
                    "Only result column names can be used, not expressions or functions.",
                ));
            };
            keys.push(sort_key(
                Expr::Column {
                    index,
                    ty: columns[index].ty,
                    typmod: columns[index].typmod,
                },
                &o.options,
            ));
        }
        Ok(keys)
    }

    /// A SELECT with its ORDER BY. Returns the plan, the visible output
    /// columns and how many junk columns follow them.
    fn plan_select(
        &self,
        select: &ast::Select,
        order: &[ast::OrderByExpr],
        parent: Option<&FromScope<'_, 't>>,
        correlated: &Cell<bool>,
        lock: Option<RowLock>,
        resolve_unknown: bool,
    ) -> Result<(Plan, Vec<OutputColumn>, usize), SqlError> {
        if select.into.is_some() {
            return Err(SqlError::unsupported("SELECT INTO is not supported"));
        }
        // FROM
        let (mut plan, columns) = plan_from(self, &select.from, parent, correlated, lock)?;
        let scope_of = |clause: &'static str, calls| FromScope {
            planner: self,
            columns: &columns,
            parent,
            correlated,
            calls,
            clause,
        };
        // WHERE
        if let Some(w) = &select.selection {
            let scope = scope_of("WHERE", None);
            let predicate = self.bind(&scope, |b| b.bind_condition(w, "WHERE"))?;
            plan = super::access::push_filter(plan, predicate);
        }
        // Select list, HAVING and ORDER BY, collecting aggregates and windows.
        let collector = Collector::new(self, &columns, parent, correlated)
            .with_named_windows(&select.named_window);
        let scope = scope_of("SELECT", Some(&collector as &dyn super::scope::CallSink));
        let mut items: Vec<Item> = Vec::new();
        let mut srfs: Vec<Option<(super::SetFunction, Vec<Expr>)>> = Vec::new();
        for item in &select.projection {
            match item {
                ast::SelectItem::Wildcard(_) => {
                    if columns.iter().all(|c| c.no_star || c.system) && select.from.is_empty() {
                        return Err(SqlError::syntax(
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    // Merged USING columns (unqualified) come first.
                    let star = columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.no_star && !c.system);
                    let (merged, rest): (Vec<_>, Vec<_>) =
                        star.partition(|(_, c)| c.qualifier.is_none());
                    for (i, c) in merged.into_iter().chain(rest) {
                        items.push(star_item(i, c));
                        srfs.push(None);
                    }
                }
                ast::SelectItem::QualifiedWildcard(kind, _) => {
                    let q = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                            object_parts(n).last().cloned().unwrap_or_default()
                        }
                        ast::SelectItemQualifiedWildcardKind::Expr(_) => {
                            return Err(SqlError::unsupported("(expression).* is not supported"));
                        }
                    };
                    let mut any = false;
                    for (i, c) in columns.iter().enumerate() {
                        if c.qualifier.as_deref() == Some(q.as_str()) && !c.system {
                            items.push(star_item(i, c));
                            srfs.push(None);
                            any = true;
                        }
                    }
                    if !any {
                        return Err(SqlError::new(
                            SqlState::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{q}\""),
                        ));
                    }
                }
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    let name = match item {
                        ast::SelectItem::ExprWithAlias { alias, .. } => ident(alias),
                        _ => column_name(e),
                    };
                    if let Some(set) = super::from::select_list_srf(self, &scope, e)? {
                        items.push(Item {
                            name,
                            expr: Expr::Const {
                                value: twill_types::Value::Null,
                                ty: set.ty,
                                typmod: set.typmod,
                            },
                            table_oid: 0,
                            attnum: 0,
                        });
                        srfs.push(Some((set.func, set.args)));
                        continue;
                    }
                    let expr = self.bind(&scope, |b| b.bind_value(e))?;
                    let (table_oid, attnum) = match &expr {
                        Expr::Column { index, .. } => {
                            (columns[*index].table_oid, columns[*index].attnum)
                        }
                        _ => (0, 0),
                    };
                    // Unknown literals become text, except in a set operation's
                    // branch, where the other branches decide.
                    let expr = if expr.ty() == oid::UNKNOWN && resolve_unknown {
                        to_type(expr, oid::TEXT)
                    } else {
                        expr
                    };
                    items.push(Item {
                        name,
                        expr,
                        table_oid,
                        attnum,
                    });
                    srfs.push(None);
                }
                ast::SelectItem::ExprWithAliases { .. } => {
                    return Err(SqlError::syntax("syntax error at or near \"(\""));
                }
            }
        }
        let having = match &select.having {
            Some(h) => {
                let scope = scope_of("HAVING", Some(&collector as &dyn super::scope::CallSink));
                Some(self.bind(&scope, |b| b.bind_condition(h, "HAVING"))?)
            }
            None => None,
        };
        // ORDER BY: an output column by name or position, else an expression.
        enum OrderTarget {
            Output(usize),
            Expr(Expr),
        }
        let mut order_targets = Vec::new();
        for o in order {
            if let Some(n) = position(&o.expr) {
                if n < 1 || n as usize > items.len() {
                    return Err(SqlError::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("ORDER BY position {n} is not in select list"),
                    ));
                }
                order_targets.push(OrderTarget::Output(n as usize - 1));
                continue;
            }
            if let ast::Expr::Identifier(i) = &o.expr {
                let name = ident(i);
                let matches: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.name == name)
                    .map(|(k, _)| k)
                    .collect();
                // An output name wins over an input column (SQL-92 rule).
                if let Some(&k) = matches.first() {
                    let distinct_exprs = matches.iter().any(|&m| items[m].expr != items[k].expr);
                    if distinct_exprs {
                        return Err(SqlError::new(
                            SqlState::AMBIGUOUS_COLUMN,
                            format!("ORDER BY \"{name}\" is ambiguous"),
                        ));
                    }
                    order_targets.push(OrderTarget::Output(k));
                    continue;
                }
            }
            let scope = scope_of("ORDER BY", Some(&collector as &dyn super::scope::CallSink));
            let x = self.bind(&scope, |b| b.bind_value(&o.expr))?;
            let x = if x.ty() == oid::UNKNOWN {
                to_type(x, oid::TEXT)
            } else {
                x
            };
            match items.iter().position(|it| it.expr == x) {
                Some(k) => order_targets.push(OrderTarget::Output(k)),
                None => order_targets.push(OrderTarget::Expr(x)),
            }
        }
        // GROUP BY
        let group_asts: Vec<&ast::Expr> = match &select.group_by {
            ast::GroupByExpr::Expressions(exprs, mods) => {
                if !mods.is_empty() {
                    return Err(SqlError::unsupported(
                        "GROUP BY modifiers are not supported",
                    ));
                }
                exprs.iter().collect()
            }
            ast::GroupByExpr::All(_) => {
                return Err(SqlError::syntax("syntax error at or near \"ALL\""));
            }
        };
        let bind_group = |g: &ast::Expr| -> Result<Expr, SqlError> {
            if let Some(n) = position(g) {
                if n < 1 || n as usize > items.len() {
                    return Err(SqlError::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("GROUP BY position {n} is not in select list"),
                    ));
                }
                return Ok(items[n as usize - 1].expr.clone());
            }
            let scope = scope_of("GROUP BY", None);
            match (self.bind(&scope, |b| b.bind_value(g)), g) {
                (Ok(x), _) => Ok(x),
                // An output column alias, when no input column has the name.
                (Err(e), ast::Expr::Identifier(i)) if e.code == SqlState::UNDEFINED_COLUMN => {
                    let name = ident(i);
                    items
                        .iter()
                        .find(|it| it.name == name)
                        .map(|it| it.expr.clone())
                        .ok_or(e)
                }
                (Err(e), _) => Err(e),
            }
        };
        // Each GROUP BY item is a list of alternatives (one for a plain
        // expression; several for ROLLUP, CUBE, GROUPING SETS); the grouping
        // sets are their cross product.
        let mut alternatives: Vec<Vec<Vec<Expr>>> = Vec::new();
        let mut has_sets = false;
        for g in &group_asts {
            let bind_list =
                |l: &Vec<ast::Expr>| l.iter().map(&bind_group).collect::<Result<Vec<_>, _>>();
            match g {
                ast::Expr::Rollup(lists) => {
                    has_sets = true;
                    let bound: Vec<Vec<Expr>> =
                        lists.iter().map(bind_list).collect::<Result<_, _>>()?;
                    alternatives.push(
                        (0..=bound.len())
                            .rev()
                            .map(|n| bound[..n].concat())
                            .collect(),
                    );
                }
                ast::Expr::Cube(lists) => {
                    has_sets = true;
                    let bound: Vec<Vec<Expr>> =
                        lists.iter().map(bind_list).collect::<Result<_, _>>()?;
                    if bound.len() > 12 {
                        return Err(SqlError::new(
                            SqlState::PROGRAM_LIMIT_EXCEEDED,
                            "CUBE is limited to 12 elements",
                        ));
                    }
                    let n = bound.len();
                    // PostgreSQL's order: by how many elements, then which.
                    let mut masks: Vec<u32> = (0..(1u32 << n)).collect();
                    masks.sort_by_key(|m| {
                        (
                            std::cmp::Reverse(m.count_ones()),
                            std::cmp::Reverse(m.reverse_bits()),
                        )
                    });
                    alternatives.push(
                        masks
                            .into_iter()
                            .map(|m| {
                                (0..n)
                                    .filter(|i| m & (1 << i) != 0)
                                    .flat_map(|i| bound[i].clone())
                                    .collect()
                            })
                            .collect(),
                    );
                }
                ast::Expr::GroupingSets(lists) => {
                    has_sets = true;
                    alternatives.push(lists.iter().map(bind_list).collect::<Result<_, _>>()?);
                }
                g => alternatives.push(vec![vec![bind_group(g)?]]),
            }
        }
        let mut combos: Vec<Vec<Expr>> = vec![Vec::new()];
        for alts in &alternatives {
            combos = combos
                .iter()
                .flat_map(|c| {
                    alts.iter()
                        .map(move |a| c.iter().chain(a).cloned().collect::<Vec<_>>())
                })
                .collect();
        }
        let mut group: Vec<Expr> = Vec::new();
        let mut sets: Vec<Vec<usize>> = Vec::new();
        for combo in combos {
            let mut set = Vec::new();
            for x in combo {
                let i = match group.iter().position(|g| *g == x) {
                    Some(i) => i,
                    None => {
                        group.push(x);
                        group.len() - 1
                    }
                };
                if !set.contains(&i) {
                    set.push(i);
                }
            }
            sets.push(set);
        }
        let sets = has_sets.then_some(sets);
        let aggs = collector.take_aggregates();
        let windows = collector.take_windows();
        let grouped = !aggs.is_empty() || !group.is_empty() || having.is_some() || sets.is_some();
        let mut exprs: Vec<Expr> = items.iter().map(|it| it.expr.clone()).collect();
        let mut junk: Vec<Expr> = order_targets
            .iter()
            .filter_map(|t| match t {
                OrderTarget::Expr(x) => Some(x.clone()),
                OrderTarget::Output(_) => None,
            })
            .collect();
        let mut window_calls = windows;
        let mut having = having;
        if grouped {
            let keys = super::aggregate::functional_keys(&group, &columns, self)?;
            let rewrite = |x: Expr| rewrite_grouped(x, &keys, group.len(), &columns);
            exprs = exprs.into_iter().map(rewrite).collect::<Result<_, _>>()?;
            junk = junk.into_iter().map(rewrite).collect::<Result<_, _>>()?;
            having = having.map(rewrite).transpose()?;
            for w in &mut window_calls {
                super::window::rewrite_call(w, &|x| rewrite(x))?;
            }
            for a in aggs.iter().filter(|a| a.func == super::AggFunc::Grouping) {
                if a.args.iter().any(|x| !keys.contains(x)) {
                    return Err(SqlError::new(
                        SqlState::GROUPING_ERROR,
                        "arguments to GROUPING must be grouping expressions of the associated query level",
                    ));
                }
            }
            plan = Plan::Aggregate {
                input: Box::new(plan),
                group: keys,
                aggs,
                sets,
            };
            if let Some(h) = having {
                plan = Plan::Filter {
                    input: Box::new(plan),
                    predicate: h,
                };
            }
        }
        if !window_calls.is_empty() {
            let width = if grouped {
                super::aggregate::grouped_width(&plan)
            } else {
                columns.len()
            };
            exprs = exprs
                .into_iter()
                .map(|x| super::window::rewrite_hooks(x, width))
                .collect();
            junk = junk
                .into_iter()
                .map(|x| super::window::rewrite_hooks(x, width))
                .collect();
            plan = Plan::Window {
                input: Box::new(plan),
                calls: window_calls,
            };
        }
        let visible = exprs.len();
        let junk_count = junk.len();
        exprs.extend(junk);
        let columns_out: Vec<OutputColumn> = items
            .iter()
            .zip(&exprs)
            .map(|(it, x)| OutputColumn {
                name: it.name.clone(),
                ty: x.ty(),
                typmod: x.typmod(),
                table_oid: it.table_oid,
                attnum: it.attnum,
            })
            .collect();
        plan = if srfs.iter().any(Option::is_some) {
            let mut srf_iter = srfs.into_iter();
            Plan::ProjectSet {
                input: Box::new(plan),
                items: exprs
                    .into_iter()
                    .map(|x| match srf_iter.next().flatten() {
                        Some((func, args)) => super::ProjectItem::Set { func, args },
                        None => super::ProjectItem::Expr(x),
                    })
                    .collect(),
            }
        } else {
            Plan::Project {
                input: Box::new(plan),
                exprs,
            }
        };
        // Sort keys over the projected row.
        let mut junk_index = visible;
        let keys: Vec<SortKey> = order
            .iter()
            .zip(&order_targets)
            .map(|(o, t)| {
                let index = match t {
                    OrderTarget::Output(k) => *k,
                    OrderTarget::Expr(_) => {
                        junk_index += 1;
                        junk_index - 1
                    }
                };
                let (ty, typmod) = if index < visible {
                    (columns_out[index].ty, columns_out[index].typmod)
                } else {
                    (oid::UNKNOWN, -1)
                };
                sort_key(Expr::Column { index, ty, typmod }, &o.options)
            })
            .collect();
        match &select.distinct {
            None | Some(ast::Distinct::All) => {
                if !keys.is_empty() {
                    plan = Plan::Sort {
                        input: Box::new(plan),
                        keys,
                    };
                }
            }
            Some(ast::Distinct::Distinct) => {
                if junk_count > 0 {
                    return Err(SqlError::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                    ));
                }
                plan = Plan::Distinct {
                    input: Box::new(plan),
                    on: None,
                };
                if !keys.is_empty() {
                    plan = Plan::Sort {
                        input: Box::new(plan),
                        keys,
                    };
                }
            }
            Some(ast::Distinct::On(on)) => {
                // DISTINCT ON expressions are bound like ORDER BY items, over the projected row.
                let mut on_exprs = Vec::new();
                for e in on {
                    let index = if let Some(n) = position(e) {
                        n as usize - 1
                    } else {
                        let scope = scope_of("DISTINCT ON", None);
                        let x = self.bind(&scope, |b| b.bind_value(e))?;
                        items.iter().position(|it| it.expr == x).ok_or_else(|| {
                            SqlError::unsupported(
                                "DISTINCT ON expressions must appear in the select list here",
                            )
                        })?
                    };
                    on_exprs.push(Expr::Column {
                        index,
                        ty: columns_out[index].ty,
                        typmod: -1,
                    });
                }
                for (k, on) in keys.iter().zip(&on_exprs) {
                    if &k.expr != on {
                        return Err(SqlError::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                        ));
                    }
                }
                let mut sort = keys;
                for on in &on_exprs {
                    if !sort.iter().any(|k| &k.expr == on) {
                        sort.push(SortKey {
                            expr: on.clone(),
                            descending: false,
                            nulls_first: false,
                        });
                    }
                }
                plan = Plan::Distinct {
                    input: Box::new(Plan::Sort {
                        input: Box::new(plan),
                        keys: sort,
                    }),
                    on: Some(on_exprs),
                };
            }
        }
        Ok((plan, columns_out, junk_count))
    }
}

/// The names a FROM item can be referred to by (its alias, else its table name).
fn collect_names(f: &ast::TableFactor, out: &mut Vec<String>) {
    match f {
        ast::TableFactor::Table { name, alias, .. } => out.push(match alias {
            Some(a) => ident(&a.name),
            None => object_parts(name).last().cloned().unwrap_or_default(),
        }),
        ast::TableFactor::Derived { alias: Some(a), .. } => out.push(ident(&a.name)),
        ast::TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            collect_names(&table_with_joins.relation, out);
            for j in &table_with_joins.joins {
                collect_names(&j.relation, out);
            }
        }
        _ => {}
    }
}

/// A select-list entry for a `*` column.
fn star_item(i: usize, c: &ScopeColumn) -> Item {
    Item {
        name: c.name.clone(),
        expr: Expr::Column {
            index: i,
            ty: c.ty,
            typmod: c.typmod,
        },
        table_oid: c.table_oid,
        attnum: c.attnum,
    }
}

/// A sort key from ORDER BY options (NULLS LAST for ASC, FIRST for DESC by default).
pub(crate) fn sort_key(expr: Expr, options: &ast::OrderByOptions) -> SortKey {
    let descending = matches!(options.sort, Some(ast::OrderBySort::Desc));
    SortKey {
        expr,
        descending,
        nulls_first: options.nulls_first.unwrap_or(descending),
    }
}

/// Casts an `unknown`-typed expression (a string literal, NULL) to `ty`.
pub(crate) fn to_type(x: Expr, ty: Oid) -> Expr {
    if x.ty() == ty {
        return x;
    }
    match x {
        Expr::Const { value, .. } if value.is_null() => Expr::Const {
            value,
            ty,
            typmod: -1,
        },
        Expr::Const {
            value: twill_types::Value::Text(s),
            ty: oid::UNKNOWN,
            ..
        } if ty == oid::TEXT => Expr::Const {
            value: twill_types::Value::Text(s),
            ty,
            typmod: -1,
        },
        x => Expr::Cast {
            expr: Box::new(x),
            ty,
            typmod: -1,
            explicit: false,
        },
    }
}

/// Projects only when some expression is not the identity column.
fn project_if_needed(plan: Plan, exprs: Vec<Expr>) -> Plan {
    let identity = exprs
        .iter()
        .enumerate()
        .all(|(i, x)| matches!(x, Expr::Column { index, .. } if *index == i));
    if identity {
        plan
    } else {
        Plan::Project {
            input: Box::new(plan),
            exprs,
        }
    }
}

/// Applies column aliases (`AS t(a, b)`, `WITH c(a, b)`).
pub(crate) fn rename(
    mut columns: Vec<OutputColumn>,
    aliases: &[String],
    table: &str,
) -> Result<Vec<OutputColumn>, SqlError> {
    if aliases.len() > columns.len() {
        return Err(SqlError::new(
            SqlState::INVALID_COLUMN_REFERENCE,
            format!(
                "table \"{table}\" has {} columns available but {} columns specified",
                columns.len(),
                aliases.len()
            ),
        ));
    }
    for (c, a) in columns.iter_mut().zip(aliases) {
        c.name = a.clone();
    }
    Ok(columns)
}
