//! The rows of the `pg_catalog` tables, in the column order of
//! `columns.rs`.

use twill_types::{Array, Oid, Type, Value, oid};

use super::defs::{self, IndexInfo};
use super::oids::{self, Owned};
use super::{Relation, Snapshot, SystemSchema, SystemTable, columns};
use crate::mvcc::{ColumnDef, RelationKind};
use crate::sql::catalog::table_oid;
use crate::sql::exec::Row;
use crate::sql::expr::functions::{ProcKind, Volatility, registry};

pub(super) fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}
pub(super) fn o(v: Oid) -> Value {
    Value::Oid(v)
}
pub(super) fn c(v: u8) -> Value {
    Value::Char(v)
}
pub(super) fn b(v: bool) -> Value {
    Value::Bool(v)
}
pub(super) fn i2(v: usize) -> Value {
    Value::Int2(v as i16)
}
pub(super) fn i4(v: i32) -> Value {
    Value::Int4(v)
}
pub(super) const N: Value = Value::Null;

/// The namespace OID of a system table.
fn system_namespace(table: SystemTable) -> Oid {
    match table.schema() {
        SystemSchema::PgCatalog => oids::PG_CATALOG_NAMESPACE,
        SystemSchema::InformationSchema => oids::INFORMATION_SCHEMA_NAMESPACE,
    }
}

/// The collation of a column of type `ty` (`pg_type.typcollation`).
pub(super) fn type_collation(ty: Oid) -> Oid {
    let base = Type::by_oid(ty)
        .and_then(|t| t.element())
        .map_or(ty, |e| e.oid);
    match base {
        oid::TEXT | oid::VARCHAR | oid::BPCHAR => oids::DEFAULT_COLLATION,
        oid::NAME => oids::C_COLLATION,
        _ => 0,
    }
}

/// The rows of a `pg_catalog` table.
pub(super) fn rows(table: SystemTable, snap: &Snapshot) -> Vec<Row> {
    use SystemTable as T;
    match table {
        T::PgNamespace => pg_namespace(snap),
        T::PgClass => pg_class(snap),
        T::PgAttribute => pg_attribute(snap),
        T::PgAttrdef => pg_attrdef(snap),
        T::PgIndex => pg_index(snap),
        T::PgConstraint => pg_constraint(snap),
        T::PgType => pg_type(),
        T::PgDatabase => pg_database(snap),
        T::PgRoles => vec![vec![
            t(&snap.user),
            b(true),
            b(true),
            b(true),
            b(true),
            b(true),
            b(true),
            i4(-1),
            t("********"),
            N,
            b(true),
            N,
            o(oids::SUPERUSER),
        ]],
        T::PgUser => vec![vec![
            t(&snap.user),
            o(oids::SUPERUSER),
            b(true),
            b(true),
            b(true),
            b(true),
            t("********"),
            N,
            N,
        ]],
        T::PgAm => vec![
            vec![
                o(oids::HEAP_AM),
                t("heap"),
                t("heap_tableam_handler"),
                c(b't'),
            ],
            vec![o(oids::BTREE_AM), t("btree"), t("bthandler"), c(b'i')],
        ],
        // PostgreSQL's three built-in languages; every registry function
        // is `internal` (pg_proc.prolang 12).
        T::PgLanguage => [
            (oids::INTERNAL_LANGUAGE, "internal"),
            (13, "c"),
            (14, "sql"),
        ]
        .into_iter()
        .map(|(oid, name)| {
            vec![
                o(oid),
                t(name),
                o(oids::SUPERUSER),
                b(false),
                b(name == "sql"),
                o(0),
                o(0),
                o(0),
                N,
            ]
        })
        .collect(),
        T::PgProc => pg_proc(),
        T::PgOperator => pg_operator(),
        T::PgSettings => snap
            .settings
            .iter()
            .map(|(name, value)| {
                vec![
                    t(name),
                    t(value),
                    N,
                    t("Ungrouped"),
                    t(""),
                    N,
                    t("user"),
                    t("string"),
                    t("session"),
                    N,
                    N,
                    N,
                    N,
                    t(value),
                    N,
                    N,
                    b(false),
                ]
            })
            .collect(),
        T::PgCollation => [
            (oids::DEFAULT_COLLATION, "default", b'd', None),
            (oids::C_COLLATION, "C", b'c', Some("C")),
            (951, "POSIX", b'c', Some("POSIX")),
        ]
        .into_iter()
        .map(|(oid, name, provider, locale)| {
            let locale = || locale.map_or(N, t);
            vec![
                o(oid),
                t(name),
                o(oids::PG_CATALOG_NAMESPACE),
                o(oids::SUPERUSER),
                c(provider),
                b(true),
                i4(-1),
                locale(),
                locale(),
                N,
                N,
            ]
        })
        .collect(),
        T::PgTablespace => vec![
            vec![
                o(oids::DEFAULT_TABLESPACE),
                t("pg_default"),
                o(oids::SUPERUSER),
                N,
                N,
            ],
            vec![o(1664), t("pg_global"), o(oids::SUPERUSER), N, N],
        ],
        T::PgSequence => snap
            .relations
            .iter()
            .filter_map(|r| match &r.def.kind {
                RelationKind::Sequence(s) => Some(vec![
                    o(table_oid(r.def.id)),
                    o(oid::INT8),
                    Value::Int8(s.start),
                    Value::Int8(s.increment),
                    Value::Int8(s.max),
                    Value::Int8(s.min),
                    Value::Int8(1),
                    b(s.cycle),
                ]),
                _ => None,
            })
            .collect(),
        T::PgSequences => snap
            .relations
            .iter()
            .filter_map(|r| match &r.def.kind {
                RelationKind::Sequence(s) => Some(vec![
                    t(&r.schema),
                    t(&r.name),
                    t(&snap.user),
                    Value::RegType(oid::INT8),
                    Value::Int8(s.start),
                    Value::Int8(s.min),
                    Value::Int8(s.max),
                    Value::Int8(s.increment),
                    b(s.cycle),
                    Value::Int8(1),
                    N,
                ]),
                _ => None,
            })
            .collect(),
        T::PgTables => pg_tables(snap),
        T::PgIndexes => snap
            .relations
            .iter()
            .flat_map(|r| {
                defs::indexes(r).into_iter().map(move |ix| {
                    vec![
                        t(&r.schema),
                        t(&r.name),
                        t(&ix.name),
                        N,
                        t(defs::index_def(snap, r, &ix, false)),
                    ]
                })
            })
            .collect(),
        T::PgViews => snap
            .relations
            .iter()
            .filter_map(|r| match &r.def.kind {
                RelationKind::View { query } => Some(vec![
                    t(&r.schema),
                    t(&r.name),
                    t(&snap.user),
                    t(format!(" {query};")),
                ]),
                _ => None,
            })
            .collect(),
        // Catalogs of features twill does not have: always empty.
        T::PgAuthMembers
        | T::PgDescription
        | T::PgInherits
        | T::PgPartitionedTable
        | T::PgTrigger
        | T::PgEnum
        | T::PgRange
        | T::PgPolicy
        | T::PgStatisticExt
        | T::PgOpclass
        | T::PgPublication
        | T::PgPublicationNamespace
        | T::PgPublicationRel => Vec::new(),
        T::Schemata
        | T::Tables
        | T::Columns
        | T::Views
        | T::TableConstraints
        | T::KeyColumnUsage => super::info::rows(table, snap),
    }
}

/// Every namespace: the built-in ones, then user schemas.
pub(super) fn namespaces(snap: &Snapshot) -> Vec<(String, Oid, Oid)> {
    let mut out = vec![
        (
            "pg_toast".to_owned(),
            oids::PG_TOAST_NAMESPACE,
            oids::SUPERUSER,
        ),
        (
            "pg_catalog".to_owned(),
            oids::PG_CATALOG_NAMESPACE,
            oids::SUPERUSER,
        ),
        (
            "public".to_owned(),
            oids::PUBLIC_NAMESPACE,
            PG_DATABASE_OWNER,
        ),
        (
            "information_schema".to_owned(),
            oids::INFORMATION_SCHEMA_NAMESPACE,
            oids::SUPERUSER,
        ),
    ];
    for (name, oid) in &snap.schemas {
        out.push((name.clone(), *oid, oids::SUPERUSER));
    }
    out
}

/// The `pg_database_owner` role, owner of `public` in PostgreSQL 15.
pub(crate) const PG_DATABASE_OWNER: Oid = 6171;

fn pg_namespace(snap: &Snapshot) -> Vec<Row> {
    namespaces(snap)
        .into_iter()
        .map(|(name, oid, owner)| vec![o(oid), t(name), o(owner), N])
        .collect()
}

/// One pg_class row; the arguments are the columns that vary.
#[allow(clippy::too_many_arguments)]
fn class_row(
    oid: Oid,
    name: &str,
    namespace: Oid,
    am: Oid,
    kind: u8,
    natts: usize,
    checks: usize,
    has_index: bool,
    has_triggers: bool,
    replident: u8,
) -> Row {
    vec![
        o(oid),
        t(name),
        o(namespace),
        o(0),
        o(0),
        o(oids::SUPERUSER),
        o(am),
        o(if matches!(kind, b'v') { 0 } else { oid }),
        o(0),
        i4(0),
        Value::Float4(match kind {
            b'S' => 1.0,
            b'i' => 0.0,
            _ => -1.0,
        }),
        i4(0),
        o(0),
        b(has_index),
        b(false),
        c(b'p'),
        c(kind),
        i2(natts),
        i2(checks),
        b(false),
        b(has_triggers),
        b(false),
        b(false),
        b(false),
        b(true),
        c(replident),
        b(false),
        o(0),
        N,
        N,
        N,
    ]
}

/// Whether PostgreSQL would show triggers on a table: its foreign keys,
/// and foreign keys referencing it, are enforced by internal triggers.
fn has_fk_triggers(snap: &Snapshot, rel: &Relation) -> bool {
    let key = crate::sql::catalog::qualified(&rel.schema, &rel.name);
    !rel.def.foreign_keys.is_empty()
        || snap
            .relations
            .iter()
            .any(|r| r.def.foreign_keys.iter().any(|fk| fk.ref_table == key))
}

fn pg_class(snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for table in SystemTable::ALL.iter().filter(|_| snap.lists_system()) {
        let (am, kind) = if table.is_view() {
            (0, b'v')
        } else {
            (oids::HEAP_AM, b'r')
        };
        out.push(class_row(
            table.oid(),
            table.name(),
            system_namespace(*table),
            am,
            kind,
            columns::of(*table).len(),
            0,
            false,
            false,
            b'n',
        ));
    }
    for r in snap.listed() {
        let ns = snap.namespace_oid(&r.schema).unwrap_or(0);
        let def = &r.def;
        let indexes = defs::indexes(r);
        let row = match &def.kind {
            RelationKind::Table => class_row(
                table_oid(def.id),
                &r.name,
                ns,
                oids::HEAP_AM,
                b'r',
                def.columns.len(),
                def.checks.len(),
                !indexes.is_empty(),
                has_fk_triggers(snap, r),
                b'd',
            ),
            RelationKind::View { .. } => class_row(
                table_oid(def.id),
                &r.name,
                ns,
                0,
                b'v',
                0,
                0,
                false,
                false,
                b'n',
            ),
            RelationKind::Sequence(_) => class_row(
                table_oid(def.id),
                &r.name,
                ns,
                0,
                b'S',
                3,
                0,
                false,
                false,
                b'n',
            ),
            RelationKind::Schema => continue,
        };
        out.push(row);
        for ix in &indexes {
            out.push(class_row(
                ix.oid,
                &ix.name,
                ns,
                oids::BTREE_AM,
                b'i',
                ix.columns.len(),
                0,
                false,
                false,
                b'n',
            ));
        }
    }
    out
}

/// One pg_attribute row.
fn attribute_row(relid: Oid, attnum: usize, col: &ColumnDef) -> Row {
    let ty = Type::by_oid(col.type_oid);
    let identity = match (col.identity, col.identity_always) {
        (true, true) => b'a',
        (true, false) => b'd',
        _ => 0,
    };
    vec![
        o(relid),
        t(&col.name),
        o(col.type_oid),
        i4(-1),
        Value::Int2(ty.map_or(-1, |t| t.len)),
        i2(attnum),
        i4(ty.is_some_and(|t| t.is_array()) as i32),
        i4(-1),
        i4(col.typmod),
        b(ty.is_some_and(|t| t.by_val)),
        c(ty.map_or(b'i', |t| t.align as u8)),
        c(ty.map_or(b'x', |t| t.storage as u8)),
        c(0),
        b(!col.nullable),
        b(has_default(col)),
        b(false),
        c(identity),
        c(0),
        b(false),
        b(true),
        i4(0),
        o(type_collation(col.type_oid)),
        N,
        N,
        N,
    ]
}

/// Whether a column has a `pg_attrdef` row (identity columns do not: their
/// sequence is implicit, as in PostgreSQL).
pub(super) fn has_default(col: &ColumnDef) -> bool {
    col.default.is_some() && !col.identity
}

/// Sequences' columns, as PostgreSQL shows them.
fn sequence_columns() -> Vec<ColumnDef> {
    let mut cols = vec![
        ColumnDef::new("last_value", oid::INT8),
        ColumnDef::new("log_cnt", oid::INT8),
        ColumnDef::new("is_called", oid::BOOL),
    ];
    for c in &mut cols {
        c.nullable = false;
    }
    cols
}

fn pg_attribute(snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for table in SystemTable::ALL.iter().filter(|_| snap.lists_system()) {
        for (i, (name, ty)) in columns::of(*table).iter().enumerate() {
            out.push(attribute_row(
                table.oid(),
                i + 1,
                &ColumnDef::new(*name, *ty),
            ));
        }
    }
    for r in snap.listed() {
        let relid = table_oid(r.def.id);
        let cols = match &r.def.kind {
            RelationKind::Table => r.def.columns.clone(),
            RelationKind::Sequence(_) => sequence_columns(),
            RelationKind::View { .. } | RelationKind::Schema => Vec::new(),
        };
        for (i, col) in cols.iter().enumerate() {
            out.push(attribute_row(relid, i + 1, col));
        }
        for ix in defs::indexes(r) {
            for (i, &pos) in ix.columns.iter().enumerate() {
                if let Some(col) = r.def.columns.get(pos) {
                    let mut col = col.clone();
                    col.default = None;
                    col.identity = false;
                    col.nullable = true;
                    out.push(attribute_row(ix.oid, i + 1, &col));
                }
            }
        }
    }
    out
}

fn pg_attrdef(snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for r in snap.listed() {
        if !matches!(r.def.kind, RelationKind::Table) {
            continue;
        }
        for (i, col) in r.def.columns.iter().enumerate() {
            if let (true, Some(expr), Some(oid)) = (
                has_default(col),
                &col.default,
                oids::owned(r.def.id, Owned::Default(i + 1)),
            ) {
                out.push(vec![o(oid), o(table_oid(r.def.id)), i2(i + 1), t(expr)]);
            }
        }
    }
    out
}

/// An `oidvector` value: a zero-based array of OIDs.
fn oidvector(oids: impl IntoIterator<Item = Oid>) -> Value {
    let mut a = Array::new(oid::OID, oids.into_iter().map(Value::Oid).collect());
    a.lower_bound = 0;
    Value::Array(a)
}

/// An `int2vector` value: a zero-based array of int2 (`indkey[0]` is the
/// first key column, as in PostgreSQL).
pub(super) fn int2vector(values: impl IntoIterator<Item = i16>) -> Value {
    let mut a = Array::new(oid::INT2, values.into_iter().map(Value::Int2).collect());
    a.lower_bound = 0;
    Value::Array(a)
}

fn index_row(r: &Relation, ix: &IndexInfo) -> Row {
    let n = ix.columns.len();
    let collations = ix.columns.iter().map(|&c| {
        r.def
            .columns
            .get(c)
            .map_or(0, |c| type_collation(c.type_oid))
    });
    vec![
        o(ix.oid),
        o(table_oid(r.def.id)),
        i2(n),
        i2(n),
        b(ix.unique),
        b(false),
        b(ix.primary),
        b(false),
        b(true),
        b(false),
        b(true),
        b(false),
        b(true),
        b(true),
        b(false),
        int2vector(ix.columns.iter().map(|&c| c as i16 + 1)),
        oidvector(collations),
        oidvector(std::iter::repeat_n(0, n)),
        int2vector(std::iter::repeat_n(0, n)),
        N,
        N,
    ]
}

fn pg_index(snap: &Snapshot) -> Vec<Row> {
    snap.listed()
        .flat_map(|r| {
            defs::indexes(r)
                .into_iter()
                .map(move |ix| index_row(r, &ix))
        })
        .collect()
}

fn int2_array(cols: &[usize]) -> Value {
    Value::Array(Array::new(
        oid::INT2,
        cols.iter().map(|&c| Value::Int2(c as i16 + 1)).collect(),
    ))
}

fn pg_constraint(snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for r in snap.listed() {
        let ns = snap.namespace_oid(&r.schema).unwrap_or(0);
        for con in defs::constraints(snap, r) {
            let (confrelid, confkey) = match &con.references {
                Some((oid, cols)) => (*oid, int2_array(cols)),
                None => (0, N),
            };
            let conkey = if con.columns.is_empty() {
                N
            } else {
                int2_array(&con.columns)
            };
            out.push(vec![
                o(con.oid),
                t(&con.name),
                o(ns),
                c(con.contype),
                b(false),
                b(false),
                b(true),
                o(table_oid(r.def.id)),
                o(0),
                o(con.index),
                o(0),
                o(confrelid),
                c(con.actions.0),
                c(con.actions.1),
                c(if con.contype == b'f' { b's' } else { b' ' }),
                b(true),
                i4(0),
                b(false),
                conkey,
                confkey,
                N,
                N,
                N,
                N,
                N,
                con.check.clone().map_or(N, t),
            ]);
        }
    }
    out
}

fn regproc(name: &str) -> Value {
    t(name)
}

fn pg_type() -> Vec<Row> {
    Type::all()
        .iter()
        .map(|ty| {
            let subscript = if ty.elem == 0 {
                "-"
            } else if ty.len == -1 {
                "array_subscript_handler"
            } else {
                "raw_array_subscript_handler"
            };
            let preferred = matches!(
                ty.oid,
                oid::BOOL
                    | oid::TEXT
                    | oid::OID
                    | oid::FLOAT8
                    | oid::TIMESTAMPTZ
                    | oid::INTERVAL
                    | oid::INET
                    | oid::VARBIT
            );
            vec![
                o(ty.oid),
                t(ty.name),
                o(oids::PG_CATALOG_NAMESPACE),
                o(oids::SUPERUSER),
                Value::Int2(ty.len),
                b(ty.by_val),
                c(ty.typtype as u8),
                c(ty.category as u8),
                b(preferred),
                b(true),
                c(ty.delim as u8),
                o(0),
                regproc(subscript),
                o(ty.elem),
                o(ty.array),
                regproc(ty.input),
                regproc(ty.output),
                regproc(ty.receive),
                regproc(ty.send),
                regproc("-"),
                regproc("-"),
                regproc(if ty.is_array() {
                    "array_typanalyze"
                } else {
                    "-"
                }),
                c(ty.align as u8),
                c(ty.storage as u8),
                b(false),
                o(0),
                i4(-1),
                i4(0),
                o(type_collation(ty.oid)),
                N,
                N,
                N,
            ]
        })
        .collect()
}

fn pg_database(snap: &Snapshot) -> Vec<Row> {
    let mut dbs = vec![(5, snap.database.as_str(), false, true)];
    for (oid, name, allow) in [(1, "template1", true), (4, "template0", false)] {
        if snap.database != name {
            dbs.push((oid, name, true, allow));
        }
    }
    dbs.into_iter()
        .map(|(oid, name, template, allow)| {
            vec![
                o(oid),
                t(name),
                o(oids::SUPERUSER),
                i4(6),
                c(b'c'),
                b(template),
                b(allow),
                i4(-1),
                o(oids::DEFAULT_TABLESPACE),
                t("C"),
                t("C"),
                N,
                N,
                N,
            ]
        })
        .collect()
}

fn volatility(v: Volatility) -> u8 {
    match v {
        Volatility::Immutable => b'i',
        Volatility::Stable => b's',
        Volatility::Volatile => b'v',
    }
}

fn pg_proc() -> Vec<Row> {
    registry()
        .procs()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == ProcKind::Function)
        .map(|(i, p)| {
            vec![
                o(oids::proc_oid(i)),
                t(p.name),
                o(oids::PG_CATALOG_NAMESPACE),
                o(oids::SUPERUSER),
                o(oids::INTERNAL_LANGUAGE),
                Value::Float4(1.0),
                Value::Float4(0.0),
                o(if p.variadic {
                    p.args.last().copied().unwrap_or(0)
                } else {
                    0
                }),
                regproc("-"),
                c(b'f'),
                b(false),
                b(false),
                b(p.strict),
                b(false),
                c(volatility(p.volatility)),
                c(b's'),
                i2(p.args.len()),
                i2(0),
                o(p.ret),
                oidvector(p.args.iter().copied()),
                N,
                N,
                N,
                N,
                N,
                t(p.name),
                N,
                N,
                N,
                N,
            ]
        })
        .collect()
}

fn pg_operator() -> Vec<Row> {
    registry()
        .procs()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind != ProcKind::Function)
        .map(|(i, p)| {
            let (kind, left, right) = match p.kind {
                ProcKind::PrefixOperator => (b'l', 0, p.args.first().copied().unwrap_or(0)),
                _ => (
                    b'b',
                    p.args.first().copied().unwrap_or(0),
                    p.args.get(1).copied().unwrap_or(0),
                ),
            };
            vec![
                o(oids::proc_oid(i)),
                t(p.name),
                o(oids::PG_CATALOG_NAMESPACE),
                o(oids::SUPERUSER),
                c(kind),
                b(false),
                b(false),
                o(left),
                o(right),
                o(p.ret),
                o(0),
                o(0),
                regproc("-"),
                regproc("-"),
                regproc("-"),
            ]
        })
        .collect()
}

fn pg_tables(snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for table in SystemTable::ALL {
        if !table.is_view() {
            out.push(vec![
                t("pg_catalog"),
                t(table.name()),
                t(&snap.user),
                N,
                b(false),
                b(false),
                b(false),
                b(false),
            ]);
        }
    }
    for r in &snap.relations {
        if matches!(r.def.kind, RelationKind::Table) {
            out.push(vec![
                t(&r.schema),
                t(&r.name),
                t(&snap.user),
                N,
                b(!defs::indexes(r).is_empty()),
                b(false),
                b(false),
                b(false),
            ]);
        }
    }
    out
}
