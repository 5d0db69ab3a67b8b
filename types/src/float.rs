//! float4 and float8 text I/O.
//!
//! Since PostgreSQL 12, floats print in the shortest form that reads back to
//! the same value (`0.1`, not `0.10000000000000001`) when
//! `extra_float_digits > 0`, the default; with `extra_float_digits <= 0`
//! they print as C's `%.*g` with `DBL_DIG + extra_float_digits` digits.
//! Drivers compare these strings in their own tests, so the layout — when
//! to switch to an exponent, `e+100` with at least two exponent digits,
//! `Infinity`, `NaN`, `-0` — follows PostgreSQL exactly. Rust's `{:e}`
//! already yields the shortest round-trip digits; this module only lays
//! them out.

use crate::TypeError;

/// Significant decimal digits a float8 always preserves (C's `DBL_DIG`).
const DBL_DIG: i32 = 15;
/// Significant decimal digits a float4 always preserves (C's `FLT_DIG`).
const FLT_DIG: i32 = 6;

/// Splits Rust's `{:e}` output (`-1.2345e-7`) into sign, digits and the
/// decimal exponent of the first digit.
fn split_exp(s: &str) -> (bool, String, i32) {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

/// Lays out `digits` (first digit at decimal exponent `exp`) either fixed or
/// with an exponent, as both PostgreSQL's shortest form and `%g` do.
fn layout(neg: bool, digits: &str, exp: i32, use_exp: bool, out: &mut String) {
    if neg {
        out.push('-');
    }
    if use_exp {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
}

fn special(v: f64, out: &mut String) -> bool {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        return false;
    }
    true
}

/// `%.{precision}g`, as glibc prints it.
fn format_g(v: f64, precision: i32, out: &mut String) {
    let p = precision.max(1);
    let (neg, digits, exp) = split_exp(&format!("{:.*e}", (p - 1) as usize, v));
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    layout(neg, digits, exp, exp < -4 || exp >= p, out);
}

/// Appends float8 text output.
pub(crate) fn format_f64(v: f64, extra_float_digits: i32, out: &mut String) {
    if special(v, out) {
        return;
    }
    if extra_float_digits > 0 {
        if v == 0.0 {
            out.push_str(if v.is_sign_negative() { "-0" } else { "0" });
            return;
        }
        let (neg, digits, exp) = split_exp(&format!("{v:e}"));
        layout(neg, &digits, exp, !(-4..DBL_DIG).contains(&exp), out);
    } else {
        format_g(v, DBL_DIG + extra_float_digits, out);
    }
}

/// Appends float4 text output.
pub(crate) fn format_f32(v: f32, extra_float_digits: i32, out: &mut String) {
    if special(v as f64, out) {
        return;
    }
    if extra_float_digits > 0 {
        if v == 0.0 {
            out.push_str(if v.is_sign_negative() { "-0" } else { "0" });
            return;
        }
        let (neg, digits, exp) = split_exp(&format!("{v:e}"));
        layout(neg, &digits, exp, !(-4..FLT_DIG).contains(&exp), out);
    } else {
        format_g(v as f64, FLT_DIG + extra_float_digits, out);
    }
}

/// The syntax `strtod` accepts for a finite number, which is stricter than
/// Rust's `parse` in some ways (no `_`) and looser in none we care about.
fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndigits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        ndigits += i - f;
    }
    if ndigits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

/// Parses `NaN`, `[+-]Infinity`, `[+-]inf` (any case), else a decimal.
/// Returns `Ok(None)` for bad syntax; `Err(())` when the value overflows or
/// underflows to zero.
fn parse_text(s: &str) -> Result<Option<f64>, ()> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let lower = t.to_ascii_lowercase();
    let (neg, body) = match lower.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    match body {
        // glibc's strtod keeps the sign of `-nan`, and so does PostgreSQL.
        "nan" => return Ok(Some(if neg { -f64::NAN } else { f64::NAN })),
        "infinity" | "inf" => {
            return Ok(Some(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        _ => {}
    }
    if !is_decimal(t) {
        return Ok(None);
    }
    Ok(Some(t.parse::<f64>().map_err(|_| ())?))
}

/// Whether a decimal literal has a nonzero digit before any exponent.
fn has_nonzero_digit(s: &str) -> bool {
    s.bytes()
        .take_while(|b| *b != b'e' && *b != b'E')
        .any(|b| (b'1'..=b'9').contains(&b))
}

/// float8 text input (`float8in`).
pub(crate) fn parse_f64(s: &str) -> Result<f64, TypeError> {
    const NAME: &str = "double precision";
    let v = parse_text(s)
        .map_err(|_| TypeError::invalid_syntax(NAME, s))?
        .ok_or_else(|| TypeError::invalid_syntax(NAME, s))?;
    let t = s.trim();
    if (v.is_infinite() && is_decimal(t)) || (v == 0.0 && has_nonzero_digit(t) && is_decimal(t)) {
        return Err(out_of_range(t, NAME));
    }
    Ok(v)
}

/// float4 text input (`float4in`).
pub(crate) fn parse_f32(s: &str) -> Result<f32, TypeError> {
    const NAME: &str = "real";
    let v = parse_text(s)
        .map_err(|_| TypeError::invalid_syntax(NAME, s))?
        .ok_or_else(|| TypeError::invalid_syntax(NAME, s))?;
    let t = s.trim();
    if !is_decimal(t) {
        return Ok(v as f32);
    }
    // Parse directly as f32 to round once, as strtof does.
    let f: f32 = t.parse().map_err(|_| TypeError::invalid_syntax(NAME, s))?;
    if f.is_infinite() || (f == 0.0 && has_nonzero_digit(t)) {
        return Err(out_of_range(t, NAME));
    }
    Ok(f)
}

fn out_of_range(t: &str, name: &str) -> TypeError {
    TypeError::new(
        crate::SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("\"{t}\" is out of range for type {name}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(v: f64, efd: i32) -> String {
        let mut s = String::new();
        format_f64(v, efd, &mut s);
        s
    }

    fn f4(v: f32, efd: i32) -> String {
        let mut s = String::new();
        format_f32(v, efd, &mut s);
        s
    }

    #[test]
    fn shortest() {
        assert_eq!(f8(0.1, 1), "0.1");
        assert_eq!(f8(1e100, 1), "1e+100");
        assert_eq!(f8(1.5e-5, 1), "1.5e-05");
        assert_eq!(f8(0.0001, 1), "0.0001");
        assert_eq!(f8(-0.0, 1), "-0");
        assert_eq!(f8(f64::NAN, 1), "NaN");
        assert_eq!(f8(f64::NEG_INFINITY, 1), "-Infinity");
        assert_eq!(f8(123456789012345.0, 1), "123456789012345");
        assert_eq!(f8(1e15, 1), "1e+15");
        assert_eq!(f8(100.0, 1), "100");
        assert_eq!(f4(1e6, 1), "1e+06");
        assert_eq!(f4(123456.0, 1), "123456");
        assert_eq!(f4(0.1, 1), "0.1");
    }

    #[test]
    fn percent_g() {
        assert_eq!(f8(0.1, 0), "0.1");
        assert_eq!(f8(1.0 / 3.0, 0), "0.333333333333333");
        assert_eq!(f8(1e15, 0), "1e+15");
        assert_eq!(f8(123456.0, -15), "1e+05");
        assert_eq!(f4(1.0 / 3.0, 0), "0.333333");
    }

    #[test]
    fn input() {
        assert_eq!(parse_f64(" 1.5 ").unwrap(), 1.5);
        assert!(parse_f64("NaN").unwrap().is_nan());
        assert_eq!(parse_f64("-inf").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_f64("Infinity").unwrap(), f64::INFINITY);
        assert_eq!(
            parse_f64("abc").unwrap_err().message,
            "invalid input syntax for type double precision: \"abc\""
        );
        assert_eq!(
            parse_f64("1e400").unwrap_err().message,
            "\"1e400\" is out of range for type double precision"
        );
        assert!(parse_f64("1e-400").is_err());
        assert_eq!(parse_f64("0e-400").unwrap(), 0.0);
        assert!(parse_f32("1e40").is_err());
        assert!(parse_f64("").is_err());
        assert!(parse_f64("1e").is_err());
    }
}
