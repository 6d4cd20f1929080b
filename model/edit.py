"""``uv add``/``uv remove``'s edits of one dependency array, as uv 0.13.8 makes them (pure).

``uv add`` and ``uv remove`` rewrite a dependency array (``project.dependencies``, a
``dependency-groups`` entry, an extra, a script's ``dependencies``) and leave the rest of the
file alone. This module decides the edit: which value a requirement updates or where a new one
goes, which values a removal takes (and where their comments go), and the bounds ``--bounds``
writes; the array's text is split, written back and reformatted as ``toml_edit`` and uv do by
``model.toml_array``. Where the array sits in the document, and creating it, is the shell's
business (``reconciler.project.edit``, which uses tomlkit); this module sees only the array's
text, from ``[`` to ``]``, and a PEP 723 script's metadata block.

Requirements are written as uv writes them (``requirement_text``): the normalized name, sorted
extras, specifiers ordered by version and joined by ``,``, and the marker in uv's canonical
spelling after `` ; ``.
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
from accord.model.toml_array import (
    ArrayItem,
    ArrayLayout,
    parse_array,
    reformat_multiline,
    render_array,
    split_lines,
    string_repr,
    string_values,
)

__all__ = [
    "AmbiguousRequirement",
    "ArrayEdit",
    "BoundKind",
    "EditKind",
    "ScriptBlock",
    "add_requirement",
    "bound_specifiers",
    "find_requirements",
    "remove_requirement",
    "replace_script_block",
    "requirement_text",
    "script_block",
    "set_bound",
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
        items[index] = attrs.evolve(items[index], value=string_repr(_updated(old, requirement)))
        reformatted = reformat_multiline(
            ArrayLayout(tuple(items), layout.trailing, layout.trailing_comma)
        )
        return render_array(reformatted), ArrayEdit(EditKind.UPDATE, index)
    text = raw_text if raw_text is not None else requirement_text(requirement)
    values = string_values(layout)
    found = _insertion_index(values, text)
    if found is None:
        last_string = [i + 1 for i, v in enumerate(values) if v is not None]
        found = last_string[-1] if last_string else len(items)
    index = found
    trailing = layout.trailing
    new = ArrayItem("", string_repr(text), "")
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
            rest_lines = split_lines(rest)
            last_line = rest_lines[-1] if rest_lines else ""
            items[0] = attrs.evolve(items[0], prefix=f"{first_line}{newline}{last_line}")
            items[1] = attrs.evolve(items[1], prefix=f"{newline}{rest}")
        else:
            items[0] = attrs.evolve(items[0], prefix=prefix)
    reformatted = reformat_multiline(ArrayLayout(tuple(items), trailing, layout.trailing_comma))
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
    reformatted = reformat_multiline(ArrayLayout(tuple(items), trailing, layout.trailing_comma))
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
    items[index] = attrs.evolve(item, value=string_repr(requirement_text(bounded)))
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
    lines += [f"# {line}\n" if line else "#\n" for line in split_lines(toml)]
    lines.append("# ///\n")
    return text[: block.start] + "".join(lines) + text[block.end :]
