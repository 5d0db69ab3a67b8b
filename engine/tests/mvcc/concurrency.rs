//! Real threads hammering the engine: invariants that must survive any
//! interleaving. Every test is bounded in operations and in time.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use twill_engine::mvcc::{
    CommitOutcome, Engine, EngineConfig, Error, IsolationLevel, Key, LockMode, LockOutcome, Row,
    TableDef, TableId, Transaction, WaitPolicy,
};
use twill_types::Value;

/// Upper bound on any one test's wall time.
const LIMIT: Duration = Duration::from_secs(20);

fn engine() -> Engine {
    Engine::new(EngineConfig {
        deadlock_timeout: Duration::from_millis(5),
        autovacuum_deletes: 100,
    })
}

fn key(k: i64) -> Key {
    Key::encode(&[Value::Int8(k)])
}

fn row(k: i64, v: i64) -> Row {
    vec![Value::Int8(k), Value::Int8(v)].into()
}

fn value(row: &Row) -> i64 {
    match row[1] {
        Value::Int8(v) => v,
        ref other => panic!("unexpected {other:?}"),
    }
}

fn table_with(engine: &Engine, rows: impl IntoIterator<Item = (i64, i64)>) -> TableId {
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let t = txn
        .create_table(TableDef {
            primary_key: Some(vec![0]),
            ..TableDef::new("t")
        })
        .expect("create");
    for (k, v) in rows {
        txn.insert(t, row(k, v)).expect("insert");
    }
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    t
}

/// A small deterministic generator (xorshift), one per thread.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs `body` in a transaction at `level` until it commits, retrying on
/// retryable errors. Returns the number of retries.
fn with_retry(
    engine: &Engine,
    level: IsolationLevel,
    mut body: impl FnMut(&mut Transaction) -> Result<(), Error>,
) -> usize {
    let started = Instant::now();
    for attempt in 0.. {
        assert!(started.elapsed() < LIMIT, "transaction kept failing");
        let mut txn = engine.begin(level);
        match body(&mut txn).and_then(|()| txn.commit()) {
            Ok(CommitOutcome::Committed) => return attempt,
            Ok(CommitOutcome::RolledBack) => panic!("body swallowed an error"),
            Err(e) if e.is_retryable() => continue,
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    unreachable!("the loop returns or panics")
}

fn total(engine: &Engine, t: TableId) -> i64 {
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    txn.begin_statement().expect("statement");
    let sum = txn
        .scan(t, ..)
        .expect("scan")
        .map(|r| value(&r.expect("row").1))
        .sum();
    txn.rollback();
    sum
}

fn bank(level: IsolationLevel) {
    const ACCOUNTS: i64 = 8;
    const THREADS: u64 = 4;
    const TRANSFERS: usize = 150;
    let engine = engine();
    let t = table_with(&engine, (0..ACCOUNTS).map(|k| (k, 1000)));
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i + 1));
                let mut retries = 0;
                for _ in 0..TRANSFERS {
                    let from = rng.below(ACCOUNTS as u64) as i64;
                    let to = (from + 1 + rng.below(ACCOUNTS as u64 - 1) as i64) % ACCOUNTS;
                    let amount = rng.below(50) as i64;
                    retries += with_retry(&engine, level, |txn| {
                        txn.begin_statement()?;
                        txn.update_with(t, &key(from), |r| Some(row(from, value(r) - amount)))?;
                        txn.begin_statement()?;
                        txn.update_with(t, &key(to), |r| Some(row(to, value(r) + amount)))?;
                        Ok(())
                    });
                }
                retries
            })
        })
        .collect();
    // A reader checks the invariant while transfers run: every snapshot
    // balances.
    while !workers.iter().all(|w| w.is_finished()) {
        assert_eq!(total(&engine, t), ACCOUNTS * 1000);
        assert!(started.elapsed() < LIMIT);
        std::thread::sleep(Duration::from_millis(2));
    }
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(total(&engine, t), ACCOUNTS * 1000);
    assert_eq!(engine.stats().active_transactions, 0);
}

#[test]
fn bank_transfers_keep_the_total_read_committed() {
    bank(IsolationLevel::ReadCommitted);
}

#[test]
fn bank_transfers_keep_the_total_repeatable_read() {
    bank(IsolationLevel::RepeatableRead);
}

#[test]
fn bank_transfers_keep_the_total_serializable() {
    bank(IsolationLevel::Serializable);
}

#[test]
fn a_contended_counter_loses_no_increment() {
    const THREADS: i64 = 4;
    const INCREMENTS: i64 = 200;
    for level in [
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
    ] {
        let engine = engine();
        let t = table_with(&engine, [(0, 0)]);
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    for _ in 0..INCREMENTS {
                        with_retry(&engine, level, |txn| {
                            txn.begin_statement()?;
                            let done =
                                txn.update_with(t, &key(0), |r| Some(row(0, value(r) + 1)))?;
                            assert!(done.is_some());
                            Ok(())
                        });
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        assert_eq!(total(&engine, t), THREADS * INCREMENTS, "{level:?}");
        // Updates prune as they go: the hot row's chain stays short.
        assert!(engine.stats().row_versions <= 3, "{:?}", engine.stats());
    }
}

#[test]
fn deadlock_cycles_are_always_broken() {
    const RING: usize = 5;
    const ROUNDS: usize = 6;
    let engine = engine();
    let t = table_with(&engine, (0..RING as i64).map(|k| (k, 0)));
    let started = Instant::now();
    for round in 0..ROUNDS {
        let barrier = Arc::new(Barrier::new(RING));
        let members: Vec<_> = (0..RING)
            .map(|i| {
                let engine = engine.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
                    let first = key(i as i64);
                    let next = key(((i + 1) % RING) as i64);
                    let locked = txn.lock_row(t, &first, LockMode::Update, WaitPolicy::Block);
                    assert!(matches!(locked, Ok(LockOutcome::Locked(_))));
                    barrier.wait();
                    match txn.lock_row(t, &next, LockMode::Update, WaitPolicy::Block) {
                        Ok(_) => {
                            assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
                            false
                        }
                        Err(Error::Deadlock) => {
                            txn.rollback();
                            true
                        }
                        Err(e) => panic!("unexpected {e}"),
                    }
                })
            })
            .collect();
        let victims = members
            .into_iter()
            .map(|m| m.join().expect("member"))
            .filter(|v| *v)
            .count();
        assert!(victims >= 1, "round {round}: a cycle needs a victim");
        assert!(victims < RING, "round {round}: not everyone should die");
        assert!(started.elapsed() < LIMIT);
    }
    assert_eq!(engine.stats().active_transactions, 0);
}

#[test]
fn disjoint_writers_do_not_wait() {
    const THREADS: i64 = 8;
    let engine = engine();
    let t = table_with(&engine, (0..THREADS).map(|k| (k, 0)));
    let workers: Vec<_> = (0..THREADS)
        .map(|k| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for _ in 0..300 {
                    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
                    txn.set_lock_timeout(Some(Duration::from_millis(1)));
                    txn.update_with(t, &key(k), |r| Some(row(k, value(r) + 1)))
                        .expect("no wait");
                    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(total(&engine, t), THREADS * 300);
}
