//! The errors of the transactional layer.
//!
//! One enum, coarse kinds that tell the caller what to do: retry the whole
//! transaction (`40001`, `40P01`), give up on this statement (`55P03`,
//! `57014`), fix the input (`23505`, `42P01`, `42P07`), or roll back
//! (`25P02`). Each variant maps to exactly one SQLSTATE
//! ([`Error::sqlstate`]) and its `Display` is PostgreSQL's wording, so the SQL
//! layer can forward both unchanged.

use std::fmt;

use twill_types::SqlState;

/// Why a statement was cancelled (both are `57014`, with different messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// The session's cancel handle fired (a wire CancelRequest).
    UserRequest,
    /// The statement deadline set with `set_statement_deadline` passed.
    StatementTimeout,
}

/// An error from the MVCC layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `40001`: a REPEATABLE READ or SERIALIZABLE transaction met a row that
    /// a transaction committed after its snapshot changed or deleted.
    ConcurrentUpdate,
    /// `40001`: a REPEATABLE READ or SERIALIZABLE transaction met a row that
    /// a transaction committed after its snapshot deleted.
    ConcurrentDelete,
    /// `40001`: SERIALIZABLE validation found that a transaction committed
    /// after this one's snapshot wrote something this one read.
    ReadWriteDependency,
    /// `40P01`: this transaction was chosen to break a cycle of waits.
    Deadlock,
    /// `55P03`: a row lock was requested with NOWAIT and is held by another
    /// transaction.
    LockNotAvailable {
        /// The table the row is in.
        relation: String,
    },
    /// `55P03`: a wait lasted longer than the transaction's `lock_timeout`.
    LockTimeout,
    /// `57014`: the statement was cancelled while it ran or waited.
    QueryCanceled(CancelReason),
    /// `23505`: a primary key or unique index already holds the key.
    UniqueViolation {
        /// The constraint (index) name, e.g. `t_pkey`.
        constraint: String,
    },
    /// `42P07`: CREATE TABLE of a name that exists.
    DuplicateTable {
        /// The table name.
        name: String,
    },
    /// `42P01`: the table does not exist (or was dropped).
    UndefinedTable {
        /// The table name, or its id when only the id is known.
        name: String,
    },
    /// `25P02`: an earlier error failed the transaction; only ROLLBACK (or
    /// ROLLBACK TO SAVEPOINT) is accepted now.
    InFailedTransaction,
    /// `3B001`: RELEASE or ROLLBACK TO a savepoint that does not exist.
    NoSuchSavepoint {
        /// The savepoint name.
        name: String,
    },
    /// The commit hook (the WAL) refused the commit record (58030 for a
    /// failed write, 25006 for a fenced writer); the transaction is rolled
    /// back.
    CommitHookFailed {
        /// The SQLSTATE the hook chose.
        state: SqlState,
        /// The hook's description of the failure.
        message: String,
    },
    /// `XX000`: the caller broke an API contract (e.g. an UPDATE that changes
    /// the primary key, an index on a column the row does not have).
    Internal {
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// The one SQLSTATE this error is reported with.
    pub fn sqlstate(&self) -> SqlState {
        match self {
            Error::ConcurrentUpdate | Error::ConcurrentDelete | Error::ReadWriteDependency => {
                SqlState::T_R_SERIALIZATION_FAILURE
            }
            Error::Deadlock => SqlState::T_R_DEADLOCK_DETECTED,
            Error::LockNotAvailable { .. } | Error::LockTimeout => SqlState::LOCK_NOT_AVAILABLE,
            Error::QueryCanceled(_) => SqlState::QUERY_CANCELED,
            Error::UniqueViolation { .. } => SqlState::UNIQUE_VIOLATION,
            Error::DuplicateTable { .. } => SqlState::DUPLICATE_TABLE,
            Error::UndefinedTable { .. } => SqlState::UNDEFINED_TABLE,
            Error::InFailedTransaction => SqlState::IN_FAILED_SQL_TRANSACTION,
            Error::NoSuchSavepoint { .. } => SqlState::INVALID_SAVEPOINT_SPECIFICATION,
            Error::CommitHookFailed { state, .. } => *state,
            Error::Internal { .. } => SqlState::INTERNAL_ERROR,
        }
    }

    /// True for the errors after which retrying the whole transaction may
    /// succeed (what pgbench and ORMs retry on).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::ConcurrentUpdate
                | Error::ConcurrentDelete
                | Error::ReadWriteDependency
                | Error::Deadlock
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Error {
        Error::Internal {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ConcurrentUpdate => {
                f.write_str("could not serialize access due to concurrent update")
            }
            Error::ConcurrentDelete => {
                f.write_str("could not serialize access due to concurrent delete")
            }
            Error::ReadWriteDependency => f.write_str(
                "could not serialize access due to read/write dependencies among transactions",
            ),
            Error::Deadlock => f.write_str("deadlock detected"),
            Error::LockNotAvailable { relation } => {
                write!(f, "could not obtain lock on row in relation \"{relation}\"")
            }
            Error::LockTimeout => f.write_str("canceling statement due to lock timeout"),
            Error::QueryCanceled(CancelReason::UserRequest) => {
                f.write_str("canceling statement due to user request")
            }
            Error::QueryCanceled(CancelReason::StatementTimeout) => {
                f.write_str("canceling statement due to statement timeout")
            }
            Error::UniqueViolation { constraint } => {
                write!(
                    f,
                    "duplicate key value violates unique constraint \"{constraint}\""
                )
            }
            Error::DuplicateTable { name } => write!(f, "relation \"{name}\" already exists"),
            Error::UndefinedTable { name } => write!(f, "relation \"{name}\" does not exist"),
            Error::InFailedTransaction => f.write_str(
                "current transaction is aborted, commands ignored until end of transaction block",
            ),
            Error::NoSuchSavepoint { name } => write!(f, "savepoint \"{name}\" does not exist"),
            Error::CommitHookFailed { state, message } if *state == SqlState::IO_ERROR => {
                write!(f, "could not write commit record: {message}")
            }
            Error::CommitHookFailed { message, .. } => f.write_str(message),
            Error::Internal { message } => write!(f, "internal error: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The result type of this layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        assert_eq!(Error::ConcurrentUpdate.sqlstate().code(), "40001");
        assert_eq!(Error::ReadWriteDependency.sqlstate().code(), "40001");
        assert_eq!(Error::Deadlock.sqlstate().code(), "40P01");
        let nowait = Error::LockNotAvailable {
            relation: "t".into(),
        };
        assert_eq!(nowait.sqlstate().code(), "55P03");
        assert_eq!(
            nowait.to_string(),
            "could not obtain lock on row in relation \"t\""
        );
        assert_eq!(
            Error::QueryCanceled(CancelReason::UserRequest)
                .sqlstate()
                .code(),
            "57014"
        );
        assert_eq!(Error::InFailedTransaction.sqlstate().code(), "25P02");
        assert!(Error::Deadlock.is_retryable());
        assert!(!Error::LockTimeout.is_retryable());
    }
}
