//! [`Rejection`]: turning a client away before it gets a session, the way
//! PostgreSQL does when `max_connections` is reached.
//!
//! PostgreSQL does not refuse such a client at `accept`: it first answers
//! SSLRequest/GSSENCRequest (`N` here), serves a CancelRequest (a client at
//! the limit must still be able to cancel its own running query), and only
//! answers the StartupMessage with `FATAL 53300 sorry, too many clients
//! already`. libpq shows the message only then; an error in reply to an
//! SSLRequest is reported as "server sent an error response during SSL
//! exchange". This is that small machine, sans-IO like [`Connection`]:
//!
//! 1. [`handle_input`](Rejection::handle_input) with the socket's bytes;
//! 2. [`poll_cancel`](Rejection::poll_cancel): route a CancelRequest;
//! 3. write [`transmit`](Rejection::transmit), then
//!    [`advance_transmit`](Rejection::advance_transmit);
//! 4. once [`is_done`](Rejection::is_done) and the output is sent, shut the
//!    sending half and read until the client closes (closing with unread
//!    input makes the kernel reset the connection, and the client may lose
//!    the error), with a short deadline of the host's choosing.
//!
//! [`Connection`]: crate::Connection

use crate::cancel::BackendKey;
use crate::error::ErrorReport;
use crate::message::backend;
use crate::message::startup::StartupPacket;
use bytes::{Buf, BytesMut};

/// A client being turned away with one FATAL error, the way PostgreSQL
/// turns one away at `max_connections`: SSLRequest/GSSENCRequest get `N`, a
/// CancelRequest is handed to the host (a client at the limit must still be
/// able to cancel), the StartupMessage gets the error.
///
/// Drive it like a [`Connection`](crate::Connection): [`handle_input`](Self::handle_input),
/// route [`poll_cancel`](Self::poll_cancel), write
/// [`transmit`](Self::transmit) and [`advance_transmit`](Self::advance_transmit);
/// once [`is_done`](Self::is_done) and the output is sent, shut the sending
/// half and read until the client closes (closing with unread input resets
/// the connection, and the client may lose the error), within a short
/// deadline of the host's choosing.
#[derive(Debug)]
pub struct Rejection {
    /// The error the StartupMessage gets.
    report: ErrorReport,
    /// Input not yet decoded.
    inbuf: BytesMut,
    /// Output not yet taken.
    out: BytesMut,
    /// A CancelRequest to route.
    cancel: Option<BackendKey>,
    /// Nothing more will be answered.
    done: bool,
}

impl Rejection {
    /// Turns the client away with FATAL 53300 "sorry, too many clients already".
    pub fn too_many_clients() -> Rejection {
        Rejection::new(crate::admission::too_many_clients())
    }

    /// Turns the client away with `report` (which should be FATAL).
    pub fn new(report: ErrorReport) -> Rejection {
        Rejection {
            report,
            inbuf: BytesMut::new(),
            out: BytesMut::new(),
            cancel: None,
            done: false,
        }
    }

    /// Bytes read from the socket.
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.done {
            return;
        }
        self.inbuf.extend_from_slice(data);
        while !self.done {
            match StartupPacket::decode(&mut self.inbuf) {
                Ok(None) => return,
                Ok(Some(StartupPacket::SslRequest | StartupPacket::GssEncRequest)) => {
                    self.out.extend_from_slice(b"N");
                }
                Ok(Some(StartupPacket::Cancel { pid, secret })) => {
                    self.cancel = Some(BackendKey { pid, secret });
                    self.done = true;
                }
                Ok(Some(StartupPacket::Startup { .. })) | Err(_) => {
                    backend::error_or_notice(&mut self.out, &self.report);
                    self.done = true;
                }
            }
        }
        self.inbuf.clear();
    }

    /// The client closed its side: nothing more to answer.
    pub fn handle_eof(&mut self) {
        self.done = true;
    }

    /// A CancelRequest that arrived; route it as [`Event::Cancel`](crate::Event::Cancel).
    #[must_use]
    pub fn poll_cancel(&mut self) -> Option<BackendKey> {
        self.cancel.take()
    }

    /// Bytes to write.
    #[must_use]
    pub fn transmit(&self) -> &[u8] {
        &self.out
    }

    /// `n` bytes of [`transmit`](Self::transmit) were written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.out.advance(n.min(self.out.len()));
    }

    /// True once the answer is complete: send what `transmit` holds, then
    /// shut the sending half and wait (briefly) for the client to close.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::startup::PROTOCOL_3_0;

    #[test]
    fn answers_ssl_then_rejects_the_startup_message() {
        let mut input = BytesMut::new();
        StartupPacket::SslRequest.encode(&mut input);
        StartupPacket::Startup {
            version: PROTOCOL_3_0,
            params: vec![("user".into(), "u".into())],
        }
        .encode(&mut input);
        let mut r = Rejection::too_many_clients();
        // Byte by byte: any chunking works.
        for b in input.iter() {
            assert!(!r.is_done());
            r.handle_input(&[*b]);
        }
        assert!(r.is_done());
        let out = r.transmit().to_vec();
        assert_eq!(out[0], b'N');
        assert_eq!(out[1], b'E');
        assert!(out.windows(5).any(|w| w == b"53300"));
        r.advance_transmit(out.len());
        assert!(r.transmit().is_empty());
        assert_eq!(r.poll_cancel(), None);
    }

    #[test]
    fn routes_a_cancel_request() {
        let mut input = BytesMut::new();
        StartupPacket::Cancel { pid: 7, secret: 9 }.encode(&mut input);
        let mut r = Rejection::too_many_clients();
        r.handle_input(&input);
        assert!(r.is_done());
        assert_eq!(r.poll_cancel(), Some(BackendKey { pid: 7, secret: 9 }));
        assert!(r.transmit().is_empty());
    }
}
