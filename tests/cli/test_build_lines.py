"""uv's lines for work on sources, side by side with uv: ``Updating``/``Updated`` as a git
source is fetched, ``Building``/``Built`` around each build (the project, a git commit, an
sdist), ``(from git+…@commit)`` after a git package's version, and a dry run's ``Would
download N packages``.

uv builds in parallel, so its ``Building`` lines come in any order: they are compared as sets,
each ``Built`` line after its own ``Building`` line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR
from tests.cli.support import Cli, git, hatch_git_repo

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

STEPS = ("   Building ", "      Built ", "   Updating ", "    Updated ", " + ")


def _project(root: Path, repo: Path) -> Path:
    project = root / "proj"
    shutil.copytree(PROJECTS_DIR / "pkg-hatch", project)
    text = (project / "pyproject.toml").read_text()
    text = text.replace(
        'requires-python = ">=3.10"\n',
        'requires-python = ">=3.10"\ndependencies = ["gitpkg", "sdist-only"]\n',
    )
    text += f'\n[tool.uv.sources]\ngitpkg = {{ git = "{repo.as_uri()}", branch = "main" }}\n'
    (project / "pyproject.toml").write_text(text)
    return project


def _steps(result: subprocess.CompletedProcess[str], project: Path) -> list[str]:
    assert result.returncode == 0, result.stderr
    lines = result.stderr.replace(project.as_uri(), "file://PROJECT").splitlines()
    steps = [line for line in lines if line.startswith(STEPS)]
    for line in steps:
        if line.startswith("      Built "):
            started = "   Building " + line.removeprefix("      Built ")
            assert started in steps[: steps.index(line)], result.stderr
    return steps


def _dry(result: subprocess.CompletedProcess[str], project: Path) -> list[str]:
    """A dry run's lines but the timed one."""
    assert result.returncode == 0, result.stderr
    lines = result.stderr.replace(project.as_uri(), "file://PROJECT").splitlines()
    return [line for line in lines if not line.startswith("Resolved ")]


def test_fetching_and_building_are_told_as_uv_tells_them(cli: Cli, tmp_path: Path) -> None:
    repo = hatch_git_repo(tmp_path)
    commit = git(repo, "rev-parse", "HEAD")
    ours, theirs = _project(tmp_path / "accord", repo), _project(tmp_path / "uv", repo)
    env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
    uv_cache = tmp_path / "uv-cache"

    locked = _steps(cli.invoke(ours, "lock", env=env, pinned=True), ours)
    assert locked == _steps(cli.uv(theirs, "lock", cache=uv_cache), theirs)
    url = repo.as_uri()
    assert locked == [f"   Updating {url} (main)", f"    Updated {url} ({commit})"]

    # A dry run counts what it would download or build, and names what it has not built by
    # its source (after the sync below: nothing, each build is kept).
    dry = _dry(cli.invoke(ours, "sync", "--dry-run", env=env, pinned=True), ours)
    assert dry == _dry(cli.uv(theirs, "sync", "--dry-run", cache=uv_cache), theirs)
    assert dry[-5:] == [
        "Would download 3 packages",
        "Would install 3 packages",
        f" + gitpkg @ git+{url}@{commit}",
        " + myproj @ file://PROJECT",
        " + sdist-only==1.0",
    ]

    synced = _steps(cli.invoke(ours, "sync", env=env, pinned=True), ours)
    assert sorted(synced) == sorted(_steps(cli.uv(theirs, "sync", cache=uv_cache), theirs))
    assert f"      Built gitpkg @ git+{repo.as_uri()}@{commit}" in synced
    assert "      Built sdist-only==1.0" in synced
    assert "      Built myproj @ file://PROJECT" in synced
    assert f" + gitpkg==0.1.0 (from git+{repo.as_uri()}@{commit})" in synced

    # Built once: a second environment from the same cache builds nothing, in either tool,
    # the project included (its build inputs are unchanged); --reinstall builds it again.
    for project in (ours, theirs):
        shutil.rmtree(project / ".venv")
    dry = _dry(cli.invoke(ours, "sync", "--dry-run", env=env, pinned=True), ours)
    assert dry == _dry(cli.uv(theirs, "sync", "--dry-run", cache=uv_cache), theirs)
    assert dry[-5:] == [
        "Found up-to-date lockfile at: uv.lock",
        "Would install 3 packages",
        f" + gitpkg==0.1.0 (from git+{url}@{commit})",
        " + myproj==0.1.0 (from file://PROJECT)",
        " + sdist-only==1.0",
    ]
    again = _steps(cli.invoke(ours, "sync", env=env, pinned=True), ours)
    assert sorted(again) == sorted(_steps(cli.uv(theirs, "sync", cache=uv_cache), theirs))
    assert [line for line in again if "Buil" in line] == []
    assert f" + gitpkg==0.1.0 (from git+{repo.as_uri()}@{commit})" in again
    for project in (ours, theirs):
        shutil.rmtree(project / ".venv")
    cold = {"ACCORD_NO_FAST_PATH": "1", **env}  # not the replay: the slow path's own builds
    again = _steps(cli.invoke(ours, "sync", env=cold, pinned=True), ours)
    assert sorted(again) == sorted(_steps(cli.uv(theirs, "sync", cache=uv_cache), theirs))
    assert [line for line in again if "Buil" in line] == []
    mine = cli.invoke(ours, "sync", "--reinstall", env=env, pinned=True)
    uv = cli.uv(theirs, "sync", "--reinstall", cache=uv_cache)
    rebuilt, theirs_rebuilt = _steps(mine, ours), _steps(uv, theirs)
    assert sorted(line for line in rebuilt if "Buil" in line) == sorted(
        line for line in theirs_rebuilt if "Buil" in line
    )
    assert "      Built myproj @ file://PROJECT" in rebuilt, rebuilt
    # Every package reinstalled is counted as prepared (uv: --reinstall implies --refresh),
    # the project's wheel too although it is the one already unpacked.
    for stderr in (mine.stderr, uv.stderr):
        assert re.search(r"^Prepared 3 packages in ", stderr, re.MULTILINE), stderr


def test_a_git_dependencys_metadata_built_while_locking_is_not_told(
    cli: Cli, tmp_path: Path
) -> None:
    """A git dependency whose version is dynamic: its backend prepares the metadata while the
    lock resolves, and uv 0.13.8 says nothing of it (only of the fetch)."""
    repo = tmp_path / "repo"
    (repo / "gitpkg").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "gitpkg"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.version]\npath = "gitpkg/__init__.py"\n'
    )
    (repo / "gitpkg" / "__init__.py").write_text('__version__ = "0.3.0"\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    commit, url = git(repo, "rev-parse", "HEAD"), repo.as_uri()
    outputs = []
    for who in ("accord", "uv"):
        project = tmp_path / who / "proj"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["gitpkg"]\n'
            f'[tool.uv.sources]\ngitpkg = {{ git = "{url}", branch = "main" }}\n'
        )
        if who == "uv":
            result = cli.uv(project, "lock", cache=tmp_path / "uv-cache")
        else:
            env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
            result = cli.invoke(project, "lock", env=env, pinned=True)
        outputs.append(_steps(result, project))
    assert outputs[0] == outputs[1]
    assert outputs[0] == [f"   Updating {url} (main)", f"    Updated {url} ({commit})"]


def test_a_dynamic_version_is_listed_as_built(cli: Cli, tmp_path: Path) -> None:
    """A path dependency whose version its backend computes: the sync lists the version the
    build gave, as uv does (the lock has none), and so do the replay of that sync and a dry
    run once the build is kept."""
    lib = tmp_path / "lib"
    (lib / "dynlib").mkdir(parents=True)
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "dynlib"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.version]\npath = "dynlib/__init__.py"\n'
    )
    (lib / "dynlib" / "__init__.py").write_text('__version__ = "0.4.0"\n')
    outputs = []
    for who in ("accord", "uv"):
        project = tmp_path / who / "proj"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["dynlib"]\n[tool.uv.sources]\ndynlib = { path = "../../lib" }\n'
        )
        env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
        for _ in range(2):  # the second time from the cache (accord: the replay)
            shutil.rmtree(project / ".venv", ignore_errors=True)
            if who == "uv":
                dry = cli.uv(project, "sync", "--dry-run", cache=tmp_path / "uv-cache")
                result = cli.uv(project, "sync", cache=tmp_path / "uv-cache")
            else:
                dry = cli.invoke(project, "sync", "--dry-run", env=env, pinned=True)
                result = cli.invoke(project, "sync", env=env, pinned=True)
            outputs.append(_dry(dry, project)[-1:] + _steps(result, project))
    lib_url = lib.as_uri()
    built = [f"   Building dynlib @ {lib_url}", f"      Built dynlib @ {lib_url}"]
    listed = f" + dynlib==0.4.0 (from {lib_url})"
    # Its dry run names it by its source until it is built, then by the version built.
    assert outputs[0] == [f" + dynlib @ {lib_url}", *built, listed]
    assert outputs[1] == [listed, listed]
    assert outputs[:2] == outputs[2:]
