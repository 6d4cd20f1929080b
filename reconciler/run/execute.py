"""Execute stage: classify the command, build its environment, and become it.

On POSIX accord replaces itself with the command (``os.execve``): the PID the caller started
is the command's, so signals, job control and the exit status are the command's own. With
``--no-exec`` (or where exec is impossible) accord spawns the command, forwards signals and
mirrors its exit: the child's code, or the signal re-raised on accord (a shell sees 128+N).
"""

from __future__ import annotations

import difflib
import enum
import errno
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TextIO

from accord.reconciler.errors import CommandNotAllowed, CommandNotFound, UsageError
from accord.reconciler.fastpath import (
    MAX_RECURSION_DEPTH,
    RECURSION_VARIABLE,
    child_environment,
    which,
)

__all__ = [
    "CommandKind",
    "build_environment",
    "check_strict",
    "execute",
    "load_env_files",
    "provided_commands",
    "resolve_command",
]

# Forwarded to a spawned child (--no-exec). SIGINT is handled apart: see _spawn.
_FORWARDED = (
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR1",
    "SIGUSR2",
    "SIGWINCH",
    "SIGCONT",
    "SIGALRM",
    "SIGPIPE",
)


class CommandKind(enum.Enum):
    AUTO = "auto"
    MODULE = "module"
    """``-m/--module``: ``python -m COMMAND``."""
    SCRIPT = "script"
    """``--script``: ``python COMMAND`` whatever its extension."""
    GUI_SCRIPT = "gui-script"
    """``--gui-script``: ``pythonw COMMAND`` (``python`` where there is no pythonw, as on Unix)."""


def load_env_files(
    paths: Iterable[Path], environ: Mapping[str, str], *, err: TextIO | None = None
) -> dict[str, str]:
    """Values from dotenv files, as uv applies them: a later file wins over an earlier one,
    and a variable already set in the environment is never overridden.

    A file that is missing, a directory, unreadable or not UTF-8 is a ``UsageError`` naming
    it. A line that cannot be parsed gets a warning on ``err`` naming the file and the line,
    and, as in uv, the rest of that file is not loaded.
    """
    import io

    from dotenv.main import resolve_variables  # slow path only
    from dotenv.parser import parse_stream

    stream = sys.stderr if err is None else err
    loaded: dict[str, str] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"No environment file found at: `{path}`")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(
                f"Failed to read environment file `{path}`: {exc.strerror or exc}", path=path
            ) from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise UsageError(
                f"Failed to read environment file `{path}`: line {line} is not UTF-8 text",
                path=path,
                line=line,
            ) from exc
        pairs: list[tuple[str, str | None]] = []
        for binding in parse_stream(io.StringIO(text)):
            if binding.error:
                shown = (binding.original.string.strip().splitlines() or [""])[0]
                stream.write(
                    f"warning: Failed to parse environment file `{path}` at line "
                    f"{binding.original.line}: {shown}\n"
                )
                break
            if binding.key is not None:
                pairs.append((binding.key, binding.value))
        # `${NAME}` expands as python-dotenv's dotenv_values does (uv's dotenvy too).
        for key, value in resolve_variables(pairs, override=True).items():
            if value is not None:
                loaded[key] = value
    return {key: value for key, value in loaded.items() if key not in environ}


def build_environment(
    venv: Path | None,
    *,
    max_depth: int = MAX_RECURSION_DEPTH,
    extra: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    extra_bins: tuple[Path, ...] = (),
) -> dict[str, str]:
    """The child's environment; refuses to go deeper than ``max_depth`` nested runs.

    ``extra`` (from env files) is laid under the venv settings: ``PATH`` and ``VIRTUAL_ENV``
    are always accord's.
    """
    base = dict(os.environ if environ is None else environ)
    raw = base.get(RECURSION_VARIABLE, "").strip()
    if raw and not raw.isdigit():
        raise UsageError(
            f"Failed to parse environment variable `{RECURSION_VARIABLE}` with invalid value "
            f"`{raw}`: invalid digit found in string"
        )
    base.update(extra or {})
    env = child_environment(
        str(venv) if venv is not None else None, base, tuple(map(str, extra_bins))
    )
    depth = int(env[RECURSION_VARIABLE]) - 1
    if depth > max_depth:
        raise UsageError(
            f"`accord run` was recursively invoked {depth} times which exceeds the limit of "
            f"{max_depth}",
            hint="If you are running a script with `accord run` in the shebang, you may need to "
            "include the `--script` flag",
        )
    return env


def _is_zipapp(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "__main__.py" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _pythonw(python: Path) -> Path:
    candidate = python.with_name("pythonw")
    return candidate if candidate.is_file() else python


def resolve_command(
    command: tuple[str, ...],
    python: Path,
    env: Mapping[str, str],
    venv: Path | None,
    *,
    kind: CommandKind = CommandKind.AUTO,
) -> list[str]:
    """The argv to exec, following uv's classification (first match wins)."""
    first, rest = command[0], list(command[1:])
    if first == "-":
        if kind is CommandKind.MODULE:
            raise UsageError("Cannot run a Python module from stdin")
        interpreter = _pythonw(python) if kind is CommandKind.GUI_SCRIPT else python
        return [str(interpreter), "-", *rest]
    if kind is CommandKind.MODULE:
        return [str(python), "-m", first, *rest]
    if first == "-c" and kind is CommandKind.AUTO:
        return [str(python), "-c", *rest]  # `accord run -c CODE`: code for the environment's python
    if kind is CommandKind.SCRIPT:
        return [str(python), first, *rest]
    if kind is CommandKind.GUI_SCRIPT:
        return [str(_pythonw(python)), first, *rest]
    if first.lower() == "python":
        return [str(python), *rest]
    path = Path(first)
    lowered = first.lower()
    if lowered.endswith((".py", ".pyc", ".pyw")) and path.is_file():
        return [str(python), first, *rest]
    if path.is_dir() and (path / "__main__.py").is_file():
        installed = venv / "bin" / first if venv is not None and "/" not in first else None
        if installed is None or not installed.is_file():
            return [str(python), first, *rest]
    if path.is_file() and (lowered.endswith(".pyz") or _is_zipapp(path)):
        return [str(python), first, *rest]
    if "/" in first:
        if os.path.isfile(first) and os.access(first, os.X_OK):
            return [first, *rest]
        if os.path.exists(first):  # there, but not something to run: what exec would say
            raise _spawn_failed(first, errno.EACCES)
    else:
        found = which(first, env.get("PATH", ""))
        if found is not None:
            return [found, *rest]
    hint = None
    if venv is not None:
        names = sorted(os.listdir(venv / "bin")) if (venv / "bin").is_dir() else []
        close = difflib.get_close_matches(first, names, n=1)
        if close:
            hint = f"the environment provides `{close[0]}`; did you mean that?"
    raise _spawn_failed(first, errno.ENOENT, hint=hint)


def _spawn_failed(name: str, number: int | None, hint: str | None = None) -> CommandNotFound:
    """uv's words: the name as given, then the OS error on a line of its own
    (``No such file or directory (os error 2)``)."""
    number = number or errno.ENOENT
    cause = f"{os.strerror(number)} (os error {number})"
    return CommandNotFound(f"Failed to spawn: {name}\n  cause: {cause}", hint=hint)


def provided_commands(venv: Path) -> frozenset[str]:
    """Names in ``venv/bin`` that the environment itself provides: its interpreter, and the
    scripts its installed packages list in their RECORD."""
    from accord.reconciler.install.observe import find_site_packages, read_record

    bin_dir = venv / "bin"
    names = {
        entry
        for entry in (os.listdir(bin_dir) if bin_dir.is_dir() else ())
        if entry == "python" or entry.startswith("python3")
    }
    site = find_site_packages(venv)
    if site is not None:
        for entry in os.listdir(site):
            if not entry.endswith(".dist-info"):
                continue
            for relative, _, _ in read_record(site / entry) or ():
                path = os.path.normpath(site / relative)
                if os.path.dirname(path) == str(bin_dir):
                    names.add(os.path.basename(path))
    return frozenset(names)


def check_strict(argv: list[str], command: tuple[str, ...], venv: Path | None) -> None:
    """``--strict``: refuse anything the environment does not provide, before it runs."""
    executable = Path(argv[0])
    in_bin = venv is not None and executable.parent == venv / "bin"
    if in_bin and venv is not None and executable.name in provided_commands(venv):
        return
    raise CommandNotAllowed(
        f"`{command[0]}` is not provided by any package in the environment",
        hint="under --strict only the environment's interpreter and its packages' scripts run",
    )


def _spawn(argv: list[str], env: dict[str, str]) -> int:
    # The handlers are in place before the child starts: one that starts and is signalled
    # (a Ctrl-C to the group) before this process handles signals would otherwise end it
    # with KeyboardInterrupt, the child's own handling notwithstanding.
    children: list[subprocess.Popen[bytes]] = []
    early: list[int] = []  # signals that came before the child was there

    def forward(signum: int, _frame: object) -> None:
        if not children:
            early.append(signum)
        elif children[0].poll() is None:
            children[0].send_signal(signum)

    def forward_interrupt(signum: int, frame: object) -> None:
        # A terminal's Ctrl-C (or `kill -INT -PGID`) reaches the whole process group, the
        # child included: forwarding it would deliver it twice. So SIGINT is forwarded only
        # to a child that has left our process group. (A SIGINT sent to accord's PID alone
        # therefore does not reach a child in its group; SIGTERM always does.)
        if not children:
            early.append(signum)  # the child was not there to take it: it is given it
            return
        try:
            same_group = os.getpgid(children[0].pid) == os.getpgrp()
        except OSError:
            return
        if not same_group:
            forward(signum, frame)

    previous = {}
    for name in _FORWARDED:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, forward)
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, forward_interrupt)
    try:
        child = subprocess.Popen(argv, env=env)
        children.append(child)
        for number in early:
            forward(number, None)
        while True:
            try:
                code = child.wait()
                break
            except InterruptedError:  # pragma: no cover - wait is retried by Python anyway
                continue
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if code < 0 and exec_handler is not None:
        return 128 - code  # a warm server's worker says it to the caller, which exits with it
    if code < 0:
        # Die the way the child died, so the caller's shell sees 128+N.
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # those cannot be handled anyway
            signal.signal(-code, signal.SIG_DFL)
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), -code)
        return 128 - code  # the signal's default action is to ignore it (e.g. SIGWINCH)
    return code


exec_handler: Callable[[list[str], dict[str, str]], None] | None = None
"""Set in a worker of the warm server (``reconciler.warm``): it hands the command to the caller,
whose process becomes it, and does not return. (A command spawned there, which the server
avoids, ends with 128+N when it dies by signal N.)"""


def execute(argv: list[str], env: dict[str, str], *, no_exec: bool = False) -> int:
    """Exec ``argv`` (never returns on success) or, with ``no_exec``, spawn and mirror it."""
    from accord.reconciler.method_cache import save
    from accord.reconciler.progress import progress

    progress().stop()  # the command gets a clean terminal, its cursor shown
    save()  # exec runs no exit handlers
    sys.stdout.flush()
    sys.stderr.flush()
    if no_exec or os.name != "posix":
        try:
            return _spawn(argv, env)
        except OSError as exc:
            raise _spawn_failed(argv[0], exc.errno) from exc
    if exec_handler is not None:
        if not os.access(argv[0], os.X_OK):
            raise _spawn_failed(argv[0], errno.EACCES if os.path.exists(argv[0]) else None)
        exec_handler(argv, env)
    try:
        os.execve(argv[0], argv, env)
    except OSError as exc:
        raise _spawn_failed(argv[0], exc.errno) from exc
    raise AssertionError("unreachable: execve returned")  # pragma: no cover
