#!/usr/bin/env python3
"""CLI wall-time benchmark: `steward --version`, `steward service query [NAME]` and `steward status`
beside `curl` asking the agent's API the same routes.

One agent of the benchmark's own (own data dir, ports the system chooses) with one service. Each
command is run N times (default 20) after 2 warm-up runs, the CLI and curl in turn (CLI, curl, CLI,
curl...), from the exec to the exit; figures are medians and p90 in milliseconds, and the median of
the CLI's CPU time (user + system, the launcher's included: what a command costs whatever else the
machine runs). The CLI runs through the launcher as its users run it (`./steward ...`), with the
class cache the launcher makes after a build (made before the first timed run). Target (issue 16):
under 150 ms at the median.

Run from the repository root:  /usr/bin/python3 bench/cli.py [--runs 20]
Needs curl and a built ./steward (the launcher builds when needed).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(argv, env, cpu=None):
    """The wall time of one run in ms; its CPU time (user + system, of the process and its children) added to cpu."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    ms = (time.monotonic() - t0) * 1000
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv), r.returncode, r.stderr.decode()[-500:]))
    if cpu is not None:
        cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    return ms


def summary(values):
    v = sorted(values)
    return statistics.median(v), v[min(len(v) - 1, int(len(v) * 0.9))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    steward = os.path.join(ROOT, "steward")
    subprocess.run([steward, "--version"], check=True, stdout=subprocess.DEVNULL)  # builds and makes the class cache if needed
    with tempfile.TemporaryDirectory(prefix="steward-bench-cli-") as tmp:
        agent = StewardAgent(ROOT, tmp)
        try:
            agent.call("POST", "/v1/services", "name: sleeper\ncommand: [sleep, \"600\"]\nping: none\n")
            token = agent.token()
            env = dict(os.environ, STEWARD_ADDR=agent.api, STEWARD_TOKEN=token)
            auth = ["-H", "Authorization: Bearer " + token]
            rows = [
                ("--version", [steward, "--version"], None),
                ("service query", [steward, "service", "query"], ["curl", "-sf", *auth, agent.api + "/v1/services"]),
                ("service query sleeper", [steward, "service", "query", "sleeper"], ["curl", "-sf", *auth, agent.api + "/v1/services/sleeper"]),
                ("status", [steward, "status"], ["curl", "-sf", *auth, agent.api + "/v1/agent", agent.api + "/v1/services"]),
                # commands parsed by picocli (the ones above are answered before it is loaded)
                ("service show sleeper", [steward, "service", "show", "sleeper"],
                 ["curl", "-sf", *auth, agent.api + "/v1/services/sleeper", agent.api + "/v1/events?follow=false&service=sleeper"]),
                ("job list", [steward, "job", "list"], ["curl", "-sf", *auth, agent.api + "/v1/jobs"]),
            ]
            print(machine())
            print("| command | steward median ms | steward p90 ms | steward CPU median ms | curl median ms | curl p90 ms |")
            print("|---|---|---|---|---|---|")
            for name, cli, curl in rows:
                for _ in range(2):
                    timed(cli, env)
                    if curl:
                        timed(curl, env)
                a, b, cpu = [], [], []
                for _ in range(args.runs):
                    a.append(timed(cli, env, cpu))
                    if curl:
                        b.append(timed(curl, env))
                am, ap90 = summary(a)
                cells = ["%.0f" % am, "%.0f" % ap90, "%.0f" % statistics.median(cpu)]
                cells += ["%.0f" % x for x in summary(b)] if b else ["", ""]
                print("| `steward %s` | %s |" % (name, " | ".join(cells)))
        finally:
            agent.stop()


if __name__ == "__main__":
    main()
