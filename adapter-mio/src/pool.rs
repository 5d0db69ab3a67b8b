//! The worker pool that makes engine calls off the event loop.
//!
//! An engine call may block (a row lock, a group-commit fsync, a long
//! query), so the loop never makes one itself. It moves the connection's
//! backend into a job; a worker runs `backend.call(call)` and pushes the
//! backend and the reply onto the completion queue, then wakes the loop
//! through its `mio::Waker`. The backend travelling with the job is what
//! makes "one call at a time per connection" hold without a lock.
//!
//! ```text
//!   loop ──job(backend, call)──► channel ──► worker: backend.call(call)
//!     ▲                                            │
//!     └──── Waker::wake ◄── completions.push(backend, reply)
//! ```

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use mio::Waker;
use twill_protocol::{Backend, Call, CallId, Reply};

/// A finished call, on its way back to the loop.
pub(crate) struct Completion<B> {
    /// The connection's token.
    pub(crate) token: usize,
    /// The call answered.
    pub(crate) id: CallId,
    /// The backend, handed back.
    pub(crate) backend: B,
    /// The reply; None if the backend panicked (the connection is then dropped).
    pub(crate) reply: Option<Reply>,
}

/// Completions waiting for the loop.
pub(crate) struct Completions<B> {
    queue: Mutex<Vec<Completion<B>>>,
    waker: Arc<Waker>,
}

impl<B> Completions<B> {
    pub(crate) fn new(waker: Arc<Waker>) -> Self {
        Completions {
            queue: Mutex::new(Vec::new()),
            waker,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Completion<B>>> {
        // Pushes and takes only: recover from poisoning.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything finished so far.
    pub(crate) fn take(&self) -> Vec<Completion<B>> {
        std::mem::take(&mut *self.lock())
    }

    fn push(&self, done: Completion<B>) {
        self.lock().push(done);
        if let Err(e) = self.waker.wake() {
            tracing::error!(error = %e, "cannot wake the event loop");
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads running jobs.
pub(crate) struct Pool {
    jobs: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Pool {
    pub(crate) fn start(threads: usize) -> std::io::Result<Pool> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let handle = std::thread::Builder::new()
                .name(format!("twill-engine-{i}"))
                .spawn(move || work(&rx))?;
            handles.push(handle);
        }
        Ok(Pool {
            jobs: Some(tx),
            threads: handles,
        })
    }

    /// Runs `call` on `backend` on a worker; the result lands in `done`.
    pub(crate) fn submit<B: Backend + Send + 'static>(
        &self,
        done: &Arc<Completions<B>>,
        token: usize,
        id: CallId,
        mut backend: B,
        call: Call,
    ) {
        let done = Arc::clone(done);
        let job: Job = Box::new(move || {
            let reply = catch_unwind(AssertUnwindSafe(|| backend.call(call))).ok();
            if reply.is_none() {
                tracing::error!(token, "the backend panicked; dropping the connection");
            }
            done.push(Completion {
                token,
                id,
                backend,
                reply,
            });
        });
        if let Some(jobs) = &self.jobs
            && jobs.send(job).is_err()
        {
            tracing::error!("the engine pool is gone");
        }
    }

    /// Stops taking jobs; joins the workers if `join` (none is mid-call).
    pub(crate) fn stop(mut self, join: bool) {
        self.jobs = None;
        if join {
            for t in self.threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let rx = jobs.lock().unwrap_or_else(|p| p.into_inner());
            rx.recv()
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}
