//! [`Value`]: one datum, and the dispatch to each type's text and binary
//! input/output functions.
//!
//! The variant decides the output encoding (`Value::Int4` prints as an
//! int4 whatever column it came from); the type OID decides the input
//! parsing. Everything a peer sends goes through [`Value::decode`], which
//! returns PostgreSQL's error for bad input and never panics.

use crate::array::Array;
use crate::datetime::{self, DATE_INFINITY, DATE_NEG_INFINITY, USECS_PER_DAY};
use crate::error::Reader;
use crate::interval::Interval;
use crate::numeric::Numeric;
use crate::settings::FormatSettings;
use crate::{Format, Oid, SqlState, Type, TypeError, bytea, float, json, oid, uuid};

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
    /// float4
    Float4(f32),
    /// float8
    Float8(f64),
    /// numeric
    Numeric(Numeric),
    /// text, varchar, bpchar, name, unknown (and the text form of types this
    /// crate does not model)
    Text(String),
    /// bytea
    Bytea(Vec<u8>),
    /// `"char"`: one byte
    Char(u8),
    /// date: days since 2000-01-01; `i32::MIN`/`i32::MAX` are ∓infinity
    Date(i32),
    /// time: microseconds since midnight (0 ..= 24:00:00)
    Time(i64),
    /// timestamp: microseconds since 2000-01-01 00:00:00; `i64::MIN`/`MAX`
    /// are ∓infinity
    Timestamp(i64),
    /// timestamptz: microseconds since 2000-01-01 00:00:00 UTC; `i64::MIN`/
    /// `MAX` are ∓infinity
    TimestampTz(i64),
    /// interval
    Interval(Interval),
    /// uuid
    Uuid([u8; 16]),
    /// json: the text as given (validated)
    Json(String),
    /// jsonb: JSON text; printed in jsonb's normalised form
    Jsonb(String),
    /// oid
    Oid(u32),
    /// regclass, as an OID (rendering the name is the engine's job)
    RegClass(u32),
    /// regtype, as an OID (rendering the name is the engine's job)
    RegType(u32),
    /// An OID of a `reg*` type (`ty`: regclass…) with the name the engine
    /// resolved for it as the row left the executor: the text form is
    /// `name` (regclassout), the binary form the OID (regclasssend). Only
    /// result rows carry it; expressions and storage see `RegClass`.
    RegNamed {
        /// The reg* type OID (`REGCLASS`).
        ty: u32,
        /// The object's OID.
        oid: u32,
        /// Its name as PostgreSQL prints it (schema-qualified when not
        /// visible, quoted when needed).
        name: String,
    },
    /// void (the result of a function returning nothing)
    Void,
    /// an array (of one to six dimensions)
    Array(Array),
    /// a row value (`record`): a table's whole row, with its column names
    /// (JSON conversion needs them; the wire form does not carry them)
    Record(Vec<(String, Value)>),
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The type OID this variant encodes as (`UNKNOWN` for NULL; `TEXT` for
    /// text).
    pub fn type_oid(&self) -> Oid {
        match self {
            Value::Null => oid::UNKNOWN,
            Value::Bool(_) => oid::BOOL,
            Value::Int2(_) => oid::INT2,
            Value::Int4(_) => oid::INT4,
            Value::Int8(_) => oid::INT8,
            Value::Float4(_) => oid::FLOAT4,
            Value::Float8(_) => oid::FLOAT8,
            Value::Numeric(_) => oid::NUMERIC,
            Value::Text(_) => oid::TEXT,
            Value::Bytea(_) => oid::BYTEA,
            Value::Char(_) => oid::CHAR,
            Value::Date(_) => oid::DATE,
            Value::Time(_) => oid::TIME,
            Value::Timestamp(_) => oid::TIMESTAMP,
            Value::TimestampTz(_) => oid::TIMESTAMPTZ,
            Value::Interval(_) => oid::INTERVAL,
            Value::Uuid(_) => oid::UUID,
            Value::Json(_) => oid::JSON,
            Value::Jsonb(_) => oid::JSONB,
            Value::Oid(_) => oid::OID,
            Value::RegClass(_) => oid::REGCLASS,
            Value::RegType(_) => oid::REGTYPE,
            Value::RegNamed { ty, .. } => *ty,
            Value::Void => oid::VOID,
            Value::Record(_) => oid::RECORD,
            Value::Array(a) => a.type_oid(),
        }
    }

    /// The text form as a `String` (empty for NULL).
    pub fn to_text(&self, settings: &FormatSettings) -> String {
        let mut out = Vec::new();
        self.encode(Format::Text, settings, &mut out);
        // Every text output function writes UTF-8.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Writes the value's text or binary form (without the length prefix)
    /// to `out`. `Value::Null` writes nothing: the caller writes length -1.
    pub fn encode(&self, format: Format, settings: &FormatSettings, out: &mut Vec<u8>) {
        match format {
            Format::Text => self.encode_text(settings, out),
            Format::Binary => self.encode_binary(settings, out),
        }
    }

    fn encode_text(&self, settings: &FormatSettings, out: &mut Vec<u8>) {
        let mut s = String::new();
        match self {
            Value::Null | Value::Void => {}
            Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            Value::Int2(v) => s = v.to_string(),
            Value::Int4(v) => s = v.to_string(),
            Value::Int8(v) => s = v.to_string(),
            Value::Float4(v) => float::format_f32(*v, settings.extra_float_digits, &mut s),
            Value::Float8(v) => float::format_f64(*v, settings.extra_float_digits, &mut s),
            Value::Numeric(n) => s = n.to_string(),
            Value::Text(t) | Value::Json(t) => out.extend_from_slice(t.as_bytes()),
            Value::Jsonb(t) => match json::normalize_jsonb(t) {
                Ok(n) => s = n,
                Err(_) => out.extend_from_slice(t.as_bytes()),
            },
            Value::Bytea(b) => bytea::format(b, settings.bytea_output, out),
            Value::Char(c) => {
                if *c >= 0x80 {
                    out.extend_from_slice(&[
                        b'\\',
                        b'0' + (c >> 6),
                        b'0' + ((c >> 3) & 7),
                        b'0' + (c & 7),
                    ]);
                } else if *c != 0 {
                    out.push(*c);
                }
            }
            Value::Date(d) => datetime::format_date(*d, settings, &mut s),
            Value::Time(t) => datetime::format_time(*t, &mut s),
            Value::Timestamp(t) => datetime::format_timestamp(*t, settings, &mut s),
            Value::TimestampTz(t) => datetime::format_timestamptz(*t, settings, &mut s),
            Value::Interval(iv) => iv.format(settings.interval_style, &mut s),
            Value::Uuid(u) => uuid::format(u, out),
            Value::Oid(o) => s = o.to_string(),
            Value::RegClass(o) => {
                s = if *o == 0 {
                    "-".to_owned()
                } else {
                    o.to_string()
                }
            }
            Value::RegNamed { name, .. } => s = name.clone(),
            // A built-in type prints as its SQL name, as regtypeout does.
            Value::RegType(o) => {
                s = match Type::by_oid(*o) {
                    _ if *o == 0 => "-".to_owned(),
                    Some(t) => t.sql_name(),
                    None => o.to_string(),
                }
            }
            // int2vector and oidvector (pg_index.indkey, …) are zero-based
            // int2/oid arrays, and print space-separated as PostgreSQL's
            // int2vectorout does; no other array has a lower bound of 0
            // in the values this project makes.
            Value::Array(a)
                if a.lower_bound == 0
                    && matches!(a.element_type, oid::INT2 | oid::OID)
                    && a.elements.iter().all(|e| !matches!(e, Value::Array(_))) =>
            {
                let parts: Vec<String> = a.elements.iter().map(|e| e.to_text(settings)).collect();
                s = parts.join(" ");
            }
            Value::Array(a) => a.format_text(settings, out),
            Value::Record(fields) => format_record(fields, settings, out),
        }
        out.extend_from_slice(s.as_bytes());
    }

    fn encode_binary(&self, settings: &FormatSettings, out: &mut Vec<u8>) {
        match self {
            Value::Null | Value::Void => {}
            Value::Bool(b) => out.push(*b as u8),
            Value::Int2(v) => out.extend_from_slice(&v.to_be_bytes()),
            Value::Int4(v) => out.extend_from_slice(&v.to_be_bytes()),
            Value::Int8(v) => out.extend_from_slice(&v.to_be_bytes()),
            Value::Float4(v) => out.extend_from_slice(&v.to_be_bytes()),
            Value::Float8(v) => out.extend_from_slice(&v.to_be_bytes()),
            Value::Numeric(n) => n.encode_binary(out),
            Value::Text(t) | Value::Json(t) => out.extend_from_slice(t.as_bytes()),
            Value::Jsonb(t) => {
                out.push(1);
                match json::normalize_jsonb(t) {
                    Ok(n) => out.extend_from_slice(n.as_bytes()),
                    Err(_) => out.extend_from_slice(t.as_bytes()),
                }
            }
            Value::Bytea(b) => out.extend_from_slice(b),
            Value::Char(c) => out.push(*c),
            Value::Date(d) => out.extend_from_slice(&d.to_be_bytes()),
            Value::Time(t) | Value::Timestamp(t) | Value::TimestampTz(t) => {
                out.extend_from_slice(&t.to_be_bytes())
            }
            Value::Interval(iv) => {
                out.extend_from_slice(&iv.micros.to_be_bytes());
                out.extend_from_slice(&iv.days.to_be_bytes());
                out.extend_from_slice(&iv.months.to_be_bytes());
            }
            Value::Uuid(u) => out.extend_from_slice(u),
            Value::Oid(o)
            | Value::RegClass(o)
            | Value::RegType(o)
            | Value::RegNamed { oid: o, .. } => out.extend_from_slice(&o.to_be_bytes()),
            Value::Record(fields) => {
                // record_send: field count, then (type OID, length, data).
                out.extend_from_slice(&(fields.len() as i32).to_be_bytes());
                for (_, v) in fields {
                    out.extend_from_slice(&v.type_oid().to_be_bytes());
                    if v.is_null() {
                        out.extend_from_slice(&(-1i32).to_be_bytes());
                    } else {
                        let mut data = Vec::new();
                        v.encode_binary(settings, &mut data);
                        out.extend_from_slice(&(data.len() as i32).to_be_bytes());
                        out.extend_from_slice(&data);
                    }
                }
            }
            Value::Array(a) => a.format_binary(settings, out),
        }
    }

    /// Parses a value of type `ty` from its text or binary form: the type's
    /// input or receive function. Types this crate does not model decode as
    /// [`Value::Text`] in text format and fail with 42883 in binary.
    pub fn decode(
        ty: Oid,
        format: Format,
        bytes: &[u8],
        settings: &FormatSettings,
    ) -> Result<Value, TypeError> {
        match format {
            Format::Text => {
                let text = utf8(bytes)?;
                decode_text(ty, text, settings)
            }
            Format::Binary => decode_binary(ty, bytes, settings),
        }
    }
}

/// record_out: `(1,abc,)` — NULL as nothing; a field with a delimiter,
/// quote, backslash, parenthesis or space (or empty) is double-quoted, with
/// quotes and backslashes doubled.
fn format_record(fields: &[(String, Value)], settings: &FormatSettings, out: &mut Vec<u8>) {
    out.push(b'(');
    for (i, (_, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if v.is_null() {
            continue;
        }
        let text = v.to_text(settings);
        let quote = text.is_empty()
            || text
                .bytes()
                .any(|c| matches!(c, b',' | b'"' | b'\\' | b'(' | b')') || c.is_ascii_whitespace());
        if quote {
            out.push(b'"');
            for c in text.bytes() {
                if c == b'"' || c == b'\\' {
                    out.push(c);
                }
                out.push(c);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(text.as_bytes());
        }
    }
    out.push(b')');
}

/// Text from a peer: valid UTF-8 without NUL bytes, as PostgreSQL's
/// encoding check demands of every text value.
fn utf8(bytes: &[u8]) -> Result<&str, TypeError> {
    if bytes.contains(&0) {
        return Err(TypeError::new(
            SqlState::CHARACTER_NOT_IN_REPERTOIRE,
            "invalid byte sequence for encoding \"UTF8\": 0x00",
        ));
    }
    std::str::from_utf8(bytes).map_err(|_| TypeError::invalid_utf8(bytes))
}

/// `pg_strtoint16/32/64`: optional surrounding whitespace and sign, digits.
fn parse_int(input: &str, min: i64, max: i64, type_name: &str) -> Result<i64, TypeError> {
    let s = input.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(TypeError::invalid_syntax(type_name, input));
    }
    let mut v: i128 = 0;
    for c in digits.bytes() {
        v = v * 10 + (c - b'0') as i128;
        if v > i64::MAX as i128 + 1 {
            return Err(TypeError::out_of_range(type_name, input));
        }
    }
    let v = if neg { -v } else { v };
    if v < min as i128 || v > max as i128 {
        return Err(TypeError::out_of_range(type_name, input));
    }
    Ok(v as i64)
}

/// `oidin`: like an integer, but anything from `-2^31` to `2^32-1`,
/// negative values wrapping.
fn parse_oid(input: &str) -> Result<u32, TypeError> {
    let v = parse_int(input, i32::MIN as i64, u32::MAX as i64, "oid").map_err(|e| {
        if e.code == SqlState::NUMERIC_VALUE_OUT_OF_RANGE {
            TypeError::out_of_range("oid", input)
        } else {
            e
        }
    })?;
    Ok(v as u32)
}

/// `boolin`: unique prefixes of true/false/yes/no, on/off, 1/0.
fn parse_bool(input: &str) -> Result<bool, TypeError> {
    let s = input
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| s.len() >= min && word.starts_with(s.as_str());
    if prefix_of("true", 1) || prefix_of("yes", 1) || s == "on" || s == "1" {
        Ok(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0" {
        Ok(false)
    } else {
        Err(TypeError::invalid_syntax("boolean", input))
    }
}

/// A bare OID for `regclass`/`regtype`; names are the engine's to resolve.
/// Whether a reg* input is a number (or `-`), not a name.
fn is_oid_text(s: &str) -> bool {
    let t = s.trim();
    t == "-" || (!t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
}

fn parse_reg(input: &str, what: &str) -> Result<u32, TypeError> {
    let t = input.trim();
    if t == "-" {
        return Ok(0);
    }
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
        return parse_oid(t);
    }
    if what == "regtype"
        && let Some(ty) = Type::by_name(t)
    {
        return Ok(ty.oid);
    }
    Err(match what {
        "regclass" => TypeError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{input}\" does not exist"),
        ),
        _ => TypeError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("type \"{input}\" does not exist"),
        ),
    })
}

/// The element type of `ty` if it is an array type we decode as [`Array`].
fn array_element(ty: Oid) -> Option<Oid> {
    let t = Type::by_oid(ty)?;
    // int2vector and oidvector have their own space-separated text form.
    if t.category == 'A' && t.elem != 0 && t.len == -1 {
        Some(t.elem)
    } else {
        None
    }
}

fn decode_text(ty: Oid, s: &str, settings: &FormatSettings) -> Result<Value, TypeError> {
    Ok(match ty {
        oid::BOOL => Value::Bool(parse_bool(s)?),
        oid::INT2 => {
            Value::Int2(parse_int(s, i16::MIN as i64, i16::MAX as i64, "smallint")? as i16)
        }
        oid::INT4 => Value::Int4(parse_int(s, i32::MIN as i64, i32::MAX as i64, "integer")? as i32),
        oid::INT8 => Value::Int8(parse_int(s, i64::MIN, i64::MAX, "bigint")?),
        oid::FLOAT4 => Value::Float4(float::parse_f32(s)?),
        oid::FLOAT8 => Value::Float8(float::parse_f64(s)?),
        oid::NUMERIC => Value::Numeric(s.parse()?),
        oid::BYTEA => Value::Bytea(bytea::parse(s.as_bytes())?),
        oid::CHAR => {
            let b = s.as_bytes();
            Value::Char(
                if b.len() == 4
                    && b[0] == b'\\'
                    && (b'0'..=b'3').contains(&b[1])
                    && b[2..].iter().all(|c| (b'0'..=b'7').contains(c))
                {
                    (b[1] - b'0') << 6 | (b[2] - b'0') << 3 | (b[3] - b'0')
                } else {
                    b.first().copied().unwrap_or(0)
                },
            )
        }
        oid::NAME => {
            // namein truncates to NAMEDATALEN - 1 bytes, on a character boundary.
            let mut end = s.len().min(63);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            Value::Text(s[..end].to_owned())
        }
        oid::DATE => Value::Date(datetime::parse_date(s, settings)?),
        oid::TIME => Value::Time(datetime::parse_time(s, settings)?),
        oid::TIMESTAMP => Value::Timestamp(datetime::parse_timestamp(s, false, settings)?),
        oid::TIMESTAMPTZ => Value::TimestampTz(datetime::parse_timestamp(s, true, settings)?),
        oid::INTERVAL => {
            Value::Interval(crate::interval::parse_interval(s, settings.interval_style)?)
        }
        oid::UUID => Value::Uuid(uuid::parse(s)?),
        oid::JSON => {
            json::validate_json(s)?;
            Value::Json(s.to_owned())
        }
        oid::JSONB => Value::Jsonb(json::normalize_jsonb(s)?),
        oid::OID => Value::Oid(parse_oid(s)?),
        // A relation name needs the catalog: the engine resolves it.
        oid::REGCLASS if !is_oid_text(s) => Value::Text(s.to_owned()),
        oid::REGCLASS => Value::RegClass(parse_reg(s, "regclass")?),
        oid::REGTYPE => Value::RegType(parse_reg(s, "regtype")?),
        oid::VOID => Value::Void,
        _ => match array_element(ty) {
            Some(elem) => Value::Array(Array::parse_text(elem, s, settings)?),
            None => Value::Text(s.to_owned()),
        },
    })
}

fn decode_binary(ty: Oid, bytes: &[u8], settings: &FormatSettings) -> Result<Value, TypeError> {
    let mut r = Reader::new(bytes);
    let text = |b: &[u8]| utf8(b).map(str::to_owned);
    let range = |what: &str| {
        TypeError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            format!("{what} out of range"),
        )
    };
    let v = match ty {
        oid::BOOL => Value::Bool(r.u8()? != 0),
        oid::INT2 => Value::Int2(r.i16()?),
        oid::INT4 => Value::Int4(r.i32()?),
        oid::INT8 => Value::Int8(r.i64()?),
        oid::FLOAT4 => Value::Float4(f32::from_be_bytes(r.array()?)),
        oid::FLOAT8 => Value::Float8(f64::from_be_bytes(r.array()?)),
        oid::NUMERIC => return Ok(Value::Numeric(Numeric::decode_binary(bytes)?)),
        oid::BYTEA => Value::Bytea(r.rest().to_vec()),
        oid::CHAR => Value::Char(r.u8()?),
        oid::DATE => {
            let d = r.i32()?;
            if d != DATE_INFINITY && d != DATE_NEG_INFINITY && !datetime::date_is_valid(d) {
                return Err(range("date"));
            }
            Value::Date(d)
        }
        oid::TIME => {
            let t = r.i64()?;
            if !(0..=USECS_PER_DAY).contains(&t) {
                return Err(range("time"));
            }
            Value::Time(t)
        }
        oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            let t = r.i64()?;
            if t != i64::MIN && t != i64::MAX && !datetime::timestamp_is_valid(t) {
                return Err(range("timestamp"));
            }
            if ty == oid::TIMESTAMP {
                Value::Timestamp(t)
            } else {
                Value::TimestampTz(t)
            }
        }
        oid::INTERVAL => {
            let micros = r.i64()?;
            let days = r.i32()?;
            let months = r.i32()?;
            Value::Interval(Interval {
                months,
                days,
                micros,
            })
        }
        oid::UUID => Value::Uuid(r.array()?),
        oid::JSON => {
            let t = text(r.rest())?;
            json::validate_json(&t)?;
            Value::Json(t)
        }
        oid::JSONB => {
            let version = r.u8()?;
            if version != 1 {
                return Err(TypeError::new(
                    SqlState::INTERNAL_ERROR,
                    format!("unsupported jsonb version number {version}"),
                ));
            }
            Value::Jsonb(json::normalize_jsonb(&text(r.rest())?)?)
        }
        oid::OID => Value::Oid(r.u32()?),
        oid::REGCLASS => Value::RegClass(r.u32()?),
        oid::REGTYPE => Value::RegType(r.u32()?),
        oid::VOID => Value::Void,
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN => {
            Value::Text(text(r.rest())?)
        }
        _ => match array_element(ty) {
            Some(elem) => return Ok(Value::Array(Array::parse_binary(elem, bytes, settings)?)),
            None => {
                let name = Type::by_oid(ty).map_or_else(|| ty.to_string(), |t| t.sql_name());
                return Err(TypeError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("no binary input function available for type {name}"),
                ));
            }
        },
    };
    r.finish()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ty: Oid, s: &str) -> Result<Value, TypeError> {
        Value::decode(ty, Format::Text, s.as_bytes(), &FormatSettings::default())
    }

    fn out(v: &Value) -> String {
        v.to_text(&FormatSettings::default())
    }

    #[test]
    fn ints() {
        assert_eq!(text(oid::INT4, " 42 ").unwrap(), Value::Int4(42));
        assert_eq!(
            text(oid::INT4, "-2147483648").unwrap(),
            Value::Int4(i32::MIN)
        );
        let e = text(oid::INT4, "abc").unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_TEXT_REPRESENTATION);
        assert_eq!(e.message, "invalid input syntax for type integer: \"abc\"");
        let e = text(oid::INT4, "99999999999").unwrap_err();
        assert_eq!(e.code, SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(
            e.message,
            "value \"99999999999\" is out of range for type integer"
        );
        assert_eq!(
            text(oid::INT2, "40000").unwrap_err().message,
            "value \"40000\" is out of range for type smallint"
        );
        assert_eq!(
            text(oid::INT8, "-9223372036854775808").unwrap(),
            Value::Int8(i64::MIN)
        );
        assert!(text(oid::INT8, "9223372036854775808").is_err());
        assert!(text(oid::INT4, "").is_err());
        assert!(text(oid::INT4, "1 2").is_err());
        assert_eq!(text(oid::OID, "-1").unwrap(), Value::Oid(u32::MAX));
    }

    #[test]
    fn bools_and_chars() {
        for t in ["t", "true", "TRUE", " yes ", "on", "1", "y"] {
            assert_eq!(text(oid::BOOL, t).unwrap(), Value::Bool(true), "{t}");
        }
        for f in ["f", "false", "no", "off", "0", "n", "of"] {
            assert_eq!(text(oid::BOOL, f).unwrap(), Value::Bool(false), "{f}");
        }
        assert_eq!(
            text(oid::BOOL, "o").unwrap_err().message,
            "invalid input syntax for type boolean: \"o\""
        );
        assert_eq!(text(oid::CHAR, "\\377").unwrap(), Value::Char(255));
        assert_eq!(out(&Value::Char(255)), "\\377");
        assert_eq!(out(&Value::Char(b'a')), "a");
        assert_eq!(text(oid::CHAR, "").unwrap(), Value::Char(0));
    }

    #[test]
    fn binary_lengths() {
        let s = FormatSettings::default();
        let e = Value::decode(oid::INT4, Format::Binary, &[0, 0, 1], &s).unwrap_err();
        assert_eq!(e.message, "insufficient data left in message");
        let e = Value::decode(oid::INT4, Format::Binary, &[0, 0, 0, 1, 2], &s).unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_BINARY_REPRESENTATION);
        assert_eq!(
            Value::decode(oid::INT4, Format::Binary, &[0, 0, 1, 0], &s).unwrap(),
            Value::Int4(256)
        );
    }

    #[test]
    fn arrays() {
        let v = text(oid::TEXT_ARRAY, r#"{a, "b c" ,NULL,"NULL","",\"x,"q\\"}"#).unwrap();
        assert_eq!(out(&v), r#"{a,"b c",NULL,"NULL","","\"x","q\\"}"#);
        let v = text(oid::INT4_ARRAY, "[0:2]={1,2,3}").unwrap();
        assert_eq!(out(&v), "[0:2]={1,2,3}");
        assert_eq!(out(&text(oid::INT4_ARRAY, "{}").unwrap()), "{}");
        assert!(text(oid::INT4_ARRAY, "{1,2").is_err());
        assert!(text(oid::INT4_ARRAY, "{1,,2}").is_err());
        let v = text(oid::INT4_ARRAY, " { {1, 2} , {3,NULL} }").unwrap();
        assert_eq!(out(&v), "{{1,2},{3,NULL}}");
        let v = text(oid::INT4_ARRAY, "[0:1][1:2]={{1,2},{3,4}}").unwrap();
        assert_eq!(out(&v), "[0:1][1:2]={{1,2},{3,4}}");
        for bad in [
            "{{1,2},{3}}",
            "{{1,2},3}",
            "{{}}",
            "{{1,2},NULL}",
            "[1:2]={{1,2},{3,4}}",
        ] {
            assert!(text(oid::INT4_ARRAY, bad).is_err(), "{bad}");
        }
        assert_eq!(
            text(oid::INT4_ARRAY, "{{{{{{{1}}}}}}}").unwrap_err().code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
        assert_eq!(
            text(oid::INT4_ARRAY, "{1,x}").unwrap_err().message,
            "invalid input syntax for type integer: \"x\""
        );
    }
}
