"""The attrs methods compiled once and kept (reconciler/method_cache.py), in real processes: a
second process compiles nothing, under another hash seed its classes hash as attrs's own do, a
damaged file is compiled around, and PYTHONDONTWRITEBYTECODE writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.support import clean_environment

# Two classes with generated ``__hash__`` (one caching it), an ``__init__`` with a default, a
# ``__repr__`` and an ``__eq__``: what the process reports is compared with attrs compiling.
_PROBE = """
import json, sys
cached = sys.argv[1] == "cached"
if cached:
    from accord.reconciler import method_cache
    method_cache.install()
import attrs

@attrs.frozen
class Point:
    x: int
    label: str = "origin"

@attrs.define(frozen=True, cache_hash=True)
class Box:
    size: int

point, box = Point(-3), Box(7)
print(json.dumps({
    "hashes": [hash(point), hash(box), hash(Point(-3)) == hash(point)],
    "repr": repr(point),
    "eq": [point == Point(-3), point != Point(4), box == Box(7)],
    "compiled": len(method_cache._cache.fresh) if cached else None,
}))
"""


def _probe(prefix: Path, *, seed: int, cached: bool, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "cached" if cached else "plain"],
        env=clean_environment(
            {"PYTHONPYCACHEPREFIX": str(prefix), "PYTHONHASHSEED": str(seed), **(env or {})}
        ),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report: dict = json.loads(result.stdout)
    return report


def _cache_files(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("method_cache.*.attrs-methods"))


def _same_classes(report: dict, plain: dict) -> None:
    assert {key: report[key] for key in ("hashes", "repr", "eq")} == {
        key: plain[key] for key in ("hashes", "repr", "eq")
    }


def test_a_second_process_compiles_nothing_and_hashes_as_attrs_under_another_seed(
    tmp_path: Path,
) -> None:
    first = _probe(tmp_path, seed=1, cached=True)
    assert first["compiled"] == 2
    _same_classes(first, _probe(tmp_path, seed=1, cached=False))
    [written] = _cache_files(tmp_path)
    stamp = written.stat().st_mtime_ns

    for seed in (1, 2, 3):
        again = _probe(tmp_path, seed=seed, cached=True)
        assert again["compiled"] == 0
        _same_classes(again, _probe(tmp_path, seed=seed, cached=False))
    assert written.stat().st_mtime_ns == stamp  # nothing new: nothing written


def test_a_damaged_file_is_compiled_around_and_replaced(tmp_path: Path) -> None:
    _probe(tmp_path, seed=1, cached=True)
    [written] = _cache_files(tmp_path)
    good = written.read_bytes()

    for damage in (b"", good[:40], good[:-200], b"not a cache at all"):
        written.write_bytes(damage)
        report = _probe(tmp_path, seed=5, cached=True)
        assert report["compiled"] == 2
        _same_classes(report, _probe(tmp_path, seed=5, cached=False))
        assert _probe(tmp_path, seed=6, cached=True)["compiled"] == 0  # rewritten whole


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    report = _probe(tmp_path, seed=1, cached=True, env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert report["compiled"] == 2
    assert _cache_files(tmp_path) == []
    assert list(tmp_path.rglob("*.tmp")) == []
