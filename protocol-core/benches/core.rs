//! The protocol core alone, with a canned backend: what one pgbench `-S`
//! transaction costs in the core, how fast a pgbench `-M prepared` batch
//! decodes, and how fast a 10 000-row, 4-column result encodes in text and
//! binary. Run: `cargo bench -p twill-protocol --bench core`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use twill_protocol::message::frontend::{FrontendMessage, ObjectKind};
use twill_protocol::message::startup::{PROTOCOL_3_0, StartupPacket};
use twill_protocol::{
    Backend, BackendKey, Batch, Call, Column, Config, Connection, Output, Reply, TxStatus, drive,
};
use twill_types::Value;

const ROWS: usize = 10_000;
const BATCH: usize = 1_000;

/// Answers like an engine would for pgbench `-S` and for a big result.
struct Canned {
    remaining: usize,
}

fn big_columns() -> Vec<Column> {
    vec![
        Column::new("id", 23, 4),
        Column::new("balance", 20, 8),
        Column::new("filler", 25, -1),
        Column::new("ratio", 701, 8),
    ]
}

impl Backend for Canned {
    fn call(&mut self, call: Call) -> Reply {
        match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Parse { statement, .. } => Reply::Parsed {
                param_types: if statement == "big" { vec![] } else { vec![23] },
                columns: Some(if statement == "big" {
                    big_columns()
                } else {
                    vec![Column::new("abalance", 23, 4)]
                }),
            },
            Call::Bind { statement, .. } => {
                self.remaining = if statement == "big" { ROWS } else { 1 };
                Reply::Bound {
                    columns: Some(if statement == "big" {
                        big_columns()
                    } else {
                        vec![Column::new("abalance", 23, 4)]
                    }),
                }
            }
            Call::Execute { .. } | Call::Fetch => {
                let n = self.remaining.min(BATCH);
                let start = ROWS - self.remaining;
                self.remaining -= n;
                let rows = (start..start + n)
                    .map(|i| {
                        vec![
                            Value::Int4(i as i32),
                            Value::Int8(i as i64 * 1000),
                            Value::Text("filler text for the row".into()),
                            Value::Float8(i as f64 * 1.5),
                        ]
                    })
                    .collect();
                let mut outputs = vec![Output::Rows(rows)];
                if self.remaining == 0 {
                    outputs.push(Output::Complete(format!("SELECT {ROWS}")));
                }
                Reply::Stream(Batch {
                    outputs,
                    more: self.remaining > 0,
                    status: TxStatus::Idle,
                })
            }
            Call::Sync => Reply::Synced {
                status: TxStatus::Idle,
            },
            Call::Close(_) | Call::Terminate => Reply::Closed,
            other => panic!("not in this benchmark: {other:?}"),
        }
    }
}

fn point_select_rows(backend: &mut Canned) -> Reply {
    backend.remaining = 0;
    Reply::Stream(Batch {
        outputs: vec![
            Output::Rows(vec![vec![Value::Int4(1835)]]),
            Output::Complete("SELECT 1".into()),
        ],
        more: false,
        status: TxStatus::Idle,
    })
}

/// A connection past startup, with `P_0` (pgbench's `-S` statement) and `big` prepared.
fn ready_connection(backend: &mut Canned, now: Instant) -> Connection {
    let mut conn = Connection::new(
        Arc::new(Config::default()),
        BackendKey { pid: 1, secret: 2 },
        [1; 32],
        now,
    );
    let mut input = BytesMut::new();
    StartupPacket::Startup {
        version: PROTOCOL_3_0,
        params: vec![("user".into(), "bench".into())],
    }
    .encode(&mut input);
    for (name, sql) in [
        (
            "P_0",
            "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
        ),
        ("big", "select …"),
    ] {
        FrontendMessage::Parse {
            name: name.into(),
            sql: sql.into(),
            param_types: vec![],
        }
        .encode(&mut input);
        FrontendMessage::Sync.encode(&mut input);
    }
    conn.handle_input(&input, now);
    let _ = drive(&mut conn, backend, now);
    let n = conn.transmit().len();
    conn.advance_transmit(n, now);
    conn
}

/// pgbench `-M prepared -S`: `B/D P/E/S` for `P_0`.
fn pgbench_batch() -> BytesMut {
    let mut b = BytesMut::new();
    FrontendMessage::Bind {
        portal: "".into(),
        statement: "P_0".into(),
        param_formats: vec![],
        params: vec![Some(bytes::Bytes::from_static(b"53379"))],
        result_formats: vec![0],
    }
    .encode(&mut b);
    FrontendMessage::Describe {
        kind: ObjectKind::Portal,
        name: "".into(),
    }
    .encode(&mut b);
    FrontendMessage::Execute {
        portal: "".into(),
        max_rows: 0,
    }
    .encode(&mut b);
    FrontendMessage::Sync.encode(&mut b);
    b
}

fn bench_decode(c: &mut Criterion) {
    let batch = pgbench_batch().freeze();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(4));
    g.bench_function("pgbench_prepared_batch", |b| {
        b.iter(|| {
            let mut buf = BytesMut::from(&batch[..]);
            while let Some(m) = FrontendMessage::decode(&mut buf, 1 << 20).unwrap() {
                black_box(m);
            }
        })
    });
    g.finish();
}

fn bench_transaction(c: &mut Criterion) {
    let now = Instant::now();
    let mut backend = Canned { remaining: 0 };
    let mut conn = ready_connection(&mut backend, now);
    let batch = pgbench_batch().freeze();
    let mut g = c.benchmark_group("transaction");
    g.throughput(Throughput::Elements(1));
    g.bench_function("pgbench_select_only_prepared", |b| {
        b.iter(|| {
            conn.handle_input(&batch, now);
            while let Some(event) = conn.poll_event() {
                if let twill_protocol::Event::Call(id, call) = event {
                    let reply = match call {
                        Call::Execute { .. } => point_select_rows(&mut backend),
                        other => backend.call(other),
                    };
                    conn.handle_reply(id, reply, now);
                }
            }
            let n = conn.transmit().len();
            black_box(conn.transmit());
            conn.advance_transmit(n, now);
        })
    });
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let now = Instant::now();
    let mut g = c.benchmark_group("encode_10k_rows_4_cols");
    g.sample_size(20);
    for (label, format) in [("text", 0i16), ("binary", 1i16)] {
        let mut backend = Canned { remaining: 0 };
        let mut conn = ready_connection(&mut backend, now);
        let mut input = BytesMut::new();
        FrontendMessage::Bind {
            portal: "".into(),
            statement: "big".into(),
            param_formats: vec![],
            params: vec![],
            result_formats: vec![format],
        }
        .encode(&mut input);
        FrontendMessage::Execute {
            portal: "".into(),
            max_rows: 0,
        }
        .encode(&mut input);
        FrontendMessage::Sync.encode(&mut input);
        let input = input.freeze();
        // Measure the bytes once for the throughput figure.
        let mut bytes_out = 0u64;
        conn.handle_input(&input, now);
        loop {
            let _ = drive(&mut conn, &mut backend, now);
            let n = conn.transmit().len();
            if n == 0 {
                break;
            }
            bytes_out += n as u64;
            conn.advance_transmit(n, now);
        }
        g.throughput(Throughput::Bytes(bytes_out));
        g.bench_function(label, |b| {
            b.iter(|| {
                conn.handle_input(&input, now);
                loop {
                    let _ = drive(&mut conn, &mut backend, now);
                    let n = conn.transmit().len();
                    if n == 0 {
                        break;
                    }
                    black_box(conn.transmit());
                    conn.advance_transmit(n, now);
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_decode, bench_transaction, bench_encode);
criterion_main!(benches);
