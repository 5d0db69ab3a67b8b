//! Encryption before the session: SSLRequest, GSSENCRequest, direct TLS,
//! and the rules PostgreSQL applies around them.
//!
//! ```text
//!  SSLRequest ──► TLS configured? ──yes──► 'S', TLS handshake ──► startup packet (encrypted)
//!                       └─────────no────► 'N' ──► startup packet (plaintext)
//!  GSSENCRequest ──► 'N' (GSSAPI encryption is not offered)
//!  first byte 0x16 ──► direct TLS (PostgreSQL 17): handshake, ALPN `postgresql` required
//!  plaintext StartupMessage ──► FATAL 28000 if TLS is required
//! ```
//!
//! Bytes that arrive together with an SSLRequest or GSSENCRequest (buffered
//! before the answer was sent) were never protected by the encryption the
//! client asked for and may have been injected by a man in the middle
//! (CVE-2021-23214). As PostgreSQL 15 does (measured on a real server), they
//! are never read: after `N` the client gets FATAL 08P01 at once; after `S`
//! they are dropped — not read as plaintext, not fed to rustls — the
//! handshake runs on what follows, and the FATAL goes out encrypted.
//!
//! The TLS layer itself (rustls on in-memory buffers) is
//! [`Transport`](crate::transport::Transport).

use bytes::BufMut;
use twill_types::SqlState;

use super::Connection;
use crate::call::SessionStart;
use crate::error::ErrorReport;
use crate::transport::TlsStart;

/// The first byte of a TLS handshake record: a client doing direct TLS.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// PostgreSQL's detail for data smuggled after an encryption request.
const SMUGGLED_DETAIL: &str = "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.";

/// What the client saw of the encryption negotiation so far, for
/// PostgreSQL's rules on what may come next.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Negotiated {
    /// An SSLRequest was answered (or direct TLS started): another is a
    /// protocol violation.
    pub(super) ssl: bool,
    /// A GSSENCRequest was answered, or TLS started (GSSAPI may only follow
    /// a declined SSLRequest).
    pub(super) gss: bool,
    /// Plaintext arrived with the SSLRequest that we answered `S`: FATAL
    /// 08P01 once the handshake is done.
    pub(super) smuggled: bool,
}

/// Which request plaintext was smuggled behind.
#[derive(Debug, Clone, Copy)]
pub(super) enum Smuggled {
    AfterSsl,
    AfterGss,
}

impl Connection {
    /// The connection opens with a TLS record and we speak TLS: PostgreSQL
    /// 17's direct TLS. (Without TLS configured, 0x16 is read as the start
    /// of a startup packet length and refused as invalid, as PostgreSQL
    /// does.)
    pub(super) fn is_direct_tls(&self) -> bool {
        self.config.tls.is_some()
            && !self.transport.is_tls()
            && !self.negotiated.ssl
            && !self.negotiated.gss
            && self.inbuf.first() == Some(&TLS_HANDSHAKE_RECORD)
    }

    /// Starts the handshake on the buffered ClientHello.
    pub(super) fn start_direct_tls(&mut self) {
        let Some(tls) = self.config.tls.clone() else {
            return;
        };
        let hello = self.inbuf.split();
        // Encryption is settled: a later SSLRequest or GSSENCRequest is a
        // repeated request, as in PostgreSQL.
        self.negotiated.ssl = true;
        self.negotiated.gss = true;
        if let Err(failure) = self
            .transport
            .start_tls(&tls, TlsStart::Direct, &mut self.out)
        {
            return self.tls_failed(failure);
        }
        match self.transport.receive(&hello, &mut self.inbuf) {
            Ok(received) => self.eof |= received.peer_closed,
            Err(failure) => self.tls_failed(failure),
        }
    }

    /// Answers an SSLRequest: `S` and the handshake when TLS is configured,
    /// `N` otherwise. Bytes buffered behind the request are never read.
    pub(super) fn on_ssl_request(&mut self) {
        let smuggled = !self.inbuf.is_empty();
        let Some(tls) = self.config.tls.clone() else {
            self.out.put_u8(b'N');
            if smuggled {
                self.refuse_smuggled(Smuggled::AfterSsl);
            }
            return;
        };
        // Never plaintext, never handshake input: dropped, and reported
        // (encrypted) once the handshake is done.
        self.inbuf.clear();
        self.negotiated.smuggled = smuggled;
        // GSSAPI may only follow a declined SSLRequest.
        self.negotiated.gss = true;
        self.out.put_u8(b'S');
        if let Err(failure) =
            self.transport
                .start_tls(&tls, TlsStart::AfterSslRequest, &mut self.out)
        {
            self.tls_failed(failure);
        }
    }

    /// FATAL 08P01 for plaintext that came with an encryption request.
    pub(super) fn refuse_smuggled(&mut self, after: Smuggled) {
        let message = match after {
            Smuggled::AfterSsl => "received unencrypted data after SSL request",
            Smuggled::AfterGss => "received unencrypted data after GSSAPI encryption request",
        };
        self.send_fatal(
            ErrorReport::fatal(SqlState::PROTOCOL_VIOLATION, message).with_detail(SMUGGLED_DETAIL),
        );
    }

    /// With TLS required, a plaintext StartupMessage gets PostgreSQL's
    /// `hostssl`-only refusal, FATAL 28000. True if it was refused.
    pub(super) fn refuse_plaintext(&mut self, start: &SessionStart) -> bool {
        let required = self.config.tls.as_ref().is_some_and(|t| t.is_required());
        if !required || self.transport.is_tls() {
            return false;
        }
        self.refuse_login(start, "no pg_hba.conf entry for", "no encryption");
        true
    }

    /// The `tls-server-end-point` data SCRAM-SHA-256-PLUS binds to: only
    /// over TLS, and only when the certificate has an RFC 5929 hash.
    pub(super) fn channel_binding(&self) -> Option<Vec<u8>> {
        match &self.config.tls {
            Some(tls) if self.transport.is_tls() => tls.end_point().map(<[u8]>::to_vec),
            _ => None,
        }
    }
}
