//! Row operations: read, lock, insert, update, delete.
//!
//! **Reads** pick the version the snapshot sees and never wait.
//!
//! **Writes** go through the row lock. [`Transaction::lock_row`] is the
//! heart of PostgreSQL's write behaviour; it waits for conflicting lockers,
//! then looks at the newest committed version:
//!
//! ```text
//!   newest version is…                 READ COMMITTED        REPEATABLE READ / SERIALIZABLE
//!   the one my snapshot saw            Locked(row)           Locked(row)
//!   newer (committed after snapshot)   Updated(newest)       40001 concurrent update
//!   deleted after snapshot             Gone                  40001 concurrent delete (DML)
//!                                                            or update (SELECT … FOR)
//!   written by my current statement    Gone                  Gone
//! ```
//!
//! `Updated` is EvalPlanQual: the statement re-checks its WHERE clause on the
//! newest version and, if it still matches, writes it — no lost update, no
//! error. [`Transaction::update_with`] packages lock, re-check and write.
//!
//! **Uniqueness** is checked against the newest versions, not the snapshot:
//! a key held by a committed live version is 23505; a key being written by
//! an in-flight transaction makes the inserter wait for that transaction and
//! check again (it succeeds if the other rolled back or deleted the key).
//! Under SERIALIZABLE, a duplicate committed after the snapshot on a key the
//! transaction had read is 40001 instead, as PostgreSQL does since 9.6.

use std::time::Instant;

use parking_lot::MutexGuard;

use super::error::{Error, Result};
use super::key::Key;
use super::lock::{LockMode, WaitPolicy};
use super::schema::{Row, TableId};
use super::serializable::Space;
use super::store::{Shared, Store, TableData};
use super::transaction::{IsolationLevel, Transaction, TxnInner, Undo};
use super::version::{Stamp, TxnId, Version};

/// The result of [`Transaction::lock_row`].
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum LockOutcome {
    /// Locked; the row is as the statement's snapshot saw it (or as this
    /// transaction last wrote it).
    Locked(Row),
    /// READ COMMITTED only: locked, but a transaction committed a newer
    /// version since the snapshot; here it is. Re-check the statement's
    /// condition on it (EvalPlanQual) and go on.
    Updated(Row),
    /// No row to act on: invisible to the snapshot, deleted concurrently
    /// (READ COMMITTED), or already changed by this statement. No lock.
    Gone,
    /// SKIP LOCKED and the row is locked by someone else. No lock.
    Skipped,
}

/// What a row lock request asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LockRequest {
    /// The strength.
    pub(crate) mode: LockMode,
    /// What to do if it is held.
    pub(crate) policy: WaitPolicy,
    /// True for UPDATE/DELETE, false for SELECT … FOR (only the 40001
    /// wording differs).
    pub(crate) dml: bool,
}

pub(crate) fn undefined(table: TableId) -> Error {
    Error::UndefinedTable {
        name: format!("table #{table}"),
    }
}

fn table_mut(store: &mut Store, table: TableId) -> Result<&mut TableData> {
    store.tables.get_mut(&table).ok_or_else(|| undefined(table))
}

impl Transaction {
    /// The row with primary key `key` as the current snapshot sees it.
    pub fn get(&mut self, table: TableId, key: &Key) -> Result<Option<Row>> {
        self.run_on_table(table, |inner, _, store| {
            let snapshot = inner.snapshot();
            inner.record_read(table, 0, key);
            let data = table_mut(store, table)?;
            Ok(data
                .rows
                .get(key)
                .and_then(|e| e.chain.visible_value(&snapshot).cloned()))
        })
    }

    /// Locks a row the statement found (`SELECT … FOR …`, and the first step
    /// of UPDATE and DELETE); see the module docs for the outcomes.
    pub fn lock_row(
        &mut self,
        table: TableId,
        key: &Key,
        mode: LockMode,
        policy: WaitPolicy,
    ) -> Result<LockOutcome> {
        self.run_on_table(table, |inner, shared, store| {
            inner.lock_row_locked(
                shared,
                store,
                table,
                key,
                LockRequest {
                    mode,
                    policy,
                    dml: false,
                },
            )
        })
    }

    /// Inserts `row`; returns its key (the primary key, or a new hidden row
    /// id). 23505 if the key or a unique index key is taken; waits if an
    /// in-flight transaction is writing it.
    pub fn insert(&mut self, table: TableId, row: impl Into<Row>) -> Result<Key> {
        let row = row.into();
        self.run_on_table(table, |inner, shared, store| {
            inner.insert_locked(shared, store, table, row)
        })
    }

    /// Locks the row (waiting if needed), calls `f` on its current version
    /// (the newest one under READ COMMITTED: EvalPlanQual), and writes what
    /// `f` returns. `f` returning `None` (the WHERE clause no longer holds)
    /// writes nothing. Returns the new row, or `None` if nothing was
    /// written. The new row must keep the primary key. `f` runs without the
    /// store lock (other sessions proceed meanwhile); the row stays locked.
    pub fn update_with(
        &mut self,
        table: TableId,
        key: &Key,
        f: impl FnOnce(&Row) -> Option<Row>,
    ) -> Result<Option<Row>> {
        self.run_on_table(table, |inner, shared, store| {
            let current = match inner.lock_row_locked(
                shared,
                store,
                table,
                key,
                LockRequest {
                    mode: LockMode::NoKeyUpdate,
                    policy: WaitPolicy::Block,
                    dml: true,
                },
            )? {
                LockOutcome::Locked(row) | LockOutcome::Updated(row) => row,
                LockOutcome::Gone | LockOutcome::Skipped => return Ok(None),
            };
            // The row lock keeps writers off the row and the table lock
            // keeps DROP TABLE away, so the caller's closure (expression
            // evaluation, row building) runs without the store lock.
            let Some(new) = MutexGuard::unlocked(store, || f(&current)) else {
                return Ok(None);
            };
            inner.update_locked(shared, store, table, key, current, new.clone())?;
            Ok(Some(new))
        })
    }

    /// Replaces the row at `key` with `row` (which must keep the key).
    /// Returns false if there is no row to update (see [`LockOutcome::Gone`]).
    pub fn update(&mut self, table: TableId, key: &Key, row: impl Into<Row>) -> Result<bool> {
        let row = row.into();
        self.update_with(table, key, |_| Some(row))
            .map(|r| r.is_some())
    }

    /// Deletes the row at `key`. Returns false if there is no row to delete.
    pub fn delete(&mut self, table: TableId, key: &Key) -> Result<bool> {
        self.run_on_table(table, |inner, shared, store| {
            match inner.lock_row_locked(
                shared,
                store,
                table,
                key,
                LockRequest {
                    mode: LockMode::Update,
                    policy: WaitPolicy::Block,
                    dml: true,
                },
            )? {
                LockOutcome::Locked(_) | LockOutcome::Updated(_) => {
                    inner.write_locked(shared, store, table, key, None, None)?;
                    Ok(true)
                }
                LockOutcome::Gone | LockOutcome::Skipped => Ok(false),
            }
        })
    }
}

impl TxnInner {
    /// Records a point read for SERIALIZABLE validation.
    pub(crate) fn record_read(&mut self, table: TableId, space: Space, key: &Key) {
        if self.isolation == IsolationLevel::Serializable {
            self.reads.points.insert((table, space, key.clone()));
        }
    }

    fn block_on(
        &self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        blockers: Vec<TxnId>,
        started: &mut Option<Instant>,
    ) -> Result<()> {
        let started = *started.get_or_insert_with(Instant::now);
        shared.block(store, self.id, blockers, started, &self.limits)
    }

    /// Locks a row: waits (in the row's queue) until no holder and no
    /// earlier waiter conflicts, then judges the newest version.
    pub(crate) fn lock_row_locked(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
        key: &Key,
        request: LockRequest,
    ) -> Result<LockOutcome> {
        let result = self.lock_row_waiting(shared, store, table, key, request);
        if self.queued {
            // Granted, failed or gave up: leave the queue, and let those
            // queued behind re-examine their place.
            self.queued = false;
            let me = self.id;
            if let Some(entry) = store
                .tables
                .get_mut(&table)
                .and_then(|d| d.rows.get_mut(key))
            {
                entry.queue.retain(|(t, _)| *t != me);
            }
            store.wake_waiters_of(me);
            if store.waiters > 0 {
                shared.wakeup.notify_all();
            }
        }
        result
    }

    fn lock_row_waiting(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
        key: &Key,
        request: LockRequest,
    ) -> Result<LockOutcome> {
        let LockRequest { mode, policy, dml } = request;
        let snapshot = self.snapshot();
        self.record_read(table, 0, key);
        let mut started = None;
        loop {
            let data = table_mut(store, table)?;
            let Some(entry) = data.rows.get_mut(key) else {
                return Ok(LockOutcome::Gone);
            };
            if entry.chain.visible_value(&snapshot).is_none() {
                return Ok(LockOutcome::Gone);
            }
            let mut blockers = entry.blockers(self.id, mode);
            if self.queued {
                // Waiters are served in order: those queued before me
                // with a conflicting request go first.
                let ahead = entry.queue.iter().take_while(|(t, _)| *t != self.id);
                blockers.extend(
                    ahead
                        .filter(|(_, m)| mode.conflicts_with(*m))
                        .map(|(t, _)| *t),
                );
            }
            if !blockers.is_empty() {
                match policy {
                    WaitPolicy::NoWait => {
                        return Err(Error::LockNotAvailable {
                            relation: data.def.name.clone(),
                        });
                    }
                    WaitPolicy::SkipLocked => return Ok(LockOutcome::Skipped),
                    WaitPolicy::Block => {
                        if !self.queued {
                            self.queued = true;
                            entry.queue.push((self.id, mode));
                        }
                        self.block_on(shared, store, blockers, &mut started)?;
                        continue;
                    }
                }
            }
            // Nobody holds a conflicting lock: judge the newest version.
            let own = entry
                .chain
                .newest()
                .filter(|v| matches!(v.stamp, Stamp::Pending { txn, .. } if txn == self.id));
            let outcome = match own {
                Some(Version {
                    stamp: Stamp::Pending { cid, .. },
                    value,
                }) => match value {
                    Some(row) if *cid < snapshot.cid => LockOutcome::Locked(row.clone()),
                    _ => return Ok(LockOutcome::Gone),
                },
                _ => {
                    // The snapshot sees a version, so a committed one exists.
                    let Some((csn, newest)) = entry.chain.newest_committed() else {
                        return Ok(LockOutcome::Gone);
                    };
                    match (&newest.value, csn <= snapshot.csn, self.isolation) {
                        (Some(row), true, _) => LockOutcome::Locked(row.clone()),
                        (Some(row), false, IsolationLevel::ReadCommitted) => {
                            LockOutcome::Updated(row.clone())
                        }
                        (None, false, IsolationLevel::ReadCommitted) => {
                            return Ok(LockOutcome::Gone);
                        }
                        (Some(_), false, _) => return Err(Error::ConcurrentUpdate),
                        // PostgreSQL words it by statement: DML says
                        // "delete", SELECT … FOR says "update".
                        (None, false, _) if dml => return Err(Error::ConcurrentDelete),
                        (None, false, _) => return Err(Error::ConcurrentUpdate),
                        (None, true, _) => return Ok(LockOutcome::Gone),
                    }
                }
            };
            let previous = entry.held_by(self.id);
            if previous.is_none_or(|held| held < mode) {
                entry.set_lock(self.id, Some(mode));
                self.undo.push(Undo::RowLock {
                    table,
                    key: key.clone(),
                    previous,
                });
            }
            return Ok(outcome);
        }
    }

    fn insert_locked(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
        row: Row,
    ) -> Result<Key> {
        let data = table_mut(store, table)?;
        if !data.def.validate_row(&row) {
            return Err(Error::internal(
                "a key or index column is missing from the row",
            ));
        }
        let key = match data.def.key_of(&row) {
            Some(key) => key,
            None => {
                data.next_row_id += 1;
                Key::row_id(data.next_row_id - 1)
            }
        };
        let snapshot = self.snapshot();
        let serializable = self.isolation == IsolationLevel::Serializable;
        let mut started = None;
        loop {
            let data = table_mut(store, table)?;
            let entry = data.rows.entry(key.clone()).or_default();
            let blockers = match entry.chain.pending_writer() {
                Some(writer) if writer != self.id => vec![writer],
                _ => {
                    if let Some(live) = entry.chain.newest().filter(|v| v.value.is_some()) {
                        let concurrent =
                            matches!(live.stamp, Stamp::Committed(c) if c > snapshot.csn);
                        if serializable && concurrent && self.reads.covers(table, 0, &key) {
                            return Err(Error::ReadWriteDependency);
                        }
                        return Err(Error::UniqueViolation {
                            constraint: data.def.primary_key_name(),
                        });
                    }
                    entry.blockers(self.id, LockMode::Update)
                }
            };
            if blockers.is_empty() {
                let previous = entry.held_by(self.id);
                if previous != Some(LockMode::Update) {
                    entry.set_lock(self.id, Some(LockMode::Update));
                    self.undo.push(Undo::RowLock {
                        table,
                        key: key.clone(),
                        previous,
                    });
                }
                break;
            }
            self.block_on(shared, store, blockers, &mut started)?;
        }
        self.write_locked(shared, store, table, &key, Some(row), None)?;
        Ok(key)
    }

    fn update_locked(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
        key: &Key,
        current: Row,
        new: Row,
    ) -> Result<()> {
        let data = table_mut(store, table)?;
        let def = data.def.clone();
        if !def.validate_row(&new) {
            return Err(Error::internal(
                "a key or index column is missing from the row",
            ));
        }
        let same_key = |cols: &Vec<usize>| cols.iter().all(|&c| current.get(c) == new.get(c));
        let key_changed = match &def.primary_key {
            None => false,
            // Equal values encode equally; only unequal ones need encoding.
            Some(cols) if same_key(cols) => false,
            Some(_) => def.key_of(&new).is_some_and(|k| &k != key),
        };
        if key_changed {
            return Err(Error::internal(
                "an UPDATE that changes the primary key must be a DELETE plus an INSERT",
            ));
        }
        let unique_key_changes = def.indexes.iter().enumerate().any(|(i, index)| {
            index.unique && def.index_key(i, &current).0 != def.index_key(i, &new).0
        });
        if unique_key_changes {
            // A key-changing update takes the stronger lock, as PostgreSQL's.
            let _ = self.lock_row_locked(
                shared,
                store,
                table,
                key,
                LockRequest {
                    mode: LockMode::Update,
                    policy: WaitPolicy::Block,
                    dml: true,
                },
            )?;
        }
        self.write_locked(shared, store, table, key, Some(new), Some(current))
    }

    /// Checks unique indexes (waiting for in-flight writers of the same
    /// index key), then pushes a pending version and its index entries. The
    /// caller holds the row's lock.
    pub(crate) fn write_locked(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
        key: &Key,
        value: Option<Row>,
        old: Option<Row>,
    ) -> Result<()> {
        if let Some(new) = &value {
            let mut started = None;
            while let Some(writer) = self.check_unique(store, table, key, new, old.as_ref())? {
                self.block_on(shared, store, vec![writer], &mut started)?;
            }
        }
        let horizon = store.horizon();
        let cid = self.cid;
        let id = self.id;
        let data = table_mut(store, table)?;
        let def = data.def.clone();
        // The caller locked the row, so its entry exists.
        let Some(entry) = data.rows.get_mut(key) else {
            return Err(Error::internal("writing a row that was not locked"));
        };
        // Pruned versions go to the transaction's garbage buffer, freed
        // once the store lock is released (see `Transaction::run`).
        let first_pruned = self.garbage.len();
        if entry.chain.versions.len() >= 3 {
            entry.chain.prune_into(horizon, &mut self.garbage);
        }
        // Drop index entries only pruned versions needed.
        for version in &self.garbage[first_pruned..] {
            let Some(row) = &version.value else { continue };
            for i in 0..def.indexes.len() {
                let ik = def.index_key(i, row).0;
                let still_needed = entry.chain.versions.iter().any(|v| {
                    v.value
                        .as_ref()
                        .is_some_and(|r| def.index_key(i, r).0 == ik)
                });
                if !still_needed {
                    data.indexes[i].remove(&(ik, key.clone()));
                }
            }
        }
        if let Some(row) = &value {
            for i in 0..def.indexes.len() {
                data.indexes[i].insert((def.index_key(i, row).0, key.clone()));
            }
        }
        if value.is_none() {
            self.deletes += 1;
        }
        entry.chain.versions.push(Version {
            stamp: Stamp::Pending { txn: id, cid },
            value,
        });
        self.undo.push(Undo::RowVersion {
            table,
            key: key.clone(),
        });
        Ok(())
    }

    /// Looks for another row holding one of `new`'s unique index keys.
    /// `Ok(Some(txn))`: an in-flight `txn` is writing such a row; wait for it
    /// and check again.
    fn check_unique(
        &self,
        store: &Store,
        table: TableId,
        key: &Key,
        new: &Row,
        old: Option<&Row>,
    ) -> Result<Option<TxnId>> {
        let data = store.tables.get(&table).ok_or_else(|| undefined(table))?;
        let def = &data.def;
        let snapshot = self.snapshot();
        for (i, index) in def.indexes.iter().enumerate() {
            if !index.unique {
                continue;
            }
            let (ik, has_null) = def.index_key(i, new);
            if has_null || old.is_some_and(|old| def.index_key(i, old).0 == ik) {
                continue;
            }
            let start = (ik.clone(), Key::default());
            for (_, other) in data.indexes[i].range(start..).take_while(|(k, _)| *k == ik) {
                if other == key {
                    continue;
                }
                let Some(entry) = data.rows.get(other) else {
                    continue;
                };
                let holds_key = |v: &Version<Row>| {
                    v.value
                        .as_ref()
                        .is_some_and(|r| def.index_key(i, r).0 == ik)
                };
                match entry.chain.pending_writer() {
                    Some(writer) if writer != self.id => {
                        if entry.chain.versions.iter().any(holds_key) {
                            return Ok(Some(writer));
                        }
                    }
                    _ => {
                        if let Some(newest) = entry.chain.newest().filter(|v| holds_key(v)) {
                            let concurrent =
                                matches!(newest.stamp, Stamp::Committed(c) if c > snapshot.csn);
                            if self.isolation == IsolationLevel::Serializable
                                && concurrent
                                && self.reads.covers(table, i as Space + 1, &ik)
                            {
                                return Err(Error::ReadWriteDependency);
                            }
                            return Err(Error::UniqueViolation {
                                constraint: index.name.clone(),
                            });
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}
