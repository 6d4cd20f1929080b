"""Path and git dependencies whose version (or requirements) only their build backend can tell,
locked by accord and by uv 0.13.8 side by side on copies of the same projects.

uv prepares such a package's metadata with its backend (``prepare_metadata_for_build_wheel``,
``_editable`` for an editable path) and writes no ``version`` for a path tree, the built one
for a git commit. A path tree's version is then never compared: only a tree whose version
became dynamic or static, or whose requirements or extras changed, makes the lock stale; a git
commit never does. The prepared metadata is kept until a cache key (pyproject.toml...) moves.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli, git, installed

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

HATCH = """\
[project]
name = "lib"
dynamic = ["version"]
requires-python = ">=3.10"
dependencies = ["dep-a"]

[project.optional-dependencies]
fast = ["dep-c"]
all = ["lib[fast]"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.version]
path = "lib/__init__.py"
"""

SETUPTOOLS = """\
[project]
name = "lib"
dynamic = ["version"]
requires-python = ">=3.10"
dependencies = ["dep-a"]

[project.optional-dependencies]
fast = ["dep-c"]

[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[tool.setuptools.dynamic]
version = { attr = "lib.__version__" }
"""

FROM_REQUIREMENTS = """\
[project]
name = "lib"
dynamic = ["version", "dependencies"]
requires-python = ">=3.10"

[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[tool.setuptools.dynamic]
version = { attr = "lib.__version__" }
dependencies = { file = "requirements.txt" }
"""

SHOW = "import importlib.metadata as m; print(m.version('lib'))"


def _accord(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(cwd, *args, pinned=True)


def _uv(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.uv(cwd, *args)


def _write_lib(root: Path, pyproject: str, version: str = "1.2.3") -> Path:
    lib = root / "lib"
    (lib / "lib").mkdir(parents=True)
    (lib / "pyproject.toml").write_text(pyproject)
    (lib / "lib" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    (lib / "requirements.txt").write_text("dep-a\n")
    return lib


def _write_app(root: Path, requirement: str, source: str) -> Path:
    app = root / "app"
    app.mkdir(parents=True)
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f'dependencies = ["{requirement}"]\n\n[tool.uv.sources]\nlib = {source}\n'
    )
    return app


def _side_by_side(
    tmp_path: Path, pyproject: str, source: str, requirement: str = "lib"
) -> tuple[Path, Path]:
    """The same app and lib twice: `ours/app` for accord, `theirs/app` for uv."""
    apps = []
    for who in ("ours", "theirs"):
        _write_lib(tmp_path / who, pyproject)
        apps.append(_write_app(tmp_path / who, requirement, source))
    return apps[0], apps[1]


def _locked(cli: Cli, ours: Path, theirs: Path, *args: str) -> str:
    """Lock `ours` with accord and `theirs` with uv; the two locks must be the same bytes."""
    mine = _accord(cli, ours, "lock", *args)
    assert mine.returncode == 0, mine.stderr
    uv = _uv(cli, theirs, "lock", *args)
    assert uv.returncode == 0, uv.stderr
    text = (ours / "uv.lock").read_text()
    assert text == (theirs / "uv.lock").read_text()
    return text


def _checks(cli: Cli, ours: Path, theirs: Path) -> tuple[int, int]:
    """`accord lock --check` on ours and `uv lock --check` on theirs: the exit codes."""
    return (
        _accord(cli, ours, "lock", "--check").returncode,
        _uv(cli, theirs, "lock", "--check").returncode,
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("pyproject", "source", "kind"),
    [
        (HATCH, '{ path = "../lib", editable = true }', "editable"),
        (HATCH, '{ path = "../lib" }', "directory"),
        (SETUPTOOLS, '{ path = "../lib", editable = true }', "editable"),
        (SETUPTOOLS, '{ path = "../lib" }', "directory"),
    ],
    ids=["hatchling-editable", "hatchling", "setuptools-editable", "setuptools"],
)
def test_dynamic_path_dependency_is_locked_and_installed_as_uv_does(
    cli: Cli, tmp_path: Path, pyproject: str, source: str, kind: str
) -> None:
    ours, theirs = _side_by_side(tmp_path, pyproject, source, requirement="lib[all,fast]")
    lock = _locked(cli, ours, theirs)
    # No version: uv omits it for a source tree whose version is dynamic.
    assert f'name = "lib"\nsource = {{ {kind} = "../lib" }}\n' in lock
    assert _uv(cli, ours, "lock", "--check").returncode == 0
    result = cli.run(ours, "--locked", "--", "python", "-c", SHOW)
    assert (result.returncode, result.stdout) == (0, "1.2.3\n"), result.stderr
    assert {"lib", "dep-a", "dep-c"} <= set(installed(ours))
    # uv takes accord's install as it is.
    synced = _uv(cli, ours, "sync", "--locked")
    assert synced.returncode == 0, synced.stderr
    assert not [line for line in synced.stderr.splitlines() if line.startswith((" +", " -"))]


def test_dynamic_path_dependency_lock_goes_stale_as_uv_decides(cli: Cli, tmp_path: Path) -> None:
    ours, theirs = _side_by_side(tmp_path, HATCH, '{ path = "../lib", editable = true }')
    _locked(cli, ours, theirs)
    libs = [app.parent / "lib" for app in (ours, theirs)]

    # A new version is no change to the lock: it holds none.
    for lib in libs:
        (lib / "lib" / "__init__.py").write_text('__version__ = "2.0"\n')
    assert _checks(cli, ours, theirs) == (0, 0)
    assert _uv(cli, ours, "lock", "--check").returncode == 0

    # Changed requirements are.
    for lib in libs:
        _edit(lib / "pyproject.toml", 'dependencies = ["dep-a"]', 'dependencies = ["dep-a", "pkg"]')
    assert _checks(cli, ours, theirs) == (1, 1)
    stale = _accord(cli, ours, "lock", "--check")
    assert "cause: the requirements of `lib` changed (added pkg)" in stale.stderr
    assert _uv(cli, ours, "lock", "--check").returncode == 1
    _locked(cli, ours, theirs)

    # So is a version that becomes static, reported in uv's words.
    for lib in libs:
        _edit(lib / "pyproject.toml", 'dynamic = ["version"]', 'version = "2.0"')
    assert _checks(cli, ours, theirs) == (1, 1)
    mine = _accord(cli, ours, "lock")
    uv = _uv(cli, theirs, "lock")
    assert "Updated lib (dynamic) -> v2.0" in mine.stderr.splitlines()
    assert "Updated lib (dynamic) -> v2.0" in uv.stderr.splitlines()
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()

    # And back.
    for lib in libs:
        _edit(lib / "pyproject.toml", 'version = "2.0"', 'dynamic = ["version"]')
    assert _checks(cli, ours, theirs) == (1, 1)
    mine = _accord(cli, ours, "lock")
    uv = _uv(cli, theirs, "lock")
    assert "Updated lib v2.0 -> (dynamic)" in mine.stderr.splitlines()
    assert "Updated lib v2.0 -> (dynamic)" in uv.stderr.splitlines()
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


def test_static_path_dependency_version_change_makes_the_lock_stale(
    cli: Cli, tmp_path: Path
) -> None:
    # accord once kept a lock whose path dependency had moved on.
    static = HATCH.replace('dynamic = ["version"]', 'version = "1.0"')
    ours, theirs = _side_by_side(tmp_path, static, '{ path = "../lib" }')
    lock = _locked(cli, ours, theirs)
    assert 'name = "lib"\nversion = "1.0"\nsource = { directory = "../lib" }\n' in lock
    for app in (ours, theirs):
        _edit(app.parent / "lib" / "pyproject.toml", 'version = "1.0"', 'version = "1.1"')
    assert _checks(cli, ours, theirs) == (1, 1)
    stale = _accord(cli, ours, "lock", "--check")
    assert "cause: the version of `lib` changed (1.0 → 1.1)" in stale.stderr
    _locked(cli, ours, theirs)


def test_sync_builds_the_dynamic_version_when_a_cache_key_moves(cli: Cli, tmp_path: Path) -> None:
    ours, theirs = _side_by_side(tmp_path, HATCH, '{ path = "../lib", editable = true }')
    for app, sync in ((ours, ("sync",)), (theirs, ("sync",))):
        tool = _accord if app == ours else _uv
        assert tool(cli, app, *sync).returncode == 0
        assert installed(app)["lib"] == "1.2.3"
        # Only the module moved: nothing is rebuilt (uv's cache keys are pyproject.toml,
        # setup.py and setup.cfg), and the lock stays as it is.
        (app.parent / "lib" / "lib" / "__init__.py").write_text('__version__ = "1.3"\n')
        lock = (app / "uv.lock").read_text()
        assert tool(cli, app, *sync).returncode == 0
        assert installed(app)["lib"] == "1.2.3"
        # A changed pyproject.toml rebuilds it, with its new version.
        with (app.parent / "lib" / "pyproject.toml").open("a") as file:
            file.write("# touched\n")
        assert tool(cli, app, *sync).returncode == 0
        assert installed(app)["lib"] == "1.3"
        assert (app / "uv.lock").read_text() == lock


def test_dynamic_requirements_are_prepared_once_per_revision_as_uv_does(
    cli: Cli, tmp_path: Path
) -> None:
    ours, theirs = _side_by_side(tmp_path, FROM_REQUIREMENTS, '{ path = "../lib" }')
    lock = _locked(cli, ours, theirs)
    assert '[package.metadata]\nrequires-dist = [{ name = "dep-a" }]\n' in lock
    assert _uv(cli, ours, "lock", "--check").returncode == 0
    # requirements.txt is no cache key: the metadata prepared before still answers, for both.
    for app in (ours, theirs):
        (app.parent / "lib" / "requirements.txt").write_text("dep-a\ndep-c\n")
    assert _checks(cli, ours, theirs) == (0, 0)
    # A touched pyproject.toml is a new revision: prepared again, the lock is stale.
    for app in (ours, theirs):
        (app.parent / "lib" / "pyproject.toml").touch()
    assert _checks(cli, ours, theirs) == (1, 1)
    lock = _locked(cli, ours, theirs)
    assert '{ name = "dep-c" }' in lock


def test_dynamic_git_dependency_is_locked_with_its_built_version(cli: Cli, tmp_path: Path) -> None:
    repo = _write_lib(tmp_path, SETUPTOOLS, version="2.5")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    first = git(repo, "rev-parse", "HEAD")
    source = f'{{ git = "{repo.as_uri()}", branch = "main" }}'
    ours = _write_app(tmp_path / "ours", "lib[fast]", source)
    theirs = _write_app(tmp_path / "theirs", "lib[fast]", source)
    lock = _locked(cli, ours, theirs)
    assert (
        f'name = "lib"\nversion = "2.5"\nsource = {{ git = "{repo.as_uri()}?branch=main#{first}" }}'
    ) in lock
    assert _uv(cli, ours, "lock", "--check").returncode == 0
    result = cli.run(ours, "--locked", "--", "python", "-c", SHOW)
    assert (result.returncode, result.stdout) == (0, "2.5\n"), result.stderr
    assert installed(ours)["dep-c"] == "1.0"

    # A new commit with a new version: a git commit is immutable, the lock stays current...
    (repo / "lib" / "__init__.py").write_text('__version__ = "2.6"\n')
    git(repo, "commit", "-qam", "two")
    second = git(repo, "rev-parse", "HEAD")
    assert _checks(cli, ours, theirs) == (0, 0)
    # ...until the package is upgraded, reported in uv's words.
    mine = _accord(cli, ours, "lock", "--upgrade-package", "lib")
    uv = _uv(cli, theirs, "lock", "--upgrade-package", "lib")
    moved = f"Updated lib v2.5 ({first[:8]}) -> v2.6 ({second[:8]})"
    assert moved in mine.stderr.splitlines(), mine.stderr
    assert moved in uv.stderr.splitlines(), uv.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    result = cli.run(ours, "--locked", "--", "python", "-c", SHOW)
    assert (result.returncode, result.stdout) == (0, "2.6\n"), result.stderr


def test_with_editable_dynamic_tree_runs_its_built_version(cli: Cli, tmp_path: Path) -> None:
    lib = _write_lib(tmp_path, HATCH)
    app = _write_app(tmp_path, "dep-a", '{ path = "../lib" }')
    mine = cli.run(
        app,
        *("--with-editable", str(lib), "--", "python", "-c", SHOW),
        env={"ACCORD_INDEX_URL": cli.index_url},
    )
    assert (mine.returncode, mine.stdout) == (0, "1.2.3\n"), mine.stderr
    uv = _uv(cli, app, "run", "--with-editable", str(lib), "python", "-c", SHOW)
    assert (uv.returncode, uv.stdout) == (0, "1.2.3\n"), uv.stderr


def test_dynamic_requirements_of_the_project_or_a_member_are_refused(
    cli: Cli, tmp_path: Path
) -> None:
    """Dependencies only the backend can tell (`project.dynamic`) are refused by name, never
    read as none: no lock is written."""
    root = tmp_path / "proj"
    (root / "member").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["member"]\n\n[tool.uv.sources]\nmember = { workspace = true }\n\n'
        '[tool.uv.workspace]\nmembers = ["member"]\n'
    )
    (root / "member" / "pyproject.toml").write_text(
        '[project]\nname = "member"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dynamic = ["optional-dependencies"]\n'
    )
    result = cli.invoke(root, "lock", pinned=True)
    assert result.returncode != 0
    assert "`member` declares `optional-dependencies` in `project.dynamic`" in result.stderr
    assert not (root / "uv.lock").exists()
