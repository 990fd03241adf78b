#!/usr/bin/env python3
"""Where a fresh agent's very first start on demand spends its time: the agent's CPU by thread after it is ready.

For each delay given (--delays, seconds after the agent says it listens), --agents agents are started in turn; each
registers an on-demand python3 http.server (bench/tiny_http.py; or busybox httpd, --program busybox), waits until the delay has passed since it was
ready, and sends the service's first request through the gateway. Printed per delay (medians over the agents):
the time from ready to the request, the first request's time, the program's own CPU and its wait for a CPU (from
/proc/PID/schedstat of the program, read after its first answer) and the agent's CPU by thread group (from
/proc/PID/task/*/schedstat and comm) from ready to the request and during the request. A second request from zero on
the same agent (3 s later) is given beside as a later start. Then, with --watch, the agent's CPU by thread in the
windows after ready without any request (0-100, 100-200, 200-500, 500-1000, 1000-3000 ms).

Run from the repository root:  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/first_start_cpu.py [--agents 6]
  [--delays 0,1,3] [--watch 4] [--also 'LABEL|ROOT|JAVA_OPTS' ...]
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, machine, wait_until  # noqa: E402
from coldstart import spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "bench", "tiny_http.py")
PROGRAMS = {"python": lambda www: [PYTHON, TINY], "busybox": lambda www: ["busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", www]}
MARKS = {"python": b"tiny_http.py", "busybox": b"httpd"}
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def group(name):
    """A thread's group: its name without the numbers that tell threads of one kind apart."""
    name = re.sub(r"[#-]?\d+$", "", name.strip())
    return re.sub(r"\d+", "N", name) or "?"


def threads(pid):
    """{tid: (group, ns on a CPU, ns waiting for one)} of the process's threads."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read()
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                run, wait = f.read().split()[:2]
            out[tid] = (group(name), int(run), int(wait))
        except (OSError, ValueError):
            pass  # ended meanwhile
    return out


def spent(before, after):
    """{group: ms on a CPU} between two snapshots (threads started between them counted from zero)."""
    out = {}
    for tid, (g, run, _) in after.items():
        d = run - (before[tid][1] if tid in before else 0)
        out[g] = out.get(g, 0.0) + d / 1e6
    return out


def program(cwd, which):
    """(ms on a CPU, ms waiting for one) of the program (`which`, of PROGRAMS) running in cwd, or None."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/cwd" % pid) != cwd:
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if MARKS[which] not in f.read():
                    continue
            with open("/proc/%s/schedstat" % pid) as f:
                run, wait = f.read().split()[:2]
            return int(run) / 1e6, int(wait) / 1e6
        except (OSError, ValueError):
            pass
    return None


def one(root, tmp, delay, env, which):
    """One fresh agent: its first request `delay` s after ready (the program's CPU read between its answer and its
    stop), and a later one from zero 3 s after."""
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "w") as f:  # busybox answers / with it
        f.write("ok")
    agent = StewardAgent(root, tmp, env=env)
    ready = time.monotonic()
    s0 = threads(agent.pid)
    try:
        import urllib.request
        # lingering, so that the program is still there to be read after its first answer
        agent.call("POST", "/v1/services", spec("first", PROGRAMS[which](www), www).replace("policy: on-demand", "policy: lingering\nlinger: 60s"))
        wait_until(lambda: agent.call("GET", "/v1/services/first")["state"] == "stopped", 60, 0.001)
        wait = ready + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        gap = (time.monotonic() - ready) * 1000
        s1 = threads(agent.pid)
        t0 = time.monotonic()
        with urllib.request.urlopen(agent.gateway + "/first/", timeout=60) as resp:
            resp.read()
        ms = (time.monotonic() - t0) * 1000
        s2 = threads(agent.pid)
        prog = program(www, which)
        agent.call("POST", "/v1/services/first/stop")
        r = {"gap": gap, "first": ms, "before": spent(s0, s1), "during": spent(s1, s2), "program": prog}
        time.sleep(3)
        wait_until(lambda: agent.call("GET", "/v1/services/first")["state"] == "stopped", 60, 0.01)
        s3 = threads(agent.pid)
        t0 = time.monotonic()
        with urllib.request.urlopen(agent.gateway + "/first/", timeout=60) as resp:
            resp.read()
        r["later"] = (time.monotonic() - t0) * 1000
        r["during later"] = spent(s3, threads(agent.pid))
        r["later program"] = program(www, which)
        agent.call("POST", "/v1/services/first/stop")
        return r
    finally:
        agent.stop()


def watch(root, tmp, env, marks=(0.1, 0.2, 0.5, 1.0, 3.0)):
    """The agent's CPU by thread group in windows after ready, nothing asked of it."""
    agent = StewardAgent(root, tmp, env=env)
    ready = time.monotonic()
    snaps = [threads(agent.pid)]
    try:
        for m in marks:
            time.sleep(max(0.0, ready + m - time.monotonic()))
            snaps.append(threads(agent.pid))
        return [spent(a, b) for a, b in zip(snaps, snaps[1:])]
    finally:
        agent.stop()


def ping_cost(root, tmp, env, settle=3.0):
    """The agent's CPU while it pings a starting instance that never listens (`sleep 30`, an HTTP ping): in the
    first 100 ms of pinging (every millisecond) and from 300 to 1000 ms (every 10 ms); the agent is left
    `settle` s after ready first. Returns (ms in the first window, ms in the second), both by thread group."""
    agent = StewardAgent(root, tmp, env=env)
    try:
        time.sleep(settle)
        s0 = threads(agent.pid)
        t0 = time.monotonic()
        agent.call("POST", "/v1/services", "name: never\ncommand: [sleep, \"30\"]\nping: {http: /}\n")
        marks = [t0 + x for x in (0.1, 0.3, 1.0)]
        snaps = []
        for m in marks:
            time.sleep(max(0.0, m - time.monotonic()))
            snaps.append(threads(agent.pid))
        return spent(s0, snaps[0]), spent(snaps[1], snaps[2])
    finally:
        agent.stop()


def top(d, n=7):
    return ", ".join("%s %.1f" % (g, v) for g, v in sorted(d.items(), key=lambda kv: -kv[1])[:n] if v >= 0.5)


def merged(ds):
    """Medians by group over dicts."""
    keys = set().union(*ds)
    return {k: statistics.median([d.get(k, 0.0) for d in ds]) for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=6)
    ap.add_argument("--delays", default="0,1,3")
    ap.add_argument("--program", default="python", choices=sorted(PROGRAMS), help="python3 http.server or busybox httpd")
    ap.add_argument("--watch", type=int, default=0, help="agents watched without a request")
    ap.add_argument("--also", action="append", default=[], help="LABEL|ROOT|JAVA_OPTS: another build, in turn")
    ap.add_argument("--ping-cost", type=int, default=0, help="agents measured pinging an instance that never listens")
    args = ap.parse_args()
    print(machine())
    builds = [("this build", ROOT, {})] + [(l, r or ROOT, dict({"STEWARD_JAVA_OPTS": o} if o else {}, STEWARD_NO_BUILD="1"))
                                           for l, r, o in ((s.split("|") + ["", ""])[:3] for s in args.also)]
    tmp = tempfile.mkdtemp(prefix="steward-firstcpu-")
    try:
        for label, root, env in builds:
            pc = [ping_cost(root, os.path.join(tmp, "p%d-%s" % (i, abs(hash(label)))), env) for i in range(args.ping_cost)]
            if pc:
                a, b = merged([x[0] for x in pc]), merged([x[1] for x in pc])
                print("%s, the agent's CPU pinging an instance that does not listen (medians of %d agents, ms): the first 100 ms"
                      " (a ping every 1 ms) %.1f: %s; 300-1000 ms (every 10 ms) %.1f: %s" % (label, len(pc), sum(a.values()), top(a),
                                                                                       sum(b.values()), top(b)))
        if not args.agents:
            return
        delays = [float(x) for x in args.delays.split(",")]
        res = {(b, d): [] for b, _, _ in builds for d in delays}
        k = 0
        for _ in range(args.agents):
            for d in delays:
                for label, root, env in builds:
                    k += 1
                    res[(label, d)].append(one(root, os.path.join(tmp, "a%d" % k), d, env, args.program))
        print()
        print("| build | first request after ready | ready -> request ms | first request ms | later start ms | program CPU / wait ms,"
              " first | program CPU / wait ms, later | agent CPU ms ready -> request (by thread) | agent CPU ms during the request | agent CPU ms during the later |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for (label, d), rs in res.items():
            med = lambda key: statistics.median(r[key] for r in rs)  # noqa: E731
            pf = [r["program"] for r in rs if r["program"]]
            pl = [r["later program"] for r in rs if r.get("later program")]
            pcol = lambda ps: "%.1f / %.1f" % (statistics.median(p[0] for p in ps), statistics.median(p[1] for p in ps)) if ps else "-"  # noqa: E731
            b, du, dl = merged([r["before"] for r in rs]), merged([r["during"] for r in rs]), merged([r["during later"] for r in rs])
            print("| %s | %.0f s | %.0f | %.1f (%s) | %.1f | %s | %s | %.0f: %s | %.1f: %s | %.1f: %s |" % (
                label, d, med("gap"), med("first"), ", ".join("%.0f" % r["first"] for r in rs), med("later"), pcol(pf), pcol(pl),
                sum(b.values()), top(b), sum(du.values()), top(du), sum(dl.values()), top(dl)))
        for label, root, env in builds:
            ws = [watch(root, os.path.join(tmp, "w%d-%s" % (i, abs(hash(label)))), env) for i in range(args.watch)]
            if not ws:
                continue
            print()
            print("%s, the agent's CPU by thread after ready, nothing asked (medians of %d agents, ms):" % (label, len(ws)))
            for i, name in enumerate(["0-100", "100-200", "200-500", "500-1000", "1000-3000"]):
                m = merged([w[i] for w in ws])
                print("  %s ms: %.1f: %s" % (name, sum(m.values()), top(m, 9)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
