//! The Node.js clients: node-postgres (`pg` 8.23) and postgres.js
//! (`postgres` 3.4), from `tests/clients/node_modules` (`npm ci --prefix
//! tests/clients`).

use ::std::path::PathBuf;
use ::std::process::Command;

use crate::{clients_dir, run_everywhere, runs};

/// `node <script> <features…>` in `tests/clients/`, failing with what to
/// install when node or the package is missing.
fn node(client: &str, package: &str, script: &str, features: &[&str]) {
    let dir = clients_dir();
    let node = PathBuf::from(::std::env::var_os("TWILL_NODE").unwrap_or_else(|| "node".into()));
    assert!(
        runs(&node),
        "{client}: `{}` does not run: install Node.js 18+ (apt-get install nodejs npm), or set TWILL_NODE",
        node.display()
    );
    assert!(
        dir.join("node_modules")
            .join(package)
            .join("package.json")
            .exists(),
        "{client}: the npm package `{package}` is not installed: run `npm ci --prefix tests/clients`"
    );
    run_everywhere(client, features, |_port| {
        let mut cmd = Command::new(&node);
        cmd.current_dir(&dir).arg(script).args(features);
        cmd
    });
}

mod node_pg {
    const SCRIPT: &str = "js_node_pg.js";

    /// Parameters, named statements, BEGIN/ROLLBACK and 25P02, arrays and
    /// json, `rowMode: 'array'`, a multi-statement query, 42P01.
    #[test]
    fn supported() {
        super::node(
            "node-pg",
            "pg",
            SCRIPT,
            &[
                "params",
                "named_statements",
                "transaction_rollback",
                "arrays_json",
                "row_mode_array",
                "multi_statement",
                "error_42P01",
            ],
        );
    }
}

mod postgres_js {
    const SCRIPT: &str = "js_postgres.js";

    /// Tagged templates (P/D/H Flush, then B/E/S), `sql.begin` with a
    /// savepoint, `sql.unsafe`, arrays and json, `.cursor(10)`, 42P01.
    #[test]
    fn supported() {
        super::node(
            "postgres.js",
            "postgres",
            SCRIPT,
            &[
                "tagged_templates",
                "transaction_savepoint",
                "unsafe",
                "arrays_json",
                "cursor",
                "error_42P01",
            ],
        );
    }
}
