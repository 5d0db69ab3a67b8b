//! Unit tests of the COPY formats: decoding (every input also fed byte by
//! byte and in random splits, which must give the same rows or the same
//! error), encoding byte for byte, round trips, and every error.
//!
//! The expected behaviours were checked on PostgreSQL 15 with
//! `psql -c "COPY t FROM STDIN …" < file`.

use twill_types::{FormatSettings, Oid, SqlState, Value, oid};

use super::*;
use crate::sql::SqlError;

fn opts(list: &[(&str, Option<&str>)], dir: CopyDirection) -> CopyOptions {
    let v: Vec<(String, Option<String>)> = list
        .iter()
        .map(|(n, v)| (n.to_string(), v.map(str::to_owned)))
        .collect();
    CopyOptions::parse(&v, dir).expect("valid options")
}

fn text() -> CopyOptions {
    CopyOptions::default()
}

fn csv() -> CopyOptions {
    opts(&[("format", Some("csv"))], CopyDirection::From)
}

fn binary() -> CopyOptions {
    opts(&[("format", Some("binary"))], CopyDirection::From)
}

fn cols(spec: &[(&str, Oid, i32)]) -> Vec<CopyColumn> {
    spec.iter()
        .map(|&(name, ty, typmod)| CopyColumn {
            name: name.to_owned(),
            ty,
            typmod,
        })
        .collect()
}

/// Two text columns `a`, `b`.
fn ab() -> Vec<CopyColumn> {
    cols(&[("a", oid::TEXT, -1), ("b", oid::TEXT, -1)])
}

type Outcome = Result<Vec<Vec<Value>>, (SqlState, String)>;

/// Decodes `input` fed as `chunks` (cut points), then finishes.
fn decode_split(
    options: &CopyOptions,
    columns: &[CopyColumn],
    input: &[u8],
    cuts: &[usize],
) -> Outcome {
    let mut d = CopyDecoder::new(options.clone(), columns.to_vec(), FormatSettings::default());
    let mut rows = Vec::new();
    let mut at = 0;
    let err = |e: SqlError| (e.code, e.message);
    for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
        rows.extend(d.feed(&input[at..cut]).map_err(err)?);
        at = cut;
    }
    rows.extend(d.finish().map_err(err)?);
    Ok(rows)
}

/// Decodes `input` whole, byte by byte and in random splits, asserts all
/// three agree, and returns the outcome.
fn decode(options: &CopyOptions, columns: &[CopyColumn], input: &[u8]) -> Outcome {
    let whole = decode_split(options, columns, input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(
        decode_split(options, columns, input, &bytewise),
        whole,
        "byte-by-byte differs for {:?}",
        String::from_utf8_lossy(input)
    );
    let mut rng = fastrand::Rng::with_seed(input.len() as u64);
    for _ in 0..20 {
        let mut cuts: Vec<usize> = (0..rng.usize(0..4))
            .map(|_| rng.usize(0..=input.len()))
            .collect();
        cuts.sort_unstable();
        assert_eq!(
            decode_split(options, columns, input, &cuts),
            whole,
            "split {cuts:?} differs for {:?}",
            String::from_utf8_lossy(input)
        );
    }
    whole
}

fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn rows(options: &CopyOptions, columns: &[CopyColumn], input: &str) -> Vec<Vec<Value>> {
    decode(options, columns, input.as_bytes()).expect("decodes")
}

fn error(options: &CopyOptions, columns: &[CopyColumn], input: &[u8]) -> (String, String) {
    let (code, msg) = decode(options, columns, input).expect_err("should fail");
    (code.code().to_owned(), msg)
}

fn e(code: &str, msg: &str) -> (String, String) {
    (code.to_owned(), msg.to_owned())
}

#[test]
fn text_fields_escapes_and_null() {
    let r = rows(
        &text(),
        &ab(),
        "1\tfoo\n\\N\t\n2\tfo\\xo\\x4a\\101\\n\\N\\\\\\b\\f\\r\\t\\v\\q\n",
    );
    assert_eq!(
        r,
        vec![
            vec![t("1"), t("foo")],
            vec![Value::Null, t("")],
            vec![t("2"), t("foxoJA\nN\\\x08\x0c\r\t\x0bq")],
        ]
    );
    // A backslash-newline is a literal newline; a trailing backslash at the
    // end of the input is dropped; octal wraps at 0o377.
    assert_eq!(
        rows(&text(), &ab(), "1\ta\\\nb\n2\tx\\"),
        vec![vec![t("1"), t("a\nb")], vec![t("2"), t("x")]]
    );
    // The NULL string is matched on the raw text.
    let o = opts(&[("null", Some("nil"))], CopyDirection::From);
    assert_eq!(
        rows(&o, &ab(), "nil\t\\N\n"),
        vec![vec![Value::Null, t("N")]]
    );
    // Delimiter option, and an escaped delimiter.
    let o = opts(&[("delimiter", Some("|"))], CopyDirection::From);
    assert_eq!(rows(&o, &ab(), "a\\|b|c\n"), vec![vec![t("a|b"), t("c")]]);
    // An empty line is one empty field.
    let one = cols(&[("a", oid::TEXT, -1)]);
    assert_eq!(rows(&text(), &one, "\n\n"), vec![vec![t("")], vec![t("")]]);
    // Zero columns: empty lines are empty rows.
    assert_eq!(rows(&text(), &[], "\n"), vec![Vec::<Value>::new()]);
}

#[test]
fn text_newline_styles_and_end_marker() {
    let want = vec![vec![t("1"), t("a")], vec![t("2"), t("b")]];
    assert_eq!(rows(&text(), &ab(), "1\ta\r\n2\tb\r\n"), want);
    assert_eq!(rows(&text(), &ab(), "1\ta\r2\tb\r"), want);
    assert_eq!(rows(&text(), &ab(), "1\ta\n2\tb"), want);
    // `\.` ends the data; what follows is ignored, even garbage.
    assert_eq!(rows(&text(), &ab(), "1\ta\n2\tb\n\\.\n3\tc\nx"), want);
    assert_eq!(
        rows(&text(), &ab(), "1\ta\r\n2\tb\r\n\\.\r\n3\tc\r\n"),
        want
    );
    // … also mid-line in text format, keeping the data before it.
    assert_eq!(rows(&text(), &ab(), "1\ta\n2\tb\\.\n3\tc\n"), want);
    assert_eq!(rows(&text(), &ab(), "\\.\n"), Vec::<Vec<Value>>::new());
    assert_eq!(rows(&text(), &ab(), ""), Vec::<Vec<Value>>::new());
}

#[test]
fn text_errors() {
    let cases: &[(&str, (&str, &str))] = &[
        ("1\n", ("22P04", "missing data for column \"b\"")),
        ("\n", ("22P04", "missing data for column \"b\"")),
        (
            "1\t2\t3\n",
            ("22P04", "extra data after last expected column"),
        ),
        ("1\ta\r\n2\tb\n", ("22P04", "literal newline found in data")),
        ("1\ta\r2\tb\n", ("22P04", "literal newline found in data")),
        (
            "1\ta\n2\tb\r\n",
            ("22P04", "literal carriage return found in data"),
        ),
        (
            "1\ta\r\n2\tb\r3\tc\r\n",
            ("22P04", "literal carriage return found in data"),
        ),
        ("1\tfoo\n\\.", ("22P04", "end-of-copy marker corrupt")),
        ("1\tfoo\\.x\n", ("22P04", "end-of-copy marker corrupt")),
        (
            "1\ta\r\n\\.\n",
            (
                "22P04",
                "end-of-copy marker does not match previous newline style",
            ),
        ),
        (
            "1\ta\n\\.\r\n",
            (
                "22P04",
                "end-of-copy marker does not match previous newline style",
            ),
        ),
        ("1\ta\r\n\\.x", ("22P04", "end-of-copy marker corrupt")),
    ];
    for (input, want) in cases {
        assert_eq!(
            error(&text(), &ab(), input.as_bytes()),
            e(want.0, want.1),
            "{input:?}"
        );
    }
    let r = decode(&text(), &ab(), b"1\ta\n2\tb\r\n").unwrap_err();
    assert_eq!(r.1, "literal carriage return found in data");
    let mut d = CopyDecoder::new(text(), ab(), FormatSettings::default());
    let err = d.feed(b"1\ta\r").and_then(|_| d.feed(b"\n2\tb\r\n"));
    assert!(err.is_ok());
    let bad = d.feed(b"\n").unwrap_err();
    assert_eq!(
        bad.hint.as_deref(),
        Some("Use \"\\n\" to represent newline.")
    );
    // Sticky.
    assert_eq!(d.feed(b"3\tc\r\n").unwrap_err(), bad);
    // Zero columns and a non-empty line.
    assert_eq!(
        error(&text(), &[], b"x\n"),
        e("22P04", "extra data after last expected column")
    );
    // Invalid UTF-8, by escape or raw.
    assert_eq!(error(&text(), &ab(), b"\\xff\tb\n").0, "22021");
    assert_eq!(error(&text(), &ab(), b"\xc3\tb\n").0, "22021");
}

#[test]
fn typed_columns_use_input_functions_and_typmods() {
    let c = cols(&[
        ("i", oid::INT4, -1),
        ("v", oid::VARCHAR, 3 + 4),
        ("c", oid::BPCHAR, 3 + 4),
        ("n", oid::NUMERIC, ((5 << 16) | 2) + 4),
    ]);
    assert_eq!(
        rows(&text(), &c, "7\tab\ta\t1.005\n-1\tabc  \tb  \t\\N\n"),
        vec![
            vec![
                Value::Int4(7),
                t("ab"),
                t("a  "),
                Value::Numeric("1.01".parse().unwrap())
            ],
            vec![Value::Int4(-1), t("abc"), t("b  "), Value::Null],
        ]
    );
    assert_eq!(
        error(&text(), &c, b"1\tabcd\ta\t1\n"),
        e("22001", "value too long for type character varying(3)")
    );
    assert_eq!(
        error(&text(), &c, b"x\tabcd\ta\t1\n"),
        e("22P02", "invalid input syntax for type integer: \"x\"")
    );
    assert_eq!(error(&text(), &c, b"1\ta\ta\t12345\n").0, "22003");
    // Column-order: a bad value before a missing column wins.
    assert_eq!(
        error(&text(), &c, b"x\n"),
        e("22P02", "invalid input syntax for type integer: \"x\"")
    );
    assert_eq!(
        error(&text(), &c, b"1\n"),
        e("22P04", "missing data for column \"v\"")
    );
}

#[test]
fn csv_quoting() {
    let r = rows(
        &csv(),
        &ab(),
        "1,\"a\"\"b\"\n2,\"\"\n3,\n,4\n1, \"x\" \n1,x\"y\"\n1,\"x\"y\n5,\"x\ny\"\n6,\"a,b\"\n",
    );
    assert_eq!(
        r,
        vec![
            vec![t("1"), t("a\"b")],
            vec![t("2"), t("")],
            vec![t("3"), Value::Null],
            vec![Value::Null, t("4")],
            vec![t("1"), t(" x ")],
            vec![t("1"), t("xy")],
            vec![t("1"), t("xy")],
            vec![t("5"), t("x\ny")],
            vec![t("6"), t("a,b")],
        ]
    );
    // Quoted newlines in CRLF data, and a custom escape.
    assert_eq!(
        rows(&csv(), &ab(), "1,\"a\r\nb\"\r\n2,\"c\rd\"\r\n"),
        vec![vec![t("1"), t("a\r\nb")], vec![t("2"), t("c\rd")]]
    );
    let o = opts(
        &[
            ("format", Some("csv")),
            ("escape", Some("\\")),
            ("null", Some("NULL")),
        ],
        CopyDirection::From,
    );
    assert_eq!(
        rows(&o, &ab(), "\"x\\\"y\\\\z\\n\",NULL\n\"NULL\",\n"),
        vec![vec![t("x\"y\\z\\n"), Value::Null], vec![t("NULL"), t("")]]
    );
}

#[test]
fn csv_header_and_end_marker() {
    let h = opts(
        &[("format", Some("csv")), ("header", None)],
        CopyDirection::From,
    );
    assert_eq!(rows(&h, &ab(), "a,b\n1,2\n"), vec![vec![t("1"), t("2")]]);
    assert_eq!(rows(&h, &ab(), "anything at all"), Vec::<Vec<Value>>::new());
    assert_eq!(rows(&h, &ab(), ""), Vec::<Vec<Value>>::new());
    let th = opts(&[("header", None)], CopyDirection::From);
    assert_eq!(rows(&th, &ab(), "a\tb\n1\t2"), vec![vec![t("1"), t("2")]]);
    let m = opts(
        &[("format", Some("csv")), ("header", Some("match"))],
        CopyDirection::From,
    );
    assert_eq!(rows(&m, &ab(), "a,b\n1,2\n"), vec![vec![t("1"), t("2")]]);
    assert_eq!(
        error(&m, &ab(), b"a,c\n1,2\n"),
        e(
            "22P04",
            "column name mismatch in header line field 2: got \"c\", expected \"b\""
        )
    );
    assert_eq!(
        error(&m, &ab(), b"a,\n1,2\n"),
        e(
            "22P04",
            "column name mismatch in header line field 2: got null value (\"\"), expected \"b\""
        )
    );
    let tm = opts(&[("header", Some("match"))], CopyDirection::From);
    assert_eq!(
        error(&tm, &ab(), b"a\tb\tc\n1\t2"),
        e(
            "22P04",
            "wrong number of fields in header line: got 3, expected 2"
        )
    );
    assert_eq!(
        error(&m, &ab(), b""),
        e(
            "22P04",
            "wrong number of fields in header line: got 1, expected 2"
        )
    );

    // `\.` alone on a line ends CSV data; elsewhere it is data.
    let one = cols(&[("a", oid::TEXT, -1)]);
    assert_eq!(
        rows(&csv(), &one, "\\.x\n\\.\nignored\n"),
        vec![vec![t("\\.x")]]
    );
    assert_eq!(rows(&csv(), &one, "\"\\.\"\n\\.\n"), vec![vec![t("\\.")]]);
    assert_eq!(rows(&csv(), &one, "a\r\n\\.\r\nb\r\n"), vec![vec![t("a")]]);
    assert_eq!(rows(&csv(), &ab(), "1,\\.\n"), vec![vec![t("1"), t("\\.")]]);
    // At the end of the input without a newline, `\.` is data.
    assert_eq!(
        error(&csv(), &ab(), b"1,foo\n\\."),
        e("22P04", "missing data for column \"b\"")
    );
}

#[test]
fn csv_errors() {
    let cases: &[(&[u8], (&str, &str))] = &[
        (b"1,\"ab\n", ("22P04", "unterminated CSV quoted field")),
        (b"1,\"ab", ("22P04", "unterminated CSV quoted field")),
        (
            b"1,foo\r\n2,bar\n",
            ("22P04", "unquoted newline found in data"),
        ),
        (
            b"1,foo\n2,bar\r\n",
            ("22P04", "unquoted carriage return found in data"),
        ),
        (
            b"1,2,3\n",
            ("22P04", "extra data after last expected column"),
        ),
        (b"1\n", ("22P04", "missing data for column \"b\"")),
    ];
    for (input, want) in cases {
        assert_eq!(error(&csv(), &ab(), input), e(want.0, want.1), "{input:?}");
    }
}

#[test]
fn line_numbers_are_counted() {
    let h = opts(
        &[("format", Some("csv")), ("header", None)],
        CopyDirection::From,
    );
    let mut d = CopyDecoder::new(h, ab(), FormatSettings::default());
    d.feed(b"a,b\n1,\"x\ny\"\n2,").unwrap();
    assert_eq!(d.line(), 3);
    let err = d.feed(b"z,extra\n").unwrap_err();
    assert_eq!(err.message, "extra data after last expected column");
    assert_eq!(d.line(), 4);
}

fn sample_columns() -> Vec<CopyColumn> {
    cols(&[
        ("i", oid::INT4, -1),
        ("t", oid::TEXT, -1),
        ("n", oid::NUMERIC, -1),
        ("b", oid::BOOL, -1),
        ("y", oid::BYTEA, -1),
        ("a", oid::INT4_ARRAY, -1),
        ("j", oid::JSONB, -1),
    ])
}

fn sample_rows() -> Vec<Vec<Value>> {
    let s = FormatSettings::default();
    let v =
        |ty, text: &str| Value::decode(ty, twill_types::Format::Text, text.as_bytes(), &s).unwrap();
    let tricky = [
        "",
        "\\",
        "\\.",
        "\\N",
        "a\tb",
        "a\nb",
        "a\r\nb",
        "a,b",
        "\"q\"",
        "é ☃ 𝄞",
        " x ",
        "\x01\x08\x0b\x0c",
    ];
    tricky
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                if i % 3 == 0 {
                    Value::Null
                } else {
                    Value::Int4(i as i32 - 5)
                },
                t(s),
                v(oid::NUMERIC, "-12.500"),
                Value::Bool(i % 2 == 0),
                Value::Bytea(s.as_bytes().to_vec()),
                v(oid::INT4_ARRAY, "{1,NULL,3}"),
                v(oid::JSONB, r#"{"k": "v\n", "a": [1, null]}"#),
            ]
        })
        .chain(std::iter::once(vec![Value::Null; 7]))
        .collect()
}

fn encode(options: &CopyOptions, names: &[&str], rows: &[Vec<Value>]) -> Vec<u8> {
    let types = rows
        .first()
        .map_or(Vec::new(), |r| r.iter().map(Value::type_oid).collect());
    let mut enc = CopyEncoder::new(options.clone(), types, FormatSettings::default());
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut out = enc.header(&names);
    for r in rows {
        enc.row(r, &mut out);
    }
    out.extend(enc.trailer());
    out
}

#[test]
fn round_trips_in_every_format() {
    let columns = sample_columns();
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let rows_in = sample_rows();
    for o in [
        text(),
        csv(),
        binary(),
        opts(
            &[
                ("format", Some("csv")),
                ("header", None),
                ("delimiter", Some("\t")),
            ],
            CopyDirection::From,
        ),
        opts(
            &[
                ("header", Some("on")),
                ("delimiter", Some("|")),
                ("null", Some("NUL")),
            ],
            CopyDirection::From,
        ),
        opts(
            &[
                ("format", Some("csv")),
                ("quote", Some("'")),
                ("escape", Some("\\")),
                ("null", Some("\\N")),
            ],
            CopyDirection::From,
        ),
    ] {
        let bytes = encode(&o, &names, &rows_in);
        let back = decode(&o, &columns, &bytes).unwrap_or_else(|e| panic!("{o:?}: {e:?}"));
        assert_eq!(back, rows_in, "{o:?}");
    }
}

#[test]
fn text_encoding_is_postgres_bytes() {
    let one =
        |s: &str, o: &CopyOptions| String::from_utf8(encode(o, &["x"], &[vec![t(s)]])).unwrap();
    assert_eq!(
        one("a\tb\\c\nd\re\x08\x0c\x0b\x01", &text()),
        "a\\tb\\\\c\\nd\\re\\b\\f\\v\x01\n"
    );
    let pipe = opts(&[("delimiter", Some("|"))], CopyDirection::To);
    assert_eq!(one("a|b\t", &pipe), "a\\|b\\t\n");
    let ctrl = opts(&[("delimiter", Some("\x01"))], CopyDirection::To);
    assert_eq!(one("a\x01b\x02", &ctrl), "a\\\x01b\x02\n");
    let h = opts(&[("header", None)], CopyDirection::To);
    assert_eq!(
        String::from_utf8(encode(&h, &["a\tb", "c"], &[vec![Value::Null, t("")]])).unwrap(),
        "a\\tb\tc\n\\N\t\n"
    );
}

#[test]
fn csv_encoding_is_postgres_bytes() {
    let row = vec![
        t(""),
        Value::Null,
        t("a,b"),
        t("q\"q"),
        t("x\ny"),
        t("\\."),
        t(" s "),
        t("\\N"),
    ];
    let names = ["a"; 8];
    assert_eq!(
        String::from_utf8(encode(&csv(), &names, std::slice::from_ref(&row))).unwrap(),
        "\"\",,\"a,b\",\"q\"\"q\",\"x\ny\",\\., s ,\\N\n"
    );
    // `\.` is quoted only in a one-column table, where it would read as the
    // end marker.
    assert_eq!(encode(&csv(), &["a"], &[vec![t("\\.")]]), b"\"\\.\"\n");
    let o = opts(
        &[
            ("format", Some("csv")),
            ("null", Some("\\N")),
            ("escape", Some("\\")),
            ("header", None),
        ],
        CopyDirection::To,
    );
    assert_eq!(
        String::from_utf8(encode(&o, &["a,1", "b"], &[vec![t("\\N"), t("\\\"")]])).unwrap(),
        "\"a,1\",b\n\"\\\\N\",\"\\\\\\\"\"\n"
    );
}

#[test]
fn binary_format() {
    let c = cols(&[("a", oid::INT4, -1), ("b", oid::TEXT, -1)]);
    let rows_in = vec![vec![Value::Int4(1), t("x")], vec![Value::Null, t("")]];
    let bytes = encode(&binary(), &["a", "b"], &rows_in);
    let mut want = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
    want.extend_from_slice(b"\0\x02\0\0\0\x04\0\0\0\x01\0\0\0\x01x");
    want.extend_from_slice(b"\0\x02\xff\xff\xff\xff\0\0\0\0");
    want.extend_from_slice(b"\xff\xff");
    assert_eq!(bytes, want);
    assert_eq!(decode(&binary(), &c, &bytes).unwrap(), rows_in);

    // A header extension is skipped; no trailer is fine.
    let mut ext = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\x03abc".to_vec();
    ext.extend_from_slice(b"\0\x02\0\0\0\x04\0\0\0\x07\xff\xff\xff\xff");
    assert_eq!(
        decode(&binary(), &c, &ext).unwrap(),
        vec![vec![Value::Int4(7), Value::Null]]
    );

    let head = &want[..19];
    let with = |tail: &[u8]| [head, tail].concat();
    let cases: Vec<(Vec<u8>, (&str, &str))> = vec![
        (
            b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec(),
            ("22P04", "COPY file signature not recognized"),
        ),
        (
            b"PGCO".to_vec(),
            ("22P04", "COPY file signature not recognized"),
        ),
        (Vec::new(), ("22P04", "COPY file signature not recognized")),
        (
            head[..13].to_vec(),
            ("22P04", "invalid COPY file header (missing flags)"),
        ),
        (
            b"PGCOPY\n\xff\r\n\0\0\x01\0\0\0\0\0\0".to_vec(),
            ("22P04", "invalid COPY file header (WITH OIDS)"),
        ),
        (
            b"PGCOPY\n\xff\r\n\0\0\x02\0\0\0\0\0\0".to_vec(),
            ("22P04", "unrecognized critical flags in COPY file header"),
        ),
        (
            head[..17].to_vec(),
            ("22P04", "invalid COPY file header (missing length)"),
        ),
        (
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\x03ab".to_vec(),
            ("22P04", "invalid COPY file header (wrong length)"),
        ),
        (
            with(b"\0\x03"),
            ("22P04", "row field count is 3, expected 2"),
        ),
        (
            with(b"\0\x02\0\0\0\x04\0\0"),
            ("22P04", "unexpected EOF in COPY data"),
        ),
        (
            with(b"\0\x02\0\0\0\x04\0\0\0\x01"),
            ("22P04", "unexpected EOF in COPY data"),
        ),
        (
            with(b"\0\x02\xff\xff\xff\xfe"),
            ("22P04", "invalid field size"),
        ),
        (
            with(b"\xff\xffx"),
            ("22P04", "received copy data after EOF marker"),
        ),
        (
            with(b"\0\x02\0\0\0\x06\0\0\0\0\0\0\xff\xff\xff\xff"),
            ("22P03", "incorrect binary data format"),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(error(&binary(), &c, &input), e(want.0, want.1), "{input:?}");
    }
    // Data after the trailer in a later chunk is an error too.
    let mut d = CopyDecoder::new(binary(), c.clone(), FormatSettings::default());
    d.feed(&with(b"\xff\xff")).unwrap();
    assert_eq!(
        d.feed(b"x").unwrap_err().message,
        "received copy data after EOF marker"
    );
    // A stream that stops inside a field count just ends.
    assert_eq!(
        decode(&binary(), &c, &with(b"\0")).unwrap(),
        Vec::<Vec<Value>>::new()
    );
    // varchar typmod applies to binary input too.
    let v = cols(&[("v", oid::VARCHAR, 2 + 4)]);
    assert_eq!(
        error(&binary(), &v, &with(b"\0\x01\0\0\0\x03abc")),
        e("22001", "value too long for type character varying(2)")
    );
}
