//! `poll-kv`: the in-memory key-value store served by the hand-written
//! `poll(2)` loop of `twill-examples`.
//!
//! ```text
//! cargo run -p twill-examples --bin poll-kv -- 127.0.0.1:5544
//! psql -h 127.0.0.1 -p 5544 -c 'SET a 1' -c 'GET a'
//! ```
//!
//! Argument parsing and wiring only; the loop and the store are in the
//! library. It runs until killed.

use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use twill_examples::{KvSession, LoopOptions, PollLoop, Store};
use twill_protocol::Config;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:5544".into());
    if args.next().is_some() || addr.starts_with('-') {
        eprintln!("usage: poll-kv [ADDRESS:PORT]   (default 127.0.0.1:5544)");
        return ExitCode::from(2);
    }
    match serve(&addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("poll-kv: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(addr: &str) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    eprintln!(
        "poll-kv: listening on {}; try: psql -h {} -p {} -c 'SET a 1' -c 'GET a'",
        listener.local_addr()?,
        listener.local_addr()?.ip(),
        listener.local_addr()?.port()
    );
    let store = Store::new();
    let mut server = PollLoop::new(
        listener,
        Arc::new(Config::default()),
        || KvSession::new(store.clone()),
        LoopOptions::default(),
    )?;
    // Never set: the process runs until killed.
    let stop = AtomicBool::new(false);
    server.run(&stop)
}
