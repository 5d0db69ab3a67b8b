//! Test support shared by twill's differential tests: a scratch PostgreSQL 15
//! cluster to compare against, and a scratch S3 API ([`MotoServer`], moto)
//! for the object-store backend.
//!
//! Several test suites check twill against the real thing — the type codecs
//! (`types/tests/postgres_compat.rs`), the expression layer
//! (`engine/tests/sql_expr.rs`) and the SQL corpus
//! (`engine/tests/sqllogic.rs`). Each needs a PostgreSQL server that nobody
//! else touches, with known settings, and that disappears when the test
//! ends, even when it fails. Before this crate each test carried its own
//! copy of that code; now they share [`PgCluster`].
//!
//! What [`PgCluster::start`] does, in order:
//!
//! ```text
//!  temp dir ──chown postgres──▶ initdb -E UTF8 --locale=C -A trust -U postgres
//!          ──▶ pg_ctl start  (127.0.0.1:<free port>, socket in the temp dir,
//!                             fsync=off, TimeZone=UTC)
//!  ...test...
//!  drop ──▶ pg_ctl stop -m immediate ──▶ rm -r temp dir
//! ```
//!
//! initdb refuses to run as root, and CI runs as root, so when we are root
//! every PostgreSQL tool runs as the `postgres` user via
//! `runuser -u postgres --`. The binaries are taken from
//! `/usr/lib/postgresql/15/bin`; when they are missing the kit panics with a
//! message naming `apt-get install postgresql-15` — these tests fail, they
//! never skip, so a machine without PostgreSQL cannot pass silently.
//!
//! This crate does no pooling and keeps no global state: each call to
//! [`PgCluster::start`] is a new cluster (about a second), and tests that
//! want isolation within one cluster create databases with
//! [`PgCluster::create_database`].

mod moto;

pub use moto::MotoServer;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where Debian's `postgresql-15` package puts its server binaries.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A scratch PostgreSQL 15 cluster; dropping it stops the server and deletes
/// its files.
#[derive(Debug)]
pub struct PgCluster {
    /// The temp directory holding the data directory, the log and the Unix
    /// socket; removed on drop.
    dir: PathBuf,
    /// The loopback TCP port the server listens on.
    port: u16,
    /// Whether the tools run as the `postgres` user (we are root, and initdb
    /// refuses root).
    as_postgres: bool,
}

/// Runs a PostgreSQL tool, as the `postgres` user when `as_postgres`.
fn run(as_postgres: bool, program: &Path, args: &[&str]) -> Output {
    let mut cmd = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    // Keep the child off the caller's locale; the cluster's own locale is
    // set explicitly with --locale=C.
    cmd.env("LC_ALL", "C");
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

impl PgCluster {
    /// Creates, starts and returns a fresh cluster.
    ///
    /// # Panics
    ///
    /// When PostgreSQL 15 is not installed, or initdb or pg_ctl fails (the
    /// message carries their output and the server log).
    #[must_use = "dropping the cluster stops it"]
    pub fn start() -> PgCluster {
        let initdb = Path::new(PG_BIN).join("initdb");
        assert!(
            initdb.exists(),
            "PostgreSQL 15 is not installed ({} missing): run `apt-get install postgresql-15`",
            initdb.display()
        );
        let uid = Command::new("id").arg("-u").output().expect("run id -u");
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("twill-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the cluster directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("pick a free port")
            .port();
        // From here on, Drop cleans up whatever was made.
        let cluster = PgCluster {
            dir: dir.clone(),
            port,
            as_postgres,
        };
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status();
            assert!(
                ok.is_ok_and(|s| s.success()),
                "chown {} to postgres",
                dir.display()
            );
        }
        let data = dir.join("data");
        let data_s = data.to_str().expect("utf-8 temp path");
        let out = run(
            as_postgres,
            &initdb,
            &[
                "-D",
                data_s,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC \
             -c max_connections=20",
            dir.to_str().expect("utf-8 temp path")
        );
        let log = dir.join("log");
        let out = run(
            as_postgres,
            &Path::new(PG_BIN).join("pg_ctl"),
            &[
                "-D",
                data_s,
                "-o",
                &opts,
                "-l",
                log.to_str().expect("utf-8 temp path"),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        cluster
    }

    /// The loopback TCP port the server listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A libpq-style connection string for the `postgres` database as the
    /// `postgres` superuser.
    #[must_use]
    pub fn connection_string(&self) -> String {
        self.connection_string_for("postgres")
    }

    /// A libpq-style connection string for database `dbname` (quoted, so
    /// any name works).
    #[must_use]
    pub fn connection_string_for(&self, dbname: &str) -> String {
        let quoted = dbname.replace('\\', "\\\\").replace('\'', "\\'");
        format!(
            "host=127.0.0.1 port={} user=postgres dbname='{quoted}'",
            self.port
        )
    }

    /// A new client connected to the `postgres` database.
    ///
    /// # Panics
    ///
    /// When the connection fails.
    #[must_use]
    pub fn connect(&self) -> postgres::Client {
        self.connect_to("postgres")
    }

    /// A new client connected to database `dbname`.
    ///
    /// # Panics
    ///
    /// When the connection fails.
    #[must_use]
    pub fn connect_to(&self, dbname: &str) -> postgres::Client {
        postgres::Client::connect(&self.connection_string_for(dbname), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to database {dbname} of the scratch cluster: {e}"))
    }

    /// Creates an empty database `name` (from `template0`), dropping any
    /// previous one of that name first.
    ///
    /// # Panics
    ///
    /// When PostgreSQL refuses, e.g. because a session is still connected to
    /// the old database.
    pub fn create_database(&self, name: &str) {
        let mut client = self.connect();
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
            .and_then(|()| {
                client.batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE template0"))
            })
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = run(
            self.as_postgres,
            &Path::new(PG_BIN).join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap_or(""),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::PgCluster;

    #[test]
    fn starts_connects_and_reports_its_settings() {
        let cluster = PgCluster::start();
        assert_ne!(cluster.port(), 0);
        assert!(
            cluster
                .connection_string()
                .contains(&cluster.port().to_string())
        );
        let mut client = cluster.connect();
        let row = client
            .query_one(
                "SELECT current_setting('TimeZone'), current_setting('server_encoding')",
                &[],
            )
            .expect("query");
        assert_eq!(row.get::<_, String>(0), "UTC");
        assert_eq!(row.get::<_, String>(1), "UTF8");
        cluster.create_database("scratch one");
        let mut other = cluster.connect_to("scratch one");
        other
            .batch_execute("CREATE TABLE t (a int)")
            .expect("create table");
    }
}
