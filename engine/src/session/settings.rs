//! Run-time settings: SET, SHOW, RESET, and the ones reported to clients.
//!
//! Formatting settings (DateStyle, TimeZone, IntervalStyle,
//! extra_float_digits, bytea_output) live in `twill_types::FormatSettings`,
//! which validates them; the rest are kept as text, as PostgreSQL's GUCs
//! are. The reportable ones are those PostgreSQL sends in ParameterStatus.

use std::collections::BTreeMap;

use sqlparser::ast;
use twill_types::{FormatSettings, SqlState, oid};

use super::outputs::ColumnInfo;
use super::statement::StatementResult;
use crate::sql::error::SqlError;

/// Settings PostgreSQL reports with ParameterStatus.
const REPORTABLE: &[&str] = &[
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

/// Settings handled by FormatSettings.
const FORMAT: &[&str] = &[
    "datestyle",
    "timezone",
    "intervalstyle",
    "extra_float_digits",
    "bytea_output",
];

pub(crate) struct Settings {
    format: FormatSettings,
    values: BTreeMap<String, String>,
}

fn canonical(name: &str) -> String {
    let lower = name.to_lowercase();
    match lower.as_str() {
        "datestyle" => "DateStyle".into(),
        "timezone" => "TimeZone".into(),
        "intervalstyle" => "IntervalStyle".into(),
        _ => lower,
    }
}

impl Settings {
    pub(crate) fn new(user: &str) -> Settings {
        let mut values = BTreeMap::new();
        for (k, v) in [
            ("application_name", ""),
            ("client_encoding", "UTF8"),
            ("default_transaction_read_only", "off"),
            ("default_transaction_isolation", "read committed"),
            ("in_hot_standby", "off"),
            ("integer_datetimes", "on"),
            ("is_superuser", "on"),
            ("server_encoding", "UTF8"),
            ("server_version", "15.0"),
            ("standard_conforming_strings", "on"),
            ("search_path", "\"$user\", public"),
            ("statement_timeout", "0"),
            ("lock_timeout", "0"),
            ("idle_in_transaction_session_timeout", "0"),
            ("transaction_isolation", "read committed"),
            ("max_identifier_length", "63"),
        ] {
            values.insert(k.to_owned(), v.to_owned());
        }
        values.insert("session_authorization".into(), user.to_owned());
        Settings {
            format: FormatSettings::default(),
            values,
        }
    }

    pub(crate) fn format(&self) -> &FormatSettings {
        &self.format
    }

    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let c = canonical(name);
        if FORMAT.contains(&c.to_lowercase().as_str()) {
            return self.format.get(&c);
        }
        self.values.get(&c).cloned()
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        let c = canonical(name);
        if FORMAT.contains(&c.to_lowercase().as_str()) {
            let known = self.format.set(&c, value).map_err(SqlError::from)?;
            if known {
                return Ok(());
            }
        }
        if c == "client_encoding"
            && !matches!(
                value.to_uppercase().replace('-', "").as_str(),
                "UTF8" | "UNICODE"
            )
        {
            return Err(SqlError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("conversion between {value} and UTF8 is not supported"),
            ));
        }
        let value = if c == "client_encoding" {
            "UTF8".to_owned()
        } else {
            value.to_owned()
        };
        self.values.insert(c, value);
        Ok(())
    }

    pub(crate) fn reportable(&self) -> Vec<(String, String)> {
        REPORTABLE
            .iter()
            .filter_map(|n| self.get(n).map(|v| ((*n).to_owned(), v)))
            .collect()
    }

    pub(crate) fn search_path(&self) -> Vec<String> {
        self.values
            .get("search_path")
            .map(|s| {
                s.split(',')
                    .map(|p| p.trim().trim_matches('"').to_owned())
                    .filter(|p| !p.is_empty() && p != "$user")
                    .collect()
            })
            .filter(|v: &Vec<String>| !v.is_empty())
            .unwrap_or_else(|| vec!["public".into()])
    }

    /// SET / SHOW / RESET; `None` for other statements.
    pub(crate) fn statement(
        &mut self,
        stmt: &ast::Statement,
    ) -> Result<Option<StatementResult>, SqlError> {
        match stmt {
            ast::Statement::Set(set) => {
                let (name, value) = match set {
                    ast::Set::SingleAssignment {
                        variable, values, ..
                    } => {
                        let name = variable.to_string();
                        let value = values
                            .iter()
                            .map(|v| match v {
                                ast::Expr::Value(v) => match &v.value {
                                    ast::Value::SingleQuotedString(s) => s.clone(),
                                    other => other.to_string(),
                                },
                                other => other.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        (name, value)
                    }
                    ast::Set::SetTimeZone { value, .. } => (
                        "TimeZone".to_owned(),
                        match value {
                            ast::Expr::Value(v) => match &v.value {
                                ast::Value::SingleQuotedString(s) => s.clone(),
                                other => other.to_string(),
                            },
                            other => other.to_string(),
                        },
                    ),
                    ast::Set::SetNames { charset_name, .. } => {
                        ("client_encoding".to_owned(), charset_name.to_string())
                    }
                    _ => return Err(SqlError::unsupported(format!("{stmt} is not supported"))),
                };
                let value = if value.eq_ignore_ascii_case("default") {
                    Settings::new("").get(&name).unwrap_or_default()
                } else {
                    value
                };
                self.set(&name, &value)?;
                let mut r = StatementResult::tag("SET");
                let c = canonical(&name);
                if REPORTABLE.contains(&c.as_str()) {
                    r.settings_changed
                        .push((c.clone(), self.get(&c).unwrap_or_default()));
                }
                Ok(Some(r))
            }
            ast::Statement::ShowVariable { variable } => {
                let name = variable
                    .iter()
                    .map(|i| i.value.clone())
                    .collect::<Vec<_>>()
                    .join(".");
                if name.eq_ignore_ascii_case("all") {
                    return Err(SqlError::unsupported("SHOW ALL is not supported yet"));
                }
                let value = self.get(&name).ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{name}\""),
                    )
                })?;
                let mut r = StatementResult::tag("SHOW");
                r.columns = Some(vec![column(&name.to_lowercase())]);
                r.rows = vec![vec![twill_types::Value::Text(value)]];
                Ok(Some(r))
            }
            _ => Ok(None),
        }
    }
}

fn column(name: &str) -> ColumnInfo {
    ColumnInfo {
        name: name.to_owned(),
        table_oid: 0,
        column_id: 0,
        type_oid: oid::TEXT,
        type_len: -1,
        type_modifier: -1,
    }
}

pub(crate) fn is_settings_statement(stmt: &ast::Statement) -> bool {
    matches!(
        stmt,
        ast::Statement::Set(_) | ast::Statement::ShowVariable { .. }
    )
}

pub(crate) fn columns_of(stmt: &ast::Statement) -> Option<Vec<ColumnInfo>> {
    match stmt {
        ast::Statement::ShowVariable { variable } => Some(vec![column(
            &variable
                .iter()
                .map(|i| i.value.to_lowercase())
                .collect::<Vec<_>>()
                .join("."),
        )]),
        _ => None,
    }
}
