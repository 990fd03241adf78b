#!/usr/bin/python3
"""Steward's generic worker for the python and shell runtimes.

The agent starts it with STEWARD_FUNCTION (the function this worker serves, also the event name),
STEWARD_RUNTIME (python or shell) and STEWARD_FUNCTIONS (the functions it may load: one per line,
NAME TAB HANDLER TAB CALLS TAB DIR, CALLS the same-worker callees separated by commas).

python: handler main.handle is handle(data: bytes) in DIR/main.py, returning bytes, str or an iterable
of chunks; it may call steward.invoke(name, data) (or steward.stream) for a function it declared.
shell: the handler script runs under /bin/sh in DIR with the data on stdin; its stdout is the reply.

Started by the warm pool (STEWARD_POOL, STEWARD_POOL_ID), it loads no function: it connects to the
pool's socket, says its id and waits (the agent freezes it there); when a function takes it, the agent
sends the environment above (a msgpack map, with STEWARD_DIR its working directory) and it goes on.
"""

import importlib.util
import os
import socket
import subprocess
import sys
import threading

import steward
from steward_worker import Worker

MAX_DEPTH = 32


class Table:
    def __init__(self, text):
        self.entries = {}
        for line in text.split("\n"):
            if not line.strip():
                continue
            name, handler, calls, d = line.split("\t", 3)
            self.entries[name] = (handler, set(c for c in calls.split(",") if c), d)

    def entry(self, name):
        if name not in self.entries:
            raise LookupError("function %s is not loaded in this worker" % name)
        return self.entries[name]


class Runner:
    def __init__(self, table):
        self.table = table
        self.loaded = {}
        self.lock = threading.Lock()
        self.local = threading.local()

    def load(self, name):
        with self.lock:
            if name not in self.loaded:
                handler, _, d = self.table.entry(name)
                module, func = handler.rsplit(".", 1)
                path = os.path.join(d, *module.split(".")) + ".py"
                spec = importlib.util.spec_from_file_location("steward_fn_%s_%s" % (name.replace("-", "_"), module.replace(".", "_")), path)
                mod = importlib.util.module_from_spec(spec)
                sys.path.insert(0, d)  # the function's own modules import from its directory
                try:
                    spec.loader.exec_module(mod)
                finally:
                    sys.path.remove(d)
                fn = getattr(mod, func, None)
                if not callable(fn):
                    raise LookupError("function %s: %s has no function %s" % (name, path, func))
                self.loaded[name] = fn
            return self.loaded[name]

    def chunks(self, name, data):
        """The reply of function name to data, chunk by chunk."""
        fn = self.load(name)
        stack = getattr(self.local, "stack", None)
        if stack is None:
            stack = self.local.stack = []
        stack.append(name)
        try:
            out = fn(data)
            if out is None:
                return
            if isinstance(out, (bytes, bytearray, memoryview, str)):
                yield _bytes(out)
                return
            for piece in out:
                yield _bytes(piece)
        finally:
            stack.pop()

    def call(self, callee, data):
        stack = getattr(self.local, "stack", None) or []
        if not stack:
            raise RuntimeError("steward.invoke is for a function's handler while it runs")
        caller = stack[-1]
        if callee not in self.table.entry(caller)[1]:
            raise LookupError("function %s does not declare %s in calls: as same-worker" % (caller, callee))
        if len(stack) >= MAX_DEPTH:
            raise RecursionError("function %s: calls nest deeper than %d" % (callee, MAX_DEPTH))
        return self.chunks(callee, _bytes(data))


def _bytes(v):
    if isinstance(v, str):
        return v.encode()
    return bytes(v)


def serve_python(worker, main, runner):
    runner.load(main)  # warm before the first invocation

    @worker.on(main)
    def handle(request, response):
        for piece in runner.chunks(main, request.read_all()):
            response.write(piece)


def serve_shell(worker, main, table):
    handler, _, d = table.entry(main)
    script = os.path.join(d, handler)
    if not os.path.isfile(script):
        raise SystemExit("function %s: no script %s" % (main, script))

    @worker.on(main)
    def handle(request, response):
        data = request.read_all()
        p = subprocess.Popen(["/bin/sh", script], cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        feeder = threading.Thread(target=_feed, args=(p.stdin, data), daemon=True)
        feeder.start()
        while True:
            piece = p.stdout.read1(65536)
            if not piece:
                break
            response.write(piece)
        code = p.wait()
        if code != 0:
            raise RuntimeError("the script %s exited with status %d" % (handler, code))


def _feed(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        pass  # the script did not read its input


def from_pool():
    """In a pooled worker: waits for the function it is given, and takes on its environment."""
    path = os.environ.pop("STEWARD_POOL", None)
    if not path:
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((os.environ.pop("STEWARD_POOL_ID", "") + "\n").encode())
    data = bytearray()
    while True:
        piece = s.recv(65536)
        if not piece:
            break
        data += piece
    s.close()
    if not data:
        raise SystemExit(0)  # let go unused
    import msgpack
    env = msgpack.unpackb(bytes(data), raw=False)
    os.chdir(env.pop("STEWARD_DIR"))
    os.environ.update(env)


def main():
    from_pool()
    name = os.environ["STEWARD_FUNCTION"]
    table = Table(os.environ.get("STEWARD_FUNCTIONS", ""))
    worker = Worker()
    if os.environ.get("STEWARD_RUNTIME") == "shell":
        serve_shell(worker, name, table)
    else:
        runner = Runner(table)
        steward._bind(runner)
        serve_python(worker, name, runner)
    worker.run()


if __name__ == "__main__":
    main()
