"""How much accord says, and in what colour (CLI, slow path only).

``configure(quiet=, verbose=, color=)`` is called once per command, after the options are
parsed. It decides colour per stream as uv does (``--color auto|always|never``; under
``auto``, colour only on a terminal and never with ``NO_COLOR`` set; ``FORCE_COLOR`` or
``CLICOLOR_FORCE`` turn it on), replaces ``sys.stderr`` with a stream that paints the
``error:``/``warning:``/``hint:`` prefixes and plan markers and that is silent under ``-q``
(errors still go out; ``-qq`` silences them too), and, only under ``-v``, routes the
``accord`` loggers (``-vv``: every logger, each HTTP request included) to stderr as
``DEBUG …`` lines, the way uv prints them.

Messages stay plain text everywhere else (STYLE.md 2.6): colour is added here, at the edge.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from accord.reconciler.progress import configure as configure_progress
from accord.reconciler.progress import progress

__all__ = [
    "Console",
    "before_steps",
    "building",
    "builds_done",
    "configure",
    "console",
    "debug",
    "explain_fast_path",
    "paint_plan",
    "step_started",
]

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_BLUE = "\x1b[34m"
_CYAN = "\x1b[36m"

# uv's (anstream's) choices: a bold coloured word, then a bold colon.
_PREFIXES = {
    "error": _RED,
    "warning": _YELLOW,
    "hint": _CYAN,
    "DEBUG": _BLUE,
}
_PREFIX = re.compile(r"^(error|warning|hint)(:)|^(DEBUG) |^(\s+)(tip|cause)(:)")
# uv's lines around a build or a git fetch: `   Building name==1.0`, `   Updating URL (main)`
# (bold cyan), `      Built name==1.0`, `    Updated URL (commit)` (bold green).
_BUILD = re.compile(r"^(\s+)(Building|Built|Updating|Updated)( )")
# Plan markers: `  + Install`, ` + name==1.0` (uv's summary lines), `  ~ Replace`, `  ! Recreate`.
_MARKER = re.compile(r"^(\s{1,2})([-+~!=])( )")
_MARKER_COLOURS = {"+": _GREEN, "-": _RED, "~": _YELLOW, "!": _RED, "=": ""}

LOGGER = "accord"

served_by: str | None = None
"""Set in a worker of the warm server (``reconciler.warm``): which one, said under ``-v``."""


def _paint_line(line: str) -> str:
    match = _PREFIX.match(line)
    if match is not None:
        if match.group(1):
            word, colour = match.group(1), _PREFIXES[match.group(1)]
            rest = line[match.end() :]
            return f"{_BOLD}{colour}{word}{_RESET}{_BOLD}:{_RESET}{rest}"
        if match.group(3):
            return f"{_BLUE}DEBUG{_RESET} {line[match.end() :]}"
        indent, word = match.group(4), match.group(5)
        colour = _GREEN if word == "tip" else _RED
        return f"{indent}{_BOLD}{colour}{word}{_RESET}{_BOLD}:{_RESET}{line[match.end() :]}"
    build = _BUILD.match(line)
    if build is not None:
        colour = _CYAN if build.group(2) in ("Building", "Updating") else _GREEN
        return f"{build.group(1)}{_BOLD}{colour}{build.group(2)}{_RESET}{line[build.end(2) :]}"
    marker = _MARKER.match(line)
    if marker is not None and _MARKER_COLOURS[marker.group(2)]:
        colour = _MARKER_COLOURS[marker.group(2)]
        return f"{marker.group(1)}{_BOLD}{colour}{marker.group(2)}{_RESET}{line[marker.end(2) :]}"
    return line


def paint_plan(text: str) -> str:
    """``text`` with its prefixes and plan markers coloured (line by line)."""
    return "".join(_paint_line(line) for line in text.splitlines(keepends=True))


class _Stream:
    """A text stream over ``target`` that paints whole lines and can be silenced."""

    def __init__(self, target: TextIO, *, colour: bool, silent: bool) -> None:
        self.target = target
        self.colour = colour
        self.silent = silent
        self._pending = ""

    def _emit(self, text: str) -> None:
        shown = progress()
        if shown.active:
            shown.write(text)  # above the progress display, which is redrawn below it
        else:
            self.target.write(text)

    def write(self, text: str) -> int:
        if self.silent:
            return len(text)
        if not self.colour:
            self._emit(text)
            return len(text)
        # Colour works on whole lines: hold a partial line until its end arrives.
        data = self._pending + text
        complete, _, self._pending = data.rpartition("\n")
        if complete or data.endswith("\n"):
            self._emit(paint_plan(complete + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending and not self.silent:
            self._emit(_paint_line(self._pending) if self.colour else self._pending)
            self._pending = ""
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:
        return self.target.encoding

    def __getattr__(self, name: str) -> object:
        return getattr(self.target, name)


class Console:
    """This run's output settings (one per process, made by ``configure``)."""

    def __init__(self, *, quiet: int = 0, verbose: int = 0, color: str | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.choice = color or "auto"
        self.stderr: TextIO = sys.stderr
        """The real stderr: errors are written here, around the ``-q`` silence."""

    def colour_for(self, stream: TextIO) -> bool:
        """Whether ``stream`` gets colour (uv's rules; see the module docstring)."""
        if self.choice == "never":
            return False
        if self.choice == "always":
            return True
        from accord.reconciler.notices import auto_colour

        return auto_colour(stream)

    def errors_only(self) -> None:
        """From now on stderr carries an error's lines, which ``-q`` lets through (``-qq``
        silences them too)."""
        if isinstance(sys.stderr, _Stream):
            sys.stderr.silent = self.quiet >= 2

    def error(self, text: str) -> None:
        """Write an error block (``error:``/``hint:`` lines), painted on a terminal."""
        self.errors_only()
        sys.stderr.write(text)
        sys.stderr.flush()


_console = Console()


def console() -> Console:
    """The settings ``configure`` made (defaults before it is called)."""
    return _console


def configure(
    *, quiet: int = 0, verbose: int = 0, color: str | None = None, show_progress: bool = True
) -> Console:
    """Apply ``-q``/``-v``/``--color``/``--no-progress`` to this process (see the module
    docstring and ``reconciler.progress``)."""
    global _console
    real = sys.stderr.target if isinstance(sys.stderr, _Stream) else sys.stderr
    settings = Console(quiet=quiet, verbose=verbose, color=color)
    settings.stderr = real
    colour = settings.colour_for(real)
    shown = configure_progress(
        real, enabled=show_progress and not quiet and not verbose, colour=colour
    )
    if colour or quiet or shown.enabled:
        sys.stderr = _Stream(real, colour=colour, silent=quiet > 0)
    _console = settings
    if verbose:
        # `uv --quiet sync --verbose` prints its DEBUG lines and nothing else.
        handler = logging.StreamHandler(real if quiet else sys.stderr)
        handler.setFormatter(logging.Formatter("DEBUG %(message)s"))
        # -v: accord's own lines; -vv: every library's as well (each HTTP request, ...).
        target = logging.getLogger() if verbose >= 2 else logging.getLogger(LOGGER)
        if verbose >= 2:
            handler.setFormatter(logging.Formatter("DEBUG %(name)s %(message)s"))
        target.addHandler(handler)
        target.setLevel(logging.DEBUG)
    return settings


_before_steps: list[Callable[[], object]] = []


def before_steps(hook: Callable[[], object]) -> Callable[[], None]:
    """Call ``hook`` before the first step's line (``lock`` names the interpreter there, which
    uv has found before it fetches or builds anything); returns what forgets it."""
    _before_steps.append(hook)
    return lambda: _before_steps.remove(hook) if hook in _before_steps else None


def step_started(line: str) -> None:
    """The line uv writes as a build or a git fetch starts: not while the progress display is
    on a terminal, where uv draws it as a spinner that the finishing line replaces."""
    while _before_steps:
        _before_steps.pop(0)()
    if not progress().enabled:
        sys.stderr.write(line + "\n")


_built = 0


@contextmanager
def building(label: str) -> Iterator[None]:
    """uv's lines around a build backend's work: ``   Building name==1.0`` as it starts and
    ``      Built name==1.0`` once it succeeded."""
    global _built
    step_started(f"   Building {label}")
    yield
    _built += 1
    sys.stderr.write(f"      Built {label}\n")


def builds_done() -> int:
    """How many builds ``building`` saw succeed in this process (apply counts a build as
    prepared, as uv does, even when its wheel is the same as one already unpacked)."""
    return _built


def debug(message: str, *args: object) -> None:
    """A ``DEBUG`` line under ``-v`` (nothing otherwise; cheap when off)."""
    logger = logging.getLogger(LOGGER)
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(message, *args)


def explain_fast_path(argv: list[str]) -> None:
    """Under ``-v``: why this ``run`` came to the slow path (DEBUG lines).

    ``-v`` itself sends a run here, so the stamp check is repeated to say whether the fast
    path would have run the command at once, and if not, what it lacked."""
    from accord.reconciler import fastargs, fastpath

    name = fastargs.step_aside_variable(os.environ)
    if name is not None:
        debug("Fast path not taken: `%s` is set", name)
        return
    split = fastargs.split_run_arguments(argv)
    if split is None:
        debug("Fast path not taken: an option it does not know, or no command")
        return
    project_dir = fastpath.nearest_project(os.getcwd())
    if project_dir is None:
        debug("Fast path not taken: no pyproject.toml here or above")
        return
    found = fastpath.find_stamp(project_dir)
    if found is None:
        debug("Fast path not taken: no sync stamp in the project environment (never synced)")
        return
    venv, files, key, _strict, globs, stats, _warnings, _said_in = found
    given = argv[: len(argv) - len(split[1])]
    if fastargs.active_elsewhere(venv, fastargs.active_choice(given), os.getcwd(), os.environ):
        debug("Fast path not taken: `--active` selects another environment (VIRTUAL_ENV)")
        return
    if fastpath.compute_key(project_dir, venv, files, split[0], globs, stats) != key:
        debug(
            "Fast path not taken: an input changed since the last sync "
            "(pyproject.toml, uv.lock, .python-version, the interpreter, options, or site-packages)"
        )
        return
    debug("Fast path: the stamp matches; only -v brought this run to the slow path")
