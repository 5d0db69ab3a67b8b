//! Arrays of any element type, of one to six dimensions.
//!
//! The text form is `{1,2,NULL,"a b"}`: elements are the element type's
//! own text output, double-quoted (with `\` escapes) when they are empty,
//! spell `NULL`, or contain a delimiter, brace, quote, backslash or
//! whitespace. Dimensions nest braces (`{{1,2},{3,4}}`); lower bounds other
//! than 1 are written as a `[0:1][1:2]=` prefix. The binary form is a
//! header (dimensions, has-nulls flag, element OID, then size and lower
//! bound per dimension) followed by each element's binary form behind an
//! `i32` length, -1 for NULL, in row-major order.
//!
//! An [`Array`] of more than one dimension holds its sub-arrays as
//! `Value::Array` elements (the rows of `{{1,2},{3,4}}` are `{1,2}` and
//! `{3,4}`), all of the same length and lower bound, as PostgreSQL requires
//! arrays to be rectangular.

use crate::error::Reader;
use crate::{Format, FormatSettings, Oid, SqlState, Type, TypeError, Value};

/// Most dimensions PostgreSQL allows (`MAXDIM`).
const MAXDIM: usize = 6;
/// Most elements one array may have (PostgreSQL's `MaxArraySize`).
const MAX_ARRAY_SIZE: i64 = 0x3FF_FFFF / 4;

/// An array value.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// The element type's OID (the array type is `Type::by_oid(element_type).array`).
    pub element_type: Oid,
    /// The subscript of the first element (1 unless written otherwise).
    pub lower_bound: i32,
    /// The elements, `Value::Null` for NULL elements; for a
    /// multidimensional array, the sub-arrays (`Value::Array`).
    pub elements: Vec<Value>,
}

/// Size and lower bound of one dimension.
type Dim = (i32, i32);

impl Array {
    /// A one-dimensional array with lower bound 1.
    pub fn new(element_type: Oid, elements: Vec<Value>) -> Array {
        Array {
            element_type,
            lower_bound: 1,
            elements,
        }
    }

    /// The OID of the array type, 0 if the element type has none.
    pub fn type_oid(&self) -> Oid {
        Type::by_oid(self.element_type).map_or(0, |t| t.array)
    }

    /// An array of `dims.len()` dimensions ((size, lower bound) each) from
    /// its scalar elements in row-major order; 2202E unless there are
    /// exactly as many elements as the dimensions hold.
    pub fn with_dimensions(
        element_type: Oid,
        dims: &[(i32, i32)],
        elements: Vec<Value>,
    ) -> Result<Array, TypeError> {
        let total = dims.iter().try_fold(1i64, |acc, &(len, _)| {
            (len >= 0).then(|| acc.saturating_mul(len as i64))
        });
        if dims.is_empty() || dims.len() > MAXDIM || total != Some(elements.len() as i64) {
            return Err(TypeError::new(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "wrong number of array elements for the given dimensions",
            ));
        }
        if elements.is_empty() {
            return Ok(Array::new(element_type, elements));
        }
        Ok(Array::nest(element_type, dims, &mut elements.into_iter()))
    }

    /// The scalar elements in row-major order (all of them, whatever the
    /// number of dimensions).
    pub fn scalars(&self) -> Vec<&Value> {
        let mut out = Vec::new();
        self.leaves(self.dimensions().len(), &mut out);
        out
    }

    /// The (size, lower bound) of each dimension, read along the first
    /// sub-array of each level; empty for an empty array.
    pub fn dimensions(&self) -> Vec<(i32, i32)> {
        let mut dims = Vec::new();
        let mut level = self;
        loop {
            if level.elements.is_empty() {
                return dims;
            }
            dims.push((level.elements.len() as i32, level.lower_bound));
            match level.elements.first() {
                Some(Value::Array(sub)) if dims.len() < MAXDIM => level = sub,
                _ => return dims,
            }
        }
    }

    fn delim(&self) -> u8 {
        Type::by_oid(self.element_type).map_or(b',', |t| t.delim as u8)
    }

    /// Text output.
    pub(crate) fn format_text(&self, settings: &FormatSettings, out: &mut Vec<u8>) {
        if self.elements.is_empty() {
            out.extend_from_slice(b"{}");
            return;
        }
        let dims = self.dimensions();
        if dims.iter().any(|&(_, lb)| lb != 1) {
            for (len, lb) in dims {
                let upper = lb as i64 + len as i64 - 1;
                out.extend_from_slice(format!("[{lb}:{upper}]").as_bytes());
            }
            out.push(b'=');
        }
        self.write_level(self.delim(), settings, out);
    }

    /// One brace level of the text form, without a dimension prefix.
    fn write_level(&self, delim: u8, settings: &FormatSettings, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut buf = Vec::new();
        for (i, e) in self.elements.iter().enumerate() {
            if i > 0 {
                out.push(delim);
            }
            match e {
                Value::Null => out.extend_from_slice(b"NULL"),
                Value::Array(sub) => sub.write_level(delim, settings, out),
                _ => {
                    buf.clear();
                    e.encode(Format::Text, settings, &mut buf);
                    let needs_quotes = buf.is_empty()
                        || buf.eq_ignore_ascii_case(b"NULL")
                        || buf.iter().any(|&c| {
                            c == b'"'
                                || c == b'\\'
                                || c == b'{'
                                || c == b'}'
                                || c == delim
                                || is_space(c)
                        });
                    if needs_quotes {
                        out.push(b'"');
                        for &c in &buf {
                            if c == b'"' || c == b'\\' {
                                out.push(b'\\');
                            }
                            out.push(c);
                        }
                        out.push(b'"');
                    } else {
                        out.extend_from_slice(&buf);
                    }
                }
            }
        }
        out.push(b'}');
    }

    /// Binary output.
    pub(crate) fn format_binary(&self, settings: &FormatSettings, out: &mut Vec<u8>) {
        let dims = self.dimensions();
        let mut leaves = Vec::new();
        self.leaves(dims.len(), &mut leaves);
        let has_nulls = leaves.iter().any(|e| matches!(e, Value::Null));
        out.extend_from_slice(&(dims.len() as i32).to_be_bytes());
        out.extend_from_slice(&(has_nulls as i32).to_be_bytes());
        out.extend_from_slice(&self.element_type.to_be_bytes());
        for (len, lb) in &dims {
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&lb.to_be_bytes());
        }
        for e in leaves {
            if matches!(e, Value::Null) {
                out.extend_from_slice(&(-1i32).to_be_bytes());
                continue;
            }
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            e.encode(Format::Binary, settings, out);
            let len = (out.len() - at - 4) as i32;
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
    }

    /// The scalar elements in row-major order, `depth` levels down.
    fn leaves<'a>(&'a self, depth: usize, out: &mut Vec<&'a Value>) {
        for e in &self.elements {
            match e {
                Value::Array(sub) if depth > 1 => sub.leaves(depth - 1, out),
                _ => out.push(e),
            }
        }
    }

    /// Nests a row-major list of scalars into sub-arrays along `dims`.
    fn nest(element_type: Oid, dims: &[Dim], leaves: &mut std::vec::IntoIter<Value>) -> Array {
        let (len, lower_bound) = dims[0];
        let elements = (0..len)
            .map(|_| {
                if dims.len() > 1 {
                    Value::Array(Array::nest(element_type, &dims[1..], leaves))
                } else {
                    leaves.next().unwrap_or(Value::Null)
                }
            })
            .collect();
        Array {
            element_type,
            lower_bound,
            elements,
        }
    }

    /// Binary input (`array_recv`), for an array whose elements should be
    /// `element_type`.
    pub(crate) fn parse_binary(
        element_type: Oid,
        bytes: &[u8],
        settings: &FormatSettings,
    ) -> Result<Array, TypeError> {
        let bin = |m: String| TypeError::new(SqlState::INVALID_BINARY_REPRESENTATION, m);
        let mut r = Reader::new(bytes);
        let ndim = r.i32()?;
        if ndim > MAXDIM as i32 {
            return Err(TypeError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "number of array dimensions ({ndim}) exceeds the maximum allowed ({MAXDIM})"
                ),
            ));
        }
        if ndim < 0 {
            return Err(bin(format!("invalid number of dimensions: {ndim}")));
        }
        let flags = r.i32()?;
        if flags != 0 && flags != 1 {
            return Err(bin("invalid array flags".into()));
        }
        let elem = r.u32()?;
        if elem != element_type {
            let name = |o: Oid| Type::by_oid(o).map_or_else(|| "???".to_owned(), |t| t.sql_name());
            return Err(TypeError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "binary data has array element type {elem} ({}) instead of expected {element_type} ({})",
                    name(elem),
                    name(element_type)
                ),
            ));
        }
        let mut dims = Vec::with_capacity(ndim as usize);
        let mut total: i64 = 1;
        for _ in 0..ndim {
            let len = r.i32()?;
            let lb = r.i32()?;
            if len < 0 || lb as i64 + len as i64 - 1 > i32::MAX as i64 {
                return Err(too_large());
            }
            total = total.saturating_mul(len as i64);
            if total > MAX_ARRAY_SIZE {
                return Err(too_large());
            }
            dims.push((len, lb));
        }
        if ndim == 0 || total == 0 {
            r.finish()?;
            return Ok(Array::new(element_type, Vec::new()));
        }
        let mut leaves = Vec::with_capacity((total as usize).min(bytes.len() / 4));
        for _ in 0..total {
            let len = r.i32()?;
            if len == -1 {
                leaves.push(Value::Null);
                continue;
            }
            if len < 0 {
                return Err(TypeError::insufficient_data());
            }
            let data = r.take(len as usize)?;
            leaves.push(Value::decode(element_type, Format::Binary, data, settings)?);
        }
        r.finish()?;
        Ok(Array::nest(element_type, &dims, &mut leaves.into_iter()))
    }

    /// Text input (`array_in`).
    pub(crate) fn parse_text(
        element_type: Oid,
        input: &str,
        settings: &FormatSettings,
    ) -> Result<Array, TypeError> {
        let mut p = TextParser {
            b: input.as_bytes(),
            i: 0,
            input,
            delim: Type::by_oid(element_type).map_or(b',', |t| t.delim as u8),
            element_type,
            settings,
        };
        p.skip_ws();
        // Optional `[lb:ub][lb:ub]=` dimension decoration.
        let mut bounds: Vec<Dim> = Vec::new();
        while p.peek() == Some(b'[') {
            let rest = &input[p.i..];
            let close = rest.find(']').ok_or_else(|| p.malformed())?;
            let inner = &rest[1..close];
            let (lo, hi) = match inner.split_once(':') {
                Some((lo, hi)) => (lo.trim(), hi.trim()),
                None => ("1", inner.trim()),
            };
            let lo: i64 = lo.parse().map_err(|_| p.malformed())?;
            let hi: i64 = hi.parse().map_err(|_| p.malformed())?;
            if hi < lo - 1 || lo < i32::MIN as i64 || hi > i32::MAX as i64 {
                return Err(p.malformed());
            }
            bounds.push(((hi - lo + 1) as i32, lo as i32));
            if bounds.len() > MAXDIM {
                return Err(too_many_dims(bounds.len()));
            }
            p.i += close + 1;
            p.skip_ws();
        }
        if !bounds.is_empty() {
            if p.peek() != Some(b'=') {
                return Err(p.malformed());
            }
            p.i += 1;
            p.skip_ws();
        }
        if p.peek() != Some(b'{') {
            return Err(p.malformed());
        }
        let mut array = p.level(1)?;
        p.skip_ws();
        if p.i != p.b.len() {
            return Err(p.malformed());
        }
        if array.elements.is_empty() {
            return Ok(array);
        }
        if !bounds.is_empty() {
            let dims = array.dimensions();
            if dims.len() != bounds.len() || dims.iter().zip(&bounds).any(|(d, b)| d.0 != b.0) {
                return Err(p.malformed());
            }
            array.set_lower_bounds(&bounds);
        }
        Ok(array)
    }

    fn set_lower_bounds(&mut self, bounds: &[Dim]) {
        if let Some(&(_, lb)) = bounds.first() {
            self.lower_bound = lb;
            for e in &mut self.elements {
                if let Value::Array(sub) = e {
                    sub.set_lower_bounds(&bounds[1..]);
                }
            }
        }
    }
}

/// The recursive-descent reader of the text form.
struct TextParser<'a> {
    b: &'a [u8],
    i: usize,
    input: &'a str,
    delim: u8,
    element_type: Oid,
    settings: &'a FormatSettings,
}

impl TextParser<'_> {
    fn malformed(&self) -> TypeError {
        TypeError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{}\"", self.input),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.i += 1;
        }
    }

    /// One `{...}` level; `self.i` is at its `{`.
    fn level(&mut self, depth: usize) -> Result<Array, TypeError> {
        if depth > MAXDIM {
            return Err(too_many_dims(depth));
        }
        self.i += 1;
        let mut elements = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Array::new(self.element_type, elements));
        }
        let mut nested: Option<bool> = None;
        loop {
            self.skip_ws();
            let is_sub = self.peek() == Some(b'{');
            if nested.is_some_and(|n| n != is_sub) {
                return Err(self.malformed());
            }
            nested = Some(is_sub);
            if is_sub {
                let sub = self.level(depth + 1)?;
                // Sub-arrays must be non-empty and all alike.
                if sub.elements.is_empty() {
                    return Err(self.malformed());
                }
                if let Some(Value::Array(first)) = elements.first()
                    && first.dimensions() != sub.dimensions()
                {
                    return Err(self.malformed());
                }
                elements.push(Value::Array(sub));
                self.skip_ws();
            } else {
                elements.push(self.element()?);
            }
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Array::new(self.element_type, elements));
                }
                Some(c) if c == self.delim => self.i += 1,
                _ => return Err(self.malformed()),
            }
        }
    }

    /// One scalar element, quoted and unquoted parts mixed; stops at the
    /// delimiter or closing brace.
    fn element(&mut self) -> Result<Value, TypeError> {
        let mut text = Vec::new();
        let mut quoted = false;
        let mut last_significant = 0; // length of text up to the last non-space
        loop {
            let Some(c) = self.peek() else {
                return Err(self.malformed());
            };
            match c {
                b'"' => {
                    quoted = true;
                    self.i += 1;
                    loop {
                        let Some(c) = self.peek() else {
                            return Err(self.malformed());
                        };
                        self.i += 1;
                        match c {
                            b'"' => break,
                            b'\\' => {
                                let Some(e) = self.peek() else {
                                    return Err(self.malformed());
                                };
                                text.push(e);
                                self.i += 1;
                            }
                            _ => text.push(c),
                        }
                    }
                    last_significant = text.len();
                }
                b'\\' => {
                    let Some(&e) = self.b.get(self.i + 1) else {
                        return Err(self.malformed());
                    };
                    text.push(e);
                    self.i += 2;
                    last_significant = text.len();
                }
                b'{' => return Err(self.malformed()),
                b'}' => break,
                c if c == self.delim => break,
                c => {
                    text.push(c);
                    self.i += 1;
                    if !is_space(c) {
                        last_significant = text.len();
                    }
                }
            }
        }
        text.truncate(last_significant);
        if text.is_empty() && !quoted {
            return Err(self.malformed());
        }
        if !quoted && text.eq_ignore_ascii_case(b"NULL") {
            return Ok(Value::Null);
        }
        Value::decode(self.element_type, Format::Text, &text, self.settings)
    }
}

fn too_large() -> TypeError {
    TypeError::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        "array size exceeds the maximum allowed",
    )
}

fn too_many_dims(n: usize) -> TypeError {
    TypeError::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        format!("number of array dimensions ({n}) exceeds the maximum allowed ({MAXDIM})"),
    )
}

/// PostgreSQL's `array_isspace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}
