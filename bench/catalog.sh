#!/usr/bin/env bash
# bench/catalog.sh: how long psql's `\d tN` takes on a schema of many
# tables (docs/catalogs.md, "Cost"). `\d` is psql's heaviest everyday
# catalog use: five to eight queries over pg_class, pg_attribute, pg_index,
# pg_constraint… each filtered to one relation, so its time shows whether a
# point lookup in a catalog costs one row or the whole catalog.
#
#   bench/catalog.sh                       # 1 000 tables, \d t500, 10 runs
#   TABLES=4000 RUNS=5 bench/catalog.sh
#   BUILD=0 bench/catalog.sh               # use target/release as it is
#   COMPARE_PORT=5432 bench/catalog.sh     # also time a running PostgreSQL
#
# What it does:
#   1. cargo build --release -p twill-server --bin engine-server (unless BUILD=0)
#   2. engine-server --db memory:// on a free port (std runtime)
#   3. creates t1 … tN (id int primary key, name text not null,
#      price numeric(10,2) check (price >= 0), created date default
#      current_date) and an index on each name, in one psql -1 -f run
#   4. times RUNS runs of `psql -X -c '\d tM'` (M = N/2) and of
#      `psql -X -c 'select 1'`; prints the medians and their difference,
#      which is the catalog work (connection start-up and psql's own
#      start-up cancel out)
#
# Needs: cargo, python3 (free port, timing), psql 15. Same on a PostgreSQL
# given by COMPARE_PORT (user postgres, database postgres, on 127.0.0.1),
# where the tables are created first and dropped afterwards.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TABLES=${TABLES:-1000}
RUNS=${RUNS:-10}
BUILD=${BUILD:-1}
COMPARE_PORT=${COMPARE_PORT:-}
SERVER=$ROOT/target/release/engine-server
WORK=$(mktemp -d /tmp/twill-catalog.XXXXXX)
SERVER_PID=

cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

if [ "$BUILD" != 0 ]; then
    (cd "$ROOT" && cargo build --release -p twill-server --bin engine-server >&2)
fi

psql_on() { # port, psql arguments…
    local port=$1
    shift
    PGCONNECT_TIMEOUT=10 "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

# The median wall time in milliseconds of RUNS runs of psql with the arguments.
median_ms() { # port, psql arguments…
    local port=$1
    shift
    python3 - "$RUNS" "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@" <<'EOF'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.1f}")
EOF
}

for i in $(seq 1 "$TABLES"); do
    echo "create table t$i (id int primary key, name text not null, price numeric(10,2) check (price >= 0), created date default current_date);"
    echo "create index t${i}_name on t$i (name);"
done >"$WORK/create.sql"
for i in $(seq 1 "$TABLES"); do echo "drop table t$i;"; done >"$WORK/drop.sql"
TARGET=t$((TABLES / 2))

measure() { # label port
    local label=$1 port=$2 start end d one
    start=$(date +%s.%N)
    psql_on "$port" -1 -v ON_ERROR_STOP=1 -f "$WORK/create.sql"
    end=$(date +%s.%N)
    log "$label: created $TABLES tables in $(python3 -c "print(f'{$end - $start:.1f}')") s"
    psql_on "$port" -c "\\d $TARGET" >"$WORK/$label.d.out"
    d=$(median_ms "$port" -c "\\d $TARGET")
    one=$(median_ms "$port" -c "select 1")
    echo "| $label | $TABLES | \\d $TARGET ${d} ms | select 1 ${one} ms | difference $(python3 -c "print(f'{$d - $one:.1f}')") ms |"
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$SERVER" --db memory:// --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do psql_on "$PORT" -c "select 1" >/dev/null 2>&1 && break; sleep 0.1; done
measure engine-server "$PORT"
if [ -n "$COMPARE_PORT" ]; then
    measure postgresql "$COMPARE_PORT"
    psql_on "$COMPARE_PORT" -1 -f "$WORK/drop.sql"
fi
