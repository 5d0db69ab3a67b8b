//! The cases, each a function of the runtime's `serve`.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

use crate::harness::{STOP_LIMIT, Serve, Server};

/// A small multi-threaded runtime for the async clients.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime")
}

/// Connects tokio-postgres and drives its connection on the runtime; the
/// handle yields the connection's end (an unsolicited FATAL shows up there).
async fn connect(
    conninfo: &str,
) -> (
    Client,
    tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
) {
    let (client, connection) = tokio_postgres::connect(conninfo, NoTls)
        .await
        .expect("connect");
    (client, tokio::spawn(connection))
}

fn code(e: &tokio_postgres::Error) -> Option<&SqlState> {
    e.code()
}

/// The server's message for a database error (Display only says "db error").
fn message(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

/// The values of a simple query's rows, first column.
fn column0(messages: &[SimpleQueryMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        })
        .collect()
}

/// How many rows a simple query returned.
fn rows(messages: &[SimpleQueryMessage]) -> usize {
    messages
        .iter()
        .filter(|m| matches!(m, SimpleQueryMessage::Row(_)))
        .count()
}

/// Simple query protocol through the sync `postgres` crate.
pub(crate) fn simple_query(serve: Serve) {
    let server = Server::start_default(serve);
    let mut client = postgres::Client::connect(&server.conninfo(), postgres::NoTls).unwrap();
    assert_eq!(column0(&client.simple_query("select 42").unwrap()), ["42"]);
    assert_eq!(
        column0(&client.simple_query("select 'hello'").unwrap()),
        ["hello"]
    );
    assert_eq!(
        column0(&client.simple_query("select 1; select 2; select 3").unwrap()),
        ["1", "2", "3"]
    );
    client.simple_query("").unwrap();
    client.batch_execute("begin; select 1; commit").unwrap();
    drop(client);
    server.stop();
}

/// Extended protocol with binary results and parameters (tokio-postgres).
pub(crate) fn extended_query(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (client, conn) = connect(&server.conninfo()).await;
        let row = client.query_one("select $1::int4", &[&7i32]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 7);
        let row = client
            .query_one("select $1::int8", &[&(1i64 << 40)])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 1 << 40);
        let row = client
            .query_one("select $1::text", &[&"grüße"])
            .await
            .unwrap();
        assert_eq!(row.get::<_, &str>(0), "grüße");
        let stmt = client
            .prepare("select generate_series(1, 10)")
            .await
            .unwrap();
        for _ in 0..3 {
            let rows = client.query(&stmt, &[]).await.unwrap();
            let values: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
            assert_eq!(values, (1..=10).collect::<Vec<_>>());
        }
        // A portal with a row limit: PortalSuspended, then the rest.
        let mut tx_client = client;
        let tx = tx_client.transaction().await.unwrap();
        let portal = tx.bind("select generate_series(1, 25)", &[]).await.unwrap();
        let first = tx.query_portal(&portal, 10).await.unwrap();
        assert_eq!(first.len(), 10);
        let rest = tx.query_portal(&portal, 0).await.unwrap();
        assert_eq!(rest.len(), 15);
        assert_eq!(rest[0].get::<_, i32>(0), 11);
        tx.commit().await.unwrap();
        drop(tx_client);
        conn.await.unwrap().unwrap();
    });
    server.stop();
}

/// 100 000 rows streamed in batches through the high-water mark.
pub(crate) fn large_stream(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (client, _conn) = connect(&server.conninfo()).await;
        let rows = client
            .query("select generate_series(1, 100000)", &[])
            .await
            .unwrap();
        assert_eq!(rows.len(), 100_000);
        let sum: i64 = rows.iter().map(|r| r.get::<_, i32>(0) as i64).sum();
        assert_eq!(sum, 100_000 * 100_001 / 2);
        let messages = client
            .simple_query("select generate_series(1, 100000)")
            .await
            .unwrap();
        assert_eq!(column0(&messages).len(), 100_000);
    });
    server.stop();
}

/// A client that stops reading mid-result: the server must stop producing
/// (backpressure) without deadlocking, and finish once the client reads.
pub(crate) fn slow_reader(serve: Serve) {
    use std::io::Read;
    let server = Server::start_default(serve);
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut startup = Vec::new();
    let body = b"\0\x03\0\0user\0u\0database\0d\0\0";
    startup.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    startup.extend_from_slice(body);
    let sql = b"select generate_series(1, 200000)\0";
    startup.push(b'Q');
    startup.extend_from_slice(&((sql.len() + 4) as u32).to_be_bytes());
    startup.extend_from_slice(sql);
    sock.write_all(&startup).unwrap();
    // Do not read for a while: the server fills the socket buffers and must wait.
    std::thread::sleep(Duration::from_millis(300));
    // Then a second connection must still be served promptly.
    let mut other = postgres::Client::connect(&server.conninfo(), postgres::NoTls).unwrap();
    assert_eq!(column0(&other.simple_query("select 5").unwrap()), ["5"]);
    // Now read everything: the stream must end with CommandComplete and RFQ.
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut tail = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0usize;
    loop {
        let n = sock.read(&mut buf).unwrap();
        assert!(n > 0, "server closed mid-stream");
        total += n;
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > 64 {
            tail.drain(..tail.len() - 64);
        }
        if tail.ends_with(b"Z\0\0\0\x05I") {
            break;
        }
    }
    assert!(total > 200_000 * 11, "only {total} bytes");
    let text = String::from_utf8_lossy(&tail);
    assert!(text.contains("SELECT 200000"), "tail: {text:?}");
    drop(other);
    server.stop();
}

/// Many queries in flight on one connection (tokio-postgres pipelines them).
pub(crate) fn pipelining(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (client, _conn) = connect(&server.conninfo()).await;
        let stmt = client.prepare("select $1::int4").await.unwrap();
        let futures = (0..200i32).map(|i| {
            let (client, stmt) = (&client, &stmt);
            async move {
                client
                    .query_one(stmt, &[&i])
                    .await
                    .map(|r| r.get::<_, i32>(0))
            }
        });
        let results: Vec<i32> = join_all(futures)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(results, (0..200).collect::<Vec<_>>());
        // An error in the middle of a pipeline fails only its own query.
        let (a, b, c) = tokio::join!(
            client.query_one("select 1", &[]),
            client.query_one("select 1/0", &[]),
            client.query_one("select 3", &[]),
        );
        assert_eq!(a.unwrap().get::<_, i32>(0), 1);
        assert_eq!(code(&b.unwrap_err()), Some(&SqlState::DIVISION_BY_ZERO));
        assert_eq!(c.unwrap().get::<_, i32>(0), 3);
    });
    server.stop();
}

/// Errors leave the session usable; a failed block refuses until ROLLBACK.
pub(crate) fn errors_and_recovery(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (client, _conn) = connect(&server.conninfo()).await;
        let e = client.simple_query("select 1/0").await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::DIVISION_BY_ZERO));
        assert_eq!(
            column0(&client.simple_query("select 1").await.unwrap()),
            ["1"]
        );
        let e = client.query("no such statement", &[]).await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::SYNTAX_ERROR));
        client.simple_query("begin").await.unwrap();
        let e = client.simple_query("select 1/0").await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::DIVISION_BY_ZERO));
        let e = client.simple_query("select 1").await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
        let e = client.query("select $1::int4", &[&1i32]).await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
        client.simple_query("rollback").await.unwrap();
        let row = client.query_one("select $1::int4", &[&9i32]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 9);
    });
    server.stop();
}

/// A CancelRequest stops a running pg_sleep with 57014.
pub(crate) fn cancel(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (client, _conn) = connect(&server.conninfo()).await;
        let token = client.cancel_token();
        let start = Instant::now();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel_query(NoTls).await.unwrap();
        });
        let e = client
            .simple_query("select pg_sleep(20)")
            .await
            .unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::QUERY_CANCELED), "{e}");
        assert!(message(&e).contains("user request"), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "cancel took {:?}",
            start.elapsed()
        );
        canceller.await.unwrap();
        // The session goes on, and the extended protocol can be cancelled too.
        assert_eq!(
            column0(&client.simple_query("select 1").await.unwrap()),
            ["1"]
        );
        let token = client.cancel_token();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel_query(NoTls).await.unwrap();
        });
        let e = client.query("select pg_sleep(20)", &[]).await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::QUERY_CANCELED), "{e}");
        assert_eq!(
            column0(&client.simple_query("select 2").await.unwrap()),
            ["2"]
        );
    });
    // A CancelRequest with a wrong secret (or pid) cancels nothing; the right one does.
    let mut raw = Raw::connect(server.port);
    let (pid, secret) = (raw.pid, raw.secret);
    let port = server.port;
    let forger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        send_cancel(port, pid, secret.wrapping_add(1));
        send_cancel(port, pid.wrapping_add(1000), secret);
    });
    let reply = raw.query("select pg_sleep(0.6)");
    forger.join().unwrap();
    assert!(
        reply.iter().all(|(tag, _)| *tag != b'E'),
        "a forged cancel worked: {reply:?}"
    );
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        send_cancel(port, pid, secret);
    });
    let reply = raw.query("select pg_sleep(20)");
    canceller.join().unwrap();
    let error = reply
        .iter()
        .find(|(tag, _)| *tag == b'E')
        .expect("canceled");
    assert!(error.1.windows(5).any(|w| w == b"57014"), "{reply:?}");
    server.stop();
}

/// A client over the connection limit can still cancel: PostgreSQL serves
/// CancelRequests before it checks the limit, and so must we.
pub(crate) fn cancel_at_limit(serve: Serve) {
    let options = twill_protocol::ServeOptions {
        max_connections: 1,
        ..Server::options()
    };
    let server = Server::start(serve, options);
    runtime().block_on(async {
        let (client, _conn) = connect(&server.conninfo()).await;
        let token = client.cancel_token();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel_query(NoTls).await.unwrap();
        });
        let start = Instant::now();
        let e = client
            .simple_query("select pg_sleep(20)")
            .await
            .unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::QUERY_CANCELED), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "cancel took {:?}",
            start.elapsed()
        );
    });
    server.stop();
}

/// A hand-driven protocol connection, for what clients do not expose
/// (the BackendKeyData, forged CancelRequests).
struct Raw {
    sock: std::net::TcpStream,
    pid: i32,
    secret: i32,
}

impl Raw {
    /// Logs in and reads up to the first ReadyForQuery.
    fn connect(port: u16) -> Raw {
        let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let body = b"\0\x03\0\0user\0u\0database\0d\0\0";
        let mut packet = ((body.len() + 4) as u32).to_be_bytes().to_vec();
        packet.extend_from_slice(body);
        sock.write_all(&packet).unwrap();
        let mut raw = Raw {
            sock,
            pid: 0,
            secret: 0,
        };
        for (tag, body) in raw.until_ready() {
            if tag == b'K' {
                raw.pid = i32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                raw.secret = i32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            }
        }
        assert_ne!(raw.pid, 0, "no BackendKeyData");
        raw
    }

    /// Runs a simple query; returns every message up to ReadyForQuery.
    fn query(&mut self, sql: &str) -> Vec<(u8, Vec<u8>)> {
        let mut msg = vec![b'Q'];
        msg.extend_from_slice(&((sql.len() + 5) as u32).to_be_bytes());
        msg.extend_from_slice(sql.as_bytes());
        msg.push(0);
        self.sock.write_all(&msg).unwrap();
        self.until_ready()
    }

    fn until_ready(&mut self) -> Vec<(u8, Vec<u8>)> {
        use std::io::Read;
        let mut out = Vec::new();
        loop {
            let mut head = [0u8; 5];
            self.sock.read_exact(&mut head).unwrap();
            let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
            let mut body = vec![0u8; len - 4];
            self.sock.read_exact(&mut body).unwrap();
            let done = head[0] == b'Z';
            out.push((head[0], body));
            if done {
                return out;
            }
        }
    }
}

/// Sends a CancelRequest and waits for the server to close.
fn send_cancel(port: u16, pid: i32, secret: i32) {
    use std::io::Read;
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut packet = 16u32.to_be_bytes().to_vec();
    packet.extend_from_slice(&80_877_102u32.to_be_bytes());
    packet.extend_from_slice(&pid.to_be_bytes());
    packet.extend_from_slice(&secret.to_be_bytes());
    sock.write_all(&packet).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    let _ = sock.read_to_end(&mut rest);
    assert!(rest.is_empty(), "a CancelRequest gets no answer");
}

/// statement_timeout from the startup options, and from SET.
pub(crate) fn statement_timeout(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let conninfo = format!("{} options='-c statement_timeout=200'", server.conninfo());
        let (client, _conn) = connect(&conninfo).await;
        let start = Instant::now();
        let e = client
            .simple_query("select pg_sleep(20)")
            .await
            .unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::QUERY_CANCELED), "{e}");
        assert!(message(&e).contains("statement timeout"), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timeout took {:?}",
            start.elapsed()
        );
        // Short statements are not affected.
        assert_eq!(
            rows(&client.simple_query("select pg_sleep(0.05)").await.unwrap()),
            1
        );

        let (client, _conn) = connect(&server.conninfo()).await;
        client
            .simple_query("set statement_timeout = '150ms'")
            .await
            .unwrap();
        let e = client.query("select pg_sleep(20)", &[]).await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::QUERY_CANCELED), "{e}");
        assert_eq!(
            column0(&client.simple_query("select 1").await.unwrap()),
            ["1"]
        );
    });
    server.stop();
}

/// COPY FROM STDIN through `copy_in`.
pub(crate) fn copy_in(serve: Serve) {
    let server = Server::start_default(serve);
    let mut client = postgres::Client::connect(&server.conninfo(), postgres::NoTls).unwrap();
    let mut writer = client.copy_in("copy t from stdin").unwrap();
    for i in 0..20_000 {
        writeln!(writer, "{i}\trow number {i}").unwrap();
    }
    assert_eq!(writer.finish().unwrap(), 20_000);
    assert_eq!(column0(&client.simple_query("select 1").unwrap()), ["1"]);
    drop(client);
    server.stop();
}

/// 300 clients connect at once, query, and leave.
pub(crate) fn many_connections(serve: Serve) {
    let server = Server::start_default(serve);
    let conninfo = server.conninfo();
    runtime().block_on(async {
        let clients = (0..300i32).map(|i| {
            let conninfo = conninfo.clone();
            async move {
                let (client, conn) = connect(&conninfo).await;
                let row = client.query_one("select $1::int4", &[&i]).await.unwrap();
                assert_eq!(row.get::<_, i32>(0), i);
                let n = column0(
                    &client
                        .simple_query("select generate_series(1, 50)")
                        .await
                        .unwrap(),
                );
                assert_eq!(n.len(), 50);
                drop(client);
                conn.await.unwrap().unwrap();
            }
        });
        join_all(clients).await;
    });
    server.stop();
}

/// Over `max_connections`: FATAL 53300; a freed slot can be used again.
pub(crate) fn connection_limit(serve: Serve) {
    let server = Server::start(
        serve,
        twill_protocol::ServeOptions {
            max_connections: 3,
            ..Server::options()
        },
    );
    runtime().block_on(async {
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(connect(&server.conninfo()).await);
        }
        for _ in 0..2 {
            let e = tokio_postgres::connect(&server.conninfo(), NoTls)
                .await
                .err()
                .expect("4th connection refused");
            assert_eq!(code(&e), Some(&SqlState::TOO_MANY_CONNECTIONS), "{e}");
            assert!(
                message(&e).contains("sorry, too many clients already"),
                "{e}"
            );
        }
        // Free a slot; the server notices the close shortly after.
        let (client, conn) = held.pop().expect("three held");
        drop(client);
        conn.await.unwrap().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match tokio_postgres::connect(&server.conninfo(), NoTls).await {
                Ok((client, conn)) => {
                    let conn = tokio::spawn(conn);
                    client.simple_query("select 1").await.unwrap();
                    held.push((client, conn));
                    break;
                }
                Err(e) if Instant::now() < deadline => {
                    assert_eq!(code(&e), Some(&SqlState::TOO_MANY_CONNECTIONS), "{e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("slot not freed: {e}"),
            }
        }
        // psql shows the same error.
        let out = run_psql(server.port, &["-c", "select 1"]);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("too many clients"),
            "{out:?}"
        );
    });
    server.stop();
}

/// Shutdown with open sessions: idle ones get FATAL 57P01, a busy one
/// finishes its statement first, and `serve` returns.
pub(crate) fn graceful_shutdown(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let mut idle = Vec::new();
        for _ in 0..3 {
            let (client, conn) = connect(&server.conninfo()).await;
            client.simple_query("select 1").await.unwrap();
            idle.push((client, conn));
        }
        let (busy, busy_conn) = connect(&server.conninfo()).await;
        let running = tokio::spawn(async move {
            let r = busy
                .simple_query("select pg_sleep(0.5)")
                .await
                .map(|m| rows(&m));
            (busy, r)
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        server.trigger_shutdown();
        for (_client, conn) in idle {
            let e = conn
                .await
                .unwrap()
                .expect_err("the connection ends with FATAL");
            assert_eq!(code(&e), Some(&SqlState::ADMIN_SHUTDOWN), "{e}");
        }
        let (_busy, result) = running.await.unwrap();
        assert_eq!(result.unwrap(), 1, "the statement in flight finishes");
        let e = busy_conn.await.unwrap().expect_err("then FATAL");
        assert_eq!(code(&e), Some(&SqlState::ADMIN_SHUTDOWN), "{e}");
        // No new connections once shut down.
        let refused = tokio::time::timeout(
            STOP_LIMIT,
            tokio_postgres::connect(&server.conninfo(), NoTls),
        )
        .await;
        assert!(
            !matches!(refused, Ok(Ok(_))),
            "a connection after shutdown was served"
        );
    });
    let took = server.stop();
    assert!(
        took < Duration::from_secs(3),
        "serve took {took:?} to return"
    );
}

/// A psql command for the server (no psqlrc, 5 s connect timeout);
/// fails the test with the install hint if psql is missing.
fn psql_command(port: u16) -> Command {
    let bin = "/usr/bin/psql";
    assert!(
        std::path::Path::new(bin).exists(),
        "psql is missing: apt-get install postgresql-client-15"
    );
    let mut cmd = Command::new(bin);
    cmd.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        "u",
        "-d",
        "d",
        "-X",
    ])
    .env("PGCONNECT_TIMEOUT", "5");
    cmd
}

/// Runs psql with `ON_ERROR_STOP` and these arguments.
fn run_psql(port: u16, args: &[&str]) -> std::process::Output {
    psql_command(port)
        .args(["-v", "ON_ERROR_STOP=1"])
        .args(args)
        .output()
        .expect("run psql")
}

/// psql: `-c` (aligned and unaligned output), an error, and a `-f` script
/// with a transaction, an error and inline COPY data.
pub(crate) fn psql(serve: Serve) {
    let server = Server::start_default(serve);
    let out = run_psql(server.port, &["-c", "select 42"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        " ?column? \n----------\n       42\n(1 row)\n\n"
    );
    let out = run_psql(
        server.port,
        &[
            "-At",
            "-c",
            "select 'hi'",
            "-c",
            "select generate_series(1, 3)",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n1\n2\n3\n");
    let out = run_psql(server.port, &["-c", "select 1/0"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ERROR:  division by zero"),
        "{out:?}"
    );
    // A script with a transaction, an error that does not stop it, and COPY
    // data inline (psql streams the lines up to `\.`).
    let script = std::env::temp_dir().join(format!(
        "twill-psql-{}-{}.sql",
        std::process::id(),
        server.port
    ));
    let sql = "begin;\nselect 'in a block';\ncommit;\nselect 1/0;\n\
               copy t from stdin;\n1\ta\n2\tb\n3\tc\n\\.\nselect 7;\n";
    std::fs::write(&script, sql).unwrap();
    let out = psql_command(server.port)
        .args(["-At", "-f"])
        .arg(&script)
        .output()
        .expect("run psql");
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout, "BEGIN\nin a block\nCOMMIT\nCOPY 3\n7\n", "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("division by zero"), "{out:?}");
    server.stop();
}

/// The core's idle timers reach the client through each adapter's wait:
/// `idle_session_timeout` ends an idle session with FATAL 57P05.
pub(crate) fn idle_session_timeout(serve: Serve) {
    let config = twill_protocol::Config {
        idle_session_timeout: Duration::from_millis(300),
        ..twill_protocol::Config::default()
    };
    let server = Server::start_with(serve, Server::options(), config);
    runtime().block_on(async {
        let (client, conn) = connect(&server.conninfo()).await;
        // Activity keeps it alive.
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            client.simple_query("select 1").await.unwrap();
        }
        let start = Instant::now();
        let e = conn.await.unwrap().expect_err("ended by the timeout");
        assert_eq!(e.code().map(SqlState::code), Some("57P05"), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "took {:?}",
            start.elapsed()
        );
    });
    server.stop();
}

/// A statement that outlives the drain time: the server interrupts it,
/// closes the connection and `serve` still returns promptly.
pub(crate) fn shutdown_drain_timeout(serve: Serve) {
    let options = twill_protocol::ServeOptions {
        drain_timeout: Duration::from_millis(400),
        ..Server::options()
    };
    let server = Server::start(serve, options);
    let rt = runtime();
    let (client, _conn) = rt.block_on(connect(&server.conninfo()));
    let running = rt.spawn(async move { client.simple_query("select pg_sleep(20)").await });
    std::thread::sleep(Duration::from_millis(200));
    let took = server.stop();
    assert!(
        took < Duration::from_secs(3),
        "serve took {took:?} to return"
    );
    let result = rt.block_on(async { tokio::time::timeout(Duration::from_secs(5), running).await });
    let outcome = result.expect("the client hears within 5 s").unwrap();
    assert!(outcome.is_err(), "the long statement was cut short");
}

/// A backend that panics costs its own connection, not the server.
pub(crate) fn backend_panic(serve: Serve) {
    let server = Server::start_default(serve);
    runtime().block_on(async {
        let (bystander, _c) = connect(&server.conninfo()).await;
        let (client, conn) = connect(&server.conninfo()).await;
        assert!(client.simple_query("select test_panic()").await.is_err());
        let _ = conn.await;
        assert_eq!(
            column0(&bystander.simple_query("select 1").await.unwrap()),
            ["1"]
        );
        let (fresh, _c) = connect(&server.conninfo()).await;
        assert_eq!(
            column0(&fresh.simple_query("select 2").await.unwrap()),
            ["2"]
        );
    });
    server.stop();
}

/// SCRAM-SHA-256 and a wrong password through the adapter (several round
/// trips before the session; psql and tokio-postgres both log in).
pub(crate) fn scram_login(serve: Serve) {
    let mut users = twill_protocol::Users::new();
    users.insert_password("u", "secret", [7; 16]);
    let config = twill_protocol::Config {
        auth_method: twill_protocol::AuthMethod::ScramSha256,
        credentials: Some(std::sync::Arc::new(users)),
        ..twill_protocol::Config::default()
    };
    let server = Server::start_with(serve, Server::options(), config);
    runtime().block_on(async {
        let good = format!("{} password=secret", server.conninfo());
        let (client, _conn) = connect(&good).await;
        assert_eq!(
            column0(&client.simple_query("select 1").await.unwrap()),
            ["1"]
        );
        let bad = format!("{} password=wrong", server.conninfo());
        let e = tokio_postgres::connect(&bad, NoTls)
            .await
            .err()
            .expect("refused");
        assert_eq!(code(&e), Some(&SqlState::INVALID_PASSWORD), "{e}");
    });
    let out = psql_command(server.port)
        .args(["-At", "-c", "select 'scram'"])
        .env("PGPASSWORD", "secret")
        .output()
        .expect("run psql");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "scram\n", "{out:?}");
    server.stop();
}
