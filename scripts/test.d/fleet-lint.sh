#!/usr/bin/env bash
# scripts/test.d/fleet-lint.sh - offline checks of what cannot run here:
#   - the Kubernetes manifests (scripts/fleet/kubernetes/check_manifests.py:
#     YAML, required fields, one privileged pod per node, mounts, and every
#     isobench command line against `isobench help`), plus mutated copies
#     that the checker must reject;
#   - the playbooks: ansible-playbook --syntax-check of fleet.yml and of
#     fleet-windows.yml (needs the ansible.windows collection, from Debian's
#     `ansible` package), the example inventories through ansible-inventory;
#   - the isobench options the playbooks pass exist in `isobench help`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fleet=$root/scripts/fleet
bin=$root/build/isobench
fail() { echo "fleet-lint: FAILED: $*" >&2; exit 1; }
ok() { echo "fleet-lint: ok: $*"; }
missing() {
  if [ "${CI:-}" = true ] || [ "${ISOBENCH_NO_SKIP:-}" = 1 ]; then fail "required but missing: $*"; fi
  echo "fleet-lint: SKIPPED: $*"; exit 0
}
[ -x "$bin" ] || "$root/scripts/build" "$root/build"
py=/usr/bin/python3
"$py" -c 'import yaml' 2>/dev/null || missing "python3-yaml"
command -v ansible-playbook >/dev/null || missing "ansible-core (scripts/setup installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$py" "$fleet/kubernetes/check_manifests.py" "$bin" || fail "Kubernetes manifests"
ok "Kubernetes manifests"
# The checker must catch what it claims to: each mutation below is one defect.
mutate() {
  local name=$1 file=$2 expr=$3
  sed "$expr" "$fleet/kubernetes/$file" >"$tmp/$file"
  cmp -s "$tmp/$file" "$fleet/kubernetes/$file" && fail "mutation $name changed nothing"
  if "$py" "$fleet/kubernetes/check_manifests.py" "$bin" "$tmp/$file" >"$tmp/out.txt"; then
    fail "the checker accepted: $name"
  fi
}
mutate "unknown option" isobench-job.yaml 's/--host-label/--host-name/'
mutate "unknown subcommand" isobench-job.yaml 's/command: \[isobench, run,/command: [isobench, runn,/'
mutate "no hostPID" isobench-job.yaml 's/hostPID: true/hostPID: false/'
mutate "cgroup not mounted" isobench-job.yaml 's|mountPath: /sys/fs/cgroup|mountPath: /cgroup|'
mutate "not privileged" isobench-job.yaml 's/privileged: true/privileged: false/'
mutate "no spread" isobench-job.yaml 's/whenUnsatisfiable: DoNotSchedule/whenUnsatisfiable: ScheduleAnyway/'
mutate "not HostProcess" isobench-windows-job.yaml 's/hostProcess: true/hostProcess: false/'
mutate "unescaped shell substitution" isobench-merge.yaml 's/isobench hosts \$\$(/isobench hosts $(/'
mutate "bad YAML" isobench-job.yaml 's/^spec:$/spec: [/'
ok "the manifest checker rejects 9 kinds of defect"

export ANSIBLE_CONFIG=$fleet/ansible.cfg
ansible-playbook --syntax-check -i localhost, "$fleet/fleet.yml" >/dev/null || fail "fleet.yml syntax"
ok "ansible-playbook --syntax-check fleet.yml"
if ansible-doc ansible.windows.win_command >/dev/null 2>&1; then
  ansible-playbook --syntax-check -i localhost, "$fleet/fleet-windows.yml" >/dev/null || fail "fleet-windows.yml syntax"
  ok "ansible-playbook --syntax-check fleet-windows.yml (ansible.windows installed)"
else
  # Without the collection only the structure can be checked.
  "$py" - "$fleet/fleet-windows.yml" <<'PY' || fail "fleet-windows.yml structure"
import sys, yaml
plays = yaml.safe_load(open(sys.argv[1]))
assert isinstance(plays, list) and plays, "not a list of plays"
tasks = plays[0]["tasks"]
mods = set()
def walk(ts):
    for t in ts:
        for k in ("block", "rescue", "always"):
            if k in t:
                walk(t[k])
        mods.update(k for k in t if k.startswith(("ansible.windows.", "ansible.builtin.")))
walk(tasks)
assert "ansible.windows.win_command" in mods and "ansible.windows.win_ping" in mods, mods
PY
  missing "the ansible.windows collection (Debian's ansible package): fleet-windows.yml checked as YAML only"
fi
for inv in "$fleet"/inventory*.example.ini; do
  ansible-inventory -i "$inv" --list >"$tmp/inv.json" 2>"$tmp/inv.err" || { cat "$tmp/inv.err" >&2; fail "$inv"; }
  grep -q '\[WARNING\]' "$tmp/inv.err" && { cat "$tmp/inv.err" >&2; fail "$inv: warnings"; }
done
ok "the example inventories parse"

# Options the playbooks pass to isobench exist.
help=$("$bin" help)
for opt in $(grep -ohE "'--[a-z][a-z-]*'" "$fleet/fleet.yml" "$fleet/fleet-windows.yml" "$fleet/merge.yml" | tr -d "'" | sort -u); do
  case $opt in --signal=*|--kill-after=*) continue ;; esac
  grep -q -- "$opt" <<<"$help" || fail "the playbooks pass $opt, which isobench help does not list"
done
ok "every isobench option the playbooks pass is in isobench help"
