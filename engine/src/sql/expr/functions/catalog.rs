//! System information and catalog functions: `version()`,
//! `current_database()`, `current_schemas(bool)`, `current_user`,
//! `format_type`, `pg_get_indexdef`, `pg_get_function_result`,
//! `pg_table_is_visible`,
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
        Some(
            Value::Oid(o) | Value::RegClass(o) | Value::RegType(o) | Value::RegNamed { oid: o, .. },
        ) => Some(*o),
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

fn empty_text(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(String::new()))
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

/// The registry function behind a `pg_proc.oid` (operators have no
/// function signature to print: `pg_get_function_*` gives NULL for them,
/// as PostgreSQL does for an OID that is not a function).
fn proc_of(a: &[Value]) -> Option<&'static super::Proc> {
    let proc = &super::registry().procs()[crate::sql::system::oids::proc_index(oid_arg(a, 0)?)?];
    (proc.kind == super::ProcKind::Function).then_some(proc)
}

/// `pg_get_function_result(oid)`: the result type as `format_type` prints
/// it (psql's `\df` "Result data type").
fn pg_get_function_result(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(proc_of(a).map_or(Value::Null, |p| {
        Value::Text(crate::sql::types::format_type(p.ret, -1))
    }))
}

/// `pg_get_function_arguments(oid)` (and `…_identity_arguments`): the
/// argument types, comma separated, the last one `VARIADIC` for a variadic
/// function. Built-in functions have no argument names or defaults.
fn pg_get_function_arguments(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Some(p) = proc_of(a) else {
        return Ok(Value::Null);
    };
    let last = p.args.len().saturating_sub(1);
    let args: Vec<String> = p
        .args
        .iter()
        .enumerate()
        .map(|(i, &ty)| {
            let name = crate::sql::types::format_type(ty, -1);
            if p.variadic && i == last {
                format!("VARIADIC {name}")
            } else {
                name
            }
        })
        .collect();
    Ok(Value::Text(args.join(", ")))
}

/// `regclassout`: a `regclass` result value with its name, for the wire
/// (`plan_result` wraps every regclass output column in it). The name is
/// PostgreSQL's: schema-qualified when the relation is not visible on the
/// search path, quoted when needed, `-` for OID 0, the number for an OID
/// that names no relation.
fn regclassout(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    match oid_arg(a, 0) {
        Some(o) => named_regclass(ctx.eval, o),
        None => Ok(Value::Null),
    }
}

/// A regclass OID with its name (`regclassout`; also the regclass → text
/// cast).
pub(crate) fn named_regclass(
    eval: &crate::sql::expr::EvalContext<'_>,
    o: Oid,
) -> Result<Value, SqlError> {
    named_reg(eval, o, oid::REGCLASS, "relation_name")
}

/// A `reg*` value of type `ty` with the name the session function
/// `lookup` gives its OID: `-` for 0, the number for an OID that names
/// nothing.
fn named_reg(
    eval: &crate::sql::expr::EvalContext<'_>,
    o: Oid,
    ty: Oid,
    lookup: &str,
) -> Result<Value, SqlError> {
    let name = if o == 0 {
        "-".to_owned()
    } else {
        match eval
            .planner()?
            .session_call(&format!("{PREFIX}{lookup}"), &[Value::Oid(o)])?
        {
            Value::Text(name) => name,
            _ => o.to_string(),
        }
    };
    Ok(Value::RegNamed { ty, oid: o, name })
}

/// `regnamespaceout`: a `regnamespace` result value with its schema name
/// (quoted when needed; the number for an OID that names no schema).
fn regnamespaceout(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    match oid_arg(a, 0) {
        Some(o) => named_namespace(ctx.eval, o),
        None => Ok(a.first().cloned().unwrap_or(Value::Null)),
    }
}

/// A regnamespace OID with its name (`regnamespaceout`; also the
/// regnamespace → text cast).
pub(crate) fn named_namespace(
    eval: &crate::sql::expr::EvalContext<'_>,
    o: Oid,
) -> Result<Value, SqlError> {
    named_reg(eval, o, oid::REGNAMESPACE, "namespace_name")
}

/// regprocin: the OID of the one built-in function called `name`
/// (optionally `pg_catalog.`-qualified); `-` is 0. Built-in functions are
/// the registry's, so no catalog snapshot is needed.
pub(crate) fn regproc_oid(name: &str) -> Result<Oid, SqlError> {
    let t = name.trim();
    if t == "-" {
        return Ok(0);
    }
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
        return t
            .parse()
            .map_err(|_| SqlError::out_of_range("OID out of range"));
    }
    let bare = t.strip_prefix("pg_catalog.").unwrap_or(t);
    let bare = bare
        .strip_prefix('"')
        .and_then(|b| b.strip_suffix('"'))
        .map_or_else(|| bare.to_lowercase(), str::to_owned);
    match super::registry().candidates(&bare, super::ProcKind::Function) {
        [one] => Ok(crate::sql::system::oids::proc_oid(one.0 as usize)),
        [] => Err(SqlError::new(
            twill_types::SqlState::UNDEFINED_FUNCTION,
            format!("function \"{t}\" does not exist"),
        )),
        _ => Err(SqlError::new(
            twill_types::SqlState::AMBIGUOUS_FUNCTION,
            format!("more than one function named \"{t}\""),
        )),
    }
}

/// `regprocout`: a `regproc` result value. Catalog columns carry the name
/// already (text, printed as is); an OID (`oid::regproc`) prints as the
/// function's name, `pg_catalog.`-qualified when the name is overloaded
/// (it would not read back as one function), `-` for 0, the number for an
/// OID that names no function.
fn regprocout(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match oid_arg(a, 0) {
        Some(o) => named_regproc(o),
        None => a.first().cloned().unwrap_or(Value::Null),
    })
}

/// A regproc OID with its name (`regprocout`; also the regproc → text
/// cast).
pub(crate) fn named_regproc(o: Oid) -> Value {
    let name = match crate::sql::system::oids::proc_index(o) {
        _ if o == 0 => "-".to_owned(),
        Some(i) => {
            let p = &super::registry().procs()[i];
            let overloaded = super::registry()
                .candidates(p.name, super::ProcKind::Function)
                .len()
                > 1;
            if overloaded || p.kind != super::ProcKind::Function {
                format!("pg_catalog.{}", p.name)
            } else {
                p.name.to_owned()
            }
        }
        None => o.to_string(),
    };
    Value::RegNamed {
        ty: oid::REGPROC,
        oid: o,
        name,
    }
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
        "pg_operator_is_visible",
        "pg_collation_is_visible",
        "pg_opclass_is_visible",
    ] {
        r.func(name, &[OID], BOOL, always_true).stable();
    }
    r.func(
        "pg_get_function_result",
        &[OID],
        TEXT,
        pg_get_function_result,
    )
    .stable();
    for name in [
        "pg_get_function_arguments",
        "pg_get_function_identity_arguments",
    ] {
        r.func(name, &[OID], TEXT, pg_get_function_arguments)
            .stable();
    }
    // Built-in functions have no SQL-standard body (`\df+` falls back to
    // prosrc).
    r.func("pg_get_function_sqlbody", &[OID], TEXT, null_text)
        .stable();
    // Both tablespaces are built in: PostgreSQL answers '' for them (psql's
    // `\db` Location).
    r.func("pg_tablespace_location", &[OID], TEXT, empty_text)
        .stable();
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
    r.func("regclassout", &[REGCLASS], REGCLASS, regclassout)
        .stable();
    r.func("regprocout", &[REGPROC], REGPROC, regprocout);
    r.func(
        "regnamespaceout",
        &[REGNAMESPACE],
        REGNAMESPACE,
        regnamespaceout,
    )
    .stable();
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
