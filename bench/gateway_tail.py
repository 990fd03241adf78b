#!/usr/bin/env python3
"""The tail of a proxied request at saturation, step by step: nginx with as many workers as the gateway has event loops
beside the gateway (and any --also gateways), each proxying to the same nginx upstream, and the upstream reached
directly, in interleaved rounds of wrk -t2 at --connections. For each round and target:
- requests/s, and the share of the machine's CPU time left idle (idle and I/O wait, from /proc/stat): whether the
  proxy leaves cores unused, or the run is bound by the CPU it and its neighbours use;
- wrk's latency at p50, p75, p90, p95, p97, p98, p99, p99.5, p99.9 and p99.99 (a wrk script prints them), so that the
  shapes of two tails can be compared, not only their p99;
- for a gateway, the same percentiles of the time each request spent inside it, from its access log (from its
  access log's lines of the round's whole seconds: the request's head read to the response's last byte handed to
  the client's connection, in steps of 0.1 ms, the upstream's answer included): what of wrk's tail is spent in the gateway, and what outside it (in wrk's threads, in the kernel's
  queues, or waiting for a loop to run).

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_tail.py [--connections 16] [--seconds 8] [--rounds 4] [--warmup 40]
      [--also 'LABEL|ROOT|JAVA_OPTS' ...]
ROOT is a checkout or a copy of one, built (./steward --version once in it); JAVA_OPTS are added to its agent's.
Needs nginx and wrk.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, also_agents, pct  # noqa: E402
from gateway import LOOPS, ROOT, start_nginx  # noqa: E402

LADDER = (50, 75, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99)
SCRIPT = """done = function(summary, latency, requests)
  local s = "LADDER"
  for _, p in ipairs({%s}) do
    s = s .. string.format(" %%.0f", latency:percentile(p))
  end
  io.write(s .. "\\n")
end
""" % ", ".join(str(p) for p in LADDER)


def cpu_idle():
    """(all jiffies, idle + iowait jiffies) of the machine so far."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def run(url, connections, seconds, script):
    """One wrk run: requests/s, the idle share in %, and the latency ladder in microseconds."""
    t0, i0 = cpu_idle()
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    t1, i1 = cpu_idle()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    ladder = [float(x) for x in re.search(r"LADDER(.*)", out).group(1).split()]
    return rps, 100.0 * (i1 - i0) / max(1, t1 - t0), ladder


def inside(agent, began, ended):
    """The gateway's own time per request (µs) as a ladder, from the lines of its access log (the current file and
    those it turned over to) stamped in the whole seconds strictly between `began` and `ended` (epoch seconds), so
    that the run's first and last partial seconds and every other run are left out; None for no such line."""
    logs = os.path.join(agent.data, "logs")
    want = {time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime(t)) for t in range(int(began) + 1, int(ended))}
    us = []
    for name in os.listdir(logs):
        if not name.startswith("gateway-access.log") or os.path.getmtime(os.path.join(logs, name)) < began:
            continue
        with open(os.path.join(logs, name)) as f:
            for line in f:
                m = re.search(r"\[(\S+) \+0000\].* ([\d.]+)ms$", line)
                if m and m.group(1) in want:
                    us.append(float(m.group(2)) * 1000)
    us.sort()
    return [pct(us, p / 100) for p in LADDER] if us else None


def fmt(ladder):
    return " / ".join("%.0f" % x for x in ladder)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=40, help="seconds of load on each target before the rounds")
    ap.add_argument("--also", action="append", default=[], help="another gateway: 'LABEL|ROOT|JAVA_OPTS'")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-tail-")
    script = os.path.join(tmp, "ladder.lua")
    with open(script, "w") as f:
        f.write(SCRIPT)
    agent = StewardAgent(ROOT, tmp)
    others, proxies = [], []
    try:
        others = also_agents(args.also, tmp)
        print("machine: %s, %d cores, load %.1f at the start; wrk -t2 -c%d -d%ds, %d interleaved rounds after %d s of warm-up each"
              % (os.uname().release, os.cpu_count(), os.getloadavg()[0], args.connections, args.seconds, args.rounds, args.warmup))
        up = add_nginx_upstream(agent, tmp)
        nginx, nginx_url = start_nginx(tmp, "equal", LOOPS, up)
        proxies.append(nginx)
        targets = [("upstream direct", "http://127.0.0.1:%d/" % up, None), ("nginx, %d workers" % LOOPS, nginx_url, None),
                   ("steward gateway", agent.gateway + "/up/", agent)]
        for label, a in others:
            a.route_upstream(up)
            targets.append((label, a.gateway + "/up/", a))
        for _, url, _ in targets:
            subprocess.run(["wrk", "-t2", "-c%d" % args.connections, "-d%ds" % args.warmup, url], capture_output=True, check=True)
        print("\nper round: requests/s, idle %%, wrk's latency in µs at p%s; for a gateway, its own time at the same points"
              % " / ".join("%g" % p for p in LADDER))
        for r in range(args.rounds):
            for label, url, a in (targets if r % 2 == 0 else targets[::-1]):
                began = time.time()
                rps, idle, ladder = run(url, args.connections, args.seconds, script)
                ended = time.time()
                print("| %s | round %d | %.0f | %.1f %% | %s |" % (label, r + 1, rps, idle, fmt(ladder)), flush=True)
                if a:
                    time.sleep(1.5)  # the log's writer flushes every second
                own = inside(a, began, ended) if a else None
                if own:
                    print("| %s, inside | round %d | | | %s |" % (label, r + 1, fmt(own)), flush=True)
    finally:
        for p in proxies:
            p.terminate()
            p.wait()
        for _, a in others:  # their upstream is a ping-only service: nothing of theirs to stop
            a.terminate()
        agent.stop()


if __name__ == "__main__":
    main()
