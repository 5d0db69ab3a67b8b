//! [`Admission`]: the two connection limits, counted the same way on every
//! runtime.
//!
//! A server holds two kinds of connection, and a single limit on both lets
//! one starve the other: a flood of sockets that never finish their login
//! would fill every slot meant for sessions until the authentication
//! timeout ends it. So they are counted apart:
//!
//! ```text
//!  accept ──admit()──► startup ticket ──authenticated──► session ticket ──drop──► freed
//!     │ over max_startups                 │ over max_sessions
//!     ▼                                   ▼
//!  Rejection (53300 at the              FATAL 53300 instead of
//!  StartupMessage, cancels served)       AuthenticationOk, then close
//! ```
//!
//! * **Startups** are connections still before AuthenticationOk: the host
//!   calls [`Admission::admit`] at accept and turns the socket over to a
//!   [`Rejection`](crate::Rejection) when it says no. Each costs the host a
//!   socket and a small buffer, and the authentication timeout ends it.
//! * **Sessions** are connections that have logged in: the
//!   [`Connection`](crate::Connection) holding the [`Ticket`] converts it
//!   when the client has proven itself. One over `max_sessions` gets FATAL
//!   53300 "sorry, too many clients already" (PostgreSQL's
//!   `max_connections` words) and is closed.
//!
//! The counts are two atomics behind an `Arc`: no lock, no clock, no
//! thread, so the core stays sans-IO and the four adapters share one rule.
//! A ticket gives its slot back when it is dropped, with its connection.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use twill_types::SqlState;

use crate::error::ErrorReport;

/// The server-wide counts behind both limits; cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Admission {
    counts: Arc<Counts>,
}

/// What every ticket of one server shares.
struct Counts {
    /// The most logged-in sessions at once (`max_connections`).
    max_sessions: usize,
    /// The most connections before AuthenticationOk at once.
    max_startups: usize,
    /// Connections admitted and not yet authenticated.
    startups: AtomicUsize,
    /// Connections authenticated and not yet dropped.
    sessions: AtomicUsize,
}

impl Admission {
    /// Counts for a server that keeps at most `max_sessions` logged-in
    /// sessions and at most `max_startups` connections still logging in.
    pub fn new(max_sessions: usize, max_startups: usize) -> Admission {
        Admission {
            counts: Arc::new(Counts {
                max_sessions,
                max_startups,
                startups: AtomicUsize::new(0),
                sessions: AtomicUsize::new(0),
            }),
        }
    }

    /// Admits a newly accepted connection to its startup, or `None` if
    /// `max_startups` are already logging in (turn it away with
    /// [`Rejection::too_many_clients`](crate::Rejection::too_many_clients)).
    /// Hand the ticket to the connection with
    /// [`Connection::set_admission`](crate::Connection::set_admission).
    #[must_use]
    pub fn admit(&self) -> Option<Ticket> {
        take_slot(&self.counts.startups, self.counts.max_startups)?;
        Some(Ticket {
            counts: Arc::clone(&self.counts),
            stage: Stage::Startup,
        })
    }

    /// Connections admitted and still before AuthenticationOk.
    pub fn startups(&self) -> usize {
        self.counts.startups.load(Ordering::Acquire)
    }

    /// Logged-in sessions.
    pub fn sessions(&self) -> usize {
        self.counts.sessions.load(Ordering::Acquire)
    }
}

impl fmt::Debug for Admission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admission")
            .field("startups", &self.startups())
            .field("max_startups", &self.counts.max_startups)
            .field("sessions", &self.sessions())
            .field("max_sessions", &self.counts.max_sessions)
            .finish()
    }
}

/// One connection's place in the [`Admission`] counts: a startup slot
/// until its [`Connection`](crate::Connection) has authenticated the
/// client, a session slot after; the slot is freed on drop.
pub struct Ticket {
    counts: Arc<Counts>,
    stage: Stage,
}

/// Which count a ticket is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Startup,
    Session,
}

impl Ticket {
    /// The client has authenticated: move from the startup count to the
    /// session count. False (and still counted as a startup, until the
    /// connection closes) if `max_sessions` are already logged in.
    pub(crate) fn open_session(&mut self) -> bool {
        if self.stage == Stage::Session {
            return true;
        }
        if take_slot(&self.counts.sessions, self.counts.max_sessions).is_none() {
            return false;
        }
        self.counts.startups.fetch_sub(1, Ordering::AcqRel);
        self.stage = Stage::Session;
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let count = match self.stage {
            Stage::Startup => &self.counts.startups,
            Stage::Session => &self.counts.sessions,
        };
        count.fetch_sub(1, Ordering::AcqRel);
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Ticket").field(&self.stage).finish()
    }
}

/// Adds one to `count` unless it is already `max`.
fn take_slot(count: &AtomicUsize, max: usize) -> Option<usize> {
    count
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        })
        .ok()
}

/// PostgreSQL's answer at `max_connections`: FATAL 53300.
pub(crate) fn too_many_clients() -> ErrorReport {
    ErrorReport::fatal(
        SqlState::TOO_MANY_CONNECTIONS,
        "sorry, too many clients already",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // How a Connection uses its ticket (53300 instead of AuthenticationOk)
    // is a golden script: tests/scripts/session_limit.gs.

    #[test]
    fn startups_and_sessions_are_counted_apart() {
        let admission = Admission::new(1, 2);
        let mut a = admission.admit().unwrap();
        let mut b = admission.admit().unwrap();
        assert!(admission.admit().is_none(), "startups full");
        assert!(a.open_session());
        assert_eq!((admission.startups(), admission.sessions()), (1, 1));
        // A startup slot is free again, but the session slots are not.
        let c = admission.admit().unwrap();
        assert!(!b.open_session());
        assert_eq!((admission.startups(), admission.sessions()), (2, 1));
        drop(a);
        assert!(b.open_session());
        assert!(b.open_session(), "a second call is a no-op");
        drop((b, c));
        assert_eq!((admission.startups(), admission.sessions()), (0, 0));
    }
}
