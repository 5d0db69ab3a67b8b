//! End to end: the `poll(2)` loop serving the key-value store on 127.0.0.1,
//! driven by the `postgres` crate and psql. Each test starts its own loop
//! on a free port in a thread, is bounded in time, and stops the loop with
//! its flag at the end.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, NoTls, SimpleQueryMessage};
use twill_examples::{KvSession, LoopOptions, PollLoop, Store};
use twill_protocol::Config;

/// Every test body gets this long.
const TEST_LIMIT: Duration = Duration::from_secs(40);
/// The loop must return this soon after its stop flag is set.
const STOP_LIMIT: Duration = Duration::from_secs(5);

/// A loop running on a thread.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    done: mpsc::Receiver<std::io::Result<()>>,
}

impl Server {
    fn start() -> Server {
        Server::with_config(Config::default())
    }

    fn with_config(config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, done) = mpsc::channel();
        let flag = Arc::clone(&stop);
        thread::Builder::new()
            .name("poll-kv".into())
            .spawn(move || {
                let store = Store::new();
                let options = LoopOptions {
                    max_wait: Duration::from_millis(20),
                    drain_timeout: Duration::from_secs(2),
                    linger: Duration::from_secs(1),
                };
                let result = PollLoop::new(
                    listener,
                    Arc::new(config),
                    || KvSession::new(store.clone()),
                    options,
                )
                .and_then(|mut server| server.run(&flag));
                let _ = tx.send(result);
            })
            .expect("spawn the loop");
        Server { port, stop, done }
    }

    fn connect(&self) -> Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user("kv")
            .dbname("kv")
            .connect_timeout(Duration::from_secs(5))
            .connect(NoTls)
            .expect("connect")
    }

    /// Sets the stop flag and waits for `run` to return; returns how long it took.
    fn stop(&self) -> Duration {
        let start = Instant::now();
        self.stop.store(true, Ordering::Release);
        match self.done.recv_timeout(STOP_LIMIT) {
            Ok(result) => result.expect("the loop failed"),
            Err(_) => panic!("the loop did not stop within {STOP_LIMIT:?}"),
        }
        start.elapsed()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test still stops its loop (the thread would otherwise leak).
        self.stop.store(true, Ordering::Release);
    }
}

/// Runs `body` on a thread and fails if it takes longer than [`TEST_LIMIT`].
fn bounded(body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(TEST_LIMIT) {
        Ok(()) => handle.join().expect("test body"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: re-raise its panic here.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test took longer than {TEST_LIMIT:?}"),
    }
}

/// The rows and CommandComplete counts of a simple query, as text.
fn simple(client: &mut Client, sql: &str) -> (Vec<Vec<Option<String>>>, Vec<u64>) {
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    for message in client.simple_query(sql).expect(sql) {
        match message {
            SimpleQueryMessage::Row(row) => rows.push(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_owned))
                    .collect(),
            ),
            SimpleQueryMessage::CommandComplete(n) => counts.push(n),
            _ => {}
        }
    }
    (rows, counts)
}

fn code(err: &postgres::Error) -> SqlState {
    err.code()
        .cloned()
        .unwrap_or_else(|| panic!("no SQLSTATE in {err}"))
}

#[test]
fn simple_and_extended_queries() {
    bounded(|| {
        let server = Server::start();
        let mut c = server.connect();

        // Simple protocol: tags, one row, several statements in one string.
        assert_eq!(simple(&mut c, "SET a 1"), (vec![], vec![0]));
        assert_eq!(
            simple(&mut c, "get a;"),
            (vec![vec![Some("1".into())]], vec![1])
        );
        assert_eq!(simple(&mut c, "GET nothing"), (vec![], vec![0]));
        let (rows, counts) = simple(&mut c, "SET x 10; SET y 20; GET x; DEL y; KEYS");
        assert_eq!(
            rows,
            vec![
                vec![Some("10".into())],
                vec![Some("a".into())],
                vec![Some("x".into())]
            ]
        );
        assert_eq!(counts, vec![0, 0, 1, 1, 2]);
        // An empty query string: EmptyQueryResponse, no rows.
        assert!(simple(&mut c, " ; ").0.is_empty());

        // Extended protocol with parameters (text in, binary text out).
        assert_eq!(c.execute("SET $1 $2", &[&"b", &"two words"]).unwrap(), 0);
        let rows = c.query("GET $1", &[&"b"]).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<_, String>("value"), "two words");
        assert!(c.query("GET $1", &[&"missing"]).unwrap().is_empty());
        assert_eq!(c.execute("DEL $1", &[&"b"]).unwrap(), 1);
        assert_eq!(c.execute("DEL $1", &[&"b"]).unwrap(), 0);
        // A prepared statement, reused.
        let get = c.prepare("GET $1").unwrap();
        for (key, value) in [("a", "1"), ("x", "10")] {
            let row = c.query_one(&get, &[&key]).unwrap();
            assert_eq!(row.get::<_, &str>(0), value);
        }

        // Transactions: invisible to others until COMMIT; ROLLBACK discards.
        let mut other = server.connect();
        let mut tx = c.transaction().unwrap();
        tx.execute("SET t committed", &[]).unwrap();
        assert_eq!(simple(&mut other, "GET t"), (vec![], vec![0]));
        assert_eq!(tx.query("GET t", &[]).unwrap().len(), 1);
        tx.commit().unwrap();
        assert_eq!(
            simple(&mut other, "GET t").0,
            vec![vec![Some("committed".into())]]
        );
        let mut tx = c.transaction().unwrap();
        tx.execute("DEL t", &[]).unwrap();
        tx.rollback().unwrap();
        assert_eq!(simple(&mut c, "GET t").1, vec![1]);

        drop((c, other));
        server.stop();
    });
}

#[test]
fn keys_streams_ten_thousand_rows() {
    bounded(|| {
        let server = Server::start();
        let mut c = server.connect();
        for chunk in 0..10 {
            let sql: String = (chunk * 1000..(chunk + 1) * 1000)
                .map(|i| format!("SET k{i:05} v{i};"))
                .collect();
            let (_, counts) = simple(&mut c, &sql);
            assert_eq!(counts.len(), 1000);
        }
        simple(&mut c, "SET other 1");
        let expected: Vec<String> = (0..10_000).map(|i| format!("k{i:05}")).collect();

        // Extended: one Execute, streamed in batches of 1000 (Batch.more).
        let rows = c.query("KEYS $1", &[&"k"]).unwrap();
        let keys: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(keys, expected);

        // Simple: the same, with the SELECT count.
        let (rows, counts) = simple(&mut c, "KEYS k");
        assert_eq!(rows.len(), 10_000);
        assert_eq!(rows[9_999], vec![Some("k09999".into())]);
        assert_eq!(counts, vec![10_000]);
        assert_eq!(simple(&mut c, "KEYS").1, vec![10_001]);

        // A portal with a row limit: PortalSuspended, then the rest.
        let mut tx = c.transaction().unwrap();
        let stmt = tx.prepare("KEYS k").unwrap();
        let portal = tx.bind(&stmt, &[]).unwrap();
        let mut seen = Vec::new();
        loop {
            let rows = tx.query_portal(&portal, 3_000).unwrap();
            if rows.is_empty() {
                break;
            }
            seen.extend(rows.iter().map(|r| r.get::<_, String>(0)));
        }
        assert_eq!(seen, expected);
        tx.commit().unwrap();

        drop(c);
        server.stop();
    });
}

#[test]
fn errors_then_recovery() {
    bounded(|| {
        let server = Server::start();
        let mut c = server.connect();
        simple(&mut c, "SET a 1");

        // Simple protocol: 42601, and nothing of the string runs.
        let err = c.simple_query("SET z 1; FROB x").unwrap_err();
        assert_eq!(code(&err), SqlState::SYNTAX_ERROR);
        let db = err.as_db_error().expect("a server error");
        assert_eq!(db.message(), "syntax error at or near \"FROB\"");
        assert_eq!(simple(&mut c, "GET z"), (vec![], vec![0]));
        assert_eq!(simple(&mut c, "GET a").1, vec![1]);

        // Extended protocol: the Parse fails; the session goes on.
        let err = c.query("GET", &[]).unwrap_err();
        assert_eq!(code(&err), SqlState::SYNTAX_ERROR);
        let err = c.query("FROB $1", &[&"x"]).unwrap_err();
        assert_eq!(code(&err), SqlState::SYNTAX_ERROR);
        assert_eq!(c.query("GET $1", &[&"a"]).unwrap().len(), 1);

        // In a block: the error fails the block (25P02) until ROLLBACK.
        simple(&mut c, "BEGIN");
        simple(&mut c, "SET a 2");
        assert_eq!(
            code(&c.simple_query("NOPE").unwrap_err()),
            SqlState::SYNTAX_ERROR
        );
        let err = c.simple_query("GET a").unwrap_err();
        assert_eq!(code(&err), SqlState::IN_FAILED_SQL_TRANSACTION);
        let err = c.query("GET $1", &[&"a"]).unwrap_err();
        assert_eq!(code(&err), SqlState::IN_FAILED_SQL_TRANSACTION);
        simple(&mut c, "ROLLBACK");
        assert_eq!(simple(&mut c, "GET a").0, vec![vec![Some("1".into())]]);

        drop(c);
        server.stop();
    });
}

#[test]
fn psql_get() {
    bounded(|| {
        let psql = "/usr/bin/psql";
        assert!(
            std::path::Path::new(psql).exists(),
            "psql not found at {psql}: apt-get install postgresql-client-15"
        );
        let server = Server::start();
        let mut c = server.connect();
        simple(&mut c, "SET a hello world");

        let run = |sql: &str| {
            let mut child = Command::new(psql)
                .args(["-X", "-h", "127.0.0.1", "-U", "kv", "-d", "kv", "-c", sql])
                .args(["-p", &server.port.to_string()])
                .env("PGCONNECT_TIMEOUT", "5")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start psql");
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().expect("wait for psql").is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("psql -c {sql:?} took longer than 10 s");
                }
                thread::sleep(Duration::from_millis(10));
            }
            let out = child.wait_with_output().expect("psql output");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };

        let (status, stdout, stderr) = run("GET a");
        assert_eq!(status, Some(0), "stdout: {stdout}\nstderr: {stderr}");
        let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            ["value", "-------------", "hello world", "(1 row)", ""]
        );

        let (status, _, stderr) = run("FROB");
        assert_eq!(status, Some(1));
        assert!(
            stderr.contains("syntax error at or near \"FROB\""),
            "{stderr}"
        );

        drop(c);
        server.stop();
    });
}

#[test]
fn clean_shutdown() {
    bounded(|| {
        let server = Server::start();
        let mut idle = server.connect();
        let mut busy = server.connect();
        simple(&mut busy, "SET a 1");
        simple(&mut idle, "BEGIN");

        let took = server.stop();
        assert!(took < Duration::from_secs(2), "stopping took {took:?}");

        // Both sessions were ended by the server (FATAL 57P01, then EOF).
        for c in [&mut idle, &mut busy] {
            assert!(c.simple_query("GET a").is_err());
        }
        // And nothing listens any more.
        let refused = postgres::Config::new()
            .host("127.0.0.1")
            .port(server.port)
            .user("kv")
            .connect_timeout(Duration::from_secs(2))
            .connect(NoTls);
        assert!(refused.is_err());
    });
}

/// A bare protocol client on a blocking socket: enough to log in, send a
/// query, and read (or not read) the answer.
struct RawClient {
    stream: std::net::TcpStream,
    /// Bytes read but not yet parsed into messages.
    buf: Vec<u8>,
}

impl RawClient {
    /// Connects and logs in; returns the client and its BackendKeyData.
    fn login(port: u16) -> (RawClient, i32, i32) {
        use std::io::Write;
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let mut body = 196_608i32.to_be_bytes().to_vec(); // protocol 3.0
        for s in ["user", "kv", "database", "kv", ""] {
            body.extend_from_slice(s.as_bytes());
            body.push(0);
        }
        let mut packet = (body.len() as i32 + 4).to_be_bytes().to_vec();
        packet.extend_from_slice(&body);
        let mut client = RawClient {
            stream,
            buf: Vec::new(),
        };
        client.stream.write_all(&packet).expect("send startup");
        let (mut pid, mut secret) = (0, 0);
        loop {
            let (tag, body) = client.message();
            match tag {
                b'K' => {
                    pid = i32::from_be_bytes(body[0..4].try_into().unwrap());
                    secret = i32::from_be_bytes(body[4..8].try_into().unwrap());
                }
                b'Z' => return (client, pid, secret),
                b'E' => panic!("login failed: {}", String::from_utf8_lossy(&body)),
                _ => {}
            }
        }
    }

    fn send_query(&mut self, sql: &str) {
        use std::io::Write;
        let mut msg = vec![b'Q'];
        msg.extend_from_slice(&(sql.len() as i32 + 5).to_be_bytes());
        msg.extend_from_slice(sql.as_bytes());
        msg.push(0);
        self.stream.write_all(&msg).expect("send query");
    }

    /// The next message: its tag and body.
    fn message(&mut self) -> (u8, Vec<u8>) {
        use std::io::Read;
        loop {
            if self.buf.len() >= 5 {
                let len = i32::from_be_bytes(self.buf[1..5].try_into().unwrap()) as usize;
                if self.buf.len() > len {
                    let body = self.buf[5..1 + len].to_vec();
                    let tag = self.buf[0];
                    self.buf.drain(..1 + len);
                    return (tag, body);
                }
            }
            let mut chunk = [0u8; 64 << 10];
            let n = self.stream.read(&mut chunk).expect("read from the server");
            assert!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Sends a CancelRequest for `pid`/`secret` on a new connection.
fn cancel_request(port: u16, pid: i32, secret: i32) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut packet = 16i32.to_be_bytes().to_vec();
    packet.extend_from_slice(&80_877_102i32.to_be_bytes());
    packet.extend_from_slice(&pid.to_be_bytes());
    packet.extend_from_slice(&secret.to_be_bytes());
    stream.write_all(&packet).expect("send CancelRequest");
    // The server closes the connection without a reply.
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty(), "a CancelRequest gets no reply");
}

#[test]
fn slow_reader_backpressure_and_cancel() {
    bounded(|| {
        let server = Server::start();
        let mut c = server.connect();
        // 200 000 keys of ~100 bytes: a KEYS result of ~22 MB, far more
        // than the output high-water mark and the kernel's socket buffers.
        let pad = "x".repeat(90);
        for chunk in 0..200 {
            let sql: String = (chunk * 1000..(chunk + 1) * 1000)
                .map(|i| format!("SET {pad}{i:06} 1;"))
                .collect();
            c.simple_query(&sql).expect("load keys");
        }

        let (mut slow, pid, secret) = RawClient::login(server.port);
        slow.send_query("KEYS");
        // The slow client reads nothing for a while. The loop must stop
        // reading it and stop asking the store for rows — and keep serving
        // everyone else meanwhile.
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(300) {
            assert_eq!(simple(&mut c, "GET nothing").1, vec![0]);
        }
        // A wrong secret cancels nothing; the right one ends the stream.
        cancel_request(server.port, pid, secret.wrapping_add(1));
        cancel_request(server.port, pid, secret);

        let (mut rows, mut error) = (0usize, None);
        loop {
            let (tag, body) = slow.message();
            match tag {
                b'D' => rows += 1,
                b'E' => error = Some(String::from_utf8_lossy(&body).into_owned()),
                b'C' => panic!("KEYS completed ({rows} rows) despite the cancel"),
                b'Z' => break,
                _ => {}
            }
        }
        let error = error.expect("an ErrorResponse before ReadyForQuery");
        assert!(error.contains("57014"), "{error}");
        assert!(
            error.contains("canceling statement due to user request"),
            "{error}"
        );
        assert!(rows > 0 && rows < 200_000, "{rows} rows before the cancel");

        // The session goes on.
        slow.send_query("GET nothing");
        let mut tags = Vec::new();
        loop {
            let (tag, _) = slow.message();
            tags.push(tag);
            if tag == b'Z' {
                break;
            }
        }
        assert_eq!(tags, b"TCZ");

        drop((c, slow));
        server.stop();
    });
}

#[test]
fn idle_session_timeout_through_poll_timeout() {
    bounded(|| {
        // The core's timers reach it only through the loop's poll timeout
        // and handle_timeout: nothing else wakes an idle connection.
        let server = Server::with_config(Config {
            idle_session_timeout: Duration::from_millis(300),
            ..Config::default()
        });
        let (mut idle, _, _) = RawClient::login(server.port);
        let start = Instant::now();
        let (tag, body) = idle.message();
        let waited = start.elapsed();
        assert_eq!(tag, b'E');
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("57P05"), "{body}");
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
            "FATAL after {waited:?}"
        );
        server.stop();
    });
}
