//! Which engine database a session connects to: `--db URL` serves one
//! database under every name (what clients put in `dbname` does not
//! matter), `--db NAME=URL` (repeatable) serves each named database from
//! its own storage, and any other name is FATAL 3D000 `database "x" does
//! not exist`, after authentication as in PostgreSQL.
//!
//! ```text
//! --db app=file:///srv/app --db audit=s3://bucket/audit
//!   dbname=app    ──► Database(file:///srv/app)
//!   dbname=audit  ──► Database(s3://bucket/audit)
//!   dbname=other  ──► FATAL 3D000
//! ```
//!
//! Each URL is opened once at start-up (recovery runs then) and every
//! session on that name shares the handle; the databases share nothing
//! else: separate catalogs, logs and transactions.

use std::collections::BTreeMap;

use twill_engine::Database;

/// A parsed `--db` value list, not yet opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrls {
    /// One URL for every database name.
    Any(String),
    /// Named URLs.
    Named(BTreeMap<String, String>),
}

/// The opened databases, by name (or one for all).
#[derive(Clone)]
pub enum Databases {
    /// Every name connects here.
    Any(Database),
    /// Only these names exist.
    Named(BTreeMap<String, Database>),
}

impl DatabaseUrls {
    /// Reads the `--db` values: a single bare URL, or only `NAME=URL`
    /// entries with distinct names. A value is named when the text before
    /// its first `=` is a plain identifier (no `:` or `/`), so URLs with
    /// `=` in a query string stay URLs.
    pub fn parse(values: &[String]) -> Result<DatabaseUrls, String> {
        let mut named = BTreeMap::new();
        let mut bare = Vec::new();
        for value in values {
            match split_name(value) {
                Some((name, url)) => {
                    if named.insert(name.to_string(), url.to_string()).is_some() {
                        return Err(format!("--db: database \"{name}\" is given twice"));
                    }
                }
                None => bare.push(value.clone()),
            }
        }
        match (bare.len(), named.is_empty()) {
            (1, true) => Ok(DatabaseUrls::Any(bare.remove(0))),
            (0, false) => Ok(DatabaseUrls::Named(named)),
            (0, true) => Err("--db: no database given".into()),
            _ => Err(
                "--db: give either one URL (served under every name) or only NAME=URL values"
                    .into(),
            ),
        }
    }

    /// Every URL with the name it serves (None: every name).
    pub fn entries(&self) -> Vec<(Option<&str>, &str)> {
        match self {
            DatabaseUrls::Any(url) => vec![(None, url)],
            DatabaseUrls::Named(map) => map
                .iter()
                .map(|(name, url)| (Some(name.as_str()), url.as_str()))
                .collect(),
        }
    }

    /// For the startup log line, with credentials in URLs redacted.
    pub fn describe(&self) -> String {
        self.entries()
            .iter()
            .map(|(name, url)| match name {
                None => twill_engine::redact_url(url),
                Some(name) => format!("{name}={}", twill_engine::redact_url(url)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Opens every URL; the error is one line naming the failing URL.
    pub fn open(&self) -> Result<Databases, String> {
        let open = |url: &str| {
            Database::open(url).map_err(|e| {
                format!(
                    "cannot open database {}: {}",
                    twill_engine::redact_url(url),
                    e.message
                )
            })
        };
        Ok(match self {
            DatabaseUrls::Any(url) => Databases::Any(open(url)?),
            DatabaseUrls::Named(map) => Databases::Named(
                map.iter()
                    .map(|(name, url)| Ok((name.clone(), open(url)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }
}

impl Databases {
    /// The database a session asking for `name` connects to.
    pub fn get(&self, name: &str) -> Option<&Database> {
        match self {
            Databases::Any(db) => Some(db),
            Databases::Named(map) => map.get(name),
        }
    }
}

/// `NAME=URL` → (NAME, URL) when NAME is a plain identifier.
fn split_name(value: &str) -> Option<(&str, &str)> {
    let (name, url) = value.split_once('=')?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
    plain.then_some((name, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<DatabaseUrls, String> {
        DatabaseUrls::parse(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn one_url_or_named_urls() {
        assert_eq!(
            parse(&["memory://"]),
            Ok(DatabaseUrls::Any("memory://".into()))
        );
        assert_eq!(
            parse(&["s3://b/p?region=x"]),
            Ok(DatabaseUrls::Any("s3://b/p?region=x".into())),
            "an = inside a URL is not a name"
        );
        let named = parse(&["app=memory://", "audit=file://./a"]).unwrap();
        assert_eq!(
            named.entries(),
            vec![(Some("app"), "memory://"), (Some("audit"), "file://./a")]
        );
        assert_eq!(named.describe(), "app=memory://, audit=file://./a");
        assert!(
            parse(&["a=memory://", "a=memory://"])
                .unwrap_err()
                .contains("twice")
        );
        assert!(parse(&["memory://", "a=memory://"]).is_err());
        assert!(parse(&["memory://", "file://x"]).is_err());
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn named_databases_are_separate() {
        let dbs = parse(&["a=memory://", "b=memory://"])
            .unwrap()
            .open()
            .unwrap();
        assert!(dbs.get("a").is_some() && dbs.get("b").is_some());
        assert!(dbs.get("c").is_none());
        let any = parse(&["memory://"]).unwrap().open().unwrap();
        assert!(any.get("whatever").is_some());
    }
}
