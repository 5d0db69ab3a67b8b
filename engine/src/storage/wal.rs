//! The write-ahead log: an in-memory tail buffer, group commit, segments.
//!
//! ```text
//!   commit hook (under the store lock)      session, after the commit returned
//!   ───────────────────────────────────     ──────────────────────────────────
//!   append(record) → lsn 41  ──┐            wait_durable(41):
//!   append(record) → lsn 42  ──┤ buffer       durable ≥ 41? done
//!                              │              a flush running? sleep, look again
//!                              └──────────▶   else lead: take the buffer (41, 42),
//!                                               write + fdatasync outside the lock,
//!                                               durable = 42, wake everyone
//! ```
//!
//! [`Wal::append`] only frames a record into the buffer and hands out the
//! next LSN; it is cheap enough to run under the store lock. A session
//! that needs its commit durable calls [`Wal::wait_durable`]: the first
//! waiter to find no flush running becomes the leader and writes *all*
//! buffered records with one `fdatasync`; waiters that arrive meanwhile
//! sleep, and either find themselves covered when it finishes or lead the
//! next flush with everything that accumulated — so under load one fsync
//! serves many commits.
//!
//! **Fatal is sticky.** If a write or `fdatasync` fails, the kernel may
//! have dropped the dirty pages (the "fsyncgate" lesson): retrying could
//! report success for data that is gone. The log records the error and
//! refuses every later append and wait with it; the database must be
//! reopened (recovery replays what did reach the disk).
//!
//! Segments: the leader writes into the current segment and, once it has
//! grown past [`SEGMENT_BYTES`], starts a new one (numbered, with the LSN
//! of its first record in its header). Records never span segments.

use std::mem;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex};

use super::backend::{Backend, LogFile};
use super::record::{self, FileHeader, RecordType, WAL_MAGIC};

/// A segment is closed and a new one started once it is this big.
pub(crate) const SEGMENT_BYTES: u64 = 16 << 20;

/// Log bytes written since the last checkpoint that ask for a new one.
pub(crate) const CHECKPOINT_BYTES: u64 = 64 << 20;

/// Buffered bytes past which a commit that does not wait for durability
/// (`synchronous_commit = off`) flushes anyway: the buffer is bounded.
pub(crate) const ASYNC_BUFFER_LIMIT: usize = 4 << 20;

/// The name of log segment `n`.
pub(crate) fn segment_name(n: u64) -> String {
    format!("wal-{n:016x}")
}

/// The buffer and flush state, behind one short-held mutex.
struct Tail {
    /// Framed records not yet handed to a flush.
    buffer: Vec<u8>,
    /// The LSN the next appended record gets.
    next_lsn: u64,
    /// Every record with an LSN up to here is durable.
    durable: u64,
    /// A leader is writing (outside this mutex).
    flushing: bool,
    /// The first write or sync error; once set, nothing more is accepted.
    fatal: Option<String>,
}

/// The current segment and what is known about the older ones.
struct Segments {
    /// Where files live.
    backend: Arc<dyn Backend>,
    /// Written into every segment header.
    database_id: u64,
    /// The segment being appended to.
    current: Box<dyn LogFile>,
    /// Number and first LSN of every segment on disk, oldest first (the
    /// current one last), so a checkpoint knows which it may delete.
    on_disk: Vec<(u64, u64)>,
    /// Log bytes written since the last checkpoint.
    since_checkpoint: u64,
}

/// The log. Shared by the commit hook, the sessions and checkpoints.
pub(crate) struct Wal {
    /// Buffer and flush state.
    tail: Mutex<Tail>,
    /// Signalled when a flush ends.
    flushed: Condvar,
    /// Held by the flush leader (and by checkpoints pruning segments).
    segments: Mutex<Segments>,
    /// Set when the log has grown past [`CHECKPOINT_BYTES`] since the last
    /// checkpoint; the next committer to see it runs one.
    wants_checkpoint: AtomicBool,
    /// Durable appends so far (fsyncs on `file://`, puts on object stores).
    flushes: AtomicU64,
}

impl Wal {
    /// A log that appends to a new segment numbered `segment`, whose first
    /// record will be `next_lsn`. `on_disk` lists the older segments kept.
    pub(crate) fn create(
        backend: Arc<dyn Backend>,
        database_id: u64,
        segment: u64,
        next_lsn: u64,
        mut on_disk: Vec<(u64, u64)>,
    ) -> std::io::Result<Wal> {
        let mut header = Vec::new();
        FileHeader {
            magic: *WAL_MAGIC,
            database_id,
            number: segment,
            lsn: next_lsn,
        }
        .encode(&mut header);
        let current = backend.create_log(&segment_name(segment), &header)?;
        on_disk.push((segment, next_lsn));
        Ok(Wal {
            tail: Mutex::new(Tail {
                buffer: Vec::new(),
                next_lsn,
                durable: next_lsn - 1,
                flushing: false,
                fatal: None,
            }),
            flushed: Condvar::new(),
            segments: Mutex::new(Segments {
                backend,
                database_id,
                current,
                on_disk,
                since_checkpoint: 0,
            }),
            wants_checkpoint: AtomicBool::new(false),
            flushes: AtomicU64::new(0),
        })
    }

    /// Frames a record into the buffer; returns its LSN. Fails once the
    /// log is broken.
    pub(crate) fn append(&self, ty: RecordType, payload: &[u8]) -> Result<u64, String> {
        let mut tail = self.tail.lock();
        if let Some(fatal) = &tail.fatal {
            return Err(fatal.clone());
        }
        let lsn = tail.next_lsn;
        tail.next_lsn += 1;
        record::encode(&mut tail.buffer, ty, lsn, payload);
        Ok(lsn)
    }

    /// Bytes appended but not yet handed to a flush.
    pub(crate) fn buffered(&self) -> usize {
        self.tail.lock().buffer.len()
    }

    /// The LSN the next record will get (everything before it has been
    /// appended).
    pub(crate) fn next_lsn(&self) -> u64 {
        self.tail.lock().next_lsn
    }

    /// Returns once every record up to `lsn` is durable, leading a flush
    /// if none is running. Fails (for good) if a write or sync failed.
    pub(crate) fn wait_durable(&self, lsn: u64) -> Result<(), String> {
        let mut tail = self.tail.lock();
        loop {
            if let Some(fatal) = &tail.fatal {
                return Err(fatal.clone());
            }
            if tail.durable >= lsn {
                return Ok(());
            }
            if tail.flushing {
                self.flushed.wait(&mut tail);
                continue;
            }
            // Lead: take everything buffered so far.
            tail.flushing = true;
            let batch = mem::take(&mut tail.buffer);
            let upto = tail.next_lsn - 1;
            drop(tail);
            let result = self.write_batch(&batch, upto);
            tail = self.tail.lock();
            tail.flushing = false;
            match result {
                Ok(()) => tail.durable = upto,
                Err(e) => tail.fatal = Some(e),
            }
            // Give the buffer's allocation back for reuse.
            if tail.buffer.is_empty() {
                let mut batch = batch;
                batch.clear();
                tail.buffer = batch;
            }
            self.flushed.notify_all();
        }
    }

    /// Makes everything appended so far durable (the background writer,
    /// shutdown, checkpoints).
    pub(crate) fn flush(&self) -> Result<(), String> {
        let upto = self.next_lsn() - 1;
        self.wait_durable(upto)
    }

    /// Log bytes written since the last checkpoint.
    pub(crate) fn bytes_since_checkpoint(&self) -> u64 {
        self.segments.lock().since_checkpoint
    }

    /// Durable appends so far: one per group-commit batch.
    pub(crate) fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }

    /// True (once) if the log has grown enough to want a checkpoint.
    pub(crate) fn take_checkpoint_request(&self) -> bool {
        self.wants_checkpoint.swap(false, Ordering::Relaxed)
    }

    /// The first error, if the log is broken.
    pub(crate) fn fatal(&self) -> Option<String> {
        self.tail.lock().fatal.clone()
    }

    /// Writes one batch (the leader, no tail lock held).
    fn write_batch(&self, batch: &[u8], upto: u64) -> Result<(), String> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut segs = self.segments.lock();
        segs.current
            .append_durable(batch)
            .map_err(|e| format!("could not write to the write-ahead log: {e}"))?;
        self.flushes.fetch_add(1, Ordering::Relaxed);
        segs.since_checkpoint += batch.len() as u64;
        let full = segs.current.full();
        if segs.since_checkpoint >= CHECKPOINT_BYTES || full {
            self.wants_checkpoint.store(true, Ordering::Relaxed);
        }
        if segs.current.len() >= SEGMENT_BYTES || full {
            let number = segs.on_disk.last().map_or(1, |s| s.0 + 1);
            let mut header = Vec::new();
            FileHeader {
                magic: *WAL_MAGIC,
                database_id: segs.database_id,
                number,
                lsn: upto + 1,
            }
            .encode(&mut header);
            segs.current = segs
                .backend
                .create_log(&segment_name(number), &header)
                .map_err(|e| format!("could not create a write-ahead log segment: {e}"))?;
            segs.on_disk.push((number, upto + 1));
        }
        Ok(())
    }

    /// After a checkpoint whose redo LSN is `redo`: deletes the segments
    /// holding only records before it.
    pub(crate) fn prune(&self, redo: u64) -> std::io::Result<()> {
        let mut segs = self.segments.lock();
        segs.since_checkpoint = 0;
        while segs.on_disk.len() > 1 && segs.on_disk[1].1 <= redo {
            let (number, _) = segs.on_disk.remove(0);
            segs.backend.remove(&segment_name(number))?;
        }
        Ok(())
    }
}
