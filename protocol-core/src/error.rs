//! Error and notice reports: what ErrorResponse and NoticeResponse carry.

use twill_types::SqlState;

/// How bad a report is; decides `E` versus `N` and whether the session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The statement failed; the session goes on.
    Error,
    /// The session ends after this report.
    Fatal,
    /// A warning notice.
    Warning,
    /// A notice.
    Notice,
    /// An informational notice.
    Info,
    /// A debug notice.
    Debug,
    /// A log notice.
    Log,
}

impl Severity {
    /// The non-localized severity word (fields `S` and `V`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
            Severity::Warning => "WARNING",
            Severity::Notice => "NOTICE",
            Severity::Info => "INFO",
            Severity::Debug => "DEBUG",
            Severity::Log => "LOG",
        }
    }

    /// True for ERROR and FATAL (sent as ErrorResponse).
    pub fn is_error(self) -> bool {
        matches!(self, Severity::Error | Severity::Fatal)
    }
}

/// The fields of an ErrorResponse or NoticeResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// `S`/`V`: severity.
    pub severity: Severity,
    /// `C`: the SQLSTATE; clients branch on it.
    pub code: SqlState,
    /// `M`: the primary message.
    pub message: String,
    /// `D`: detail.
    pub detail: Option<String>,
    /// `H`: hint.
    pub hint: Option<String>,
    /// `P`: 1-based character position in the query text (psql draws a caret).
    pub position: Option<u32>,
    /// `R`: the PostgreSQL routine name; postgres.js re-prepares when it is
    /// `FetchPreparedStatement` or `RevalidateCachedQuery`.
    pub routine: Option<String>,
}

impl ErrorReport {
    /// An ERROR with a code and message.
    pub fn error(code: SqlState, message: impl Into<String>) -> ErrorReport {
        ErrorReport::new(Severity::Error, code, message)
    }

    /// A FATAL with a code and message: the connection ends after it.
    pub fn fatal(code: SqlState, message: impl Into<String>) -> ErrorReport {
        ErrorReport::new(Severity::Fatal, code, message)
    }

    /// A NOTICE (code 00000 unless changed).
    pub fn notice(message: impl Into<String>) -> ErrorReport {
        ErrorReport::new(Severity::Notice, SqlState::SUCCESSFUL_COMPLETION, message)
    }

    /// A report with every optional field empty.
    pub fn new(severity: Severity, code: SqlState, message: impl Into<String>) -> ErrorReport {
        ErrorReport {
            severity,
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            routine: None,
        }
    }

    /// Adds a detail line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> ErrorReport {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ErrorReport {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the cursor position in the query.
    pub fn with_position(mut self, position: u32) -> ErrorReport {
        self.position = Some(position);
        self
    }

    /// Adds the routine name.
    pub fn with_routine(mut self, routine: impl Into<String>) -> ErrorReport {
        self.routine = Some(routine.into());
        self
    }
}

impl std::fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} ({})",
            self.severity.as_str(),
            self.message,
            self.code
        )
    }
}

impl std::error::Error for ErrorReport {}
