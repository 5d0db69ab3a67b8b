//! `ARRAY[ARRAY[…], ARRAY[…]]`: stacking arrays into one more dimension.
//!
//! twill-types already holds an array of n > 1 dimensions as its
//! sub-arrays (`{{1,2},{3,4}}` is the elements `{1,2}` and `{3,4}`), so
//! the constructor only has to check what PostgreSQL checks: every
//! sub-array is non-NULL and has the same dimensions and lower bounds,
//! else 2202E. Sub-arrays that are all empty make an empty array, and the
//! result starts at subscript 1 whatever the sub-arrays' bounds were
//! inside them (those stay, as the inner dimensions' bounds).

use twill_types::{Array, Oid, SqlState, Value};

use crate::sql::error::SqlError;

/// The array whose rows are `rows` (each an array of `element_type`).
pub(super) fn stack(element_type: Oid, rows: Vec<Value>) -> Result<Value, SqlError> {
    let mismatch = || {
        SqlError::new(
            SqlState::ARRAY_SUBSCRIPT_ERROR,
            "multidimensional arrays must have array expressions with matching dimensions",
        )
    };
    let mut subs = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Value::Array(a) => subs.push(a),
            _ => return Err(mismatch()),
        }
    }
    let dims = subs.first().map(Array::dimensions).unwrap_or_default();
    if subs.iter().any(|a| a.dimensions() != dims) {
        return Err(mismatch());
    }
    if dims.is_empty() {
        return Ok(Value::Array(Array::new(element_type, Vec::new())));
    }
    if dims.len() >= 6 {
        return Err(SqlError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "number of array dimensions ({}) exceeds the maximum allowed (6)",
                dims.len() + 1
            ),
        ));
    }
    let elements = subs.into_iter().map(Value::Array).collect();
    Ok(Value::Array(Array::new(element_type, elements)))
}
