//! Backend keys and the registry that routes CancelRequests.
//!
//! A CancelRequest arrives on a *new* connection and names another one by
//! its BackendKeyData (process id and secret). The registry, shared by all
//! connections of a server, maps keys to whatever handle the host uses to
//! interrupt that connection's running call. A wrong secret finds nothing
//! and does nothing; secrets are compared in constant time so a client
//! cannot guess one byte by byte.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

/// A connection's BackendKeyData: a process id and a secret key. The host
/// chooses both; the secret must be random.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BackendKey {
    /// Process id (any unique number; clients show it as the backend pid).
    pub pid: i32,
    /// Secret key, random.
    pub secret: i32,
}

/// Hands out BackendKeys for one server: the pid must be unique among live
/// connections (a counter does that) and the secret unguessable (the host's
/// random source does that — the core has none). The same random bytes seed
/// each connection's SCRAM nonces and MD5 salts.
#[derive(Debug)]
pub struct KeyMint {
    /// The next pid; wraps back to 1 before overflowing.
    next_pid: AtomicI32,
}

impl Default for KeyMint {
    fn default() -> Self {
        KeyMint {
            next_pid: AtomicI32::new(1),
        }
    }
}

impl KeyMint {
    /// A mint whose first pid is 1.
    pub fn new() -> KeyMint {
        KeyMint::default()
    }

    /// A fresh key (next pid, secret from `random[..4]`) and the entropy
    /// seed for [`Connection::new`](crate::Connection::new) (`random[4..]`).
    /// `random` must come from a cryptographic random source.
    pub fn mint(&self, random: [u8; 36]) -> (BackendKey, [u8; 32]) {
        let pid = self
            .next_pid
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| {
                Some(if p == i32::MAX { 1 } else { p + 1 })
            })
            // The closure always returns Some, so fetch_update cannot fail.
            .unwrap_or(1);
        let secret = i32::from_be_bytes([random[0], random[1], random[2], random[3]]);
        let mut entropy = [0u8; 32];
        entropy.copy_from_slice(&random[4..]);
        (BackendKey { pid, secret }, entropy)
    }
}

/// Keys of live connections → the host's handle to interrupt them.
#[derive(Debug)]
pub struct CancelRegistry<H> {
    inner: Arc<Mutex<HashMap<i32, (i32, H)>>>,
}

impl<H> Clone for CancelRegistry<H> {
    fn clone(&self) -> Self {
        CancelRegistry {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<H> Default for CancelRegistry<H> {
    fn default() -> Self {
        CancelRegistry {
            inner: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl<H: Clone> CancelRegistry<H> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a live connection. The registration is removed when the
    /// returned guard is dropped. Returns None if the pid is already taken.
    pub fn register(&self, key: BackendKey, handle: H) -> Option<Registration<H>> {
        let mut map = self.lock();
        if map.contains_key(&key.pid) {
            return None;
        }
        map.insert(key.pid, (key.secret, handle));
        Some(Registration {
            registry: self.clone(),
            pid: key.pid,
        })
    }

    /// The handle for a key from a CancelRequest, if the pid is live and the
    /// secret matches.
    pub fn lookup(&self, key: BackendKey) -> Option<H> {
        let map = self.lock();
        let (secret, handle) = map.get(&key.pid)?;
        crate::auth::constant_time_eq(&secret.to_be_bytes(), &key.secret.to_be_bytes())
            .then(|| handle.clone())
    }

    /// How many connections are registered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no connection is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, (i32, H)>> {
        // A panic while holding this lock cannot leave the map half-updated
        // (every critical section is one insert/remove/get), so recover.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Keeps a connection in the registry; removes it on drop.
#[derive(Debug)]
pub struct Registration<H> {
    registry: CancelRegistry<H>,
    pid: i32,
}

impl<H> Drop for Registration<H> {
    fn drop(&mut self) {
        let mut map = self
            .registry
            .inner
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.remove(&self.pid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_are_unique_and_wrap_to_one() {
        let mint = KeyMint::new();
        let mut random = [0u8; 36];
        random[..4].copy_from_slice(&77i32.to_be_bytes());
        let (a, seed) = mint.mint(random);
        let (b, _) = mint.mint(random);
        assert_eq!((a.pid, b.pid, a.secret, seed), (1, 2, 77, [0; 32]));
        mint.next_pid.store(i32::MAX, Ordering::Relaxed);
        let (c, _) = mint.mint(random);
        let (d, _) = mint.mint(random);
        assert_eq!((c.pid, d.pid), (i32::MAX, 1));
    }

    #[test]
    fn wrong_secret_finds_nothing_and_drop_unregisters() {
        let reg = CancelRegistry::new();
        let key = BackendKey {
            pid: 7,
            secret: 1234,
        };
        let guard = reg.register(key, "conn-7").unwrap();
        assert!(reg.register(key, "dup").is_none());
        assert_eq!(reg.lookup(key), Some("conn-7"));
        assert_eq!(
            reg.lookup(BackendKey {
                pid: 7,
                secret: 1235
            }),
            None
        );
        assert_eq!(
            reg.lookup(BackendKey {
                pid: 8,
                secret: 1234
            }),
            None
        );
        drop(guard);
        assert_eq!(reg.lookup(key), None);
        assert!(reg.is_empty());
    }
}
