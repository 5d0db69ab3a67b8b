//! The object-store backend: `s3://`, `gs://` and `r2://` databases.
//!
//! The log, checkpoints and recovery speak to storage through the
//! [`Backend`] seam in whole named files (segments, checkpoints, the
//! control file). An object store can create an object, read it, delete
//! it — and, crucially, create it *only if it does not exist yet*. It
//! cannot append or rename. This backend maps the one onto the other:
//!
//! ```text
//!   what the log asks          what lands in the bucket (PREFIX/…)
//!   create segment 7 ───────▶  log/…0041  [SegmentStart, seg 7] header
//!   append a batch  ───────▶  log/…0042  [Append, seg 7] records      one object
//!   append a batch  ───────▶  log/…0043  [Append, seg 7] records      per group commit
//!   write "control" ───────▶  log/…0044  [Control] control file
//!   write checkpoint-3 ────▶  files/checkpoint-…3.EPOCH   (whole image)
//!   read segment 7  ◀───────  log/…0041 + …0042 + …0043 (by number)
//! ```
//!
//! Every change that matters for correctness goes through **one numbered
//! sequence of create-only objects** (`log.rs`), so a second writer cannot
//! slip a change past the first: whoever creates number *n* first owns it.
//! That is the fencing protocol:
//!
//! 1. A starting writer creates the next manifest (`manifest/N`, create
//!    only); `N` is its **epoch**. Epochs are unique.
//! 2. It creates a **fence** object a little above the newest log object
//!    it listed — further up each time the number turns out taken by the
//!    previous writer, which may still be going — and then claims every
//!    free number between the listing and the fence with fence objects
//!    too. A taken number's object decides: a newer epoch means someone
//!    newer has taken over (this writer gives up). The previous writer,
//!    creating its next number, finds one of ours there and sees a newer
//!    epoch: it is **fenced** and accepts no more commits (25006, see
//!    [`Backend::fenced`]).
//! 3. It checks that no newer manifest appeared meanwhile, then reads the
//!    history below its fence — which now cannot grow — and recovers.
//!
//! The control file (which checkpoint is current) is a log object too, so
//! a fenced writer cannot repoint it. Checkpoint images are plain objects
//! whose key carries the writer's epoch, so a fenced writer cannot clobber
//! its successor's image of the same number. Log objects are deleted only
//! when something newer supersedes them and they lie [`DELETE_DISTANCE`]
//! below the newest: a fence must never fall into a hole that a live
//! writer has already passed.
//!
//! A create that fails without an answer (a timeout) is ambiguous: the
//! object may exist. It is settled by reading the number back and
//! comparing the write id in its header with ours before acknowledging
//! (ours: it landed), fencing (a newer epoch) or retrying (nothing there).

mod bridge;
#[cfg(test)]
mod faulty;
mod location;
mod log;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use parking_lot::Mutex;

use super::backend::{Backend, LogFile};
use super::checkpoint::CONTROL;
use bridge::Bridge;
use log::{HEADER, Header, Kind, Layout};

pub(crate) use location::is_object_url;
pub use location::redact_url;

/// How many objects recovery fetches at once.
const PARALLEL_READS: usize = 64;
/// Log objects per segment: recovery reads every object of the segments
/// after the checkpoint one by one, so their number, not their bytes,
/// bounds the time to open. A full segment starts the next one and asks
/// for a checkpoint, after which it is deleted.
const SEGMENT_OBJECTS: u64 = 1000;
/// How many times an unanswered create is retried before giving up.
const PUT_ATTEMPTS: usize = 3;
/// How far below the newest log object a superseded one must be before it
/// is deleted. A starting writer's fence goes just above the newest object
/// it listed, which may be a little stale; deleting only old objects keeps
/// the numbers near the top free of holes a fence could fall into.
const DELETE_DISTANCE: u64 = 1024;

/// Why an object-store database could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The URL or the environment is wrong.
    Config(String),
    /// A newer writer took over while this one was starting.
    TakenOver(String),
    /// The store failed.
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// A database in an object store, owned by this writer until fenced.
pub(crate) struct ObjectBackend {
    inner: Arc<Inner>,
}

/// A log object this writer knows and accepts.
#[derive(Clone, Copy, Debug)]
struct Known {
    header: Header,
    /// Payload bytes.
    len: u64,
}

/// What changes as the writer works.
struct State {
    /// The number the next log object gets.
    next: u64,
    /// The accepted log objects by number (segment starts, appends,
    /// control files).
    log: BTreeMap<u64, Known>,
    /// Payloads read at open, handed out once to recovery's reads.
    cache: HashMap<u64, Bytes>,
    /// Whole files (checkpoints): name → epochs that wrote one.
    files: BTreeMap<String, BTreeSet<u64>>,
    /// Superseded log objects not yet [`DELETE_DISTANCE`] below the newest.
    deferred: BTreeSet<u64>,
}

struct Inner {
    store: Arc<dyn ObjectStore>,
    bridge: Bridge,
    layout: Layout,
    /// The URL, for messages.
    url: String,
    /// This writer's epoch.
    epoch: u64,
    /// Serialises log-object numbering (the WAL flush and a checkpoint's
    /// control write may come from different threads).
    state: Mutex<State>,
    /// Set for good once a newer writer is seen.
    fenced: AtomicBool,
}

/// How a failed create ended.
enum PutError {
    /// The object exists.
    Exists,
    /// No answer, or another failure: the object may or may not exist.
    Other(io::Error),
}

/// Who holds a log number we could not create.
enum Holder {
    /// Our own put, whose answer was lost.
    Us,
    /// A newer writer: we are fenced.
    Newer(u64),
    /// An older writer (or a stale fence): skip the number.
    Older,
}

fn io_err(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

impl ObjectBackend {
    /// Opens the database at `url` (`s3://`, `gs://`, `r2://`), taking it
    /// over from any previous writer.
    pub(crate) fn open(url: &str) -> Result<ObjectBackend, OpenError> {
        let location = location::parse(url).map_err(OpenError::Config)?;
        ObjectBackend::open_store(location.store, &location.prefix, url)
    }

    /// Opens the database under `prefix` in `store` (tests use the
    /// crate's in-memory store).
    pub(crate) fn open_store(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        url: &str,
    ) -> Result<ObjectBackend, OpenError> {
        let mut inner = Inner {
            store,
            bridge: Bridge::new()?,
            layout: Layout::new(prefix),
            url: location::redact_url(url),
            epoch: 0,
            state: Mutex::new(State {
                next: 0,
                log: BTreeMap::new(),
                cache: HashMap::new(),
                files: BTreeMap::new(),
                deferred: BTreeSet::new(),
            }),
            fenced: AtomicBool::new(false),
        };
        inner.epoch = inner.claim_epoch()?;
        let fence = inner.fence()?;
        if inner.newest(&inner.layout.manifest_dir())? > inner.epoch {
            return Err(OpenError::TakenOver(inner.taken_over()));
        }
        inner.read_history(fence)?;
        Ok(ObjectBackend {
            inner: Arc::new(inner),
        })
    }

    /// This writer's epoch.
    #[cfg(test)]
    pub(crate) fn epoch(&self) -> u64 {
        self.inner.epoch
    }
}

impl Inner {
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(Arc<dyn ObjectStore>) -> futures_util::future::BoxFuture<'static, T>,
    ) -> io::Result<T> {
        self.bridge.run(f(self.store.clone()))
    }

    fn get(&self, path: &Path) -> io::Result<Option<Bytes>> {
        let path = path.clone();
        let got = self.run(|s| {
            Box::pin(async move {
                match s.get(&path).await {
                    Ok(r) => r.bytes().await.map(Some),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            })
        })?;
        got.map_err(io_err)
    }

    fn put(&self, path: &Path, bytes: Vec<u8>, mode: PutMode) -> Result<(), PutError> {
        let path = path.clone();
        let put = self
            .run(|s| {
                Box::pin(async move {
                    let opts = PutOptions {
                        mode,
                        ..PutOptions::default()
                    };
                    s.put_opts(&path, PutPayload::from(bytes), opts).await
                })
            })
            .map_err(PutError::Other)?;
        match put {
            Ok(_) => Ok(()),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Err(PutError::Exists),
            Err(e) => Err(PutError::Other(io_err(e))),
        }
    }

    fn delete(&self, paths: Vec<Path>) -> io::Result<()> {
        let done = self.run(|s| {
            Box::pin(async move {
                futures_util::stream::iter(paths)
                    .map(|p| {
                        let s = s.clone();
                        async move {
                            match s.delete(&p).await {
                                Err(object_store::Error::NotFound { .. }) => Ok(()),
                                other => other,
                            }
                        }
                    })
                    .buffer_unordered(PARALLEL_READS)
                    .try_collect::<Vec<()>>()
                    .await
            })
        })?;
        done.map(|_| ()).map_err(io_err)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<Path>> {
        let dir = dir.clone();
        let listed = self.run(|s| {
            Box::pin(async move {
                s.list(Some(&dir))
                    .map_ok(|meta| meta.location)
                    .try_collect::<Vec<_>>()
                    .await
            })
        })?;
        listed.map_err(io_err)
    }

    /// The highest number under `dir` (0 if none).
    fn newest(&self, dir: &Path) -> io::Result<u64> {
        Ok(self
            .list(dir)?
            .iter()
            .filter_map(Layout::number)
            .max()
            .unwrap_or(0))
    }

    /// Step 1: creates the next manifest; its number is our epoch.
    fn claim_epoch(&self) -> Result<u64, OpenError> {
        let id = fastrand::u64(..);
        for _ in 0..64 {
            let epoch = self.newest(&self.layout.manifest_dir())? + 1;
            let manifest = log::encode_manifest(epoch, id);
            match self.put(&self.layout.manifest(epoch), manifest, PutMode::Create) {
                Ok(()) => return Ok(epoch),
                // Another writer is starting too: take the next epoch.
                Err(PutError::Exists) => continue,
                Err(PutError::Other(e)) => {
                    // Unanswered: ours if it holds our id.
                    match self.get(&self.layout.manifest(epoch))? {
                        Some(b) if b.ends_with(&id.to_le_bytes()) => return Ok(epoch),
                        Some(_) => continue,
                        None => return Err(OpenError::Io(e)),
                    }
                }
            }
        }
        Err(OpenError::TakenOver(
            "too many writers are starting at once".into(),
        ))
    }

    /// Step 2: creates our fence above every number a live writer may
    /// still use, and claims every free number below it; returns the
    /// fence's number.
    ///
    /// The fence goes a little above the newest object listed (the live
    /// writer moves on while we list), further each time that number turns
    /// out taken. The free numbers between the listing and the fence are
    /// then claimed too, so nothing below the fence can be written after
    /// this returns: the history below it is final. Numbers in that window
    /// cannot be holes left by deletions: only objects [`DELETE_DISTANCE`]
    /// below the newest are ever deleted.
    fn fence(&self) -> Result<u64, OpenError> {
        let header = Header {
            kind: Kind::Fence,
            epoch: self.epoch,
            write_id: fastrand::u64(..),
            segment: 0,
        };
        let bytes = header.encode(&[]);
        let listed = self.newest(&self.layout.log_dir())?;
        let mut step = 16;
        let mut fence = listed + step;
        loop {
            match self.claim(fence, &bytes, header.write_id)? {
                Holder::Us => break,
                Holder::Newer(_) => return Err(OpenError::TakenOver(self.taken_over())),
                Holder::Older => {
                    step *= 2;
                    fence += step;
                }
            }
        }
        for n in listed + 1..fence {
            if let Holder::Newer(_) = self.claim(n, &bytes, header.write_id)? {
                return Err(OpenError::TakenOver(self.taken_over()));
            }
        }
        Ok(fence)
    }

    /// Tries to create log object `n` with `bytes` (whose header carries
    /// `write_id`); says who holds the number afterwards. An unanswered
    /// create is settled by reading the number back, and retried while
    /// nothing is there.
    fn claim(&self, n: u64, bytes: &[u8], write_id: u64) -> io::Result<Holder> {
        let mut attempts = 0;
        loop {
            match self.put(&self.layout.log(n), bytes.to_vec(), PutMode::Create) {
                Ok(()) => return Ok(Holder::Us),
                Err(PutError::Exists) => return self.holder(n, write_id),
                Err(PutError::Other(e)) => match self.holder(n, write_id) {
                    Ok(holder) => return Ok(holder),
                    Err(_) if attempts + 1 < PUT_ATTEMPTS => attempts += 1,
                    Err(_) => return Err(e),
                },
            }
        }
    }

    /// Who holds log number `n` (an error if nothing does).
    fn holder(&self, n: u64, our_write: u64) -> io::Result<Holder> {
        let Some(bytes) = self.get(&self.layout.log(n))? else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("log object {n} is not there"),
            ));
        };
        let header = Header::decode(&bytes).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("log object {n}: {e}"))
        })?;
        Ok(
            if header.epoch == self.epoch && header.write_id == our_write {
                Holder::Us
            } else if header.epoch > self.epoch {
                Holder::Newer(header.epoch)
            } else {
                Holder::Older
            },
        )
    }

    /// Step 3: reads every log object below our fence, and the file list.
    fn read_history(&self, fence: u64) -> io::Result<()> {
        let numbers: Vec<u64> = self
            .list(&self.layout.log_dir())?
            .iter()
            .filter_map(Layout::number)
            .filter(|&n| n < fence)
            .collect();
        let paths: Vec<Path> = numbers.iter().map(|&n| self.layout.log(n)).collect();
        let fetched = self.run(|s| {
            Box::pin(async move {
                futures_util::stream::iter(paths)
                    .map(|p| {
                        let s = s.clone();
                        async move { s.get(&p).await?.bytes().await }
                    })
                    .buffered(PARALLEL_READS)
                    .try_collect::<Vec<Bytes>>()
                    .await
            })
        })?;
        let fetched = fetched.map_err(io_err)?;
        let mut state = self.state.lock();
        for (n, bytes) in numbers.into_iter().zip(fetched) {
            let header = Header::decode(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("log object {n} of \"{}\": {e}", self.url),
                )
            })?;
            if header.kind == Kind::Fence {
                continue;
            }
            let len = (bytes.len() - HEADER) as u64;
            state.log.insert(n, Known { header, len });
            state.cache.insert(n, bytes.slice(HEADER..));
        }
        for path in self.list(&self.layout.files_dir())? {
            if let Some((name, epoch)) = Layout::file_name(&path)
                && epoch <= self.epoch
            {
                state.files.entry(name).or_default().insert(epoch);
            }
        }
        state.next = fence + 1;
        Ok(())
    }

    fn taken_over(&self) -> String {
        format!(
            "database \"{}\" was taken over by another server (a newer writer than epoch {}); \
             this server accepts no more writes",
            self.url, self.epoch
        )
    }

    fn fenced_error(&self) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, self.taken_over())
    }

    /// Creates the next log object; returns its number. Fails for good
    /// once fenced.
    fn put_log(&self, kind: Kind, segment: u64, payload: &[u8]) -> io::Result<u64> {
        let mut state = self.state.lock();
        if self.fenced.load(Ordering::SeqCst) {
            return Err(self.fenced_error());
        }
        let header = Header {
            kind,
            epoch: self.epoch,
            write_id: fastrand::u64(..),
            segment,
        };
        let bytes = header.encode(payload);
        loop {
            let n = state.next;
            match self.claim(n, &bytes, header.write_id)? {
                Holder::Us => {
                    state.next = n + 1;
                    let len = payload.len() as u64;
                    state.log.insert(n, Known { header, len });
                    return Ok(n);
                }
                Holder::Newer(epoch) => {
                    self.fenced.store(true, Ordering::SeqCst);
                    tracing::error!(
                        "fenced: log object {n} of \"{}\" was written by epoch {epoch} (ours: {})",
                        self.url,
                        self.epoch
                    );
                    return Err(self.fenced_error());
                }
                // A stale fence of a writer that lost the race to start.
                Holder::Older => state.next = n + 1,
            }
        }
    }

    /// The numbers of segment `segment`'s objects, in order.
    fn segment_objects(state: &State, segment: u64) -> Vec<(u64, Known)> {
        state
            .log
            .iter()
            .filter(|(_, k)| k.header.segment == segment && k.header.kind != Kind::Control)
            .map(|(&n, &k)| (n, k))
            .collect()
    }

    /// A log object's payload: from the open-time cache (once), else the
    /// store.
    fn payload(&self, n: u64) -> io::Result<Bytes> {
        if let Some(bytes) = self.state.lock().cache.remove(&n) {
            return Ok(bytes);
        }
        let bytes = self.get(&self.layout.log(n))?.ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("log object {n} is gone"))
        })?;
        Ok(bytes.slice(HEADER.min(bytes.len())..))
    }

    /// Forgets superseded log objects and deletes those (and earlier
    /// ones) that are [`DELETE_DISTANCE`] below the newest; the others wait
    /// for a later call (see [`Inner::fence`]).
    fn delete_log(&self, state: &mut State, numbers: Vec<u64>) -> io::Result<()> {
        for n in numbers {
            state.log.remove(&n);
            state.cache.remove(&n);
            state.deferred.insert(n);
        }
        let below = state.next.saturating_sub(DELETE_DISTANCE);
        let keep = state.deferred.split_off(&below);
        let due = std::mem::replace(&mut state.deferred, keep);
        self.delete(due.into_iter().map(|n| self.layout.log(n)).collect())
    }
}

/// The segment number in a segment file name (`wal-XXXXXXXXXXXXXXXX`).
fn segment_number(name: &str) -> Option<u64> {
    u64::from_str_radix(name.strip_prefix("wal-")?, 16).ok()
}

impl Backend for ObjectBackend {
    fn list(&self) -> io::Result<Vec<String>> {
        let state = self.inner.state.lock();
        let mut names = Vec::new();
        if state.log.values().any(|k| k.header.kind == Kind::Control) {
            names.push(CONTROL.to_owned());
        }
        for k in state.log.values() {
            if k.header.kind == Kind::SegmentStart {
                names.push(super::wal::segment_name(k.header.segment));
            }
        }
        names.extend(state.files.keys().cloned());
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        let not_found = || io::Error::new(io::ErrorKind::NotFound, format!("no file \"{name}\""));
        if name == CONTROL {
            let newest = {
                let state = self.inner.state.lock();
                state
                    .log
                    .iter()
                    .rev()
                    .find(|(_, k)| k.header.kind == Kind::Control)
                    .map(|(&n, _)| n)
            };
            return Ok(self.inner.payload(newest.ok_or_else(not_found)?)?.to_vec());
        }
        if let Some(segment) = segment_number(name) {
            let objects = Inner::segment_objects(&self.inner.state.lock(), segment);
            if objects
                .first()
                .is_none_or(|(_, k)| k.header.kind != Kind::SegmentStart)
            {
                return Err(not_found());
            }
            let mut out = Vec::with_capacity(objects.iter().map(|(_, k)| k.len as usize).sum());
            for (n, _) in objects {
                out.extend_from_slice(&self.inner.payload(n)?);
            }
            return Ok(out);
        }
        let epoch = {
            let state = self.inner.state.lock();
            state.files.get(name).and_then(|e| e.last().copied())
        };
        let path = self.inner.layout.file(name, epoch.ok_or_else(not_found)?);
        Ok(self.inner.get(&path)?.ok_or_else(not_found)?.to_vec())
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        if name == CONTROL {
            let n = self.inner.put_log(Kind::Control, 0, bytes)?;
            // Older control files are superseded.
            let mut state = self.inner.state.lock();
            let old: Vec<u64> = state
                .log
                .range(..n)
                .filter(|(_, k)| k.header.kind == Kind::Control)
                .map(|(&n, _)| n)
                .collect();
            return self.inner.delete_log(&mut state, old);
        }
        if self.inner.fenced.load(Ordering::SeqCst) {
            return Err(self.inner.fenced_error());
        }
        let path = self.inner.layout.file(name, self.inner.epoch);
        match self.inner.put(&path, bytes.to_vec(), PutMode::Overwrite) {
            Ok(()) => {}
            Err(PutError::Exists) => return Err(io::Error::other("overwrite refused")),
            Err(PutError::Other(e)) => return Err(e),
        }
        let mut state = self.inner.state.lock();
        state
            .files
            .entry(name.to_owned())
            .or_default()
            .insert(self.inner.epoch);
        Ok(())
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        if name == CONTROL {
            return Ok(());
        }
        let mut state = self.inner.state.lock();
        if let Some(segment) = segment_number(name) {
            let numbers = Inner::segment_objects(&state, segment)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            return self.inner.delete_log(&mut state, numbers);
        }
        let epochs = state.files.remove(name).unwrap_or_default();
        drop(state);
        self.inner.delete(
            epochs
                .into_iter()
                .map(|e| self.inner.layout.file(name, e))
                .collect(),
        )
    }

    fn truncate(&self, name: &str, len: u64) -> io::Result<()> {
        let Some(segment) = segment_number(name) else {
            return Err(io::Error::other(format!("cannot truncate \"{name}\"")));
        };
        let objects = Inner::segment_objects(&self.inner.state.lock(), segment);
        let mut start = 0;
        let mut beyond = Vec::new();
        for (n, known) in objects {
            let end = start + known.len;
            if start >= len {
                beyond.push(n);
            } else if end > len {
                // The cut falls inside this object: write it again, shorter.
                let payload = self.inner.payload(n)?;
                let kept = &payload[..(len - start) as usize];
                let bytes = known.header.encode(kept);
                match self
                    .inner
                    .put(&self.inner.layout.log(n), bytes, PutMode::Overwrite)
                {
                    Ok(()) => {}
                    Err(PutError::Exists) => return Err(io::Error::other("overwrite refused")),
                    Err(PutError::Other(e)) => return Err(e),
                }
                let mut state = self.inner.state.lock();
                if let Some(k) = state.log.get_mut(&n) {
                    k.len = len - start;
                }
            }
            start = end;
        }
        let mut state = self.inner.state.lock();
        self.inner.delete_log(&mut state, beyond)
    }

    fn create_log(&self, name: &str, header: &[u8]) -> io::Result<Box<dyn LogFile>> {
        let segment = segment_number(name)
            .ok_or_else(|| io::Error::other(format!("\"{name}\" is not a segment name")))?;
        self.inner.put_log(Kind::SegmentStart, segment, header)?;
        Ok(Box::new(ObjectLog {
            inner: self.inner.clone(),
            segment,
            len: header.len() as u64,
            objects: 1,
        }))
    }

    fn describe(&self) -> String {
        self.inner.url.clone()
    }

    fn fenced(&self) -> Option<String> {
        self.inner
            .fenced
            .load(Ordering::SeqCst)
            .then(|| self.inner.taken_over())
    }
}

/// A log segment in an object store: each durable append is one object.
struct ObjectLog {
    inner: Arc<Inner>,
    segment: u64,
    len: u64,
    /// Objects in this segment so far.
    objects: u64,
}

impl LogFile for ObjectLog {
    fn append_durable(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.put_log(Kind::Append, self.segment, bytes)?;
        self.len += bytes.len() as u64;
        self.objects += 1;
        Ok(())
    }

    fn len(&self) -> u64 {
        self.len
    }

    fn full(&self) -> bool {
        self.objects >= SEGMENT_OBJECTS
    }
}

#[cfg(test)]
mod tests;
