"""`[[tool.uv.dependency-metadata]]`: static metadata used instead of a package's own, against
real uv's lock byte for byte, with uv's staleness.

The index (127.0.0.1) has `dm-a` 1.0 (a wheel requiring `dm-b`), `dm-b` 1.0, `dm-c` 1.0 and
2.0, and `dm-s` 1.0 as an sdist only, whose hatchling backend the index cannot provide: a
resolution that built it would fail, so a lock proves its entry was used instead.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_sdist, build_wheel
from tests.cli.support import Cli, installed


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    root = tmp_path_factory.mktemp("dependency-metadata")
    dists = [
        build_wheel(WheelSpec("dm-a", "1.0", requires_dist=("dm-b",)), root / "dists"),
        build_wheel(WheelSpec("dm-b", "1.0"), root / "dists"),
        build_wheel(WheelSpec("dm-c", "1.0"), root / "dists"),
        build_wheel(WheelSpec("dm-c", "2.0"), root / "dists"),
        build_sdist(WheelSpec("dm-s", "1.0", requires_dist=("dm-b",)), root / "dists"),
    ]
    with IndexServer(build_index(dists, root / "index")) as server:
        yield server


@pytest.fixture
def dcli(cli: Cli, index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=index.url)


ENTRIES = """
[[tool.uv.dependency-metadata]]
name = "DM_S"
requires-dist = [
    "dm-c >= 1.0, <3; sys_platform == 'linux' and python_version >= '3.9'",
    "Dm_B[Z,y]",
]
requires-python = ">= 3.8, <4"
provides-extras = ["Foo_Bar", "a"]

[[tool.uv.dependency-metadata]]
name = "dm-a"
version = "1.0"
requires-dist = ["dm-c<2", "dm-b"]

[[tool.uv.dependency-metadata]]
name = "dm-a"
version = "2.0"
"""

RECORDED = (
    "[[manifest.dependency-metadata]]\n"
    'name = "dm-a"\n'
    'version = "1.0"\n'
    'requires-dist = ["dm-c<2", "dm-b"]\n'
    "\n"
    "[[manifest.dependency-metadata]]\n"
    'name = "dm-a"\n'
    'version = "2.0"\n'
    "\n"
    "[[manifest.dependency-metadata]]\n"
    'name = "dm-s"\n'
    "requires-dist = [\"dm-c>=1.0,<3 ; python_full_version >= '3.9' and sys_platform == 'linux'\""
    ', "dm-b[z,y]"]\n'
    'requires-python = ">=3.8, <4"\n'
    'provides-extras = ["foo-bar", "a"]\n'
)


def _project(tmp_path: Path, who: str, dependencies: str, entries: str = ENTRIES) -> Path:
    project = tmp_path / who
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n" + entries,
        encoding="utf-8",
    )
    return project


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, pinned=True)


def test_dependency_metadata_locks_as_uv_does(dcli: Cli, tmp_path: Path) -> None:
    theirs = _project(tmp_path, "uv", '"dm-a", "dm-s"')
    ours = _project(tmp_path, "accord", '"dm-a", "dm-s"')
    uv = dcli.uv(theirs, "lock", settings=True)
    assert uv.returncode == 0, uv.stderr
    result = _accord(dcli, ours, "lock")
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    # recorded after the top-level keys, as a set in uv's order and spelling
    assert f'requires-python = ">=3.10"\n\n{RECORDED}\n[[package]]' in lock
    # dm-a's own metadata (dm-b) replaced; dm-s resolved without building it
    assert '{ name = "dm-c", marker = "sys_platform == \'linux\'" }' in lock
    assert 'name = "dm-c"\nversion = "1.0"' in lock
    assert "warning: The package `dm-b==1.0` does not have an extra named `y`" in result.stderr
    assert dcli.uv(ours, "lock", "--check", settings=True).returncode == 0


def test_dependency_metadata_sync_installs_what_it_names(dcli: Cli, tmp_path: Path) -> None:
    ours = _project(tmp_path, "accord", '"dm-a"')
    result = _accord(dcli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"dm-a": "1.0", "dm-b": "1.0", "dm-c": "1.0"}


def test_dependency_metadata_staleness_as_uv(dcli: Cli, tmp_path: Path) -> None:
    ours = _project(tmp_path, "accord", '"dm-a"')
    assert dcli.uv(ours, "lock", settings=True).returncode == 0
    assert _accord(dcli, ours, "lock", "--check").returncode == 0
    pyproject = ours / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    # another spelling of the same entries: still current for both
    pyproject.write_text(text.replace('"dm-c<2", "dm-b"', '"DM-C < 2", "dm_b"'), "utf-8")
    assert dcli.uv(ours, "lock", "--check", settings=True).returncode == 0
    assert _accord(dcli, ours, "lock", "--check").returncode == 0
    # an entry changed (even one no package uses): out of date for both
    pyproject.write_text(text.replace('version = "2.0"', 'version = "3.0"'), "utf-8")
    assert dcli.uv(ours, "lock", "--check", settings=True).returncode == 1
    result = _accord(dcli, ours, "lock", "--check")
    assert result.returncode == 1
    assert "`tool.uv.dependency-metadata` changed" in result.stderr
    # without entries, dm-a's own metadata again
    pyproject.write_text(text.split("\n[[tool.uv.dependency-metadata]]")[0] + "\n", "utf-8")
    assert _accord(dcli, ours, "lock").returncode == 0
    lock = (ours / "uv.lock").read_text("utf-8")
    assert "dependency-metadata" not in lock and 'name = "dm-c"' not in lock
    assert dcli.uv(ours, "lock", "--check", settings=True).returncode == 0


def test_dependency_metadata_for_a_local_package_is_refused(dcli: Cli, tmp_path: Path) -> None:
    entry = '\n[[tool.uv.dependency-metadata]]\nname = "proj"\nversion = "0.1.0"\n'
    ours = _project(tmp_path, "accord", '"dm-a"', entry)
    result = _accord(dcli, ours, "lock")
    assert result.returncode == 2, result.stderr
    assert (
        "error: `tool.uv.dependency-metadata` has an entry for `proj`, which is a workspace "
        "member or comes from a path, git or URL source; accord does not support that yet"
    ) in result.stderr
    assert not (ours / "uv.lock").exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param('version = "1.0"', "`name` must be a package name", id="no-name"),
        pytest.param(
            'name = "dm-a"\nrequires-dist = "dm-b"', "`requires-dist` must be", id="not-list"
        ),
        pytest.param('name = "dm-a"\nrequires = []', "unknown field `requires`", id="unknown"),
    ],
)
def test_dependency_metadata_invalid_entry(
    dcli: Cli, tmp_path: Path, entry: str, message: str
) -> None:
    ours = _project(tmp_path, "accord", '"dm-a"', f"\n[[tool.uv.dependency-metadata]]\n{entry}\n")
    result = _accord(dcli, ours, "lock")
    assert result.returncode == 2, result.stderr
    assert f"`tool.uv.dependency-metadata[0]`: {message}" in result.stderr
    assert not (ours / "uv.lock").exists()
