//! The `copy` target: arbitrary COPY FROM STDIN data in text, csv and
//! binary, into a table with a column of most types and a few constraints.
//!
//! The input's first byte picks the format and options (`SHAPES`), the
//! second how the data is cut into CopyData chunks (the decoder must not
//! care), and the rest is the data. Seeds are real `COPY … TO STDOUT`
//! output of the same table in every shape, written by the engine
//! (`replay.rs`, `write_seeds`).
//!
//! Invariants:
//!
//! * the data ends in `COPY n` or in an error of an allowed class
//!   ([`allowed`]): 22 (data exceptions: 22P02 a bad value, 22P04 a bad
//!   COPY format, 22003 out of range, 22001 too long for `varchar(3)`,
//!   22007/22008 dates, 22021 bad UTF-8…) or 23 (the constraints an
//!   `INSERT` of the same row would violate: 23502 NOT NULL, 23505 UNIQUE,
//!   23514 CHECK); besides those only 57014, when the watchdog's statement
//!   timeout ended a slow COPY, 54000 (a value over a size limit), and
//!   08P01 "insufficient data left in message", which PostgreSQL's binary
//!   receive functions raise for a field shorter than its type (a binary
//!   COPY decodes each field with them), and 42804 from array_recv when a
//!   binary array names another element type;
//! * after an error the COPY is over: more data is refused with 08P01 and
//!   the session is idle again;
//! * after `COPY n` the table holds n rows, and they round-trip: `COPY TO`
//!   in the same shape, fed back into an empty twin table, gives the same
//!   rows.

use super::{check_error, fresh_session, setup};
use crate::{Output, Session, SqlError, TxStatus};

/// The table the data goes to, and its empty twin for the round trip.
pub(super) const TABLE: &str = "(i int UNIQUE, t text NOT NULL DEFAULT '', n numeric(8,2), \
     f float8, d date, ts timestamptz, b bytea, j jsonb, a int[], v varchar(3), \
     bo bool CHECK (bo IS NOT FALSE), iv interval)";

/// Every shape (format and options, `WITH (…)` of both directions) the
/// first byte can pick.
pub(super) const SHAPES: &[&str] = &[
    "FORMAT text",
    "FORMAT text, HEADER",
    "FORMAT text, DELIMITER '|', NULL 'NULL'",
    "FORMAT csv",
    "FORMAT csv, HEADER",
    "FORMAT csv, DELIMITER ';', QUOTE '''', NULL 'N'",
    "FORMAT csv, ESCAPE '\\'",
    "FORMAT binary",
];

/// Whether an error is one that COPY data may legitimately cause.
pub(super) fn allowed(e: &SqlError) -> bool {
    matches!(e.code.class(), "22" | "23")
        || matches!(e.code.code(), "57014" | "54000" | "08P01" | "42804")
        || internal_as_in_postgres(e)
}

/// PostgreSQL's `jsonb_recv` raises a bad version byte as an internal error
/// (`elog`, XX000); we answer exactly the same, so it is not a finding.
fn internal_as_in_postgres(e: &SqlError) -> bool {
    e.code.code() == "XX000" && e.message.starts_with("unsupported jsonb version number")
}

/// Runs the input (see the module docs).
pub fn copy(data: &[u8]) {
    let (shape, chunk, body) = match data {
        [s, c, rest @ ..] => (
            SHAPES[usize::from(*s) % SHAPES.len()],
            usize::from(*c),
            rest,
        ),
        _ => return,
    };
    let mut s = fresh_session();
    setup(&mut s, &format!("CREATE TABLE c {TABLE}"));
    setup(&mut s, &format!("CREATE TABLE c2 {TABLE}"));
    let Some(n) = copy_in(&mut s, "c", shape, body, chunk) else {
        return;
    };
    let count = query_text(&mut s, "SELECT count(*) FROM c");
    assert_eq!(
        count,
        [[format!("Int8({n})")]],
        "COPY {n} but the table disagrees"
    );

    // Round trip: what COPY TO writes, COPY FROM reads back to the same rows.
    let out = copy_out(&mut s, "c", shape);
    let again = copy_in(&mut s, "c2", shape, &out, chunk);
    assert_eq!(again, Some(n), "COPY TO output did not read back");
    assert_eq!(
        query_text(&mut s, "SELECT * FROM c"),
        query_text(&mut s, "SELECT * FROM c2"),
        "rows changed in a COPY round trip ({})",
        shape
    );
}

/// Feeds `data` to `COPY table FROM STDIN` in chunks of `chunk` bytes (0:
/// one chunk); the row count, or `None` after an allowed error.
fn copy_in(s: &mut Session, table: &str, options: &str, data: &[u8], chunk: usize) -> Option<u64> {
    let sql = format!("COPY {table} FROM STDIN WITH ({options})");
    // Starting a COPY is setup too: no statement timeout.
    let started = s.query(&sql).outputs;
    assert!(
        matches!(started.last(), Some(Output::CopyIn { .. })),
        "{sql} did not start: {started:?}"
    );
    let size = if chunk == 0 { data.len().max(1) } else { chunk };
    for piece in data.chunks(size) {
        if let Err(e) = s.copy_data(piece) {
            check_copy_error(s, &e, &sql);
            return None;
        }
    }
    let done = s.copy_done();
    match done.outputs.as_slice() {
        [Output::Complete(tag)] => {
            let n = tag.strip_prefix("COPY ").and_then(|n| n.parse().ok());
            assert!(n.is_some(), "bad COPY tag {tag:?}");
            n
        }
        [Output::Error(e)] => {
            check_copy_error(s, e, &sql);
            None
        }
        other => panic!("unexpected answer to CopyDone: {other:?}"),
    }
}

/// An error during COPY data: an allowed class, and the COPY is over.
fn check_copy_error(s: &mut Session, e: &SqlError, sql: &str) {
    if !internal_as_in_postgres(e) {
        check_error(e, sql);
    }
    assert!(
        allowed(e),
        "{sql}: COPY data raised {} {:?}",
        e.code,
        e.message
    );
    assert_eq!(
        s.status(),
        TxStatus::Idle,
        "a failed COPY leaves the session idle"
    );
    let more = s.copy_data(b"1\n").expect_err("data after a failed COPY");
    assert_eq!(more.code.code(), "08P01");
}

/// `COPY table TO STDOUT` in `options`, as the bytes a client would save.
fn copy_out(s: &mut Session, table: &str, options: &str) -> Vec<u8> {
    let sql = format!("COPY {table} TO STDOUT WITH ({options})");
    let mut out = Vec::new();
    for o in s.simple_query(&sql) {
        match o {
            Output::CopyData(d) => out.extend_from_slice(&d),
            Output::Error(e) => panic!("{sql}: {e:?}"),
            _ => {}
        }
    }
    out
}

/// A query's rows as text (floats and NaN compare as they print).
fn query_text(s: &mut Session, sql: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for o in s.simple_query(sql) {
        match o {
            Output::Rows(r) => rows.extend(
                r.iter()
                    .map(|row| row.iter().map(|v| format!("{v:?}")).collect()),
            ),
            Output::Error(e) => panic!("{sql}: {e:?}"),
            _ => {}
        }
    }
    rows
}
