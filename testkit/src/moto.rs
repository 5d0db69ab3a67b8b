//! A scratch S3 API: moto's server mode on 127.0.0.1, for the object-store
//! backend's tests.
//!
//! moto (PyPI `moto[server]==5.2.5`, pinned in `tests/moto/requirements.txt`)
//! serves the S3 REST API from memory, honours `If-None-Match: *` on
//! PutObject (what a create-only put sends) and accepts any credentials.
//! `.ci/run` installs it into `tests/moto/.venv`; `TWILL_MOTO_SERVER` may
//! name another `moto_server` binary. When it is missing the kit panics
//! with the command that installs it: these tests fail, never skip.
//!
//! Each [`MotoServer`] is a fresh process on a free port (state is in
//! memory and dies with it); drop kills it. [`MotoServer::url`] gives a
//! storage URL that needs no environment: the endpoint and moto's dummy
//! credentials ride in its query string, so tests that run in parallel
//! threads need not touch the process environment. (Requests must be
//! signed: moto treats unsigned ones as anonymous and denies their GETs.)

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub struct MotoServer {
    child: Child,
    port: u16,
}

/// Where `.ci/run` installs moto, relative to the workspace root.
const VENV_SERVER: &str = "tests/moto/.venv/bin/moto_server";

fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("TWILL_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned();
    let path = root.join(VENV_SERVER);
    assert!(
        path.exists(),
        "moto is not installed: run `python3 -m venv tests/moto/.venv && \
         tests/moto/.venv/bin/pip install -r tests/moto/requirements.txt` in the \
         workspace (or .ci/run), or set TWILL_MOTO_SERVER"
    );
    path
}

impl MotoServer {
    /// Starts moto on a free port and waits until it answers.
    pub fn start() -> MotoServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(server_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let server = MotoServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.request("GET", "/", "").is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// The endpoint, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) = self
            .request("PUT", &format!("/{bucket}"), "")
            .expect("create bucket");
        assert_eq!(status, 200, "create bucket {bucket}: {body}");
    }

    /// A storage URL for `bucket/prefix` on this server.
    pub fn url(&self, bucket: &str, prefix: &str) -> String {
        format!(
            "s3://{bucket}/{prefix}?endpoint={}&region=us-east-1\
             &access_key_id=moto&secret_access_key=moto",
            self.endpoint()
        )
    }

    /// The keys under `prefix` in `bucket`, in key order.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token = String::new();
        loop {
            let mut path = format!("/{bucket}?list-type=2&prefix={prefix}");
            if !token.is_empty() {
                path.push_str(&format!("&continuation-token={token}"));
            }
            let (status, body) = self.request("GET", &path, "").expect("list objects");
            assert_eq!(status, 200, "list {bucket}/{prefix}: {body}");
            keys.extend(tags(&body, "Key"));
            match tags(&body, "NextContinuationToken").into_iter().next() {
                Some(next) => token = next,
                None => return keys,
            }
        }
    }

    /// One HTTP/1.1 request; returns the status and the body.
    fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad response: {response}")))?;
        let body = response
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_owned());
        Ok((status, body))
    }
}

/// The texts of every `<tag>…</tag>` in `xml`.
fn tags(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|s| s.split_once(&close).map(|(text, _)| text.to_owned()))
        .collect()
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
