//! Sessions on real threads, stepped one at a time like PostgreSQL's
//! isolation tester.
//!
//! Each [`Session`] owns a thread and at most one transaction. A step is a
//! closure sent to the thread; [`Session::step`] returns once the step has
//! finished, or once the engine reports the session's transaction waiting
//! (`Engine::is_waiting`, our `pg_locks`) — then the step is pending and
//! [`Session::poll`] later tells whether it finished. Deciding "waiting"
//! from the waits-for graph, not from a timer, keeps outputs deterministic:
//! whoever ends a transaction clears the edges pointing at it before it
//! releases the store lock, so a session woken by a commit is never
//! mistaken for a blocked one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use twill_engine::mvcc::{Engine, Transaction};

/// What a session thread keeps between steps.
pub(crate) struct SessionState {
    /// The engine.
    pub(crate) engine: Engine,
    /// The open transaction, if any.
    pub(crate) txn: Option<Transaction>,
    /// Where the current transaction's id is published for the stepper.
    txn_id: Arc<AtomicU64>,
}

impl SessionState {
    /// Starts tracking `txn` as this session's transaction.
    pub(crate) fn set_txn(&mut self, txn: Transaction) {
        self.txn_id.store(txn.id(), Ordering::SeqCst);
        self.txn = Some(txn);
    }

    /// The open transaction; panics if there is none (a broken script).
    pub(crate) fn txn(&mut self) -> &mut Transaction {
        self.txn
            .as_mut()
            .expect("no open transaction in this session")
    }
}

type Job = Box<dyn FnOnce(&mut SessionState) -> String + Send>;

/// How a step ended, as far as the stepper can tell.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Finished, with its output.
    Done(String),
    /// Blocked in a wait.
    Waiting,
}

/// A session thread.
pub(crate) struct Session {
    /// Jobs to the thread.
    jobs: Option<Sender<Job>>,
    /// Results from the thread.
    results: Receiver<String>,
    /// The current transaction id (0: none).
    txn_id: Arc<AtomicU64>,
    /// The engine, to ask whether we wait.
    engine: Engine,
    /// True while a step has not reported its result.
    pub(crate) pending: bool,
    /// The thread.
    thread: Option<JoinHandle<()>>,
}

/// The longest any step may take before the test fails.
const STEP_LIMIT: Duration = Duration::from_secs(10);

impl Session {
    /// Starts a session thread.
    pub(crate) fn new(engine: &Engine) -> Session {
        let (jobs, job_rx) = channel::<Job>();
        let (result_tx, results) = channel();
        let txn_id = Arc::new(AtomicU64::new(0));
        let mut state = SessionState {
            engine: engine.clone(),
            txn: None,
            txn_id: txn_id.clone(),
        };
        let thread = std::thread::spawn(move || {
            for job in job_rx {
                let output = job(&mut state);
                if result_tx.send(output).is_err() {
                    break;
                }
            }
        });
        Session {
            jobs: Some(jobs),
            results,
            txn_id,
            engine: engine.clone(),
            pending: false,
            thread: Some(thread),
        }
    }

    /// Runs `job` on the session thread until it finishes or waits.
    pub(crate) fn step(
        &mut self,
        job: impl FnOnce(&mut SessionState) -> String + Send + 'static,
    ) -> Step {
        assert!(!self.pending, "a session runs one step at a time");
        self.jobs
            .as_ref()
            .expect("session is open")
            .send(Box::new(job))
            .expect("session thread alive");
        self.pending = true;
        self.poll()
    }

    /// For a pending step: waits until it finishes or is blocked.
    pub(crate) fn poll(&mut self) -> Step {
        assert!(self.pending, "no step pending");
        let started = Instant::now();
        loop {
            match self.results.recv_timeout(Duration::from_millis(1)) {
                Ok(output) => {
                    self.pending = false;
                    return Step::Done(output);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => panic!("session thread died"),
            }
            let txn = self.txn_id.load(Ordering::SeqCst);
            if txn != 0 && self.engine.is_waiting(txn) {
                return Step::Waiting;
            }
            assert!(
                started.elapsed() < STEP_LIMIT,
                "step neither finished nor waited"
            );
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take()
            && !self.pending
        {
            let _ = thread.join();
        }
    }
}
