//! `json` and `jsonb` text: a small validating parser and jsonb's printer.
//!
//! `json` keeps its input text verbatim once validated. `jsonb` stores a
//! decoded tree, so its text output is normalised: one space after `:` and
//! `,`, object keys ordered by length and then bytewise, duplicate keys
//! resolved last-wins, numbers printed as `numeric` (`1e2` → `100`), and
//! strings re-escaped minimally. Clients that compare jsonb output (and
//! ORMs that diff it) see exactly PostgreSQL's bytes.
//!
//! The parser is recursive with a depth limit, so hostile nesting fails
//! with an error instead of exhausting the stack.

use crate::numeric::Numeric;
use crate::{SqlState, TypeError};

/// Deepest nesting accepted: enough for real documents, shallow enough for
/// a 2 MiB thread stack in a debug build.
const MAX_DEPTH: usize = 256;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    /// The number as `numeric` text.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    /// jsonb rejects `\u0000`; json accepts it.
    binary: bool,
}

fn syntax() -> TypeError {
    TypeError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type json",
    )
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, TypeError> {
        if depth > MAX_DEPTH {
            return Err(TypeError::new(
                SqlState::from_code("54001"),
                "stack depth limit exceeded",
            ));
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else {
            return Err(syntax());
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(syntax());
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(syntax());
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(syntax()),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(syntax()),
                    }
                }
            }
            b'"' => Ok(Json::String(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                for (word, v) in [
                    ("true", Json::Bool(true)),
                    ("false", Json::Bool(false)),
                    ("null", Json::Null),
                ] {
                    if self.b[self.i..].starts_with(word.as_bytes()) {
                        let end = self.i + word.len();
                        // `trueX` is one bad token, not `true` then `X`.
                        if self
                            .b
                            .get(end)
                            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                        {
                            return Err(syntax());
                        }
                        self.i = end;
                        return Ok(v);
                    }
                }
                Err(syntax())
            }
        }
    }

    fn number(&mut self) -> Result<Json, TypeError> {
        let start = self.i;
        let b = self.b;
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - s
        };
        if b[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(&mut self.i);
        if n == 0 || (n > 1 && b[int_start] == b'0') {
            return Err(syntax());
        }
        if b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(&mut self.i) == 0 {
                return Err(syntax());
            }
        }
        if matches!(b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(&mut self.i) == 0 {
                return Err(syntax());
            }
        }
        if b.get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
        {
            return Err(syntax());
        }
        // The slice holds only ASCII digits, signs, '.', 'e'.
        let text = std::str::from_utf8(&b[start..self.i]).map_err(|_| syntax())?;
        Ok(Json::Number(text.to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, TypeError> {
        let s = self.b.get(self.i..self.i + 4).ok_or_else(syntax)?;
        let mut v = 0;
        for &c in s {
            v = v * 16 + (c as char).to_digit(16).ok_or_else(syntax)?;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, TypeError> {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(syntax());
            };
            self.i += 1;
            match c {
                b'"' => break,
                0..=0x1f => return Err(syntax()),
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(syntax());
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' if !self.binary => {
                            // json only validates; like PostgreSQL it does not
                            // pair surrogates it is not asked to decode.
                            self.hex4()?;
                            out.push(b'?');
                        }
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(syntax());
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(syntax());
                                }
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            } else if (0xDC00..0xE000).contains(&cp) {
                                return Err(syntax());
                            }
                            if cp == 0 && self.binary {
                                return Err(TypeError::new(
                                    SqlState::UNTRANSLATABLE_CHARACTER,
                                    "unsupported Unicode escape sequence",
                                ));
                            }
                            let ch = char::from_u32(cp).ok_or_else(syntax)?;
                            let mut buf = [0; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(syntax()),
                    }
                }
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| syntax())
    }
}

fn parse(text: &str, binary: bool) -> Result<Json, TypeError> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
        binary,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(syntax());
    }
    Ok(v)
}

/// Validates `json` text input (the text is stored as is).
pub(crate) fn validate_json(text: &str) -> Result<(), TypeError> {
    parse(text, false).map(|_| ())
}

/// Parses `jsonb` text input and returns its normalised text form.
pub fn normalize_jsonb(text: &str) -> Result<String, TypeError> {
    let v = parse(text, true)?;
    let mut out = String::with_capacity(text.len());
    print(&normalize(v)?, &mut out);
    Ok(out)
}

fn normalize(v: Json) -> Result<Json, TypeError> {
    Ok(match v {
        Json::Number(n) => Json::Number(n.parse::<Numeric>()?.to_string()),
        Json::Array(items) => {
            Json::Array(items.into_iter().map(normalize).collect::<Result<_, _>>()?)
        }
        Json::Object(members) => {
            let mut members: Vec<(String, Json)> = members
                .into_iter()
                .map(|(k, v)| Ok((k, normalize(v)?)))
                .collect::<Result<_, TypeError>>()?;
            // Stable sort keeps input order among equal keys; keep the last.
            members.sort_by(|a, b| {
                a.0.len()
                    .cmp(&b.0.len())
                    .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
            });
            let mut out: Vec<(String, Json)> = Vec::with_capacity(members.len());
            for (k, v) in members {
                match out.last_mut() {
                    Some(last) if last.0 == k => last.1 = v,
                    _ => out.push((k, v)),
                }
            }
            Json::Object(out)
        }
        other => other,
    })
}

/// Appends `s` as a JSON string literal, quotes included (PostgreSQL's
/// `escape_json`).
pub fn escape_json(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn print(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => escape_json(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                print(item, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                escape_json(k, out);
                out.push_str(": ");
                print(v, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonb_normal_form() {
        for (input, want) in [
            (r#"{"b": [1,2], "a":1}"#, r#"{"a": 1, "b": [1, 2]}"#),
            (
                r#"{"aa":1,"b":2,"a":3,"a":4}"#,
                r#"{"a": 4, "b": 2, "aa": 1}"#,
            ),
            (
                r#" [1e2, -0, 1.50, "x\u0041\n/\/"] "#,
                r#"[100, 0, 1.50, "xA\n//"]"#,
            ),
            (r#""\ud83d\ude00""#, "\"\u{1F600}\""),
            ("{}", "{}"),
            ("[]", "[]"),
            ("null", "null"),
            (r#""\u001f""#, r#""\u001f""#),
        ] {
            assert_eq!(normalize_jsonb(input).unwrap(), want, "{input}");
        }
        for bad in [
            "",
            "{",
            "[1,]",
            "01",
            "1.",
            "tru",
            "truex",
            r#"{"a"}"#,
            "\"\u{1}\"",
            r#""\ud800""#,
            "[1] 2",
        ] {
            assert!(normalize_jsonb(bad).is_err(), "{bad}");
        }
        assert!(normalize_jsonb(r#""\u0000""#).is_err());
        assert!(validate_json(r#""\u0000""#).is_ok());
        let deep = "[".repeat(100_000);
        assert!(validate_json(&deep).is_err());
    }
}
