"""Warnings about the project's own files, kept so that the runs that do not read those files
again can say them again.

uv reads the project's files on every run, so it repeats what it warns about them on every run
(a ``[tool.uv]`` it cannot read, a ``.python-version`` line it does not support, a workspace
without ``requires-python``). A no-op ``accord
run`` (``fastpath``) and a replayed sync (``replay``) read none of them: the sync that wrote the
stamp keeps here what it said, the stamp and the recipe carry it, and they say it again in the
same place (unless ``-q``). A warning that depends on anything else (an option, the resolution,
the environment) is not kept: it is said with ``warn`` by the run it concerns, or not at all.

Standard library only: the fast path imports it.
"""

# No ``from __future__ import annotations``: the fast path imports this module.
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds here
if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "INTERPRETER",
    "LOCK",
    "SETTINGS",
    "auto_colour",
    "decode",
    "encode",
    "kept",
    "say_kept",
    "warn",
]

SETTINGS = "settings"
"""Said while the settings are read: before anything else a run says."""
INTERPRETER = "interpreter"
"""Said while the interpreter request is read (``.python-version``): after ``VIRTUAL_ENV``'s
warning, before the lines about the interpreter and the environment."""
LOCK = "lock"
"""Said while the lock is checked: after the lines about the environment (uv makes the
environment before it locks), before ``Resolved``."""

_kept: "list[tuple[str, str]]" = []


def warn(message: str, *, when: str, err: "TextIO | None" = None) -> None:
    """Write ``warning: message`` to ``err`` (stderr by default, silent under ``-q``) and keep
    it, whether or not it was shown: a quiet sync's stamp serves the runs after it."""
    text = f"warning: {message}\n"
    if (when, text) in _kept:
        if when == SETTINGS:
            return  # read again (a `--with` layer's settings): uv says it once
    else:
        _kept.append((when, text))
    (sys.stderr if err is None else err).write(text)


def kept() -> "list[tuple[str, str]]":
    """(when, text) of each warning this process kept, in the order said."""
    return list(_kept)


def encode(text: str) -> str:
    """``text`` on one line without tabs (a stamp's field)."""
    return text.encode("unicode_escape").decode("ascii")


def decode(field: str) -> str:
    return field.encode("ascii").decode("unicode_escape")


def auto_colour(stream: "TextIO") -> bool:
    """uv's ``--color auto`` for ``stream``: never with ``NO_COLOR``; always with
    ``FORCE_COLOR`` or ``CLICOLOR_FORCE``; else on a terminal that is not ``dumb``."""
    import os

    environ = os.environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR") or environ.get("CLICOLOR_FORCE", "0") != "0":
        return True
    try:
        return stream.isatty() and environ.get("TERM") != "dumb"
    except (AttributeError, ValueError, OSError):
        return False


def say_kept(warnings: "list[tuple[str, str]]", when: str, stream: "TextIO") -> None:
    """Write the kept warnings said at ``when``, painted as the slow path paints them under
    ``--color auto`` (``reconciler.console``)."""
    texts = [text for moment, text in warnings if moment == when]
    if not texts:
        return
    paint = auto_colour(stream)
    for text in texts:
        if paint and text.startswith("warning:"):
            text = "\x1b[1m\x1b[33mwarning\x1b[0m\x1b[1m:\x1b[0m" + text[len("warning:") :]
        stream.write(text)
