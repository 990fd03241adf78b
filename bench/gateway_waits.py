#!/usr/bin/env python3
"""How long the proxies' threads wait for a core: the gateway's event loops beside nginx's workers (as many as the
gateway has loops), both proxying to the same nginx upstream, in interleaved rounds of wrk -t2 at --connections.
Per round and proxy, from each thread's /proc/.../schedstat (time run, time waited runnable, times run): the
time waited per request and per time run, the mean wait each time, and how the work was spread over the threads.
A mean, not a tail: it says whether one proxy's threads wait more for a core than the other's at the same load.
With --perf SECONDS, then for each proxy in turn a `perf sched record` of SECONDS in the middle of a wrk run, and
the tail of the waits one by one (`perf sched timehist`'s scheduling delay: from being woken to running) of the
proxy's threads and of wrk's own threads (a wait of wrk's is in the latency wrk reports too).

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_waits.py [--connections 16] [--seconds 10] [--rounds 3] [--perf 3] [--opts JAVA_OPTS]
Needs nginx and wrk (and perf for --perf).
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
from benchlib import StewardAgent, add_nginx_upstream, pct, stop_all, wrk_stats  # noqa: E402
from gateway import LOOPS, ROOT, start_nginx  # noqa: E402


def threads(pid, name_prefix=None):
    """{tid: (run ns, wait ns, slices)} of the process `pid`'s threads (those whose name starts with name_prefix)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            if name_prefix and (not comm.startswith(name_prefix) or comm.startswith(name_prefix + "-a")):
                continue
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                out[tid] = tuple(int(x) for x in f.read().split())
        except OSError:
            continue
    return out


def workers(master):
    """The pids of nginx's worker processes (the children of its master)."""
    kids = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/stat" % pid) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        kids.append(int(pid))
            except OSError:
                pass
    return kids


def sample(kind, pid):
    if kind == "gateway":
        return threads(pid, "steward-gatewa")  # the loops' names, cut at 15 characters; the accepting loop left out
    return {w: v for k in workers(pid) for w, v in threads(k).items()}


LINE = re.compile(r"^\s*[\d.]+\s+\[\d+\]\s+.*?\[(\d+)(?:/\d+)?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def sched_tail(tmp, name, kind, pid, url, connections, seconds):
    """Scheduling delays (ms) of the proxy's threads and of wrk's, from a perf sched record in the middle of a wrk run."""
    data = os.path.join(tmp, "sched-%s.data" % kind)
    load = subprocess.Popen(["wrk", "-t2", "-c%d" % connections, "-d%ds" % (seconds + 4), url], stdout=subprocess.DEVNULL)
    time.sleep(2)
    ours = set(sample(kind, pid))
    wrks = set(os.listdir("/proc/%d/task" % load.pid)) - {str(load.pid)}
    subprocess.run(["perf", "sched", "record", "-o", data, "--", "sleep", str(seconds)], capture_output=True, check=True)
    load.wait()
    out = subprocess.run(["perf", "sched", "timehist", "-i", data], capture_output=True, text=True).stdout
    os.remove(data)
    proxy, client = [], []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            (proxy if m.group(1) in ours else client if m.group(1) in wrks else []).append(float(m.group(3)))
    return proxy, client


def tail(xs, seconds):
    if not xs:
        return "none"
    return "%d a second; ms p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f" % (
        len(xs) / seconds, pct(xs, 0.5), pct(xs, 0.9), pct(xs, 0.99), pct(xs, 0.999), max(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=15)
    ap.add_argument("--opts", default="", help="JVM options added to the agent's")
    ap.add_argument("--perf", type=int, default=0, help="seconds of perf sched record per proxy after the rounds (0: none)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-waits-")
    agent = StewardAgent(ROOT, tmp, env={"STEWARD_JAVA_OPTS": args.opts} if args.opts else None)
    nginx = None
    try:
        up = add_nginx_upstream(agent, tmp)
        nginx, nginx_url = start_nginx(tmp, "equal", LOOPS, up)
        targets = [("nginx, %d workers" % LOOPS, "nginx", nginx.pid, nginx_url), ("steward gateway", "gateway", agent.pid, agent.gateway + "/up/")]
        print("load %.1f at the start; wrk -t2 -c%d -d%ds, %d interleaved rounds" % (os.getloadavg()[0], args.connections, args.seconds, args.rounds))
        for _, _, _, url in targets:
            wrk_stats(url, 64, args.warmup)
        rows = {name: [] for name, _, _, _ in targets}
        for r in range(args.rounds):
            for name, kind, pid, url in targets:
                before = sample(kind, pid)
                s = wrk_stats(url, args.connections, args.seconds)
                after = sample(kind, pid)
                d = {t: tuple(a - b for a, b in zip(after[t], before.get(t, (0, 0, 0)))) for t in after}
                run = sum(v[0] for v in d.values())
                wait = sum(v[1] for v in d.values())
                slices = sum(v[2] for v in d.values())
                n = s["rps"] * args.seconds
                shares = sorted((v[0] / run for v in d.values() if v[0] > 0), reverse=True) if run else []
                rows[name].append((s["rps"], s["p99"], wait / n / 1e3, wait / run if run else 0, wait / slices / 1e3 if slices else 0,
                                   slices / n, shares[:LOOPS]))
                print("round %d, %s: %.0f requests/s, p99 %.2f ms, waited %.2f us a request (%.2f of the time run), %.1f us each time,"
                      " %.2f times run a request; run time by thread %s; load %.1f" % (
                          r + 1, name, s["rps"], s["p99"], wait / n / 1e3, wait / run if run else 0, wait / slices / 1e3 if slices else 0,
                          slices / n, ", ".join("%.2f" % x for x in shares[:LOOPS]), os.getloadavg()[0]), flush=True)
        print()
        print("| proxy | requests/s | p99 ms | waited for a core, us per request | per time run | us per time run | times run per request |")
        print("|---|---|---|---|---|---|---|")
        for name, rs in rows.items():
            med = [statistics.median(r[k] for r in rs) for k in range(6)]
            print("| %s | %.0f | %.2f | %.2f | %.2f | %.1f | %.2f |" % (name, *med))
        if args.perf:
            print()
            print("Waits from wake-up to running (perf sched timehist), %d s in the middle of a wrk run each; load %.1f" % (
                args.perf, os.getloadavg()[0]))
            for name, kind, pid, url in targets:
                proxy, client = sched_tail(tmp, name, kind, pid, url, args.connections, args.perf)
                print("  %s: its threads %s" % (name, tail(proxy, args.perf)))
                print("  %s: wrk's threads %s" % (name, tail(client, args.perf)))
    finally:
        stop_all([nginx], [agent])


if __name__ == "__main__":
    main()
