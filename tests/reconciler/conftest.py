"""Fixtures for stage-level tests: a real venv path and a private cache per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.reconciler.interpreters.find import query_interpreter
from tests.reconciler.envs import Env


@pytest.fixture
def env(tmp_path: Path, base_python: Path) -> Env:
    """A project directory's `.venv` (not created yet), its own cache, the base interpreter."""
    return Env(
        venv=tmp_path / "proj" / ".venv",
        cache=tmp_path / "cache",
        interpreter=query_interpreter(base_python),
        wheels=tmp_path / "wheels",
    )
