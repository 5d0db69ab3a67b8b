//! The `--auth-file`: pg_hba.conf-style rules and the users they admit, in
//! one file.
//!
//! ```text
//! # TYPE     DATABASE  USER   ADDRESS       METHOD
//! hostssl    all       all    0.0.0.0/0     scram-sha-256
//! host       all       all    127.0.0.1/32  trust
//! host       all       all    all           reject
//!
//! # user NAME VERIFIER   (made by `engine-server passwd NAME`)
//! user alice SCRAM-SHA-256$4096:c2FsdA==$…:…
//! user bob   md59e8b47dd245ed6fdb3fd1657224800c4
//! ```
//!
//! Rule lines are the protocol core's grammar
//! ([`AccessRule::parse`]); the core matches them, because it alone knows
//! the user, database, TLS state and address at the moment a method must be
//! chosen. This module only reads text: `#` starts a comment, blank lines
//! are skipped, a line starting with `user` declares a user. Users hold
//! PostgreSQL's stored verifiers (`pg_authid.rolpassword`: SCRAM or `md5`),
//! never a password: a cleartext password in the file is an error, so a
//! leaked file does not leak passwords (a SCRAM verifier still allows an
//! offline dictionary attack, so keep the file private). Verifiers copied
//! from a PostgreSQL server work as they are.
//!
//! Any error names the file and line and stops the server from starting: a
//! half-read access file would admit the wrong people.

use twill_protocol::{AccessRule, AccessRules, StoredCredential, Users};

/// What an auth file says.
#[derive(Debug, Clone, Default)]
pub struct AuthFile {
    /// The rules, in file order.
    pub rules: AccessRules,
    /// The users with their stored verifiers.
    pub users: Users,
}

impl AuthFile {
    /// Parses the text of an auth file; `origin` (the path) prefixes errors.
    pub fn parse(text: &str, origin: &str) -> Result<AuthFile, String> {
        let mut file = AuthFile::default();
        let mut seen = std::collections::HashSet::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let at = |message: String| format!("{origin}:{}: {message}", number + 1);
            match line.split_whitespace().collect::<Vec<_>>()[..] {
                ["user", name, verifier] => {
                    let credential =
                        StoredCredential::parse_verifier(verifier).ok_or_else(|| {
                            at(format!(
                                "user \"{name}\": not a stored verifier (SCRAM-SHA-256$… or md5…); \
                             passwords are never stored: run `engine-server passwd {name}`"
                            ))
                        })?;
                    if !seen.insert(name.to_string()) {
                        return Err(at(format!("user \"{name}\" is declared twice")));
                    }
                    file.users.insert(name, credential);
                }
                ["user", ..] => return Err(at("expected `user NAME VERIFIER`".into())),
                _ => file.rules.push(AccessRule::parse(line).map_err(at)?),
            }
        }
        if file.rules.rules().is_empty() {
            return Err(format!(
                "{origin}: no rules: every connection would be refused"
            ));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use twill_protocol::{AccessDecision, AuthMethod, CredentialSource, auth::Attempt};

    use super::*;

    const SCRAM: &str = "SCRAM-SHA-256$4096:TH/hti6vRVCZRLfXsa+LYg==$D6JQ4hY3+eQE6OgabwN2EHoOUQ9xNOtEvbZhl5UQn0E=:Xz3zUgfFA511gex++rlscEHJyVNDi87+/pjFXnsj0m4=";

    #[test]
    fn rules_and_users() {
        let text = format!(
            "# access\nhostssl all all 0.0.0.0/0 scram-sha-256  # remote\n\
             host all all 127.0.0.1/32 trust\n\nuser bob {SCRAM}\nuser carol md59e8b47dd245ed6fdb3fd1657224800c4\n"
        );
        let file = AuthFile::parse(&text, "auth.conf").unwrap();
        assert_eq!(file.rules.rules().len(), 2);
        let local = Attempt {
            peer: Some("127.0.0.1".parse().unwrap()),
            tls: false,
            user: "bob",
            database: "bob",
        };
        assert_eq!(
            file.rules.decide(&local),
            AccessDecision::Method(AuthMethod::Trust)
        );
        let bob = file.users.credential("bob").unwrap();
        assert!(bob.scram.unwrap().matches_password("pw"));
        assert!(file.users.credential("carol").unwrap().md5.is_some());
        assert!(file.users.credential("dave").is_none());
    }

    /// The example in docs/security.md.
    #[test]
    fn the_documented_example() {
        let text = "\
host       all           eve          all             reject          # first, so eve never gets in
host       all           all          127.0.0.1/32    trust           # local clients, TLS or not
hostnossl  all           all          all             reject          # everyone else must use TLS
hostssl    app,reports   alice,bob    10.0.0.0/8      scram-sha-256
hostssl    sameuser      all          0.0.0.0/0       scram-sha-256
hostssl    all           legacy       192.168.1.0/24  md5
user legacy md59e8b47dd245ed6fdb3fd1657224800c4
";
        let rules = AuthFile::parse(text, "doc").unwrap().rules;
        let decide = |peer: &str, tls, user, database| {
            let peer = Some(peer.parse().unwrap());
            match rules.decide(&Attempt {
                peer,
                tls,
                user,
                database,
            }) {
                AccessDecision::Method(m) => Some(m),
                AccessDecision::NoEntry => None,
            }
        };
        assert_eq!(
            decide("127.0.0.1", false, "eve", "app"),
            Some(AuthMethod::Reject)
        );
        assert_eq!(
            decide("127.0.0.1", false, "bob", "app"),
            Some(AuthMethod::Trust)
        );
        assert_eq!(
            decide("10.1.1.1", false, "bob", "app"),
            Some(AuthMethod::Reject)
        );
        assert_eq!(
            decide("10.1.1.1", true, "bob", "app"),
            Some(AuthMethod::ScramSha256)
        );
        assert_eq!(
            decide("8.8.8.8", true, "bob", "bob"),
            Some(AuthMethod::ScramSha256)
        );
        assert_eq!(decide("8.8.8.8", true, "bob", "app"), None);
        assert_eq!(
            decide("192.168.1.9", true, "legacy", "x"),
            Some(AuthMethod::Md5)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = |text: &str| AuthFile::parse(text, "a.conf").unwrap_err();
        assert_eq!(
            err("host all all all trust\nuser bob hunter2\n"),
            "a.conf:2: user \"bob\": not a stored verifier (SCRAM-SHA-256$… or md5…); \
             passwords are never stored: run `engine-server passwd bob`"
        );
        assert!(
            err("host all all all tru\n").starts_with("a.conf:1: invalid authentication method")
        );
        assert!(err("user bob\n").starts_with("a.conf:1: expected `user NAME VERIFIER`"));
        let twice = format!("host all all all trust\nuser b {SCRAM}\nuser b {SCRAM}\n");
        assert!(err(&twice).contains("declared twice"));
        assert_eq!(
            err("# nothing\n"),
            "a.conf: no rules: every connection would be refused"
        );
    }
}
