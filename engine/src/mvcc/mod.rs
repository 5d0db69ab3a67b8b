//! MVCC storage, transactions and isolation: the transactional heart of the
//! engine.
//!
//! This module stores tables of rows in memory, versioned, and runs
//! transactions over them with PostgreSQL's observable behaviour. It knows
//! nothing of SQL: the SQL layer resolves names, evaluates expressions and
//! calls the row operations here; the WAL plugs in through [`CommitHook`].
//! It does no I/O. It does use threads' time: waits sleep on a condition
//! variable and honour `deadlock_timeout`, `lock_timeout` and statement
//! deadlines measured with [`std::time::Instant`].
//!
//! The central types: [`Engine`] (the shared store; clone it per session),
//! [`Transaction`] (a session's transaction: statements, row operations,
//! savepoints, commit), and [`Scan`] (a streaming range scan).
//!
//! # The model
//!
//! Every row is a chain of versions, each stamped with the commit sequence
//! number (CSN) of the transaction that wrote it, or, while that transaction
//! is in flight, with its id. A snapshot is a CSN: it sees the versions
//! committed at or before it, plus its own transaction's writes from earlier
//! statements.
//!
//! ```text
//!   time ─────────────────────────────────────────────────────────▶
//!   T1  begin ── update a=2 ─────────── commit(csn 7)
//!   T2        begin(snapshot 6) ── read a ─────────────── read a ── commit
//!                                   sees a=1               RC: a=2 (new snapshot 7)
//!                                                          RR: a=1 (snapshot 6)
//!   a:  [csn 3: a=1] [txn T1: a=2] ──commit──▶ [csn 3: a=1] [csn 7: a=2]
//! ```
//!
//! Readers never block writers and writers never block readers: a reader
//! picks the version its snapshot sees. Writers serialise on row locks
//! (`lock.rs`), wait in a waits-for graph with deadlock detection
//! (`wait.rs`), and decide by isolation level what a concurrent commit means
//! (`rows.rs`).
//!
//! # Isolation guarantees
//!
//! - **READ COMMITTED**: each statement sees the commits that preceded it.
//!   An UPDATE, DELETE or `SELECT … FOR …` that meets a row locked by an
//!   in-flight transaction waits; if that one committed an update, the
//!   statement gets the newest version ([`LockOutcome::Updated`]) to
//!   re-check and write (PostgreSQL's EvalPlanQual): no lost updates, no
//!   errors. Non-repeatable reads, phantoms, read skew and write skew
//!   can happen, as in PostgreSQL.
//! - **REPEATABLE READ** (snapshot isolation): one snapshot for the whole
//!   transaction; writing (or locking) a row that a transaction committed
//!   after the snapshot changed or deleted is 40001. No dirty reads,
//!   non-repeatable reads, phantoms, lost updates or read skew; write skew
//!   can happen, as in PostgreSQL.
//! - **SERIALIZABLE**: REPEATABLE READ plus commit-time read-set validation
//!   (`serializable.rs`): the committed SERIALIZABLE transactions are
//!   equivalent to a serial execution in commit order (read-only ones at
//!   their snapshot). Write skew fails with 40001 `could not serialize
//!   access due to read/write dependencies among transactions`. Stricter than
//!   PostgreSQL's SSI: some schedules SSI allows fail here (retryably).
//!
//! Unique constraints are checked against the newest versions, waiting for
//! in-flight writers of the same key (23505 once they commit, success once
//! they roll back). DDL is versioned like rows (`catalog.rs`), so it commits
//! and rolls back with the transaction; table locks (`table_lock.rs`) make
//! DROP TABLE wait for the table's users. Versions no snapshot can see are
//! collected (`gc.rs`).
//!
//! # The commit path
//!
//! Under the store lock: SERIALIZABLE validation, then the CSN is assigned
//! and the [`CommitHook`] receives the [`CommitRecord`] (so hook order is
//! commit order is log order), then the transaction's versions are stamped
//! with the CSN — at that instant, atomically, the commit becomes visible —
//! and its row locks are released, waking waiters.
//!
//! To keep the store lock's critical sections short (with more threads than
//! cores a long one convoys: a preempted holder stalls everyone), work that
//! needs no shared state happens outside it: an `update_with` closure runs
//! with the lock released (the row lock and table lock keep the row and
//! table in place), versions pruned by a write and a committed
//! transaction's undo log are freed after the lock is released, and a
//! transaction's buffers are sized at `begin`, before it takes the lock.

mod catalog;
mod commit;
mod engine;
mod error;
mod gc;
mod key;
mod lock;
mod replay;
mod rows;
mod scan;
mod schema;
mod serializable;
mod store;
mod table_lock;
mod transaction;
mod version;
mod wait;

pub use engine::{
    CancelHandle, Change, CommitHook, CommitRecord, Engine, EngineConfig, EngineStats, HookError,
};
pub use error::{CancelReason, Error, Result};
pub use gc::VacuumStats;
pub use key::Key;
pub use lock::{LockMode, WaitPolicy};
pub use replay::{EngineImage, TableImage};
pub use rows::LockOutcome;
pub use scan::{BATCH, Scan};
pub use schema::{
    CheckDef, ColumnDef, ForeignKeyDef, IndexDef, ReferentialAction, RelationKind, Row,
    SequenceDef, TableDef, TableId,
};
pub use transaction::{CommitOutcome, IsolationLevel, Transaction, TransactionState};
pub use version::{Csn, TxnId};

#[cfg(test)]
mod tests;
