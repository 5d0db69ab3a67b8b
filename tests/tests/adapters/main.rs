//! One end-to-end suite, run against every runtime adapter.
//!
//! Each case in [`cases`] takes a runtime's `serve` function, starts it
//! in-process on 127.0.0.1 with a free port (see [`harness`]), talks to it
//! with real clients — the `postgres` and `tokio-postgres` crates and psql —
//! and stops it. The `suite!` macro below stamps out one `#[test]` per
//! (runtime, case), so `cargo test -p twill-tests --test adapters std::`
//! runs one runtime and `… cancel` one case everywhere.
//!
//! The server's backend is the test backend of `twill_tests`, a stand-in
//! for the SQL engine that understands a handful of statements.

mod cases;
mod harness;

/// `cases!(serve_fn)`: a bounded `#[test]` per case, for one runtime.
macro_rules! cases {
    ($serve:path) => {
        cases!(@each $serve;
            simple_query,
            extended_query,
            large_stream,
            slow_reader,
            pipelining,
            errors_and_recovery,
            cancel,
            cancel_at_limit,
            statement_timeout,
            copy_in,
            many_connections,
            connection_limit,
            graceful_shutdown,
            shutdown_drain_timeout,
            idle_session_timeout,
            backend_panic,
            scram_login,
            psql,
        );
    };
    (@each $serve:path; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                crate::harness::bounded(stringify!($case), || crate::cases::$case($serve));
            }
        )*
    };
}

/// `suite!(runtime => serve_fn, …)`: a module of cases per runtime.
macro_rules! suite {
    ($($runtime:ident => $serve:path),* $(,)?) => {
        $(
            mod $runtime {
                cases!($serve);
            }
        )*
    };
}

suite! {
    std => twill_adapter_std::serve,
    mio => twill_adapter_mio::serve,
    tokio => twill_adapter_tokio::serve,
    smol => twill_adapter_smol::serve,
}
