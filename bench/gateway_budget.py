#!/usr/bin/env python3
"""Where a proxied request's CPU goes on the whole machine: nginx with as many workers as the gateway has event loops
beside the gateway, both proxying to the same nginx upstream, in interleaved rounds of wrk -t2 at each --connections.
Per round and proxy, per request in microseconds: the proxy's user and system time (all its processes and threads),
the upstream's, wrk's, what else ran, and what was left idle; and, within those, the machine's interrupt time (a
loopback packet is received in a softirq run on the way out of its sender's send, so it counts in the sender's own
system time: the proxy pays for delivering to wrk and to the upstream, they for delivering to it). On a machine the
proxy shares with wrk and the upstream, requests a second are the machine's CPU over the CPU a request costs the
machine, while it stays busy; so the line after each table says what the gateway would serve against nginx if its own
user time were nil, all else the same: how far work in the gateway's own code can take the ratio, and how much is the
kernel's part, which nginx pays too.

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_budget.py [--connections 16,64] [--seconds 10] [--rounds 3] [--warmup 30]
Needs nginx and wrk.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, group_cpu, machine, processes_with, stop_all, wrk  # noqa: E402
from gateway import LOOPS, ROOT, start_nginx  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PARTS = ("proxy user", "proxy system", "upstream", "wrk", "other", "idle", "irq and softirq, within those")


def machine_times():
    """The machine's (busy, irq and softirq, idle and iowait) seconds so far, over all CPUs (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) / TICK for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4], v[5] + v[6], v[3] + v[4]


def one(url, c, seconds, proxy, upstream):
    """A wrk run of `seconds`, its middle measured (from 1 s in to 1 s before its end): requests/s and the parts, each
    the middle's CPU over the requests wrk's rate for the whole run gives the middle."""
    # wrk in a process group of its own, so that its CPU is read as the proxies' and the upstream's are
    w = subprocess.Popen(["wrk", "-t2", "-c%d" % c, "-d%ds" % seconds, url], stdout=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(1)
    span = seconds - 2
    before = (group_cpu(proxy), group_cpu(upstream), group_cpu(w.pid), machine_times())
    time.sleep(span)
    after = (group_cpu(proxy), group_cpu(upstream), group_cpu(w.pid), machine_times())
    out = w.communicate()[0]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    n = rps * span
    (pu0, ps0), (uu0, us0), (wu0, ws0), (b0, i0, d0) = before
    (pu1, ps1), (uu1, us1), (wu1, ws1), (b1, i1, d1) = after
    proxy_user, proxy_system = pu1 - pu0, ps1 - ps0
    upstream_cpu, wrk_cpu, irq, idle = uu1 - uu0 + us1 - us0, wu1 - wu0 + ws1 - ws0, i1 - i0, d1 - d0
    other = (b1 - b0) - proxy_user - proxy_system - upstream_cpu - wrk_cpu
    parts = (proxy_user, proxy_system, upstream_cpu, wrk_cpu, other, idle, irq)
    return rps, [x * 1e6 / n for x in parts]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", default="16,64")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=30, help="seconds of load on each proxy first")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-budget-")
    agent = StewardAgent(ROOT, tmp)
    procs = []
    try:
        up = add_nginx_upstream(agent, tmp)
        upstream = os.getpgid(processes_with("up-%d.conf" % up)[0])
        p, nurl = start_nginx(tmp, "n%d" % LOOPS, LOOPS, up)
        procs.append(p)
        targets = [("nginx, %d workers" % LOOPS, nurl, p.pid), ("steward gateway", agent.gateway + "/up/", agent.pid)]
        for _, url, _ in targets:
            wrk(url, 64, args.warmup)
        print(machine())
        print("wrk -t2 -d%ds, the middle %d s measured, %d interleaved rounds; µs of the machine's CPU per request" % (
            args.seconds, args.seconds - 2, args.rounds))
        for c in [int(x) for x in args.connections.split(",")]:
            runs = {name: [] for name, _, _ in targets}
            for r in range(args.rounds):
                for name, url, group in (targets if r % 2 == 0 else list(reversed(targets))):
                    runs[name].append(one(url, c, args.seconds, group, upstream))
                    rps, parts = runs[name][-1]
                    print("  %d connections, round %d, %s: %.0f req/s, %s" % (c, r + 1, name, rps,
                          ", ".join("%s %.1f" % kv for kv in zip(PARTS, parts))), flush=True)
            print()
            print("| %d connections | requests/s | %s | busy |" % (c, " | ".join(PARTS)))
            print("|---" * (3 + len(PARTS)) + "|")
            med = {}
            for name, _, _ in targets:
                rps = statistics.median(x[0] for x in runs[name])
                parts = [statistics.median(x[1][i] for x in runs[name]) for i in range(len(PARTS))]
                busy = statistics.median(sum(x[1][:5]) for x in runs[name])
                med[name] = (rps, parts, busy)
                print("| %s | %.0f | %s | %.1f |" % (name, rps, " | ".join("%.1f" % x for x in parts), busy))
            (n_rps, _, n_busy), (g_rps, g_parts, g_busy) = med[targets[0][0]], med[targets[1][0]]
            print()
            print("gateway vs nginx: %.2fx requests/s, %.2fx the machine's CPU a request; with the gateway's user time nil: "
                  "%.1f µs a request, %.2fx" % (g_rps / n_rps, g_busy / n_busy, g_busy - g_parts[0], n_busy / (g_busy - g_parts[0])))
            print()
    finally:
        stop_all(procs, [agent])


if __name__ == "__main__":
    main()
