#!/usr/bin/env bash
# scripts/test.d/windows.sh - the Windows path, contract-tested on Linux:
#   1. cross-build isobench.exe and test_win.exe with mingw-w64 (scripts/build-windows)
#   2. run test_win.exe under wine64 (plat_win, host_win, PDH, the hcs probe,
#      HCS documents, typeperf import on Windows paths)
#   3. smoke-run isobench.exe itself: help, drivers, an import of a typeperf
#      fixture, and a whole scenario run (hcs is unavailable under wine: the
#      run must record why and still write a complete run directory)
# wine's first start in a fresh prefix takes a few seconds; the prefix lives
# in the build directory so nothing outside it is touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${ISOBENCH_WIN_BUILD:-$root/build-windows}
"$root/scripts/build-windows" "$dir"

wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ]; then
  echo "windows.sh: $wine missing (install wine64: scripts/setup)" >&2
  exit 1
fi
export WINEPREFIX="$dir/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WINEPREFIX"
status=0

echo "== test_win.exe under wine64"
out=$("$wine" "$dir/test_win.exe" 2>"$dir/test_win.stderr" | tr -d '\r') || status=1
printf '%s\n' "$out"
last=$(printf '%s\n' "$out" | tail -n 1)
if ! printf '%s\n' "$last" | grep -Eq '^[0-9]+ passed, 0 failed$'; then
  echo "windows.sh: test_win.exe: $last" >&2
  status=1
fi

echo "== isobench.exe smoke run under wine64"
"$wine" "$dir/isobench.exe" help >"$dir/smoke-help.txt" 2>&1 || status=1
grep -q "import" "$dir/smoke-help.txt" || { echo "windows.sh: isobench.exe help lacks import" >&2; status=1; }
"$wine" "$dir/isobench.exe" drivers >"$dir/smoke-drivers.txt" 2>&1 || status=1
grep -Eq '^hcs +process,vm +compiled in' "$dir/smoke-drivers.txt" \
  || { echo "windows.sh: isobench.exe drivers:" >&2; cat "$dir/smoke-drivers.txt" >&2; status=1; }
rm -rf "$dir/smoke-run"
if "$wine" "$dir/isobench.exe" import typeperf "Z:$root/tests/fixtures/typeperf-basic.csv" \
     --mode hyperv --run "Z:$dir/smoke-run" >"$dir/smoke-import.txt" 2>&1; then
  if [ "$(wc -l <"$dir/smoke-run/samples.csv")" -ne 17 ] || [ ! -s "$dir/smoke-run/run.json" ]; then
    echo "windows.sh: isobench.exe import wrote an unexpected run directory" >&2
    status=1
  fi
else
  echo "windows.sh: isobench.exe import failed:" >&2
  cat "$dir/smoke-import.txt" >&2
  status=1
fi
# The whole runner on Windows: wine has no Host Compute Service, so the hcs
# mode must be recorded as unavailable with the probe's reason, and the run
# directory must still be complete.
rm -rf "$dir/smoke-scenario"
if "$wine" "$dir/isobench.exe" run "Z:$root/tests/win/smoke.json" --out "Z:$dir/smoke-scenario" \
     >"$dir/smoke-scenario.txt" 2>&1; then
  for f in run.json containers.csv samples.csv ramp.csv summary.json; do
    [ -s "$dir/smoke-scenario/$f" ] || { echo "windows.sh: isobench.exe run left no $f" >&2; status=1; }
  done
  python3 - "$dir/smoke-scenario/run.json" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1]))
m = r["modes"][0]
assert r["status"] == "complete", r["status"]
assert m["available"] is False and "computecore.dll" in m["reason"], m
assert r["host"]["cgroup"] == "none" and r["host"]["cores"] > 0, r["host"]
print("run.json: hcs-process unavailable:", m["reason"])
PY
else
  echo "windows.sh: isobench.exe run failed:" >&2
  cat "$dir/smoke-scenario.txt" >&2
  status=1
fi
# cleanup visits every driver; this hook answers for hcs (which has nothing
# to remove where HCS is absent), other drivers' complaints are shown only.
if ! "$wine" "$dir/isobench.exe" cleanup >"$dir/smoke-cleanup.txt" 2>&1; then
  if grep -q 'hcs' "$dir/smoke-cleanup.txt"; then
    echo "windows.sh: isobench.exe cleanup failed for hcs:" >&2; cat "$dir/smoke-cleanup.txt" >&2; status=1
  else
    echo "windows.sh: note: isobench.exe cleanup failed outside hcs:" >&2; cat "$dir/smoke-cleanup.txt" >&2
  fi
fi
cat "$dir/smoke-drivers.txt" "$dir/smoke-import.txt" "$dir/smoke-cleanup.txt"
exit $status
