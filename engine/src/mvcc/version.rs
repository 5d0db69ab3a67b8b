//! Versions, version chains and snapshots: who sees what.
//!
//! Every key (a row's primary key, a table name in the catalog) owns a chain
//! of versions, oldest first. A committed version carries its commit sequence
//! number (CSN), the position of its transaction in the one total commit
//! order. A version not yet committed carries its writer's transaction id and
//! command id. At most one transaction at a time has pending versions on a
//! chain, because writing requires the row's exclusive lock; its pending
//! versions always sit at the end.
//!
//! ```text
//!   key 'a':  [csn 3: a=1] [csn 7: a=2] [csn 9: deleted] [txn 12 cid 2: a=5]
//!              │            │            │                 │
//!   snapshot csn 5 sees a=1 │            │                 │
//!   snapshot csn 8 sees ────a=2          │                 │
//!   snapshot csn 9 sees ─────────────────nothing           │
//!   txn 12 from its 3rd statement on sees ─────────────────a=5
//! ```
//!
//! A snapshot is just a CSN plus the reader's own identity: a version is
//! visible if it committed at or before the snapshot's CSN, or if the reader
//! wrote it in an earlier statement (the command id keeps a statement from
//! seeing its own writes, so `INSERT INTO t SELECT * FROM t` terminates).
//! Because commit stamps versions with their CSN under the store lock, and a
//! snapshot takes the last CSN under the same lock, a snapshot sees exactly
//! the commits that preceded it. Aborted writes are removed physically, so a
//! chain never holds an aborted version.

/// A transaction id, unique for the life of the engine.
pub type TxnId = u64;

/// A commit sequence number: commit order, which is also log order.
pub type Csn = u64;

/// Who made a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// Committed, at this position of the commit order.
    Committed(Csn),
    /// Written by an in-flight transaction, in statement (command) `cid`.
    Pending {
        /// The writer.
        txn: TxnId,
        /// The writer's statement counter when it wrote.
        cid: u32,
    },
}

/// One version of a row (or catalog entry); `None` marks a deletion.
#[derive(Clone, Debug)]
pub(crate) struct Version<T> {
    /// Who wrote it and whether that is committed.
    pub(crate) stamp: Stamp,
    /// The value, or `None` for a tombstone.
    pub(crate) value: Option<T>,
}

/// What a reader is allowed to see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// Commits with a CSN up to this one are visible.
    pub(crate) csn: Csn,
    /// The reader; its own pending versions are visible…
    pub(crate) txn: TxnId,
    /// …if written by a statement before this one.
    pub(crate) cid: u32,
}

/// The versions of one key, oldest first.
#[derive(Clone, Debug)]
pub(crate) struct Chain<T> {
    /// Committed versions in CSN order, then the lock holder's pending ones.
    pub(crate) versions: Vec<Version<T>>,
}

impl<T> Default for Chain<T> {
    fn default() -> Self {
        Chain {
            versions: Vec::new(),
        }
    }
}

impl<T> Chain<T> {
    /// The version `snapshot` sees, if any (it may be a tombstone).
    pub(crate) fn visible(&self, snapshot: &Snapshot) -> Option<&Version<T>> {
        self.versions.iter().rev().find(|v| match v.stamp {
            Stamp::Committed(csn) => csn <= snapshot.csn,
            Stamp::Pending { txn, cid } => txn == snapshot.txn && cid < snapshot.cid,
        })
    }

    /// The value `snapshot` sees, if any.
    pub(crate) fn visible_value(&self, snapshot: &Snapshot) -> Option<&T> {
        self.visible(snapshot).and_then(|v| v.value.as_ref())
    }

    /// The in-flight transaction with pending versions here, if any.
    pub(crate) fn pending_writer(&self) -> Option<TxnId> {
        match self.versions.last()?.stamp {
            Stamp::Pending { txn, .. } => Some(txn),
            Stamp::Committed(_) => None,
        }
    }

    /// The newest committed version.
    pub(crate) fn newest_committed(&self) -> Option<(Csn, &Version<T>)> {
        self.versions.iter().rev().find_map(|v| match v.stamp {
            Stamp::Committed(csn) => Some((csn, v)),
            Stamp::Pending { .. } => None,
        })
    }

    /// The newest version, committed or pending.
    pub(crate) fn newest(&self) -> Option<&Version<T>> {
        self.versions.last()
    }

    /// Marks `txn`'s pending versions committed at `csn`.
    pub(crate) fn stamp(&mut self, txn: TxnId, csn: Csn) {
        for v in self.versions.iter_mut().rev() {
            match v.stamp {
                Stamp::Pending { txn: t, .. } if t == txn => v.stamp = Stamp::Committed(csn),
                _ => break,
            }
        }
    }

    /// Removes the committed versions that no snapshot at or after `horizon`
    /// can see: everything older than the newest version committed at or
    /// before the horizon. Returns the removed versions.
    pub(crate) fn prune(&mut self, horizon: Csn) -> Vec<Version<T>> {
        let keep_from = self
            .versions
            .iter()
            .rposition(|v| matches!(v.stamp, Stamp::Committed(csn) if csn <= horizon));
        match keep_from {
            Some(i) if i > 0 => self.versions.drain(..i).collect(),
            _ => Vec::new(),
        }
    }

    /// Like [`Chain::prune`], appending the removed versions to `out` (so a
    /// writer can reuse one buffer and free them after releasing the store
    /// lock).
    pub(crate) fn prune_into(&mut self, horizon: Csn, out: &mut Vec<Version<T>>) {
        let keep_from = self
            .versions
            .iter()
            .rposition(|v| matches!(v.stamp, Stamp::Committed(csn) if csn <= horizon));
        if let Some(i) = keep_from
            && i > 0
        {
            out.extend(self.versions.drain(..i));
        }
    }

    /// True if every snapshot at or after `horizon` sees no value here and
    /// nothing is pending: the whole entry can go.
    pub(crate) fn is_dead(&self, horizon: Csn) -> bool {
        match self.versions.as_slice() {
            [] => true,
            [only] => {
                only.value.is_none() && matches!(only.stamp, Stamp::Committed(c) if c <= horizon)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed(csn: Csn, v: Option<i32>) -> Version<i32> {
        Version {
            stamp: Stamp::Committed(csn),
            value: v,
        }
    }

    fn snap(csn: Csn, txn: TxnId, cid: u32) -> Snapshot {
        Snapshot { csn, txn, cid }
    }

    #[test]
    fn visibility_follows_the_diagram() {
        let mut chain = Chain {
            versions: vec![
                committed(3, Some(1)),
                committed(7, Some(2)),
                committed(9, None),
            ],
        };
        chain.versions.push(Version {
            stamp: Stamp::Pending { txn: 12, cid: 2 },
            value: Some(5),
        });
        assert_eq!(chain.visible_value(&snap(2, 1, 1)), None);
        assert_eq!(chain.visible_value(&snap(5, 1, 1)), Some(&1));
        assert_eq!(chain.visible_value(&snap(8, 1, 1)), Some(&2));
        assert_eq!(chain.visible_value(&snap(9, 1, 1)), None);
        assert_eq!(
            chain.visible_value(&snap(9, 12, 2)),
            None,
            "own write, same statement"
        );
        assert_eq!(chain.visible_value(&snap(9, 12, 3)), Some(&5));
        assert_eq!(chain.pending_writer(), Some(12));
        chain.stamp(12, 10);
        assert_eq!(chain.visible_value(&snap(10, 1, 1)), Some(&5));
        assert_eq!(chain.prune(9).len(), 2);
        assert_eq!(chain.visible_value(&snap(9, 1, 1)), None);
        assert_eq!(chain.prune(10).len(), 1);
        assert!(!chain.is_dead(10));
    }
}
