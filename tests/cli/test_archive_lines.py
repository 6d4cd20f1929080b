"""uv's change lines for packages from a direct URL or a local archive, side by side with uv
0.13.8: `` + name==1.0 (from URL)`` as one is installed, `` ~ …`` as it is put back,
`` - name==1.0 (from URL)`` as it is removed, and, in a dry run, `` + name @ URL`` for one not
in the cache yet (to download, or an sdist to build). ``uv run`` prints only the counts.

Each tool has a cache of its own, fresh for the test, so both start from nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli

pytestmark = pytest.mark.backends  # fails, naming the fix, without the wheels

CHANGES = (" + ", " - ", " ~ ", "Would ")
_TIMED = re.compile(r"^(Installed|Uninstalled) (\d+ packages?) in .*$")


def _write(project: Path, dists: Path, index_url: str, *, all_of_them: bool = True) -> None:
    """``dep-b`` a wheel by a relative path, ``pkg`` an sdist by an absolute one, ``dep-c``
    and ``sdist-only`` a wheel and an sdist by URL from the index (or none of them)."""
    wheel = os.path.relpath(dists / "dep_b-2.0-py3-none-any.whl", project).replace(os.sep, "/")
    dependencies = '"dep-b", "pkg", "dep-c", "sdist-only"' if all_of_them else ""
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n[tool.uv.sources]\n"
        f'dep-b = {{ path = "{wheel}" }}\n'
        f'pkg = {{ path = "{(dists / "pkg-1.1.tar.gz").as_posix()}" }}\n'
        f'dep-c = {{ url = "{index_url}dep-c/dep_c-1.0-py3-none-any.whl" }}\n'
        f'sdist-only = {{ url = "{index_url}sdist-only/sdist_only-1.0.tar.gz" }}\n'
    )


class _Both:
    """One project per tool, each with a cache of its own."""

    def __init__(self, cli: Cli, tmp_path: Path) -> None:
        self.cli = cli
        self.ours, self.theirs = tmp_path / "accord" / "proj", tmp_path / "uv" / "proj"
        self.env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
        self.uv_cache = tmp_path / "uv-cache"

    def write(self, dists: Path, *, all_of_them: bool = True) -> None:
        for project in (self.ours, self.theirs):
            project.mkdir(parents=True, exist_ok=True)
            _write(project, dists, self.cli.index_url, all_of_them=all_of_them)

    def __call__(self, *args: str) -> tuple[list[str], list[str]]:
        """accord's and uv's lines (change lines, ``Would …`` lines, the counts untimed)."""
        mine = self.cli.invoke(self.ours, *args, env=self.env, pinned=args[0] != "run")
        uv = self.cli.uv(self.theirs, *args, cache=self.uv_cache)
        return _lines(mine), _lines(uv)


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    kept = []
    for line in result.stderr.splitlines():
        timed = _TIMED.match(line)
        if timed:
            kept.append(f"{timed[1]} {timed[2]}")
        elif line.startswith(CHANGES):
            kept.append(line)
    return kept


def test_archives_and_urls_are_listed_with_their_origin_as_uv_lists_them(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    both = _Both(cli, tmp_path)
    both.write(dists_dir)
    wheel = (dists_dir / "dep_b-2.0-py3-none-any.whl").as_uri()
    sdist = (dists_dir / "pkg-1.1.tar.gz").as_uri()
    url_wheel = f"{cli.index_url}dep-c/dep_c-1.0-py3-none-any.whl"
    url_sdist = f"{cli.index_url}sdist-only/sdist_only-1.0.tar.gz"

    # Locking reads the wheels into the cache; the sdists are still to build.
    ours, theirs = both("sync", "--dry-run")
    assert ours == theirs
    assert ours == [
        "Would create project environment at: .venv",
        "Would create lockfile at: uv.lock",
        "Would download 2 packages",
        "Would install 4 packages",
        f" + dep-b==2.0 (from {wheel})",
        f" + dep-c==1.0 (from {url_wheel})",
        f" + pkg @ {sdist}",
        f" + sdist-only @ {url_sdist}",
    ]

    installed = [
        f" + dep-b==2.0 (from {wheel})",
        f" + dep-c==1.0 (from {url_wheel})",
        f" + pkg==1.1 (from {sdist})",
        f" + sdist-only==1.0 (from {url_sdist})",
    ]
    ours, theirs = both("sync")
    assert ours == theirs
    assert ours == ["Installed 4 packages", *installed]

    # --reinstall refreshes the cache: each is to download (or build) again.
    ours, theirs = both("sync", "--reinstall", "--dry-run")
    assert ours == theirs
    assert ours[:6] == [
        "Would use project environment at: .venv",
        "Would download 4 packages",
        "Would uninstall 4 packages",
        "Would install 4 packages",
        f" - dep-b==2.0 (from {wheel})",
        f" + dep-b @ {wheel}",
    ]
    ours, theirs = both("sync", "--reinstall")
    assert ours == theirs
    assert ours[2:] == [line.replace(" + ", " ~ ", 1) for line in installed]

    # `run` tells only the counts.
    for project in (both.ours, both.theirs):
        shutil.rmtree(project / ".venv")
    ours, theirs = both("run", "--python", str(cli.python), "--", "python", "-c", "pass")
    assert ours == theirs == ["Installed 4 packages"]

    # Removed, each is named by the URL it was installed from.
    both.write(dists_dir, all_of_them=False)
    removed = [line.replace(" + ", " - ", 1) for line in installed]
    ours, theirs = both("sync", "--dry-run")
    assert ours == theirs
    assert ours == [
        "Would use project environment at: .venv",
        "Would update lockfile at: uv.lock",
        "Would uninstall 4 packages",
        *removed,
    ]
    ours, theirs = both("sync")
    assert ours == theirs == ["Uninstalled 4 packages", *removed]


def test_the_same_version_from_another_place_is_removed_and_installed(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    """A wheel by path, then the index's copy of that version: uv lists them as two packages,
    not as one put back (`~`)."""
    both = _Both(cli, tmp_path)
    both.write(dists_dir)
    assert both("sync") != ([], [])
    for project in (both.ours, both.theirs):
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text()
        pyproject.write_text(re.sub(r"(?m)^dep-b = .*\n", "", text))
    ours, theirs = both("sync")
    assert ours == theirs
    wheel = (dists_dir / "dep_b-2.0-py3-none-any.whl").as_uri()
    assert ours == [
        "Uninstalled 1 package",
        "Installed 1 package",
        f" - dep-b==2.0 (from {wheel})",
        " + dep-b==2.0",
    ]


def test_a_direct_url_requirement_runs_from_uvs_lock_and_is_not_locked_from_the_index(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    """`dep-b @ file:///…` and `dep-a @ http://…` in the dependencies: accord runs from the lock
    uv made for them as it is (it took dep-b 2.0 from the index and rewrote the lock), and
    refuses to lock them itself, which it cannot do yet."""
    wheel = (dists_dir / "dep_b-1.0-py3-none-any.whl").as_uri()
    url_wheel = f"{cli.index_url}dep-a/dep_a-1.0-py3-none-any.whl"
    both = _Both(cli, tmp_path)
    for project in (both.ours, both.theirs):
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            f'dependencies = ["dep-b @ {wheel}", "dep-a @ {url_wheel}"]\n'
        )
    assert cli.uv(both.theirs, "lock", cache=both.uv_cache).returncode == 0
    made = (both.theirs / "uv.lock").read_bytes()
    (both.ours / "uv.lock").write_bytes(made)
    check = cli.invoke(both.ours, "lock", "--check", env=both.env, pinned=True)
    assert check.returncode == 0, check.stderr
    ours, theirs = both("sync")
    assert ours == theirs
    assert ours[1:] == [f" + dep-a==1.0 (from {url_wheel})", f" + dep-b==1.0 (from {wheel})"]
    assert (both.ours / "uv.lock").read_bytes() == made

    (both.ours / "uv.lock").unlink()
    refused = cli.invoke(both.ours, "lock", env=both.env, pinned=True)
    assert refused.returncode == 1, refused.stderr
    assert f"error: `dep-b @ {wheel}` (from `proj`) is a direct URL requirement" in refused.stderr
    assert not (both.ours / "uv.lock").exists()
    with_it = cli.invoke(
        both.ours,
        "run",
        "--python",
        str(cli.python),
        "--no-project",
        "--with",
        f"dep-b @ {wheel}",
        "--",
        "python",
        "-c",
        "pass",
        env=both.env,
    )
    assert with_it.returncode == 1, with_it.stderr
    assert f"error: `dep-b @ {wheel}` is a direct URL requirement" in with_it.stderr


def test_an_sdist_by_url_is_locked_as_uv_locks_it_and_run_from_uvs_lock(
    cli: Cli, tmp_path: Path
) -> None:
    """uv's lock names an sdist from a `url` source by its source alone (`sdist = { hash = … }`,
    accord wrote its URL too), and accord installs it from such a lock (it had no URL to
    download it from)."""
    url_sdist = f"{cli.index_url}sdist-only/sdist_only-1.0.tar.gz"
    both = _Both(cli, tmp_path)
    for project in (both.ours, both.theirs):
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["sdist-only"]\n[tool.uv.sources]\n'
            f'sdist-only = {{ url = "{url_sdist}" }}\n'
        )
    assert cli.invoke(both.ours, "lock", env=both.env, pinned=True).returncode == 0
    assert cli.uv(both.theirs, "lock", cache=both.uv_cache).returncode == 0
    made = (both.theirs / "uv.lock").read_text()
    assert (both.ours / "uv.lock").read_text() == made
    assert 'source = { url = "' + url_sdist + '" }\nsdist = { hash = "sha256:' in made

    fresh = {**both.env, "ACCORD_CACHE_DIR": str(tmp_path / "another-cache")}
    synced = cli.invoke(both.theirs, "sync", "--frozen", env=fresh, pinned=True)
    assert _lines(synced)[-1] == f" + sdist-only==1.0 (from {url_sdist})"
