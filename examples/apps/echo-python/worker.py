#!/usr/bin/python3
"""An example app on Steward's Python worker library: echo, a greeting, and a counted stream."""
import os
import sys

from steward_worker import Worker

w = Worker()


@w.on("echo")
def echo(request, response):
    response.write(request.read_all())


@w.on("greet")
def greet(request, response):
    name = request.read_all().decode() or "world"
    print("greeting", name, file=sys.stderr, flush=True)  # stdout and stderr go to the worker's log
    response.write("%s, %s\n" % (os.environ.get("GREETING", "hello"), name))


@w.on("count")
def count(request, response):
    for i in range(int(request.read_all() or b"10")):
        response.write("%d\n" % i)


w.run()
