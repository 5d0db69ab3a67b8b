//! Authentication: methods, stored credentials and the exchanges.
//!
//! Passwords are never kept in the clear. A [`StoredCredential`] holds a
//! SCRAM-SHA-256 verifier (salt, iterations, StoredKey, ServerKey), derived
//! once when credentials are loaded, and optionally the MD5 hash PostgreSQL
//! keeps for `md5` auth. A SCRAM login then costs a handful of HMACs and never
//! stalls the host's event loop with PBKDF2 during a connection storm. (A
//! `password` (cleartext) login does run PBKDF2 once, as PostgreSQL does.)
//!
//! Unknown users are run through a mock exchange that fails exactly like a
//! wrong password, so a client cannot probe which role names exist: this is
//! PostgreSQL's own behaviour.
//!
//! Which method a connection must use is decided by [`AccessRules`]
//! (`hba.rs`), PostgreSQL's `pg_hba.conf` model: first matching rule wins.

mod hba;
mod md5;
mod scram;

use std::collections::HashMap;

pub use hba::{
    AccessDecision, AccessRule, AccessRules, AddressMatch, Attempt, ConnectionType, NameMatch,
};
pub use md5::md5_hex_password;
pub use scram::ScramVerifier;

pub(crate) use md5::verify_md5_response;
pub(crate) use scram::{ScramExchange, ScramStep};

/// How clients must prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    /// No proof; any user the engine knows may connect.
    #[default]
    Trust,
    /// Cleartext password (`AuthenticationCleartextPassword`). Only safe over TLS.
    Password,
    /// MD5 challenge. Users with only a SCRAM verifier are moved to SCRAM, as
    /// PostgreSQL does.
    Md5,
    /// SCRAM-SHA-256 (RFC 5802 / RFC 7677).
    ScramSha256,
    /// Refuse the connection (`reject` in pg_hba.conf): FATAL 28000
    /// `pg_hba.conf rejects connection for host …`.
    Reject,
}

/// What the server keeps about one user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// The SCRAM verifier, used by SCRAM and cleartext auth.
    pub scram: Option<ScramVerifier>,
    /// `md5` + hex(md5(password + user)), PostgreSQL's MD5 storage form.
    pub md5: Option<String>,
}

impl StoredCredential {
    /// Parses a stored verifier in PostgreSQL's `pg_authid.rolpassword`
    /// forms: `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>` or
    /// `md5` + 32 hex digits. Anything else (a cleartext password above
    /// all) is refused with None.
    pub fn parse_verifier(verifier: &str) -> Option<StoredCredential> {
        if let Some(scram) = ScramVerifier::parse(verifier) {
            return Some(StoredCredential {
                scram: Some(scram),
                md5: None,
            });
        }
        let hex = verifier.strip_prefix("md5")?;
        (hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| StoredCredential {
            scram: None,
            md5: Some(verifier.to_string()),
        })
    }

    /// Derives both forms from a password (PBKDF2 runs here, once).
    pub fn from_password(user: &str, password: &str, salt: [u8; 16]) -> StoredCredential {
        StoredCredential {
            scram: Some(ScramVerifier::derive(
                password,
                &salt,
                scram::DEFAULT_ITERATIONS,
            )),
            md5: Some(md5_hex_password(user, password)),
        }
    }
}

/// Where the core looks up a user's credential. Implement this to plug in
/// your own user store.
pub trait CredentialSource: Send + Sync {
    /// The stored credential for `user`, or None if there is no such user.
    fn credential(&self, user: &str) -> Option<StoredCredential>;
}

/// A fixed map of users to credentials.
#[derive(Debug, Clone, Default)]
pub struct Users {
    users: HashMap<String, StoredCredential>,
}

impl Users {
    /// An empty map.
    pub fn new() -> Users {
        Users::default()
    }

    /// Adds (or replaces) a user with a stored credential.
    pub fn insert(&mut self, user: impl Into<String>, credential: StoredCredential) {
        self.users.insert(user.into(), credential);
    }

    /// Adds a user from a cleartext password. The salt should be random;
    /// the core has no randomness of its own, so the caller supplies it.
    pub fn insert_password(&mut self, user: &str, password: &str, salt: [u8; 16]) {
        self.insert(user, StoredCredential::from_password(user, password, salt));
    }
}

impl CredentialSource for Users {
    fn credential(&self, user: &str) -> Option<StoredCredential> {
        self.users.get(user).cloned()
    }
}

/// PostgreSQL's words for a failed password login (28P01).
pub(crate) fn password_failed(user: &str) -> String {
    format!("password authentication failed for user \"{user}\"")
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both made by PostgreSQL 15 for role `bob`, password `pw`
    /// (`password_encryption` scram-sha-256, then md5; `pg_authid.rolpassword`).
    const PG_SCRAM: &str = "SCRAM-SHA-256$4096:TH/hti6vRVCZRLfXsa+LYg==$D6JQ4hY3+eQE6OgabwN2EHoOUQ9xNOtEvbZhl5UQn0E=:Xz3zUgfFA511gex++rlscEHJyVNDi87+/pjFXnsj0m4=";
    const PG_MD5: &str = "md59e8b47dd245ed6fdb3fd1657224800c4";

    #[test]
    fn parses_postgres_verifiers_and_refuses_plaintext() {
        let scram = StoredCredential::parse_verifier(PG_SCRAM).unwrap();
        let verifier = scram.scram.unwrap();
        assert!(verifier.matches_password("pw"));
        assert!(!verifier.matches_password("pW"));
        assert_eq!(
            verifier.to_string(),
            PG_SCRAM,
            "printed back in the same form"
        );
        let md5 = StoredCredential::parse_verifier(PG_MD5).unwrap();
        assert_eq!(
            md5.md5.as_deref(),
            Some(md5_hex_password("bob", "pw").as_str())
        );
        for bad in [
            "pw",
            "md5",
            "md5XYZ",
            "SCRAM-SHA-256$0:AA==$AA==:AA==",
            "md59E8B47DD245ED6FDB3FD1657224800C4",
        ] {
            assert_eq!(StoredCredential::parse_verifier(bad), None, "{bad}");
        }
    }
}
