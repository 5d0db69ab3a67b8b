//! pgjdbc (Debian's `libpostgresql-jdbc-java`, 42.5): `tests/clients/jdbc/
//! JdbcClient.java`, compiled with `javac` once per test process, run with
//! `java` against every runtime.

use ::std::path::{Path, PathBuf};
use ::std::process::Command;
use ::std::sync::OnceLock;
use ::std::time::{Duration, SystemTime};

use crate::{clients_dir, run_everywhere, runs};

/// Where the driver is found (`$TWILL_JDBC_JAR` overrides).
const JAR: &str = "/usr/share/java/postgresql.jar";

fn jar() -> PathBuf {
    ::std::env::var_os("TWILL_JDBC_JAR").map_or_else(|| JAR.into(), PathBuf::from)
}

/// Compiles JdbcClient.java into a directory of this process (once).
fn compiled() -> &'static Result<PathBuf, String> {
    static CLASSES: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("jdbc-client");
        remove_stale(&root);
        let out = root.join(::std::process::id().to_string());
        ::std::fs::create_dir_all(&out).map_err(|e| format!("create {}: {e}", out.display()))?;
        let status = Command::new("javac")
            .args(["-nowarn", "-d"])
            .arg(&out)
            .arg(clients_dir().join("jdbc/JdbcClient.java"))
            .output()
            .map_err(|e| format!("javac: {e}"))?;
        if !status.status.success() {
            return Err(format!(
                "javac JdbcClient.java failed: {}\n{}",
                status.status,
                String::from_utf8_lossy(&status.stderr)
            ));
        }
        Ok(out)
    })
}

/// Class directories of earlier test processes (older than an hour).
fn remove_stale(root: &Path) {
    let Ok(entries) = ::std::fs::read_dir(root) else {
        return;
    };
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old {
            let _ = ::std::fs::remove_dir_all(entry.path());
        }
    }
}

fn jdbc(features: &[&str]) {
    let jar = jar();
    assert!(
        jar.exists(),
        "jdbc: {} is missing: apt-get install libpostgresql-jdbc-java (or set TWILL_JDBC_JAR)",
        jar.display()
    );
    for tool in ["javac", "java"] {
        assert!(
            runs(Path::new(tool)),
            "jdbc: `{tool}` does not run: apt-get install default-jdk-headless"
        );
    }
    let classes = compiled().as_ref().unwrap_or_else(|e| panic!("jdbc: {e}"));
    let classpath = format!("{}:{}", jar.display(), classes.display());
    run_everywhere("jdbc", features, |_port| {
        let mut cmd = Command::new("java");
        cmd.args(["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", &classpath])
            .arg("JdbcClient")
            .args(features);
        cmd
    });
}

/// Prepared statements past the prepare threshold (6 runs), executeBatch,
/// setFetchSize(2) with autocommit off and a rollback, generated keys
/// (RETURNING * and a named column), 42P01, DatabaseMetaData.getTables and
/// getColumns, getPrimaryKeys (`information_schema._pg_expandarray`; F6
/// fixed), ResultSetMetaData (getTableName, isNullable, isAutoIncrement).
/// One test: the features share the table `jdbc_items` on the shared
/// servers, so they run in one script, in order.
#[test]
fn supported() {
    jdbc(&[
        "prepared_threshold",
        "batch",
        "fetch_size",
        "generated_keys",
        "errors",
        "md_tables",
        "md_columns",
        "md_primary_keys",
        "rs_metadata",
    ]);
}
