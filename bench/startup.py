#!/usr/bin/env python3
"""Agent start-up benchmark: an agent restarted after a SIGKILL, with 1,000 instances to adopt,
beside the same start with one.

(a) One service of `instances: 1000` (busybox httpd, ~1.5 MB each), all running; the agent gets
    SIGKILL (its instances live on in sessions of their own) and a new agent starts on the same data
    dir. Timed from the exec of `./steward agent` until: the launcher execs the JVM; the API answers
    GET /v1/health; the gateway answers at all; the first HTTP 200 through the gateway (GET /tiny/,
    which reaches an instance); `service query` shows all 1,000 running; all 1,000 are adopted (no
    instance still says "adopting after an agent restart").
(b) The same with a service of one instance: what the agent's own start costs without the 1,000.
Rounds interleave (b) and (a); each figure is the median over the rounds.

Target (issue 10): the first request answered through the gateway within 1 s of the agent's start.

Run from the repository root:  /usr/bin/python3 bench/startup.py [--rounds 3] [--instances 1000]
Needs busybox (busybox-static) and a built ./steward (the launcher builds when needed).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, cpu_seconds, free_port, machine, processes_with, status, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKS = ["jvm", "api", "gateway", "first200", "running", "adopted"]
LABELS = {"jvm": "launcher execs the JVM", "api": "API answers (GET /v1/health)", "gateway": "gateway answers (any status)",
          "first200": "first 200 through the gateway", "running": "service query: all running",
          "adopted": "all adopted (none 'adopting')"}


def stamp(marks, key, t0, pid):
    """marks[key]: ms since t0; marks[key + " cpu"]: the CPU time (ms) process pid has used by now. Once."""
    if key not in marks:
        now = time.monotonic()
        marks[key + " cpu"] = cpu_seconds(pid) * 1000
        marks[key] = (now - t0) * 1000


def first(cond, marks, key, t0, step, pid):
    """Polls cond in a thread of its own and stamps key when it first holds."""
    def poll():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if cond():
                stamp(marks, key, t0, pid)
                return
            time.sleep(step)
    t = threading.Thread(target=poll, daemon=True)
    t.start()
    return t


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def restart(old, tmp, n, hide, env):
    """SIGKILL old, start a new agent on its data dir with ports fixed beforehand, time what it answers."""
    old.kill()
    ports = (free_port(), free_port(), free_port())
    agent = StewardAgent(ROOT, tmp, data=old.data, ports=ports, wait=False, hide_cgroups=hide, env=env)
    t0, marks = agent.started, {}

    def gateway(port):
        """One poll serves both marks: the gateway's first answer of any status, then its first 200."""
        code = status(port, "/tiny/", 5)
        if code is not None:
            stamp(marks, "gateway", t0, agent.pid)
        return code == 200
    polls = [first(lambda: comm(agent.pid) == "java", marks, "jvm", t0, 0.0002, agent.pid),
             first(lambda: status(ports[0], "/v1/health") == 200, marks, "api", t0, 0.0005, agent.pid),
             first(lambda: gateway(ports[1]), marks, "first200", t0, 0.0005, agent.pid)]
    polls[1].join()
    if "api" not in marks:
        raise RuntimeError("the agent's API did not answer: see %s/agent.err" % tmp)

    def counted():
        """One query serves both marks: all running, then all adopted (it is a large answer; every 100 ms)."""
        v = agent.call("GET", "/v1/services/tiny")["instances"]
        if sum(1 for i in v if i["state"] == "running") < n:
            return False
        stamp(marks, "running", t0, agent.pid)
        return not any(i["reason"].startswith("adopting") for i in v)
    polls.append(first(counted, marks, "adopted", t0, 0.1, agent.pid))
    for p in polls:
        p.join()
    missing = [k for k in MARKS if k not in marks]
    if missing:
        raise RuntimeError("not reached within 120 s: %s" % ", ".join(missing))
    return agent, marks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--instances", type=int, default=1000)
    ap.add_argument("--ping", default="none", help="the service's ping: none, or tcp ({tcp: true})")
    ap.add_argument("--show-cgroups", action="store_true",
                    help="let the agents see /sys/fs/cgroup (by default they do not, so that at their start they do "
                         "not remove other agents' sandboxes on this machine)")
    args = ap.parse_args()
    if not shutil.which("busybox"):
        sys.exit("busybox is needed: apt-get install busybox-static")
    load = machine()
    tmp = tempfile.mkdtemp(prefix="steward-startup-bench-")
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("ok\n")
    hide = not args.show_cgroups
    env = {"DOCKER_HOST": "unix://%s/no-engine.sock" % tmp}  # no container engine: none of another's containers touched
    ping = "{tcp: true}" if args.ping == "tcp" else "none"
    cases = {"b": 1, "a": args.instances}
    agents = {}
    results = {c: [] for c in cases}
    try:
        for case, n in cases.items():
            agents[case] = StewardAgent(ROOT, os.path.join(tmp, case), hide_cgroups=hide, env=env)
            t0 = time.monotonic()
            agents[case].call("POST", "/v1/services", "name: tiny\ncommand: [busybox, httpd, -f, -p, '127.0.0.1:${PORT}', -h, %s]\n"
                                                      "ping: %s\ninstances: %d\n" % (www, ping, n))
            wait_until(lambda: sum(1 for i in agents[case].call("GET", "/v1/services/tiny")["instances"]
                                   if i["state"] == "running") >= n, 300, 0.1)
            gw = int(agents[case].gateway.rsplit(":", 1)[1])
            wait_until(lambda: status(gw, "/tiny/") == 200, 30)
            print("setup (%s): %d instance(s) running %.1f s after the request" % (case, n, time.monotonic() - t0), flush=True)
        for r in range(args.rounds):
            for case, n in cases.items():
                agents[case], marks = restart(agents[case], os.path.join(tmp, case), n, hide, env)
                results[case].append(marks)
                print("round %d (%s, %d): %s" % (r + 1, case, n, ", ".join("%s %.0f ms" % (k, marks[k]) for k in MARKS)), flush=True)
    finally:
        for a in agents.values():
            try:
                a.stop()
            except Exception as e:  # noqa: BLE001 - the agent may be down already; what is left is checked below
                print("stopping an agent: %s" % e, file=sys.stderr)
    left = processes_with(www)
    print()
    print("%s; ping: %s; %d rounds, (b) and (a) interleaved; cgroups %s to the agents"
          % (load, ping, args.rounds, "hidden" if hide else "shown"))
    print("ms from the exec of ./steward agent (median, min-max over the rounds):")
    print("| event | (b) 1 adopted instance | (a) %d adopted instances |" % args.instances)
    print("|---|---|---|")
    for k in MARKS:
        cells = []
        for case in ("b", "a"):
            v = [m[k] for m in results[case]]
            cells.append("%.0f (%.0f-%.0f)" % (statistics.median(v), min(v), max(v)) if v else "-")
        print("| %s | %s | %s |" % (LABELS[k], cells[0], cells[1]))
    for k in ("first200", "adopted"):
        cells = ["%.0f" % statistics.median(m[k + " cpu"] for m in results[case]) if results[case] else "-" for case in ("b", "a")]
        print("| CPU used by the agent until: %s | %s | %s |" % (LABELS[k], cells[0], cells[1]))
    if results["a"]:
        med = statistics.median(m["first200"] for m in results["a"])
        print()
        print("target: first answered request under 1000 ms with %d adopted: %s (median %.0f ms)"
              % (args.instances, "met" if med < 1000 else "NOT met", med))
    if left:
        print("LEFT RUNNING after the agents stopped: %d busybox httpd processes (killed now)" % len(left))
        for pid in left:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        sys.exit(1)
    print("clean: no instance left running")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
