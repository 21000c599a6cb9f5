#!/usr/bin/env bash
# bench/gate_rates.sh [collect|evaluate|ab|all] [WORKDIR] - measure the
# regression gate's false-alarm rate and power on this host (issue 14).
#
#   collect   40 runs of scenarios/gate.json one after the other (20 A/A
#             pairs), then 10 pairs of (plain run, run with an injected
#             start delay of 20 % of the ns median start time measured in the
#             first run). Each run takes ~15-30 s.
#   evaluate  `isobench compare` with default settings on every pair; prints
#             how many A/A pairs were flagged (false regressions) and how many
#             delay pairs were flagged (detections), with every exit code.
#   ab        for each of AB_RUNS: a calibration run (gate.json with
#             CAL_REPS=2 repetitions; the delay is 20 % of its ns median
#             start), then `isobench ab` of gate.json against its delayed
#             copy, gating start_ms: AB_START_REPS=6 pairs, then more until
#             decided (at most AB_MAX_REPS=12 pairs), AB_RUNS=10 times; and of
#             gate.json against itself with default settings (AB_AA_REPS=6
#             pairs, every metric gated), AB_RUNS/2 times. Same host, ABBA-interleaved.
#   all       all three.
# ISOBENCH (default build/isobench) picks the binary. Nothing is asserted:
# the script prints rates; the README quotes them.
#
# LOAD=build adds ordinary background load for collect and ab: a loop that
# rebuilds isobench from a scratch copy of the source with one compiler job
# (one of two cores busy, memory of a compiler coming and going), stopped
# when the script ends. RUN_PREFIX (default empty) is put before every
# isobench run and every rebuild, e.g. a lock shared with other work on the
# host ("flock -s /tmp/some.lock").
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ib=${ISOBENCH:-$root/build/isobench}
what=${1:-all}
work=${2:-/tmp/isobench-gate-rates}
scn=$root/scenarios/gate.json
pairs_aa=${PAIRS_AA:-20}
pairs_d=${PAIRS_DELAY:-10}
ab_n=${AB_RUNS:-10}
ab_max=${AB_MAX_REPS:-12}
ab_aa_reps=${AB_AA_REPS:-6}
ab_start=${AB_START_REPS:-6}   # pairs before --until-decided adds more
cal_reps=${CAL_REPS:-2}        # repetitions of the calibration run before each ab
load=${LOAD:-}
read -r -a prefix <<<"${RUN_PREFIX:-}"
mkdir -p "$work"

# A background rebuild loop (LOAD=build); its pid in load_pid.
load_pid=
start_load() {
  [ "$load" = build ] || return 0
  local src=$work/load-src
  rm -rf "$src" && mkdir -p "$src"
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$src")
  else # an exported tree: everything but build directories
    tar -C "$root" --exclude='./build*' -cf - . | tar -C "$src" -xf -
  fi || { echo "gate_rates: cannot copy $root's source for LOAD=build" >&2; exit 1; }
  cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release >/dev/null 2>&1 ||
    { echo "gate_rates: cmake failed in $src (LOAD=build)" >&2; exit 1; }
  (
    trap 'exit 0' TERM
    while :; do
      "${prefix[@]}" cmake --build "$src/build" --clean-first -j1 >/dev/null 2>&1
      echo "load: rebuild $(date +%T)" >>"$work/load.log"
    done
  ) &
  load_pid=$!
  echo "background load: rebuild loop (pid $load_pid), log $work/load.log" >&2
}
stop_load() {
  [ -n "$load_pid" ] || return 0
  pkill -TERM -P "$load_pid" 2>/dev/null
  kill -TERM "$load_pid" 2>/dev/null
  wait "$load_pid" 2>/dev/null
  load_pid=
}
trap stop_load EXIT

# delayed_scenario RUN_DIR OUT.json NOTE.txt: the scenario with a start delay
# of 20 % of RUN_DIR's ns median start (the host's load moves that median,
# so each phase measures it just before it starts).
delayed_scenario() {
  local med d
  med=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['modes'][0]['start_ms']['p50'])" \
        "$1/summary.json") || { echo "gate_rates: no ns median in $1/summary.json" >&2; exit 1; }
  d=$(awk -v m="$med" 'BEGIN { printf "%.3f", 0.2 * m }')
  sed "s/\"repetitions\"/\"start_delay_ms\": $d, \"repetitions\"/" "$scn" >"$2"
  echo "ns median start ${med} ms in $(basename "$1") -> start_delay_ms ${d}" >"$3"
}

collect() {
  local i t0 t1
  # Two-digit names whatever the counts (evaluate and the calibration
  # below read aa-01, aa-02, ...).
  for i in $(seq -f %02g 1 $((2 * pairs_aa))); do
    [ -f "$work/aa-$i/summary.json" ] && continue
    t0=$(date +%s.%N)
    "${prefix[@]}" "$ib" run "$scn" --out "$work/aa-$i" --quiet >/dev/null 2>"$work/aa-$i.err"
    t1=$(date +%s.%N)
    echo "aa-$i $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s" >>"$work/durations.txt"
  done
  [ -f "$work/gate-delay.json" ] || delayed_scenario "$work/aa-01" "$work/gate-delay.json" "$work/delay.txt"
  for i in $(seq -f %02g 1 "$pairs_d"); do
    [ -f "$work/d-$i-new/summary.json" ] && continue
    "${prefix[@]}" "$ib" run "$scn" --out "$work/d-$i-base" --quiet >/dev/null 2>"$work/d-$i-base.err"
    t0=$(date +%s.%N)
    "${prefix[@]}" "$ib" run "$work/gate-delay.json" --out "$work/d-$i-new" --quiet >/dev/null 2>"$work/d-$i-new.err"
    t1=$(date +%s.%N)
    echo "d-$i-new $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s" >>"$work/durations.txt"
  done
}

tally() { # label, then exit codes
  local label=$1 n=0 c0=0 c1=0 c3=0 other=0 rc
  shift
  for rc in "$@"; do
    n=$((n + 1))
    case $rc in 0) c0=$((c0 + 1)) ;; 1) c1=$((c1 + 1)) ;; 3) c3=$((c3 + 1)) ;; *) other=$((other + 1)) ;; esac
  done
  echo "$label: $c1 of $n flagged as regression (exit 0: $c0, exit 3 inconclusive: $c3, other: $other)"
}

evaluate() {
  local i j rcs=() rc
  for i in $(seq 1 "$pairs_aa"); do
    a=$(printf "%02d" $((2 * i - 1)))
    b=$(printf "%02d" $((2 * i)))
    "$ib" compare "$work/aa-$a" "$work/aa-$b" >"$work/cmp-aa-$i.txt" 2>&1
    rcs+=($?)
  done
  tally "A/A pairs (compare, default settings)" "${rcs[@]}"
  rcs=()
  for j in $(seq -f %02g 1 "$pairs_d"); do
    "$ib" compare "$work/d-$j-base" "$work/d-$j-new" >"$work/cmp-d-$j.txt" 2>&1
    rcs+=($?)
  done
  tally "20 % start delay pairs (compare, $(cat "$work/delay.txt"))" "${rcs[@]}"
  # run.json's own start and end (a RUN_PREFIX lock wait is not the run's)
  python3 - "$work" <<'PY'
import datetime, glob, json, os, sys
t = []
for p in glob.glob(os.path.join(sys.argv[1], "*", "run.json")):
    d = json.load(open(p))
    f = lambda k: datetime.datetime.strptime(d[k], "%Y-%m-%dT%H:%M:%SZ")
    if d.get("ended_utc"):
        t.append(((f("ended_utc") - f("started_utc")).total_seconds(), os.path.basename(os.path.dirname(p))))
t.sort()
if t:
    print("runs: %d, median %.0f s, slowest %.0f s (%s), over 120 s: %d" %
          (len(t), t[len(t) // 2][0], t[-1][0], t[-1][1], sum(1 for s, _ in t if s > 120)))
PY
}

ab() {
  local i rc rcs=()
  rm -f "$work/ab-rc.txt" "$work/delay-ab.txt"
  for i in $(seq -w 1 "$ab_n"); do
    # the load moves the ns median from minute to minute: calibrate the
    # 20 % delay on a run just before each ab
    rm -rf "$work/ab-calib-$i" "$work/ab-d-$i"
    sed "s/\"repetitions\": *[0-9]*/\"repetitions\": $cal_reps/" "$scn" >"$work/gate-calib.json"
    "${prefix[@]}" "$ib" run "$work/gate-calib.json" --out "$work/ab-calib-$i" --quiet >/dev/null 2>"$work/ab-calib-$i.err"
    delayed_scenario "$work/ab-calib-$i" "$work/gate-delay-ab-$i.json" "$work/delay-ab-$i.txt"
    cat "$work/delay-ab-$i.txt" >>"$work/delay-ab.txt"
    "${prefix[@]}" "$ib" ab "$scn" "$work/gate-delay-ab-$i.json" --out "$work/ab-d-$i" --gate start_ms --until-decided \
      --reps "$ab_start" --max-reps "$ab_max" --quiet >"$work/ab-d-$i.txt" 2>&1
    rc=$?
    rcs+=($rc)
    echo "ab-d-$i exit $rc ($(cat "$work/delay-ab-$i.txt"))" >>"$work/ab-rc.txt"
  done
  tally "20 % start delay, calibrated before each (isobench ab --gate start_ms --until-decided --max-reps $ab_max)" "${rcs[@]}"
  rcs=()
  for i in $(seq -w 1 $((ab_n / 2))); do
    rm -rf "$work/ab-aa-$i"
    "${prefix[@]}" "$ib" ab "$scn" "$scn" --out "$work/ab-aa-$i" --reps "$ab_aa_reps" --quiet >"$work/ab-aa-$i.txt" 2>&1
    rc=$?
    rcs+=($rc)
    echo "ab-aa-$i exit $rc" >>"$work/ab-rc.txt"
  done
  tally "A/A (isobench ab, default settings, $ab_aa_reps pairs)" "${rcs[@]}"
}

case $what in
  collect) start_load; collect ;;
  evaluate) evaluate ;;
  ab) start_load; ab ;;
  all) start_load; collect; evaluate; ab ;;
  *) echo "usage: $0 [collect|evaluate|ab|all] [WORKDIR]" >&2; exit 2 ;;
esac
