//! Codec properties: every frontend message and startup packet survives
//! encode → decode; frames written by an independent encoder (the
//! `postgres-protocol` crate, used by tokio-postgres) decode to the message
//! it meant; backend frames we write parse with `postgres-protocol`.

use bytes::{Bytes, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend as pg;
use proptest::prelude::*;
use twill_types::{Format, SqlState};

use super::backend;
use super::frontend::{FrontendMessage, ObjectKind};
use super::startup::{PROTOCOL_3_0, StartupPacket};
use crate::call::{Column, TxStatus};
use crate::error::ErrorReport;

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_ ]{0,12}"
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode without NUL (C strings cannot hold it).
    "[^\u{0}]{0,40}"
}

fn kind() -> impl Strategy<Value = ObjectKind> {
    prop_oneof![Just(ObjectKind::Statement), Just(ObjectKind::Portal)]
}

fn frontend_message() -> impl Strategy<Value = FrontendMessage> {
    let bytes = proptest::collection::vec(any::<u8>(), 0..64).prop_map(Bytes::from);
    prop_oneof![
        text().prop_map(FrontendMessage::Query),
        (
            name(),
            text(),
            proptest::collection::vec(any::<u32>(), 0..5)
        )
            .prop_map(|(name, sql, param_types)| FrontendMessage::Parse {
                name,
                sql,
                param_types
            }),
        (
            name(),
            name(),
            proptest::collection::vec(0i16..2, 0..4),
            proptest::collection::vec(proptest::option::of(bytes.clone()), 0..4),
            proptest::collection::vec(0i16..2, 0..4),
        )
            .prop_map(
                |(portal, statement, param_formats, params, result_formats)| {
                    FrontendMessage::Bind {
                        portal,
                        statement,
                        param_formats,
                        params,
                        result_formats,
                    }
                }
            ),
        (kind(), name()).prop_map(|(kind, name)| FrontendMessage::Describe { kind, name }),
        (kind(), name()).prop_map(|(kind, name)| FrontendMessage::Close { kind, name }),
        (name(), any::<i32>())
            .prop_map(|(portal, max_rows)| FrontendMessage::Execute { portal, max_rows }),
        Just(FrontendMessage::Sync),
        Just(FrontendMessage::Flush),
        Just(FrontendMessage::Terminate),
        bytes.clone().prop_map(FrontendMessage::CopyData),
        Just(FrontendMessage::CopyDone),
        text().prop_map(FrontendMessage::CopyFail),
        bytes.clone().prop_map(FrontendMessage::Password),
        bytes.prop_map(FrontendMessage::FunctionCall),
    ]
}

proptest! {
    #[test]
    fn frontend_round_trip(msgs in proptest::collection::vec(frontend_message(), 1..6)) {
        let mut buf = BytesMut::new();
        for m in &msgs {
            m.encode(&mut buf);
        }
        let encoded = buf.clone().freeze();
        for m in &msgs {
            let got = FrontendMessage::decode(&mut buf, 1 << 20).unwrap().unwrap();
            prop_assert_eq!(&got, m);
        }
        prop_assert!(buf.is_empty());
        // Re-encoding what was decoded gives the same bytes.
        let mut again = BytesMut::new();
        for m in &msgs {
            m.encode(&mut again);
        }
        prop_assert_eq!(again.freeze(), encoded);
    }

    #[test]
    fn startup_round_trip(params in proptest::collection::vec((name(), text()), 0..6),
                          pid in any::<i32>(), secret in any::<i32>()) {
        let params: Vec<_> = params.into_iter().filter(|(k, _)| !k.is_empty()).collect();
        for p in [
            StartupPacket::Startup { version: PROTOCOL_3_0, params: params.clone() },
            StartupPacket::SslRequest,
            StartupPacket::GssEncRequest,
            StartupPacket::Cancel { pid, secret },
        ] {
            let mut buf = BytesMut::from(&p.to_bytes()[..]);
            if buf.len() > super::startup::MAX_STARTUP_PACKET {
                prop_assert!(StartupPacket::decode(&mut buf).is_err());
            } else {
                prop_assert_eq!(StartupPacket::decode(&mut buf).unwrap(), Some(p));
            }
        }
    }

    #[test]
    fn decoders_never_panic_on_garbage(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut buf = BytesMut::from(&data[..]);
        while let Ok(Some(_)) = FrontendMessage::decode(&mut buf, 1 << 16) {}
        let mut buf = BytesMut::from(&data[..]);
        while let Ok(Some(_)) = StartupPacket::decode(&mut buf) {}
    }

    #[test]
    fn backend_frames_parse_with_postgres_protocol(
        name in name(), oid in any::<u32>(), tag in text(), msg in text(),
        values in proptest::collection::vec(proptest::option::of(text()), 0..5),
    ) {
        let mut out = BytesMut::new();
        let col = Column { name: name.clone(), table_oid: 7, column_id: 2, type_oid: oid,
                           type_len: -1, type_modifier: 24 };
        backend::row_description(&mut out, std::slice::from_ref(&col), &[Format::Binary]);
        backend::data_row(&mut out, values.len(), |i, o| match &values[i] {
            Some(v) => { o.extend_from_slice(v.as_bytes()); true }
            None => false,
        });
        backend::command_complete(&mut out, &tag);
        let report = ErrorReport::error(SqlState::UNDEFINED_TABLE, msg.clone())
            .with_detail("d").with_hint("h").with_position(3).with_routine("r");
        backend::error_or_notice(&mut out, &report);
        backend::ready_for_query(&mut out, TxStatus::Failed);

        let Some(Message::RowDescription(rd)) = Message::parse(&mut out).unwrap() else {
            return Err(TestCaseError::fail("RowDescription"));
        };
        let f = rd.fields().next().unwrap().unwrap();
        prop_assert_eq!((f.name(), f.type_oid(), f.table_oid(), f.column_id(), f.type_modifier(), f.format()),
                        (name.as_str(), oid, 7, 2, 24, 1));
        let Some(Message::DataRow(dr)) = Message::parse(&mut out).unwrap() else {
            return Err(TestCaseError::fail("DataRow"));
        };
        let got: Vec<Option<String>> = dr.ranges()
            .map(|r| Ok(r.map(|r| String::from_utf8(dr.buffer()[r].to_vec()).unwrap())))
            .collect().unwrap();
        prop_assert_eq!(got, values);
        let Some(Message::CommandComplete(cc)) = Message::parse(&mut out).unwrap() else {
            return Err(TestCaseError::fail("CommandComplete"));
        };
        prop_assert_eq!(cc.tag().unwrap(), tag.as_str());
        let Some(Message::ErrorResponse(er)) = Message::parse(&mut out).unwrap() else {
            return Err(TestCaseError::fail("ErrorResponse"));
        };
        let fields: Vec<(u8, String)> = er.fields()
            .map(|f| Ok((f.type_(), String::from_utf8_lossy(f.value_bytes()).into_owned())))
            .collect().unwrap();
        let want: Vec<(u8, String)> = [(b'S', "ERROR"), (b'V', "ERROR"), (b'C', "42P01"),
            (b'M', msg.as_str()), (b'D', "d"), (b'H', "h"), (b'P', "3"), (b'R', "r")]
            .into_iter().map(|(t, v)| (t, v.to_string())).collect();
        prop_assert_eq!(fields, want);
        let Some(Message::ReadyForQuery(z)) = Message::parse(&mut out).unwrap() else {
            return Err(TestCaseError::fail("ReadyForQuery"));
        };
        prop_assert_eq!(z.status(), b'E');
        prop_assert!(out.is_empty());
    }
}

/// Frames written by tokio-postgres' encoder decode to what it meant.
#[test]
fn independent_frontend_encoder_decodes() {
    let mut buf = BytesMut::new();
    pg::parse("s0", "select $1::int4", [23u32], &mut buf).unwrap();
    pg::describe(b'S', "s0", &mut buf).unwrap();
    pg::bind(
        "",
        "s0",
        [1i16],
        [7i32],
        |v, out| {
            out.extend_from_slice(&v.to_be_bytes());
            Ok(postgres_protocol::IsNull::No)
        },
        [1i16],
        &mut buf,
    )
    .map_err(|_| "bind")
    .unwrap();
    pg::execute("", 0, &mut buf).unwrap();
    pg::sync(&mut buf);
    pg::close(b'S', "s0", &mut buf).unwrap();
    pg::query("select 1", &mut buf).unwrap();
    pg::terminate(&mut buf);

    let mut got = Vec::new();
    while let Some(m) = FrontendMessage::decode(&mut buf, 1 << 20).unwrap() {
        got.push(m);
    }
    let want = vec![
        FrontendMessage::Parse {
            name: "s0".into(),
            sql: "select $1::int4".into(),
            param_types: vec![23],
        },
        FrontendMessage::Describe {
            kind: ObjectKind::Statement,
            name: "s0".into(),
        },
        FrontendMessage::Bind {
            portal: "".into(),
            statement: "s0".into(),
            param_formats: vec![1],
            params: vec![Some(Bytes::from_static(&[0, 0, 0, 7]))],
            result_formats: vec![1],
        },
        FrontendMessage::Execute {
            portal: "".into(),
            max_rows: 0,
        },
        FrontendMessage::Sync,
        FrontendMessage::Close {
            kind: ObjectKind::Statement,
            name: "s0".into(),
        },
        FrontendMessage::Query("select 1".into()),
        FrontendMessage::Terminate,
    ];
    assert_eq!(got, want);

    let mut buf = BytesMut::new();
    pg::startup_message([("user", "u"), ("database", "d")], &mut buf).unwrap();
    pg::ssl_request(&mut buf);
    pg::cancel_request(12, 34, &mut buf);
    assert_eq!(
        StartupPacket::decode(&mut buf).unwrap(),
        Some(StartupPacket::Startup {
            version: PROTOCOL_3_0,
            params: vec![("user".into(), "u".into()), ("database".into(), "d".into())]
        })
    );
    assert_eq!(
        StartupPacket::decode(&mut buf).unwrap(),
        Some(StartupPacket::SslRequest)
    );
    assert_eq!(
        StartupPacket::decode(&mut buf).unwrap(),
        Some(StartupPacket::Cancel {
            pid: 12,
            secret: 34
        })
    );
}
