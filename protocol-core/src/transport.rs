//! The layer between socket bytes and protocol bytes: plaintext, or TLS
//! driven by rustls on in-memory buffers.
//!
//! ```text
//!   socket bytes ─► receive ─► [rustls: read_tls, process_new_packets, reader] ─► inbuf
//!   out (protocol frames) ─► seal ─► [rustls: writer, write_tls] ─► wire ─► transmit()
//! ```
//!
//! A connection starts in plaintext. It becomes TLS at most once: after the
//! `S` answer to an SSLRequest (the `S` itself still goes out in plaintext,
//! ahead of everything rustls writes), or at the first byte for a direct TLS
//! connection (PostgreSQL 17's `sslnegotiation=direct`: the client opens with
//! a ClientHello and must offer ALPN `postgresql`). From then on everything
//! in either direction goes through rustls, and the protocol code above
//! never notices: it reads frames from `inbuf` and writes frames to `out` as
//! before. [`Transport::seal`] runs at the end of every input the host feeds,
//! so `transmit()` only ever shows ciphertext once TLS is up.
//!
//! A TLS failure (a bad record, a failed handshake, an ALPN mismatch) is
//! fatal and sticky: rustls' alert is flushed, nothing else is read or
//! written.

use std::io::{Read, Write};

use bytes::{Buf, BufMut, BytesMut};
use rustls::ServerConnection;

use crate::tls::{ALPN_POSTGRESQL, TlsConfig};

/// How socket bytes become protocol bytes, for one connection.
#[derive(Debug, Default)]
pub(crate) enum Transport {
    /// No encryption (yet): bytes pass through, and `out` is what the host sends.
    #[default]
    Plain,
    /// rustls is in charge of both directions.
    Tls(Box<TlsLayer>),
}

/// How the TLS handshake was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsStart {
    /// SSLRequest answered `S`: ALPN is optional (but if offered, it must be
    /// `postgresql`).
    AfterSslRequest,
    /// The connection opened with a ClientHello: ALPN `postgresql` is required.
    Direct,
}

/// One connection's rustls session and the ciphertext waiting for the socket.
#[derive(Debug)]
pub(crate) struct TlsLayer {
    /// The rustls state machine, fed from and drained into memory only.
    session: ServerConnection,
    /// Bytes for the socket: the plaintext `S` (if any), then TLS records.
    wire: BytesMut,
    /// How the handshake started (direct TLS must negotiate ALPN).
    start: TlsStart,
    /// Something went wrong: read nothing, write nothing but the alert
    /// rustls already queued (or not even that, for a refused ClientHello).
    failed: bool,
    /// Our close_notify has been queued.
    close_notified: bool,
    /// Not even rustls' pending records may leave (a refused ClientHello
    /// gets no ServerHello).
    mute: bool,
}

/// What happened while receiving socket bytes.
#[derive(Debug, Default)]
pub(crate) struct Received {
    /// The client sent TLS close_notify: no more input will come.
    pub(crate) peer_closed: bool,
}

/// Why TLS ended the connection (for the host's log, never sent to the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsFailure(pub(crate) String);

impl Transport {
    /// Switches to TLS. `plaintext` (the `S` answer, or nothing for direct
    /// TLS) goes out before the first TLS record.
    pub(crate) fn start_tls(
        &mut self,
        config: &TlsConfig,
        start: TlsStart,
        plaintext: &mut BytesMut,
    ) -> Result<(), TlsFailure> {
        debug_assert!(matches!(self, Transport::Plain), "TLS starts once");
        let mut session = ServerConnection::new(config.server().clone())
            .map_err(|e| TlsFailure(format!("could not start TLS: {e}")))?;
        // The core bounds its output itself (the high-water mark, drained
        // into `wire` after every input); rustls must never refuse a write.
        session.set_buffer_limit(None);
        *self = Transport::Tls(Box::new(TlsLayer {
            session,
            wire: plaintext.split(),
            start,
            failed: false,
            close_notified: false,
            mute: false,
        }));
        Ok(())
    }

    /// True once the connection is (being) encrypted.
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Transport::Tls(_))
    }

    /// True while the TLS handshake is in progress: no protocol bytes can
    /// arrive yet.
    pub(crate) fn is_handshaking(&self) -> bool {
        match self {
            Transport::Plain => false,
            Transport::Tls(tls) => tls.session.is_handshaking(),
        }
    }

    /// Socket bytes in; protocol bytes appended to `plain`.
    pub(crate) fn receive(
        &mut self,
        mut data: &[u8],
        plain: &mut BytesMut,
    ) -> Result<Received, TlsFailure> {
        let tls = match self {
            Transport::Plain => {
                plain.extend_from_slice(data);
                return Ok(Received::default());
            }
            Transport::Tls(tls) => tls,
        };
        let mut received = Received::default();
        while !data.is_empty() && !tls.failed {
            match tls.session.read_tls(&mut data) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(tls.fail(format!("could not read TLS record: {e}"))),
            }
            let state = match tls.session.process_new_packets() {
                Ok(state) => state,
                Err(e) => return Err(tls.fail(format!("TLS error: {e}"))),
            };
            if tls.start == TlsStart::Direct
                && tls.session.alpn_protocol() != Some(ALPN_POSTGRESQL)
                && (tls.session.wants_write() || !tls.session.is_handshaking())
            {
                // The ClientHello is complete and offered no ALPN (a wrong
                // one already failed in rustls): refuse before our
                // ServerHello leaves, as PostgreSQL 17 refuses direct TLS
                // without ALPN.
                tls.mute = true;
                return Err(
                    tls.fail("direct TLS connection without ALPN protocol \"postgresql\"".into())
                );
            }
            let to_read = state.plaintext_bytes_to_read();
            if to_read > 0 {
                let at = plain.len();
                plain.resize(at + to_read, 0);
                // rustls said exactly this much plaintext is buffered.
                tls.session
                    .reader()
                    .read_exact(&mut plain[at..])
                    .map_err(|e| tls.fail(format!("could not read TLS plaintext: {e}")))?;
            }
            received.peer_closed |= state.peer_has_closed();
        }
        Ok(received)
    }

    /// Moves the protocol's output into rustls and rustls' records into the
    /// wire buffer. With `closing`, also queues our close_notify (once), as
    /// PostgreSQL's backend does when it exits. Plaintext: nothing to do.
    pub(crate) fn seal(&mut self, out: &mut BytesMut, closing: bool) {
        let Transport::Tls(tls) = self else {
            return;
        };
        if tls.mute {
            out.clear();
            return;
        }
        if tls.failed {
            // Nothing more is written after a TLS failure but rustls' alert.
            out.clear();
        } else if !out.is_empty() {
            // The buffer limit is off, so rustls takes everything: it
            // encrypts at once, or holds plaintext until the handshake ends.
            let taken = tls.session.writer().write(out).unwrap_or(0);
            out.advance(taken);
        }
        if closing && !tls.close_notified && !tls.failed {
            tls.close_notified = true;
            tls.session.send_close_notify();
        }
        while tls.session.wants_write() {
            let mut sink = (&mut tls.wire).writer();
            match tls.session.write_tls(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    /// The bytes for the socket: `out` itself in plaintext, the wire buffer
    /// under TLS.
    pub(crate) fn transmit<'a>(&'a self, out: &'a BytesMut) -> &'a [u8] {
        match self {
            Transport::Plain => out,
            Transport::Tls(tls) => &tls.wire,
        }
    }

    /// `n` bytes of [`transmit`](Self::transmit) were written.
    pub(crate) fn advance(&mut self, out: &mut BytesMut, n: usize) {
        let buf = match self {
            Transport::Plain => out,
            Transport::Tls(tls) => &mut tls.wire,
        };
        buf.advance(n.min(buf.len()));
    }

    /// Output waiting for the socket, encrypted or not: what the high-water
    /// mark is compared with.
    pub(crate) fn pending(&self, out: &BytesMut) -> usize {
        match self {
            Transport::Plain => out.len(),
            Transport::Tls(tls) => out.len() + tls.wire.len(),
        }
    }
}

impl TlsLayer {
    /// Marks the layer failed and says why.
    fn fail(&mut self, why: String) -> TlsFailure {
        self.failed = true;
        TlsFailure(why)
    }
}
