#!/usr/bin/env bash
# The protocol core must stay sans-IO: no async runtime in its dependency
# tree, and no socket, file, thread or clock access in its source.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
tree=$(cargo tree -p twill-protocol -e normal --prefix none --format '{p}')
if echo "$tree" | grep -Eiq '^(tokio|mio|smol|async-io|async-std|futures|futures-[a-z]+|async-executor|async-net) v'; then
  echo "twill-protocol depends on a runtime crate:" >&2
  echo "$tree" | grep -Ei '^(tokio|mio|smol|async-io|async-std|futures|async-executor|async-net)' >&2
  fail=1
fi
# Comments may mention these words; code may not use them. src/fuzz/ is
# compiled only for tests and fuzzing (#[cfg(any(test, fuzzing))]): its
# harnesses start virtual time from Instant::now and replay seed files.
if grep -rnE --exclude-dir=fuzz 'std::net|TcpStream|UdpSocket|std::thread|thread::spawn|thread::sleep|std::fs|File::|Instant::now|SystemTime::now|std::process|std::env' protocol-core/src \
   | grep -vE '^[^:]+:[0-9]+:\s*//'; then
  echo "protocol-core/src must not read sockets, files, threads, the clock or the environment (above)" >&2
  fail=1
fi
if [ "$fail" = 0 ]; then
  echo "sans-IO check: twill-protocol has no runtime dependency and no I/O in its source"
fi
exit "$fail"
