//! The `sql` target: arbitrary SQL through a session on `memory://`.
//!
//! Two input shapes, told apart by the first byte, because each finds what
//! the other cannot:
//!
//! * **Text** (the first byte is printable, as in every seed): the input is
//!   SQL, split into query strings at NUL bytes and at `;` that ends a
//!   line. The seeds are statements from `engine/tests/slt/` and the
//!   client shapes; libFuzzer's mutations and the SQL dictionary
//!   (`fuzz/dict/sql.dict`) then reach the parser's and binder's corners.
//! * **Grammar** (the first byte is a control byte): the rest drives
//!   [`arbitrary::Unstructured`] through a small grammar over the schema
//!   of `super::SCHEMA` — queries, DML, DDL, transaction control, settings,
//!   recursive CTEs, set-returning functions and `pg_sleep` — so that
//!   almost every input plans and runs, and the executor, not only the
//!   parser, gets fuzzed.
//!
//! Each query string runs under the watchdog's statement timeout; a COPY
//! FROM STDIN in the input is ended with no data. Invariants: those of
//! `super::run_query` on every answer, and after the last query string a
//! ROLLBACK leaves the session idle and the database still answers.

use arbitrary::{Result, Unstructured};

use super::{fresh_session, run_query, run_to_end};
use crate::TxStatus;

/// Runs the input (see the module docs).
pub fn sql(data: &[u8]) {
    let mut session = fresh_session();
    let queries = match data.split_first() {
        Some((&mode, rest)) if mode < 0x20 && !b"\t\n\r".contains(&mode) => {
            generated(&mut Unstructured::new(rest))
        }
        _ => split(&String::from_utf8_lossy(data)),
    };
    for q in &queries {
        run_to_end(&mut session, q);
    }
    // Whatever the input left open, the session recovers.
    let end = run_query(&mut session, "ROLLBACK");
    assert!(end.errors.is_empty(), "ROLLBACK failed: {:?}", end.errors);
    assert_eq!(session.status(), TxStatus::Idle);
    let alive = run_query(&mut session, "SELECT 1");
    assert!(
        alive.errors.is_empty(),
        "SELECT 1 failed: {:?}",
        alive.errors
    );
}

/// Text input as query strings: cut at NUL and at a `;` ending a line.
fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in text.split('\0') {
        let mut current = String::new();
        for line in chunk.split_inclusive('\n') {
            current.push_str(line);
            if line.trim_end().ends_with(';') {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.trim().is_empty() {
            out.push(current);
        }
    }
    out
}

/// Grammar input: up to 8 query strings of one to three statements.
fn generated(u: &mut Unstructured<'_>) -> Vec<String> {
    let mut out = Vec::new();
    while !u.is_empty() && out.len() < 8 {
        let n = u.int_in_range(1..=3).unwrap_or(1);
        let stmts: Vec<String> = (0..n).filter_map(|_| statement(u).ok()).collect();
        if stmts.is_empty() {
            break;
        }
        out.push(stmts.join("; "));
    }
    out
}

/// Edge-case literals, beside arbitrary integers, floats and strings.
const LITERALS: &[&str] = &[
    "0",
    "-1",
    "2147483647",
    "-9223372036854775808",
    "99999999999999999999.5",
    "1e308",
    "'NaN'::float8",
    "'-Infinity'::numeric",
    "''",
    "'x'",
    "NULL",
    "true",
    "'2024-02-29'::date",
    "'infinity'::timestamp",
    "'1 day'::interval",
    "ARRAY[1,NULL,3]",
    "'{\"a\":[1,2]}'::jsonb",
    "E'\\\\x00'",
];
const COLUMNS: &[&str] = &["a", "b", "c", "d", "x", "y", "z", "w", "t.a", "u.x", "v"];
const BINARY: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "%",
    "||",
    "=",
    "<>",
    "<",
    ">=",
    "AND",
    "OR",
    "LIKE",
    "IS DISTINCT FROM",
    "^",
    "&",
    "<<",
];
const FUNCTIONS: &[&str] = &[
    "length",
    "upper",
    "abs",
    "coalesce",
    "nullif",
    "greatest",
    "round",
    "sqrt",
    "substr",
    "repeat",
    "to_char",
    "md5",
    "trim",
    "lpad",
    "split_part",
    "now",
    "concat",
    "mod",
    "power",
];
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "string_agg",
    "array_agg",
    "bool_and",
];
const TYPES: &[&str] = &[
    "int",
    "bigint",
    "smallint",
    "text",
    "float8",
    "numeric",
    "numeric(5,2)",
    "bool",
    "date",
    "timestamp",
    "interval",
    "bytea",
    "varchar(3)",
    "jsonb",
    "int[]",
];
const TABLES: &[&str] = &["t", "u", "v"];

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    u.choose(from).copied()
}

fn literal(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => u.arbitrary::<i64>()?.to_string(),
        1 => format!("{:?}", u.arbitrary::<f64>()?),
        2 => format!("'{}'", u.arbitrary::<&str>()?.replace('\'', "''")),
        _ => pick(u, LITERALS)?.to_owned(),
    })
}

fn expr(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    if depth == 0 || u.ratio(1, 3)? {
        return if u.ratio(1, 2)? {
            literal(u)
        } else {
            Ok(pick(u, COLUMNS)?.to_owned())
        };
    }
    let d = depth - 1;
    Ok(match u.int_in_range(0..=8)? {
        0 => format!("({} {} {})", expr(u, d)?, pick(u, BINARY)?, expr(u, d)?),
        1 => {
            let f = pick(u, FUNCTIONS)?;
            let n = u.int_in_range(0..=3)?;
            let args: Result<Vec<String>> = (0..n).map(|_| expr(u, d)).collect();
            format!("{f}({})", args?.join(", "))
        }
        2 => format!("CAST({} AS {})", expr(u, d)?, pick(u, TYPES)?),
        3 => format!(
            "CASE WHEN {} THEN {} ELSE {} END",
            expr(u, d)?,
            expr(u, d)?,
            expr(u, d)?
        ),
        4 => format!("({} IS NULL)", expr(u, d)?),
        5 => format!("({} IN ({}, {}))", expr(u, d)?, expr(u, d)?, expr(u, d)?),
        6 => format!("(SELECT {} FROM {} LIMIT 1)", expr(u, d)?, from(u, d)?),
        7 => format!(
            "EXISTS (SELECT 1 FROM {} WHERE {})",
            from(u, d)?,
            expr(u, d)?
        ),
        _ => format!("(NOT {})", expr(u, d)?),
    })
}

fn from(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 | 1 => pick(u, TABLES)?.to_owned(),
        2 => format!(
            "t {} u ON {}",
            pick(
                u,
                &[
                    "JOIN",
                    "LEFT JOIN",
                    "FULL JOIN",
                    "CROSS JOIN LATERAL (SELECT 1) l JOIN"
                ]
            )?,
            expr(u, depth.min(1))?
        ),
        3 => format!(
            "generate_series({}, {}) AS g(v)",
            u.int_in_range(-5i64..=2_000_000)?,
            u.int_in_range(-5i64..=2_000_000_000)?
        ),
        4 if depth > 0 => format!("({}) AS s", select(u, depth - 1)?),
        _ => "t, u".to_owned(),
    })
}

fn select(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    let mut s = String::from("SELECT ");
    if u.ratio(1, 5)? {
        s.push_str("DISTINCT ");
    }
    let grouped = u.ratio(1, 3)?;
    let n = u.int_in_range(1..=3)?;
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        match u.int_in_range(0..=4)? {
            0 if grouped => s.push_str(&format!("{}({})", pick(u, AGGREGATES)?, expr(u, 1)?)),
            1 => s.push_str(&format!(
                "row_number() OVER (PARTITION BY {} ORDER BY {})",
                expr(u, 1)?,
                expr(u, 1)?
            )),
            _ => s.push_str(&expr(u, depth)?),
        }
    }
    s.push_str(&format!(" FROM {}", from(u, depth)?));
    if u.ratio(1, 2)? {
        s.push_str(&format!(" WHERE {}", expr(u, depth)?));
    }
    if grouped {
        s.push_str(&format!(" GROUP BY {}", expr(u, 1)?));
    }
    if u.ratio(1, 3)? {
        s.push_str(&format!(" ORDER BY {} DESC NULLS FIRST", expr(u, 1)?));
    }
    if u.ratio(1, 3)? {
        s.push_str(&format!(" LIMIT {}", u.int_in_range(0..=5)?));
    }
    if u.ratio(1, 6)? {
        let op = pick(u, &["UNION", "UNION ALL", "EXCEPT", "INTERSECT"])?;
        s = format!("({s}) {op} (SELECT {} FROM t)", expr(u, 1)?);
    }
    Ok(s)
}

fn statement(u: &mut Unstructured<'_>) -> Result<String> {
    let depth = u.int_in_range(1..=3)?;
    Ok(match u.int_in_range(0..=13)? {
        0..=3 => select(u, depth)?,
        4 => format!(
            "INSERT INTO t (a, b, c) VALUES ({}, {}, {}) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
            expr(u, 1)?,
            expr(u, 1)?,
            expr(u, 1)?
        ),
        5 => format!(
            "INSERT INTO u SELECT {}, {}, NULL, NULL FROM {}",
            expr(u, 1)?,
            expr(u, 1)?,
            from(u, 1)?
        ),
        6 => format!(
            "UPDATE {} SET {} WHERE {} RETURNING *",
            pick(u, &["t", "u"])?,
            pick(
                u,
                &[
                    "b = upper(b)",
                    "a = a + 1",
                    "x = -x",
                    "c = c / 0",
                    "z = NOT z"
                ]
            )?,
            expr(u, depth)?
        ),
        7 => format!(
            "DELETE FROM {} WHERE {}",
            pick(u, &["t", "u", "v"])?,
            expr(u, depth)?
        ),
        8 => format!(
            "CREATE {} v AS {}",
            pick(u, &["TABLE", "VIEW", "TEMP TABLE"])?,
            select(u, 1)?
        ),
        9 => pick(
            u,
            &[
                "BEGIN",
                "COMMIT",
                "ROLLBACK",
                "SAVEPOINT s",
                "ROLLBACK TO SAVEPOINT s",
                "RELEASE SAVEPOINT s",
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                "SET TRANSACTION READ ONLY",
                "LOCK TABLE t",
                "SELECT * FROM t FOR UPDATE",
            ],
        )?
        .to_owned(),
        10 => format!(
            "SET {} = {}",
            pick(
                u,
                &[
                    "datestyle",
                    "search_path",
                    "timezone",
                    "extra_float_digits",
                    "intervalstyle",
                    "bytea_output"
                ]
            )?,
            literal(u)?
        ),
        11 => format!(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r{}) SELECT {}(n) FROM r",
            if u.ratio(1, 4)? {
                String::new()
            } else {
                format!(" WHERE n < {}", u.int_in_range(0..=100_000)?)
            },
            pick(u, &["count", "max", "sum"])?
        ),
        12 => format!(
            "SELECT pg_sleep({})",
            pick(u, &["0", "0.01", "1", "100", "-1", "'NaN'"])?
        ),
        _ => format!(
            "{} {}",
            pick(
                u,
                &[
                    "ALTER TABLE t ADD COLUMN e",
                    "ALTER TABLE u ALTER COLUMN x TYPE",
                    "CREATE TABLE q (k"
                ],
            )?,
            format!("{} DEFAULT {}", pick(u, TYPES)?, literal(u)?)
                + if u.ratio(1, 2)? { ")" } else { "" }
        ),
    })
}
