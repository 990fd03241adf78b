#!/usr/bin/env python3
"""The agent's CPU per container life: how much CPU time the agent spends on one container instance
from its create to its removal (create, start, running, stop, end, remove), under the churn of
bench/churn.py (a service's wanted count set to N and back to 0 every half period), beside the same
agent left idle for as long.

No load generator runs: the figure is the agent's CPU time (utime + stime of its JVM, from
/proc/PID/stat), which holds on a busy machine better than a latency does. Each round has an idle row
and a churn row, in turn (their order turned every round); a churn row lasts --seconds of churn plus
the time until every instance it started has ended, and its CPU minus the idle row's rate over the
same time, divided by the instances that ran in it (counted from the agent's event stream), is the CPU
per container life. The podman service's CPU is given likewise: a change that moved work onto the
engine would show there.

Run from the repository root:  /usr/bin/python3 bench/churn_cpu.py [--seconds 20] [--rounds 3]
Needs root, podman, runc and busybox-static, as bench/churn.py; --isolate process measures the same
for the process isolate.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, cpu_seconds, machine, wait_until  # noqa: E402
from churn import IMAGE, LOOP, Churn, Events, Podman, cleanup, podman_problem  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def jdk_home():
    """The JDK the launcher runs the agent with (it keeps it in cli/target/.jdk)."""
    with open(os.path.join(ROOT, "cli", "target", ".jdk")) as f:
        return f.read().split()[0]


def thread_ticks(pid):
    """{tid: (name with its digits taken out, CPU ticks)} of the process's threads now."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                head, rest = f.read().rsplit(")", 1)
            fields = rest.split()
            out[tid] = (re.sub(r"[0-9]+", "#", head.split("(", 1)[1]), int(fields[11]) + int(fields[12]))
        except OSError:
            pass  # ended meanwhile
    return out


def by_thread(before, after, total_ticks):
    """CPU ticks by thread name between two thread_ticks(); what threads that ended took is the rest of the total."""
    names = {}
    for tid, (name, ticks) in after.items():
        names[name] = names.get(name, 0) + ticks - (before[tid][1] if tid in before else 0)
    names["(threads that ended in the row)"] = total_ticks - sum(names.values())
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20, help="seconds of churn (and of idling) per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=20, help="seconds of churn before measuring (the JIT)")
    ap.add_argument("--churn-instances", type=int, default=2)
    ap.add_argument("--period", type=float, default=1.0, help="seconds per cycle: up to N instances, then down to 0")
    ap.add_argument("--isolate", default="container", help="the churning service's isolate (container, or process)")
    ap.add_argument("--java-opts", default="", help="extra JVM options for the agent (a flight recording, say)")
    ap.add_argument("--jfr", metavar="FILE", help="a flight recording of the measured rows (CPU-time samples, allocations) into FILE")
    ap.add_argument("--threads", action="store_true", help="also the agent's CPU by thread (name without its number) over the churn rows")
    args = ap.parse_args()
    load = machine()
    tmp = tempfile.mkdtemp(prefix="steward-churn-cpu-")
    podman = None
    if args.isolate == "container":
        why = podman_problem()
        if why:
            sys.exit("the container churn cannot run here: %s (--isolate process measures the process isolate)" % why)
        podman = Podman(os.path.join(tmp, "podman"))
    env = {"DOCKER_HOST": "unix://" + (podman.sock if podman else os.path.join(tmp, "no-engine.sock"))}
    if args.java_opts:
        env["STEWARD_JAVA_OPTS"] = args.java_opts
    agent = StewardAgent(ROOT, os.path.join(tmp, "agent"), hide_cgroups=True, env=env)
    n, half = args.churn_instances, args.period / 2
    rows = {"idle": [], "churn": []}
    threads = {}
    try:
        image = "image: %s\n" % IMAGE if podman else ""
        agent.call("POST", "/v1/services", "name: churny\nisolate: %s\n%scommand: [sh, -c, \"%s\"]\nping: none\ninstances: %d\n"
                   % (args.isolate, image, LOOP, n))
        agent.call("POST", "/v1/services/churny/start?instances=0")
        events = Events(agent, "churny")
        events.start()
        events.open.wait(10)

        def churny():
            return agent.call("GET", "/v1/services/churny")["instances"]

        def settle():
            # every instance that started has ended (from the event stream, so as not to load the API meanwhile), then
            # one look at the service and the engine
            wait_until(lambda: events.ended >= len(events.started), 120, 0.05)
            wait_until(lambda: not any(i["state"] in ("starting", "running", "stopping") for i in churny())
                       and not (podman and podman.containers()), 120, 0.2)

        def churn(seconds):
            c = Churn(half, lambda: agent.call("POST", "/v1/services/churny/start?instances=%d" % n),
                      lambda: agent.call("POST", "/v1/services/churny/start?instances=0"))
            c.start()
            time.sleep(seconds)
            c.halt.set()
            c.join()
            if c.error:
                raise c.error
            settle()

        def sample():
            return time.monotonic(), cpu_seconds(agent.pid), cpu_seconds(podman.proc.pid) if podman else 0.0

        print("%s; churn: %d %s instances up and down every %.1f s, %d s per row" % (load, n, args.isolate, args.period, args.seconds),
              flush=True)
        churn(args.warmup)
        if args.jfr:
            subprocess.run([os.path.join(jdk_home(), "bin", "jcmd"), str(agent.pid), "JFR.start", "name=churn", "settings=profile",
                            "jdk.CPUTimeSample#enabled=true", "jdk.CPUTimeSample#throttle=1ms", "filename=" + os.path.abspath(args.jfr)],
                           check=True, stdout=subprocess.DEVNULL)
        for r in range(args.rounds):
            for row in (("idle", "churn") if r % 2 == 0 else ("churn", "idle")):
                started0, ended0 = len(events.started), events.ended
                th0 = thread_ticks(agent.pid)
                t0 = sample()
                if row == "churn":
                    churn(args.seconds)
                else:
                    time.sleep(args.seconds)
                t1 = sample()
                if args.threads:
                    hz = os.sysconf("SC_CLK_TCK")
                    for name, ticks in by_thread(th0, thread_ticks(agent.pid), round((t1[1] - t0[1]) * hz)).items():
                        threads.setdefault(row, {}).setdefault(name, 0)
                        threads[row][name] += ticks / hz
                time.sleep(0.5)  # the last events on their way to the counter
                wall = t1[0] - t0[0]
                rows[row].append({"wall": wall, "agent": t1[1] - t0[1], "podman": t1[2] - t0[2],
                                  "lives": len(events.started) - started0, "ended": events.ended - ended0})
                s = rows[row][-1]
                print("round %d, %s: %.1f s, agent CPU %.2f s, podman CPU %.2f s, instances started %d, ended %d"
                      % (r + 1, row, wall, s["agent"], s["podman"], s["lives"], s["ended"]), flush=True)
        if args.jfr:
            subprocess.run([os.path.join(jdk_home(), "bin", "jcmd"), str(agent.pid), "JFR.stop", "name=churn"], check=True,
                           stdout=subprocess.DEVNULL)
            print("flight recording of the rows: %s" % args.jfr)
        per_life, podman_life, idle_pct = [], [], []
        for idle, ch in zip(rows["idle"], rows["churn"]):
            rate, prate = idle["agent"] / idle["wall"], idle["podman"] / idle["wall"]
            idle_pct.append(rate * 100)
            if ch["lives"]:
                per_life.append((ch["agent"] - rate * ch["wall"]) / ch["lives"] * 1000)
                podman_life.append((ch["podman"] - prate * ch["wall"]) / ch["lives"] * 1000)
        print()
        print("| | agent | podman service |")
        print("|---|---|---|")
        print("| CPU per container life, ms (median of %d rounds; each: %s) | **%.1f** | %.1f |"
              % (len(per_life), ", ".join("%.1f" % x for x in per_life), statistics.median(per_life), statistics.median(podman_life)))
        print("| idle, %% of one core | %.2f | |" % statistics.median(idle_pct))
        print("| container lives per churn row | %d | |" % statistics.median(c["lives"] for c in rows["churn"]))
        if args.threads:
            lives = sum(c["lives"] for c in rows["churn"])
            idle_wall, churn_wall = sum(i["wall"] for i in rows["idle"]), sum(c["wall"] for c in rows["churn"])
            print()
            print("agent CPU by thread over all rows, ms per container life (churn rows less the idle rows' rate):")
            for name in sorted(threads.get("churn", {}), key=lambda k: -threads["churn"][k]):
                extra = threads["churn"][name] - threads.get("idle", {}).get(name, 0) * churn_wall / idle_wall
                print("  %-40s churn %6.2f s, idle %6.2f s, %6.2f ms per life" % (name, threads["churn"][name],
                                                                                threads.get("idle", {}).get(name, 0), extra / lives * 1000))
    finally:
        try:
            agent.stop()
        finally:
            cleanup(podman, tmp)


if __name__ == "__main__":
    main()
