"""Helpers shared by the benchmark scripts: free ports, polling, a bare HTTP probe."""
import socket
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port, path="/", timeout=0.2):
    """Whether an HTTP GET to 127.0.0.1:port gets a 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
            head = s.recv(12)
            return head.startswith(b"HTTP/1.") and head[9:12] == b"200"
    except OSError:
        return False


def wait_until(cond, timeout, step=0.0005):
    """Polls cond until it returns something true, which it returns; TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise TimeoutError("condition not met within %ss" % timeout)


class StewardAgent:
    """A Steward agent of the benchmark's own (own data dir, ports chosen by the system), and its API."""

    def __init__(self, root, tmp):
        import os
        import re
        import subprocess
        os.makedirs(tmp, exist_ok=True)
        self.proc = subprocess.Popen([os.path.join(root, "steward"), "agent", "--data-dir", os.path.join(tmp, "data"),
                                      "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "agent.err"), "w"), text=True,
                                     start_new_session=True)
        self.pid = self.proc.pid  # the launcher execs java: this is the JVM
        for line in self.proc.stdout:
            m = re.search(r"(api|gateway) listening on (http://\S+)", line)
            r = re.search(r"rpc \(locator\) listening on (\S+):(\d+)", line)
            if m and m.group(1) == "api":
                self.api = m.group(2)
            elif m:
                self.gateway = m.group(2)
            elif r:
                self.rpc = (r.group(1), int(r.group(2)))
                break

    def call(self, method, path, body=None):
        import json
        import urllib.request
        data = body if isinstance(body, bytes) or body is None else body.encode()
        req = urllib.request.Request(self.api + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    def stop(self):
        """Stops every service, waits until they have stopped, then stops the agent, whatever happened before."""
        import os
        import signal
        import urllib.error
        try:
            for s in self.call("GET", "/v1/services"):
                try:
                    self.call("POST", "/v1/services/%s/stop" % s["name"])
                except urllib.error.HTTPError:
                    pass  # stopped meanwhile (409)
            wait_until(lambda: all(s["state"] in ("stopped", "disabled") for s in self.call("GET", "/v1/services")), 60, 0.1)
        finally:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait()


def jdk():
    """The JDK 21+ the launcher found (it builds first when needed)."""
    import os
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([os.path.join(root, "steward"), "--version"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(root, "cli", "target", ".jdk")) as f:
        return os.path.join(f.read().split()[0], "bin", "java")
