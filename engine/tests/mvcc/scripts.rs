//! Goldenscript MVCC scenarios: sessions on real threads, driven by a
//! script, with PostgreSQL 15's outcomes recorded as the expected output.
//!
//! Scripts live in `tests/mvcc/scripts/*`; regenerate their output with
//! `UPDATE_GOLDENFILES=1 cargo test -p twill-engine --test mvcc` and review
//! the diff like code.
//!
//! # The command language
//!
//! Two tables exist: `t (k text primary key, v int8)` and `u`, the same with
//! a unique index `u_v_key` on `v`. Commands whose name is a session name
//! (`t1`, `s2`, …) run in that session's thread, one statement each (each
//! command calls `begin_statement`). Keys are text, values integers.
//!
//! ```text
//! reset                             start over with a fresh engine
//! setup [table=u] k=v…              commit these rows before the scenario
//! dump [table=u]                    print all committed rows
//! sleep MS                          wait, then report sessions that finished
//! <s> begin [rc|rr|ser] [deadlock_timeout=MS] [lock_timeout=MS]
//! <s> get [table=u] k…              point reads:          <s>: x=1 y=∅
//! <s> scan [table=u] [from=k] [to=k]  range scan [from, to): <s>: x=1 y=2
//! <s> insert [table=u] k=v…         INSERT
//! <s> update [table=u] k=v…         UPDATE … SET v = v' WHERE k = …
//! <s> incr [table=u] k… [by=N] [if_ge=M]
//!                                   UPDATE … SET v = v + N WHERE k = … [AND v >= M]
//!                                   (re-checked on the newest version: EvalPlanQual)
//! <s> delete [table=u] k…           DELETE … WHERE k = …
//! <s> lock [table=u] k… [mode=update|nokeyupdate|share|keyshare] [nowait] [skip]
//!                                   SELECT … FOR <mode> [NOWAIT|SKIP LOCKED]
//! <s> drop [table=u]                DROP TABLE (waits for the table's users)
//! <s> savepoint N | release N | rollback_to N
//! <s> commit | rollback
//! ```
//!
//! Output lines are `<s>: …`. A statement that blocks prints
//! `<s>: waiting`; when a later command lets it finish, its result follows
//! that command's as `<s>: <... completed> …`, as PostgreSQL's isolation
//! tester prints it. Errors print as `ERROR <sqlstate> <message>`. A COMMIT
//! prints `COMMIT`, or `ROLLBACK` if the transaction had failed.

use std::collections::{BTreeMap, HashSet};
use std::error::Error;
use std::fmt::Write as _;
use std::time::Duration;

use twill_engine::mvcc::{
    ColumnDef, CommitOutcome, Engine, EngineConfig, IndexDef, IsolationLevel, Key, LockMode,
    LockOutcome, Row, TableDef, TableId, WaitPolicy,
};
use twill_types::{Value, oid};

use super::harness::{Session, SessionState, Step};

/// How long to give a waiting session with a short `deadlock_timeout` to
/// find its deadlock before the script goes on.
const GRACE: Duration = Duration::from_millis(150);

/// A session's `deadlock_timeout` unless the script sets one: longer than
/// any script, so only sessions that ask for it look for deadlocks.
const LONG_DEADLOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// A step for a session thread.
type Job = Box<dyn FnOnce(&mut SessionState) -> String + Send>;

struct Runner {
    engine: Engine,
    tables: BTreeMap<String, TableId>,
    sessions: BTreeMap<String, Session>,
    /// Sessions that look for deadlocks quickly.
    quick: HashSet<String>,
}

fn table_def(name: &str, unique_v: bool) -> TableDef {
    let column = |name: &str, type_oid| ColumnDef::new(name, type_oid);
    TableDef {
        columns: vec![column("k", oid::TEXT), column("v", oid::INT8)],
        primary_key: Some(vec![0]),
        indexes: if unique_v {
            vec![IndexDef {
                name: format!("{name}_v_key"),
                columns: vec![1],
                unique: true,
            }]
        } else {
            Vec::new()
        },
        ..TableDef::new(name)
    }
}

impl Runner {
    fn new() -> Runner {
        let engine = Engine::new(EngineConfig {
            deadlock_timeout: LONG_DEADLOCK_TIMEOUT,
            ..EngineConfig::default()
        });
        let mut txn = engine.begin(IsolationLevel::ReadCommitted);
        let mut tables = BTreeMap::new();
        for (name, unique) in [("t", false), ("u", true)] {
            let id = txn
                .create_table(table_def(name, unique))
                .expect("fresh engine");
            tables.insert(name.to_string(), id);
        }
        assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
        Runner {
            engine,
            tables,
            sessions: BTreeMap::new(),
            quick: HashSet::new(),
        }
    }
}

fn key(k: &str) -> Key {
    Key::encode(&[Value::Text(k.to_string())])
}

fn row(k: &str, v: i64) -> Row {
    vec![Value::Text(k.to_string()), Value::Int8(v)].into()
}

fn show(row: &Row) -> String {
    match (&row[0], &row[1]) {
        (Value::Text(k), Value::Int8(v)) => format!("{k}={v}"),
        other => format!("{other:?}"),
    }
}

fn error(e: twill_engine::mvcc::Error) -> String {
    format!("ERROR {} {e}", e.sqlstate())
}

/// Parsed arguments of one command.
struct Args {
    table: Option<String>,
    positional: Vec<String>,
    pairs: Vec<(String, String)>,
}

fn parse(command: &goldenscript::Command) -> Args {
    let mut args = Args {
        table: None,
        positional: Vec::new(),
        pairs: Vec::new(),
    };
    for arg in &command.args {
        match arg {
            goldenscript::Argument::KeyValue(k, v) if k == "table" => args.table = Some(v.clone()),
            goldenscript::Argument::KeyValue(k, v) => args.pairs.push((k.clone(), v.clone())),
            goldenscript::Argument::Positional(v) => args.positional.push(v.clone()),
            other => panic!("unsupported argument {other}"),
        }
    }
    args
}

impl Runner {
    fn table(&self, args: &Args) -> Result<TableId, Box<dyn Error>> {
        let name = args.table.as_deref().unwrap_or("t");
        Ok(*self
            .tables
            .get(name)
            .ok_or_else(|| format!("no table {name}"))?)
    }

    /// Builds the job for a session command.
    fn job(&mut self, session: &str, verb: &str, args: Args) -> Result<Job, Box<dyn Error>> {
        let table = self.table(&args)?;
        let pair = |name: &str| {
            args.pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Ok(match verb {
            "begin" => {
                let isolation = match args.positional.first().map(String::as_str) {
                    None | Some("rc") => IsolationLevel::ReadCommitted,
                    Some("rr") => IsolationLevel::RepeatableRead,
                    Some("ser") => IsolationLevel::Serializable,
                    Some(other) => return Err(format!("unknown isolation {other}").into()),
                };
                let ms = |v: Option<String>| -> Result<Option<Duration>, Box<dyn Error>> {
                    Ok(match v {
                        Some(v) => Some(Duration::from_millis(v.parse()?)),
                        None => None,
                    })
                };
                let deadlock = ms(pair("deadlock_timeout"))?;
                let lock_timeout = ms(pair("lock_timeout"))?;
                if deadlock.is_some_and(|d| d < GRACE) {
                    self.quick.insert(session.to_string());
                } else {
                    self.quick.remove(session);
                }
                Box::new(move |s: &mut SessionState| {
                    let mut txn = s.engine.begin(isolation);
                    txn.set_deadlock_timeout(deadlock);
                    txn.set_lock_timeout(lock_timeout);
                    s.set_txn(txn);
                    "BEGIN".to_string()
                })
            }
            "commit" => Box::new(|s: &mut SessionState| match s.txn.take() {
                None => "no transaction".to_string(),
                Some(txn) => match txn.commit() {
                    Ok(CommitOutcome::Committed) => "COMMIT".to_string(),
                    Ok(CommitOutcome::RolledBack) => "ROLLBACK".to_string(),
                    Err(e) => error(e),
                },
            }),
            "rollback" => Box::new(|s: &mut SessionState| {
                if let Some(txn) = s.txn.take() {
                    txn.rollback();
                }
                "ROLLBACK".to_string()
            }),
            "drop" => {
                let name = args.table.clone().unwrap_or_else(|| "t".into());
                Box::new(move |s: &mut SessionState| {
                    let txn = s.txn();
                    if let Err(e) = txn.begin_statement() {
                        return error(e);
                    }
                    txn.drop_table(&name)
                        .map(|()| "DROP TABLE".to_string())
                        .unwrap_or_else(error)
                })
            }
            "savepoint" | "release" | "rollback_to" => {
                let name = args
                    .positional
                    .first()
                    .cloned()
                    .ok_or("savepoint name missing")?;
                let verb = verb.to_string();
                Box::new(move |s: &mut SessionState| {
                    let txn = s.txn();
                    let result = match verb.as_str() {
                        "savepoint" => txn.savepoint(&name),
                        "release" => txn.release_savepoint(&name),
                        _ => txn.rollback_to_savepoint(&name),
                    };
                    result.map(|()| "ok".to_string()).unwrap_or_else(error)
                })
            }
            _ => self.statement_job(table, verb, args)?,
        })
    }

    /// Jobs that are one statement on one table.
    fn statement_job(&self, table: TableId, verb: &str, args: Args) -> Result<Job, Box<dyn Error>> {
        let Args {
            positional, pairs, ..
        } = args;
        let verb = verb.to_string();
        let mut values = Vec::new();
        for (k, v) in &pairs {
            if !matches!(k.as_str(), "by" | "if_ge" | "mode" | "from" | "to") {
                values.push((k.clone(), v.parse::<i64>()?));
            }
        }
        let option = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let by: i64 = option("by").map(|b| b.parse()).transpose()?.unwrap_or(1);
        let if_ge: i64 = option("if_ge")
            .map(|b| b.parse())
            .transpose()?
            .unwrap_or(i64::MIN);
        let mode = match option("mode").as_deref() {
            None | Some("update") => LockMode::Update,
            Some("nokeyupdate") => LockMode::NoKeyUpdate,
            Some("share") => LockMode::Share,
            Some("keyshare") => LockMode::KeyShare,
            Some(other) => return Err(format!("unknown lock mode {other}").into()),
        };
        let policy = if positional.iter().any(|p| p == "nowait") {
            WaitPolicy::NoWait
        } else if positional.iter().any(|p| p == "skip") {
            WaitPolicy::SkipLocked
        } else {
            WaitPolicy::Block
        };
        let names: Vec<String> = positional
            .into_iter()
            .filter(|p| p != "nowait" && p != "skip")
            .collect();
        let (from, to) = (option("from"), option("to"));
        Ok(Box::new(move |s: &mut SessionState| {
            let txn = s.txn();
            if let Err(e) = txn.begin_statement() {
                return error(e);
            }
            let mut out = Vec::new();
            let result: Result<(), twill_engine::mvcc::Error> = (|| {
                match verb.as_str() {
                    "get" => {
                        for k in &names {
                            match txn.get(table, &key(k))? {
                                Some(r) => out.push(show(&r)),
                                None => out.push(format!("{k}=∅")),
                            }
                        }
                    }
                    "scan" => {
                        let start = from.as_deref().map(key);
                        let end = to.as_deref().map(key);
                        let range = (
                            start.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
                            end.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
                        );
                        for item in txn.scan(table, range)? {
                            out.push(show(&item?.1));
                        }
                        if out.is_empty() {
                            out.push("(no rows)".into());
                        }
                    }
                    "insert" => {
                        for (k, v) in &values {
                            txn.insert(table, row(k, *v))?;
                        }
                        out.push("ok".into());
                    }
                    "update" => {
                        for (k, v) in &values {
                            let done = txn.update(table, &key(k), row(k, *v))?;
                            out.push(if done {
                                format!("{k}={v}")
                            } else {
                                format!("{k}: no row")
                            });
                        }
                    }
                    "incr" => {
                        for k in &names {
                            let new = txn.update_with(table, &key(k), |r| {
                                let Value::Int8(v) = r[1] else { return None };
                                (v >= if_ge).then(|| row(k, v + by))
                            })?;
                            out.push(new.map_or(format!("{k}: no row"), |r| show(&r)));
                        }
                    }
                    "delete" => {
                        for k in &names {
                            let done = txn.delete(table, &key(k))?;
                            out.push(if done {
                                format!("{k} deleted")
                            } else {
                                format!("{k}: no row")
                            });
                        }
                    }
                    "lock" => {
                        for k in &names {
                            out.push(match txn.lock_row(table, &key(k), mode, policy)? {
                                LockOutcome::Locked(r) => format!("locked {}", show(&r)),
                                LockOutcome::Updated(r) => format!("locked newer {}", show(&r)),
                                LockOutcome::Gone => format!("{k}: gone"),
                                LockOutcome::Skipped => format!("{k}: skipped"),
                            });
                        }
                    }
                    other => out.push(format!("unknown command {other}")),
                }
                Ok(())
            })();
            if let Err(e) = result {
                out.push(error(e));
            }
            out.join(" ")
        }))
    }

    /// Collects completions of pending sessions (other than `except`).
    fn collect(&mut self, except: Option<&str>, output: &mut String) {
        for (name, session) in &mut self.sessions {
            if Some(name.as_str()) == except || !session.pending {
                continue;
            }
            if let Step::Done(result) = session.poll() {
                writeln!(output, "{name}: <... completed> {result}").expect("writing to a String");
            }
        }
    }

    fn committed(&self, table: TableId) -> String {
        let mut txn = self.engine.begin(IsolationLevel::ReadCommitted);
        let rows: Vec<String> = txn
            .scan(table, ..)
            .expect("table exists")
            .map(|r| show(&r.expect("scan").1))
            .collect();
        if rows.is_empty() {
            "(no rows)".into()
        } else {
            rows.join(" ")
        }
    }
}

impl goldenscript::Runner for Runner {
    type Command = goldenscript::Command;

    fn run(
        &mut self,
        command: &Self::Command,
        _: &goldenscript::Context,
    ) -> Result<String, Box<dyn Error>> {
        let mut output = String::new();
        let args = parse(command);
        match command.name.as_str() {
            "setup" => {
                let table = self.table(&args)?;
                let mut txn = self.engine.begin(IsolationLevel::ReadCommitted);
                for (k, v) in &args.pairs {
                    txn.insert(table, row(k, v.parse()?))?;
                }
                assert_eq!(txn.commit()?, CommitOutcome::Committed);
                writeln!(output, "{}", self.committed(table))?;
            }
            "reset" => {
                self.end_script()?;
                *self = Runner::new();
            }
            "sleep" => {
                let ms: u64 = args.positional.first().ok_or("sleep how long?")?.parse()?;
                std::thread::sleep(Duration::from_millis(ms));
                self.collect(None, &mut output);
            }
            "dump" => {
                let table = self.table(&args)?;
                writeln!(output, "{}", self.committed(table))?;
            }
            session => {
                let mut positional = args.positional.clone();
                if positional.is_empty() {
                    return Err("missing verb".into());
                }
                let verb = positional.remove(0);
                let args = Args { positional, ..args };
                let job = self.job(session, &verb, args)?;
                let engine = self.engine.clone();
                let s = self
                    .sessions
                    .entry(session.to_string())
                    .or_insert_with(|| Session::new(&engine));
                if s.pending {
                    return Err(format!("{session} is still waiting").into());
                }
                let mut step = s.step(job);
                if step == Step::Waiting && self.quick.contains(session) {
                    std::thread::sleep(GRACE);
                    step = s.poll();
                }
                match step {
                    Step::Done(result) => writeln!(output, "{session}: {result}")?,
                    Step::Waiting => writeln!(output, "{session}: waiting")?,
                }
                self.collect(Some(session), &mut output);
            }
        }
        Ok(output)
    }

    fn end_script(&mut self) -> Result<(), Box<dyn Error>> {
        if let Some((name, _)) = self.sessions.iter().find(|(_, s)| s.pending) {
            return Err(format!("session {name} still waiting at the end of the script").into());
        }
        Ok(())
    }
}

#[test]
fn scripts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mvcc/scripts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scripts directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let mut runner = Runner::new();
        goldenscript::run(&mut runner, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
