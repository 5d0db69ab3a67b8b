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
//! `engine-server passwd USER` reads a password from stdin and prints the
//! auth-file line instead of serving.
//!
//! A start-up failure (bad `--db` URL, bad `--auth-file`, port taken, bad log filter, an
//! unreadable TLS certificate or key) is one
//! line on stderr, `engine-server: <what failed>: <why>`, and exit status 1;
//! never a panic or a backtrace. Argument errors are clap's (status 2).

use std::io::IsTerminal;
use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use twill_protocol::ShutdownSignal;
use twill_server::passwd::password_from;
use twill_server::{Args, TlsMode, Tool, run};

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Tool::Passwd {
        iterations,
        md5,
        user,
    }) = &args.command
    {
        return match passwd(user, *iterations, *md5) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(message) => fail(message),
        };
    }
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

/// `engine-server passwd`: the password is the first line of stdin.
fn passwd(user: &str, iterations: u32, md5: bool) -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_line(&mut input)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for the salt: {e}"))?;
    twill_server::passwd::verifier_line(user, password_from(&input), iterations, md5, salt)
}

fn serve(args: &Args) -> Result<(), String> {
    // TLS files and password verifiers first: a bad certificate fails
    // before anything is opened.
    let config = args.config().map_err(|e| e.to_string())?;
    let urls = args.databases()?;
    let dbs = urls.open()?;
    let listener = TcpListener::bind(args.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = ShutdownSignal::new();
    run::stop_on_signals(shutdown.clone())
        .map_err(|e| format!("cannot install signal handlers: {e}"))?;
    if let Some(warning) = args.pool_warning() {
        tracing::warn!("{warning}");
    }
    let hostssl = config
        .access
        .iter()
        .flat_map(|a| a.rules())
        .any(|r| r.connection == twill_protocol::auth::ConnectionType::HostSsl);
    if hostssl && config.tls.is_none() {
        // PostgreSQL warns the same way: such a rule can never match.
        tracing::warn!("hostssl rules cannot match: TLS is off (no --tls-cert/--tls-key)");
    }
    let tls = match (&config.tls, args.tls_mode) {
        (None, _) => "",
        (Some(_), TlsMode::Optional) => ", tls optional",
        (Some(_), TlsMode::Required) => ", tls required",
    };
    tracing::info!(
        "listening on {local} (runtime {}, db {}{tls})",
        args.runtime.name(),
        urls.describe()
    );
    run::serve(args, config, dbs, listener, shutdown).map_err(|e| format!("server failed: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}
