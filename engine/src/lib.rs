//! twill-engine: the embedded MVCC SQL engine.
//!
//! Three layers: the transactional core, [`mvcc`] (versioned in-memory
//! tables, snapshots, PostgreSQL's isolation levels, row locks with deadlock
//! detection, savepoints, transactional DDL, garbage collection); the SQL
//! layer, [`sql`] (binding with PostgreSQL's type rules, planning,
//! execution, catalogs); and [`session`], what a client connection drives
//! ([`Database::open`] by URL, [`Session`]). Durable databases keep a
//! write-ahead log and checkpoints (`storage`): in a directory (`file://`)
//! or in an object store (`s3://`, `gs://`, `r2://`). The engine serves no
//! network protocol; object-store URLs reach their service over HTTP.

#[cfg(any(test, fuzzing))]
pub mod fuzz;
pub mod mvcc;
pub mod session;
pub mod sql;
mod storage;

pub use session::{Batch, CancelHandle, ColumnInfo, Database, Output, Prepared, Session, TxStatus};
pub use sql::SqlError;
pub use storage::redact_url;
