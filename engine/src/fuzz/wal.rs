//! The `wal` target: arbitrary bytes as a database's log, recovered from
//! an in-memory backend (no file system per exec).
//!
//! The input's first byte picks how the bytes become files, because
//! random bytes alone almost never pass a checksum:
//!
//! ```text
//!   flags & 3 == 0   raw       the rest is segment 1, header included
//!   flags & 3 == 1   framed    the rest is [type u8][len u16 LE][payload]…,
//!                              framed here with valid checksums and
//!                              consecutive LSNs (type bit 7: skip one LSN);
//!                              bytes that do not parse become a raw tail
//!   flags & 3 == 2   two       the rest, cut at its first two bytes (u16 LE),
//!                              is segments 1 and 2, raw
//!   flags & 4        the control file's redo LSN is 2, not 1
//!   flags & 8        the control file names another database
//! ```
//!
//! Raw mode reaches the framing and the torn-tail logic; framed mode gets
//! arbitrary payloads past the checksums into the record codec and into
//! `Engine::apply_committed`. Seeds are real segments the engine wrote
//! (`replay.rs`, `write_seeds`), in both shapes.
//!
//! Invariants:
//!
//! * recovery either succeeds or refuses with XX001 (data corrupted);
//! * on success it replayed a prefix of the valid records: the next LSN is
//!   at most the redo LSN plus the records that decode; no file but the
//!   last segment changed, and that one only lost a tail;
//! * what recovery left behind recovers again, cleanly: no file changes
//!   and the same store (compared as a checkpoint image).

use std::collections::BTreeMap;

use crate::mvcc::Engine;
use crate::storage::fuzzing::{
    CONTROL, CONTROL_MAGIC, FILE_HEADER, FileHeader, MemBackend, RecordType, WAL_MAGIC,
    encode_record, recover, scan, segment_name,
};

/// The database id of the framed segments and of a fresh control file.
const DATABASE_ID: u64 = 0x7769_6c6c_0000_0001;

/// Runs the input (see the module docs).
pub fn wal(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let redo = if flags & 4 != 0 { 2 } else { 1 };
    let segments = match flags & 3 {
        1 => vec![framed(rest, redo)],
        2 if rest.len() >= 2 => {
            let cut = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
            let (a, b) = rest[2..].split_at(cut);
            vec![a.to_vec(), b.to_vec()]
        }
        _ => vec![rest.to_vec()],
    };
    // A raw segment names its own database; the control file agrees
    // unless the input says otherwise.
    let id = segments[0].get(12..20).map_or(DATABASE_ID, |b| {
        u64::from_le_bytes(b.try_into().expect("8 bytes"))
    });
    let id = if flags & 8 != 0 { id ^ 1 } else { id };
    let mut files = BTreeMap::new();
    let mut control = Vec::new();
    FileHeader {
        magic: *CONTROL_MAGIC,
        database_id: id,
        number: 0,
        lsn: redo,
    }
    .encode(&mut control);
    files.insert(CONTROL.to_owned(), control);
    for (i, s) in segments.iter().enumerate() {
        files.insert(segment_name(i as u64 + 1), s.clone());
    }
    check(&files, redo);
}

/// Frames `[type][len u16][payload]…` as a valid segment from `first_lsn`.
fn framed(mut rest: &[u8], first_lsn: u64) -> Vec<u8> {
    let mut out = Vec::new();
    FileHeader {
        magic: *WAL_MAGIC,
        database_id: DATABASE_ID,
        number: 1,
        lsn: first_lsn,
    }
    .encode(&mut out);
    let mut lsn = first_lsn;
    while let [ty, a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*a, *b]));
        if len > tail.len() {
            break;
        }
        let kind = match ty & 7 {
            2 => RecordType::Sequence,
            3 => RecordType::Table,
            4 => RecordType::Rows,
            5 => RecordType::End,
            6 => RecordType::Control,
            _ => RecordType::Commit,
        };
        if ty & 0x80 != 0 {
            lsn += 1;
        }
        encode_record(&mut out, kind, lsn, &tail[..len]);
        lsn += 1;
        rest = &tail[len..];
    }
    out.extend_from_slice(rest);
    out
}

/// Recovers `files` and checks the invariants of the module docs.
fn check(files: &BTreeMap<String, Vec<u8>>, redo: u64) {
    let backend = MemBackend::with_files(files.clone());
    let recovered = match recover(&backend) {
        Ok(r) => r,
        Err(e) => {
            assert_eq!(e.code.code(), "XX001", "recovery refused with {e:?}");
            assert!(!e.message.is_empty());
            return;
        }
    };
    let decodable: u64 = files
        .iter()
        .filter(|(name, _)| name.starts_with("wal-"))
        .map(|(_, bytes)| scan(&bytes[FILE_HEADER.min(bytes.len())..]).0.len() as u64)
        .sum();
    assert!(
        recovered.next_lsn >= redo && recovered.next_lsn <= redo + decodable,
        "next LSN {} after {decodable} decodable records from {redo}",
        recovered.next_lsn
    );
    let after = backend.files();
    let last = files.keys().filter(|n| n.starts_with("wal-")).max();
    for (name, before) in files {
        let now = &after[name];
        if Some(name) == last {
            assert!(before.starts_with(now), "{name} changed beyond a cut tail");
        } else {
            assert_eq!(before, now, "{name} changed");
        }
    }
    let image = image(&recovered.engine);

    let second = MemBackend::with_files(after.clone());
    let again =
        recover(&second).unwrap_or_else(|e| panic!("recovered files do not recover again: {e:?}"));
    assert_eq!(again.next_lsn, recovered.next_lsn);
    assert_eq!(second.files(), after, "a second recovery changed files");
    assert_eq!(
        image,
        self::image(&again.engine),
        "a second recovery differs"
    );
}

/// The whole store, printed: compares two recoveries.
fn image(engine: &Engine) -> String {
    format!("{:?}", engine.checkpoint_read(|_| ()).0)
}
