#!/usr/bin/env python3
"""Dynamic services (issue 14): open-to-first-response of a two-part process service (a web part that asks a
helper part over localhost) beside the parts' own start time in the same run (the same two programs started
directly, the helper first, until the web part answers); the same with the helper a container part (busybox's
httpd through Podman's Docker API, beside the same container started directly through it); then opens and closes
in a row, checking after them, and again after the agent's stop, that nothing is left behind: network namespaces
(spares made ahead too), veths, cgroups, mounts, processes, routes, instance folders, containers.

Run from the repository root, as root (namespaces):  /usr/bin/python3 bench/dynamic.py [--rounds 10] [--churn 100]
Needs python3 and a built ./steward; podman, runc and busybox-static for the container part (else it is left out,
saying why; --no-containers leaves it out).
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
from churn import IMAGE, Podman, podman_problem  # noqa: E402

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


SETTLE = 0.3  # s of quiet before each measured start (the agent makes its spare namespaces after an open)


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
    """The parts' own start: the helper started and taking connections, then the web part answering; both in ms."""
    hp, wp = free_port(), free_port()
    env = dict(os.environ, HELPER_PORT=str(hp), PORT=str(wp))
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, os.path.join(tmp, "helper.py")], env=env)]
    try:
        while not listening(hp):
            time.sleep(0.001)
        helper = (time.monotonic() - t0) * 1000
        procs.append(subprocess.Popen([sys.executable, os.path.join(tmp, "web.py")], env=env))
        if not until_200("http://127.0.0.1:%d/" % wp):
            raise RuntimeError("the web part did not answer when started directly")
        return helper, (time.monotonic() - t0) * 1000
    finally:
        for p in procs:
            p.kill()
            p.wait()


def opened(agent, service="pair"):
    """Opens an instance (the answer comes once it is running) and waits for its first answer through the gateway."""
    wall, t0 = time.time(), time.monotonic()
    v = agent.call("POST", "/v1/services/%s/open" % service)
    if v.get("state") != "running":
        raise RuntimeError("open failed: %s" % json.dumps(v))
    answered = time.monotonic()
    host = "%s.services.localhost" % v["uuid"]
    if not until_200(agent.gateway.rstrip("/") + "/", host, agent.token()):
        raise RuntimeError("no answer from %s" % v["uuid"])
    opened.began = wall  # for the timeline: the bench's clock and the events' are the machine's
    return v["uuid"], (answered - t0) * 1000, (time.monotonic() - t0) * 1000


def steps(agent, uuid, began, answered):
    """The open's steps of instance uuid from the agent's kept events: {step: ms}, and between them (each event's time is
    when its step ended, its millis how long it took) the time outside any step: "before the first step" (from the
    bench's request; of which until its first state event, as the agent made the instance), "between steps" (summed)
    and "after route, until the answer" (the open's answer received);
    began and answered: the bench's wall clock at its request and at the answer."""
    req = urllib.request.Request(agent.api + "/v1/events?follow=false&instance=" + uuid, headers={"Authorization": "Bearer " + agent.token()})
    out, spans, made = {}, [], None
    with urllib.request.urlopen(req, timeout=60) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("data: "):
                e = json.loads(line[6:])
                if e.get("type") == "dynamic" and made is None:  # its first state, published as the instance is made
                    made = epoch(e["at"]) * 1000
                if e.get("type") == "step" and e.get("ok"):
                    out[e["step"]] = out.get(e["step"], 0) + e["millis"]
                    end = epoch(e["at"]) * 1000
                    spans.append((end - e["millis"], end, e["step"]))
    spans = sorted(s for s in spans if s[1] <= answered * 1000 + 5)  # the open's, not the close's
    if spans:
        out["(before the first step)"] = spans[0][0] - began * 1000
        if made is not None:
            out["(of which: the request until the instance is made)"] = made - began * 1000
        out["(between steps)"] = sum(max(0.0, b[0] - a[1]) for a, b in zip(spans, spans[1:]))
        out["(after route, until the answer)"] = answered * 1000 - spans[-1][1]
    return out


def epoch(at):
    """Seconds since the epoch of an RFC 3339 UTC time with up to nanoseconds ("2026-12-04T21:40:48.123456Z")."""
    import calendar
    day, _, rest = at.rstrip("Z").partition("T")
    hms, _, frac = rest.partition(".")
    return calendar.timegm(time.strptime(day + "T" + hms, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


# the helper as a container part: busybox's httpd (the image the tests import) on the instance's localhost
BOX = "trap 'exit 0' TERM; mkdir -p /tmp/www && echo -n helper here > /tmp/www/index.html && httpd -f -p 127.0.0.1:%s -h /tmp/www & wait"


def direct_container(tmp, podman):
    """The parts' own start with the helper a container: created and started through the engine (host network) until it
    takes connections, then the web part until it answers; both in ms."""
    hp, wp = free_port(), free_port()
    env = dict(os.environ, HELPER_PORT=str(hp), PORT=str(wp))
    t0 = time.monotonic()
    status, made = podman.api("POST", "/containers/create", {"Image": IMAGE, "Cmd": ["sh", "-c", BOX % hp], "HostConfig": {"NetworkMode": "host"}})
    if status != 201:
        raise RuntimeError("the engine did not create the container: %s %s" % (status, made))
    web = None
    try:
        podman.api("POST", "/containers/%s/start" % made["Id"])
        while not listening(hp):
            time.sleep(0.001)
        helper = (time.monotonic() - t0) * 1000
        web = subprocess.Popen([sys.executable, os.path.join(tmp, "web.py")], env=env)
        if not until_200("http://127.0.0.1:%d/" % wp):
            raise RuntimeError("the web part did not answer when started directly")
        return helper, (time.monotonic() - t0) * 1000
    finally:
        if web:
            web.kill()
            web.wait()
        podman.api("DELETE", "/containers/%s?force=true" % made["Id"])


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


def spare_namespaces(scope):
    """The namespaces the agent made ahead of the opens (stwspare-SCOPE-UUID)."""
    return [n for n in (os.listdir("/run/netns") if os.path.isdir("/run/netns") else []) if n.startswith("stwspare-%s-" % scope)]


def ms(xs):
    return "%.0f / %.0f" % (statistics.median(xs), max(xs))


def measure(agent, service, start_directly, rounds):
    """rounds of (the parts started directly, an open of service) in turn, after one of each unmeasured (the agent's
    first open loads its classes); prints the table and the open's steps."""
    start_directly()
    agent.call("POST", "/v1/dynamic/%s/close" % opened(agent, service)[0])
    own, helper, answer, first, took = [], [], [], [], {}
    for _ in range(rounds):
        time.sleep(SETTLE)
        h, o = start_directly()
        helper.append(h)
        own.append(o)
        time.sleep(SETTLE)
        uuid, a, t = opened(agent, service)
        answer.append(a)
        first.append(t)
        for step, millis in steps(agent, uuid, opened.began, opened.began + a / 1000).items():
            took.setdefault(step, []).append(millis)
        agent.call("POST", "/v1/dynamic/%s/close" % uuid)
    print("| the helper started directly, until it takes connections | %s |" % ms(helper))
    print("| the parts started directly, until the web part answers | %s |" % ms(own))
    print("| open answered (running) | %s |" % ms(answer))
    print("| open to first response through the gateway | %s |" % ms(first))
    print("| **over the parts' own start (medians)** | **%.0f** |" % (statistics.median(first) - statistics.median(own)))
    print()
    print("The open's steps (from its events; in brackets the time outside them, from the events' times and the bench's"
          " clock), median / max ms:")
    print()
    for step, xs in took.items():
        if len(xs) == rounds:
            print("| %s | %s |" % (step, ms(xs)))
    print("| (open answered, until the first response through the gateway) | %s |" % ms([f - a for f, a in zip(first, answer)]))
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10, help="opens measured (and direct starts beside them)")
    ap.add_argument("--churn", type=int, default=100, help="opens and closes in a row, then the check")
    ap.add_argument("--no-containers", action="store_true", help="leave out the service with a container part")
    ap.add_argument("--no-sandbox", action="store_true",
                    help="an agent that sees no cgroups: the parts run as plain processes, not in the sandbox (to see its share)")
    ap.add_argument("--cpu-shares", choices=("agent", "one-group"), default="agent",
                    help="cgroup v1: the agent's way (a part without a CPU limit in no cpu group of Steward's), or as before: "
                         "every part in a cpu group under steward/, which competes as one process beside all others (to compare)")
    ap.add_argument("--root", default=ROOT,
                    help="the checkout whose built ./steward runs (default: this one), to compare a build before a change with one after")
    args = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("nsenter"):
        sys.exit("dynamic services need root and nsenter")
    tmp = tempfile.mkdtemp(prefix="steward-dynamic-bench-")
    for name, text in (("helper.py", HELPER), ("web.py", WEB)):
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    why = "--no-containers" if args.no_containers else podman_problem()
    podman = None if why else Podman(os.path.join(tmp, "podman"), applets=("sh", "mkdir", "echo", "httpd", "sleep", "true"))
    env = {"STEWARD_JAVA_OPTS": (os.environ.get("STEWARD_JAVA_OPTS", "") + " -Dsteward.cgroup.cpu-shares=" + args.cpu_shares).strip()}
    if podman:
        env["DOCKER_HOST"] = "unix://" + podman.sock
    agent = StewardAgent(os.path.abspath(args.root), tmp, env=env, hide_cgroups=args.no_sandbox)
    stopped = False
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
        print("Two python3 process parts (web asks helper over localhost)%s; %d rounds; median / max ms; load average %s; %s"
              % (", plain processes (no sandbox, no cgroup)" if args.no_sandbox else ", cpu shares " + args.cpu_shares,
                 args.rounds, open("/proc/loadavg").read().split()[0], os.path.abspath(args.root)))
        print()
        print("| | ms |")
        print("|---|---|")
        measure(agent, "pair", lambda: direct(tmp), args.rounds)
        if podman:
            agent.call("POST", "/v1/services", """
name: boxed
parts:
  web: {command: [%s, %s/web.py], needs: [helper], env: {HELPER_PORT: "9000"}}
  helper: {image: "%s", command: [sh, -c, "%s"], port: 9000, ping: {tcp: true, interval: 10ms}}
entrypoint: web:8080
""" % (sys.executable, tmp, IMAGE, BOX % 9000))
            print("The helper a container part (busybox httpd, Podman %s through its Docker API), the web part a python3 "
                  "process; %d rounds; median / max ms" % (podman_version(), args.rounds))
            print()
            print("| | ms |")
            print("|---|---|")
            measure(agent, "boxed", lambda: direct_container(tmp, podman), args.rounds)
            left = [c["Names"][0] for c in podman.containers() if scope in c["Names"][0]]
            print("containers left after the opens and closes: %s" % ("none" if not left else ", ".join(left)))
            print()
        else:
            print("(no container part: %s)" % why)
            print()
        # the check sees an open instance (else "nothing" below would prove nothing)
        probe = agent.call("POST", "/v1/services/pair/open")["uuid"]
        helper = processes_with(os.path.join(tmp, "helper.py"))
        if helper and os.path.isdir("/sys/fs/cgroup/cpu/steward"):
            def cpu_group(pid):
                return [l.split(":", 2)[2].strip() for l in open("/proc/%s/cgroup" % pid) if l.split(":")[1] in ("cpu", "cpu,cpuacct")][0]
            print("with one instance open: its helper part in the cpu group %s; the direct starts in %s; steward/ cpu.shares %s"
                  % (cpu_group(helper[0]), cpu_group("self"), open("/sys/fs/cgroup/cpu/steward/cpu.shares").read().strip()))
            print()
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
        spares = spare_namespaces(scope)
        print("spare namespaces made ahead while the agent runs: %d" % len(spares))
        agent.stop()
        stopped = True
        left += leftovers(agent, scope, uuids, tmp) + ["spare " + n for n in spare_namespaces(scope)]
        left += ["veth of spare " + n for n in spares if os.path.exists("/sys/class/net/stw" + n[-36:].replace("-", "")[:12])]
        print("after the agent's stop, left behind: %s" % ("nothing" if not left else ", ".join(left[:20])))
        if left:
            sys.exit(1)
    finally:
        if not stopped:
            agent.stop()
        if podman:
            podman.close()
        shutil.rmtree(tmp, ignore_errors=True)


def podman_version():
    out = subprocess.run(["podman", "--version"], capture_output=True, text=True).stdout.split()
    return out[-1] if out else "?"


if __name__ == "__main__":
    main()
