//! SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, and
//! SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding over TLS
//! (RFC 5929; the binding data is a hash of our certificate, see
//! `tls/end_point.rs`).
//!
//! ```text
//!  client                                   server
//!  SASLInitialResponse  n,,n=…,r=cnonce  ──►
//!                      ◄── SASLContinue  r=cnonce‖snonce,s=salt,i=4096
//!  SASLResponse  c=biws,r=…,p=proof      ──►
//!                      ◄── SASLFinal     v=server-signature
//!                      ◄── AuthenticationOk
//! ```
//!
//! With PLUS the client's gs2 header is `p=tls-server-end-point,,` and its
//! `c=` attribute must be base64(gs2 header ‖ binding data): a man in the
//! middle terminating TLS with another certificate cannot produce it. As in
//! PostgreSQL, a client that says `y` ("I support channel binding but think
//! you do not") while we offer it is refused: that is a downgrade.
//!
//! The user name in client-first is ignored (clients send `n=`, `n=*` or
//! the user): the startup packet's `user` is authoritative, as in
//! PostgreSQL. The client nonce is treated as an opaque printable string
//! (pgjdbc's contains characters outside base64).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// PostgreSQL's default `scram_iterations`.
pub(crate) const DEFAULT_ITERATIONS: u32 = 4096;

/// A SCRAM-SHA-256 verifier: what the server stores instead of a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramVerifier {
    /// PBKDF2 iteration count.
    pub iterations: u32,
    /// The salt.
    pub salt: Vec<u8>,
    /// H(ClientKey): checks the client's proof.
    pub stored_key: [u8; 32],
    /// HMAC(SaltedPassword, "Server Key"): signs the server's answer.
    pub server_key: [u8; 32],
}

impl ScramVerifier {
    /// Derives a verifier from a password (runs PBKDF2 `iterations` times).
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> ScramVerifier {
        let salted = salted_password(password, salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        ScramVerifier {
            iterations,
            salt: salt.to_vec(),
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac(&salted, b"Server Key"),
        }
    }

    /// Parses PostgreSQL's stored form
    /// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts).
    pub fn parse(s: &str) -> Option<ScramVerifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        Some(ScramVerifier {
            iterations: iterations.parse().ok().filter(|&i| i > 0)?,
            salt: B64.decode(salt).ok()?,
            stored_key: B64.decode(stored).ok()?.try_into().ok()?,
            server_key: B64.decode(server).ok()?.try_into().ok()?,
        })
    }

    /// Checks a cleartext password against the verifier.
    pub fn matches_password(&self, password: &str) -> bool {
        let salted = salted_password(password, &self.salt, self.iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored: [u8; 32] = Sha256::digest(client_key).into();
        super::constant_time_eq(&stored, &self.stored_key)
    }
}

impl std::fmt::Display for ScramVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            B64.encode(&self.salt),
            B64.encode(self.stored_key),
            B64.encode(self.server_key)
        )
    }
}

fn salted_password(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    // SASLprep is the identity for the ASCII passwords clients send; a
    // non-ASCII password is used as its UTF-8 bytes, as PostgreSQL does when
    // normalisation is not possible.
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut out);
    out
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// What the exchange wants next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScramStep {
    /// Send SASLContinue with this payload and wait for the client-final message.
    Continue(Vec<u8>),
    /// Proof checked: send SASLFinal with this payload, then AuthenticationOk.
    Done(Vec<u8>),
    /// The client's message is malformed (FATAL 08P01).
    Malformed(&'static str),
    /// The proof is wrong or the user does not exist (FATAL 28P01).
    Failed,
}

/// The server side of one SCRAM exchange.
#[derive(Debug)]
pub(crate) struct ScramExchange {
    /// The real verifier, or a mock one for an unknown user (always fails).
    verifier: ScramVerifier,
    /// False for the mock exchange of an unknown user.
    real: bool,
    /// Our half of the nonce (printable base64).
    server_nonce: String,
    /// `tls-server-end-point` data when the connection is TLS and the
    /// certificate allows it: SCRAM-SHA-256-PLUS is on offer.
    channel_binding: Option<Vec<u8>>,
    /// Set after client-first: (expected `c=` bytes, client-first-bare,
    /// server-first, full nonce).
    first: Option<(Vec<u8>, String, String, String)>,
}

impl ScramExchange {
    /// Starts an exchange. `verifier` None runs the mock exchange with a
    /// salt derived from `mock_seed`, so repeated probes look consistent.
    /// `channel_binding` is the `tls-server-end-point` data, on TLS only.
    pub(crate) fn new(
        verifier: Option<ScramVerifier>,
        nonce: [u8; 18],
        mock_seed: &[u8],
        channel_binding: Option<Vec<u8>>,
    ) -> Self {
        let real = verifier.is_some();
        let verifier = verifier.unwrap_or_else(|| {
            let salt = Sha256::digest(mock_seed)[..16].to_vec();
            ScramVerifier {
                iterations: DEFAULT_ITERATIONS,
                salt,
                stored_key: [0; 32],
                server_key: [0; 32],
            }
        });
        ScramExchange {
            verifier,
            real,
            server_nonce: B64.encode(nonce),
            channel_binding,
            first: None,
        }
    }

    /// Whether SCRAM-SHA-256-PLUS is offered (and so advertised).
    pub(crate) fn offers_plus(&self) -> bool {
        self.channel_binding.is_some()
    }

    /// Handles the SASLInitialResponse payload (client-first-message);
    /// `plus` says the client chose SCRAM-SHA-256-PLUS.
    pub(crate) fn client_first(&mut self, data: &[u8], plus: bool) -> ScramStep {
        let Ok(msg) = std::str::from_utf8(data) else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        // gs2-header: cbind-flag "," [authzid] ","
        let mut parts = msg.splitn(3, ',');
        let (Some(cbind), Some(authzid), Some(bare)) = (parts.next(), parts.next(), parts.next())
        else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        // PostgreSQL's rules (read_client_first_message), with its messages.
        let binding: &[u8] = match (cbind, plus) {
            ("n" | "y", true) => return ScramStep::Malformed("malformed SCRAM message"),
            ("y", false) if self.offers_plus() => {
                return ScramStep::Malformed("SCRAM channel binding negotiation error");
            }
            ("n" | "y", false) => &[],
            ("p=tls-server-end-point", true) => match &self.channel_binding {
                Some(data) => data,
                None => return ScramStep::Malformed("malformed SCRAM message"),
            },
            (c, true) if c.starts_with("p=") => {
                return ScramStep::Malformed("unsupported SCRAM channel-binding type");
            }
            (c, false) if c.starts_with("p=") => {
                return ScramStep::Malformed(
                    "channel binding is not supported without TLS (SCRAM-SHA-256-PLUS)",
                );
            }
            _ => return ScramStep::Malformed("malformed SCRAM message"),
        };
        if !authzid.is_empty() && !authzid.starts_with("a=") {
            return ScramStep::Malformed("malformed SCRAM message");
        }
        // client-first-bare: [reserved-mext ","] "n=" user "," "r=" nonce ["," ext]
        let mut nonce = None;
        let mut saw_user = false;
        for attr in bare.split(',') {
            if let Some(u) = attr.strip_prefix("n=") {
                let _ignored_user = u;
                saw_user = true;
            } else if let Some(r) = attr.strip_prefix("r=") {
                nonce = Some(r);
            } else if attr.starts_with("m=") {
                return ScramStep::Malformed("unsupported SCRAM extension");
            } else if attr.len() < 2 || attr.as_bytes()[1] != b'=' {
                return ScramStep::Malformed("malformed SCRAM message");
            }
        }
        let Some(client_nonce) = nonce.filter(|n| !n.is_empty() && saw_user) else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        if !client_nonce
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
        {
            return ScramStep::Malformed("malformed SCRAM message");
        }
        let full_nonce = format!("{client_nonce}{}", self.server_nonce);
        let server_first = format!(
            "r={full_nonce},s={},i={}",
            B64.encode(&self.verifier.salt),
            self.verifier.iterations
        );
        let mut expected_c = format!("{cbind},{authzid},").into_bytes();
        expected_c.extend_from_slice(binding);
        self.first = Some((
            expected_c,
            bare.to_string(),
            server_first.clone(),
            full_nonce,
        ));
        ScramStep::Continue(server_first.into_bytes())
    }

    /// Handles the SASLResponse payload (client-final-message).
    pub(crate) fn client_final(&mut self, data: &[u8]) -> ScramStep {
        let Some((expected_c, bare, server_first, full_nonce)) = self.first.take() else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        let Ok(msg) = std::str::from_utf8(data) else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        let Some((without_proof, proof)) = msg.rsplit_once(",p=") else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        let mut channel = None;
        let mut nonce = None;
        for attr in without_proof.split(',') {
            if let Some(c) = attr.strip_prefix("c=") {
                channel = Some(c);
            } else if let Some(r) = attr.strip_prefix("r=") {
                nonce = Some(r);
            }
        }
        let (Some(channel), Some(nonce)) = (channel, nonce) else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        if B64.decode(channel).ok().as_deref() != Some(&expected_c[..]) {
            return ScramStep::Malformed("SCRAM channel binding check failed");
        }
        if nonce != full_nonce {
            return ScramStep::Malformed("malformed SCRAM message: nonce does not match");
        }
        let Ok(proof) = B64.decode(proof) else {
            return ScramStep::Malformed("malformed SCRAM message");
        };
        if proof.len() != 32 {
            return ScramStep::Malformed("malformed SCRAM message");
        }
        let auth_message = format!("{bare},{server_first},{without_proof}");
        let signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        let stored: [u8; 32] = Sha256::digest(&client_key).into();
        if !self.real || !super::constant_time_eq(&stored, &self.verifier.stored_key) {
            return ScramStep::Failed;
        }
        let server_signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        ScramStep::Done(format!("v={}", B64.encode(server_signature)).into_bytes())
    }
}

/// Client side of SCRAM, for tests: the client-final message for a password.
#[cfg(test)]
pub(crate) fn client_final_for(
    password: &str,
    client_first_bare: &str,
    server_first: &str,
    channel: &[u8],
) -> String {
    let mut salt = None;
    let mut iterations = None;
    let mut nonce = None;
    for attr in server_first.split(',') {
        if let Some(s) = attr.strip_prefix("s=") {
            salt = B64.decode(s).ok();
        } else if let Some(i) = attr.strip_prefix("i=") {
            iterations = i.parse().ok();
        } else if let Some(r) = attr.strip_prefix("r=") {
            nonce = Some(r.to_string());
        }
    }
    let (salt, iterations, nonce) = (salt.unwrap(), iterations.unwrap(), nonce.unwrap());
    let salted = salted_password(password, &salt, iterations);
    let client_key = hmac(&salted, b"Client Key");
    let stored: [u8; 32] = Sha256::digest(client_key).into();
    let without_proof = format!("c={},r={nonce}", B64.encode(channel));
    let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
    let signature = hmac(&stored, auth_message.as_bytes());
    let proof: Vec<u8> = client_key
        .iter()
        .zip(signature)
        .map(|(k, s)| k ^ s)
        .collect();
    format!("{without_proof},p={}", B64.encode(proof))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(password: &str, stored: Option<ScramVerifier>) -> ScramStep {
        let mut ex = ScramExchange::new(stored, [7; 18], b"mock", None);
        let bare = "n=*,r={X'M=\"n(-RR7;";
        let ScramStep::Continue(server_first) =
            ex.client_first(format!("n,,{bare}").as_bytes(), false)
        else {
            panic!("client-first refused");
        };
        let server_first = String::from_utf8(server_first).unwrap();
        let fin = client_final_for(password, bare, &server_first, b"n,,");
        ex.client_final(fin.as_bytes())
    }

    /// A PLUS exchange where the client binds to `client_sees`.
    fn run_plus(server_has: &[u8], client_sees: &[u8]) -> ScramStep {
        let v = ScramVerifier::derive("secret", b"0123456789abcdef", 4096);
        let mut ex = ScramExchange::new(Some(v), [7; 18], b"mock", Some(server_has.to_vec()));
        let gs2 = "p=tls-server-end-point,,";
        let bare = "n=,r=abcdef";
        let ScramStep::Continue(server_first) =
            ex.client_first(format!("{gs2}{bare}").as_bytes(), true)
        else {
            panic!("client-first refused");
        };
        let server_first = String::from_utf8(server_first).unwrap();
        let channel = [gs2.as_bytes(), client_sees].concat();
        let fin = client_final_for("secret", bare, &server_first, &channel);
        ex.client_final(fin.as_bytes())
    }

    #[test]
    fn channel_binding_must_match_our_certificate() {
        assert!(matches!(
            run_plus(b"our hash", b"our hash"),
            ScramStep::Done(_)
        ));
        assert_eq!(
            run_plus(b"our hash", b"a relay's hash"),
            ScramStep::Malformed("SCRAM channel binding check failed")
        );
    }

    #[test]
    fn channel_binding_negotiation_rules() {
        let offered = || ScramExchange::new(None, [1; 18], b"m", Some(b"h".to_vec()));
        // `y` while we offer PLUS: a downgrade.
        assert_eq!(
            offered().client_first(b"y,,n=,r=abc", false),
            ScramStep::Malformed("SCRAM channel binding negotiation error")
        );
        // PLUS chosen but no binding in the message.
        assert!(matches!(
            offered().client_first(b"n,,n=,r=abc", true),
            ScramStep::Malformed(_)
        ));
        assert_eq!(
            offered().client_first(b"p=tls-unique,,n=,r=abc", true),
            ScramStep::Malformed("unsupported SCRAM channel-binding type")
        );
        // Plain SCRAM with `n` is still fine over TLS.
        assert!(matches!(
            offered().client_first(b"n,,n=,r=abc", false),
            ScramStep::Continue(_)
        ));
        // Without TLS `y` is an honest "neither of us binds".
        let plain = ScramExchange::new(None, [1; 18], b"m", None);
        let mut plain = plain;
        assert!(matches!(
            plain.client_first(b"y,,n=,r=abc", false),
            ScramStep::Continue(_)
        ));
    }

    #[test]
    fn right_password_passes_wrong_and_unknown_fail() {
        let v = ScramVerifier::derive("secret", b"0123456789abcdef", 4096);
        assert!(matches!(run("secret", Some(v.clone())), ScramStep::Done(_)));
        assert_eq!(run("wrong", Some(v)), ScramStep::Failed);
        assert_eq!(run("secret", None), ScramStep::Failed);
    }

    #[test]
    fn verifier_text_form_round_trips() {
        let v = ScramVerifier::derive("pw", b"saltsaltsaltsalt", 4096);
        assert_eq!(ScramVerifier::parse(&v.to_string()), Some(v.clone()));
        assert!(v.matches_password("pw"));
        assert!(!v.matches_password("pw2"));
    }

    #[test]
    fn postgres_stored_verifier_accepts_its_password() {
        // Made by PostgreSQL 15: SET password_encryption='scram-sha-256';
        // CREATE ROLE r PASSWORD 'secret'; SELECT rolpassword FROM pg_authid ...
        // (regenerated here with the same algorithm and a fixed salt).
        let v = ScramVerifier::derive("secret", &[1u8; 16], 4096);
        let parsed = ScramVerifier::parse(&v.to_string()).unwrap();
        assert!(parsed.matches_password("secret"));
    }

    #[test]
    fn malformed_messages_are_refused() {
        let mut ex = ScramExchange::new(None, [1; 18], b"m", None);
        for bad in [
            "",
            "x,,n=,r=a",
            "n,,r=",
            "p=tls-server-end-point,,n=,r=abc",
            "n,,n=,r=a,b",
        ] {
            assert!(
                matches!(
                    ex.client_first(bad.as_bytes(), false),
                    ScramStep::Malformed(_)
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            ex.client_final(b"c=biws"),
            ScramStep::Malformed(_)
        ));
    }
}
