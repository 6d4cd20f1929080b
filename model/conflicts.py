"""``tool.uv.conflicts``: extras and groups declared mutually exclusive, and uv's conflict
markers (pure).

uv resolves conflicting extras and groups in forks of their own, and records where an edge
applies in a *universal marker*: a PEP 508 marker whose ``extra`` variables also encode the
active conflict items (``extra == 'extra-4-proj-x'`` for extra ``x`` of ``proj``,
``group-4-proj-dev`` for a group; the number is the package name's length, so the encoding
can be read back). See ``uv-resolver/src/universal_marker.rs`` and
``uv-pypi-types/src/conflicts.rs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.utils import NormalizedName, canonicalize_name

from accord.model.lock import ConflictItem
from accord.model.marker_tree import MarkerTree
from accord.model.uv_settings import SettingInvalid

__all__ = [
    "ConflictSets",
    "SelectionConflicts",
    "conflict_marker",
    "encode",
    "item_marker",
    "read_conflicts",
    "same_conflicts",
    "selection_conflict",
]

ConflictSets = tuple[tuple[ConflictItem, ...], ...]

_FIELDS = ("package", "extra", "group")


def read_conflicts(value: object, project: NormalizedName) -> ConflictSets:
    """``tool.uv.conflicts`` of ``project``'s pyproject.toml (an item without ``package`` is
    the project's own); raises ``SettingInvalid`` with uv's words for a malformed one."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, list) for s in value):
        raise SettingInvalid("`tool.uv.conflicts` must be a list of lists of tables")
    sets: list[tuple[ConflictItem, ...]] = []
    for entries in value:
        if len(entries) < 2:
            found = "none" if not entries else "only one"
            raise SettingInvalid(
                "`tool.uv.conflicts`: Each set of conflicts must have at least two entries, "
                f"but found {found}"
            )
        sets.append(tuple(_item(entry, project) for entry in entries))
    return tuple(sets)


def _item(entry: object, project: NormalizedName) -> ConflictItem:
    if not isinstance(entry, dict):
        raise SettingInvalid("`tool.uv.conflicts`: each entry must be a table")
    for key in entry:
        if key not in _FIELDS:
            raise SettingInvalid(
                f"`tool.uv.conflicts`: unknown field `{key}`, expected one of "
                "`package`, `extra`, `group`"
            )
    for key, text in entry.items():
        if not isinstance(text, str):
            raise SettingInvalid(f"`tool.uv.conflicts`: `{key}` must be a string")
    if "extra" in entry and "group" in entry:
        raise SettingInvalid(
            "`tool.uv.conflicts`: Expected one of `extra` or `group` in conflicting entry, "
            "but found both"
        )
    package = canonicalize_name(entry.get("package", project))
    extra, group = entry.get("extra"), entry.get("group")
    return ConflictItem(
        package=package,
        extra=None if extra is None else canonicalize_name(extra),
        group=None if group is None else canonicalize_name(group),
    )


def same_conflicts(recorded: ConflictSets, declared: ConflictSets) -> bool:
    """Whether a lock's ``conflicts`` are the declared ones (as sets of sets, as uv compares)."""

    def key(sets: ConflictSets) -> frozenset[frozenset[ConflictItem]]:
        return frozenset(frozenset(items) for items in sets)

    return key(recorded) == key(declared)


def encode(item: ConflictItem) -> str:
    """The ``extra`` value that stands for ``item`` in a conflict marker."""
    size = len(item.package)
    if item.extra is not None:
        return f"extra-{size}-{item.package}-{item.extra}"
    if item.group is not None:
        return f"group-{size}-{item.package}-{item.group}"
    return f"project-{size}-{item.package}"


def item_marker(item: ConflictItem) -> MarkerTree:
    """True exactly where ``item`` is active."""
    return MarkerTree.parse(f"extra == '{encode(item)}'")


def conflict_marker(sets: ConflictSets) -> MarkerTree:
    """uv's ``ConflictMarker::from_conflicts``: no two items of one set active together."""
    marker = MarkerTree.TRUE
    for items in sets:
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                marker = marker & (~item_marker(first) | ~item_marker(second))
    return marker


class SelectionConflicts(Exception):
    """The selection activates extras or groups declared mutually exclusive (uv's words)."""


def _shown(item: ConflictItem) -> str:
    if item.extra is not None:
        return f"`{item.package}[{item.extra}]`"
    if item.group is not None:
        return f"`{item.package}:{item.group}`"
    return f"`{item.package}`"


def _listed(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def selection_conflict(
    sets: ConflictSets, active: Iterable[ConflictItem]
) -> SelectionConflicts | None:
    """The error uv gives when ``active`` holds two items of one set, or None."""
    chosen = set(active)
    for items in sets:
        both = [item for item in items if item in chosen]
        if len(both) < 2:
            continue
        extras = [f"`{i.extra}`" for i in both if i.extra is not None]
        groups = [f"`{i.group}`" for i in both if i.group is not None]
        if extras and groups:
            what = f"Extra {_listed(extras)}" if len(extras) == 1 else f"Extras {_listed(extras)}"
            what += f" and group {_listed(groups)}" if len(groups) == 1 else ""
            what += f" and groups {_listed(groups)}" if len(groups) > 1 else ""
            declared = "the declared conflicts"
        elif extras:
            what, declared = f"Extras {_listed(extras)}", "the declared conflicts"
        else:
            what, declared = f"Groups {_listed(groups)}", "the conflicts"
        members = ", ".join(_shown(i) for i in items)
        return SelectionConflicts(f"{what} are incompatible with {declared}: {{{members}}}")
    return None
