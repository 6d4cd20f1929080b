"""Python interpreters: find the one a request asks for, and query it once (cached).

Entry: ``find.find_interpreter(...)``, ``query.query_interpreter(path)``; ``requests`` reads a
``--python`` or ``.python-version`` request; ``layout`` says where an environment keeps its
interpreter, ``pyvenv.cfg`` and site-packages.
"""
