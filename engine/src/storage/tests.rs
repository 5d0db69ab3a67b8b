//! Storage tests: framing, payload codecs, and crash images.
//!
//! A "crash image" is a copy of the database directory's files (without
//! the lock) taken while the database is open, after the commits of
//! interest were acknowledged: exactly what a `kill -9` at that instant
//! leaves on disk (the page cache survives a process crash). Opening the
//! copy is recovery.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use twill_types::{FormatSettings, Interval, Numeric, Value};

use super::codec::{Reader, Writer};
use super::record::{self, FILE_HEADER, FileHeader, RecordType, WAL_MAGIC};
use crate::mvcc::{
    Change, CheckDef, ColumnDef, CommitRecord, ForeignKeyDef, IndexDef, Key, ReferentialAction,
    RelationKind, SequenceDef, TableDef, TableId,
};
use crate::session::{Database, Output, Session};

/// A fresh, empty directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "twill-storage-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Copies the files of an open database: a crash image.
fn crash_image(from: &Path, tag: &str) -> PathBuf {
    let to = temp_dir(tag);
    std::fs::create_dir_all(&to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name != "lock" {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy");
        }
    }
    to
}

fn open(dir: &Path) -> Result<Database, crate::SqlError> {
    Database::open(&format!("file://{}", dir.display()))
}

fn connect(db: &Database) -> Session {
    db.connect("test", &[]).expect("session")
}

fn ok(s: &mut Session, sql: &str) -> Vec<Output> {
    let out = s.simple_query(sql);
    if let Some(Output::Error(e)) = out.iter().find(|o| matches!(o, Output::Error(_))) {
        panic!("{sql}: {e:?}");
    }
    out
}

fn rows(out: &[Output]) -> Vec<Vec<Value>> {
    out.iter()
        .filter_map(|o| match o {
            Output::Rows(r) => Some(r.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int4(i) => i64::from(*i),
        Value::Int8(i) => *i,
        other => panic!("not an int: {other:?}"),
    }
}

/// Every table's rows, as text, for comparing databases.
fn dump(s: &mut Session, tables: &[&str]) -> Vec<Vec<Vec<Value>>> {
    tables
        .iter()
        .map(|t| rows(&ok(s, &format!("SELECT * FROM {t} ORDER BY 1"))))
        .collect()
}

#[test]
fn record_framing_round_trips() {
    let mut buf = Vec::new();
    FileHeader {
        magic: *WAL_MAGIC,
        database_id: 7,
        number: 3,
        lsn: 41,
    }
    .encode(&mut buf);
    assert_eq!(buf.len(), FILE_HEADER);
    record::encode(&mut buf, RecordType::Commit, 41, b"hello");
    record::encode(&mut buf, RecordType::Sequence, 42, b"");
    record::encode(&mut buf, RecordType::Commit, 43, &[0xab; 300]);
    let header = FileHeader::decode(&buf, WAL_MAGIC).expect("header");
    assert_eq!((header.database_id, header.number, header.lsn), (7, 3, 41));
    let (records, bad) = record::scan(&buf[FILE_HEADER..]);
    assert!(bad.is_none());
    let got: Vec<_> = records
        .iter()
        .map(|(_, r)| (r.ty, r.lsn, r.payload.to_vec()))
        .collect();
    assert_eq!(
        got,
        vec![
            (RecordType::Commit, 41, b"hello".to_vec()),
            (RecordType::Sequence, 42, Vec::new()),
            (RecordType::Commit, 43, vec![0xab; 300]),
        ]
    );
    // Every cut inside the last record is a truncation, and nothing valid
    // follows it.
    let last = records[2].0;
    let body = &buf[FILE_HEADER..];
    for cut in last + 1..body.len() {
        let (rs, bad) = record::scan(&body[..cut]);
        assert_eq!(rs.len(), 2);
        let (at, _) = bad.expect("bad tail");
        assert_eq!(at, last);
        assert!(!record::valid_record_after(&body[..cut], at, 42));
    }
    // A flipped bit in the middle record is followed by a valid one.
    let mut damaged = body.to_vec();
    damaged[records[1].0 + 5] ^= 0x10;
    let (rs, bad) = record::scan(&damaged);
    assert_eq!(rs.len(), 1);
    let (at, _) = bad.expect("bad record");
    assert!(record::valid_record_after(&damaged, at, 41));
}

#[test]
fn commit_records_round_trip_every_field() {
    let mut def = TableDef::new("public.t");
    def.id = TableId(9);
    def.columns = vec![
        ColumnDef {
            default: Some("nextval('t_id_seq')".into()),
            identity: true,
            identity_always: true,
            nullable: false,
            typmod: 24,
            ..ColumnDef::new("id", twill_types::oid::INT8)
        },
        ColumnDef::new("n", twill_types::oid::NUMERIC),
    ];
    def.primary_key = Some(vec![0]);
    def.indexes = vec![IndexDef {
        name: "t_n_key".into(),
        columns: vec![1],
        unique: true,
    }];
    def.checks = vec![CheckDef {
        name: "t_n_check".into(),
        expr: "n > 0".into(),
    }];
    def.foreign_keys = vec![ForeignKeyDef {
        name: "t_fk".into(),
        columns: vec![1],
        ref_table: "public.u".into(),
        ref_columns: vec![0],
        on_delete: ReferentialAction::Cascade,
        on_update: ReferentialAction::SetDefault,
    }];
    def.depends_on = vec!["public.u".into()];
    let mut seq = TableDef::new("public.t_id_seq");
    seq.id = TableId(10);
    seq.kind = RelationKind::Sequence(SequenceDef {
        start: 5,
        increment: -2,
        min: -100,
        max: 5,
        cycle: true,
        owned_by: Some(("public.t".into(), "id".into())),
    });
    let mut view = TableDef::new("public.v");
    view.kind = RelationKind::View {
        query: "SELECT 1".into(),
    };
    let mut schema = TableDef::new("s");
    schema.kind = RelationKind::Schema;
    let settings = FormatSettings::default();
    let row: Vec<Value> = vec![
        Value::Null,
        Value::Bool(true),
        Value::Int2(-3),
        Value::Int4(i32::MIN),
        Value::Int8(i64::MAX),
        Value::Float4(1.5),
        Value::Float8(f64::NEG_INFINITY),
        Value::Numeric("-12345.678900".parse::<Numeric>().expect("numeric")),
        Value::Text("héllo\0?".replace('\0', "")),
        Value::Bytea(vec![0, 1, 255]),
        Value::Char(b'x'),
        Value::Date(-5),
        Value::Time(1_000_000),
        Value::Timestamp(i64::MIN),
        Value::TimestampTz(42),
        Value::Interval(Interval {
            months: 1,
            days: 2,
            micros: 3,
        }),
        Value::Uuid([7; 16]),
        Value::Json("{\"a\": 1}".into()),
        Value::Jsonb("{\"a\": 1}".into()),
        Value::Oid(12),
    ];
    let record = CommitRecord {
        txn: 77,
        csn: 12,
        changes: vec![
            Change::CreateTable(Arc::new(def.clone())),
            Change::CreateTable(Arc::new(seq)),
            Change::CreateTable(Arc::new(view)),
            Change::AlterTable(Arc::new(schema)),
            Change::Put {
                table: TableId(9),
                key: Key::encode(&[Value::Int8(1)]),
                row: row.into(),
            },
            Change::Delete {
                table: TableId(9),
                key: Key::encode(&[Value::Int8(2)]),
            },
            Change::DropTable {
                id: TableId(3),
                name: "old".into(),
            },
        ],
    };
    let mut w = Writer::default();
    w.commit(&record, &settings);
    let back = Reader::new(&w.out).commit(&settings).expect("decodes");
    assert_eq!(back, record);
    // Truncated payloads fail cleanly.
    for cut in 0..w.out.len() {
        assert!(Reader::new(&w.out[..cut]).commit(&settings).is_err());
    }
}

/// The last log segment of a database directory.
fn last_segment(dir: &Path) -> PathBuf {
    let mut segs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("wal-"))
        })
        .collect();
    segs.sort();
    segs.pop().expect("a segment")
}

/// The offsets (in the file) of the records of a segment.
fn record_offsets(path: &Path) -> (Vec<usize>, usize) {
    let bytes = std::fs::read(path).expect("segment");
    let (records, bad) = record::scan(&bytes[FILE_HEADER..]);
    assert!(bad.is_none());
    (
        records.iter().map(|(at, _)| at + FILE_HEADER).collect(),
        bytes.len(),
    )
}

#[test]
fn torn_tail_at_every_offset_is_cut_and_the_rest_recovers() {
    let dir = temp_dir("torn");
    let db = open(&dir).expect("open");
    let mut s = connect(&db);
    ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY, v text)");
    for i in 1..=5 {
        ok(&mut s, &format!("INSERT INTO t VALUES ({i}, 'value {i}')"));
    }
    let image = crash_image(&dir, "torn-image");
    drop(s);
    drop(db);
    let seg = last_segment(&image);
    let (offsets, len) = record_offsets(&seg);
    let last = *offsets.last().expect("records");
    let original = std::fs::read(&seg).expect("read");
    for cut in last..=len {
        let copy = crash_image(&image, "torn-cut");
        let seg_copy = copy.join(seg.file_name().expect("name"));
        std::fs::write(&seg_copy, &original[..cut]).expect("cut");
        let db = open(&copy).unwrap_or_else(|e| panic!("cut at {cut}: {e:?}"));
        let mut s = connect(&db);
        let ids: Vec<i64> = rows(&ok(&mut s, "SELECT id FROM t ORDER BY id"))
            .iter()
            .map(|r| int(&r[0]))
            .collect();
        let expect: Vec<i64> = if cut == len {
            (1..=5).collect()
        } else {
            (1..=4).collect()
        };
        assert_eq!(ids, expect, "cut at {cut}");
        // The database goes on after the cut.
        ok(&mut s, "INSERT INTO t VALUES (100, 'after')");
        drop(s);
        drop(db);
        let db = open(&copy).expect("reopen");
        let mut s = connect(&db);
        let n = rows(&ok(&mut s, "SELECT count(*) FROM t"));
        assert_eq!(int(&n[0][0]), expect.len() as i64 + 1, "cut at {cut}");
        drop(s);
        drop(db);
        let _ = std::fs::remove_dir_all(&copy);
    }
    let _ = std::fs::remove_dir_all(&image);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flipped_bit_in_a_middle_record_refuses_to_open() {
    let dir = temp_dir("flip");
    let db = open(&dir).expect("open");
    let mut s = connect(&db);
    ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY)");
    for i in 1..=5 {
        ok(&mut s, &format!("INSERT INTO t VALUES ({i})"));
    }
    let image = crash_image(&dir, "flip-image");
    drop(s);
    drop(db);
    let seg = last_segment(&image);
    let (offsets, _) = record_offsets(&seg);
    let mut bytes = std::fs::read(&seg).expect("read");
    let victim = offsets[2];
    bytes[victim + 20] ^= 0x04;
    std::fs::write(&seg, &bytes).expect("write");
    let err = open(&image).expect_err("must refuse");
    assert_eq!(err.code.code(), "XX001", "{err:?}");
    let name = seg
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(err.message.contains(&name), "{}", err.message);
    assert!(
        err.message.contains(&format!("offset {victim}")),
        "{}",
        err.message
    );
    let _ = std::fs::remove_dir_all(&image);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_and_replay_equal_the_original() {
    let dir = temp_dir("ckpt");
    let db = open(&dir).expect("open");
    let mut s = connect(&db);
    ok(
        &mut s,
        "CREATE TABLE a (id int PRIMARY KEY, name text UNIQUE, n numeric, at timestamptz)",
    );
    ok(&mut s, "CREATE TABLE b (x int, y text)");
    ok(&mut s, "CREATE INDEX b_x ON b (x)");
    for i in 0..200 {
        ok(
            &mut s,
            &format!(
                "INSERT INTO a VALUES ({i}, 'n{i}', {i}.25, now()); INSERT INTO b VALUES ({i}, 'y{i}')"
            ),
        );
    }
    ok(&mut s, "UPDATE a SET n = n * 2 WHERE id % 3 = 0");
    ok(&mut s, "DELETE FROM b WHERE x % 4 = 1");
    ok(&mut s, "CHECKPOINT");
    ok(&mut s, "CREATE TABLE c (id serial PRIMARY KEY, v int)");
    ok(&mut s, "DROP TABLE b");
    ok(&mut s, "CREATE TABLE b (x int PRIMARY KEY)");
    ok(&mut s, "INSERT INTO b VALUES (1), (2)");
    ok(&mut s, "INSERT INTO c (v) VALUES (1), (2), (3)");
    ok(&mut s, "UPDATE a SET name = 'renamed' WHERE id = 7");
    ok(&mut s, "DELETE FROM a WHERE id > 150");
    ok(&mut s, "CREATE TABLE d (x int)");
    ok(&mut s, "INSERT INTO d VALUES (1), (2), (3)");
    ok(&mut s, "DELETE FROM d WHERE x = 2");
    let tables = ["a", "b", "c", "d"];
    let before = dump(&mut s, &tables);
    let image = crash_image(&dir, "ckpt-image");
    // Only the log after the checkpoint is left.
    let names: Vec<String> = std::fs::read_dir(&image)
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("checkpoint-")),
        "{names:?}"
    );
    drop(s);
    drop(db);
    let db = open(&image).expect("recover");
    let mut s = connect(&db);
    assert_eq!(dump(&mut s, &tables), before);
    // Indexes and keys work after recovery.
    let out = s.simple_query("INSERT INTO a VALUES (1000, 'renamed', 1, now())");
    assert!(
        matches!(out.last(), Some(Output::Error(e)) if e.code.code() == "23505"),
        "{out:?}"
    );
    ok(&mut s, "INSERT INTO c (v) VALUES (4)");
    // Hidden row ids continue after the recovered ones.
    ok(&mut s, "INSERT INTO d VALUES (4), (5)");
    assert_eq!(rows(&ok(&mut s, "SELECT x FROM d")).len(), 4);
    let ids: Vec<i64> = rows(&ok(&mut s, "SELECT id FROM c ORDER BY id"))
        .iter()
        .map(|r| int(&r[0]))
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(ids[3] > 3, "{ids:?}");
    // A clean shutdown checkpoints; reopening gives the same again.
    let after = dump(&mut s, &tables);
    drop(s);
    drop(db);
    let db = open(&image).expect("reopen");
    let mut s = connect(&db);
    assert_eq!(dump(&mut s, &tables), after);
    drop(s);
    drop(db);
    let _ = std::fs::remove_dir_all(&image);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sequences_never_repeat_after_a_crash() {
    let dir = temp_dir("seq");
    let db = open(&dir).expect("open");
    let mut s = connect(&db);
    ok(&mut s, "CREATE SEQUENCE s");
    let mut last = 0;
    for _ in 0..40 {
        last = int(&rows(&ok(&mut s, "SELECT nextval('s')"))[0][0]);
    }
    assert_eq!(last, 40);
    // A crash image taken now, and one after a checkpoint.
    let image = crash_image(&dir, "seq-image");
    ok(&mut s, "CHECKPOINT");
    let next = int(&rows(&ok(&mut s, "SELECT nextval('s')"))[0][0]);
    assert_eq!(next, 41);
    let image2 = crash_image(&dir, "seq-image2");
    drop(s);
    drop(db);
    for (image, handed_out) in [(&image, 40), (&image2, 41)] {
        let db = open(image).expect("recover");
        let mut s = connect(&db);
        let v = int(&rows(&ok(&mut s, "SELECT nextval('s')"))[0][0]);
        assert!(v > handed_out, "{v} after {handed_out}");
        drop(s);
        drop(db);
        let _ = std::fs::remove_dir_all(image);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = temp_dir("lock");
    let db = open(&dir).expect("open");
    let err = open(&dir).expect_err("locked");
    assert_eq!(err.code.code(), "55006");
    assert!(
        err.message.contains("is in use by another server"),
        "{}",
        err.message
    );
    drop(db);
    open(&dir).expect("open again after close");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn synchronous_commit_off_is_durable_after_the_writer_runs() {
    let dir = temp_dir("async");
    let db = open(&dir).expect("open");
    let mut s = connect(&db);
    ok(&mut s, "SET synchronous_commit = off");
    ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY)");
    ok(&mut s, "INSERT INTO t VALUES (1)");
    std::thread::sleep(super::WRITER_INTERVAL * 3);
    let image = crash_image(&dir, "async-image");
    drop(s);
    drop(db);
    let db = open(&image).expect("recover");
    let mut s = connect(&db);
    assert_eq!(rows(&ok(&mut s, "SELECT id FROM t")).len(), 1);
    drop(s);
    drop(db);
    let _ = std::fs::remove_dir_all(&image);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backend whose log appends fail from the `fail_at`th on: a disk that
/// reports an fsync error.
struct FailingBackend {
    fail_at: usize,
}

struct FailingLog {
    appends: usize,
    fail_at: usize,
    len: u64,
}

impl super::backend::LogFile for FailingLog {
    fn append_durable(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.appends += 1;
        if self.appends >= self.fail_at {
            return Err(std::io::Error::other("injected fsync failure"));
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn len(&self) -> u64 {
        self.len
    }
}

impl super::backend::Backend for FailingBackend {
    fn list(&self) -> std::io::Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn read(&self, _: &str) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn write_atomic(&self, _: &str, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn remove(&self, _: &str) -> std::io::Result<()> {
        Ok(())
    }
    fn truncate(&self, _: &str, _: u64) -> std::io::Result<()> {
        Ok(())
    }
    fn create_log(
        &self,
        _: &str,
        header: &[u8],
    ) -> std::io::Result<Box<dyn super::backend::LogFile>> {
        Ok(Box::new(FailingLog {
            appends: 0,
            fail_at: self.fail_at,
            len: header.len() as u64,
        }))
    }
    fn describe(&self) -> String {
        "failing".into()
    }
}

#[test]
fn an_fsync_error_is_fatal_and_sticky() {
    let storage = super::Storage::open(Arc::new(FailingBackend { fail_at: 2 })).expect("open");
    let db = Database::from_storage_for_tests(storage);
    let mut s = connect(&db);
    ok(&mut s, "CREATE TABLE t (id int PRIMARY KEY)");
    let out = s.simple_query("INSERT INTO t VALUES (1)");
    match out.last() {
        Some(Output::Error(e)) => assert_eq!(e.code.code(), "58030", "{e:?}"),
        other => panic!("expected 58030, got {other:?}"),
    }
    // Never retried: every later commit fails too.
    for i in 2..5 {
        let out = s.simple_query(&format!("INSERT INTO t VALUES ({i})"));
        match out.last() {
            Some(Output::Error(e)) => assert_eq!(e.code.code(), "58030", "{e:?}"),
            other => panic!("expected 58030, got {other:?}"),
        }
    }
    let out = s.simple_query("CHECKPOINT");
    assert!(matches!(out.last(), Some(Output::Error(e)) if e.code.code() == "58030"));
}
