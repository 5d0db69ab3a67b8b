//! [`CopyOptions`]: the option list of a COPY statement, checked the way
//! PostgreSQL 15's `ProcessCopyOptions` checks it.
//!
//! COPY has two option syntaxes, and PostgreSQL's grammar turns both into
//! one list of name/value pairs before anything looks at them:
//!
//! ```text
//! COPY t TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')   -- generic
//! COPY t TO STDOUT CSV HEADER DELIMITER ';'                   -- legacy
//!          both ─► [("format","csv"), ("header",None), ("delimiter",";")]
//! ```
//!
//! The legacy keywords map as in `gram.y`: `BINARY` → `("format","binary")`,
//! `CSV` → `("format","csv")`, `HEADER` → `("header",None)`, `FREEZE` →
//! `("freeze",None)`, `DELIMITER [AS] 'x'`, `NULL [AS] 'x'`, `QUOTE [AS] 'x'`,
//! `ESCAPE [AS] 'x'` → the lower-case name with the string. The caller (the
//! statement layer) does that mapping and lower-cases unquoted identifiers,
//! as PostgreSQL's lexer does: `FORMAT CSV` arrives as `("format","csv")`,
//! while `FORMAT 'CSV'` arrives as `("format","CSV")` and is rejected, as in
//! PostgreSQL.
//!
//! The checks run in PostgreSQL's order, so when a statement has two
//! problems the client sees the same one PostgreSQL reports. Every message
//! and SQLSTATE below was checked against a PostgreSQL 15 server.

use twill_types::SqlState;

use crate::sql::SqlError;

/// Which of COPY's three data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    /// Tab-separated lines with backslash escapes (the default).
    Text,
    /// RFC 4180-style comma-separated values with quoting.
    Csv,
    /// PostgreSQL's binary format: a signature, then length-prefixed fields
    /// in each type's binary (send/receive) form.
    Binary,
}

/// Whether the statement reads (`COPY … FROM`) or writes (`COPY … TO`):
/// some options are only valid in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyDirection {
    /// `COPY t FROM STDIN`: the client sends data, we decode it.
    From,
    /// `COPY t TO STDOUT`: we encode rows and send them.
    To,
}

/// The checked options of one COPY statement, with PostgreSQL's defaults
/// filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    /// The data format.
    pub format: CopyFormat,
    /// The byte that separates fields (text: tab, CSV: comma). Unused in
    /// binary format.
    pub delimiter: u8,
    /// The spelling of NULL (text: `\N`, CSV: the empty string). Compared
    /// against the raw field, before escapes are processed. Unused in binary.
    pub null: String,
    /// Whether the first line is a header: written on output, skipped (or
    /// matched, see `header_match`) on input. Text and CSV only.
    pub header: bool,
    /// `HEADER MATCH` (COPY FROM only): the header line's fields must equal
    /// the column names, in order.
    pub header_match: bool,
    /// CSV's quote byte (default `"`). Unused outside CSV.
    pub quote: u8,
    /// CSV's escape byte inside quoted fields (default: the quote byte, so
    /// a quote is escaped by doubling it). Unused outside CSV.
    pub escape: u8,
    /// `FREEZE`: load rows already frozen. Accepted and recorded; whether it
    /// is honoured is the table layer's business.
    pub freeze: bool,
}

impl Default for CopyOptions {
    /// Text format with PostgreSQL's defaults.
    fn default() -> Self {
        CopyOptions {
            format: CopyFormat::Text,
            delimiter: b'\t',
            null: "\\N".to_owned(),
            header: false,
            header_match: false,
            quote: b'"',
            escape: b'"',
            freeze: false,
        }
    }
}

impl CopyOptions {
    /// Checks a COPY statement's option list (names lower-case, values as
    /// the parser gave them; `None` when the option has no argument) and
    /// fills in the defaults. Errors carry PostgreSQL 15's SQLSTATE and
    /// wording.
    ///
    /// `FORCE_QUOTE`, `FORCE_NOT_NULL` and `FORCE_NULL` take column lists and
    /// are reported as not supported (0A000).
    pub fn parse(
        options: &[(String, Option<String>)],
        direction: CopyDirection,
    ) -> Result<CopyOptions, SqlError> {
        let mut format: Option<CopyFormat> = None;
        let mut freeze: Option<bool> = None;
        let mut delimiter: Option<&str> = None;
        let mut null: Option<&str> = None;
        let mut header: Option<(bool, bool)> = None;
        let mut quote: Option<&str> = None;
        let mut escape: Option<&str> = None;
        let mut encoding = false;

        fn once<T>(slot: &mut Option<T>, v: T) -> Result<(), SqlError> {
            if slot.is_some() {
                return Err(SqlError::syntax("conflicting or redundant options"));
            }
            *slot = Some(v);
            Ok(())
        }

        for (name, value) in options {
            let name = name.as_str();
            // defGetString: every string-valued option needs its argument.
            let string = || {
                value
                    .as_deref()
                    .ok_or_else(|| SqlError::syntax(format!("{name} requires a parameter")))
            };
            match name {
                "format" => {
                    if format.is_some() {
                        return Err(SqlError::syntax("conflicting or redundant options"));
                    }
                    let f = match string()? {
                        "text" => CopyFormat::Text,
                        "csv" => CopyFormat::Csv,
                        "binary" => CopyFormat::Binary,
                        other => {
                            return Err(SqlError::invalid_parameter(format!(
                                "COPY format \"{other}\" not recognized"
                            )));
                        }
                    };
                    format = Some(f);
                }
                "freeze" => {
                    if freeze.is_some() {
                        return Err(SqlError::syntax("conflicting or redundant options"));
                    }
                    freeze = Some(boolean(name, value.as_deref())?);
                }
                "delimiter" => once(&mut delimiter, string()?)?,
                "null" => once(&mut null, string()?)?,
                "header" => {
                    if header.is_some() {
                        return Err(SqlError::syntax("conflicting or redundant options"));
                    }
                    header = Some(header_choice(name, value.as_deref(), direction)?);
                }
                "quote" => once(&mut quote, string()?)?,
                "escape" => once(&mut escape, string()?)?,
                "encoding" => {
                    if encoding {
                        return Err(SqlError::syntax("conflicting or redundant options"));
                    }
                    encoding = true;
                    let e = string()?;
                    let norm: String = e
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase())
                        .collect();
                    if norm != "utf8" && norm != "unicode" {
                        return Err(SqlError::unsupported(format!(
                            "COPY ENCODING \"{e}\" is not supported: only UTF8"
                        )));
                    }
                }
                "force_quote" | "force_not_null" | "force_null" => {
                    return Err(SqlError::unsupported(format!(
                        "COPY {} is not supported",
                        name.to_ascii_uppercase()
                    )));
                }
                other => {
                    return Err(SqlError::syntax(format!(
                        "option \"{other}\" not recognized"
                    )));
                }
            }
        }

        let format = format.unwrap_or(CopyFormat::Text);
        let binary = format == CopyFormat::Binary;
        let csv = format == CopyFormat::Csv;
        let not_supported = |m: &str| SqlError::new(SqlState::FEATURE_NOT_SUPPORTED, m);

        if binary && delimiter.is_some() {
            return Err(SqlError::syntax("cannot specify DELIMITER in BINARY mode"));
        }
        if binary && null.is_some() {
            return Err(SqlError::syntax("cannot specify NULL in BINARY mode"));
        }
        let delimiter = delimiter.unwrap_or(if csv { "," } else { "\t" });
        let null = null.unwrap_or(if csv { "" } else { "\\N" });
        let quote = quote.or(if csv { Some("\"") } else { None });
        let escape = escape.or(if csv { quote } else { None });

        let &[delim] = delimiter.as_bytes() else {
            return Err(not_supported(
                "COPY delimiter must be a single one-byte character",
            ));
        };
        if delim == b'\r' || delim == b'\n' {
            return Err(SqlError::invalid_parameter(
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if null.contains(['\r', '\n']) {
            return Err(SqlError::invalid_parameter(
                "COPY null representation cannot use newline or carriage return",
            ));
        }
        // Backslash would be ambiguous with escapes, and letters, digits and
        // '.' start escape sequences or the end-of-data marker.
        if !csv && b"\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(&delim) {
            return Err(SqlError::invalid_parameter(format!(
                "COPY delimiter cannot be \"{delimiter}\""
            )));
        }
        let (header, header_match) = header.unwrap_or((false, false));
        if binary && header {
            return Err(not_supported("cannot specify HEADER in BINARY mode"));
        }
        let mut quote_byte = b'"';
        if let Some(q) = quote {
            if !csv {
                return Err(not_supported("COPY quote available only in CSV mode"));
            }
            let &[q] = q.as_bytes() else {
                return Err(not_supported(
                    "COPY quote must be a single one-byte character",
                ));
            };
            if q == delim {
                return Err(SqlError::invalid_parameter(
                    "COPY delimiter and quote must be different",
                ));
            }
            quote_byte = q;
        }
        let mut escape_byte = quote_byte;
        if let Some(e) = escape {
            if !csv {
                return Err(not_supported("COPY escape available only in CSV mode"));
            }
            let &[e] = e.as_bytes() else {
                return Err(not_supported(
                    "COPY escape must be a single one-byte character",
                ));
            };
            escape_byte = e;
        }
        if null.as_bytes().contains(&delim) {
            return Err(not_supported(
                "COPY delimiter must not appear in the NULL specification",
            ));
        }
        if csv && null.as_bytes().contains(&quote_byte) {
            return Err(not_supported(
                "CSV quote character must not appear in the NULL specification",
            ));
        }
        Ok(CopyOptions {
            format,
            delimiter: delim,
            null: null.to_owned(),
            header,
            header_match,
            quote: quote_byte,
            escape: escape_byte,
            freeze: freeze.unwrap_or(false),
        })
    }
}

/// `defGetBoolean`: no argument means true; `0`/`1` stand for the integer
/// forms (the pair list cannot tell `1` from `'1'`).
fn boolean(name: &str, value: Option<&str>) -> Result<bool, SqlError> {
    let Some(v) = value else { return Ok(true) };
    match v.to_ascii_lowercase().as_str() {
        "true" | "on" | "1" => Ok(true),
        "false" | "off" | "0" => Ok(false),
        _ => Err(SqlError::syntax(format!("{name} requires a Boolean value"))),
    }
}

/// `defGetCopyHeaderChoice`: a Boolean, or `match` on input. Returns
/// (header, match).
fn header_choice(
    name: &str,
    value: Option<&str>,
    direction: CopyDirection,
) -> Result<(bool, bool), SqlError> {
    if value.is_some_and(|v| v.eq_ignore_ascii_case("match")) {
        if direction == CopyDirection::To {
            return Err(SqlError::unsupported(
                "cannot use \"match\" with HEADER in COPY TO",
            ));
        }
        return Ok((true, true));
    }
    boolean(name, value)
        .map(|b| (b, false))
        .map_err(|_| SqlError::syntax(format!("{name} requires a Boolean value or \"match\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[(&str, Option<&str>)]) -> Result<CopyOptions, SqlError> {
        parse_dir(opts, CopyDirection::To)
    }

    fn parse_dir(
        opts: &[(&str, Option<&str>)],
        dir: CopyDirection,
    ) -> Result<CopyOptions, SqlError> {
        let v: Vec<(String, Option<String>)> = opts
            .iter()
            .map(|(n, v)| (n.to_string(), v.map(str::to_owned)))
            .collect();
        CopyOptions::parse(&v, dir)
    }

    fn err(opts: &[(&str, Option<&str>)]) -> (String, String) {
        let e = parse(opts).expect_err("should fail");
        (e.code.code().to_owned(), e.message)
    }

    #[test]
    fn defaults() {
        let t = parse(&[]).unwrap();
        assert_eq!(t, CopyOptions::default());
        let c = parse(&[("format", Some("csv"))]).unwrap();
        assert_eq!(c.format, CopyFormat::Csv);
        assert_eq!(c.delimiter, b',');
        assert_eq!(c.null, "");
        assert_eq!((c.quote, c.escape), (b'"', b'"'));
        let c = parse(&[
            ("format", Some("csv")),
            ("header", None),
            ("delimiter", Some(";")),
            ("null", Some("x")),
            ("quote", Some("'")),
            ("freeze", Some("on")),
        ])
        .unwrap();
        assert!(c.header && c.freeze);
        assert_eq!((c.delimiter, c.quote, c.escape), (b';', b'\'', b'\''));
        assert_eq!(c.null, "x");
        let c = parse(&[("format", Some("csv")), ("escape", Some("\\"))]).unwrap();
        assert_eq!((c.quote, c.escape), (b'"', b'\\'));
        // Text format takes HEADER in PostgreSQL 15, both ways.
        assert!(parse(&[("header", Some("true"))]).unwrap().header);
        let m = parse_dir(&[("header", Some("match"))], CopyDirection::From).unwrap();
        assert!(m.header && m.header_match);
        assert!(parse(&[("encoding", Some("UTF8"))]).is_ok());
    }

    /// Each case was run on PostgreSQL 15 (`COPY t TO STDOUT (…)`).
    #[test]
    fn errors_match_postgres() {
        type Case<'a> = (&'a [(&'a str, Option<&'a str>)], &'a str, &'a str);
        let cases: &[Case<'_>] = &[
            (
                &[("foo", Some("1"))],
                "42601",
                "option \"foo\" not recognized",
            ),
            (&[("oids", None)], "42601", "option \"oids\" not recognized"),
            (
                &[("format", Some("csv")), ("format", Some("text"))],
                "42601",
                "conflicting or redundant options",
            ),
            (
                &[("header", Some("on")), ("header", Some("off"))],
                "42601",
                "conflicting or redundant options",
            ),
            (
                &[("format", Some("xml"))],
                "22023",
                "COPY format \"xml\" not recognized",
            ),
            (
                &[("format", Some("CSV"))],
                "22023",
                "COPY format \"CSV\" not recognized",
            ),
            (&[("format", None)], "42601", "format requires a parameter"),
            (
                &[("delimiter", None)],
                "42601",
                "delimiter requires a parameter",
            ),
            (&[("null", None)], "42601", "null requires a parameter"),
            (
                &[("delimiter", Some(";;"))],
                "0A000",
                "COPY delimiter must be a single one-byte character",
            ),
            (
                &[("delimiter", Some("é"))],
                "0A000",
                "COPY delimiter must be a single one-byte character",
            ),
            (
                &[("delimiter", Some(""))],
                "0A000",
                "COPY delimiter must be a single one-byte character",
            ),
            (
                &[("format", Some("binary")), ("delimiter", Some(";;"))],
                "42601",
                "cannot specify DELIMITER in BINARY mode",
            ),
            (
                &[("format", Some("binary")), ("null", Some("x"))],
                "42601",
                "cannot specify NULL in BINARY mode",
            ),
            (
                &[("format", Some("binary")), ("header", None)],
                "0A000",
                "cannot specify HEADER in BINARY mode",
            ),
            (
                &[("format", Some("binary")), ("quote", Some("\""))],
                "0A000",
                "COPY quote available only in CSV mode",
            ),
            (
                &[("header", Some("match"))],
                "0A000",
                "cannot use \"match\" with HEADER in COPY TO",
            ),
            (
                &[("quote", Some("\""))],
                "0A000",
                "COPY quote available only in CSV mode",
            ),
            (
                &[("escape", Some("\""))],
                "0A000",
                "COPY escape available only in CSV mode",
            ),
            (
                &[("format", Some("csv")), ("quote", Some("ab"))],
                "0A000",
                "COPY quote must be a single one-byte character",
            ),
            (
                &[("format", Some("csv")), ("quote", Some(""))],
                "0A000",
                "COPY quote must be a single one-byte character",
            ),
            (
                &[("format", Some("csv")), ("escape", Some("ab"))],
                "0A000",
                "COPY escape must be a single one-byte character",
            ),
            (
                &[("format", Some("csv")), ("escape", Some(""))],
                "0A000",
                "COPY escape must be a single one-byte character",
            ),
            (
                &[("format", Some("csv")), ("delimiter", Some("\""))],
                "22023",
                "COPY delimiter and quote must be different",
            ),
            (
                &[("format", Some("csv")), ("quote", Some(","))],
                "22023",
                "COPY delimiter and quote must be different",
            ),
            (
                &[("delimiter", Some("\\"))],
                "22023",
                "COPY delimiter cannot be \"\\\"",
            ),
            (
                &[("delimiter", Some("a"))],
                "22023",
                "COPY delimiter cannot be \"a\"",
            ),
            (
                &[("delimiter", Some("."))],
                "22023",
                "COPY delimiter cannot be \".\"",
            ),
            (
                &[("delimiter", Some("\n"))],
                "22023",
                "COPY delimiter cannot be newline or carriage return",
            ),
            (
                &[("delimiter", Some("\r"))],
                "22023",
                "COPY delimiter cannot be newline or carriage return",
            ),
            (
                &[("null", Some("\n"))],
                "22023",
                "COPY null representation cannot use newline or carriage return",
            ),
            (
                &[("null", Some("\r"))],
                "22023",
                "COPY null representation cannot use newline or carriage return",
            ),
            (
                &[("format", Some("csv")), ("null", Some("a,b"))],
                "0A000",
                "COPY delimiter must not appear in the NULL specification",
            ),
            (
                &[("delimiter", Some("|")), ("null", Some("x|y"))],
                "0A000",
                "COPY delimiter must not appear in the NULL specification",
            ),
            (
                &[("format", Some("csv")), ("null", Some("\""))],
                "0A000",
                "CSV quote character must not appear in the NULL specification",
            ),
            (
                &[("freeze", Some("maybe"))],
                "42601",
                "freeze requires a Boolean value",
            ),
            (
                &[("header", Some("2"))],
                "42601",
                "header requires a Boolean value or \"match\"",
            ),
        ];
        for (opts, code, msg) in cases {
            assert_eq!(
                err(opts),
                (code.to_string(), msg.to_string()),
                "options {opts:?}"
            );
        }
    }
}
