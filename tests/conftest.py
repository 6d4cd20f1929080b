"""Shared pytest fixtures: the catalog's wheels, a local index on 127.0.0.1, sample projects."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR, MakeProject
from fixtures.backends import add_backends, backends_dir
from fixtures.catalog import YANKED, build_catalog
from fixtures.index import IndexServer, build_index
from fixtures.uvlock import uv_lock

MISSING_BACKENDS = (
    "this test needs the real build-backend wheels, and $ACCORD_FIXTURE_BACKENDS does not name "
    "a directory holding them; run `python -m fixtures.backends download .ci-wheels` and "
    "`export ACCORD_FIXTURE_BACKENDS=$PWD/.ci-wheels` (as .ci/run does)"
)


def pytest_configure(config: pytest.Config) -> None:
    # uv wraps its error messages at $COLUMNS; pytest-xdist's workers inherit the terminal's
    # size in COLUMNS and LINES, and the side-by-side tests compare uv's lines unwrapped.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    # The warm server is on by default; every accord the tests start runs in its own process
    # unless asked (`ACCORD_WARM=1 pytest`, or a test of the server's own).
    os.environ.setdefault("ACCORD_WARM", "0")
    # Every server of the tests is on this machine: a machine's HTTP proxy (HTTP_PROXY and the
    # like, which accord and uv honour) is not asked for them.
    for name in ("NO_PROXY", "no_proxy"):
        kept = os.environ.get(name, "")
        os.environ[name] = ",".join(filter(None, [kept, "127.0.0.1", "localhost"]))
    config.addinivalue_line(
        "markers", "backends: needs the build-backend wheels of $ACCORD_FIXTURE_BACKENDS"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that needs the backend wheels fails without them, loudly, with the command that
    fixes it: a silent skip once hid every build test of a plain `pytest` run."""
    if item.get_closest_marker("backends") is not None and backends_dir() is None:
        pytest.fail(MISSING_BACKENDS, pytrace=False)


@pytest.fixture(scope="session")
def dists_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalog's wheels and sdists, built once per session, plus the real build-backend
    wheels when `$ACCORD_FIXTURE_BACKENDS` provides them (see fixtures/backends.py)."""
    dest = tmp_path_factory.mktemp("dists")
    build_catalog(dest)
    add_backends(dest)
    return dest


@pytest.fixture(scope="session")
def index_dir(dists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `simple` directory of a static index of `dists_dir` (with `YANKED` applied)."""
    dists = sorted(p for p in dists_dir.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    return build_index(dists, tmp_path_factory.mktemp("index"), yanked=YANKED)


@pytest.fixture(scope="session")
def index(index_dir: Path) -> Iterator[IndexServer]:
    """The index served on 127.0.0.1 for the whole session; `index.url` ends in `/simple/`."""
    with IndexServer(index_dir) as server:
        yield server


@pytest.fixture(scope="session")
def uv_bin() -> Path:
    """The `uv` executable installed next to the running interpreter."""
    name = "uv.exe" if sys.platform == "win32" else "uv"
    path = Path(sys.executable).parent / name
    if not path.is_file():
        pytest.skip(f"uv is not installed next to {sys.executable}")
    return path


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv cache directory private to this session."""
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture(scope="session")
def base_python() -> Path:
    """The real interpreter behind `sys.executable` (outside any virtualenv)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return Path(base).resolve()


@pytest.fixture(scope="session")
def accord_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("accord-cache")


@pytest.fixture(scope="session")
def session_tmpdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of the processes the tests start (``TMPDIR``)."""
    return tmp_path_factory.mktemp("tmp")


@pytest.fixture(autouse=True)
def _isolated_accord_cache(
    accord_cache_dir: Path, session_tmpdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point accord at a session cache so tests never touch the user's cache, and the
    processes they start at a session temporary directory (the environment locks accord and
    uv leave there go with the session's other files, as pytest rotates them)."""
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(accord_cache_dir))
    monkeypatch.setenv("TMPDIR", str(session_tmpdir))


@pytest.fixture(scope="session")
def _lock_texts() -> dict[str, str]:
    """uv.lock text per sample project name, generated at most once per session."""
    return {}


@pytest.fixture
def make_project(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    _lock_texts: dict[str, str],
) -> MakeProject:
    """Copy `fixtures/projects/<name>` to `tmp_path/<name>`; with `lock`, add a real uv.lock.

    The index, uv and interpreter fixtures are only requested when a lock is needed.
    """

    def make(name: str, *, lock: bool = True) -> Path:
        source = PROJECTS_DIR / name
        if not (source / "pyproject.toml").is_file():
            raise ValueError(f"no sample project {name!r} in {PROJECTS_DIR}")
        target = tmp_path / name
        shutil.copytree(source, target)
        if lock:
            if name not in _lock_texts:
                server: IndexServer = request.getfixturevalue("index")
                written = uv_lock(
                    target,
                    server.url,
                    uv=request.getfixturevalue("uv_bin"),
                    cache_dir=request.getfixturevalue("uv_cache"),
                    python=request.getfixturevalue("base_python"),
                )
                _lock_texts[name] = written.read_text(encoding="utf-8")
            else:
                (target / "uv.lock").write_text(_lock_texts[name], encoding="utf-8", newline="")
        return target

    return make
