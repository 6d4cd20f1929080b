"""Interpreter stage: find the Python a project runs on (search order, checks; the requests
are read by ``reconciler.interpreters.requests``).

May touch: ``PATH`` and pyenv's ``versions/`` directory (listing only) and ``.python-version``
files; each candidate's facts come from ``reconciler.interpreters.query`` (queried once,
cached). The answer is a ``model.interpreter.Interpreter``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import InterpreterIncompatible, InterpreterNotFound, ProjectInvalid
from accord.reconciler.interpreters.query import MINIMUM_VERSION, query_interpreter
from accord.reconciler.interpreters.requests import (
    AnyRequest,
    NameRequest,
    PathRequest,
    PythonRequest,
    VersionRequest,
    parse_python_request,
)

__all__ = ["find_interpreter", "query_interpreter", "read_version_file"]

_EXECUTABLE_RE = re.compile(r"^python(?:3(?:\.\d+)?)?$")


# --- querying -------------------------------------------------------------------------------


def find_interpreter(
    *,
    request: str | None,
    project_dir: Path | None,
    requires_python: SpecifierSet | None,
    existing_venv: Path | None,
    origin: Callable[[Version], str] | None = None,
) -> Interpreter:
    """Choose the interpreter for a project (DESIGN.md "Interpreters"; uv-run-behaviour §c).

    The request is ``request`` (``--python``), else the nearest ``.python-version`` from
    ``project_dir`` upward, else ``requires_python``. An ``existing_venv`` whose interpreter
    satisfies the request and ``requires_python`` wins (its own, venv, facts are returned).
    ``origin`` words where ``requires_python`` comes from, for the found version it excludes
    (``workspace member `b`'s `project.requires-python`)``, ending as uv ends it).
    Otherwise PATH (shims skipped) and pyenv's versions are searched. Raises
    ``InterpreterNotFound`` when nothing matches, ``InterpreterIncompatible`` when an explicit
    request or ``.python-version`` resolves outside ``requires_python``.
    """
    source: str | None = None
    version_file: Path | None = None
    parsed: PythonRequest = AnyRequest()
    if request is not None:
        parsed, source = parse_python_request(request), "request"
    elif project_dir is not None and (pinned := _read_python_version(project_dir)) is not None:
        parsed, source = parse_python_request(pinned[0]), ".python-version"
        version_file = pinned[1]
    elif requires_python is not None:
        parsed = VersionRequest(
            specifier=requires_python, text=", ".join(str(s) for s in requires_python)
        )

    if existing_venv is not None:
        from accord.reconciler.interpreters.layout import venv_interpreter_path

        current = _try_query(venv_interpreter_path(existing_venv))
        if (
            current is not None
            and current.is_venv
            and _satisfies(parsed, current)
            and (requires_python is None or requires_python.contains(current.version, True))
        ):
            return current

    try:
        found = _resolve(parsed)
    except InterpreterNotFound as exc:
        if source != ".python-version":
            raise
        # Name the file the request came from (a stray or garbled `.python-version`).
        raise InterpreterNotFound(
            f"{exc.message} (requested by `{version_file}`)",
            hint="fix or remove the `.python-version` file, or pass `--python`",
        ) from exc
    if requires_python is not None and not requires_python.contains(found.version, True):
        spec = ", ".join(str(s) for s in requires_python)
        if source == ".python-version":
            raise InterpreterIncompatible(
                f"The Python request from `.python-version` resolved to Python {found.version},"
                f" which is incompatible with the project's Python requirement: `{spec}`",
                hint="update the `.python-version` file to a compatible version",
            )
        raise InterpreterIncompatible(
            f"The requested interpreter resolved to Python {found.version}, which is"
            f" incompatible with the project's Python requirement: `{spec}`"
            f" (from {origin(found.version) if origin else '`project.requires-python`)'}",
            hint=f"request a Python that satisfies `{spec}`, or change the project's"
            " requires-python",
        )
    return found


def _read_python_version(start: Path) -> tuple[str, Path] | None:
    """The first request line of the nearest `.python-version` at or above ``start``, and
    the file. A file that is not UTF-8 text is an error naming it (uv's words).

    As uv 0.13.8 reads the file: a line that can only be an executable name (``foo``,
    ``3.11 3.12``) is not a request it supports there, and is skipped with a warning (said
    once per process, and kept for the runs that do not read the file again); the next line
    is the request. A file with no other line asks for nothing.
    """
    for directory in (start.absolute(), *start.absolute().parents):
        path = directory / ".python-version"
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ProjectInvalid(
                f"Failed to read from file `{path}`: stream did not contain valid UTF-8",
                path=path,
            ) from exc
        except OSError:
            continue
        found: tuple[str, Path] | None = None
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if isinstance(parse_python_request(line), NameRequest):
                _warn_once(f"Ignoring unsupported Python request `{line}` in version file: {path}")
            elif found is None:
                found = line, path
        return found
    return None


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """uv's ``warn_user_once``: each warning once per process (the file may be read twice)."""
    if message not in _warned:
        _warned.add(message)
        from accord.reconciler.notices import INTERPRETER, warn

        warn(message, when=INTERPRETER)


def read_version_file(start: Path | None) -> None:
    """Read the nearest `.python-version` at or above ``start`` (None: none is read) for its
    warnings, so that they are said now, in uv's place among the lines, when the interpreter
    itself is looked for later (or on another thread)."""
    if start is not None:
        _read_python_version(start)


def _try_query(executable: Path) -> Interpreter | None:
    try:
        return query_interpreter(executable)
    except InterpreterNotFound:
        return None


def _satisfies(request: PythonRequest, interpreter: Interpreter) -> bool:
    if isinstance(request, AnyRequest):
        return True
    if isinstance(request, VersionRequest):
        return request.matches(interpreter)
    executable = (
        _executable_in(request.path)
        if isinstance(request, PathRequest)
        else _lookup_name(request.name)
    )
    if executable is None:
        return False
    real = os.path.realpath(executable)
    return real in (
        os.path.realpath(interpreter.base_executable),
        os.path.realpath(interpreter.executable),
    )


def _resolve(request: PythonRequest) -> Interpreter:
    if isinstance(request, PathRequest):
        executable = _executable_in(request.path)
        if executable is None:
            raise InterpreterNotFound(f"No interpreter found at path `{request.path}`")
        return query_interpreter(executable)
    if isinstance(request, NameRequest):
        executable = _lookup_name(request.name)
        if executable is None:
            raise InterpreterNotFound(
                f"No interpreter found with executable name `{request.name}` in PATH or pyenv"
                " versions"
            )
        return query_interpreter(executable)
    if isinstance(request, AnyRequest):
        for candidate in _path_candidates():
            if (interpreter := _try_query(candidate)) is not None:
                return interpreter
        for candidate in _pyenv_candidates():
            if (interpreter := _try_query(candidate)) is not None:
                return interpreter
        raise InterpreterNotFound(
            "No interpreter found for Python in PATH or pyenv versions",
            hint=f"install Python {MINIMUM_VERSION} or newer, or pass --python PATH",
        )
    candidates: dict[str, Path] = {}
    for candidate in (*_path_candidates(), *_pyenv_candidates()):
        candidates.setdefault(os.path.realpath(candidate), candidate)
    # uv's rule: the first interpreter in search order that matches wins (not the newest).
    everything: list[Interpreter | None] = []
    for candidate in candidates.values():
        interpreter = _try_query(candidate)
        if interpreter is not None and request.matches(interpreter):
            return interpreter
        everything.append(interpreter)
    seen = sorted((i for i in everything if i is not None), key=lambda i: i.version)
    listing = ", ".join(f"{i.version} ({i.base_executable})" for i in seen)
    raise InterpreterNotFound(
        f"No interpreter found for {request.describe()} in PATH or pyenv versions",
        hint=f"found: {listing}" if listing else "no Python 3.8+ interpreter was found",
    )


def _executable_in(path: Path) -> Path | None:
    """``path`` itself when it is a file, else the interpreter inside a venv/prefix dir."""
    path = path.expanduser()
    if path.is_dir():
        # a venv's interpreter is `bin/python`; in an installation `python` may be Python 2
        names: tuple[str, ...] = (
            ("bin/python", "bin/python3") if (path / "pyvenv.cfg").is_file() else ()
        )
        for name in (*names, "bin/python3", "bin/python", "python3", "python"):
            if (path / name).is_file():
                return path / name
        return None
    return path if path.is_file() else None


def _lookup_name(name: str) -> Path | None:
    for directory in (*_path_dirs(), *(d / "bin" for d in _pyenv_version_dirs())):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _path_dirs() -> Iterator[Path]:
    # pyenv's shims refuse versions that are not activated; its versions are searched directly.
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and "shims" not in Path(entry).parts:
            yield Path(entry)


def _is_venv_executable(path: Path) -> bool:
    return (path.parent.parent / "pyvenv.cfg").exists() or (path.parent / "pyvenv.cfg").exists()


def _active_pyenv_executables() -> list[Path]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = []
    for name in _pyenv_active_versions(root):
        for executable in ("python3", "python"):
            if (root / "versions" / name / "bin" / executable).is_file():
                found.append(root / "versions" / name / "bin" / executable)
                break
    return found


def _path_candidates() -> Iterator[Path]:
    """System interpreters on PATH; per directory `python3`, `python3.X` newest first, `python`.

    A pyenv shims directory stands, at its place in PATH, for pyenv's active versions (what
    the shim would run), since the shims themselves refuse versions that are not active.
    """
    seen: set[str] = set()
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and "shims" in Path(entry).parts:
            for candidate in _active_pyenv_executables():
                real = os.path.realpath(candidate)
                if real not in seen:
                    seen.add(real)
                    yield candidate
            continue
        if not entry:
            continue
        directory = Path(entry)
        try:
            names = [n for n in os.listdir(directory) if _EXECUTABLE_RE.match(n)]
        except OSError:
            continue
        names.sort(key=_name_rank)
        for name in names:
            candidate = directory / name
            if not os.access(candidate, os.X_OK) or _is_venv_executable(candidate):
                continue
            real = os.path.realpath(candidate)
            if real not in seen:
                seen.add(real)
                yield candidate


def _name_rank(name: str) -> tuple[int, int]:
    if name == "python3":
        return (0, 0)
    if name == "python":
        return (2, 0)
    return (1, -int(name.rsplit(".", 1)[1]))


def _pyenv_version_dirs() -> list[Path]:
    """pyenv's version directories, newest plain version first, skipping ones older than 3.8."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    ranked: list[tuple[Version, Path]] = []
    for entry in entries:
        try:
            version = Version(entry.name)
        except ValueError:
            version = Version("0")  # a named version (miniconda3, 3.12-dev): queried to learn
        else:
            if version < MINIMUM_VERSION:
                continue
        ranked.append((version, entry))
    ranked.sort(key=lambda item: item[0], reverse=True)
    # pyenv's active versions (PYENV_VERSION, else the global `version` file) come first:
    # they are what the `python3` shim on PATH would run.
    active = _pyenv_active_versions(root.parent)
    ranked.sort(
        key=lambda item: active.index(item[1].name) if item[1].name in active else len(active)
    )
    return [entry for _, entry in ranked]


def _pyenv_active_versions(pyenv_root: Path) -> list[str]:
    raw = os.environ.get("PYENV_VERSION")
    if raw is None:
        try:
            raw = (pyenv_root / "version").read_text(encoding="utf-8")
        except OSError:
            return []
    return [word for word in raw.replace(":", " ").split() if not word.startswith("#")]


def _pyenv_candidates() -> Iterator[Path]:
    for directory in _pyenv_version_dirs():
        if (directory / "pyvenv.cfg").exists():  # a pyenv-virtualenv environment
            continue
        for name in ("python3", "python"):
            if (directory / "bin" / name).is_file():
                yield directory / "bin" / name
                break
