//! What every host (runtime adapter) of the core shares, with no runtime in it.
//!
//! The four adapters (std threads, mio, Tokio, smol) expose one `serve`
//! shape, so a binary or a test can pick one at run time:
//!
//! ```text
//! serve(listener, factory: Arc<F: BackendFactory>, config: Arc<Config>,
//!       options: ServeOptions, shutdown: ShutdownSignal) -> io::Result<()>
//! ```
//!
//! [`ServeOptions`] are the knobs they all understand and [`ShutdownSignal`]
//! is how a caller asks a running server to stop. Neither touches a socket,
//! a thread or a clock: the signal only runs the wake-up callbacks each
//! adapter registers (wake a `mio::Waker`, notify a Tokio watch, close a
//! smol channel), which is why it can live in the sans-IO crate.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use crate::admission::Admission;

/// Server-wide settings every adapter understands.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The most logged-in sessions at once. One more client that
    /// authenticates gets FATAL 53300 "sorry, too many clients already"
    /// instead of AuthenticationOk and is closed (PostgreSQL's
    /// `max_connections` and words). Connections still logging in do not
    /// count here, so a flood of them cannot lock sessions out.
    pub max_connections: usize,
    /// The most connections still before AuthenticationOk at once. One
    /// more accepted socket is turned away with a [`Rejection`]: a
    /// CancelRequest is still served, a StartupMessage gets FATAL 53300.
    /// Bounds what a flood of unfinished logins holds (a socket and a
    /// startup buffer each) until the authentication timeout ends it.
    ///
    /// [`Rejection`]: crate::Rejection
    pub max_startups: usize,
    /// After a shutdown is requested, how long live connections may take to
    /// finish the statement in flight before their sockets are closed.
    pub drain_timeout: Duration,
    /// Threads that run the event loop or executor (Tokio workers, smol
    /// executor threads); 0 means one per core. The std adapter (a thread
    /// per connection) and the mio adapter (one loop) ignore it.
    pub io_threads: usize,
    /// Threads that make engine calls off the event loop (the mio worker
    /// pool, Tokio's blocking pool limit); 0 means the adapter's default.
    /// Engine calls may block on row locks or fsync, so this bounds how many
    /// statements run at once, not how many connections are served.
    pub engine_threads: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_connections: 100,
            max_startups: 2000,
            drain_timeout: Duration::from_secs(30),
            io_threads: 0,
            engine_threads: 0,
        }
    }
}

impl ServeOptions {
    /// Fresh counts for both connection limits, for one `serve` call.
    pub fn admission(&self) -> Admission {
        Admission::new(self.max_connections, self.max_startups)
    }
}

/// A cloneable "please stop" for a running server: stop accepting, end idle
/// sessions with FATAL 57P01, let busy ones finish (within
/// [`ServeOptions::drain_timeout`]), then return from `serve`.
///
/// [`trigger`](Self::trigger) may be called from any thread (a signal
/// handler thread, a test) and more than once; the first call wins.
#[derive(Clone, Default)]
pub struct ShutdownSignal {
    inner: Arc<Mutex<SignalState>>,
}

/// The flag and the wake-ups waiting on it.
#[derive(Default)]
struct SignalState {
    /// Set by the first `trigger`.
    triggered: bool,
    /// Id for the next watcher, so a dropped [`ShutdownWatch`] removes its own.
    next_id: u64,
    /// Callbacks to run once on trigger.
    watchers: Vec<(u64, Box<dyn FnOnce() + Send>)>,
}

impl ShutdownSignal {
    /// A signal not yet triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests the shutdown and runs every registered wake-up (on this
    /// thread, outside the signal's lock). Later calls do nothing.
    pub fn trigger(&self) {
        let watchers = {
            let mut state = self.lock();
            if state.triggered {
                return;
            }
            state.triggered = true;
            std::mem::take(&mut state.watchers)
        };
        for (_, wake) in watchers {
            wake();
        }
    }

    /// True once [`trigger`](Self::trigger) was called.
    pub fn is_triggered(&self) -> bool {
        self.lock().triggered
    }

    /// Runs `wake` once when the signal triggers — at once if it already
    /// has. The callback must be quick and must not block (it runs on the
    /// triggering thread). Dropping the returned guard unregisters it.
    #[must_use = "dropping the watch unregisters the callback"]
    pub fn watch(&self, wake: impl FnOnce() + Send + 'static) -> ShutdownWatch {
        let mut state = self.lock();
        if state.triggered {
            drop(state);
            wake();
            return ShutdownWatch {
                signal: Weak::new(),
                id: 0,
            };
        }
        let id = state.next_id;
        state.next_id += 1;
        state.watchers.push((id, Box::new(wake)));
        ShutdownWatch {
            signal: Arc::downgrade(&self.inner),
            id,
        }
    }

    fn lock(&self) -> MutexGuard<'_, SignalState> {
        lock_state(&self.inner)
    }
}

impl fmt::Debug for ShutdownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownSignal")
            .field("triggered", &self.is_triggered())
            .finish()
    }
}

/// Keeps a [`ShutdownSignal::watch`] callback registered; removes it on drop.
#[derive(Debug)]
pub struct ShutdownWatch {
    signal: Weak<Mutex<SignalState>>,
    id: u64,
}

impl Drop for ShutdownWatch {
    fn drop(&mut self) {
        if let Some(inner) = self.signal.upgrade() {
            lock_state(&inner).watchers.retain(|(id, _)| *id != self.id);
        }
    }
}

fn lock_state(inner: &Mutex<SignalState>) -> MutexGuard<'_, SignalState> {
    // Every critical section is a flag write or a Vec push/take/retain, so
    // a panic elsewhere cannot leave the state half-updated: recover.
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn watchers_run_once_and_late_watchers_run_at_once() {
        let signal = ShutdownSignal::new();
        let hits = Arc::new(AtomicUsize::new(0));
        let h = Arc::clone(&hits);
        let _kept = signal.watch(move || {
            h.fetch_add(1, Ordering::SeqCst);
        });
        let h = Arc::clone(&hits);
        drop(signal.watch(move || {
            h.fetch_add(100, Ordering::SeqCst);
        }));
        assert!(!signal.is_triggered());
        signal.trigger();
        signal.clone().trigger();
        assert!(signal.is_triggered());
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let h = Arc::clone(&hits);
        let _late = signal.watch(move || {
            h.fetch_add(10, Ordering::SeqCst);
        });
        assert_eq!(hits.load(Ordering::SeqCst), 11);
    }
}
