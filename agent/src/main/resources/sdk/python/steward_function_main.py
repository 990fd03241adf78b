#!/usr/bin/python3
"""The program of Steward's generic worker for the python and shell runtimes (see steward_function).

A script run as a program is compiled at every start; a module it imports is compiled once and then
read from its cached bytecode. So the program is this stub, and the worker a module (its compiling
was about 3.4 ms of every python cold start)."""
import steward_function

steward_function.main()
