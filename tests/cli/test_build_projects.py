"""Building from source with real processes: package projects installed editable with
hatchling, setuptools and flit-core, sdist-only dependencies built once, failing backends."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR
from tests.cli.support import Cli, clean_environment, git, hatch_git_repo, installed, tree

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

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
    assert "  + Install myproj==0.1.0 (editable, ./): missing" in planned.stdout.splitlines()
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
    assert "  ~ Replace myproj 0.1.0 → 0.2.0 (editable, ./): version differs: 0.1.0 → 0.2.0" in (
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


@pytest.mark.parametrize("created", [False, True])
def test_build_edited_setup_py_is_rebuilt_even_on_the_fast_path(
    cli: Cli, tmp_path: Path, created: bool
) -> None:
    # uv's default cache keys: pyproject.toml, setup.py, setup.cfg. After two runs the stamp
    # is current; editing (or creating) setup.py must still send the run down the slow path.
    project = _copy("pkg-setuptools", tmp_path)
    setup = project / "setup.py"
    if not created:
        setup.write_text("from setuptools import setup\n\nsetup()\n")
    for _ in range(2):
        assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    setup.write_text("from setuptools import setup\n\n# edited\nsetup()\n")

    result = _run(cli, project, "--", "python", "-c", "pass")

    assert result.returncode == 0, result.stderr
    assert " ~ myproj==0.1.0 (build inputs changed: pyproject.toml or cache-keys)" in (
        result.stderr.splitlines()
    )
    assert _run(cli, project, "--dry-plan", "--check").returncode == 0


def test_build_cache_keys_glob_is_an_input_of_the_fast_path(cli: Cli, tmp_path: Path) -> None:
    project = _copy("pkg-hatch", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.uv]\ncache-keys = [{ file = "pyproject.toml" }, { file = "conf/*.toml" }]\n'
    )
    (project / "conf").mkdir()
    for _ in range(2):
        assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    (project / "conf" / "new.toml").write_text("x = 1\n")  # a new file the pattern matches

    result = _run(cli, project, "--", "python", "-c", "pass")

    assert result.returncode == 0, result.stderr
    assert "(build inputs changed: pyproject.toml or cache-keys)" in result.stderr


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
    assert Path(result.stdout.strip()) == project / "myproj" / "__init__.py"


# Workspaces -------------------------------------------------------------------------------

PACKAGE_B = "import a, b, dep_a; print(b.__file__)"


def test_build_workspace_package_from_root_and_from_a_member(cli: Cli, tmp_path: Path) -> None:
    root = _copy("ws3", tmp_path)
    from_root = _run(cli, root, "--package", "b", "--", "python", "-c", PACKAGE_B)
    assert from_root.returncode == 0, from_root.stderr
    assert Path(from_root.stdout.strip()) == root / "b" / "b" / "__init__.py"
    assert set(installed(root)) == {"a", "b", "dep-a", "dep-b", "pkg"}  # b's closure only
    from_member = _run(cli, root / "c", "--package", "b", "--", "python", "-c", PACKAGE_B)
    assert from_member.returncode == 0, from_member.stderr
    inside_c = _run(cli, root / "c", "--", "python", "-c", "import c, colorful; print('c')")
    assert (inside_c.returncode, inside_c.stdout) == (0, "c\n"), inside_c.stderr
    everything = _run(cli, root, "--all-packages", "--", "python", "-c", "import a, b, c")
    assert everything.returncode == 0, everything.stderr
    assert {"a", "b", "c", "colorful"} <= set(installed(root))


def test_build_workspace_lock_matches_real_uv(cli: Cli, tmp_path: Path) -> None:
    ours = _copy("ws3", tmp_path / "ours")
    theirs = _copy("ws3", tmp_path / "theirs")
    assert _accord_lock(cli, ours).returncode == 0
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    assert "[manifest]\nmembers = [\n" in (ours / "uv.lock").read_text()


def test_build_workspace_unknown_member(cli: Cli, tmp_path: Path) -> None:
    root = _copy("ws3", tmp_path)
    result = _run(cli, root, "--package", "nope", "--", "true")
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[-1]
        == f"error: The workspace does not have a member nope: {root}"
    )


def _accord_lock(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli.accord), "lock", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_environment({"ACCORD_INDEX_URL": cli.index_url}),
    )


# Git sources ------------------------------------------------------------------------------


def test_build_git_source_is_locked_to_its_commit(cli: Cli, tmp_path: Path) -> None:
    repo = hatch_git_repo(tmp_path)
    first = git(repo, "rev-parse", "HEAD")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["gitpkg"]\n[tool.uv.sources]\n'
        f'gitpkg = {{ git = "{repo.as_uri()}", branch = "main" }}\n'
    )
    show = "import gitpkg; print(gitpkg.__version__)"
    result = _run(cli, project, "--", "python", "-c", show)
    assert (result.returncode, result.stdout) == (0, "0.1.0\n"), result.stderr
    lock = (project / "uv.lock").read_text()
    assert f'source = {{ git = "{repo.as_uri()}?branch=main#{first}" }}' in lock
    assert cli.uv(project, "lock", "--check").returncode == 0

    # The branch moves: frozen and default runs stay on the locked commit.
    (repo / "gitpkg" / "__init__.py").write_text('__version__ = "0.2.0"\n')
    (repo / "pyproject.toml").write_text(
        (repo / "pyproject.toml").read_text().replace('"0.1.0"', '"0.2.0"')
    )
    git(repo, "commit", "-qam", "two")
    for args in (("--frozen",), ()):
        again = _run(cli, project, *args, "--", "python", "-c", show)
        assert again.stdout == "0.1.0\n", again.stderr
    assert (project / "uv.lock").read_text() == lock

    # --upgrade-package moves it.
    assert _accord_lock(cli, project, "--upgrade-package", "gitpkg").returncode == 0
    moved = _run(cli, project, "--", "python", "-c", show)
    assert moved.stdout == "0.2.0\n", moved.stderr
    assert git(repo, "rev-parse", "HEAD") in (project / "uv.lock").read_text()


def test_build_git_commit_moved_with_the_same_version_is_replaced(cli: Cli, tmp_path: Path) -> None:
    # Only the commit moves (the version stays 0.1.0): the new commit must be installed.
    repo = hatch_git_repo(tmp_path)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["gitpkg"]\n[tool.uv.sources]\n'
        f'gitpkg = {{ git = "{repo.as_uri()}", branch = "main" }}\n'
    )
    show = "import gitpkg; print(getattr(gitpkg, 'FIX', 'none'))"
    first = _run(cli, project, "--", "python", "-c", show)
    assert (first.returncode, first.stdout) == (0, "none\n"), first.stderr
    (repo / "gitpkg" / "__init__.py").write_text('__version__ = "0.1.0"\nFIX = "fixed"\n')
    git(repo, "commit", "-qam", "a fix, same version")
    second = git(repo, "rev-parse", "HEAD")
    assert _accord_lock(cli, project, "--upgrade-package", "gitpkg").returncode == 0

    planned = _run(cli, project, "--dry-plan")
    replaced = _run(cli, project, "--", "python", "-c", show)

    assert any(
        line.startswith("  ~ Replace gitpkg==0.1.0 (build from git ") and second[:7] in line
        for line in planned.stdout.splitlines()
    ), planned.stdout
    assert (replaced.returncode, replaced.stdout) == (0, "fixed\n"), replaced.stderr
    assert _run(cli, project, "--dry-plan", "--check").returncode == 0


def test_build_without_isolation_uses_the_interpreters_own_packages(
    cli: Cli, tmp_path: Path
) -> None:
    # The base interpreter has no hatchling: without isolation the backend cannot be
    # imported, which shows no build environment was made for it.
    check = subprocess.run([str(cli.python), "-c", "import hatchling"], capture_output=True)
    if check.returncode == 0:
        pytest.skip("the base interpreter has hatchling installed")
    project = _copy("pkg-hatch", tmp_path)
    isolated = _run(cli, project, "--", "python", "-c", "import myproj")
    assert isolated.returncode == 0, isolated.stderr
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text().replace('version = "0.1.0"', 'version = "0.3.0"')
    )
    result = _run(cli, project, "--no-build-isolation", "--", "python", "-c", "import myproj")
    assert result.returncode == 1
    assert "hatchling" in result.stderr
    assert installed(project)["myproj"] == "0.1.0"  # unchanged


def test_build_sources_path_url_and_index_match_real_uv(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("colorful-1.0-py3-none-any.whl", "sdist_only-1.0.tar.gz"):
        shutil.copy(dists_dir / name, dist / name)
    wheel_url = f"{cli.index_url}dep-a/dep_a-1.0-py3-none-any.whl"
    pyproject = (
        '[project]\nname = "proj"\nversion = "0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["colorful", "sdist-only", "dep-a", "devtool"]\n\n'
        "[tool.uv.sources]\n"
        'colorful = { path = "../dist/colorful-1.0-py3-none-any.whl" }\n'
        'sdist-only = { path = "../dist/sdist_only-1.0.tar.gz" }\n'
        f'dep-a = {{ url = "{wheel_url}" }}\n'
        'devtool = { index = "fixture" }\n\n'
        f'[[tool.uv.index]]\nname = "fixture"\nurl = "{cli.index_url}"\nexplicit = true\n'
    )
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for project in (ours, theirs):
        project.mkdir()
        (project / "pyproject.toml").write_text(pyproject)
    result = _run(cli, ours, "--", "python", "-c", "import colorful, sdist_only, dep_a, devtool")
    assert result.returncode == 0, result.stderr
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    again = _run(cli, ours, "--dry-plan", "--check")
    assert again.returncode == 0, again.stdout


def test_build_with_editable_layers_a_local_project(cli: Cli, tmp_path: Path) -> None:
    base = _copy("pkg-hatch", tmp_path / "base")
    other = _copy("pkg-flit", tmp_path / "other")
    (other / "pyproject.toml").write_text(
        (other / "pyproject.toml").read_text().replace('name = "myproj"', 'name = "otherproj"')
    )
    (other / "myproj").rename(other / "otherproj")
    result = _run(
        cli,
        base,
        "--with-editable",
        str(other),
        "--",
        "python",
        "-c",
        "import myproj, otherproj; print(otherproj.__file__)",
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == other / "otherproj" / "__init__.py"
    assert "otherproj" not in installed(base)


def test_build_editable_project_interop_with_uv_both_ways(cli: Cli, tmp_path: Path) -> None:
    ours = _copy("pkg-hatch", tmp_path / "ours")
    assert _run(cli, ours, "--", "python", "-c", "import myproj").returncode == 0
    seen_by_uv = cli.uv(ours, "sync", "--frozen", "--dry-run")
    assert "Would make no changes" in seen_by_uv.stderr, seen_by_uv.stderr

    theirs = _copy("pkg-hatch", tmp_path / "theirs")
    synced = cli.uv(theirs, "sync")
    assert synced.returncode == 0, synced.stderr
    seen_by_accord = _run(cli, theirs, "--dry-plan", "--check")
    assert seen_by_accord.returncode == 0, seen_by_accord.stdout


def test_build_local_archives_interop_with_uv(cli: Cli, tmp_path: Path, dists_dir: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(dists_dir / "colorful-1.0-py3-none-any.whl", dist)
    shutil.copy(dists_dir / "sdist_only-1.0.tar.gz", dist)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["colorful", "sdist-only"]\n[tool.uv.sources]\n'
        'colorful = { path = "../dist/colorful-1.0-py3-none-any.whl" }\n'
        'sdist-only = { path = "../dist/sdist_only-1.0.tar.gz" }\n'
    )
    assert _run(cli, project, "--", "python", "-c", "import colorful, sdist_only").returncode == 0
    seen_by_uv = cli.uv(project, "sync", "--frozen", "--dry-run")
    assert "Would make no changes" in seen_by_uv.stderr, seen_by_uv.stderr
