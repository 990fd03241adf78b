#!/usr/bin/env python3
"""One kind of function-to-function hop, timed over and over on an agent of a tree, for looking at it from outside
(perf sched, strace) while it runs.

  STEWARD_NO_BUILD=1 /usr/bin/python3 bench/hop_loop.py ROOT RUNTIME KIND SECONDS [PERF-FILE]

ROOT: the tree whose ./steward agent runs (this one, or a copy of another commit built apart); RUNTIME: the caller's
(python, node, java); KIND: as in bench/functions.py (same, beside, besidejava, other, plain). The caller's handler
times 1,000 calls at a time, again and again for SECONDS; the p50 of each thousand is printed. With PERF-FILE,
`perf sched record -a` runs for one second a second after the start (perf sched timehist -s -i PERF-FILE: each
thread's switches and run time; the caller's worker is a steward_function_main process, the process beside its child).
Run as root.
"""
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    root, rt, kind, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    perf = sys.argv[5] if len(sys.argv) > 5 else None
    spec = importlib.util.spec_from_file_location("fnbench", os.path.join(root, "bench", "functions.py"))
    fb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fb)
    tmp = tempfile.mkdtemp(prefix="steward-bench-hop-")
    fb.add_java(tmp)
    agent = fb.StewardAgent(root, os.path.join(tmp, "a"), args=["--fn-pool", "python=0,node=0,java=0"])
    try:
        http = fb.Http(agent.gateway)
        caller, beside, _ = fb.hop_functions(rt)
        calls = "calls: {hsame: same-worker, hother: other-worker, hbeside: same-worker, hjava: same-worker}\n"
        for name, files in (("hsame", fb.HANDLERS[rt][0]), ("hother", fb.HANDLERS[rt][0]), ("hbeside", fb.HANDLERS[beside][0]),
                            ("hjava", fb.HANDLERS["java"][0])):
            agent.call("PUT", "/v1/functions/" + name, fb.tar(files))
        fb.java_cache_made(agent, "hjava")
        agent.call("PUT", "/v1/functions/hop", fb.tar(caller, calls))
        http.body("hop", b"%s 2000" % kind.encode())  # warming up
        start = time.monotonic()
        meds, rec = [], None
        while time.monotonic() < start + seconds:
            if perf and rec is None and time.monotonic() > start + 1:
                rec = subprocess.Popen(["perf", "sched", "record", "-o", perf, "-a", "--", "sleep", "1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            meds.append(statistics.median(float(x) for x in http.body("hop", b"%s 1000" % kind.encode()).split(b",")))
        if rec:
            rec.wait()
        print("%s %s, p50 µs of each 1,000 calls: %s; their median %.1f" % (rt, kind, " ".join("%.0f" % m for m in meds), statistics.median(meds)))
        print("load average at the end: %s" % open("/proc/loadavg").read().strip())
    finally:
        agent.stop()


if __name__ == "__main__":
    main()
