//! Tagged messages from the client, after startup.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::{DecodeError, Reader};

/// The tag byte of each frontend message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum FrontendTag {
    /// `Q` Query
    Query = b'Q',
    /// `P` Parse
    Parse = b'P',
    /// `B` Bind
    Bind = b'B',
    /// `D` Describe
    Describe = b'D',
    /// `E` Execute
    Execute = b'E',
    /// `C` Close
    Close = b'C',
    /// `S` Sync
    Sync = b'S',
    /// `H` Flush
    Flush = b'H',
    /// `X` Terminate
    Terminate = b'X',
    /// `d` CopyData
    CopyData = b'd',
    /// `c` CopyDone
    CopyDone = b'c',
    /// `f` CopyFail
    CopyFail = b'f',
    /// `p` PasswordMessage, SASLInitialResponse or SASLResponse
    Password = b'p',
    /// `F` FunctionCall
    FunctionCall = b'F',
}

impl FrontendTag {
    /// The tag for a byte, if it is one a client may send.
    pub fn from_u8(b: u8) -> Option<FrontendTag> {
        use FrontendTag::*;
        Some(match b {
            b'Q' => Query,
            b'P' => Parse,
            b'B' => Bind,
            b'D' => Describe,
            b'E' => Execute,
            b'C' => Close,
            b'S' => Sync,
            b'H' => Flush,
            b'X' => Terminate,
            b'd' => CopyData,
            b'c' => CopyDone,
            b'f' => CopyFail,
            b'p' => Password,
            b'F' => FunctionCall,
            _ => return None,
        })
    }
}

/// Which namespace a Describe or Close names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `S`: a prepared statement.
    Statement,
    /// `P`: a portal.
    Portal,
}

/// One decoded frontend message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendMessage {
    /// Simple query: one string, possibly several statements.
    Query(String),
    /// Parse a statement into `name` (empty: the unnamed statement).
    Parse {
        /// Statement name.
        name: String,
        /// SQL text.
        sql: String,
        /// Parameter type OIDs the client specified (0 = infer).
        param_types: Vec<u32>,
    },
    /// Bind a statement's parameters into a portal.
    Bind {
        /// Portal name.
        portal: String,
        /// Statement name.
        statement: String,
        /// Parameter format codes: none (all text), one (for all), or one each.
        param_formats: Vec<i16>,
        /// Parameter values; `None` is NULL.
        params: Vec<Option<Bytes>>,
        /// Result column format codes, with the same convention.
        result_formats: Vec<i16>,
    },
    /// Describe a statement or portal.
    Describe {
        /// Statement or portal.
        kind: ObjectKind,
        /// Its name.
        name: String,
    },
    /// Execute a portal, returning at most `max_rows` rows (0 = all).
    Execute {
        /// Portal name.
        portal: String,
        /// Row limit, 0 for none.
        max_rows: i32,
    },
    /// Close a statement or portal.
    Close {
        /// Statement or portal.
        kind: ObjectKind,
        /// Its name.
        name: String,
    },
    /// End of an extended-query batch.
    Sync,
    /// Send what is pending.
    Flush,
    /// The client is leaving.
    Terminate,
    /// COPY FROM STDIN data.
    CopyData(Bytes),
    /// End of COPY data.
    CopyDone,
    /// The client aborts the COPY, with a reason.
    CopyFail(String),
    /// A `p` message; its meaning depends on the authentication request last
    /// sent, so its body is kept raw and decoded by the auth exchange.
    Password(Bytes),
    /// A fast-path function call (body kept raw; answered with an error).
    FunctionCall(Bytes),
}

impl FrontendMessage {
    /// Decodes one message from the front of `buf`, consuming it.
    ///
    /// `Ok(None)`: more bytes are needed. A declared length above
    /// `max_len` (or below 4) is a protocol error *before* the body is
    /// buffered, so a peer cannot make us allocate what it claims.
    pub fn decode(
        buf: &mut BytesMut,
        max_len: usize,
    ) -> Result<Option<FrontendMessage>, DecodeError> {
        if buf.len() < 5 {
            return Ok(None);
        }
        let tag = buf[0];
        let Some(tag) = FrontendTag::from_u8(tag) else {
            return Err(DecodeError::Protocol(format!(
                "invalid frontend message type {}",
                buf[0]
            )));
        };
        let raw_len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]);
        let len = usize::try_from(raw_len).unwrap_or(0);
        if len < 4 {
            return Err(DecodeError::Protocol(format!(
                "invalid message length {raw_len}"
            )));
        }
        if len > max_len {
            return Err(DecodeError::Protocol(format!(
                "message of {len} bytes exceeds the limit of {max_len} bytes"
            )));
        }
        if buf.len() < len + 1 {
            buf.reserve(len + 1 - buf.len());
            return Ok(None);
        }
        let mut frame = buf.split_to(len + 1).freeze();
        frame.advance(5);
        Self::decode_body(tag, frame).map(Some)
    }

    /// Decodes a body whose tag and length are already known.
    pub fn decode_body(tag: FrontendTag, body: Bytes) -> Result<FrontendMessage, DecodeError> {
        let mut r = Reader::new(body);
        let msg = match tag {
            FrontendTag::Query => FrontendMessage::Query(r.cstr()?),
            FrontendTag::Parse => {
                let name = r.cstr()?;
                let sql = r.cstr()?;
                let n = r.count()?;
                let mut param_types = Vec::with_capacity(n.min(r.remaining() / 4));
                for _ in 0..n {
                    param_types.push(r.u32()?);
                }
                FrontendMessage::Parse {
                    name,
                    sql,
                    param_types,
                }
            }
            FrontendTag::Bind => {
                let portal = r.cstr()?;
                let statement = r.cstr()?;
                let param_formats = read_formats(&mut r)?;
                let n = r.count()?;
                let mut params = Vec::with_capacity(n.min(r.remaining() / 4));
                for _ in 0..n {
                    let len = r.i32()?;
                    params.push(match len {
                        -1 => None,
                        l if l < 0 => {
                            return Err(DecodeError::Protocol(format!(
                                "invalid parameter length {l}"
                            )));
                        }
                        // A non-negative i32 always fits in usize on our targets.
                        l => Some(r.bytes(l as usize)?),
                    });
                }
                let result_formats = read_formats(&mut r)?;
                FrontendMessage::Bind {
                    portal,
                    statement,
                    param_formats,
                    params,
                    result_formats,
                }
            }
            FrontendTag::Describe | FrontendTag::Close => {
                let kind = match r.u8()? {
                    b'S' => ObjectKind::Statement,
                    b'P' => ObjectKind::Portal,
                    other => {
                        let what = if tag == FrontendTag::Describe {
                            "Describe"
                        } else {
                            "Close"
                        };
                        return Err(DecodeError::Protocol(format!(
                            "invalid {what} message subtype {other}"
                        )));
                    }
                };
                let name = r.cstr()?;
                if tag == FrontendTag::Describe {
                    FrontendMessage::Describe { kind, name }
                } else {
                    FrontendMessage::Close { kind, name }
                }
            }
            FrontendTag::Execute => {
                let portal = r.cstr()?;
                let max_rows = r.i32()?;
                FrontendMessage::Execute { portal, max_rows }
            }
            FrontendTag::Sync => FrontendMessage::Sync,
            FrontendTag::Flush => FrontendMessage::Flush,
            FrontendTag::Terminate => FrontendMessage::Terminate,
            FrontendTag::CopyData => FrontendMessage::CopyData(r.rest()),
            FrontendTag::CopyDone => FrontendMessage::CopyDone,
            FrontendTag::CopyFail => FrontendMessage::CopyFail(r.cstr()?),
            FrontendTag::Password => FrontendMessage::Password(r.rest()),
            FrontendTag::FunctionCall => FrontendMessage::FunctionCall(r.rest()),
        };
        r.finish()?;
        Ok(msg)
    }

    /// Encodes the message (for clients, tests and fuzzing). Decoding the
    /// result gives back an equal message.
    pub fn encode(&self, out: &mut BytesMut) {
        let (tag, start) = (self.tag() as u8, out.len());
        out.put_u8(tag);
        out.put_i32(0);
        match self {
            FrontendMessage::Query(sql) => put_cstr(out, sql),
            FrontendMessage::Parse {
                name,
                sql,
                param_types,
            } => {
                put_cstr(out, name);
                put_cstr(out, sql);
                out.put_i16(param_types.len() as i16);
                for t in param_types {
                    out.put_u32(*t);
                }
            }
            FrontendMessage::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => {
                put_cstr(out, portal);
                put_cstr(out, statement);
                put_formats(out, param_formats);
                out.put_i16(params.len() as i16);
                for p in params {
                    match p {
                        None => out.put_i32(-1),
                        Some(b) => {
                            out.put_i32(b.len() as i32);
                            out.put_slice(b);
                        }
                    }
                }
                put_formats(out, result_formats);
            }
            FrontendMessage::Describe { kind, name } | FrontendMessage::Close { kind, name } => {
                out.put_u8(match kind {
                    ObjectKind::Statement => b'S',
                    ObjectKind::Portal => b'P',
                });
                put_cstr(out, name);
            }
            FrontendMessage::Execute { portal, max_rows } => {
                put_cstr(out, portal);
                out.put_i32(*max_rows);
            }
            FrontendMessage::Sync
            | FrontendMessage::Flush
            | FrontendMessage::Terminate
            | FrontendMessage::CopyDone => {}
            FrontendMessage::CopyData(b)
            | FrontendMessage::Password(b)
            | FrontendMessage::FunctionCall(b) => out.put_slice(b),
            FrontendMessage::CopyFail(m) => put_cstr(out, m),
        }
        let len = (out.len() - start - 1) as i32;
        out[start + 1..start + 5].copy_from_slice(&len.to_be_bytes());
    }

    /// The message's bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }

    /// This message's tag.
    pub fn tag(&self) -> FrontendTag {
        match self {
            FrontendMessage::Query(_) => FrontendTag::Query,
            FrontendMessage::Parse { .. } => FrontendTag::Parse,
            FrontendMessage::Bind { .. } => FrontendTag::Bind,
            FrontendMessage::Describe { .. } => FrontendTag::Describe,
            FrontendMessage::Execute { .. } => FrontendTag::Execute,
            FrontendMessage::Close { .. } => FrontendTag::Close,
            FrontendMessage::Sync => FrontendTag::Sync,
            FrontendMessage::Flush => FrontendTag::Flush,
            FrontendMessage::Terminate => FrontendTag::Terminate,
            FrontendMessage::CopyData(_) => FrontendTag::CopyData,
            FrontendMessage::CopyDone => FrontendTag::CopyDone,
            FrontendMessage::CopyFail(_) => FrontendTag::CopyFail,
            FrontendMessage::Password(_) => FrontendTag::Password,
            FrontendMessage::FunctionCall(_) => FrontendTag::FunctionCall,
        }
    }
}

fn read_formats(r: &mut Reader) -> Result<Vec<i16>, DecodeError> {
    let n = r.count()?;
    let mut v = Vec::with_capacity(n.min(r.remaining() / 2));
    for _ in 0..n {
        v.push(r.i16()?);
    }
    Ok(v)
}

fn put_formats(out: &mut BytesMut, formats: &[i16]) {
    out.put_i16(formats.len() as i16);
    for f in formats {
        out.put_i16(*f);
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
    fn bind_round_trip_at_every_cut() {
        let m = FrontendMessage::Bind {
            portal: "".into(),
            statement: "s1".into(),
            param_formats: vec![1],
            params: vec![Some(Bytes::from_static(&[0, 0, 0, 7])), None],
            result_formats: vec![1],
        };
        let bytes = m.to_bytes();
        for cut in 0..bytes.len() {
            let mut buf = BytesMut::from(&bytes[..cut]);
            assert_eq!(FrontendMessage::decode(&mut buf, 1 << 20), Ok(None));
        }
        let mut buf = BytesMut::from(&bytes[..]);
        assert_eq!(FrontendMessage::decode(&mut buf, 1 << 20), Ok(Some(m)));
    }

    #[test]
    fn oversized_and_negative_lengths_are_refused_before_buffering() {
        let mut buf = BytesMut::from(&[b'Q', 0x7f, 0xff, 0xff, 0xff][..]);
        assert!(FrontendMessage::decode(&mut buf, 1 << 20).is_err());
        let mut buf = BytesMut::from(&[b'Q', 0xff, 0xff, 0xff, 0xf0][..]);
        assert!(FrontendMessage::decode(&mut buf, 1 << 20).is_err());
        let mut buf = BytesMut::from(&[b'Q', 0, 0, 0, 3][..]);
        assert!(FrontendMessage::decode(&mut buf, 1 << 20).is_err());
    }

    #[test]
    fn invalid_utf8_is_an_encoding_error_not_fatal() {
        let mut body = BytesMut::new();
        body.put_slice(b"select '\xff'\0");
        let e = FrontendMessage::decode_body(FrontendTag::Query, body.freeze()).unwrap_err();
        assert!(
            matches!(e, DecodeError::Encoding(ref m) if m.contains("0xff")),
            "{e:?}"
        );
    }
}
