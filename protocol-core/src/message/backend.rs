//! Tagged messages from the server, written straight into the output buffer.
//!
//! Each function appends one complete message: the tag, a placeholder
//! length, the body, then the length back-patched. Nothing is allocated per
//! message beyond the output buffer itself, which matters for DataRow on
//! large results.

use bytes::{BufMut, BytesMut};
use twill_types::{Format, Oid};

use crate::call::{Column, TxStatus};
use crate::error::ErrorReport;

/// The tag byte of each backend message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BackendTag {
    /// `R` Authentication*
    Authentication = b'R',
    /// `S` ParameterStatus
    ParameterStatus = b'S',
    /// `K` BackendKeyData
    BackendKeyData = b'K',
    /// `Z` ReadyForQuery
    ReadyForQuery = b'Z',
    /// `T` RowDescription
    RowDescription = b'T',
    /// `D` DataRow
    DataRow = b'D',
    /// `C` CommandComplete
    CommandComplete = b'C',
    /// `I` EmptyQueryResponse
    EmptyQueryResponse = b'I',
    /// `E` ErrorResponse
    ErrorResponse = b'E',
    /// `N` NoticeResponse
    NoticeResponse = b'N',
    /// `1` ParseComplete
    ParseComplete = b'1',
    /// `2` BindComplete
    BindComplete = b'2',
    /// `3` CloseComplete
    CloseComplete = b'3',
    /// `t` ParameterDescription
    ParameterDescription = b't',
    /// `n` NoData
    NoData = b'n',
    /// `s` PortalSuspended
    PortalSuspended = b's',
    /// `G` CopyInResponse
    CopyInResponse = b'G',
    /// `H` CopyOutResponse
    CopyOutResponse = b'H',
    /// `d` CopyData
    CopyData = b'd',
    /// `c` CopyDone
    CopyDone = b'c',
    /// `v` NegotiateProtocolVersion
    NegotiateProtocolVersion = b'v',
}

/// Authentication request codes carried by `R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum AuthCode {
    /// AuthenticationOk
    Ok = 0,
    /// AuthenticationCleartextPassword
    CleartextPassword = 3,
    /// AuthenticationMD5Password
    Md5Password = 5,
    /// AuthenticationSASL
    Sasl = 10,
    /// AuthenticationSASLContinue
    SaslContinue = 11,
    /// AuthenticationSASLFinal
    SaslFinal = 12,
}

/// Starts a message: tag and a length placeholder. Returns where the length sits.
fn begin(out: &mut BytesMut, tag: BackendTag) -> usize {
    out.put_u8(tag as u8);
    let at = out.len();
    out.put_i32(0);
    at
}

/// Back-patches the length of the message begun at `at`.
fn end(out: &mut BytesMut, at: usize) {
    let len = (out.len() - at) as i32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
}

fn put_cstr(out: &mut BytesMut, s: &str) {
    // Strings we send come from our own code or the engine; an interior NUL
    // would corrupt the framing, so it is dropped rather than sent.
    if s.as_bytes().contains(&0) {
        out.put_slice(s.replace('\0', "").as_bytes());
    } else {
        out.put_slice(s.as_bytes());
    }
    out.put_u8(0);
}

/// `R`: an authentication request (or Ok), with its code-specific payload.
pub fn authentication(out: &mut BytesMut, code: AuthCode, payload: &[u8]) {
    let at = begin(out, BackendTag::Authentication);
    out.put_i32(code as i32);
    out.put_slice(payload);
    end(out, at);
}

/// `S` ParameterStatus.
pub fn parameter_status(out: &mut BytesMut, name: &str, value: &str) {
    let at = begin(out, BackendTag::ParameterStatus);
    put_cstr(out, name);
    put_cstr(out, value);
    end(out, at);
}

/// `K` BackendKeyData.
pub fn backend_key_data(out: &mut BytesMut, pid: i32, secret: i32) {
    let at = begin(out, BackendTag::BackendKeyData);
    out.put_i32(pid);
    out.put_i32(secret);
    end(out, at);
}

/// `Z` ReadyForQuery.
pub fn ready_for_query(out: &mut BytesMut, status: TxStatus) {
    let at = begin(out, BackendTag::ReadyForQuery);
    out.put_u8(status.byte());
    end(out, at);
}

/// `T` RowDescription; `formats` has one code per column.
pub fn row_description(out: &mut BytesMut, columns: &[Column], formats: &[Format]) {
    let at = begin(out, BackendTag::RowDescription);
    out.put_i16(columns.len() as i16);
    for (i, c) in columns.iter().enumerate() {
        put_cstr(out, &c.name);
        out.put_u32(c.table_oid);
        out.put_i16(c.column_id);
        out.put_u32(c.type_oid);
        out.put_i16(c.type_len);
        out.put_i32(c.type_modifier);
        out.put_i16(formats.get(i).copied().unwrap_or_default().code());
    }
    end(out, at);
}

/// `D` DataRow, with each value already encoded (`None` = NULL) by `fill`.
///
/// `fill` is called once per column with the buffer; it appends the value's
/// bytes and returns false for NULL. The length prefix is back-patched.
pub fn data_row(
    out: &mut BytesMut,
    columns: usize,
    mut fill: impl FnMut(usize, &mut BytesMut) -> bool,
) {
    let at = begin(out, BackendTag::DataRow);
    out.put_i16(columns as i16);
    for i in 0..columns {
        let len_at = out.len();
        out.put_i32(0);
        if fill(i, out) {
            let len = (out.len() - len_at - 4) as i32;
            out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
        } else {
            out[len_at..len_at + 4].copy_from_slice(&(-1i32).to_be_bytes());
        }
    }
    end(out, at);
}

/// `C` CommandComplete.
pub fn command_complete(out: &mut BytesMut, tag: &str) {
    let at = begin(out, BackendTag::CommandComplete);
    put_cstr(out, tag);
    end(out, at);
}

/// A message with no body: `I`, `1`, `2`, `3`, `n`, `s`, `c`.
pub fn empty(out: &mut BytesMut, tag: BackendTag) {
    let at = begin(out, tag);
    end(out, at);
}

/// `E` ErrorResponse or `N` NoticeResponse (by the report's severity).
pub fn error_or_notice(out: &mut BytesMut, report: &ErrorReport) {
    let tag = if report.severity.is_error() {
        BackendTag::ErrorResponse
    } else {
        BackendTag::NoticeResponse
    };
    let at = begin(out, tag);
    let sev = report.severity.as_str();
    out.put_u8(b'S');
    put_cstr(out, sev);
    out.put_u8(b'V');
    put_cstr(out, sev);
    out.put_u8(b'C');
    put_cstr(out, report.code.code());
    out.put_u8(b'M');
    put_cstr(out, &report.message);
    if let Some(d) = &report.detail {
        out.put_u8(b'D');
        put_cstr(out, d);
    }
    if let Some(h) = &report.hint {
        out.put_u8(b'H');
        put_cstr(out, h);
    }
    if let Some(p) = report.position {
        out.put_u8(b'P');
        put_cstr(out, &p.to_string());
    }
    if let Some(r) = &report.routine {
        out.put_u8(b'R');
        put_cstr(out, r);
    }
    out.put_u8(0);
    end(out, at);
}

/// `t` ParameterDescription.
pub fn parameter_description(out: &mut BytesMut, types: &[Oid]) {
    let at = begin(out, BackendTag::ParameterDescription);
    out.put_i16(types.len() as i16);
    for t in types {
        out.put_u32(*t);
    }
    end(out, at);
}

/// `G` CopyInResponse or `H` CopyOutResponse.
pub fn copy_response(out: &mut BytesMut, tag: BackendTag, format: Format, columns: &[Format]) {
    let at = begin(out, tag);
    out.put_u8(format.code() as u8);
    out.put_i16(columns.len() as i16);
    for f in columns {
        out.put_i16(f.code());
    }
    end(out, at);
}

/// `d` CopyData.
pub fn copy_data(out: &mut BytesMut, data: &[u8]) {
    let at = begin(out, BackendTag::CopyData);
    out.put_slice(data);
    end(out, at);
}

/// `v` NegotiateProtocolVersion. `newest` is the newest protocol version
/// the server speaks, as a full version code (what PostgreSQL sends).
pub fn negotiate_protocol_version(out: &mut BytesMut, newest: i32, unrecognized: &[String]) {
    let at = begin(out, BackendTag::NegotiateProtocolVersion);
    out.put_i32(newest);
    out.put_i32(unrecognized.len() as i32);
    for o in unrecognized {
        put_cstr(out, o);
    }
    end(out, at);
}
