//! `engine-server`: parse the command line, open the database, serve.
//!
//! Only wiring lives here (see the `twill_server` library for the parts
//! worth testing): logging goes to stderr through `tracing-subscriber`
//! (`RUST_LOG` filters it, default `info`), the listener is bound before the
//! runtime starts so a bad address fails at once, and the startup line
//! names the address actually bound (useful with port 0). Colours only
//! when stderr is a terminal, so a log file or a test reads plain text.

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
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
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
    tracing::info!(
        "listening on {local} (runtime {}, db {})",
        args.runtime.name(),
        args.db
    );
    run::serve(args, db, listener, shutdown).map_err(|e| format!("server failed: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}
