"""accord's imperative shell: every stage that reads or writes files, talks to an index,
installs or executes lives here, and turns what it reads into ``model`` values at once."""

__version__ = "0.1.0"
"""Kept equal to pyproject.toml's version (a test checks); read without importlib.metadata,
which costs ~10 ms on the slow path."""
