//! The client compatibility matrix: real PostgreSQL client libraries
//! (node-postgres, postgres.js, Bun.SQL, psycopg 3, psycopg2, asyncpg,
//! pg8000, SQLAlchemy, pgjdbc) run their scripts in `tests/clients/` against the
//! real `engine-server` binary on every runtime.
//!
//! Four servers (std, mio, tokio, smol) are started once per test process,
//! on the first test that needs them, and shared by every client script:
//! each script uses its own tables (prefixed by the client), so they do not
//! step on each other. A server is started through a small `sh` wrapper
//! that holds a pipe from this process and kills the server when the pipe
//! closes, so the servers go away when the test process ends, pass,
//! fail or crash, although they live in a `static`.
//!
//! Each test runs one client script with the features it names, against the
//! four servers at once, records each feature's outcome per runtime (the
//! scripts print `TWILL-FEATURE <name> ok|FAIL <reason>`; `results.rs`), and
//! fails with the script's output and the server's log if any runtime
//! fails. A missing interpreter or client library fails
//! the test with what to install (see docs/compatibility.md); nothing is
//! skipped silently. A feature the server does not support yet is its own
//! `#[ignore]`d test, with the reason.
//!
//! ```text
//! main.rs    the shared servers, the script runner, interpreter discovery
//! node.rs    node-postgres (`pg`) and postgres.js (`postgres`)
//! bun.rs     Bun's built-in `Bun.SQL` (the `bun` binary from npm)
//! python.rs  psycopg 3, psycopg2, asyncpg, pg8000, SQLAlchemy 2
//! jdbc.rs    pgjdbc (a Java program compiled with javac at test time)
//! results.rs each feature's outcome per runtime, written to
//!            target/compatibility/ for docs/compatibility.md's table
//! ```

mod bun;
mod jdbc;
mod node;
mod python;
mod results;

use ::std::io::{BufRead, BufReader, Read};
use ::std::path::{Path, PathBuf};
use ::std::process::{Child, ChildStdin, Command, Output, Stdio};
use ::std::sync::mpsc;
use ::std::sync::{Arc, Mutex, OnceLock};
use ::std::thread;
use ::std::time::{Duration, Instant};

/// The runtimes every client runs against.
const RUNTIMES: [&str; 4] = ["std", "mio", "tokio", "smol"];
/// How long a server may take to print its startup line.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one client script may run against one server.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `engine-server`, shared by all the tests of this process.
struct Server {
    runtime: &'static str,
    port: u16,
    /// Everything the server logged so far (for failure messages).
    log: Arc<Mutex<String>>,
    /// The wrapper shell; kept so that it is not reaped early.
    _wrapper: Child,
    /// Closing this pipe (when the process exits) stops the server.
    _lifeline: ChildStdin,
}

impl Server {
    fn start(runtime: &'static str) -> Server {
        // `sh` starts the server in the background, waits for its own stdin
        // (our pipe) to close, then kills the server and waits for it.
        // SIGKILL, not SIGTERM: by then nobody reads the server's stderr,
        // and engine-server does not stop on SIGTERM once its stderr pipe
        // has lost its reader.
        let script = r#""$0" "$@" </dev/null & pid=$!
read -r _ || true
kill -KILL "$pid" 2>/dev/null
wait "$pid""#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_engine-server"))
            .args(["--runtime", runtime, "--listen", "127.0.0.1:0"])
            .args(["--db", "memory://"])
            .args(["--drain-timeout", "1"]);
        // The tests choose every setting themselves: no TWILL_* variable of
        // the environment reaches the server (whatever flags exist).
        for (var, _) in ::std::env::vars_os() {
            if var.to_string_lossy().starts_with("TWILL_") {
                cmd.env_remove(var);
            }
        }
        cmd.env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start sh (the engine-server wrapper)");
        let lifeline = child.stdin.take().expect("piped stdin");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        let (tx, rx) = mpsc::channel();
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
        let port = match rx.recv_timeout(START_TIMEOUT) {
            Ok(port) => port,
            Err(_) => panic!(
                "engine-server --runtime {runtime} did not start; log:\n{}",
                log.lock().unwrap()
            ),
        };
        Server {
            runtime,
            port,
            log,
            _wrapper: child,
            _lifeline: lifeline,
        }
    }

    /// The last lines of the server's log.
    fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// The port in a `listening on 127.0.0.1:PORT (runtime …)` log line.
fn listening_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("listening on ")? + "listening on ".len()..];
    let addr = rest.split_whitespace().next()?;
    addr.rsplit(':').next()?.parse().ok()
}

/// The four shared servers, started (in parallel) by the first caller.
fn servers() -> &'static [Server] {
    static SERVERS: OnceLock<Vec<Server>> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let handles: Vec<_> = RUNTIMES
            .iter()
            .map(|&runtime| thread::spawn(move || Server::start(runtime)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a server failed to start"))
            .collect()
    })
}

/// `tests/clients/` at the workspace root: the scripts and their packages.
pub(crate) fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/clients")
        .canonicalize()
        .expect("tests/clients/ exists")
}

/// Whether `program --version` runs.
pub(crate) fn runs(program: &Path) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Runs `make(port)` (a client script with `features`) against every
/// runtime's server at once, records each feature's outcome per runtime
/// (`results::write`: target/compatibility/, for docs/compatibility.md),
/// and fails with each failing runtime's output and the server's log if a
/// script exits non-zero or any feature did not pass.
pub(crate) fn run_everywhere(
    client: &str,
    features: &[&str],
    make: impl Fn(u16) -> Command + Sync,
) {
    let servers = servers();
    let expected = results::expected(features);
    let results: Vec<(&Server, Result<Output, String>)> = thread::scope(|scope| {
        let handles: Vec<_> = servers
            .iter()
            .map(|server| {
                let make = &make;
                scope.spawn(move || {
                    let mut cmd = make(server.port);
                    cmd.env("PGHOST", "127.0.0.1")
                        .env("PGPORT", server.port.to_string())
                        .env("PGUSER", "postgres")
                        .env("PGDATABASE", "postgres")
                        .env_remove("PGPASSWORD")
                        .env_remove("PGOPTIONS")
                        .env_remove("PGSERVICE")
                        .env_remove("PGSSLMODE")
                        .env_remove("DATABASE_URL");
                    (server, run(&mut cmd, SCRIPT_TIMEOUT))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut rows = Vec::new();
    let mut failures: Vec<(&str, String)> = Vec::new();
    for (server, result) in results {
        let outcomes = match &result {
            Ok(out) => {
                let ended = (!out.status.success()).then(|| out.status.to_string());
                results::outcomes(
                    &expected,
                    &String::from_utf8_lossy(&out.stdout),
                    ended.as_deref(),
                )
            }
            Err(e) => results::outcomes(&expected, e, Some(e.lines().next().unwrap_or(e))),
        };
        let failed: Vec<String> = outcomes
            .iter()
            .filter_map(|(name, o)| match o {
                results::Outcome::Ok => None,
                results::Outcome::Fail(reason) => Some(format!("  {name}: {reason}\n")),
            })
            .collect();
        rows.push((server.runtime, outcomes));
        let failure = match result {
            Ok(out) if out.status.success() && failed.is_empty() => continue,
            Ok(out) => format!(
                "{}\n--- stdout:\n{}--- stderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            ),
            Err(e) => e,
        };
        failures.push((
            server.runtime,
            format!(
                "=== {client} on runtime {} (port {}): {failure}--- features not passed:\n{}\
                 --- server log (tail):\n{}\n",
                server.runtime,
                server.port,
                failed.concat(),
                server.log_tail()
            ),
        ));
    }
    results::write(client, &rows);
    if !failures.is_empty() {
        let runtimes: Vec<&str> = failures.iter().map(|(r, _)| *r).collect();
        let details: Vec<&str> = failures.iter().map(|(_, d)| d.as_str()).collect();
        panic!(
            "{client} failed on {} of 4 runtimes ({})\n{}",
            failures.len(),
            runtimes.join(", "),
            details.join("\n")
        );
    }
}

/// Runs a command to completion with a deadline (killing it then),
/// capturing its output.
fn run(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = String::from_utf8_lossy(&stdout.join().unwrap()).into_owned();
            let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            return Err(format!(
                "timed out after {timeout:?}\n--- stdout:\n{out}--- stderr:\n{err}"
            ));
        }
        thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}
