"""`--verify`: every installed file hashed against its RECORD, drift planned as a repair.

The tampering here writes a new file in place of an installed one (unlink first): installed
files are hard links into accord's cache, and writing through one would change the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment, site_packages

SNAPSHOT = Path(".venv") / ".accord-verified"
REPAIR_LINE = "  ~ Replace pkg==1.0: 1 file modified: pkg/__init__.py"


def _sync(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli.accord), "sync", "--frozen", "--python", str(cli.python), *args],
        cwd=project,
        env=clean_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _replace_file(path: Path, content: bytes) -> None:
    """A new file at ``path`` (a new inode: the cache's copy is left alone)."""
    path.unlink()
    path.write_bytes(content)


def _same_size_other_content(original: bytes) -> bytes:
    return b"#" * (len(original) - 1) + b"\n"  # still valid Python: one long comment


def _check(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(project, "--frozen", "--dry-plan", "--verify", "--check", *args)


def test_verify_dry_plan_check_names_a_file_modified_at_the_same_size(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    path = site_packages(project) / "pkg" / "__init__.py"
    _replace_file(path, _same_size_other_content(path.read_bytes()))

    unverified = cli.run(project, "--frozen", "--dry-plan", "--check")
    verified = _check(cli, project)

    assert unverified.returncode == 0, unverified.stdout  # the size alone says nothing
    assert verified.returncode == 1, verified.stderr
    assert verified.stdout.splitlines() == [
        cli.plan_header,
        "  = Keep uv.lock (--frozen: used as it is)",
        REPAIR_LINE,
        "Note: minimal is not installed, only its dependencies: it is a virtual project "
        "(no [build-system], or tool.uv.package = false)",
        "Plan: 1 to replace",
    ]
    assert not (project / SNAPSHOT).exists()  # a dry plan writes nothing


def test_verify_json_reason_lists_the_modified_files(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    path = site_packages(project) / "pkg" / "__init__.py"
    _replace_file(path, _same_size_other_content(path.read_bytes()))

    result = _check(cli, project, "--format", "json")

    assert result.returncode == 1, result.stderr
    [action] = json.loads(result.stdout)["packages"]
    assert (action["kind"], action["name"]) == ("replace", "pkg")
    assert action["reason"] == {
        "kind": "content-modified",
        "files": ["pkg/__init__.py"],
        "message": "1 file modified: pkg/__init__.py",
    }


def test_verify_run_repairs_the_package_then_the_next_verify_is_clean(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)  # also writes the fast path's stamp: --verify must not take it
    path = site_packages(project) / "pkg" / "__init__.py"
    original = path.read_bytes()
    _replace_file(path, _same_size_other_content(original))

    repair = cli.run(project, "--frozen", "--verify", "--", "python", "-c", "import pkg")

    assert repair.returncode == 0, repair.stderr
    assert " ~ pkg==1.0 (1 file modified: pkg/__init__.py)" in repair.stderr.splitlines()
    assert path.read_bytes() == original
    second = _check(cli, project)
    assert second.returncode == 0, second.stdout


def test_sync_verify_repairs_and_keeps_a_snapshot(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    path = site_packages(project) / "pkg" / "__init__.py"
    original = path.read_bytes()
    _replace_file(path, _same_size_other_content(original))

    repair = _sync(cli, project, "--verify")
    again = _sync(cli, project, "--verify")

    assert repair.returncode == 0, repair.stderr
    assert path.read_bytes() == original
    assert again.returncode == 0, again.stderr
    assert "pkg==1.0" not in again.stderr  # nothing left to repair
    snapshot = json.loads((project / SNAPSHOT).read_text(encoding="utf-8"))
    assert "pkg/__init__.py" in snapshot["dists"]["pkg-1.0.dist-info"]["files"]


def test_verify_skips_files_the_snapshot_vouches_for_until_record_changes(
    cli: Cli, make_project: MakeProject
) -> None:
    # The documented trade-off: a file rewritten in place with its size and mtime put back
    # is not read again while the snapshot vouches for it. The snapshot's entry for a dist
    # lapses when its RECORD changes (as any reinstall rewrites it) or when it is deleted.
    project = make_project("minimal")
    cli.sync(project)
    site = site_packages(project)
    path = site / "pkg" / "__init__.py"
    original = path.read_bytes()
    _replace_file(path, original)  # a private copy, safe to write through
    assert _sync(cli, project, "--verify").returncode == 0  # clean: the snapshot is written
    status = os.stat(path)
    with path.open("r+b") as stream:
        stream.write(_same_size_other_content(original))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    vouched = _check(cli, project)
    record = site / "pkg-1.0.dist-info" / "RECORD"
    record_status = os.stat(record)
    os.utime(record, ns=(record_status.st_atime_ns, record_status.st_mtime_ns + 1_000_000_000))
    lapsed = _check(cli, project)

    assert vouched.returncode == 0, vouched.stdout
    assert lapsed.returncode == 1, lapsed.stderr
    assert REPAIR_LINE in lapsed.stdout.splitlines()


def test_verify_without_a_snapshot_hashes_everything(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    path = site_packages(project) / "pkg" / "__init__.py"
    original = path.read_bytes()
    _replace_file(path, original)
    assert _sync(cli, project, "--verify").returncode == 0
    status = os.stat(path)
    with path.open("r+b") as stream:
        stream.write(_same_size_other_content(original))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    (project / SNAPSHOT).unlink()
    result = _check(cli, project)

    assert result.returncode == 1, result.stderr
    assert REPAIR_LINE in result.stdout.splitlines()


def test_verify_is_refused_where_it_would_not_check_anything(
    cli: Cli, make_project: MakeProject
) -> None:
    """--verify checks the project environment; with --no-sync or --no-project it would check
    nothing, so it is refused by name rather than ignored."""
    project = make_project("minimal")
    for extra in (("--no-sync",), ("--no-project",)):
        result = cli.run(project, "--frozen", "--verify", *extra, "--", "python", "-c", "pass")
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: `--verify` cannot be used with `{extra[0]}`")
