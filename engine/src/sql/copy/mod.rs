//! PostgreSQL's COPY data formats — text, CSV and binary — as pure
//! functions of bytes and rows.
//!
//! This module does no I/O and knows nothing of tables or the wire: the
//! SQL session hands it the statement's options and the column types,
//! feeds it CopyData payloads (`COPY t FROM STDIN`) or rows (`COPY t|(query)
//! TO STDOUT`), and moves the results. That keeps the formats' many corner
//! cases — escapes, quoting, newline styles, a row split across messages —
//! testable byte for byte against PostgreSQL 15 without a server.
//!
//! ```text
//! options.rs   CopyOptions, CopyFormat, CopyDirection   the option list, checked as PostgreSQL does
//! decode.rs    CopyDecoder, CopyColumn                  COPY FROM: bytes (any chunking) → rows
//! encode.rs    CopyEncoder                              COPY TO: rows → bytes
//! ```
//!
//! A COPY FROM host: `CopyOptions::parse(opts, CopyDirection::From)`, then
//! `CopyDecoder::new`, `feed` per CopyData (insert the rows it returns),
//! `finish` at CopyDone. A COPY TO host: `CopyEncoder::new`, send
//! `header(names)`, `row` per row, `trailer()`.

mod decode;
mod encode;
mod options;

#[cfg(test)]
mod postgres_tests;
#[cfg(test)]
mod tests;

pub use decode::{CopyColumn, CopyDecoder};
pub use encode::CopyEncoder;
pub use options::{CopyDirection, CopyFormat, CopyOptions};
