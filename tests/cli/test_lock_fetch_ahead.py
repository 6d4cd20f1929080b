"""A lock fetches pages and metadata ahead, several at once, when it waits on the network, and
still does when only part of what it needs is cached; from a warm cache it asks nothing.

The index answers every request after a pause (as over a network) and counts how many it was
answering at once: a resolver reading one page after the other never has two in flight.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, clean_environment

LEAVES = [f"leaf-{n}" for n in range(1, 7)]


@pytest.fixture(scope="module")
def slow_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = tmp_path_factory.mktemp("fetch-ahead-dists")
    build_wheel(WheelSpec("hub", "1.0", requires_dist=tuple(LEAVES)), dists)
    for leaf in LEAVES:
        build_wheel(WheelSpec(leaf, "1.0"), dists)
    index = build_index(sorted(dists.iterdir()), tmp_path_factory.mktemp("fetch-ahead-index"))
    with IndexServer(index, latency=0.1) as server:
        yield server


def _lock(cli: Cli, project: Path, index: IndexServer, cache: Path) -> str:
    (project / "uv.lock").unlink(missing_ok=True)
    index.reset_requests()
    result = subprocess.run(
        [str(cli.accord), "lock"],
        cwd=project,
        env=clean_environment({"ACCORD_INDEX_URL": index.url, "ACCORD_CACHE_DIR": str(cache)}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return (project / "uv.lock").read_text()


def test_a_lock_fetches_ahead_only_while_it_waits_on_the_network(
    cli: Cli, slow_index: IndexServer, tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["hub"]\n'
    )
    cache = tmp_path / "cache"

    cold = _lock(cli, project, slow_index, cache)
    assert all(f'name = "{leaf}"' in cold for leaf in LEAVES)
    assert slow_index.most_in_flight > 1  # the leaves' pages and metadata, together

    assert _lock(cli, project, slow_index, cache) == cold
    assert sum(slow_index.requests.values()) == 0  # every page fresh, every metadata kept

    # The root's page is fresh, its dependencies' pages are gone: the resolver starts on the
    # cache alone, and fetches ahead from the first request it has to make.
    for leaf in LEAVES:
        url = f"{slow_index.url}{leaf}/"
        (cache / "http" / f"{hashlib.sha256(url.encode()).hexdigest()}.page").unlink()
    assert _lock(cli, project, slow_index, cache) == cold
    assert sum(slow_index.requests.values()) == len(LEAVES)
    assert slow_index.most_in_flight > 1
