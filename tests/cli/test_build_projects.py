"""Building from source with real processes: package projects installed editable with
hatchling, setuptools and flit-core, sdist-only dependencies built once, failing backends."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR
from fixtures.backends import backends_dir
from tests.cli.support import Cli, clean_environment, installed, tree

pytestmark = pytest.mark.skipif(
    backends_dir() is None,
    reason="build-backend wheels are not available: set ACCORD_FIXTURE_BACKENDS to a directory "
    "filled by `python -m fixtures.backends download DIR` (as .ci/run does)",
)

WHERE = "import myproj; print(myproj.__file__)"


def _run(
    cli: Cli, project: Path, *args: str, index: str | None = None
) -> subprocess.CompletedProcess[str]:
    return cli.run(project, *args, env={"ACCORD_INDEX_URL": index or cli.index_url})


def _copy(name: str, tmp_path: Path) -> Path:
    project = tmp_path / name
    shutil.copytree(PROJECTS_DIR / name, project)
    return project


@pytest.mark.parametrize("backend", ["pkg-hatch", "pkg-setuptools", "pkg-flit"])
def test_build_project_is_installed_editable_from_its_tree(
    cli: Cli, tmp_path: Path, backend: str
) -> None:
    project = _copy(backend, tmp_path)
    planned = _run(cli, project, "--dry-plan")
    assert "  + Install myproj==0.1.0 (missing, editable, ./)" in planned.stdout.splitlines()
    first = _run(cli, project, "--", "python", "-c", WHERE)
    assert first.returncode == 0, first.stderr
    assert Path(first.stdout.strip()) == project / "myproj" / "__init__.py"
    # A source edit shows up with no reinstall: the plan stays empty.
    (project / "myproj" / "extra.py").write_text("ANSWER = 42\n")
    again = _run(cli, project, "--dry-plan", "--check")
    assert again.returncode == 0, again.stdout
    edited = _run(
        cli, project, "--", "python", "-c", "from myproj.extra import ANSWER; print(ANSWER)"
    )
    assert (edited.returncode, edited.stdout) == (0, "42\n"), edited.stderr


def test_build_project_rebuilds_when_pyproject_changes(cli: Cli, tmp_path: Path) -> None:
    project = _copy("pkg-hatch", tmp_path)
    assert _run(cli, project, "--", "python", "-c", WHERE).returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    planned = _run(cli, project, "--dry-plan")
    assert "  ~ Replace myproj 0.1.0 → 0.2.0 (version differs: 0.1.0 → 0.2.0, editable, ./)" in (
        planned.stdout.splitlines()
    )
    assert _run(cli, project, "--", "python", "-c", WHERE).returncode == 0
    assert installed(project)["myproj"] == "0.2.0"


def test_build_project_lock_matches_real_uv(cli: Cli, tmp_path: Path) -> None:
    ours = _copy("pkg-hatch", tmp_path / "ours")
    theirs = _copy("pkg-hatch", tmp_path / "theirs")
    assert _run(cli, ours, "--", "python", "-c", "pass").returncode == 0
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


def test_build_sdist_dependency_is_built_once(
    cli: Cli, tmp_path: Path, accord_cache_dir: Path
) -> None:
    def project(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["sdist-only"]\n'
        )
        return path

    first = project("first")
    result = _run(
        cli, first, "--", "python", "-c", "import sdist_only; print(sdist_only.__version__)"
    )
    assert (result.returncode, result.stdout) == (0, "1.0\n"), result.stderr
    # No build environment left, and no index: a second fresh environment can only succeed
    # by installing the wheel built the first time, so the backend cannot run again.
    shutil.rmtree(accord_cache_dir / "builds", ignore_errors=True)
    second = project("second")
    shutil.copy(first / "uv.lock", second / "uv.lock")
    second_lock = (second / "uv.lock").read_text().replace('name = "first"', 'name = "second"')
    (second / "uv.lock").write_text(second_lock)
    result = _run(
        cli,
        second,
        "--frozen",
        "--",
        "python",
        "-c",
        "import sdist_only; print('again')",
        index="http://127.0.0.1:9/simple/",
    )
    assert (result.returncode, result.stdout) == (0, "again\n"), result.stderr
    assert not (accord_cache_dir / "builds").exists()


def test_build_failing_backend_reports_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    project = _copy("pkg-setuptools", tmp_path)
    assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    before = tree(project / ".venv")
    (project / "setup.py").write_text(
        "import sys\nprint('backend says: this project cannot be built')\nsys.exit(3)\n"
    )
    result = _run(cli, project, "--", "python", "-c", "pass")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" not in result.stderr.split("backend says")[0]
    # The plan comes first (it is shown before it is applied), then the error.
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: Failed to build `myproj`")
    assert "backend says: this project cannot be built" in result.stderr
    assert tree(project / ".venv") == before


def test_build_no_index_needed_for_a_synced_project(cli: Cli, tmp_path: Path) -> None:
    project = _copy("pkg-flit", tmp_path)
    assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    result = subprocess.run(
        cli.argv("--frozen", "--", "python", "-c", WHERE),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_environment({"ACCORD_INDEX_URL": "http://127.0.0.1:9/simple/"}),
    )
    assert result.returncode == 0, result.stderr
