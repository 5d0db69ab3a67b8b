//! The log objects: one numbered sequence of create-only objects that
//! carries every change a writer makes to an object-store database.
//!
//! `PREFIX/log/00000000000000000042` is the 42nd object of the sequence.
//! Its key holds nothing but the number, because the number is what
//! fencing races on: a conditional create of an existing key fails, and
//! two writers that want the same number cannot both succeed. What the
//! object is travels in a small header in front of its payload:
//!
//! ```text
//!   "TWLO" | version u8 | kind u8 | epoch u64 | write id u64 | segment u64 | payload
//! ```
//!
//! * `kind` — [`Kind::SegmentStart`] (payload: a log segment's file
//!   header), [`Kind::Append`] (payload: one group-commit batch of
//!   records), [`Kind::Control`] (payload: a new control file) or
//!   [`Kind::Fence`] (no payload: a new writer claiming the sequence).
//! * `epoch` — the writer's manifest number; a conflicting object with a
//!   higher epoch means this writer has been fenced.
//! * `write id` — unique per put, so that a put whose answer was lost (a
//!   timeout) is settled by reading the object back: our id means it
//!   landed.
//! * `segment` — the log segment the object belongs to (0 for control and
//!   fence objects).
//!
//! The manifests beside them (`PREFIX/manifest/N`, create-only too) hand
//! out the epochs: a writer's epoch is the number of the manifest it
//! created.

use object_store::path::Path;

/// The first bytes of every log object.
const MAGIC: &[u8; 4] = b"TWLO";
/// The first bytes of every manifest.
const MANIFEST_MAGIC: &[u8; 4] = b"TWMF";
/// The format version of both.
const VERSION: u8 = 1;
/// Header bytes before a log object's payload.
pub(crate) const HEADER: usize = 4 + 1 + 1 + 8 + 8 + 8;

/// What a log object holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The file header that starts a log segment.
    SegmentStart = 1,
    /// Records appended to a segment (one group-commit batch).
    Append = 2,
    /// A new control file (which checkpoint is current).
    Control = 3,
    /// A new writer's claim on the sequence; no payload.
    Fence = 4,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::SegmentStart,
            2 => Kind::Append,
            3 => Kind::Control,
            4 => Kind::Fence,
            _ => return None,
        })
    }
}

/// A log object's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// What the object holds.
    pub(crate) kind: Kind,
    /// The writer's epoch.
    pub(crate) epoch: u64,
    /// Unique per put.
    pub(crate) write_id: u64,
    /// The log segment (0 if none).
    pub(crate) segment: u64,
}

impl Header {
    /// The object's bytes: this header, then `payload`.
    pub(crate) fn encode(&self, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.kind as u8);
        out.extend_from_slice(&self.epoch.to_le_bytes());
        out.extend_from_slice(&self.write_id.to_le_bytes());
        out.extend_from_slice(&self.segment.to_le_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Reads the header at the start of `bytes`.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Header, String> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err("not a twill log object".into());
        }
        if bytes[4] != VERSION {
            return Err(format!(
                "log object format version {} (this server reads {VERSION})",
                bytes[4]
            ));
        }
        let kind = Kind::from_byte(bytes[5]).ok_or_else(|| format!("unknown kind {}", bytes[5]))?;
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        Ok(Header {
            kind,
            epoch: word(6),
            write_id: word(14),
            segment: word(22),
        })
    }
}

/// A manifest's bytes: it records the epoch it hands out and who took it.
pub(crate) fn encode_manifest(epoch: u64, write_id: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 1 + 16);
    out.extend_from_slice(MANIFEST_MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&epoch.to_le_bytes());
    out.extend_from_slice(&write_id.to_le_bytes());
    out
}

/// The layout of one database's objects under its prefix.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// The prefix, without a trailing slash ("" for the bucket root).
    prefix: String,
}

impl Layout {
    pub(crate) fn new(prefix: &str) -> Layout {
        Layout {
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    fn path(&self, rest: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(rest)
        } else {
            Path::from(format!("{}/{rest}", self.prefix))
        }
    }

    /// Where log objects live.
    pub(crate) fn log_dir(&self) -> Path {
        self.path("log")
    }

    /// Log object `n`.
    pub(crate) fn log(&self, n: u64) -> Path {
        self.path(&format!("log/{n:020}"))
    }

    /// Where manifests live.
    pub(crate) fn manifest_dir(&self) -> Path {
        self.path("manifest")
    }

    /// Manifest `n`.
    pub(crate) fn manifest(&self, n: u64) -> Path {
        self.path(&format!("manifest/{n:020}"))
    }

    /// Where whole files (checkpoints) live.
    pub(crate) fn files_dir(&self) -> Path {
        self.path("files")
    }

    /// The copy of file `name` written by the writer of `epoch`. Files are
    /// never overwritten across writers: a fenced writer that has not
    /// noticed yet cannot clobber its successor's checkpoint.
    pub(crate) fn file(&self, name: &str, epoch: u64) -> Path {
        self.path(&format!("files/{name}.{epoch:020}"))
    }

    /// The number at the end of a log or manifest key.
    pub(crate) fn number(path: &Path) -> Option<u64> {
        path.filename()?.parse().ok()
    }

    /// A file key's name and epoch.
    pub(crate) fn file_name(path: &Path) -> Option<(String, u64)> {
        let (name, epoch) = path.filename()?.rsplit_once('.')?;
        Some((name.to_owned(), epoch.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_rejects_foreign_bytes() {
        let h = Header {
            kind: Kind::Append,
            epoch: 3,
            write_id: 99,
            segment: 7,
        };
        let bytes = h.encode(b"records");
        assert_eq!(Header::decode(&bytes), Ok(h));
        assert_eq!(&bytes[HEADER..], b"records");
        assert!(Header::decode(b"TWLO").is_err());
        assert!(Header::decode(&[0; HEADER]).is_err());
        let mut future = bytes.clone();
        future[4] = 9;
        assert!(Header::decode(&future).unwrap_err().contains("version 9"));
    }

    #[test]
    fn keys_sort_by_number_and_parse_back() {
        let l = Layout::new("/db/one/");
        assert_eq!(l.log(42).as_ref(), "db/one/log/00000000000000000042");
        assert_eq!(Layout::number(&l.log(42)), Some(42));
        assert!(l.log(9).as_ref() < l.log(10).as_ref());
        let f = l.file("checkpoint-0000000000000003", 2);
        assert_eq!(
            Layout::file_name(&f),
            Some(("checkpoint-0000000000000003".into(), 2))
        );
        assert_eq!(
            Layout::new("").manifest(1).as_ref(),
            "manifest/00000000000000000001"
        );
    }
}
