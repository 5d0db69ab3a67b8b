//! The one error type of this crate.
//!
//! A value that a client sends and we cannot parse is the client's fault, so
//! it is data, not a panic: [`TypeError`] carries the SQLSTATE and the message
//! PostgreSQL itself would send, so the wire core can forward it unchanged in
//! an ErrorResponse and drivers that match on either keep working.

use std::fmt;

use crate::SqlState;

/// A value that could not be decoded, or a setting that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    /// The SQLSTATE to report.
    pub code: SqlState,
    /// The message, in PostgreSQL's wording.
    pub message: String,
}

impl TypeError {
    /// An error with this code and message.
    pub fn new(code: SqlState, message: impl Into<String>) -> TypeError {
        TypeError {
            code,
            message: message.into(),
        }
    }

    /// 22P02 `invalid input syntax for type {type_name}: "{input}"`.
    pub fn invalid_syntax(type_name: &str, input: &str) -> TypeError {
        TypeError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {type_name}: \"{input}\""),
        )
    }

    /// 22007 `invalid input syntax for type {type_name}: "{input}"`, the
    /// date/time flavour of [`TypeError::invalid_syntax`].
    pub fn invalid_datetime(type_name: &str, input: &str) -> TypeError {
        TypeError::new(
            SqlState::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type {type_name}: \"{input}\""),
        )
    }

    /// 22003 `value "{input}" is out of range for type {type_name}`.
    pub fn out_of_range(type_name: &str, input: &str) -> TypeError {
        TypeError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("value \"{input}\" is out of range for type {type_name}"),
        )
    }

    /// 08P01 `insufficient data left in message`: a binary value shorter
    /// than its type needs (PostgreSQL's `pq_getmsg*` error).
    pub fn insufficient_data() -> TypeError {
        TypeError::new(
            SqlState::PROTOCOL_VIOLATION,
            "insufficient data left in message",
        )
    }

    /// 22P03 `incorrect binary data format`: a binary value with bytes left
    /// over (PostgreSQL appends ` in bind parameter N`; the wire core may too).
    pub fn binary_format() -> TypeError {
        TypeError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format",
        )
    }

    /// 22021 `invalid byte sequence for encoding "UTF8": 0x..`.
    pub fn invalid_utf8(bytes: &[u8]) -> TypeError {
        let bad = match std::str::from_utf8(bytes) {
            Ok(_) => &[][..],
            Err(e) => {
                let start = e.valid_up_to();
                let len = e.error_len().unwrap_or(bytes.len() - start).max(1);
                &bytes[start..(start + len).min(bytes.len())]
            }
        };
        let hex: Vec<String> = bad.iter().map(|b| format!("0x{b:02x}")).collect();
        TypeError::new(
            SqlState::CHARACTER_NOT_IN_REPERTOIRE,
            format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                hex.join(" ")
            ),
        )
    }
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for TypeError {}

/// Reads fixed-size binary fields front to back, failing like PostgreSQL's
/// `pq_getmsg*` when the value is short and when bytes are left over.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], TypeError> {
        if self.bytes.len() < n {
            return Err(TypeError::insufficient_data());
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], TypeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, TypeError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn i16(&mut self) -> Result<i16, TypeError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, TypeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, TypeError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, TypeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, TypeError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    /// Fails with 22P03 unless everything was read.
    pub(crate) fn finish(self) -> Result<(), TypeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(TypeError::binary_format())
        }
    }
}
