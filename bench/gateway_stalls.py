#!/usr/bin/env python3
"""What holds up the gateway's event loops under load, beside the requests/s and p99 of the same rounds: an agent
(of ROOT, with JAVA_OPTS added) proxying to an nginx upstream it runs, wrk -t2 at --connections for --rounds rounds
of --seconds, and per round the young collections (jstat: how many, their mean pause, the bytes allocated per
request, as collections times the eden's size over the requests). With --jfr the agent records every file write
and every park of a thread (a flight recording, no threshold), and after the rounds it says which threads wrote
the access log and how long the runs of writes took, and how often and how long the event loops
(steward-gateway-*) parked, by where. In a closed loop of C connections a stall of an event loop holds at most
the requests of the connections on it, so the counts here say what share of requests a cause can reach.

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_stalls.py [ROOT] [--opts JAVA_OPTS] [--connections 16]
      [--seconds 10] [--rounds 3] [--warmup 20] [--jfr]
Needs nginx and wrk.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, jdk, pct, wrk_stats  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JFR_OPTS = ("-XX:StartFlightRecording=dumponexit=true,filename=%s,jdk.FileWrite#threshold=0ms,jdk.FileWrite#stackTrace=true,"
            "jdk.ThreadPark#threshold=0ms")


def young(java, pid):
    """jstat -gc of the agent: column name to value."""
    out = subprocess.run([os.path.join(os.path.dirname(java), "jstat"), "-gc", str(pid)], capture_output=True, text=True).stdout.split("\n")
    return dict(zip(out[0].split(), out[1].split()))


def quantiles(xs):
    return "median %.3f, p90 %.3f, max %.3f ms" % (pct(xs, 0.5), pct(xs, 0.9), max(xs))


def report_jfr(java, recording):
    """The access log's writers and their runs of writes; the event loops' parks, by where."""
    out = subprocess.run([os.path.join(os.path.dirname(java), "jfr"), "print", "--json", "--events", "jdk.FileWrite,jdk.ThreadPark",
                          "--stack-depth", "8", recording], capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]

    def ms(e):
        d = e["values"]["duration"]
        return float(d[2:-1]) * 1e3 if d.startswith("PT") else 0.0

    def thread(e):
        return (e["values"].get("eventThread") or {}).get("javaName") or ""

    def start(e):
        return datetime.fromisoformat(e["values"]["startTime"].replace("Z", "+00:00")).timestamp()

    writes = sorted((e for e in events if e["type"] == "jdk.FileWrite" and "access" in (e["values"].get("path") or "")), key=start)
    print("access log writes: %d, by thread %s" % (len(writes), dict(collections.Counter(thread(e) for e in writes))))
    runs = []  # a thread's writes less than 5 ms apart: one spill or flush
    for e in writes:
        if runs and runs[-1][0] == thread(e) and start(e) - runs[-1][2] < 0.005:
            runs[-1][2] = start(e) + ms(e) / 1e3
            runs[-1][3] += 1
        else:
            runs.append([thread(e), start(e), start(e) + ms(e) / 1e3, 1])
    for who in sorted({r[0] for r in runs}):
        mine = [r for r in runs if r[0] == who]
        print("  %s: %d runs of writes (%s writes each, most often), each %s" % (
            who, len(mine), collections.Counter(r[3] for r in mine).most_common(1)[0][0], quantiles([(r[2] - r[1]) * 1e3 for r in mine])))
    parks = [e for e in events if e["type"] == "jdk.ThreadPark" and thread(e).startswith("steward-gateway-")
             and not thread(e).startswith("steward-gateway-accept")]
    print("event loops' parks: %d%s" % (len(parks), (", " + quantiles([ms(e) for e in parks])) if parks else ""))
    where = collections.Counter()
    for e in parks:
        frames = [f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"] for f in (e["values"].get("stackTrace") or {}).get("frames", [])]
        where[next((f for f in frames if "steward" in f or f.startswith(("AccessLog", "Agent"))), frames[-1] if frames else "?")] += 1
    for w, n in where.most_common(5):
        print("  %d in %s" % (n, w))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root", nargs="?", default=ROOT)
    ap.add_argument("--opts", default="", help="JVM options added to the agent's")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=20, help="seconds of wrk at 64 connections first")
    ap.add_argument("--jfr", action="store_true")
    args = ap.parse_args()
    java = jdk()
    tmp = tempfile.mkdtemp(prefix="steward-gw-stalls-")
    recording = os.path.join(tmp, "agent.jfr")
    opts = " ".join(o for o in (args.opts, JFR_OPTS % recording if args.jfr else "") if o)
    agent = StewardAgent(args.root, tmp, env=dict({"STEWARD_JAVA_OPTS": opts} if opts else {}, STEWARD_NO_BUILD="1"))
    try:
        add_nginx_upstream(agent, tmp)
        url = agent.gateway + "/up/"
        print("machine: %s, %d cores, load %.1f at the start, %s" % (os.uname().release, os.cpu_count(), os.getloadavg()[0],
                                                                     datetime.now().strftime("%Y-%m-%d %H:%M")))
        wrk_stats(url, 64, args.warmup)
        print("| round | requests/s | p50 ms | p99 ms | max ms | load | young collections /s | mean pause ms | bytes allocated / request |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in range(args.rounds):
            g0 = young(java, agent.pid)
            s = wrk_stats(url, args.connections, args.seconds)
            g1 = young(java, agent.pid)
            n = int(g1["YGC"]) - int(g0["YGC"])
            pause = (float(g1["YGCT"]) - float(g0["YGCT"])) * 1000 / n if n else 0
            eden = float(g1["EC"]) * 1024
            print("| %d | %.0f | %.3f | %.3f | %.2f | %.1f | %.1f | %.2f | %.0f |" % (
                r + 1, s["rps"], s["p50"], s["p99"], s["max"], os.getloadavg()[0], n / args.seconds, pause, n * eden / (s["rps"] * args.seconds)),
                flush=True)
    finally:
        agent.stop()
    if args.jfr:
        report_jfr(java, recording)


if __name__ == "__main__":
    main()
