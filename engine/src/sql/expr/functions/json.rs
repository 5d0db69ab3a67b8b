//! json/jsonb functions and operators.
//!
//! twill-types keeps json as its validated text and jsonb as its
//! normalised text; here we need the structure. A small parser builds a
//! tree whose nodes remember their source span, because PostgreSQL's json
//! (unlike jsonb) returns sub-values *as written*: `'{"a": [1, 2]}'::json
//! -> 'a'` is `[1, 2]` with its original spacing. Numbers stay as their
//! text so no digit is lost to floating point, and compare numerically
//! where jsonb semantics ask for it (`@>`).
//!
//! Built values follow PostgreSQL's own spacing quirks: `json_build_object`
//! writes `{"a" : 1}`, `json_build_array` `[1, 2]`, `to_json` of an array
//! `[1,2]`; jsonb always prints in its normal form.

use std::cmp::Ordering;

use twill_types::{Numeric, SqlState, Value, escape_json as escape, normalize_jsonb, oid};

use super::{Builder, FnCtx, int_arg, text_arg};
use crate::sql::error::SqlError;
use crate::sql::types::type_name;

/// A parsed JSON value.
#[derive(Debug, Clone)]
pub(crate) enum J {
    Null,
    Bool(bool),
    /// The number as written.
    Num(String),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

/// A value with its byte span in the source text.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) j: J,
    start: usize,
    end: usize,
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

fn invalid(text: &str) -> SqlError {
    SqlError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type json: \"{text}\""),
    )
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SqlError> {
        if depth > 6400 {
            return Err(SqlError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "stack depth limit exceeded",
            ));
        }
        self.ws();
        let start = self.i;
        let j = match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let key = match self.value(depth + 1)? {
                            Node { j: J::Str(k), .. } => k,
                            _ => return Err(invalid(self.text)),
                        };
                        self.ws();
                        if self.s.get(self.i) != Some(&b':') {
                            return Err(invalid(self.text));
                        }
                        self.i += 1;
                        let v = self.value(depth + 1)?;
                        fields.push((key, v));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(invalid(self.text)),
                        }
                    }
                }
                J::Obj(fields)
            }
            Some(b'[') => {
                self.i += 1;
                let mut elems = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        elems.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(invalid(self.text)),
                        }
                    }
                }
                J::Arr(elems)
            }
            Some(b'"') => {
                self.i += 1;
                let mut out = String::new();
                loop {
                    let rest = &self.text[self.i..];
                    let Some(c) = rest.chars().next() else {
                        return Err(invalid(self.text));
                    };
                    self.i += c.len_utf8();
                    match c {
                        '"' => break,
                        '\\' => {
                            let e = self
                                .s
                                .get(self.i)
                                .copied()
                                .ok_or_else(|| invalid(self.text))?;
                            self.i += 1;
                            match e {
                                b'"' => out.push('"'),
                                b'\\' => out.push('\\'),
                                b'/' => out.push('/'),
                                b'b' => out.push('\u{8}'),
                                b'f' => out.push('\u{c}'),
                                b'n' => out.push('\n'),
                                b'r' => out.push('\r'),
                                b't' => out.push('\t'),
                                b'u' => {
                                    let hex = self
                                        .text
                                        .get(self.i..self.i + 4)
                                        .ok_or_else(|| invalid(self.text))?;
                                    let mut cp = u32::from_str_radix(hex, 16)
                                        .map_err(|_| invalid(self.text))?;
                                    self.i += 4;
                                    if (0xD800..0xDC00).contains(&cp)
                                        && self.text[self.i..].starts_with("\\u")
                                    {
                                        let lo = self
                                            .text
                                            .get(self.i + 2..self.i + 6)
                                            .and_then(|h| u32::from_str_radix(h, 16).ok());
                                        if let Some(lo) =
                                            lo.filter(|l| (0xDC00..0xE000).contains(l))
                                        {
                                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                            self.i += 6;
                                        }
                                    }
                                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                }
                                _ => return Err(invalid(self.text)),
                            }
                        }
                        c if (c as u32) < 0x20 => return Err(invalid(self.text)),
                        c => out.push(c),
                    }
                }
                J::Str(out)
            }
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                J::Bool(true)
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                J::Bool(false)
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                J::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                let st = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'
                    )
                {
                    self.i += 1;
                }
                let num = &self.text[st..self.i];
                if num.parse::<f64>().is_err() {
                    return Err(invalid(self.text));
                }
                J::Num(num.to_owned())
            }
            _ => return Err(invalid(self.text)),
        };
        Ok(Node {
            j,
            start,
            end: self.i,
        })
    }
}

/// Parses JSON text (already validated by twill-types, so errors here mean
/// the value came from elsewhere and are reported as 22P02).
pub(crate) fn parse(text: &str) -> Result<Node, SqlError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(invalid(text));
    }
    Ok(v)
}

/// Compact text of a node (jsonb-style spacing; normalised later for jsonb).
fn write(n: &Node, out: &mut String) {
    match &n.j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(s) => out.push_str(s),
        J::Str(s) => escape(s, out),
        J::Arr(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(e, out);
            }
            out.push(']');
        }
        J::Obj(o) => {
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                escape(k, out);
                out.push_str(": ");
                write(v, out);
            }
            out.push('}');
        }
    }
}

/// The source text of a json argument (json or jsonb).
pub(crate) fn json_text(v: &Value) -> Result<&str, SqlError> {
    match v {
        Value::Json(s) | Value::Jsonb(s) | Value::Text(s) => Ok(s),
        other => Err(SqlError::internal(format!("expected json, got {other:?}"))),
    }
}

/// A sub-value as the operator's result type: json keeps the source slice,
/// jsonb re-normalises, text unwraps strings.
pub(crate) fn result(src: &str, n: &Node, as_text: bool, jsonb: bool) -> Result<Value, SqlError> {
    if as_text {
        return Ok(match &n.j {
            J::Null => Value::Null,
            J::Str(s) => Value::Text(s.clone()),
            _ if jsonb => {
                let mut s = String::new();
                write(n, &mut s);
                Value::Text(normalize_jsonb(&s)?)
            }
            _ => Value::Text(src[n.start..n.end].to_owned()),
        });
    }
    if jsonb {
        let mut s = String::new();
        write(n, &mut s);
        Ok(Value::Jsonb(normalize_jsonb(&s)?))
    } else {
        Ok(Value::Json(src[n.start..n.end].to_owned()))
    }
}

fn get_key<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    match &n.j {
        // Later duplicates win, as in jsonb (json keeps the last too for ->).
        J::Obj(o) => o.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn get_index(n: &Node, i: i64) -> Option<&Node> {
    match &n.j {
        J::Arr(a) => {
            let idx = if i < 0 { a.len() as i64 + i } else { i };
            usize::try_from(idx).ok().and_then(|i| a.get(i))
        }
        _ => None,
    }
}

fn arrow(ctx: &FnCtx<'_, '_>, a: &[Value], as_text: bool) -> Result<Value, SqlError> {
    let src = json_text(&a[0])?;
    let jsonb = matches!(a[0], Value::Jsonb(_));
    let n = parse(src)?;
    let found = match ctx.arg_types.get(1) {
        Some(&oid::TEXT) => get_key(&n, text_arg(a, 1)?),
        // jsonb stores a top-level scalar as a one-element array, so index
        // 0 (or -1) of a scalar is the scalar itself.
        _ if jsonb && !matches!(n.j, J::Arr(_) | J::Obj(_)) => {
            let i = int_arg(a, 1)?;
            (i == 0 || i == -1).then_some(&n)
        }
        _ => get_index(&n, int_arg(a, 1)?),
    };
    match found {
        Some(f) => result(src, f, as_text, jsonb),
        None => Ok(Value::Null),
    }
}

fn json_get(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arrow(ctx, a, false)
}

fn json_get_text(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    arrow(ctx, a, true)
}

fn path(a: &[Value], as_text: bool) -> Result<Value, SqlError> {
    let src = json_text(&a[0])?;
    let jsonb = matches!(a[0], Value::Jsonb(_));
    let root = parse(src)?;
    let Value::Array(p) = &a[1] else {
        return Err(SqlError::internal("path must be an array"));
    };
    let mut cur = &root;
    for e in &p.elements {
        let Value::Text(k) = e else {
            return Ok(Value::Null);
        };
        let next = match &cur.j {
            J::Obj(_) => get_key(cur, k),
            J::Arr(_) => k.trim().parse::<i64>().ok().and_then(|i| get_index(cur, i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(Value::Null),
        }
    }
    result(src, cur, as_text, jsonb)
}

fn json_path(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    path(a, false)
}

fn json_path_text(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    path(a, true)
}

fn num_eq(x: &str, y: &str) -> bool {
    match (x.parse::<Numeric>(), y.parse::<Numeric>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => x == y,
    }
}

/// jsonb containment (`@>`), PostgreSQL's rules.
fn contains(a: &Node, b: &Node, top: bool) -> bool {
    match (&a.j, &b.j) {
        (J::Obj(x), J::Obj(y)) => y.iter().all(|(k, bv)| {
            x.iter()
                .rev()
                .find(|(ka, _)| ka == k)
                .is_some_and(|(_, av)| contains(av, bv, false))
        }),
        (J::Arr(x), J::Arr(y)) => y.iter().all(|bv| {
            x.iter().any(|av| match (&av.j, &bv.j) {
                (J::Arr(_) | J::Obj(_), J::Arr(_) | J::Obj(_)) => contains(av, bv, false),
                (J::Arr(_) | J::Obj(_), _) | (_, J::Arr(_) | J::Obj(_)) => false,
                _ => contains(av, bv, false),
            })
        }),
        // A top-level array contains a scalar it has as an element.
        (J::Arr(x), _) if top && !matches!(b.j, J::Obj(_)) => {
            x.iter().any(|av| contains(av, b, false))
        }
        (J::Null, J::Null) => true,
        (J::Bool(x), J::Bool(y)) => x == y,
        (J::Num(x), J::Num(y)) => num_eq(x, y),
        (J::Str(x), J::Str(y)) => x == y,
        _ => false,
    }
}

fn jsonb_contains(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (parse(json_text(&a[0])?)?, parse(json_text(&a[1])?)?);
    Ok(Value::Bool(contains(&x, &y, true)))
}

fn jsonb_contained(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (parse(json_text(&a[0])?)?, parse(json_text(&a[1])?)?);
    Ok(Value::Bool(contains(&y, &x, true)))
}

fn has_key(n: &Node, k: &str) -> bool {
    match &n.j {
        J::Obj(o) => o.iter().any(|(key, _)| key == k),
        J::Arr(a) => a.iter().any(|e| matches!(&e.j, J::Str(s) if s == k)),
        J::Str(s) => s == k,
        _ => false,
    }
}

fn jsonb_exists(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(has_key(
        &parse(json_text(&a[0])?)?,
        text_arg(a, 1)?,
    )))
}

fn keys_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .elements
            .iter()
            .filter_map(|e| match e {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn jsonb_exists_any(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = parse(json_text(&a[0])?)?;
    Ok(Value::Bool(keys_of(&a[1]).iter().any(|k| has_key(&n, k))))
}

fn jsonb_exists_all(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = parse(json_text(&a[0])?)?;
    Ok(Value::Bool(keys_of(&a[1]).iter().all(|k| has_key(&n, k))))
}

/// A SQL value as JSON text (`to_json`'s conversion).
pub(crate) fn to_json_text(ctx: &FnCtx<'_, '_>, v: &Value, out: &mut String) {
    let settings = &ctx.eval.settings;
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Oid(_) => {
            out.push_str(&v.to_text(settings))
        }
        Value::Float4(_) | Value::Float8(_) | Value::Numeric(_) => {
            let s = v.to_text(settings);
            if s.parse::<f64>().is_ok_and(f64::is_finite) {
                out.push_str(&s);
            } else {
                escape(&s, out);
            }
        }
        Value::Json(s) => out.push_str(s),
        Value::Jsonb(s) => out.push_str(&normalize_jsonb(s).unwrap_or_else(|_| s.clone())),
        Value::Timestamp(_) | Value::TimestampTz(_) | Value::Date(_) => {
            let mut s = v.to_text(settings);
            if s.len() > 10 && s.as_bytes().get(10) == Some(&b' ') {
                s.replace_range(10..11, "T");
            }
            if matches!(v, Value::TimestampTz(_)) {
                // ISO 8601 wants +HH:MM.
                let n = s.len();
                if n > 3 && matches!(s.as_bytes()[n - 3], b'+' | b'-') {
                    s.push_str(":00");
                }
            }
            escape(&s, out);
        }
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json_text(ctx, e, out);
            }
            out.push(']');
        }
        // A row becomes an object keyed by its column names.
        Value::Record(fields) => {
            out.push('{');
            for (i, (name, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escape(name, out);
                out.push(':');
                to_json_text(ctx, v, out);
            }
            out.push('}');
        }
        other => escape(&other.to_text(settings), out),
    }
}

fn to_json(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut s = String::new();
    to_json_text(ctx, &a[0], &mut s);
    Ok(if ctx.ret == oid::JSONB {
        Value::Jsonb(normalize_jsonb(&s)?)
    } else {
        Value::Json(s)
    })
}

fn build_object(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    if !a.len().is_multiple_of(2) {
        return Err(SqlError::invalid_parameter("argument list must have even number of elements").with_hint(
            format!(
                "The arguments of {}_build_object() must consist of alternating keys and values.",
                if ctx.ret == oid::JSONB { "jsonb" } else { "json" }
            ),
        ));
    }
    let mut s = String::from("{");
    for (i, pair) in a.chunks(2).enumerate() {
        if pair[0].is_null() {
            return Err(SqlError::invalid_parameter(format!(
                "argument {}: key must not be null",
                i * 2 + 1
            )));
        }
        if i > 0 {
            s.push_str(", ");
        }
        let key = match &pair[0] {
            Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
            v => v.to_text(&ctx.eval.settings),
        };
        escape(&key, &mut s);
        s.push_str(" : ");
        to_json_text(ctx, &pair[1], &mut s);
    }
    s.push('}');
    Ok(if ctx.ret == oid::JSONB {
        Value::Jsonb(normalize_jsonb(&s)?)
    } else {
        Value::Json(s)
    })
}

fn build_array(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut s = String::from("[");
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        to_json_text(ctx, v, &mut s);
    }
    s.push(']');
    Ok(if ctx.ret == oid::JSONB {
        Value::Jsonb(normalize_jsonb(&s)?)
    } else {
        Value::Json(s)
    })
}

fn build_empty(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    let s = "{}";
    Ok(if ctx.ret == oid::JSONB {
        Value::Jsonb(s.into())
    } else {
        Value::Json(s.into())
    })
}

fn build_empty_array(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(if ctx.ret == oid::JSONB {
        Value::Jsonb("[]".into())
    } else {
        Value::Json("[]".into())
    })
}

fn typ(n: &Node) -> &'static str {
    match n.j {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Num(_) => "number",
        J::Str(_) => "string",
        J::Arr(_) => "array",
        J::Obj(_) => "object",
    }
}

fn json_typeof(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Text(typ(&parse(json_text(&a[0])?)?).to_owned()))
}

fn array_length(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let n = parse(json_text(&a[0])?)?;
    match &n.j {
        J::Arr(x) => Ok(Value::Int4(x.len() as i32)),
        J::Obj(_) => Err(SqlError::invalid_parameter(
            "cannot get array length of a non-array",
        )),
        _ => Err(SqlError::invalid_parameter(
            "cannot get array length of a scalar",
        )),
    }
}

fn jsonb_concat(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (parse(json_text(&a[0])?)?, parse(json_text(&a[1])?)?);
    let j = match (x.j, y.j) {
        (J::Obj(mut o), J::Obj(p)) => {
            for (k, v) in p {
                o.retain(|(kk, _)| *kk != k);
                o.push((k, v));
            }
            J::Obj(o)
        }
        (J::Arr(mut o), J::Arr(p)) => {
            o.extend(p);
            J::Arr(o)
        }
        (J::Arr(mut o), other) => {
            o.push(Node {
                j: other,
                start: 0,
                end: 0,
            });
            J::Arr(o)
        }
        (other, J::Arr(p)) => {
            let mut v = vec![Node {
                j: other,
                start: 0,
                end: 0,
            }];
            v.extend(p);
            J::Arr(v)
        }
        (l, r) => J::Arr(vec![
            Node {
                j: l,
                start: 0,
                end: 0,
            },
            Node {
                j: r,
                start: 0,
                end: 0,
            },
        ]),
    };
    let mut s = String::new();
    write(
        &Node {
            j,
            start: 0,
            end: 0,
        },
        &mut s,
    );
    Ok(Value::Jsonb(normalize_jsonb(&s)?))
}

fn jsonb_delete_key(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let x = parse(json_text(&a[0])?)?;
    let k = text_arg(a, 1)?;
    let j = match x.j {
        J::Obj(mut o) => {
            o.retain(|(kk, _)| kk != k);
            J::Obj(o)
        }
        J::Arr(mut v) => {
            v.retain(|e| !matches!(&e.j, J::Str(s) if s == k));
            J::Arr(v)
        }
        _ => return Err(SqlError::invalid_parameter("cannot delete from scalar")),
    };
    let mut s = String::new();
    write(
        &Node {
            j,
            start: 0,
            end: 0,
        },
        &mut s,
    );
    Ok(Value::Jsonb(normalize_jsonb(&s)?))
}

/// jsonb ordering. Equality is exact (normal forms compared); the order
/// between unequal values is byte order of the normal form, a documented
/// simplification of PostgreSQL's type-then-value order.
pub(crate) fn jsonb_cmp(x: &str, y: &str) -> Ordering {
    let nx = normalize_jsonb(x).unwrap_or_else(|_| x.to_owned());
    let ny = normalize_jsonb(y).unwrap_or_else(|_| y.to_owned());
    nx.cmp(&ny)
}

/// `jsonb::int4` and friends: only a JSON number (or boolean for bool)
/// converts.
pub(crate) fn jsonb_to_scalar(s: &str, to: twill_types::Oid) -> Result<Value, SqlError> {
    let n = parse(s)?;
    let fail = || {
        SqlError::invalid_parameter(format!(
            "cannot cast jsonb {} to type {}",
            typ(&n),
            type_name(to)
        ))
    };
    match (&n.j, to) {
        (J::Bool(b), oid::BOOL) => Ok(Value::Bool(*b)),
        (J::Num(t), oid::NUMERIC) => Ok(Value::Numeric(t.parse()?)),
        (J::Num(t), oid::FLOAT8) => Ok(Value::Float8(t.parse().map_err(|_| fail())?)),
        (J::Num(t), oid::FLOAT4) => Ok(Value::Float4(t.parse().map_err(|_| fail())?)),
        (J::Num(t), oid::INT2 | oid::INT4 | oid::INT8) => {
            let num: Numeric = t.parse()?;
            let i = num
                .to_i64()
                .ok_or_else(|| SqlError::out_of_range("bigint out of range"))?;
            match to {
                oid::INT2 => i16::try_from(i)
                    .map(Value::Int2)
                    .map_err(|_| SqlError::out_of_range("smallint out of range")),
                oid::INT4 => i32::try_from(i)
                    .map(Value::Int4)
                    .map_err(|_| SqlError::out_of_range("integer out of range")),
                _ => Ok(Value::Int8(i)),
            }
        }
        _ => Err(fail()),
    }
}

fn node(j: J) -> Node {
    Node {
        j,
        start: 0,
        end: 0,
    }
}

/// A jsonb argument, parsed from its normal form (no duplicate keys).
fn jsonb_arg(a: &[Value], i: usize) -> Result<J, SqlError> {
    Ok(parse(&normalize_jsonb(json_text(&a[i])?)?)?.j)
}

fn jsonb_value(j: J) -> Result<Value, SqlError> {
    let mut s = String::new();
    write(&node(j), &mut s);
    Ok(Value::Jsonb(normalize_jsonb(&s)?))
}

fn text_array(v: &Value) -> Result<Vec<Option<String>>, SqlError> {
    match v {
        Value::Array(arr) => Ok(arr
            .elements
            .iter()
            .map(|e| match e {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect()),
        other => Err(SqlError::internal(format!(
            "expected text[], got {other:?}"
        ))),
    }
}

fn jsonb_delete_index(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let i = int_arg(a, 1)?;
    match jsonb_arg(a, 0)? {
        J::Arr(mut v) => {
            let idx = if i < 0 { v.len() as i64 + i } else { i };
            if (0..v.len() as i64).contains(&idx) {
                v.remove(idx as usize);
            }
            jsonb_value(J::Arr(v))
        }
        J::Obj(_) => Err(SqlError::invalid_parameter(
            "cannot delete from object using integer index",
        )),
        _ => Err(SqlError::invalid_parameter("cannot delete from scalar")),
    }
}

fn jsonb_delete_keys(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let keys: Vec<String> = text_array(&a[1])?.into_iter().flatten().collect();
    match jsonb_arg(a, 0)? {
        J::Obj(mut o) => {
            o.retain(|(k, _)| !keys.contains(k));
            jsonb_value(J::Obj(o))
        }
        J::Arr(mut v) => {
            v.retain(|e| !matches!(&e.j, J::Str(s) if keys.contains(s)));
            jsonb_value(J::Arr(v))
        }
        _ => Err(SqlError::invalid_parameter("cannot delete from scalar")),
    }
}

fn path_index(key: &str, level: usize) -> Result<i64, SqlError> {
    key.trim().parse::<i64>().map_err(|_| {
        SqlError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!(
                "path element at position {} is not an integer: \"{key}\"",
                level + 1
            ),
        )
    })
}

/// What [`set_path`] does at the path's end.
#[derive(Clone, Copy, PartialEq)]
enum SetMode {
    /// `#-`: remove the element.
    Delete,
    /// `jsonb_set`: replace, or add when `create` is set.
    Set { create: bool },
    /// `jsonb_insert`: add before (or after) an array element; add a new key.
    Insert { after: bool },
}

/// PostgreSQL's `setPath`: walks `path` from `j`, leaving everything off
/// the path unchanged.
fn set_path(
    j: &mut J,
    path: &[Option<String>],
    level: usize,
    new: &Option<J>,
    mode: SetMode,
) -> Result<(), SqlError> {
    let Some(key) = path.get(level) else {
        return Ok(());
    };
    let Some(key) = key else {
        return Err(SqlError::new(
            SqlState::NULL_VALUE_NOT_ALLOWED,
            format!("path element at position {} is null", level + 1),
        ));
    };
    let last = level + 1 == path.len();
    match j {
        J::Obj(o) => {
            let pos = o.iter().position(|(k, _)| k == key);
            match (pos, last, mode) {
                (Some(p), true, SetMode::Delete) => {
                    o.remove(p);
                }
                (Some(_), true, SetMode::Insert { .. }) => {
                    return Err(SqlError::invalid_parameter("cannot replace existing key")
                        .with_hint("Try using the function jsonb_set to replace key value."));
                }
                (Some(p), true, SetMode::Set { .. }) => {
                    if let Some(n) = new {
                        o[p].1 = node(n.clone());
                    }
                }
                (Some(p), false, _) => set_path(&mut o[p].1.j, path, level + 1, new, mode)?,
                (None, true, SetMode::Set { create: true } | SetMode::Insert { .. }) => {
                    if let Some(n) = new {
                        o.push((key.clone(), node(n.clone())));
                    }
                }
                _ => {}
            }
        }
        J::Arr(v) => {
            let i = path_index(key, level)?;
            let len = v.len() as i64;
            let idx = if i < 0 { len + i } else { i };
            let inside = (0..len).contains(&idx);
            match (last, mode) {
                (true, SetMode::Delete) => {
                    if inside {
                        v.remove(idx as usize);
                    }
                }
                (true, SetMode::Set { create }) => {
                    if let Some(n) = new {
                        if inside {
                            v[idx as usize] = node(n.clone());
                        } else if create {
                            if idx < 0 {
                                v.insert(0, node(n.clone()));
                            } else {
                                v.push(node(n.clone()));
                            }
                        }
                    }
                }
                (true, SetMode::Insert { after }) => {
                    if let Some(n) = new {
                        let at = if idx < 0 {
                            0
                        } else if idx >= len {
                            len
                        } else {
                            idx + after as i64
                        };
                        v.insert(at as usize, node(n.clone()));
                    }
                }
                (false, _) => {
                    if inside {
                        set_path(&mut v[idx as usize].j, path, level + 1, new, mode)?;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn modify(a: &[Value], new: Option<J>, mode: SetMode, scalar_err: &str) -> Result<Value, SqlError> {
    let mut j = jsonb_arg(a, 0)?;
    let path = text_array(&a[1])?;
    if !matches!(j, J::Obj(_) | J::Arr(_)) {
        return Err(SqlError::invalid_parameter(scalar_err));
    }
    set_path(&mut j, &path, 0, &new, mode)?;
    jsonb_value(j)
}

fn jsonb_delete_path(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    modify(a, None, SetMode::Delete, "cannot delete path in scalar")
}

fn jsonb_set(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let create = a.len() < 4 || matches!(a[3], Value::Bool(true));
    modify(
        a,
        Some(jsonb_arg(a, 2)?),
        SetMode::Set { create },
        "cannot set path in scalar",
    )
}

fn jsonb_insert(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let after = a.len() > 3 && matches!(a[3], Value::Bool(true));
    modify(
        a,
        Some(jsonb_arg(a, 2)?),
        SetMode::Insert { after },
        "cannot set path in scalar",
    )
}

fn strip_nulls(j: J) -> J {
    match j {
        J::Obj(o) => J::Obj(
            o.into_iter()
                .filter(|(_, v)| !matches!(v.j, J::Null))
                .map(|(k, v)| (k, node(strip_nulls(v.j))))
                .collect(),
        ),
        J::Arr(v) => J::Arr(v.into_iter().map(|e| node(strip_nulls(e.j))).collect()),
        other => other,
    }
}

fn jsonb_strip_nulls(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    jsonb_value(strip_nulls(jsonb_arg(a, 0)?))
}

/// jsonb_pretty's layout: four spaces per level, `"key": value`.
fn pretty(j: &J, indent: usize, out: &mut String) {
    let pad = |n: usize, out: &mut String| out.push_str(&" ".repeat(4 * n));
    match j {
        J::Arr(v) => {
            out.push_str("[\n");
            for (i, e) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                pad(indent + 1, out);
                pretty(&e.j, indent + 1, out);
            }
            if !v.is_empty() {
                out.push('\n');
            }
            pad(indent, out);
            out.push(']');
        }
        J::Obj(o) => {
            out.push_str("{\n");
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                pad(indent + 1, out);
                escape(k, out);
                out.push_str(": ");
                pretty(&v.j, indent + 1, out);
            }
            if !o.is_empty() {
                out.push('\n');
            }
            pad(indent, out);
            out.push('}');
        }
        other => {
            let mut s = String::new();
            write(&node(other.clone()), &mut s);
            out.push_str(&s);
        }
    }
}

fn jsonb_pretty(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut out = String::new();
    pretty(&jsonb_arg(a, 0)?, 0, &mut out);
    Ok(Value::Text(out))
}

/// One step of the simple SQL/JSON paths supported: `.key`, `[n]`, `[*]`.
enum Step {
    Key(String),
    Index(i64),
    All,
}

fn parse_jsonpath(p: &str) -> Result<Vec<Step>, SqlError> {
    let unsupported = || {
        SqlError::unsupported(format!(
            "jsonpath \"{p}\" is not supported (only $, .key, [n] and [*] are)"
        ))
    };
    let s = p.trim();
    let s = s.strip_prefix("lax ").map(str::trim_start).unwrap_or(s);
    let mut rest = s.strip_prefix('$').ok_or_else(unsupported)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if let Some(r) = r.strip_prefix('"') {
                let end = r.find('"').ok_or_else(unsupported)?;
                steps.push(Step::Key(r[..end].to_owned()));
                rest = &r[end + 1..];
            } else if let Some(r) = r.strip_prefix('*') {
                let _ = r;
                return Err(unsupported());
            } else {
                let end = r
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(r.len());
                if end == 0 {
                    return Err(unsupported());
                }
                steps.push(Step::Key(r[..end].to_owned()));
                rest = &r[end..];
            }
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(unsupported)?;
            let inner = r[..end].trim();
            steps.push(if inner == "*" {
                Step::All
            } else {
                Step::Index(inner.parse().map_err(|_| unsupported())?)
            });
            rest = &r[end + 1..];
        } else if rest.starts_with(' ') && rest.trim().is_empty() {
            break;
        } else {
            return Err(unsupported());
        }
    }
    Ok(steps)
}

/// Lax-mode evaluation: a key step unwraps arrays, missing items vanish.
fn eval_jsonpath<'n>(n: &'n J, steps: &[Step], out: &mut Vec<&'n J>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(n);
        return;
    };
    match (step, n) {
        (Step::Key(k), J::Obj(o)) => {
            if let Some((_, v)) = o.iter().rev().find(|(kk, _)| kk == k) {
                eval_jsonpath(&v.j, rest, out);
            }
        }
        (Step::Key(_), J::Arr(v)) => {
            for e in v {
                if let J::Obj(_) = e.j {
                    eval_jsonpath(&e.j, steps, out);
                }
            }
        }
        (Step::Index(i), J::Arr(v)) => {
            if let Some(e) = usize::try_from(*i).ok().and_then(|i| v.get(i)) {
                eval_jsonpath(&e.j, rest, out);
            }
        }
        (Step::Index(0), other) => eval_jsonpath(other, rest, out),
        (Step::All, J::Arr(v)) => {
            for e in v {
                eval_jsonpath(&e.j, rest, out);
            }
        }
        (Step::All, other) => eval_jsonpath(other, rest, out),
        _ => {}
    }
}

fn jsonb_path_exists(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let j = jsonb_arg(a, 0)?;
    let steps = parse_jsonpath(text_arg(a, 1)?)?;
    let mut out = Vec::new();
    eval_jsonpath(&j, &steps, &mut out);
    Ok(Value::Bool(!out.is_empty()))
}

fn jsonb_path_query_first(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let j = jsonb_arg(a, 0)?;
    let steps = parse_jsonpath(text_arg(a, 1)?)?;
    let mut out = Vec::new();
    eval_jsonpath(&j, &steps, &mut out);
    match out.first() {
        Some(v) => jsonb_value((*v).clone()),
        None => Ok(Value::Null),
    }
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    for t in [JSON, JSONB] {
        r.op("->", t, TEXT, t, json_get);
        r.op("->", t, INT4, t, json_get);
        r.op("->>", t, TEXT, TEXT, json_get_text);
        r.op("->>", t, INT4, TEXT, json_get_text);
        r.op("#>", t, TEXT_ARRAY, t, json_path);
        r.op("#>>", t, TEXT_ARRAY, TEXT, json_path_text);
    }
    r.op("@>", JSONB, JSONB, BOOL, jsonb_contains);
    r.op("<@", JSONB, JSONB, BOOL, jsonb_contained);
    r.op("?", JSONB, TEXT, BOOL, jsonb_exists);
    r.op("?|", JSONB, TEXT_ARRAY, BOOL, jsonb_exists_any);
    r.op("?&", JSONB, TEXT_ARRAY, BOOL, jsonb_exists_all);
    r.op("||", JSONB, JSONB, JSONB, jsonb_concat);
    r.op("-", JSONB, TEXT, JSONB, jsonb_delete_key);
    r.op("-", JSONB, INT4, JSONB, jsonb_delete_index);
    r.op("-", JSONB, TEXT_ARRAY, JSONB, jsonb_delete_keys);
    r.op("#-", JSONB, TEXT_ARRAY, JSONB, jsonb_delete_path);
    r.func("jsonb_set", &[JSONB, TEXT_ARRAY, JSONB], JSONB, jsonb_set);
    r.func(
        "jsonb_set",
        &[JSONB, TEXT_ARRAY, JSONB, BOOL],
        JSONB,
        jsonb_set,
    );
    r.func(
        "jsonb_insert",
        &[JSONB, TEXT_ARRAY, JSONB],
        JSONB,
        jsonb_insert,
    );
    r.func(
        "jsonb_insert",
        &[JSONB, TEXT_ARRAY, JSONB, BOOL],
        JSONB,
        jsonb_insert,
    );
    r.func("jsonb_strip_nulls", &[JSONB], JSONB, jsonb_strip_nulls);
    r.func("jsonb_pretty", &[JSONB], TEXT, jsonb_pretty);
    r.func("jsonb_path_exists", &[JSONB, TEXT], BOOL, jsonb_path_exists);
    r.func(
        "jsonb_path_query_first",
        &[JSONB, TEXT],
        JSONB,
        jsonb_path_query_first,
    );
    r.func("to_json", &[ANYELEMENT], JSON, to_json).stable();
    r.func("row_to_json", &[RECORD], JSON, to_json).stable();
    r.func("to_jsonb", &[ANYELEMENT], JSONB, to_json).stable();
    r.func("json_build_object", &[ANY], JSON, build_object)
        .variadic()
        .nonstrict()
        .stable();
    r.func("jsonb_build_object", &[ANY], JSONB, build_object)
        .variadic()
        .nonstrict()
        .stable();
    r.func("json_build_object", &[], JSON, build_empty).stable();
    r.func("jsonb_build_object", &[], JSONB, build_empty)
        .stable();
    r.func("json_build_array", &[ANY], JSON, build_array)
        .variadic()
        .nonstrict()
        .stable();
    r.func("jsonb_build_array", &[ANY], JSONB, build_array)
        .variadic()
        .nonstrict()
        .stable();
    r.func("json_build_array", &[], JSON, build_empty_array)
        .stable();
    r.func("jsonb_build_array", &[], JSONB, build_empty_array)
        .stable();
    r.func("json_typeof", &[JSON], TEXT, json_typeof);
    r.func("jsonb_typeof", &[JSONB], TEXT, json_typeof);
    r.func("json_array_length", &[JSON], INT4, array_length);
    r.func("jsonb_array_length", &[JSONB], INT4, array_length);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_spans_and_numbers() {
        let src = r#"{"a": [1, 2.50], "b": "x\ny"}"#;
        let n = parse(src).unwrap();
        let a = get_key(&n, "a").unwrap();
        assert_eq!(&src[a.start..a.end], "[1, 2.50]");
        assert!(matches!(&get_index(a, -1).unwrap().j, J::Num(s) if s == "2.50"));
        assert!(matches!(&get_key(&n, "b").unwrap().j, J::Str(s) if s == "x\ny"));
        assert!(parse("{").is_err());
        let x = parse(r#"{"a": [1, 2, {"b": 1.0}]}"#).unwrap();
        let y = parse(r#"{"a": [{"b": 1}]}"#).unwrap();
        assert!(contains(&x, &y, true));
    }
}
