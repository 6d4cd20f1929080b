"""A problem in ``uv.lock`` told as a ``LockfileInvalid`` (lock stage; pure over the text).

The error names the file, the ``$.package[3].version`` path in the file's own keys and, where
it can be found in the text, the line (and for a bad value, its column and an excerpt).
"""

from __future__ import annotations

import re
from pathlib import Path

from accord.reconciler.errors import LockfileInvalid
from accord.reconciler.lock.checks import BadValue

__all__ = ["UNPARSEABLE", "file_keys", "invalid", "invalid_value", "locate"]

_FILE_KEYS = {"extras": "extra"}
"""Attribute names whose key in the file is not just the kebab-case spelling."""


def file_keys(problem: str) -> str:
    """cattrs names attributes (``@ $.requires_python``); name the file's keys instead."""
    message, at, json_path = problem.rpartition(" @ ")
    if not at:
        return problem
    json_path = re.sub(
        r"(?<=\.)([a-z]+(?:_[a-z]+)*)\b",
        lambda match: _FILE_KEYS.get(match[1], match[1].replace("_", "-")),
        json_path,
    )
    return f"{message}{at}{json_path}"


UNPARSEABLE = "Failed to parse `uv.lock`"
"""uv's words for a lock it cannot read (it names the file so whatever the working directory)."""


def locate(text: str, json_path: str) -> int | None:
    """The line of ``$.package[N].key`` (or of the N-th package, or of a top-level ``$.key``)
    in the TOML text, if found."""
    lines = text.splitlines()
    top_level = re.fullmatch(r"\$\.([\w-]+)", json_path)
    if top_level:
        for number, line in enumerate(lines, start=1):
            if line.startswith("["):
                break
            if line.split("=", 1)[0].strip() == top_level.group(1):
                return number
    match = re.match(r"\$\.package\[(\d+)\](?:\.([\w-]+))?", json_path)
    if not match:
        return None
    wanted = int(match.group(1))
    seen = -1
    for number, line in enumerate(lines, start=1):
        if line.strip() in ("[[package]]", "[[distribution]]"):
            seen += 1
            if seen == wanted:
                key = match.group(2)
                if key is None:
                    return number
                key = key.replace("_", "-")
                for offset, inner in enumerate(lines[number:], start=number + 1):
                    if inner.startswith(("[[package]]", "[[distribution]]")):
                        break
                    if inner.split("=", 1)[0].strip() == key:
                        return offset
                return number
    return None


def invalid(path: Path, problem: str, line: int | None, text: str = "") -> LockfileInvalid:
    """uv's layout for a lock it cannot read, ``problem`` in accord's words: the line at fault
    (its text underlined) when it is known."""
    from accord.model.toml import block, caused

    lines = text.split("\n")
    if line is None or not 0 < line <= len(lines):
        return LockfileInvalid(caused(UNPARSEABLE, problem), path=path, line=line)
    source = lines[line - 1]
    column = len(source) - len(source.lstrip()) + 1
    width = max(1, len(source.strip()))
    return LockfileInvalid(
        caused(UNPARSEABLE, block(line, column, source, problem, width=width)),
        path=path,
        line=line,
        column=column,
    )


def invalid_value(path: Path, text: str, exc: BadValue) -> LockfileInvalid:
    """Point at the bad value itself: the first line of its package (or of the file) that
    writes it as a TOML string."""
    from accord.model.toml import block, caused

    lines = text.split("\n")
    first = 0
    package = re.match(r"\$\.package\[(\d+)\]", exc.where)
    if package:
        line = locate(text, f"$.package[{package.group(1)}]")
        first = (line or 1) - 1
    quoted = '"' + exc.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    problem = f"{exc.problem} @ {exc.where}"
    for number in range(first, len(lines)):
        column = lines[number].find(quoted)
        if column >= 0:
            shown = block(number + 1, column + 1, lines[number], problem, width=len(quoted))
            return LockfileInvalid(
                caused(UNPARSEABLE, shown), path=path, line=number + 1, column=column + 1
            )
    return invalid(path, problem, first + 1 if package else None, text)
