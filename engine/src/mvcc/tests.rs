//! Unit tests of the transaction API on one thread (multi-session and
//! threaded scenarios live in `tests/mvcc/`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twill_types::{SqlState, Value};

use super::*;

fn engine() -> Engine {
    Engine::new(EngineConfig {
        deadlock_timeout: Duration::from_millis(20),
        ..EngineConfig::default()
    })
}

fn def(name: &str) -> TableDef {
    TableDef {
        primary_key: Some(vec![0]),
        indexes: vec![
            IndexDef {
                name: format!("{name}_v_key"),
                columns: vec![1],
                unique: true,
            },
            IndexDef {
                name: format!("{name}_w_idx"),
                columns: vec![2],
                unique: false,
            },
        ],
        ..TableDef::new(name)
    }
}

fn row(k: i64, v: i64, w: i64) -> Vec<Value> {
    vec![Value::Int8(k), Value::Int8(v), Value::Int8(w)]
}

fn key(k: i64) -> Key {
    Key::encode(&[Value::Int8(k)])
}

fn setup(engine: &Engine) -> TableId {
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let t = txn.create_table(def("t")).unwrap();
    for k in 1..=3 {
        txn.insert(t, row(k, k * 10, k % 2)).unwrap();
    }
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    t
}

fn keys(scan: Scan) -> Vec<i64> {
    scan.map(|r| match r.unwrap().1[0] {
        Value::Int8(k) => k,
        ref other => panic!("unexpected {other:?}"),
    })
    .collect()
}

#[test]
fn own_writes_are_visible_from_the_next_statement() {
    let engine = engine();
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::RepeatableRead);
    txn.begin_statement().unwrap();
    txn.insert(t, row(4, 40, 0)).unwrap();
    assert_eq!(txn.get(t, &key(4)).unwrap(), None, "same statement");
    txn.begin_statement().unwrap();
    assert!(txn.get(t, &key(4)).unwrap().is_some());
    assert_eq!(keys(txn.scan(t, ..).unwrap()), vec![1, 2, 3, 4]);
    assert_eq!(keys(txn.scan(t, key(2)..key(4)).unwrap()), vec![2, 3]);
    let mut other = engine.begin(IsolationLevel::ReadCommitted);
    other.begin_statement().unwrap();
    assert_eq!(other.get(t, &key(4)).unwrap(), None, "no dirty reads");
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    other.begin_statement().unwrap();
    assert!(other.get(t, &key(4)).unwrap().is_some());
}

#[test]
fn index_scans_recheck_the_visible_version() {
    let engine = engine();
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.begin_statement().unwrap();
    let old = engine.begin(IsolationLevel::RepeatableRead);
    let mut old = old;
    old.begin_statement().unwrap();
    // The first read takes the REPEATABLE READ snapshot.
    assert!(old.get(t, &key(1)).unwrap().is_some());
    assert!(txn.update(t, &key(1), row(1, 15, 0)).unwrap());
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    let v = |n: i64| Key::encode(&[Value::Int8(n)]);
    // The old snapshot finds row 1 under v=10, not under v=15.
    assert_eq!(keys(old.index_scan(t, 0, v(10)..=v(10)).unwrap()), vec![1]);
    assert_eq!(
        keys(old.index_scan(t, 0, v(15)..=v(15)).unwrap()),
        Vec::<i64>::new()
    );
    let mut new = engine.begin(IsolationLevel::ReadCommitted);
    new.begin_statement().unwrap();
    assert_eq!(keys(new.index_scan(t, 0, v(10)..=v(15)).unwrap()), vec![1]);
    assert_eq!(keys(new.index_scan(t, 1, ..).unwrap()), vec![1, 2, 3]);
    assert_eq!(
        keys(
            new.index_scan(
                t,
                0,
                (std::ops::Bound::Excluded(v(15)), std::ops::Bound::Unbounded)
            )
            .unwrap()
        ),
        vec![2, 3]
    );
}

#[test]
fn unique_indexes_and_primary_keys() {
    let engine = engine();
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let err = txn.insert(t, row(1, 99, 0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "duplicate key value violates unique constraint \"t_pkey\""
    );
    assert_eq!(txn.state(), TransactionState::Failed);
    assert_eq!(
        txn.get(t, &key(1)).unwrap_err().sqlstate(),
        SqlState::IN_FAILED_SQL_TRANSACTION
    );
    assert_eq!(txn.commit(), Ok(CommitOutcome::RolledBack));

    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let err = txn.insert(t, row(9, 20, 0)).unwrap_err();
    assert_eq!(
        err,
        Error::UniqueViolation {
            constraint: "t_v_key".into()
        }
    );
    txn.rollback();
    // NULLs never conflict; moving a value frees it.
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.insert(t, vec![Value::Int8(8), Value::Null, Value::Int8(0)])
        .unwrap();
    txn.insert(t, vec![Value::Int8(9), Value::Null, Value::Int8(0)])
        .unwrap();
    txn.begin_statement().unwrap();
    assert!(txn.update(t, &key(2), row(2, 21, 0)).unwrap());
    txn.begin_statement().unwrap();
    txn.insert(t, row(10, 20, 0)).unwrap();
    txn.begin_statement().unwrap();
    assert!(txn.delete(t, &key(10)).unwrap());
    txn.begin_statement().unwrap();
    txn.insert(t, row(10, 20, 0)).unwrap();
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
}

#[test]
fn savepoints_undo_writes_and_locks() {
    let engine = engine();
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.begin_statement().unwrap();
    txn.update(t, &key(1), row(1, 11, 1)).unwrap();
    txn.savepoint("a").unwrap();
    txn.update(t, &key(2), row(2, 22, 0)).unwrap();
    txn.savepoint("b").unwrap();
    txn.delete(t, &key(3)).unwrap();
    txn.rollback_to_savepoint("b").unwrap();
    txn.begin_statement().unwrap();
    assert!(txn.get(t, &key(3)).unwrap().is_some());
    assert_eq!(txn.get(t, &key(2)).unwrap().unwrap()[1], Value::Int8(22));
    txn.rollback_to_savepoint("a").unwrap();
    txn.begin_statement().unwrap();
    assert_eq!(txn.get(t, &key(2)).unwrap().unwrap()[1], Value::Int8(20));
    // Row 2's lock went with the savepoint; row 1's is still held.
    let mut other = engine.begin(IsolationLevel::ReadCommitted);
    other.begin_statement().unwrap();
    assert!(matches!(
        other.lock_row(t, &key(2), LockMode::Update, WaitPolicy::NoWait),
        Ok(LockOutcome::Locked(_))
    ));
    assert_eq!(
        other.lock_row(t, &key(1), LockMode::Update, WaitPolicy::NoWait),
        Err(Error::LockNotAvailable {
            relation: "t".into()
        })
    );
    other.rollback();
    // An error inside a savepoint fails only the subtransaction.
    txn.savepoint("c").unwrap();
    assert!(txn.insert(t, row(1, 1, 1)).is_err());
    assert_eq!(txn.state(), TransactionState::Failed);
    assert_eq!(txn.release_savepoint("c"), Err(Error::InFailedTransaction));
    txn.rollback_to_savepoint("c").unwrap();
    txn.release_savepoint("c").unwrap();
    assert_eq!(
        txn.release_savepoint("c"),
        Err(Error::NoSuchSavepoint { name: "c".into() })
    );
    assert_eq!(txn.state(), TransactionState::Failed);
    assert_eq!(txn.commit(), Ok(CommitOutcome::RolledBack));
}

#[test]
fn ddl_is_transactional() {
    let engine = engine();
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let t = txn.create_table(def("t")).unwrap();
    txn.insert(t, row(1, 1, 1)).unwrap();
    assert!(txn.table("t").is_ok());
    let mut other = engine.begin(IsolationLevel::ReadCommitted);
    assert!(matches!(
        other.table("t"),
        Err(Error::UndefinedTable { .. })
    ));
    other.rollback();
    txn.rollback();
    assert_eq!(
        engine.stats().tables,
        0,
        "a rolled-back CREATE TABLE leaves nothing"
    );
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert!(txn.table_names().unwrap().is_empty());
    let t = txn.create_table(def("t")).unwrap();
    txn.insert(t, row(1, 1, 1)).unwrap();
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));

    // DROP TABLE waits for the table's users (its exclusive table lock).
    let mut reader = engine.begin(IsolationLevel::RepeatableRead);
    reader.begin_statement().unwrap();
    assert!(reader.get(t, &key(1)).unwrap().is_some());
    let dropper = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            let mut dropper = engine.begin(IsolationLevel::ReadCommitted);
            dropper.drop_table("t").unwrap();
            let id = dropper.create_table(def("t")).unwrap();
            assert_eq!(dropper.commit(), Ok(CommitOutcome::Committed));
            id
        })
    };
    let started = Instant::now();
    while !(1..=20).any(|id| engine.is_waiting(id)) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the drop never waited"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(reader.get(t, &key(1)).unwrap().is_some());
    assert_eq!(reader.commit(), Ok(CommitOutcome::Committed));
    assert_ne!(dropper.join().unwrap(), t);
    assert_eq!(engine.vacuum().tables, 1);
    let mut late = engine.begin(IsolationLevel::ReadCommitted);
    assert!(matches!(
        late.get(t, &key(1)),
        Err(Error::UndefinedTable { .. })
    ));
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(txn.table_names().unwrap(), vec!["t".to_string()]);
    assert!(matches!(
        txn.drop_table("nope"),
        Err(Error::UndefinedTable { .. })
    ));
}

#[test]
fn nowait_skip_locked_and_lock_strengths() {
    let engine = engine();
    let t = setup(&engine);
    let mut a = engine.begin(IsolationLevel::ReadCommitted);
    a.begin_statement().unwrap();
    assert!(matches!(
        a.lock_row(t, &key(1), LockMode::KeyShare, WaitPolicy::Block),
        Ok(LockOutcome::Locked(_))
    ));
    assert!(matches!(
        a.lock_row(t, &key(2), LockMode::Share, WaitPolicy::Block),
        Ok(LockOutcome::Locked(_))
    ));
    let mut b = engine.begin(IsolationLevel::ReadCommitted);
    b.begin_statement().unwrap();
    // KEY SHARE lets NO KEY UPDATE through, SHARE does not.
    assert!(b.update(t, &key(1), row(1, 10, 5)).unwrap());
    assert_eq!(
        b.lock_row(t, &key(2), LockMode::Update, WaitPolicy::SkipLocked),
        Ok(LockOutcome::Skipped)
    );
    assert!(matches!(
        b.lock_row(t, &key(2), LockMode::Share, WaitPolicy::NoWait),
        Ok(LockOutcome::Locked(_))
    ));
    let err = b
        .lock_row(t, &key(2), LockMode::NoKeyUpdate, WaitPolicy::NoWait)
        .unwrap_err();
    assert_eq!(err.sqlstate(), SqlState::LOCK_NOT_AVAILABLE);
}

#[test]
fn waits_end_with_lock_timeout_statement_timeout_and_cancel() {
    let engine = engine();
    let t = setup(&engine);
    let mut holder = engine.begin(IsolationLevel::ReadCommitted);
    holder.begin_statement().unwrap();
    assert!(holder.delete(t, &key(1)).unwrap());

    let mut waiter = engine.begin(IsolationLevel::ReadCommitted);
    waiter.set_lock_timeout(Some(Duration::from_millis(30)));
    let started = Instant::now();
    assert_eq!(waiter.delete(t, &key(1)), Err(Error::LockTimeout));
    assert!(started.elapsed() >= Duration::from_millis(30));

    let mut waiter = engine.begin(IsolationLevel::ReadCommitted);
    waiter.begin_statement().unwrap();
    waiter.set_statement_deadline(Some(Instant::now() + Duration::from_millis(30)));
    assert_eq!(
        waiter.delete(t, &key(1)).unwrap_err().to_string(),
        "canceling statement due to statement timeout"
    );

    let mut waiter = engine.begin(IsolationLevel::ReadCommitted);
    waiter.begin_statement().unwrap();
    let cancel = waiter.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        cancel.cancel();
    });
    assert_eq!(
        waiter.delete(t, &key(1)),
        Err(Error::QueryCanceled(CancelReason::UserRequest))
    );
    canceller.join().unwrap();
    // The holder was never disturbed.
    assert_eq!(holder.commit(), Ok(CommitOutcome::Committed));
}

#[derive(Default)]
struct Log(Mutex<Vec<CommitRecord>>);

impl CommitHook for Log {
    fn on_commit(&self, record: &CommitRecord) -> Result<(), HookError> {
        let mut log = self.0.lock().map_err(|e| HookError::io(e.to_string()))?;
        if record
            .changes
            .iter()
            .any(|c| matches!(c, Change::Put { row, .. } if row[1] == Value::Int8(-1)))
        {
            return Err(HookError::io("disk full"));
        }
        log.push(record.clone());
        Ok(())
    }
}

#[test]
fn the_commit_hook_sees_commits_in_order_before_they_are_visible() {
    let engine = engine();
    let log = Arc::new(Log::default());
    engine.set_commit_hook(log.clone());
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert!(txn.update(t, &key(1), row(1, 5, 0)).unwrap());
    assert!(
        !txn.update(t, &key(1), row(1, 6, 0)).unwrap(),
        "already updated by this statement"
    );
    txn.begin_statement().unwrap();
    assert!(txn.update(t, &key(1), row(1, 6, 0)).unwrap());
    txn.delete(t, &key(2)).unwrap();
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    let read_only = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(read_only.commit(), Ok(CommitOutcome::Committed));
    let mut failing = engine.begin(IsolationLevel::ReadCommitted);
    failing.update(t, &key(3), row(3, -1, 0)).unwrap();
    assert_eq!(failing.commit().unwrap_err().sqlstate(), SqlState::IO_ERROR);

    let log = log.0.lock().unwrap();
    assert_eq!(log.len(), 2, "read-only and failed commits are not logged");
    assert_eq!((log[0].csn, log[1].csn), (1, 2));
    assert!(matches!(&log[0].changes[0], Change::CreateTable(d) if d.name == "t" && d.id == t));
    assert_eq!(log[0].changes.len(), 4);
    assert_eq!(
        log[1].changes,
        vec![
            Change::Put {
                table: t,
                key: key(1),
                row: row(1, 6, 0).into()
            },
            Change::Delete {
                table: t,
                key: key(2)
            },
        ]
    );
    let mut check = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(check.get(t, &key(3)).unwrap().unwrap()[1], Value::Int8(30));
}

#[test]
fn vacuum_keeps_what_snapshots_need_and_bounds_memory() {
    let engine = Engine::new(EngineConfig {
        autovacuum_deletes: 0,
        ..EngineConfig::default()
    });
    let t = setup(&engine);
    let mut old = engine.begin(IsolationLevel::RepeatableRead);
    old.begin_statement().unwrap();
    assert_eq!(old.get(t, &key(1)).unwrap().unwrap()[1], Value::Int8(10));
    for i in 0..100 {
        let mut txn = engine.begin(IsolationLevel::ReadCommitted);
        txn.update(t, &key(1), row(1, 100 + i, i)).unwrap();
        assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    }
    assert_eq!(old.get(t, &key(1)).unwrap().unwrap()[1], Value::Int8(10));
    assert!(
        engine.stats().row_versions > 100,
        "the old snapshot pins the chain"
    );
    assert_eq!(old.commit(), Ok(CommitOutcome::Committed));
    for i in 0..5 {
        let mut txn = engine.begin(IsolationLevel::ReadCommitted);
        txn.update(t, &key(1), row(1, 300 + i, i)).unwrap();
        txn.delete(t, &key(2)).unwrap();
        assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    }
    // Writers already pruned row 1's chain; vacuum removes the deleted row.
    assert!(engine.stats().row_versions < 10, "{:?}", engine.stats());
    let stats = engine.vacuum();
    assert_eq!(stats.rows, 1, "{stats:?}");
    let after = engine.stats();
    assert_eq!((after.row_entries, after.row_versions), (2, 2), "{after:?}");
    assert_eq!(after.index_entries, 4, "{after:?}");
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(txn.get(t, &key(1)).unwrap().unwrap()[1], Value::Int8(304));
}

#[test]
fn tables_without_primary_key_use_hidden_row_ids() {
    let engine = engine();
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let t = txn.create_table(TableDef::new("heap")).unwrap();
    let a = txn.insert(t, vec![Value::Int4(1)]).unwrap();
    let b = txn.insert(t, vec![Value::Int4(1)]).unwrap();
    assert!(a < b);
    txn.begin_statement().unwrap();
    assert_eq!(txn.scan(t, ..).unwrap().count(), 2);
}

#[test]
fn handles_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send::<Transaction>();
    assert_send::<Scan>();
    assert_send_sync::<Engine>();
    assert_send_sync::<CancelHandle>();
}

#[test]
fn a_second_creator_of_a_name_waits_for_the_first() {
    let engine = engine();
    let mut first = engine.begin(IsolationLevel::ReadCommitted);
    first.create_table(def("x")).unwrap();
    let second = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            let mut txn = engine.begin(IsolationLevel::ReadCommitted);
            txn.create_table(def("x"))
        })
    };
    let started = Instant::now();
    while !(1..=3).any(|id| engine.is_waiting(id)) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the second creator never waited"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(first.commit(), Ok(CommitOutcome::Committed));
    assert_eq!(
        second.join().unwrap(),
        Err(Error::DuplicateTable { name: "x".into() })
    );
}

#[test]
fn check_interrupts_sees_cancel_and_deadline() {
    let engine = engine();
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.begin_statement().unwrap();
    txn.savepoint("s").unwrap();
    txn.cancel_handle().cancel();
    assert_eq!(
        txn.check_interrupts(),
        Err(Error::QueryCanceled(CancelReason::UserRequest))
    );
    txn.rollback_to_savepoint("s").unwrap();
    txn.set_statement_deadline(Some(Instant::now()));
    assert_eq!(
        txn.check_interrupts(),
        Err(Error::QueryCanceled(CancelReason::StatementTimeout))
    );
    assert_eq!(txn.state(), TransactionState::Failed);
}

#[test]
fn empty_and_inverted_ranges_scan_nothing() {
    use std::ops::Bound::{Excluded, Included};
    let engine = engine();
    let t = setup(&engine);
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert!(keys(txn.scan(t, key(3)..key(1)).unwrap()).is_empty());
    assert!(keys(txn.scan(t, (Excluded(key(2)), Excluded(key(2)))).unwrap()).is_empty());
    assert!(keys(txn.scan(t, (Excluded(key(2)), Included(key(2)))).unwrap()).is_empty());
    assert_eq!(keys(txn.scan(t, key(2)..=key(2)).unwrap()), vec![2]);
    let v = |n: i64| Key::encode(&[Value::Int8(n)]);
    assert!(keys(txn.index_scan(t, 0, v(30)..v(10)).unwrap()).is_empty());
    assert!(txn.index_scan(t, 7, ..).is_err());
}

#[test]
fn create_index_builds_from_existing_rows_and_rolls_back() {
    let engine = engine();
    let t = setup(&engine);
    let v = |n: i64| Key::encode(&[Value::Int8(n)]);
    let by_w = IndexDef {
        name: "t_w2".into(),
        columns: vec![2],
        unique: false,
    };
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(txn.create_index("t", by_w.clone()), Ok(2));
    txn.begin_statement().unwrap();
    assert_eq!(keys(txn.index_scan(t, 2, v(1)..=v(1)).unwrap()), vec![1, 3]);
    txn.rollback();
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(txn.table("t").unwrap().indexes.len(), 2, "rolled back");
    assert!(txn.index_scan(t, 2, ..).is_err());
    txn.rollback();

    // A unique index over duplicates fails; over distinct values it holds.
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let unique_w = IndexDef {
        unique: true,
        ..by_w.clone()
    };
    assert_eq!(
        txn.create_index("t", unique_w),
        Err(Error::UniqueViolation {
            constraint: "t_w2".into()
        })
    );
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let unique_k = IndexDef {
        name: "t_k2".into(),
        columns: vec![0],
        unique: true,
    };
    assert_eq!(txn.create_index("t", unique_k), Ok(2));
    assert_eq!(
        txn.create_index("t", by_w),
        Ok(3),
        "a second index in the same transaction"
    );
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    assert_eq!(
        txn.insert(t, row(1, 99, 9)),
        Err(Error::UniqueViolation {
            constraint: "t_pkey".into()
        })
    );
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.insert(t, row(4, 40, 1)).unwrap();
    txn.begin_statement().unwrap();
    assert_eq!(
        keys(txn.index_scan(t, 3, v(1)..=v(1)).unwrap()),
        vec![1, 3, 4]
    );
    assert!(matches!(
        txn.create_index(
            "nope",
            IndexDef {
                name: "x".into(),
                columns: vec![0],
                unique: false
            }
        ),
        Err(Error::UndefinedTable { .. })
    ));
}
