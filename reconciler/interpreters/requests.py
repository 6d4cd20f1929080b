"""Interpreter stage: the requests for an interpreter (``--python``, ``.python-version``), read
as uv reads them (pure parsing; a path request looks whether the path exists)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from accord.model.interpreter import Interpreter

__all__ = [
    "AnyRequest",
    "NameRequest",
    "PathRequest",
    "PythonRequest",
    "VersionRequest",
    "parse_python_request",
]

_IMPLEMENTATIONS = {
    "cpython": "cpython",
    "cp": "cpython",
    "pypy": "pypy",
    "pp": "pypy",
    "graalpy": "graalpy",
    "gp": "graalpy",
}
_DISPLAY = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}
_REQUEST_RE = re.compile(r"^(?:(?P<impl>cpython|cp|pypy|pp|graalpy|gp|python)@?)?(?P<version>.*)$")
_PLAIN_VERSION_RE = re.compile(r"^\d+(?:\.\d+){0,2}(?:(?:a|b|rc)\d+)?$")


@attrs.frozen
class AnyRequest:
    """No constraint (`any`, `default`, `python`, or no request at all)."""

    def describe(self) -> str:
        return "Python"


@attrs.frozen
class VersionRequest:
    """A version (`3.12`, `>=3.11,<3.13`), optionally of one implementation (`cpython@3.12`)."""

    specifier: SpecifierSet
    implementation: str | None = None
    """Long implementation name (`cpython`, `pypy`); None for any."""
    text: str = ""
    """The version as the user wrote it, for messages."""

    def describe(self) -> str:
        name = _DISPLAY.get(self.implementation or "", "Python")
        return f"{name} {self.text}" if self.text else name

    def matches(self, interpreter: Interpreter) -> bool:
        if self.implementation is not None and interpreter.implementation != self.implementation:
            return False
        return self.specifier.contains(interpreter.version, prereleases=True)


@attrs.frozen
class PathRequest:
    """An interpreter executable, or a directory holding one (a venv or an installation)."""

    path: Path

    def describe(self) -> str:
        return f"path `{self.path}`"


@attrs.frozen
class NameRequest:
    """An executable name looked up on PATH (then in pyenv's versions)."""

    name: str

    def describe(self) -> str:
        return f"executable name `{self.name}`"


PythonRequest = AnyRequest | VersionRequest | PathRequest | NameRequest


def parse_python_request(text: str) -> PythonRequest:
    """Parse a `--python` / `.python-version` value the way uv does.

    Versions and implementations first (`3.12`, `312`, `cpython@3.12`, `cp312`, `python3.12`,
    `>=3.11,<3.13`), then an existing path or anything path-like, else an executable name.
    """
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("", "any", "default", "python"):
        return AnyRequest()
    match = _REQUEST_RE.match(lowered)
    if match is not None:
        impl = match["impl"]
        specifier = _parse_version(match["version"])
        if specifier is not None:
            return VersionRequest(
                specifier=specifier[0],
                implementation=_IMPLEMENTATIONS.get(impl or ""),
                text=specifier[1],
            )
        if impl is not None and impl != "python" and not match["version"]:
            return VersionRequest(specifier=SpecifierSet(), implementation=_IMPLEMENTATIONS[impl])
    path = Path(stripped).expanduser()
    if os.sep in stripped or stripped.startswith(("~", ".")) or path.exists():
        return PathRequest(path)
    return NameRequest(stripped)


def _parse_version(text: str) -> tuple[SpecifierSet, str] | None:
    if not text:
        return None
    if _PLAIN_VERSION_RE.match(text):
        if "." not in text and len(text) > 1 and text.isdigit():
            text = f"{text[0]}.{text[1:]}"  # uv reads `312` as 3.12
        parts = text.split(".")
        if len(parts) < 3 and parts[-1].isdigit():
            return SpecifierSet(f"=={text}.*"), text
        return SpecifierSet(f"=={text}"), text
    if not any(op in text for op in "<>=!~"):
        return None
    try:
        specifier = SpecifierSet(text)
    except InvalidSpecifier:
        return None
    return specifier, ", ".join(str(s) for s in specifier)
