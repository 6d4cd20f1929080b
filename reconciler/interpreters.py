"""Interpreter stage: find the Python a project runs on, and learn its facts once.

May touch: the interpreters it runs (one query each, a small script printing JSON), ``PATH``
and pyenv's ``versions/`` directory (listing only), ``.python-version`` files, and the
``interpreters/`` cache. The answer is a ``model.interpreter.Interpreter`` with the target's
complete marker environment and wheel tags, computed *by the target*, never by accord's own
interpreter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from model.interpreter import Interpreter
from reconciler.errors import InterpreterIncompatible, InterpreterNotFound

__all__ = [
    "AnyRequest",
    "NameRequest",
    "PathRequest",
    "PythonRequest",
    "VersionRequest",
    "find_interpreter",
    "parse_python_request",
    "query_interpreter",
]

MINIMUM_VERSION = Version("3.8")

# Runs inside the *target* interpreter under `-E -s` plus dropping the `-c` cwd entry, i.e. `-I`
# spelled so that Python 2 understands it (not `-S`: site.py is what sets a venv's sys.prefix).
# It must parse on Python 2 so that old interpreters answer "unsupported" instead of crashing.
# packaging is taken from accord's own installation (argv[1]) first; accord's packaging may need
# a newer Python than the target (packaging 26 needs 3.9), so it falls back to pip's vendored
# copy in the base prefix, then to the target's own packaging.
_QUERY_SCRIPT = r"""
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]  # the cwd must not shadow json or packaging
import json, os
if sys.version_info < (3, 8):
    print(json.dumps({"unsupported": "%d.%d.%d" % tuple(sys.version_info[:3])}))
    sys.exit(0)
import sysconfig


def load_packaging(accord_dir):
    sys.path.insert(0, accord_dir)
    try:
        from packaging import markers, tags
        return markers, tags, "accord"
    except Exception:
        pass
    sys.path.remove(accord_dir)
    for name in [n for n in sys.modules if n == "packaging" or n.startswith("packaging.")]:
        del sys.modules[name]
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    sys.path.append(sysconfig.get_paths(vars=base)["purelib"])
    try:
        from pip._vendor.packaging import markers, tags
        return markers, tags, "pip"
    except Exception:
        pass
    from packaging import markers, tags
    return markers, tags, "target"


def base_executable():
    exe = getattr(sys, "_base_executable", "") or sys.executable
    real = os.path.realpath(exe)
    if sys.prefix != sys.base_prefix and real.startswith(os.path.realpath(sys.prefix) + os.sep):
        # a venv made with copies: the base is the same version's binary in the base prefix
        v = sys.version_info
        for name in ("python%d.%d" % v[:2], "python%d" % v[0], "python"):
            candidate = os.path.join(sys.base_prefix, "bin", name)
            if os.path.exists(candidate):
                return os.path.realpath(candidate)
    return real


markers, tags, source = load_packaging(sys.argv[1])
v = sys.version_info
pre = {"alpha": "a", "beta": "b", "candidate": "rc"}.get(v.releaselevel)
paths = sysconfig.get_paths()
print(json.dumps({
    "base_executable": base_executable(),
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "version": "%d.%d.%d" % v[:3] + ("%s%d" % (pre, v.serial) if pre else ""),
    "implementation": sys.implementation.name,
    "markers": markers.default_environment(),
    "tags": [str(t) for t in tags.sys_tags()],
    "purelib": paths["purelib"],
    "scripts": paths["scripts"],
    "packaging_source": source,
}))
"""
_SCRIPT_DIGEST = hashlib.sha256(_QUERY_SCRIPT.encode()).hexdigest()[:16]
_CACHE_FORMAT = 1

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
_EXECUTABLE_RE = re.compile(r"^python(?:3(?:\.\d+)?)?$")


# --- requests -------------------------------------------------------------------------------


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


# --- querying -------------------------------------------------------------------------------


def query_interpreter(executable: Path) -> Interpreter:
    """Run ``executable`` once and return its facts; later calls read them from the cache.

    The cache entry is keyed by the path and by mtime and size of both the path and the file it
    resolves to, so a replaced interpreter is queried afresh. Raises ``InterpreterNotFound`` when
    the executable cannot be run, answers nonsense, or is older than Python 3.8.
    """
    path = Path(os.path.abspath(executable))
    try:
        key = _cache_key(path)
    except OSError as exc:
        raise InterpreterNotFound(
            f"No interpreter found at path `{path}`: {exc.strerror or exc}"
        ) from exc
    cache_file = _cache_file(path)
    answer = _read_cache(cache_file, key)
    if answer is None:
        answer = _run_query(path)
        _write_cache(cache_file, {"format": _CACHE_FORMAT, "key": key, **answer})
    if "unsupported" in answer:
        raise InterpreterNotFound(
            f"Python {answer['unsupported']} at `{path}` is not supported: accord needs Python"
            f" {MINIMUM_VERSION} or newer",
        )
    try:
        return _interpreter_from_answer(path, answer)
    except (KeyError, TypeError, ValueError) as exc:
        raise InterpreterNotFound(f"Interpreter `{path}` gave an unreadable answer: {exc}") from exc


def _cache_key(path: Path) -> dict[str, Any]:
    import packaging  # already loaded; its version changes the tags it computes

    real = os.path.realpath(path)
    link, target = os.lstat(path), os.stat(real)
    try:
        cfg: int | None = os.stat(path.parent.parent / "pyvenv.cfg").st_mtime_ns
    except OSError:
        cfg = None
    return {
        "path": str(path),
        "mtime_ns": link.st_mtime_ns,
        "size": link.st_size,
        "real": real,
        "real_mtime_ns": target.st_mtime_ns,
        "real_size": target.st_size,
        "pyvenv_cfg_mtime_ns": cfg,
        "script": _SCRIPT_DIGEST,
        "packaging": packaging.__version__,
    }


def _cache_file(path: Path) -> Path:
    from reconciler.cachedir import cache_subdir

    return cache_subdir("interpreters") / f"{hashlib.sha256(str(path).encode()).hexdigest()}.json"


def _read_cache(cache_file: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    # A missing, unreadable or stale entry is not an error: the interpreter is simply re-queried.
    try:
        entry = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT:
        return None
    if entry.get("key") != key:
        return None
    return entry


def _write_cache(cache_file: Path, entry: dict[str, Any]) -> None:

    # The cache is an optimisation: a read-only or full cache directory must not stop a run.
    from reconciler.fsutil import write_atomic

    with contextlib.suppress(OSError):
        write_atomic(cache_file, json.dumps(entry))


def _run_query(path: Path) -> dict[str, Any]:
    import packaging

    accord_dir = str(Path(packaging.__file__).resolve().parent.parent)
    try:
        proc = subprocess.run(
            [str(path), "-E", "-s", "-c", _QUERY_SCRIPT, accord_dir],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InterpreterNotFound(f"Interpreter `{path}` could not be run: {exc}") from exc
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InterpreterNotFound(
            f"Interpreter `{path}` failed to report its facts (exit status {proc.returncode}):"
            f" {last}"
        )
    try:
        answer = json.loads(proc.stdout)
    except ValueError as exc:
        raise InterpreterNotFound(f"Interpreter `{path}` gave an unreadable answer") from exc
    if not isinstance(answer, dict):
        raise InterpreterNotFound(f"Interpreter `{path}` gave an unreadable answer")
    return answer


def _interpreter_from_answer(path: Path, answer: dict[str, Any]) -> Interpreter:
    markers = answer["markers"]
    return Interpreter(
        executable=path,
        base_executable=Path(answer["base_executable"]),
        prefix=Path(answer["prefix"]),
        base_prefix=Path(answer["base_prefix"]),
        version=Version(answer["version"]),
        implementation=str(answer["implementation"]),
        markers=tuple(sorted((str(k), str(v)) for k, v in markers.items())),
        tags=tuple(str(t) for t in answer["tags"]),
        purelib=Path(answer["purelib"]),
        scripts=Path(answer["scripts"]),
    )


# --- discovery ------------------------------------------------------------------------------


def find_interpreter(
    *,
    request: str | None,
    project_dir: Path | None,
    requires_python: SpecifierSet | None,
    existing_venv: Path | None,
) -> Interpreter:
    """Choose the interpreter for a project (DESIGN.md "Interpreters"; uv-run-behaviour §c).

    The request is ``request`` (``--python``), else the nearest ``.python-version`` from
    ``project_dir`` upward, else ``requires_python``. An ``existing_venv`` whose interpreter
    satisfies the request and ``requires_python`` wins (its own, venv, facts are returned).
    Otherwise PATH (shims skipped) and pyenv's versions are searched. Raises
    ``InterpreterNotFound`` when nothing matches, ``InterpreterIncompatible`` when an explicit
    request or ``.python-version`` resolves outside ``requires_python``.
    """
    source: str | None = None
    parsed: PythonRequest = AnyRequest()
    if request is not None:
        parsed, source = parse_python_request(request), "request"
    elif project_dir is not None and (pinned := _read_python_version(project_dir)) is not None:
        parsed, source = parse_python_request(pinned), ".python-version"
    elif requires_python is not None:
        parsed = VersionRequest(
            specifier=requires_python, text=", ".join(str(s) for s in requires_python)
        )

    if existing_venv is not None:
        from reconciler.venv import venv_interpreter_path

        current = _try_query(venv_interpreter_path(existing_venv))
        if (
            current is not None
            and current.is_venv
            and _satisfies(parsed, current)
            and (requires_python is None or requires_python.contains(current.version, True))
        ):
            return current

    found = _resolve(parsed)
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
            f" incompatible with the project's Python requirement: `{spec}`",
            hint=f"request a Python that satisfies `{spec}`, or change the project's"
            " requires-python",
        )
    return found


def _read_python_version(start: Path) -> str | None:
    """The first request line of the nearest `.python-version` at or above ``start``."""
    for directory in (start.absolute(), *start.absolute().parents):
        try:
            text = (directory / ".python-version").read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                return line
    return None


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


def _newest(interpreters: Iterator[Interpreter | None]) -> Interpreter | None:
    best: Interpreter | None = None
    for interpreter in interpreters:  # first found wins a tie
        if interpreter is not None and (best is None or interpreter.version > best.version):
            best = interpreter
    return best


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
