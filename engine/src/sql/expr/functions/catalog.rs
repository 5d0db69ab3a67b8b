//! System information and catalog functions: `version()`,
//! `current_database()`, `current_schemas(bool)`, `current_user`,
//! `format_type`, `pg_get_indexdef`, `pg_table_is_visible`,
//! `has_table_privilege`, `to_regclass`…
//!
//! Session facts (user, database, search path) are read through the
//! `current_setting` session hook. Functions that need the catalog
//! (`pg_get_indexdef`, `pg_get_constraintdef`, `pg_table_is_visible`,
//! `to_regclass`, `pg_get_serial_sequence`, `txid_current`) forward to the session hook
//! under a `catalog.` name; the executor answers those with
//! `sql::system::call`, which reads the transaction's catalog.
//!
//! Every user is the bootstrap superuser, so privilege checks are true.

use twill_types::{Oid, Value, oid};

use super::{Builder, FnCtx, int_arg, text_arg};
use crate::sql::error::SqlError;
use crate::sql::system::defs::PREFIX;

/// What `version()` says.
pub(crate) const VERSION: &str =
    "PostgreSQL 15.0 (twill) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit";

fn setting(ctx: &FnCtx<'_, '_>, name: &str) -> Result<Option<String>, SqlError> {
    match ctx.eval.planner()?.session_call(
        "current_setting",
        &[Value::Text(name.to_owned()), Value::Bool(true)],
    )? {
        Value::Text(t) => Ok(Some(t)),
        _ => Ok(None),
    }
}

fn user(ctx: &FnCtx<'_, '_>) -> Result<String, SqlError> {
    Ok(setting(ctx, "session_authorization")?.unwrap_or_else(|| "postgres".into()))
}

/// The search path's schemas, `$user` left out (no schema is named after
/// a user unless created so; PostgreSQL skips missing schemas).
fn search_path(ctx: &FnCtx<'_, '_>) -> Result<Vec<String>, SqlError> {
    let path = setting(ctx, "search_path")?.unwrap_or_default();
    Ok(path
        .split(',')
        .map(|p| p.trim().trim_matches('"').to_owned())
        .filter(|p| !p.is_empty() && p != "$user")
        .collect())
}

fn version(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(VERSION.to_owned()))
}

fn current_database(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(
        setting(ctx, "database")?
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "postgres".into()),
    ))
}

fn current_user(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(user(ctx)?))
}

fn current_schema(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(search_path(ctx)?
        .into_iter()
        .next()
        .map_or(Value::Null, Value::Text))
}

fn current_schemas(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let implicit = matches!(a.first(), Some(Value::Bool(true)));
    let mut names = Vec::new();
    let path = search_path(ctx)?;
    if implicit && !path.iter().any(|p| p == "pg_catalog") {
        names.push(Value::Text("pg_catalog".into()));
    }
    names.extend(path.into_iter().map(Value::Text));
    Ok(Value::Array(twill_types::Array::new(oid::NAME, names)))
}

fn pg_backend_pid(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(std::process::id() as i32))
}

fn oid_arg(a: &[Value], i: usize) -> Option<Oid> {
    match a.get(i) {
        Some(Value::Oid(o) | Value::RegClass(o) | Value::RegType(o)) => Some(*o),
        Some(Value::Int4(v)) => Some(*v as Oid),
        Some(Value::Int8(v)) => Some(*v as Oid),
        _ => None,
    }
}

fn format_type(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Some(ty) = oid_arg(a, 0) else {
        return Ok(Value::Null);
    };
    let typmod = match a.get(1) {
        Some(Value::Null) | None => -1,
        Some(_) => int_arg(a, 1)? as i32,
    };
    Ok(Value::Text(crate::sql::types::format_type(ty, typmod)))
}

/// `pg_get_expr`: `pg_node_tree` values here are already SQL text.
fn pg_get_expr(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(a.first().cloned().unwrap_or(Value::Null))
}

fn pg_get_userbyid(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(match oid_arg(a, 0) {
        Some(crate::sql::system::oids::SUPERUSER) => user(ctx)?,
        Some(6171) => "pg_database_owner".into(),
        Some(o) => format!("unknown (OID={o})"),
        None => return Ok(Value::Null),
    }))
}

fn null_text(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Null)
}

fn always_true(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(true))
}

fn always_false(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(false))
}

/// `pg_partition_ancestors(rel)`: a relation and its ancestors. Nothing
/// is partitioned here, so the set is the relation itself; a scalar
/// function in FROM or in an `IN (SELECT …)` yields exactly that row.
fn pg_partition_ancestors(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(a.first().cloned().unwrap_or(Value::Null))
}

fn pg_type_is_visible(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(
        oid_arg(a, 0).is_some_and(|o| twill_types::Type::by_oid(o).is_some()),
    ))
}

fn pg_encoding_to_char(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(
        match int_arg(a, 0)? {
            0 => "SQL_ASCII",
            6 => "UTF8",
            _ => "",
        }
        .to_owned(),
    ))
}

fn to_regtype(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let name = text_arg(a, 0)?;
    Ok(match crate::sql::types::parse_type_name(name) {
        Ok((ty, _)) => Value::RegType(ty),
        Err(_) => Value::Null,
    })
}

macro_rules! forward {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(
            fn $f(ctx: &FnCtx<'_, '_>, args: &[Value]) -> Result<Value, SqlError> {
                ctx.eval.planner()?.session_call(&format!("{PREFIX}{}", $name), args)
            }
        )*
    };
}

forward! {
    pg_get_indexdef => "pg_get_indexdef",
    pg_get_constraintdef => "pg_get_constraintdef",
    pg_table_is_visible => "pg_table_is_visible",
    to_regclass => "to_regclass",
    pg_get_serial_sequence => "pg_get_serial_sequence",
    txid_current => "txid_current",
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    r.func("version", &[], TEXT, version).stable();
    r.func("current_database", &[], NAME, current_database)
        .stable();
    r.func("current_catalog", &[], NAME, current_database)
        .stable();
    for name in ["current_user", "session_user", "user", "current_role"] {
        r.func(name, &[], NAME, current_user).stable();
    }
    r.func("current_schema", &[], NAME, current_schema).stable();
    r.func("current_schemas", &[BOOL], NAME_ARRAY, current_schemas)
        .stable();
    r.func("pg_backend_pid", &[], INT4, pg_backend_pid).stable();
    r.func("format_type", &[OID, INT4], TEXT, format_type)
        .stable()
        .nonstrict();
    r.func("pg_get_expr", &[PG_NODE_TREE, OID], TEXT, pg_get_expr)
        .stable();
    r.func("pg_get_expr", &[PG_NODE_TREE, OID, BOOL], TEXT, pg_get_expr)
        .stable();
    r.func("pg_get_indexdef", &[OID], TEXT, pg_get_indexdef)
        .stable();
    r.func("pg_get_indexdef", &[OID, INT4, BOOL], TEXT, pg_get_indexdef)
        .stable();
    r.func("pg_get_constraintdef", &[OID], TEXT, pg_get_constraintdef)
        .stable();
    r.func(
        "pg_get_constraintdef",
        &[OID, BOOL],
        TEXT,
        pg_get_constraintdef,
    )
    .stable();
    r.func("pg_table_is_visible", &[OID], BOOL, pg_table_is_visible)
        .stable();
    r.func("pg_type_is_visible", &[OID], BOOL, pg_type_is_visible)
        .stable();
    for name in [
        "pg_function_is_visible",
        "pg_collation_is_visible",
        "pg_opclass_is_visible",
    ] {
        r.func(name, &[OID], BOOL, always_true).stable();
    }
    r.func("pg_get_userbyid", &[OID], NAME, pg_get_userbyid)
        .stable();
    r.func("obj_description", &[OID], TEXT, null_text).stable();
    r.func("obj_description", &[OID, NAME], TEXT, null_text)
        .stable();
    r.func("shobj_description", &[OID, NAME], TEXT, null_text)
        .stable();
    r.func("col_description", &[OID, INT4], TEXT, null_text)
        .stable();
    r.func("pg_encoding_to_char", &[INT4], NAME, pg_encoding_to_char);
    for name in [
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_sequence_privilege",
        "has_function_privilege",
        "has_any_column_privilege",
    ] {
        r.func(name, &[TEXT, TEXT], BOOL, always_true).stable();
        r.func(name, &[OID, TEXT], BOOL, always_true).stable();
        r.func(name, &[NAME, TEXT, TEXT], BOOL, always_true)
            .stable();
        r.func(name, &[NAME, OID, TEXT], BOOL, always_true).stable();
    }
    r.func(
        "has_column_privilege",
        &[TEXT, TEXT, TEXT],
        BOOL,
        always_true,
    )
    .stable();
    r.func(
        "has_column_privilege",
        &[OID, INT2, TEXT],
        BOOL,
        always_true,
    )
    .stable();
    r.func(
        "has_column_privilege",
        &[OID, TEXT, TEXT],
        BOOL,
        always_true,
    )
    .stable();
    r.func("pg_has_role", &[NAME, TEXT], BOOL, always_true)
        .stable();
    r.func("pg_has_role", &[NAME, NAME, TEXT], BOOL, always_true)
        .stable();
    r.func("pg_get_triggerdef", &[OID], TEXT, null_text)
        .stable();
    r.func("pg_get_triggerdef", &[OID, BOOL], TEXT, null_text)
        .stable();
    r.func("pg_get_statisticsobjdef_columns", &[OID], TEXT, null_text)
        .stable();
    r.func("pg_relation_is_publishable", &[REGCLASS], BOOL, always_true)
        .stable();
    r.func(
        "pg_partition_ancestors",
        &[REGCLASS],
        REGCLASS,
        pg_partition_ancestors,
    )
    .stable();
    r.func("pg_is_in_recovery", &[], BOOL, always_false)
        .volatile();
    r.func("to_regclass", &[TEXT], REGCLASS, to_regclass)
        .stable();
    r.func("txid_current", &[], INT8, txid_current).stable();
    r.func("to_regtype", &[TEXT], REGTYPE, to_regtype).stable();
    r.func(
        "pg_get_serial_sequence",
        &[TEXT, TEXT],
        TEXT,
        pg_get_serial_sequence,
    )
    .stable();
}
