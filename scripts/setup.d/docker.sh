#!/usr/bin/env bash
# scripts/setup.d/docker.sh - make the engine's runsc runtime usable on this kernel.
#
# runsc 20221219 (Debian 12) decides "am I in the root network namespace?" by
# checking whether /proc/sys/net/core/rmem_default exists. Since Linux 6.x
# that file exists in every network namespace, so every sandbox with a
# network fails to start ("cannot run with network enabled in root network
# namespace"), even with NetworkMode "none". The docker driver only runs
# containers without a network, so runsc gets --network=none (loopback only,
# no host network setup). Idempotent: edits /etc/docker/daemon.json once and
# asks dockerd to reload it (SIGHUP reloads "runtimes").
set -euo pipefail
daemon_json=/etc/docker/daemon.json
[ -f "$daemon_json" ] || exit 0
grep -q '"runsc"' "$daemon_json" || exit 0
grep -q -- '--network=none' "$daemon_json" && exit 0
if grep -q '"runtimeArgs": \["--platform=ptrace"\]' "$daemon_json"; then
  sed -i 's/"runtimeArgs": \["--platform=ptrace"\]/"runtimeArgs": ["--platform=ptrace", "--network=none"]/' "$daemon_json"
else
  echo "setup.d/docker: $daemon_json: runsc entry has unexpected runtimeArgs; add \"--network=none\" by hand" >&2
  exit 0
fi
pid=$(pgrep -x dockerd | head -n1 || true)
if [ -n "$pid" ]; then
  kill -HUP "$pid"
  sleep 1
fi
[ "${ISOBENCH_SETUP_QUIET:-0}" = 1 ] || echo "setup: runsc runtime gets --network=none (see scripts/setup.d/docker.sh)" >&2
