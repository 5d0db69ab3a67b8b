//! Checkpoint and control files.
//!
//! A checkpoint is a consistent image of every table at one CSN, plus the
//! sequences' logged states, plus the *redo LSN*: the first log record
//! not reflected in it. It is written whole to a temporary file, fsynced,
//! renamed into place, and the directory fsynced; only then does the
//! control file (replaced the same way) point at it, and only then are
//! older checkpoints and log segments deleted. A crash at any step leaves
//! either the old control file with its old checkpoint and log, or the new
//! one with everything it needs.
//!
//! ```text
//!   checkpoint-N:  header(magic, version, database id, N, redo LSN)
//!                  Control{csn, next table id}  Table{def}  Rows{id, (key,row)…}…
//!                  Sequence{id, last, is_called}…  End{record count}
//!   control:       header(magic, version, database id, N, redo LSN)   (N = 0: no checkpoint)
//! ```
//!
//! The image is consistent because the CSN and the redo LSN are fixed
//! under the store lock in one step (`Engine::checkpoint_read`): every
//! commit at or before the CSN has appended its record before the redo
//! LSN, every later one after it.

use std::io;

use twill_types::FormatSettings;

use super::backend::Backend;
use super::codec::{self, Reader, Writer};
use super::record::{self, CHECKPOINT_MAGIC, CONTROL_MAGIC, FILE_HEADER, FileHeader, RecordType};
use crate::mvcc::{EngineImage, Key, Row, TableDef, TableId};

/// Rows per `Rows` record.
const ROWS_PER_RECORD: usize = 1000;

/// The name of checkpoint `n`.
pub(crate) fn file_name(n: u64) -> String {
    format!("checkpoint-{n:016x}")
}

/// The control file's name.
pub(crate) const CONTROL: &str = "control";

/// Writes checkpoint `number` and makes the control file point at it.
pub(crate) fn write(
    backend: &dyn Backend,
    database_id: u64,
    number: u64,
    redo: u64,
    image: &EngineImage,
    sequences: &[(TableId, i64, bool)],
) -> io::Result<()> {
    let settings = FormatSettings::default();
    let mut out = Vec::new();
    FileHeader {
        magic: *CHECKPOINT_MAGIC,
        database_id,
        number,
        lsn: redo,
    }
    .encode(&mut out);
    let n = std::cell::Cell::new(0u64);
    let put = |out: &mut Vec<u8>, ty: RecordType, payload: &[u8]| {
        record::encode(out, ty, n.get(), payload);
        n.set(n.get() + 1);
    };
    let mut w = Writer::default();
    w.u64(image.csn);
    w.u64(image.next_table_id);
    put(&mut out, RecordType::Control, &w.out);
    for (def, rows) in &image.tables {
        let mut w = Writer::default();
        w.table_def(def);
        put(&mut out, RecordType::Table, &w.out);
        for chunk in rows.chunks(ROWS_PER_RECORD) {
            let mut w = Writer::default();
            w.u64(def.id.0);
            w.u32(chunk.len() as u32);
            for (key, row) in chunk {
                w.bytes(key.as_bytes());
                w.row(row, &settings);
            }
            put(&mut out, RecordType::Rows, &w.out);
        }
    }
    for &(id, last, is_called) in sequences {
        put(
            &mut out,
            RecordType::Sequence,
            &codec::sequence_state(id, last, is_called),
        );
    }
    let count = n.get();
    let mut w = Writer::default();
    w.u64(count);
    put(&mut out, RecordType::End, &w.out);
    backend.write_atomic(&file_name(number), &out)?;
    write_control(backend, database_id, number, redo)
}

/// Replaces the control file.
pub(crate) fn write_control(
    backend: &dyn Backend,
    database_id: u64,
    number: u64,
    redo: u64,
) -> io::Result<()> {
    let mut out = Vec::new();
    FileHeader {
        magic: *CONTROL_MAGIC,
        database_id,
        number,
        lsn: redo,
    }
    .encode(&mut out);
    backend.write_atomic(CONTROL, &out)
}

/// A checkpoint read back.
pub(crate) struct Loaded {
    /// The CSN of the image.
    pub(crate) csn: u64,
    /// The next table id.
    pub(crate) next_table_id: u64,
    /// Tables with their rows.
    pub(crate) tables: Vec<(TableDef, Vec<(Key, Row)>)>,
    /// Sequence states.
    pub(crate) sequences: Vec<(TableId, i64, bool)>,
}

/// Reads and checks a whole checkpoint file.
pub(crate) fn read(bytes: &[u8], header: &FileHeader) -> Result<Loaded, String> {
    let found = FileHeader::decode(bytes, CHECKPOINT_MAGIC)?;
    if found != *header {
        return Err("header does not match the control file".into());
    }
    let (records, bad) = record::scan(&bytes[FILE_HEADER..]);
    if let Some((at, why)) = bad {
        return Err(format!("offset {}: {why}", at + FILE_HEADER));
    }
    let settings = FormatSettings::default();
    let mut loaded = Loaded {
        csn: 0,
        next_table_id: 1,
        tables: Vec::new(),
        sequences: Vec::new(),
    };
    let mut ended = false;
    for (i, (_, r)) in records.iter().enumerate() {
        if r.lsn != i as u64 || ended {
            return Err("records out of order".into());
        }
        let mut p = Reader::new(r.payload);
        match r.ty {
            RecordType::Control => {
                loaded.csn = p.u64()?;
                loaded.next_table_id = p.u64()?;
            }
            RecordType::Table => loaded.tables.push((p.table_def()?, Vec::new())),
            RecordType::Rows => {
                let id = TableId(p.u64()?);
                let n = p.u32()?;
                let Some((def, rows)) = loaded.tables.last_mut() else {
                    return Err("rows before their table".into());
                };
                if def.id != id {
                    return Err("rows of another table".into());
                }
                for _ in 0..n {
                    let key = Key::from_bytes(p.bytes()?.to_vec());
                    rows.push((key, p.row(&settings)?));
                }
            }
            RecordType::Sequence => loaded
                .sequences
                .push(codec::read_sequence_state(r.payload)?),
            RecordType::End => {
                if p.u64()? != i as u64 {
                    return Err("record count mismatch".into());
                }
                ended = true;
            }
            RecordType::Commit => return Err("unexpected record type".into()),
        }
    }
    if !ended {
        return Err("checkpoint is incomplete".into());
    }
    Ok(loaded)
}
