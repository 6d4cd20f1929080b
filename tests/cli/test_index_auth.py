"""An index that requires HTTP Basic auth, with the login in the index URL: accord and uv 0.13.8.

The fixture index is served on 127.0.0.1 behind a login. `accord lock` must log in, write the
same uv.lock as `uv lock` (no login in it), and leave the token nowhere: not in the project,
not in accord's cache, not in its output.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures import MakeProject
from fixtures.index import IndexServer
from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment

TOKEN = "s3cr3t-T0KEN-4c2f"


@pytest.fixture(scope="module")
def locked_index(index_dir: Path) -> Iterator[IndexServer]:
    with IndexServer(index_dir, auth=("alice", TOKEN)) as server:
        yield server


def _login_url(server: IndexServer, password: str = TOKEN) -> str:
    return server.url.replace("http://", f"http://alice:{password}@", 1)


def _grep(root: Path, needle: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if needle in str(path) or (path.is_file() and needle.encode() in path.read_bytes()):
            found.append(path)
    return found


def _accord(
    cli: Cli, project: Path, cache: Path, index_url: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = clean_environment({"ACCORD_INDEX_URL": index_url, "ACCORD_CACHE_DIR": str(cache)})
    return subprocess.run(
        [str(cli.accord), *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_lock_against_a_login_index_matches_uv_and_keeps_the_token_secret(
    cli: Cli, make_project: MakeProject, locked_index: IndexServer, tmp_path: Path
) -> None:
    project = make_project("minimal", lock=False)
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "pyproject.toml").write_bytes((project / "pyproject.toml").read_bytes())
    cache = tmp_path / "accord-cache"

    accord = _accord(
        cli, project, cache, _login_url(locked_index), "lock", "--python", str(cli.python)
    )
    uv = subprocess.run(
        [str(cli.uv_bin), "lock"],
        cwd=twin,
        env=uv_environment(
            _login_url(locked_index), cache_dir=tmp_path / "uv-cache", python=cli.python
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert uv.returncode == 0, uv.stderr
    assert accord.returncode == 0, accord.stderr
    assert (project / "uv.lock").read_text() == (twin / "uv.lock").read_text()
    assert f'registry = "{locked_index.url}"' in (project / "uv.lock").read_text()
    assert TOKEN not in accord.stdout + accord.stderr
    assert _grep(project, TOKEN) == [] and _grep(cache, TOKEN) == []
    assert _grep(project, "alice") == [] and _grep(cache, "alice") == []


def test_a_wrong_login_is_refused_and_never_shown(
    cli: Cli, make_project: MakeProject, locked_index: IndexServer, tmp_path: Path
) -> None:
    project = make_project("minimal", lock=False)
    wrong = "WR0NG-" + TOKEN
    result = _accord(
        cli,
        project,
        tmp_path / "cache",
        _login_url(locked_index, wrong),
        "lock",
        "--python",
        str(cli.python),
    )
    assert result.returncode != 0
    assert wrong not in result.stdout + result.stderr
    assert "alice:****@" in result.stderr or "401" in result.stderr, result.stderr
    assert not (project / "uv.lock").exists()


def test_sync_downloads_from_a_login_index_and_keeps_the_token_secret(
    cli: Cli, make_project: MakeProject, locked_index: IndexServer, tmp_path: Path
) -> None:
    """The wheels behind the login are downloaded with it too: `accord sync` installs."""
    project = make_project("minimal", lock=False)
    cache = tmp_path / "accord-cache"
    result = _accord(
        cli, project, cache, _login_url(locked_index), "sync", "--python", str(cli.python)
    )
    assert result.returncode == 0, result.stderr
    assert list((project / ".venv").glob("lib/python*/site-packages/*.dist-info"))
    assert TOKEN not in result.stdout + result.stderr
    assert _grep(project, TOKEN) == [] and _grep(cache, TOKEN) == []
