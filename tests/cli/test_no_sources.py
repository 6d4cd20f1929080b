"""`no-sources` (`--no-sources`, `UV_NO_SOURCES`, `tool.uv.no-sources`): the project resolved
without `[tool.uv.sources]`, against real uv's lock byte for byte, with uv's staleness.

The default index (127.0.0.1) has `ns-a` 1.5 and `ns-b` 1.0; an explicit index `pinned` has
`ns-a` 1.0; a local directory holds `ns-b` 9.0. The project pins `ns-a` to `pinned` and takes
`ns-b` from the directory; without its sources both come from the default index, and uv
records no source in `[package.metadata]`.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, assert_answers_as_uv, installed


@dataclasses.dataclass(frozen=True)
class Indexes:
    default: IndexServer
    pinned: IndexServer


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexes]:
    root = tmp_path_factory.mktemp("no-sources")
    default = [
        build_wheel(WheelSpec("ns-a", "1.5"), root / "default"),
        build_wheel(WheelSpec("ns-b", "1.0"), root / "default"),
    ]
    pinned = [build_wheel(WheelSpec("ns-a", "1.0"), root / "pinned")]
    with (
        IndexServer(build_index(default, root / "index-default")) as server,
        IndexServer(build_index(pinned, root / "index-pinned")) as pinned_server,
    ):
        yield Indexes(server, pinned_server)


@pytest.fixture
def ncli(cli: Cli, indexes: Indexes) -> Cli:
    return dataclasses.replace(cli, index_url=indexes.default.url)


def _pyproject(indexes: Indexes, settings: str = "") -> str:
    return (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["ns-a<2", "ns-b"]\n\n'
        f'[[tool.uv.index]]\nname = "pinned"\nurl = "{indexes.pinned.url}"\nexplicit = true\n\n'
        '[tool.uv.sources]\nns-a = { index = "pinned" }\nns-b = { path = "../local-b" }\n'
        + (f"\n[tool.uv]\n{settings}\n" if settings else "")
    )


def _project(tmp_path: Path, who: str, text: str) -> Path:
    project = tmp_path / who / "proj"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    local = tmp_path / who / "local-b"
    (local / "ns_b").mkdir(parents=True)
    (local / "ns_b" / "__init__.py").write_text("", encoding="utf-8")
    (local / "pyproject.toml").write_text(
        '[project]\nname = "ns-b"\nversion = "9.0"\n\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n',
        encoding="utf-8",
    )
    return project


def _accord(
    cli: Cli, project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, env=env, pinned=True)


NO_SOURCES_METADATA = (
    "[package.metadata]\n"
    "requires-dist = [\n"
    '    { name = "ns-a", specifier = "<2" },\n'
    '    { name = "ns-b" },\n'
    "]\n"
)


@pytest.mark.parametrize("spelling", ["--no-sources", "UV_NO_SOURCES", "tool.uv.no-sources"])
def test_no_sources_locks_as_uv_does(
    ncli: Cli, indexes: Indexes, tmp_path: Path, spelling: str
) -> None:
    settings = "no-sources = true" if spelling == "tool.uv.no-sources" else ""
    text = _pyproject(indexes, settings)
    theirs, ours = _project(tmp_path, "uv", text), _project(tmp_path, "accord", text)
    args = ("--no-sources",) if spelling != "tool.uv.no-sources" else ()
    uv = ncli.uv(theirs, "lock", *args, settings=True)
    assert uv.returncode == 0, uv.stderr
    env = {"UV_NO_SOURCES": "1"} if spelling == "UV_NO_SOURCES" else {}
    result = _accord(ncli, ours, "lock", *(args if not env else ()), env=env)
    assert result.returncode == 0, result.stderr
    assert "no-sources" not in result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    assert lock.endswith(NO_SOURCES_METADATA)
    assert lock.count(f'source = {{ registry = "{indexes.default.url}" }}') == 2
    assert ncli.uv(ours, "lock", "--check", *args, settings=True).returncode == 0

    result = _accord(ncli, ours, "sync", *(args if not env else ()), env=env)
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"ns-a": "1.5", "ns-b": "1.0"}


def test_no_sources_staleness_both_ways(ncli: Cli, indexes: Indexes, tmp_path: Path) -> None:
    ours = _project(tmp_path, "accord", _pyproject(indexes))
    assert _accord(ncli, ours, "lock").returncode == 0
    with_sources = (ours / "uv.lock").read_text("utf-8")
    assert 'index = "' in with_sources and 'directory = "../local-b"' in with_sources
    # a lock made with the sources is out of date without them, and the other way round
    for args in (("--no-sources",), ()):
        uv = ncli.uv(ours, "lock", "--check", *args, settings=True)
        result = _accord(ncli, ours, "lock", "--check", *args)
        if args:
            assert (uv.returncode, result.returncode) == (1, 1), result.stderr
            assert "requirements changed" in result.stderr
            assert _accord(ncli, ours, "lock", *args).returncode == 0
            assert (ours / "uv.lock").read_text("utf-8").endswith(NO_SOURCES_METADATA)
        else:
            assert (uv.returncode, result.returncode) == (1, 1), result.stderr


def test_no_sources_keeps_workspace_members(ncli: Cli, indexes: Indexes, tmp_path: Path) -> None:
    def workspace(who: str) -> Path:
        root = tmp_path / who
        (root / "packages" / "mem" / "mem").mkdir(parents=True)
        (root / "packages" / "mem" / "mem" / "__init__.py").write_text("", encoding="utf-8")
        (root / "pyproject.toml").write_text(
            '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["mem"]\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
            "[tool.uv.sources]\nmem = { workspace = true }\n",
            encoding="utf-8",
        )
        (root / "packages" / "mem" / "pyproject.toml").write_text(
            '[project]\nname = "mem"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["ns-a"]\n\n[build-system]\nrequires = ["hatchling"]\n'
            'build-backend = "hatchling.build"\n',
            encoding="utf-8",
        )
        return root

    theirs, ours = workspace("uv"), workspace("accord")
    uv = ncli.uv(theirs, "lock", "--no-sources", settings=True)
    assert uv.returncode == 0, uv.stderr
    result = _accord(ncli, ours, "lock", "--no-sources")
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    assert 'source = { editable = "packages/mem" }' in lock
    assert 'requires-dist = [{ name = "mem" }]' in lock


@pytest.mark.backends
@pytest.mark.parametrize(
    "spelling", ["--no-sources-package", "UV_NO_SOURCES_PACKAGE", "tool.uv.no-sources-package"]
)
def test_no_sources_package_locks_as_uv_does(
    cli: Cli, ncli: Cli, indexes: Indexes, tmp_path: Path, spelling: str
) -> None:
    # ns-a loses its index pin and comes from the default index; ns-b keeps its directory
    settings = 'no-sources-package = ["NS_A"]' if spelling.startswith("tool") else ""
    text = _pyproject(indexes, settings)
    theirs, ours = _project(tmp_path, "uv", text), _project(tmp_path, "accord", text)
    args = ("--no-sources-package", "NS_A") if spelling.startswith("--") else ()
    env = {"UV_NO_SOURCES_PACKAGE": "NS_A"} if spelling.startswith("UV") else {}
    uv = ncli.uv(theirs, "lock", *(args or ("--no-sources-package", "NS_A")), settings=True)
    assert uv.returncode == 0, uv.stderr
    result = _accord(ncli, ours, "lock", *args, env=env)
    assert result.returncode == 0, result.stderr
    assert "no-sources-package" not in result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    assert '{ name = "ns-a", specifier = "<2" },\n    { name = "ns-b", directory = ' in lock
    assert lock.count(f'source = {{ registry = "{indexes.default.url}" }}') == 1
    assert (
        ncli.uv(ours, "lock", "--check", "--no-sources-package", "ns-a", settings=True).returncode
        == 0
    )

    # ns-b is built from its directory: its backend comes from the session's index
    result = _accord(ncli, ours, "sync", "--frozen", "--index", cli.index_url, *args, env=env)
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"ns-a": "1.5", "ns-b": "9.0"}


def test_no_sources_package_staleness_as_uv(ncli: Cli, indexes: Indexes, tmp_path: Path) -> None:
    ours = _project(tmp_path, "accord", _pyproject(indexes))
    assert _accord(ncli, ours, "lock").returncode == 0
    for args, stale in (
        (("--no-sources-package", "ns-a"), True),
        (("--no-sources-package", "ns-c"), False),  # no source of its own: nothing changes
        ((), False),
    ):
        uv = ncli.uv(ours, "lock", "--check", *args, settings=True)
        result = _accord(ncli, ours, "lock", "--check", *args)
        assert (uv.returncode, result.returncode) == ((1, 1) if stale else (0, 0)), result.stderr


@pytest.mark.parametrize("setting", ['no-sources-package = "ns-a"', 'no-sources = "yes"'])
def test_a_no_sources_setting_uv_cannot_read_is_treated_as_uv_treats_it(
    ncli: Cli, indexes: Indexes, tmp_path: Path, setting: str
) -> None:
    # uv 0.13.8 warns that its settings discovery cannot read the `[tool.uv]` table and goes
    # on as if it held no setting; accord says and does the same.
    text = _pyproject(indexes, setting)
    theirs = _project(tmp_path, "uv", text)
    ours = _project(tmp_path, "accord", text)
    uv = ncli.uv(theirs, "lock", settings=True)
    accord = _accord(ncli, ours, "lock")
    assert uv.stderr.startswith("warning: Failed to parse `pyproject.toml` during settings")
    assert_answers_as_uv(accord, uv, ours, theirs)
