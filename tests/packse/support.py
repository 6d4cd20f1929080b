"""The packse scenario runs shared by tests/packse/conftest.py and the test module."""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from fixtures.packse import Scenario
from fixtures.packse_locks import Comparison, Tools, compare, pick_interpreter

SCENARIO_PARAM = "scenario_name"
"""The parameter name the scenario tests are parametrised by."""


class PackseRuns:
    """The selected scenarios' `Comparison`s, computed on a thread pool started on creation."""

    def __init__(
        self, scenarios: Mapping[str, Scenario], names: list[str], tools: Tools, workdir: Path
    ) -> None:
        self.scenarios = scenarios
        self.tools = tools
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max(2, 2 * (os.cpu_count() or 1)), thread_name_prefix="packse"
        )
        self._futures = {
            name: self._pool.submit(compare, scenarios[name], workdir, tools)
            for name in names
            if pick_interpreter(tools.interpreters, scenarios[name].requires_python) is not None
        }
        self.done: dict[str, Comparison] = {}

    def result(self, name: str) -> Comparison:
        """The scenario's comparison (waiting for it); skips when no interpreter fits it."""
        scenario = self.scenarios[name]
        if name not in self._futures:
            pytest.skip(f"no CPython on this machine satisfies {scenario.requires_python}")
        comparison = self._futures[name].result()
        self.done[name] = comparison
        return comparison

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
