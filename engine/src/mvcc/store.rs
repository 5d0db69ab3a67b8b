//! The shared state: tables, catalog, in-flight transactions, all behind one
//! mutex.
//!
//! Every operation takes the store lock for a short, bounded critical
//! section (a map lookup, a version push) and never across a wait or a
//! client round trip: a blocked transaction sleeps on the condition variable,
//! which releases the lock. Readers never wait for writers — they pick the
//! version their snapshot sees — and writers never wait for readers. One lock
//! keeps the invariants simple (a commit stamps all its versions atomically;
//! the waits-for graph is always consistent) and costs tens of nanoseconds
//! when uncontended; sharding it per table is a later optimisation that the
//! API does not expose.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use parking_lot::{Condvar, Mutex};

use super::engine::{CommitHook, EngineConfig};
use super::key::Key;
use super::lock::LockMode;
use super::schema::{Row, TableDef, TableId};
use super::serializable::Footprint;
use super::version::{Chain, Csn, TxnId};

/// A hasher for the store's integer ids (transaction and table ids): the
/// default SipHash is built for untrusted keys and costs more than the rest
/// of a point read's map lookups; ids are handed out by the engine.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: spreads consecutive ids over the high bits.
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by engine-assigned ids.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// What the store keeps per primary key.
#[derive(Default, Debug)]
pub(crate) struct RowEntry {
    /// The row's versions.
    pub(crate) chain: Chain<Row>,
    /// Row locks held, one entry per holder with its strongest mode.
    pub(crate) locks: Vec<(TxnId, LockMode)>,
    /// Transactions waiting for a lock here, in arrival order: a waiter
    /// is granted only when no holder and no earlier waiter conflicts, so
    /// waiters are served first come, first served (PostgreSQL's tuple lock
    /// queue). A newcomer that conflicts with no holder is granted at once.
    pub(crate) queue: Vec<(TxnId, LockMode)>,
}

impl RowEntry {
    /// True if nothing refers to this entry but its versions.
    pub(crate) fn unreferenced(&self) -> bool {
        self.locks.is_empty() && self.queue.is_empty()
    }
}

impl RowEntry {
    /// The other transactions whose locks keep `me` from taking `mode`.
    pub(crate) fn blockers(&self, me: TxnId, mode: LockMode) -> Vec<TxnId> {
        self.locks
            .iter()
            .filter(|(holder, held)| *holder != me && mode.conflicts_with(*held))
            .map(|(holder, _)| *holder)
            .collect()
    }

    /// The mode `txn` holds, if any.
    pub(crate) fn held_by(&self, txn: TxnId) -> Option<LockMode> {
        self.locks
            .iter()
            .find(|(holder, _)| *holder == txn)
            .map(|(_, m)| *m)
    }

    /// Sets (or with `None` removes) `txn`'s lock.
    pub(crate) fn set_lock(&mut self, txn: TxnId, mode: Option<LockMode>) {
        match (self.locks.iter_mut().find(|(h, _)| *h == txn), mode) {
            (Some(slot), Some(mode)) => slot.1 = mode,
            (None, Some(mode)) => self.locks.push((txn, mode)),
            (_, None) => self.locks.retain(|(h, _)| *h != txn),
        }
    }
}

/// One table's rows and indexes.
#[derive(Debug)]
pub(crate) struct TableData {
    /// The definition this data was created with.
    pub(crate) def: Arc<TableDef>,
    /// Rows by primary key (or hidden row id), in key order.
    pub(crate) rows: BTreeMap<Key, RowEntry>,
    /// Per secondary index: (index key, primary key) pairs. Entries are not
    /// versioned: one is added for every version written, readers recheck
    /// the version they see, and vacuum drops entries no version needs.
    pub(crate) indexes: Vec<BTreeSet<(Key, Key)>>,
    /// The next hidden row id, for tables without a primary key.
    pub(crate) next_row_id: u64,
    /// Table locks: transactions using the table, and whether their lock
    /// is exclusive (a DROP TABLE). See `table_lock.rs`.
    pub(crate) users: Vec<(TxnId, bool)>,
}

impl TableData {
    /// Sets (or with `None` removes) `txn`'s table lock.
    pub(crate) fn set_user(&mut self, txn: TxnId, exclusive: Option<bool>) {
        match (self.users.iter_mut().find(|(t, _)| *t == txn), exclusive) {
            (Some(slot), Some(exclusive)) => slot.1 = exclusive,
            (None, Some(exclusive)) => self.users.push((txn, exclusive)),
            (_, None) => self.users.retain(|(t, _)| *t != txn),
        }
    }

    pub(crate) fn new(def: Arc<TableDef>) -> TableData {
        let indexes = def.indexes.iter().map(|_| BTreeSet::new()).collect();
        TableData {
            def,
            rows: BTreeMap::new(),
            indexes,
            next_row_id: 1,
            users: Vec::new(),
        }
    }
}

/// What the store knows about an in-flight transaction.
#[derive(Debug)]
pub(crate) struct ActiveTxn {
    /// The transactions it is waiting for; empty when not waiting. Cleared
    /// by whoever ends one of them, so "non-empty" means "blocked right now".
    pub(crate) waiting_for: Vec<TxnId>,
}

/// All shared state.
pub(crate) struct Store {
    /// The CSN of the last commit; new snapshots see up to here.
    pub(crate) last_csn: Csn,
    /// In-flight transactions.
    pub(crate) active: IdMap<TxnId, ActiveTxn>,
    /// Snapshots in use (by transactions and open scans), with counts; the
    /// smallest is the garbage collection horizon.
    pub(crate) snapshots: BTreeMap<Csn, usize>,
    /// Snapshots of in-flight SERIALIZABLE transactions; the smallest says
    /// how far back commit footprints must be kept for validation.
    pub(crate) serializable_snapshots: BTreeMap<Csn, usize>,
    /// Write footprints of recent commits, oldest first, for SERIALIZABLE
    /// validation.
    pub(crate) recent_commits: VecDeque<Footprint>,
    /// The catalog: table name → versions of its definition.
    pub(crate) catalog: BTreeMap<String, Chain<Arc<TableDef>>>,
    /// Table data by id, including tables whose creation is in flight and
    /// dropped tables some snapshot may still read.
    pub(crate) tables: IdMap<TableId, TableData>,
    /// The next table id to hand out.
    pub(crate) next_table_id: u64,
    /// Called at commit with the commit record (the WAL's entry point).
    pub(crate) hook: Option<Arc<dyn CommitHook>>,
    /// How many transactions sleep on the condition variable.
    pub(crate) waiters: usize,
    /// Deletes since the last vacuum, to trigger autovacuum.
    pub(crate) deletes_since_vacuum: usize,
}

impl Store {
    fn new() -> Store {
        Store {
            last_csn: 0,
            active: IdMap::default(),
            snapshots: BTreeMap::new(),
            serializable_snapshots: BTreeMap::new(),
            recent_commits: VecDeque::new(),
            catalog: BTreeMap::new(),
            tables: IdMap::default(),
            next_table_id: 1,
            hook: None,
            waiters: 0,
            deletes_since_vacuum: 0,
        }
    }

    /// The oldest CSN any current or future snapshot can read at.
    pub(crate) fn horizon(&self) -> Csn {
        self.snapshots
            .keys()
            .next()
            .copied()
            .unwrap_or(self.last_csn)
    }

    pub(crate) fn register_snapshot(&mut self, csn: Csn, serializable: bool) {
        *self.snapshots.entry(csn).or_default() += 1;
        if serializable {
            *self.serializable_snapshots.entry(csn).or_default() += 1;
        }
    }

    pub(crate) fn unregister_snapshot(&mut self, csn: Csn, serializable: bool) {
        fn dec(map: &mut BTreeMap<Csn, usize>, csn: Csn) {
            if let Some(n) = map.get_mut(&csn) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&csn);
                }
            }
        }
        dec(&mut self.snapshots, csn);
        if serializable {
            dec(&mut self.serializable_snapshots, csn);
        }
    }

    /// Drops commit footprints no SERIALIZABLE transaction can conflict with.
    pub(crate) fn trim_recent_commits(&mut self) {
        let oldest = self.serializable_snapshots.keys().next().copied();
        while let Some(front) = self.recent_commits.front() {
            match oldest {
                Some(csn) if front.csn > csn => break,
                _ => {
                    self.recent_commits.pop_front();
                }
            }
        }
    }

    /// Marks every transaction waiting for `txn` as runnable again.
    pub(crate) fn wake_waiters_of(&mut self, txn: TxnId) {
        if self.waiters == 0 {
            return;
        }
        for waiter in self.active.values_mut() {
            if waiter.waiting_for.contains(&txn) {
                waiter.waiting_for.clear();
            }
        }
    }
}

/// The store and the condition variable its waiters sleep on.
pub(crate) struct Shared {
    /// All mutable state.
    pub(crate) store: Mutex<Store>,
    /// Signalled whenever a lock may have been released or a waiter
    /// cancelled.
    pub(crate) wakeup: Condvar,
    /// Engine-wide settings.
    pub(crate) config: EngineConfig,
    /// The next transaction id to hand out (outside the lock: BEGIN costs
    /// no lock round trip).
    pub(crate) next_txn: AtomicU64,
}

impl Shared {
    pub(crate) fn new(config: EngineConfig) -> Shared {
        Shared {
            store: Mutex::new(Store::new()),
            wakeup: Condvar::new(),
            config,
            next_txn: AtomicU64::new(1),
        }
    }
}
