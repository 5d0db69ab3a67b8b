//! The statement timeout of the fuzz harnesses.
//!
//! In the server, `statement_timeout` is the wire core's timer: when it
//! fires the host calls [`CancelHandle::cancel`] from another thread and
//! the engine must notice between rows (57014). The harnesses do the same
//! with one long-lived thread rather than one per exec (a thread spawn
//! per exec would dominate the fuzzer's time): a query arms it with a
//! deadline and disarms it when done. Past the deadline the thread cancels
//! again every tick, because a query string of several statements clears
//! a cancel request at each statement's start.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::CancelHandle;

/// How often the thread looks at the deadline.
const TICK: Duration = Duration::from_millis(5);

/// The armed deadlines (one per running query; tests run in parallel),
/// by the id of their guard, and whom to cancel.
static ARMED: Mutex<Vec<(u64, Instant, CancelHandle)>> = Mutex::new(Vec::new());

/// Disarms its deadline when dropped.
pub(super) struct Armed(u64);

impl Drop for Armed {
    fn drop(&mut self) {
        armed().retain(|(id, _, _)| *id != self.0);
    }
}

fn armed() -> std::sync::MutexGuard<'static, Vec<(u64, Instant, CancelHandle)>> {
    // A harness that panicked while holding the lock left a valid list.
    ARMED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Cancels `handle`'s statements from `timeout` from now until the
/// returned guard is dropped.
pub(super) fn arm(handle: CancelHandle, timeout: Duration) -> Armed {
    static THREAD: OnceLock<()> = OnceLock::new();
    THREAD.get_or_init(|| {
        std::thread::Builder::new()
            .name("fuzz-watchdog".into())
            .spawn(watch)
            .expect("spawn the watchdog thread");
    });
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    armed().push((id, Instant::now() + timeout, handle));
    Armed(id)
}

fn watch() {
    loop {
        std::thread::sleep(TICK);
        let now = Instant::now();
        for (_, deadline, handle) in armed().iter() {
            if now >= *deadline {
                handle.cancel();
            }
        }
    }
}
