#!/usr/bin/env python3
"""Supervision benchmarks: Steward beside supervisord, in one run on one machine.

(a) crash to available: SIGKILL a small HTTP service, time until its port answers again (50 kills);
(b) RSS and idle CPU of the supervisor while it keeps 1,000 sleeping instances;
(c) time to start those 1,000.

Run from the repository root:  python3 bench/supervision.py [--kills 50] [--sleepers 1000]
Needs supervisord (apt-get install supervisor) and a built ./steward.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, answers, cpu_seconds, free_port, rss_mb, wait_until  # noqa: E402
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "bench", "tiny_http.py")
# the interpreter running this script runs the program on both sides: a `python3` found on the PATH may be
# a version manager's shim that adds its own start (about 90 ms) to every restart
PYTHON = os.path.realpath(sys.executable)


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


class Steward(StewardAgent):
    name = "steward"

    def __init__(self, tmp):
        super().__init__(ROOT, tmp)

    def add_http(self, name, restart):
        spec = ("name: %s\ncommand: [%s, %s, \"${PORT}\"]\nping: {http: /, interval: 1s}\n"
                "restart: %s\n") % (name, PYTHON, TINY, restart)
        self.call("POST", "/v1/services", spec)
        v = wait_until(lambda: (lambda s: s if s["state"] == "available" else None)(self.call("GET", "/v1/services/" + name)), 30, 0.01)
        return v["instances"][0]["port"]

    def pid_of(self, name):
        return self.call("GET", "/v1/services/" + name)["instances"][0]["pid"]

    def available(self, name, old_pid):
        v = self.call("GET", "/v1/services/" + name)
        i = v["instances"][0]
        return v["state"] == "available" and i["pid"] != old_pid

    def start_sleepers(self, n):
        self.call("POST", "/v1/services", "name: sleepers\ncommand: [sleep, \"1000000\"]\nping: none\ninstances: %d\n" % n)
        return lambda: sum(1 for i in self.call("GET", "/v1/services/sleepers")["instances"] if i["state"] == "running") >= n


class Supervisord:
    name = "supervisord"

    def __init__(self, tmp, programs):
        d = os.path.join(tmp, "supervisord")
        os.makedirs(d, exist_ok=True)
        self.rpc_port = free_port()
        conf = os.path.join(d, "supervisord.conf")
        with open(conf, "w") as f:
            f.write("[supervisord]\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\nminfds=4096\nminprocs=4096\n"
                    "[inet_http_server]\nport=127.0.0.1:%d\n"
                    "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                    % (d, d, d, self.rpc_port))
            f.write(programs)
        self.proc = subprocess.Popen(["supervisord", "-n", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self.pid = self.proc.pid
        self.rpc = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % self.rpc_port)
        wait_until(self._up, 30, 0.05)

    def _up(self):
        try:
            return self.rpc.supervisor.getState()["statename"] == "RUNNING"
        except OSError:
            return False

    def pid_of(self, name):
        return self.rpc.supervisor.getProcessInfo(name)["pid"]

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait()


def crash_to_available(sup, name, port, kills, reported):
    """SIGKILL the instance, then time until its port answers (and, where given, until the supervisor says so)."""
    answered, said = [], []
    for _ in range(kills):
        pid = sup.pid_of(name)
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not answers(port) or sup.pid_of(name) != pid, 10)
        wait_until(lambda: answers(port), 10)
        answered.append((time.monotonic() - t0) * 1000)
        if reported:
            wait_until(lambda: reported(name, pid), 10, 0.001)
            said.append((time.monotonic() - t0) * 1000)
        time.sleep(0.2)
    return answered, said


def idle(pid, seconds):
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / seconds * 100, rss_mb(pid)


def row(label, values):
    return "| %s | %.1f | %.1f | %.1f |" % (label, statistics.median(values), pct(values, 99), max(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--sleepers", type=int, default=1000)
    ap.add_argument("--idle-seconds", type=int, default=30)
    args = ap.parse_args()
    if not shutil.which("supervisord"):
        sys.exit("supervisord is needed: apt-get install supervisor")
    tmp = tempfile.mkdtemp(prefix="steward-bench-")
    out = []
    out.append("machine: %s, %d cores, %s" % (os.uname().release, os.cpu_count(), time.strftime("%Y-%m-%d")))

    # (a) crash to available
    st = Steward(tmp)
    try:
        p1 = st.add_http("fast", "{delay: 0ms, max-delay: 0ms, failures-limit: 100000}")
        p2 = st.add_http("dflt", "{delay: 100ms, max-delay: 100ms, failures-limit: 100000}")
        st_fast, st_fast_said = crash_to_available(st, "fast", p1, args.kills, st.available)
        st_dflt, st_dflt_said = crash_to_available(st, "dflt", p2, args.kills, st.available)
    finally:
        st.stop()
    port = free_port()
    sv = Supervisord(tmp, "[program:tiny]\ncommand=%s %s %d\nautorestart=true\nstartsecs=0\nstartretries=100000\n" % (PYTHON, TINY, port))
    try:
        wait_until(lambda: answers(port), 30)
        sv_times, _ = crash_to_available(sv, "tiny", port, args.kills, None)
    finally:
        sv.stop()
    out.append("")
    out.append("crash to available, ms over %d SIGKILLs of a small HTTP service (port answers again):" % args.kills)
    out.append("| supervisor | median | p99 | max |")
    out.append("|---|---|---|---|")
    out.append(row("steward, restart delay 0 (as supervisord)", st_fast))
    out.append(row("steward, restart delay 0, until it reports available", st_fast_said))
    out.append(row("steward, restart delay 100ms (the default first delay)", st_dflt))
    out.append(row("supervisord 4 (autorestart, startsecs=0)", sv_times))

    # (b), (c) a thousand sleepers
    n = args.sleepers
    st = Steward(tmp + "/b")
    try:
        t0 = time.monotonic()
        done = st.start_sleepers(n)
        wait_until(done, 300, 0.1)
        st_start = time.monotonic() - t0
        time.sleep(5)
        st_cpu, st_rss = idle(st.pid, args.idle_seconds)
    finally:
        st.stop()
    sv = Supervisord(tmp + "/c", "[program:sleep]\ncommand=sleep 1000000\nprocess_name=%%(program_name)s_%%(process_num)04d\n"
                                  "numprocs=%d\nautostart=false\nstartsecs=0\n" % n)
    try:
        t0 = time.monotonic()
        sv.rpc.supervisor.startAllProcesses(False)
        wait_until(lambda: sum(1 for p in sv.rpc.supervisor.getAllProcessInfo() if p["statename"] == "RUNNING") >= n, 300, 0.1)
        sv_start = time.monotonic() - t0
        time.sleep(5)
        sv_cpu, sv_rss = idle(sv.pid, args.idle_seconds)
    finally:
        sv.stop()
    out.append("")
    out.append("%d sleeping instances (idle CPU over %ds):" % (n, args.idle_seconds))
    out.append("| supervisor | time to start all | RSS | idle CPU |")
    out.append("|---|---|---|---|")
    out.append("| steward | %.2f s | %.0f MB | %.2f %% of a core |" % (st_start, st_rss, st_cpu))
    out.append("| supervisord | %.2f s | %.0f MB | %.2f %% of a core |" % (sv_start, sv_rss, sv_cpu))
    print("\n".join(out))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
