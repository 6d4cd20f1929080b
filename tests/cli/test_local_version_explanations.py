"""A local package's one version refused by a package the project needs, explained as uv
0.13.8 explains it, side by side: uv knows no other version of a package from a path, an
archive or a URL, and says so by the complement of the range refused (``only lv-base<3 is
available``), lifting the requirement up the chain first when the package asking is further
down. The whole error is compared, byte for byte."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.backends import add_backends
from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, after_interpreter, write_project

pytestmark = pytest.mark.backends  # the local requirer is built by hatchling from the index

REQUIRERS = {
    "lv-pin": "lv-base>=3",
    "lv-band": "lv-base>=2,<3",
    "lv-not": "lv-base!=1.0",
    "lv-eq": "lv-base==2.0",
    "lv-under": "lv-base<1.0",
}


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = tmp_path_factory.mktemp("local-version-dists")
    specs = [WheelSpec("lv-base", version) for version in ("1.0", "2.0", "3.0")]
    specs += [WheelSpec(name, "1.0", requires_dist=(req,)) for name, req in REQUIRERS.items()]
    specs.append(WheelSpec("lv-chain", "1.0", requires_dist=("lv-pin",)))
    paths = [build_wheel(spec, dists) for spec in specs] + add_backends(dists)
    simple = build_index(sorted(paths), tmp_path_factory.mktemp("local-version-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def lcli(cli: Cli, local_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=local_index.url)


def _told(cli: Cli, tmp_path: Path, dependencies: str, sources: str = "") -> str:
    """The error both tools print (after uv's interpreter line), which must be the same."""
    wheel = build_wheel(WheelSpec("lv-base", "1.0"), tmp_path / "local")
    told = []
    for who in ("accord", "uv"):
        project = write_project(
            tmp_path,
            who,
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            f"dependencies = [{dependencies}]\n[tool.uv.sources]\n"
            f'lv-base = {{ path = "{wheel.as_posix()}" }}\n{sources}',
        )
        result = (
            cli.uv(project, "lock") if who == "uv" else cli.invoke(project, "lock", pinned=True)
        )
        assert result.returncode == 1, result.stderr
        assert not (project / "uv.lock").exists()
        told.append(after_interpreter(result.stderr))
    assert told[0] == told[1]
    head = "error: No solution found when resolving dependencies\n  cause: "
    assert told[0].startswith(head)
    return told[0].removeprefix(head)


AND = "\n         And because"
UNSATISFIABLE = "we can conclude that your project's requirements are unsatisfiable.\n"


def test_the_package_asking_cannot_be_used(lcli: Cli, tmp_path: Path) -> None:
    assert _told(lcli, tmp_path, '"lv-base", "lv-pin"') == (
        "Because only lv-base<3 is available and all versions of lv-pin depend on lv-base>=3, "
        "we can conclude that all versions of lv-pin cannot be used."
        f"{AND} your project depends on lv-pin, {UNSATISFIABLE}"
    )


def test_a_requirement_further_down_is_lifted_first(lcli: Cli, tmp_path: Path) -> None:
    assert _told(lcli, tmp_path, '"lv-base", "lv-chain"') == (
        "Because all versions of lv-pin depend on lv-base>=3 and all versions of lv-chain "
        "depend on lv-pin, we can conclude that all versions of lv-chain depend on lv-base>=3."
        f"{AND} only lv-base<3 is available and your project depends on lv-chain, "
        f"{UNSATISFIABLE}"
    )


def test_a_local_package_asking_has_one_version_too(lcli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "lib").mkdir(parents=True)
    (lib / "lib" / "__init__.py").write_text("")
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "lib"\nversion = "0.5"\nrequires-python = ">=3.10"\n'
        'dependencies = ["lv-base>=3"]\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n'
    )
    sources = f'lib = {{ path = "{lib.as_posix()}" }}\n'
    assert _told(lcli, tmp_path, '"lib", "lv-base"', sources) == (
        "Because only lib==0.5 is available and lib==0.5 depends on lv-base>=3, we can "
        "conclude that all versions of lib depend on lv-base>=3."
        f"{AND} only lv-base<3 is available and your project depends on lib, {UNSATISFIABLE}"
    )


@pytest.mark.parametrize(
    ("requirer", "available"),
    [
        ("lv-under", "only lv-base>=1.0 is available and"),
        ("lv-eq", "there is no version of lv-base==2.0 and"),
        (
            "lv-band",
            "only the following versions of lv-base are available:\n"
            "             lv-base<2\n             lv-base>=3\n         and",
        ),
    ],
    ids=["below", "pinned", "band"],
)
def test_the_range_refused_is_told_by_what_remains(
    lcli: Cli, tmp_path: Path, requirer: str, available: str
) -> None:
    told = _told(lcli, tmp_path, f'"lv-base", "{requirer}"')
    assert told.startswith(f"Because {available} all versions of {requirer} depend on "), told


def test_a_version_excluded_leaves_two_ranges(lcli: Cli, tmp_path: Path) -> None:
    assert _told(lcli, tmp_path, '"lv-base", "lv-not"') == (
        "Because only lv-base==1.0 is available and all versions of lv-not depend on one of:\n"
        "             lv-base<1.0\n             lv-base>1.0\n"
        "         we can conclude that all versions of lv-not cannot be used."
        f"{AND} your project depends on lv-not, {UNSATISFIABLE}"
    )
