import steward


def handle(data):
    """Calls ponger, which runs in this same worker process; the reply is the pair's."""
    return b"ping:" + steward.invoke("ponger", data)
