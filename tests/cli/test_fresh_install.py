"""A fresh environment's package files are linked by ``cp`` while each install writes its
dist-info; when ``cp`` fails (none on PATH that works, another filesystem), every install is
made again file by file, and the environment is the one a working ``cp`` makes."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment

_FAILING_CP = {
    # cp refuses at once: nothing of the package files is linked.
    "refuses": "#!/bin/sh\nexit 1\n",
    # cp links everything and then reports a failure: the fallback meets every file in place.
    "links-then-fails": '#!/bin/sh\n"{cp}" "$@"\nexit 1\n',
}


def _snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under `root` but the stamp: a link's target, a directory's mode, a file's
    mode and bytes, with `root` written as ROOT wherever it appears (scripts, RECORD)."""
    found: dict[str, tuple[object, ...]] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            path = Path(directory, name)
            relative = str(path.relative_to(root))
            if relative == ".accord-stamp":
                continue
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                found[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(status.st_mode):
                found[relative] = ("dir", stat.S_IMODE(status.st_mode))
            else:
                data = path.read_bytes().replace(str(root.parent).encode(), b"ROOT")
                digest = hashlib.sha256(data).hexdigest()
                found[relative] = ("file", stat.S_IMODE(status.st_mode), digest)
    return found


def _sync(cli: Cli, project: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(cli.accord), "sync", "--frozen", "--python", str(cli.python)],
        cwd=project,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("failing", sorted(_FAILING_CP))
def test_a_fresh_environment_without_a_working_cp_is_the_same_environment(
    cli: Cli, make_project: MakeProject, tmp_path: Path, failing: str
) -> None:
    project = make_project("simple")
    # No replay: each sync is the slow path, which links with cp.
    env = {"ACCORD_INDEX_URL": cli.index_url, "ACCORD_NO_FAST_PATH": "1"}
    _sync(cli, project, env)
    with_cp = _snapshot(project / ".venv")
    shutil.rmtree(project / ".venv")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real_cp = shutil.which("cp")
    if real_cp is None:
        pytest.skip("no cp on PATH: accord links file by file anyway")
    (bin_dir / "cp").write_text(_FAILING_CP[failing].format(cp=real_cp))
    (bin_dir / "cp").chmod(0o755)

    _sync(cli, project, {**env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})

    assert _snapshot(project / ".venv") == with_cp
    check = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", "import pkg, dep_a"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def _record_inode(venv: Path, package: str) -> tuple[int, int]:
    (record,) = venv.glob(f"lib/python*/site-packages/{package}-*.dist-info/RECORD")
    status = record.stat()
    return status.st_ino, status.st_nlink


def test_a_plain_install_keeps_its_dist_info_for_the_next_fresh_environment(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """The first fresh environment keeps the dist-info of each plain install in the cache; the
    next takes it in with the package files (its RECORD is the kept one, linked), and is the
    same environment. An install with scripts or ``.data`` writes its own, as before."""
    project = make_project("simple")
    cache = tmp_path / "cache"
    env = {
        "ACCORD_INDEX_URL": cli.index_url,
        "ACCORD_NO_FAST_PATH": "1",  # no replay: each sync is the slow path
        "ACCORD_CACHE_DIR": str(cache),
    }
    _sync(cli, project, env)
    first = _snapshot(project / ".venv")
    kept = {path.name.split("-")[0]: path for path in cache.glob("installed/*/*.dist-info")}
    assert {"pkg", "dep_a"} <= set(kept)
    assert not {"cli_tool", "datafiles"} & set(kept)  # scripts, .data: written per environment
    shutil.rmtree(project / ".venv")

    _sync(cli, project, env)

    assert _snapshot(project / ".venv") == first
    for package in ("pkg", "dep_a"):
        inode, links = _record_inode(project / ".venv", package)
        assert inode == (kept[package] / "RECORD").stat().st_ino and links == 2
    for package in ("cli_tool", "datafiles"):
        assert _record_inode(project / ".venv", package)[1] == 1
