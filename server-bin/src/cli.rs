//! The command line, and how it becomes the core's [`Config`] and the
//! adapters' [`ServeOptions`].
//!
//! The flags are exactly the knobs the four adapters share (their `serve`
//! takes a `Config` and `ServeOptions`, nothing else), plus the runtime to
//! pick and the database URL. Nothing here opens a socket or a database:
//! [`Args::config`] and [`Args::serve_options`] are plain conversions, so
//! they are unit-tested like any other function.
//!
//! Every flag has an environment-variable twin (`TWILL_RUNTIME`,
//! `TWILL_LISTEN`, …, named in `--help`), for containers and service
//! managers; a flag given on the command line wins over the variable.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use twill_protocol::{AuthMethod, Config, ServeOptions, Users};

/// `engine-server`: twill-engine served over the PostgreSQL wire protocol.
#[derive(Debug, Clone, Parser)]
#[command(name = "engine-server", version, about, long_about = None)]
pub struct Args {
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
    /// across crashes; `memory://` keeps nothing when the server stops.
    /// Object-store URLs arrive later.
    #[arg(long, env = "TWILL_DB", default_value = "file://./twill-data")]
    pub db: String,

    /// The most client connections served at once; one more gets FATAL
    /// 53300 "sorry, too many clients already".
    #[arg(long, env = "TWILL_MAX_CONNECTIONS", default_value_t = 100)]
    pub max_connections: usize,

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
    #[arg(long, env = "TWILL_AUTH", value_enum, default_value_t = AuthKind::Trust)]
    pub auth: AuthKind,

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
    /// Cleartext password. Only sensible over a trusted network (no TLS yet).
    Password,
    /// MD5 challenge, as PostgreSQL's `md5`.
    Md5,
    /// SCRAM-SHA-256.
    Scram,
}

impl Args {
    /// The core's configuration: the auth method and, for password
    /// methods, the one user with its verifiers derived now (PBKDF2 runs
    /// once here, never per login).
    pub fn config(&self) -> std::io::Result<Config> {
        let auth_method = match self.auth {
            AuthKind::Trust => AuthMethod::Trust,
            AuthKind::Password => AuthMethod::Password,
            AuthKind::Md5 => AuthMethod::Md5,
            AuthKind::Scram => AuthMethod::ScramSha256,
        };
        let mut config = Config {
            auth_method,
            ..Config::default()
        };
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| std::io::Error::other(e.to_string()))?;
            let mut users = Users::new();
            users.insert_password(user, password, salt);
            config.credentials = Some(Arc::new(users));
        }
        Ok(config)
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
        assert_eq!(args.db, "file://./twill-data");
        assert_eq!(args.auth, AuthKind::Trust);
        let config = args.config().unwrap();
        assert_eq!(config.auth_method, AuthMethod::Trust);
        assert!(config.credentials.is_none());
        assert_eq!(args.serve_options().max_connections, 100);
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
    fn password_methods_need_a_user_and_password() {
        assert!(Args::try_parse_from(["engine-server", "--auth", "md5"]).is_err());
        assert!(Args::try_parse_from(["engine-server", "--auth", "md5", "--user", "a"]).is_err());
        assert!(Args::try_parse_from(["engine-server", "--runtime", "uv"]).is_err());
    }
}
