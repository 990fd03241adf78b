"""Cold start through the gateway beside the program's own start, the program started the same way on both sides."""
import os
import statistics
import subprocess
import time
import urllib.error
import urllib.request

from benchlib import answers, free_port, wait_until


def own_start(argv, cwd, samples):
    """The program's own start until its port answers, started as the agent starts it (argv with ${PORT} put in, PORT in its environment)."""
    out = []
    for _ in range(samples):
        port = free_port()
        t0 = time.monotonic()
        words = [w.replace("${PORT}", str(port)) for w in argv]  # as the agent puts it in a command
        p = subprocess.Popen(words, cwd=cwd, env=dict(os.environ, PORT=str(port)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: answers(port), 30, 0.0005)
            out.append((time.monotonic() - t0) * 1000)
        finally:
            p.kill()
            p.wait()
    return out


def first_request(agent, name, path="/", samples=1):
    """The first request to service `name` at zero through the gateway, `samples` times, each from zero."""
    out = []
    for _ in range(samples):
        wait_until(lambda: agent.call("GET", "/v1/services/" + name)["state"] == "stopped", 60, 0.01)
        t0 = time.monotonic()
        with urllib.request.urlopen(agent.gateway + "/" + name + path, timeout=60) as r:
            r.read()
        out.append((time.monotonic() - t0) * 1000)
        try:
            agent.call("POST", "/v1/services/%s/stop" % name)
        except urllib.error.HTTPError as e:
            if e.code != 409:  # 409: stopped already (an on-demand service stops once its last request ends)
                raise
    return out


def spec(name, argv, cwd):
    """An on-demand service of argv (each word quoted), $PORT given in the environment, pinged over HTTP."""
    words = ", ".join('"%s"' % w for w in argv)
    return "name: %s\ndir: %s\ncommand: [%s]\npolicy: on-demand\nping: {http: /}\n" % (name, cwd, words)


def summary(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[max(0, int(round(len(ms) * 0.9)) - 1)]


def first_after_start(root, tmp, argv, cwd, agents, env=None):
    """The very first request to a service at zero through the gateway of an agent just started, `agents` times."""
    from benchlib import StewardAgent
    out = []
    for i in range(agents):
        agent = StewardAgent(root, os.path.join(tmp, "fresh-%d" % i), env=env)
        try:
            agent.call("POST", "/v1/services", spec("first", argv, cwd))
            out += first_request(agent, "first")
        finally:
            agent.stop()
    return out
