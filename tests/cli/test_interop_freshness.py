"""Switching between accord and the real uv 0.13.8 on local installs rebuilds nothing: both
write and accept the same freshness record (``uv_cache.json``: the ctime of pyproject.toml,
setup.py and setup.cfg, the birth time of ``src/``; an archive's ctime), and accord's dry
plan and its run (fast path included) always agree on whether anything is to be done."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from accord.reconciler.project.birthtime import birth_time_ns
from fixtures import PROJECTS_DIR
from tests.cli.support import Cli, site_packages

pytestmark = pytest.mark.backends  # the editable project is built by hatchling

IMPORT = "import myproj"


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(project, *args, env={"ACCORD_INDEX_URL": cli.index_url})


def _editable_project(tmp_path: Path) -> Path:
    """pkg-hatch with a `src/` directory whose ctime is later than its birth time, so the
    record tells the two apart (uv records the birth time)."""
    project = tmp_path / "proj"
    shutil.copytree(PROJECTS_DIR / "pkg-hatch", project)
    src = project / "src"
    src.mkdir()
    born = birth_time_ns(src)
    assert born is not None, "this filesystem keeps no birth time"
    (src / "notes.txt").write_text("not a package\n")
    for _ in range(10_000):  # a file timestamp can be a clock tick old: wait for a new one
        if os.stat(src).st_ctime_ns != born:
            break
        os.utime(src)
    assert os.stat(src).st_ctime_ns != born
    return project


def _dist_info(project: Path, name: str) -> Path:
    found = sorted(site_packages(project).glob(f"{name}-*.dist-info"))
    assert len(found) == 1, found
    return found[0]


def _installer(project: Path, name: str) -> str:
    return (_dist_info(project, name) / "INSTALLER").read_text().strip()


def _uv_changes(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of `uv sync` that say it installed or removed something."""
    assert result.returncode == 0, result.stderr
    return [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("Installed", "Uninstalled", " +", " -", " ~"))
    ]


def _assert_plan_and_run_agree(cli: Cli, project: Path, *, changes: bool) -> None:
    """`--dry-plan --check` says whether a change is due; the run then does exactly that."""
    planned = _accord(cli, project, "--dry-plan", "--check")
    assert planned.returncode == (1 if changes else 0), planned.stdout + planned.stderr
    ran = _accord(cli, project, "--", "python", "-c", IMPORT)
    assert ran.returncode == 0, ran.stderr
    installed = [line for line in ran.stderr.splitlines() if line.startswith("Installed")]
    assert bool(installed) == changes, ran.stderr
    after = _accord(cli, project, "--dry-plan", "--check")
    assert after.returncode == 0, after.stdout


def test_interop_freshness_record_is_uvs_byte_for_byte(cli: Cli, tmp_path: Path) -> None:
    project = _editable_project(tmp_path)
    assert _accord(cli, project, "--", "python", "-c", IMPORT).returncode == 0
    ours = (_dist_info(project, "myproj") / "uv_cache.json").read_bytes()

    rebuilt = cli.uv(project, "sync", "--reinstall-package", "myproj")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _installer(project, "myproj") == "uv"
    theirs = (_dist_info(project, "myproj") / "uv_cache.json").read_bytes()
    assert ours == theirs
    assert (_dist_info(project, "myproj") / "uv_build.json").read_bytes() == b"{}"


def test_interop_freshness_uv_sync_then_accord_rebuilds_nothing(cli: Cli, tmp_path: Path) -> None:
    project = _editable_project(tmp_path)
    assert cli.uv(project, "sync").returncode == 0
    _assert_plan_and_run_agree(cli, project, changes=False)
    assert _installer(project, "myproj") == "uv"


def test_interop_freshness_accord_then_uv_sync_reinstalls_nothing(cli: Cli, tmp_path: Path) -> None:
    project = _editable_project(tmp_path)
    assert _accord(cli, project, "--", "python", "-c", IMPORT).returncode == 0
    assert _uv_changes(cli.uv(project, "sync")) == []
    assert _installer(project, "myproj") == "accord"


def test_interop_freshness_without_src_directory_both_ways(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    shutil.copytree(PROJECTS_DIR / "pkg-hatch", project)  # no src/: uv records null
    assert _accord(cli, project, "--", "python", "-c", IMPORT).returncode == 0
    record = (_dist_info(project, "myproj") / "uv_cache.json").read_text()
    assert record.endswith(',"directories":{"src":null}}'), record
    assert _uv_changes(cli.uv(project, "sync")) == []
    assert _uv_changes(cli.uv(project, "sync", "--reinstall-package", "myproj")) != []
    _assert_plan_and_run_agree(cli, project, changes=False)


def test_interop_freshness_uv_rebuilds_and_accord_agrees_after_a_recreated_src(
    cli: Cli, tmp_path: Path
) -> None:
    """uv rebuilds when `src/` is made again (a new birth time); accord's own install is
    judged by its build inputs' content, so it keeps it, and says so in plan and run alike."""
    project = _editable_project(tmp_path)
    assert _accord(cli, project, "--", "python", "-c", IMPORT).returncode == 0
    shutil.rmtree(project / "src")
    (project / "src").mkdir()
    _assert_plan_and_run_agree(cli, project, changes=False)
    assert _uv_changes(cli.uv(project, "sync")) != []


def test_interop_freshness_touched_pyproject_after_uv_sync_plan_and_run_agree(
    cli: Cli, tmp_path: Path
) -> None:
    """A uv install is current for accord while uv's record is: touching pyproject.toml (a
    new ctime, the same bytes) makes it stale for both tools, and the fast path, stamped while
    it was current, must not run the command without the rebuild the plan shows."""
    project = _editable_project(tmp_path)
    assert cli.uv(project, "sync").returncode == 0
    _assert_plan_and_run_agree(cli, project, changes=False)  # writes the fast path's stamp
    os.utime(project / "pyproject.toml")  # the same bytes, a new ctime
    _assert_plan_and_run_agree(cli, project, changes=True)
    assert _installer(project, "myproj") == "accord"
    assert _uv_changes(cli.uv(project, "sync")) == []


def test_interop_freshness_uv_reinstall_under_accords_stamp_plan_and_run_agree(
    cli: Cli, tmp_path: Path
) -> None:
    """uv reinstalling the project under the same name (so site-packages lists the same
    names) sends accord's next run to the slow path, which judges uv's install."""
    project = _editable_project(tmp_path)
    assert _accord(cli, project, "--", "python", "-c", IMPORT).returncode == 0
    reinstalled = cli.uv(project, "sync", "--reinstall-package", "myproj")
    assert _uv_changes(reinstalled) != []
    os.utime(project / "pyproject.toml")  # uv's record is now stale; accord's stamp is not
    _assert_plan_and_run_agree(cli, project, changes=True)


@pytest.mark.parametrize(
    "archive",
    [
        pytest.param("colorful-1.0-py3-none-any.whl", id="wheel"),
        pytest.param("sdist_only-1.0.tar.gz", id="sdist"),
    ],
)
def test_interop_freshness_local_archive_both_ways(
    cli: Cli, tmp_path: Path, dists_dir: Path, archive: str
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(dists_dir / archive, dist)
    name = archive.split("-")[0].replace("_", "-")
    pyproject = (
        f'[project]\nname = "proj"\nversion = "0"\nrequires-python = ">=3.10"\n'
        f'dependencies = ["{name}"]\n[tool.uv.sources]\n'
        f'{name} = {{ path = "../dist/{archive}" }}\n'
    )
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "pyproject.toml").write_text(pyproject)
    ran = _accord(cli, ours, "--", "python", "-c", "pass")
    assert ran.returncode == 0, ran.stderr
    dist_name = archive.split("-")[0]
    assert _uv_changes(cli.uv(ours, "sync")) == []
    assert _installer(ours, dist_name) == "accord"

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "pyproject.toml").write_text(pyproject)
    assert cli.uv(theirs, "sync").returncode == 0
    for record in ("uv_cache.json", "uv_build.json"):
        ours_record = _dist_info(ours, dist_name) / record
        theirs_record = _dist_info(theirs, dist_name) / record
        assert ours_record.is_file() == theirs_record.is_file(), record
        if ours_record.is_file():
            assert ours_record.read_bytes() == theirs_record.read_bytes()
    planned = _accord(cli, theirs, "--dry-plan", "--check")
    assert planned.returncode == 0, planned.stdout
