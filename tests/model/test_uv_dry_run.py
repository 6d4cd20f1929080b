"""`accord sync --dry-run`/`--check` told in uv 0.13.8's words (model.uv_dry_run)."""

from __future__ import annotations

import attrs

from accord.model.desired import DesiredDist
from accord.model.observed import DirectUrl, EnvironmentState
from accord.model.plan import KeepLock, Plan, diff
from accord.model.uv_dry_run import environment_outdated, render_uv_dry_run
from tests.model.factories import desired_dist, desired_env, installed, lock, observed


def _render(plan: Plan, *, lock_fixed: bool = False, lock_exists: bool = True) -> str:
    return render_uv_dry_run(
        plan,
        venv=".venv",
        lock_path="uv.lock",
        lock_exists=lock_exists,
        lock_fixed=lock_fixed,
        resolved="Resolved 3 packages in 1ms\n",
        checked="0.05ms",
    )


def test_render_uv_dry_run_new_environment_and_lock() -> None:
    from accord.model.plan import WriteLock

    desired = desired_env(desired_dist("a"), desired_dist("b", "2.0"))
    plan = attrs.evolve(
        diff(desired, observed(state=EnvironmentState.MISSING)),
        lock=WriteLock(reason="missing", lock=lock()),
    )
    assert _render(plan, lock_exists=False) == (
        f"Using CPython 3.11.7 interpreter at: {desired.interpreter.executable}\n"
        "Would create project environment at: .venv\n"
        "Resolved 3 packages in 1ms\n"
        "Would create lockfile at: uv.lock\n"
        "Would install 2 packages\n"
        " + a==1.0\n"
        " + b==2.0\n"
    )
    assert environment_outdated(plan)


def test_render_uv_dry_run_replacement_lists_the_old_version_first() -> None:
    desired = desired_env(desired_dist("a", "2.0"), exact=True)
    plan = attrs.evolve(
        diff(desired, observed(installed("a", "1.0"), installed("z"))),
        lock=KeepLock("up to date"),
    )
    assert _render(plan) == (
        "Would use project environment at: .venv\n"
        "Resolved 3 packages in 1ms\n"
        "Found up-to-date lockfile at: uv.lock\n"
        "Would uninstall 2 packages\n"
        "Would install 1 package\n"
        " - a==1.0\n"
        " + a==2.0\n"
        " - z==1.0\n"
    )


def test_render_uv_dry_run_nothing_to_do_under_frozen() -> None:
    desired = desired_env(desired_dist("a"))
    plan = attrs.evolve(
        diff(desired, observed(installed("a"))), lock=KeepLock("--frozen: used as it is")
    )
    assert _render(plan, lock_fixed=True) == (
        "Would use project environment at: .venv\n"
        "Resolved 3 packages in 1ms\n"
        "Checked 1 package in 0.05ms\n"
        "Would make no changes\n"
    )
    assert not environment_outdated(plan)


def test_render_uv_dry_run_nothing_to_check_reads_checked_in() -> None:
    # uv 0.13.8: `Checked in 0.05ms`, with no count, when the environment holds no package.
    plan = attrs.evolve(diff(desired_env(), observed()), lock=KeepLock("up to date"))
    assert _render(plan).splitlines()[-2:] == ["Checked in 0.05ms", "Would make no changes"]


WHEEL_URL = "http://127.0.0.1:8000/files/dep_b-1.0-py3-none-any.whl"
SDIST_URL = "http://127.0.0.1:8000/files/pkg-1.1.tar.gz"
LOCAL = "file:///work/dists/dep_c-1.0-py3-none-any.whl"


def _archives() -> list[DesiredDist]:
    """A wheel and an sdist by URL (the sdist from a subdirectory), a wheel by path."""
    from accord.model.lock import Artifact, Source, SourceKind

    by_path = desired_dist("dep-c", source=Source(SourceKind.PATH, "../dists/dep_c.whl"))
    return [
        desired_dist("dep-b", source=Source(SourceKind.URL, WHEEL_URL)),
        desired_dist("pkg", "1.1", source=Source(SourceKind.URL, SDIST_URL, "inner")),
        attrs.evolve(by_path, artifact=Artifact(url=LOCAL)),
    ]


def test_render_uv_dry_run_names_an_archive_by_its_url_until_it_is_in_the_cache() -> None:
    # As uv 0.13.8 lists them: one it would download as `name @ URL`, one in the cache as
    # `name==version (from URL)`.
    desired = desired_env(*_archives())
    plan = attrs.evolve(diff(desired, observed()), lock=KeepLock("up to date"))
    text = render_uv_dry_run(
        plan,
        venv=".venv",
        lock_path="uv.lock",
        lock_exists=True,
        lock_fixed=False,
        resolved=None,
        checked="0.05ms",
        remote=frozenset({"dep-b", "pkg"}),
    )
    assert text.splitlines()[-3:] == [
        f" + dep-b @ {WHEEL_URL}",
        f" + dep-c==1.0 (from {LOCAL})",
        f" + pkg @ {SDIST_URL}#subdirectory=inner",
    ]


def test_render_uv_dry_run_removes_an_archive_by_the_url_it_was_installed_from() -> None:
    gone = installed("dep-b", direct_url=DirectUrl(url=WHEEL_URL))
    plan = attrs.evolve(diff(desired_env(exact=True), observed(gone)), lock=KeepLock("ok"))
    assert _render(plan).splitlines()[-1] == f" - dep-b==1.0 (from {WHEEL_URL})"
