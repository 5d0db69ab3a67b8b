//! The server's life: many clients at once, the two connection limits, SIGTERM
//! with sessions open; and the command line around it (start-up errors,
//! `--version`, environment variables, `--wire-trace`).

use ::std::io::{Read, Write};
use ::std::net::{TcpListener, TcpStream};
use ::std::sync::Arc;
use ::std::thread;
use ::std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, NoTls, SimpleQueryMessage};

use crate::{DRAIN_SECS, Server, block_on, conninfo, run, server_command, with_server_args};

/// How many clients [`many_connections`] holds open at once.
const CLIENTS: usize = 500;

/// 500 tokio-postgres clients connect concurrently, each runs a query in
/// both protocols, all are open together (a barrier), then all close; the
/// server then still serves a new client.
pub(crate) fn many_connections(runtime: &str) {
    with_server_args(runtime, &["--max-connections", "600"], |port| {
        block_on(async move {
            let barrier = Arc::new(::tokio::sync::Barrier::new(CLIENTS));
            let mut set = ::tokio::task::JoinSet::new();
            for i in 0..CLIENTS as i32 {
                let barrier = Arc::clone(&barrier);
                set.spawn(async move {
                    let (client, connection) = tokio_postgres::connect(&conninfo(port), NoTls)
                        .await
                        .unwrap_or_else(|e| panic!("client {i}: {e}"));
                    let connection = ::tokio::spawn(connection);
                    let row = client
                        .query_one("select $1::int4 + 1", &[&i])
                        .await
                        .unwrap();
                    assert_eq!(row.get::<_, i32>(0), i + 1);
                    let rows = client.simple_query("select 'ok'").await.unwrap();
                    assert!(
                        matches!(&rows[1], SimpleQueryMessage::Row(r) if r.get(0) == Some("ok"))
                    );
                    barrier.wait().await;
                    drop(client);
                    connection.await.unwrap().unwrap();
                });
            }
            let mut done = 0;
            while let Some(result) = set.join_next().await {
                result.unwrap();
                done += 1;
            }
            assert_eq!(done, CLIENTS);
        });
        let mut client = crate::connect(port);
        client.batch_execute("select 1").unwrap();
    });
}

/// The two limits, `--max-connections 2 --max-startups 3`:
///
/// 1. With one session open, three silent sockets fill the startup slots:
///    a fourth client is turned away with FATAL 53300 "sorry, too many
///    clients already" although a session slot is free, and a
///    CancelRequest over the limit still cancels the session's statement.
/// 2. Once the silent sockets leave, a second client logs in; a third
///    authenticates and then gets the same 53300 (sessions are full).
/// 3. Once a session ends, a new client gets its slot.
pub(crate) fn connection_limit(runtime: &str) {
    let args = ["--max-connections", "2", "--max-startups", "3"];
    with_server_args(runtime, &args, |port| {
        let mut first = crate::connect(port);
        let silent: Vec<TcpStream> = (0..3).map(|_| admitted_silent(port)).collect();
        assert_too_many(&refused(port));
        let token = first.cancel_token();
        let canceller = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            token.cancel_query(NoTls).unwrap();
        });
        let err = first.batch_execute("select pg_sleep(10)").unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err}");
        canceller.join().unwrap();
        drop(silent);

        let mut second = retry_connect(port, "the startup slots were not freed");
        assert_too_many(&refused(port));
        first.batch_execute("select 1").unwrap();
        second.batch_execute("select 1").unwrap();

        drop(first);
        let mut third = retry_connect(port, "the freed session slot was not reused");
        third.batch_execute("select 1").unwrap();
    });
}

/// Asserts PostgreSQL's answer at the connection limit.
fn assert_too_many(err: &postgres::Error) {
    let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(db.code(), &SqlState::TOO_MANY_CONNECTIONS, "{err}");
    assert_eq!(db.message(), "sorry, too many clients already");
}

/// A socket the server has admitted to its startup and that sends nothing
/// more: its SSLRequest got `N` (so the server accepted it and counts it).
fn admitted_silent(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut ssl_request = 8i32.to_be_bytes().to_vec();
    ssl_request.extend_from_slice(&80_877_103i32.to_be_bytes());
    stream.write_all(&ssl_request).unwrap();
    let mut answer = [0u8; 1];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"N");
    stream
}

/// Connects, retrying on 53300 for a few seconds (the server notices a
/// close asynchronously).
fn retry_connect(port: u16, what: &str) -> Client {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match Client::connect(&conninfo(port), NoTls) {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                assert_eq!(e.code(), Some(&SqlState::TOO_MANY_CONNECTIONS), "{e}");
                thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// A connection attempt that must fail.
fn refused(port: u16) -> postgres::Error {
    match Client::connect(&conninfo(port), NoTls) {
        Ok(_) => panic!("connected over the limit"),
        Err(e) => e,
    }
}

/// SIGTERM with sessions open — one idle, one inside a transaction, one
/// running a 1-second statement: the running statement finishes, every
/// session is closed, and the process exits 0 within the drain time.
pub(crate) fn sigterm(runtime: &str) {
    let mut server = Server::start(runtime);
    let mut idle = server.client();
    idle.batch_execute("select 1").unwrap();
    let mut in_tx = server.client();
    in_tx
        .batch_execute("create table t (x int); begin; insert into t values (1)")
        .unwrap();
    // tokio-postgres for the busy session: the blocking `postgres` client
    // may surface the FATAL that follows ReadyForQuery (it arrives in the
    // same read) instead of the statement's own result.
    let port = server.port();
    let running = thread::spawn(move || {
        block_on(async move {
            let (client, connection) = tokio_postgres::connect(&conninfo(port), NoTls)
                .await
                .unwrap();
            let connection = ::tokio::spawn(connection);
            let result = client.simple_query("select pg_sleep(1)").await;
            let end = connection.await.unwrap();
            (result.map(|m| m.len()), end)
        })
    });
    thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let status = server.terminate();
    let elapsed = started.elapsed();
    let status = status.unwrap_or_else(|| panic!("no exit after SIGTERM; log:\n{}", server.log()));
    assert!(status.success(), "{status}; log:\n{}", server.log());
    assert!(
        elapsed < Duration::from_millis(DRAIN_SECS * 1000 + 1500),
        "exit took {elapsed:?}"
    );
    let (result, end) = running.join().unwrap();
    let messages = result.unwrap_or_else(|e| panic!("the running statement should finish: {e:?}"));
    assert_eq!(messages, 3, "RowDescription, a row, CommandComplete");
    let end = end.expect_err("then FATAL");
    assert_eq!(end.code(), Some(&SqlState::ADMIN_SHUTDOWN), "{end}");
    for client in [&mut idle, &mut in_tx] {
        assert!(client.batch_execute("select 1").is_err());
    }
    assert!(server.wait_for_log("stopped"), "{}", server.log());
}

// ---- the command line (one runtime is enough) ----

/// The default storage is `file://`: what a server acknowledged is there
/// after a SIGTERM, and after a `kill -9`.
pub(crate) fn file_database_survives_restart(runtime: &str) {
    let dir = std::env::temp_dir().join(format!(
        "twill-server-file-{runtime}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("file://{}", dir.display());
    let start = || Server::start_with(runtime, &["--db", &url]);
    let mut server = start();
    server
        .client()
        .batch_execute("create table kept (id serial primary key, v text); insert into kept (v) values ('a'), ('b')")
        .unwrap();
    let status = server.terminate().expect("exit after SIGTERM");
    assert!(status.success(), "{status}; log:\n{}", server.log());
    let server = start();
    server
        .client()
        .batch_execute("insert into kept (v) values ('c')")
        .unwrap();
    // No shutdown at all: the log alone must carry the last commit.
    let _ = ::std::process::Command::new("kill")
        .args(["-KILL", &server.pid().to_string()])
        .status();
    drop(server);
    let server = start();
    let rows = server
        .client()
        .query("select id, v from kept order by id", &[])
        .unwrap();
    let got: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let values: Vec<&str> = got.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(values, ["a", "b", "c"], "log:\n{}", server.log());
    // A sequence may skip values across a restart (it logs ahead, as
    // PostgreSQL's do), but never repeats one.
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "{got:?}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_version() {
    let out = run(server_command().arg("--help"), 10);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--runtime",
        "std",
        "mio",
        "tokio",
        "smol",
        "memory://",
        "127.0.0.1:5433",
        "--log-level",
        "--wire-trace",
        "TWILL_LISTEN",
        "TWILL_RUNTIME",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
    let out = run(server_command().arg("--version"), 10);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("engine-server {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Runs the server expecting it to fail at start: status 1, exactly one
/// line on stderr, no panic. Returns that line.
fn start_failure(args: &[&str]) -> String {
    let out = run(server_command().args(args), 20);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: one line, got:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_string()
}

#[test]
fn start_up_errors_are_one_line() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let line = start_failure(&["--listen", &addr]);
    assert!(
        line.starts_with(&format!("engine-server: cannot listen on {addr}: "))
            && line.contains("in use"),
        "{line}"
    );

    let line = start_failure(&["--listen", "127.0.0.1:0", "--db", "bogus://x"]);
    assert!(
        line.starts_with("engine-server: cannot open database bogus://x: "),
        "{line}"
    );

    let line = start_failure(&[
        "--listen",
        "127.0.0.1:0",
        "--db",
        "a=memory://",
        "--db",
        "memory://",
    ]);
    assert!(
        line.starts_with("engine-server: --db: give either one URL"),
        "{line}"
    );

    let auth = crate::access::AuthFileOnDisk::new(
        "start-up",
        "host all all all trust\nuser bob hunter2\n",
    );
    let path = auth.path.to_str().unwrap();
    let line = start_failure(&["--listen", "127.0.0.1:0", "--auth-file", path]);
    assert!(
        line.starts_with(&format!(
            "engine-server: {path}:2: user \"bob\": not a stored verifier"
        )),
        "{line}"
    );

    let line = start_failure(&["--listen", "127.0.0.1:0", "--log-level", "info,[=bad"]);
    assert!(line.starts_with("engine-server: bad log filter"), "{line}");

    // Argument errors are clap's: status 2, no panic.
    let out = run(server_command().args(["--listen", "not-an-address"]), 10);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn environment_variables_stand_for_flags() {
    let mut cmd = server_command();
    cmd.env("TWILL_RUNTIME", "mio")
        .env("TWILL_LISTEN", "127.0.0.1:0")
        .env("TWILL_MAX_CONNECTIONS", "1")
        .env("TWILL_DRAIN_TIMEOUT", "1")
        .env("TWILL_LOG_LEVEL", "info");
    let server = Server::spawn(cmd);
    assert!(
        server.log().contains("(runtime mio, db memory://)"),
        "{}",
        server.log()
    );
    let mut client = server.client();
    client.batch_execute("select 1").unwrap();
    let err = refused(server.port());
    assert_eq!(err.code(), Some(&SqlState::TOO_MANY_CONNECTIONS), "{err}");
}

/// `--wire-trace` logs each engine call at debug level although the log
/// level is `info`; without it, nothing of the sort.
#[test]
fn wire_trace_logs_each_call() {
    let server = Server::start_with("tokio", &["--wire-trace", "--log-level", "info"]);
    let mut client = server.client();
    client.batch_execute("select 42 as traced").unwrap();
    client.query("select $1::int4", &[&7i32]).unwrap();
    for needle in [
        "DEBUG twill_server::wire",
        "OpenSession",
        r#"Query("select 42 as traced")"#,
        "Parse",
        "Bind",
        "Execute",
        "Sync",
    ] {
        assert!(
            server.wait_for_log(needle),
            "{needle} not in:\n{}",
            server.log()
        );
    }

    let quiet = Server::start_with("tokio", &["--log-level", "info"]);
    quiet.client().batch_execute("select 42 as traced").unwrap();
    assert!(
        !quiet.log().contains("twill_server::wire"),
        "{}",
        quiet.log()
    );
}
