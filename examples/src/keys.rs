//! BackendKeyData and entropy for new connections.
//!
//! The core has no randomness of its own: the host picks each connection's
//! key (a unique pid and a random secret, which a CancelRequest must quote)
//! and the 32 bytes that seed its SCRAM nonces and salts.

use std::io;

use twill_protocol::BackendKey;

/// Hands out process ids in order and random secrets.
#[derive(Debug)]
pub(crate) struct KeyMint {
    /// The pid the next connection gets (never 0 or negative).
    next_pid: i32,
}

impl KeyMint {
    pub(crate) fn new() -> Self {
        KeyMint { next_pid: 1 }
    }

    /// A key and the entropy for `Connection::new`.
    pub(crate) fn mint(&mut self) -> io::Result<(BackendKey, [u8; 32])> {
        let pid = self.next_pid;
        self.next_pid = self.next_pid.checked_add(1).unwrap_or(1);
        let mut secret = [0u8; 4];
        let mut entropy = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| io::Error::other(e.to_string()))?;
        getrandom::fill(&mut entropy).map_err(|e| io::Error::other(e.to_string()))?;
        let key = BackendKey {
            pid,
            secret: i32::from_be_bytes(secret),
        };
        Ok((key, entropy))
    }
}
