//! Values and their text/binary input and output. (Skeleton: being filled in.)

use crate::{Format, Oid, SqlState, oid};

/// Session settings that change how values print and parse.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatSettings {
    /// `extra_float_digits`
    pub extra_float_digits: i32,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings { extra_float_digits: 1 }
    }
}

impl FormatSettings {
    /// Applies one setting by name (case-insensitive); `Ok(false)` when the name
    /// is not one that affects formatting.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, TypeError> {
        if name.eq_ignore_ascii_case("extra_float_digits") {
            self.extra_float_digits = value.trim().parse().map_err(|_| TypeError {
                code: SqlState::INVALID_PARAMETER_VALUE,
                message: format!("invalid value for parameter \"extra_float_digits\": \"{value}\""),
            })?;
            return Ok(true);
        }
        Ok(false)
    }
}

/// A value that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    /// The SQLSTATE to report.
    pub code: SqlState,
    /// The message, in PostgreSQL's wording.
    pub message: String,
}

/// One datum.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL
    Null,
    /// bool
    Bool(bool),
    /// int2
    Int2(i16),
    /// int4
    Int4(i32),
    /// int8
    Int8(i64),
    /// float8
    Float8(f64),
    /// text, varchar, bpchar, name, unknown
    Text(String),
    /// bytea
    Bytea(Vec<u8>),
}

impl Value {
    /// Writes the value's text or binary form (without the length prefix) to `out`.
    pub fn encode(&self, format: Format, _settings: &FormatSettings, out: &mut Vec<u8>) {
        match (self, format) {
            (Value::Null, _) => {}
            (Value::Bool(b), Format::Text) => out.push(if *b { b't' } else { b'f' }),
            (Value::Bool(b), Format::Binary) => out.push(*b as u8),
            (Value::Int2(v), Format::Text) => out.extend_from_slice(v.to_string().as_bytes()),
            (Value::Int2(v), Format::Binary) => out.extend_from_slice(&v.to_be_bytes()),
            (Value::Int4(v), Format::Text) => out.extend_from_slice(v.to_string().as_bytes()),
            (Value::Int4(v), Format::Binary) => out.extend_from_slice(&v.to_be_bytes()),
            (Value::Int8(v), Format::Text) => out.extend_from_slice(v.to_string().as_bytes()),
            (Value::Int8(v), Format::Binary) => out.extend_from_slice(&v.to_be_bytes()),
            (Value::Float8(v), Format::Text) => out.extend_from_slice(v.to_string().as_bytes()),
            (Value::Float8(v), Format::Binary) => out.extend_from_slice(&v.to_be_bytes()),
            (Value::Text(s), _) => out.extend_from_slice(s.as_bytes()),
            (Value::Bytea(b), Format::Binary) => out.extend_from_slice(b),
            (Value::Bytea(b), Format::Text) => {
                out.extend_from_slice(b"\\x");
                for x in b {
                    out.extend_from_slice(format!("{x:02x}").as_bytes());
                }
            }
        }
    }

    /// Parses a value of type `ty` from its text or binary form.
    pub fn decode(
        ty: Oid,
        format: Format,
        bytes: &[u8],
        _settings: &FormatSettings,
    ) -> Result<Value, TypeError> {
        let bad = || TypeError {
            code: SqlState::INVALID_TEXT_REPRESENTATION,
            message: format!("invalid input for type {ty}"),
        };
        let text = || std::str::from_utf8(bytes).map_err(|_| bad());
        Ok(match (ty, format) {
            (oid::INT4, Format::Text) => Value::Int4(text()?.trim().parse().map_err(|_| bad())?),
            (oid::INT4, Format::Binary) => {
                Value::Int4(i32::from_be_bytes(bytes.try_into().map_err(|_| bad())?))
            }
            (oid::INT8, Format::Text) => Value::Int8(text()?.trim().parse().map_err(|_| bad())?),
            (_, Format::Text) => Value::Text(text()?.to_owned()),
            (_, Format::Binary) => Value::Bytea(bytes.to_vec()),
        })
    }
}
