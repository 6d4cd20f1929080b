"""``tool.uv.extra-build-dependencies`` and ``extra-build-variables`` side by side with the
real uv 0.13.8: the build environment holds the extra requirement, the build hooks see the
variable, the lock records nothing, ``uv_build.json`` is uv's byte for byte, and a change
rebuilds in both (each accepting the other's install while the settings hold)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli, change_lines, copy_fixture, uv_build_record

pytestmark = pytest.mark.backends  # setuptools builds the project

SHOW = "from myproj._built_with import SEEN; print(SEEN)"
TOOL_UV = (
    "extra-build-dependencies = { myproj = ["
    '"pathspec>=1,<99 ; python_version >= \\"3.8\\"", '
    '{ requirement = "pathspec", match-runtime = false }] }\n'
    'extra-build-variables = { myproj = { ACCORD_EXTRA_VAR = "hello", ZZZ = "1" }, '
    'other = { ACCORD_EXTRA_VAR = "not-mine" } }\n'
)


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(project, *args, env={"ACCORD_INDEX_URL": cli.index_url})


def test_extra_build_dependencies_and_variables_reach_the_build_as_in_uv(
    cli: Cli, tmp_path: Path
) -> None:
    ours, theirs = (
        copy_fixture(tmp_path, "ours", "pkg-extra-build", TOOL_UV),
        copy_fixture(tmp_path, "theirs", "pkg-extra-build", TOOL_UV),
    )

    result = _accord(cli, ours, "--", "python", "-c", SHOW)
    uv = cli.uv(theirs, "run", "python", "-c", SHOW, settings=True)

    assert (result.returncode, uv.returncode) == (0, 0), result.stderr + uv.stderr
    assert result.stdout == uv.stdout
    assert '"var": "hello"' in result.stdout
    assert '"pathspec": null' not in result.stdout
    assert uv_build_record(ours) == uv_build_record(theirs)
    assert uv_build_record(ours).startswith(
        b'{"extra_build_requires":[{"requirement":{"name":"pathspec","marker":'
        b'"python_full_version >= \'3.8\'","specifier":">=1,<99"'
    )
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


def test_without_them_the_build_sees_neither(cli: Cli, tmp_path: Path) -> None:
    project = copy_fixture(tmp_path, "proj", "pkg-extra-build")
    result = _accord(cli, project, "--", "python", "-c", SHOW)
    assert (result.returncode, result.stdout) == (0, '{"pathspec": null, "var": null}\n')
    assert uv_build_record(project) == b"{}"


def test_with_config_settings_the_record_is_uvs(cli: Cli, tmp_path: Path) -> None:
    tool_uv = 'extra-build-variables = { myproj = { ACCORD_EXTRA_VAR = "x" } }\n'
    ours, theirs = (
        copy_fixture(tmp_path, "ours", "pkg-extra-build", tool_uv),
        copy_fixture(tmp_path, "theirs", "pkg-extra-build", tool_uv),
    )
    result = _accord(cli, ours, "-C", "k=v", "--", "python", "-c", SHOW)
    uv = cli.uv(theirs, "run", "-C", "k=v", "python", "-c", SHOW, settings=True)
    assert (result.returncode, uv.returncode) == (0, 0), result.stderr + uv.stderr
    assert uv_build_record(ours) == uv_build_record(theirs)
    assert uv_build_record(ours) == (
        b'{"config_settings":{"k":"v"},"extra_build_variables":{"ACCORD_EXTRA_VAR":"x"}}'
    )


def test_a_change_rebuilds_in_both(cli: Cli, tmp_path: Path) -> None:
    # The settings live in the project's uv.toml, which is no cache key: only uv_build.json
    # tells the installs apart.
    project = copy_fixture(tmp_path, "proj", "pkg-extra-build")
    settings = project / "uv.toml"
    settings.write_text('extra-build-variables = { myproj = { ACCORD_EXTRA_VAR = "a" } }\n')
    first = _accord(cli, project, "--", "python", "-c", SHOW)
    assert (first.returncode, first.stdout) == (0, '{"pathspec": null, "var": "a"}\n'), first.stderr
    assert change_lines(cli.uv(project, "sync", settings=True)) == []

    settings.write_text('extra-build-variables = { myproj = { ACCORD_EXTRA_VAR = "b" } }\n')
    assert change_lines(cli.uv(project, "sync", settings=True)) != []
    assert _accord(cli, project, "--dry-plan", "--check").returncode == 0

    settings.write_text('extra-build-dependencies = { myproj = ["pathspec"] }\n')
    planned = _accord(cli, project, "--dry-plan", "--check")
    assert planned.returncode == 1, planned.stdout
    rebuilt = _accord(cli, project, "--", "python", "-c", SHOW)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert '"var": null' in rebuilt.stdout and '"pathspec": null' not in rebuilt.stdout
    assert change_lines(cli.uv(project, "sync", settings=True)) == []


@pytest.mark.parametrize(
    ("tool_uv", "words"),
    [
        pytest.param(
            'extra-build-dependencies = { myproj = [{ requirement = "pathspec", '
            "match-runtime = true }] }\n",
            "`match-runtime = true` is not supported by accord",
            id="match-runtime",
        ),
        pytest.param(
            'extra-build-dependencies = { myproj = ["pathspec @ https://example.invalid/p.whl"] }'
            "\n",
            "names a URL",
            id="url",
        ),
        pytest.param(
            "extra-build-variables = { myproj = { A = 1 } }\n",
            "must be a table of strings",
            id="variable-not-a-string",
        ),
    ],
)
def test_what_accord_cannot_do_is_refused_before_acting(
    cli: Cli, tmp_path: Path, tool_uv: str, words: str
) -> None:
    project = copy_fixture(tmp_path, "proj", "pkg-extra-build", tool_uv)
    result = _accord(cli, project, "--", "python", "-c", "pass")
    assert result.returncode != 0
    assert words in result.stderr, result.stderr
    assert result.stderr.startswith("error: `pyproject.toml`: `tool.uv.extra-build-")
    assert "Traceback" not in result.stderr
    assert not (project / ".venv").exists()
