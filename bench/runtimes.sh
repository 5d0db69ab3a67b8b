#!/usr/bin/env bash
# bench/runtimes.sh: pgbench TPS of engine-server on each runtime beside a
# scratch PostgreSQL 15, printed as a markdown table (docs/runtimes.md).
#
#   bench/runtimes.sh                  # everything: ~6 minutes
#   DURATION=2 CLIENTS="1 8" RUNTIMES="tokio mio" bench/runtimes.sh
#
# What it does, in order:
#   1. cargo build --release -p twill-server --bin engine-server
#   2. a scratch PostgreSQL 15 cluster (initdb/pg_ctl as the `postgres` user,
#      on a free port): PostgreSQL's defaults except synchronous_commit=off
#      (our engine is memory:// here, so waiting for the WAL flush would
#      measure the disk, not the server; fsync stays on)
#   3. per target (postgresql, then each runtime, one at a time, alone on
#      the machine): pgbench -i -s 1, then for each workload (-S, TPC-B),
#      mode (prepared, simple) and client count: pgbench -c N -j 2 -T 5
#      (pgbench's default vacuum + history truncate before each run)
#   4. the table: TPS per target, ratio to PostgreSQL in brackets, and
#      each runtime's ratio to the best runtime in the row.
#
# Needs: cargo, python3 (for a free port), runuser, PostgreSQL 15 in
# /usr/lib/postgresql/15/bin (postgresql-15 and postgresql-client-15), root
# (for runuser). Raw pgbench output goes to $WORK/*.log.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DURATION=${DURATION:-5}
THREADS=${THREADS:-2}
CLIENTS=${CLIENTS:-"1 8 64"}
RUNTIMES=${RUNTIMES:-"std mio tokio smol"}
MODES=${MODES:-"prepared simple"}
WORKLOADS=${WORKLOADS:-"select tpcb"}
WORK=$(mktemp -d /tmp/twill-bench.XXXXXX)
chmod 755 "$WORK"
SERVER=$ROOT/target/release/engine-server
PG_DATA=$WORK/pgdata
SERVER_PID=

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

(cd "$ROOT" && cargo build --release -p twill-server --bin engine-server >&2)

# pgbench one configuration; prints the TPS (and logs the whole output).
run_pgbench() { # port target workload mode clients
    local port=$1 target=$2 workload=$3 mode=$4 clients=$5 extra=
    [ "$workload" = select ] && extra=-S
    local out="$WORK/$target-$workload-$mode-c$clients.log"
    # A stalled server must not stall the benchmark: FAIL after a minute.
    timeout -k 5 $((DURATION + 60)) "$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres \
        $extra -M "$mode" -c "$clients" -j "$THREADS" -T "$DURATION" postgres >"$out" 2>&1 || true
    local tps failed
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | head -1)
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out" | head -1)
    if [ -z "$tps" ]; then
        echo "FAIL"
    elif [ -n "$failed" ] && [ "$failed" != 0 ]; then
        echo "${tps}!${failed}"
    else
        echo "$tps"
    fi
}

declare -A TPS

bench_target() { # port target
    local port=$1 target=$2
    log "$target: pgbench -i -s 1"
    "$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 1 -q postgres \
        >"$WORK/$target-init.log" 2>&1
    for workload in $WORKLOADS; do
        for mode in $MODES; do
            for c in $CLIENTS; do
                TPS[$target,$workload,$mode,$c]=$(run_pgbench "$port" "$target" "$workload" "$mode" "$c")
                log "$target $workload -M $mode -c $c: ${TPS[$target,$workload,$mode,$c]}"
            done
        done
    done
}

# ---- PostgreSQL 15 ----
PG_PORT=$(free_port)
mkdir -p "$PG_DATA" && chown postgres "$PG_DATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust >"$WORK/initdb.log" 2>&1
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c synchronous_commit=off" start >&2
PG_VERSION=$("$PGBIN/postgres" --version)
bench_target "$PG_PORT" postgresql
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast stop >&2

# ---- engine-server, once per runtime ----
for runtime in $RUNTIMES; do
    port=$(free_port)
    "$SERVER" --runtime "$runtime" --listen "127.0.0.1:$port" --db memory:// --max-connections 200 \
        --log-level warn 2>"$WORK/$runtime-server.log" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        sleep 0.1
    done
    bench_target "$port" "$runtime"
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
    SERVER_PID=
done

# ---- the table ----
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
num() { echo "${1%%!*}"; }

echo
echo "pgbench -s 1, -j $THREADS, -T $DURATION; $PG_VERSION with synchronous_commit=off;"
echo "engine-server $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') memory://, release build; $(nproc) cores; $(date -u +%Y-%m-%d)."
echo "TPS (ratio to PostgreSQL); \"best\" is the best runtime in the row; a '!N' suffix means N failed transactions."
echo
header="| workload | mode | clients | postgresql |"
rule="|---|---|---:|---:|"
for r in $RUNTIMES; do header="$header $r |"; rule="$rule---:|"; done
echo "$header best/pg | worst/best |"
echo "$rule---:|---:|"
for workload in $WORKLOADS; do
    for mode in $MODES; do
        for c in $CLIENTS; do
            pg=$(num "${TPS[postgresql,$workload,$mode,$c]}")
            name=$([ "$workload" = select ] && echo "-S (select only)" || echo "TPC-B")
            line="| $name | $mode | $c | ${pg%.*} |"
            best=0; worst=
            for r in $RUNTIMES; do
                raw=${TPS[$r,$workload,$mode,$c]}
                t=$(num "$raw")
                if [ "$t" = FAIL ]; then line="$line FAIL |"; worst=0; continue; fi
                suffix=; [ "$raw" != "$t" ] && suffix="!${raw#*!}"
                line="$line ${t%.*}$suffix ($(ratio "$t" "$pg")×) |"
                best=$(python3 -c "print(max($best, $t))")
                worst=$(python3 -c "print($t if '$worst' == '' else min(float('$worst'), $t))")
            done
            echo "$line $(ratio "$best" "$pg")× | $(ratio "${worst:-0}" "$best")× |"
        done
    done
done
echo
echo "raw pgbench output: $WORK" >&2
