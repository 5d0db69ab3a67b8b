#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with cargo-fuzz on the
# nightly toolchain, starting from the checked-in seeds, and prints execs,
# execs/s and coverage per target. New corpus entries stay in fuzz/corpus/
# (not checked in); a crash leaves a reproducer in fuzz/artifacts/<target>/,
# which belongs in fuzz/regressions/<target>/ once fixed (replayed by
# `cargo test -p twill-protocol` for the protocol targets and
# `cargo test -p twill-engine --lib fuzz` for sql, copy and wal).
# The engine targets get a per-input time limit: their harnesses cancel a
# statement after 150 ms, so an input that runs for seconds is a hang.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
targets=${TARGETS:-"startup frontend connection scram types sql copy wal"}
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
for t in $targets; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  case $t in
    sql) extra=(-dict=dict/sql.dict -timeout=10) ;;
    copy) extra=(-dict=dict/copy.dict -timeout=10) ;;
    wal) extra=(-timeout=10) ;;
    *) extra=(-dict=dict/protocol.dict) ;;
  esac
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
      "${extra[@]}" -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t FAILED (reproducer in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  echo "$t: ${execs:-?} execs in ${secs}s (${rate:-?}/s), ${cov:-cov: ?}, corpus $(ls "corpus/$t" | wc -l) files"
  rm -f "$log"
done
