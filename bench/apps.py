#!/usr/bin/env python3
"""App invoke benchmark: an echo app with a warm pool, beside the floor of a bare unix-socket round trip.

For each door (the app's TCP service; the gateway's /<app>/<event>) and for the floor: p50 and p99 of
sequential round trips, and calls per second at saturation. The worker is the Java example app
(examples/apps/echo-java, on the Java worker SDK); the client is Java (bench/src/.../AppBench.java).

Run from the repository root:  python3 bench/apps.py [--seconds 5] [--rounds 3]
Needs a built tree (mvn -o install -DskipTests, or any ./steward run).
"""
import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, jdk, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "examples", "apps", "echo-java", "app")
CP = os.path.join(ROOT, "bench", "target", "classes") + ":" + os.path.join(ROOT, "bench", "target", "lib", "*")


def tar_dir(d):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(d, arcname=".")
    return buf.getvalue()


def run(java, args, seconds, extra=()):
    out = subprocess.run([java, "-XX:+UseSerialGC", "-Dseconds=%s" % seconds, *extra, "-cp", CP, "dev.steward.bench.AppBench", *args],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(kv.split("=") for kv in out.split()[1:])
    return float(fields["p50_us"]), float(fields["p99_us"]), float(fields["rate"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    java = jdk()
    if not os.path.isdir(os.path.join(APP, "lib")):
        sys.exit("examples/apps/echo-java/app/lib is missing: build first (mvn -o install -DskipTests)")
    tmp = tempfile.mkdtemp(prefix="steward-bench-apps-")
    sock = os.path.join(tmp, "floor.sock")
    floor = subprocess.Popen([java, "-XX:+UseSerialGC", "-cp", CP, "dev.steward.bench.UnixEcho", sock], stdout=subprocess.PIPE, text=True)
    floor.stdout.readline()
    agent = StewardAgent(ROOT, tmp)
    results = {"floor": [], "tcp": [], "gateway": []}
    try:
        agent.call("PUT", "/v1/apps/echo", tar_dir(APP))
        agent.call("PUT", "/v1/profiles/bench", '{"pool-limit": 1, "concurrency": 256, "queue-limit": 10000, "idle-timeout": 0}')
        agent.call("POST", "/v1/running/echo", "bench")
        host, port = agent.rpc
        gw = agent.gateway.split("//")[1]
        print("warming the worker and the agent up (15 s)...", flush=True)
        run(java, ["tcp", host, str(port), "echo"], 7)
        run(java, ["gateway", gw.split(":")[0], gw.split(":")[1], "echo"], 5)
        for r in range(a.rounds):
            results["floor"].append(run(java, ["floor", sock], a.seconds))
            results["tcp"].append(run(java, ["tcp", host, str(port), "echo"], a.seconds))
            results["gateway"].append(run(java, ["gateway", gw.split(":")[0], gw.split(":")[1], "echo"], a.seconds))
            print("round %d: %s" % (r + 1, {k: v[-1] for k, v in results.items()}), flush=True)
        info = agent.call("GET", "/v1/apps/echo")
    finally:
        agent.stop()
        floor.kill()
    print()
    print("| path | p50 µs | p99 µs | calls/s at saturation |")
    print("|---|---|---|---|")
    for k, label in (("floor", "unix socket round trip (floor)"), ("tcp", "enqueue via the app's TCP service"),
                     ("gateway", "POST /echo/echo via the gateway")):
        v = results[k]
        print("| %s | %.1f | %.1f | %s |" % (label, statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
                                             format(int(statistics.median(x[2] for x in v)), ",")))
    print()
    print("medians of %d rounds of %ss; saturation: 4 TCP connections x 16 sessions in flight, 64 gateway connections; "
          "one Java worker (crashes %s)" % (a.rounds, a.seconds, info.get("crashes")))


if __name__ == "__main__":
    main()
