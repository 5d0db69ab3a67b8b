//! Arithmetic and comparison, with PostgreSQL's semantics.
//!
//! Integer arithmetic is checked: a result that does not fit the result
//! type is 22003 `integer out of range` (or `smallint`/`bigint`), never a
//! wrap. Division by zero is 22012 for every numeric type, floats
//! included. Floats follow IEEE except that an overflow from finite inputs
//! is 22003 `value out of range: overflow`, as in PostgreSQL, and that NaN
//! sorts above every other value and equals itself (so `ORDER BY` and
//! indexes have a total order).
//!
//! Text compares byte-wise, which is the "C" collation: `'B' < 'a'`. That
//! is what PostgreSQL does in a database created with `LC_COLLATE=C`, and
//! the only collation this engine has; a cluster with a linguistic default
//! collation orders mixed-case text differently. `char(n)` compares with
//! trailing spaces ignored.

use std::cmp::Ordering;

use twill_types::{Numeric, Oid, Value, oid};

use super::functions::FnCtx;
use super::functions::datetime::{date_to_timestamp, from_local};
use crate::sql::error::SqlError;

/// Compares two non-NULL values of comparable types (the same type, or two
/// types the binder paired: integers of any width, integer and numeric or
/// float, date and timestamp, …). NULLs sort last, matching PostgreSQL's
/// default `ORDER BY`.
pub(crate) fn compare_values(
    settings: &twill_types::FormatSettings,
    a: &Value,
    b: &Value,
) -> Result<Ordering, SqlError> {
    use Value::*;
    Ok(match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Null, _) => Ordering::Greater,
        (_, Null) => Ordering::Less,
        (Bool(x), Bool(y)) => x.cmp(y),
        (Int2(_) | Int4(_) | Int8(_), Int2(_) | Int4(_) | Int8(_)) => as_i64(a).cmp(&as_i64(b)),
        (Float4(_) | Float8(_), _) | (_, Float4(_) | Float8(_)) => {
            float_cmp(as_f64(a)?, as_f64(b)?)
        }
        (Numeric(x), Numeric(y)) => x.cmp(y),
        (Numeric(x), _) => x.cmp(&twill_types::Numeric::from(as_i64(b))),
        (_, Numeric(y)) => twill_types::Numeric::from(as_i64(a)).cmp(y),
        (Text(x), Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Bytea(x), Bytea(y)) => x.cmp(y),
        (Char(x), Char(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.cmp(y),
        (Time(x), Time(y)) => x.cmp(y),
        (Timestamp(x), Timestamp(y)) | (TimestampTz(x), TimestampTz(y)) => x.cmp(y),
        (Date(x), Timestamp(y)) => date_to_timestamp(*x).cmp(y),
        (Timestamp(x), Date(y)) => x.cmp(&date_to_timestamp(*y)),
        (Date(_) | Timestamp(_), TimestampTz(y)) => as_tz(settings, a).cmp(y),
        (TimestampTz(x), Date(_) | Timestamp(_)) => x.cmp(&as_tz(settings, b)),
        (Interval(x), Interval(y)) => x.cmp_key().cmp(&y.cmp_key()),
        (Uuid(x), Uuid(y)) => x.cmp(y),
        (
            Oid(x) | RegClass(x) | RegType(x) | RegNamed { oid: x, .. },
            Oid(y) | RegClass(y) | RegType(y) | RegNamed { oid: y, .. },
        ) => x.cmp(y),
        (Jsonb(x), Jsonb(y)) => super::functions::json::jsonb_cmp(x, y),
        (Array(x), Array(y)) => {
            for (e, f) in x.elements.iter().zip(&y.elements) {
                match compare_values(settings, e, f)? {
                    Ordering::Equal => {}
                    o => return Ok(o),
                }
            }
            x.elements
                .len()
                .cmp(&y.elements.len())
                .then(x.lower_bound.cmp(&y.lower_bound))
        }
        _ => {
            return Err(SqlError::internal(format!(
                "cannot compare {} with {}",
                a.type_oid(),
                b.type_oid()
            )));
        }
    })
}

/// A date or timestamp as a timestamptz in the session time zone.
fn as_tz(settings: &twill_types::FormatSettings, v: &Value) -> i64 {
    let t = match v {
        Value::Date(d) => date_to_timestamp(*d),
        Value::Timestamp(t) => *t,
        _ => 0,
    };
    if t == i64::MIN || t == i64::MAX {
        t
    } else {
        from_local(settings, t)
    }
}

fn as_i64(v: &Value) -> i64 {
    match v {
        Value::Int2(x) => *x as i64,
        Value::Int4(x) => *x as i64,
        Value::Int8(x) => *x,
        _ => 0,
    }
}

fn as_f64(v: &Value) -> Result<f64, SqlError> {
    Ok(match v {
        Value::Float4(x) => *x as f64,
        Value::Float8(x) => *x,
        Value::Numeric(n) => n.to_f64(),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => as_i64(v) as f64,
        other => return Err(SqlError::internal(format!("not a number: {other:?}"))),
    })
}

/// PostgreSQL's float order: NaN equals NaN and is above everything.
fn float_cmp(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        // -0 = 0 in SQL.
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Comparison operators over any pair `compare_values` accepts.
macro_rules! cmp_op {
    ($name:ident, $test:expr) => {
        pub(crate) fn $name(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
            let o = cmp_args(ctx, a)?;
            #[allow(clippy::redundant_closure_call)]
            Ok(Value::Bool(($test)(o)))
        }
    };
}

fn cmp_args(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Ordering, SqlError> {
    // char(n) compares without its padding.
    if ctx.arg_types.first() == Some(&oid::BPCHAR)
        && let (Value::Text(x), Value::Text(y)) = (&a[0], &a[1])
    {
        return Ok(x
            .trim_end_matches(' ')
            .as_bytes()
            .cmp(y.trim_end_matches(' ').as_bytes()));
    }
    compare_values(&ctx.eval.settings, &a[0], &a[1])
}

cmp_op!(eq, |o| o == Ordering::Equal);
cmp_op!(ne, |o| o != Ordering::Equal);
cmp_op!(lt, |o| o == Ordering::Less);
cmp_op!(le, |o| o != Ordering::Greater);
cmp_op!(gt, |o| o == Ordering::Greater);
cmp_op!(ge, |o| o != Ordering::Less);

/// An arithmetic operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

fn int_overflow(ty: Oid) -> SqlError {
    SqlError::out_of_range(match ty {
        oid::INT2 => "smallint out of range",
        oid::INT4 => "integer out of range",
        _ => "bigint out of range",
    })
}

fn arith(ctx: &FnCtx<'_, '_>, a: &[Value], op: Arith) -> Result<Value, SqlError> {
    match ctx.ret {
        oid::INT2 | oid::INT4 | oid::INT8 => {
            let (x, y) = (as_i64(&a[0]), as_i64(&a[1]));
            let r = match op {
                Arith::Add => x.checked_add(y),
                Arith::Sub => x.checked_sub(y),
                Arith::Mul => x.checked_mul(y),
                Arith::Div => {
                    if y == 0 {
                        return Err(SqlError::division_by_zero());
                    }
                    x.checked_div(y)
                }
                Arith::Mod => {
                    if y == 0 {
                        return Err(SqlError::division_by_zero());
                    }
                    // INT_MIN % -1 is 0, not an overflow.
                    Some(if y == -1 { 0 } else { x % y })
                }
            }
            .ok_or_else(|| int_overflow(ctx.ret))?;
            match ctx.ret {
                oid::INT2 => i16::try_from(r)
                    .map(Value::Int2)
                    .map_err(|_| int_overflow(oid::INT2)),
                oid::INT4 => i32::try_from(r)
                    .map(Value::Int4)
                    .map_err(|_| int_overflow(oid::INT4)),
                _ => Ok(Value::Int8(r)),
            }
        }
        oid::FLOAT4 | oid::FLOAT8 => {
            let (x, y) = (as_f64(&a[0])?, as_f64(&a[1])?);
            let r = match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div => {
                    if y == 0.0 {
                        return Err(SqlError::division_by_zero());
                    }
                    x / y
                }
                Arith::Mod => return Err(SqlError::internal("float modulo")),
            };
            if ctx.ret == oid::FLOAT4 {
                let r32 = match op {
                    Arith::Add => x as f32 + y as f32,
                    Arith::Sub => x as f32 - y as f32,
                    Arith::Mul => x as f32 * y as f32,
                    _ => x as f32 / y as f32,
                };
                check_float(r32 as f64, x, y, op)?;
                return Ok(Value::Float4(r32));
            }
            check_float(r, x, y, op)?;
            Ok(Value::Float8(r))
        }
        oid::NUMERIC => {
            let x = num(&a[0]);
            let y = num(&a[1]);
            Ok(Value::Numeric(match op {
                Arith::Add => x.add(&y)?,
                Arith::Sub => x.sub(&y)?,
                Arith::Mul => x.mul(&y)?,
                Arith::Div => x.div(&y)?,
                Arith::Mod => x.rem(&y)?,
            }))
        }
        _ => Err(SqlError::internal("arithmetic on a non-number")),
    }
}

/// Overflow/underflow checks of PostgreSQL's float operators.
fn check_float(r: f64, x: f64, y: f64, op: Arith) -> Result<(), SqlError> {
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(SqlError::out_of_range("value out of range: overflow"));
    }
    if r == 0.0 && op == Arith::Mul && x != 0.0 && y != 0.0 {
        return Err(SqlError::out_of_range("value out of range: underflow"));
    }
    Ok(())
}

fn num(v: &Value) -> Numeric {
    match v {
        Value::Numeric(n) => n.clone(),
        other => Numeric::from(as_i64(other)),
    }
}

pub(crate) fn add(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arith(ctx, a, Arith::Add)
}
pub(crate) fn sub(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arith(ctx, a, Arith::Sub)
}
pub(crate) fn mul(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arith(ctx, a, Arith::Mul)
}
pub(crate) fn div(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arith(ctx, a, Arith::Div)
}
pub(crate) fn rem(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arith(ctx, a, Arith::Mod)
}

/// Prefix `-`.
pub(crate) fn neg(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match &a[0] {
        Value::Int2(x) => Value::Int2(x.checked_neg().ok_or_else(|| int_overflow(oid::INT2))?),
        Value::Int4(x) => Value::Int4(x.checked_neg().ok_or_else(|| int_overflow(oid::INT4))?),
        Value::Int8(x) => Value::Int8(x.checked_neg().ok_or_else(|| int_overflow(oid::INT8))?),
        Value::Float4(x) => Value::Float4(-x),
        Value::Float8(x) => Value::Float8(-x),
        Value::Numeric(n) => Value::Numeric(n.neg()),
        other => {
            return Err(SqlError::internal(format!(
                "negate {other:?} as {}",
                ctx.ret
            )));
        }
    })
}

/// Prefix `+`.
pub(crate) fn pos(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(a[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::expr::functions::datetime::USECS_PER_DAY;

    #[test]
    fn ordering_rules() {
        let s = twill_types::FormatSettings::default();
        let c = |a: Value, b: Value| compare_values(&s, &a, &b).unwrap();
        assert_eq!(
            c(Value::Text("B".into()), Value::Text("a".into())),
            Ordering::Less
        );
        assert_eq!(
            c(Value::Float8(f64::NAN), Value::Float8(f64::INFINITY)),
            Ordering::Greater
        );
        assert_eq!(c(Value::Float8(-0.0), Value::Float8(0.0)), Ordering::Equal);
        assert_eq!(c(Value::Int2(1), Value::Int8(1)), Ordering::Equal);
        assert_eq!(
            c(Value::Date(1), Value::Timestamp(USECS_PER_DAY)),
            Ordering::Equal
        );
    }
}
