//! A bounds-checked cursor over one frame's body.

use bytes::Bytes;

use super::DecodeError;

/// Reads the fields of one message body. Every read checks the remaining
/// length, so a lying length field ends in a [`DecodeError`], never a panic
/// or a read past the frame.
pub(crate) struct Reader {
    buf: Bytes,
}

impl Reader {
    pub(crate) fn new(buf: Bytes) -> Reader {
        Reader { buf }
    }

    fn short(&self) -> DecodeError {
        DecodeError::Protocol("insufficient data left in message".into())
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.first().ok_or_else(|| self.short())?;
        self.buf = self.buf.slice(1..);
        Ok(b)
    }

    pub(crate) fn i16(&mut self) -> Result<i16, DecodeError> {
        let b = self.bytes(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, DecodeError> {
        let b = self.bytes(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(self.i32()? as u32)
    }

    /// The next `n` bytes, zero-copy.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        if n > self.buf.len() {
            return Err(self.short());
        }
        Ok(self.buf.split_to(n))
    }

    /// A count read as i16 that must not be negative.
    pub(crate) fn count(&mut self) -> Result<usize, DecodeError> {
        let n = self.i16()?;
        usize::try_from(n).map_err(|_| DecodeError::Protocol(format!("invalid count {n}")))
    }

    /// A NUL-terminated string, as raw bytes (without the NUL).
    pub(crate) fn cstr_bytes(&mut self) -> Result<Bytes, DecodeError> {
        let end = memchr::memchr(0, &self.buf)
            .ok_or_else(|| DecodeError::Protocol("invalid string in message".into()))?;
        let s = self.buf.split_to(end);
        self.buf = self.buf.slice(1..);
        Ok(s)
    }

    /// A NUL-terminated UTF-8 string.
    pub(crate) fn cstr(&mut self) -> Result<String, DecodeError> {
        let raw = self.cstr_bytes()?;
        utf8(raw)
    }

    /// Everything that is left.
    pub(crate) fn rest(&mut self) -> Bytes {
        std::mem::take(&mut self.buf)
    }

    /// Fails unless the body has been read to its end.
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Protocol("invalid message format".into()))
        }
    }
}

/// Bytes as a UTF-8 string, with PostgreSQL's wording for the failure.
pub(crate) fn utf8(raw: Bytes) -> Result<String, DecodeError> {
    match String::from_utf8(raw.to_vec()) {
        Ok(s) => Ok(s),
        Err(e) => {
            let bad = &raw[e.utf8_error().valid_up_to()..];
            let shown: Vec<String> = bad.iter().take(2).map(|b| format!("0x{b:02x}")).collect();
            Err(DecodeError::Encoding(format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                shown.join(" ")
            )))
        }
    }
}
