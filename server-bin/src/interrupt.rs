//! How a CancelRequest or a statement_timeout reaches an engine session.
//!
//! The adapters ask a backend for its [`Interrupt`] handle when the
//! connection is set up — before the client has even logged in, so before
//! there is an engine session to cancel. So the handle is a slot: empty
//! until `OpenSession` puts the session's [`CancelHandle`] in it, emptied
//! again at `Terminate`. Interrupting an empty slot does nothing, which is
//! what the `Interrupt` contract asks of an idle backend.
//!
//! ```text
//!   CancelRequest / timer ──► adapter ──► EngineInterrupt::interrupt(reason)
//!                                             │ remembers the reason
//!                                             ▼
//!                                     CancelHandle::cancel() ──► the running statement
//!                                                                ends with 57014
//! ```
//!
//! The engine's `cancel()` does not say why; PostgreSQL's message does
//! ("…due to user request" versus "…due to statement timeout"). So the
//! slot also remembers the last reason, and the backend uses it to word the
//! 57014 the statement ends with (see `EngineBackend`).

use std::sync::{Mutex, MutexGuard};

use twill_engine::CancelHandle;
use twill_protocol::{Interrupt, InterruptReason};

/// The cancel slot of one connection's backend.
#[derive(Default)]
pub(crate) struct EngineInterrupt {
    state: Mutex<State>,
}

/// What the slot holds.
#[derive(Default)]
struct State {
    /// The session's handle, once a session is open.
    handle: Option<CancelHandle>,
    /// Why the last interrupt came, until a 57014 reply consumes it.
    reason: Option<InterruptReason>,
}

impl EngineInterrupt {
    /// Fills the slot when the session opens (or empties it when it ends).
    pub(crate) fn set_handle(&self, handle: Option<CancelHandle>) {
        let mut state = self.lock();
        state.handle = handle;
        state.reason = None;
    }

    /// The reason of the interrupt that (presumably) caused a 57014, once.
    pub(crate) fn take_reason(&self) -> Option<InterruptReason> {
        self.lock().reason.take()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section is a field store or take: a panic elsewhere
        // cannot leave the state half-written, so a poisoned lock is fine.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Interrupt for EngineInterrupt {
    fn interrupt(&self, reason: InterruptReason) {
        let handle = {
            let mut state = self.lock();
            if state.handle.is_some() {
                state.reason = Some(reason);
            }
            state.handle.clone()
        };
        // Cancel outside the lock: the engine may take its own locks.
        if let Some(handle) = handle {
            handle.cancel();
        }
    }
}
