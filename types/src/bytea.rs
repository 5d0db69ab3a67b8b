//! `bytea` text I/O: the hex form (`\x0102`, the default output) and the
//! older escape form (`\001\\a`), both accepted on input as PostgreSQL does.

use crate::settings::ByteaOutput;
use crate::{SqlState, TypeError};

/// `bytea` text output.
pub(crate) fn format(bytes: &[u8], style: ByteaOutput, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match style {
        ByteaOutput::Hex => {
            out.reserve(2 + bytes.len() * 2);
            out.extend_from_slice(b"\\x");
            for &b in bytes {
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
        }
        ByteaOutput::Escape => {
            for &b in bytes {
                if b == b'\\' {
                    out.extend_from_slice(b"\\\\");
                } else if !(0x20..=0x7e).contains(&b) {
                    out.push(b'\\');
                    out.push(b'0' + (b >> 6));
                    out.push(b'0' + ((b >> 3) & 7));
                    out.push(b'0' + (b & 7));
                } else {
                    out.push(b);
                }
            }
        }
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `bytea` text input (`byteain`).
pub(crate) fn parse(input: &[u8]) -> Result<Vec<u8>, TypeError> {
    if let Some(hex) = input.strip_prefix(b"\\x") {
        let mut out = Vec::with_capacity(hex.len() / 2);
        let mut i = 0;
        while i < hex.len() {
            let c = hex[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let bad_digit = |c: u8| {
                TypeError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid hexadecimal digit: \"{}\"",
                        String::from_utf8_lossy(&[c])
                    ),
                )
            };
            let hi = hex_value(c).ok_or_else(|| bad_digit(c))?;
            let Some(&c2) = hex.get(i + 1) else {
                return Err(TypeError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "invalid hexadecimal data: odd number of digits",
                ));
            };
            let lo = hex_value(c2).ok_or_else(|| bad_digit(c2))?;
            out.push(hi << 4 | lo);
            i += 2;
        }
        return Ok(out);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'\\' {
            out.push(input[i]);
            i += 1;
        } else if input.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if let Some(&[a, b, c]) = input
            .get(i + 1..i + 4)
            .and_then(|s| <&[u8; 3]>::try_from(s).ok())
            && (b'0'..=b'3').contains(&a)
            && (b'0'..=b'7').contains(&b)
            && (b'0'..=b'7').contains(&c)
        {
            out.push((a - b'0') << 6 | (b - b'0') << 3 | (c - b'0'));
            i += 4;
        } else {
            return Err(TypeError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type bytea",
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let mut out = Vec::new();
        format(&[1, 2, 0xff], ByteaOutput::Hex, &mut out);
        assert_eq!(out, b"\\x0102ff");
        let mut out = Vec::new();
        format(b"a\\\x00\xff", ByteaOutput::Escape, &mut out);
        assert_eq!(out, b"a\\\\\\000\\377");
        assert_eq!(parse(b"\\x01 02FF").unwrap(), vec![1, 2, 0xff]);
        assert_eq!(parse(b"a\\\\\\000\\377").unwrap(), b"a\\\x00\xff");
        assert!(parse(b"\\x0").is_err());
        assert!(parse(b"\\xzz").is_err());
        assert!(parse(b"\\9").is_err());
    }
}
