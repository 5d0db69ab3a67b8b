//! Streamed results: turning the engine's [`Batch`]es into frames.
//!
//! A stream starts with a Query or Execute call and continues with Fetch
//! until a batch says it has no more. The core asks for the next batch only
//! when its output is below the high-water mark (see `pump`), so a large
//! result never sits in memory twice.

use std::sync::Arc;
use std::time::Instant;

use twill_types::{Format, Value};

use super::{Connection, copy::CopyIn};
use crate::call::{Batch, Output, Reply};
use crate::error::ErrorReport;
use crate::message::backend::{self, BackendTag};

/// What kind of stream is in progress, which decides the row formats and
/// what happens at its end.
#[derive(Debug, Clone)]
pub(super) enum StreamKind {
    /// A simple query: all text; ReadyForQuery at the end.
    Simple {
        /// Formats of the current statement's columns (all text).
        formats: Arc<[Format]>,
    },
    /// An Execute: the portal's formats; nothing at the end (Sync follows).
    Extended {
        /// One format per column.
        formats: Arc<[Format]>,
    },
}

impl StreamKind {
    fn formats(&self) -> &[Format] {
        match self {
            StreamKind::Simple { formats } | StreamKind::Extended { formats } => formats,
        }
    }

    fn is_simple(&self) -> bool {
        matches!(self, StreamKind::Simple { .. })
    }
}

impl Connection {
    pub(super) fn on_stream_reply(&mut self, reply: Reply, now: Instant) {
        match reply {
            Reply::Stream(batch) => self.on_batch(batch, now),
            Reply::Error { report, status } => {
                self.status = status;
                self.end_stream_with_error(report, now);
            }
            other => panic!("a streaming call answered with {other:?}"),
        }
    }

    fn on_batch(&mut self, batch: Batch, now: Instant) {
        let Batch {
            outputs,
            more,
            status,
        } = batch;
        self.status = status;
        for output in outputs {
            match output {
                Output::Columns(columns) => {
                    // Only a simple query describes its own results; an
                    // Execute's columns were described by Describe.
                    if let Some(StreamKind::Simple { formats: f }) = &mut self.stream {
                        let formats: Arc<[Format]> = vec![Format::Text; columns.len()].into();
                        backend::row_description(&mut self.out, &columns, &formats);
                        *f = formats;
                    }
                }
                Output::Rows(rows) => self.write_rows(&rows),
                Output::Complete(tag) => backend::command_complete(&mut self.out, &tag),
                Output::EmptyQuery => backend::empty(&mut self.out, BackendTag::EmptyQueryResponse),
                Output::Suspended => backend::empty(&mut self.out, BackendTag::PortalSuspended),
                Output::Notice(report) => backend::error_or_notice(&mut self.out, &report),
                Output::Error(report) => return self.end_stream_with_error(report, now),
                Output::CopyIn { format, columns } => {
                    backend::copy_response(
                        &mut self.out,
                        BackendTag::CopyInResponse,
                        format,
                        &columns,
                    );
                    self.copy_in = Some(CopyIn::default());
                    return;
                }
                Output::CopyOut { format, columns } => backend::copy_response(
                    &mut self.out,
                    BackendTag::CopyOutResponse,
                    format,
                    &columns,
                ),
                Output::CopyData(data) => backend::copy_data(&mut self.out, &data),
                Output::CopyDone => backend::empty(&mut self.out, BackendTag::CopyDone),
                Output::SettingChanged { name, value } => {
                    self.apply_setting(&name, &value);
                    // Reported just before the next ReadyForQuery, as
                    // PostgreSQL does (see `params::Reported`).
                    self.reported.change(&name, &value);
                }
                Output::Deallocated(None) => self.statements.clear(),
                Output::Deallocated(Some(name)) => {
                    self.statements.remove(&name);
                }
                Output::PortalsClosed(None) => self.portals.clear(),
                Output::PortalsClosed(Some(name)) => {
                    self.portals.remove(&name);
                }
            }
        }
        if more {
            self.fetch_pending = true;
        } else {
            self.end_stream(now);
        }
    }

    fn write_rows(&mut self, rows: &[Vec<Value>]) {
        let formats = self.stream.as_ref().map(StreamKind::formats).unwrap_or(&[]);
        let (settings, scratch, out) = (&self.format, &mut self.scratch, &mut self.out);
        for row in rows {
            backend::data_row(out, row.len(), |i, out| {
                let value = &row[i];
                if matches!(value, Value::Null) {
                    return false;
                }
                let f = formats.get(i).copied().unwrap_or_default();
                scratch.clear();
                value.encode(f, settings, scratch);
                out.extend_from_slice(scratch);
                true
            });
        }
    }

    /// The stream is over: for a simple query, ReadyForQuery.
    fn end_stream(&mut self, now: Instant) {
        let simple = self.stream.take().is_some_and(|s| s.is_simple());
        if simple {
            self.ready_for_query(now);
        } else {
            self.timers.stop(super::timers::Timer::Statement);
        }
    }

    /// The stream failed: report, then ReadyForQuery (simple) or skip until
    /// Sync (extended). A FATAL report ends the connection.
    pub(super) fn end_stream_with_error(&mut self, report: ErrorReport, now: Instant) {
        self.fetch_pending = false;
        self.statement_expired = false;
        self.copy_in = None;
        if report.severity == crate::Severity::Fatal {
            self.stream = None;
            self.send_fatal(report);
            return;
        }
        backend::error_or_notice(&mut self.out, &report);
        let simple = self.stream.take().is_none_or(|s| s.is_simple());
        if simple {
            self.ready_for_query(now);
        } else {
            self.skip_until_sync = true;
            self.timers.stop(super::timers::Timer::Statement);
        }
    }
}
