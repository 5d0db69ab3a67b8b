//! MD5 password authentication (`AuthenticationMD5Password`).
//!
//! The stored form is `md5` + hex(md5(password ‖ user)); the client answers
//! a 4-byte salt with `md5` + hex(md5(hex(md5(password ‖ user)) ‖ salt)).

use md5::{Digest, Md5};

/// PostgreSQL's stored MD5 form for a user's password.
pub fn md5_hex_password(user: &str, password: &str) -> String {
    let mut h = Md5::new();
    h.update(password.as_bytes());
    h.update(user.as_bytes());
    format!("md5{}", hex(&h.finalize()))
}

/// Checks a client's MD5 response against the stored form.
pub(crate) fn verify_md5_response(stored: &str, salt: [u8; 4], response: &[u8]) -> bool {
    let Some(inner) = stored.strip_prefix("md5") else {
        return false;
    };
    let mut h = Md5::new();
    h.update(inner.as_bytes());
    h.update(salt);
    let expected = format!("md5{}", hex(&h.finalize()));
    super::constant_time_eq(expected.as_bytes(), response)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_postgres_stored_form_and_challenge() {
        // `SELECT 'md5' || md5('secret' || 'alice')` in PostgreSQL.
        let stored = md5_hex_password("alice", "secret");
        assert_eq!(stored.len(), 35);
        let salt = [1, 2, 3, 4];
        let mut h = Md5::new();
        h.update(&stored.as_bytes()[3..]);
        h.update(salt);
        let good = format!("md5{}", hex(&h.finalize()));
        assert!(verify_md5_response(&stored, salt, good.as_bytes()));
        assert!(!verify_md5_response(&stored, [0, 0, 0, 0], good.as_bytes()));
    }
}
