//! Engine types → protocol types.
//!
//! `twill-engine` knows nothing of the wire and `twill-protocol` nothing of
//! the engine (DESIGN.md §1: the arrows meet only here), so the two crates
//! each have their own `Batch`, `Output`, `TxStatus` and column type, shaped
//! alike on purpose. These functions are the whole translation; they are
//! one-to-one except where the wire wants more than the engine says:
//!
//! * an engine COPY start says "binary or text, N columns"; the wire wants a
//!   format per column (PostgreSQL sends the overall format for each);
//! * an engine notice is a [`SqlError`] with no severity; class `01`
//!   (warning) codes become WARNING, everything else NOTICE.

use bytes::Bytes;
use twill_engine::{ColumnInfo, SqlError};
use twill_protocol::{Batch, Column, ErrorReport, Output, Severity, TxStatus};
use twill_types::Format;

/// An engine transaction status.
pub(crate) fn status(status: twill_engine::TxStatus) -> TxStatus {
    match status {
        twill_engine::TxStatus::Idle => TxStatus::Idle,
        twill_engine::TxStatus::InBlock => TxStatus::InBlock,
        twill_engine::TxStatus::Failed => TxStatus::Failed,
    }
}

/// An engine batch of outputs.
pub(crate) fn batch(batch: twill_engine::Batch) -> Batch {
    Batch {
        outputs: batch.outputs.into_iter().map(output).collect(),
        more: batch.more,
        status: status(batch.status),
    }
}

/// Result columns.
pub(crate) fn columns(columns: Vec<ColumnInfo>) -> Vec<Column> {
    columns
        .into_iter()
        .map(|c| Column {
            name: c.name,
            table_oid: c.table_oid,
            column_id: c.column_id,
            type_oid: c.type_oid,
            type_len: c.type_len,
            type_modifier: c.type_modifier,
        })
        .collect()
}

/// An engine error as an ERROR report.
pub(crate) fn error(error: SqlError) -> ErrorReport {
    report(Severity::Error, error)
}

/// An engine notice as a NOTICE (or WARNING) report.
fn notice(notice: SqlError) -> ErrorReport {
    let severity = if notice.code.class() == "01" {
        Severity::Warning
    } else {
        Severity::Notice
    };
    report(severity, notice)
}

fn report(severity: Severity, error: SqlError) -> ErrorReport {
    ErrorReport {
        severity,
        code: error.code,
        message: error.message,
        detail: error.detail,
        hint: error.hint,
        position: error.position,
        routine: None,
    }
}

/// A report the core raised (CopyFail, a refused message) as an engine
/// error, for `Session::fail` and `Session::copy_fail`.
pub(crate) fn sql_error(report: ErrorReport) -> SqlError {
    SqlError {
        code: report.code,
        message: report.message,
        detail: report.detail,
        hint: report.hint,
        position: report.position,
    }
}

fn format(binary: bool) -> Format {
    if binary { Format::Binary } else { Format::Text }
}

fn output(output: twill_engine::Output) -> Output {
    use twill_engine::Output as E;
    match output {
        E::Columns(cols) => Output::Columns(columns(cols)),
        E::Rows(rows) => Output::Rows(rows),
        E::Complete(tag) => Output::Complete(tag),
        E::EmptyQuery => Output::EmptyQuery,
        E::Suspended => Output::Suspended,
        E::Notice(n) => Output::Notice(notice(n)),
        E::Error(e) => Output::Error(error(e)),
        E::CopyIn { binary, columns } => Output::CopyIn {
            format: format(binary),
            columns: vec![format(binary); columns],
        },
        E::CopyOut { binary, columns } => Output::CopyOut {
            format: format(binary),
            columns: vec![format(binary); columns],
        },
        E::CopyData(data) => Output::CopyData(Bytes::from(data)),
        E::CopyDone => Output::CopyDone,
        E::SettingChanged { name, value } => Output::SettingChanged { name, value },
        E::Deallocated(name) => Output::Deallocated(name),
        E::PortalsClosed(name) => Output::PortalsClosed(name),
    }
}
