#!/usr/bin/env python3
"""Renders the client x feature table of docs/compatibility.md from the
results of the client compatibility tests.

    cargo test -p twill-server --test clients    # writes target/compatibility/*.tsv
    scripts/compat-table.py                      # rewrites the table in docs/compatibility.md
    scripts/compat-table.py --check              # fails if the committed table differs

Inputs:
  * target/compatibility/*.tsv (or $CARGO_TARGET_DIR/compatibility, or
    --results DIR), written by server-bin/tests/clients/results.rs: one row
    per feature and runtime, `client feature runtime ok|FAIL reason`,
    tab-separated;
  * tests/clients/features.tsv: the client labels and each feature's
    description, in table order.

Output: the part of docs/compatibility.md between the lines
`<!-- generated: compatibility matrix -->` and `<!-- end -->` (the rest of
the document is kept), and the same table in target/compatibility/matrix.md.
The output depends only on the inputs (no dates, timings or ports), so
--check is deterministic.

It refuses (exit 2) when a result has no description (a feature added to a
script but not to features.tsv, or a stale file in target/compatibility:
remove the directory and rerun the tests), and when a described feature has
no result (a partial run: run the whole matrix, or pass --partial to show
`–` for it).
"""

import argparse
import difflib
import glob
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DOC = os.path.join(ROOT, "docs", "compatibility.md")
FEATURES = os.path.join(ROOT, "tests", "clients", "features.tsv")
BEGIN = "<!-- generated: compatibility matrix -->"
END = "<!-- end -->"
RUNTIMES = ["std", "mio", "tokio", "smol"]


def die(msg, code=2):
    print(f"compat-table: {msg}", file=sys.stderr)
    sys.exit(code)


def read_features(path):
    """[(client, label, [(feature, description)])] in file order."""
    clients = []
    by_id = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3 or not all(c.strip() for c in cols):
                die(f"{path}:{n}: expected 3 tab-separated columns: client, feature, description")
            client, feature, text = cols
            if feature == "-":
                if client in by_id:
                    die(f"{path}:{n}: client {client} labelled twice")
                by_id[client] = (client, text, [])
                clients.append(by_id[client])
            elif client not in by_id:
                die(f"{path}:{n}: client {client} has no label line (`{client}<TAB>-<TAB>label`) before it")
            elif any(f == feature for f, _ in by_id[client][2]):
                die(f"{path}:{n}: {client} {feature} described twice")
            else:
                by_id[client][2].append((feature, text))
    return clients


def read_results(directory):
    """{(client, feature): {runtime: (ok, [reasons])}}; a FAIL wins over ok
    when a feature has several rows for one runtime (`connect` and `close`
    run in every test of a client)."""
    files = sorted(glob.glob(os.path.join(directory, "*.tsv")))
    if not files:
        die(f"no results in {directory}: run `cargo test -p twill-server --test clients` first")
    results = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                cols = line.split("\t")
                if len(cols) != 5 or cols[3] not in ("ok", "FAIL"):
                    die(f"{path}:{n}: not a result row (client feature runtime ok|FAIL reason): {line!r}")
                client, feature, runtime, result, reason = cols
                cell = results.setdefault((client, feature), {}).setdefault(runtime, [True, []])
                if result == "FAIL":
                    cell[0] = False
                    if reason not in cell[1]:
                        cell[1].append(reason)
    return results


def md(text):
    return text.replace("|", "\\|")


def render(clients, results, partial):
    described = {(c, f) for c, _, feats in clients for f, _ in feats}
    unknown = sorted(k for k in results if k not in described)
    if unknown:
        names = ", ".join(f"{c} {f}" for c, f in unknown)
        die(f"results without a description in tests/clients/features.tsv: {names} "
            "(describe them, or remove a stale target/compatibility/ and rerun the tests)")
    runtimes = RUNTIMES + sorted({r for cells in results.values() for r in cells} - set(RUNTIMES))
    missing = []
    lines = [
        BEGIN,
        "<!-- by scripts/compat-table.py from the test results and tests/clients/features.tsv: "
        "do not edit by hand -->",
        "",
        "| client | feature (script feature name) | " + " | ".join(runtimes) + " |",
        "|---|---|" + ":-:|" * len(runtimes),
    ]
    failures = []
    passed = failed = 0
    for client, label, feats in clients:
        first = True
        for feature, text in feats:
            cells = results.get((client, feature), {})
            row = []
            for runtime in runtimes:
                cell = cells.get(runtime)
                if cell is None:
                    missing.append(f"{client} {feature} on {runtime}")
                    row.append("–")
                elif cell[0]:
                    passed += 1
                    row.append("✓")
                else:
                    failed += 1
                    row.append("✗")
                    for reason in cell[1]:
                        failures.append((client, feature, runtime, reason))
            lines.append(f"| {md(label) + ' ' if first else ''}| {text} (`{feature}`) | " + " | ".join(row) + " |")
            first = False
    if missing and not partial:
        die(f"{len(missing)} results missing (a partial run? run the whole matrix, "
            f"or pass --partial): " + ", ".join(missing[:10]) + (" …" if len(missing) > 10 else ""))
    lines += ["", f"{passed} passed, {failed} failed" + (f", {len(missing)} not run" if missing else "")
              + f" (features × runtimes, connect and close included)."]
    if failures:
        lines += ["", "Failures (the reason the script reported):", ""]
        grouped = {}
        for client, feature, runtime, reason in failures:
            grouped.setdefault((client, feature, reason), []).append(runtime)
        for (client, feature, reason), rts in grouped.items():
            lines.append(f"* {client} `{feature}` ({', '.join(rts)}): {md(reason) or 'no reason given'}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    ap.add_argument("--results", default=os.path.join(target, "compatibility"),
                    help="directory of the result TSVs (default: %(default)s)")
    ap.add_argument("--doc", default=DOC, help="the document to rewrite (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the document's table differs from the results")
    ap.add_argument("--partial", action="store_true", help="allow features without results (shown as –)")
    args = ap.parse_args()

    table = render(read_features(FEATURES), read_results(args.results), args.partial)
    with open(args.doc, encoding="utf-8") as f:
        doc = f.read()
    if doc.count(BEGIN + "\n") != 1 or doc.count("\n" + END + "\n") < 1:
        die(f"{args.doc} needs one line `{BEGIN}` and a line `{END}` after it")
    head, rest = doc.split(BEGIN + "\n", 1)
    if "\n" + END + "\n" not in "\n" + rest:
        die(f"no `{END}` line after `{BEGIN}` in {args.doc}")
    tail = ("\n" + rest).split("\n" + END + "\n", 1)[1]
    new = head + table + tail
    if args.check:
        if new != doc:
            sys.stdout.writelines(difflib.unified_diff(
                doc.splitlines(True), new.splitlines(True), args.doc, "generated"))
            die("the table in docs/compatibility.md differs from the test results: "
                "run scripts/compat-table.py and commit the result", 1)
        return
    with open(os.path.join(args.results, "matrix.md"), "w", encoding="utf-8") as f:
        f.write(table)
    if new != doc:
        with open(args.doc, "w", encoding="utf-8") as f:
            f.write(new)
        print(f"compat-table: rewrote the table in {os.path.relpath(args.doc)}")


if __name__ == "__main__":
    main()
