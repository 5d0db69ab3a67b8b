//! The connection's timers: a small table indexed by an enum.
//!
//! The core never reads the clock. Whoever drives it asks
//! [`poll_timeout`](crate::Connection::poll_timeout) for the earliest
//! deadline, sleeps until then (or until input), and calls
//! [`handle_timeout`](crate::Connection::handle_timeout) with the current
//! time. A timer that fires late, early or twice is harmless: each handler
//! re-checks its own deadline and state, so a spurious call is a no-op.

use std::time::{Duration, Instant};

/// The timers a connection may have armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// From connect until the session is open (`authentication_timeout`).
    Authentication = 0,
    /// Waiting for a query outside a transaction (`idle_session_timeout`).
    IdleSession = 1,
    /// Waiting for a query inside a transaction
    /// (`idle_in_transaction_session_timeout`).
    IdleInTransaction = 2,
    /// A statement has been running too long (`statement_timeout`).
    Statement = 3,
}

impl Timer {
    pub(crate) const ALL: [Timer; 4] = [
        Timer::Authentication,
        Timer::IdleSession,
        Timer::IdleInTransaction,
        Timer::Statement,
    ];
}

/// Deadlines by timer.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    deadlines: [Option<Instant>; 4],
}

impl Timers {
    /// Arms `timer` for `after` from `now`; a zero duration disarms it
    /// (PostgreSQL's "0 means off").
    pub(crate) fn arm(&mut self, timer: Timer, now: Instant, after: Duration) {
        self.deadlines[timer as usize] = (!after.is_zero()).then(|| now + after);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    pub(crate) fn is_armed(&self, timer: Timer) -> bool {
        self.deadlines[timer as usize].is_some()
    }

    /// True (and disarmed) if `timer` is due at `now`.
    pub(crate) fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.deadlines[timer as usize] {
            Some(at) if at <= now => {
                self.deadlines[timer as usize] = None;
                true
            }
            _ => false,
        }
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }
}
