//! COPY FROM STDIN: framing the client's data for the engine.
//!
//! After CopyInResponse the client streams CopyData in any chunking (pgbench
//! sends one message per row, psql everything in one). The core joins the
//! chunks and hands the engine about `copy_chunk_size` bytes per call, so
//! 100 000 one-row messages cost a few dozen calls, not 100 000. The data is
//! passed through untouched: the engine's COPY parser handles the formats,
//! including the legacy `\.` end-of-data line.
//!
//! CopyData that arrives before CopyInResponse (asyncpg pipelines
//! `Q COPY…`, the data and CopyDone in one write) simply waits in the input
//! buffer: the core reads no further message while the Query call is out.
//!
//! Flush and Sync are ignored during COPY, as in PostgreSQL; any other
//! message aborts it with 08P01.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use twill_types::SqlState;

use super::{Connection, Pending};
use crate::call::{Call, Reply};
use crate::error::ErrorReport;
use crate::message::frontend::FrontendMessage;

/// COPY FROM STDIN in progress.
#[derive(Debug, Default)]
pub(super) struct CopyIn {
    /// Data received and not yet handed to the engine.
    buffered: BytesMut,
    /// CopyDone arrived while data was still being handed over.
    done: bool,
}

impl Connection {
    pub(super) fn on_copy_message(&mut self, msg: FrontendMessage, now: Instant) {
        // copy_in is Some: step_session only calls this in COPY mode.
        let Some(copy) = self.copy_in.as_mut() else {
            return;
        };
        match msg {
            FrontendMessage::CopyData(data) => {
                copy.buffered.extend_from_slice(&data);
                if copy.buffered.len() >= self.config.copy_chunk_size {
                    let chunk = copy.buffered.split().freeze();
                    self.issue(Call::CopyData(chunk), Pending::CopyData, now);
                }
            }
            FrontendMessage::CopyDone => {
                copy.done = true;
                self.flush_copy(now);
            }
            FrontendMessage::CopyFail(reason) => {
                let report = ErrorReport::error(
                    SqlState::QUERY_CANCELED,
                    format!("COPY from stdin failed: {reason}"),
                );
                self.abort_copy(report, now);
            }
            FrontendMessage::Flush | FrontendMessage::Sync => {}
            FrontendMessage::Terminate => {
                self.copy_in = None;
                self.phase.set_cause_terminated();
                // The client left mid-COPY: close (Terminate rolls it back).
                self.begin_close(now);
            }
            other => {
                let report = ErrorReport::error(
                    SqlState::PROTOCOL_VIOLATION,
                    format!(
                        "unexpected message type 0x{:02X} during COPY from stdin",
                        other.tag() as u8
                    ),
                );
                self.abort_copy(report, now);
            }
        }
    }

    /// After CopyDone: hand over what is left, then end the COPY.
    fn flush_copy(&mut self, now: Instant) {
        let Some(copy) = self.copy_in.as_mut() else {
            return;
        };
        if !copy.buffered.is_empty() {
            let chunk: Bytes = copy.buffered.split().freeze();
            self.issue(Call::CopyData(chunk), Pending::CopyData, now);
        } else if copy.done {
            self.copy_in = None;
            self.issue(Call::CopyDone, Pending::Stream, now);
        }
    }

    /// Aborts the COPY with `report`; the engine answers with the rest of
    /// the stream (normally just that error).
    pub(super) fn abort_copy(&mut self, report: ErrorReport, now: Instant) {
        self.copy_in = None;
        self.issue(Call::CopyFail(report), Pending::Stream, now);
    }

    pub(super) fn on_copy_data_reply(&mut self, reply: Reply, now: Instant) {
        match reply {
            Reply::CopyAccepted => {
                if self.copy_in.as_ref().is_some_and(|c| c.done) {
                    self.flush_copy(now);
                }
            }
            Reply::Error { report, status } => {
                self.status = status;
                self.end_stream_with_error(report, now);
            }
            other => panic!("CopyData answered with {other:?}"),
        }
    }
}
