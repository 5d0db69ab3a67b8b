//! The table of live connections: the handles a graceful shutdown needs to
//! reach every connection. (The connection limits are counted by the core's
//! [`Admission`](twill_protocol::Admission).)
//!
//! Each connection thread is blocked in `read` most of its life. To make it
//! notice a shutdown, the server shuts the read half of its socket (Linux
//! then returns from the blocked `read` at once, still delivering queued
//! and later data); the thread sees the server's `stopping` flag and asks
//! its [`Connection`](twill_protocol::Connection) to shut down. When the
//! drain time is up, the server interrupts the engine calls still running
//! and shuts both halves, which ends every thread's next read or write.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use twill_protocol::{Interrupt, InterruptReason};

/// One live connection as the server sees it.
struct Entry {
    /// A second handle to the socket, to wake or close it from outside.
    stream: TcpStream,
    /// The backend's interrupt handle, once the backend exists.
    interrupt: Option<Arc<dyn Interrupt>>,
}

/// Live connections by id.
#[derive(Default)]
pub(crate) struct Live {
    conns: Mutex<(u64, HashMap<u64, Entry>)>,
    changed: Condvar,
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, (u64, HashMap<u64, Entry>)> {
        // Critical sections are single map operations: recover from poisoning.
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection; the guard removes it again when the connection's
    /// thread ends.
    pub(crate) fn register(self: &Arc<Self>, stream: TcpStream) -> LiveGuard {
        let mut state = self.lock();
        state.0 += 1;
        let id = state.0;
        state.1.insert(
            id,
            Entry {
                stream,
                interrupt: None,
            },
        );
        LiveGuard {
            live: Arc::clone(self),
            id,
        }
    }

    /// How many connections are live.
    pub(crate) fn len(&self) -> usize {
        self.lock().1.len()
    }

    /// Wakes every thread blocked reading (see the module docs).
    pub(crate) fn wake_readers(&self) {
        for entry in self.lock().1.values() {
            let _ = entry.stream.shutdown(Shutdown::Read);
        }
    }

    /// Interrupts every running call and closes every socket.
    pub(crate) fn force_close(&self) {
        for entry in self.lock().1.values() {
            if let Some(handle) = &entry.interrupt {
                handle.interrupt(InterruptReason::UserCancel);
            }
            let _ = entry.stream.shutdown(Shutdown::Both);
        }
    }

    /// Waits until no connection is live or `deadline` passes; true if none is.
    pub(crate) fn wait_empty(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.1.is_empty() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// Keeps a connection counted; removes it (and wakes a draining server) on drop.
pub(crate) struct LiveGuard {
    live: Arc<Live>,
    id: u64,
}

impl LiveGuard {
    /// Records the backend's interrupt handle for a forced shutdown.
    pub(crate) fn set_interrupt(&self, handle: Option<Arc<dyn Interrupt>>) {
        if let Some(entry) = self.live.lock().1.get_mut(&self.id) {
            entry.interrupt = handle;
        }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.live.lock().1.remove(&self.id);
        self.live.changed.notify_all();
    }
}
