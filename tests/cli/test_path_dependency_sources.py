"""A path dependency's own ``[tool.uv.sources]``, followed as uv 0.13.8 follows them: its path
and git dependencies are locked from those sources (recorded relative to the workspace root),
side by side with uv; two projects naming different sources for one package are refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.support import Cli, after_interpreter, git, installed, write_project

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

BACKEND = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _package(root: Path, name: str, version: str, tail: str = "", deps: str = "") -> Path:
    directory = root / name
    (directory / name).mkdir(parents=True)
    (directory / name / "__init__.py").write_text("")
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{deps}]\n\n{BACKEND}{tail}"
    )
    return directory


_FETCH = ("   Updating ", "    Updated ")


def _fetches(stderr: str) -> list[str]:
    """uv's lines as a git source is fetched."""
    return [line for line in stderr.splitlines() if line.startswith(_FETCH)]


def _without_fetches(stderr: str) -> str:
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith(_FETCH))


def _projects(root: Path, repo: Path, *, editable: bool = True) -> Path:
    """`app` → `lib` (a path) → `other` (a path, editable) and `gitpkg` (git); `app` takes
    `other` from the same path, editable unless told."""
    _package(root, "other", "3.0")
    _package(
        root,
        "lib",
        "1.0",
        deps='"other", "gitpkg"',
        tail=(
            '\n[tool.uv.sources]\nother = { path = "../other", editable = true }\n'
            f'gitpkg = {{ git = "{repo.as_uri()}", branch = "main" }}\n'
        ),
    )
    return _package(
        root,
        "app",
        "0.1.0",
        deps='"lib", "other"',
        tail=(
            '\n[tool.uv.sources]\nlib = { path = "../lib" }\n'
            f'other = {{ path = "../other", editable = {str(editable).lower()} }}\n'
        ),
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = _package(tmp_path / "git", "gitpkg", "0.5")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    return repo


def test_path_dependency_sources_are_locked_as_uv_locks_them(
    cli: Cli, tmp_path: Path, repo: Path
) -> None:
    ours = _projects(tmp_path / "ours", repo)
    theirs = _projects(tmp_path / "theirs", repo)
    mine = cli.invoke(ours, "lock", pinned=True)
    assert mine.returncode == 0, mine.stderr
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    lock = (ours / "uv.lock").read_text()
    assert lock == (theirs / "uv.lock").read_text()
    commit = git(repo, "rev-parse", "HEAD")
    assert (
        "[package.metadata]\nrequires-dist = [\n"
        f'    {{ name = "gitpkg", git = "{repo.as_uri()}?branch=main" }},\n'
        '    { name = "other", editable = "../other" },\n]\n'
    ) in lock
    assert f'source = {{ git = "{repo.as_uri()}?branch=main#{commit}" }}' in lock
    assert cli.uv(ours, "lock", "--check").returncode == 0

    result = cli.run(ours, "--locked", "--", "python", "-c", "import gitpkg, lib, other")
    assert result.returncode == 0, result.stderr
    assert {"lib": "1.0", "other": "3.0", "gitpkg": "0.5"}.items() <= installed(ours).items()

    # The transitive tree is checked too: its new version makes the lock stale for both.
    for app in (ours, theirs):
        pyproject = app.parent / "other" / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"3.0"', '"3.1"'))
    stale = cli.invoke(ours, "lock", "--check", pinned=True)
    assert stale.returncode == 1
    assert "cause: the version of `other` changed (3.0 → 3.1)" in stale.stderr
    assert cli.uv(theirs, "lock", "--check").returncode == 1


def test_path_dependency_naming_another_source_is_refused(
    cli: Cli, tmp_path: Path, repo: Path
) -> None:
    # `app` takes `other` from its directory, `lib` takes it editable: two sources to uv.
    ours = _projects(tmp_path / "ours", repo, editable=False)
    theirs = _projects(tmp_path / "theirs", repo, editable=False)
    mine = cli.invoke(ours, "lock", pinned=True)
    uv = cli.uv(theirs, "lock")
    assert (mine.returncode, uv.returncode) == (1, 1), (mine.stderr, uv.stderr)
    assert "Requirements contain conflicting URLs for package `other`" in uv.stderr
    assert _fetches(mine.stderr) == _fetches(uv.stderr)  # the git source, before the error
    assert _without_fetches(after_interpreter(mine.stderr)).startswith(
        "error: Requirements contain conflicting sources for package `other`: "
    ), mine.stderr
    assert not (ours / "uv.lock").exists()


def test_path_dependency_taking_a_package_from_its_own_index_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    _package(
        tmp_path,
        "lib",
        "1.0",
        deps='"dep-a"',
        tail='\n[tool.uv.sources]\ndep-a = { index = "mine" }\n',
    )
    app = _package(
        tmp_path,
        "app",
        "0.1.0",
        deps='"lib"',
        tail='\n[tool.uv.sources]\nlib = { path = "../lib" }\n',
    )
    result = cli.invoke(app, "lock", pinned=True)
    assert result.returncode == 1
    assert after_interpreter(result.stderr).startswith(
        "error: `lib` at `../lib` takes `dep-a` from an index of its own (`tool.uv.sources`), "
        "which accord cannot lock yet\n"
    ), result.stderr


def test_git_dependency_with_sources_of_its_own_is_refused(cli: Cli, tmp_path: Path) -> None:
    # uv lowers them inside the repository; accord does not yet, and says so.
    repo = _package(
        tmp_path / "git",
        "gitpkg",
        "0.5",
        deps='"dep-a"',
        tail='\n[tool.uv.sources]\ndep-a = { path = "vendored/dep-a" }\n',
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    app = _package(
        tmp_path,
        "app",
        "0.1.0",
        deps='"gitpkg"',
        tail=f'\n[tool.uv.sources]\ngitpkg = {{ git = "{repo.as_uri()}" }}\n',
    )
    result = cli.invoke(app, "lock", pinned=True)
    assert result.returncode == 1
    assert _without_fetches(after_interpreter(result.stderr)).startswith(
        "error: `gitpkg` from git takes `dep-a` from its own `tool.uv.sources`, which accord "
        "cannot lock yet\n"
    ), result.stderr


def _marker_chosen(root: Path) -> Path:
    """`app` takes `lib` by marker: from `../lib` on Linux (its version dynamic, `other` from
    its own path source), from `../lib-else` (a static 1.0) elsewhere."""
    _package(root, "other", "3.0")
    lib = root / "lib"
    (lib / "lib").mkdir(parents=True)
    (lib / "lib" / "__init__.py").write_text('__version__ = "1.2.3"\n')
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "lib"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        f'dependencies = ["other"]\n\n{BACKEND}\n[tool.hatch.version]\npath = "lib/__init__.py"\n'
        '\n[tool.uv.sources]\nother = { path = "../other" }\n'
    )
    elsewhere = _package(root / "else", "lib", "1.0")
    elsewhere.rename(root / "lib-else")
    return _package(
        root,
        "app",
        "0.1.0",
        deps='"lib"',
        tail=(
            "\n[tool.uv.sources]\nlib = [\n"
            '  { path = "../lib", marker = "sys_platform == \'linux\'" },\n'
            '  { path = "../lib-else", marker = "sys_platform != \'linux\'" },\n]\n'
        ),
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the marker names linux")
def test_directory_chosen_by_marker_is_read_as_a_path_dependency_like_uv(
    cli: Cli, tmp_path: Path
) -> None:
    # Sources chosen by marker meet a dynamic version and a directory's own sources.
    ours = _marker_chosen(tmp_path / "ours")
    theirs = _marker_chosen(tmp_path / "theirs")
    mine = cli.invoke(ours, "lock", pinned=True)
    assert mine.returncode == 0, mine.stderr
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    lock = (ours / "uv.lock").read_text()
    assert lock == (theirs / "uv.lock").read_text()
    assert 'name = "other"\nversion = "3.0"\nsource = { directory = "../other" }' in lock
    assert cli.uv(ours, "lock", "--check").returncode == 0
    assert cli.invoke(ours, "lock", "--check", pinned=True).returncode == 0

    result = cli.run(ours, "--locked", "--", "python", "-c", "import lib, other")
    assert result.returncode == 0, result.stderr
    assert {"lib": "1.2.3", "other": "3.0"}.items() <= installed(ours).items()


def test_path_dependency_with_sources_chosen_by_marker_is_refused(cli: Cli, tmp_path: Path) -> None:
    _package(tmp_path, "other", "3.0")
    _package(
        tmp_path,
        "lib",
        "1.0",
        deps='"other"',
        tail=(
            '\n[tool.uv.sources]\nother = { path = "../other", marker = "sys_platform == '
            "'linux'\" }\n"
        ),
    )
    app = _package(
        tmp_path,
        "app",
        "0.1.0",
        deps='"lib"',
        tail='\n[tool.uv.sources]\nlib = { path = "../lib" }\n',
    )
    result = cli.invoke(app, "lock", pinned=True)
    assert result.returncode == 1
    assert after_interpreter(result.stderr).startswith(
        "error: `lib` at `../lib` takes `other` from sources chosen by marker "
        "(`tool.uv.sources`), which accord cannot lock yet\n"
    ), result.stderr
    assert not (app / "uv.lock").exists()


def test_a_path_source_that_is_not_there_is_uvs_error(cli: Cli, tmp_path: Path) -> None:
    """A `path` source naming nothing: uv's words and exit status, nothing written."""
    results = []
    for who in ("accord", "uv"):
        project = write_project(
            tmp_path,
            who,
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["gone"]\n[tool.uv.sources]\ngone = { path = "../../missing" }\n',
        )
        if who == "uv":
            result = cli.uv(project, "lock")
        else:
            result = cli.invoke(project, "lock", pinned=True)
        assert not (project / "uv.lock").exists()
        results.append((result.returncode, after_interpreter(result.stderr)))
    missing = (tmp_path / "missing").as_uri()
    assert results[0] == results[1] == (1, f"error: Distribution not found at: {missing}\n")


@pytest.mark.parametrize("editable", [False, True], ids=["archive", "editable-directory"])
def test_a_local_version_other_requirements_refuse_is_no_solution_as_in_uv(
    cli: Cli, tmp_path: Path, dists_dir: Path, editable: bool
) -> None:
    """`dep-b` 1.0 from a local source while `dep-c` needs `dep-b>=2.0`: uv finds no solution
    (accord locked both, dep-c's requirement broken), and accord says why in uv's words: uv
    knows no other version of a local package."""
    if editable:
        source = _package(tmp_path, "dep-b", "1.0")
        entry = f'{{ path = "{source.as_posix()}", editable = true }}'
    else:
        entry = f'{{ path = "{(dists_dir / "dep_b-1.0-py3-none-any.whl").as_posix()}" }}'
    told = []
    for who in ("accord", "uv"):
        project = write_project(
            tmp_path,
            who,
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            f'dependencies = ["dep-b", "dep-c"]\n[tool.uv.sources]\ndep-b = {entry}\n',
        )
        result = (
            cli.uv(project, "lock") if who == "uv" else cli.invoke(project, "lock", pinned=True)
        )
        assert result.returncode == 1, result.stderr
        assert "No solution found when resolving dependencies" in result.stderr
        assert not (project / "uv.lock").exists()
        told.append(after_interpreter(result.stderr))
    assert told[0] == told[1]
    assert told[0] == (
        "error: No solution found when resolving dependencies\n"
        "  cause: Because only dep-b<2.0 is available and all versions of dep-c depend on "
        "dep-b>=2.0, we can conclude that all versions of dep-c cannot be used.\n"
        "         And because your project depends on dep-c, we can conclude that your "
        "project's requirements are unsatisfiable.\n"
    )
