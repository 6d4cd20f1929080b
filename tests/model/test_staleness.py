"""`why_stale`: every input uv compares, each changed alone, is seen; nothing else is.

A lock is built from a manifest exactly as uv would record it, so the unchanged pair is
current; then one input at a time moves and the reason names it.
"""

from __future__ import annotations

import attrs
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.lock import Lock, LockedPackage, LockRequirement, Source, SourceKind
from accord.model.manifest import ProjectManifest, declared_groups, declared_requirements
from accord.model.staleness import why_script_stale, why_stale, why_tree_stale
from tests.model.factories import INDEX, locked, n

OTHER_INDEX = "https://other.invalid/simple"


def _manifest(**changes: object) -> ProjectManifest:
    base = ProjectManifest(
        name=n("proj"),
        version=Version("0.1.0"),
        requires_python=SpecifierSet(">=3.10"),
        dependencies=(Requirement("pkg>=1.0"),),
        optional_dependencies=((n("fast"), (Requirement("speedy"),)),),
        dependency_groups=((n("dev"), (Requirement("devtool"),)),),
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


def _lock_for(manifest: ProjectManifest, *, kind: SourceKind = SourceKind.VIRTUAL) -> Lock:
    root = LockedPackage(
        name=manifest.name,
        version=manifest.version,
        source=Source(kind, "."),
        provides_extras=manifest.extras,
        requires_dist=tuple(declared_requirements(manifest)),
        requires_dev=tuple((group, tuple(reqs)) for group, reqs in declared_groups(manifest)),
    )
    return Lock(
        version=1,
        revision=3,
        requires_python=manifest.requires_python,
        packages=(root, locked("pkg", "1.1"), locked("speedy"), locked("devtool")),
    )


CURRENT = _manifest()
LOCK = _lock_for(CURRENT)


def test_staleness_a_lock_made_from_the_manifest_is_current() -> None:
    assert why_stale(LOCK, CURRENT, [INDEX]) is None


def test_staleness_spelling_alone_is_no_change() -> None:
    respelled = _manifest(dependencies=(Requirement("PKG >= 1.0"),))
    assert why_stale(LOCK, respelled, [INDEX]) is None


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (
            _manifest(requires_python=SpecifierSet(">=3.11")),
            "requires-python changed (>=3.10 → >=3.11)",
        ),
        (
            _manifest(dependencies=(Requirement("pkg>=1.0"), Requirement("httpx"))),
            "requirements changed (added httpx)",
        ),
        (_manifest(dependencies=()), "requirements changed (removed pkg)"),
        (
            _manifest(dependencies=(Requirement("pkg>=2.0"),)),
            "requirements changed (changed pkg)",
        ),
        (
            _manifest(dependencies=(Requirement("pkg>=1.0; sys_platform == 'linux'"),)),
            "requirements changed (changed pkg)",
        ),
        (
            _manifest(optional_dependencies=((n("fast"), (Requirement("speedy>=2"),)),)),
            "requirements changed (changed speedy)",
        ),
        (
            _manifest(
                optional_dependencies=(
                    (n("fast"), (Requirement("speedy"),)),
                    (n("empty"), ()),
                )
            ),
            "the project's extras changed",
        ),
        (
            _manifest(
                dependency_groups=((n("dev"), (Requirement("devtool"), Requirement("lint"))),)
            ),
            "dependency group `dev` changed (added lint)",
        ),
        (
            _manifest(
                dependency_groups=(
                    (n("dev"), (Requirement("devtool"),)),
                    (n("docs"), (Requirement("sphinx"),)),
                )
            ),
            "dependency groups changed (added group docs)",
        ),
        (_manifest(dependency_groups=()), "dependency groups changed (removed group dev)"),
        (_manifest(version=Version("0.2.0")), "the project's version changed (0.1.0 → 0.2.0)"),
        (_manifest(is_package=True), "the project is now a package"),
        (_manifest(name=n("renamed")), "the project `renamed` is missing from the lock"),
        (
            _manifest(sources=((n("pkg"), Source(SourceKind.PATH, "../pkg")),)),
            "requirements changed (changed pkg)",
        ),
    ],
)
def test_staleness_each_input_alone_is_seen(manifest: ProjectManifest, reason: str) -> None:
    assert why_stale(LOCK, manifest, [INDEX]) == reason


def test_staleness_an_index_no_longer_configured_is_seen() -> None:
    assert why_stale(LOCK, CURRENT, [OTHER_INDEX]) == (
        "`pkg` comes from an index that is no longer configured"
    )
    assert why_stale(LOCK, CURRENT, [OTHER_INDEX, INDEX]) is None


def test_staleness_workspace_members_and_root_groups() -> None:
    assert why_stale(LOCK, CURRENT, [INDEX], members=["proj", "lib"]) == (
        "the workspace members changed ( → lib, proj)"
    )
    group = (n("ci"), (LockRequirement(name=n("tox")),))
    assert why_stale(LOCK, CURRENT, [INDEX], root_groups=[group]) == (
        "the workspace root's dependency groups changed"
    )
    recorded = attrs.evolve(LOCK, manifest_group_requirements=(group,))
    assert why_stale(recorded, CURRENT, [INDEX], root_groups=[group]) is None


def test_staleness_a_package_project_locked_as_virtual() -> None:
    package = _manifest(is_package=True)
    assert why_stale(_lock_for(package, kind=SourceKind.EDITABLE), package, [INDEX]) is None
    assert why_stale(_lock_for(CURRENT, kind=SourceKind.EDITABLE), CURRENT, [INDEX]) == (
        "the project is now virtual"
    )


def test_staleness_script_inputs() -> None:
    lock = Lock(
        version=1,
        revision=3,
        requires_python=SpecifierSet(">=3.10"),
        packages=(),
        manifest_requirements=(LockRequirement(name=n("pkg")),),
    )
    same = [Requirement("pkg")]
    assert why_script_stale(lock, same, SpecifierSet(">=3.10")) is None
    assert why_script_stale(lock, same, SpecifierSet(">=3.12")) == (
        "requires-python changed (>=3.10 → >=3.12)"
    )
    assert why_script_stale(
        lock, [Requirement("pkg"), Requirement("x")], SpecifierSet(">=3.10")
    ) == ("requirements changed (added x)")


def test_staleness_in_a_workspace_names_the_member() -> None:
    lib = _manifest(name=n("lib"), dependencies=(), optional_dependencies=(), dependency_groups=())
    workspace_lock = attrs.evolve(LOCK, packages=(*LOCK.packages, _lock_for(lib).packages[0]))
    assert why_stale(workspace_lock, [CURRENT, lib], [INDEX]) is None
    moved = attrs.evolve(lib, dependencies=(Requirement("httpx"),))
    assert why_stale(workspace_lock, [CURRENT, moved], [INDEX]) == (
        "`lib`: requirements changed (added httpx)"
    )


def test_staleness_requirements_that_differ_only_by_marker_are_their_or() -> None:
    # uv 0.13.8 compares `tp; linux` and `tp; win32` as `tp; linux or win32`.
    split = _manifest(
        dependencies=(
            Requirement("pkg>=1.0; sys_platform == 'linux'"),
            Requirement("pkg>=1.0; sys_platform == 'win32'"),
        )
    )
    joined = _manifest(
        dependencies=(Requirement("pkg>=1.0; sys_platform == 'win32' or sys_platform == 'linux'"),)
    )
    assert why_stale(_lock_for(split), joined, [INDEX]) is None
    assert why_stale(_lock_for(joined), split, [INDEX]) is None
    other = _manifest(dependencies=(Requirement("pkg>=1.0; sys_platform == 'linux'"),))
    assert why_stale(_lock_for(split), other, [INDEX]) == "requirements changed (changed pkg)"


def _tree_package(manifest: ProjectManifest) -> LockedPackage:
    """A path dependency's package as the lock records it (no version when dynamic)."""
    return LockedPackage(
        name=manifest.name,
        version=manifest.version,
        source=Source(SourceKind.EDITABLE, "../lib"),
        provides_extras=manifest.extras,
        requires_dist=tuple(declared_requirements(manifest)),
        requires_dev=tuple((group, tuple(reqs)) for group, reqs in declared_groups(manifest)),
    )


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (_manifest(), None),
        (_manifest(version=Version("0.2.0")), "the version of `proj` changed (0.1.0 → 0.2.0)"),
        (_manifest(version=None), "the version of `proj` is now dynamic"),
        (_manifest(optional_dependencies=()), "the extras of `proj` changed"),
        (_manifest(dependencies=()), "the requirements of `proj` changed (removed pkg)"),
        (
            _manifest(dependency_groups=()),
            "`proj`: dependency groups changed (removed group dev)",
        ),
    ],
)
def test_staleness_of_a_path_dependency_with_a_static_version(
    manifest: ProjectManifest, reason: str | None
) -> None:
    assert why_tree_stale(_tree_package(CURRENT), manifest) == reason


def test_staleness_of_a_path_dependency_with_a_dynamic_version() -> None:
    dynamic = _manifest(version=None)
    package = _tree_package(dynamic)
    # The version is not in the lock: nothing to compare while it stays dynamic.
    assert why_tree_stale(package, dynamic) is None
    assert why_tree_stale(package, CURRENT) == "the version of `proj` is now static (0.1.0)"
    changed = _manifest(version=None, dependencies=(Requirement("pkg>=2.0"),))
    assert why_tree_stale(package, changed) == "the requirements of `proj` changed (changed pkg)"
