#!/usr/bin/env python3
"""Gateway benchmark: a small fast upstream (nginx serving a fixed answer, run by Steward as a
service), reached directly, through nginx as a reverse proxy (keep-alive upstream), and through
Steward's gateway, at fixed connection counts with wrk, in one run. Also the time from the first
request to a cold (on-demand) service to its first response, beside the service's own start time.

Run from the repository root:  python3 bench/gateway.py [--seconds 5] [--rounds 3] [--connections 16,64]
Needs nginx and wrk (apt-get install nginx wrk) and a built ./steward.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, answers, free_port, paced_script, wait_until, wrk  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "bench", "tiny_http.py")

PROXY = """
worker_processes 1;
pid %(dir)s/proxy.pid;
error_log %(dir)s/proxy-error.log;
events { worker_connections 4096; }
http {
  # an access log as the gateway keeps one: lines buffered and written every second
  access_log %(dir)s/proxy-access.log combined buffer=64k flush=1s;
  upstream up { server 127.0.0.1:%(up)d; keepalive 64; }
  server {
    listen 127.0.0.1:%(port)d;
    location /up/ { proxy_pass http://up/; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=15, help="seconds of load on each target before measuring")
    ap.add_argument("--connections", default="16,64")
    args = ap.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit("%s is needed: apt-get install nginx wrk" % tool)
    tmp = tempfile.mkdtemp(prefix="steward-gw-bench-")
    agent = StewardAgent(ROOT, tmp)
    nginx_proxy = None
    try:
        up = add_nginx_upstream(agent, tmp)
        proxy_port = free_port()
        with open(os.path.join(tmp, "proxy.conf"), "w") as f:
            f.write(PROXY % {"dir": tmp, "up": up, "port": proxy_port})
        nginx_proxy = subprocess.Popen(["nginx", "-p", tmp, "-c", os.path.join(tmp, "proxy.conf"), "-g", "daemon off;"],
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(lambda: answers(proxy_port, "/up/"), 10)
        targets = [("upstream direct", "http://127.0.0.1:%d/" % up),
                   ("nginx 1.22 reverse proxy", "http://127.0.0.1:%d/up/" % proxy_port),
                   ("steward gateway", agent.gateway + "/up/")]
        for _, url in targets:  # warm up: the JVM's JIT (C2 is still compiling after a few seconds), connection pools
            wrk(url, 64, args.warmup)
        print("machine: %s, %d cores, %s; wrk -t2 -d%ds, median of %d interleaved rounds" % (
            os.uname().release, os.cpu_count(), time.strftime("%Y-%m-%d"), args.seconds, args.rounds))
        print("| target | connections | requests/s | p50 ms | p99 ms | non-2xx | vs nginx (rps) |")
        print("|---|---|---|---|---|---|---|")
        peak = 0
        for c in [int(x) for x in args.connections.split(",")]:
            # Rounds interleave the targets, so that a noisy moment on this shared machine hits them alike;
            # each figure is the median over the rounds.
            runs = {name: [] for name, _ in targets}
            for _ in range(args.rounds):
                for name, url in targets:
                    runs[name].append(wrk(url, c, args.seconds))
            results = {name: tuple(statistics.median(r[k] for r in rs) for k in range(4)) for name, rs in runs.items()}
            base = results["nginx 1.22 reverse proxy"][0]
            peak = max(peak, results["steward gateway"][0])
            for name, (rps, p50, p99, bad) in results.items():
                print("| %s | %d | %.0f | %.3f | %.3f | %d | %.2f |" % (name, c, rps, p50, p99, bad, rps / base))

        # Latency at half of the gateway's peak: each of 32 connections waits between its requests
        # (wrk's delay hook, whole milliseconds), so every target gets the same offered rate.
        conns = 32
        delay = max(1, round(conns * 1000.0 / (peak / 2)))
        script = paced_script(tmp, delay)
        print()
        print("At about half of the gateway's peak (%d connections, %d ms between requests on each):" % (conns, delay))
        print("| target | requests/s | p50 ms | p99 ms | p99 added over direct ms |")
        print("|---|---|---|---|---|")
        paced_runs = {name: [] for name, _ in targets}
        for _ in range(args.rounds):
            for name, url in targets:
                paced_runs[name].append(wrk(url, conns, args.seconds, script))
        paced = {name: tuple(statistics.median(r[k] for r in rs) for k in range(4)) for name, rs in paced_runs.items()}
        direct99 = paced["upstream direct"][2]
        for name, (rps, p50, p99, bad) in paced.items():
            print("| %s | %.0f | %.3f | %.3f | %s |" % (name, rps, p50, p99, "-" if name == "upstream direct" else "%.3f" % (p99 - direct99)))

        # Cold start: an on-demand service with no instance, first request through the gateway.
        agent.call("POST", "/v1/services", "name: cold\ncommand: [python3, %s]\npolicy: on-demand\nping: {http: /}\n" % TINY)
        t0 = time.monotonic()
        with urllib.request.urlopen(agent.gateway + "/cold/", timeout=60) as r:
            r.read()
        first = (time.monotonic() - t0) * 1000
        own_port = free_port()
        t0 = time.monotonic()
        p = subprocess.Popen(["python3", TINY, str(own_port)])
        wait_until(lambda: answers(own_port), 30, 0.0005)
        own = (time.monotonic() - t0) * 1000
        p.kill()
        print()
        print("| cold start | ms |")
        print("|---|---|")
        print("| first request to a service at zero, through the gateway | %.1f |" % first)
        print("| the same program's own start, until its port answers | %.1f |" % own)
    finally:
        if nginx_proxy:
            os.killpg(nginx_proxy.pid, signal.SIGTERM)
        agent.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
