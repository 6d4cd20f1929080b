"""Small in-memory factories for model values (no files, no running-interpreter facts).

Every interpreter built here carries a *complete* PEP 508 marker environment, so marker
evaluation never falls back to the interpreter running the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath, PurePosixPath, PureWindowsPath

import attrs
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.desired import ArtifactKind, DesiredDist, DesiredEnvironment
from accord.model.interpreter import Interpreter
from accord.model.lock import Artifact, Dependency, Lock, LockedPackage, Source, SourceKind
from accord.model.observed import DirectUrl, EnvironmentState, InstalledDist, ObservedEnvironment

INDEX = "https://example.invalid/simple"
FILES = "https://example.invalid/files"
VENV = PurePosixPath("/work/proj/.venv")


def n(name: str) -> NormalizedName:
    return canonicalize_name(name)


def registry(location: str = INDEX) -> Source:
    return Source(SourceKind.REGISTRY, location)


def _markers(
    version: str, *, sys_platform: str, os_name: str, platform_system: str, machine: str
) -> tuple[tuple[str, str], ...]:
    parsed = Version(version)
    return tuple(
        sorted(
            {
                "implementation_name": "cpython",
                "implementation_version": version,
                "os_name": os_name,
                "platform_machine": machine,
                "platform_python_implementation": "CPython",
                "platform_release": "6.1.0",
                "platform_system": platform_system,
                "platform_version": "#1 SMP",
                "python_full_version": version,
                "python_version": f"{parsed.major}.{parsed.minor}",
                "sys_platform": sys_platform,
            }.items()
        )
    )


def linux_interpreter(
    version: str = "3.11.7", *, base_executable: str = "/opt/python/3.11/bin/python3.11"
) -> Interpreter:
    parsed = Version(version)
    cp = f"cp{parsed.major}{parsed.minor}"
    base = PurePosixPath(base_executable)
    return Interpreter(
        executable=base,
        base_executable=base,
        prefix=base.parent.parent,
        base_prefix=base.parent.parent,
        version=parsed,
        implementation="cpython",
        markers=_markers(
            version,
            sys_platform="linux",
            os_name="posix",
            platform_system="Linux",
            machine="x86_64",
        ),
        tags=(
            f"{cp}-{cp}-manylinux_2_28_x86_64",
            f"{cp}-{cp}-manylinux_2_17_x86_64",
            f"{cp}-abi3-manylinux_2_17_x86_64",
            "py3-none-manylinux_2_17_x86_64",
            f"{cp}-none-any",
            "py3-none-any",
        ),
        purelib=base.parent.parent / f"lib/python{parsed.major}.{parsed.minor}/site-packages",
        scripts=base.parent,
    )


def windows_interpreter(version: str = "3.11.7") -> Interpreter:
    parsed = Version(version)
    cp = f"cp{parsed.major}{parsed.minor}"
    base = PureWindowsPath(r"C:\Python311\python.exe")
    return Interpreter(
        executable=base,
        base_executable=base,
        prefix=base.parent,
        base_prefix=base.parent,
        version=parsed,
        implementation="cpython",
        markers=_markers(
            version, sys_platform="win32", os_name="nt", platform_system="Windows", machine="AMD64"
        ),
        tags=(
            f"{cp}-{cp}-win_amd64",
            f"{cp}-abi3-win_amd64",
            "py3-none-win_amd64",
            f"{cp}-none-any",
            "py3-none-any",
        ),
        purelib=base.parent / "Lib" / "site-packages",
        scripts=base.parent / "Scripts",
    )


def wheel(filename: str) -> Artifact:
    return Artifact(url=f"{FILES}/{filename}", hash=f"sha256:{'0' * 64}")


def sdist(name: str, version: str) -> Artifact:
    return Artifact(url=f"{FILES}/{name.replace('-', '_')}-{version}.tar.gz", hash=None)


def edge(
    name: str,
    *,
    marker: str | None = None,
    extras: Sequence[str] = (),
    version: str | None = None,
    source: Source | None = None,
) -> Dependency:
    return Dependency(
        name=n(name),
        version=Version(version) if version is not None else None,
        source=source,
        extras=tuple(n(extra) for extra in extras),
        marker=Marker(marker) if marker is not None else None,
    )


def locked(
    name: str,
    version: str | None = "1.0",
    *,
    source: Source | None = None,
    deps: Iterable[Dependency] = (),
    extras: dict[str, Sequence[Dependency]] | None = None,
    groups: dict[str, Sequence[Dependency]] | None = None,
    wheels: Sequence[str] | None = None,
    with_sdist: bool = False,
    resolution_markers: Sequence[str] = (),
) -> LockedPackage:
    """A locked package; registry packages get one ``py3-none-any`` wheel unless told."""
    source = source or registry()
    if wheels is None:
        wheels = (
            (f"{name.replace('-', '_')}-{version}-py3-none-any.whl",)
            if source.kind is SourceKind.REGISTRY
            else ()
        )
    return LockedPackage(
        name=n(name),
        version=Version(version) if version is not None else None,
        source=source,
        resolution_markers=tuple(Marker(marker) for marker in resolution_markers),
        dependencies=tuple(deps),
        optional_dependencies=tuple(
            sorted((n(extra), tuple(edges)) for extra, edges in (extras or {}).items())
        ),
        dev_dependencies=tuple(
            sorted((n(group), tuple(edges)) for group, edges in (groups or {}).items())
        ),
        sdist=sdist(name, version or "0") if with_sdist else None,
        wheels=tuple(wheel(filename) for filename in wheels),
    )


def project(
    name: str = "proj",
    *,
    kind: SourceKind = SourceKind.VIRTUAL,
    deps: Iterable[Dependency] = (),
    extras: dict[str, Sequence[Dependency]] | None = None,
    groups: dict[str, Sequence[Dependency]] | None = None,
) -> LockedPackage:
    return locked(name, "0.1.0", source=Source(kind, "."), deps=deps, extras=extras, groups=groups)


def lock(
    *packages: LockedPackage,
    members: Sequence[str] = (),
    manifest_groups: dict[str, Sequence[Dependency]] | None = None,
) -> Lock:
    return Lock(
        version=1,
        revision=3,
        requires_python=SpecifierSet(">=3.10"),
        packages=tuple(packages),
        members=tuple(n(member) for member in members),
        manifest_groups=tuple(
            sorted((n(group), tuple(edges)) for group, edges in (manifest_groups or {}).items())
        ),
    )


def desired_dist(
    name: str,
    version: str | None = "1.0",
    *,
    source: Source | None = None,
    kind: ArtifactKind = ArtifactKind.WHEEL,
    editable: bool = False,
) -> DesiredDist:
    source = source or registry()
    artifact = (
        wheel(f"{name.replace('-', '_')}-{version}-py3-none-any.whl")
        if kind is ArtifactKind.WHEEL
        else None
    )
    return DesiredDist(
        name=n(name),
        version=Version(version) if version is not None else None,
        source=source,
        kind=kind,
        artifact=artifact,
        editable=editable,
    )


def desired_env(
    *dists: DesiredDist,
    interpreter: Interpreter | None = None,
    exact: bool = False,
    reinstall: bool = False,
    reinstall_packages: Iterable[str] = (),
    notes: Sequence[str] = (),
) -> DesiredEnvironment:
    return DesiredEnvironment(
        interpreter=interpreter or linux_interpreter(),
        dists=tuple(sorted(dists, key=lambda dist: dist.name)),
        exact=exact,
        reinstall=reinstall,
        reinstall_packages=frozenset(n(name) for name in reinstall_packages),
        notes=tuple(notes),
    )


def installed(
    name: str,
    version: str = "1.0",
    *,
    direct_url: DirectUrl | None = None,
    record_problem: str | None = None,
) -> InstalledDist:
    return InstalledDist(
        name=n(name),
        version=Version(version),
        dist_info=f"{name.replace('-', '_')}-{version}.dist-info",
        installer="accord",
        direct_url=direct_url,
        record_problem=record_problem,
    )


def observed(
    *dists: InstalledDist,
    interpreter: Interpreter | None = None,
    state: EnvironmentState = EnvironmentState.PRESENT,
    detail: str | None = None,
    path: PurePath = VENV,
) -> ObservedEnvironment:
    """A venv as found; PRESENT ones point at ``interpreter`` (default: ``linux_interpreter()``)."""
    interpreter = interpreter or linux_interpreter()
    present = state is EnvironmentState.PRESENT
    return ObservedEnvironment(
        path=path,
        state=state,
        detail=detail,
        base_executable=interpreter.base_executable if present else None,
        version=interpreter.version if present else None,
        dists=tuple(sorted(dists, key=lambda dist: dist.name)),
    )


def installed_from(dist: DesiredDist) -> InstalledDist:
    """What installing ``dist`` leaves on disk, as observe would report it."""
    direct_url = None
    if dist.source.kind is SourceKind.URL:
        direct_url = DirectUrl(url=dist.source.location)
    elif dist.source.kind is SourceKind.GIT:
        # PEP 610 vcs_info: the repository URL and the commit (apply writes exactly this).
        location = dist.source.location
        direct_url = DirectUrl(
            url=location.split("#", 1)[0].split("?", 1)[0],
            vcs_commit=location.rpartition("#")[2],
        )
    elif dist.source.kind is not SourceKind.REGISTRY:
        direct_url = DirectUrl(
            url=f"file:///work/proj/{dist.source.location}",
            editable=dist.editable,
            is_directory=dist.kind is ArtifactKind.SOURCE_TREE,
        )
    found = installed(
        dist.name, str(dist.version) if dist.version is not None else "0", direct_url=direct_url
    )
    return attrs.evolve(found, build_digest=dist.build_digest)


def matching(desired: DesiredEnvironment) -> ObservedEnvironment:
    """An environment that is exactly what ``desired`` asks for."""
    return observed(
        *(installed_from(dist) for dist in desired.dists), interpreter=desired.interpreter
    )
