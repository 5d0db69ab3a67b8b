//! `uuid` text I/O: lowercase hyphenated output; input with or without
//! hyphens (between any groups of four digits) and braces, as PostgreSQL's
//! `uuid_in` accepts.

use crate::TypeError;

/// `uuid` text output: `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`.
pub(crate) fn format(u: &[u8; 16], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, &b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push(b'-');
        }
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

/// `uuid` text input.
pub(crate) fn parse(s: &str) -> Result<[u8; 16], TypeError> {
    let bad = || TypeError::invalid_syntax("uuid", s);
    let b = s.as_bytes();
    let body = match (b.first(), b.last()) {
        (Some(b'{'), Some(b'}')) if b.len() >= 2 => &b[1..b.len() - 1],
        _ => b,
    };
    let mut out = [0u8; 16];
    let mut n = 0; // hex digits read
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c == b'-' {
            // A hyphen may follow any group of four digits, never lead or trail.
            if n == 0 || n % 4 != 0 || n == 32 || i + 1 == body.len() || body[i + 1] == b'-' {
                return Err(bad());
            }
            i += 1;
            continue;
        }
        let v = (c as char).to_digit(16).ok_or_else(bad)? as u8;
        if n >= 32 {
            return Err(bad());
        }
        out[n / 2] |= if n % 2 == 0 { v << 4 } else { v };
        n += 1;
        i += 1;
    }
    if n != 32 {
        return Err(bad());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let want = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        for input in [
            want,
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
            "{a0eebc999c0b4ef8bb6d6bb9bd380a11}",
        ] {
            let mut out = Vec::new();
            format(&parse(input).unwrap(), &mut out);
            assert_eq!(out, want.as_bytes(), "{input}");
        }
        for bad in [
            "",
            "a0eebc99",
            "-a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc999c0b4ef8bb6d6bb9bd380a1g",
            "a0e-ebc999c0b4ef8bb6d6bb9bd380a11",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
