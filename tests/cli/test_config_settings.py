"""PEP 517 config settings (``-C``, ``--config-settings-package``, ``tool.uv.config-settings``
and ``config-settings-package``) side by side with the real uv 0.13.8: the backend gets the
same settings, the lock records nothing, ``uv_build.json`` is uv's byte for byte, and a change
of settings rebuilds in both (each accepting the other's install while the settings hold)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli, change_lines, copy_fixture, uv_build_record

pytestmark = pytest.mark.backends  # setuptools builds the project

SHOW = "from myproj._built_with import SETTINGS; print(SETTINGS)"


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(project, *args, env={"ACCORD_INDEX_URL": cli.index_url})


def test_config_settings_reach_the_backend_as_uv_passes_them(cli: Cli, tmp_path: Path) -> None:
    # A repeated key becomes a list; the command line's values come before the file's, and a
    # package's own settings before everyone's (uv's merge, observed side by side).
    tool_uv = (
        'config-settings = { flavour = "toml", plain = ["x", "y"] }\n'
        'config-settings-package = { myproj = { flavour = "package" } }\n'
    )
    ours, theirs = (
        copy_fixture(tmp_path, "ours", "pkg-config-settings", tool_uv),
        copy_fixture(tmp_path, "theirs", "pkg-config-settings", tool_uv),
    )
    given = ("-C", "flavour=cli", "--config-settings", " spaced = value ", "-C", "flavour=again")

    result = _accord(cli, ours, *given, "--", "python", "-c", SHOW)
    uv = cli.uv(theirs, "run", *given, "python", "-c", SHOW, settings=True)

    assert (result.returncode, uv.returncode) == (0, 0), result.stderr + uv.stderr
    assert result.stdout == uv.stdout
    assert result.stdout == (
        '{"flavour": ["package", "cli", "again", "toml"], "plain": ["x", "y"], "spaced": "value"}\n'
    )
    assert uv_build_record(ours) == uv_build_record(theirs)
    assert uv_build_record(ours).startswith(b'{"config_settings":{"flavour":["package","cli",')
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


def test_config_settings_change_rebuilds_in_both(cli: Cli, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path, "proj", "pkg-config-settings")
    assert _accord(cli, project, "-C", "flavour=a", "--", "python", "-c", SHOW).stdout == (
        '{"flavour": "a"}\n'
    )
    # uv accepts accord's install under the same settings, and rebuilds under others.
    assert change_lines(cli.uv(project, "sync", "-C", "flavour=a")) == []
    assert change_lines(cli.uv(project, "sync", "-C", "flavour=b")) != []

    # accord accepts uv's install under the same settings...
    same = _accord(cli, project, "-C", "flavour=b", "--dry-plan", "--check")
    assert same.returncode == 0, same.stdout
    # ...and rebuilds under others, or none.
    planned = _accord(cli, project, "--dry-plan", "--check")
    assert planned.returncode == 1
    assert "  ~ Replace myproj==0.1.0 (editable, ./): built with other config settings" in (
        planned.stdout.splitlines()
    )
    rebuilt = _accord(cli, project, "--", "python", "-c", SHOW)
    assert (rebuilt.returncode, rebuilt.stdout) == (0, "{}\n"), rebuilt.stderr
    assert uv_build_record(project) == b"{}"
    assert change_lines(cli.uv(project, "sync")) == []


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("-C", "flavour"), id="no-equals"),
        pytest.param(("--config-settings-package", "flavour=a"), id="no-package"),
        pytest.param(("--config-settings-package", "myproj:flavour"), id="package-no-equals"),
        pytest.param(("--config-settings-package", "my proj!:a=b"), id="bad-package-name"),
    ],
)
def test_config_settings_malformed_are_refused_in_uvs_words(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    project = copy_fixture(tmp_path, "proj", "pkg-config-settings")
    result = _accord(cli, project, *args, "--", "python", "-c", "pass")
    uv = cli.uv(project, "run", *args, "python", "-c", "pass")
    assert (result.returncode, uv.returncode) == (2, 2)
    assert result.stderr == uv.stderr
    assert not (project / ".venv").exists()
