//! The object-store backend over `object_store`'s in-memory store (which
//! honours create-only puts like S3 does): recovery, checkpoints, one
//! object per group commit, and fencing. The same paths run against a real
//! S3 API (moto) in `engine/tests/object_store.rs`.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::memory::InMemory;
use object_store::path::Path;
use twill_types::Value;

use super::ObjectBackend;
use super::faulty::{Fault, Faulty};
use super::log::{Header, Kind};
use crate::session::{Database, Output, Session};
use crate::storage::Storage;
use crate::storage::backend::Backend;

const URL: &str = "s3://test-bucket/db";

fn open(store: &Arc<InMemory>) -> Database {
    let backend = ObjectBackend::open_store(store.clone(), "db", URL).expect("open");
    let storage = Storage::open(Arc::new(backend)).expect("recover");
    Database::from_storage_for_tests(storage)
}

fn session(db: &Database) -> Session {
    db.connect("test", &[]).expect("session")
}

fn run(s: &mut Session, sql: &str) -> Vec<Output> {
    s.simple_query(sql)
}

fn ok(s: &mut Session, sql: &str) -> Vec<Output> {
    let out = run(s, sql);
    if let Some(Output::Error(e)) = out.iter().find(|o| matches!(o, Output::Error(_))) {
        panic!("{sql}: {e:?}");
    }
    out
}

fn ints(out: &[Output]) -> Vec<i64> {
    out.iter()
        .filter_map(|o| match o {
            Output::Rows(r) => Some(r.clone()),
            _ => None,
        })
        .flatten()
        .map(|r| match &r[0] {
            Value::Int4(i) => i64::from(*i),
            Value::Int8(i) => *i,
            other => panic!("not an int: {other:?}"),
        })
        .collect()
}

/// The headers of the log objects in the bucket, by number.
fn log_objects(store: &Arc<InMemory>) -> Vec<(u64, Header)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use futures_util::TryStreamExt;
        use object_store::ObjectStoreExt;
        let metas: Vec<_> = store
            .list(Some(&Path::from("db/log")))
            .try_collect()
            .await
            .expect("list");
        let mut out = Vec::new();
        for m in metas {
            let bytes = store
                .get(&m.location)
                .await
                .expect("get")
                .bytes()
                .await
                .expect("bytes");
            let n = m
                .location
                .filename()
                .expect("name")
                .parse()
                .expect("number");
            out.push((n, Header::decode(&bytes).expect("header")));
        }
        out.sort_by_key(|(n, _)| *n);
        out
    })
}

fn keys(store: &Arc<InMemory>, prefix: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use futures_util::TryStreamExt;
        let metas: Vec<_> = store
            .list(Some(&Path::from(prefix)))
            .try_collect()
            .await
            .expect("list");
        metas.into_iter().map(|m| m.location.to_string()).collect()
    })
}

#[test]
fn commits_survive_a_reopen_one_object_per_commit() {
    let store = Arc::new(InMemory::new());
    {
        let db = open(&store);
        let mut s = session(&db);
        ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        let before = log_objects(&store).len();
        for i in 0..5 {
            ok(&mut s, &format!("INSERT INTO t VALUES ({i}, 'v{i}')"));
        }
        // Five commits one after the other: five group-commit batches.
        let appends: Vec<_> = log_objects(&store)
            .into_iter()
            .skip(before)
            .map(|(_, h)| h.kind)
            .collect();
        assert_eq!(appends, vec![Kind::Append; 5]);
        std::mem::forget(db); // a crash: no shutdown checkpoint
    }
    let db = open(&store);
    let mut s = session(&db);
    assert_eq!(
        ints(&ok(&mut s, "SELECT id FROM t ORDER BY id")),
        vec![0, 1, 2, 3, 4]
    );
}

#[test]
fn a_checkpoint_replaces_the_log_and_reopens() {
    let store = Arc::new(InMemory::new());
    {
        let db = open(&store);
        let mut s = session(&db);
        ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY)");
        ok(
            &mut s,
            "INSERT INTO t SELECT g FROM generate_series(1, 100) g",
        );
        ok(&mut s, "CHECKPOINT");
        ok(&mut s, "INSERT INTO t VALUES (101)");
        // The image is an object of its own; the control file pointing at
        // it is the newest control object in the log.
        assert_eq!(
            keys(&store, "db/files"),
            ["db/files/checkpoint-0000000000000001.00000000000000000001"]
        );
        let objects = log_objects(&store);
        let control = objects.iter().rposition(|(_, h)| h.kind == Kind::Control);
        assert_eq!(control, Some(objects.len() - 2), "{objects:?}");
        std::mem::forget(db);
    }
    let db = open(&store);
    let mut s = session(&db);
    assert_eq!(ints(&ok(&mut s, "SELECT count(*) FROM t")), vec![101]);
    assert_eq!(ints(&ok(&mut s, "SELECT max(id) FROM t")), vec![101]);
}

#[test]
fn a_new_writer_fences_the_old_one_and_keeps_its_commits() {
    let store = Arc::new(InMemory::new());
    let old = open(&store);
    let mut a = session(&old);
    ok(&mut a, "CREATE TABLE t (id int PRIMARY KEY)");
    ok(&mut a, "INSERT INTO t VALUES (1)");

    let new = open(&store);
    let mut b = session(&new);
    // Everything the old writer acknowledged is there.
    assert_eq!(ints(&ok(&mut b, "SELECT id FROM t")), vec![1]);
    ok(&mut b, "INSERT INTO t VALUES (2)");

    // The old writer's next commit meets the new writer's objects: 25006,
    // and the refusal is sticky.
    for sql in ["INSERT INTO t VALUES (3)", "INSERT INTO t VALUES (4)"] {
        let out = run(&mut a, sql);
        match out.iter().find(|o| matches!(o, Output::Error(_))) {
            Some(Output::Error(e)) => {
                assert_eq!(e.code.code(), "25006", "{e:?}");
                assert!(e.message.contains("taken over"), "{}", e.message);
            }
            other => panic!("{sql}: expected 25006, got {other:?}"),
        }
    }
    // Through the extended protocol the refusal comes at Sync, where the
    // implicit transaction commits: never a silent success.
    a.parse("", "INSERT INTO t VALUES (5)", &[]).expect("parse");
    a.bind("", "", vec![]).expect("bind");
    let batch = a.execute("", 0);
    assert!(
        !batch.outputs.iter().any(|o| matches!(o, Output::Error(_))),
        "{:?}",
        batch.outputs
    );
    let refused = a.sync().expect_err("a fenced commit must fail at Sync");
    assert_eq!(refused.code.code(), "25006", "{refused:?}");
    // A fenced writer's checkpoint cannot repoint the database either.
    assert!(matches!(
        run(&mut a, "CHECKPOINT").last(),
        Some(Output::Error(_))
    ));
    std::mem::forget(old);
    std::mem::forget(new);

    let third = open(&store);
    let mut c = session(&third);
    assert_eq!(
        ints(&ok(&mut c, "SELECT id FROM t ORDER BY id")),
        vec![1, 2]
    );
}

#[test]
fn epochs_grow_and_a_fence_object_marks_each_takeover() {
    let store = Arc::new(InMemory::new());
    let first = ObjectBackend::open_store(store.clone(), "db", URL).expect("first");
    let second = ObjectBackend::open_store(store.clone(), "db", URL).expect("second");
    assert_eq!((first.epoch(), second.epoch()), (1, 2));
    // Each writer's fence (and the numbers it claimed below it) carry its
    // epoch, the second's above the first's.
    let mut fences: Vec<u64> = log_objects(&store)
        .into_iter()
        .filter(|(_, h)| h.kind == Kind::Fence)
        .map(|(_, h)| h.epoch)
        .collect();
    assert!(fences.is_sorted(), "{fences:?}");
    fences.dedup();
    assert_eq!(fences, vec![1, 2]);
    // The first writer learns it is fenced at its first write.
    let err = first
        .write_atomic("control", b"x")
        .expect_err("fenced writer");
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(first.fenced().is_some());
    assert!(second.fenced().is_none());
}

/// Rows 1..=12 one commit each, a CHECKPOINT after row 6 (its failure is
/// allowed: it loses nothing); returns the rows acknowledged.
fn faulty_workload(store: Arc<Faulty>) -> Vec<i64> {
    let Ok(backend) = ObjectBackend::open_store(store, "db", URL) else {
        return Vec::new();
    };
    let Ok(storage) = Storage::open(Arc::new(backend)) else {
        return Vec::new();
    };
    let db = Database::from_storage_for_tests(storage);
    let mut s = session(&db);
    if run(&mut s, "CREATE TABLE t (id int PRIMARY KEY)")
        .iter()
        .any(|o| matches!(o, Output::Error(_)))
    {
        return Vec::new();
    }
    let mut acked = Vec::new();
    for i in 1..=12 {
        let out = run(&mut s, &format!("INSERT INTO t VALUES ({i})"));
        if out.iter().any(|o| matches!(o, Output::Error(_))) {
            break;
        }
        acked.push(i);
        if i == 6 {
            run(&mut s, "CHECKPOINT");
        }
    }
    acked
}

#[test]
fn lost_answers_are_settled_by_reading_back_and_lose_nothing() {
    let clean = Arc::new(Faulty::new(InMemory::new(), None));
    assert_eq!(faulty_workload(clean.clone()).len(), 12);
    let total = clean.puts();
    for n in 1..=total {
        for fault in [Fault::LoseAnswer(n), Fault::FailBefore(n)] {
            let store = Arc::new(Faulty::new(InMemory::new(), Some(fault)));
            let acked = faulty_workload(store.clone());
            if let Fault::LoseAnswer(_) = fault {
                // The put landed; reading it back shows it is ours, so the
                // commit (or the open, or the checkpoint) went on.
                assert_eq!(acked.len(), 12, "{fault:?}: acknowledged {acked:?}");
            }
            // A new writer sees every acknowledged row.
            let db = open(&Arc::new(store.inner.fork()));
            let mut s = session(&db);
            let out = run(&mut s, "SELECT id FROM t ORDER BY id");
            if acked.is_empty() {
                continue;
            }
            let have = ints(&out);
            for id in &acked {
                assert!(have.contains(id), "{fault:?}: row {id} lost; have {have:?}");
            }
        }
    }
}

#[test]
fn a_full_segment_starts_the_next_and_a_background_checkpoint() {
    let store = Arc::new(InMemory::new());
    let db = open(&store);
    let mut s = session(&db);
    ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY)");
    for i in 0..1010 {
        ok(&mut s, &format!("INSERT INTO t VALUES ({i})"));
    }
    // The 1 000th object of segment 1 ended it: segment 2 has begun.
    let starts: Vec<u64> = log_objects(&store)
        .into_iter()
        .filter(|(_, h)| h.kind == Kind::SegmentStart)
        .map(|(_, h)| h.segment)
        .collect();
    assert_eq!(starts, vec![1, 2]);
    // ... and the checkpointer thread wrote a checkpoint without any
    // session asking.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while keys(&store, "db/files").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no background checkpoint"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(s);
    drop(db);
    let db = open(&store);
    let mut s = session(&db);
    assert_eq!(ints(&ok(&mut s, "SELECT count(*) FROM t")), vec![1010]);
}
