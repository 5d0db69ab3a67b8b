//! ALTER TABLE.
//!
//! Every change is a *rewrite*: the table is dropped and created again
//! under the same name with the new definition, and its rows are copied
//! over, transformed. Both halves are transactional MVCC catalog
//! operations, so an ALTER that fails (a NOT NULL that existing rows
//! violate, a duplicate in a new primary key) or a transaction that rolls
//! back leaves the table exactly as it was. The price is a copy of the
//! table and a new table OID; PostgreSQL rewrites for many of these too
//! (ALTER COLUMN TYPE, ADD COLUMN with a volatile default), and prepared
//! statements notice the new OID and re-plan.

use std::sync::Arc;

use sqlparser::ast::{self, AlterTableOperation as Op};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use twill_types::{SqlState, Value};

use crate::mvcc::{CheckDef, IndexDef, RelationKind, TableDef};
use crate::sql::catalog::{lookup, qualified, split_key};
use crate::sql::error::SqlError;
use crate::sql::exec::Exec;
use crate::sql::expr::{CastContext, Expr};
use crate::sql::plan::query::{ident, object_parts};
use crate::sql::plan::scope::ScopeColumn;

/// How each new row is made from an old one.
enum Source {
    /// Column `i` of the old row.
    Old(usize),
    /// An expression over the old row (a default, a USING cast).
    Expr(Expr),
}

/// Replaces `old` with `new` (same or different key), copying the rows
/// through `sources`, and checking NOT NULL and CHECK on every new row.
fn rewrite(
    exec: &Exec<'_>,
    old: &TableDef,
    new: TableDef,
    sources: &[Source],
) -> Result<(), SqlError> {
    let rows: Vec<Vec<Value>> = {
        let mut txn = exec.txn.borrow_mut();
        txn.scan(old.id, ..)?
            .map(|r| r.map(|(_, row)| row.to_vec()).map_err(SqlError::from))
            .collect::<Result<_, _>>()?
    };
    let eval = exec.eval_context();
    let short = split_key(&new.name).1.to_owned();
    let checks = bind_checks(exec, &new)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut r = Vec::with_capacity(sources.len());
        for s in sources {
            r.push(match s {
                Source::Old(i) => row.get(*i).cloned().unwrap_or(Value::Null),
                Source::Expr(x) => x.eval(&eval, row)?,
            });
        }
        for (c, v) in new.columns.iter().zip(&r) {
            if !c.nullable && v.is_null() {
                return Err(SqlError::new(
                    SqlState::NOT_NULL_VIOLATION,
                    format!(
                        "column \"{}\" of relation \"{short}\" contains null values",
                        c.name
                    ),
                ));
            }
        }
        for (name, x) in &checks {
            if matches!(x.eval(&eval, &r)?, Value::Bool(false)) {
                return Err(SqlError::new(
                    SqlState::CHECK_VIOLATION,
                    format!(
                        "check constraint \"{name}\" of relation \"{short}\" is violated by some row"
                    ),
                ));
            }
        }
        out.push(r);
    }
    let mut txn = exec.txn.borrow_mut();
    txn.drop_table(&old.name)?;
    let id = txn.create_table(new.clone())?;
    for r in out {
        txn.insert(id, r).map_err(|e| match e {
            crate::mvcc::Error::UniqueViolation { constraint } => SqlError::new(
                SqlState::UNIQUE_VIOLATION,
                format!("could not create unique index \"{constraint}\""),
            ),
            e => e.into(),
        })?;
    }
    Ok(())
}

/// Replaces a definition keeping every row as it is (constraint removal).
pub(crate) fn replace_definition(
    txn: &mut crate::mvcc::Transaction,
    old: &TableDef,
    new: TableDef,
) -> Result<(), SqlError> {
    let rows: Vec<crate::mvcc::Row> = txn
        .scan(old.id, ..)?
        .map(|r| r.map(|(_, row)| row).map_err(SqlError::from))
        .collect::<Result<_, _>>()?;
    txn.drop_table(&old.name)?;
    let id = txn.create_table(new)?;
    for r in rows {
        txn.insert(id, r)?;
    }
    Ok(())
}

fn parse_expr(text: &str) -> Result<ast::Expr, SqlError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::internal(format!("stored expression does not parse: {e}")))
}

fn table_cols(def: &TableDef) -> Vec<ScopeColumn> {
    def.columns
        .iter()
        .map(|c| ScopeColumn::new(Some(split_key(&def.name).1), &c.name, c.type_oid, c.typmod))
        .collect()
}

fn bind_checks(exec: &Exec<'_>, def: &TableDef) -> Result<Vec<(String, Expr)>, SqlError> {
    let cols = table_cols(def);
    let scope = SimpleScope(&cols);
    def.checks
        .iter()
        .map(|c| {
            let e = parse_expr(&c.expr)?;
            let x = crate::sql::expr::Binder::new(&scope)
                .with_settings(exec.settings.clone())
                .bind_condition(&e, "CHECK")?;
            Ok((c.name.clone(), x))
        })
        .collect()
}

/// Names → positions over a table's own row, for stored expressions.
struct SimpleScope<'a>(&'a [ScopeColumn]);

impl crate::sql::expr::Scope for SimpleScope<'_> {
    fn resolve_column(
        &self,
        _: Option<&str>,
        name: &str,
    ) -> Result<(usize, twill_types::Oid, i32), SqlError> {
        self.0
            .iter()
            .position(|c| c.name == name)
            .map(|i| (i, self.0[i].ty, self.0[i].typmod))
            .ok_or_else(|| {
                SqlError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{name}\" does not exist"),
                )
            })
    }
}

/// The identifier a word token spells, folded as PostgreSQL folds it.
fn word_name(w: &sqlparser::tokenizer::Word) -> String {
    if w.quote_style.is_some() {
        w.value.clone()
    } else {
        w.value.to_lowercase()
    }
}

fn tokens(text: &str) -> Result<Vec<sqlparser::tokenizer::Token>, SqlError> {
    sqlparser::tokenizer::Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .map_err(|e| SqlError::internal(format!("stored expression does not tokenize: {e}")))
}

/// Renames a column in a stored expression (word by word: string literals
/// are separate tokens, so only identifiers change).
fn rename_in(text: &str, from: &str, to: &str) -> Result<String, SqlError> {
    use sqlparser::tokenizer::Token;
    Ok(tokens(text)?
        .into_iter()
        .map(|t| match t {
            Token::Word(w) if word_name(&w) == from => format!("\"{}\"", to.replace('"', "\"\"")),
            t => t.to_string(),
        })
        .collect())
}

/// Whether a stored expression mentions a column.
fn mentions(text: &str, column: &str) -> bool {
    use sqlparser::tokenizer::Token;
    tokens(text).is_ok_and(|ts| {
        ts.iter()
            .any(|t| matches!(t, Token::Word(w) if word_name(w) == column))
    })
}

/// Runs ALTER TABLE.
pub(crate) fn alter_table(
    exec: &Exec<'_>,
    planner_settings: &twill_types::FormatSettings,
    at: &ast::AlterTable,
    search_path: &[String],
    source: &str,
) -> Result<(), SqlError> {
    let _ = source;
    let parts = object_parts(&at.name);
    let found = crate::sql::catalog::resolve(&mut exec.txn.borrow_mut(), &parts, search_path)?;
    let Some((_, mut current)) = found else {
        if at.if_exists {
            return Ok(());
        }
        return Err(crate::sql::catalog::undefined_relation(&parts));
    };
    if !matches!(current.kind, RelationKind::Table) {
        return Err(SqlError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "\"{}\" is not a table",
                parts.last().cloned().unwrap_or_default()
            ),
        ));
    }
    for op in &at.operations {
        current = apply(exec, planner_settings, current, op, search_path)?;
    }
    Ok(())
}

fn column_index(def: &TableDef, name: &str) -> Result<usize, SqlError> {
    def.columns
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    split_key(&def.name).1
                ),
            )
        })
}

fn identity_sources(n: usize) -> Vec<Source> {
    (0..n).map(Source::Old).collect()
}

/// Applies one operation; returns the new definition (as now stored).
fn apply(
    exec: &Exec<'_>,
    settings: &twill_types::FormatSettings,
    def: Arc<TableDef>,
    op: &Op,
    search_path: &[String],
) -> Result<Arc<TableDef>, SqlError> {
    let short = split_key(&def.name).1.to_owned();
    let mut new = (*def).clone();
    let mut sources = identity_sources(def.columns.len());
    match op {
        Op::AddColumn {
            if_not_exists,
            column_def,
            ..
        } => {
            let name = ident(&column_def.name);
            if def.columns.iter().any(|c| c.name == name) {
                if *if_not_exists {
                    return Ok(def);
                }
                return Err(SqlError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{name}\" of relation \"{short}\" already exists"),
                ));
            }
            // Build the column the way CREATE TABLE does, on a scratch table.
            let ct_sql = format!("CREATE TABLE scratch ({column_def})");
            let parsed = crate::sql::front::parse(&ct_sql)?;
            let Some(crate::sql::front::StatementKind::Sql(stmt)) =
                parsed.into_iter().next().map(|p| p.kind)
            else {
                return Err(SqlError::internal("column definition did not parse"));
            };
            let ast::Statement::CreateTable(ct) = *stmt else {
                return Err(SqlError::internal("column definition did not parse"));
            };
            let (col, extra) = crate::sql::ddl::column_from_ast(&ct.columns[0], &short)?;
            if extra.owned_sequence.is_some() || extra.foreign_key.is_some() {
                return Err(SqlError::unsupported(
                    "ADD COLUMN with serial, identity or REFERENCES is not supported yet",
                ));
            }
            let i = new.columns.len();
            new.columns.push(col);
            for ch in extra.checks {
                new.checks.push(ch);
            }
            if extra.primary_key {
                if new.primary_key.is_some() {
                    return Err(SqlError::new(
                        SqlState::INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{short}\" are not allowed"),
                    ));
                }
                new.primary_key = Some(vec![i]);
                new.columns[i].nullable = false;
            }
            if let Some(unique) = extra.unique {
                new.indexes.push(IndexDef {
                    name: unique.unwrap_or_else(|| format!("{short}_{name}_key")),
                    columns: vec![i],
                    unique: true,
                });
            }
            let default = match &new.columns[i].default {
                Some(text) => {
                    let e = parse_expr(text)?;
                    let c = &new.columns[i];
                    Source::Expr(
                        crate::sql::expr::Binder::new(&crate::sql::expr::NoColumns)
                            .with_settings(settings.clone())
                            .bind_assignment(&e, &c.name, c.type_oid, c.typmod)?,
                    )
                }
                None => Source::Expr(Expr::constant(Value::Null, new.columns[i].type_oid)),
            };
            sources.push(default);
        }
        Op::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            for n in column_names {
                let name = ident(n);
                let Some(i) = new.columns.iter().position(|c| c.name == name) else {
                    if *if_exists {
                        continue;
                    }
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{name}\" of relation \"{short}\" does not exist"),
                    ));
                };
                let shift = |cols: &[usize]| -> Option<Vec<usize>> {
                    if cols.contains(&i) {
                        None
                    } else {
                        Some(
                            cols.iter()
                                .map(|&c| if c > i { c - 1 } else { c })
                                .collect(),
                        )
                    }
                };
                let views =
                    crate::sql::objects::dependent_views(&mut exec.txn.borrow_mut(), &def.name)?;
                for view in views {
                    let reads_it =
                        lookup(&mut exec.txn.borrow_mut(), &view)?.is_some_and(|v| match &v.kind {
                            RelationKind::View { query } => mentions(query, &name),
                            _ => false,
                        });
                    if reads_it {
                        return Err(SqlError::new(
                            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                            format!("cannot drop column {name} of table {short} because other objects depend on it"),
                        )
                        .with_detail(format!("view {} depends on column {name} of table {short}", split_key(&view).1))
                        .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                    }
                }
                new.columns.remove(i);
                sources.remove(i);
                new.primary_key = new.primary_key.as_deref().and_then(shift);
                new.indexes = new
                    .indexes
                    .iter()
                    .filter_map(|ix| {
                        shift(&ix.columns).map(|columns| IndexDef {
                            columns,
                            ..ix.clone()
                        })
                    })
                    .collect();
                new.checks.retain(|c| !mentions(&c.expr, &name));
                new.foreign_keys = new
                    .foreign_keys
                    .iter()
                    .filter_map(|fk| {
                        shift(&fk.columns).map(|columns| crate::mvcc::ForeignKeyDef {
                            columns,
                            ..fk.clone()
                        })
                    })
                    .collect();
            }
        }
        Op::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let (from, to) = (ident(old_column_name), ident(new_column_name));
            let i = column_index(&new, &from)?;
            if new.columns.iter().any(|c| c.name == to) {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{to}\" of relation \"{short}\" already exists"),
                ));
            }
            new.columns[i].name = to.clone();
            for c in &mut new.checks {
                c.expr = rename_in(&c.expr, &from, &to)?;
            }
        }
        Op::RenameTable { table_name } => {
            let target = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
            };
            let to = object_parts(target).last().cloned().unwrap_or_default();
            let (schema, _) = split_key(&def.name);
            let key = qualified(schema, &to);
            if lookup(&mut exec.txn.borrow_mut(), &key)?.is_some() {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{to}\" already exists"),
                ));
            }
            new.name = key;
        }
        Op::AlterColumn { column_name, op } => {
            let name = ident(column_name);
            let i = column_index(&new, &name)?;
            match op {
                ast::AlterColumnOperation::SetNotNull => new.columns[i].nullable = false,
                ast::AlterColumnOperation::DropNotNull => {
                    if new.primary_key.as_ref().is_some_and(|pk| pk.contains(&i)) {
                        return Err(SqlError::new(
                            SqlState::INVALID_TABLE_DEFINITION,
                            format!("column \"{name}\" is in a primary key"),
                        ));
                    }
                    new.columns[i].nullable = true;
                }
                ast::AlterColumnOperation::SetDefault { value } => {
                    // Validate it now, as PostgreSQL does.
                    let c = &new.columns[i];
                    crate::sql::expr::Binder::new(&crate::sql::expr::NoColumns)
                        .with_settings(settings.clone())
                        .bind_assignment(value, &c.name, c.type_oid, c.typmod)?;
                    new.columns[i].default = Some(value.to_string());
                }
                ast::AlterColumnOperation::DropDefault => new.columns[i].default = None,
                ast::AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => {
                    let (ty, typmod) = crate::sql::types::resolve_data_type(data_type)?;
                    let cols = table_cols(&def);
                    let scope = SimpleScope(&cols);
                    let old = &def.columns[i];
                    let x = match using {
                        Some(u) => {
                            let x = crate::sql::expr::Binder::new(&scope)
                                .with_settings(settings.clone())
                                .bind(u)?;
                            crate::sql::expr::Binder::new(&scope)
                                .with_settings(settings.clone())
                                .coerce(x, ty, typmod, CastContext::Assignment)?
                        }
                        None => {
                            let col = Expr::Column {
                                index: i,
                                ty: old.type_oid,
                                typmod: old.typmod,
                            };
                            crate::sql::expr::Binder::new(&scope)
                                .with_settings(settings.clone())
                                .coerce(col, ty, typmod, CastContext::Assignment)
                                .map_err(|_| {
                                    SqlError::new(
                                        SqlState::DATATYPE_MISMATCH,
                                        format!(
                                            "column \"{name}\" cannot be cast automatically to type {}",
                                            crate::sql::types::format_type(ty, typmod)
                                        ),
                                    )
                                    .with_hint(format!(
                                        "You might need to specify \"USING {name}::{}\".",
                                        crate::sql::types::format_type(ty, typmod)
                                    ))
                                })?
                        }
                    };
                    new.columns[i].type_oid = ty;
                    new.columns[i].typmod = typmod;
                    sources[i] = Source::Expr(x);
                }
                _ => {
                    return Err(SqlError::unsupported(format!(
                        "ALTER COLUMN {op} is not supported"
                    )));
                }
            }
        }
        Op::AddConstraint { constraint, .. } => match constraint {
            ast::TableConstraint::PrimaryKey(p) => {
                if new.primary_key.is_some() {
                    return Err(SqlError::new(
                        SqlState::INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{short}\" are not allowed"),
                    ));
                }
                let cols = p
                    .columns
                    .iter()
                    .map(|c| column_index(&new, &c.column.expr.to_string().to_lowercase()))
                    .collect::<Result<Vec<_>, _>>()?;
                for &c in &cols {
                    new.columns[c].nullable = false;
                }
                new.primary_key = Some(cols);
            }
            ast::TableConstraint::Unique(u) => {
                let cols = u
                    .columns
                    .iter()
                    .map(|c| column_index(&new, &c.column.expr.to_string().to_lowercase()))
                    .collect::<Result<Vec<_>, _>>()?;
                let names: Vec<&str> = cols.iter().map(|&c| new.columns[c].name.as_str()).collect();
                new.indexes.push(IndexDef {
                    name: u
                        .name
                        .as_ref()
                        .map(ident)
                        .unwrap_or_else(|| format!("{short}_{}_key", names.join("_"))),
                    columns: cols,
                    unique: true,
                });
            }
            ast::TableConstraint::Check(chk) => {
                let name = chk
                    .name
                    .as_ref()
                    .map(ident)
                    .unwrap_or_else(|| format!("{short}_check"));
                if new.checks.iter().any(|c| c.name == name) {
                    return Err(SqlError::new(
                        SqlState::DUPLICATE_OBJECT,
                        format!("constraint \"{name}\" for relation \"{short}\" already exists"),
                    ));
                }
                new.checks.push(CheckDef {
                    name,
                    expr: chk.expr.to_string(),
                });
            }
            ast::TableConstraint::ForeignKey(fk) => {
                let columns: Vec<String> = fk.columns.iter().map(ident).collect();
                let resolved = {
                    let mut txn = exec.txn.borrow_mut();
                    crate::sql::foreign_key::define(
                        &mut txn,
                        &new,
                        fk.name.as_ref(),
                        &columns,
                        fk,
                        search_path,
                    )?
                };
                new.foreign_keys.push(resolved);
                // Existing rows must satisfy it.
                let rows: Vec<Vec<Value>> = {
                    let mut txn = exec.txn.borrow_mut();
                    txn.scan(def.id, ..)?
                        .map(|r| r.map(|(_, row)| row.to_vec()).map_err(SqlError::from))
                        .collect::<Result<_, _>>()?
                };
                let probe = TableDef {
                    foreign_keys: vec![new.foreign_keys.last().cloned().expect("just pushed")],
                    ..(*def).clone()
                };
                for r in rows {
                    crate::sql::foreign_key::check_parents(exec, &probe, &r, None)?;
                }
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "constraint {other} is not supported"
                )));
            }
        },
        Op::DropConstraint {
            if_exists, name, ..
        } => {
            let name = ident(name);
            let before = (
                new.checks.len(),
                new.indexes.len(),
                new.foreign_keys.len(),
                new.primary_key.is_some(),
            );
            new.checks.retain(|c| c.name != name);
            new.indexes.retain(|i| !(i.unique && i.name == name));
            new.foreign_keys.retain(|f| f.name != name);
            if new.primary_key.is_some() && def.primary_key_name() == name {
                new.primary_key = None;
            }
            let after = (
                new.checks.len(),
                new.indexes.len(),
                new.foreign_keys.len(),
                new.primary_key.is_some(),
            );
            if before == after {
                if *if_exists {
                    return Ok(def);
                }
                return Err(SqlError::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("constraint \"{name}\" of relation \"{short}\" does not exist"),
                ));
            }
        }
        Op::SetOptionsParens { .. } | Op::OwnerTo { .. } => return Ok(def),
        other => {
            return Err(SqlError::unsupported(format!(
                "ALTER TABLE {other} is not supported"
            )));
        }
    }
    // The definition as stored now (under its new name after RENAME TO).
    let stored_name = new.name.clone();
    rewrite(exec, &def, new, &sources)?;
    lookup(&mut exec.txn.borrow_mut(), &stored_name)?
        .ok_or_else(|| SqlError::internal("altered table vanished"))
}
