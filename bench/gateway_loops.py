#!/usr/bin/env python3
"""The gateway's event loops under load: two agents of this build, one on io_uring (the default) and one on
epoll (-Dsteward.gateway.transport=epoll), reaching the same upstream (nginx answering a fixed 200), in turn;
for each round of wrk -t2 at --connections for --seconds: requests/s, p50 and p99, and the CPU seconds each
event-loop thread (steward-gateway-*) used meanwhile, from /proc. An uneven share between the loops would
show connections unevenly spread.

Run from the repository root:  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_loops.py [--rounds 5]
  [--connections 16] [--seconds 5]
Needs nginx and wrk, and a built ./steward.
"""
import argparse
import glob
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, wrk_stats  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def loop_cpu(pid):
    """CPU seconds used so far by each event-loop thread of process pid, by thread id."""
    out = {}
    for t in glob.glob("/proc/%d/task/*" % pid):
        try:
            if not open(t + "/comm").read().startswith("steward-gatewa"):
                continue
            f = open(t + "/stat").read().rsplit(")", 1)[1].split()
            out[t] = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-loops-")
    print("machine: %s, %d cores, load %.1f at the start" % (os.uname().release, os.cpu_count(), os.getloadavg()[0]))
    first = StewardAgent(ROOT, os.path.join(tmp, "io_uring"))
    other = StewardAgent(ROOT, os.path.join(tmp, "epoll"), env={"STEWARD_JAVA_OPTS": "-Dsteward.gateway.transport=epoll"}, name="epoll")
    try:
        up = add_nginx_upstream(first, tmp)
        other.route_upstream(up)
        targets = [("io_uring", first), ("epoll", other)]
        for _, a in targets:
            wrk_stats(a.gateway + "/up/", 64, 12)  # the JIT's work done first
        print()
        print("| round | transport | requests/s | p50 ms | p99 ms | CPU s of each event loop | load |")
        print("|---|---|---|---|---|---|---|")
        for r in range(args.rounds):
            for label, a in targets:
                before = loop_cpu(a.pid)
                s = wrk_stats(a.gateway + "/up/", args.connections, args.seconds)
                after = loop_cpu(a.pid)
                used = sorted(round(after[t] - before.get(t, 0), 2) for t in after)
                used = [u for u in used if u > 0.0] or used  # the acceptor's thread uses next to nothing
                print("| %d | %s | %.0f | %.3f | %.2f | %s | %.1f |" % (r + 1, label, s["rps"], s["p50"], s["p99"],
                                                                    " / ".join("%.2f" % u for u in used), os.getloadavg()[0]))
    finally:
        try:
            other.call("DELETE", "/v1/services/up")  # ping-only: nothing of it runs here to stop
        except Exception:  # noqa: BLE001 - not registered when the run ended before
            pass
        other.stop()
        try:
            first.call("DELETE", "/v1/services/up")
        except Exception:  # noqa: BLE001
            pass
        first.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
