//! The `connection` harness: a [`Connection`] under an arbitrary sequence
//! of operations, checking the drive-loop contract after every step.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use twill_types::{Format, SqlState, Value};

use crate::auth::{AuthMethod, Users};
use crate::call::{Batch, Call, Column, Output, Reply, TxStatus};
use crate::cancel::BackendKey;
use crate::config::Config;
use crate::connection::{CallId, Connection, Event};
use crate::error::ErrorReport;
use crate::message::backend::BackendTag;
use crate::message::frontend::FrontendMessage;
use crate::message::startup::{PROTOCOL_3_0, StartupPacket};

/// One thing that can happen to a connection.
#[derive(Debug, Clone)]
pub enum Op {
    /// Client bytes.
    Input(Vec<u8>),
    /// The client closed the socket.
    Eof,
    /// Answer the outstanding call (if any) with a reply chosen by the two bytes.
    Reply(u8, u8),
    /// Time passes (milliseconds) and timers fire.
    Tick(u16),
    /// The host shuts down.
    Shutdown,
    /// The host writes up to this many output bytes.
    Drain(u16),
}

/// Reads operations from raw fuzzer bytes.
pub fn ops_from_bytes(data: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let tag = data[i];
        i += 1;
        let arg = |k: usize| data.get(i + k).copied().unwrap_or(0);
        match tag % 8 {
            0..=2 => {
                let start = (i + 1).min(data.len());
                let n = (arg(0) as usize % 48).min(data.len() - start);
                ops.push(Op::Input(data[start..start + n].to_vec()));
                i = start + n;
            }
            3 => ops.push(Op::Eof),
            4 | 5 => {
                ops.push(Op::Reply(arg(0), arg(1)));
                i += 2;
            }
            6 => {
                ops.push(Op::Tick(u16::from(arg(0)) * 8));
                i += 1;
            }
            _ if arg(0) == 0 => {
                ops.push(Op::Shutdown);
                i += 1;
            }
            _ => {
                ops.push(Op::Drain(u16::from(arg(0))));
                i += 1;
            }
        }
    }
    ops
}

fn status(b: u8) -> TxStatus {
    match b % 3 {
        0 => TxStatus::Idle,
        1 => TxStatus::InBlock,
        _ => TxStatus::Failed,
    }
}

fn columns(n: u8) -> Option<Vec<Column>> {
    (!n.is_multiple_of(3)).then(|| {
        (0..n % 3)
            .map(|i| Column::new(format!("c{i}"), 23, 4))
            .collect()
    })
}

fn output(b: u8) -> Output {
    match b % 12 {
        0 => Output::Columns(columns(b / 12 + 1).unwrap_or_default()),
        1 => Output::Rows(vec![
            vec![Value::Int4(i32::from(b)), Value::Null],
            vec![Value::Text("x".into())],
        ]),
        2 => Output::Complete("SELECT 1".into()),
        3 => Output::EmptyQuery,
        4 => Output::Suspended,
        5 => Output::Notice(ErrorReport::notice("n")),
        6 => Output::Error(ErrorReport::error(
            SqlState::DIVISION_BY_ZERO,
            "division by zero",
        )),
        7 => Output::CopyIn {
            format: Format::Text,
            columns: vec![Format::Text],
        },
        8 => Output::CopyOut {
            format: Format::Text,
            columns: vec![Format::Text],
        },
        9 => Output::CopyData(Bytes::from_static(b"1\n")),
        10 => Output::SettingChanged {
            name: "application_name".into(),
            value: "x".into(),
        },
        _ => Output::Deallocated(None),
    }
}

/// A reply of a kind the host contract allows for `call`, chosen by `a`, `b`.
pub fn reply_for(call: &Call, a: u8, b: u8) -> Reply {
    if a.is_multiple_of(7) && !matches!(call, Call::Terminate | Call::Close(_) | Call::Fail(_)) {
        let report = if a.is_multiple_of(5) {
            ErrorReport::fatal(SqlState::ADMIN_SHUTDOWN, "bye")
        } else {
            ErrorReport::error(SqlState::SYNTAX_ERROR, "syntax error")
        };
        return Reply::Error {
            report,
            status: status(b),
        };
    }
    match call {
        Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
        Call::Query(_)
        | Call::Execute { .. }
        | Call::Fetch
        | Call::CopyDone
        | Call::CopyFail(_) => {
            let outputs = (0..a % 4)
                .map(|i| output(b.wrapping_add(i.wrapping_mul(37))))
                .collect();
            Reply::Stream(Batch {
                outputs,
                more: a % 3 == 1,
                status: status(b / 3),
            })
        }
        Call::Parse { .. } => Reply::Parsed {
            param_types: vec![23; usize::from(b % 3)],
            columns: columns(a),
        },
        Call::Bind { .. } => Reply::Bound {
            columns: columns(b),
        },
        Call::Describe(_) => Reply::Described {
            param_types: Some(vec![25; usize::from(a % 2)]),
            columns: columns(b),
        },
        Call::Close(_) | Call::Terminate => Reply::Closed,
        Call::Sync => Reply::Synced { status: status(b) },
        Call::CopyData(_) => Reply::CopyAccepted,
        Call::Fail(_) => Reply::Failed { status: status(b) },
    }
}

/// Splits complete backend frames off `wire`, checking each is well formed
/// (a known tag and a sane length); returns the ReadyForQuery statuses.
fn frames(wire: &mut BytesMut, statuses: &mut Vec<u8>) {
    const TAGS: &[u8] = b"RSKZTDCIEN123tnsGHdcv";
    while wire.len() >= 5 {
        let tag = wire[0];
        assert!(TAGS.contains(&tag), "unknown backend tag {tag}");
        let len = i32::from_be_bytes([wire[1], wire[2], wire[3], wire[4]]);
        assert!(len >= 4, "bad backend length {len}");
        let len = len as usize;
        if wire.len() < len + 1 {
            return;
        }
        let frame = wire.split_to(len + 1);
        if tag == BackendTag::ReadyForQuery as u8 {
            assert_eq!(len, 5, "ReadyForQuery length");
            statuses.push(frame[5]);
        }
    }
}

/// Runs `ops` against a fresh connection (after a startup packet and, for
/// password auth, the right password) and checks the contract.
pub fn run(password_auth: bool, ops: &[Op]) {
    let mut config = Config {
        output_high_water: 64,
        copy_chunk_size: 8,
        statement_timeout: Duration::from_millis(500),
        idle_in_transaction_session_timeout: Duration::from_millis(1500),
        ..Config::default()
    };
    // Only the MD5 form is stored, so a cleartext login checks a hash
    // instead of running PBKDF2 on every input.
    let mut users = Users::new();
    let md5 = Some(crate::auth::md5_hex_password("u", "pw"));
    users.insert("u", crate::auth::StoredCredential { scram: None, md5 });
    config.credentials = Some(Arc::new(users));
    // The method comes from access rules, as in the server: the peer
    // below matches the first rule (cleartext) or, for trust, the user
    // list of the second.
    config.auth_method = AuthMethod::Reject;
    let mut access = crate::auth::AccessRules::new();
    let rules = if password_auth {
        ["host all u 10.0.0.0/8 password", "host all all all reject"]
    } else {
        ["host all v 10.0.0.0/8 password", "host all u,w all trust"]
    };
    for rule in rules {
        // Fixed, valid rule text.
        access.push(crate::auth::AccessRule::parse(rule).expect("a valid rule"));
    }
    config.access = Some(access);
    let mut now = Instant::now();
    let mut conn = Connection::new(
        Arc::new(config),
        BackendKey { pid: 1, secret: 2 },
        [5; 32],
        now,
    );
    conn.set_peer_addr([10, 1, 2, 3].into());
    let startup = StartupPacket::Startup {
        version: PROTOCOL_3_0,
        params: vec![("user".into(), "u".into())],
    };
    conn.handle_input(&startup.to_bytes(), now);
    if password_auth {
        conn.handle_input(
            &FrontendMessage::Password(Bytes::from_static(b"pw\0")).to_bytes(),
            now,
        );
    }

    let mut outstanding: Option<(CallId, Call)> = None;
    let mut closed = false;
    let mut wire = BytesMut::new();
    let mut statuses = Vec::new();
    let mut last_status = b'I';
    for op in ops {
        match op {
            Op::Input(bytes) => conn.handle_input(bytes, now),
            Op::Eof => conn.handle_eof(now),
            Op::Reply(a, b) => {
                if let Some((id, call)) = outstanding.take() {
                    let reply = reply_for(&call, *a, *b);
                    match &reply {
                        Reply::Stream(batch) => last_status = batch.status.byte(),
                        Reply::Synced { status }
                        | Reply::Error { status, .. }
                        | Reply::Failed { status } => last_status = status.byte(),
                        Reply::SessionOpened { .. } => last_status = b'I',
                        _ => {}
                    }
                    conn.handle_reply(id, reply, now);
                }
            }
            Op::Tick(ms) => {
                now += Duration::from_millis(u64::from(*ms));
                conn.handle_timeout(now);
            }
            Op::Shutdown => conn.shutdown(now),
            Op::Drain(n) => {
                let n = usize::from(*n).min(conn.transmit().len());
                wire.extend_from_slice(&conn.transmit()[..n]);
                conn.advance_transmit(n, now);
            }
        }
        while let Some(event) = conn.poll_event() {
            assert!(!closed, "event after Closed: {event:?}");
            match event {
                Event::Call(id, call) => {
                    assert!(outstanding.is_none(), "two calls outstanding");
                    outstanding = Some((id, call));
                }
                Event::Closed(_) => closed = true,
                Event::Cancel(_) | Event::Interrupt(..) => {}
            }
        }
        let before = statuses.len();
        let n = conn.transmit().len();
        wire.extend_from_slice(conn.transmit());
        conn.advance_transmit(n, now);
        frames(&mut wire, &mut statuses);
        for s in &statuses[before..] {
            assert_eq!(
                *s, last_status,
                "ReadyForQuery status differs from the engine's"
            );
        }
        if closed {
            assert!(!conn.wants_read(), "a closed connection wants input");
            assert!(
                conn.poll_timeout().is_none(),
                "a closed connection wants a timer"
            );
        }
    }
}

/// Arbitrary bytes as a connection's first input (trust auth, no replies):
/// the output is empty, one-byte SSL/GSS answers, or whole frames.
pub fn first_input(data: &[u8]) {
    let now = Instant::now();
    let mut conn = Connection::new(
        Arc::new(Config::default()),
        BackendKey { pid: 1, secret: 2 },
        [5; 32],
        now,
    );
    conn.handle_input(data, now);
    let mut calls = 0;
    while let Some(event) = conn.poll_event() {
        if let Event::Call(..) = event {
            calls += 1;
        }
    }
    assert!(calls <= 1, "more than one call outstanding");
    let out = conn.transmit();
    let skip = out.iter().take_while(|b| **b == b'N').count();
    let mut wire = BytesMut::from(&out[skip..]);
    let mut statuses = Vec::new();
    frames(&mut wire, &mut statuses);
    assert!(wire.is_empty(), "a partial frame in the output");
}
