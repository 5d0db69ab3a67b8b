//! BackendKeyData and entropy for new connections: the core's
//! [`KeyMint`](twill_protocol::KeyMint) fed from the OS random source. The
//! core has no randomness of its own: the host picks each connection's key
//! (a unique pid and a random secret, which a CancelRequest must quote) and
//! the 32 bytes that seed its SCRAM nonces and salts.

use std::io;

use twill_protocol::BackendKey;

/// Hands out process ids in order and random secrets.
#[derive(Debug, Default)]
pub(crate) struct KeyMint(twill_protocol::KeyMint);

impl KeyMint {
    pub(crate) fn new() -> Self {
        KeyMint::default()
    }

    /// A key and the entropy for `Connection::new`.
    pub(crate) fn mint(&mut self) -> io::Result<(BackendKey, [u8; 32])> {
        let mut random = [0u8; 36];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(self.0.mint(random))
    }
}
