"""Interpreter facts as a value (pure).

The shell queries a target interpreter once (``reconciler.interpreters.find``) and hands its answer
here. Markers and wheel tags are always evaluated against these facts, never against the
interpreter running accord (packaging falls back to the running one when given less).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping
from pathlib import PurePath

import attrs
from packaging.version import Version

__all__ = ["Interpreter"]


@attrs.frozen(kw_only=True)
class Interpreter:
    """A Python interpreter accord can create environments from or run commands with."""

    executable: PurePath
    """The interpreter binary as found (a venv's python, a pyenv version's python, ...)."""
    base_executable: PurePath
    """The real interpreter behind ``executable`` (``sys._base_executable``-like, resolved)."""
    prefix: PurePath
    base_prefix: PurePath
    version: Version
    """``python_full_version``."""
    implementation: str
    """``sys.implementation.name``, e.g. ``cpython``."""
    markers: tuple[tuple[str, str], ...]
    """The complete PEP 508 marker environment, as sorted (name, value) pairs."""
    tags: tuple[str, ...]
    """Supported wheel tags (``py3-none-any`` form), most preferred first."""
    purelib: PurePath
    """The ``purelib`` path of this interpreter's prefix (its site-packages)."""
    scripts: PurePath
    """The ``scripts`` path of this interpreter's prefix (``bin`` on POSIX)."""

    @property
    def is_venv(self) -> bool:
        return self.prefix != self.base_prefix

    @property
    def display_name(self) -> str:
        """``CPython 3.11.7``: how uv names an interpreter."""
        names = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}
        return f"{names.get(self.implementation, self.implementation)} {self.version}"

    @property
    def using_line(self) -> str:
        """What uv says when it takes this interpreter from outside the project's environment
        (to create one, or to lock or export without one): the path it was found at, as uv
        shows ``sys.executable`` (``bin/python3``, not the ``python3.11`` it links to)."""
        return f"Using {self.display_name} interpreter at: {self.executable}"

    @property
    def python_version(self) -> str:
        """``major.minor``, e.g. ``3.11``."""
        return f"{self.version.major}.{self.version.minor}"

    def marker_environment(self) -> dict[str, str]:
        """A fresh dict for ``Marker.evaluate``; complete, so nothing falls back to the runner."""
        return dict(self.markers)

    def tag_priority(self) -> Mapping[str, int]:
        """Tag → rank (0 is best), for choosing among a package's wheels (made once per list
        of tags: a sync asks for it per package, and CPython lists about 900)."""
        return _tag_priority(self.tags)


@functools.lru_cache(maxsize=8)
def _tag_priority(tags: tuple[str, ...]) -> Mapping[str, int]:
    return types.MappingProxyType({tag: rank for rank, tag in enumerate(tags)})
