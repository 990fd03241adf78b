#!/usr/bin/env python3
"""Each request's legs on the wire, beside wrk's own latency figures: nginx with as many workers as the gateway has event
loops, and the gateway, proxying to the same nginx upstream under `wrk -t2` at --connections, in interleaved rounds.
`perf record -a` runs wrk as its workload and takes, on every CPU, the kernel's tracepoints of TCP data arriving at a
socket (`tcp:tcp_probe`, data only), of a socket read (`tcp:tcp_rcv_space_adjust`) and of a packet handed to the
loopback device (`net:net_dev_queue`); with --sched also the scheduler's switches and wake-ups. From them, for each
request of each wrk connection:
- sent (wrk's packet queued), at the proxy (in its socket), read by the proxy, the response at wrk, read by wrk;
- on each connection to the upstream: at the upstream, read by it, its answer at the proxy, read by the proxy.
It reports the requests' latency on the wire (sent to read by wrk) at p50 to p99.9, the same latencies as wrk corrects
them (for every latency L over the mean interval I between a connection's requests, wrk adds samples L - I, L - 2I, ...
down to I: its correction for coordinated omission), the share of requests over 2 ms, and where the slowest 1 % spent
their time. With --sched: for the proxy's reads of upstream answers that came more than 1 ms late, whether the reading
thread was running, preempted, asleep or woken and waiting for a CPU, and what the CPUs ran while it waited.
Tracing every packet costs every target CPU (requests a second fall by a quarter or so): the figures compare the
targets with each other and wrk's figures with the wire's, not with untraced runs.

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_legs.py [--connections 16] [--seconds 4] [--rounds 2] [--warmup 40] [--sched]
Needs nginx, wrk and perf (root).
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, corrected, hist_pct, pct, stop_all, wrk_stats  # noqa: E402
from gateway import LOOPS, ROOT, start_nginx  # noqa: E402

EVENT = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+\w+:(\w+):\s+(.*)$")
ARRIVED = re.compile(r"src=\S*:(\d+) dest=\S*:(\d+).*data_len=(\d+).*skbaddr=(\S+)")
READ = re.compile(r"sport=(\d+) dport=(\d+)")
QUEUED = re.compile(r"skbaddr=(\S+) len=\d+")
SWITCH = re.compile(r"prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
WOKEN = re.compile(r"pid=(\d+) prio")


def parse(data, proxy_port, up_port):
    """From perf's record: each wrk connection's events and each upstream connection's, in time order, and the scheduler's."""
    text = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
    clients, upstreams = collections.defaultdict(list), collections.defaultdict(list)
    queued, sched = {}, []
    for line in text.splitlines():
        m = EVENT.match(line)
        if not m:
            continue
        _, tid, cpu, ts, ev, rest = m.groups()
        t = float(ts) * 1e6
        if ev == "net_dev_queue":
            q = QUEUED.search(rest)
            if q:
                queued[q.group(1)] = t
        elif ev == "tcp_probe":  # data in a socket, whose own port is src
            a = ARRIVED.search(rest)
            if not a or a.group(3) == "0":
                continue
            own, peer, sent = int(a.group(1)), int(a.group(2)), queued.get(a.group(4), t)
            if own == proxy_port:
                clients[peer].append(("at proxy", t, sent))
            elif peer == proxy_port:
                clients[own].append(("at wrk", t, sent))
            elif own == up_port:
                upstreams[peer].append(("at upstream", t, 0))
            elif peer == up_port:
                upstreams[own].append(("answer at proxy", t, 0))
        elif ev == "tcp_rcv_space_adjust":  # a read, on the socket whose own port is sport
            r = READ.search(rest)
            if not r:
                continue
            own, peer = int(r.group(1)), int(r.group(2))
            if own == proxy_port:
                clients[peer].append(("read by proxy", t, 0))
            elif peer == proxy_port:
                clients[own].append(("read by wrk", t, 0))
            elif own == up_port:
                upstreams[peer].append(("read by upstream", t, 0))
            elif peer == up_port:
                upstreams[own].append(("answer read by proxy", t, int(tid)))
        elif ev == "sched_wakeup":
            w = WOKEN.search(rest)
            if w:
                sched.append((t, int(cpu), "wake", int(w.group(1)), "", ""))
        elif ev == "sched_switch":
            s = SWITCH.search(rest)
            if s:
                sched.append((t, int(cpu), "switch", int(s.group(2)), s.group(3), int(s.group(5)), s.group(4)))
    return clients, upstreams, sched


def chains(per_connection, steps):
    """Each connection's events cut into exchanges: the steps in order, each the first of its kind after the one before."""
    out = []
    for events in per_connection.values():
        events.sort(key=lambda e: e[1])
        cur = None
        for kind, t, extra in events:
            if kind == steps[0]:
                cur = {kind: t, "extra " + kind: extra}
            elif cur is not None and kind in steps and kind not in cur and steps[steps.index(kind) - 1] in cur:
                cur[kind] = t
                cur["extra " + kind] = extra
                if kind == steps[-1]:
                    out.append(cur)
                    cur = None
    return out


def stalls(answers, sched):
    """For answers read more than 1 ms after they came: the reading thread's state over that time, and what ran meanwhile."""
    per, cpus = collections.defaultdict(list), collections.defaultdict(list)
    for e in sched:
        if e[2] == "wake":
            per[e[3]].append((e[0], "wake", ""))
        else:
            t, cpu, _, prev, state, nxt, comm = e
            per[prev].append((t, "off", state))
            per[nxt].append((t, "on", ""))
            cpus[cpu].append((t, comm))
    starts = {cpu: [e[0] for e in tl] for cpu, tl in cpus.items()}

    def ran(x, y, acc):
        for cpu, tl in cpus.items():
            i = max(0, bisect.bisect_right(starts[cpu], x) - 1)
            while i < len(tl) and tl[i][0] < y:
                end = min(tl[i + 1][0] if i + 1 < len(tl) else y, y)
                if end > max(tl[i][0], x):
                    acc[re.sub(r"[-/:]?\d+$", "", tl[i][1]).strip()] += end - max(tl[i][0], x)
                i += 1
    states, who, slow = collections.Counter(), collections.Counter(), 0
    for a in answers:
        x, y, tid = a["answer at proxy"], a["answer read by proxy"], a["extra answer read by proxy"]
        if y - x <= 1000:
            continue
        slow += 1
        events = per.get(tid, [])
        before = [e for e in events if e[0] <= x]
        state, how = (before[-1][1], before[-1][2]) if before else ("on", "")
        cursor = x
        for t, kind, st in [e for e in events if x < e[0] <= y] + [(y, "end", "")]:
            key = ("running" if state == "on" else "preempted, waiting for a CPU" if how.startswith("R")
                   else "woken, waiting for a CPU" if state == "wake" else "asleep")
            if state == "wake":
                ran(cursor, t, who)
            states[key] += t - cursor
            cursor = t
            if kind == "end" or (kind == "wake" and (state == "on" or how.startswith("R"))):
                continue
            state, how = kind, st
    return slow, states, who


def share(counter):
    total = sum(counter.values()) or 1
    return ", ".join("%s %.0f %%" % (k, 100.0 * v / total) for k, v in counter.most_common(8))


def report(name, wrk_text, clients, upstreams, sched, connections):
    steps = ["at proxy", "read by proxy", "at wrk", "read by wrk"]
    reqs = chains(clients, steps)
    answers = chains(upstreams, ["at upstream", "read by upstream", "answer at proxy", "answer read by proxy"])
    if not reqs:
        print("%s: no request traced" % name)
        return
    total = [r["read by wrk"] - r["extra at proxy"] for r in reqs]
    span = max(r["read by wrk"] for r in reqs) - min(r["extra at proxy"] for r in reqs)
    recorded = collections.Counter(int(v) for v in total)
    fixed = corrected(recorded, int(span) // max(1, len(reqs) // connections))
    added = 1 - sum(recorded.values()) / float(sum(fixed.values()))
    ladder = dict(re.findall(r"\s(\d+)%\s+([\d.]+\w+)", wrk_text))
    print("%s: wrk %s requests/s, its p50 / p90 / p99 %s / %s / %s" % (
        name, re.search(r"Requests/sec:\s+([\d.]+)", wrk_text).group(1), ladder.get("50"), ladder.get("90"), ladder.get("99")))
    print("  on the wire, %d requests: p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f us; over 2 ms %.2f %%" % (
        len(reqs), pct(total, 0.5), pct(total, 0.9), pct(total, 0.99), pct(total, 0.999),
        100.0 * sum(1 for v in total if v > 2000) / len(total)))
    print("  the same as wrk corrects them: p50 %d, p90 %d, p99 %d us (%.1f %% of its samples added)" % (
        hist_pct(fixed, 0.5), hist_pct(fixed, 0.9), hist_pct(fixed, 0.99), 100 * added))
    cut = pct(total, 0.99)
    for label, rs in (("all", reqs), ("slowest 1 %", [r for r in reqs if r["read by wrk"] - r["extra at proxy"] >= cut])):
        legs = [("sent to read by the proxy", lambda r: r["read by proxy"] - r["extra at proxy"]),
                ("read by the proxy to the answer at wrk", lambda r: r["at wrk"] - r["read by proxy"]),
                ("the answer at wrk to read by wrk", lambda r: r["read by wrk"] - r["at wrk"])]
        print("  %s, mean (p50) us: %s" % (label, "; ".join(
            "%s %.0f (%.0f)" % (leg, sum(map(f, rs)) / len(rs), pct([f(r) for r in rs], 0.5)) for leg, f in legs)))
    for leg, a, b in (("the upstream's wait to read", "at upstream", "read by upstream"),
                      ("the upstream's turnaround", "read by upstream", "answer at proxy"),
                      ("the proxy's wait to read the answer", "answer at proxy", "answer read by proxy")):
        v = [x[b] - x[a] for x in answers]
        print("  %s, p50 / p90 / p99 / p99.9 us: %.0f / %.0f / %.0f / %.0f" % (leg, pct(v, 0.5), pct(v, 0.9), pct(v, 0.99), pct(v, 0.999)))
    if sched:
        slow, states, who = stalls(answers, sched)
        print("  answers read more than 1 ms after they came: %d; the reading thread meanwhile: %s" % (slow, share(states)))
        print("  while it was woken and waiting, the CPUs ran: %s" % share(who))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=40)
    ap.add_argument("--sched", action="store_true", help="also the scheduler's switches and wake-ups")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-legs-")
    agent = StewardAgent(ROOT, tmp)
    nginx = None
    try:
        up = add_nginx_upstream(agent, tmp)
        nginx, url = start_nginx(tmp, "equal", LOOPS, up)
        targets = [("nginx, %d workers" % LOOPS, url), ("steward gateway", agent.gateway + "/up/")]
        for _, u in targets:
            wrk_stats(u, 64, args.warmup)
        print("load %.1f; wrk -t2 -c%d for %d s under perf, %d rounds" % (os.getloadavg()[0], args.connections, args.seconds, args.rounds))
        events = ["-e", "tcp:tcp_probe", "--filter", "data_len > 0", "-e", "tcp:tcp_rcv_space_adjust",
                  "-e", "net:net_dev_queue", "--filter", "len > 66"]
        if args.sched:
            events += ["-e", "sched:sched_switch", "-e", "sched:sched_wakeup"]
        for r in range(args.rounds):
            for name, u in targets:
                port = int(re.search(r":(\d+)/", u).group(1))
                data = os.path.join(tmp, "legs.data")
                text = subprocess.run(["perf", "record", "-q", "-a", "-m", "8192"] + events + [
                    "-o", data, "--", "wrk", "-t2", "-c%d" % args.connections, "-d%ds" % args.seconds, "--latency", u],
                    capture_output=True, text=True, check=True).stdout
                clients, upstreams, sched = parse(data, port, up)
                os.remove(data)
                print()
                print("round %d, load %.1f" % (r + 1, os.getloadavg()[0]))
                report(name, text, clients, upstreams, sched, args.connections)
                sys.stdout.flush()
    finally:
        stop_all([nginx], [agent])


if __name__ == "__main__":
    main()
