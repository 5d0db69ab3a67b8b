//! The [`Backend`] seam and a synchronous driver.
//!
//! A host that can afford to block on engine calls (a thread per
//! connection, a test, a fuzz target) implements [`Backend`] and lets
//! [`drive`] answer every [`Call`] the connection emits. Event-loop hosts
//! make the same calls off their loop and feed the replies back with
//! [`Connection::handle_reply`] themselves.

use std::sync::Arc;
use std::time::Instant;

use crate::call::{Call, Reply};
use crate::connection::{Connection, Event, InterruptReason};

/// An engine behind the protocol: answers each call with exactly one reply.
pub trait Backend {
    /// Makes one call.
    fn call(&mut self, call: Call) -> Reply;

    /// A handle another thread can use to interrupt the call this backend
    /// is running (CancelRequest, statement_timeout). None if calls cannot
    /// be interrupted.
    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        None
    }
}

/// Interrupts a backend's running call from another thread. The call then
/// ends with ERROR 57014. A backend in the middle of a result stream (between
/// `Fetch` calls) is still running that statement, and its next `Fetch`
/// ends with 57014; an idle backend ignores the interrupt.
pub trait Interrupt: Send + Sync {
    /// Asks the running call (if any) to stop.
    fn interrupt(&self, reason: InterruptReason);
}

/// Makes a [`Backend`] per connection: what a server is generic over.
pub trait BackendFactory: Send + Sync + 'static {
    /// The per-connection backend.
    type Backend: Backend + Send + 'static;

    /// A backend for a new connection.
    fn new_backend(&self) -> Self::Backend;
}

impl<B: Backend + ?Sized> Backend for &mut B {
    fn call(&mut self, call: Call) -> Reply {
        (**self).call(call)
    }
    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        (**self).interrupt_handle()
    }
}

impl<B: Backend + ?Sized> Backend for Box<B> {
    fn call(&mut self, call: Call) -> Reply {
        (**self).call(call)
    }
    fn interrupt_handle(&self) -> Option<Arc<dyn Interrupt>> {
        (**self).interrupt_handle()
    }
}

/// Answers every call the connection has pending (and any it emits while
/// doing so) with `backend`, passes [`Event::Interrupt`] to the backend's
/// [`Interrupt`] handle, and returns the other events in order
/// ([`Event::Cancel`], [`Event::Closed`], and the interrupts too, for the
/// host's information).
///
/// After this returns the connection waits for input, a timeout or
/// `advance_transmit`; its output is in [`Connection::transmit`].
pub fn drive<B: Backend + ?Sized>(
    conn: &mut Connection,
    backend: &mut B,
    now: Instant,
) -> Vec<Event> {
    let mut others = Vec::new();
    while let Some(event) = conn.poll_event() {
        match event {
            Event::Call(id, call) => {
                let reply = backend.call(call);
                conn.handle_reply(id, reply, now);
            }
            Event::Interrupt(id, reason) => {
                if let Some(handle) = backend.interrupt_handle() {
                    handle.interrupt(reason);
                }
                others.push(Event::Interrupt(id, reason));
            }
            other => others.push(other),
        }
    }
    others
}
