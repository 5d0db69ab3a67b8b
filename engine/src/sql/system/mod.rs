//! System catalogs: `pg_catalog` and `information_schema` as virtual tables.
//!
//! Clients learn about a database by querying its catalogs — psql's `\d`,
//! a driver's type introspection, an ORM's reflection. Here those answers
//! come from the same planner and executor as any user query: a system
//! table is a name, a fixed column list (PostgreSQL 15's names and types),
//! and a function that produces its rows from the transaction's view of
//! the catalog and from the type and function registries. Nothing here
//! looks at query text; joins, filters, `ORDER BY` and subqueries over the
//! catalogs are ordinary plan nodes above a [`Plan::System`] leaf.
//!
//! ```text
//!   SELECT … FROM pg_catalog.pg_class c JOIN pg_namespace n ON …
//!                      │                        │
//!   plan/from.rs   SystemTable::resolve   SystemTable::resolve
//!                      │                        │
//!   Plan::System { PgClass }  ⋈  Plan::System { PgNamespace }
//!                      │
//!   exec: SystemNode ── first next() ── Snapshot::take(txn) ── rows.rs
//! ```
//!
//! Rows are computed when the node first runs, from one [`Snapshot`] of
//! the MVCC catalog, so a catalog query sees the same relations as the
//! rest of its transaction (its own uncommitted DDL included).
//!
//! OIDs: see [`oids`]. What is missing: see `docs/catalogs.md`.
//!
//! ```text
//! mod.rs       SystemTable (names, resolution), SystemNode, Snapshot
//! columns.rs   every table's column list
//! oids.rs      the OID scheme for relations, indexes, constraints, procs
//! rows.rs      pg_catalog rows
//! info.rs      information_schema rows
//! defs.rs      pg_get_indexdef / pg_get_constraintdef text, and the
//!              catalog functions that need the transaction
//! ```

mod columns;
pub(crate) mod defs;
mod info;
pub(crate) mod oids;
mod rows;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use twill_types::{Oid, Value};

use crate::mvcc::{RelationKind, TableDef, TableId, Transaction};
use crate::sql::error::SqlError;
use crate::sql::exec::{Cx, Node, Row};
use crate::sql::expr::Expr;
use crate::sql::plan::OutputColumn;

pub(crate) use defs::call;

/// The schema a system table lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SystemSchema {
    PgCatalog,
    InformationSchema,
}

macro_rules! system_tables {
    ($($variant:ident => ($schema:ident, $name:literal, $oid:expr)),* $(,)?) => {
        /// A virtual system table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum SystemTable {
            $($variant,)*
        }

        impl SystemTable {
            /// Every system table.
            pub(crate) const ALL: &'static [SystemTable] = &[$(SystemTable::$variant,)*];

            /// Its name, unqualified.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(SystemTable::$variant => $name,)*
                }
            }

            /// Its schema.
            pub(crate) fn schema(self) -> SystemSchema {
                match self {
                    $(SystemTable::$variant => SystemSchema::$schema,)*
                }
            }

            /// Its `pg_class.oid` (PostgreSQL 15's for catalog tables).
            pub(crate) fn oid(self) -> Oid {
                match self {
                    $(SystemTable::$variant => $oid,)*
                }
            }
        }
    };
}

system_tables! {
    PgNamespace => (PgCatalog, "pg_namespace", 2615),
    PgClass => (PgCatalog, "pg_class", 1259),
    PgAttribute => (PgCatalog, "pg_attribute", 1249),
    PgAttrdef => (PgCatalog, "pg_attrdef", 2604),
    PgIndex => (PgCatalog, "pg_index", 2610),
    PgConstraint => (PgCatalog, "pg_constraint", 2606),
    PgType => (PgCatalog, "pg_type", 1247),
    PgDatabase => (PgCatalog, "pg_database", 1262),
    PgRoles => (PgCatalog, "pg_roles", 12001),
    PgUser => (PgCatalog, "pg_user", 12002),
    PgAuthMembers => (PgCatalog, "pg_auth_members", 1261),
    PgAm => (PgCatalog, "pg_am", 2601),
    PgLanguage => (PgCatalog, "pg_language", 2612),
    PgProc => (PgCatalog, "pg_proc", 1255),
    PgOperator => (PgCatalog, "pg_operator", 2617),
    PgSettings => (PgCatalog, "pg_settings", 12003),
    PgDescription => (PgCatalog, "pg_description", 2609),
    PgInherits => (PgCatalog, "pg_inherits", 2611),
    PgPartitionedTable => (PgCatalog, "pg_partitioned_table", 3350),
    PgCollation => (PgCatalog, "pg_collation", 3456),
    PgTablespace => (PgCatalog, "pg_tablespace", 1213),
    PgTrigger => (PgCatalog, "pg_trigger", 2620),
    PgEnum => (PgCatalog, "pg_enum", 3501),
    PgRange => (PgCatalog, "pg_range", 3541),
    PgPolicy => (PgCatalog, "pg_policy", 3256),
    PgStatisticExt => (PgCatalog, "pg_statistic_ext", 3381),
    PgOpclass => (PgCatalog, "pg_opclass", 2616),
    PgSequence => (PgCatalog, "pg_sequence", 2224),
    PgPublication => (PgCatalog, "pg_publication", 6104),
    PgPublicationNamespace => (PgCatalog, "pg_publication_namespace", 6237),
    PgPublicationRel => (PgCatalog, "pg_publication_rel", 6106),
    PgTables => (PgCatalog, "pg_tables", 12004),
    PgIndexes => (PgCatalog, "pg_indexes", 12005),
    PgViews => (PgCatalog, "pg_views", 12006),
    PgSequences => (PgCatalog, "pg_sequences", 12007),
    Schemata => (InformationSchema, "schemata", 13001),
    Tables => (InformationSchema, "tables", 13002),
    Columns => (InformationSchema, "columns", 13003),
    Views => (InformationSchema, "views", 13004),
    TableConstraints => (InformationSchema, "table_constraints", 13005),
    KeyColumnUsage => (InformationSchema, "key_column_usage", 13006),
}

impl SystemTable {
    /// Whether it is a view in PostgreSQL (`relkind 'v'`).
    pub(crate) fn is_view(self) -> bool {
        self.schema() == SystemSchema::InformationSchema
            || matches!(
                self,
                SystemTable::PgRoles
                    | SystemTable::PgUser
                    | SystemTable::PgSettings
                    | SystemTable::PgTables
                    | SystemTable::PgIndexes
                    | SystemTable::PgViews
                    | SystemTable::PgSequences
            )
    }

    /// The table `schema.name` names.
    pub(crate) fn by_name(schema: SystemSchema, name: &str) -> Option<SystemTable> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.schema() == schema && t.name() == name)
    }

    /// The system table a FROM name means, if any: `pg_catalog.x`,
    /// `information_schema.x` (optionally behind a database name), or an
    /// unqualified `pg_x` when no user relation of that name is visible
    /// (`user_exists` says).
    pub(crate) fn resolve(
        parts: &[String],
        user_exists: impl FnOnce(&[String]) -> Result<bool, SqlError>,
    ) -> Result<Option<SystemTable>, SqlError> {
        let schema_of = |s: &str| match s {
            "pg_catalog" => Some(SystemSchema::PgCatalog),
            "information_schema" => Some(SystemSchema::InformationSchema),
            _ => None,
        };
        Ok(match parts {
            [schema, name] | [_, schema, name] => {
                schema_of(schema).and_then(|s| Self::by_name(s, name))
            }
            [name] if name.starts_with("pg_") => {
                match Self::by_name(SystemSchema::PgCatalog, name) {
                    Some(t) if !user_exists(parts)? => Some(t),
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// The output columns, as a FROM item shows them.
    pub(crate) fn output_columns(self) -> Vec<OutputColumn> {
        columns::of(self)
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| OutputColumn {
                name: (*name).to_owned(),
                ty: *ty,
                typmod: -1,
                table_oid: self.oid(),
                attnum: i as i16 + 1,
            })
            .collect()
    }

    /// For the catalogs whose rows are computed relation by relation, the
    /// position of the column naming that relation (`pg_class.oid`,
    /// `pg_attribute.attrelid`, …): an equality on it narrows the scan to
    /// one relation ([`Snapshot::narrow_to`]).
    pub(crate) fn relation_column(self) -> Option<usize> {
        let name = match self {
            SystemTable::PgClass => "oid",
            SystemTable::PgAttribute => "attrelid",
            SystemTable::PgAttrdef => "adrelid",
            SystemTable::PgIndex => "indrelid",
            SystemTable::PgConstraint => "conrelid",
            _ => return None,
        };
        columns::of(self).iter().position(|(n, _)| *n == name)
    }

    /// Its rows, from a snapshot of the catalog.
    pub(crate) fn rows(self, snap: &Snapshot) -> Vec<Row> {
        if self.schema() == SystemSchema::InformationSchema {
            info::rows(self, snap)
        } else {
            rows::rows(self, snap)
        }
    }
}

/// One user relation (table, view, sequence) in a snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    /// The schema it lives in.
    pub schema: String,
    /// Its unqualified name.
    pub name: String,
    /// Its definition.
    pub def: Arc<TableDef>,
}

/// What the catalogs are computed from: the transaction's relations and
/// the session facts catalogs print (user, database, search path).
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// Tables, views and sequences, by catalog key order.
    pub relations: Vec<Relation>,
    /// Schemas created with CREATE SCHEMA, with their OIDs.
    pub schemas: Vec<(String, Oid)>,
    /// The session user (`session_authorization`).
    pub user: String,
    /// The database name.
    pub database: String,
    /// The search path, `$user` dropped.
    pub search_path: Vec<String>,
    /// Settings for `pg_settings`: (name, value).
    pub settings: Vec<(String, String)>,
    /// When set, the per-relation catalogs list only this relation (and
    /// no system table): a point lookup such as psql's `WHERE c.oid =
    /// '16390'` then costs one relation, not the whole catalog. Every
    /// relation stays in `relations` for lookups (foreign keys' targets).
    pub only: Option<TableId>,
}

/// Session facts a snapshot needs, read through the session hooks.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionFacts {
    pub user: String,
    pub database: String,
    pub search_path: Vec<String>,
    pub settings: Vec<(String, String)>,
}

/// Settings `pg_settings` lists when the session has them.
const LISTED_SETTINGS: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_isolation",
    "default_transaction_read_only",
    "extra_float_digits",
    "idle_in_transaction_session_timeout",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "lock_timeout",
    "max_identifier_length",
    "search_path",
    "server_encoding",
    "server_version",
    "server_version_num",
    "session_authorization",
    "standard_conforming_strings",
    "statement_timeout",
    "TimeZone",
    "transaction_isolation",
    "bytea_output",
];

impl SessionFacts {
    /// Reads the facts through a `current_setting`-style lookup.
    /// `settings` says whether to read the `pg_settings` list too.
    pub(crate) fn read(
        settings: bool,
        mut get: impl FnMut(&str) -> Result<Option<String>, SqlError>,
    ) -> Result<SessionFacts, SqlError> {
        let user = get("session_authorization")?.unwrap_or_else(|| "postgres".into());
        let database = get("database")?
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "postgres".into());
        let search_path = parse_search_path(&get("search_path")?.unwrap_or_default(), &user);
        let mut listed = Vec::new();
        for name in LISTED_SETTINGS.iter().filter(|_| settings) {
            if let Some(v) = get(name)? {
                listed.push(((*name).to_owned(), v));
            }
        }
        Ok(SessionFacts {
            user,
            database,
            search_path,
            settings: listed,
        })
    }

    /// Reads the facts through the executor's session hooks.
    pub(crate) fn from_exec(cx: &Cx<'_, '_>, settings: bool) -> Result<SessionFacts, SqlError> {
        let planner = cx.eval.planner()?;
        SessionFacts::read(settings, |name| {
            match planner.session_call(
                "current_setting",
                &[Value::Text(name.to_owned()), Value::Bool(true)],
            )? {
                Value::Text(t) => Ok(Some(t)),
                _ => Ok(None),
            }
        })
    }
}

/// A `search_path` value as a list of schema names: quotes removed,
/// `$user` replaced by the user (kept only if such a schema could exist;
/// callers check).
pub(crate) fn parse_search_path(value: &str, user: &str) -> Vec<String> {
    let path: Vec<String> = value
        .split(',')
        .map(|p| p.trim().trim_matches('"').to_owned())
        .filter(|p| !p.is_empty())
        .map(|p| if p == "$user" { user.to_owned() } else { p })
        .collect();
    if path.is_empty() {
        vec!["public".into()]
    } else {
        path
    }
}

impl Snapshot {
    /// Reads every relation visible to `txn`.
    pub(crate) fn take(txn: &mut Transaction, facts: SessionFacts) -> Result<Snapshot, SqlError> {
        let mut relations = Vec::new();
        let mut schemas = Vec::new();
        for key in txn.table_names()? {
            let Some(def) = crate::sql::catalog::lookup(txn, &key)? else {
                continue;
            };
            if def.kind == RelationKind::Schema {
                let name = key.trim_end_matches('.').to_owned();
                schemas.push((name, crate::sql::catalog::table_oid(def.id)));
                continue;
            }
            let (schema, name) = crate::sql::catalog::split_key(&key);
            relations.push(Relation {
                schema: schema.to_owned(),
                name: name.to_owned(),
                def,
            });
        }
        // Schemas named only by table keys (created before CREATE SCHEMA
        // was versioned, or implicitly) still get a namespace row.
        for r in &relations {
            if r.schema != "public" && !schemas.iter().any(|(s, _)| *s == r.schema) {
                let oid = oids::implicit_namespace(&r.schema);
                schemas.push((r.schema.clone(), oid));
            }
        }
        Ok(Snapshot {
            relations,
            schemas,
            user: facts.user,
            database: facts.database,
            search_path: facts.search_path,
            settings: facts.settings,
            only: None,
        })
    }

    /// The OID of schema `name`, if it exists.
    pub(crate) fn namespace_oid(&self, name: &str) -> Option<Oid> {
        match name {
            "pg_catalog" => Some(oids::PG_CATALOG_NAMESPACE),
            "public" => Some(oids::PUBLIC_NAMESPACE),
            "information_schema" => Some(oids::INFORMATION_SCHEMA_NAMESPACE),
            "pg_toast" => Some(oids::PG_TOAST_NAMESPACE),
            _ => self
                .schemas
                .iter()
                .find(|(s, _)| s == name)
                .map(|(_, o)| *o),
        }
    }

    /// Narrows the per-relation catalogs to the relation `oid` names, or
    /// that owns the object `oid` names (an index, a constraint). A system
    /// table's OID or an unknown one leaves the snapshot whole.
    pub(crate) fn narrow_to(&mut self, oid: Oid) {
        let owner = match self.relation_by_oid(oid) {
            Some(r) => Some(r.def.id),
            None => oids::decode_owned(oid)
                .map(|(id, _)| id)
                .filter(|id| self.relations.iter().any(|r| r.def.id == *id)),
        };
        self.only = owner;
    }

    /// The relations the per-relation catalogs list: all, or the one
    /// [`Snapshot::narrow_to`] chose.
    pub(crate) fn listed(&self) -> impl Iterator<Item = &Relation> {
        self.relations
            .iter()
            .filter(|r| self.only.is_none_or(|id| r.def.id == id))
    }

    /// Whether the per-relation catalogs list the system tables too.
    pub(crate) fn lists_system(&self) -> bool {
        self.only.is_none()
    }

    /// The relation with table OID `oid`.
    pub(crate) fn relation_by_oid(&self, oid: Oid) -> Option<&Relation> {
        self.relations
            .iter()
            .find(|r| crate::sql::catalog::table_oid(r.def.id) == oid)
    }

    /// The relation whose catalog key is `key`.
    pub(crate) fn relation_by_key(&self, key: &str) -> Option<&Relation> {
        let (schema, name) = crate::sql::catalog::split_key(key);
        self.relations
            .iter()
            .find(|r| r.schema == schema && r.name == name)
    }

    /// Whether an unqualified reference to `name` in `schema` finds it:
    /// its schema is on the search path (or is `pg_catalog`) and no
    /// earlier schema on the path has a relation of that name.
    pub(crate) fn is_visible(&self, schema: &str, name: &str) -> bool {
        if schema == "pg_catalog" {
            return true;
        }
        for s in &self.search_path {
            if s == schema {
                return true;
            }
            if self
                .relations
                .iter()
                .any(|r| r.schema == *s && r.name == name)
            {
                return false;
            }
        }
        false
    }
}

/// The executor node of [`Plan::System`](crate::sql::plan::Plan::System).
pub(crate) struct SystemNode {
    table: SystemTable,
    /// The relation the rows are narrowed to (an OID-valued expression
    /// fixed for the execution), if the planner found one.
    relation: Option<Expr>,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl SystemNode {
    pub(crate) fn new(table: SystemTable, relation: Option<Expr>) -> SystemNode {
        SystemNode {
            table,
            relation,
            rows: None,
        }
    }
}

impl Node for SystemNode {
    fn next(&mut self, cx: &Cx<'_, '_>) -> Result<Option<Row>, SqlError> {
        if self.rows.is_none() {
            let facts = SessionFacts::from_exec(cx, self.table == SystemTable::PgSettings)?;
            let mut snap = Snapshot::take(&mut cx.exec.txn.borrow_mut(), facts)?;
            if let Some(relation) = &self.relation
                && let Value::Oid(oid) = cx.eval(relation, &[])?
            {
                snap.narrow_to(oid);
            }
            self.rows = Some(self.table.rows(&snap).into_iter());
        }
        // Set just above.
        Ok(self.rows.as_mut().and_then(|r| r.next()))
    }
}
