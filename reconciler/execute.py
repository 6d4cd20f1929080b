"""Execute stage: classify the command, build its environment, and become it.

On POSIX accord replaces itself with the command (``os.execve``): the PID the caller started
is the command's, so signals, job control and the exit status are the command's own. With
``--no-exec`` (or where exec is impossible) accord spawns the command, forwards signals and
mirrors its exit: the child's code, or the signal re-raised on accord (a shell sees 128+N).
"""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from reconciler.errors import CommandNotFound, UsageError
from reconciler.fastpath import MAX_RECURSION_DEPTH, RECURSION_VARIABLE, child_environment

__all__ = ["build_environment", "execute", "resolve_command"]

_FORWARDED = (
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR1",
    "SIGUSR2",
    "SIGWINCH",
    "SIGCONT",
    "SIGALRM",
)


def build_environment(
    venv: Path | None,
    *,
    max_depth: int = MAX_RECURSION_DEPTH,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """The child's environment; refuses to go deeper than ``max_depth`` nested runs."""
    base = dict(os.environ if environ is None else environ)
    raw = base.get(RECURSION_VARIABLE, "").strip()
    if raw and not raw.isdigit():
        raise UsageError(
            f"Failed to parse environment variable `{RECURSION_VARIABLE}` with invalid value "
            f"`{raw}`: invalid digit found in string"
        )
    env = child_environment(str(venv) if venv is not None else None, base)
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


def _which(name: str, path: str) -> str | None:
    for directory in path.split(os.pathsep):
        candidate = os.path.join(directory, name) if directory else ""
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def resolve_command(
    command: tuple[str, ...], python: Path, env: dict[str, str], venv: Path | None
) -> list[str]:
    """The argv to exec, following uv's classification (first match wins)."""
    first, rest = command[0], list(command[1:])
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
    else:
        found = _which(first, env.get("PATH", ""))
        if found is not None:
            return [found, *rest]
    hint = None
    if venv is not None:
        names = sorted(os.listdir(venv / "bin")) if (venv / "bin").is_dir() else []
        close = difflib.get_close_matches(first, names, n=1)
        if close:
            hint = f"the environment provides `{close[0]}`; did you mean that?"
    raise CommandNotFound(f"Failed to spawn: `{first}`", hint=hint)


def _spawn(argv: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(argv, env=env)

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    def forward_interrupt(signum: int, _frame: object) -> None:
        # A terminal's Ctrl-C already reached the child (same process group); only a SIGINT
        # sent to accord alone (e.g. `kill -INT`, stdin not a terminal) is passed on.
        if not sys.stdin.isatty():
            forward(signum, _frame)

    previous = {}
    for name in _FORWARDED:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, forward)
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, forward_interrupt)
    try:
        code = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if code < 0:
        # Die the way the child died, so the caller's shell sees 128+N.
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code
    return code


def execute(argv: list[str], env: dict[str, str], *, no_exec: bool = False) -> int:
    """Exec ``argv`` (never returns on success) or, with ``no_exec``, spawn and mirror it."""
    sys.stdout.flush()
    sys.stderr.flush()
    if no_exec or os.name != "posix":
        return _spawn(argv, env)
    try:
        os.execve(argv[0], argv, env)
    except OSError as exc:
        raise CommandNotFound(f"Failed to spawn: `{argv[0]}`: {exc.strerror}") from exc
    raise AssertionError("unreachable: execve returned")  # pragma: no cover
