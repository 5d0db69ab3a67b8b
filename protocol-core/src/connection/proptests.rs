//! The connection under arbitrary operations: random (often broken) client
//! input in random chunks, EOF, replies of every kind, timeouts, shutdown and
//! partial writes. Whatever happens, the drive-loop contract holds:
//!
//! - at most one call is outstanding, and each gets exactly one reply;
//! - every byte of output parses as well-formed backend messages;
//! - every ReadyForQuery carries the status of the latest reply;
//! - nothing follows `Event::Closed`, and nothing panics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use postgres_protocol::message::backend::Message;
use proptest::prelude::*;
use twill_types::{Format, SqlState, Value};

use super::{Connection, Event};
use crate::auth::{AuthMethod, Users};
use crate::call::{Batch, Call, Column, Output, Reply, TxStatus};
use crate::cancel::BackendKey;
use crate::config::Config;
use crate::error::ErrorReport;
use crate::message::frontend::{FrontendMessage, ObjectKind};
use crate::message::startup::{PROTOCOL_3_0, StartupPacket};

#[derive(Debug, Clone)]
enum Op {
    Input(Vec<u8>),
    Eof,
    Reply(u8, u8),
    Tick(u16),
    Shutdown,
    Drain(u16),
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    let name = prop_oneof![
        Just(String::new()),
        Just("s1".to_string()),
        Just("p1".to_string())
    ];
    let msg = prop_oneof![
        Just(FrontendMessage::Query("select 1".into())),
        Just(FrontendMessage::Query(String::new())),
        name.clone().prop_map(|n| FrontendMessage::Parse {
            name: n,
            sql: "select $1".into(),
            param_types: vec![23],
        }),
        (
            name.clone(),
            name.clone(),
            proptest::collection::vec(0i16..3, 0..3),
            0usize..3
        )
            .prop_map(|(portal, statement, formats, n)| FrontendMessage::Bind {
                portal,
                statement,
                param_formats: formats.clone(),
                params: (0..n).map(|i| Some(Bytes::from(format!("{i}")))).collect(),
                result_formats: formats,
            }),
        name.clone().prop_map(|n| FrontendMessage::Describe {
            kind: ObjectKind::Statement,
            name: n
        }),
        name.clone().prop_map(|n| FrontendMessage::Describe {
            kind: ObjectKind::Portal,
            name: n
        }),
        (name.clone(), -1i32..3)
            .prop_map(|(portal, max_rows)| FrontendMessage::Execute { portal, max_rows }),
        name.prop_map(|n| FrontendMessage::Close {
            kind: ObjectKind::Portal,
            name: n
        }),
        Just(FrontendMessage::Sync),
        Just(FrontendMessage::Flush),
        Just(FrontendMessage::CopyData(Bytes::from_static(b"1\t2\n"))),
        Just(FrontendMessage::CopyDone),
        Just(FrontendMessage::CopyFail("no".into())),
    ];
    let rare = prop_oneof![
        Just(FrontendMessage::Terminate),
        Just(FrontendMessage::Password(Bytes::from_static(b"pw\0"))),
    ];
    prop_oneof![
        60 => msg.prop_map(|m| m.to_bytes().to_vec()),
        1 => rare.prop_map(|m| m.to_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => proptest::collection::vec(message(), 1..4).prop_map(|v| Op::Input(v.concat())),
        5 => (proptest::collection::vec(message(), 1..4), 1usize..9).prop_map(|(v, cut)| {
            let all = v.concat();
            Op::Input(all[..cut.min(all.len())].to_vec())
        }),
        1 => Just(Op::Eof),
        30 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Reply(a, b)),
        2 => (0u16..800).prop_map(Op::Tick),
        1 => Just(Op::Shutdown),
        8 => (0u16..200).prop_map(Op::Drain),
    ]
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
            vec![Value::Int4(b as i32), Value::Null],
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

/// A reply of a kind valid for `call`, chosen by two random bytes.
fn reply_for(call: &Call, a: u8, b: u8) -> Reply {
    let error = |severe: bool| Reply::Error {
        report: if severe {
            ErrorReport::fatal(SqlState::ADMIN_SHUTDOWN, "bye")
        } else {
            ErrorReport::error(SqlState::SYNTAX_ERROR, "syntax error")
        },
        status: status(b),
    };
    if a.is_multiple_of(7) && !matches!(call, Call::Terminate | Call::Close(_)) {
        return error(a.is_multiple_of(5));
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
            param_types: vec![23; (b % 3) as usize],
            columns: columns(a),
        },
        Call::Bind { .. } => Reply::Bound {
            columns: columns(b),
        },
        Call::Describe(_) => Reply::Described {
            param_types: Some(vec![25; (a % 2) as usize]),
            columns: columns(b),
        },
        Call::Close(_) | Call::Terminate => Reply::Closed,
        Call::Sync => Reply::Synced { status: status(b) },
        Call::CopyData(_) => Reply::CopyAccepted,
    }
}

/// Parses the output seen so far; returns the statuses of ReadyForQuery frames.
fn check_output(buf: &mut BytesMut, statuses: &mut Vec<u8>) -> Result<(), TestCaseError> {
    loop {
        if !buf.is_empty() && buf[0] == b'v' {
            // NegotiateProtocolVersion: not in postgres-protocol; check the frame length.
            if buf.len() < 5 {
                return Ok(());
            }
            let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
            if buf.len() < len + 1 {
                return Ok(());
            }
            let _ = buf.split_to(len + 1);
            continue;
        }
        match Message::parse(buf) {
            Ok(Some(Message::ReadyForQuery(z))) => statuses.push(z.status()),
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("bad output frame: {e}"))),
        }
    }
}

fn config_is_password(auth: u8) -> bool {
    auth == 1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn connection_keeps_its_contract(auth in 0u8..2, ops in proptest::collection::vec(op(), 0..80)) {
        let mut config = Config { output_high_water: 64, copy_chunk_size: 8, ..Config::default() };
        config.statement_timeout = Duration::from_millis(500);
        config.idle_in_transaction_session_timeout = Duration::from_millis(1500);
        let mut users = Users::new();
        users.insert_password("u", "pw", [1; 16]);
        config.credentials = Some(Arc::new(users));
        config.auth_method = [AuthMethod::Trust, AuthMethod::Password][auth as usize];
        let mut now = Instant::now();
        let mut conn = Connection::new(Arc::new(config), BackendKey { pid: 1, secret: 2 }, [5; 32], now);
        let startup = StartupPacket::Startup {
            version: PROTOCOL_3_0,
            params: vec![("user".into(), "u".into())],
        };
        conn.handle_input(&startup.to_bytes(), now);
        if config_is_password(auth) {
            conn.handle_input(&FrontendMessage::Password(Bytes::from_static(b"pw\0")).to_bytes(), now);
        }

        let mut outstanding: Option<(super::CallId, Call)> = None;
        let mut closed = false;
        let mut wire = BytesMut::new();
        let mut statuses = Vec::new();
        let mut last_status = b'I';
        let mut expected_statuses = Vec::new();
        for op in ops {
            match op {
                Op::Input(bytes) => conn.handle_input(&bytes, now),
                Op::Eof => conn.handle_eof(now),
                Op::Reply(a, b) => {
                    if let Some((id, call)) = outstanding.take() {
                        let reply = reply_for(&call, a, b);
                        match &reply {
                            Reply::Stream(batch) => last_status = batch.status.byte(),
                            Reply::Synced { status } | Reply::Error { status, .. } => last_status = status.byte(),
                            Reply::SessionOpened { .. } => last_status = b'I',
                            _ => {}
                        }
                        conn.handle_reply(id, reply, now);
                    }
                }
                Op::Tick(ms) => {
                    now += Duration::from_millis(ms.into());
                    conn.handle_timeout(now);
                }
                Op::Shutdown => conn.shutdown(now),
                Op::Drain(n) => {
                    let n = (n as usize).min(conn.transmit().len());
                    wire.extend_from_slice(&conn.transmit()[..n]);
                    conn.advance_transmit(n, now);
                }
            }
            while let Some(event) = conn.poll_event() {
                prop_assert!(!closed, "event after Closed: {:?}", event);
                match event {
                    Event::Call(id, call) => {
                        prop_assert!(outstanding.is_none(), "two calls outstanding");
                        outstanding = Some((id, call));
                    }
                    Event::Closed(_) => closed = true,
                    Event::Cancel(_) | Event::Interrupt(..) => {}
                }
            }
            // Statuses Z may carry: the newest reply's.
            expected_statuses.push(last_status);
            let before = statuses.len();
            let n = conn.transmit().len();
            wire.extend_from_slice(conn.transmit());
            conn.advance_transmit(n, now);
            check_output(&mut wire, &mut statuses)?;
            for s in &statuses[before..] {
                prop_assert_eq!(*s, last_status, "ReadyForQuery status differs from the engine's");
            }
            if closed {
                prop_assert!(!conn.wants_read());
                prop_assert!(conn.poll_timeout().is_none());
            }
        }
    }
}
