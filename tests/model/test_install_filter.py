"""The install filter (``--no-install-*``/``--only-install-*``) in ``desire`` and the plan:
what uv 0.13.8 installs, and what an exact sync removes, for each option."""

from __future__ import annotations

import pytest

from accord.model.desired import DesiredEnvironment, Selection, desire
from accord.model.install_filter import InstallFilter
from accord.model.lock import Source, SourceKind
from accord.model.plan import Install, Remove, diff
from tests.model.factories import (
    edge,
    installed_from,
    linux_interpreter,
    lock,
    locked,
    n,
    observed,
    project,
)

LINUX = linux_interpreter()

# A workspace: the root `proj` (editable) needs `pkg` and the member `member`, which needs
# `dep-a` (→ `dep-b`) and the local path package `vendored`.
WORKSPACE = lock(
    project("proj", kind=SourceKind.EDITABLE, deps=[edge("pkg"), edge("member")]),
    locked(
        "member",
        "0.2.0",
        source=Source(SourceKind.EDITABLE, "packages/member"),
        deps=[edge("dep-a"), edge("vendored")],
    ),
    locked("vendored", "1.0", source=Source(SourceKind.DIRECTORY, "vendor/vendored")),
    locked("pkg", "1.0"),
    locked("dep-a", "1.0", deps=[edge("dep-b")]),
    locked("dep-b", "2.0"),
    members=["member", "proj"],
)
EVERYTHING = ["dep-a", "dep-b", "member", "pkg", "proj", "vendored"]


def names(desired: DesiredEnvironment) -> list[str]:
    return [dist.name for dist in desired.dists]


def installs(project_name: str | None = "proj", **options: object) -> list[str]:
    install = InstallFilter(project=n(project_name) if project_name else None, **options)  # type: ignore[arg-type]
    return names(desire(WORKSPACE, Selection(roots=(n("proj"),), install=install), LINUX))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, EVERYTHING, id="nothing-left-out"),
        pytest.param(
            {"no_project": True},
            ["dep-a", "dep-b", "member", "pkg", "vendored"],
            id="no-install-project-keeps-its-dependencies",
        ),
        pytest.param(
            {"no_workspace": True},
            ["dep-a", "dep-b", "pkg", "vendored"],
            id="no-install-workspace",
        ),
        pytest.param({"no_local": True}, ["dep-a", "dep-b", "pkg"], id="no-install-local"),
        pytest.param(
            {"no_packages": frozenset({n("dep-a")})},
            ["dep-b", "member", "pkg", "proj", "vendored"],
            id="no-install-package-keeps-its-dependencies",
        ),
        pytest.param({"only_project": True}, ["proj"], id="only-install-project"),
        pytest.param({"only_workspace": True}, ["member", "proj"], id="only-install-workspace"),
        pytest.param({"only_local": True}, ["member", "proj", "vendored"], id="only-install-local"),
        pytest.param(
            {"only_packages": frozenset({n("pkg"), n("dep-b")})},
            ["dep-b", "pkg"],
            id="only-install-package",
        ),
        pytest.param(
            {"only_project": True, "no_workspace": True},
            ["proj"],
            id="an-only-option-decides-alone",
        ),
        pytest.param(
            {"only_project": True, "only_workspace": True},
            ["member", "proj"],
            id="only-workspace-before-only-project",
        ),
    ],
)
def test_install_filter_leaves_out(options: dict[str, object], expected: list[str]) -> None:
    assert installs(**options) == expected


def test_install_filter_no_install_project_speaks_of_the_target_member() -> None:
    # `--package member --no-install-project`: the member is the project left out.
    assert installs("member", no_project=True) == ["dep-a", "dep-b", "pkg", "proj", "vendored"]


def test_install_filter_virtual_root_has_no_project_to_leave_out() -> None:
    assert installs(None, no_project=True) == EVERYTHING
    assert installs(None, only_project=True) == []


def test_install_filter_single_project_counts_as_workspace() -> None:
    # A lone project's lock lists no members: the project itself is the workspace.
    single = lock(project("proj", kind=SourceKind.EDITABLE, deps=[edge("pkg")]), locked("pkg"))
    install = InstallFilter(project=n("proj"), no_workspace=True)
    desired = desire(single, Selection(roots=(n("proj"),), install=install), LINUX)
    assert names(desired) == ["pkg"]


def test_install_filter_left_out_package_needs_no_artifact() -> None:
    # uv does not pick a wheel for what it does not install: no error for a package without one.
    unbuildable = lock(project("proj", deps=[edge("native")]), locked("native", wheels=()))
    install = InstallFilter(project=n("proj"), no_packages=frozenset({n("native")}))
    desired = desire(unbuildable, Selection(roots=(n("proj"),), install=install), LINUX)
    assert names(desired) == []


def test_install_filter_notes_what_it_leaves_out() -> None:
    install = InstallFilter(project=n("proj"), no_project=True)
    desired = desire(WORKSPACE, Selection(roots=(n("proj"),), install=install), LINUX)
    assert "proj is not installed: --no-install-project" in desired.notes


def test_install_filter_exact_sync_removes_the_installed_project() -> None:
    install = InstallFilter(project=n("proj"), no_project=True)
    full = desire(WORKSPACE, Selection(roots=(n("proj"),)), LINUX)
    found = observed(*(installed_from(dist) for dist in full.dists))
    for exact, removed in ((True, ["proj"]), (False, [])):
        desired = desire(
            WORKSPACE, Selection(roots=(n("proj"),), install=install), LINUX, exact=exact
        )
        plan = diff(desired, found)
        assert [a.installed.name for a in plan.actions if isinstance(a, Remove)] == removed
        assert not [a for a in plan.actions if isinstance(a, Install)]


def test_install_filter_is_empty() -> None:
    assert InstallFilter(project=n("proj")).is_empty
    assert not InstallFilter(no_packages=frozenset({n("x")})).is_empty
