//! Planning and running one statement inside a session's transaction.

use std::cell::RefCell;
use std::collections::HashMap;

use sqlparser::ast;
use twill_types::{FormatSettings, Oid, SqlState, Value};

use super::outputs::{ColumnInfo, Output};
use crate::mvcc::{Engine, Transaction};
use crate::sql::dml::{InsertPlan, ModifyPlan, run_insert, run_modify};
use crate::sql::error::SqlError;
use crate::sql::exec::{Exec, SessionHooks};
use crate::sql::expr::ParamTypes;
use crate::sql::front::{Parsed, StatementKind};
use crate::sql::plan::query::StatementPlanner;
use crate::sql::plan::{OutputColumn, PlannedQuery, SubPlan};

/// A planned statement.
#[derive(Debug)]
pub(crate) enum Planned {
    Query(PlannedQuery),
    Insert(InsertPlan, Vec<SubPlan>),
    Modify(ModifyPlan, Vec<SubPlan>),
    /// Run directly from the parsed statement (DDL, maintenance).
    Utility,
}

/// A prepared statement.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub parsed: Option<Parsed>,
    pub planned: Option<Planned>,
    pub param_types: Vec<Oid>,
    pub columns: Option<Vec<ColumnInfo>>,
}

impl Prepared {
    pub(crate) fn empty(param_types: &[Oid]) -> Prepared {
        Prepared {
            parsed: None,
            planned: None,
            param_types: param_types.to_vec(),
            columns: None,
        }
    }

    pub(crate) fn utility(parsed: Parsed, param_types: &[Oid]) -> Prepared {
        Prepared {
            parsed: Some(parsed),
            planned: None,
            param_types: param_types.to_vec(),
            columns: None,
        }
    }
}

/// What running a statement produced.
#[derive(Debug, Default)]
pub(crate) struct StatementResult {
    pub columns: Option<Vec<ColumnInfo>>,
    pub rows: Vec<Vec<Value>>,
    pub tag: String,
    pub notices: Vec<SqlError>,
    pub settings_changed: Vec<(String, String)>,
}

impl StatementResult {
    pub(crate) fn tag(tag: &str) -> StatementResult {
        StatementResult {
            tag: tag.to_owned(),
            ..StatementResult::default()
        }
    }

    /// Appends the outputs of a simple-query statement.
    pub(crate) fn into_outputs(self, out: &mut Vec<Output>, simple: bool) {
        out.extend(self.notices.into_iter().map(Output::Notice));
        out.extend(
            self.settings_changed
                .into_iter()
                .map(|(name, value)| Output::SettingChanged { name, value }),
        );
        if let Some(c) = self.columns
            && simple
        {
            out.push(Output::Columns(c));
        }
        if !self.rows.is_empty() {
            out.push(Output::Rows(self.rows));
        }
        out.push(Output::Complete(self.tag));
    }
}

/// `pg_type.typlen` for RowDescription.
fn type_len(ty: Oid) -> i16 {
    twill_types::Type::by_oid(ty).map_or(-1, |t| t.len)
}

pub(crate) fn column_infos(cols: &[OutputColumn]) -> Vec<ColumnInfo> {
    cols.iter()
        .map(|c| ColumnInfo {
            name: c.name.clone(),
            table_oid: c.table_oid,
            column_id: c.attnum,
            type_oid: c.ty,
            type_len: type_len(c.ty),
            type_modifier: c.typmod,
        })
        .collect()
}

/// A plan with its parameter types and result columns.
pub(crate) type PlanOutcome = (Planned, Vec<Oid>, Option<Vec<ColumnInfo>>);

/// Plans a statement: the plan, the parameter types, the result columns.
pub(crate) fn plan(
    txn: &mut Transaction,
    parsed: &Parsed,
    settings: &FormatSettings,
    param_types: &[Oid],
    search_path: &[String],
) -> Result<PlanOutcome, SqlError> {
    let StatementKind::Sql(stmt) = &parsed.kind else {
        return Ok((Planned::Utility, param_types.to_vec(), None));
    };
    let planner = StatementPlanner::new(
        txn,
        settings.clone(),
        &parsed.text,
        ParamTypes::new(param_types),
        search_path.to_vec(),
    );
    match stmt.as_ref() {
        ast::Statement::Query(q) => {
            let (plan, columns) = planner.plan_top(q)?;
            let types = planner.params.borrow().finish();
            let mut pq = planner.finish(plan, columns);
            if parsed.extras.no_key_update || parsed.extras.key_share {
                lower_lock_strength(&mut pq.plan, parsed.extras.no_key_update);
            }
            let cols = column_infos(&pq.columns);
            Ok((Planned::Query(pq), types, Some(cols)))
        }
        ast::Statement::Insert(ins) => {
            let p = crate::sql::dml::plan_insert(&planner, ins)?;
            let types = planner.params.borrow().finish();
            let cols = p.returning.as_ref().map(|r| column_infos(&r.columns));
            let subplans = planner.subplans.into_inner();
            Ok((Planned::Insert(p, subplans), types, cols))
        }
        ast::Statement::Update(u) => {
            if !u.table.joins.is_empty() {
                return Err(SqlError::syntax("syntax error at or near \"JOIN\""));
            }
            let from: &[ast::TableWithJoins] = match &u.from {
                Some(ast::UpdateTableFromKind::AfterSet(f))
                | Some(ast::UpdateTableFromKind::BeforeSet(f)) => f,
                None => &[],
            };
            let p = crate::sql::dml::plan_modify(
                &planner,
                &u.table.relation,
                from,
                &u.selection,
                Some(&u.assignments),
                &u.returning,
            )?;
            let types = planner.params.borrow().finish();
            let cols = p.returning.as_ref().map(|r| column_infos(&r.columns));
            let subplans = planner.subplans.into_inner();
            Ok((Planned::Modify(p, subplans), types, cols))
        }
        ast::Statement::Delete(d) => {
            let tables = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            let Some(target) = tables.first() else {
                return Err(SqlError::syntax("syntax error at end of input"));
            };
            let using: &[ast::TableWithJoins] = d.using.as_deref().unwrap_or(&[]);
            let p = crate::sql::dml::plan_modify(
                &planner,
                &target.relation,
                using,
                &d.selection,
                None,
                &d.returning,
            )?;
            let types = planner.params.borrow().finish();
            let cols = p.returning.as_ref().map(|r| column_infos(&r.columns));
            let subplans = planner.subplans.into_inner();
            Ok((Planned::Modify(p, subplans), types, cols))
        }
        _ => Ok((Planned::Utility, param_types.to_vec(), None)),
    }
}

/// FOR NO KEY UPDATE / FOR KEY SHARE: the front step parsed them as the
/// stronger FOR UPDATE / FOR SHARE; weaken the scans' lock mode.
fn lower_lock_strength(plan: &mut crate::sql::plan::Plan, no_key: bool) {
    use crate::mvcc::LockMode;
    use crate::sql::plan::Plan;
    match plan {
        Plan::Scan(s) => {
            if let Some(l) = &mut s.lock {
                l.mode = if no_key {
                    LockMode::NoKeyUpdate
                } else {
                    LockMode::KeyShare
                };
            }
        }
        Plan::Filter { input, .. }
        | Plan::Project { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Distinct { input, .. } => lower_lock_strength(input, no_key),
        Plan::Join { left, right, .. } => {
            lower_lock_strength(left, no_key);
            lower_lock_strength(right, no_key);
        }
        _ => {}
    }
}

/// No session-state functions are wired yet.
struct NoHooks;

impl SessionHooks for NoHooks {
    fn call(&self, _: &mut Transaction, name: &str, _: &[Value]) -> Result<Value, SqlError> {
        Err(SqlError::unsupported(format!(
            "{name}() is not supported yet"
        )))
    }
}

fn exec<'a>(
    txn: &'a mut Transaction,
    subplans: &'a [SubPlan],
    settings: &'a FormatSettings,
    params: &'a [Value],
    ts: i64,
) -> Exec<'a> {
    Exec {
        txn: RefCell::new(txn),
        subplans,
        settings,
        params,
        transaction_timestamp: ts,
        statement_timestamp: crate::sql::expr::functions::datetime::clock_now(),
        hooks: &NoHooks,
        outer: RefCell::new(Vec::new()),
        cache: RefCell::new(HashMap::new()),
        work: RefCell::new(HashMap::new()),
    }
}

/// Runs a planned statement.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    engine: &Engine,
    txn: &mut Transaction,
    planned: &Planned,
    parsed: &Parsed,
    params: &[Value],
    settings: &FormatSettings,
    ts: i64,
    search_path: &[String],
) -> Result<StatementResult, SqlError> {
    match planned {
        Planned::Query(pq) => {
            let e = exec(txn, &pq.subplans, settings, params, ts);
            let rows = e.run_all(&pq.plan)?;
            Ok(StatementResult {
                columns: Some(column_infos(&pq.columns)),
                tag: format!("SELECT {}", rows.len()),
                rows,
                ..StatementResult::default()
            })
        }
        Planned::Insert(p, subplans) => {
            let e = exec(txn, subplans, settings, params, ts);
            let w = run_insert(&e, p)?;
            Ok(StatementResult {
                columns: p.returning.as_ref().map(|r| column_infos(&r.columns)),
                tag: format!("INSERT 0 {}", w.count),
                rows: w.rows,
                ..StatementResult::default()
            })
        }
        Planned::Modify(p, subplans) => {
            let e = exec(txn, subplans, settings, params, ts);
            let w = run_modify(&e, p)?;
            Ok(StatementResult {
                columns: p.returning.as_ref().map(|r| column_infos(&r.columns)),
                tag: format!("{} {}", if p.delete { "DELETE" } else { "UPDATE" }, w.count),
                rows: w.rows,
                ..StatementResult::default()
            })
        }
        Planned::Utility => utility(engine, txn, parsed, search_path),
    }
}

fn utility(
    engine: &Engine,
    txn: &mut Transaction,
    parsed: &Parsed,
    search_path: &[String],
) -> Result<StatementResult, SqlError> {
    let stmt = match &parsed.kind {
        StatementKind::Maintenance { vacuum, .. } => {
            if *vacuum {
                engine.vacuum();
                return Ok(StatementResult::tag("VACUUM"));
            }
            return Ok(StatementResult::tag("ANALYZE"));
        }
        StatementKind::Sql(s) => s.as_ref(),
    };
    use crate::sql::ddl;
    match stmt {
        ast::Statement::CreateTable(ct) => {
            let mut r = StatementResult::tag("CREATE TABLE");
            if !ddl::create_table(txn, ct, search_path)? {
                let name = crate::sql::plan::query::object_parts(&ct.name).join(".");
                r.notices.push(SqlError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{name}\" already exists, skipping"),
                ));
            }
            Ok(r)
        }
        ast::Statement::Drop {
            object_type: ast::ObjectType::Table,
            if_exists,
            names,
            ..
        } => {
            let skipped = ddl::drop_tables(txn, names, *if_exists, search_path)?;
            let mut r = StatementResult::tag("DROP TABLE");
            for s in skipped {
                r.notices.push(SqlError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("table \"{s}\" does not exist, skipping"),
                ));
            }
            Ok(r)
        }
        ast::Statement::CreateIndex(ci) => {
            let mut r = StatementResult::tag("CREATE INDEX");
            if !ddl::create_index(txn, ci, search_path)? {
                r.notices.push(SqlError::new(
                    SqlState::DUPLICATE_TABLE,
                    "relation already exists, skipping",
                ));
            }
            Ok(r)
        }
        ast::Statement::Truncate(t) => {
            let names: Vec<ast::ObjectName> =
                t.table_names.iter().map(|n| n.name.clone()).collect();
            ddl::truncate(txn, &names, search_path)?;
            Ok(StatementResult::tag("TRUNCATE TABLE"))
        }
        other => Err(SqlError::unsupported(format!(
            "statement not supported yet: {}",
            other
                .to_string()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        ))),
    }
}
