//! An object store that loses puts' answers, for tests: put number `n`
//! either fails before it lands (a refused connection) or lands and then
//! reports a failure (a timeout after the store took it) — the ambiguous
//! case the backend settles by reading the object back.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};

/// Which put goes wrong, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Put `n` fails without landing.
    FailBefore(u64),
    /// Put `n` lands, then reports a failure.
    LoseAnswer(u64),
}

/// [`InMemory`] with one faulty put.
#[derive(Debug)]
pub(crate) struct Faulty {
    pub(crate) inner: InMemory,
    fault: Option<Fault>,
    puts: AtomicU64,
}

impl Faulty {
    pub(crate) fn new(inner: InMemory, fault: Option<Fault>) -> Faulty {
        Faulty {
            inner,
            fault,
            puts: AtomicU64::new(0),
        }
    }

    /// Puts made so far.
    pub(crate) fn puts(&self) -> u64 {
        self.puts.load(Ordering::SeqCst)
    }
}

impl fmt::Display for Faulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Faulty({:?})", self.fault)
    }
}

fn lost(what: &str) -> object_store::Error {
    object_store::Error::Generic {
        store: "Faulty",
        source: what.into(),
    }
}

#[async_trait]
impl ObjectStore for Faulty {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        let n = self.puts.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fault == Some(Fault::FailBefore(n)) {
            return Err(lost("connection refused (injected)"));
        }
        let result = self.inner.put_opts(location, payload, opts).await;
        if self.fault == Some(Fault::LoseAnswer(n)) {
            return Err(lost("request timed out (injected, after the put landed)"));
        }
        result
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
