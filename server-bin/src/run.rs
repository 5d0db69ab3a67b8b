//! Starting the chosen adapter, and stopping it on SIGINT/SIGTERM.
//!
//! Every adapter has the same `serve(listener, factory, config, options,
//! shutdown)` shape and blocks until the server has stopped, so choosing a
//! runtime is one `match`. Stopping is the adapters' graceful shutdown:
//! [`ShutdownSignal::trigger`] makes them stop accepting, end idle sessions
//! with FATAL 57P01, let running statements finish for up to the drain
//! timeout, and return. The signal is triggered from a plain thread that
//! waits for SIGINT or SIGTERM (signal-hook's iterator: the handler itself
//! only writes to a pipe, so nothing unsafe runs in signal context). A
//! second signal exits at once, for an operator who does not want to wait.

use std::net::TcpListener;
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use twill_protocol::{Config, ShutdownSignal};

use crate::backend::EngineFactory;
use crate::cli::{Args, Runtime};
use crate::databases::Databases;

/// Exit status after a second signal cut the drain short (128 + SIGINT, as shells report).
const FORCED_EXIT: i32 = 130;

/// Serves `dbs` on `listener` with the runtime and limits in `args` and the
/// core configuration `config` (from [`Args::config`]), until `shutdown`
/// triggers; returns once the adapter has stopped.
pub fn serve(
    args: &Args,
    config: Config,
    dbs: Databases,
    listener: TcpListener,
    shutdown: ShutdownSignal,
) -> std::io::Result<()> {
    let factory = Arc::new(EngineFactory::routed(dbs));
    let config = Arc::new(config);
    let options = args.serve_options();
    match args.runtime {
        Runtime::Std => twill_adapter_std::serve(listener, factory, config, options, shutdown),
        Runtime::Mio => twill_adapter_mio::serve(listener, factory, config, options, shutdown),
        Runtime::Tokio => twill_adapter_tokio::serve(listener, factory, config, options, shutdown),
        Runtime::Smol => twill_adapter_smol::serve(listener, factory, config, options, shutdown),
    }
}

/// Triggers `shutdown` on the first SIGINT or SIGTERM; exits the process
/// on the second. The watching thread lives as long as the process.
pub fn stop_on_signals(shutdown: ShutdownSignal) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("twill-signals".into())
        .spawn(move || {
            let mut seen = 0;
            for signal in signals.forever() {
                seen += 1;
                if seen == 1 {
                    tracing::info!(signal, "shutting down: draining connections");
                    shutdown.trigger();
                } else {
                    tracing::warn!(signal, "second signal: exiting now");
                    std::process::exit(FORCED_EXIT);
                }
            }
        })?;
    Ok(())
}
