//! The transaction handle: snapshots, statements, savepoints, commit and
//! rollback.
//!
//! A session owns one [`Transaction`] at a time. Its life:
//!
//! ```text
//!   begin ─▶ Active ──statement error──▶ Failed ──rollback / commit──▶ RolledBack
//!              │  ▲                        │
//!              │  └──rollback to savepoint─┘
//!              ├──commit──▶ Committed   (or an error: 40001, 58030 → rolled back)
//!              └──rollback─▶ RolledBack
//! ```
//!
//! **Statements.** The SQL layer calls [`Transaction::begin_statement`]
//! before each statement. At READ COMMITTED that takes a fresh snapshot; at
//! REPEATABLE READ and SERIALIZABLE the first statement's snapshot serves the
//! whole transaction. Each statement also gets a new command id: a statement
//! sees the writes of earlier statements of its transaction, never its own.
//!
//! **Errors fail the transaction**, as in PostgreSQL: when any operation
//! returns an error, the work since the innermost savepoint is undone at
//! once (releasing its row locks, so a deadlock victim unblocks the others
//! immediately), and the transaction is [`TransactionState::Failed`]: every
//! operation but rollback answers 25P02 until the session rolls back or
//! rolls back to a savepoint. [`Transaction::commit`] of a failed
//! transaction rolls back and answers [`CommitOutcome::RolledBack`] (what
//! PostgreSQL's COMMIT reports as `ROLLBACK`). The SQL layer reports its own
//! statement errors with [`Transaction::fail`].
//!
//! **Savepoints** are marks in the undo log. Every write pushes an undo
//! entry (pop this version, restore that lock); rolling back to a savepoint
//! applies the entries after its mark in reverse. Commit walks the same log
//! to stamp versions and release locks.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use parking_lot::MutexGuard;

use super::engine::CancelHandle;
use super::error::{Error, Result};
use super::key::Key;
use super::lock::LockMode;
use super::schema::{Row, TableDef, TableId};
use super::serializable::{Footprint, ReadSet};
use super::store::{ActiveTxn, RowEntry, Shared, Store};
use super::version::{Csn, Snapshot, TxnId, Version};
use super::wait::Limits;

/// PostgreSQL's isolation levels (READ UNCOMMITTED behaves as READ
/// COMMITTED, as in PostgreSQL; the SQL layer maps it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IsolationLevel {
    /// A snapshot per statement; writers wait for in-flight writers and go
    /// on with the newest version.
    #[default]
    ReadCommitted,
    /// One snapshot per transaction; a concurrent update is 40001.
    RepeatableRead,
    /// REPEATABLE READ plus read-set validation at commit: truly
    /// serializable (see `serializable.rs`).
    Serializable,
}

/// Where a transaction is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionState {
    /// Accepting statements.
    Active,
    /// An error failed it: only rollback (or rollback to a savepoint) is
    /// accepted; other operations answer 25P02.
    Failed,
    /// Committed.
    Committed,
    /// Rolled back.
    RolledBack,
}

/// How a commit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum CommitOutcome {
    /// The transaction committed.
    Committed,
    /// The transaction had failed, so COMMIT rolled it back (PostgreSQL
    /// answers `ROLLBACK` to such a COMMIT).
    RolledBack,
}

/// One step to undo, recorded as work is done.
#[derive(Debug)]
pub(crate) enum Undo {
    /// A version was pushed on this row's chain: pop it.
    RowVersion {
        /// The table.
        table: TableId,
        /// The row.
        key: Key,
    },
    /// A row lock was taken or upgraded: restore the previous mode.
    RowLock {
        /// The table.
        table: TableId,
        /// The row.
        key: Key,
        /// What was held before (`None`: nothing).
        previous: Option<LockMode>,
    },
    /// A version was pushed on this catalog entry: pop it.
    CatalogVersion {
        /// The table name.
        name: String,
    },
    /// Table data was created: remove it.
    TableCreated {
        /// The new table's id.
        table: TableId,
    },
    /// A table lock was taken or made exclusive: restore the previous
    /// state.
    TableLock {
        /// The table.
        table: TableId,
        /// What was held before (`None`: nothing; `Some(false)`: shared).
        previous: Option<bool>,
    },
    /// An index was added to a table's data: drop it and restore the
    /// definition storage maintains.
    IndexCreated {
        /// The table.
        table: TableId,
        /// The definition before the index.
        previous: Arc<TableDef>,
    },
}

/// A named savepoint.
#[derive(Debug)]
pub(crate) struct Savepoint {
    /// Its name (names may repeat; the innermost wins, as in PostgreSQL).
    pub(crate) name: String,
    /// The undo log length when it was set.
    pub(crate) undo_len: usize,
}

/// The transaction's private state (everything but the shared store).
#[derive(Debug)]
pub(crate) struct TxnInner {
    /// This transaction's id.
    pub(crate) id: TxnId,
    /// Its isolation level.
    pub(crate) isolation: IsolationLevel,
    /// Where it is in its life.
    pub(crate) state: TransactionState,
    /// True once its first operation entered it in the store's active set.
    pub(crate) registered: bool,
    /// True once it has left the store (fully rolled back or committed).
    pub(crate) ended: bool,
    /// The current snapshot (registered in the store), once taken.
    pub(crate) snapshot: Option<Snapshot>,
    /// READ COMMITTED: a statement began since the snapshot was taken, so
    /// the next operation takes a new one.
    pub(crate) snapshot_stale: bool,
    /// The current statement's command id.
    pub(crate) cid: u32,
    /// Tombstones written (for autovacuum; rolled-back ones included).
    pub(crate) deletes: usize,
    /// True while queued for a row lock (see `RowEntry::queue`).
    pub(crate) queued: bool,
    /// Tables this transaction holds a table lock on.
    pub(crate) tables_used: Vec<TableId>,
    /// Undo log, oldest first.
    pub(crate) undo: Vec<Undo>,
    /// Row versions pruned by this transaction's writes, freed after the
    /// store lock is released so deallocation does not lengthen the
    /// critical section.
    pub(crate) garbage: Vec<Version<Row>>,
    /// Savepoints, outermost first.
    pub(crate) savepoints: Vec<Savepoint>,
    /// SERIALIZABLE only: what it read.
    pub(crate) reads: ReadSet,
    /// Waiting limits and the cancel flag.
    pub(crate) limits: Limits,
}

/// A transaction. Dropping it without committing rolls it back.
pub struct Transaction {
    /// The shared store.
    pub(crate) shared: Arc<Shared>,
    /// Private state.
    pub(crate) inner: TxnInner,
}

impl Transaction {
    pub(crate) fn begin(shared: Arc<Shared>, isolation: IsolationLevel) -> Transaction {
        // Registered in the store by its first operation.
        let id = shared
            .next_txn
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Transaction {
            shared,
            inner: TxnInner {
                id,
                isolation,
                state: TransactionState::Active,
                registered: false,
                ended: false,
                snapshot: None,
                snapshot_stale: false,
                cid: 0,
                deletes: 0,
                queued: false,
                // Sized here, outside the store lock, so that the first
                // writes of a typical transaction do not allocate under it.
                tables_used: Vec::with_capacity(2),
                undo: Vec::with_capacity(8),
                garbage: Vec::new(),
                savepoints: Vec::new(),
                reads: ReadSet::default(),
                limits: Limits {
                    deadlock_timeout: None,
                    lock_timeout: None,
                    statement_deadline: None,
                    cancel: Arc::new(AtomicBool::new(false)),
                },
            },
        }
    }

    /// This transaction's id.
    pub fn id(&self) -> TxnId {
        self.inner.id
    }

    /// Whether a snapshot has been taken (a statement has read or written).
    pub fn has_snapshot(&self) -> bool {
        self.inner.snapshot.is_some()
    }

    /// Its isolation level.
    pub fn isolation(&self) -> IsolationLevel {
        self.inner.isolation
    }

    /// Where it is in its life (the SQL session maps `Failed` to 25P02 and
    /// to the `E` transaction status of ReadyForQuery).
    pub fn state(&self) -> TransactionState {
        self.inner.state
    }

    /// Sets `lock_timeout` for later waits (`None`: wait indefinitely).
    pub fn set_lock_timeout(&mut self, timeout: Option<Duration>) {
        self.inner.limits.lock_timeout = timeout;
    }

    /// Sets this transaction's `deadlock_timeout` (`None`: the engine's).
    pub fn set_deadlock_timeout(&mut self, timeout: Option<Duration>) {
        self.inner.limits.deadlock_timeout = timeout;
    }

    /// Sets when the current statement must end (`statement_timeout`);
    /// waits and [`Transaction::check_interrupts`] fail with 57014 after it.
    pub fn set_statement_deadline(&mut self, deadline: Option<Instant>) {
        self.inner.limits.statement_deadline = deadline;
    }

    /// A handle that cancels this transaction's current statement from
    /// another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            flag: self.inner.limits.cancel.clone(),
            shared: self.shared.clone(),
        }
    }

    /// Starts a statement: a new command id and, at READ COMMITTED, a new
    /// snapshot (taken by the statement's first read or write, as is the
    /// transaction snapshot at the higher levels; statements like SAVEPOINT
    /// take none). Clears a cancel request left over from an earlier
    /// statement.
    pub fn begin_statement(&mut self) -> Result<()> {
        self.inner
            .limits
            .cancel
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let inner = &mut self.inner;
        if inner.state != TransactionState::Active {
            return Err(Error::InFailedTransaction);
        }
        inner.cid += 1;
        // The old snapshot is replaced under the store lock by the next
        // operation, so starting a statement costs no lock round trip.
        if inner.isolation == IsolationLevel::ReadCommitted && inner.snapshot.is_some() {
            inner.snapshot_stale = true;
        }
        Ok(())
    }

    /// Fails with 57014 if the statement was cancelled or timed out; the SQL
    /// executor calls this between rows.
    pub fn check_interrupts(&mut self) -> Result<()> {
        self.run(|_, _, _| Ok(()))
    }

    /// Marks the transaction failed after an error the SQL layer detected
    /// (division by zero…), undoing the work since the innermost savepoint.
    pub fn fail(&mut self) {
        let Transaction { shared, inner } = self;
        if inner.state == TransactionState::Active {
            let mut store = shared.store.lock();
            inner.fail_locked(shared, &mut store);
        }
    }

    /// `SAVEPOINT name`.
    pub fn savepoint(&mut self, name: &str) -> Result<()> {
        self.run(|inner, _, _| {
            inner.savepoints.push(Savepoint {
                name: name.to_owned(),
                undo_len: inner.undo.len(),
            });
            Ok(())
        })
    }

    /// `RELEASE SAVEPOINT name`: forgets it and the savepoints inside it,
    /// keeping their work.
    pub fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.run(|inner, _, _| {
            let i = inner.find_savepoint(name)?;
            inner.savepoints.truncate(i);
            Ok(())
        })
    }

    /// `ROLLBACK TO SAVEPOINT name`: undoes the work since it (releasing
    /// row locks taken since), keeps it, and makes a failed transaction
    /// active again.
    pub fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        let Transaction { shared, inner } = self;
        // A fully rolled-back transaction has no savepoints left.
        let i = match inner.find_savepoint(name) {
            Ok(i) => i,
            Err(e) => {
                if inner.state == TransactionState::Active {
                    let mut store = shared.store.lock();
                    inner.fail_locked(shared, &mut store);
                }
                return Err(e);
            }
        };
        let mut store = shared.store.lock();
        inner.undo_to(shared, &mut store, inner.savepoints[i].undo_len);
        inner.savepoints.truncate(i + 1);
        inner.state = TransactionState::Active;
        Ok(())
    }

    /// Commits. A failed transaction is rolled back instead
    /// ([`CommitOutcome::RolledBack`]). SERIALIZABLE validation failure
    /// (40001) and commit hook failure (58030) roll back and return the
    /// error.
    pub fn commit(mut self) -> Result<CommitOutcome> {
        let Transaction { shared, inner } = &mut self;
        if inner.state != TransactionState::Active {
            if !inner.ended {
                let mut store = shared.store.lock();
                inner.end(shared, &mut store, None);
            }
            inner.state = TransactionState::RolledBack;
            return Ok(CommitOutcome::RolledBack);
        }
        if !inner.registered {
            // It never did anything: nothing to publish or release.
            inner.ended = true;
            inner.state = TransactionState::Committed;
            return Ok(CommitOutcome::Committed);
        }
        let mut store = shared.store.lock();
        let result = inner.commit_locked(shared, &mut store);
        inner.state = match result {
            Ok(()) => TransactionState::Committed,
            Err(_) => TransactionState::RolledBack,
        };
        result.map(|()| CommitOutcome::Committed)
    }

    /// Rolls back.
    pub fn rollback(mut self) {
        self.rollback_in_place();
    }

    fn rollback_in_place(&mut self) {
        let Transaction { shared, inner } = self;
        if !inner.ended && inner.registered {
            let mut store = shared.store.lock();
            inner.end(shared, &mut store, None);
        }
        inner.ended = true;
        inner.state = TransactionState::RolledBack;
    }

    /// Runs `op`, which reads or writes `table`, after taking the table's
    /// shared lock (see `table_lock.rs`).
    pub(crate) fn run_on_table<T>(
        &mut self,
        table: TableId,
        op: impl FnOnce(&mut TxnInner, &Shared, &mut MutexGuard<'_, Store>) -> Result<T>,
    ) -> Result<T> {
        self.run_statement(|inner, shared, store| {
            inner.use_table(shared, store, table)?;
            op(inner, shared, store)
        })
    }

    /// Runs `op`, which reads or writes data, under the store lock with the
    /// usual checks (see [`Transaction::run`]), after making sure a snapshot
    /// exists.
    pub(crate) fn run_statement<T>(
        &mut self,
        op: impl FnOnce(&mut TxnInner, &Shared, &mut MutexGuard<'_, Store>) -> Result<T>,
    ) -> Result<T> {
        self.run(|inner, shared, store| {
            inner.ensure_snapshot(store);
            op(inner, shared, store)
        })
    }

    /// Runs `op` under the store lock with the usual checks: the transaction
    /// must be active and interrupts are checked; an error fails the
    /// transaction. Takes no snapshot: SAVEPOINT and friends do not, as in
    /// PostgreSQL, so a REPEATABLE READ snapshot is taken by the first
    /// statement that reads or writes.
    pub(crate) fn run<T>(
        &mut self,
        op: impl FnOnce(&mut TxnInner, &Shared, &mut MutexGuard<'_, Store>) -> Result<T>,
    ) -> Result<T> {
        let Transaction { shared, inner } = self;
        if inner.state != TransactionState::Active {
            return Err(Error::InFailedTransaction);
        }
        let mut store = shared.store.lock();
        if !inner.registered {
            inner.registered = true;
            store.active.insert(
                inner.id,
                ActiveTxn {
                    waiting_for: Vec::new(),
                },
            );
        }
        let result = inner
            .limits
            .check(Instant::now)
            .and_then(|()| op(inner, shared, &mut store));
        if result.is_err() {
            inner.fail_locked(shared, &mut store);
        }
        drop(store);
        inner.garbage.clear();
        result
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        self.rollback_in_place();
    }
}

impl TxnInner {
    /// The current snapshot; taken by `run`, so present in operations.
    pub(crate) fn snapshot(&self) -> Snapshot {
        self.snapshot.unwrap_or(Snapshot {
            csn: 0,
            txn: self.id,
            cid: self.cid,
        })
    }

    fn serializable(&self) -> bool {
        self.isolation == IsolationLevel::Serializable
    }

    fn ensure_snapshot(&mut self, store: &mut Store) {
        if self.cid == 0 {
            self.cid = 1;
        }
        if self.snapshot_stale {
            self.snapshot_stale = false;
            if let Some(old) = self.snapshot.take() {
                store.unregister_snapshot(old.csn, false);
            }
        }
        match &mut self.snapshot {
            Some(snapshot) => snapshot.cid = self.cid,
            None => {
                let csn = store.last_csn;
                store.register_snapshot(csn, self.serializable());
                self.snapshot = Some(Snapshot {
                    csn,
                    txn: self.id,
                    cid: self.cid,
                });
            }
        }
    }

    fn find_savepoint(&self, name: &str) -> Result<usize> {
        self.savepoints
            .iter()
            .rposition(|s| s.name == name)
            .ok_or_else(|| Error::NoSuchSavepoint {
                name: name.to_owned(),
            })
    }

    /// Fails the transaction: undo to the innermost savepoint, or end it.
    pub(crate) fn fail_locked(&mut self, shared: &Shared, store: &mut MutexGuard<'_, Store>) {
        match self.savepoints.last() {
            Some(sp) => {
                let mark = sp.undo_len;
                self.undo_to(shared, store, mark);
            }
            None => self.end(shared, store, None),
        }
        self.state = TransactionState::Failed;
    }

    /// Applies undo entries after `mark` in reverse.
    pub(crate) fn undo_to(&mut self, shared: &Shared, store: &mut Store, mark: usize) {
        let mut released = false;
        while self.undo.len() > mark {
            // The loop condition guarantees an entry.
            let Some(entry) = self.undo.pop() else { break };
            match entry {
                Undo::RowVersion { table, key } => {
                    if let Some(data) = store.tables.get_mut(&table)
                        && let Some(row) = data.rows.get_mut(&key)
                    {
                        row.chain.versions.pop();
                        if row.chain.versions.is_empty() && row.unreferenced() {
                            data.rows.remove(&key);
                        }
                    }
                    released = true;
                }
                Undo::RowLock {
                    table,
                    key,
                    previous,
                } => {
                    if let Some(data) = store.tables.get_mut(&table)
                        && let Some(row) = data.rows.get_mut(&key)
                    {
                        row.set_lock(self.id, previous);
                    }
                    released = true;
                }
                Undo::CatalogVersion { name } => {
                    if let Some(chain) = store.catalog.get_mut(&name) {
                        chain.versions.pop();
                        if chain.versions.is_empty() {
                            store.catalog.remove(&name);
                        }
                    }
                    released = true;
                }
                Undo::TableCreated { table } => {
                    store.tables.remove(&table);
                }
                Undo::TableLock { table, previous } => {
                    if let Some(data) = store.tables.get_mut(&table) {
                        data.set_user(self.id, previous);
                    }
                    if previous.is_none() {
                        self.tables_used.retain(|t| *t != table);
                    }
                    released = true;
                }
                Undo::IndexCreated { table, previous } => {
                    if let Some(data) = store.tables.get_mut(&table) {
                        data.indexes.truncate(previous.indexes.len());
                        data.def = previous;
                    }
                }
            }
        }
        if released {
            store.wake_waiters_of(self.id);
            if store.waiters > 0 {
                shared.wakeup.notify_all();
            }
        }
    }

    /// Leaves the store: with `Some(csn)` the undo log's versions are
    /// stamped and kept, with `None` they are undone. Locks are released
    /// either way.
    pub(crate) fn end(&mut self, shared: &Shared, store: &mut Store, commit: Option<Csn>) {
        match commit {
            None => self.undo_to(shared, store, 0),
            Some(csn) => {
                // The undo log stays with the transaction: it is freed
                // when the handle is dropped, after the store lock is
                // released, so its keys are not deallocated under the lock.
                // An ended transaction never applies it.
                let undo = &self.undo;
                // Consecutive entries often name the same row (lock, then
                // version): look it up once.
                let mut current: Option<(TableId, &Key, &mut RowEntry)> = None;
                for entry in undo {
                    match entry {
                        Undo::RowVersion { table, key } | Undo::RowLock { table, key, .. } => {
                            let same =
                                matches!(&current, Some((t, k, _)) if t == table && *k == key);
                            if !same {
                                let row = store
                                    .tables
                                    .get_mut(table)
                                    .and_then(|d| d.rows.get_mut(key));
                                current = row.map(|row| (*table, key, row));
                            }
                            if let Some((_, _, row)) = &mut current {
                                match entry {
                                    Undo::RowVersion { .. } => row.chain.stamp(self.id, csn),
                                    _ => row.set_lock(self.id, None),
                                }
                            }
                        }
                        Undo::CatalogVersion { name } => {
                            current = None;
                            if let Some(chain) = store.catalog.get_mut(name) {
                                chain.stamp(self.id, csn);
                            }
                        }
                        Undo::TableLock { table, .. } => {
                            current = None;
                            if let Some(data) = store.tables.get_mut(table) {
                                data.set_user(self.id, None);
                            }
                        }
                        Undo::TableCreated { .. } | Undo::IndexCreated { .. } => {}
                    }
                }
            }
        }
        if let Some(snapshot) = self.snapshot.take() {
            store.unregister_snapshot(snapshot.csn, self.serializable());
        }
        store.active.remove(&self.id);
        store.wake_waiters_of(self.id);
        store.trim_recent_commits();
        if store.waiters > 0 {
            shared.wakeup.notify_all();
        }
        self.savepoints.clear();
        self.tables_used.clear();
        self.ended = true;
    }

    fn commit_locked(&mut self, shared: &Shared, store: &mut MutexGuard<'_, Store>) -> Result<()> {
        let wrote = self
            .undo
            .iter()
            .any(|u| matches!(u, Undo::RowVersion { .. } | Undo::CatalogVersion { .. }));
        if !wrote {
            let csn = store.last_csn;
            self.end(shared, store, Some(csn));
            return Ok(());
        }
        if self.serializable() {
            let snapshot_csn = self.snapshot().csn;
            let conflict = store
                .recent_commits
                .iter()
                .filter(|fp| fp.csn > snapshot_csn)
                .any(|fp| self.reads.conflicts_with(fp));
            if conflict {
                self.end(shared, store, None);
                return Err(Error::ReadWriteDependency);
            }
        }
        let csn = store.last_csn + 1;
        if let Some(hook) = store.hook.clone() {
            let record = self.commit_record(store, csn);
            if let Err(refusal) = hook.on_commit(&record) {
                self.end(shared, store, None);
                return Err(Error::CommitHookFailed {
                    state: refusal.state,
                    message: refusal.message,
                });
            }
        }
        let deletes = self.deletes;
        if store.serializable_snapshots.keys().any(|&c| c < csn) {
            let footprint = Footprint {
                csn,
                keys: self.footprint(store),
            };
            store.recent_commits.push_back(footprint);
        }
        store.last_csn = csn;
        self.end(shared, store, Some(csn));
        store.deletes_since_vacuum += deletes;
        let threshold = shared.config.autovacuum_deletes;
        if threshold > 0 && store.deletes_since_vacuum >= threshold {
            store.vacuum();
        }
        Ok(())
    }
}
