//! Durable storage: one logical redo log with group commit, checkpoints,
//! and recovery, behind a storage URL.
//!
//! This module does not know SQL and does not decide what a transaction
//! sees: the MVCC store (`crate::mvcc`) does that in memory, and hands each
//! writing transaction's logical redo record ([`CommitRecord`]: final row
//! images, DDL) to the [`CommitHook`] under the store lock, in commit order.
//! Here that record is encoded and appended to the log; the session then
//! waits, *outside* the store lock, until it is durable, and only then
//! answers COMMIT.
//!
//! The central types: [`Storage`] (an open durable database: the log, the
//! checkpointer, the directory lock) and, inside, `Wal` (`wal.rs`: buffer,
//! group commit, segments) and the `Backend` seam (`backend.rs`: where
//! files live; `file://` now, object stores later).
//!
//! # The life of a commit
//!
//! ```text
//!   session thread                                     store lock held?
//!   Transaction::commit ──▶ validate, csn = n                 yes
//!                           hook: encode, Wal::append → lsn   yes   (thread-local: lsn)
//!                           stamp versions: visible           yes
//!   Session::end_txn     ──▶ take the thread-local lsn          no
//!                           Wal::wait_durable(lsn)            no    (lead or follow a flush)
//!                           answer COMMIT
//! ```
//!
//! **Where the LSN travels.** The hook runs synchronously inside
//! `Transaction::commit`, on the committing thread, so it leaves the LSN it
//! assigned in a thread-local ([`take_commit_lsn`]) that the session reads
//! right after `commit` returns — on the same thread, before anything else
//! can commit there. A read-only transaction never calls the hook and
//! leaves nothing, so it never waits. Sequence values are made durable by
//! their own waits (see `crate::sql::sequence`).
//!
//! The commit is visible to other sessions before it is durable (between
//! the stamp and the end of the wait): a reader may see a transaction whose
//! COMMIT has not been answered yet, and which a crash at that instant
//! would lose. PostgreSQL has the same window with `synchronous_commit`
//! on and off alike; what is guaranteed is that an *acknowledged* commit
//! survives. `synchronous_commit = off` skips the wait: the commit is
//! acknowledged at once and made durable by the next flush (another
//! session's, or the background writer's within [`WRITER_INTERVAL`]), so a
//! crash can lose the last fraction of a second of such commits, never
//! corrupt anything. Such a commit still waits if the buffer holds more
//! than 4 MiB, so the buffer stays bounded.
//!
//! **Checkpoints** (`checkpoint.rs`) run on `CHECKPOINT`, when the log has
//! grown 64 MiB since the last one or every 5 minutes while it grows (on
//! the background checkpointer thread, `checkpointer.rs`: no COMMIT waits
//! for one), and at clean shutdown (the last `Database`/`Session` handle
//! dropped). An I/O error in the log is fatal
//! and sticky: every later commit fails with 58030 until the database is
//! reopened.
//!
//! # Formats
//!
//! See `record.rs` (framing: `[len u32][crc32c u32][type u8][lsn u64][payload]`,
//! file headers), `codec.rs` (payloads), `checkpoint.rs` (checkpoint and
//! control files) and `recovery.rs` (what opening does).

mod backend;
mod checkpoint;
mod checkpointer;
mod codec;
mod fs;
#[cfg(any(test, fuzzing))]
mod memory;
mod object;
mod record;
mod recovery;
#[cfg(test)]
mod simfs;
mod wal;

/// What the `wal` fuzz harness (`crate::fuzz`) reaches inside storage.
#[cfg(any(test, fuzzing))]
pub(crate) mod fuzzing {
    pub(crate) use super::checkpoint::CONTROL;
    pub(crate) use super::memory::MemBackend;
    pub(crate) use super::record::{
        CONTROL_MAGIC, FILE_HEADER, FileHeader, RecordType, WAL_MAGIC, encode as encode_record,
        scan,
    };
    pub(crate) use super::recovery::recover;
    pub(crate) use super::wal::segment_name;

    /// Opens storage over `backend` (recovery, then a live log), as
    /// `file://` does over a directory: the seed writer's way to get real
    /// log segments.
    #[cfg(test)]
    pub(crate) fn open(
        backend: std::sync::Arc<dyn super::backend::Backend>,
    ) -> Result<std::sync::Arc<super::Storage>, crate::SqlError> {
        super::Storage::open(backend)
    }
}

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use twill_types::{FormatSettings, SqlState};

use crate::mvcc::{CommitHook, CommitRecord, Engine, HookError, TableId};
use crate::sql::error::SqlError;
use crate::sql::sequence::{SequenceLog, Sequences};
use backend::{Backend, FileBackend, OpenError};
use checkpointer::Checkpointer;
use record::RecordType;
use wal::Wal;

pub(crate) use object::is_object_url;
pub use object::redact_url;

/// How often the background writer flushes commits that did not wait
/// (`synchronous_commit = off`).
pub(crate) const WRITER_INTERVAL: Duration = Duration::from_millis(200);

thread_local! {
    /// The LSN of the commit record this thread's last commit appended.
    static COMMIT_LSN: Cell<u64> = const { Cell::new(0) };
}

/// Takes the LSN the commit hook left on this thread (0: none, the
/// transaction wrote nothing).
pub(crate) fn take_commit_lsn() -> u64 {
    COMMIT_LSN.with(|c| c.replace(0))
}

/// An open durable database.
pub(crate) struct Storage {
    /// The store the log describes.
    engine: Engine,
    /// Sequence counters (checkpoints write their logged states).
    sequences: Arc<Sequences>,
    /// The log.
    wal: Arc<Wal>,
    /// The files (and the directory lock, for as long as this lives).
    backend: Arc<dyn Backend>,
    /// The database id in every file header.
    database_id: u64,
    /// The number of the current checkpoint (0: none yet); one checkpoint
    /// runs at a time.
    checkpoint: Mutex<u64>,
    /// The background thread that runs checkpoints the log asks for.
    checkpointer: Arc<Checkpointer>,
}

/// The commit hook: encodes the record and appends it to the log.
struct WalHook {
    wal: Arc<Wal>,
    /// To tell a fenced writer's refusal (25006) from a failed write.
    backend: Arc<dyn Backend>,
    /// To run a checkpoint on request (weak: the storage owns the engine,
    /// which owns this hook).
    storage: Weak<Storage>,
}

impl CommitHook for WalHook {
    fn on_commit(&self, record: &CommitRecord) -> Result<(), HookError> {
        let mut w = codec::Writer::default();
        w.commit(record, &FormatSettings::default());
        let lsn = self
            .wal
            .append(RecordType::Commit, &w.out)
            .map_err(|message| {
                let e = log_error(self.backend.as_ref(), message);
                HookError {
                    state: e.code,
                    message: e.message,
                }
            })?;
        COMMIT_LSN.with(|c| c.set(lsn));
        Ok(())
    }

    fn checkpoint(&self) -> Result<(), String> {
        match self.storage.upgrade() {
            Some(s) => s.checkpoint().map_err(|e| e.message),
            None => Ok(()),
        }
    }
}

/// Sequence states go to the same log.
struct WalSequences {
    wal: Weak<Wal>,
}

impl WalSequences {
    fn wal(&self) -> Result<Arc<Wal>, SqlError> {
        self.wal
            .upgrade()
            .ok_or_else(|| io_error("the write-ahead log is closed".into()))
    }
}

impl SequenceLog for WalSequences {
    fn log(&self, id: TableId, last: i64, is_called: bool) -> Result<u64, SqlError> {
        let payload = codec::sequence_state(id, last, is_called);
        self.wal()?
            .append(RecordType::Sequence, &payload)
            .map_err(io_error)
    }

    fn wait(&self, ticket: u64) -> Result<(), SqlError> {
        self.wal()?.wait_durable(ticket).map_err(io_error)
    }
}

/// 58030, for anything the log could not do.
fn io_error(message: String) -> SqlError {
    SqlError::new(SqlState::IO_ERROR, message)
}

/// A log failure as the client sees it: 25006 (like a write on a
/// PostgreSQL standby) once another writer has taken the database over,
/// else 58030.
fn log_error(backend: &dyn Backend, message: String) -> SqlError {
    match backend.fenced() {
        Some(why) => SqlError::new(SqlState::READ_ONLY_SQL_TRANSACTION, why),
        None => io_error(message),
    }
}

/// XX001, for files that do not read back.
fn corrupted(message: String) -> SqlError {
    SqlError::new(SqlState::DATA_CORRUPTED, message)
}

impl Storage {
    /// Opens (creating if needed) the `file://` database in `dir`:
    /// locks it, recovers, and starts logging. Returns the storage with
    /// its engine and sequences.
    pub(crate) fn open_dir(dir: &Path) -> Result<Arc<Storage>, SqlError> {
        let backend = match FileBackend::open(dir) {
            Ok(b) => b,
            Err(OpenError::InUse) => {
                return Err(SqlError::new(
                    SqlState::OBJECT_IN_USE,
                    format!(
                        "database directory \"{}\" is in use by another server",
                        dir.display()
                    ),
                ));
            }
            Err(OpenError::Io(e)) => {
                return Err(io_error(format!(
                    "could not open database directory \"{}\": {e}",
                    dir.display()
                )));
            }
        };
        Storage::open(Arc::new(backend))
    }

    /// Opens the database at an object-store URL (`s3://`, `gs://`,
    /// `r2://`), taking it over from any earlier writer (which is fenced),
    /// recovers, and starts logging.
    pub(crate) fn open_object(url: &str) -> Result<Arc<Storage>, SqlError> {
        use object::OpenError;
        let backend = match object::ObjectBackend::open(url) {
            Ok(b) => b,
            Err(OpenError::Config(why)) => {
                return Err(SqlError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("cannot open \"{url}\": {why}"),
                ));
            }
            Err(OpenError::TakenOver(why)) => {
                return Err(SqlError::new(SqlState::OBJECT_IN_USE, why));
            }
            Err(OpenError::Io(e)) => {
                return Err(io_error(format!("could not open \"{url}\": {e}")));
            }
        };
        Storage::open(Arc::new(backend))
    }

    fn open(backend: Arc<dyn Backend>) -> Result<Arc<Storage>, SqlError> {
        let recovered = recovery::recover(backend.as_ref())?;
        let wal = Arc::new(
            Wal::create(
                backend.clone(),
                recovered.database_id,
                recovered.next_segment,
                recovered.next_lsn,
                recovered.segments,
            )
            .map_err(|e| io_error(format!("could not start the write-ahead log: {e}")))?,
        );
        let sequences = Arc::new(Sequences::with_log(Arc::new(WalSequences {
            wal: Arc::downgrade(&wal),
        })));
        let engine = recovered.engine;
        recovery::restore_sequences(&engine, &sequences, &recovered.sequence_states);
        let storage = Arc::new(Storage {
            engine: engine.clone(),
            sequences,
            wal: wal.clone(),
            backend,
            database_id: recovered.database_id,
            checkpoint: Mutex::new(recovered.checkpoint),
            checkpointer: Arc::new(Checkpointer::default()),
        });
        storage.checkpointer.spawn(Arc::downgrade(&storage));
        engine.set_commit_hook(Arc::new(WalHook {
            wal: wal.clone(),
            backend: storage.backend.clone(),
            storage: Arc::downgrade(&storage),
        }));
        spawn_writer(Arc::downgrade(&wal));
        Ok(storage)
    }

    /// The engine.
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The sequence counters.
    pub(crate) fn sequences(&self) -> &Arc<Sequences> {
        &self.sequences
    }

    /// Durable appends to the log so far (fsyncs, or object puts).
    pub(crate) fn log_flushes(&self) -> u64 {
        self.wal.flushes()
    }

    /// After a transaction committed on this thread: waits (unless
    /// `synchronous` is false) until its commit record is durable, and runs
    /// a checkpoint if the log asked for one. An error here means the
    /// commit may not be durable and the database accepts no more.
    pub(crate) fn after_commit(&self, synchronous: bool) -> Result<(), SqlError> {
        let lsn = take_commit_lsn();
        if lsn == 0 {
            return Ok(());
        }
        if synchronous || self.wal.buffered() > wal::ASYNC_BUFFER_LIMIT {
            self.wal
                .wait_durable(lsn)
                .map_err(|m| log_error(self.backend.as_ref(), m))?;
        }
        if self.wal.take_checkpoint_request() {
            self.checkpointer.request();
        }
        Ok(())
    }

    /// True if anything was logged since the last checkpoint.
    fn logged_since_checkpoint(&self) -> bool {
        self.wal.bytes_since_checkpoint() > 0
    }

    /// Writes a checkpoint and drops the log before it.
    pub(crate) fn checkpoint(&self) -> Result<(), SqlError> {
        if let Some(fatal) = self.wal.fatal() {
            return Err(io_error(fatal));
        }
        let mut current = self.checkpoint.lock();
        let number = *current + 1;
        let (image, redo) = self.engine.checkpoint_read(|_| self.wal.next_lsn());
        // Sequence states after the redo point are also in the log, which
        // replay applies on top, in order.
        let sequences = self.sequences.durable_states();
        checkpoint::write(
            self.backend.as_ref(),
            self.database_id,
            number,
            redo,
            &image,
            &sequences,
        )
        .map_err(|e| io_error(format!("could not write checkpoint: {e}")))?;
        let previous = std::mem::replace(&mut *current, number);
        if previous > 0 {
            let _ = self.backend.remove(&checkpoint::file_name(previous));
        }
        self.wal
            .prune(redo)
            .map_err(|e| io_error(format!("could not remove old log segments: {e}")))?;
        Ok(())
    }
}

impl Drop for Storage {
    /// Clean shutdown: flush and checkpoint, so the next open replays
    /// nothing. Errors are ignored: the log already holds every
    /// acknowledged commit.
    fn drop(&mut self) {
        if self.wal.flush().is_ok() {
            let _ = self.checkpoint();
        }
        // Let the checkpointer thread see that the storage is gone.
        self.checkpointer.request();
    }
}

/// The background writer: flushes commits that did not wait, until the
/// log is gone.
fn spawn_writer(wal: Weak<Wal>) {
    let _ = std::thread::Builder::new()
        .name("twill-wal-writer".into())
        .spawn(move || {
            loop {
                std::thread::sleep(WRITER_INTERVAL);
                let Some(wal) = wal.upgrade() else {
                    return;
                };
                if wal.flush().is_err() {
                    return;
                }
            }
        });
}
