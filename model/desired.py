"""The desired environment: the lock, narrowed to one interpreter and one selection (pure).

``desire(lock, selection, interpreter)`` walks the lock's graph from the selected roots,
keeps the edges whose markers hold for *this* interpreter, and picks the best artifact of each
package for this interpreter's wheel tags.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

import attrs
from packaging.markers import Marker
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import Version

from accord.model.install_filter import InstallFilter
from accord.model.interpreter import Interpreter
from accord.model.lock import (
    Artifact,
    ConflictItem,
    Dependency,
    Lock,
    LockedPackage,
    Source,
    SourceKind,
)
from accord.model.uv_settings import BinaryPolicy

__all__ = [
    "ArtifactKind",
    "DesiredDist",
    "DesiredEnvironment",
    "NoCompatibleArtifact",
    "SelectedRoots",
    "Selection",
    "SelectionUnknown",
    "best_wheel",
    "desire",
    "select_roots",
]


class ArtifactKind(enum.Enum):
    WHEEL = "wheel"
    SDIST = "sdist"
    """No wheel fits this interpreter: the sdist would have to be built."""
    SOURCE_TREE = "source-tree"
    """A local directory (the project, a workspace member, a path dependency)."""


@attrs.frozen(kw_only=True)
class Selection:
    """What the user asked to install from the (always complete) lock."""

    roots: tuple[NormalizedName, ...]
    """The project (or workspace members) whose dependencies are installed."""
    extras: tuple[NormalizedName, ...] = ()
    all_extras: bool = False
    groups: tuple[NormalizedName, ...] = ()
    """Groups added with ``--group`` (on top of the default groups)."""
    only_groups: tuple[NormalizedName, ...] = ()
    """``--only-group``: these groups only, without the roots' own dependencies."""
    no_groups: tuple[NormalizedName, ...] = ()
    """``--no-group`` (and ``--no-dev`` as ``dev``): removed from whatever else selects them."""
    all_groups: bool = False
    default_groups: tuple[NormalizedName, ...] = (canonicalize_name("dev"),)
    """``tool.uv.default-groups`` (uv's default: ``dev``); empty under ``--no-default-groups``."""
    install: InstallFilter = attrs.Factory(InstallFilter)
    """What of the selected packages is left uninstalled (``--no-install-project``, ...)."""

    def active_groups(self, available: Iterable[NormalizedName]) -> tuple[NormalizedName, ...]:
        """The groups to install, given the groups the roots define (uv's precedence rules)."""
        available = tuple(available)
        if self.only_groups:
            chosen = set(self.only_groups)
        else:
            chosen = set(self.default_groups) | set(self.groups)
            if self.all_groups:
                chosen |= set(available)
        chosen -= set(self.no_groups)
        return tuple(sorted(chosen))


@attrs.frozen(kw_only=True)
class DesiredDist:
    """One distribution the environment must contain."""

    name: NormalizedName
    version: Version | None
    source: Source
    kind: ArtifactKind
    artifact: Artifact | None
    """The chosen wheel (or the sdist); None for a source tree."""
    editable: bool = False
    directory_url: str | None = None
    """For a source tree: its ``file://`` URL (set by the shell, which knows where it is)."""
    build_digest: str | None = None
    """For a source tree: a digest of its build inputs (pyproject.toml, cache-keys files);
    a change means rebuilding."""
    uv_freshness: str | None = None
    """What uv's ``uv_cache.json`` would record for this tree now (an install uv made is
    current when its record matches)."""
    uv_records: tuple[tuple[str, bytes], ...] = ()
    """uv's freshness records for a local tree or archive (``uv_cache.json``,
    ``uv_build.json``), computed once when the dist is located; apply writes them beside the
    install so that uv sees it as current."""

    @property
    def uv_build(self) -> str | None:
        """The ``uv_build.json`` an install of this dist records, when it records one."""
        record = dict(self.uv_records).get("uv_build.json")
        return None if record is None else record.decode()

    @property
    def display_version(self) -> str:
        return str(self.version) if self.version is not None else "(dynamic)"


@attrs.frozen(kw_only=True)
class DesiredEnvironment:
    """Everything the environment should be: interpreter, packages, and how strictly."""

    interpreter: Interpreter
    dists: tuple[DesiredDist, ...]
    """Sorted by name."""
    exact: bool = False
    """Remove what the lock does not ask for (``--exact``)."""
    reinstall: bool = False
    reinstall_packages: frozenset[NormalizedName] = frozenset()
    notes: tuple[str, ...] = ()
    """Facts the plan must show that are not actions (e.g. a virtual project is not installed)."""
    why: tuple[tuple[NormalizedName, tuple[tuple[str, ...], ...]], ...] = ()
    """Per package, the requirement chains that bring it in (``model.why``), shortest first;
    filled when a plan is shown in full (``-v``, ``--format json``), empty otherwise."""

    def chains(self, name: str) -> tuple[tuple[str, ...], ...]:
        for package, chains in self.why:
            if package == name:
                return chains
        return ()

    def dist(self, name: str) -> DesiredDist | None:
        for dist in self.dists:
            if dist.name == name:
                return dist
        return None


class SelectionUnknown(Exception):
    """An extra or group that no selected root defines (the shell turns this into an error)."""

    def __init__(self, kind: str, name: str, root: str) -> None:
        super().__init__(f"{kind} `{name}` is not defined by `{root}`")
        self.kind = kind
        self.name = name
        self.root = root


class NoCompatibleArtifact(Exception):
    """A package the selection needs has neither a wheel for this interpreter nor an sdist."""

    def __init__(self, package: LockedPackage, interpreter: Interpreter) -> None:
        super().__init__(f"{package.name}=={package.display_version} has no compatible artifact")
        self.package = package
        self.interpreter = interpreter


@attrs.frozen(kw_only=True)
class SelectedRoots:
    """A selection checked against the lock: the roots' packages and the groups it installs."""

    packages: tuple[LockedPackage, ...]
    """The selected roots' own packages, in the selection's order."""
    groups: tuple[NormalizedName, ...]
    """The groups to install (``Selection.active_groups``), sorted."""
    manifest_groups: tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...]
    """The lock's own groups (a virtual workspace root's) that count, all of them defined."""


def select_roots(
    lock: Lock, selection: Selection, *, workspace_groups: bool = True
) -> SelectedRoots:
    """The selection's roots and groups, checked against ``lock``: the one walk ``desire``,
    ``model.export`` and ``model.why`` start from.

    ``workspace_groups``: the workspace root's own groups (``[manifest.dependency-groups]``)
    count; an export leaves them out when one member is the target. Raises
    ``SelectionUnknown`` for a root the lock does not hold, then for a group that neither a
    root nor (counted) the workspace defines, then, unless only groups are installed, for an
    extra a root does not define.
    """
    roots = tuple(_root_package(lock, name) for name in selection.roots)
    manifest_groups = lock.manifest_groups if workspace_groups else ()
    available = {group for root in roots for group in root.group_names}
    available |= {group for group, _ in manifest_groups}
    for group in (*selection.groups, *selection.only_groups):
        if group not in available:
            raise SelectionUnknown("Group", group, ", ".join(selection.roots))
    if not selection.only_groups:
        for root in roots:
            for extra in selection.extras:
                if extra not in root.extra_names:
                    raise SelectionUnknown("Extra", extra, root.name)
    return SelectedRoots(
        packages=roots,
        groups=selection.active_groups(sorted(available)),
        manifest_groups=manifest_groups,
    )


def best_wheel(wheels: Iterable[Artifact], interpreter: Interpreter) -> Artifact | None:
    """The wheel whose best tag ranks highest in the interpreter's tag list, or None."""
    priority = interpreter.tag_priority()
    best: tuple[int, Artifact] | None = None
    for wheel in wheels:
        try:
            _, _, _, tags = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        ranks = [priority[str(tag)] for tag in tags if str(tag) in priority]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), wheel)
    return best[1] if best else None


def _marker_holds(marker: Marker | None, environment: dict[str, str]) -> bool:
    if marker is None:
        return True
    return marker.evaluate(environment)


def _marker_check(
    lock: Lock, selection: Selection, selected: SelectedRoots
) -> Callable[[Marker | None, dict[str, str]], bool]:
    """How an edge's marker is evaluated: plainly, or, in a lock with ``conflicts``, with
    uv's encoded conflict items of the selection active (``UniversalMarker::evaluate``).
    Raises ``SelectionConflicts`` for a selection of items declared mutually exclusive."""
    if not lock.conflicts:
        return _marker_holds
    from accord.model.conflicts import encode, selection_conflict
    from accord.model.marker_tree import MarkerTree

    active: list[ConflictItem] = []
    for root in selected.packages:
        if not selection.only_groups:
            active.append(ConflictItem(package=root.name))
            extras = root.extra_names if selection.all_extras else selection.extras
            active += [ConflictItem(package=root.name, extra=e) for e in extras]
        active += [ConflictItem(package=root.name, group=g) for g in selected.groups]
    clash = selection_conflict(lock.conflicts, active)
    if clash is not None:
        raise clash
    encoded = {encode(item) for item in active}

    def holds(marker: Marker | None, environment: dict[str, str]) -> bool:
        if marker is None:
            return True
        return MarkerTree.parse(marker).evaluate(environment, encoded)

    return holds


def _to_desired(
    package: LockedPackage, interpreter: Interpreter, binaries: BinaryPolicy | None = None
) -> DesiredDist:
    if package.source.kind.is_source_tree:
        return DesiredDist(
            name=package.name,
            version=package.version,
            source=package.source,
            kind=ArtifactKind.SOURCE_TREE,
            artifact=None,
            editable=package.source.kind is SourceKind.EDITABLE,
        )
    policy = binaries or BinaryPolicy()
    wheels = package.wheels if policy.wheels_allowed(package.name) else ()
    sdist = package.sdist if policy.builds_allowed(package.name) else None
    wheel = best_wheel(wheels, interpreter)
    if wheel is not None:
        kind, artifact = ArtifactKind.WHEEL, wheel
    elif sdist is not None:
        kind, artifact = ArtifactKind.SDIST, sdist
        if package.source.kind is SourceKind.URL and sdist.url is None:
            # uv's lock names an sdist by URL only in its source.
            artifact = attrs.evolve(sdist, url=package.source.location)
    elif package.source.kind is SourceKind.GIT and policy.builds_allowed(package.name):
        kind, artifact = ArtifactKind.SDIST, None
    else:
        raise NoCompatibleArtifact(package, interpreter)
    return DesiredDist(
        name=package.name,
        version=package.version,
        source=package.source,
        kind=kind,
        artifact=artifact,
    )


def desire(
    lock: Lock,
    selection: Selection,
    interpreter: Interpreter,
    *,
    exact: bool = False,
    reinstall: bool = False,
    reinstall_packages: frozenset[NormalizedName] = frozenset(),
    binaries: BinaryPolicy | None = None,
) -> DesiredEnvironment:
    """Narrow ``lock`` to what ``selection`` installs on ``interpreter``.

    Roots that are virtual (not packages) contribute their dependencies but are not installed
    themselves, and neither is a package the selection's install filter leaves out (nor is an
    artifact chosen for it). Raises ``SelectionUnknown`` for an extra or group no root defines, and
    ``NoCompatibleArtifact`` for a needed package with nothing installable.
    """
    environment = interpreter.marker_environment()
    environment.setdefault("extra", "")
    notes: list[str] = []
    pending: list[tuple[LockedPackage, tuple[NormalizedName, ...]]] = []

    selected = select_roots(lock, selection)
    groups = selected.groups
    holds = _marker_check(lock, selection, selected)

    edges: list[Dependency] = []
    for root in selected.packages:
        extras = root.extra_names if selection.all_extras else selection.extras
        if not selection.only_groups:
            pending.append((root, tuple(extras)))
        for group in groups:
            edges.extend(root.group(group) or ())
    for group, group_edges in selected.manifest_groups:
        if group in groups:
            edges.extend(group_edges)
    if not selection.roots:
        # A script lock has no root package: its `[manifest] requirements` are the roots.
        edges.extend(
            Dependency(name=r.name, extras=r.extras, marker=r.marker)
            for r in lock.manifest_requirements
        )

    seen: set[tuple[NormalizedName, str, str, NormalizedName | None]] = set()
    chosen: dict[NormalizedName, LockedPackage] = {}

    def visit(package: LockedPackage, extras: Iterable[NormalizedName]) -> None:
        key = (package.name, package.display_version, str(package.source))
        first = (*key, None) not in seen
        if first:
            seen.add((*key, None))
            chosen.setdefault(package.name, package)
            edges.extend(package.dependencies)
        for extra in extras:
            if (*key, extra) not in seen:
                seen.add((*key, extra))
                edges.extend(package.extra(extra) or ())

    for package, extras in pending:
        visit(package, extras)
    target_of = lock.targets()
    while edges:
        edge = edges.pop()
        if not holds(edge.marker, environment):
            continue
        target = target_of(edge)
        if target is None:
            continue
        if target.resolution_markers and not any(
            holds(marker, environment) for marker in target.resolution_markers
        ):
            continue
        visit(target, edge.extras)

    dists: list[DesiredDist] = []
    for name in sorted(chosen):
        package = chosen[name]
        excluded_by = selection.install.excluded_by(package, lock.members)
        if excluded_by is not None:
            # Left out, but walked through: its dependencies are installed (uv does the same).
            notes.append(f"{package.name} is not installed: {excluded_by}")
            continue
        if package.source.kind is SourceKind.VIRTUAL:
            notes.append(
                f"{package.name} is not installed, only its dependencies: it is a virtual "
                "project (no [build-system], or tool.uv.package = false)"
            )
            continue
        dists.append(_to_desired(package, interpreter, binaries))
    return DesiredEnvironment(
        interpreter=interpreter,
        dists=tuple(dists),
        exact=exact,
        reinstall=reinstall,
        reinstall_packages=reinstall_packages,
        notes=tuple(notes),
    )


def _root_package(lock: Lock, name: NormalizedName) -> LockedPackage:
    for package in lock.packages_named(name):
        if package.source.kind.is_source_tree:
            return package
    raise SelectionUnknown("Package", name, "the lock")
