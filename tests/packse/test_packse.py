"""packse's resolver scenarios, locked by the real uv and by accord side by side.

One test per scenario (fixtures/packse.py reads them from the packse sdist that
``python -m fixtures.backends download DIR`` fetches; without it every test skips). Each
scenario's project is locked by ``uv lock`` and by ``accord lock`` against one local index;
the test asserts that accord's verdict is uv's (both lock, or both fail) and, when both lock,
that the locked (name, version) sets are equal. Whether the two lock files are byte-identical,
and whether each tool meets packse's own expectation, is recorded as test properties (and
summed up at the end of the run).

`XFAIL` lists the scenarios where accord differs from uv today. They are strict: a scenario
that starts agreeing turns red until its entry is removed, which is how progress is tracked.
``python -m fixtures.packse report DIR`` prints the same comparison on demand.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.packse import SKIP_REASON, load_scenarios, sdist_from_environment
from tests.packse.support import SCENARIO_PARAM, PackseRuns

XFAIL: dict[str, str] = {}
"""Scenario name → why accord differs from uv today (strict xfail)."""

_SDIST = sdist_from_environment()
SCENARIO_NAMES: list[str] = [s.name for s in load_scenarios(_SDIST)] if _SDIST else []


def _params() -> list[object]:
    if not SCENARIO_NAMES:
        return [pytest.param("", id="packse-sdist-missing", marks=pytest.mark.skip(SKIP_REASON))]
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else [],
        )
        for name in SCENARIO_NAMES
    ]


@pytest.mark.parametrize(SCENARIO_PARAM, _params())
def test_packse_accord_locks_like_uv(
    scenario_name: str, packse_runs: PackseRuns, record_property: Callable[[str, object], None]
) -> None:
    comparison = packse_runs.result(scenario_name)
    record_property("uv_verdict", comparison.uv.verdict)
    record_property("accord_verdict", comparison.accord.verdict)
    record_property("locks_identical", comparison.locks_identical)
    record_property("uv_passes_packse", comparison.uv_passes)
    record_property("accord_passes_packse", comparison.accord_passes)
    assert comparison.accord.ok == comparison.uv.ok, comparison.describe()
    assert comparison.accord.packages == comparison.uv.packages, comparison.describe()


@pytest.mark.skipif(not SCENARIO_NAMES, reason=SKIP_REASON)
def test_packse_xfail_table_names_only_real_scenarios() -> None:
    assert sorted(set(XFAIL) - set(SCENARIO_NAMES)) == []
