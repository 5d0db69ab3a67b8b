//! The Python clients: psycopg 3, psycopg2, asyncpg, pg8000 and SQLAlchemy 2
//! (with psycopg 3), at the versions pinned in
//! `tests/clients/requirements.txt`. The interpreter is `$TWILL_PYTHON`,
//! else `tests/clients/.venv/bin/python` (where `.ci/run` installs them),
//! else `python3`.

use ::std::path::PathBuf;
use ::std::process::{Command, Stdio};

use crate::{clients_dir, run_everywhere, runs};

/// The install command for the Python client libraries.
const INSTALL: &str = "python3 -m venv tests/clients/.venv && \
     tests/clients/.venv/bin/pip install -r tests/clients/requirements.txt; or \
     pip install -r tests/clients/requirements.txt for the python3 on PATH";

fn python() -> PathBuf {
    if let Some(python) = ::std::env::var_os("TWILL_PYTHON") {
        return python.into();
    }
    let venv = clients_dir().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

/// `python <script> <features…>` in `tests/clients/`, failing with what to
/// install when the interpreter or a module (`modules`) is missing.
fn python_client(client: &str, modules: &[&str], script: &str, features: &[&str]) {
    let dir = clients_dir();
    let python = python();
    assert!(
        runs(&python),
        "{client}: `{}` does not run: install Python 3.9+ (apt-get install python3 python3-venv), or set TWILL_PYTHON",
        python.display()
    );
    for module in modules {
        let found = Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            found,
            "{client}: the Python module `{module}` is not importable by `{}`: run {INSTALL}",
            python.display()
        );
    }
    run_everywhere(client, features, |_port| {
        let mut cmd = Command::new(&python);
        cmd.current_dir(&dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .arg(script)
            .args(features);
        cmd
    });
}

mod psycopg3 {
    const SCRIPT: &str = "py_psycopg3.py";

    fn run(features: &[&str]) {
        super::python_client("psycopg3", &["psycopg"], SCRIPT, features);
    }

    /// Binary parameters and results, executemany and pipeline mode, COPY
    /// FROM STDIN text and binary and COPY TO STDOUT text and binary, a
    /// server-side cursor (plain and scrollable), prepare_threshold 0 and
    /// the default 5, DEALLOCATE ALL after a rollback, errors, 25P02 and
    /// nested transactions (savepoints). One test: the features share the
    /// script's tables, so they must not run concurrently.
    #[test]
    fn supported() {
        run(&[
            "binary_params",
            "executemany_pipeline",
            "copy_text_binary",
            "copy_out_binary",
            "server_side_cursor",
            "prepare_threshold",
            "deallocate_all",
            "transaction_error",
        ]);
    }
}

mod psycopg2 {
    /// Client-side interpolation over simple Q, executemany, rollback,
    /// execute_values (with RETURNING), a named cursor (DECLARE/FETCH
    /// FORWARD/CLOSE), copy_expert in and out (text and csv), errors.
    #[test]
    fn supported() {
        super::python_client(
            "psycopg2",
            &["psycopg2"],
            "py_psycopg2.py",
            &[
                "params",
                "execute_values",
                "named_cursor",
                "copy_expert",
                "errors",
            ],
        );
    }
}

mod asyncpg {
    const SCRIPT: &str = "py_asyncpg.py";

    fn run(features: &[&str]) {
        super::python_client("asyncpg", &["asyncpg"], SCRIPT, features);
    }

    /// Every type binary (int, text, numeric, date, timestamptz, uuid, json,
    /// jsonb, int[], text[], int8, float8), a 2-D int[] result (ndim 2 in
    /// the binary header), the array type introspection
    /// (jit get/set and the recursive pg_type query), executemany, cursors
    /// in a transaction and savepoints, copy_records_to_table,
    /// copy_from_query (also with arguments: F4) and copy_from_table,
    /// errors. One test: the features share `apg_copy`, whose rows
    /// copy_records_to_table writes (run alone, copy_from_query_args
    /// answers `COPY 0` on PostgreSQL too).
    #[test]
    fn supported() {
        run(&[
            "binary_types",
            "array_2d",
            "type_introspection",
            "executemany",
            "cursor_in_transaction",
            "copy_records_to_table",
            "copy_from_query",
            "copy_from_query_args",
            "errors",
        ]);
    }
}

mod pg8000 {
    /// Parameters over the three-round-trip unnamed statement, prepare() and
    /// close, dbapi transactions (rollback, executemany, commit), 42P01.
    #[test]
    fn supported() {
        super::python_client(
            "pg8000",
            &["pg8000"],
            "py_pg8000.py",
            &["params", "transaction"],
        );
    }
}

mod sqlalchemy {
    const SCRIPT: &str = "py_sqlalchemy.py";

    fn run(features: &[&str]) {
        super::python_client("sqlalchemy", &["sqlalchemy", "psycopg"], SCRIPT, features);
    }

    /// Dialect initialisation, create_all (SERIAL primary keys, a FOREIGN
    /// KEY, UNIQUE) with has_table, inspect().get_columns(), the ORM, and
    /// inspect()'s primary key, foreign keys and unique constraints,
    /// MetaData.reflect() with an insert and a join through the reflected
    /// tables. One test: the features share the script's tables (a second
    /// test on the shared servers would drop them under this one).
    #[test]
    fn supported() {
        run(&[
            "create_all",
            "inspect_columns",
            "orm",
            "inspect_pk",
            "inspect_fks",
            "inspect_unique",
            "reflect",
        ]);
    }
}
