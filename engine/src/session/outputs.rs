//! What sessions answer: the pieces of a result, shaped like the wire
//! protocol's messages but free of it.

use twill_types::{Oid, Value};

use crate::sql::error::SqlError;

/// The transaction status reported after each query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxStatus {
    /// Not in a transaction block.
    #[default]
    Idle,
    /// In a transaction block.
    InBlock,
    /// In a failed transaction block.
    Failed,
}

/// One result column, as RowDescription describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Base table OID, or 0.
    pub table_oid: Oid,
    /// Attribute number in that table, or 0.
    pub column_id: i16,
    /// Type OID.
    pub type_oid: Oid,
    /// `pg_type.typlen`.
    pub type_len: i16,
    /// Type modifier, or -1.
    pub type_modifier: i32,
}

/// A prepared statement's description.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Parameter types, inferred where the client sent 0.
    pub param_types: Vec<Oid>,
    /// Result columns, or `None` when it returns no rows.
    pub columns: Option<Vec<ColumnInfo>>,
}

/// One piece of a streamed result.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A statement returns rows with these columns.
    Columns(Vec<ColumnInfo>),
    /// Rows of the current statement.
    Rows(Vec<Vec<Value>>),
    /// The statement finished with this command tag.
    Complete(String),
    /// The query string was empty.
    EmptyQuery,
    /// Execute stopped at its row limit.
    Suspended,
    /// A notice or warning.
    Notice(SqlError),
    /// The statement failed; the rest of the string is skipped.
    Error(SqlError),
    /// COPY FROM STDIN begins.
    CopyIn {
        /// Binary format.
        binary: bool,
        /// Number of columns.
        columns: usize,
    },
    /// COPY TO STDOUT begins.
    CopyOut {
        /// Binary format.
        binary: bool,
        /// Number of columns.
        columns: usize,
    },
    /// COPY TO STDOUT data.
    CopyData(Vec<u8>),
    /// COPY TO STDOUT is done.
    CopyDone,
    /// A run-time setting changed.
    SettingChanged {
        /// Setting name.
        name: String,
        /// New value.
        value: String,
    },
    /// DEALLOCATE dropped statements (`None` = all).
    Deallocated(Option<String>),
    /// CLOSE closed cursors (`None` = all).
    PortalsClosed(Option<String>),
}

/// A slice of a streamed result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// What to send, in order.
    pub outputs: Vec<Output>,
    /// More batches follow ([`crate::Session::fetch`]).
    pub more: bool,
    /// The transaction status after this batch.
    pub status: TxStatus,
}
