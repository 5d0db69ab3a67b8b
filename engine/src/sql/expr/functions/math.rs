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

fn int_out_of_range(ty: twill_types::Oid) -> SqlError {
    SqlError::out_of_range(if ty == oid::INT8 {
        "bigint out of range"
    } else {
        "integer out of range"
    })
}

fn int_value(ty: twill_types::Oid, v: i64) -> Value {
    if ty == oid::INT8 {
        Value::Int8(v)
    } else {
        Value::Int4(v as i32)
    }
}

/// Euclid on magnitudes; the type's minimum has no positive counterpart,
/// which PostgreSQL reports as out of range.
fn gcd_of(ty: twill_types::Oid, a: i64, b: i64) -> Result<i64, SqlError> {
    let (mut x, mut y) = (a.unsigned_abs() as u128, b.unsigned_abs() as u128);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    let max = if ty == oid::INT8 {
        i64::MAX as u128
    } else {
        i32::MAX as u128
    };
    if x > max {
        return Err(int_out_of_range(ty));
    }
    Ok(x as i64)
}

fn gcd(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(int_value(
        ctx.ret,
        gcd_of(ctx.ret, int_arg(a, 0)?, int_arg(a, 1)?)?,
    ))
}

fn lcm(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (int_arg(a, 0)?, int_arg(a, 1)?);
    if x == 0 || y == 0 {
        return Ok(int_value(ctx.ret, 0));
    }
    let g = gcd_of(ctx.ret, x, y)?;
    let r = ((x / g) as i128 * y as i128).abs();
    let max = if ctx.ret == oid::INT8 {
        i64::MAX as i128
    } else {
        i32::MAX as i128
    };
    if r > max {
        return Err(int_out_of_range(ctx.ret));
    }
    Ok(int_value(ctx.ret, r as i64))
}

fn factorial(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = int_arg(a, 0)?;
    if n < 0 {
        return Err(SqlError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            "factorial of a negative number is undefined",
        ));
    }
    if n > 32177 {
        return Err(SqlError::out_of_range("value overflows numeric format"));
    }
    let mut acc = Numeric::from_f64(1.0);
    for k in 2..=n {
        acc = acc.mul(&Numeric::from_f64(k as f64))?;
    }
    Ok(Value::Numeric(acc))
}

fn num_text(n: &Numeric) -> String {
    n.to_string()
}

/// The number of fractional digits needed to show `n` exactly.
fn min_scale_of(n: &Numeric) -> i32 {
    let s = num_text(n);
    match s.split_once('.') {
        Some((_, frac)) => frac.trim_end_matches('0').len() as i32,
        None => 0,
    }
}

fn scale(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = num_arg(a, 0)?;
    if n.is_nan() || n.is_infinite() {
        return Ok(Value::Null);
    }
    Ok(Value::Int4(n.dscale() as i32))
}

fn min_scale(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = num_arg(a, 0)?;
    if n.is_nan() || n.is_infinite() {
        return Ok(Value::Null);
    }
    Ok(Value::Int4(min_scale_of(&n)))
}

fn trim_scale(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = num_arg(a, 0)?;
    if n.is_nan() || n.is_infinite() {
        return Ok(Value::Numeric(n.clone()));
    }
    Ok(Value::Numeric(n.round(min_scale_of(&n) as u16)))
}

/// `log(b, x)` in numeric: computed in double precision, shown with
/// PostgreSQL's result scale (16 significant digits, at least the inputs'
/// scales).
fn log_num(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (bn, xn) = (num_arg(a, 0)?, num_arg(a, 1)?);
    for n in [&bn, &xn] {
        if n.is_zero() {
            return Err(SqlError::new(
                SqlState::from_code("2201E"),
                "cannot take logarithm of zero",
            ));
        }
        if n.is_negative() {
            return Err(SqlError::new(
                SqlState::from_code("2201E"),
                "cannot take logarithm of a negative number",
            ));
        }
    }
    if bn.is_nan() || xn.is_nan() {
        return Ok(Value::Numeric(Numeric::nan()));
    }
    let (b, x) = (bn.to_f64(), xn.to_f64());
    if b == 1.0 {
        return Err(SqlError::division_by_zero());
    }
    let r = x.ln() / b.ln();
    // PostgreSQL's estimate_ln_dweight: the decimal weight of ln(v).
    let ln_dweight = |v: f64| {
        if (0.9..=1.1).contains(&v) {
            if v == 1.0 {
                0
            } else {
                (v - 1.0).abs().log10().floor() as i32
            }
        } else {
            v.ln().abs().log10() as i32
        }
    };
    let scale = (16 - (ln_dweight(x) - ln_dweight(b)))
        .max(bn.dscale() as i32)
        .max(xn.dscale() as i32)
        .clamp(0, 1000);
    let r = if (r - r.round()).abs() < 1e-12 * r.abs().max(1.0) {
        r.round()
    } else {
        r
    };
    let text = format!("{r:.prec$}", prec = scale as usize);
    Ok(Value::Numeric(
        text.parse::<Numeric>()
            .map_err(|_| SqlError::internal("log result"))?,
    ))
}

/// `to_number(text, template)`: reads the input against the template's
/// digit positions (`9 0`), decimal point (`. D`), group separators
/// (`, G`), sign (`S MI PL SG`, a leading `-`) and `FM`; other template
/// characters skip one input character.
fn to_number(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let input = super::text_arg(a, 0)?;
    let fmt = super::text_arg(a, 1)?.to_ascii_uppercase();
    let inp: Vec<char> = input.chars().collect();
    let f: Vec<char> = fmt.chars().collect();
    let (mut i, mut j) = (0usize, 0usize);
    let mut neg = false;
    let (mut int_digits, mut frac_digits, mut in_frac) = (String::new(), String::new(), false);
    while i < inp.len() && inp[i] == ' ' {
        i += 1;
    }
    if i < inp.len() && (inp[i] == '-' || inp[i] == '+') && f.first() != Some(&'S') {
        neg = inp[i] == '-';
        i += 1;
    }
    while j < f.len() && i < inp.len() {
        let rest: String = f[j..].iter().take(2).collect();
        match f[j] {
            '9' | '0' => {
                if inp[i].is_ascii_digit() {
                    if in_frac {
                        frac_digits.push(inp[i]);
                    } else {
                        int_digits.push(inp[i]);
                    }
                    i += 1;
                } else if inp[i] == ' ' {
                    i += 1;
                }
                j += 1;
            }
            '.' | 'D' => {
                if inp[i] == '.' {
                    i += 1;
                }
                in_frac = true;
                j += 1;
            }
            ',' | 'G' => {
                if inp[i] == ',' {
                    i += 1;
                }
                j += 1;
            }
            'S' => {
                if inp[i] == '-' || inp[i] == '+' {
                    neg = inp[i] == '-';
                    i += 1;
                }
                j += 1;
            }
            'F' if rest == "FM" => j += 2,
            'M' if rest == "MI" => {
                if inp[i] == '-' {
                    neg = true;
                    i += 1;
                }
                j += 2;
            }
            'P' if rest == "PL" => {
                if inp[i] == '+' {
                    i += 1;
                }
                j += 2;
            }
            _ => {
                i += 1;
                j += 1;
            }
        }
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(SqlError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type numeric: \" \"",
        ));
    }
    let text = format!(
        "{}{}{}{}",
        if neg { "-" } else { "" },
        if int_digits.is_empty() {
            "0"
        } else {
            &int_digits
        },
        if in_frac && !frac_digits.is_empty() {
            "."
        } else {
            ""
        },
        frac_digits
    );
    Ok(Value::Numeric(
        text.parse::<Numeric>()
            .map_err(|_| SqlError::internal("to_number result"))?,
    ))
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
    r.func("log", &[NUMERIC, NUMERIC], NUMERIC, log_num);
    for t in [INT4, INT8] {
        r.func("gcd", &[t, t], t, gcd);
        r.func("lcm", &[t, t], t, lcm);
    }
    r.func("factorial", &[INT8], NUMERIC, factorial);
    r.func("to_number", &[TEXT, TEXT], NUMERIC, to_number)
        .stable();
    r.func("scale", &[NUMERIC], INT4, scale);
    r.func("min_scale", &[NUMERIC], INT4, min_scale);
    r.func("trim_scale", &[NUMERIC], NUMERIC, trim_scale);
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
