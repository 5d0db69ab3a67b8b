//! The SQL layer's view of the catalog: relation names qualified by
//! schema, relation OIDs, and MVCC errors in SQL terms.
//!
//! Relations live in the MVCC catalog (`mvcc::TableDef`), versioned like
//! rows, so DDL commits and rolls back with its transaction. Their catalog
//! key is the schema-qualified name, written bare for `public` (the common
//! case, and the form PostgreSQL prints in messages).

use std::sync::Arc;

use twill_types::Oid;

use crate::mvcc::{self, TableDef, TableId, Transaction};
use crate::sql::error::SqlError;

/// The first OID given to user relations, as in PostgreSQL.
pub(crate) const FIRST_USER_OID: Oid = 16384;

/// The catalog key of `schema.name`.
pub(crate) fn qualified(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_owned()
    } else {
        format!("{schema}.{name}")
    }
}

/// The (schema, name) of a catalog key.
pub(crate) fn split_key(key: &str) -> (&str, &str) {
    key.split_once('.').unwrap_or(("public", key))
}

/// A relation's OID (`pg_class.oid`), derived from its table id.
pub(crate) fn table_oid(id: TableId) -> Oid {
    FIRST_USER_OID + id.0 as Oid * 2
}

/// The catalog keys a relation name may mean, in search order: a
/// qualified name means one, an unqualified one each schema of the path.
pub(crate) fn candidate_keys(parts: &[String], search_path: &[String]) -> Vec<String> {
    match parts {
        [name] => search_path.iter().map(|s| qualified(s, name)).collect(),
        [.., schema, name] => vec![qualified(schema, name)],
        [] => Vec::new(),
    }
}

/// The first relation a name resolves to along the search path: its
/// catalog key and definition.
pub(crate) fn resolve(
    txn: &mut Transaction,
    parts: &[String],
    search_path: &[String],
) -> Result<Option<(String, Arc<TableDef>)>, SqlError> {
    for key in candidate_keys(parts, search_path) {
        if let Some(def) = lookup(txn, &key)? {
            return Ok(Some((key, def)));
        }
    }
    Ok(None)
}

/// 42P01 for a relation name that resolves to nothing.
pub(crate) fn undefined_relation(parts: &[String]) -> SqlError {
    SqlError::new(
        twill_types::SqlState::UNDEFINED_TABLE,
        format!("relation \"{}\" does not exist", parts.join(".")),
    )
}

/// The relation at catalog key `key`, or `None`.
pub(crate) fn lookup(txn: &mut Transaction, key: &str) -> Result<Option<Arc<TableDef>>, SqlError> {
    txn.find_table(key).map_err(SqlError::from)
}

impl From<mvcc::Error> for SqlError {
    fn from(e: mvcc::Error) -> SqlError {
        let code = e.sqlstate();
        let message = match &e {
            mvcc::Error::UniqueViolation { constraint } => {
                format!("duplicate key value violates unique constraint \"{constraint}\"")
            }
            mvcc::Error::DuplicateTable { name } => {
                format!("relation \"{}\" already exists", split_key(name).1)
            }
            mvcc::Error::UndefinedTable { name } => {
                format!("relation \"{}\" does not exist", split_key(name).1)
            }
            other => other.to_string(),
        };
        SqlError::new(code, message)
    }
}
