//! Session settings that change how values print and parse.
//!
//! PostgreSQL's text I/O is not a pure function of the value: `DateStyle`
//! decides whether `01/02/2024` is January or February, `TimeZone` decides
//! how a `timestamptz` prints, `extra_float_digits` how many digits a float
//! shows. The wire core keeps one [`FormatSettings`] per session, updates it
//! through [`FormatSettings::set`] when the engine reports a `SET`, and
//! passes it to every encode and decode.

use jiff::tz::{AmbiguousOffset, Offset};

use crate::{SqlState, TypeError};

/// Session settings that change how values print and parse.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatSettings {
    /// `extra_float_digits` (-15 ..= 3; default 1): above 0, floats print in
    /// the shortest form that reads back exactly; otherwise with
    /// `DBL_DIG + extra_float_digits` significant digits.
    pub extra_float_digits: i32,
    /// The output half of `DateStyle` (default ISO).
    pub date_style: DateStyle,
    /// The input half of `DateStyle`: field order of ambiguous dates
    /// such as `01/02/03` (default MDY).
    pub date_order: DateOrder,
    /// `IntervalStyle` (default postgres).
    pub interval_style: IntervalStyle,
    /// `TimeZone` (default `Etc/UTC`): how `timestamptz` prints and how a
    /// timestamp without an explicit offset is read.
    pub time_zone: TimeZone,
    /// `bytea_output` (default hex).
    pub bytea_output: ByteaOutput,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings {
            extra_float_digits: 1,
            date_style: DateStyle::Iso,
            date_order: DateOrder::Mdy,
            interval_style: IntervalStyle::Postgres,
            time_zone: TimeZone::utc(),
            bytea_output: ByteaOutput::Hex,
        }
    }
}

/// The output format half of `DateStyle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// `2024-01-02 03:04:05+00` (the default, and the only one clients parse reliably).
    Iso,
    /// `01/02/2024 03:04:05 UTC` (printed as ISO by this crate).
    Sql,
    /// `Tue Jan 02 03:04:05 2024 UTC` (printed as ISO by this crate).
    Postgres,
    /// `02.01.2024 03:04:05 UTC` (printed as ISO by this crate).
    German,
}

/// The field-order half of `DateStyle`, for reading ambiguous dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// year, month, day
    Ymd,
    /// day, month, year
    Dmy,
    /// month, day, year (the default)
    Mdy,
}

/// `IntervalStyle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntervalStyle {
    /// `1 year 2 mons 3 days 04:05:06` (the default)
    Postgres,
    /// `@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs`
    PostgresVerbose,
    /// `+1-2 +3 +4:05:06`
    SqlStandard,
    /// `P1Y2M3DT4H5M6S`
    Iso8601,
}

/// `bytea_output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteaOutput {
    /// `\x0102` (the default)
    Hex,
    /// `\001\002`, printable ASCII as is
    Escape,
}

/// A session time zone: an IANA zone from jiff's bundled database or a fixed
/// offset, with the name `SHOW TimeZone` displays.
#[derive(Debug, Clone)]
pub struct TimeZone {
    /// What `SHOW TimeZone` says (`Etc/UTC`, `Europe/Berlin`, `<+02>-02`).
    name: String,
    /// The rules.
    tz: jiff::tz::TimeZone,
    /// For zones set as an offset, the abbreviation PostgreSQL prints in
    /// the non-ISO `DateStyle`s (`+02` for `2`, empty for `+02:00`); IANA
    /// zones take theirs from the database (`CEST`, `LMT`).
    abbrev: Option<String>,
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// The range of instants jiff can look an offset up for; PostgreSQL's
/// timestamps reach further, and we use the offset at the nearest end.
const JIFF_MIN_SECS: i64 = -377_705_116_800 + 86_400;
const JIFF_MAX_SECS: i64 = 253_402_207_200 - 86_400;
/// Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
const PG_EPOCH_UNIX_SECS: i64 = 946_684_800;
/// Seconds in 400 Gregorian years: the calendar (and so every zone's
/// recurring DST rule) repeats with this period.
const SECS_PER_400_YEARS: i64 = 146_097 * 86_400;

/// Maps a Unix time into jiff's range: later instants move back by whole
/// 400-year cycles (the zone's final rule repeats), earlier ones clamp (the
/// zone's first offset, LMT, applies before its history starts).
fn to_jiff_range(unix: i64) -> i64 {
    if unix > JIFF_MAX_SECS {
        let cycles = (unix - JIFF_MAX_SECS) / SECS_PER_400_YEARS + 1;
        unix - cycles * SECS_PER_400_YEARS
    } else {
        unix.max(JIFF_MIN_SECS)
    }
}

impl TimeZone {
    /// `Etc/UTC`, the default.
    pub fn utc() -> TimeZone {
        TimeZone {
            name: "Etc/UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
            abbrev: None,
        }
    }

    /// A fixed offset east of UTC, in seconds, with its display name and
    /// abbreviation.
    pub fn fixed(
        name: impl Into<String>,
        abbreviation: impl Into<String>,
        offset_secs: i32,
    ) -> Option<TimeZone> {
        let offset = Offset::from_seconds(offset_secs).ok()?;
        Some(TimeZone {
            name: name.into(),
            tz: jiff::tz::TimeZone::fixed(offset),
            abbrev: Some(abbreviation.into()),
        })
    }

    /// The zone abbreviation in effect at `utc_secs` seconds after
    /// 2000-01-01 00:00:00 UTC (`CET`, `EDT`, `LMT`, `+02`).
    pub fn abbreviation_at(&self, utc_secs: i64) -> String {
        if let Some(a) = &self.abbrev {
            return a.clone();
        }
        let unix = to_jiff_range(utc_secs.saturating_add(PG_EPOCH_UNIX_SECS));
        match jiff::Timestamp::from_second(unix) {
            Ok(ts) => self.tz.to_offset_info(ts).abbreviation().to_owned(),
            Err(_) => String::new(),
        }
    }

    /// Parses a `TimeZone` setting as PostgreSQL does: a bare number is
    /// hours east of UTC (`2` → `<+02>-02`); a POSIX-style offset is hours
    /// *west* (`+02:00` and `UTC+2` are two hours behind UTC); otherwise an
    /// IANA name, case-insensitively (`europe/berlin` → `Europe/Berlin`).
    pub fn parse(value: &str) -> Option<TimeZone> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        // A bare number of hours, ISO sign.
        if v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
            && let Ok(hours) = v.parse::<f64>()
        {
            if !hours.is_finite() || hours.abs() > 24.0 * 7.0 {
                return None;
            }
            let secs = (hours * 3600.0).round() as i32;
            let name = posix_name(secs);
            let abbrev = name[1..name.find('>').unwrap_or(1)].to_owned();
            return TimeZone::fixed(name, abbrev, secs);
        }
        if v.eq_ignore_ascii_case("utc") {
            return Some(TimeZone {
                name: "UTC".into(),
                tz: jiff::tz::TimeZone::UTC,
                abbrev: None,
            });
        }
        if let Ok(tz) = jiff::tz::TimeZone::get(v) {
            let name = tz.iana_name().unwrap_or(v).to_owned();
            return Some(TimeZone {
                name,
                tz,
                abbrev: None,
            });
        }
        // POSIX: optional zone abbreviation, then an offset west of UTC.
        let (abbrev, rest) = if let Some(r) = v.strip_prefix('<') {
            let close = r.find('>')?;
            (&r[..close], &r[close + 1..])
        } else {
            let rest = v.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            (&v[..v.len() - rest.len()], rest)
        };
        let abbrev_len = v.len() - rest.len();
        if (abbrev_len != 0 && abbrev_len < 3) || rest.is_empty() {
            return None;
        }
        let west = parse_offset(rest)?;
        if west.abs() > 24 * 3600 {
            return None;
        }
        TimeZone::fixed(v, abbrev, -west)
    }

    /// The name `SHOW TimeZone` displays.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset east of UTC, in seconds, at `utc_secs` seconds after
    /// 2000-01-01 00:00:00 UTC.
    pub fn offset_at(&self, utc_secs: i64) -> i32 {
        let unix = to_jiff_range(utc_secs.saturating_add(PG_EPOCH_UNIX_SECS));
        match jiff::Timestamp::from_second(unix) {
            Ok(ts) => self.tz.to_offset(ts).seconds(),
            Err(_) => 0,
        }
    }

    /// The offset east of UTC, in seconds, that applies to the local wall
    /// time `local_secs` (seconds after 2000-01-01 00:00:00 local). In a
    /// spring-forward gap the offset before the transition applies, in a
    /// fall-back overlap the one after it, as in PostgreSQL.
    pub fn offset_for_local(&self, local_secs: i64) -> i32 {
        let unix = to_jiff_range(local_secs.saturating_add(PG_EPOCH_UNIX_SECS));
        let Ok(ts) = jiff::Timestamp::from_second(unix) else {
            return 0;
        };
        // The wall time, read as if it were UTC, as a civil datetime.
        let dt = Offset::UTC.to_datetime(ts);
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.seconds(),
            AmbiguousOffset::Gap { before, .. } => before.seconds(),
            AmbiguousOffset::Fold { after, .. } => after.seconds(),
        }
    }
}

/// `<+02>-02`: PostgreSQL's display of a zone set as a number of hours.
fn posix_name(east_secs: i32) -> String {
    let sign = if east_secs < 0 { '-' } else { '+' };
    let abs = east_secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    let mut hm = format!("{h:02}");
    if m != 0 || s != 0 {
        hm.push_str(&format!(":{m:02}"));
    }
    if s != 0 {
        hm.push_str(&format!(":{s:02}"));
    }
    let west_sign = if east_secs <= 0 { '+' } else { '-' };
    let west = if east_secs == 0 {
        hm.clone()
    } else {
        format!("{west_sign}{hm}")
    };
    format!("<{sign}{hm}>{west}")
}

/// `[+-]h[h][:mm[:ss]]` or `[+-]hhmm` as signed seconds.
pub(crate) fn parse_offset(s: &str) -> Option<i32> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let parts: Vec<&str> = digits.split(':').collect();
    let num = |p: &str| -> Option<i32> {
        if p.is_empty() || p.len() > 2 {
            None
        } else {
            p.parse().ok()
        }
    };
    let (h, m, sec) = match parts.as_slice() {
        [hm] if hm.len() == 4 => (num(&hm[..2])?, num(&hm[2..])?, 0),
        [hms] if hms.len() == 6 => (num(&hms[..2])?, num(&hms[2..4])?, num(&hms[4..])?),
        [h] => (num(h)?, 0, 0),
        [h, m] => (num(h)?, num(m)?, 0),
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        _ => return None,
    };
    if m >= 60 || sec >= 60 {
        return None;
    }
    let total = h * 3600 + m * 60 + sec;
    Some(if neg { -total } else { total })
}

fn bad_value(name: &str, value: &str) -> TypeError {
    TypeError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

impl FormatSettings {
    /// The settings this type knows, spelled as PostgreSQL reports them in
    /// ParameterStatus and `pg_settings` (`DateStyle`, `IntervalStyle` and
    /// `TimeZone` are reported to clients; the others are not).
    pub const NAMES: [&'static str; 5] = [
        "DateStyle",
        "IntervalStyle",
        "TimeZone",
        "extra_float_digits",
        "bytea_output",
    ];

    /// The canonical spelling of a setting this type knows (`datestyle` →
    /// `DateStyle`), `None` for other names.
    pub fn canonical_name(name: &str) -> Option<&'static str> {
        Self::NAMES
            .iter()
            .copied()
            .find(|n| n.eq_ignore_ascii_case(name))
    }

    /// Applies one setting by name (case-insensitive); `Ok(false)` when the
    /// name is not one that affects formatting, 22023 for a bad value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, TypeError> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "extra_float_digits" => {
                let v: i32 = value.trim().parse().map_err(|_| bad_value(name, value))?;
                if !(-15..=3).contains(&v) {
                    return Err(TypeError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!(
                            "{v} is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"
                        ),
                    ));
                }
                self.extra_float_digits = v;
            }
            "datestyle" => {
                let (style, order) = parse_date_style(value, self.date_style, self.date_order)
                    .ok_or_else(|| bad_value("DateStyle", value))?;
                self.date_style = style;
                self.date_order = order;
            }
            "intervalstyle" => {
                self.interval_style = match value.trim().to_ascii_lowercase().as_str() {
                    "postgres" => IntervalStyle::Postgres,
                    "postgres_verbose" => IntervalStyle::PostgresVerbose,
                    "sql_standard" => IntervalStyle::SqlStandard,
                    "iso_8601" => IntervalStyle::Iso8601,
                    _ => return Err(bad_value(name, value)),
                }
            }
            "timezone" => {
                self.time_zone =
                    TimeZone::parse(value).ok_or_else(|| bad_value("TimeZone", value))?;
            }
            "bytea_output" => {
                self.bytea_output = match value.trim().to_ascii_lowercase().as_str() {
                    "hex" => ByteaOutput::Hex,
                    "escape" => ByteaOutput::Escape,
                    _ => return Err(bad_value(name, value)),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The current value of a setting this type knows, as `SHOW` displays
    /// it (`ISO, MDY`, `Etc/UTC`, …); `None` for other names.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name.to_ascii_lowercase().as_str() {
            "extra_float_digits" => self.extra_float_digits.to_string(),
            "datestyle" => {
                let style = match self.date_style {
                    DateStyle::Iso => "ISO",
                    DateStyle::Sql => "SQL",
                    DateStyle::Postgres => "Postgres",
                    DateStyle::German => "German",
                };
                let order = match self.date_order {
                    DateOrder::Ymd => "YMD",
                    DateOrder::Dmy => "DMY",
                    DateOrder::Mdy => "MDY",
                };
                format!("{style}, {order}")
            }
            "intervalstyle" => match self.interval_style {
                IntervalStyle::Postgres => "postgres",
                IntervalStyle::PostgresVerbose => "postgres_verbose",
                IntervalStyle::SqlStandard => "sql_standard",
                IntervalStyle::Iso8601 => "iso_8601",
            }
            .to_owned(),
            "timezone" => self.time_zone.name().to_owned(),
            "bytea_output" => match self.bytea_output {
                ByteaOutput::Hex => "hex",
                ByteaOutput::Escape => "escape",
            }
            .to_owned(),
            _ => return None,
        })
    }
}

/// PostgreSQL's `check_datestyle`: a list of style and order keywords.
fn parse_date_style(
    value: &str,
    style: DateStyle,
    order: DateOrder,
) -> Option<(DateStyle, DateOrder)> {
    let mut new_style = None;
    let mut new_order = None;
    for word in value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        let word = word.trim_matches('"').to_ascii_lowercase();
        let (s, o) = match word.as_str() {
            "iso" => (Some(DateStyle::Iso), None),
            "sql" => (Some(DateStyle::Sql), None),
            "postgres" => (Some(DateStyle::Postgres), None),
            "german" => (Some(DateStyle::German), None),
            "ymd" => (None, Some(DateOrder::Ymd)),
            "dmy" | "euro" | "european" => (None, Some(DateOrder::Dmy)),
            "mdy" | "us" | "noneuro" | "noneuropean" => (None, Some(DateOrder::Mdy)),
            "default" => (Some(DateStyle::Iso), Some(DateOrder::Mdy)),
            _ => return None,
        };
        if let Some(s) = s {
            if new_style.is_some_and(|n| n != s) {
                return None;
            }
            new_style = Some(s);
        }
        if let Some(o) = o {
            if new_order.is_some_and(|n| n != o) {
                return None;
            }
            new_order = Some(o);
        }
    }
    let style_out = new_style.unwrap_or(style);
    let order_out = match (new_order, new_style) {
        (Some(o), _) => o,
        (None, Some(DateStyle::German)) => DateOrder::Dmy,
        (None, _) => order,
    };
    Some((style_out, order_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_show() {
        let mut s = FormatSettings::default();
        assert_eq!(s.get("DateStyle").unwrap(), "ISO, MDY");
        assert_eq!(s.get("TimeZone").unwrap(), "Etc/UTC");
        assert_eq!(s.get("intervalstyle").unwrap(), "postgres");
        assert_eq!(s.get("bytea_output").unwrap(), "hex");
        assert_eq!(s.get("extra_float_digits").unwrap(), "1");
        assert_eq!(s.get("work_mem"), None);
        assert_eq!(FormatSettings::canonical_name("timezone"), Some("TimeZone"));
        assert_eq!(FormatSettings::canonical_name("work_mem"), None);
        assert!(s.set("datestyle", "german").unwrap());
        assert_eq!(s.get("DateStyle").unwrap(), "German, DMY");
        assert!(s.set("DATESTYLE", "iso").unwrap());
        assert_eq!(s.get("DateStyle").unwrap(), "ISO, DMY");
        assert!(s.set("datestyle", "foo").is_err());
        assert!(s.set("datestyle", "iso, sql").is_err());
        assert!(!s.set("work_mem", "4MB").unwrap());
        assert!(s.set("timezone", "europe/berlin").unwrap());
        assert_eq!(s.get("timezone").unwrap(), "Europe/Berlin");
        assert!(s.set("timezone", "2").unwrap());
        assert_eq!(s.get("timezone").unwrap(), "<+02>-02");
        assert_eq!(s.time_zone.offset_at(0), 7200);
        assert!(s.set("timezone", "+02:00").unwrap());
        assert_eq!(s.time_zone.offset_at(0), -7200);
        assert!(s.set("timezone", "UTC").unwrap());
        assert_eq!(s.get("timezone").unwrap(), "UTC");
        let e = s.set("timezone", "foo").unwrap_err();
        assert_eq!(
            e.message,
            "invalid value for parameter \"TimeZone\": \"foo\""
        );
        let e = s.set("extra_float_digits", "5").unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE);
        assert!(s.set("IntervalStyle", "iso_8601").unwrap());
        assert_eq!(s.interval_style, IntervalStyle::Iso8601);
    }

    #[test]
    fn dst_rules() {
        let tz = TimeZone::parse("America/New_York").unwrap();
        // 2018-03-11 02:30 is in the spring-forward gap: EST (-5) applies.
        let gap = (6644 * 86400) + 2 * 3600 + 1800;
        assert_eq!(tz.offset_for_local(gap), -5 * 3600);
        // 2018-11-04 01:30 is ambiguous: EST (after) applies.
        let fold = (6882 * 86400) + 3600 + 1800;
        assert_eq!(tz.offset_for_local(fold), -5 * 3600);
    }
}
