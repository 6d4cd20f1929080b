"""`index-strategy` (`tool.uv.index-strategy`, `--index-strategy`, `UV_INDEX_STRATEGY`):
accord's lock against real uv's, byte for byte, then the staleness check and the sync.

Two indexes on 127.0.0.1: `b`, declared in `[[tool.uv.index]]` and so searched first, has
`is-a` 1.0 and 3.0, `is-b` 1.0 (its module says `B`) and `is-c` 1.0; the default index `a`
has `is-a` 0.5 and 1.5, `is-b` 1.0 (saying `A`), `is-c` 2.0 and `is-d` 1.0 (which needs
`is-a<2`). uv 0.13.8 takes a package from the first index that has it (`first-index`), from
every index, the first one's versions first (`unsafe-first-match`), or the best version of
any index, the first index's copy of a version both have (`unsafe-best-match`); it records
nothing of the strategy in the lock.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import (
    Cli,
    assert_answers_as_uv,
    installed,
    site_packages,
    write_project,
)


@dataclasses.dataclass(frozen=True)
class Indexes:
    a: IndexServer
    """The default index."""
    b: IndexServer
    """Declared in `[[tool.uv.index]]`: searched first."""


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexes]:
    root = tmp_path_factory.mktemp("index-strategy")
    a, b = root / "a", root / "b"
    in_a = [
        build_wheel(WheelSpec("is-a", "0.5"), a),
        build_wheel(WheelSpec("is-a", "1.5"), a),
        build_wheel(WheelSpec("is-b", "1.0", files={"is_b/__init__.py": "WHERE = 'A'\n"}), a),
        build_wheel(WheelSpec("is-c", "2.0"), a),
        build_wheel(WheelSpec("is-d", "1.0", requires_dist=("is-a<2",)), a),
    ]
    in_b = [
        build_wheel(WheelSpec("is-a", "1.0"), b),
        build_wheel(WheelSpec("is-a", "3.0"), b),
        build_wheel(WheelSpec("is-b", "1.0", files={"is_b/__init__.py": "WHERE = 'B'\n"}), b),
        build_wheel(WheelSpec("is-c", "1.0"), b),
    ]
    with (
        IndexServer(build_index(in_a, root / "index-a")) as server_a,
        IndexServer(build_index(in_b, root / "index-b")) as server_b,
    ):
        yield Indexes(server_a, server_b)


@pytest.fixture
def icli(cli: Cli, indexes: Indexes) -> Cli:
    return dataclasses.replace(cli, index_url=indexes.a.url)


def _pyproject(indexes: Indexes, dependencies: str, settings: str = "") -> str:
    return (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n\n"
        f'[[tool.uv.index]]\nname = "b"\nurl = "{indexes.b.url}"\n'
        + (f"\n[tool.uv]\n{settings}\n" if settings else "")
    )


def _accord(
    cli: Cli, project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, env=env, pinned=True)


def _lock_both(
    cli: Cli, tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None
) -> tuple[Path, str]:
    """Lock with uv and accord (the same arguments and variables); the locks must be equal
    and uv must accept accord's. Returns accord's project and lock."""
    theirs = write_project(tmp_path, "uv", text)
    uv_args = [*args, *(f"--index-strategy={v}" for v in (env or {}).values())]
    result = cli.uv(theirs, "lock", *uv_args, settings=True)
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = _accord(cli, ours, "lock", *args, env=env)
    assert result.returncode == 0, result.stderr
    assert "index-strategy" not in result.stderr  # honoured: neither refused nor warned about
    mine = (ours / "uv.lock").read_text("utf-8")
    assert mine == (theirs / "uv.lock").read_text("utf-8")
    check = cli.uv(ours, "lock", "--check", *uv_args, settings=True)
    assert check.returncode == 0, check.stderr
    return ours, mine


def _locked(lock: str, indexes: Indexes) -> dict[str, tuple[str, str]]:
    """Each registry package's version and index (`a` or `b`)."""
    names = {f'registry = "{indexes.a.url}"': "a", f'registry = "{indexes.b.url}"': "b"}
    found = {}
    for block in lock.split("[[package]]\n")[1:]:
        lines = block.split("\n")
        source = lines[2].removeprefix("source = { ").removesuffix(" }")
        if source in names:
            name, version = (line.split('"')[1] for line in lines[:2])
            found[name] = (version, names[source])
    return found


ALL = '"is-a<2", "is-b", "is-c", "is-d"'


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        pytest.param(
            "first-index",
            {"is-a": ("1.0", "b"), "is-b": ("1.0", "b"), "is-c": ("1.0", "b")},
            id="first-index",
        ),
        pytest.param(
            "unsafe-first-match",
            {"is-a": ("1.0", "b"), "is-b": ("1.0", "b"), "is-c": ("1.0", "b")},
            id="unsafe-first-match",
        ),
        pytest.param(
            "unsafe-best-match",
            {"is-a": ("1.5", "a"), "is-b": ("1.0", "b"), "is-c": ("2.0", "a")},
            id="unsafe-best-match",
        ),
    ],
)
def test_index_strategy_setting_locks_as_uv_does(
    icli: Cli, indexes: Indexes, tmp_path: Path, strategy: str, expected: dict[str, tuple]
) -> None:
    text = _pyproject(indexes, ALL, f'index-strategy = "{strategy}"')
    _, lock = _lock_both(icli, tmp_path, text)
    assert _locked(lock, indexes) == {**expected, "is-d": ("1.0", "a")}
    assert "strategy" not in lock  # uv records nothing of it


@pytest.mark.parametrize("spelling", ["--index-strategy", "UV_INDEX_STRATEGY"])
def test_index_strategy_from_the_command_line(
    icli: Cli, indexes: Indexes, tmp_path: Path, spelling: str
) -> None:
    text = _pyproject(indexes, ALL, 'index-strategy = "first-index"')  # the command line wins
    if spelling == "UV_INDEX_STRATEGY":
        _, lock = _lock_both(icli, tmp_path, text, env={spelling: "unsafe-best-match"})
    else:
        _, lock = _lock_both(icli, tmp_path, text, spelling, "unsafe-best-match")
    assert _locked(lock, indexes)["is-a"] == ("1.5", "a")


@pytest.mark.parametrize(
    ("dependencies", "settings", "expected"),
    [
        pytest.param(
            '"is-a>=1.2,<2"',
            'index-strategy = "unsafe-first-match"',
            {"is-a": ("1.5", "a")},
            id="first-match-moves-on-to-the-next-index",
        ),
        pytest.param(
            '"is-a", "is-c"',
            'index-strategy = "unsafe-first-match"\nresolution = "lowest"',
            {"is-a": ("1.0", "b"), "is-c": ("1.0", "b")},
            id="first-match-lowest",
        ),
        pytest.param(
            '"is-a", "is-c"',
            'index-strategy = "unsafe-best-match"\nresolution = "lowest"',
            {"is-a": ("0.5", "a"), "is-c": ("1.0", "b")},
            id="best-match-lowest",
        ),
        pytest.param(
            '"is-a"',
            'index-strategy = "unsafe-first-match"',
            {"is-a": ("3.0", "b")},
            id="first-match-newest-of-the-first-index",
        ),
    ],
)
def test_index_strategy_scenarios(
    icli: Cli,
    indexes: Indexes,
    tmp_path: Path,
    dependencies: str,
    settings: str,
    expected: dict[str, tuple[str, str]],
) -> None:
    _, lock = _lock_both(icli, tmp_path, _pyproject(indexes, dependencies, settings))
    assert _locked(lock, indexes) == expected


def test_index_strategy_first_index_does_not_look_further(
    icli: Cli, indexes: Indexes, tmp_path: Path
) -> None:
    text = _pyproject(indexes, '"is-a>=1.2,<2"')
    theirs, ours = write_project(tmp_path, "uv", text), write_project(tmp_path, "accord", text)
    assert icli.uv(theirs, "lock", settings=True).returncode == 1
    result = _accord(icli, ours, "lock")
    assert result.returncode == 1
    assert "no version of is-a can be chosen" in result.stderr
    assert not (ours / "uv.lock").exists()


def test_index_strategy_is_not_part_of_the_lock_staleness(
    icli: Cli, indexes: Indexes, tmp_path: Path
) -> None:
    best = _pyproject(indexes, ALL, 'index-strategy = "unsafe-best-match"')
    ours, lock = _lock_both(icli, tmp_path, best)
    # uv: a lock made under one strategy is current under another (nothing records it).
    (ours / "pyproject.toml").write_text(_pyproject(indexes, ALL), encoding="utf-8")
    assert icli.uv(ours, "lock", "--check", settings=True).returncode == 0
    result = _accord(icli, ours, "lock", "--check")
    assert result.returncode == 0, result.stderr

    # The other way round, relocking keeps the locked versions (uv's preferences) until a
    # package is upgraded; then it moves to the best version of any index.
    first = tmp_path / "first"
    ours, lock = _lock_both(icli, first, _pyproject(indexes, ALL))
    (ours / "pyproject.toml").write_text(best, encoding="utf-8")
    assert _accord(icli, ours, "lock").returncode == 0
    assert (ours / "uv.lock").read_text("utf-8") == lock
    theirs = first / "uv" / "proj"
    (theirs / "pyproject.toml").write_text(best, encoding="utf-8")
    assert icli.uv(theirs, "lock", "-P", "is-c", settings=True).returncode == 0
    assert _accord(icli, ours, "lock", "-P", "is-c").returncode == 0
    moved = (ours / "uv.lock").read_text("utf-8")
    assert moved == (theirs / "uv.lock").read_text("utf-8")
    assert _locked(moved, indexes)["is-c"] == ("2.0", "a")
    assert _locked(moved, indexes)["is-a"] == ("1.0", "b")


def test_index_strategy_sync_installs_from_the_locked_index(
    icli: Cli, indexes: Indexes, tmp_path: Path
) -> None:
    text = _pyproject(indexes, ALL, 'index-strategy = "unsafe-best-match"')
    ours, _ = _lock_both(icli, tmp_path, text)
    result = _accord(icli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"is-a": "1.5", "is-b": "1.0", "is-c": "2.0", "is-d": "1.0"}
    # a version both indexes have comes from the first one
    assert (site_packages(ours) / "is_b" / "__init__.py").read_text() == "WHERE = 'B'\n"
    assert icli.uv(ours, "sync", "--locked", "--dry-run", settings=True).returncode == 0


def test_an_unknown_index_strategy_is_treated_as_uv_treats_it(
    icli: Cli, indexes: Indexes, tmp_path: Path
) -> None:
    # uv 0.13.8 warns that its settings discovery cannot read the `[tool.uv]` table and goes
    # on as if it held no setting; accord says and does the same.
    text = _pyproject(indexes, ALL, 'index-strategy = "best"')
    theirs = write_project(tmp_path, "uv", text)
    ours = write_project(tmp_path, "accord", text)
    uv = icli.uv(theirs, "lock", settings=True)
    accord = _accord(icli, ours, "lock")
    assert uv.stderr.startswith("warning: Failed to parse `pyproject.toml` during settings")
    assert_answers_as_uv(accord, uv, ours, theirs)
