"""Universal-resolution forks: accord's `uv.lock` against real uv 0.13.8's, byte for byte.

One test per kind of fork uv makes (see ../shared/docs/uv/universal-resolution.md §2), each on
a small project resolved against the `fk-*` packages of fixtures/fork_catalog.py, served by an
index of its own. Each test also checks that uv's own lock really forks, so the scenario
cannot silently stop exercising what it names.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker

from fixtures.fork_catalog import build_fork_catalog
from fixtures.index import IndexServer, build_index
from tests.cli.support import Cli, clean_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"

LINUX = "sys_platform == 'linux'"
DARWIN = "sys_platform == 'darwin'"
REST = "sys_platform != 'darwin' and sys_platform != 'linux'"
SPLIT = [f"fk-split>=2; {LINUX}", f"fk-split<2; {DARWIN}"]


@pytest.fixture(scope="session")
def fork_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """fixtures/fork_catalog.py's wheels, served on 127.0.0.1 for the whole session."""
    dists = build_fork_catalog(tmp_path_factory.mktemp("fork-dists"))
    simple = build_index(sorted(dists), tmp_path_factory.mktemp("fork-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def fcli(cli: Cli, fork_index: IndexServer) -> Cli:
    """The real accord and uv, pointed at the fork index instead of the standard one."""
    return dataclasses.replace(cli, index_url=fork_index.url)


def _pyproject(
    dependencies: list[str],
    *,
    extras: dict[str, list[str]] | None = None,
    groups: dict[str, list[str]] | None = None,
) -> str:
    """A `proj` pyproject.toml supporting Python >=3.10 with these requirements."""

    def array(items: list[str]) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    text = (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = {array(dependencies)}\n"
    )
    if extras:
        text += "\n[project.optional-dependencies]\n"
        text += "".join(f"{name} = {array(items)}\n" for name, items in extras.items())
    if groups:
        text += "\n[dependency-groups]\n"
        text += "".join(f"{name} = {array(items)}\n" for name, items in groups.items())
    return text


def _project(root: Path, pyproject: str, lock: str | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if lock is not None:
        (root / "uv.lock").write_text(lock, encoding="utf-8", newline="")
    return root


def _accord_lock(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli.accord), "lock", "--python", str(cli.python), *args],
        cwd=project,
        env=clean_environment({"ACCORD_INDEX_URL": cli.index_url}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _uv_ok(cli: Cli, project: Path, *args: str) -> None:
    result = cli.uv(project, *args)
    assert result.returncode == 0, f"uv {' '.join(args)} failed:\n{result.stderr}"


def _diff(before: str, after: str, labels: tuple[str, str]) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), *labels
    )
    return "".join(lines)


def _lock_both(
    cli: Cli, tmp_path: Path, pyproject: str, seed: str | None = None, *, forks: bool = True
) -> str:
    """Lock `pyproject` with uv and with accord (both from `seed`, if given); return uv's lock.

    Asserts that uv's lock forks (unless ``forks`` is false), that the two locks are
    byte-identical, that `uv lock --check` accepts accord's, and that
    `uv lock` on a copy of accord's leaves it unchanged.
    """
    theirs = _project(tmp_path / "uv" / "proj", pyproject, seed)
    ours = _project(tmp_path / "accord" / "proj", pyproject, seed)
    _uv_ok(cli, theirs, "lock")
    expected = (theirs / "uv.lock").read_text(encoding="utf-8")
    if forks:
        assert _fork_markers(expected), "uv did not fork: the scenario no longer tests a fork"
    result = _accord_lock(cli, ours)
    assert result.returncode == 0, f"accord lock failed:\n{result.stderr}"
    actual = (ours / "uv.lock").read_text(encoding="utf-8")
    if actual != expected:
        diff = _diff(expected, actual, ("uv.lock by uv", "uv.lock by accord"))
        pytest.fail(f"accord's lock differs from uv's:\n{diff}", pytrace=False)
    _uv_ok(cli, ours, "lock", "--check")
    again = _project(tmp_path / "again" / "proj", pyproject, actual)
    _uv_ok(cli, again, "lock")
    relocked = (again / "uv.lock").read_text(encoding="utf-8")
    if relocked != actual:
        diff = _diff(actual, relocked, ("uv.lock by accord", "after uv lock"))
        pytest.fail(f"uv lock changed accord's lock:\n{diff}", pytrace=False)
    return expected


Package = dict[str, Any]
"""One `[[package]]` table of a parsed lock."""


def _fork_markers(lock: str) -> list[str]:
    """The top-level `resolution-markers` of a lock."""
    return list(tomllib.loads(lock).get("resolution-markers", []))


def _packages(lock: str) -> dict[str, list[Package]]:
    """Every `[[package]]` of a lock, grouped by name (in file order)."""
    found: dict[str, list[Package]] = {}
    for package in tomllib.loads(lock)["package"]:
        found.setdefault(package["name"], []).append(package)
    return found


def _versions(lock: str, name: str) -> dict[str, list[str]]:
    """Version → its `resolution-markers` for every entry of `name` in a lock."""
    return {p["version"]: p.get("resolution-markers", []) for p in _packages(lock).get(name, [])}


def _edges(package: Package) -> list[dict[str, Any]]:
    return list(package.get("dependencies", []))


def test_forks_disjoint_markers_split_the_universe(fcli: Cli, tmp_path: Path) -> None:
    # linux and darwin want disjoint fk-split ranges; a third fork covers everything else.
    lock = _lock_both(fcli, tmp_path, _pyproject([*SPLIT, "fk-common"]))
    assert _fork_markers(lock) == [DARWIN, LINUX, REST]
    assert _versions(lock, "fk-split") == {"1.0": [DARWIN], "2.0": [LINUX]}
    assert _versions(lock, "fk-common") == {"1.0": []}


def test_forks_requires_python_split_and_a_later_python_boundary(fcli: Cli, tmp_path: Path) -> None:
    # fk-newpy 2.0 needs Python >=3.11 (a requires-python fork at 3.11); fk-late is only
    # wanted from 3.12 (a marker fork at 3.12). uv splits at both.
    lock = _lock_both(fcli, tmp_path, _pyproject(["fk-newpy", "fk-late; python_version >= '3.12'"]))
    assert _fork_markers(lock) == [
        "python_full_version >= '3.12'",
        "python_full_version == '3.11.*'",
        "python_full_version < '3.11'",
    ]
    assert _versions(lock, "fk-newpy") == {
        "1.0": ["python_full_version < '3.11'"],
        "2.0": ["python_full_version >= '3.12'", "python_full_version == '3.11.*'"],
    }


def _said(cli: Cli, tmp_path: Path, pyproject: str) -> str:
    """What `accord lock -v` says of the project's forks (its `split` lines), locking it in
    a project of its own (`verbose/proj`)."""
    project = _project(tmp_path / "verbose" / "proj", pyproject)
    result = _accord_lock(cli, project, "-v")
    assert result.returncode == 0, result.stderr
    return "\n".join(line for line in result.stderr.splitlines() if "split (markers" in line)


def test_forks_go_on_from_the_fork_point(fcli: Cli, tmp_path: Path) -> None:
    # fk-build and fk-ring are decided before fk-meta 2.0 splits Python at 3.11: each new
    # fork goes on from there (uv clones the solver's state), and -v says so.
    pyproject = _pyproject(["fk-build", "fk-ring"])
    lock = _lock_both(fcli, tmp_path, pyproject)
    said = _said(fcli, tmp_path, pyproject)
    assert said.count("from the fork point") == 2, said
    assert "from the root" not in said
    assert (tmp_path / "verbose" / "proj" / "uv.lock").read_text(encoding="utf-8") == lock


def test_forks_undoing_a_decision_made_before_the_fork_point_start_again(
    fcli: Cli, tmp_path: Path
) -> None:
    # fk-anchor 2.0 is decided before fk-fork splits the platforms, and needs fk-zed<2;
    # fk-why needs fk-zed>=2 in every fork. Going on from the fork point would undo
    # fk-anchor's decision, made under the parent's environment: each fork is solved again
    # from the root (-v says so), and comes to uv's lock (fk-anchor 1.0).
    pyproject = _pyproject(["fk-anchor", "fk-fork"])
    lock = _lock_both(fcli, tmp_path, pyproject)
    assert _versions(lock, "fk-anchor") == {"1.0": []}
    assert _versions(lock, "fk-zed") == {"2.0": []}
    said = _said(fcli, tmp_path, pyproject)
    assert "again from the root: it undoes a decision made before the fork point" in said, said
    assert (tmp_path / "verbose" / "proj" / "uv.lock").read_text(encoding="utf-8") == lock


def test_forks_requires_python_excluding_its_own_lower_bound_splits_above_it(
    fcli: Cli, tmp_path: Path
) -> None:
    # fk-excl 2.0 wants `>=3.10,!=3.10.0,!=3.10.1`: uv's bound is "above 3.10" (the excluded
    # version at the inclusive bound), so Python 3.10.0 gets fk-excl 1.0 in a fork of its own.
    lock = _lock_both(fcli, tmp_path, _pyproject(["fk-excl"]))
    assert _fork_markers(lock) == ["python_full_version > '3.10'", "python_full_version <= '3.10'"]
    assert _versions(lock, "fk-excl") == {
        "1.0": ["python_full_version <= '3.10'"],
        "2.0": ["python_full_version > '3.10'"],
    }


def test_forks_a_decision_stands_against_a_later_candidate(fcli: Cli, tmp_path: Path) -> None:
    # fk-host is decided first (uv takes direct requirements in name order): 2.0. fk-plugin
    # 2.0 wants fk-host<2, so uv's PubGrub rejects it and takes fk-plugin 1.0, where
    # resolvelib alone would pin fk-plugin 2.0 and choose fk-host again (1.0).
    lock = _lock_both(fcli, tmp_path, _pyproject(["fk-plugin", "fk-host"]), forks=False)
    assert _versions(lock, "fk-host") == {"2.0": []}
    assert _versions(lock, "fk-plugin") == {"1.0": []}


def test_forks_keep_requirements_added_before_the_split(fcli: Cli, tmp_path: Path) -> None:
    # fk-build is decided before fk-meta 2.0 splits Python at 3.11; its requirement on fk-meta
    # below 3.10.2 stays in the fork above 3.11 too (uv clones the solver's state), so uv
    # writes an edge to fk-meta 2.0 that never holds: `python_version < '0'`.
    lock = _lock_both(fcli, tmp_path, _pyproject(["fk-build", "fk-ring"]))
    assert _versions(lock, "fk-meta") == {
        "1.0": ["python_full_version < '3.11'"],
        "2.0": ["python_full_version >= '3.11'"],
    }
    edges = {(e["version"], e["marker"]) for e in _edges(_packages(lock)["fk-build"][0])}
    assert edges == {("1.0", "python_full_version < '3.10.2'"), ("2.0", "python_version < '0'")}


def test_forks_keep_a_version_only_conflicting_extras_reach(fcli: Cli, tmp_path: Path) -> None:
    # With conflicting extras, the fork above 3.11 (fk-newpy 2.0) still resolves fk-meta for
    # fk-build's inherited requirement, which never holds there. uv keeps that version,
    # reached only where both conflicting extras are active, so fk-meta has two versions and
    # every edge to it names one (without them uv refuses the lock). What that version needs
    # (fk-leaf) is kept too, its edge written with the marker of the forks that resolved it.
    conflicts = '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }]]\n'
    pyproject = _pyproject(
        ["fk-build", "fk-newpy"], extras={"x": ["fk-split>=2"], "y": ["fk-split<2"]}
    )
    lock = _lock_both(fcli, tmp_path, pyproject + conflicts)
    assert _versions(lock, "fk-meta") == {"1.0": ["python_full_version < '3.11'"], "2.0": []}
    edges = {(e["version"], e["marker"]) for e in _edges(_packages(lock)["fk-build"][0])}
    assert edges == {
        ("1.0", "python_full_version < '3.10.2'"),
        ("2.0", "extra == 'extra-4-proj-x' and extra == 'extra-4-proj-y'"),
    }
    assert _versions(lock, "fk-leaf") == {"1.0": []}
    meta = {p["version"]: p for p in _packages(lock)["fk-meta"]}
    assert _edges(meta["2.0"]) == [{"name": "fk-leaf", "marker": "python_full_version >= '3.11'"}]


def test_forks_with_conflicts_write_edges_under_the_forks_that_reach_the_parent(
    fcli: Cli, tmp_path: Path
) -> None:
    # fk-early is decided before fk-newpy 2.0 splits Python at 3.11, so every fork resolves
    # its requirement on fk-egroup (below 3.11), and fk-egroup's own on fk-tyext (below
    # 3.13) in the forks up to 3.13. fk-egroup is reached below 3.11 only: uv writes that
    # edge without a marker (as uv urllib3's lock writes exceptiongroup's typing-extensions).
    conflicts = '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }]]\n'
    pyproject = _pyproject(
        ["fk-early", "fk-newpy"], extras={"x": ["fk-split>=2"], "y": ["fk-split<2"]}
    )
    lock = _lock_both(fcli, tmp_path, pyproject + conflicts)
    assert _edges(_packages(lock)["fk-egroup"][0]) == [{"name": "fk-tyext"}]


def test_forks_versions_refused_for_their_python_count_as_conflicts(
    fcli: Cli, tmp_path: Path
) -> None:
    # The project stops below 3.12, so uv tries fk-imeta 7.0 … 3.0 and refuses each for its
    # Python: five conflicts make fk-imeta a package decided early (2.0). fk-lint 6.0 … 2.0
    # then each exclude that decision; as fk-imeta is already early, uv does not undo it but
    # goes down to fk-lint 1.0 (counting nothing, accord would undo fk-imeta: 1.0 and 6.0).
    pyproject = _pyproject(["fk-imeta", "fk-lint"]).replace(">=3.10", ">=3.10,<3.12")
    lock = _lock_both(fcli, tmp_path, pyproject, forks=False)
    assert _versions(lock, "fk-imeta") == {"2.0": []}
    assert _versions(lock, "fk-lint") == {"1.0": []}


def test_forks_markers_are_inherited_through_two_levels(fcli: Cli, tmp_path: Path) -> None:
    # packse's fork-marker-inherit-transitive: fk-a 2.0 (darwin only) needs fk-b>=2, which
    # needs fk-c only on linux; inside the darwin fork that requirement is dropped.
    lock = _lock_both(fcli, tmp_path, _pyproject([f"fk-a>=2; {DARWIN}", f"fk-a<2; {LINUX}"]))
    assert _fork_markers(lock) == [LINUX, DARWIN, REST]
    assert _versions(lock, "fk-a") == {"1.0": [LINUX], "2.0": [DARWIN]}
    packages = _packages(lock)
    assert "fk-c" not in packages
    assert _edges(packages["fk-b"][0]) == []


def test_forks_agreeing_on_a_package_lock_it_once(fcli: Cli, tmp_path: Path) -> None:
    # Both forks pick fk-shared 2.0 (through different fk-same versions): one entry, no
    # resolution-markers, and plain edges to it.
    lock = _lock_both(fcli, tmp_path, _pyproject([f"fk-same>=2; {LINUX}", f"fk-same<2; {DARWIN}"]))
    assert _fork_markers(lock) == [DARWIN, LINUX, REST]
    assert _versions(lock, "fk-same") == {"1.0": [DARWIN], "2.0": [LINUX]}
    assert _versions(lock, "fk-shared") == {"2.0": []}
    assert all(_edges(p) == [{"name": "fk-shared"}] for p in _packages(lock)["fk-same"])


def test_forks_duplicated_name_gets_version_and_source_on_every_edge(
    fcli: Cli, tmp_path: Path
) -> None:
    pyproject = _pyproject(
        SPLIT,
        extras={"feat": [f"fk-split; {DARWIN}", "fk-user"]},
        groups={"dev": [f"fk-split; {LINUX}"]},
    )
    lock = _lock_both(fcli, tmp_path, pyproject)
    assert _versions(lock, "fk-split") == {"1.0": [DARWIN], "2.0": [LINUX, REST]}
    packages = _packages(lock)
    root = packages["proj"][0]
    edges = [
        *_edges(root),
        *root["optional-dependencies"]["feat"],
        *root["dev-dependencies"]["dev"],
        *_edges(packages["fk-user"][0]),
    ]
    to_split = [edge for edge in edges if edge["name"] == "fk-split"]
    assert len(to_split) == 6
    assert all({"version", "source", "marker"} <= edge.keys() for edge in to_split)


def test_forks_edge_names_an_extra_only_where_it_has_dependencies(
    fcli: Cli, tmp_path: Path
) -> None:
    # fk-opt[toml] needs fk-common in 1.0 (Python < 3.11) and nothing in 2.0: uv writes
    # `extra = ["toml"]` on the edge to 1.0 only. The project's extras keep their declared
    # order in `provides-extras` (zeta before alpha).
    pyproject = _pyproject(["fk-opt[toml]"], extras={"zeta": ["fk-late"], "alpha": ["fk-shared"]})
    lock = _lock_both(fcli, tmp_path, pyproject)
    packages = _packages(lock)
    root = packages["proj"][0]
    assert root["metadata"]["provides-extras"] == ["zeta", "alpha"]
    extras = {edge["version"]: edge.get("extra") for edge in _edges(root)}
    assert extras == {"1.0": ["toml"], "2.0": None}


def test_forks_prefer_an_earlier_forks_version_however_many_forks_chose_another(
    fcli: Cli, tmp_path: Path
) -> None:
    # Several forks pick fk-pref 3.0 (Python >=3.12), then 3.11.* picks 2.0; the forks
    # below 3.11 must still prefer 2.0 (newest there, and chosen before) over 1.0.
    lock = _lock_both(fcli, tmp_path, _pyproject(["fk-pref", "fk-newpy", *SPLIT]))
    assert set(_versions(lock, "fk-pref")) == {"2.0", "3.0"}


@pytest.mark.parametrize(
    "dependencies",
    [
        pytest.param(["fk-late; python_version >= '3.12'"], id="python-bound"),
        pytest.param(
            [f"fk-parent; {LINUX}", "fk-late; python_version >= '3.12'"],
            id="parent-reachability",
        ),
    ],
)
def test_forks_single_requirement_raising_the_python_bound(
    fcli: Cli, tmp_path: Path, dependencies: list[str]
) -> None:
    # One requirement forks when its marker raises the Python lower bound. fk-parent (reached
    # on linux only) needs fk-child on linux x86_64: the edge drops what the parent implies.
    lock = _lock_both(fcli, tmp_path, _pyproject(dependencies))
    assert _fork_markers(lock) == ["python_full_version >= '3.12'", "python_full_version < '3.12'"]
    if "fk-parent" in _packages(lock):
        edges = _edges(_packages(lock)["fk-parent"][0])
        assert edges == [{"name": "fk-child", "marker": "platform_machine == 'x86_64'"}]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            [*SPLIT, "fk-unrelated<2"],
            [*SPLIT, "fk-unrelated", "fk-newpy"],
            id="unrelated-change",
        ),
        pytest.param(
            [*SPLIT, "fk-unrelated<2"],
            ["fk-split", "fk-unrelated"],
            id="forks-outlive-their-cause",
        ),
    ],
)
def test_forks_relock_is_seeded_by_the_locks_fork_markers(
    fcli: Cli, tmp_path: Path, before: list[str], after: list[str]
) -> None:
    first = _project(tmp_path / "first", _pyproject(before))
    _uv_ok(fcli, first, "lock")
    seed = (first / "uv.lock").read_text(encoding="utf-8")
    assert _fork_markers(seed) == [DARWIN, LINUX, REST]
    lock = _lock_both(fcli, tmp_path, _pyproject(after), seed=seed)
    # Preferences keep fk-unrelated at 1.0, and the seeded forks keep fk-split 1.0 on darwin.
    assert _versions(lock, "fk-unrelated") == {"1.0": []}
    assert list(_versions(lock, "fk-split")) == ["1.0", "2.0"]


def _selected(lock: str, name: str, python: str) -> str:
    """The version of `name` whose resolution-markers match this platform under `python`."""
    env = {"python_full_version": python, "python_version": ".".join(python.split(".")[:2])}
    versions = [
        version
        for version, markers in _versions(lock, name).items()
        if not markers or any(Marker(marker).evaluate(env) for marker in markers)
    ]
    assert len(versions) <= 1, versions
    return versions[0] if versions else "-"


PRINT_VERSIONS = """
import importlib.metadata as metadata, platform
print(platform.python_version())
for name in ("fk-split", "fk-newpy"):
    try:
        print(metadata.version(name))
    except metadata.PackageNotFoundError:
        print("-")
"""


@pytest.mark.parametrize("python", [pytest.param(None, id="base"), pytest.param("3.10", id="3.10")])
def test_forks_run_frozen_installs_the_version_the_markers_select(
    fcli: Cli, tmp_path: Path, python: str | None
) -> None:
    if python is not None and not any(d.is_dir() for d in PYENV_VERSIONS.glob(f"{python}.*")):
        pytest.skip(f"pyenv has no Python {python} in {PYENV_VERSIONS}")
    project = _project(tmp_path / "proj", _pyproject([*SPLIT, "fk-newpy"]))
    _uv_ok(fcli, project, "lock")
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert len(_fork_markers(lock)) == 6  # {darwin, linux, rest} x {<3.11, >=3.11}
    env = {"ACCORD_INDEX_URL": fcli.index_url}
    result = fcli.run(
        project, "--frozen", "--", "python", "-c", PRINT_VERSIONS, python=python, env=env
    )
    assert result.returncode == 0, result.stderr
    version, *installed = result.stdout.split()
    assert installed == [_selected(lock, "fk-split", version), _selected(lock, "fk-newpy", version)]
    assert (project / "uv.lock").read_text(encoding="utf-8") == lock
