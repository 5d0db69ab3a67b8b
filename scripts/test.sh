#!/usr/bin/env bash
# The whole test suite. Needs PostgreSQL 15 installed (the type tests start
# a scratch cluster of it as a reference); .ci/run installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "PostgreSQL 15 is required by the tests: apt-get install postgresql-15" >&2
  exit 1
fi
exec cargo test --workspace "$@"
