//! Writes the seed corpora of the engine's fuzz targets from real inputs:
//!
//! * `sql`: the statements of `engine/tests/slt/*.slt` and of the client
//!   captures in `../shared/clients/sql/*.sql`, eight to a seed, plus a few
//!   grammar-mode inputs;
//! * `copy`: what `COPY … TO STDOUT` writes for a table of awkward values,
//!   in every shape the harness knows;
//! * `wal`: the log segment the engine writes for a workload of DDL, DML
//!   and sequences, raw and re-framed.
//!
//! Run it after changing a harness's input format, and review the diff:
//!
//! ```text
//! TWILL_WRITE_FUZZ_SEEDS=1 cargo test -p twill-engine --lib fuzz::seeds -- --ignored
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::copy::{SHAPES, TABLE};
use crate::storage::fuzzing::{FILE_HEADER, MemBackend, open, scan, segment_name};
use crate::{Database, Output, Session};

fn seed_dir(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    std::fs::create_dir_all(&dir).expect("create the seed directory");
    dir
}

fn write(target: &str, name: &str, data: &[u8]) {
    std::fs::write(seed_dir(target).join(name), data).expect("write a seed");
}

#[test]
#[ignore = "writes fuzz/seeds/; run with TWILL_WRITE_FUZZ_SEEDS=1"]
fn write_seeds() {
    if std::env::var_os("TWILL_WRITE_FUZZ_SEEDS").is_none() {
        return;
    }
    sql_seeds();
    copy_seeds();
    wal_seeds();
}

/// The statements of an slt file: the lines after `statement`/`query`
/// up to a blank line or the `----` before the expected rows.
fn slt_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("statement") || line.starts_with("query") {
            current = Some(String::new());
        } else if line.trim().is_empty() || line == "----" {
            if let Some(s) = current.take().filter(|s| !s.is_empty()) {
                out.push(s);
            }
        } else if let Some(s) = current.as_mut() {
            s.push_str(line);
            s.push('\n');
        }
    }
    out.extend(current.filter(|s| !s.is_empty()));
    out
}

/// The statements of a client capture: blocks between blank lines, minus
/// their `--` comment lines.
fn client_statements(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
        .collect()
}

fn sql_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = [
        (
            root.join("tests/slt"),
            "slt",
            slt_statements as fn(&str) -> Vec<String>,
        ),
        (
            root.join("../../shared/clients/sql"),
            "sql",
            client_statements,
        ),
    ];
    for (dir, ext, statements) in sources {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.map(|e| e.expect("dir entry").path()) {
            if path.extension().and_then(|e| e.to_str()) != Some(ext) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
            for (i, group) in statements(&text).chunks(8).enumerate() {
                let body: String = group
                    .iter()
                    .map(|s| format!("{};\n", s.trim_end().trim_end_matches(';')))
                    .collect();
                write("sql", &format!("{ext}-{stem}-{i:02}"), body.as_bytes());
            }
        }
    }
    // Grammar mode: a control byte, then bytes for `Unstructured`.
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..24 {
        let mut data = vec![1u8];
        data.extend((0..64 + i * 16).map(|_| rng.u8(..)));
        write("sql", &format!("grammar-{i:02}"), &data);
    }
}

/// Rows with the awkward values of each column type.
const COPY_ROWS: &str = "INSERT INTO c VALUES \
    (1, 'plain', 1.5, 0.1, '2024-02-29', '2024-01-01 12:00:00+00', '\\x00ff', '{\"a\": [1, null]}', '{1,2,NULL}', 'abc', true, '1 day 2 hours'), \
    (2, E'tab\\there\\nnewline \\\\ back', -999999.99, 'NaN', 'infinity', '-infinity', '', '[]', '{}', '', NULL, '-1 mons'), \
    (3, 'quote \" and '' and ,;|', NULL, '-Infinity', NULL, NULL, NULL, 'null', NULL, NULL, true, NULL), \
    (NULL, '', 0, -0.0, '0001-01-01', NULL, '\\x5c2e', '\"\\\\.\"', '{-2147483648}', 'ü€', NULL, '0'), \
    (5, '\\.', 123456.78, 1e308, '4713-01-01 BC', 'epoch', '\\x', '{\"k\": \"\\\\u00e9\"}', '{0}', 'N', true, '-178000000 years')";

fn run(s: &mut Session, sql: &str) -> Vec<Output> {
    let out = s.simple_query(sql);
    if let Some(Output::Error(e)) = out.iter().find(|o| matches!(o, Output::Error(_))) {
        panic!("{sql}: {e:?}");
    }
    out
}

fn copy_seeds() {
    let db = Database::open("memory://").expect("memory://");
    let mut s = db.connect("seeds", &[]).expect("connect");
    run(&mut s, &format!("CREATE TABLE c {TABLE}"));
    run(&mut s, COPY_ROWS);
    for (i, shape) in SHAPES.iter().enumerate() {
        let mut data = Vec::new();
        for o in run(&mut s, &format!("COPY c TO STDOUT WITH ({shape})")) {
            if let Output::CopyData(d) = o {
                data.extend_from_slice(&d);
            }
        }
        for chunk in [0u8, 7] {
            let mut seed = vec![i as u8, chunk];
            seed.extend_from_slice(&data);
            write("copy", &format!("shape{i}-chunk{chunk}"), &seed);
        }
    }
    // psql's shape: the rows and the end-of-data line in one CopyData.
    write(
        "copy",
        "psql-end-marker",
        b"\x00\x00carol\tdave\n7\tx\n\\.\n",
    );
}

/// A workload of every kind of log record: DDL, DML, sequences.
const WAL_WORKLOAD: &[&str] = &[
    "CREATE TABLE a (id serial PRIMARY KEY, name text NOT NULL, n numeric, at timestamptz)",
    "INSERT INTO a (name, n, at) VALUES ('x', 1.5, now()), ('y', NULL, NULL)",
    "CREATE TABLE b (k int, v jsonb, tags text[], raw bytea)",
    "CREATE INDEX b_k ON b (k)",
    "INSERT INTO b VALUES (1, '{\"a\": 1}', '{p,q}', '\\x00'), (2, NULL, NULL, NULL)",
    "UPDATE a SET n = n * 2 WHERE name = 'x'",
    "DELETE FROM b WHERE k = 2",
    "CREATE SEQUENCE s START 10",
    "SELECT nextval('s')",
    "ALTER TABLE a ADD COLUMN extra int DEFAULT 7",
    "BEGIN; INSERT INTO b VALUES (3, '[]', '{}', '\\xff'); COMMIT",
    "CREATE TABLE gone (x int)",
    "DROP TABLE gone",
];

fn wal_seeds() {
    let backend = MemBackend::default();
    let storage = open(Arc::new(backend.clone())).expect("open memory storage");
    let db = Database::from_storage_for_tests(storage);
    let mut s = db.connect("seeds", &[]).expect("connect");
    for sql in WAL_WORKLOAD {
        run(&mut s, sql);
    }
    let files = backend.files();
    let segment = files[&segment_name(1)].clone();
    drop(s);
    drop(db);

    let mut raw = vec![0u8];
    raw.extend_from_slice(&segment);
    write("wal", "raw", &raw);
    let torn = &raw[..raw.len() - 5];
    write("wal", "raw-torn-tail", torn);
    let mut redo2 = raw.clone();
    redo2[0] = 4;
    write("wal", "raw-redo-2", &redo2);

    let (records, _) = scan(&segment[FILE_HEADER..]);
    let mut framed = vec![1u8];
    for (_, r) in &records {
        framed.push(r.ty as u8);
        framed.extend_from_slice(&(r.payload.len() as u16).to_le_bytes());
        framed.extend_from_slice(r.payload);
    }
    write("wal", "framed", &framed);

    // Two segments, cut after the third record: the second lacks a header.
    let cut = records
        .get(3)
        .map_or(segment.len(), |(at, _)| FILE_HEADER + at);
    let mut two = vec![2u8];
    two.extend_from_slice(&(cut as u16).to_le_bytes());
    two.extend_from_slice(&segment);
    write("wal", "two-segments", &two);
}
