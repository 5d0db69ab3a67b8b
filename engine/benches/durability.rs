//! Commit cost on `file://` and `s3://` (against moto, started here)
//! beside `memory://`: a timed loop, not criterion (one number per
//! configuration is what we compare).
//!
//! - single-session commit latency: one-row UPDATE, autocommit, N times;
//! - N sessions on N threads (1 … 64), each updating its own row:
//!   commits/s, and log flushes (fsyncs or object puts) per commit — what
//!   group commit saves;
//! - `file://` also with `synchronous_commit = off`.
//!
//! Prints a markdown table (stdout) for docs/durability.md.
//!
//! Run with `cargo bench -p twill-engine --bench durability`
//! (`TWILL_BENCH_DIR` picks the directory; the default is under the target
//! directory, i.e. the same file system as the build).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use twill_engine::{Database, Output, Session};
use twill_testkit::MotoServer;

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

/// Commits per second over `threads` sessions, and the commits made.
fn throughput(db: &Database, threads: i64, sync: bool, time: Duration) -> (f64, u64) {
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
    (total as f64 / start.elapsed().as_secs_f64(), total)
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
    // A real S3 API on loopback (moto): latency is HTTP + moto's own,
    // which is what batching has to hide.
    let moto = MotoServer::start();
    moto.create_bucket("twill-bench");
    let s3_url = moto.url("twill-bench", "durability");
    let time = Duration::from_secs(2);
    let committers = [1, 2, 4, 8, 16, 32, 64];
    println!("| storage | committers | commits/s | flushes per commit |");
    println!("|---|---:|---:|---:|");
    for (name, url, sync) in [
        ("memory://", "memory://", true),
        ("file://", file_url.as_str(), true),
        ("file:// synchronous_commit=off", file_url.as_str(), false),
        ("s3:// (moto)", s3_url.as_str(), true),
    ] {
        let db = open(url);
        let n = if url == "memory://" || !sync {
            5000
        } else {
            300
        };
        let lat = latency(&db, sync, n);
        eprintln!("{name}: single-session commit latency {lat:?}");
        for threads in committers {
            let flushes = db.log_flushes().unwrap_or(0);
            let (rate, commits) = throughput(&db, threads, sync, time);
            let per_commit = match db.log_flushes() {
                Some(after) => format!("{:.3}", (after - flushes) as f64 / commits as f64),
                None => "-".into(),
            };
            println!("| {name} | {threads} | {rate:.0} | {per_commit} |");
        }
        drop(db);
    }
    let _ = std::fs::remove_dir_all(&dir);
    recovery_and_open(&dir);
}

/// Bytes of the log segments in `dir`.
fn log_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("wal-"))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum()
}

/// A crash image: the files of an open database, without its lock.
fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        if e.file_name() != "lock" {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

/// Recovery speed (log replay, MB/s), the time to open a checkpointed
/// database of 1 M rows, and the longest commit while a checkpoint of it
/// runs beside a committing session.
fn recovery_and_open(base: &Path) {
    let dir = base.join("recovery");
    let image = base.join("recovery-image");
    let url = format!("file://{}", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    {
        let db = Database::open(&url).expect("open");
        let mut s = db.connect("bench", &[]).expect("connect");
        run(&mut s, "CREATE TABLE r (id int PRIMARY KEY, v text)");
        run(&mut s, "SET synchronous_commit = off");
        for i in 0..200_000 {
            run(
                &mut s,
                &format!("INSERT INTO r VALUES ({i}, 'row number {i}')"),
            );
        }
        run(&mut s, "SET synchronous_commit = on");
        run(&mut s, "INSERT INTO r VALUES (-1, 'flushes the rest')");
        copy_dir(&dir, &image);
    }
    let bytes = log_bytes(&image);
    let start = Instant::now();
    let db = Database::open(&format!("file://{}", image.display())).expect("recover");
    let took = start.elapsed();
    drop(db);
    println!(
        "recovery: {:.1} MB of log (200 001 commits) replayed in {took:?}: {:.0} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / took.as_secs_f64()
    );

    let _ = std::fs::remove_dir_all(&dir);
    {
        let db = Database::open(&url).expect("open");
        let mut s = db.connect("bench", &[]).expect("connect");
        run(&mut s, "CREATE TABLE m (id int PRIMARY KEY, v text)");
        run(
            &mut s,
            "INSERT INTO m SELECT g, 'value ' || g FROM generate_series(1, 1000000) g",
        );
        run(&mut s, "CREATE TABLE c (id int PRIMARY KEY, v bigint)");
        run(&mut s, "INSERT INTO c VALUES (1, 0)");
        // Commit latency with and without a checkpoint of 1 M rows beside.
        let quiet = worst_commit(&db, Duration::from_secs(2), None);
        let busy = worst_commit(&db, Duration::from_secs(2), Some(db.clone()));
        println!(
            "longest single-row commit over 2 s: {quiet:?} alone, {busy:?} while CHECKPOINTs of 1 M rows run"
        );
    }
    let start = Instant::now();
    let db = Database::open(&url).expect("reopen");
    let took = start.elapsed();
    let mut s = db.connect("bench", &[]).expect("connect");
    run(&mut s, "SELECT count(*) FROM m");
    println!("open a checkpointed database of 1 M rows: {took:?}");
    drop(s);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&image);
}

/// The longest autocommit UPDATE over `time`; with `checkpoints`, another
/// session runs CHECKPOINT in a loop meanwhile.
fn worst_commit(db: &Database, time: Duration, checkpoints: Option<Database>) -> Duration {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let checkpointer = checkpoints.map(|db| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut s = db.connect("bench", &[]).expect("connect");
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                run(&mut s, "CHECKPOINT");
                n += 1;
            }
            n
        })
    });
    let mut s = db.connect("bench", &[]).expect("connect");
    let start = Instant::now();
    let mut worst = Duration::ZERO;
    while start.elapsed() < time {
        let t = Instant::now();
        run(&mut s, "UPDATE c SET v = v + 1 WHERE id = 1");
        worst = worst.max(t.elapsed());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(h) = checkpointer {
        let n = h.join().expect("checkpointer");
        eprintln!("{n} checkpoints ran");
    }
    worst
}
