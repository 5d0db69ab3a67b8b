//! FOREIGN KEY constraints: defining them and enforcing them on writes.
//!
//! A child row's key must match a parent row (checked on INSERT and on an
//! UPDATE of the key columns; the parent row is locked FOR KEY SHARE so a
//! concurrent transaction cannot delete it before we commit, as PostgreSQL
//! does). Deleting a parent row, or changing its referenced key, applies
//! each referencing constraint's action: RESTRICT/NO ACTION refuse (23503),
//! CASCADE deletes (or updates) the child rows, SET NULL / SET DEFAULT
//! rewrite their key columns. NULL in any key column exempts a child row
//! (MATCH SIMPLE).

use std::sync::Arc;

use sqlparser::ast;
use twill_types::{SqlState, Value};

use crate::mvcc::{
    ForeignKeyDef, Key, LockMode, LockOutcome, ReferentialAction, TableDef, Transaction, WaitPolicy,
};
use crate::sql::catalog::{lookup, split_key};
use crate::sql::error::SqlError;
use crate::sql::exec::Exec;
use crate::sql::plan::query::{ident, object_parts};

fn action(a: &Option<ast::ReferentialAction>) -> ReferentialAction {
    match a {
        Some(ast::ReferentialAction::Cascade) => ReferentialAction::Cascade,
        Some(ast::ReferentialAction::SetNull) => ReferentialAction::SetNull,
        Some(ast::ReferentialAction::SetDefault) => ReferentialAction::SetDefault,
        _ => ReferentialAction::Restrict,
    }
}

/// Resolves a FOREIGN KEY clause of table `child` (its own definition, being
/// built, when the parent is itself). `columns` are the referencing columns.
pub(crate) fn define(
    txn: &mut Transaction,
    child: &TableDef,
    name: Option<&ast::Ident>,
    columns: &[String],
    fk: &ast::ForeignKeyConstraint,
    search_path: &[String],
) -> Result<ForeignKeyDef, SqlError> {
    let parts = object_parts(&fk.foreign_table);
    // A table may reference itself while it is being created.
    let own = crate::sql::catalog::candidate_keys(&parts, search_path)
        .into_iter()
        .find(|k| *k == child.name);
    let (parent_key, parent) = match own {
        Some(k) => (k, Arc::new(child.clone())),
        None => crate::sql::catalog::resolve(txn, &parts, search_path)?
            .ok_or_else(|| crate::sql::catalog::undefined_relation(&parts))?,
    };
    let position = |def: &TableDef, n: &str, side: &str| -> Result<usize, SqlError> {
        def.columns.iter().position(|c| c.name == n).ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{n}\" referenced in foreign key constraint does not exist"),
            )
            .with_detail(side.to_owned())
        })
    };
    let child_cols = columns
        .iter()
        .map(|n| position(child, n, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let ref_cols: Vec<usize> = if fk.referred_columns.is_empty() {
        parent.primary_key.clone().ok_or_else(|| {
            SqlError::new(
                SqlState::UNDEFINED_OBJECT,
                format!(
                    "there is no primary key for referenced table \"{}\"",
                    split_key(&parent.name).1
                ),
            )
        })?
    } else {
        fk.referred_columns
            .iter()
            .map(|i| position(&parent, &ident(i), ""))
            .collect::<Result<_, _>>()?
    };
    if child_cols.len() != ref_cols.len() {
        return Err(SqlError::new(
            SqlState::from_code("42830"),
            "number of referencing and referenced columns for foreign key disagree",
        ));
    }
    let unique = |cols: &[usize]| {
        let mut sorted = cols.to_vec();
        sorted.sort_unstable();
        let same = |other: &[usize]| {
            let mut o = other.to_vec();
            o.sort_unstable();
            o == sorted
        };
        parent.primary_key.as_deref().is_some_and(same)
            || parent.indexes.iter().any(|i| i.unique && same(&i.columns))
    };
    if !unique(&ref_cols) {
        return Err(SqlError::new(
            SqlState::from_code("42830"),
            format!(
                "there is no unique constraint matching given keys for referenced table \"{}\"",
                split_key(&parent.name).1
            ),
        ));
    }
    for (&c, &r) in child_cols.iter().zip(&ref_cols) {
        let (ct, rt) = (child.columns[c].type_oid, parent.columns[r].type_oid);
        let int = |t| {
            matches!(
                t,
                twill_types::oid::INT2 | twill_types::oid::INT4 | twill_types::oid::INT8
            )
        };
        let text = |t| {
            matches!(
                t,
                twill_types::oid::TEXT | twill_types::oid::VARCHAR | twill_types::oid::BPCHAR
            )
        };
        if ct != rt && !(int(ct) && int(rt)) && !(text(ct) && text(rt)) {
            return Err(SqlError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "foreign key constraint \"{}\" cannot be implemented",
                    name.map(ident)
                        .unwrap_or_else(|| default_name(child, columns))
                ),
            )
            .with_detail(format!(
                "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                child.columns[c].name,
                parent.columns[r].name,
                crate::sql::types::type_name(ct),
                crate::sql::types::type_name(rt)
            )));
        }
    }
    Ok(ForeignKeyDef {
        name: name
            .map(ident)
            .unwrap_or_else(|| default_name(child, columns)),
        columns: child_cols,
        ref_table: parent_key,
        ref_columns: ref_cols,
        on_delete: action(&fk.on_delete),
        on_update: action(&fk.on_update),
    })
}

fn default_name(child: &TableDef, columns: &[String]) -> String {
    format!("{}_{}_fkey", split_key(&child.name).1, columns.join("_"))
}

fn key_text(values: &[&Value], exec: &Exec<'_>) -> String {
    values
        .iter()
        .map(|v| {
            if v.is_null() {
                "null".to_owned()
            } else {
                v.to_text(exec.settings)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(def: &TableDef, cols: &[usize]) -> String {
    cols.iter()
        .map(|&c| def.columns[c].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parent row matching `values` on `cols`: its storage key and row.
fn find(
    txn: &mut Transaction,
    table: &TableDef,
    cols: &[usize],
    values: &[Value],
) -> Result<Vec<(Key, Vec<Value>)>, SqlError> {
    if table.primary_key.as_deref() == Some(cols) {
        let key = Key::encode(values);
        return Ok(txn
            .get(table.id, &key)?
            .map(|r| (key, r.to_vec()))
            .into_iter()
            .collect());
    }
    if let Some(i) = table.indexes.iter().position(|ix| ix.columns == cols) {
        let k = Key::encode(values);
        return txn
            .index_scan(table.id, i, k.clone()..=k)?
            .map(|r| {
                r.map(|(key, row)| (key, row.to_vec()))
                    .map_err(SqlError::from)
            })
            .collect();
    }
    let mut out = Vec::new();
    for item in txn.scan(table.id, ..)? {
        let (key, row) = item?;
        let matches = cols.iter().zip(values).all(|(&c, v)| {
            Key::encode(std::slice::from_ref(&row[c])) == Key::encode(std::slice::from_ref(v))
        });
        if matches {
            out.push((key, row.to_vec()));
        }
    }
    Ok(out)
}

/// Checks that a child row's keys exist in their parents (INSERT/UPDATE).
pub(crate) fn check_parents(
    exec: &Exec<'_>,
    child: &TableDef,
    row: &[Value],
    changed: Option<&[Value]>,
) -> Result<(), SqlError> {
    for fk in &child.foreign_keys {
        let values: Vec<Value> = fk.columns.iter().map(|&c| row[c].clone()).collect();
        if values.iter().any(Value::is_null) {
            continue;
        }
        if let Some(old) = changed
            && fk.columns.iter().all(|&c| {
                Key::encode(std::slice::from_ref(&old[c]))
                    == Key::encode(std::slice::from_ref(&row[c]))
            })
        {
            continue;
        }
        let mut txn = exec.txn.borrow_mut();
        let parent = if fk.ref_table == child.name {
            Some(Arc::new(child.clone()))
        } else {
            lookup(&mut txn, &fk.ref_table)?
        };
        let Some(parent) = parent else {
            return Err(SqlError::internal("foreign key parent table is gone"));
        };
        let mut found = false;
        for (key, _) in find(&mut txn, &parent, &fk.ref_columns, &values)? {
            match txn.lock_row(parent.id, &key, LockMode::KeyShare, WaitPolicy::Block)? {
                LockOutcome::Locked(_) | LockOutcome::Updated(_) => {
                    found = true;
                    break;
                }
                LockOutcome::Gone | LockOutcome::Skipped => {}
            }
        }
        // A row inserted by this very statement into a self-referencing table.
        if !found && parent.id == child.id {
            let own = fk.ref_columns.iter().zip(&values).all(|(&c, v)| {
                Key::encode(std::slice::from_ref(&row[c])) == Key::encode(std::slice::from_ref(v))
            });
            found = own;
        }
        if !found {
            let refs: Vec<&Value> = values.iter().collect();
            return Err(SqlError::new(
                SqlState::FOREIGN_KEY_VIOLATION,
                format!(
                    "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                    split_key(&child.name).1,
                    fk.name
                ),
            )
            .with_detail(format!(
                "Key ({})=({}) is not present in table \"{}\".",
                names(child, &fk.columns),
                key_text(&refs, exec),
                split_key(&parent.name).1
            )));
        }
    }
    Ok(())
}

/// The constraints of other tables (and this one) that reference `parent`.
pub(crate) fn referencing(
    txn: &mut Transaction,
    parent: &TableDef,
) -> Result<Vec<(Arc<TableDef>, ForeignKeyDef)>, SqlError> {
    let mut out = Vec::new();
    for name in txn.table_names()? {
        if let Some(def) = lookup(txn, &name)? {
            for fk in &def.foreign_keys {
                if fk.ref_table == parent.name {
                    out.push((def.clone(), fk.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// Applies the referencing constraints' actions to a parent row that is
/// deleted (`new` = None) or whose referenced key changes.
pub(crate) fn on_parent_change(
    exec: &Exec<'_>,
    parent: &TableDef,
    refs: &[(Arc<TableDef>, ForeignKeyDef)],
    old: &[Value],
    new: Option<&[Value]>,
) -> Result<(), SqlError> {
    for (child, fk) in refs {
        let values: Vec<Value> = fk.ref_columns.iter().map(|&c| old[c].clone()).collect();
        if values.iter().any(Value::is_null) {
            continue;
        }
        if let Some(new) = new
            && fk.ref_columns.iter().all(|&c| {
                Key::encode(std::slice::from_ref(&old[c]))
                    == Key::encode(std::slice::from_ref(&new[c]))
            })
        {
            continue;
        }
        let rows = {
            let mut txn = exec.txn.borrow_mut();
            find(&mut txn, child, &fk.columns, &values)?
        };
        if rows.is_empty() {
            continue;
        }
        let act = if new.is_some() {
            fk.on_update
        } else {
            fk.on_delete
        };
        match act {
            ReferentialAction::Restrict => {
                let refs: Vec<&Value> = values.iter().collect();
                return Err(SqlError::new(
                    SqlState::FOREIGN_KEY_VIOLATION,
                    format!(
                        "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                        split_key(&parent.name).1,
                        fk.name,
                        split_key(&child.name).1
                    ),
                )
                .with_detail(format!(
                    "Key ({})=({}) is still referenced from table \"{}\".",
                    names(parent, &fk.ref_columns),
                    key_text(&refs, exec),
                    split_key(&child.name).1
                )));
            }
            ReferentialAction::Cascade => {
                let grandchildren = {
                    let mut txn = exec.txn.borrow_mut();
                    referencing(&mut txn, child)?
                };
                for (key, row) in rows {
                    match new {
                        None => {
                            on_parent_change(exec, child, &grandchildren, &row, None)?;
                            exec.txn.borrow_mut().delete(child.id, &key)?;
                        }
                        Some(new) => {
                            let mut updated = row.clone();
                            for (&c, &r) in fk.columns.iter().zip(&fk.ref_columns) {
                                updated[c] = new[r].clone();
                            }
                            exec.txn.borrow_mut().update(child.id, &key, updated)?;
                        }
                    }
                }
            }
            ReferentialAction::SetNull | ReferentialAction::SetDefault => {
                for (key, row) in rows {
                    let mut updated = row.clone();
                    for &c in &fk.columns {
                        updated[c] = Value::Null;
                    }
                    if act == ReferentialAction::SetDefault {
                        for &c in &fk.columns {
                            updated[c] = crate::sql::dml::column_default(exec, child, c)?;
                        }
                    }
                    for &c in &fk.columns {
                        let col = &child.columns[c];
                        if !col.nullable && updated[c].is_null() {
                            return Err(SqlError::new(
                                SqlState::NOT_NULL_VIOLATION,
                                format!(
                                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                                    col.name,
                                    split_key(&child.name).1
                                ),
                            ));
                        }
                    }
                    exec.txn.borrow_mut().update(child.id, &key, updated)?;
                }
            }
        }
    }
    Ok(())
}
