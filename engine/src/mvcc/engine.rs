//! The engine handle: configuration, the commit hook, transactions, vacuum.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use twill_types::SqlState;

use super::gc::VacuumStats;
use super::key::Key;
use super::schema::{Row, TableDef, TableId};
use super::store::Shared;
use super::transaction::{IsolationLevel, Transaction};
use super::version::{Csn, TxnId};

/// Engine-wide settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// How long a waiter sleeps before it looks for a deadlock
    /// (`deadlock_timeout`, 1 s by default as in PostgreSQL).
    pub deadlock_timeout: Duration,
    /// Run a vacuum after this many deletes (0 = never automatically).
    pub autovacuum_deletes: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            deadlock_timeout: Duration::from_secs(1),
            autovacuum_deletes: 10_000,
        }
    }
}

/// One change in a commit record, in the order the transaction first made
/// it; rows carry their final image.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A table was created (its definition carries the new id).
    CreateTable(Arc<TableDef>),
    /// A table's definition was replaced, keeping its id (CREATE INDEX):
    /// rebuild its indexes from the rows.
    AlterTable(Arc<TableDef>),
    /// A table was dropped.
    DropTable {
        /// The dropped table's id.
        id: TableId,
        /// Its name.
        name: String,
    },
    /// A row was inserted or updated; this is its new image.
    Put {
        /// The table.
        table: TableId,
        /// The row's primary key (or hidden row id).
        key: Key,
        /// The row.
        row: Row,
    },
    /// A row was deleted.
    Delete {
        /// The table.
        table: TableId,
        /// The row's primary key (or hidden row id).
        key: Key,
    },
}

/// What a committing transaction hands the commit hook: a logical redo
/// record.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitRecord {
    /// The committing transaction.
    pub txn: TxnId,
    /// Its place in the commit order (consecutive, starting at 1).
    pub csn: Csn,
    /// Its changes.
    pub changes: Vec<Change>,
}

/// Why the commit hook refused a commit: the SQLSTATE the client gets
/// (58030 for a failed write; 25006 when a newer writer has fenced this
/// one) and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct HookError {
    /// The error code for the client.
    pub state: SqlState,
    /// What happened.
    pub message: String,
}

impl HookError {
    /// A failed write (58030).
    pub fn io(message: impl Into<String>) -> HookError {
        HookError {
            state: SqlState::IO_ERROR,
            message: message.into(),
        }
    }
}

/// Where the durability layer plugs in.
///
/// `on_commit` is called once per writing transaction, under the store lock,
/// in commit order (so hook order is log order), after SERIALIZABLE
/// validation and before any of the transaction's writes become visible. If
/// it returns an error the transaction is rolled back and the client gets
/// the error's SQLSTATE. Because it runs under the store lock it must only append to a
/// buffer; a group-commit WAL waits for the flush outside the lock.
pub trait CommitHook: Send + Sync {
    /// Records `record`; an `Err` aborts the commit.
    fn on_commit(&self, record: &CommitRecord) -> Result<(), HookError>;

    /// Writes a checkpoint (the SQL `CHECKPOINT` command, through
    /// [`Engine::checkpoint`]); called without the store lock. The default
    /// does nothing (nothing to checkpoint).
    fn checkpoint(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Cancels whatever statement its transaction is running or waiting in
/// (57014), like PostgreSQL's CancelRequest. Cheap to clone, usable from any
/// thread.
#[derive(Clone)]
pub struct CancelHandle {
    /// The flag the transaction checks at every operation and wakeup.
    pub(crate) flag: Arc<AtomicBool>,
    /// To wake the transaction if it is asleep in a lock wait.
    pub(crate) shared: Arc<Shared>,
}

impl CancelHandle {
    /// Requests cancellation of the current statement.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let _store = self.shared.store.lock();
        self.shared.wakeup.notify_all();
    }
}

/// Counters for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// In-flight transactions.
    pub active_transactions: usize,
    /// Row entries over all tables (live, dead or pending).
    pub row_entries: usize,
    /// Row versions over all tables.
    pub row_versions: usize,
    /// Secondary index entries over all tables.
    pub index_entries: usize,
    /// Tables whose data is kept (including dropped ones not yet vacuumed).
    pub tables: usize,
}

/// An in-memory MVCC store. Clone it to share it between sessions.
#[derive(Clone)]
pub struct Engine {
    /// The state all clones and transactions share.
    pub(crate) shared: Arc<Shared>,
}

impl Engine {
    /// An empty engine.
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            shared: Arc::new(Shared::new(config)),
        }
    }

    /// Installs the commit hook (replacing any previous one).
    pub fn set_commit_hook(&self, hook: Arc<dyn CommitHook>) {
        self.shared.store.lock().hook = Some(hook);
    }

    /// Asks the commit hook (the WAL) for a checkpoint; a no-op without
    /// one. An `Err` carries the reason, for a 58030 error.
    pub fn checkpoint(&self) -> Result<(), String> {
        let hook = self.shared.store.lock().hook.clone();
        match hook {
            Some(hook) => hook.checkpoint(),
            None => Ok(()),
        }
    }

    /// Starts a transaction. It takes its snapshot at its first statement.
    pub fn begin(&self, isolation: IsolationLevel) -> Transaction {
        Transaction::begin(self.shared.clone(), isolation)
    }

    /// Removes versions, rows, index entries and dropped tables that no
    /// snapshot can see any more.
    pub fn vacuum(&self) -> VacuumStats {
        self.shared.store.lock().vacuum()
    }

    /// True if `txn` is blocked in a lock or transaction wait right now (what
    /// PostgreSQL's isolation tester asks `pg_locks`).
    pub fn is_waiting(&self, txn: TxnId) -> bool {
        let store = self.shared.store.lock();
        store
            .active
            .get(&txn)
            .is_some_and(|t| !t.waiting_for.is_empty())
    }

    /// Current counters.
    pub fn stats(&self) -> EngineStats {
        let store = self.shared.store.lock();
        let mut stats = EngineStats {
            active_transactions: store.active.len(),
            tables: store.tables.len(),
            ..EngineStats::default()
        };
        for data in store.tables.values() {
            stats.row_entries += data.rows.len();
            stats.row_versions += data
                .rows
                .values()
                .map(|e| e.chain.versions.len())
                .sum::<usize>();
            stats.index_entries += data.indexes.iter().map(|i| i.len()).sum::<usize>();
        }
        stats
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(EngineConfig::default())
    }
}
