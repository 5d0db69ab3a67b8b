//! The background checkpointer: checkpoints run on a thread of their own,
//! when the log asks for one (64 MiB since the last, or an object-store
//! segment full) and every [`CHECKPOINT_TIMEOUT`] if anything was logged
//! since — never on a committing session's thread, so no COMMIT waits for
//! one. Writers are not stopped meanwhile: the image is read in batches at
//! one snapshot (`Engine::checkpoint_read`), each batch a short hold of the
//! store lock.
//!
//! The thread holds only a weak reference to the storage, so dropping the
//! database ends it (the drop wakes it to notice).

use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::Storage;

/// A checkpoint at least this often while the log grows (PostgreSQL's
/// `checkpoint_timeout` default).
pub(crate) const CHECKPOINT_TIMEOUT: Duration = Duration::from_secs(300);

/// Requests to the checkpointer thread.
#[derive(Default)]
pub(crate) struct Checkpointer {
    requested: Mutex<bool>,
    wake: Condvar,
}

impl Checkpointer {
    /// Asks for a checkpoint soon (returns at once).
    pub(crate) fn request(&self) {
        *self.requested.lock() = true;
        self.wake.notify_one();
    }

    /// Starts the thread for `storage`.
    pub(crate) fn spawn(self: &Arc<Self>, storage: Weak<Storage>) {
        let me = self.clone();
        let _ = std::thread::Builder::new()
            .name("twill-checkpointer".into())
            .spawn(move || me.run(storage));
    }

    fn run(&self, storage: Weak<Storage>) {
        loop {
            let requested = {
                let mut requested = self.requested.lock();
                if !*requested {
                    self.wake.wait_for(&mut requested, CHECKPOINT_TIMEOUT);
                }
                std::mem::take(&mut *requested)
            };
            let Some(storage) = storage.upgrade() else {
                return;
            };
            if (requested || storage.logged_since_checkpoint())
                && let Err(e) = storage.checkpoint()
            {
                tracing::warn!("background checkpoint failed: {}", e.message);
            }
        }
    }
}
