//! The wire codec: PostgreSQL v3 messages as bytes.
//!
//! Three shapes share one byte stream, so each has its own enum:
//!
//! - [`startup`]: the untagged packets a connection may open with
//!   (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest).
//! - [`frontend`]: tagged messages a client sends once the session is up.
//! - [`backend`]: tagged messages the server sends.
//!
//! The same tag letter means different things in each direction (`D` is
//! Describe going in and DataRow coming out), so the tags are two enums,
//! never one table. Decoders return `Ok(None)` when they need more bytes and
//! cut complete frames zero-copy out of the input buffer; encoders write the
//! tag, reserve the length and back-patch it when the body is done.

pub mod backend;
pub mod frontend;
pub mod startup;

mod reader;

pub(crate) use reader::Reader;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The framing or the body is broken: the stream cannot be trusted any
    /// more and the connection ends with FATAL 08P01.
    Protocol(String),
    /// The frame was well formed, but a string in it is not valid UTF-8: the
    /// message is answered with ERROR 22021 and the connection goes on.
    Encoding(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Protocol(m) | DecodeError::Encoding(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests;
