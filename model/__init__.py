"""accord's pure core: values describing locks, interpreters and environments, and the diff.

Nothing in this package touches files, the network, subprocesses, the clock or the running
interpreter. It imports only the standard library, attrs and packaging.
"""
