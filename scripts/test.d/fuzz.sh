#!/usr/bin/env bash
# scripts/test.d/fuzz.sh - every libFuzzer target of tests/fuzz/ for a short,
# fixed number of executions (ISOBENCH_FUZZ_RUNS, default 5000 each: a few
# seconds per target once built) over the seed corpora from tests/fixtures.
# A crash, leak, sanitizer report or timeout fails the test run. The long
# run is `scripts/fuzz --time 600` (README, "Fuzzing").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v clang >/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "fuzz.sh: clang is required under CI (scripts/setup installs it)" >&2
    exit 1
  fi
  echo "fuzz.sh: SKIPPED: clang is not installed"
  exit 0
fi
exec "$root/scripts/fuzz" --runs "${ISOBENCH_FUZZ_RUNS:-5000}"
