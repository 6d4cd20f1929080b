"""Tests of the fork package set (fixtures.fork_catalog)."""

from __future__ import annotations

from pathlib import Path

from fixtures.catalog import catalog
from fixtures.fork_catalog import build_fork_catalog, fork_catalog


def test_fork_catalog_names_are_its_own() -> None:
    names = {spec.name for spec in fork_catalog()}
    assert all(name.startswith("fk-") for name in names)
    assert not names & {spec.name for spec in catalog()}


def test_build_fork_catalog_is_reproducible_and_names_every_file_once(tmp_path: Path) -> None:
    first = build_fork_catalog(tmp_path / "one")
    second = build_fork_catalog(tmp_path / "two")
    names = [p.name for p in first]
    assert len(names) == len(set(names)) == len(fork_catalog())
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
