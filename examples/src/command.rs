//! The key-value store's tiny query language: parsing and binding.
//!
//! A statement is one line of whitespace-separated words, the command word
//! in any case, an optional trailing `;`:
//!
//! ```text
//!   SET key value…     store a value (the rest of the line)   → SET
//!   GET key            one row, one text column `value`       → SELECT 0|1
//!   KEYS [prefix]      one row per key, sorted, streamed      → SELECT n
//!   DEL key            remove a key                           → DELETE 0|1
//!   BEGIN | COMMIT | END | ROLLBACK | ABORT                   → BEGIN, COMMIT, ROLLBACK
//! ```
//!
//! Any word may be a parameter `$1`, `$2`, … in the extended protocol, so a
//! [`Command`] is generic over its arguments: [`Command<Arg>`] is what
//! [`Command::parse`] returns (a prepared statement), and
//! [`Command::bind`] turns it into a [`Command<String>`] ready to run.
//! Anything else is `ERROR 42601 syntax error`, as PostgreSQL reports it.

use twill_protocol::{Column, ErrorReport};
use twill_types::{SqlState, oid};

/// One word of a statement: written out, or a parameter to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A literal word.
    Literal(String),
    /// `$n`, stored zero-based (`$1` is `Param(0)`).
    Param(usize),
}

impl Arg {
    /// `$n` (n ≥ 1) is a parameter; any other word is a literal.
    fn from_word(word: &str) -> Arg {
        match word.strip_prefix('$').map(str::parse::<usize>) {
            Some(Ok(n)) if n >= 1 => Arg::Param(n - 1),
            _ => Arg::Literal(word.to_owned()),
        }
    }
}

/// A statement of the key-value language; `A` is [`Arg`] once parsed and
/// `String` once bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<A = String> {
    /// `SET key value`: store `value` under `key`.
    Set {
        /// The key.
        key: A,
        /// The value: everything after the key.
        value: A,
    },
    /// `GET key`: the value, as one row (none if the key is absent).
    Get {
        /// The key.
        key: A,
    },
    /// `KEYS [prefix]`: every key (starting with `prefix`), one row each.
    Keys {
        /// Only keys starting with this.
        prefix: Option<A>,
    },
    /// `DEL key`: remove a key.
    Del {
        /// The key.
        key: A,
    },
    /// `BEGIN`: open a transaction block.
    Begin,
    /// `COMMIT` / `END`: apply the block's writes.
    Commit,
    /// `ROLLBACK` / `ABORT`: drop the block's writes.
    Rollback,
}

/// The one column `GET` and `KEYS` return, named `name`, of type `text`.
fn text_column(name: &str) -> Column {
    Column::new(name, oid::TEXT, -1)
}

impl Command<Arg> {
    /// Parses one statement (no `;` inside). `offset` is where `sql` starts
    /// in the whole query string, counted in characters, so an error's
    /// position (1-based, in characters, where psql draws its caret) points
    /// into the string the client sent.
    pub fn parse(sql: &str, offset: usize) -> Result<Command<Arg>, ErrorReport> {
        let text = sql.trim_end().trim_end_matches(';');
        let mut words = Words::new(text);
        let Some((at, verb)) = words.next() else {
            return Err(syntax_error(
                "syntax error at end of input",
                offset + sql.chars().count(),
            ));
        };
        // Byte offsets in `text` → character positions in the query string.
        let position = |at: usize| offset + text[..at].chars().count();
        let end = position(text.len());
        let command = match verb.to_ascii_uppercase().as_str() {
            "SET" => {
                let key = words.required(end)?;
                let value = words
                    .rest()
                    .ok_or_else(|| syntax_error("syntax error at end of input", end))?;
                return Ok(Command::Set {
                    key: Arg::from_word(key),
                    value: Arg::from_word(value),
                });
            }
            "GET" => Command::Get {
                key: Arg::from_word(words.required(end)?),
            },
            "DEL" => Command::Del {
                key: Arg::from_word(words.required(end)?),
            },
            "KEYS" => Command::Keys {
                prefix: words.next().map(|(_, w)| Arg::from_word(w)),
            },
            "BEGIN" | "START" => Command::Begin,
            "COMMIT" | "END" => Command::Commit,
            "ROLLBACK" | "ABORT" => Command::Rollback,
            _ => {
                return Err(syntax_error(
                    format!("syntax error at or near \"{verb}\""),
                    position(at),
                ));
            }
        };
        // START TRANSACTION / BEGIN WORK and friends: allow the noise word.
        let mut extra = words.next();
        if matches!(
            command,
            Command::Begin | Command::Commit | Command::Rollback
        ) && extra.is_some_and(|(_, w)| {
            w.eq_ignore_ascii_case("transaction") || w.eq_ignore_ascii_case("work")
        }) {
            extra = words.next();
        }
        match extra {
            None => Ok(command),
            Some((at, word)) => Err(syntax_error(
                format!("syntax error at or near \"{word}\""),
                position(at),
            )),
        }
    }

    /// How many parameters the statement takes (the highest `$n`).
    pub fn param_count(&self) -> usize {
        self.args()
            .filter_map(|a| match a {
                Arg::Param(i) => Some(i + 1),
                Arg::Literal(_) => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Fills in the parameters. A `$n` beyond `params` is ERROR 42P02, as
    /// PostgreSQL reports a simple query that names a parameter.
    pub fn bind(&self, params: &[String]) -> Result<Command<String>, ErrorReport> {
        let get = |arg: &Arg| match arg {
            Arg::Literal(word) => Ok(word.clone()),
            Arg::Param(i) => params.get(*i).cloned().ok_or_else(|| {
                ErrorReport::error(
                    SqlState::from_code("42P02"),
                    format!("there is no parameter ${}", i + 1),
                )
            }),
        };
        Ok(match self {
            Command::Set { key, value } => Command::Set {
                key: get(key)?,
                value: get(value)?,
            },
            Command::Get { key } => Command::Get { key: get(key)? },
            Command::Keys { prefix } => Command::Keys {
                prefix: prefix.as_ref().map(get).transpose()?,
            },
            Command::Del { key } => Command::Del { key: get(key)? },
            Command::Begin => Command::Begin,
            Command::Commit => Command::Commit,
            Command::Rollback => Command::Rollback,
        })
    }

    fn args(&self) -> impl Iterator<Item = &Arg> {
        let (a, b): (Option<&Arg>, Option<&Arg>) = match self {
            Command::Set { key, value } => (Some(key), Some(value)),
            Command::Get { key } | Command::Del { key } => (Some(key), None),
            Command::Keys { prefix } => (prefix.as_ref(), None),
            Command::Begin | Command::Commit | Command::Rollback => (None, None),
        };
        a.into_iter().chain(b)
    }
}

impl<A> Command<A> {
    /// The result columns: `GET` and `KEYS` return one text column; the
    /// others return no rows (NoData).
    pub fn columns(&self) -> Option<Vec<Column>> {
        match self {
            Command::Get { .. } => Some(vec![text_column("value")]),
            Command::Keys { .. } => Some(vec![text_column("key")]),
            _ => None,
        }
    }
}

/// Splits a simple-query string into statements at `;`, with each one's
/// byte offset; empty statements are dropped. (Values cannot hold `;` in a
/// simple query; use a parameter for that.)
pub fn split_statements(sql: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    sql.split_inclusive(';')
        .map(move |piece| {
            let at = start;
            start += piece.len();
            (at, piece)
        })
        .filter(|(_, piece)| !piece.trim().trim_end_matches(';').trim().is_empty())
}

/// ERROR 42601 at a 0-based character offset of the query string.
fn syntax_error(message: impl Into<String>, chars_before: usize) -> ErrorReport {
    let position = u32::try_from(chars_before + 1).unwrap_or(u32::MAX);
    ErrorReport::error(SqlState::SYNTAX_ERROR, message).with_position(position)
}

/// Whitespace-separated words with their byte offsets.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words { text, at: 0 }
    }

    /// The next word and where it starts.
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let rest = &self.text[self.at..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = self.at + skipped;
        let word_len = self.text[start..]
            .find(char::is_whitespace)
            .unwrap_or(self.text.len() - start);
        self.at = start + word_len;
        (word_len > 0).then(|| (start, &self.text[start..start + word_len]))
    }

    /// The next word, or a syntax error at the end of the statement.
    fn required(&mut self, end: usize) -> Result<&'a str, ErrorReport> {
        self.next()
            .map(|(_, w)| w)
            .ok_or_else(|| syntax_error("syntax error at end of input", end))
    }

    /// Everything left, trimmed; None if nothing is.
    fn rest(&mut self) -> Option<&'a str> {
        let rest = self.text[self.at..].trim();
        self.at = self.text.len();
        (!rest.is_empty()).then_some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_binds() {
        let set = Command::parse("set  k  hello world ;", 0).unwrap();
        assert_eq!(
            set.bind(&[]).unwrap(),
            Command::Set {
                key: "k".into(),
                value: "hello world".into()
            }
        );
        let get = Command::parse("GET $1", 0).unwrap();
        assert_eq!(get.param_count(), 1);
        assert_eq!(
            get.bind(&["a".into()]).unwrap(),
            Command::Get { key: "a".into() }
        );
        assert_eq!(get.bind(&[]).unwrap_err().code.to_string(), "42P02");
        assert_eq!(
            Command::parse("begin transaction", 0).unwrap(),
            Command::Begin
        );
        let keys = Command::parse("KEYS", 0).unwrap();
        assert_eq!(keys.bind(&[]).unwrap(), Command::Keys { prefix: None });
    }

    #[test]
    fn errors_point_at_the_word() {
        let err = Command::parse("FROB x", 10).unwrap_err();
        assert_eq!(err.code, SqlState::SYNTAX_ERROR);
        assert_eq!(err.position, Some(11));
        let err = Command::parse("GET a b", 0).unwrap_err();
        assert_eq!(err.message, "syntax error at or near \"b\"");
        assert_eq!(err.position, Some(7));
        assert!(Command::parse("GET", 0).is_err());
        // Positions count characters, not bytes.
        let err = Command::parse("GET ééé x", 2).unwrap_err();
        assert_eq!(err.position, Some(11));
    }

    #[test]
    fn splits_statements() {
        let parts: Vec<_> = split_statements("SET a 1; ;GET a").collect();
        assert_eq!(parts, vec![(0, "SET a 1;"), (10, "GET a")]);
        assert_eq!(split_statements(" ; ").count(), 0);
    }
}
