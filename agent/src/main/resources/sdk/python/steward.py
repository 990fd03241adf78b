"""What a Steward function's handler may ask of Steward while it runs.

    import steward

    def handle(data):
        return b"ping " + steward.invoke("ponger", data)

invoke(name, data) runs a function declared in the caller's calls: as same-worker, in this process,
and returns its whole reply as bytes; stream(name, data) gives its chunks as they come. A failure
raises, naming the function.
"""

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
