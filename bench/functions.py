#!/usr/bin/env python3
"""Function invoke benchmark: per runtime, cold, paused and warm invoke latency beside the floors measured in
the same run.

  cold          no worker and an empty pool (--fn-pool 0): the runtime's process spawned, the function loaded
  paused        the function's own worker, paused after keep-warm (cgroup freezer), thawed for the call: on the
                freshly started agent (its invoke path still interpreted), and again after it has served
                --warm-calls warm calls of another function (the path compiled)
  pool          a paused generic worker of the runtime's pool, thawed and told to load the function
  warm          the function's worker warm: sequential calls, over the RPC port (TCP) and the gateway (HTTP),
                by the Java client of bench/apps.py (AppBench)
  floor: exec   a bare fork+exec of the runtime running the same handler once (python3 -c / node -e / sh /
                java with the SDK on its class path, the java worker's flags and an ahead-of-time cache of its own
                on JDK 25+, made by an untimed run first; a class-data archive before 25)
  floor: thaw   a bare cgroup v1 freezer thaw of a process blocked on a pipe, to its first byte back
  hop           inside a workflow, per caller runtime (python, node, java): a handler times its own
                steward.invoke of an echo callee, same-worker (in its process), same-worker of another
                runtime (python: node's, node: python's, java: python's, in the second runtime process beside
                the caller; python and node also a java callee, in the JVM beside them) and
                other-worker (through the agent's call socket to a sibling worker), beside a plain call
                in the handler's language (and, in python, a unix socket round trip to a thread)

Cold, paused and pool are measured to the reply's first byte (the gateway, POST /fn/NAME, on a kept-alive
connection) and to its end; p50 and p99 over --samples calls each.

Run from the repository root as root:  python3 bench/functions.py [--samples 40] [--seconds 3] [--hops 2000] [--only-hops]
  [--runtimes python,node,shell,java] [--warm-calls 3000] [--also-spin 0]
(--also-spin US: the python and node callers' hops beside them are timed in turn with a second caller told
STEWARD_SIDE_SPIN_US=US, how long it looks for its reply before it sleeps; 0 is how they waited before they looked.)
Needs a built tree (./steward agent, worker-sdk/target/classes, bench/target: mvn -o package -DskipTests -pl bench -am),
node, python3-msgpack.
"""
import argparse
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import StewardAgent, jdk, machine, pct, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CP = os.path.join(ROOT, "bench", "target", "classes") + ":" + os.path.join(ROOT, "bench", "target", "lib", "*")
FREEZER = "/sys/fs/cgroup/freezer"
SDK = os.path.join(ROOT, "worker-sdk", "target", "classes")
SDK_JAR = os.path.join(ROOT, "worker-sdk", "target", "steward-worker-sdk-0.1.0-SNAPSHOT.jar")  # class-data sharing takes jars only

JAVA_ECHO = """package bench;
public final class Echo implements dev.steward.worker.fn.Function {
    public byte[] handle(byte[] data, dev.steward.worker.fn.Steward steward) { return data; }
    public static void main(String[] args) throws Exception {
        System.out.write(new Echo().handle("x".getBytes(), null));
        System.out.flush();
    }
}
"""

JAVA_HOP = """package bench;
public final class Hop implements dev.steward.worker.fn.Function {
    static byte[] plain(byte[] data) { return data; }
    public byte[] handle(byte[] data, dev.steward.worker.fn.Steward steward) throws Exception {
        String[] a = new String(data).split(" ");
        int n = Integer.parseInt(a[1]);
        StringBuilder out = new StringBuilder();
        byte[] x = "x".getBytes();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            switch (a[0]) {
                case "plain" -> plain(x);
                case "same" -> steward.invoke("hsame", x);
                case "beside" -> steward.invoke("hbeside", x);
                default -> steward.invoke("hother", x);
            }
            long t = System.nanoTime() - t0;
            if (i > 0) out.append(',');
            out.append(String.format("%.1f", t / 1000.0));
        }
        return out.toString().getBytes();
    }
}
"""


def java_classes(*sources):
    """Java sources (package bench) compiled against the worker SDK, as a function's jar: {bench.jar: its bytes}."""
    d = tempfile.mkdtemp(prefix="steward-bench-javac-")
    try:
        return _compiled(d, sources)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _compiled(d, sources):
    files = []
    for src in sources:
        name = src.split("public final class ")[1].split()[0]
        files.append(os.path.join(d, name + ".java"))
        with open(files[-1], "w") as f:
            f.write(src)
    subprocess.run([os.path.join(os.path.dirname(jdk()), "javac"), "-d", os.path.join(d, "out"), "-cp", SDK, *files], check=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for dirpath, _, names in os.walk(os.path.join(d, "out")):
            for n in names:
                path = os.path.join(dirpath, n)
                z.write(path, os.path.relpath(path, os.path.join(d, "out")))
    return {"bench.jar": buf.getvalue()}

HANDLERS = {
    "python": ({"function.yaml": "runtime: python\nhandler: main.handle\n", "main.py": "def handle(data):\n    return data\n"},
               ["/usr/bin/python3", "-c", "import sys; sys.path.insert(0, '.'); import main; sys.stdout.buffer.write(main.handle(b'x'))"]),
    "node": ({"function.yaml": "runtime: node\nhandler: index.handle\n", "index.js": "exports.handle = (buf) => buf;\n"},
             ["node", "-e", "process.stdout.write(require('./index.js').handle(Buffer.from('x')))"]),
    "shell": ({"function.yaml": "runtime: shell\nhandler: run.sh\n", "run.sh": "cat\n"}, ["/bin/sh", "run.sh"]),
}


def add_java(tmp):
    """The java echo (compiled here) and its floor: a JVM started as the java worker starts (on JDK 25 and later with an
    ahead-of-time cache of its own, made by one untimed run first; before 25 with a class-data archive made by its first run),
    running the handler once."""
    flags = [jdk(), "-XX:+UseSerialGC", "-Xss512k", "-XX:-UsePerfData"]
    if java_feature() >= 25:
        aot = os.path.join(tmp, "floor.aot")
        argv = flags + ["-XX:AOTCache=" + aot, "-cp", "bench.jar:" + SDK_JAR, "bench.Echo"]
        PREPARE["java"] = flags + ["-XX:AOTCacheOutput=" + aot, "-cp", "bench.jar:" + SDK_JAR, "bench.Echo"]
    else:
        cds = os.path.join(tmp, "floor.jsa")
        argv = flags + ["-Xshare:auto", "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + cds, "-cp", "bench.jar:" + SDK_JAR, "bench.Echo"]
    HANDLERS["java"] = (dict({"function.yaml": "runtime: java\nhandler: bench.Echo\n"}, **java_classes(JAVA_ECHO)), argv)


PREPARE = {}  # per runtime: a run made once, untimed, before its floor is timed (java's ahead-of-time cache)


def java_feature():
    """The feature version of the JDK the agent runs on."""
    out = subprocess.run([jdk(), "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
    for line in out.splitlines():
        if line.strip().startswith("java.specification.version"):
            return int(line.split("=")[1].strip().split(".")[0])
    return 0


def tar(files, extra=""):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, text in files.items():
            data = text if isinstance(text, bytes) else (text + extra if name == "function.yaml" else text).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Http:
    """One kept-alive connection to the gateway: POST /fn/NAME, times to the first byte and to the end."""

    def __init__(self, url):
        host, port = url.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def post(self, name, data=b"x"):
        t0 = time.perf_counter_ns()
        self.sock.sendall(b"POST /fn/%s HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n%s" % (name.encode(), len(data), data))
        got = self.sock.recv(65536)
        first = time.perf_counter_ns() - t0
        while not got.endswith(b"\r\n0\r\n\r\n"):
            more = self.sock.recv(65536)
            if not more:
                raise RuntimeError("closed: %r" % got)
            got += more
        if not got.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(got.decode(errors="replace"))
        return first / 1000, (time.perf_counter_ns() - t0) / 1000

    def body(self, name, data):
        """The whole reply's body (chunked) of POST /fn/NAME."""
        self.sock.sendall(b"POST /fn/%s HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n%s" % (name.encode(), len(data), data))
        got = b""
        while not got.endswith(b"\r\n0\r\n\r\n"):
            more = self.sock.recv(65536)
            if not more:
                raise RuntimeError("closed: %r" % got)
            got += more
        head, _, rest = got.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(got.decode(errors="replace"))
        body = b""
        while True:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                return body
            body, rest = body + rest[:n], rest[n + 2:]


def info(agent, name):
    return agent.call("GET", "/v1/functions/" + name)


def worker_state(agent, name):
    w = info(agent, name).get("running", {}).get("workers", [])
    return w[0]["state"] if len(w) == 1 else None


def measure_cold(agent, http, runtime, samples):
    files, _ = HANDLERS[runtime]
    out = []
    for i in range(samples):
        agent.call("PUT", "/v1/functions/c" + runtime, tar(files, "env: {N: '%d'}\n" % i))  # a new version: no worker
        java_cache_made(agent, "c" + runtime)
        out.append(http.post("c" + runtime))
    return out


def java_cache_made(agent, name):
    """Waits until the java workers' ahead-of-time cache is made (once per JDK and build, when the first java function comes)."""
    cache = info(agent, name).get("java-cache")
    if cache is not None and not cache["ready"]:
        wait_until(lambda: info(agent, name)["java-cache"]["ready"] or info(agent, name)["java-cache"].get("last-error"), 300, 0.05)
        cache = info(agent, name)["java-cache"]
        if not cache["ready"]:
            sys.exit("the java workers' ahead-of-time cache was not made: %s" % cache.get("last-error"))


def measure_paused(agent, http, runtime, samples):
    files, _ = HANDLERS[runtime]
    agent.call("PUT", "/v1/functions/p" + runtime, tar(files, "keep-warm: 5ms\n"))
    http.post("p" + runtime)
    return measure_paused_again(agent, http, runtime, samples)


def measure_paused_again(agent, http, runtime, samples):
    """Paused calls of the function measure_paused added (its worker paused again between calls), on the agent as it is now."""
    out = []
    for _ in range(samples):
        wait_until(lambda: worker_state(agent, "p" + runtime) == "paused", 30, 0.005)
        out.append(http.post("p" + runtime))
    return out


def serve_warm_calls(agent, http, runtime, calls):
    """calls warm invokes of another function (an echo kept warm), through the gateway: the agent's invoke path compiled."""
    files, _ = HANDLERS[runtime]
    agent.call("PUT", "/v1/functions/w" + runtime, tar(files))
    java_cache_made(agent, "w" + runtime)
    for _ in range(calls):
        http.post("w" + runtime)
    agent.call("DELETE", "/v1/functions/w" + runtime)


def measure_pool(agent, http, runtime, samples):
    files, _ = HANDLERS[runtime]
    out = []
    for i in range(samples):
        agent.call("PUT", "/v1/functions/g" + runtime, tar(files, "env: {N: '%d'}\n" % i))
        wait_until(lambda: info(agent, "g" + runtime).get("pool", 0) >= 1, 30, 0.005)
        out.append(http.post("g" + runtime))
    s = info(agent, "g" + runtime)["starts"]
    return out, s


def warm(java, agent, name, seconds):
    host, port = agent.rpc
    gw = agent.gateway.split("//")[1].split(":")
    res = {}
    for mode, args in (("tcp", [host, str(port), name]), ("http", [gw[0], gw[1], "fn"])):
        done = subprocess.run([java, "-XX:+UseSerialGC", "-Dseconds=%s" % seconds, "-Dconnections=1", "-Dinflight=1", "-cp", CP,
                               "dev.steward.bench.AppBench", "tcp" if mode == "tcp" else "gateway", *args], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit("AppBench %s failed: %s" % (mode, done.stderr[-2000:]))
        out = done.stdout
        fields = dict(kv.split("=") for kv in out.split()[1:])
        res[mode] = (float(fields["p50_us"]), float(fields["p99_us"]))
    return res


def floor_exec(runtime, samples, tmp):
    files, argv = HANDLERS[runtime]
    d = os.path.join(tmp, "floor-" + runtime)
    os.makedirs(d, exist_ok=True)
    for n, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(d, n)), exist_ok=True)
        with open(os.path.join(d, n), "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
    if runtime in PREPARE:
        subprocess.run(PREPARE[runtime], cwd=d, input=b"x", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    out = []
    for _ in range(samples):
        t0 = time.perf_counter_ns()
        subprocess.run(argv, cwd=d, input=b"x", stdout=subprocess.PIPE, check=True)
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def floor_thaw(samples):
    """A process blocked reading a pipe, in a freezer cgroup of its own: frozen, then thawed and sent a byte; to its echo."""
    if not os.path.isdir(FREEZER):
        return None
    cg = os.path.join(FREEZER, "steward-bench-thaw-%d" % os.getpid())
    os.mkdir(cg)
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    p = subprocess.Popen(["/usr/bin/python3", "-c", "import os\nwhile True:\n    b = os.read(0, 1)\n    if not b: break\n    os.write(1, b)\n"],
                         stdin=r1, stdout=w2)
    os.close(r1)
    os.close(w2)
    try:
        with open(os.path.join(cg, "cgroup.procs"), "w") as f:
            f.write(str(p.pid))
        state = os.path.join(cg, "freezer.state")
        thaw_only, to_byte = [], []
        for _ in range(samples):
            with open(state, "w") as f:
                f.write("FROZEN")
            wait_until(lambda: open(state).read().strip() == "FROZEN", 5, 0.0005)
            t0 = time.perf_counter_ns()
            with open(state, "w") as f:
                f.write("THAWED")
            t1 = time.perf_counter_ns()
            os.write(w1, b"x")
            os.read(r2, 1)
            t2 = time.perf_counter_ns()
            thaw_only.append((t1 - t0) / 1000)
            to_byte.append((t2 - t0) / 1000)
        return thaw_only, to_byte
    finally:
        os.close(w1)
        p.wait()
        os.close(r2)
        os.rmdir(cg)


HOP_CALLER = """import socket, threading, time, steward

def _echo(s):
    while True:
        b = s.recv(65536)
        if not b:
            return
        s.sendall(b)

def _plain(data):
    return data

def handle(data):
    kind, n = data.decode().split()
    out = []
    if kind == "socket":
        a, b = socket.socketpair()
        threading.Thread(target=_echo, args=(b,), daemon=True).start()
    for _ in range(int(n)):
        t0 = time.perf_counter_ns()
        if kind == "same":
            steward.invoke("hsame", b"x")
        elif kind == "beside":
            steward.invoke("hbeside", b"x")
        elif kind == "besidejava":
            steward.invoke("hjava", b"x")
        elif kind == "other":
            steward.invoke("hother", b"x")
        elif kind == "plain":
            _plain(b"x")
        else:
            a.sendall(b"x")
            a.recv(1)
        out.append((time.perf_counter_ns() - t0) / 1000)
    return ",".join("%.1f" % x for x in out)
"""


NODE_HOP = """exports.handle = async (buf, steward) => {
  const [kind, n] = buf.toString().split(' ');
  const callee = { same: 'hsame', beside: 'hbeside', besidejava: 'hjava', other: 'hother' }[kind];
  const plain = (b) => b;
  const x = Buffer.from('x');
  const out = [];
  for (let i = 0; i < Number(n); i++) {
    const t0 = process.hrtime.bigint();
    if (kind === 'plain') plain(x);
    else await steward.invoke(callee, x);
    out.push((Number(process.hrtime.bigint() - t0) / 1000).toFixed(1));
  }
  return out.join(',');
};
"""


def hop_functions(runtime):
    """The hop's caller in runtime, its callees' runtime for same-worker and other-worker, the one beside it (or None), its kinds."""
    if runtime == "python":
        return {"function.yaml": "runtime: python\nhandler: main.handle\n", "main.py": HOP_CALLER}, "node", ("plain", "same", "beside", "besidejava", "socket", "other")
    if runtime == "node":
        return {"function.yaml": "runtime: node\nhandler: index.handle\n", "index.js": NODE_HOP}, "python", ("plain", "same", "beside", "besidejava", "other")
    return dict({"function.yaml": "runtime: java\nhandler: bench.Hop\n"}, **java_classes(JAVA_HOP)), "python", ("plain", "same", "beside", "other")


def measure_hops(agent, http, samples, runtime, also_spin=None, warm_calls=2000):
    """The function-to-function hop inside one invocation of a runtime's caller, timed by the handler itself: µs per call.
    also_spin: a python or node caller's hops beside it are measured again, in turn with the first (4 rounds each), by a
    second caller told STEWARD_SIDE_SPIN_US=also_spin (kinds "beside@spin" and "besidejava@spin")."""
    caller, beside, kinds = hop_functions(runtime)
    calls = "calls: {hsame: same-worker, hother: other-worker%s}\n" % (", hbeside: same-worker, hjava: same-worker" if beside else "")
    agent.call("PUT", "/v1/functions/hsame", tar(HANDLERS[runtime][0]))
    agent.call("PUT", "/v1/functions/hother", tar(HANDLERS[runtime][0]))
    if beside:
        agent.call("PUT", "/v1/functions/hbeside", tar(HANDLERS[beside][0]))
        agent.call("PUT", "/v1/functions/hjava", tar(HANDLERS["java"][0]))
        java_cache_made(agent, "hjava")
    agent.call("PUT", "/v1/functions/hop", tar(caller, calls))
    turns = also_spin is not None and runtime in ("python", "node")
    if turns:
        agent.call("PUT", "/v1/functions/hopspin", tar(caller, calls + "env: {STEWARD_SIDE_SPIN_US: '%d'}\n" % also_spin))
    out = {}
    for kind in kinds:
        if kind == "besidejava":  # the first call to the JVM beside the caller (started with the worker): timed on its own
            t0 = time.perf_counter_ns()
            http.body("hop", b"besidejava 1")
            out["besidejava-first"] = [(time.perf_counter_ns() - t0) / 1000]
        # warming up: the callee's worker started, connections made, and the calls' code compiled by the caller's and the
        # callee's JITs (node's and java's; node's hops settle after about a thousand calls)
        http.body("hop", b"%s %d" % (kind.encode(), warm_calls))
        if turns and kind in ("beside", "besidejava"):
            http.body("hopspin", b"%s %d" % (kind.encode(), warm_calls))
            out[kind], out[kind + "@spin"] = [], []
            for _ in range(4):
                for name, key in (("hop", kind), ("hopspin", kind + "@spin")):
                    got = http.body(name, b"%s %d" % (kind.encode(), max(1, samples // 4)))
                    out[key] += [float(x) for x in got.split(b",")]
            continue
        got = http.body("hop", b"%s %d" % (kind.encode(), samples))
        out[kind] = [float(x) for x in got.split(b",")]
    if turns:
        agent.call("DELETE", "/v1/functions/hopspin")
    for name in ("hop", "hsame", "hother", "hbeside", "hjava"):
        if name not in ("hbeside", "hjava") or beside:
            agent.call("DELETE", "/v1/functions/" + name)
    return beside, out


def row(label, xs, first=True):
    k = 0 if first else 1
    vals = [x[k] if isinstance(x, tuple) else x for x in xs]
    return "| %s | %.0f | %.0f |" % (label, statistics.median(vals), pct(vals, 0.99))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only-warm", action="store_true")
    p.add_argument("--samples", type=int, default=40)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--runtimes", default="python,node,shell,java")
    p.add_argument("--hops", type=int, default=2000, help="calls timed per hop kind (0: no hop measured)")
    p.add_argument("--only-hops", action="store_true")
    p.add_argument("--hop-warm-calls", type=int, default=2000, help="calls of each hop kind made, untimed, before its timed ones")
    p.add_argument("--also-spin", type=int, default=None, metavar="US",
                   help="the python and node callers' hops beside them again, in turn, with STEWARD_SIDE_SPIN_US=US (0: they sleep at once)")
    p.add_argument("--warm-calls", type=int, default=3000,
                   help="warm calls of another function the agent serves before paused calls are measured again (0: not measured)")
    a = p.parse_args()
    java = jdk()
    if not os.path.isdir(os.path.join(ROOT, "bench", "target", "classes")):
        sys.exit("bench/target is missing: build first (mvn -o package -DskipTests -pl bench -am)")
    tmp = tempfile.mkdtemp(prefix="steward-bench-fn-")
    runtimes = a.runtimes.split(",")
    add_java(tmp)
    rows = []
    hops = {}
    if a.only_hops:
        a.only_warm, runtimes = True, []
    thaw = None if a.only_hops else floor_thaw(a.samples * 5)
    cold_agent = None if a.only_warm else StewardAgent(ROOT, os.path.join(tmp, "cold"), args=["--fn-pool", "python=0,node=0,shell=0,java=0"])
    try:
        http = Http(cold_agent.gateway) if cold_agent else None
        for rt in runtimes if cold_agent else []:
            measure_cold(cold_agent, http, rt, 3)  # the first ones make caches (python's .pyc, the agent's classes)
            cold = measure_cold(cold_agent, http, rt, a.samples)
            paused = measure_paused(cold_agent, http, rt, a.samples)
            rows.append((rt, "cold", cold))
            rows.append((rt, "paused (its own worker thawed)", paused))
        if cold_agent and runtimes and a.warm_calls > 0:  # the same paused calls again, once the agent has served warm calls
            serve_warm_calls(cold_agent, http, runtimes[0], a.warm_calls)
            for rt in runtimes:
                rows.append((rt, "paused (its own worker thawed), after the agent served %d warm calls of another function (%s)"
                             % (a.warm_calls, runtimes[0]), measure_paused_again(cold_agent, http, rt, a.samples)))
    finally:
        if cold_agent:
            cold_agent.stop()
    agent = StewardAgent(ROOT, os.path.join(tmp, "pool"), args=["--fn-pool", "python=2,node=2,java=1"])
    try:
        http = Http(agent.gateway)
        for rt in ("python", "node", "java") if a.hops > 0 else ():
            hops[rt] = measure_hops(agent, http, a.hops, rt, a.also_spin, a.hop_warm_calls)
        for rt in runtimes:
            if not a.only_warm:
                pool, starts = measure_pool(agent, http, rt, a.samples)
                rows.append((rt, "paused (a pooled worker thawed, the function loaded; starts %s)" % starts, pool))
            files, _ = HANDLERS[rt]
            agent.call("PUT", "/v1/functions/echo", tar(files))
            warm(java, agent, "echo", 2)  # warming the agent and the client up
            w = warm(java, agent, "echo", a.seconds)
            rows.append((rt, "warm over TCP (RPC port)", [w["tcp"]] * 2, ))
            rows.append((rt, "warm over HTTP (gateway)", [w["http"]] * 2))
            agent.call("DELETE", "/v1/functions/echo")
    finally:
        agent.stop()
    print()
    print("machine: %s" % machine())
    print()
    print("| runtime | start | first byte p50 µs | p99 µs | reply end p50 µs | p99 µs |")
    print("|---|---|---|---|---|---|")
    for rt, label, xs in rows:
        if label.startswith("warm"):
            p50, p99 = xs[0]
            print("| %s | %s | %.0f | %.0f | (AppBench: whole round trip) | |" % (rt, label, p50, p99))
            continue
        firsts = [x[0] for x in xs]
        ends = [x[1] for x in xs]
        print("| %s | %s | %.0f | %.0f | %.0f | %.0f |" % (rt, label, statistics.median(firsts), pct(firsts, 0.99),
                                                           statistics.median(ends), pct(ends, 0.99)))
    for rt, (beside, got) in hops.items():
        labels = {"same": "hop: same-worker invoke", "beside": "hop: same-worker invoke of a %s callee (its process beside)" % beside,
                  "besidejava": "hop: same-worker invoke of a java callee (its JVM beside)",
                  "besidejava-first": "the first same-worker invoke of a java callee (whole request, one sample; its JVM was started with the caller's worker)",
                  "other": "hop: other-worker invoke", "plain": "floor: a plain call in the handler",
                  "socket": "floor: a unix socket round trip to a thread"}
        labels["beside@spin"] = labels["beside"] + ", the caller told STEWARD_SIDE_SPIN_US=%s" % a.also_spin
        labels["besidejava@spin"] = labels["besidejava"] + ", the caller told STEWARD_SIDE_SPIN_US=%s" % a.also_spin
        for kind in ("same", "beside", "beside@spin", "besidejava", "besidejava@spin", "besidejava-first", "plain", "other", "socket"):
            if kind in got:
                print("| %s | %s | | | %.1f | %.1f |" % (rt, labels[kind], statistics.median(got[kind]), pct(got[kind], 0.99)))
    for rt in runtimes:
        f = floor_exec(rt, a.samples, tmp)
        print("| %s | floor: bare fork+exec of the runtime running the handler | | | %.0f | %.0f |" % (rt, statistics.median(f), pct(f, 0.99)))
    if thaw:
        print("| - | floor: bare freezer thaw (write THAWED) | | | %.0f | %.0f |" % (statistics.median(thaw[0]), pct(thaw[0], 0.99)))
        print("| - | floor: bare freezer thaw to the first byte back | %.0f | %.0f | | |" % (statistics.median(thaw[1]), pct(thaw[1], 0.99)))
    print()
    print("%d samples each; warm: sequential calls for %ss on one connection (AppBench); hops: %d calls each, timed in the handler,"
          " after %d untimed" % (a.samples, a.seconds, a.hops, a.hop_warm_calls))


if __name__ == "__main__":
    main()
