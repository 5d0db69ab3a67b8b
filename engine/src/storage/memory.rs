//! An in-memory [`Backend`], for the `wal` fuzz target and tests: the
//! same seam as `file://`, over a map of names to bytes, so recovery can
//! run thousands of times a second without touching the file system.
//!
//! Every operation is "durable" the moment it returns; there is no crash
//! to simulate here (`tests.rs` crashes real directories). Clones share
//! the files, so a test can look at what a [`super::Storage`] wrote while
//! it is open.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use parking_lot::Mutex;

use super::backend::{Backend, LogFile};

/// Files by name.
type Files = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;

/// A directory in memory.
#[derive(Clone, Default)]
pub(crate) struct MemBackend {
    /// The files, shared with every clone and open log.
    files: Files,
}

impl MemBackend {
    /// A backend holding `files`.
    pub(crate) fn with_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemBackend {
        MemBackend {
            files: Arc::new(Mutex::new(files.into_iter().collect())),
        }
    }

    /// A copy of every file.
    pub(crate) fn files(&self) -> BTreeMap<String, Vec<u8>> {
        self.files.lock().clone()
    }
}

fn not_found(name: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("no file {name}"))
}

/// A log segment in memory.
struct MemLog {
    files: Files,
    name: String,
}

impl LogFile for MemLog {
    fn append_durable(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut files = self.files.lock();
        let file = files
            .get_mut(&self.name)
            .ok_or_else(|| not_found(&self.name))?;
        file.extend_from_slice(bytes);
        Ok(())
    }

    fn len(&self) -> u64 {
        self.files
            .lock()
            .get(&self.name)
            .map_or(0, |f| f.len() as u64)
    }
}

impl Backend for MemBackend {
    fn list(&self) -> io::Result<Vec<String>> {
        Ok(self.files.lock().keys().cloned().collect())
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        self.files
            .lock()
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        self.files.lock().insert(name.to_owned(), bytes.to_vec());
        Ok(())
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        self.files.lock().remove(name);
        Ok(())
    }

    fn truncate(&self, name: &str, len: u64) -> io::Result<()> {
        let mut files = self.files.lock();
        let file = files.get_mut(name).ok_or_else(|| not_found(name))?;
        file.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }

    fn create_log(&self, name: &str, header: &[u8]) -> io::Result<Box<dyn LogFile>> {
        self.write_atomic(name, header)?;
        Ok(Box::new(MemLog {
            files: self.files.clone(),
            name: name.to_owned(),
        }))
    }

    fn describe(&self) -> String {
        "memory".to_owned()
    }
}
