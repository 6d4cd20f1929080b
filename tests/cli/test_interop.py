"""accord and the real uv agree on what an environment in sync with `uv.lock` is."""

from __future__ import annotations

from fixtures import MakeProject
from tests.cli.support import Cli, installed


def test_interop_uv_sees_an_accord_environment_in_sync(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    cli.sync(project)

    result = cli.uv(project, "sync", "--frozen", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "Would make no changes" in result.stderr.splitlines()


def test_interop_accord_sees_a_uv_environment_in_sync(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    synced = cli.uv(project, "sync", "--frozen")
    assert synced.returncode == 0, synced.stderr

    planned = cli.run(project, "--frozen", "--dry-plan")
    checked = cli.run(project, "--frozen", "--dry-plan", "--check")

    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.splitlines()[-1] == "Nothing to do: .venv matches the lock (6 packages)"
    assert checked.returncode == 0, checked.stdout
    assert set(installed(project)) == {"cli-tool", "datafiles", "dep-a", "dep-b", "devtool", "pkg"}
