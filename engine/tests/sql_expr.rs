//! Differential test of the expression layer against a real PostgreSQL 15.
//!
//! The test starts a scratch cluster of its own (`twill_testkit::PgCluster`:
//! initdb in a temporary directory, `--locale=C --encoding=UTF8`, a free
//! loopback port, stopped and removed on drop), then runs every statement of
//! `tests/expr_corpus.sql` — one `SELECT <expr>[, <expr>…]` per line — on
//! both sides: PostgreSQL through the `postgres` crate's simple query
//! protocol, ours by parse → bind with no columns → eval → text output with
//! default `FormatSettings`. Results must match as text; errors must match
//! by SQLSTATE.
//!
//! It prints the pass rate and every divergence, and fails when the pass
//! rate drops below the floor or when a divergence is not listed (verbatim)
//! in `docs/sql-expressions.md`, where every deliberate difference is
//! explained.

use sqlparser::ast::{SelectItem, SetExpr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use twill_engine::sql::{Binder, EvalContext, NoColumns};
use twill_testkit::PgCluster;
use twill_types::FormatSettings;

/// The pass rate this corpus must keep (percent).
const PASS_FLOOR: f64 = 98.0;

/// A statement's outcome: the first row as text, or a SQLSTATE.
#[derive(Debug, PartialEq)]
enum Outcome {
    Row(Vec<Option<String>>),
    /// SQLSTATE, message, and position (1-based), if any.
    Error(String, String, Option<u32>),
}

impl Outcome {
    fn matches(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Row(a), Outcome::Row(b)) => a == b,
            (Outcome::Error(a, ..), Outcome::Error(b, ..)) => a == b,
            _ => false,
        }
    }
}

fn ours(sql: &str) -> Outcome {
    let err = |code: &str, msg: String| Outcome::Error(code.to_owned(), msg, None);
    let stmts = match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(s) => s,
        Err(e) => return err("42601", e.to_string()),
    };
    let [Statement::Query(q)] = stmts.as_slice() else {
        return err("0A000", "not one query".into());
    };
    let SetExpr::Select(sel) = q.body.as_ref() else {
        return err("0A000", "not a plain SELECT".into());
    };
    let ctx = EvalContext::new();
    let settings = FormatSettings::default();
    let mut row = Vec::new();
    for item in &sel.projection {
        let e = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return err("0A000", "wildcard".into()),
        };
        let mut binder = Binder::new(&NoColumns).with_source(sql);
        let bound = match binder.bind_value(e) {
            Ok(b) => b,
            Err(e) => return Outcome::Error(e.code.code().to_owned(), e.message, e.position),
        };
        match bound.eval(&ctx, &[]) {
            Ok(v) if v.is_null() => row.push(None),
            Ok(v) => row.push(Some(v.to_text(&settings))),
            Err(e) => return err(e.code.code(), e.message),
        }
    }
    Outcome::Row(row)
}

fn theirs(client: &mut postgres::Client, sql: &str) -> Outcome {
    match client.simple_query(sql) {
        Ok(msgs) => {
            for m in msgs {
                if let postgres::SimpleQueryMessage::Row(r) = m {
                    return Outcome::Row(
                        (0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect(),
                    );
                }
            }
            Outcome::Row(Vec::new())
        }
        Err(e) => match e.as_db_error() {
            Some(db) => Outcome::Error(
                db.code().code().to_owned(),
                db.message().to_owned(),
                match db.position() {
                    Some(postgres::error::ErrorPosition::Original(p)) => Some(*p),
                    _ => None,
                },
            ),
            None => Outcome::Error("?????".into(), e.to_string(), None),
        },
    }
}

#[test]
fn expressions_match_postgresql_15() {
    let corpus = include_str!("expr_corpus.sql");
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/sql-expressions.md"
    ))
    .unwrap_or_default();
    let cluster = PgCluster::start();
    let mut client = cluster.connect();
    client
        .batch_execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
             SET extra_float_digits = 1; SET bytea_output = 'hex'",
        )
        .expect("session settings");

    let statements: Vec<&str> = corpus
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    let mut pass = 0;
    let mut undocumented = Vec::new();
    for sql in &statements {
        let (a, b) = (ours(sql), theirs(&mut client, sql));
        if a.matches(&b) {
            pass += 1;
            if let (Outcome::Error(_, m1, p1), Outcome::Error(_, m2, p2)) = (&a, &b) {
                if m1 != m2 {
                    println!("wording: {sql}\n    ours:       {m1}\n    postgresql: {m2}");
                }
                if p1 != p2 {
                    println!("position: {sql}\n    ours: {p1:?}  postgresql: {p2:?}");
                }
            }
            continue;
        }
        let documented = docs.contains(&format!("`{sql}`"));
        let short = |o: &Outcome| {
            let s = format!("{o:?}");
            if s.len() > 300 {
                format!("{}…", &s[..s.floor_char_boundary(300)])
            } else {
                s
            }
        };
        println!(
            "DIVERGENCE{}: {sql}\n    ours:       {}\n    postgresql: {}",
            if documented { " (documented)" } else { "" },
            short(&a),
            short(&b)
        );
        if !documented {
            undocumented.push(*sql);
        }
    }
    let rate = pass as f64 * 100.0 / statements.len() as f64;
    println!("pass rate: {pass}/{} = {rate:.1}%", statements.len());
    assert!(
        statements.len() >= 300,
        "the corpus must have at least 300 statements"
    );
    assert!(
        rate >= PASS_FLOOR,
        "pass rate {rate:.1}% below {PASS_FLOOR}%"
    );
    assert!(
        undocumented.is_empty(),
        "divergences not documented in docs/sql-expressions.md:\n{}",
        undocumented.join("\n")
    );
}
