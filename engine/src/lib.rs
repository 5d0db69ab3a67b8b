//! twill-engine: the embedded MVCC SQL engine.
//!
//! So far it holds the transactional core, [`mvcc`]: versioned in-memory
//! tables, snapshots, PostgreSQL's isolation levels, row locks with deadlock
//! detection, savepoints, transactional DDL and garbage collection — and the
//! foundation of the SQL layer, [`sql`]: binding expressions with
//! PostgreSQL's type rules and evaluating them with its semantics. The
//! planner, executor and WAL come in later issues and plug into both. This
//! crate does no network I/O. Durable databases (`file://`) keep a
//! write-ahead log and checkpoints in a directory: `storage`.

pub mod mvcc;
pub mod session;
pub mod sql;
mod storage;

pub use session::{Batch, CancelHandle, ColumnInfo, Database, Output, Prepared, Session, TxStatus};
pub use sql::SqlError;
