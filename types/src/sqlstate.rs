//! SQLSTATE error codes (PostgreSQL Appendix A).

use std::fmt;

/// A five-character SQLSTATE code, such as `42P01` (undefined_table).
///
/// Every error the engine or the wire core reports carries exactly one of
/// these; clients branch on it (pgbench retries on `40001`/`40P01`, drivers
/// re-prepare on `26000`), so the right code matters as much as the message.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SqlState([u8; 5]);

macro_rules! sqlstates {
    ($($name:ident = $code:literal;)*) => {
        impl SqlState {
            $(
                #[doc = concat!("`", $code, "`")]
                pub const $name: SqlState = SqlState::from_code($code);
            )*
        }
    };
}

impl SqlState {
    /// A code from its five characters. Panics at compile time (in a const)
    /// or at run time if `code` is not five ASCII characters.
    pub const fn from_code(code: &str) -> SqlState {
        let b = code.as_bytes();
        assert!(b.len() == 5, "a SQLSTATE has five characters");
        let mut i = 0;
        while i < 5 {
            assert!(
                b[i].is_ascii_alphanumeric(),
                "a SQLSTATE is ASCII alphanumeric"
            );
            i += 1;
        }
        SqlState([b[0], b[1], b[2], b[3], b[4]])
    }

    /// The code as a string slice, e.g. `"42P01"`.
    pub fn code(&self) -> &str {
        // The constructor admits only ASCII, so this cannot fail.
        std::str::from_utf8(&self.0).expect("SQLSTATE is ASCII")
    }

    /// The two-character class, e.g. `"42"` for syntax errors and access rule violations.
    pub fn class(&self) -> &str {
        &self.code()[..2]
    }
}

impl fmt::Debug for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SqlState({})", self.code())
    }
}

impl fmt::Display for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

sqlstates! {
    SUCCESSFUL_COMPLETION = "00000";
    WARNING = "01000";
    NO_DATA = "02000";
    CONNECTION_EXCEPTION = "08000";
    CONNECTION_FAILURE = "08006";
    PROTOCOL_VIOLATION = "08P01";
    FEATURE_NOT_SUPPORTED = "0A000";
    INVALID_CURSOR_STATE = "24000";
    CARDINALITY_VIOLATION = "21000";
    DATA_EXCEPTION = "22000";
    STRING_DATA_RIGHT_TRUNCATION = "22001";
    NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    NULL_VALUE_NOT_ALLOWED = "22004";
    INVALID_DATETIME_FORMAT = "22007";
    DATETIME_FIELD_OVERFLOW = "22008";
    DATETIME_VALUE_OUT_OF_RANGE = "22008";
    INVALID_TIME_ZONE_DISPLACEMENT_VALUE = "22009";
    DIVISION_BY_ZERO = "22012";
    INTERVAL_FIELD_OVERFLOW = "22015";
    INVALID_PARAMETER_VALUE = "22023";
    CHARACTER_NOT_IN_REPERTOIRE = "22021";
    INVALID_ESCAPE_SEQUENCE = "22025";
    INVALID_TEXT_REPRESENTATION = "22P02";
    INVALID_BINARY_REPRESENTATION = "22P03";
    BAD_COPY_FILE_FORMAT = "22P04";
    ARRAY_SUBSCRIPT_ERROR = "2202E";
    UNTRANSLATABLE_CHARACTER = "22P05";
    INVALID_JSON_TEXT = "22P02";
    INTEGRITY_CONSTRAINT_VIOLATION = "23000";
    NOT_NULL_VIOLATION = "23502";
    FOREIGN_KEY_VIOLATION = "23503";
    UNIQUE_VIOLATION = "23505";
    CHECK_VIOLATION = "23514";
    INVALID_TRANSACTION_STATE = "25000";
    ACTIVE_SQL_TRANSACTION = "25001";
    NO_ACTIVE_SQL_TRANSACTION = "25P01";
    IN_FAILED_SQL_TRANSACTION = "25P02";
    IDLE_IN_TRANSACTION_SESSION_TIMEOUT = "25P03";
    READ_ONLY_SQL_TRANSACTION = "25006";
    INVALID_SQL_STATEMENT_NAME = "26000";
    INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    INVALID_PASSWORD = "28P01";
    INVALID_CURSOR_NAME = "34000";
    INVALID_CATALOG_NAME = "3D000";
    INVALID_SCHEMA_NAME = "3F000";
    INVALID_SAVEPOINT_SPECIFICATION = "3B001";
    T_R_SERIALIZATION_FAILURE = "40001";
    T_R_DEADLOCK_DETECTED = "40P01";
    SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION = "42000";
    SYNTAX_ERROR = "42601";
    INVALID_NAME = "42602";
    INSUFFICIENT_PRIVILEGE = "42501";
    UNDEFINED_COLUMN = "42703";
    UNDEFINED_FUNCTION = "42883";
    UNDEFINED_TABLE = "42P01";
    UNDEFINED_PARAMETER = "42P02";
    UNDEFINED_OBJECT = "42704";
    DUPLICATE_COLUMN = "42701";
    DUPLICATE_CURSOR = "42P03";
    DUPLICATE_PREPARED_STATEMENT = "42P05";
    DUPLICATE_TABLE = "42P07";
    DUPLICATE_OBJECT = "42710";
    AMBIGUOUS_COLUMN = "42702";
    AMBIGUOUS_FUNCTION = "42725";
    DATATYPE_MISMATCH = "42804";
    WRONG_OBJECT_TYPE = "42809";
    INDETERMINATE_DATATYPE = "42P18";
    INVALID_COLUMN_REFERENCE = "42P10";
    GROUPING_ERROR = "42803";
    WINDOWING_ERROR = "42P20";
    INVALID_RECURSION = "42P19";
    DUPLICATE_ALIAS = "42712";
    DUPLICATE_SCHEMA = "42P06";
    DEPENDENT_OBJECTS_STILL_EXIST = "2BP01";
    INVALID_TABLE_DEFINITION = "42P16";
    INVALID_ROW_COUNT_IN_LIMIT_CLAUSE = "2201W";
    INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE = "2201X";
    SEQUENCE_GENERATOR_LIMIT_EXCEEDED = "2200H";
    CANNOT_COERCE = "42846";
    UNDEFINED_FUNCTION_OR_OPERATOR = "42883";
    INSUFFICIENT_RESOURCES = "53000";
    OUT_OF_MEMORY = "53200";
    TOO_MANY_CONNECTIONS = "53300";
    PROGRAM_LIMIT_EXCEEDED = "54000";
    OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    OBJECT_IN_USE = "55006";
    LOCK_NOT_AVAILABLE = "55P03";
    CANT_CHANGE_RUNTIME_PARAM = "55P02";
    OPERATOR_INTERVENTION = "57000";
    QUERY_CANCELED = "57014";
    ADMIN_SHUTDOWN = "57P01";
    CRASH_SHUTDOWN = "57P02";
    CANNOT_CONNECT_NOW = "57P03";
    SYSTEM_ERROR = "58000";
    IO_ERROR = "58030";
    CONFIG_FILE_ERROR = "F0000";
    INTERNAL_ERROR = "XX000";
    DATA_CORRUPTED = "XX001";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_classes() {
        assert_eq!(SqlState::UNDEFINED_TABLE.code(), "42P01");
        assert_eq!(SqlState::UNDEFINED_TABLE.class(), "42");
        assert_eq!(
            SqlState::from_code("40001"),
            SqlState::T_R_SERIALIZATION_FAILURE
        );
        assert_eq!(format!("{}", SqlState::QUERY_CANCELED), "57014");
    }
}
