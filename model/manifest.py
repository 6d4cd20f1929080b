"""What a project declares in pyproject.toml, as the resolver and the lock see it (pure).

``ProjectManifest`` holds the declared requirements (dependencies, extras, dependency groups
with ``include-group`` already flattened). ``lock_requirements`` turns them into the
``LockRequirement`` records uv keeps in ``[package.metadata]``, so that staleness is a
comparison of two values.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import attrs
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.lock import LockRequirement, Source, SourceKind

if TYPE_CHECKING:
    from accord.model.marker_tree import MarkerTree

__all__ = [
    "DeclaredRequirement",
    "ProjectManifest",
    "SelectedSource",
    "declared_groups",
    "declared_requirements",
    "lock_requirement",
    "lower_requirement",
    "lowered_requirements",
    "requirement_key",
]


@attrs.frozen
class SelectedSource:
    """One entry of a ``[tool.uv.sources]`` list (or a single source with a ``marker``):
    where a dependency comes from in the environments ``marker`` allows. Exactly one of
    ``source`` (a local tree, archive or git repository) and ``index`` (an index URL) is set."""

    marker: MarkerTree
    source: Source | None = None
    index: str | None = None


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
    sources: tuple[tuple[NormalizedName, Source], ...] = ()
    """``[tool.uv.sources]`` lowered: a dependency name → where it comes from instead of an
    index (paths relative to the workspace root)."""
    index_pins: tuple[tuple[NormalizedName, str], ...] = ()
    """``[tool.uv.sources] name = { index = "..." }``: the index URL a package must come from."""
    selected_sources: tuple[tuple[NormalizedName, tuple[SelectedSource, ...]], ...] = ()
    """``[tool.uv.sources]`` entries chosen by marker (a list, or one source with a
    ``marker``), in their declared order; such a name is in neither ``sources`` nor
    ``index_pins``. A requirement on it is lowered into one per entry
    (``lowered_requirements``)."""
    default_groups: tuple[NormalizedName, ...] | None = None
    """``tool.uv.default-groups`` as the project lists it (None: not set); the lock records it
    on the project's package (rev 5)."""
    group_requires_python: tuple[tuple[NormalizedName, SpecifierSet], ...] = ()
    """``tool.uv.dependency-groups.<group>.requires-python`` (sorted by group): the group's
    requirements already carry it as a marker; the lock records it per package."""
    declared_extras: tuple[NormalizedName, ...] | None = None
    """The extras in the order ``optional-dependencies`` declares them (uv's
    ``provides-extras`` order); None: the sorted ``extras``."""
    dynamic: tuple[str, ...] = ()
    """``project.dynamic``: the fields only the build backend can tell."""

    def source_of(self, name: str) -> Source | None:
        for dependency, source in self.sources:
            if dependency == name:
                return source
        return None

    def index_of(self, name: str) -> str | None:
        for dependency, url in self.index_pins:
            if dependency == name:
                return url
        return None

    def selected_of(self, name: str) -> tuple[SelectedSource, ...]:
        for dependency, entries in self.selected_sources:
            if dependency == name:
                return entries
        return ()

    @property
    def dynamic_requirements(self) -> bool:
        """``dependencies`` or ``optional-dependencies`` is dynamic."""
        return bool({"dependencies", "optional-dependencies"}.intersection(self.dynamic))

    @property
    def needs_build(self) -> bool:
        """Its version or requirements are dynamic: only its backend's metadata tells them."""
        return self.version is None or self.dynamic_requirements

    @property
    def extras(self) -> tuple[NormalizedName, ...]:
        return tuple(name for name, _ in self.optional_dependencies)

    @property
    def provides_extras(self) -> tuple[NormalizedName, ...]:
        return self.extras if self.declared_extras is None else self.declared_extras


_EXTRAS = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*\[([^\]]*)\]")


class DeclaredRequirement(Requirement):
    """A requirement as a project file writes it, keeping the order (and repeats) of its
    extras: uv records them that way, and ``Requirement.extras`` is a set."""

    __slots__ = ("extras_order",)

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.extras_order: tuple[NormalizedName, ...] | None = None
        match = _EXTRAS.match(text)
        if match is not None:
            names = tuple(
                canonicalize_name(e.strip()) for e in match.group(1).split(",") if e.strip()
            )
            if set(names) == {canonicalize_name(e) for e in self.extras}:
                self.extras_order = names


def declared_extras(requirement: Requirement) -> tuple[NormalizedName, ...]:
    """The requirement's extras in their declared order when known, else sorted."""
    if isinstance(requirement, DeclaredRequirement) and requirement.extras_order is not None:
        return requirement.extras_order
    return tuple(sorted(canonicalize_name(e) for e in requirement.extras))


def lock_requirement(
    requirement: Requirement,
    *,
    extra: str | None = None,
    source: Source | None = None,
    index: str | None = None,
) -> LockRequirement:
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
        extras=declared_extras(requirement),
        marker=marker,
        specifier=requirement.specifier,
        source=source,
        index=index,
    )


def _with_marker(requirement: Requirement, marker: MarkerTree) -> Requirement:
    """``requirement`` with ``marker`` in place of its own (its extras' order kept)."""
    text = str(requirement).split(";", 1)[0].strip()
    rendered = marker.to_string()
    lowered = DeclaredRequirement(text if rendered is None else f"{text}; {rendered}")
    lowered.extras_order = declared_extras(requirement)
    return lowered


def _unversioned(requirement: Requirement) -> Requirement:
    """``requirement`` without its version specifier (its extras' order kept)."""
    if not requirement.specifier:
        return requirement
    lowered = DeclaredRequirement(str(requirement))
    lowered.specifier = SpecifierSet()
    lowered.extras_order = declared_extras(requirement)
    return lowered


def lower_requirement(
    manifest: ProjectManifest, requirement: Requirement
) -> list[tuple[Requirement, SelectedSource | None]]:
    """uv's lowering of a requirement on a name with ``[tool.uv.sources]``.

    A path, git, URL or workspace source decides the version: the requirement's own
    specifier is dropped, neither checked nor recorded (uv 0.13.8 locks ``dep>=5`` from a
    directory holding ``dep`` 1.0, without a word). An index source keeps it. Sources chosen
    by marker give one requirement per source, the source's marker and its own both holding
    (dropped where they cannot), then one from the indexes wherever no source's marker holds
    (None: not from a selected source), which keeps the specifier. Any other requirement is
    returned as it is."""
    name = canonicalize_name(requirement.name)
    if manifest.source_of(name) is not None:
        return [(_unversioned(requirement), None)]
    entries = manifest.selected_of(name)
    if not entries:
        return [(requirement, None)]
    from accord.model.marker_tree import MarkerTree

    own = MarkerTree.parse(requirement.marker)
    covered = MarkerTree.FALSE
    lowered: list[tuple[Requirement, SelectedSource | None]] = []
    for entry in entries:
        covered = covered | entry.marker
        marker = entry.marker & own
        if not marker.is_false():
            piece = _with_marker(requirement, marker)
            lowered.append((piece if entry.source is None else _unversioned(piece), entry))
    rest = ~covered & own
    if not rest.is_false():
        lowered.append((_with_marker(requirement, rest), None))
    return lowered


def lowered_requirements(
    manifest: ProjectManifest, requirements: tuple[Requirement, ...]
) -> tuple[Requirement, ...]:
    """``requirements`` lowered (``lower_requirement``): the specifier of one on a name with a
    source dropped, one on a name with sources chosen by marker split."""
    if not (manifest.sources or manifest.selected_sources):
        return requirements
    return tuple(piece for r in requirements for piece, _ in lower_requirement(manifest, r))


_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz")


def direct_source(requirement: Requirement) -> Source | None:
    """A direct reference to an archive (``dep-b @ https://…/dep_b-1.0-py3-none-any.whl``, or
    ``file:///…``) as the source uv records for it: the URL, or the local archive's path; None
    for anything else (no URL, a git URL, a directory, a URL with a fragment)."""
    url = requirement.url
    if not url or "#" in url or not url.lower().endswith(_ARCHIVES):
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return Source(SourceKind.URL, url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return Source(SourceKind.PATH, unquote(parts.path))
    return None


def _records(
    manifest: ProjectManifest, requirement: Requirement, extra: str | None = None
) -> list[LockRequirement]:
    """The ``requires-dist`` records of one declared requirement, its source lowered in (a
    direct reference's too)."""
    name = canonicalize_name(requirement.name)
    return [
        lock_requirement(
            piece,
            extra=extra,
            source=(manifest.source_of(name) or direct_source(piece))
            if selected is None
            else selected.source,
            index=manifest.index_of(name) if selected is None else selected.index,
        )
        for piece, selected in lower_requirement(manifest, requirement)
    ]


def declared_requirements(manifest: ProjectManifest) -> list[LockRequirement]:
    """The project's ``requires-dist`` as uv records it: dependencies and optional ones,
    sources and index pins lowered in."""
    records = []
    for extra, requirements in (
        (None, manifest.dependencies),
        *((e, reqs) for e, reqs in manifest.optional_dependencies),
    ):
        for requirement in requirements:
            records += _records(manifest, requirement, extra)
    return list(dict.fromkeys(records))  # uv records a repeated requirement once


def declared_groups(
    manifest: ProjectManifest,
) -> list[tuple[NormalizedName, list[LockRequirement]]]:
    """The project's ``requires-dev`` as uv records it, every group, sources lowered."""
    return [
        (
            group,
            list(  # uv records a repeated requirement once
                dict.fromkeys(record for r in requirements for record in _records(manifest, r))
            ),
        )
        for group, requirements in manifest.dependency_groups
    ]


def requirement_key(requirement: LockRequirement) -> tuple[object, ...]:
    """A comparison key that ignores spelling (quotes, spaces, order of specifiers)."""
    from accord.model.markers import canonical_marker

    return (
        requirement.name,
        requirement.extras,
        requirement.groups,
        canonical_marker(requirement.marker),
        tuple(sorted(str(spec) for spec in requirement.specifier)),
        requirement.index,
        None if requirement.source is None else str(requirement.source),
        None if requirement.source is None else requirement.source.subdirectory,
    )
