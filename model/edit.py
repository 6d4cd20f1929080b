"""Editing one dependency array of a TOML document as uv 0.13.8 edits it (pure: text in, text out).

``uv add`` and ``uv remove`` rewrite a dependency array (``project.dependencies``, a
``dependency-groups`` entry, an extra, a script's ``dependencies``) and leave the rest of the
file alone. This module owns that rewrite: the array's text is split the way ``toml_edit`` (uv's
TOML library) splits it, into values each with the whitespace and comments before (``prefix``)
and after (``suffix``) it, plus what follows the last comma (``trailing``); uv's edits and its
``reformat_array_multiline`` (one value a line, the first value's indentation, a trailing comma,
every comment kept on its line) are applied to that; and the array is written back. Where the
array sits in the document, and creating it, is the shell's business (``reconciler.project.edit``,
which uses tomlkit); this module sees only the array's text, from ``[`` to ``]``.

Requirements are written as uv writes them (``model.edit.requirement_text``): the normalized
name, sorted extras, specifiers ordered by version and joined by ``,``, and the marker in uv's
canonical spelling after `` ; ``.
"""

from __future__ import annotations

import enum
import itertools
import re

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.marker_tree import MarkerTree
from accord.model.markers import render_marker
from accord.model.toml import loads as toml_loads

__all__ = [
    "AmbiguousRequirement",
    "ArrayEdit",
    "ArrayItem",
    "ArrayLayout",
    "BoundKind",
    "EditKind",
    "ScriptBlock",
    "add_requirement",
    "bound_specifiers",
    "find_requirements",
    "parse_array",
    "remove_requirement",
    "render_array",
    "replace_script_block",
    "requirement_text",
    "script_block",
    "set_bound",
    "string_values",
]


class EditKind(enum.Enum):
    ADD = "add"
    UPDATE = "update"


@attrs.frozen
class ArrayEdit:
    """What ``add_requirement`` did, and where: a new value at ``index``, or one updated."""

    kind: EditKind
    index: int


class BoundKind(enum.Enum):
    """``uv add --bounds``: the specifier written for a requirement given without one."""

    LOWER = "lower"
    MAJOR = "major"
    MINOR = "minor"
    EXACT = "exact"


class AmbiguousRequirement(Exception):
    """More than one value in the array names the package (with the same marker)."""

    def __init__(self, name: NormalizedName, requirements: tuple[str, ...]) -> None:
        listed = "\n".join(f"- `{text}`" for text in requirements)
        super().__init__(
            f"Cannot perform ambiguous update; found multiple entries for `{name}`:\n{listed}"
        )
        self.name = name
        self.requirements = requirements


@attrs.frozen
class ArrayItem:
    """One value of an array, with its decoration as ``toml_edit`` splits it."""

    prefix: str
    """Whitespace, newlines and comments between the previous comma (or ``[``) and the value."""
    value: str
    """The value's own text, as written (a quoted string, an inline table, ...)."""
    suffix: str
    """Whitespace and comments between the value and its comma (or ``]``)."""


@attrs.frozen
class ArrayLayout:
    items: tuple[ArrayItem, ...]
    trailing: str
    """What follows the last comma (empty when the last value has no comma after it)."""
    trailing_comma: bool


# --- reading and writing an array's text ---------------------------------------------------


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at offset {self.pos} of {self.text!r}")
        self.pos += 1

    def blank(self) -> str:
        """toml_edit's ``ws_comment_newline``: spaces, tabs, newlines and comments."""
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                break
        return self.text[start : self.pos]

    def value(self) -> str:
        start = self.pos
        self._skip_value()
        return self.text[start : self.pos]

    def _skip_value(self) -> None:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.pos):
                end = self.pos + 3
                while True:
                    found = text.find(quote, end)
                    if found < 0:
                        raise ValueError("unterminated string")
                    if quote == '"""' and _escaped(text, found):
                        end = found + 1
                        continue
                    self.pos = found + 3
                    while text.startswith(quote[0], self.pos):  # up to two quotes in content
                        self.pos += 1
                    return
        char = self.peek()
        if char == '"':
            end = self.pos + 1
            while True:
                found = text.find('"', end)
                if found < 0:
                    raise ValueError("unterminated string")
                if _escaped(text, found):
                    end = found + 1
                    continue
                self.pos = found + 1
                return
        if char == "'":
            found = text.find("'", self.pos + 1)
            if found < 0:
                raise ValueError("unterminated string")
            self.pos = found + 1
            return
        if char in "[{":
            closing = "]" if char == "[" else "}"
            self.pos += 1
            while True:
                self.blank()
                if self.peek() == closing:
                    self.pos += 1
                    return
                if self.peek() == ",":
                    self.pos += 1
                    continue
                if self.peek() == "":
                    raise ValueError("unterminated array or table")
                if char == "{":
                    # key = value: a key is a bare or quoted word, possibly dotted
                    while self.peek() not in ("=", ""):
                        if self.peek() in "\"'":
                            self._skip_value()
                        else:
                            self.pos += 1
                    self.expect("=")
                    self.blank()
                self._skip_value()
        # a scalar: up to the next delimiter
        while self.pos < len(text) and text[self.pos] not in ",]}# \t\r\n":
            self.pos += 1


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def parse_array(text: str) -> ArrayLayout:
    """Split an array's text (``[`` to ``]``, as a valid TOML document holds it) as
    ``toml_edit`` does. Raises ``ValueError`` on text that is not one array."""
    scanner = _Scanner(text)
    scanner.expect("[")
    items: list[ArrayItem] = []
    trailing = ""
    trailing_comma = False
    while True:
        prefix = scanner.blank()
        if scanner.peek() == "]":
            trailing = prefix
            break
        value = scanner.value()
        suffix = scanner.blank()
        items.append(ArrayItem(prefix, value, suffix))
        if scanner.peek() == ",":
            scanner.pos += 1
            trailing_comma = True
            continue
        trailing_comma = False
        break
    scanner.expect("]")
    if scanner.pos != len(text):
        raise ValueError(f"text after the array: {text[scanner.pos :]!r}")
    return ArrayLayout(tuple(items), trailing, trailing_comma)


def render_array(layout: ArrayLayout) -> str:
    """The array's text again: ``parse_array`` and ``render_array`` round-trip exactly."""
    parts = ["["]
    for position, item in enumerate(layout.items):
        if position:
            parts.append(",")
        parts.append(item.prefix + item.value + item.suffix)
    if layout.trailing_comma and layout.items:
        parts.append(",")
    parts.append(layout.trailing + "]")
    return "".join(parts)


def string_values(layout: ArrayLayout) -> list[str | None]:
    """Each value decoded when it is a string (a requirement), else None (an include-group)."""
    values: list[str | None] = []
    for item in layout.items:
        if item.value[:1] in ('"', "'"):
            decoded = toml_loads("v = " + item.value)["v"]
            values.append(decoded if isinstance(decoded, str) else None)
        else:
            values.append(None)
    return values


def _string_repr(value: str) -> str:
    """A new string value as toml_edit writes it: basic, or literal when that needs no escape."""
    if ('"' in value or "\\" in value) and "'" not in value and "\n" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# --- uv's reformat_array_multiline -----------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Rust's ``str::lines``: split on ``\\n`` (dropping a ``\\r`` before it), no final empty."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [part.removesuffix("\r") for part in parts]


@attrs.frozen
class _Comment:
    text: str
    own_line: bool
    leading_whitespace: str


def _comments(decor: str) -> list[_Comment]:
    found: list[_Comment] = []
    previous_empty = previous_comment = False
    for line in _lines(decor):
        if "#" in line:
            before, comment = line.split("#", 1)
            own_line = previous_empty or previous_comment
            leading = before[len(before.rstrip()) :]
            found.append(_Comment("#" + comment.rstrip(), own_line, "" if own_line else leading))
            previous_empty = not line.strip()
            previous_comment = True
        else:
            previous_empty = not line.strip()
            previous_comment = False
    return found


def _reformat(layout: ArrayLayout) -> ArrayLayout:
    """One value a line, indented as the first one is (4 spaces by default), comments kept,
    and a trailing comma."""
    items = list(layout.items)
    trailing = layout.trailing
    # Without a trailing comma, the comments after the last value are in its suffix; once a
    # comma follows the value they belong after it.
    if not layout.trailing_comma and items and "#" in items[-1].suffix:
        last = items[-1]
        trailing = last.suffix + trailing
        items[-1] = attrs.evolve(last, suffix="")
    indentation: str | None = None
    if items:
        lines = _lines(items[0].prefix)
        last_line = lines[-1] if lines else ""
        last_line = last_line.split("#", 1)[0]
        indentation = last_line or None
    newline_indent = "\n" + (indentation if indentation is not None else "    ")
    formatted: list[ArrayItem] = []
    for item in items:
        prefix = ""
        for comment in _comments(item.prefix) + _comments(item.suffix):
            prefix += newline_indent if comment.own_line else comment.leading_whitespace
            prefix += comment.text
        formatted.append(ArrayItem(prefix + newline_indent, item.value, ""))
    rendered_trailing = ""
    for comment in _comments(trailing):
        rendered_trailing += newline_indent if comment.own_line else comment.leading_whitespace
        rendered_trailing += comment.text
    if rendered_trailing or formatted:
        rendered_trailing += "\n"
    return ArrayLayout(tuple(formatted), rendered_trailing, True)


# --- requirements as uv writes and compares them --------------------------------------------


def _sorted_specifiers(requirement: Requirement) -> list[Specifier]:
    def key(specifier: Specifier) -> tuple[int, Version | str]:
        try:
            return (0, Version(specifier.version.removesuffix(".*")))
        except InvalidVersion:
            return (1, specifier.version)

    return sorted(requirement.specifier, key=key)


def requirement_text(requirement: Requirement) -> str:
    """A requirement as uv displays it: ``name[a,b]>=1.0,<2 ; marker`` (or ``name @ url``)."""
    text: str = canonicalize_name(requirement.name)
    if requirement.extras:
        text += "[" + ",".join(sorted(canonicalize_name(e) for e in requirement.extras)) + "]"
    if requirement.url:
        text += f" @ {requirement.url}"
    else:
        text += ",".join(str(s) for s in _sorted_specifiers(requirement))
    if requirement.marker is not None:
        marker = render_marker(requirement.marker)
        if marker:
            # uv separates a URL from its marker with a space before `;` too
            text += f" ; {marker}"
    return text


def _parse(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _same_marker(left: Requirement, right: Requirement) -> bool:
    return MarkerTree.parse(left.marker) == MarkerTree.parse(right.marker)


def find_requirements(
    layout: ArrayLayout, name: NormalizedName, like: Requirement | None = None
) -> list[tuple[int, Requirement]]:
    """The values naming ``name`` (and, given ``like``, with its marker), with their index."""
    found: list[tuple[int, Requirement]] = []
    for index, value in enumerate(string_values(layout)):
        requirement = _parse(value) if value is not None else None
        if requirement is None or canonicalize_name(requirement.name) != name:
            continue
        if like is not None and not _same_marker(requirement, like):
            continue
        found.append((index, requirement))
    return found


def _updated(old: Requirement, new: Requirement) -> str:
    """uv's ``update_requirement``: the extras merged, the new version or URL and the new
    marker taken when given."""
    merged = Requirement(str(old))
    merged.extras = set(old.extras) | set(new.extras)
    if new.url:
        merged.url, merged.specifier = new.url, new.specifier
    elif len(new.specifier):
        merged.url, merged.specifier = None, new.specifier
    if new.marker is not None:
        merged.marker = new.marker
    return requirement_text(merged)


def _split_specifiers(text: str) -> tuple[str, str]:
    match = re.search(r"[><=~!@]", text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.start() :].strip()


def _is_sorted(keys: list[tuple[str, str]] | list[str]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(keys))  # type: ignore[operator]


def _insertion_index(values: list[str | None], new: str) -> int | None:
    """Where uv inserts ``new``: in order when the strings are sorted (case-insensitive or
    not, by name then specifiers, or as plain text), else None (at the end)."""
    strings = [v for v in values if v is not None]
    lower = [v.lower() for v in strings]
    if _is_sorted([_split_specifiers(v) for v in lower]):
        target = _split_specifiers(new.lower())
        return next(
            (
                i
                for i, v in enumerate(values)
                if v is not None and _split_specifiers(v.lower()) > target
            ),
            None,
        )
    if _is_sorted([_split_specifiers(v) for v in strings]):
        target = _split_specifiers(new)
        return next(
            (i for i, v in enumerate(values) if v is not None and _split_specifiers(v) > target),
            None,
        )
    if _is_sorted(lower):
        return next(
            (i for i, v in enumerate(values) if v is not None and v.lower() > new.lower()), None
        )
    if _is_sorted(strings):
        return next((i for i, v in enumerate(values) if v is not None and v > new), None)
    return None


def add_requirement(
    array: str, requirement: Requirement, *, raw_text: str | None = None
) -> tuple[str, ArrayEdit]:
    """``uv add``'s edit of one array: update the one value naming the package (same marker),
    or insert the requirement (in order when the array is sorted, else after the last string),
    then reformat the array. ``raw_text`` (``--raw``) is written instead of uv's spelling.

    Raises ``AmbiguousRequirement`` when several values match."""
    layout = parse_array(array)
    name = canonicalize_name(requirement.name)
    matches = find_requirements(layout, name, requirement)
    items = list(layout.items)
    if len(matches) > 1:
        raise AmbiguousRequirement(name, tuple(requirement_text(r) for _, r in matches))
    if matches:
        index, old = matches[0]
        items[index] = attrs.evolve(items[index], value=_string_repr(_updated(old, requirement)))
        reformatted = _reformat(ArrayLayout(tuple(items), layout.trailing, layout.trailing_comma))
        return render_array(reformatted), ArrayEdit(EditKind.UPDATE, index)
    text = raw_text if raw_text is not None else requirement_text(requirement)
    values = string_values(layout)
    found = _insertion_index(values, text)
    if found is None:
        last_string = [i + 1 for i, v in enumerate(values) if v is not None]
        found = last_string[-1] if last_string else len(items)
    index = found
    trailing = layout.trailing
    new = ArrayItem("", _string_repr(text), "")
    if index == len(items):
        # Comments after the last comma stay where they are: before the new last value.
        new = attrs.evolve(new, prefix=trailing)
        trailing = ""
    elif index > 0:
        # An end-of-line comment of the value before stays on its line.
        new = attrs.evolve(new, prefix=items[index].prefix)
        items[index] = attrs.evolve(items[index], prefix="")
    items.insert(index, new)
    if len(items) > 1 and index == 0:
        # The new first value takes the indentation; own-line comments stay with the value
        # they were above.
        prefix = items[1].prefix
        first_line, newline, rest = _split_first_line(prefix)
        if newline:
            rest_lines = _lines(rest)
            last_line = rest_lines[-1] if rest_lines else ""
            items[0] = attrs.evolve(items[0], prefix=f"{first_line}{newline}{last_line}")
            items[1] = attrs.evolve(items[1], prefix=f"{newline}{rest}")
        else:
            items[0] = attrs.evolve(items[0], prefix=prefix)
    reformatted = _reformat(ArrayLayout(tuple(items), trailing, layout.trailing_comma))
    return render_array(reformatted), ArrayEdit(EditKind.ADD, index)


def _split_first_line(text: str) -> tuple[str, str, str]:
    """(the first line, the newline after it, the rest) as uv splits at the first ``\\r``
    or ``\\n``; no newline: (text, "", "")."""
    match = re.search(r"\r\n|\r|\n", text)
    if match is None:
        return text, "", ""
    return text[: match.start()], match.group(), text[match.start() + 1 :]


def remove_requirement(array: str, name: NormalizedName) -> tuple[str, int]:
    """``uv remove``'s edit of one array: every value naming the package goes (its comments
    moved to the value after it, or to the end), and the array is reformatted when anything
    went. Returns the new text and how many values were removed."""
    layout = parse_array(array)
    matches = find_requirements(layout, name)
    if not matches:
        return array, 0
    items = list(layout.items)
    trailing = layout.trailing
    for index, _ in reversed(matches):
        prefix = items[index].prefix
        if prefix:
            if index + 1 < len(items):
                following = items[index + 1]
                items[index + 1] = attrs.evolve(following, prefix=prefix + following.prefix)
            else:
                trailing = prefix + trailing
        del items[index]
    reformatted = _reformat(ArrayLayout(tuple(items), trailing, layout.trailing_comma))
    return render_array(reformatted), len(matches)


def bound_specifiers(version: Version, kind: BoundKind) -> str:
    """``--bounds``: ``>=1.2.3`` (lower), ``>=1.2.3,<2.0.0`` (major), ``>=1.2.3,<1.3.0``
    (minor) or ``==1.2.3`` (exact), leading zeros skipped as uv skips them."""
    lower = f">={version}"
    release = list(version.release)
    if kind is BoundKind.LOWER:
        return lower
    if kind is BoundKind.EXACT:
        return f"=={version}"
    zeros = next((i for i, part in enumerate(release) if part != 0), len(release))
    if kind is BoundKind.MAJOR:
        if zeros == len(release):
            upper = [0, 1] + [0] * len(release[2:])
        else:
            upper = [0] * zeros + [release[zeros] + 1] + [0] * len(release[zeros + 1 :])
    elif zeros == len(release):
        upper = [0, 0, 1] + [0] * len(release[3:])
    elif zeros >= 2:
        upper = [0] * zeros + [release[zeros] + 1] + [0] * len(release[zeros + 1 :])
    else:
        major = release[zeros]
        minor = release[zeros + 1] if zeros + 1 < len(release) else 0
        upper = [0] * zeros + [major, minor + 1] + [0] * len(release[zeros + 2 :])
    return f"{lower},<{'.'.join(str(part) for part in upper)}"


def set_bound(array: str, index: int, version: Version, kind: BoundKind) -> str:
    """uv's ``set_dependency_bound``: the value at ``index`` gets the bound for ``version``
    (its decoration kept; the array is not reformatted again)."""
    layout = parse_array(array)
    item = layout.items[index]
    value = string_values(layout)[index]
    requirement = _parse(value) if value is not None else None
    if requirement is None:
        raise ValueError(f"no requirement at index {index} of {array!r}")
    public = Version(version.public)  # a local version is not allowed in `>=`
    bounded = Requirement(str(requirement))
    bounded.url = None
    bounded.specifier = Requirement(f"x{bound_specifiers(public, kind)}").specifier
    items = list(layout.items)
    items[index] = attrs.evolve(item, value=_string_repr(requirement_text(bounded)))
    return render_array(ArrayLayout(tuple(items), layout.trailing, layout.trailing_comma))


# --- PEP 723 script metadata -------------------------------------------------------------------

# PEP 723's reference regular expression (the "Reference Implementation" section).
_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


@attrs.frozen
class ScriptBlock:
    """The ``# /// script`` block of a script: where it is, and its TOML without the ``#``."""

    start: int
    end: int
    """Just after the closing ``# ///`` line (and its newline, when it has one)."""
    toml: str


def script_block(text: str) -> ScriptBlock | None:
    """The script's ``script`` metadata block, or None when it has none."""
    for match in _BLOCK.finditer(text):
        if match["type"] != "script":
            continue
        lines = match["content"].splitlines(keepends=True)
        toml = "".join(line[2:] if line.startswith("# ") else line[1:] for line in lines)
        end = match.end()
        if text.startswith("\n", end):
            end += 1
        return ScriptBlock(match.start(), end, toml)
    return None


def replace_script_block(text: str, block: ScriptBlock, toml: str) -> str:
    """The script with the block's TOML replaced, written as uv writes it (``# `` before each
    line, a bare ``#`` for an empty one)."""
    lines = ["# /// script\n"]
    lines += [f"# {line}\n" if line else "#\n" for line in _lines(toml)]
    lines.append("# ///\n")
    return text[: block.start] + "".join(lines) + text[block.end :]
