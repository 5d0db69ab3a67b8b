//! The stock PostgreSQL clients: psql (`-c`, and a `-f` script compared
//! with a golden output) and pgbench (both ways of initialising, the three
//! query modes, `-S` and `-N`, then the TPC-B invariants).

use ::std::path::PathBuf;

use postgres::error::SqlState;

use crate::{connect, describe, pgbench_command, psql_base, psql_command, run, with_server};

/// psql connects (SSLRequest, its startup queries) and runs `select 1`.
pub(crate) fn psql(runtime: &str) {
    with_server(runtime, |port| {
        let out = run(psql_command(port).args(["-c", "select 1"]), 20);
        assert!(out.status.success(), "psql failed: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("?column?") && stdout.contains("(1 row)"),
            "{stdout}"
        );
        let out = run(psql_command(port).args(["-At", "-c", "select 1"]), 20);
        assert!(out.status.success(), "psql failed: {}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    });
}

/// Where the psql script, its `\copy` data and its golden output live.
fn psql_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/server/psql")
}

/// `psql -X -q -A -t -v VERBOSITY=terse -f script.sql` (DDL, DML, a
/// unique and a not-null violation, a division by zero in a transaction,
/// `\copy` from a file, queries over many types): stdout must equal
/// `script.out` and stderr `script.err`, both PostgreSQL 15's output for
/// the script. (Terse, because the engine does not yet send a unique
/// violation's DETAIL; and the script has no error with a cursor position,
/// which the engine does not report either.) `UPDATE_GOLDEN=1` rewrites
/// them from this server's output, to be compared with PostgreSQL's.
pub(crate) fn psql_script(runtime: &str) {
    with_server(runtime, |port| {
        let dir = psql_dir();
        let out = run(
            psql_base(port)
                .current_dir(&dir)
                .args(["-q", "-A", "-t", "-v", "VERBOSITY=terse"])
                .args(["-f", "script.sql"]),
            60,
        );
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if ::std::env::var_os("UPDATE_GOLDEN").is_some() {
            ::std::fs::write(dir.join("script.out"), &stdout).unwrap();
            ::std::fs::write(dir.join("script.err"), &stderr).unwrap();
        }
        let want_out = ::std::fs::read_to_string(dir.join("script.out")).unwrap();
        let want_err = ::std::fs::read_to_string(dir.join("script.err")).unwrap();
        assert_eq!(stdout, want_out, "psql stdout; {}", describe(&out));
        assert_eq!(stderr, want_err, "psql stderr; {}", describe(&out));
        assert!(out.status.success(), "{}", describe(&out));
    });
}

/// `pgbench -i` one way, and checks the tables it made.
fn init(port: u16, args: &[&str]) {
    let out = run(pgbench_command(port).args(args), 120);
    assert!(out.status.success(), "pgbench {args:?}: {}", describe(&out));
    let mut client = connect(port);
    let counts: (i64, i64, i64, i64) = {
        let row = client
            .query_one(
                "select (select count(*) from pgbench_accounts), \
                 (select count(*) from pgbench_tellers), \
                 (select count(*) from pgbench_branches), \
                 (select count(*) from pgbench_history)",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1), row.get(2), row.get(3))
    };
    assert_eq!(counts, (100_000, 10, 1, 0), "after pgbench {args:?}");
}

/// A short pgbench run with 8 clients on 2 threads: it must succeed with
/// no failed transaction.
fn bench(port: u16, args: &[&str]) {
    let out = run(
        pgbench_command(port)
            .args(["-T", "3", "-c", "8", "-j", "2"])
            .args(args),
        60,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pgbench {args:?}: {}", describe(&out));
    assert!(stdout.contains("tps = "), "pgbench {args:?}: {stdout}");
    assert!(
        stdout.contains("number of failed transactions: 0 "),
        "pgbench {args:?}: {stdout}"
    );
    let processed: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
        .and_then(|n| n.split('/').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(processed > 0, "pgbench {args:?}: {stdout}");
}

/// The four TPC-B sums: accounts, tellers, branches, history deltas.
fn sums(port: u16) -> [i64; 4] {
    let row = connect(port)
        .query_one(
            "select (select coalesce(sum(abalance), 0) from pgbench_accounts)::int8, \
             (select coalesce(sum(tbalance), 0) from pgbench_tellers)::int8, \
             (select coalesce(sum(bbalance), 0) from pgbench_branches)::int8, \
             (select coalesce(sum(delta), 0) from pgbench_history)::int8",
            &[],
        )
        .unwrap();
    [row.get(0), row.get(1), row.get(2), row.get(3)]
}

/// The TPC-B bookkeeping: every transaction adds the same delta to one
/// account, teller and branch and logs it in the history, so the four sums
/// agree. (pgbench truncates the history before a run unless `-n`, so the
/// runs after the first since an init use `-n`.)
fn tpcb_invariant(port: u16) {
    let [a, t, b, h] = sums(port);
    assert!(a != 0 || h != 0, "nothing happened? {:?}", [a, t, b, h]);
    assert_eq!(
        [a, t, b],
        [h, h, h],
        "sum(abalance), sum(tbalance), sum(bbalance) = sum(delta)"
    );
}

/// pgbench on this runtime: client-side init, TPC-B in the simple
/// protocol; server-side init with primary keys (`-I dtGvp`), TPC-B
/// extended and prepared; the invariant after each; then `-S`, and `-N`
/// (accounts and history move together, tellers and branches stay).
pub(crate) fn pgbench(runtime: &str) {
    with_server(runtime, |port| {
        init(port, &["-i", "-s", "1", "--quiet"]);
        bench(port, &["-M", "simple"]);
        tpcb_invariant(port);

        init(port, &["-i", "-I", "dtGvp", "-s", "1"]);
        bench(port, &["-M", "extended"]);
        tpcb_invariant(port);
        bench(port, &["-n", "-M", "prepared"]);
        tpcb_invariant(port);
        bench(port, &["-n", "-S", "-M", "prepared"]);
        let before = sums(port);
        bench(port, &["-n", "-N", "-M", "prepared"]);
        let after = sums(port);
        assert_eq!(
            after[0] - before[0],
            after[3] - before[3],
            "-N: accounts and history"
        );
        assert_eq!(after[1..3], before[1..3], "-N leaves tellers and branches");

        // `-I p` made the primary keys.
        let err = connect(port)
            .execute("insert into pgbench_accounts values (1, 1, 0, '')", &[])
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNIQUE_VIOLATION), "{err}");
    });
}
