"""Steward's Python worker library: a worker of a Steward app, speaking the worker protocol.

    from steward_worker import Worker

    w = Worker()

    @w.on("echo")
    def echo(request, response):
        response.write(request.read_all())

    w.run()

The agent starts a worker with --app, --endpoint and --uuid (and the same in STEWARD_APP,
STEWARD_ENDPOINT, STEWARD_UUID) and puts this file on its PYTHONPATH. Needs the standard library and
msgpack (Debian: python3-msgpack).
"""

import os
import queue
import socket
import sys
import threading

import msgpack

HANDSHAKE, HEARTBEAT, TERMINATE, INVOKE, CHUNK, ERROR, CHOKE = range(7)
INVOCATION_ERROR = 1
_END = object()


class Request:
    """The event's data as the agent sends it: read() gives each piece, b"" at the end."""

    def __init__(self, event):
        self.event = event
        self._pieces = queue.SimpleQueue()
        self.error = None

    def read(self):
        piece = self._pieces.get()
        if piece is _END:
            self._pieces.put(_END)
            return b""
        return piece

    def read_all(self):
        out = bytearray()
        while True:
            piece = self.read()
            if not piece:
                return bytes(out)
            out += piece

    def _push(self, data):
        self._pieces.put(data)

    def _end(self, error=None):
        self.error = error
        self._pieces.put(_END)


class Response:
    """The reply: write() sends a chunk now; error() fails it; the stream ends when the handler returns."""

    def __init__(self, link, session):
        self._link = link
        self._session = session
        self.closed = False

    def write(self, data):
        if self.closed:
            raise RuntimeError("the response is closed")
        if isinstance(data, str):
            data = data.encode()
        self._link.send(CHUNK, self._session, [bytes(data)])

    def error(self, code, message):
        if self.closed:
            return
        self.closed = True
        self._link.send(ERROR, self._session, [int(code), str(message)])
        self._link.send(CHOKE, self._session, [])

    def close(self):
        if self.closed:
            return
        self.closed = True
        self._link.send(CHOKE, self._session, [])


class _Link:
    def __init__(self, sock):
        self._sock = sock
        self._lock = threading.Lock()
        self._packer = msgpack.Packer(use_bin_type=False)

    def send(self, message, session, args):
        frame = self._packer.pack([message, session, args])
        with self._lock:
            self._sock.sendall(frame)


class Pool:
    """Runs calls on up to `threads` threads, each started when no other is free and kept. (The standard
    library's ThreadPoolExecutor does the same, but importing concurrent.futures, with the logging it
    brings, cost a function worker's cold start about 15 ms of CPU.)"""

    def __init__(self, threads, name="steward-call"):
        self._name = name
        self._calls = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._max, self._started, self._idle = threads, 0, 0

    def submit(self, call):
        self._calls.put(call)
        with self._lock:
            if self._idle:
                self._idle -= 1  # a thread waiting for a call takes it
                return
            if self._started == self._max:
                return  # it waits for the first thread that is free
            self._started += 1
        threading.Thread(target=self._serve, name="%s-%d" % (self._name, self._started), daemon=True).start()

    def _serve(self):
        while True:
            call = self._calls.get()
            try:
                call()
            except BaseException as e:  # the thread stays: a call's failure is its own (callers report theirs)
                sys.stderr.write("steward: a call ended with %s: %s\n" % (type(e).__name__, e))
            with self._lock:
                self._idle += 1


def _options(argv):
    """--app, --endpoint and --uuid from argv (as `--name value` or `--name=value`; other arguments are
    the program's own), else from STEWARD_APP, STEWARD_ENDPOINT and STEWARD_UUID. Read by hand rather
    than with argparse, whose import cost a function worker's cold start about 8 ms of CPU."""
    env = os.environ
    found = {"app": env.get("STEWARD_APP"), "endpoint": env.get("STEWARD_ENDPOINT"), "uuid": env.get("STEWARD_UUID")}
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        key = name[2:] if name.startswith("--") else None
        if key in found or key == "locator":
            if not eq:
                if i + 1 == len(argv):
                    raise SystemExit("a Steward worker's %s needs a value" % name)
                i += 1
                value = argv[i]
            if key in found:
                found[key] = value
        i += 1
    return found["app"], found["endpoint"], found["uuid"]


class Worker:
    """Handlers by event name; run() serves them until the agent says terminate or goes away."""

    def __init__(self, argv=None, heartbeat=None, threads=16):
        self.app, self.endpoint, self.uuid = _options(sys.argv[1:] if argv is None else argv)
        if not self.endpoint or not self.uuid:
            raise SystemExit("a Steward worker needs --endpoint and --uuid (or STEWARD_ENDPOINT and STEWARD_UUID)")
        self.heartbeat = heartbeat if heartbeat is not None else float(os.environ.get("STEWARD_HEARTBEAT", "5"))
        self._handlers = {}
        self._otherwise = None
        self._requests = {}
        self._pool = Pool(threads)
        self._stopped = threading.Event()
        self._link = None

    def on(self, event, handler=None):
        """Registers handler(request, response) for event; usable as a decorator."""
        if handler is None:
            return lambda h: self.on(event, h) or h
        self._handlers[event] = handler
        return handler

    def otherwise(self, handler):
        """Registers handler(request, response) for every event without a handler of its own (request.event says which)."""
        self._otherwise = handler
        return handler

    def run(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.endpoint)
        self._sock = sock
        link = self._link = _Link(sock)
        link.send(HANDSHAKE, 0, [self.uuid])
        link.send(HEARTBEAT, 0, [])
        threading.Thread(target=self._beat, args=(link,), daemon=True).start()
        unpacker = msgpack.Unpacker(raw=True, max_buffer_size=64 << 20)
        try:
            while not self._stopped.is_set():
                data = sock.recv(65536)
                if not data:
                    return
                unpacker.feed(data)
                for frame in unpacker:
                    self._handle(frame, link)
                    if self._stopped.is_set():
                        return
        finally:
            self._stopped.set()
            sock.close()

    def terminate(self, reason, abnormal=True):
        """Leaves the pool; abnormal (the app cannot work, say its database is gone) marks the app broken."""
        self._link.send(TERMINATE, 0, [2 if abnormal else 1, reason])
        self._stopped.set()
        try:
            self._sock.shutdown(socket.SHUT_RD)  # wakes run() up
        except OSError:
            pass

    def _beat(self, link):
        while not self._stopped.wait(self.heartbeat):
            try:
                link.send(HEARTBEAT, 0, [])
            except OSError:
                return

    def _handle(self, frame, link):
        message, session, args = frame
        if message == INVOKE:
            self._invoke(session, args[0].decode(), link)
        elif message == CHUNK:
            r = self._requests.get(session)
            if r is not None:
                r._push(args[0])
        elif message in (ERROR, CHOKE):
            r = self._requests.pop(session, None)
            if r is not None:
                r._end(args[1].decode(errors="replace") if message == ERROR and len(args) > 1 else None)
        elif message == TERMINATE:
            reason = args[1].decode(errors="replace") if len(args) > 1 else "terminated"
            link.send(TERMINATE, 0, [1, reason])
            self._stopped.set()

    def _invoke(self, session, event, link):
        response = Response(link, session)
        handler = self._handlers.get(event, self._otherwise)
        if handler is None:
            response.error(INVOCATION_ERROR, "app %s has no handler for event '%s'" % (self.app, event))
            return
        request = Request(event)
        self._requests[session] = request

        def call():
            try:
                handler(request, response)
                response.close()
            except Exception as e:  # the error goes to the caller, the worker goes on
                response.error(INVOCATION_ERROR, "%s: %s" % (type(e).__name__, e))

        self._pool.submit(call)
