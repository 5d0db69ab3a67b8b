//! A **test backend**: answers the core's calls for a handful of statements
//! so the adapters can be exercised by real clients before the SQL engine
//! can. For tests only — the "parser" is string matching.
//!
//! Understood (case-insensitive, one trailing `;` allowed; a simple query
//! may hold several, split on `;`):
//!
//! | statement | result |
//! |---|---|
//! | `select 42` | one int4 row |
//! | `select 'text'` | one text row |
//! | `select $1::int4` / `::int8` / `::text` / `$1` | the parameter back (extended only) |
//! | `select generate_series(1, N)` | N int4 rows, streamed in batches of [`BATCH_ROWS`] (`Batch.more`), honouring `max_rows` |
//! | `select pg_sleep(S)` | sleeps S seconds, interruptibly: 57014 on cancel or statement timeout |
//! | `select 1/0` | ERROR 22012 division by zero |
//! | `begin` / `commit` / `rollback` | transaction status I/T/E as PostgreSQL reports it |
//! | `set name = value` / `set name to value` | `SettingChanged` (so `statement_timeout` reaches the core) |
//! | `copy t from stdin` | COPY FROM STDIN, counting data lines: `COPY n` |
//! | `select test_panic()` | panics (a backend bug, for the adapters' panic isolation) |
//! | anything else | ERROR 42601 syntax error |
//!
//! Parse/Bind/Describe/Execute/Close/Sync work for all of them; statements
//! and portals are kept by name.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use twill_protocol::{
    Backend, BackendFactory, Batch, Call, Column, ErrorReport, Interrupt, InterruptReason, Output,
    Reply, Target, TxStatus,
};
use twill_types::{Format, SqlState, Value};

/// Rows per streamed batch of `generate_series`.
pub const BATCH_ROWS: i64 = 1000;

const INT4: u32 = 23;
const INT8: u32 = 20;
const TEXT: u32 = 25;

/// Makes a [`TestBackend`] per connection.
#[derive(Debug, Default, Clone)]
pub struct TestFactory;

impl BackendFactory for TestFactory {
    type Backend = TestBackend;

    fn new_backend(&self) -> TestBackend {
        TestBackend::default()
    }
}

/// One statement the test backend understands.
#[derive(Debug, Clone, PartialEq)]
enum Stmt {
    Empty,
    Int(i32),
    Text(String),
    Param(u32),
    Series(i64),
    Sleep(f64),
    DivZero,
    Begin,
    Commit,
    Rollback,
    Set(String, String),
    Copy,
    Panic,
    Bad(String),
}

impl Stmt {
    fn parse(sql: &str) -> Stmt {
        let s = sql.trim().trim_end_matches(';').trim();
        let lower = s.to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let joined = words.join(" ");
        if joined.is_empty() {
            return Stmt::Empty;
        }
        match joined.as_str() {
            "begin" | "start transaction" | "begin transaction" => return Stmt::Begin,
            "commit" | "end" => return Stmt::Commit,
            "rollback" | "abort" => return Stmt::Rollback,
            "select 1/0" | "select 1 / 0" => return Stmt::DivZero,
            "select test_panic()" => return Stmt::Panic,
            "select $1" | "select $1::text" => return Stmt::Param(TEXT),
            "select $1::int4" | "select $1::integer" => return Stmt::Param(INT4),
            "select $1::int8" | "select $1::bigint" => return Stmt::Param(INT8),
            _ => {}
        }
        if joined.starts_with("copy ") && joined.ends_with("from stdin") {
            return Stmt::Copy;
        }
        if let Some(rest) = joined.strip_prefix("set ") {
            let (name, value) = match rest.split_once('=') {
                Some((n, v)) => (n, v),
                None => match rest.split_once(" to ") {
                    Some((n, v)) => (n, v),
                    None => return Stmt::Bad(s.to_string()),
                },
            };
            let value = value.trim().trim_matches('\'').to_string();
            return Stmt::Set(name.trim().to_string(), value);
        }
        let Some(expr) = joined.strip_prefix("select ") else {
            return Stmt::Bad(s.to_string());
        };
        let call_arg = |f: &str| {
            expr.strip_prefix(f)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
        };
        if let Some(args) = call_arg("generate_series") {
            let n = args.split(',').nth(1).and_then(|n| n.trim().parse().ok());
            return n.map_or(Stmt::Bad(s.to_string()), Stmt::Series);
        }
        if let Some(arg) = call_arg("pg_sleep") {
            return arg
                .trim()
                .parse()
                .map_or(Stmt::Bad(s.to_string()), Stmt::Sleep);
        }
        if let Ok(n) = expr.parse() {
            return Stmt::Int(n);
        }
        // Keep the original case of a text literal.
        let original = s["select ".len()..].trim();
        if original.len() >= 2 && original.starts_with('\'') && original.ends_with('\'') {
            return Stmt::Text(original[1..original.len() - 1].replace("''", "'"));
        }
        Stmt::Bad(s.to_string())
    }

    /// The result columns, or None for a statement without rows.
    fn columns(&self) -> Option<Vec<Column>> {
        let col = |name: &str, oid: u32| {
            let len = match oid {
                INT4 => 4,
                INT8 => 8,
                _ => -1,
            };
            Some(vec![Column::new(name, oid, len)])
        };
        match self {
            Stmt::Int(_) | Stmt::Text(_) => col(
                "?column?",
                if matches!(self, Stmt::Int(_)) {
                    INT4
                } else {
                    TEXT
                },
            ),
            Stmt::Param(oid) => col("?column?", *oid),
            Stmt::Series(_) => col("generate_series", INT4),
            Stmt::Sleep(_) => col("pg_sleep", 2278),
            Stmt::DivZero => col("?column?", INT4),
            _ => None,
        }
    }

    fn param_types(&self) -> Vec<u32> {
        match self {
            Stmt::Param(oid) => vec![*oid],
            _ => vec![],
        }
    }
}

/// A generate_series in progress.
#[derive(Debug, Clone)]
struct Series {
    next: i64,
    end: i64,
}

/// A bound portal.
#[derive(Debug, Clone)]
struct Portal {
    stmt: Stmt,
    params: Vec<Value>,
    /// For a suspended series: where it stopped.
    series: Option<Series>,
}

/// The statement stream in progress (answering `Fetch`).
#[derive(Debug)]
enum Running {
    /// A simple query: the series being streamed and the statements after it.
    Simple {
        series: Option<Series>,
        rest: VecDeque<Stmt>,
    },
    /// An Execute of a series portal with a row budget left (0 = none).
    Portal {
        name: String,
        budget: u64,
        sent: u64,
    },
    /// COPY FROM STDIN: lines so far, the last bytes seen (to spot the
    /// legacy `\.` end-of-data line, which is not a row), and the
    /// statements after it.
    Copy {
        lines: u64,
        tail: Vec<u8>,
        rest: VecDeque<Stmt>,
    },
}

/// One connection's test backend. See the [module docs](self).
#[derive(Debug, Default)]
pub struct TestBackend {
    status: TxStatus,
    statements: HashMap<String, Stmt>,
    portals: HashMap<String, Portal>,
    running: Option<Running>,
    flag: Arc<Flag>,
}

/// The interrupt handle: a flag and a condvar the sleeping call waits on.
#[derive(Debug, Default)]
struct Flag {
    state: Mutex<FlagState>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct FlagState {
    /// A call is running (an interrupt at any other time is ignored).
    busy: bool,
    /// The interrupt that arrived during the call.
    reason: Option<InterruptReason>,
}

impl Flag {
    fn lock(&self) -> MutexGuard<'_, FlagState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Interrupt for Flag {
    fn interrupt(&self, reason: InterruptReason) {
        let mut state = self.lock();
        if state.busy {
            state.reason = Some(reason);
            self.wake.notify_all();
        }
    }
}

fn error(code: SqlState, message: &str) -> ErrorReport {
    ErrorReport::error(code, message)
}

fn canceled(reason: InterruptReason) -> ErrorReport {
    error(
        SqlState::QUERY_CANCELED,
        match reason {
            InterruptReason::UserCancel => "canceling statement due to user request",
            InterruptReason::StatementTimeout => "canceling statement due to statement timeout",
        },
    )
}

impl Backend for TestBackend {
    fn call(&mut self, call: Call) -> Reply {
        {
            let mut state = self.flag.lock();
            state.busy = true;
            state.reason = None;
        }
        let reply = self.answer(call);
        self.flag.lock().busy = false;
        reply
    }

    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        Some(self.flag.clone())
    }
}

impl TestBackend {
    fn answer(&mut self, call: Call) -> Reply {
        match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Query(sql) => {
                let mut stmts: VecDeque<Stmt> = split(&sql).map(Stmt::parse).collect();
                if stmts.is_empty() {
                    stmts.push_back(Stmt::Empty);
                }
                let mut outputs = Vec::new();
                self.run_simple(None, stmts, &mut outputs)
            }
            Call::Fetch => match self.running.take() {
                Some(Running::Simple { series, rest }) => {
                    let mut outputs = Vec::new();
                    self.run_simple(series, rest, &mut outputs)
                }
                Some(Running::Portal { name, budget, sent }) => self.run_portal(name, budget, sent),
                other => {
                    self.running = other;
                    self.fail(error(SqlState::PROTOCOL_VIOLATION, "nothing to fetch"))
                }
            },
            Call::Parse { statement, sql, .. } => {
                let stmt = Stmt::parse(&sql);
                if let Stmt::Bad(text) = &stmt {
                    return self.fail_reply(syntax_error(text));
                }
                let reply = Reply::Parsed {
                    param_types: stmt.param_types(),
                    columns: stmt.columns(),
                };
                self.statements.insert(statement, stmt);
                reply
            }
            Call::Bind {
                portal,
                statement,
                params,
                ..
            } => {
                let Some(stmt) = self.statements.get(&statement).cloned() else {
                    return self.fail_reply(error(
                        SqlState::from_code("26000"),
                        &format!("prepared statement \"{statement}\" does not exist"),
                    ));
                };
                let columns = stmt.columns();
                self.portals.insert(
                    portal,
                    Portal {
                        stmt,
                        params,
                        series: None,
                    },
                );
                Reply::Bound { columns }
            }
            Call::Describe(target) => {
                let stmt = match &target {
                    Target::Statement(name) => self.statements.get(name).cloned(),
                    Target::Portal(name) => self.portals.get(name).map(|p| p.stmt.clone()),
                };
                match stmt {
                    Some(stmt) => Reply::Described {
                        param_types: matches!(target, Target::Statement(_))
                            .then(|| stmt.param_types()),
                        columns: stmt.columns(),
                    },
                    None => self.fail_reply(error(
                        SqlState::from_code("26000"),
                        "no such statement or portal",
                    )),
                }
            }
            Call::Execute { portal, max_rows } => self.run_portal(portal, max_rows, 0),
            Call::Close(target) => {
                match target {
                    Target::Statement(name) => self.statements.remove(&name),
                    Target::Portal(name) => self.portals.remove(&name).map(|p| p.stmt),
                };
                Reply::Closed
            }
            Call::Sync => {
                self.portals.retain(|name, _| !name.is_empty());
                Reply::Synced {
                    status: self.status,
                }
            }
            Call::CopyData(data) => match &mut self.running {
                Some(Running::Copy { lines, tail, .. }) => {
                    *lines += data.iter().filter(|b| **b == b'\n').count() as u64;
                    tail.extend_from_slice(&data[data.len().saturating_sub(4)..]);
                    let keep = tail.len().saturating_sub(4);
                    tail.drain(..keep);
                    Reply::CopyAccepted
                }
                _ => self.fail_reply(error(SqlState::PROTOCOL_VIOLATION, "no COPY in progress")),
            },
            Call::CopyDone => match self.running.take() {
                Some(Running::Copy { lines, tail, rest }) => {
                    let end_marker = tail.ends_with(b"\n\\.\n") || tail == b"\\.\n";
                    let lines = lines - u64::from(end_marker);
                    let mut outputs = vec![Output::Complete(format!("COPY {lines}"))];
                    self.run_simple(None, rest, &mut outputs)
                }
                _ => self.fail(error(SqlState::PROTOCOL_VIOLATION, "no COPY in progress")),
            },
            Call::CopyFail(report) => {
                self.running = None;
                self.fail(report)
            }
            Call::Fail(_) => {
                self.running = None;
                self.after_error();
                Reply::Failed {
                    status: self.status,
                }
            }
            Call::Terminate => {
                self.status = TxStatus::Idle;
                Reply::Closed
            }
        }
    }

    /// The status after an error: a failed block stays failed until ROLLBACK.
    fn after_error(&mut self) {
        if self.status != TxStatus::Idle {
            self.status = TxStatus::Failed;
        }
    }

    /// A stream that ends in an error.
    fn fail(&mut self, report: ErrorReport) -> Reply {
        self.after_error();
        self.running = None;
        Reply::Stream(Batch {
            outputs: vec![Output::Error(report)],
            more: false,
            status: self.status,
        })
    }

    /// A non-stream call that failed.
    fn fail_reply(&mut self, report: ErrorReport) -> Reply {
        self.after_error();
        Reply::Error {
            report,
            status: self.status,
        }
    }

    /// Runs simple-query statements until done, a batch is full, an error
    /// or a COPY.
    fn run_simple(
        &mut self,
        mut series: Option<Series>,
        mut rest: VecDeque<Stmt>,
        outputs: &mut Vec<Output>,
    ) -> Reply {
        loop {
            if let Some(mut s) = series.take() {
                let rows = take_rows(&mut s, BATCH_ROWS as u64);
                outputs.push(Output::Rows(rows));
                if s.next <= s.end {
                    self.running = Some(Running::Simple {
                        series: Some(s),
                        rest,
                    });
                    return self.batch(std::mem::take(outputs), true);
                }
                outputs.push(Output::Complete(format!("SELECT {}", s.end.max(0))));
            }
            let Some(stmt) = rest.pop_front() else {
                return self.batch(std::mem::take(outputs), false);
            };
            if self.status == TxStatus::Failed && !matches!(stmt, Stmt::Commit | Stmt::Rollback) {
                outputs.push(Output::Error(aborted()));
                return self.batch(std::mem::take(outputs), false);
            }
            let columns = stmt.columns().map(Output::Columns);
            match self.execute(&stmt, &[]) {
                Step::Done(mut out) => {
                    outputs.extend(columns);
                    outputs.append(&mut out);
                }
                Step::Failed(report) => {
                    self.after_error();
                    outputs.push(Output::Error(report));
                    return self.batch(std::mem::take(outputs), false);
                }
                Step::Series(s) => {
                    outputs.extend(columns);
                    series = Some(s);
                }
                Step::CopyIn => {
                    outputs.push(Output::CopyIn {
                        format: Format::Text,
                        columns: vec![Format::Text],
                    });
                    self.running = Some(Running::Copy {
                        lines: 0,
                        tail: Vec::new(),
                        rest,
                    });
                    return self.batch(std::mem::take(outputs), false);
                }
            }
        }
    }

    /// Executes (or resumes) a portal with a row budget.
    fn run_portal(&mut self, name: String, max_rows: u64, sent: u64) -> Reply {
        let Some(portal) = self.portals.get(&name).cloned() else {
            return self.fail(error(
                SqlState::from_code("34000"),
                &format!("portal \"{name}\" does not exist"),
            ));
        };
        if self.status == TxStatus::Failed && !matches!(portal.stmt, Stmt::Commit | Stmt::Rollback)
        {
            return self.fail(aborted());
        }
        let series = match portal.series {
            Some(s) => s,
            None => match self.execute(&portal.stmt, &portal.params) {
                Step::Done(outputs) => return self.batch(outputs, false),
                Step::Failed(report) => return self.fail(report),
                Step::CopyIn => {
                    self.running = Some(Running::Copy {
                        lines: 0,
                        tail: Vec::new(),
                        rest: VecDeque::new(),
                    });
                    let outputs = vec![Output::CopyIn {
                        format: Format::Text,
                        columns: vec![Format::Text],
                    }];
                    return self.batch(outputs, false);
                }
                Step::Series(s) => s,
            },
        };
        let mut s = series;
        let want = if max_rows == 0 {
            BATCH_ROWS as u64
        } else {
            (max_rows - sent).min(BATCH_ROWS as u64)
        };
        let rows = take_rows(&mut s, want);
        let sent = sent + rows.len() as u64;
        let mut outputs = vec![Output::Rows(rows)];
        let exhausted = s.next > s.end;
        if let Some(p) = self.portals.get_mut(&name) {
            p.series = Some(s);
        }
        if exhausted {
            outputs.push(Output::Complete(format!("SELECT {sent}")));
            self.batch(outputs, false)
        } else if max_rows != 0 && sent >= max_rows {
            outputs.push(Output::Suspended);
            self.batch(outputs, false)
        } else {
            self.running = Some(Running::Portal {
                name,
                budget: max_rows,
                sent,
            });
            self.batch(outputs, true)
        }
    }

    /// Runs one statement.
    fn execute(&mut self, stmt: &Stmt, params: &[Value]) -> Step {
        let one = |v: Value| {
            Step::Done(vec![
                Output::Rows(vec![vec![v]]),
                Output::Complete("SELECT 1".into()),
            ])
        };
        match stmt {
            Stmt::Empty => Step::Done(vec![Output::EmptyQuery]),
            Stmt::Int(n) => one(Value::Int4(*n)),
            Stmt::Text(t) => one(Value::Text(t.clone())),
            Stmt::Param(_) => one(params.first().cloned().unwrap_or(Value::Null)),
            Stmt::Series(n) => Step::Series(Series { next: 1, end: *n }),
            Stmt::Sleep(secs) => match self.sleep(Duration::from_secs_f64(secs.max(0.0))) {
                Ok(()) => one(Value::Null),
                Err(reason) => Step::Failed(canceled(reason)),
            },
            Stmt::DivZero => Step::Failed(error(SqlState::from_code("22012"), "division by zero")),
            Stmt::Begin => {
                if self.status == TxStatus::Idle {
                    self.status = TxStatus::InBlock;
                }
                Step::Done(vec![Output::Complete("BEGIN".into())])
            }
            Stmt::Commit | Stmt::Rollback => {
                let tag = if *stmt == Stmt::Commit && self.status != TxStatus::Failed {
                    "COMMIT"
                } else {
                    "ROLLBACK"
                };
                self.status = TxStatus::Idle;
                Step::Done(vec![Output::Complete(tag.into())])
            }
            Stmt::Set(name, value) => Step::Done(vec![
                Output::SettingChanged {
                    name: name.clone(),
                    value: value.clone(),
                },
                Output::Complete("SET".into()),
            ]),
            Stmt::Copy => Step::CopyIn,
            // Simulates a backend bug: the adapter must drop this connection
            // and keep serving the others.
            Stmt::Panic => panic!("test_panic() called"),
            Stmt::Bad(text) => Step::Failed(syntax_error(text)),
        }
    }

    /// Sleeps until `d` passes or an interrupt arrives.
    fn sleep(&self, d: Duration) -> Result<(), InterruptReason> {
        let deadline = Instant::now() + d;
        let mut state = self.flag.lock();
        loop {
            if let Some(reason) = state.reason.take() {
                return Err(reason);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            state = self
                .flag
                .wake
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn batch(&self, outputs: Vec<Output>, more: bool) -> Reply {
        Reply::Stream(Batch {
            outputs,
            more,
            status: self.status,
        })
    }
}

/// What running one statement produced.
enum Step {
    Done(Vec<Output>),
    Failed(ErrorReport),
    Series(Series),
    CopyIn,
}

fn take_rows(s: &mut Series, n: u64) -> Vec<Vec<Value>> {
    let stop = s.end.min(s.next.saturating_add(n as i64 - 1));
    let rows = (s.next..=stop)
        .map(|i| vec![Value::Int4(i as i32)])
        .collect();
    s.next = stop + 1;
    rows
}

fn split(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(';').filter(|s| !s.trim().is_empty())
}

fn aborted() -> ErrorReport {
    error(
        SqlState::from_code("25P02"),
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

fn syntax_error(text: &str) -> ErrorReport {
    error(
        SqlState::from_code("42601"),
        &format!("syntax error (the test backend does not know \"{text}\")"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_statements_it_knows() {
        assert_eq!(Stmt::parse("SELECT 42;"), Stmt::Int(42));
        assert_eq!(Stmt::parse("select 'Hi'"), Stmt::Text("Hi".into()));
        assert_eq!(
            Stmt::parse("select generate_series(1, 10)"),
            Stmt::Series(10)
        );
        assert_eq!(Stmt::parse("select pg_sleep(0.5)"), Stmt::Sleep(0.5));
        assert_eq!(
            Stmt::parse("set statement_timeout = '200ms'"),
            Stmt::Set("statement_timeout".into(), "200ms".into())
        );
        assert_eq!(Stmt::parse("COPY t FROM STDIN"), Stmt::Copy);
        assert!(matches!(Stmt::parse("drop table x"), Stmt::Bad(_)));
    }
}
