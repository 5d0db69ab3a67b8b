//! Golden exchange scripts for the protocol core: bytes in → frames and
//! events out, against a scripted backend on virtual time.
//!
//! Every script in `tests/scripts/` runs four times: with each block's
//! client messages delivered in one chunk, one byte at a time, and in two
//! pseudo-random chunkings. All four must print the same golden output, which
//! proves that message boundaries never depend on how the socket splits
//! them. Backend frames are decoded with the independent `postgres-protocol`
//! crate before they are printed. Regenerate with `UPDATE_GOLDENFILES=1`.
//!
//! # Commands
//!
//! Client messages (buffered, then delivered together at the next
//! non-message command or at the end of the block):
//!
//! | command | message |
//! |---|---|
//! | `startup [user=U] [database=D] [version=V] [K=V…]` | StartupMessage (user defaults to `alice`) |
//! | `ssl`, `gssenc` | SSLRequest, GSSENCRequest (delivered at once: clients wait for the answer) |
//! | `cancel pid=N secret=N` | CancelRequest |
//! | `query SQL` | Query |
//! | `parse [name=S] SQL [types=23,25]` | Parse |
//! | `bind [portal=P] [stmt=S] [formats=0,1] [results=1] [PARAM…]` | Bind; a param is text, `NULL`, or `x:HEX` for raw bytes |
//! | `describe S|P [NAME]`, `close S|P [NAME]` | Describe, Close |
//! | `execute [portal=P] [max=N]` | Execute |
//! | `sync`, `flush`, `terminate`, `copydone` | Sync, Flush, Terminate, CopyDone |
//! | `copydata TEXT`, `copydata x:HEX`, `copyfail TEXT` | CopyData (text or raw bytes), CopyFail |
//! | `password TEXT` | PasswordMessage |
//! | `scram password=PW [user=N]` | plays a whole SCRAM client: SASLInitialResponse now, SASLResponse when SASLContinue arrives (`user` is the client-first `n=`, empty by default) |
//! | `md5 password=PW [user=U]` | answers the next AuthenticationMD5Password with `md5` + hex(md5(hex(md5(PW + U)) + salt)) (U defaults to `alice`) |
//! | `raw HEX` | arbitrary bytes |
//!
//! Engine replies (answer the outstanding call, or wait for the next one).
//! `Call::Fail` (the core refused a message) is answered automatically with
//! `Failed`: status `E` inside a block, `I` outside.
//!
//! | command | reply |
//! |---|---|
//! | `ok` | the plain success reply for the call (SessionOpened, Parsed with the given types (0 → text) and no columns, Bound/Described with the last declared columns, Closed, Synced, CopyAccepted) |
//! | `parsed [params=23,25] [cols=a/int4,b/text]` | Parsed |
//! | `bound [cols=…]`, `described [params=…] [cols=…]` | Bound, Described |
//! | `opened [K=V…]` | SessionOpened with settings |
//! | `synced [status=I|T|E]` | Synced |
//! | `error CODE MESSAGE [status=I|T|E] [severity=FATAL] [FIELDS]` | Reply::Error |
//! | `out columns a/int4 …`, `out row V…`, `out complete TAG`, `out empty`, `out suspended`, `out notice MSG [code=C] [severity=WARNING|INFO] [FIELDS]`, `out error CODE MSG [severity=FATAL] [FIELDS]`, `out copyin [binary] [N]`, `out copyout [N]`, `out copydata TEXT`, `out copydone`, `out setting NAME=VALUE`, `out deallocate [NAME]`, `out closeportals [NAME]` | add to the current batch |
//! | `end [more=true] [status=I|T|E]` | send the batch as Reply::Stream |
//!
//! `FIELDS` are the optional ErrorResponse/NoticeResponse fields:
//! `detail=TEXT` (D), `hint=TEXT` (H), `position=N` (P), `routine=NAME` (R).
//!
//! Host actions: `eof`, `tick MS` (advance virtual time, fire timers),
//! `shutdown`, `state` (print wants_read, outstanding call, time to the next
//! timeout, tx status), `reset` (drop the connection; the next message opens
//! a new one, and `config` may follow), `config …` (must come before the
//! connection's first message: `auth=trust|password|md5|scram`,
//! `users=alice:secret,bob:scram-only:pw,…` (scram-only: no MD5 hash is
//! stored), `max_message=N`, `high_water=N`, `copy_chunk=N`,
//! `statement_timeout=MS`, `idle_session=MS`, `idle_in_tx=MS`, `auth_timeout=MS`,
//! `autodrain=false`, `hba="RULE;RULE…"` (pg_hba.conf-style access rules,
//! first match wins), `peer=IP` (the client address the host reports), `sessions=N` (each
//! connection holds a ticket of an `Admission` with N session slots)), and `drain [N]` (take N output bytes, or all, and
//! print the frames they complete). Values with `,`, `:`, `*` or non-ASCII
//! characters must be quoted (`users="alice:secret"`, `params="23,25"`).

use std::collections::VecDeque;
use std::error::Error;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use fallible_iterator::FallibleIterator;
use goldenscript::{Argument, Block, Command, Context};
use hmac::{Hmac, Mac};
use postgres_protocol::message::backend::Message;
use sha2::{Digest, Sha256};
use twill_protocol::message::frontend::{FrontendMessage, ObjectKind};
use twill_protocol::message::startup::{PROTOCOL_3_0, StartupPacket};
use twill_protocol::{
    AuthMethod, BackendKey, Batch, Call, CallId, Column, Config, Connection, ErrorReport, Event,
    Output, Reply, Severity, TxStatus, Users,
};
use twill_types::{Format, Oid, SqlState, Value};

type Res<T> = Result<T, Box<dyn Error>>;

/// How a block's client bytes reach the connection.
#[derive(Clone, Copy, Debug)]
enum Chunking {
    Whole,
    Bytewise,
    Random(u64),
}

/// A reply written in the script, resolved against the call it answers.
#[derive(Debug, Clone)]
enum ReplySpec {
    Ok,
    Exact(Reply),
}

struct Runner {
    chunking: Chunking,
    base: Instant,
    elapsed: Duration,
    config: Config,
    conn: Option<Connection>,
    pending_input: BytesMut,
    queued: VecDeque<ReplySpec>,
    outstanding: Option<(CallId, Call)>,
    batch: Vec<Output>,
    columns: Vec<Column>,
    autodrain: bool,
    single_bytes: usize,
    scram: Option<ScramClient>,
    md5: Option<(String, String)>,
    /// Bytes taken by `drain` that do not yet make a whole frame.
    drained: BytesMut,
    status: TxStatus,
    /// The client address given to `set_peer_addr` (`config peer=IP`).
    peer: Option<std::net::IpAddr>,
    /// Connection limits each new connection takes a ticket from
    /// (`config sessions=N`).
    admission: Option<twill_protocol::Admission>,
}

struct ScramClient {
    password: String,
    bare: String,
}

impl Runner {
    fn new(chunking: Chunking) -> Runner {
        Runner {
            chunking,
            base: Instant::now(),
            elapsed: Duration::ZERO,
            config: Config::default(),
            conn: None,
            pending_input: BytesMut::new(),
            queued: VecDeque::new(),
            outstanding: None,
            batch: Vec::new(),
            columns: Vec::new(),
            autodrain: true,
            single_bytes: 0,
            scram: None,
            md5: None,
            drained: BytesMut::new(),
            status: TxStatus::Idle,
            peer: None,
            admission: None,
        }
    }

    fn now(&self) -> Instant {
        self.base + self.elapsed
    }

    fn conn(&mut self) -> &mut Connection {
        let now = self.now();
        let config = Arc::new(self.config.clone());
        let peer = self.peer;
        let ticket = match (&self.conn, &self.admission) {
            (None, Some(admission)) => admission.admit(),
            _ => None,
        };
        self.conn.get_or_insert_with(|| {
            let mut conn = Connection::new(
                config,
                BackendKey {
                    pid: 4242,
                    secret: 0x05ec_12e7,
                },
                [9; 32],
                now,
            );
            if let Some(peer) = peer {
                conn.set_peer_addr(peer);
            }
            if let Some(ticket) = ticket {
                conn.set_admission(ticket);
            }
            conn
        })
    }

    /// Delivers buffered client bytes in the configured chunking.
    fn deliver(&mut self, out: &mut String) -> Res<()> {
        if self.pending_input.is_empty() {
            return Ok(());
        }
        let input = self.pending_input.split().freeze();
        let now = self.now();
        let chunks: Vec<Bytes> = match self.chunking {
            Chunking::Whole => vec![input],
            Chunking::Bytewise => (0..input.len()).map(|i| input.slice(i..i + 1)).collect(),
            Chunking::Random(seed) => {
                let mut state = seed ^ input.len() as u64;
                let mut v = Vec::new();
                let mut at = 0;
                while at < input.len() {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let n = 1 + (state >> 33) as usize % 17;
                    let end = (at + n).min(input.len());
                    v.push(input.slice(at..end));
                    at = end;
                }
                v
            }
        };
        for chunk in chunks {
            self.conn().handle_input(&chunk, now);
            self.settle(out)?;
        }
        Ok(())
    }

    /// Answers calls from the queue, then prints events and output.
    fn settle(&mut self, out: &mut String) -> Res<()> {
        loop {
            self.print_output(out)?;
            let Some(event) = self.conn().poll_event() else {
                break;
            };
            match event {
                Event::Call(id, call) => {
                    writeln!(out, "call {}", show_call(&call))?;
                    // The scripted engine answers Fail by itself, the way any
                    // engine must: a failed statement fails its transaction.
                    let auto_fail = matches!(call, Call::Fail(_));
                    self.outstanding = Some((id, call));
                    if auto_fail {
                        self.answer(ReplySpec::Ok, out)?;
                    } else if let Some(spec) = self.queued.pop_front() {
                        self.answer(spec, out)?;
                    }
                }
                Event::Cancel(key) => {
                    writeln!(out, "event Cancel pid={} secret={}", key.pid, key.secret)?
                }
                Event::Interrupt(_, reason) => writeln!(out, "event Interrupt {reason:?}")?,
                Event::Closed(reason) => writeln!(out, "event Closed {reason:?}")?,
            }
        }
        Ok(())
    }

    fn answer(&mut self, spec: ReplySpec, out: &mut String) -> Res<()> {
        let Some((id, call)) = self.outstanding.take() else {
            self.queued.push_back(spec);
            return Ok(());
        };
        let reply = match spec {
            ReplySpec::Exact(r) => r,
            ReplySpec::Ok => self.ok_reply(&call)?,
        };
        if let Reply::Stream(b) = &reply {
            self.status = b.status;
        }
        if let Reply::Synced { status } | Reply::Error { status, .. } | Reply::Failed { status } =
            &reply
        {
            self.status = *status;
        }
        let now = self.now();
        self.conn().handle_reply(id, reply, now);
        self.settle(out)
    }

    fn ok_reply(&self, call: &Call) -> Res<Reply> {
        let cols = (!self.columns.is_empty()).then(|| self.columns.clone());
        Ok(match call {
            Call::OpenSession(_) => Reply::SessionOpened { settings: vec![] },
            Call::Parse { param_types, .. } => Reply::Parsed {
                param_types: param_types
                    .iter()
                    .map(|t| if *t == 0 { 25 } else { *t })
                    .collect(),
                columns: None,
            },
            Call::Bind { .. } => Reply::Bound { columns: cols },
            Call::Describe(_) => Reply::Described {
                param_types: Some(vec![]),
                columns: cols,
            },
            Call::Close(_) | Call::Terminate => Reply::Closed,
            Call::Sync => Reply::Synced {
                status: self.status,
            },
            Call::CopyData(_) => Reply::CopyAccepted,
            Call::Fail(_) => Reply::Failed {
                status: match self.status {
                    TxStatus::Idle => TxStatus::Idle,
                    TxStatus::InBlock | TxStatus::Failed => TxStatus::Failed,
                },
            },
            other => return Err(format!("no plain ok reply for {other:?}; use out/end").into()),
        })
    }

    fn print_output(&mut self, out: &mut String) -> Res<()> {
        if !self.autodrain {
            return Ok(());
        }
        let now = self.now();
        let bytes = self.conn().transmit().to_vec();
        let n = bytes.len();
        if n == 0 {
            return Ok(());
        }
        self.conn().advance_transmit(n, now);
        self.print_frames(&bytes, out)
    }

    fn print_frames(&mut self, bytes: &[u8], out: &mut String) -> Res<()> {
        let mut buf = BytesMut::from(bytes);
        while self.single_bytes > 0 && !buf.is_empty() {
            if !matches!(buf[0], b'N' | b'S') {
                // The request was refused with a frame instead of a byte.
                self.single_bytes = 0;
                break;
            }
            self.single_bytes -= 1;
            let b = buf.split_to(1)[0];
            writeln!(out, "S: {}", b as char)?;
        }
        while !buf.is_empty() {
            if buf[0] == b'v' {
                // NegotiateProtocolVersion: postgres-protocol has no parser for it.
                let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
                let body = buf.split_to(len + 1);
                let newest = i32::from_be_bytes([body[5], body[6], body[7], body[8]]);
                let opts: Vec<&str> = body[13..]
                    .split(|b| *b == 0)
                    .filter(|s| !s.is_empty())
                    .map(|s| std::str::from_utf8(s).unwrap())
                    .collect();
                let (major, minor) = (newest >> 16, newest & 0xffff);
                writeln!(
                    out,
                    "S: NegotiateProtocolVersion newest={major}.{minor} unrecognized={opts:?}"
                )?;
                continue;
            }
            let msg = Message::parse(&mut buf)?.ok_or("incomplete backend frame")?;
            self.print_message(msg, out)?;
        }
        Ok(())
    }

    fn print_message(&mut self, msg: Message, out: &mut String) -> Res<()> {
        let line = match msg {
            Message::AuthenticationOk => "AuthenticationOk".to_string(),
            Message::AuthenticationCleartextPassword => "AuthenticationCleartextPassword".into(),
            Message::AuthenticationMd5Password(b) => {
                self.md5_response(b.salt());
                format!("AuthenticationMD5Password salt={}", hex(&b.salt()))
            }
            Message::AuthenticationSasl(b) => {
                let m: Vec<String> = b.mechanisms().map(|m| Ok(m.to_string())).collect()?;
                format!("AuthenticationSASL {m:?}")
            }
            Message::AuthenticationSaslContinue(b) => {
                let data = String::from_utf8_lossy(b.data()).to_string();
                self.scram_continue(&data)?;
                format!("AuthenticationSASLContinue {data:?}")
            }
            Message::AuthenticationSaslFinal(b) => {
                format!(
                    "AuthenticationSASLFinal {:?}",
                    String::from_utf8_lossy(b.data())
                )
            }
            Message::BackendKeyData(b) => {
                format!(
                    "BackendKeyData pid={} secret={}",
                    b.process_id(),
                    b.secret_key()
                )
            }
            Message::ParameterStatus(b) => {
                format!("ParameterStatus {}={:?}", b.name()?, b.value()?)
            }
            Message::ReadyForQuery(b) => format!("ReadyForQuery {}", b.status() as char),
            Message::RowDescription(b) => {
                let cols: Vec<String> = b
                    .fields()
                    .map(|f| {
                        Ok(format!(
                            "{}:{}/{}/{}/{}/{}/f{}",
                            f.name(),
                            f.type_oid(),
                            f.type_size(),
                            f.type_modifier(),
                            f.table_oid(),
                            f.column_id(),
                            f.format()
                        ))
                    })
                    .collect()?;
                format!("RowDescription {}", cols.join(" "))
            }
            Message::DataRow(b) => {
                let buf = b.buffer();
                let vals: Vec<String> = b
                    .ranges()
                    .map(|r| {
                        Ok(match r {
                            None => "NULL".to_string(),
                            Some(r) => show_bytes(&buf[r]),
                        })
                    })
                    .collect()?;
                format!("DataRow {}", vals.join(" "))
            }
            Message::CommandComplete(b) => format!("CommandComplete {:?}", b.tag()?),
            Message::EmptyQueryResponse => "EmptyQueryResponse".into(),
            Message::ErrorResponse(b) => format!("ErrorResponse {}", show_fields(b.fields())?),
            Message::NoticeResponse(b) => format!("NoticeResponse {}", show_fields(b.fields())?),
            Message::ParseComplete => "ParseComplete".into(),
            Message::BindComplete => "BindComplete".into(),
            Message::CloseComplete => "CloseComplete".into(),
            Message::NoData => "NoData".into(),
            Message::PortalSuspended => "PortalSuspended".into(),
            Message::ParameterDescription(b) => {
                let t: Vec<u32> = b.parameters().collect()?;
                format!("ParameterDescription {t:?}")
            }
            Message::CopyInResponse(b) => {
                let f: Vec<u16> = b.column_formats().collect()?;
                format!("CopyInResponse format={} columns={f:?}", b.format())
            }
            Message::CopyOutResponse(b) => {
                let f: Vec<u16> = b.column_formats().collect()?;
                format!("CopyOutResponse format={} columns={f:?}", b.format())
            }
            Message::CopyData(b) => format!("CopyData {}", show_bytes(b.data())),
            Message::CopyDone => "CopyDone".into(),
            _ => return Err("unexpected backend message".into()),
        };
        writeln!(out, "S: {line}")?;
        Ok(())
    }

    fn scram_continue(&mut self, server_first: &str) -> Res<()> {
        let Some(client) = self.scram.take() else {
            return Ok(());
        };
        let fin = scram_client_final(&client.password, &client.bare, server_first)?;
        // The SASLResponse goes out with the next delivery.
        FrontendMessage::Password(Bytes::from(fin.into_bytes())).encode(&mut self.pending_input);
        Ok(())
    }

    /// Answers AuthenticationMD5Password as libpq does:
    /// `md5` + hex(md5(hex(md5(password + user)) + salt)).
    fn md5_response(&mut self, salt: [u8; 4]) {
        let Some((user, password)) = self.md5.take() else {
            return;
        };
        let inner = hex(&md5::Md5::digest(format!("{password}{user}").as_bytes()));
        let mut outer = md5::Md5::new();
        outer.update(inner.as_bytes());
        outer.update(salt);
        let mut body = format!("md5{}", hex(&outer.finalize())).into_bytes();
        body.push(0);
        // The PasswordMessage goes out with the next delivery.
        FrontendMessage::Password(Bytes::from(body)).encode(&mut self.pending_input);
    }

    fn message(&mut self, cmd: &Command) -> Res<bool> {
        let mut args = Args::of(cmd);
        let buf = &mut self.pending_input;
        match cmd.name.as_str() {
            "startup" => {
                let version = args.lookup_parse::<i32>("version")?.unwrap_or(PROTOCOL_3_0);
                let mut params = Vec::new();
                let mut has_user = false;
                for (k, v) in &args.keys {
                    has_user |= k == "user";
                    params.push((k.clone(), v.clone()));
                }
                if !has_user {
                    params.insert(0, ("user".into(), "alice".into()));
                }
                StartupPacket::Startup { version, params }.encode(buf);
                return Ok(true);
            }
            "ssl" => {
                self.single_bytes += 1;
                StartupPacket::SslRequest.encode(buf)
            }
            "gssenc" => {
                self.single_bytes += 1;
                StartupPacket::GssEncRequest.encode(buf)
            }
            "cancel" => StartupPacket::Cancel {
                pid: args.lookup_parse("pid")?.ok_or("pid")?,
                secret: args.lookup_parse("secret")?.ok_or("secret")?,
            }
            .encode(buf),
            "query" => FrontendMessage::Query(pos(&mut args)?).encode(buf),
            "parse" => {
                let name = args.lookup("name").unwrap_or_default();
                let types = oids(args.lookup("types"))?;
                let sql = pos(&mut args)?;
                FrontendMessage::Parse {
                    name,
                    sql,
                    param_types: types,
                }
                .encode(buf)
            }
            "bind" => {
                let portal = args.lookup("portal").unwrap_or_default();
                let statement = args.lookup("stmt").unwrap_or_default();
                let param_formats = codes(args.lookup("formats"))?;
                let result_formats = codes(args.lookup("results"))?;
                let mut params = Vec::new();
                while let Some(p) = args.next_pos() {
                    params.push(match p.as_str() {
                        "NULL" => None,
                        v => Some(match v.strip_prefix("x:") {
                            Some(h) => Bytes::from(unhex(h)?),
                            None => Bytes::from(v.to_string()),
                        }),
                    });
                }
                FrontendMessage::Bind {
                    portal,
                    statement,
                    param_formats,
                    params,
                    result_formats,
                }
                .encode(buf)
            }
            "describe" | "close" => {
                let kind = match pos(&mut args)?.as_str() {
                    "S" => ObjectKind::Statement,
                    "P" => ObjectKind::Portal,
                    k => return Err(format!("kind {k}").into()),
                };
                let name = args.next_pos().unwrap_or_default();
                if cmd.name == "describe" {
                    FrontendMessage::Describe { kind, name }.encode(buf)
                } else {
                    FrontendMessage::Close { kind, name }.encode(buf)
                }
            }
            "execute" => FrontendMessage::Execute {
                portal: args.lookup("portal").unwrap_or_default(),
                max_rows: args.lookup_parse("max")?.unwrap_or(0),
            }
            .encode(buf),
            "sync" => FrontendMessage::Sync.encode(buf),
            "flush" => FrontendMessage::Flush.encode(buf),
            "terminate" => FrontendMessage::Terminate.encode(buf),
            "copydone" => FrontendMessage::CopyDone.encode(buf),
            "copydata" => {
                let data = pos(&mut args)?;
                let data = match data.strip_prefix("x:") {
                    Some(h) => Bytes::from(unhex(h)?),
                    None => Bytes::from(data),
                };
                FrontendMessage::CopyData(data).encode(buf)
            }
            "copyfail" => FrontendMessage::CopyFail(pos(&mut args)?).encode(buf),
            "password" => {
                let mut body = pos(&mut args)?.into_bytes();
                body.push(0);
                FrontendMessage::Password(Bytes::from(body)).encode(buf)
            }
            "scram" => {
                let password = args.lookup("password").ok_or("password")?;
                let user = args.lookup("user").unwrap_or_default();
                let bare = format!("n={user},r=clientnonce+/={{X'M");
                let first = format!("n,,{bare}");
                let mut body = b"SCRAM-SHA-256\0".to_vec();
                body.extend_from_slice(&(first.len() as i32).to_be_bytes());
                body.extend_from_slice(first.as_bytes());
                FrontendMessage::Password(Bytes::from(body)).encode(buf);
                self.scram = Some(ScramClient { password, bare });
            }
            "md5" => {
                let password = args.lookup("password").ok_or("password")?;
                let user = args.lookup("user").unwrap_or_else(|| "alice".into());
                self.md5 = Some((user, password));
            }
            "raw" => buf.extend_from_slice(&unhex(&pos(&mut args)?)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn reply(&mut self, cmd: &Command, out: &mut String) -> Res<bool> {
        let mut args = Args::of(cmd);
        let spec = match cmd.name.as_str() {
            "ok" => ReplySpec::Ok,
            "opened" => {
                let settings = args.keys.clone();
                ReplySpec::Exact(Reply::SessionOpened { settings })
            }
            "parsed" => {
                let param_types = oids(args.lookup("params"))?;
                let columns = self.cols(args.lookup("cols"))?;
                ReplySpec::Exact(Reply::Parsed {
                    param_types,
                    columns,
                })
            }
            "bound" => {
                let columns = self.cols(args.lookup("cols"))?;
                ReplySpec::Exact(Reply::Bound { columns })
            }
            "described" => {
                let param_types = args.lookup("params").map(|p| oids(Some(p))).transpose()?;
                let columns = self.cols(args.lookup("cols"))?;
                ReplySpec::Exact(Reply::Described {
                    param_types,
                    columns,
                })
            }
            "synced" => ReplySpec::Exact(Reply::Synced {
                status: status(args.lookup("status"))?,
            }),
            "error" => {
                let st = status(args.lookup("status"))?;
                let fatal = args.lookup("severity").is_some_and(|s| s == "FATAL");
                let code = SqlState::from_code(&pos(&mut args)?);
                let msg = pos(&mut args)?;
                let sev = if fatal {
                    Severity::Fatal
                } else {
                    Severity::Error
                };
                let report = report_fields(ErrorReport::new(sev, code, msg), &mut args)?;
                ReplySpec::Exact(Reply::Error { report, status: st })
            }
            "end" => {
                let more = args.lookup_parse::<bool>("more")?.unwrap_or(false);
                let st = status(args.lookup("status"))?;
                let outputs = std::mem::take(&mut self.batch);
                ReplySpec::Exact(Reply::Stream(Batch {
                    outputs,
                    more,
                    status: st,
                }))
            }
            "out" => {
                self.out(cmd)?;
                return Ok(true);
            }
            _ => return Ok(false),
        };
        self.deliver(out)?;
        self.answer(spec, out)?;
        Ok(true)
    }

    fn out(&mut self, cmd: &Command) -> Res<()> {
        let mut args = Args::of(cmd);
        let kind = pos(&mut args)?;
        let rest: Vec<String> = args.pos.iter().cloned().collect();
        let output = match kind.as_str() {
            "columns" => {
                let cols = self.cols(Some(rest.join(",")))?.unwrap_or_default();
                Output::Columns(cols)
            }
            "row" => {
                let mut row = Vec::new();
                for (i, v) in rest.iter().enumerate() {
                    let ty = self.columns.get(i).map_or(25, |c| c.type_oid);
                    row.push(if v == "NULL" {
                        Value::Null
                    } else {
                        Value::decode(ty, Format::Text, v.as_bytes(), &Default::default())
                            .map_err(|e| e.message)?
                    });
                }
                Output::Rows(vec![row])
            }
            "complete" => Output::Complete(rest.join(" ")),
            "empty" => Output::EmptyQuery,
            "suspended" => Output::Suspended,
            "notice" => {
                let report = ErrorReport::notice(rest.join(" "));
                let report = match args.lookup("code") {
                    Some(c) => ErrorReport {
                        code: SqlState::from_code(&c),
                        ..report
                    },
                    None => report,
                };
                let report = match args.lookup("severity").as_deref() {
                    Some("WARNING") => ErrorReport {
                        severity: Severity::Warning,
                        ..report
                    },
                    Some("INFO") => ErrorReport {
                        severity: Severity::Info,
                        ..report
                    },
                    _ => report,
                };
                Output::Notice(report_fields(report, &mut args)?)
            }
            "error" => {
                let code = SqlState::from_code(rest.first().ok_or("out error CODE MSG")?);
                let fatal = args.lookup("severity").is_some_and(|s| s == "FATAL");
                let sev = if fatal {
                    Severity::Fatal
                } else {
                    Severity::Error
                };
                let report = ErrorReport::new(sev, code, rest[1..].join(" "));
                Output::Error(report_fields(report, &mut args)?)
            }
            "copyin" | "copyout" => {
                let binary = rest.first().is_some_and(|r| r == "binary");
                let n: usize = rest.last().and_then(|r| r.parse().ok()).unwrap_or(1);
                let f = if binary { Format::Binary } else { Format::Text };
                if kind == "copyin" {
                    Output::CopyIn {
                        format: f,
                        columns: vec![f; n],
                    }
                } else {
                    Output::CopyOut {
                        format: f,
                        columns: vec![f; n],
                    }
                }
            }
            "copydata" => Output::CopyData(Bytes::from(rest.join(" "))),
            "copydone" => Output::CopyDone,
            "setting" => {
                let (name, value) = args.keys.first().cloned().ok_or("setting NAME=VALUE")?;
                Output::SettingChanged { name, value }
            }
            "deallocate" => Output::Deallocated(rest.first().cloned()),
            "closeportals" => Output::PortalsClosed(rest.first().cloned()),
            k => return Err(format!("unknown output {k}").into()),
        };
        self.batch.push(output);
        Ok(())
    }

    fn cols(&mut self, spec: Option<String>) -> Res<Option<Vec<Column>>> {
        let Some(spec) = spec else { return Ok(None) };
        let mut cols = Vec::new();
        for c in spec.split(',').filter(|c| !c.is_empty()) {
            let (name, ty) = c.split_once(['/', ':']).ok_or("column spec is name/type")?;
            let (oid, len) = type_by_name(ty)?;
            cols.push(Column::new(name, oid, len));
        }
        self.columns = cols.clone();
        Ok(Some(cols))
    }

    fn configure(&mut self, cmd: &Command) -> Res<()> {
        let mut args = Args::of(cmd);
        let ms = |v: Option<u64>| v.map(Duration::from_millis);
        if let Some(a) = args.lookup("auth") {
            self.config.auth_method = match a.as_str() {
                "trust" => AuthMethod::Trust,
                "password" => AuthMethod::Password,
                "md5" => AuthMethod::Md5,
                "scram" => AuthMethod::ScramSha256,
                m => return Err(format!("auth {m}").into()),
            };
        }
        if let Some(u) = args.lookup("users") {
            let mut users = Users::new();
            for pair in u.split(',') {
                let (user, pw) = pair.split_once(':').ok_or("users=name:password,…")?;
                if let Some(pw) = pw.strip_prefix("scram-only:") {
                    let mut c = twill_protocol::StoredCredential::from_password(user, pw, [3; 16]);
                    c.md5 = None;
                    users.insert(user, c);
                } else {
                    users.insert_password(user, pw, [3; 16]);
                }
            }
            self.config.credentials = Some(Arc::new(users));
        }
        if let Some(rules) = args.lookup("hba") {
            let mut access = twill_protocol::AccessRules::new();
            for line in rules.split(';') {
                access.push(twill_protocol::AccessRule::parse(line)?);
            }
            self.config.access = Some(access);
        }
        if let Some(peer) = args.lookup_parse("peer")? {
            self.peer = Some(peer);
        }
        if let Some(n) = args.lookup_parse("sessions")? {
            self.admission = Some(twill_protocol::Admission::new(n, usize::MAX));
        }
        if let Some(v) = args.lookup_parse("max_message")? {
            self.config.max_message_size = v;
        }
        if let Some(v) = args.lookup_parse("high_water")? {
            self.config.output_high_water = v;
        }
        if let Some(v) = args.lookup_parse("copy_chunk")? {
            self.config.copy_chunk_size = v;
        }
        if let Some(d) = ms(args.lookup_parse("statement_timeout")?) {
            self.config.statement_timeout = d;
        }
        if let Some(d) = ms(args.lookup_parse("idle_session")?) {
            self.config.idle_session_timeout = d;
        }
        if let Some(d) = ms(args.lookup_parse("idle_in_tx")?) {
            self.config.idle_in_transaction_session_timeout = d;
        }
        if let Some(d) = ms(args.lookup_parse("auth_timeout")?) {
            self.config.authentication_timeout = d;
        }
        if let Some(a) = args.lookup_parse::<bool>("autodrain")? {
            self.autodrain = a;
        }
        args.reject_rest()?;
        Ok(())
    }
}

impl goldenscript::Runner for Runner {
    type Command = Command;

    fn run(&mut self, cmd: &Command, _ctx: &Context) -> Res<String> {
        let mut out = String::new();
        if cmd.name == "config" {
            if self.conn.is_some() {
                return Err("config must come before the first message".into());
            }
            self.configure(cmd)?;
            return Ok(out);
        }
        if self.message(cmd)? {
            if matches!(cmd.name.as_str(), "ssl" | "gssenc") {
                // A client waits for the one-byte answer before it sends
                // more: anything buffered behind the request is refused.
                self.deliver(&mut out)?;
            }
            return Ok(out);
        }
        if self.reply(cmd, &mut out)? {
            return Ok(out);
        }
        self.deliver(&mut out)?;
        let now = self.now();
        match cmd.name.as_str() {
            "eof" => {
                self.conn().handle_eof(now);
                self.settle(&mut out)?;
            }
            "tick" => {
                let ms: u64 = Args::of(cmd).next_pos().ok_or("tick MS")?.parse()?;
                self.elapsed += Duration::from_millis(ms);
                let now = self.now();
                self.conn().handle_timeout(now);
                self.settle(&mut out)?;
            }
            "reset" => {
                // A new client connection (the old one is dropped as is).
                self.conn = None;
                self.outstanding = None;
                self.queued.clear();
                self.batch.clear();
                self.columns.clear();
                self.drained.clear();
                self.scram = None;
                self.md5 = None;
                self.single_bytes = 0;
                self.status = TxStatus::Idle;
                writeln!(out, "new connection")?;
            }
            "shutdown" => {
                self.conn().shutdown(now);
                self.settle(&mut out)?;
            }
            "drain" => {
                let pending = self.conn().transmit().to_vec();
                let n = match Args::of(cmd).next_pos() {
                    Some(a) => a.parse::<usize>()?.min(pending.len()),
                    None => pending.len(),
                };
                writeln!(out, "drained {n} of {} bytes", pending.len())?;
                self.conn().advance_transmit(n, now);
                // Print the frames completed by these bytes; keep the rest.
                self.drained.extend_from_slice(&pending[..n]);
                let whole = whole_frames(&self.drained, self.single_bytes);
                let frames = self.drained.split_to(whole);
                self.print_frames(&frames, &mut out)?;
                let was = self.autodrain;
                self.autodrain = false;
                self.settle(&mut out)?;
                self.autodrain = was;
            }
            "state" => {
                let now = self.now();
                let timeout = self
                    .conn()
                    .poll_timeout()
                    .map(|t| t.saturating_duration_since(now));
                let c = self.conn();
                writeln!(
                    out,
                    "wants_read={} closed={} tx={:?} pending_output={} next_timeout_in={:?} outstanding={}",
                    c.wants_read(),
                    c.is_closed(),
                    c.tx_status(),
                    c.transmit().len(),
                    timeout,
                    self.outstanding
                        .as_ref()
                        .map_or("none".into(), |(_, call)| show_call(call)),
                )?;
            }
            name => return Err(format!("unknown command {name}").into()),
        }
        Ok(out)
    }

    fn end_block(&mut self, _block: &Block) -> Res<String> {
        let mut out = String::new();
        // Delivering may queue an automatic answer (MD5, SCRAM final): send
        // it too before the block ends.
        while !self.pending_input.is_empty() {
            self.deliver(&mut out)?;
        }
        Ok(out)
    }
}

/// A command's arguments, consumed by name or position.
struct Args {
    pos: VecDeque<String>,
    keys: Vec<(String, String)>,
}

impl Args {
    fn of(cmd: &Command) -> Args {
        let mut args = Args {
            pos: VecDeque::new(),
            keys: Vec::new(),
        };
        for a in &cmd.args {
            match a {
                Argument::Positional(v) => args.pos.push_back(v.clone()),
                Argument::KeyValue(k, v) => args.keys.push((k.clone(), v.clone())),
                _ => {}
            }
        }
        args
    }

    fn next_pos(&mut self) -> Option<String> {
        self.pos.pop_front()
    }

    fn lookup(&mut self, key: &str) -> Option<String> {
        let i = self.keys.iter().position(|(k, _)| k == key)?;
        Some(self.keys.remove(i).1)
    }

    fn lookup_parse<T: std::str::FromStr>(&mut self, key: &str) -> Res<Option<T>>
    where
        T::Err: Error + 'static,
    {
        Ok(self.lookup(key).map(|v| v.parse::<T>()).transpose()?)
    }

    fn reject_rest(&self) -> Res<()> {
        if let Some((k, _)) = self.keys.first() {
            return Err(format!("unexpected argument {k}").into());
        }
        if let Some(p) = self.pos.front() {
            return Err(format!("unexpected argument {p}").into());
        }
        Ok(())
    }
}

/// The optional fields of an `error` / `out error` / `out notice` command:
/// `detail=`, `hint=`, `position=`, `routine=`.
fn report_fields(mut report: ErrorReport, args: &mut Args) -> Res<ErrorReport> {
    report.detail = args.lookup("detail");
    report.hint = args.lookup("hint");
    report.position = args.lookup_parse("position")?;
    report.routine = args.lookup("routine");
    Ok(report)
}

fn pos(args: &mut Args) -> Res<String> {
    args.next_pos().ok_or_else(|| "missing argument".into())
}

fn oids(s: Option<String>) -> Res<Vec<Oid>> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            s.split(',')
                .map(|t| t.parse::<Oid>().map_err(Into::into))
                .collect()
        })
        .unwrap_or(Ok(vec![]))
}

fn codes(s: Option<String>) -> Res<Vec<i16>> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            s.split(',')
                .map(|t| t.parse::<i16>().map_err(Into::into))
                .collect()
        })
        .unwrap_or(Ok(vec![]))
}

fn status(s: Option<String>) -> Res<TxStatus> {
    Ok(match s.as_deref() {
        None | Some("I") => TxStatus::Idle,
        Some("T") => TxStatus::InBlock,
        Some("E") => TxStatus::Failed,
        Some(o) => return Err(format!("status {o}").into()),
    })
}

fn type_by_name(name: &str) -> Res<(Oid, i16)> {
    Ok(match name {
        "bool" => (16, 1),
        "bytea" => (17, -1),
        "char" => (18, 1),
        "name" => (19, 64),
        "int8" => (20, 8),
        "int2" => (21, 2),
        "int4" => (23, 4),
        "text" => (25, -1),
        "oid" => (26, 4),
        "float8" => (701, 8),
        "varchar" => (1043, -1),
        "numeric" => (1700, -1),
        "timestamptz" => (1184, 8),
        t => return Err(format!("type {t} not in the test table").into()),
    })
}

fn show_call(call: &Call) -> String {
    match call {
        Call::CopyData(b) => format!("CopyData({})", show_bytes(b)),
        other => format!("{other:?}"),
    }
}

fn show_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if s.chars().all(|c| !c.is_control() || c == '\n' || c == '\t') => format!("{s:?}"),
        _ => format!("x:{}", hex(b)),
    }
}

fn show_fields(mut fields: postgres_protocol::message::backend::ErrorFields<'_>) -> Res<String> {
    let mut parts = Vec::new();
    while let Some(f) = fields.next()? {
        let value = String::from_utf8_lossy(f.value_bytes());
        parts.push(format!("{}={:?}", f.type_() as char, value));
    }
    Ok(parts.join(" "))
}

/// How many leading bytes of `buf` form whole backend frames (after
/// `single` one-byte SSL/GSS answers).
fn whole_frames(buf: &[u8], single: usize) -> usize {
    let mut at = single.min(buf.len());
    while buf.len() >= at + 5 {
        let len = i32::from_be_bytes([buf[at + 1], buf[at + 2], buf[at + 3], buf[at + 4]]);
        let end = at + 1 + len as usize;
        if end > buf.len() {
            break;
        }
        at = end;
    }
    at
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Res<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).ok_or("odd hex")?, 16).map_err(Into::into))
        .collect()
}

/// The client side of SCRAM-SHA-256, written independently of the server's.
fn scram_client_final(password: &str, bare: &str, server_first: &str) -> Res<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let attr = |k: &str| {
        server_first
            .split(',')
            .find_map(|a| a.strip_prefix(k))
            .map(str::to_string)
            .ok_or("bad server-first")
    };
    let (nonce, salt, iterations) = (attr("r=")?, b64.decode(attr("s=")?)?, attr("i=")?.parse()?);
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut salted);
    let mac = |key: &[u8], msg: &[u8]| -> Res<Vec<u8>> {
        let mut m = Hmac::<Sha256>::new_from_slice(key)?;
        m.update(msg);
        Ok(m.finalize().into_bytes().to_vec())
    };
    let client_key = mac(&salted, b"Client Key")?;
    let stored = Sha256::digest(&client_key);
    let without_proof = format!("c=biws,r={nonce}");
    let auth_message = format!("{bare},{server_first},{without_proof}");
    let sig = mac(&stored, auth_message.as_bytes())?;
    let proof: Vec<u8> = client_key.iter().zip(sig).map(|(a, b)| a ^ b).collect();
    Ok(format!("{without_proof},p={}", b64.encode(proof)))
}

#[test]
fn exchange_scripts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/scripts exists")
        .map(|e| e.expect("dir entry").path())
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "expected the exchange scripts in {}",
        dir.display()
    );
    let updating = std::env::var_os("UPDATE_GOLDENFILES").is_some();
    let mut failures = Vec::new();
    for path in &paths {
        let modes: &[Chunking] = if updating {
            &[Chunking::Whole]
        } else {
            &[
                Chunking::Whole,
                Chunking::Bytewise,
                Chunking::Random(0x5eed),
                Chunking::Random(7),
            ]
        };
        for &mode in modes {
            let result =
                std::panic::catch_unwind(|| goldenscript::run(&mut Runner::new(mode), path));
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("{} [{mode:?}]: {e}", path.display())),
                Err(_) => failures.push(format!("{} [{mode:?}]: panicked", path.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
