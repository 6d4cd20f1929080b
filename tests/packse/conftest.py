"""Fixtures for the packse scenarios: one index of every scenario, served for the session, and
the scenarios' uv and accord locks, run together on a thread pool the first time a test asks.

Locking all selected scenarios at once (two subprocesses per scenario, a few at a time)
keeps the run short on a small machine; each test then waits for its own scenario only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.backends import wheels_in
from fixtures.index import IndexServer
from fixtures.packse import (
    SKIP_REASON,
    Scenario,
    build_packse_index,
    load_scenarios,
    sdist_from_environment,
)
from fixtures.packse_locks import Comparison, Tools, find_interpreters, format_totals
from tests.packse.support import SCENARIO_PARAM, PackseRuns

_RESULTS = pytest.StashKey[dict[str, Comparison]]()


@pytest.fixture(scope="session")
def packse_scenarios() -> dict[str, Scenario]:
    """Every scenario in the packse sdist, by name (fails, naming the fix, when the sdist is
    missing: a silent skip hid every scenario of a plain `pytest` run)."""
    sdist = sdist_from_environment()
    if sdist is None:
        pytest.fail(SKIP_REASON, pytrace=False)
    return {scenario.name: scenario for scenario in load_scenarios(sdist)}


@pytest.fixture(scope="session")
def packse_index(
    packse_scenarios: dict[str, Scenario], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IndexServer]:
    """Every scenario's distributions (plus the build-backend wheels next to the sdist, for
    sdist-only packages) in one index, served on 127.0.0.1 for the session."""
    from fixtures.backends import ENV_VAR

    root = tmp_path_factory.mktemp("packse")
    backends = wheels_in(Path(os.environ[ENV_VAR]))
    simple = build_packse_index(packse_scenarios.values(), root, extra_dists=backends)
    with IndexServer(simple) as server:
        yield server


@pytest.fixture(scope="session")
def packse_runs(
    request: pytest.FixtureRequest,
    packse_scenarios: dict[str, Scenario],
    packse_index: IndexServer,
    uv_bin: Path,
    base_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PackseRuns]:
    """The locks of every scenario this session selected, started together."""
    accord = Path(sys.executable).parent / "accord"
    if not accord.is_file():
        pytest.fail(f"accord is not installed next to {sys.executable}")
    names = [
        str(item.callspec.params[SCENARIO_PARAM])
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and hasattr(item, "callspec")
        and item.callspec.params.get(SCENARIO_PARAM) in packse_scenarios
    ]
    tools = Tools(
        uv=uv_bin,
        accord=accord,
        index_url=packse_index.url,
        uv_cache=tmp_path_factory.mktemp("packse-uv-cache"),
        accord_cache=tmp_path_factory.mktemp("packse-accord-cache"),
        config_home=tmp_path_factory.mktemp("packse-config"),
        interpreters=tuple(find_interpreters(base_python)),
    )
    runs = PackseRuns(packse_scenarios, names, tools, tmp_path_factory.mktemp("packse-runs"))
    request.config.stash[_RESULTS] = runs.done
    try:
        yield runs
    finally:
        runs.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The packse totals of the scenarios this session ran."""
    done = terminalreporter.config.stash.get(_RESULTS, None)
    if done:
        terminalreporter.write_sep("-", "packse scenarios")
        terminalreporter.write_line(format_totals(list(done.values())))
