#!/usr/bin/env python3
"""Placement benchmark (issue 12): placements per second, the elected scheduler's decision plus its
etcd commit, for 10,000 instances of a sleeping program over three agents on one real etcd.

(a) One service of `instances: 10000`.  (b) 10,000 services of one instance each.
For each: the three nodes are drained (`node drain`), the services applied (they wait, pending: "every
node that may run it is drained"), then all three drains are removed in one etcd transaction, and the
clock runs from that transaction's commit until etcd holds an assignment, written after it, for every
service (polled with a keys-only range from the undrain's revision). The assignments are then read
once to check that every instance is placed, over all three nodes. The agents start their instances
meanwhile (each node runs what it is given); the figure is the scheduler's, not the instances' start.
The agents and every instance are stopped at the end.

Peer: Nomad's published 2-million-container challenge, about 1,500 placements/s over 6,100 hosts.
Target (issue 12): at least 1,000 placements/s.

Run from the repository root:  /usr/bin/python3 bench/placement.py [--instances 10000]
(CASES="one service of 10000 instances" runs only that case; the names are those printed.)
Needs etcd (etcd-server) on PATH and a built ./steward (the launcher builds when needed).
"""
import argparse
import base64
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, free_port, machine, processes_with, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODES = ["a", "b", "c"]
CASES = [c for c in os.environ.get("CASES", "").split(",") if c]


class Etcd:
    """A one-member etcd of the benchmark's own, and the few calls of its JSON gateway the benchmark makes."""

    def __init__(self, tmp):
        self.url = "http://127.0.0.1:%d" % free_port()
        peer = "http://127.0.0.1:%d" % free_port()
        self.proc = subprocess.Popen(["etcd", "--name", "bench", "--data-dir", os.path.join(tmp, "etcd"), "--listen-client-urls", self.url,
                                      "--advertise-client-urls", self.url, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                      "--initial-cluster", "bench=" + peer, "--log-level", "error"],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "etcd.log"), "w"))
        wait_until(lambda: self._healthy(), 30, 0.05)

    def _healthy(self):
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                return b"true" in r.read()
        except OSError:
            return False

    def call(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    @staticmethod
    def b64(s):
        return base64.b64encode(s.encode()).decode()

    def prefix(self, p, **options):
        end = p[:-1] + chr(ord(p[-1]) + 1)
        return self.call("/v3/kv/range", dict({"key": self.b64(p), "range_end": self.b64(end)}, **options))

    def delete_prefix(self, p):
        end = p[:-1] + chr(ord(p[-1]) + 1)
        return self.call("/v3/kv/deleterange", {"key": self.b64(p), "range_end": self.b64(end)})

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def spec(name, instances, sleeper):
    return "name: %s\ncommand: [%s, '3600']\npolicy: permanent\ninstances: %d\n" % (name, sleeper, instances)


def apply_all(agent, specs, threads=8):
    """PUT every spec (register-or-modify, then its policy's state), a few at a time."""
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda s: agent.call("PUT", "/v1/services/" + s[0], s[1]), specs))


def placed(etcd, since):
    """How many services have an assignment written after revision since."""
    r = etcd.prefix("/steward/assignments/", keys_only=True, min_mod_revision=since + 1)
    return len(r.get("kvs", []))


def round_of(etcd, agents, specs, instances):
    """Drains, applies, undrains in one transaction; returns seconds from the undrain to the last assignment, and the nodes' counts."""
    wait_until(lambda: sorted(x["name"] for x in agents[0].call("GET", "/v1/cluster/nodes")) == NODES, 60, 0.1)
    for n in NODES:
        agents[0].call("POST", "/v1/cluster/nodes/%s/drain" % n)
    t_apply = time.monotonic()
    apply_all(agents[0], specs)
    applied = time.monotonic() - t_apply
    names = [s[0] for s in specs]
    # every service's assignment is written (pending) before the clock starts
    wait_until(lambda: len(etcd.prefix("/steward/assignments/", keys_only=True).get("kvs", [])) >= len(names), 600, 0.2)
    t0 = time.monotonic()
    rev = int(etcd.delete_prefix("/steward/drains/")["header"]["revision"])
    wait_until(lambda: placed(etcd, rev) >= len(names), 600, 0.01)
    seconds = time.monotonic() - t0
    on = {}
    total = 0
    for kv in etcd.prefix("/steward/assignments/").get("kvs", []):
        a = json.loads(base64.b64decode(kv["value"]))
        for node, count in a.get("nodes", {}).items():
            on[node] = on.get(node, 0) + count
            total += count
    if total != instances:
        raise RuntimeError("placed %d of %d instances" % (total, instances))
    return seconds, applied, on


def clean(agents, marker):
    """SIGKILL to the agents (each in its own process group), then to every instance they started."""
    for a in agents:
        os.killpg(a.proc.pid, signal.SIGKILL)
        a.proc.wait()
    for pid in processes_with(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=10000)
    args = ap.parse_args()
    n = args.instances
    print(machine())
    rows = []
    for case in CASES or ("one service of %d instances" % n, "%d services of one instance" % n):
        tmp = tempfile.mkdtemp(prefix="steward-bench-placement-")
        sleeper = os.path.join(tmp, "sleeper")
        shutil.copy(shutil.which("sleep"), sleeper)
        etcd = Etcd(tmp)
        agents = []
        try:
            url = "etcd://" + etcd.url[len("http://"):]
            for node in NODES:
                agents.append(StewardAgent(ROOT, os.path.join(tmp, node), args=["--cluster", url, "--node-name", node]))
            specs = [("one", spec("one", n, sleeper))] if case.startswith("one") else [("s%05d" % i, spec("s%05d" % i, 1, sleeper)) for i in range(n)]
            seconds, applied, on = round_of(etcd, agents, specs, n)
            rows.append((case, n / seconds, seconds, applied, on))
            print("%-36s %8.0f placements/s  (%.3f s; applied in %.1f s; placed %s)" % (case, n / seconds, seconds, applied,
                                                                                        ", ".join("%s %d" % kv for kv in sorted(on.items()))), flush=True)
        finally:
            if agents:
                clean(agents, tmp)
            etcd.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("%-36s %14s" % ("", "placements/s"))
    for case, rate, seconds, applied, on in rows:
        print("%-36s %14.0f" % (case, rate))
    print("%-36s %14s" % ("Nomad, 2M containers on 6,100 hosts", "~1,500"))
    print("target (issue 12)                     >= 1,000")


if __name__ == "__main__":
    main()
