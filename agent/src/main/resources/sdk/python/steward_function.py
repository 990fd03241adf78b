#!/usr/bin/python3
"""Steward's generic worker for the python and shell runtimes.

The agent starts it with STEWARD_FUNCTION (the function this worker serves), STEWARD_RUNTIME (python
or shell), STEWARD_CALLS (the socket other-worker calls go to) and STEWARD_FUNCTIONS (the functions it
may load: one per line, NAME TAB HANDLER TAB SAME TAB OTHER TAB DIR, SAME and OTHER the same-worker and
other-worker callees separated by commas). Each invocation's event is NAME TAB WORKFLOW-DIR TAB
SCRATCH-DIR TAB DEPTH TAB TOKEN: the workflow's shared directory, the invocation's own, how deep it is
in its workflow, and the token its other-worker calls are made with.

python: handler main.handle is handle(data: bytes) in DIR/main.py, returning bytes, str or an iterable
of chunks; it may call steward.invoke(name, data) (or steward.stream) for a function it declared: a
same-worker callee runs in this process, an other-worker one in a worker of its own, through the agent.
A same-worker callee of another runtime (STEWARD_SIDES: one line per function loaded, NAME TAB RUNTIME
TAB TIMEOUT-MS TAB PROGRAM) runs in a second process of that runtime's PROGRAM, started beside this one
at its first call (so in its sandbox) and kept while this worker lives. That process is this program
(or node's) with STEWARD_SIDE_FD: the socket on which it is sent calls (beside a JVM, STEWARD_SIDE_SOCKET:
the socket it connects to), [0, CHANNEL, [NAME, WORKFLOW-DIR,
SCRATCH-DIR, DEPTH, TOKEN, DATA]], and answers them (CHUNK, ERROR, CHOKE on the call's channel); java's
(STEWARD_SIDE_STDIO) takes the calls on its stdin and answers on its stdout. A call
there that outlives its callee's timeout is stopped with the process it runs in (the process and every process
below it are killed; the calls it had besides fail naming their callees, and the next call starts another). A caller
there reads its reply itself, looking for it without sleeping for up to STEWARD_SIDE_SPIN_US microseconds (100 unless
the function's env says otherwise; 0: it sleeps at once).
shell: the handler script runs under /bin/sh in DIR with the data on stdin; its stdout is the reply
(STEWARD_WORKFLOW and STEWARD_SCRATCH in its environment).

Started by the warm pool (STEWARD_POOL, STEWARD_POOL_ID), it loads no function: it connects to the
pool's socket, says its id and waits (the agent freezes it there); when a function takes it, the agent
sends the environment above (a msgpack map, with STEWARD_DIR its working directory) and it goes on.
"""

import collections
import contextvars
import importlib.machinery
import itertools
import os
import socket
import sys
import threading

import steward
from steward_worker import Pool, Worker

MAX_DEPTH = 32
CHUNK, ERROR, CHOKE = 4, 5, 6

# what runs on this thread (or context): one Frame per function, the innermost last
Frame = collections.namedtuple("Frame", "name depth workflow scratch token")
_frames = contextvars.ContextVar("steward_frames", default=())
_scratches = itertools.count(1)


def frame_of(event, main):
    """The frame of a top-level invocation from its event (the bare name: no workflow)."""
    parts = event.split("\t")
    if len(parts) != 5 or parts[0] != main:
        raise LookupError("this worker serves function %s, not the event %r" % (main, event))
    return Frame(main, int(parts[3]), parts[1], parts[2], parts[4])


def current():
    """The frame of the function running here; raises outside a handler."""
    frames = _frames.get()
    if not frames:
        raise RuntimeError("steward.invoke is for a function's handler while it runs")
    return frames[-1]


class Table:
    def __init__(self, text):
        self.entries = {}
        for line in text.split("\n"):
            if not line.strip():
                continue
            name, handler, same, other, d = line.split("\t", 4)
            self.entries[name] = (handler, set(c for c in same.split(",") if c), d, set(c for c in other.split(",") if c))

    def entry(self, name):
        if name not in self.entries:
            raise LookupError("function %s is not loaded in this worker" % name)
        return self.entries[name]


class Runner:
    def __init__(self, table, calls=None, sides=None):
        self.table = table
        self.calls = calls
        self.sides = sides
        self.loaded = {}
        self.lock = threading.Lock()

    def load(self, name):
        with self.lock:
            if name not in self.loaded:
                handler, _, d, _ = self.table.entry(name)
                module, func = handler.rsplit(".", 1)
                path = os.path.join(d, *module.split(".")) + ".py"
                # the module made as importlib.util's spec_from_file_location and module_from_spec would,
                # without importlib.util's own imports (about 2 ms of a cold start)
                loader = importlib.machinery.SourceFileLoader("steward_fn_%s_%s" % (name.replace("-", "_"), module.replace(".", "_")), path)
                mod = type(sys)(loader.name)
                mod.__file__, mod.__loader__ = path, loader
                mod.__spec__ = importlib.machinery.ModuleSpec(loader.name, loader, origin=path)
                mod.__spec__.has_location = True
                sys.path.insert(0, d)  # the function's own modules import from its directory
                try:
                    loader.exec_module(mod)
                finally:
                    sys.path.remove(d)
                fn = getattr(mod, func, None)
                if not callable(fn):
                    raise LookupError("function %s: %s has no function %s" % (name, path, func))
                self.loaded[name] = fn
            return self.loaded[name]

    @staticmethod
    def current():
        return current()

    def chunks(self, frame, data):
        """The reply of the function of frame to data, chunk by chunk."""
        fn = self.load(frame.name)
        reset = _frames.set(_frames.get() + (frame,))
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
            _frames.reset(reset)

    def reply(self, frame, data):
        """The reply of the function of frame to data: bytes when the function returned one value, else its chunks as they come."""
        fn = self.load(frame.name)
        reset = _frames.set(_frames.get() + (frame,))
        try:
            out = fn(data)
        except BaseException:
            _frames.reset(reset)
            raise
        if out is None or isinstance(out, (bytes, bytearray, memoryview, str)):
            _frames.reset(reset)
            return () if out is None else _bytes(out)
        return self._pieces(out, reset)

    @staticmethod
    def _pieces(out, reset):
        try:
            for piece in out:
                yield _bytes(piece)
        finally:
            _frames.reset(reset)

    def call(self, callee, data):
        caller = current()
        _, same, _, other = self.table.entry(caller.name)
        if callee not in same and callee not in other:
            raise LookupError("function %s does not declare %s in calls:" % (caller.name, callee))
        if caller.depth + 1 >= MAX_DEPTH:
            raise RecursionError("function %s: calls nest deeper than %d" % (callee, MAX_DEPTH))
        if callee in other:
            return self.calls.stream(caller, callee, _bytes(data))
        scratch = os.path.join(caller.workflow, "%s.%d.%d" % (callee, os.getpid(), next(_scratches))) if caller.workflow else ""
        frame = Frame(callee, caller.depth + 1, caller.workflow, scratch, caller.token)
        if self.sides is not None and self.sides.beside(callee):
            return self.sides.stream(frame, _bytes(data))
        return self.chunks(frame, _bytes(data))


class Sides:
    """The same-worker callees of another runtime than this process's, each runtime's in a process of its own beside this one."""

    def __init__(self, text, runtime, spin=None):
        self.runtime = runtime
        self.spin = spin_of(spin)
        self.of = {}
        for line in text.split("\n"):
            if line.strip():
                name, rt, ms, program = line.split("\t", 3)
                self.of[name] = (rt, int(ms) / 1000.0, program)
        self.running = {}
        self.lock = threading.Lock()

    def beside(self, name):
        e = self.of.get(name)
        return e is not None and e[0] != self.runtime

    def prestart(self, runtime):
        """Starts runtime's process beside this one now, if a callee loaded here needs it (a JVM's start is long: not at the first call)."""
        program = next((p for rt, _, p in self.of.values() if rt == runtime), None)
        if program is None or runtime == self.runtime:
            return
        with self.lock:
            if runtime not in self.running:
                self.running[runtime] = Side(runtime, program, self.spin)

    def stream(self, frame, data):
        rt, timeout, program = self.of[frame.name]
        with self.lock:
            side = self.running.get(rt)
            if side is None or not side.usable():
                side = self.running[rt] = Side(rt, program, self.spin)
        return side.stream(frame, data, timeout)


SPIN = 100e-6  # how long a caller looks for its reply from a process beside before it sleeps: about a quick callee's round trip there


def spin_of(given):
    """The spin asked for in STEWARD_SIDE_SPIN_US (µs; 0: a caller sleeps at once), in seconds; SPIN when unset."""
    if given is None or not given.strip():
        return SPIN
    try:
        us = int(given.strip())
    except ValueError:
        us = -1
    if not 0 <= us <= 1000000:
        raise SystemExit("steward: STEWARD_SIDE_SPIN_US must be a count of microseconds from 0 to 1000000, not %r" % given)
    return us / 1e6


class Side:
    """One runtime's process beside this worker: calls go to it on a socket pair, each on a channel of its own.

    No thread of its own reads the replies: a calling thread waiting for its reply reads them (leader and followers).
    One caller at a time leads: it reads what comes, hands each frame to its call's channel, and once its own has come
    it hands the reading to another waiting caller (or to none, when no call waits). The leader first looks for the
    reply without sleeping, for up to spin seconds of non-blocking reads (each a system call that lets other threads
    run), then sleeps in poll until its deadline: a quick callee's reply is read by the thread that wants it, without a
    thread woken for it, nor a second one woken by a queue."""

    def __init__(self, runtime, program, spin=SPIN):
        import msgpack
        import select
        import subprocess  # here, not at the top: its import is a tenth of a cold start that never needs it
        self.runtime = runtime
        self.spin = spin
        if runtime == "java":
            # a JVM cannot take a socket at another descriptor: its calls go on its stdin, its replies come on its stdout
            env = dict(os.environ, STEWARD_RUNTIME=runtime, STEWARD_SIDE_STDIO="1")
            self.proc = subprocess.Popen([program], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.fd = self.proc.stdout.fileno()
            os.set_blocking(self.fd, False)  # a descriptor of its own (the calls go to stdin's)
            fd = self.fd
            self._recv_now = lambda: os.read(fd, 65536)
            self._send = self._to_stdin
        else:
            mine, its = socket.socketpair()
            env = dict(os.environ, STEWARD_RUNTIME=runtime, STEWARD_SIDE_FD=str(its.fileno()))
            self.proc = subprocess.Popen([program], pass_fds=[its.fileno()], env=env, stdin=subprocess.DEVNULL)
            its.close()
            self.fd = mine.fileno()
            self._recv_now = lambda: mine.recv(65536, socket.MSG_DONTWAIT)  # the socket itself stays blocking for sendall
            self._send = mine.sendall
        self.channels = {}  # channel -> its Channel, while its call waits for frames; guarded by lock
        self.ids = itertools.count(1)
        self.write = threading.Lock()
        self.lock = threading.Lock()
        self.leading = False  # whether a caller reads (one at a time); guarded by lock
        self.waiting = collections.deque()  # channels whose callers sleep, waiting for a frame or the lead; guarded by lock
        self.ended = False  # whether the replies ended (the process closed its end); guarded by lock
        self.gone = None  # why calls can no longer go to it; set once
        self.unpacker = msgpack.Unpacker(raw=True, max_buffer_size=64 << 20)  # touched by the leader only
        self.packb = msgpack.packb
        self.poller = select.poll()
        self.poller.register(self.fd, select.POLLIN)

    def _to_stdin(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def usable(self):
        """Whether calls may go to it: not stopped, its replies not ended, the process not exited (between calls no one reads)."""
        if self.gone is None and self.proc.poll() is not None:
            self.gone = "its %s process exited (%s)" % (self.runtime, _status(self.proc.returncode))
        return self.gone is None

    def stop(self, why):
        """Kills the process and every process below it: a call in it outlived its timeout, and only so is its work stopped."""
        if self.gone is None:
            self.gone = "its %s process was stopped (%s)" % (self.runtime, why)
        kill_tree(self.proc.pid)

    def stream(self, frame, data, timeout):
        channel = next(self.ids)
        ch = Channel(self.lock)
        with self.lock:
            self.channels[channel] = ch
        try:
            with self.write:
                self._send(self.packb([0, channel, [frame.name, frame.workflow, frame.scratch, frame.depth, frame.token, data]],
                                      use_bin_type=True))
        except OSError:
            pass  # the reading says how it went
        return self._replies(frame.name, channel, ch, timeout)

    def _replies(self, name, channel, ch, timeout):
        import time
        deadline = time.monotonic() + timeout
        error = None
        try:
            while True:
                got = self._next(ch, deadline)
                if got is None:
                    self.stop("a call to %s timed out after %gs" % (name, timeout))
                    raise steward.CallError("function %s failed: timed out after %gs" % (name, timeout))
                message, args = got
                if message is None:
                    raise steward.CallError("function %s failed: %s" % (name, self.gone))
                if message == CHUNK:
                    yield bytes(args[0])
                elif message == ERROR:
                    error = args[1].decode(errors="replace") if len(args) > 1 else "error"
                elif message == CHOKE:
                    if error is not None:
                        raise steward.CallError("function %s failed: %s" % (name, error))
                    return
        finally:
            with self.lock:
                self.channels.pop(channel, None)
                if ch.lead:  # handed the reading as it left: on to the next
                    ch.lead = False
                    self._hand_on()

    def _next(self, ch, deadline):
        """ch's next frame as (message, args); (None, None) once the replies ended; None past the deadline."""
        import time
        with self.lock:
            while True:
                if ch.frames:
                    if ch.lead:
                        ch.lead = False
                        self._hand_on()
                    return ch.frames.popleft()
                if self.ended:
                    return None, None
                if ch.lead or not self.leading:
                    ch.lead = False
                    self.leading = True
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.waiting.append(ch)
                ch.cond.wait(left)
                if ch in self.waiting:
                    self.waiting.remove(ch)
        return self._lead(ch, deadline)

    def _hand_on(self):
        """The reading to the longest waiting caller, or to none. Under lock."""
        if self.waiting:
            w = self.waiting.popleft()
            w.lead = True
            w.cond.notify()
        else:
            self.leading = False

    def _lead(self, ch, deadline):
        """Reads as the leader until ch has a frame, the replies end or the deadline passes; then hands the reading on."""
        import time
        spin_until = time.monotonic() + self.spin
        try:
            while True:
                try:
                    piece = self._recv_now()
                except BlockingIOError:
                    now = time.monotonic()
                    if now < spin_until:
                        continue
                    if now >= deadline:
                        return None
                    self.poller.poll(max(1, int((deadline - now) * 1000) + 1))
                    continue
                except OSError:
                    piece = b""
                if not piece:
                    status = _status(self.proc.wait())
                    with self.lock:
                        if self.gone is None:
                            self.gone = "its %s process exited (%s)" % (self.runtime, status)
                        self.ended = True
                        for c in self.channels.values():
                            c.cond.notify()
                    return None, None
                self.unpacker.feed(piece)
                with self.lock:
                    for message, channel, args in self.unpacker:
                        c = self.channels.get(channel)
                        if c is not None:
                            c.frames.append((message, args))
                            if c is not ch:
                                c.cond.notify()
                    if ch.frames:
                        return ch.frames.popleft()
        finally:
            with self.lock:
                self._hand_on()


class Channel:
    """A call's frames as they come, and whether its caller was handed the reading."""
    __slots__ = ("frames", "cond", "lead")

    def __init__(self, lock):
        self.frames = collections.deque()
        self.cond = threading.Condition(lock)
        self.lead = False


def kill_tree(pid):
    """SIGKILL to pid and every process below it: all stopped first (so none forks meanwhile), found through /proc."""
    import signal
    tree = set()
    for sig in (signal.SIGSTOP, signal.SIGSTOP, signal.SIGKILL):  # the second pass finds what forked before the first stopped it
        tree |= _below(pid)
        for p in tree:
            try:
                os.kill(p, sig)
            except OSError:
                pass  # gone already


def _below(pid):
    """pid and its descendants, from each process's parent in /proc/PID/stat."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        if p not in out:
            out.add(p)
            todo.extend(children.get(p, ()))
    return out


def _status(code):
    return "status %d" % code if code >= 0 else "signal %d" % -code


class Calls:
    """Other-worker calls, each on a connection to the agent's call socket (kept for the next call once its reply ended)."""

    def __init__(self, path):
        self.path = path
        self.idle = []
        self.lock = threading.Lock()

    def _take(self):
        with self.lock:
            if self.idle:
                return self.idle.pop()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        return s

    def stream(self, caller, callee, data):
        import msgpack
        if not self.path:
            raise RuntimeError("this worker was not told where other-worker calls go (STEWARD_CALLS)")
        sock = self._take()
        ended = False
        try:
            sock.sendall(msgpack.packb([0, 1, [caller.token, caller.name, callee, caller.depth, data]], use_bin_type=True))
            unpacker = msgpack.Unpacker(raw=True, max_buffer_size=64 << 20)
            error = None
            while True:
                piece = sock.recv(65536)
                if not piece:
                    raise ConnectionError("the agent closed the call")
                unpacker.feed(piece)
                for message, _, args in unpacker:
                    if message == CHUNK:
                        yield bytes(args[0])
                    elif message == ERROR:
                        error = args[1].decode(errors="replace") if len(args) > 1 else "error"
                    elif message == CHOKE:
                        ended = True
                        if error is not None:
                            raise steward.CallError("function %s failed: %s" % (callee, error))
                        return
        finally:
            if ended:
                with self.lock:
                    self.idle.append(sock)
            else:
                sock.close()


def _bytes(v):
    if isinstance(v, str):
        return v.encode()
    return bytes(v)


def serve_python(worker, main, runner):
    runner.load(main)  # warm before the first invocation
    runner.sides.prestart("java")

    @worker.otherwise
    def handle(request, response):
        frame = frame_of(request.event, main)
        for piece in runner.chunks(frame, request.read_all()):
            response.write(piece)


def serve_shell(worker, main, table):
    handler, _, d, _ = table.entry(main)
    script = os.path.join(d, handler)
    if not os.path.isfile(script):
        raise SystemExit("function %s: no script %s" % (main, script))

    @worker.otherwise
    def handle(request, response):
        for piece in script_chunks(table, frame_of(request.event, main), request.read_all()):
            response.write(piece)


def script_chunks(table, frame, data):
    """The reply of the shell function of frame to data: its script's stdout, chunk by chunk."""
    handler, _, d, _ = table.entry(frame.name)
    if frame.scratch:
        os.makedirs(frame.scratch, exist_ok=True)
    env = dict(os.environ, STEWARD_WORKFLOW=frame.workflow, STEWARD_SCRATCH=frame.scratch)
    import subprocess
    p = subprocess.Popen(["/bin/sh", os.path.join(d, handler)], cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    feeder = threading.Thread(target=_feed, args=(p.stdin, data), daemon=True)
    feeder.start()
    while True:
        piece = p.stdout.read1(65536)
        if not piece:
            break
        yield piece
    code = p.wait()
    if code != 0:
        raise RuntimeError("the script %s exited with status %d" % (handler, code))


def serve_side(fd, runtime, table, runner):
    """Beside a worker of another runtime: answers the same-worker calls it sends on fd until it closes it. The thread
    that reads a call runs it, the reading handed first to another thread (leader and followers, as the java worker's
    side does): no hand-off between a call's read and its run. A reply of one value goes out with its end in one write."""
    import msgpack
    sock = socket.socket(fileno=fd)
    write = threading.Lock()
    packb = msgpack.packb

    def send(*frames):
        data = b"".join(packb(f, use_bin_type=True) for f in frames)
        with write:
            sock.sendall(data)

    def one(channel, name, workflow, scratch, depth, token, data):
        frame = Frame(name, depth, workflow, scratch, token)
        try:
            out = script_chunks(table, frame, data) if runtime == "shell" else runner.reply(frame, data)
            if isinstance(out, bytes):
                send([CHUNK, channel, [out]], [CHOKE, channel, []])
                return
            for piece in out:
                send([CHUNK, channel, [piece]])
        except steward.CallError as e:
            send([ERROR, channel, [1, str(e)]], [CHOKE, channel, []])  # its own callee's failure, named already
            return
        except Exception as e:
            send([ERROR, channel, [1, "%s: %s" % (type(e).__name__, e)]], [CHOKE, channel, []])
            return
        send([CHOKE, channel, []])

    calls = Pool(64, "steward-side")  # threads kept: a new one per call costs more than the call
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=64 << 20)

    def lead():
        """Reads the next call (one thread at a time does), hands the reading on, and runs the call."""
        try:
            while True:
                try:
                    _, channel, args = next(unpacker)
                    break
                except StopIteration:
                    piece = sock.recv(65536)
                    if not piece:
                        os._exit(0)  # the worker beside which it ran is gone
                    unpacker.feed(piece)
            name, workflow, scratch, depth, token, data = args
        except BaseException as e:  # a broken frame: the worker beside sees this process end
            sys.stderr.write("steward: the worker beside sent a broken call: %s: %s\n" % (type(e).__name__, e))
            os._exit(1)
        calls.submit(lead)
        contextvars.copy_context().run(one, channel, name, workflow, scratch, depth, token, data)

    calls.submit(lead)
    threading.Event().wait()  # the process ends when the worker beside goes


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
    side = os.environ.pop("STEWARD_SIDE_FD", None)
    connect = os.environ.pop("STEWARD_SIDE_SOCKET", None)
    if connect is not None:  # beside a JVM, which cannot hand its child a socket: it connects to the JVM's
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(connect)
        side = str(s.detach())
    if side is None:
        from_pool()
    table = Table(os.environ.get("STEWARD_FUNCTIONS", ""))
    runtime = os.environ.get("STEWARD_RUNTIME")
    runner = None
    if runtime != "shell":
        runner = Runner(table, Calls(os.environ.get("STEWARD_CALLS", "")),
                        Sides(os.environ.get("STEWARD_SIDES", ""), runtime, os.environ.get("STEWARD_SIDE_SPIN_US")))
        steward._bind(runner)
    if side is not None:
        serve_side(int(side), runtime, table, runner)
        return
    name = os.environ["STEWARD_FUNCTION"]
    worker = Worker()
    if runtime == "shell":
        serve_shell(worker, name, table)
    else:
        serve_python(worker, name, runner)
    worker.run()


if __name__ == "__main__":
    main()
