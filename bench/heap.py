#!/usr/bin/env python3
"""The agent's heap under gateway load: an agent with the nginx upstream (as bench/gateway.py), wrk
with 16 connections for --seconds, then its RSS before and after and its collector's log read back
(young collections, their mean and longest pause, full collections, the heap after the last one).
Extra JVM options after `--` are given to the agent, e.g. to compare young generation sizes.

Run from the repository root:  /usr/bin/python3 bench/heap.py [--seconds 240] [-- -XX:NewSize=8m]
Needs nginx and wrk (apt-get install nginx wrk) and a built ./steward.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, rss_mb, wrk  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=240)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("jvm", nargs="*", help="JVM options for the agent (after --)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-heap-bench-")
    log = os.path.join(tmp, "gc.log")
    os.environ["STEWARD_JAVA_OPTS"] = " ".join([os.environ.get("STEWARD_JAVA_OPTS", "")] + args.jvm + ["-Xlog:gc:file=" + log]).strip()
    agent = StewardAgent(ROOT, tmp)
    try:
        print("machine: %s, %d cores, load %.1f at the start; agent JVM options: %s"
              % (os.uname().release, os.cpu_count(), os.getloadavg()[0], " ".join(args.jvm) or "as ./steward sets them"))
        up = add_nginx_upstream(agent, tmp)
        before = rss_mb(agent.pid)
        rps, p50, p99, _ = wrk(agent.gateway + "/up/", args.connections, args.seconds)
        after = rss_mb(agent.pid)
    finally:
        agent.stop()
    text = open(log).read()
    pauses = [float(x) for x in re.findall(r"Pause Young.* ([\d.]+)ms", text)]
    full = [float(x) for x in re.findall(r"Pause Full.* ([\d.]+)ms", text)]
    heaps = re.findall(r"Pause Young.*\) (\d+)M->(\d+)M\((\d+)M\)", text)
    print("| wrk -c%d, %d s | req/s | RSS before load | RSS after | young collections | mean / max pause ms | full collections | heap after the last (of capacity) |"
          % (args.connections, args.seconds))
    print("|---|---|---|---|---|---|---|---|")
    print("| gateway | %.0f | %.0f MB | %.0f MB | %d | %.2f / %.2f | %s | %s |" % (
        rps, before, after, len(pauses), sum(pauses) / max(1, len(pauses)), max(pauses or [0]),
        ", ".join("%.0f ms" % f for f in full) or "none", "%s MB (%s MB)" % (heaps[-1][1], heaps[-1][2]) if heaps else "-"))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
