//! Commit cost on `file://` against `memory://`: a timed loop, not
//! criterion (one number per configuration is what we compare).
//!
//! - single-session commit latency: one-row UPDATE, autocommit, N times;
//! - N sessions on N threads, each updating its own row: commits/s;
//! - the same with `synchronous_commit = off`.
//!
//! Run with `cargo bench -p twill-engine --bench durability`
//! (`TWILL_BENCH_DIR` picks the directory; the default is under the target
//! directory, i.e. the same file system as the build).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use twill_engine::{Database, Output, Session};

fn run(s: &mut Session, sql: &str) {
    for o in s.simple_query(sql) {
        if let Output::Error(e) = o {
            panic!("{sql}: {}: {}", e.code, e.message);
        }
    }
}

fn open(url: &str) -> Database {
    if let Some(path) = url.strip_prefix("file://") {
        let _ = std::fs::remove_dir_all(path);
    }
    let db = Database::open(url).expect("open");
    let mut s = db.connect("bench", &[]).expect("connect");
    run(&mut s, "CREATE TABLE t (id int PRIMARY KEY, v bigint)");
    run(
        &mut s,
        "INSERT INTO t SELECT g, 0 FROM generate_series(0, 63) g",
    );
    db
}

/// Mean latency of one autocommit UPDATE.
fn latency(db: &Database, sync: bool, n: u32) -> Duration {
    let mut s = db.connect("bench", &[]).expect("connect");
    if !sync {
        run(&mut s, "SET synchronous_commit = off");
    }
    for _ in 0..20 {
        run(&mut s, "UPDATE t SET v = v + 1 WHERE id = 0");
    }
    let start = Instant::now();
    for _ in 0..n {
        run(&mut s, "UPDATE t SET v = v + 1 WHERE id = 0");
    }
    start.elapsed() / n
}

/// Commits per second over `threads` sessions, each on its own row.
fn throughput(db: &Database, threads: i64, sync: bool, time: Duration) -> f64 {
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut s = db.connect("bench", &[]).expect("connect");
                if !sync {
                    run(&mut s, "SET synchronous_commit = off");
                }
                let sql = format!("UPDATE t SET v = v + 1 WHERE id = {t}");
                let mut n = 0u64;
                while start.elapsed() < time {
                    run(&mut s, &sql);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir: PathBuf = std::env::var_os("TWILL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-durability")
        });
    let file_url = format!("file://{}", dir.display());
    let time = Duration::from_secs(2);
    for (name, url, sync) in [
        ("memory://", "memory://", true),
        ("file://", file_url.as_str(), true),
        ("file:// synchronous_commit=off", file_url.as_str(), false),
    ] {
        let db = open(url);
        let lat = latency(
            &db,
            sync,
            if url.starts_with("file") && sync {
                300
            } else {
                5000
            },
        );
        println!("{name:32} single-session commit latency: {lat:?}");
        for threads in [1, 4, 16] {
            let rate = throughput(&db, threads, sync, time);
            println!("{name:32} {threads:2} sessions: {rate:10.0} commits/s");
        }
        drop(db);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
