"""Project stage: ``[tool.uv.sources]`` lowered into where each dependency comes from
(pyproject.toml already read and checked against uv's schema), for workspace members and for
the path dependencies whose own sources uv follows (``workspace.read_path_dependency``).

A single source table gives a name one source everywhere (a ``Source``, or an index URL
for ``index``). A list of sources, or one source with a ``marker``, chooses among them by
marker (``model.manifest.SelectedSource``): uv turns a requirement on such a name into one
requirement per source, the source's marker added to its own, and the resolution forks on
them. Paths are made relative to the workspace root, as the lock writes them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.lock import Source, SourceKind
from accord.model.manifest import SelectedSource
from accord.reconciler.errors import ProjectInvalid, SettingUnsupported

if TYPE_CHECKING:
    from accord.model.marker_tree import MarkerTree

__all__ = ["LoweredSources", "lower_sources", "relative_to_root"]


@attrs.frozen
class LoweredSources:
    """One member's ``[tool.uv.sources]``, each part sorted by name."""

    sources: tuple[tuple[NormalizedName, Source], ...] = ()
    index_pins: tuple[tuple[NormalizedName, str], ...] = ()
    selected: tuple[tuple[NormalizedName, tuple[SelectedSource, ...]], ...] = ()


def relative_to_root(path: Path, root: Path) -> str:
    """``path`` relative to the workspace ``root``, with ``/``, as the lock writes it."""
    return os.path.relpath(path, root).replace(os.sep, "/")


def _unsupported(pyproject: Path, raw_name: str, what: str) -> SettingUnsupported:
    return SettingUnsupported(
        f"`{pyproject}`: `tool.uv.sources.{raw_name}` {what}, which accord does not support "
        "yet; it changes the lock, so accord will not resolve without it",
        hint="lock with uv (accord runs from a uv.lock that is up to date), or change the source",
        path=pyproject,
    )


@attrs.frozen
class _Context:
    member_dir: Path
    root: Path
    members: Mapping[NormalizedName, tuple[Path, bool]]
    indexes: Mapping[str, str]
    pyproject: Path


def _lower_one(
    raw_name: str, entry: Mapping[str, Any], context: _Context
) -> tuple[Source | None, str | None]:
    """One source table: a ``Source``, or (``index``) the index URL."""
    name = canonicalize_name(raw_name)
    pyproject, root = context.pyproject, context.root
    if entry.get("workspace") is True:
        if name not in context.members:
            raise ProjectInvalid(
                f"`{pyproject}`: `{raw_name}` references a workspace member that does not exist",
                path=pyproject,
            )
        directory, is_package = context.members[name]
        kind = SourceKind.EDITABLE if is_package else SourceKind.VIRTUAL
        return Source(kind, relative_to_root(directory, root)), None
    if "path" in entry:
        target = (context.member_dir / str(entry["path"])).resolve()
        location = (
            str(entry["path"])
            if os.path.isabs(str(entry["path"]))
            else relative_to_root(target, root)
        )
        if target.is_dir():
            kind = SourceKind.EDITABLE if entry.get("editable") else SourceKind.DIRECTORY
        else:
            kind = SourceKind.PATH
        return Source(kind, location), None
    if "git" in entry:
        from accord.model.git import parse_git_source, requirement_url

        reference = parse_git_source(entry)
        # The subdirectory is in the URL's query, as uv writes it (no `subdirectory` key).
        return Source(SourceKind.GIT, requirement_url(reference)), None
    if "url" in entry:
        subdirectory = entry.get("subdirectory")
        return Source(
            SourceKind.URL, str(entry["url"]), str(subdirectory) if subdirectory else None
        ), None
    if "index" in entry:
        url = context.indexes.get(str(entry["index"]))
        if url is None:
            raise ProjectInvalid(
                f"`{pyproject}`: `{raw_name}` names the index `{entry['index']}`, which no "
                "`[[tool.uv.index]]` defines",
                path=pyproject,
            )
        return None, url
    raise ProjectInvalid(
        f"`{pyproject}`: `tool.uv.sources.{raw_name}` has no `workspace`, `path`, `git`, "
        "`url` or `index` key",
        path=pyproject,
    )


def _selected(raw_name: str, entry: Mapping[str, Any], context: _Context) -> SelectedSource:
    """One source chosen by marker: index, path, url and git sources are supported."""
    if "workspace" in entry:
        raise _unsupported(context.pyproject, raw_name, "selects a workspace member by marker")
    source, index = _lower_one(raw_name, entry, context)
    return SelectedSource(_marker(entry), source, index)


def _marker(entry: Mapping[str, Any]) -> MarkerTree:
    from accord.model.marker_tree import MarkerTree

    marker = entry.get("marker")
    return MarkerTree.parse(marker if isinstance(marker, str) else None)


def lower_sources(
    raw: Mapping[str, Any],
    member_dir: Path,
    root: Path,
    members: Mapping[NormalizedName, tuple[Path, bool]],
    indexes: Mapping[str, str],
    pyproject: Path,
) -> LoweredSources:
    """``raw`` (the merged ``[tool.uv.sources]`` of the member in ``member_dir``) lowered.

    ``members``: the workspace's members (directory, is a package); ``indexes``: the named
    indexes the member sees. Raises ``ProjectInvalid`` for a source that names what does not
    exist, ``SettingUnsupported`` for what accord cannot lock yet (``extra``/``group`` keys,
    a workspace source chosen by marker)."""
    context = _Context(member_dir, root, members, indexes, pyproject)
    sources: list[tuple[NormalizedName, Source]] = []
    pins: list[tuple[NormalizedName, str]] = []
    selected: list[tuple[NormalizedName, tuple[SelectedSource, ...]]] = []
    for raw_name, value in raw.items():
        name = canonicalize_name(raw_name)
        entries = value if isinstance(value, list) else [value]
        if not entries or not all(isinstance(entry, dict) for entry in entries):
            raise ProjectInvalid(
                f"`{pyproject}`: `tool.uv.sources.{raw_name}` must be a table or a list of tables",
                path=pyproject,
            )
        if any("extra" in entry or "group" in entry for entry in entries):
            raise _unsupported(
                pyproject, raw_name, "limits a source to an extra or a dependency group"
            )
        if len(entries) > 1 or not _marker(entries[0]).is_true():
            chosen = tuple(_selected(raw_name, entry, context) for entry in entries)
            selected.append((name, chosen))
            continue
        source, index = _lower_one(raw_name, entries[0], context)
        if source is not None:
            sources.append((name, source))
        if index is not None:
            pins.append((name, index))
    return LoweredSources(
        tuple(sorted(sources)),
        tuple(sorted(pins)),
        tuple(sorted(selected, key=lambda item: item[0])),
    )
