"""`find-links` (`tool.uv.find-links`, `--find-links`/`-f`, `UV_FIND_LINKS`): accord's lock
against real uv's, byte for byte, then the sync and the staleness check.

The index (127.0.0.1) has `fl-a 1.5`, `fl-b 2.0` and `fl-c 1.0`; a find-links directory has
`fl-a 1.0` and `2.0` (2.0 with an sdist) and `fl-b 1.0`; another has `fl-b 2.0` (a wheel and
an sdist, the version the index has too) and a Windows-only `fl-c 1.0`. uv merges flat files
into each project's versions, and a version both have comes from the flat source.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_sdist, build_wheel
from tests.cli.support import Cli, after_interpreter, installed, write_project


@dataclasses.dataclass(frozen=True)
class Sources:
    server: IndexServer
    flat: Path
    """fl-a 1.0, 2.0 (and its sdist), fl-b 1.0."""
    both: Path
    """fl-b 2.0 (wheel and sdist), fl-c 1.0 for Windows only."""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sources]:
    root = tmp_path_factory.mktemp("find-links")
    flat, both, dists = root / "flat", root / "both", root / "dists"
    build_wheel(WheelSpec("fl-a", "1.0", requires_dist=("fl-b",)), flat)
    build_wheel(WheelSpec("fl-a", "2.0", requires_dist=("fl-b",)), flat)
    build_sdist(WheelSpec("fl-a", "2.0", requires_dist=("fl-b",)), flat)
    build_wheel(WheelSpec("fl-b", "1.0"), flat)
    (flat / "README.txt").write_text("not a distribution\n", encoding="utf-8")
    (flat / "sub").mkdir()
    build_wheel(WheelSpec("fl-b", "2.0", files={"fl_b/__init__.py": "flat = True\n"}), both)
    build_sdist(WheelSpec("fl-b", "2.0"), both)
    build_wheel(WheelSpec("fl-c", "1.0", tag="py3-none-win_amd64"), both)
    wheels = [
        build_wheel(WheelSpec("fl-a", "1.5", requires_dist=("fl-b",)), dists),
        build_wheel(WheelSpec("fl-b", "2.0"), dists),
        build_wheel(WheelSpec("fl-c", "1.0"), dists),
    ]
    with IndexServer(build_index(wheels, root / "index")) as server:
        yield Sources(server, flat, both)


@pytest.fixture
def fcli(cli: Cli, sources: Sources) -> Cli:
    return dataclasses.replace(cli, index_url=sources.server.url)


def _pyproject(dependencies: str, settings: str = "") -> str:
    text = (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n"
    )
    return text + (f"\n[tool.uv]\n{settings}\n" if settings else "")


def _accord(
    cli: Cli, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return cli.invoke(cwd, *args, env=env, pinned=True)


def _lock_both(cli: Cli, tmp_path: Path, text: str, *args: str) -> tuple[Path, str, str]:
    theirs = write_project(tmp_path, "uv", text)
    result = cli.uv(theirs, "lock", *args, settings=True)
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = _accord(cli, ours, "lock", *args)
    assert result.returncode == 0, result.stderr
    assert "find-links" not in result.stderr  # honoured: neither refused nor warned about
    check = cli.uv(ours, "lock", "--check", *args, settings=True)
    assert check.returncode == 0, check.stderr
    mine, uvs = (ours / "uv.lock").read_text("utf-8"), (theirs / "uv.lock").read_text("utf-8")
    return ours, uvs, mine


def _package(lock: str, name: str) -> str:
    return lock.split(f'[[package]]\nname = "{name}"\n', 1)[1].split("\n\n", 1)[0]


def test_find_links_directory_relative_locks_as_uv_does(
    fcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    relative = os.path.relpath(sources.flat, tmp_path / "uv" / "proj")
    # The lock names the directory relative to the project, whatever the spelling.
    text = _pyproject('"fl-a", "fl-c"', f'find-links = ["{relative}/"]')
    ours, theirs, mine = _lock_both(fcli, tmp_path, text)
    assert mine == theirs
    fl_a = _package(mine, "fl-a")
    assert 'version = "2.0"' in fl_a
    assert 'sdist = { path = "fl_a-2.0.tar.gz" }' in fl_a
    assert '{ path = "fl_a-2.0-py3-none-any.whl" },' in fl_a
    assert f'registry = "{fcli.index_url}"' in _package(mine, "fl-b")  # 2.0 beats flat 1.0

    result = _accord(fcli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"fl-a": "2.0", "fl-b": "2.0", "fl-c": "1.0"}
    assert fcli.uv(ours, "sync", "--locked", "--dry-run", settings=True).returncode == 0


def test_find_links_directory_absolute_and_version_both_have(
    fcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    text = _pyproject('"fl-b", "fl-c"', f'find-links = ["{sources.both}"]')
    _, theirs, mine = _lock_both(fcli, tmp_path, text)
    assert mine == theirs
    fl_b = _package(mine, "fl-b")
    assert f'source = {{ registry = "{sources.both}" }}' in fl_b
    assert f'sdist = {{ path = "{sources.both}/fl_b-2.0.tar.gz" }}' in fl_b
    assert f'registry = "{sources.both}"' in _package(mine, "fl-c")


def test_find_links_files_are_not_held_back_by_exclude_newer(
    fcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    text = _pyproject('"fl-a"', f'find-links = ["{sources.flat}"]\nexclude-newer = "2023-01-01"')
    _, theirs, mine = _lock_both(fcli, tmp_path, text)
    assert mine == theirs
    assert 'version = "1.0"' in _package(mine, "fl-b")  # the index's 2.0 is too new


def test_find_links_page_url_with_no_index(fcli: Cli, tmp_path: Path) -> None:
    page = fcli.index_url.rstrip("/") + "/fl-c/"
    _, theirs, mine = _lock_both(
        fcli, tmp_path, _pyproject('"fl-c"'), "--no-index", "--find-links", page
    )
    assert mine == theirs
    assert f'source = {{ registry = "{page}" }}' in mine
    assert "hash = " in _package(mine, "fl-c")


@pytest.mark.parametrize("spelling", ["-f", "UV_FIND_LINKS"])
def test_find_links_from_the_command_line_are_relative_to_the_working_directory(
    fcli: Cli, sources: Sources, tmp_path: Path, spelling: str
) -> None:
    text = _pyproject('"fl-a"')
    theirs, ours = write_project(tmp_path, "uv", text), write_project(tmp_path, "accord", text)
    (theirs / "sub").mkdir()
    (ours / "sub").mkdir()
    relative = os.path.relpath(sources.flat, ours / "sub")
    uv = fcli.uv(theirs / "sub", "lock", "-f", relative, settings=True)
    assert uv.returncode == 0, uv.stderr
    if spelling == "-f":
        result = _accord(fcli, ours / "sub", "lock", "-f", relative)
    else:
        result = _accord(fcli, ours / "sub", "lock", env={"UV_FIND_LINKS": relative})
    assert result.returncode == 0, result.stderr
    mine = (ours / "uv.lock").read_text("utf-8")
    assert mine == (theirs / "uv.lock").read_text("utf-8")
    # given relative to the working directory, recorded relative to the project
    assert f'registry = "{os.path.relpath(sources.flat, ours)}"' in _package(mine, "fl-a")


def test_find_links_removed_makes_the_lock_stale(
    fcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    ours = write_project(
        tmp_path, "accord", _pyproject('"fl-a"', f'find-links = ["{sources.flat}"]')
    )
    assert _accord(fcli, ours, "lock").returncode == 0
    assert _accord(fcli, ours, "lock", "--check").returncode == 0
    (ours / "pyproject.toml").write_text(_pyproject('"fl-a"'), encoding="utf-8")
    result = _accord(fcli, ours, "lock", "--check")
    assert fcli.uv(ours, "lock", "--check", settings=True).returncode == 1
    assert result.returncode == 1
    assert "`fl-a` comes from an index that is no longer configured" in result.stderr


def test_find_links_directory_missing_is_an_error(fcli: Cli, tmp_path: Path) -> None:
    text = _pyproject('"fl-a"', 'find-links = ["missing"]')
    theirs, ours = write_project(tmp_path, "uv", text), write_project(tmp_path, "accord", text)
    uv = fcli.uv(theirs, "lock", settings=True)
    result = _accord(fcli, ours, "lock")
    assert (uv.returncode, result.returncode) == (2, 2)
    error = (
        "error: Failed to read `--find-links` directory: {}\n"
        "  cause: No such file or directory (os error 2)\n"
    )
    assert uv.stderr.endswith(error.format(theirs / "missing"))
    assert after_interpreter(result.stderr) == error.format(ours / "missing")  # uv's order
    assert not (ours / "uv.lock").exists()
