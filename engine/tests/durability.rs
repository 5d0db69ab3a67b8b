//! Crash test: a real child process running bank transfers on a
//! `file://` database — and on an `s3://` one, against a real S3 API
//! (moto, started by the test) — is killed with SIGKILL at a random moment;
//! the database is reopened (recovery) and must hold every commit the child
//! saw acknowledged, with the total balance unchanged.
//!
//! The child is this test binary itself, re-executed with
//! `TWILL_DURABILITY_WORKER` set, running only [`worker`]: it opens the
//! directory, runs transfers on several threads through `Session`s, and
//! writes `ACK <id>` to stdout after each COMMIT is answered (and
//! `READY` once recovery is done). The parent reads those lines until it
//! kills the child, so every id it collected was acknowledged before the
//! kill.
//!
//! On `file://`, rounds alternate: an even round verifies the directory in place (a
//! clean shutdown follows, which checkpoints); an odd round verifies a copy
//! and leaves the original as the crash left it, so the next child
//! recovers a log that may end in a torn record, on top of earlier crashes.
//! On `s3://` every verification opens the bucket in place: it takes the
//! database over (a new writer epoch), as the next child then does.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twill_engine::{Database, Output, Session};
use twill_testkit::MotoServer;
use twill_types::Value;

const WORKER_ENV: &str = "TWILL_DURABILITY_WORKER";
const ROUND_ENV: &str = "TWILL_DURABILITY_ROUND";
const ACCOUNTS: i64 = 20;
const INITIAL: i64 = 1000;
const THREADS: i64 = 4;
const ROUNDS: u64 = 30;
/// Rounds on `s3://` (each open lists and reads the bucket over HTTP).
const S3_ROUNDS: u64 = 6;

fn url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

fn ok(s: &mut Session, sql: &str) -> Vec<Output> {
    let out = s.simple_query(sql);
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
            Value::Numeric(n) => n.to_string().parse().expect("integral sum"),
            other => panic!("not an int: {other:?}"),
        })
        .collect()
}

/// The child: transfers until killed. Runs only when re-executed by the
/// parent with the worker variable set.
#[test]
fn worker() {
    let Ok(url) = std::env::var(WORKER_ENV) else {
        return;
    };
    let round: i64 = std::env::var(ROUND_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let db = Database::open(&url).expect("worker open");
    let out = Arc::new(Mutex::new(std::io::stdout()));
    {
        let mut o = out.lock().expect("stdout");
        let _ = writeln!(o, "READY");
        let _ = o.flush();
    }
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = db.clone();
            let out = out.clone();
            std::thread::spawn(move || {
                let mut s = db.connect("worker", &[]).expect("connect");
                let mut rng = fastrand::Rng::with_seed((round * 100 + t) as u64);
                for n in 0.. {
                    let id = round * 1_000_000_000 + t * 100_000_000 + n;
                    let a = rng.i64(1..=ACCOUNTS);
                    let b = rng.i64(1..=ACCOUNTS);
                    if a == b {
                        continue;
                    }
                    let amount = rng.i64(1..=50);
                    // Lower id first: no deadlocks.
                    let (first, second) = if a < b {
                        ((a, -amount), (b, amount))
                    } else {
                        ((b, amount), (a, -amount))
                    };
                    let sql = format!(
                        "BEGIN; \
                         UPDATE accounts SET balance = balance + {} WHERE id = {}; \
                         UPDATE accounts SET balance = balance + {} WHERE id = {}; \
                         INSERT INTO transfers VALUES ({id}, {a}, {b}, {amount}); \
                         COMMIT",
                        first.1, first.0, second.1, second.0
                    );
                    let result = s.simple_query(&sql);
                    let failed = result.iter().any(|o| matches!(o, Output::Error(_)));
                    if failed {
                        s.simple_query("ROLLBACK");
                        continue;
                    }
                    let mut o = out.lock().expect("stdout");
                    let _ = writeln!(o, "ACK {id}");
                    let _ = o.flush();
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
}

/// Creates the accounts and transfers tables.
fn setup(url: &str) {
    let db = Database::open(url).expect("setup open");
    let mut s = db.connect("setup", &[]).expect("connect");
    ok(
        &mut s,
        "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
    );
    ok(
        &mut s,
        "CREATE TABLE transfers (id bigint PRIMARY KEY, a int, b int, amount bigint)",
    );
    ok(
        &mut s,
        &format!("INSERT INTO accounts SELECT g, {INITIAL} FROM generate_series(1, {ACCOUNTS}) g"),
    );
}

/// Runs one child and kills it after `run`; returns the acknowledged ids.
fn run_child(url: &str, round: u64, run: Duration) -> HashSet<i64> {
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args(["--exact", "worker", "--nocapture", "--test-threads", "1"])
        .env(WORKER_ENV, url)
        .env(ROUND_ENV, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn worker");
    let stdout = child.stdout.take().expect("piped");
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let ready = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let reader = {
        let acked = acked.clone();
        let ready = ready.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.ends_with("READY") {
                    *ready.0.lock().expect("ready") = true;
                    ready.1.notify_all();
                } else if let Some(id) = line.strip_prefix("ACK ") {
                    acked
                        .lock()
                        .expect("acked")
                        .insert(id.parse::<i64>().expect("id"));
                }
            }
            *ready.0.lock().expect("ready") = true;
            ready.1.notify_all();
        })
    };
    {
        let mut r = ready.0.lock().expect("ready");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !*r && Instant::now() < deadline {
            r = ready
                .1
                .wait_timeout(r, Duration::from_millis(50))
                .expect("wait")
                .0;
        }
    }
    std::thread::sleep(run);
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    reader.join().expect("reader");
    acked.lock().expect("acked").clone()
}

/// Opens `url` (recovery) and checks the invariants; returns how many
/// transfers it holds.
fn verify(url: &str, acked: &HashSet<i64>) -> usize {
    let db = Database::open(url).expect("recovery");
    let mut s = db.connect("verify", &[]).expect("connect");
    let total = ints(&ok(&mut s, "SELECT sum(balance) FROM accounts"));
    assert_eq!(total, vec![ACCOUNTS * INITIAL], "total balance changed");
    let present: HashSet<i64> = ints(&ok(&mut s, "SELECT id FROM transfers"))
        .into_iter()
        .collect();
    let missing: Vec<_> = acked.difference(&present).collect();
    assert!(missing.is_empty(), "acknowledged commits lost: {missing:?}");
    // Each account's balance is what its transfers say.
    let mut balance = vec![INITIAL; ACCOUNTS as usize + 1];
    for (column, sign) in [("a", -1), ("b", 1)] {
        let out = ok(
            &mut s,
            &format!("SELECT {column}, sum(amount) FROM transfers GROUP BY {column}"),
        );
        for row in out
            .iter()
            .filter_map(|o| match o {
                Output::Rows(r) => Some(r.clone()),
                _ => None,
            })
            .flatten()
        {
            let account = ints(&[Output::Rows(vec![vec![row[0].clone()]])])[0];
            let sum = ints(&[Output::Rows(vec![vec![row[1].clone()]])])[0];
            balance[account as usize] += sign * sum;
        }
    }
    let stored = ints(&ok(&mut s, "SELECT balance FROM accounts ORDER BY id"));
    assert_eq!(stored, balance[1..], "balances disagree with transfers");
    present.len()
}

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

#[test]
fn kill_9_loses_no_acknowledged_commit() {
    if std::env::var(WORKER_ENV).is_ok() {
        return;
    }
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = base.join(format!("durability-{}", std::process::id()));
    let copy = base.join(format!("durability-{}-copy", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    setup(&url(&dir));
    let started = Instant::now();
    let mut all_acked = HashSet::new();
    let mut total_acked = 0;
    for round in 1..=ROUNDS {
        let run = Duration::from_millis(fastrand::u64(50..400));
        let acked = run_child(&url(&dir), round, run);
        total_acked += acked.len();
        all_acked.extend(acked);
        let present = if round % 2 == 0 {
            verify(&url(&dir), &all_acked)
        } else {
            copy_dir(&dir, &copy);
            verify(&url(&copy), &all_acked)
        };
        eprintln!(
            "round {round}: killed after {run:?}; {} acknowledged so far, {present} transfers recovered ({:?})",
            all_acked.len(),
            started.elapsed()
        );
    }
    eprintln!(
        "{ROUNDS} kill -9 rounds in {:?}: {total_acked} acknowledged commits, all present",
        started.elapsed()
    );
    assert!(total_acked > 0, "the workers committed nothing");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&copy);
}

#[test]
fn kill_9_on_s3_loses_no_acknowledged_commit() {
    if std::env::var(WORKER_ENV).is_ok() {
        return;
    }
    let moto = MotoServer::start();
    moto.create_bucket("twill-durability");
    let url = moto.url("twill-durability", "crash");
    setup(&url);
    let started = Instant::now();
    let mut all_acked = HashSet::new();
    for round in 1..=S3_ROUNDS {
        let run = Duration::from_millis(fastrand::u64(200..800));
        let acked = run_child(&url, round, run);
        all_acked.extend(acked);
        let present = verify(&url, &all_acked);
        eprintln!(
            "s3 round {round}: killed after {run:?}; {} acknowledged so far, {present} transfers recovered ({:?})",
            all_acked.len(),
            started.elapsed()
        );
    }
    assert!(!all_acked.is_empty(), "the workers committed nothing");
    // The log went to the bucket as objects.
    let keys = moto.keys("twill-durability", "crash/log/");
    assert!(!keys.is_empty(), "no log objects in the bucket");
}
