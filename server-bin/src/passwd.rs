//! `engine-server passwd USER`: turns a password into the line an auth
//! file stores, so no password is ever written down.
//!
//! ```text
//! $ printf '%s\n' "$PASSWORD" | engine-server passwd alice
//! user alice SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>
//! ```
//!
//! The password is the first line of standard input (so it can be piped
//! from a secret store; nothing is echoed because nothing is read from a
//! terminal specially). The verifier is PostgreSQL's own form with a fresh
//! 16-byte random salt and `--iterations` PBKDF2 rounds (PostgreSQL's
//! `scram_iterations` default, 4096); `--md5` prints the legacy
//! `md5<hex>` form instead, for clients that only speak `md5`.

use twill_protocol::{ScramVerifier, auth::md5_hex_password};

/// The default PBKDF2 rounds: PostgreSQL's `scram_iterations`.
pub const DEFAULT_ITERATIONS: u32 = 4096;

/// The auth-file line for `user` with `password`: SCRAM with `salt` and
/// `iterations`, or MD5. Errors are one line for the terminal.
pub fn verifier_line(
    user: &str,
    password: &str,
    iterations: u32,
    md5: bool,
    salt: [u8; 16],
) -> Result<String, String> {
    if user.is_empty() || user.chars().any(char::is_whitespace) {
        return Err(format!("invalid user name {user:?}"));
    }
    if password.is_empty() {
        return Err("empty password".into());
    }
    if iterations == 0 {
        return Err("--iterations must be at least 1".into());
    }
    let verifier = if md5 {
        md5_hex_password(user, password)
    } else {
        ScramVerifier::derive(password, &salt, iterations).to_string()
    };
    Ok(format!("user {user} {verifier}"))
}

/// The password in `input`: its first line without the line ending.
pub fn password_from(input: &str) -> &str {
    let line = input.split('\n').next().unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use twill_protocol::StoredCredential;

    use super::*;

    #[test]
    fn the_line_parses_back_and_checks_the_password() {
        let line = verifier_line("alice", "s3cret", 1000, false, [7; 16]).unwrap();
        let verifier = line.strip_prefix("user alice ").unwrap();
        assert!(verifier.starts_with("SCRAM-SHA-256$1000:BwcHBwcHBwcHBwcHBwcHBw==$"));
        let credential = StoredCredential::parse_verifier(verifier).unwrap();
        assert!(credential.scram.unwrap().matches_password("s3cret"));
        // `SELECT 'md5' || md5('pw' || 'bob')` in PostgreSQL 15.
        assert_eq!(
            verifier_line("bob", "pw", 1, true, [0; 16]).unwrap(),
            "user bob md59e8b47dd245ed6fdb3fd1657224800c4"
        );
        assert!(verifier_line("bob", "", 4096, false, [0; 16]).is_err());
        assert!(verifier_line("b b", "x", 4096, false, [0; 16]).is_err());
        assert!(verifier_line("bob", "x", 0, false, [0; 16]).is_err());
    }

    #[test]
    fn password_is_the_first_line() {
        assert_eq!(password_from("pw\n"), "pw");
        assert_eq!(password_from("pw\r\nrest"), "pw");
        assert_eq!(password_from("p w"), "p w");
    }
}
