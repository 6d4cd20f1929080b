"""accord: ``accord run`` as a declarative reconciler.

The only import package accord installs. In the repository, ``accord/model`` and
``accord/reconciler`` are links to the top-level folders ``model/`` (the pure core) and
``reconciler/`` (the imperative shell); in the wheel they are real folders.
"""
