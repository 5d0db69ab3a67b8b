//! The untagged packets that open a connection.
//!
//! Before the session starts, a client sends a length-prefixed packet with no
//! tag: its first four body bytes are a protocol version or one of three
//! magic request codes. A packet is at most [`MAX_STARTUP_PACKET`] bytes, as
//! in PostgreSQL, so a peer cannot make us buffer more than that before it has
//! authenticated.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::{DecodeError, Reader};

/// The longest startup packet accepted (PostgreSQL's `MAX_STARTUP_PACKET_LENGTH`).
pub const MAX_STARTUP_PACKET: usize = 10_000;

/// Protocol version 3.0 as sent in a StartupMessage.
pub const PROTOCOL_3_0: i32 = 196_608;
const CANCEL_REQUEST_CODE: i32 = 80_877_102;
const SSL_REQUEST_CODE: i32 = 80_877_103;
const GSSENC_REQUEST_CODE: i32 = 80_877_104;

/// A packet that opens (or, for a cancel, is) a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartupPacket {
    /// StartupMessage: the requested protocol version and the parameters in
    /// the order sent (user, database, options, and any run-time settings).
    Startup {
        /// Major version in the high 16 bits, minor in the low 16.
        version: i32,
        /// Name/value pairs, in order.
        params: Vec<(String, String)>,
    },
    /// SSLRequest: the client asks for TLS.
    SslRequest,
    /// GSSENCRequest: the client asks for GSSAPI encryption.
    GssEncRequest,
    /// CancelRequest: cancel the query running on another connection.
    Cancel {
        /// BackendKeyData process id.
        pid: i32,
        /// BackendKeyData secret key.
        secret: i32,
    },
}

impl StartupPacket {
    /// Decodes one packet from the front of `buf`, consuming it.
    ///
    /// `Ok(None)` means more bytes are needed (nothing is consumed). A length
    /// outside `8..=MAX_STARTUP_PACKET` is an error before any body is
    /// buffered.
    pub fn decode(buf: &mut BytesMut) -> Result<Option<StartupPacket>, DecodeError> {
        if buf.len() < 4 {
            return Ok(None);
        }
        let len = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
        let len = usize::try_from(len).unwrap_or(0);
        if !(8..=MAX_STARTUP_PACKET).contains(&len) {
            return Err(DecodeError::Protocol(
                "invalid length of startup packet".into(),
            ));
        }
        if buf.len() < len {
            return Ok(None);
        }
        let mut frame = buf.split_to(len).freeze();
        frame.advance(4);
        let mut r = Reader::new(frame);
        let code = r.i32()?;
        let packet = match code {
            SSL_REQUEST_CODE => StartupPacket::SslRequest,
            GSSENC_REQUEST_CODE => StartupPacket::GssEncRequest,
            CANCEL_REQUEST_CODE => StartupPacket::Cancel {
                pid: r.i32()?,
                secret: r.i32()?,
            },
            version => {
                let mut params = Vec::new();
                loop {
                    let name = r.cstr().map_err(as_protocol)?;
                    if name.is_empty() {
                        break;
                    }
                    let value = r.cstr().map_err(as_protocol)?;
                    params.push((name, value));
                }
                StartupPacket::Startup { version, params }
            }
        };
        // PostgreSQL ignores nothing here: trailing garbage means the length lied.
        if r.remaining() != 0 {
            return Err(DecodeError::Protocol(
                "invalid startup packet layout".into(),
            ));
        }
        Ok(Some(packet))
    }

    /// Encodes the packet (for clients, tests and fuzzing).
    pub fn encode(&self, out: &mut BytesMut) {
        let start = out.len();
        out.put_i32(0);
        match self {
            StartupPacket::Startup { version, params } => {
                out.put_i32(*version);
                for (k, v) in params {
                    put_cstr(out, k);
                    put_cstr(out, v);
                }
                out.put_u8(0);
            }
            StartupPacket::SslRequest => out.put_i32(SSL_REQUEST_CODE),
            StartupPacket::GssEncRequest => out.put_i32(GSSENC_REQUEST_CODE),
            StartupPacket::Cancel { pid, secret } => {
                out.put_i32(CANCEL_REQUEST_CODE);
                out.put_i32(*pid);
                out.put_i32(*secret);
            }
        }
        let len = (out.len() - start) as i32;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }

    /// The packet's bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

/// Startup strings must be UTF-8 too, but a bad one is fatal here: there is
/// no session yet to report a non-fatal error on.
fn as_protocol(e: DecodeError) -> DecodeError {
    match e {
        DecodeError::Encoding(m) => DecodeError::Protocol(m),
        other => other,
    }
}

fn put_cstr(out: &mut BytesMut, s: &str) {
    out.put_slice(s.as_bytes());
    out.put_u8(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_partial_input() {
        let p = StartupPacket::Startup {
            version: PROTOCOL_3_0,
            params: vec![("user".into(), "u".into()), ("database".into(), "d".into())],
        };
        let bytes = p.to_bytes();
        for cut in 0..bytes.len() {
            let mut buf = BytesMut::from(&bytes[..cut]);
            assert_eq!(StartupPacket::decode(&mut buf), Ok(None), "cut at {cut}");
            assert_eq!(buf.len(), cut, "nothing consumed");
        }
        let mut buf = BytesMut::from(&bytes[..]);
        assert_eq!(StartupPacket::decode(&mut buf), Ok(Some(p)));
        assert!(buf.is_empty());
    }

    #[test]
    fn lengths_are_bounded_before_buffering() {
        for len in [-1i32, 0, 7, 10_001, i32::MAX] {
            let mut buf = BytesMut::from(&len.to_be_bytes()[..]);
            assert!(StartupPacket::decode(&mut buf).is_err(), "len {len}");
        }
    }
}
