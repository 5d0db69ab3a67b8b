//! DDL: CREATE/DROP TABLE, CREATE INDEX, TRUNCATE.
//!
//! Definitions go into the MVCC catalog, so DDL is transactional: a
//! rolled-back CREATE TABLE leaves nothing behind. Constraint and index
//! names follow PostgreSQL's defaults (`t_pkey`, `t_a_key`, `t_a_check`,
//! `t_a_idx`), because clients and people read them in 23505/23514
//! messages.

use sqlparser::ast;
use twill_types::SqlState;

use crate::mvcc::{CheckDef, ColumnDef, IndexDef, SequenceDef, TableDef, Transaction};
use crate::sql::catalog::{lookup, qualified};
use crate::sql::error::SqlError;
use crate::sql::plan::query::{ident, object_parts};
use crate::sql::sequence::Sequences;
use crate::sql::types::resolve_data_type;

/// The catalog key for a possibly qualified name, creating in the first
/// schema of the search path.
pub(crate) fn key_for(name: &ast::ObjectName, search_path: &[String]) -> (String, String) {
    let parts = object_parts(name);
    match parts.as_slice() {
        [n] => {
            let schema = search_path
                .first()
                .cloned()
                .unwrap_or_else(|| "public".into());
            (qualified(&schema, n), n.clone())
        }
        [.., s, n] => (qualified(s, n), n.clone()),
        [] => (String::new(), String::new()),
    }
}

fn index_columns(def: &TableDef, cols: &[ast::IndexColumn]) -> Result<Vec<usize>, SqlError> {
    cols.iter()
        .map(|c| {
            let name = match &c.column.expr {
                ast::Expr::Identifier(i) => ident(i),
                other => {
                    return Err(SqlError::unsupported(format!(
                        "index expressions are not supported: {other}"
                    )));
                }
            };
            def.columns
                .iter()
                .position(|d| d.name == name)
                .ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{name}\" named in key does not exist"),
                    )
                })
        })
        .collect()
}

/// What a column definition says besides the column itself.
#[derive(Default)]
pub(crate) struct ColumnExtras {
    /// `PRIMARY KEY` on the column.
    pub primary_key: bool,
    /// `UNIQUE` on the column, with its constraint name if given.
    pub unique: Option<Option<String>>,
    /// `CHECK` constraints on the column.
    pub checks: Vec<CheckDef>,
    /// `REFERENCES …` on the column.
    pub foreign_key: Option<ast::ForeignKeyConstraint>,
    /// serial or identity: the sequence the column owns.
    pub owned_sequence: Option<SequenceDef>,
    /// A serial column (NOT NULL implied).
    pub serial: bool,
}

/// A column from its CREATE TABLE / ADD COLUMN definition.
pub(crate) fn column_from_ast(
    col: &ast::ColumnDef,
    short: &str,
) -> Result<(ColumnDef, ColumnExtras), SqlError> {
    let name = ident(&col.name);
    let mut extra = ColumnExtras::default();
    let type_text = col.data_type.to_string().to_lowercase();
    let serial_bits = match type_text.as_str() {
        "serial" | "serial4" => Some(32),
        "smallserial" | "serial2" => Some(16),
        "bigserial" | "serial8" => Some(64),
        _ => None,
    };
    let (ty, typmod) = match serial_bits {
        Some(16) => (twill_types::oid::INT2, -1),
        Some(32) => (twill_types::oid::INT4, -1),
        Some(_) => (twill_types::oid::INT8, -1),
        None => resolve_data_type(&col.data_type)?,
    };
    // serial and identity columns own a sequence `<table>_<column>_seq`.
    extra.serial = serial_bits.is_some();
    extra.owned_sequence = serial_bits
        .map(|bits| crate::sql::sequence::definition(&[], bits))
        .transpose()?;
    let mut c = ColumnDef::new(name.clone(), ty);
    c.typmod = typmod;
    for opt in &col.options {
        match &opt.option {
            ast::ColumnOption::Null => c.nullable = true,
            ast::ColumnOption::NotNull => c.nullable = false,
            ast::ColumnOption::Default(e) => c.default = Some(e.to_string()),
            ast::ColumnOption::PrimaryKey(_) => extra.primary_key = true,
            ast::ColumnOption::Unique(u) => extra.unique = Some(u.name.as_ref().map(ident)),
            ast::ColumnOption::Check(chk) => extra.checks.push(CheckDef {
                name: chk
                    .name
                    .as_ref()
                    .map(ident)
                    .unwrap_or_else(|| format!("{short}_{name}_check")),
                expr: chk.expr.to_string(),
            }),
            ast::ColumnOption::ForeignKey(fk) => extra.foreign_key = Some(fk.clone()),
            ast::ColumnOption::Generated {
                generated_as: generated @ (ast::GeneratedAs::Always | ast::GeneratedAs::ByDefault),
                sequence_options,
                generation_expr: None,
                ..
            } => {
                let bits = match ty {
                    twill_types::oid::INT2 => 16,
                    twill_types::oid::INT4 => 32,
                    twill_types::oid::INT8 => 64,
                    _ => {
                        return Err(SqlError::new(
                            SqlState::DATATYPE_MISMATCH,
                            "identity column type must be smallint, integer, or bigint",
                        ));
                    }
                };
                extra.owned_sequence = Some(crate::sql::sequence::definition(
                    sequence_options.as_deref().unwrap_or(&[]),
                    bits,
                )?);
                c.identity = true;
                c.identity_always = matches!(generated, ast::GeneratedAs::Always);
                c.nullable = false;
            }
            ast::ColumnOption::Collation(_) | ast::ColumnOption::Comment(_) => {}
            other => {
                return Err(SqlError::unsupported(format!(
                    "column option {other} is not supported"
                )));
            }
        }
    }
    Ok((c, extra))
}

/// CREATE TABLE. Returns false when IF NOT EXISTS found the name taken.
pub(crate) fn create_table(
    txn: &mut Transaction,
    sequences: &Sequences,
    ct: &ast::CreateTable,
    search_path: &[String],
) -> Result<bool, SqlError> {
    let (key, short) = key_for(&ct.name, search_path);
    crate::sql::objects::ensure_schema_of(txn, &key)?;
    if lookup(txn, &key)?.is_some() {
        if ct.if_not_exists {
            return Ok(false);
        }
        return Err(SqlError::new(
            SqlState::DUPLICATE_TABLE,
            format!("relation \"{short}\" already exists"),
        ));
    }
    if ct.query.is_some() {
        return Err(SqlError::unsupported(
            "CREATE TABLE … AS is not supported yet",
        ));
    }
    let mut def = TableDef::new(key);
    let mut sequences_to_create: Vec<(String, SequenceDef)> = Vec::new();
    let mut pending_fks: Vec<(Option<ast::Ident>, Vec<String>, ast::ForeignKeyConstraint)> =
        Vec::new();
    let mut uniques: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let mut pk: Option<Vec<String>> = None;
    for col in &ct.columns {
        let name = ident(&col.name);
        if def.columns.iter().any(|c| c.name == name) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_COLUMN,
                format!("column \"{name}\" specified more than once"),
            ));
        }
        let (mut c, extra) = column_from_ast(col, &short)?;
        if extra.primary_key {
            if pk.is_some() {
                return Err(SqlError::new(
                    SqlState::INVALID_TABLE_DEFINITION,
                    format!("multiple primary keys for table \"{short}\" are not allowed"),
                ));
            }
            pk = Some(vec![name.clone()]);
        }
        if let Some(u) = extra.unique {
            uniques.push((u, vec![name.clone()]));
        }
        def.checks.extend(extra.checks);
        if let Some(fk) = extra.foreign_key {
            pending_fks.push((fk.name.clone(), vec![name.clone()], fk));
        }
        let serial_bits = extra.serial.then_some(());
        let owned = extra.owned_sequence;
        if let Some(mut seq) = owned {
            let (schema, _) = crate::sql::catalog::split_key(&def.name);
            let seq_name = format!("{short}_{name}_seq");
            seq.owned_by = Some((short.clone(), name.clone()));
            let seq_key = qualified(schema, &seq_name);
            let shown = if schema == "public" {
                seq_name.clone()
            } else {
                format!("{schema}.{seq_name}")
            };
            c.default = Some(format!("nextval('{shown}'::regclass)"));
            if serial_bits.is_some() {
                c.nullable = false;
            }
            sequences_to_create.push((seq_key, seq));
        }
        def.columns.push(c);
    }
    for tc in &ct.constraints {
        match tc {
            ast::TableConstraint::PrimaryKey(p) => {
                if pk.is_some() {
                    return Err(SqlError::new(
                        SqlState::INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{short}\" are not allowed"),
                    ));
                }
                pk = Some(
                    p.columns
                        .iter()
                        .map(|c| c.column.expr.to_string().to_lowercase())
                        .collect(),
                );
            }
            ast::TableConstraint::Unique(u) => uniques.push((
                u.name.as_ref().map(ident),
                u.columns
                    .iter()
                    .map(|c| c.column.expr.to_string().to_lowercase())
                    .collect(),
            )),
            ast::TableConstraint::Check(chk) => def.checks.push(CheckDef {
                name: chk
                    .name
                    .as_ref()
                    .map(ident)
                    .unwrap_or_else(|| format!("{short}_check")),
                expr: chk.expr.to_string(),
            }),
            ast::TableConstraint::ForeignKey(fk) => {
                pending_fks.push((
                    fk.name.clone(),
                    fk.columns.iter().map(ident).collect(),
                    fk.clone(),
                ));
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "constraint {other} is not supported"
                )));
            }
        }
    }
    let position = |def: &TableDef, n: &str| -> Result<usize, SqlError> {
        def.columns.iter().position(|c| c.name == n).ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{n}\" named in key does not exist"),
            )
        })
    };
    if let Some(cols) = pk {
        let positions = cols
            .iter()
            .map(|n| position(&def, n))
            .collect::<Result<Vec<_>, _>>()?;
        for &p in &positions {
            def.columns[p].nullable = false;
        }
        def.primary_key = Some(positions);
    }
    for (name, cols) in uniques {
        let positions = cols
            .iter()
            .map(|n| position(&def, n))
            .collect::<Result<Vec<_>, _>>()?;
        let name = name.unwrap_or_else(|| format!("{short}_{}_key", cols.join("_")));
        def.indexes.push(IndexDef {
            name,
            columns: positions,
            unique: true,
        });
    }
    for (name, columns, fk) in pending_fks {
        let resolved =
            crate::sql::foreign_key::define(txn, &def, name.as_ref(), &columns, &fk, search_path)?;
        def.foreign_keys.push(resolved);
    }
    for (key, seq) in sequences_to_create {
        crate::sql::sequence::create(txn, sequences, &key, seq)?;
    }
    txn.create_table(def)?;
    Ok(true)
}

/// CREATE [UNIQUE] INDEX. Returns false when IF NOT EXISTS skipped it.
pub(crate) fn create_index(
    txn: &mut Transaction,
    ci: &ast::CreateIndex,
    search_path: &[String],
) -> Result<bool, SqlError> {
    let parts = object_parts(&ci.table_name);
    let (_, def) = crate::sql::catalog::resolve(txn, &parts, search_path)?
        .ok_or_else(|| crate::sql::catalog::undefined_relation(&parts))?;
    if ci.predicate.is_some() {
        return Err(SqlError::unsupported(
            "partial indexes are not supported yet",
        ));
    }
    let columns = index_columns(&def, &ci.columns)?;
    let short = crate::sql::catalog::split_key(&def.name).1.to_owned();
    let name = match &ci.name {
        Some(n) => object_parts(n).last().cloned().unwrap_or_default(),
        None => {
            let cols: Vec<&str> = columns
                .iter()
                .map(|&c| def.columns[c].name.as_str())
                .collect();
            format!(
                "{short}_{}_{}",
                cols.join("_"),
                if ci.unique { "key" } else { "idx" }
            )
        }
    };
    if def.indexes.iter().any(|i| i.name == name)
        || (def.primary_key.is_some() && def.primary_key_name() == name)
    {
        if ci.if_not_exists {
            return Ok(false);
        }
        return Err(SqlError::new(
            SqlState::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        ));
    }
    txn.create_index(
        &def.name,
        IndexDef {
            name,
            columns,
            unique: ci.unique,
        },
    )?;
    Ok(true)
}

/// TRUNCATE: deletes every row of each table (transactionally).
pub(crate) fn truncate(
    txn: &mut Transaction,
    sequences: &Sequences,
    names: &[ast::ObjectName],
    restart: bool,
    search_path: &[String],
) -> Result<(), SqlError> {
    for n in names {
        let parts = object_parts(n);
        let (_, def) = crate::sql::catalog::resolve(txn, &parts, search_path)?
            .ok_or_else(|| crate::sql::catalog::undefined_relation(&parts))?;
        for (child, fk) in crate::sql::foreign_key::referencing(txn, &def)? {
            let child_short = crate::sql::catalog::split_key(&child.name).1.to_owned();
            let truncated_too = names
                .iter()
                .any(|n| object_parts(n).last().is_some_and(|x| *x == child_short));
            if child.id != def.id && !truncated_too {
                return Err(SqlError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "cannot truncate a table referenced in a foreign key constraint",
                )
                .with_detail(format!(
                    "Table \"{child_short}\" references \"{}\".",
                    crate::sql::catalog::split_key(&def.name).1
                ))
                .with_hint(format!(
                    "Truncate table \"{child_short}\" at the same time, or use TRUNCATE ... CASCADE."
                )));
            }
            let _ = fk;
        }
        let keys: Vec<_> = txn
            .scan(def.id, ..)?
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_, _>>()?;
        for k in keys {
            txn.delete(def.id, &k)?;
        }
        if restart {
            let (schema, short) = crate::sql::catalog::split_key(&def.name);
            for c in &def.columns {
                let seq = qualified(schema, &format!("{short}_{}_seq", c.name));
                if let Some(sd) = lookup(txn, &seq)? {
                    sequences.restart(sd.id);
                }
            }
        }
    }
    Ok(())
}
