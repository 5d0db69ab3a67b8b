//! SQL benchmarks, in process, `memory://`: what issue 4 measures.
//!
//! - a prepared primary-key lookup (Bind + Execute + Sync through a session),
//! - a simple-protocol primary-key lookup (parse included),
//! - the pgbench TPC-B transaction as SQL (prepared statements),
//! - a 1M-row scan with an aggregate (reported as rows/s),
//! - a 100k × 100k hash join.
//!
//! Run briefly with
//! `cargo bench -p twill-engine --bench sql -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use twill_engine::{Database, Output, Session};
use twill_types::Value;

const ACCOUNTS: i64 = 100_000;

/// Runs SQL and panics on any error (setup only).
fn run(s: &mut Session, sql: &str) {
    for o in s.simple_query(sql) {
        if let Output::Error(e) = o {
            panic!("{sql}: {}: {}", e.code, e.message);
        }
    }
}

/// A database with pgbench's four tables at scale 1.
fn pgbench() -> (Database, Session) {
    let db = Database::open("memory://").expect("memory database");
    let mut s = db.connect("bench", &[]).expect("session");
    run(
        &mut s,
        "CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88));
         CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84));
         CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
         CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
         INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, 1) g;
         INSERT INTO pgbench_tellers SELECT g, 1, 0, '' FROM generate_series(1, 10) g;",
    );
    run(
        &mut s,
        &format!(
            "INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, {ACCOUNTS}) g"
        ),
    );
    (db, s)
}

/// Bind + Execute + Sync of a prepared statement; returns the row count.
fn execute(s: &mut Session, statement: &str, params: Vec<Value>) -> usize {
    s.bind("", statement, params).expect("bind");
    let batch = s.execute("", 0);
    let mut rows = 0;
    for o in batch.outputs {
        match o {
            Output::Rows(r) => rows += r.len(),
            Output::Error(e) => panic!("{statement}: {}: {}", e.code, e.message),
            _ => {}
        }
    }
    s.sync().expect("sync");
    rows
}

fn point_lookups(c: &mut Criterion) {
    let (_db, mut s) = pgbench();
    s.parse(
        "select",
        "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
        &[],
    )
    .expect("parse");
    let mut aid = 0i64;
    c.bench_function("sql/prepared_pk_lookup", |b| {
        b.iter(|| {
            aid = aid % ACCOUNTS + 1;
            black_box(execute(&mut s, "select", vec![Value::Int4(aid as i32)]))
        })
    });
    c.bench_function("sql/simple_pk_lookup", |b| {
        b.iter(|| {
            black_box(
                s.simple_query("SELECT abalance FROM pgbench_accounts WHERE aid = 4242")
                    .len(),
            )
        })
    });
}

fn tpcb(c: &mut Criterion) {
    let (_db, mut s) = pgbench();
    let statements = [
        (
            "u1",
            "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2",
        ),
        ("s1", "SELECT abalance FROM pgbench_accounts WHERE aid = $1"),
        (
            "u2",
            "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2",
        ),
        (
            "u3",
            "UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2",
        ),
        (
            "i1",
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)",
        ),
    ];
    for (name, sql) in statements {
        s.parse(name, sql, &[]).expect("parse");
    }
    s.parse("begin", "BEGIN", &[]).expect("parse");
    s.parse("end", "END", &[]).expect("parse");
    let mut n = 0i64;
    c.bench_function("sql/tpcb_transaction", |b| {
        b.iter(|| {
            n += 1;
            let aid = Value::Int4((n * 7919 % ACCOUNTS + 1) as i32);
            let tid = Value::Int4((n % 10 + 1) as i32);
            let delta = Value::Int4((n % 1000) as i32 - 500);
            execute(&mut s, "begin", vec![]);
            execute(&mut s, "u1", vec![delta.clone(), aid.clone()]);
            execute(&mut s, "s1", vec![aid.clone()]);
            execute(&mut s, "u2", vec![delta.clone(), tid.clone()]);
            execute(&mut s, "u3", vec![delta.clone(), Value::Int4(1)]);
            execute(&mut s, "i1", vec![tid, Value::Int4(1), aid, delta]);
            execute(&mut s, "end", vec![])
        })
    });
}

fn scans(c: &mut Criterion) {
    let db = Database::open("memory://").expect("memory database");
    let mut s = db.connect("bench", &[]).expect("session");
    run(
        &mut s,
        "CREATE TABLE big (id int PRIMARY KEY, v int);
         INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 1000000) g;
         CREATE TABLE a (id int PRIMARY KEY, k int);
         CREATE TABLE b (id int PRIMARY KEY, k int);
         INSERT INTO a SELECT g, g FROM generate_series(1, 100000) g;
         INSERT INTO b SELECT g, 100001 - g FROM generate_series(1, 100000) g;",
    );
    let mut group = c.benchmark_group("sql/scan");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("aggregate_1m_rows", |b| {
        b.iter(|| black_box(s.simple_query("SELECT sum(v), count(*) FROM big").len()))
    });
    group.throughput(Throughput::Elements(200_000));
    group.bench_function("hash_join_100k_x_100k", |b| {
        b.iter(|| {
            black_box(
                s.simple_query("SELECT count(*) FROM a JOIN b ON a.k = b.k")
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, point_lookups, tpcb, scans);
criterion_main!(benches);
