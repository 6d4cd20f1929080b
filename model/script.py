"""PEP 723 inline script metadata: find the ``script`` block in a script's text and parse it (pure).

The shell reads the script (a ``.py`` file, stdin, or a downloaded URL) and hands its text here;
this module touches nothing else. Blocks are located with PEP 723's reference regular expression,
so a ``# /// script`` line inside another block type, or inside a multi-line Python string, is
treated exactly as the PEP says (the PEP deliberately needs no Python parser). Errors use uv's
wording where uv has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from accord.model.toml import TomlSyntaxError

__all__ = ["ScriptMetadata", "ScriptMetadataError", "parse_script_metadata"]

# PEP 723, "Reference implementation": a block is `# /// TYPE`, lines that are `#` alone or
# `# ` + content, and `# ///`. The greedy repetition backtracks to the *last* `# ///` of the run
# of comment lines, which is the PEP's rule for where a block ends. The reference regex has `+`
# (at least one content line); `*` also accepts the empty block `# /// script` + `# ///`, which
# uv accepts and writes itself.
_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)*)^# ///$")
_SCRIPT_OPENER = re.compile(r"(?m)^# /// script$")

UNCLOSED_BLOCK = (
    "An opening tag (`# /// script`) was found without a closing tag (`# ///`). Ensure that every"
    " line between the opening and closing tags (including empty lines) starts with a leading `#`."
)
MULTIPLE_BLOCKS = "The script contains multiple PEP 723 metadata blocks"


class ScriptMetadataError(Exception):
    """The script's ``script`` metadata block is malformed (the shell adds the script's path).

    ``message`` is uv's words; ``report`` what uv prints for a mistake in the block's TOML (its
    ``TOML parse error at line L, column C`` block, counted from the block's first line, as uv
    counts), empty for a mistake in the tags; ``line`` and ``column`` are where the mistake is
    in the script file itself.
    """

    def __init__(
        self, message: str, line: int, *, column: int | None = None, report: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        """1-based line in the script file that the problem is on (or starts at)."""
        self.column = column
        """1-based column in that line, when the problem is in the block's TOML."""
        self.report = report


@attrs.frozen(kw_only=True)
class ScriptMetadata:
    """The parsed ``script`` block of a PEP 723 script."""

    requires_python: SpecifierSet | None
    """``requires-python``; None when the block does not set it."""
    dependencies: tuple[Requirement, ...]
    """``dependencies`` in block order; empty when the key is absent."""
    tool_uv: tuple[tuple[str, object], ...]
    """The ``[tool.uv]`` table's top-level keys (``index``, ``sources``, ...) in block order.

    Values are as TOML parsing gives them (``dict``, ``list``, scalars), so the shell can treat
    them like a ``pyproject.toml``'s ``[tool.uv]``; this value owns them, so never mutate them.
    """
    block_text: str
    """The block's TOML text (comment prefixes removed, LF line endings), for digests."""
    start_line: int
    """1-based line of the ``# /// script`` opening tag."""


def parse_script_metadata(text: str) -> ScriptMetadata | None:
    """Parse the PEP 723 ``script`` block of a script's source text.

    Returns None when the text has no ``script`` block; other block types are ignored. CRLF line
    endings and a leading byte-order mark are accepted. Raises ``ScriptMetadataError`` (with the
    script line) for an opening tag without a closing tag, more than one ``script`` block, invalid
    TOML, or ``requires-python``/``dependencies``/``tool.uv`` values of the wrong shape.
    """
    # uv splits lines the way Rust's `str::lines` does: on `\n`, dropping a `\r` before it.
    # Replacing `\r\n` keeps line numbers and makes the block text the same for either ending.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    blocks = list(_BLOCK.finditer(text))
    scripts = [block for block in blocks if block["type"] == "script"]
    # An opening tag that opens no complete block (the PEP's regex simply fails to match there).
    # uv errors on it when it is the first `# /// script` in the file; a stray one after a valid
    # block is ignored, as uv ignores it.
    strays = [
        opener.start()
        for opener in _SCRIPT_OPENER.finditer(text)
        if not any(block.start() <= opener.start() < block.end() for block in blocks)
    ]
    if strays and (not scripts or strays[0] < scripts[0].start()):
        raise ScriptMetadataError(UNCLOSED_BLOCK, _line_at(text, strays[0]))
    if not scripts:
        return None
    if len(scripts) > 1:
        # PEP 723: "tools MUST produce an error" when there are multiple `script` blocks.
        raise ScriptMetadataError(MULTIPLE_BLOCKS, _line_at(text, scripts[1].start()))
    block = scripts[0]
    start_line = _line_at(text, block.start())
    comment_lines = block["content"].split("\n")[:-1]
    # PEP 723: drop the first two characters if the second is a space, else just the `#`.
    content_lines = [line[2:] if line.startswith("# ") else line[1:] for line in comment_lines]
    block_text = "".join(line + "\n" for line in content_lines)
    document = _load_toml(block_text, comment_lines, start_line)
    locate = _Locator(block_text, tuple(comment_lines), start_line)
    return ScriptMetadata(
        requires_python=_requires_python(document, locate),
        dependencies=_dependencies(document, locate),
        tool_uv=_tool_uv(document, locate),
        block_text=block_text,
        start_line=start_line,
    )


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _load_toml(block_text: str, comment_lines: list[str], start_line: int) -> dict[str, Any]:
    from accord.model.toml import loads

    try:
        return loads(block_text)
    except TomlSyntaxError as exc:
        if exc.line is None or exc.column is None:
            raise ScriptMetadataError(exc.detail, start_line) from exc
        raise _at(comment_lines, start_line, exc.line, exc.column, exc.detail, exc.block()) from exc


def _at(
    comment_lines: list[str], start_line: int, line: int, column: int, detail: str, report: str
) -> ScriptMetadataError:
    """The error ``detail`` at ``line``/``column`` of the block (``report`` says it as uv
    does), placed in the script: the `# ` (or lone `#`) stripped from the line counts again."""
    if 0 < line <= len(comment_lines):
        column += 2 if comment_lines[line - 1].startswith("# ") else 1
    return ScriptMetadataError(detail, start_line + line, column=column, report=report)


@attrs.frozen
class _Locator:
    """Where a value is written in the block, for errors about what it means."""

    block_text: str
    comment_lines: tuple[str, ...]
    start_line: int

    def error(
        self, keys: tuple[str | int, ...], detail: str, *, key: bool = False
    ) -> ScriptMetadataError:
        """uv's error for the value at ``keys`` (``key``: its key)."""
        from accord.model.toml import block
        from accord.model.toml_spans import locate

        found = locate(self.block_text, keys, key=key)
        if found is None:
            return ScriptMetadataError(detail, self.start_line)
        report = block(found.line, found.column, found.source_line, detail, width=found.width)
        lines = list(self.comment_lines)
        return _at(lines, self.start_line, found.line, found.column, detail, report)


def _requires_python(document: Mapping[str, object], locate: _Locator) -> SpecifierSet | None:
    from accord.model.pep440_words import specifiers_words
    from accord.model.pyproject import describe_type

    value = document.get("requires-python")
    if value is None:
        return None
    if not isinstance(value, str):
        detail = f"invalid type: {describe_type(value)}, expected a string"
        raise locate.error(("requires-python",), detail)
    try:
        return SpecifierSet(value)
    except InvalidSpecifier as exc:
        raise locate.error(("requires-python",), specifiers_words(value)) from exc


def _dependencies(document: Mapping[str, object], locate: _Locator) -> tuple[Requirement, ...]:
    from accord.model.pyproject import describe_type

    value = document.get("dependencies")
    if value is None:
        return ()
    if not isinstance(value, list):
        detail = f"invalid type: {describe_type(value)}, expected a sequence"
        raise locate.error(("dependencies",), detail)
    requirements = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            detail = (
                f"invalid type: {describe_type(item)}, expected a string containing a PEP 508 "
                "requirement"
            )
            raise locate.error(("dependencies", index), detail)
        try:
            requirements.append(Requirement(item))
        except InvalidRequirement as exc:
            raise locate.error(("dependencies", index), str(exc)) from exc
    return tuple(requirements)


def _tool_uv(document: Mapping[str, object], locate: _Locator) -> tuple[tuple[str, object], ...]:
    from accord.model.pyproject import describe_type
    from accord.model.uv_options import options_problem

    tool = document.get("tool")
    if tool is None:
        return ()
    if not isinstance(tool, dict):
        raise locate.error(("tool",), f"invalid type: {describe_type(tool)}, expected struct Tool")
    uv = tool.get("uv")
    if uv is None:
        return ()
    if not isinstance(uv, dict):
        detail = f"invalid type: {describe_type(uv)}, expected struct Options"
        raise locate.error(("tool", "uv"), detail)
    problem = options_problem(uv)
    if problem is not None:
        # uv refuses a script whose [tool.uv] it cannot read (a project's only gets a warning),
        # pointing at the table, and names an unknown key without listing the known ones.
        detail = problem.detail.split(", expected one of `required-version`")[0]
        raise locate.error(("tool", "uv"), detail)
    return tuple(uv.items())
