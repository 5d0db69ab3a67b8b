//! DDL: CREATE/DROP TABLE, CREATE INDEX, TRUNCATE.
//!
//! Definitions go into the MVCC catalog, so DDL is transactional: a
//! rolled-back CREATE TABLE leaves nothing behind. Constraint and index
//! names follow PostgreSQL's defaults (`t_pkey`, `t_a_key`, `t_a_check`,
//! `t_a_idx`), because clients and people read them in 23505/23514
//! messages.

use sqlparser::ast;
use twill_types::SqlState;

use crate::mvcc::{CheckDef, ColumnDef, IndexDef, TableDef, Transaction};
use crate::sql::catalog::{lookup, qualified};
use crate::sql::error::SqlError;
use crate::sql::plan::query::{ident, object_parts};
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

/// CREATE TABLE. Returns false when IF NOT EXISTS found the name taken.
pub(crate) fn create_table(
    txn: &mut Transaction,
    ct: &ast::CreateTable,
    search_path: &[String],
) -> Result<bool, SqlError> {
    let (key, short) = key_for(&ct.name, search_path);
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
        let type_text = col.data_type.to_string().to_lowercase();
        let serial = matches!(
            type_text.as_str(),
            "serial" | "serial4" | "smallserial" | "serial2" | "bigserial" | "serial8"
        );
        if serial {
            return Err(SqlError::unsupported(
                "serial columns are not supported yet (sequences arrive next)",
            ));
        }
        let (ty, typmod) = resolve_data_type(&col.data_type)?;
        let mut c = ColumnDef::new(name.clone(), ty);
        c.typmod = typmod;
        for opt in &col.options {
            match &opt.option {
                ast::ColumnOption::Null => c.nullable = true,
                ast::ColumnOption::NotNull => c.nullable = false,
                ast::ColumnOption::Default(e) => c.default = Some(e.to_string()),
                ast::ColumnOption::PrimaryKey(_) => {
                    if pk.is_some() {
                        return Err(SqlError::new(
                            SqlState::INVALID_TABLE_DEFINITION,
                            format!("multiple primary keys for table \"{short}\" are not allowed"),
                        ));
                    }
                    pk = Some(vec![name.clone()]);
                }
                ast::ColumnOption::Unique(u) => {
                    uniques.push((u.name.as_ref().map(ident), vec![name.clone()]))
                }
                ast::ColumnOption::Check(chk) => def.checks.push(CheckDef {
                    name: chk
                        .name
                        .as_ref()
                        .map(ident)
                        .unwrap_or_else(|| format!("{short}_{name}_check")),
                    expr: chk.expr.to_string(),
                }),
                ast::ColumnOption::ForeignKey(_) => {
                    return Err(SqlError::unsupported(
                        "FOREIGN KEY constraints are not supported yet",
                    ));
                }
                ast::ColumnOption::Collation(_) | ast::ColumnOption::Comment(_) => {}
                other => {
                    return Err(SqlError::unsupported(format!(
                        "column option {other} is not supported"
                    )));
                }
            }
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
            ast::TableConstraint::ForeignKey(_) => {
                return Err(SqlError::unsupported(
                    "FOREIGN KEY constraints are not supported yet",
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
    txn.create_table(def)?;
    Ok(true)
}

/// DROP TABLE (several names). Returns the names skipped by IF EXISTS.
pub(crate) fn drop_tables(
    txn: &mut Transaction,
    names: &[ast::ObjectName],
    if_exists: bool,
    search_path: &[String],
) -> Result<Vec<String>, SqlError> {
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for n in names {
        let parts = object_parts(n);
        let mut found = None;
        let candidates: Vec<String> = match parts.as_slice() {
            [name] => search_path.iter().map(|s| qualified(s, name)).collect(),
            [.., s, name] => vec![qualified(s, name)],
            [] => Vec::new(),
        };
        for k in candidates {
            if lookup(txn, &k)?.is_some() {
                found = Some(k);
                break;
            }
        }
        match found {
            Some(k) => keys.push(k),
            None if if_exists => skipped.push(parts.join(".")),
            None => {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!(
                        "table \"{}\" does not exist",
                        parts.last().cloned().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    for k in keys {
        txn.drop_table(&k)?;
    }
    Ok(skipped)
}

/// CREATE [UNIQUE] INDEX. Returns false when IF NOT EXISTS skipped it.
pub(crate) fn create_index(
    txn: &mut Transaction,
    ci: &ast::CreateIndex,
    search_path: &[String],
) -> Result<bool, SqlError> {
    let parts = object_parts(&ci.table_name);
    let candidates: Vec<String> = match parts.as_slice() {
        [name] => search_path.iter().map(|s| qualified(s, name)).collect(),
        [.., s, name] => vec![qualified(s, name)],
        [] => Vec::new(),
    };
    let mut def = None;
    for k in candidates {
        if let Some(d) = lookup(txn, &k)? {
            def = Some(d);
            break;
        }
    }
    let def = def.ok_or_else(|| {
        SqlError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", parts.join(".")),
        )
    })?;
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
    names: &[ast::ObjectName],
    search_path: &[String],
) -> Result<(), SqlError> {
    for n in names {
        let parts = object_parts(n);
        let candidates: Vec<String> = match parts.as_slice() {
            [name] => search_path.iter().map(|s| qualified(s, name)).collect(),
            [.., s, name] => vec![qualified(s, name)],
            [] => Vec::new(),
        };
        let mut def = None;
        for k in candidates {
            if let Some(d) = lookup(txn, &k)? {
                def = Some(d);
                break;
            }
        }
        let def = def.ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", parts.join(".")),
            )
        })?;
        let keys: Vec<_> = txn
            .scan(def.id, ..)?
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_, _>>()?;
        for k in keys {
            txn.delete(def.id, &k)?;
        }
    }
    Ok(())
}
