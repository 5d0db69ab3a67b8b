//! TLS end to end: the protocol core encrypts by itself, so every runtime
//! serves TLS with no code of its own. Certificates (a CA and a server
//! certificate for 127.0.0.1 and localhost) are made by rcgen for each test
//! and written to a temporary directory for `--tls-cert`/`--tls-key`.
//!
//! Clients: psql with `sslmode=require` and `verify-full`, tokio-postgres
//! over rustls (`tokio-postgres-rustls`), and a raw rustls client for what no
//! driver does on purpose: direct TLS (ALPN `postgresql`, PostgreSQL 17's
//! `sslnegotiation=direct`) and plaintext smuggled behind an SSLRequest.

use ::std::io::{Read, Write};
use ::std::net::TcpStream;
use ::std::path::PathBuf;
use ::std::process::Command;
use ::std::sync::Arc;
use ::std::sync::atomic::{AtomicU32, Ordering};
use ::std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::{
    Server, block_on, conninfo, describe, psql_base, run, server_command, with_server_args,
};

/// PEM files for one test server, removed on drop.
struct TlsFiles {
    dir: PathBuf,
    ca: CertificateDer<'static>,
}

impl TlsFiles {
    fn new(runtime: &str) -> TlsFiles {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = ::std::env::temp_dir().join(format!(
            "twill-tls-{}-{runtime}-{}",
            ::std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        ::std::fs::create_dir_all(&dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Distinct names: OpenSSL takes a leaf named like its issuer for self-signed.
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "twill test CA");
        // Distinct names: OpenSSL takes a leaf named like its issuer for self-signed.
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "twill test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        ::std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
        ::std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
        ::std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
        TlsFiles {
            dir,
            ca: ca.der().clone(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// The server flags, with `--tls-mode mode`.
    fn flags(&self, mode: &str) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.path("server.pem"),
            "--tls-key".into(),
            self.path("server.key"),
            "--tls-mode".into(),
            mode.into(),
        ]
    }

    /// A rustls client configuration that trusts our CA (ring provider).
    fn client_config(&self, alpn: Option<&[u8]>) -> ClientConfig {
        let mut roots = RootCertStore::empty();
        roots.add(self.ca.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.into_iter().map(<[u8]>::to_vec).collect();
        config
    }

    /// A raw rustls client over a fresh TCP connection to `port`.
    fn raw_client(
        &self,
        port: u16,
        alpn: Option<&[u8]>,
    ) -> StreamOwned<ClientConnection, TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        self.tls_over(tcp, alpn)
    }

    fn tls_over(
        &self,
        tcp: TcpStream,
        alpn: Option<&[u8]>,
    ) -> StreamOwned<ClientConnection, TcpStream> {
        let name = ServerName::try_from("127.0.0.1").unwrap();
        let conn = ClientConnection::new(Arc::new(self.client_config(alpn)), name).unwrap();
        StreamOwned::new(conn, tcp)
    }
}

impl Drop for TlsFiles {
    fn drop(&mut self) {
        let _ = ::std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a TLS server and runs `body(port, files)` on it.
fn with_tls_server(runtime: &str, mode: &str, body: impl FnOnce(u16, &TlsFiles) + Send + 'static) {
    with_tls_server_args(runtime, mode, &[], body)
}

/// [`with_tls_server`] with more server flags.
fn with_tls_server_args(
    runtime: &str,
    mode: &str,
    extra: &[&str],
    body: impl FnOnce(u16, &TlsFiles) + Send + 'static,
) {
    let files = Arc::new(TlsFiles::new(runtime));
    let mut flags = files.flags(mode);
    flags.extend(extra.iter().map(|s| s.to_string()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let held = Arc::clone(&files);
    with_server_args(runtime, &flags, move |port| body(port, &held));
}

fn ssl_request() -> Vec<u8> {
    [8u32.to_be_bytes(), 80_877_103u32.to_be_bytes()].concat()
}

fn startup(user: &str) -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec();
    for s in ["user", user, "database", "postgres", ""] {
        body.extend_from_slice(s.as_bytes());
        body.push(0);
    }
    let mut packet = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend_from_slice(&body);
    packet
}

fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// Reads backend frames until one with tag `stop` (included), or EOF.
fn frames_until(stream: &mut impl Read, stop: u8) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    loop {
        let mut head = [0u8; 5];
        if stream.read_exact(&mut head).is_err() {
            return frames;
        }
        let len = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
        let mut body = vec![0; len - 4];
        stream.read_exact(&mut body).unwrap();
        frames.push((head[0], body));
        if head[0] == stop {
            return frames;
        }
    }
}

/// An ErrorResponse field.
fn field(body: &[u8], code: u8) -> String {
    body.split(|b| *b == 0)
        .find(|f| f.first() == Some(&code))
        .map(|f| String::from_utf8_lossy(&f[1..]).into_owned())
        .unwrap_or_default()
}

/// psql with `sslmode=require`, then `verify-full` against our CA: both
/// encrypted (`\conninfo` says so) and both answer a query.
pub(crate) fn tls_psql(runtime: &str) {
    with_tls_server(runtime, "optional", |port, files| {
        for (mode, root) in [
            ("require", None),
            ("verify-full", Some(files.path("ca.pem"))),
        ] {
            let mut cmd = psql_base(port);
            cmd.env("PGSSLMODE", mode)
                .args(["-At", "-c", "\\conninfo", "-c", "select 41 + 1"]);
            if let Some(root) = &root {
                cmd.env("PGSSLROOTCERT", root);
            }
            let out = run(&mut cmd, 20);
            assert!(out.status.success(), "psql {mode}: {}", describe(&out));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("SSL connection (protocol: TLSv1.3"),
                "{mode}: {stdout}"
            );
            assert!(stdout.ends_with("42\n"), "{mode}: {stdout}");
        }
        // Without a TLS request the same server still takes plaintext.
        let out = run(
            psql_base(port)
                .env("PGSSLMODE", "disable")
                .args(["-At", "-c", "select 1"]),
            20,
        );
        assert!(out.status.success(), "psql disable: {}", describe(&out));
    });
}

/// tokio-postgres over rustls (`tokio-postgres-rustls`), `sslmode=require`:
/// simple and extended queries.
pub(crate) fn tls_tokio_postgres(runtime: &str) {
    with_tls_server(runtime, "required", |port, files| {
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(files.client_config(None));
        block_on(async move {
            let info = format!("{} sslmode=require", conninfo(port));
            let (client, connection) = tokio_postgres::connect(&info, tls)
                .await
                .expect("connect over TLS");
            ::tokio::spawn(connection);
            let row = client
                .query_one("select $1::int4 + 1", &[&41i32])
                .await
                .unwrap();
            assert_eq!(row.get::<_, i32>(0), 42);
            client
                .batch_execute("create table t (x int); insert into t values (1)")
                .await
                .unwrap();
            let n: i64 = client
                .query_one("select count(*) from t", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(n, 1);
        });
    });
}

/// PostgreSQL 17's direct TLS: the connection opens with a ClientHello
/// offering ALPN `postgresql`; no SSLRequest. Without ALPN the server
/// refuses before its ServerHello.
pub(crate) fn tls_direct(runtime: &str) {
    with_tls_server(runtime, "required", |port, files| {
        let mut stream = files.raw_client(port, Some(b"postgresql"));
        stream.write_all(&startup("postgres")).unwrap();
        let frames = frames_until(&mut stream, b'Z');
        assert_eq!(frames.first().map(|f| f.0), Some(b'R'), "AuthenticationOk");
        assert_eq!(frames.last().map(|f| f.0), Some(b'Z'));
        assert_eq!(stream.conn.alpn_protocol(), Some(&b"postgresql"[..]));
        stream
            .write_all(&message(b'Q', b"select 41 + 1\0"))
            .unwrap();
        let frames = frames_until(&mut stream, b'Z');
        let row = frames.iter().find(|f| f.0 == b'D').expect("a DataRow");
        assert!(row.1.ends_with(b"42"), "{:?}", row.1);
        stream.write_all(&message(b'X', b"")).unwrap();
        let mut rest = Vec::new();
        // A clean TLS close (close_notify), not a bare EOF.
        stream.read_to_end(&mut rest).expect("close_notify");
        assert!(rest.is_empty());

        let mut refused = files.raw_client(port, None);
        let result = refused
            .write_all(&startup("postgres"))
            .and_then(|()| refused.read(&mut [0u8; 16]));
        assert!(
            matches!(result, Err(_) | Ok(0)),
            "no ALPN must be refused: {result:?}"
        );
    });
}

/// SSLRequest and a plaintext StartupMessage in one write (CVE-2021-23214):
/// `S`, then — after the handshake, as PostgreSQL does — FATAL 08P01
/// "received unencrypted data after SSL request" over TLS; the smuggled
/// packet is never read.
pub(crate) fn tls_plaintext_after_ssl_request(runtime: &str) {
    with_tls_server(runtime, "optional", |port, files| {
        let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        tcp.write_all(&[ssl_request(), startup("mallory")].concat())
            .unwrap();
        let mut answer = [0u8; 1];
        tcp.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"S");
        let mut stream = files.tls_over(tcp, None);
        stream.write_all(&startup("postgres")).unwrap();
        let frames = frames_until(&mut stream, b'E');
        assert_eq!(frames.len(), 1, "only the FATAL: {frames:?}");
        let body = &frames[0].1;
        assert_eq!(field(body, b'S'), "FATAL");
        assert_eq!(field(body, b'C'), "08P01");
        assert_eq!(
            field(body, b'M'),
            "received unencrypted data after SSL request"
        );
        assert_eq!(
            field(body, b'D'),
            "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."
        );
        let mut rest = Vec::new();
        stream
            .read_to_end(&mut rest)
            .expect("closed after the FATAL");
        assert!(rest.is_empty());
    });
}

/// `--tls-mode required`: a plaintext client gets PostgreSQL's `hostssl`
/// refusal, 28000, with its host, user and database; TLS clients pass.
pub(crate) fn tls_required(runtime: &str) {
    with_tls_server(runtime, "required", |port, _files| {
        let out = run(
            psql_base(port)
                .env("PGSSLMODE", "disable")
                .args(["-c", "select 1"]),
            20,
        );
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"postgres\", no encryption"
            ),
            "{stderr}"
        );
        // sslmode=prefer (libpq's default) asks for TLS and gets it.
        let out = run(
            psql_base(port)
                .env("PGSSLMODE", "prefer")
                .args(["-At", "-c", "select 1"]),
            20,
        );
        assert!(out.status.success(), "psql prefer: {}", describe(&out));
    });
}

/// SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding: psql and
/// tokio-postgres with `channel_binding=require` log in (which they only do
/// over PLUS), and a wrong password still fails with 28P01.
pub(crate) fn tls_scram_plus(runtime: &str) {
    let auth = [
        "--auth",
        "scram",
        "--user",
        "postgres",
        "--password",
        "secret",
    ];
    with_tls_server_args(runtime, "required", &auth, |port, files| {
        let mut cmd = psql_base(port);
        cmd.env("PGSSLMODE", "verify-full")
            .env("PGSSLROOTCERT", files.path("ca.pem"))
            .env("PGCHANNELBINDING", "require")
            .env("PGPASSWORD", "secret")
            .args(["-At", "-c", "select 1"]);
        let out = run(&mut cmd, 20);
        assert!(out.status.success(), "psql PLUS: {}", describe(&out));

        let out = run(
            psql_base(port)
                .env("PGSSLMODE", "require")
                .env("PGCHANNELBINDING", "require")
                .env("PGPASSWORD", "wrong")
                .args(["-c", "select 1"]),
            20,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("password authentication failed for user \"postgres\""),
            "{stderr}"
        );

        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(files.client_config(None));
        block_on(async move {
            let info = format!(
                "{} sslmode=require channel_binding=require password=secret",
                conninfo(port)
            );
            let (client, connection) = tokio_postgres::connect(&info, tls)
                .await
                .expect("SCRAM-SHA-256-PLUS login");
            ::tokio::spawn(connection);
            let row = client.query_one("select 1::int4", &[]).await.unwrap();
            assert_eq!(row.get::<_, i32>(0), 1);
        });

        // psycopg 3 (libpq underneath) with sslmode=require and SCRAM.
        let script = format!(
            "import psycopg\n\
             with psycopg.connect('host=127.0.0.1 port={port} user=postgres dbname=postgres \
             password=secret sslmode=require channel_binding=require') as c:\n\
             \x20   info = c.pgconn\n\
             \x20   print(c.execute('select 40 + 2').fetchone()[0], info.ssl_in_use)\n"
        );
        let out = run(Command::new(python()).args(["-c", &script]), 30);
        assert!(out.status.success(), "psycopg over TLS: {}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "42 True\n");
    });
}

/// The client-matrix venv's python (`.ci/run` installs psycopg there).
fn python() -> PathBuf {
    let venv = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/clients/.venv/bin/python");
    assert!(
        venv.exists(),
        "psycopg is missing: python3 -m venv tests/clients/.venv && \
         tests/clients/.venv/bin/pip install -r tests/clients/requirements.txt (or .ci/run)"
    );
    venv
}

/// A certificate file that cannot be read is a one-line start-up error.
#[test]
fn unreadable_certificate_is_a_start_up_error() {
    let files = TlsFiles::new("startup");
    let missing = files.path("missing.pem");
    let key = files.path("server.key");
    let out = run(
        server_command().args([
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &missing,
            "--tls-key",
            &key,
        ]),
        20,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "engine-server: cannot read TLS certificate {missing}: "
        )),
        "{stderr}"
    );
    // A key that is not a key.
    let cert = files.path("server.pem");
    let out = run(
        server_command().args([
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &cert,
            "--tls-key",
            &cert,
        ]),
        20,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("engine-server: bad TLS certificate or key: "),
        "{stderr}"
    );
}

/// `TWILL_TLS_CERT`, `TWILL_TLS_KEY` and `TWILL_TLS_MODE` stand for the flags.
#[test]
fn tls_environment_variables() {
    let files = TlsFiles::new("env");
    let mut cmd = server_command();
    cmd.args(["--listen", "127.0.0.1:0", "--drain-timeout", "1"])
        .env("TWILL_TLS_CERT", files.path("server.pem"))
        .env("TWILL_TLS_KEY", files.path("server.key"))
        .env("TWILL_TLS_MODE", "required");
    let server = Server::spawn(cmd);
    assert!(server.log().contains(", tls required)"), "{}", server.log());
    let out = run(
        psql_base(server.port())
            .env("PGSSLMODE", "disable")
            .args(["-c", "select 1"]),
        20,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no encryption"),
        "{}",
        describe(&out)
    );
}

/// `hostssl`/`hostnossl` rules from an `--auth-file` see the TLS state,
/// and the refusals end in PostgreSQL 15's `SSL encryption` or `no
/// encryption`.
pub(crate) fn tls_hostssl_rules(runtime: &str) {
    let file = crate::access::AuthFileOnDisk::new(
        &format!("{runtime}-tls"),
        "hostssl   all eve      all reject\n\
         hostssl   all postgres all trust\n\
         hostnossl all carol    all trust\n",
    );
    let path = file.path.to_str().unwrap().to_string();
    with_tls_server_args(runtime, "optional", &["--auth-file", &path], |port, _| {
        let psql = |user: &str, sslmode: &str| {
            let out = run(
                psql_base(port)
                    .env("PGSSLMODE", sslmode)
                    .args(["-U", user, "-At", "-c", "select 1"]),
                20,
            );
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let refused = |user: &str, verb: &str, encryption: &str| {
            format!(
                "FATAL:  {verb} host \"127.0.0.1\", user \"{user}\", database \"postgres\", {encryption}"
            )
        };
        let (ok, stderr) = psql("eve", "require");
        assert!(
            !ok && stderr.contains(&refused(
                "eve",
                "pg_hba.conf rejects connection for",
                "SSL encryption"
            )),
            "{stderr}"
        );
        let (ok, stderr) = psql("carol", "require");
        assert!(
            !ok && stderr.contains(&refused(
                "carol",
                "no pg_hba.conf entry for",
                "SSL encryption"
            )),
            "{stderr}"
        );
        let (ok, stderr) = psql("postgres", "disable");
        assert!(
            !ok && stderr.contains(&refused(
                "postgres",
                "no pg_hba.conf entry for",
                "no encryption"
            )),
            "{stderr}"
        );
        assert!(psql("postgres", "require").0);
        assert!(psql("carol", "disable").0);
    });
    drop(file);
}
