"""The fast path: a no-op ``accord run`` execs the command at once (``reconciler.entry``).

Standard library only, and not even ``model``: this module is imported on every run. Given
the options and command ``reconciler.fastargs`` accepted, it finds the project's stamp
(written after the last successful sync), recomputes the digest of every input that decided
that sync, and when they match, replaces itself with the command. Any doubt (a missing stamp,
a changed file, a command it cannot find) falls through to the slow path,
``reconciler.cli.main``, which reports real errors properly.
"""

# No ``from __future__ import annotations``: on every run, importing ``__future__`` would cost
# more than evaluating these annotations.
import os
import sys

from accord.reconciler.fastargs import active_choice, active_elsewhere, no_sync_asked

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds here
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:  # the builtin module: ~0.2 ms to import, where hashlib loads OpenSSL (~3 ms)
        from _sha256 import sha256
    except ImportError:  # Python 3.12+ names it _sha2
        try:
            from _sha2 import sha256
        except ImportError:  # pragma: no cover - interpreters without the builtin
            from hashlib import sha256

__all__ = [
    "STAMP_NAME",
    "child_environment",
    "compute_key",
    "file_digest",
    "find_stamp",
    "format_stamp",
    "glob_digest",
    "matching_stamp",
    "nearest_project",
    "parse_stamp",
    "path_status",
    "python_version_file",
    "say_warnings",
    "sha256",
    "try_fast_path",
    "virtual_env_warning",
    "which",
]

STAMP_NAME = ".accord-stamp"
STAMP_VERSION = 5
RECURSION_VARIABLE = "ACCORD_RUN_RECURSION_DEPTH"
MAX_RECURSION_DEPTH = 100

_ENVIRONMENT_KEYS = (
    "ACCORD_PROJECT_ENVIRONMENT",
    "UV_PROJECT_ENVIRONMENT",
    "ACCORD_CACHE_DIR",
    # resolution settings: a change can make the lock stale
    "ACCORD_RESOLUTION",
    "UV_RESOLUTION",
    "ACCORD_PRERELEASE",
    "UV_PRERELEASE",
    "ACCORD_EXCLUDE_NEWER",
    "UV_EXCLUDE_NEWER",
    # uv's variables that the slow path reads (reconciler/cli/variables.py): lock mode,
    # interpreter, indexes, selection, post-install steps
    "UV_LOCKED",
    "UV_FROZEN",
    "UV_PYTHON",
    "ACCORD_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_INDEX",
    "UV_EXTRA_INDEX_URL",
    "UV_NO_DEV",
    "UV_DEV",
    "UV_NO_GROUP",
    "UV_NO_DEFAULT_GROUPS",
    "UV_NO_PROJECT",
    "UV_COMPILE_BYTECODE",
    "UV_CACHE_DIR",
    "UV_FORK_STRATEGY",
    "UV_NO_INDEX",
    "UV_NO_BUILD",
    "UV_NO_BINARY",
    "UV_NO_BUILD_PACKAGE",
    "UV_NO_BINARY_PACKAGE",
    # where uv's user and system configuration files are (reconciler/project/config.py)
    "UV_NO_CONFIG",
    "XDG_CONFIG_HOME",
    "XDG_CONFIG_DIRS",
)


def file_digest(path: str) -> str:
    try:
        with open(path, "rb") as stream:
            return sha256(stream.read()).hexdigest()
    except OSError:
        return "-"


def python_version_file(start: str) -> str | None:
    directory = start
    while True:
        candidate = os.path.join(directory, ".python-version")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _listing(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def glob_digest(directory: str, pattern: str) -> tuple[tuple[str, str], ...]:
    import glob  # only for projects whose tool.uv.cache-keys use wildcards

    matches = sorted(glob.glob(pattern, root_dir=directory, recursive=True))
    return tuple((name, file_digest(os.path.join(directory, name))) for name in matches)


def path_status(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_ctime_ns


def compute_key(
    project_dir: str,
    venv: str,
    files: list[str],
    options: list[str],
    globs: list[tuple[str, str]] | None = None,
    stats: list[str] | None = None,
) -> str | None:
    """The digest of every input that decided a sync, or None if the venv is unusable.

    Inputs: the option tokens, the bytes of each file (pyproject.toml files, uv.lock, and
    each source tree's build inputs: setup.py, setup.cfg, ``tool.uv.cache-keys`` files; a
    missing file counts too, so creating one is a change), the files each ``globs``
    (directory, pattern) matches, the nearest ``.python-version``, the environment variables
    that move the environment, the interpreter behind ``bin/python`` (path, size, mtime), the
    names in site-packages and ``bin`` (an install or removal by another tool changes them),
    the bytes of ``pyvenv.cfg``, and the inode and ``ctime`` of each of ``stats``: the
    files and directories whose timestamps uv's freshness records of the source trees depend
    on (a touched pyproject.toml, a recreated ``src/``), and each site-packages directory
    (another tool reinstalling a package under the same name).
    """
    python = os.path.join(venv, "bin", "python")
    try:
        real = os.path.realpath(python)
        status = os.stat(real)
    except OSError:
        return None
    lib = os.path.join(venv, "lib")
    site_listing = [
        (entry, _listing(os.path.join(lib, entry, "site-packages"))) for entry in _listing(lib)
    ]
    version_file = python_version_file(project_dir)
    # repr() of plain tuples of str/int/None is stable across runs and Python versions.
    payload = (
        STAMP_VERSION,
        tuple(options),
        tuple((path, file_digest(path)) for path in files),
        tuple((d, p, glob_digest(d, p)) for d, p in globs or ()),
        (version_file, file_digest(version_file) if version_file else None),
        tuple((key, os.environ.get(key)) for key in _ENVIRONMENT_KEYS),
        (real, status.st_size, status.st_mtime_ns),
        tuple((entry, tuple(names)) for entry, names in site_listing),
        tuple(_listing(os.path.join(venv, "bin"))),
        # A deleted or edited pyvenv.cfg makes the environment another one (or none).
        file_digest(os.path.join(venv, "pyvenv.cfg")),
        # A change of ctime is all the fast path sees of a birth time (uv's record of a
        # directory): a directory made again has a new ctime, so this errs towards the slow path.
        tuple((path, path_status(path)) for path in stats or ()),
    )
    return sha256(repr(payload).encode()).hexdigest()


def virtual_env_warning(
    venv: str, cwd: str, environ: "dict[str, str] | os._Environ[str]", choice: bool | None
) -> str:
    """uv's warning when ``VIRTUAL_ENV`` names another environment than the project's (which
    is used all the same); empty when it is unset or names this one, or when ``--active`` or
    ``--no-active`` (``choice``) was given."""
    active = environ.get("VIRTUAL_ENV")
    if choice is not None or not active or os.path.realpath(active) == os.path.realpath(venv):
        return ""
    shown = venv
    if venv.startswith(cwd.rstrip(os.sep) + os.sep):
        shown = os.path.relpath(venv, cwd)
    return (
        f"warning: `VIRTUAL_ENV={active}` does not match the project environment path "
        f"`{shown}` and will be ignored; use `--active` to target the active environment "
        "instead\n"
    )


def child_environment(
    venv: str | None, environ: dict[str, str], extra_bins: tuple[str, ...] = ()
) -> dict[str, str]:
    """The command's environment: the venv activated (``extra_bins``, e.g. a ``--with``
    layer's base, right after its ``bin``), recursion depth counted."""
    env = dict(environ)
    if venv is not None:
        env["VIRTUAL_ENV"] = venv
        first = [os.path.join(venv, "bin"), *extra_bins]
        rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in first]
        env["PATH"] = os.pathsep.join([*first, *rest])
    env.pop("PYTHONHOME", None)
    depth = env.get(RECURSION_VARIABLE, "").strip() or "0"
    env[RECURSION_VARIABLE] = str(int(depth) + 1)
    return env


def format_stamp(
    project_dir: str,
    files: list[str],
    key: str,
    strict: list[str] | None = None,
    globs: list[tuple[str, str]] | None = None,
    stats: list[str] | None = None,
    warnings: list[tuple[str, str]] | None = None,
    said_in: str | None = None,
) -> str:
    """The stamp file's text: tab-separated lines, read without json (import cost).

    ``strict`` lists the commands the environment provides when the project is strict;
    ``globs`` the (directory, pattern) pairs of wildcard cache keys; ``stats`` the paths
    whose inode and ctime are inputs; ``warnings`` the (when, text) of the warnings about
    the project's files the sync said (``reconciler.notices``), for the fast path to repeat
    in the directory they were said in, ``said_in`` (they name files relative to it).
    """
    lines = [f"accord-stamp\t{STAMP_VERSION}", f"project_dir\t{project_dir}"]
    lines += [f"file\t{path}" for path in files]
    lines += [f"glob\t{directory}\t{pattern}" for directory, pattern in globs or ()]
    lines += [f"stat\t{path}" for path in stats or ()]
    if warnings:
        from accord.reconciler.notices import encode

        lines.append(f"said_in\t{said_in}")
        lines += [f"warning\t{when}\t{encode(text)}" for when, text in warnings]
    if strict is not None:
        lines.append("strict\t")
        lines += [f"provides\t{name}" for name in strict]
    lines.append(f"key\t{key}")
    return "\n".join(lines) + "\n"


Stamp = tuple[
    str,
    list[str],
    str,
    list[str] | None,
    list[tuple[str, str]],
    list[str],
    list[tuple[str, str]],
    str | None,
]
"""(project_dir or venv, files, key, strict, globs, stats, warnings, said_in)."""


def parse_stamp(text: str) -> Stamp | None:
    """(project_dir, files, key, strict, globs, stats, warnings, said_in) from a stamp's text,
    or None if it is not ours."""
    project_dir = key = said_in = None
    files: list[str] = []
    stats: list[str] = []
    globs: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    strict: list[str] | None = None
    for number, line in enumerate(text.splitlines()):
        name, _, value = line.partition("\t")
        if number == 0 and (name != "accord-stamp" or value != str(STAMP_VERSION)):
            return None
        if name == "project_dir":
            project_dir = value
        elif name == "file":
            files.append(value)
        elif name == "glob":
            directory, _, pattern = value.partition("\t")
            globs.append((directory, pattern))
        elif name == "stat":
            stats.append(value)
        elif name == "said_in":
            said_in = value
        elif name == "warning":
            from accord.reconciler.notices import decode

            when, _, field = value.partition("\t")
            warnings.append((when, decode(field)))
        elif name == "key":
            key = value
        elif name == "strict":
            strict = []
        elif name == "provides" and strict is not None:
            strict.append(value)
    if project_dir is None or key is None:
        return None
    return project_dir, files, key, strict, globs, stats, warnings, said_in


def find_stamp(project_dir: str) -> Stamp | None:
    """(venv, files, key, strict, globs, stats, warnings, said_in) of the stamp that belongs to
    ``project_dir``, searching upward."""
    directory = project_dir
    for _ in range(16):
        stamp_path = os.path.join(directory, ".venv", STAMP_NAME)
        try:
            with open(stamp_path, encoding="utf-8") as stream:
                stamp = parse_stamp(stream.read())
        except (OSError, UnicodeDecodeError):
            stamp = None
        if stamp is not None and stamp[0] == project_dir:
            return (os.path.join(directory, ".venv"), *stamp[1:])
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return None


def nearest_project(cwd: str) -> str | None:
    directory = cwd
    while True:
        if os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def which(name: str, path: str) -> str | None:
    for directory in path.split(os.pathsep):
        if not directory:
            continue
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _resolve_command(command: list[str], venv: str, env: dict[str, str]) -> list[str] | None:
    first = command[0]
    if "/" in first:
        if first.endswith((".py", ".pyw")):
            try:
                with open(first, "rb") as stream:
                    if b"# /// script" in stream.read():
                        return None  # PEP 723 scripts get their own environment: slow path
            except OSError:
                return None
            return [os.path.join(venv, "bin", "python"), *command]
        return None
    found = which(first, env.get("PATH", ""))
    return [found, *command[1:]] if found else None


def matching_stamp(cwd: str, options: list[str]) -> Stamp | None:
    """The stamp of the project ``cwd`` is in, when its key still matches every input (with
    ``options`` as the command's); None otherwise."""
    project_dir = nearest_project(cwd)
    if project_dir is None:
        return None
    found = find_stamp(project_dir)
    if found is None:
        return None
    venv, files, key, _strict, globs, stats, warnings, said_in = found
    if warnings and said_in != cwd:
        return None  # they name files as seen from there: the slow path words them from here
    if compute_key(project_dir, venv, files, options, globs, stats) != key:
        return None
    return found


def say_warnings(
    warnings: list[tuple[str, str]], virtual_env: str = "", between: str = "", *, locked: bool
) -> None:
    """What the slow path would say on this run, in its order: the settings' warnings the
    stamp keeps, ``VIRTUAL_ENV``'s, the interpreter request's, ``between`` (the replay's lines
    about the environment it made), then the lock's, unless the run checks no lock
    (``locked``: not under ``--no-sync``)."""
    if not warnings:
        sys.stderr.write(virtual_env + between)
        return
    from accord.reconciler.notices import INTERPRETER, LOCK, SETTINGS, say_kept

    say_kept(warnings, SETTINGS, sys.stderr)
    sys.stderr.write(virtual_env)
    say_kept(warnings, INTERPRETER, sys.stderr)
    sys.stderr.write(between)
    if locked:
        say_kept(warnings, LOCK, sys.stderr)


def try_fast_path(options: list[str], command: list[str], *, warn: bool = True) -> None:
    """Exec ``command`` if the stamp proves nothing changed; return otherwise.

    ``options`` and ``command`` are the run's arguments as ``reconciler.fastargs`` accepted
    them (``reconciler.entry`` asks it first); the options are part of the stamp's key.
    """
    environ = os.environ
    cwd = os.getcwd()
    found = matching_stamp(cwd, options)
    if found is None:
        return
    venv, _files, _key, strict, _globs, _stats, warnings, _said_in = found
    given = sys.argv[1 : len(sys.argv) - len(command)]
    active = active_choice(given)
    if active_elsewhere(venv, active, cwd, environ):
        return  # the slow path syncs the environment VIRTUAL_ENV names
    try:
        env = child_environment(venv, dict(os.environ))
    except ValueError:
        return  # a bad recursion depth is reported by the slow path
    limit = environ.get("ACCORD_RUN_MAX_RECURSION_DEPTH") or environ.get(
        "UV_RUN_MAX_RECURSION_DEPTH", ""
    )
    if int(env[RECURSION_VARIABLE]) - 1 > (int(limit) if limit.isdigit() else MAX_RECURSION_DEPTH):
        return  # the slow path reports it
    resolved = _resolve_command(command, venv, env)
    if resolved is None:
        return
    if strict is not None:
        bin_dir = os.path.join(venv, "bin")
        if os.path.dirname(resolved[0]) != bin_dir or os.path.basename(resolved[0]) not in strict:
            return  # the slow path refuses it with the proper error
    if warn and "-q" not in given and "--quiet" not in given:
        locked = not no_sync_asked(given, environ)
        say_warnings(warnings, virtual_env_warning(venv, cwd, environ, active), locked=locked)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(resolved[0], resolved, env)
    except OSError:
        return  # the slow path explains what went wrong
