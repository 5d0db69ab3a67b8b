//! TLS inside the core, over in-memory buffers only: a rustls client and a
//! [`Connection`] exchange bytes through two `Vec`s, with certificates made
//! by rcgen for each run. These pin the state machine of `transport.rs` and
//! the encryption rules of `connection/startup.rs`: SSLRequest and direct
//! TLS (ALPN `postgresql`), plaintext smuggled behind an encryption request
//! (CVE-2021-23214), TLS required (FATAL 28000), broken TLS input.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use twill_protocol::message::frontend::FrontendMessage;
use twill_protocol::message::startup::{PROTOCOL_3_0, StartupPacket};
use twill_protocol::{
    AuthMethod, Backend, BackendKey, Batch, Call, CloseReason, Column, Config, Connection, Event,
    Output, Reply, TlsConfig, TxStatus, Users, drive,
};
use twill_types::{SqlState, Value};

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it.
struct Certs {
    ca: rustls::pki_types::CertificateDer<'static>,
    cert_pem: String,
    key_pem: String,
}

fn certs() -> Certs {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Distinct names: OpenSSL takes a leaf named like its issuer for self-signed.
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "twill test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca).unwrap();
    Certs {
        ca: ca.der().clone(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

fn server(certs: &Certs, required: bool) -> Arc<Config> {
    let tls = TlsConfig::from_pem(certs.cert_pem.as_bytes(), certs.key_pem.as_bytes())
        .unwrap()
        .require(required);
    Arc::new(Config {
        tls: Some(tls),
        ..Config::default()
    })
}

fn client(certs: &Certs, alpn: Option<&[u8]>) -> ClientConnection {
    let mut roots = RootCertStore::empty();
    roots.add(certs.ca.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.into_iter().map(<[u8]>::to_vec).collect();
    let name = ServerName::try_from("localhost").unwrap();
    ClientConnection::new(Arc::new(config), name).unwrap()
}

/// Every query returns one row, `hello`.
struct Hello;

impl Backend for Hello {
    fn call(&mut self, call: Call) -> Reply {
        match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Query(_) => Reply::Stream(Batch {
                outputs: vec![
                    Output::Columns(vec![Column::new("greeting", 25, -1)]),
                    Output::Rows(vec![vec![Value::Text("hello".into())]]),
                    Output::Complete("SELECT 1".into()),
                ],
                more: false,
                status: TxStatus::Idle,
            }),
            Call::Terminate => Reply::Closed,
            other => panic!("not used here: {other:?}"),
        }
    }
}

/// One server connection, driven synchronously against a backend
/// ([`Hello`] unless a test needs another).
struct Server<B: Backend = Hello> {
    conn: Connection,
    backend: B,
    events: Vec<Event>,
    now: Instant,
}

impl Server {
    fn new(config: Arc<Config>) -> Server {
        Server::with_backend(config, Hello)
    }
}

impl<B: Backend> Server<B> {
    fn with_backend(config: Arc<Config>, backend: B) -> Server<B> {
        let now = Instant::now();
        let key = BackendKey { pid: 7, secret: 9 };
        Server {
            conn: Connection::new(config, key, [3; 32], now),
            backend,
            events: Vec::new(),
            now,
        }
    }

    /// Socket bytes in, in chunks of `chunk` bytes; returns what the server sends.
    fn send(&mut self, bytes: &[u8], chunk: usize) -> Vec<u8> {
        for piece in bytes.chunks(chunk.max(1)) {
            self.feed(piece);
        }
        self.take()
    }

    /// Socket bytes in, without taking the output.
    fn feed(&mut self, bytes: &[u8]) {
        self.conn.handle_input(bytes, self.now);
        self.events
            .extend(drive(&mut self.conn, &mut self.backend, self.now));
    }

    fn take(&mut self) -> Vec<u8> {
        let out = self.conn.transmit().to_vec();
        self.conn.advance_transmit(out.len(), self.now);
        self.events
            .extend(drive(&mut self.conn, &mut self.backend, self.now));
        out
    }

    fn closed(&self) -> Option<&CloseReason> {
        self.events.iter().find_map(|e| match e {
            Event::Closed(reason) => Some(reason),
            _ => None,
        })
    }
}

/// Runs the TLS conversation until neither side has anything to send;
/// returns the plaintext the client received.
fn converse<B: Backend>(
    server: &mut Server<B>,
    client: &mut ClientConnection,
    chunk: usize,
) -> Vec<u8> {
    let mut received = Vec::new();
    for _ in 0..50 {
        let mut to_server = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut to_server).unwrap();
        }
        let to_client = server.send(&to_server, chunk);
        if to_server.is_empty() && to_client.is_empty() {
            break;
        }
        let mut input = &to_client[..];
        while !input.is_empty() {
            client.read_tls(&mut input).unwrap();
            let state = client.process_new_packets().unwrap();
            let mut plain = vec![0; state.plaintext_bytes_to_read()];
            client.reader().read_exact(&mut plain).unwrap();
            received.extend_from_slice(&plain);
        }
    }
    received
}

fn startup(user: &str) -> Vec<u8> {
    let params = vec![("user".into(), user.into())];
    StartupPacket::Startup {
        version: PROTOCOL_3_0,
        params,
    }
    .to_bytes()
    .to_vec()
}

fn query(sql: &str) -> Vec<u8> {
    let mut buf = BytesMut::new();
    FrontendMessage::Query(sql.into()).encode(&mut buf);
    buf.to_vec()
}

fn ssl_request() -> Vec<u8> {
    StartupPacket::SslRequest.to_bytes().to_vec()
}

/// Splits backend frames into (tag, body).
fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut v = Vec::new();
    while bytes.len() >= 5 {
        let len = u32::from_be_bytes(bytes[1..5].try_into().unwrap()) as usize;
        v.push((bytes[0], bytes[5..1 + len].to_vec()));
        bytes = &bytes[1 + len..];
    }
    assert!(bytes.is_empty(), "a partial frame: {bytes:?}");
    v
}

/// The fields of an ErrorResponse body, as (code, text).
fn error_fields(body: &[u8]) -> Vec<(char, String)> {
    body.split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| (f[0] as char, String::from_utf8_lossy(&f[1..]).into_owned()))
        .collect()
}

fn field(fields: &[(char, String)], code: char) -> &str {
    &fields.iter().find(|(c, _)| *c == code).unwrap().1
}

#[test]
fn ssl_request_then_handshake_then_a_query_in_any_chunking() {
    let certs = certs();
    for chunk in [usize::MAX, 1, 7, 1000] {
        let mut server = Server::new(server(&certs, false));
        assert_eq!(server.send(&ssl_request(), chunk), b"S");
        let mut client = client(&certs, None);
        client.writer().write_all(&startup("alice")).unwrap();
        client.writer().write_all(&query("select 'hello'")).unwrap();
        let plain = converse(&mut server, &mut client, chunk);
        assert!(server.conn.is_tls());
        let tags: Vec<u8> = frames(&plain).iter().map(|(t, _)| *t).collect();
        // AuthenticationOk, 13 × ParameterStatus, BackendKeyData, Z; T D C Z.
        assert_eq!(tags[0], b'R');
        assert_eq!(&tags[tags.len() - 5..], b"ZTDCZ", "chunk {chunk}");
        assert!(plain.windows(5).any(|w| w == b"hello"));
        assert_eq!(client.alpn_protocol(), None);
    }
}

#[test]
fn nothing_leaves_in_plaintext_after_the_s() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    server.send(&ssl_request(), usize::MAX);
    let mut client = client(&certs, None);
    client.writer().write_all(&startup("alice")).unwrap();
    client.writer().write_all(&query("select 'hello'")).unwrap();
    let mut wire = Vec::new();
    for _ in 0..10 {
        let mut to_server = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut to_server).unwrap();
        }
        let to_client = server.send(&to_server, usize::MAX);
        wire.extend_from_slice(&to_client);
        let mut input = &to_client[..];
        while !input.is_empty() {
            client.read_tls(&mut input).unwrap();
            client.process_new_packets().unwrap();
        }
    }
    assert!(!wire.is_empty());
    assert!(!wire.windows(5).any(|w| w == b"hello"));
    assert!(!wire.windows(5).any(|w| w == b"alice"));
}

#[test]
fn direct_tls_with_alpn_postgresql() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    let mut client = client(&certs, Some(b"postgresql"));
    client.writer().write_all(&startup("alice")).unwrap();
    client.writer().write_all(&query("select 'hello'")).unwrap();
    let plain = converse(&mut server, &mut client, usize::MAX);
    assert!(server.conn.is_tls());
    assert_eq!(client.alpn_protocol(), Some(&b"postgresql"[..]));
    assert!(plain.windows(5).any(|w| w == b"hello"));
}

#[test]
fn direct_tls_without_alpn_gets_no_server_hello() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    let mut client = client(&certs, None);
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    assert_eq!(hello[0], 0x16);
    let answer = server.send(&hello, usize::MAX);
    assert!(answer.is_empty(), "no ServerHello: {answer:?}");
    assert!(matches!(server.closed(), Some(CloseReason::Tls(m)) if m.contains("ALPN")));
}

#[test]
fn direct_tls_with_another_alpn_gets_an_alert() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    let mut client = client(&certs, Some(b"http/1.1"));
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    let answer = server.send(&hello, usize::MAX);
    // rustls picks ALPN with the encrypted extensions (TLS 1.3), so the
    // ServerHello leaves, followed by a fatal alert.
    let mut input = &answer[..];
    let mut failure = None;
    while !input.is_empty() && failure.is_none() {
        client.read_tls(&mut input).unwrap();
        failure = client.process_new_packets().err();
    }
    let failure = failure.expect("the client sees the alert").to_string();
    assert!(failure.contains("NoApplicationProtocol"), "{failure}");
    assert!(matches!(server.closed(), Some(CloseReason::Tls(_))));
}

#[test]
fn plaintext_behind_an_accepted_ssl_request_is_refused_after_the_handshake() {
    // PostgreSQL 15, measured: `S`, the handshake on what follows, then
    // FATAL 08P01 over TLS; the smuggled startup packet is never read.
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    let mut smuggled = ssl_request();
    smuggled.extend_from_slice(&startup("mallory"));
    assert_eq!(server.send(&smuggled, usize::MAX), b"S");
    let mut client = client(&certs, None);
    client.writer().write_all(&startup("alice")).unwrap();
    let plain = converse(&mut server, &mut client, usize::MAX);
    let frames = frames(&plain);
    assert_eq!(frames.len(), 1, "only the FATAL");
    assert_eq!(frames[0].0, b'E');
    let fields = error_fields(&frames[0].1);
    assert_eq!(field(&fields, 'S'), "FATAL");
    assert_eq!(field(&fields, 'C'), "08P01");
    assert_eq!(
        field(&fields, 'M'),
        "received unencrypted data after SSL request"
    );
    assert_eq!(
        field(&fields, 'D'),
        "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."
    );
    assert_eq!(
        server.closed(),
        Some(&CloseReason::Fatal(SqlState::PROTOCOL_VIOLATION))
    );
    assert!(!server.events.iter().any(|e| matches!(e, Event::Call(..))));
}

#[test]
fn plaintext_behind_a_declined_request_is_refused_at_once() {
    for (request, message) in [
        (
            StartupPacket::SslRequest,
            "received unencrypted data after SSL request",
        ),
        (
            StartupPacket::GssEncRequest,
            "received unencrypted data after GSSAPI encryption request",
        ),
    ] {
        let mut server = Server::new(Arc::new(Config::default()));
        let mut bytes = request.to_bytes().to_vec();
        bytes.extend_from_slice(&startup("mallory"));
        let out = server.send(&bytes, usize::MAX);
        assert_eq!(out[0], b'N');
        let frames = frames(&out[1..]);
        assert_eq!(frames.len(), 1);
        let fields = error_fields(&frames[0].1);
        assert_eq!(field(&fields, 'C'), "08P01");
        assert_eq!(field(&fields, 'M'), message);
        assert!(!server.events.iter().any(|e| matches!(e, Event::Call(..))));
    }
}

#[test]
fn gssenc_is_declined_even_with_tls() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    let out = server.send(&StartupPacket::GssEncRequest.to_bytes(), usize::MAX);
    assert_eq!(out, b"N");
    assert_eq!(server.send(&ssl_request(), usize::MAX), b"S");
}

#[test]
fn required_tls_refuses_a_plaintext_startup_with_28000() {
    let certs = certs();
    let mut server = Server::new(server(&certs, true));
    server
        .conn
        .set_peer_addr(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)));
    let out = server.send(&startup("bob"), usize::MAX);
    let frames = frames(&out);
    let fields = error_fields(&frames[0].1);
    assert_eq!(field(&fields, 'C'), "28000");
    assert_eq!(
        field(&fields, 'M'),
        "no pg_hba.conf entry for host \"127.0.0.1\", user \"bob\", database \"bob\", no encryption"
    );
    assert_eq!(
        server.closed(),
        Some(&CloseReason::Fatal(
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        ))
    );
}

#[test]
fn required_tls_accepts_an_encrypted_client() {
    let certs = certs();
    let mut server = Server::new(server(&certs, true));
    assert_eq!(server.send(&ssl_request(), usize::MAX), b"S");
    let mut client = client(&certs, None);
    client.writer().write_all(&startup("alice")).unwrap();
    client.writer().write_all(&query("select 'hello'")).unwrap();
    let plain = converse(&mut server, &mut client, usize::MAX);
    assert!(plain.windows(5).any(|w| w == b"hello"));
}

#[test]
fn garbage_instead_of_a_client_hello_closes_the_connection() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    assert_eq!(server.send(&ssl_request(), usize::MAX), b"S");
    let out = server.send(&startup("alice"), usize::MAX);
    assert!(matches!(server.closed(), Some(CloseReason::Tls(_))));
    // At most a TLS alert, never a protocol frame.
    assert!(out.is_empty() || out[0] == 0x15, "{out:?}");
    assert!(!server.conn.wants_read());
    assert_eq!(server.send(&query("select 1"), usize::MAX), b"");
}

#[test]
fn terminate_ends_with_close_notify() {
    let certs = certs();
    let mut server = Server::new(server(&certs, false));
    server.send(&ssl_request(), usize::MAX);
    let mut client = client(&certs, None);
    client.writer().write_all(&startup("alice")).unwrap();
    converse(&mut server, &mut client, usize::MAX);
    let mut terminate = BytesMut::new();
    FrontendMessage::Terminate.encode(&mut terminate);
    client.writer().write_all(&terminate).unwrap();
    let mut to_server = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut to_server).unwrap();
    }
    let out = server.send(&to_server, usize::MAX);
    assert_eq!(server.closed(), Some(&CloseReason::Terminated));
    let mut input = &out[..];
    while !input.is_empty() {
        client.read_tls(&mut input).unwrap();
    }
    let state = client.process_new_packets().unwrap();
    assert!(state.peer_has_closed(), "close_notify received");
}

/// The AuthenticationSASL mechanisms a SCRAM server offers to `alice`.
fn sasl_mechanisms(certs: &Certs, tls: bool) -> Vec<String> {
    let mut users = Users::new();
    users.insert_password("alice", "secret", [5; 16]);
    let config = Arc::new(Config {
        auth_method: AuthMethod::ScramSha256,
        credentials: Some(Arc::new(users)),
        ..(*server(certs, false)).clone()
    });
    let mut server = Server::new(config);
    let plain = if tls {
        server.send(&ssl_request(), usize::MAX);
        let mut client = client(certs, None);
        client.writer().write_all(&startup("alice")).unwrap();
        converse(&mut server, &mut client, usize::MAX)
    } else {
        server.send(&startup("alice"), usize::MAX)
    };
    let frames = frames(&plain);
    let (tag, body) = &frames[0];
    assert_eq!(*tag, b'R');
    assert_eq!(body[..4], 10u32.to_be_bytes(), "AuthenticationSASL");
    body[4..]
        .split(|b| *b == 0)
        .filter(|m| !m.is_empty())
        .map(|m| String::from_utf8(m.to_vec()).unwrap())
        .collect()
}

#[test]
fn scram_plus_is_offered_first_over_tls_only() {
    let certs = certs();
    assert_eq!(
        sasl_mechanisms(&certs, true),
        ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
    );
    assert_eq!(sasl_mechanisms(&certs, false), ["SCRAM-SHA-256"]);
}

#[test]
fn encryption_requests_inside_tls_are_repeated_requests() {
    let certs = certs();
    for request in [StartupPacket::SslRequest, StartupPacket::GssEncRequest] {
        let mut server = Server::new(server(&certs, false));
        assert_eq!(server.send(&ssl_request(), usize::MAX), b"S");
        let mut client = client(&certs, None);
        client.writer().write_all(&request.to_bytes()).unwrap();
        let plain = converse(&mut server, &mut client, usize::MAX);
        let frames = frames(&plain);
        assert_eq!(frames.len(), 1, "{request:?}: {frames:?}");
        assert_eq!(field(&error_fields(&frames[0].1), 'C'), "08P01");
    }
}

/// A result of five batches of 100 rows of 1 000 bytes: `Fetch` asks for
/// the next.
#[derive(Default)]
struct Rows {
    fetches: usize,
}

impl Rows {
    fn batch(&self, more: bool) -> Reply {
        let row = vec![Value::Text("x".repeat(1000))];
        let mut outputs = vec![Output::Rows(vec![row; 100])];
        if !more {
            outputs.push(Output::Complete("SELECT 500".into()));
        }
        Reply::Stream(Batch {
            outputs,
            more,
            status: TxStatus::Idle,
        })
    }
}

impl Backend for Rows {
    fn call(&mut self, call: Call) -> Reply {
        match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Query(_) => {
                let Reply::Stream(mut batch) = self.batch(true) else {
                    unreachable!()
                };
                batch
                    .outputs
                    .insert(0, Output::Columns(vec![Column::new("x", 25, -1)]));
                Reply::Stream(batch)
            }
            Call::Fetch => {
                self.fetches += 1;
                self.batch(self.fetches < 4)
            }
            Call::Terminate => Reply::Closed,
            other => panic!("not used here: {other:?}"),
        }
    }
}

#[test]
fn backpressure_counts_encrypted_output() {
    let certs = certs();
    let config = Arc::new(Config {
        output_high_water: 16 << 10,
        ..(*server(&certs, false)).clone()
    });
    let mut server = Server::with_backend(config, Rows::default());
    server.send(&ssl_request(), usize::MAX);
    let mut client = client(&certs, None);
    client.writer().write_all(&startup("alice")).unwrap();
    converse(&mut server, &mut client, usize::MAX);
    client.writer().write_all(&query("select x")).unwrap();
    let mut to_server = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut to_server).unwrap();
    }
    server.feed(&to_server);
    // The first batch (100 KB) is encrypted and waiting: no Fetch, no reads.
    assert_eq!(server.backend.fetches, 0);
    assert!(!server.conn.wants_read());
    assert!(server.conn.transmit().len() > 100_000);
    // Each time the client drains the output, one more batch is fetched.
    let mut wire = Vec::new();
    for fetched in 1..=4 {
        wire.extend(server.take());
        assert_eq!(server.backend.fetches, fetched);
    }
    wire.extend(server.take());
    assert!(server.conn.wants_read());
    let mut input = &wire[..];
    let mut plain = Vec::new();
    while !input.is_empty() {
        client.read_tls(&mut input).unwrap();
        let state = client.process_new_packets().unwrap();
        let mut chunk = vec![0; state.plaintext_bytes_to_read()];
        client.reader().read_exact(&mut chunk).unwrap();
        plain.extend(chunk);
    }
    let tags: Vec<u8> = frames(&plain).iter().map(|(t, _)| *t).collect();
    assert_eq!(tags.iter().filter(|t| **t == b'D').count(), 500);
    assert_eq!(&tags[tags.len() - 2..], b"CZ");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Arbitrary bytes at a TLS-enabled server — from the first byte (a
    /// random direct-TLS attempt when it is 0x16) or after an accepted
    /// SSLRequest — never panic, and after `S` nothing but TLS records (or
    /// nothing) comes back.
    #[test]
    fn arbitrary_bytes_never_panic_or_leak_plaintext(
        after_ssl in proptest::bool::ANY,
        mut bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
        direct in proptest::bool::ANY,
    ) {
        static CERTS: std::sync::OnceLock<Certs> = std::sync::OnceLock::new();
        let certs = CERTS.get_or_init(certs);
        if direct && !bytes.is_empty() {
            bytes[0] = 0x16;
        }
        let mut server = Server::new(server(certs, false));
        if after_ssl {
            proptest::prop_assert_eq!(server.send(&ssl_request(), usize::MAX), b"S".to_vec());
        }
        let out = server.send(&bytes, 37);
        if after_ssl || (direct && !bytes.is_empty()) {
            // TLS records start with a content type 20..=23.
            proptest::prop_assert!(out.is_empty() || (20..=23).contains(&out[0]), "{:?}", out);
        }
    }
}
