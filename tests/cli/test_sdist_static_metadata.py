"""`accord lock` reads an sdist-only dependency's metadata from the archive when it is static
(uv's rules), and runs the build backend only when it is not. Each test serves its own index
from tmp_path, so what the index lacks (any build backend) is known."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures.backends import add_backends
from fixtures.index import IndexServer, build_index
from fixtures.uvlock import uv_lock
from fixtures.wheels import WheelSpec, build_sdist, build_wheel
from tests.cli.support import clean_environment

# Dependencies are declared by this hatch metadata hook only: the metadata exists once the
# backend has run, and nowhere in the sdist before.
HOOK = """\
from hatchling.metadata.plugin.interface import MetadataHookInterface


class DependenciesHook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = ["dep-w>=1"]
"""


def _project(path: Path, dependencies: str) -> Path:
    path.mkdir(parents=True)
    (path / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n"
    )
    return path


def _lock(
    accord: Path, python: Path, project: Path, index_url: str, cache: Path
) -> subprocess.CompletedProcess[str]:
    environment = {"ACCORD_INDEX_URL": index_url, "ACCORD_CACHE_DIR": str(cache)}
    return subprocess.run(
        [str(accord), "lock", "--python", str(python)],
        cwd=project,
        env=clean_environment(environment),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _wheels(dists: Path) -> None:
    build_wheel(WheelSpec("dep-w", "1.0"), dists)
    build_wheel(WheelSpec("extra-w", "1.0"), dists)


def test_lock_static_sdist_metadata_runs_no_backend(
    tmp_path: Path, accord_bin: Path, base_python: Path, uv_bin: Path
) -> None:
    dists = tmp_path / "dists"
    # Static in pyproject.toml ([project], nothing dynamic; its PKG-INFO is 2.1, unusable).
    build_sdist(
        WheelSpec(
            "static-sdist",
            "1.0",
            requires_dist=("dep-w>=1", "extra-w; extra == 'fancy'"),
            requires_python=">=3.8",
            provides_extras=("fancy",),
        ),
        dists,
    )
    # Static in PKG-INFO 2.2 only (pyproject.toml leaves its dependencies dynamic).
    build_sdist(
        WheelSpec("pkginfo-sdist", "2.0", requires_dist=("dep-w",)),
        dists,
        dynamic=("dependencies",),
        metadata_version="2.2",
    )
    _wheels(dists)
    # No build backend in the index: building anything here fails, and no build
    # environment can appear in the cache.
    index = build_index(sorted(dists.iterdir()), tmp_path / "index")
    ours = _project(tmp_path / "ours", '"static-sdist[fancy]", "pkginfo-sdist"')
    theirs = tmp_path / "theirs"
    shutil.copytree(ours, theirs)
    cache = tmp_path / "cache"
    with IndexServer(index) as server:
        result = _lock(accord_bin, base_python, ours, server.url, cache)
        assert result.returncode == 0, result.stderr
        uv_lock(theirs, server.url, uv=uv_bin, cache_dir=tmp_path / "uv-cache", python=base_python)
    assert not (cache / "builds").exists()
    lock = (ours / "uv.lock").read_text()
    assert lock == (theirs / "uv.lock").read_text()
    assert 'name = "dep-w"' in lock
    assert 'name = "extra-w"' in lock


@pytest.mark.backends
def test_lock_dynamic_sdist_dependencies_are_built(
    tmp_path: Path, accord_bin: Path, base_python: Path, uv_bin: Path
) -> None:
    dists = tmp_path / "dists"
    build_sdist(
        WheelSpec("dynamic-sdist", "1.0"),
        dists,
        dynamic=("dependencies",),
        pyproject_extra="\n[tool.hatch.metadata.hooks.custom]\n",
        extra_members={"hatch_build.py": HOOK},
    )
    _wheels(dists)
    add_backends(dists)
    index = build_index(sorted(dists.iterdir()), tmp_path / "index")
    ours = _project(tmp_path / "ours", '"dynamic-sdist"')
    theirs = tmp_path / "theirs"
    shutil.copytree(ours, theirs)
    cache = tmp_path / "cache"
    with IndexServer(index) as server:
        result = _lock(accord_bin, base_python, ours, server.url, cache)
        assert result.returncode == 0, result.stderr
        uv_lock(theirs, server.url, uv=uv_bin, cache_dir=tmp_path / "uv-cache", python=base_python)
    assert (cache / "builds").is_dir()  # the backend ran, in a build environment
    lock = (ours / "uv.lock").read_text()
    assert lock == (theirs / "uv.lock").read_text()
    # Only the hook asks for dep-w: its being locked shows the metadata came from the backend.
    assert 'name = "dep-w"' in lock
