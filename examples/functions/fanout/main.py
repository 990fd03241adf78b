import os

import steward


def handle(data):
    """Fans out: one fanout-part per word, all at once, each in a worker of its own; each writes its
    part to the workflow's directory and answers the file's name; the reply is the parts, read back."""
    words = data.decode().split() or ["a", "b", "c", "d"]
    names = steward.invoke_all([("fanout-part", w) for w in words])
    parts = []
    for name in names:
        with open(os.path.join(steward.workflow(), name.decode())) as f:
            parts.append(f.read())
    return " ".join(parts)
