//! Differential test of the COPY formats against a real PostgreSQL 15.
//!
//! A scratch cluster (`twill_testkit::PgCluster`: `--locale=C`, UTF8,
//! TimeZone UTC) holds tables of tricky values. For text, CSV with HEADER,
//! binary, and text/CSV with non-default delimiter, NULL, quote and escape:
//!
//! 1. `COPY … TO STDOUT` on PostgreSQL gives bytes;
//! 2. our decoder turns them into rows, our encoder back into bytes, which
//!    must be identical;
//! 3. PostgreSQL loads our bytes with `COPY … FROM STDIN` into a copy of the
//!    table, which must then equal the original.
//!
//! A second test feeds COPY FROM inputs (good and bad) to PostgreSQL raw and
//! to our decoder: same row count, or same SQLSTATE and message.

use std::io::{Read, Write};

use twill_testkit::PgCluster;
use twill_types::{FormatSettings, oid};

use super::*;

const SETUP: &str = r#"
CREATE TABLE t (i int4, s text, v varchar(5), n numeric, b bool, d date,
                ts timestamptz, y bytea, a int4[], j jsonb);
INSERT INTO t VALUES
 (1, 'plain', 'abc', 1.5, true, '2024-01-02', '2024-01-02 03:04:05.123456+00',
  '\x00ff', '{1,2,3}', '{"a": 1}'),
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (-2147483648, '', '', -0.000001, false, 'infinity', '-infinity', '', '{}', '[]'),
 (0, E'tab\there', E'a\tb', 'NaN', true, '0044-03-15 BC', '1999-12-31 23:59:59.5+05',
  E'\\x0a0d09', '{1,NULL,-3}', '{"k": "v\n\"", "u": "é"}'),
 (42, E'new\nline\r\ncr\rend', 'a,b', 123456789012345678901234567890.123, false,
  '2000-02-29', '2038-01-19 03:14:08+00', '\x5c2e', '{{1,2},{3,4}}', '"str,\\"'),
 (7, E'back\\slash \\N \\.', E'\\.', 0, true, '1970-01-01', 'epoch', '\x5c4e',
  '{-1}', 'null'),
 (8, '"quoted", with comma', 'é☃𝄞', -12.50, false, '2024-12-31', '2024-06-01 12:00:00+02',
  '\x22', '{2147483647}', '{"a": [1, {"b": null}], "c": 1.50}'),
 (9, E'\\N', E'\\N', 1e-20, true, '-infinity', '2024-01-01 00:00:00.000001+00',
  '\x', '{0,0}', '[1, "x\ty", true]'),
 (10, E'\\.', E'\x01\x08\x0b', 3, false, '2024-03-10', '2024-03-10 02:30:00+00',
  '\xdeadbeef', NULL, '{}'),
 (11, E'ctl \x01\x02\x7f', ' ', 100, NULL, NULL, NULL, NULL, '{NULL}', '""');
CREATE TABLE t_back (LIKE t);
CREATE TABLE one (s text);
INSERT INTO one VALUES ('\.'), (''), (NULL), ('x'), (E'\\'), (E'\\.\n');
CREATE TABLE one_back (LIKE one);
"#;

fn columns_of(client: &mut postgres::Client, table: &str) -> Vec<CopyColumn> {
    client
        .query(
            "SELECT attname::text, atttypid::int8, atttypmod FROM pg_attribute \
             WHERE attrelid = $1::text::regclass AND attnum > 0 ORDER BY attnum",
            &[&table],
        )
        .expect("read the columns")
        .iter()
        .map(|r| CopyColumn {
            name: r.get(0),
            ty: r.get::<_, i64>(1) as u32,
            typmod: r.get(2),
        })
        .collect()
}

fn copy_out(client: &mut postgres::Client, sql: &str) -> Vec<u8> {
    let mut out = Vec::new();
    client
        .copy_out(sql)
        .expect("COPY TO")
        .read_to_end(&mut out)
        .expect("read COPY data");
    out
}

#[test]
fn copy_formats_match_postgres_15() {
    let cluster = PgCluster::start();
    let mut client = cluster.connect();
    client.batch_execute(SETUP).expect("set up tables");
    let formats = [
        "FORMAT text",
        "FORMAT csv, HEADER",
        "FORMAT binary",
        "FORMAT text, HEADER, DELIMITER '|', NULL 'nil'",
        "FORMAT csv, QUOTE '''', ESCAPE '\\', NULL '\\N'",
    ];
    for table in ["t", "one"] {
        let columns = columns_of(&mut client, table);
        assert!(columns.iter().any(|c| c.ty == oid::TEXT));
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let types: Vec<_> = columns.iter().map(|c| c.ty).collect();
        for f in formats {
            let options = options_of(f);
            let theirs = copy_out(&mut client, &format!("COPY {table} TO STDOUT ({f})"));

            // Their bytes → our rows, fed in uneven chunks.
            let mut dec = CopyDecoder::new(
                CopyOptions { ..options.clone() },
                columns.clone(),
                FormatSettings::default(),
            );
            let mut rows = Vec::new();
            for chunk in theirs.chunks(7) {
                rows.extend(
                    dec.feed(chunk)
                        .unwrap_or_else(|e| panic!("{table} {f}: {e}")),
                );
            }
            rows.extend(dec.finish().unwrap_or_else(|e| panic!("{table} {f}: {e}")));
            let want_rows = client
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .expect("count")
                .get::<_, i64>(0);
            assert_eq!(rows.len() as i64, want_rows, "{table} {f}");

            // Our rows → our bytes: identical to theirs.
            let mut enc =
                CopyEncoder::new(options.clone(), types.clone(), FormatSettings::default());
            let mut ours = enc.header(&names);
            for r in &rows {
                enc.row(r, &mut ours);
            }
            ours.extend(enc.trailer());
            assert!(
                ours == theirs,
                "{table} ({f}) differs:\n ours: {:?}\ntheirs: {:?}",
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );

            // Our bytes load back into PostgreSQL as the same table.
            client
                .batch_execute(&format!("TRUNCATE {table}_back"))
                .expect("truncate");
            let mut w = client
                .copy_in(&format!("COPY {table}_back FROM STDIN ({f})"))
                .expect("COPY FROM");
            w.write_all(&ours).expect("write COPY data");
            w.finish()
                .unwrap_or_else(|e| panic!("{table} ({f}) load: {e}"));
            let diff: i64 = client
                .query_one(
                    &format!(
                        "SELECT count(*) FROM ((TABLE {table} EXCEPT ALL TABLE {table}_back) \
                         UNION ALL (TABLE {table}_back EXCEPT ALL TABLE {table})) d"
                    ),
                    &[],
                )
                .expect("compare")
                .get(0);
            assert_eq!(diff, 0, "{table} ({f}): reloaded table differs");
        }
    }
}

/// Splits a `WITH (…)` list the way the grammar would (good enough for the
/// literals above) and checks it.
fn options_of(list: &str) -> CopyOptions {
    options_in(list, CopyDirection::To)
}

fn options_in(list: &str, direction: CopyDirection) -> CopyOptions {
    let pairs: Vec<(String, Option<String>)> = list
        .split(", ")
        .map(|item| {
            let (name, value) = item
                .split_once(' ')
                .map_or((item, None), |(n, v)| (n, Some(v)));
            let value = value.map(|v| {
                if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    s.replace("''", "'")
                } else {
                    v.to_ascii_lowercase()
                }
            });
            (name.to_ascii_lowercase(), value)
        })
        .collect();
    CopyOptions::parse(&pairs, direction).expect("valid options")
}

/// COPY FROM inputs, fed to PostgreSQL raw (no psql in between), must load
/// the same rows or fail with the same SQLSTATE and message as ours.
#[test]
fn copy_from_outcomes_match_postgres_15() {
    let cluster = PgCluster::start();
    let mut client = cluster.connect();
    client
        .batch_execute(
            "CREATE TABLE e (a text, b text); CREATE TABLE v (a varchar(3), n int4); \
             CREATE TABLE one (a text); CREATE TABLE z ()",
        )
        .expect("set up tables");
    let text = "FORMAT text";
    let csv = "FORMAT csv";
    let cases: &[(&str, &str, &[u8])] = &[
        ("e", text, b"1\tfoo\\.\n2\tbar\n"),
        ("e", text, b"1\tfoo\n\\."),
        ("e", text, b"1\tfoo\n\\.\ngarbage\t\t\t\n"),
        ("e", text, b"1\tfoo\r\n2\tbar\n"),
        ("e", text, b"1\tfoo\n2\tbar\r\n"),
        ("e", text, b"1\tfoo\r2\tbar\r"),
        ("e", text, b"1\tfoo\r\n\\.\n"),
        ("e", text, b"1\tfoo\n\\.\r\n"),
        ("e", text, b"1\tfo\\xo\\x4a\\101\\n\\N\\\\\n\\N\t\n"),
        ("e", text, b"1\tfoo\\"),
        ("e", text, b"a\\0b\tc\n"),
        ("e", text, b"a\\x00\tc\n"),
        ("e", text, b"1\tfoo\r"),
        ("e", text, b"1\tfoo\r\n2\tbar"),
        ("z", text, b"\n\n"),
        ("z", text, b"x\n"),
        ("z", csv, b"\n"),
        ("e", text, b"1\ta\\\nb\n"),
        ("e", text, b"1\n"),
        ("e", text, b"1\t2\t3\n"),
        ("e", text, b"\n"),
        ("e", text, b"1\tfoo\\.x\n"),
        ("e", text, b"\\xff\tb\n"),
        ("e", "FORMAT text, HEADER", b"a\tb\n1\t2"),
        ("e", "FORMAT text, HEADER MATCH", b"a\tb\tc\n1\t2"),
        ("e", csv, b"1,foo\n\\."),
        ("e", csv, b"1,foo\n\\.\n3,bar\n"),
        ("e", csv, b"1,\"ab\n"),
        ("e", csv, b"1,foo\r\n2,bar\n"),
        ("e", csv, b"1,foo\n2,bar\r\n"),
        (
            "e",
            csv,
            b"1,\"a\"\"b\"\n2,\"\"\n3,\n,4\n1, \"x\" \n1,x\"y\"\n",
        ),
        ("e", csv, b"1,\"x\ny\"\n2,\"a\r\nb\"\n"),
        ("e", "FORMAT csv, HEADER MATCH", b"a,c\n1,2\n"),
        ("e", "FORMAT csv, HEADER MATCH", b"a,\n1,2\n"),
        ("e", "FORMAT csv, HEADER MATCH", b""),
        ("e", "FORMAT csv, ESCAPE '\\'", b"\"x\\\"y\\\\z\\n\",\n"),
        ("one", csv, b"\\.x\n\"\\.\"\n\\.\nignored\n"),
        ("v", text, b"abcd\t1\n"),
        ("v", text, b"abc  \t1\n"),
        ("v", text, b"ab\tx\n"),
        ("v", text, b"ab\t99999999999\n"),
        ("v", "FORMAT binary", b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0"),
        (
            "v",
            "FORMAT binary",
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\0\x03",
        ),
        (
            "v",
            "FORMAT binary",
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\0\x02\0\0\0\x04abcd\0\0\0\x04\0\0\0\x01",
        ),
        (
            "v",
            "FORMAT binary",
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\0\x02\xff\xff\xff\xff\0\0\0\x04\0\0\0\x07\xff\xff",
        ),
        (
            "v",
            "FORMAT binary",
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\0\x02\0\0\0\x01a\0\0",
        ),
        (
            "v",
            "FORMAT binary",
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\xff\xffx",
        ),
        ("v", "FORMAT binary", b"PGCOPY\n\xff\r\n\0\0\x01\0\0\0\0\0"),
    ];
    let mut failures = Vec::new();
    for (table, f, input) in cases {
        let columns = columns_of(&mut client, table);
        let options = options_in(f, CopyDirection::From);
        client
            .batch_execute(&format!("TRUNCATE {table}"))
            .expect("truncate");
        let theirs: Result<i64, (String, String)> = (|| {
            let mut w = client.copy_in(&format!("COPY {table} FROM STDIN ({f})"))?;
            w.write_all(input).expect("buffer COPY data");
            w.finish().map(|n| n as i64)
        })()
        .map_err(|e: postgres::Error| {
            let db = e.as_db_error().expect("a server error");
            (db.code().code().to_owned(), db.message().to_owned())
        });
        let mut dec = CopyDecoder::new(options, columns, FormatSettings::default());
        let ours = dec
            .feed(input)
            .and_then(|mut rows| {
                rows.extend(dec.finish()?);
                Ok(rows.len() as i64)
            })
            .map_err(|e| (e.code.code().to_owned(), e.message));
        if ours != theirs {
            failures.push(format!(
                "{table} ({f}) {:?}: ours {ours:?}, theirs {theirs:?}",
                String::from_utf8_lossy(input)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
