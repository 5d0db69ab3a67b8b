//! Session behaviour: streaming portals, cursors, COPY.

use twill_types::Value;

use super::{Batch, Database, Output, Session, TxStatus};

fn session() -> Session {
    Database::open("memory://")
        .expect("memory database")
        .connect("test", &[])
        .expect("session")
}

/// Runs SQL that must succeed.
fn ok(s: &mut Session, sql: &str) -> Vec<Output> {
    let out = s.simple_query(sql);
    if let Some(Output::Error(e)) = out.iter().find(|o| matches!(o, Output::Error(_))) {
        panic!("{sql}: {e:?}");
    }
    out
}

/// The error code of SQL that must fail.
fn err(s: &mut Session, sql: &str) -> String {
    let out = s.simple_query(sql);
    match out.last() {
        Some(Output::Error(e)) => e.code.code().to_owned(),
        other => panic!("{sql}: expected an error, got {other:?}"),
    }
}

fn rows(out: &[Output]) -> Vec<Vec<Value>> {
    out.iter()
        .filter_map(|o| match o {
            Output::Rows(r) => Some(r.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn ints(out: &[Output]) -> Vec<i64> {
    rows(out)
        .iter()
        .map(|r| match &r[0] {
            Value::Int4(i) => i64::from(*i),
            Value::Int8(i) => *i,
            other => panic!("not an int: {other:?}"),
        })
        .collect()
}

fn tags(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Output::Complete(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn table(s: &mut Session, n: i64) {
    ok(s, "create table t (id int primary key, v text)");
    ok(
        s,
        &format!("insert into t select g, 'v' || g from generate_series(1, {n}) g"),
    );
}

#[test]
fn execute_suspends_and_resumes() {
    let mut s = session();
    table(&mut s, 5);
    s.parse("", "select id from t order by id", &[])
        .expect("parse");
    s.bind("p", "", Vec::new()).expect("bind");
    let b = s.execute("p", 2);
    assert_eq!(ints(&b.outputs), vec![1, 2]);
    assert_eq!(b.outputs.last(), Some(&Output::Suspended));
    let b = s.execute("p", 2);
    assert_eq!(ints(&b.outputs), vec![3, 4]);
    assert_eq!(b.outputs.last(), Some(&Output::Suspended));
    let b = s.execute("p", 2);
    assert_eq!(ints(&b.outputs), vec![5]);
    assert_eq!(tags(&b.outputs), vec!["SELECT 1"]);
    // Exactly the limit: suspended, then an empty completion, as PostgreSQL.
    s.bind("q", "", Vec::new()).expect("bind");
    assert_eq!(s.execute("q", 5).outputs.last(), Some(&Output::Suspended));
    assert_eq!(tags(&s.execute("q", 5).outputs), vec!["SELECT 0"]);
    // The unnamed portal dies at Sync; named ones too outside a block.
    s.sync().expect("sync");
    assert!(matches!(
        s.execute("q", 0).outputs.last(),
        Some(Output::Error(_))
    ));
}

#[test]
fn named_portals_survive_sync_in_a_block() {
    let mut s = session();
    table(&mut s, 3);
    ok(&mut s, "begin");
    s.parse("st", "select id from t order by id", &[])
        .expect("parse");
    s.bind("p", "st", Vec::new()).expect("bind");
    assert_eq!(ints(&s.execute("p", 1).outputs), vec![1]);
    assert_eq!(s.sync(), Ok(TxStatus::InBlock));
    assert_eq!(ints(&s.execute("p", 0).outputs), vec![2, 3]);
    ok(&mut s, "commit");
    assert!(matches!(
        s.execute("p", 0).outputs.last(),
        Some(Output::Error(_))
    ));
}

#[test]
fn simple_query_streams_in_batches() {
    let mut s = session();
    let first = s.query("select g from generate_series(1, 2500) g; select 7");
    assert!(first.more);
    assert_eq!(ints(&first.outputs).len(), 1000);
    let mut all = first.outputs;
    let mut batches = 1;
    loop {
        let mut b: Batch = s.fetch();
        batches += 1;
        all.append(&mut b.outputs);
        if !b.more {
            break;
        }
    }
    assert!(batches >= 3);
    let n = ints(&all);
    assert_eq!(n.len(), 2501);
    assert_eq!(n[2499], 2500);
    assert_eq!(n[2500], 7);
    assert_eq!(tags(&all), vec!["SELECT 2500", "SELECT 1"]);
}

#[test]
fn errors_mid_stream_end_the_query() {
    let mut s = session();
    let out = s.simple_query("select 1 / (g - 1500) from generate_series(1, 2000) g; select 1");
    assert!(matches!(out.last(), Some(Output::Error(_))));
    assert_eq!(tags(&out), Vec::<String>::new());
    assert_eq!(s.status(), TxStatus::Idle);
}

#[test]
fn cursor_fetch_move_close() {
    let mut s = session();
    table(&mut s, 10);
    assert_eq!(err(&mut s, "declare c cursor for select 1"), "25P01");
    ok(&mut s, "begin");
    ok(&mut s, "declare c cursor for select id from t order by id");
    assert_eq!(err(&mut s, "declare c cursor for select 1"), "42P03");
    ok(&mut s, "rollback");
    ok(&mut s, "begin");
    ok(&mut s, "declare c cursor for select id from t order by id");
    let out = ok(&mut s, "fetch 2 from c");
    assert_eq!(ints(&out), vec![1, 2]);
    assert_eq!(tags(&out), vec!["FETCH 2"]);
    assert_eq!(tags(&ok(&mut s, "move forward 3 in c")), vec!["MOVE 3"]);
    assert_eq!(ints(&ok(&mut s, "fetch next from c")), vec![6]);
    assert_eq!(ints(&ok(&mut s, "fetch c")), vec![7]);
    assert_eq!(err(&mut s, "fetch prior from c"), "55000");
    ok(&mut s, "rollback");
    ok(&mut s, "begin");
    ok(
        &mut s,
        "declare c scroll cursor for select id from t order by id",
    );
    assert_eq!(ints(&ok(&mut s, "fetch last from c")), vec![10]);
    assert_eq!(ints(&ok(&mut s, "fetch prior from c")), vec![9]);
    assert_eq!(ints(&ok(&mut s, "fetch first from c")), vec![1]);
    assert_eq!(ints(&ok(&mut s, "fetch absolute 4 from c")), vec![4]);
    assert_eq!(ints(&ok(&mut s, "fetch relative -2 from c")), vec![2]);
    assert_eq!(ints(&ok(&mut s, "fetch backward 5 from c")), vec![1]);
    assert_eq!(ints(&ok(&mut s, "fetch forward 2 from c")), vec![1, 2]);
    assert_eq!(ints(&ok(&mut s, "fetch backward all from c")), vec![1]);
    assert_eq!(tags(&ok(&mut s, "move last in c")), vec!["MOVE 1"]);
    assert_eq!(tags(&ok(&mut s, "fetch next from c")), vec!["FETCH 0"]);
    assert_eq!(ints(&ok(&mut s, "fetch -2 from c")), vec![10, 9]);
    let out = ok(&mut s, "close c");
    assert!(out.contains(&Output::PortalsClosed(Some("c".into()))));
    assert_eq!(err(&mut s, "fetch c"), "34000");
    assert_eq!(err(&mut s, "close c"), "25P02");
    ok(&mut s, "rollback");
    assert_eq!(err(&mut s, "close c"), "34000");
    assert_eq!(err(&mut s, "move next in c"), "34000");
}

#[test]
fn with_hold_cursors_survive_commit() {
    let mut s = session();
    table(&mut s, 4);
    ok(
        &mut s,
        "declare h cursor with hold for select id from t order by id",
    );
    assert_eq!(ints(&ok(&mut s, "fetch 1 from h")), vec![1]);
    ok(&mut s, "begin");
    ok(
        &mut s,
        "declare h2 cursor with hold for select id from t order by id",
    );
    ok(&mut s, "declare w cursor for select 1");
    assert_eq!(ints(&ok(&mut s, "fetch 1 from h2")), vec![1]);
    ok(&mut s, "commit");
    assert_eq!(err(&mut s, "fetch w"), "34000");
    assert_eq!(ints(&ok(&mut s, "fetch all from h2")), vec![2, 3, 4]);
    assert_eq!(ints(&ok(&mut s, "fetch all from h")), vec![2, 3, 4]);
    ok(&mut s, "begin");
    ok(&mut s, "declare h3 cursor with hold for select 1");
    ok(&mut s, "rollback");
    assert_eq!(err(&mut s, "fetch h3"), "34000");
    // Held cursors survive a later rollback.
    assert_eq!(tags(&ok(&mut s, "fetch h")), vec!["FETCH 0"]);
    ok(&mut s, "close all");
    assert_eq!(err(&mut s, "fetch h"), "34000");
}

#[test]
fn declared_cursor_is_a_portal() {
    let mut s = session();
    table(&mut s, 3);
    ok(&mut s, "begin");
    ok(
        &mut s,
        "declare c cursor for select id, v from t order by id",
    );
    let cols = s.describe_portal("c").expect("describe").expect("columns");
    assert_eq!(cols.len(), 2);
    let b = s.execute("c", 2);
    assert_eq!(ints(&b.outputs), vec![1, 2]);
    assert_eq!(b.outputs.last(), Some(&Output::Suspended));
    assert_eq!(ints(&ok(&mut s, "fetch all from c")), vec![3]);
    let p = s.parse("f", "fetch 1 from c", &[]).expect("parse");
    assert_eq!(p.columns.map(|c| c.len()), Some(2));
}

/// Runs a COPY FROM with `data` cut into pieces of `chunk` bytes.
fn copy_in(s: &mut Session, sql: &str, data: &[u8], chunk: usize) -> Vec<Output> {
    let first = s.query(sql);
    assert!(
        matches!(first.outputs.last(), Some(Output::CopyIn { .. })),
        "{:?}",
        first.outputs
    );
    for piece in data.chunks(chunk.max(1)) {
        if let Err(e) = s.copy_data(piece) {
            return vec![Output::Error(e)];
        }
    }
    let mut b = s.copy_done();
    let mut out = std::mem::take(&mut b.outputs);
    while b.more {
        b = s.fetch();
        out.append(&mut b.outputs);
    }
    out
}

fn copy_out(s: &mut Session, sql: &str) -> Vec<u8> {
    let out = ok(s, sql);
    assert!(matches!(out.first(), Some(Output::CopyOut { .. })));
    assert!(out.contains(&Output::CopyDone));
    out.iter()
        .filter_map(|o| match o {
            Output::CopyData(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn copy_round_trips_in_every_format() {
    for (format, chunk) in [("text", 1), ("csv", 3), ("binary", 7), ("text", 1000)] {
        let mut s = session();
        ok(
            &mut s,
            "create table src (id int, v text, n numeric); \
             insert into src values (1, 'a\tb', 1.5), (2, null, null), (3, 'x,\"y\"', -2)",
        );
        ok(&mut s, "create table dst (id int, v text, n numeric)");
        let data = copy_out(
            &mut s,
            &format!("copy src to stdout with (format {format})"),
        );
        let out = copy_in(
            &mut s,
            &format!("copy dst from stdin with (format {format}); select count(*) from dst"),
            &data,
            chunk,
        );
        assert_eq!(tags(&out), vec!["COPY 3", "SELECT 1"], "{format}");
        assert_eq!(ints(&out), vec![3]);
        let a = rows(&ok(&mut s, "select * from src order by id"));
        let b = rows(&ok(&mut s, "select * from dst order by id"));
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn copy_from_applies_defaults_and_checks() {
    let mut s = session();
    ok(
        &mut s,
        "create table d (id int not null, v text default 'dflt', c int check (c > 0))",
    );
    let out = copy_in(&mut s, "copy d (id, c) from stdin", b"1\t5\n2\t6\n", 4);
    assert_eq!(tags(&out), vec!["COPY 2"]);
    let r = rows(&ok(&mut s, "select v from d order by id"));
    assert_eq!(r, vec![vec![Value::Text("dflt".into())]; 2]);
    // A bad row mid-stream rolls the whole COPY back.
    let out = copy_in(
        &mut s,
        "copy d (id, c) from stdin",
        b"3\t1\n4\t-1\n5\t1\n",
        5,
    );
    assert!(matches!(out.last(), Some(Output::Error(e)) if e.code.code() == "23514"));
    assert_eq!(ints(&ok(&mut s, "select count(*) from d")), vec![2]);
    // In a block the block fails.
    ok(&mut s, "begin");
    let out = copy_in(&mut s, "copy d from stdin", b"x\n", 1);
    assert!(matches!(out.last(), Some(Output::Error(_))));
    assert_eq!(s.status(), TxStatus::Failed);
    ok(&mut s, "rollback");
    // CopyFail aborts.
    let _ = s.query("copy d from stdin; select 1");
    s.copy_data(b"9\tz\t1\n").expect("data");
    let b = s.copy_fail(super::SqlError::new(
        twill_types::SqlState::QUERY_CANCELED,
        "COPY from stdin failed: no",
    ));
    assert!(matches!(b.outputs.last(), Some(Output::Error(_))));
    assert!(!b.more);
    assert_eq!(ints(&ok(&mut s, "select count(*) from d")), vec![2]);
}

#[test]
fn copy_errors() {
    let mut s = session();
    ok(
        &mut s,
        "create table e (a int); create view ev as select * from e",
    );
    assert_eq!(err(&mut s, "copy nope from stdin"), "42P01");
    assert_eq!(err(&mut s, "copy e (zz) from stdin"), "42703");
    assert_eq!(err(&mut s, "copy ev from stdin"), "42809");
    assert_eq!(err(&mut s, "copy ev to stdout"), "42809");
    assert_eq!(err(&mut s, "copy e from '/etc/passwd'"), "42501");
    let out = ok(&mut s, "copy (select a from ev) to stdout");
    assert_eq!(tags(&out), vec!["COPY 0"]);
    // FREEZE is accepted.
    let out = copy_in(&mut s, "copy e from stdin with (freeze on)", b"1\n", 1);
    assert_eq!(tags(&out), vec!["COPY 1"]);
}

#[test]
fn copy_through_execute() {
    let mut s = session();
    ok(&mut s, "create table x (a int, b text)");
    s.parse("", "copy x from stdin with (format csv, header)", &[])
        .expect("parse");
    s.bind("", "", Vec::new()).expect("bind");
    let b = s.execute("", 0);
    assert!(matches!(
        b.outputs.last(),
        Some(Output::CopyIn { columns: 2, .. })
    ));
    s.copy_data(b"a,b\n1,\"x\"\"y\"\n2,").expect("data");
    s.copy_data(b"\n").expect("data");
    let b = s.copy_done();
    assert_eq!(tags(&b.outputs), vec!["COPY 2"]);
    assert!(!b.more);
    s.sync().expect("sync");
    let r = rows(&ok(&mut s, "select b from x order by a"));
    assert_eq!(r, vec![vec![Value::Text("x\"y".into())], vec![Value::Null]]);
    s.parse("", "copy (select a from x order by a) to stdout", &[])
        .expect("parse");
    s.bind("", "", Vec::new()).expect("bind");
    let b = s.execute("", 0);
    let data: Vec<Output> = b
        .outputs
        .into_iter()
        .filter(|o| matches!(o, Output::CopyData(_)))
        .collect();
    assert_eq!(
        data,
        vec![
            Output::CopyData(b"1\n".to_vec()),
            Output::CopyData(b"2\n".to_vec())
        ]
    );
}

#[test]
fn declare_with_parameters() {
    let mut s = session();
    ok(&mut s, "begin");
    s.parse(
        "",
        "declare c cursor for select g + $1 from generate_series(1, 3) g",
        &[twill_types::oid::INT4],
    )
    .expect("parse");
    s.bind("", "", vec![Value::Int4(10)]).expect("bind");
    assert_eq!(tags(&s.execute("", 0).outputs), vec!["DECLARE CURSOR"]);
    s.sync().expect("sync");
    assert_eq!(ints(&ok(&mut s, "fetch all from c")), vec![11, 12, 13]);
}

#[test]
fn plans_follow_ddl() {
    let mut s = session();
    ok(&mut s, "CREATE TABLE p (id int PRIMARY KEY, v text)");
    ok(&mut s, "INSERT INTO p VALUES (1, 'a')");
    // A prepared statement survives ALTER TABLE (the table's OID changes).
    s.parse("q", "SELECT v FROM p WHERE id = $1", &[])
        .expect("parse");
    ok(&mut s, "ALTER TABLE p ADD COLUMN w int DEFAULT 7");
    s.bind("", "q", vec![Value::Int4(1)]).expect("bind");
    let out = s.execute("", 0).outputs;
    assert_eq!(rows(&out), vec![vec![Value::Text("a".into())]], "{out:?}");
    s.sync().expect("sync");
    // The text-cached plan of a simple query sees a dropped and re-created table.
    let q = "SELECT count(*) FROM p";
    assert_eq!(rows(&ok(&mut s, q)), vec![vec![Value::Int8(1)]]);
    ok(
        &mut s,
        "DROP TABLE p; CREATE TABLE p (id int PRIMARY KEY, v text)",
    );
    assert_eq!(rows(&ok(&mut s, q)), vec![vec![Value::Int8(0)]]);
    // A cached simple query may change its columns: it is a new query.
    let all = "SELECT * FROM p";
    ok(&mut s, all);
    ok(&mut s, "ALTER TABLE p ADD COLUMN extra int");
    let cols = ok(&mut s, all);
    assert!(
        cols.iter()
            .any(|o| matches!(o, Output::Columns(c) if c.len() == 3)),
        "{cols:?}"
    );
    ok(&mut s, "ALTER TABLE p DROP COLUMN extra");
    // A new index is used at once (a new definition version).
    ok(
        &mut s,
        "CREATE INDEX p_v ON p (v); INSERT INTO p VALUES (2, 'b')",
    );
    assert_eq!(
        rows(&ok(&mut s, "SELECT id FROM p WHERE v = 'b'")),
        vec![vec![Value::Int4(2)]]
    );
    // A prepared statement whose result columns would change is refused.
    s.parse("star", "SELECT * FROM p", &[]).expect("parse");
    ok(&mut s, "ALTER TABLE p ADD COLUMN z int");
    s.bind("", "star", vec![]).expect("bind");
    let out = s.execute("", 0).outputs;
    assert!(
        matches!(out.last(), Some(Output::Error(e)) if e.code.code() == "0A000"),
        "{out:?}"
    );
    s.sync().expect("sync");
}

#[test]
fn explain_shows_access_paths() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE e (id int PRIMARY KEY, k int, v text); CREATE INDEX e_k ON e (k); \
         CREATE TABLE f (id int PRIMARY KEY, eid int)",
    );
    let plan = |s: &mut Session, sql: &str| -> String {
        rows(&ok(s, sql))
            .into_iter()
            .map(|r| match &r[0] {
                Value::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let p = plan(&mut s, "EXPLAIN SELECT v FROM e WHERE id = 3");
    assert!(p.contains("Index Scan using e_pkey on e"), "{p}");
    let p = plan(&mut s, "EXPLAIN SELECT v FROM e WHERE k = 3");
    assert!(p.contains("Index Scan using e_k on e"), "{p}");
    let p = plan(
        &mut s,
        "EXPLAIN SELECT count(*) FROM e JOIN f ON f.eid = e.id GROUP BY e.k",
    );
    assert!(
        p.contains("HashAggregate") && p.contains("Hash Join"),
        "{p}"
    );
    let p = plan(&mut s, "EXPLAIN UPDATE e SET v = 'x' WHERE id = 1");
    assert!(p.starts_with("Update on e") && p.contains("e_pkey"), "{p}");
    assert_eq!(err(&mut s, "EXPLAIN ANALYZE SELECT 1"), "0A000");
}

#[test]
fn grouping_sets_rollup_cube() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE g (a text, b text, n int); \
         INSERT INTO g VALUES ('x', 'p', 1), ('x', 'q', 2), ('y', 'p', 3), ('y', 'q', 4)",
    );
    let cube = rows(&ok(
        &mut s,
        "SELECT a, b, sum(n), GROUPING(a, b) FROM g GROUP BY CUBE (a, b)",
    ));
    assert_eq!(cube.len(), 9, "{cube:?}");
    let total = cube
        .iter()
        .find(|r| r[0].is_null() && r[1].is_null())
        .expect("the () set");
    assert_eq!(total[2], Value::Int8(10));
    assert_eq!(total[3], Value::Int4(3));
    let rollup = rows(&ok(&mut s, "SELECT a, count(*) FROM g GROUP BY ROLLUP (a)"));
    assert_eq!(rollup.len(), 3, "{rollup:?}");
    // The empty set answers one row even with no input.
    let empty = rows(&ok(
        &mut s,
        "SELECT count(*) FROM g WHERE false GROUP BY GROUPING SETS ((a), ())",
    ));
    assert_eq!(empty, vec![vec![Value::Int8(0)]]);
    assert_eq!(err(&mut s, "SELECT GROUPING(n) FROM g GROUP BY a"), "42803");
}

#[test]
fn whole_row_references() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE w (id int, name text); INSERT INTO w VALUES (1, 'a b'), (2, NULL)",
    );
    let r = rows(&ok(&mut s, "SELECT row_to_json(w) FROM w WHERE id = 1"));
    assert_eq!(
        r,
        vec![vec![Value::Json(r#"{"id":1,"name":"a b"}"#.into())]]
    );
    let r = rows(&ok(
        &mut s,
        "SELECT json_agg(t ORDER BY id)::text FROM (SELECT id, name FROM w) t",
    ));
    assert_eq!(
        r,
        vec![vec![Value::Text(
            "[{\"id\":1,\"name\":\"a b\"}, \n {\"id\":2,\"name\":null}]".into()
        )]]
    );
    let r = rows(&ok(&mut s, "SELECT to_jsonb(w) FROM w WHERE id = 2"));
    assert_eq!(
        r,
        vec![vec![Value::Jsonb(r#"{"id": 2, "name": null}"#.into())]]
    );
    // As a value, a row prints in record_out's form.
    let out = ok(&mut s, "SELECT w FROM w ORDER BY id");
    let text: Vec<String> = rows(&out)
        .iter()
        .map(|r| r[0].to_text(&twill_types::FormatSettings::default()))
        .collect();
    assert_eq!(text, vec![r#"(1,"a b")"#.to_owned(), "(2,)".to_owned()]);
}

#[test]
fn deallocate_and_regclass_parameters() {
    let mut s = session();
    ok(&mut s, "CREATE TABLE r (id int)");
    s.parse("a", "SELECT 1", &[]).expect("parse");
    s.parse("b", "SELECT 2", &[]).expect("parse");
    let out = ok(&mut s, "DEALLOCATE a");
    assert!(
        out.contains(&Output::Deallocated(Some("a".into()))),
        "{out:?}"
    );
    assert_eq!(err(&mut s, "DEALLOCATE a"), "26000");
    let out = ok(&mut s, "DEALLOCATE ALL");
    assert!(
        out.contains(&Output::Complete("DEALLOCATE ALL".into())),
        "{out:?}"
    );
    assert!(s.describe_statement("b").is_err());
    // A regclass parameter given by name, as SQLAlchemy sends it.
    s.parse("q", "SELECT CAST($1 AS REGCLASS) = 'r'::regclass", &[])
        .expect("parse");
    s.bind("", "q", vec![Value::Text("r".into())])
        .expect("bind");
    let out = s.execute("", 0).outputs;
    assert_eq!(rows(&out), vec![vec![Value::Bool(true)]], "{out:?}");
    s.sync().expect("sync");
    s.bind("", "q", vec![Value::Text("pg_catalog.pg_class".into())])
        .expect("bind");
    let out = s.execute("", 0).outputs;
    assert_eq!(rows(&out), vec![vec![Value::Bool(false)]], "{out:?}");
    s.sync().expect("sync");
    assert!(s.bind("", "q", vec![Value::Text("nope".into())]).is_err());
    s.sync().expect("sync");
}

#[test]
fn unique_violations_name_the_key() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE u (id int PRIMARY KEY, code text UNIQUE); INSERT INTO u VALUES (1, 'a')",
    );
    for (sql, detail) in [
        (
            "INSERT INTO u VALUES (1, 'b')",
            "Key (id)=(1) already exists.",
        ),
        (
            "INSERT INTO u VALUES (2, 'a')",
            "Key (code)=(a) already exists.",
        ),
    ] {
        let out = s.simple_query(sql);
        match out.last() {
            Some(Output::Error(e)) => {
                assert_eq!(e.code.code(), "23505");
                assert_eq!(e.detail.as_deref(), Some(detail), "{sql}");
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
    ok(&mut s, "INSERT INTO u VALUES (2, 'b')");
    let out = s.simple_query("UPDATE u SET code = 'a' WHERE id = 2");
    assert!(
        matches!(out.last(), Some(Output::Error(e)) if e.detail.as_deref() == Some("Key (code)=(a) already exists.")),
        "{out:?}"
    );
}
