"""Is the lock still current for the project? (pure; uv-lock-format.md §8)

uv compares *inputs*, never re-resolves to decide: the project's source kind and version,
requires-python, its declared requirements (``requires-dist``), extras and dependency groups,
and that every registry package comes from a configured index. ``why_stale`` returns the
first difference in words (``requirements changed (added httpx)``), or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from accord.model.lock import Lock, LockedPackage, LockRequirement, SourceKind
from accord.model.manifest import (
    ProjectManifest,
    declared_groups,
    declared_requirements,
    lock_requirement,
    requirement_key,
)

__all__ = ["why_script_stale", "why_stale", "why_tree_stale"]


def _names_changed(old: Iterable[LockRequirement], new: Iterable[LockRequirement]) -> str:
    old, new = list(old), list(new)
    old_names = {r.name for r in old}
    new_names = {r.name for r in new}
    added = sorted(new_names - old_names)
    removed = sorted(old_names - new_names)
    changed = sorted(
        name
        for name in old_names & new_names
        if _merged(r for r in old if r.name == name) != _merged(r for r in new if r.name == name)
    )
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    if changed:
        parts.append("changed " + ", ".join(changed))
    return "; ".join(parts)


def _merged(requirements: Iterable[LockRequirement]) -> list[str]:
    """Requirements as uv 0.13.8 compares them: those that differ only by marker are one,
    under the ``or`` of their markers (``tp; linux`` and ``tp; win32`` from one index are
    ``tp; linux or win32``: a source list and one source whose marker covers both lock the
    same way, so uv finds either lock current for the other)."""
    from accord.model.marker_tree import MarkerTree

    markers: dict[str, MarkerTree] = {}
    for requirement in requirements:
        key = repr(requirement_key(attrs.evolve(requirement, marker=None)))
        marker = MarkerTree.parse(requirement.marker)
        markers[key] = markers.get(key, MarkerTree.FALSE) | marker
    return sorted(f"{key} {marker.to_string()}" for key, marker in markers.items())


def _same(old: Iterable[LockRequirement], new: Iterable[LockRequirement]) -> bool:
    return _merged(old) == _merged(new)


def why_stale(
    lock: Lock,
    manifest: ProjectManifest | Sequence[ProjectManifest],
    indexes: Sequence[str] = (),
    *,
    members: Sequence[str] | None = None,
    root_groups: Sequence[tuple[NormalizedName, Sequence[LockRequirement]]] = (),
) -> str | None:
    """The first way ``lock`` no longer matches the workspace's manifests (one per member),
    the configured indexes, or the virtual root's dependency groups; None when current."""
    manifests = [manifest] if isinstance(manifest, ProjectManifest) else list(manifest)
    if members is not None and tuple(sorted(members)) != tuple(sorted(lock.members)):
        before, after = ", ".join(lock.members), ", ".join(sorted(members))
        return f"the workspace members changed ({before} → {after})"
    for member in manifests:
        stale = _member_stale(lock, member)
        if stale is not None:
            return stale if len(manifests) == 1 else f"`{member.name}`: {stale}"
    recorded_root = {g: list(r) for g, r in lock.manifest_group_requirements}
    declared_root = {g: list(r) for g, r in root_groups if r}
    if set(recorded_root) != set(declared_root) or any(
        not _same(recorded_root[g], declared_root[g]) for g in declared_root
    ):
        return "the workspace root's dependency groups changed"
    if indexes:
        for package in lock.packages:
            registry = package.source.kind is SourceKind.REGISTRY
            if registry and package.source.location not in indexes:
                return f"`{package.name}` comes from an index that is no longer configured"
    return None


def _member_stale(lock: Lock, manifest: ProjectManifest) -> str | None:
    roots = [p for p in lock.packages_named(manifest.name) if p.source.kind.is_source_tree]
    if not roots:
        return f"the project `{manifest.name}` is missing from the lock"
    root = roots[0]
    wanted = SourceKind.EDITABLE if manifest.is_package else SourceKind.VIRTUAL
    if root.source.kind is not wanted:
        return f"the project is now {'a package' if manifest.is_package else 'virtual'}"
    if root.version != manifest.version:
        return f"the project's version changed ({root.display_version} → {manifest.version})"
    if len(lock.members) <= 1 and sorted(map(str, lock.requires_python)) != sorted(
        map(str, manifest.requires_python)
    ):
        return f"requires-python changed ({lock.requires_python} → {manifest.requires_python})"
    declared = declared_requirements(manifest)
    recorded = root.requires_dist or ()
    if not _same(recorded, declared):
        return f"requirements changed ({_names_changed(recorded, declared)})"
    if tuple(sorted(root.provides_extras)) != tuple(sorted(manifest.extras)):
        return "the project's extras changed"
    if root.default_groups != manifest.default_groups:
        return "the default groups (`tool.uv.default-groups`) changed"
    return _groups_stale(root, manifest)


def why_tree_stale(package: LockedPackage, declared: ProjectManifest) -> str | None:
    """The first way the locked ``package`` of a path dependency (a source tree that is not a
    workspace member) no longer matches what its tree declares (``declared``: its
    pyproject.toml, or the metadata its backend prepares), as uv checks one: a version that
    became dynamic or static, the version, the extras, the requirements and the dependency
    groups. A dynamic version itself is never compared: the lock does not hold it."""
    name = package.name
    dynamic = declared.version is None
    if (package.version is None) != dynamic:
        now = "dynamic" if dynamic else f"static ({declared.version})"
        return f"the version of `{name}` is now {now}"
    if not dynamic and package.version != declared.version:
        return f"the version of `{name}` changed ({package.version} → {declared.version})"
    if set(package.provides_extras) != set(declared.provides_extras):
        return f"the extras of `{name}` changed"
    wanted = declared_requirements(declared)
    recorded = package.requires_dist or ()
    if not _same(recorded, wanted):
        return f"the requirements of `{name}` changed ({_names_changed(recorded, wanted)})"
    stale = _groups_stale(package, declared)
    return None if stale is None else f"`{name}`: {stale}"


def _groups_stale(root: LockedPackage, manifest: ProjectManifest) -> str | None:
    recorded_groups = dict(root.requires_dev)
    declared_groups_ = dict(declared_groups(manifest))
    if set(recorded_groups) != set(declared_groups_):
        added = sorted(set(declared_groups_) - set(recorded_groups))
        removed = sorted(set(recorded_groups) - set(declared_groups_))
        words = [f"added group {g}" for g in added] + [f"removed group {g}" for g in removed]
        return f"dependency groups changed ({', '.join(words)})"
    for group, requirements in declared_groups_.items():
        if not _same(recorded_groups[group], requirements):
            change = _names_changed(recorded_groups[group], requirements)
            return f"dependency group `{group}` changed ({change})"
    return None


def why_script_stale(
    lock: Lock, requirements: Sequence[Requirement], requires_python: SpecifierSet
) -> str | None:
    """The first way a script lock (``[manifest] requirements``) no longer matches the
    script's inline metadata, or None."""
    if sorted(map(str, lock.requires_python)) != sorted(map(str, requires_python)):
        return f"requires-python changed ({lock.requires_python} → {requires_python})"
    declared = [lock_requirement(r) for r in requirements]
    if not _same(lock.manifest_requirements, declared):
        return f"requirements changed ({_names_changed(lock.manifest_requirements, declared)})"
    return None
