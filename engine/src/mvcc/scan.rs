//! Streaming scans over the primary key or a secondary index.
//!
//! A [`Scan`] does not hold the store lock between rows: it fills a small
//! buffer per lock acquisition (at most [`BATCH`] entries examined), and
//! remembers where to resume. Its snapshot is registered in the store for as
//! long as the scan lives, so garbage collection keeps every version it may
//! still need, even if the statement that opened it has moved on (a cursor).
//!
//! Rows the scan has not reached yet may be written meanwhile; the scan
//! sees them exactly as its snapshot dictates, never half a transaction.
//! Index scans recheck each candidate: an index entry only says "some
//! version of this row had this key", so the row is returned only if the
//! version the snapshot sees still has it.

use std::collections::VecDeque;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use super::error::Result;
use super::key::Key;
use super::rows::undefined;
use super::schema::{Row, TableId};
use super::serializable::{ReadRange, Space};
use super::store::Shared;
use super::transaction::{IsolationLevel, Transaction};
use super::version::Snapshot;

/// Entries examined per lock acquisition.
pub const BATCH: usize = 64;

/// Where a scan resumes.
#[derive(Debug)]
enum Cursor {
    /// Over the primary key.
    Table {
        /// The next key to examine.
        next: Bound<Key>,
        /// Where to stop.
        end: Bound<Key>,
    },
    /// Over secondary index `index`.
    Index {
        /// Which index.
        index: usize,
        /// The next (index key, primary key) entry to examine.
        next: Bound<(Key, Key)>,
        /// Entries with this index key are skipped (an excluded start).
        skip: Option<Key>,
        /// Where to stop, on the index key.
        end: Bound<Key>,
    },
}

/// An iterator over `(primary key, row)` pairs visible to a snapshot.
pub struct Scan {
    /// The store.
    shared: Arc<Shared>,
    /// The table scanned.
    table: TableId,
    /// What the scan sees (registered in the store until drop).
    snapshot: Snapshot,
    /// Where to resume.
    cursor: Cursor,
    /// Rows found but not yet returned.
    buffer: VecDeque<(Key, Row)>,
    /// True once the range is exhausted (or failed).
    done: bool,
    /// Whether callers want the rows' keys (see [`Scan::without_keys`]).
    keys: bool,
}

impl Transaction {
    /// Scans the rows whose primary key is in `range`, in key order.
    pub fn scan(&mut self, table: TableId, range: impl RangeBounds<Key>) -> Result<Scan> {
        let (start, end) = (range.start_bound().cloned(), range.end_bound().cloned());
        self.open_scan(
            table,
            0,
            start.clone(),
            end.clone(),
            Cursor::Table { next: start, end },
        )
    }

    /// Scans the rows whose key in secondary index `index` (its position in
    /// [`TableDef::indexes`](super::TableDef)) is in `range`, in index key
    /// order. Build bounds with [`Key::encode`] on the indexed values.
    pub fn index_scan(
        &mut self,
        table: TableId,
        index: usize,
        range: impl RangeBounds<Key>,
    ) -> Result<Scan> {
        let (start, end) = (range.start_bound().cloned(), range.end_bound().cloned());
        let (next, skip) = match &start {
            Bound::Included(k) => (Bound::Included((k.clone(), Key::default())), None),
            Bound::Excluded(k) => (
                Bound::Included((k.clone(), Key::default())),
                Some(k.clone()),
            ),
            Bound::Unbounded => (Bound::Unbounded, None),
        };
        let cursor = Cursor::Index {
            index,
            next,
            skip,
            end: end.clone(),
        };
        self.open_scan(table, index as Space + 1, start, end, cursor)
    }

    fn open_scan(
        &mut self,
        table: TableId,
        space: Space,
        start: Bound<Key>,
        end: Bound<Key>,
        cursor: Cursor,
    ) -> Result<Scan> {
        let shared = self.shared.clone();
        let snapshot = self.run_on_table(table, |inner, _, store| {
            let data = store.tables.get(&table).ok_or_else(|| undefined(table))?;
            if let Cursor::Index { index, .. } = &cursor
                && *index >= data.indexes.len()
            {
                return Err(super::Error::internal("no such index"));
            }
            if inner.isolation == IsolationLevel::Serializable {
                inner.reads.ranges.push(ReadRange {
                    table,
                    space,
                    start,
                    end,
                });
            }
            let snapshot = inner.snapshot();
            store.register_snapshot(snapshot.csn, false);
            Ok(snapshot)
        })?;
        Ok(Scan {
            shared,
            table,
            snapshot,
            cursor,
            buffer: VecDeque::new(),
            done: false,
            keys: true,
        })
    }
}

impl Scan {
    /// Yields empty keys instead of each row's key: a scan that only reads
    /// rows (an aggregate over a table) saves a copy per row.
    pub fn without_keys(mut self) -> Scan {
        self.keys = false;
        self
    }

    fn refill(&mut self) -> Result<()> {
        let store = self.shared.store.lock();
        let data = store
            .tables
            .get(&self.table)
            .ok_or_else(|| undefined(self.table))?;
        let snapshot = &self.snapshot;
        match &mut self.cursor {
            Cursor::Table { next, end } => {
                if is_empty(next, end) {
                    self.done = true;
                    return Ok(());
                }
                let mut last = None;
                for (key, entry) in data.rows.range((next.clone(), end.clone())).take(BATCH) {
                    if let Some(row) = entry.chain.visible_value(snapshot) {
                        let k = if self.keys {
                            key.clone()
                        } else {
                            Key::default()
                        };
                        self.buffer.push_back((k, row.clone()));
                    }
                    last = Some(key);
                }
                match last {
                    Some(key) => *next = Bound::Excluded(key.clone()),
                    None => self.done = true,
                }
            }
            Cursor::Index {
                index,
                next,
                skip,
                end,
            } => {
                let mut last = None;
                let entries = data.indexes[*index]
                    .range((next.clone(), Bound::Unbounded))
                    .take(BATCH);
                for entry @ (ik, pk) in entries {
                    let past_end = match &*end {
                        Bound::Included(e) => ik > e,
                        Bound::Excluded(e) => ik >= e,
                        Bound::Unbounded => false,
                    };
                    if past_end {
                        self.done = true;
                        break;
                    }
                    last = Some(entry);
                    if skip.as_ref() == Some(ik) {
                        continue;
                    }
                    let row = data
                        .rows
                        .get(pk)
                        .and_then(|e| e.chain.visible_value(snapshot));
                    if let Some(row) = row.filter(|r| data.def.index_key(*index, r).0 == *ik) {
                        self.buffer.push_back((pk.clone(), row.clone()));
                    }
                }
                match last {
                    Some(entry) => *next = Bound::Excluded(entry.clone()),
                    None => self.done = true,
                }
            }
        }
        Ok(())
    }
}

/// True if no key lies between the bounds (`BTreeMap::range` panics on
/// some such ranges, e.g. a start after the end).
fn is_empty(start: &Bound<Key>, end: &Bound<Key>) -> bool {
    match (start, end) {
        (Bound::Included(s), Bound::Included(e)) => s > e,
        (Bound::Included(s), Bound::Excluded(e))
        | (Bound::Excluded(s), Bound::Included(e))
        | (Bound::Excluded(s), Bound::Excluded(e)) => s >= e,
        _ => false,
    }
}

impl Iterator for Scan {
    type Item = Result<(Key, Row)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.refill() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        self.shared
            .store
            .lock()
            .unregister_snapshot(self.snapshot.csn, false);
    }
}
