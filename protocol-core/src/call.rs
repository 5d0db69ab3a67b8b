//! The engine-call boundary: what the core asks of the host, and the answers.
//!
//! The core never runs SQL. When a message needs the engine it emits one
//! [`Call`] (as [`Event::Call`](crate::Event::Call)) and waits; the host
//! makes the call however it likes (inline, on a worker pool, across an
//! await) and hands back exactly one [`Reply`]. Calls are coarse and typed
//! so that a host can send them across threads cheaply.
//!
//! ```text
//!   client bytes ──► Connection ──Call──► host ──► engine
//!                        ▲                  │
//!   client bytes ◄── transmit() ◄──Reply────┘
//! ```
//!
//! Results stream: [`Reply::Stream`] carries a [`Batch`] of [`Output`]s and
//! says whether more follow. The core asks for the next batch with
//! [`Call::Fetch`] only once its output buffer has drained below the
//! high-water mark, so a slow client slows the engine instead of filling
//! memory.

use bytes::Bytes;
use twill_types::{Format, Oid, Value};

use crate::error::ErrorReport;

/// Which namespace a Describe or Close names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A prepared statement (`""` is the unnamed one).
    Statement(String),
    /// A portal or SQL cursor (`""` is the unnamed one).
    Portal(String),
}

/// The transaction status reported in ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxStatus {
    /// `I`: not in a transaction block.
    #[default]
    Idle,
    /// `T`: in a transaction block.
    InBlock,
    /// `E`: in a failed transaction block; statements are refused until ROLLBACK.
    Failed,
}

impl TxStatus {
    /// The status byte.
    pub fn byte(self) -> u8 {
        match self {
            TxStatus::Idle => b'I',
            TxStatus::InBlock => b'T',
            TxStatus::Failed => b'E',
        }
    }
}

/// One result column, as RowDescription describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// OID of the base table, or 0 when the column is computed.
    pub table_oid: Oid,
    /// Attribute number in that table, or 0.
    pub column_id: i16,
    /// Type OID.
    pub type_oid: Oid,
    /// `pg_type.typlen` (-1 varlena).
    pub type_len: i16,
    /// Type modifier (`varchar(20)` → 24), or -1.
    pub type_modifier: i32,
}

impl Column {
    /// A computed column of a type, with no table and no modifier.
    pub fn new(name: impl Into<String>, type_oid: Oid, type_len: i16) -> Column {
        Column {
            name: name.into(),
            table_oid: 0,
            column_id: 0,
            type_oid,
            type_len,
            type_modifier: -1,
        }
    }
}

/// What the client asked for at startup, for the engine to open a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStart {
    /// The authenticated user.
    pub user: String,
    /// The database name (defaults to the user name, as in PostgreSQL).
    pub database: String,
    /// Run-time settings to apply, in order: startup parameters other than
    /// user/database/options/replication (application_name, DateStyle,
    /// TimeZone, extra_float_digits, client_encoding normalised to `UTF8`…),
    /// then the `-c name=value` pairs from `options`.
    pub settings: Vec<(String, String)>,
}

/// An engine call. The host answers each with exactly one [`Reply`].
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// Open the SQL session for an authenticated client. Answer:
    /// [`Reply::SessionOpened`] or [`Reply::Error`] (sent as FATAL).
    OpenSession(SessionStart),
    /// Run a simple-protocol query string (possibly several statements, or
    /// none) with PostgreSQL's implicit-transaction rules. Answer:
    /// [`Reply::Stream`]; the engine reports each statement's columns with
    /// [`Output::Columns`]. As in PostgreSQL, a simple query drops the
    /// unnamed statement and the unnamed portal.
    Query(String),
    /// Parse and plan a statement under a name (replacing the unnamed one).
    /// Answer: [`Reply::Parsed`] or [`Reply::Error`].
    Parse {
        /// Statement name; `""` is the unnamed statement.
        statement: String,
        /// SQL text.
        sql: String,
        /// Parameter types the client gave (0 = infer from context).
        param_types: Vec<Oid>,
    },
    /// Bind parameters into a portal (replacing the unnamed one). Answer:
    /// [`Reply::Bound`] or [`Reply::Error`].
    Bind {
        /// Portal name; `""` is the unnamed portal.
        portal: String,
        /// Statement name.
        statement: String,
        /// Parameter values, decoded with the statement's parameter types.
        params: Vec<Value>,
        /// Result formats, one per result column (expanded by the core).
        result_formats: Vec<Format>,
    },
    /// Describe a statement or portal the core has no description of (a
    /// statement made with SQL PREPARE, a cursor made with DECLARE).
    /// Answer: [`Reply::Described`] or [`Reply::Error`].
    Describe(Target),
    /// Run a portal, returning at most `max_rows` rows (0 = no limit).
    /// Answer: [`Reply::Stream`], ending in `Complete` or `Suspended`.
    Execute {
        /// Portal name.
        portal: String,
        /// Row limit, 0 for none.
        max_rows: u64,
    },
    /// The next batch of the stream in progress. Answer: [`Reply::Stream`].
    Fetch,
    /// Close a statement or portal (closing one that does not exist is not
    /// an error). Answer: [`Reply::Closed`].
    Close(Target),
    /// End of an extended-query batch: commit an implicit transaction, drop
    /// the unnamed portal. Answer: [`Reply::Synced`].
    Sync,
    /// COPY FROM STDIN data, in any chunking (the core may join messages).
    /// Answer: [`Reply::CopyAccepted`] or [`Reply::Error`].
    CopyData(Bytes),
    /// End of COPY data. Answer: [`Reply::Stream`] (the rest of the query).
    CopyDone,
    /// Abort the COPY in progress with this error (the client sent
    /// CopyFail, broke the COPY sub-protocol, or statement_timeout expired).
    /// Answer: [`Reply::Stream`] with the rest of the query's output, which
    /// normally is just `Output::Error(report)`.
    CopyFail(ErrorReport),
    /// The core refused a client message with this error (already sent to
    /// the client): fail the statement in progress as if the engine had
    /// raised it — roll back an implicit transaction, put a transaction
    /// block into the failed state (25P02 until ROLLBACK). Answer:
    /// [`Reply::Failed`].
    Fail(ErrorReport),
    /// The connection is ending: roll back and free the session. Answer:
    /// [`Reply::Closed`].
    Terminate,
}

impl Call {
    /// Whether this call starts or continues a statement (statement_timeout
    /// applies to it).
    pub fn runs_statement(&self) -> bool {
        matches!(
            self,
            Call::Query(_)
                | Call::Execute { .. }
                | Call::Fetch
                | Call::CopyData(_)
                | Call::CopyDone
                | Call::Parse { .. }
                | Call::Bind { .. }
        )
    }
}

/// One piece of a streamed result.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A statement in a simple query returns rows with these columns
    /// (RowDescription, all text).
    Columns(Vec<Column>),
    /// Rows for the current statement.
    Rows(Vec<Vec<Value>>),
    /// The statement finished: CommandComplete with this tag (`SELECT 3`,
    /// `INSERT 0 1`, …).
    Complete(String),
    /// The query string held no statement (EmptyQueryResponse).
    EmptyQuery,
    /// Execute stopped at `max_rows` (PortalSuspended).
    Suspended,
    /// A notice for the client.
    Notice(ErrorReport),
    /// The statement failed; for a simple query, the rest of the string is
    /// skipped. Always the last output of its batch.
    Error(ErrorReport),
    /// COPY FROM STDIN begins: the stream pauses until CopyDone/CopyFail.
    /// Always the last output of its batch.
    CopyIn {
        /// Overall format.
        format: Format,
        /// Per-column formats.
        columns: Vec<Format>,
    },
    /// COPY TO STDOUT begins; `CopyData` outputs and `CopyDone` follow.
    CopyOut {
        /// Overall format.
        format: Format,
        /// Per-column formats.
        columns: Vec<Format>,
    },
    /// One chunk of COPY TO STDOUT data.
    CopyData(Bytes),
    /// COPY TO STDOUT is done.
    CopyDone,
    /// A run-time setting changed (SET, RESET, set_config, a transaction
    /// end reverting SET LOCAL). The core sends ParameterStatus for the ones
    /// PostgreSQL reports and updates its own formatting and timers.
    SettingChanged {
        /// Setting name, as PostgreSQL spells it (`application_name`, `TimeZone`).
        name: String,
        /// New value, as SHOW prints it.
        value: String,
    },
    /// SQL `DEALLOCATE name` / `DEALLOCATE ALL` (None) dropped statements.
    Deallocated(Option<String>),
    /// SQL `CLOSE name` / `CLOSE ALL` (None) closed cursors (portals).
    PortalsClosed(Option<String>),
}

/// A slice of a streamed result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// What to send, in order.
    pub outputs: Vec<Output>,
    /// True when the stream has more: the core will send [`Call::Fetch`].
    pub more: bool,
    /// The transaction status after this batch.
    pub status: TxStatus,
}

/// The host's answer to one [`Call`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The session is open; `settings` are the current values of the
    /// reportable settings (they override the core's defaults in the
    /// ParameterStatus sent at startup).
    SessionOpened {
        /// Name/value pairs.
        settings: Vec<(String, String)>,
    },
    /// A statement was parsed: its parameter types (0s resolved) and result
    /// columns (None: it returns no rows).
    Parsed {
        /// One OID per parameter.
        param_types: Vec<Oid>,
        /// Result columns, or None for NoData.
        columns: Option<Vec<Column>>,
    },
    /// A portal was bound; its result columns.
    Bound {
        /// Result columns, or None for NoData.
        columns: Option<Vec<Column>>,
    },
    /// A description for [`Call::Describe`].
    Described {
        /// Parameter types (statements only).
        param_types: Option<Vec<Oid>>,
        /// Result columns, or None for NoData.
        columns: Option<Vec<Column>>,
    },
    /// A batch of a streamed result.
    Stream(Batch),
    /// A close is done.
    Closed,
    /// Sync is done.
    Synced {
        /// The status for ReadyForQuery.
        status: TxStatus,
    },
    /// COPY data was taken.
    CopyAccepted,
    /// The transaction was failed after [`Call::Fail`].
    Failed {
        /// The status after the failure (`E` in a block, `I` otherwise).
        status: TxStatus,
    },
    /// The call failed.
    Error {
        /// What to report.
        report: ErrorReport,
        /// The transaction status after the failure.
        status: TxStatus,
    },
}
