//! The `tls-server-end-point` channel binding (RFC 5929 §4.1): a hash of
//! our own certificate, which SCRAM-SHA-256-PLUS mixes into the proof so a
//! man in the middle with another certificate cannot relay a login.
//!
//! The hash function is the one the certificate's signature uses, except
//! that MD5 and SHA-1 are replaced by SHA-256. That needs exactly one field
//! of the certificate, the outer `signatureAlgorithm` OID, so this reads
//! just enough DER to find it:
//!
//! ```text
//! Certificate ::= SEQUENCE {
//!     tbsCertificate       SEQUENCE { … },        -- skipped
//!     signatureAlgorithm   SEQUENCE { OID, … },   -- this OID
//!     signatureValue       BIT STRING }
//! ```
//!
//! Algorithms without a single hash (Ed25519, RSA-PSS) give `None`: the
//! server then does not offer SCRAM-SHA-256-PLUS at all.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// DER OIDs (content bytes) of the signature algorithms we can bind to,
/// with the hash RFC 5929 asks for.
const ALGORITHMS: &[(&[u8], Hash)] = &[
    // md5WithRSAEncryption, sha1WithRSAEncryption, ecdsa-with-SHA1 → SHA-256
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04],
        Hash::Sha256,
    ),
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
        Hash::Sha256,
    ),
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01], Hash::Sha256),
    // sha256/384/512WithRSAEncryption
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
        Hash::Sha256,
    ),
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c],
        Hash::Sha384,
    ),
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d],
        Hash::Sha512,
    ),
    // ecdsa-with-SHA256/384/512
    (
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
        Hash::Sha256,
    ),
    (
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],
        Hash::Sha384,
    ),
    (
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],
        Hash::Sha512,
    ),
];

#[derive(Debug, Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The `tls-server-end-point` binding data for a DER certificate, or None
/// if its signature algorithm has no RFC 5929 hash (or the DER is bad).
pub(crate) fn server_end_point(certificate: &[u8]) -> Option<Vec<u8>> {
    let oid = signature_algorithm(certificate)?;
    let (_, hash) = ALGORITHMS.iter().find(|(known, _)| *known == oid)?;
    Some(match hash {
        Hash::Sha256 => Sha256::digest(certificate).to_vec(),
        Hash::Sha384 => Sha384::digest(certificate).to_vec(),
        Hash::Sha512 => Sha512::digest(certificate).to_vec(),
    })
}

/// The content bytes of the outer signatureAlgorithm OID.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = element(der, 0x30)?;
    let (_tbs, rest) = element(certificate, 0x30)?;
    let (algorithm, _) = element(rest, 0x30)?;
    let (oid, _) = element(algorithm, 0x06)?;
    Some(oid)
}

/// One DER element with tag `tag` at the start of `der`: its content and
/// what follows it.
fn element(der: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = der.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, rest) = rest.split_first()?;
    let (len, rest) = if len_byte < 0x80 {
        (usize::from(len_byte), rest)
    } else {
        // Long form: the low bits say how many length bytes follow.
        let n = usize::from(len_byte & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_has_no_end_point() {
        assert_eq!(server_end_point(b""), None);
        assert_eq!(server_end_point(b"\x30\x84\xff\xff\xff\xff"), None);
        assert_eq!(server_end_point(b"\x30\x03\x30\x01\x00"), None);
    }

    #[test]
    fn finds_the_outer_algorithm() {
        // SEQUENCE { SEQUENCE {} (tbs), SEQUENCE { OID ecdsa-with-SHA384 }, BIT STRING }
        let cert = [
            0x30, 0x12, 0x30, 0x00, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
            0x03, 0x03, 0x03, 0x02, 0x00, 0x00,
        ];
        assert_eq!(server_end_point(&cert), Some(Sha384::digest(cert).to_vec()));
    }
}
