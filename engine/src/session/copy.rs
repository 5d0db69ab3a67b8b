//! COPY FROM STDIN and COPY TO STDOUT: the session's side of the COPY
//! codecs in `sql::copy`.
//!
//! COPY FROM answers `Output::CopyIn` as the last output of its batch and
//! the simple query pauses; the host then calls [`Session::copy_data`] per
//! chunk (any split), and [`Session::copy_done`] — which answers
//! `COPY n` and continues the query string — or [`Session::copy_fail`].
//! Each chunk's rows are inserted at once, through the same INSERT
//! machinery as `INSERT … VALUES` (column defaults for the columns not
//! listed, NOT NULL, CHECK, unique keys, foreign keys), so a bad row fails
//! the COPY and the transaction is rolled back (or the block failed).
//!
//! COPY TO streams like a SELECT: the query (or `SELECT cols FROM table`)
//! runs in its plan nodes and each row becomes one CopyData, as PostgreSQL
//! sends them (clients such as psycopg parse one row per message).
//!
//! Server files and programs are never read or written: `COPY … FROM
//! 'file'` / `TO 'file'` / `PROGRAM` answer 42501 as PostgreSQL does for a
//! user without the pg_read/write_server_files or pg_execute_server_program
//! role.

use std::sync::Arc;

use sqlparser::ast;
use twill_types::{SqlState, Value};

use super::portal::Rows;
use super::statement::{self, Planned, Prepared as PreparedStatement};
use super::stream::Started;
use super::{Batch, Output, Session};
use crate::mvcc::RelationKind;
use crate::sql::copy::{
    CopyColumn, CopyDecoder, CopyDirection, CopyEncoder, CopyFormat, CopyOptions,
};
use crate::sql::dml::{InsertPlan, run_insert};
use crate::sql::error::SqlError;
use crate::sql::expr::{Expr, ParamTypes};
use crate::sql::front::{self, StatementKind};
use crate::sql::plan::query::{StatementPlanner, ident};
use crate::sql::plan::{Plan, SubPlan};

/// A COPY FROM STDIN in progress.
pub(super) struct CopyIn {
    /// The data decoder; taken at CopyDone.
    decoder: Option<CopyDecoder>,
    /// `INSERT INTO t DEFAULT VALUES`, planned: the table, its checks.
    plan: InsertPlan,
    /// Subqueries the plan refers to.
    subplans: Vec<SubPlan>,
    /// One row of default expressions; the data's columns replace theirs.
    template: Vec<Expr>,
    /// The table columns the data's fields go to, in order.
    positions: Vec<usize>,
    /// Rows inserted so far.
    count: u64,
    /// Started by a simple query, whose rest runs after CopyDone.
    simple: bool,
}

/// A COPY TO STDOUT in progress.
pub(super) struct CopyOut {
    rows: Rows,
    encoder: CopyEncoder,
    binary: bool,
    columns: usize,
    /// The header (binary signature or HEADER line), sent first.
    header: Vec<u8>,
    /// Rows sent so far.
    count: u64,
}

impl CopyOut {
    /// The outputs that begin the COPY.
    pub(super) fn begin(&self, out: &mut Vec<Output>) {
        out.push(Output::CopyOut {
            binary: self.binary,
            columns: self.columns,
        });
        // A binary header travels with the first row (or the trailer), as
        // PostgreSQL sends it: psycopg reads header and row as one message.
        if !self.header.is_empty() && !self.binary {
            out.push(Output::CopyData(self.header.clone()));
        }
    }
}

fn no_copy() -> SqlError {
    SqlError::new(SqlState::PROTOCOL_VIOLATION, "no COPY in progress")
}

fn folded(i: &ast::Ident) -> String {
    ident(i)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Both option syntaxes as PostgreSQL's name/value list.
fn option_list(
    options: &[ast::CopyOption],
    legacy: &[ast::CopyLegacyOption],
) -> Result<Vec<(String, Option<String>)>, SqlError> {
    use ast::{CopyLegacyCsvOption as C, CopyLegacyOption as L, CopyOption as O};
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut put = |n: &str, v: Option<String>| out.push((n.to_owned(), v));
    let b = |v: bool| Some(if v { "true" } else { "false" }.to_owned());
    let cols = |c: &[ast::Ident]| Some(c.iter().map(folded).collect::<Vec<_>>().join(","));
    for o in options {
        match o {
            O::Format(f) => put("format", Some(folded(f))),
            O::Freeze(v) => put("freeze", b(*v)),
            O::Delimiter(c) => put("delimiter", Some(c.to_string())),
            O::Null(s) => put("null", Some(s.clone())),
            O::Header(v) => put("header", b(*v)),
            O::Quote(c) => put("quote", Some(c.to_string())),
            O::Escape(c) => put("escape", Some(c.to_string())),
            O::ForceQuote(c) => put("force_quote", cols(c)),
            O::ForceNotNull(c) => put("force_not_null", cols(c)),
            O::ForceNull(c) => put("force_null", cols(c)),
            O::Encoding(s) => put("encoding", Some(s.clone())),
        }
    }
    for o in legacy {
        match o {
            L::Binary => put("format", Some("binary".into())),
            L::Delimiter(c) => put("delimiter", Some(c.to_string())),
            L::Null(s) => put("null", Some(s.clone())),
            L::Header => put("header", None),
            L::Csv(list) => {
                put("format", Some("csv".into()));
                for c in list {
                    match c {
                        C::Header => put("header", None),
                        C::Quote(q) => put("quote", Some(q.to_string())),
                        C::Escape(e) => put("escape", Some(e.to_string())),
                        C::ForceQuote(c) => put("force_quote", cols(c)),
                        C::ForceNotNull(c) => put("force_not_null", cols(c)),
                    }
                }
            }
            other => {
                let text = other.to_string();
                let word = text
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                return Err(crate::sql::front::syntax_near(&word, None));
            }
        }
    }
    Ok(out)
}

/// 42501: we never touch server files or programs.
fn server_side(target: &ast::CopyTarget, to: bool) -> Option<SqlError> {
    let message = match target {
        ast::CopyTarget::Stdin | ast::CopyTarget::Stdout => return None,
        ast::CopyTarget::File { .. } if to => {
            "must be superuser or have privileges of the pg_write_server_files role to COPY to a file"
        }
        ast::CopyTarget::File { .. } => {
            "must be superuser or have privileges of the pg_read_server_files role to COPY from a file"
        }
        ast::CopyTarget::Program { .. } => {
            "must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program"
        }
    };
    Some(
        SqlError::new(SqlState::INSUFFICIENT_PRIVILEGE, message).with_hint(
            "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.",
        ),
    )
}

/// The table positions of a COPY column list (all columns when empty).
fn positions(def: &crate::mvcc::TableDef, columns: &[ast::Ident]) -> Result<Vec<usize>, SqlError> {
    if columns.is_empty() {
        return Ok((0..def.columns.len()).collect());
    }
    let table = crate::sql::catalog::split_key(&def.name).1.to_owned();
    let mut out = Vec::new();
    for c in columns {
        let n = folded(c);
        let i = def
            .columns
            .iter()
            .position(|d| d.name == n)
            .ok_or_else(|| {
                SqlError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{n}\" of relation \"{table}\" does not exist"),
                )
            })?;
        if out.contains(&i) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_COLUMN,
                format!("column \"{n}\" specified more than once"),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

impl Session {
    /// Starts a COPY statement.
    pub(super) fn copy(&mut self, parsed: &front::Parsed) -> Result<Started, SqlError> {
        let StatementKind::Sql(stmt) = &parsed.kind else {
            return Err(SqlError::internal("not a COPY"));
        };
        let ast::Statement::Copy {
            source,
            to,
            target,
            options,
            legacy_options,
            ..
        } = stmt.as_ref()
        else {
            return Err(SqlError::internal("not a COPY"));
        };
        let to = *to;
        let mut list = option_list(options, legacy_options)?;
        if parsed.extras.freeze {
            list.push(("freeze".to_owned(), None));
        }
        let direction = if to {
            CopyDirection::To
        } else {
            CopyDirection::From
        };
        let copts = CopyOptions::parse(&list, direction)?;
        if let Some(e) = server_side(target, to) {
            return Err(e);
        }
        if to {
            self.copy_to(parsed, source, copts)
        } else {
            self.copy_from(parsed, source, copts)
        }
    }

    fn copy_from(
        &mut self,
        parsed: &front::Parsed,
        source: &ast::CopySource,
        copts: CopyOptions,
    ) -> Result<Started, SqlError> {
        let ast::CopySource::Table {
            table_name,
            columns,
        } = source
        else {
            return Err(SqlError::syntax("syntax error at or near \"FROM\""));
        };
        let ((def, positions, plan, subplans), _) = self.with_env(|env, txn| {
            txn.begin_statement()?;
            let planner = StatementPlanner::new(
                txn,
                env.settings.clone(),
                &parsed.text,
                ParamTypes::default(),
                env.search_path.to_vec(),
            );
            let def = planner.relation(table_name)?;
            let name = crate::sql::catalog::split_key(&def.name).1.to_owned();
            match &def.kind {
                RelationKind::Table => {}
                RelationKind::View { .. } => {
                    return Err(SqlError::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("cannot copy to view \"{name}\""),
                    )
                    .with_hint(
                        "To enable copying to a view, provide an INSTEAD OF INSERT trigger.",
                    ));
                }
                RelationKind::Sequence(_) => {
                    return Err(SqlError::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("cannot copy to sequence \"{name}\""),
                    ));
                }
                _ => {
                    return Err(SqlError::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("cannot copy to non-table relation \"{name}\""),
                    ));
                }
            }
            let positions = positions(&def, columns)?;
            if env.read_only {
                return Err(SqlError::new(
                    SqlState::READ_ONLY_SQL_TRANSACTION,
                    "cannot execute COPY FROM in a read-only transaction",
                ));
            }
            let sql = format!("INSERT INTO {table_name} DEFAULT VALUES");
            let dialect = sqlparser::dialect::PostgreSqlDialect {};
            let ins = sqlparser::parser::Parser::parse_sql(&dialect, &sql)
                .ok()
                .and_then(|mut v| v.pop())
                .ok_or_else(|| SqlError::internal("COPY: INSERT does not parse"))?;
            let ast::Statement::Insert(ins) = ins else {
                return Err(SqlError::internal("COPY: not an INSERT"));
            };
            let plan = crate::sql::dml::plan_insert(&planner, &ins)?;
            let subplans = planner.subplans.take();
            Ok((def, positions, plan, subplans))
        })?;
        let Plan::Values { rows } = &plan.source else {
            return Err(SqlError::internal("COPY: unexpected INSERT plan"));
        };
        let template = rows.first().cloned().unwrap_or_default();
        let columns: Vec<CopyColumn> = positions
            .iter()
            .map(|&i| {
                let c = &def.columns[i];
                CopyColumn {
                    name: c.name.clone(),
                    ty: c.type_oid,
                    typmod: c.typmod,
                }
            })
            .collect();
        let binary = copts.format == CopyFormat::Binary;
        let n = columns.len();
        let decoder = CopyDecoder::new(copts, columns, self.settings.format().clone());
        self.copy_in = Some(CopyIn {
            decoder: Some(decoder),
            plan,
            subplans,
            template,
            positions,
            count: 0,
            simple: self.simple.is_some(),
        });
        Ok(Started::CopyIn { binary, columns: n })
    }

    fn copy_to(
        &mut self,
        parsed: &front::Parsed,
        source: &ast::CopySource,
        copts: CopyOptions,
    ) -> Result<Started, SqlError> {
        let ((stmt, names), _) = self.with_env(|env, txn| {
            txn.begin_statement()?;
            let query = match source {
                ast::CopySource::Query(q) => (**q).clone(),
                ast::CopySource::Table {
                    table_name,
                    columns,
                } => {
                    let planner = StatementPlanner::new(
                        txn,
                        env.settings.clone(),
                        &parsed.text,
                        ParamTypes::default(),
                        env.search_path.to_vec(),
                    );
                    let def = planner.relation(table_name)?;
                    let name = crate::sql::catalog::split_key(&def.name).1.to_owned();
                    match &def.kind {
                        RelationKind::Table => {}
                        RelationKind::View { .. } => {
                            return Err(SqlError::new(
                                SqlState::WRONG_OBJECT_TYPE,
                                format!("cannot copy from view \"{name}\""),
                            )
                            .with_hint("Try the COPY (SELECT ...) TO variant."));
                        }
                        RelationKind::Sequence(_) => {
                            return Err(SqlError::new(
                                SqlState::WRONG_OBJECT_TYPE,
                                format!("cannot copy from sequence \"{name}\""),
                            )
                            .with_hint("Try the COPY (SELECT ...) TO variant."));
                        }
                        _ => {
                            return Err(SqlError::new(
                                SqlState::WRONG_OBJECT_TYPE,
                                format!("cannot copy from non-table relation \"{name}\""),
                            )
                            .with_hint("Try the COPY (SELECT ...) TO variant."));
                        }
                    }
                    let cols: Vec<String> = positions(&def, columns)?
                        .into_iter()
                        .map(|i| quote_ident(&def.columns[i].name))
                        .collect();
                    let list = if cols.is_empty() {
                        "*".to_owned()
                    } else {
                        cols.join(", ")
                    };
                    front::parse_query(&format!("SELECT {list} FROM {table_name}"))?
                }
            };
            let inner = front::Parsed {
                kind: StatementKind::Sql(Box::new(ast::Statement::Query(Box::new(query)))),
                text: parsed.text.clone(),
                extras: parsed.extras.clone(),
            };
            let (planned, types, columns) =
                statement::plan(txn, &inner, env.settings, &[], env.search_path)?;
            if !matches!(planned, Planned::Query(_)) {
                return Err(SqlError::unsupported(
                    "COPY of this statement is not supported",
                ));
            }
            let names: Vec<String> = columns.iter().flatten().map(|c| c.name.clone()).collect();
            let stmt = Arc::new(PreparedStatement {
                parsed: None,
                planned: Some(planned),
                param_types: types,
                columns,
            });
            Ok((stmt, names))
        })?;
        let types = stmt.columns.iter().flatten().map(|c| c.type_oid).collect();
        let binary = copts.format == CopyFormat::Binary;
        let encoder = CopyEncoder::new(copts, types, self.settings.format().clone());
        let header = encoder.header(&names);
        Ok(Started::CopyOut(CopyOut {
            rows: Rows::plan(stmt, Vec::new())?,
            encoder,
            binary,
            columns: names.len(),
            header,
            count: 0,
        }))
    }

    /// Encodes up to `n` rows of a COPY TO; whether it is done.
    pub(super) fn copy_out_step(
        &mut self,
        c: &mut CopyOut,
        n: u64,
        out: &mut Vec<Output>,
    ) -> Result<bool, SqlError> {
        let mut buf = Vec::new();
        self.pull_rows(&mut c.rows, n, &mut buf, out)?;
        for r in buf {
            let mut bytes = if c.binary {
                std::mem::take(&mut c.header)
            } else {
                Vec::new()
            };
            c.encoder.row(&r, &mut bytes);
            out.push(Output::CopyData(bytes));
            c.count += 1;
        }
        if !c.rows.exhausted() {
            return Ok(false);
        }
        let mut trailer = if c.binary {
            std::mem::take(&mut c.header)
        } else {
            Vec::new()
        };
        trailer.extend(c.encoder.trailer());
        if !trailer.is_empty() {
            out.push(Output::CopyData(trailer));
        }
        out.push(Output::CopyDone);
        out.push(Output::Complete(format!("COPY {}", c.count)));
        Ok(true)
    }

    /// Inserts decoded COPY rows.
    fn copy_insert(&mut self, c: &mut CopyIn, rows: Vec<Vec<Value>>) -> Result<(), SqlError> {
        if rows.is_empty() {
            return Ok(());
        }
        let def = &c.plan.def;
        let values = rows
            .into_iter()
            .map(|r| {
                let mut t = c.template.clone();
                for (v, &i) in r.into_iter().zip(&c.positions) {
                    let col = &def.columns[i];
                    t[i] = Expr::Const {
                        value: v,
                        ty: col.type_oid,
                        typmod: col.typmod,
                    };
                }
                t
            })
            .collect();
        let plan = InsertPlan {
            dependencies: Vec::new(),
            def: def.clone(),
            source: Plan::Values { rows: values },
            checks: c.plan.checks.clone(),
            returning: None,
            conflict: None,
        };
        let subplans = &c.subplans;
        let (written, _) = self.with_env(|env, txn| {
            let e = statement::exec(env, txn, subplans, &[]);
            run_insert(&e, &plan)
        })?;
        c.count += written.count;
        Ok(())
    }

    /// Ends a failed COPY FROM: the error ends the statement and the query.
    fn copy_failed(&mut self) {
        self.copy_in = None;
        self.abort();
        self.simple = None;
    }

    /// COPY FROM STDIN data, in any chunking.
    pub fn copy_data(&mut self, data: &[u8]) -> Result<(), SqlError> {
        let Some(mut c) = self.copy_in.take() else {
            return Err(no_copy());
        };
        let rows = match c.decoder.as_mut() {
            Some(d) => d.feed(data),
            None => Err(no_copy()),
        };
        match rows.and_then(|rows| self.copy_insert(&mut c, rows)) {
            Ok(()) => {
                self.copy_in = Some(c);
                Ok(())
            }
            Err(e) => {
                self.copy_failed();
                Err(e)
            }
        }
    }

    /// End of COPY FROM STDIN data: `COPY n`, then the rest of the query.
    pub fn copy_done(&mut self) -> Batch {
        let Some(mut c) = self.copy_in.take() else {
            return self.batch(vec![Output::Error(no_copy())], false);
        };
        let rows = match c.decoder.take() {
            Some(d) => d.finish(),
            None => Err(no_copy()),
        };
        if let Err(e) = rows.and_then(|rows| self.copy_insert(&mut c, rows)) {
            self.copy_failed();
            return self.batch(vec![Output::Error(e)], false);
        }
        let mut out = vec![Output::Complete(format!("COPY {}", c.count))];
        let more = c.simple && self.advance(&mut out);
        self.batch(out, more)
    }

    /// COPY FROM STDIN aborted (CopyFail, a protocol error, a timeout).
    pub fn copy_fail(&mut self, error: SqlError) -> Batch {
        self.copy_failed();
        self.batch(vec![Output::Error(error)], false)
    }
}
