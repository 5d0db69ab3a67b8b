//! Blocking calls into the asynchronous `object_store` crate.
//!
//! The log, checkpoints and recovery are synchronous code that runs on
//! whatever thread commits (an adapter's connection thread, a worker of a
//! pool, Tokio's blocking pool). The object store is `async` and needs a
//! Tokio reactor for its HTTP client. So the backend owns a small runtime
//! of its own (one worker thread) and every call is spawned onto it; the
//! calling thread waits on a channel. The caller never enters a runtime,
//! so this works from any thread, including one that belongs to another
//! Tokio runtime (where `block_on` would panic).

use std::future::Future;
use std::io;

use tokio::runtime::{Builder, Runtime};

/// A private runtime that runs object-store futures for blocking callers.
pub(crate) struct Bridge {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
}

impl Bridge {
    pub(crate) fn new() -> io::Result<Bridge> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("twill-object-store")
            .enable_all()
            .build()?;
        Ok(Bridge {
            runtime: Some(runtime),
        })
    }

    /// Runs `future` on the bridge's runtime and waits for its output.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> io::Result<T> {
        let runtime = self.runtime.as_ref().expect("bridge in use after drop");
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = tx.send(future.await);
        });
        rx.recv().map_err(|_| {
            io::Error::other(
                "an object-store request did not finish (it panicked, or the store was closed)",
            )
        })
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // Dropping a runtime blocks until its workers stop, which panics on
        // a thread that is itself driving a Tokio runtime; let them go.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
