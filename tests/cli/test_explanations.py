"""A failed resolution explained as uv explains it, side by side with uv 0.13.8.

Each case locks a project against the settings catalogue (fixtures/settings_catalog.py) with
accord and with uv; both must fail, and accord's explanation must name both sides of the
conflict (asserted on the text, and against uv's own lines where accord's derivation is the
same as uv's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.settings_catalog import build_settings_catalog
from tests.cli.support import Cli


@pytest.fixture(scope="module")
def explain_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = build_settings_catalog(tmp_path_factory.mktemp("explain-dists"))
    simple = build_index(sorted(dists), tmp_path_factory.mktemp("explain-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def ecli(cli: Cli, explain_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=explain_index.url)


def _both(cli: Cli, tmp_path: Path, dependencies: str) -> tuple[list[str], list[str]]:
    """accord's and uv's stderr lines (uv's interpreter line dropped) for a failing lock."""
    text = (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n"
    )
    outputs = []
    for who in ("accord", "uv"):
        project = tmp_path / who
        project.mkdir()
        (project / "pyproject.toml").write_text(text, encoding="utf-8")
        if who == "uv":
            result = cli.uv(project, "lock")
        else:
            result = cli.invoke(project, "lock", "--python", str(cli.python))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert not (project / "uv.lock").exists()
        lines = [line for line in result.stderr.splitlines() if line and "interpreter" not in line]
        outputs.append(lines)
    return outputs[0], outputs[1]


def test_a_direct_conflict_names_both_sides_as_uv_does(ecli: Cli, tmp_path: Path) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-pin", "st-base<3"')
    assert ours[:3] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because all versions of st-pin depend on st-base>=3 and your project depends "
        "on st-base<3, we can conclude that your project and all versions of st-pin are "
        "incompatible.",
        "         And because your project depends on st-pin, we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert ours[:3] == theirs[:3]


def test_a_conflict_two_levels_down_follows_the_chain(ecli: Cli, tmp_path: Path) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-chain", "st-base<3"')
    # uv's first step, word for word: the requirement lifted from st-pin to st-chain.
    step = (
        "  cause: Because all versions of st-pin depend on st-base>=3 and all versions of "
        "st-chain depend on st-pin, we can conclude that all versions of st-chain depend on "
        "st-base>=3."
    )
    assert ours[1] == step
    assert theirs[1] == step
    assert "your project depends on st-base<3" in " ".join(ours)
    assert ours[-2].endswith("we can conclude that your project's requirements are unsatisfiable.")


def test_a_requires_python_conflict_suggests_the_bound(ecli: Cli, tmp_path: Path) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-new"')
    assert ours[0] == (
        "error: No solution found when resolving dependencies for split "
        "(markers: python_full_version == '3.10.*')"
    )
    assert ours[1] == (
        "  cause: Because the requested Python version (>=3.10) does not satisfy Python>=3.11 "
        "and st-new==1.0 depends on Python>=3.11, we can conclude that st-new==1.0 cannot be "
        "used."
    )
    assert ours[:2] == theirs[:2]
    hint = (
        "hint: The `requires-python` value (>=3.10) includes Python versions that are not "
        "supported by your dependencies (e.g., st-new==1.0 only supports >=3.11). Consider "
        "using a more restrictive `requires-python` value (like >=3.11)."
    )
    assert hint in ours
    assert hint in theirs


@pytest.mark.parametrize(("typo", "name"), [("st-topp", "st-top"), ("st-otp", "st-top")])
def test_a_package_not_found_names_the_index_and_a_near_name(
    ecli: Cli, tmp_path: Path, typo: str, name: str
) -> None:
    ours, theirs = _both(ecli, tmp_path, f'"{typo}"')
    cause = (
        f"  cause: Because {typo} was not found in the package registry and your project "
        f"depends on {typo}, we can conclude that your project's requirements are "
        "unsatisfiable."
    )
    assert ours[:2] == ["error: No solution found when resolving dependencies", cause]
    assert ours[:2] == theirs[:2]
    assert ours[2] == (
        f"hint: searched `{ecli.index_url}`; a package with a similar name exists: `{name}` "
        "(a typo?)"
    )


def test_a_name_with_no_near_miss_gets_no_suggestion(ecli: Cli, tmp_path: Path) -> None:
    ours, _ = _both(ecli, tmp_path, '"st-nothing-like-it"')
    assert ours[2] == f"hint: searched `{ecli.index_url}`"


def test_a_package_missing_behind_an_extra_keeps_the_extra(ecli: Cli, tmp_path: Path) -> None:
    """st-lost[gone] requires st-vanished, which no index has: uv names the extra."""
    ours, theirs = _both(ecli, tmp_path, '"st-lost[gone]"')
    assert ours[:3] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because st-vanished was not found in the package registry and all versions "
        "of st-lost[gone] depend on st-vanished>=1, we can conclude that all versions of "
        "st-lost[gone] cannot be used.",
        "         And because your project depends on st-lost[gone], we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert ours[:3] == theirs[:3]


def test_a_transitive_package_missing_makes_its_dependent_unusable(
    ecli: Cli, tmp_path: Path
) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-stray"')
    assert ours[:3] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because st-vanished was not found in the package registry and all versions "
        "of st-stray depend on st-vanished>=1, we can conclude that all versions of st-stray "
        "cannot be used.",
        "         And because your project depends on st-stray, we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert ours[:3] == theirs[:3]


def test_a_conflict_through_an_extra_names_the_extra(ecli: Cli, tmp_path: Path) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-opt[feat]", "st-base<3"')
    assert ours[:3] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because all versions of st-opt[feat] depend on st-base>=3 and your project "
        "depends on st-base<3, we can conclude that your project and all versions of "
        "st-opt[feat] are incompatible.",
        "         And because your project depends on st-opt[feat], we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert ours[:3] == theirs[:3]


def test_an_extra_in_several_versions_is_told_by_what_it_requires(
    ecli: Cli, tmp_path: Path
) -> None:
    """With two versions, resolvelib's last conflict is on st-lost2 itself (each version of
    the extra pins its package); the cause is what the extra requires. uv 0.13.8 says it in
    five lines with a back-reference, whose first and last are these."""
    ours, theirs = _both(ecli, tmp_path, '"st-lost2[gone]"')
    assert ours[1:3] == [
        "  cause: Because st-vanished was not found in the package registry and all versions "
        "of st-lost2[gone] depend on st-vanished>=1, we can conclude that all versions of "
        "st-lost2[gone] cannot be used.",
        "         And because your project depends on st-lost2[gone], we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert theirs[1] == ours[1] + " (1)"  # uv refers back to it
    assert ours[2] in theirs


def test_an_extra_in_several_versions_conflicting_names_both_sides(
    ecli: Cli, tmp_path: Path
) -> None:
    ours, theirs = _both(ecli, tmp_path, '"st-opt2[feat]", "st-base<3"')
    assert ours[1:3] == [
        "  cause: Because all versions of st-opt2[feat] depend on st-base>=3 and your project "
        "depends on st-base<3, we can conclude that your project and all versions of "
        "st-opt2[feat] are incompatible.",
        "         And because your project depends on st-opt2[feat], we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    assert "all versions of st-opt2[feat] depend on st-base>=3" in theirs[1]


def test_the_projects_own_requirements_against_each_other_read_as_uv(
    ecli: Cli, tmp_path: Path
) -> None:
    """Two requirements of the project's on one package that no version meets together."""
    ours, theirs = _both(ecli, tmp_path, '"st-base>=3", "st-base<2"')
    assert ours[:2] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because your project depends on st-base>=3 and st-base<2, we can conclude "
        "that your project's requirements are unsatisfiable.",
    ]
    assert ours[:2] == theirs[:2]


def test_a_requirement_the_only_version_misses_reads_as_uv(ecli: Cli, tmp_path: Path) -> None:
    """A requirement of the project's that the one version there is does not meet."""
    ours, theirs = _both(ecli, tmp_path, '"st-pin>=2"')
    assert ours[:2] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because only st-pin==1.0 is available and your project depends on "
        "st-pin>=2, we can conclude that your project's requirements are unsatisfiable.",
    ]
    assert ours[:2] == theirs[:2]


def test_a_two_sided_range_reads_lower_bound_first_as_uv(ecli: Cli, tmp_path: Path) -> None:
    """uv writes a requirement's clauses by version: ``>=2,<3``, whatever order they came in."""
    ours, theirs = _both(ecli, tmp_path, '"st-pin<3,>=2"')
    assert ours[:2] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because only st-pin==1.0 is available and your project depends on "
        "st-pin>=2,<3, we can conclude that your project's requirements are unsatisfiable.",
    ]
    assert ours[:2] == theirs[:2]
