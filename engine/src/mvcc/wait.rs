//! Waiting: row-lock and transaction waits, deadlock detection, timeouts
//! and cancellation.
//!
//! A transaction that cannot proceed (a conflicting row lock, an in-flight
//! writer of a key it must check for uniqueness, an in-flight creator of a
//! table name) records the transactions it waits for in the store's
//! waits-for graph and sleeps on the store's condition variable. Whoever
//! ends one of those transactions clears the edge and wakes the sleepers;
//! each re-examines the row from scratch (it may have changed, been deleted,
//! or been locked by a third transaction meanwhile).
//!
//! ```text
//!   T1 ──waits for──▶ T2 ──waits for──▶ T3
//!    ▲                                   │
//!    └───────────────waits for───────────┘     a cycle: nobody can move
//! ```
//!
//! As in PostgreSQL, looking for cycles is deferred: a waiter searches the
//! graph only once it has waited `deadlock_timeout` (1 s by default), so
//! ordinary short waits cost nothing. The transaction that finds the cycle
//! is the one that gives up (40P01); it leaves the graph before releasing the
//! store lock, so the other members of the cycle cannot also find it, and it
//! releases its locks as soon as the error fails it.
//!
//! Every wakeup also checks, in order: the cancel flag (57014 "user
//! request"), the statement deadline (57014 "statement timeout") and the
//! transaction's `lock_timeout`, measured from the start of this wait
//! (55P03).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::MutexGuard;

use super::error::{CancelReason, Error, Result};
use super::store::{Shared, Store};
use super::version::TxnId;

/// Per-transaction limits on waiting.
#[derive(Debug)]
pub(crate) struct Limits {
    /// Overrides the engine's `deadlock_timeout` for this transaction.
    pub(crate) deadlock_timeout: Option<Duration>,
    /// `lock_timeout`: the longest a single wait may last.
    pub(crate) lock_timeout: Option<Duration>,
    /// When the current statement must end (`statement_timeout`).
    pub(crate) statement_deadline: Option<Instant>,
    /// Set by a [`CancelHandle`](super::CancelHandle).
    pub(crate) cancel: Arc<AtomicBool>,
}

impl Limits {
    /// Fails if the statement was cancelled or ran out of time.
    pub(crate) fn check(&self, now: impl FnOnce() -> Instant) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) && self.cancel.swap(false, Ordering::SeqCst) {
            return Err(Error::QueryCanceled(CancelReason::UserRequest));
        }
        if let Some(deadline) = self.statement_deadline
            && now() >= deadline
        {
            return Err(Error::QueryCanceled(CancelReason::StatementTimeout));
        }
        Ok(())
    }
}

impl Shared {
    /// Sleeps until something `me` waits for may have changed, or fails with
    /// the reason it must stop waiting. `started` is when this wait began
    /// (kept across wakeups of one lock acquisition). On `Ok` the caller
    /// re-examines the world.
    pub(crate) fn block(
        &self,
        store: &mut MutexGuard<'_, Store>,
        me: TxnId,
        blockers: Vec<TxnId>,
        started: Instant,
        limits: &Limits,
    ) -> Result<()> {
        let now = Instant::now();
        limits.check(|| now)?;
        let lock_deadline = limits.lock_timeout.map(|t| started + t);
        if lock_deadline.is_some_and(|d| now >= d) {
            return Err(Error::LockTimeout);
        }
        let deadlock_check_at = started
            + limits
                .deadlock_timeout
                .unwrap_or(self.config.deadlock_timeout);
        if now >= deadlock_check_at && in_cycle(store, me, &blockers) {
            return Err(Error::Deadlock);
        }

        let mut wake_at = [
            Some(deadlock_check_at).filter(|t| *t > now),
            lock_deadline,
            limits.statement_deadline,
        ]
        .into_iter()
        .flatten()
        .min();
        // Without any deadline, still wake now and then: a cheap guard
        // against a missed notification, never relied upon for correctness.
        if wake_at.is_none() {
            wake_at = Some(now + Duration::from_secs(1));
        }
        if let Some(txn) = store.active.get_mut(&me) {
            txn.waiting_for = blockers;
        }
        store.waiters += 1;
        if let Some(at) = wake_at {
            self.wakeup.wait_until(store, at);
        }
        store.waiters -= 1;
        if let Some(txn) = store.active.get_mut(&me) {
            txn.waiting_for.clear();
        }
        Ok(())
    }
}

/// True if `me`, about to wait for `blockers`, would close a cycle in the
/// waits-for graph.
fn in_cycle(store: &Store, me: TxnId, blockers: &[TxnId]) -> bool {
    let mut seen = HashSet::new();
    let mut stack: Vec<TxnId> = blockers.to_vec();
    while let Some(txn) = stack.pop() {
        if txn == me {
            return true;
        }
        if !seen.insert(txn) {
            continue;
        }
        if let Some(active) = store.active.get(&txn) {
            stack.extend(active.waiting_for.iter().copied());
        }
    }
    false
}
