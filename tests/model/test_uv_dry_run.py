"""`accord sync --dry-run`/`--check` told in uv 0.13.8's words (model.uv_dry_run)."""

from __future__ import annotations

import attrs

from accord.model.observed import EnvironmentState
from accord.model.plan import KeepLock, Plan, diff
from accord.model.uv_dry_run import environment_outdated, render_uv_dry_run
from tests.model.factories import desired_dist, desired_env, installed, lock, observed


def _render(plan: Plan, *, frozen: bool = False, lock_exists: bool = True) -> str:
    return render_uv_dry_run(
        plan,
        venv=".venv",
        lock_path="uv.lock",
        lock_exists=lock_exists,
        frozen=frozen,
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
    assert _render(plan, frozen=True) == (
        "Would use project environment at: .venv\n"
        "Resolved 3 packages in 1ms\n"
        "Checked 1 package in 0.05ms\n"
        "Would make no changes\n"
    )
    assert not environment_outdated(plan)
