//! Record framing, shared by log segments and checkpoint files.
//!
//! ```text
//!   record:  [len u32][crc32c u32][type u8][lsn u64][payload: len bytes]
//!                      └── crc32c over type, lsn and payload ──┘
//!   file:    [magic 8][format version u32][database id u64][number u64][first lsn u64][crc32c u32]
//!            record record record …
//! ```
//!
//! All integers are little-endian. `len` counts the payload only, and is
//! bounded by [`MAX_PAYLOAD`] so a garbage length cannot make a reader
//! allocate gigabytes. A reader walks the records of a file
//! ([`scan`]) and stops at the first one that does not check out; the
//! caller decides whether that is a torn tail (nothing valid follows) or
//! corruption (a valid record follows: [`valid_record_after`]).

use std::fmt;

/// The largest payload a record may carry (a commit record with rows of
/// up to 1 GiB values each is not supported; PostgreSQL's limit is 1 GiB
/// per value too).
pub(crate) const MAX_PAYLOAD: usize = 1 << 30;

/// Bytes before the payload.
pub(crate) const RECORD_HEADER: usize = 4 + 4 + 1 + 8;

/// The version of the on-disk format; a reader refuses other versions.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Bytes of a file header.
pub(crate) const FILE_HEADER: usize = 8 + 4 + 8 + 8 + 8 + 4;

/// Magic of a log segment.
pub(crate) const WAL_MAGIC: &[u8; 8] = b"TWILLWAL";
/// Magic of a checkpoint file.
pub(crate) const CHECKPOINT_MAGIC: &[u8; 8] = b"TWILLCKP";
/// Magic of the control file.
pub(crate) const CONTROL_MAGIC: &[u8; 8] = b"TWILLCTL";

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum RecordType {
    /// A transaction's commit record (log).
    Commit = 1,
    /// A sequence's state: id, last value, is_called (log and checkpoint).
    Sequence = 2,
    /// A table definition (checkpoint).
    Table = 3,
    /// A batch of one table's rows (checkpoint).
    Rows = 4,
    /// The end of a checkpoint: its presence proves the file is whole.
    End = 5,
    /// The control file's single record.
    Control = 6,
}

impl RecordType {
    fn from_u8(b: u8) -> Option<RecordType> {
        Some(match b {
            1 => RecordType::Commit,
            2 => RecordType::Sequence,
            3 => RecordType::Table,
            4 => RecordType::Rows,
            5 => RecordType::End,
            6 => RecordType::Control,
            _ => return None,
        })
    }
}

/// A file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileHeader {
    /// Which kind of file.
    pub(crate) magic: [u8; 8],
    /// The database this file belongs to (random at creation): a segment
    /// copied in from another database is refused.
    pub(crate) database_id: u64,
    /// The segment number (log) or checkpoint sequence number.
    pub(crate) number: u64,
    /// The LSN of the first record (log) or the redo LSN (checkpoint).
    pub(crate) lsn: u64,
}

impl FileHeader {
    /// Appends the encoded header.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.magic);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.database_id.to_le_bytes());
        out.extend_from_slice(&self.number.to_le_bytes());
        out.extend_from_slice(&self.lsn.to_le_bytes());
        let crc = crc32c::crc32c(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Decodes a header, checking magic, version and checksum.
    pub(crate) fn decode(bytes: &[u8], magic: &[u8; 8]) -> Result<FileHeader, String> {
        if bytes.len() < FILE_HEADER {
            return Err("file is shorter than its header".into());
        }
        if &bytes[..8] != magic {
            return Err("bad magic number".into());
        }
        let crc = u32::from_le_bytes(bytes[36..40].try_into().expect("4 bytes"));
        if crc32c::crc32c(&bytes[..36]) != crc {
            return Err("header checksum mismatch".into());
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(format!(
                "format version {version} is not supported (this build reads {FORMAT_VERSION})"
            ));
        }
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        Ok(FileHeader {
            magic: *magic,
            database_id: u64_at(12),
            number: u64_at(20),
            lsn: u64_at(28),
        })
    }
}

/// Appends one framed record.
pub(crate) fn encode(out: &mut Vec<u8>, ty: RecordType, lsn: u64, payload: &[u8]) {
    debug_assert!(payload.len() <= MAX_PAYLOAD);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    let crc_at = out.len();
    out.extend_from_slice(&[0; 4]);
    let body = out.len();
    out.push(ty as u8);
    out.extend_from_slice(&lsn.to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32c::crc32c(&out[body..]);
    out[crc_at..crc_at + 4].copy_from_slice(&crc.to_le_bytes());
}

/// One decoded record, borrowing its payload.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    /// Its type.
    pub(crate) ty: RecordType,
    /// Its log sequence number.
    pub(crate) lsn: u64,
    /// Its payload.
    pub(crate) payload: &'a [u8],
}

/// Why a record did not decode.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Bad {
    /// The file ends inside the record.
    Truncated,
    /// The length is out of range, the checksum fails or the type is
    /// unknown.
    Invalid(&'static str),
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bad::Truncated => f.write_str("record extends past the end of the file"),
            Bad::Invalid(why) => f.write_str(why),
        }
    }
}

/// Decodes the record at the start of `bytes`; returns it and its size.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Record<'_>, usize), Bad> {
    if bytes.len() < RECORD_HEADER {
        return Err(Bad::Truncated);
    }
    let len = u32::from_le_bytes(bytes[0..4].try_into().expect("4 bytes")) as usize;
    if len > MAX_PAYLOAD {
        return Err(Bad::Invalid("record length out of range"));
    }
    let size = RECORD_HEADER + len;
    if bytes.len() < size {
        return Err(Bad::Truncated);
    }
    let crc = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if crc32c::crc32c(&bytes[8..size]) != crc {
        return Err(Bad::Invalid("record checksum mismatch"));
    }
    let ty = RecordType::from_u8(bytes[8]).ok_or(Bad::Invalid("unknown record type"))?;
    let lsn = u64::from_le_bytes(bytes[9..17].try_into().expect("8 bytes"));
    Ok((
        Record {
            ty,
            lsn,
            payload: &bytes[RECORD_HEADER..size],
        },
        size,
    ))
}

/// What [`scan`] finds: records with their offsets, and where and why it
/// stopped early.
pub(crate) type Scanned<'a> = (Vec<(usize, Record<'a>)>, Option<(usize, Bad)>);

/// The records of `body` (a file after its header) up to the first bad
/// one: the records with their offsets in `body`, and the offset and
/// reason where decoding stopped, if it did before the end.
pub(crate) fn scan(body: &[u8]) -> Scanned<'_> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < body.len() {
        match decode(&body[at..]) {
            Ok((record, size)) => {
                records.push((at, record));
                at += size;
            }
            Err(bad) => return (records, Some((at, bad))),
        }
    }
    (records, None)
}

/// True if a valid record with an LSN above `after_lsn` starts anywhere in
/// `body` after offset `from`: then a bad record at `from` is not a torn
/// tail but damage in the middle of the log.
pub(crate) fn valid_record_after(body: &[u8], from: usize, after_lsn: u64) -> bool {
    (from + 1..body.len().saturating_sub(RECORD_HEADER - 1))
        .any(|at| matches!(decode(&body[at..]), Ok((r, _)) if r.lsn > after_lsn))
}
