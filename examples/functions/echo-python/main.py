def handle(data):
    """Echo: the reply is the data."""
    return data
