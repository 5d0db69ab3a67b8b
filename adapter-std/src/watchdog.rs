//! Firing the core's timers while a connection thread is inside an engine call.
//!
//! The std adapter makes engine calls inline, so while a statement runs its
//! thread is not reading the socket and cannot notice that
//! `statement_timeout` expired. The watchdog is one thread per server that
//! does it instead: before each inline call the connection schedules its
//! earliest deadline; when that passes, the watchdog calls
//! [`Connection::handle_timeout`](twill_protocol::Connection::handle_timeout)
//! and turns the resulting `Event::Interrupt` into a call to the backend's
//! interrupt handle. The connection sits behind a mutex the thread releases
//! for the duration of the call; the watchdog only `try_lock`s it, so it
//! never waits on a connection that is busy writing. A stale or early entry
//! is harmless: the core re-checks its own deadlines.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Instant;

use twill_protocol::{Connection, Event, Interrupt};

/// A connection's state as shared between its thread and the watchdog.
pub(crate) struct Shared {
    /// The protocol state and what the watchdog left for the thread.
    pub(crate) cell: Mutex<Cell>,
    /// The connection's own backend's interrupt handle.
    pub(crate) interrupt: Option<Arc<dyn Interrupt>>,
}

/// What is behind [`Shared::cell`].
pub(crate) struct Cell {
    /// The connection.
    pub(crate) conn: Connection,
    /// True while the thread is inside an engine call (with the lock released).
    pub(crate) in_call: bool,
    /// Events the watchdog drained but could not act on; the thread takes
    /// them before polling the connection again.
    pub(crate) deferred: VecDeque<Event>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Cell> {
        // A panic inside the core while locked is a core bug; the thread that
        // hit it is gone, so whoever locks next only needs the data.
        self.cell.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One scheduled check.
struct Entry {
    at: Instant,
    seq: u64,
    conn: Weak<Shared>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<Entry>,
    seq: u64,
    stop: bool,
}

/// The server's watchdog; stops its thread when dropped.
pub(crate) struct Watchdog {
    state: Arc<(Mutex<State>, Condvar)>,
}

impl Watchdog {
    /// Starts the watchdog thread.
    pub(crate) fn start() -> std::io::Result<Watchdog> {
        let state = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let theirs = Arc::clone(&state);
        std::thread::Builder::new()
            .name("twill-watchdog".into())
            .spawn(move || run(&theirs))?;
        Ok(Watchdog { state })
    }

    /// Checks `conn`'s timers at `at`.
    pub(crate) fn schedule(&self, at: Instant, conn: &Arc<Shared>) {
        let (lock, cvar) = &*self.state;
        let mut state = lock_state(lock);
        state.seq += 1;
        let seq = state.seq;
        state.heap.push(Entry {
            at,
            seq,
            conn: Arc::downgrade(conn),
        });
        cvar.notify_one();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.state;
        lock_state(lock).stop = true;
        cvar.notify_one();
    }
}

fn lock_state(lock: &Mutex<State>) -> MutexGuard<'_, State> {
    // Critical sections are heap pushes and pops: recover from poisoning.
    lock.lock().unwrap_or_else(|p| p.into_inner())
}

fn run(state: &(Mutex<State>, Condvar)) {
    let (lock, cvar) = state;
    let mut guard = lock_state(lock);
    loop {
        if guard.stop {
            return;
        }
        let now = Instant::now();
        match guard.heap.peek().map(|e| e.at) {
            Some(at) if at <= now => {
                // peek just returned Some, so pop does too.
                let Some(entry) = guard.heap.pop() else {
                    continue;
                };
                drop(guard);
                if let Some(shared) = entry.conn.upgrade() {
                    fire(&shared, now);
                }
                guard = lock_state(lock);
            }
            Some(at) => {
                guard = cvar
                    .wait_timeout(guard, at - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            None => guard = cvar.wait(guard).unwrap_or_else(|p| p.into_inner()),
        }
    }
}

/// Lets the core see the time while the connection's thread is in a call.
fn fire(shared: &Shared, now: Instant) {
    let Ok(mut cell) = shared.cell.try_lock() else {
        // Locked: the thread is not inside a call and fires its own timers.
        return;
    };
    if !cell.in_call {
        return;
    }
    cell.conn.handle_timeout(now);
    while let Some(event) = cell.conn.poll_event() {
        match event {
            Event::Interrupt(_, reason) => {
                tracing::debug!(?reason, "interrupting the running call");
                if let Some(handle) = &shared.interrupt {
                    handle.interrupt(reason);
                }
            }
            other => cell.deferred.push_back(other),
        }
    }
}
