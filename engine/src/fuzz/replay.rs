//! Replays every checked-in seed and crash reproducer of the engine's
//! fuzz targets (`fuzz/seeds/<target>/*`, `fuzz/regressions/<target>/*`)
//! through its harness, as ordinary unit tests on stable; and writes the
//! seeds that come from the engine itself (`write_seeds`).

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(target: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) {
            out.extend(entries.map(|e| e.expect("dir entry").path()));
        }
    }
    out.sort();
    out
}

fn replay(target: &str, harness: fn(&[u8])) {
    let files = files(target);
    assert!(
        !files.is_empty(),
        "no seeds for the {target} fuzz target in fuzz/seeds/{target}"
    );
    for path in files {
        let data = std::fs::read(&path).expect("readable seed");
        if std::panic::catch_unwind(|| harness(&data)).is_err() {
            panic!("fuzz seed {} breaks the {target} harness", path.display());
        }
    }
}

#[test]
fn sql_seeds() {
    replay("sql", super::sql);
}

#[test]
fn copy_seeds() {
    replay("copy", super::copy);
}

#[test]
fn wal_seeds() {
    replay("wal", super::wal);
}
