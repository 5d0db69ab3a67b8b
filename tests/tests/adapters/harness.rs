//! Starting and stopping a server in-process, and bounding every test in time.

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use twill_protocol::{Config, ServeOptions, ShutdownSignal};
use twill_tests::test_backend::TestFactory;

/// Every adapter's `serve`, as used by the suite.
pub(crate) type Serve =
    fn(TcpListener, Arc<TestFactory>, Arc<Config>, ServeOptions, ShutdownSignal) -> io::Result<()>;

/// The most any one test may take.
const TEST_LIMIT: Duration = Duration::from_secs(40);
/// The most a server may take to return from `serve` after shutdown.
pub(crate) const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Runs `case` on its own thread and fails if it takes longer than [`TEST_LIMIT`].
pub(crate) fn bounded(name: &str, case: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            case();
            let _ = tx.send(());
        })
        .expect("spawn the test thread");
    match rx.recv_timeout(TEST_LIMIT) {
        Ok(()) => thread.join().expect("test thread"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The case panicked: re-raise its panic here.
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name} took longer than {TEST_LIMIT:?}"),
    }
}

/// A server running in-process on a free port.
pub(crate) struct Server {
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
    shutdown: ShutdownSignal,
    done: mpsc::Receiver<io::Result<()>>,
    stopped: bool,
}

impl Server {
    /// Starts `serve` with the test backend and default core settings.
    pub(crate) fn start(serve: Serve, options: ServeOptions) -> Server {
        Server::start_with(serve, options, Config::default())
    }

    /// Starts `serve` with the test backend and these core settings.
    pub(crate) fn start_with(serve: Serve, options: ServeOptions, config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local addr").port();
        let shutdown = ShutdownSignal::new();
        let (tx, done) = mpsc::channel();
        let signal = shutdown.clone();
        std::thread::Builder::new()
            .name(format!("server-{port}"))
            .spawn(move || {
                let config = Arc::new(config);
                let result = serve(listener, Arc::new(TestFactory), config, options, signal);
                let _ = tx.send(result);
            })
            .expect("spawn the server thread");
        Server {
            port,
            shutdown,
            done,
            stopped: false,
        }
    }

    /// The options most cases use: room for the storm test, quick drain.
    pub(crate) fn options() -> ServeOptions {
        ServeOptions {
            max_connections: 1000,
            max_startups: 2000,
            drain_timeout: Duration::from_secs(3),
            io_threads: 2,
            engine_threads: 8,
        }
    }

    /// Starts with [`Server::options`].
    pub(crate) fn start_default(serve: Serve) -> Server {
        Server::start(serve, Server::options())
    }

    /// A libpq-style connection string for it.
    pub(crate) fn conninfo(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=u dbname=d connect_timeout=5",
            self.port
        )
    }

    /// Triggers the shutdown.
    pub(crate) fn trigger_shutdown(&self) {
        self.shutdown.trigger();
    }

    /// Shuts down and waits for `serve` to return (at most [`STOP_LIMIT`]);
    /// returns how long that took.
    pub(crate) fn stop(mut self) -> Duration {
        let start = Instant::now();
        self.shutdown.trigger();
        self.stopped = true;
        match self.done.recv_timeout(STOP_LIMIT) {
            Ok(result) => result.expect("serve returned an error"),
            Err(_) => panic!("serve did not return within {STOP_LIMIT:?} of shutdown"),
        }
        start.elapsed()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.stopped {
            self.shutdown.trigger();
            let _ = self.done.recv_timeout(STOP_LIMIT);
        }
    }
}
