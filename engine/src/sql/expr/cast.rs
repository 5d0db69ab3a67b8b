//! Cast implementations, and coercion to a typmod.
//!
//! Which casts exist is `coerce.rs`'s business; this file performs them.
//! Casts between numeric types check ranges with PostgreSQL's messages;
//! casts to and from string types are the types' text output and input
//! functions from twill-types (PostgreSQL's "I/O conversion casts"), so
//! `'12'::int` and a text parameter bound to an int4 parse identically.
//!
//! A typmod is enforced here too, because it is a cast: `varchar(n)`
//! rejects longer values with 22001 unless the excess is spaces (an
//! *explicit* cast truncates instead), `char(n)` pads, `numeric(p,s)`
//! rounds to `s` places and rejects what no longer fits `p` digits, and
//! `timestamp(p)` rounds fractional seconds.

use twill_types::{Array, Format, Numeric, Oid, SqlState, Value, oid};

use super::EvalContext;
use super::coerce::{elem, is_string};
use super::functions::datetime::{
    USECS_PER_DAY, check_timestamp, date_to_timestamp_checked, from_local, timestamp_to_date,
};
use crate::sql::error::SqlError;
use crate::sql::types::{char_length, format_type, numeric_precision_scale};

/// Casts `v` of type `from` to `to`, then applies `typmod`.
pub(crate) fn cast_value(
    ctx: &EvalContext<'_>,
    v: Value,
    from: Oid,
    to: Oid,
    typmod: i32,
    explicit: bool,
) -> Result<Value, SqlError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let v = if from == to {
        v
    } else {
        convert(ctx, v, from, to)?
    };
    apply_typmod(v, to, typmod, explicit)
}

fn int_range(to: Oid, v: i64) -> Result<Value, SqlError> {
    match to {
        oid::INT2 => i16::try_from(v)
            .map(Value::Int2)
            .map_err(|_| SqlError::out_of_range("smallint out of range")),
        oid::INT4 => i32::try_from(v)
            .map(Value::Int4)
            .map_err(|_| SqlError::out_of_range("integer out of range")),
        _ => Ok(Value::Int8(v)),
    }
}

fn out_of_range_for(to: Oid) -> SqlError {
    SqlError::out_of_range(match to {
        oid::INT2 => "smallint out of range",
        oid::INT4 => "integer out of range",
        _ => "bigint out of range",
    })
}

/// A float rounded to an integer type (`rint`: half to even).
fn float_to_int(f: f64, to: Oid) -> Result<Value, SqlError> {
    let r = f.round_ties_even();
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
        return Err(out_of_range_for(to));
    }
    int_range(to, r as i64)
}

/// `float8 → float4`, with PostgreSQL's overflow/underflow errors.
pub(crate) fn to_float4(f: f64) -> Result<f32, SqlError> {
    let r = f as f32;
    if r.is_infinite() && f.is_finite() {
        return Err(SqlError::out_of_range("value out of range: overflow"));
    }
    if r == 0.0 && f != 0.0 {
        return Err(SqlError::out_of_range("value out of range: underflow"));
    }
    Ok(r)
}

fn numeric_of(v: &Value) -> Result<Numeric, SqlError> {
    Ok(match v {
        Value::Int2(i) => Numeric::from(*i as i64),
        Value::Int4(i) => Numeric::from(*i as i64),
        Value::Int8(i) => Numeric::from(*i),
        Value::Float8(f) => Numeric::from_f64(*f),
        Value::Float4(f) => {
            if f.is_finite() {
                // float4 → numeric keeps FLT_DIG (6) significant digits.
                format!("{:.5e}", f)
                    .parse::<f64>()
                    .map_or_else(|_| Numeric::nan(), Numeric::from_f64)
            } else {
                Numeric::from_f64(*f as f64)
            }
        }
        Value::Numeric(n) => n.clone(),
        other => return Err(SqlError::internal(format!("not a number: {other:?}"))),
    })
}

fn convert(ctx: &EvalContext<'_>, v: Value, from: Oid, to: Oid) -> Result<Value, SqlError> {
    let settings = &ctx.settings;
    // To a string type: the text output function (bool prints as a word,
    // char(n) loses its padding).
    if is_string(to) {
        // regclassout, regnamespaceout and regprocout name an OID.
        let named = match (&v, from) {
            (Value::RegClass(o), _) => Some(super::functions::named_regclass(ctx, *o)?),
            (Value::Oid(o), oid::REGNAMESPACE) => Some(super::functions::named_namespace(ctx, *o)?),
            (Value::Oid(o), oid::REGPROC) => Some(super::functions::named_regproc(*o)),
            _ => None,
        };
        if let Some(Value::RegNamed { name, .. }) = named {
            return Ok(Value::Text(name));
        }
        return Ok(Value::Text(match v {
            Value::Bool(b) => if b { "true" } else { "false" }.to_owned(),
            Value::Text(s) if from == oid::BPCHAR => s.trim_end_matches(' ').to_owned(),
            Value::Text(s) => s,
            other => other.to_text(settings),
        }));
    }
    // A regproc carried as its name (catalog columns, `'now'::regproc`)
    // is an OID to anything but text: regprocin.
    if from == oid::REGPROC
        && let Value::Text(name) = &v
    {
        let o = super::functions::regproc_oid(name)?;
        return convert(ctx, Value::Oid(o), oid::OID, to);
    }
    if from == oid::UNKNOWN || is_string(from) {
        let Value::Text(s) = &v else {
            return Err(SqlError::internal("string value expected"));
        };
        return decode_text(ctx, to, s);
    }
    Ok(match (v, to) {
        (Value::Int2(i), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => int_range(t, i as i64)?,
        (Value::Int4(i), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => int_range(t, i as i64)?,
        (Value::Int8(i), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => int_range(t, i)?,
        (Value::Float4(f), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => float_to_int(f as f64, t)?,
        (Value::Float8(f), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => float_to_int(f, t)?,
        (Value::Numeric(n), t @ (oid::INT2 | oid::INT4 | oid::INT8)) => {
            if n.is_nan() {
                return Err(SqlError::unsupported(format!(
                    "cannot convert NaN to {}",
                    format_type(t, -1)
                )));
            }
            if n.is_infinite() {
                return Err(SqlError::unsupported(format!(
                    "cannot convert infinity to {}",
                    format_type(t, -1)
                )));
            }
            int_range(t, n.to_i64().ok_or_else(|| out_of_range_for(t))?)?
        }
        (
            v @ (Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_)),
            oid::FLOAT8,
        ) => Value::Float8(match v {
            Value::Numeric(n) => n.to_f64(),
            v => crate::sql::expr::functions::int_arg(std::slice::from_ref(&v), 0)? as f64,
        }),
        (
            v @ (Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_)),
            oid::FLOAT4,
        ) => Value::Float4(match v {
            Value::Numeric(n) => to_float4(n.to_f64())?,
            v => crate::sql::expr::functions::int_arg(std::slice::from_ref(&v), 0)? as f32,
        }),
        (Value::Float4(f), oid::FLOAT8) => Value::Float8(f as f64),
        (Value::Float8(f), oid::FLOAT4) => Value::Float4(to_float4(f)?),
        (v, oid::NUMERIC) if !matches!(v, Value::Jsonb(_)) => Value::Numeric(numeric_of(&v)?),
        (Value::Int4(i), oid::BOOL) => Value::Bool(i != 0),
        (Value::Bool(b), oid::INT4) => Value::Int4(b as i32),
        (Value::Int4(i), oid::CHAR) => Value::Char(i as u8),
        (Value::Char(c), oid::INT4) => Value::Int4(c as i8 as i32),
        (Value::Int2(i), t @ (oid::OID | oid::REGCLASS | oid::REGTYPE | oid::REGPROC)) => {
            reg(t, i as i64)?
        }
        (
            Value::Int4(i),
            t @ (oid::OID
            | oid::REGCLASS
            | oid::REGTYPE
            | oid::REGPROC
            | oid::REGPROCEDURE
            | oid::REGNAMESPACE),
        ) => reg(t, i as i64)?,
        (
            Value::Int8(i),
            t @ (oid::OID
            | oid::REGCLASS
            | oid::REGTYPE
            | oid::REGPROC
            | oid::REGPROCEDURE
            | oid::REGNAMESPACE),
        ) => {
            if !(0..=u32::MAX as i64).contains(&i) {
                return Err(SqlError::out_of_range("OID out of range"));
            }
            reg(t, i)?
        }
        (Value::Oid(o) | Value::RegClass(o) | Value::RegType(o), t) => match t {
            oid::INT8 => Value::Int8(o as i64),
            oid::INT4 => Value::Int4(o as i32),
            t => reg(t, o as i64)?,
        },
        (Value::Date(d), oid::TIMESTAMP) => Value::Timestamp(date_to_timestamp_checked(d)?),
        (Value::Date(d), oid::TIMESTAMPTZ) => {
            let t = date_to_timestamp_checked(d)?;
            Value::TimestampTz(if t == i64::MIN || t == i64::MAX {
                t
            } else {
                check_timestamp(from_local(settings, t))?
            })
        }
        (Value::Timestamp(t), oid::TIMESTAMPTZ) => {
            Value::TimestampTz(if t == i64::MIN || t == i64::MAX {
                t
            } else {
                check_timestamp(from_local(settings, t))?
            })
        }
        (Value::TimestampTz(t), oid::TIMESTAMP) => Value::Timestamp(local(settings, t)),
        (Value::Timestamp(t), oid::DATE) => Value::Date(timestamp_to_date(t)),
        (Value::TimestampTz(t), oid::DATE) => Value::Date(timestamp_to_date(local(settings, t))),
        (Value::Timestamp(t), oid::TIME) => Value::Time(t.rem_euclid(USECS_PER_DAY)),
        (Value::TimestampTz(t), oid::TIME) => {
            Value::Time(local(settings, t).rem_euclid(USECS_PER_DAY))
        }
        (Value::Time(t), oid::INTERVAL) => Value::Interval(twill_types::Interval {
            months: 0,
            days: 0,
            micros: t,
        }),
        (Value::Interval(iv), oid::TIME) => Value::Time(iv.micros.rem_euclid(USECS_PER_DAY)),
        (Value::Json(s), oid::JSONB) => Value::Jsonb(twill_types::normalize_jsonb(&s)?),
        (Value::Jsonb(s), oid::JSON) => Value::Json(twill_types::normalize_jsonb(&s)?),
        (Value::Jsonb(s), t) => super::functions::json::jsonb_to_scalar(&s, t)?,
        (Value::Array(a), t) if elem(t) != 0 => {
            let (fe, te) = (a.element_type, elem(t));
            let mut out = Vec::with_capacity(a.elements.len());
            for e in a.elements {
                out.push(cast_value(ctx, e, fe, te, -1, true)?);
            }
            let mut arr = Array::new(te, out);
            arr.lower_bound = a.lower_bound;
            Value::Array(arr)
        }
        (v, t) => {
            // Any remaining cast goes through text, as an I/O conversion.
            let text = v.to_text(settings);
            decode_text(ctx, t, &text)?
        }
    })
}

fn reg(to: Oid, v: i64) -> Result<Value, SqlError> {
    let o = v as u32;
    Ok(match to {
        oid::REGCLASS => Value::RegClass(o),
        oid::REGTYPE => Value::RegType(o),
        _ => Value::Oid(o),
    })
}

fn local(settings: &twill_types::FormatSettings, utc: i64) -> i64 {
    if utc == i64::MIN || utc == i64::MAX {
        return utc;
    }
    let off = settings.time_zone.offset_at(utc.div_euclid(1_000_000));
    utc + off as i64 * 1_000_000
}

/// A string → `to` via twill-types' text input function.
pub(crate) fn decode_text(ctx: &EvalContext<'_>, to: Oid, s: &str) -> Result<Value, SqlError> {
    if is_string(to) || to == oid::UNKNOWN {
        return Ok(Value::Text(s.to_owned()));
    }
    let numeric = {
        let t = s.trim();
        t == "-" || (!t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
    };
    // `'t'::regclass` names a relation: the session resolves it.
    if to == oid::REGCLASS && !numeric {
        return ctx
            .planner()?
            .session_call("regclass", &[Value::Text(s.to_owned())]);
    }
    // `'public'::regnamespace` (regnamespacein): an OID, by the catalog.
    if to == oid::REGNAMESPACE {
        return match s.trim() {
            "-" => Ok(Value::Oid(0)),
            t if numeric => t
                .parse()
                .map(Value::Oid)
                .map_err(|_| SqlError::out_of_range("OID out of range")),
            _ => ctx.planner()?.session_call(
                &format!("{}namespace_oid", crate::sql::system::defs::PREFIX),
                &[Value::Text(s.to_owned())],
            ),
        };
    }
    Ok(Value::decode(
        to,
        Format::Text,
        s.as_bytes(),
        &ctx.settings,
    )?)
}

/// Coerces a value already of type `ty` to `typmod`.
pub(crate) fn apply_typmod(
    v: Value,
    ty: Oid,
    typmod: i32,
    explicit: bool,
) -> Result<Value, SqlError> {
    if typmod < 0 {
        return Ok(v);
    }
    match (v, ty) {
        (Value::Text(s), oid::VARCHAR | oid::BPCHAR) => {
            let Some(n) = char_length(typmod) else {
                return Ok(Value::Text(s));
            };
            let len = s.chars().count();
            if len > n {
                let cut = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                if !explicit && !s[cut..].chars().all(|c| c == ' ') {
                    return Err(SqlError::new(
                        SqlState::STRING_DATA_RIGHT_TRUNCATION,
                        format!("value too long for type {}", format_type(ty, typmod)),
                    ));
                }
                return Ok(Value::Text(s[..cut].to_owned()));
            }
            if ty == oid::BPCHAR && len < n {
                let mut s = s;
                s.extend(std::iter::repeat_n(' ', n - len));
                return Ok(Value::Text(s));
            }
            Ok(Value::Text(s))
        }
        (Value::Numeric(n), oid::NUMERIC) => {
            let Some((p, s)) = numeric_precision_scale(typmod) else {
                return Ok(Value::Numeric(n));
            };
            if n.is_nan() {
                return Ok(Value::Numeric(n));
            }
            let overflow = |detail: String| {
                SqlError::out_of_range("numeric field overflow").with_detail(detail)
            };
            if n.is_infinite() {
                return Err(overflow(format!(
                    "A field with precision {p}, scale {s} cannot hold an infinite value."
                )));
            }
            let r = if s >= 0 {
                n.round(s as u16)
            } else {
                // Negative scale: round to 10^-s, display scale 0.
                let f = Numeric::from(10i64.pow((-s).min(18) as u32));
                n.div(&f)?.round(0).mul(&f)?
            };
            // Digits before the decimal point must fit p - s.
            let int_digits = integer_digits(&r);
            if int_digits > (p - s) as i64 {
                return Err(overflow(format!(
                    "A field with precision {p}, scale {s} must round to an absolute value less than {}{}.",
                    if p - s == 0 { "" } else { "10^" },
                    if p - s == 0 {
                        "1".to_owned()
                    } else {
                        (p - s).to_string()
                    }
                )));
            }
            Ok(Value::Numeric(r))
        }
        (Value::Timestamp(t), oid::TIMESTAMP) => Ok(Value::Timestamp(round_ts(t, typmod))),
        (Value::TimestampTz(t), oid::TIMESTAMPTZ) => Ok(Value::TimestampTz(round_ts(t, typmod))),
        (Value::Time(t), oid::TIME) => Ok(Value::Time(round_ts(t, typmod))),
        (v, _) => Ok(v),
    }
}

/// Number of decimal digits before the point (0 for |x| < 1).
fn integer_digits(n: &Numeric) -> i64 {
    let digits = n.digits();
    if digits.is_empty() || n.weight() < 0 {
        return 0;
    }
    let first = digits[0].unsigned_abs() as i64;
    let first_len = first.to_string().len() as i64;
    n.weight() as i64 * 4 + first_len
}

/// Rounds microseconds to `p` fractional digits (half away from zero).
fn round_ts(t: i64, p: i32) -> i64 {
    if p >= 6 || t == i64::MIN || t == i64::MAX {
        return t;
    }
    let unit = 10i64.pow((6 - p) as u32);
    let half = unit / 2;
    if t >= 0 {
        (t + half) / unit * unit
    } else {
        -((-t + half) / unit * unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typmods() {
        let v = apply_typmod(Value::Text("abc".into()), oid::BPCHAR, 9, false).unwrap();
        assert_eq!(v, Value::Text("abc  ".into()));
        let e = apply_typmod(Value::Text("abcdef".into()), oid::VARCHAR, 9, false).unwrap_err();
        assert_eq!(e.message, "value too long for type character varying(5)");
        let v = apply_typmod(Value::Text("abcdef".into()), oid::VARCHAR, 9, true).unwrap();
        assert_eq!(v, Value::Text("abcde".into()));
        let n: Numeric = "123.456".parse().unwrap();
        let v = apply_typmod(
            Value::Numeric(n.clone()),
            oid::NUMERIC,
            ((5 << 16) | 2) + 4,
            false,
        )
        .unwrap();
        assert_eq!(v.to_text(&Default::default()), "123.46");
        let e =
            apply_typmod(Value::Numeric(n), oid::NUMERIC, ((4 << 16) | 2) + 4, false).unwrap_err();
        assert_eq!(e.code, SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
    }
}
