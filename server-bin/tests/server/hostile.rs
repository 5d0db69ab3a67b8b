//! Clients that do not play by the rules, on raw sockets: the server must
//! end them, stay responsive to everyone else, and keep its memory bounded.
//!
//! Every case runs with `--authentication-timeout 2s` (PostgreSQL's
//! default is 60 s), so the timeout cases take seconds, not minutes.
//!
//! | case | the client | the server |
//! |---|---|---|
//! | slow loris | one byte of a startup packet a second | closes it at the authentication timeout |
//! | unfinished-login flood | 1000 connections that never finish startup, with the default `--max-connections` (100) | logs a normal client in and serves it meanwhile, closes all 1000 at the timeout, RSS stays bounded |
//! | bad lengths | a startup length of 2³¹−1, 4 or −1; a message length of 2³¹−1 or −1 | FATAL or a plain close, at once; serves the next client |
//! | garbage | a valid query followed by junk in the same write | answers the query, then FATAL 08P01 and closes |
//! | guessed cancel keys | CancelRequests with the right pid and wrong secrets | nothing is cancelled; the right key still cancels |

use ::std::io::{ErrorKind, Read, Write};
use ::std::net::TcpStream;
use ::std::sync::Mutex;
use ::std::thread;
use ::std::time::{Duration, Instant};

use crate::{Server, connect, within_deadline};

/// The authentication timeout these servers run with.
const AUTH_TIMEOUT: Duration = Duration::from_secs(2);
/// How many unfinished logins the flood holds open: ten times the default
/// `--max-connections`, below the default `--max-startups` (2000).
const FLOOD: usize = 1000;
/// The most resident memory the server may use during the flood. The
/// server idles at a few tens of MB; 1000 stuck logins must not add much
/// (each holds a socket, a read buffer and at most a startup-packet buffer
/// of 10 000 bytes), and the std runtime's 1000 threads have small resident
/// stacks.
const RSS_LIMIT_KB: u64 = 256 * 1024;
/// File descriptors the flood needs in this process (one flood at a time,
/// see [`FLOODS`], plus the other tests' clients).
const FDS_NEEDED: u64 = FLOOD as u64 + 1024;
/// The runtimes' floods take turns: four at once on a small shared machine
/// would measure the machine (accept queues overflow, connects wait for
/// SYN retransmits), not the server.
static FLOODS: Mutex<()> = Mutex::new(());

/// Every case runs with the default connection limits.
fn start(runtime: &str) -> Server {
    Server::start_with(runtime, &["--authentication-timeout", "2s"])
}

/// A StartupMessage for `user`, database `postgres`.
fn startup_packet(user: &str) -> Vec<u8> {
    let mut body = 196_608i32.to_be_bytes().to_vec();
    for (k, v) in [("user", user), ("database", "postgres")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    packet.extend(body);
    packet
}

/// A frontend message: tag, length, body.
fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn raw(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream
}

/// Reads one backend message; None at end of stream.
fn read_message(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).ok()?;
    let len = i32::from_be_bytes(head[1..].try_into().unwrap()) as usize;
    let mut body = vec![0; len - 4];
    stream.read_exact(&mut body).ok()?;
    Some((head[0], body))
}

/// Reads everything until the server closes; panics if it does not
/// within the read timeout.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return all,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

/// An ErrorResponse's fields (`S`, `C`, `M`, …) as text.
fn error_fields(body: &[u8]) -> String {
    body.split(|&b| b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| format!("{}={} ", f[0] as char, String::from_utf8_lossy(&f[1..])))
        .collect()
}

/// Logs in as `postgres` (trust); returns the stream and BackendKeyData.
fn login(port: u16) -> (TcpStream, i32, i32) {
    let mut stream = raw(port);
    stream.write_all(&startup_packet("postgres")).unwrap();
    let mut key = None;
    loop {
        match read_message(&mut stream).expect("login answer") {
            (b'K', body) => {
                let pid = i32::from_be_bytes(body[..4].try_into().unwrap());
                let secret = i32::from_be_bytes(body[4..8].try_into().unwrap());
                key = Some((pid, secret));
            }
            (b'Z', _) => break,
            (b'E', body) => panic!("login failed: {}", error_fields(&body)),
            _ => {}
        }
    }
    let (pid, secret) = key.expect("BackendKeyData");
    (stream, pid, secret)
}

/// The resident set of process `pid`, in kB.
fn rss_kb(pid: u32) -> u64 {
    let status = ::std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// One byte of a startup packet a second: closed at the authentication
/// timeout, not kept alive by the trickle.
pub(crate) fn slow_loris(runtime: &str) {
    let server = start(runtime);
    let port = server.port();
    within_deadline(&server, move || {
        let mut stream = raw(port);
        let packet = startup_packet("postgres");
        let started = Instant::now();
        let mut sent = 0;
        let closed = loop {
            if stream.write_all(&packet[sent..sent + 1]).is_err() {
                break started.elapsed();
            }
            sent += 1;
            stream
                .set_read_timeout(Some(Duration::from_secs(1)))
                .unwrap();
            let mut buf = [0u8; 256];
            match stream.read(&mut buf) {
                Ok(0) => break started.elapsed(),
                Ok(_) => {} // a FATAL before the close is fine
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break started.elapsed(),
            }
            assert!(sent < packet.len(), "the whole packet went through");
        };
        assert!(
            closed >= AUTH_TIMEOUT - Duration::from_millis(500) && closed < AUTH_TIMEOUT * 3,
            "closed after {closed:?}"
        );
        connect(port).batch_execute("select 1").unwrap();
    });
}

/// 1000 connections that send half a startup packet (or nothing) and
/// wait, against the default `--max-connections` of 100: they count only
/// against `--max-startups`, so a normal client logs in and is served
/// meanwhile; all 1000 are closed at the timeout, and the server's
/// resident memory stays under [`RSS_LIMIT_KB`].
pub(crate) fn unfinished_login_flood(runtime: &str) {
    check_fd_limit(FDS_NEEDED);
    let _turn = FLOODS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let server = start(runtime);
    let (port, pid) = (server.port(), server.pid());
    within_deadline(&server, move || {
        let packet = startup_packet("postgres");
        let started = Instant::now();
        // Each socket with the time it was opened: the timeout runs from there.
        let mut flood: Vec<(TcpStream, Instant)> = (0..FLOOD)
            .map(|i| {
                let mut s = raw(port);
                if i % 2 == 0 {
                    s.write_all(&packet[..packet.len() / 2]).unwrap();
                }
                (s, Instant::now())
            })
            .collect();
        let mut client = connect(port);
        let row = client.query_one("select 40 + 2", &[]).unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);
        let rss = rss_kb(pid);
        assert!(rss < RSS_LIMIT_KB, "RSS {rss} kB during the flood");
        for (i, (stream, opened)) in flood.iter_mut().enumerate() {
            read_to_close(stream);
            assert!(
                opened.elapsed() < AUTH_TIMEOUT * 4,
                "connection {i} still open after {:?}",
                opened.elapsed()
            );
        }
        assert!(started.elapsed() >= AUTH_TIMEOUT - Duration::from_millis(500));
        // The logged-in client is not subject to the authentication timeout.
        client.batch_execute("select 1").unwrap();
        let rss = rss_kb(pid);
        assert!(rss < RSS_LIMIT_KB, "RSS {rss} kB after the flood");
    });
}

/// Fails early, with the fix, if this process may not open `needed` files
/// (the servers it starts inherit the limit). The flood stays within the
/// usual limits of CI machines rather than raising them here.
fn check_fd_limit(needed: u64) {
    let limits = ::std::fs::read_to_string("/proc/self/limits").unwrap();
    let soft: u64 = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX); // "unlimited"
    assert!(
        soft >= needed,
        "the flood needs {needed} open files, the limit is {soft}: run `ulimit -n {needed}` first"
    );
}

/// Lengths no client should send, before and after login: the server
/// answers at once (FATAL or a plain close, never a wait for 2 GB) and
/// goes on serving.
pub(crate) fn bad_lengths(runtime: &str) {
    let server = start(runtime);
    let port = server.port();
    within_deadline(&server, move || {
        for length in [i32::MAX, 4, -1, 7] {
            let mut stream = raw(port);
            let mut packet = length.to_be_bytes().to_vec();
            packet.extend_from_slice(&196_608i32.to_be_bytes());
            stream.write_all(&packet).unwrap();
            let started = Instant::now();
            let answer = read_to_close(&mut stream);
            assert!(
                started.elapsed() < AUTH_TIMEOUT,
                "startup length {length}: waited"
            );
            assert!(
                answer.is_empty() || answer[0] == b'E',
                "startup length {length}: {answer:?}"
            );
        }
        for length in [i32::MAX, -1, 3] {
            let (mut stream, _, _) = login(port);
            let mut bad = vec![b'Q'];
            bad.extend_from_slice(&length.to_be_bytes());
            stream.write_all(&bad).unwrap();
            let (tag, body) = read_message(&mut stream).expect("an ErrorResponse");
            let fields = error_fields(&body);
            assert_eq!(tag, b'E', "message length {length}");
            assert!(
                fields.contains("S=FATAL") && fields.contains("C=08P01"),
                "{fields}"
            );
            assert!(read_to_close(&mut stream).is_empty());
        }
        connect(port).batch_execute("select 1").unwrap();
    });
}

/// A query and junk in one write: the query is answered in full, then the
/// junk (an unknown message type) is FATAL 08P01 and the connection closes.
pub(crate) fn garbage_after_query(runtime: &str) {
    let server = start(runtime);
    let port = server.port();
    within_deadline(&server, move || {
        let (mut stream, _, _) = login(port);
        let mut bytes = message(b'Q', b"select 'still here'\0");
        bytes.extend_from_slice(b"\xff\x00\x00\x00\x08junk\x00garbage");
        stream.write_all(&bytes).unwrap();
        let mut tags = Vec::new();
        let mut fatal = String::new();
        while let Some((tag, body)) = read_message(&mut stream) {
            tags.push(tag);
            if tag == b'D' {
                assert!(body.windows(10).any(|w| w == b"still here"));
            }
            if tag == b'E' {
                fatal = error_fields(&body);
            }
        }
        assert_eq!(tags, b"TDCZE", "{fatal}");
        assert!(
            fatal.contains("S=FATAL") && fatal.contains("C=08P01"),
            "{fatal}"
        );
        connect(port).batch_execute("select 1").unwrap();
    });
}

/// Sends a CancelRequest for `pid` with `secret` on a new connection.
fn cancel(port: u16, pid: i32, secret: i32) {
    let mut stream = raw(port);
    let mut packet = 16i32.to_be_bytes().to_vec();
    packet.extend_from_slice(&80_877_102i32.to_be_bytes());
    packet.extend_from_slice(&pid.to_be_bytes());
    packet.extend_from_slice(&secret.to_be_bytes());
    stream.write_all(&packet).unwrap();
    // The server answers nothing and closes.
    assert!(read_to_close(&mut stream).is_empty());
}

/// 200 CancelRequests with the right pid and wrong secrets do not stop a
/// running statement; the right secret does (57014).
pub(crate) fn guessed_cancel_keys(runtime: &str) {
    let server = start(runtime);
    let port = server.port();
    within_deadline(&server, move || {
        let (mut stream, pid, secret) = login(port);
        stream
            .write_all(&message(b'Q', b"select pg_sleep(1.5)\0"))
            .unwrap();
        let guesser = thread::spawn(move || {
            for i in 0..200i32 {
                let guess = secret.wrapping_add(1 + i).rotate_left(i as u32 % 32);
                if guess != secret {
                    cancel(port, pid, guess);
                }
            }
            cancel(port, pid.wrapping_add(1), secret);
        });
        let mut tags = Vec::new();
        loop {
            let (tag, body) = read_message(&mut stream).expect("the query's answer");
            assert_ne!(tag, b'E', "cancelled by a guess: {}", error_fields(&body));
            tags.push(tag);
            if tag == b'Z' {
                break;
            }
        }
        assert_eq!(tags, b"TDCZ");
        guesser.join().unwrap();
        stream
            .write_all(&message(b'Q', b"select pg_sleep(10)\0"))
            .unwrap();
        thread::sleep(Duration::from_millis(300));
        cancel(port, pid, secret);
        // RowDescription comes first: it is sent before the sleep runs.
        let (tag, body) = match read_message(&mut stream).expect("an answer") {
            (b'T', _) => read_message(&mut stream).expect("an ErrorResponse"),
            other => other,
        };
        assert_eq!(tag, b'E');
        assert!(
            error_fields(&body).contains("C=57014"),
            "{}",
            error_fields(&body)
        );
    });
}
