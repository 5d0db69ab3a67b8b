//! Array functions and operators.
//!
//! twill-types models one-dimensional arrays with a lower bound, which is
//! what these functions produce and accept; multi-dimensional arrays are
//! not modelled (a deliberate limit of the whole engine). Element equality
//! is the element type's `=` (NULL never equals anything, except where
//! PostgreSQL says otherwise: `array_position` finds NULL with IS NOT
//! DISTINCT FROM semantics).

use std::cmp::Ordering;

use twill_types::{Array, Value, oid};

use super::{Builder, FnCtx, int_arg, text_arg};
use crate::sql::error::SqlError;
use crate::sql::expr::coerce::{ANYCOMPATIBLE, ANYCOMPATIBLEARRAY, elem};
use crate::sql::expr::ops::compare_values;

fn arr(v: &Value) -> Result<&Array, SqlError> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(SqlError::internal(format!("expected array, got {other:?}"))),
    }
}

fn same(ctx: &FnCtx<'_, '_>, x: &Value, y: &Value) -> bool {
    !x.is_null()
        && !y.is_null()
        && compare_values(&ctx.eval.settings, x, y).is_ok_and(|o| o == Ordering::Equal)
}

fn array_length(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, dim) = (arr(&a[0])?, int_arg(a, 1)?);
    Ok(if dim == 1 && !x.elements.is_empty() {
        Value::Int4(x.elements.len() as i32)
    } else {
        Value::Null
    })
}

fn array_lower(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, dim) = (arr(&a[0])?, int_arg(a, 1)?);
    Ok(if dim == 1 && !x.elements.is_empty() {
        Value::Int4(x.lower_bound)
    } else {
        Value::Null
    })
}

fn array_upper(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, dim) = (arr(&a[0])?, int_arg(a, 1)?);
    Ok(if dim == 1 && !x.elements.is_empty() {
        Value::Int4(x.lower_bound + x.elements.len() as i32 - 1)
    } else {
        Value::Null
    })
}

fn array_ndims(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(if arr(&a[0])?.elements.is_empty() {
        Value::Null
    } else {
        Value::Int4(1)
    })
}

fn array_dims(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let x = arr(&a[0])?;
    Ok(if x.elements.is_empty() {
        Value::Null
    } else {
        Value::Text(format!(
            "[{}:{}]",
            x.lower_bound,
            x.lower_bound + x.elements.len() as i32 - 1
        ))
    })
}

fn cardinality(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Int4(arr(&a[0])?.elements.len() as i32))
}

fn array_position(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Array(x) = &a[0] else {
        return Ok(Value::Null);
    };
    let start = if a.len() > 2 {
        if a[2].is_null() {
            return Err(SqlError::invalid_parameter(
                "initial position must not be null",
            ));
        }
        int_arg(a, 2)?
    } else {
        x.lower_bound as i64
    };
    for (i, e) in x.elements.iter().enumerate() {
        let pos = x.lower_bound as i64 + i as i64;
        if pos < start {
            continue;
        }
        if (e.is_null() && a[1].is_null()) || same(ctx, e, &a[1]) {
            return Ok(Value::Int4(pos as i32));
        }
    }
    Ok(Value::Null)
}

fn array_positions(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Array(x) = &a[0] else {
        return Ok(Value::Null);
    };
    let found = x
        .elements
        .iter()
        .enumerate()
        .filter(|(_, e)| (e.is_null() && a[1].is_null()) || same(ctx, e, &a[1]))
        .map(|(i, _)| Value::Int4(x.lower_bound + i as i32))
        .collect();
    Ok(Value::Array(Array::new(oid::INT4, found)))
}

fn array_to_string(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, sep) = (arr(&a[0])?, text_arg(a, 1)?);
    let null = if a.len() > 2 {
        match &a[2] {
            Value::Text(s) => Some(s.as_str()),
            _ => None,
        }
    } else {
        None
    };
    let mut parts = Vec::new();
    for e in &x.elements {
        match (e, null) {
            (Value::Null, Some(n)) => parts.push(n.to_owned()),
            (Value::Null, None) => {}
            (v, _) => parts.push(v.to_text(&ctx.eval.settings)),
        }
    }
    Ok(Value::Text(parts.join(sep)))
}

fn string_to_array(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Text(s) = &a[0] else {
        return Ok(Value::Null);
    };
    let null = if a.len() > 2 {
        match &a[2] {
            Value::Text(n) => Some(n.as_str()),
            _ => None,
        }
    } else {
        None
    };
    let parts: Vec<String> = match &a[1] {
        Value::Null => s.chars().map(String::from).collect(),
        Value::Text(d) if d.is_empty() => {
            if s.is_empty() {
                vec![]
            } else {
                vec![s.clone()]
            }
        }
        Value::Text(d) => {
            if s.is_empty() {
                vec![]
            } else {
                s.split(d.as_str()).map(str::to_owned).collect()
            }
        }
        other => return Err(SqlError::internal(format!("delimiter {other:?}"))),
    };
    let elems = parts
        .into_iter()
        .map(|p| {
            if Some(p.as_str()) == null {
                Value::Null
            } else {
                Value::Text(p)
            }
        })
        .collect();
    Ok(Value::Array(Array::new(oid::TEXT, elems)))
}

fn elem_type(ctx: &FnCtx<'_, '_>) -> twill_types::Oid {
    elem(ctx.ret)
}

fn array_append(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut out = match &a[0] {
        Value::Array(x) => x.clone(),
        _ => Array::new(elem_type(ctx), Vec::new()),
    };
    out.elements.push(a[1].clone());
    Ok(Value::Array(out))
}

fn array_prepend(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let mut out = match &a[1] {
        Value::Array(x) => x.clone(),
        _ => Array::new(elem_type(ctx), Vec::new()),
    };
    out.elements.insert(0, a[0].clone());
    Ok(Value::Array(out))
}

fn array_cat(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    match (&a[0], &a[1]) {
        (Value::Null, Value::Null) => Ok(Value::Null),
        (Value::Null, v) | (v, Value::Null) => Ok(v.clone()),
        (Value::Array(x), Value::Array(y)) => {
            let mut out = if x.elements.is_empty() {
                y.clone()
            } else {
                x.clone()
            };
            if !x.elements.is_empty() {
                out.elements.extend(y.elements.iter().cloned());
            }
            out.element_type = elem_type(ctx);
            Ok(Value::Array(out))
        }
        _ => Err(SqlError::internal("array_cat on non-arrays")),
    }
}

fn array_remove(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Array(x) = &a[0] else {
        return Ok(Value::Null);
    };
    let mut out = x.clone();
    out.elements
        .retain(|e| !((e.is_null() && a[1].is_null()) || same(ctx, e, &a[1])));
    out.lower_bound = 1;
    Ok(Value::Array(out))
}

/// `a @> b`: every non-NULL… every element of `b` is in `a` (NULLs never
/// match).
fn contains(ctx: &FnCtx<'_, '_>, x: &Array, y: &Array) -> bool {
    y.elements
        .iter()
        .all(|e| x.elements.iter().any(|f| same(ctx, f, e)))
}

fn arraycontains(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(contains(ctx, arr(&a[0])?, arr(&a[1])?)))
}

fn arraycontained(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(contains(ctx, arr(&a[1])?, arr(&a[0])?)))
}

fn arrayoverlap(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let (x, y) = (arr(&a[0])?, arr(&a[1])?);
    Ok(Value::Bool(
        x.elements
            .iter()
            .any(|e| y.elements.iter().any(|f| same(ctx, e, f))),
    ))
}

/// `array_replace(a, from, to)`: NULL matches NULL, as in PostgreSQL.
fn array_replace(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let Value::Array(x) = &a[0] else {
        return Ok(Value::Null);
    };
    let mut out = x.clone();
    for e in &mut out.elements {
        if (e.is_null() && a[1].is_null()) || same(ctx, e, &a[1]) {
            *e = a[2].clone();
        }
    }
    out.element_type = elem_type(ctx);
    Ok(Value::Array(out))
}

/// `array_fill(value, dims [, lower_bounds])`, one dimension only.
fn array_fill(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let null_dims = || {
        SqlError::new(
            twill_types::SqlState::NULL_VALUE_NOT_ALLOWED,
            "dimension array or low bound array cannot be null",
        )
    };
    let dims = match &a[1] {
        Value::Array(d) => d,
        _ => return Err(null_dims()),
    };
    let lower = match a.get(2) {
        None => None,
        Some(Value::Array(l)) => Some(l),
        Some(_) => return Err(null_dims()),
    };
    if let Some(l) = lower
        && l.elements.len() != dims.elements.len()
    {
        return Err(SqlError::new(
            twill_types::SqlState::from_code("2202E"),
            "wrong number of array subscripts",
        )
        .with_detail("Low bound array has different size than dimensions array."));
    }
    if dims.elements.is_empty() {
        return Ok(Value::Array(Array::new(elem_type(ctx), Vec::new())));
    }
    if dims.elements.len() > 1 {
        return Err(SqlError::unsupported(
            "multidimensional arrays are not supported",
        ));
    }
    let n = match &dims.elements[0] {
        Value::Null => {
            return Err(SqlError::new(
                twill_types::SqlState::NULL_VALUE_NOT_ALLOWED,
                "dimension values cannot be null",
            ));
        }
        v => int_arg(std::slice::from_ref(v), 0)?,
    };
    let lb = match lower.map(|l| &l.elements[0]) {
        None => 1,
        Some(Value::Null) => {
            return Err(SqlError::new(
                twill_types::SqlState::NULL_VALUE_NOT_ALLOWED,
                "dimension values cannot be null",
            ));
        }
        Some(v) => int_arg(std::slice::from_ref(v), 0)?,
    };
    if n <= 0 {
        return Ok(Value::Array(Array::new(elem_type(ctx), Vec::new())));
    }
    if n > 134_217_727 {
        return Err(SqlError::new(
            twill_types::SqlState::PROGRAM_LIMIT_EXCEEDED,
            "array size exceeds the maximum allowed (134217727)",
        ));
    }
    let mut out = Array::new(elem_type(ctx), vec![a[0].clone(); n as usize]);
    out.lower_bound = lb as i32;
    Ok(Value::Array(out))
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    r.func("array_length", &[ANYARRAY, INT4], INT4, array_length);
    r.func(
        "array_replace",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        array_replace,
    )
    .nonstrict();
    r.func(
        "array_fill",
        &[ANYELEMENT, INT4_ARRAY],
        ANYARRAY,
        array_fill,
    )
    .nonstrict();
    r.func(
        "array_fill",
        &[ANYELEMENT, INT4_ARRAY, INT4_ARRAY],
        ANYARRAY,
        array_fill,
    )
    .nonstrict();
    r.func("array_lower", &[ANYARRAY, INT4], INT4, array_lower);
    r.func("array_upper", &[ANYARRAY, INT4], INT4, array_upper);
    r.func("array_ndims", &[ANYARRAY], INT4, array_ndims);
    r.func("array_dims", &[ANYARRAY], TEXT, array_dims);
    r.func("cardinality", &[ANYARRAY], INT4, cardinality);
    r.func(
        "array_position",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        INT4,
        array_position,
    )
    .nonstrict();
    r.func(
        "array_position",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, INT4],
        INT4,
        array_position,
    )
    .nonstrict();
    r.func(
        "array_positions",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        INT4_ARRAY,
        array_positions,
    )
    .nonstrict();
    r.func("array_to_string", &[ANYARRAY, TEXT], TEXT, array_to_string)
        .stable();
    r.func(
        "array_to_string",
        &[ANYARRAY, TEXT, TEXT],
        TEXT,
        array_to_string,
    )
    .nonstrict()
    .stable();
    r.func(
        "string_to_array",
        &[TEXT, TEXT],
        TEXT_ARRAY,
        string_to_array,
    )
    .nonstrict();
    r.func(
        "string_to_array",
        &[TEXT, TEXT, TEXT],
        TEXT_ARRAY,
        string_to_array,
    )
    .nonstrict();
    r.func(
        "array_append",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        array_append,
    )
    .nonstrict();
    r.func(
        "array_prepend",
        &[ANYCOMPATIBLE, ANYCOMPATIBLEARRAY],
        ANYCOMPATIBLEARRAY,
        array_prepend,
    )
    .nonstrict();
    r.func(
        "array_cat",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY],
        ANYCOMPATIBLEARRAY,
        array_cat,
    )
    .nonstrict();
    r.func(
        "array_remove",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        array_remove,
    )
    .nonstrict();
    r.op(
        "||",
        ANYCOMPATIBLEARRAY,
        ANYCOMPATIBLEARRAY,
        ANYCOMPATIBLEARRAY,
        array_cat,
    )
    .nonstrict();
    r.op(
        "||",
        ANYCOMPATIBLEARRAY,
        ANYCOMPATIBLE,
        ANYCOMPATIBLEARRAY,
        array_append,
    )
    .nonstrict();
    r.op(
        "||",
        ANYCOMPATIBLE,
        ANYCOMPATIBLEARRAY,
        ANYCOMPATIBLEARRAY,
        array_prepend,
    )
    .nonstrict();
    r.op("@>", ANYARRAY, ANYARRAY, BOOL, arraycontains);
    r.op("<@", ANYARRAY, ANYARRAY, BOOL, arraycontained);
    r.op("&&", ANYARRAY, ANYARRAY, BOOL, arrayoverlap);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::expr::EvalContext;

    #[test]
    fn containment_ignores_nulls() {
        let ctx = EvalContext::new();
        let f = FnCtx {
            eval: &ctx,
            ret: oid::BOOL,
            arg_types: &[],
        };
        let a = Array::new(oid::INT4, vec![Value::Int4(1), Value::Null]);
        let b = Array::new(oid::INT4, vec![Value::Null]);
        assert!(!contains(&f, &a, &b));
        assert!(contains(
            &f,
            &a,
            &Array::new(oid::INT4, vec![Value::Int4(1)])
        ));
    }
}
