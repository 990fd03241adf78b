"""Helpers shared by the benchmark scripts: free ports, polling, a bare HTTP probe, wrk, an nginx
upstream run as a service, and a Steward agent of the benchmark's own."""
import atexit
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(port, path="/", timeout=0.2):
    """The status of an HTTP GET to 127.0.0.1:port, or None when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
            head = s.recv(12)
            return int(head[9:12]) if head.startswith(b"HTTP/1.") and head[9:12].isdigit() else None
    except OSError:
        return None


def answers(port, path="/", timeout=0.2):
    """Whether an HTTP GET to 127.0.0.1:port gets a 200."""
    return status(port, path, timeout) == 200


def rss_mb(pid):
    """The resident memory of process pid, in MB (0 when it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pct(xs, q):
    """The q-quantile (0 to 1) of xs, the nearest sample at or below it; 0 for no samples."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0


def wait_until(cond, timeout, step=0.0005):
    """Polls cond until it returns something true, which it returns; TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise TimeoutError("condition not met within %ss" % timeout)


def cpu_seconds(pid):
    """User and system CPU time a process has used so far, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu(group):
    """User and system CPU seconds used so far by the processes of process group `group` (all their threads)."""
    user = system = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:  # fields from the state on: state ppid pgrp ... utime(11) stime(12)
            user += int(fields[11])
            system += int(fields[12])
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def machine():
    """The machine line every benchmark prints: kernel, cores, date, and the load it found."""
    return "machine: Linux %s, %d cores, %s, load average %.1f at the start" % (
        os.uname().release, os.cpu_count(), time.strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0])


def processes_with(marker):
    """Pids of the processes whose command line holds marker (a path of the benchmark's own)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass  # gone meanwhile
    return found


def _cgroups_hidden():
    """A preexec function: the child gets a mount namespace of its own with an empty /sys/fs/cgroup."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newns, ms_rec, ms_private = 0x20000, 0x4000, 1 << 18

    def hide():
        if (libc.unshare(clone_newns) != 0 or libc.mount(b"none", b"/", None, ms_rec | ms_private, None) != 0
                or libc.mount(b"tmpfs", b"/sys/fs/cgroup", b"tmpfs", 0, b"size=64k") != 0):
            raise OSError(ctypes.get_errno(), "cannot hide /sys/fs/cgroup from the agent")
    return hide


class StewardAgent:
    """A Steward agent of the benchmark's own (own data dir, ports chosen by the system), and its API.

    data: the data dir (default TMP/data; a second agent on the same one adopts what the first left).
    ports: (api, gateway, rpc), 0 for a port the system chooses. wait: return once it listens.
    hide_cgroups: run it in a mount namespace where /sys/fs/cgroup is empty, so that at its start it
    does not remove the sandboxes of other agents on the machine (it then offers no sandbox isolate).
    env: extra environment (DOCKER_HOST). host: the address it listens on (a loopback one); args: more options
    (--cluster, --node-name, --advertise, --labels)."""

    def __init__(self, root, tmp, data=None, ports=(0, 0, 0), wait=True, hide_cgroups=False, env=None, host="127.0.0.1",
                 args=(), name="agent"):
        os.makedirs(tmp, exist_ok=True)
        self.data = data or os.path.join(tmp, "data")
        self.api = "http://%s:%d" % (host, ports[0]) if ports[0] else None
        self.gateway = "http://%s:%d" % (host, ports[1]) if ports[1] else None
        self.rpc = (host, ports[2]) if ports[2] else None
        self.listening = threading.Event()
        argv = [os.path.join(root, "steward"), "agent", "--data-dir", self.data, "--api", "%s:%d" % (host, ports[0]),
                "--gateway", "%s:%d" % (host, ports[1]), "--rpc", "%s:%d" % (host, ports[2]),
                # programs run as root, as the peers (supervisord, nginx's master) run them here
                "--default-user", "root", "--allow-root"] + list(args)
        err = open(os.path.join(tmp, name + ".err"), "a")
        environ = dict(os.environ, **(env or {}))
        preexec = _cgroups_hidden() if hide_cgroups else None
        self.started = time.monotonic()  # just before the exec
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True,
                                     env=environ, preexec_fn=preexec)
        self.pid = self.proc.pid  # the launcher execs java: this is the JVM
        threading.Thread(target=self._read, daemon=True).start()
        if wait:
            self.listening.wait(600)
            # the rpc line is the last an agent prints once it listens; its output may close (a JVM that would not
            # start) before poll() sees the exit
            if self.rpc is None or self.proc.poll() is not None:
                if self.proc.poll() is None:
                    self.terminate()
                raise RuntimeError("the agent did not start: see %s" % os.path.join(tmp, name + ".err"))

    def _read(self):
        """Takes the listeners' addresses from the agent's stdout, and drains it for as long as it runs."""
        for line in self.proc.stdout:
            m = re.search(r"(api|gateway) listening on (https?://\S+)", line)
            r = re.search(r"rpc \(locator\) listening on (\S+):(\d+)", line)
            if m and m.group(1) == "api":
                self.api = m.group(2)
            elif m:
                self.gateway = m.group(2)
            elif r:
                self.rpc = (r.group(1), int(r.group(2)))
                self.listening.set()
        self.listening.set()

    def call(self, method, path, body=None):
        import json
        import urllib.request
        data = body if isinstance(body, bytes) or body is None else body.encode()
        headers = {"Authorization": "Bearer " + self.token()}
        if body is not None:
            headers["Content-Type"] = "application/octet-stream" if isinstance(body, bytes) else "application/yaml"
        req = urllib.request.Request(self.api + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    def token(self):
        """The agent's bootstrap admin token, from its data dir."""
        with open(os.path.join(self.data, "admin.token")) as f:
            return f.read().strip()

    def kill(self):
        """SIGKILL to the JVM alone: the instances, in sessions of their own, keep running."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """Stops every service, waits until they have stopped, then stops the agent, whatever happened before."""
        import urllib.error
        try:
            for s in self.call("GET", "/v1/services"):
                try:
                    self.call("POST", "/v1/services/%s/stop" % s["name"])
                except urllib.error.HTTPError:
                    pass  # stopped meanwhile (409)
            # a service with no instance (gone already) has nothing to wait for, nor a ping-only one: nothing of it
            # runs here (and an agent built before 2026-12-06, run with --also, kept showing it available when stopped)
            wait_until(lambda: all(s["state"] in ("stopped", "disabled") or not s.get("instances")
                                   or "ping-only" in s.get("spec", {}) for s in self.call("GET", "/v1/services")), 60, 0.1)
        finally:
            self.terminate()

    def terminate(self):
        """Stops the agent (SIGTERM to its process group) without stopping its services first."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait()

    def route_upstream(self, port, name="up"):
        """Registers `name` as a ping-only service of the upstream at 127.0.0.1:`port` (one that another agent runs),
        so that this agent's gateway reaches it; returns once it is available."""
        self.call("POST", "/v1/services", "name: %s\nping-only: {endpoint: \"http://127.0.0.1:%d\"}\nping: {tcp: true}\n" % (name, port))
        wait_until(lambda: self.call("GET", "/v1/services/" + name)["state"] == "available", 30, 0.05)


def stop_all(processes, agents):
    """Ends a run: each process (None skipped) terminated and waited for, then each agent stopped with its services."""
    for p in processes:
        if p:
            p.terminate()
            p.wait()
    for a in agents:
        a.stop()


def also_agents(specs, tmp):
    """An agent for each 'LABEL|ROOT|JAVA_OPTS' of a script's --also (ROOT: another checkout or a built copy of one,
    empty for this one; JAVA_OPTS added to its JVM's), each in a directory of its own under tmp: [(label, agent)]."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = []
    try:
        for i, spec in enumerate(specs):
            label, root, opts = (spec.split("|") + ["", ""])[:3]
            env = {"STEWARD_JAVA_OPTS": opts} if opts else {}
            if root and root != here:
                env["STEWARD_NO_BUILD"] = "1"
            out.append((label, StewardAgent(root or here, os.path.join(tmp, "also-%d" % i), env=env, name="also-%d" % i)))
    except BaseException:
        for _, a in out:  # one did not start: those that did are not left running
            a.terminate()
        raise
    return out


# A wrk script that only prints, at the end, the latency histogram (each value in microseconds and its count) and
# the run's length and requests: what wrk printed its percentiles from, after its correction for coordinated omission.
SERVED_LUA = """done = function(summary, latency, requests)
  io.write(string.format("steward-run %d %d\\n", summary.duration, summary.requests))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("steward-latency %d %d\\n", value, count))
  end
end
"""


def served_script():
    """SERVED_LUA in a file of this process's, removed when it exits."""
    path = os.path.join(tempfile.gettempdir(), "steward-bench-served-%d.lua" % os.getpid())
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(SERVED_LUA)
        atexit.register(lambda: os.path.exists(path) and os.remove(path))
    return path


def _filled_in(n, interval):
    """Where wrk's correction adds latency n's count: n - e, n - 2e, ... while above e, for n of at least 2e."""
    return range(n - interval, interval, -interval) if interval > 0 and n >= 2 * interval else ()


def corrected(histogram, interval):
    """A latency histogram ({us: count}) as wrk corrects it for coordinated omission before it prints percentiles: for
    every latency n of at least twice the interval e (run time / (requests / connections)), n's count added at n - e,
    n - 2e, ... while above e."""
    out = dict(histogram)
    for n, count in histogram.items():
        for m in _filled_in(n, interval):
            out[m] = out.get(m, 0) + count
    return out


def uncorrected(histogram, interval):
    """wrk's histogram ({us: count}) as the requests had it, `corrected` taken back out: wrk added from the counts as
    recorded, and only below each latency, so from the top down each count less what the values above it added is the
    recorded one."""
    added, out = {}, {}
    for n in sorted(histogram, reverse=True):
        count = histogram[n] - added.get(n, 0)
        out[n] = count
        for m in _filled_in(n, interval):
            added[m] = added.get(m, 0) + count
    return out


def hist_pct(histogram, q):
    """The q-quantile (0 to 1) of a {value: count} histogram."""
    total, acc = sum(histogram.values()), 0
    for v in sorted(histogram):
        acc += histogram[v]
        if acc >= q * total:
            return v
    return 0


def wrk_stats(url, connections, seconds, script=None, served=False):
    """One wrk -t2 run: requests/s, p50, p99 and max in ms, non-2xx responses and socket errors; with served (and no
    script of the caller's) also p99_served, the p99 without wrk's correction, in ms."""
    if served and not script:
        script = served_script()
    extra = ["-s", script] if script else []
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency"] + extra + [url],
                         capture_output=True, text=True, check=True).stdout

    def ms(value, unit):
        return float(value) / 1000 if unit == "us" else float(value) * 1000 if unit == "s" else float(value)
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for q in ("50", "99"):
        r["p" + q] = ms(*re.search(r"\s%s(?:\.000)?%%\s+([\d.]+)(us|ms|s)" % q, out).groups())
    r["max"] = ms(*re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", out).groups())
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(errors.group(1)) if errors else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(int(x) for x in sock.groups()) if sock else 0
    run = re.search(r"^steward-run (\d+) (\d+)$", out, re.M)
    if run:
        duration, requests = int(run.group(1)), int(run.group(2))
        hist = {int(v): int(c) for v, c in re.findall(r"^steward-latency (\d+) (\d+)$", out, re.M)}
        interval = duration // (requests // connections) if requests // connections else 0
        # the histogram is the one wrk printed from when its p99 comes out of it again (within wrk's rounding)
        if abs(hist_pct(hist, 0.99) / 1000.0 - r["p99"]) <= 0.01 * r["p99"] + 0.005:
            raw = uncorrected(hist, interval)
            r["p99_served"] = hist_pct(raw, 0.99) / 1000.0
    return r


def wrk(url, connections, seconds, script=None):
    """One wrk -t2 run: requests/s, p50 ms, p99 ms, non-2xx responses."""
    r = wrk_stats(url, connections, seconds, script)
    return r["rps"], r["p50"], r["p99"], r["non2xx"]


def paced_script(tmp, delay_ms):
    """A wrk script in which each connection waits delay_ms between its requests (wrk's delay hook)."""
    path = os.path.join(tmp, "paced-%d.lua" % delay_ms)
    with open(path, "w") as f:
        f.write("function delay()\n  return %d\nend\n" % delay_ms)
    return path


UPSTREAM = """
worker_processes 1;
pid %(dir)s/up-PORT.pid;
error_log %(dir)s/up-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen HOST:PORT; location / { return 200 "ok"; } }
}
"""


def add_nginx_upstream(agent, tmp, name="up"):
    """Registers a service of nginx answering a fixed 200 on its $PORT; returns that port once available."""
    with open(os.path.join(tmp, "up.tmpl"), "w") as f:
        f.write(UPSTREAM % {"dir": tmp})
    agent.call("POST", "/v1/services", "name: %s\ndir: %s\nping: {tcp: true}\n"
               "command: [/bin/sh, -c, 'sed \"s/PORT/$PORT/g; s/HOST/$STEWARD_HOST/g\" up.tmpl > up-$PORT.conf && exec nginx -p %s -c %s/up-$PORT.conf -g \"daemon off;\"']\n"
               % (name, tmp, tmp, tmp))

    def available():
        v = agent.call("GET", "/v1/services/" + name)
        return v if v["state"] == "available" else None
    return wait_until(available, 30)["instances"][0]["port"]


def jdk():
    """The JDK 21+ the launcher found (it builds first when needed)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([os.path.join(root, "steward"), "--version"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(root, "cli", "target", ".jdk")) as f:
        return os.path.join(f.read().split()[0], "bin", "java")
