"""What a project declares in pyproject.toml, as the resolver and the lock see it (pure).

``ProjectManifest`` holds the declared requirements (dependencies, extras, dependency groups
with ``include-group`` already flattened). ``lock_requirements`` turns them into the
``LockRequirement`` records uv keeps in ``[package.metadata]``, so that staleness is a
comparison of two values.
"""

from __future__ import annotations

import attrs
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from model.lock import LockRequirement

__all__ = ["ProjectManifest", "lock_requirement", "requirement_key"]


@attrs.frozen(kw_only=True)
class ProjectManifest:
    """One project's declared inputs."""

    name: NormalizedName
    version: Version | None
    """None when dynamic."""
    requires_python: SpecifierSet
    dependencies: tuple[Requirement, ...] = ()
    optional_dependencies: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    dependency_groups: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    """PEP 735 groups (``include-group`` flattened) plus ``tool.uv.dev-dependencies`` as ``dev``."""
    is_package: bool = False
    """Built and installed editable (a build system), rather than virtual."""
    directory: str = "."
    """Relative to the workspace root, with ``/`` separators."""

    @property
    def extras(self) -> tuple[NormalizedName, ...]:
        return tuple(name for name, _ in self.optional_dependencies)


def lock_requirement(requirement: Requirement, *, extra: str | None = None) -> LockRequirement:
    """The ``requires-dist`` record uv writes for a declared requirement.

    An optional dependency carries ``extra == '<name>'`` in its marker, as in wheel metadata.
    """
    marker = requirement.marker
    if extra is not None:
        tag = Marker(f'extra == "{extra}"')
        own = str(marker) if marker is not None else None
        if own is not None and " or " in own:
            own = f"({own})"
        marker = tag if own is None else Marker(f"{own} and {tag}")
    return LockRequirement(
        name=canonicalize_name(requirement.name),
        extras=tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
        marker=marker,
        specifier=requirement.specifier,
    )


def requirement_key(requirement: LockRequirement) -> tuple[object, ...]:
    """A comparison key that ignores spelling (quotes, spaces, order of specifiers)."""
    from model.markers import canonical_marker

    return (
        requirement.name,
        requirement.extras,
        requirement.groups,
        canonical_marker(requirement.marker),
        tuple(sorted(str(spec) for spec in requirement.specifier)),
        requirement.index,
        None if requirement.source is None else str(requirement.source),
    )
