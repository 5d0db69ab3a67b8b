//! Turning away a connection over the startup limit
//! ([`ServeOptions::max_startups`](twill_protocol::ServeOptions::max_startups)) with FATAL 53300, inside the loop.
//!
//! The protocol side is the core's [`Rejection`] (answer SSLRequest, route
//! a CancelRequest — a client at the limit must still be able to cancel —
//! and answer the StartupMessage with the error). This is its non-blocking
//! driver: the rejected socket is an ordinary loop entry with a deadline of
//! [`LINGER`](crate::REJECT_LINGER) from accept.

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Instant;

use mio::net::TcpStream;
use twill_protocol::{CancelRegistry, Interrupt, InterruptReason, Rejection};

/// A socket being turned away.
pub(crate) struct Reject {
    pub(crate) socket: TcpStream,
    pub(crate) rejection: Rejection,
    /// The sending half is shut.
    pub(crate) shut: bool,
    /// Given up on at this time.
    pub(crate) close_by: Instant,
}

impl Reject {
    /// Moves the rejection along; true when the socket can be dropped.
    pub(crate) fn pump(
        &mut self,
        registry: &CancelRegistry<Arc<dyn Interrupt>>,
        buf: &mut [u8],
        now: Instant,
    ) -> bool {
        if now >= self.close_by {
            return true;
        }
        loop {
            if let Some(key) = self.rejection.poll_cancel()
                && let Some(handle) = registry.lookup(key)
            {
                handle.interrupt(InterruptReason::UserCancel);
            }
            while !self.rejection.transmit().is_empty() {
                match self.socket.write(self.rejection.transmit()) {
                    Ok(n) => self.rejection.advance_transmit(n),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return true,
                }
            }
            if self.rejection.is_done() && !self.shut {
                let _ = self.socket.shutdown(Shutdown::Write);
                self.shut = true;
            }
            match self.socket.read(buf) {
                Ok(0) => return true,
                Ok(n) => self.rejection.handle_input(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return true,
            }
        }
    }
}
