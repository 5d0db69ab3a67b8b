//! Row lock strengths and PostgreSQL's conflict table.
//!
//! Row locks live with the row (in its store entry), not in a separate lock
//! table, and last until the transaction (or the subtransaction that took
//! them) ends. Writers take them implicitly: DELETE and key-changing UPDATE
//! take `Update`, other UPDATEs `NoKeyUpdate`; `SELECT … FOR …` takes the
//! named strength. Two strengths conflict as in PostgreSQL:
//!
//! ```text
//!   held →          KEY SHARE  SHARE  NO KEY UPDATE  UPDATE
//!   KEY SHARE                                          X
//!   SHARE                               X              X
//!   NO KEY UPDATE              X        X              X
//!   UPDATE            X        X        X              X
//! ```
//!
//! A transaction never conflicts with itself; asking again for a stronger
//! lock upgrades the one it holds. A blocked request waits (see `wait.rs`),
//! fails at once ([`WaitPolicy::NoWait`]) or skips the row
//! ([`WaitPolicy::SkipLocked`]). Waiters queue on the row and are served in
//! arrival order: a queued request is granted only when neither a holder nor
//! an earlier waiter conflicts with it, so a stream of writers cannot starve
//! the one that came first. A newcomer that conflicts with no holder does
//! not queue, as in PostgreSQL (whose tuple lock orders only the waiters).

/// A row lock strength, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    /// `FOR KEY SHARE`: what a foreign key check takes.
    KeyShare,
    /// `FOR SHARE`.
    Share,
    /// `FOR NO KEY UPDATE`: what an UPDATE that leaves keys alone takes.
    NoKeyUpdate,
    /// `FOR UPDATE`: what DELETE and key-changing UPDATE take.
    Update,
}

impl LockMode {
    /// True if a lock of strength `self` cannot be granted while another
    /// transaction holds `held`.
    pub fn conflicts_with(self, held: LockMode) -> bool {
        use LockMode::*;
        match (self, held) {
            (Update, _) | (_, Update) => true,
            (NoKeyUpdate, KeyShare) | (KeyShare, NoKeyUpdate) => false,
            (NoKeyUpdate, _) | (_, NoKeyUpdate) => true,
            (Share, Share) | (Share, KeyShare) | (KeyShare, Share) | (KeyShare, KeyShare) => false,
        }
    }
}

/// What to do when a row lock is held by someone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WaitPolicy {
    /// Wait for it (subject to deadlock detection, lock_timeout, cancel and
    /// statement timeout).
    #[default]
    Block,
    /// `NOWAIT`: fail at once with 55P03.
    NoWait,
    /// `SKIP LOCKED`: leave the row out.
    SkipLocked,
}

#[cfg(test)]
mod tests {
    use super::LockMode::*;

    #[test]
    fn conflict_table_matches_postgres() {
        let modes = [KeyShare, Share, NoKeyUpdate, Update];
        let table = [
            [false, false, false, true],
            [false, false, true, true],
            [false, true, true, true],
            [true, true, true, true],
        ];
        for (i, a) in modes.iter().enumerate() {
            for (j, b) in modes.iter().enumerate() {
                assert_eq!(a.conflicts_with(*b), table[i][j], "{a:?} vs {b:?}");
            }
        }
    }
}
