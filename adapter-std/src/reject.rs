//! Turning away a connection over the startup limit
//! ([`ServeOptions::max_startups`](twill_protocol::ServeOptions::max_startups)) with FATAL 53300.
//!
//! The protocol side is the core's [`Rejection`] (answer SSLRequest, route
//! a CancelRequest — a client at the limit must still be able to cancel —
//! and answer the StartupMessage with the error). This file is its
//! blocking driver, run on a short-lived thread of its own, bounded by
//! [`LINGER`].

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use twill_protocol::{CancelRegistry, Interrupt, InterruptReason, Rejection};

/// How long a rejected client gets, from accept to close.
const LINGER: Duration = Duration::from_secs(2);

/// Answers a client over the limit and closes (see the module docs).
pub(crate) fn reject(mut stream: TcpStream, registry: &CancelRegistry<Arc<dyn Interrupt>>) {
    let deadline = Instant::now() + LINGER;
    let mut rejection = Rejection::too_many_clients();
    let mut buf = [0u8; 1024];
    let mut shut = false;
    loop {
        if let Some(key) = rejection.poll_cancel()
            && let Some(handle) = registry.lookup(key)
        {
            handle.interrupt(InterruptReason::UserCancel);
        }
        let out = rejection.transmit().len();
        if out > 0 {
            if stream.set_write_timeout(Some(LINGER)).is_err()
                || stream.write_all(rejection.transmit()).is_err()
            {
                return;
            }
            rejection.advance_transmit(out);
        }
        if rejection.is_done() && !shut {
            let _ = stream.shutdown(Shutdown::Write);
            shut = true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => rejection.handle_input(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
