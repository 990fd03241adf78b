import os

import steward


def handle(data):
    """Writes WORD=UPPER (and the writer's pid) to part-WORD in the workflow's directory; answers the file's name."""
    word = data.decode()
    name = "part-" + word
    path = os.path.join(steward.workflow(), name)
    with open(os.path.join(steward.scratch(), name), "w") as f:  # written apart, then moved in whole
        f.write("%s=%s@%d" % (word, word.upper(), os.getpid()))
    os.rename(os.path.join(steward.scratch(), name), path)
    return name
