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
    /// The values when the current transaction began: a rollback restores
    /// them (SET is transactional).
    at_begin: Option<(FormatSettings, BTreeMap<String, String>)>,
    /// Values to restore at transaction end: what SET LOCAL overrode.
    local: Vec<(String, Option<String>)>,
    /// Bumped by every change: cached plans are keyed by it.
    epoch: u64,
    /// A transaction is open (SET inside it is undone by a rollback).
    in_transaction: bool,
    /// `search_path` as a list, kept current by `set`.
    path: std::sync::Arc<[String]>,
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
            ("server_version", "15.18 (twill 0.1.0)"),
            ("standard_conforming_strings", "on"),
            ("search_path", "\"$user\", public"),
            ("statement_timeout", "0"),
            ("lock_timeout", "0"),
            ("idle_in_transaction_session_timeout", "0"),
            ("transaction_isolation", "read committed"),
            ("max_identifier_length", "63"),
            ("synchronous_commit", "on"),
            ("default_table_access_method", "heap"),
            ("default_tablespace", ""),
            ("server_encoding", "UTF8"),
            ("client_min_messages", "notice"),
            ("work_mem", "4MB"),
            ("jit", "off"),
            ("row_security", "on"),
            ("lc_messages", "C"),
            ("lc_monetary", "C"),
            ("lc_numeric", "C"),
            ("lc_time", "C"),
            ("lc_collate", "C"),
            ("lc_ctype", "C"),
            ("block_size", "8192"),
            ("server_version_num", "150018"),
            ("max_connections", "100"),
            ("default_transaction_deferrable", "off"),
            ("transaction_deferrable", "off"),
        ] {
            values.insert(k.to_owned(), v.to_owned());
        }
        values.insert("session_authorization".into(), user.to_owned());
        let mut format = FormatSettings::default();
        // The server's zone, as PostgreSQL's `timezone` GUC names it.
        let _ = format.set("TimeZone", "UTC");
        Settings {
            format,
            values,
            at_begin: None,
            local: Vec::new(),
            epoch: 0,
            in_transaction: false,
            path: std::sync::Arc::from(vec!["public".to_owned()]),
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

    /// A number that changes whenever a setting does.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        self.epoch += 1;
        if self.in_transaction && self.at_begin.is_none() {
            self.at_begin = Some((self.format.clone(), self.values.clone()));
        }
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
        if c == "search_path" {
            self.path = parse_search_path(Some(&value));
        }
        self.values.insert(c, value);
        Ok(())
    }

    /// The ParameterStatus name of `name` when it is reported.
    pub(crate) fn reportable_name(&self, name: &str) -> Option<String> {
        let c = canonical(name);
        REPORTABLE.contains(&c.as_str()).then_some(c)
    }

    /// A transaction began at `level`, read-only or not.
    pub(crate) fn begin_transaction(
        &mut self,
        level: crate::mvcc::IsolationLevel,
        read_only: bool,
    ) {
        // The values are saved lazily, by the first SET inside it.
        self.at_begin = None;
        self.in_transaction = true;
        self.local.clear();
        self.set_transaction(Some(level), Some(read_only));
    }

    /// SET TRANSACTION: the current transaction's characteristics.
    pub(crate) fn set_transaction(
        &mut self,
        level: Option<crate::mvcc::IsolationLevel>,
        read_only: Option<bool>,
    ) {
        if let Some(l) = level {
            self.values.insert(
                "transaction_isolation".into(),
                super::isolation_name(l).into(),
            );
        }
        if let Some(r) = read_only {
            self.values.insert(
                "transaction_read_only".into(),
                if r { "on" } else { "off" }.into(),
            );
        }
    }

    /// Whether the current transaction is read-only.
    pub(crate) fn read_only(&self) -> bool {
        self.values.get("transaction_read_only").map(String::as_str) == Some("on")
    }

    /// The transaction ended: a rollback restores what it began with;
    /// either way SET LOCAL values revert and the transaction
    /// characteristics return to the session defaults.
    pub(crate) fn end_transaction(&mut self, committed: bool) {
        self.in_transaction = false;
        let begun = self.at_begin.take();
        if !committed {
            if let Some((format, values)) = begun {
                self.format = format;
                self.values = values;
                self.path = parse_search_path(self.values.get("search_path"));
                self.epoch += 1;
            }
        } else {
            for (name, old) in std::mem::take(&mut self.local).into_iter().rev() {
                match old {
                    Some(v) => {
                        let _ = self.set(&name, &v);
                    }
                    None => {
                        self.values.remove(&name);
                    }
                }
            }
        }
        self.local.clear();
        let level = self
            .values
            .get("default_transaction_isolation")
            .cloned()
            .unwrap_or_else(|| "read committed".into());
        let ro = self
            .values
            .get("default_transaction_read_only")
            .cloned()
            .unwrap_or_else(|| "off".into());
        self.values.insert("transaction_isolation".into(), level);
        self.values.insert("transaction_read_only".into(), ro);
    }

    /// Every setting and its value (SHOW ALL).
    pub(crate) fn all(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for n in FORMAT_NAMES {
            if let Some(v) = self.format.get(n) {
                out.push((n.to_owned(), v));
            }
        }
        out.sort_by_key(|(k, _)| k.to_lowercase());
        out
    }

    pub(crate) fn reportable(&self) -> Vec<(String, String)> {
        REPORTABLE
            .iter()
            .filter_map(|n| self.get(n).map(|v| ((*n).to_owned(), v)))
            .collect()
    }

    /// The schemas unqualified names are looked up in, in order.
    pub(crate) fn search_path(&self) -> std::sync::Arc<[String]> {
        self.path.clone()
    }

    /// SET / SHOW / RESET; `None` for other statements. Every change is
    /// reported as a `settings_changed` pair: the wire core forwards the
    /// reportable ones as ParameterStatus and applies the ones it acts on
    /// itself (statement_timeout, DateStyle…).
    pub(crate) fn statement(
        &mut self,
        stmt: &ast::Statement,
    ) -> Result<Option<StatementResult>, SqlError> {
        match stmt {
            ast::Statement::Set(set) => {
                let (name, value, local) = match set {
                    ast::Set::SingleAssignment {
                        variable,
                        values,
                        scope,
                        ..
                    } => (
                        variable.to_string(),
                        values
                            .iter()
                            .map(setting_text)
                            .collect::<Vec<_>>()
                            .join(", "),
                        matches!(scope, Some(ast::ContextModifier::Local)),
                    ),
                    ast::Set::SetTimeZone { value, local } => {
                        ("TimeZone".to_owned(), setting_text(value), *local)
                    }
                    ast::Set::SetNames { charset_name, .. } => (
                        "client_encoding".to_owned(),
                        charset_name.to_string(),
                        false,
                    ),
                    _ => return Err(SqlError::unsupported(format!("{stmt} is not supported"))),
                };
                let c = canonical(&name);
                if self.get(&c).is_none() && !c.contains('.') && !KNOWN_EXTRA.contains(&c.as_str())
                {
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{name}\""),
                    ));
                }
                let value = if value.eq_ignore_ascii_case("default")
                    || (c == "TimeZone" && value.eq_ignore_ascii_case("local"))
                {
                    Settings::new("").get(&c).unwrap_or_default()
                } else {
                    value
                };
                if local {
                    let old = self.get(&c);
                    if !self.local.iter().any(|(n, _)| *n == c) {
                        self.local.push((c.clone(), old));
                    }
                }
                self.set(&c, &value)?;
                let mut r = StatementResult::tag("SET");
                r.settings_changed
                    .push((c.clone(), self.get(&c).unwrap_or_default()));
                Ok(Some(r))
            }
            ast::Statement::Reset(reset) => {
                let defaults = Settings::new(
                    &self
                        .values
                        .get("session_authorization")
                        .cloned()
                        .unwrap_or_default(),
                );
                let names: Vec<String> = match &reset.reset {
                    ast::Reset::ALL => {
                        let mut n: Vec<String> = self.values.keys().cloned().collect();
                        n.extend(FORMAT_NAMES.map(String::from));
                        n.retain(|k| {
                            !k.starts_with("transaction_") && !NOT_RESET.contains(&k.as_str())
                        });
                        n
                    }
                    ast::Reset::ConfigurationParameter(name) => vec![name.to_string()],
                    ast::Reset::SessionAuthorization => Vec::new(),
                };
                let mut r = StatementResult::tag("RESET");
                for name in names {
                    let c = canonical(&name);
                    if self.get(&c).is_none() {
                        return Err(SqlError::new(
                            SqlState::UNDEFINED_OBJECT,
                            format!("unrecognized configuration parameter \"{name}\""),
                        ));
                    }
                    match defaults.get(&c) {
                        Some(v) => self.set(&c, &v)?,
                        None => {
                            self.values.remove(&c);
                        }
                    }
                    r.settings_changed
                        .push((c.clone(), self.get(&c).unwrap_or_default()));
                }
                Ok(Some(r))
            }
            ast::Statement::ShowVariable { variable } => {
                // SQL-standard spellings: SHOW TRANSACTION ISOLATION LEVEL,
                // SHOW TIME ZONE.
                let words: Vec<String> = variable.iter().map(|i| i.value.to_lowercase()).collect();
                let name = match words
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["transaction", "isolation", "level"] => "transaction_isolation".to_owned(),
                    ["time", "zone"] => "TimeZone".to_owned(),
                    ["session", "authorization"] => "session_authorization".to_owned(),
                    _ => variable
                        .iter()
                        .map(|i| i.value.clone())
                        .collect::<Vec<_>>()
                        .join("."),
                };
                let mut r = StatementResult::tag("SHOW");
                if name.eq_ignore_ascii_case("all") {
                    r.columns = Some(vec![
                        column("name"),
                        column("setting"),
                        column("description"),
                    ]);
                    r.rows = self
                        .all()
                        .into_iter()
                        .map(|(k, v)| {
                            vec![
                                twill_types::Value::Text(k),
                                twill_types::Value::Text(v),
                                twill_types::Value::Text(String::new()),
                            ]
                        })
                        .collect();
                    return Ok(Some(r));
                }
                let value = self.get(&name).ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{name}\""),
                    )
                })?;
                r.columns = Some(vec![column(&name.to_lowercase())]);
                r.rows = vec![vec![twill_types::Value::Text(value)]];
                Ok(Some(r))
            }
            _ => Ok(None),
        }
    }
}

/// `search_path`'s value as a list (`"$user"` skipped: no per-user schemas).
fn parse_search_path(value: Option<&String>) -> std::sync::Arc<[String]> {
    let list: Vec<String> = value
        .map(|s| {
            s.split(',')
                .map(|p| p.trim().trim_matches('"').to_owned())
                .filter(|p| !p.is_empty() && p != "$user")
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty() {
        std::sync::Arc::from(vec!["public".to_owned()])
    } else {
        std::sync::Arc::from(list)
    }
}

/// A SET value as text: quoted strings unquoted, anything else as written.
fn setting_text(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(i) => match i.quote_style {
            Some(q) => format!("{q}{}{q}", i.value),
            None => i.value.clone(),
        },
        other => other.to_string(),
    }
}

/// The formatting settings, by their SHOW names.
const FORMAT_NAMES: [&str; 5] = [
    "DateStyle",
    "TimeZone",
    "IntervalStyle",
    "extra_float_digits",
    "bytea_output",
];

/// Settings RESET ALL leaves alone (fixed for the session).
const NOT_RESET: &[&str] = &[
    "server_version",
    "server_encoding",
    "integer_datetimes",
    "is_superuser",
    "session_authorization",
    "in_hot_standby",
    "max_identifier_length",
];

/// Settings clients set that we accept and keep as text.
const KNOWN_EXTRA: &[&str] = &[
    "work_mem",
    "maintenance_work_mem",
    "synchronous_commit",
    "jit",
    "row_security",
    "check_function_bodies",
    "client_min_messages",
    "xmloption",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "default_with_oids",
    "escape_string_warning",
    "enable_seqscan",
    "enable_indexscan",
    "enable_hashjoin",
    "enable_mergejoin",
    "enable_nestloop",
    "random_page_cost",
    "effective_cache_size",
    "geqo",
    "search_path",
    "session_replication_role",
    "idle_session_timeout",
    "default_statistics_target",
    "temp_buffers",
    "vacuum_cost_delay",
    "cursor_tuple_fraction",
];

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
