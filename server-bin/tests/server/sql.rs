//! Queries in both protocols, every common type in text and binary, a
//! pipeline, row-limited portals and COPY.

use ::std::error::Error;
use ::std::io::{Read, Write};

use bytes::BytesMut;
use postgres::SimpleQueryMessage;
use postgres::error::SqlState;
use postgres::types::{Format, FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::{block_on, connect, connect_async, with_server};

/// CREATE TABLE, INSERT, and SELECT with typed and untyped parameters
/// (the extended protocol), plus the simple protocol.
pub(crate) fn sql(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client
            .batch_execute("create table t (id int primary key, name text, score bigint)")
            .unwrap();
        let n = client
            .execute(
                "insert into t values (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)",
                &[],
            )
            .unwrap();
        assert_eq!(n, 3);
        // Untyped parameters: the server infers int4, text, int8.
        let n = client
            .execute("insert into t values ($1, $2, $3)", &[&4i32, &"d", &40i64])
            .unwrap();
        assert_eq!(n, 1);

        // A typed parameter, and the prepared statement used twice.
        let by_id = client
            .prepare_typed("select name from t where id = $1", &[Type::INT4])
            .unwrap();
        assert_eq!(by_id.params(), &[Type::INT4]);
        let row = client.query_one(&by_id, &[&2i32]).unwrap();
        assert_eq!(row.get::<_, String>(0), "b");
        let row = client.query_one(&by_id, &[&4i32]).unwrap();
        assert_eq!(row.get::<_, String>(0), "d");

        // An untyped parameter compared with a bigint column.
        let rows = client
            .query(
                "select id, score from t where score > $1 order by id",
                &[&15i64],
            )
            .unwrap();
        let got: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, vec![(2, 20), (3, 30), (4, 40)]);

        // The simple protocol: text results.
        let messages = client.simple_query("select count(*) from t").unwrap();
        let count = messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .expect("a count row");
        assert_eq!(count, "4");
    });
}

/// An error (42P01) does not end the session: the next query works, in
/// both protocols.
pub(crate) fn error_then_recovery(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        let err = client
            .query("select * from no_such_table", &[])
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
        let row = client.query_one("select 1 + $1::int4", &[&41i32]).unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);

        let err = client
            .batch_execute("select * from no_such_table")
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
        let messages = client.simple_query("select 'still here'").unwrap();
        assert!(messages.iter().any(|m| matches!(m,
                SimpleQueryMessage::Row(row) if row.get(0) == Some("still here"))));
    });
}

/// A value in the binary wire format, sent and received as raw bytes, so
/// the test states the encoding itself instead of trusting a driver's.
#[derive(Debug, PartialEq)]
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Raw, Box<dyn Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

impl ToSql for Raw {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// A parameter sent in the *text* format (the drivers send binary).
#[derive(Debug)]
struct Text(&'static str);

impl ToSql for Text {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    fn encode_format(&self, _: &Type) -> Format {
        Format::Text
    }
    to_sql_checked!();
}

/// One type: a literal, its text output, and its binary encoding.
struct TypeCase {
    /// The SQL type name in casts.
    sql: &'static str,
    /// The driver's name of the type (the result column's type).
    wire: Type,
    /// What the test writes.
    input: &'static str,
    /// What PostgreSQL prints for it.
    text: &'static str,
    /// PostgreSQL's binary send format for it.
    binary: Vec<u8>,
}

fn be16(v: i16) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}
fn be32(v: i32) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}
fn be64(v: i64) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// A one-dimensional array in the binary format (`None` is NULL).
fn array(elem_oid: u32, elems: &[Option<&[u8]>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(be32(1)); // dimensions
    out.extend(be32(elems.iter().any(Option::is_none) as i32)); // has nulls
    out.extend((elem_oid as i32).to_be_bytes());
    out.extend(be32(elems.len() as i32)); // length
    out.extend(be32(1)); // lower bound
    for elem in elems {
        match elem {
            Some(bytes) => {
                out.extend(be32(bytes.len() as i32));
                out.extend_from_slice(bytes);
            }
            None => out.extend(be32(-1)),
        }
    }
    out
}

fn type_cases() -> Vec<TypeCase> {
    let case = |sql, wire, input, text, binary| TypeCase {
        sql,
        wire,
        input,
        text,
        binary,
    };
    let mut numeric = Vec::new();
    // 12345.678 = 1 | 2345 . 6780: 3 base-10000 digits, weight 1, dscale 3.
    for v in [3i16, 1, 0, 3, 1, 2345, 6780] {
        numeric.extend(be16(v));
    }
    let mut interval = be64(((4 * 60 + 5) * 60 + 6) * 1_000_000 + 500_000);
    interval.extend(be32(3)); // days
    interval.extend(be32(14)); // months
    let uuid: Vec<u8> = (0..16)
        .map(|i| {
            u8::from_str_radix(&"a0eebc999c0b4ef8bb6d6bb9bd380a11"[2 * i..2 * i + 2], 16).unwrap()
        })
        .collect();
    let mut jsonb = vec![1u8];
    jsonb.extend_from_slice(br#"{"a": [1, 2], "b": 1}"#);
    vec![
        case("int2", Type::INT2, "12345", "12345", be16(12345)),
        case("int2", Type::INT2, "-32768", "-32768", be16(i16::MIN)),
        case(
            "int4",
            Type::INT4,
            "123456789",
            "123456789",
            be32(123_456_789),
        ),
        case(
            "int4",
            Type::INT4,
            "-2147483648",
            "-2147483648",
            be32(i32::MIN),
        ),
        case(
            "int8",
            Type::INT8,
            "9000000000",
            "9000000000",
            be64(9_000_000_000),
        ),
        case(
            "float4",
            Type::FLOAT4,
            "1.5",
            "1.5",
            1.5f32.to_be_bytes().to_vec(),
        ),
        case(
            "float8",
            Type::FLOAT8,
            "3.25",
            "3.25",
            3.25f64.to_be_bytes().to_vec(),
        ),
        case(
            "float8",
            Type::FLOAT8,
            "1.5e300",
            "1.5e+300",
            1.5e300f64.to_be_bytes().to_vec(),
        ),
        case("numeric", Type::NUMERIC, "12345.678", "12345.678", numeric),
        case(
            "text",
            Type::TEXT,
            "hello, world",
            "hello, world",
            b"hello, world".to_vec(),
        ),
        case(
            "varchar",
            Type::VARCHAR,
            "héllo",
            "héllo",
            "héllo".as_bytes().to_vec(),
        ),
        case("bool", Type::BOOL, "true", "t", vec![1]),
        case("bool", Type::BOOL, "false", "f", vec![0]),
        case(
            "bytea",
            Type::BYTEA,
            "\\x00ff10",
            "\\x00ff10",
            vec![0, 0xff, 0x10],
        ),
        // Days since 2000-01-01.
        case("date", Type::DATE, "2024-02-29", "2024-02-29", be32(8825)),
        // Microseconds since 2000-01-01 00:00.
        case(
            "timestamp",
            Type::TIMESTAMP,
            "2024-02-29 12:34:56.789",
            "2024-02-29 12:34:56.789",
            be64(762_525_296_789_000),
        ),
        // The same instant; the session's TimeZone is UTC.
        case(
            "timestamptz",
            Type::TIMESTAMPTZ,
            "2024-02-29 14:34:56.789+02",
            "2024-02-29 12:34:56.789+00",
            be64(762_525_296_789_000),
        ),
        case(
            "interval",
            Type::INTERVAL,
            "1 year 2 mons 3 days 04:05:06.5",
            "1 year 2 mons 3 days 04:05:06.5",
            interval,
        ),
        case(
            "uuid",
            Type::UUID,
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            uuid,
        ),
        case(
            "json",
            Type::JSON,
            r#"{"b": 1, "a": [1, 2]}"#,
            r#"{"b": 1, "a": [1, 2]}"#,
            br#"{"b": 1, "a": [1, 2]}"#.to_vec(),
        ),
        // jsonb is stored decomposed: keys sorted, duplicates gone; its
        // binary form is a version byte and the text.
        case(
            "jsonb",
            Type::JSONB,
            r#"{"b": 1, "a": [1,  2]}"#,
            r#"{"a": [1, 2], "b": 1}"#,
            jsonb,
        ),
        case(
            "int4[]",
            Type::INT4_ARRAY,
            "{1,2,NULL,4}",
            "{1,2,NULL,4}",
            array(23, &[Some(&be32(1)), Some(&be32(2)), None, Some(&be32(4))]),
        ),
        case(
            "text[]",
            Type::TEXT_ARRAY,
            r#"{a,"b c",NULL,"\"q\""}"#,
            r#"{a,"b c",NULL,"\"q\""}"#,
            array(25, &[Some(b"a"), Some(b"b c"), None, Some(b"\"q\"")]),
        ),
    ]
}

/// Every common type through every path: a literal in the simple protocol
/// (text result), the same literal in the extended protocol (binary
/// result), a binary parameter and a text parameter (binary result), a
/// binary parameter cast to text, and a table column written with
/// parameters and read back in both formats; then the driver's own Rust
/// types for those it has.
pub(crate) fn types(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client.batch_execute("set time zone 'UTC'").unwrap();
        for case in type_cases() {
            let TypeCase {
                sql,
                wire,
                input,
                text,
                binary,
            } = &case;
            let what = format!("{sql} {input:?}");
            let literal = format!("'{}'::{sql}", input.replace('\'', "''"));

            let simple = client.simple_query(&format!("select {literal}")).unwrap();
            let got = simple.iter().find_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row.get(0).map(str::to_string)),
                _ => None,
            });
            assert_eq!(got, Some(Some(text.to_string())), "text result of {what}");

            let row = client.query_one(&format!("select {literal}"), &[]).unwrap();
            assert_eq!(row.columns()[0].type_(), wire, "result type of {what}");
            assert_eq!(row.get::<_, Raw>(0).0, *binary, "binary result of {what}");

            let cast = format!("select $1::{sql}");
            let row = client.query_one(&cast, &[&Raw(binary.clone())]).unwrap();
            assert_eq!(
                row.get::<_, Raw>(0).0,
                *binary,
                "binary parameter of {what}"
            );
            let row = client.query_one(&cast, &[&Text(input)]).unwrap();
            assert_eq!(row.get::<_, Raw>(0).0, *binary, "text parameter of {what}");
            let row = client
                .query_one(&format!("select $1::{sql}::text"), &[&Raw(binary.clone())])
                .unwrap();
            // bool is the one type whose cast to text is not its output
            // ('true', not 't').
            let as_text = if *sql == "bool" { input } else { text };
            assert_eq!(
                row.get::<_, String>(0),
                *as_text,
                "binary parameter as text, {what}"
            );

            client
                .batch_execute(&format!(
                    "drop table if exists tt; create table tt (v {sql})"
                ))
                .unwrap();
            client
                .execute("insert into tt values ($1)", &[&Raw(binary.clone())])
                .unwrap();
            client
                .execute("insert into tt values ($1)", &[&Text(input)])
                .unwrap();
            let rows = client.query("select v from tt", &[]).unwrap();
            assert_eq!(rows.len(), 2);
            for row in &rows {
                assert_eq!(row.get::<_, Raw>(0).0, *binary, "column of {what}");
            }
            let simple = client.simple_query("select v from tt").unwrap();
            let texts: Vec<_> = simple
                .iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                    _ => None,
                })
                .collect();
            assert_eq!(
                texts,
                vec![text.to_string(), text.to_string()],
                "column of {what}"
            );
        }

        // NULL in both directions.
        let row = client
            .query_one("select $1::int4, null::text", &[&None::<i32>])
            .unwrap();
        assert_eq!(row.get::<_, Option<i32>>(0), None);
        assert_eq!(row.get::<_, Option<String>>(1), None);

        // The driver's own encodings, through a table.
        client
            .batch_execute(
                "create table native (a int2, b int4, c int8, d float4, e float8, f text, \
                 g varchar, h bool, i bytea, j int4[], k text[])",
            )
            .unwrap();
        let ints = vec![Some(1i32), None, Some(-3)];
        let texts = vec![Some("x".to_string()), None, Some("y z".to_string())];
        client
            .execute(
                "insert into native values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &-7i16,
                    &7i32,
                    &-(1i64 << 40),
                    &0.25f32,
                    &-1e-9f64,
                    &"tëxt",
                    &"vc",
                    &true,
                    &vec![0u8, 1, 255],
                    &ints,
                    &texts,
                ],
            )
            .unwrap();
        let row = client.query_one("select * from native", &[]).unwrap();
        assert_eq!(row.get::<_, i16>(0), -7);
        assert_eq!(row.get::<_, i32>(1), 7);
        assert_eq!(row.get::<_, i64>(2), -(1i64 << 40));
        assert_eq!(row.get::<_, f32>(3), 0.25);
        assert_eq!(row.get::<_, f64>(4), -1e-9);
        assert_eq!(row.get::<_, String>(5), "tëxt");
        assert_eq!(row.get::<_, String>(6), "vc");
        assert!(row.get::<_, bool>(7));
        assert_eq!(row.get::<_, Vec<u8>>(8), vec![0u8, 1, 255]);
        assert_eq!(row.get::<_, Vec<Option<i32>>>(9), ints);
        assert_eq!(row.get::<_, Vec<Option<String>>>(10), texts);
    });
}

/// tokio-postgres pipelines: every query of a `join_all` is sent before
/// the first answer is read. 100 prepared-statement executions, simple
/// queries and an error mid-pipeline (only its own query fails).
pub(crate) fn pipelining(runtime: &str) {
    with_server(runtime, |port| {
        block_on(async move {
            let client = connect_async(port).await;
            let double = client.prepare("select $1::int4 * 2").await.unwrap();
            let divide = client.prepare("select 100 / $1::int4").await.unwrap();
            let queries = (0..100i32).map(|i| {
                let (client, double, divide) = (&client, &double, &divide);
                async move {
                    if i == 50 {
                        let err = client.query_one(divide, &[&0i32]).await.unwrap_err();
                        assert_eq!(err.code(), Some(&SqlState::DIVISION_BY_ZERO), "{err}");
                        -1
                    } else if i % 10 == 0 {
                        let rows = client
                            .simple_query(&format!("select {i} * 2"))
                            .await
                            .unwrap();
                        match &rows[1] {
                            SimpleQueryMessage::Row(row) => row.get(0).unwrap().parse().unwrap(),
                            other => panic!("{other:?}"),
                        }
                    } else {
                        client
                            .query_one(double, &[&i])
                            .await
                            .unwrap()
                            .get::<_, i32>(0)
                    }
                }
            });
            let results = futures_util::future::join_all(queries).await;
            for (i, got) in results.into_iter().enumerate() {
                let want = if i == 50 { -1 } else { 2 * i as i32 };
                assert_eq!(got, want, "query {i}");
            }
            let row = client.query_one(&divide, &[&4i32]).await.unwrap();
            assert_eq!(row.get::<_, i32>(0), 25);
        });
    });
}

/// A portal read in pieces: `Transaction::bind` then `query_portal` with
/// a row limit (Execute with max_rows, PortalSuspended), two portals
/// interleaved, and the rest with limit 0.
pub(crate) fn portals(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client
            .batch_execute(
                "create table p (n int); insert into p select g from generate_series(1, 25) g",
            )
            .unwrap();
        let mut tx = client.transaction().unwrap();
        let up = tx
            .bind("select n from p where n > $1 order by n", &[&0i32])
            .unwrap();
        let down = tx.bind("select n from p order by n desc", &[]).unwrap();
        let ns = |rows: Vec<postgres::Row>| rows.iter().map(|r| r.get(0)).collect::<Vec<i32>>();
        assert_eq!(
            ns(tx.query_portal(&up, 10).unwrap()),
            (1..=10).collect::<Vec<_>>()
        );
        assert_eq!(ns(tx.query_portal(&down, 3).unwrap()), vec![25, 24, 23]);
        assert_eq!(
            ns(tx.query_portal(&up, 10).unwrap()),
            (11..=20).collect::<Vec<_>>()
        );
        assert_eq!(
            ns(tx.query_portal(&up, 10).unwrap()),
            (21..=25).collect::<Vec<_>>()
        );
        assert!(tx.query_portal(&up, 10).unwrap().is_empty());
        assert_eq!(
            ns(tx.query_portal(&down, 0).unwrap()),
            (1..=22).rev().collect::<Vec<_>>()
        );
        tx.commit().unwrap();
    });
}

/// The binary COPY form of rows of (int4, text): signature, flags,
/// extension length, tuples, trailer.
fn binary_copy(rows: &[(i32, Option<&str>)]) -> Vec<u8> {
    let mut out = b"PGCOPY\n\xff\r\n\0".to_vec();
    out.extend(be32(0)); // flags
    out.extend(be32(0)); // header extension
    for (id, name) in rows {
        out.extend(be16(2));
        out.extend(be32(4));
        out.extend(be32(*id));
        match name {
            Some(name) => {
                out.extend(be32(name.len() as i32));
                out.extend_from_slice(name.as_bytes());
            }
            None => out.extend(be32(-1)),
        }
    }
    out.extend(be16(-1));
    out
}

/// `copy_in` and `copy_out`, text and binary; a bad row fails the COPY
/// (22P02) and the session goes on.
pub(crate) fn copy(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client
            .batch_execute("create table c (id int4 primary key, name text)")
            .unwrap();

        let mut writer = client.copy_in("copy c (id, name) from stdin").unwrap();
        let mut text = String::new();
        for i in 1..=1000 {
            text.push_str(&format!("{i}\tname {i}\n"));
        }
        text.push_str("1001\t\\N\n1002\ttab\\there\n");
        writer.write_all(text.as_bytes()).unwrap();
        assert_eq!(writer.finish().unwrap(), 1002);

        let mut out = String::new();
        client
            .copy_out("copy c to stdout")
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);

        let rows = [(2001, Some("bin one")), (2002, None), (2003, Some("ünï"))];
        let mut writer = client
            .copy_in("copy c from stdin with (format binary)")
            .unwrap();
        writer.write_all(&binary_copy(&rows)).unwrap();
        assert_eq!(writer.finish().unwrap(), 3);

        let mut out = Vec::new();
        client
            .copy_out("copy (select id, name from c where id > 2000 order by id) to stdout with (format binary)")
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, binary_copy(&rows));

        let count: i64 = client
            .query_one("select count(*) from c", &[])
            .unwrap()
            .get(0);
        assert_eq!(count, 1005);

        let mut writer = client.copy_in("copy c from stdin").unwrap();
        writer.write_all(b"3000\tok\nnot a number\tbad\n").unwrap();
        let err = writer.finish().unwrap_err();
        assert_eq!(
            err.code(),
            Some(&SqlState::INVALID_TEXT_REPRESENTATION),
            "{err}"
        );
        let count: i64 = client
            .query_one("select count(*) from c", &[])
            .unwrap()
            .get(0);
        assert_eq!(count, 1005, "a failed COPY inserts nothing");
    });
}
