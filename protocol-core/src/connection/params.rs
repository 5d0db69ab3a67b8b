//! Startup parameters and ParameterStatus: what the client asked for and
//! what the server reports.
//!
//! PostgreSQL 15 reports 13 settings at startup, in this order, and reports
//! any of them again when it changes. Four clients break without them
//! (psql's `\d`, asyncpg, psycopg2, pgjdbc), so they are always all sent.

use crate::error::ErrorReport;
use twill_types::SqlState;

/// The settings PostgreSQL marks GUC_REPORT, in the order it sends them.
pub(crate) const REPORTED: [&str; 13] = [
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// The reported name for a setting name in any case, if it is reported.
pub(crate) fn reported_name(name: &str) -> Option<&'static str> {
    REPORTED
        .iter()
        .copied()
        .find(|r| r.eq_ignore_ascii_case(name))
}

/// What the client last saw of each reported setting, and what changed
/// since.
///
/// PostgreSQL (14 and later) does not send ParameterStatus when a setting
/// changes but just before the next ReadyForQuery (`ReportChangedGUCOptions`),
/// in its GUC table order, and only when the value differs from the one last
/// reported. So `SET application_name = 'x'` gets CommandComplete, then
/// ParameterStatus, then ReadyForQuery, and a SET LOCAL undone by the same
/// transaction reports nothing.
#[derive(Debug, Default)]
pub(crate) struct Reported {
    /// The value last sent for each of [`REPORTED`].
    sent: [String; 13],
    /// The value set since, if any.
    changed: [Option<String>; 13],
}

impl Reported {
    /// Records a value sent to the client (at startup).
    pub(crate) fn sent(&mut self, name: &str, value: &str) {
        if let Some(i) = REPORTED.iter().position(|r| r.eq_ignore_ascii_case(name)) {
            self.sent[i] = value.to_string();
            self.changed[i] = None;
        }
    }

    /// Records a changed setting; ignored unless it is reported.
    pub(crate) fn change(&mut self, name: &str, value: &str) {
        if let Some(i) = REPORTED.iter().position(|r| r.eq_ignore_ascii_case(name)) {
            self.changed[i] = Some(value.to_string());
        }
    }

    /// The settings to report before ReadyForQuery, in PostgreSQL's order,
    /// each marked as sent.
    pub(crate) fn take_changes(&mut self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (i, name) in REPORTED.iter().enumerate() {
            if let Some(v) = self.changed[i].take()
                && v != self.sent[i]
            {
                self.sent[i].clone_from(&v);
                out.push((*name, v));
            }
        }
        out
    }
}

/// The client encoding a startup or SET value asks for, normalised to
/// `UTF8` (the only one we speak). Accepts every spelling clients send:
/// `UTF8`, `utf8`, `UTF-8`, `unicode`, and asyncpg's quoted `'utf-8'`.
pub(crate) fn normalize_client_encoding(value: &str) -> Result<&'static str, ErrorReport> {
    let v = value.trim().trim_matches('\'').trim_matches('"');
    let canon: String = v.chars().filter(|c| *c != '-' && *c != '_').collect();
    if canon.eq_ignore_ascii_case("utf8") || canon.eq_ignore_ascii_case("unicode") {
        Ok("UTF8")
    } else {
        Err(ErrorReport::fatal(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"client_encoding\": \"{value}\""),
        )
        .with_detail("This server speaks only UTF8."))
    }
}

/// Splits the startup `options` value into `name=value` settings.
///
/// Accepts `-c name=value`, `-cname=value` and `--name=value`, with
/// backslash-escaped spaces, as PostgreSQL's `pg_split_opts` does.
pub(crate) fn parse_options(options: &str) -> Result<Vec<(String, String)>, ErrorReport> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            c if c.is_ascii_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let bad = |w: &str| {
        ErrorReport::fatal(
            SqlState::SYNTAX_ERROR,
            format!("invalid command-line argument for server process: {w}"),
        )
        .with_hint("Try \"-c name=value\".")
    };
    let mut out = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let setting = if w == "-c" {
            it.next().ok_or_else(|| bad(w))?.as_str()
        } else if let Some(s) = w.strip_prefix("-c") {
            s
        } else if let Some(s) = w.strip_prefix("--") {
            s
        } else {
            return Err(bad(w));
        };
        let (name, value) = setting.split_once('=').ok_or_else(|| bad(w))?;
        out.push((name.replace('-', "_"), value.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_encoding_spellings() {
        for ok in ["UTF8", "utf8", "'utf-8'", "UTF-8", "unicode", "Utf_8"] {
            assert_eq!(normalize_client_encoding(ok).unwrap(), "UTF8", "{ok}");
        }
        assert!(normalize_client_encoding("LATIN1").is_err());
    }

    #[test]
    fn options_forms() {
        let got = parse_options("-c search_path=a\\ b --statement-timeout=5s -cjit=off").unwrap();
        assert_eq!(
            got,
            vec![
                ("search_path".into(), "a b".into()),
                ("statement_timeout".into(), "5s".into()),
                ("jit".into(), "off".into())
            ]
        );
        assert!(parse_options("-x").is_err());
    }
}
