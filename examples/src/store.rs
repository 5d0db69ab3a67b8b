//! The shared key-value map and a transaction's private writes.
//!
//! Every session of one loop shares a [`Store`]. Because the loop is
//! single-threaded and answers each engine call inline, the store needs no
//! lock: it is an `Rc<RefCell<…>>`, borrowed only for the length of one
//! call. (An engine shared by threads would put a lock or MVCC here.)
//!
//! A transaction never writes the map directly. It collects its writes in
//! [`Writes`] — an overlay that later reads consult first — and
//! [`Store::apply`] publishes them at COMMIT; ROLLBACK just drops them:
//!
//! ```text
//!   read(key) ──► Writes ─ hit ──► Some(value) / None (deleted)
//!                   │ miss
//!                   ▼
//!                 Store (committed data)
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::rc::Rc;

/// Committed data, shared by the sessions of one loop. Cloning is cheap and
/// gives another handle to the same map.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Keys to values, sorted so `KEYS` comes out in order.
    data: Rc<RefCell<BTreeMap<String, String>>>,
}

/// A transaction's writes, not yet visible to other sessions: `Some(value)`
/// for a SET, `None` for a DEL.
pub type Writes = BTreeMap<String, Option<String>>;

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` as a transaction with `writes` sees it.
    pub fn get(&self, key: &str, writes: &Writes) -> Option<String> {
        match writes.get(key) {
            Some(write) => write.clone(),
            None => self.data.borrow().get(key).cloned(),
        }
    }

    /// The keys starting with `prefix`, sorted, as a transaction with
    /// `writes` sees them. This is a snapshot: later writes do not change it.
    pub fn keys(&self, prefix: &str, writes: &Writes) -> Vec<String> {
        let data = self.data.borrow();
        let mut keys: std::collections::BTreeSet<&str> = data
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .map(|(k, _)| k.as_str())
            .take_while(|k| k.starts_with(prefix))
            .collect();
        for (key, write) in writes.range::<str, _>((Bound::Included(prefix), Bound::Unbounded)) {
            if !key.starts_with(prefix) {
                break;
            }
            if write.is_some() {
                keys.insert(key);
            } else {
                keys.remove(key.as_str());
            }
        }
        keys.into_iter().map(str::to_owned).collect()
    }

    /// Publishes a transaction's writes.
    pub fn apply(&self, writes: Writes) {
        let mut data = self.data.borrow_mut();
        for (key, write) in writes {
            match write {
                Some(value) => data.insert(key, value),
                None => data.remove(&key),
            };
        }
    }

    /// How many keys are committed.
    pub fn len(&self) -> usize {
        self.data.borrow().len()
    }

    /// True when no key is committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_overlay_the_store() {
        let store = Store::new();
        let mut w = Writes::new();
        w.insert("a1".into(), Some("x".into()));
        w.insert("a2".into(), Some("y".into()));
        w.insert("b".into(), Some("z".into()));
        store.apply(w);
        let mut w = Writes::new();
        w.insert("a1".into(), None);
        w.insert("a3".into(), Some("new".into()));
        assert_eq!(store.keys("a", &w), vec!["a2", "a3"]);
        assert_eq!(store.get("a1", &w), None);
        assert_eq!(store.get("a1", &Writes::new()).as_deref(), Some("x"));
        assert_eq!(store.keys("", &Writes::new()).len(), 3);
    }
}
