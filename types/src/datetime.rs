//! `date`, `time`, `timestamp` and `timestamptz`: calendar arithmetic,
//! PostgreSQL's lenient text input and its ISO text output.
//!
//! PostgreSQL counts from its own epoch, 2000-01-01: a `date` is days since
//! then (`i32`), a `timestamp` microseconds since midnight of that day
//! (`i64`; for `timestamptz` the midnight is UTC), a `time` microseconds
//! since midnight. The extreme values of each stand for `-infinity` and
//! `infinity`. These are also the binary wire forms, so binary I/O is a
//! copy; only text needs the calendar. The Julian-day conversions are the
//! classic integer formulas PostgreSQL uses, valid from 4714 BC on.
//!
//! Text input is a small field scanner in the spirit of PostgreSQL's
//! `ParseDateTime`/`DecodeDateTime`: it splits `2024-01-02T03:04:05.5+02`
//! into a date, a time and a zone, then assigns fields, using `DateStyle`'s
//! order only where a date is ambiguous (`01/02/03`). It covers ISO 8601 as
//! drivers send it (node-postgres and Bun send `1970-01-01T00:00:00.000Z`),
//! `MM/DD/YYYY`-style dates, month names (`January 8, 1999`), `BC`, `AM`/
//! `PM`, numeric and IANA zones, `infinity`, `epoch` and `allballs`. Words
//! that need a clock (`now`, `today`) are the engine's business.

use crate::settings::{DateOrder, DateStyle, TimeZone, parse_offset};
use crate::{FormatSettings, SqlState, TypeError};

/// Microseconds in a day.
pub(crate) const USECS_PER_DAY: i64 = 86_400_000_000;
const USECS_PER_SEC: i64 = 1_000_000;
/// Julian day number of 2000-01-01.
const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;
/// First Julian day after the last valid date (5874898-01-01).
const DATE_END_JULIAN: i64 = 2_147_483_494;
/// 4714-11-24 00:00:00 BC, the first valid timestamp.
const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
/// 294277-01-01 00:00:00, just past the last valid timestamp.
const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;
/// Largest offset a time zone displacement may have, in hours.
const MAX_TZDISP_HOUR: i32 = 15;

/// `date` `-infinity`.
pub const DATE_NEG_INFINITY: i32 = i32::MIN;
/// `date` `infinity`.
pub const DATE_INFINITY: i32 = i32::MAX;
/// `timestamp[tz]` `-infinity`.
pub const TIMESTAMP_NEG_INFINITY: i64 = i64::MIN;
/// `timestamp[tz]` `infinity`.
pub const TIMESTAMP_INFINITY: i64 = i64::MAX;

/// Julian day number of a proleptic Gregorian date (astronomical years:
/// 1 BC is year 0).
pub(crate) fn date2j(year: i64, month: i64, day: i64) -> i64 {
    let (mut y, mut m) = (year, month);
    if m > 2 {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    let century = y.div_euclid(100);
    let mut julian = y * 365 - 32167;
    julian += y.div_euclid(4) - century + century.div_euclid(4);
    julian + 7834 * m / 256 + day
}

/// The date of a Julian day number (>= 0), as (astronomical year, month, day).
pub(crate) fn j2date(jd: i64) -> (i64, u32, u32) {
    let mut julian = jd + 32044;
    let mut quad = julian.div_euclid(146_097);
    let extra = (julian - quad * 146_097) * 4 + 3;
    julian += 60 + quad * 3 + extra.div_euclid(146_097);
    quad = julian.div_euclid(1461);
    julian -= quad * 1461;
    let mut y = julian * 4 / 1461;
    julian = if y != 0 {
        (julian + 305) % 365
    } else {
        (julian + 306) % 366
    } + 123;
    y += quad * 4;
    let year = y - 4800;
    let quad = julian * 2141 / 65536;
    let day = julian - 7834 * quad / 256;
    let month = (quad + 10) % 12 + 1;
    (year, month as u32, day as u32)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `days` (since 2000-01-01) is a valid finite date.
pub(crate) fn date_is_valid(days: i32) -> bool {
    let jd = days as i64 + POSTGRES_EPOCH_JDATE;
    (0..DATE_END_JULIAN).contains(&jd)
}

/// Whether `us` is a valid finite timestamp.
pub(crate) fn timestamp_is_valid(us: i64) -> bool {
    (MIN_TIMESTAMP..END_TIMESTAMP).contains(&us)
}

// ---------------------------------------------------------------- output

/// The calendar fields of a local day: (display year, BC?, month, day,
/// weekday with 0 = Sunday).
fn ymd(days: i64) -> (i64, bool, u32, u32, usize) {
    let jd = days + POSTGRES_EPOCH_JDATE;
    let (y, m, d) = j2date(jd);
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    (year, bc, m, d, (jd + 1).rem_euclid(7) as usize)
}

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `HH:MM:SS[.ffffff]` with trailing fraction zeros trimmed; hours may
/// exceed 23 (for `time` `24:00:00`).
pub(crate) fn push_hms(out: &mut String, us: i64) {
    let secs = us / USECS_PER_SEC;
    let frac = us % USECS_PER_SEC;
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    push_fraction(out, frac);
}

/// `.ffffff` with trailing zeros trimmed, nothing for 0.
pub(crate) fn push_fraction(out: &mut String, frac_us: i64) {
    if frac_us != 0 {
        let s = format!("{:06}", frac_us.unsigned_abs());
        out.push('.');
        out.push_str(s.trim_end_matches('0'));
    }
}

/// `date` output in the session's `DateStyle` (`EncodeDateOnly`):
/// `2024-01-02`, `01/02/2024`, `02.01.2024`, `01-02-2024`, with ` BC`.
pub(crate) fn format_date(days: i32, settings: &FormatSettings, out: &mut String) {
    match days {
        DATE_NEG_INFINITY => out.push_str("-infinity"),
        DATE_INFINITY => out.push_str("infinity"),
        _ => {
            let (y, bc, m, d, _) = ymd(days as i64);
            let dmy = settings.date_order == DateOrder::Dmy;
            let (a, b) = if dmy { (d, m) } else { (m, d) };
            out.push_str(&match settings.date_style {
                DateStyle::Iso => format!("{y:04}-{m:02}-{d:02}"),
                DateStyle::Sql => format!("{a:02}/{b:02}/{y:04}"),
                DateStyle::German => format!("{d:02}.{m:02}.{y:04}"),
                DateStyle::Postgres => format!("{a:02}-{b:02}-{y:04}"),
            });
            if bc {
                out.push_str(" BC");
            }
        }
    }
}

/// `time` output: `03:04:05.123`.
pub(crate) fn format_time(us: i64, out: &mut String) {
    push_hms(out, us);
}

/// A local date and time in the session's `DateStyle` (`EncodeDateTime`);
/// `zone` is (offset, abbreviation) for `timestamptz`.
fn push_datetime(
    local: i64,
    zone: Option<(i32, String)>,
    settings: &FormatSettings,
    out: &mut String,
) {
    let (y, bc, m, d, wday) = ymd(local.div_euclid(USECS_PER_DAY));
    let time = local.rem_euclid(USECS_PER_DAY);
    let dmy = settings.date_order == DateOrder::Dmy;
    match settings.date_style {
        DateStyle::Iso => {
            out.push_str(&format!("{y:04}-{m:02}-{d:02} "));
            push_hms(out, time);
            if let Some((offset, _)) = &zone {
                push_offset(out, *offset);
            }
        }
        DateStyle::Sql | DateStyle::German => {
            let (a, b, sep) = match settings.date_style {
                DateStyle::German => (d, m, '.'),
                _ if dmy => (d, m, '/'),
                _ => (m, d, '/'),
            };
            out.push_str(&format!("{a:02}{sep}{b:02}{sep}{y:04} "));
            push_hms(out, time);
            if let Some((_, abbrev)) = &zone {
                out.push(' ');
                out.push_str(abbrev);
            }
        }
        DateStyle::Postgres => {
            let month = MONTH_NAMES[(m as usize).saturating_sub(1) % 12];
            out.push_str(DAY_NAMES[wday]);
            if dmy {
                out.push_str(&format!(" {d:02} {month} "));
            } else {
                out.push_str(&format!(" {month} {d:02} "));
            }
            push_hms(out, time);
            out.push_str(&format!(" {y:04}"));
            if let Some((_, abbrev)) = &zone {
                out.push(' ');
                out.push_str(abbrev);
            }
        }
    }
    if bc {
        out.push_str(" BC");
    }
}

/// `timestamp` output: `2024-01-02 03:04:05.12` (ISO).
pub(crate) fn format_timestamp(us: i64, settings: &FormatSettings, out: &mut String) {
    match us {
        TIMESTAMP_NEG_INFINITY => out.push_str("-infinity"),
        TIMESTAMP_INFINITY => out.push_str("infinity"),
        _ => push_datetime(us, None, settings, out),
    }
}

/// `timestamptz` output in the session zone: `2024-01-02 03:04:05+02` (ISO),
/// `01/02/2024 03:04:05 CET` (SQL).
pub(crate) fn format_timestamptz(us: i64, settings: &FormatSettings, out: &mut String) {
    match us {
        TIMESTAMP_NEG_INFINITY => out.push_str("-infinity"),
        TIMESTAMP_INFINITY => out.push_str("infinity"),
        _ => {
            let tz = &settings.time_zone;
            let secs = us.div_euclid(USECS_PER_SEC);
            let offset = tz.offset_at(secs);
            let abbrev = if settings.date_style == DateStyle::Iso {
                String::new()
            } else {
                tz.abbreviation_at(secs)
            };
            let local = us.saturating_add(offset as i64 * USECS_PER_SEC);
            push_datetime(local, Some((offset, abbrev)), settings, out);
        }
    }
}

/// `+HH`, `+HH:MM` or `+HH:MM:SS`, as PostgreSQL's `EncodeTimezone`.
fn push_offset(out: &mut String, offset: i32) {
    out.push(if offset < 0 { '-' } else { '+' });
    let abs = offset.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    out.push_str(&format!("{h:02}"));
    if m != 0 || s != 0 {
        out.push_str(&format!(":{m:02}"));
    }
    if s != 0 {
        out.push_str(&format!(":{s:02}"));
    }
}

// ---------------------------------------------------------------- input

/// One field of a date/time string.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    /// Digits, possibly with a fraction (`8`, `1999`, `20240102`, `1.5`).
    Number(String),
    /// A date with its delimiter (`2024-01-02`, `1/8/1999`, `8.1.1999`).
    Date(String, u8),
    /// A time (`03:04:05.123`).
    Time(String),
    /// A signed numeric field (`+02`, `-05:30`): a zone offset.
    Signed(String),
    /// A word, lower-cased, and as written (for zone names).
    Word(String, String),
}

/// Splits a date/time string into fields; `None` on a character no field
/// can contain.
fn scan(input: &str) -> Option<Vec<Field>> {
    let b = input.as_bytes();
    let mut i = 0;
    let mut fields = Vec::new();
    let run = |i: &mut usize, pred: &dyn Fn(u8) -> bool| {
        let start = *i;
        while *i < b.len() && pred(b[*i]) {
            *i += 1;
        }
        input[start..*i].to_owned()
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            run(&mut i, &|c| c.is_ascii_digit());
            let next = b.get(i).copied();
            match next {
                Some(b':') => {
                    run(&mut i, &|c| c.is_ascii_digit() || c == b':' || c == b'.');
                    fields.push(Field::Time(input[start..i].to_owned()));
                }
                Some(d @ (b'-' | b'/' | b'.')) => {
                    // `1.5` is a number, `8.1.1999` a date.
                    let is_date = d != b'.' || {
                        let mut j = i + 1;
                        while j < b.len() && b[j].is_ascii_digit() {
                            j += 1;
                        }
                        b.get(j) == Some(&b'.')
                    };
                    if is_date {
                        for _ in 0..2 {
                            if b.get(i) != Some(&d) {
                                break;
                            }
                            i += 1;
                            if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                                run(&mut i, &|c| c.is_ascii_digit());
                            } else {
                                run(&mut i, &|c| c.is_ascii_alphabetic());
                            }
                        }
                        fields.push(Field::Date(input[start..i].to_owned(), d));
                    } else {
                        i += 1;
                        run(&mut i, &|c| c.is_ascii_digit());
                        fields.push(Field::Number(input[start..i].to_owned()));
                    }
                }
                _ => fields.push(Field::Number(input[start..i].to_owned())),
            }
        } else if c == b'.' && b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            let start = i;
            i += 1;
            run(&mut i, &|c| c.is_ascii_digit());
            fields.push(Field::Number(input[start..i].to_owned()));
        } else if c.is_ascii_alphabetic() {
            // ISO 8601's `T` between date and time.
            if (c == b'T' || c == b't')
                && b.get(i + 1).is_some_and(|c| c.is_ascii_digit())
                && matches!(
                    fields.last(),
                    None | Some(Field::Date(..) | Field::Number(_))
                )
            {
                i += 1;
                continue;
            }
            let start = i;
            run(&mut i, &|c| {
                c.is_ascii_alphabetic() || c == b'_' || c == b'/'
            });
            // Zone names such as `Etc/GMT+2` carry digits and signs.
            if input[start..i].contains('/') {
                run(&mut i, &|c| {
                    c.is_ascii_alphanumeric() || b"_/+-".contains(&c)
                });
            }
            // `Jan-08-1999`: a month name opening a delimited date.
            if let Some(&d @ (b'-' | b'/' | b'.')) = b.get(i)
                && b.get(i + 1).is_some_and(|c| c.is_ascii_digit())
                && month_number(&input[start..i].to_ascii_lowercase()).is_some()
            {
                for _ in 0..2 {
                    if b.get(i) != Some(&d) {
                        break;
                    }
                    i += 1;
                    run(&mut i, &|c| c.is_ascii_digit());
                }
                fields.push(Field::Date(input[start..i].to_owned(), d));
                continue;
            }
            let word = &input[start..i];
            fields.push(Field::Word(word.to_ascii_lowercase(), word.to_owned()));
        } else if c == b'+' || c == b'-' {
            let start = i;
            i += 1;
            if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                run(&mut i, &|c| c.is_ascii_digit() || c == b':' || c == b'.');
                fields.push(Field::Signed(input[start..i].to_owned()));
            } else if b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
                run(&mut i, &|c| c.is_ascii_alphabetic());
                let word = &input[start..i];
                fields.push(Field::Word(word.to_ascii_lowercase(), word.to_owned()));
            } else {
                return None;
            }
        } else {
            return None;
        }
    }
    Some(fields)
}

/// A zone named or written in the input.
#[derive(Debug, Clone)]
pub(crate) enum Zone {
    /// A fixed offset east of UTC, in seconds.
    Fixed(i32),
    /// A named zone whose offset depends on the date.
    Named(TimeZone),
}

/// The special values a date/time string can name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Special {
    Infinity,
    NegInfinity,
    Epoch,
}

/// The fields of a date/time string after decoding.
#[derive(Debug, Default)]
struct Parsed {
    /// (astronomical year, month, day)
    date: Option<(i64, u32, u32)>,
    /// Microseconds since midnight.
    time: Option<i64>,
    zone: Option<Zone>,
    special: Option<Special>,
}

/// Why a date/time string was rejected; mapped to PostgreSQL's messages by
/// [`DtError::into_error`].
enum DtError {
    /// 22007 invalid input syntax
    Syntax,
    /// 22008 date/time field value out of range
    FieldOverflow,
    /// 22009 time zone displacement out of range
    TzDisplacement,
    /// 22023 time zone "x" not recognized
    UnknownZone(String),
    /// 0A000: needs the current time, which only the engine knows.
    NeedsClock(String),
}

impl DtError {
    fn into_error(self, type_name: &str, input: &str) -> TypeError {
        match self {
            DtError::Syntax => TypeError::invalid_datetime(type_name, input),
            DtError::FieldOverflow => TypeError::new(
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("date/time field value out of range: \"{input}\""),
            ),
            DtError::TzDisplacement => TypeError::new(
                SqlState::INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                format!("time zone displacement out of range: \"{input}\""),
            ),
            DtError::UnknownZone(z) => TypeError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("time zone \"{z}\" not recognized"),
            ),
            DtError::NeedsClock(w) => TypeError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("\"{w}\" needs the current time and must be resolved by the engine"),
            ),
        }
    }
}

/// Zone abbreviations from PostgreSQL's `Default` set (current offsets),
/// east of UTC in seconds, sorted for bisection.
static ABBREVIATIONS: &[(&str, i32)] = &[
    ("acdt", 37800),
    ("acst", 34200),
    ("adt", -10800),
    ("aedt", 39600),
    ("aest", 36000),
    ("akdt", -28800),
    ("akst", -32400),
    ("art", -10800),
    ("ast", -14400),
    ("awst", 28800),
    ("brt", -10800),
    ("bst", 3600),
    ("cdt", -18000),
    ("cest", 7200),
    ("cet", 3600),
    ("clt", -10800),
    ("cst", -21600),
    ("eat", 10800),
    ("edt", -14400),
    ("eest", 10800),
    ("eet", 7200),
    ("est", -18000),
    ("hkt", 28800),
    ("hst", -36000),
    ("ict", 25200),
    ("ist", 7200),
    ("jst", 32400),
    ("kst", 32400),
    ("mdt", -21600),
    ("mest", 7200),
    ("met", 3600),
    ("msk", 10800),
    ("mst", -25200),
    ("ndt", -9000),
    ("nst", -12600),
    ("nzdt", 46800),
    ("nzst", 43200),
    ("pdt", -25200),
    ("pht", 28800),
    ("pkt", 18000),
    ("pst", -28800),
    ("sast", 7200),
    ("sgt", 28800),
    ("wat", 3600),
    ("wet", 0),
];

fn abbreviation_offset(word: &str) -> Option<i32> {
    ABBREVIATIONS
        .binary_search_by_key(&word, |(a, _)| a)
        .ok()
        .map(|i| ABBREVIATIONS[i].1)
}

fn month_number(word: &str) -> Option<u32> {
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
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| word.len() >= 3 && m.starts_with(word) && (word.len() == 3 || *m == word))
        .map(|p| p as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    DAYS.iter()
        .any(|d| word.len() >= 3 && d.starts_with(word) && (word.len() == 3 || *d == word))
        || matches!(word, "tues" | "wednes" | "thur" | "thurs")
}

/// A number field for a date part: (value, digit count).
#[derive(Clone, Copy)]
struct Part {
    value: i64,
    digits: usize,
}

fn part(s: &str) -> Result<Part, DtError> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    Ok(Part {
        value: s.parse().map_err(|_| DtError::Syntax)?,
        digits: s.len(),
    })
}

/// Parses `h:m[:s[.f]]` into microseconds (not range-checked beyond
/// minutes and seconds).
fn parse_time_field(s: &str) -> Result<i64, DtError> {
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 9) {
        return Err(DtError::Syntax);
    }
    let num = |p: &str| -> Result<i64, DtError> {
        if p.bytes().all(|c| c.is_ascii_digit()) {
            p.parse().map_err(|_| DtError::Syntax)
        } else {
            Err(DtError::Syntax)
        }
    };
    // Two or three parts, checked above.
    let h = num(parts[0])?;
    let m = num(parts[1])?;
    let sec = if parts.len() == 3 { num(parts[2])? } else { 0 };
    if frac.is_some() && parts.len() == 2 {
        // `03:04.5` means minutes and seconds in PostgreSQL; rare, reject.
        return Err(DtError::Syntax);
    }
    let fsec = match frac {
        Some(f) => parse_fraction(f)?,
        None => 0,
    };
    if !(0..60).contains(&m) || !(0..=60).contains(&sec) {
        return Err(DtError::FieldOverflow);
    }
    Ok(((h * 60 + m) * 60 + sec) * USECS_PER_SEC + fsec)
}

/// Fraction digits (after the point) to microseconds, rounded as
/// PostgreSQL does (`rint(frac * 1e6)` on the double).
fn parse_fraction(f: &str) -> Result<i64, DtError> {
    if !f.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    if f.is_empty() {
        return Ok(0);
    }
    let v: f64 = format!("0.{f}").parse().map_err(|_| DtError::Syntax)?;
    Ok((v * 1e6).round_ties_even() as i64)
}

/// Decodes the fields of a date/time string.
/// `time_only` is set when parsing a `time`, where a six-digit number is
/// `HHMMSS` even without a date before it (elsewhere it is `YYMMDD`).
fn decode(input: &str, order: DateOrder, time_only: bool) -> Result<Parsed, DtError> {
    let fields = scan(input).ok_or(DtError::Syntax)?;
    if fields.is_empty() {
        return Err(DtError::Syntax);
    }
    let mut p = Parsed::default();
    let mut month_word: Option<u32> = None;
    let mut nums: Vec<Part> = Vec::new();
    let mut bc = false;
    let mut ampm: Option<bool> = None; // Some(true) = PM
    let mut ymd: Option<(Part, Part, Part)> = None;
    for f in fields {
        match f {
            Field::Date(s, d) => {
                if ymd.is_some() || month_word.is_some() || p.time.is_some() {
                    return Err(DtError::Syntax);
                }
                let parts: Vec<&str> = s.split(d as char).collect();
                if parts.len() != 3 {
                    return Err(DtError::Syntax);
                }
                let month_pos = parts
                    .iter()
                    .position(|s| s.bytes().all(|c| c.is_ascii_alphabetic()));
                if let Some(pos) = month_pos {
                    let m =
                        month_number(&parts[pos].to_ascii_lowercase()).ok_or(DtError::Syntax)?;
                    let m = Part {
                        value: m as i64,
                        digits: 2,
                    };
                    let others: Vec<Part> = parts
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != pos)
                        .map(|(_, s)| part(s))
                        .collect::<Result<_, _>>()?;
                    // Three parts minus the month name leave exactly two.
                    let (a, b) = (others[0], others[1]);
                    ymd = Some(
                        if a.digits >= 3 || (pos == 1 && order == DateOrder::Ymd && b.digits < 3) {
                            (a, m, b)
                        } else {
                            (b, m, a)
                        },
                    );
                } else {
                    let (a, b, c) = (part(parts[0])?, part(parts[1])?, part(parts[2])?);
                    ymd = Some(if a.digits >= 3 {
                        (a, b, c)
                    } else {
                        match order {
                            DateOrder::Ymd => (a, b, c),
                            DateOrder::Dmy => (c, b, a),
                            DateOrder::Mdy => (c, a, b),
                        }
                    });
                }
            }
            Field::Time(s) => {
                if p.time.is_some() {
                    return Err(DtError::Syntax);
                }
                p.time = Some(parse_time_field(&s)?);
            }
            Field::Number(s) => {
                if s.contains('.') {
                    return Err(DtError::Syntax);
                }
                if s.len() == 8 && ymd.is_none() && month_word.is_none() && nums.is_empty() {
                    ymd = Some((part(&s[..4])?, part(&s[4..6])?, part(&s[6..])?));
                } else if s.len() == 6
                    && nums.is_empty()
                    && month_word.is_none()
                    && p.time.is_none()
                    && (ymd.is_some() || time_only)
                {
                    let t = format!("{}:{}:{}", &s[..2], &s[2..4], &s[4..]);
                    p.time = Some(parse_time_field(&t)?);
                } else if s.len() == 6 && ymd.is_none() && month_word.is_none() && nums.is_empty() {
                    ymd = Some((part(&s[..2])?, part(&s[2..4])?, part(&s[4..])?));
                } else {
                    nums.push(part(&s)?);
                }
            }
            Field::Signed(s) => {
                if p.zone.is_some() || s.contains('.') {
                    return Err(DtError::Syntax);
                }
                let secs = parse_offset(&s).ok_or(DtError::Syntax)?;
                if secs.abs() > MAX_TZDISP_HOUR * 3600 + 59 * 60 {
                    return Err(DtError::TzDisplacement);
                }
                p.zone = Some(Zone::Fixed(secs));
            }
            Field::Word(w, original) => match w.as_str() {
                "bc" => bc = true,
                "ad" => {}
                "am" | "a.m." => ampm = Some(false),
                "pm" | "p.m." => ampm = Some(true),
                "z" | "zulu" | "utc" | "gmt" | "ut" => {
                    if p.zone.is_some() {
                        return Err(DtError::Syntax);
                    }
                    p.zone = Some(Zone::Fixed(0));
                }
                "infinity" | "+infinity" => p.special = Some(Special::Infinity),
                "-infinity" => p.special = Some(Special::NegInfinity),
                "epoch" => p.special = Some(Special::Epoch),
                "allballs" => p.time = Some(0),
                "now" | "today" | "tomorrow" | "yesterday" => return Err(DtError::NeedsClock(w)),
                _ if is_weekday(&w) => {}
                _ if abbreviation_offset(&w).is_some() => {
                    if p.zone.is_some() {
                        return Err(DtError::Syntax);
                    }
                    p.zone = abbreviation_offset(&w).map(Zone::Fixed);
                }
                _ => {
                    if let Some(m) = month_number(&w) {
                        if month_word.is_some() || ymd.is_some() {
                            return Err(DtError::Syntax);
                        }
                        month_word = Some(m);
                    } else if original.contains('/') || original.len() > 4 {
                        if p.zone.is_some() {
                            return Err(DtError::Syntax);
                        }
                        let tz = TimeZone::parse(&original)
                            .filter(|_| original.bytes().any(|c| c.is_ascii_alphabetic()))
                            .ok_or(DtError::UnknownZone(w.clone()))?;
                        p.zone = Some(Zone::Named(tz));
                    } else {
                        return Err(DtError::Syntax);
                    }
                }
            },
        }
    }
    if p.special.is_some() {
        if ymd.is_some() || month_word.is_some() || p.time.is_some() || !nums.is_empty() {
            return Err(DtError::Syntax);
        }
        return Ok(p);
    }
    // Month names pull loose numbers in as day and year.
    if let Some(m) = month_word {
        let m = Part {
            value: m as i64,
            digits: 2,
        };
        let (day, year) = match nums.as_slice() {
            [a, b] if a.digits >= 3 || a.value > 31 => (*b, *a),
            [a, b] => (*a, *b),
            _ => return Err(DtError::Syntax),
        };
        nums.clear();
        ymd = Some((year, m, day));
    }
    if !nums.is_empty() {
        return Err(DtError::Syntax);
    }
    if let Some((y, m, d)) = ymd {
        let mut year = y.value;
        if bc {
            if year < 1 {
                return Err(DtError::FieldOverflow);
            }
            year = 1 - year;
        } else if y.digits <= 2 {
            year += if year < 70 { 2000 } else { 1900 };
        } else if year == 0 {
            return Err(DtError::FieldOverflow);
        }
        if !(1..=12).contains(&m.value) || d.value < 1 || d.value > 31 {
            return Err(DtError::FieldOverflow);
        }
        let (month, day) = (m.value as u32, d.value as u32);
        if day > days_in_month(year, month) {
            return Err(DtError::FieldOverflow);
        }
        p.date = Some((year, month, day));
    } else if bc {
        return Err(DtError::Syntax);
    }
    if let Some(pm) = ampm {
        let t = p.time.ok_or(DtError::Syntax)?;
        let hour = t / (3600 * USECS_PER_SEC);
        if !(0..=12).contains(&hour) {
            return Err(DtError::FieldOverflow);
        }
        let rest = t - hour * 3600 * USECS_PER_SEC;
        let hour = match (pm, hour) {
            (false, 12) => 0,
            (true, h) if h < 12 => h + 12,
            (_, h) => h,
        };
        p.time = Some(hour * 3600 * USECS_PER_SEC + rest);
    }
    if let Some(t) = p.time
        && t > USECS_PER_DAY
    {
        return Err(DtError::FieldOverflow);
    }
    Ok(p)
}

/// `date` text input.
pub(crate) fn parse_date(input: &str, settings: &FormatSettings) -> Result<i32, TypeError> {
    let err = |e: DtError| e.into_error("date", input);
    let p = decode(input, settings.date_order, false).map_err(err)?;
    match p.special {
        Some(Special::Infinity) => return Ok(DATE_INFINITY),
        Some(Special::NegInfinity) => return Ok(DATE_NEG_INFINITY),
        Some(Special::Epoch) => return Ok(date2j(1970, 1, 1) as i32 - POSTGRES_EPOCH_JDATE as i32),
        None => {}
    }
    let (y, m, d) = p.date.ok_or(DtError::Syntax).map_err(err)?;
    let jd = date2j(y, m as i64, d as i64);
    if !(0..DATE_END_JULIAN).contains(&jd) {
        return Err(TypeError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            format!("date out of range: \"{input}\""),
        ));
    }
    Ok((jd - POSTGRES_EPOCH_JDATE) as i32)
}

/// `time` text input (a date and zone in the input are ignored).
pub(crate) fn parse_time(input: &str, settings: &FormatSettings) -> Result<i64, TypeError> {
    let err = |e: DtError| e.into_error("time", input);
    let p = decode(input, settings.date_order, true).map_err(err)?;
    if p.special.is_some() {
        return Err(err(DtError::Syntax));
    }
    p.time.ok_or(DtError::Syntax).map_err(err)
}

/// `timestamp` (`with_tz == false`) and `timestamptz` text input.
pub(crate) fn parse_timestamp(
    input: &str,
    with_tz: bool,
    settings: &FormatSettings,
) -> Result<i64, TypeError> {
    let type_name = if with_tz {
        "timestamp with time zone"
    } else {
        "timestamp"
    };
    let err = |e: DtError| e.into_error(type_name, input);
    let p = decode(input, settings.date_order, false).map_err(err)?;
    match p.special {
        Some(Special::Infinity) => return Ok(TIMESTAMP_INFINITY),
        Some(Special::NegInfinity) => return Ok(TIMESTAMP_NEG_INFINITY),
        Some(Special::Epoch) => return Ok(-946_684_800 * USECS_PER_SEC),
        None => {}
    }
    let (y, m, d) = p.date.ok_or(DtError::Syntax).map_err(err)?;
    let out_of_range = || {
        TypeError::new(
            SqlState::DATETIME_VALUE_OUT_OF_RANGE,
            format!("timestamp out of range: \"{input}\""),
        )
    };
    let days = date2j(y, m as i64, d as i64) - POSTGRES_EPOCH_JDATE;
    let local = days
        .checked_mul(USECS_PER_DAY)
        .and_then(|v| v.checked_add(p.time.unwrap_or(0)))
        .ok_or_else(out_of_range)?;
    let us = if with_tz {
        let local_secs = local.div_euclid(USECS_PER_SEC);
        let offset = match &p.zone {
            Some(Zone::Fixed(s)) => *s,
            Some(Zone::Named(tz)) => tz.offset_for_local(local_secs),
            None => settings.time_zone.offset_for_local(local_secs),
        };
        local
            .checked_sub(offset as i64 * USECS_PER_SEC)
            .ok_or_else(out_of_range)?
    } else {
        local
    };
    if !timestamp_is_valid(us) {
        return Err(out_of_range());
    }
    Ok(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> String {
        let settings = FormatSettings::default();
        let mut out = String::new();
        format_timestamp(
            parse_timestamp(s, false, &settings).unwrap(),
            &settings,
            &mut out,
        );
        out
    }

    fn tstz(s: &str, zone: &str) -> String {
        let mut settings = FormatSettings::default();
        settings.set("TimeZone", zone).unwrap();
        let mut out = String::new();
        format_timestamptz(
            parse_timestamp(s, true, &settings).unwrap(),
            &settings,
            &mut out,
        );
        out
    }

    fn date(s: &str, order: &str) -> String {
        let mut settings = FormatSettings::default();
        settings.set("DateStyle", order).unwrap();
        let mut out = String::new();
        format_date(parse_date(s, &settings).unwrap(), &settings, &mut out);
        out
    }

    #[test]
    fn abbreviations_sorted() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(abbreviation_offset("cest"), Some(7200));
    }

    #[test]
    fn julian() {
        assert_eq!(date2j(2000, 1, 1), POSTGRES_EPOCH_JDATE);
        for jd in [0, 1, 1_721_425, 2_451_545, 2_147_483_493] {
            let (y, m, d) = j2date(jd);
            assert_eq!(date2j(y, m as i64, d as i64), jd);
        }
        assert_eq!(j2date(0), (-4713, 11, 24));
    }

    #[test]
    fn dates() {
        assert_eq!(date("2024-01-02", "ISO, MDY"), "2024-01-02");
        assert_eq!(date("1/8/1999", "ISO, MDY"), "1999-01-08");
        assert_eq!(date("1/8/1999", "ISO, DMY"), "1999-08-01");
        assert_eq!(date("January 8, 1999", "ISO, MDY"), "1999-01-08");
        assert_eq!(date("8 Jan 1999", "ISO, MDY"), "1999-01-08");
        assert_eq!(date("1999-Jan-08", "ISO, MDY"), "1999-01-08");
        assert_eq!(date("19990108", "ISO, MDY"), "1999-01-08");
        assert_eq!(date("0044-03-15 BC", "ISO, MDY"), "0044-03-15 BC");
        assert_eq!(date("infinity", "ISO, MDY"), "infinity");
        assert_eq!(date("epoch", "ISO, MDY"), "1970-01-01");
        assert_eq!(date("2024-01-02 03:04:05", "ISO, MDY"), "2024-01-02");
        assert_eq!(date("8.1.1999", "German"), "08.01.1999");
        assert_eq!(date("99-01-08", "ISO, YMD"), "1999-01-08");
        let s = FormatSettings::default();
        assert_eq!(
            parse_date("2024-02-30", &s).unwrap_err().message,
            "date/time field value out of range: \"2024-02-30\""
        );
        assert_eq!(
            parse_date("abc", &s).unwrap_err().message,
            "invalid input syntax for type date: \"abc\""
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            ts("2024-01-02 03:04:05.123456"),
            "2024-01-02 03:04:05.123456"
        );
        assert_eq!(ts("2024-01-02T03:04:05.120Z"), "2024-01-02 03:04:05.12");
        assert_eq!(ts("2024-01-02 03:04:05+02"), "2024-01-02 03:04:05");
        assert_eq!(ts("0001-01-01 00:00:00 BC"), "0001-01-01 00:00:00 BC");
        assert_eq!(ts("-infinity"), "-infinity");
        assert_eq!(ts("2024-01-02 3:04 pm"), "2024-01-02 15:04:00");
        assert_eq!(
            tstz("2024-01-02 03:04:05.5+02", "UTC"),
            "2024-01-02 01:04:05.5+00"
        );
        assert_eq!(
            tstz("1970-01-01T00:00:00.000Z", "Asia/Kolkata"),
            "1970-01-01 05:30:00+05:30"
        );
        assert_eq!(
            tstz("2024-07-01 12:00", "Europe/Berlin"),
            "2024-07-01 12:00:00+02"
        );
        assert_eq!(
            tstz("2024-07-01 12:00 America/New_York", "UTC"),
            "2024-07-01 16:00:00+00"
        );
    }

    #[test]
    fn times() {
        let s = FormatSettings::default();
        let t = |x: &str| {
            let mut out = String::new();
            format_time(parse_time(x, &s).unwrap(), &mut out);
            out
        };
        assert_eq!(t("03:04:05.123"), "03:04:05.123");
        assert_eq!(t("24:00:00"), "24:00:00");
        assert_eq!(t("allballs"), "00:00:00");
        assert_eq!(t("12:30 am"), "00:30:00");
        assert!(parse_time("24:00:01", &s).is_err());
        assert!(parse_time("25:00", &s).is_err());
    }
}
