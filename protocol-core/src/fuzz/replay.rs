//! Replays every checked-in fuzz seed and crash reproducer
//! (`fuzz/seeds/<target>/*`, `fuzz/regressions/<target>/*`) through its
//! harness, as an ordinary test on stable.

use std::path::{Path, PathBuf};

fn files(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
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
fn startup_seeds() {
    replay("startup", super::startup);
}

#[test]
fn frontend_seeds() {
    replay("frontend", super::frontend);
}

#[test]
fn scram_seeds() {
    replay("scram", super::scram);
}

#[test]
fn types_seeds() {
    replay("types", super::types);
}

#[test]
fn connection_seeds() {
    replay("connection", |data| {
        let ops = super::connection::ops_from_bytes(data);
        super::connection::run(data.first().is_some_and(|b| b & 1 == 1), &ops);
    });
}
