//! The rows of the `information_schema` views, computed from the same
//! snapshot as `pg_catalog` (PostgreSQL defines them as views over it).

use twill_types::{Type, Value, oid};

use super::rows::{N, has_default, i4, namespaces, t};
use super::{Snapshot, SystemSchema, SystemTable, columns, defs};
use crate::mvcc::{ColumnDef, RelationKind};
use crate::sql::exec::Row;
use crate::sql::types::{char_length, format_type, numeric_precision_scale};

fn yes(v: bool) -> Value {
    t(if v { "YES" } else { "NO" })
}

fn schema_name(s: SystemSchema) -> &'static str {
    match s {
        SystemSchema::PgCatalog => "pg_catalog",
        SystemSchema::InformationSchema => "information_schema",
    }
}

/// The rows of an `information_schema` view.
pub(super) fn rows(table: SystemTable, snap: &Snapshot) -> Vec<Row> {
    let db = || t(&snap.database);
    match table {
        SystemTable::Schemata => namespaces(snap)
            .into_iter()
            .map(|(name, _, owner)| {
                let owner = if owner == super::rows::PG_DATABASE_OWNER {
                    "pg_database_owner".to_owned()
                } else {
                    snap.user.clone()
                };
                vec![db(), t(name), t(owner), N, N, N, N]
            })
            .collect(),
        SystemTable::Tables => {
            let mut out = Vec::new();
            let row = |schema: &str, name: &str, view: bool| {
                vec![
                    db(),
                    t(schema),
                    t(name),
                    t(if view { "VIEW" } else { "BASE TABLE" }),
                    N,
                    N,
                    N,
                    N,
                    N,
                    yes(!view),
                    yes(false),
                    N,
                ]
            };
            for s in SystemTable::ALL {
                out.push(row(schema_name(s.schema()), s.name(), s.is_view()));
            }
            for r in &snap.relations {
                match r.def.kind {
                    RelationKind::Table => out.push(row(&r.schema, &r.name, false)),
                    RelationKind::View { .. } => out.push(row(&r.schema, &r.name, true)),
                    _ => {}
                }
            }
            out
        }
        SystemTable::Columns => {
            let mut out = Vec::new();
            for s in SystemTable::ALL {
                for (i, (name, ty)) in columns::of(*s).iter().enumerate() {
                    let col = ColumnDef::new(*name, *ty);
                    out.push(column_row(snap, schema_name(s.schema()), s.name(), i, &col));
                }
            }
            for r in &snap.relations {
                if matches!(r.def.kind, RelationKind::Table) {
                    for (i, col) in r.def.columns.iter().enumerate() {
                        out.push(column_row(snap, &r.schema, &r.name, i, col));
                    }
                }
            }
            out
        }
        SystemTable::Views => snap
            .relations
            .iter()
            .filter_map(|r| match &r.def.kind {
                RelationKind::View { query } => Some(vec![
                    db(),
                    t(&r.schema),
                    t(&r.name),
                    t(format!(" {query};")),
                    t("NONE"),
                    yes(false),
                    yes(false),
                    yes(false),
                    yes(false),
                    yes(false),
                ]),
                _ => None,
            })
            .collect(),
        SystemTable::TableConstraints => {
            let mut out = Vec::new();
            for r in &snap.relations {
                for con in defs::constraints(snap, r) {
                    let kind = match con.contype {
                        b'p' => "PRIMARY KEY",
                        b'u' => "UNIQUE",
                        b'f' => "FOREIGN KEY",
                        _ => "CHECK",
                    };
                    let nulls = matches!(con.contype, b'p' | b'u');
                    out.push(vec![
                        db(),
                        t(&r.schema),
                        t(&con.name),
                        db(),
                        t(&r.schema),
                        t(&r.name),
                        t(kind),
                        yes(false),
                        yes(false),
                        yes(true),
                        if nulls { yes(true) } else { N },
                    ]);
                }
            }
            out
        }
        SystemTable::KeyColumnUsage => {
            let mut out = Vec::new();
            for r in &snap.relations {
                for con in defs::constraints(snap, r) {
                    if con.contype == b'c' {
                        continue;
                    }
                    for (i, &pos) in con.columns.iter().enumerate() {
                        let Some(col) = r.def.columns.get(pos) else {
                            continue;
                        };
                        out.push(vec![
                            db(),
                            t(&r.schema),
                            t(&con.name),
                            db(),
                            t(&r.schema),
                            t(&r.name),
                            t(&col.name),
                            i4(i as i32 + 1),
                            if con.contype == b'f' {
                                i4(i as i32 + 1)
                            } else {
                                N
                            },
                        ]);
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// `information_schema.columns.data_type`: the type as `format_type`
/// prints it without modifiers, `ARRAY` for arrays.
pub(crate) fn data_type(ty: u32) -> String {
    match Type::by_oid(ty) {
        Some(t) if t.is_array() => "ARRAY".to_owned(),
        Some(_) => format_type(ty, -1),
        None => "USER-DEFINED".to_owned(),
    }
}

fn column_row(snap: &Snapshot, schema: &str, table: &str, i: usize, col: &ColumnDef) -> Row {
    let ty = col.type_oid;
    let typmod = col.typmod;
    let max_len = match ty {
        oid::VARCHAR | oid::BPCHAR => char_length(typmod).map(|n| n as i32),
        _ => None,
    };
    let octet_len = match ty {
        oid::VARCHAR | oid::BPCHAR | oid::TEXT => {
            Some(max_len.map_or(1_073_741_824, |n| n.saturating_mul(4)))
        }
        _ => None,
    };
    let (precision, radix, scale) = match ty {
        oid::INT2 => (Some(16), Some(2), Some(0)),
        oid::INT4 => (Some(32), Some(2), Some(0)),
        oid::INT8 => (Some(64), Some(2), Some(0)),
        oid::FLOAT4 => (Some(24), Some(2), None),
        oid::FLOAT8 => (Some(53), Some(2), None),
        oid::NUMERIC => match numeric_precision_scale(typmod) {
            Some((p, s)) => (Some(p), Some(10), Some(s)),
            None => (None, Some(10), None),
        },
        _ => (None, None, None),
    };
    let datetime = match ty {
        oid::DATE => Some(0),
        oid::TIME | oid::TIMETZ | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::INTERVAL => {
            Some(if typmod >= 0 && ty != oid::INTERVAL {
                typmod
            } else {
                6
            })
        }
        _ => None,
    };
    let opt = |v: Option<i32>| v.map_or(N, i4);
    let udt = Type::by_oid(ty).map_or_else(|| ty.to_string(), |t| t.name.to_owned());
    let default = if has_default(col) {
        col.default.clone().map_or(N, t)
    } else {
        N
    };
    vec![
        t(&snap.database),
        t(schema),
        t(table),
        t(&col.name),
        i4(i as i32 + 1),
        default,
        yes(col.nullable),
        t(data_type(ty)),
        opt(max_len),
        opt(octet_len),
        opt(precision),
        opt(radix),
        opt(scale),
        opt(datetime),
        N,
        N,
        N,
        N,
        N,
        N,
        N,
        N,
        N,
        N,
        N,
        t(&snap.database),
        t("pg_catalog"),
        t(udt),
        N,
        N,
        N,
        N,
        t((i + 1).to_string()),
        yes(false),
        yes(col.identity),
        if col.identity {
            t(if col.identity_always {
                "ALWAYS"
            } else {
                "BY DEFAULT"
            })
        } else {
            N
        },
        N,
        N,
        N,
        N,
        if col.identity { yes(false) } else { N },
        t("NEVER"),
        N,
        yes(true),
    ]
}
