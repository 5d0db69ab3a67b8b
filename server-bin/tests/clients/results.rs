//! Per-feature results for the compatibility table in
//! docs/compatibility.md.
//!
//! Every client script prints one line per feature it runs on stdout
//! (`common.js`, `common.py`, `JdbcClient.java`):
//!
//! ```text
//! TWILL-FEATURE <name> ok
//! TWILL-FEATURE <name> FAIL <reason>
//! ```
//!
//! [`outcomes`] turns one script run into the outcome of every feature the
//! test asked for (`connect`, the features, `close`); a feature without a
//! line (the script stopped at an earlier failure, crashed or timed out)
//! fails with why. [`write`] stores a test's outcomes as
//! `target/compatibility/<client>.<test>.tsv`, one row per feature and
//! runtime (`client feature runtime ok|FAIL reason`, tab-separated), which
//! `scripts/compat-table.py` renders into the document.

use ::std::fmt::Write as _;
use ::std::path::{Path, PathBuf};

/// The prefix of a script's result line.
const PREFIX: &str = "TWILL-FEATURE ";

/// One feature's outcome on one runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Fail(String),
}

/// The features a script runs for `requested`: `connect` first and
/// `close` last, always (as the scripts' runners do).
pub(crate) fn expected<'a>(requested: &[&'a str]) -> Vec<&'a str> {
    let mut names = vec!["connect"];
    names.extend(
        requested
            .iter()
            .copied()
            .filter(|n| *n != "connect" && *n != "close"),
    );
    names.push("close");
    names
}

/// The outcome of each of `expected`, from a script's stdout (`text`) and
/// `ended`: `None` when the script exited 0, else how it ended (exit status
/// or timeout).
pub(crate) fn outcomes(
    expected: &[&str],
    text: &str,
    ended: Option<&str>,
) -> Vec<(String, Outcome)> {
    let mut reported: Vec<(&str, Outcome)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(PREFIX) else {
            continue;
        };
        let (name, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let outcome = match rest.split_once(' ').unwrap_or((rest, "")) {
            ("ok", _) => Outcome::Ok,
            ("FAIL", reason) => Outcome::Fail(clean(reason)),
            _ => Outcome::Fail(format!("unreadable result line: {}", clean(line))),
        };
        reported.push((name, outcome));
    }
    let mut earlier_failure: Option<&str> = None;
    expected
        .iter()
        .map(|&name| {
            let outcome = match reported.iter().find(|(n, _)| *n == name) {
                Some((_, outcome)) => outcome.clone(),
                None => Outcome::Fail(match (earlier_failure, ended) {
                    (Some(first), _) => format!("not run: `{first}` failed before it"),
                    (None, Some(how)) => format!("no result: the script {}", clean(how)),
                    (None, None) => "no result: the script exited 0 without reporting it".into(),
                }),
            };
            if outcome != Outcome::Ok && earlier_failure.is_none() {
                earlier_failure = Some(name);
            }
            (name.to_string(), outcome)
        })
        .collect()
}

/// One line, no tabs, at most 300 characters.
fn clean(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(300).collect()
}

/// `target/compatibility/`.
pub(crate) fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("compatibility")
}

/// Writes `rows` (runtime, feature outcomes) of `client` to
/// `target/compatibility/<client>.<test>.tsv`, the test being this test
/// thread's name (libtest names it after the test) without its module path.
pub(crate) fn write(client: &str, rows: &[(&str, Vec<(String, Outcome)>)]) {
    let test = ::std::thread::current()
        .name()
        .and_then(|n| n.rsplit("::").next())
        .map(str::to_string)
        .unwrap_or_else(|| "test".into());
    let mut tsv = String::new();
    let features: Vec<&str> = rows
        .first()
        .map(|(_, o)| o.iter().map(|(f, _)| f.as_str()).collect())
        .unwrap_or_default();
    for feature in features {
        for (runtime, outcomes) in rows {
            let Some((_, outcome)) = outcomes.iter().find(|(f, _)| f == feature) else {
                continue;
            };
            let (result, reason) = match outcome {
                Outcome::Ok => ("ok", ""),
                Outcome::Fail(reason) => ("FAIL", reason.as_str()),
            };
            writeln!(tsv, "{client}\t{feature}\t{runtime}\t{result}\t{reason}").unwrap();
        }
    }
    let dir = dir();
    let path = dir.join(format!("{client}.{test}.tsv"));
    let tmp = dir.join(format!(".{client}.{test}.tsv.{}", ::std::process::id()));
    let written = ::std::fs::create_dir_all(&dir)
        .and_then(|()| ::std::fs::write(&tmp, tsv))
        .and_then(|()| ::std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        panic!("{client}: cannot write {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_from_script_output() {
        let names = expected(&["a", "b", "connect"]);
        assert_eq!(names, ["connect", "a", "b", "close"]);
        let out = "ok x/connect (3 ms)\nTWILL-FEATURE connect ok\nTWILL-FEATURE a FAIL 42P01\trelation  x\n";
        let got = outcomes(&names, out, Some("exit status: 1"));
        assert_eq!(
            got,
            [
                ("connect".to_string(), Outcome::Ok),
                ("a".to_string(), Outcome::Fail("42P01 relation x".into())),
                (
                    "b".to_string(),
                    Outcome::Fail("not run: `a` failed before it".into())
                ),
                (
                    "close".to_string(),
                    Outcome::Fail("not run: `a` failed before it".into())
                ),
            ]
        );
        let got = outcomes(&["connect"], "", Some("timed out after 60s"));
        assert_eq!(
            got[0].1,
            Outcome::Fail("no result: the script timed out after 60s".into())
        );
        let got = outcomes(&["connect"], "", None);
        assert!(matches!(&got[0].1, Outcome::Fail(r) if r.contains("without reporting")));
    }
}
