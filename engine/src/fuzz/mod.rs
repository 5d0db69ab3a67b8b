//! Fuzz harnesses for the engine, shared by the cargo-fuzz targets in
//! `fuzz/` (`sql`, `copy`, `wal`) and by unit tests that replay the
//! checked-in seeds and crash reproducers on stable.
//!
//! Compiled only for tests and under `--cfg fuzzing` (which cargo-fuzz
//! sets), so none of this is part of the public API. Each harness takes
//! raw bytes and panics if an invariant breaks. "No panic" is never the
//! whole check:
//!
//! * every answer is well formed: a result's rows are as wide as its
//!   columns, an error carries a SQLSTATE that is never XX000 (the engine's
//!   "should have been impossible"), and the stream ends after an error;
//! * every statement ends in bounded time: a watchdog cancels it, like the
//!   wire core's `statement_timeout` does, and it must stop soon after;
//! * COPY data fails only with data errors or the constraint errors an
//!   INSERT of the same row would raise (`copy.rs`);
//! * recovery replays a prefix of the log or refuses with XX001, and what
//!   it leaves behind recovers again to the same state (`wal.rs`).
//!
//! ```text
//! mod.rs      the drive loop and the checks on every answer
//! watchdog.rs the statement timeout: one thread that cancels late statements
//! sql.rs      arbitrary SQL: raw text, or statements generated from a grammar
//! copy.rs     arbitrary COPY FROM STDIN data in text, csv and binary
//! wal.rs      arbitrary bytes as a log, recovered from an in-memory backend
//! replay.rs   the seeds and reproducers as unit tests
//! seeds.rs    writes the seed corpora from real SQL, COPY output and logs
//! ```

mod copy;
#[cfg(test)]
mod replay;
#[cfg(test)]
mod seeds;
mod sql;
mod wal;
mod watchdog;

use std::time::{Duration, Instant};

use twill_types::SqlState;

use crate::{Batch, Output, Session, SqlError, TxStatus};

pub use copy::copy;
pub use sql::sql;
pub use wal::wal;

/// How long a statement may run before the watchdog cancels it: short, so
/// an exec stays fast, but long enough for every realistic seed.
const STATEMENT_TIMEOUT: Duration = Duration::from_millis(150);

/// How long after the cancel a statement may take to notice it. A
/// statement that runs past this ignores cancellation: a finding.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// At most this many batches per query string: a result larger than
/// this many thousand rows is cut off (the rest is never read).
const MAX_BATCHES: usize = 64;

/// Checks one error answer: a real SQLSTATE, never the engine's internal one.
fn check_error(e: &SqlError, sql: &str) {
    assert_ne!(
        e.code,
        SqlState::INTERNAL_ERROR,
        "internal error {:?} for {sql:?}",
        e.message
    );
    assert!(
        e.code.code().bytes().all(|b| b.is_ascii_alphanumeric()),
        "malformed SQLSTATE for {sql:?}"
    );
}

/// What one simple query answered, for harnesses that look further.
#[derive(Default)]
struct Answer {
    /// Errors, in order (at most one ends the stream).
    errors: Vec<SqlError>,
    /// Whether the stream stopped at a COPY FROM STDIN.
    copy_in: bool,
}

/// Runs one query string to the end of its stream under the watchdog,
/// checking every batch, and returns its errors. A COPY FROM STDIN stops
/// the stream (the caller feeds or ends it).
fn run_query(session: &mut Session, sql: &str) -> Answer {
    run(session, sql, false)
}

/// [`run_query`], but a COPY FROM STDIN gets no data (CopyDone at once)
/// and the rest of the query string runs.
fn run_to_end(session: &mut Session, sql: &str) -> Answer {
    run(session, sql, true)
}

fn run(session: &mut Session, sql: &str, end_copy: bool) -> Answer {
    let timer = watchdog::arm(session.cancel_handle(), STATEMENT_TIMEOUT);
    let started = Instant::now();
    let mut answer = Answer::default();
    let mut checker = StreamCheck::default();
    let mut batch = session.query(sql);
    for n in 0.. {
        checker.batch(&batch, sql, &mut answer);
        if answer.copy_in && end_copy {
            answer.copy_in = false;
            batch = session.copy_done();
            continue;
        }
        if !batch.more || answer.copy_in {
            break;
        }
        if n == MAX_BATCHES {
            // Dropping the rest of a stream is what a new query does.
            break;
        }
        batch = session.fetch();
    }
    drop(timer);
    let took = started.elapsed();
    assert!(
        took < STATEMENT_TIMEOUT + CANCEL_GRACE,
        "{sql:?} ran {took:?}: it ignored the statement timeout"
    );
    answer
}

/// The shape of a result stream, checked batch by batch.
#[derive(Default)]
struct StreamCheck {
    /// Columns of the statement whose rows are arriving.
    width: Option<usize>,
    /// An error ended the stream.
    ended: bool,
}

impl StreamCheck {
    fn batch(&mut self, batch: &Batch, sql: &str, answer: &mut Answer) {
        assert!(!self.ended, "output after an error for {sql:?}");
        for out in &batch.outputs {
            assert!(!answer.copy_in, "output after CopyIn for {sql:?}");
            match out {
                Output::Columns(cols) => self.width = Some(cols.len()),
                Output::Rows(rows) => {
                    let width = self.width.expect("rows before their columns");
                    for row in rows {
                        assert_eq!(row.len(), width, "row width for {sql:?}");
                    }
                }
                Output::Complete(tag) => {
                    assert!(!tag.is_empty(), "empty command tag for {sql:?}");
                    self.width = None;
                }
                Output::Error(e) => {
                    check_error(e, sql);
                    answer.errors.push(e.clone());
                    self.ended = true;
                }
                Output::Notice(e) => assert!(!e.code.code().is_empty()),
                Output::CopyIn { .. } => answer.copy_in = true,
                _ => {}
            }
        }
        if self.ended {
            assert!(!batch.more, "more batches after an error for {sql:?}");
        }
        if batch.status == TxStatus::Failed {
            assert!(
                answer.errors.len() + usize::from(answer.copy_in) > 0 || !batch.outputs.is_empty(),
                "a block failed silently for {sql:?}"
            );
        }
    }
}

/// A fresh in-memory database with a session and a small schema that
/// generated statements refer to.
fn fresh_session() -> Session {
    let db = crate::Database::open("memory://").expect("memory:// opens");
    let mut s = db.connect("fuzz", &[]).expect("connect");
    // Not under the watchdog: on a loaded machine even a CREATE TABLE can
    // take longer than the statement timeout.
    for sql in SCHEMA {
        setup(&mut s, sql);
    }
    s
}

/// Runs a setup statement with no statement timeout; it must succeed.
fn setup(s: &mut Session, sql: &str) {
    let out = s.simple_query(sql);
    let errors: Vec<_> = out
        .iter()
        .filter(|o| matches!(o, Output::Error(_)))
        .collect();
    assert!(errors.is_empty(), "setup {sql}: {errors:?}");
}

/// The schema every exec starts from (see `sql.rs` for the names).
const SCHEMA: &[&str] = &[
    "CREATE TABLE t (a int PRIMARY KEY, b text, c float8 DEFAULT 1.5, d numeric)",
    "CREATE TABLE u (x int NOT NULL, y text UNIQUE, z bool CHECK (z IS NOT FALSE), w date)",
    "INSERT INTO t VALUES (1, 'one', 1.0, 10.5), (2, 'two', NULL, NULL), (3, NULL, -0.0, 0)",
    "INSERT INTO u VALUES (1, 'a', true, '2024-01-01'), (2, NULL, NULL, NULL)",
];
