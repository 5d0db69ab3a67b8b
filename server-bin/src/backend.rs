//! The [`Backend`] that answers the protocol core's calls with a
//! `twill-engine` [`Session`].
//!
//! The core and the engine were designed to meet here, so the glue is thin:
//! each [`Call`] is one `Session` method, each engine result one [`Reply`].
//!
//! | call | session | reply |
//! |---|---|---|
//! | `OpenSession` | `Database::connect(user, settings)` on the named database ([`Databases`]) | `SessionOpened { reportable_settings }`, or FATAL 3D000 for an unknown name |
//! | `Query` / `Fetch` | `query` / `fetch` | `Stream(batch)` |
//! | `Parse` | `parse` | `Parsed` |
//! | `Bind` | `bind` (the core keeps the result formats) | `Bound` |
//! | `Describe` | `describe_statement` / `describe_portal` | `Described` |
//! | `Execute` | `execute` | `Stream(batch)` |
//! | `Close` | `close_statement` / `close_portal` | `Closed` |
//! | `Sync` | `sync` | `Synced` |
//! | `CopyData` / `CopyDone` / `CopyFail` | `copy_data` / `copy_done` / `copy_fail` | `CopyAccepted` / `Stream` |
//! | `Fail` | `fail` | `Failed` |
//! | `Terminate` | `terminate` | `Closed` |
//!
//! A failed parse, bind, describe or COPY chunk is `Reply::Error` with the
//! session's status after it. Result streams are the engine's own batches:
//! the core asks for the next (`Fetch`) only once the client has drained
//! the last, so a slow client slows the statement instead of filling memory.
//!
//! The session is opened in the `OpenSession` call, not in
//! [`EngineFactory::new_backend`]: the factory runs on the adapters' accept
//! path (an event loop) and must be cheap; calls run where blocking is
//! allowed.
//!
//! `--wire-trace` shows each call here, at debug level under the target
//! [`WIRE_TARGET`]: the protocol core (sans-IO, no logging) exposes no hook
//! for raw frontend messages, and the calls are what those messages became
//! (one `Query`, or `Parse`/`Bind`/`Execute`/`Sync`, …).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use twill_engine::{Database, Session, SqlError};

use crate::databases::Databases;
use twill_protocol::{
    Backend, BackendFactory, Batch, Call, ErrorReport, Interrupt, InterruptReason, Output, Reply,
    SessionStart, Target,
};
use twill_types::SqlState;

use crate::convert;
use crate::interrupt::EngineInterrupt;

/// The `tracing` target of the per-call trace (`--wire-trace`).
pub const WIRE_TARGET: &str = "twill_server::wire";

/// The longest call description the wire trace writes (a COPY chunk or a
/// long statement is cut, with `…`).
const TRACE_MAX: usize = 300;

/// Makes an [`EngineBackend`] per connection, on one [`Database`] or on
/// the one each session names ([`Databases`]).
pub struct EngineFactory {
    /// Where sessions connect, by the startup packet's `database`.
    dbs: Arc<Databases>,
    /// Numbers the backends, so the wire trace can tell connections apart.
    next_id: AtomicU64,
}

impl EngineFactory {
    /// A factory for sessions on `db`, whatever database name they ask for.
    pub fn new(db: Database) -> EngineFactory {
        EngineFactory::routed(Databases::Any(db))
    }

    /// A factory that connects each session to the database it names.
    pub fn routed(dbs: Databases) -> EngineFactory {
        EngineFactory {
            dbs: Arc::new(dbs),
            next_id: AtomicU64::new(1),
        }
    }
}

impl BackendFactory for EngineFactory {
    type Backend = EngineBackend;

    fn new_backend(&self) -> EngineBackend {
        EngineBackend {
            dbs: Arc::clone(&self.dbs),
            session: None,
            interrupt: Arc::new(EngineInterrupt::default()),
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// One connection's engine session, behind the protocol's [`Backend`] seam.
pub struct EngineBackend {
    /// Where `OpenSession` connects.
    dbs: Arc<Databases>,
    /// The SQL session, from `OpenSession` until `Terminate`.
    session: Option<Session>,
    /// The cancel slot the adapter holds (see `interrupt.rs`).
    interrupt: Arc<EngineInterrupt>,
    /// This connection's number in the wire trace.
    id: u64,
}

impl Backend for EngineBackend {
    fn call(&mut self, call: Call) -> Reply {
        // The arguments are only formatted when the target is enabled.
        tracing::debug!(target: WIRE_TARGET, conn = self.id, "{}", describe(&call));
        let reply = match call {
            Call::OpenSession(start) => self.open(start),
            Call::Terminate => {
                self.interrupt.set_handle(None);
                if let Some(mut session) = self.session.take() {
                    session.terminate();
                }
                Reply::Closed
            }
            call => match self.session.as_mut() {
                Some(session) => answer(session, call),
                // The core opens the session before any other call; this
                // is a host bug, reported rather than panicking a worker.
                None => Reply::Error {
                    report: ErrorReport::error(
                        SqlState::PROTOCOL_VIOLATION,
                        "no session is open on this connection",
                    ),
                    status: twill_protocol::TxStatus::Idle,
                },
            },
        };
        self.reword_cancel(reply)
    }

    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        Some(self.interrupt.clone())
    }
}

impl EngineBackend {
    /// `Call::OpenSession`: a session for the user, with the startup settings.
    fn open(&mut self, start: SessionStart) -> Reply {
        let Some(db) = self.dbs.get(&start.database) else {
            return Reply::Error {
                report: ErrorReport::fatal(
                    SqlState::INVALID_CATALOG_NAME,
                    format!("database \"{}\" does not exist", start.database),
                ),
                status: twill_protocol::TxStatus::Idle,
            };
        };
        match db.connect(&start.user, &start.settings) {
            Ok(session) => {
                let settings = session.reportable_settings();
                self.interrupt.set_handle(Some(session.cancel_handle()));
                self.session = Some(session);
                Reply::SessionOpened { settings }
            }
            Err(e) => Reply::Error {
                report: convert::error(e),
                status: twill_protocol::TxStatus::Idle,
            },
        }
    }

    /// The engine ends a cancelled statement with "canceling statement due
    /// to user request" whatever the cause; when the interrupt was the
    /// statement timeout, say so, as PostgreSQL does.
    fn reword_cancel(&self, mut reply: Reply) -> Reply {
        let report = match &mut reply {
            Reply::Stream(Batch { outputs, .. }) => match outputs.last_mut() {
                Some(Output::Error(report)) => report,
                _ => return reply,
            },
            Reply::Error { report, .. } => report,
            _ => return reply,
        };
        if report.code == SqlState::QUERY_CANCELED
            && self.interrupt.take_reason() == Some(InterruptReason::StatementTimeout)
            && report.message.contains("user request")
        {
            report.message = "canceling statement due to statement timeout".into();
        }
        reply
    }
}

/// Answers every call but `OpenSession` and `Terminate` on an open session.
fn answer(session: &mut Session, call: Call) -> Reply {
    match call {
        Call::Query(sql) => stream(session.query(&sql)),
        Call::Fetch => stream(session.fetch()),
        Call::Parse {
            statement,
            sql,
            param_types,
        } => match session.parse(&statement, &sql, &param_types) {
            Ok(prepared) => Reply::Parsed {
                param_types: prepared.param_types,
                columns: prepared.columns.map(convert::columns),
            },
            Err(e) => failed(session, e),
        },
        // The core encodes results in the formats the client asked for;
        // the engine only needs the values.
        Call::Bind {
            portal,
            statement,
            params,
            result_formats: _,
        } => match session.bind(&portal, &statement, params) {
            Ok(columns) => Reply::Bound {
                columns: columns.map(convert::columns),
            },
            Err(e) => failed(session, e),
        },
        Call::Describe(Target::Statement(name)) => match session.describe_statement(&name) {
            Ok(prepared) => Reply::Described {
                param_types: Some(prepared.param_types),
                columns: prepared.columns.map(convert::columns),
            },
            Err(e) => failed(session, e),
        },
        Call::Describe(Target::Portal(name)) => match session.describe_portal(&name) {
            Ok(columns) => Reply::Described {
                param_types: None,
                columns: columns.map(convert::columns),
            },
            Err(e) => failed(session, e),
        },
        Call::Execute { portal, max_rows } => stream(session.execute(&portal, max_rows)),
        Call::Close(Target::Statement(name)) => {
            session.close_statement(&name);
            Reply::Closed
        }
        Call::Close(Target::Portal(name)) => {
            session.close_portal(&name);
            Reply::Closed
        }
        Call::Sync => match session.sync() {
            Ok(status) => Reply::Synced {
                status: convert::status(status),
            },
            Err(e) => failed(session, e),
        },
        Call::CopyData(data) => match session.copy_data(&data) {
            Ok(()) => Reply::CopyAccepted,
            Err(e) => failed(session, e),
        },
        Call::CopyDone => stream(session.copy_done()),
        Call::CopyFail(report) => stream(session.copy_fail(convert::sql_error(report))),
        Call::Fail(report) => Reply::Failed {
            status: convert::status(session.fail(convert::sql_error(report))),
        },
        // Handled by `EngineBackend::call` before a session is needed.
        Call::OpenSession(_) | Call::Terminate => Reply::Error {
            report: ErrorReport::error(SqlState::PROTOCOL_VIOLATION, "unexpected call"),
            status: convert::status(session.status()),
        },
    }
}

/// A call as the wire trace shows it: its `Debug` form, cut at
/// [`TRACE_MAX`] characters.
fn describe(call: &Call) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write!(text, "{call:?}");
    if text.len() > TRACE_MAX {
        let mut cut = TRACE_MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn stream(batch: twill_engine::Batch) -> Reply {
    Reply::Stream(convert::batch(batch))
}

/// A failed call, with the session's status after it.
fn failed(session: &Session, error: SqlError) -> Reply {
    Reply::Error {
        report: convert::error(error),
        status: convert::status(session.status()),
    }
}

#[cfg(test)]
mod tests {
    use twill_protocol::TxStatus;
    use twill_types::Value;

    use super::*;

    fn backend() -> EngineBackend {
        let db = Database::open("memory://").expect("memory database");
        let mut backend = EngineFactory::new(db).new_backend();
        let reply = backend.call(Call::OpenSession(SessionStart {
            user: "postgres".into(),
            database: "postgres".into(),
            settings: vec![("application_name".into(), "unit".into())],
        }));
        assert!(matches!(reply, Reply::SessionOpened { .. }), "{reply:?}");
        backend
    }

    fn query(backend: &mut EngineBackend, sql: &str) -> Batch {
        match backend.call(Call::Query(sql.into())) {
            Reply::Stream(batch) => batch,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_interrupt_before_login_does_nothing() {
        let db = Database::open("memory://").unwrap();
        let backend = EngineFactory::new(db).new_backend();
        let handle = backend.interrupt_handle().expect("a cancel slot");
        handle.interrupt(InterruptReason::UserCancel);
        assert_eq!(backend.interrupt.take_reason(), None);
    }

    #[test]
    fn simple_query_round_trip() {
        let mut b = backend();
        let batch = query(
            &mut b,
            "create table t (x int); insert into t values (1), (2)",
        );
        assert_eq!(batch.status, TxStatus::Idle);
        assert!(
            batch
                .outputs
                .contains(&Output::Complete("INSERT 0 2".into())),
            "{batch:?}"
        );
        let batch = query(&mut b, "select x from t order by x");
        assert!(
            matches!(&batch.outputs[0], Output::Columns(c) if c[0].name == "x" && c[0].type_oid == 23)
        );
        assert!(batch.outputs.contains(&Output::Rows(vec![
            vec![Value::Int4(1)],
            vec![Value::Int4(2)]
        ])));
        assert_eq!(b.call(Call::Terminate), Reply::Closed);
    }

    #[test]
    fn extended_query_and_errors() {
        let mut b = backend();
        query(&mut b, "create table t (x int)");
        let reply = b.call(Call::Parse {
            statement: "s".into(),
            sql: "insert into t values ($1)".into(),
            param_types: vec![0],
        });
        assert_eq!(
            reply,
            Reply::Parsed {
                param_types: vec![23],
                columns: None
            }
        );
        let reply = b.call(Call::Bind {
            portal: "".into(),
            statement: "s".into(),
            params: vec![Value::Int4(7)],
            result_formats: vec![],
        });
        assert_eq!(reply, Reply::Bound { columns: None });
        let reply = b.call(Call::Execute {
            portal: "".into(),
            max_rows: 0,
        });
        assert!(
            matches!(reply, Reply::Stream(ref batch)
            if batch.outputs == vec![Output::Complete("INSERT 0 1".into())]),
            "{reply:?}"
        );
        assert_eq!(
            b.call(Call::Sync),
            Reply::Synced {
                status: TxStatus::Idle
            }
        );

        let reply = b.call(Call::Parse {
            statement: "".into(),
            sql: "select * from missing".into(),
            param_types: vec![],
        });
        match reply {
            Reply::Error { report, status } => {
                assert_eq!(report.code, SqlState::from_code("42P01"));
                assert_eq!(status, TxStatus::Idle);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b.call(Call::Sync),
            Reply::Synced {
                status: TxStatus::Idle
            }
        );
    }

    #[test]
    fn a_failed_block_until_rollback() {
        let mut b = backend();
        assert_eq!(query(&mut b, "begin").status, TxStatus::InBlock);
        let reply = b.call(Call::Fail(ErrorReport::error(
            SqlState::PROTOCOL_VIOLATION,
            "refused by the core",
        )));
        assert_eq!(
            reply,
            Reply::Failed {
                status: TxStatus::Failed
            }
        );
        assert_eq!(query(&mut b, "rollback").status, TxStatus::Idle);
    }

    #[test]
    fn a_timeout_cancel_is_worded_as_one() {
        let b = backend();
        b.interrupt_handle()
            .unwrap()
            .interrupt(InterruptReason::StatementTimeout);
        let reply = Reply::Stream(Batch {
            outputs: vec![Output::Error(ErrorReport::error(
                SqlState::QUERY_CANCELED,
                "canceling statement due to user request",
            ))],
            more: false,
            status: TxStatus::Idle,
        });
        match b.reword_cancel(reply) {
            Reply::Stream(batch) => assert_eq!(
                batch.outputs,
                vec![Output::Error(ErrorReport::error(
                    SqlState::QUERY_CANCELED,
                    "canceling statement due to statement timeout",
                ))]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cancel_ends_a_lock_wait() {
        let db = Database::open("memory://").unwrap();
        let factory = EngineFactory::new(db);
        let open = |b: &mut EngineBackend| {
            b.call(Call::OpenSession(SessionStart {
                user: "u".into(),
                database: "u".into(),
                settings: vec![],
            }))
        };
        let (mut holder, mut waiter) = (factory.new_backend(), factory.new_backend());
        open(&mut holder);
        open(&mut waiter);
        query(
            &mut holder,
            "create table c (id int primary key, v int); insert into c values (1, 0)",
        );
        query(&mut holder, "begin; update c set v = 1 where id = 1");
        let handle = waiter.interrupt_handle().unwrap();
        let blocked =
            std::thread::spawn(move || query(&mut waiter, "update c set v = 2 where id = 1"));
        // Until the waiter is in its wait there is nothing to cancel: retry.
        for _ in 0..100 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if blocked.is_finished() {
                break;
            }
            handle.interrupt(InterruptReason::UserCancel);
        }
        let batch = blocked.join().unwrap();
        assert_eq!(
            batch.outputs,
            vec![Output::Error(ErrorReport::error(
                SqlState::QUERY_CANCELED,
                "canceling statement due to user request",
            ))]
        );
    }
}
