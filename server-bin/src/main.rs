//! `engine-server`: parse the command line, open the database, serve.
//!
//! Only wiring lives here (see the `twill_server` library for the parts
//! worth testing): logging goes to stderr through `tracing-subscriber`
//! (`--log-level`, else `RUST_LOG`, else `info`), the database is opened and
//! the listener bound before the runtime starts so a bad URL or a taken
//! port fails at once, and the startup line names the address actually
//! bound (useful with port 0). Colours only when stderr is a terminal, so a
//! log file or a test reads plain text.
//!
//! A start-up failure (bad `--db` URL, port taken, bad log filter) is one
//! line on stderr, `engine-server: <what failed>: <why>`, and exit status 1;
//! never a panic or a backtrace. Argument errors are clap's (status 2).

use std::io::IsTerminal;
use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use twill_engine::Database;
use twill_protocol::ShutdownSignal;
use twill_server::{Args, run};

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = args.log_filter();
    let filter = match EnvFilter::try_new(&filter) {
        Ok(filter) => filter,
        Err(e) => return fail(format!("bad log filter {filter:?}: {e}")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

/// A start-up or serving failure: one plain line on stderr (not a log
/// event, so it reads the same whatever the log level), exit status 1.
fn fail(message: String) -> ExitCode {
    eprintln!("engine-server: {message}");
    ExitCode::FAILURE
}

fn serve(args: &Args) -> Result<(), String> {
    let db = Database::open(&args.db)
        .map_err(|e| format!("cannot open database {}: {}", args.db, e.message))?;
    let listener = TcpListener::bind(args.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = ShutdownSignal::new();
    run::stop_on_signals(shutdown.clone())
        .map_err(|e| format!("cannot install signal handlers: {e}"))?;
    if let Some(warning) = args.pool_warning() {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        "listening on {local} (runtime {}, db {})",
        args.runtime.name(),
        args.db
    );
    run::serve(args, db, listener, shutdown).map_err(|e| format!("server failed: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}
