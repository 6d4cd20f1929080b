"""Packages from an archive at a URL, side by side with uv 0.13.8: a ``url`` source with a
``subdirectory`` (an archive holding several projects) is locked, built and installed from
that directory, and every installed package's ``direct_url.json`` (PEP 610) is uv's, byte for
byte: an empty ``archive_info`` (no hash), the ``subdirectory``, compact JSON in uv's key order.

The archives are served on 127.0.0.1 beside an index of the build backends; each tool has a
cache of its own, fresh for the test.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.backends import add_backends
from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_sdist, build_wheel
from tests.cli.support import Cli, change_lines, git, installed, site_packages

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

_HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
_PLAIN = (
    '[build-system]\nrequires = ["no-such-backend"]\nbuild-backend = "no_such_backend"\n'
    '[project]\nname = "plain"\nversion = "3.0"\nrequires-python = ">=3.8"\n'
    "dependencies = [\"dep-x>=1; python_version >= '3.8'\"]\n"
    '[project.optional-dependencies]\nZed = ["dep-x"]\nAlpha = []\n'
)
"""A project whose backend no index has, and whose metadata its pyproject.toml states."""
_EXTRAS: dict[str, Any] = {
    "requires_dist": ("dep-x; extra == 'zed'",),
    "provides_extras": ("zed", "alpha"),
}


def _project(name: str, version: str, dependencies: str = "") -> str:
    project = f'[project]\nname = "{name}"\nversion = "{version}"\n'
    return f"{_HATCH}{project}dependencies = [{dependencies}]\n"


def _archive(dest: Path, name: str, members: dict[str, str], work: Path) -> None:
    """An sdist-shaped archive (one top-level directory) holding ``members``, named ``name``
    (not an sdist's name: uv takes a ``url`` source's archive by its URL)."""
    made = build_sdist(WheelSpec("mono", "1.0"), work, extra_members=members)
    shutil.copy(made, dest / name)
    made.unlink()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """An index of ``dep-x`` and the backends, with archives to take by URL under ``files/``:
    ``mono.tar.gz`` (projects ``inner`` 2.0, needing dep-x, ``other`` 2.0 and ``plain`` 3.0 in
    ``pkgs/inner``, ``pkgs/other`` and ``pkgs/plain``), ``twins.tar.gz`` (``twin`` 1.0 in
    ``a`` and in ``b``), a wheel and an sdist, and a wheel and an sdist with extras."""
    root = tmp_path_factory.mktemp("url-subdirectory")
    dists = [build_wheel(WheelSpec("dep-x", "1.0"), root / "dists"), *add_backends(root / "dists")]
    simple = build_index(sorted(dists), root / "index")
    files = simple / "files"
    files.mkdir()
    _archive(
        files,
        "mono.tar.gz",
        {
            "pkgs/inner/pyproject.toml": _project("inner", "2.0", '"dep-x"'),
            "pkgs/inner/inner/__init__.py": "VALUE = 'inner'\n",
            "pkgs/other/pyproject.toml": _project("other", "2.0"),
            "pkgs/other/other/__init__.py": "",
            "pkgs/plain/pyproject.toml": _PLAIN,
            "pkgs/plain/plain/__init__.py": "",
        },
        root / "made",
    )
    _archive(
        files,
        "twins.tar.gz",
        {
            "a/pyproject.toml": _project("twin", "1.0"),
            "a/twin/__init__.py": "WHICH = 'a'\n",
            "b/pyproject.toml": _project("twin", "1.0"),
            "b/twin/__init__.py": "WHICH = 'b'\n",
        },
        root / "made",
    )
    build_wheel(WheelSpec("url-wheel", "1.0"), files)
    build_sdist(WheelSpec("url-sdist", "1.0"), files)
    build_wheel(WheelSpec("ext-w", "1.0", **_EXTRAS), files)
    build_sdist(WheelSpec("ext-s", "1.0", **_EXTRAS), files, metadata_version="2.2")
    with IndexServer(simple) as server:
        yield server


class _Both:
    """One project per tool, each with a cache of its own, on the served index."""

    def __init__(self, cli: Cli, served: IndexServer, tmp_path: Path) -> None:
        self.cli = dataclasses.replace(cli, index_url=served.url)
        self.files = f"{served.url}files/"
        self.ours, self.theirs = tmp_path / "accord" / "proj", tmp_path / "uv" / "proj"
        self.env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
        self.uv_cache = tmp_path / "uv-cache"

    def write(self, dependencies: str, sources: str) -> None:
        for project in (self.ours, self.theirs):
            project.mkdir(parents=True, exist_ok=True)
            (project / "pyproject.toml").write_text(
                '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
                f"dependencies = [{dependencies}]\n[tool.uv.sources]\n{sources}"
            )

    def __call__(
        self, *args: str
    ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        mine = self.cli.invoke(self.ours, *args, env=self.env, pinned=True)
        uv = self.cli.uv(self.theirs, *args, cache=self.uv_cache)
        return mine, uv

    def lock_is_uvs(self) -> None:
        assert (self.ours / "uv.lock").read_text() == (self.theirs / "uv.lock").read_text()

    def direct_urls(self) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """Every installed dist's ``direct_url.json`` bytes, by dist-info, in each project."""
        return _direct_urls(self.ours), _direct_urls(self.theirs)


def _direct_urls(project: Path) -> dict[str, bytes]:
    return {
        path.parent.name: path.read_bytes()
        for path in site_packages(project).glob("*.dist-info/direct_url.json")
    }


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The change lines and ``Building``/``Built`` lines of a sync that succeeded."""
    building = [line for line in result.stderr.splitlines() if line.lstrip().startswith("Buil")]
    return building + change_lines(result)


@pytest.fixture
def both(cli: Cli, served: IndexServer, tmp_path: Path) -> _Both:
    return _Both(cli, served, tmp_path)


def test_a_url_subdirectory_locks_syncs_and_runs_as_uv(both: _Both) -> None:
    mono = f"{both.files}mono.tar.gz"
    both.write('"inner"', f'inner = {{ url = "{mono}", subdirectory = "pkgs/inner" }}\n')
    ours, theirs = both("lock")
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    both.lock_is_uvs()
    lock = (both.ours / "uv.lock").read_text()
    assert f'source = {{ url = "{mono}", subdirectory = "pkgs/inner" }}' in lock

    ours, theirs = both("sync")
    assert (
        _lines(ours)
        == _lines(theirs)
        == [
            f"   Building inner @ {mono}#subdirectory=pkgs/inner",
            f"      Built inner @ {mono}#subdirectory=pkgs/inner",
            " + dep-x==1.0",
            f" + inner==2.0 (from {mono}#subdirectory=pkgs/inner)",
        ]
    )
    mine, uvs = both.direct_urls()
    assert mine == uvs
    assert mine["inner-2.0.dist-info"] == (
        f'{{"url":"{mono}","archive_info":{{}},"subdirectory":"pkgs/inner"}}'.encode()
    )
    show = both.cli.run(both.ours, "python", "-c", "import inner; print(inner.VALUE)", env=both.env)
    assert (show.returncode, show.stdout) == (0, "inner\n"), show.stderr

    # Each tool finds the other's environment current.
    seen_by_uv = both.cli.uv(both.ours, "sync", "--locked", "--dry-run", cache=both.uv_cache)
    assert "Would make no changes" in seen_by_uv.stderr, seen_by_uv.stderr
    seen_by_accord = both.cli.invoke(
        both.theirs, "sync", "--locked", "--dry-run", env=both.env, pinned=True
    )
    assert "Would make no changes" in seen_by_accord.stderr, seen_by_accord.stderr


def test_two_projects_of_one_archive_are_built_apart_and_removed_as_uv(both: _Both) -> None:
    mono = f"{both.files}mono.tar.gz"
    inner = f'inner = {{ url = "{mono}", subdirectory = "pkgs/inner" }}\n'
    other = f'other = {{ url = "{mono}", subdirectory = "pkgs/other" }}\n'
    both.write('"inner", "other"', inner + other)
    ours, theirs = both("sync")
    assert (
        change_lines(ours)
        == change_lines(theirs)
        == [
            " + dep-x==1.0",
            f" + inner==2.0 (from {mono}#subdirectory=pkgs/inner)",
            f" + other==2.0 (from {mono}#subdirectory=pkgs/other)",
        ]
    )
    both.lock_is_uvs()
    assert installed(both.ours) == installed(both.theirs)

    both.write('"other"', other)
    ours, theirs = both("sync")
    assert (
        change_lines(ours)
        == change_lines(theirs)
        == [
            " - dep-x==1.0",
            f" - inner==2.0 (from {mono}#subdirectory=pkgs/inner)",
        ]
    )
    both.lock_is_uvs()


def test_a_moved_subdirectory_relocks_and_replaces_the_install_as_uv(both: _Both) -> None:
    twins = f"{both.files}twins.tar.gz"
    both.write('"twin"', f'twin = {{ url = "{twins}", subdirectory = "a" }}\n')
    ours, theirs = both("sync")
    assert change_lines(ours) == change_lines(theirs)

    # Same name, version and archive: only the subdirectory says the package changed.
    both.write('"twin"', f'twin = {{ url = "{twins}", subdirectory = "b" }}\n')
    ours, theirs = both("sync")
    assert (
        _lines(ours)
        == _lines(theirs)
        == [
            f"   Building twin @ {twins}#subdirectory=b",
            f"      Built twin @ {twins}#subdirectory=b",
            f" - twin==1.0 (from {twins}#subdirectory=a)",
            f" + twin==1.0 (from {twins}#subdirectory=b)",
        ]
    )
    both.lock_is_uvs()
    show = both.cli.run(both.ours, "python", "-c", "import twin; print(twin.WHICH)", env=both.env)
    assert show.stdout == "b\n", show.stderr


def test_a_missing_subdirectory_is_refused_in_uvs_words(both: _Both) -> None:
    mono = f"{both.files}mono.tar.gz"
    both.write('"inner"', f'inner = {{ url = "{mono}", subdirectory = "pkgs/nothere" }}\n')
    ours, theirs = both("lock")
    assert (ours.returncode, theirs.returncode) == (1, 1)
    said = f"The source distribution `{mono}#subdirectory=pkgs/nothere` has no subdirectory "
    assert f"  cause: {said}`pkgs/nothere`" in theirs.stderr.splitlines()
    assert f"error: {said}`pkgs/nothere`" in ours.stderr.splitlines()
    assert not (both.ours / "uv.lock").exists()


def test_a_url_wheel_is_locked_without_its_subdirectory_as_uv(both: _Both) -> None:
    wheel = f"{both.files}url_wheel-1.0-py3-none-any.whl"
    both.write('"url-wheel"', f'url-wheel = {{ url = "{wheel}", subdirectory = "x" }}\n')
    ours, theirs = both("sync")
    assert change_lines(ours) == change_lines(theirs)
    both.lock_is_uvs()
    assert f'source = {{ url = "{wheel}" }}' in (both.ours / "uv.lock").read_text()
    mine, uvs = both.direct_urls()
    assert (
        mine
        == uvs
        == {"url_wheel-1.0.dist-info": f'{{"url":"{wheel}","archive_info":{{}}}}'.encode()}
    )
    again = both.cli.invoke(both.ours, "lock", "--check", env=both.env, pinned=True)
    assert again.returncode == 0, again.stderr


def test_direct_url_json_is_uvs_for_every_kind_of_source(both: _Both, tmp_path: Path) -> None:
    """A wheel and an sdist by URL and by path, a directory (editable or not) and a git
    subdirectory at a branch: each ``direct_url.json`` is uv's, byte for byte."""
    local = tmp_path / "local"
    path_wheel = build_wheel(WheelSpec("path-wheel", "1.0"), local)
    path_sdist = build_sdist(WheelSpec("path-sdist", "1.0"), local)
    for name in ("tree-a", "tree-b"):
        module = local / name / name.replace("-", "_")
        module.mkdir(parents=True)
        (module / "__init__.py").write_text("")
        (local / name / "pyproject.toml").write_text(_project(name, "1.0"))
    repo = tmp_path / "repo"
    (repo / "libs" / "gitsub" / "gitsub").mkdir(parents=True)
    (repo / "libs" / "gitsub" / "gitsub" / "__init__.py").write_text("")
    (repo / "libs" / "gitsub" / "pyproject.toml").write_text(_project("gitsub", "1.0"))
    git(repo, "init", "-q", "-b", "feature/one")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    both.write(
        '"url-wheel", "url-sdist", "path-wheel", "path-sdist", "tree-a", "tree-b", "gitsub"',
        f'url-wheel = {{ url = "{both.files}url_wheel-1.0-py3-none-any.whl" }}\n'
        f'url-sdist = {{ url = "{both.files}url_sdist-1.0.tar.gz" }}\n'
        f'path-wheel = {{ path = "{path_wheel}" }}\n'
        f'path-sdist = {{ path = "{path_sdist}" }}\n'
        f'tree-a = {{ path = "{local / "tree-a"}", editable = true }}\n'
        f'tree-b = {{ path = "{local / "tree-b"}" }}\n'
        f'gitsub = {{ git = "{repo.as_uri()}", branch = "feature/one", '
        'subdirectory = "libs/gitsub" }\n',
    )
    ours, theirs = both("sync")
    assert change_lines(ours) == change_lines(theirs)
    both.lock_is_uvs()
    mine, uvs = both.direct_urls()
    assert mine == uvs
    commit = git(repo, "rev-parse", "HEAD")
    assert mine["path_wheel-1.0.dist-info"] == (
        f'{{"url":"{path_wheel.as_uri()}","archive_info":{{}}}}'.encode()
    )
    assert mine["tree_b-1.0.dist-info"] == (
        f'{{"url":"{(local / "tree-b").as_uri()}","dir_info":{{"editable":false}}}}'.encode()
    )
    assert mine["gitsub-1.0.dist-info"] == (
        f'{{"url":"{repo.as_uri()}","vcs_info":{{"vcs":"git","commit_id":"{commit}",'
        '"requested_revision":"feature/one"},"subdirectory":"libs/gitsub"}'.encode()
    )


def test_a_subdirectorys_stated_metadata_is_locked_without_its_backend_as_uv(
    both: _Both,
) -> None:
    """As uv, accord reads the metadata the project's pyproject.toml states (its backend is
    on no index, so preparing it would fail)."""
    mono = f"{both.files}mono.tar.gz"
    both.write('"plain"', f'plain = {{ url = "{mono}", subdirectory = "pkgs/plain" }}\n')
    ours, theirs = both("lock")
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    both.lock_is_uvs()
    assert 'provides-extras = ["zed", "alpha"]' in (both.ours / "uv.lock").read_text()


def test_an_archives_extras_are_locked_as_uv(both: _Both, tmp_path: Path) -> None:
    """``provides-extras`` of a wheel and an sdist by URL and by path, in their order."""
    local = tmp_path / "local"
    path_wheel = build_wheel(WheelSpec("ext-pw", "1.0", **_EXTRAS), local)
    path_sdist = build_sdist(WheelSpec("ext-ps", "1.0", **_EXTRAS), local, metadata_version="2.2")
    both.write(
        '"ext-w", "ext-s", "ext-pw", "ext-ps"',
        f'ext-w = {{ url = "{both.files}ext_w-1.0-py3-none-any.whl" }}\n'
        f'ext-s = {{ url = "{both.files}ext_s-1.0.tar.gz" }}\n'
        f'ext-pw = {{ path = "{path_wheel}" }}\n'
        f'ext-ps = {{ path = "{path_sdist}" }}\n',
    )
    ours, theirs = both("lock")
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    both.lock_is_uvs()
    lock = (both.ours / "uv.lock").read_text()
    assert lock.count('provides-extras = ["zed", "alpha"]') == 4
