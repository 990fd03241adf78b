#!/usr/bin/env python3
"""The gateway's CPU per proxied request, build beside build: agents of several builds (or of one build with
other JVM options) reaching the same upstream (nginx answering a fixed 200, run by the first agent), measured
in turn for many short rounds (the order reversed every other round), each round wrk -t2 at --connections for
--seconds and the agent's CPU (user and system, all threads, from /proc) over it. On a machine shared with
other work a single round moves by a fifth; the medians, their quartiles and the median of each round's
ratio to the first build (rounds next to each other in time) are what to compare. With --kernel, each round
also counts, per request, the agent's io_uring submissions and completions, its io_uring_enter calls, its
waits for completions and its context switches (perf stat; these do not depend on the machine's load).

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_cpu.py 'LABEL|ROOT|JAVA_OPTS' ... [--connections 16]
      [--seconds 4] [--rounds 10] [--warmup 20] [--kernel]
ROOT is a checkout or a copy of one, built (./steward --version once in it), empty for this one; JAVA_OPTS are added to its agent's.
Needs nginx and wrk (and perf for --kernel).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import add_nginx_upstream, also_agents, wrk  # noqa: E402

KERNEL = ["io_uring:io_uring_submit_req", "io_uring:io_uring_complete", "syscalls:sys_enter_io_uring_enter",
          "io_uring:io_uring_cqring_wait", "context-switches"]


def cpu(pid):
    """User and system CPU seconds of process pid so far, all its threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counted(pid, out):
    """perf stat of the kernel events above on process pid, written to out until stopped."""
    return subprocess.Popen(["perf", "stat", "-x,", "-e", ",".join(KERNEL), "-p", str(pid), "-o", out],
                            stderr=subprocess.DEVNULL)


def counts(out):
    got = {}
    with open(out) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 3 and fields[0].replace(".", "").isdigit():
                got[fields[2].split(":")[-1]] = float(fields[0])
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="'LABEL|ROOT|JAVA_OPTS'")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=20, help="seconds of load on each agent first")
    ap.add_argument("--kernel", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-cpu-")
    agents = []
    try:
        agents = also_agents(args.builds, tmp)
        up = add_nginx_upstream(agents[0][1], tmp)
        for _, a in agents[1:]:  # the same upstream, as a ping-only service of each other agent
            a.route_upstream(up)
        for _, a in agents:
            wrk(a.gateway + "/up/", args.connections, args.warmup)
        print("machine: %d cores, load %.1f at the start, %s; wrk -t2 -c%d, %d rounds of %d s" % (
            os.cpu_count(), os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), args.connections,
            args.rounds, args.seconds))
        runs = {label: [] for label, _ in agents}
        kernel = {label: [] for label, _ in agents}
        out = os.path.join(tmp, "perf.txt")
        for r in range(args.rounds):
            for label, a in (agents if r % 2 == 0 else list(reversed(agents))):
                before = cpu(a.pid)
                perf = counted(a.pid, out) if args.kernel else None
                if perf:
                    time.sleep(0.2)
                rps = wrk(a.gateway + "/up/", args.connections, args.seconds)[0]
                used = cpu(a.pid) - before
                if perf:
                    perf.send_signal(2)
                    perf.wait()
                    kernel[label].append({k: v / (rps * args.seconds) for k, v in counts(out).items()} if rps else {})
                runs[label].append((rps, used * 1e6 / (rps * args.seconds) if rps else 0))
            print("round %d: %s" % (r + 1, "  ".join("%s %.0f req/s %.1f us" % (l, runs[l][-1][0], runs[l][-1][1]) for l, _ in agents)),
                  flush=True)
        print("load %.1f at the end" % os.getloadavg()[0])
        print()
        first = agents[0][0]
        print("| build | requests/s | CPU us/request, median (quartiles) | ratio to %s, median of the rounds |%s" % (
            first, "".join(" %s / request |" % k.split(":")[-1] for k in KERNEL) if args.kernel else ""))
        print("|---" * (4 + (len(KERNEL) if args.kernel else 0)) + "|")
        for label, _ in agents:
            c = [x[1] for x in runs[label]]
            q = statistics.quantiles(c, n=4)
            ratio = statistics.median(x[1] / y[1] for x, y in zip(runs[label], runs[first]))
            extra = "".join(" %.2f |" % statistics.median(k.get(e.split(":")[-1], 0) for k in kernel[label]) for e in KERNEL) \
                if args.kernel else ""
            print("| %s | %.0f | %.1f (%.1f-%.1f) | %.3f |%s" % (label, statistics.median(x[0] for x in runs[label]),
                                                               statistics.median(c), q[0], q[2], ratio, extra))
    finally:
        for _, a in agents:
            try:
                a.stop()
            except Exception as e:  # noqa: BLE001 - the others are stopped whatever this one did
                print("could not stop an agent cleanly: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
