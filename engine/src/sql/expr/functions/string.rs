//! String functions and operators: `||`, LIKE/ILIKE, POSIX regular
//! expressions, and the text functions people use daily.
//!
//! Lengths and positions count characters, not bytes (the database
//! encoding is UTF-8). Case mapping (`lower`, `upper`, `initcap`, ILIKE,
//! `~*`) is ASCII-only, as in a PostgreSQL database whose `LC_CTYPE` is
//! `C` — the locale this engine behaves as throughout.
//!
//! Regular expressions use the `regex` crate. PostgreSQL's ARE syntax
//! mostly coincides with it; the differences (back-references and
//! lookaround, which `regex` lacks, and a few class shorthands) are
//! reported as 2201B invalid regular expression.

use std::cell::RefCell;
use std::collections::HashMap;

use md5::{Digest, Md5};
use twill_types::{Array, SqlState, Value, oid};

use super::{Builder, FnCtx, int_arg, text_arg};
use crate::sql::error::SqlError;

/// 2201B `invalid_regular_expression`.
const INVALID_REGEX: SqlState = SqlState::from_code("2201B");

fn t(s: impl Into<String>) -> Result<Value, SqlError> {
    Ok(Value::Text(s.into()))
}

fn char_len(s: &str) -> i64 {
    s.chars().count() as i64
}

fn length(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match &a[0] {
        Value::Bytea(b) => Value::Int4(b.len() as i32),
        _ => Value::Int4(char_len(text_arg(a, 0)?) as i32),
    })
}

fn length_bpchar(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(
        char_len(text_arg(a, 0)?.trim_end_matches(' ')) as i32
    ))
}

/// `octet_length(char(n))` counts the padding.
fn octet_length_bpchar(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(text_arg(a, 0)?.len() as i32))
}

fn octet_length(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(match &a[0] {
        Value::Bytea(b) => b.len(),
        _ => text_arg(a, 0)?.len(),
    } as i32))
}

fn lower(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(text_arg(a, 0)?.to_ascii_lowercase())
}

fn upper(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(text_arg(a, 0)?.to_ascii_uppercase())
}

fn initcap(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut out = String::new();
    let mut prev_alnum = false;
    for c in text_arg(a, 0)?.chars() {
        out.push(if prev_alnum {
            c.to_ascii_lowercase()
        } else {
            c.to_ascii_uppercase()
        });
        prev_alnum = c.is_alphanumeric();
    }
    t(out)
}

/// SQL `substring(s from start for count)`: positions before 1 eat into
/// the count.
fn substr(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let s = text_arg(a, 0)?;
    let start = int_arg(a, 1)?;
    let end = if a.len() > 2 {
        let n = int_arg(a, 2)?;
        if n < 0 {
            return Err(SqlError::new(
                SqlState::from_code("22011"),
                "negative substring length not allowed",
            ));
        }
        start.saturating_add(n)
    } else {
        i64::MAX
    };
    let from = start.max(1);
    if end <= from {
        return t("");
    }
    t(s.chars()
        .skip((from - 1) as usize)
        .take((end - from) as usize)
        .collect::<String>())
}

fn substring_regex(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let s = text_arg(a, 0)?;
    let re = regex(text_arg(a, 1)?, false)?;
    Ok(match re.captures(s) {
        None => Value::Null,
        Some(c) => match c.get(1).or_else(|| c.get(0)) {
            Some(m) => Value::Text(m.as_str().to_owned()),
            None => Value::Null,
        },
    })
}

fn strpos(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, sub) = (text_arg(a, 0)?, text_arg(a, 1)?);
    Ok(Value::Int4(match s.find(sub) {
        Some(i) => char_len(&s[..i]) as i32 + 1,
        None => 0,
    }))
}

fn position(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    // position(sub IN s) is strpos(s, sub)
    strpos(ctx, &[a[1].clone(), a[0].clone()])
}

fn replace(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, from, to) = (text_arg(a, 0)?, text_arg(a, 1)?, text_arg(a, 2)?);
    if from.is_empty() {
        return t(s);
    }
    t(s.replace(from, to))
}

fn translate(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, from, to) = (text_arg(a, 0)?, text_arg(a, 1)?, text_arg(a, 2)?);
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    t(s.chars()
        .filter_map(|c| match from.iter().position(|f| *f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect::<String>())
}

fn trim_with(a: &[Value], left: bool, right: bool) -> Result<Value, SqlError> {
    let s = text_arg(a, 0)?;
    let chars: Vec<char> = if a.len() > 1 {
        text_arg(a, 1)?.chars().collect()
    } else {
        vec![' ']
    };
    let mut r = s;
    if left {
        r = r.trim_start_matches(|c| chars.contains(&c));
    }
    if right {
        r = r.trim_end_matches(|c| chars.contains(&c));
    }
    t(r)
}

fn btrim(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    trim_with(a, true, true)
}

fn ltrim(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    trim_with(a, true, false)
}

fn rtrim(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    trim_with(a, false, true)
}

fn split_part(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, d, n) = (text_arg(a, 0)?, text_arg(a, 1)?, int_arg(a, 2)?);
    if n == 0 {
        return Err(SqlError::invalid_parameter(
            "field position must not be zero",
        ));
    }
    let parts: Vec<&str> = if d.is_empty() {
        if s.is_empty() { vec![] } else { vec![s] }
    } else {
        s.split(d).collect()
    };
    let idx = if n > 0 { n - 1 } else { parts.len() as i64 + n };
    t(if idx >= 0 {
        parts.get(idx as usize).copied().unwrap_or("")
    } else {
        ""
    })
}

/// A value's text form for concat/format (the type's output function).
fn out(ctx: &FnCtx<'_, '_>, v: &Value) -> String {
    v.to_text(&ctx.eval.settings)
}

fn concat(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(a.iter()
        .filter(|v| !v.is_null())
        .map(|v| out(ctx, v))
        .collect::<String>())
}

fn concat_ws(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Text(sep) = &a[0] else {
        return Ok(Value::Null);
    };
    let parts: Vec<String> = a[1..]
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| out(ctx, v))
        .collect();
    t(parts.join(sep))
}

/// PostgreSQL's reserved words, which `quote_ident` must quote.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

pub(crate) fn quote_ident_str(s: &str) -> String {
    let safe = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&s);
    if safe {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

pub(crate) fn quote_literal_str(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

fn quote_ident(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(quote_ident_str(text_arg(a, 0)?))
}

fn quote_literal(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(quote_literal_str(&out(ctx, &a[0])))
}

fn quote_nullable(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    if a[0].is_null() {
        return t("NULL");
    }
    quote_literal(ctx, a)
}

/// `format(fmt, args…)` with `%s`, `%I`, `%L`, `%%`, positions (`%2$s`)
/// and widths (`%-10s`).
fn format(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Text(fmt) = &a[0] else {
        return Ok(Value::Null);
    };
    let args = &a[1..];
    let mut outs = String::new();
    let mut next = 0usize;
    let mut it = fmt.chars().peekable();
    let bad = |m: &str| SqlError::invalid_parameter(m.to_owned());
    while let Some(c) = it.next() {
        if c != '%' {
            outs.push(c);
            continue;
        }
        if it.peek() == Some(&'%') {
            it.next();
            outs.push('%');
            continue;
        }
        // [argpos$][flags][width]type
        let mut num = String::new();
        while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
            num.push(*d);
            it.next();
        }
        let mut pos = None;
        if it.peek() == Some(&'$') && !num.is_empty() {
            it.next();
            let p: usize = num
                .parse()
                .map_err(|_| bad("argument number is out of range"))?;
            if p == 0 {
                return Err(bad(
                    "format specifies argument 0, but arguments are numbered from 1",
                ));
            }
            pos = Some(p - 1);
            num.clear();
        }
        let mut left = false;
        if num.is_empty() && it.peek() == Some(&'-') {
            it.next();
            left = true;
        }
        if num.is_empty() {
            while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
                num.push(*d);
                it.next();
            }
        }
        let width: usize = if num.len() > 8 {
            // PostgreSQL fails such widths with an allocation error.
            return Err(SqlError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "requested length too large",
            ));
        } else if num.is_empty() {
            0
        } else {
            num.parse().map_err(|_| bad("number is out of range"))?
        };
        let Some(kind) = it.next() else {
            return Err(bad("unterminated format() type specifier"));
        };
        let idx = match pos {
            Some(p) => p,
            None => next,
        };
        next = idx + 1;
        if !matches!(kind, 's' | 'I' | 'L') {
            return Err(
                bad(&format!("unrecognized format() type specifier \"{kind}\""))
                    .with_hint("For a single \"%\" use \"%%\"."),
            );
        }
        let Some(v) = args.get(idx) else {
            return Err(bad("too few arguments for format()"));
        };
        let s = match kind {
            's' => {
                if v.is_null() {
                    String::new()
                } else {
                    out(ctx, v)
                }
            }
            'I' => {
                if v.is_null() {
                    return Err(SqlError::new(
                        SqlState::NULL_VALUE_NOT_ALLOWED,
                        "null values cannot be formatted as an SQL identifier",
                    ));
                }
                quote_ident_str(&out(ctx, v))
            }
            _ => {
                if v.is_null() {
                    "NULL".to_owned()
                } else {
                    quote_literal_str(&out(ctx, v))
                }
            }
        };
        let pad = width.saturating_sub(char_len(&s) as usize);
        if left {
            outs.push_str(&s);
            outs.extend(std::iter::repeat_n(' ', pad));
        } else {
            outs.extend(std::iter::repeat_n(' ', pad));
            outs.push_str(&s);
        }
    }
    t(outs)
}

fn left(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, n) = (text_arg(a, 0)?, int_arg(a, 1)?);
    let len = char_len(s);
    let take = if n >= 0 { n.min(len) } else { (len + n).max(0) };
    t(s.chars().take(take as usize).collect::<String>())
}

fn right(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, n) = (text_arg(a, 0)?, int_arg(a, 1)?);
    let len = char_len(s);
    let skip = if n >= 0 {
        (len - n).max(0)
    } else {
        (-n).min(len)
    };
    t(s.chars().skip(skip as usize).collect::<String>())
}

fn pad(a: &[Value], left: bool) -> Result<Value, SqlError> {
    let (s, len) = (text_arg(a, 0)?, int_arg(a, 1)?);
    let fill: Vec<char> = if a.len() > 2 {
        text_arg(a, 2)?.chars().collect()
    } else {
        vec![' ']
    };
    let len = len.max(0) as usize;
    if len > 10_485_760 {
        return Err(SqlError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "requested length too large",
        ));
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= len || fill.is_empty() {
        return t(chars.iter().take(len).collect::<String>());
    }
    let padding: String = fill.iter().cycle().take(len - chars.len()).collect();
    let body: String = chars.iter().collect();
    t(if left {
        padding + &body
    } else {
        body + &padding
    })
}

fn lpad(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    pad(a, true)
}

fn rpad(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    pad(a, false)
}

fn repeat(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, n) = (text_arg(a, 0)?, int_arg(a, 1)?);
    let n = n.max(0) as usize;
    if s.len().saturating_mul(n) > 1 << 30 {
        return Err(SqlError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "requested length too large",
        ));
    }
    t(s.repeat(n))
}

fn md5(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let bytes: &[u8] = match &a[0] {
        Value::Bytea(b) => b,
        _ => text_arg(a, 0)?.as_bytes(),
    };
    let digest = Md5::digest(bytes);
    t(digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>())
}

fn starts_with(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(text_arg(a, 0)?.starts_with(text_arg(a, 1)?)))
}

fn reverse(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    t(text_arg(a, 0)?.chars().rev().collect::<String>())
}

fn chr(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = int_arg(a, 0)?;
    if n == 0 {
        return Err(SqlError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "null character not permitted",
        ));
    }
    if n < 0 {
        return Err(SqlError::invalid_parameter(
            "character number must be positive",
        ));
    }
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => t(c.to_string()),
        None => Err(SqlError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "requested character too large for encoding: ".to_owned() + &n.to_string(),
        )),
    }
}

fn ascii(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(
        text_arg(a, 0)?.chars().next().map_or(0, |c| c as i32),
    ))
}

fn to_hex(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(match &a[0] {
        Value::Int4(v) => Value::Text(format!("{:x}", *v as u32)),
        _ => Value::Text(format!("{:x}", int_arg(a, 0)? as u64)),
    })
}

/// `||` with a non-text operand: its text output.
fn textcat(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    // The non-text side is cast to text (`true` becomes "true").
    let side = |v: &Value, ty: Option<&twill_types::Oid>| match (v, ty) {
        (Value::Text(s), Some(&oid::BPCHAR)) => s.trim_end_matches(' ').to_owned(),
        (Value::Bool(b), _) => if *b { "true" } else { "false" }.to_owned(),
        (v, _) => out(ctx, v),
    };
    let l = side(&a[0], ctx.arg_types.first());
    let r = side(&a[1], ctx.arg_types.get(1));
    t(l + &r)
}

/// LIKE matching over characters with `%`, `_` and an escape character.
pub(crate) fn like(
    s: &str,
    pattern: &str,
    escape: Option<char>,
    ci: bool,
) -> Result<bool, SqlError> {
    let fold = |c: char| if ci { c.to_ascii_lowercase() } else { c };
    // Pattern tokens: Some(c) literal, None for '_', and '%' as Any.
    enum Tok {
        Lit(char),
        One,
        Any,
        /// A trailing escape character: an error only if matching reaches
        /// it, as in PostgreSQL.
        BadEscape,
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        if Some(c) == escape {
            match it.next() {
                Some(n) => toks.push(Tok::Lit(fold(n))),
                None => toks.push(Tok::BadEscape),
            }
        } else if c == '%' {
            toks.push(Tok::Any);
        } else if c == '_' {
            toks.push(Tok::One);
        } else {
            toks.push(Tok::Lit(fold(c)));
        }
    }
    let chars: Vec<char> = s.chars().map(fold).collect();
    // Iterative matcher with backtracking to the last '%'.
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < chars.len() {
        match toks.get(pi) {
            Some(Tok::Any) => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some(Tok::One) => {
                si += 1;
                pi += 1;
                continue;
            }
            Some(Tok::Lit(c)) if *c == chars[si] => {
                si += 1;
                pi += 1;
                continue;
            }
            Some(Tok::BadEscape) => {
                return Err(SqlError::new(
                    SqlState::INVALID_ESCAPE_SEQUENCE,
                    "LIKE pattern must not end with escape character",
                ));
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return Ok(false),
        }
    }
    Ok(toks[pi..].iter().all(|t| matches!(t, Tok::Any)))
}

fn like_escape_char(a: &[Value]) -> Result<Option<char>, SqlError> {
    // The binder passes the escape string as a third argument when given.
    if a.len() < 3 {
        return Ok(Some('\\'));
    }
    let e = text_arg(a, 2)?;
    let mut it = e.chars();
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c)),
        _ => Err(
            SqlError::new(SqlState::INVALID_ESCAPE_SEQUENCE, "invalid escape string")
                .with_hint("Escape string must be empty or one character."),
        ),
    }
}

macro_rules! like_op {
    ($name:ident, $ci:expr, $neg:expr) => {
        fn $name(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
            let m = like(text_arg(a, 0)?, text_arg(a, 1)?, like_escape_char(a)?, $ci)?;
            Ok(Value::Bool(m != $neg))
        }
    };
}

like_op!(textlike, false, false);
like_op!(textnlike, false, true);
like_op!(texticlike, true, false);
like_op!(texticnlike, true, true);

thread_local! {
    /// Compiled patterns, so a regex in a WHERE clause compiles once per
    /// thread rather than once per row. Bounded: cleared when full.
    static REGEX_CACHE: RefCell<HashMap<(String, bool), regex::Regex>> = RefCell::new(HashMap::new());
}

/// Compiles a PostgreSQL regular expression (ARE) with the `regex` crate.
pub(crate) fn regex(pattern: &str, ci: bool) -> Result<regex::Regex, SqlError> {
    let key = (pattern.to_owned(), ci);
    if let Some(r) = REGEX_CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(r);
    }
    let r = regex::RegexBuilder::new(pattern)
        .case_insensitive(ci)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| {
            let msg = match e {
                regex::Error::Syntax(s) => s.lines().last().unwrap_or("invalid").trim().to_owned(),
                other => other.to_string(),
            };
            SqlError::new(INVALID_REGEX, format!("invalid regular expression: {msg}"))
        })?;
    REGEX_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 256 {
            c.clear();
        }
        c.insert(key, r.clone());
    });
    Ok(r)
}

macro_rules! regex_op {
    ($name:ident, $ci:expr, $neg:expr) => {
        fn $name(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
            let m = regex(text_arg(a, 1)?, $ci)?.is_match(text_arg(a, 0)?);
            Ok(Value::Bool(m != $neg))
        }
    };
}

regex_op!(texticregexeq, true, false);
regex_op!(texticregexne, true, true);
regex_op!(textregexeq, false, false);
regex_op!(textregexne, false, true);

fn regexp_replace(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, pat, rep) = (text_arg(a, 0)?, text_arg(a, 1)?, text_arg(a, 2)?);
    let flags = if a.len() > 3 { text_arg(a, 3)? } else { "" };
    for f in flags.chars() {
        if !matches!(f, 'g' | 'i' | 'c' | 'n' | 's' | 'm' | 'x' | 'p' | 'w') {
            return Err(SqlError::invalid_parameter(format!(
                "invalid regular expression option: \"{f}\""
            )));
        }
    }
    let re = regex(pat, flags.contains('i'))?;
    // PostgreSQL's replacement syntax: \1..\9 and \& ; `$` is literal.
    let mut rep_rust = String::new();
    let mut it = rep.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '$' => rep_rust.push_str("$$"),
            '\\' => match it.next() {
                Some(d @ '1'..='9') => rep_rust.push_str(&format!("${{{d}}}")),
                Some('&') => rep_rust.push_str("${0}"),
                Some(other) => rep_rust.push(other),
                None => rep_rust.push('\\'),
            },
            c => rep_rust.push(c),
        }
    }
    t(if flags.contains('g') {
        re.replace_all(s, rep_rust.as_str()).into_owned()
    } else {
        re.replace(s, rep_rust.as_str()).into_owned()
    })
}

fn regexp_match(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, pat) = (text_arg(a, 0)?, text_arg(a, 1)?);
    let re = regex(pat, false)?;
    Ok(match re.captures(s) {
        None => Value::Null,
        Some(c) => {
            let elems: Vec<Value> = if c.len() > 1 {
                c.iter()
                    .skip(1)
                    .map(|m| m.map_or(Value::Null, |m| Value::Text(m.as_str().to_owned())))
                    .collect()
            } else {
                vec![Value::Text(c.get(0).map_or("", |m| m.as_str()).to_owned())]
            };
            Value::Array(Array::new(oid::TEXT, elems))
        }
    })
}

fn bit_length(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(match &a[0] {
        Value::Bytea(b) => b.len() * 8,
        _ => text_arg(a, 0)?.len() * 8,
    } as i32))
}

/// `overlay(s PLACING r FROM start [FOR count])`: the first `start - 1`
/// characters, `r`, then everything from `start + count` (`count` defaults
/// to `r`'s length; a negative count repeats characters, as in PostgreSQL).
fn overlay(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let start = int_arg(a, 2)?;
    if start <= 0 {
        return Err(SqlError::new(
            SqlState::from_code("22011"),
            "negative substring length not allowed",
        ));
    }
    match (&a[0], &a[1]) {
        (Value::Bytea(s), Value::Bytea(r)) => {
            let count = if a.len() > 3 {
                int_arg(a, 3)?
            } else {
                r.len() as i64
            };
            let head = s.iter().take((start - 1) as usize);
            let from = (start + count).max(1) as usize;
            let tail = s.iter().skip(from - 1);
            Ok(Value::Bytea(head.chain(r).chain(tail).copied().collect()))
        }
        _ => {
            let (s, r) = (text_arg(a, 0)?, text_arg(a, 1)?);
            let count = if a.len() > 3 {
                int_arg(a, 3)?
            } else {
                char_len(r)
            };
            let from = (start + count).max(1) as usize;
            let mut out: String = s.chars().take((start - 1) as usize).collect();
            out.push_str(r);
            out.extend(s.chars().skip(from - 1));
            t(out)
        }
    }
}

fn bytea_arg(args: &[Value], i: usize) -> Result<&[u8], SqlError> {
    match args.get(i) {
        Some(Value::Bytea(b)) => Ok(b),
        other => Err(SqlError::internal(format!(
            "expected bytea argument, got {other:?}"
        ))),
    }
}

fn byteacat(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut out = bytea_arg(a, 0)?.to_vec();
    out.extend_from_slice(bytea_arg(a, 1)?);
    Ok(Value::Bytea(out))
}

fn byte_index(b: &[u8], n: i64) -> Result<usize, SqlError> {
    if n < 0 || n >= b.len() as i64 {
        return Err(SqlError::new(
            SqlState::from_code("2202E"),
            format!("index {n} out of valid range, 0..{}", b.len() as i64 - 1),
        ));
    }
    Ok(n as usize)
}

fn get_byte(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let b = bytea_arg(a, 0)?;
    Ok(Value::Int4(b[byte_index(b, int_arg(a, 1)?)?] as i32))
}

fn set_byte(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut b = bytea_arg(a, 0)?.to_vec();
    let i = byte_index(&b, int_arg(a, 1)?)?;
    b[i] = int_arg(a, 2)? as u8;
    Ok(Value::Bytea(b))
}

fn get_bit(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let b = bytea_arg(a, 0)?;
    let n = int_arg(a, 1)?;
    if n < 0 || n >= b.len() as i64 * 8 {
        return Err(SqlError::new(
            SqlState::from_code("2202E"),
            format!(
                "index {n} out of valid range, 0..{}",
                b.len() as i64 * 8 - 1
            ),
        ));
    }
    Ok(Value::Int4(((b[(n / 8) as usize] >> (n % 8)) & 1) as i32))
}

fn sha<D: sha2::Digest>(a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bytea(D::digest(bytea_arg(a, 0)?).to_vec()))
}

fn sha224(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    sha::<sha2::Sha224>(a)
}

fn sha256(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    sha::<sha2::Sha256>(a)
}

fn sha384(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    sha::<sha2::Sha384>(a)
}

fn sha512(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    sha::<sha2::Sha512>(a)
}

fn unrecognized_encoding(name: &str) -> SqlError {
    SqlError::invalid_parameter(format!("unrecognized encoding: \"{name}\""))
}

/// `encode(bytea, 'hex' | 'base64' | 'escape')`, with PostgreSQL's line
/// breaks every 76 base64 characters and octal escapes.
fn encode(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    use base64::Engine;
    let (b, format) = (bytea_arg(a, 0)?, text_arg(a, 1)?);
    let out = match format.to_ascii_lowercase().as_str() {
        "hex" => b.iter().map(|x| format!("{x:02x}")).collect(),
        "base64" => {
            let flat = base64::engine::general_purpose::STANDARD.encode(b);
            let mut out = String::with_capacity(flat.len() + flat.len() / 76);
            for (i, c) in flat.chars().enumerate() {
                if i > 0 && i % 76 == 0 {
                    out.push('\n');
                }
                out.push(c);
            }
            out
        }
        "escape" => {
            let mut out = String::new();
            for &x in b {
                match x {
                    b'\\' => out.push_str("\\\\"),
                    0 | 0x80..=0xff => out.push_str(&format!("\\{x:03o}")),
                    _ => out.push(x as char),
                }
            }
            out
        }
        _ => return Err(unrecognized_encoding(format)),
    };
    t(out)
}

fn decode(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    use base64::Engine;
    let (s, format) = (text_arg(a, 0)?, text_arg(a, 1)?);
    let out = match format.to_ascii_lowercase().as_str() {
        "hex" => {
            let digits: Vec<char> = s
                .chars()
                .filter(|c| !matches!(c, ' ' | '\n' | '\t' | '\r'))
                .collect();
            let mut out = Vec::with_capacity(digits.len() / 2);
            for pair in digits.chunks(2) {
                let mut byte = 0u8;
                for &c in pair {
                    let d = c.to_digit(16).ok_or_else(|| {
                        SqlError::invalid_parameter(format!("invalid hexadecimal digit: \"{c}\""))
                    })?;
                    byte = byte * 16 + d as u8;
                }
                if pair.len() == 1 {
                    return Err(SqlError::invalid_parameter(
                        "invalid hexadecimal data: odd number of digits",
                    ));
                }
                out.push(byte);
            }
            out
        }
        "base64" => {
            let clean: String = s
                .chars()
                .filter(|c| !matches!(c, ' ' | '\n' | '\t' | '\r'))
                .collect();
            if let Some(c) = clean
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
            {
                return Err(SqlError::invalid_parameter(format!(
                    "invalid symbol \"{c}\" found while decoding base64 sequence"
                )));
            }
            base64::engine::general_purpose::STANDARD
                .decode(clean.as_bytes())
                .map_err(|_| SqlError::invalid_parameter("invalid base64 end sequence"))?
        }
        "escape" => {
            let b = s.as_bytes();
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                if b[i] != b'\\' {
                    out.push(b[i]);
                    i += 1;
                } else if b.get(i + 1) == Some(&b'\\') {
                    out.push(b'\\');
                    i += 2;
                } else if i + 3 < b.len()
                    && (b'0'..=b'3').contains(&b[i + 1])
                    && (b'0'..=b'7').contains(&b[i + 2])
                    && (b'0'..=b'7').contains(&b[i + 3])
                {
                    out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
                    i += 4;
                } else {
                    return Err(SqlError::new(
                        SqlState::INVALID_TEXT_REPRESENTATION,
                        "invalid input syntax for type bytea",
                    ));
                }
            }
            out
        }
        _ => return Err(unrecognized_encoding(format)),
    };
    Ok(Value::Bytea(out))
}

/// The encodings `convert_to`/`convert_from` know: the database's (UTF-8)
/// and the two single-byte ones people name.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Utf8,
    Latin1,
    Ascii,
}

fn encoding(name: &str) -> Option<Encoding> {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match n.as_str() {
        "utf8" | "unicode" => Some(Encoding::Utf8),
        "latin1" | "iso88591" => Some(Encoding::Latin1),
        "sqlascii" => Some(Encoding::Ascii),
        _ => None,
    }
}

fn untranslatable(c: char, to: &str) -> SqlError {
    let mut buf = [0u8; 4];
    let hex: Vec<String> = c
        .encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("0x{b:02x}"))
        .collect();
    SqlError::new(
        SqlState::from_code("22P05"),
        format!(
            "character with byte sequence {} in encoding \"UTF8\" has no equivalent in encoding \"{to}\"",
            hex.join(" ")
        ),
    )
}

fn convert_to(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (s, name) = (text_arg(a, 0)?, text_arg(a, 1)?);
    let enc = encoding(name).ok_or_else(|| {
        SqlError::invalid_parameter(format!("invalid destination encoding name \"{name}\""))
    })?;
    Ok(Value::Bytea(match enc {
        Encoding::Utf8 | Encoding::Ascii => s.as_bytes().to_vec(),
        Encoding::Latin1 => s
            .chars()
            .map(|c| u8::try_from(c as u32).map_err(|_| untranslatable(c, "LATIN1")))
            .collect::<Result<_, _>>()?,
    }))
}

fn convert_from(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (b, name) = (bytea_arg(a, 0)?, text_arg(a, 1)?);
    let enc = encoding(name).ok_or_else(|| {
        SqlError::invalid_parameter(format!("invalid source encoding name \"{name}\""))
    })?;
    match enc {
        Encoding::Latin1 => t(b.iter().map(|&x| x as char).collect::<String>()),
        Encoding::Utf8 | Encoding::Ascii => match std::str::from_utf8(b) {
            Ok(s) if !s.contains('\0') => t(s),
            _ => {
                let at = std::str::from_utf8(b)
                    .map_or_else(|e| e.valid_up_to(), |s| s.find('\0').unwrap_or(0));
                let bad: Vec<String> = b[at..]
                    .iter()
                    .take(if b[at] < 0x80 { 1 } else { 2 })
                    .map(|x| format!("0x{x:02x}"))
                    .collect();
                Err(SqlError::new(
                    SqlState::from_code("22021"),
                    format!(
                        "invalid byte sequence for encoding \"UTF8\": {}",
                        bad.join(" ")
                    ),
                ))
            }
        },
    }
}

/// `similar_to_escape(pattern [, escape])`: the POSIX regular expression a
/// SQL `SIMILAR TO` pattern means (PostgreSQL's `similar_escape_internal`).
fn similar_to_escape(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let pat = text_arg(a, 0)?;
    let esc = if a.len() > 1 {
        let e = text_arg(a, 1)?;
        let mut cs = e.chars();
        match (cs.next(), cs.next()) {
            (None, _) => None,
            (Some(c), None) => Some(c),
            _ => {
                return Err(
                    SqlError::new(SqlState::from_code("22025"), "invalid escape string")
                        .with_hint("Escape string must be empty or one character."),
                );
            }
        }
    } else {
        Some('\\')
    };
    let mut out = String::from("^(?:");
    let (mut after_escape, mut in_class, mut quotes) = (false, false, 0);
    for c in pat.chars() {
        if after_escape {
            if c == '"' && !in_class {
                match quotes {
                    0 => out.push_str("){1,1}?("),
                    1 => out.push_str("){1,1}(?:"),
                    _ => {
                        return Err(SqlError::new(
                            INVALID_REGEX,
                            "SQL regular expression may not contain more than two escape-double-quote separators",
                        ));
                    }
                }
                quotes += 1;
            } else {
                out.push('\\');
                out.push(c);
            }
            after_escape = false;
        } else if Some(c) == esc {
            after_escape = true;
        } else if in_class {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
            if c == ']' {
                in_class = false;
            }
        } else {
            match c {
                '[' => {
                    out.push('[');
                    in_class = true;
                }
                '%' => out.push_str(".*"),
                '_' => out.push('.'),
                '(' => out.push_str("(?:"),
                '\\' | '.' | '^' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out.push_str(")$");
    t(out)
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    r.func("length", &[TEXT], INT4, length);
    r.func("length", &[BPCHAR], INT4, length_bpchar);
    r.func("length", &[BYTEA], INT4, length);
    r.func("char_length", &[TEXT], INT4, length);
    r.func("char_length", &[BPCHAR], INT4, length_bpchar);
    r.func("character_length", &[TEXT], INT4, length);
    r.func("octet_length", &[TEXT], INT4, octet_length);
    r.func("octet_length", &[BPCHAR], INT4, octet_length_bpchar);
    r.func("octet_length", &[BYTEA], INT4, octet_length);
    r.func("lower", &[TEXT], TEXT, lower);
    r.func("upper", &[TEXT], TEXT, upper);
    r.func("initcap", &[TEXT], TEXT, initcap);
    for name in ["substr", "substring"] {
        r.func(name, &[TEXT, INT4], TEXT, substr);
        r.func(name, &[TEXT, INT4, INT4], TEXT, substr);
    }
    r.func("substring", &[TEXT, TEXT], TEXT, substring_regex);
    r.func("strpos", &[TEXT, TEXT], INT4, strpos);
    r.func("position", &[TEXT, TEXT], INT4, position);
    r.func("replace", &[TEXT, TEXT, TEXT], TEXT, replace);
    r.func("translate", &[TEXT, TEXT, TEXT], TEXT, translate);
    r.func("btrim", &[TEXT], TEXT, btrim);
    r.func("btrim", &[TEXT, TEXT], TEXT, btrim);
    r.func("ltrim", &[TEXT], TEXT, ltrim);
    r.func("ltrim", &[TEXT, TEXT], TEXT, ltrim);
    r.func("rtrim", &[TEXT], TEXT, rtrim);
    r.func("rtrim", &[TEXT, TEXT], TEXT, rtrim);
    r.func("split_part", &[TEXT, TEXT, INT4], TEXT, split_part);
    r.func("concat", &[ANY], TEXT, concat)
        .variadic()
        .nonstrict()
        .stable();
    r.func("concat_ws", &[TEXT, ANY], TEXT, concat_ws)
        .variadic()
        .nonstrict()
        .stable();
    r.func("format", &[TEXT], TEXT, format).nonstrict().stable();
    r.func("format", &[TEXT, ANY], TEXT, format)
        .variadic()
        .nonstrict()
        .stable();
    r.func("left", &[TEXT, INT4], TEXT, left);
    r.func("right", &[TEXT, INT4], TEXT, right);
    r.func("lpad", &[TEXT, INT4], TEXT, lpad);
    r.func("lpad", &[TEXT, INT4, TEXT], TEXT, lpad);
    r.func("rpad", &[TEXT, INT4], TEXT, rpad);
    r.func("rpad", &[TEXT, INT4, TEXT], TEXT, rpad);
    r.func("repeat", &[TEXT, INT4], TEXT, repeat);
    r.func("md5", &[TEXT], TEXT, md5);
    r.func("md5", &[BYTEA], TEXT, md5);
    r.func("starts_with", &[TEXT, TEXT], BOOL, starts_with);
    r.op("^@", TEXT, TEXT, BOOL, starts_with);
    r.func("reverse", &[TEXT], TEXT, reverse);
    r.func("chr", &[INT4], TEXT, chr);
    r.func("ascii", &[TEXT], INT4, ascii);
    r.func("to_hex", &[INT4], TEXT, to_hex);
    r.func("to_hex", &[INT8], TEXT, to_hex);
    r.func("quote_ident", &[TEXT], TEXT, quote_ident);
    r.func("quote_literal", &[TEXT], TEXT, quote_literal);
    r.func("quote_literal", &[ANYELEMENT], TEXT, quote_literal)
        .stable();
    r.func("quote_nullable", &[TEXT], TEXT, quote_nullable)
        .nonstrict();
    r.op("||", TEXT, TEXT, TEXT, textcat);
    r.op("||", TEXT, ANYNONARRAY, TEXT, textcat).stable();
    r.op("||", ANYNONARRAY, TEXT, TEXT, textcat).stable();
    r.op("~~", TEXT, TEXT, BOOL, textlike);
    r.op("!~~", TEXT, TEXT, BOOL, textnlike);
    r.op("~~*", TEXT, TEXT, BOOL, texticlike);
    r.op("!~~*", TEXT, TEXT, BOOL, texticnlike);
    // LIKE … ESCAPE: the binder calls these with the escape string.
    r.func("like", &[TEXT, TEXT, TEXT], BOOL, textlike);
    r.func("notlike", &[TEXT, TEXT, TEXT], BOOL, textnlike);
    r.func("ilike", &[TEXT, TEXT, TEXT], BOOL, texticlike);
    r.func("notilike", &[TEXT, TEXT, TEXT], BOOL, texticnlike);
    r.op("~", TEXT, TEXT, BOOL, textregexeq);
    r.op("!~", TEXT, TEXT, BOOL, textregexne);
    r.op("~*", TEXT, TEXT, BOOL, texticregexeq);
    r.op("!~*", TEXT, TEXT, BOOL, texticregexne);
    r.func("regexp_replace", &[TEXT, TEXT, TEXT], TEXT, regexp_replace);
    r.func(
        "regexp_replace",
        &[TEXT, TEXT, TEXT, TEXT],
        TEXT,
        regexp_replace,
    );
    r.func("regexp_match", &[TEXT, TEXT], TEXT_ARRAY, regexp_match);
    r.func("bit_length", &[TEXT], INT4, bit_length);
    r.func("similar_to_escape", &[TEXT], TEXT, similar_to_escape);
    r.func("similar_to_escape", &[TEXT, TEXT], TEXT, similar_to_escape);
    r.func("bit_length", &[BYTEA], INT4, bit_length);
    r.func("overlay", &[TEXT, TEXT, INT4, INT4], TEXT, overlay);
    r.func("overlay", &[TEXT, TEXT, INT4], TEXT, overlay);
    r.func("overlay", &[BYTEA, BYTEA, INT4, INT4], BYTEA, overlay);
    r.func("overlay", &[BYTEA, BYTEA, INT4], BYTEA, overlay);
    r.op("||", BYTEA, BYTEA, BYTEA, byteacat);
    r.func("get_byte", &[BYTEA, INT4], INT4, get_byte);
    r.func("set_byte", &[BYTEA, INT4, INT4], BYTEA, set_byte);
    r.func("get_bit", &[BYTEA, INT8], INT4, get_bit);
    r.func("sha224", &[BYTEA], BYTEA, sha224);
    r.func("sha256", &[BYTEA], BYTEA, sha256);
    r.func("sha384", &[BYTEA], BYTEA, sha384);
    r.func("sha512", &[BYTEA], BYTEA, sha512);
    r.func("encode", &[BYTEA, TEXT], TEXT, encode);
    r.func("decode", &[TEXT, TEXT], BYTEA, decode);
    r.func("convert_to", &[TEXT, NAME], BYTEA, convert_to)
        .stable();
    r.func("convert_from", &[BYTEA, NAME], TEXT, convert_from)
        .stable();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("hello", "h%o", Some('\\'), false).unwrap());
        assert!(like("hello", "h_llo", Some('\\'), false).unwrap());
        assert!(!like("hello", "h_lo", Some('\\'), false).unwrap());
        assert!(like("50%", "50\\%", Some('\\'), false).unwrap());
        assert!(like("HeLLo", "hello", Some('\\'), true).unwrap());
        assert!(like("a", "%%%", None, false).unwrap());
        assert!(like("ax", "a\\", Some('\\'), false).is_err());
        assert!(!like("a", "ab\\", Some('\\'), false).unwrap());
        assert_eq!(quote_ident_str("Foo"), "\"Foo\"");
        assert_eq!(quote_ident_str("select"), "\"select\"");
        assert_eq!(quote_literal_str("it's"), "'it''s'");
    }
}
