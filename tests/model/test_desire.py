"""``desire(lock, selection, interpreter)`` and ``best_wheel``: the lock narrowed to one target."""

from __future__ import annotations

import attrs
import pytest
from packaging.markers import Marker

from accord.model.desired import (
    ArtifactKind,
    DesiredEnvironment,
    NoCompatibleArtifact,
    Selection,
    SelectionUnknown,
    best_wheel,
    desire,
)
from accord.model.export import exportable_packages
from accord.model.interpreter import Interpreter
from accord.model.lock import Lock, LockRequirement, Source, SourceKind
from accord.model.why import why
from tests.model.factories import (
    edge,
    linux_interpreter,
    lock,
    locked,
    n,
    project,
    registry,
    sdist,
    wheel,
    windows_interpreter,
)

LINUX = linux_interpreter()
LINUX_310 = linux_interpreter("3.10.13")
WINDOWS = windows_interpreter()

PROJECT_LOCK = lock(
    project(
        deps=[
            edge("requests"),
            edge("winonly", marker="sys_platform == 'win32'"),
            edge("exceptiongroup", marker="python_full_version < '3.11'"),
            edge("fancy", extras=["color"]),
        ],
        extras={"cli": [edge("click")]},
        groups={"dev": [edge("iniconfig")], "docs": [edge("sphinxy")], "lint": [edge("ruffy")]},
    ),
    locked("requests", "2.32.0", deps=[edge("idna")]),
    locked("idna", "3.7"),
    locked("winonly", "1.0"),
    locked("exceptiongroup", "1.2.0"),
    locked("fancy", "1.0", extras={"color": [edge("colorful")]}),
    locked("colorful", "0.5"),
    locked("click", "8.1.7"),
    locked("iniconfig", "2.0.0"),
    locked("sphinxy", "7.0"),
    locked("ruffy", "0.5"),
)
BASE = ["colorful", "fancy", "idna", "requests"]


def names(desired: DesiredEnvironment) -> list[str]:
    return [dist.name for dist in desired.dists]


def select(**options: object) -> Selection:
    return Selection(roots=(n("proj"),), **options)  # type: ignore[arg-type]


def test_desire_marker_linux_interpreter_skips_windows_only() -> None:
    assert "winonly" not in names(desire(PROJECT_LOCK, select(), LINUX))


def test_desire_marker_windows_interpreter_installs_windows_only() -> None:
    assert "winonly" in names(desire(PROJECT_LOCK, select(), WINDOWS))


@pytest.mark.parametrize(
    ("interpreter", "expected"),
    [
        pytest.param(LINUX_310, True, id="3.10-needs-backport"),
        pytest.param(LINUX, False, id="3.11-has-it"),
    ],
)
def test_desire_marker_uses_interpreter_python_version(
    interpreter: Interpreter, expected: bool
) -> None:
    assert ("exceptiongroup" in names(desire(PROJECT_LOCK, select(), interpreter))) is expected


def test_desire_default_selection() -> None:
    assert names(desire(PROJECT_LOCK, select(), LINUX)) == sorted([*BASE, "iniconfig"])


def test_desire_dists_carry_version_source_and_wheel() -> None:
    requests = desire(PROJECT_LOCK, select(), LINUX).dist("requests")
    assert requests is not None
    assert (str(requests.version), requests.source, requests.kind, requests.editable) == (
        "2.32.0",
        registry(),
        ArtifactKind.WHEEL,
        False,
    )
    assert requests.artifact is not None
    assert requests.artifact.name == "requests-2.32.0-py3-none-any.whl"


def test_desire_edge_extra_pulls_extra_dependencies() -> None:
    assert "colorful" in names(desire(PROJECT_LOCK, select(), LINUX))


def test_desire_edge_without_extra_leaves_extra_dependencies_out() -> None:
    plain = lock(
        project(deps=[edge("fancy")]),
        locked("fancy", "1.0", extras={"color": [edge("colorful")]}),
        locked("colorful", "0.5"),
    )
    assert names(desire(plain, select(), LINUX)) == ["fancy"]


def test_desire_extra_reached_after_package_already_visited() -> None:
    later = lock(
        project(deps=[edge("fancy"), edge("other")]),
        locked("other", "1.0", deps=[edge("fancy", extras=["color"])]),
        locked("fancy", "1.0", extras={"color": [edge("colorful")]}),
        locked("colorful", "0.5"),
    )
    assert names(desire(later, select(), LINUX)) == ["colorful", "fancy", "other"]


def test_desire_dependency_cycle_terminates() -> None:
    cyclic = lock(
        project(deps=[edge("a")]),
        locked("a", "1.0", deps=[edge("b")]),
        locked("b", "1.0", deps=[edge("a")]),
    )
    assert names(desire(cyclic, select(), LINUX)) == ["a", "b"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, [], id="none"),
        pytest.param({"extras": (n("cli"),)}, ["click"], id="extra"),
        pytest.param({"all_extras": True}, ["click"], id="all-extras"),
    ],
)
def test_desire_project_extras(options: dict[str, object], expected: list[str]) -> None:
    found = set(names(desire(PROJECT_LOCK, select(**options), LINUX)))
    assert found & {"click"} == set(expected)


GROUPED = {"iniconfig", "sphinxy", "ruffy"}


@pytest.mark.parametrize(
    ("options", "groups", "has_project_deps"),
    [
        pytest.param({}, {"iniconfig"}, True, id="default-dev"),
        pytest.param({"default_groups": ()}, set(), True, id="no-default-groups"),
        pytest.param({"groups": (n("docs"),)}, {"iniconfig", "sphinxy"}, True, id="group-adds"),
        pytest.param({"only_groups": (n("docs"),)}, {"sphinxy"}, False, id="only-group"),
        pytest.param({"no_groups": (n("dev"),)}, set(), True, id="no-group-dev"),
        pytest.param(
            {"groups": (n("docs"),), "no_groups": (n("docs"),)},
            {"iniconfig"},
            True,
            id="no-group-beats-group",
        ),
        pytest.param(
            {"only_groups": (n("docs"), n("lint")), "no_groups": (n("docs"),)},
            {"ruffy"},
            False,
            id="no-group-beats-only-group",
        ),
        pytest.param({"all_groups": True}, GROUPED, True, id="all-groups"),
        pytest.param(
            {"all_groups": True, "no_groups": (n("lint"),)},
            {"iniconfig", "sphinxy"},
            True,
            id="no-group-beats-all-groups",
        ),
        pytest.param(
            {"all_groups": True, "default_groups": ()}, GROUPED, True, id="all-groups-no-defaults"
        ),
    ],
)
def test_desire_group_precedence(
    options: dict[str, object], groups: set[str], has_project_deps: bool
) -> None:
    found = set(names(desire(PROJECT_LOCK, select(**options), LINUX)))
    assert found & GROUPED == groups
    assert (set(BASE) <= found) is has_project_deps
    if not has_project_deps:
        assert found & set(BASE) == set()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"extras": (n("nope"),)}, "Extra `nope` is not defined by `proj`", id="extra"),
        pytest.param({"groups": (n("nope"),)}, "Group `nope` is not defined by `proj`", id="group"),
        pytest.param(
            {"only_groups": (n("nope"),)},
            "Group `nope` is not defined by `proj`",
            id="only-group",
        ),
    ],
)
def test_desire_unknown_selection_raises(options: dict[str, object], message: str) -> None:
    with pytest.raises(SelectionUnknown) as raised:
        desire(PROJECT_LOCK, select(**options), LINUX)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({}, None, id="known"),
        pytest.param({"extras": (n("nope"),)}, "Extra `nope` is not defined by `proj`", id="extra"),
        pytest.param(
            {"all_extras": True, "extras": (n("nope"),)},
            "Extra `nope` is not defined by `proj`",
            id="extra-with-all-extras",
        ),
        pytest.param({"groups": (n("nope"),)}, "Group `nope` is not defined by `proj`", id="group"),
        pytest.param(
            {"only_groups": (n("docs"),), "extras": (n("nope"),)},
            None,
            id="extra-unused-under-only-group",
        ),
    ],
)
def test_select_roots_is_one_check_for_desire_export_and_why(
    options: dict[str, object], message: str | None
) -> None:
    selection = select(**options)
    walks = {
        "desire": lambda: desire(PROJECT_LOCK, selection, LINUX),
        "export": lambda: exportable_packages(PROJECT_LOCK, selection),
        "why": lambda: why(PROJECT_LOCK, selection, LINUX.marker_environment()),
    }
    for walk in walks.values():
        if message is None:
            walk()
            continue
        with pytest.raises(SelectionUnknown) as raised:
            walk()
        assert str(raised.value) == message


def test_desire_unknown_root_raises() -> None:
    with pytest.raises(SelectionUnknown) as raised:
        desire(PROJECT_LOCK, Selection(roots=(n("ghost"),)), LINUX)
    assert (raised.value.kind, raised.value.name, str(raised.value)) == (
        "Package",
        "ghost",
        "Package `ghost` is not defined by `the lock`",
    )


def test_desire_default_group_missing_from_project_is_fine() -> None:
    no_dev = lock(project(deps=[edge("idna")]), locked("idna", "3.7"))
    assert names(desire(no_dev, select(), LINUX)) == ["idna"]


def test_desire_virtual_root_is_noted_not_installed() -> None:
    desired = desire(PROJECT_LOCK, select(), LINUX)
    assert desired.dist("proj") is None
    assert desired.notes == (
        "proj is not installed, only its dependencies: it is a virtual project "
        "(no [build-system], or tool.uv.package = false)",
    )


def test_desire_editable_root_is_installed_from_its_tree() -> None:
    editable = lock(project(kind=SourceKind.EDITABLE, deps=[edge("idna")]), locked("idna", "3.7"))
    desired = desire(editable, select(), LINUX)
    assert names(desired) == ["idna", "proj"]
    root = desired.dist("proj")
    assert root is not None
    assert (root.kind, root.editable, root.artifact) == (ArtifactKind.SOURCE_TREE, True, None)
    assert desired.notes == ()


def test_desire_source_tree_dependencies_are_installed_from_the_tree() -> None:
    workspace = lock(
        project("app", kind=SourceKind.EDITABLE, deps=[edge("lib"), edge("vendored")]),
        locked("lib", None, source=Source(SourceKind.EDITABLE, "packages/lib")),
        locked("vendored", "0.0.1", source=Source(SourceKind.DIRECTORY, "vendor/vendored")),
        members=["app", "lib"],
    )
    desired = desire(workspace, Selection(roots=(n("app"),)), LINUX)
    app, lib, vendored = desired.dists
    assert (app.name, app.kind, app.editable) == ("app", ArtifactKind.SOURCE_TREE, True)
    assert (lib.name, lib.version, lib.kind, lib.editable, lib.artifact) == (
        "lib",
        None,
        ArtifactKind.SOURCE_TREE,
        True,
        None,
    )
    assert (vendored.name, vendored.kind, vendored.editable) == (
        "vendored",
        ArtifactKind.SOURCE_TREE,
        False,
    )


def test_desire_manifest_groups_of_virtual_workspace_root() -> None:
    workspace = lock(
        project("app", kind=SourceKind.EDITABLE, deps=[edge("click")]),
        locked("click", "8.1.7"),
        locked("iniconfig", "2.0.0"),
        members=["app"],
        manifest_groups={"dev": [edge("iniconfig")]},
    )
    assert names(desire(workspace, Selection(roots=(n("app"),)), LINUX)) == [
        "app",
        "click",
        "iniconfig",
    ]
    no_dev = Selection(roots=(n("app"),), no_groups=(n("dev"),))
    assert names(desire(workspace, no_dev, LINUX)) == ["app", "click"]


def test_desire_passes_flags_through() -> None:
    desired = desire(
        PROJECT_LOCK,
        select(),
        LINUX,
        exact=True,
        reinstall=True,
        reinstall_packages=frozenset({n("idna")}),
    )
    assert (desired.exact, desired.reinstall, desired.reinstall_packages, desired.interpreter) == (
        True,
        True,
        frozenset({"idna"}),
        LINUX,
    )


# Artifacts --------------------------------------------------------------------------------

NATIVE_WHEELS = (
    "native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "native-1.0-cp311-cp311-win_amd64.whl",
    "native-1.0-py3-none-any.whl",
)


@pytest.mark.parametrize(
    ("interpreter", "wheels", "expected"),
    [
        pytest.param(LINUX, NATIVE_WHEELS, NATIVE_WHEELS[0], id="linux-manylinux"),
        pytest.param(WINDOWS, NATIVE_WHEELS, NATIVE_WHEELS[1], id="windows-win-amd64"),
        pytest.param(LINUX, NATIVE_WHEELS[1:], NATIVE_WHEELS[2], id="linux-falls-back-to-pure"),
        pytest.param(LINUX, tuple(reversed(NATIVE_WHEELS)), NATIVE_WHEELS[0], id="order-free"),
        pytest.param(
            LINUX,
            ("native-1.0-cp311-abi3-manylinux_2_17_x86_64.whl", NATIVE_WHEELS[0]),
            NATIVE_WHEELS[0],
            id="cp311-beats-abi3",
        ),
        pytest.param(
            LINUX,
            ("not-a-wheel.zip", "native-1.0-py3-none-any.whl"),
            "native-1.0-py3-none-any.whl",
            id="skips-invalid-filename",
        ),
        pytest.param(LINUX, NATIVE_WHEELS[1:2], None, id="none-compatible"),
        pytest.param(LINUX, (), None, id="no-wheels"),
        pytest.param(linux_interpreter("3.12.1"), NATIVE_WHEELS[:2], None, id="other-python-abi"),
    ],
)
def test_best_wheel_by_tag_priority(
    interpreter: Interpreter, wheels: tuple[str, ...], expected: str | None
) -> None:
    chosen = best_wheel([wheel(name) for name in wheels], interpreter)
    assert (chosen.name if chosen else None) == expected


def _single(package_wheels: tuple[str, ...], *, with_sdist: bool) -> Lock:
    return lock(
        project(deps=[edge("native")]),
        locked("native", "1.0", wheels=package_wheels, with_sdist=with_sdist),
    )


def test_desire_without_compatible_wheel_uses_sdist() -> None:
    desired = desire(_single(NATIVE_WHEELS[1:2], with_sdist=True), select(), LINUX)
    (native,) = desired.dists
    assert (native.kind, native.artifact) == (ArtifactKind.SDIST, sdist("native", "1.0"))


def test_desire_prefers_wheel_over_sdist() -> None:
    desired = desire(_single(NATIVE_WHEELS, with_sdist=True), select(), LINUX)
    (native,) = desired.dists
    assert native.kind is ArtifactKind.WHEEL


def test_desire_without_any_artifact_raises() -> None:
    with pytest.raises(NoCompatibleArtifact) as raised:
        desire(_single(NATIVE_WHEELS[1:2], with_sdist=False), select(), LINUX)
    assert str(raised.value) == "native==1.0 has no compatible artifact"
    assert (raised.value.package.name, raised.value.interpreter) == ("native", LINUX)


def test_desire_incompatible_package_behind_false_marker_is_fine() -> None:
    windows_only = lock(
        project(deps=[edge("native", marker="sys_platform == 'win32'")]),
        locked("native", "1.0", wheels=NATIVE_WHEELS[1:2]),
    )
    assert names(desire(windows_only, select(), LINUX)) == []


def test_desire_git_source_without_artifacts_is_built() -> None:
    git = Source(SourceKind.GIT, "https://example.invalid/g.git?tag=v1#" + "a" * 40)
    git_lock = lock(project(deps=[edge("g")]), locked("g", "1.0", source=git))
    (dist,) = desire(git_lock, select(), LINUX).dists
    assert (dist.kind, dist.artifact, dist.source) == (ArtifactKind.SDIST, None, git)


# Several versions of one name -------------------------------------------------------------

FORKED = lock(
    project(
        deps=[
            edge("numpy", version="1.26.4", marker="python_full_version < '3.12'"),
            edge("numpy", version="2.1.0", marker="python_full_version >= '3.12'"),
        ]
    ),
    locked("numpy", "1.26.4", resolution_markers=["python_full_version < '3.12'"]),
    locked("numpy", "2.1.0", resolution_markers=["python_full_version >= '3.12'"]),
)


@pytest.mark.parametrize(
    ("interpreter", "version"),
    [
        pytest.param(LINUX, "1.26.4", id="3.11"),
        pytest.param(linux_interpreter("3.12.1"), "2.1.0", id="3.12"),
    ],
)
def test_desire_version_fork_follows_edge_version(interpreter: Interpreter, version: str) -> None:
    (numpy,) = desire(FORKED, select(), interpreter).dists
    assert str(numpy.version) == version


CPU = Source(SourceKind.REGISTRY, "https://example.invalid/cpu/simple")
GPU = Source(SourceKind.REGISTRY, "https://example.invalid/gpu/simple")
BY_SOURCE = lock(
    project(
        deps=[
            edge("torch", version="2.4.0", source=CPU, marker="sys_platform == 'win32'"),
            edge("torch", version="2.4.0", source=GPU, marker="sys_platform == 'linux'"),
        ]
    ),
    locked("torch", "2.4.0", source=CPU, resolution_markers=["sys_platform == 'win32'"]),
    locked("torch", "2.4.0", source=GPU, resolution_markers=["sys_platform == 'linux'"]),
)


@pytest.mark.parametrize(
    ("interpreter", "source"),
    [pytest.param(LINUX, GPU, id="linux-gpu"), pytest.param(WINDOWS, CPU, id="windows-cpu")],
)
def test_desire_same_version_fork_follows_edge_source(
    interpreter: Interpreter, source: Source
) -> None:
    (torch,) = desire(BY_SOURCE, select(), interpreter).dists
    assert torch.source == source


def test_desire_resolution_markers_exclude_package_on_other_fork() -> None:
    fork_only = lock(
        project(deps=[edge("pywin")]),
        locked("pywin", "306", resolution_markers=["sys_platform == 'win32'"]),
    )
    assert names(desire(fork_only, select(), LINUX)) == []
    assert names(desire(fork_only, select(), WINDOWS)) == ["pywin"]


def test_desire_script_lock_requirements_are_the_roots_with_their_markers_and_extras() -> None:
    script = attrs.evolve(
        lock(
            locked("requests", "2.32.0", deps=[edge("idna")]),
            locked("idna", "3.7"),
            locked("winonly", "1.0"),
            locked("fancy", "1.0", extras={"color": [edge("colorful")]}),
            locked("colorful", "0.5"),
        ),
        manifest_requirements=(
            LockRequirement(name=n("requests")),
            LockRequirement(name=n("winonly"), marker=Marker("sys_platform == 'win32'")),
            LockRequirement(name=n("fancy"), extras=(n("color"),)),
        ),
    )
    no_roots = Selection(roots=(), default_groups=())
    assert names(desire(script, no_roots, LINUX)) == [
        "colorful",
        "fancy",
        "idna",
        "requests",
    ]
    assert "winonly" in names(desire(script, no_roots, WINDOWS))


def test_desire_an_sdist_by_url_is_downloaded_from_its_source() -> None:
    """uv's lock names an sdist from a `url` source by its hash alone: the URL is the source's."""
    from accord.model.lock import Artifact

    url = "https://files.invalid/pkg-1.1.tar.gz"
    package = locked("pkg", "1.1", source=Source(SourceKind.URL, url))
    package = attrs.evolve(package, sdist=Artifact(hash="sha256:" + "0" * 64))
    desired = desire(lock(project(deps=[edge("pkg")]), package), select(), LINUX)
    (dist,) = desired.dists
    assert dist.kind is ArtifactKind.SDIST
    assert dist.artifact is not None and dist.artifact.url == url
