//! Transactional DDL: the catalog is a versioned map from table name to
//! definition.
//!
//! CREATE TABLE pushes a pending version holding the new definition (with a
//! fresh [`TableId`]) and creates the table's empty data; DROP TABLE pushes a
//! tombstone. Both are undone like row writes, so a rolled-back CREATE TABLE
//! leaves neither a name nor data behind, and a rolled-back DROP TABLE
//! leaves the table as it was. Data of a dropped table stays until vacuum
//! finds no snapshot that can see its definition.
//!
//! Name lookups use the newest committed definition (plus the transaction's
//! own pending one), as PostgreSQL's catalog snapshots do: a table created
//! by a transaction that committed after a REPEATABLE READ snapshot is
//! visible by name, and empty to that snapshot. A second transaction
//! creating or dropping a name whose creation or drop is in flight waits for
//! the first, then gets 42P07/42P01 or goes on.
//!
//! CREATE INDEX adds an index to the definition (a new version with the same
//! id) and builds it from the row versions; rolling back removes it.
//!
//! DROP TABLE takes the table's exclusive lock (`table_lock.rs`): it waits
//! for the table's users and makes later ones wait.
//!
//! Not yet: ALTER TABLE other than adding an index, and DROP INDEX.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use super::error::{Error, Result};
use super::schema::{IndexDef, TableDef, TableId};
use super::store::TableData;
use super::transaction::{Transaction, Undo};
use super::version::{Stamp, Version};

impl Transaction {
    /// CREATE TABLE. Returns the new table's id. 42P07 if the name is taken.
    pub fn create_table(&mut self, mut def: TableDef) -> Result<TableId> {
        self.run_statement(|inner, shared, store| {
            let mut started = None;
            loop {
                let chain = store.catalog.entry(def.name.clone()).or_default();
                match chain.pending_writer() {
                    Some(writer) if writer != inner.id => {
                        let started = *started.get_or_insert_with(Instant::now);
                        shared.block(store, inner.id, vec![writer], started, &inner.limits)?;
                        continue;
                    }
                    _ => {
                        if chain.newest().is_some_and(|v| v.value.is_some()) {
                            return Err(Error::DuplicateTable {
                                name: def.name.clone(),
                            });
                        }
                        break;
                    }
                }
            }
            let id = TableId(store.next_table_id);
            store.next_table_id += 1;
            def.id = id;
            let def = Arc::new(def);
            store.tables.insert(id, TableData::new(def.clone()));
            inner.undo.push(Undo::TableCreated { table: id });
            let stamp = Stamp::Pending {
                txn: inner.id,
                cid: inner.cid,
            };
            let name = def.name.clone();
            store
                .catalog
                .entry(name.clone())
                .or_default()
                .versions
                .push(Version {
                    stamp,
                    value: Some(def),
                });
            inner.undo.push(Undo::CatalogVersion { name });
            Ok(id)
        })
    }

    /// DROP TABLE. 42P01 if there is no such table.
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        self.run_statement(|inner, shared, store| {
            let mut started = None;
            loop {
                let undefined = || Error::UndefinedTable {
                    name: name.to_owned(),
                };
                let chain = store.catalog.get(name).ok_or_else(undefined)?;
                match chain.pending_writer() {
                    Some(writer) if writer != inner.id => {
                        let started = *started.get_or_insert_with(Instant::now);
                        shared.block(store, inner.id, vec![writer], started, &inner.limits)?;
                    }
                    _ if chain.newest().is_none_or(|v| v.value.is_none()) => {
                        return Err(undefined());
                    }
                    _ => break,
                }
            }
            // The newest definition is live: take its table's exclusive lock.
            let id = store
                .catalog
                .get(name)
                .and_then(|c| c.newest())
                .and_then(|v| v.value.as_ref())
                .map(|d| d.id);
            if let Some(id) = id {
                inner.lock_table_exclusive(shared, store, id)?;
                // Waiting let others run: is it still the table to drop?
                let still = store
                    .catalog
                    .get(name)
                    .and_then(|c| c.newest())
                    .and_then(|v| v.value.as_ref())
                    .is_some_and(|d| d.id == id);
                if !still {
                    return Err(Error::UndefinedTable {
                        name: name.to_owned(),
                    });
                }
            }
            let stamp = Stamp::Pending {
                txn: inner.id,
                cid: inner.cid,
            };
            if let Some(chain) = store.catalog.get_mut(name) {
                chain.versions.push(Version { stamp, value: None });
            }
            inner.undo.push(Undo::CatalogVersion {
                name: name.to_owned(),
            });
            Ok(())
        })
    }

    /// CREATE INDEX on an existing table: adds `index` to the table's
    /// definition (a new catalog version, so it rolls back) and builds it
    /// from every row version. Waits for transactions with uncommitted
    /// writes to the table, like PostgreSQL's SHARE lock; a unique index
    /// over duplicate live values fails with 23505. Until the creator
    /// commits, other writers already maintain (and for a unique index,
    /// respect) the new index. Returns the index's position.
    pub fn create_index(&mut self, table: &str, index: IndexDef) -> Result<usize> {
        self.run_statement(|inner, shared, store| {
            let mut started = None;
            let undefined = || Error::UndefinedTable {
                name: table.to_owned(),
            };
            let def = loop {
                let chain = store.catalog.get(table).ok_or_else(undefined)?;
                let def = match chain.pending_writer() {
                    Some(writer) if writer != inner.id => Err(writer),
                    _ => Ok(chain
                        .newest()
                        .and_then(|v| v.value.clone())
                        .ok_or_else(undefined)?),
                };
                // Also wait for writers of the table's rows.
                let blocker = match def {
                    Err(writer) => Some(writer),
                    Ok(ref def) => store.tables.get(&def.id).and_then(|data| {
                        data.rows
                            .values()
                            .find_map(|e| e.chain.pending_writer().filter(|w| *w != inner.id))
                    }),
                };
                match (blocker, def) {
                    (None, Ok(def)) => break def,
                    (Some(writer), _) | (None, Err(writer)) => {
                        let at = *started.get_or_insert_with(Instant::now);
                        shared.block(store, inner.id, vec![writer], at, &inner.limits)?;
                    }
                }
            };
            if def.indexes.iter().any(|i| i.name == index.name) {
                return Err(Error::DuplicateTable { name: index.name });
            }
            let data = store.tables.get_mut(&def.id).ok_or_else(undefined)?;
            let mut new_def = (*def).clone();
            new_def.indexes.push(index);
            let position = new_def.indexes.len() - 1;
            let mut entries = BTreeSet::new();
            let mut live = BTreeMap::new();
            for (key, entry) in &data.rows {
                for row in entry.chain.versions.iter().filter_map(|v| v.value.as_ref()) {
                    entries.insert((new_def.index_key(position, row).0, key.clone()));
                }
                if let Some(row) = entry.chain.newest().and_then(|v| v.value.as_ref()) {
                    let (ik, nulls) = new_def.index_key(position, row);
                    if new_def.indexes[position].unique && !nulls && live.insert(ik, ()).is_some() {
                        return Err(Error::UniqueViolation {
                            constraint: new_def.indexes[position].name.clone(),
                        });
                    }
                }
            }
            let new_def = Arc::new(new_def);
            data.indexes.push(entries);
            let previous = std::mem::replace(&mut data.def, new_def.clone());
            inner.undo.push(Undo::IndexCreated {
                table: def.id,
                previous,
            });
            let stamp = Stamp::Pending {
                txn: inner.id,
                cid: inner.cid,
            };
            if let Some(chain) = store.catalog.get_mut(table) {
                chain.versions.push(Version {
                    stamp,
                    value: Some(new_def),
                });
            }
            inner.undo.push(Undo::CatalogVersion {
                name: table.to_owned(),
            });
            Ok(position)
        })
    }

    /// The definition of table `name` (42P01 if there is none).
    pub fn table(&mut self, name: &str) -> Result<Arc<TableDef>> {
        self.find_table(name)?.ok_or_else(|| Error::UndefinedTable {
            name: name.to_owned(),
        })
    }

    /// The definition of table `name`, or `None` — a miss is an answer,
    /// not an error, so it does not fail the transaction (name lookups
    /// along a search path miss routinely).
    pub fn find_table(&mut self, name: &str) -> Result<Option<Arc<TableDef>>> {
        self.run_statement(|inner, _, store| {
            let chain = store.catalog.get(name);
            let own_or_committed = chain.and_then(|c| match c.pending_writer() {
                Some(writer) if writer == inner.id => c.newest(),
                _ => c.newest_committed().map(|(_, v)| v),
            });
            Ok(own_or_committed.and_then(|v| v.value.clone()))
        })
    }

    /// The names of the tables [`Transaction::table`] would find, in order.
    pub fn table_names(&mut self) -> Result<Vec<String>> {
        self.run_statement(|inner, _, store| {
            Ok(store
                .catalog
                .iter()
                .filter(|(_, c)| {
                    let v = match c.pending_writer() {
                        Some(writer) if writer == inner.id => c.newest(),
                        _ => c.newest_committed().map(|(_, v)| v),
                    };
                    v.is_some_and(|v| v.value.is_some())
                })
                .map(|(name, _)| name.clone())
                .collect())
        })
    }
}
