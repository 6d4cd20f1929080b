"""The replay: a project environment made again from its recipe, without resolving or planning.

Standard library only, like ``fastpath``: ``reconciler.entry`` imports it when ``accord run`` or
``accord sync`` finds no environment at ``<project>/.venv``. After a slow-path sync that made
the project's environment from nothing, ``reconciler.run.recipe`` left a *recipe* in the cache:
every input that decided that sync (the stamp's files, globs and timestamps, the options, the
variables, the interpreter and what its discovery looked at) and the environment it made, as
operations: directories, symbolic links, the package trees hard-linked from the unpacked wheels
in the cache (``cp -al``, two at once), single files linked, and the files written for that
environment alone (``pyvenv.cfg``, scripts, ``INSTALLER``, ``RECORD``). When every input is
unchanged, the replay makes the same environment in a staging directory beside it under the
environment's lock, renames it into place, writes the stamp, prints what the slow path printed,
and then runs the command. Any doubt (a changed input, a cache entry gone, a failed link) leaves
nothing behind and falls through to the slow path.
"""

# No ``from __future__ import annotations``: see fastpath.
import contextlib
import marshal
import os
import sys
import time

from accord.model.elapsed import format_elapsed
from accord.reconciler.fastargs import active_choice, active_elsewhere, no_sync_asked
from accord.reconciler.fastpath import (
    STAMP_NAME,
    compute_key,
    file_digest,
    format_stamp,
    glob_digest,
    path_status,
    python_version_file,
    say_warnings,
    sha256,
    try_fast_path,
    virtual_env_warning,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "RECIPE_VERSION",
    "environment_lock_path",
    "input_key",
    "lock_directory",
    "recipe_path",
    "replay_cache_root",
    "try_replay",
]

RECIPE_VERSION = 8  # 8: the warnings about the project's files are said again
INSTALLED = "\x00"
"""Where the recipe's text has the time the install took."""
RESOLVED = "\x01"
"""Where the recipe's text has the time the lock check took."""
_STAGING = ".tmp-replay-"

# Variables whose value is an input of the sync (uv's and accord's own, pyenv's and the
# XDG directories: settings, interpreter discovery, the cache) besides PATH and HOME.
_PREFIXES = ("UV_", "ACCORD_", "PYENV", "XDG_", "PYTHON")
_NAMES = ("PATH", "HOME", "CONDA_PREFIX")


def replay_cache_root(environ: "Mapping[str, str]") -> str | None:
    """accord's cache root as ``reconciler.cachedir`` finds it, on Linux; None elsewhere."""
    configured = environ.get("ACCORD_CACHE_DIR") or environ.get("UV_CACHE_DIR")
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    if not sys.platform.startswith("linux"):
        return None
    base = environ.get("XDG_CACHE_HOME", "").strip()
    if not base:
        base = os.path.expanduser("~/.cache")
    return os.path.join(base, "accord")


def lock_directory() -> str:
    """Where environment locks live: the first writable temporary directory, as
    ``tempfile.gettempdir`` chooses it (importing tempfile costs ~15 ms)."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = os.environ.get(name)
        if value and os.path.isdir(value) and os.access(value, os.W_OK | os.X_OK):
            return os.path.abspath(value)
    for candidate in ("/tmp", "/var/tmp", "/usr/tmp"):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return os.getcwd()


def environment_lock_path(venv: str) -> str:
    """The lock file outside the environment that serialises syncs of ``venv``."""
    real = os.path.realpath(os.path.abspath(venv))
    digest = sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(lock_directory(), f"accord-env-{digest}.lock")


def recipe_path(cache: str, cwd: str, project_dir: str, command: str, options: list[str]) -> str:
    """The recipe of ``accord COMMAND OPTIONS`` run from ``cwd`` in ``project_dir``."""
    locator = repr((RECIPE_VERSION, sys.version, cwd, project_dir, command, tuple(options)))
    name = sha256(locator.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(cache, "replay-v1", f"{name}.recipe")


def input_key(
    project_dir: str,
    venv: str,
    interpreter: str,
    options: list[str],
    files: list[str],
    globs: list[tuple[str, str]],
    stats: list[str],
) -> str | None:
    """The digest of every input a fresh sync of ``venv`` depends on; None when the
    interpreter is gone.

    The stamp's inputs (``fastpath.compute_key``) but the environment's own state (absent here),
    and what choosing an interpreter looks at: the variables, each PATH directory's listing
    (its inode and ctime, which any entry added or removed changes), pyenv's version file and
    versions, and the interpreter chosen last time.
    """
    try:
        status = os.stat(interpreter)
    except OSError:
        return None
    environ = os.environ
    variables = sorted(
        (name, value)
        for name, value in environ.items()
        if (name.startswith(_PREFIXES) or name in _NAMES) and "RECURSION_DEPTH" not in name
    )
    pyenv = environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    inside = venv.rstrip(os.sep) + os.sep
    payload = (
        RECIPE_VERSION,
        project_dir,
        venv,
        tuple(options),
        tuple((path, file_digest(path)) for path in files),
        tuple((d, p, glob_digest(d, p)) for d, p in globs),
        python_version_file(project_dir),
        file_digest(python_version_file(project_dir) or os.devnull),
        tuple(variables),
        tuple(
            (entry, path_status(entry))
            for entry in environ.get("PATH", "").split(os.pathsep)
            if entry
        ),
        file_digest(os.path.join(pyenv, "version")),
        path_status(os.path.join(pyenv, "versions")),
        (interpreter, status.st_size, status.st_mtime_ns),
        tuple((path, path_status(path)) for path in stats if not path.startswith(inside)),
    )
    return sha256(repr(payload).encode("utf-8", "surrogateescape")).hexdigest()


LINKING = ("cp", "-al", "--remove-destination", "--")
"""How package trees are linked (GNU coreutils; the destination directory goes last), by the
apply (``install.links``) and the replay alike."""


def _spawn_links(sources: list[str], destination: str) -> int:
    """Start ``cp -al SOURCES DESTINATION``; its pid."""
    return os.posix_spawnp("cp", [*LINKING, *sources, destination], os.environ)


def _wait(pids: list[int]) -> bool:
    ok = True
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        ok = ok and os.waitstatus_to_exitcode(status) == 0
    return ok


def _build(recipe: dict, staging: str) -> bool:  # type: ignore[type-arg]
    """Lay the recipe's environment out in ``staging``; False at the first failure."""
    for relative in recipe["dirs"]:
        os.mkdir(os.path.join(staging, relative))
    # The first stage of links runs while Python lays out the rest; later stages (entries
    # several wheels share) merge into it, one after the other.
    stages = recipe["trees"] or [[]]
    pids = [_spawn_links(sources, os.path.join(staging, dest)) for dest, sources in stages[0]]
    ok = True
    try:
        for relative, target in recipe["symlinks"]:
            os.symlink(target, os.path.join(staging, relative))
        for source, relative in recipe["links"]:
            os.link(source, os.path.join(staging, relative))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        for relative, mode, data in recipe["writes"]:
            descriptor = os.open(os.path.join(staging, relative), flags, mode)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
        for source, relative, mode in recipe["copies"]:
            _copy(source, os.path.join(staging, relative), mode)
    except OSError:
        ok = False
    finally:
        ok = _wait(pids) and ok
    for stage in stages[1:]:
        if not ok:
            break
        ok = _wait([_spawn_links(sources, os.path.join(staging, dest)) for dest, sources in stage])
    return ok


def _copy(source: str, destination: str, mode: int) -> None:
    """Copy a file's bytes in the kernel where it can (``copy_file_range``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    reader = os.open(source, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        writer = os.open(destination, flags, mode)
        try:
            size = os.fstat(reader).st_size
            copy = getattr(os, "copy_file_range", None)
            done = 0
            while done < size:
                step = 0
                if copy is not None:
                    try:
                        step = copy(reader, writer, size - done)
                    except OSError:  # a filesystem or kernel without it: read and write
                        copy = None
                if copy is None:
                    step = os.write(writer, os.read(reader, min(size - done, 1 << 20)))
                if step <= 0:
                    raise OSError("short copy")
                done += step
        finally:
            os.close(writer)
    finally:
        os.close(reader)


def _materialize(recipe: dict, venv: str) -> bool:  # type: ignore[type-arg]
    """Make ``venv`` from ``recipe`` under the environment's lock; False (nothing left behind)
    when it cannot."""
    import fcntl

    parent, name = os.path.split(venv)
    try:
        descriptor = os.open(environment_lock_path(venv), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if os.path.lexists(venv):
            return False  # another run made it meanwhile: the fast or slow path takes over
        prefix = f".{name}{_STAGING}"
        for entry in os.listdir(parent):
            if entry.startswith(prefix):  # a replay killed midway (we hold the lock)
                _remove(os.path.join(parent, entry))
        holder = os.path.join(parent, f"{prefix}{os.getpid()}")
        os.mkdir(holder, 0o700)
        try:
            staging = os.path.join(holder, name)
            os.mkdir(staging)
            if not _build(recipe, staging):
                return False
            os.rename(staging, venv)
        finally:
            _remove(holder)
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    if not os.path.lexists(path):
        return
    import shutil  # only after a failure

    shutil.rmtree(path, ignore_errors=True)


def _write_stamp(recipe: dict, project_dir: str, venv: str, options: list[str]) -> None:  # type: ignore[type-arg]
    files, globs, stats = recipe["files"], recipe["globs"], recipe["stats"]
    key = compute_key(project_dir, venv, files, options, globs, stats)
    if key is None:
        return
    text = format_stamp(
        project_dir, files, key, recipe["strict"], globs, stats, recipe["warnings"], os.getcwd()
    )
    path = os.path.join(venv, STAMP_NAME)
    temporary = f"{path}.tmp-{os.getpid()}"
    # 0600, as the slow path's ``write_atomic`` (mkstemp) leaves it.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def try_replay(
    command_name: str, options: list[str], command: list[str], *, project_dir: str
) -> None:
    """Make the missing project environment from its recipe, then exec ``command`` (``run``)
    or exit 0 (``sync``); return whenever the slow path must do it."""
    environ = os.environ
    if not sys.platform.startswith("linux"):
        return
    if environ.get("UV_PROJECT_ENVIRONMENT") or environ.get("ACCORD_PROJECT_ENVIRONMENT"):
        return
    started = time.perf_counter()
    cwd = os.getcwd()
    cache = replay_cache_root(environ)
    if cache is None:
        return
    try:
        with open(recipe_path(cache, cwd, project_dir, command_name, options), "rb") as stream:
            recipe = marshal.load(stream)
    except (OSError, EOFError, ValueError, TypeError):
        return
    if not isinstance(recipe, dict) or recipe.get("version") != RECIPE_VERSION:
        return
    venv = recipe["venv"]
    if os.path.lexists(venv) or recipe["project_dir"] != project_dir:
        return
    given = sys.argv[1 : len(sys.argv) - len(command)]
    active = active_choice(given)
    if active_elsewhere(venv, active, cwd, environ):
        return  # the slow path syncs the environment VIRTUAL_ENV names
    if no_sync_asked(given, environ):
        return  # the slow path makes an empty environment, as uv does
    key = input_key(
        project_dir,
        venv,
        recipe["interpreter"],
        options,
        recipe["files"],
        recipe["globs"],
        recipe["stats"],
    )
    if key is None or key != recipe["key"]:
        return
    checked = time.perf_counter()
    if not _materialize(recipe, venv):
        return
    with contextlib.suppress(OSError):  # without a stamp, the next run takes the slow path
        _write_stamp(recipe, project_dir, venv, options)
    if "-q" not in given and "--quiet" not in given:
        text = recipe["text"].replace(RESOLVED, format_elapsed(checked - started))
        say_warnings(
            recipe["warnings"],
            virtual_env_warning(venv, cwd, environ, active),
            recipe["head"],
            locked=True,
        )
        sys.stderr.write(text.replace(INSTALLED, format_elapsed(time.perf_counter() - checked)))
        sys.stderr.flush()
    if command_name == "sync":
        sys.exit(0)
    try_fast_path(options, command, warn=False)
