def handle(data):
    return b"pong:" + data
