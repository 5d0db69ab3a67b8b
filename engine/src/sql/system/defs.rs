//! A relation's indexes and constraints as the catalogs show them, their
//! SQL definitions (`pg_get_indexdef`, `pg_get_constraintdef`), and the
//! catalog functions that need the transaction.
//!
//! Those functions live in the registry (`expr/functions/catalog.rs`) and
//! forward to the executor's session hook under a `catalog.` name; the
//! executor hands such calls to [`call`] with the transaction in hand.

use twill_types::{Oid, SqlState, Value};

use super::oids::{self, Owned};
use super::{Relation, SessionFacts, Snapshot, SystemSchema, SystemTable};
use crate::mvcc::{ReferentialAction, RelationKind, Transaction};
use crate::sql::catalog::table_oid;
use crate::sql::error::SqlError;
use crate::sql::exec::SessionHooks;

/// An index of a relation (`pg_index` + its `pg_class` row).
#[derive(Debug, Clone)]
pub(crate) struct IndexInfo {
    /// `pg_class.oid` of the index.
    pub oid: Oid,
    /// Its name.
    pub name: String,
    /// Indexed column positions (0-based).
    pub columns: Vec<usize>,
    pub unique: bool,
    pub primary: bool,
    /// The constraint it backs (`p` or `u`), if any: (oid, contype).
    pub constraint: Option<(Oid, u8)>,
}

/// A constraint of a relation (`pg_constraint`).
#[derive(Debug, Clone)]
pub(crate) struct ConstraintInfo {
    pub oid: Oid,
    pub name: String,
    /// `p`, `u`, `c` or `f`.
    pub contype: u8,
    /// Constrained column positions (0-based); empty for CHECK.
    pub columns: Vec<usize>,
    /// The index that enforces it (`p`, `u`; for `f` the referenced key's).
    pub index: Oid,
    /// For `f`: the referenced relation's OID and column positions.
    pub references: Option<(Oid, Vec<usize>)>,
    /// For `f`: ON UPDATE / ON DELETE as `pg_constraint` letters.
    pub actions: (u8, u8),
    /// For `c`: the condition's SQL text.
    pub check: Option<String>,
    /// The definition as `pg_get_constraintdef(oid, true)` prints it.
    pub def: String,
}

impl ConstraintInfo {
    /// `pg_get_constraintdef(oid, pretty)`: without `pretty`, a CHECK
    /// condition gets PostgreSQL's extra parentheses.
    pub(crate) fn definition(&self, pretty: bool) -> String {
        match &self.check {
            Some(expr) if !pretty => format!("CHECK (({expr}))"),
            _ => self.def.clone(),
        }
    }
}

/// The columns a CHECK condition mentions (`pg_constraint.conkey`), in
/// column order: identifiers in the text that name a column.
fn referenced_columns(rel: &Relation, expr: &str) -> Vec<usize> {
    let words: Vec<String> = expr
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"'))
        .map(|w| {
            if w.starts_with('"') {
                w.trim_matches('"').to_owned()
            } else {
                w.to_lowercase()
            }
        })
        .collect();
    rel.def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| words.contains(&c.name))
        .map(|(i, _)| i)
        .collect()
}

/// Whether a unique index backs a UNIQUE constraint. Table definitions
/// do not record this; constraint-made indexes carry PostgreSQL's
/// `<table>_<columns>_key` name, `CREATE UNIQUE INDEX` ones usually not.
fn backs_unique_constraint(name: &str) -> bool {
    name.ends_with("_key")
}

/// The indexes of a relation: the primary key's first, then the
/// secondary ones in definition order.
pub(crate) fn indexes(rel: &Relation) -> Vec<IndexInfo> {
    let def = &rel.def;
    let mut out = Vec::new();
    if !matches!(def.kind, RelationKind::Table) {
        return out;
    }
    if let Some(pk) = &def.primary_key
        && let Some(oid) = oids::owned(def.id, Owned::Index(0))
    {
        out.push(IndexInfo {
            oid,
            name: format!("{}_pkey", rel.name),
            columns: pk.clone(),
            unique: true,
            primary: true,
            constraint: oids::owned(def.id, Owned::IndexConstraint(0)).map(|o| (o, b'p')),
        });
    }
    for (i, ix) in def.indexes.iter().enumerate() {
        let Some(oid) = oids::owned(def.id, Owned::Index(i + 1)) else {
            continue;
        };
        let constraint = (ix.unique && backs_unique_constraint(&ix.name))
            .then(|| oids::owned(def.id, Owned::IndexConstraint(i + 1)).map(|o| (o, b'u')))
            .flatten();
        out.push(IndexInfo {
            oid,
            name: ix.name.clone(),
            columns: ix.columns.clone(),
            unique: ix.unique,
            primary: false,
            constraint,
        });
    }
    out
}

fn action_letter(a: ReferentialAction) -> u8 {
    match a {
        ReferentialAction::Restrict => b'a',
        ReferentialAction::Cascade => b'c',
        ReferentialAction::SetNull => b'n',
        ReferentialAction::SetDefault => b'd',
    }
}

fn action_sql(a: ReferentialAction) -> Option<&'static str> {
    match a {
        ReferentialAction::Restrict => None,
        ReferentialAction::Cascade => Some("CASCADE"),
        ReferentialAction::SetNull => Some("SET NULL"),
        ReferentialAction::SetDefault => Some("SET DEFAULT"),
    }
}

/// An identifier as SQL writes it (quoted when it must be).
pub(crate) fn quote_ident(name: &str) -> String {
    crate::sql::expr::functions::string::quote_ident_str(name)
}

fn column_list(rel: &Relation, cols: &[usize]) -> String {
    cols.iter()
        .map(|&c| {
            rel.def
                .columns
                .get(c)
                .map_or_else(|| "?".to_owned(), |col| quote_ident(&col.name))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A relation's name as `pg_get_*def` print it: schema-qualified unless
/// the schema is visible (PostgreSQL qualifies when not on the path).
fn relation_sql(snap: &Snapshot, rel: &Relation) -> String {
    if snap.is_visible(&rel.schema, &rel.name) {
        quote_ident(&rel.name)
    } else {
        format!("{}.{}", quote_ident(&rel.schema), quote_ident(&rel.name))
    }
}

/// The constraints of a relation: primary key, unique, check, foreign key.
pub(crate) fn constraints(snap: &Snapshot, rel: &Relation) -> Vec<ConstraintInfo> {
    let def = &rel.def;
    let mut out = Vec::new();
    for ix in indexes(rel) {
        if let Some((oid, contype)) = ix.constraint {
            let kind = if contype == b'p' {
                "PRIMARY KEY"
            } else {
                "UNIQUE"
            };
            out.push(ConstraintInfo {
                oid,
                name: ix.name.clone(),
                contype,
                columns: ix.columns.clone(),
                index: ix.oid,
                references: None,
                actions: (b' ', b' '),
                check: None,
                def: format!("{kind} ({})", column_list(rel, &ix.columns)),
            });
        }
    }
    for (i, c) in def.checks.iter().enumerate() {
        let Some(oid) = oids::owned(def.id, Owned::Check(i)) else {
            continue;
        };
        out.push(ConstraintInfo {
            oid,
            name: c.name.clone(),
            contype: b'c',
            index: 0,
            references: None,
            actions: (b' ', b' '),
            columns: referenced_columns(rel, &c.expr),
            check: Some(c.expr.clone()),
            def: format!("CHECK ({})", c.expr),
        });
    }
    for (i, fk) in def.foreign_keys.iter().enumerate() {
        let Some(oid) = oids::owned(def.id, Owned::ForeignKey(i)) else {
            continue;
        };
        let target = snap.relation_by_key(&fk.ref_table);
        let (ref_oid, ref_sql, ref_cols, index) = match target {
            Some(t) => {
                let index = indexes(t)
                    .into_iter()
                    .find(|ix| ix.unique && ix.columns == fk.ref_columns)
                    .map_or(0, |ix| ix.oid);
                (
                    table_oid(t.def.id),
                    relation_sql(snap, t),
                    column_list(t, &fk.ref_columns),
                    index,
                )
            }
            None => (0, quote_ident(&fk.ref_table), String::new(), 0),
        };
        let mut text = format!(
            "FOREIGN KEY ({}) REFERENCES {ref_sql}({ref_cols})",
            column_list(rel, &fk.columns)
        );
        if let Some(a) = action_sql(fk.on_update) {
            text.push_str(&format!(" ON UPDATE {a}"));
        }
        if let Some(a) = action_sql(fk.on_delete) {
            text.push_str(&format!(" ON DELETE {a}"));
        }
        out.push(ConstraintInfo {
            oid,
            name: fk.name.clone(),
            contype: b'f',
            columns: fk.columns.clone(),
            index,
            references: Some((ref_oid, fk.ref_columns.clone())),
            actions: (action_letter(fk.on_update), action_letter(fk.on_delete)),
            check: None,
            def: text,
        });
    }
    out
}

/// `CREATE [UNIQUE] INDEX name ON schema.table USING btree (cols)`, as
/// `pg_get_indexdef` prints it: the table schema-qualified, unless
/// `pretty` and the table is visible.
pub(crate) fn index_def(snap: &Snapshot, rel: &Relation, ix: &IndexInfo, pretty: bool) -> String {
    let table = if pretty {
        relation_sql(snap, rel)
    } else {
        format!("{}.{}", quote_ident(&rel.schema), quote_ident(&rel.name))
    };
    format!(
        "CREATE {}INDEX {} ON {table} USING btree ({})",
        if ix.unique { "UNIQUE " } else { "" },
        quote_ident(&ix.name),
        column_list(rel, &ix.columns)
    )
}

/// The relation owning an OID from the owned-object range, with what the
/// OID stands for.
fn owned_object(snap: &Snapshot, oid: Oid) -> Option<(&Relation, Owned)> {
    let (id, what) = oids::decode_owned(oid)?;
    let rel = snap.relations.iter().find(|r| r.def.id == id)?;
    Some((rel, what))
}

/// The prefix of registry functions forwarded here through
/// `PlannerValues::session_call`.
pub(crate) const PREFIX: &str = "catalog.";

fn text_of(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Text(t)) => Some(t),
        _ => None,
    }
}

fn oid_of(v: Option<&Value>) -> Option<Oid> {
    match v {
        Some(Value::Oid(o) | Value::RegClass(o) | Value::RegType(o)) => Some(*o),
        Some(Value::Int4(i)) => Some(*i as Oid),
        Some(Value::Int8(i)) => Some(*i as Oid),
        _ => None,
    }
}

/// Splits a possibly qualified, possibly quoted relation name.
fn name_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut was_quoted) = (false, false);
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                let p = std::mem::take(&mut cur);
                parts.push(if was_quoted { p } else { p.to_lowercase() });
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    parts.push(if was_quoted { cur } else { cur.to_lowercase() });
    parts
}

/// The OID of the relation a name means (user relations first, then
/// system tables), or `None`.
fn regclass_of(snap: &Snapshot, text: &str) -> Option<Oid> {
    let parts = name_parts(text);
    let user = match parts.as_slice() {
        [name] => snap
            .search_path
            .iter()
            .find_map(|s| {
                snap.relations
                    .iter()
                    .find(|r| r.schema == *s && r.name == *name)
            })
            .map(|r| table_oid(r.def.id)),
        [.., schema, name] => snap
            .relations
            .iter()
            .find(|r| r.schema == *schema && r.name == *name)
            .map(|r| table_oid(r.def.id)),
        [] => None,
    };
    if user.is_some() {
        return user;
    }
    // Indexes are relations too.
    if let [.., name] = parts.as_slice() {
        for rel in &snap.relations {
            if let Some(ix) = indexes(rel).into_iter().find(|ix| ix.name == *name) {
                return Some(ix.oid);
            }
        }
    }
    SystemTable::resolve(&parts, |_| Ok(false))
        .ok()
        .flatten()
        .map(SystemTable::oid)
}

/// The schema and name of a relation OID (user relation, index or system
/// table).
pub(crate) fn relation_name(snap: &Snapshot, oid: Oid) -> Option<(String, String)> {
    if let Some(r) = snap.relation_by_oid(oid) {
        return Some((r.schema.clone(), r.name.clone()));
    }
    if let Some((rel, Owned::Index(_))) = owned_object(snap, oid) {
        let ix = indexes(rel).into_iter().find(|ix| ix.oid == oid)?;
        return Some((rel.schema.clone(), ix.name));
    }
    SystemTable::ALL.iter().find(|t| t.oid() == oid).map(|t| {
        let schema = match t.schema() {
            SystemSchema::PgCatalog => "pg_catalog",
            SystemSchema::InformationSchema => "information_schema",
        };
        (schema.to_owned(), t.name().to_owned())
    })
}

/// Answers a catalog function forwarded through the session hook, or
/// `None` when `name` is not one (the session's own hooks answer it).
/// `'name'::regclass` is also answered here for system table names the
/// session does not know.
pub(crate) fn call(
    txn: &mut Transaction,
    hooks: &dyn SessionHooks,
    name: &str,
    args: &[Value],
) -> Option<Result<Value, SqlError>> {
    if name == "regclass" {
        return match hooks.call(txn, name, args) {
            Err(e) if e.code == SqlState::UNDEFINED_TABLE => {
                let text = text_of(args.first())?;
                let parts = name_parts(text);
                match SystemTable::resolve(&parts, |_| Ok(false)) {
                    Ok(Some(t)) => Some(Ok(Value::RegClass(t.oid()))),
                    _ => Some(Err(e)),
                }
            }
            other => Some(other),
        };
    }
    let f = name.strip_prefix(PREFIX)?;
    Some(catalog_call(txn, hooks, f, args))
}

fn catalog_call(
    txn: &mut Transaction,
    hooks: &dyn SessionHooks,
    f: &str,
    args: &[Value],
) -> Result<Value, SqlError> {
    if f == "txid_current" {
        return Ok(Value::Int8(txn.id() as i64));
    }
    // System tables are always visible; no snapshot needed.
    if f == "pg_table_is_visible"
        && let Some(o) = oid_of(args.first())
        && SystemTable::ALL.iter().any(|t| t.oid() == o)
    {
        return Ok(Value::Bool(true));
    }
    let facts = SessionFacts::read(false, |n| {
        match hooks.call(
            txn,
            "current_setting",
            &[Value::Text(n.to_owned()), Value::Bool(true)],
        )? {
            Value::Text(t) => Ok(Some(t)),
            _ => Ok(None),
        }
    })?;
    let snap = Snapshot::take(txn, facts)?;
    let oid = oid_of(args.first());
    Ok(match f {
        "pg_get_indexdef" => {
            let Some(oid) = oid else {
                return Ok(Value::Null);
            };
            let column = match args.get(1) {
                Some(Value::Int4(n)) => *n,
                _ => 0,
            };
            let pretty = matches!(args.get(2), Some(Value::Bool(true)));
            match owned_object(&snap, oid) {
                Some((rel, Owned::Index(_))) => {
                    match indexes(rel).into_iter().find(|ix| ix.oid == oid) {
                        Some(ix) if column <= 0 => Value::Text(index_def(&snap, rel, &ix, pretty)),
                        Some(ix) => ix
                            .columns
                            .get(column as usize - 1)
                            .and_then(|&c| rel.def.columns.get(c))
                            .map_or(Value::Text(String::new()), |c| {
                                Value::Text(quote_ident(&c.name))
                            }),
                        None => Value::Null,
                    }
                }
                _ => Value::Null,
            }
        }
        "pg_get_constraintdef" => {
            let Some(oid) = oid else {
                return Ok(Value::Null);
            };
            match owned_object(&snap, oid) {
                Some((rel, _)) => constraints(&snap, rel)
                    .into_iter()
                    .find(|c| c.oid == oid)
                    .map_or(Value::Null, |c| {
                        Value::Text(c.definition(matches!(args.get(1), Some(Value::Bool(true)))))
                    }),
                None => Value::Null,
            }
        }
        "pg_table_is_visible" => {
            let Some(oid) = oid else {
                return Ok(Value::Null);
            };
            match relation_name(&snap, oid) {
                Some((schema, name)) => Value::Bool(snap.is_visible(&schema, &name)),
                None => Value::Null,
            }
        }
        "to_regclass" => match text_of(args.first()).and_then(|t| regclass_of(&snap, t)) {
            Some(o) => Value::RegClass(o),
            None => Value::Null,
        },
        "relation_name" => match oid.and_then(|o| relation_name(&snap, o)) {
            Some((schema, name)) if snap.is_visible(&schema, &name) => {
                Value::Text(quote_ident(&name))
            }
            Some((schema, name)) => {
                Value::Text(format!("{}.{}", quote_ident(&schema), quote_ident(&name)))
            }
            None => match oid {
                Some(o) => Value::Text(o.to_string()),
                None => Value::Null,
            },
        },
        // regnamespaceout / regnamespacein.
        "namespace_name" => match oid {
            Some(o) => super::rows::namespaces(&snap)
                .into_iter()
                .find(|(_, n, _)| *n == o)
                .map_or_else(
                    || Value::Text(o.to_string()),
                    |(name, _, _)| Value::Text(quote_ident(&name)),
                ),
            None => Value::Null,
        },
        "namespace_oid" => {
            let Some(text) = text_of(args.first()) else {
                return Ok(Value::Null);
            };
            let parts = name_parts(text);
            let [name] = parts.as_slice() else {
                return Err(SqlError::new(
                    SqlState::INVALID_NAME,
                    format!("invalid name syntax: \"{text}\""),
                ));
            };
            match super::rows::namespaces(&snap)
                .into_iter()
                .find(|(n, _, _)| n == name)
            {
                Some((_, o, _)) => Value::Oid(o),
                None => {
                    return Err(SqlError::new(
                        SqlState::INVALID_SCHEMA_NAME,
                        format!("schema \"{name}\" does not exist"),
                    ));
                }
            }
        }
        "pg_get_serial_sequence" => {
            let (Some(table), Some(column)) = (text_of(args.first()), text_of(args.get(1))) else {
                return Ok(Value::Null);
            };
            let Some(toid) = regclass_of(&snap, table) else {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{table}\" does not exist"),
                ));
            };
            let Some(rel) = snap.relation_by_oid(toid) else {
                return Ok(Value::Null);
            };
            let key = crate::sql::catalog::qualified(&rel.schema, &rel.name);
            let column = column.trim_matches('"');
            let seq = snap.relations.iter().find(|s| match &s.def.kind {
                RelationKind::Sequence(sd) => sd
                    .owned_by
                    .as_ref()
                    .is_some_and(|(t, c)| (*t == key || *t == rel.name) && c == column),
                _ => false,
            });
            match seq {
                Some(s) => Value::Text(format!(
                    "{}.{}",
                    quote_ident(&s.schema),
                    quote_ident(&s.name)
                )),
                None => Value::Null,
            }
        }
        other => {
            return Err(SqlError::unsupported(format!("{other}() is not supported")));
        }
    })
}
