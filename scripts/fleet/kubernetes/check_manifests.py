#!/usr/bin/env python3
"""check_manifests.py ISOBENCH_BIN [MANIFEST...] - offline checks of the
Kubernetes manifests in scripts/fleet/kubernetes (no cluster exists here).

For every YAML document: it parses; apiVersion, kind and metadata.name are
there, namespaced kinds name their namespace. For the per-node Jobs: an
Indexed Job with completions == parallelism, pods spread one per node (a
DoNotSchedule topology spread on kubernetes.io/hostname and a required
anti-affinity, both selecting the pod's own labels); Linux: hostPID,
privileged, the host's /sys/fs/cgroup and /var/cache/isobench mounted at the
same paths; Windows: a HostProcess pod (hostProcess, hostNetwork, a Windows
nodeSelector). Every volumeMount names a volume, every claim and ConfigMap a
PVC/ConfigMap the README creates. Every isobench command line (also inside
`sh -c` scripts) uses a subcommand and options that `ISOBENCH_BIN help`
lists, and $(VAR) references name an env variable of the container (a shell
substitution must be written $$(...)). Prints one line per problem naming
the file and document; exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

import yaml

NAMESPACED = {"Job", "PersistentVolumeClaim", "ConfigMap", "DaemonSet", "Pod"}
CLAIMS = {"isobench-results"}
CONFIGMAPS = {"isobench-scenario", "isobench-scenario-windows"}

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


def help_table(binary):
    out = subprocess.run([binary, "help"], check=True, capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"^  ([a-z]+) +(.*)$", line)
        if m:
            table[m.group(1)] = set(re.findall(r"--[a-z][a-z-]*", m.group(2)))
    return table


def check_cli(where, words, table, env):
    """words: an isobench command line split into words, words[0] = the binary."""
    if len(words) < 2 or words[1] not in table:
        problem(where, f"`{' '.join(words[:2])}`: not an isobench subcommand (isobench help lists {sorted(table)})")
        return
    for w in words[2:]:
        if w.startswith("--") and w not in table[words[1]]:
            problem(where, f"isobench {words[1]}: option {w} is not in its help ({sorted(table[words[1]])})")
    for w in words:
        for ref in re.findall(r"(?<!\$)\$\(([^)]*)\)", w):
            if ref not in env:
                problem(where, f"$({ref}) is neither an env variable of the container nor escaped as $$(...)")


def is_isobench(word):
    base = re.split(r"[\\/]", word)[-1]
    return base in ("isobench", "isobench.exe")


def check_container(where, c, table):
    env = {e["name"] for e in c.get("env", [])}
    cmd = list(c.get("command", [])) + list(c.get("args", []))
    if not cmd:
        problem(where, "container has no command")
        return 0
    found = 0
    if is_isobench(cmd[0]):
        check_cli(where, cmd, table, env)
        found += 1
    elif cmd[0] in ("sh", "bash") and "-c" in cmd:
        script = cmd[cmd.index("-c") + 1]
        for ref in re.findall(r"(?<!\$)\$\(([^)]*)\)", script):
            if ref not in env:
                problem(where, f"$({ref}) in the script is neither an env variable nor escaped as $$(...)")
        for m in re.finditer(r"\bisobench(?:\.exe)? ([a-z]+)([^|&;]*)", script):
            words = ["isobench", m.group(1)] + [w for w in m.group(2).split() if w.startswith("--")]
            check_cli(where, words, table, env | {"placeholder"})
            found += 1
    return found


def check_job(where, doc, table):
    spec = doc.get("spec", {})
    tmpl = spec.get("template", {})
    pod = tmpl.get("spec", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    per_node = doc["metadata"]["name"].endswith("-nodes")
    if per_node:
        if spec.get("completionMode") != "Indexed":
            problem(where, "per-node Job: completionMode must be Indexed")
        if spec.get("completions") != spec.get("parallelism"):
            problem(where, "per-node Job: completions and parallelism differ (every node at once)")
        spread = [t for t in pod.get("topologySpreadConstraints", [])
                  if t.get("topologyKey") == "kubernetes.io/hostname"
                  and t.get("whenUnsatisfiable") == "DoNotSchedule" and t.get("maxSkew") == 1
                  and t.get("labelSelector", {}).get("matchLabels") == labels]
        if not spread or not labels:
            problem(where, "per-node Job: no DoNotSchedule topology spread on kubernetes.io/hostname selecting the pod's labels")
        anti = pod.get("affinity", {}).get("podAntiAffinity", {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution", [])
        if not any(a.get("topologyKey") == "kubernetes.io/hostname"
                   and a.get("labelSelector", {}).get("matchLabels") == labels for a in anti):
            problem(where, "per-node Job: no required pod anti-affinity per hostname (one pod per node)")
        windows = pod.get("nodeSelector", {}).get("kubernetes.io/os") == "windows"
        if windows:
            wo = pod.get("securityContext", {}).get("windowsOptions", {})
            if wo.get("hostProcess") is not True or pod.get("hostNetwork") is not True:
                problem(where, "Windows per-node Job: needs windowsOptions.hostProcess and hostNetwork (HostProcess pod)")
        else:
            if pod.get("hostPID") is not True:
                problem(where, "Linux per-node Job: hostPID must be true")
            vols = {v["name"]: v for v in pod.get("volumes", [])}
            for c in pod.get("containers", []):
                if c.get("securityContext", {}).get("privileged") is not True:
                    problem(where, f"container {c.get('name')}: must be privileged")
                mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
                for path in ("/sys/fs/cgroup", "/var/cache/isobench"):
                    name = mounts.get(path)
                    if name is None or vols.get(name, {}).get("hostPath", {}).get("path") != path:
                        problem(where, f"container {c.get('name')}: the host's {path} is not mounted at {path}")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for v in vols.values():
        claim = v.get("persistentVolumeClaim", {}).get("claimName")
        if claim is not None and claim not in CLAIMS:
            problem(where, f"volume {v['name']}: claim {claim} is not created by results-pvc.yaml")
        cm = v.get("configMap", {}).get("name")
        if cm is not None and cm not in CONFIGMAPS:
            problem(where, f"volume {v['name']}: ConfigMap {cm} is not one the README creates")
    n = 0
    for c in pod.get("containers", []):
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols:
                problem(where, f"container {c.get('name')}: volumeMount {m['name']} names no volume")
        if not c.get("image"):
            problem(where, f"container {c.get('name')}: no image")
        n += check_container(where, c, table)
    if n == 0:
        problem(where, "no isobench command line in this Job")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    table = help_table(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    files = sys.argv[2:] or sorted(os.path.join(here, f) for f in os.listdir(here) if f.endswith(".yaml"))
    ndocs = 0
    for path in files:
        name = os.path.basename(path)
        try:
            with open(path) as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as e:
            problem(name, f"YAML: {e}")
            continue
        for i, doc in enumerate(docs):
            where = f"{name}[{i}]"
            ndocs += 1
            if not isinstance(doc, dict):
                problem(where, "not a mapping")
                continue
            for key in ("apiVersion", "kind", "metadata"):
                if key not in doc:
                    problem(where, f"no {key}")
            meta = doc.get("metadata", {})
            if not meta.get("name"):
                problem(where, "no metadata.name")
            if doc.get("kind") in NAMESPACED and not meta.get("namespace"):
                problem(where, f"{doc.get('kind')} without metadata.namespace")
            if doc.get("kind") == "Job":
                if doc.get("apiVersion") != "batch/v1":
                    problem(where, "Job must be batch/v1")
                check_job(f"{where} Job {meta.get('name')}", doc, table)
    for p in problems:
        print(f"check_manifests: {p}")
    print(f"check_manifests: {len(files)} files, {ndocs} documents, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
