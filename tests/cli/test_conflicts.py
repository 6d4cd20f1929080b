"""`tool.uv.conflicts`: accord's `uv.lock` against real uv 0.13.8's, byte for byte, and the
shapes accord still refuses by name.

Each scenario is a `proj` whose conflicting extras or groups want different versions of one
package of fixtures/fork_catalog.py (`fk-split` 1.0 against 2.0), served by an index of its
own. uv then resolves one fork per item (and one with none), writes no `resolution-markers`
(the forks differ only in their conflict items), and marks the edges of a package reached
from several forks with its encoded items (`extra == 'extra-4-proj-x'`).
"""

from __future__ import annotations

import dataclasses
import difflib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.fork_catalog import build_fork_catalog
from fixtures.index import IndexServer, build_index
from tests.cli.support import Cli

HEAD = '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
XY = '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }]]\n'


@pytest.fixture(scope="session")
def conflict_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = build_fork_catalog(tmp_path_factory.mktemp("conflict-dists"))
    simple = build_index(sorted(dists), tmp_path_factory.mktemp("conflict-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def ccli(cli: Cli, conflict_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=conflict_index.url)


def _project(root: Path, pyproject: str, lock: str | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if lock is not None:
        (root / "uv.lock").write_text(lock, encoding="utf-8", newline="")
    return root


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, pinned=True)


def _uv_lock(cli: Cli, project: Path, *args: str) -> str:
    result = cli.uv(project, "lock", *args, settings=True)
    assert result.returncode == 0, result.stderr
    return (project / "uv.lock").read_text(encoding="utf-8")


def _same_as_uv(cli: Cli, tmp_path: Path, pyproject: str, seed: str | None = None) -> str:
    """Lock with uv and with accord (from `seed`, if given); the two must be byte-identical."""
    expected = _uv_lock(cli, _project(tmp_path / "uv" / "proj", pyproject, seed))
    ours = _project(tmp_path / "accord" / "proj", pyproject, seed)
    result = _accord(cli, ours, "lock")
    assert result.returncode == 0, result.stderr
    actual = (ours / "uv.lock").read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), "uv", "accord"
        )
        pytest.fail("accord's lock differs from uv's:\n" + "".join(diff), pytrace=False)
    assert _uv_lock(cli, ours, "--check") == actual
    return expected


def _extras(**extras: list[str]) -> str:
    lines = "".join(f"{k} = [{', '.join(map(_string, v))}]\n" for k, v in extras.items())
    return "\n[project.optional-dependencies]\n" + lines


def _string(requirement: str) -> str:
    return '"' + requirement + '"'


def test_conflicts_two_extras_pin_different_versions(ccli: Cli, tmp_path: Path) -> None:
    pyproject = HEAD + "dependencies = []\n" + _extras(x=["fk-split<2"], y=["fk-split>=2"]) + XY
    lock = _same_as_uv(ccli, tmp_path, pyproject)
    assert "resolution-markers" not in lock
    assert 'conflicts = [[\n    { package = "proj", extra = "x" },' in lock
    assert '[[package]]\nname = "fk-split"\nversion = "1.0"' in lock
    assert '[[package]]\nname = "fk-split"\nversion = "2.0"' in lock


def test_conflicts_shared_dependency_edges_carry_conflict_markers(
    ccli: Cli, tmp_path: Path
) -> None:
    extras = _extras(x=["fk-split<2", "fk-user"], y=["fk-split>=2", "fk-user", "fk-a>=2"])
    lock = _same_as_uv(ccli, tmp_path, HEAD + 'dependencies = ["fk-common"]\n' + extras + XY)
    assert "marker = \"extra == 'extra-4-proj-x'\"" in lock
    assert "marker = \"extra == 'extra-4-proj-y'\"" in lock


def test_conflicts_with_an_environment_marker_that_does_not_fork(ccli: Cli, tmp_path: Path) -> None:
    extras = _extras(x=["fk-split<2; sys_platform == 'linux'", "fk-user"], y=["fk-split>=2"])
    lock = _same_as_uv(ccli, tmp_path, HEAD + "dependencies = []\n" + extras + XY)
    assert "resolution-markers" not in lock


def test_conflicts_between_groups(ccli: Cli, tmp_path: Path) -> None:
    pyproject = (
        HEAD
        + "dependencies = []\n\n[dependency-groups]\n"
        + 'a = ["fk-split<2", "fk-user"]\nb = ["fk-split>=2", "fk-user"]\n'
        + '\n[tool.uv]\nconflicts = [[{ group = "a" }, { group = "b" }]]\n'
    )
    lock = _same_as_uv(ccli, tmp_path, pyproject)
    assert "marker = \"extra == 'group-4-proj-a'\"" in lock


def test_conflicts_three_extras_one_without_a_clash(ccli: Cli, tmp_path: Path) -> None:
    extras = _extras(x=["fk-split<2"], y=["fk-split>=2"], z=["fk-same", "fk-user"])
    conflicts = '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }, { extra = "z" }]]\n'
    _same_as_uv(ccli, tmp_path, HEAD + "dependencies = []\n" + extras + conflicts)


def test_conflicts_between_an_extra_and_a_group(ccli: Cli, tmp_path: Path) -> None:
    pyproject = (
        HEAD
        + 'dependencies = ["fk-same"]\n'
        + _extras(x=["fk-split<2", "fk-user"])
        + '\n[dependency-groups]\ng = ["fk-split>=2"]\n'
        + '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { group = "g" }]]\n'
    )
    _same_as_uv(ccli, tmp_path, pyproject)


def test_conflicts_changed_relocks_like_uv(ccli: Cli, tmp_path: Path) -> None:
    # A lock recording other conflicts is stale: `--locked` fails, `lock` rewrites it as uv.
    extras = _extras(x=["fk-split<2"], y=["fk-split>=2"], z=["fk-same"])
    before = HEAD + "dependencies = []\n" + extras + XY
    seed = _uv_lock(ccli, _project(tmp_path / "seed" / "proj", before))
    after = before.replace('{ extra = "y" }]]', '{ extra = "y" }, { extra = "z" }]]')
    stale = _project(tmp_path / "stale" / "proj", after, seed)
    result = _accord(ccli, stale, "lock", "--locked")
    assert result.returncode == 1, result.stderr
    assert "needs to be updated" in result.stderr
    relocked = _same_as_uv(ccli, tmp_path, after, seed)
    assert '{ package = "proj", extra = "z" }' in relocked


def test_conflicts_several_sets_with_a_package_both_reach(ccli: Cli, tmp_path: Path) -> None:
    # Two sets: uv's edge markers then combine items of both, written in uv 0.13.8's reduced
    # DNF (`extra == 'extra-4-proj-x' or (extra == 'extra-4-proj-a' and ...)`).
    extras = _extras(
        x=["fk-split<2", "fk-user"],
        y=["fk-split>=2", "fk-user", "fk-a"],
        a=["fk-same<2", "fk-user", "fk-b<2"],
        b=["fk-same>=2", "fk-user"],
    )
    conflicts = (
        '\n[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }], '
        '[{ extra = "a" }, { extra = "b" }]]\n'
    )
    lock = _same_as_uv(ccli, tmp_path, HEAD + "dependencies = []\n" + extras + conflicts)
    assert "marker = \"extra == 'extra-4-proj-x' or (extra == 'extra-4-proj-a' and " in lock


GROUPS_SHARED = (
    '\n[tool.uv]\nconflicts = [[{ group = "dev" }, { group = "min" }], '
    '[{ group = "min" }, { group = "mypy" }]]\n'
)


def test_conflicts_sets_sharing_an_item(ccli: Cli, tmp_path: Path) -> None:
    # urllib3's shape: `min` conflicts with `dev` and with `mypy`, which do not conflict; uv
    # forks once per possible combination (a fork both including and excluding an item is
    # dropped).
    pyproject = (
        HEAD
        + "dependencies = []\n\n[dependency-groups]\n"
        + 'dev = ["fk-split>=2", "fk-user", "fk-common"]\n'
        + 'min = ["fk-split<2", "fk-user", "fk-same<2"]\n'
        + 'mypy = ["fk-split>=2", "fk-same>=2"]\n'
        + GROUPS_SHARED
    )
    _same_as_uv(ccli, tmp_path, pyproject)


def test_conflicts_with_forks_by_environment(ccli: Cli, tmp_path: Path) -> None:
    # Forks by platform inside extra x: fork markers carry both the platform and the items.
    lock = _same_as_uv(ccli, tmp_path, HEAD + "dependencies = []\n" + S3_EXTRAS + XY)
    assert "resolution-markers = [" in lock


def test_conflicts_relock_seeded_from_conflict_marked_resolution_markers(
    ccli: Cli, tmp_path: Path
) -> None:
    # uv's lock records fork markers with conflict items; relocking from it seeds one fork
    # per marker, with the items it includes and excludes.
    pyproject = HEAD + "dependencies = []\n" + S3_EXTRAS + XY
    seed = _uv_lock(ccli, _project(tmp_path / "seed" / "proj", pyproject))
    assert "extra == 'extra-4-proj-x' and extra != 'extra-4-proj-y'" in seed
    assert _same_as_uv(ccli, tmp_path, pyproject, seed) == seed


def test_conflicts_sets_sharing_an_item_with_forks_by_platform_and_python(
    ccli: Cli, tmp_path: Path
) -> None:
    # Conflict forks split again by platform and by Python version; edges from a package
    # reached with no conflicting item (fk-parent, the project's own) carry no conflict
    # marker.
    pyproject = (
        HEAD
        + 'dependencies = ["fk-newpy", "fk-parent"]\n\n[dependency-groups]\n'
        + 'dev = ["fk-split>=2", "fk-user", "fk-a; sys_platform == \'linux\'", '
        + "\"fk-late; python_version >= '3.12'\"]\n"
        + 'min = ["fk-split<2", "fk-user", "fk-same<2", '
        + "\"fk-a<2; sys_platform == 'darwin'\", \"fk-a>=2; sys_platform == 'linux'\"]\n"
        + 'mypy = ["fk-split>=2", "fk-same>=2", "fk-pref"]\n'
        + GROUPS_SHARED
    )
    lock = _same_as_uv(ccli, tmp_path, pyproject)
    assert '{ name = "fk-child", marker = "platform_machine == \'x86_64\' and ' in lock


def test_conflicts_through_included_groups(ccli: Cli, tmp_path: Path) -> None:
    # urllib3's shape: conflicting groups include (chains of) groups that conflict with
    # nothing, and another group shares their packages; edges whose conflict items add
    # nothing where no two items meet are written with their PEP 508 part only.
    pyproject = (
        HEAD
        + "dependencies = []\n\n[dependency-groups]\n"
        + 'test = ["fk-parent", "fk-newpy", "fk-same"]\n'
        + 'base = [{ include-group = "test" }, "fk-common"]\n'
        + 'dev = [{ include-group = "base" }, "fk-split>=2", "fk-user"]\n'
        + 'min = [{ include-group = "base" }, "fk-split<2", "fk-user", "fk-same<2"]\n'
        + 'mypy = [{ include-group = "test" }, "fk-split>=2", "fk-same>=2"]\n'
        + 'docs = ["fk-parent", "fk-late; python_version >= \'3.12\'"]\n'
        + GROUPS_SHARED
    )
    _same_as_uv(ccli, tmp_path, pyproject)


def test_conflicts_edges_of_a_package_reached_below_a_python_bound(
    ccli: Cli, tmp_path: Path
) -> None:
    # urllib3's shape (textual, reached through pytest-memray below Python 3.15): fk-ring is
    # reached only below 3.13, from a group both conflicting groups include; `dev` splits
    # at 3.13 and `min` does not, so a fork of `min` reaches fk-ring above 3.13 too. uv
    # writes fk-ring's edges to the two fk-meta versions under the Python range that
    # reaches fk-ring: `python_full_version >= '3.11' and python_full_version < '3.13'`.
    pyproject = _sharing_base(
        "\"fk-ring; python_version < '3.13'\"",
        dev="\"fk-split>=2; python_version >= '3.13'\", \"fk-split<2; python_version < '3.13'\"",
    )
    ring = _package_text(_same_as_uv(ccli, tmp_path, pyproject), "fk-ring")
    assert "python_full_version >= '3.11' and python_full_version < '3.13'" in ring, ring


def test_conflicts_edges_of_a_package_reached_around_a_python_gap(
    ccli: Cli, tmp_path: Path
) -> None:
    # fk-gap is reached below 3.11 and from 3.13 on, not between: uv writes its edge to
    # fk-tyext (`python_version >= '3.12'`) within those Python versions, `>= '3.13'` (not
    # within the span from the lowest to the highest bound, which would keep `>= '3.12'`).
    pyproject = _sharing_base(
        "\"fk-gap; python_version < '3.11' or python_version >= '3.13'\"", dev='"fk-split>=2"'
    )
    edges = _package_text(_same_as_uv(ccli, tmp_path, pyproject), "fk-gap")
    assert '{ name = "fk-tyext", marker = "python_full_version >= \'3.13\'" }' in edges, edges


def _sharing_base(base: str, *, dev: str) -> str:
    """A project whose conflicting groups ``dev`` (``fk-split>=2`` or the like) and ``min``
    (``fk-split<2``) both include the group ``base``."""
    return (
        HEAD
        + "dependencies = []\n\n[dependency-groups]\n"
        + f"base = [{base}]\n"
        + f'dev = [{{ include-group = "base" }}, {dev}]\n'
        + 'min = [{ include-group = "base" }, "fk-split<2"]\n'
        + '\n[tool.uv]\nconflicts = [[{ group = "dev" }, { group = "min" }]]\n'
    )


def _package_text(lock: str, name: str) -> str:
    """The lock's text of package ``name`` (one version), up to the next package."""
    text = lock[lock.index(f'name = "{name}"') :]
    return text[: text.index("[[package]]")]


def test_conflicts_edges_below_the_project_carry_no_conflict_marker(
    ccli: Cli, tmp_path: Path
) -> None:
    # fk-parent is reached from the project itself (and from extra x): its edge to fk-child,
    # and the project's forked edges to fk-newpy, are written without conflict items.
    extras = _extras(x=["fk-split<2", "fk-parent", "fk-user"], y=["fk-split>=2", "fk-user"])
    pyproject = HEAD + 'dependencies = ["fk-parent", "fk-newpy"]\n' + extras + XY
    lock = _same_as_uv(ccli, tmp_path, pyproject)
    assert "marker = \"python_full_version < '3.11'\" }" in lock


@pytest.mark.parametrize(
    ("extras", "conflicts", "what"),
    [
        pytest.param(
            {"x": ["fk-split<2"], "y": ["fk-split>=2"]},
            '[[{ package = "other", extra = "x" }, { extra = "y" }]]',
            "naming another package (`other`)",
            id="other-package",
        ),
        pytest.param(
            {"x": ["fk-split<2"], "y": ["fk-split>=2"]},
            '[[{ extra = "x" }, { extra = "y" }, { extra = "x" }]]',
            "naming an extra or group twice in one set",
            id="twice-in-a-set",
        ),
    ],
)
def test_conflicts_beyond_the_slice_are_refused(
    ccli: Cli, tmp_path: Path, extras: dict[str, list[str]], conflicts: str, what: str
) -> None:
    pyproject = HEAD + "dependencies = []\n" + _extras(**extras)
    project = _project(tmp_path / "proj", pyproject + f"\n[tool.uv]\nconflicts = {conflicts}\n")
    result = _accord(ccli, project, "lock")
    assert result.returncode != 0
    assert f"error: `tool.uv.conflicts` {what}: accord does not support this yet" in result.stderr
    assert not (project / "uv.lock").exists()


def test_conflicts_malformed_is_reported_in_uvs_words(ccli: Cli, tmp_path: Path) -> None:
    pyproject = HEAD + "dependencies = []\n" + _extras(x=["fk-split"])
    project = _project(
        tmp_path / "proj", pyproject + '\n[tool.uv]\nconflicts = [[{ extra = "x" }]]\n'
    )
    result = _accord(ccli, project, "lock")
    assert result.returncode != 0
    assert (
        "`tool.uv.conflicts`: Each set of conflicts must have at least two entries, "
        "but found only one" in result.stderr
    )


S3_EXTRAS = _extras(
    x=["fk-split<2; sys_platform == 'linux'", "fk-split>=2; sys_platform == 'darwin'", "fk-user"],
    y=["fk-split>=2", "fk-user"],
)


def _installed_split(cli: Cli, project: Path, *selection: str) -> str:
    code = "import fk_split, fk_user; print(fk_split.__version__)"
    result = cli.run(project, "--frozen", *selection, "--", "python", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_conflicts_install_follows_the_conflict_markers(ccli: Cli, tmp_path: Path) -> None:
    # uv's lock forks by platform inside extra x: its fork markers and edges carry the
    # encoded items, which the selection decides (here on linux: x gets 1.0, y gets 2.0).
    project = _project(tmp_path / "proj", HEAD + "dependencies = []\n" + S3_EXTRAS + XY)
    lock = _uv_lock(ccli, project)
    assert "extra == 'extra-4-proj-x' and extra != 'extra-4-proj-y'" in lock
    assert _installed_split(ccli, project, "--extra", "x") == "1.0"
    assert _installed_split(ccli, project, "--extra", "y") == "2.0"


def test_conflicts_selected_together_is_an_error(ccli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", HEAD + "dependencies = []\n" + S3_EXTRAS + XY)
    _uv_lock(ccli, project)
    result = ccli.run(project, "--frozen", "--all-extras", "--", "python", "-c", "pass")
    assert result.returncode == 2
    assert result.stderr.endswith(
        "error: Extras `x` and `y` are incompatible with the declared conflicts: "
        "{`proj[x]`, `proj[y]`}\n"
    )
