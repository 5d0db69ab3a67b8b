//! Who may log in and to which database, through the binary: an
//! `--auth-file` with pg_hba.conf-style rules and users whose verifiers
//! come from `engine-server passwd`, and `--db NAME=URL` routing. Every
//! runtime, because each adapter must hand the core the peer address the
//! ADDRESS column is matched against.

use ::std::io::Write;
use ::std::path::PathBuf;
use ::std::process::Stdio;

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use crate::{server_command, with_server_args};

/// Runs `engine-server passwd [extra] USER` with `password` on stdin and
/// returns the line it prints.
pub(crate) fn passwd_line(user: &str, password: &str, extra: &[&str]) -> String {
    let mut child = server_command()
        .arg("passwd")
        .args(extra)
        .arg(user)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run engine-server passwd");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "passwd failed: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

fn try_connect(port: u16, user: &str, password: &str, db: &str) -> Result<Client, postgres::Error> {
    Client::connect(
        &format!(
            "host=127.0.0.1 port={port} user={user} password={password} dbname={db} \
             connect_timeout=10 sslmode=disable"
        ),
        NoTls,
    )
}

fn refusal(result: Result<Client, postgres::Error>) -> (SqlState, String) {
    let error = result.err().expect("the login should fail");
    let db = error
        .as_db_error()
        .unwrap_or_else(|| panic!("not a server error: {error}"));
    (db.code().clone(), db.message().to_string())
}

/// The rules decide per user, database and address; verifiers made by
/// `passwd` log in with SCRAM and MD5; each named database is its own;
/// PostgreSQL's messages for no entry, reject, a wrong password and an
/// unknown database.
pub(crate) fn auth_file(runtime: &str) {
    let alice = passwd_line("alice", "s3cret", &["--iterations", "1024"]);
    assert!(
        alice.starts_with("user alice SCRAM-SHA-256$1024:"),
        "{alice}"
    );
    let bob = passwd_line("bob", "pw", &["--md5"]);
    assert_eq!(bob, "user bob md59e8b47dd245ed6fdb3fd1657224800c4");
    let file = AuthFileOnDisk::new(
        runtime,
        &format!(
            "# TYPE DATABASE USER ADDRESS METHOD\n\
             host all eve all reject\n\
             host app,audit,nosuch alice 127.0.0.1/32 scram-sha-256\n\
             host app bob 127.0.0.0/8 md5\n\
             host all all 10.0.0.0/8 trust\n\
             {alice}\n{bob}\n"
        ),
    );
    let path = file.path.to_str().unwrap().to_string();
    let args = [
        "--auth-file",
        &path,
        "--db",
        "app=memory://",
        "--db",
        "audit=memory://",
    ];
    with_server_args(runtime, &args, |port| {
        let mut app = try_connect(port, "alice", "s3cret", "app").unwrap();
        app.batch_execute("create table t (x int); insert into t values (1)")
            .unwrap();
        let mut audit = try_connect(port, "alice", "s3cret", "audit").unwrap();
        let err = audit.batch_execute("select * from t").unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
        let mut md5 = try_connect(port, "bob", "pw", "app").unwrap();
        let n: i32 = md5.query_one("select x from t", &[]).unwrap().get(0);
        assert_eq!(n, 1);

        let no_entry = |user: &str, db: &str| {
            format!(
                "no pg_hba.conf entry for host \"127.0.0.1\", user \"{user}\", \
                 database \"{db}\", no encryption"
            )
        };
        let cases = [
            (
                ("bob", "pw", "audit"),
                (
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    no_entry("bob", "audit"),
                ),
            ),
            (
                ("carol", "x", "app"),
                (
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    no_entry("carol", "app"),
                ),
            ),
            (
                ("eve", "x", "app"),
                (
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"eve\", \
                     database \"app\", no encryption"
                        .to_string(),
                ),
            ),
            (
                ("alice", "wrong", "app"),
                (
                    SqlState::INVALID_PASSWORD,
                    "password authentication failed for user \"alice\"".into(),
                ),
            ),
            (
                ("alice", "s3cret", "nosuch"),
                (
                    SqlState::INVALID_CATALOG_NAME,
                    "database \"nosuch\" does not exist".into(),
                ),
            ),
        ];
        for ((user, password, db), expected) in cases {
            assert_eq!(
                refusal(try_connect(port, user, password, db)),
                expected,
                "{user}@{db}"
            );
        }
    });
}

/// An auth file in the temporary directory, removed on drop.
pub(crate) struct AuthFileOnDisk {
    pub(crate) path: PathBuf,
}

impl AuthFileOnDisk {
    pub(crate) fn new(runtime: &str, text: &str) -> AuthFileOnDisk {
        let path = ::std::env::temp_dir().join(format!(
            "twill-auth-{}-{runtime}.conf",
            ::std::process::id()
        ));
        ::std::fs::write(&path, text).unwrap();
        AuthFileOnDisk { path }
    }
}

impl Drop for AuthFileOnDisk {
    fn drop(&mut self) {
        let _ = ::std::fs::remove_file(&self.path);
    }
}
