#!/usr/bin/env bash
# scripts/test.d/fleet.sh - the fleet playbook for real, over SSH, on loopback.
#
# Starts one sshd per "host" on 127.0.0.2, 127.0.0.3, ... (each its own port,
# host key, config and pid file in a temporary directory; root logs in with a
# key made for the test), writes an inventory where every host has its own
# budget (memory, pids, CPUs: the hosts genuinely differ) plus one host where
# nothing listens (unreachable) and one whose run fails, and runs
# scripts/fleet/run over it with a small ns scenario (a few dozen containers
# per host). Checks that the merged result lists every host: the measured
# ones with their fingerprint and a capacity that follows their budget, the
# failed ones with their reason. Everything is torn down afterwards.
# ISOBENCH_FLEET_KEEP=1 keeps the temporary directory; ISOBENCH_FLEET_SOURCE=1
# makes one host build isobench from source instead of unpacking the package.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "fleet: FAILED: $*" >&2; exit 1; }
ok() { echo "fleet: ok: $*"; }
missing() {
  if [ "${CI:-}" = true ] || [ "${ISOBENCH_NO_SKIP:-}" = 1 ]; then fail "required but missing: $*"; fi
  echo "fleet: SKIPPED: $*"; exit 0
}
[ "$(id -u)" = 0 ] || missing "root (sshd for the test hosts, ns containers)"
[ -x /usr/sbin/sshd ] || missing "openssh-server (scripts/setup installs it)"
command -v ansible-playbook >/dev/null || missing "ansible-core (scripts/setup installs it)"

tmp=$(mktemp -d /tmp/isobench-fleet-XXXXXX)
pids=()
teardown() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "${ISOBENCH_FLEET_KEEP:-0}" = 1 ]; then echo "fleet: kept $tmp"; else rm -rf "$tmp"; fi
}
trap teardown EXIT

# name  address    budget (the run's --budget)
hosts=(
  "small  127.0.0.2 memory=192M,pids=120,cpus=0.5"
  "medium 127.0.0.3 memory=384M,pids=240,cpus=1"
  "large  127.0.0.4 memory=768M,pids=480,cpus=2"
)
# ISOBENCH_FLEET_DENSITY=1: `isobench density` fills each budget instead
# (smaller budgets: the fills are the budgets' ceilings, a few dozen each).
density=${ISOBENCH_FLEET_DENSITY:-0}
if [ "$density" = 1 ]; then
  hosts=(
    "small  127.0.0.2 memory=128M,pids=24,cpus=0.5"
    "medium 127.0.0.3 memory=256M,pids=48,cpus=1"
    "large  127.0.0.4 memory=512M,pids=96,cpus=2"
  )
fi
port=$((20000 + $$ % 20000))
mkdir -p "$tmp/keys" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$tmp/keys/client" -C isobench-fleet-test
cp "$tmp/keys/client.pub" "$tmp/keys/authorized_keys"
: >"$tmp/known_hosts"
for h in "${hosts[@]}"; do
  read -r name addr _ <<<"$h"
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/keys/host-$name" -C "$name"
  cat >"$tmp/sshd-$name.conf" <<CONF
ListenAddress $addr:$port
HostKey $tmp/keys/host-$name
PidFile $tmp/sshd-$name.pid
AuthorizedKeysFile $tmp/keys/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONF
  /usr/sbin/sshd -f "$tmp/sshd-$name.conf" -E "$tmp/sshd-$name.log" || fail "sshd for $name on $addr:$port"
  for _ in $(seq 50); do [ -s "$tmp/sshd-$name.pid" ] && break; sleep 0.1; done
  pids+=("$(cat "$tmp/sshd-$name.pid")")
  echo "[$addr]:$port $(cut -d' ' -f1,2 "$tmp/keys/host-$name.pub")" >>"$tmp/known_hosts"
done
ok "${#hosts[@]} sshd on 127.0.0.2..$((1 + ${#hosts[@]})) port $port"

# Budgets need `isobench run --budget` (the density work); without it the
# hosts run unconfined and only the rest is checked.
budgets=1
probe=$("$root/build/isobench" run --budget memory=1G /nonexistent.json 2>&1 || true)
if grep -q 'unknown option --budget' <<<"$probe"; then
  budgets=0
  echo "fleet: note: this isobench has no run --budget: the hosts run without budgets"
fi
{
  echo "[fleet]"
  for h in "${hosts[@]}"; do
    read -r name addr budget <<<"$h"
    extra=""
    # ISOBENCH_FLEET_SOURCE=1: the last host builds from source (adds a build)
    if [ "${ISOBENCH_FLEET_SOURCE:-0}" = 1 ] && [ "$name" = large ]; then extra=" isobench_install=source"; fi
    if [ $budgets = 1 ]; then echo "$name ansible_host=$addr isobench_budget=$budget$extra"; else echo "$name ansible_host=$addr$extra"; fi
  done
  echo "gone ansible_host=127.0.0.9"
  echo "broken ansible_host=127.0.0.2 isobench_extra_args=--no-such-option"
  echo
  echo "[fleet:vars]"
  echo "ansible_port=$port"
  echo "ansible_user=root"
  echo "ansible_ssh_private_key_file=$tmp/keys/client"
  echo "ansible_ssh_common_args='-o UserKnownHostsFile=$tmp/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=5'"
  echo "ansible_python_interpreter=/usr/bin/python3"
  echo "isobench_install=unpack"
  echo "isobench_remote_dir=$tmp/remote"
  # three fills at once on a shared 2-core machine: the CPU guard would stop them
  [ "$density" = 1 ] && echo "isobench_extra_args=--cpu-max 100"
} >"$tmp/inventory.ini"

cat >"$tmp/fleet-small.json" <<'JSON'
{
  "name": "fleet-small",
  "description": "A few dozen ns containers per host: the loopback fleet test.",
  "modes": [ { "name": "ns", "driver": "ns", "baseline": true } ],
  "fleet": { "ramp": [2, 8, 16, 24], "concurrency": 4 },
  "workload": { "type": "idle" },
  "hold_ms": 1000,
  "settle_ms": 200,
  "sample_interval_ms": 250,
  "limits": { "memory": "32M", "pids": 8 }
}
JSON

start=$(date +%s)
status=0
args=()
[ "$density" = 1 ] && args+=(--density)
"$root/scripts/fleet/run" "$tmp/inventory.ini" "$tmp/fleet-small.json" --out "$tmp/out" \
  --timeout 300 --poll 2 "${args[@]}" >"$tmp/run.log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
[ -f "$tmp/out/hosts.txt" ] || { tail -n 60 "$tmp/run.log" >&2; fail "no hosts.txt (scripts/fleet/run exited $status)"; }
cat "$tmp/out/hosts.txt"
[ "$status" = 0 ] || fail "scripts/fleet/run exited $status"
ok "scripts/fleet/run finished in ${elapsed}s"

for h in "${hosts[@]}"; do
  read -r name _ <<<"$h"
  [ -f "$tmp/out/hosts/$name/run.json" ] || fail "$name: no run directory came back"
  grep -q "^$name: " "$tmp/out/hosts.txt" || fail "$name: no fingerprint line"
  grep -Eq "^$name +[0-9.]+ .* ns +[0-9]+ " "$tmp/out/hosts.txt" || fail "$name: no capacity row"
  grep -Eq "\"label\":[[:space:]]*\"$name\"" "$tmp/out/hosts/$name/run.json" || fail "$name: run.json has no host.label"
done
ok "every reachable host left a labelled run with a capacity row"
grep -Eq '^gone .*host failed: unreachable' "$tmp/out/hosts.txt" || fail "the unreachable host is not named with its reason"
grep -Eq '^broken .*host failed: .*exited 2' "$tmp/out/hosts.txt" || fail "the failed run is not named with its reason"
ok "the unreachable host and the failed run are named with their reason"
[ -f "$tmp/out/report/report.html" ] || fail "no report/report.html"
ls "$tmp/out/hosts-figures/"hosts_capacity.png >/dev/null || fail "no hosts figures"
ok "report.html and the hosts figures exist"

# Capacities follow the budgets: when the runs recorded a budget, the hosts
# hold more containers in that order.
if [ $budgets = 1 ]; then
  counts=()
  for h in "${hosts[@]}"; do
    read -r name _ <<<"$h"
    counts+=("$(awk -v n="$name" '$1 == n { for (i = 2; i < NF; i++) if ($i == "ns") { print $(i + 1); exit } }' "$tmp/out/hosts.txt")")
  done
  [ "${counts[0]}" -lt "${counts[1]}" ] && [ "${counts[1]}" -lt "${counts[2]}" ] \
    || fail "capacities do not follow the budgets: small ${counts[0]}, medium ${counts[1]}, large ${counts[2]}"
  ok "capacities follow the budgets: small ${counts[0]} < medium ${counts[1]} < large ${counts[2]}"
else
  echo "fleet: note: no budgets, capacities are not compared"
fi
# nothing of these runs left behind on the "hosts" (cgroups, mounts)
for h in "${hosts[@]}"; do
  read -r name _ <<<"$h"
  id=$(sed -n 's/.*"run_id":[[:space:]]*"\(ib[0-9a-f]*\)".*/\1/p' "$tmp/out/hosts/$name/run.json" | head -n1)
  [ -n "$id" ] || fail "$name: no run_id in run.json"
  left=$(find /sys/fs/cgroup -maxdepth 4 -name "$id*" 2>/dev/null | head -n 3; grep -F "$id" /proc/mounts | head -n 3 || true)
  [ -z "$left" ] || fail "$name: run $id left behind: $left"
done
ok "nothing left behind"
