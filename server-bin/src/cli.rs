//! The command line, and how it becomes the core's [`Config`] and the
//! adapters' [`ServeOptions`].
//!
//! The flags are exactly the knobs the four adapters share (their `serve`
//! takes a `Config` and `ServeOptions`, nothing else), plus the runtime to
//! pick and the database URLs ([`Args::databases`]). Nothing here opens a
//! socket or a database: [`Args::config`] (which reads only the TLS files
//! and the `--auth-file`) and [`Args::serve_options`] are plain
//! conversions, so they are unit-tested like any other function. One
//! subcommand, `passwd` ([`Tool`]), runs a tool instead of the server.
//!
//! Every flag has an environment-variable twin (`TWILL_RUNTIME`,
//! `TWILL_LISTEN`, …, named in `--help`), for containers and service
//! managers; a flag given on the command line wins over the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use twill_protocol::{AccessRules, AuthMethod, Config, ServeOptions, TlsConfig, Users};

use crate::auth_file::AuthFile;
use crate::databases::DatabaseUrls;
use crate::passwd::DEFAULT_ITERATIONS;

/// `engine-server`: twill-engine served over the PostgreSQL wire protocol.
#[derive(Debug, Clone, Parser)]
#[command(name = "engine-server", version, about, long_about = None)]
pub struct Args {
    /// A tool instead of the server (`passwd`).
    #[command(subcommand)]
    pub command: Option<Tool>,

    /// Which runtime adapter drives the connections: `std` (a thread per
    /// connection), `mio` (one event loop, engine calls on a worker pool),
    /// `tokio` (a task per connection) or `smol` (a task per connection on
    /// smol's executor). See docs/runtimes.md. The default, std, was the
    /// fastest in the last measurement (docs/runtimes.md, "Measurements").
    #[arg(long, env = "TWILL_RUNTIME", value_enum, default_value_t = Runtime::Std)]
    pub runtime: Runtime,

    /// Address to listen on. Port 0 picks a free port (the startup log line
    /// says which).
    #[arg(long, env = "TWILL_LISTEN", default_value = "127.0.0.1:5433")]
    pub listen: SocketAddr,

    /// Where the data lives: `file://PATH` (a directory, created if missing;
    /// relative to the working directory) keeps every acknowledged commit
    /// across crashes; `s3://BUCKET/PREFIX`, `gs://…` and `r2://…` keep the
    /// log and checkpoints in an object store (credentials from the usual
    /// AWS_* / GOOGLE_* variables; see docs/durability.md); `memory://`
    /// keeps nothing when the server stops. One URL serves every database
    /// name; `NAME=URL` (repeat the flag) serves each named database from
    /// its own storage, and other names get FATAL 3D000.
    #[arg(long, env = "TWILL_DB", default_value = "file://./twill-data")]
    pub db: Vec<String>,

    /// The most logged-in sessions at once; one more client gets FATAL
    /// 53300 "sorry, too many clients already" after authenticating.
    /// Connections still logging in do not count (see --max-startups).
    #[arg(long, env = "TWILL_MAX_CONNECTIONS", default_value_t = 100)]
    pub max_connections: usize,

    /// The most connections still logging in (before AuthenticationOk) at
    /// once; one more socket gets FATAL 53300 at its StartupMessage (a
    /// CancelRequest is still served). Bounds a flood of unfinished logins
    /// without locking sessions out; each ends at --authentication-timeout.
    /// Keep the file-descriptor limit above this plus --max-connections.
    #[arg(long, env = "TWILL_MAX_STARTUPS", default_value_t = 2000)]
    pub max_startups: usize,

    /// Threads that run engine calls off the event loop: the mio worker
    /// pool and Tokio's blocking-pool limit. 0 = one per allowed connection
    /// (--max-connections), because a smaller pool can deadlock: sessions
    /// waiting for a row lock hold every thread while the session holding
    /// the lock waits for a thread to run its COMMIT. std runs calls on each
    /// connection's own thread; smol's blocking pool sizes itself (up to 500).
    #[arg(
        long,
        env = "TWILL_ENGINE_THREADS",
        visible_alias = "workers",
        default_value_t = 0
    )]
    pub engine_threads: usize,

    /// Threads that run the event loop or executor (Tokio workers, smol
    /// executor threads). 0 = one per core. std and mio ignore it.
    #[arg(long, env = "TWILL_IO_THREADS", default_value_t = 0)]
    pub io_threads: usize,

    /// On SIGINT/SIGTERM, how many seconds running statements may take to
    /// finish before their connections are closed.
    #[arg(long, env = "TWILL_DRAIN_TIMEOUT", default_value_t = 30)]
    pub drain_timeout: u64,

    /// How clients authenticate. Password methods need --user and --password.
    /// The same as an --auth-file with the one rule `host all all all
    /// METHOD` and that one user.
    #[arg(long, env = "TWILL_AUTH", value_enum, default_value_t = AuthKind::Trust)]
    pub auth: AuthKind,

    /// A pg_hba.conf-style file of access rules (`host|hostssl|hostnossl
    /// DATABASE USER ADDRESS METHOD`, first match wins) and users with
    /// stored verifiers (`user NAME VERIFIER`, see `engine-server passwd`).
    /// Replaces --auth, --user and --password. See docs/security.md.
    #[arg(long, env = "TWILL_AUTH_FILE", conflicts_with_all = ["auth", "user", "password"])]
    pub auth_file: Option<PathBuf>,

    /// Time a client has from connecting to finishing its login (TLS
    /// handshake, startup packet, password exchange), as PostgreSQL's
    /// `authentication_timeout`: `60`, `60s`, `1min`; 1 s to 10 min.
    /// Slower clients are disconnected, so idle or trickling connections
    /// cannot hold a connection slot for long.
    #[arg(long, env = "TWILL_AUTHENTICATION_TIMEOUT", default_value = "60s", value_parser = parse_auth_timeout)]
    pub authentication_timeout: Duration,

    /// The user password methods accept (with trust, any user name connects).
    #[arg(long, env = "TWILL_USER", required_if_eq_any = [("auth", "password"), ("auth", "md5"), ("auth", "scram")])]
    pub user: Option<String>,

    /// That user's password. Prefer the environment variable to the flag:
    /// a flag is visible to everyone in the process list.
    #[arg(
        long,
        env = "TWILL_PASSWORD",
        hide_env_values = true,
        required_if_eq_any = [("auth", "password"), ("auth", "md5"), ("auth", "scram")]
    )]
    pub password: Option<String>,

    /// The server's TLS certificate chain (PEM, server certificate first),
    /// as PostgreSQL's `ssl_cert_file`. With --tls-key, clients may
    /// encrypt: SSLRequest is answered `S`, and PostgreSQL 17's direct TLS
    /// (ALPN `postgresql`) is accepted.
    #[arg(long, env = "TWILL_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1), as
    /// PostgreSQL's `ssl_key_file`.
    #[arg(long, env = "TWILL_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Whether clients must encrypt: `optional` accepts plaintext too (a
    /// `host` line in pg_hba.conf); `required` refuses a plaintext client
    /// with FATAL 28000 "no pg_hba.conf entry for host …, no encryption"
    /// (only `hostssl` lines). `required` needs --tls-cert and --tls-key.
    #[arg(
        long,
        env = "TWILL_TLS_MODE",
        value_enum,
        default_value_t = TlsMode::Optional,
        requires_if("required", "tls_cert")
    )]
    pub tls_mode: TlsMode,

    /// What to log to stderr: a level (`error`, `warn`, `info`, `debug`,
    /// `trace`) or a `tracing` filter such as `info,twill_adapter_mio=debug`.
    /// Without it, `RUST_LOG` is used, and without that, `info`.
    #[arg(long, env = "TWILL_LOG_LEVEL")]
    pub log_level: Option<String>,

    /// Log every engine call a connection makes (Query, Parse, Bind,
    /// Execute, Sync, …) at debug level under the `twill_server::wire`
    /// target, which this switch enables whatever the log level. The
    /// protocol core has no hook for raw frontend messages, so this is the
    /// nearest thing: one line per call the messages turned into.
    #[arg(long, env = "TWILL_WIRE_TRACE")]
    pub wire_trace: bool,
}

/// Tools that run instead of the server.
#[derive(Debug, Clone, Subcommand)]
pub enum Tool {
    /// Reads a password from the first line of standard input and prints
    /// the `user NAME VERIFIER` line for an --auth-file (a SCRAM-SHA-256
    /// verifier with a random salt, as PostgreSQL stores it).
    Passwd {
        /// PBKDF2 iterations (PostgreSQL's `scram_iterations`).
        #[arg(long, default_value_t = DEFAULT_ITERATIONS)]
        iterations: u32,
        /// Print the legacy `md5…` form instead (for the md5 method).
        #[arg(long)]
        md5: bool,
        /// The user name.
        user: String,
    },
}

/// `--authentication-timeout`: seconds, with an optional `s`, `min` or `ms` unit.
fn parse_auth_timeout(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("not a duration: {value:?}"))?;
    let duration = match unit.trim() {
        "" | "s" => Duration::from_secs(number),
        "ms" => Duration::from_millis(number),
        "min" => Duration::from_secs(number.saturating_mul(60)),
        other => return Err(format!("unknown unit {other:?} (use s, min or ms)")),
    };
    if !(Duration::from_secs(1)..=Duration::from_secs(600)).contains(&duration) {
        return Err("must be between 1s and 10min, as in PostgreSQL".into());
    }
    Ok(duration)
}

/// The runtime adapter that serves connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Runtime {
    /// `twill-adapter-std`: one OS thread per connection, calls inline.
    Std,
    /// `twill-adapter-mio`: one event loop, calls on a worker pool.
    Mio,
    /// `twill-adapter-tokio`: one task per connection, calls on the blocking pool.
    Tokio,
    /// `twill-adapter-smol`: one task per connection, calls on `blocking`.
    Smol,
}

impl Runtime {
    /// The name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Std => "std",
            Runtime::Mio => "mio",
            Runtime::Tokio => "tokio",
            Runtime::Smol => "smol",
        }
    }
}

/// How clients prove who they are (the core's [`AuthMethod`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthKind {
    /// No proof: any user name connects.
    Trust,
    /// Cleartext password. Only sensible over TLS (--tls-mode required) or
    /// a trusted network.
    Password,
    /// MD5 challenge, as PostgreSQL's `md5`.
    Md5,
    /// SCRAM-SHA-256.
    Scram,
}

/// Whether clients must encrypt (with --tls-cert and --tls-key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsMode {
    /// TLS when the client asks for it, plaintext otherwise.
    Optional,
    /// TLS or nothing: plaintext clients get FATAL 28000.
    Required,
}

impl Args {
    /// The core's configuration: access rules and users from --auth-file,
    /// or the one-rule equivalent of --auth with the one user of --user and
    /// --password (its verifiers derived now: PBKDF2 runs once here, never
    /// per login); TLS from the PEM files, read now. An error is one line
    /// for the start-up message.
    pub fn config(&self) -> std::io::Result<Config> {
        let auth_method = match self.auth {
            AuthKind::Trust => AuthMethod::Trust,
            AuthKind::Password => AuthMethod::Password,
            AuthKind::Md5 => AuthMethod::Md5,
            AuthKind::Scram => AuthMethod::ScramSha256,
        };
        let mut config = Config {
            auth_method,
            access: Some(AccessRules::everyone(auth_method)),
            authentication_timeout: self.authentication_timeout,
            ..Config::default()
        };
        if let Some(path) = &self.auth_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot read auth file {}: {e}", path.display()),
                )
            })?;
            let file = AuthFile::parse(&text, &path.display().to_string())
                .map_err(std::io::Error::other)?;
            config.access = Some(file.rules);
            config.credentials = Some(Arc::new(file.users));
        } else if let (Some(user), Some(password)) = (&self.user, &self.password) {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| std::io::Error::other(e.to_string()))?;
            let mut users = Users::new();
            users.insert_password(user, password, salt);
            config.credentials = Some(Arc::new(users));
        }
        config.tls = self.tls_config()?;
        Ok(config)
    }

    /// The `--db` values, parsed (not opened).
    pub fn databases(&self) -> Result<DatabaseUrls, String> {
        DatabaseUrls::parse(&self.db)
    }

    /// TLS from --tls-cert and --tls-key, if given.
    fn tls_config(&self) -> std::io::Result<Option<TlsConfig>> {
        let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) else {
            return Ok(None);
        };
        let read = |path: &PathBuf, what: &str| {
            std::fs::read(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot read TLS {what} {}: {e}", path.display()),
                )
            })
        };
        let tls = TlsConfig::from_pem(&read(cert, "certificate")?, &read(key, "key")?)
            .map_err(|e| std::io::Error::other(format!("bad TLS certificate or key: {e}")))?;
        Ok(Some(tls.require(self.tls_mode == TlsMode::Required)))
    }

    /// The `tracing` filter: `--log-level`, else `RUST_LOG`, else `info`;
    /// `--wire-trace` adds `twill_server::wire=debug`.
    pub fn log_filter(&self) -> String {
        let mut filter = match &self.log_level {
            Some(level) => level.clone(),
            None => std::env::var("RUST_LOG")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "info".into()),
        };
        if self.wire_trace {
            filter.push_str(",twill_server::wire=debug");
        }
        filter
    }

    /// The engine threads handed to the adapter: `--engine-threads`, or by
    /// default one per allowed connection for the two adapters with a
    /// bounded pool (mio's workers, Tokio's blocking pool). Every session
    /// can be inside a call that waits for a row lock; if the pool is
    /// smaller than the number of sessions, the session holding the lock
    /// may find no thread for the call that would release it, and the
    /// server stalls (the engine's deadlock detector cannot see a wait on
    /// a thread). Idle pool threads cost only memory.
    pub fn engine_threads(&self) -> usize {
        match (self.engine_threads, self.runtime) {
            (0, Runtime::Mio | Runtime::Tokio) => self.max_connections.max(1),
            (n, _) => n,
        }
    }

    /// A warning for a configuration that can stall under lock contention
    /// (see [`Args::engine_threads`]), if this is one.
    pub fn pool_warning(&self) -> Option<String> {
        let threads = self.engine_threads();
        let bounded = matches!(self.runtime, Runtime::Mio | Runtime::Tokio);
        (bounded && threads < self.max_connections).then(|| {
            format!(
                "--engine-threads {threads} < --max-connections {}: sessions waiting \
                 for row locks can take every engine thread and stall the server",
                self.max_connections
            )
        })
    }

    /// The options every adapter's `serve` takes.
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            max_connections: self.max_connections,
            max_startups: self.max_startups,
            drain_timeout: Duration::from_secs(self.drain_timeout),
            io_threads: self.io_threads,
            engine_threads: self.engine_threads(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let args = Args::try_parse_from(["engine-server"]).unwrap();
        assert_eq!(args.runtime, Runtime::Std);
        assert_eq!(args.listen.to_string(), "127.0.0.1:5433");
        assert_eq!(args.db, ["file://./twill-data"]);
        assert_eq!(
            args.databases().unwrap(),
            DatabaseUrls::Any("file://./twill-data".into())
        );
        assert_eq!(args.authentication_timeout, Duration::from_secs(60));
        assert_eq!(args.auth, AuthKind::Trust);
        let config = args.config().unwrap();
        assert_eq!(config.auth_method, AuthMethod::Trust);
        assert_eq!(
            config.access,
            Some(AccessRules::everyone(AuthMethod::Trust))
        );
        assert!(config.credentials.is_none());
        assert_eq!(args.serve_options().max_connections, 100);
        assert_eq!(args.serve_options().max_startups, 2000);
        assert_eq!(args.serve_options().engine_threads, 0, "std calls inline");
        assert_eq!(args.pool_warning(), None);
    }

    #[test]
    fn bounded_pools_default_to_one_thread_per_connection() {
        let parse = |runtime| {
            Args::try_parse_from([
                "engine-server",
                "--runtime",
                runtime,
                "--max-connections",
                "7",
            ])
            .unwrap()
        };
        assert_eq!(parse("mio").engine_threads(), 7);
        assert_eq!(parse("tokio").engine_threads(), 7);
        assert_eq!(parse("std").engine_threads(), 0);
        assert_eq!(parse("smol").engine_threads(), 0);
        let small =
            Args::try_parse_from(["engine-server", "--runtime", "mio", "--workers", "2"]).unwrap();
        assert!(small.pool_warning().is_some());
    }

    #[test]
    fn every_flag() {
        let args = Args::try_parse_from([
            "engine-server",
            "--runtime",
            "mio",
            "--listen",
            "0.0.0.0:6000",
            "--max-connections",
            "7",
            "--max-startups",
            "9",
            "--workers",
            "3",
            "--io-threads",
            "2",
            "--drain-timeout",
            "5",
            "--auth",
            "scram",
            "--user",
            "alice",
            "--password",
            "secret",
            "--log-level",
            "debug",
            "--wire-trace",
        ])
        .unwrap();
        assert_eq!(args.runtime, Runtime::Mio);
        let options = args.serve_options();
        assert_eq!(options.max_connections, 7);
        assert_eq!(options.max_startups, 9);
        assert_eq!(options.engine_threads, 3);
        assert_eq!(options.io_threads, 2);
        assert_eq!(options.drain_timeout, Duration::from_secs(5));
        let config = args.config().unwrap();
        assert_eq!(config.auth_method, AuthMethod::ScramSha256);
        let credential = config.credentials.unwrap().credential("alice").unwrap();
        assert!(credential.scram.unwrap().matches_password("secret"));
        assert_eq!(args.log_filter(), "debug,twill_server::wire=debug");
    }

    #[test]
    fn tls_flags() {
        let parse = |extra: &[&str]| Args::try_parse_from([&["engine-server"][..], extra].concat());
        assert!(
            parse(&["--tls-cert", "c.pem"]).is_err(),
            "a cert needs a key"
        );
        assert!(
            parse(&["--tls-key", "k.pem"]).is_err(),
            "a key needs a cert"
        );
        assert!(
            parse(&["--tls-mode", "required"]).is_err(),
            "required needs a cert"
        );
        let args = parse(&[
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--tls-mode",
            "required",
        ])
        .unwrap();
        assert_eq!(args.tls_mode, TlsMode::Required);
        assert_eq!(parse(&[]).unwrap().tls_mode, TlsMode::Optional);
        assert!(parse(&[]).unwrap().config().unwrap().tls.is_none());
        let missing = parse(&["--tls-cert", "/nonexistent/c.pem", "--tls-key", "k.pem"]).unwrap();
        let error = missing.config().unwrap_err().to_string();
        assert!(
            error.starts_with("cannot read TLS certificate /nonexistent/c.pem: "),
            "{error}"
        );
    }

    #[test]
    fn auth_file_timeout_routing_and_passwd() {
        let parse = |extra: &[&str]| Args::try_parse_from([&["engine-server"][..], extra].concat());
        assert!(parse(&["--auth-file", "a.conf", "--user", "u"]).is_err());
        assert!(parse(&["--auth-file", "a.conf", "--auth", "md5"]).is_err());
        let missing = parse(&["--auth-file", "/nonexistent/a.conf"]).unwrap();
        let error = missing.config().unwrap_err().to_string();
        assert!(
            error.starts_with("cannot read auth file /nonexistent/a.conf: "),
            "{error}"
        );
        for (value, expected) in [
            ("5", 5_000),
            ("5s", 5_000),
            ("1min", 60_000),
            ("1500ms", 1_500),
        ] {
            let args = parse(&["--authentication-timeout", value]).unwrap();
            assert_eq!(args.authentication_timeout, Duration::from_millis(expected));
            assert_eq!(
                args.config().unwrap().authentication_timeout,
                Duration::from_millis(expected)
            );
        }
        for bad in ["0", "11min", "5h", "x"] {
            assert!(parse(&["--authentication-timeout", bad]).is_err(), "{bad}");
        }
        let routed = parse(&["--db", "a=memory://", "--db", "b=memory://"]).unwrap();
        assert_eq!(routed.databases().unwrap().entries().len(), 2);
        let tool = parse(&["passwd", "--iterations", "10", "alice"]).unwrap();
        assert!(matches!(
            tool.command,
            Some(Tool::Passwd { iterations: 10, md5: false, ref user }) if user == "alice"
        ));
    }

    #[test]
    fn password_methods_need_a_user_and_password() {
        assert!(Args::try_parse_from(["engine-server", "--auth", "md5"]).is_err());
        assert!(Args::try_parse_from(["engine-server", "--auth", "md5", "--user", "a"]).is_err());
        assert!(Args::try_parse_from(["engine-server", "--runtime", "uv"]).is_err());
    }
}
