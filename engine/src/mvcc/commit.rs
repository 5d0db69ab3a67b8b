//! What a commit leaves behind for others: the commit record for the hook
//! (the future WAL) and the write footprint for SERIALIZABLE validation.
//! Both are built from the undo log, which lists every key the transaction
//! wrote, and from the chains, whose newest version is the final image.

use std::collections::HashSet;

use super::engine::{Change, CommitRecord};
use super::key::Key;
use super::schema::TableId;
use super::serializable::Space;
use super::store::Store;
use super::transaction::{TxnInner, Undo};
use super::version::Csn;

impl TxnInner {
    /// The logical redo record: each changed key once, in first-write order,
    /// with its final image.
    pub(crate) fn commit_record(&self, store: &Store, csn: Csn) -> CommitRecord {
        let mut changes = Vec::new();
        let mut seen_rows: HashSet<(TableId, &Key)> = HashSet::new();
        let mut seen_names: HashSet<&str> = HashSet::new();
        for entry in &self.undo {
            match entry {
                Undo::RowVersion { table, key } => {
                    if !seen_rows.insert((*table, key)) {
                        continue;
                    }
                    let Some(row) = store.tables.get(table).and_then(|d| d.rows.get(key)) else {
                        continue;
                    };
                    match row.chain.newest().and_then(|v| v.value.clone()) {
                        Some(row) => changes.push(Change::Put {
                            table: *table,
                            key: key.clone(),
                            row,
                        }),
                        None => changes.push(Change::Delete {
                            table: *table,
                            key: key.clone(),
                        }),
                    }
                }
                Undo::CatalogVersion { name } => {
                    if !seen_names.insert(name) {
                        continue;
                    }
                    let Some(chain) = store.catalog.get(name) else {
                        continue;
                    };
                    let before = chain.newest_committed().and_then(|(_, v)| v.value.clone());
                    let after = chain.newest().and_then(|v| v.value.clone());
                    match (before, after) {
                        (Some(old), Some(new)) if old.id != new.id => {
                            changes.push(Change::DropTable {
                                id: old.id,
                                name: name.clone(),
                            });
                            changes.push(Change::CreateTable(new));
                        }
                        (Some(_), Some(new)) => changes.push(Change::AlterTable(new)),
                        (None, Some(new)) => changes.push(Change::CreateTable(new)),
                        (Some(old), None) => changes.push(Change::DropTable {
                            id: old.id,
                            name: name.clone(),
                        }),
                        _ => {}
                    }
                }
                Undo::RowLock { .. }
                | Undo::TableLock { .. }
                | Undo::TableCreated { .. }
                | Undo::IndexCreated { .. } => {}
            }
        }
        CommitRecord {
            txn: self.id,
            csn,
            changes,
        }
    }

    /// The keys this commit writes: primary keys, and the index keys of the
    /// versions it replaces and creates.
    pub(crate) fn footprint(&self, store: &Store) -> Vec<(TableId, Space, Key)> {
        let mut keys = Vec::new();
        let mut seen: HashSet<(TableId, &Key)> = HashSet::new();
        for entry in &self.undo {
            let Undo::RowVersion { table, key } = entry else {
                continue;
            };
            if !seen.insert((*table, key)) {
                continue;
            }
            keys.push((*table, 0, key.clone()));
            let Some(data) = store.tables.get(table) else {
                continue;
            };
            let Some(row) = data.rows.get(key) else {
                continue;
            };
            let old = row
                .chain
                .newest_committed()
                .and_then(|(_, v)| v.value.as_ref());
            let new = row.chain.newest().and_then(|v| v.value.as_ref());
            for i in 0..data.def.indexes.len() {
                for image in [old, new].into_iter().flatten() {
                    keys.push((*table, i as Space + 1, data.def.index_key(i, image).0));
                }
            }
        }
        keys
    }
}
