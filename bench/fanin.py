#!/usr/bin/env python3
"""Fan-in: N simultaneous requests (each on a connection of its own) to a program whose listen backlog is
small (busybox httpd: 9), at zero behind the gateway, beside the same requests sent to the program
directly once it runs. Reports the statuses, the time until the last answer and the latencies.

Run from the repository root:  /usr/bin/python3 bench/fanin.py [--requests 1000] [--rounds 3]
Needs busybox (apt-get install busybox-static) and a built ./steward.
"""
import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, answers, free_port, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


async def one(host, port, path, timeout):
    t0 = time.monotonic()
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        w.write(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
        data = await asyncio.wait_for(r.read(), timeout)
        w.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except (asyncio.TimeoutError, OSError, ValueError, IndexError):
        status = 0
    return status, (time.monotonic() - t0) * 1000


async def burst(url, n, timeout):
    u = urllib.parse.urlsplit(url)
    return await asyncio.gather(*(one(u.hostname, u.port, u.path or "/", timeout) for _ in range(n)))


def fan_in(url, n, timeout=90):
    """n simultaneous requests to url: {status: count}, the time until the last answer, p50 and p99 ms."""
    t0 = time.monotonic()
    results = asyncio.run(burst(url, n, timeout))
    total = (time.monotonic() - t0) * 1000
    statuses = {}
    for s, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    lat = sorted(ms for _, ms in results)
    return {"statuses": statuses, "last": total, "p50": statistics.median(lat), "p99": lat[int(len(lat) * 0.99) - 1]}


def web_root(tmp):
    """A folder with one small page, for busybox httpd to serve; made once."""
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("small backlog\n")
    return www


def register_tiny(agent, tmp):
    """Registers busybox httpd (listen backlog 9) serving web_root(tmp) as the on-demand service `tiny`."""
    web_root(tmp)
    agent.call("POST", "/v1/services", "name: tiny\ndir: %s\ncommand: [busybox, httpd, -f, -p, \"127.0.0.1:${PORT}\", -h, www]\n"
               "policy: on-demand\nping: {tcp: true}\n" % tmp)


def row(name, r):
    st = ", ".join("%s: %d" % ("failed" if k == 0 else k, v) for k, v in sorted(r["statuses"].items()))
    print("| %s | %s | %.0f | %.0f | %.0f |" % (name, st, r["p50"], r["p99"], r["last"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("busybox"):
        sys.exit("busybox is needed: apt-get install busybox-static")
    tmp = tempfile.mkdtemp(prefix="steward-fanin-bench-")
    www = web_root(tmp)
    agent = StewardAgent(ROOT, tmp)
    try:
        register_tiny(agent, tmp)
        print("%d simultaneous requests, each on its own connection, to busybox httpd (listen backlog 9); %d rounds"
              % (args.requests, args.rounds))
        print()
        print("| target | statuses | p50 ms | p99 ms | last answered ms |")
        print("|---|---|---|---|---|")
        for _ in range(args.rounds):
            wait_until(lambda: agent.call("GET", "/v1/services/tiny")["state"] == "stopped", 60, 0.05)
            row("gateway, service at zero", fan_in(agent.gateway + "/tiny/index.html", args.requests))
            port = free_port()
            p = subprocess.Popen(["busybox", "httpd", "-f", "-p", "127.0.0.1:%d" % port, "-h", www])
            try:
                wait_until(lambda: answers(port), 30, 0.001)
                row("busybox httpd directly, running", fan_in("http://127.0.0.1:%d/index.html" % port, args.requests))
            finally:
                p.kill()
                p.wait()
    finally:
        agent.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
