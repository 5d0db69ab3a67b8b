"""Shared helpers for the Python client scripts: connection settings from the
environment the Rust test sets, the library import with an install hint, and
the feature runner."""

import importlib
import os
import sys
import time
import traceback

INSTALL = ("python3 -m venv tests/clients/.venv && tests/clients/.venv/bin/pip install -r "
           "tests/clients/requirements.txt; or pip install -r tests/clients/requirements.txt")


def conn():
    out = {}
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
        value = os.environ.get(key)
        if not value:
            print(f"{key} is not set (the Rust test sets PGHOST, PGPORT, PGUSER, PGDATABASE)", file=sys.stderr)
            sys.exit(2)
        out[key] = value
    return {"host": out["PGHOST"], "port": int(out["PGPORT"]), "user": out["PGUSER"], "dbname": out["PGDATABASE"]}


def load(module, package):
    """Imports `module`, failing with the exact install command if missing."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        print(f"client library '{package}' is not installed: run {INSTALL} ({e})", file=sys.stderr)
        sys.exit(3)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def sqlstate(exc):
    for attr in ("sqlstate", "pgcode"):
        code = getattr(exc, attr, None)
        if code:
            return code
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], dict):  # pg8000
        return args[0].get("C")
    return None


def raises(code, what, fn, *args, **kwargs):
    """Runs fn and expects an error with SQLSTATE `code`."""
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        got = sqlstate(e)
        if got != code:
            raise AssertionError(f"{what}: expected SQLSTATE {code}, got {got}: {type(e).__name__}: {e}") from e
        return e
    raise AssertionError(f"{what}: expected SQLSTATE {code}, got success")


def report(name, error=None):
    """One machine-readable line per feature on stdout, which the Rust
    harness collects into the compatibility table (docs/compatibility.md):
    `TWILL-FEATURE <name> ok` or `TWILL-FEATURE <name> FAIL <reason>`."""
    if error is None:
        print(f"TWILL-FEATURE {name} ok", flush=True)
    else:
        reason = " ".join(str(error).split())[:300]
        print(f"TWILL-FEATURE {name} FAIL {reason}", flush=True)


def run(client, features):
    """Runs the features named in argv (all when none); `connect` first and
    `close` last, always. Reports each feature (`report`); exits non-zero
    with a clear message on a failure."""
    names = list(features)
    wanted = sys.argv[1:]
    for name in wanted:
        if name not in features:
            print(f"{client}: unknown feature {name}; known: {', '.join(names)}", file=sys.stderr)
            sys.exit(2)
    chosen = [n for n in (wanted or names) if n not in ("connect", "close")]
    if "connect" in features:
        chosen.insert(0, "connect")
    if "close" in features:
        chosen.append("close")
    for name in chosen:
        t0 = time.monotonic()
        try:
            features[name]()
        except Exception as e:  # noqa: BLE001
            code = sqlstate(e)
            tag = f" [SQLSTATE {code}]" if code else ""
            report(name, f"{tag.strip()} {type(e).__name__}: {e}")
            print(f"FAIL {client}/{name}{tag}: {type(e).__name__}: {e}", file=sys.stderr)
            traceback.print_exc()
            sys.exit(1)
        report(name)
        print(f"ok {client}/{name} ({(time.monotonic() - t0) * 1000:.0f} ms)", flush=True)
