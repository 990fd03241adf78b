"""What a Steward function's handler may ask of Steward while it runs.

    import steward

    def handle(data):
        return b"ping " + steward.invoke("ponger", data)

invoke(name, data) runs a function declared in the caller's calls: and returns its whole reply as
bytes; stream(name, data) gives its chunks as they come. A same-worker callee runs in this process;
an other-worker one in a worker of its own, through the agent. invoke_all([(name, data), ...]) runs
several calls at once (a fan-out) and returns their replies in order. A failure raises CallError,
naming the function.

workflow() is the directory the whole workflow shares (every function it calls sees the same path),
scratch() this invocation's own directory inside it; both are made when first asked for, and go when
the workflow ends. A thread the handler starts itself sees them (and may call) when it runs in a copy
of the handler's context: contextvars.copy_context().run(...).
"""

import contextvars
import os
import threading

_runner = None


def _bind(runner):
    global _runner
    _runner = runner


def stream(name, data=b""):
    if _runner is None:
        raise RuntimeError("steward.invoke works inside a function run by Steward")
    return _Named(name, _runner.call(name, data))


def invoke(name, data=b""):
    return b"".join(stream(name, data))


def invoke_all(calls):
    """Runs each (name, data) of calls at once, each on a thread of its own; their replies, in order."""
    calls = list(calls)
    out = [None] * len(calls)
    errors = [None] * len(calls)

    def one(i, name, data):
        try:
            out[i] = invoke(name, data)
        except BaseException as e:
            errors[i] = e

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(one, i, n, d), daemon=True)
               for i, (n, d) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors:
        if e is not None:
            raise e
    return out


def workflow():
    """The workflow's shared directory (made if it is not yet)."""
    return _made(_current().workflow)


def scratch():
    """This invocation's own directory inside the workflow's (made if it is not yet)."""
    return _made(_current().scratch)


def _current():
    if _runner is None:
        raise RuntimeError("steward.workflow works inside a function run by Steward")
    return _runner.current()


def _made(path):
    if not path:
        raise RuntimeError("this invocation has no workflow directory")
    os.makedirs(path, exist_ok=True)
    return path


class CallError(Exception):
    """A called function failed; the message names it."""


class _Named:
    def __init__(self, name, chunks):
        self._name = name
        self._chunks = chunks

    def __iter__(self):
        try:
            yield from self._chunks
        except CallError:
            raise
        except Exception as e:
            raise CallError("function %s failed: %s: %s" % (self._name, type(e).__name__, e)) from e
