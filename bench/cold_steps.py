#!/usr/bin/env python3
"""The agent's own steps in a start on demand, from its ColdTrace (-Dsteward.trace-cold=true), builds in turn.

Two parts, each with every build given (this checkout first, then each --also) one after the other:
  - starts from zero of busybox httpd on one agent per build (--samples, the first 3 left out);
  - the very first start on demand of agents just started (--fresh-agents per build), python3 http.server, and
    the second start of each of them (from zero again, as soon as the first has stopped) beside it;
  - with --two-services N, N fresh agents per build with two busybox services, started in turn twice each.
Each row: medians (and p90 for the first part) of the steps in ms: held -> the runner asks for the spawn;
the spawn (thread running -> spawned); the program's start (pings begin -> the ping passes); ping passed ->
the held request resumed on its event loop; resumed -> the request written on a new connection; written ->
answered; and the agent's own time, held -> answered without the program's start and the spawn itself.
The trace's printing costs a little on every step, the same in every build.

Run from the repository root:  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/cold_steps.py [--samples 30]
  [--fresh-agents 6] [--also 'LABEL|ROOT|JAVA_OPTS' ...]   (ROOT: another checkout or a copy of its built jars and
  launcher, empty for this one; JAVA_OPTS: added to the agent's JVM options)
Needs busybox and a built ./steward.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent  # noqa: E402
from coldstart import first_request, spec  # noqa: E402
from fanin import web_root  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "bench", "tiny_http.py")


def traced(opts):
    """The environment of a traced agent, with more JVM options."""
    return {"STEWARD_NO_BUILD": "1", "STEWARD_JAVA_OPTS": ("-Dsteward.trace-cold=true " + opts).strip()}


STEPS = ["held -> spawn asked", "spawn", "program's start", "ping passed -> resumed", "resumed -> written", "written -> answered",
         "agent's own"]


def runs(path, service):
    """The traced starts of `service` in an agent's stderr: for each, the first time (ms) of each step."""
    out, cur = [], None
    for line in open(path):
        m = re.match(r"steward: cold: +([\d.]+) ms  (.*?) +\[", line)
        if not m:
            continue
        t, step = float(m.group(1)), m.group(2)
        if step.startswith("request held"):
            cur = {"held": t} if step == "request held: " + service else None
            if cur is not None:
                out.append(cur)
            continue
        if cur is not None:
            cur.setdefault(re.sub(r" \d+.*", "", re.sub(r"\(.*", "", step)).strip(), t)
    return [r for r in out if "answered" in r and "ping passed, ping" in r]


def steps(r):
    written = next(k for k in r if k.startswith("request written"))
    program, spawn = r["ping passed, ping"] - r["running"], r["spawned, pid"] - r["spawn thread running"]
    return dict(zip(STEPS, [r["spawn asked"] - r["held"], spawn, program, r["resumed on the event loop"] - r["ping passed, ping"],
                            r[written] - r["resumed on the event loop"], r["answered"] - r[written], r["answered"] - r["held"] - program - spawn]))


def row(label, rows, p90=True):
    def cell(k):
        xs = sorted(x[k] for x in rows)
        return "%.2f / %.2f" % (statistics.median(xs), xs[max(0, int(round(len(xs) * 0.9)) - 1)]) if p90 else "%.2f" % statistics.median(xs)
    return "| %s | %d | %s |" % (label, len(rows), " | ".join(cell(k) for k in STEPS))


def two_services(builds, tmp, busybox, agents):
    """Fresh agents with two busybox services, started from zero in turn (aa, bb, aa, bb): whether what the very
    first start pays more is the agent's first run (bb's first start then pays it no more) or each service's."""
    order = [("aa", 0, "aa, the agent's first start"), ("bb", 0, "bb, its first start after aa's"), ("aa", 1, "aa again"),
             ("bb", 1, "bb again")]
    print()
    print("Two busybox services on fresh agents (%d per build), each started from zero twice in turn, medians in ms:" % agents)
    print()
    print("| build | start | %s |" % " | ".join(STEPS))
    print("|---|---|%s" % ("---|" * len(STEPS)))
    for i, (label, root, opts) in enumerate(builds):
        got = {k: [] for _, _, k in order}
        for n in range(agents):
            d = os.path.join(tmp, "two-%d-%d" % (i, n))
            a = StewardAgent(root, d, env=traced(opts))
            try:
                for name in ("aa", "bb"):
                    a.call("POST", "/v1/services", spec(name, busybox, tmp).replace("ping: {http: /}", "ping: {http: /index.html}"))
                for name, _, _ in order:
                    first_request(a, name)
            finally:
                a.stop()
            for name, k, key in order:
                r = runs(os.path.join(d, "agent.err"), name)
                if len(r) > k:
                    got[key].append(steps(r[k]))
        for _, _, key in order:
            cells = " | ".join("%.2f" % statistics.median(x[k] for x in got[key]) for k in STEPS) if got[key] else "-"
            print("| %s | %s | %s |" % (label, key, cells))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--fresh-agents", type=int, default=6)
    ap.add_argument("--two-services", type=int, default=0, help="fresh agents per build with two busybox services started in turn")
    ap.add_argument("--also", action="append", default=[], help="'LABEL|ROOT|JAVA_OPTS': another build or JVM options, in turn with this one")
    args = ap.parse_args()
    builds = [("this build", ROOT, "")] + [tuple((a.split("|") + ["", ""])[:3]) for a in args.also]
    builds = [(label, root or ROOT, opts) for label, root, opts in builds]
    tmp = tempfile.mkdtemp(prefix="steward-cold-steps-")
    print("machine: %s, %d cores, load %.1f at the start" % (os.uname().release, os.cpu_count(), os.getloadavg()[0]))
    try:
        www = web_root(tmp)
        busybox = ["busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", www]
        agents = []
        for i, (label, root, opts) in enumerate(builds):
            a = StewardAgent(root, os.path.join(tmp, "agent-%d" % i), env=traced(opts))
            a.call("POST", "/v1/services", spec("bb", busybox, tmp).replace("ping: {http: /}", "ping: {http: /index.html}"))
            agents.append((label, a))
        try:
            for _ in range(args.samples):
                for _, a in agents:
                    first_request(a, "bb")
        finally:
            for _, a in agents:
                a.stop()
        print()
        print("Starts from zero of busybox httpd, the same agent each time, medians / p90 in ms:")
        print()
        print("| build | starts | %s |" % " | ".join(STEPS))
        print("|---|---|%s" % ("---|" * len(STEPS)))
        for i, (label, _) in enumerate(agents):
            print(row(label, [steps(r) for r in runs(os.path.join(tmp, "agent-%d" % i, "agent.err"), "bb")[3:]]))
        fresh = {label: [] for label, _, _ in builds}
        second = {label: [] for label, _, _ in builds}
        for n in range(args.fresh_agents):
            for i, (label, root, opts) in enumerate(builds):
                d = os.path.join(tmp, "fresh-%d-%d" % (i, n))
                a = StewardAgent(root, d, env=traced(opts))
                try:
                    a.call("POST", "/v1/services", spec("first", [sys.executable if not os.path.exists("/usr/bin/python3") else "/usr/bin/python3", TINY], tmp))
                    first_request(a, "first", samples=2)  # the very first start, then a later one of the same agent
                finally:
                    a.stop()
                fresh[label] += [steps(r) for r in runs(os.path.join(d, "agent.err"), "first")[:1]]
                second[label] += [steps(r) for r in runs(os.path.join(d, "agent.err"), "first")[1:2]]
        print()
        print("The very first start on demand of an agent just started (python3 http.server), medians in ms:")
        print()
        print("| build | agents | %s |" % " | ".join(STEPS))
        print("|---|---|%s" % ("---|" * len(STEPS)))
        for label, _, _ in builds:
            print(row(label, fresh[label], p90=False))
            print(row(label + ", its second start", second[label], p90=False))
        if args.two_services:
            two_services(builds, tmp, busybox, args.two_services)
        print()
        print("load %.1f at the end" % os.getloadavg()[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
