//! Fuzz harnesses with invariants, shared by the cargo-fuzz targets in
//! `fuzz/` and by ordinary tests that replay the checked-in seeds.
//!
//! Compiled only for tests and under `--cfg fuzzing` (which cargo-fuzz
//! sets), so none of this is part of the public API. Each harness takes raw
//! bytes and panics if an invariant breaks; "no panic" alone is never the
//! whole check.

pub mod connection;

use bytes::BytesMut;
use twill_types::{Format, FormatSettings, Value};

use crate::auth::{ScramExchange, ScramStep, ScramVerifier};
use crate::message::frontend::FrontendMessage;
use crate::message::startup::{MAX_STARTUP_PACKET, StartupPacket};

/// Arbitrary bytes as the first packet(s): each decode consumes a whole
/// packet or nothing, never more than it was given, and what it decodes
/// re-encodes to exactly the bytes consumed.
pub fn startup(data: &[u8]) {
    let mut buf = BytesMut::from(data);
    loop {
        let before = buf.clone();
        match StartupPacket::decode(&mut buf) {
            Ok(None) => {
                assert_eq!(buf, before, "a partial packet must not be consumed");
                break;
            }
            Ok(Some(packet)) => {
                let used = before.len() - buf.len();
                assert!(
                    (8..=MAX_STARTUP_PACKET).contains(&used),
                    "packet of {used} bytes"
                );
                assert_eq!(
                    &packet.to_bytes()[..],
                    &before[..used],
                    "re-encoding differs"
                );
            }
            Err(_) => break,
        }
    }
    // The same bytes as a connection's first input end in one of: nothing yet,
    // a one-byte SSL/GSS answer, an authentication request, or a FATAL.
    connection::first_input(data);
}

/// Arbitrary bytes as frontend messages: decoding consumes whole frames
/// only, and re-encoding a decoded message gives the bytes it came from.
pub fn frontend(data: &[u8]) {
    let mut buf = BytesMut::from(data);
    loop {
        let before = buf.clone();
        match FrontendMessage::decode(&mut buf, 1 << 16) {
            Ok(None) => {
                assert_eq!(
                    buf.len(),
                    before.len(),
                    "a partial frame must not be consumed"
                );
                break;
            }
            Ok(Some(msg)) => {
                let used = before.len() - buf.len();
                assert_eq!(&msg.to_bytes()[..], &before[..used], "re-encoding differs");
            }
            Err(_) => break,
        }
    }
}

/// Arbitrary client SASL messages against a real verifier: never success
/// without the password, only clean refusals.
pub fn scram(data: &[u8]) {
    static VERIFIER: std::sync::OnceLock<ScramVerifier> = std::sync::OnceLock::new();
    let verifier = VERIFIER
        .get_or_init(|| ScramVerifier::derive("secret", b"fuzz-salt-16byte", 4096))
        .clone();
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (first, fin) = rest.split_at((n as usize).min(rest.len()));
    let mut ex = ScramExchange::new(Some(verifier), [7; 18], b"seed", None);
    match ex.client_first(first, false) {
        ScramStep::Continue(server_first) => {
            let server_first = String::from_utf8(server_first).expect("server-first is ASCII");
            assert!(
                server_first.starts_with("r="),
                "server-first: {server_first}"
            );
            let step = ex.client_final(fin);
            assert!(
                matches!(step, ScramStep::Malformed(_) | ScramStep::Failed),
                "SCRAM accepted a proof made without the password: {step:?}"
            );
        }
        ScramStep::Malformed(_) => {}
        other => panic!("client-first answered with {other:?}"),
    }
}

/// The built-in types the `types` harness picks from.
const TYPES: [u32; 27] = [
    16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184, 1186,
    1700, 2205, 2206, 2950, 3802, 1007, 1009, 1000,
];

/// Arbitrary bytes through every type's text and binary input: decoding
/// never panics, and decode → encode → decode → encode is stable.
pub fn types(data: &[u8]) {
    let (Some(&t), Some(&f)) = (data.first(), data.get(1)) else {
        return;
    };
    let ty = TYPES[t as usize % TYPES.len()];
    let format = if f % 2 == 0 {
        Format::Text
    } else {
        Format::Binary
    };
    let settings = FormatSettings::default();
    let Ok(value) = Value::decode(ty, format, &data[2..], &settings) else {
        return;
    };
    let mut once = Vec::new();
    value.encode(format, &settings, &mut once);
    let again = Value::decode(ty, format, &once, &settings)
        .unwrap_or_else(|e| panic!("our own {format:?} output of type {ty} does not parse: {e:?}"));
    let mut twice = Vec::new();
    again.encode(format, &settings, &mut twice);
    assert_eq!(
        once, twice,
        "type {ty} {format:?}: encode/decode is not stable"
    );
}

#[cfg(test)]
mod replay;
