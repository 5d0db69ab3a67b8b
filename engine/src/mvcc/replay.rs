//! What recovery and checkpoints need from the store: applying a commit
//! record that is already committed, and reading every table at one CSN.
//!
//! **Replay.** [`Engine::apply_committed`] installs a [`CommitRecord`] as
//! if its transaction had just committed at the record's CSN, without
//! locks, validation or the commit hook: the record is already in the log.
//! Table ids come from the record (they are forced, not handed out), so a
//! later record naming table 7 finds the table the earlier record created
//! as 7, and `next_table_id` moves past every id seen. No snapshot exists
//! during recovery, so a row keeps only its newest version and a deleted
//! row disappears at once (with its index entries).
//!
//! **Checkpoint reads.** [`Engine::checkpoint_read`] registers a snapshot at
//! the last CSN (so vacuum keeps what it needs), lets the caller note its
//! log position under the same lock acquisition (every commit with a
//! smaller or equal CSN has handed its record to the hook by then), and
//! then copies each table's visible rows in batches, taking the store lock
//! once per batch rather than for the whole copy.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use super::engine::{Change, CommitRecord, Engine};
use super::key::Key;
use super::schema::{Row, TableDef};
use super::store::{RowEntry, Store, TableData};
use super::version::{Chain, Csn, Snapshot, Stamp, Version};

/// Rows copied per store-lock acquisition by a checkpoint read.
const CHECKPOINT_BATCH: usize = 4096;

/// One table in an [`EngineImage`]: its definition and its rows in key
/// order.
pub type TableImage = (Arc<TableDef>, Vec<(Key, Row)>);

/// Every live table at one CSN: what a checkpoint writes.
#[derive(Debug, Default)]
pub struct EngineImage {
    /// The CSN the image is consistent at.
    pub csn: Csn,
    /// The next table id to hand out (ids are never reused).
    pub next_table_id: u64,
    /// Each live catalog entry with its rows in key order (views, schemas
    /// and sequences have none).
    pub tables: Vec<TableImage>,
}

impl Engine {
    /// Installs `record` as committed at `record.csn` (recovery replay).
    /// Records must come in CSN order.
    pub fn apply_committed(&self, record: &CommitRecord) {
        let mut store = self.shared.store.lock();
        let csn = record.csn;
        for change in &record.changes {
            apply_change(&mut store, csn, change);
        }
        store.last_csn = store.last_csn.max(csn);
    }

    /// Makes sure table ids below `next` are never handed out again.
    pub fn reserve_table_ids(&self, next: u64) {
        let mut store = self.shared.store.lock();
        store.next_table_id = store.next_table_id.max(next);
    }

    /// The CSN of the last commit.
    pub fn last_csn(&self) -> Csn {
        self.shared.store.lock().last_csn
    }

    /// Reads every live table at the current last CSN. `at` runs under the
    /// store lock at the moment the CSN is fixed (see the module docs); its
    /// result is returned with the image.
    pub fn checkpoint_read<T>(&self, at: impl FnOnce(Csn) -> T) -> (EngineImage, T) {
        let (csn, next_table_id, defs, noted) = {
            let mut store = self.shared.store.lock();
            let csn = store.last_csn;
            store.register_snapshot(csn, false);
            let snapshot = committed_at(csn);
            let defs: Vec<Arc<TableDef>> = store
                .catalog
                .values()
                .filter_map(|c| c.visible_value(&snapshot).cloned())
                .collect();
            (csn, store.next_table_id, defs, at(csn))
        };
        let snapshot = committed_at(csn);
        let mut tables = Vec::with_capacity(defs.len());
        for def in defs {
            let mut rows = Vec::new();
            let mut from: Bound<Key> = Bound::Unbounded;
            loop {
                let store = self.shared.store.lock();
                let Some(data) = store.tables.get(&def.id) else {
                    break;
                };
                let mut n = 0;
                let mut last = None;
                for (key, entry) in data.rows.range((from.clone(), Bound::Unbounded)) {
                    if n == CHECKPOINT_BATCH {
                        break;
                    }
                    n += 1;
                    last = Some(key.clone());
                    if let Some(row) = entry.chain.visible_value(&snapshot) {
                        rows.push((key.clone(), row.clone()));
                    }
                }
                match last {
                    Some(key) if n == CHECKPOINT_BATCH => from = Bound::Excluded(key),
                    _ => break,
                }
            }
            tables.push((def, rows));
        }
        self.shared.store.lock().unregister_snapshot(csn, false);
        let image = EngineImage {
            csn,
            next_table_id,
            tables,
        };
        (image, noted)
    }
}

/// A snapshot that sees the commits up to `csn` and no transaction's own
/// writes (transaction ids start at 1).
fn committed_at(csn: Csn) -> Snapshot {
    Snapshot {
        csn,
        txn: 0,
        cid: 0,
    }
}

fn apply_change(store: &mut Store, csn: Csn, change: &Change) {
    let committed = |value| Version {
        stamp: Stamp::Committed(csn),
        value,
    };
    match change {
        Change::CreateTable(def) => {
            store.next_table_id = store.next_table_id.max(def.id.0 + 1);
            store.tables.insert(def.id, TableData::new(def.clone()));
            store
                .catalog
                .entry(def.name.clone())
                .or_default()
                .versions
                .push(committed(Some(def.clone())));
        }
        Change::AlterTable(def) => {
            if let Some(data) = store.tables.get_mut(&def.id) {
                data.def = def.clone();
                data.indexes = (0..def.indexes.len())
                    .map(|i| {
                        data.rows
                            .iter()
                            .filter_map(|(k, e)| {
                                e.chain
                                    .newest()
                                    .and_then(|v| v.value.as_ref())
                                    .map(|r| (k, r))
                            })
                            .map(|(k, r)| (def.index_key(i, r).0, k.clone()))
                            .collect::<BTreeSet<_>>()
                    })
                    .collect();
            }
            store
                .catalog
                .entry(def.name.clone())
                .or_default()
                .versions
                .push(committed(Some(def.clone())));
        }
        Change::DropTable { id, name } => {
            store.tables.remove(id);
            store
                .catalog
                .entry(name.clone())
                .or_default()
                .versions
                .push(committed(None));
        }
        Change::Put { table, key, row } => {
            let Some(data) = store.tables.get_mut(table) else {
                return;
            };
            remove_index_entries(data, key);
            for i in 0..data.def.indexes.len() {
                let ik = data.def.index_key(i, row).0;
                data.indexes[i].insert((ik, key.clone()));
            }
            if data.def.primary_key.is_none()
                && let Some(n) = row_id_of(key)
            {
                data.next_row_id = data.next_row_id.max(n + 1);
            }
            data.rows.insert(
                key.clone(),
                RowEntry {
                    chain: Chain {
                        versions: vec![Version {
                            stamp: Stamp::Committed(csn),
                            value: Some(row.clone()),
                        }],
                    },
                    ..RowEntry::default()
                },
            );
        }
        Change::Delete { table, key } => {
            if let Some(data) = store.tables.get_mut(table) {
                remove_index_entries(data, key);
                data.rows.remove(key);
            }
        }
    }
}

/// Removes the index entries of `key`'s current image.
fn remove_index_entries(data: &mut TableData, key: &Key) {
    let Some(old) = data
        .rows
        .get(key)
        .and_then(|e| e.chain.newest())
        .and_then(|v| v.value.clone())
    else {
        return;
    };
    for i in 0..data.def.indexes.len() {
        let ik = data.def.index_key(i, &old).0;
        data.indexes[i].remove(&(ik, key.clone()));
    }
}

/// The number in a hidden row id key (`Key::row_id`).
fn row_id_of(key: &Key) -> Option<u64> {
    match key.as_bytes() {
        [0x02, rest @ ..] if rest.len() == 8 => {
            let raw = u64::from_be_bytes(rest.try_into().ok()?);
            Some(raw ^ (1 << 63))
        }
        _ => None,
    }
}
