//! End-to-end tests of the real `engine-server` binary: a process per test,
//! started on a free port with each runtime, driven by the `postgres` and
//! `tokio-postgres` crates, psql and pgbench.
//!
//! The server is started with `--listen 127.0.0.1:0` and the test reads the
//! bound address from its startup log line (`listening on …`), so tests
//! never race each other for a port. A [`Server`] guard stops the process
//! when the test ends, pass or fail: SIGTERM first (the graceful path),
//! SIGKILL if it does not exit within a few seconds. Client work runs on
//! its own thread with a deadline, so a hung server fails the test instead
//! of hanging the suite. (The imports say `::std` because the per-runtime
//! test modules are named after the runtimes, one of them `std`.)
//!
//! ```text
//! main.rs          the harness (Server, clients, psql/pgbench commands) and the per-runtime macro
//! sql.rs           queries, errors, types in text and binary, pipelining, portals, COPY
//! transactions.rs  rollback, savepoints, 40001, 40P01, cancel, statement_timeout
//! clients.rs       psql -f with a golden output, pgbench (init, five modes, TPC-B invariants)
//! lifecycle.rs     500 connections, the connection limit, SIGTERM, start-up errors, CLI
//! object_store.rs  s3:// against moto: psql, objects in the bucket, restart, fencing
//! tls.rs           psql and tokio-postgres over TLS, direct TLS, plaintext after SSLRequest, TLS required, hostssl rules
//! access.rs        --auth-file rules and users (from `engine-server passwd`), --db NAME=URL routing
//! hostile.rs       slow loris, a flood of unfinished logins, bad lengths, garbage, guessed cancel keys
//! ```

mod access;
mod clients;
mod hostile;
mod lifecycle;
mod object_store;
mod sql;
mod tls;
mod transactions;

use ::std::io::{BufRead, BufReader, Read};
use ::std::process::{Child, Command, ExitStatus, Output, Stdio};
use ::std::sync::mpsc;
use ::std::sync::{Arc, Mutex};
use ::std::thread;
use ::std::time::{Duration, Instant};

use postgres::{Client, NoTls};

/// How long a server may take to print its startup line.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one test's client work may take.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a server may take to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// The drain timeout every test server runs with.
const DRAIN_SECS: u64 = 2;

/// A running `engine-server` process, stopped on drop.
pub(crate) struct Server {
    child: Child,
    port: u16,
    /// Everything the server logged so far (for failure messages).
    log: Arc<Mutex<String>>,
}

/// The binary under test.
pub(crate) fn server_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_engine-server"));
    // The tests choose every setting themselves: no TWILL_* variable of
    // the environment reaches the server (whatever flags exist).
    for (var, _) in ::std::env::vars_os() {
        if var.to_string_lossy().starts_with("TWILL_") {
            cmd.env_remove(var);
        }
    }
    cmd.env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // In memory unless a test says otherwise: the default `file://` would
    // share one directory (and its lock) between parallel tests.
    cmd.env("TWILL_DB", "memory://");
    cmd
}

impl Server {
    /// Starts the binary with `--runtime <runtime>` on a free port and waits
    /// until it listens.
    pub(crate) fn start(runtime: &str) -> Server {
        Server::start_with(runtime, &[])
    }

    /// The same, with more flags.
    pub(crate) fn start_with(runtime: &str, extra: &[&str]) -> Server {
        let mut cmd = server_command();
        cmd.args(["--runtime", runtime, "--listen", "127.0.0.1:0"])
            .args(["--drain-timeout", &DRAIN_SECS.to_string()])
            .args(extra);
        Server::spawn(cmd)
    }

    /// Starts `cmd` (stderr piped) and waits for its startup line.
    pub(crate) fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.spawn().expect("start engine-server");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        // Keeps draining stderr for the life of the process, or the server
        // would block on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                // Logged before the port is announced, so a test that
                // reads the log after start sees the startup line.
                {
                    let mut log = sink.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Some(port) = listening_port(&line) {
                    let _ = tx.send(port);
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(port) => server.port = port,
            Err(_) => panic!("engine-server did not start; log:\n{}", server.log()),
        }
        server
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until the log contains `needle`.
    pub(crate) fn wait_for_log(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.log().contains(needle) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub(crate) fn client(&self) -> Client {
        connect(self.port)
    }

    /// Sends SIGTERM and waits for the process to exit.
    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn terminate(&mut self) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(10));
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

/// A `postgres` (blocking) client.
pub(crate) fn connect(port: u16) -> Client {
    Client::connect(&conninfo(port), NoTls).expect("connect to engine-server")
}

pub(crate) fn conninfo(port: u16) -> String {
    format!("host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=10")
}

/// A `tokio-postgres` client on the current Tokio runtime (its connection
/// task spawned there).
pub(crate) async fn connect_async(port: u16) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&conninfo(port), NoTls)
        .await
        .expect("connect to engine-server");
    ::tokio::spawn(connection);
    client
}

/// Runs `future` on a fresh Tokio runtime (two workers).
pub(crate) fn block_on<F: ::std::future::Future>(future: F) -> F::Output {
    ::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Runs `body` against a fresh server of `runtime` on another thread,
/// failing (with the server's log) if it panics or takes too long.
pub(crate) fn with_server(runtime: &str, body: impl FnOnce(u16) + Send + 'static) {
    with_server_args(runtime, &[], body)
}

/// [`with_server`] with more server flags.
pub(crate) fn with_server_args(
    runtime: &str,
    extra: &[&str],
    body: impl FnOnce(u16) + Send + 'static,
) {
    let server = Server::start_with(runtime, extra);
    let port = server.port;
    within_deadline(&server, move || body(port));
}

/// Runs `body` on another thread, failing with `server`'s log if it panics
/// or outlives [`TEST_TIMEOUT`].
pub(crate) fn within_deadline(server: &Server, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        body();
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

/// One module of `#[test]`s for a runtime, one per case.
macro_rules! runtime_tests {
    ($runtime:ident: $($module:ident :: $case:ident),* $(,)?) => {
        mod $runtime {
            $(
                #[test]
                fn $case() {
                    super::$module::$case(stringify!($runtime));
                }
            )*
        }
    };
}

/// Every case on each runtime: `std::types`, `smol::pgbench`, ….
macro_rules! per_runtime {
    ($($runtime:ident),*) => {$(
        runtime_tests!($runtime:
            sql::sql,
            sql::error_then_recovery,
            sql::types,
            sql::pipelining,
            sql::portals,
            sql::copy,
            transactions::rollback,
            transactions::savepoints,
            transactions::serialization_failure,
            transactions::deadlock,
            transactions::lock_queue,
            transactions::cancel_lock_wait,
            transactions::cancel_sleep,
            transactions::statement_timeout,
            clients::psql,
            clients::psql_script,
            clients::psql_cursor_copy,
            clients::pgbench,
            lifecycle::many_connections,
            lifecycle::connection_limit,
            lifecycle::sigterm,
            lifecycle::file_database_survives_restart,
            object_store::s3_database,
            tls::tls_psql,
            tls::tls_tokio_postgres,
            tls::tls_direct,
            tls::tls_plaintext_after_ssl_request,
            tls::tls_required,
            tls::tls_scram_plus,
            tls::tls_hostssl_rules,
            access::auth_file,
            hostile::slow_loris,
            hostile::unfinished_login_flood,
            hostile::bad_lengths,
            hostile::garbage_after_query,
            hostile::guessed_cancel_keys,
        );
    )*};
}

per_runtime!(std, mio, tokio, smol);

// ---- client programs ----

/// A PostgreSQL client program, failing the test with the install hint if
/// it is missing.
pub(crate) fn pg_program(name: &str) -> Command {
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
    cmd.env("PGCONNECT_TIMEOUT", "10")
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .env_remove("PGOPTIONS");
    cmd
}

/// psql on the server, with no psqlrc; the caller adds the rest.
pub(crate) fn psql_base(port: u16) -> Command {
    let mut cmd = pg_program("psql");
    cmd.args(["-X", "-h", "127.0.0.1"]).args([
        "-p",
        &port.to_string(),
        "-U",
        "postgres",
        "-d",
        "postgres",
    ]);
    cmd
}

/// psql that stops at the first error.
pub(crate) fn psql_command(port: u16) -> Command {
    let mut cmd = psql_base(port);
    cmd.args(["-v", "ON_ERROR_STOP=1"]);
    cmd
}

pub(crate) fn pgbench_command(port: u16) -> Command {
    let mut cmd = pg_program("pgbench");
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"]);
    // The database name comes last, after the caller's options.
    cmd.env("PGDATABASE", "postgres");
    cmd
}

/// Runs a command to completion, killing it after `secs` seconds.
pub(crate) fn run(cmd: &mut Command, secs: u64) -> Output {
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
        thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

pub(crate) fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
