#!/usr/bin/env bash
# scripts/test.d/docker-pipe.sh - the docker driver's Windows named-pipe
# transport (harness/drivers/docker_http_win.c), cross-built with mingw-w64
# and run under Wine against a scripted named-pipe "engine"
# (tests/win_docker_pipe.c). Skips when mingw or Wine is missing, except
# under CI where that is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=x86_64-w64-mingw32-gcc
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine=$(command -v wine64 || true)
if ! command -v "$cc" >/dev/null || [ -z "$wine" ] || [ ! -x "$wine" ]; then
  if [ "${CI:-}" = true ]; then echo "docker-pipe: mingw-w64 or wine64 missing" >&2; exit 1; fi
  echo "docker-pipe: SKIPPED: mingw-w64 or wine64 missing"
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$cc" -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation \
  -I"$root/harness" -o "$out/win_docker_pipe.exe" "$root/tests/win_docker_pipe.c" \
  "$root/harness/drivers/docker_http.c" "$root/harness/drivers/docker_http_win.c" "$root/harness/err.c"
mkdir -p "$out/prefix"
status=0
WINEPREFIX="$out/prefix" WINEDEBUG=-all timeout 300 "$wine" "$out/win_docker_pipe.exe" 2>/dev/null || status=$?
WINEPREFIX="$out/prefix" wineserver -k 2>/dev/null || WINEPREFIX="$out/prefix" /usr/lib/wine/wineserver -k 2>/dev/null || true
exit $status
