//! Opening a database: the control file, the checkpoint it names, then the
//! log after it.
//!
//! 1. Leftover `*.tmp` files (a checkpoint or segment being written when
//!    the process died) are removed: nothing points at them.
//! 2. No control file and no other files: a new database (a random id, no
//!    checkpoint, the log starting at LSN 1). Files without a control file
//!    are refused.
//! 3. The checkpoint the control file names is loaded whole (every record
//!    checked, an `End` record required), tables with their own ids.
//! 4. Every log segment is read in order; records before the redo LSN are
//!    skipped, the rest must be consecutive and are applied
//!    (`Engine::apply_committed`, which forces table ids, so later records
//!    find their tables).
//! 5. A record that does not check out ends the log. If it is in the last
//!    segment and no valid record follows it anywhere in that segment, it
//!    is a torn tail — a write cut short by the crash, never acknowledged —
//!    and is cut off (logged with a warning). Otherwise the log is damaged
//!    in the middle and opening fails with the segment and offset:
//!    skipping it would silently lose acknowledged commits.
//! 6. Sequences are restored to their last logged state (checkpoint, then
//!    log, in order), which is at or ahead of every value handed out.
//!
//! The log then continues in a new segment, so no write ever lands after
//! a tail that recovery had to judge.

use std::collections::HashMap;
use std::sync::Arc;

use twill_types::FormatSettings;

use super::backend::Backend;
use super::checkpoint::{self, CONTROL};
use super::codec::{self, Reader};
use super::record::{
    self, CHECKPOINT_MAGIC, CONTROL_MAGIC, FILE_HEADER, FileHeader, RecordType, WAL_MAGIC,
};
use super::wal::segment_name;
use super::{corrupted, io_error};
use crate::mvcc::{
    Change, CommitRecord, Engine, EngineConfig, IsolationLevel, RelationKind, TableId,
};
use crate::sql::error::SqlError;
use crate::sql::sequence::Sequences;

/// What recovery hands the log.
pub(crate) struct Recovered {
    /// The recovered store.
    pub(crate) engine: Engine,
    /// The database's id.
    pub(crate) database_id: u64,
    /// The current checkpoint's number (0: none).
    pub(crate) checkpoint: u64,
    /// The LSN of the next record.
    pub(crate) next_lsn: u64,
    /// The number for the next segment.
    pub(crate) next_segment: u64,
    /// Segments on disk: number and first LSN.
    pub(crate) segments: Vec<(u64, u64)>,
    /// The last logged state of each sequence.
    pub(crate) sequence_states: HashMap<TableId, (i64, bool)>,
}

fn io(what: &str) -> impl Fn(std::io::Error) -> SqlError + '_ {
    move |e| io_error(format!("could not {what}: {e}"))
}

/// Recovers the database in `backend` (see the module docs).
pub(crate) fn recover(backend: &dyn Backend) -> Result<Recovered, SqlError> {
    let names = backend.list().map_err(io("list the database directory"))?;
    for name in names.iter().filter(|n| n.ends_with(".tmp")) {
        backend
            .remove(name)
            .map_err(io("remove a temporary file"))?;
    }
    let mut segments: Vec<u64> = names
        .iter()
        .filter_map(|n| n.strip_prefix("wal-"))
        .filter(|n| !n.ends_with(".tmp"))
        .filter_map(|n| u64::from_str_radix(n, 16).ok())
        .collect();
    segments.sort_unstable();
    let where_ = backend.describe();
    let control = if names.iter().any(|n| n == CONTROL) {
        let bytes = backend.read(CONTROL).map_err(io("read the control file"))?;
        FileHeader::decode(&bytes, CONTROL_MAGIC)
            .map_err(|e| corrupted(format!("control file of \"{where_}\": {e}")))?
    } else {
        if !segments.is_empty() || names.iter().any(|n| n.starts_with("checkpoint-")) {
            return Err(corrupted(format!(
                "database directory \"{where_}\" has log or checkpoint files but no control file"
            )));
        }
        let database_id = fastrand::u64(1..);
        checkpoint::write_control(backend, database_id, 0, 1)
            .map_err(io("create the control file"))?;
        FileHeader {
            magic: *CONTROL_MAGIC,
            database_id,
            number: 0,
            lsn: 1,
        }
    };
    let engine = Engine::new(EngineConfig::default());
    let mut sequence_states = HashMap::new();
    if control.number > 0 {
        let name = checkpoint::file_name(control.number);
        let bytes = backend.read(&name).map_err(io("read the checkpoint"))?;
        let expect = FileHeader {
            magic: *CHECKPOINT_MAGIC,
            ..control
        };
        let loaded = checkpoint::read(&bytes, &expect)
            .map_err(|e| corrupted(format!("checkpoint \"{name}\" in \"{where_}\": {e}")))?;
        for (def, rows) in loaded.tables {
            let def = Arc::new(def);
            let mut changes = Vec::with_capacity(rows.len() + 1);
            changes.push(Change::CreateTable(def.clone()));
            changes.extend(rows.into_iter().map(|(key, row)| Change::Put {
                table: def.id,
                key,
                row,
            }));
            engine.apply_committed(&CommitRecord {
                txn: 0,
                csn: loaded.csn,
                changes,
            });
        }
        engine.apply_committed(&CommitRecord {
            txn: 0,
            csn: loaded.csn,
            changes: Vec::new(),
        });
        engine.reserve_table_ids(loaded.next_table_id);
        for (id, last, is_called) in loaded.sequences {
            sequence_states.insert(id, (last, is_called));
        }
    }

    let redo = control.lsn;
    let mut expected = redo;
    let mut on_disk = Vec::new();
    let settings = FormatSettings::default();
    for (i, &number) in segments.iter().enumerate() {
        let name = segment_name(number);
        let bad_segment = |at: usize, why: String| {
            corrupted(format!(
                "corrupt write-ahead log in \"{where_}\": segment \"{name}\" at offset {at}: {why}"
            ))
        };
        let bytes = backend.read(&name).map_err(io("read a log segment"))?;
        let header = FileHeader::decode(&bytes, WAL_MAGIC).map_err(|e| bad_segment(0, e))?;
        if header.database_id != control.database_id || header.number != number {
            return Err(bad_segment(0, "segment belongs to another database".into()));
        }
        if header.lsn > expected && header.lsn > redo {
            return Err(bad_segment(
                0,
                format!("records {expected} to {} are missing", header.lsn - 1),
            ));
        }
        on_disk.push((number, header.lsn));
        let body = &bytes[FILE_HEADER..];
        let (records, bad) = record::scan(body);
        let mut last_lsn = header.lsn.saturating_sub(1);
        for (at, r) in &records {
            let at = at + FILE_HEADER;
            last_lsn = r.lsn;
            if r.lsn < redo {
                continue;
            }
            if r.lsn != expected {
                return Err(bad_segment(
                    at,
                    format!("expected record {expected}, found {}", r.lsn),
                ));
            }
            expected += 1;
            match r.ty {
                RecordType::Commit => {
                    let commit = Reader::new(r.payload)
                        .commit(&settings)
                        .map_err(|e| bad_segment(at, e))?;
                    if commit.csn > engine.last_csn() {
                        engine.apply_committed(&commit);
                    }
                }
                RecordType::Sequence => {
                    let (id, last, is_called) =
                        codec::read_sequence_state(r.payload).map_err(|e| bad_segment(at, e))?;
                    sequence_states.insert(id, (last, is_called));
                }
                other => {
                    return Err(bad_segment(at, format!("unexpected {other:?} record")));
                }
            }
        }
        if let Some((at, why)) = bad {
            let last_segment = i + 1 == segments.len();
            if !last_segment || record::valid_record_after(body, at, last_lsn) {
                return Err(bad_segment(at + FILE_HEADER, why.to_string()));
            }
            let cut = body.len() - at;
            tracing::warn!(
                segment = %name,
                offset = at + FILE_HEADER,
                bytes = cut,
                "write-ahead log ends in a torn record ({why}); cutting it off"
            );
            backend
                .truncate(&name, (FILE_HEADER + at) as u64)
                .map_err(io("cut the torn log tail"))?;
        }
    }
    Ok(Recovered {
        engine,
        database_id: control.database_id,
        checkpoint: control.number,
        next_lsn: expected,
        next_segment: segments.last().map_or(1, |n| n + 1),
        segments: on_disk,
        sequence_states,
    })
}

/// Creates the counters of every live sequence and sets them to their
/// last logged state.
pub(crate) fn restore_sequences(
    engine: &Engine,
    sequences: &Sequences,
    states: &HashMap<TableId, (i64, bool)>,
) {
    let mut txn = engine.begin(IsolationLevel::ReadCommitted);
    if txn.begin_statement().is_err() {
        return;
    }
    let names = txn.table_names().unwrap_or_default();
    for name in names {
        let Ok(def) = txn.table(&name) else {
            continue;
        };
        if let RelationKind::Sequence(seq) = &def.kind {
            let short = crate::sql::catalog::split_key(&def.name).1;
            sequences.create(def.id, short, seq);
            if let Some(&(last, is_called)) = states.get(&def.id) {
                sequences.restore(def.id, last, is_called);
            }
        }
    }
    txn.rollback();
}
