//! What the storage layer knows about a table: its key and its indexes.
//!
//! A [`TableDef`] is a catalog row. The catalog is versioned like any table
//! (see `catalog.rs`), so a definition is immutable once written: DDL writes a
//! new version, it never edits one in place, and a rolled-back CREATE TABLE
//! leaves nothing behind. Column names and types are carried for the SQL
//! layer; storage only reads the key and index column positions.

use std::fmt;
use std::sync::Arc;

use twill_types::{Oid, Value};

use super::key::Key;

/// A row: one value per column, shared between versions and readers.
pub type Row = Arc<[Value]>;

/// A table's identity. Names can be reused after DROP TABLE; ids are not.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TableId(pub u64);

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One column.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    /// The column name.
    pub name: String,
    /// The column's type OID (`twill_types::oid`).
    pub type_oid: Oid,
    /// The type modifier (`varchar(20)` → 24), or -1.
    pub typmod: i32,
    /// False if the column is NOT NULL (checked by the SQL layer).
    pub nullable: bool,
    /// The DEFAULT expression as SQL text (re-parsed by the SQL layer,
    /// as PostgreSQL keeps `pg_attrdef`), or `None`.
    pub default: Option<String>,
    /// True for `GENERATED … AS IDENTITY` columns (their default is a
    /// `nextval` on the owned sequence).
    pub identity: bool,
    /// `GENERATED ALWAYS AS IDENTITY`: an explicit value is refused.
    pub identity_always: bool,
}

impl ColumnDef {
    /// A nullable column of a type, with no modifier and no default.
    pub fn new(name: impl Into<String>, type_oid: Oid) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            type_oid,
            typmod: -1,
            nullable: true,
            default: None,
            identity: false,
            identity_always: false,
        }
    }
}

/// A CHECK constraint, checked by the SQL layer on every write.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckDef {
    /// The constraint name (`<table>_<column>_check` by default).
    pub name: String,
    /// The condition as SQL text.
    pub expr: String,
}

/// What a foreign key does when the referenced row goes away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferentialAction {
    /// NO ACTION (the default) and RESTRICT: refuse with 23503.
    Restrict,
    /// Delete (or update) the referencing rows too.
    Cascade,
    /// Set the referencing columns to NULL.
    SetNull,
    /// Set the referencing columns to their defaults.
    SetDefault,
}

/// A FOREIGN KEY constraint, enforced by the SQL layer.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeyDef {
    /// The constraint name (`<table>_<column>_fkey` by default).
    pub name: String,
    /// Referencing column positions in this table.
    pub columns: Vec<usize>,
    /// The referenced table's name.
    pub ref_table: String,
    /// Referenced column positions in that table (its key or a unique index).
    pub ref_columns: Vec<usize>,
    /// ON DELETE.
    pub on_delete: ReferentialAction,
    /// ON UPDATE.
    pub on_update: ReferentialAction,
}

/// What kind of relation a catalog entry is (`pg_class.relkind`).
#[derive(Clone, Debug, PartialEq)]
pub enum RelationKind {
    /// An ordinary table (`r`).
    Table,
    /// A view (`v`): its defining query as SQL text. No rows are stored.
    View {
        /// The SELECT.
        query: String,
    },
    /// A sequence (`S`). Its current value lives outside MVCC, as in
    /// PostgreSQL: nextval never rolls back.
    Sequence(SequenceDef),
    /// A schema (a namespace, not a relation; kept in the same versioned
    /// catalog so CREATE SCHEMA is transactional).
    Schema,
}

/// A sequence's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDef {
    /// START WITH.
    pub start: i64,
    /// INCREMENT BY.
    pub increment: i64,
    /// MINVALUE.
    pub min: i64,
    /// MAXVALUE.
    pub max: i64,
    /// CYCLE.
    pub cycle: bool,
    /// The column that owns it (`OWNED BY t.c`, serial and identity), as
    /// (table name, column name).
    pub owned_by: Option<(String, String)>,
}

/// A secondary index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexDef {
    /// The index name, also the constraint name in 23505 messages.
    pub name: String,
    /// Positions of the indexed columns in the row, in key order.
    pub columns: Vec<usize>,
    /// True for a unique index (NULLs never conflict).
    pub unique: bool,
}

/// A table definition: a catalog row.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    /// Assigned by `create_table`; whatever the caller puts here is replaced.
    pub id: TableId,
    /// The table name, unique among live tables.
    pub name: String,
    /// The columns, in row order.
    pub columns: Vec<ColumnDef>,
    /// Positions of the primary key columns, or `None` for a hidden row id.
    pub primary_key: Option<Vec<usize>>,
    /// Secondary indexes, maintained on every write.
    pub indexes: Vec<IndexDef>,
    /// Table, view or sequence.
    pub kind: RelationKind,
    /// CHECK constraints (SQL layer).
    pub checks: Vec<CheckDef>,
    /// FOREIGN KEY constraints (SQL layer).
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// For a view: the catalog keys of the relations its query reads, so
    /// dropping one of them can refuse (2BP01) or cascade.
    pub depends_on: Vec<String>,
}

impl TableDef {
    /// A table definition with no columns, key or indexes yet; a builder
    /// start for tests and the SQL layer.
    pub fn new(name: impl Into<String>) -> TableDef {
        TableDef {
            id: TableId(0),
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            kind: RelationKind::Table,
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            depends_on: Vec::new(),
        }
    }

    /// The name PostgreSQL gives the primary key constraint: `<table>_pkey`.
    pub fn primary_key_name(&self) -> String {
        format!("{}_pkey", self.name)
    }

    /// The primary key of `row`, or `None` for hidden-row-id tables.
    pub(crate) fn key_of(&self, row: &[Value]) -> Option<Key> {
        self.primary_key.as_ref().map(|cols| project(row, cols))
    }

    /// The key of index `index` for `row`, with whether it contains a NULL.
    pub(crate) fn index_key(&self, index: usize, row: &[Value]) -> (Key, bool) {
        let cols = &self.indexes[index].columns;
        let nulls = cols
            .iter()
            .any(|&c| matches!(row.get(c), None | Some(Value::Null)));
        (project(row, cols), nulls)
    }

    /// Checks that every key and index column exists in rows of `width`.
    pub(crate) fn validate_row(&self, row: &[Value]) -> bool {
        let fits = |cols: &Vec<usize>| cols.iter().all(|&c| c < row.len());
        self.primary_key.as_ref().is_none_or(fits) && self.indexes.iter().all(|i| fits(&i.columns))
    }
}

/// A NULL to stand in for a column the row is too short to have.
static NULL: Value = Value::Null;

fn project(row: &[Value], cols: &[usize]) -> Key {
    Key::encode_refs(cols.iter().map(|&c| row.get(c).unwrap_or(&NULL)))
}
