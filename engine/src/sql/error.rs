//! [`SqlError`]: the one error type of the SQL layer.
//!
//! Every error a statement can hit — a name that does not resolve, an
//! operator with no match, a division by zero, a value too long for its
//! column — reaches the client as an ErrorResponse, and clients branch on
//! its SQLSTATE (and people read its message), so an error here is exactly
//! the fields of that response: the code, PostgreSQL's own wording, and the
//! optional detail, hint and 1-based character position into the query text.
//! Nothing is a panic: bad input is data.

use std::fmt;

use twill_types::{SqlState, TypeError};

/// An error raised while binding or evaluating SQL, shaped like
/// PostgreSQL's ErrorResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// The SQLSTATE: what the client should do about it.
    pub code: SqlState,
    /// The primary message, in PostgreSQL's wording.
    pub message: String,
    /// The DETAIL field, when PostgreSQL sends one.
    pub detail: Option<String>,
    /// The HINT field (e.g. "You might need to add explicit type casts.").
    pub hint: Option<String>,
    /// The POSITION field: 1-based character offset into the query text of
    /// the construct that failed, when known.
    pub position: Option<u32>,
}

impl SqlError {
    /// An error with a code and message and nothing else.
    pub fn new(code: SqlState, message: impl Into<String>) -> SqlError {
        SqlError {
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
        }
    }

    /// This error with a HINT.
    pub fn with_hint(mut self, hint: impl Into<String>) -> SqlError {
        self.hint = Some(hint.into());
        self
    }

    /// This error with a DETAIL.
    pub fn with_detail(mut self, detail: impl Into<String>) -> SqlError {
        self.detail = Some(detail.into());
        self
    }

    /// This error with a POSITION, unless it already has one (the innermost
    /// construct that knows its position wins, as in PostgreSQL).
    pub fn at(mut self, position: Option<u32>) -> SqlError {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }

    /// 22003 with this message (`integer out of range`, …).
    pub fn out_of_range(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, message)
    }

    /// 22012 `division by zero`.
    pub fn division_by_zero() -> SqlError {
        SqlError::new(SqlState::DIVISION_BY_ZERO, "division by zero")
    }

    /// 0A000 for what this engine does not do (yet).
    pub fn unsupported(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlState::FEATURE_NOT_SUPPORTED, message)
    }

    /// 22023 `invalid_parameter_value`, the code of most bad function arguments.
    pub fn invalid_parameter(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlState::INVALID_PARAMETER_VALUE, message)
    }

    /// 42601 syntax error.
    pub fn syntax(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlState::SYNTAX_ERROR, message)
    }

    /// XX000: a state the binder should have made impossible. Reported,
    /// never panicked on.
    pub fn internal(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlState::INTERNAL_ERROR, message)
    }
}

impl From<TypeError> for SqlError {
    fn from(e: TypeError) -> SqlError {
        SqlError::new(e.code, e.message)
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.code())
    }
}

impl std::error::Error for SqlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_type_error_keeps_code_and_words() {
        let e: SqlError = TypeError::invalid_syntax("integer", "x").into();
        assert_eq!(e.code, SqlState::INVALID_TEXT_REPRESENTATION);
        assert_eq!(e.message, "invalid input syntax for type integer: \"x\"");
        assert_eq!(e.at(Some(8)).at(Some(1)).position, Some(8));
    }
}
