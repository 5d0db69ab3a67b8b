//! A simulated file system for crash tests: it keeps what a real one
//! promises to keep, loses the rest at a "crash", and can fail at any
//! call.
//!
//! What survives a crash (the contract `fsync(2)` gives on Linux):
//!
//! * a file's bytes as of its last `sync` — plus, since the kernel may
//!   write back pages early, any prefix of what was appended after it
//!   (a torn tail);
//! * a directory's entries as of its last `sync_dir` — a file created or
//!   renamed into place and not followed by a directory sync may be gone.
//!
//! Faults: [`SimFs::crash_at`] makes the n-th mutating call fail and every
//! later one too (the process "died" there; a write at that point may have
//! reached the page cache in part); [`SimFs::full_at`] makes writes from
//! the n-th call on fail with "no space left on device" (ENOSPC).
//! [`SimFs::crash_image`] is what a reboot would find.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::fs::{Fs, FsFile};

/// A file's contents.
#[derive(Clone, Default)]
struct Inode {
    /// What reads see.
    data: Vec<u8>,
    /// What a crash keeps for sure.
    durable: Vec<u8>,
}

/// A directory's entries: name → inode.
#[derive(Clone, Default)]
struct Dir {
    entries: BTreeMap<String, usize>,
    /// The entries as of the last directory sync.
    durable: BTreeMap<String, usize>,
}

#[derive(Default)]
struct State {
    inodes: Vec<Inode>,
    dirs: BTreeMap<PathBuf, Dir>,
    /// Mutating calls so far.
    calls: u64,
    crash_at: Option<u64>,
    full_at: Option<u64>,
    crashed: bool,
}

/// Which kind of call, for the fault rules.
#[derive(PartialEq)]
enum Call {
    Write,
    Other,
}

impl State {
    /// Counts a mutating call and applies the faults.
    fn call(&mut self, kind: Call) -> io::Result<()> {
        if self.crashed {
            return Err(io::Error::other("the simulated machine has crashed"));
        }
        self.calls += 1;
        if self.crash_at == Some(self.calls) {
            self.crashed = true;
            return Err(io::Error::other("injected crash"));
        }
        if kind == Call::Write && self.full_at.is_some_and(|n| self.calls >= n) {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        Ok(())
    }

    fn dir(&mut self, path: &Path) -> io::Result<(&mut Dir, String)> {
        let parent = path.parent().unwrap_or(Path::new(""));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::other("bad path"))?
            .to_owned();
        let dir = self
            .dirs
            .get_mut(parent)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such directory"))?;
        Ok((dir, name))
    }

    fn inode(&mut self, path: &Path) -> io::Result<usize> {
        let (dir, name) = self.dir(path)?;
        dir.entries
            .get(&name)
            .copied()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no file {name}")))
    }
}

/// The simulated file system; clones share it.
#[derive(Clone, Default)]
pub(crate) struct SimFs {
    state: Arc<Mutex<State>>,
}

impl SimFs {
    /// The `n`-th mutating call (1-based) crashes the machine.
    pub(crate) fn crash_at(&self, n: u64) {
        self.state.lock().crash_at = Some(n);
    }

    /// Writes from the `n`-th mutating call on fail with ENOSPC.
    pub(crate) fn full_at(&self, n: u64) {
        self.state.lock().full_at = Some(n);
    }

    /// Mutating calls so far.
    pub(crate) fn calls(&self) -> u64 {
        self.state.lock().calls
    }

    /// What a reboot finds: synced directory entries, synced bytes, and a
    /// prefix (chosen by `seed`) of each file's unsynced appended bytes.
    pub(crate) fn crash_image(&self, seed: u64) -> SimFs {
        let mut rng = fastrand::Rng::with_seed(seed);
        let state = self.state.lock();
        let inodes = state
            .inodes
            .iter()
            .map(|inode| {
                let mut kept = inode.durable.clone();
                if inode.data.starts_with(&inode.durable) {
                    let extra = &inode.data[inode.durable.len()..];
                    kept.extend_from_slice(&extra[..rng.usize(0..=extra.len())]);
                }
                Inode {
                    data: kept.clone(),
                    durable: kept,
                }
            })
            .collect();
        let dirs = state
            .dirs
            .iter()
            .map(|(path, dir)| {
                let dir = Dir {
                    entries: dir.durable.clone(),
                    durable: dir.durable.clone(),
                };
                (path.clone(), dir)
            })
            .collect();
        SimFs {
            state: Arc::new(Mutex::new(State {
                inodes,
                dirs,
                ..State::default()
            })),
        }
    }
}

struct SimFile {
    state: Arc<Mutex<State>>,
    inode: usize,
}

impl FsFile for SimFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut state = self.state.lock();
        let before = state.crash_at;
        let result = state.call(Call::Write);
        if result.is_err() && state.crashed && before == Some(state.calls) {
            // Died in the middle of the write: part of it may be in the
            // page cache.
            let cut = bytes.len() / 2;
            state.inodes[self.inode]
                .data
                .extend_from_slice(&bytes[..cut]);
        }
        result?;
        state.inodes[self.inode].data.extend_from_slice(bytes);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let inode = &mut state.inodes[self.inode];
        inode.durable = inode.data.clone();
        Ok(())
    }
}

impl Fs for SimFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.state.lock().dirs.entry(dir.to_owned()).or_default();
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let state = self.state.lock();
        let dir = state
            .dirs
            .get(dir)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such directory"))?;
        Ok(dir.entries.keys().cloned().collect())
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut state = self.state.lock();
        let id = state.inode(path)?;
        Ok(state.inodes[id].data.clone())
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let mut state = self.state.lock();
        state.call(Call::Write)?;
        let id = state.inodes.len();
        state.inodes.push(Inode::default());
        let (dir, name) = state.dir(path)?;
        dir.entries.insert(name, id);
        Ok(Box::new(SimFile {
            state: self.state.clone(),
            inode: id,
        }))
    }

    fn open_append(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let id = state.inode(path)?;
        Ok(Box::new(SimFile {
            state: self.state.clone(),
            inode: id,
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let id = state.inode(from)?;
        let (dir, name) = state.dir(from)?;
        dir.entries.remove(&name);
        let (dir, name) = state.dir(to)?;
        dir.entries.insert(name, id);
        Ok(())
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let (dir, name) = state.dir(path)?;
        dir.entries
            .remove(&name)
            .map(|_| ())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no file {name}")))
    }

    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let id = state.inode(path)?;
        let inode = &mut state.inodes[id];
        inode
            .data
            .truncate(usize::try_from(len).unwrap_or(usize::MAX));
        inode.durable = inode.data.clone();
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut state = self.state.lock();
        state.call(Call::Other)?;
        let dir = state
            .dirs
            .get_mut(dir)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such directory"))?;
        dir.durable = dir.entries.clone();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
