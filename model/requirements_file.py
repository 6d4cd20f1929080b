"""The requirements.txt subset that ``--with-requirements`` reads (pure: text in, values out).

The shell reads the file (or stdin) and passes its text and a display name. Supported: one PEP 508
requirement per line, blank lines, comments (a ``#`` at the start of a line or after whitespace),
and ``\\`` line continuations, joined the way pip joins them. Index options (``--index-url``,
``--extra-index-url``, ``--find-links``, ``--no-index``) and per-requirement ``--hash`` options are
ignored but reported, so the shell can warn as uv does. Nested files (``-r``, ``-c``), editables
and other options are refused.
"""

from __future__ import annotations

import re

import attrs
from packaging.requirements import InvalidRequirement, Requirement

__all__ = ["ParsedRequirements", "RequirementsFileError", "parse_requirements"]

# pip's COMMENT_RE (`req_file.py`): `#` starts a comment only at the start of a line or after
# whitespace, so a URL fragment such as `pkg @ https://host/pkg.whl#sha256=...` survives.
_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_NAME = re.compile(r"^(--[a-zA-Z0-9-]+|-[a-zA-Z])")

_NESTED = frozenset({"-r", "--requirement", "-c", "--constraint"})
_IGNORED = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-index"})
_EDITABLE = frozenset({"-e", "--editable"})
_IGNORED_PER_REQUIREMENT = "--hash"


class RequirementsFileError(Exception):
    """A line of a requirements file that ``--with-requirements`` cannot use."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        """1-based line in the file (the first physical line of a continued line)."""


@attrs.frozen(kw_only=True)
class ParsedRequirements:
    """What a requirements file asks for."""

    requirements: tuple[Requirement, ...]
    """In file order; empty for a file with no requirements (uv warns about that)."""
    ignored_options: tuple[tuple[int, str], ...]
    """``(line, option as written)`` for each option that was skipped, in file order."""


def parse_requirements(text: str, *, source: str) -> ParsedRequirements:
    """Parse requirements-file text; ``source`` is the name used in error messages.

    Raises ``RequirementsFileError`` naming ``source`` and the line for a nested file
    (``-r``/``-c``), an editable, an unsupported option, or a line that is not a valid PEP 508
    requirement (a bare path or URL without a name is one).
    """
    requirements: list[Requirement] = []
    ignored: list[tuple[int, str]] = []
    for number, raw in _logical_lines(text):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            _check_option(line, number, source)
            ignored.append((number, line))
            continue
        requirement, options = _split_options(line)
        for option in options:
            name = _option_name(option)
            if name != _IGNORED_PER_REQUIREMENT:
                raise RequirementsFileError(
                    f"`{name}` in `{source}` at line {number} is not supported", number
                )
            ignored.append((number, option))
        try:
            requirements.append(Requirement(requirement))
        except InvalidRequirement as exc:
            raise RequirementsFileError(
                f"Invalid requirement `{requirement}` in `{source}` at line {number}: {exc}",
                number,
            ) from exc
    return ParsedRequirements(requirements=tuple(requirements), ignored_options=tuple(ignored))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with ``\\`` continuations joined, each numbered by its first physical line.

    As pip's ``join_lines``: the backslash is dropped and the next line appended as is, and a
    comment line never continues (a trailing ``\\`` in a comment is part of the comment).
    """
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, physical in enumerate(text.split("\n"), start=1):
        line = physical.removesuffix("\r")
        if line.endswith("\\") and not _COMMENT.match(line):
            if not pending:
                first = number
            pending.append(line[:-1])
            continue
        if pending:
            # A comment line ends a continuation; the space keeps it recognisable as a comment.
            pending.append(" " + line if _COMMENT.match(line) else line)
            joined.append((first, "".join(pending)))
            pending = []
        else:
            joined.append((number, line))
    if pending:
        joined.append((first, "".join(pending)))
    return joined


def _option_name(option: str) -> str:
    match = _OPTION_NAME.match(option)
    return match.group(1) if match else option


def _check_option(line: str, number: int, source: str) -> None:
    """Raise unless ``line`` is an option we skip (the caller records it)."""
    name = _option_name(line)
    if name in _NESTED:
        raise RequirementsFileError(
            f"`{line}` in `{source}` at line {number}: nested requirement files are not"
            " supported yet",
            number,
        )
    if name in _EDITABLE:
        raise RequirementsFileError(
            f"`{line}` in `{source}` at line {number}: editable requirements are not supported"
            " in a `--with-requirements` file yet",
            number,
        )
    if name not in _IGNORED:
        raise RequirementsFileError(
            f"`{name}` in `{source}` at line {number} is not supported", number
        )


def _split_options(line: str) -> tuple[str, list[str]]:
    """Split ``req --hash=... --hash ...`` into the requirement and its options.

    As pip's ``break_args_options``: the requirement runs up to the first space-separated token
    that starts with ``-``. An option's separate value (``--hash sha256:...``) is kept with it.
    """
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            requirement = " ".join(tokens[:index]).strip()
            return requirement, _group_options([t for t in tokens[index:] if t])
    return line, []


def _group_options(tokens: list[str]) -> list[str]:
    options: list[str] = []
    for token in tokens:
        if token.startswith("-") or not options:
            options.append(token)
        else:
            options[-1] += " " + token
    return options
