#!/usr/bin/env python3
"""A java worker's cold start, step by step, against a stand-in agent in this process, beside a bare JVM.

The java worker program (steward_function_java) is started as the agent starts it for a function with no
worker (its class path, its options, the ahead-of-time cache the agent makes by a training run of
`--warmup`; `--cache cds` for the class-data archive JDKs before 25 use), given the echo-java example
function, and timed from the spawn to: the worker's connection and handshake, the reply's first chunk, its
choke. With `--steps`, each start also logs its class loading (`-Xlog:class+load` with the JVM's uptime), and
the probe prints when, in the JVM's uptime, the runner's main class was loaded, the function's class, the
first unix socket (sun.nio.ch.UnixDomainSockets), the protocol's first frame and the first virtual thread.
The floor is a JVM started with the same options and an ahead-of-time cache (or archive) of its own,
printing one line.

  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/java_start.py [--samples 20] [--steps] [--opts '-XX:...'] [--cache aot|cds]

(STEWARD_ROOT=DIR takes the worker, its jars and the function from another built tree, to compare two builds.)

Needs a built tree (agent/target/lib, examples/functions/echo-java/function/lib) and python3-msgpack.
"""
import argparse
import glob
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import jdk, machine  # noqa: E402

ROOT = os.environ.get("STEWARD_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # another built tree, to compare
PROGRAM = os.path.join(ROOT, "agent", "src", "main", "resources", "sdk", "java", "steward_function_java")
FUNCTION = os.path.join(ROOT, "examples", "functions", "echo-java", "function")
HANDLER = "dev.steward.examples.fn.Echo"
HANDSHAKE, INVOKE, CHUNK, CHOKE, TERMINATE = 0, 3, 4, 6, 2
MARKS = (("main", "dev.steward.worker.fn.FunctionRunner "), ("function class", HANDLER + " "),
         ("first unix socket", "sun.nio.ch.UnixDomainSockets "), ("first frame", "dev.steward.protocol.FrameWriter "),
         ("first virtual thread", "java.lang.VirtualThread "), ("reply", "dev.steward.worker.Response "))


def class_path():
    lib = os.path.join(ROOT, "agent", "target", "lib")
    jars = []
    for pattern in ("steward-worker-sdk-*.jar", "steward-protocol-*.jar", "msgpack-core-*.jar"):
        found = sorted(glob.glob(os.path.join(lib, pattern)))
        if not found:
            sys.exit("no %s in %s: build the tree first" % (pattern, lib))
        jars.append(found[0])
    return ":".join(jars)


def feature(java):
    out = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
    return int(re.search(r"java\.specification\.version = (\d+)", out).group(1))


def environment(java, cp, opts, cache, cache_file):
    env = dict(os.environ, STEWARD_JAVA=java, STEWARD_JAVA_CP=cp, STEWARD_JAVA_OPTS=opts)
    env["STEWARD_JAVA_AOT" if cache == "aot" else "STEWARD_JAVA_CDS"] = cache_file
    return env


def train(env, cache, cache_file):
    """The agent's training run: the worker's own warm-up, writing the cache (or archive)."""
    out = dict(env)
    out["STEWARD_JAVA_AOT_OUT" if cache == "aot" else "STEWARD_JAVA_CDS_OUT"] = cache_file
    t0 = time.monotonic()
    done = subprocess.run(["/bin/sh", PROGRAM, "--warmup"], env=out, capture_output=True, text=True)
    if done.returncode != 0 or not os.path.isfile(cache_file):
        sys.exit("the training run made no cache (status %d): %s" % (done.returncode, done.stderr[-2000:]))
    return time.monotonic() - t0


def frames(sock, unpacker):
    while True:
        for f in unpacker:
            yield f
        data = sock.recv(65536)
        if not data:
            return
        unpacker.feed(data)


def one_start(env, tmp, i, steps):
    path = os.path.join(tmp, "agent-%d.sock" % i)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    env = dict(env, STEWARD_FUNCTION="echo", STEWARD_FUNCTION_VERSION="1", STEWARD_RUNTIME="java", STEWARD_CALLS="",
               STEWARD_FUNCTIONS="echo\t%s\t\t\t%s\n" % (HANDLER, FUNCTION), STEWARD_SIDES="")
    log = os.path.join(tmp, "classes-%d.log" % i)
    if steps:
        env["STEWARD_JAVA_OPTS"] = env["STEWARD_JAVA_OPTS"] + " -Xlog:class+load=info:file=%s:uptime" % log
    t0 = time.perf_counter()
    p = subprocess.Popen(["/bin/sh", PROGRAM, "--app", "echo", "--endpoint", path, "--uuid", "u%d" % i], env=env, cwd=FUNCTION,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    conn, _ = server.accept()
    t_conn = time.perf_counter()
    got = frames(conn, msgpack.Unpacker(raw=True))
    marks = {"connected": t_conn - t0}
    for message, session, args in got:
        if message == HANDSHAKE:
            marks["handshake"] = time.perf_counter() - t0
            break
    conn.sendall(msgpack.packb([INVOKE, 1, [b"echo\t\t\t0\t"]]) + msgpack.packb([CHUNK, 1, [b"x"]]) + msgpack.packb([CHOKE, 1, []]))
    for message, session, args in got:
        if message == CHUNK and session == 1:
            marks["first chunk"] = time.perf_counter() - t0
        elif message == CHOKE and session == 1:
            marks["choke"] = time.perf_counter() - t0
            break
    conn.sendall(msgpack.packb([TERMINATE, 0, [1, b"done"]]))
    for message, session, args in got:
        if message == TERMINATE:
            break
    conn.close()
    server.close()
    err = p.stderr.read().decode(errors="replace")
    p.wait()
    if "choke" not in marks:
        sys.exit("the worker gave no reply (status %s): %s" % (p.returncode, err[-2000:]))
    if err.strip():
        print("worker %d said: %s" % (i, err.strip()[:500]), file=sys.stderr)
    if steps:
        with open(log) as f:
            text = f.read()
        for name, needle in MARKS:
            m = re.search(r"\[([0-9.]+)s\] " + re.escape(needle), text)
            if m:
                marks["jvm: " + name] = float(m.group(1))
        lines = [line for line in text.splitlines() if " source: " in line]
        marks["classes loaded"] = len(lines)
        marks["of them not from the cache"] = sum(1 for line in lines if "shared objects file" not in line)
    return marks


def floor(java, opts, cache, tmp, samples):
    src = os.path.join(tmp, "Hello.java")
    with open(src, "w") as f:
        f.write("public class Hello { public static void main(String[] a) { System.out.println(\"x\"); } }\n")
    subprocess.run([os.path.join(os.path.dirname(java), "javac"), "-d", tmp, src], check=True)
    jar = os.path.join(tmp, "hello.jar")  # a class cache takes jars only
    subprocess.run([os.path.join(os.path.dirname(java), "jar"), "cf", jar, "-C", tmp, "Hello.class"], check=True)
    flags = [java, "-XX:+UseSerialGC", "-Xss512k", "-XX:-UsePerfData"] + opts.split()
    f = os.path.join(tmp, "hello." + cache)
    if cache == "aot":
        subprocess.run(flags + ["-XX:AOTCacheOutput=" + f, "-cp", jar, "Hello"], check=True, capture_output=True)
        argv = flags + ["-XX:AOTCache=" + f, "-cp", jar, "Hello"]
    else:
        subprocess.run(flags + ["-XX:ArchiveClassesAtExit=" + f, "-cp", jar, "Hello"], check=True, capture_output=True)
        argv = flags + ["-XX:SharedArchiveFile=" + f, "-cp", jar, "Hello"]
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--steps", action="store_true", help="log class loading and print the JVM-side steps")
    p.add_argument("--opts", default="", help="more JVM options, for the training run and the starts")
    p.add_argument("--cache", choices=("aot", "cds"), default=None, help="the JDK's kind by default (aot on 25+)")
    a = p.parse_args()
    java = os.environ.get("STEWARD_JAVA") or jdk()
    cache = a.cache or ("aot" if feature(java) >= 25 else "cds")
    opts = a.opts + (" --sun-misc-unsafe-memory-access=allow" if feature(java) >= 23 else "")
    tmp = tempfile.mkdtemp(prefix="steward-java-start-")
    try:
        cache_file = os.path.join(tmp, "function-runner." + cache)
        env = environment(java, class_path(), opts, cache, cache_file)
        print("# %s; %s; java %d, %s cache; options: %s" % (time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), machine(), feature(java),
                                                            cache, opts.strip() or "(none)"))
        print("# training run: %.0f ms" % (train(env, cache, cache_file) * 1000))
        one_start(env, tmp, 0, False)  # untimed: the page cache
        runs = [one_start(env, tmp, i, a.steps) for i in range(1, a.samples + 1)]
        print("%-34s %10s %10s" % ("step (from the spawn)", "p50 ms", "p90 ms"))
        for key in runs[0]:
            xs = sorted(r[key] for r in runs if key in r)
            scale = 1 if key.startswith("classes") or key.startswith("of them") else 1000
            print("%-34s %10.1f %10.1f" % (key, statistics.median(xs) * scale, xs[int(len(xs) * 0.9) - 1] * scale))
        fl = sorted(floor(java, opts, cache, tmp, a.samples))
        print("%-34s %10.1f %10.1f" % ("floor: a bare JVM printing a line", statistics.median(fl) * 1000, fl[int(len(fl) * 0.9) - 1] * 1000))
    finally:
        if os.environ.get("STEWARD_KEEP"):
            print("# kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
