//! Mathematical functions.
//!
//! Most come in a `float8` and a `numeric` flavour, as in PostgreSQL, and
//! the candidate rules pick between them: an integer argument goes to
//! `float8` (the preferred numeric type) and a decimal literal to
//! `numeric`. The `numeric` flavours of `round`, `trunc`, `ceil`, `floor`,
//! `abs`, `sign` and `mod` are exact; `sqrt(numeric)` is computed in double
//! precision and rounded to PostgreSQL's result scale, which is exact to
//! about 15 significant digits. `power(numeric, numeric)` likewise.
//! `exp`, `ln` and `log` exist only for `float8` (a deliberate difference:
//! PostgreSQL also has exact `numeric` versions, which print more digits).

use twill_types::{Numeric, SqlState, Value, oid};

use super::{Builder, FnCtx, float_arg, int_arg};
use crate::sql::error::SqlError;

/// 2201E `invalid_argument_for_logarithm`.
const INVALID_LOG: SqlState = SqlState::from_code("2201E");
/// 2201F `invalid_argument_for_power_function`.
const INVALID_POWER: SqlState = SqlState::from_code("2201F");

fn num_arg(a: &[Value], i: usize) -> Result<Numeric, SqlError> {
    match a.get(i) {
        Some(Value::Numeric(n)) => Ok(n.clone()),
        other => Err(SqlError::internal(format!(
            "expected numeric, got {other:?}"
        ))),
    }
}

/// A float result, with PostgreSQL's overflow/underflow checks.
fn float_result(r: f64, inputs_finite: bool) -> Result<Value, SqlError> {
    if r.is_infinite() && inputs_finite {
        return Err(SqlError::out_of_range("value out of range: overflow"));
    }
    Ok(Value::Float8(r))
}

fn abs(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match &a[0] {
        Value::Int2(x) => Value::Int2(
            x.checked_abs()
                .ok_or_else(|| SqlError::out_of_range("smallint out of range"))?,
        ),
        Value::Int4(x) => Value::Int4(
            x.checked_abs()
                .ok_or_else(|| SqlError::out_of_range("integer out of range"))?,
        ),
        Value::Int8(x) => Value::Int8(
            x.checked_abs()
                .ok_or_else(|| SqlError::out_of_range("bigint out of range"))?,
        ),
        Value::Float4(x) => Value::Float4(x.abs()),
        Value::Float8(x) => Value::Float8(x.abs()),
        Value::Numeric(n) => Value::Numeric(n.abs()),
        other => return Err(SqlError::internal(format!("abs of {other:?}"))),
    })
}

/// Rounds (or truncates) a numeric to `scale` places; negative scales
/// round to tens, hundreds, … and display no decimals.
fn numeric_round(n: &Numeric, scale: i64, trunc: bool) -> Result<Numeric, SqlError> {
    if n.is_nan() || n.is_infinite() {
        return Ok(n.clone());
    }
    let scale = scale.clamp(-1000, 1000);
    if scale >= 0 {
        return Ok(if trunc {
            n.trunc(scale as u16)
        } else {
            n.round(scale as u16)
        });
    }
    let f: Numeric = format!("1{}", "0".repeat((-scale) as usize)).parse()?;
    let q = n.div(&f)?;
    let q = if trunc {
        n.sub(&n.rem(&f)?)?.div(&f)?.trunc(0)
    } else {
        q.round(0)
    };
    Ok(q.mul(&f)?.trunc(0))
}

fn round_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let scale = if a.len() > 1 { int_arg(a, 1)? } else { 0 };
    Ok(Value::Numeric(numeric_round(
        &num_arg(a, 0)?,
        scale,
        false,
    )?))
}

fn trunc_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let scale = if a.len() > 1 { int_arg(a, 1)? } else { 0 };
    Ok(Value::Numeric(numeric_round(&num_arg(a, 0)?, scale, true)?))
}

fn round_f(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    // rint(): half to even.
    Ok(Value::Float8(float_arg(a, 0)?.round_ties_even()))
}

fn trunc_f(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(float_arg(a, 0)?.trunc()))
}

fn ceil_f(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(float_arg(a, 0)?.ceil()))
}

fn floor_f(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(float_arg(a, 0)?.floor()))
}

fn ceil_floor_num(n: &Numeric, ceil: bool) -> Result<Numeric, SqlError> {
    if n.is_nan() || n.is_infinite() {
        return Ok(n.clone());
    }
    let t = n.trunc(0);
    if t == *n {
        return Ok(t);
    }
    let one = Numeric::from(1i64);
    Ok(if ceil && !n.is_negative() {
        t.add(&one)?
    } else if !ceil && n.is_negative() {
        t.sub(&one)?
    } else {
        t
    })
}

fn ceil_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Numeric(ceil_floor_num(&num_arg(a, 0)?, true)?))
}

fn floor_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Numeric(ceil_floor_num(&num_arg(a, 0)?, false)?))
}

fn sign(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match &a[0] {
        Value::Numeric(n) => Value::Numeric(if n.is_nan() {
            n.clone()
        } else if n.is_zero() {
            Numeric::zero()
        } else if n.is_negative() {
            Numeric::from(-1i64)
        } else {
            Numeric::from(1i64)
        }),
        _ => {
            let f = float_arg(a, 0)?;
            Value::Float8(if f.is_nan() {
                f
            } else if f > 0.0 {
                1.0
            } else if f < 0.0 {
                -1.0
            } else {
                0.0
            })
        }
    })
}

fn sqrt_f(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let f = float_arg(a, 0)?;
    if f < 0.0 {
        return Err(SqlError::new(
            INVALID_POWER,
            "cannot take square root of a negative number",
        ));
    }
    Ok(Value::Float8(f.sqrt()))
}

fn sqrt_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = num_arg(a, 0)?;
    if n.is_nan() || (n.is_infinite() && !n.is_negative()) {
        return Ok(Value::Numeric(n));
    }
    if n.is_negative() {
        return Err(SqlError::new(
            INVALID_POWER,
            "cannot take square root of a negative number",
        ));
    }
    // numeric_sqrt's result scale.
    let sweight = (n.weight() as i64 + 1) * 4 / 2 - 1;
    let rscale = (16 - sweight).max(n.dscale() as i64).clamp(0, 1000) as usize;
    let r = n.to_f64().sqrt();
    Ok(Value::Numeric(format!("{r:.rscale$}").parse()?))
}

fn cbrt(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(float_arg(a, 0)?.cbrt()))
}

fn exp(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let f = float_arg(a, 0)?;
    let r = f.exp();
    if r == 0.0 && f.is_finite() {
        return Err(SqlError::out_of_range("value out of range: underflow"));
    }
    float_result(r, f.is_finite())
}

fn ln_checked(f: f64) -> Result<f64, SqlError> {
    if f == 0.0 {
        return Err(SqlError::new(INVALID_LOG, "cannot take logarithm of zero"));
    }
    if f < 0.0 {
        return Err(SqlError::new(
            INVALID_LOG,
            "cannot take logarithm of a negative number",
        ));
    }
    Ok(f.ln())
}

fn ln(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(ln_checked(float_arg(a, 0)?)?))
}

fn log10(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let f = float_arg(a, 0)?;
    ln_checked(f)?;
    Ok(Value::Float8(f.log10()))
}

fn power(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (float_arg(a, 0)?, float_arg(a, 1)?);
    if x == 0.0 && y < 0.0 {
        return Err(SqlError::new(
            INVALID_POWER,
            "zero raised to a negative power is undefined",
        ));
    }
    if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
        return Err(SqlError::new(
            INVALID_POWER,
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let r = x.powf(y);
    if r == 0.0 && x != 0.0 && x.is_finite() && y.is_finite() {
        return Err(SqlError::out_of_range("value out of range: underflow"));
    }
    float_result(r, x.is_finite() && y.is_finite())
}

/// `power(numeric, numeric)`: computed in double precision, printed with
/// PostgreSQL's result scale (16 significant digits, at least the inputs'
/// scales).
fn power_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (xn, yn) = (num_arg(a, 0)?, num_arg(a, 1)?);
    if xn.is_nan() || yn.is_nan() || xn.is_infinite() || yn.is_infinite() {
        return Ok(Value::Numeric(Numeric::from_f64(
            xn.to_f64().powf(yn.to_f64()),
        )));
    }
    let (x, y) = (xn.to_f64(), yn.to_f64());
    if x == 0.0 && y < 0.0 {
        return Err(SqlError::new(
            INVALID_POWER,
            "zero raised to a negative power is undefined",
        ));
    }
    if x < 0.0 && y.fract() != 0.0 {
        return Err(SqlError::new(
            INVALID_POWER,
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let r = x.powf(y);
    if !r.is_finite() {
        return Err(SqlError::out_of_range("value overflows numeric format"));
    }
    // An integer exponent gets 16 decimals (power_var_int); otherwise 16
    // significant digits.
    let val = if x == 0.0 || y.fract() == 0.0 {
        0.0
    } else {
        y * x.abs().log10()
    };
    let rscale = (16 - val as i64)
        .max(xn.dscale() as i64)
        .max(yn.dscale() as i64)
        .clamp(0, 1000) as usize;
    Ok(Value::Numeric(format!("{r:.rscale$}").parse()?))
}

fn mod_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Numeric(num_arg(a, 0)?.rem(&num_arg(a, 1)?)?))
}

fn pi(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(std::f64::consts::PI))
}

macro_rules! float_fn {
    ($name:ident, $f:expr) => {
        fn $name(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
            #[allow(clippy::redundant_closure_call)]
            Ok(Value::Float8(($f)(float_arg(a, 0)?)))
        }
    };
}

float_fn!(degrees, f64::to_degrees);
float_fn!(radians, f64::to_radians);
float_fn!(sin, f64::sin);
float_fn!(cos, f64::cos);
float_fn!(tan, f64::tan);
float_fn!(atan, f64::atan);

fn atan2(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(float_arg(a, 0)?.atan2(float_arg(a, 1)?)))
}

fn div_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (num_arg(a, 0)?, num_arg(a, 1)?);
    let q = x.sub(&x.rem(&y)?)?.div(&y)?;
    Ok(Value::Numeric(q.trunc(0)))
}

fn width_bucket(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, lo, hi, n) = (
        float_arg(a, 0)?,
        float_arg(a, 1)?,
        float_arg(a, 2)?,
        int_arg(a, 3)?,
    );
    if n <= 0 {
        return Err(SqlError::new(
            SqlState::from_code("2201G"),
            "count must be greater than zero",
        ));
    }
    if lo == hi {
        return Err(SqlError::new(
            SqlState::from_code("2201G"),
            "lower bound cannot equal upper bound",
        ));
    }
    let b = if lo < hi {
        if x < lo {
            0
        } else if x >= hi {
            n + 1
        } else {
            ((x - lo) / (hi - lo) * n as f64) as i64 + 1
        }
    } else if x > lo {
        0
    } else if x <= hi {
        n + 1
    } else {
        ((lo - x) / (lo - hi) * n as f64) as i64 + 1
    };
    Ok(Value::Int4(b as i32))
}

/// `to_char(number, format)` for the common numeric templates: `9`, `0`,
/// `.`/`D`, `,`/`G` and the `FM` prefix; the sign goes right before the
/// first digit (or a space holds its place). Anything else in the
/// template is copied as is. Too many integer digits print as `#`.
fn to_char_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let fmt = super::text_arg(a, 1)?;
    let (fm, body) = match fmt.strip_prefix("FM") {
        Some(b) => (true, b),
        None => (false, fmt),
    };
    let point = body.find(['.', 'D']);
    let (int_fmt, frac_fmt) = match point {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, ""),
    };
    let frac_digits = frac_fmt.chars().filter(|c| matches!(c, '9' | '0')).count();
    let int_digits = int_fmt.chars().filter(|c| matches!(c, '9' | '0')).count();
    let n = match &a[0] {
        Value::Numeric(n) => n.clone(),
        Value::Float4(_) | Value::Float8(_) => Numeric::from_f64(float_arg(a, 0)?),
        _ => Numeric::from(int_arg(a, 0)?),
    };
    if n.is_nan() || n.is_infinite() {
        return Ok(Value::Text(body.replace(['9', '0'], "#")));
    }
    let r = n.abs().round(frac_digits as u16).to_string();
    let (ip, fp) = r.split_once('.').unwrap_or((&r, ""));
    let ip = ip.trim_start_matches('0');
    let neg = n.is_negative() && r.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if ip.len() > int_digits {
        out.push(' ');
        for c in int_fmt.chars() {
            out.push(if matches!(c, '9' | '0') { '#' } else { c });
        }
        if point.is_some() {
            out.push('.');
            out.push_str(&"#".repeat(frac_digits));
        }
        return Ok(Value::Text(out));
    }
    // Integer part, right to left over the template; digits not printed
    // are spaces, and one more column on the left holds the sign.
    let ip = if ip.is_empty() && frac_digits == 0 {
        "0"
    } else {
        ip
    };
    let digits: Vec<char> = ip.chars().collect();
    let mut di = digits.len();
    let zero_from = int_fmt.find('0').map(|z| {
        int_fmt[..z]
            .chars()
            .filter(|c| matches!(c, '9' | '0'))
            .count()
    });
    let mut pos = int_digits;
    let mut pieces: Vec<char> = Vec::new();
    for c in int_fmt.chars().rev() {
        match c {
            '9' | '0' => {
                pos -= 1;
                if di > 0 {
                    di -= 1;
                    pieces.push(digits[di]);
                } else if zero_from.is_some_and(|z| pos >= z) {
                    pieces.push('0');
                } else {
                    pieces.push(' ');
                }
            }
            ',' | 'G' => {
                let more = di > 0 || zero_from.is_some_and(|z| pos > z);
                pieces.push(if more { ',' } else { ' ' });
            }
            other => pieces.push(other),
        }
    }
    pieces.push(' ');
    pieces.reverse();
    let mut int_part: String = pieces.into_iter().collect();
    if neg {
        // The sign goes right before the first printed character.
        let first = int_part.find(|c: char| c != ' ').unwrap_or(int_part.len());
        if first > 0 {
            int_part.replace_range(first - 1..first, "-");
        }
    }
    if fm {
        int_part = int_part.trim_start().to_owned();
    }
    out.push_str(&int_part);
    if point.is_some() {
        out.push('.');
        let mut frac: Vec<char> = fp.chars().collect();
        frac.resize(frac_digits, '0');
        let mut f = String::new();
        let mut fi = 0;
        for c in frac_fmt.chars() {
            if matches!(c, '9' | '0') {
                f.push(frac[fi]);
                fi += 1;
            } else {
                f.push(c);
            }
        }
        if fm {
            // FM drops trailing zeros that only '9' positions asked for.
            let last_zero = frac_fmt.rfind('0').map_or(0, |i| i + 1);
            while f.len() > last_zero && f.ends_with('0') {
                f.pop();
            }
        }
        out.push_str(&f);
    }
    Ok(Value::Text(out))
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    for t in [INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC] {
        r.func("abs", &[t], t, abs);
        r.prefix("@", t, t, abs);
    }
    r.func("round", &[FLOAT8], FLOAT8, round_f);
    r.func("round", &[NUMERIC], NUMERIC, round_num);
    r.func("round", &[NUMERIC, INT4], NUMERIC, round_num);
    r.func("trunc", &[FLOAT8], FLOAT8, trunc_f);
    r.func("trunc", &[NUMERIC], NUMERIC, trunc_num);
    r.func("trunc", &[NUMERIC, INT4], NUMERIC, trunc_num);
    for name in ["ceil", "ceiling"] {
        r.func(name, &[FLOAT8], FLOAT8, ceil_f);
        r.func(name, &[NUMERIC], NUMERIC, ceil_num);
    }
    r.func("floor", &[FLOAT8], FLOAT8, floor_f);
    r.func("floor", &[NUMERIC], NUMERIC, floor_num);
    r.func("sign", &[FLOAT8], FLOAT8, sign);
    r.func("sign", &[NUMERIC], NUMERIC, sign);
    r.func("sqrt", &[FLOAT8], FLOAT8, sqrt_f);
    r.func("sqrt", &[NUMERIC], NUMERIC, sqrt_num);
    r.prefix("|/", FLOAT8, FLOAT8, sqrt_f);
    r.func("cbrt", &[FLOAT8], FLOAT8, cbrt);
    r.prefix("||/", FLOAT8, FLOAT8, cbrt);
    r.func("exp", &[FLOAT8], FLOAT8, exp);
    r.func("ln", &[FLOAT8], FLOAT8, ln);
    r.func("log", &[FLOAT8], FLOAT8, log10);
    r.func("log10", &[FLOAT8], FLOAT8, log10);
    r.func("power", &[FLOAT8, FLOAT8], FLOAT8, power);
    r.func("pow", &[FLOAT8, FLOAT8], FLOAT8, power);
    r.op("^", FLOAT8, FLOAT8, FLOAT8, power);
    r.func("power", &[NUMERIC, NUMERIC], NUMERIC, power_num);
    r.func("pow", &[NUMERIC, NUMERIC], NUMERIC, power_num);
    r.op("^", NUMERIC, NUMERIC, NUMERIC, power_num);
    for t in [INT2, INT4, INT8] {
        r.func("mod", &[t, t], t, crate::sql::expr::ops::rem);
    }
    r.func("mod", &[NUMERIC, NUMERIC], NUMERIC, mod_num);
    r.func("div", &[NUMERIC, NUMERIC], NUMERIC, div_num);
    r.func("pi", &[], FLOAT8, pi);
    r.func("degrees", &[FLOAT8], FLOAT8, degrees);
    r.func("radians", &[FLOAT8], FLOAT8, radians);
    r.func("sin", &[FLOAT8], FLOAT8, sin);
    r.func("cos", &[FLOAT8], FLOAT8, cos);
    r.func("tan", &[FLOAT8], FLOAT8, tan);
    r.func("atan", &[FLOAT8], FLOAT8, atan);
    r.func("atan2", &[FLOAT8, FLOAT8], FLOAT8, atan2);
    for t in [INT4, INT8, FLOAT8, NUMERIC] {
        r.func("to_char", &[t, TEXT], TEXT, to_char_num).stable();
    }
    r.func(
        "width_bucket",
        &[FLOAT8, FLOAT8, FLOAT8, INT4],
        INT4,
        width_bucket,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_rounding() {
        let n = |s: &str| s.parse::<Numeric>().unwrap();
        assert_eq!(
            numeric_round(&n("1234.5"), -2, false).unwrap().to_string(),
            "1200"
        );
        assert_eq!(
            numeric_round(&n("-2.5"), 0, false).unwrap().to_string(),
            "-3"
        );
        assert_eq!(
            numeric_round(&n("3.789"), 1, true).unwrap().to_string(),
            "3.7"
        );
        assert_eq!(ceil_floor_num(&n("-1.2"), false).unwrap().to_string(), "-2");
        assert_eq!(ceil_floor_num(&n("1.2"), true).unwrap().to_string(), "2");
    }
}
