//! The storage seam: the few operations the log, checkpoints and recovery
//! need from wherever the files live, and their `file://` implementation.
//!
//! Everything above this seam speaks in whole named files: list them, read
//! one, replace one atomically, remove one, and append durably to the
//! current log segment. That is the shape an object store has too (the
//! planned `s3://` backend turns each durable append into one immutable
//! object written with a create-only conditional put, which also fences a
//! second writer), so the log, checkpoint and recovery code will not change
//! when it arrives.
//!
//! The `file://` backend keeps a directory:
//!
//! ```text
//!   PATH/
//!     lock                      held with an exclusive file lock while open
//!     control                   which checkpoint is current, and its redo LSN
//!     checkpoint-000000000003   a consistent image of every table
//!     wal-0000000000000007      log segments, numbered, each with a header
//!     wal-0000000000000008
//! ```
//!
//! Atomic replacement is the classic dance: write `name.tmp`, fsync it,
//! rename it over `name`, fsync the directory (so the rename itself is
//! durable). New segments are created the same way, header first, so a
//! segment file either does not exist or starts with a whole header.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fs::{Fs, FsFile, RealFs};

/// A log segment open for appending.
pub(crate) trait LogFile: Send {
    /// Appends `bytes` and makes them durable (`fdatasync`) before
    /// returning. An error is fatal to the database.
    fn append_durable(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Bytes in the segment so far, header included.
    fn len(&self) -> u64;
    /// True if this segment should end before its size says so (an
    /// object store, whose recovery cost grows with the number of
    /// objects): the log starts a new one and asks for a checkpoint, which
    /// lets the full one go.
    fn full(&self) -> bool {
        false
    }
}

/// Where a database's files live.
pub(crate) trait Backend: Send + Sync {
    /// The names of all files.
    fn list(&self) -> io::Result<Vec<String>>;
    /// A whole file.
    fn read(&self, name: &str) -> io::Result<Vec<u8>>;
    /// Creates or replaces `name` with `bytes`, atomically and durably.
    fn write_atomic(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// Removes a file (durably).
    fn remove(&self, name: &str) -> io::Result<()>;
    /// Cuts a file to `len` bytes, durably (a torn log tail).
    fn truncate(&self, name: &str, len: u64) -> io::Result<()>;
    /// Creates a new log segment starting with `header`, durably, and
    /// opens it for appending.
    fn create_log(&self, name: &str, header: &[u8]) -> io::Result<Box<dyn LogFile>>;
    /// Where the files are, for messages.
    fn describe(&self) -> String;
    /// Why this database accepts no more writes because another writer
    /// took it over (object stores; see `object/mod.rs`), if it was.
    fn fenced(&self) -> Option<String> {
        None
    }
}

/// A `file://` directory, locked for the life of this value.
pub(crate) struct FileBackend {
    /// The directory.
    dir: PathBuf,
    /// The file system (the real one, or a simulated one in tests).
    fs: Arc<dyn Fs>,
    /// The open lock file: the exclusive lock lasts as long as it stays
    /// open, and the kernel drops it if the process dies. (None on a
    /// simulated file system.)
    _lock: Option<File>,
}

/// Why a directory could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Another process holds the lock.
    InUse,
    /// An I/O error.
    Io(io::Error),
}

impl FileBackend {
    /// Opens (creating if missing) and locks `dir`.
    pub(crate) fn open(dir: &Path) -> Result<FileBackend, OpenError> {
        RealFs.create_dir_all(dir).map_err(OpenError::Io)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.join("lock"))
            .map_err(OpenError::Io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(OpenError::InUse),
            Err(TryLockError::Error(e)) => return Err(OpenError::Io(e)),
        }
        Ok(FileBackend {
            dir: dir.to_owned(),
            fs: Arc::new(RealFs),
            _lock: Some(lock),
        })
    }

    /// The directory `dir` on `fs`, without a lock (a simulated file
    /// system in tests).
    #[cfg(test)]
    pub(crate) fn on(fs: Arc<dyn Fs>, dir: &Path) -> io::Result<FileBackend> {
        fs.create_dir_all(dir)?;
        Ok(FileBackend {
            dir: dir.to_owned(),
            fs,
            _lock: None,
        })
    }

    fn sync_dir(&self) -> io::Result<()> {
        self.fs.sync_dir(&self.dir)
    }
}

/// A segment file open for appending.
struct FileLog {
    file: Box<dyn FsFile>,
    len: u64,
}

impl LogFile for FileLog {
    fn append_durable(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.sync()?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn len(&self) -> u64 {
        self.len
    }
}

impl Backend for FileBackend {
    fn list(&self) -> io::Result<Vec<String>> {
        let mut names = self.fs.list(&self.dir)?;
        names.sort();
        Ok(names)
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        self.fs.read(&self.dir.join(name))
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let tmp = self.dir.join(format!("{name}.tmp"));
        let mut f = self.fs.create(&tmp)?;
        f.write_all(bytes)?;
        f.sync()?;
        drop(f);
        self.fs.rename(&tmp, &self.dir.join(name))?;
        self.sync_dir()
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        match self.fs.remove(&self.dir.join(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        self.sync_dir()
    }

    fn truncate(&self, name: &str, len: u64) -> io::Result<()> {
        self.fs.truncate(&self.dir.join(name), len)
    }

    fn create_log(&self, name: &str, header: &[u8]) -> io::Result<Box<dyn LogFile>> {
        self.write_atomic(name, header)?;
        let file = self.fs.open_append(&self.dir.join(name))?;
        Ok(Box::new(FileLog {
            file,
            len: header.len() as u64,
        }))
    }

    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
}
