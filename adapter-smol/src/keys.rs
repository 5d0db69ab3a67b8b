//! BackendKeyData and entropy for new connections: the core's
//! [`KeyMint`](twill_protocol::KeyMint) fed from the OS random source.

use std::io;

use twill_protocol::BackendKey;

/// Hands out keys for one server.
#[derive(Debug, Default)]
pub(crate) struct KeyMint(twill_protocol::KeyMint);

impl KeyMint {
    pub(crate) fn new() -> Self {
        KeyMint::default()
    }

    /// A fresh key (unique pid, random secret) and a random entropy seed.
    pub(crate) fn mint(&self) -> io::Result<(BackendKey, [u8; 32])> {
        let mut random = [0u8; 36];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(self.0.mint(random))
    }
}
