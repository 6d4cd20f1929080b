"""Fixtures for the CLI layer: the real `accord` console script pointed at the session index."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fixtures.index import IndexServer
from tests.cli.support import Cli


@pytest.fixture(scope="session")
def accord_bin() -> Path:
    """The `accord` console script installed next to the running interpreter."""
    path = Path(sys.executable).parent / "accord"
    if not path.is_file():
        pytest.fail(f"accord is not installed next to {sys.executable}")
    return path


@pytest.fixture
def cli(
    accord_bin: Path, base_python: Path, index: IndexServer, uv_bin: Path, uv_cache: Path
) -> Cli:
    return Cli(
        accord=accord_bin,
        python=base_python,
        index_url=index.url,
        uv_bin=uv_bin,
        uv_cache=uv_cache,
    )
