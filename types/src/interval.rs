//! `interval`: months, days and microseconds, kept apart.
//!
//! PostgreSQL keeps the three units separate because they do not convert
//! into each other exactly (a month is 28 to 31 days, a day 23 to 25 hours
//! across a DST change), and so do we: [`Interval`] is exactly the binary
//! wire form (`micros: i64`, `days: i32`, `months: i32`).
//!
//! Text input accepts PostgreSQL's `postgres` style (`1 year 2 mons 3 days
//! 04:05:06.7`, `-00:00:01`, `1.5 days`, `@ 1 hour ago`, a bare number of
//! seconds, `1 02:03:04`) and ISO 8601 (`P1Y2M3DT4H5M6S`). Text output
//! supports every `IntervalStyle`: `postgres` (the default),
//! `postgres_verbose`, `sql_standard` (`1-2`, `-1 2:03:04`) and `iso_8601`.

use crate::datetime::{USECS_PER_DAY, push_fraction};
use crate::settings::IntervalStyle;
use crate::{SqlState, TypeError};

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_HOUR: i64 = 3_600_000_000;
const USECS_PER_MINUTE: i64 = 60_000_000;
const DAYS_PER_MONTH: i64 = 30;

/// One `interval` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Whole months (years are 12 months).
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// Microseconds (hours, minutes, seconds and fractions).
    pub micros: i64,
}

impl Interval {
    /// The interval as microseconds with a month counted as 30 days and a
    /// day as 24 hours: PostgreSQL's key for comparing and hashing
    /// intervals (`1 mon = 30 days`).
    pub fn cmp_key(&self) -> i128 {
        (self.months as i128 * DAYS_PER_MONTH as i128 + self.days as i128) * USECS_PER_DAY as i128
            + self.micros as i128
    }

    /// Text output in the given style.
    pub(crate) fn format(&self, style: IntervalStyle, out: &mut String) {
        let year = self.months / 12;
        let mon = self.months % 12;
        let mday = self.days as i64;
        let t = self.micros as i128;
        let hour = (t / USECS_PER_HOUR as i128) as i64;
        let rem = t % USECS_PER_HOUR as i128;
        let min = (rem / USECS_PER_MINUTE as i128) as i64;
        let rem = rem % USECS_PER_MINUTE as i128;
        let sec = (rem / USECS_PER_SEC as i128) as i64;
        let fsec = (rem % USECS_PER_SEC as i128) as i64;
        match style {
            IntervalStyle::Iso8601 => {
                if year == 0 && mon == 0 && mday == 0 && t == 0 {
                    out.push_str("PT0S");
                    return;
                }
                out.push('P');
                let part = |out: &mut String, v: i64, c: char| {
                    if v != 0 {
                        out.push_str(&format!("{v}{c}"));
                    }
                };
                part(out, year as i64, 'Y');
                part(out, mon as i64, 'M');
                part(out, mday, 'D');
                if t != 0 {
                    out.push('T');
                }
                part(out, hour, 'H');
                part(out, min, 'M');
                if sec != 0 || fsec != 0 {
                    if sec < 0 || fsec < 0 {
                        out.push('-');
                    }
                    out.push_str(&sec.unsigned_abs().to_string());
                    push_fraction(out, fsec);
                    out.push('S');
                }
            }
            IntervalStyle::PostgresVerbose => {
                out.push('@');
                let mut is_zero = true;
                let mut is_before = false;
                let mut part = |out: &mut String, v: i64, unit: &str| {
                    if v == 0 {
                        return;
                    }
                    let v = if is_zero {
                        is_before = v < 0;
                        v.abs()
                    } else if is_before {
                        -v
                    } else {
                        v
                    };
                    out.push_str(&format!(" {v} {unit}{}", if v == 1 { "" } else { "s" }));
                    is_zero = false;
                };
                part(out, year as i64, "year");
                part(out, mon as i64, "mon");
                part(out, mday, "day");
                part(out, hour, "hour");
                part(out, min, "min");
                if sec != 0 || fsec != 0 {
                    out.push(' ');
                    if sec < 0 || (sec == 0 && fsec < 0) {
                        if is_zero {
                            is_before = true;
                        } else if !is_before {
                            out.push('-');
                        }
                    } else if is_before {
                        out.push('-');
                    }
                    out.push_str(&sec.unsigned_abs().to_string());
                    push_fraction(out, fsec);
                    out.push_str(if sec.abs() != 1 || fsec != 0 {
                        " secs"
                    } else {
                        " sec"
                    });
                    is_zero = false;
                }
                if is_zero {
                    out.push_str(" 0");
                }
                if is_before {
                    out.push_str(" ago");
                }
            }
            IntervalStyle::SqlStandard => {
                let fields = [year as i64, mon as i64, mday, hour, min, sec, fsec];
                let has_negative = fields.iter().any(|&f| f < 0);
                let has_positive = fields.iter().any(|&f| f > 0);
                let has_year_month = year != 0 || mon != 0;
                let has_day_time = mday != 0 || t != 0;
                let standard =
                    !((has_negative && has_positive) || (has_year_month && has_day_time));
                let (mut year, mut mon, mut mday, mut hour, mut min, mut sec, mut fsec) =
                    (year as i64, mon as i64, mday, hour, min, sec, fsec);
                if has_negative && standard {
                    out.push('-');
                    (year, mon, mday, hour, min, sec, fsec) =
                        (-year, -mon, -mday, -hour, -min, -sec, -fsec);
                }
                if !has_negative && !has_positive {
                    out.push('0');
                } else if !standard {
                    let year_sign = if year < 0 || mon < 0 { '-' } else { '+' };
                    let day_sign = if mday < 0 { '-' } else { '+' };
                    let sec_sign = if t < 0 { '-' } else { '+' };
                    out.push_str(&format!(
                        "{year_sign}{}-{} {day_sign}{} {sec_sign}{}:{:02}:{:02}",
                        year.unsigned_abs(),
                        mon.unsigned_abs(),
                        mday.unsigned_abs(),
                        hour.unsigned_abs(),
                        min.unsigned_abs(),
                        sec.unsigned_abs()
                    ));
                    push_fraction(out, fsec);
                } else if has_year_month {
                    out.push_str(&format!("{year}-{mon}"));
                } else {
                    if mday != 0 {
                        out.push_str(&format!("{mday} "));
                    }
                    out.push_str(&format!("{hour}:{:02}:{:02}", min, sec));
                    push_fraction(out, fsec);
                }
            }
            IntervalStyle::Postgres => {
                let mut is_zero = true;
                let mut is_before = false;
                let mut part = |out: &mut String, v: i64, unit: &str| {
                    if v == 0 {
                        return;
                    }
                    out.push_str(&format!(
                        "{}{}{v} {unit}{}",
                        if is_zero { "" } else { " " },
                        if is_before && v > 0 { "+" } else { "" },
                        if v != 1 { "s" } else { "" }
                    ));
                    is_before = v < 0;
                    is_zero = false;
                };
                part(out, year as i64, "year");
                part(out, mon as i64, "mon");
                part(out, mday, "day");
                if is_zero || t != 0 {
                    let minus = t < 0;
                    out.push_str(&format!(
                        "{}{}{:02}:{:02}:{:02}",
                        if is_zero { "" } else { " " },
                        if minus {
                            "-"
                        } else if is_before {
                            "+"
                        } else {
                            ""
                        },
                        hour.unsigned_abs(),
                        min.unsigned_abs(),
                        sec.unsigned_abs()
                    ));
                    push_fraction(out, fsec);
                }
            }
        }
    }
}

/// Accumulates interval fields with overflow checks.
#[derive(Default)]
struct Acc {
    months: i64,
    days: i64,
    micros: i128,
}

/// The units a number can carry.
#[derive(Clone, Copy)]
enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

/// A bit per unit, to catch repeated fields.
fn unit_bit(u: Unit) -> u32 {
    1 << (u as u32)
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "microsecond" | "microseconds" | "microsecon" | "us" | "usec" | "usecs" | "useconds" => {
            Unit::Micro
        }
        "millisecond" | "milliseconds" | "millisecon" | "ms" | "msec" | "msecs" | "mseconds" => {
            Unit::Milli
        }
        "second" | "seconds" | "sec" | "secs" | "s" => Unit::Second,
        "minute" | "minutes" | "min" | "mins" | "m" => Unit::Minute,
        "hour" | "hours" | "hr" | "hrs" | "h" => Unit::Hour,
        "day" | "days" | "d" => Unit::Day,
        "week" | "weeks" | "w" => Unit::Week,
        "month" | "months" | "mon" | "mons" => Unit::Month,
        "year" | "years" | "yr" | "yrs" | "y" => Unit::Year,
        "decade" | "decades" | "dec" | "decs" => Unit::Decade,
        "century" | "centuries" | "cent" | "c" => Unit::Century,
        "millennium" | "millennia" | "mil" | "mils" => Unit::Millennium,
        _ => return None,
    })
}

impl Acc {
    /// Adds `int + frac` of `unit` (frac carries the sign of the number).
    fn add(&mut self, int: i64, frac: f64, unit: Unit) -> Option<()> {
        let spill_secs = |acc: &mut Acc, frac: f64, secs_per_unit: f64| {
            acc.micros += (frac * secs_per_unit * 1e6).round() as i128;
        };
        match unit {
            Unit::Micro => self.micros += (int as f64 + frac).round() as i128,
            Unit::Milli => self.micros += ((int as f64 + frac) * 1000.0).round() as i128,
            Unit::Second => {
                self.micros += int as i128 * USECS_PER_SEC as i128;
                spill_secs(self, frac, 1.0);
            }
            Unit::Minute => {
                self.micros += int as i128 * USECS_PER_MINUTE as i128;
                spill_secs(self, frac, 60.0);
            }
            Unit::Hour => {
                self.micros += int as i128 * USECS_PER_HOUR as i128;
                spill_secs(self, frac, 3600.0);
            }
            Unit::Day => {
                self.days = self.days.checked_add(int)?;
                spill_secs(self, frac, 86400.0);
            }
            Unit::Week => {
                self.days = self.days.checked_add(int.checked_mul(7)?)?;
                let days = frac * 7.0;
                self.days = self.days.saturating_add(days.trunc() as i64);
                spill_secs(self, days.fract(), 86400.0);
            }
            Unit::Month => {
                self.months = self.months.checked_add(int)?;
                let days = frac * DAYS_PER_MONTH as f64;
                self.days = self.days.saturating_add(days.trunc() as i64);
                spill_secs(self, days.fract(), 86400.0);
            }
            Unit::Year | Unit::Decade | Unit::Century | Unit::Millennium => {
                let years = match unit {
                    Unit::Year => 1,
                    Unit::Decade => 10,
                    Unit::Century => 100,
                    _ => 1000,
                };
                self.months = self.months.checked_add(int.checked_mul(12 * years)?)?;
                self.months = self
                    .months
                    .saturating_add((frac * 12.0 * years as f64).round() as i64);
            }
        }
        Some(())
    }

    fn finish(self, negate: bool) -> Option<Interval> {
        let (m, d, u) = if negate {
            (
                self.months.saturating_neg(),
                self.days.saturating_neg(),
                -self.micros,
            )
        } else {
            (self.months, self.days, self.micros)
        };
        Some(Interval {
            months: i32::try_from(m).ok()?,
            days: i32::try_from(d).ok()?,
            micros: i64::try_from(u).ok()?,
        })
    }
}

/// Splits `-1.5` into (-1, -0.5); `None` unless it is `[+-]digits[.digits]`.
fn split_number(s: &str) -> Option<(i64, f64)> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0.{frac}").parse().ok()?
    };
    Some(if neg { (-i, -f) } else { (i, f) })
}

/// `[+-]h:m[:s[.f]]` as microseconds.
fn parse_time(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let int = |p: &str| -> Option<i128> {
        if p.is_empty() || p.len() > 18 || !p.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    // Two or three parts, checked above.
    let h = int(parts[0])?;
    let (m, sec_str) = if parts.len() == 3 {
        (int(parts[1])?, parts[2])
    } else if parts[1].contains('.') {
        // `mm:ss.f` when there are two parts and a fraction.
        return None;
    } else {
        (int(parts[1])?, "0")
    };
    let (sec_int, frac) = sec_str.split_once('.').unwrap_or((sec_str, ""));
    let sec = int(sec_int)?;
    if m > 59 || sec > 59 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let f: i128 = if frac.is_empty() {
        0
    } else {
        (format!("0.{frac}").parse::<f64>().ok()? * 1e6).round_ties_even() as i128
    };
    let v =
        h * USECS_PER_HOUR as i128 + m * USECS_PER_MINUTE as i128 + sec * USECS_PER_SEC as i128 + f;
    Some(if neg { -v } else { v })
}

/// ISO 8601 `P…` format.
fn parse_iso(s: &str) -> Option<Interval> {
    let body = s.strip_prefix(['P', 'p'])?;
    let mut acc = Acc::default();
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in body.chars() {
        match c {
            'T' | 't' if num.is_empty() && !in_time => in_time = true,
            '0'..='9' | '.' | '-' | '+' => num.push(c),
            _ => {
                let (i, f) = split_number(&num)?;
                num.clear();
                let u = match (c.to_ascii_uppercase(), in_time) {
                    ('Y', false) => Unit::Year,
                    ('M', false) => Unit::Month,
                    ('W', false) => Unit::Week,
                    ('D', false) => Unit::Day,
                    ('H', true) => Unit::Hour,
                    ('M', true) => Unit::Minute,
                    ('S', true) => Unit::Second,
                    _ => return None,
                };
                acc.add(i, f, u)?;
                any = true;
            }
        }
    }
    if !num.is_empty() || !(any || in_time) {
        return None;
    }
    acc.finish(false)
}

/// `interval` text input.
/// `[+-]Y-M`: a year-month field of the SQL standard form, as months.
fn year_month(tok: &str) -> Option<i64> {
    let (neg, body) = match tok.as_bytes().first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let (y, m) = body.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(y) || !digits(m) {
        return None;
    }
    let months = y.parse::<i64>().ok()? * 12 + m.parse::<i64>().ok()?;
    Some(if neg { -months } else { months })
}

/// `interval` text input; `style` matters only for the SQL-standard rule
/// that a leading `-` applies to every field without a sign of its own.
pub(crate) fn parse_interval(input: &str, style: IntervalStyle) -> Result<Interval, TypeError> {
    let syntax = || TypeError::invalid_datetime("interval", input);
    let overflow = || {
        TypeError::new(
            SqlState::INTERVAL_FIELD_OVERFLOW,
            format!("interval field value out of range: \"{input}\""),
        )
    };
    let trimmed = input.trim();
    if trimmed.starts_with(['P', 'p']) {
        return parse_iso(trimmed).ok_or_else(syntax);
    }
    // Split into tokens: numbers, words and times; `1day` becomes `1`, `day`.
    let mut tokens: Vec<String> = Vec::new();
    for word in trimmed.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let split = word
            .find(|c: char| c.is_ascii_alphabetic())
            .filter(|&i| i > 0 && !word.contains(':'));
        match split {
            Some(i) => {
                tokens.push(word[..i].to_owned());
                tokens.push(word[i..].to_ascii_lowercase());
            }
            None => tokens.push(word.to_ascii_lowercase()),
        }
    }
    if tokens.is_empty() {
        return Err(syntax());
    }
    // SQL standard: `-1 2:03:04` is minus (1 day 2:03:04).
    if style == IntervalStyle::SqlStandard
        && tokens[0].starts_with('-')
        && !tokens[1..].iter().any(|t| t.starts_with(['-', '+']))
    {
        for t in tokens[1..].iter_mut() {
            if t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                t.insert(0, '-');
            }
        }
    }
    let mut acc = Acc::default();
    let mut ago = false;
    let mut seen_time = false;
    // Each unit may appear once (`1 day 2 days` is an error), as in PostgreSQL.
    let mut seen_units = 0u32;
    let mut claim = |bits: u32| -> Result<(), TypeError> {
        if seen_units & bits != 0 {
            return Err(syntax());
        }
        seen_units |= bits;
        Ok(())
    };
    let mut i = 0;
    while i < tokens.len() {
        let tok = &tokens[i];
        i += 1;
        if tok == "@" {
            continue;
        }
        if tok == "ago" {
            if ago || i != tokens.len() {
                return Err(syntax());
            }
            ago = true;
            continue;
        }
        if tok.contains(':') {
            if seen_time {
                return Err(syntax());
            }
            seen_time = true;
            claim(unit_bit(Unit::Hour) | unit_bit(Unit::Minute) | unit_bit(Unit::Second))?;
            acc.micros += parse_time(tok).ok_or_else(syntax)?;
            continue;
        }
        if let Some(months) = year_month(tok) {
            acc.months = acc.months.checked_add(months).ok_or_else(overflow)?;
            continue;
        }
        let (int, frac) = split_number(tok).ok_or_else(syntax)?;
        let next = tokens.get(i);
        let u = match next.and_then(|w| unit(w)) {
            Some(u) => {
                i += 1;
                u
            }
            // A bare number before a time is days; at the end, seconds.
            None if next.is_some_and(|w| w.contains(':')) => Unit::Day,
            None if next.is_none() => Unit::Second,
            None => return Err(syntax()),
        };
        claim(unit_bit(u))?;
        acc.add(int, frac, u).ok_or_else(overflow)?;
    }
    acc.finish(ago).ok_or_else(overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(s: &str) -> String {
        let mut out = String::new();
        parse_interval(s, IntervalStyle::Postgres)
            .unwrap()
            .format(IntervalStyle::Postgres, &mut out);
        out
    }

    #[test]
    fn postgres_style() {
        assert_eq!(
            pg("1 year 2 mons 3 days 04:05:06.7"),
            "1 year 2 mons 3 days 04:05:06.7"
        );
        assert_eq!(pg("-00:00:01"), "-00:00:01");
        assert_eq!(pg("0"), "00:00:00");
        assert_eq!(pg("1 day 02:03:04"), "1 day 02:03:04");
        assert_eq!(pg("1.5 days"), "1 day 12:00:00");
        assert_eq!(pg("@ 1 hour ago"), "-01:00:00");
        assert_eq!(pg("-1 days +02:00"), "-1 days +02:00:00");
        assert_eq!(pg("1 mon -1 days"), "1 mon -1 days");
        assert_eq!(pg("P1Y2M3DT4H5M6S"), "1 year 2 mons 3 days 04:05:06");
        assert_eq!(pg("P1D"), "1 day");
        assert_eq!(pg("1 02:03:04"), "1 day 02:03:04");
        assert_eq!(pg("10"), "00:00:10");
        assert_eq!(pg("1.5 years"), "1 year 6 mons");
        assert_eq!(pg("100 hours"), "100:00:00");
        assert!(parse_interval("abc", IntervalStyle::Postgres).is_err());
        assert!(parse_interval("", IntervalStyle::Postgres).is_err());
    }

    #[test]
    fn other_styles() {
        let iv =
            parse_interval("1 year 2 mons 3 days 04:05:06.7", IntervalStyle::Postgres).unwrap();
        let mut s = String::new();
        iv.format(IntervalStyle::Iso8601, &mut s);
        assert_eq!(s, "P1Y2M3DT4H5M6.7S");
        let mut s = String::new();
        iv.format(IntervalStyle::PostgresVerbose, &mut s);
        assert_eq!(s, "@ 1 year 2 mons 3 days 4 hours 5 mins 6.7 secs");
    }
}
