"""PEP 723 inline script metadata: find the ``script`` block in a script's text and parse it (pure).

The shell reads the script (a ``.py`` file, stdin, or a downloaded URL) and hands its text here;
this module touches nothing else. Blocks are located with PEP 723's reference regular expression,
so a ``# /// script`` line inside another block type, or inside a multi-line Python string, is
treated exactly as the PEP says (the PEP deliberately needs no Python parser). Errors use uv's
wording where uv has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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
    """The script's ``script`` metadata block is malformed (the shell adds the script's path)."""

    def __init__(
        self, message: str, line: int, *, column: int | None = None, excerpt: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        """1-based line in the script file that the problem is on (or starts at)."""
        self.column = column
        """1-based column in that line, for TOML syntax errors."""
        self.excerpt = excerpt
        """The script's line with a caret under the mistake, for TOML syntax errors."""


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
    locate = _Locator(tuple(content_lines), start_line)
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
        raise _translate_toml_error(exc, comment_lines, start_line) from exc


def _translate_toml_error(
    exc: TomlSyntaxError, comment_lines: list[str], start_line: int
) -> ScriptMetadataError:
    """Re-point the parser's block-relative position at the line and column in the script file,
    and show the script's own line (with its ``#``) under the message."""
    from accord.model.toml import excerpt

    prefix = "Invalid TOML in the `script` metadata block"
    if exc.line is None or exc.column is None:
        return ScriptMetadataError(f"{prefix}: {exc.message}", start_line)
    block_line = exc.line
    line = start_line + block_line
    column = exc.column
    source = exc.source_line or ""
    if 0 < block_line <= len(comment_lines):
        # The `# ` (or lone `#`) that was stripped from the line comes back into the count.
        source = comment_lines[block_line - 1]
        column += 2 if source.startswith("# ") else 1
    return ScriptMetadataError(
        f"{prefix}: {exc.detail}",
        line,
        column=column,
        excerpt=excerpt(line, column, source, width=exc.width),
    )


@attrs.frozen
class _Locator:
    """Best-effort script line numbers for values (tomllib reports no positions)."""

    content_lines: tuple[str, ...]
    start_line: int

    def key(self, key: str) -> int:
        """The line of a top-level ``key = ...``, else the opening tag's line."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        return self._first(pattern.match, 0)

    def string(self, value: str, after_key: str) -> int:
        """The first line at or after ``after_key`` holding ``value`` as written, else the key's."""
        key_line = self.key(after_key)
        found = self._first(lambda line: value in line, key_line - self.start_line - 1)
        return found if found != self.start_line else key_line

    def _first(self, predicate: Callable[[str], object], begin: int) -> int:
        for index in range(max(begin, 0), len(self.content_lines)):
            if predicate(self.content_lines[index]):
                return self.start_line + 1 + index
        return self.start_line


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return names.get(type(value), "a date or time")


def _requires_python(document: Mapping[str, object], locate: _Locator) -> SpecifierSet | None:
    value = document.get("requires-python")
    if value is None:
        return None
    line = locate.key("requires-python")
    if not isinstance(value, str):
        raise ScriptMetadataError(
            f"`requires-python` must be a string, not {_toml_type(value)} (line {line})", line
        )
    try:
        return SpecifierSet(value)
    except InvalidSpecifier as exc:
        raise ScriptMetadataError(
            f"Invalid `requires-python` value `{value}` (line {line}): {exc}", line
        ) from exc


def _dependencies(document: Mapping[str, object], locate: _Locator) -> tuple[Requirement, ...]:
    value = document.get("dependencies")
    if value is None:
        return ()
    if not isinstance(value, list):
        line = locate.key("dependencies")
        raise ScriptMetadataError(
            f"`dependencies` must be an array of strings, not {_toml_type(value)} (line {line})",
            line,
        )
    requirements = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            line = locate.key("dependencies")
            raise ScriptMetadataError(
                f"`dependencies` must be an array of strings, but item {index} is"
                f" {_toml_type(item)} (line {line})",
                line,
            )
        try:
            requirements.append(Requirement(item))
        except InvalidRequirement as exc:
            line = locate.string(item, after_key="dependencies")
            raise ScriptMetadataError(
                f"Invalid dependency `{item}` (line {line}): {exc}", line
            ) from exc
    return tuple(requirements)


def _tool_uv(document: Mapping[str, object], locate: _Locator) -> tuple[tuple[str, object], ...]:
    tool = document.get("tool")
    if tool is None:
        return ()
    if not isinstance(tool, dict):
        line = locate.key("tool")
        raise ScriptMetadataError(
            f"`tool` must be a table, not {_toml_type(tool)} (line {line})", line
        )
    uv = tool.get("uv")
    if uv is None:
        return ()
    if not isinstance(uv, dict):
        line = locate.key("tool.uv")
        if line == locate.start_line:  # written as `uv = ...` under a `[tool]` header
            line = locate.key("uv")
        raise ScriptMetadataError(
            f"`tool.uv` must be a table, not {_toml_type(uv)} (line {line})", line
        )
    from accord.model.uv_settings import check_uv_settings

    unknown = check_uv_settings(uv).unknown
    if unknown:
        # uv refuses a script whose [tool.uv] it cannot read (a project's only gets a warning).
        line = locate.key(unknown[0])
        raise ScriptMetadataError(f"unknown field `{unknown[0]}` in `[tool.uv]`", line)
    return tuple(uv.items())
