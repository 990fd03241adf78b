#!/usr/bin/env python3
"""Gateway benchmark: a small fast upstream (nginx serving a fixed answer, run by Steward as a
service), reached directly, through nginx as a reverse proxy (keep-alive upstream) with one worker
process and with as many as the gateway has event loops, and through Steward's gateway, at fixed
connection counts with wrk, in interleaved rounds. Both proxies keep an access log. With --tls, the
same beside nginx over HTTPS. Then the cold start (the first request to a service at zero, 20
times, beside the program's own start, the program started the same way on both sides; and the very
first one of agents just started), and the fan-in (1,000 simultaneous requests to a program with a
listen backlog of 9, at zero). Each throughput row has the proxy's CPU per request (all its processes
and threads). `--only warmup` shows the gateway from the agent's start, round after round, beside nginx.

Run from the repository root:  /usr/bin/python3 bench/gateway.py [--seconds 5] [--rounds 3] [--connections 16,64]
  [--tls] [--only throughput,cold,fanin,warmup] [--warmup-rounds 12]
  [--also 'LABEL|ROOT|JAVA_OPTS' ...]   more gateways in the same rounds: another build (ROOT, run with
                                        STEWARD_NO_BUILD=1) or other JVM options (STEWARD_JAVA_OPTS)
  [--hide-cgroups]                      the agent without cgroups (its instances plain process groups)
  [--warmup 15] [--warmup-churn]        seconds of load on each target first; with churn in runs of 5 s on new connections
Needs nginx, wrk, busybox and openssl (apt-get install nginx wrk busybox-static openssl) and a built ./steward.
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
from benchlib import StewardAgent, add_nginx_upstream, also_agents, answers, free_port, group_cpu, paced_script, wait_until, wrk, wrk_stats  # noqa: E402
from coldstart import first_after_start, first_request, own_start, spec, summary  # noqa: E402
from fanin import fan_in, register_tiny, web_root  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "bench", "tiny_http.py")
# the gateway has as many event loops as the machine has cores (-Dsteward.gateway.threads)
LOOPS = os.cpu_count()

PROXY = """
worker_processes %(workers)d;
pid %(dir)s/proxy-%(name)s.pid;
error_log %(dir)s/proxy-%(name)s-error.log;
events { worker_connections 4096; }
http {
  # an access log as the gateway keeps one: lines buffered and written every second
  access_log %(dir)s/proxy-%(name)s-access.log combined buffer=64k flush=1s;
  upstream up { server 127.0.0.1:%(up)d; keepalive 64; }
  server {
    listen 127.0.0.1:%(port)d %(ssl)s;
    %(certs)s
    location /up/ { proxy_pass http://up/; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
"""


def start_nginx(tmp, name, workers, up, tls=None):
    """nginx as a reverse proxy to the upstream, with `workers` worker processes; returns (process, base URL)."""
    port = free_port()
    certs = "ssl_certificate %s; ssl_certificate_key %s;" % tls if tls else ""
    conf = os.path.join(tmp, "proxy-%s.conf" % name)
    with open(conf, "w") as f:
        f.write(PROXY % {"dir": tmp, "name": name, "workers": workers, "up": up, "port": port, "ssl": "ssl" if tls else "",
                         "certs": certs})
    p = subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-g", "daemon off;"], stderr=subprocess.DEVNULL, start_new_session=True)
    scheme = "https" if tls else "http"
    if tls:
        wait_until(lambda: subprocess.run(["curl", "-skf", "-o", "/dev/null", "https://127.0.0.1:%d/up/" % port]).returncode == 0, 10, 0.05)
    else:
        wait_until(lambda: answers(port, "/up/"), 10)
    return p, "%s://127.0.0.1:%d/up/" % (scheme, port)


def warm(url, seconds, churn):
    """Load on a target before it is measured: one run of 64 connections, or with churn runs of 5 s on new connections,
    64 and 16 in turn, so that the paths of a connection's opening and closing are as warm as the exchanges'."""
    if not churn:
        wrk(url, 64, seconds)
        return
    i = 0
    while seconds > 0:
        wrk(url, 16 if i % 2 else 64, min(5, seconds))
        seconds -= 5
        i += 1


def self_signed(tmp):
    """A self-signed pair for 127.0.0.1 (openssl), as both nginx and the gateway take it."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def measured(url, c, seconds, group):
    """One wrk run: requests/s, p50 ms, p99 ms as wrk prints it, non-2xx, the CPU the proxy (process group `group`, or
    None) used per request in microseconds, and the p99 of the requests as served (without wrk's correction)."""
    before = sum(group_cpu(group)) if group else 0
    r = wrk_stats(url, c, seconds, served=True)
    used = sum(group_cpu(group)) - before if group else 0
    rps = r["rps"]
    return rps, r["p50"], r["p99"], r["non2xx"], (used * 1e6 / (rps * seconds) if group and rps else 0), r.get("p99_served", 0)


def throughput(targets, connections, rounds, seconds, against):
    """Interleaved rounds of wrk on every target at each connection count; medians, with the ratio to each proxy in `against`.

    Each target is (name, url, process group of the proxy or None). The proxy's CPU per request (user and system,
    all its processes and threads) is the figure that a busy machine disturbs least: it is what decides the
    requests per second when the proxy has the cores to itself."""
    peak = 0
    head = ("| target | connections | requests/s | p50 ms | p99 ms | p99 served ms | non-2xx | proxy CPU us/request | "
            + " | ".join("vs %s" % a for a in against) + " | CPU vs %s |" % against[-1])
    print(head)
    print("|---" * (9 + len(against)) + "|")
    for c in connections:
        # rounds interleave the targets, so that a noisy moment on this shared machine hits them alike
        runs = {name: [] for name, _, _ in targets}
        for _ in range(rounds):
            for name, url, group in targets:
                runs[name].append(measured(url, c, seconds, group))
        results = {name: tuple(statistics.median(r[k] for r in rs) for k in range(6)) for name, rs in runs.items()}
        peak = max(peak, results["steward gateway"][0])
        for name, (rps, p50, p99, bad, cpu, p99_served) in results.items():
            ratios = " | ".join("%.2f" % (rps / results[a][0]) for a in against)
            base = results[against[-1]][4]
            print("| %s | %d | %.0f | %.3f | %.3f | %.3f | %d | %s | %s | %s |" % (
                name, c, rps, p50, p99, p99_served, bad, "%.1f" % cpu if cpu else "-", ratios, "%.2f" % (cpu / base) if cpu and base else "-"))
    return peak


def warm_up(targets, seconds, rounds):
    """The gateway from the agent's start (a JIT that has seen no load) beside nginx: rounds of 64 connections, in turn."""
    print("From the agent's start: %d rounds of %d s at 64 connections, each target in turn (requests/s, proxy CPU us/request)" % (rounds, seconds))
    print()
    print("| round | load s | " + " | ".join(name for name, _, _ in targets) + " |")
    print("|---" * (2 + len(targets)) + "|")
    for r in range(rounds):
        cells = []
        for name, url, group in targets:
            rps, _, _, _, cpu, _ = measured(url, 64, seconds, group)
            cells.append("%.0f / %.1f" % (rps, cpu))
        print("| %d | %d | %s |" % (r + 1, (r + 1) * seconds, " | ".join(cells)), flush=True)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=15, help="seconds of load on each target before measuring")
    ap.add_argument("--connections", default="16,64")
    ap.add_argument("--tls", action="store_true", help="also the gateway and nginx over HTTPS")
    ap.add_argument("--samples", type=int, default=20, help="cold starts from zero per program")
    ap.add_argument("--fresh-agents", type=int, default=3, help="agents started for their very first cold start")
    ap.add_argument("--fan-in", type=int, default=1000)
    ap.add_argument("--warmup-churn", action="store_true",
                    help="warm up in runs of 5 s, 64 and 16 connections in turn, each run on new connections")
    ap.add_argument("--warmup-rounds", type=int, default=12, help="rounds of the warmup part")
    ap.add_argument("--only", default="throughput,cold,fanin", help="parts, of throughput,cold,fanin,warmup")
    ap.add_argument("--hide-cgroups", action="store_true",
                    help="the agent in a mount namespace without /sys/fs/cgroup: its instances plain process groups, as the own start's"
                         " program (where the time of a cold start goes)")
    ap.add_argument("--also", action="append", default=[],
                    help="another gateway in the same rounds: 'LABEL|ROOT|JAVA_OPTS' (ROOT: a checkout or its copy, built;"
                         " JAVA_OPTS: added to the agent's JVM options), routed to the same upstream")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    for tool in ("nginx", "wrk", "busybox", "openssl", "curl"):
        if not shutil.which(tool):
            sys.exit("%s is needed: apt-get install nginx wrk busybox-static openssl curl" % tool)
    tmp = tempfile.mkdtemp(prefix="steward-gw-bench-")
    tls = self_signed(tmp) if args.tls else None
    extra = ["--gateway-tls-cert", tls[0], "--gateway-tls-key", tls[1]] if tls else []
    agent = StewardAgent(ROOT, tmp, hide_cgroups=args.hide_cgroups)
    also, tls_agent, proxies = [], None, []
    try:
        also = also_agents(args.also, tmp)
        tls_agent = StewardAgent(ROOT, os.path.join(tmp, "tls"), args=extra, name="tls-agent") if tls else None
        print("machine: %s, %d cores, load %.1f at the start, %s; the gateway has %d event loops" % (
            os.uname().release, os.cpu_count(), os.getloadavg()[0], time.strftime("%Y-%m-%d"), LOOPS))
        if "throughput" in parts or "warmup" in parts:
            up = add_nginx_upstream(agent, tmp)
            one, one_url = start_nginx(tmp, "one", 1, up)
            equal, equal_url = start_nginx(tmp, "equal", LOOPS, up)
            proxies += [one, equal]
            n1, nn = "nginx, 1 worker", "nginx, %d workers" % LOOPS
            targets = [("upstream direct", "http://127.0.0.1:%d/" % up, None), (n1, one_url, one.pid), (nn, equal_url, equal.pid),
                       ("steward gateway", agent.gateway + "/up/", agent.pid)]
            for label, a in also:  # the same upstream, as a ping-only service of each other agent
                a.route_upstream(up)
                targets.append((label, a.gateway + "/up/", a.pid))
        if "warmup" in parts:
            warm_up(targets[2:], args.seconds, args.warmup_rounds)
        if "throughput" in parts:
            for _, url, _ in targets:  # warm up: the JVM's JIT (C2 is still compiling after a few seconds), connection pools
                warm(url, args.warmup, args.warmup_churn)
            print("wrk -t2 -d%ds, medians of %d interleaved rounds; both proxies keep an access log; p99 as wrk prints it, corrected for coordinated omission, and as served (that correction taken back out of wrk's histogram)" % (args.seconds, args.rounds))
            print()
            peak = throughput(targets, [int(x) for x in args.connections.split(",")], args.rounds, args.seconds, [n1, nn])

            # Latency at half of the gateway's peak: each of 32 connections waits between its requests
            # (wrk's delay hook, whole milliseconds), so every target gets the same offered rate.
            conns = 32
            delay = max(1, round(conns * 1000.0 / (peak / 2)))
            script = paced_script(tmp, delay)
            print()
            print("At about half of the gateway's peak (%d connections, %d ms between requests on each):" % (conns, delay))
            print()
            print("| target | requests/s | p50 ms | p99 ms | p99 added over direct ms |")
            print("|---|---|---|---|---|")
            paced_runs = {name: [] for name, _, _ in targets}
            for _ in range(args.rounds):
                for name, url, _ in targets:
                    paced_runs[name].append(wrk(url, conns, args.seconds, script))
            paced = {name: tuple(statistics.median(r[k] for r in rs) for k in range(4)) for name, rs in paced_runs.items()}
            direct99 = paced["upstream direct"][2]
            for name, (rps, p50, p99, bad) in paced.items():
                print("| %s | %.0f | %.3f | %.3f | %s |" % (name, rps, p50, p99, "-" if name == "upstream direct" else "%.3f" % (p99 - direct99)))

            if tls_agent:
                # the same upstream, reached by a second agent whose gateway serves HTTPS (a ping-only service)
                tls_agent.route_upstream(up)
                tone, tone_url = start_nginx(tmp, "tls-one", 1, up, tls)
                tequal, tequal_url = start_nginx(tmp, "tls-equal", LOOPS, up, tls)
                proxies += [tone, tequal]
                t1, tn = "nginx over TLS, 1 worker", "nginx over TLS, %d workers" % LOOPS
                tls_targets = [(t1, tone_url, tone.pid), (tn, tequal_url, tequal.pid), ("steward gateway", tls_agent.gateway + "/up/", tls_agent.pid)]
                for _, url, _ in tls_targets:
                    wrk(url, 64, args.warmup)
                print()
                print("Over TLS (TLS 1.3, a P-256 certificate; kept-alive connections):")
                print()
                throughput(tls_targets, [int(x) for x in args.connections.split(",")], args.rounds, args.seconds, [t1, tn])

        if "cold" in parts:
            print()
            print("Cold start: the first request to a service at zero through the gateway, %d times from zero, beside the"
                  " program's own start until its port answers, started the same way (the same argv, PORT in its environment):"
                  % args.samples)
            if also:
                print("(each sample: the gateway of this build, then each other gateway, then the program's own start)")
            print()
            print("| program | gateway | through the gateway, median / p90 ms | own start, median / p90 ms | added, median ms |")
            print("|---|---|---|---|---|")
            python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
            www = web_root(tmp)
            programs = [("python3 http.server (%s)" % python, [python, TINY]),
                        ("busybox httpd", ["busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", www])]
            gateways = [("steward gateway", agent)] + also
            for i, (label, argv) in enumerate(programs):
                name = "cold%d" % i
                for _, a in gateways:
                    a.call("POST", "/v1/services", spec(name, argv, tmp))
                gw, own = {g: [] for g, _ in gateways}, []
                for _ in range(args.samples):  # interleaved, one of each at a time
                    for g, a in gateways:
                        gw[g] += first_request(a, name)
                    own += own_start(argv, tmp, 1)
                o = summary(own)
                for g, _ in gateways:
                    m = summary(gw[g])
                    print("| %s | %s | %.1f / %.1f | %.1f / %.1f | %.1f |" % (label, g, m[0], m[1], o[0], o[1], m[0] - o[0]))
            roots = [("steward gateway", ROOT, {})] + [(label, root or ROOT, dict({"STEWARD_JAVA_OPTS": opts} if opts else {}, STEWARD_NO_BUILD="1"))
                                                        for label, root, opts in ((spec_.split("|") + ["", ""])[:3] for spec_ in args.also)]
            first = {label: [] for label, _, _ in roots}
            for n in range(args.fresh_agents):  # in turn, one agent of each build at a time
                for k, (label, root, env) in enumerate(roots):
                    first[label] += first_after_start(root, os.path.join(tmp, "fresh-%d-%d" % (k, n)), programs[0][1], tmp, 1, env)
            print()
            for label, _, _ in roots:
                print("The very first request to a service at zero of an agent just started (%s, %d agents, %s): %s ms"
                      % (label, args.fresh_agents, programs[0][0], ", ".join("%.0f" % x for x in first[label])))

        if "fanin" in parts:
            print()
            print("Fan-in: %d simultaneous requests, each on a connection of its own, to busybox httpd (listen backlog 9) at zero:"
                  % args.fan_in)
            print()
            register_tiny(agent, tmp)
            wait_until(lambda: agent.call("GET", "/v1/services/tiny")["state"] == "stopped", 60, 0.05)
            r = fan_in(agent.gateway + "/tiny/index.html", args.fan_in)
            print("| statuses | p50 ms | p99 ms | last answered ms |")
            print("|---|---|---|---|")
            print("| %s | %.0f | %.0f | %.0f |" % (", ".join("%s: %d" % ("failed" if k == 0 else k, v) for k, v in sorted(r["statuses"].items())),
                                                 r["p50"], r["p99"], r["last"]))
    finally:
        for p in proxies:
            os.killpg(p.pid, signal.SIGTERM)
        try:
            if tls_agent:
                tls_agent.stop()
        finally:  # the first agent stops whatever happened to the second
            for label, a in also:
                try:
                    a.stop()
                except Exception as e:  # noqa: BLE001 - the others are stopped all the same
                    print("could not stop %s: %s" % (label, e), file=sys.stderr)
            agent.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
