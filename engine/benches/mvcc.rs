//! MVCC benchmarks, in process, no SQL: point read, single-row update and
//! commit, a pgbench TPC-B-shaped transaction (3 updates, 1 read, 1 insert),
//! and 8 threads updating disjoint rows.
//!
//! Run briefly with
//! `cargo bench -p twill-engine -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use twill_engine::mvcc::{CommitOutcome, Engine, IsolationLevel, Key, Row, TableDef, TableId};
use twill_types::Value;

const ACCOUNTS: i64 = 10_000;
const TELLERS: i64 = 100;
const BRANCHES: i64 = 10;

fn key(k: i64) -> Key {
    Key::encode(&[Value::Int8(k)])
}

fn row(k: i64, v: i64) -> Row {
    vec![Value::Int8(k), Value::Int8(v), Value::Text("x".repeat(20))].into()
}

fn add(r: &Row, delta: i64) -> Option<Row> {
    let Value::Int8(k) = r[0] else { return None };
    let Value::Int8(v) = r[1] else { return None };
    Some(row(k, v + delta))
}

struct Bank {
    engine: Engine,
    accounts: TableId,
    tellers: TableId,
    branches: TableId,
    history: TableId,
}

fn bank() -> Bank {
    let engine = Engine::default();
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    let keyed = |name: &str| TableDef {
        primary_key: Some(vec![0]),
        ..TableDef::new(name)
    };
    let accounts = txn.create_table(keyed("accounts")).expect("create");
    let tellers = txn.create_table(keyed("tellers")).expect("create");
    let branches = txn.create_table(keyed("branches")).expect("create");
    let history = txn.create_table(TableDef::new("history")).expect("create");
    for (t, n) in [
        (accounts, ACCOUNTS),
        (tellers, TELLERS),
        (branches, BRANCHES),
    ] {
        for k in 0..n {
            txn.insert(t, row(k, 0)).expect("insert");
        }
    }
    assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
    Bank {
        engine,
        accounts,
        tellers,
        branches,
        history,
    }
}

fn benches(c: &mut Criterion) {
    let b = bank();
    let mut n: i64 = 0;

    let mut reader = b.engine.begin(IsolationLevel::RepeatableRead);
    reader.begin_statement().expect("statement");
    c.bench_function("point_read", |bench| {
        bench.iter(|| {
            n = (n + 7919) % ACCOUNTS;
            black_box(reader.get(b.accounts, &key(n)).expect("get"))
        })
    });
    reader.rollback();

    c.bench_function("update_commit", |bench| {
        bench.iter(|| {
            n = (n + 7919) % ACCOUNTS;
            let mut txn = b.engine.begin(IsolationLevel::ReadCommitted);
            txn.begin_statement().expect("statement");
            txn.update_with(b.accounts, &key(n), |r| add(r, 1))
                .expect("update");
            assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
        })
    });

    c.bench_function("tpcb_like", |bench| {
        bench.iter(|| {
            n = (n + 7919) % ACCOUNTS;
            let (aid, tid, bid, delta) = (n, n % TELLERS, n % BRANCHES, n % 1000 - 500);
            let mut txn = b.engine.begin(IsolationLevel::ReadCommitted);
            txn.begin_statement().expect("statement");
            txn.update_with(b.accounts, &key(aid), |r| add(r, delta))
                .expect("update");
            txn.begin_statement().expect("statement");
            black_box(txn.get(b.accounts, &key(aid)).expect("get"));
            txn.begin_statement().expect("statement");
            txn.update_with(b.tellers, &key(tid), |r| add(r, delta))
                .expect("update");
            txn.begin_statement().expect("statement");
            txn.update_with(b.branches, &key(bid), |r| add(r, delta))
                .expect("update");
            txn.begin_statement().expect("statement");
            txn.insert(
                b.history,
                vec![
                    Value::Int8(tid),
                    Value::Int8(bid),
                    Value::Int8(aid),
                    Value::Int8(delta),
                ],
            )
            .expect("insert");
            assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
        })
    });

    // Throughput of single-row update transactions with 1 and 8 threads on
    // disjoint rows: the time per transaction should not grow with threads
    // beyond the cores available.
    let mut group = c.benchmark_group("disjoint_updates");
    for threads in [1i64, 8] {
        group.bench_function(format!("{threads}_threads"), |bench| {
            bench.iter_custom(|iters| {
                let per_thread = (iters as i64 / threads).max(1);
                let counter = Arc::new(AtomicI64::new(0));
                let started = Instant::now();
                let workers: Vec<_> = (0..threads)
                    .map(|t| {
                        let engine = b.engine.clone();
                        let accounts = b.accounts;
                        let counter = counter.clone();
                        std::thread::spawn(move || {
                            for i in 0..per_thread {
                                let k = t * (ACCOUNTS / 8) + i % (ACCOUNTS / 8);
                                let mut txn = engine.begin(IsolationLevel::ReadCommitted);
                                txn.begin_statement().expect("statement");
                                txn.update_with(accounts, &key(k), |r| add(r, 1))
                                    .expect("update");
                                assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
                                counter.fetch_add(1, Ordering::Relaxed);
                            }
                        })
                    })
                    .collect();
                for w in workers {
                    w.join().expect("worker");
                }
                let elapsed = started.elapsed();
                // Report time per transaction, whatever the thread count.
                let done = counter.load(Ordering::Relaxed).max(1) as u32;
                elapsed / done * iters as u32
            })
        });
    }
    group.finish();
    black_box(b.history);
}

criterion_group!(mvcc, benches);
criterion_main!(mvcc);
