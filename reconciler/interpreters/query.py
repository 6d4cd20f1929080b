"""Interpreter facts, asked of the interpreter itself once and cached (interpreter stage).

May touch: the interpreter it queries (one run of a small script printing JSON) and the
``interpreters/`` cache, keyed by the executable's path, size and mtime. The facts (complete
marker environment, wheel tags, paths) are computed *by the target*, never by accord's own
interpreter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

from packaging.version import Version

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import InterpreterNotFound

__all__ = ["MINIMUM_VERSION", "query_interpreter"]

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
    """What the facts of ``path`` depend on: the file it resolves to (its mtime and size), the
    path itself when it is a file of its own (a venv made with copies), and the text of the
    ``pyvenv.cfg`` of the venv it may be in. A venv made again at the same place on the same
    interpreter (a fresh sync) has the same key, as uv's cache has (keyed by the resolved
    executable); a venv made on another interpreter, or whose ``home`` was edited, has not."""
    import packaging  # already loaded; its version changes the tags it computes

    real = os.path.realpath(path)
    link, target = os.lstat(path), os.stat(real)
    try:
        cfg: str | None = hashlib.sha256(
            (path.parent.parent / "pyvenv.cfg").read_bytes()
        ).hexdigest()
    except OSError:
        cfg = None
    own = None if stat.S_ISLNK(link.st_mode) else [link.st_mtime_ns, link.st_size]
    return {
        "path": str(path),
        "own": own,
        "real": real,
        "real_mtime_ns": target.st_mtime_ns,
        "real_size": target.st_size,
        "pyvenv_cfg": cfg,
        "script": _SCRIPT_DIGEST,
        "packaging": packaging.__version__,
    }


def _cache_file(path: Path) -> Path:
    from accord.reconciler.cachedir import cache_subdir

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
    from accord.reconciler.fsutil import write_atomic

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
