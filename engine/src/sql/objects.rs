//! Views, schemas, and DROP of every kind of relation.
//!
//! A view is a catalog entry holding its query's text; FROM expands it by
//! planning that query (so a view always reflects the tables' current
//! definitions, as PostgreSQL's rewriter does). Its query is planned once at
//! CREATE VIEW, so a broken view is refused up front. A schema is a catalog
//! entry too (key `name.` — no table key ends with a dot), so CREATE SCHEMA
//! rolls back like everything else.

use sqlparser::ast;
use twill_types::SqlState;

use crate::mvcc::{RelationKind, TableDef, Transaction};
use crate::sql::catalog::{lookup, qualified, split_key};
use crate::sql::error::SqlError;
use crate::sql::plan::query::{StatementPlanner, object_parts};
use crate::sql::sequence::Sequences;

/// The catalog key of schema `name`.
pub(crate) fn schema_key(name: &str) -> String {
    format!("{name}.")
}

/// Whether schema `name` exists (`public` and the system schemas always do).
pub(crate) fn schema_exists(txn: &mut Transaction, name: &str) -> Result<bool, SqlError> {
    if matches!(name, "public" | "pg_catalog" | "information_schema") {
        return Ok(true);
    }
    Ok(lookup(txn, &schema_key(name))?.is_some())
}

/// 3F000 unless the schema of catalog key `key` exists.
pub(crate) fn ensure_schema_of(txn: &mut Transaction, key: &str) -> Result<(), SqlError> {
    let schema = split_key(key).0;
    if schema_exists(txn, schema)? {
        Ok(())
    } else {
        Err(SqlError::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{schema}\" does not exist"),
        ))
    }
}

/// CREATE SCHEMA. Returns false when IF NOT EXISTS skipped it.
pub(crate) fn create_schema(
    txn: &mut Transaction,
    name: &str,
    if_not_exists: bool,
) -> Result<bool, SqlError> {
    if schema_exists(txn, name)? {
        if if_not_exists {
            return Ok(false);
        }
        return Err(SqlError::new(
            SqlState::DUPLICATE_SCHEMA,
            format!("schema \"{name}\" already exists"),
        ));
    }
    if name.starts_with("pg_") {
        return Err(SqlError::new(
            SqlState::from_code("42939"),
            format!("unacceptable schema name \"{name}\""),
        )
        .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    let mut def = TableDef::new(schema_key(name));
    def.kind = RelationKind::Schema;
    txn.create_table(def)?;
    Ok(true)
}

/// The relations in schema `name`.
fn relations_in(txn: &mut Transaction, name: &str) -> Result<Vec<String>, SqlError> {
    Ok(txn
        .table_names()?
        .into_iter()
        .filter(|k| !k.ends_with('.') && split_key(k).0 == name)
        .collect())
}

/// CREATE VIEW.
pub(crate) fn create_view(
    planner: &StatementPlanner<'_>,
    cv: &ast::CreateView,
    search_path: &[String],
) -> Result<(), SqlError> {
    if cv.materialized {
        return Err(SqlError::unsupported(
            "materialized views are not supported",
        ));
    }
    let (key, short) = crate::sql::ddl::key_for(&cv.name, search_path);
    planner.with_txn(|t| ensure_schema_of(t, &key))?;
    // Plan it now: a view over a missing table or column is refused.
    let (_, columns) = planner.plan_top(&cv.query)?;
    let aliases: Vec<String> = cv
        .columns
        .iter()
        .map(|c| crate::sql::plan::query::ident(&c.name))
        .collect();
    if aliases.len() > columns.len() {
        return Err(SqlError::syntax(
            "CREATE VIEW specifies more column names than columns",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, c) in columns.iter().enumerate() {
        let name = aliases.get(i).unwrap_or(&c.name);
        if !seen.insert(name.clone()) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_COLUMN,
                format!("column \"{name}\" specified more than once"),
            ));
        }
    }
    let existing = planner.with_txn(|t| lookup(t, &key))?;
    if let Some(old) = existing {
        match (&old.kind, cv.or_replace) {
            (RelationKind::View { .. }, true) => {
                planner.with_txn(|t| t.drop_table(&key))?;
            }
            (RelationKind::View { .. }, false) if cv.if_not_exists => return Ok(()),
            _ => {
                return Err(SqlError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{short}\" already exists"),
                ));
            }
        }
    }
    // Column aliases become part of the stored query.
    let query = if aliases.is_empty() {
        cv.query.to_string()
    } else {
        let cols: Vec<String> = columns
            .iter()
            .map(|c| format!("\"{}\"", c.name.replace('"', "\"\"")))
            .collect();
        let outer: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let alias = aliases.get(i).unwrap_or(&c.name);
                format!(
                    "\"{}\" AS \"{}\"",
                    c.name.replace('"', "\"\""),
                    alias.replace('"', "\"\"")
                )
            })
            .collect();
        let _ = cols;
        format!("SELECT {} FROM ({}) AS v", outer.join(", "), cv.query)
    };
    let mut def = TableDef::new(key);
    def.kind = RelationKind::View { query };
    let mut deps: Vec<String> = planner
        .dependencies
        .borrow()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    deps.sort();
    deps.dedup();
    def.depends_on = deps;
    planner.with_txn(|t| t.create_table(def))?;
    Ok(())
}

fn kind_word(kind: &ast::ObjectType) -> &'static str {
    match kind {
        ast::ObjectType::Table => "table",
        ast::ObjectType::View => "view",
        ast::ObjectType::Sequence => "sequence",
        ast::ObjectType::Index => "index",
        ast::ObjectType::Schema => "schema",
        _ => "object",
    }
}

/// The views whose queries read relation `key`.
pub(crate) fn dependent_views(txn: &mut Transaction, key: &str) -> Result<Vec<String>, SqlError> {
    let mut out = Vec::new();
    for k in txn.table_names()? {
        if let Some(d) = lookup(txn, &k)?
            && matches!(d.kind, RelationKind::View { .. })
            && d.depends_on.iter().any(|x| x == key)
        {
            out.push(k);
        }
    }
    Ok(out)
}

/// DROP INDEX: finds the table that has it and rewrites the table without
/// it. Returns false when no such index exists.
fn drop_index(
    txn: &mut Transaction,
    parts: &[String],
    search_path: &[String],
) -> Result<bool, SqlError> {
    let (schemas, name): (Vec<String>, &str) = match parts {
        [n] => (search_path.to_vec(), n.as_str()),
        [.., s, n] => (vec![s.clone()], n.as_str()),
        [] => return Ok(false),
    };
    for key in txn.table_names()? {
        if key.ends_with('.') || !schemas.iter().any(|s| s == split_key(&key).0) {
            continue;
        }
        let Some(def) = lookup(txn, &key)? else {
            continue;
        };
        if def.primary_key.is_some() && def.primary_key_name() == name {
            let table = split_key(&def.name).1;
            return Err(SqlError::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop index {name} because constraint {name} on table {table} requires it"),
            )
            .with_hint(format!("You can drop constraint {name} on table {table} instead.")));
        }
        if def.indexes.iter().any(|i| i.name == name) {
            let mut new = (*def).clone();
            new.indexes.retain(|i| i.name != name);
            crate::sql::alter::replace_definition(txn, &def, new)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// DROP TABLE/VIEW/SEQUENCE/SCHEMA/INDEX. Returns notices for IF EXISTS skips.
pub(crate) fn drop_objects(
    txn: &mut Transaction,
    sequences: &Sequences,
    kind: &ast::ObjectType,
    names: &[ast::ObjectName],
    if_exists: bool,
    cascade: bool,
    search_path: &[String],
) -> Result<Vec<SqlError>, SqlError> {
    let _ = sequences;
    let word = kind_word(kind);
    let mut notices = Vec::new();
    let mut keys = Vec::new();
    for n in names {
        let parts = object_parts(n);
        let shown = parts.last().cloned().unwrap_or_default();
        if matches!(kind, ast::ObjectType::Index) {
            if !drop_index(txn, &parts, search_path)? {
                if if_exists {
                    notices.push(SqlError::new(
                        SqlState::from_code("00000"),
                        format!("index \"{shown}\" does not exist, skipping"),
                    ));
                    continue;
                }
                return Err(SqlError::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("index \"{shown}\" does not exist"),
                ));
            }
            continue;
        }
        if matches!(kind, ast::ObjectType::Schema) {
            if !schema_exists(txn, &shown)? {
                if if_exists {
                    notices.push(SqlError::new(
                        SqlState::from_code("00000"),
                        format!("schema \"{shown}\" does not exist, skipping"),
                    ));
                    continue;
                }
                return Err(SqlError::new(
                    SqlState::INVALID_SCHEMA_NAME,
                    format!("schema \"{shown}\" does not exist"),
                ));
            }
            let inside = relations_in(txn, &shown)?;
            if !inside.is_empty() && !cascade {
                return Err(SqlError::new(
                    SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop schema {shown} because other objects depend on it"),
                )
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            keys.extend(inside);
            keys.push(schema_key(&shown));
            continue;
        }
        let found = crate::sql::catalog::resolve(txn, &parts, search_path)?;
        let Some((key, def)) = found else {
            if if_exists {
                notices.push(SqlError::new(
                    SqlState::from_code("00000"),
                    format!("{word} \"{shown}\" does not exist, skipping"),
                ));
                continue;
            }
            return Err(SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("{word} \"{shown}\" does not exist"),
            ));
        };
        let right_kind = matches!(
            (&def.kind, kind),
            (RelationKind::Table, ast::ObjectType::Table)
                | (RelationKind::View { .. }, ast::ObjectType::View)
                | (RelationKind::Sequence(_), ast::ObjectType::Sequence)
        );
        if !right_kind {
            return Err(SqlError::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("\"{shown}\" is not a {word}"),
            )
            .with_hint(format!(
                "Use DROP {} to remove a {}.",
                match def.kind {
                    RelationKind::Table => "TABLE",
                    RelationKind::View { .. } => "VIEW",
                    RelationKind::Sequence(_) => "SEQUENCE",
                    RelationKind::Schema => "SCHEMA",
                },
                match def.kind {
                    RelationKind::Table => "table",
                    RelationKind::View { .. } => "view",
                    RelationKind::Sequence(_) => "sequence",
                    RelationKind::Schema => "schema",
                }
            )));
        }
        // Views over it: refuse, or with CASCADE drop them too.
        if matches!(def.kind, RelationKind::Table | RelationKind::View { .. }) {
            for view in dependent_views(txn, &key)? {
                let dropping_too = names.iter().any(|n| {
                    object_parts(n)
                        .last()
                        .is_some_and(|x| x == split_key(&view).1)
                });
                if dropping_too || keys.contains(&view) {
                    continue;
                }
                if !cascade {
                    return Err(SqlError::new(
                        SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                        format!("cannot drop {word} {shown} because other objects depend on it"),
                    )
                    .with_detail(format!(
                        "view {} depends on {word} {shown}",
                        split_key(&view).1
                    ))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                keys.push(view);
            }
        }
        // Constraints of other tables that reference it: refuse, or with
        // CASCADE drop those constraints.
        if matches!(def.kind, RelationKind::Table) {
            let dropping: Vec<String> = names
                .iter()
                .map(|n| object_parts(n).last().cloned().unwrap_or_default())
                .collect();
            for (child, fk) in crate::sql::foreign_key::referencing(txn, &def)? {
                let child_short = split_key(&child.name).1.to_owned();
                if child.id == def.id || dropping.contains(&child_short) {
                    continue;
                }
                if !cascade {
                    return Err(SqlError::new(
                        SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                        format!("cannot drop table {shown} because other objects depend on it"),
                    )
                    .with_detail(format!(
                        "constraint {} on table {child_short} depends on table {shown}",
                        fk.name
                    ))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                let mut new = (*child).clone();
                new.foreign_keys.retain(|f| f.name != fk.name);
                crate::sql::alter::replace_definition(txn, &child, new)?;
            }
        }
        // A table takes its owned sequences (serial, identity) with it.
        if matches!(def.kind, RelationKind::Table) {
            let (schema, short) = split_key(&key);
            for c in &def.columns {
                let seq = qualified(schema, &format!("{short}_{}_seq", c.name));
                if let Some(sd) = lookup(txn, &seq)?
                    && matches!(&sd.kind, RelationKind::Sequence(s) if s.owned_by.as_ref().is_some_and(|(t, _)| t == short))
                {
                    keys.push(seq);
                }
            }
        }
        keys.insert(0, key);
    }
    for k in keys {
        txn.drop_table(&k)?;
    }
    Ok(notices)
}
