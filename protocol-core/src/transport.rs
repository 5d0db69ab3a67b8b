//! The layer between socket bytes and protocol bytes.
//!
//! Today every connection is plaintext: SSLRequest is answered `N` and bytes
//! pass through. TLS will live here, driven by rustls' buffered API on
//! in-memory buffers, so every adapter and every embedding gets it without
//! touching a socket in the core.

use bytes::BytesMut;

/// How socket bytes become protocol bytes.
#[derive(Debug, Default)]
pub(crate) struct Transport {
    _private: (),
}

impl Transport {
    /// Whether an SSLRequest is accepted (`S`) or declined (`N`).
    pub(crate) fn accept_tls(&mut self) -> bool {
        false
    }

    /// Socket bytes in, protocol bytes appended to `plain`.
    pub(crate) fn decrypt(&mut self, data: &[u8], plain: &mut BytesMut) {
        plain.extend_from_slice(data);
    }
}
