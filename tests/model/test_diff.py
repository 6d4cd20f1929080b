"""``diff(desired, observed)``: scenario tables, then the invariants of STYLE 2.4 as properties."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from accord.model.desired import ArtifactKind, DesiredDist, DesiredEnvironment
from accord.model.lock import Source, SourceKind
from accord.model.observed import DirectUrl, EnvironmentState, InstalledDist, ObservedEnvironment
from accord.model.plan import (
    Create,
    EnvironmentMissing,
    Extraneous,
    FilesModified,
    Install,
    InterpreterChanged,
    Keep,
    Missing,
    NotAVirtualEnvironment,
    Plan,
    PyvenvBroken,
    Recreate,
    ReinstallRequested,
    Remove,
    Replace,
    SourceDiffers,
    VersionDiffers,
    diff,
)
from tests.model.factories import (
    INDEX,
    VENV,
    desired_dist,
    desired_env,
    installed,
    installed_from,
    linux_interpreter,
    matching,
    observed,
)

URL = "https://example.invalid/direct/a-1.0-py3-none-any.whl"
PY = linux_interpreter()
PY_OLDER = linux_interpreter("3.11.6")
PY_ELSEWHERE = linux_interpreter(base_executable="/usr/bin/python3.11")
CHANGED_VERSION = InterpreterChanged(
    installed="3.11.6 (/opt/python/3.11/bin/python3.11)",
    wanted="3.11.7 (/opt/python/3.11/bin/python3.11)",
)
CHANGED_EXECUTABLE = InterpreterChanged(
    installed="3.11.7 (/usr/bin/python3.11)",
    wanted="3.11.7 (/opt/python/3.11/bin/python3.11)",
)


def summary(plan: Plan) -> tuple[Any, list[tuple[str, str, Any]]]:
    """The environment action and (kind, name, reason) of each package action, in plan order."""
    return plan.environment, [(a.kind, a.name, a.reason) for a in plan.actions]


SCENARIOS = [
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b")),
        observed(state=EnvironmentState.MISSING),
        Create(EnvironmentMissing()),
        [("install", "a", Missing()), ("install", "b", Missing())],
        id="missing-venv-creates-and-installs-all",
    ),
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b")),
        observed(installed("a"), installed("b")),
        Keep(),
        [],
        id="all-installed-nothing-to-do",
    ),
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b")),
        observed(installed("b")),
        Keep(),
        [("install", "a", Missing())],
        id="one-missing-installs-it",
    ),
    pytest.param(
        desired_env(desired_dist("a", "1.1")),
        observed(installed("a", "1.0")),
        Keep(),
        [("replace", "a", VersionDiffers(installed="1.0", wanted="1.1"))],
        id="version-differs-replaces",
    ),
    pytest.param(
        desired_env(desired_dist("a", "1.0")),
        observed(installed("a", "1.1")),
        Keep(),
        [("replace", "a", VersionDiffers(installed="1.1", wanted="1.0"))],
        id="newer-installed-is-downgraded",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(installed("a", direct_url=DirectUrl(url=URL))),
        Keep(),
        [("replace", "a", SourceDiffers(installed=URL, wanted=INDEX))],
        id="direct-url-installed-registry-wanted",
    ),
    pytest.param(
        desired_env(desired_dist("a", source=Source(SourceKind.URL, URL))),
        observed(installed("a")),
        Keep(),
        [("replace", "a", SourceDiffers(installed="a registry", wanted=URL))],
        id="registry-installed-url-wanted",
    ),
    pytest.param(
        desired_env(desired_dist("a", source=Source(SourceKind.URL, URL))),
        observed(installed("a", direct_url=DirectUrl(url=URL + "#other"))),
        Keep(),
        [("replace", "a", SourceDiffers(installed=URL + "#other", wanted=URL))],
        id="other-url-installed",
    ),
    pytest.param(
        desired_env(desired_dist("a", source=Source(SourceKind.URL, URL))),
        observed(installed("a", direct_url=DirectUrl(url=URL))),
        Keep(),
        [],
        id="same-url-installed-kept",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(installed("a", record_problem="a/__init__.py is missing")),
        Keep(),
        [("replace", "a", FilesModified("a/__init__.py is missing"))],
        id="record-problem-files-modified",
    ),
    pytest.param(
        desired_env(desired_dist("a", "2.0")),
        observed(installed("a", "1.0", record_problem="RECORD is missing")),
        Keep(),
        [("replace", "a", VersionDiffers(installed="1.0", wanted="2.0"))],
        id="version-reason-wins-over-files",
    ),
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b"), reinstall=True),
        observed(installed("a"), installed("b")),
        Keep(),
        [("replace", "a", ReinstallRequested()), ("replace", "b", ReinstallRequested())],
        id="reinstall-all",
    ),
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b"), reinstall_packages=["b"]),
        observed(installed("a"), installed("b")),
        Keep(),
        [("replace", "b", ReinstallRequested())],
        id="reinstall-package",
    ),
    pytest.param(
        desired_env(desired_dist("a", "1.1"), reinstall=True),
        observed(installed("a", "1.0")),
        Keep(),
        [("replace", "a", VersionDiffers(installed="1.0", wanted="1.1"))],
        id="reinstall-keeps-the-real-reason",
    ),
    pytest.param(
        desired_env(desired_dist("a"), reinstall_packages=["b"]),
        observed(),
        Keep(),
        [("install", "a", Missing())],
        id="reinstall-of-missing-is-install",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(installed("a"), installed("extra-pkg")),
        Keep(),
        [],
        id="extraneous-kept-without-exact",
    ),
    pytest.param(
        desired_env(desired_dist("a"), exact=True),
        observed(installed("a"), installed("extra-pkg")),
        Keep(),
        [("remove", "extra-pkg", Extraneous())],
        id="extraneous-removed-with-exact",
    ),
    pytest.param(
        desired_env(desired_dist("a"), desired_dist("b")),
        observed(installed("a"), installed("b"), interpreter=PY_OLDER),
        Recreate(CHANGED_VERSION),
        [("install", "a", Missing()), ("install", "b", Missing())],
        id="interpreter-version-changed-recreates",
    ),
    pytest.param(
        desired_env(desired_dist("a"), exact=True),
        observed(installed("a"), installed("stale"), interpreter=PY_ELSEWHERE),
        Recreate(CHANGED_EXECUTABLE),
        [("install", "a", Missing())],
        id="base-executable-changed-recreates-nothing-to-remove",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(state=EnvironmentState.NOT_A_VENV, detail="`.venv` has no pyvenv.cfg"),
        Recreate(NotAVirtualEnvironment("`.venv` has no pyvenv.cfg")),
        [("install", "a", Missing())],
        id="not-a-venv",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(state=EnvironmentState.NOT_A_VENV),
        Recreate(NotAVirtualEnvironment("no pyvenv.cfg")),
        [("install", "a", Missing())],
        id="not-a-venv-without-detail",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(state=EnvironmentState.BROKEN, detail="python is gone"),
        Recreate(PyvenvBroken("python is gone")),
        [("install", "a", Missing())],
        id="broken",
    ),
    pytest.param(
        desired_env(desired_dist("a")),
        observed(state=EnvironmentState.BROKEN),
        Recreate(PyvenvBroken("unreadable pyvenv.cfg")),
        [("install", "a", Missing())],
        id="broken-without-detail",
    ),
    pytest.param(
        desired_env(
            desired_dist(
                "lib",
                None,
                source=Source(SourceKind.EDITABLE, "packages/lib"),
                kind=ArtifactKind.SOURCE_TREE,
                editable=True,
            )
        ),
        observed(installed("lib", "0.3.0")),
        Keep(),
        [],
        id="dynamic-version-source-tree-kept",
    ),
    pytest.param(
        desired_env(
            desired_dist("zeta", "2"), desired_dist("alpha"), desired_dist("mid"), exact=True
        ),
        observed(
            installed("zeta", "1"),
            installed("beta"),
            installed("mid", record_problem="x"),
            installed("omega"),
        ),
        Keep(),
        [
            ("install", "alpha", Missing()),
            ("remove", "beta", Extraneous()),
            ("replace", "mid", FilesModified("x")),
            ("remove", "omega", Extraneous()),
            ("replace", "zeta", VersionDiffers(installed="1", wanted="2")),
        ],
        id="actions-sorted-by-name",
    ),
]


@pytest.mark.parametrize(("desired", "found", "environment", "actions"), SCENARIOS)
def test_diff_scenario(
    desired: DesiredEnvironment,
    found: ObservedEnvironment,
    environment: Any,
    actions: list[tuple[str, str, Any]],
) -> None:
    assert summary(diff(desired, found)) == (environment, actions)


def test_diff_empty_plan_is_empty() -> None:
    plan = diff(desired_env(desired_dist("a")), observed(installed("a")))
    assert plan.is_empty
    assert plan.actions == ()


def test_diff_extraneous_alone_is_empty_without_exact() -> None:
    assert diff(desired_env(), observed(installed("stray"))).is_empty


def test_diff_create_is_not_empty_even_without_packages() -> None:
    plan = diff(desired_env(), observed(state=EnvironmentState.MISSING))
    assert plan.actions == ()
    assert not plan.is_empty


def test_diff_replace_carries_installed_and_target() -> None:
    dist = desired_dist("a", "1.1")
    found = installed("a", "1.0")
    (action,) = diff(desired_env(dist), observed(found)).actions
    assert action == Replace(found, dist, VersionDiffers(installed="1.0", wanted="1.1"))


def test_diff_remove_carries_installed() -> None:
    stray = installed("stray", "3.2")
    (action,) = diff(desired_env(exact=True), observed(stray)).actions
    assert action == Remove(stray)


def test_diff_plan_carries_venv_desired_and_notes() -> None:
    desired = desired_env(desired_dist("a"), notes=["proj is a virtual project"])
    plan = diff(desired, observed(path=VENV))
    assert (plan.venv, plan.desired, plan.notes, plan.lock) == (
        VENV,
        desired,
        ("proj is a virtual project",),
        None,
    )


def test_diff_of_kind_filters_actions() -> None:
    plan = diff(
        desired_env(desired_dist("a"), desired_dist("b", "2"), exact=True),
        observed(installed("b"), installed("c")),
    )
    assert [a.name for a in plan.of_kind(Install)] == ["a"]
    assert [a.name for a in plan.of_kind(Replace)] == ["b"]
    assert [a.name for a in plan.of_kind(Remove)] == ["c"]


# Properties ---------------------------------------------------------------------------------

# No example database: a failure prints its example, and no run depends on an earlier one.
INVARIANT = settings(database=None)
SHAPE = settings(database=None, max_examples=40)

NAMES = ("alpha", "beta", "c-d", "delta", "e", "flask-x", "g", "zed")
URLS = ("https://example.invalid/a.whl", "https://example.invalid/b.whl")
COMMITS = ("a" * 40, "b" * 40)

versions = st.one_of(
    # Often the same few versions, so that installed and desired dists agree on the version
    # and the plan has to look at their sources.
    st.sampled_from([Version("1.0"), Version("2.0")]),
    st.builds(
        lambda parts: Version(".".join(map(str, parts))),
        st.lists(st.integers(0, 12), min_size=1, max_size=3),
    ),
)


@st.composite
def desired_dists(draw: st.DrawFn, name: str) -> DesiredDist:
    kind = draw(st.sampled_from(["registry", "url", "git", "editable", "directory"]))
    version = draw(versions)
    if kind == "registry":
        return desired_dist(name, str(version))
    if kind == "url":
        return desired_dist(
            name, str(version), source=Source(SourceKind.URL, draw(st.sampled_from(URLS)))
        )
    if kind == "git":
        commit = draw(st.sampled_from(COMMITS))
        source = Source(SourceKind.GIT, f"https://example.invalid/{name}.git#{commit}")
        return desired_dist(name, str(version), source=source, kind=ArtifactKind.SDIST)
    dynamic = draw(st.booleans())
    dist = desired_dist(
        name,
        None if dynamic else str(version),
        source=Source(SourceKind(kind), f"packages/{name}"),
        kind=ArtifactKind.SOURCE_TREE,
        editable=kind == "editable",
    )
    return attrs.evolve(
        dist,
        directory_url=f"file:///work/proj/packages/{name}",
        build_digest=draw(st.sampled_from([None, "d1", "d2"])),
    )


@st.composite
def desired_environments(draw: st.DrawFn) -> DesiredEnvironment:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    interpreter = draw(st.sampled_from([PY, PY_OLDER, PY_ELSEWHERE]))
    return desired_env(
        *(draw(desired_dists(name)) for name in names),
        interpreter=interpreter,
        exact=draw(st.booleans()),
        reinstall=draw(st.booleans()),
        reinstall_packages=draw(st.lists(st.sampled_from(NAMES), max_size=3)),
    )


@st.composite
def installed_dists(draw: st.DrawFn, name: str) -> InstalledDist:
    tree = f"file:///work/proj/packages/{name}"
    direct_url = draw(
        st.one_of(
            st.none(),
            st.builds(DirectUrl, url=st.sampled_from([*URLS, "file:///work/proj/x"])),
            st.builds(
                DirectUrl,
                url=st.just(f"https://example.invalid/{name}.git"),
                vcs_commit=st.sampled_from(COMMITS),
            ),
            st.builds(
                DirectUrl, url=st.just(tree), editable=st.booleans(), is_directory=st.just(True)
            ),
        )
    )
    record_problem = draw(st.sampled_from([None, None, "RECORD is missing", "x.py was modified"]))
    found = installed(
        name, str(draw(versions)), direct_url=direct_url, record_problem=record_problem
    )
    return attrs.evolve(found, build_digest=draw(st.sampled_from([None, "d1", "d2"])))


@st.composite
def observed_environments(draw: st.DrawFn) -> ObservedEnvironment:
    state = draw(st.sampled_from(EnvironmentState))
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    return observed(
        *(draw(installed_dists(name)) for name in names),
        interpreter=draw(st.sampled_from([PY, PY_OLDER, PY_ELSEWHERE])),
        state=state,
        detail=draw(st.sampled_from([None, "why"])),
    )


def without_reinstall(desired: DesiredEnvironment) -> DesiredEnvironment:
    """``--reinstall`` asks for one reinstall, not one on every run: drop it for the re-check."""
    return attrs.evolve(desired, reinstall=False, reinstall_packages=frozenset())


def simulate_apply(plan: Plan, found: ObservedEnvironment) -> ObservedEnvironment:
    """What observing right after a perfect ``apply_plan(plan)`` reports, computed purely."""
    kept = isinstance(plan.environment, Keep)
    dists = {dist.name: dist for dist in found.dists} if kept else {}
    for action in plan.actions:
        if isinstance(action, Remove):
            del dists[action.name]
        else:
            dists[action.name] = installed_from(action.dist)
    interpreter = plan.desired.interpreter
    return ObservedEnvironment(
        path=plan.venv,
        state=EnvironmentState.PRESENT,
        base_executable=interpreter.base_executable,
        version=interpreter.version,
        dists=tuple(sorted(dists.values(), key=lambda dist: dist.name)),
    )


@INVARIANT
@given(desired_environments())
def test_diff_of_matching_environment_is_empty(desired: DesiredEnvironment) -> None:
    """diff(x, x) is empty: an environment built to match the desired one needs nothing."""
    assert diff(without_reinstall(desired), matching(desired)).is_empty


@INVARIANT
@given(desired_environments(), observed_environments())
def test_diff_then_apply_then_diff_is_empty(
    desired: DesiredEnvironment, found: ObservedEnvironment
) -> None:
    """A second run right after an apply reports no changes (Ansible's check after apply)."""
    plan = diff(desired, found)
    after = simulate_apply(plan, found)
    again = diff(without_reinstall(desired), after)
    assert again.is_empty, summary(again)


@INVARIANT
@given(desired_environments(), observed_environments())
def test_diff_keeps_only_what_is_exactly_desired(
    desired: DesiredEnvironment, found: ObservedEnvironment
) -> None:
    """A dist the plan leaves alone is what installing the desired one would leave: same
    version, same source (URL, git commit, editable or not), same build inputs, intact."""
    _assert_kept_exactly(desired, found)


@st.composite
def near_matches(draw: st.DrawFn) -> tuple[DesiredEnvironment, ObservedEnvironment]:
    """A desired environment and one installed to match it, then nudged: a git commit,
    editable or not, the build digest, a damaged file (each dist, independently)."""
    desired = draw(desired_environments())
    exact = matching(desired)
    dists = []
    for found in exact.dists:
        url = found.direct_url
        if url is not None and url.vcs_commit is not None:
            url = attrs.evolve(url, vcs_commit=draw(st.sampled_from(COMMITS)))
        if url is not None and url.is_directory:
            url = attrs.evolve(url, editable=draw(st.booleans()))
        dists.append(
            attrs.evolve(
                found,
                direct_url=url,
                build_digest=draw(st.sampled_from([found.build_digest, "d2"])),
                record_problem=draw(st.sampled_from([None, None, "x.py was modified"])),
            )
        )
    return desired, attrs.evolve(exact, dists=tuple(dists))


@INVARIANT
@given(near_matches())
def test_diff_near_match_keeps_only_what_is_exactly_desired(
    pair: tuple[DesiredEnvironment, ObservedEnvironment],
) -> None:
    """As above, where it matters most: everything but one detail matches."""
    _assert_kept_exactly(*pair)


def _assert_kept_exactly(desired: DesiredEnvironment, found: ObservedEnvironment) -> None:
    plan = diff(desired, found)
    if not isinstance(plan.environment, Keep):
        return
    touched = {action.name for action in plan.actions}
    present = {dist.name: dist for dist in found.dists}
    for dist in desired.dists:
        if dist.name in touched:
            continue
        kept, fresh = present[dist.name], installed_from(dist)
        assert dist.version is None or kept.version == dist.version
        assert (kept.direct_url is None) == (fresh.direct_url is None)
        if kept.direct_url is not None and fresh.direct_url is not None:
            assert kept.direct_url.url == fresh.direct_url.url
            if dist.source.kind is SourceKind.GIT:
                assert kept.direct_url.vcs_commit == fresh.direct_url.vcs_commit
            if dist.kind is ArtifactKind.SOURCE_TREE:
                assert kept.direct_url.editable == fresh.direct_url.editable
        assert dist.build_digest is None or kept.build_digest == dist.build_digest
        assert kept.record_problem is None


@SHAPE
@given(desired_environments(), observed_environments())
def test_diff_actions_sorted_and_unique(
    desired: DesiredEnvironment, found: ObservedEnvironment
) -> None:
    names = [action.name for action in diff(desired, found).actions]
    assert names == sorted(set(names))


@SHAPE
@given(desired_environments(), observed_environments())
def test_diff_recreate_installs_every_desired_dist(
    desired: DesiredEnvironment, found: ObservedEnvironment
) -> None:
    plan = diff(desired, found)
    if not isinstance(plan.environment, Keep):
        assert all(isinstance(action, Install) for action in plan.actions)
        assert [a.name for a in plan.actions] == [d.name for d in desired.dists]


@SHAPE
@given(desired_environments(), observed_environments())
def test_diff_removes_only_under_exact(
    desired: DesiredEnvironment, found: ObservedEnvironment
) -> None:
    removed = {action.name for action in diff(desired, found).of_kind(Remove)}
    if not desired.exact:
        assert removed == set()
    assert not removed & {dist.name for dist in desired.dists}


# The project itself, installed editable from its source tree ------------------------------

_PROJECT_URL = "file:///work/myproj"


def _project_dist(digest: str | None = "d1", *, editable: bool = True) -> DesiredDist:
    dist = desired_dist(
        "myproj",
        "0.1.0",
        source=Source(SourceKind.EDITABLE, "."),
        kind=ArtifactKind.SOURCE_TREE,
        editable=editable,
    )
    return attrs.evolve(dist, directory_url=_PROJECT_URL, build_digest=digest)


def _installed_project(
    digest: str | None, *, editable: bool = True, url: str = _PROJECT_URL
) -> InstalledDist:
    return attrs.evolve(
        installed(
            "myproj", "0.1.0", direct_url=DirectUrl(url=url, editable=editable, is_directory=True)
        ),
        build_digest=digest,
    )


def test_diff_editable_project_matching_digest_is_kept() -> None:
    plan = diff(desired_env(_project_dist("d1")), observed(_installed_project("d1")))
    assert plan.is_empty


def test_diff_editable_project_rebuilds_when_build_inputs_change() -> None:
    plan = diff(desired_env(_project_dist("d2")), observed(_installed_project("d1")))
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "build-inputs-changed")]


def test_diff_editable_project_from_elsewhere_is_replaced() -> None:
    plan = diff(
        desired_env(_project_dist("d1")),
        observed(_installed_project("d1", url="file:///elsewhere")),
    )
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "source-differs")]


def test_diff_non_editable_install_of_an_editable_project_is_replaced() -> None:
    plan = diff(
        desired_env(_project_dist("d1")), observed(_installed_project("d1", editable=False))
    )
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "source-differs")]


def test_diff_editable_project_uv_installed_is_kept_while_uvs_record_matches() -> None:
    """uv's own install has no accord build digest: its `uv_cache.json` decides."""
    dist = attrs.evolve(_project_dist("d1"), uv_freshness="tree@1")
    by_uv = attrs.evolve(_installed_project(None), uv_freshness="tree@1")
    assert diff(desired_env(dist), observed(by_uv)).is_empty
    moved = attrs.evolve(by_uv, uv_freshness="tree@0")
    plan = diff(desired_env(dist), observed(moved))
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "build-inputs-changed")]


def test_diff_editable_project_without_any_freshness_record_is_rebuilt() -> None:
    """Neither accord's digest nor uv's record: nothing says the install is current."""
    plan = diff(desired_env(_project_dist("d1")), observed(_installed_project(None)))
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "build-inputs-changed")]


@pytest.mark.parametrize(
    ("recorded", "replaced"),
    [
        pytest.param('{"config_settings":{"a":"1"}}', False, id="same-settings"),
        pytest.param(None, False, id="no-record"),
        pytest.param("{}", True, id="built-without"),
        pytest.param('{"config_settings":{"a":"2"}}', True, id="other-settings"),
    ],
)
def test_diff_install_recording_other_config_settings_is_rebuilt(
    recorded: str | None, replaced: bool
) -> None:
    """uv's rule: a `uv_build.json` that differs from the settings the build would get now
    makes the install out of date; an install without one is not judged by it."""
    dist = attrs.evolve(
        _project_dist("d1"), uv_records=(("uv_build.json", b'{"config_settings":{"a":"1"}}'),)
    )
    found = attrs.evolve(_installed_project("d1"), uv_build=recorded)
    plan = diff(desired_env(dist), observed(found))
    expected = [("replace", "build-settings-changed")] if replaced else []
    assert [(a.kind, a.reason.kind) for a in plan.actions] == expected
