//! BackendKeyData and entropy for new connections.
//!
//! A CancelRequest names its target by pid and secret, so the pid must be
//! unique among this server's live connections (a counter does that) and
//! the secret must be unguessable (the OS random source does that). The
//! core has no randomness of its own, so its 32-byte seed for SCRAM nonces
//! and MD5 salts comes from the same source.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

use twill_protocol::BackendKey;

/// Hands out pids, one server's worth.
#[derive(Debug)]
pub(crate) struct KeyMint {
    /// The next pid; wraps back to 1 before overflowing.
    next_pid: AtomicI32,
}

impl KeyMint {
    pub(crate) fn new() -> Self {
        KeyMint {
            next_pid: AtomicI32::new(1),
        }
    }

    /// A fresh key (unique pid, random secret) and a random entropy seed.
    pub(crate) fn mint(&self) -> io::Result<(BackendKey, [u8; 32])> {
        let pid = self
            .next_pid
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| {
                Some(if p == i32::MAX { 1 } else { p + 1 })
            })
            // The closure always returns Some, so fetch_update cannot fail.
            .unwrap_or(1);
        let mut secret = [0u8; 4];
        let mut entropy = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| io::Error::other(e.to_string()))?;
        getrandom::fill(&mut entropy).map_err(|e| io::Error::other(e.to_string()))?;
        Ok((
            BackendKey {
                pid,
                secret: i32::from_be_bytes(secret),
            },
            entropy,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_are_unique_and_wrap_to_one() {
        let mint = KeyMint::new();
        let (a, _) = mint.mint().expect("randomness");
        let (b, _) = mint.mint().expect("randomness");
        assert_eq!((a.pid, b.pid), (1, 2));
        mint.next_pid.store(i32::MAX, Ordering::Relaxed);
        let (c, _) = mint.mint().expect("randomness");
        let (d, _) = mint.mint().expect("randomness");
        assert_eq!((c.pid, d.pid), (i32::MAX, 1));
    }
}
