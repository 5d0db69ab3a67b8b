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
use crate::sql::sequence::Sequences;

/// A planned statement.
#[derive(Debug)]
pub(crate) enum Planned {
    Query(PlannedQuery),
    Insert(InsertPlan, Vec<SubPlan>),
    Modify(ModifyPlan, Vec<SubPlan>),
    /// Run directly from the parsed statement (DDL, maintenance).
    Utility,
    /// EXPLAIN: the plan's text, one row per line.
    Explain(Vec<String>),
}

/// A prepared statement.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub parsed: Option<Parsed>,
    pub planned: Option<Planned>,
    pub param_types: Vec<Oid>,
    pub columns: Option<Vec<ColumnInfo>>,
}

impl Planned {
    /// Whether the catalog still holds exactly the relation definitions
    /// this plan was made against (DDL since then means re-planning).
    pub(crate) fn still_valid(&self, txn: &mut Transaction) -> Result<bool, SqlError> {
        let deps = match self {
            Planned::Query(pq) => &pq.dependencies,
            Planned::Insert(p, _) => &p.dependencies,
            Planned::Modify(p, _) => &p.dependencies,
            Planned::Utility | Planned::Explain(_) => return Ok(true),
        };
        for (key, def) in deps {
            match crate::sql::catalog::lookup(txn, key)? {
                Some(now) if std::sync::Arc::ptr_eq(&now, def) => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }
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

/// EXPLAIN's one text column.
fn query_plan_column() -> ColumnInfo {
    ColumnInfo {
        name: "QUERY PLAN".into(),
        table_oid: 0,
        column_id: 0,
        type_oid: twill_types::oid::TEXT,
        type_len: -1,
        type_modifier: -1,
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
            let (plan, columns) = planner.plan_result(q)?;
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
        ast::Statement::Explain {
            statement, analyze, ..
        } => {
            if *analyze {
                return Err(SqlError::unsupported(
                    "EXPLAIN ANALYZE is not supported yet",
                ));
            }
            let inner = Parsed {
                kind: StatementKind::Sql(statement.clone()),
                text: parsed.text.clone(),
                extras: parsed.extras.clone(),
            };
            let (planned, types, _) = plan(
                planner.into_txn(),
                &inner,
                settings,
                param_types,
                search_path,
            )?;
            let lines = match &planned {
                Planned::Query(pq) => crate::sql::plan::explain::explain(&pq.plan, &pq.subplans),
                Planned::Insert(p, subplans) => {
                    let mut l = vec![format!(
                        "Insert on {}",
                        crate::sql::catalog::split_key(&p.def.name).1
                    )];
                    l.extend(
                        crate::sql::plan::explain::explain(&p.source, subplans)
                            .into_iter()
                            .map(|x| format!("  ->  {x}")),
                    );
                    l
                }
                Planned::Modify(p, subplans) => {
                    let verb = if p.delete { "Delete" } else { "Update" };
                    let mut l = vec![format!(
                        "{verb} on {}",
                        crate::sql::catalog::split_key(&p.def.name).1
                    )];
                    l.extend(
                        crate::sql::plan::explain::explain(&p.source, subplans)
                            .into_iter()
                            .map(|x| format!("  ->  {x}")),
                    );
                    l
                }
                Planned::Utility | Planned::Explain(_) => {
                    return Err(SqlError::syntax(
                        "EXPLAIN of this statement is not supported",
                    ));
                }
            };
            Ok((
                Planned::Explain(lines),
                types,
                Some(vec![query_plan_column()]),
            ))
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

/// The command name of a statement that writes (for 25006), or `None`.
fn write_statement(stmt: &ast::Statement) -> Option<String> {
    use ast::Statement as S;
    Some(match stmt {
        S::CreateTable(_) => "CREATE TABLE".into(),
        S::CreateIndex(_) => "CREATE INDEX".into(),
        S::CreateView(_) => "CREATE VIEW".into(),
        S::CreateSequence { .. } => "CREATE SEQUENCE".into(),
        S::CreateSchema { .. } => "CREATE SCHEMA".into(),
        S::AlterTable(_) => "ALTER TABLE".into(),
        S::Drop { object_type, .. } => format!("DROP {}", object_type.to_string().to_uppercase()),
        S::Truncate(_) => "TRUNCATE TABLE".into(),
        _ => return None,
    })
}

/// What running a statement needs besides its plan and transaction.
pub(crate) struct Env<'a> {
    pub engine: &'a Engine,
    pub sequences: &'a Sequences,
    pub hooks: &'a dyn SessionHooks,
    pub settings: &'a FormatSettings,
    pub transaction_timestamp: i64,
    pub search_path: &'a [String],
    /// The transaction is READ ONLY: writes are 25006.
    pub read_only: bool,
}

/// 25006 for a write in a read-only transaction.
fn read_only_error(what: &str) -> SqlError {
    SqlError::new(
        SqlState::READ_ONLY_SQL_TRANSACTION,
        format!("cannot execute {what} in a read-only transaction"),
    )
}

/// An execution context for one call.
pub(crate) fn exec<'a>(
    env: &'a Env<'a>,
    txn: &'a mut Transaction,
    subplans: &'a [SubPlan],
    params: &'a [Value],
) -> Exec<'a> {
    Exec {
        txn: RefCell::new(txn),
        subplans,
        settings: env.settings,
        params,
        transaction_timestamp: env.transaction_timestamp,
        statement_timestamp: crate::sql::expr::functions::datetime::clock_now(),
        hooks: env.hooks,
        outer: RefCell::new(Vec::new()),
        cache: RefCell::new(HashMap::new()),
        work: RefCell::new(HashMap::new()),
    }
}

/// Runs a planned statement.
pub(crate) fn run(
    env: &Env<'_>,
    txn: &mut Transaction,
    planned: &Planned,
    parsed: &Parsed,
    params: &[Value],
) -> Result<StatementResult, SqlError> {
    match planned {
        Planned::Query(pq) => {
            let e = exec(env, txn, &pq.subplans, params);
            let rows = e.run_all(&pq.plan)?;
            Ok(StatementResult {
                columns: Some(column_infos(&pq.columns)),
                tag: format!("SELECT {}", rows.len()),
                rows,
                ..StatementResult::default()
            })
        }
        Planned::Insert(_, _) if env.read_only => Err(read_only_error("INSERT")),
        Planned::Modify(p, _) if env.read_only => {
            Err(read_only_error(if p.delete { "DELETE" } else { "UPDATE" }))
        }
        Planned::Insert(p, subplans) => {
            let e = exec(env, txn, subplans, params);
            let w = run_insert(&e, p)?;
            Ok(StatementResult {
                columns: p.returning.as_ref().map(|r| column_infos(&r.columns)),
                tag: format!("INSERT 0 {}", w.count),
                rows: w.rows,
                ..StatementResult::default()
            })
        }
        Planned::Modify(p, subplans) => {
            let e = exec(env, txn, subplans, params);
            let w = run_modify(&e, p)?;
            Ok(StatementResult {
                columns: p.returning.as_ref().map(|r| column_infos(&r.columns)),
                tag: format!("{} {}", if p.delete { "DELETE" } else { "UPDATE" }, w.count),
                rows: w.rows,
                ..StatementResult::default()
            })
        }
        Planned::Utility => utility(env, txn, parsed),
        Planned::Explain(lines) => Ok(StatementResult {
            columns: Some(vec![query_plan_column()]),
            rows: lines.iter().map(|l| vec![Value::Text(l.clone())]).collect(),
            tag: "EXPLAIN".into(),
            ..StatementResult::default()
        }),
    }
}

fn utility(
    env: &Env<'_>,
    txn: &mut Transaction,
    parsed: &Parsed,
) -> Result<StatementResult, SqlError> {
    let (engine, search_path) = (env.engine, env.search_path);
    if env.read_only
        && let StatementKind::Sql(stmt) = &parsed.kind
        && let Some(what) = write_statement(stmt)
    {
        return Err(read_only_error(&what));
    }
    let stmt = match &parsed.kind {
        StatementKind::Maintenance { vacuum, tables } => {
            for t in tables {
                let parts: Vec<String> = t.split('.').map(str::to_owned).collect();
                let found = crate::sql::catalog::resolve(txn, &parts, search_path)?.is_some();
                if !found {
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_TABLE,
                        format!("relation \"{t}\" does not exist"),
                    ));
                }
            }
            if *vacuum {
                engine.vacuum();
                return Ok(StatementResult::tag("VACUUM"));
            }
            return Ok(StatementResult::tag("ANALYZE"));
        }
        StatementKind::Checkpoint => {
            engine
                .checkpoint()
                .map_err(|m| SqlError::new(SqlState::IO_ERROR, m))?;
            return Ok(StatementResult::tag("CHECKPOINT"));
        }
        StatementKind::Sql(s) => s.as_ref(),
        // Cursors are session state: the session runs FETCH/MOVE itself.
        StatementKind::Fetch { .. } => {
            return Err(SqlError::internal("FETCH outside a session"));
        }
    };
    use crate::sql::ddl;
    match stmt {
        ast::Statement::CreateTable(ct) => {
            let mut r = StatementResult::tag("CREATE TABLE");
            if !ddl::create_table(txn, env.sequences, ct, search_path)? {
                let name = crate::sql::plan::query::object_parts(&ct.name).join(".");
                r.notices.push(SqlError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{name}\" already exists, skipping"),
                ));
            }
            Ok(r)
        }
        ast::Statement::Drop {
            object_type:
                kind @ (ast::ObjectType::Table
                | ast::ObjectType::View
                | ast::ObjectType::Sequence
                | ast::ObjectType::Index
                | ast::ObjectType::Schema),
            if_exists,
            names,
            cascade,
            ..
        } => {
            let notices = crate::sql::objects::drop_objects(
                txn,
                env.sequences,
                kind,
                names,
                *if_exists,
                *cascade,
                search_path,
            )?;
            let mut r = StatementResult::tag(&format!("DROP {}", kind.to_string().to_uppercase()));
            r.notices = notices;
            Ok(r)
        }
        ast::Statement::AlterTable(at) => {
            let e = exec(env, txn, &[], &[]);
            crate::sql::alter::alter_table(&e, env.settings, at, search_path, &parsed.text)?;
            Ok(StatementResult::tag("ALTER TABLE"))
        }
        ast::Statement::CreateSequence {
            if_not_exists,
            name,
            sequence_options,
            ..
        } => {
            let mut r = StatementResult::tag("CREATE SEQUENCE");
            if !crate::sql::sequence::create_statement(
                txn,
                env.sequences,
                *if_not_exists,
                name,
                sequence_options,
                search_path,
            )? {
                r.notices.push(SqlError::new(
                    SqlState::from_code("00000"),
                    format!(
                        "relation \"{}\" already exists, skipping",
                        crate::sql::plan::query::object_parts(name).join(".")
                    ),
                ));
            }
            Ok(r)
        }
        ast::Statement::CreateView(cv) => {
            let planner = StatementPlanner::new(
                txn,
                env.settings.clone(),
                &parsed.text,
                ParamTypes::default(),
                search_path.to_vec(),
            );
            crate::sql::objects::create_view(&planner, cv, search_path)?;
            Ok(StatementResult::tag("CREATE VIEW"))
        }
        ast::Statement::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => {
            let name = match schema_name {
                ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                    crate::sql::plan::query::object_parts(n).join(".")
                }
                ast::SchemaName::UnnamedAuthorization(i) => crate::sql::plan::query::ident(i),
            };
            let mut r = StatementResult::tag("CREATE SCHEMA");
            if !crate::sql::objects::create_schema(txn, &name, *if_not_exists)? {
                r.notices.push(SqlError::new(
                    SqlState::from_code("00000"),
                    format!("schema \"{name}\" already exists, skipping"),
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
            let restart = matches!(t.identity, Some(ast::TruncateIdentityOption::Restart));
            ddl::truncate(txn, env.sequences, &names, restart, search_path)?;
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
