#!/usr/bin/env python3
"""Hop benchmark: the latency one hop adds when agent A's gateway forwards to an instance that agent B runs,
beside a direct request to that instance over the same link, and beside agent B's own gateway. Two agents
of one cluster (a one-member etcd of the benchmark's own) on loopback addresses of their own (A on
127.0.0.2, B on 127.0.0.3); the instance, nginx answering a fixed 200, is placed on B by a node label and
listens on B's address. Sequential requests, each target on one keep-alive connection, in interleaved
rounds; median and p99 of every request's time.

Run from the repository root:  python3 bench/hop.py [--requests 20000] [--rounds 5] [--warmup 5000]
Needs etcd (apt-get install etcd-server) and nginx, and a built ./steward.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import StewardAgent, free_port, machine, pct, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
A, B = "127.0.0.2", "127.0.0.3"

# nginx keeps a connection for a thousand requests by default: the direct one here takes them all
UPSTREAM = benchlib.UPSTREAM.replace("access_log off;", "access_log off;\n  keepalive_requests 1000000;")


def start_etcd(tmp):
    """A one-member etcd on loopback; returns (process, client port) once it answers its health check."""
    client, peer = free_port(), free_port()
    proc = subprocess.Popen(["etcd", "--name", "hop", "--data-dir", os.path.join(tmp, "etcd"),
                             "--listen-client-urls", "http://127.0.0.1:%d" % client,
                             "--advertise-client-urls", "http://127.0.0.1:%d" % client,
                             "--listen-peer-urls", "http://127.0.0.1:%d" % peer,
                             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % peer,
                             "--initial-cluster", "hop=http://127.0.0.1:%d" % peer],
                            stdout=open(os.path.join(tmp, "etcd.log"), "w"), stderr=subprocess.STDOUT)

    def healthy():
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % client, timeout=1) as r:
                return b"true" in r.read()
        except OSError:
            return False
    wait_until(healthy, 30, 0.1)
    return proc, client


def node(tmp, etcd_port, name, host, label):
    return StewardAgent(ROOT, os.path.join(tmp, name), host=host, name=name,
                        args=["--cluster", "etcd://127.0.0.1:%d" % etcd_port, "--node-name", name, "--advertise", host,
                              "--labels", "zone=" + label])


class Connection:
    """One keep-alive HTTP/1.1 connection: GET, read the head and a Content-Length body, nothing more."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def get(self, path):
        self.sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: hop\r\n\r\n")
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.recv()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(rest) < length:
            rest += self.recv()
        self.buf = rest[length:]
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError("answer: %r" % head[:80])

    def recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("connection closed")
        return data


def timed(conn, path, n):
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        conn.get(path)
        out.append(clock() - t0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000, help="requests per target per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=5000, help="requests per target before measuring")
    args = ap.parse_args()
    for tool in ("etcd", "nginx"):
        if not shutil.which(tool):
            sys.exit("%s is needed: apt-get install etcd-server nginx" % tool)
    started = machine()
    tmp = tempfile.mkdtemp(prefix="steward-hop-bench-")
    etcd, agents = None, []
    try:
        etcd, etcd_port = start_etcd(tmp)
        a = node(tmp, etcd_port, "a", A, "a")
        agents.append(a)
        b = node(tmp, etcd_port, "b", B, "b")
        agents.append(b)
        with open(os.path.join(tmp, "up.tmpl"), "w") as f:
            f.write(UPSTREAM % {"dir": tmp})
        a.call("POST", "/v1/services", "name: up\ndir: %s\nping: {tcp: true}\nplacement: {node-labels: {zone: b}}\n"
               "command: [/bin/sh, -c, 'sed \"s/PORT/$PORT/g; s/HOST/$STEWARD_HOST/g\" up.tmpl > up-$PORT.conf"
               " && exec nginx -p %s -c %s/up-$PORT.conf -g \"daemon off;\"']\n" % (tmp, tmp, tmp))
        up = wait_until(lambda: next((i for i in b.call("GET", "/v1/services/up")["instances"]
                                      if i["node"] == "b" and i["state"] == "running"), None), 60, 0.1)
        ga, gb = a.gateway.split("//")[1].rsplit(":", 1), b.gateway.split("//")[1].rsplit(":", 1)

        def serves(host, port):
            try:
                Connection(host, port).get("/up/")
                return True
            except (OSError, RuntimeError):
                return False
        wait_until(lambda: serves(ga[0], int(ga[1])), 60, 0.1)  # a knows b's instance
        targets = [("direct to the instance on b", Connection(B, up["port"]), "/"),
                   ("b's gateway (its own instance)", Connection(gb[0], int(gb[1])), "/up/"),
                   ("a's gateway (one hop to b)", Connection(ga[0], int(ga[1])), "/up/")]
        for _, conn, path in targets:
            timed(conn, path, args.warmup)
        samples = {name: [] for name, _, _ in targets}
        for _ in range(args.rounds):
            for name, conn, path in targets:
                samples[name].extend(timed(conn, path, args.requests))
        print(started)
        print("sequential GETs, %d per target in %d interleaved rounds, one keep-alive connection each" % (
            args.requests * args.rounds, args.rounds))
        direct = statistics.median(samples[targets[0][0]])
        print("%-34s %10s %10s %14s" % ("target", "median ms", "p99 ms", "added (median)"))
        for name, _, _ in targets:
            xs = samples[name]
            med = statistics.median(xs)
            print("%-34s %10.3f %10.3f %14s" % (name, med / 1e6, pct(xs, 0.99) / 1e6,
                                                "" if name == targets[0][0] else "+%.3f ms" % ((med - direct) / 1e6)))
        hop = statistics.median(samples[targets[2][0]]) - direct
        print("one hop adds %.3f ms at the median (target: under 0.3 ms): %s" % (hop / 1e6, "met" if hop < 300_000 else "NOT met"))
    finally:
        for agent in reversed(agents):
            try:
                agent.stop()
            except Exception as e:  # noqa: BLE001 - the other agents and etcd are stopped whatever happened
                print("stopping an agent: %s" % e, file=sys.stderr)
        if etcd:
            etcd.terminate()
            etcd.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
