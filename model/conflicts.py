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
    "conflict_marker",
    "conflicting_selection",
    "encode",
    "item_marker",
    "read_conflicts",
    "same_conflicts",
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


def conflicting_selection(
    sets: ConflictSets, active: Iterable[ConflictItem]
) -> Sequence[ConflictItem] | None:
    """The items of the first set of which ``active`` holds two or more (in declared order),
    or None when the selection is allowed."""
    chosen = set(active)
    for items in sets:
        both = [item for item in items if item in chosen]
        if len(both) > 1:
            return both
    return None
