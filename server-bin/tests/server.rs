//! End-to-end tests of the real `engine-server` binary: a process per test,
//! started on a free port with each runtime, driven by the `postgres`
//! crate, psql and pgbench.
//!
//! The server is started with `--listen 127.0.0.1:0` and the test reads the
//! bound address from its startup log line (`listening on …`), so tests
//! never race each other for a port. A [`Server`] guard stops the process
//! when the test ends, pass or fail: SIGTERM first (the graceful path),
//! SIGKILL if it does not exit within a few seconds. Client work runs on
//! its own thread with a deadline, so a hung server fails the test instead
//! of hanging the suite. (The imports say `::std` because the per-runtime
//! test modules are named after the runtimes, one of them `std`.)

use ::std::io::{BufRead, BufReader, Read};
use ::std::process::{Child, Command, ExitStatus, Output, Stdio};
use ::std::sync::mpsc;
use ::std::sync::{Arc, Mutex};
use ::std::thread;
use ::std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, NoTls, SimpleQueryMessage};

/// How long a server may take to print its startup line.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one test's client work may take.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `engine-server` process, stopped on drop.
struct Server {
    child: Child,
    port: u16,
    /// Everything the server logged so far (for failure messages).
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the binary with `--runtime <runtime>` on a free port and waits
    /// until it listens.
    fn start(runtime: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_engine-server"))
            .args(["--runtime", runtime, "--listen", "127.0.0.1:0"])
            .args(["--drain-timeout", "2"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start engine-server");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        // Keeps draining stderr for the life of the process, or the server
        // would block on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = listening_port(&line) {
                    let _ = tx.send(port);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(port) => server.port = port,
            Err(_) => panic!(
                "engine-server --runtime {runtime} did not start; log:\n{}",
                server.log()
            ),
        }
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn client(&self) -> Client {
        connect(self.port)
    }

    /// Sends SIGTERM and waits for the process to exit.
    fn terminate(&mut self) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if self.terminate().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The port in a `listening on 127.0.0.1:PORT (runtime …)` log line.
fn listening_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("listening on ")? + "listening on ".len()..];
    let addr = rest.split_whitespace().next()?;
    addr.rsplit(':').next()?.parse().ok()
}

fn connect(port: u16) -> Client {
    Client::connect(
        &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=5"),
        NoTls,
    )
    .expect("connect to engine-server")
}

/// Runs `body` against a fresh server of `runtime` on another thread,
/// failing (with the server's log) if it panics or takes too long.
fn with_server(runtime: &str, body: impl FnOnce(u16) + Send + 'static) {
    let server = Server::start(runtime);
    let port = server.port;
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        body(port);
        let _ = tx.send(());
    });
    match rx.recv_timeout(TEST_TIMEOUT) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("test timed out; server log:\n{}", server.log())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().expect_err("the worker panicked");
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{message}\nserver log:\n{}", server.log());
        }
    }
}

// ---- the cases, each run on every runtime ----

/// CREATE TABLE, INSERT, and SELECT with typed and untyped parameters
/// (the extended protocol), plus the simple protocol.
fn sql(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client
            .batch_execute("create table t (id int primary key, name text, score bigint)")
            .unwrap();
        let n = client
            .execute(
                "insert into t values (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)",
                &[],
            )
            .unwrap();
        assert_eq!(n, 3);
        // Untyped parameters: the server infers int4, text, int8.
        let n = client
            .execute("insert into t values ($1, $2, $3)", &[&4i32, &"d", &40i64])
            .unwrap();
        assert_eq!(n, 1);

        // A typed parameter, and the prepared statement used twice.
        let by_id = client
            .prepare_typed("select name from t where id = $1", &[Type::INT4])
            .unwrap();
        assert_eq!(by_id.params(), &[Type::INT4]);
        let row = client.query_one(&by_id, &[&2i32]).unwrap();
        assert_eq!(row.get::<_, String>(0), "b");
        let row = client.query_one(&by_id, &[&4i32]).unwrap();
        assert_eq!(row.get::<_, String>(0), "d");

        // An untyped parameter compared with a bigint column.
        let rows = client
            .query(
                "select id, score from t where score > $1 order by id",
                &[&15i64],
            )
            .unwrap();
        let got: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, vec![(2, 20), (3, 30), (4, 40)]);

        // The simple protocol: text results.
        let messages = client.simple_query("select count(*) from t").unwrap();
        let count = messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .expect("a count row");
        assert_eq!(count, "4");
    });
}

/// An error (42P01) does not end the session: the next query works, in
/// both protocols.
fn error_then_recovery(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        let err = client
            .query("select * from no_such_table", &[])
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
        let row = client.query_one("select 1 + $1::int4", &[&41i32]).unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);

        let err = client
            .batch_execute("select * from no_such_table")
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
        let messages = client.simple_query("select 'still here'").unwrap();
        assert!(messages.iter().any(|m| matches!(m,
                SimpleQueryMessage::Row(row) if row.get(0) == Some("still here"))));
    });
}

/// BEGIN / INSERT / ROLLBACK leaves nothing behind; COMMIT keeps it.
fn rollback(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client.batch_execute("create table r (x int)").unwrap();
        client.batch_execute("insert into r values (1)").unwrap();

        client.batch_execute("begin").unwrap();
        client
            .execute("insert into r values ($1), ($2)", &[&2i32, &3i32])
            .unwrap();
        let inside: i64 = client
            .query_one("select count(*) from r", &[])
            .unwrap()
            .get(0);
        assert_eq!(inside, 3);
        client.batch_execute("rollback").unwrap();
        let after: i64 = client
            .query_one("select count(*) from r", &[])
            .unwrap()
            .get(0);
        assert_eq!(after, 1, "the rolled-back rows are gone");

        // The same through the driver's transaction API, and a second
        // session that sees only committed rows.
        let mut tx = client.transaction().unwrap();
        tx.execute("insert into r values (10)", &[]).unwrap();
        tx.commit().unwrap();
        let mut other = connect(port);
        let seen: Vec<i32> = other
            .query("select x from r order by x", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(seen, vec![1, 10]);
    });
}

/// A CancelRequest reaches the engine: a statement waiting for a row lock
/// ends with 57014 "…user request". With `statement_timeout` given at
/// startup (`options=-c …`, which the core applies to its own timer), the
/// same wait ends with 57014 "…statement timeout" — the core's interrupt,
/// reworded by the backend. The sessions go on.
fn cancel(runtime: &str) {
    with_server(runtime, |port| {
        let mut holder = connect(port);
        holder
            .batch_execute(
                "create table c (id int primary key, v int); insert into c values (1, 0)",
            )
            .unwrap();
        holder
            .batch_execute("begin; update c set v = 1 where id = 1")
            .unwrap();

        let mut waiter = connect(port);
        let token = waiter.cancel_token();
        let blocked = thread::spawn(move || {
            let err = waiter
                .execute("update c set v = 2 where id = 1", &[])
                .unwrap_err();
            (waiter, err)
        });
        thread::sleep(Duration::from_millis(300));
        token.cancel_query(NoTls).unwrap();
        let (mut waiter, err) = blocked.join().unwrap();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
        assert_eq!(db.message(), "canceling statement due to user request");

        let mut timed = postgres::Config::new()
            .host("127.0.0.1")
            .port(port)
            .user("postgres")
            .dbname("postgres")
            .options("-c statement_timeout=200")
            .connect_timeout(Duration::from_secs(5))
            .connect(NoTls)
            .expect("connect with options");
        let started = Instant::now();
        let err = timed
            .execute("update c set v = 3 where id = 1", &[])
            .unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        assert!(started.elapsed() < Duration::from_secs(5));

        holder.batch_execute("rollback").unwrap();
        assert_eq!(
            waiter
                .execute("update c set v = 4 where id = 1", &[])
                .unwrap(),
            1
        );
        assert_eq!(
            timed
                .execute("update c set v = 5 where id = 1", &[])
                .unwrap(),
            1
        );
    });
}

/// `SET statement_timeout` must reach the core's timer, which needs the
/// engine to report the change (`Output::SettingChanged`).
fn set_statement_timeout(runtime: &str) {
    with_server(runtime, |port| {
        let mut holder = connect(port);
        holder
            .batch_execute("create table s (id int primary key); insert into s values (1)")
            .unwrap();
        holder
            .batch_execute("begin; update s set id = 1 where id = 1")
            .unwrap();
        let mut waiter = connect(port);
        waiter.batch_execute("set statement_timeout = 200").unwrap();
        let err = waiter
            .execute("update s set id = 1 where id = 1", &[])
            .unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        holder.batch_execute("rollback").unwrap();
    });
}

/// psql connects (SSLRequest, its startup queries) and runs `select 1`.
fn psql(runtime: &str) {
    with_server(runtime, |port| {
        let out = run(psql_command(port).args(["-c", "select 1"]), 20);
        assert!(out.status.success(), "psql failed: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("?column?") && stdout.contains("(1 row)"),
            "{stdout}"
        );
        let out = run(psql_command(port).args(["-At", "-c", "select 1"]), 20);
        assert!(out.status.success(), "psql failed: {}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    });
}

/// SIGTERM with an idle session connected: the server drains and exits 0.
fn sigterm(runtime: &str) {
    let mut server = Server::start(runtime);
    let mut client = server.client();
    client.batch_execute("select 1").unwrap();
    let status = server.terminate();
    let status = status.unwrap_or_else(|| panic!("no exit after SIGTERM; log:\n{}", server.log()));
    assert!(status.success(), "{status}; log:\n{}", server.log());
    assert!(client.batch_execute("select 1").is_err());
    assert!(server.log().contains("stopped"), "{}", server.log());
}

macro_rules! per_runtime {
    ($($runtime:ident),*) => {$(
        mod $runtime {
            #[test]
            fn sql() {
                super::sql(stringify!($runtime));
            }
            #[test]
            fn error_then_recovery() {
                super::error_then_recovery(stringify!($runtime));
            }
            #[test]
            fn rollback() {
                super::rollback(stringify!($runtime));
            }
            #[test]
            fn cancel() {
                super::cancel(stringify!($runtime));
            }
            #[test]
            fn set_statement_timeout() {
                super::set_statement_timeout(stringify!($runtime));
            }
            #[test]
            fn psql() {
                super::psql(stringify!($runtime));
            }
            #[test]
            fn sigterm() {
                super::sigterm(stringify!($runtime));
            }
        }
    )*};
}

per_runtime!(std, mio, tokio, smol);

/// `pgbench -i -s 1`, then a 3-second read-only run with 4 clients on 2
/// threads: no transaction may fail.
#[test]
fn pgbench_tokio() {
    with_server("tokio", |port| {
        let init = run(
            pgbench_command(port).args(["-i", "-s", "1", "--quiet"]),
            120,
        );
        assert!(
            init.status.success(),
            "pgbench -i failed: {}",
            describe(&init)
        );
        let bench = run(
            pgbench_command(port).args(["-S", "-T", "3", "-c", "4", "-j", "2"]),
            60,
        );
        let stdout = String::from_utf8_lossy(&bench.stdout);
        assert!(
            bench.status.success(),
            "pgbench failed: {}",
            describe(&bench)
        );
        assert!(stdout.contains("tps = "), "{stdout}");
        assert!(
            stdout.contains("number of failed transactions: 0"),
            "{stdout}"
        );
    });
}

#[test]
fn help_names_the_runtimes_and_memory_url() {
    let out = run(
        Command::new(env!("CARGO_BIN_EXE_engine-server")).arg("--help"),
        10,
    );
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in ["--runtime", "std", "mio", "tokio", "smol", "memory://"] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

// ---- client programs ----

/// A PostgreSQL client program, failing the test with the install hint if
/// it is missing.
fn pg_program(name: &str) -> Command {
    let candidates = [
        format!("/usr/lib/postgresql/15/bin/{name}"),
        format!("/usr/bin/{name}"),
    ];
    let bin = candidates
        .iter()
        .find(|p| ::std::path::Path::new(p).exists())
        .cloned()
        .unwrap_or_else(|| panic!("{name} is missing: install postgresql-client-15"));
    let mut cmd = Command::new(bin);
    cmd.env("PGCONNECT_TIMEOUT", "5")
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .env_remove("PGOPTIONS");
    cmd
}

fn psql_command(port: u16) -> Command {
    let mut cmd = pg_program("psql");
    cmd.args(["-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
        .args(["-p", &port.to_string(), "-U", "postgres", "-d", "postgres"]);
    cmd
}

fn pgbench_command(port: u16) -> Command {
    let mut cmd = pg_program("pgbench");
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"]);
    // The database name comes last, after the caller's options.
    cmd.env("PGDATABASE", "postgres");
    cmd
}

/// Runs a command to completion, killing it after `secs` seconds.
fn run(cmd: &mut Command, secs: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
