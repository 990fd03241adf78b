#!/usr/bin/env python3
"""Dynamic services (issue 14): open-to-first-response of a two-part process service (a web part that asks a
helper part over localhost) beside the parts' own start time in the same run (the same two programs started
directly, the helper first, until the web part answers), then opens and closes in a row, checking after them
that nothing is left behind: network namespaces, veths, cgroups, mounts, processes, listening ports, instance
folders.

Run from the repository root, as root (namespaces):  /usr/bin/python3 bench/dynamic.py [--rounds 10] [--churn 100]
Needs python3 and a built ./steward.
"""
import argparse
import json
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
from benchlib import StewardAgent, free_port, processes_with  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HELPER = """
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"helper here"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["HELPER_PORT"])), H).serve_forever()
"""

WEB = """
import http.server, os, urllib.request
helper = "http://127.0.0.1:%s/" % os.environ["HELPER_PORT"]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"web sees: " + urllib.request.urlopen(helper, timeout=5).read()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
"""


def get(url, host=None, token=None, timeout=2.0):
    """The status of GET url (0 when nothing answered)."""
    req = urllib.request.Request(url, headers={k: v for k, v in (("Host", host), ("Authorization", token and "Bearer " + token)) if v})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def until_200(url, host=None, token=None, limit=60.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if get(url, host, token) == 200:
            return True
        time.sleep(0.002)
    return False


def listening(port, host="127.0.0.1"):
    with socket.socket() as s:
        s.settimeout(0.05)
        return s.connect_ex((host, port)) == 0


def direct(tmp):
    """The parts' own start: the helper started and taking connections, then the web part answering, in ms."""
    hp, wp = free_port(), free_port()
    env = dict(os.environ, HELPER_PORT=str(hp), PORT=str(wp))
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, os.path.join(tmp, "helper.py")], env=env)]
    try:
        while not listening(hp):
            time.sleep(0.001)
        procs.append(subprocess.Popen([sys.executable, os.path.join(tmp, "web.py")], env=env))
        if not until_200("http://127.0.0.1:%d/" % wp):
            raise RuntimeError("the web part did not answer when started directly")
        return (time.monotonic() - t0) * 1000
    finally:
        for p in procs:
            p.kill()
            p.wait()


def opened(agent):
    """Opens an instance (the answer comes once it is running) and waits for its first answer through the gateway."""
    t0 = time.monotonic()
    v = agent.call("POST", "/v1/services/pair/open")
    if v.get("state") != "running":
        raise RuntimeError("open failed: %s" % json.dumps(v))
    answered = time.monotonic()
    host = "%s.services.localhost" % v["uuid"]
    if not until_200(agent.gateway.rstrip("/") + "/", host, agent.token()):
        raise RuntimeError("no answer from %s" % v["uuid"])
    return v["uuid"], (answered - t0) * 1000, (time.monotonic() - t0) * 1000


def leftovers(agent, scope, uuids, marker):
    """What the instances in uuids left on the machine (empty: nothing); marker: the folder of the parts' programs."""
    left = []
    ns = [n for n in (os.listdir("/run/netns") if os.path.isdir("/run/netns") else []) if n.startswith("steward-%s-" % scope)]
    left += ["namespace " + n for n in ns]
    left += ["veth stw" + u.replace("-", "")[:12] for u in uuids if os.path.exists("/sys/class/net/stw" + u.replace("-", "")[:12])]
    for base in ("/sys/fs/cgroup/steward/%s/pair" % scope, "/sys/fs/cgroup/memory/steward/%s/pair" % scope):
        if os.path.isdir(base):
            left += ["cgroup %s/%s" % (base, d) for d in os.listdir(base) if any(d.startswith(u) for u in uuids)]
    with open("/proc/self/mountinfo") as f:
        left += ["mount " + line.split()[4] for line in f if agent.data in line or ("steward-%s-" % scope) in line]
    left += ["process %d" % pid for prog in ("web.py", "helper.py") for pid in processes_with(os.path.join(marker, prog))]
    folder = os.path.join(agent.data, "dynamic")
    left += ["folder " + os.path.join(folder, d) for d in (os.listdir(folder) if os.path.isdir(folder) else [])]
    out = subprocess.run(["ip", "route", "show", "10.213.0.0/16"], capture_output=True, text=True).stdout
    left += ["route " + r for r in out.splitlines() if any(("stw" + u.replace("-", "")[:12]) in r for u in uuids)]
    return left


def ms(xs):
    return "%.0f / %.0f" % (statistics.median(xs), max(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10, help="opens measured (and direct starts beside them)")
    ap.add_argument("--churn", type=int, default=100, help="opens and closes in a row, then the check")
    args = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("nsenter"):
        sys.exit("dynamic services need root and nsenter")
    tmp = tempfile.mkdtemp(prefix="steward-dynamic-bench-")
    for name, text in (("helper.py", HELPER), ("web.py", WEB)):
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    agent = StewardAgent(ROOT, tmp)
    try:
        agent.call("POST", "/v1/services", """
name: pair
parts:
  web: {command: [%s, %s/web.py], needs: [helper], env: {HELPER_PORT: "9000"}}
  helper: {command: [%s, %s/helper.py], port: 9000, env: {HELPER_PORT: "9000"}, ping: {tcp: true, interval: 10ms}}
entrypoint: web:8080
""" % (sys.executable, tmp, sys.executable, tmp))
        with open(os.path.join(agent.data, "node.id")) as f:
            scope = f.read().strip()
        own, answer, first = [], [], []
        for _ in range(args.rounds):
            own.append(direct(tmp))
            uuid, a, t = opened(agent)
            answer.append(a)
            first.append(t)
            agent.call("POST", "/v1/dynamic/%s/close" % uuid)
        print("Two python3 process parts (web asks helper over localhost); %d rounds; median / max ms" % args.rounds)
        print()
        print("| | ms |")
        print("|---|---|")
        print("| the parts started directly, until the web part answers | %s |" % ms(own))
        print("| open answered (running) | %s |" % ms(answer))
        print("| open to first response through the gateway | %s |" % ms(first))
        print("| over the parts' own start (medians) | %.0f |" % (statistics.median(first) - statistics.median(own)))
        print()
        # the check sees an open instance (else "nothing" below would prove nothing)
        probe = agent.call("POST", "/v1/services/pair/open")["uuid"]
        seen = leftovers(agent, scope, [probe], tmp)
        agent.call("POST", "/v1/dynamic/%s/close" % probe)
        kinds = {x.split()[0] for x in seen}
        if not {"namespace", "veth", "process", "folder"} <= kinds:
            sys.exit("the leftover check does not see an open instance: it saw %s" % seen)
        uuids = []
        t0 = time.monotonic()
        for _ in range(args.churn):
            v = agent.call("POST", "/v1/services/pair/open")
            uuids.append(v["uuid"])
            agent.call("POST", "/v1/dynamic/%s/close" % v["uuid"])
        took = time.monotonic() - t0
        left = leftovers(agent, scope, uuids, tmp)
        print("%d opens and closes in a row: %.1f s; left behind: %s" % (args.churn, took, "nothing" if not left else ", ".join(left[:20])))
        if left:
            sys.exit(1)
    finally:
        agent.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
