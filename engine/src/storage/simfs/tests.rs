//! Every acknowledged commit survives a crash at every mutating
//! file-system call of a workload (creation, commits, checkpoints, a
//! segment switch), with torn unsynced tails; a full disk stops commits
//! with a clear error and loses nothing acknowledged.

use std::path::Path;
use std::sync::Arc;

use twill_types::Value;

use super::SimFs;
use crate::session::{Database, Output};
use crate::storage::Storage;
use crate::storage::backend::FileBackend;

const DIR: &str = "/sim/db";
const ROWS: i64 = 24;

fn open(fs: &SimFs) -> Result<Database, crate::SqlError> {
    let backend = FileBackend::on(Arc::new(fs.clone()), Path::new(DIR))
        .map_err(|e| crate::SqlError::new(twill_types::SqlState::IO_ERROR, e.to_string()))?;
    Storage::open(Arc::new(backend)).map(Database::from_storage_for_tests)
}

fn failed(out: &[Output]) -> bool {
    out.iter().any(|o| matches!(o, Output::Error(_)))
}

/// What the workload saw acknowledged.
#[derive(Default, Debug)]
struct Acked {
    table: bool,
    rows: Vec<i64>,
}

/// Creates a table, inserts rows one commit each, checkpoints now and
/// then; stops at the first error.
fn workload(fs: &SimFs) -> Acked {
    let mut acked = Acked::default();
    let Ok(db) = open(fs) else {
        return acked;
    };
    let mut s = db.connect("sim", &[]).expect("session");
    if failed(&s.simple_query("CREATE TABLE t (id int PRIMARY KEY, v text)")) {
        return acked;
    }
    acked.table = true;
    for i in 1..=ROWS {
        if failed(&s.simple_query(&format!("INSERT INTO t VALUES ({i}, 'row {i}')"))) {
            return acked;
        }
        acked.rows.push(i);
        if i % 8 == 0 && failed(&s.simple_query("CHECKPOINT")) {
            return acked;
        }
    }
    acked
}

/// Opens the crash image and checks it holds every acknowledged row.
fn verify(image: &SimFs, acked: &Acked, at: u64) {
    let db = open(image).unwrap_or_else(|e| panic!("crash at call {at}: reopen failed: {e:?}"));
    let mut s = db.connect("sim", &[]).expect("session");
    let out = s.simple_query("SELECT id FROM t ORDER BY id");
    if !acked.table {
        return; // the table may or may not have made it
    }
    let ids: Vec<i64> = out
        .iter()
        .filter_map(|o| match o {
            Output::Rows(r) => Some(r.clone()),
            Output::Error(e) => panic!("crash at call {at}: {e:?}"),
            _ => None,
        })
        .flatten()
        .map(|r| match r[0] {
            Value::Int4(i) => i64::from(i),
            ref other => panic!("{other:?}"),
        })
        .collect();
    for id in &acked.rows {
        assert!(
            ids.contains(id),
            "crash at call {at}: acknowledged row {id} lost; have {ids:?}"
        );
    }
    assert!(ids.iter().all(|id| (1..=ROWS).contains(id)), "{ids:?}");
    // Recovery leaves a database that takes new commits.
    assert!(!failed(
        &s.simple_query("INSERT INTO t VALUES (1000, 'after')")
    ));
}

#[test]
fn every_acknowledged_commit_survives_a_crash_at_every_call() {
    // How many calls the whole workload makes without faults.
    let clean = SimFs::default();
    let full = workload(&clean);
    assert_eq!(full.rows.len() as i64, ROWS);
    let total = clean.calls();
    assert!(total > 2 * ROWS as u64, "{total} calls");
    for at in 1..=total {
        let fs = SimFs::default();
        fs.crash_at(at);
        let acked = workload(&fs);
        for seed in [at, at + 7_919] {
            verify(&fs.crash_image(seed), &acked, at);
        }
    }
}

#[test]
fn a_full_disk_stops_commits_with_a_clear_error() {
    let fs = SimFs::default();
    let db = open(&fs).expect("open");
    let mut s = db.connect("sim", &[]).expect("session");
    assert!(!failed(
        &s.simple_query("CREATE TABLE t (id int PRIMARY KEY, v text)")
    ));
    assert!(!failed(&s.simple_query("INSERT INTO t VALUES (1, 'kept')")));
    fs.full_at(fs.calls() + 1);
    for i in 2..4 {
        let out = s.simple_query(&format!("INSERT INTO t VALUES ({i}, 'lost')"));
        match out.iter().find(|o| matches!(o, Output::Error(_))) {
            Some(Output::Error(e)) => {
                assert_eq!(e.code.code(), "58030", "{e:?}");
                assert!(
                    e.message.contains("No space left on device"),
                    "{}",
                    e.message
                );
            }
            other => panic!("a commit on a full disk: {other:?}"),
        }
    }
    drop(s);
    drop(db);
    let image = fs.crash_image(1);
    let db = open(&image).expect("reopen");
    let mut s = db.connect("sim", &[]).expect("session");
    let out = s.simple_query("SELECT v FROM t ORDER BY id");
    let rows: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Rows(r) => Some(r.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(rows, vec![vec![Value::Text("kept".into())]]);
}
