//! Bun's built-in SQL client (`Bun.SQL`, Bun 1.4.5): `tests/clients/
//! js_bun.js`, run by the `bun` binary that the npm package `bun` installs
//! into `tests/clients/node_modules/.bin` (its postinstall links the
//! platform package `@oven/bun-linux-x64`; `npm ci --prefix tests/clients`
//! runs it, approved by `allowScripts` in package.json). Bun is its own runtime, not a Node.js library, so it has its
//! own runner here; the script shares `common.js` with the Node clients.

use ::std::path::PathBuf;
use ::std::process::Command;

use crate::{clients_dir, run_everywhere, runs};

/// `bun js_bun.js <features…>` in `tests/clients/`, failing with what to
/// install when the binary is missing.
fn bun(features: &[&str]) {
    let dir = clients_dir();
    let bun = ::std::env::var_os("TWILL_BUN").map_or_else(
        || dir.join("node_modules").join(".bin").join("bun"),
        PathBuf::from,
    );
    assert!(
        runs(&bun),
        "bun: `{}` does not run: run `npm ci --prefix tests/clients` (the npm package `bun`, \
         whose postinstall links the platform binary; not with --ignore-scripts), or set TWILL_BUN",
        bun.display()
    );
    run_everywhere("bun", features, |_port| {
        let mut cmd = Command::new(&bun);
        cmd.current_dir(&dir).arg("js_bun.js").args(features);
        cmd
    });
}

/// Tagged templates (named `Pn` statements: P/D S/S, then B/E/S), the bulk
/// helper, `IN ${sql([...])}`, Promise.all pipelining, `sql.begin` with a
/// rolled-back savepoint and a failing transaction (23505), `sql.unsafe`
/// (simple multi-statement Q, and with params), every type Bun decodes
/// (mixed binary/text result columns, arrays, json/jsonb), typed params
/// (int4/float8/bool/bytea binary, BigInt as text OID 20, objects as
/// JSON), 42P01 and the statement counter after it; close without
/// Terminate.
#[test]
fn supported() {
    bun(&[
        "tagged_templates",
        "transaction_savepoint",
        "unsafe",
        "types",
        "typed_params",
        "error_42P01",
    ]);
}
