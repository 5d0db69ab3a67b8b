//! Date/time functions and arithmetic, and the calendar they stand on.
//!
//! twill-types stores dates as days and timestamps as microseconds since
//! 2000-01-01 (PostgreSQL's epoch) and owns their text forms; arithmetic
//! that crosses calendar units (`+ interval '1 month'`, `date_trunc`,
//! `extract`, `age`) needs the civil calendar, which lives here (the
//! proleptic Gregorian day-number algorithm). `timestamptz` values are UTC
//! instants; anything calendar-shaped about them happens in the session's
//! `TimeZone`, which is why those functions are stable, not immutable.
//!
//! `now()` is the transaction's start time from the [`EvalContext`]; only
//! `clock_timestamp()` reads the clock.
//!
//! [`EvalContext`]: crate::sql::expr::EvalContext

use twill_types::{Interval, Numeric, SqlState, Value, oid};

use super::{Builder, FnCtx, float_arg, int_arg, text_arg};
use crate::sql::error::SqlError;

/// Microseconds in a day.
pub(crate) const USECS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds in a second.
const USECS_PER_SEC: i64 = 1_000_000;
/// Unix epoch seconds of 2000-01-01.
const PG_EPOCH_UNIX_SECS: i64 = 946_684_800;
/// Earliest valid timestamp (4714-11-24 BC).
const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
/// First invalid timestamp after the end of the range (294277 AD).
const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;

/// The current time as microseconds since 2000-01-01 UTC.
pub(crate) fn clock_now() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_micros() as i64 - PG_EPOCH_UNIX_SECS * USECS_PER_SEC
}

/// Days since 2000-01-01 → (year, month, day), proleptic Gregorian
/// (year 0 = 1 BC).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm, shifted from 1970 to 2000.
    let z = days + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 2000-01-01.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - 10_957
}

/// Days in a month.
fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A timestamptz instant as local wall-clock microseconds in the session's
/// time zone.
pub(crate) fn to_local(ctx: &FnCtx<'_, '_>, utc: i64) -> i64 {
    if is_infinite_ts(utc) {
        return utc;
    }
    let off = ctx
        .eval
        .settings
        .time_zone
        .offset_at(utc.div_euclid(USECS_PER_SEC));
    utc.saturating_add(off as i64 * USECS_PER_SEC)
}

/// Local wall-clock microseconds in the session's time zone → instant.
pub(crate) fn from_local(settings: &twill_types::FormatSettings, local: i64) -> i64 {
    if is_infinite_ts(local) {
        return local;
    }
    let off = settings
        .time_zone
        .offset_for_local(local.div_euclid(USECS_PER_SEC));
    local.saturating_sub(off as i64 * USECS_PER_SEC)
}

/// 22008 `timestamp out of range` unless `t` is a valid finite timestamp.
pub(crate) fn check_timestamp(t: i64) -> Result<i64, SqlError> {
    if (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t) {
        Ok(t)
    } else {
        Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "timestamp out of range",
        ))
    }
}

fn is_infinite_ts(t: i64) -> bool {
    t == i64::MIN || t == i64::MAX
}

/// `timestamp + interval` on wall-clock microseconds: months first (day
/// clamped to the month's end), then days, then microseconds.
pub(crate) fn add_interval_local(t: i64, iv: &Interval) -> Result<i64, SqlError> {
    if is_infinite_ts(t) {
        return Ok(t);
    }
    let mut t = t;
    if iv.months != 0 {
        let days = t.div_euclid(USECS_PER_DAY);
        let time = t.rem_euclid(USECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let total = y * 12 + (m as i64 - 1) + iv.months as i64;
        let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        let nd = d.min(days_in_month(ny, nm));
        t = days_from_civil(ny, nm, nd)
            .checked_mul(USECS_PER_DAY)
            .and_then(|t| t.checked_add(time))
            .ok_or_else(|| {
                SqlError::new(
                    SqlState::DATETIME_VALUE_OUT_OF_RANGE,
                    "timestamp out of range",
                )
            })?;
    }
    t = t
        .checked_add((iv.days as i64).saturating_mul(USECS_PER_DAY))
        .and_then(|t| t.checked_add(iv.micros))
        .ok_or_else(|| {
            SqlError::new(
                SqlState::DATETIME_VALUE_OUT_OF_RANGE,
                "timestamp out of range",
            )
        })?;
    check_timestamp(t)
}

/// `timestamptz + interval`: month and day steps happen in local time, so
/// `+ interval '1 day'` across a DST change keeps the wall-clock time.
pub(crate) fn add_interval_tz(ctx: &FnCtx<'_, '_>, t: i64, iv: &Interval) -> Result<i64, SqlError> {
    if is_infinite_ts(t) {
        return Ok(t);
    }
    let mut t = t;
    if iv.months != 0 || iv.days != 0 {
        let local = to_local(ctx, t);
        let moved = add_interval_local(
            local,
            &Interval {
                months: iv.months,
                days: iv.days,
                micros: 0,
            },
        )?;
        t = from_local(&ctx.eval.settings, moved);
    }
    check_timestamp(t.checked_add(iv.micros).ok_or_else(|| {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "timestamp out of range",
        )
    })?)
}

fn neg_interval(iv: &Interval) -> Result<Interval, SqlError> {
    let overflow = || {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        )
    };
    Ok(Interval {
        months: iv.months.checked_neg().ok_or_else(overflow)?,
        days: iv.days.checked_neg().ok_or_else(overflow)?,
        micros: iv.micros.checked_neg().ok_or_else(overflow)?,
    })
}

fn interval_arg(args: &[Value], i: usize) -> Result<&Interval, SqlError> {
    match args.get(i) {
        Some(Value::Interval(iv)) => Ok(iv),
        other => Err(SqlError::internal(format!(
            "expected interval, got {other:?}"
        ))),
    }
}

fn ts_arg(args: &[Value], i: usize) -> Result<i64, SqlError> {
    match args.get(i) {
        Some(Value::Timestamp(t) | Value::TimestampTz(t)) => Ok(*t),
        other => Err(SqlError::internal(format!(
            "expected timestamp, got {other:?}"
        ))),
    }
}

fn date_arg(args: &[Value], i: usize) -> Result<i32, SqlError> {
    match args.get(i) {
        Some(Value::Date(d)) => Ok(*d),
        other => Err(SqlError::internal(format!("expected date, got {other:?}"))),
    }
}

/// The timestamp for a date (midnight), infinities preserved; dates
/// beyond the timestamp range saturate to ±infinity (how they compare).
pub(crate) fn date_to_timestamp(d: i32) -> i64 {
    match d {
        i32::MIN => i64::MIN,
        i32::MAX => i64::MAX,
        d => (d as i64)
            .checked_mul(USECS_PER_DAY)
            .filter(|t| (MIN_TIMESTAMP..END_TIMESTAMP).contains(t))
            .unwrap_or(if d < 0 { i64::MIN } else { i64::MAX }),
    }
}

/// [`date_to_timestamp`] for casts and arithmetic: 22008 `date out of
/// range for timestamp` instead of saturating.
pub(crate) fn date_to_timestamp_checked(d: i32) -> Result<i64, SqlError> {
    let t = date_to_timestamp(d);
    if is_infinite_ts(t) && d != i32::MIN && d != i32::MAX {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "date out of range for timestamp",
        ));
    }
    Ok(t)
}

/// The date of a wall-clock timestamp, infinities preserved.
pub(crate) fn timestamp_to_date(t: i64) -> i32 {
    match t {
        i64::MIN => i32::MIN,
        i64::MAX => i32::MAX,
        t => t.div_euclid(USECS_PER_DAY) as i32,
    }
}

fn date_pl_int(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (d, n) = (date_arg(a, 0)?, int_arg(a, 1)?);
    if d == i32::MIN || d == i32::MAX {
        return Ok(Value::Date(d));
    }
    let r = d as i64 + n;
    if r <= i32::MIN as i64 || r >= i32::MAX as i64 {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "date out of range",
        ));
    }
    Ok(Value::Date(r as i32))
}

fn int_pl_date(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    date_pl_int(ctx, &[a[1].clone(), a[0].clone()])
}

fn date_mi_int(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    date_pl_int(ctx, &[a[0].clone(), Value::Int8(-int_arg(a, 1)?)])
}

fn date_mi_date(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (date_arg(a, 0)?, date_arg(a, 1)?);
    if [x, y].iter().any(|d| *d == i32::MIN || *d == i32::MAX) {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "cannot subtract infinite dates",
        ));
    }
    Ok(Value::Int4((x as i64 - y as i64) as i32))
}

fn ts_pl_interval(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (t, iv) = (ts_arg(a, 0)?, interval_arg(a, 1)?);
    Ok(match a[0] {
        Value::TimestampTz(_) => Value::TimestampTz(add_interval_tz(ctx, t, iv)?),
        _ => Value::Timestamp(add_interval_local(t, iv)?),
    })
}

fn ts_mi_interval(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let iv = neg_interval(interval_arg(a, 1)?)?;
    ts_pl_interval(ctx, &[a[0].clone(), Value::Interval(iv)])
}

fn interval_pl_ts(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    ts_pl_interval(ctx, &[a[1].clone(), a[0].clone()])
}

fn date_pl_interval(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let t = date_to_timestamp_checked(date_arg(a, 0)?)?;
    ts_pl_interval(ctx, &[Value::Timestamp(t), a[1].clone()])
}

fn date_mi_interval(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let iv = neg_interval(interval_arg(a, 1)?)?;
    date_pl_interval(ctx, &[a[0].clone(), Value::Interval(iv)])
}

/// `interval_justify_hours` after a subtraction: whole days out of the
/// microseconds, signs made consistent.
fn justify_hours(micros: i64) -> Interval {
    let mut days = micros / USECS_PER_DAY;
    let mut rest = micros % USECS_PER_DAY;
    if days > 0 && rest < 0 {
        rest += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && rest > 0 {
        rest -= USECS_PER_DAY;
        days += 1;
    }
    Interval {
        months: 0,
        days: days as i32,
        micros: rest,
    }
}

fn ts_mi_ts(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (ts_arg(a, 0)?, ts_arg(a, 1)?);
    if is_infinite_ts(x) || is_infinite_ts(y) {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "cannot subtract infinite timestamps",
        ));
    }
    let d = x.checked_sub(y).ok_or_else(|| {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        )
    })?;
    Ok(Value::Interval(justify_hours(d)))
}

fn interval_pl(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (interval_arg(a, 0)?, interval_arg(a, 1)?);
    let overflow = || {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        )
    };
    Ok(Value::Interval(Interval {
        months: x.months.checked_add(y.months).ok_or_else(overflow)?,
        days: x.days.checked_add(y.days).ok_or_else(overflow)?,
        micros: x.micros.checked_add(y.micros).ok_or_else(overflow)?,
    }))
}

fn interval_mi(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let y = neg_interval(interval_arg(a, 1)?)?;
    interval_pl(ctx, &[a[0].clone(), Value::Interval(y)])
}

fn interval_um(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Interval(neg_interval(interval_arg(a, 0)?)?))
}

/// `interval * float8` with PostgreSQL's cascade of fractional months into
/// days and fractional days into microseconds.
fn interval_mul_f(iv: &Interval, f: f64) -> Result<Value, SqlError> {
    let overflow = || {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        )
    };
    let months = iv.months as f64 * f;
    let days = iv.days as f64 * f;
    if !months.is_finite() || months.abs() > i32::MAX as f64 || days.abs() > i32::MAX as f64 {
        return Err(overflow());
    }
    let m = months.trunc();
    let month_rem_days = (months - m) * 30.0;
    let d_total = days + month_rem_days;
    let d = d_total.trunc();
    let day_rem_usecs = (d_total - d) * USECS_PER_DAY as f64;
    let micros = (iv.micros as f64 * f + day_rem_usecs).round();
    if !micros.is_finite() || micros.abs() > i64::MAX as f64 {
        return Err(overflow());
    }
    Ok(Value::Interval(Interval {
        months: m as i32,
        days: d as i32,
        micros: micros as i64,
    }))
}

fn interval_mul(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    interval_mul_f(interval_arg(a, 0)?, float_arg(a, 1)?)
}

fn mul_interval(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    interval_mul_f(interval_arg(a, 1)?, float_arg(a, 0)?)
}

fn interval_div(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let f = float_arg(a, 1)?;
    if f == 0.0 {
        return Err(SqlError::division_by_zero());
    }
    interval_mul_f(interval_arg(a, 0)?, 1.0 / f)
}

fn now(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::TimestampTz(ctx.eval.transaction_timestamp))
}

fn statement_timestamp(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::TimestampTz(ctx.eval.statement_timestamp))
}

fn clock_timestamp(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::TimestampTz(clock_now()))
}

fn current_date(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Date(timestamp_to_date(to_local(
        ctx,
        ctx.eval.transaction_timestamp,
    ))))
}

fn localtimestamp(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Timestamp(to_local(
        ctx,
        ctx.eval.transaction_timestamp,
    )))
}

/// Canonical unit names for `extract`/`date_part`/`date_trunc`.
fn unit(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    match n.as_str() {
        "y" | "yr" | "yrs" | "year" | "years" => "year",
        "mon" | "mons" | "month" | "months" => "month",
        "d" | "day" | "days" => "day",
        "h" | "hr" | "hrs" | "hour" | "hours" => "hour",
        "m" | "min" | "mins" | "minute" | "minutes" => "minute",
        "s" | "sec" | "secs" | "second" | "seconds" => "second",
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => "milliseconds",
        "us" | "usec" | "usecs" | "microsecond" | "microseconds" => "microseconds",
        "w" | "week" | "weeks" => "week",
        "qtr" | "quarter" => "quarter",
        "dec" | "decade" | "decades" => "decade",
        "c" | "cent" | "century" | "centuries" => "century",
        "mil" | "millennium" | "millennia" | "millenniums" => "millennium",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// A numeric from an exact decimal `value / 10^scale`.
fn numeric_scaled(value: impl Into<i128>, scale: u32) -> Result<Numeric, SqlError> {
    let value: i128 = value.into();
    let neg = value < 0;
    let digits = value.unsigned_abs().to_string();
    let s = if scale == 0 {
        digits
    } else {
        let padded = format!("{:0>width$}", digits, width = scale as usize + 1);
        let (int, frac) = padded.split_at(padded.len() - scale as usize);
        format!("{int}.{frac}")
    };
    let s = if neg { format!("-{s}") } else { s };
    Ok(s.parse::<Numeric>()?)
}

/// The fields of a wall-clock timestamp for `extract`.
fn extract_local(
    field: &str,
    t: i64,
    is_date: bool,
    tz_epoch: Option<i64>,
) -> Result<Numeric, SqlError> {
    let days = t.div_euclid(USECS_PER_DAY);
    let time = t.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let int = |v: i64| numeric_scaled(v, 0);
    let unsupported = || {
        let ty = if is_date {
            "date"
        } else if tz_epoch.is_some() {
            "timestamp with time zone"
        } else {
            "timestamp without time zone"
        };
        SqlError::unsupported(format!("unit \"{field}\" not supported for type {ty}"))
    };
    if is_date
        && matches!(
            field,
            "hour" | "minute" | "second" | "milliseconds" | "microseconds"
        )
    {
        return Err(unsupported());
    }
    match field {
        "year" => int(if y > 0 { y } else { y - 1 }),
        "month" => int(m as i64),
        "day" => int(d as i64),
        "hour" => int(time / 3_600_000_000),
        "minute" => int(time / 60_000_000 % 60),
        "second" => numeric_scaled(time % 60_000_000, 6),
        "milliseconds" => numeric_scaled(time % 60_000_000, 3),
        "microseconds" => int(time % 60_000_000),
        "quarter" => int((m as i64 - 1) / 3 + 1),
        "decade" => int(y.div_euclid(10)),
        "century" => int(if y > 0 {
            (y + 99) / 100
        } else {
            -((99 - (y - 1)) / 100)
        }),
        "millennium" => int(if y > 0 {
            (y + 999) / 1000
        } else {
            -((999 - (y - 1)) / 1000)
        }),
        "dow" => int((days + 6).rem_euclid(7)),
        "isodow" => int((days + 5).rem_euclid(7) + 1),
        "doy" => int(days - days_from_civil(y, 1, 1) + 1),
        "julian" if is_date => int(days + 2_451_545),
        "week" => {
            // ISO week: the week with the year's first Thursday is week 1.
            let iso = |yy: i64| {
                let jan4 = days_from_civil(yy, 1, 4);
                jan4 - (jan4 + 5).rem_euclid(7)
            };
            let mut start = iso(y + 1);
            if days < start {
                start = iso(y);
                if days < start {
                    start = iso(y - 1);
                }
            }
            int((days - start) / 7 + 1)
        }
        "epoch" => {
            let utc = tz_epoch.unwrap_or(t);
            if is_date {
                int((utc / USECS_PER_SEC) + PG_EPOCH_UNIX_SECS)
            } else {
                numeric_scaled(
                    utc as i128 + (PG_EPOCH_UNIX_SECS * USECS_PER_SEC) as i128,
                    6,
                )
            }
        }
        _ => Err(
            if matches!(field, "timezone" | "timezone_hour" | "timezone_minute") {
                unsupported()
            } else {
                SqlError::invalid_parameter(format!(
                    "unit \"{field}\" not recognized for type {}",
                    if is_date {
                        "date"
                    } else if tz_epoch.is_some() {
                        "timestamp with time zone"
                    } else {
                        "timestamp without time zone"
                    }
                ))
            },
        ),
    }
}

fn extract_interval(field: &str, iv: &Interval) -> Result<Numeric, SqlError> {
    let int = |v: i64| numeric_scaled(v, 0);
    match field {
        "year" => int(iv.months as i64 / 12),
        "month" => int(iv.months as i64 % 12),
        "day" => int(iv.days as i64),
        "hour" => int(iv.micros / 3_600_000_000),
        "minute" => int(iv.micros / 60_000_000 % 60),
        "second" => numeric_scaled(iv.micros % 60_000_000, 6),
        "milliseconds" => numeric_scaled(iv.micros % 60_000_000, 3),
        "microseconds" => int(iv.micros % 60_000_000),
        "epoch" => {
            // 365.25 days per year, 30 days per month, as PostgreSQL.
            let secs_months =
                iv.months as i64 / 12 * 31_557_600 + iv.months as i64 % 12 * 2_592_000;
            let micros = (secs_months as i128 + iv.days as i128 * 86_400) * USECS_PER_SEC as i128
                + iv.micros as i128;
            numeric_scaled(micros, 6)
        }
        _ => Err(SqlError::invalid_parameter(format!(
            "unit \"{field}\" not recognized for type interval"
        ))),
    }
}

/// `extract(field from source)` → numeric.
fn extract(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let field = unit(text_arg(a, 0)?);
    let n = match &a[1] {
        Value::Date(d) => {
            if *d == i32::MIN || *d == i32::MAX {
                return Ok(Value::Numeric(if *d == i32::MAX {
                    Numeric::infinity()
                } else {
                    Numeric::neg_infinity()
                }));
            }
            extract_local(&field, date_to_timestamp(*d), true, None)?
        }
        Value::Timestamp(t) | Value::TimestampTz(t) if is_infinite_ts(*t) => {
            // Monotonic fields are ±Infinity, the others NULL.
            return Ok(
                if matches!(
                    field.as_str(),
                    "year" | "decade" | "century" | "millennium" | "epoch" | "julian" | "isoyear"
                ) {
                    Value::Numeric(if *t > 0 {
                        Numeric::infinity()
                    } else {
                        Numeric::neg_infinity()
                    })
                } else {
                    Value::Null
                },
            );
        }
        Value::Timestamp(t) => extract_local(&field, *t, false, None)?,
        Value::TimestampTz(t) => {
            let local = to_local(ctx, *t);
            if field == "timezone" {
                numeric_scaled((local - *t) / USECS_PER_SEC, 0)?
            } else {
                extract_local(&field, local, false, Some(*t))?
            }
        }
        Value::Time(t) => match field.as_str() {
            "hour" | "minute" | "second" | "milliseconds" | "microseconds" => {
                extract_local(&field, *t, false, None)?
            }
            "epoch" => numeric_scaled(*t, 6)?,
            _ => {
                return Err(SqlError::invalid_parameter(format!(
                    "unit \"{field}\" not recognized for type time without time zone"
                )));
            }
        },
        Value::Interval(iv) => extract_interval(&field, iv)?,
        other => return Err(SqlError::internal(format!("extract from {other:?}"))),
    };
    Ok(Value::Numeric(n))
}

/// `date_part(text, x)` → float8.
fn date_part(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    match extract(ctx, a)? {
        Value::Numeric(n) => Ok(Value::Float8(n.to_f64())),
        v => Ok(v),
    }
}

fn trunc_local(field: &str, t: i64, type_name: &str) -> Result<i64, SqlError> {
    if is_infinite_ts(t) {
        return Ok(t);
    }
    let days = t.div_euclid(USECS_PER_DAY);
    let time = t.rem_euclid(USECS_PER_DAY);
    let (y, m, _) = civil_from_days(days);
    let day = |d: i64| d * USECS_PER_DAY;
    Ok(match field {
        "microseconds" => t,
        "milliseconds" => day(days) + time / 1000 * 1000,
        "second" => day(days) + time / USECS_PER_SEC * USECS_PER_SEC,
        "minute" => day(days) + time / 60_000_000 * 60_000_000,
        "hour" => day(days) + time / 3_600_000_000 * 3_600_000_000,
        "day" => day(days),
        "week" => day(days - (days + 5).rem_euclid(7)),
        "month" => day(days_from_civil(y, m, 1)),
        "quarter" => day(days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)),
        "year" => day(days_from_civil(y, 1, 1)),
        "decade" => day(days_from_civil(y.div_euclid(10) * 10, 1, 1)),
        "century" => day(days_from_civil(
            if y > 0 { (y - 1) / 100 * 100 + 1 } else { y },
            1,
            1,
        )),
        "millennium" => day(days_from_civil(
            if y > 0 { (y - 1) / 1000 * 1000 + 1 } else { y },
            1,
            1,
        )),
        _ => {
            return Err(SqlError::invalid_parameter(format!(
                "unit \"{field}\" not recognized for type {type_name}"
            )));
        }
    })
}

fn date_trunc(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let field = unit(text_arg(a, 0)?);
    match &a[1] {
        Value::Timestamp(t) => Ok(Value::Timestamp(trunc_local(
            &field,
            *t,
            "timestamp without time zone",
        )?)),
        Value::TimestampTz(t) => {
            if is_infinite_ts(*t) {
                return Ok(Value::TimestampTz(*t));
            }
            let local = trunc_local(&field, to_local(ctx, *t), "timestamp with time zone")?;
            Ok(Value::TimestampTz(from_local(&ctx.eval.settings, local)))
        }
        Value::Interval(iv) => {
            let mut r = Interval {
                months: iv.months,
                days: iv.days,
                micros: iv.micros,
            };
            match field.as_str() {
                "year" => {
                    r.months = iv.months / 12 * 12;
                    r.days = 0;
                    r.micros = 0
                }
                "month" => {
                    r.days = 0;
                    r.micros = 0
                }
                "day" => r.micros = 0,
                "hour" => r.micros = iv.micros / 3_600_000_000 * 3_600_000_000,
                "minute" => r.micros = iv.micros / 60_000_000 * 60_000_000,
                "second" => r.micros = iv.micros / USECS_PER_SEC * USECS_PER_SEC,
                _ => {
                    return Err(SqlError::invalid_parameter(format!(
                        "unit \"{field}\" not recognized for type interval"
                    )));
                }
            }
            Ok(Value::Interval(r))
        }
        other => Err(SqlError::internal(format!("date_trunc on {other:?}"))),
    }
}

/// `age(a, b)`: the symbolic difference in years, months and days, as
/// PostgreSQL computes it (borrowing from the earlier month's length).
fn age_local(x: i64, y: i64) -> Result<Interval, SqlError> {
    if is_infinite_ts(x) || is_infinite_ts(y) {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        ));
    }
    let (neg, hi, lo) = if x < y { (true, y, x) } else { (false, x, y) };
    let (y1, m1, d1) = civil_from_days(hi.div_euclid(USECS_PER_DAY));
    let (y2, m2, d2) = civil_from_days(lo.div_euclid(USECS_PER_DAY));
    let mut micros = hi.rem_euclid(USECS_PER_DAY) - lo.rem_euclid(USECS_PER_DAY);
    let mut days = d1 as i64 - d2 as i64;
    let mut months = m1 as i64 - m2 as i64;
    let mut years = y1 - y2;
    if micros < 0 {
        micros += USECS_PER_DAY;
        days -= 1;
    }
    if days < 0 {
        // Borrow the length of the month before `hi`'s month... PostgreSQL
        // uses the month of the earlier date.
        days += days_in_month(y2, m2) as i64;
        months -= 1;
    }
    if months < 0 {
        months += 12;
        years -= 1;
    }
    let iv = Interval {
        months: (years * 12 + months) as i32,
        days: days as i32,
        micros,
    };
    if neg { neg_interval(&iv) } else { Ok(iv) }
}

fn age2(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = match (&a[0], &a[1]) {
        (Value::TimestampTz(x), Value::TimestampTz(y)) => (to_local(ctx, *x), to_local(ctx, *y)),
        _ => (ts_arg(a, 0)?, ts_arg(a, 1)?),
    };
    Ok(Value::Interval(age_local(x, y)?))
}

fn age1(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let today = timestamp_to_date(to_local(ctx, ctx.eval.transaction_timestamp));
    let midnight = date_to_timestamp(today);
    let t = match &a[0] {
        Value::TimestampTz(t) => to_local(ctx, *t),
        _ => ts_arg(a, 0)?,
    };
    Ok(Value::Interval(age_local(midnight, t)?))
}

fn make_date(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (y, m, d) = (int_arg(a, 0)?, int_arg(a, 1)?, int_arg(a, 2)?);
    if y == 0 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m as u32) as i64 {
        return Err(SqlError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {y}-{m:02}-{d:02}"),
        ));
    }
    let y = if y < 0 { y + 1 } else { y };
    Ok(Value::Date(days_from_civil(y, m as u32, d as u32) as i32))
}

fn to_timestamp(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let secs = float_arg(a, 0)?;
    if secs.is_nan() {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "timestamp cannot be NaN",
        ));
    }
    if secs.is_infinite() {
        return Ok(Value::TimestampTz(if secs > 0.0 {
            i64::MAX
        } else {
            i64::MIN
        }));
    }
    let micros = ((secs - PG_EPOCH_UNIX_SECS as f64) * USECS_PER_SEC as f64).round();
    if micros.abs() > 9.2e18 {
        return Err(SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            format!("timestamp out of range: \"{secs}\""),
        ));
    }
    Ok(Value::TimestampTz(check_timestamp(micros as i64)?))
}

fn justify_days(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let iv = interval_arg(a, 0)?;
    let months = iv.months.checked_add(iv.days / 30).ok_or_else(|| {
        SqlError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            "interval out of range",
        )
    })?;
    let days = iv.days % 30;
    Ok(Value::Interval(Interval {
        months,
        days,
        micros: iv.micros,
    }))
}

fn justify_hours_fn(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let iv = interval_arg(a, 0)?;
    let j = justify_hours(iv.micros);
    Ok(Value::Interval(Interval {
        months: iv.months,
        days: iv.days.checked_add(j.days).ok_or_else(|| {
            SqlError::new(
                SqlState::DATETIME_VALUE_OUT_OF_RANGE,
                "interval out of range",
            )
        })?,
        micros: j.micros,
    }))
}

fn zone(name: &str) -> Result<twill_types::TimeZone, SqlError> {
    twill_types::TimeZone::parse(name)
        .ok_or_else(|| SqlError::invalid_parameter(format!("time zone \"{name}\" not recognized")))
}

/// `timezone(zone, ts)`, i.e. `ts AT TIME ZONE zone`: a timestamptz
/// becomes that zone's wall-clock time, a timestamp is read as that zone's
/// wall-clock time.
fn timezone(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let tz = zone(text_arg(a, 0)?)?;
    Ok(match &a[1] {
        Value::TimestampTz(t) if is_infinite_ts(*t) => Value::Timestamp(*t),
        Value::Timestamp(t) if is_infinite_ts(*t) => Value::TimestampTz(*t),
        Value::TimestampTz(t) => {
            let off = tz.offset_at(t.div_euclid(USECS_PER_SEC)) as i64 * USECS_PER_SEC;
            Value::Timestamp(check_timestamp(t.saturating_add(off))?)
        }
        Value::Timestamp(t) => {
            let off = tz.offset_for_local(t.div_euclid(USECS_PER_SEC)) as i64 * USECS_PER_SEC;
            Value::TimestampTz(check_timestamp(t.saturating_sub(off))?)
        }
        other => return Err(SqlError::internal(format!("timezone of {other:?}"))),
    })
}

/// `to_char(timestamp, format)` for the common template patterns.
fn to_char_ts(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let t = match &a[0] {
        Value::TimestampTz(t) => to_local(ctx, *t),
        Value::Timestamp(t) => *t,
        other => return Err(SqlError::internal(format!("to_char on {other:?}"))),
    };
    let fmt = text_arg(a, 1)?;
    if is_infinite_ts(t) {
        return Ok(Value::Null);
    }
    let days = t.div_euclid(USECS_PER_DAY);
    let time = t.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s) = (
        time / 3_600_000_000,
        time / 60_000_000 % 60,
        time / USECS_PER_SEC % 60,
    );
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let dow = (days + 6).rem_euclid(7) as usize;
    let mname = MONTHS[(m - 1) as usize];
    let dname = DAYS[dow];
    // Longest patterns first, so "HH24" is not read as "HH" + "24".
    let pats: &[(&str, String)] = &[
        ("YYYY", format!("{:04}", y)),
        ("HH24", format!("{h:02}")),
        (
            "HH12",
            format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
        ),
        ("MONTH", format!("{:<9}", mname.to_uppercase())),
        ("Month", format!("{mname:<9}")),
        ("month", format!("{:<9}", mname.to_lowercase())),
        ("MON", mname[..3].to_uppercase()),
        ("Mon", mname[..3].to_owned()),
        ("mon", mname[..3].to_lowercase()),
        ("DAY", format!("{:<9}", dname.to_uppercase())),
        ("Day", format!("{dname:<9}")),
        ("day", format!("{:<9}", dname.to_lowercase())),
        ("DY", dname[..3].to_uppercase()),
        ("Dy", dname[..3].to_owned()),
        ("dy", dname[..3].to_lowercase()),
        ("DDD", format!("{:03}", days - days_from_civil(y, 1, 1) + 1)),
        ("YY", format!("{:02}", y % 100)),
        ("MM", format!("{m:02}")),
        ("DD", format!("{d:02}")),
        (
            "HH",
            format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
        ),
        ("MI", format!("{mi:02}")),
        ("SS", format!("{s:02}")),
        ("MS", format!("{:03}", time / 1000 % 1000)),
        ("US", format!("{:06}", time % USECS_PER_SEC)),
        ("AM", if h < 12 { "AM" } else { "PM" }.to_owned()),
        ("PM", if h < 12 { "AM" } else { "PM" }.to_owned()),
        ("am", if h < 12 { "am" } else { "pm" }.to_owned()),
        ("pm", if h < 12 { "am" } else { "pm" }.to_owned()),
        ("Q", ((m - 1) / 3 + 1).to_string()),
        ("D", (dow + 1).to_string()),
    ];
    let mut out = String::new();
    let mut rest = fmt;
    'outer: while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            // Quoted literal text.
            let end = r.find('"').unwrap_or(r.len());
            out.push_str(&r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
            continue;
        }
        let (fm, body) = match rest.strip_prefix("FM") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        for (p, v) in pats {
            if let Some(r) = body.strip_prefix(p) {
                let v = if fm {
                    let t = v.trim_end();
                    let t2 = t.trim_start_matches('0');
                    if t2.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
                        t.to_owned()
                    } else {
                        t2.to_owned()
                    }
                } else {
                    v.clone()
                };
                out.push_str(&v);
                rest = r;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    Ok(Value::Text(out))
}

fn field_overflow(msg: String) -> SqlError {
    SqlError::new(SqlState::DATETIME_FIELD_OVERFLOW, msg)
}

fn interval_overflow() -> SqlError {
    SqlError::new(
        SqlState::DATETIME_VALUE_OUT_OF_RANGE,
        "interval out of range",
    )
}

/// `%g`-style seconds for error messages (`3.5`, `61`).
fn fmt_secs(sec: f64) -> String {
    if sec.fract() == 0.0 && sec.abs() < 1e15 {
        format!("{:02}", sec as i64)
    } else {
        format!("{sec}")
    }
}

/// Hours, minutes and fractional seconds → microseconds, with
/// PostgreSQL's `time_overflows` check (24:00:00 is allowed).
fn time_micros(h: i64, mi: i64, sec: f64) -> Result<i64, SqlError> {
    let bad = || {
        field_overflow(format!(
            "time field value out of range: {h}:{mi:02}:{:02}",
            fmt_secs(sec)
        ))
    };
    if !(0..=24).contains(&h) || !(0..=59).contains(&mi) || !(0.0..=60.0).contains(&sec) {
        return Err(bad());
    }
    let micros = (h * 60 + mi) * 60 * USECS_PER_SEC + (sec * USECS_PER_SEC as f64).round() as i64;
    if micros > USECS_PER_DAY {
        return Err(bad());
    }
    Ok(micros)
}

fn make_time(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Time(time_micros(
        int_arg(a, 0)?,
        int_arg(a, 1)?,
        float_arg(a, 2)?,
    )?))
}

/// The wall-clock timestamp `make_timestamp` builds (negative years are BC).
fn make_local(a: &[Value]) -> Result<i64, SqlError> {
    let (y, m, d) = (int_arg(a, 0)?, int_arg(a, 1)?, int_arg(a, 2)?);
    let bad_date = || field_overflow(format!("date field value out of range: {y}-{m:02}-{d:02}"));
    if y == 0
        || !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month(if y < 0 { y + 1 } else { y }, m as u32) as i64
    {
        return Err(bad_date());
    }
    let year = if y < 0 { y + 1 } else { y };
    let days = days_from_civil(year, m as u32, d as u32);
    let (h, mi, sec) = (int_arg(a, 3)?, int_arg(a, 4)?, float_arg(a, 5)?);
    let time = time_micros(h, mi, sec)?;
    let t = days
        .checked_mul(USECS_PER_DAY)
        .and_then(|x| x.checked_add(time))
        .ok_or_else(|| {
            SqlError::new(
                SqlState::DATETIME_VALUE_OUT_OF_RANGE,
                format!(
                    "timestamp out of range: {y}-{m:02}-{d:02} {h}:{mi:02}:{}",
                    fmt_secs(sec)
                ),
            )
        })?;
    check_timestamp(t)
}

fn make_timestamp(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Timestamp(make_local(a)?))
}

fn make_timestamptz(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let local = make_local(a)?;
    let utc = if a.len() > 6 {
        let tz = zone(text_arg(a, 6)?)?;
        local.saturating_sub(
            tz.offset_for_local(local.div_euclid(USECS_PER_SEC)) as i64 * USECS_PER_SEC,
        )
    } else {
        from_local(&ctx.eval.settings, local)
    };
    Ok(Value::TimestampTz(check_timestamp(utc)?))
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)` (the
/// binder fills defaults and named arguments).
fn make_interval(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let i = |k| int_arg(a, k);
    let secs = float_arg(a, 6)?;
    if !secs.is_finite() {
        return Err(interval_overflow());
    }
    let months = i(0)?
        .checked_mul(12)
        .and_then(|y| y.checked_add(i(1).ok()?));
    let days = i(2)?.checked_mul(7).and_then(|w| w.checked_add(i(3).ok()?));
    let micros = (i(4)? * 3600 + i(5)? * 60) as f64 * USECS_PER_SEC as f64
        + (secs * USECS_PER_SEC as f64).round();
    let (Some(months), Some(days)) = (months, days) else {
        return Err(interval_overflow());
    };
    if i32::try_from(months).is_err() || i32::try_from(days).is_err() || micros.abs() > 9.2e18 {
        return Err(interval_overflow());
    }
    Ok(Value::Interval(Interval {
        months: months as i32,
        days: days as i32,
        micros: micros as i64,
    }))
}

fn justify_interval(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let iv = interval_arg(a, 0)?;
    let (mut month, mut day, mut time) = (iv.months as i64, iv.days as i64, iv.micros);
    if (day > 0 && time > 0) || (day < 0 && time < 0) {
        let whole = time / USECS_PER_DAY;
        time -= whole * USECS_PER_DAY;
        day += whole;
    }
    let whole_month = day / 30;
    day -= whole_month * 30;
    month += whole_month;
    if month > 0 && (day < 0 || (day == 0 && time < 0)) {
        day += 30;
        month -= 1;
    } else if month < 0 && (day > 0 || (day == 0 && time > 0)) {
        day -= 30;
        month += 1;
    }
    let whole = time / USECS_PER_DAY;
    time -= whole * USECS_PER_DAY;
    day += whole;
    if day > 0 && time < 0 {
        time += USECS_PER_DAY;
        day -= 1;
    } else if day < 0 && time > 0 {
        time -= USECS_PER_DAY;
        day += 1;
    }
    let (Ok(months), Ok(days)) = (i32::try_from(month), i32::try_from(day)) else {
        return Err(interval_overflow());
    };
    Ok(Value::Interval(Interval {
        months,
        days,
        micros: time,
    }))
}

fn isfinite(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(match &a[0] {
        Value::Date(d) => *d != i32::MIN && *d != i32::MAX,
        Value::Timestamp(t) | Value::TimestampTz(t) => !is_infinite_ts(*t),
        _ => true,
    }))
}

/// `(s1, e1) OVERLAPS (s2, e2)` with PostgreSQL's NULL rules
/// (`overlaps_timestamp`): a NULL end is the start, ends may come first.
fn overlaps(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let v = |i: usize| match &a[i] {
        Value::Timestamp(t) | Value::TimestampTz(t) | Value::Time(t) => Some(*t),
        Value::Date(d) => Some(*d as i64),
        _ => None,
    };
    let norm = |s: Option<i64>, e: Option<i64>| match (s, e) {
        (None, None) => None,
        (None, Some(e)) => Some((e, None)),
        (Some(s), None) => Some((s, None)),
        (Some(s), Some(e)) => Some(if s > e { (e, Some(s)) } else { (s, Some(e)) }),
    };
    let (Some((s1, e1)), Some((s2, e2))) = (norm(v(0), v(1)), norm(v(2), v(3))) else {
        return Ok(Value::Null);
    };
    let r = if s1 > s2 {
        match e2 {
            None => None,
            Some(e2) if s1 < e2 => Some(true),
            Some(_) => e1.map(|_| false),
        }
    } else if s1 < s2 {
        match e1 {
            None => None,
            Some(e1) if s2 < e1 => Some(true),
            Some(_) => e2.map(|_| false),
        }
    } else if e1.is_none() || e2.is_none() {
        None
    } else {
        Some(true)
    };
    Ok(r.map_or(Value::Null, Value::Bool))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// The fields `to_date`/`to_timestamp(text, text)` read.
#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    doy: Option<i64>,
    hour: i64,
    hour12: bool,
    pm: Option<bool>,
    minute: i64,
    second: i64,
    micros: i64,
    tz_offset: Option<i64>,
}

fn bad_value(value: &str, field: &str, detail: &str) -> SqlError {
    SqlError::new(
        SqlState::INVALID_DATETIME_FORMAT,
        format!("invalid value \"{value}\" for \"{field}\""),
    )
    .with_detail(detail)
}

/// Parses `input` by the to_char-style template `fmt` (the common patterns:
/// YYYY YYY YY Y MM DD DDD HH HH12 HH24 MI SS MS US Mon Month Dy Day AM PM
/// TZH TZM, FM, quoted text and separators).
fn parse_template(input: &str, fmt: &str) -> Result<Parsed, SqlError> {
    let inp: Vec<char> = input.chars().collect();
    let f: Vec<char> = fmt.chars().collect();
    let (mut i, mut j) = (0usize, 0usize);
    let mut p = Parsed::default();
    let starts = |j: usize, pat: &str| {
        let n = pat.chars().count();
        j + n <= f.len() && f[j..j + n].iter().collect::<String>() == pat
    };
    // Reads an unsigned number of at most `max` digits (all digits when the
    // next template item is not a digit field).
    let number = |i: &mut usize, max: usize, name: &str, signed: bool| -> Result<i64, SqlError> {
        while *i < inp.len() && inp[*i] == ' ' {
            *i += 1;
        }
        let start = *i;
        if signed && *i < inp.len() && (inp[*i] == '-' || inp[*i] == '+') {
            *i += 1;
        }
        let digits_start = *i;
        while *i < inp.len() && inp[*i].is_ascii_digit() && *i - digits_start < max {
            *i += 1;
        }
        let text: String = inp[start..*i].iter().collect();
        if *i == digits_start {
            let rest: String = inp[start..]
                .iter()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            return Err(bad_value(&rest, name, "Value must be an integer."));
        }
        text.parse::<i64>()
            .map_err(|_| bad_value(&text, name, "Value must be an integer."))
    };
    while j < f.len() {
        if i >= inp.len() {
            break;
        }
        if starts(j, "FM") || starts(j, "fm") {
            j += 2;
            continue;
        }
        // (pattern, width, setter)
        let upper: String = f[j..]
            .iter()
            .take(5)
            .collect::<String>()
            .to_ascii_uppercase();
        if f[j] == '"' {
            j += 1;
            while j < f.len() && f[j] != '"' {
                j += 1;
                i += 1;
            }
            j += 1;
            continue;
        }
        macro_rules! num {
            ($len:expr, $max:expr, $name:expr, $signed:expr) => {{
                j += $len;
                number(&mut i, $max, $name, $signed)?
            }};
        }
        if upper.starts_with("YYYY") {
            let next_is_digit_field = j + 4 < f.len() && f[j + 4].is_ascii_alphabetic();
            p.year = Some(num!(
                4,
                if next_is_digit_field { 4 } else { 9 },
                "YYYY",
                true
            ));
        } else if upper.starts_with("YYY") {
            let y = num!(3, 3, "YYY", false);
            p.year = Some(if y < 100 { y + 2000 } else { y + 1000 });
        } else if upper.starts_with("YY") {
            let y = num!(2, 2, "YY", false);
            p.year = Some(if y < 70 { y + 2000 } else { y + 1900 });
        } else if upper.starts_with('Y') && !upper.starts_with("Y,") {
            let y = num!(1, 1, "Y", false);
            p.year = Some(y + 2000);
        } else if upper.starts_with("MONTH") || upper.starts_with("MON") {
            let full = upper.starts_with("MONTH");
            let name: String = f[j..j + if full { 5 } else { 3 }].iter().collect();
            j += name.len();
            let rest: String = inp[i..].iter().collect::<String>().to_ascii_lowercase();
            let found = MONTHS.iter().enumerate().find_map(|(k, m)| {
                if full && rest.starts_with(m) {
                    Some((k, m.len()))
                } else if !full && rest.starts_with(&m[..3]) {
                    Some((k, 3))
                } else {
                    None
                }
            });
            let Some((k, n)) = found else {
                let word: String = inp[i..].iter().take_while(|c| c.is_alphabetic()).collect();
                return Err(bad_value(
                    &word,
                    &name,
                    "The given value did not match any of the allowed values for this field.",
                ));
            };
            p.month = Some(k as i64 + 1);
            i += n;
        } else if upper.starts_with("MM") {
            p.month = Some(num!(2, 2, "MM", false));
        } else if upper.starts_with("MI") {
            p.minute = num!(2, 2, "MI", false);
        } else if upper.starts_with("MS") {
            let start = i;
            let v = num!(2, 3, "MS", false);
            let digits = inp[start..i].iter().filter(|c| c.is_ascii_digit()).count() as u32;
            p.micros = v * 10i64.pow(3 - digits.min(3)) * 1000;
        } else if upper.starts_with("US") {
            let start = i;
            let v = num!(2, 6, "US", false);
            let digits = inp[start..i].iter().filter(|c| c.is_ascii_digit()).count() as u32;
            p.micros = v * 10i64.pow(6 - digits.min(6));
        } else if upper.starts_with("DDD") {
            p.doy = Some(num!(3, 3, "DDD", false));
        } else if upper.starts_with("DD") {
            p.day = Some(num!(2, 2, "DD", false));
        } else if upper.starts_with("DAY") || upper.starts_with("DY") {
            let full = upper.starts_with("DAY");
            j += if full { 3 } else { 2 };
            let rest: String = inp[i..].iter().collect::<String>().to_ascii_lowercase();
            let n = DAYS
                .iter()
                .find_map(|d| {
                    if full && rest.starts_with(d) {
                        Some(d.len())
                    } else if !full && rest.starts_with(&d[..3]) {
                        Some(3)
                    } else {
                        None
                    }
                })
                .ok_or_else(|| {
                    let word: String = inp[i..].iter().take_while(|c| c.is_alphabetic()).collect();
                    bad_value(
                        &word,
                        if full { "Day" } else { "Dy" },
                        "The given value did not match any of the allowed values for this field.",
                    )
                })?;
            i += n;
        } else if upper.starts_with("HH24") {
            p.hour = num!(4, 2, "HH24", false);
        } else if upper.starts_with("HH12") {
            p.hour = num!(4, 2, "HH12", false);
            p.hour12 = true;
        } else if upper.starts_with("HH") {
            p.hour = num!(2, 2, "HH", false);
            p.hour12 = true;
        } else if upper.starts_with("SS") {
            p.second = num!(2, 2, "SS", false);
        } else if upper.starts_with("AM")
            || upper.starts_with("PM")
            || upper.starts_with("A.M.")
            || upper.starts_with("P.M.")
        {
            let dotted = upper.starts_with("A.M.") || upper.starts_with("P.M.");
            let n = if dotted { 4 } else { 2 };
            j += n;
            let word: String = inp[i..]
                .iter()
                .take(n)
                .collect::<String>()
                .to_ascii_uppercase();
            p.pm = match word.as_str() {
                "AM" | "A.M." => Some(false),
                "PM" | "P.M." => Some(true),
                _ => {
                    return Err(bad_value(
                        &word,
                        &f[j - n..j].iter().collect::<String>(),
                        "The given value did not match any of the allowed values for this field.",
                    ));
                }
            };
            i += n;
        } else if upper.starts_with("TZH") {
            let h = num!(3, 2, "TZH", true);
            p.tz_offset = Some(p.tz_offset.unwrap_or(0) + h * 3600);
        } else if upper.starts_with("TZM") {
            let m = num!(3, 2, "TZM", false);
            let base = p.tz_offset.unwrap_or(0);
            p.tz_offset = Some(base + if base < 0 { -m * 60 } else { m * 60 });
        } else if upper.starts_with("TZ") || upper.starts_with("OF") {
            return Err(SqlError::unsupported(format!(
                "formatting field \"{}\" is only supported in to_char",
                &upper[..2]
            )));
        } else {
            // A separator or literal: skips one input character (any
            // whitespace in the template skips the input's whitespace).
            if f[j].is_whitespace() {
                while i < inp.len() && inp[i].is_whitespace() {
                    i += 1;
                }
            } else if !inp[i].is_ascii_alphanumeric() || inp[i] == f[j] {
                i += 1;
            }
            j += 1;
            continue;
        }
        // After a field: whitespace before a separator is skipped.
    }
    Ok(p)
}

/// The wall-clock timestamp of parsed fields, with PostgreSQL's range
/// checks (22008 `date/time field value out of range: "…"`).
fn parsed_local(p: &Parsed, input: &str) -> Result<i64, SqlError> {
    let out_of_range = || {
        SqlError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{input}\""),
        )
    };
    let mut hour = p.hour;
    if p.hour12 || p.pm.is_some() {
        if !(1..=12).contains(&hour) {
            return Err(SqlError::new(
                SqlState::INVALID_DATETIME_FORMAT,
                format!("hour \"{hour}\" is invalid for the 12-hour clock"),
            )
            .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."));
        }
        if p.pm == Some(true) && hour < 12 {
            hour += 12;
        } else if p.pm != Some(true) && hour == 12 {
            hour = 0;
        }
    }
    let year = p.year.unwrap_or(1);
    let y = if year <= 0 { year + 1 } else { year };
    let days = if let Some(doy) = p.doy.filter(|_| p.month.is_none() && p.day.is_none()) {
        let leap = days_in_month(y, 2) == 29;
        if doy < 1 || doy > if leap { 366 } else { 365 } {
            return Err(out_of_range());
        }
        days_from_civil(y, 1, 1) + doy - 1
    } else {
        let (m, d) = (p.month.unwrap_or(1), p.day.unwrap_or(1));
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m as u32) as i64 {
            return Err(out_of_range());
        }
        days_from_civil(y, m as u32, d as u32)
    };
    if hour > 24 || p.minute > 59 || p.second > 60 {
        return Err(out_of_range());
    }
    let t =
        days * USECS_PER_DAY + ((hour * 60 + p.minute) * 60 + p.second) * USECS_PER_SEC + p.micros;
    check_timestamp(t)
}

fn to_date(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let input = text_arg(a, 0)?;
    let p = parse_template(input, text_arg(a, 1)?)?;
    let local = parsed_local(&p, input)?;
    Ok(Value::Date(local.div_euclid(USECS_PER_DAY) as i32))
}

fn to_timestamp_fmt(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let input = text_arg(a, 0)?;
    let p = parse_template(input, text_arg(a, 1)?)?;
    let local = parsed_local(&p, input)?;
    let utc = match p.tz_offset {
        Some(off) => local - off * USECS_PER_SEC,
        None => from_local(&ctx.eval.settings, local),
    };
    Ok(Value::TimestampTz(check_timestamp(utc)?))
}

/// `time ± interval`: only the interval's time part counts, wrapping
/// around midnight (PostgreSQL's `time_pl_interval`).
fn time_pl_interval(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (t, iv) = match (&a[0], &a[1]) {
        (Value::Time(t), Value::Interval(iv)) | (Value::Interval(iv), Value::Time(t)) => (*t, iv),
        other => return Err(SqlError::internal(format!("time + interval on {other:?}"))),
    };
    Ok(Value::Time(
        t.wrapping_add(iv.micros).rem_euclid(USECS_PER_DAY),
    ))
}

fn time_mi_interval(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (Value::Time(t), Value::Interval(iv)) = (&a[0], &a[1]) else {
        return Err(SqlError::internal("time - interval on non-time"));
    };
    Ok(Value::Time(
        t.wrapping_sub(iv.micros).rem_euclid(USECS_PER_DAY),
    ))
}

fn time_mi_time(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (Value::Time(x), Value::Time(y)) = (&a[0], &a[1]) else {
        return Err(SqlError::internal("time - time on non-time"));
    };
    Ok(Value::Interval(Interval {
        months: 0,
        days: 0,
        micros: x - y,
    }))
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    r.op("+", DATE, INT4, DATE, date_pl_int);
    r.op("+", INT4, DATE, DATE, int_pl_date);
    r.op("-", DATE, INT4, DATE, date_mi_int);
    r.op("-", DATE, DATE, INT4, date_mi_date);
    r.op("+", DATE, INTERVAL, TIMESTAMP, date_pl_interval);
    r.op("-", DATE, INTERVAL, TIMESTAMP, date_mi_interval);
    for t in [TIMESTAMP, TIMESTAMPTZ] {
        r.op("+", t, INTERVAL, t, ts_pl_interval);
        r.op("+", INTERVAL, t, t, interval_pl_ts);
        r.op("-", t, INTERVAL, t, ts_mi_interval);
        r.op("-", t, t, INTERVAL, ts_mi_ts);
    }
    r.op("+", INTERVAL, INTERVAL, INTERVAL, interval_pl);
    r.op("+", TIME, INTERVAL, TIME, time_pl_interval);
    r.op("+", INTERVAL, TIME, TIME, time_pl_interval);
    r.op("-", TIME, INTERVAL, TIME, time_mi_interval);
    r.op("-", TIME, TIME, INTERVAL, time_mi_time);
    r.op("-", INTERVAL, INTERVAL, INTERVAL, interval_mi);
    r.prefix("-", INTERVAL, INTERVAL, interval_um);
    r.op("*", INTERVAL, FLOAT8, INTERVAL, interval_mul);
    r.op("*", FLOAT8, INTERVAL, INTERVAL, mul_interval);
    r.op("/", INTERVAL, FLOAT8, INTERVAL, interval_div);
    r.func("now", &[], TIMESTAMPTZ, now).stable();
    r.func("current_timestamp", &[], TIMESTAMPTZ, now).stable();
    r.func("transaction_timestamp", &[], TIMESTAMPTZ, now)
        .stable();
    r.func("statement_timestamp", &[], TIMESTAMPTZ, statement_timestamp)
        .stable();
    r.func("clock_timestamp", &[], TIMESTAMPTZ, clock_timestamp)
        .volatile();
    r.func("current_date", &[], DATE, current_date).stable();
    r.func("localtimestamp", &[], TIMESTAMP, localtimestamp)
        .stable();
    for t in [TIMESTAMP, TIMESTAMPTZ, DATE, TIME, INTERVAL] {
        r.func("extract", &[TEXT, t], NUMERIC, extract).stable();
        r.func("date_part", &[TEXT, t], FLOAT8, date_part).stable();
    }
    for t in [TIMESTAMP, TIMESTAMPTZ, INTERVAL] {
        r.func("date_trunc", &[TEXT, t], t, date_trunc).stable();
    }
    r.func("age", &[TIMESTAMP, TIMESTAMP], INTERVAL, age2);
    r.func("age", &[TIMESTAMPTZ, TIMESTAMPTZ], INTERVAL, age2)
        .stable();
    r.func("age", &[TIMESTAMP], INTERVAL, age1).stable();
    r.func("age", &[TIMESTAMPTZ], INTERVAL, age1).stable();
    r.func("timezone", &[TEXT, TIMESTAMPTZ], TIMESTAMP, timezone);
    r.func("timezone", &[TEXT, TIMESTAMP], TIMESTAMPTZ, timezone);
    r.func("make_date", &[INT4, INT4, INT4], DATE, make_date);
    r.func("to_timestamp", &[FLOAT8], TIMESTAMPTZ, to_timestamp);
    r.func("justify_days", &[INTERVAL], INTERVAL, justify_days);
    r.func("justify_hours", &[INTERVAL], INTERVAL, justify_hours_fn);
    r.func("justify_interval", &[INTERVAL], INTERVAL, justify_interval);
    r.func("make_time", &[INT4, INT4, FLOAT8], TIME, make_time);
    r.func(
        "make_timestamp",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMP,
        make_timestamp,
    );
    r.func(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMPTZ,
        make_timestamptz,
    )
    .stable();
    r.func(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT],
        TIMESTAMPTZ,
        make_timestamptz,
    )
    .stable();
    r.func(
        "make_interval",
        &[INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8],
        INTERVAL,
        make_interval,
    );
    for t in [DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL] {
        r.func("isfinite", &[t], BOOL, isfinite);
    }
    for t in [TIMESTAMP, TIMESTAMPTZ, TIME] {
        r.func("overlaps", &[t, t, t, t], BOOL, overlaps)
            .nonstrict();
    }
    r.func("to_date", &[TEXT, TEXT], DATE, to_date).stable();
    r.func("to_timestamp", &[TEXT, TEXT], TIMESTAMPTZ, to_timestamp_fmt)
        .stable();
    r.func("to_char", &[TIMESTAMP, TEXT], TEXT, to_char_ts)
        .stable();
    r.func("to_char", &[TIMESTAMPTZ, TEXT], TEXT, to_char_ts)
        .stable();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(civil_from_days(0), (2000, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 60);
        for d in [-800_000i64, -1, 0, 59, 60, 365, 10_000, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        let t = days_from_civil(2024, 1, 31) * USECS_PER_DAY;
        let r = add_interval_local(
            t,
            &Interval {
                months: 1,
                days: 0,
                micros: 0,
            },
        )
        .unwrap();
        assert_eq!(civil_from_days(r / USECS_PER_DAY), (2024, 2, 29));
    }
}
