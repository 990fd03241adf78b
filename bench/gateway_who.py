#!/usr/bin/env python3
"""What runs while a woken thread waits for a core: nginx with 2 workers beside the gateway (and any --also gateways),
each proxying to the same nginx upstream under wrk -t2 at --connections. For each target in turn: wrk runs, and in its
middle `perf record` takes the scheduler's switches and wake-ups of every CPU for --seconds. From them, per request:
- the wake-ups, by who woke whom (wrk, the proxy's threads, the upstream, anything else);
- for the wake-ups of wrk's threads, the proxy's threads and the upstream, and for their preemptions: the wait until
  running again (median, p90, p99, max), what ran on that CPU meanwhile (time by task kind, summed over the waits, and
  over the waits of 300 us or more alone), and the task running on that CPU when the waiting one was put on it;
- how many times each ran on a CPU a request, and for how long each time;
- how long the proxy's thread kept running after it woke a wrk thread before it slept (a loop that keeps the core
  after its work holds up the wrk thread it just woke, on a machine with two cores and six busy threads).

Run from the repository root:
  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/gateway_who.py [--connections 16] [--seconds 3] [--rounds 1]
      [--also 'LABEL|ROOT|JAVA_OPTS' ...]
Needs nginx, wrk and perf (root).
"""
import argparse
import bisect
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, add_nginx_upstream, also_agents, pct, stop_all, wrk_stats  # noqa: E402
from gateway import LOOPS, ROOT, start_nginx  # noqa: E402
from gateway_waits import workers  # noqa: E402

EVENT = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(sched_\w+):\s+(.*)$")
SWITCH = re.compile(r"prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
WAKE = re.compile(r"comm=(.*?) pid=(\d+) prio=\d+ target_cpu=(\d+)")


def tids(pid):
    try:
        return {int(t) for t in os.listdir("/proc/%d/task" % pid)}
    except OSError:
        return set()


def nginx_pids():
    out = set()
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/comm" % p) as f:
                    if f.read().strip() == "nginx":
                        out.add(int(p))
            except OSError:
                pass
    return out


def kind_of(sets):
    wrk, proxy, upstream, agent = sets

    def kind(tid, comm):
        if tid == 0:
            return "idle"
        if tid in wrk:
            return "wrk"
        if tid in proxy:
            return "proxy loop" if comm.startswith("steward-gatewa") or comm == "nginx" else "agent " + re.sub(r"[-#\d]+$", "", comm)
        if tid in upstream:
            return "upstream"
        if tid in agent:
            return "agent " + re.sub(r"[-#\d]+$", "", comm)
        return "other " + re.sub(r"[/:\-\d]+.*$", "", comm)
    return kind


LONG = 300e-6  # a wait this long or longer is one of the tail's


def analyse(data, sets, requests, seconds):
    kind = kind_of(sets)
    out = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
    current = {}  # cpu -> (tid, comm, since)
    ran = collections.defaultdict(list)  # cpu -> [(start, end, kind)]
    woken = {}  # tid -> (time, cpu)
    waits = collections.defaultdict(list)  # kind woken -> [us]
    meanwhile = collections.defaultdict(lambda: collections.Counter())  # kind woken -> Counter(kind ran -> us)
    last = collections.defaultdict(lambda: collections.Counter())  # kind woken -> Counter(kind put off the cpu for it)
    edges = collections.Counter()
    woke_wrk = {}  # proxy loop tid -> time it last woke a wrk thread while running
    kept = []  # us a proxy loop ran on after waking a wrk thread, until it slept or was put off
    pending = []  # (wake time, cpu, tid, kind) resolved at switch-in
    preempted = {}  # tid -> (time put off the cpu while runnable, kind)
    runs = collections.defaultdict(list)  # kind -> [us run each time on a cpu]
    for line in out.splitlines():
        m = EVENT.match(line)
        if not m:
            continue
        comm, tid, cpu, t, ev, rest = m.group(1).strip(), int(m.group(2)), int(m.group(3)), float(m.group(4)), m.group(5), m.group(6)
        if ev in ("sched_wakeup", "sched_wakeup_new"):
            w = WAKE.match(rest)
            if not w:
                continue
            wt = int(w.group(2))
            wk = kind(wt, w.group(1))
            waker = kind(tid, comm)
            edges[(waker, wk)] += 1
            woken[wt] = (t, wk)
            if wk == "wrk" and waker == "proxy loop":
                woke_wrk[tid] = t
        elif ev == "sched_switch":
            s = SWITCH.match(rest)
            if not s:
                continue
            prev, prev_state, nxt, ncomm = int(s.group(2)), s.group(3), int(s.group(5)), s.group(4)
            pk = kind(prev, s.group(1))
            if cpu in current:
                ran[cpu].append((current[cpu][2], t, pk))
                runs[pk].append((t - current[cpu][2]) * 1e6)
            if prev_state.startswith("R") and prev != 0:
                preempted[prev] = (t, pk)
            current[cpu] = (nxt, ncomm, t)
            if prev in woke_wrk:
                kept.append((t - woke_wrk.pop(prev)) * 1e6)
            if nxt in woken:
                tw, wk = woken.pop(nxt)
                waits[wk].append((t - tw) * 1e6)
                last[wk][pk] += 1
                pending.append((tw, t, cpu, wk))
            elif nxt in preempted:
                tp, wk = preempted.pop(nxt)
                waits["preempted " + wk].append((t - tp) * 1e6)
                last["preempted " + wk][pk] += 1
                pending.append((tp, t, cpu, "preempted " + wk))
    starts = {c: [r[0] for r in rs] for c, rs in ran.items()}
    for tw, ts, cpu, wk in pending:
        rs = ran.get(cpu, [])
        i = max(0, bisect.bisect_right(starts.get(cpu, []), tw) - 1)
        while i < len(rs) and rs[i][0] < ts:
            a, b, k = rs[i]
            overlap = min(b, ts) - max(a, tw)
            if overlap > 0:
                meanwhile[wk][k] += overlap * 1e6
                if ts - tw >= LONG:
                    meanwhile["long " + wk][k] += overlap * 1e6
            i += 1
    return edges, waits, meanwhile, last, kept, runs


def report(name, res, requests, seconds, rps, p99):
    edges, waits, meanwhile, last, kept, runs = res
    print("%s: %.0f requests/s, p99 %.2f ms during the record; %.0f requests recorded" % (name, rps, p99, requests))
    print("  wake-ups per request (waker -> woken):")
    for (a, b), n in sorted(edges.items(), key=lambda x: -x[1]):
        if n / requests >= 0.005:
            print("    %-28s -> %-24s %.3f" % (a, b, n / requests))
    for wk in ("wrk", "proxy loop", "upstream", "preempted wrk", "preempted proxy loop", "preempted upstream"):
        xs = waits.get(wk, [])
        if not xs:
            continue
        total = sum(xs)
        print("  %s%s: %.3f a request; waited us p50 %.1f, p90 %.1f, p99 %.1f, max %.0f; %.2f us a request in all" % (
            wk, "" if wk.startswith("preempted") else " woken", len(xs) / requests, pct(xs, .5), pct(xs, .9), pct(xs, .99),
            max(xs), total / requests))
        print("    what ran on its CPU meanwhile, us a request: " + ", ".join(
            "%s %.2f" % (k, v / requests) for k, v in meanwhile[wk].most_common(8)))
        longs = [x for x in xs if x >= LONG * 1e6]
        if longs:
            print("    the %d waits of %.0f us or more (%.4f a request, %.2f us a request in all), what ran meanwhile, us a request: %s" % (
                len(longs), LONG * 1e6, len(longs) / requests, sum(longs) / requests, ", ".join(
                    "%s %.2f" % (k, v / requests) for k, v in meanwhile["long " + wk].most_common(8))))
        n = sum(last[wk].values())
        print("    put on the CPU in place of: " + ", ".join("%s %.0f%%" % (k, 100.0 * v / n) for k, v in last[wk].most_common(6)))
    for k in ("wrk", "proxy loop", "upstream"):
        xs = runs.get(k, [])
        if xs:
            print("  %s ran each time on a CPU, us: p50 %.1f, p90 %.1f, p99 %.1f, max %.0f (%.3f times a request)" % (
                k, pct(xs, .5), pct(xs, .9), pct(xs, .99), max(xs), len(xs) / requests))
    if kept:
        print("  a proxy loop ran on after waking a wrk thread, us: p50 %.1f, p90 %.1f, p99 %.1f (%d times, %.2f a request)" % (
            pct(kept, .5), pct(kept, .9), pct(kept, .99), len(kept), len(kept) / requests))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--no-nginx", action="store_true", help="gateways alone")
    ap.add_argument("--also", action="append", default=[], help="LABEL|ROOT|JAVA_OPTS: another gateway in the same rounds")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="steward-gw-who-")
    agent = StewardAgent(ROOT, tmp)
    also, nginx = [], None
    try:
        also = also_agents(args.also, tmp)
        before = nginx_pids()
        up = add_nginx_upstream(agent, tmp)
        upstream = set()
        for p in nginx_pids() - before:
            upstream |= tids(p)
        nginx, url = start_nginx(tmp, "equal", LOOPS, up)
        targets = [] if args.no_nginx else [("nginx, %d workers" % LOOPS, "nginx", nginx.pid, url)]
        targets.append(("steward gateway", "gateway", agent.pid, agent.gateway + "/up/"))
        for label, a in also:
            a.route_upstream(up)
            targets.append((label, "gateway", a.pid, a.gateway + "/up/"))
        agents = set()
        for a in [agent] + [a for _, a in also]:
            agents |= tids(a.pid)
        print("load %.1f at the start; wrk -t2 -c%d, %d s recorded in the middle of each run, %d rounds" % (
            os.getloadavg()[0], args.connections, args.seconds, args.rounds))
        for _, _, _, u in targets:
            wrk_stats(u, 64, args.warmup)
        for r in range(args.rounds):
            for name, kind, pid, u in targets:
                proxy = set()
                for w in (workers(pid) if kind == "nginx" else [pid]):
                    proxy |= tids(w)
                data = os.path.join(tmp, "who.data")
                load = subprocess.Popen(["wrk", "-t2", "-c%d" % args.connections, "-d%ds" % (args.seconds + 4), "--latency", u],
                                        stdout=subprocess.PIPE, text=True)
                time.sleep(2)
                wrk_threads = tids(load.pid) - {load.pid}
                subprocess.run(["perf", "record", "-q", "-a", "-e", "sched:sched_switch,sched:sched_wakeup,sched:sched_wakeup_new",
                                "-o", data, "--", "sleep", str(args.seconds)], capture_output=True, check=True)
                text = load.communicate()[0]
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
                m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text)
                p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
                agents_now = set()
                for a in [agent] + [a for _, a in also]:
                    agents_now |= tids(a.pid)
                res = analyse(data, (wrk_threads, proxy, upstream, agents | agents_now), rps * args.seconds, args.seconds)
                os.remove(data)
                print()
                print("round %d, load %.1f" % (r + 1, os.getloadavg()[0]))
                report(name, res, rps * args.seconds, args.seconds, rps, p99)
                sys.stdout.flush()
    finally:
        stop_all([nginx], [a for _, a in also] + [agent])


if __name__ == "__main__":
    main()
