#!/usr/bin/env python3
"""What joining a cgroup costs an instance's start, beside the same program started without one.

Every instance joins its cgroups (a write of its pid to cgroup.procs in each hierarchy) before it runs.
This measures, with groups of the benchmark's own under steward/bench-join-PID:
  - the first write of a fresh process's pid to cgroup.procs (memory, then pids), processes 100 ms apart;
  - a python3 start (`import http.server`, the cold-start benchmark's program) joined by the sandbox
    helper (--plain --join ...) beside the same start direct and through the helper without joining.
It says whether a cgroup hierarchy mounted with favordynmods is present (the agent mounts one at start);
on kernels where that mode, once on, stays on until reboot, an earlier agent's mount counts too.

    /usr/bin/python3 bench/cgroup_join.py [--samples 25] [--helper PATH]
"""
import argparse
import glob
import os
import statistics
import subprocess
import time

ROOT = "/sys/fs/cgroup"


def favordynmods_mounted():
    with open("/proc/self/mounts") as f:
        return [l.split()[1] for l in f if l.split()[2].startswith("cgroup") and "favordynmods" in l.split()[3].split(",")]


def helper_path(given):
    if given:
        return given
    found = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "agent", "target", "classes", "native", "steward-sandbox")))
    if not found:
        raise SystemExit("build the agent first (mvn -o -q install -DskipTests): its sandbox helper is not there")
    return found[0]


def p(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=25)
    ap.add_argument("--helper")
    a = ap.parse_args()
    helper = helper_path(a.helper)
    hierarchies = [h for h in ("memory", "pids", "freezer", "cpuacct") if os.path.isdir(os.path.join(ROOT, h))]
    if "memory" not in hierarchies:
        raise SystemExit("this measures cgroup v1 hierarchies (memory, pids, ...), as this machine has")
    groups = {h: os.path.join(ROOT, h, "steward", "bench-join-%d" % os.getpid()) for h in hierarchies}
    for g in groups.values():
        os.makedirs(g, exist_ok=True)
    try:
        print("cgroup hierarchies with favordynmods mounted: %s" % (", ".join(favordynmods_mounted()) or "none"))
        writes = {"memory": [], "pids": []}
        for _ in range(a.samples):
            child = subprocess.Popen(["sleep", "0.2"])
            time.sleep(0.1)
            for h in writes:
                t = time.perf_counter()
                with open(os.path.join(groups[h], "cgroup.procs"), "w") as f:
                    f.write(str(child.pid))
                writes[h].append((time.perf_counter() - t) * 1000)
            child.wait()
        for h, v in writes.items():
            print("write of a pid to cgroup.procs (%s%s): p50 %.2f ms, p90 %.2f ms" % (h, ", the first" if h == "memory" else ", right after", statistics.median(v), p(v, 0.9)))
        program = ["/usr/bin/python3", "-c", "import http.server"]
        joins = [x for h in hierarchies for x in ("--join", os.path.join(groups[h], "cgroup.procs"))]
        runs = {"direct": program, "through the helper, no cgroup": [helper, "--plain", "--"] + program,
                "through the helper, joining %s" % "+".join(hierarchies): [helper, "--plain"] + joins + ["--"] + program}
        times = {k: [] for k in runs}
        for _ in range(a.samples):
            for k, argv in runs.items():
                time.sleep(0.05)  # the joins start from an idle lock, as an instance's start from zero does
                t = time.perf_counter()
                subprocess.run(argv, check=True)
                times[k].append((time.perf_counter() - t) * 1000)
        for k, v in times.items():
            print("python3 import http.server, %s: p50 %.1f ms, p90 %.1f ms" % (k, statistics.median(v), p(v, 0.9)))
    finally:
        for g in groups.values():
            os.rmdir(g)


if __name__ == "__main__":
    main()
