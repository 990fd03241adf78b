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
